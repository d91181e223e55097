//! Graphics-mode pixels and characters: AH=0Ch/0Dh pixel write/read for the CGA, planar
//! and 256-colour layouts, and glyph drawing, scrolling and read-back of characters in
//! graphics modes.

use super::mode::{vga_reg, vga_reg_read, Layout, ModeInfo};
use crate::host::BiosHost;
use crate::mem::{rd8, wr8};
use rawbox_devices::vga::font_for_height;

/// Address and bit shift of pixel (x, y) for the packed CGA layouts.
fn cga_addr(info: &ModeInfo, x: u32, y: u32, bits: u32) -> (u32, u32) {
    let per_byte = 8 / bits;
    let addr = info.base + (y & 1) * 0x2000 + (y >> 1) * 80 + x / per_byte;
    let shift = (per_byte - 1 - x % per_byte) * bits;
    (addr, shift)
}

/// AH=0Ch: writes pixel (x, y) on `page`; colour bit 7 XORs (not in mode 13h).
pub fn write_pixel(host: &mut dyn BiosHost, info: &ModeInfo, page: u8, x: u16, y: u16, color: u8) {
    let (x, y) = (x as u32, y as u32);
    if x >= info.width as u32 || y >= info.height as u32 {
        return;
    }
    let xor = color & 0x80 != 0;
    match info.layout {
        Layout::Text => {}
        Layout::Cga2 | Layout::Cga1 => {
            let bits = if info.layout == Layout::Cga2 { 2 } else { 1 };
            let (addr, shift) = cga_addr(info, x, y, bits);
            let mask = ((1u32 << bits) - 1) as u8;
            let v = (color & mask) << shift;
            let old = rd8(host, addr);
            let new = if xor {
                old ^ v
            } else {
                (old & !(mask << shift)) | v
            };
            wr8(host, addr, new);
        }
        Layout::Linear => wr8(host, info.base + y * 320 + x, color),
        Layout::Planar => {
            let bpl = info.width as u32 / 8;
            let addr = info.base + (page & 7) as u32 * info.page_size as u32 + y * bpl + x / 8;
            let bit = 0x80u8 >> (x % 8);
            let saved_mask = vga_reg_read(host, 0x3C4, 2);
            let saved_map = vga_reg_read(host, 0x3CE, 4);
            vga_reg(host, 0x3CE, 1, 0);
            vga_reg(host, 0x3CE, 3, 0);
            vga_reg(host, 0x3CE, 8, 0xFF);
            for p in 0..4u8 {
                vga_reg(host, 0x3CE, 4, p);
                let old = host.vga().mem_read(addr);
                let on = color & (1 << p) != 0;
                let new = if xor {
                    if on {
                        old ^ bit
                    } else {
                        old
                    }
                } else if on {
                    old | bit
                } else {
                    old & !bit
                };
                vga_reg(host, 0x3C4, 2, 1 << p);
                host.vga().mem_write(addr, new);
            }
            vga_reg(host, 0x3C4, 2, saved_mask);
            vga_reg(host, 0x3CE, 4, saved_map);
        }
    }
}

/// AH=0Dh: reads pixel (x, y) of `page`.
pub fn read_pixel(host: &mut dyn BiosHost, info: &ModeInfo, page: u8, x: u16, y: u16) -> u8 {
    let (x, y) = (x as u32, y as u32);
    if x >= info.width as u32 || y >= info.height as u32 {
        return 0;
    }
    match info.layout {
        Layout::Text => 0,
        Layout::Cga2 | Layout::Cga1 => {
            let bits = if info.layout == Layout::Cga2 { 2 } else { 1 };
            let (addr, shift) = cga_addr(info, x, y, bits);
            (rd8(host, addr) >> shift) & ((1u8 << bits) - 1)
        }
        Layout::Linear => rd8(host, info.base + y * 320 + x),
        Layout::Planar => {
            let bpl = info.width as u32 / 8;
            let addr = info.base + (page & 7) as u32 * info.page_size as u32 + y * bpl + x / 8;
            let bit = 0x80u8 >> (x % 8);
            let saved_map = vga_reg_read(host, 0x3CE, 4);
            let mut v = 0;
            for p in 0..4u8 {
                vga_reg(host, 0x3CE, 4, p);
                if host.vga().mem_read(addr) & bit != 0 {
                    v |= 1 << p;
                }
            }
            vga_reg(host, 0x3CE, 4, saved_map);
            v
        }
    }
}

/// The ROM font for the mode's cell height.
fn font(info: &ModeInfo) -> (&'static [u8], u32) {
    let h = info.char_height;
    match font_for_height(h) {
        Some(f) => (f, h as u32),
        None => (font_for_height(8).unwrap_or(&[]), 8),
    }
}

/// Draws character `ch` at text cell (row, col) in `color` (bit 7: XOR); background 0.
pub fn draw_char(
    host: &mut dyn BiosHost,
    info: &ModeInfo,
    page: u8,
    row: u16,
    col: u16,
    ch: u8,
    color: u8,
) {
    let (f, h) = font(info);
    let x0 = col as u32 * 8;
    let y0 = row as u32 * h;
    for r in 0..h {
        let bits = f.get((ch as u32 * h + r) as usize).copied().unwrap_or(0);
        for b in 0..8u32 {
            let on = bits & (0x80 >> b) != 0;
            let (x, y) = ((x0 + b) as u16, (y0 + r) as u16);
            if color & 0x80 != 0 {
                if on {
                    write_pixel(host, info, page, x, y, color);
                }
            } else {
                write_pixel(host, info, page, x, y, if on { color } else { 0 });
            }
        }
    }
}

/// AH=08h in graphics modes: the character whose glyph matches the cell at the cursor
/// (foreground = any nonzero pixel), or 0.
pub fn read_char(host: &mut dyn BiosHost, info: &ModeInfo, page: u8) -> u8 {
    let (row, col) = super::text::cursor(host, page);
    let (f, h) = font(info);
    let mut cell = vec![0u8; h as usize];
    for (r, line) in cell.iter_mut().enumerate() {
        for b in 0..8u32 {
            let x = (col as u32 * 8 + b) as u16;
            let y = (row as u32 * h + r as u32) as u16;
            if read_pixel(host, info, page, x, y) != 0 {
                *line |= 0x80 >> b;
            }
        }
    }
    (0..=255u8)
        .find(|&c| f.get(c as usize * h as usize..(c as usize + 1) * h as usize) == Some(&cell[..]))
        .unwrap_or(0)
}

/// Byte span of pixel row `y`, columns `x0..x1` (multiples of 8): (address, length), for
/// the packed layouts; for planar modes the plane address.
fn row_span(info: &ModeInfo, page: u8, y: u32, x0: u32, x1: u32) -> (u32, usize) {
    match info.layout {
        Layout::Linear => (info.base + y * 320 + x0, (x1 - x0) as usize),
        Layout::Cga2 => (cga_addr(info, x0, y, 2).0, ((x1 - x0) / 4) as usize),
        Layout::Cga1 => (cga_addr(info, x0, y, 1).0, ((x1 - x0) / 8) as usize),
        _ => {
            let bpl = info.width as u32 / 8;
            let base = info.base + (page & 7) as u32 * info.page_size as u32;
            (base + y * bpl + x0 / 8, ((x1 - x0) / 8) as usize)
        }
    }
}

/// Runs `f(plane)` with write mode 0 to that plane only and reads from it (planar modes),
/// restoring the map mask and read map afterwards.
fn per_plane(host: &mut dyn BiosHost, mut f: impl FnMut(&mut dyn BiosHost, u8)) {
    let saved_mask = vga_reg_read(host, 0x3C4, 2);
    let saved_map = vga_reg_read(host, 0x3CE, 4);
    vga_reg(host, 0x3CE, 1, 0);
    vga_reg(host, 0x3CE, 3, 0);
    vga_reg(host, 0x3CE, 8, 0xFF);
    for p in 0..4u8 {
        vga_reg(host, 0x3CE, 4, p);
        vga_reg(host, 0x3C4, 2, 1 << p);
        f(host, p);
    }
    vga_reg(host, 0x3C4, 2, saved_mask);
    vga_reg(host, 0x3CE, 4, saved_map);
}

/// Copies or fills whole pixel rows of a character window.
fn move_rows(
    host: &mut dyn BiosHost,
    info: &ModeInfo,
    rows: &[(u32, Option<u32>)],
    x0: u32,
    x1: u32,
    color: u8,
) {
    let fill_byte = |p: u8| -> u8 {
        match info.layout {
            Layout::Linear => color,
            Layout::Cga2 => (color & 3) * 0x55,
            Layout::Cga1 => {
                if color & 1 != 0 {
                    0xFF
                } else {
                    0
                }
            }
            _ => {
                if color & (1 << p) != 0 {
                    0xFF
                } else {
                    0
                }
            }
        }
    };
    let one = |host: &mut dyn BiosHost, p: u8| {
        let mut buf = Vec::new();
        for &(dst, src) in rows {
            let (d, len) = row_span(info, 0, dst, x0, x1);
            buf.resize(len, 0);
            match src {
                Some(s) => {
                    let (sa, _) = row_span(info, 0, s, x0, x1);
                    for (i, b) in buf.iter_mut().enumerate() {
                        *b = host.vga().mem_read(sa + i as u32);
                    }
                }
                None => buf.fill(fill_byte(p)),
            }
            for (i, &b) in buf.iter().enumerate() {
                host.vga().mem_write(d + i as u32, b);
            }
        }
    };
    if info.layout == Layout::Planar {
        per_plane(host, one);
    } else {
        one(host, 0);
    }
}

/// Scrolls a character window in a graphics mode, moving whole byte rows.
pub fn scroll(
    host: &mut dyn BiosHost,
    info: &ModeInfo,
    up: bool,
    lines: u16,
    attr: u8,
    win: (u16, u16, u16, u16),
) {
    let (top, left, bottom, right) = win;
    let h = font(info).1;
    let (x0, x1) = (
        left as u32 * 8,
        ((right as u32 + 1) * 8).min(info.width as u32),
    );
    let (y0, y1) = (
        top as u32 * h,
        ((bottom as u32 + 1) * h).min(info.height as u32),
    );
    if x0 >= x1 || y0 >= y1 {
        return;
    }
    let shift = lines as u32 * h;
    let height = y1 - y0;
    let rows: Vec<(u32, Option<u32>)> = (0..height)
        .map(|i| {
            let dst = if up { y0 + i } else { y1 - 1 - i };
            let src = (i + shift < height).then(|| if up { dst + shift } else { dst - shift });
            (dst, src)
        })
        .collect();
    move_rows(host, info, &rows, x0, x1, attr & 0x7F);
}
