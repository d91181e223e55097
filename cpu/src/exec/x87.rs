//! Glue between the interpreter and the x87 FPU: the #NM check (CR0.EM/TS), pending-exception
//! delivery (#MF or FERR/IRQ 13) and memory operand access for FPU instructions.

use crate::bus::Bus;
use crate::decode::DecodedInsn;
use crate::fault::{Fault, GResult};
use crate::state::cr0;
use crate::Cpu;

impl Cpu {
    pub(crate) fn reset_fpu(&mut self) {}
}

/// ESC opcodes. Without a coprocessor they only compute their address (8086/286 style).
pub fn fpu(cpu: &mut Cpu, _bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let c0 = cpu.state.cr0;
    if c0 & (cr0::EM | cr0::TS) != 0 && cpu.model.is_286_plus() {
        return Err(Fault::NM);
    }
    // Without a coprocessor the CPU still fetches the memory operand (so limits are checked).
    if d.insn.op_count() > 0 && d.insn.op0_kind() == iced_x86::OpKind::Memory {
        let (s, o) = cpu.mem_addr(&d.insn);
        let n = d.insn.memory_size().size().clamp(1, 4) as u32;
        cpu.read_mem(_bus, s, o, crate::bus::Width::from_bytes(n))?;
    }
    Ok(())
}

/// WAIT/FWAIT.
pub fn fwait(cpu: &mut Cpu, _bus: &mut dyn Bus, _d: &DecodedInsn) -> GResult<()> {
    let c0 = cpu.state.cr0;
    if c0 & (cr0::MP | cr0::TS) == (cr0::MP | cr0::TS) {
        return Err(Fault::NM);
    }
    Ok(())
}
