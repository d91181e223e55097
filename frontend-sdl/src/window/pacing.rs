//! Keeping the guest's clock on the wall clock. At full speed the CPU runs as fast as the
//! host allows and the virtual time each instruction takes is tuned so that guest time
//! follows real time (timers, the BIOS clock and music play at their real rate). With a MIPS
//! target each instruction takes a fixed time and the pacer sleeps when the guest is ahead.

use rawbox_vmm::machine::{MAX_INSN_PS, MIN_INSN_PS};
use std::time::Duration;

/// How fast the guest CPU runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Speed {
    /// As fast as the host can; guest time follows the wall clock.
    Full,
    /// About this many million instructions per second.
    Mips(f64),
}

/// Guest time behind the wall clock beyond which the pacer stops trying to catch up
/// (after a host stall, a pause or a debugger stop) and continues from now.
const MAX_LAG_NS: u64 = 250_000_000;
/// Guest time ahead of the wall clock that is slept off.
const MIN_SLEEP_NS: u64 = 1_000_000;

/// The pacer's state.
#[derive(Debug)]
pub struct Pacer {
    speed: Speed,
    insn_ps: f64,
    /// Guest time minus wall time at the start (the wall clock is re-based after long lags).
    offset_ns: i128,
}

impl Pacer {
    pub fn new(speed: Speed, start_insn_ps: u64) -> Pacer {
        let insn_ps = match speed {
            Speed::Full => start_insn_ps as f64,
            Speed::Mips(m) => 1e6 / m.max(0.1),
        };
        Pacer {
            speed,
            insn_ps: insn_ps.clamp(MIN_INSN_PS as f64, MAX_INSN_PS as f64),
            offset_ns: 0,
        }
    }

    /// Picoseconds of guest time per instruction to use for the next slice.
    pub fn insn_ps(&self) -> u64 {
        self.insn_ps as u64
    }

    /// Learns from a slice where the guest ran `insns` instructions in `host_ns` of host
    /// time without halting (full speed only): one instruction should take as long in guest
    /// time as it took on the host.
    pub fn after_busy_slice(&mut self, insns: u64, host_ns: u64) {
        if self.speed != Speed::Full || insns < 1000 {
            return;
        }
        let measured = host_ns as f64 * 1000.0 / insns as f64;
        let blended = 0.9 * self.insn_ps + 0.1 * measured;
        self.insn_ps = blended.clamp(MIN_INSN_PS as f64, MAX_INSN_PS as f64);
    }

    /// Given guest time and wall time (both since start), how long to sleep before running
    /// more. Re-bases the clock when the guest fell too far behind.
    pub fn sleep_for(&mut self, guest_ns: u64, wall_ns: u64) -> Option<Duration> {
        let ahead = guest_ns as i128 - (wall_ns as i128 + self.offset_ns);
        if ahead >= MIN_SLEEP_NS as i128 {
            return Some(Duration::from_nanos(ahead as u64));
        }
        if -ahead > MAX_LAG_NS as i128 {
            self.offset_ns += ahead;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mips_target_fixes_the_instruction_time() {
        let mut p = Pacer::new(Speed::Mips(25.0), 10_000);
        assert_eq!(p.insn_ps(), 40_000);
        p.after_busy_slice(1_000_000, 1_000_000);
        assert_eq!(p.insn_ps(), 40_000);
    }

    #[test]
    fn full_speed_converges_to_the_host_rate() {
        let mut p = Pacer::new(Speed::Full, 10_000);
        // The host runs 250 MIPS: 4 ns per instruction.
        for _ in 0..200 {
            p.after_busy_slice(250_000, 1_000_000);
        }
        assert!((p.insn_ps() as i64 - 4_000).abs() < 50, "{}", p.insn_ps());
    }

    #[test]
    fn rates_stay_in_bounds() {
        let mut p = Pacer::new(Speed::Full, 10_000);
        for _ in 0..500 {
            p.after_busy_slice(u64::MAX / 4, 1);
        }
        assert_eq!(p.insn_ps(), MIN_INSN_PS);
        let p = Pacer::new(Speed::Mips(0.0), 10_000);
        assert_eq!(p.insn_ps(), MAX_INSN_PS);
    }

    #[test]
    fn sleeps_when_ahead_and_forgives_long_lags() {
        let mut p = Pacer::new(Speed::Full, 10_000);
        assert_eq!(
            p.sleep_for(10_000_000, 4_000_000),
            Some(Duration::from_millis(6))
        );
        assert_eq!(p.sleep_for(4_500_000, 4_000_000), None);
        // One second behind (a host stall): continue from now instead of racing.
        assert_eq!(p.sleep_for(1_000_000_000, 2_000_000_000), None);
        assert_eq!(
            p.sleep_for(1_010_000_000, 2_000_000_000),
            Some(Duration::from_millis(10))
        );
    }
}
