//! The hook through which a block compiler (the JIT in `rawbox-jit`) runs hot decoded blocks
//! in place of the interpreter. The cpu crate only knows these traits: it counts how often a
//! block runs, asks the installed [`BlockCompiler`] for code once the count reaches the
//! threshold, keeps the result in the block's [`JitSlot`] (so dropping the decoded block on
//! self-modifying code or a flush drops its translation too) and calls it from then on.

use crate::bus::Bus;
use crate::decode::cache::Block;
use crate::fault::GResult;
use crate::Cpu;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};

/// Host code for one decoded block.
pub trait CompiledBlock: Send + Sync {
    /// Runs every instruction of `block` (the block this code was compiled from) with the
    /// contract of the interpreter's `exec_block` for a limit covering the whole block:
    /// `Ok(true)` when an instruction asked to leave the block early, a fault with EIP restored
    /// to the faulting instruction, instruction counters updated.
    ///
    /// With `chain_to`, it may go on into the blocks that follow, as the run loop would run
    /// them (each counted in `counters.blocks`), while the instruction counter with the whole
    /// next block stays within `chain_to`, and only at block ends after which the run loop
    /// would not check for interrupts (see `Cpu::run_block`). The result is then that of the
    /// last block run.
    fn run(
        &self,
        cpu: &mut Cpu,
        bus: &mut dyn Bus,
        block: &Arc<Block>,
        chain_to: Option<u64>,
    ) -> GResult<bool>;
}

/// What a compile request produced.
pub enum Compiled {
    /// Host code for the block.
    Code(Arc<dyn CompiledBlock>),
    /// The block stays interpreted (e.g. nothing worth compiling).
    Interpret,
    /// The code cache is full: the CPU drops every decoded block (and with them every
    /// translation) and starts over.
    CacheFull,
}

/// Translates decoded blocks to host code.
pub trait BlockCompiler: Send {
    fn compile(&mut self, cpu: &Cpu, block: &Block) -> Compiled;
}

/// The installed compiler and its tiering threshold.
pub struct Engine {
    pub compiler: Box<dyn BlockCompiler>,
    /// Interpreted runs of a block before it is compiled (0: compile on first execution).
    pub threshold: u32,
}

/// Per-block JIT state: the run count and, once compiled, the translation.
#[derive(Default)]
pub struct JitSlot {
    runs: AtomicU32,
    code: OnceLock<Option<Arc<dyn CompiledBlock>>>,
}

impl std::fmt::Debug for JitSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JitSlot")
            .field("runs", &self.runs.load(Ordering::Relaxed))
            .field("compiled", &self.code.get().is_some())
            .finish()
    }
}

impl Cpu {
    /// Installs (or removes) the block compiler.
    pub fn set_engine(&mut self, engine: Option<Engine>) {
        self.engine = engine;
        self.cache.clear();
    }

    /// Whether a block compiler is installed.
    pub fn has_engine(&self) -> bool {
        self.engine.is_some()
    }

    /// Runs a whole block with the installed engine: its translation if it has one, else the
    /// interpreter (compiling it once it has run `threshold` times). Only called when the whole
    /// block is to run and no debug registers are armed.
    pub(crate) fn exec_with_engine(
        &mut self,
        bus: &mut dyn Bus,
        block: &Arc<Block>,
        chain_to: Option<u64>,
    ) -> GResult<bool> {
        if let Some(slot) = block.jit.code.get() {
            return match slot {
                Some(code) => code.run(self, bus, block, chain_to),
                None => self.exec_block(bus, block, usize::MAX),
            };
        }
        self.compile_and_exec(bus, block)
    }

    /// Counts a run of a block not compiled yet, compiling it at the threshold.
    fn compile_and_exec(&mut self, bus: &mut dyn Bus, block: &Arc<Block>) -> GResult<bool> {
        let threshold = self.engine.as_ref().map_or(u32::MAX, |e| e.threshold);
        let runs = block.jit.runs.load(Ordering::Relaxed);
        if runs < threshold {
            block.jit.runs.store(runs + 1, Ordering::Relaxed);
            return self.exec_block(bus, block, usize::MAX);
        }
        let Some(mut engine) = self.engine.take() else {
            return self.exec_block(bus, block, usize::MAX);
        };
        let compiled = engine.compiler.compile(self, block);
        self.engine = Some(engine);
        match compiled {
            Compiled::Code(code) => {
                let _ = block.jit.code.set(Some(code.clone()));
                code.run(self, bus, block, None)
            }
            Compiled::Interpret => {
                let _ = block.jit.code.set(None);
                self.exec_block(bus, block, usize::MAX)
            }
            Compiled::CacheFull => {
                self.flush_caches();
                self.exec_block(bus, block, usize::MAX)
            }
        }
    }

    /// Whole flushes of the decoded-block cache so far (blocks decoded again after one were
    /// not rewritten).
    pub fn block_cache_clears(&self) -> u64 {
        self.cache.clears()
    }

    /// Generations of what compiled code may hold derived copies of: (decoded blocks,
    /// TLB, physical memory map). Each changes whenever such a copy may have become stale.
    pub fn engine_generations(&self) -> (u64, u64, u64) {
        (
            self.cache.generation(),
            self.tlb.generation,
            self.mem.map_generation,
        )
    }
}
