//! Tests of the 8042 with its keyboard and mouse, through the ports as a guest sees them.

use super::*;
use crate::ps2_mouse::{BUTTON_LEFT, BUTTON_RIGHT};

const MS: u64 = 1_000_000;

/// A test harness keeping virtual time moving forward by 1 ms per access, so each byte
/// read leaves time for the next to arrive.
struct Guest {
    kbc: Kbc,
    now: u64,
}

impl Guest {
    fn new() -> Guest {
        Guest {
            kbc: Kbc::new(),
            now: 0,
        }
    }

    fn tick(&mut self) -> u64 {
        self.now += MS;
        self.now
    }

    fn command(&mut self, byte: u8) {
        let now = self.tick();
        self.kbc.port_write(0x64, Width::Byte, u32::from(byte), now);
    }

    fn data(&mut self, byte: u8) {
        let now = self.tick();
        self.kbc.port_write(0x60, Width::Byte, u32::from(byte), now);
    }

    fn status(&mut self) -> u8 {
        let now = self.tick();
        self.kbc.port_read(0x64, Width::Byte, now) as u8
    }

    /// Reads port 0x60 if OBF is set.
    fn read(&mut self) -> Option<u8> {
        if self.status() & STATUS_OBF == 0 {
            return None;
        }
        let now = self.tick();
        Some(self.kbc.port_read(0x60, Width::Byte, now) as u8)
    }

    fn read_all(&mut self) -> Vec<u8> {
        std::iter::from_fn(|| self.read()).collect()
    }
}

#[test]
fn self_test_and_interface_tests() {
    let mut g = Guest::new();
    assert_eq!(
        g.status() & STATUS_SYSTEM,
        0,
        "system flag clear at power-on"
    );
    g.command(0xAA);
    assert_eq!(g.read_all(), [0x55]);
    assert_ne!(g.status() & STATUS_SYSTEM, 0);
    g.command(0xAB);
    assert_eq!(g.read_all(), [0x00]);
    g.command(0xA9);
    assert_eq!(g.read_all(), [0x00]);
}

#[test]
fn status_register_bits() {
    let mut g = Guest::new();
    assert_eq!(g.status(), STATUS_UNLOCKED);
    g.command(0x20);
    assert_eq!(g.status(), STATUS_UNLOCKED | STATUS_COMMAND | STATUS_OBF);
    g.read();
    g.data(0xF2);
    assert_eq!(g.status() & STATUS_COMMAND, 0, "last write was data");
}

#[test]
fn command_byte_read_and_write() {
    let mut g = Guest::new();
    g.command(0x20);
    assert_eq!(g.read_all(), [0x41]);
    g.command(0x60);
    g.data(0x47);
    g.command(0x20);
    assert_eq!(g.read_all(), [0x47]);
    assert_ne!(
        g.status() & STATUS_SYSTEM,
        0,
        "system flag follows command byte bit 2"
    );
    g.command(0x65); // RAM byte 5
    g.data(0x99);
    g.command(0x25);
    assert_eq!(g.read_all(), [0x99]);
}

#[test]
fn keyboard_reset_through_controller() {
    let mut g = Guest::new();
    g.data(0xFF);
    assert_eq!(g.read_all(), [0xFA, 0xAA]);
    g.data(0xF2);
    assert_eq!(
        g.read_all(),
        [0xFA, 0xAB, 0x41],
        "ID translated in translate mode"
    );
}

#[test]
fn translated_and_raw_key_codes() {
    let mut g = Guest::new();
    g.kbc.key_event(true, KeyCode::ArrowUp, g.now);
    g.kbc.key_event(false, KeyCode::ArrowUp, g.now);
    assert_eq!(g.read_all(), [0xE0, 0x48, 0xE0, 0xC8]);
    g.command(0x60);
    g.data(0x01); // translation off
    g.kbc.key_event(true, KeyCode::A, g.now);
    g.kbc.key_event(false, KeyCode::A, g.now);
    assert_eq!(g.read_all(), [0x1C, 0xF0, 0x1C]);
}

#[test]
fn irq1_follows_output_buffer_and_enable_bit() {
    let mut g = Guest::new();
    assert!(!g.kbc.irq1_line());
    g.kbc.key_event(true, KeyCode::Q, g.now);
    assert!(g.kbc.irq1_line());
    let now = g.tick();
    assert_eq!(g.kbc.port_read(0x60, Width::Byte, now), 0x10);
    assert!(!g.kbc.irq1_line());
    g.command(0x60);
    g.data(0x40); // interrupts off
    g.kbc.key_event(false, KeyCode::Q, g.now);
    assert_ne!(g.status() & STATUS_OBF, 0);
    assert!(!g.kbc.irq1_line());
}

#[test]
fn next_byte_waits_so_irq1_drops_between_bytes() {
    let mut kbc = Kbc::new();
    kbc.key_event(true, KeyCode::Home, 0);
    assert_eq!(kbc.port_read(0x60, Width::Byte, 10), 0xE0);
    assert!(!kbc.irq1_line());
    assert_eq!(kbc.next_event_ns(), Some(10 + NEXT_BYTE_DELAY_NS));
    kbc.advance(10 + NEXT_BYTE_DELAY_NS - 1);
    assert!(!kbc.irq1_line());
    kbc.advance(10 + NEXT_BYTE_DELAY_NS);
    assert!(kbc.irq1_line());
    assert_eq!(kbc.peek(0x60), 0x47);
}

#[test]
fn disabled_keyboard_holds_its_bytes() {
    let mut g = Guest::new();
    g.command(0xAD);
    g.kbc.key_event(true, KeyCode::W, g.now);
    assert_eq!(g.read_all(), Vec::<u8>::new());
    g.command(0x20);
    assert_eq!(g.read_all(), [0x51]);
    g.command(0xAE);
    assert_eq!(g.read_all(), [0x11]);
}

#[test]
fn a20_through_output_port_and_fast_commands() {
    let mut g = Guest::new();
    // Power-on: the output port reads 0xCF, A20 enabled.
    assert!(g.kbc.a20_enabled());
    g.command(0xD1);
    g.data(0xDD);
    assert!(!g.kbc.a20_enabled());
    g.command(0xD1);
    g.data(0xDF);
    assert!(g.kbc.a20_enabled());
    assert!(!g.kbc.reset_requested());
    g.command(0xD0);
    assert_eq!(g.read().map(|v| v & 0x03), Some(0x03));
    g.command(0xDD);
    assert!(!g.kbc.a20_enabled());
    g.command(0xDF);
    assert!(g.kbc.a20_enabled());
}

#[test]
fn reset_via_pulse_and_output_port() {
    let mut g = Guest::new();
    g.command(0xFF);
    assert!(!g.kbc.reset_requested(), "0xFF pulses nothing");
    g.command(0xFE);
    assert!(g.kbc.reset_requested());
    assert!(!g.kbc.reset_requested(), "taken once");
    g.command(0xD1);
    g.data(0x00);
    assert!(g.kbc.reset_requested());
}

#[test]
fn input_port_and_password_query() {
    let mut g = Guest::new();
    g.command(0xC0);
    assert_eq!(g.read_all(), [INPUT_PORT]);
    g.command(0xA4);
    assert_eq!(g.read_all(), [0xF1]);
}

#[test]
fn write_to_own_output_buffers() {
    let mut g = Guest::new();
    g.command(0x60);
    g.data(0x03);
    g.command(0xD2);
    g.data(0x5A);
    assert!(g.kbc.irq1_line());
    assert_eq!(g.status() & STATUS_AUX, 0);
    assert_eq!(g.read_all(), [0x5A]);
    g.command(0xD3);
    g.data(0xA5);
    assert!(g.kbc.irq12_line());
    assert!(!g.kbc.irq1_line());
    assert_ne!(g.status() & STATUS_AUX, 0);
    assert_eq!(g.read_all(), [0xA5]);
}

#[test]
fn mouse_commands_and_packets_through_d4() {
    let mut g = Guest::new();
    g.command(0x60);
    g.data(0x43); // both interrupts, translate
    g.command(0xA8);
    g.command(0xD4);
    g.data(0xFF);
    assert_ne!(g.status() & STATUS_AUX, 0);
    assert!(g.kbc.irq12_line());
    assert_eq!(g.read_all(), [0xFA, 0xAA, 0x00]);
    g.command(0xD4);
    g.data(0xF4);
    assert_eq!(g.read_all(), [0xFA]);
    g.kbc.mouse_motion(5, -2, BUTTON_LEFT | BUTTON_RIGHT, g.now);
    assert!(g.kbc.irq12_line());
    assert_eq!(g.read_all(), [0x2B, 5, 0xFE]);
}

#[test]
fn mouse_disabled_interface_holds_packets() {
    let mut g = Guest::new();
    g.command(0xD4);
    g.data(0xF4);
    assert_eq!(g.read_all(), [0xFA]);
    g.command(0xA7);
    g.kbc.mouse_motion(1, 1, 0, g.now);
    assert_eq!(g.read_all(), Vec::<u8>::new());
    g.command(0x20);
    assert_eq!(g.read_all(), [0x41 | 0x20]);
    g.command(0xA8);
    assert_eq!(g.read_all(), [0x08, 1, 1]);
}

#[test]
fn keyboard_and_mouse_bytes_interleave_by_whole_bytes() {
    let mut g = Guest::new();
    g.command(0xD4);
    g.data(0xF4);
    g.read_all();
    g.kbc.key_event(true, KeyCode::Enter, g.now);
    g.kbc.mouse_motion(-1, 0, 0, g.now);
    let mut keyboard = Vec::new();
    let mut mouse = Vec::new();
    while g.status() & STATUS_OBF != 0 {
        let aux = g.status() & STATUS_AUX != 0;
        let byte = g.read().unwrap();
        if aux {
            mouse.push(byte)
        } else {
            keyboard.push(byte)
        }
    }
    assert_eq!(keyboard, [0x1C]);
    assert_eq!(mouse, [0x18, 0xFF, 0x00]);
}

#[test]
fn typematic_repeat_reaches_the_guest() {
    let mut kbc = Kbc::new();
    kbc.key_event(true, KeyCode::D, 0);
    assert_eq!(kbc.port_read(0x60, Width::Byte, 1), 0x20);
    assert_eq!(kbc.next_event_ns(), Some(500 * MS));
    kbc.advance(500 * MS);
    assert!(kbc.irq1_line());
    assert_eq!(kbc.port_read(0x60, Width::Byte, 500 * MS), 0x20);
}

#[test]
fn keyboard_leds_and_unclaimed_reads() {
    let mut g = Guest::new();
    g.data(0xED);
    g.data(0x04);
    assert_eq!(g.read_all(), [0xFA, 0xFA]);
    assert_eq!(g.kbc.keyboard_leds(), 4);
    assert_eq!(
        g.kbc.port_read(0x60, Width::Byte, g.now),
        0xFA,
        "empty buffer: the data register still holds the last byte"
    );
    assert_eq!(g.kbc.port_read(0x61, Width::Byte, g.now), 0xFF);
    assert_eq!(g.kbc.port_read(0x64, Width::Word, g.now) >> 8, 0xFF);
}

#[test]
fn writing_to_keyboard_reenables_its_interface() {
    let mut g = Guest::new();
    g.command(0xAD);
    g.data(0xF2);
    assert_eq!(g.read_all(), [0xFA, 0xAB, 0x41]);
}

#[test]
fn random_guest_traffic_does_not_panic() {
    let mut dev = Kbc::new();
    let cell = std::cell::RefCell::new(&mut dev);
    crate::test_rng::random_port_traffic(
        7,
        50_000,
        &[0x60, 0x64],
        |p, w, t| {
            let mut dev = cell.borrow_mut();
            dev.port_read(p, w, t);
            let _ = dev.next_event_ns();
            dev.key_event(t % 2 == 0, KeyCode::ALL[(t % 100) as usize], t);
            dev.mouse_motion((t % 700) as i32 - 350, 3, (t % 8) as u8, t);
            dev.reset_requested();
        },
        |p, w, v, t| cell.borrow_mut().port_write(p, w, v, t),
    );
}

#[test]
fn data_register_keeps_the_last_byte() {
    let mut g = Guest::new();
    g.command(0xAA);
    assert_eq!(g.read_all(), [0x55]);
    // Reading again without a new byte returns the same value (OBF clear).
    assert_eq!(g.kbc.port_read(0x60, Width::Byte, g.now), 0x55);
    assert_eq!(g.kbc.port_read(0x64, Width::Byte, g.now) & 1, 0);
}
