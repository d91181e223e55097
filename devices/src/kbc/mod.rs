//! The 8042 keyboard controller at 0x60 (data) and 0x64 (status/command): status register,
//! command byte, controller commands (self tests, interface enable/disable, output and input
//! ports, writes to the keyboard/mouse and to its own output buffer, reset pulse), the single
//! output buffer shared by keyboard and mouse, IRQ1/IRQ12, set 2 -> set 1 translation, A20
//! and the CPU reset line. It owns the PS/2 keyboard and mouse attached to it.

mod translate;

use crate::byte_ports::{read_split, write_split};
pub use crate::ps2_keyboard::KeyCode;

use crate::ps2_keyboard::Ps2Keyboard;
use crate::ps2_mouse::Ps2Mouse;
use rawbox_cpu::Width;
use std::collections::VecDeque;
use translate::Translator;

const PORTS: &[(u16, u16)] = &[(0x60, 0x60), (0x64, 0x64)];

/// After the guest reads a byte, the next one arrives this much later (about one byte time on
/// the PS/2 wire), so IRQ1/IRQ12 drop between bytes and edge-triggered PICs see each one.
const NEXT_BYTE_DELAY_NS: u64 = 500_000;

// Status register bits.
const STATUS_OBF: u8 = 0x01;
const STATUS_SYSTEM: u8 = 0x04;
const STATUS_COMMAND: u8 = 0x08;
const STATUS_UNLOCKED: u8 = 0x10;
const STATUS_AUX: u8 = 0x20;

// Command byte bits.
const CMD_KBD_IRQ: u8 = 0x01;
const CMD_AUX_IRQ: u8 = 0x02;
const CMD_SYSTEM: u8 = 0x04;
const CMD_KBD_DISABLED: u8 = 0x10;
const CMD_AUX_DISABLED: u8 = 0x20;
const CMD_TRANSLATE: u8 = 0x40;

// Output port bits.
const OUT_RESET: u8 = 0x01;
const OUT_A20: u8 = 0x02;
const OUT_KBD_OBF: u8 = 0x10;
const OUT_AUX_OBF: u8 = 0x20;

/// Input port as read by command 0xC0: keyboard not inhibited, colour display.
const INPUT_PORT: u8 = 0x80;

/// Who put the byte into the output buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    /// The controller itself or the keyboard (IRQ1).
    Keyboard,
    /// The mouse (IRQ12, status bit 5).
    Aux,
}

/// A controller command waiting for its data byte on port 0x60.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DataFor {
    Keyboard,
    Ram(u8),
    OutputPort,
    KeyboardBuffer,
    AuxBuffer,
    Mouse,
}

/// The 8042 with its keyboard and mouse.
#[derive(Clone, Debug)]
pub struct Kbc {
    /// The 32 bytes of controller RAM; byte 0 is the command byte.
    ram: [u8; 32],
    output_port: u8,
    /// The last byte read from port 0x60 (what the data register still holds).
    last_data: u8,
    output_buffer: Option<(u8, Source)>,
    /// Controller responses waiting for the output buffer (ahead of device data).
    responses: VecDeque<(u8, Source)>,
    /// The last port write was to 0x64.
    last_write_was_command: bool,
    data_for: Option<DataFor>,
    system_flag: bool,
    translator: Translator,
    /// The output buffer may be refilled from this time on.
    refill_at_ns: u64,
    reset_pending: bool,
    keyboard: Ps2Keyboard,
    mouse: Ps2Mouse,
}

impl Kbc {
    /// Power-on state: keyboard interrupts and translation on, A20 masked.
    pub fn new() -> Kbc {
        let mut ram = [0u8; 32];
        ram[0] = CMD_KBD_IRQ | CMD_TRANSLATE;
        Kbc {
            ram,
            last_data: 0,
            output_port: OUT_RESET | OUT_A20, // the 8042 output port comes up as 0xCF: A20 enabled
            output_buffer: None,
            responses: VecDeque::new(),
            last_write_was_command: false,
            data_for: None,
            system_flag: false,
            translator: Translator::default(),
            refill_at_ns: 0,
            reset_pending: false,
            keyboard: Ps2Keyboard::new(),
            mouse: Ps2Mouse::new(),
        }
    }

    /// Inclusive port ranges claimed.
    pub fn ports(&self) -> &'static [(u16, u16)] {
        PORTS
    }

    fn command_byte(&self) -> u8 {
        self.ram[0]
    }

    /// True while the A20 gate (output port bit 1) is enabled.
    pub fn a20_enabled(&self) -> bool {
        self.output_port & OUT_A20 != 0
    }

    /// True once after the guest asked for a CPU reset (0xFE pulse or output port bit 0 low).
    pub fn reset_requested(&mut self) -> bool {
        std::mem::take(&mut self.reset_pending)
    }

    /// IRQ1: a keyboard/controller byte in the output buffer with keyboard interrupts on.
    pub fn irq1_line(&self) -> bool {
        matches!(self.output_buffer, Some((_, Source::Keyboard)))
            && self.command_byte() & CMD_KBD_IRQ != 0
    }

    /// IRQ12: a mouse byte in the output buffer with mouse interrupts on.
    pub fn irq12_line(&self) -> bool {
        matches!(self.output_buffer, Some((_, Source::Aux)))
            && self.command_byte() & CMD_AUX_IRQ != 0
    }

    /// The host pressed (`make`) or released `key`.
    pub fn key_event(&mut self, make: bool, key: KeyCode, now_ns: u64) {
        self.keyboard.key_event(make, key, now_ns);
        self.advance(now_ns);
    }

    /// The host moved the mouse (`dy` positive = up) with `buttons` down
    /// (see `ps2_mouse::BUTTON_*`).
    pub fn mouse_motion(&mut self, dx: i32, dy: i32, buttons: u8, now_ns: u64) {
        self.mouse.motion(dx, dy, buttons);
        self.advance(now_ns);
    }

    /// The host turned the mouse wheel.
    pub fn mouse_wheel(&mut self, dz: i32, now_ns: u64) {
        self.mouse.wheel(dz);
        self.advance(now_ns);
    }

    /// Keyboard LED state (bit 0 Scroll, 1 Num, 2 Caps Lock) for the frontend.
    pub fn keyboard_leds(&self) -> u8 {
        self.keyboard.leds()
    }

    /// Runs typematic repeat and refills the output buffer as due at `now_ns`.
    pub fn advance(&mut self, now_ns: u64) {
        self.keyboard.advance(now_ns);
        self.refill(now_ns);
    }

    /// The next time `advance` has something to do: a byte waiting for the output buffer
    /// or a typematic repeat.
    pub fn next_event_ns(&self) -> Option<u64> {
        let waiting = self.output_buffer.is_none()
            && (!self.responses.is_empty()
                || (self.keyboard.has_output() && self.command_byte() & CMD_KBD_DISABLED == 0)
                || (self.mouse.has_output() && self.command_byte() & CMD_AUX_DISABLED == 0));
        let refill = waiting.then_some(self.refill_at_ns);
        match (refill, self.keyboard.next_event_ns()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Moves the next waiting byte into the empty output buffer.
    fn refill(&mut self, now_ns: u64) {
        while self.output_buffer.is_none() {
            // The controller's own answers are immediate; device bytes keep the wire pace.
            if let Some(entry) = self.responses.pop_front() {
                self.output_buffer = Some(entry);
            } else if now_ns < self.refill_at_ns {
                break;
            } else if self.command_byte() & CMD_KBD_DISABLED == 0 && self.keyboard.has_output() {
                let Some(byte) = self.keyboard.pop() else {
                    break;
                };
                let byte = if self.command_byte() & CMD_TRANSLATE != 0 {
                    match self.translator.translate(byte) {
                        Some(b) => b,
                        None => continue, // an absorbed break prefix
                    }
                } else {
                    byte
                };
                self.output_buffer = Some((byte, Source::Keyboard));
            } else if self.command_byte() & CMD_AUX_DISABLED == 0 && self.mouse.has_output() {
                let Some(byte) = self.mouse.pop() else { break };
                self.output_buffer = Some((byte, Source::Aux));
            } else {
                break;
            }
        }
    }

    fn respond(&mut self, byte: u8) {
        self.responses.push_back((byte, Source::Keyboard));
    }

    fn status(&self) -> u8 {
        let mut status = STATUS_UNLOCKED;
        if let Some((_, source)) = self.output_buffer {
            status |= STATUS_OBF;
            if source == Source::Aux {
                status |= STATUS_AUX;
            }
        }
        if self.system_flag {
            status |= STATUS_SYSTEM;
        }
        if self.last_write_was_command {
            status |= STATUS_COMMAND;
        }
        status
    }

    fn output_port_value(&self) -> u8 {
        let mut value = self.output_port & (OUT_RESET | OUT_A20) | 0xC0;
        match self.output_buffer {
            Some((_, Source::Keyboard)) => value |= OUT_KBD_OBF,
            Some((_, Source::Aux)) => value |= OUT_AUX_OBF,
            None => {}
        }
        value
    }

    fn write_output_port(&mut self, value: u8) {
        self.output_port = value & (OUT_RESET | OUT_A20);
        if value & OUT_RESET == 0 {
            log::info!("8042: CPU reset through the output port");
            self.reset_pending = true;
            self.output_port |= OUT_RESET;
        }
    }

    fn controller_command(&mut self, command: u8) {
        self.data_for = None;
        match command {
            0x20..=0x3F => self.respond(self.ram[usize::from(command & 0x1F)]),
            0x60..=0x7F => self.data_for = Some(DataFor::Ram(command & 0x1F)),
            0xA4 => self.respond(0xF1), // no password installed
            0xA7 => self.ram[0] |= CMD_AUX_DISABLED,
            0xA8 => self.ram[0] &= !CMD_AUX_DISABLED,
            0xA9 | 0xAB => self.respond(0x00), // interface test passed
            0xAA => {
                self.system_flag = true;
                self.translator.reset();
                self.respond(0x55);
            }
            0xAD => self.ram[0] |= CMD_KBD_DISABLED,
            0xAE => self.ram[0] &= !CMD_KBD_DISABLED,
            0xC0 => self.respond(INPUT_PORT),
            0xD0 => self.respond(self.output_port_value()),
            0xD1 => self.data_for = Some(DataFor::OutputPort),
            0xD2 => self.data_for = Some(DataFor::KeyboardBuffer),
            0xD3 => self.data_for = Some(DataFor::AuxBuffer),
            0xD4 => self.data_for = Some(DataFor::Mouse),
            0xDD => self.output_port &= !OUT_A20,
            0xDF => self.output_port |= OUT_A20,
            0xE0 => self.respond(0x00),
            0xF0..=0xFF => {
                if command & 0x01 == 0 {
                    log::info!("8042: CPU reset pulse");
                    self.reset_pending = true;
                }
            }
            _ => log::debug!("8042: unknown command {command:#04x}"),
        }
    }

    fn data_write(&mut self, value: u8) {
        match self.data_for.take().unwrap_or(DataFor::Keyboard) {
            DataFor::Keyboard => {
                // Transmitting to the keyboard enables its interface, as the 8042 does.
                self.ram[0] &= !CMD_KBD_DISABLED;
                self.keyboard.receive(value);
            }
            DataFor::Ram(index) => {
                self.ram[usize::from(index)] = value;
                if index == 0 {
                    self.system_flag = value & CMD_SYSTEM != 0;
                    self.translator.reset();
                }
            }
            DataFor::OutputPort => self.write_output_port(value),
            DataFor::KeyboardBuffer => self.responses.push_back((value, Source::Keyboard)),
            DataFor::AuxBuffer => self.responses.push_back((value, Source::Aux)),
            DataFor::Mouse => {
                self.ram[0] &= !CMD_AUX_DISABLED;
                self.mouse.receive(value);
            }
        }
    }

    fn read_byte(&mut self, port: u16, now_ns: u64) -> u8 {
        match port {
            0x60 => match self.output_buffer.take() {
                Some((byte, _)) => {
                    self.refill_at_ns = now_ns.saturating_add(NEXT_BYTE_DELAY_NS);
                    self.last_data = byte;
                    byte
                }
                // The output register keeps its value after OBF clears: a second read (an
                // IRQ 1 hook that chains to the BIOS) sees the same scan code.
                None => self.last_data,
            },
            0x64 => self.status(),
            _ => 0xFF,
        }
    }

    /// Reads a port without side effects (port 0x60 leaves the byte in the buffer).
    pub fn peek(&self, port: u16) -> u8 {
        match port {
            0x60 => self.output_buffer.map_or(self.last_data, |(byte, _)| byte),
            0x64 => self.status(),
            _ => 0xFF,
        }
    }

    /// Port read (see the crate's device conventions).
    pub fn port_read(&mut self, port: u16, width: Width, now_ns: u64) -> u32 {
        self.advance(now_ns);
        read_split(port, width, |p| self.read_byte(p, now_ns))
    }

    /// Port write (see the crate's device conventions).
    pub fn port_write(&mut self, port: u16, width: Width, value: u32, now_ns: u64) {
        self.advance(now_ns);
        write_split(port, width, value, |p, b| match p {
            0x60 => {
                self.last_write_was_command = false;
                self.data_write(b);
            }
            0x64 => {
                self.last_write_was_command = true;
                self.controller_command(b);
            }
            _ => {}
        });
        self.refill(now_ns);
    }
}

#[cfg(test)]
mod tests;
