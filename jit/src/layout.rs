//! Byte offsets of the guest state fields compiled code reads and writes, relative to the
//! `Cpu` pointer it holds in `rbx`.

use rawbox_cpu::flags::Flags;
use rawbox_cpu::state::Segment;
use rawbox_cpu::{Counters, Cpu, CpuState, SegReg};
use std::mem::offset_of;

const STATE: usize = offset_of!(Cpu, state);
const FLAGS: usize = STATE + offset_of!(CpuState, flags);

/// `state.regs[0]`.
pub const REGS: i32 = (STATE + offset_of!(CpuState, regs)) as i32;
pub const EIP: i32 = (STATE + offset_of!(CpuState, eip)) as i32;
pub const FLAGS_BITS: i32 = (FLAGS + offset_of!(Flags, bits)) as i32;
pub const LAZY_MASK: i32 = (FLAGS + offset_of!(Flags, lazy_mask)) as i32;
pub const SRC1: i32 = (FLAGS + offset_of!(Flags, src1)) as i32;
pub const SRC2: i32 = (FLAGS + offset_of!(Flags, src2)) as i32;
pub const RES: i32 = (FLAGS + offset_of!(Flags, res)) as i32;
pub const LAZY_OP: i32 = (FLAGS + offset_of!(Flags, op)) as i32;
pub const LAZY_SIZE: i32 = (FLAGS + offset_of!(Flags, size)) as i32;
const _: () = assert!(LAZY_SIZE == LAZY_OP + 1, "op and size are stored together");
/// `state.segs[CS].limit`.
pub const CS_LIMIT: i32 = (STATE
    + offset_of!(CpuState, segs)
    + SegReg::Cs as usize * std::mem::size_of::<Segment>()
    + offset_of!(Segment, limit)) as i32;
/// `state.segs[CS].base`.
pub const CS_BASE: i32 = (STATE
    + offset_of!(CpuState, segs)
    + SegReg::Cs as usize * std::mem::size_of::<Segment>()
    + offset_of!(Segment, base)) as i32;
/// `counters.blocks` (u64).
pub const BLOCKS: i32 = (offset_of!(Cpu, counters) + offset_of!(Counters, blocks)) as i32;
/// `chain_break` (bool).
pub const CHAIN_BREAK: i32 = offset_of!(Cpu, chain_break) as i32;
/// `counters.instructions` (u64).
pub const INSTRUCTIONS: i32 =
    (offset_of!(Cpu, counters) + offset_of!(Counters, instructions)) as i32;

/// Offset of a 32-bit register by number (EAX..EDI).
pub fn reg32(n: u8) -> i32 {
    REGS + 4 * (n as i32 & 7)
}

/// Offset of an 8-bit register by encoding (AL CL DL BL AH CH DH BH).
pub fn reg8(n: u8) -> i32 {
    REGS + 4 * (n as i32 & 3) + ((n as i32 >> 2) & 1)
}
