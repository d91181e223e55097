//! The small services: INT 11h equipment, INT 12h memory size, INT 14h serial ports,
//! INT 17h printer (none), and the IRQ handlers that only acknowledge (floppy, spare
//! lines).

use crate::bda;
use crate::host::BiosHost;
use crate::io::{self, inb, outb};
use crate::mem::{rd16, rd8, set_frame_flag, wr8};
use crate::regs::*;

/// INT 11h: AX = equipment word.
pub fn int11(host: &mut dyn BiosHost) {
    let v = rd16(host, bda::EQUIPMENT);
    set_ax(host.cpu(), v);
}

/// INT 12h: AX = base memory in KB.
pub fn int12(host: &mut dyn BiosHost) {
    let v = rd16(host, bda::MEMORY_KB);
    set_ax(host.cpu(), v);
}

/// INT 14h: serial port services through the 16550 registers.
pub fn int14(host: &mut dyn BiosHost) {
    let cpu = host.cpu();
    let (func, port_index, data) = (ah(cpu), dx(cpu), al(cpu));
    if port_index > 3 {
        set_ax(host.cpu(), 0x8000);
        return;
    }
    let base = rd16(host, bda::COM_PORTS + 2 * port_index as u32);
    if base == 0 {
        set_ax(host.cpu(), 0x8000);
        return;
    }
    let status = |host: &mut dyn BiosHost| -> u16 {
        let lsr = inb(host, base.wrapping_add(5)) as u16;
        let msr = inb(host, base.wrapping_add(6)) as u16;
        (lsr << 8) | msr
    };
    match func {
        0x00 => {
            // AL: bits 7-5 baud, 4-3 parity, 2 stop bits, 1-0 word length.
            let divisors = [0x417u16, 0x300, 0x180, 0xC0, 0x60, 0x30, 0x18, 0x0C];
            let div = divisors[(data >> 5) as usize & 7];
            outb(host, base.wrapping_add(3), 0x80);
            outb(host, base, div as u8);
            outb(host, base.wrapping_add(1), (div >> 8) as u8);
            outb(host, base.wrapping_add(3), data & 0x1F);
            outb(host, base.wrapping_add(1), 0);
            let s = status(host);
            set_ax(host.cpu(), s);
        }
        0x01 => {
            let mut lsr = 0;
            for _ in 0..1000 {
                lsr = inb(host, base.wrapping_add(5));
                if lsr & 0x20 != 0 {
                    break;
                }
            }
            if lsr & 0x20 != 0 {
                outb(host, base, data);
                let st = inb(host, base.wrapping_add(5)) & 0x7F;
                set_ah(host.cpu(), st);
            } else {
                set_ah(host.cpu(), lsr | 0x80);
            }
        }
        0x02 => {
            let lsr = inb(host, base.wrapping_add(5));
            if lsr & 1 != 0 {
                let v = inb(host, base);
                set_al(host.cpu(), v);
                set_ah(host.cpu(), lsr & 0x1E);
            } else {
                set_ah(host.cpu(), lsr | 0x80);
            }
        }
        0x03 => {
            let s = status(host);
            set_ax(host.cpu(), s);
        }
        _ => set_ah(host.cpu(), 0x80),
    }
}

/// INT 17h: no printer is attached; every function reports a time-out.
pub fn int17(host: &mut dyn BiosHost) {
    let cpu = host.cpu();
    if ah(cpu) <= 2 {
        set_ah(cpu, 0x01);
    }
}

/// INT 0Eh (IRQ6): mark the floppy interrupt and acknowledge.
pub fn irq6(host: &mut dyn BiosHost) {
    let v = rd8(host, bda::FLOPPY_RECAL);
    wr8(host, bda::FLOPPY_RECAL, v | 0x80);
    io::eoi_master(host);
}

/// A spare master IRQ: EOI.
pub fn eoi_master(host: &mut dyn BiosHost) {
    io::eoi_master(host);
}

/// A spare slave IRQ: EOI to both PICs.
pub fn eoi_slave(host: &mut dyn BiosHost) {
    io::eoi_slave(host);
}

/// Returns from a service with CF and AH = `status` (CF set when nonzero).
pub fn finish(host: &mut dyn BiosHost, status: u8) {
    set_ah(host.cpu(), status);
    set_frame_flag(host, 1, status != 0);
}

/// Returns "unsupported function": AH = 86h, CF set.
pub fn unsupported(host: &mut dyn BiosHost) {
    finish(host, 0x86);
}
