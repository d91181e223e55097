//! A PS/2 mouse behind the 8042's auxiliary port: the mouse command set (reset, defaults,
//! sample rate, resolution, scaling, stream/remote/wrap modes, status request, read data,
//! enable/disable reporting, identify), 3-byte movement packets with sign and overflow bits,
//! 2:1 scaling, and IntelliMouse wheel detection (sample rates 200, 100, 80 -> ID 3 with a
//! fourth packet byte).
//!
//! The host feeds movement with [`Ps2Mouse::motion`]; the controller moves bytes with
//! [`Ps2Mouse::receive`] and [`Ps2Mouse::pop`].

use std::collections::VecDeque;

/// Bytes the mouse holds while the controller does not take them (whole packets only).
const BUFFER_BYTES: usize = 48;
/// Most packets one large movement is split into.
const MAX_SPLIT_PACKETS: usize = 8;

const ACK: u8 = 0xFA;
const RESEND: u8 = 0xFE;
const SELF_TEST_PASSED: u8 = 0xAA;

/// Button bits as in the first packet byte.
pub const BUTTON_LEFT: u8 = 0x01;
pub const BUTTON_RIGHT: u8 = 0x02;
pub const BUTTON_MIDDLE: u8 = 0x04;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Stream,
    Remote,
    Wrap,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Awaiting {
    SampleRate,
    Resolution,
}

/// The mouse.
#[derive(Clone, Debug)]
pub struct Ps2Mouse {
    output: VecDeque<u8>,
    mode: Mode,
    /// Mode to return to when wrap mode ends.
    mode_before_wrap: Mode,
    reporting: bool,
    sample_rate: u8,
    /// 0-3: 1, 2, 4, 8 counts per mm.
    resolution: u8,
    scaling_2_to_1: bool,
    awaiting: Option<Awaiting>,
    /// The last three sample rates set (for the IntelliMouse knock).
    recent_rates: [u8; 3],
    /// Device ID: 0 standard, 3 IntelliMouse.
    id: u8,
    /// Buttons currently down.
    buttons: u8,
    /// Movement not yet reported (remote mode).
    pending_dx: i32,
    pending_dy: i32,
    pending_dz: i32,
    last_sent: u8,
}

impl Ps2Mouse {
    /// A mouse after power-on: stream mode, reporting disabled, 100 samples/s, 4 counts/mm.
    pub fn new() -> Ps2Mouse {
        Ps2Mouse {
            output: VecDeque::new(),
            mode: Mode::Stream,
            mode_before_wrap: Mode::Stream,
            reporting: false,
            sample_rate: 100,
            resolution: 2,
            scaling_2_to_1: false,
            awaiting: None,
            recent_rates: [0; 3],
            id: 0,
            buttons: 0,
            pending_dx: 0,
            pending_dy: 0,
            pending_dz: 0,
            last_sent: 0,
        }
    }

    fn set_defaults(&mut self) {
        self.sample_rate = 100;
        self.resolution = 2;
        self.scaling_2_to_1 = false;
        self.reporting = false;
        self.mode = Mode::Stream;
        self.clear_counters();
    }

    /// Forgets unreported movement (done by the commands that change reporting).
    fn clear_counters(&mut self) {
        self.pending_dx = 0;
        self.pending_dy = 0;
        self.pending_dz = 0;
    }

    fn send(&mut self, bytes: &[u8]) {
        if self.output.len() + bytes.len() > BUFFER_BYTES {
            log::debug!("PS/2 mouse: buffer full, dropping {bytes:02X?}");
            return;
        }
        self.output.extend(bytes);
    }

    /// A byte from the controller (0xD4 command's data).
    pub fn receive(&mut self, byte: u8) {
        if self.mode == Mode::Wrap && byte != 0xEC && byte != 0xFF {
            self.send(&[byte]);
            return;
        }
        if let Some(awaiting) = self.awaiting.take() {
            match awaiting {
                Awaiting::SampleRate => self.set_sample_rate(byte),
                Awaiting::Resolution => self.resolution = byte & 3,
            }
            self.clear_counters();
            self.send(&[ACK]);
            return;
        }
        self.command(byte);
    }

    fn set_sample_rate(&mut self, rate: u8) {
        self.sample_rate = rate;
        self.recent_rates = [self.recent_rates[1], self.recent_rates[2], rate];
        if self.recent_rates == [200, 100, 80] {
            self.id = 3;
        }
    }

    fn command(&mut self, byte: u8) {
        match byte {
            0xFF => {
                self.set_defaults();
                self.output.clear();
                self.id = 0;
                self.send(&[ACK, SELF_TEST_PASSED, 0x00]);
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
                self.reporting = false;
                self.clear_counters();
                self.send(&[ACK]);
            }
            0xF4 => {
                self.reporting = true;
                self.clear_counters();
                self.send(&[ACK]);
            }
            0xF3 => {
                self.awaiting = Some(Awaiting::SampleRate);
                self.send(&[ACK]);
            }
            0xF2 => {
                let id = self.id;
                self.send(&[ACK, id]);
            }
            0xF0 => {
                self.mode = Mode::Remote;
                self.clear_counters();
                self.send(&[ACK]);
            }
            0xEE => {
                self.mode_before_wrap = self.mode;
                self.mode = Mode::Wrap;
                self.send(&[ACK]);
            }
            0xEC => {
                if self.mode == Mode::Wrap {
                    self.mode = self.mode_before_wrap;
                }
                self.send(&[ACK]);
            }
            0xEB => {
                self.send(&[ACK]);
                self.emit_packets();
            }
            0xEA => {
                self.mode = Mode::Stream;
                self.clear_counters();
                self.send(&[ACK]);
            }
            0xE9 => {
                let status = self.status_byte();
                let (resolution, rate) = (self.resolution, self.sample_rate);
                self.send(&[ACK, status, resolution, rate]);
            }
            0xE8 => {
                self.awaiting = Some(Awaiting::Resolution);
                self.send(&[ACK]);
            }
            0xE7 => {
                self.scaling_2_to_1 = true;
                self.send(&[ACK]);
            }
            0xE6 => {
                self.scaling_2_to_1 = false;
                self.send(&[ACK]);
            }
            _ => {
                log::debug!("PS/2 mouse: unknown command {byte:#04x}");
                self.send(&[RESEND]);
            }
        }
    }

    /// Status request byte 1: bit 6 remote mode, bit 5 reporting, bit 4 2:1 scaling,
    /// bit 2 left, bit 1 middle, bit 0 right button.
    fn status_byte(&self) -> u8 {
        u8::from(self.mode == Mode::Remote) << 6
            | u8::from(self.reporting) << 5
            | u8::from(self.scaling_2_to_1) << 4
            | u8::from(self.buttons & BUTTON_LEFT != 0) << 2
            | u8::from(self.buttons & BUTTON_MIDDLE != 0) << 1
            | u8::from(self.buttons & BUTTON_RIGHT != 0)
    }

    /// 2:1 scaling as the mouse applies it to stream reports.
    fn scaled(&self, delta: i32) -> i32 {
        if !self.scaling_2_to_1 {
            return delta;
        }
        let magnitude = match delta.unsigned_abs() {
            0 => 0,
            1 | 2 => 1,
            3 => 3,
            4 => 6,
            5 => 9,
            m => 2 * m.min(1 << 20) as i32,
        };
        magnitude * delta.signum()
    }

    /// Host movement: `dx` right, `dy` up (PS/2 convention), `buttons` per BUTTON_*.
    pub fn motion(&mut self, dx: i32, dy: i32, buttons: u8) {
        self.movement(dx, dy, 0, buttons);
    }

    /// Host wheel movement (reported only once the guest enabled the IntelliMouse ID).
    pub fn wheel(&mut self, dz: i32) {
        let buttons = self.buttons;
        self.movement(0, 0, dz, buttons);
    }

    fn movement(&mut self, dx: i32, dy: i32, dz: i32, buttons: u8) {
        let buttons = buttons & 7;
        let changed = buttons != self.buttons;
        self.buttons = buttons;
        let clamp = |v: i32| v.clamp(-(1 << 20), 1 << 20);
        self.pending_dx = clamp(self.pending_dx.saturating_add(dx));
        self.pending_dy = clamp(self.pending_dy.saturating_add(dy));
        self.pending_dz = clamp(self.pending_dz.saturating_add(dz));
        if self.mode == Mode::Stream && self.reporting && (changed || dx != 0 || dy != 0 || dz != 0)
        {
            self.emit_packets();
        }
    }

    /// Sends the pending movement as packets (at least one), splitting large moves.
    fn emit_packets(&mut self) {
        let packet_len = if self.id == 3 { 4 } else { 3 };
        let mut dx = self.scaled(self.pending_dx);
        let mut dy = self.scaled(self.pending_dy);
        let mut dz = self.pending_dz;
        self.pending_dx = 0;
        self.pending_dy = 0;
        self.pending_dz = 0;
        for i in 0..MAX_SPLIT_PACKETS {
            if self.output.len() + packet_len > BUFFER_BYTES {
                log::debug!("PS/2 mouse: buffer full, movement dropped");
                return;
            }
            let last = i + 1 == MAX_SPLIT_PACKETS;
            let px = dx.clamp(-255, 255);
            let py = dy.clamp(-255, 255);
            let pz = dz.clamp(-8, 7);
            dx -= px;
            dy -= py;
            dz -= pz;
            let x_overflow = last && dx != 0;
            let y_overflow = last && dy != 0;
            let mut packet = [
                u8::from(y_overflow) << 7
                    | u8::from(x_overflow) << 6
                    | u8::from(py < 0) << 5
                    | u8::from(px < 0) << 4
                    | 0x08
                    | self.buttons,
                px as u8,
                py as u8,
                pz as u8,
            ];
            if packet_len == 3 {
                packet[3] = 0;
            }
            self.output.extend(&packet[..packet_len]);
            if dx == 0 && dy == 0 && dz == 0 {
                return;
            }
        }
    }

    /// Takes the next byte for the controller.
    pub fn pop(&mut self) -> Option<u8> {
        let byte = self.output.pop_front()?;
        self.last_sent = byte;
        Some(byte)
    }

    /// True if the mouse has bytes for the controller.
    pub fn has_output(&self) -> bool {
        !self.output.is_empty()
    }

    /// The device ID the mouse reports (0, or 3 after the IntelliMouse knock).
    pub fn device_id(&self) -> u8 {
        self.id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(mouse: &mut Ps2Mouse, bytes: &[u8]) -> Vec<u8> {
        for &b in bytes {
            mouse.receive(b);
        }
        std::iter::from_fn(|| mouse.pop()).collect()
    }

    fn enabled() -> Ps2Mouse {
        let mut mouse = Ps2Mouse::new();
        command(&mut mouse, &[0xF4]);
        mouse
    }

    #[test]
    fn command_responses() {
        let table: &[(&[u8], &[u8])] = &[
            (&[0xFF], &[0xFA, 0xAA, 0x00]),
            (&[0xF2], &[0xFA, 0x00]),
            (&[0xE9], &[0xFA, 0x00, 0x02, 100]),
            (
                &[0xF3, 40, 0xE8, 3, 0xE7, 0xF0, 0xE9],
                &[0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0x50, 3, 40],
            ),
            (&[0xF4, 0xE9], &[0xFA, 0xFA, 0x20, 0x02, 100]),
            (&[0x12], &[0xFE]),
        ];
        for &(sent, expected) in table {
            let mut mouse = Ps2Mouse::new();
            assert_eq!(command(&mut mouse, sent), expected, "{sent:02X?}");
        }
    }

    #[test]
    fn no_packets_until_reporting_enabled() {
        let mut mouse = Ps2Mouse::new();
        mouse.motion(5, 5, 0);
        assert!(!mouse.has_output());
        command(&mut mouse, &[0xF4]);
        mouse.motion(1, 0, 0);
        assert!(mouse.has_output());
    }

    #[test]
    fn movement_while_disabled_is_forgotten_on_enable() {
        let mut mouse = Ps2Mouse::new();
        mouse.motion(50, 50, 0);
        command(&mut mouse, &[0xF4]);
        mouse.motion(1, 0, 0);
        assert_eq!(command(&mut mouse, &[]), [0x08, 1, 0]);
    }

    #[test]
    fn packet_sign_and_button_bits() {
        let mut mouse = enabled();
        mouse.motion(10, -3, BUTTON_LEFT | BUTTON_MIDDLE);
        assert_eq!(command(&mut mouse, &[]), [0x08 | 0x20 | 0x05, 10, 0xFD]);
        mouse.motion(-1, 2, BUTTON_RIGHT);
        assert_eq!(command(&mut mouse, &[]), [0x08 | 0x10 | 0x02, 0xFF, 2]);
        mouse.motion(0, 0, 0);
        assert_eq!(
            command(&mut mouse, &[]),
            [0x08, 0, 0],
            "button release is reported"
        );
        mouse.motion(0, 0, 0);
        assert!(!mouse.has_output(), "nothing changed");
    }

    #[test]
    fn status_reports_buttons() {
        let mut mouse = enabled();
        mouse.motion(0, 0, BUTTON_LEFT | BUTTON_RIGHT);
        command(&mut mouse, &[]);
        assert_eq!(command(&mut mouse, &[0xE9]), [0xFA, 0x25, 2, 100]);
    }

    #[test]
    fn large_motion_is_split_and_overflow_flagged_when_too_large() {
        let mut mouse = enabled();
        mouse.motion(300, 0, 0);
        assert_eq!(command(&mut mouse, &[]), [0x08, 255, 0, 0x08, 45, 0]);
        mouse.motion(-10_000, 0, 0);
        let bytes = command(&mut mouse, &[]);
        assert_eq!(bytes.len(), 3 * MAX_SPLIT_PACKETS);
        assert_eq!(
            bytes[bytes.len() - 3] & 0x40,
            0x40,
            "X overflow in the last packet"
        );
        assert_eq!(bytes[0], 0x18);
    }

    #[test]
    fn two_to_one_scaling_table() {
        for (input, output) in [(1, 1), (2, 1), (3, 3), (4, 6), (5, 9), (10, 20), (-4, -6)] {
            let mut mouse = enabled();
            command(&mut mouse, &[0xE7]);
            mouse.motion(input, 0, 0);
            let bytes = command(&mut mouse, &[]);
            assert_eq!(bytes[1] as i8 as i32, output, "input {input}");
        }
    }

    #[test]
    fn remote_mode_reports_on_read_data() {
        let mut mouse = enabled();
        command(&mut mouse, &[0xF0]);
        mouse.motion(3, 4, 0);
        mouse.motion(1, 1, 0);
        assert!(!mouse.has_output());
        assert_eq!(command(&mut mouse, &[0xEB]), [0xFA, 0x08, 4, 5]);
        assert_eq!(command(&mut mouse, &[0xEB]), [0xFA, 0x08, 0, 0]);
    }

    #[test]
    fn wrap_mode_echoes_until_reset_wrap() {
        let mut mouse = Ps2Mouse::new();
        assert_eq!(
            command(&mut mouse, &[0xEE, 0x12, 0xF2, 0xEC, 0xF2]),
            [0xFA, 0x12, 0xF2, 0xFA, 0xFA, 0x00]
        );
    }

    #[test]
    fn intellimouse_knock_enables_wheel_packets() {
        let mut mouse = Ps2Mouse::new();
        command(&mut mouse, &[0xF3, 200, 0xF3, 100, 0xF3, 80]);
        assert_eq!(command(&mut mouse, &[0xF2]), [0xFA, 0x03]);
        command(&mut mouse, &[0xF4]);
        mouse.wheel(-1);
        assert_eq!(command(&mut mouse, &[]), [0x08, 0, 0, 0xFF]);
        command(&mut mouse, &[0xFF]);
        assert_eq!(mouse.device_id(), 0, "reset returns to a standard mouse");
    }

    #[test]
    fn wrong_knock_order_stays_standard() {
        let mut mouse = Ps2Mouse::new();
        command(&mut mouse, &[0xF3, 100, 0xF3, 200, 0xF3, 80]);
        assert_eq!(command(&mut mouse, &[0xF2]), [0xFA, 0x00]);
    }

    #[test]
    fn full_buffer_drops_whole_packets() {
        let mut mouse = enabled();
        for _ in 0..100 {
            mouse.motion(1, 1, 0);
        }
        let bytes = command(&mut mouse, &[]);
        assert_eq!(bytes.len() % 3, 0);
        assert!(bytes.len() <= BUFFER_BYTES);
        mouse.motion(i32::MAX, i32::MIN, 0xFF);
        command(&mut mouse, &[]);
    }
}
