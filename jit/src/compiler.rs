//! The block compiler installed into the CPU: classifies a block's instructions, emits host
//! code for it and wraps the result as the block's translation; plus the statistics it keeps.

use crate::analysis::{classify, flag_info, Form};
use crate::codebuf::{CodeArena, CodeBuf};
use crate::ctx::{exit, JitCtx};
use crate::emit::{Emitter, Mode, CACHE_REGS, NO_HOST};
use crate::tables::SharedTables;
use rawbox_cpu::decode::Block;
use rawbox_cpu::engine::{BlockCompiler, Compiled, CompiledBlock};
use rawbox_cpu::{Bus, Cpu, Fault, GResult, SegReg};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// JIT settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JitConfig {
    /// Interpreted runs of a block before it is compiled (0: compile on first execution).
    pub threshold: u32,
    /// Most bytes of host code kept before everything is flushed.
    pub cache_bytes: usize,
    /// Also compile blocks in which no instruction is emitted inline (all handler calls:
    /// slower than interpreting them, but tests use it to run everything through the JIT).
    pub compile_helper_only: bool,
}

impl Default for JitConfig {
    fn default() -> JitConfig {
        JitConfig {
            threshold: 16,
            cache_bytes: 64 << 20,
            compile_helper_only: false,
        }
    }
}

/// Counters shared by the compiler and the code it made (relaxed atomics: one CPU thread).
#[derive(Debug, Default)]
pub struct JitStats {
    pub blocks_compiled: AtomicU64,
    pub compile_nanos: AtomicU64,
    pub compile_failures: AtomicU64,
    /// Blocks left to the interpreter (nothing in them is emitted inline).
    pub blocks_left_interpreted: AtomicU64,
    /// Blocks left to the interpreter because their code keeps being rewritten.
    pub blocks_rewritten: AtomicU64,
    /// Guest instructions emitted inline / as handler calls.
    pub insns_inline: AtomicU64,
    pub insns_helper: AtomicU64,
    /// Blocks compiled code went on to without returning to the run loop.
    pub chained: AtomicU64,
    pub exits_end: AtomicU64,
    pub exits_stop: AtomicU64,
    pub exits_fault: AtomicU64,
    /// Bytes of code of live translations.
    pub code_bytes: AtomicU64,
    /// Bytes of executable memory mapped for code (what the cache size bounds).
    pub mapped_bytes: Arc<AtomicU64>,
    pub cache_flushes: AtomicU64,
}

fn bump(c: &AtomicU64, n: u64) {
    c.store(c.load(Ordering::Relaxed).wrapping_add(n), Ordering::Relaxed);
}

impl JitStats {
    /// A human-readable summary (for `--stats`).
    pub fn summary(&self) -> String {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        format!(
            "jit: blocks compiled {} ({} failed, {} left to the interpreter, {} rewritten too often) in {:.3} ms, insns inline {} / handler calls {}\n\
             jit: blocks run {} ({} chained without an exit), exits: end {} / early {} / fault {}\n\
             jit: code cache {} KB of live code in {} KB mapped, {} flushes",
            g(&self.blocks_compiled),
            g(&self.compile_failures),
            g(&self.blocks_left_interpreted),
            g(&self.blocks_rewritten),
            g(&self.compile_nanos) as f64 / 1e6,
            g(&self.insns_inline),
            g(&self.insns_helper),
            g(&self.exits_end) + g(&self.exits_stop) + g(&self.exits_fault) + g(&self.chained),
            g(&self.chained),
            g(&self.exits_end),
            g(&self.exits_stop),
            g(&self.exits_fault),
            g(&self.code_bytes) / 1024,
            g(&self.mapped_bytes) / 1024,
            g(&self.cache_flushes),
        )
    }
}

/// One block's translation.
struct CompiledCode {
    code: CodeBuf,
    /// Offset of the chain entry (after the prologue) in `code`.
    chain_entry: usize,
    insns: usize,
    stats: Arc<JitStats>,
    tables: Arc<SharedTables>,
}

impl Drop for CompiledCode {
    fn drop(&mut self) {
        let c = &self.stats.code_bytes;
        c.store(
            c.load(Ordering::Relaxed)
                .saturating_sub(self.code.size() as u64),
            Ordering::Relaxed,
        );
    }
}

impl CompiledBlock for CompiledCode {
    fn run(
        &self,
        cpu: &mut Cpu,
        bus: &mut dyn Bus,
        block: &Arc<Block>,
        chain_to: Option<u64>,
    ) -> GResult<bool> {
        if block.insns.len() != self.insns {
            // Not the block this was compiled from: interpret instead (never expected).
            for d in block.insns.iter() {
                if cpu.exec_insn_for_jit(bus, d)? {
                    return Ok(true);
                }
            }
            return Ok(false);
        }
        let tables = self.tables.get();
        tables.sync(cpu, true);
        if chain_to.is_some() {
            // Blocks that follow may link back to this one.
            let lin = cpu.state.segs[SegReg::Cs as usize]
                .base
                .wrapping_add(cpu.state.eip);
            tables.link(lin, block.mode, block, self.code.addr(self.chain_entry));
        }
        let blocks_before = cpu.counters.blocks;
        let if_at_entry = cpu.state.flags.if_();
        tables.t.run.chain_end = chain_to.unwrap_or(0);
        let mut ctx = JitCtx {
            if_at_entry,
            cpu: &mut *cpu,
            bus,
            tables: &mut *tables,
            fault: None,
        };
        let r = self.code.call(&mut ctx);
        let fault = ctx.fault.take();
        let chained = cpu.counters.blocks - blocks_before;
        if chained != 0 {
            bump(&self.stats.chained, chained);
        }
        match r {
            exit::NEXT => {
                bump(&self.stats.exits_end, 1);
                Ok(false)
            }
            exit::STOP => {
                bump(&self.stats.exits_stop, 1);
                Ok(true)
            }
            _ => {
                bump(&self.stats.exits_fault, 1);
                Err(fault.unwrap_or(Fault::Shutdown))
            }
        }
    }
}

/// The compiler.
pub struct Jit {
    config: JitConfig,
    stats: Arc<JitStats>,
    arena: CodeArena,
    tables: Arc<SharedTables>,
    /// How often code at each (physical address, mode) was compiled since the last cache
    /// flush: a block compiled again was dropped, i.e. its bytes were rewritten.
    compiles: std::collections::HashMap<(u32, u32), u32>,
    /// `Cpu::block_cache_clears` when `compiles` was last reset.
    clears_seen: u64,
}

/// Compilations of one guest address (without a cache flush in between) after which its
/// code counts as rewritten again and again and is left to the interpreter.
pub const REWRITE_LIMIT: u32 = 8;

impl Jit {
    pub fn new(config: JitConfig) -> Jit {
        let stats = Arc::new(JitStats::default());
        let arena = CodeArena::new(config.cache_bytes, stats.mapped_bytes.clone());
        Jit {
            config,
            stats,
            arena,
            tables: Arc::new(SharedTables::new()),
            compiles: Default::default(),
            clears_seen: 0,
        }
    }

    pub fn stats(&self) -> Arc<JitStats> {
        self.stats.clone()
    }

    /// Emits the block's host code (position independent, entry at offset 0) and the offset
    /// of its chain entry, or None when the block is better left to the interpreter.
    fn translate(&mut self, cpu: &Cpu, block: &Block) -> Result<Option<(Vec<u8>, usize)>, String> {
        let mode = Mode {
            code32: cpu.state.code32(),
            jump_limit: cpu.model.is_286_plus(),
            stack32: block.mode & rawbox_cpu::decode::cache::mode::STACK32 != 0,
            bits: block.mode,
        };
        let forms: Vec<Form> = block.insns.iter().map(|d| classify(d, cpu.model)).collect();
        if !self.config.compile_helper_only && forms.iter().all(|f| f.is_helper()) {
            return Ok(None);
        }
        let info = flag_info(&forms);
        let (map, spilled) = register_map(block, &forms, mode.code32);
        let mut e = Emitter::new(mode, map, spilled);
        e.prologue();
        let mut off = 0u32;
        for (k, (d, form)) in block.insns.iter().zip(&forms).enumerate() {
            e.insn(off, d, *form, info[k]);
            off = off.wrapping_add(d.len as u32);
        }
        let inline = forms.iter().filter(|f| !f.is_helper()).count() as u64;
        bump(&self.stats.insns_inline, inline);
        bump(&self.stats.insns_helper, forms.len() as u64 - inline);
        e.finish(off).map(Some)
    }
}

/// The guest registers kept in host registers across chained blocks of a mode (`cache`),
/// and those of them this block keeps in the CPU state instead because it touches their
/// high byte (AH..BH), which host registers other than the legacy four cannot address.
fn register_map(block: &Block, forms: &[Form], code32: bool) -> ([u8; 8], [u8; 8]) {
    use rawbox_cpu::decode::cache::OpFast;
    // EAX ECX EDX EBX, then ESP in 32-bit code (calls, pushes) or SI in 16-bit code.
    let guests: [u8; 5] = [0, 1, 2, 3, if code32 { 4 } else { 6 }];
    let mut map = [NO_HOST; 8];
    for (g, h) in guests.into_iter().zip(CACHE_REGS) {
        map[g as usize] = h;
    }
    let mut spilled = [NO_HOST; 8];
    for (d, f) in block.insns.iter().zip(forms) {
        if f.is_helper() {
            continue;
        }
        for op in d.ops {
            if let OpFast::R8(n) = op {
                if n >= 4 {
                    let g = (n - 4) as usize;
                    spilled[g] = map[g];
                }
            }
        }
    }
    (map, spilled)
}

impl BlockCompiler for Jit {
    fn compile(&mut self, cpu: &Cpu, block: &Block) -> Compiled {
        let t0 = Instant::now();
        if cpu.block_cache_clears() != self.clears_seen {
            self.clears_seen = cpu.block_cache_clears();
            self.compiles.clear();
        }
        let n = self.compiles.entry((block.phys, block.mode)).or_insert(0);
        *n += 1;
        if *n > REWRITE_LIMIT {
            bump(&self.stats.blocks_rewritten, 1);
            return Compiled::Interpret;
        }
        let (code, chain_entry) = match self.translate(cpu, block) {
            Ok(Some(code)) => {
                if let Ok(dir) = std::env::var("RAWBOX_JIT_DUMP") {
                    let _ = std::fs::write(format!("{dir}/{:08x}.bin", block.phys), &code.0);
                }
                code
            }
            Ok(None) => {
                bump(&self.stats.blocks_left_interpreted, 1);
                return Compiled::Interpret;
            }
            Err(e) => {
                log::warn!("jit: block at {:#x} not compiled: {e}", block.phys);
                bump(&self.stats.compile_failures, 1);
                return Compiled::Interpret;
            }
        };
        let grow = self.arena.growth_for(code.len()) as u64;
        let mapped = self.stats.mapped_bytes.load(Ordering::Relaxed);
        let r = if grow != 0 && mapped > 0 && mapped + grow > self.config.cache_bytes as u64 {
            Ok(None)
        } else {
            self.arena.place(&code).map(Some).map_err(|e| e.to_string())
        };
        bump(&self.stats.compile_nanos, t0.elapsed().as_nanos() as u64);
        match r {
            Ok(Some(code)) => {
                bump(&self.stats.blocks_compiled, 1);
                bump(&self.stats.code_bytes, code.size() as u64);
                Compiled::Code(Arc::new(CompiledCode {
                    code,
                    chain_entry,
                    insns: block.insns.len(),
                    stats: self.stats.clone(),
                    tables: self.tables.clone(),
                }))
            }
            Ok(None) => {
                // Full: drop every translation (the CPU flushes its blocks) and start over.
                bump(&self.stats.cache_flushes, 1);
                self.arena.reset();
                self.compiles.clear();
                Compiled::CacheFull
            }
            Err(e) => {
                log::warn!("jit: block at {:#x} not compiled: {e}", block.phys);
                bump(&self.stats.compile_failures, 1);
                Compiled::Interpret
            }
        }
    }
}
