//! Data movement: MOV (general and segment registers), MOVZX/MOVSX, XCHG, LEA, LDS/LES/LFS/LGS/
//! LSS, XLAT, CBW/CWDE/CWD/CDQ, BOUND and NOP.

use super::operands::{seg_of, Loc};
use crate::bus::{Bus, Width};
use crate::decode::DecodedInsn;
use crate::fault::{Fault, GResult};
use crate::flags::OpSize;
use crate::state::{reg, SegReg};
use crate::Cpu;
use iced_x86::{Mnemonic, OpKind};

pub fn mov(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    if i.op0_kind() == OpKind::Register && i.op0_register().is_segment_register() {
        let seg = seg_of(i.op0_register());
        if seg == SegReg::Cs && cpu.model.is_286_plus() {
            return Err(Fault::UD);
        }
        let v = cpu.read_op(bus, d, 1)? as u16;
        if seg == SegReg::Cs {
            cpu.load_seg_real(SegReg::Cs, v);
            cpu.end_block = true;
            return Ok(());
        }
        cpu.load_seg(bus, seg, v)?;
        if seg == SegReg::Ss {
            cpu.state.inhibit_irq = true;
            cpu.end_block = true;
        }
        return Ok(());
    }
    if i.op1_kind() == OpKind::Register && i.op1_register().is_segment_register() {
        let v = cpu.reg_value(i.op1_register());
        if i.op0_kind() == OpKind::Memory {
            let (s, o) = cpu.mem_addr(d);
            return cpu.write_mem(bus, s, o, Width::Word, v);
        }
        // A 32-bit register destination gets the selector zero-extended.
        let r = i.op0_register();
        cpu.set_reg(r, v);
        return Ok(());
    }
    let v = cpu.read_op(bus, d, 1)?;
    cpu.write_op(bus, d, 0, v)
}

pub fn movx<const SIGNED: bool>(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let src_size = d.size(1);
    let v = cpu.read_op(bus, d, 1)?;
    let v = if SIGNED {
        match src_size {
            OpSize::Byte => v as u8 as i8 as i32 as u32,
            OpSize::Word => v as u16 as i16 as i32 as u32,
            OpSize::Dword => v,
        }
    } else {
        v
    };
    cpu.write_op(bus, d, 0, v)
}

pub fn xchg(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let size = d.size(0);
    let a_loc = cpu.loc(d, 0);
    let b_loc = cpu.loc(d, 1);
    let a = cpu.read_loc(bus, a_loc, size)?;
    let b = cpu.read_loc(bus, b_loc, size)?;
    // Memory (if any) first so a fault leaves registers alone.
    if matches!(b_loc, Loc::Mem(..)) {
        cpu.write_loc(bus, b_loc, size, a)?;
        cpu.write_loc(bus, a_loc, size, b)
    } else {
        cpu.write_loc(bus, a_loc, size, b)?;
        cpu.write_loc(bus, b_loc, size, a)
    }
}

pub fn lea(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    if i.op1_kind() != OpKind::Memory {
        return Err(Fault::UD);
    }
    let a = cpu.ea(i);
    cpu.write_op(bus, d, 0, a)
}

/// LDS, LES, LFS, LGS, LSS.
pub fn lxs(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    if i.op1_kind() != OpKind::Memory {
        return Err(Fault::UD);
    }
    let op32 = i.op0_register().size() == 4;
    let (off, sel) = super::bits::read_far_ptr(cpu, bus, d, op32)?;
    let seg = match i.mnemonic() {
        Mnemonic::Lds => SegReg::Ds,
        Mnemonic::Les => SegReg::Es,
        Mnemonic::Lfs => SegReg::Fs,
        Mnemonic::Lgs => SegReg::Gs,
        _ => SegReg::Ss,
    };
    cpu.load_seg(bus, seg, sel)?;
    cpu.set_reg(i.op0_register(), off);
    if seg == SegReg::Ss {
        cpu.end_block = true;
    }
    Ok(())
}

pub fn xlat(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    let seg = seg_of(i.memory_segment());
    let al = cpu.state.r8(0) as u32;
    let a = if i.memory_base() == iced_x86::Register::EBX {
        cpu.state.regs[reg::EBX].wrapping_add(al)
    } else {
        (cpu.state.regs[reg::EBX].wrapping_add(al)) & 0xFFFF
    };
    let v = cpu.read8(bus, seg, a)?;
    cpu.state.set_r8(0, v);
    Ok(())
}

pub fn cbw(cpu: &mut Cpu, _: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let r = &mut cpu.state;
    match d.insn.mnemonic() {
        Mnemonic::Cbw => {
            let v = r.r8(0) as i8 as i16 as u16;
            r.set_r16(reg::EAX, v);
        }
        Mnemonic::Cwde => r.regs[reg::EAX] = r.regs[reg::EAX] as u16 as i16 as i32 as u32,
        Mnemonic::Cwd => {
            let v = if r.regs[reg::EAX] & 0x8000 != 0 {
                0xFFFF
            } else {
                0
            };
            r.set_r16(reg::EDX, v);
        }
        _ => {
            r.regs[reg::EDX] = if r.regs[reg::EAX] & 0x8000_0000 != 0 {
                0xFFFF_FFFF
            } else {
                0
            }
        }
    }
    Ok(())
}

pub fn bound(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    if i.op1_kind() != OpKind::Memory {
        return Err(Fault::UD);
    }
    let r = i.op0_register();
    let w = if r.size() == 4 {
        Width::Dword
    } else {
        Width::Word
    };
    let (s, o) = cpu.mem_addr(d);
    let lo = cpu.read_mem(bus, s, o, w)?;
    let hi = cpu.read_mem(bus, s, o.wrapping_add(w.bytes()), w)?;
    let v = cpu.reg_value(r);
    let (v, lo, hi) = if w == Width::Word {
        (
            v as u16 as i16 as i32,
            lo as u16 as i16 as i32,
            hi as u16 as i16 as i32,
        )
    } else {
        (v as i32, lo as i32, hi as i32)
    };
    if v < lo || v > hi {
        return Err(Fault::BR);
    }
    Ok(())
}

pub fn nop(_: &mut Cpu, _: &mut dyn Bus, _: &DecodedInsn) -> GResult<()> {
    Ok(())
}

/// NOP forms with a memory operand (0F 1F /0, ESC on FPU-less CPUs) still compute the address.
pub fn nop_mem(cpu: &mut Cpu, _: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let _ = cpu.ea(&d.insn);
    Ok(())
}
