//! One 8254 counter: the mode/access programming, count and status latches, the gate input,
//! and the counting element computed lazily from elapsed input clocks (no per-clock stepping:
//! each catch-up is O(1) whatever the elapsed time).

/// How the counter's 16-bit value is read and written (control word RW bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Least significant byte only.
    Lsb,
    /// Most significant byte only.
    Msb,
    /// LSB then MSB.
    Word,
}

impl Access {
    fn bits(self) -> u8 {
        match self {
            Access::Lsb => 1,
            Access::Msb => 2,
            Access::Word => 3,
        }
    }
}

/// One of the three counters.
#[derive(Clone, Debug)]
pub struct Counter {
    /// Operating mode 0-5.
    mode: u8,
    /// BCD counting.
    bcd: bool,
    access: Access,
    /// The count register as last written (raw, BCD-encoded in BCD mode).
    count_register: u16,
    /// Word access: the next write is the MSB; holds the LSB already written.
    pending_lsb: Option<u8>,
    /// Word access: the next unlatched read returns the MSB.
    read_msb_next: bool,
    /// Count latched by a latch or read-back command.
    latched_count: Option<u16>,
    /// Word access: the next read of the latched count returns its MSB.
    latched_msb_next: bool,
    /// Status byte latched by a read-back command.
    latched_status: Option<u8>,
    /// Status bit 6: a count was written but not yet loaded into the counting element.
    null_count: bool,
    /// GATE input level.
    gate: bool,
    /// A count has been written since the control word (the counter may run).
    armed: bool,
    /// The next input clock loads the counting element from the count register.
    load_pending: bool,
    /// Modes 1 and 5: no gate trigger seen since the count was written.
    awaiting_trigger: bool,
    /// One-shot modes (0, 1, 4, 5): the counting element, 0..modulus.
    element: u32,
    /// Modes 4 and 5: the terminal count of this load has not yet been reached.
    strobe_armed: bool,
    /// Periodic modes (2, 3): the period in use, in clocks (1..=65536).
    period: u32,
    /// Periodic modes: clocks since the start of the current period.
    position: u32,
    /// Periodic modes: a count written while running, taken at the next boundary.
    next_period: Option<u32>,
    /// OUT pin.
    out: bool,
    /// Input clocks seen so far (absolute).
    last_clock: u64,
    /// Rising edges of OUT not yet collected.
    rising_edges: u64,
}

fn bcd_to_binary(raw: u16) -> u32 {
    let d = |shift: u16| u32::from((raw >> shift) & 0xF);
    (d(12) * 1000 + d(8) * 100 + d(4) * 10 + d(0)) % 10_000
}

fn binary_to_bcd(value: u32) -> u16 {
    let v = value % 10_000;
    ((v / 1000) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | (v % 10)) as u16
}

impl Counter {
    /// Power-on state: mode 0 with no count, gate as given.
    pub fn new(gate: bool) -> Counter {
        Counter {
            mode: 0,
            bcd: false,
            access: Access::Word,
            count_register: 0,
            pending_lsb: None,
            read_msb_next: false,
            latched_count: None,
            latched_msb_next: false,
            latched_status: None,
            null_count: true,
            gate,
            armed: false,
            load_pending: false,
            awaiting_trigger: false,
            element: 0,
            strobe_armed: false,
            period: 1,
            position: 0,
            next_period: None,
            out: false,
            last_clock: 0,
            rising_edges: 0,
        }
    }

    fn modulus(&self) -> u32 {
        if self.bcd {
            10_000
        } else {
            65_536
        }
    }

    /// The count register as a number of clocks (0 means the full range).
    fn initial_count(&self) -> u32 {
        let n = if self.bcd {
            bcd_to_binary(self.count_register)
        } else {
            u32::from(self.count_register)
        };
        if n == 0 {
            self.modulus()
        } else {
            n
        }
    }

    fn is_periodic(&self) -> bool {
        matches!(self.mode, 2 | 3)
    }

    fn set_out(&mut self, level: bool) {
        if level && !self.out {
            self.rising_edges += 1;
        }
        self.out = level;
    }

    /// Mode 3: clocks in the high half of a period of `n`.
    fn high_half(n: u32) -> u32 {
        n.div_ceil(2)
    }

    fn periodic_out(&self) -> bool {
        match self.mode {
            2 => self.period < 2 || self.position != self.period - 1,
            _ => self.position < Self::high_half(self.period),
        }
    }

    /// Clocks from a counting element value to its terminal count.
    fn clocks_to_zero(&self, element: u32) -> u64 {
        u64::from(if element == 0 {
            self.modulus()
        } else {
            element
        })
    }

    fn decrement(&self, element: u32, clocks: u64) -> u32 {
        let m = u64::from(self.modulus());
        ((u64::from(element) + m - clocks % m) % m) as u32
    }

    /// Catches up to absolute input clock `clock`.
    pub fn advance_to(&mut self, clock: u64) {
        let elapsed = clock.saturating_sub(self.last_clock);
        self.last_clock = self.last_clock.max(clock);
        self.run(elapsed);
    }

    fn run(&mut self, mut clocks: u64) {
        if clocks == 0 || !self.armed {
            return;
        }
        let gate_blocks_load = self.is_periodic() && !self.gate;
        if self.load_pending && !gate_blocks_load {
            self.load();
            clocks -= 1;
        }
        match self.mode {
            0 | 4 if !self.gate => {}
            1 | 5 if self.awaiting_trigger => {}
            2 | 3 if !self.gate || self.load_pending => {}
            0 | 1 => {
                if !self.out && clocks >= self.clocks_to_zero(self.element) {
                    self.set_out(true);
                }
                self.element = self.decrement(self.element, clocks);
            }
            4 | 5 => self.run_strobe(clocks),
            _ => self.run_periodic(clocks),
        }
    }

    /// Transfers the count register into the counting element (one input clock).
    fn load(&mut self) {
        self.load_pending = false;
        self.null_count = false;
        let n = self.initial_count();
        match self.mode {
            0 => self.element = n % self.modulus(),
            1 => {
                self.element = n % self.modulus();
                self.set_out(false);
            }
            4 | 5 => {
                self.element = n % self.modulus();
                self.strobe_armed = true;
            }
            _ => {
                self.period = n;
                self.position = 0;
                self.next_period = None;
                self.set_out(true);
            }
        }
    }

    fn run_strobe(&mut self, mut clocks: u64) {
        if !self.out && clocks > 0 {
            // The one-clock strobe ends.
            self.set_out(true);
            self.element = self.decrement(self.element, 1);
            clocks -= 1;
        }
        if self.strobe_armed {
            let to_zero = self.clocks_to_zero(self.element);
            if clocks >= to_zero {
                self.strobe_armed = false;
                if clocks == to_zero {
                    self.set_out(false);
                } else {
                    // The whole strobe passed since the last look.
                    self.set_out(false);
                    self.set_out(true);
                }
            }
        }
        self.element = self.decrement(self.element, clocks);
    }

    /// Clocks to the next point where a count written while running takes effect, and
    /// whether that point is the end of a period.
    fn clocks_to_boundary(&self) -> (u64, bool) {
        let half = Self::high_half(self.period);
        if self.mode == 3 && self.position < half {
            (u64::from(half - self.position), false)
        } else {
            (u64::from(self.period - self.position), true)
        }
    }

    fn run_periodic(&mut self, mut clocks: u64) {
        if let Some(next) = self.next_period {
            let (to_boundary, at_wrap) = self.clocks_to_boundary();
            if clocks < to_boundary {
                self.position += clocks as u32;
                self.set_out(self.periodic_out());
                return;
            }
            clocks -= to_boundary;
            self.next_period = None;
            self.null_count = false;
            self.period = next;
            // Mode 3 switching at mid-period starts the new count's low half.
            self.position = if at_wrap {
                0
            } else {
                Self::high_half(next).min(next - 1)
            };
            if at_wrap && self.period >= 2 {
                self.set_out(false);
            }
            self.set_out(self.periodic_out());
        }
        let n = u64::from(self.period);
        let total = u64::from(self.position) + clocks;
        let wraps = total / n;
        self.position = (total % n) as u32;
        if self.period >= 2 && wraps > 0 {
            // Each wrap is one rising edge of OUT (low at the end of a period, high after).
            self.out = false;
            self.rising_edges += wraps - 1;
            self.set_out(true);
        }
        self.out = self.periodic_out();
    }

    /// Clocks after the last catch-up until the next rising edge of OUT, if one is due
    /// without further programming or gate changes.
    pub fn clocks_to_next_rising_edge(&self) -> Option<u64> {
        if !self.armed {
            return None;
        }
        let n = u64::from(self.initial_count());
        match self.mode {
            0 if !self.gate || self.out => None,
            0 | 1 if self.load_pending => Some(1 + n),
            0 | 1 if !self.out && !self.awaiting_trigger => Some(self.clocks_to_zero(self.element)),
            4 if !self.gate => None,
            4 | 5 if self.load_pending => Some(n + 2),
            4 | 5 if !self.out => Some(1),
            4 if self.strobe_armed && self.gate => Some(self.clocks_to_zero(self.element) + 1),
            5 if self.strobe_armed => Some(self.clocks_to_zero(self.element) + 1),
            2 | 3 if !self.gate => None,
            2 | 3 if self.load_pending => (n >= 2).then_some(1 + n),
            2 | 3 => {
                let (to_boundary, at_wrap) = self.clocks_to_boundary();
                match self.next_period {
                    Some(next) if !at_wrap => {
                        let low = next - Self::high_half(next).min(next - 1);
                        Some(to_boundary + u64::from(low))
                    }
                    _ => (self.period >= 2).then_some(u64::from(self.period - self.position)),
                }
            }
            _ => None,
        }
    }

    /// Writes the control word's mode/access/BCD fields for this counter.
    pub fn program(&mut self, access: Access, mode: u8, bcd: bool) {
        self.access = access;
        self.mode = match mode & 7 {
            6 => 2,
            7 => 3,
            m => m,
        };
        self.bcd = bcd;
        self.pending_lsb = None;
        self.read_msb_next = false;
        self.latched_count = None;
        self.latched_msb_next = false;
        self.latched_status = None;
        self.null_count = true;
        self.armed = false;
        self.load_pending = false;
        self.awaiting_trigger = false;
        self.strobe_armed = false;
        self.next_period = None;
        self.set_out(self.mode != 0);
    }

    /// A data-port write (one byte of the count).
    pub fn write(&mut self, value: u8) {
        let raw = match self.access {
            Access::Lsb => u16::from(value),
            Access::Msb => u16::from(value) << 8,
            Access::Word => match self.pending_lsb.take() {
                None => {
                    self.pending_lsb = Some(value);
                    if self.mode == 0 {
                        // Writing the first byte stops a mode 0 count and drops OUT.
                        self.armed = false;
                        self.set_out(false);
                    }
                    return;
                }
                Some(lsb) => u16::from(value) << 8 | u16::from(lsb),
            },
        };
        self.count_register = raw;
        self.null_count = true;
        self.count_written();
    }

    fn count_written(&mut self) {
        match self.mode {
            0 => {
                self.set_out(false);
                self.armed = true;
                self.load_pending = true;
            }
            1 | 5 => {
                if !self.armed {
                    self.awaiting_trigger = true;
                }
                self.armed = true;
            }
            2 | 3 if self.armed && !self.load_pending => {
                self.next_period = Some(self.initial_count());
            }
            _ => {
                self.armed = true;
                self.load_pending = true;
            }
        }
    }

    /// Changes the GATE input level.
    pub fn set_gate(&mut self, level: bool) {
        let rising = level && !self.gate;
        self.gate = level;
        if !self.armed {
            return;
        }
        match self.mode {
            1 | 5 if rising => {
                self.awaiting_trigger = false;
                self.load_pending = true;
            }
            2 | 3 if rising => self.load_pending = true,
            2 | 3 if !level => self.set_out(true),
            _ => {}
        }
    }

    /// GATE input level.
    pub fn gate(&self) -> bool {
        self.gate
    }

    /// OUT pin as of the last catch-up.
    pub fn out(&self) -> bool {
        self.out
    }

    /// The counting element as the guest reads it (BCD-encoded in BCD mode).
    pub fn current_count(&self) -> u16 {
        let value = if self.is_periodic() {
            if !self.armed || self.load_pending {
                self.element
            } else if self.mode == 2 {
                self.period - self.position
            } else {
                let base = self.period & !1;
                let half = Self::high_half(self.period);
                let phase = if self.position < half {
                    self.position
                } else {
                    self.position - half
                };
                base.saturating_sub(2 * phase)
            }
        } else {
            self.element
        } % self.modulus();
        if self.bcd {
            binary_to_bcd(value)
        } else {
            value as u16
        }
    }

    /// The repetition frequency of OUT in input clocks per cycle, when running periodically.
    pub fn running_period(&self) -> Option<u32> {
        (self.is_periodic() && self.armed && !self.load_pending && self.gate && self.period >= 2)
            .then_some(self.period)
    }

    /// The counter latch command (ignored while a latched count is unread).
    pub fn latch_count(&mut self) {
        if self.latched_count.is_none() {
            self.latched_count = Some(self.current_count());
            self.latched_msb_next = false;
        }
    }

    /// The read-back command's status latch (ignored while a latched status is unread).
    pub fn latch_status(&mut self) {
        if self.latched_status.is_none() {
            self.latched_status = Some(self.status());
        }
    }

    /// The status byte: OUT, null count, access, mode, BCD.
    pub fn status(&self) -> u8 {
        u8::from(self.out) << 7
            | u8::from(self.null_count) << 6
            | self.access.bits() << 4
            | self.mode << 1
            | u8::from(self.bcd)
    }

    fn select_byte(&self, value: u16, msb: bool) -> u8 {
        if msb {
            (value >> 8) as u8
        } else {
            value as u8
        }
    }

    /// A data-port read: latched status, then latched count, else the live count.
    pub fn read(&mut self) -> u8 {
        if let Some(status) = self.latched_status.take() {
            return status;
        }
        if let Some(latched) = self.latched_count {
            let (byte, done) = match self.access {
                Access::Lsb => (latched as u8, true),
                Access::Msb => ((latched >> 8) as u8, true),
                Access::Word => {
                    let msb = self.latched_msb_next;
                    self.latched_msb_next = !msb;
                    (self.select_byte(latched, msb), msb)
                }
            };
            if done {
                self.latched_count = None;
            }
            return byte;
        }
        let count = self.current_count();
        match self.access {
            Access::Lsb => count as u8,
            Access::Msb => (count >> 8) as u8,
            Access::Word => {
                let msb = self.read_msb_next;
                self.read_msb_next = !msb;
                self.select_byte(count, msb)
            }
        }
    }

    /// What [`Counter::read`] would return, without side effects.
    pub fn peek(&self) -> u8 {
        if let Some(status) = self.latched_status {
            return status;
        }
        let (value, msb) = match self.latched_count {
            Some(latched) => (latched, self.latched_msb_next),
            None => (self.current_count(), self.read_msb_next),
        };
        match self.access {
            Access::Lsb => value as u8,
            Access::Msb => (value >> 8) as u8,
            Access::Word => self.select_byte(value, msb),
        }
    }

    /// Collects the rising edges of OUT since the last call.
    pub fn take_rising_edges(&mut self) -> u64 {
        std::mem::take(&mut self.rising_edges)
    }

    /// Input clocks seen at the last catch-up.
    pub fn last_clock(&self) -> u64 {
        self.last_clock
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A counter programmed for `mode` with word access and count `n` written at clock 0.
    fn counter(mode: u8, n: u16) -> Counter {
        let mut c = Counter::new(true);
        c.program(Access::Word, mode, false);
        c.write(n as u8);
        c.write((n >> 8) as u8);
        c.take_rising_edges(); // the control word's own OUT transition
        c
    }

    fn out_at(c: &mut Counter, clock: u64) -> bool {
        c.advance_to(clock);
        c.out()
    }

    #[test]
    fn bcd_conversions() {
        assert_eq!(bcd_to_binary(0x9999), 9999);
        assert_eq!(bcd_to_binary(0x0100), 100);
        assert_eq!(binary_to_bcd(1234), 0x1234);
        assert!(
            bcd_to_binary(0xFFFF) < 10_000,
            "bad BCD digits stay in range"
        );
    }

    #[test]
    fn mode0_out_goes_high_n_plus_1_clocks_after_write() {
        let mut c = counter(0, 5);
        assert!(!c.out());
        assert!(!out_at(&mut c, 5));
        assert!(out_at(&mut c, 6));
        assert!(out_at(&mut c, 100_000), "stays high");
        assert_eq!(c.take_rising_edges(), 1);
    }

    #[test]
    fn mode0_count_decrements_and_wraps() {
        let mut c = counter(0, 5);
        c.advance_to(1);
        assert_eq!(c.current_count(), 5);
        c.advance_to(3);
        assert_eq!(c.current_count(), 3);
        c.advance_to(7);
        assert_eq!(c.current_count(), 0xFFFF);
    }

    #[test]
    fn mode0_gate_low_pauses_counting() {
        let mut c = counter(0, 10);
        c.advance_to(3); // loaded at 1, now 8
        c.set_gate(false);
        c.advance_to(1000);
        assert_eq!(c.current_count(), 8);
        assert!(!c.out());
        c.set_gate(true);
        assert!(!out_at(&mut c, 1007));
        assert!(out_at(&mut c, 1008));
    }

    #[test]
    fn mode0_first_byte_stops_counting_and_drops_out() {
        let mut c = counter(0, 3);
        assert!(out_at(&mut c, 10));
        c.write(0x20);
        assert!(!c.out());
        c.advance_to(50);
        assert!(!c.out());
        c.write(0x00);
        assert!(!out_at(&mut c, 50 + 0x20));
        assert!(out_at(&mut c, 51 + 0x20));
    }

    #[test]
    fn mode0_zero_count_means_65536() {
        let mut c = counter(0, 0);
        assert!(!out_at(&mut c, 65_536));
        assert!(out_at(&mut c, 65_537));
    }

    #[test]
    fn mode1_waits_for_trigger_then_one_shot() {
        let mut c = counter(1, 4);
        assert!(out_at(&mut c, 100), "no trigger yet: OUT high");
        c.set_gate(false);
        c.set_gate(true);
        assert!(out_at(&mut c, 100));
        assert!(!out_at(&mut c, 101), "OUT low from the load clock");
        assert!(!out_at(&mut c, 104));
        assert!(out_at(&mut c, 105));
    }

    #[test]
    fn mode1_retrigger_extends_the_pulse() {
        let mut c = Counter::new(false);
        c.program(Access::Lsb, 1, false);
        c.write(4);
        c.set_gate(true);
        c.advance_to(3);
        c.set_gate(false);
        c.set_gate(true);
        assert!(!out_at(&mut c, 6));
        assert!(!out_at(&mut c, 7));
        assert!(out_at(&mut c, 8));
    }

    #[test]
    fn mode2_rate_generator_low_for_one_clock_each_period() {
        let mut c = counter(2, 4);
        // Loaded at clock 1; counts 4,3,2,1 on clocks 1-4; low on clock 4; reload at 5.
        let outs: Vec<bool> = (1..=9).map(|t| out_at(&mut c, t)).collect();
        assert_eq!(
            outs,
            vec![true, true, true, false, true, true, true, false, true]
        );
        assert_eq!(c.take_rising_edges(), 2, "reloads at clocks 5 and 9");
    }

    #[test]
    fn mode2_count_reads_n_down_to_1() {
        let mut c = counter(2, 3);
        let counts: Vec<u16> = (1..=6)
            .map(|t| {
                c.advance_to(t);
                c.current_count()
            })
            .collect();
        assert_eq!(counts, vec![3, 2, 1, 3, 2, 1]);
    }

    #[test]
    fn mode2_new_count_takes_effect_at_end_of_period() {
        let mut c = counter(2, 10);
        c.advance_to(3);
        c.write(4);
        c.write(0);
        assert_eq!(c.status() & 0x40, 0x40, "null count until loaded");
        c.advance_to(10);
        assert_eq!(c.current_count(), 1, "old period still running");
        c.advance_to(11);
        assert_eq!(c.current_count(), 4);
        assert_eq!(c.status() & 0x40, 0);
        assert!(!out_at(&mut c, 14));
        assert!(out_at(&mut c, 15));
    }

    #[test]
    fn mode2_gate_low_forces_out_high_and_rising_gate_reloads() {
        let mut c = counter(2, 4);
        c.advance_to(4);
        assert!(!c.out());
        c.set_gate(false);
        assert!(c.out());
        c.advance_to(100);
        assert!(c.out());
        c.set_gate(true);
        c.advance_to(101);
        assert_eq!(c.current_count(), 4);
        assert!(!out_at(&mut c, 104));
    }

    #[test]
    fn mode3_even_square_wave() {
        let mut c = counter(3, 4);
        let outs: Vec<bool> = (1..=8).map(|t| out_at(&mut c, t)).collect();
        assert_eq!(
            outs,
            vec![true, true, false, false, true, true, false, false]
        );
    }

    #[test]
    fn mode3_odd_count_high_one_clock_longer() {
        let mut c = counter(3, 5);
        let outs: Vec<bool> = (1..=10).map(|t| out_at(&mut c, t)).collect();
        assert_eq!(
            outs,
            vec![true, true, true, false, false, true, true, true, false, false]
        );
    }

    #[test]
    fn mode3_count_decrements_by_two() {
        let mut c = counter(3, 6);
        let counts: Vec<u16> = (1..=6)
            .map(|t| {
                c.advance_to(t);
                c.current_count()
            })
            .collect();
        assert_eq!(counts, vec![6, 4, 2, 6, 4, 2]);
    }

    #[test]
    fn mode3_edges_counted_over_a_long_gap() {
        let mut c = counter(3, 100);
        c.take_rising_edges();
        c.advance_to(1 + 100 * 1000);
        assert_eq!(c.take_rising_edges(), 1000);
    }

    #[test]
    fn mode3_new_count_takes_effect_at_half_cycle() {
        let mut c = counter(3, 10);
        c.advance_to(2); // position 1, high half lasts 5 clocks
        c.write(4);
        c.write(0);
        assert!(out_at(&mut c, 5));
        assert!(!out_at(&mut c, 6), "old high half ended after 5 clocks");
        assert!(!out_at(&mut c, 7));
        assert!(out_at(&mut c, 8), "new low half is 2 clocks");
        assert!(out_at(&mut c, 9));
        assert!(!out_at(&mut c, 10));
    }

    #[test]
    fn mode4_strobe_is_one_clock_low() {
        let mut c = counter(4, 3);
        let outs: Vec<bool> = (1..=7).map(|t| out_at(&mut c, t)).collect();
        // Loaded at 1 (3), 2 (2), 3 (1), 4 (0: strobe), then high for good.
        assert_eq!(outs, vec![true, true, true, false, true, true, true]);
        c.advance_to(200_000);
        assert!(c.out());
        assert_eq!(c.take_rising_edges(), 1);
    }

    #[test]
    fn mode4_strobe_passed_in_one_jump_still_counts_an_edge() {
        let mut c = counter(4, 3);
        c.advance_to(50);
        assert!(c.out());
        assert_eq!(c.take_rising_edges(), 1);
    }

    #[test]
    fn mode5_strobe_after_gate_trigger() {
        let mut c = Counter::new(false);
        c.program(Access::Lsb, 5, false);
        c.write(2);
        assert!(out_at(&mut c, 10));
        c.set_gate(true);
        assert!(out_at(&mut c, 11), "loaded with 2");
        assert!(out_at(&mut c, 12));
        assert!(!out_at(&mut c, 13));
        assert!(out_at(&mut c, 14));
    }

    #[test]
    fn access_modes_lsb_msb() {
        let mut c = Counter::new(true);
        c.program(Access::Msb, 0, false);
        c.write(0x01);
        c.advance_to(1);
        assert_eq!(c.current_count(), 0x0100);
        assert_eq!(c.read(), 0x01, "MSB-only read");
        c.program(Access::Lsb, 0, false);
        c.write(0x42);
        c.advance_to(2);
        assert_eq!(c.read(), 0x42);
        assert_eq!(c.read(), 0x42, "LSB-only reads do not toggle");
    }

    #[test]
    fn word_reads_toggle_lsb_then_msb() {
        let mut c = counter(0, 0x1234);
        c.advance_to(1);
        assert_eq!(c.read(), 0x34);
        assert_eq!(c.read(), 0x12);
        assert_eq!(c.read(), 0x34);
    }

    #[test]
    fn latched_count_is_frozen_until_read_and_second_latch_ignored() {
        let mut c = counter(0, 0x1000);
        c.advance_to(1);
        c.latch_count();
        c.advance_to(0x101);
        c.latch_count();
        assert_eq!(c.peek(), 0x00);
        assert_eq!(c.read(), 0x00);
        assert_eq!(c.read(), 0x10);
        assert_eq!(c.read(), 0x00, "live count 0x0F00 now");
        assert_eq!(c.read(), 0x0F);
    }

    #[test]
    fn status_then_count_after_read_back() {
        let mut c = counter(2, 100);
        c.advance_to(1);
        c.latch_count();
        c.latch_status();
        // OUT high, null count clear, word access, mode 2, binary.
        assert_eq!(c.read(), 0b1011_0100);
        assert_eq!(c.read(), 100);
        assert_eq!(c.read(), 0);
    }

    #[test]
    fn status_reports_null_count_before_load_and_mode0_out_low() {
        let mut c = Counter::new(true);
        c.program(Access::Lsb, 0, true);
        c.write(0x10);
        assert_eq!(c.status(), 0b0101_0001);
        c.advance_to(1);
        assert_eq!(c.status(), 0b0001_0001);
    }

    #[test]
    fn bcd_counting_reads_bcd() {
        let mut c = Counter::new(true);
        c.program(Access::Word, 2, true);
        c.write(0x00);
        c.write(0x10); // 1000 decimal
        c.advance_to(2);
        assert_eq!(c.current_count(), 0x0999);
        c.advance_to(1001);
        assert_eq!(c.current_count(), 0x1000, "period is 1000 clocks");
        let mut z = Counter::new(true);
        z.program(Access::Word, 0, true);
        z.write(0);
        z.write(0);
        assert!(!out_at(&mut z, 10_000));
        assert!(out_at(&mut z, 10_001), "zero is 10000 in BCD");
    }

    #[test]
    fn modes_6_and_7_alias_2_and_3() {
        let mut c = Counter::new(true);
        c.program(Access::Word, 6, false);
        assert_eq!(c.status() >> 1 & 7, 2);
        c.program(Access::Word, 7, false);
        assert_eq!(c.status() >> 1 & 7, 3);
    }

    #[test]
    fn next_rising_edge_predictions_match_simulation() {
        for (mode, n) in [(0u8, 7u16), (2, 5), (3, 6), (3, 7), (4, 3)] {
            let mut c = counter(mode, n);
            if mode != 0 && mode != 4 {
                c.advance_to(3);
            }
            c.take_rising_edges();
            let start = c.last_clock();
            let due = c.clocks_to_next_rising_edge().expect("an edge is due");
            c.advance_to(start + due - 1);
            assert_eq!(c.take_rising_edges(), 0, "mode {mode}: not before");
            c.advance_to(start + due);
            assert_eq!(c.take_rising_edges(), 1, "mode {mode}: exactly then");
        }
    }

    #[test]
    fn gated_off_counters_predict_nothing() {
        for mode in [0u8, 2, 3, 4] {
            let mut c = Counter::new(false);
            c.program(Access::Lsb, mode, false);
            c.write(10);
            assert_eq!(c.clocks_to_next_rising_edge(), None, "mode {mode}");
        }
    }

    #[test]
    fn idle_counter_predicts_nothing() {
        let mut c = Counter::new(true);
        assert_eq!(c.clocks_to_next_rising_edge(), None);
        c.program(Access::Word, 2, false);
        assert_eq!(c.clocks_to_next_rising_edge(), None);
        let mut one_shot = counter(0, 5);
        one_shot.advance_to(100);
        assert_eq!(one_shot.clocks_to_next_rising_edge(), None);
    }
}
