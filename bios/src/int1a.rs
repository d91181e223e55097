//! INT 1Ah time services (tick counter, RTC time/date/alarm through CMOS ports 70h/71h)
//! and the timer (IRQ0) and RTC (IRQ8) interrupt handlers.

use crate::bda;
use crate::host::BiosHost;
use crate::io::{cmos_read, cmos_write, eoi_master, eoi_slave, inb, outb};
use crate::mem::{rd32, rd8, set_frame_flag, wr32, wr8};
use crate::regs::*;
use crate::Bios;

/// Ticks in a day (the counter wraps to 0 here and sets the midnight flag).
pub const TICKS_PER_DAY: u32 = 0x1800B0;

fn bcd_to_bin(v: u8) -> u32 {
    ((v >> 4) as u32 % 10) * 10 + (v & 0xF) as u32 % 10
}

/// Whether the RTC keeps BCD values (register B bit 2 clear).
fn rtc_bcd(host: &mut dyn BiosHost) -> bool {
    cmos_read(host, 0x0B) & 0x04 == 0
}

/// Reads an RTC register as BCD whatever the RTC's mode.
fn rtc_read_bcd(host: &mut dyn BiosHost, reg: u8) -> u8 {
    let v = cmos_read(host, reg);
    if rtc_bcd(host) {
        v
    } else {
        let b = v % 100;
        ((b / 10) << 4) | (b % 10)
    }
}

/// Writes a BCD value to an RTC register in the RTC's mode.
fn rtc_write_bcd(host: &mut dyn BiosHost, reg: u8, v: u8) {
    let v = if rtc_bcd(host) {
        v
    } else {
        bcd_to_bin(v) as u8
    };
    cmos_write(host, reg, v);
}

/// Timer ticks since midnight computed from the RTC time.
pub fn ticks_from_rtc(host: &mut dyn BiosHost) -> u32 {
    let h = bcd_to_bin(rtc_read_bcd(host, 4) & 0x7F);
    let m = bcd_to_bin(rtc_read_bcd(host, 2));
    let s = bcd_to_bin(rtc_read_bcd(host, 0));
    let secs = (h * 3600 + m * 60 + s) as u64;
    // 1193182 / 65536 ticks per second.
    ((secs * 1_193_182 / 65_536) as u32).min(TICKS_PER_DAY - 1)
}

/// INT 1Ah.
pub fn int1a(host: &mut dyn BiosHost) {
    let func = ah(host.cpu());
    let mut ok = true;
    match func {
        0x00 => {
            let t = rd32(host, bda::TICKS);
            let m = rd8(host, bda::MIDNIGHT);
            wr8(host, bda::MIDNIGHT, 0);
            let cpu = host.cpu();
            set_cx(cpu, (t >> 16) as u16);
            set_dx(cpu, t as u16);
            set_al(cpu, m);
        }
        0x01 => {
            let cpu = host.cpu();
            let t = ((cx(cpu) as u32) << 16) | dx(cpu) as u32;
            wr32(host, bda::TICKS, t);
            wr8(host, bda::MIDNIGHT, 0);
        }
        0x02 => {
            let h = rtc_read_bcd(host, 4);
            let m = rtc_read_bcd(host, 2);
            let s = rtc_read_bcd(host, 0);
            let dst = cmos_read(host, 0x0B) & 1;
            let cpu = host.cpu();
            set_ch(cpu, h);
            set_cl(cpu, m);
            set_dh(cpu, s);
            set_dl(cpu, dst);
        }
        0x03 => {
            let cpu = host.cpu();
            let (h, m, s, dst) = (ch(cpu), cl(cpu), dh(cpu), dl(cpu));
            let b = cmos_read(host, 0x0B);
            cmos_write(host, 0x0B, b | 0x80);
            rtc_write_bcd(host, 4, h);
            rtc_write_bcd(host, 2, m);
            rtc_write_bcd(host, 0, s);
            cmos_write(host, 0x0B, (b & 0x7E) | (dst & 1));
        }
        0x04 => {
            let c = rtc_read_bcd(host, 0x32);
            let y = rtc_read_bcd(host, 9);
            let mo = rtc_read_bcd(host, 8);
            let d = rtc_read_bcd(host, 7);
            let cpu = host.cpu();
            set_ch(cpu, if c == 0 { 0x20 } else { c });
            set_cl(cpu, y);
            set_dh(cpu, mo);
            set_dl(cpu, d);
        }
        0x05 => {
            let cpu = host.cpu();
            let (c, y, mo, d) = (ch(cpu), cl(cpu), dh(cpu), dl(cpu));
            let b = cmos_read(host, 0x0B);
            cmos_write(host, 0x0B, b | 0x80);
            rtc_write_bcd(host, 0x32, c);
            rtc_write_bcd(host, 9, y);
            rtc_write_bcd(host, 8, mo);
            rtc_write_bcd(host, 7, d);
            cmos_write(host, 0x0B, b & 0x7F);
        }
        0x06 => {
            let b = cmos_read(host, 0x0B);
            if b & 0x20 != 0 {
                ok = false;
            } else {
                let cpu = host.cpu();
                let (h, m, s) = (ch(cpu), cl(cpu), dh(cpu));
                rtc_write_bcd(host, 5, h);
                rtc_write_bcd(host, 3, m);
                rtc_write_bcd(host, 1, s);
                cmos_write(host, 0x0B, b | 0x20);
                let mask = inb(host, 0xA1);
                outb(host, 0xA1, mask & !1);
            }
        }
        0x07 => {
            let b = cmos_read(host, 0x0B);
            cmos_write(host, 0x0B, b & !0x20);
        }
        _ => {
            set_ah(host.cpu(), 0x86);
            ok = false;
        }
    }
    set_frame_flag(host, 1, !ok);
}

/// INT 08h (IRQ0): count the tick, time out the floppy motor, EOI (the stub then calls
/// INT 1Ch).
pub fn irq0(host: &mut dyn BiosHost) {
    let mut t = rd32(host, bda::TICKS).wrapping_add(1);
    if t >= TICKS_PER_DAY {
        t = 0;
        wr8(host, bda::MIDNIGHT, 1);
    }
    wr32(host, bda::TICKS, t);
    let motor = rd8(host, bda::FLOPPY_MOTOR_TICKS);
    if motor > 0 {
        wr8(host, bda::FLOPPY_MOTOR_TICKS, motor - 1);
        if motor == 1 {
            let m = rd8(host, bda::FLOPPY_MOTOR);
            wr8(host, bda::FLOPPY_MOTOR, m & 0xF0);
            outb(host, 0x3F2, 0x0C);
        }
    }
    eoi_master(host);
}

/// INT 70h (IRQ8): read register C; on an alarm the stub calls INT 4Ah (live CF set).
/// The periodic interrupt ends an INT 15h AH=86h wait whose time has come.
pub fn irq8(bios: &mut Bios, host: &mut dyn BiosHost) {
    let c = cmos_read(host, 0x0C);
    if c & 0x40 != 0 {
        let now = host.now_ns();
        if let Some((until, flag)) = bios.event_wait {
            if now >= until {
                bios.event_wait = None;
                let v = crate::mem::rd8(host, flag);
                crate::mem::wr8(host, flag, v | 0x80);
                wr8(host, bda::WAIT_ACTIVE, 0);
            }
        }
        let waiting = bios.wait_until_ns.is_some_and(|t| now < t) || bios.event_wait.is_some();
        if !waiting {
            let b = cmos_read(host, 0x0B);
            cmos_write(host, 0x0B, b & !0x40);
        }
    }
    eoi_slave(host);
    set_live_cf(host.cpu(), c & 0x20 != 0);
}
