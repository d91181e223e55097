//! The bulk path of REP MOVS and REP STOS: while every element of a run lies in plain RAM
//! (pages `Cpu::fast_page` allows, within the segment limits, no decoded code on the
//! destination page, no debug or alignment checks), the run is copied or filled straight in
//! RAM, element by element in the instruction's order. Whatever the bulk path declines (page
//! crossings, MMIO, faults, DF=1...) goes through the one-element-at-a-time loop, which stays
//! the reference.

use crate::flags::OpSize;
use crate::state::{reg, SegReg};
use crate::Cpu;

/// Elements of one bulk run that stay within one page and the segment limit, going up from
/// offset `off` (of a segment with `base` and last allowed byte offset `lim`), at most `max`.
fn run_len(base: u32, off: u32, lim: i64, n: u32, amask: u32, max: u32) -> u32 {
    let lin = base.wrapping_add(off);
    let in_page = (0x1000 - (lin & 0xFFF)) / n;
    let in_seg = (lim + 1 - off as i64).max(0) / n as i64;
    let in_wrap = (amask as u64 + 1 - off as u64) / n as u64;
    (in_page as u64)
        .min(in_seg as u64)
        .min(in_wrap)
        .min(max as u64) as u32
}

impl Cpu {
    /// Runs up to `max` iterations of REP MOVS (`movs`) or REP STOS of `size` elements in
    /// RAM (DF clear), updating ESI/EDI/ECX as the iterations would. Returns how many ran
    /// (0: the next iteration needs the one-element path).
    pub(crate) fn rep_bulk(
        &mut self,
        movs: bool,
        size: OpSize,
        amask: u32,
        src_seg: SegReg,
        max: u32,
    ) -> u32 {
        if self.state.flags.df() || !self.fast_memory_allowed() {
            return 0;
        }
        let n = size.bytes();
        let count = self.state.regs[reg::ECX] & amask;
        let di = self.state.regs[reg::EDI] & amask;
        let (es_base, _, es_wlim) = self.fast_segment(SegReg::Es);
        let mut k = run_len(es_base, di, es_wlim, n, amask, count.min(max));
        let dst_lin = es_base.wrapping_add(di);
        let mut src = None;
        if movs {
            let si = self.state.regs[reg::ESI] & amask;
            let (base, rlim, _) = self.fast_segment(src_seg);
            k = k.min(run_len(base, si, rlim, n, amask, k));
            let src_lin = base.wrapping_add(si);
            src = Some(src_lin);
        }
        if k == 0 {
            return 0;
        }
        let Some(dst_page) = self.fast_page(dst_lin, true) else {
            return 0;
        };
        let dst = (dst_page | (dst_lin & 0xFFF)) as usize;
        let len = (k * n) as usize;
        match src {
            Some(src_lin) => {
                let Some(src_page) = self.fast_page(src_lin, false) else {
                    return 0;
                };
                let src = (src_page | (src_lin & 0xFFF)) as usize;
                let ram = self.mem.ram_bytes_mut();
                if src + len <= dst || dst + len <= src || src >= dst {
                    // No overlap, or the destination below the source: an element-order
                    // forward copy reads every byte before it is overwritten.
                    ram.copy_within(src..src + len, dst);
                } else {
                    // The destination overlaps above the source: element by element.
                    let n = n as usize;
                    for e in 0..k as usize {
                        let mut buf = [0u8; 4];
                        buf[..n].copy_from_slice(&ram[src + e * n..src + e * n + n]);
                        ram[dst + e * n..dst + e * n + n].copy_from_slice(&buf[..n]);
                    }
                }
                let si = self.state.regs[reg::ESI];
                self.state.regs[reg::ESI] = (si & !amask) | (si.wrapping_add(k * n) & amask);
            }
            None => {
                let v = self.state.regs[reg::EAX].to_le_bytes();
                let ram = self.mem.ram_bytes_mut();
                for chunk in ram[dst..dst + len].chunks_exact_mut(n as usize) {
                    chunk.copy_from_slice(&v[..n as usize]);
                }
            }
        }
        let di = self.state.regs[reg::EDI];
        self.state.regs[reg::EDI] = (di & !amask) | (di.wrapping_add(k * n) & amask);
        let c = self.state.regs[reg::ECX];
        self.state.regs[reg::ECX] = (c & !amask) | (c.wrapping_sub(k) & amask);
        k
    }
}
