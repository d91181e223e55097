//! Glue between the interpreter and the x87 FPU: the #NM check (CR0.EM/TS), pending-exception
//! delivery (#MF, or FERR/IRQ 13 when CR0.NE is clear) and memory operand access for FPU
//! instructions. Without a coprocessor, ESC opcodes only fetch their operand.

use super::operands::addr16;
use crate::bus::{Bus, Width};
use crate::decode::DecodedInsn;
use crate::fault::{Fault, GResult};
use crate::flags::bits::{AF, CF, OF, PF, SF, ZF};
use crate::mmu::AccessKind;
use crate::state::{cr0, SegReg};
use crate::x87::{self, Fpu, FpuHost};
use crate::Cpu;
use iced_x86::{MemorySize, OpKind};

impl Cpu {
    pub(crate) fn reset_fpu(&mut self) {
        if let Some(f) = self.fpu.as_mut() {
            f.reset();
        }
    }
}

/// One FPU instruction's view of the machine.
struct Host<'a> {
    cpu: &'a mut Cpu,
    bus: &'a mut dyn Bus,
    seg: SegReg,
    off: u32,
    a16: bool,
    op32: bool,
}

impl Host<'_> {
    fn addr(&self, k: u32) -> u32 {
        let a = self.off.wrapping_add(k);
        if self.a16 {
            a & 0xFFFF
        } else {
            a
        }
    }
}

impl FpuHost for Host<'_> {
    fn read_mem(&mut self, offset: u32, out: &mut [u8]) -> GResult<()> {
        for (k, b) in out.iter_mut().enumerate() {
            let a = self.addr(offset + k as u32);
            *b = self.cpu.read_mem(self.bus, self.seg, a, Width::Byte)? as u8;
        }
        Ok(())
    }

    fn write_mem(&mut self, offset: u32, data: &[u8]) -> GResult<()> {
        // Check every byte can be written before writing any, so a fault changes nothing.
        let user = self.cpu.state.cpl == 3;
        for k in 0..data.len() as u32 {
            let a = self.addr(offset + k);
            let lin = self.cpu.seg_check(self.seg, a, 1, true)?;
            if k == 0 || lin & 0xFFF == 0 {
                self.cpu.translate(self.bus, lin, AccessKind::Write, user)?;
            }
        }
        for (k, b) in data.iter().enumerate() {
            let a = self.addr(offset + k as u32);
            self.cpu
                .write_mem(self.bus, self.seg, a, Width::Byte, *b as u32)?;
        }
        Ok(())
    }

    fn set_ax(&mut self, v: u16) {
        self.cpu.state.set_r16(0, v);
    }

    fn set_zf_pf_cf(&mut self, zf: bool, pf: bool, cf: bool) {
        let v = (zf as u32 * ZF) | (pf as u32 * PF) | (cf as u32 * CF);
        self.cpu
            .state
            .flags
            .set_bits(ZF | PF | CF | OF | SF | AF, v);
    }

    fn eflags(&self) -> u32 {
        self.cpu.state.flags.value()
    }

    fn operand_32bit(&self) -> bool {
        self.op32
    }

    fn protected_mode(&self) -> bool {
        self.cpu.state.protected()
    }

    fn instr_pointer(&self) -> (u16, u32) {
        (
            self.cpu.state.segs[SegReg::Cs as usize].selector,
            self.cpu.insn_eip,
        )
    }

    fn data_pointer(&self) -> (u16, u32) {
        (self.cpu.state.segs[self.seg as usize].selector, self.off)
    }
}

/// Signals a pending unmasked exception: #MF with CR0.NE, else the FERR# line (IRQ 13).
fn pending_error(cpu: &mut Cpu, bus: &mut dyn Bus) -> GResult<()> {
    if cpu.state.cr0 & cr0::NE != 0 {
        Err(Fault::MF)
    } else {
        bus.fpu_error();
        cpu.chain_break = true;
        Ok(())
    }
}

/// ESC opcodes.
pub fn fpu(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    let c0 = cpu.state.cr0;
    if c0 & (cr0::EM | cr0::TS) != 0 && cpu.model.is_286_plus() {
        return Err(Fault::NM);
    }
    let has_mem = i.op_count() > 0 && i.op0_kind() == OpKind::Memory;
    let Some(mut fpu) = cpu.fpu.take() else {
        // No coprocessor: the CPU still fetches the memory operand (so limits are checked).
        if has_mem {
            let (s, o) = cpu.mem_addr(d);
            let n = i.memory_size().size().clamp(1, 4) as u32;
            cpu.read_mem(bus, s, o, Width::from_bytes(n))?;
        }
        return Ok(());
    };
    let r = run(cpu, bus, d, &mut fpu);
    let raise = fpu.error_pending() && r.is_ok();
    cpu.fpu = Some(fpu);
    r?;
    if raise && cpu.state.cr0 & cr0::NE == 0 {
        bus.fpu_error();
        cpu.chain_break = true;
    }
    Ok(())
}

fn run(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn, fpu: &mut Fpu) -> GResult<()> {
    let i = &d.insn;
    if x87::is_waiting(i) && fpu.error_pending() {
        pending_error(cpu, bus)?;
    }
    let has_mem = i.op_count() > 0 && i.op0_kind() == OpKind::Memory;
    let (seg, off) = if has_mem {
        cpu.mem_addr(d)
    } else {
        (SegReg::Ds, 0)
    };
    let op32 = match i.memory_size() {
        MemorySize::FpuEnv28 | MemorySize::FpuState108 => true,
        MemorySize::FpuEnv14 | MemorySize::FpuState94 => false,
        _ => cpu.state.code32(),
    };
    let a16 = has_mem && addr16(i);
    let mut host = Host {
        cpu,
        bus,
        seg,
        off,
        a16,
        op32,
    };
    x87::execute(fpu, i, &mut host)
}

/// WAIT/FWAIT.
pub fn fwait(cpu: &mut Cpu, bus: &mut dyn Bus, _d: &DecodedInsn) -> GResult<()> {
    let c0 = cpu.state.cr0;
    if c0 & (cr0::MP | cr0::TS) == (cr0::MP | cr0::TS) {
        return Err(Fault::NM);
    }
    if cpu.fpu.as_ref().is_some_and(|f| f.error_pending()) {
        pending_error(cpu, bus)?;
    }
    Ok(())
}
