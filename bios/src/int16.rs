//! INT 16h keyboard services over the BDA ring buffer INT 09h fills. Reading with an empty
//! buffer sets the live CF so the stub waits in HLT for the next interrupt.

use crate::bda;
use crate::host::BiosHost;
use crate::keyboard::buffer_put;
use crate::mem::{rd16, rd8, set_frame_flag, wr16};
use crate::regs::*;

/// The key at the head of the buffer, if any.
fn peek(host: &mut dyn BiosHost) -> Option<u16> {
    let head = rd16(host, bda::KB_HEAD);
    let tail = rd16(host, bda::KB_TAIL);
    (head != tail).then(|| rd16(host, 0x400 + head as u32))
}

/// Removes the key at the head of the buffer.
fn pop(host: &mut dyn BiosHost) {
    let head = rd16(host, bda::KB_HEAD);
    let mut next = head.wrapping_add(2);
    if next >= rd16(host, bda::KB_END) {
        next = rd16(host, bda::KB_START);
    }
    wr16(host, bda::KB_HEAD, next);
}

/// Converts an enhanced key code for the standard functions (00h/01h); None for keys
/// only the enhanced functions report.
fn standard(key: u16) -> Option<u16> {
    let (scan, ascii) = ((key >> 8) as u8, key as u8);
    if scan == 0xE0 {
        return Some(match ascii {
            0x0D | 0x0A => 0x1C00 | ascii as u16,
            _ => 0x3500 | ascii as u16,
        });
    }
    if ascii == 0xE0 && scan != 0 {
        return Some((scan as u16) << 8);
    }
    if scan > 0x84 {
        return None;
    }
    Some(key)
}

/// The next key for a read/check function, dropping keys the standard functions hide.
fn next_key(host: &mut dyn BiosHost, enhanced: bool) -> Option<u16> {
    loop {
        let key = peek(host)?;
        if enhanced {
            return Some(key);
        }
        match standard(key) {
            Some(k) => return Some(k),
            None => pop(host),
        }
    }
}

/// INT 16h.
pub fn int16(host: &mut dyn BiosHost) {
    let func = ah(host.cpu());
    match func {
        0x00 | 0x10 => match next_key(host, func == 0x10) {
            Some(k) => {
                pop(host);
                set_ax(host.cpu(), k);
            }
            None => set_live_cf(host.cpu(), true),
        },
        0x01 | 0x11 => match next_key(host, func == 0x11) {
            Some(k) => {
                set_ax(host.cpu(), k);
                set_frame_flag(host, 0x40, false);
            }
            None => set_frame_flag(host, 0x40, true),
        },
        0x02 => {
            let f = rd8(host, bda::KB_FLAGS1);
            set_al(host.cpu(), f);
        }
        0x12 => {
            let f1 = rd8(host, bda::KB_FLAGS1);
            let f2 = rd8(host, bda::KB_FLAGS2);
            let f3 = rd8(host, bda::KB_FLAGS3);
            let hi = (f2 & 0x03) | (f3 & 0x0C) | (f2 & 0x70) | ((f2 & 0x04) << 5);
            let cpu = host.cpu();
            set_al(cpu, f1);
            set_ah(cpu, hi);
        }
        0x03 => {
            // AL=05h: BH delay (0-3), BL rate (0-1Fh) -> keyboard command F3h.
            let cpu = host.cpu();
            if al(cpu) == 0x05 {
                let v = ((bh(cpu) & 3) << 5) | (bl(cpu) & 0x1F);
                crate::io::outb(host, 0x60, 0xF3);
                crate::io::outb(host, 0x60, v);
            }
        }
        0x05 => {
            let key = cx(host.cpu());
            let ok = buffer_put(host, key);
            set_al(host.cpu(), if ok { 0 } else { 1 });
        }
        0x09 => set_al(host.cpu(), 0x2C),
        0x0A => set_bx(host.cpu(), 0xAB83),
        _ => log::debug!("bios: int 16h ah={func:#04x} unsupported"),
    }
}
