//! Video mode facts the INT 10h services need (memory layout, geometry, BDA values) and
//! AH=00h set mode.

use crate::bda;
use crate::host::BiosHost;
use crate::mem::{rd16, rd8, wr16, wr8};
use crate::rom::layout::{FONT14, FONT16, FONT8, ROM_SEG};

/// How a mode stores pixels or characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Character/attribute pairs.
    Text,
    /// CGA 4-colour, 2 bits per pixel, interleaved banks.
    Cga2,
    /// CGA 2-colour, 1 bit per pixel, interleaved banks.
    Cga1,
    /// EGA/VGA 16-colour planes.
    Planar,
    /// Mode 13h, one byte per pixel.
    Linear,
}

/// A BIOS video mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModeInfo {
    pub layout: Layout,
    /// Text columns.
    pub cols: u16,
    /// Text rows.
    pub rows: u16,
    /// Pixel width (graphics).
    pub width: u16,
    /// Pixel height (graphics).
    pub height: u16,
    /// Physical address of page 0.
    pub base: u32,
    /// Bytes per page.
    pub page_size: u16,
    /// Character cell height.
    pub char_height: u8,
    /// CGA mode select register value for the BDA.
    pub mode_select: u8,
}

/// Facts for a BIOS mode number (bit 7 ignored).
pub fn mode_info(mode: u8) -> Option<ModeInfo> {
    use Layout::*;
    let m =
        |layout, cols, rows, width, height, base, page_size, char_height, mode_select| ModeInfo {
            layout,
            cols,
            rows,
            width,
            height,
            base,
            page_size,
            char_height,
            mode_select,
        };
    Some(match mode & 0x7F {
        0 | 1 => m(Text, 40, 25, 320, 200, 0xB8000, 0x800, 16, 0x2C),
        2 | 3 => m(Text, 80, 25, 640, 200, 0xB8000, 0x1000, 16, 0x29),
        7 => m(Text, 80, 25, 720, 350, 0xB0000, 0x1000, 16, 0x29),
        4 | 5 => m(Cga2, 40, 25, 320, 200, 0xB8000, 0x4000, 8, 0x2A),
        6 => m(Cga1, 80, 25, 640, 200, 0xB8000, 0x4000, 8, 0x1E),
        0x0D => m(Planar, 40, 25, 320, 200, 0xA0000, 0x2000, 8, 0x29),
        0x0E => m(Planar, 80, 25, 640, 200, 0xA0000, 0x4000, 8, 0x29),
        0x0F | 0x10 => m(Planar, 80, 25, 640, 350, 0xA0000, 0x8000, 14, 0x29),
        0x11 | 0x12 => m(Planar, 80, 30, 640, 480, 0xA0000, 0x9600, 16, 0x29),
        0x13 => m(Linear, 40, 25, 320, 200, 0xA0000, 0xFA00, 8, 0x29),
        _ => return None,
    })
}

/// The current mode's number from the BDA.
pub fn current_mode(host: &mut dyn BiosHost) -> u8 {
    rd8(host, bda::VIDEO_MODE) & 0x7F
}

/// The current mode's facts, with the row count and page size from the BDA (fonts may have
/// changed them).
pub fn current(host: &mut dyn BiosHost) -> ModeInfo {
    let mode = current_mode(host);
    let mut info = mode_info(mode).unwrap_or(mode_info(3).unwrap_or(ModeInfo {
        layout: Layout::Text,
        cols: 80,
        rows: 25,
        width: 640,
        height: 200,
        base: 0xB8000,
        page_size: 0x1000,
        char_height: 16,
        mode_select: 0x29,
    }));
    let cols = rd16(host, bda::VIDEO_COLUMNS);
    if cols > 0 && cols <= 255 {
        info.cols = cols;
    }
    let rows = rd8(host, bda::VIDEO_ROWS) as u16 + 1;
    if info.layout == Layout::Text && rows > 1 {
        info.rows = rows;
    }
    let ps = rd16(host, bda::VIDEO_PAGE_SIZE);
    if ps != 0 {
        info.page_size = ps;
    }
    info
}

/// Writes a VGA register through its index/data pair without going through the bus.
pub fn vga_reg(host: &mut dyn BiosHost, index_port: u16, index: u8, v: u8) {
    let now = host.now_ns();
    let vga = host.vga();
    vga.port_write(index_port, rawbox_cpu::Width::Byte, index as u32, now);
    vga.port_write(index_port + 1, rawbox_cpu::Width::Byte, v as u32, now);
}

/// Reads a VGA register through its index/data pair.
pub fn vga_reg_read(host: &mut dyn BiosHost, index_port: u16, index: u8) -> u8 {
    let now = host.now_ns();
    let vga = host.vga();
    vga.port_write(index_port, rawbox_cpu::Width::Byte, index as u32, now);
    vga.port_read(index_port + 1, rawbox_cpu::Width::Byte, now) as u8
}

/// The CRTC index port of the current mode.
pub fn crtc_port(host: &mut dyn BiosHost) -> u16 {
    if current_mode(host) == 7 {
        0x3B4
    } else {
        0x3D4
    }
}

/// AH=00h: sets mode `al` (bit 7: keep video memory). Returns false for unknown modes.
pub fn set_mode(host: &mut dyn BiosHost, al: u8) -> bool {
    let mode = al & 0x7F;
    let Some(info) = mode_info(mode) else {
        log::debug!("bios: int 10h set mode {al:#04x} unsupported");
        return false;
    };
    if !host.vga().set_bios_mode(al) {
        return false;
    }
    wr8(host, bda::VIDEO_MODE, mode);
    wr16(host, bda::VIDEO_COLUMNS, info.cols);
    wr16(host, bda::VIDEO_PAGE_SIZE, info.page_size);
    wr16(host, bda::VIDEO_PAGE_START, 0);
    for p in 0..8 {
        wr16(host, bda::CURSOR_POS + 2 * p, 0);
    }
    wr16(host, bda::CURSOR_SHAPE, 0x0607);
    wr8(host, bda::ACTIVE_PAGE, 0);
    wr16(host, bda::CRTC_BASE, if mode == 7 { 0x3B4 } else { 0x3D4 });
    wr8(host, bda::MODE_SELECT, info.mode_select);
    wr8(host, bda::CGA_PALETTE, if mode == 6 { 0x3F } else { 0x30 });
    wr8(host, bda::VIDEO_ROWS, (info.rows - 1) as u8);
    wr16(host, bda::CHAR_HEIGHT, info.char_height as u16);
    wr8(host, bda::VIDEO_CTL, 0x60 | (al & 0x80));
    wr8(host, bda::VIDEO_SWITCHES, 0xF9);
    wr8(host, bda::VIDEO_MODESET, 0x51);
    wr8(host, bda::VIDEO_DCC, 0x08);
    let font = match info.char_height {
        14 => FONT14,
        16 if info.layout != Layout::Text => FONT16,
        _ => FONT8,
    };
    wr16(host, 0x43 * 4, font);
    wr16(host, 0x43 * 4 + 2, ROM_SEG);
    true
}
