//! The decoded-block cache: blocks of decoded instructions keyed by the physical address of their
//! first byte and the code size, invalidated when the guest writes to their pages.

use crate::bus::Bus;
use crate::fault::GResult;
use crate::flags::OpSize;
use crate::Cpu;
use iced_x86::Instruction;
use std::collections::HashMap;
use std::sync::Arc;

/// An instruction handler: executes one decoded instruction.
pub type Handler = fn(&mut Cpu, &mut dyn Bus, &DecodedInsn) -> GResult<()>;

/// One decoded instruction with its handler, chosen once at decode time.
#[derive(Clone, Debug)]
pub struct DecodedInsn {
    pub insn: Instruction,
    pub handler: Handler,
    /// Length in bytes.
    pub len: u8,
    /// Handler-specific extra data (e.g. 8086 special opcodes).
    pub extra: u8,
    /// Operands and the memory operand, pre-digested so handlers need not ask iced.
    pub ops: [OpFast; 3],
    pub sizes: [OpSize; 3],
    pub mem: MemFast,
}

/// A pre-digested operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpFast {
    R8(u8),
    R16(u8),
    R32(u8),
    /// The memory operand described by `DecodedInsn::mem`.
    Mem,
    Imm(u32),
    /// Anything else: ask iced.
    Slow,
}

/// A pre-digested memory operand: `seg:[base + index << scale + disp]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemFast {
    /// Register numbers, or `NO_REG`.
    pub base: u8,
    pub index: u8,
    pub scale: u8,
    pub seg: u8,
    /// 16-bit addressing (registers and sum wrap at 64 KB).
    pub a16: bool,
    pub disp: u32,
}

/// `MemFast` register slot that is not used.
pub const NO_REG: u8 = 0xFF;

impl DecodedInsn {
    /// Size of operand `k`.
    #[inline]
    pub fn size(&self, k: u32) -> OpSize {
        self.sizes[k as usize]
    }

    /// Digests an iced instruction's operands.
    pub fn digest(insn: &Instruction) -> ([OpFast; 3], [OpSize; 3], MemFast) {
        use crate::decode::regs::{reg_loc, RegLoc};
        use iced_x86::{OpKind, Register};
        let mut ops = [OpFast::Slow; 3];
        let mut sizes = [OpSize::Word; 3];
        for k in 0..insn.op_count().min(3) {
            sizes[k as usize] = crate::Cpu::op_size(insn, k);
            ops[k as usize] = match insn.op_kind(k) {
                OpKind::Register => match reg_loc(insn.op_register(k)) {
                    RegLoc::R8(n) => OpFast::R8(n),
                    RegLoc::R16(n) => OpFast::R16(n),
                    RegLoc::R32(n) => OpFast::R32(n),
                    _ => OpFast::Slow,
                },
                OpKind::Memory => OpFast::Mem,
                OpKind::Immediate8
                | OpKind::Immediate16
                | OpKind::Immediate32
                | OpKind::Immediate8to16
                | OpKind::Immediate8to32 => OpFast::Imm(insn.immediate(k) as u32),
                _ => OpFast::Slow,
            };
        }
        let mut mem = MemFast {
            base: NO_REG,
            index: NO_REG,
            ..Default::default()
        };
        if ops.contains(&OpFast::Mem) {
            let reg_num = |r: Register| -> Option<u8> {
                if r == Register::None {
                    Some(NO_REG)
                } else if r.is_gpr16() || r.is_gpr32() {
                    Some(r.number() as u8)
                } else {
                    None
                }
            };
            match (reg_num(insn.memory_base()), reg_num(insn.memory_index())) {
                (Some(b), Some(x)) => {
                    mem.base = b;
                    mem.index = x;
                    mem.scale = insn.memory_index_scale().trailing_zeros() as u8;
                    mem.seg = insn.memory_segment().number() as u8;
                    mem.a16 = crate::exec::operands::addr16(insn);
                    mem.disp = insn.memory_displacement32();
                }
                _ => {
                    // XLAT's AL index and the like: the slow path handles them.
                    for o in ops.iter_mut() {
                        if *o == OpFast::Mem {
                            *o = OpFast::Slow;
                        }
                    }
                }
            }
        }
        (ops, sizes, mem)
    }
}

/// A straight-line run of decoded instructions ending at a control transfer, a page end or a
/// size limit.
#[derive(Debug)]
pub struct Block {
    pub insns: Box<[DecodedInsn]>,
    /// Physical address of the first byte.
    pub phys: u32,
    /// Number of guest bytes covered.
    pub bytes: u32,
    /// The [`mode`] bits it was decoded in.
    pub mode: u32,
    /// Run count and translation for the block engine (see [`crate::engine`]).
    pub jit: crate::engine::JitSlot,
}

/// Cache statistics.
#[derive(Clone, Copy, Debug, Default)]
pub struct CacheStats {
    pub hits: u64,
    pub misses: u64,
    pub invalidated_blocks: u64,
}

/// The cache itself.
#[derive(Debug, Default)]
pub struct BlockCache {
    map: HashMap<u64, Arc<Block>>,
    by_page: HashMap<u32, Vec<u64>>,
    /// A small direct-mapped front table to avoid hashing on hot loops.
    front: Vec<Option<(u64, Arc<Block>)>>,
    /// Bumped by every invalidation, so blocks taken out for execution are not put back stale.
    generation: u64,
    /// Whole-cache flushes so far.
    clears: u64,
    pub stats: CacheStats,
}

/// Proof of where a taken block came from.
#[derive(Clone, Copy, Debug)]
pub struct Ticket {
    key: u64,
    generation: u64,
}

const FRONT: usize = 4096;

/// Mode bits of a block (part of its cache key): what its decoding and translation assume.
pub mod mode {
    /// 32-bit code segment (CS.D).
    pub const CODE32: u32 = 1;
    /// Protected mode (CR0.PE) and not virtual-8086 mode.
    pub const PROTECTED: u32 = 2;
    /// Virtual-8086 mode (EFLAGS.VM).
    pub const V86: u32 = 4;
    /// 32-bit stack (SS.B, protected mode).
    pub const STACK32: u32 = 8;
}

/// The cache key of the block at physical address `phys` decoded in `mode`.
#[inline]
pub fn block_key(phys: u32, mode: u32) -> u64 {
    phys as u64 | ((mode as u64) << 34)
}

impl BlockCache {
    #[inline]
    fn slot(key: u64) -> usize {
        (key as usize ^ (key >> 12) as usize) & (FRONT - 1)
    }

    /// Takes the block for `key` out of the front table (a move, no reference counting on the
    /// hot path) or clones it from the map. Give it back with [`BlockCache::put_back`].
    #[inline]
    pub fn take(&mut self, key: u64) -> Option<(Arc<Block>, Ticket)> {
        if self.front.is_empty() {
            self.front = vec![None; FRONT];
        }
        let slot = Self::slot(key);
        let ticket = Ticket {
            key,
            generation: self.generation,
        };
        if let Some((k, _)) = &self.front[slot] {
            if *k == key {
                self.stats.hits += 1;
                return self.front[slot].take().map(|(_, b)| (b, ticket));
            }
        }
        let b = self.map.get(&key)?.clone();
        self.stats.hits += 1;
        Some((b, ticket))
    }

    /// Returns a block taken with [`BlockCache::take`] to the front table, unless the cache
    /// was invalidated meanwhile.
    #[inline(always)]
    pub fn put_back(&mut self, block: Arc<Block>, ticket: Ticket) {
        if ticket.generation == self.generation && !self.front.is_empty() {
            self.front[Self::slot(ticket.key)] = Some((ticket.key, block));
        }
    }

    pub fn insert(&mut self, key: u64, block: Arc<Block>) {
        self.stats.misses += 1;
        let first = block.phys >> 12;
        let last = (block.phys + block.bytes.max(1) - 1) >> 12;
        for p in first..=last {
            self.by_page.entry(p).or_default().push(key);
        }
        self.map.insert(key, block);
    }

    /// Drops every block of a physical page touching the code `lines` of that page (see
    /// `memory::phys::line_mask`).
    pub fn invalidate_lines(&mut self, page: u32, lines: u64) {
        let Some(keys) = self.by_page.remove(&page) else {
            return;
        };
        let mut kept = Vec::with_capacity(keys.len());
        let mut dropped = false;
        for k in keys {
            let hit = self.map.get(&k).is_some_and(|b| {
                let off = b.phys & 0xFFF;
                let n = b.bytes.clamp(1, 0x1000 - off);
                crate::memory::line_mask(off, n) & lines != 0
            });
            if !hit && self.map.contains_key(&k) {
                kept.push(k);
                continue;
            }
            dropped = true;
            if self.map.remove(&k).is_some() {
                self.stats.invalidated_blocks += 1;
            }
            let slot = Self::slot(k);
            if let Some(Some((fk, _))) = self.front.get(slot) {
                if *fk == k {
                    self.front[slot] = None;
                }
            }
        }
        if dropped {
            self.generation += 1;
        }
        if !kept.is_empty() {
            self.by_page.insert(page, kept);
        }
    }

    /// Drops every block touching a physical page.
    pub fn invalidate_page(&mut self, page: u32) {
        if let Some(keys) = self.by_page.remove(&page) {
            self.generation += 1;
            for k in keys {
                if self.map.remove(&k).is_some() {
                    self.stats.invalidated_blocks += 1;
                }
                let slot = Self::slot(k);
                if let Some(Some((fk, _))) = self.front.get(slot) {
                    if *fk == k {
                        self.front[slot] = None;
                    }
                }
            }
        }
    }

    /// Drops everything (mode changes that alter decoding, model changes, reset).
    pub fn clear(&mut self) {
        self.generation += 1;
        self.clears += 1;
        self.map.clear();
        self.by_page.clear();
        self.front.clear();
    }

    /// Whole-cache flushes so far (resets, mode changes of the host, full code caches).
    pub fn clears(&self) -> u64 {
        self.clears
    }

    /// Changes whenever a block is dropped (invalidated or flushed): holders of block
    /// references outside the cache compare it to drop theirs.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

impl Cpu {
    /// Applies pending self-modifying-code invalidations.
    pub(crate) fn process_smc(&mut self) {
        for (p, lines) in self.mem.take_smc_lines() {
            self.cache.invalidate_lines(p, lines);
        }
    }
}

/// Placeholder used while a block is being built.
pub fn nop_handler(_: &mut Cpu, _: &mut dyn Bus, _: &DecodedInsn) -> GResult<()> {
    Ok(())
}
