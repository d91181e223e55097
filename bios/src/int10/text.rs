//! Cursor, character and scrolling services (INT 10h AH=01h-03h, 05h-0Ah, 0Eh, 13h) for
//! text modes; graphics modes are forwarded to [`super::graphics`].

use super::graphics;
use super::mode::{crtc_port, current, vga_reg, Layout, ModeInfo};
use crate::bda;
use crate::host::BiosHost;
use crate::mem::{rd16, rd8, read_phys, wr16, wr8, write_phys};

/// Cursor (row, column) of `page`.
pub fn cursor(host: &mut dyn BiosHost, page: u8) -> (u8, u8) {
    let v = rd16(host, bda::CURSOR_POS + 2 * (page & 7) as u32);
    ((v >> 8) as u8, v as u8)
}

/// Moves the cursor of `page`; the hardware cursor follows when it is the active page.
pub fn set_cursor(host: &mut dyn BiosHost, page: u8, row: u8, col: u8) {
    let page = page & 7;
    wr16(
        host,
        bda::CURSOR_POS + 2 * page as u32,
        (row as u16) << 8 | col as u16,
    );
    if page == rd8(host, bda::ACTIVE_PAGE) {
        let info = current(host);
        let start = rd16(host, bda::VIDEO_PAGE_START) / 2;
        let pos = start
            .wrapping_add(row as u16 * info.cols)
            .wrapping_add(col as u16);
        let port = crtc_port(host);
        vga_reg(host, port, 0x0E, (pos >> 8) as u8);
        vga_reg(host, port, 0x0F, pos as u8);
    }
}

/// AH=01h: cursor shape CH (start, bit 5 = off) / CL (end), scaled to the cell height.
pub fn set_shape(host: &mut dyn BiosHost, start: u8, end: u8) {
    wr16(host, bda::CURSOR_SHAPE, (start as u16) << 8 | end as u16);
    let h = rd16(host, bda::CHAR_HEIGHT).clamp(1, 32) as u8;
    let port = crtc_port(host);
    if start & 0x20 != 0 {
        vga_reg(host, port, 0x0A, 0x20);
        return;
    }
    let (mut s, mut e) = (start & 0x1F, end & 0x1F);
    if h > 8 && s <= 7 && e <= 7 {
        if s >= 6 {
            (s, e) = (h - 3, h - 2);
        } else if s <= 1 {
            (s, e) = (0, h - 1);
        } else {
            (s, e) = (h / 2, h - 1);
        }
    }
    vga_reg(host, port, 0x0A, s);
    vga_reg(host, port, 0x0B, e);
}

/// AH=05h: select the active page.
pub fn set_page(host: &mut dyn BiosHost, page: u8) {
    let info = current(host);
    let page = page & 7;
    wr8(host, bda::ACTIVE_PAGE, page);
    let start = (page as u32 * info.page_size as u32) as u16;
    wr16(host, bda::VIDEO_PAGE_START, start);
    let addr = if info.layout == Layout::Text {
        start / 2
    } else {
        start
    };
    let port = crtc_port(host);
    vga_reg(host, port, 0x0C, (addr >> 8) as u8);
    vga_reg(host, port, 0x0D, addr as u8);
    let (r, c) = cursor(host, page);
    set_cursor(host, page, r, c);
}

/// Address of the text cell (row, col) on `page`.
fn cell_addr(info: &ModeInfo, page: u8, row: u16, col: u16) -> u32 {
    info.base
        + (page & 7) as u32 * info.page_size as u32
        + (row as u32 * info.cols as u32 + col as u32) * 2
}

/// AH=08h: (char, attribute) at the cursor of `page`.
pub fn read_char(host: &mut dyn BiosHost, page: u8) -> (u8, u8) {
    let info = current(host);
    if info.layout != Layout::Text {
        return (graphics::read_char(host, &info, page), 0);
    }
    let (r, c) = cursor(host, page);
    let mut b = [0u8; 2];
    read_phys(host, cell_addr(&info, page, r as u16, c as u16), &mut b);
    (b[0], b[1])
}

/// AH=09h/0Ah: writes `ch` `count` times from the cursor (attribute only with AH=09h).
pub fn write_chars(host: &mut dyn BiosHost, page: u8, ch: u8, attr: Option<u8>, count: u16) {
    let info = current(host);
    let (r, c) = cursor(host, page);
    if info.layout != Layout::Text {
        let color = attr.unwrap_or(0x0F);
        let cells = (info.cols as u32 * info.rows as u32)
            .saturating_sub(r as u32 * info.cols as u32 + c as u32);
        for i in 0..(count as u32).min(cells) {
            let pos = r as u32 * info.cols as u32 + c as u32 + i;
            let (row, col) = (
                (pos / info.cols as u32) as u16,
                (pos % info.cols as u32) as u16,
            );
            graphics::draw_char(host, &info, page, row, col, ch, color);
        }
        return;
    }
    let cells = (info.page_size as u32 / 2).saturating_sub(r as u32 * info.cols as u32 + c as u32);
    let start = cell_addr(&info, page, r as u16, c as u16);
    for i in 0..(count as u32).min(cells) {
        let a = start + 2 * i;
        match attr {
            Some(at) => write_phys(host, a, &[ch, at]),
            None => wr8(host, a, ch),
        }
    }
}

/// AH=06h/07h: scrolls the window (rows `top..=bottom`, columns `left..=right`) up or down
/// by `lines` (0 clears it), filling with `attr` on the active page.
pub fn scroll(
    host: &mut dyn BiosHost,
    up: bool,
    lines: u8,
    attr: u8,
    top: u8,
    left: u8,
    bottom: u8,
    right: u8,
) {
    let info = current(host);
    let page = rd8(host, bda::ACTIVE_PAGE);
    let bottom = (bottom as u16).min(info.rows.saturating_sub(1));
    let right = (right as u16).min(info.cols.saturating_sub(1));
    let (top, left) = (top as u16, left as u16);
    if top > bottom || left > right {
        return;
    }
    let height = bottom - top + 1;
    let lines = if lines == 0 || lines as u16 > height {
        height
    } else {
        lines as u16
    };
    if info.layout != Layout::Text {
        graphics::scroll(host, &info, up, lines, attr, (top, left, bottom, right));
        return;
    }
    let width = (right - left + 1) as usize;
    let mut row_buf = vec![0u8; width * 2];
    for i in 0..height {
        let dst = if up { top + i } else { bottom - i };
        let src_off = i + lines;
        let dst_addr = cell_addr(&info, page, dst, left);
        if src_off < height {
            let src = if up { top + src_off } else { bottom - src_off };
            read_phys(host, cell_addr(&info, page, src, left), &mut row_buf);
        } else {
            for cell in row_buf.chunks_mut(2) {
                cell[0] = b' ';
                cell[1] = attr;
            }
        }
        write_phys(host, dst_addr, &row_buf);
    }
}

/// AH=0Eh: teletype output of `ch` on `page` (graphics colour `color`).
pub fn teletype(host: &mut dyn BiosHost, page: u8, ch: u8, color: u8) {
    let info = current(host);
    let (mut r, mut c) = cursor(host, page);
    match ch {
        0x07 => return,
        0x08 => c = c.saturating_sub(1),
        0x0A => r = r.saturating_add(1),
        0x0D => c = 0,
        _ => {
            if info.layout == Layout::Text {
                wr8(host, cell_addr(&info, page, r as u16, c as u16), ch);
            } else {
                graphics::draw_char(host, &info, page, r as u16, c as u16, ch, color);
            }
            c = c.saturating_add(1);
            if c as u16 >= info.cols {
                c = 0;
                r = r.saturating_add(1);
            }
        }
    }
    if r as u16 >= info.rows {
        r = (info.rows - 1) as u8;
        let attr = if info.layout == Layout::Text {
            let mut b = [0u8; 2];
            read_phys(host, cell_addr(&info, page, r as u16, c as u16), &mut b);
            b[1]
        } else {
            0
        };
        scroll(host, true, 1, attr, 0, 0, r, (info.cols - 1) as u8);
    }
    set_cursor(host, page, r, c);
}

/// AH=13h: write string. `mode` bit 0 moves the cursor, bit 1 means char/attribute pairs.
pub fn write_string(
    host: &mut dyn BiosHost,
    mode: u8,
    page: u8,
    attr: u8,
    row: u8,
    col: u8,
    addr: u32,
    len: u16,
) {
    let saved = cursor(host, page);
    set_cursor(host, page, row, col);
    let step = if mode & 2 != 0 { 2 } else { 1 };
    let mut bytes = vec![0u8; len as usize * step];
    read_phys(host, addr, &mut bytes);
    for item in bytes.chunks(step) {
        let ch = item[0];
        let at = item.get(1).copied().unwrap_or(attr);
        if matches!(ch, 0x07 | 0x08 | 0x0A | 0x0D) {
            teletype(host, page, ch, at);
        } else {
            write_chars(host, page, ch, Some(at), 1);
            teletype_advance(host, page);
        }
    }
    if mode & 1 == 0 {
        set_cursor(host, page, saved.0, saved.1);
    }
}

/// Advances the cursor by one cell with wrap and scroll (no character written).
fn teletype_advance(host: &mut dyn BiosHost, page: u8) {
    let info = current(host);
    let (mut r, mut c) = cursor(host, page);
    c = c.saturating_add(1);
    if c as u16 >= info.cols {
        c = 0;
        r = r.saturating_add(1);
    }
    if r as u16 >= info.rows {
        r = (info.rows - 1) as u8;
        scroll(host, true, 1, 0x07, 0, 0, r, (info.cols - 1) as u8);
    }
    set_cursor(host, page, r, c);
}
