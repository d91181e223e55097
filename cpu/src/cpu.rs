//! The `Cpu`: state, memory, caches and the interpreter's run loop (block lookup, per-instruction
//! dispatch, interrupt and trap checks at instruction boundaries).

use crate::bus::Bus;
use crate::decode::cache::{block_key, Block, BlockCache, DecodedInsn, Ticket};
use crate::decode::quirks::{rewrite_8086, Special8086};
use crate::fault::{vector, Fault, GResult};
use crate::flags::bits as fl;
use crate::memory::{MemoryError, PhysMem};
use crate::mmu::tlb::Tlb;
use crate::model::CpuModel;
use crate::state::{CpuState, SegReg, Segment};
use iced_x86::{Decoder, DecoderOptions, FlowControl, Instruction};
use std::sync::Arc;

/// Why `run` returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunExit {
    /// The instruction budget was used up.
    Budget,
    /// The CPU is halted with nothing to wake it (the caller advances time).
    Halted,
    /// Triple fault: the machine must be reset.
    Shutdown,
    /// The guest executed the host-call instruction inside the host-call window (see
    /// [`HostCall`]); the value is the linear address of that instruction. EIP already
    /// points past it.
    HostCall(u32),
}

/// A host-call trap: `OUT port, AL` executed from code whose physical address lies in
/// `[start, end)` returns from `run` with `RunExit::HostCall` instead of writing the port.
/// The BIOS uses it to enter its Rust services from small ROM stubs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostCall {
    pub port: u16,
    pub start: u32,
    pub end: u32,
}

/// Counters for statistics and frontends.
#[derive(Clone, Copy, Debug, Default)]
pub struct Counters {
    pub instructions: u64,
    pub interrupts: u64,
    pub exceptions: u64,
    pub blocks: u64,
}

/// Most instructions in one decoded block.
const MAX_BLOCK_INSNS: usize = 48;
/// Block-cache key bit of one-instruction blocks decoded for single-stepping.
const SINGLE_INSN_KEY: u64 = 1 << 33;

/// A CPU with its memory.
pub struct Cpu {
    pub state: CpuState,
    pub mem: PhysMem,
    pub model: CpuModel,
    pub counters: Counters,
    pub(crate) cache: BlockCache,
    pub(crate) tlb: Tlb,
    /// EIP of the instruction being executed (faults restore it).
    pub(crate) insn_eip: u32,
    /// A handler asks to end the current block after this instruction.
    pub(crate) end_block: bool,
    /// Nesting of exception delivery, for double and triple faults.
    pub(crate) delivering: Option<u8>,
    /// The last exception delivered (for tests and trace mode).
    pub last_exception: Option<(u8, Option<u32>)>,
    /// Data breakpoints hit by the current instruction (DR6 B0-B3 bits).
    pub(crate) data_bp_hits: u32,
    /// The host-call trap, if configured.
    pub hostcall: Option<HostCall>,
    /// An exit requested by a handler, returned at the end of the block.
    pub(crate) pending_exit: Option<RunExit>,
    /// The x87 coprocessor, if one is attached (else ESC opcodes only fetch their operand).
    pub fpu: Option<Box<crate::x87::Fpu>>,
    /// Breakpoints of a debugger on the host (see `host_debug.rs`).
    pub(crate) host_debug: Option<Box<crate::host_debug::HostDebug>>,
    /// The block compiler that runs hot blocks, if one is installed (see [`crate::engine`]).
    pub(crate) engine: Option<crate::engine::Engine>,
    /// Most instructions decoded into one block (tests lower it to compile single
    /// instructions).
    max_block_insns: usize,
    /// Set by port I/O and FPU errors (what can change the interrupt lines while the CPU
    /// runs): the run loop checks for interrupts after the current block.
    pub chain_break: bool,
}

impl std::fmt::Debug for Cpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cpu")
            .field("model", &self.model)
            .field("eip", &self.state.eip)
            .finish()
    }
}

impl Cpu {
    /// Creates a CPU of `model` with `ram_bytes` of flat RAM, in the reset state.
    pub fn new(model: CpuModel, ram_bytes: u64) -> Result<Cpu, MemoryError> {
        let mem = PhysMem::new(ram_bytes, model.address_mask())?;
        let mut cpu = Cpu {
            state: CpuState::default(),
            mem,
            model,
            counters: Counters::default(),
            cache: BlockCache::default(),
            tlb: Tlb::default(),
            insn_eip: 0,
            end_block: false,
            delivering: None,
            last_exception: None,
            hostcall: None,
            pending_exit: None,
            data_bp_hits: 0,
            fpu: model.has_fpu().then(|| Box::new(crate::x87::Fpu::new())),
            host_debug: None,
            engine: None,
            max_block_insns: MAX_BLOCK_INSNS,
            chain_break: false,
        };
        cpu.reset();
        Ok(cpu)
    }

    /// The processor's reset state (CS:IP = F000:FFF0 with CS base 0xFFFF0000 on 386+).
    pub fn reset(&mut self) {
        let model = self.model;
        let msrs = std::mem::take(&mut self.state.msrs);
        self.state = CpuState::default();
        self.state.msrs = msrs;
        self.state.msrs = Default::default();
        for s in SegReg::ALL {
            self.state.segs[s as usize] = Segment::real(0);
        }
        let mut cs = Segment::real(0xF000);
        cs.base = match model {
            CpuModel::I8086 => 0xF0000,
            CpuModel::I80286 => 0xFF0000,
            _ => 0xFFFF_0000,
        };
        cs.access |= crate::state::access::CODE;
        self.state.segs[SegReg::Cs as usize] = cs;
        self.state.eip = 0xFFF0;
        self.state.flags.bits = fl::RESERVED1;
        self.state.cr0 = if model.is_386_plus() {
            crate::state::cr0::ET
        } else {
            0
        };
        self.state.idtr.limit = 0x3FF;
        self.state.gdtr.limit = 0xFFFF;
        self.state.ldtr.limit = 0xFFFF;
        self.state.tr.limit = 0xFFFF;
        self.state.dr[6] = 0xFFFF_0FF0;
        self.state.dr[7] = 0x400;
        self.state.regs[crate::state::reg::EDX] = self.reset_signature();
        self.state.a20 = true;
        self.mem.set_a20(true);
        self.tlb.flush(false);
        self.cache.clear();
        self.delivering = None;
        self.end_block = false;
        self.reset_fpu();
    }

    /// EDX after reset: family/model/stepping.
    pub fn reset_signature(&self) -> u32 {
        match self.model {
            CpuModel::I8086 | CpuModel::I80286 => 0,
            CpuModel::I80386 => 0x0308,
            CpuModel::I80486 => 0x0402,
            CpuModel::Pentium => 0x0543,
            CpuModel::Pentium2 => 0x0652,
        }
    }

    /// Mask applied to IP: 16 bits unless the code segment is 32-bit.
    #[inline]
    pub(crate) fn ip_mask(&self) -> u32 {
        if self.state.code32() {
            0xFFFF_FFFF
        } else {
            0xFFFF
        }
    }

    /// The mode bits decoded (and compiled) code depends on: [`decode::cache::mode`] bits.
    #[inline]
    pub fn code_mode(&self) -> u32 {
        use crate::decode::cache::mode;
        let mut m = 0;
        if self.state.code32() {
            m |= mode::CODE32;
        }
        if self.state.protected() {
            m |= mode::PROTECTED;
        }
        if self.state.v86() {
            m |= mode::V86;
        }
        if self.state.stack32() {
            m |= mode::STACK32;
        }
        m
    }

    /// Sets the A20 gate (keyboard controller, port 0x92).
    pub fn set_a20(&mut self, on: bool) {
        if self.state.a20 != on {
            self.state.a20 = on;
            self.mem.set_a20(on);
            self.tlb.flush(false);
        }
    }

    /// Drops all decoded blocks and TLB entries (after the host changed memory under the guest).
    pub fn flush_caches(&mut self) {
        self.cache.clear();
        self.tlb.flush(false);
    }

    /// Limits decoded blocks to `n` instructions (1 to the default 48) and drops the cache.
    /// Single-step tests use 1 so every instruction runs as its own (compiled) block.
    pub fn set_max_block_insns(&mut self, n: usize) {
        self.max_block_insns = n.clamp(1, MAX_BLOCK_INSNS);
        self.cache.clear();
    }

    /// Decoded-block cache statistics.
    pub fn cache_stats(&self) -> crate::decode::cache::CacheStats {
        self.cache.stats
    }

    /// Software TLB misses (page walks) so far.
    pub fn tlb_misses(&self) -> u64 {
        self.tlb.misses
    }

    /// Number of decoded blocks cached.
    pub fn cached_blocks(&self) -> usize {
        self.cache.len()
    }

    /// Runs up to `budget` instructions.
    pub fn run(&mut self, bus: &mut dyn Bus, budget: u64) -> RunExit {
        let end = self.counters.instructions.saturating_add(budget);
        // Faults consume budget too, so a guest stuck in a fault loop still returns.
        let mut rounds = budget;
        while self.counters.instructions < end && rounds > 0 {
            rounds -= 1;
            match self.run_block(bus, end - self.counters.instructions) {
                Ok(None) => {}
                Ok(Some(exit)) => return exit,
                Err(Fault::Shutdown) => return RunExit::Shutdown,
                Err(f) => {
                    if let Err(Fault::Shutdown) = self.raise(bus, f) {
                        return RunExit::Shutdown;
                    }
                }
            }
        }
        RunExit::Budget
    }

    /// Executes exactly one instruction (or takes one pending interrupt and then executes
    /// the handler's first instruction). For trace mode and the single-step suites.
    pub fn step(&mut self, bus: &mut dyn Bus) -> RunExit {
        self.run(bus, 1)
    }

    /// Checks interrupts, then runs one block (or one instruction in single-step situations).
    fn run_block(&mut self, bus: &mut dyn Bus, budget: u64) -> GResult<Option<RunExit>> {
        let mut limit = budget.min(MAX_BLOCK_INSNS as u64) as usize;
        // A host debugger stop before any instruction runs keeps the STI/MOV SS shadow.
        let inhibited = self.state.inhibit_irq;
        if self.state.inhibit_irq {
            self.state.inhibit_irq = false;
            limit = 1;
        } else {
            if bus.take_nmi() {
                self.state.halted = false;
                self.interrupt(bus, vector::NMI, crate::interrupt::IntKind::External, None)?;
            }
            if self.state.flags.if_() && bus.intr_pending() {
                let v = bus.intr_ack();
                self.state.halted = false;
                self.counters.interrupts += 1;
                self.interrupt(bus, v, crate::interrupt::IntKind::External, None)?;
            }
        }
        if self.state.halted {
            return Ok(Some(RunExit::Halted));
        }
        self.chain_break = false;
        let if_at_check = self.state.flags.if_();
        let tf = self.state.flags.tf();
        // RF is cleared when the next instruction completes (SDM 18.3.1.1): run it alone.
        let rf = self.state.flags.bits & fl::RF != 0;
        if tf || rf || self.debug_active() {
            limit = 1;
        }
        let start = self.counters.instructions;
        let hooked = self.host_debug.is_some();
        if hooked && self.debug_stop_pending() {
            // An interrupt breakpoint hit while delivering an interrupt or exception.
            self.state.inhibit_irq = inhibited;
            return Ok(Some(self.pending_exit.take().unwrap_or(RunExit::Budget)));
        }
        let chain = limit > 1 && !tf && !rf;
        let (block, ticket) = self.get_block(bus, limit == 1)?;
        if hooked {
            limit = self.host_breakpoint_room(&block, limit);
            if limit == 0 {
                if let Some(t) = ticket {
                    self.cache.put_back(block, t);
                }
                self.state.inhibit_irq = inhibited;
                return Ok(Some(self.pending_exit.take().unwrap_or(RunExit::Budget)));
            }
        }
        // What a compiled block may do after it: run the blocks that follow without coming
        // back (within the budget), while execution breakpoints are not set (they are checked
        // where blocks are looked up here).
        let end = start.saturating_add(budget);
        let chain_to = (chain && self.engine_may_chain_blocks()).then_some(end);
        let r = self.exec_any(bus, &block, limit, chain_to);
        let n = block.insns.len().min(limit);
        let first = block
            .insns
            .first()
            .map(|d| (d.insn.mnemonic(), d.insn.op0_register()));
        if let Some(t) = ticket {
            self.cache.put_back(block, t);
        }
        let mut stopped = r?;
        self.counters.blocks += 1;
        // Run the following blocks without checking for interrupts while none can have become
        // deliverable: the interrupt lines change only through port I/O and FPU errors (which
        // set `chain_break`; devices advance between `run` calls), and IF is set only by
        // instructions that end a block. Both engines follow this rule, so they take
        // interrupts at the same instructions.
        if chain {
            loop {
                if stopped
                    || self.pending_exit.is_some()
                    || self.state.inhibit_irq
                    || self.chain_break
                    || self.state.halted
                    || (!if_at_check && self.state.flags.if_())
                    || self.state.flags.bits & (fl::TF | fl::RF) != 0
                    || self.debug_active()
                {
                    break;
                }
                let used = self.counters.instructions - start;
                if used >= budget {
                    break;
                }
                let mut lim = (budget - used).min(MAX_BLOCK_INSNS as u64) as usize;
                let (block, ticket) = self.get_block(bus, false)?;
                if self.host_debug.is_some() {
                    lim = self.host_breakpoint_room(&block, lim);
                    if lim == 0 {
                        if let Some(t) = ticket {
                            self.cache.put_back(block, t);
                        }
                        break;
                    }
                }
                let chain_to = self.engine_may_chain_blocks().then_some(end);
                let r = self.exec_any(bus, &block, lim, chain_to);
                if let Some(t) = ticket {
                    self.cache.put_back(block, t);
                }
                stopped = r?;
                self.counters.blocks += 1;
            }
            return Ok(self.pending_exit.take());
        }
        if n == 1 {
            if let Some((mnemonic, op0)) = first {
                // IRET and POPF leave the RF they loaded.
                if rf
                    && !matches!(
                        mnemonic,
                        iced_x86::Mnemonic::Iret
                            | iced_x86::Mnemonic::Iretd
                            | iced_x86::Mnemonic::Popfd
                    )
                {
                    self.state.flags.bits &= !fl::RF;
                }
                // MOV SS / POP SS hold off the single-step trap until after the next
                // instruction (SDM MOV: "inhibits all interrupts, including the single-step trap").
                if tf && self.state.inhibit_irq && op0 == iced_x86::Register::SS {
                    return Ok(self.pending_exit.take());
                }
            }
        }
        if tf {
            self.single_step_trap(bus)?;
        }
        Ok(self.pending_exit.take())
    }

    /// Runs up to `limit` instructions of a block: through the installed block engine when the
    /// whole block runs and no debug register is armed, else in the interpreter. With
    /// `chain_to`, compiled code may go on into the blocks that follow while the instruction
    /// counter stays within it (see `engine::CompiledBlock::run`).
    #[inline(always)]
    fn exec_any(
        &mut self,
        bus: &mut dyn Bus,
        block: &Arc<Block>,
        limit: usize,
        chain_to: Option<u64>,
    ) -> GResult<bool> {
        // A leftover end-of-block request (interrupt delivery sets one) ends the next block
        // after its first instruction: the interpreter handles that run.
        if self.engine.is_some()
            && !self.end_block
            && limit >= block.insns.len()
            && !self.debug_active()
            && self.engine_may_run_blocks()
        {
            return self.exec_with_engine(bus, block, chain_to);
        }
        self.exec_block(bus, block, limit)
    }

    /// Executes up to `limit` instructions of a block. Returns true when an instruction asked
    /// to leave the block early (mode change, interrupt, HLT, self-modifying code...).
    #[inline(always)]
    pub(crate) fn exec_block(
        &mut self,
        bus: &mut dyn Bus,
        block: &Block,
        limit: usize,
    ) -> GResult<bool> {
        let n = block.insns.len().min(limit);
        let mask = self.ip_mask();
        // Debug registers force one-instruction blocks; the common case skips their checks.
        let debug = self.debug_active();
        for d in &block.insns[..n] {
            if self.exec_insn(bus, d, mask, debug)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Executes one instruction of a block at the current EIP, exactly as the interpreter's
    /// block loop does: breakpoints (when `debug`), EIP advance, the handler, fault EIP
    /// restore, counting, data-breakpoint traps, `end_block` and self-modifying-code checks.
    /// Returns true when the block must end after this instruction.
    #[inline(always)]
    fn exec_insn(
        &mut self,
        bus: &mut dyn Bus,
        d: &DecodedInsn,
        mask: u32,
        debug: bool,
    ) -> GResult<bool> {
        let eip = self.state.eip;
        if debug {
            self.check_exec_breakpoint(eip)?;
        }
        self.insn_eip = eip;
        self.state.eip = eip.wrapping_add(d.len as u32) & mask;
        if let Err(f) = (d.handler)(self, bus, d) {
            // The 8086's divide error is a trap: it returns past the instruction.
            if !(f == Fault::DE && self.model == CpuModel::I8086) {
                self.state.eip = eip;
            }
            self.data_bp_hits = 0;
            self.counters.exceptions += 1;
            return Err(f);
        }
        self.counters.instructions += 1;
        if debug && self.data_bp_hits != 0 {
            // Data breakpoints trap after the access completes.
            self.state.dr[6] |= std::mem::take(&mut self.data_bp_hits);
            self.interrupt(bus, vector::DB, crate::interrupt::IntKind::Exception, None)?;
            return Ok(true);
        }
        if self.end_block || self.mem.has_smc() {
            self.end_block = false;
            if self.mem.has_smc() {
                self.process_smc();
            }
            return Ok(true);
        }
        Ok(false)
    }

    /// One instruction of a compiled block that the JIT does not emit inline: exactly the
    /// interpreter's per-instruction step (no debug registers: compiled blocks never run
    /// while they are armed). Returns true when the block must end after it.
    pub fn exec_insn_for_jit(&mut self, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<bool> {
        let mask = self.ip_mask();
        self.exec_insn(bus, d, mask, false)
    }

    /// After a write emitted by the JIT: applies pending self-modifying-code invalidations and
    /// says whether the block must end (it may have overwritten itself).
    pub fn jit_check_smc(&mut self) -> bool {
        if self.mem.has_smc() {
            self.end_block = false;
            self.process_smc();
            true
        } else {
            false
        }
    }

    /// Whether an instruction asked the run loop to return (host call, debugger stop).
    #[inline]
    pub fn pending_exit_requested(&self) -> bool {
        self.pending_exit.is_some()
    }

    /// Records the start of an instruction the JIT runs inline (what faults restore EIP to).
    #[inline]
    pub fn jit_begin_insn(&mut self, eip: u32) {
        self.insn_eip = eip;
    }

    /// Looks up (or decodes) the block at CS:EIP. With `single` (one instruction will run,
    /// e.g. single-stepping) a missing block is decoded as that one instruction and cached
    /// under its own key, so stepping into the middle of blocks does not decode the rest of
    /// each block again and again.
    fn get_block(
        &mut self,
        bus: &mut dyn Bus,
        single: bool,
    ) -> GResult<(Arc<Block>, Option<Ticket>)> {
        // Writes from the host side (DMA, loaders) may have hit decoded code.
        if self.mem.has_smc() {
            self.process_smc();
        }
        let eip = self.state.eip;
        let cs = self.state.segs[SegReg::Cs as usize];
        if self.state.protected() && !cs.valid {
            return Err(Fault::gp(0));
        }
        if eip > cs.limit && self.model.is_286_plus() {
            return Err(Fault::gp(0));
        }
        let lin = cs.base.wrapping_add(eip);
        let phys = self.fetch_phys(bus, lin)? & self.mem.addr_mask();
        let key = block_key(phys, self.code_mode());
        if let Some((b, t)) = self.cache.take(key) {
            return Ok((b, Some(t)));
        }
        let key = if single {
            let key = key | SINGLE_INSN_KEY;
            if let Some((b, t)) = self.cache.take(key) {
                return Ok((b, Some(t)));
            }
            key
        } else {
            key
        };
        let b = self.decode_block(bus, eip, lin, phys, key, single)?;
        // A freshly cached block goes to the front table after its first run.
        let t = self.cache.take(key).map(|(front, t)| {
            drop(front);
            t
        });
        Ok((b, t))
    }

    fn decode_block(
        &mut self,
        bus: &mut dyn Bus,
        eip: u32,
        lin: u32,
        phys: u32,
        key: u64,
        single: bool,
    ) -> GResult<Arc<Block>> {
        let cs = self.state.segs[SegReg::Cs as usize];
        let code32 = self.state.code32();
        let bitness = if code32 { 32 } else { 16 };
        let ip_mask = self.ip_mask();
        // Bytes available without leaving the page, the segment limit or the 16-bit IP space.
        let page_rest = 0x1000 - (lin & 0xFFF);
        let limit_rest = if self.model.is_286_plus() {
            (cs.limit as u64 + 1).saturating_sub(eip as u64)
        } else {
            0x10000
        };
        let ip_rest = ip_mask as u64 + 1 - eip as u64;
        let avail = (page_rest as u64).min(limit_rest).min(ip_rest) as u32;
        let cacheable = self.mem.page_kind(phys) != crate::memory::PageKind::Mmio;
        let mut insns = Vec::new();
        let mut off = 0u32;
        let mut buf = [0u8; 16];
        let max_insns = if single { 1 } else { self.max_block_insns };
        while insns.len() < max_insns {
            let in_page = avail.saturating_sub(off).min(15) as usize;
            for (i, b) in buf.iter_mut().enumerate().take(in_page) {
                *b = self.mem.read_u8(bus, phys + off + i as u32);
            }
            let mut n = in_page;
            let first = insns.is_empty();
            if n < 15 && first {
                // The instruction may continue on the next page or wrap the IP: fetch slowly.
                for (i, b) in buf.iter_mut().enumerate().take(15).skip(n) {
                    let raw_ip = eip.wrapping_add(off + i as u32);
                    // The 8086 wraps IP at 64 KB; later CPUs fault at the limit.
                    let ip = if self.model.is_286_plus() {
                        raw_ip
                    } else {
                        raw_ip & 0xFFFF
                    };
                    if self.model.is_286_plus() && (ip > cs.limit || ip > ip_mask) {
                        break;
                    }
                    match self.fetch_lin(bus, cs.base.wrapping_add(ip)) {
                        Ok(v) => *b = v,
                        Err(e) => {
                            // Only a fault if the instruction needs these bytes.
                            let d = self.decode_one(&buf[..i], eip.wrapping_add(off), bitness);
                            if d.is_none() {
                                return Err(e);
                            }
                            break;
                        }
                    }
                    n = i + 1;
                }
            }
            let Some(d) = self.decode_one(&buf[..n], eip.wrapping_add(off) & ip_mask, bitness)
            else {
                if first {
                    // The instruction runs past the segment limit or into a fault.
                    return Err(Fault::gp(0));
                }
                break;
            };
            let crosses = off + d.len as u32 > avail;
            let ends = ends_block(&d.insn);
            off += d.len as u32;
            insns.push(d);
            if ends || crosses || off >= avail {
                break;
            }
        }
        let block = Arc::new(Block {
            insns: insns.into_boxed_slice(),
            phys,
            mode: self.code_mode(),
            bytes: off,
            jit: Default::default(),
        });
        let fits = block.bytes <= page_rest;
        if cacheable && fits {
            self.mem.mark_code_range(phys, block.bytes);
            self.cache.insert(key, block.clone());
        }
        Ok(block)
    }

    /// Decodes one instruction from `bytes`, applying model quirks and choosing its handler.
    /// Returns None when the bytes do not hold a whole instruction.
    fn decode_one(&self, bytes: &[u8], ip: u32, bitness: u32) -> Option<DecodedInsn> {
        let mut tmp = [0u8; 16];
        tmp[..bytes.len()].copy_from_slice(bytes);
        let bytes = &mut tmp[..bytes.len()];
        let mut extra = 0;
        if self.model == CpuModel::I8086 {
            match rewrite_8086(bytes) {
                Some(Special8086::PopCs) => extra = 1,
                Some(Special8086::Setmo) => extra = 2,
                None => {}
            }
        }
        // Before the 386, LOCK is accepted on any instruction.
        let options = if self.model.is_386_plus() {
            DecoderOptions::NONE
        } else {
            DecoderOptions::NO_INVALID_CHECK
        };
        let mut dec = Decoder::with_ip(bitness, bytes, ip as u64, options);
        let insn: Instruction = dec.decode();
        if dec.last_error() == iced_x86::DecoderError::NoMoreBytes {
            return None;
        }
        let len = insn.len() as u8;
        if len as usize > bytes.len() || len == 0 {
            return None;
        }
        // The 286 faults on instructions longer than 10 bytes (later CPUs: 15).
        let handler = if self.model == CpuModel::I80286 && len > 10 {
            crate::exec::system::gp0
        } else {
            crate::exec::select_handler(&insn, self.model, extra)
        };
        let (ops, sizes, mem) = DecodedInsn::digest(&insn);
        Some(DecodedInsn {
            insn,
            handler,
            len: if extra == 1 { 1 } else { len },
            extra,
            ops,
            sizes,
            mem,
        })
    }
}

/// Whether a block must end after this instruction.
fn ends_block(insn: &Instruction) -> bool {
    use iced_x86::Mnemonic as M;
    if insn.flow_control() != FlowControl::Next {
        return true;
    }
    matches!(
        insn.mnemonic(),
        M::Sti
            | M::Popf
            | M::Popfd
            | M::Mov
            | M::Pop
            | M::Lmsw
            | M::Clts
            | M::Hlt
            | M::Wrmsr
            | M::Invlpg
            | M::Lss
            | M::INVALID
    ) && !matches!(insn.mnemonic(), M::Mov | M::Pop)
        || (matches!(insn.mnemonic(), M::Mov | M::Pop)
            && (insn.op0_register().is_segment_register() || insn.op0_register().is_cr()))
}
