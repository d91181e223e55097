//! The JIT recompiler: translates guest basic blocks into x86-64 host code with dynasmrt.
//!
//! It reads the same `CpuState`, lazy flags and decoded-block cache the interpreter in
//! `rawbox-cpu` uses, and calls the interpreter's handlers for every instruction it does not
//! emit inline, so every block can be compiled. The CPU runs a block through the interpreter
//! until it has run `threshold` times, then asks this crate (through
//! `rawbox_cpu::engine::BlockCompiler`) for host code kept with the decoded block.

mod analysis;
mod codebuf;
mod compiler;
mod ctx;
mod emit;
mod layout;

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
