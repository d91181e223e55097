//! INT 09h scan code processing and INT 16h reads.

use super::mock::*;
use crate::Service;
use rawbox_cpu::state::reg;

/// Runs both halves of INT 09h for each byte (the INT 15h intercept passes the key on).
fn keys(m: &mut Machine, bios: &mut crate::Bios, codes: &[u8]) {
    for &c in codes {
        m.dev.kbc_out.push_back(c);
        call(m, bios, Service::KeyboardIrqRead);
        assert_eq!(r16(m, reg::EAX), 0x4F00 | c as u16);
        assert!(m.cpu.state.flags.cf());
        call(m, bios, Service::KeyboardIrqStore);
    }
}

fn read(m: &mut Machine, bios: &mut crate::Bios, ah: u16) -> Option<u16> {
    regs(m, ah << 8, 0, 0, 0);
    call(m, bios, Service::Keyboard);
    (!m.cpu.state.flags.cf()).then(|| r16(m, reg::EAX))
}

#[test]
fn plain_shifted_and_ctrl_keys() {
    let (mut m, mut bios) = posted();
    // a, Shift+a, Ctrl+c, Alt+x, Caps Lock then b.
    keys(&mut m, &mut bios, &[0x1E, 0x9E, 0x2A, 0x1E, 0x9E, 0xAA]);
    keys(
        &mut m,
        &mut bios,
        &[0x1D, 0x2E, 0xAE, 0x9D, 0x38, 0x2D, 0xAD, 0xB8],
    );
    keys(&mut m, &mut bios, &[0x3A, 0xBA, 0x30, 0xB0, 0x02, 0x82]);
    assert_eq!(read(&mut m, &mut bios, 0x00), Some(0x1E61));
    assert_eq!(read(&mut m, &mut bios, 0x00), Some(0x1E41));
    assert_eq!(read(&mut m, &mut bios, 0x00), Some(0x2E03));
    assert_eq!(read(&mut m, &mut bios, 0x00), Some(0x2D00));
    assert_eq!(read(&mut m, &mut bios, 0x00), Some(0x3042));
    assert_eq!(read(&mut m, &mut bios, 0x00), Some(0x0231));
    // Caps Lock is on in the shift flags and the LEDs were sent.
    regs(&mut m, 0x0200, 0, 0, 0);
    call(&mut m, &mut bios, Service::Keyboard);
    assert_eq!(r16(&m, reg::EAX) & 0x40, 0x40);
    assert!(m
        .dev
        .writes
        .windows(2)
        .any(|w| w == [(0x60, 0xED), (0x60, 0x04)]));
    // Empty: a read asks to wait (live CF), a check sets ZF.
    assert_eq!(read(&mut m, &mut bios, 0x00), None);
    regs(&mut m, 0x0100, 0, 0, 0);
    let f = call(&mut m, &mut bios, Service::Keyboard);
    assert_eq!(f & 0x40, 0x40);
    // Every IRQ1 was acknowledged.
    assert!(m.dev.writes.contains(&(0x20, 0x20)));
}

#[test]
fn extended_keys_and_check() {
    let (mut m, mut bios) = posted();
    // Grey Up arrow, keypad Enter, F12.
    keys(
        &mut m,
        &mut bios,
        &[0xE0, 0x48, 0xE0, 0xC8, 0xE0, 0x1C, 0xE0, 0x9C, 0x58, 0xD8],
    );
    regs(&mut m, 0x1100, 0, 0, 0);
    let f = call(&mut m, &mut bios, Service::Keyboard);
    assert_eq!(f & 0x40, 0);
    assert_eq!(r16(&m, reg::EAX), 0x48E0);
    assert_eq!(read(&mut m, &mut bios, 0x10), Some(0x48E0));
    // The standard read converts keypad Enter and drops F12.
    assert_eq!(read(&mut m, &mut bios, 0x00), Some(0x1C0D));
    assert_eq!(read(&mut m, &mut bios, 0x00), None);
}

#[test]
fn store_key_and_buffer_full() {
    let (mut m, mut bios) = posted();
    for i in 0..15u16 {
        regs(&mut m, 0x0500, 0, 0x1000 + i, 0);
        call(&mut m, &mut bios, Service::Keyboard);
        assert_eq!(r16(&m, reg::EAX) & 0xFF, 0);
    }
    regs(&mut m, 0x0500, 0, 0x2000, 0);
    call(&mut m, &mut bios, Service::Keyboard);
    assert_eq!(r16(&m, reg::EAX) & 0xFF, 1);
    for i in 0..15u16 {
        assert_eq!(read(&mut m, &mut bios, 0x10), Some(0x1000 + i));
    }
}

#[test]
fn ctrl_alt_del_requests_a_warm_reset() {
    let (mut m, mut bios) = posted();
    keys(&mut m, &mut bios, &[0x1D, 0x38, 0x53]);
    assert!(m.dev.reset_requested);
    assert_eq!(ram(&m, 0x472, 2), vec![0x34, 0x12]);
}

#[test]
fn intercept_can_swallow_a_key() {
    let (mut m, mut bios) = posted();
    m.dev.kbc_out.push_back(0x1E);
    call(&mut m, &mut bios, Service::KeyboardIrqRead);
    crate::regs::set_live_cf(&mut m.cpu, false);
    call(&mut m, &mut bios, Service::KeyboardIrqStore);
    assert_eq!(read(&mut m, &mut bios, 0x00), None);
}

#[test]
fn typematic_rate_goes_to_the_keyboard() {
    let (mut m, mut bios) = posted();
    regs(&mut m, 0x0305, 0x0104, 0, 0);
    call(&mut m, &mut bios, Service::Keyboard);
    assert!(m
        .dev
        .writes
        .windows(2)
        .any(|w| w == [(0x60, 0xF3), (0x60, 0x24)]));
}

#[test]
fn shift_flags_and_numlock_keypad() {
    let (mut m, mut bios) = posted();
    // Num Lock on, keypad 7 gives '7'; with Num Lock off it gives Home (4700h).
    keys(
        &mut m,
        &mut bios,
        &[0x45, 0xC5, 0x47, 0xC7, 0x45, 0xC5, 0x47, 0xC7],
    );
    assert_eq!(read(&mut m, &mut bios, 0x00), Some(0x4737));
    assert_eq!(read(&mut m, &mut bios, 0x00), Some(0x4700));
    // Right Ctrl held: AH=12h reports it in AH bit 2 and AL bit 2.
    keys(&mut m, &mut bios, &[0xE0, 0x1D]);
    regs(&mut m, 0x1200, 0, 0, 0);
    call(&mut m, &mut bios, Service::Keyboard);
    assert_eq!(r16(&m, reg::EAX) & 0x0404, 0x0404);
    keys(&mut m, &mut bios, &[0xE0, 0x9D]);
    regs(&mut m, 0x1200, 0, 0, 0);
    call(&mut m, &mut bios, Service::Keyboard);
    assert_eq!(r16(&m, reg::EAX) & 0x0404, 0);
    // Alt + keypad 6, 5 then Alt release types 'A'.
    keys(&mut m, &mut bios, &[0x38, 0x4D, 0xCD, 0x4C, 0xCC, 0xB8]);
    assert_eq!(read(&mut m, &mut bios, 0x00), Some(0x0041));
}

#[test]
fn ctrl_break_sets_the_flag_and_asks_for_int_1bh() {
    let (mut m, mut bios) = posted();
    keys(&mut m, &mut bios, &[0x1D]);
    assert!(!m.cpu.state.flags.cf(), "no INT 1Bh for Ctrl");
    m.dev.kbc_out.push_back(0xE0);
    call(&mut m, &mut bios, Service::KeyboardIrqRead);
    call(&mut m, &mut bios, Service::KeyboardIrqStore);
    m.dev.kbc_out.push_back(0x46);
    call(&mut m, &mut bios, Service::KeyboardIrqRead);
    call(&mut m, &mut bios, Service::KeyboardIrqStore);
    assert!(m.cpu.state.flags.cf(), "INT 1Bh requested");
    assert_eq!(ram(&m, 0x471, 1)[0], 0x80);
    assert_eq!(read(&mut m, &mut bios, 0x00), Some(0x0000));
}
