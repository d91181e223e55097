//! Guest memory as the BIOS services touch it: physical reads/writes that go to RAM or,
//! for 0xA0000-0xBFFFF, to the VGA; writes to ROM pages are dropped. Also the caller's
//! IRET frame (FLAGS at SS:SP+4) and the segment:offset address of register pointers.

use crate::host::BiosHost;
use rawbox_cpu::memory::PageKind;
use rawbox_cpu::SegReg;

/// Start of the legacy video window.
const VGA_START: u32 = 0xA0000;
/// End (exclusive) of the legacy video window.
const VGA_END: u32 = 0xC0000;

fn in_vga(addr: u32) -> bool {
    (VGA_START..VGA_END).contains(&addr)
}

/// Reads `out.len()` bytes of guest physical memory at `addr`.
pub fn read_phys(host: &mut dyn BiosHost, addr: u32, out: &mut [u8]) {
    let end = addr as u64 + out.len() as u64;
    if end <= VGA_START as u64 || addr >= VGA_END {
        host.cpu().mem.read_bytes(addr, out);
        return;
    }
    for (i, b) in out.iter_mut().enumerate() {
        let a = addr.wrapping_add(i as u32);
        *b = if in_vga(a) {
            host.vga().mem_read(a)
        } else {
            let mut one = [0u8];
            host.cpu().mem.read_bytes(a, &mut one);
            one[0]
        };
    }
}

/// Writes `data` to guest physical memory at `addr` (ROM pages are left alone).
pub fn write_phys(host: &mut dyn BiosHost, addr: u32, data: &[u8]) {
    let end = addr as u64 + data.len() as u64;
    let cpu = host.cpu();
    let first_rom = cpu.mem.page_kind(addr) == PageKind::Rom;
    let last_rom = cpu.mem.page_kind(end.saturating_sub(1) as u32) == PageKind::Rom;
    if (end <= VGA_START as u64 || addr >= VGA_END) && !first_rom && !last_rom && data.len() <= 4096
    {
        cpu.mem.write_bytes(addr, data);
        return;
    }
    for (i, &b) in data.iter().enumerate() {
        let a = addr.wrapping_add(i as u32);
        if in_vga(a) {
            host.vga().mem_write(a, b);
        } else if host.cpu().mem.page_kind(a) != PageKind::Rom {
            host.cpu().mem.write_bytes(a, &[b]);
        }
    }
}

/// Reads a byte.
pub fn rd8(host: &mut dyn BiosHost, addr: u32) -> u8 {
    let mut b = [0u8; 1];
    read_phys(host, addr, &mut b);
    b[0]
}

/// Reads a little-endian word.
pub fn rd16(host: &mut dyn BiosHost, addr: u32) -> u16 {
    let mut b = [0u8; 2];
    read_phys(host, addr, &mut b);
    u16::from_le_bytes(b)
}

/// Reads a little-endian dword.
pub fn rd32(host: &mut dyn BiosHost, addr: u32) -> u32 {
    let mut b = [0u8; 4];
    read_phys(host, addr, &mut b);
    u32::from_le_bytes(b)
}

/// Writes a byte.
pub fn wr8(host: &mut dyn BiosHost, addr: u32, v: u8) {
    write_phys(host, addr, &[v]);
}

/// Writes a little-endian word.
pub fn wr16(host: &mut dyn BiosHost, addr: u32, v: u16) {
    write_phys(host, addr, &v.to_le_bytes());
}

/// Writes a little-endian dword.
pub fn wr32(host: &mut dyn BiosHost, addr: u32, v: u32) {
    write_phys(host, addr, &v.to_le_bytes());
}

/// Linear address of `seg:off` using the segment's base (real and virtual-8086 mode).
pub fn seg_addr(host: &mut dyn BiosHost, seg: SegReg, off: u16) -> u32 {
    host.cpu().state.segs[seg as usize]
        .base
        .wrapping_add(off as u32)
}

/// Linear address of the caller's FLAGS word in the IRET frame (SS:SP+4).
fn frame_flags_addr(host: &mut dyn BiosHost) -> u32 {
    let sp = host.cpu().state.regs[rawbox_cpu::state::reg::ESP] as u16;
    seg_addr(host, SegReg::Ss, sp.wrapping_add(4))
}

/// Sets or clears `mask` in the caller's FLAGS in the IRET frame.
pub fn set_frame_flag(host: &mut dyn BiosHost, mask: u16, on: bool) {
    let a = frame_flags_addr(host);
    let f = rd16(host, a);
    wr16(host, a, if on { f | mask } else { f & !mask });
}

/// The caller's FLAGS word from the IRET frame.
pub fn frame_flags(host: &mut dyn BiosHost) -> u16 {
    let a = frame_flags_addr(host);
    rd16(host, a)
}

/// Linear address of `seg:reg16` where `reg` is a register index (e.g. ES:DI).
pub fn reg_addr(host: &mut dyn BiosHost, seg: SegReg, reg: usize) -> u32 {
    let off = host.cpu().state.r16(reg);
    seg_addr(host, seg, off)
}
