//! INT 09h (IRQ1): reads the set-1 scan code, offers it to INT 15h AH=4Fh, tracks the
//! shift/lock state in the BDA (and the keyboard LEDs), translates keys to BIOS key codes
//! and stores them in the BDA ring buffer; Ctrl-Alt-Del asks for a warm reset.

pub mod table;

use crate::bda;
use crate::host::BiosHost;
use crate::io::{eoi_master, inb, outb};
use crate::mem::{rd16, rd8, wr16, wr8};
use crate::regs::*;
use table::{extended, is_keypad, is_letter, KEYS};

// KB_FLAGS1 bits.
const RSHIFT: u8 = 0x01;
const LSHIFT: u8 = 0x02;
const CTRL: u8 = 0x04;
const ALT: u8 = 0x08;
const SCROLL: u8 = 0x10;
const NUM: u8 = 0x20;
const CAPS: u8 = 0x40;
const INSERT: u8 = 0x80;
// KB_FLAGS3 bits.
const F3_E1: u8 = 0x01;
const F3_E0: u8 = 0x02;
const F3_RCTRL: u8 = 0x04;
const F3_RALT: u8 = 0x08;

/// Appends a key code to the BDA ring buffer; false when it is full.
pub fn buffer_put(host: &mut dyn BiosHost, key: u16) -> bool {
    let start = rd16(host, bda::KB_START);
    let end = rd16(host, bda::KB_END);
    let head = rd16(host, bda::KB_HEAD);
    let tail = rd16(host, bda::KB_TAIL);
    let mut next = tail.wrapping_add(2);
    if next >= end {
        next = start;
    }
    if next == head {
        return false;
    }
    wr16(host, 0x400 + tail as u32, key);
    wr16(host, bda::KB_TAIL, next);
    true
}

/// First half of INT 09h: AL = scan code, AH = 4Fh and CF set for the INT 15h intercept.
pub fn irq1_read(host: &mut dyn BiosHost) {
    let sc = inb(host, 0x60);
    let cpu = host.cpu();
    set_al(cpu, sc);
    set_ah(cpu, 0x4F);
    set_live_cf(cpu, true);
}

fn update_leds(host: &mut dyn BiosHost) {
    let f = rd8(host, bda::KB_FLAGS1);
    let leds = ((f & SCROLL) >> 4) | ((f & NUM) >> 4) | ((f & CAPS) >> 4);
    if rd8(host, bda::KB_LEDS) & 7 != leds {
        wr8(host, bda::KB_LEDS, leds);
        outb(host, 0x60, 0xED);
        outb(host, 0x60, leds);
    }
}

/// Second half of INT 09h: if the intercept left CF set, process AL; then EOI.
pub fn irq1_store(host: &mut dyn BiosHost) {
    let cpu = host.cpu();
    let (cf, sc) = (live_cf(cpu), al(cpu));
    let brk = cf && process(host, sc);
    eoi_master(host);
    // The stub calls INT 1Bh when the live CF is set.
    set_live_cf(host.cpu(), brk);
}

/// Caps/Num/Scroll Lock: toggles on the first make (not on typematic repeats), tracks the
/// "pressed" bits and updates the LEDs.
fn lock_key(host: &mut dyn BiosHost, code: u8, make: bool, mut f1: u8, mut f2: u8) {
    let (lock, pressed) = match code {
        0x3A => (CAPS, 0x40),
        0x45 => (NUM, 0x20),
        _ => (SCROLL, 0x10),
    };
    if make {
        if f2 & pressed == 0 {
            f1 ^= lock;
        }
        f2 |= pressed;
    } else {
        f2 &= !pressed;
    }
    wr8(host, bda::KB_FLAGS1, f1);
    wr8(host, bda::KB_FLAGS2, f2);
    update_leds(host);
}

/// Processes one scan code byte; true for Ctrl-Break (the caller runs INT 1Bh).
pub fn process(host: &mut dyn BiosHost, sc: u8) -> bool {
    let mut f3 = rd8(host, bda::KB_FLAGS3);
    match sc {
        // ACK, resend, echo, overrun (0xAA is also the left Shift break code).
        0xFA | 0xFE | 0xEE | 0x00 | 0xFF => return false,
        0xE0 => {
            wr8(host, bda::KB_FLAGS3, f3 | F3_E0);
            return false;
        }
        0xE1 => {
            wr8(host, bda::KB_FLAGS3, f3 | F3_E1);
            return false;
        }
        _ => {}
    }
    if f3 & F3_E1 != 0 {
        // Pause: E1 1D 45 E1 9D C5. Swallow the sequence.
        if sc & 0x7F == 0x45 {
            wr8(host, bda::KB_FLAGS3, f3 & !F3_E1);
        }
        return false;
    }
    let e0 = f3 & F3_E0 != 0;
    f3 &= !F3_E0;
    wr8(host, bda::KB_FLAGS3, f3);
    let make = sc & 0x80 == 0;
    let code = sc & 0x7F;
    let mut f1 = rd8(host, bda::KB_FLAGS1);
    let mut f2 = rd8(host, bda::KB_FLAGS2);
    // Modifiers and locks.
    match (e0, code) {
        (true, 0x2A) | (true, 0x36) => return false, // fake shifts
        (_, 0x2A) | (_, 0x36) => {
            let bit = if code == 0x2A { LSHIFT } else { RSHIFT };
            f1 = if make { f1 | bit } else { f1 & !bit };
            wr8(host, bda::KB_FLAGS1, f1);
            return false;
        }
        (_, 0x1D) | (_, 0x38) => {
            let (own2, own3) = if code == 0x1D {
                (0x01, F3_RCTRL)
            } else {
                (0x02, F3_RALT)
            };
            if e0 {
                f3 = if make { f3 | own3 } else { f3 & !own3 };
            } else {
                f2 = if make { f2 | own2 } else { f2 & !own2 };
            }
            let ctrl = f2 & 0x01 != 0 || f3 & F3_RCTRL != 0;
            let alt = f2 & 0x02 != 0 || f3 & F3_RALT != 0;
            f1 = (f1 & !(CTRL | ALT)) | if ctrl { CTRL } else { 0 } | if alt { ALT } else { 0 };
            wr8(host, bda::KB_FLAGS1, f1);
            wr8(host, bda::KB_FLAGS2, f2);
            wr8(host, bda::KB_FLAGS3, f3);
            if code == 0x38 && !make && !alt {
                // Alt released: emit the Alt-keypad number, if one was typed.
                let v = rd8(host, bda::KB_ALT_KEYPAD);
                wr8(host, bda::KB_ALT_KEYPAD, 0);
                if v != 0 {
                    buffer_put(host, v as u16);
                }
            }
            return false;
        }
        (false, 0x3A) | (false, 0x45) => {
            lock_key(host, code, make, f1, f2);
            return false;
        }
        (false, 0x46) if f1 & CTRL == 0 => {
            lock_key(host, code, make, f1, f2);
            return false;
        }
        _ => {}
    }
    if code == 0x52 && (e0 || f1 & (NUM | LSHIFT | RSHIFT) == 0) {
        if make && f2 & 0x80 == 0 {
            f1 ^= INSERT;
        }
        f2 = if make { f2 | 0x80 } else { f2 & !0x80 };
        wr8(host, bda::KB_FLAGS1, f1);
        wr8(host, bda::KB_FLAGS2, f2);
    }
    if !make {
        return false;
    }
    let ctrl = f1 & CTRL != 0;
    let alt = f1 & ALT != 0;
    let shift = f1 & (LSHIFT | RSHIFT) != 0;
    if ctrl && alt && code == 0x53 {
        log::info!("bios: Ctrl-Alt-Del");
        wr16(host, bda::WARM_BOOT, 0x1234);
        host.request_reset();
        return false;
    }
    if ctrl && code == 0x46 {
        // Ctrl-Break (Ctrl+Pause sends E0 46; XT-style Ctrl+Scroll Lock sends 46).
        wr8(host, bda::BREAK_FLAG, 0x80);
        buffer_put(host, 0);
        return true;
    }
    // Alt + keypad digits build a character code.
    if alt && !e0 && is_keypad(code) && code != 0x53 {
        let digit = match code {
            0x47 => 7,
            0x48 => 8,
            0x49 => 9,
            0x4B => 4,
            0x4C => 5,
            0x4D => 6,
            0x4F => 1,
            0x50 => 2,
            0x51 => 3,
            _ => 0,
        };
        let v = rd8(host, bda::KB_ALT_KEYPAD);
        wr8(
            host,
            bda::KB_ALT_KEYPAD,
            v.wrapping_mul(10).wrapping_add(digit),
        );
        return false;
    }
    let codes = if e0 {
        match extended(code) {
            Some(c) => c,
            None => return false,
        }
    } else {
        match KEYS.get(code as usize) {
            Some(c) => *c,
            None => return false,
        }
    };
    let key = if alt {
        codes.alt
    } else if ctrl {
        codes.ctrl
    } else if !e0 && is_letter(code) {
        if shift != (f1 & CAPS != 0) {
            codes.shift
        } else {
            codes.normal
        }
    } else if !e0 && is_keypad(code) {
        if shift != (f1 & NUM != 0) {
            codes.shift
        } else {
            codes.normal
        }
    } else if shift {
        codes.shift
    } else {
        codes.normal
    };
    if key != 0 {
        buffer_put(host, key);
    }
    false
}
