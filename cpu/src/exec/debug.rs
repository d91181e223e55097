//! Debug registers: instruction breakpoints from DR0-DR3/DR7 (with RF to resume) and the
//! single-step trap bookkeeping.

use crate::fault::{vector, Fault, GResult};
use crate::flags::bits::RF;
use crate::Cpu;

impl Cpu {
    /// True when any DR7 breakpoint is enabled (the run loop then checks every instruction).
    #[inline]
    pub(crate) fn debug_active(&self) -> bool {
        self.state.dr[7] & 0xFF != 0 && self.model.is_386_plus()
    }

    /// Raises #DB if an enabled execute breakpoint matches the linear address of `eip`.
    pub(crate) fn check_exec_breakpoint(&mut self, eip: u32) -> GResult<()> {
        if self.state.flags.bits & RF != 0 {
            self.state.flags.bits &= !RF;
            return Ok(());
        }
        let lin = self.state.segs[1].base.wrapping_add(eip);
        let dr7 = self.state.dr[7];
        for n in 0..4 {
            let enabled = (dr7 >> (n * 2)) & 3 != 0;
            let rw = (dr7 >> (16 + n * 4)) & 3;
            if enabled && rw == 0 && self.state.dr[n] == lin {
                self.state.dr[6] |= 1 << n;
                // The pushed EFLAGS carries RF so IRET resumes past the breakpoint.
                self.state.flags.bits |= RF;
                return Err(Fault::exc(vector::DB));
            }
        }
        Ok(())
    }
}

impl Cpu {
    /// Records data breakpoints (DR7 RW = 01 write, 11 read/write) hit by an access of `n`
    /// bytes at linear `lin`; the #DB trap is taken after the instruction completes.
    pub(crate) fn check_data_breakpoints(&mut self, lin: u32, n: u32, write: bool) {
        let dr7 = self.state.dr[7];
        for i in 0..4 {
            let enabled = (dr7 >> (i * 2)) & 3 != 0;
            let rw = (dr7 >> (16 + i * 4)) & 3;
            if !enabled || !(rw == 3 || (rw == 1 && write)) {
                continue;
            }
            let len = match (dr7 >> (18 + i * 4)) & 3 {
                0 => 1u64,
                1 => 2,
                2 => 8,
                _ => 4,
            };
            let start = (self.state.dr[i] as u64) & !(len - 1);
            let (a0, a1) = (lin as u64, lin as u64 + n as u64);
            if a0 < start + len && start < a1 {
                self.data_bp_hits |= 1 << i;
            }
        }
    }
}
