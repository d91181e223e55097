//! Idle detection for guests that wait for a key by polling. DOS (FreeDOS's kernel, FreeCOM,
//! most editors) waits at its prompt by calling INT 16h AH=01h/11h in a tight loop instead
//! of halting, which would keep a host core busy forever. When the BIOS answers "no key"
//! many times in a row with only a few instructions in between, the next empty answer
//! makes the BIOS stub wait in `STI; HLT` for the next interrupt (the timer tick at the
//! latest) before returning, as a BIOS that idles in INT 16h does. Polling loops that do real
//! work between polls (games animating while checking the keyboard) are left alone, and so
//! are polls between other BIOS work (a shell checking for Ctrl-C while it loads a program).

use rawbox_cpu::Cpu;

/// At most this many instructions between two empty polls for them to count as tight.
const TIGHT_GAP_INSNS: u64 = 2_000;
/// Tight empty polls in a row before the guest is treated as idle. High enough that short
/// loops counting iterations while checking the keyboard (FreeDOS runs one of about 200
/// polls when it starts a program) finish at full speed; a shell idling at its prompt gets
/// there within a few milliseconds.
const IDLE_AFTER_POLLS: u32 = 2_000;

/// The streak of empty keyboard polls.
#[derive(Clone, Debug, Default)]
pub struct PollIdle {
    last_empty_insn: u64,
    streak: u32,
    /// The last empty poll was turned into a wait: the stub's retry after the wake-up
    /// must return to the caller.
    waited: bool,
    /// Polls turned into waits, for statistics.
    pub idled: u64,
}

impl PollIdle {
    /// Records a keyboard check that found no key at instruction count `insns`; true when the
    /// caller should wait for the next interrupt.
    pub fn empty_poll(&mut self, insns: u64) -> bool {
        let gap = insns.wrapping_sub(self.last_empty_insn);
        self.last_empty_insn = insns;
        if std::mem::take(&mut self.waited) {
            return false;
        }
        if gap <= TIGHT_GAP_INSNS {
            self.streak = self.streak.saturating_add(1);
        } else {
            self.streak = 0;
        }
        let idle = self.streak >= IDLE_AFTER_POLLS;
        if idle {
            self.idled += 1;
            self.waited = true;
        }
        idle
    }

    /// A key was delivered, or the guest did other BIOS work: the streak starts over.
    pub fn key_seen(&mut self) {
        self.streak = 0;
        self.waited = false;
    }

    /// The wait could not happen after all (the caller had interrupts off).
    pub fn cancel_wait(&mut self) {
        self.waited = false;
    }
}

/// Whether the INT 16h caller can be made to wait: it had interrupts enabled (the FLAGS
/// image the INT pushed, at SS:SP+4 in the stub) and the timer interrupt is unmasked, so
/// the wait ends within a tick.
pub fn can_wait(cpu: &Cpu, pic_imr: u8) -> bool {
    if cpu.state.protected() && !cpu.state.flags.vm() {
        return false;
    }
    let ss = cpu.state.segs[rawbox_cpu::SegReg::Ss as usize].base;
    let sp = cpu.state.regs[4] & 0xFFFF;
    let mut flags = [0u8; 2];
    cpu.mem
        .read_bytes(ss.wrapping_add((sp + 4) & 0xFFFF), &mut flags);
    let caller_if = u16::from_le_bytes(flags) & 0x200 != 0;
    caller_if && pic_imr & 1 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tight_polling_loop_becomes_idle() {
        let mut p = PollIdle::default();
        let mut insns = 0;
        let mut idle_at = None;
        for k in 0..IDLE_AFTER_POLLS as usize + 100 {
            insns += 200;
            if p.empty_poll(insns) && idle_at.is_none() {
                idle_at = Some(k);
            }
        }
        assert_eq!(idle_at, Some(IDLE_AFTER_POLLS as usize - 1));
    }

    #[test]
    fn the_retry_after_a_wait_returns_to_the_caller() {
        let mut p = PollIdle::default();
        let mut insns = 0;
        while !p.empty_poll(insns) {
            insns += 100;
        }
        // The stub asks again right after the interrupt: that answer goes to the caller.
        assert!(!p.empty_poll(insns + 50));
        // A caller that keeps polling tightly waits again.
        insns += 50;
        let mut waits = 0;
        for _ in 0..1000 {
            insns += 100;
            waits += u32::from(p.empty_poll(insns));
        }
        assert!(waits > 400, "{waits}");
    }

    #[test]
    fn polling_between_real_work_never_idles() {
        let mut p = PollIdle::default();
        let mut insns = 0;
        for _ in 0..1000 {
            insns += 50_000;
            assert!(!p.empty_poll(insns));
        }
    }

    #[test]
    fn a_key_restarts_the_streak() {
        let mut p = PollIdle::default();
        for k in 0..IDLE_AFTER_POLLS as u64 - 1 {
            assert!(!p.empty_poll(k * 100));
        }
        p.key_seen();
        assert!(!p.empty_poll(IDLE_AFTER_POLLS as u64 * 100));
    }
}
