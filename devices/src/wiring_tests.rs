//! Tests that wire the chips together the way the platform is meant to (IRQ levels copied
//! into the PIC after every access, PIT edges pulsed, `next_event_ns` driving `advance`), to
//! check that the device interfaces fit together.

use crate::cmos::{Cmos, CmosConfig};
use crate::kbc::{Kbc, KeyCode};
use crate::pic::Pic;
use crate::pit::Pit;
use crate::uart::{Uart, COM1_BASE};
use rawbox_cpu::Width;

fn bios_pic() -> Pic {
    let mut pic = Pic::new();
    for (port, value) in [
        (0x20, 0x11),
        (0x21, 0x08),
        (0x21, 0x04),
        (0x21, 0x01),
        (0xA0, 0x11),
        (0xA1, 0x70),
        (0xA1, 0x02),
        (0xA1, 0x01),
    ] {
        pic.port_write(port, Width::Byte, value, 0);
    }
    pic
}

fn eoi(pic: &mut Pic, slave: bool) {
    if slave {
        pic.port_write(0xA0, Width::Byte, 0x20, 0);
    }
    pic.port_write(0x20, Width::Byte, 0x20, 0);
}

/// The platform's IRQ0 sync: one low-high pulse per OUT0 rising edge, then the level.
fn sync_irq0(pit: &mut Pit, pic: &mut Pic) {
    for _ in 0..pit.take_irq0_edges().min(1) {
        pic.set_irq(0, false);
        pic.set_irq(0, true);
    }
    pic.set_irq(0, pit.irq_line());
}

#[test]
fn pit_mode2_ticks_reach_the_cpu_once_each() {
    let mut pit = Pit::new();
    let mut pic = bios_pic();
    pit.port_write(0x43, Width::Byte, 0x34, 0);
    pit.port_write(0x40, Width::Byte, 0x9C, 0);
    pit.port_write(0x40, Width::Byte, 0x2E, 0); // 11932: 100 Hz
    sync_irq0(&mut pit, &mut pic);
    let mut ticks = 0;
    let mut last = 0;
    while ticks < 10 {
        let when = pit.next_event_ns().expect("periodic timer");
        assert!(when > last);
        last = when;
        pit.advance(when);
        sync_irq0(&mut pit, &mut pic);
        assert!(pic.intr_pending());
        assert_eq!(pic.acknowledge(), 0x08);
        assert!(!pic.intr_pending(), "one interrupt per tick");
        eoi(&mut pic, false);
        ticks += 1;
    }
    // Ten 100 Hz periods (plus the load clock) take about 100 ms.
    assert!((99_000_000..101_000_000).contains(&last), "{last}");
}

#[test]
fn keyboard_bytes_each_raise_irq1() {
    let mut kbc = Kbc::new();
    let mut pic = bios_pic();
    let mut now = 0;
    kbc.key_event(true, KeyCode::ArrowDown, now); // two bytes: E0 50
    let mut received = Vec::new();
    while received.len() < 2 {
        pic.set_irq(1, kbc.irq1_line());
        if !pic.intr_pending() {
            now = kbc.next_event_ns().expect("the second byte is on its way");
            kbc.advance(now);
            continue;
        }
        assert_eq!(pic.acknowledge(), 0x09);
        received.push(kbc.port_read(0x60, Width::Byte, now) as u8);
        pic.set_irq(1, kbc.irq1_line());
        eoi(&mut pic, false);
    }
    assert_eq!(received, [0xE0, 0x50]);
}

#[test]
fn uart_thre_interrupt_on_irq4() {
    let mut uart = Uart::new(COM1_BASE);
    let mut pic = bios_pic();
    uart.port_write(0x3FC, Width::Byte, 0x08, 0); // OUT2
    uart.port_write(0x3F9, Width::Byte, 0x02, 0); // THRE interrupt
    pic.set_irq(4, uart.irq_line());
    assert_eq!(pic.acknowledge(), 0x0C);
    assert_eq!(uart.port_read(0x3FA, Width::Byte, 0), 0x02);
    pic.set_irq(4, uart.irq_line());
    eoi(&mut pic, false);
    assert!(!pic.intr_pending());
    uart.port_write(0x3F8, Width::Byte, u32::from(b'!'), 0);
    pic.set_irq(4, uart.irq_line());
    assert!(pic.intr_pending(), "THRE re-armed by the transmitted byte");
    assert_eq!(uart.take_output(), b"!");
}

#[test]
fn rtc_periodic_interrupt_on_irq8_through_the_slave() {
    let mut cmos = Cmos::new(&CmosConfig::default(), 0);
    let mut pic = bios_pic();
    cmos.port_write(0x70, Width::Byte, 0x0B, 0);
    cmos.port_write(0x71, Width::Byte, 0x42, 0); // PIE, 24 hour
    for _ in 0..3 {
        let when = cmos.next_event_ns().expect("periodic interrupt enabled");
        cmos.advance(when);
        pic.set_irq(8, cmos.irq_line());
        assert_eq!(pic.acknowledge(), 0x70);
        cmos.port_write(0x70, Width::Byte, 0x0C, when);
        assert_eq!(cmos.port_read(0x71, Width::Byte, when) & 0xC0, 0xC0);
        pic.set_irq(8, cmos.irq_line());
        eoi(&mut pic, true);
        assert!(!pic.intr_pending());
    }
}
