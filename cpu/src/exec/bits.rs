//! Bit operations: BT/BTS/BTR/BTC, BSF/BSR, BSWAP, SETcc and CMOVcc.

use crate::bus::{Bus, Width};
use crate::decode::DecodedInsn;
use crate::fault::GResult;
use crate::flags::bits::{CF, ZF};
use crate::flags::OpSize;
use crate::Cpu;
use iced_x86::OpKind;

pub const BT: u8 = 0;
pub const BTS: u8 = 1;
pub const BTR: u8 = 2;
pub const BTC: u8 = 3;

pub fn bt<const OP: u8>(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    let size = d.size(0);
    let bits = size.bits();
    let off = cpu.read_op(bus, d, 1)?;
    let (loc, bit) = if i.op0_kind() == OpKind::Memory && i.op1_kind() == OpKind::Register {
        // A register bit offset addresses memory beyond the operand (signed).
        let soff = if size == OpSize::Word {
            off as u16 as i16 as i32
        } else {
            off as i32
        };
        let (s, o) = cpu.mem_addr(d);
        let byte_off = (soff >> (if size == OpSize::Word { 4 } else { 5 })) * (bits as i32 / 8);
        let mut a = o.wrapping_add(byte_off as u32);
        if super::operands::addr16(i) {
            a &= 0xFFFF;
        }
        (super::operands::Loc::Mem(s, a), (soff as u32) & (bits - 1))
    } else {
        (cpu.loc(d, 0), off & (bits - 1))
    };
    let v = cpu.read_loc(bus, loc, size)?;
    let cf = (v >> bit) & 1;
    let nv = match OP {
        BTS => v | 1 << bit,
        BTR => v & !(1 << bit),
        BTC => v ^ 1 << bit,
        _ => v,
    };
    if OP != BT {
        cpu.write_loc(bus, loc, size, nv)?;
    }
    cpu.state.flags.set_bits(CF, cf);
    Ok(())
}

pub fn bsf<const REVERSE: bool>(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let size = d.size(0);
    let v = cpu.read_op(bus, d, 1)? & size.mask();
    if v == 0 {
        cpu.state.flags.set_bits(ZF, ZF);
        return Ok(());
    }
    let idx = if REVERSE {
        31 - v.leading_zeros()
    } else {
        v.trailing_zeros()
    };
    cpu.write_op(bus, d, 0, idx)?;
    cpu.state.flags.set_bits(ZF, 0);
    Ok(())
}

pub fn bswap(cpu: &mut Cpu, _bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let r = d.insn.op0_register();
    let v = cpu.reg_value(r);
    if r.size() == 2 {
        // Undefined for 16-bit operands; real CPUs clear the register.
        cpu.set_reg(r, 0);
    } else {
        cpu.set_reg(r, v.swap_bytes());
    }
    Ok(())
}

/// Condition code of a SETcc/CMOVcc/Jcc instruction.
#[inline]
pub fn cc_of(i: &iced_x86::Instruction) -> u8 {
    use iced_x86::ConditionCode as C;
    match i.condition_code() {
        C::o => 0,
        C::no => 1,
        C::b => 2,
        C::ae => 3,
        C::e => 4,
        C::ne => 5,
        C::be => 6,
        C::a => 7,
        C::s => 8,
        C::ns => 9,
        C::p => 10,
        C::np => 11,
        C::l => 12,
        C::ge => 13,
        C::le => 14,
        C::g => 15,
        C::None => 0,
    }
}

pub fn setcc(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let v = cpu.state.flags.cond(cc_of(&d.insn)) as u32;
    cpu.write_op(bus, d, 0, v)
}

pub fn cmovcc(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    let v = cpu.read_op(bus, d, 1)?;
    if cpu.state.flags.cond(cc_of(i)) {
        cpu.write_op(bus, d, 0, v)?;
    }
    Ok(())
}

/// Reads a memory word pair (offset, selector) for far pointers: returns (offset, selector).
pub fn read_far_ptr(
    cpu: &mut Cpu,
    bus: &mut dyn Bus,
    d: &DecodedInsn,
    op32: bool,
) -> GResult<(u32, u16)> {
    let (s, o) = cpu.mem_addr(d);
    let (off, sel_at) = if op32 {
        (cpu.read_mem(bus, s, o, Width::Dword)?, 4)
    } else {
        (cpu.read_mem(bus, s, o, Width::Word)?, 2)
    };
    let mut sel_off = o.wrapping_add(sel_at);
    if super::operands::addr16(&d.insn) {
        sel_off &= 0xFFFF;
    }
    let sel = cpu.read_mem(bus, s, sel_off, Width::Word)? as u16;
    Ok((off, sel))
}
