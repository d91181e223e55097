//! Small system ports without a chip of their own: system control port A at 0x92 (bit 1 fast
//! A20 gate, bit 0 fast CPU reset on a 0 -> 1 transition), the POST diagnostic port 0x80 (the
//! last code is kept) and the 0xE9 debug console (bytes collected for the host; reading it
//! returns 0xE9 so guests can detect it), with port 0x402 as a second name for it (the port
//! SeaBIOS writes its log to).

use crate::byte_ports::{read_split, write_split};
use rawbox_cpu::Width;

const PORTS: &[(u16, u16)] = &[(0x80, 0x80), (0x92, 0x92), (0xE9, 0xE9), (0x402, 0x402)];

const FAST_RESET: u8 = 0x01;
const FAST_A20: u8 = 0x02;

/// Debug console bytes kept before the oldest are dropped (a guest may write forever).
const DEBUG_OUTPUT_LIMIT: usize = 1 << 20;

/// Ports 0x80, 0x92, 0xE9 and 0x402.
#[derive(Clone, Debug)]
pub struct MiscPorts {
    port92: u8,
    post_code: u8,
    debug_output: Vec<u8>,
    reset_pending: bool,
}

impl MiscPorts {
    /// Power-on state: fast A20 off, POST code 0.
    pub fn new() -> MiscPorts {
        MiscPorts {
            port92: 0,
            post_code: 0,
            debug_output: Vec::new(),
            reset_pending: false,
        }
    }

    /// Inclusive port ranges claimed.
    pub fn ports(&self) -> &'static [(u16, u16)] {
        PORTS
    }

    /// Fast A20 gate (port 0x92 bit 1); the platform ORs it with the 8042's.
    pub fn a20_enabled(&self) -> bool {
        self.port92 & FAST_A20 != 0
    }

    /// True once after port 0x92 bit 0 went from 0 to 1.
    pub fn reset_requested(&mut self) -> bool {
        std::mem::take(&mut self.reset_pending)
    }

    /// The last POST code written to port 0x80.
    pub fn post_code(&self) -> u8 {
        self.post_code
    }

    /// Bytes written to port 0xE9 since the last call.
    pub fn take_debug_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.debug_output)
    }

    /// Reads a port (no side effects).
    pub fn peek(&self, port: u16) -> u8 {
        match port {
            0x80 => self.post_code,
            0x92 => self.port92,
            0xE9 | 0x402 => 0xE9,
            _ => 0xFF,
        }
    }

    fn write_byte(&mut self, port: u16, value: u8) {
        match port {
            0x80 => {
                log::debug!("POST code {value:#04x}");
                self.post_code = value;
            }
            0x92 => {
                if self.port92 & FAST_RESET == 0 && value & FAST_RESET != 0 {
                    log::info!("port 0x92: fast CPU reset");
                    self.reset_pending = true;
                }
                self.port92 = value;
            }
            0xE9 | 0x402 => {
                if self.debug_output.len() >= DEBUG_OUTPUT_LIMIT {
                    self.debug_output.drain(..DEBUG_OUTPUT_LIMIT / 2);
                }
                self.debug_output.push(value);
            }
            _ => {}
        }
    }

    /// Port read (see the crate's device conventions).
    pub fn port_read(&mut self, port: u16, width: Width, _now_ns: u64) -> u32 {
        read_split(port, width, |p| self.peek(p))
    }

    /// Port write (see the crate's device conventions).
    pub fn port_write(&mut self, port: u16, width: Width, value: u32, _now_ns: u64) {
        write_split(port, width, value, |p, b| self.write_byte(p, b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(m: &mut MiscPorts, port: u16, value: u8) {
        m.port_write(port, Width::Byte, u32::from(value), 0);
    }

    #[test]
    fn fast_a20_and_reset_edge() {
        let mut m = MiscPorts::new();
        assert!(!m.a20_enabled());
        out(&mut m, 0x92, 0x02);
        assert!(m.a20_enabled());
        assert!(!m.reset_requested());
        out(&mut m, 0x92, 0x03);
        assert!(m.reset_requested());
        assert!(!m.reset_requested(), "taken once");
        out(&mut m, 0x92, 0x03);
        assert!(!m.reset_requested(), "no new 0 -> 1 transition");
        assert_eq!(m.port_read(0x92, Width::Byte, 0), 0x03);
    }

    #[test]
    fn post_code_is_kept() {
        let mut m = MiscPorts::new();
        out(&mut m, 0x80, 0x12);
        out(&mut m, 0x80, 0x34);
        assert_eq!(m.post_code(), 0x34);
        assert_eq!(m.port_read(0x80, Width::Byte, 0), 0x34);
    }

    #[test]
    fn debug_console_collects_bytes() {
        let mut m = MiscPorts::new();
        for &b in b"ok\n" {
            out(&mut m, 0xE9, b);
        }
        assert_eq!(m.take_debug_output(), b"ok\n");
        assert!(m.take_debug_output().is_empty());
        assert_eq!(m.port_read(0xE9, Width::Byte, 0), 0xE9);
        out(&mut m, 0x402, b'S');
        out(&mut m, 0xE9, b'B');
        assert_eq!(m.take_debug_output(), b"SB", "0x402 feeds the same console");
    }

    #[test]
    fn wide_accesses_split_and_unclaimed_ports() {
        let mut m = MiscPorts::new();
        m.port_write(0x80, Width::Word, 0xBEEF, 0); // 0x81 is not ours
        assert_eq!(m.post_code(), 0xEF);
        assert_eq!(m.port_read(0x80, Width::Word, 0), 0xFFEF);
        assert_eq!(m.port_read(0x93, Width::Byte, 0), 0xFF);
    }

    #[test]
    fn debug_output_is_bounded() {
        let mut m = MiscPorts::new();
        for _ in 0..(DEBUG_OUTPUT_LIMIT + 10) {
            out(&mut m, 0xE9, b'x');
        }
        assert!(m.take_debug_output().len() <= DEBUG_OUTPUT_LIMIT);
    }

    #[test]
    fn random_guest_traffic_does_not_panic() {
        let mut dev = MiscPorts::new();
        let cell = std::cell::RefCell::new(&mut dev);
        crate::test_rng::random_port_traffic(
            7,
            50_000,
            &[0x80, 0x92, 0xE9, 0x402],
            |p, w, t| {
                let mut dev = cell.borrow_mut();
                dev.port_read(p, w, t);
                dev.reset_requested();
            },
            |p, w, v, t| cell.borrow_mut().port_write(p, w, v, t),
        );
    }
}
