//! Integer arithmetic and logic: ADD/ADC/SUB/SBB/CMP/AND/OR/XOR/TEST, INC/DEC/NEG/NOT,
//! XADD, CMPXCHG, CMPXCHG8B. Results are written before flags so a faulting write leaves the
//! flags untouched.

use crate::bus::{Bus, Width};
use crate::decode::DecodedInsn;
use crate::fault::{Fault, GResult};
use crate::flags::{LazyOp, OpSize};
use crate::state::reg;
use crate::Cpu;

pub const ADD: u8 = 0;
pub const OR: u8 = 1;
pub const ADC: u8 = 2;
pub const SBB: u8 = 3;
pub const AND: u8 = 4;
pub const SUB: u8 = 5;
pub const XOR: u8 = 6;
pub const CMP: u8 = 7;
pub const TEST: u8 = 8;

/// Computes a binary ALU operation: the result and the lazy-flags record to apply.
#[inline]
pub fn alu_compute(op: u8, size: OpSize, a: u32, b: u32, cf: bool) -> (u32, LazyOp) {
    let m = size.mask();
    match op {
        ADD => (a.wrapping_add(b) & m, LazyOp::Add),
        ADC => {
            if cf {
                (a.wrapping_add(b).wrapping_add(1) & m, LazyOp::Adc)
            } else {
                (a.wrapping_add(b) & m, LazyOp::Add)
            }
        }
        SUB | CMP => (a.wrapping_sub(b) & m, LazyOp::Sub),
        SBB => {
            if cf {
                (a.wrapping_sub(b).wrapping_sub(1) & m, LazyOp::Sbb)
            } else {
                (a.wrapping_sub(b) & m, LazyOp::Sub)
            }
        }
        AND | TEST => (a & b, LazyOp::Logic),
        OR => (a | b, LazyOp::Logic),
        _ => (a ^ b, LazyOp::Logic),
    }
}

/// ADD/OR/ADC/SBB/AND/SUB/XOR/CMP/TEST r/m, r/m/imm.
pub fn alu<const OP: u8>(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let size = d.size(0);
    let dst = cpu.loc(d, 0);
    let a = cpu.read_loc(bus, dst, size)?;
    let b = cpu.read_op(bus, d, 1)? & size.mask();
    let (r, lazy) = alu_compute(OP, size, a, b, cpu.state.flags.cf());
    if OP != CMP && OP != TEST {
        cpu.write_loc(bus, dst, size, r)?;
    }
    cpu.state.flags.set_lazy(lazy, size, a, b, r);
    Ok(())
}

/// INC and DEC (CF unchanged).
pub fn incdec<const DEC: bool>(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let size = d.size(0);
    let dst = cpu.loc(d, 0);
    let a = cpu.read_loc(bus, dst, size)?;
    let (r, op) = if DEC {
        (a.wrapping_sub(1) & size.mask(), LazyOp::Sub)
    } else {
        (a.wrapping_add(1) & size.mask(), LazyOp::Add)
    };
    cpu.write_loc(bus, dst, size, r)?;
    cpu.state.flags.set_lazy_keep_cf(op, size, a, 1, r);
    Ok(())
}

pub fn neg(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let size = d.size(0);
    let dst = cpu.loc(d, 0);
    let a = cpu.read_loc(bus, dst, size)?;
    let r = 0u32.wrapping_sub(a) & size.mask();
    cpu.write_loc(bus, dst, size, r)?;
    cpu.state.flags.set_lazy(LazyOp::Sub, size, 0, a, r);
    Ok(())
}

pub fn not(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let size = d.size(0);
    let dst = cpu.loc(d, 0);
    let a = cpu.read_loc(bus, dst, size)?;
    cpu.write_loc(bus, dst, size, !a & size.mask())
}

pub fn xadd(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let size = d.size(0);
    let dst = cpu.loc(d, 0);
    let src = cpu.loc(d, 1);
    let a = cpu.read_loc(bus, dst, size)?;
    let b = cpu.read_loc(bus, src, size)?;
    let r = a.wrapping_add(b) & size.mask();
    cpu.write_loc(bus, dst, size, r)?;
    cpu.write_loc(bus, src, size, a)?;
    if dst == src {
        // When both are the same register the sum wins.
        cpu.write_loc(bus, dst, size, r)?;
    }
    cpu.state.flags.set_lazy(LazyOp::Add, size, a, b, r);
    Ok(())
}

pub fn cmpxchg(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let size = d.size(0);
    let dst = cpu.loc(d, 0);
    let acc = cpu.state.regs[reg::EAX] & size.mask();
    let cur = cpu.read_loc(bus, dst, size)?;
    let src = cpu.read_op(bus, d, 1)?;
    if acc == cur {
        cpu.write_loc(bus, dst, size, src)?;
    } else {
        cpu.write_loc(bus, dst, size, cur)?;
        let loc = match size {
            OpSize::Byte => super::operands::Loc::Reg8(0),
            OpSize::Word => super::operands::Loc::Reg16(0),
            OpSize::Dword => super::operands::Loc::Reg32(0),
        };
        cpu.write_loc(bus, loc, size, cur)?;
    }
    let r = acc.wrapping_sub(cur) & size.mask();
    cpu.state.flags.set_lazy(LazyOp::Sub, size, acc, cur, r);
    Ok(())
}

pub fn cmpxchg8b(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    if i.op0_kind() != iced_x86::OpKind::Memory {
        return Err(Fault::UD);
    }
    let (s, o) = cpu.mem_addr(d);
    let lo = cpu.read_mem(bus, s, o, Width::Dword)?;
    let hi = cpu.read_mem(bus, s, o.wrapping_add(4), Width::Dword)?;
    let r = &cpu.state.regs;
    let equal = lo == r[reg::EAX] && hi == r[reg::EDX];
    if equal {
        let (b, c) = (r[reg::EBX], r[reg::ECX]);
        cpu.write_mem(bus, s, o, Width::Dword, b)?;
        cpu.write_mem(bus, s, o.wrapping_add(4), Width::Dword, c)?;
    } else {
        cpu.write_mem(bus, s, o, Width::Dword, lo)?;
        cpu.write_mem(bus, s, o.wrapping_add(4), Width::Dword, hi)?;
        cpu.state.regs[reg::EAX] = lo;
        cpu.state.regs[reg::EDX] = hi;
    }
    let zf = if equal { crate::flags::bits::ZF } else { 0 };
    cpu.state.flags.set_bits(crate::flags::bits::ZF, zf);
    Ok(())
}
