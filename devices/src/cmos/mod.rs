//! MC146818 real-time clock and CMOS RAM at 0x70 (index, bit 7 = NMI disable) and 0x71
//! (data): 128 bytes, the time and date counted in BCD or binary and 12/24 hour per
//! register B, the update cycle with its UIP window, periodic/alarm/update-ended interrupts
//! with the flags in register C (IRQ8 = IRQF) and the PC layout from [`CmosConfig`].
//!
//! The clock starts at a Unix time given at construction (UTC; the host clock by default)
//! and then follows virtual time, so tests are deterministic.

mod calendar;
mod layout;

pub use calendar::DateTime;
pub use layout::{offsets, BootDevice, CmosConfig, FloppyType, HardDiskGeometry};

use crate::byte_ports::{read_split, write_split};
use calendar::{decode, decode_hour, encode, encode_hour};
use rawbox_cpu::Width;

const PORTS: &[(u16, u16)] = &[(0x70, 0x71)];

const NS_PER_SECOND: u64 = 1_000_000_000;
/// UIP is high this long before each update.
const UIP_WINDOW_NS: u64 = 244_000;
/// The first update after the divider leaves reset comes this much later.
const FIRST_UPDATE_DELAY_NS: u64 = 500_000_000;
/// Time base of the divider chain.
const TIME_BASE_HZ: u64 = 32_768;

// Register indices.
const SECONDS: usize = 0x00;
const SECONDS_ALARM: usize = 0x01;
const MINUTES: usize = 0x02;
const MINUTES_ALARM: usize = 0x03;
const HOURS: usize = 0x04;
const HOURS_ALARM: usize = 0x05;
const WEEKDAY: usize = 0x06;
const DAY: usize = 0x07;
const MONTH: usize = 0x08;
const YEAR: usize = 0x09;
const REG_A: usize = 0x0A;
const REG_B: usize = 0x0B;
const REG_C: usize = 0x0C;
const REG_D: usize = 0x0D;

// Register A.
const A_UIP: u8 = 0x80;
// Register B.
const B_SET: u8 = 0x80;
const B_PIE: u8 = 0x40;
const B_AIE: u8 = 0x20;
const B_UIE: u8 = 0x10;
const B_BINARY: u8 = 0x04;
const B_24H: u8 = 0x02;
// Register C.
const C_IRQF: u8 = 0x80;
const C_PF: u8 = 0x40;
const C_AF: u8 = 0x20;
const C_UF: u8 = 0x10;
// Register D.
const D_VRT: u8 = 0x80;

/// Power-on register A: 32.768 kHz time base running, 1024 Hz periodic rate.
const DEFAULT_A: u8 = 0x26;
/// Power-on register B: BCD, 24 hour, no interrupts.
const DEFAULT_B: u8 = B_24H;

/// The RTC/CMOS chip.
#[derive(Clone, Debug)]
pub struct Cmos {
    ram: [u8; 128],
    /// Selected register (port 0x70 bits 6-0).
    index: u8,
    /// Port 0x70 bit 7.
    nmi_disabled: bool,
    /// Virtual time at which the divider chain last left reset (periodic phase origin).
    divider_origin_ns: u64,
    /// Virtual time of the next update cycle.
    next_update_ns: u64,
    /// Last virtual time caught up to.
    last_ns: u64,
}

impl Cmos {
    /// A chip laid out from `config`, whose clock reads `start_unix_seconds` (UTC) at
    /// virtual time 0.
    pub fn new(config: &CmosConfig, start_unix_seconds: i64) -> Cmos {
        let mut cmos = Cmos {
            ram: [0; 128],
            index: 0,
            nmi_disabled: false,
            divider_origin_ns: 0,
            next_update_ns: NS_PER_SECOND,
            last_ns: 0,
        };
        cmos.ram[REG_A] = DEFAULT_A;
        cmos.ram[REG_B] = DEFAULT_B;
        cmos.ram[REG_D] = D_VRT;
        let start = DateTime::from_unix(start_unix_seconds);
        cmos.store_time(&start);
        layout::fill(
            &mut cmos.ram,
            config,
            encode((start.year / 100) as u8, true),
        );
        cmos
    }

    /// A chip whose clock starts at the host's current UTC time.
    pub fn with_host_clock(config: &CmosConfig) -> Cmos {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Cmos::new(config, now)
    }

    /// Inclusive port ranges claimed.
    pub fn ports(&self) -> &'static [(u16, u16)] {
        PORTS
    }

    /// False while port 0x70 bit 7 masks the NMI.
    pub fn nmi_enabled(&self) -> bool {
        !self.nmi_disabled
    }

    /// The IRQ8 line (register C IRQF).
    pub fn irq_line(&self) -> bool {
        self.ram[REG_C] & C_IRQF != 0
    }

    /// Raw CMOS byte `index` (0-127) without side effects (for debuggers and the BIOS setup).
    pub fn ram(&self, index: u8) -> u8 {
        self.ram[usize::from(index & 0x7F)]
    }

    /// The date and time the registers currently hold (decoded per register B).
    pub fn date_time(&self) -> DateTime {
        let bcd = self.bcd();
        let reg = |i: usize| decode(self.ram[i], bcd);
        let century = u16::from(decode(self.ram[offsets::CENTURY], true));
        DateTime {
            year: century * 100 + u16::from(reg(YEAR) % 100),
            month: reg(MONTH),
            day: reg(DAY),
            hour: decode_hour(self.ram[HOURS], bcd, self.twenty_four_hour()),
            minute: reg(MINUTES),
            second: reg(SECONDS),
            weekday: reg(WEEKDAY),
        }
        .sanitised()
    }

    fn bcd(&self) -> bool {
        self.ram[REG_B] & B_BINARY == 0
    }

    fn twenty_four_hour(&self) -> bool {
        self.ram[REG_B] & B_24H != 0
    }

    fn divider_running(&self) -> bool {
        (self.ram[REG_A] >> 4) & 7 == 0b010
    }

    fn store_time(&mut self, t: &DateTime) {
        let bcd = self.bcd();
        self.ram[SECONDS] = encode(t.second, bcd);
        self.ram[MINUTES] = encode(t.minute, bcd);
        self.ram[HOURS] = encode_hour(t.hour, bcd, self.twenty_four_hour());
        self.ram[WEEKDAY] = encode(t.weekday, bcd);
        self.ram[DAY] = encode(t.day, bcd);
        self.ram[MONTH] = encode(t.month, bcd);
        self.ram[YEAR] = encode((t.year % 100) as u8, bcd);
    }

    /// Periodic interrupt period in 32.768 kHz clocks for register A's rate select.
    fn periodic_clocks(&self) -> Option<u64> {
        match self.ram[REG_A] & 0x0F {
            0 => None,
            1 => Some(128),
            2 => Some(256),
            rs => Some(1 << (rs - 1)),
        }
    }

    /// Number of periodic ticks from the divider origin up to `ns`.
    fn periodic_ticks_at(&self, ns: u64, period: u64) -> u64 {
        let since = u128::from(ns.saturating_sub(self.divider_origin_ns));
        (since * u128::from(TIME_BASE_HZ) / u128::from(NS_PER_SECOND)) as u64 / period
    }

    fn alarm_matches(&self, t: &DateTime) -> bool {
        let bcd = self.bcd();
        let field = |index: usize, value: u8, is_hour: bool| {
            let raw = self.ram[index];
            if raw & 0xC0 == 0xC0 {
                return true; // don't care
            }
            let alarm = if is_hour {
                decode_hour(raw, bcd, self.twenty_four_hour())
            } else {
                decode(raw, bcd)
            };
            alarm == value
        };
        field(SECONDS_ALARM, t.second, false)
            && field(MINUTES_ALARM, t.minute, false)
            && field(HOURS_ALARM, t.hour, true)
    }

    /// Runs `count` update cycles: advances the time, sets UF and AF on an alarm match.
    fn run_updates(&mut self, count: u64) {
        if count == 0 {
            return;
        }
        let mut t = self.date_time();
        let mut remaining = count;
        // Any alarm time recurs within a day, so only the last day needs checking.
        if remaining > 2 * 86_400 {
            let skip = remaining - 86_400;
            t = DateTime::from_unix(t.to_unix().saturating_add(skip as i64));
            remaining = 86_400;
        }
        let mut alarm = false;
        for _ in 0..remaining {
            t.tick();
            alarm |= self.alarm_matches(&t);
        }
        self.store_time(&t);
        self.ram[REG_C] |= C_UF | if alarm { C_AF } else { 0 };
    }

    fn update_irqf(&mut self) {
        let b = self.ram[REG_B];
        let c = self.ram[REG_C];
        let active = (c & C_PF != 0 && b & B_PIE != 0)
            || (c & C_AF != 0 && b & B_AIE != 0)
            || (c & C_UF != 0 && b & B_UIE != 0);
        if active {
            self.ram[REG_C] |= C_IRQF;
        }
    }

    /// Catches the clock and the interrupt flags up to `now_ns`.
    pub fn advance(&mut self, now_ns: u64) {
        if now_ns <= self.last_ns {
            return;
        }
        if self.divider_running() {
            if let Some(period) = self.periodic_clocks() {
                if self.periodic_ticks_at(now_ns, period)
                    > self.periodic_ticks_at(self.last_ns, period)
                {
                    self.ram[REG_C] |= C_PF;
                }
            }
            if now_ns >= self.next_update_ns {
                let cycles = (now_ns - self.next_update_ns) / NS_PER_SECOND + 1;
                self.next_update_ns = self
                    .next_update_ns
                    .saturating_add(cycles.saturating_mul(NS_PER_SECOND));
                if self.ram[REG_B] & B_SET == 0 {
                    self.run_updates(cycles);
                }
            }
        }
        self.last_ns = now_ns;
        self.update_irqf();
    }

    /// The next time an enabled interrupt source can raise IRQ8, if any.
    pub fn next_event_ns(&self) -> Option<u64> {
        if !self.divider_running() {
            return None;
        }
        let b = self.ram[REG_B];
        let periodic = if b & B_PIE != 0 {
            self.periodic_clocks().map(|period| {
                let next_tick = self.periodic_ticks_at(self.last_ns, period) + 1;
                let clocks = u128::from(next_tick) * u128::from(period);
                let ns = (clocks * u128::from(NS_PER_SECOND)).div_ceil(u128::from(TIME_BASE_HZ));
                self.divider_origin_ns
                    .saturating_add(u64::try_from(ns).unwrap_or(u64::MAX))
            })
        } else {
            None
        };
        let update = (b & (B_UIE | B_AIE) != 0 && b & B_SET == 0).then_some(self.next_update_ns);
        match (periodic, update) {
            (Some(p), Some(u)) => Some(p.min(u)),
            (p, u) => p.or(u),
        }
    }

    fn read_register(&mut self, now_ns: u64) -> u8 {
        let index = usize::from(self.index);
        match index {
            REG_A => {
                let uip = self.divider_running()
                    && self.ram[REG_B] & B_SET == 0
                    && now_ns.saturating_add(UIP_WINDOW_NS) >= self.next_update_ns;
                (self.ram[REG_A] & !A_UIP) | if uip { A_UIP } else { 0 }
            }
            REG_C => std::mem::take(&mut self.ram[REG_C]),
            REG_D => D_VRT,
            _ => self.ram[index],
        }
    }

    fn write_register(&mut self, value: u8, now_ns: u64) {
        let index = usize::from(self.index);
        match index {
            REG_A => {
                let was_running = self.divider_running();
                self.ram[REG_A] = value & !A_UIP;
                if self.divider_running() && !was_running {
                    self.divider_origin_ns = now_ns;
                    self.next_update_ns = now_ns.saturating_add(FIRST_UPDATE_DELAY_NS);
                }
            }
            REG_B => {
                let mut value = value;
                if value & B_SET != 0 {
                    value &= !B_UIE;
                }
                self.ram[REG_B] = value;
                self.update_irqf();
            }
            REG_C | REG_D => {}
            _ => self.ram[index] = value,
        }
    }

    /// Reads a port without side effects (register C is not cleared).
    pub fn peek(&self, port: u16) -> u8 {
        match (port, usize::from(self.index)) {
            (0x71, REG_D) => D_VRT,
            (0x71, index) => self.ram[index],
            _ => 0xFF,
        }
    }

    /// Port read (see the crate's device conventions). Port 0x70 is write-only and reads 0xFF.
    pub fn port_read(&mut self, port: u16, width: Width, now_ns: u64) -> u32 {
        self.advance(now_ns);
        read_split(port, width, |p| {
            if p == 0x71 {
                self.read_register(now_ns)
            } else {
                0xFF
            }
        })
    }

    /// Port write (see the crate's device conventions).
    pub fn port_write(&mut self, port: u16, width: Width, value: u32, now_ns: u64) {
        self.advance(now_ns);
        write_split(port, width, value, |p, b| match p {
            0x70 => {
                self.index = b & 0x7F;
                self.nmi_disabled = b & 0x80 != 0;
            }
            0x71 => self.write_register(b, now_ns),
            _ => {}
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-24 21:59:58 UTC, a Tuesday.
    const START: i64 = 1_795_557_598;
    const MS: u64 = 1_000_000;

    fn cmos() -> Cmos {
        Cmos::new(&CmosConfig::default(), START)
    }

    fn read(c: &mut Cmos, index: u8, now: u64) -> u8 {
        c.port_write(0x70, Width::Byte, u32::from(index), now);
        c.port_read(0x71, Width::Byte, now) as u8
    }

    fn write(c: &mut Cmos, index: u8, value: u8, now: u64) {
        c.port_write(0x70, Width::Byte, u32::from(index), now);
        c.port_write(0x71, Width::Byte, u32::from(value), now);
    }

    #[test]
    fn power_on_time_in_bcd_24h() {
        let mut c = cmos();
        let regs: Vec<u8> = [0, 2, 4, 6, 7, 8, 9, 0x32]
            .iter()
            .map(|&i| read(&mut c, i, 0))
            .collect();
        assert_eq!(regs, vec![0x58, 0x59, 0x21, 0x03, 0x24, 0x11, 0x26, 0x20]);
        assert_eq!(read(&mut c, 0x0A, 0), 0x26);
        assert_eq!(read(&mut c, 0x0B, 0), 0x02);
        assert_eq!(read(&mut c, 0x0D, 0), 0x80);
    }

    #[test]
    fn time_advances_with_virtual_time_and_carries() {
        let mut c = cmos();
        assert_eq!(read(&mut c, 0, 999 * MS), 0x58);
        assert_eq!(read(&mut c, 0, 1000 * MS), 0x59);
        assert_eq!(read(&mut c, 0, 2000 * MS), 0x00);
        assert_eq!(read(&mut c, 2, 2000 * MS), 0x00);
        assert_eq!(read(&mut c, 4, 2000 * MS), 0x22);
        // A day and a bit later in one jump.
        let later = 2000 * MS + 86_400 * 1000 * MS;
        assert_eq!(read(&mut c, 7, later), 0x25);
        assert_eq!(read(&mut c, 6, later), 0x04, "Wednesday");
    }

    #[test]
    fn binary_and_12_hour_modes() {
        let mut c = cmos();
        write(&mut c, 0x0B, B_BINARY, 0); // binary, 12 hour
                                          // The chip does not convert what is stored; the guest sets the time in the new mode.
        for (index, value) in [
            (9, 26),
            (8, 11),
            (7, 24),
            (6, 3),
            (4, 0x80 | 11),
            (2, 59),
            (0, 58),
        ] {
            write(&mut c, index, value, 0); // 2026-11-24 11:59:58 PM
        }
        assert_eq!(read(&mut c, 0, 1000 * MS), 59, "binary seconds");
        assert_eq!(read(&mut c, 4, 1000 * MS), 0x80 | 11);
        assert_eq!(read(&mut c, 0, 2000 * MS), 0);
        assert_eq!(read(&mut c, 2, 2000 * MS), 0);
        assert_eq!(read(&mut c, 4, 2000 * MS), 12, "11:59:59 PM -> 12 AM");
        assert_eq!(read(&mut c, 7, 2000 * MS), 25, "next day, binary");
        write(&mut c, 4, 0x80 | 12, 2000 * MS); // 12 PM is noon
        write(&mut c, 2, 59, 2000 * MS);
        write(&mut c, 0, 59, 2000 * MS);
        assert_eq!(read(&mut c, 4, 3000 * MS), 0x80 | 1, "12:59:59 PM -> 1 PM");
    }

    #[test]
    fn set_bit_freezes_the_clock_and_clears_uie() {
        let mut c = cmos();
        write(&mut c, 0x0B, B_24H | B_UIE, 0);
        write(&mut c, 0x0B, B_24H | B_UIE | B_SET, 0);
        assert_eq!(read(&mut c, 0x0B, 0), B_24H | B_SET);
        write(&mut c, 0, 0x10, 0);
        assert_eq!(read(&mut c, 0, 5000 * MS), 0x10);
        assert_eq!(
            read(&mut c, 0x0A, 5000 * MS + 999 * MS) & A_UIP,
            0,
            "no UIP while SET"
        );
        write(&mut c, 0x0B, B_24H, 5500 * MS);
        assert_eq!(read(&mut c, 0, 6000 * MS), 0x11);
    }

    #[test]
    fn uip_is_high_for_244_us_before_each_update() {
        let mut c = cmos();
        assert_eq!(read(&mut c, 0x0A, 1000 * MS - 244_001) & A_UIP, 0);
        assert_eq!(read(&mut c, 0x0A, 1000 * MS - 244_000) & A_UIP, A_UIP);
        assert_eq!(read(&mut c, 0x0A, 1000 * MS - 1) & A_UIP, A_UIP);
        assert_eq!(read(&mut c, 0x0A, 1000 * MS) & A_UIP, 0);
        assert_eq!(read(&mut c, 0, 1000 * MS), 0x59);
    }

    #[test]
    fn divider_reset_stops_the_clock_and_first_update_is_500ms_after_release() {
        let mut c = cmos();
        write(&mut c, 0x0A, 0x76, 100 * MS); // divider in reset
        assert_eq!(read(&mut c, 0, 5000 * MS), 0x58);
        write(&mut c, 0x0A, 0x26, 5000 * MS);
        assert_eq!(read(&mut c, 0, 5499 * MS), 0x58);
        assert_eq!(read(&mut c, 0, 5500 * MS), 0x59);
        assert_eq!(read(&mut c, 0, 6500 * MS), 0x00);
    }

    #[test]
    fn periodic_interrupt_rates() {
        // (rate select, period in ns rounded down, first event time rounded up)
        let table = [
            (3u8, 122_070u64, 122_071u64),
            (6, 976_562, 976_563),
            (1, 3_906_250, 3_906_250),
            (15, 500_000_000, 500_000_000),
        ];
        for (rs, period_ns, first_event) in table {
            let mut c = cmos();
            write(&mut c, 0x0A, 0x20 | rs, 0);
            write(&mut c, 0x0B, B_24H | B_PIE, 0);
            assert_eq!(c.next_event_ns(), Some(first_event), "rs {rs}");
            c.advance(period_ns - 1);
            assert!(!c.irq_line(), "rs {rs}");
            c.advance(period_ns + 1);
            assert!(c.irq_line(), "rs {rs}");
            assert_eq!(read(&mut c, 0x0C, period_ns + 1), C_IRQF | C_PF);
            assert!(!c.irq_line(), "register C read clears IRQF");
            assert_eq!(read(&mut c, 0x0C, period_ns + 1), 0);
        }
    }

    #[test]
    fn flags_set_without_enable_but_irqf_only_when_enabled() {
        let mut c = cmos();
        c.advance(1000 * MS);
        assert!(!c.irq_line());
        assert_eq!(read(&mut c, 0x0C, 1000 * MS), C_PF | C_UF);
        c.advance(2000 * MS);
        write(&mut c, 0x0B, B_24H | B_UIE, 2000 * MS);
        assert!(c.irq_line(), "enabling with UF already set raises IRQF");
    }

    #[test]
    fn update_ended_interrupt_and_next_event() {
        let mut c = cmos();
        write(&mut c, 0x0A, 0x20, 0); // no periodic rate
        write(&mut c, 0x0B, B_24H | B_UIE, 0);
        assert_eq!(c.next_event_ns(), Some(1000 * MS));
        c.advance(1000 * MS);
        assert!(c.irq_line());
        assert_eq!(read(&mut c, 0x0C, 1000 * MS), C_IRQF | C_UF);
        assert_eq!(c.next_event_ns(), Some(2000 * MS));
    }

    #[test]
    fn alarm_interrupt_with_dont_care_fields() {
        let mut c = cmos();
        write(&mut c, 0x0A, 0x20, 0);
        write(&mut c, 0x0B, B_24H | B_AIE, 0);
        write(&mut c, 1, 0x05, 0); // second 05
        write(&mut c, 3, 0xC0, 0); // any minute
        write(&mut c, 5, 0xFF, 0); // any hour
        c.advance(6000 * MS); // 22:00:04
        assert!(!c.irq_line());
        c.advance(7000 * MS); // 22:00:05
        assert!(c.irq_line());
        assert_eq!(read(&mut c, 0x0C, 7000 * MS), C_IRQF | C_AF | C_UF);
        c.advance(60_000 * MS);
        assert!(!c.irq_line(), "22:00:58: no match");
        c.advance(67_000 * MS);
        assert!(c.irq_line(), "22:01:05 matches again");
    }

    #[test]
    fn alarm_found_after_a_long_gap() {
        let mut c = cmos();
        write(&mut c, 0x0B, B_24H | B_AIE, 0);
        write(&mut c, 1, 0x00, 0);
        write(&mut c, 3, 0x30, 0);
        write(&mut c, 5, 0x03, 0); // 03:30:00
        c.advance(3 * 86_400 * 1000 * MS);
        assert!(c.irq_line());
        assert_eq!(read(&mut c, 0x07, 3 * 86_400 * 1000 * MS), 0x27);
    }

    #[test]
    fn nmi_mask_and_index_port() {
        let mut c = cmos();
        assert!(c.nmi_enabled());
        c.port_write(0x70, Width::Byte, 0x8F, 0);
        assert!(!c.nmi_enabled());
        assert_eq!(c.port_read(0x70, Width::Byte, 0), 0xFF);
        c.port_write(0x71, Width::Byte, 0xA5, 0);
        assert_eq!(
            c.ram(0x0F),
            0xA5,
            "index 0x0F selected with NMI bit stripped"
        );
        c.port_write(0x70, Width::Byte, 0x0F, 0);
        assert!(c.nmi_enabled());
    }

    #[test]
    fn readonly_registers_and_ram() {
        let mut c = cmos();
        write(&mut c, 0x0D, 0x00, 0);
        assert_eq!(read(&mut c, 0x0D, 0), 0x80);
        write(&mut c, 0x0C, 0xFF, 0);
        assert_eq!(read(&mut c, 0x0C, 0), 0);
        write(&mut c, 0x7F, 0x42, 0);
        assert_eq!(read(&mut c, 0x7F, 0), 0x42);
        write(&mut c, 0x0A, 0xA6, 0);
        assert_eq!(c.ram(0x0A), 0x26, "UIP is read-only");
    }

    #[test]
    fn config_layout_is_visible_through_ports() {
        let config = CmosConfig {
            ext_kb: 7 * 1024,
            ..CmosConfig::default()
        };
        let mut c = Cmos::new(&config, START);
        assert_eq!(read(&mut c, 0x10, 0), 0x40);
        assert_eq!(read(&mut c, 0x17, 0), 0x00);
        assert_eq!(read(&mut c, 0x18, 0), 0x1C);
        let sum = u16::from(read(&mut c, 0x2E, 0)) << 8 | u16::from(read(&mut c, 0x2F, 0));
        assert_eq!(
            sum,
            (0x10..=0x2Du8).map(|i| u16::from(c.ram(i))).sum::<u16>()
        );
    }

    #[test]
    fn garbage_time_registers_do_not_panic() {
        let mut c = cmos();
        for index in 0..=9 {
            write(&mut c, index, 0xFF, 0);
        }
        write(&mut c, 0x0B, B_24H | B_BINARY | B_AIE, 0);
        c.advance(10 * 86_400 * 1000 * MS);
        let _ = c.date_time();
        c.port_write(0x70, Width::Dword, 0xFFFF_FFFF, u64::MAX);
        let _ = c.next_event_ns();
    }

    #[test]
    fn random_guest_traffic_does_not_panic() {
        let mut dev = cmos();
        let cell = std::cell::RefCell::new(&mut dev);
        crate::test_rng::random_port_traffic(
            7,
            50_000,
            &[0x70, 0x71],
            |p, w, t| {
                let mut dev = cell.borrow_mut();
                dev.port_read(p, w, t);
                let _ = dev.next_event_ns();
                let _ = dev.date_time();
            },
            |p, w, v, t| cell.borrow_mut().port_write(p, w, v, t),
        );
    }
}
