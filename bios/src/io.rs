//! Byte port helpers over [`BiosHost`] and the CMOS/PIC accesses several services share.

use crate::host::BiosHost;
use rawbox_cpu::Width;

/// Writes a byte to a port.
pub fn outb(host: &mut dyn BiosHost, port: u16, v: u8) {
    host.port_write(port, Width::Byte, v as u32);
}

/// Reads a byte from a port.
pub fn inb(host: &mut dyn BiosHost, port: u16) -> u8 {
    host.port_read(port, Width::Byte) as u8
}

/// Reads CMOS register `reg` (NMI stays enabled).
pub fn cmos_read(host: &mut dyn BiosHost, reg: u8) -> u8 {
    outb(host, 0x70, reg & 0x7F);
    inb(host, 0x71)
}

/// Writes CMOS register `reg`.
pub fn cmos_write(host: &mut dyn BiosHost, reg: u8, v: u8) {
    outb(host, 0x70, reg & 0x7F);
    outb(host, 0x71, v);
}

/// Non-specific EOI to the master PIC.
pub fn eoi_master(host: &mut dyn BiosHost) {
    outb(host, 0x20, 0x20);
}

/// Non-specific EOI to both PICs.
pub fn eoi_slave(host: &mut dyn BiosHost) {
    outb(host, 0xA0, 0x20);
    outb(host, 0x20, 0x20);
}
