//! The decoded-block cache: blocks of decoded instructions keyed by the physical address of their
//! first byte and the code size, invalidated when the guest writes to their pages.

use crate::bus::Bus;
use crate::fault::GResult;
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
    pub stats: CacheStats,
}

const FRONT: usize = 4096;

#[inline]
pub fn block_key(phys: u32, code32: bool) -> u64 {
    phys as u64 | (code32 as u64) << 32
}

impl BlockCache {
    #[inline]
    pub fn get(&mut self, key: u64) -> Option<Arc<Block>> {
        if self.front.is_empty() {
            self.front = vec![None; FRONT];
        }
        let slot = (key as usize ^ (key >> 12) as usize) & (FRONT - 1);
        if let Some((k, b)) = &self.front[slot] {
            if *k == key {
                self.stats.hits += 1;
                return Some(b.clone());
            }
        }
        let b = self.map.get(&key)?.clone();
        self.front[slot] = Some((key, b.clone()));
        self.stats.hits += 1;
        Some(b)
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

    /// Drops every block touching a physical page.
    pub fn invalidate_page(&mut self, page: u32) {
        if let Some(keys) = self.by_page.remove(&page) {
            for k in keys {
                if self.map.remove(&k).is_some() {
                    self.stats.invalidated_blocks += 1;
                }
                let slot = (k as usize ^ (k >> 12) as usize) & (FRONT - 1);
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
        self.map.clear();
        self.by_page.clear();
        self.front.clear();
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
        for p in self.mem.take_smc_pages() {
            self.cache.invalidate_page(p);
        }
    }
}

/// Placeholder used while a block is being built.
pub fn nop_handler(_: &mut Cpu, _: &mut dyn Bus, _: &DecodedInsn) -> GResult<()> {
    Ok(())
}
