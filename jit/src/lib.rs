//! The JIT recompiler: translates guest basic blocks into x86-64 host code with dynasmrt.
//!
//! It reads the same `CpuState`, lazy flags and decoded-block cache the interpreter in
//! `rawbox-cpu` uses. The CPU runs a block through the interpreter until it has run
//! `threshold` times, then asks this crate (through `rawbox_cpu::engine::BlockCompiler`) for
//! host code, which it keeps in the decoded block's `JitSlot`: dropping the block (self-modifying
//! code, flushes) drops the translation.
//!
//! - `analysis`: the form of each instruction (inline or interpreter handler) and the lazy-flag
//!   liveness pass.
//! - `emit`: host code for a block. Instructions not emitted inline call their interpreter
//!   handler from inside the block (`ctx::call_insn`), so every block can be compiled and
//!   behaves exactly like the interpreter: same guest state at every block exit and fault.
//! - `ctx`: the run-time context and the `extern "C"` helpers compiled code calls.
//! - `codebuf`: the executable code arena; with `ctx`, the only `unsafe` code.
//! - `compiler`: the `BlockCompiler` implementation, configuration and statistics.
//! - `layout`: offsets of the guest state fields compiled code addresses.
//! - `tables`: the run-time tables compiled code reads (fast segment checks, fast TLB, jump
//!   cache linking blocks) and their synchronisation with the CPU.

mod analysis;
mod codebuf;
mod compiler;
mod ctx;
mod emit;
mod layout;
mod tables;

pub use compiler::{Jit, JitConfig, JitStats};
use rawbox_cpu::engine::Engine;
use rawbox_cpu::Cpu;
use std::sync::Arc;

/// Installs a JIT into `cpu` and returns its statistics.
pub fn install(cpu: &mut Cpu, config: JitConfig) -> Arc<JitStats> {
    let jit = Jit::new(config);
    let stats = jit.stats();
    cpu.set_engine(Some(Engine {
        compiler: Box::new(jit),
        threshold: config.threshold,
    }));
    stats
}
