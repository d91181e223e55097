//! Segment limit and type checks: offset within a segment to linear address.

use crate::fault::{Fault, GResult};
use crate::state::SegReg;
use crate::Cpu;

impl Cpu {
    /// Checks an access of `len` bytes at `seg:off` and returns the linear address.
    /// In real and v86 mode only the cached limit is checked; the 8086 checks nothing.
    #[inline]
    pub fn seg_check(&self, seg: SegReg, off: u32, len: u32, write: bool) -> GResult<u32> {
        let s = &self.state.segs[seg as usize];
        if !self.state.protected() {
            if self.model.is_286_plus() && off as u64 + len as u64 - 1 > s.limit as u64 {
                // The 286 reports real-mode stack overruns as #GP too.
                if self.model == crate::CpuModel::I80286 {
                    return Err(Fault::gp(0));
                }
                return Err(seg_fault(seg));
            }
            return Ok(s.base.wrapping_add(off));
        }
        if !s.valid {
            return Err(seg_fault_null(seg));
        }
        if write && !s.writable() || !write && !s.readable() {
            return Err(seg_fault_null(seg));
        }
        let last = off.wrapping_add(len - 1);
        let ok = if s.expand_down() {
            let upper = if s.big() { 0xFFFF_FFFF } else { 0xFFFF };
            off > s.limit && last >= off && last <= upper
        } else {
            last >= off && last <= s.limit
        };
        if !ok {
            return Err(seg_fault(seg));
        }
        Ok(s.base.wrapping_add(off))
    }
}

/// #SS(0) for the stack segment, #GP(0) for the others.
#[inline]
pub fn seg_fault(seg: SegReg) -> Fault {
    if seg == SegReg::Ss {
        Fault::ss(0)
    } else {
        Fault::gp(0)
    }
}

fn seg_fault_null(seg: SegReg) -> Fault {
    seg_fault(seg)
}
