//! Operand access for handlers: effective addresses, register and memory locations, sized reads
//! and writes of an instruction's operands.

use crate::bus::{Bus, Width};
use crate::decode::cache::{DecodedInsn, OpFast, NO_REG};
use crate::decode::regs::{reg_loc, RegLoc};
use crate::fault::{Fault, GResult};
use crate::flags::OpSize;
use crate::state::SegReg;
use crate::Cpu;
use iced_x86::{Instruction, OpKind, Register};

/// Where an operand lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loc {
    Reg8(u8),
    Reg16(u8),
    Reg32(u8),
    Mem(SegReg, u32),
    Imm(u32),
}

/// Converts an OpSize to a bus width.
#[inline]
pub fn width(size: OpSize) -> Width {
    match size {
        OpSize::Byte => Width::Byte,
        OpSize::Word => Width::Word,
        OpSize::Dword => Width::Dword,
    }
}

/// Segment register of an iced segment register.
#[inline]
pub fn seg_of(r: Register) -> SegReg {
    SegReg::from_index(r.number())
}

/// True when the memory operand uses 16-bit addressing.
#[inline]
pub fn addr16(i: &Instruction) -> bool {
    let b = i.memory_base();
    let x = i.memory_index();
    if b != Register::None {
        return b.is_gpr16();
    }
    if x != Register::None {
        return x.is_gpr16();
    }
    i.memory_displ_size() == 2
}

impl Cpu {
    /// Value of a general register given as an iced register (any size).
    #[inline]
    pub fn reg_value(&self, r: Register) -> u32 {
        match reg_loc(r) {
            RegLoc::R8(n) => self.state.r8(n as usize) as u32,
            RegLoc::R16(n) => self.state.regs[n as usize] & 0xFFFF,
            RegLoc::R32(n) => self.state.regs[n as usize],
            RegLoc::Seg(n) => self.state.segs[n as usize].selector as u32,
            _ => 0,
        }
    }

    /// Effective address (offset) of the instruction's memory operand.
    #[inline]
    pub fn ea(&self, i: &Instruction) -> u32 {
        let mut a = i.memory_displacement32();
        let b = i.memory_base();
        if b != Register::None {
            a = a.wrapping_add(self.reg_value(b));
        }
        let x = i.memory_index();
        if x != Register::None {
            a = a.wrapping_add(self.reg_value(x).wrapping_mul(i.memory_index_scale()));
        }
        if addr16(i) {
            a & 0xFFFF
        } else {
            a
        }
    }

    /// Segment and offset of the memory operand.
    #[inline]
    pub fn mem_addr(&self, d: &DecodedInsn) -> (SegReg, u32) {
        let m = &d.mem;
        if m.base == NO_REG && m.index == NO_REG && d.ops.iter().all(|o| *o != OpFast::Mem) {
            return self.mem_addr_slow(&d.insn);
        }
        let r = &self.state.regs;
        let mut a = m.disp;
        if m.base != NO_REG {
            a = a.wrapping_add(r[m.base as usize]);
        }
        if m.index != NO_REG {
            a = a.wrapping_add(r[m.index as usize] << m.scale);
        }
        if m.a16 {
            a &= 0xFFFF;
        }
        (SegReg::from_index(m.seg as usize), a)
    }

    /// Segment and offset of the memory operand, asking iced.
    #[inline]
    pub fn mem_addr_slow(&self, i: &Instruction) -> (SegReg, u32) {
        (seg_of(i.memory_segment()), self.ea(i))
    }

    /// Location of operand `op`.
    #[inline]
    pub fn loc(&self, d: &DecodedInsn, op: u32) -> Loc {
        match d.ops[op as usize] {
            OpFast::R8(n) => Loc::Reg8(n),
            OpFast::R16(n) => Loc::Reg16(n),
            OpFast::R32(n) => Loc::Reg32(n),
            OpFast::Imm(v) => Loc::Imm(v),
            OpFast::Mem => {
                let (s, o) = self.mem_addr(d);
                Loc::Mem(s, o)
            }
            OpFast::Slow => self.loc_slow(&d.insn, op),
        }
    }

    /// Location of operand `op`, asking iced.
    pub fn loc_slow(&self, i: &Instruction, op: u32) -> Loc {
        match i.op_kind(op) {
            OpKind::Register => match reg_loc(i.op_register(op)) {
                RegLoc::R8(n) => Loc::Reg8(n),
                RegLoc::R16(n) => Loc::Reg16(n),
                RegLoc::R32(n) => Loc::Reg32(n),
                _ => Loc::Imm(0),
            },
            OpKind::Memory => {
                let (s, o) = self.mem_addr_slow(i);
                Loc::Mem(s, o)
            }
            _ => Loc::Imm(i.immediate(op) as u32),
        }
    }

    /// Size of operand `op` (register size, memory size, or operand 0's size for immediates).
    #[inline]
    pub fn op_size(i: &Instruction, op: u32) -> OpSize {
        match i.op_kind(op) {
            OpKind::Register => OpSize::from_bytes(i.op_register(op).size() as u32),
            OpKind::Memory => OpSize::from_bytes(i.memory_size().size() as u32),
            _ => {
                if op == 0 {
                    OpSize::Word
                } else {
                    Self::op_size(i, 0)
                }
            }
        }
    }

    #[inline]
    pub fn read_loc(&mut self, bus: &mut dyn Bus, loc: Loc, size: OpSize) -> GResult<u32> {
        Ok(match loc {
            Loc::Reg8(n) => self.state.r8(n as usize) as u32,
            Loc::Reg16(n) => self.state.regs[n as usize] & 0xFFFF,
            Loc::Reg32(n) => self.state.regs[n as usize],
            Loc::Mem(s, o) => self.read_mem(bus, s, o, width(size))?,
            Loc::Imm(v) => v & size.mask(),
        })
    }

    #[inline]
    pub fn write_loc(&mut self, bus: &mut dyn Bus, loc: Loc, size: OpSize, v: u32) -> GResult<()> {
        match loc {
            Loc::Reg8(n) => self.state.set_r8(n as usize, v as u8),
            Loc::Reg16(n) => self.state.set_r16(n as usize, v as u16),
            Loc::Reg32(n) => self.state.regs[n as usize] = v,
            Loc::Mem(s, o) => self.write_mem(bus, s, o, width(size), v)?,
            Loc::Imm(_) => return Err(Fault::UD),
        }
        Ok(())
    }

    /// Reads operand `op` of the instruction.
    #[inline]
    pub fn read_op(&mut self, bus: &mut dyn Bus, d: &DecodedInsn, op: u32) -> GResult<u32> {
        let loc = self.loc(d, op);
        self.read_loc(bus, loc, d.size(op))
    }

    /// Writes operand `op` of the instruction.
    #[inline]
    pub fn write_op(&mut self, bus: &mut dyn Bus, d: &DecodedInsn, op: u32, v: u32) -> GResult<()> {
        let loc = self.loc(d, op);
        self.write_loc(bus, loc, d.size(op), v)
    }

    /// Writes a general register given as an iced register.
    #[inline]
    pub fn set_reg(&mut self, r: Register, v: u32) {
        match reg_loc(r) {
            RegLoc::R8(n) => self.state.set_r8(n as usize, v as u8),
            RegLoc::R16(n) => self.state.set_r16(n as usize, v as u16),
            RegLoc::R32(n) => self.state.regs[n as usize] = v,
            _ => {}
        }
    }
}
