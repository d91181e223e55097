//! System control port B (0x61) and the PC speaker it drives: bit 0 is PIT counter 2's gate,
//! bit 1 enables the speaker data (speaker = bit 1 AND OUT2), bits 2-3 are the parity/IO
//! channel check enables, bit 4 is the refresh request toggle (flips every 15 us of virtual
//! time), bit 5 reads PIT OUT2 back. Bits 4-7 are read-only.
//!
//! Port 0x61 belongs to two chips, so reads take OUT2 from the PIT as a parameter
//! ([`SystemControlB::read_61`]) and the platform forwards [`SystemControlB::gate2`] to the
//! PIT after writes.

use crate::byte_ports::write_split;
use rawbox_cpu::Width;

const PORTS: &[(u16, u16)] = &[(0x61, 0x61)];

/// Half-period of the refresh toggle (bit 4).
pub const REFRESH_TOGGLE_NS: u64 = 15_000;

const GATE2: u8 = 0x01;
const SPEAKER_DATA: u8 = 0x02;
const WRITABLE: u8 = 0x0F;
const REFRESH: u8 = 0x10;
const OUT2: u8 = 0x20;

/// What the speaker cone is doing, for an audio frontend.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SpeakerOutput {
    /// A square wave (PIT counter 2 running periodically with the speaker enabled).
    Tone { hz: f64 },
    /// The cone held at one position (driven directly by software toggling port 0x61,
    /// or silent when false and unchanging).
    Level(bool),
}

/// Port 0x61.
#[derive(Clone, Debug)]
pub struct SystemControlB {
    /// The writable bits 0-3.
    bits: u8,
}

impl SystemControlB {
    /// Power-on state: gate and speaker off.
    pub fn new() -> SystemControlB {
        SystemControlB { bits: 0 }
    }

    /// Inclusive port ranges claimed.
    pub fn ports(&self) -> &'static [(u16, u16)] {
        PORTS
    }

    /// Reads port 0x61 given PIT OUT2 at `now_ns`.
    pub fn read_61(&self, out2: bool, now_ns: u64) -> u8 {
        let refresh = if (now_ns / REFRESH_TOGGLE_NS) & 1 != 0 {
            REFRESH
        } else {
            0
        };
        self.bits | refresh | if out2 { OUT2 } else { 0 }
    }

    /// Writes port 0x61 (bits 4-7 are read-only).
    pub fn write_61(&mut self, value: u8) {
        self.bits = value & WRITABLE;
    }

    /// Port write (see the crate's device conventions); reads go through `read_61`.
    pub fn port_write(&mut self, port: u16, width: Width, value: u32, _now_ns: u64) {
        write_split(port, width, value, |p, b| {
            if p == 0x61 {
                self.write_61(b);
            }
        });
    }

    /// PIT counter 2 gate (bit 0), for the platform to pass to `Pit::set_gate2`.
    pub fn gate2(&self) -> bool {
        self.bits & GATE2 != 0
    }

    /// Speaker data enable (bit 1).
    pub fn speaker_enabled(&self) -> bool {
        self.bits & SPEAKER_DATA != 0
    }

    /// The speaker's state from this port and the PIT's counter 2: `out2_hz` is
    /// `Pit::speaker_square_wave_hz` and `out2` the OUT2 level now.
    pub fn speaker_output(&self, out2_hz: Option<f64>, out2: bool) -> SpeakerOutput {
        if !self.speaker_enabled() {
            return SpeakerOutput::Level(false);
        }
        match out2_hz {
            Some(hz) if self.gate2() => SpeakerOutput::Tone { hz },
            _ => SpeakerOutput::Level(out2),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writable_bits_and_read_only_bits() {
        let mut port = SystemControlB::new();
        port.write_61(0xFF);
        assert_eq!(port.read_61(false, 0), 0x0F);
        assert!(port.gate2());
        assert!(port.speaker_enabled());
        port.write_61(0x02);
        assert!(!port.gate2());
    }

    #[test]
    fn out2_reads_back_in_bit_5() {
        let port = SystemControlB::new();
        assert_eq!(port.read_61(true, 0) & OUT2, OUT2);
        assert_eq!(port.read_61(false, 0) & OUT2, 0);
    }

    #[test]
    fn refresh_bit_toggles_every_15_us() {
        let port = SystemControlB::new();
        let bits: Vec<u8> = [0u64, 14_999, 15_000, 29_999, 30_000, 45_000]
            .iter()
            .map(|&t| port.read_61(false, t) & REFRESH)
            .collect();
        assert_eq!(bits, vec![0, 0, REFRESH, REFRESH, 0, REFRESH]);
    }

    #[test]
    fn speaker_output_combines_port_and_pit() {
        let mut port = SystemControlB::new();
        assert_eq!(
            port.speaker_output(Some(440.0), true),
            SpeakerOutput::Level(false)
        );
        port.write_61(0x03);
        assert_eq!(
            port.speaker_output(Some(440.0), true),
            SpeakerOutput::Tone { hz: 440.0 }
        );
        port.write_61(0x02);
        assert_eq!(
            port.speaker_output(None, true),
            SpeakerOutput::Level(true),
            "direct drive"
        );
        port.port_write(0x61, Width::Byte, 0x00, 0);
        assert_eq!(port.speaker_output(None, true), SpeakerOutput::Level(false));
    }
}
