//! Support code for `alu_host_diff`: the host oracles (native 64-bit `asm!` and 32-bit
//! compatibility mode), the emulator harness, instruction shapes, the SDM's table of undefined
//! flags, operand generation and the comparison/report loop.

pub mod compat;
pub mod emu;
pub mod gen;
pub mod native;
pub mod regs;
pub mod runner;
pub mod sdm;
pub mod shape;
