//! What compiled code may do without the interpreter's memory accessors: the offsets of a
//! segment an access may use directly, and the linear pages the current privilege level may
//! read or write straight in RAM. The interpreter's accessors stay the reference: everything
//! these functions decline goes through them.

use crate::flags::bits as fl;
use crate::state::{cr0, SegReg};
use crate::Cpu;

/// "No access may bypass the accessors" as a segment limit.
pub const NEVER: i64 = -1;

impl Cpu {
    /// Whether memory accesses may bypass the accessors at all: no debug register or host
    /// watchpoint armed, no alignment check possible.
    pub fn fast_memory_allowed(&self) -> bool {
        let align_checks = self.state.cpl == 3
            && self.state.cr0 & cr0::AM != 0
            && self.state.flags.bits & fl::AC != 0
            && self.model.is_486_plus();
        !self.debug_active() && self.host_debug.is_none() && !align_checks
    }

    /// For a segment register: its base and the highest offset of the last byte of a read and
    /// of a write that pass every segment check ([`NEVER`] when some check needs the
    /// accessor: null, unreadable or unwritable, expand-down, system segments).
    pub fn fast_segment(&self, seg: SegReg) -> (u32, i64, i64) {
        let s = &self.state.segs[seg as usize];
        if !self.fast_memory_allowed() {
            return (s.base, NEVER, NEVER);
        }
        if !self.state.protected() {
            // Real and virtual-8086 mode: only the limit (and on the 8086 the 64 KB wrap,
            // which its 0xFFFF limit sends to the accessor too).
            let limit = if self.model.is_286_plus() {
                s.limit
            } else {
                0xFFFF
            } as i64;
            return (s.base, limit, limit);
        }
        use crate::state::access::{CODE, DC, RW, S};
        if !s.valid || s.access & S == 0 || (s.access & CODE == 0 && s.access & DC != 0) {
            return (s.base, NEVER, NEVER);
        }
        let limit = s.limit as i64;
        if s.access & CODE != 0 {
            let read = if s.access & RW != 0 { limit } else { NEVER };
            (s.base, read, NEVER)
        } else {
            let write = if s.access & RW != 0 { limit } else { NEVER };
            (s.base, limit, write)
        }
    }

    /// For a linear address an access of this kind just completed at: the physical page
    /// base if such accesses by the current privilege level may go straight to RAM until the
    /// TLB or the memory map changes (see `engine_generations`).
    pub fn fast_page(&self, lin: u32, write: bool) -> Option<u32> {
        let phys = if self.state.paging() {
            let e = self.tlb.lookup(lin)?;
            let user = self.state.cpl == 3;
            let ok = if write {
                e.dirty && if user { e.user_write } else { e.sup_write }
            } else {
                !user || e.user_ok
            };
            if !ok {
                return None;
            }
            e.phys
        } else {
            lin & !0xFFF
        } & self.mem.addr_mask();
        self.mem.plain_ram_page(phys, write).then_some(phys)
    }

    /// Everything [`Cpu::fast_segment`] depends on, to recompute it only when this changes.
    pub fn fast_segment_key(&self) -> ([crate::state::Segment; 6], bool, bool) {
        let mut segs = [crate::state::Segment::default(); 6];
        segs.copy_from_slice(&self.state.segs[..6]);
        (segs, self.state.protected(), self.fast_memory_allowed())
    }

    /// Host address of guest RAM (stable for the CPU's lifetime).
    pub fn ram_host_base(&mut self) -> *mut u8 {
        self.mem.host_base()
    }
}
