//! A 16550A UART (COM1 at 0x3F8/IRQ4, COM2 at 0x2F8/IRQ3; base port given at construction):
//! divisor latch, IER, IIR with the interrupt priorities and FIFO bits, FCR, LCR, MCR with
//! loopback and OUT2 gating the IRQ, LSR, MSR, scratch, 16-byte RX FIFO with trigger levels
//! and character timeout.
//!
//! Transmission is instantaneous: bytes the guest writes collect for [`Uart::take_output`]
//! and the transmitter is empty again at once (THRE re-arms after every byte). Received
//! bytes pushed with [`Uart::push_input`] arrive at the programmed line rate in virtual
//! time and wait on the host side while the RX FIFO is full, so nothing is lost.

use crate::byte_ports::{read_split, write_split};
use rawbox_cpu::Width;
use std::collections::VecDeque;

/// Standard base ports.
pub const COM1_BASE: u16 = 0x3F8;
pub const COM2_BASE: u16 = 0x2F8;

/// The clock divided by the divisor latch gives the baud rate (1.8432 MHz / 16).
const BAUD_CLOCK: u64 = 115_200;
const FIFO_BYTES: usize = 16;

// IER bits.
const IER_RDA: u8 = 0x01;
const IER_THRE: u8 = 0x02;
const IER_RLS: u8 = 0x04;
const IER_MSR: u8 = 0x08;
// LCR.
const LCR_DLAB: u8 = 0x80;
// MCR.
const MCR_DTR: u8 = 0x01;
const MCR_RTS: u8 = 0x02;
const MCR_OUT1: u8 = 0x04;
const MCR_OUT2: u8 = 0x08;
const MCR_LOOPBACK: u8 = 0x10;
// LSR.
const LSR_DR: u8 = 0x01;
const LSR_OE: u8 = 0x02;
const LSR_THRE: u8 = 0x20;
const LSR_TEMT: u8 = 0x40;
// MSR: status bits (deltas are the low nibble).
const MSR_CTS: u8 = 0x10;
const MSR_DSR: u8 = 0x20;
const MSR_RI: u8 = 0x40;
const MSR_DCD: u8 = 0x80;

/// Interrupt identifications (IIR bits 3-0 with bit 0 = 0 meaning pending).
const IIR_NONE: u8 = 0x01;
const IIR_LINE_STATUS: u8 = 0x06;
const IIR_RX_DATA: u8 = 0x04;
const IIR_RX_TIMEOUT: u8 = 0x0C;
const IIR_THRE: u8 = 0x02;
const IIR_MODEM: u8 = 0x00;
const IIR_FIFO_ENABLED: u8 = 0xC0;

/// The UART.
#[derive(Clone, Debug)]
pub struct Uart {
    base: u16,
    divisor: u16,
    ier: u8,
    lcr: u8,
    mcr: u8,
    /// LSR error bits (only OE happens here; PE, FE, BI need a real line) until LSR is read.
    line_errors: u8,
    /// MSR delta bits until MSR is read.
    modem_deltas: u8,
    /// Modem status inputs from the host (CTS, DSR, RI, DCD in MSR bit positions).
    host_modem_lines: u8,
    scratch: u8,
    fifo_enabled: bool,
    rx_trigger: usize,
    rx_fifo: VecDeque<u8>,
    /// Last byte read from RBR (what an empty RBR keeps returning).
    last_rx: u8,
    /// Host bytes not yet received on the line.
    host_rx: VecDeque<u8>,
    /// When the next host byte completes reception.
    next_rx_ns: u64,
    /// Last receive or RBR read (the character timeout counts from it).
    last_rx_activity_ns: u64,
    /// THRE interrupt source latch.
    thre_pending: bool,
    tx_output: Vec<u8>,
    /// Virtual time last seen.
    now_ns: u64,
}

impl Uart {
    /// A UART at `base` (ports base..=base+7) in its reset state.
    pub fn new(base: u16) -> Uart {
        Uart {
            base,
            divisor: 12, // 9600 baud
            ier: 0,
            lcr: 0x03,
            mcr: 0,
            line_errors: 0,
            modem_deltas: 0,
            host_modem_lines: MSR_CTS | MSR_DSR | MSR_DCD,
            scratch: 0,
            fifo_enabled: false,
            rx_trigger: 1,
            rx_fifo: VecDeque::new(),
            last_rx: 0,
            host_rx: VecDeque::new(),
            next_rx_ns: 0,
            last_rx_activity_ns: 0,
            thre_pending: false,
            tx_output: Vec::new(),
            now_ns: 0,
        }
    }

    /// Ports claimed: the eight registers from the base (for the four standard COM bases;
    /// empty for any other base, which the platform routes itself).
    pub fn ports(&self) -> &'static [(u16, u16)] {
        match self.base {
            COM1_BASE => &[(COM1_BASE, COM1_BASE + 7)],
            COM2_BASE => &[(COM2_BASE, COM2_BASE + 7)],
            0x3E8 => &[(0x3E8, 0x3EF)],
            0x2E8 => &[(0x2E8, 0x2EF)],
            _ => &[], // a nonstandard base: route base_port()..=base_port()+7 by hand
        }
    }

    /// The base port.
    pub fn base_port(&self) -> u16 {
        self.base
    }

    /// Bytes the guest transmitted since the last call.
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.tx_output)
    }

    /// Queues bytes for the guest to receive (at the line rate, from `now_ns` on).
    pub fn push_input(&mut self, bytes: &[u8], now_ns: u64) {
        self.advance(now_ns);
        if self.host_rx.is_empty() {
            self.next_rx_ns = now_ns.saturating_add(self.char_time_ns());
        }
        self.host_rx.extend(bytes);
    }

    /// Sets the modem status inputs (CTS, DSR, RI, DCD) from the host side.
    pub fn set_modem_inputs(&mut self, cts: bool, dsr: bool, ri: bool, dcd: bool, now_ns: u64) {
        self.advance(now_ns);
        let before = self.modem_inputs();
        self.host_modem_lines =
            u8::from(cts) << 4 | u8::from(dsr) << 5 | u8::from(ri) << 6 | u8::from(dcd) << 7;
        self.note_modem_change(before);
    }

    /// One character on the line: start bit, data bits, parity, stop bits.
    fn char_time_ns(&self) -> u64 {
        let data = 5 + u64::from(self.lcr & 3);
        let parity = u64::from(self.lcr & 0x08 != 0);
        let stop = if self.lcr & 0x04 != 0 { 2 } else { 1 };
        let divisor = u64::from(self.divisor.max(1));
        (1 + data + parity + stop) * divisor * 1_000_000_000 / BAUD_CLOCK
    }

    fn rx_capacity(&self) -> usize {
        if self.fifo_enabled {
            FIFO_BYTES
        } else {
            1
        }
    }

    /// Receives host bytes due by `now_ns` and notes the time for the character timeout.
    pub fn advance(&mut self, now_ns: u64) {
        let now_ns = now_ns.max(self.now_ns);
        self.now_ns = now_ns;
        let char_time = self.char_time_ns();
        while !self.host_rx.is_empty() && self.next_rx_ns <= now_ns {
            if self.rx_fifo.len() >= self.rx_capacity() {
                break; // held on the host side until the guest makes room
            }
            if let Some(byte) = self.host_rx.pop_front() {
                self.rx_fifo.push_back(byte);
            }
            self.last_rx_activity_ns = self.next_rx_ns;
            self.next_rx_ns = self.next_rx_ns.saturating_add(char_time);
        }
    }

    /// The next time something changes without guest action: a host byte arriving or the
    /// character timeout expiring.
    pub fn next_event_ns(&self) -> Option<u64> {
        let arrival = (!self.host_rx.is_empty() && self.rx_fifo.len() < self.rx_capacity())
            .then_some(self.next_rx_ns);
        let timeout = (self.fifo_enabled && !self.rx_fifo.is_empty() && !self.timeout_expired())
            .then(|| self.timeout_at_ns());
        match (arrival, timeout) {
            (Some(a), Some(t)) => Some(a.min(t)),
            (a, t) => a.or(t),
        }
    }

    fn timeout_at_ns(&self) -> u64 {
        self.last_rx_activity_ns
            .saturating_add(4 * self.char_time_ns())
    }

    fn timeout_expired(&self) -> bool {
        self.now_ns >= self.timeout_at_ns()
    }

    /// The highest-priority pending interrupt (IIR bits 3-0).
    fn interrupt_id(&self) -> u8 {
        let rx_len = self.rx_fifo.len();
        let trigger = if self.fifo_enabled {
            self.rx_trigger
        } else {
            1
        };
        if self.ier & IER_RLS != 0 && self.line_errors != 0 {
            IIR_LINE_STATUS
        } else if self.ier & IER_RDA != 0 && rx_len >= trigger {
            IIR_RX_DATA
        } else if self.ier & IER_RDA != 0
            && self.fifo_enabled
            && rx_len > 0
            && self.timeout_expired()
        {
            IIR_RX_TIMEOUT
        } else if self.ier & IER_THRE != 0 && self.thre_pending {
            IIR_THRE
        } else if self.ier & IER_MSR != 0 && self.modem_deltas != 0 {
            IIR_MODEM
        } else {
            IIR_NONE
        }
    }

    /// The IRQ output: an enabled interrupt pending and MCR OUT2 set.
    pub fn irq_line(&self) -> bool {
        self.mcr & MCR_OUT2 != 0 && self.interrupt_id() != IIR_NONE
    }

    fn modem_inputs(&self) -> u8 {
        if self.mcr & MCR_LOOPBACK != 0 {
            u8::from(self.mcr & MCR_RTS != 0) << 4
                | u8::from(self.mcr & MCR_DTR != 0) << 5
                | u8::from(self.mcr & MCR_OUT1 != 0) << 6
                | u8::from(self.mcr & MCR_OUT2 != 0) << 7
        } else {
            self.host_modem_lines
        }
    }

    /// Sets MSR deltas for input changes since `before`.
    fn note_modem_change(&mut self, before: u8) {
        let after = self.modem_inputs();
        let changed = before ^ after;
        if changed & MSR_CTS != 0 {
            self.modem_deltas |= 0x01;
        }
        if changed & MSR_DSR != 0 {
            self.modem_deltas |= 0x02;
        }
        if before & MSR_RI != 0 && after & MSR_RI == 0 {
            self.modem_deltas |= 0x04; // trailing edge of RI
        }
        if changed & MSR_DCD != 0 {
            self.modem_deltas |= 0x08;
        }
    }

    fn receive_byte_now(&mut self, byte: u8) {
        if self.rx_fifo.len() >= self.rx_capacity() {
            if self.fifo_enabled {
                // The shift register's byte is lost; the FIFO keeps its contents.
            } else {
                self.rx_fifo.clear();
                self.rx_fifo.push_back(byte);
            }
            self.line_errors |= LSR_OE;
        } else {
            self.rx_fifo.push_back(byte);
        }
        self.last_rx_activity_ns = self.now_ns;
    }

    fn transmit(&mut self, byte: u8) {
        if self.mcr & MCR_LOOPBACK != 0 {
            self.receive_byte_now(byte);
        } else {
            self.tx_output.push(byte);
        }
        // Writing THR clears the THRE interrupt; the byte leaves at once and THR is empty
        // again, which raises it anew.
        self.thre_pending = true;
    }

    fn lsr(&self) -> u8 {
        let data_ready = if self.rx_fifo.is_empty() { 0 } else { LSR_DR };
        LSR_THRE | LSR_TEMT | self.line_errors | data_ready
    }

    fn iir(&self) -> u8 {
        self.interrupt_id()
            | if self.fifo_enabled {
                IIR_FIFO_ENABLED
            } else {
                0
            }
    }

    fn msr(&self) -> u8 {
        self.modem_inputs() | self.modem_deltas
    }

    fn read_register(&mut self, offset: u16) -> u8 {
        let dlab = self.lcr & LCR_DLAB != 0;
        match offset {
            0 if dlab => self.divisor as u8,
            0 => {
                if let Some(byte) = self.rx_fifo.pop_front() {
                    self.last_rx = byte;
                }
                // A host byte held back by a full FIFO arrives as soon as there is room.
                self.next_rx_ns = self.next_rx_ns.max(self.now_ns);
                self.last_rx_activity_ns = self.now_ns;
                self.last_rx
            }
            1 if dlab => (self.divisor >> 8) as u8,
            2 => {
                let iir = self.iir();
                if iir & 0x0F == IIR_THRE {
                    self.thre_pending = false;
                }
                iir
            }
            5 => {
                let lsr = self.lsr();
                self.line_errors = 0;
                lsr
            }
            6 => {
                let msr = self.msr();
                self.modem_deltas = 0;
                msr
            }
            _ => self.peek_register(offset),
        }
    }

    fn peek_register(&self, offset: u16) -> u8 {
        let dlab = self.lcr & LCR_DLAB != 0;
        match offset {
            0 if dlab => self.divisor as u8,
            0 => self.rx_fifo.front().copied().unwrap_or(self.last_rx),
            1 if dlab => (self.divisor >> 8) as u8,
            1 => self.ier,
            2 => self.iir(),
            3 => self.lcr,
            4 => self.mcr,
            5 => self.lsr(),
            6 => self.msr(),
            7 => self.scratch,
            _ => 0xFF,
        }
    }

    fn write_fcr(&mut self, value: u8) {
        let enable = value & 0x01 != 0;
        if enable != self.fifo_enabled {
            self.rx_fifo.clear();
        }
        self.fifo_enabled = enable;
        if value & 0x02 != 0 {
            self.rx_fifo.clear();
        }
        // Bit 2 clears the TX FIFO, which is always empty here.
        self.rx_trigger = [1, 4, 8, 14][usize::from(value >> 6)];
    }

    fn write_register(&mut self, offset: u16, value: u8) {
        let dlab = self.lcr & LCR_DLAB != 0;
        match offset {
            0 if dlab => self.divisor = (self.divisor & 0xFF00) | u16::from(value),
            0 => self.transmit(value),
            1 if dlab => self.divisor = (self.divisor & 0x00FF) | u16::from(value) << 8,
            1 => {
                let was = self.ier;
                self.ier = value & 0x0F;
                if was & IER_THRE == 0 && self.ier & IER_THRE != 0 {
                    self.thre_pending = true; // THR is empty
                }
            }
            2 => self.write_fcr(value),
            3 => self.lcr = value,
            4 => {
                let before = self.modem_inputs();
                self.mcr = value & 0x1F;
                self.note_modem_change(before);
            }
            7 => self.scratch = value,
            _ => {} // LSR and MSR are read-only
        }
    }

    /// Reads a register without side effects (RBR not consumed, IIR/LSR/MSR not cleared).
    pub fn peek(&self, port: u16) -> u8 {
        match port.checked_sub(self.base) {
            Some(offset @ 0..=7) => self.peek_register(offset),
            _ => 0xFF,
        }
    }

    /// Port read (see the crate's device conventions).
    pub fn port_read(&mut self, port: u16, width: Width, now_ns: u64) -> u32 {
        self.advance(now_ns);
        let base = self.base;
        read_split(port, width, |p| match p.checked_sub(base) {
            Some(offset @ 0..=7) => self.read_register(offset),
            _ => 0xFF,
        })
    }

    /// Port write (see the crate's device conventions).
    pub fn port_write(&mut self, port: u16, width: Width, value: u32, now_ns: u64) {
        self.advance(now_ns);
        let base = self.base;
        write_split(port, width, value, |p, b| {
            if let Some(offset @ 0..=7) = p.checked_sub(base) {
                self.write_register(offset, b);
            }
        });
    }
}

#[cfg(test)]
mod tests;
