//! The data tables written into the ROM: fonts, floppy/hard-disk parameter tables, the
//! serial baud divisors, the 6845 video parameter table, the INT 15h C0h configuration
//! table and the VBE strings and mode list.

use super::layout::*;
use rawbox_devices::vga::{font_8x14, font_8x16, font_8x8};

/// Floppy parameter table (INT 1Eh) for a CMOS drive type (1 360K, 2 1.2M, 3 720K,
/// 4 1.44M, 5 2.88M): step rate/head unload, head load/DMA, motor off ticks, bytes per
/// sector code, sectors per track, gap, data length, format gap, fill byte, head settle,
/// motor start.
pub fn floppy_table(drive_type: u8) -> [u8; 11] {
    let (spt, gap, fgap) = match drive_type {
        1 => (9, 0x2A, 0x50),
        2 => (15, 0x1B, 0x54),
        3 => (9, 0x2A, 0x50),
        5 => (36, 0x1B, 0x6C),
        _ => (18, 0x1B, 0x6C),
    };
    [
        0xAF, 0x02, 0x25, 0x02, spt, gap, 0xFF, fgap, 0xF6, 0x0F, 0x08,
    ]
}

/// Offset in the ROM of the floppy table for a drive type.
pub fn floppy_table_offset(drive_type: u8) -> u16 {
    FLOPPY_TABLES + (drive_type.clamp(1, 5) as u16) * 16
}

/// The VBE modes the BIOS offers: (mode number, width, height, bits per pixel).
pub const VBE_MODE_LIST: &[(u16, u16, u16, u8)] = &[
    (0x100, 640, 400, 8),
    (0x101, 640, 480, 8),
    (0x103, 800, 600, 8),
    (0x105, 1024, 768, 8),
    (0x110, 640, 480, 15),
    (0x111, 640, 480, 16),
    (0x112, 640, 480, 24),
    (0x113, 800, 600, 15),
    (0x114, 800, 600, 16),
    (0x115, 800, 600, 24),
    (0x116, 1024, 768, 15),
    (0x117, 1024, 768, 16),
    (0x118, 1024, 768, 24),
    (0x140, 320, 200, 32),
    (0x141, 640, 480, 32),
    (0x142, 800, 600, 32),
    (0x143, 1024, 768, 32),
];

fn put(rom: &mut [u8], off: u16, data: &[u8]) {
    let start = off as usize;
    if let Some(dst) = rom.get_mut(start..start + data.len()) {
        dst.copy_from_slice(data);
    }
}

/// Writes every table into `rom`.
pub fn write_tables(rom: &mut [u8]) {
    let f8 = font_8x8();
    put(rom, FONT8, f8);
    put(rom, FONT8_LOW, &f8[..0x400]);
    put(rom, FONT14, font_8x14());
    put(rom, FONT16, font_8x16());
    put(rom, FLOPPY_PARAM_TABLE, &floppy_table(4));
    for t in 1..=5 {
        put(rom, floppy_table_offset(t), &floppy_table(t));
    }
    // A fixed-disk parameter table (type 1 style: 306 cylinders, 4 heads, 17 sectors).
    put(
        rom,
        HD_PARAM_TABLE,
        &[0x32, 0x01, 4, 0, 0, 0x80, 0, 0, 0, 0, 0, 0x32, 0x01, 17, 0],
    );
    let bauds: [u16; 8] = [0x417, 0x300, 0x180, 0xC0, 0x60, 0x30, 0x18, 0x0C];
    for (i, b) in bauds.iter().enumerate() {
        put(rom, BAUD_TABLE + 2 * i as u16, &b.to_le_bytes());
    }
    let video: [[u8; 16]; 4] = [
        [
            0x38, 0x28, 0x2D, 0x0A, 0x1F, 6, 0x19, 0x1C, 2, 7, 6, 7, 0, 0, 0, 0,
        ],
        [
            0x71, 0x50, 0x5A, 0x0A, 0x1F, 6, 0x19, 0x1C, 2, 7, 6, 7, 0, 0, 0, 0,
        ],
        [
            0x38, 0x28, 0x2D, 0x0A, 0x7F, 6, 0x64, 0x70, 2, 1, 6, 7, 0, 0, 0, 0,
        ],
        [
            0x61, 0x50, 0x52, 0x0F, 0x19, 6, 0x19, 0x19, 2, 0x0D, 0x0B, 0x0C, 0, 0, 0, 0,
        ],
    ];
    for (i, t) in video.iter().enumerate() {
        put(rom, VIDEO_PARAM_TABLE + 16 * i as u16, t);
    }
    let tail: [u8; 24] = [
        0x00, 0x08, 0x00, 0x10, 0x00, 0x40, 0x00, 0x40, // page sizes
        40, 40, 80, 80, 40, 40, 80, 80, // columns
        0x2C, 0x28, 0x2D, 0x29, 0x2A, 0x2E, 0x1E, 0x29, // mode select
    ];
    put(rom, VIDEO_PARAM_TABLE + 64, &tail);
    // INT 15h C0h: length 8, model, submodel, revision, feature bytes 1-5 (bit 6 second
    // PIC, bit 5 RTC, bit 4 INT 15h 4Fh called by INT 09h).
    put(
        rom,
        CONFIG_TABLE,
        &[
            0x08, 0x00, MODEL_BYTE, 0x01, 0x00, 0x70, 0x40, 0x00, 0x00, 0x00,
        ],
    );
    put(rom, VBE_OEM, b"rawbox VBE 2.0\0");
    let mut off = VBE_MODES;
    for &(m, ..) in VBE_MODE_LIST {
        put(rom, off, &m.to_le_bytes());
        off += 2;
    }
    put(rom, off, &0xFFFFu16.to_le_bytes());
    // INT 10h AH=1Bh static functionality table: modes 0-7, 0Dh-13h; 200/350/400 lines.
    put(
        rom,
        VIDEO_STATIC,
        &[
            0xFF, 0xE0, 0x0F, 0, 0, 0, 0, 0x07, 0x02, 0x08, 0xFF, 0x0E, 0, 0, 0x3F, 0,
        ],
    );
    put(rom, DATE, DATE_STRING);
    put(rom, MODEL, &[MODEL_BYTE]);
}
