//! The tables compiled code reads at run time (through `r14`): per segment register the base
//! and the offsets an access may use without the interpreter's checks, a fast TLB of linear
//! pages backed by plain RAM, and the jump cache that links a block's exit to the next
//! compiled block. All of it is derived from the CPU state and the interpreter's caches, and
//! resynchronised (`Shared::sync`) whenever compiled code is entered from the run loop.

use rawbox_cpu::decode::Block;
use rawbox_cpu::Cpu;
use std::mem::offset_of;
use std::sync::Arc;

/// Fast TLB entries (direct mapped by the low bits of the linear page number, as the
/// interpreter's TLB).
pub const TLB_ENTRIES: usize = 1024;
/// Jump cache entries.
pub const JC_ENTRIES: usize = 4096;
/// A tag no page-aligned address matches.
pub const NO_TAG: u32 = 1;
/// A mode no block has.
pub const NO_MODE: u32 = u32::MAX;

/// One segment register.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct FastSeg {
    pub base: u32,
    _pad: u32,
    /// Highest offset of the last byte of an inline read / write (-1: none).
    pub rlim: i64,
    pub wlim: i64,
    _pad2: u64,
}

/// One fast TLB entry: `host = lin + addend` for reads when `rtag`, for writes when `wtag`
/// equals the linear page base.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TlbEntry {
    pub rtag: u32,
    pub wtag: u32,
    pub addend: u64,
}

/// One jump cache entry: the compiled block for linear address `lin` in `mode`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct JcEntry {
    pub lin: u32,
    pub mode: u32,
    /// Its instruction count.
    pub insns: u64,
    /// Where its code continues a chain (after the prologue).
    pub code: u64,
    _pad: u64,
}

/// Per-run values compiled code reads and writes (one run of compiled code at a time).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct RunArea {
    /// Compiled code may go on into a next block while the instruction counter plus that
    /// block's length stays within this (0: no chaining).
    pub chain_end: u64,
    /// EIP at the entry of the block running now (its code addresses EIP relative to it).
    pub entry_eip: u32,
    _pad: u32,
    /// The `JitCtx` of the run, passed to helpers.
    pub ctx: u64,
    _pad2: u64,
}

/// What compiled code addresses.
#[repr(C)]
pub struct JitTables {
    pub run: RunArea,
    pub segs: [FastSeg; 8],
    pub tlb: [TlbEntry; TLB_ENTRIES],
    pub jc: [JcEntry; JC_ENTRIES],
}

/// Byte offsets in [`JitTables`].
pub mod off {
    use super::*;
    pub const RUN_CHAIN_END: i32 =
        (offset_of!(JitTables, run) + offset_of!(RunArea, chain_end)) as i32;
    pub const RUN_ENTRY_EIP: i32 =
        (offset_of!(JitTables, run) + offset_of!(RunArea, entry_eip)) as i32;
    pub const RUN_CTX: i32 = (offset_of!(JitTables, run) + offset_of!(RunArea, ctx)) as i32;
    pub const SEGS: i32 = offset_of!(JitTables, segs) as i32;
    pub const SEG_SIZE: i32 = std::mem::size_of::<FastSeg>() as i32;
    pub const SEG_BASE: i32 = offset_of!(FastSeg, base) as i32;
    pub const SEG_RLIM: i32 = offset_of!(FastSeg, rlim) as i32;
    pub const SEG_WLIM: i32 = offset_of!(FastSeg, wlim) as i32;
    pub const TLB: i32 = offset_of!(JitTables, tlb) as i32;
    pub const TLB_RTAG: i32 = TLB + offset_of!(TlbEntry, rtag) as i32;
    pub const TLB_WTAG: i32 = TLB + offset_of!(TlbEntry, wtag) as i32;
    pub const TLB_ADDEND: i32 = TLB + offset_of!(TlbEntry, addend) as i32;
    pub const JC: i32 = offset_of!(JitTables, jc) as i32;
    pub const JC_LIN: i32 = JC + offset_of!(JcEntry, lin) as i32;
    pub const JC_MODE: i32 = JC + offset_of!(JcEntry, mode) as i32;
    pub const JC_INSNS: i32 = JC + offset_of!(JcEntry, insns) as i32;
    pub const JC_CODE: i32 = JC + offset_of!(JcEntry, code) as i32;
}

const _: () = assert!(std::mem::size_of::<TlbEntry>() == 16);
const _: () = assert!(std::mem::size_of::<JcEntry>() == 32);

/// The slot of a linear address in the jump cache (as the emitted lookup computes it).
pub fn jc_slot(lin: u32) -> usize {
    ((lin ^ (lin >> 12)) as usize) & (JC_ENTRIES - 1)
}

/// The slot of a linear address in the fast TLB.
pub fn tlb_slot(lin: u32) -> usize {
    ((lin >> 12) as usize) & (TLB_ENTRIES - 1)
}

/// The tables plus what keeps them valid.
pub struct Tables {
    pub t: Box<JitTables>,
    /// The blocks the jump cache links to, kept alive while compiled code may jump into them
    /// (entries are only replaced from the run loop, never while compiled code runs).
    holders: Vec<Option<Arc<Block>>>,
    /// The CPU generations (TLB, memory map) and privilege level the TLB entries are for.
    tlb_key: (u64, u64, u8),
    /// The CPU generations (blocks, TLB) the jump cache entries are for.
    jc_key: (u64, u64),
    /// Host address of guest RAM.
    ram: usize,
    /// What the segment entries were computed from.
    seg_key: Option<([rawbox_cpu::state::Segment; 6], bool, bool)>,
    /// Fast TLB and jump cache slots filled since they were last cleared.
    tlb_used: Vec<u16>,
    jc_used: Vec<u16>,
}

impl Default for Tables {
    fn default() -> Tables {
        let seg = FastSeg {
            base: 0,
            _pad: 0,
            rlim: -1,
            wlim: -1,
            _pad2: 0,
        };
        let tlb = TlbEntry {
            rtag: NO_TAG,
            wtag: NO_TAG,
            addend: 0,
        };
        let jc = JcEntry {
            lin: 0,
            mode: NO_MODE,
            insns: 0,
            code: 0,
            _pad: 0,
        };
        Tables {
            t: Box::new(JitTables {
                run: RunArea::default(),
                segs: [seg; 8],
                tlb: [tlb; TLB_ENTRIES],
                jc: [jc; JC_ENTRIES],
            }),
            holders: vec![None; JC_ENTRIES],
            tlb_key: (u64::MAX, u64::MAX, u8::MAX),
            jc_key: (u64::MAX, u64::MAX),
            ram: 0,
            seg_key: None,
            tlb_used: Vec::new(),
            jc_used: Vec::new(),
        }
    }
}

impl Tables {
    /// Brings the tables up to date with the CPU: segment entries always; the TLB when the
    /// TLB, the memory map or the privilege level changed; the jump cache when blocks or
    /// translations changed. `links` only while no compiled code runs: the jump cache then
    /// also lets go of the blocks it held (mid-run, its entries are only disabled).
    pub fn sync(&mut self, cpu: &mut Cpu, links: bool) {
        self.sync_segments(cpu);
        let (blocks, tlb, map) = cpu.engine_generations();
        let tlb_key = (tlb, map, cpu.state.cpl);
        if tlb_key != self.tlb_key {
            for k in self.tlb_used.drain(..) {
                let e = &mut self.t.tlb[k as usize];
                e.rtag = NO_TAG;
                e.wtag = NO_TAG;
            }
            self.tlb_key = tlb_key;
            self.ram = cpu.ram_host_base() as usize;
        }
        if (blocks, tlb) != self.jc_key {
            for &k in &self.jc_used {
                self.t.jc[k as usize].mode = NO_MODE;
            }
            if links {
                for k in self.jc_used.drain(..) {
                    self.holders[k as usize] = None;
                }
                self.jc_key = (blocks, tlb);
            }
        }
    }

    /// The segment entries.
    pub fn sync_segments(&mut self, cpu: &Cpu) {
        let key = cpu.fast_segment_key();
        if self.seg_key == Some(key) {
            return;
        }
        self.seg_key = Some(key);
        for (i, s) in self.t.segs.iter_mut().enumerate().take(6) {
            let (base, rlim, wlim) = cpu.fast_segment(rawbox_cpu::SegReg::from_index(i));
            s.base = base;
            s.rlim = rlim;
            s.wlim = wlim;
        }
    }

    /// After an access at `lin` of `bytes` bytes completed through the accessors: lets later
    /// ones of its kind go straight to RAM if the CPU allows it.
    pub fn fill_tlb(&mut self, cpu: &Cpu, lin: u32, bytes: u32, write: bool) {
        if self.ram == 0 || (lin & 0xFFF) + bytes > 0x1000 || !cpu.fast_memory_allowed() {
            return;
        }
        let (_, tlb, map) = cpu.engine_generations();
        if (tlb, map, cpu.state.cpl) != self.tlb_key {
            return;
        }
        let Some(phys) = cpu.fast_page(lin, write) else {
            return;
        };
        let page = lin & !0xFFF;
        let addend = (self.ram as u64)
            .wrapping_add(phys as u64)
            .wrapping_sub(page as u64);
        let slot = tlb_slot(lin);
        let e = &mut self.t.tlb[slot];
        if e.rtag == NO_TAG && e.wtag == NO_TAG {
            self.tlb_used.push(slot as u16);
        }
        if e.addend != addend || (e.rtag != page && e.wtag != page) {
            e.rtag = NO_TAG;
            e.wtag = NO_TAG;
            e.addend = addend;
        }
        if write {
            e.wtag = page;
            // A writable page is readable for the same privilege level.
            e.rtag = page;
        } else {
            e.rtag = page;
        }
    }

    /// Links `lin` in `mode` to `block`, whose code continues a chain at `code` (run loop
    /// only).
    pub fn link(&mut self, lin: u32, mode: u32, block: &Arc<Block>, code: u64) {
        let k = jc_slot(lin);
        let e = &self.t.jc[k];
        if e.lin == lin
            && e.mode == mode
            && self.holders[k]
                .as_ref()
                .is_some_and(|h| Arc::ptr_eq(h, block))
        {
            return;
        }
        if self.holders[k].is_none() {
            self.jc_used.push(k as u16);
        }
        self.t.jc[k] = JcEntry {
            lin,
            mode,
            insns: block.insns.len() as u64,
            code,
            _pad: 0,
        };
        self.holders[k] = Some(block.clone());
    }

    /// Base address of the tables for compiled code.
    pub fn base(&mut self) -> *mut JitTables {
        &mut *self.t
    }
}

/// The tables shared by the compiler and every translation it made (all used by the one
/// thread that runs the CPU).
pub struct SharedTables(std::cell::UnsafeCell<Tables>);

// SAFETY: the tables are only touched by the thread running the CPU that owns the JIT (the
// compiled blocks live in that CPU's block cache and run only from its run loop); the
// `Arc` just lets every translation reach them.
unsafe impl Send for SharedTables {}
// SAFETY: as above: no two threads use one CPU's JIT at once.
unsafe impl Sync for SharedTables {}

impl SharedTables {
    pub fn new() -> SharedTables {
        SharedTables(std::cell::UnsafeCell::new(Tables::default()))
    }

    /// The tables, for the run loop's entry into compiled code.
    #[allow(clippy::mut_from_ref)]
    pub fn get(&self) -> &mut Tables {
        // SAFETY: called only by `CompiledCode::run` on the CPU thread, which is never
        // re-entered while compiled code runs (helpers do not run blocks), so no other
        // reference to the tables is live; compiled code and its helpers use them only
        // during that call, through the pointer `run` derives from this reference.
        unsafe { &mut *self.0.get() }
    }
}

impl Default for SharedTables {
    fn default() -> Self {
        SharedTables::new()
    }
}
