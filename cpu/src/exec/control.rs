//! Near control transfers (JMP, Jcc, JCXZ, LOOPcc, CALL, RET), software interrupts (INT, INT3,
//! INTO, INT1), real-mode IRET and HLT.

use super::stack::op_width;
use crate::bus::{Bus, Width};
use crate::decode::DecodedInsn;
use crate::fault::{vector, Fault, GResult};
use crate::interrupt::IntKind;
use crate::state::{reg, SegReg};
use crate::Cpu;
use iced_x86::{Code, Instruction, OpKind};

/// Target of a relative branch, relative to where this copy of the code actually runs.
#[inline]
fn rel_target(cpu: &Cpu, i: &Instruction) -> u32 {
    let delta = i.near_branch_target().wrapping_sub(i.next_ip()) as u32;
    let t = cpu.state.eip.wrapping_add(delta);
    if i.op0_kind() == OpKind::NearBranch16 {
        t & 0xFFFF
    } else {
        t
    }
}

impl Cpu {
    /// Jumps within the current code segment, checking the limit.
    #[inline]
    pub fn jump_near(&mut self, target: u32) -> GResult<()> {
        if self.model.is_286_plus() && target > self.state.segs[SegReg::Cs as usize].limit {
            return Err(Fault::gp(0));
        }
        self.state.eip = target;
        Ok(())
    }
}

pub fn jmp(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    match i.op0_kind() {
        OpKind::NearBranch16 | OpKind::NearBranch32 => {
            let t = rel_target(cpu, i);
            cpu.jump_near(t)
        }
        OpKind::FarBranch16 | OpKind::FarBranch32 => {
            let sel = i.far_branch_selector();
            let off = if i.op0_kind() == OpKind::FarBranch16 {
                i.far_branch16() as u32
            } else {
                i.far_branch32()
            };
            cpu.far_jump(bus, sel, off, i.op0_kind() == OpKind::FarBranch32)
        }
        _ if i.memory_size().is_packed() || is_far_mem(i) => {
            let op32 = i.memory_size().size() == 6;
            let (off, sel) = super::bits::read_far_ptr(cpu, bus, d, op32)?;
            cpu.far_jump(bus, sel, off, op32)
        }
        _ => {
            let t = cpu.read_op(bus, d, 0)?;
            cpu.jump_near(t)
        }
    }
}

/// JMP/CALL m16:16 or m16:32.
fn is_far_mem(i: &Instruction) -> bool {
    matches!(
        i.code(),
        Code::Jmp_m1616 | Code::Jmp_m1632 | Code::Call_m1616 | Code::Call_m1632
    )
}

pub fn jcc(cpu: &mut Cpu, _: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    if cpu.state.flags.cond(super::bits::cc_of(i)) {
        let t = rel_target(cpu, i);
        cpu.jump_near(t)?;
    }
    Ok(())
}

/// Whether a LOOP/JCXZ instruction counts in ECX (32-bit address size).
fn counter32(code: Code) -> bool {
    matches!(
        code,
        Code::Jecxz_rel8_16
            | Code::Jecxz_rel8_32
            | Code::Loop_rel8_16_ECX
            | Code::Loop_rel8_32_ECX
            | Code::Loope_rel8_16_ECX
            | Code::Loope_rel8_32_ECX
            | Code::Loopne_rel8_16_ECX
            | Code::Loopne_rel8_32_ECX
    )
}

pub fn jcxz(cpu: &mut Cpu, _: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    let c = if counter32(i.code()) {
        cpu.state.regs[reg::ECX]
    } else {
        cpu.state.regs[reg::ECX] & 0xFFFF
    };
    if c == 0 {
        let t = rel_target(cpu, i);
        cpu.jump_near(t)?;
    }
    Ok(())
}

/// LOOP (0), LOOPE (1), LOOPNE (2).
pub fn loop_<const KIND: u8>(cpu: &mut Cpu, _: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    let c = if counter32(i.code()) {
        let v = cpu.state.regs[reg::ECX].wrapping_sub(1);
        cpu.state.regs[reg::ECX] = v;
        v
    } else {
        let v = cpu.state.r16(reg::ECX).wrapping_sub(1);
        cpu.state.set_r16(reg::ECX, v);
        v as u32
    };
    let take = c != 0
        && match KIND {
            1 => cpu.state.flags.zf(),
            2 => !cpu.state.flags.zf(),
            _ => true,
        };
    if take {
        let t = rel_target(cpu, i);
        cpu.jump_near(t)?;
    }
    Ok(())
}

pub fn call(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    match i.op0_kind() {
        OpKind::NearBranch16 | OpKind::NearBranch32 => {
            let t = rel_target(cpu, i);
            let w = if i.op0_kind() == OpKind::NearBranch32 {
                Width::Dword
            } else {
                Width::Word
            };
            if cpu.model.is_286_plus() && t > cpu.state.segs[SegReg::Cs as usize].limit {
                return Err(Fault::gp(0));
            }
            cpu.push(bus, cpu.state.eip, w)?;
            cpu.state.eip = t;
            Ok(())
        }
        OpKind::FarBranch16 | OpKind::FarBranch32 => {
            let sel = i.far_branch_selector();
            let op32 = i.op0_kind() == OpKind::FarBranch32;
            let off = if op32 {
                i.far_branch32()
            } else {
                i.far_branch16() as u32
            };
            cpu.far_call(bus, sel, off, op32)
        }
        _ if is_far_mem(i) => {
            let op32 = i.code() == Code::Call_m1632;
            let (off, sel) = super::bits::read_far_ptr(cpu, bus, d, op32)?;
            cpu.far_call(bus, sel, off, op32)
        }
        _ => {
            let w = op_width(d);
            let t = cpu.read_op(bus, d, 0)?;
            if cpu.model.is_286_plus() && t > cpu.state.segs[SegReg::Cs as usize].limit {
                return Err(Fault::gp(0));
            }
            cpu.push(bus, cpu.state.eip, w)?;
            cpu.state.eip = t;
            Ok(())
        }
    }
}

pub fn ret(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    let w = if matches!(i.code(), Code::Retnd | Code::Retnd_imm16) {
        Width::Dword
    } else {
        Width::Word
    };
    let t = cpu.peek_stack(bus, 0, w)?;
    if cpu.model.is_286_plus() && t > cpu.state.segs[SegReg::Cs as usize].limit {
        return Err(Fault::gp(0));
    }
    let imm = if i.op_count() > 0 {
        i.immediate(0) as u32 & 0xFFFF
    } else {
        0
    };
    cpu.set_sp(cpu.sp_plus(w.bytes() + imm));
    cpu.state.eip = t;
    Ok(())
}

pub fn retf(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    let op32 = matches!(i.code(), Code::Retfd | Code::Retfd_imm16);
    let imm = if i.op_count() > 0 {
        i.immediate(0) as u32 & 0xFFFF
    } else {
        0
    };
    cpu.far_return(bus, op32, imm)
}

pub fn int(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let v = d.insn.immediate(0) as u8;
    // Only INT n is IOPL-sensitive in v86 mode (INT3 and INTO go to the IDT); with CR4.VME
    // the redirection bitmap may send it to the v86 task's own IVT first.
    if cpu.state.v86() {
        if cpu.vme_redirect_int(bus, v)? {
            cpu.counters.interrupts += 1;
            return Ok(());
        }
        if cpu.state.flags.iopl() < 3 {
            return Err(Fault::gp(0));
        }
    }
    cpu.counters.interrupts += 1;
    cpu.interrupt(bus, v, IntKind::Software, None)
}

pub fn int3(cpu: &mut Cpu, bus: &mut dyn Bus, _: &DecodedInsn) -> GResult<()> {
    cpu.last_exception = Some((vector::BP, None));
    cpu.interrupt(bus, vector::BP, IntKind::Software, None)
}

pub fn int1(cpu: &mut Cpu, bus: &mut dyn Bus, _: &DecodedInsn) -> GResult<()> {
    cpu.interrupt(bus, vector::DB, IntKind::External, None)
}

pub fn into(cpu: &mut Cpu, bus: &mut dyn Bus, _: &DecodedInsn) -> GResult<()> {
    if cpu.state.flags.of() {
        cpu.last_exception = Some((vector::OF, None));
        cpu.interrupt(bus, vector::OF, IntKind::Software, None)?;
    }
    Ok(())
}

pub fn iret(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let op32 = d.insn.code() == Code::Iretd;
    if cpu.state.pe() {
        return cpu.iret_protected(bus, op32);
    }
    let w = if op32 { Width::Dword } else { Width::Word };
    let ip = cpu.peek_stack(bus, 0, w)?;
    let cs = cpu.peek_stack(bus, w.bytes(), w)? as u16;
    let fl = cpu.peek_stack(bus, 2 * w.bytes(), w)?;
    if cpu.model.is_286_plus() && ip > 0xFFFF && !op32 {
        return Err(Fault::gp(0));
    }
    cpu.set_sp(cpu.sp_plus(3 * w.bytes()));
    cpu.load_seg_real(SegReg::Cs, cs);
    cpu.state.eip = ip;
    if op32 {
        let keep = cpu.flags_image()
            & (crate::flags::bits::VM | crate::flags::bits::VIF | crate::flags::bits::VIP);
        cpu.set_flags_raw(
            (fl & !(crate::flags::bits::VM | crate::flags::bits::VIF | crate::flags::bits::VIP))
                | keep,
        );
    } else {
        cpu.set_flags_popf(fl, false);
        // IRET in real mode may always change IF.
        let iflag = fl & crate::flags::bits::IF;
        cpu.state.flags.bits = (cpu.state.flags.bits & !crate::flags::bits::IF) | iflag;
    }
    cpu.end_block = true;
    Ok(())
}

pub fn hlt(cpu: &mut Cpu, _: &mut dyn Bus, _: &DecodedInsn) -> GResult<()> {
    if cpu.state.pe() && cpu.state.cpl != 0 {
        return Err(Fault::gp(0));
    }
    cpu.state.halted = true;
    cpu.end_block = true;
    Ok(())
}
