//! PS/2 mouse BIOS: INT 15h AH=C2h (enable, reset, rate, resolution, type, init, status,
//! handler) talking to the mouse through the keyboard controller, and the IRQ12 handler
//! that assembles 3-byte packets and has the stub far-call the installed handler with
//! (status, X, Y, 0) on the stack.
//!
//! The mouse answers at wire pace, so its replies may arrive after the service returned:
//! replies already in the controller are read at once, the rest are counted as pending and
//! swallowed by the IRQ12 handler (mouse interrupts stay on once the mouse is used).
//! Functions that return reply bytes (reset, get type, status) report the standard values
//! when the mouse has not answered yet.

use crate::bda;
use crate::host::BiosHost;
use crate::io::{eoi_slave, inb, outb};
use crate::mem::{rd16, wr16};
use crate::misc::finish;
use crate::regs::*;
use crate::Bios;
use rawbox_cpu::SegReg;

/// Offset in the EBDA of the handler's far pointer (the stub calls `[DS:0022h]`).
pub const HANDLER_OFFSET: u16 = 0x22;

/// Mouse packet assembly state.
#[derive(Clone, Copy, Debug, Default)]
pub struct MouseState {
    packet: [u8; 3],
    index: usize,
    enabled: bool,
    /// Reply bytes still expected from the mouse.
    pending: u8,
}

fn ebda(host: &mut dyn BiosHost) -> u32 {
    (rd16(host, bda::EBDA_SEG) as u32) << 4
}

/// Waits (bounded) for the KBC output buffer and reads it.
fn read_reply(host: &mut dyn BiosHost) -> Option<u8> {
    for _ in 0..64 {
        if inb(host, 0x64) & 1 != 0 {
            return Some(inb(host, 0x60));
        }
    }
    None
}

/// Sends a byte to the mouse, expecting `replies` bytes back (the ACK included); returns the
/// replies that are already there.
fn mouse_cmd(host: &mut dyn BiosHost, m: &mut MouseState, byte: u8, replies: u8) -> Vec<u8> {
    outb(host, 0x64, 0xD4);
    outb(host, 0x60, byte);
    m.pending = m.pending.saturating_add(replies);
    let mut got = Vec::new();
    while m.pending > 0 {
        match read_reply(host) {
            Some(b) => {
                m.pending -= 1;
                got.push(b);
            }
            None => break,
        }
    }
    got
}

/// Sets or clears the KBC command byte's mouse IRQ enable (bit 1) and the mouse clock
/// disable (bit 5).
fn set_mouse_irq(host: &mut dyn BiosHost, on: bool) {
    outb(host, 0x64, 0x20);
    let cb = read_reply(host).unwrap_or(0x45);
    let cb = if on { (cb | 0x02) & !0x20 } else { cb & !0x02 };
    outb(host, 0x64, 0x60);
    outb(host, 0x60, cb);
}

/// Sends command bytes each answered by an ACK: status 0, 03h (interface error) or 04h
/// (resend) when an answer is already there and is not an ACK.
fn ack(host: &mut dyn BiosHost, m: &mut MouseState, bytes: &[u8]) -> u8 {
    for &b in bytes {
        match mouse_cmd(host, m, b, 1).first() {
            Some(0xFA) | None => {}
            Some(0xFE) => return 0x04,
            Some(_) => return 0x03,
        }
    }
    0
}

/// INT 15h AH=C2h.
pub fn int15_c2(bios: &mut Bios, host: &mut dyn BiosHost) {
    let cpu = host.cpu();
    let (func, bh_) = (al(cpu), bh(cpu));
    let mut m = bios.mouse;
    if func <= 0x06 {
        // Mouse interrupts on, so late replies reach the IRQ12 handler.
        set_mouse_irq(host, true);
    }
    let st = match func {
        0x00 if bh_ == 1 => {
            let e = ebda(host);
            let seg = rd16(host, e + HANDLER_OFFSET as u32 + 2);
            let off = rd16(host, e + HANDLER_OFFSET as u32);
            if seg == 0 && off == 0 {
                0x05
            } else {
                let st = ack(host, &mut m, &[0xF4]);
                m.enabled = st == 0;
                m.index = 0;
                st
            }
        }
        0x00 if bh_ == 0 => {
            m.enabled = false;
            ack(host, &mut m, &[0xF5])
        }
        0x00 => 0x01,
        0x01 => {
            m.enabled = false;
            m.index = 0;
            let r = mouse_cmd(host, &mut m, 0xFF, 3);
            let st = match r.first() {
                Some(0xFA) | None => 0,
                Some(_) => 0x03,
            };
            let cpu = host.cpu();
            set_bl(cpu, r.get(1).copied().unwrap_or(0xAA));
            set_bh(cpu, r.get(2).copied().unwrap_or(0));
            st
        }
        0x05 if bh_ == 0 || bh_ > 8 => 0x02,
        0x05 => {
            m.enabled = false;
            m.index = 0;
            ack(host, &mut m, &[0xF5, 0xF6])
        }
        0x02 => {
            let rates = [10u8, 20, 40, 60, 80, 100, 200];
            match rates.get(bh_ as usize) {
                Some(&r) => ack(host, &mut m, &[0xF3, r]),
                None => 0x02,
            }
        }
        0x03 if bh_ > 3 => 0x02,
        0x03 => ack(host, &mut m, &[0xE8, bh_]),
        0x04 => {
            let r = mouse_cmd(host, &mut m, 0xF2, 2);
            set_bh(host.cpu(), r.get(1).copied().unwrap_or(0));
            0
        }
        0x06 => match bh_ {
            0 => {
                let r = mouse_cmd(host, &mut m, 0xE9, 4);
                let cpu = host.cpu();
                set_bl(cpu, r.get(1).copied().unwrap_or(0));
                set_cl(cpu, r.get(2).copied().unwrap_or(2));
                set_dl(cpu, r.get(3).copied().unwrap_or(100));
                0
            }
            1 => ack(host, &mut m, &[0xE6]),
            2 => ack(host, &mut m, &[0xE7]),
            _ => 0x01,
        },
        0x07 => {
            let cpu = host.cpu();
            let (seg, off) = (sreg(cpu, SegReg::Es), bx(cpu));
            let e = ebda(host);
            wr16(host, e + HANDLER_OFFSET as u32, off);
            wr16(host, e + HANDLER_OFFSET as u32 + 2, seg);
            0
        }
        _ => 0x01,
    };
    bios.mouse = m;
    finish(host, st);
}

/// INT 74h (IRQ12): collects a packet byte; with a whole packet and an installed handler,
/// sets AX..DX to (status, X, Y, 0), DS to the EBDA and the live CF so the stub calls it.
pub fn irq12(bios: &mut Bios, host: &mut dyn BiosHost) {
    let status = inb(host, 0x64);
    if status & 1 != 0 {
        let b = inb(host, 0x60);
        let m = &mut bios.mouse;
        if m.pending > 0 {
            // A late reply to a command.
            m.pending -= 1;
        } else if m.index == 0 && b & 0x08 == 0 {
            // Not a first byte: resynchronise.
        } else if let Some(slot) = m.packet.get_mut(m.index) {
            *slot = b;
            m.index += 1;
        }
        if m.index >= 3 {
            m.index = 0;
            let [s, x, y] = m.packet;
            let enabled = m.enabled;
            let e = ebda(host);
            let installed = rd16(host, e + HANDLER_OFFSET as u32 + 2) != 0
                || rd16(host, e + HANDLER_OFFSET as u32) != 0;
            if enabled && installed {
                let seg = (e >> 4) as u16;
                let cpu = host.cpu();
                set_ax(cpu, s as u16);
                set_bx(cpu, x as u16);
                set_cx(cpu, y as u16);
                set_dx(cpu, 0);
                set_sreg(cpu, SegReg::Ds, seg);
                set_live_cf(cpu, true);
            }
        }
    }
    eoi_slave(host);
}
