//! INT 10h video services: dispatch, video initialisation at POST, and the small
//! functions (AH=0Fh, 12h, 1Ah, 1Bh). Text output lives in `text`, pixels in `graphics`,
//! palettes in `palette`, fonts in `fonts`, VBE in `vbe`.

mod fonts;
mod graphics;
pub mod mode;
mod palette;
mod text;
mod vbe;

use crate::bda;
use crate::host::BiosHost;
use crate::mem::{rd16, rd8, read_phys, reg_addr, wr8, write_phys};
use crate::regs::*;
use crate::rom::layout::{ROM_SEG, VIDEO_STATIC};
use rawbox_cpu::SegReg;

/// Sets mode 3 at POST.
pub fn init_video(host: &mut dyn BiosHost) {
    mode::set_mode(host, 3);
}

/// Prints a string through the teletype on the active page (POST and boot messages).
pub fn print_str(host: &mut dyn BiosHost, s: &str) {
    let page = rd8(host, bda::ACTIVE_PAGE);
    for b in s.bytes() {
        text::teletype(host, page, b, 0x07);
    }
}

/// INT 10h.
pub fn int10(host: &mut dyn BiosHost) {
    let cpu = host.cpu();
    let (func, al_, bh_, bl_, cx_, dx_) = (ah(cpu), al(cpu), bh(cpu), bl(cpu), cx(cpu), dx(cpu));
    let (ch_, cl_, dh_, dl_) = (ch(cpu), cl(cpu), dh(cpu), dl(cpu));
    match func {
        0x00 => {
            if mode::set_mode(host, al_) {
                // AL returns the CRT mode byte on some BIOSes: 30h for text, 20h otherwise.
                let text = mode::mode_info(al_).map(|m| m.layout == mode::Layout::Text);
                set_al(host.cpu(), if text == Some(true) { 0x30 } else { 0x20 });
            }
        }
        0x01 => text::set_shape(host, ch_, cl_),
        0x02 => text::set_cursor(host, bh_, dh_, dl_),
        0x03 => {
            let (r, c) = text::cursor(host, bh_);
            let shape = rd16(host, bda::CURSOR_SHAPE);
            let cpu = host.cpu();
            set_dx(cpu, (r as u16) << 8 | c as u16);
            set_cx(cpu, shape);
        }
        0x04 => set_ah(host.cpu(), 0), // light pen not triggered
        0x05 => text::set_page(host, al_),
        0x06 | 0x07 => text::scroll(host, func == 0x06, al_, bh_, ch_, cl_, dh_, dl_),
        0x08 => {
            let (c, a) = text::read_char(host, bh_);
            let cpu = host.cpu();
            set_al(cpu, c);
            set_ah(cpu, a);
        }
        0x09 => text::write_chars(host, bh_, al_, Some(bl_), cx_),
        0x0A => {
            let info = mode::current(host);
            let attr = if info.layout == mode::Layout::Text {
                None
            } else {
                Some(bl_)
            };
            text::write_chars(host, bh_, al_, attr, cx_)
        }
        0x0B => {
            // CGA palette: BH=0 background/border colour, BH=1 palette select.
            let info = mode::current(host);
            if info.layout != mode::Layout::Text {
                let pal = if bh_ == 0 {
                    bl_ & 0x0F
                } else {
                    (rd8(host, bda::CGA_PALETTE) & 0x0F) | ((bl_ & 1) << 5)
                };
                wr8(host, bda::CGA_PALETTE, pal);
                if bh_ == 0 {
                    host.vga().set_attribute_register(0, bl_ & 0x0F);
                    host.vga().set_attribute_register(0x11, bl_ & 0x0F);
                } else {
                    let base = if bl_ & 1 != 0 { 3 } else { 2 };
                    for i in 1..4u8 {
                        host.vga()
                            .set_attribute_register(i, i * 2 + base - 2 + 0x10);
                    }
                }
            }
        }
        0x0C => {
            let info = mode::current(host);
            graphics::write_pixel(host, &info, bh_, cx_, dx_, al_);
        }
        0x0D => {
            let info = mode::current(host);
            let v = graphics::read_pixel(host, &info, bh_, cx_, dx_);
            set_al(host.cpu(), v);
        }
        0x0E => {
            let page = rd8(host, bda::ACTIVE_PAGE);
            text::teletype(host, page, al_, bl_);
        }
        0x0F => {
            let m = rd8(host, bda::VIDEO_MODE) | (rd8(host, bda::VIDEO_CTL) & 0x80);
            let cols = rd16(host, bda::VIDEO_COLUMNS);
            let page = rd8(host, bda::ACTIVE_PAGE);
            let cpu = host.cpu();
            set_al(cpu, m);
            set_ah(cpu, cols as u8);
            set_bh(cpu, page);
        }
        0x10 => palette::int10_palette(host),
        0x11 => fonts::int10_font(host),
        0x12 => alternate_select(host, bl_, al_),
        0x13 => {
            let a = reg_addr(host, SegReg::Es, rawbox_cpu::state::reg::EBP);
            text::write_string(host, al_, bh_, bl_, dh_, dl_, a, cx_);
        }
        0x1A => {
            if al_ <= 1 {
                let cpu = host.cpu();
                set_al(cpu, 0x1A);
                if al_ == 0 {
                    set_bx(cpu, 0x0008);
                }
            }
        }
        0x1B => functionality(host),
        0x1C => set_al(host.cpu(), 0), // save/restore state: not supported
        0x4F => vbe::int10_vbe(host),
        _ => log::debug!("bios: int 10h ah={func:#04x} unsupported"),
    }
}

/// AH=12h alternate select.
fn alternate_select(host: &mut dyn BiosHost, bl_: u8, al_: u8) {
    match bl_ {
        0x10 => {
            let cpu = host.cpu();
            set_bh(cpu, 0);
            set_bl(cpu, 3);
            set_ch(cpu, 0);
            set_cl(cpu, 9);
        }
        0x20 | 0x30..=0x36 => {
            if bl_ == 0x34 {
                let v = rd8(host, bda::VIDEO_CTL);
                wr8(host, bda::VIDEO_CTL, if al_ == 0 { v & !1 } else { v | 1 });
            }
            set_al(host.cpu(), 0x12);
        }
        _ => {}
    }
}

/// AH=1Bh: functionality/state information into ES:DI (64 bytes).
fn functionality(host: &mut dyn BiosHost) {
    let a = reg_addr(host, SegReg::Es, rawbox_cpu::state::reg::EDI);
    let mut buf = [0u8; 64];
    buf[0..2].copy_from_slice(&VIDEO_STATIC.to_le_bytes());
    buf[2..4].copy_from_slice(&ROM_SEG.to_le_bytes());
    let mut bda_part = [0u8; 30];
    read_phys(host, bda::VIDEO_MODE, &mut bda_part);
    buf[4..34].copy_from_slice(&bda_part);
    buf[34] = rd8(host, bda::VIDEO_ROWS).wrapping_add(1);
    let h = rd16(host, bda::CHAR_HEIGHT);
    buf[35..37].copy_from_slice(&h.to_le_bytes());
    buf[37] = 0x08;
    buf[39..41].copy_from_slice(&16u16.to_le_bytes());
    buf[41] = 8;
    buf[42] = 2; // 400 scan lines
    write_phys(host, a, &buf);
    set_al(host.cpu(), 0x1B);
}
