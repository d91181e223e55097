//! The 8254 programmable interval timer at 0x40-0x43: three counters clocked at
//! 1.193182 MHz derived from virtual time, the control word, counter latch and read-back
//! commands. Counter 0 drives IRQ0, counter 1 is the legacy refresh timer, counter 2 feeds
//! the PC speaker (its gate is port 0x61 bit 0, which the platform forwards with
//! [`Pit::set_gate2`]).
//!
//! Counters are evaluated lazily: each access catches up from the last time seen.
//! Because a mode 2 low pulse lasts a single input clock, a platform that samples lazily may
//! never see OUT0 low; it should collect [`Pit::take_irq0_edges`] after [`Pit::advance`]
//! and give the PIC a low-high pulse for each, then copy [`Pit::irq_line`].

mod counter;

pub use counter::{Access, Counter};

use crate::byte_ports::{read_split, write_split};
use rawbox_cpu::Width;

/// Input clock of every counter, in Hz.
pub const PIT_CLOCK_HZ: u64 = 1_193_182;

const NS_PER_SECOND: u64 = 1_000_000_000;

const PORTS: &[(u16, u16)] = &[(0x40, 0x43)];

/// Input clocks elapsed at virtual time `now_ns`.
pub fn clocks_at(now_ns: u64) -> u64 {
    (u128::from(now_ns) * u128::from(PIT_CLOCK_HZ) / u128::from(NS_PER_SECOND)) as u64
}

/// First virtual time at which `clocks` input clocks have elapsed.
pub fn ns_at_clock(clocks: u64) -> u64 {
    let ns = (u128::from(clocks) * u128::from(NS_PER_SECOND)).div_ceil(u128::from(PIT_CLOCK_HZ));
    u64::try_from(ns).unwrap_or(u64::MAX)
}

/// The 8254.
#[derive(Clone, Debug)]
pub struct Pit {
    counters: [Counter; 3],
}

impl Pit {
    /// Power-on state. Gates 0 and 1 are tied high on a PC; gate 2 starts low.
    pub fn new() -> Pit {
        Pit {
            counters: [Counter::new(true), Counter::new(true), Counter::new(false)],
        }
    }

    /// Inclusive port ranges claimed.
    pub fn ports(&self) -> &'static [(u16, u16)] {
        PORTS
    }

    /// Catches every counter up to `now_ns`.
    pub fn advance(&mut self, now_ns: u64) {
        let clock = clocks_at(now_ns);
        for counter in &mut self.counters {
            counter.advance_to(clock);
        }
    }

    /// The time of the next rising edge of OUT0 (IRQ0), if one is due.
    pub fn next_event_ns(&self) -> Option<u64> {
        let counter = &self.counters[0];
        let due = counter.clocks_to_next_rising_edge()?;
        Some(ns_at_clock(counter.last_clock().saturating_add(due)))
    }

    /// Level of OUT0 (the IRQ0 input) as of the last catch-up.
    pub fn irq_line(&self) -> bool {
        self.counters[0].out()
    }

    /// Rising edges of OUT0 since the last call; each is one IRQ0 request.
    pub fn take_irq0_edges(&mut self) -> u64 {
        self.counters[0].take_rising_edges()
    }

    /// OUT pin of `channel` (0-2) at `now_ns`; false for a channel that does not exist.
    pub fn out(&mut self, channel: usize, now_ns: u64) -> bool {
        self.advance(now_ns);
        self.counters.get(channel).is_some_and(Counter::out)
    }

    /// Sets counter 2's GATE (port 0x61 bit 0).
    pub fn set_gate2(&mut self, level: bool, now_ns: u64) {
        self.advance(now_ns);
        self.counters[2].set_gate(level);
    }

    /// Counter 2's GATE level.
    pub fn gate2(&self) -> bool {
        self.counters[2].gate()
    }

    /// The frequency counter 2 is currently generating on OUT2 (a square wave in mode 3, a
    /// pulse train in mode 2), or None when it is not running periodically. What the
    /// speaker plays also depends on port 0x61 bit 1 (see `speaker`).
    pub fn speaker_square_wave_hz(&mut self, now_ns: u64) -> Option<f64> {
        self.advance(now_ns);
        let period = self.counters[2].running_period()?;
        Some(PIT_CLOCK_HZ as f64 / f64::from(period))
    }

    /// Read-only view of a counter (for debuggers).
    pub fn counter(&self, channel: usize) -> Option<&Counter> {
        self.counters.get(channel)
    }

    fn write_control(&mut self, value: u8) {
        let select = value >> 6;
        if select == 3 {
            self.read_back(value);
            return;
        }
        let counter = &mut self.counters[usize::from(select)];
        let access = match (value >> 4) & 3 {
            0 => {
                counter.latch_count();
                return;
            }
            1 => Access::Lsb,
            2 => Access::Msb,
            _ => Access::Word,
        };
        counter.program(access, (value >> 1) & 7, value & 1 != 0);
    }

    /// The read-back command: bit 5 clear latches counts, bit 4 clear latches status, bits
    /// 1-3 select counters 0-2.
    fn read_back(&mut self, value: u8) {
        for (index, counter) in self.counters.iter_mut().enumerate() {
            if value & (2 << index) == 0 {
                continue;
            }
            if value & 0x20 == 0 {
                counter.latch_count();
            }
            if value & 0x10 == 0 {
                counter.latch_status();
            }
        }
    }

    /// Reads a counter without side effects (0x43 reads 0xFF).
    pub fn peek(&self, port: u16) -> u8 {
        match port {
            0x40..=0x42 => self.counters[usize::from(port - 0x40)].peek(),
            _ => 0xFF,
        }
    }

    /// Port read (see the crate's device conventions).
    pub fn port_read(&mut self, port: u16, width: Width, now_ns: u64) -> u32 {
        self.advance(now_ns);
        read_split(port, width, |p| match p {
            0x40..=0x42 => self.counters[usize::from(p - 0x40)].read(),
            _ => 0xFF,
        })
    }

    /// Port write (see the crate's device conventions).
    pub fn port_write(&mut self, port: u16, width: Width, value: u32, now_ns: u64) {
        self.advance(now_ns);
        write_split(port, width, value, |p, b| match p {
            0x40..=0x42 => self.counters[usize::from(p - 0x40)].write(b),
            0x43 => self.write_control(b),
            _ => {}
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(pit: &mut Pit, port: u16, value: u8, now: u64) {
        pit.port_write(port, Width::Byte, u32::from(value), now);
    }

    fn inb(pit: &mut Pit, port: u16, now: u64) -> u8 {
        pit.port_read(port, Width::Byte, now) as u8
    }

    /// Channel 0 in mode `mode`, word access, count `n`, written at time 0.
    fn timer0(mode: u8, n: u16) -> Pit {
        let mut pit = Pit::new();
        out(&mut pit, 0x43, 0x30 | mode << 1, 0);
        out(&mut pit, 0x40, n as u8, 0);
        out(&mut pit, 0x40, (n >> 8) as u8, 0);
        pit
    }

    #[test]
    fn clock_conversion_round_trips() {
        assert_eq!(clocks_at(NS_PER_SECOND), PIT_CLOCK_HZ);
        for clocks in [0u64, 1, 2, 1000, 1_193_182, 123_456_789] {
            let ns = ns_at_clock(clocks);
            assert_eq!(clocks_at(ns), clocks);
            assert!(ns == 0 || clocks_at(ns - 1) == clocks - 1);
        }
    }

    #[test]
    fn bios_18_2_hz_tick_rate() {
        let mut pit = timer0(3, 0);
        pit.take_irq0_edges();
        pit.advance(NS_PER_SECOND);
        let edges = pit.take_irq0_edges();
        assert_eq!(edges, 18, "65536-clock period: 18.2 Hz");
        pit.advance(10 * NS_PER_SECOND);
        assert_eq!(pit.take_irq0_edges(), 164);
    }

    #[test]
    fn next_event_is_the_next_irq0_edge() {
        let mut pit = timer0(2, 1193); // about 1 kHz
        pit.take_irq0_edges();
        let first = pit.next_event_ns().expect("periodic");
        assert_eq!(first, ns_at_clock(1 + 1193));
        pit.advance(first - 1);
        assert_eq!(pit.take_irq0_edges(), 0);
        pit.advance(first);
        assert_eq!(pit.take_irq0_edges(), 1);
        let second = pit.next_event_ns().unwrap();
        assert_eq!(second, ns_at_clock(1 + 2 * 1193));
    }

    #[test]
    fn one_shot_mode0_gives_one_event_then_none() {
        let mut pit = timer0(0, 100);
        assert!(!pit.irq_line());
        let when = pit.next_event_ns().unwrap();
        pit.advance(when);
        assert!(pit.irq_line());
        assert_eq!(pit.take_irq0_edges(), 1);
        assert_eq!(pit.next_event_ns(), None);
    }

    #[test]
    fn counter_latch_command_through_ports() {
        let mut pit = timer0(2, 1000);
        let t = ns_at_clock(101); // count 1000 - 100
        out(&mut pit, 0x43, 0x00, t);
        let later = ns_at_clock(500);
        let lo = inb(&mut pit, 0x40, later);
        let hi = inb(&mut pit, 0x40, later);
        assert_eq!(u16::from(hi) << 8 | u16::from(lo), 900);
    }

    #[test]
    fn read_back_status_and_count_for_two_counters() {
        let mut pit = timer0(3, 0x0400);
        out(&mut pit, 0x43, 0x94, 0); // counter 2: LSB only, mode 2
        out(&mut pit, 0x42, 50, 0);
        pit.set_gate2(true, 0);
        let t = ns_at_clock(2);
        out(&mut pit, 0x43, 0xC0 | 0x08 | 0x02, t); // read back count+status of 0 and 2
        assert_eq!(
            inb(&mut pit, 0x40, t),
            0b1011_0110,
            "OUT high, word, mode 3"
        );
        assert_eq!(inb(&mut pit, 0x40, t), 0xFE, "count 0x3FE LSB");
        assert_eq!(inb(&mut pit, 0x40, t), 0x03);
        assert_eq!(inb(&mut pit, 0x42, t), 0b1001_0100, "OUT high, LSB, mode 2");
        assert_eq!(
            inb(&mut pit, 0x42, t),
            49,
            "loaded at clock 1 after the gate rose"
        );
    }

    #[test]
    fn read_back_status_only_leaves_count_live() {
        let mut pit = timer0(0, 10);
        out(&mut pit, 0x43, 0xE2, 0); // status only, counter 0
        assert_eq!(
            inb(&mut pit, 0x40, 0),
            0b0111_0000,
            "OUT low, null count, word, mode 0"
        );
        let t = ns_at_clock(3);
        assert_eq!(inb(&mut pit, 0x40, t), 8);
    }

    #[test]
    fn gate2_controls_counter2_and_out2() {
        let mut pit = Pit::new();
        out(&mut pit, 0x43, 0xB6, 0); // counter 2, word, mode 3
        out(&mut pit, 0x42, 0x00, 0);
        out(&mut pit, 0x42, 0x10, 0); // 4096
        assert_eq!(pit.speaker_square_wave_hz(0), None, "gate low");
        pit.set_gate2(true, 0);
        let hz = pit.speaker_square_wave_hz(ns_at_clock(2)).unwrap();
        assert!((hz - PIT_CLOCK_HZ as f64 / 4096.0).abs() < 1e-9);
        assert!(pit.out(2, ns_at_clock(1 + 2047)));
        assert!(!pit.out(2, ns_at_clock(1 + 2048)));
        pit.set_gate2(false, ns_at_clock(1 + 2048));
        assert!(
            pit.out(2, ns_at_clock(1 + 2049)),
            "gate low forces OUT high"
        );
    }

    #[test]
    fn mode1_on_channel2_triggered_by_gate() {
        let mut pit = Pit::new();
        out(&mut pit, 0x43, 0x92, 0); // counter 2, LSB, mode 1
        out(&mut pit, 0x42, 10, 0);
        assert!(pit.out(2, ns_at_clock(50)));
        pit.set_gate2(true, ns_at_clock(50));
        assert!(!pit.out(2, ns_at_clock(51)));
        assert!(pit.out(2, ns_at_clock(61)));
    }

    #[test]
    fn control_port_reads_ff_and_bad_channel_is_false() {
        let mut pit = Pit::new();
        assert_eq!(inb(&mut pit, 0x43, 0), 0xFF);
        assert!(!pit.out(7, 0));
        assert_eq!(pit.port_read(0x43, Width::Word, 0), 0xFFFF);
    }

    #[test]
    fn huge_time_jumps_do_not_overflow() {
        let mut pit = timer0(2, 2);
        pit.advance(u64::MAX / 2);
        assert!(pit.take_irq0_edges() > 0);
        assert!(pit.next_event_ns().is_some());
    }

    #[test]
    fn random_guest_traffic_does_not_panic() {
        let mut dev = Pit::new();
        let cell = std::cell::RefCell::new(&mut dev);
        crate::test_rng::random_port_traffic(
            7,
            50_000,
            &[0x40, 0x41, 0x42, 0x43],
            |p, w, t| {
                let mut dev = cell.borrow_mut();
                dev.port_read(p, w, t);
                dev.take_irq0_edges();
                let _ = dev.next_event_ns();
                let _ = dev.speaker_square_wave_hz(t);
                dev.set_gate2(t % 2 == 0, t);
            },
            |p, w, v, t| cell.borrow_mut().port_write(p, w, v, t),
        );
    }
}
