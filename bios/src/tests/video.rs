//! INT 10h: teletype, scrolling, cursor, mode information, fonts, pixels, VBE.

use super::mock::*;
use crate::rom::layout::{FONT16, FONT8};
use crate::Service;
use rawbox_cpu::state::reg;
use rawbox_cpu::SegReg;
use rawbox_devices::vga::{font_8x16, font_8x8};

fn tty(m: &mut Machine, bios: &mut crate::Bios, s: &str) {
    for b in s.bytes() {
        regs(m, 0x0E00 | b as u16, 0x0007, 0, 0);
        call(m, bios, Service::Video);
    }
}

fn cursor(m: &Machine) -> (u8, u8) {
    let v = ram(m, 0x450, 2);
    (v[1], v[0])
}

#[test]
fn teletype_writes_text_and_moves_cursor() {
    let (mut m, mut bios) = posted();
    regs(&mut m, 0x0003, 0, 0, 0);
    call(&mut m, &mut bios, Service::Video);
    tty(&mut m, &mut bios, "Hello\r\nab\x08c");
    assert_eq!(screen_row(&mut m, 0), "Hello");
    assert_eq!(screen_row(&mut m, 1), "ac");
    assert_eq!(cursor(&m), (1, 2));
    // AH=03h returns the same position.
    regs(&mut m, 0x0300, 0, 0, 0);
    call(&mut m, &mut bios, Service::Video);
    assert_eq!(r16(&m, reg::EDX), 0x0102);
}

#[test]
fn teletype_scrolls_at_the_bottom() {
    let (mut m, mut bios) = posted();
    regs(&mut m, 0x0003, 0, 0, 0);
    call(&mut m, &mut bios, Service::Video);
    for i in 0..25 {
        tty(&mut m, &mut bios, &format!("line{i}\r\n"));
    }
    // 25 lines plus a final newline: line0 scrolled off.
    assert_eq!(screen_row(&mut m, 0), "line1");
    assert_eq!(screen_row(&mut m, 23), "line24");
    assert_eq!(screen_row(&mut m, 24), "");
    assert_eq!(cursor(&m), (24, 0));
}

#[test]
fn scroll_window_and_write_char_attr() {
    let (mut m, mut bios) = posted();
    regs(&mut m, 0x0003, 0, 0, 0);
    call(&mut m, &mut bios, Service::Video);
    // AH=09h: 'X' x3 with attribute 1Eh at (2, 5).
    regs(&mut m, 0x0200, 0, 0, 0x0205);
    call(&mut m, &mut bios, Service::Video);
    regs(&mut m, 0x0958, 0x001E, 3, 0);
    call(&mut m, &mut bios, Service::Video);
    assert_eq!(screen_row(&mut m, 2), "     XXX");
    assert_eq!(m.dev.vga.mem_read(0xB8000 + (2 * 80 + 6) * 2 + 1), 0x1E);
    // AH=08h reads it back.
    regs(&mut m, 0x0800, 0, 0, 0);
    call(&mut m, &mut bios, Service::Video);
    assert_eq!(r16(&m, reg::EAX), 0x1E58);
    // Scroll rows 0-4 up by 2: row 2 moves to row 0, rows 3-4 are blank with attr 70h.
    regs(&mut m, 0x0602, 0x7000, 0x0000, 0x044F);
    call(&mut m, &mut bios, Service::Video);
    assert_eq!(screen_row(&mut m, 0), "     XXX");
    assert_eq!(screen_row(&mut m, 2), "");
    assert_eq!(m.dev.vga.mem_read(0xB8000 + (4 * 80) * 2 + 1), 0x70);
    // Scroll down by 1 inside columns 0-9.
    regs(&mut m, 0x0701, 0x0700, 0x0000, 0x0409);
    call(&mut m, &mut bios, Service::Video);
    assert_eq!(screen_row(&mut m, 1), "     XXX");
    assert_eq!(screen_row(&mut m, 0), "");
}

#[test]
fn get_mode_and_set_mode_no_clear() {
    let (mut m, mut bios) = posted();
    regs(&mut m, 0x0003, 0, 0, 0);
    call(&mut m, &mut bios, Service::Video);
    regs(&mut m, 0x0F00, 0, 0, 0);
    call(&mut m, &mut bios, Service::Video);
    assert_eq!(r16(&m, reg::EAX), 0x5003);
    tty(&mut m, &mut bios, "keep");
    regs(&mut m, 0x0083, 0, 0, 0);
    call(&mut m, &mut bios, Service::Video);
    assert_eq!(screen_row(&mut m, 0), "keep");
    regs(&mut m, 0x0F00, 0, 0, 0);
    call(&mut m, &mut bios, Service::Video);
    assert_eq!(r16(&m, reg::EAX), 0x5083);
    regs(&mut m, 0x0003, 0, 0, 0);
    call(&mut m, &mut bios, Service::Video);
    assert_eq!(screen_row(&mut m, 0), "");
}

#[test]
fn font_information_points_at_the_rom_fonts() {
    let (mut m, mut bios) = posted();
    regs(&mut m, 0x1130, 0x0600, 0, 0);
    call(&mut m, &mut bios, Service::Video);
    assert_eq!(m.cpu.state.segs[SegReg::Es as usize].selector, 0xF000);
    assert_eq!(r16(&m, reg::EBP), FONT16);
    assert_eq!(r16(&m, reg::ECX), 16);
    assert_eq!(r16(&m, reg::EDX) & 0xFF, 24);
    assert_eq!(ram(&m, 0xF0000 + FONT16 as u32, 4096), font_8x16().to_vec());
    // What the mode set loaded into plane 2 (what the display draws text with) is the same
    // font, glyph by glyph (32-byte slots, 16 lines used).
    regs(&mut m, 0x0003, 0, 0, 0);
    call(&mut m, &mut bios, Service::Video);
    for g in 0..256u32 {
        let drawn: Vec<u8> = (0..16)
            .map(|l| m.dev.vga.plane_byte(2, g * 32 + l))
            .collect();
        let served = ram(&m, 0xF0000 + FONT16 as u32 + g * 16, 16);
        assert_eq!(drawn, served, "glyph {g:#04x}");
    }
    regs(&mut m, 0x1130, 0x0300, 0, 0);
    call(&mut m, &mut bios, Service::Video);
    assert_eq!(r16(&m, reg::EBP), FONT8);
    assert_eq!(ram(&m, 0xF0000 + FONT8 as u32, 2048), font_8x8().to_vec());
    // The IBM location F000:FA6E holds the first 128 8x8 glyphs.
    assert_eq!(ram(&m, 0xFFA6E, 1024), font_8x8()[..1024].to_vec());
    // AX=1112h: 8x8 font gives 50 rows.
    regs(&mut m, 0x1112, 0, 0, 0);
    call(&mut m, &mut bios, Service::Video);
    regs(&mut m, 0x1130, 0x0000, 0, 0);
    call(&mut m, &mut bios, Service::Video);
    assert_eq!(r16(&m, reg::ECX), 8);
    assert_eq!(r16(&m, reg::EDX) & 0xFF, 49);
}

#[test]
fn pixels_in_mode_13h_and_12h_and_cga() {
    for (mode, color) in [
        (0x13u16, 0xABu8),
        (0x12, 0x0B),
        (0x0D, 0x05),
        (0x04, 0x02),
        (0x06, 0x01),
    ] {
        let (mut m, mut bios) = posted();
        regs(&mut m, mode, 0, 0, 0);
        call(&mut m, &mut bios, Service::Video);
        regs(&mut m, 0x0C00 | color as u16, 0, 17, 9);
        call(&mut m, &mut bios, Service::Video);
        regs(&mut m, 0x0D00, 0, 17, 9);
        call(&mut m, &mut bios, Service::Video);
        assert_eq!(r16(&m, reg::EAX) & 0xFF, color as u16, "mode {mode:#x}");
        regs(&mut m, 0x0D00, 0, 18, 9);
        call(&mut m, &mut bios, Service::Video);
        assert_eq!(r16(&m, reg::EAX) & 0xFF, 0, "mode {mode:#x} neighbour");
    }
}

#[test]
fn teletype_in_graphics_mode_draws_the_glyph() {
    let (mut m, mut bios) = posted();
    regs(&mut m, 0x0013, 0, 0, 0);
    call(&mut m, &mut bios, Service::Video);
    regs(&mut m, 0x0E41, 0x000F, 0, 0);
    call(&mut m, &mut bios, Service::Video);
    let glyph = &font_8x8()[0x41 * 8..0x42 * 8];
    for (y, &row) in glyph.iter().enumerate() {
        for x in 0..8 {
            let want = if row & (0x80 >> x) != 0 { 0x0F } else { 0 };
            assert_eq!(m.dev.vga.mem_read(0xA0000 + y as u32 * 320 + x), want);
        }
    }
    // AH=08h recognises it.
    regs(&mut m, 0x0200, 0, 0, 0);
    call(&mut m, &mut bios, Service::Video);
    regs(&mut m, 0x0800, 0, 0, 0);
    call(&mut m, &mut bios, Service::Video);
    assert_eq!(r16(&m, reg::EAX) & 0xFF, 0x41);
}

#[test]
fn vbe_controller_and_mode_info_and_set_mode() {
    let (mut m, mut bios) = posted();
    crate::regs::set_sreg(&mut m.cpu, SegReg::Es, 0x0100);
    m.cpu.state.set_r16(reg::EDI, 0);
    m.cpu.mem.write_bytes(0x1000, b"VBE2");
    regs(&mut m, 0x4F00, 0, 0, 0);
    call(&mut m, &mut bios, Service::Video);
    assert_eq!(r16(&m, reg::EAX), 0x004F);
    let b = ram(&m, 0x1000, 20);
    assert_eq!(&b[0..4], b"VESA");
    assert_eq!(u16::from_le_bytes([b[4], b[5]]), 0x0200);
    let list = u16::from_le_bytes([b[14], b[15]]) as u32 + 0xF0000;
    assert_eq!(ram(&m, list, 2), vec![0x00, 0x01]);
    regs(&mut m, 0x4F01, 0, 0x0112, 0);
    call(&mut m, &mut bios, Service::Video);
    assert_eq!(r16(&m, reg::EAX), 0x004F);
    let b = ram(&m, 0x1000, 64);
    assert_eq!(u16::from_le_bytes([b[18], b[19]]), 640);
    assert_eq!(u16::from_le_bytes([b[20], b[21]]), 480);
    assert_eq!(b[25], 24);
    assert_eq!(u16::from_le_bytes([b[16], b[17]]), 640 * 3);
    regs(&mut m, 0x4F02, 0x4112, 0, 0);
    call(&mut m, &mut bios, Service::Video);
    assert_eq!(r16(&m, reg::EAX), 0x004F);
    assert!(m.dev.vga.vbe_enabled());
    regs(&mut m, 0x4F03, 0, 0, 0);
    call(&mut m, &mut bios, Service::Video);
    assert_eq!(r16(&m, reg::EBX), 0x4112);
    // Unknown mode fails.
    regs(&mut m, 0x4F01, 0, 0x0177, 0);
    call(&mut m, &mut bios, Service::Video);
    assert_eq!(r16(&m, reg::EAX), 0x014F);
    // Back to text.
    regs(&mut m, 0x4F02, 0x0003, 0, 0);
    call(&mut m, &mut bios, Service::Video);
    assert!(!m.dev.vga.vbe_enabled());
}

#[test]
fn dac_set_and_read() {
    let (mut m, mut bios) = posted();
    regs(&mut m, 0x1010, 0x0042, 0x2A15, 0x3F00);
    call(&mut m, &mut bios, Service::Video);
    regs(&mut m, 0x1015, 0x0042, 0, 0);
    call(&mut m, &mut bios, Service::Video);
    assert_eq!(r16(&m, reg::EDX) >> 8, 0x3F);
    assert_eq!(r16(&m, reg::ECX), 0x2A15);
}

#[test]
fn graphics_scroll_moves_pixels_up_by_a_character_row() {
    for (mode, h) in [(0x12u16, 16u16), (0x13, 8), (0x04, 8)] {
        let (mut m, mut bios) = posted();
        regs(&mut m, mode, 0, 0, 0);
        call(&mut m, &mut bios, Service::Video);
        regs(&mut m, 0x0C03, 0, 12, h + 3);
        call(&mut m, &mut bios, Service::Video);
        regs(&mut m, 0x0601, 0x0000, 0x0000, 0x1827);
        call(&mut m, &mut bios, Service::Video);
        regs(&mut m, 0x0D00, 0, 12, 3);
        call(&mut m, &mut bios, Service::Video);
        assert_eq!(r16(&m, reg::EAX) & 0xFF, 3, "mode {mode:#x}");
        regs(&mut m, 0x0D00, 0, 12, h + 3);
        call(&mut m, &mut bios, Service::Video);
        assert_eq!(r16(&m, reg::EAX) & 0xFF, 0, "mode {mode:#x} old place");
    }
}
