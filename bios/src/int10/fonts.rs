//! INT 10h AH=11h: loading ROM and user fonts, the text row count that follows, the
//! graphics font vectors, and AX=1130h font information.

use super::mode::{current, vga_reg};
use crate::bda;
use crate::host::BiosHost;
use crate::mem::{rd16, rd8, read_phys, seg_addr, wr16, wr8};
use crate::regs::*;
use crate::rom::layout::{FONT14, FONT16, FONT8, FONT8_HIGH, ROM_SEG};
use rawbox_cpu::SegReg;

/// Reprograms the cell height and the BDA row count after a text font load.
fn set_height(host: &mut dyn BiosHost, h: u8) {
    let h = h.clamp(1, 32);
    host.vga().set_char_height(h);
    let rows = (400 / h as u16).clamp(1, 255);
    wr8(host, bda::VIDEO_ROWS, (rows - 1) as u8);
    wr16(host, bda::CHAR_HEIGHT, h as u16);
    let info = current(host);
    let size = ((rows as u32 * info.cols as u32 * 2).div_ceil(256) * 256).min(0x8000) as u16;
    wr16(host, bda::VIDEO_PAGE_SIZE, size);
}

fn set_vector(host: &mut dyn BiosHost, n: u32, seg: u16, off: u16) {
    wr16(host, n * 4, off);
    wr16(host, n * 4 + 2, seg);
}

/// AH=11h.
pub fn int10_font(host: &mut dyn BiosHost) {
    let cpu = host.cpu();
    let (func, bl_, bh_, cx_, dx_, bp_) = (al(cpu), bl(cpu), bh(cpu), cx(cpu), dx(cpu), bp(cpu));
    let dl_ = dl(cpu);
    match func {
        0x00 | 0x10 => {
            let h = bh_.clamp(1, 32);
            let count = cx_.min(256) as usize;
            let mut data = vec![0u8; count * h as usize];
            let a = seg_addr(host, SegReg::Es, bp_);
            read_phys(host, a, &mut data);
            host.vga().load_user_font(bl_ & 7, h, dx_ as u8, &data);
            if func == 0x10 {
                set_height(host, h);
            }
        }
        0x01 | 0x02 | 0x04 | 0x11 | 0x12 | 0x14 => {
            let h = match func & 0x0F {
                1 => 14,
                2 => 8,
                _ => 16,
            };
            host.vga().load_font(h, bl_ & 7);
            if func & 0x10 != 0 {
                set_height(host, h);
            }
        }
        0x03 => vga_reg(host, 0x3C4, 3, bl_),
        0x20 => {
            let es = sreg(host.cpu(), SegReg::Es);
            set_vector(host, 0x1F, es, bp_);
        }
        0x21..=0x24 => {
            let (seg, off, h) = match func {
                0x21 => (sreg(host.cpu(), SegReg::Es), bp_, cx_ as u8),
                0x22 => (ROM_SEG, FONT14, 14),
                0x23 => (ROM_SEG, FONT8, 8),
                _ => (ROM_SEG, FONT16, 16),
            };
            set_vector(host, 0x43, seg, off);
            wr16(host, bda::CHAR_HEIGHT, h as u16);
            let info = current(host);
            let rows = match bl_ {
                1 => 14,
                2 => 25,
                3 => 43,
                _ => dl_.max(1),
            };
            let _ = info;
            wr8(host, bda::VIDEO_ROWS, rows - 1);
        }
        0x30 => {
            let (seg, off) = match bh_ {
                0 => (rd16(host, 0x1F * 4 + 2), rd16(host, 0x1F * 4)),
                1 => (rd16(host, 0x43 * 4 + 2), rd16(host, 0x43 * 4)),
                2 | 5 => (ROM_SEG, FONT14),
                3 => (ROM_SEG, FONT8),
                4 => (ROM_SEG, FONT8_HIGH),
                _ => (ROM_SEG, FONT16),
            };
            let h = rd16(host, bda::CHAR_HEIGHT);
            let rows = rd8(host, bda::VIDEO_ROWS);
            let cpu = host.cpu();
            set_sreg(cpu, SegReg::Es, seg);
            set_bp(cpu, off);
            set_cx(cpu, h);
            set_dl(cpu, rows);
        }
        _ => log::debug!("bios: int 10h ax=11{func:02x} unsupported"),
    }
}
