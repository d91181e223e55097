//! The stack: push/pop primitives (SS:SP or SS:ESP by SS.B), PUSH/POP of registers, memory,
//! immediates and segment registers, PUSHA/POPA, PUSHF/POPF, ENTER/LEAVE.

use super::operands::Loc;
use crate::bus::{Bus, Width};
use crate::decode::DecodedInsn;
use crate::fault::{Fault, GResult};
use crate::flags::bits as fl;
use crate::state::{reg, SegReg};
use crate::Cpu;
use iced_x86::OpKind;

impl Cpu {
    /// Current stack pointer value as an offset (SP or ESP).
    #[inline]
    pub fn sp(&self) -> u32 {
        if self.state.stack32() {
            self.state.regs[reg::ESP]
        } else {
            self.state.regs[reg::ESP] & 0xFFFF
        }
    }

    #[inline]
    pub fn set_sp(&mut self, v: u32) {
        if self.state.stack32() {
            self.state.regs[reg::ESP] = v;
        } else {
            self.state.set_r16(reg::ESP, v as u16);
        }
    }

    /// Offset `delta` from the current SP, wrapped to the stack size.
    #[inline]
    pub fn sp_plus(&self, delta: u32) -> u32 {
        let v = self.sp().wrapping_add(delta);
        if self.state.stack32() {
            v
        } else {
            v & 0xFFFF
        }
    }

    /// Pushes a value of `width` bytes.
    #[inline]
    pub fn push(&mut self, bus: &mut dyn Bus, v: u32, width: Width) -> GResult<()> {
        let sp = self.sp_plus(0u32.wrapping_sub(width.bytes()));
        self.write_mem(bus, SegReg::Ss, sp, width, v)?;
        self.set_sp(sp);
        Ok(())
    }

    /// Pops a value of `width` bytes.
    #[inline]
    pub fn pop(&mut self, bus: &mut dyn Bus, width: Width) -> GResult<u32> {
        let sp = self.sp();
        let v = self.read_mem(bus, SegReg::Ss, sp, width)?;
        self.set_sp(self.sp_plus(width.bytes()));
        Ok(v)
    }

    /// Reads the stack at SP + `off` without popping.
    pub fn peek_stack(&mut self, bus: &mut dyn Bus, off: u32, width: Width) -> GResult<u32> {
        let a = self.sp_plus(off);
        self.read_mem(bus, SegReg::Ss, a, width)
    }
}

/// Width of the instruction's operand size (16 or 32) for stack operations.
#[inline]
pub fn op_width(d: &DecodedInsn) -> Width {
    let i = &d.insn;
    match i.op0_kind() {
        OpKind::Register if i.op0_register().size() == 4 => Width::Dword,
        OpKind::Register if i.op0_register().size() == 2 => Width::Word,
        OpKind::Memory => Width::from_bytes(i.memory_size().size() as u32),
        _ => {
            if i.code().op_code().operand_size() == 32 {
                Width::Dword
            } else {
                Width::Word
            }
        }
    }
}

pub fn push(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    let w = stack_width(d);
    let v = match i.op0_kind() {
        OpKind::Register => {
            let r = i.op0_register();
            if r == iced_x86::Register::SP && !cpu.model.is_286_plus() {
                // The 8086 pushes the already decremented SP.
                cpu.sp().wrapping_sub(2) & 0xFFFF
            } else {
                cpu.reg_value(r)
            }
        }
        OpKind::Memory => {
            let (s, o) = cpu.mem_addr(d);
            cpu.read_mem(bus, s, o, w)?
        }
        _ => i.immediate(0) as u32,
    };
    cpu.push(bus, v, w)
}

/// Stack width of PUSH/POP: from the operand, or the code's operand size for immediates and
/// segment registers.
fn stack_width(d: &DecodedInsn) -> Width {
    use iced_x86::Code as C;
    match d.insn.code() {
        C::Pushw_imm8
        | C::Push_imm16
        | C::Pushw_ES
        | C::Pushw_CS
        | C::Pushw_SS
        | C::Pushw_DS
        | C::Pushw_FS
        | C::Pushw_GS
        | C::Popw_ES
        | C::Popw_CS
        | C::Popw_SS
        | C::Popw_DS
        | C::Popw_FS
        | C::Popw_GS => Width::Word,
        C::Pushd_imm8
        | C::Pushd_imm32
        | C::Pushd_ES
        | C::Pushd_CS
        | C::Pushd_SS
        | C::Pushd_DS
        | C::Pushd_FS
        | C::Pushd_GS
        | C::Popd_ES
        | C::Popd_SS
        | C::Popd_DS
        | C::Popd_FS
        | C::Popd_GS => Width::Dword,
        _ => op_width(d),
    }
}

pub fn pop(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    let w = stack_width(d);
    if i.op0_kind() == OpKind::Register && i.op0_register().is_segment_register() {
        let v = cpu.peek_stack(bus, 0, w)? as u16;
        let seg = super::operands::seg_of(i.op0_register());
        if seg == SegReg::Cs {
            if cpu.model.is_286_plus() {
                return Err(Fault::UD);
            }
            cpu.load_seg_real(SegReg::Cs, v);
            cpu.end_block = true;
        } else {
            cpu.load_seg(bus, seg, v)?;
        }
        cpu.set_sp(cpu.sp_plus(w.bytes()));
        if seg == SegReg::Ss {
            cpu.state.inhibit_irq = true;
            cpu.end_block = true;
        }
        return Ok(());
    }
    let v = cpu.peek_stack(bus, 0, w)?;
    let old_sp = cpu.state.regs[reg::ESP];
    cpu.set_sp(cpu.sp_plus(w.bytes()));
    // POP [mem] computes its address after ESP is incremented.
    let size = crate::flags::OpSize::from_bytes(w.bytes());
    let loc = cpu.loc(d, 0);
    if let Err(e) = cpu.write_loc(bus, loc, size, v) {
        // The 286 leaves SP incremented when the store faults.
        if cpu.model != crate::CpuModel::I80286 {
            cpu.state.regs[reg::ESP] = old_sp;
        }
        return Err(e);
    }
    Ok(())
}

/// 8086 0x0F: POP CS.
pub fn pop_cs_8086(cpu: &mut Cpu, bus: &mut dyn Bus, _d: &DecodedInsn) -> GResult<()> {
    let v = cpu.pop(bus, Width::Word)? as u16;
    cpu.load_seg_real(SegReg::Cs, v);
    cpu.end_block = true;
    Ok(())
}

pub fn pusha(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let w = if d.insn.mnemonic() == iced_x86::Mnemonic::Pushad {
        Width::Dword
    } else {
        Width::Word
    };
    let n = w.bytes();
    let regs = cpu.state.regs;
    let start = cpu.sp();
    // Check the lowest address first so a fault leaves everything unchanged.
    for (k, r) in regs.iter().enumerate() {
        let a = cpu.sp_plus(0u32.wrapping_sub(n * (k as u32 + 1)));
        cpu.write_mem(bus, SegReg::Ss, a, w, *r)?;
    }
    cpu.set_sp(start);
    cpu.set_sp(cpu.sp_plus(0u32.wrapping_sub(8 * n)));
    Ok(())
}

pub fn popa(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let w = if d.insn.mnemonic() == iced_x86::Mnemonic::Popad {
        Width::Dword
    } else {
        Width::Word
    };
    let n = w.bytes();
    let mut vals = [0u32; 8];
    for (k, v) in vals.iter_mut().enumerate() {
        *v = cpu.peek_stack(bus, n * (7 - k as u32), w)?;
    }
    for (k, v) in vals.iter().enumerate() {
        if k == reg::ESP {
            continue;
        }
        if w == Width::Dword {
            cpu.state.regs[k] = *v;
        } else {
            cpu.state.set_r16(k, *v as u16);
        }
    }
    cpu.set_sp(cpu.sp_plus(8 * n));
    Ok(())
}

pub fn pushf(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let op32 = d.insn.mnemonic() == iced_x86::Mnemonic::Pushfd;
    if cpu.state.v86() && cpu.state.flags.iopl() < 3 {
        if !op32 && cpu.vme_virtual_if() {
            return cpu.push(bus, cpu.vme_flags_image(), Width::Word);
        }
        return Err(Fault::gp(0));
    }
    let mut v = cpu.flags_image();
    if op32 {
        v &= !(fl::VM | fl::RF);
        cpu.push(bus, v, Width::Dword)
    } else {
        cpu.push(bus, v & 0xFFFF, Width::Word)
    }
}

pub fn popf(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let op32 = d.insn.mnemonic() == iced_x86::Mnemonic::Popfd;
    if cpu.state.v86() && cpu.state.flags.iopl() < 3 {
        if !op32 && cpu.vme_virtual_if() {
            let v = cpu.peek_stack(bus, 0, Width::Word)?;
            cpu.vme_load_flags(v)?;
            cpu.set_sp(cpu.sp_plus(2));
            cpu.end_block = true;
            return Ok(());
        }
        return Err(Fault::gp(0));
    }
    let w = if op32 { Width::Dword } else { Width::Word };
    let v = cpu.pop(bus, w)?;
    cpu.set_flags_popf(v, op32);
    cpu.end_block = true;
    Ok(())
}

pub fn enter(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    let size = i.immediate(0) as u32 & 0xFFFF;
    let level = (i.immediate(1) as u32) & 0x1F;
    let w = op_width(d);
    let n = w.bytes();
    let saved = cpu.state.regs;
    let r = (|| {
        let bp = cpu.state.regs[reg::EBP];
        cpu.push(bus, bp, w)?;
        let frame = cpu.sp();
        if level > 0 {
            let mut bpv = if cpu.state.stack32() { bp } else { bp & 0xFFFF };
            for _ in 1..level {
                bpv = if cpu.state.stack32() {
                    bpv.wrapping_sub(n)
                } else {
                    bpv.wrapping_sub(n) & 0xFFFF
                };
                let v = cpu.read_mem(bus, SegReg::Ss, bpv, w)?;
                cpu.push(bus, v, w)?;
            }
            cpu.push(bus, frame, w)?;
        }
        let new_sp = cpu.sp_plus(0u32.wrapping_sub(size));
        // The new stack top must be writable.
        cpu.write_mem(bus, SegReg::Ss, new_sp, Width::Byte, 0).ok();
        if w == Width::Dword {
            cpu.state.regs[reg::EBP] = frame;
        } else {
            cpu.state.set_r16(reg::EBP, frame as u16);
        }
        cpu.set_sp(new_sp);
        Ok(())
    })();
    if r.is_err() {
        cpu.state.regs = saved;
    }
    r
}

pub fn leave(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let w = op_width(d);
    let bp = if cpu.state.stack32() {
        cpu.state.regs[reg::EBP]
    } else {
        cpu.state.regs[reg::EBP] & 0xFFFF
    };
    let v = cpu.read_mem(bus, SegReg::Ss, bp, w)?;
    cpu.set_sp(bp);
    cpu.set_sp(cpu.sp_plus(w.bytes()));
    let loc = if w == Width::Dword {
        Loc::Reg32(reg::EBP as u8)
    } else {
        Loc::Reg16(reg::EBP as u8)
    };
    cpu.write_loc(bus, loc, crate::flags::OpSize::from_bytes(w.bytes()), v)
}
