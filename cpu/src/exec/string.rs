//! String instructions (MOVS, CMPS, SCAS, LODS, STOS, INS, OUTS) with REP/REPE/REPNE. Long
//! repeats yield every few thousand iterations (EIP stays on the instruction) so interrupts
//! are taken with bounded latency; a fault leaves the registers at the faulting iteration.
//! REP MOVS/STOS runs in plain RAM take the bulk path (`string_bulk`).

use crate::bus::{Bus, Width};
use crate::decode::DecodedInsn;
use crate::fault::GResult;
use crate::flags::{LazyOp, OpSize};
use crate::state::{reg, SegReg};
use crate::Cpu;
use iced_x86::OpKind;

pub const MOVS: u8 = 0;
pub const CMPS: u8 = 1;
pub const SCAS: u8 = 2;
pub const LODS: u8 = 3;
pub const STOS: u8 = 4;
pub const INS: u8 = 5;
pub const OUTS: u8 = 6;

/// Iterations before a REP instruction yields to the run loop.
const REP_CHUNK: u32 = 4096;

fn addr32(i: &iced_x86::Instruction) -> bool {
    (0..i.op_count()).any(|k| {
        matches!(
            i.op_kind(k),
            OpKind::MemorySegESI | OpKind::MemoryESEDI | OpKind::MemorySegEDI
        )
    })
}

fn elem_size(i: &iced_x86::Instruction) -> OpSize {
    OpSize::from_bytes(i.memory_size().size() as u32)
}

pub fn string<const KIND: u8>(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    let a32 = addr32(i);
    let size = elem_size(i);
    let n = size.bytes();
    let amask = if a32 { 0xFFFF_FFFF } else { 0xFFFF };
    let rep = i.has_rep_prefix() || i.has_repne_prefix();
    let repne = i.has_repne_prefix();
    let src_seg = super::operands::seg_of(i.memory_segment());
    let step = if cpu.state.flags.df() {
        0u32.wrapping_sub(n)
    } else {
        n
    };
    if KIND == INS || KIND == OUTS {
        let port = cpu.state.regs[reg::EDX] as u16;
        cpu.io_check(bus, port, n)?;
    }
    let read_count = |cpu: &Cpu| cpu.state.regs[reg::ECX] & amask;
    if rep && read_count(cpu) == 0 {
        return Ok(());
    }
    let mut done = 0;
    loop {
        if rep && (KIND == MOVS || KIND == STOS) {
            let k = cpu.rep_bulk(KIND == MOVS, size, amask, src_seg, REP_CHUNK - done);
            if k > 0 {
                done += k;
                if read_count(cpu) == 0 {
                    return Ok(());
                }
                if done >= REP_CHUNK {
                    cpu.state.eip = cpu.insn_eip;
                    cpu.end_block = true;
                    return Ok(());
                }
                continue;
            }
        }
        match iteration::<KIND>(cpu, bus, size, amask, src_seg) {
            Ok(()) => {}
            Err((e, di_side)) => {
                // The 286 has already stepped the faulting side's index register (and, for
                // some forms, CX) when it notices a segment overrun.
                if cpu.model == crate::CpuModel::I80286 && e.vector() == Some(13) {
                    // Observed on a Harris 80C286: which registers have stepped depends
                    // on the form and on which access overran.
                    let step_si = !di_side || KIND == MOVS;
                    let step_di = di_side || KIND == CMPS;
                    for (r, on) in [(reg::ESI, step_si), (reg::EDI, step_di)] {
                        if on {
                            let v = cpu.state.regs[r];
                            cpu.state.regs[r] = (v & !amask) | (v.wrapping_add(step) & amask);
                        }
                    }
                    let dec = match KIND {
                        STOS | INS | MOVS if di_side => 2,
                        SCAS if di_side => 1,
                        CMPS if di_side => 0,
                        _ => 1,
                    };
                    if rep {
                        let c = read_count(cpu).wrapping_sub(dec) & amask;
                        cpu.state.regs[reg::ECX] = (cpu.state.regs[reg::ECX] & !amask) | c;
                    }
                }
                return Err(e);
            }
        }
        advance::<KIND>(cpu, amask, step);
        if !rep {
            return Ok(());
        }
        let c = read_count(cpu).wrapping_sub(1) & amask;
        cpu.state.regs[reg::ECX] = (cpu.state.regs[reg::ECX] & !amask) | c;
        if c == 0 {
            return Ok(());
        }
        if matches!(KIND, CMPS | SCAS) && cpu.state.flags.zf() == repne {
            return Ok(());
        }
        done += 1;
        if done >= REP_CHUNK {
            // Come back to this instruction after pending events.
            cpu.state.eip = cpu.insn_eip;
            cpu.end_block = true;
            return Ok(());
        }
    }
}

/// Moves SI/DI past one element.
fn advance<const KIND: u8>(cpu: &mut Cpu, amask: u32, step: u32) {
    let upd = |cpu: &mut Cpu, r: usize| {
        let v = cpu.state.regs[r];
        cpu.state.regs[r] = (v & !amask) | (v.wrapping_add(step) & amask);
    };
    if matches!(KIND, MOVS | CMPS | LODS | OUTS) {
        upd(cpu, reg::ESI);
    }
    if matches!(KIND, MOVS | CMPS | SCAS | STOS | INS) {
        upd(cpu, reg::EDI);
    }
}

/// One element of a string instruction (no register updates).
fn iteration<const KIND: u8>(
    cpu: &mut Cpu,
    bus: &mut dyn Bus,
    size: OpSize,
    amask: u32,
    src_seg: SegReg,
) -> Result<(), (crate::Fault, bool)> {
    let w = super::operands::width(size);
    let src = |e| (e, false);
    let dst = |e| (e, true);
    {
        let si = cpu.state.regs[reg::ESI] & amask;
        let di = cpu.state.regs[reg::EDI] & amask;
        let mut compare = None;
        match KIND {
            MOVS => {
                let v = cpu.read_mem(bus, src_seg, si, w).map_err(src)?;
                cpu.write_mem(bus, SegReg::Es, di, w, v).map_err(dst)?;
            }
            CMPS => {
                let a = cpu.read_mem(bus, src_seg, si, w).map_err(src)?;
                let b = cpu.read_mem(bus, SegReg::Es, di, w).map_err(dst)?;
                compare = Some((a, b));
            }
            SCAS => {
                let b = cpu.read_mem(bus, SegReg::Es, di, w).map_err(dst)?;
                compare = Some((cpu.state.regs[reg::EAX] & size.mask(), b));
            }
            LODS => {
                let v = cpu.read_mem(bus, src_seg, si, w).map_err(src)?;
                let loc = match size {
                    OpSize::Byte => super::operands::Loc::Reg8(0),
                    OpSize::Word => super::operands::Loc::Reg16(0),
                    OpSize::Dword => super::operands::Loc::Reg32(0),
                };
                cpu.write_loc(bus, loc, size, v).map_err(src)?;
            }
            STOS => {
                let v = cpu.state.regs[reg::EAX] & size.mask();
                cpu.write_mem(bus, SegReg::Es, di, w, v).map_err(dst)?;
            }
            INS => {
                // Check the destination is writable before the port read has side effects.
                cpu.write_mem(bus, SegReg::Es, di, w, 0).map_err(dst)?;
                let port = cpu.state.regs[reg::EDX] as u16;
                let v = bus.port_read(port, w);
                cpu.chain_break = true;
                cpu.write_mem(bus, SegReg::Es, di, w, v).map_err(dst)?;
            }
            _ => {
                let v = cpu.read_mem(bus, src_seg, si, w).map_err(src)?;
                let port = cpu.state.regs[reg::EDX] as u16;
                bus.port_write(port, w, v);
                cpu.chain_break = true;
                cpu.sync_a20_gate(bus);
            }
        }
        if let Some((a, b)) = compare {
            let r = a.wrapping_sub(b) & size.mask();
            cpu.state.flags.set_lazy(LazyOp::Sub, size, a, b, r);
        }
        Ok(())
    }
}

/// Port I/O: IN and OUT.
pub fn in_(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    let port = if i.op1_kind() == OpKind::Register {
        cpu.state.regs[reg::EDX] as u16
    } else {
        i.immediate(1) as u16
    };
    let n = i.op0_register().size() as u32;
    cpu.io_check(bus, port, n)?;
    let v = bus.port_read(port, Width::from_bytes(n));
    cpu.chain_break = true;
    cpu.set_reg(i.op0_register(), v);
    Ok(())
}

pub fn out(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    let port = if i.op0_kind() == OpKind::Register {
        cpu.state.regs[reg::EDX] as u16
    } else {
        i.immediate(0) as u16
    };
    let r = i.op1_register();
    let n = r.size() as u32;
    if let Some(hc) = cpu.hostcall {
        if port == hc.port {
            let lin = cpu.state.segs[SegReg::Cs as usize]
                .base
                .wrapping_add(cpu.insn_eip);
            let phys = lin & cpu.mem.addr_mask();
            if !cpu.state.paging() && phys >= hc.start && phys < hc.end {
                cpu.pending_exit = Some(crate::RunExit::HostCall(lin));
                cpu.end_block = true;
                return Ok(());
            }
        }
    }
    cpu.io_check(bus, port, n)?;
    let v = cpu.reg_value(r);
    bus.port_write(port, Width::from_bytes(n), v);
    cpu.chain_break = true;
    cpu.sync_a20_gate(bus);
    Ok(())
}

impl Cpu {
    /// Follows the chipset's A20 gate and shadow RAM routing after a port write.
    #[inline]
    pub(crate) fn sync_a20_gate(&mut self, bus: &mut dyn Bus) {
        if let Some(a20) = bus.a20_gate() {
            if a20 != self.state.a20 {
                self.set_a20(a20);
                self.end_block = true;
            }
        }
        if let Some(map) = bus.take_shadow_map() {
            self.mem.set_shadow_map(&map);
            self.end_block = true;
        }
    }

    /// I/O permission: IOPL in protected mode, then the TSS I/O bitmap (always in v86 mode).
    pub fn io_check(&mut self, bus: &mut dyn Bus, port: u16, n: u32) -> GResult<()> {
        if self.host_debug.is_some() {
            self.host_port(port, n);
        }
        if !self.state.pe() {
            return Ok(());
        }
        if !self.state.v86() && self.state.cpl <= self.state.flags.iopl() {
            return Ok(());
        }
        let tr = self.state.tr;
        let fail = crate::fault::Fault::gp(0);
        if tr.access & 0x8 == 0 || tr.limit < 0x67 {
            return Err(fail);
        }
        let base = self.read_sys(bus, tr.base.wrapping_add(0x66), Width::Word)?;
        let byte = base + port as u32 / 8;
        if byte + 1 > tr.limit {
            return Err(fail);
        }
        let bits = self.read_sys(bus, tr.base.wrapping_add(byte), Width::Word)?;
        let mask = ((1u32 << n) - 1) << (port & 7);
        if bits & mask != 0 {
            return Err(fail);
        }
        Ok(())
    }
}
