//! Decoding: iced-x86 turns guest bytes into `Instruction`s; `quirks` adapts the byte stream to
//! the 8086's aliases; `cache` keeps decoded blocks keyed by physical address.

pub mod cache;
pub mod quirks;
pub mod regs;

pub use cache::{Block, BlockCache, DecodedInsn};
