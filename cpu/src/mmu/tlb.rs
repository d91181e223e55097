//! A direct-mapped software TLB caching linear-to-physical page translations.

/// Number of entries (direct mapped by the low bits of the linear page number).
pub const TLB_SIZE: usize = 1024;

/// One cached translation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct TlbEntry {
    /// Linear page number + 1 (0 = invalid).
    pub tag: u32,
    /// Physical page base.
    pub phys: u32,
    /// The page may be written at user level / supervisor level without a fault, and its
    /// dirty bit is already set.
    pub user_ok: bool,
    pub user_write: bool,
    pub sup_write: bool,
    pub dirty: bool,
    /// Global page (PGE): survives CR3 reloads.
    pub global: bool,
}

/// The TLB.
#[derive(Clone, Debug)]
pub struct Tlb {
    pub entries: Box<[TlbEntry; TLB_SIZE]>,
    /// Counters for statistics.
    pub misses: u64,
    /// Bumped by every flush and invalidation: holders of derived translations (the JIT's
    /// fast TLB and block links) compare it to drop theirs.
    pub generation: u64,
}

impl Default for Tlb {
    fn default() -> Self {
        Tlb {
            entries: Box::new([TlbEntry::default(); TLB_SIZE]),
            misses: 0,
            generation: 0,
        }
    }
}

impl Tlb {
    #[inline]
    pub fn slot(lin: u32) -> usize {
        ((lin >> 12) as usize) & (TLB_SIZE - 1)
    }
    #[inline]
    pub fn lookup(&self, lin: u32) -> Option<&TlbEntry> {
        let e = &self.entries[Self::slot(lin)];
        if e.tag == (lin >> 12) + 1 {
            Some(e)
        } else {
            None
        }
    }
    pub fn insert(&mut self, lin: u32, e: TlbEntry) {
        self.entries[Self::slot(lin)] = TlbEntry {
            tag: (lin >> 12) + 1,
            ..e
        };
    }
    /// Flushes everything (or everything but global pages).
    pub fn flush(&mut self, keep_global: bool) {
        self.generation += 1;
        for e in self.entries.iter_mut() {
            if !(keep_global && e.global) {
                e.tag = 0;
            }
        }
    }
    /// INVLPG.
    pub fn invalidate(&mut self, lin: u32) {
        self.generation += 1;
        let e = &mut self.entries[Self::slot(lin)];
        if e.tag == (lin >> 12) + 1 {
            e.tag = 0;
        }
    }
}
