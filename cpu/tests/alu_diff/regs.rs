//! The register file both sides of a differential case see: EAX..EDI by encoding index, EFLAGS
//! and an 8-byte memory operand (at [ESI] for memory shapes), plus reads of an instruction's
//! operands from it.

use iced_x86::{Instruction, OpKind, Register};

/// EFLAGS bits used by the tests.
pub mod fl {
    pub const CF: u32 = 1 << 0;
    pub const PF: u32 = 1 << 2;
    pub const AF: u32 = 1 << 4;
    pub const ZF: u32 = 1 << 6;
    pub const SF: u32 = 1 << 7;
    pub const OF: u32 = 1 << 11;
    /// The six arithmetic status flags.
    pub const ARITH: u32 = CF | PF | AF | ZF | SF | OF;
    /// Bits that are always set in the tests' input flags: reserved bit 1 and IF.
    pub const BASE: u32 = 0x202;
}

/// Register indices in [`Regs::r`] (the x86 encoding order).
pub mod idx {
    pub const EAX: usize = 0;
    pub const ECX: usize = 1;
    pub const EDX: usize = 2;
    pub const EBX: usize = 3;
    pub const ESI: usize = 6;
    pub const EDI: usize = 7;
}

/// Registers the host oracles load and store (ESP and EBP are not part of a case).
pub const DATA_REGS: [usize; 6] = [0, 1, 2, 3, 6, 7];

/// Input or output of one instruction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Regs {
    /// General registers by encoding index; ESP (4) and EBP (5) are unused.
    pub r: [u32; 8],
    pub flags: u32,
    /// The memory operand of memory shapes.
    pub mem: [u8; 8],
}

impl Regs {
    /// Value of a general register of any size.
    pub fn reg(&self, r: Register) -> u32 {
        let full = self.r[r.full_register32().number()];
        match r.size() {
            1 if matches!(r, Register::AH | Register::CH | Register::DH | Register::BH) => {
                (full >> 8) & 0xFF
            }
            1 => full & 0xFF,
            2 => full & 0xFFFF,
            _ => full,
        }
    }

    /// The memory operand as a little-endian value of `bytes` bytes (at most 4).
    pub fn mem_value(&self, bytes: usize) -> u32 {
        let mut v = [0u8; 4];
        v[..bytes.min(4)].copy_from_slice(&self.mem[..bytes.min(4)]);
        u32::from_le_bytes(v)
    }

    /// Value of operand `op` of `insn` (register, memory operand or immediate).
    pub fn operand(&self, insn: &Instruction, op: u32) -> u32 {
        match insn.op_kind(op) {
            OpKind::Register => self.reg(insn.op_register(op)),
            OpKind::Memory => self.mem_value(insn.memory_size().size()),
            _ => insn.immediate(op) as u32,
        }
    }
}

/// Size in bits of operand `op` (register or memory; CMPXCHG8B counts as 32).
pub fn operand_bits(insn: &Instruction, op: u32) -> u32 {
    let bytes = match insn.op_kind(op) {
        OpKind::Register => insn.op_register(op).size(),
        OpKind::Memory => insn.memory_size().size(),
        _ => 4,
    };
    (bytes.clamp(1, 4) * 8) as u32
}
