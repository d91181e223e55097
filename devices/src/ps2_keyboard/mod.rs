//! A PS/2 (MF2) keyboard as seen from the 8042's keyboard port: its command set (reset,
//! identify, LEDs, typematic rate/delay, enable/disable, scan code set, echo, resend), its
//! 16-byte output buffer, scan code sets 1 and 2 (set 2 by default, as real keyboards; the
//! 8042 translates), and typematic repeat of the last held key driven by virtual time.
//!
//! The host feeds key presses with [`Ps2Keyboard::key_event`]; the controller moves bytes
//! with [`Ps2Keyboard::receive`] and [`Ps2Keyboard::pop`].

mod keycode;

pub use keycode::{KeyCode, SET2_SYSRQ};

use std::collections::VecDeque;

/// Bytes the keyboard holds while the controller does not take them.
const BUFFER_BYTES: usize = 16;

const ACK: u8 = 0xFA;
const RESEND: u8 = 0xFE;
const SELF_TEST_PASSED: u8 = 0xAA;
const ECHO: u8 = 0xEE;
/// Identify response: MF2 keyboard.
const ID: [u8; 2] = [0xAB, 0x83];
/// Power-on typematic byte: 500 ms delay, 10.9 characters per second.
const DEFAULT_TYPEMATIC: u8 = 0x2B;

/// A command waiting for its parameter byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Awaiting {
    Leds,
    Typematic,
    ScanSet,
}

/// The keyboard.
#[derive(Clone, Debug)]
pub struct Ps2Keyboard {
    output: VecDeque<u8>,
    /// Scan code set in use (1 or 2).
    scan_set: u8,
    /// Scanning enabled (F4/F5).
    scanning: bool,
    /// LED bits: 0 Scroll Lock, 1 Num Lock, 2 Caps Lock.
    leds: u8,
    /// Typematic byte: bits 6-5 delay, bits 4-0 rate.
    typematic: u8,
    awaiting: Option<Awaiting>,
    /// Last byte sent (for the resend command).
    last_sent: u8,
    /// The key being held for typematic repeat and when it next repeats.
    held: Option<(KeyCode, u64)>,
}

impl Ps2Keyboard {
    /// A keyboard that has passed its power-on self test (scanning, set 2).
    pub fn new() -> Ps2Keyboard {
        Ps2Keyboard {
            output: VecDeque::new(),
            scan_set: 2,
            scanning: true,
            leds: 0,
            typematic: DEFAULT_TYPEMATIC,
            awaiting: None,
            last_sent: 0,
            held: None,
        }
    }

    fn set_defaults(&mut self) {
        self.scan_set = 2;
        self.typematic = DEFAULT_TYPEMATIC;
        self.held = None;
    }

    fn send(&mut self, bytes: &[u8]) {
        if self.output.len() + bytes.len() > BUFFER_BYTES {
            log::debug!("PS/2 keyboard: buffer full, dropping {bytes:02X?}");
            return;
        }
        self.output.extend(bytes);
    }

    /// A byte from the controller (a command or a command's parameter).
    pub fn receive(&mut self, byte: u8) {
        if let Some(awaiting) = self.awaiting.take() {
            // A command byte in place of the parameter starts a new command.
            if byte < 0xED {
                self.parameter(awaiting, byte);
                return;
            }
        }
        self.command(byte);
    }

    fn parameter(&mut self, awaiting: Awaiting, byte: u8) {
        match awaiting {
            Awaiting::Leds => {
                self.leds = byte & 7;
                self.send(&[ACK]);
            }
            Awaiting::Typematic => {
                self.typematic = byte & 0x7F;
                self.send(&[ACK]);
            }
            Awaiting::ScanSet => match byte {
                0 => {
                    let set = self.scan_set;
                    self.send(&[ACK, set]);
                }
                1 | 2 => {
                    self.scan_set = byte;
                    self.output.clear();
                    self.send(&[ACK]);
                }
                _ => {
                    log::warn!("PS/2 keyboard: scan code set {byte} not supported");
                    self.send(&[ACK]);
                }
            },
        }
    }

    fn command(&mut self, byte: u8) {
        match byte {
            0xFF => {
                self.output.clear();
                self.set_defaults();
                self.scanning = true;
                self.leds = 0;
                self.send(&[ACK, SELF_TEST_PASSED]);
            }
            0xFE => {
                let last = self.last_sent;
                self.send(&[last]);
            }
            0xF6 => {
                self.set_defaults();
                self.send(&[ACK]);
            }
            0xF5 => {
                self.set_defaults();
                self.scanning = false;
                self.send(&[ACK]);
            }
            0xF4 => {
                self.output.clear();
                self.scanning = true;
                self.send(&[ACK]);
            }
            0xF3 => {
                self.awaiting = Some(Awaiting::Typematic);
                self.send(&[ACK]);
            }
            0xF2 => self.send(&[ACK, ID[0], ID[1]]),
            0xF0 => {
                self.awaiting = Some(Awaiting::ScanSet);
                self.send(&[ACK]);
            }
            0xF7..=0xFD => self.send(&[ACK]), // set 3 key attributes: accepted, no effect
            0xEE => self.send(&[ECHO]),
            0xED => {
                self.awaiting = Some(Awaiting::Leds);
                self.send(&[ACK]);
            }
            _ => {
                log::debug!("PS/2 keyboard: unknown command {byte:#04x}");
                self.send(&[RESEND]);
            }
        }
    }

    /// Typematic delay in ns (bits 6-5: 250, 500, 750 or 1000 ms).
    fn repeat_delay_ns(&self) -> u64 {
        (u64::from((self.typematic >> 5) & 3) + 1) * 250_000_000
    }

    /// Typematic period in ns: (8 + A) * 2^B * 4.17 ms with A = bits 2-0, B = bits 4-3.
    fn repeat_period_ns(&self) -> u64 {
        let a = u64::from(self.typematic & 7);
        let b = u64::from((self.typematic >> 3) & 3);
        (8 + a) * (1 << b) * 4_170_000
    }

    /// A key pressed (`make`) or released on the host at `now_ns`.
    pub fn key_event(&mut self, make: bool, key: KeyCode, now_ns: u64) {
        self.advance(now_ns);
        if !self.scanning {
            return;
        }
        let bytes = key.scan_codes(self.scan_set, make);
        self.send(&bytes);
        if make && key.repeats() {
            self.held = Some((key, now_ns.saturating_add(self.repeat_delay_ns())));
        } else if !make && self.held.is_some_and(|(k, _)| k == key) {
            self.held = None;
        }
    }

    /// Sends the typematic repeats due by `now_ns` (as many as the buffer holds).
    pub fn advance(&mut self, now_ns: u64) {
        let Some((key, mut due)) = self.held else {
            return;
        };
        if !self.scanning {
            return;
        }
        if due > now_ns {
            return;
        }
        let period = self.repeat_period_ns();
        let repeats = (now_ns - due) / period + 1;
        let bytes = key.scan_codes(self.scan_set, true);
        for _ in 0..repeats.min(BUFFER_BYTES as u64) {
            if self.output.len() + bytes.len() <= BUFFER_BYTES {
                self.output.extend(&bytes);
            }
        }
        due = due.saturating_add(repeats.saturating_mul(period));
        self.held = Some((key, due));
    }

    /// When the next typematic repeat is due.
    pub fn next_event_ns(&self) -> Option<u64> {
        self.held.filter(|_| self.scanning).map(|(_, due)| due)
    }

    /// Takes the next byte for the controller.
    pub fn pop(&mut self) -> Option<u8> {
        let byte = self.output.pop_front()?;
        self.last_sent = byte;
        Some(byte)
    }

    /// True if the keyboard has bytes for the controller.
    pub fn has_output(&self) -> bool {
        !self.output.is_empty()
    }

    /// LED state: bit 0 Scroll Lock, bit 1 Num Lock, bit 2 Caps Lock.
    pub fn leds(&self) -> u8 {
        self.leds
    }

    /// The scan code set in use.
    pub fn scan_set(&self) -> u8 {
        self.scan_set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(kbd: &mut Ps2Keyboard) -> Vec<u8> {
        std::iter::from_fn(|| kbd.pop()).collect()
    }

    fn command(kbd: &mut Ps2Keyboard, bytes: &[u8]) -> Vec<u8> {
        for &b in bytes {
            kbd.receive(b);
        }
        drain(kbd)
    }

    const MS: u64 = 1_000_000;

    #[test]
    fn command_responses() {
        let table: &[(&[u8], &[u8])] = &[
            (&[0xFF], &[0xFA, 0xAA]),
            (&[0xF2], &[0xFA, 0xAB, 0x83]),
            (&[0xEE], &[0xEE]),
            (&[0xED, 0x07], &[0xFA, 0xFA]),
            (&[0xF3, 0x00], &[0xFA, 0xFA]),
            (&[0xF0, 0x00], &[0xFA, 0xFA, 0x02]),
            (&[0xF4], &[0xFA]),
            (&[0xF5], &[0xFA]),
            (&[0xF6], &[0xFA]),
            (&[0xFA], &[0xFA]),
            (&[0xEF], &[0xFE]),
            (&[0x00], &[0xFE]),
        ];
        for &(sent, expected) in table {
            let mut kbd = Ps2Keyboard::new();
            assert_eq!(command(&mut kbd, sent), expected, "{sent:02X?}");
        }
    }

    #[test]
    fn leds_are_stored() {
        let mut kbd = Ps2Keyboard::new();
        command(&mut kbd, &[0xED, 0x06]);
        assert_eq!(kbd.leds(), 6);
        command(&mut kbd, &[0xFF]);
        assert_eq!(kbd.leds(), 0);
    }

    #[test]
    fn command_in_place_of_parameter_starts_new_command() {
        let mut kbd = Ps2Keyboard::new();
        assert_eq!(command(&mut kbd, &[0xED, 0xF2]), [0xFA, 0xFA, 0xAB, 0x83]);
    }

    #[test]
    fn scan_set_selection_and_query() {
        let mut kbd = Ps2Keyboard::new();
        command(&mut kbd, &[0xF0, 0x01]);
        assert_eq!(kbd.scan_set(), 1);
        assert_eq!(command(&mut kbd, &[0xF0, 0x00]), [0xFA, 0xFA, 0x01]);
        kbd.key_event(true, KeyCode::A, 0);
        assert_eq!(drain(&mut kbd), [0x1E]);
        command(&mut kbd, &[0xF0, 0x03]);
        assert_eq!(kbd.scan_set(), 1, "set 3 is refused silently");
    }

    #[test]
    fn disabled_keyboard_sends_nothing_and_resend_repeats() {
        let mut kbd = Ps2Keyboard::new();
        command(&mut kbd, &[0xF5]);
        kbd.key_event(true, KeyCode::B, 0);
        assert!(!kbd.has_output());
        command(&mut kbd, &[0xF4]);
        kbd.key_event(true, KeyCode::B, 0);
        assert_eq!(drain(&mut kbd), [0x32]);
        assert_eq!(command(&mut kbd, &[0xFE]), [0x32]);
    }

    #[test]
    fn typematic_repeat_at_default_rate() {
        let mut kbd = Ps2Keyboard::new();
        kbd.key_event(true, KeyCode::A, 0);
        drain(&mut kbd);
        assert_eq!(kbd.next_event_ns(), Some(500 * MS));
        kbd.advance(499 * MS);
        assert!(!kbd.has_output());
        kbd.advance(500 * MS);
        assert_eq!(drain(&mut kbd), [0x1C]);
        // 0x2B: A = 3, B = 1: (8 + 3) * 2 * 4.17 ms = 91.74 ms (10.9 cps).
        kbd.advance(500 * MS + 91_740_000);
        assert_eq!(drain(&mut kbd), [0x1C]);
        kbd.key_event(false, KeyCode::A, 600 * MS);
        assert_eq!(drain(&mut kbd), [0xF0, 0x1C]);
        assert_eq!(kbd.next_event_ns(), None);
    }

    #[test]
    fn typematic_rate_and_delay_programming() {
        let mut kbd = Ps2Keyboard::new();
        command(&mut kbd, &[0xF3, 0x00]); // 250 ms, 30 cps
        kbd.key_event(true, KeyCode::ArrowLeft, 0);
        drain(&mut kbd);
        kbd.advance(250 * MS + 2 * 33_360_000);
        assert_eq!(drain(&mut kbd), [0xE0, 0x6B, 0xE0, 0x6B, 0xE0, 0x6B]);
        command(&mut kbd, &[0xF3, 0x7F]); // 1000 ms, 2 cps
        kbd.key_event(true, KeyCode::Z, 0);
        drain(&mut kbd);
        assert_eq!(kbd.next_event_ns(), Some(1000 * MS));
    }

    #[test]
    fn only_last_key_repeats_and_releasing_another_keeps_it() {
        let mut kbd = Ps2Keyboard::new();
        kbd.key_event(true, KeyCode::A, 0);
        kbd.key_event(true, KeyCode::S, 10 * MS);
        kbd.key_event(false, KeyCode::A, 20 * MS);
        drain(&mut kbd);
        kbd.advance(510 * MS);
        assert_eq!(drain(&mut kbd), [0x1B]);
    }

    #[test]
    fn pause_does_not_repeat() {
        let mut kbd = Ps2Keyboard::new();
        kbd.key_event(true, KeyCode::Pause, 0);
        assert_eq!(drain(&mut kbd).len(), 8);
        assert_eq!(kbd.next_event_ns(), None);
    }

    #[test]
    fn long_hold_is_bounded_by_the_buffer() {
        let mut kbd = Ps2Keyboard::new();
        kbd.key_event(true, KeyCode::Space, 0);
        kbd.advance(3_600_000 * MS);
        assert!(drain(&mut kbd).len() <= BUFFER_BYTES);
        assert!(kbd.next_event_ns().unwrap() > 3_600_000 * MS);
        kbd.advance(u64::MAX - 1);
        assert!(drain(&mut kbd).len() <= BUFFER_BYTES);
    }
}
