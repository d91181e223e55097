//! Host-side mode set for the BIOS: the standard VGA register tables for BIOS modes
//! 0-7 and 0Dh-13h, the matching DAC palette, memory clear (unless bit 7 of the mode
//! number is set) and loading of the ROM font into plane 2.

use super::dac::{cga_dac_palette, default_256_palette, ega_palette, mono_palette};
use super::font::font_for_height;
use super::Vga;

/// Which DAC palette a mode set loads.
#[derive(Clone, Copy, Debug, PartialEq)]
enum PaletteKind {
    Ega,
    Cga,
    Mono,
    Vga256,
}

/// Register values of one BIOS mode.
struct ModeTable {
    misc: u8,
    /// Sequencer registers 1-4.
    seq: [u8; 4],
    crtc: [u8; 25],
    gc: [u8; 9],
    /// Attribute registers 0-0x13 (colour select is 0).
    attr: [u8; 20],
    palette: PaletteKind,
    /// Character height of the ROM font loaded into plane 2 (text modes only).
    font: Option<u8>,
}

const GC_TEXT: [u8; 9] = [0, 0, 0, 0, 0, 0x10, 0x0E, 0x00, 0xFF];
const GC_PLANAR: [u8; 9] = [0, 0, 0, 0, 0, 0x00, 0x05, 0x0F, 0xFF];
const ATTR_TEXT: [u8; 20] = [
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F,
    0x0C, 0x00, 0x0F, 0x08,
];
const ATTR_EGA16: [u8; 20] = [
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F,
    0x01, 0x00, 0x0F, 0x00,
];
const ATTR_CGA16: [u8; 20] = [
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
    0x01, 0x00, 0x0F, 0x00,
];
const CRTC_TEXT40: [u8; 25] = [
    0x2D, 0x27, 0x28, 0x90, 0x2B, 0xA0, 0xBF, 0x1F, 0x00, 0x4F, 0x0D, 0x0E, 0x00, 0x00, 0x00, 0x00,
    0x9C, 0x8E, 0x8F, 0x14, 0x1F, 0x96, 0xB9, 0xA3, 0xFF,
];
const CRTC_TEXT80: [u8; 25] = [
    0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00, 0x4F, 0x0D, 0x0E, 0x00, 0x00, 0x00, 0x00,
    0x9C, 0x8E, 0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3, 0xFF,
];
const CRTC_MONO_TEXT: [u8; 25] = [
    0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00, 0x4F, 0x0D, 0x0E, 0x00, 0x00, 0x00, 0x00,
    0x9C, 0x8E, 0x8F, 0x28, 0x0F, 0x96, 0xB9, 0xA3, 0xFF,
];
const CRTC_320X200: [u8; 25] = [
    0x2D, 0x27, 0x28, 0x90, 0x2B, 0x80, 0xBF, 0x1F, 0x00, 0xC1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x9C, 0x8E, 0x8F, 0x14, 0x00, 0x96, 0xB9, 0xA2, 0xFF,
];
const CRTC_640X200_CGA: [u8; 25] = [
    0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00, 0xC1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x9C, 0x8E, 0x8F, 0x28, 0x00, 0x96, 0xB9, 0xC2, 0xFF,
];
const CRTC_320X200_EGA: [u8; 25] = [
    0x2D, 0x27, 0x28, 0x90, 0x2B, 0x80, 0xBF, 0x1F, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x9C, 0x8E, 0x8F, 0x14, 0x00, 0x96, 0xB9, 0xE3, 0xFF,
];
const CRTC_640X200_EGA: [u8; 25] = [
    0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x9C, 0x8E, 0x8F, 0x28, 0x00, 0x96, 0xB9, 0xE3, 0xFF,
];
const CRTC_640X350: [u8; 25] = [
    0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x83, 0x85, 0x5D, 0x28, 0x0F, 0x63, 0xBA, 0xE3, 0xFF,
];
const CRTC_640X480_2: [u8; 25] = [
    0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0x0B, 0x3E, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xEA, 0x8C, 0xDF, 0x28, 0x00, 0xE7, 0x04, 0xC3, 0xFF,
];
const CRTC_640X480_16: [u8; 25] = [
    0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0x0B, 0x3E, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xEA, 0x8C, 0xDF, 0x28, 0x00, 0xE7, 0x04, 0xE3, 0xFF,
];
const CRTC_320X200_256: [u8; 25] = [
    0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00, 0x41, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x9C, 0x8E, 0x8F, 0x28, 0x40, 0x96, 0xB9, 0xA3, 0xFF,
];

fn mode_table(mode: u8) -> Option<ModeTable> {
    let t = match mode {
        0 | 1 => ModeTable {
            misc: 0x67,
            seq: [0x08, 0x03, 0x00, 0x02],
            crtc: CRTC_TEXT40,
            gc: GC_TEXT,
            attr: ATTR_TEXT,
            palette: PaletteKind::Ega,
            font: Some(16),
        },
        2 | 3 => ModeTable {
            misc: 0x67,
            seq: [0x00, 0x03, 0x00, 0x02],
            crtc: CRTC_TEXT80,
            gc: GC_TEXT,
            attr: ATTR_TEXT,
            palette: PaletteKind::Ega,
            font: Some(16),
        },
        4 | 5 => ModeTable {
            misc: 0x63,
            seq: [0x09, 0x03, 0x00, 0x02],
            crtc: CRTC_320X200,
            gc: [0, 0, 0, 0, 0, 0x30, 0x0F, 0x00, 0xFF],
            attr: [
                0x00, 0x13, 0x15, 0x17, 0x02, 0x04, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
                0x16, 0x17, 0x01, 0x00, 0x03, 0x00,
            ],
            palette: PaletteKind::Cga,
            font: None,
        },
        6 => ModeTable {
            misc: 0x63,
            seq: [0x01, 0x01, 0x00, 0x06],
            crtc: CRTC_640X200_CGA,
            gc: [0, 0, 0, 0, 0, 0x00, 0x0D, 0x00, 0xFF],
            attr: [
                0x00, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17,
                0x17, 0x17, 0x01, 0x00, 0x01, 0x00,
            ],
            palette: PaletteKind::Cga,
            font: None,
        },
        7 => ModeTable {
            misc: 0x66,
            seq: [0x00, 0x03, 0x00, 0x02],
            crtc: CRTC_MONO_TEXT,
            gc: [0, 0, 0, 0, 0, 0x10, 0x0A, 0x00, 0xFF],
            attr: [
                0x00, 0x08, 0x08, 0x08, 0x08, 0x08, 0x08, 0x08, 0x10, 0x18, 0x18, 0x18, 0x18, 0x18,
                0x18, 0x18, 0x0E, 0x00, 0x0F, 0x08,
            ],
            palette: PaletteKind::Mono,
            font: Some(16),
        },
        0x0D | 0x0E => ModeTable {
            misc: 0x63,
            seq: [if mode == 0x0D { 0x09 } else { 0x01 }, 0x0F, 0x00, 0x06],
            crtc: if mode == 0x0D {
                CRTC_320X200_EGA
            } else {
                CRTC_640X200_EGA
            },
            gc: GC_PLANAR,
            attr: ATTR_CGA16,
            palette: PaletteKind::Cga,
            font: None,
        },
        0x0F => ModeTable {
            misc: 0xA2,
            seq: [0x01, 0x0F, 0x00, 0x06],
            crtc: CRTC_640X350,
            gc: [0, 0, 0, 0, 0, 0x00, 0x05, 0x05, 0xFF],
            attr: [
                0x00, 0x08, 0x00, 0x00, 0x18, 0x18, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x18,
                0x00, 0x00, 0x0B, 0x00, 0x05, 0x00,
            ],
            palette: PaletteKind::Mono,
            font: None,
        },
        0x10 => ModeTable {
            misc: 0xA3,
            seq: [0x01, 0x0F, 0x00, 0x06],
            crtc: CRTC_640X350,
            gc: GC_PLANAR,
            attr: ATTR_EGA16,
            palette: PaletteKind::Ega,
            font: None,
        },
        0x11 => ModeTable {
            misc: 0xE3,
            seq: [0x01, 0x0F, 0x00, 0x06],
            crtc: CRTC_640X480_2,
            gc: GC_PLANAR,
            attr: [
                0x00, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F,
                0x3F, 0x3F, 0x01, 0x00, 0x0F, 0x00,
            ],
            palette: PaletteKind::Ega,
            font: None,
        },
        0x12 => ModeTable {
            misc: 0xE3,
            seq: [0x01, 0x0F, 0x00, 0x06],
            crtc: CRTC_640X480_16,
            gc: GC_PLANAR,
            attr: ATTR_EGA16,
            palette: PaletteKind::Ega,
            font: None,
        },
        0x13 => ModeTable {
            misc: 0x63,
            seq: [0x01, 0x0F, 0x00, 0x0E],
            crtc: CRTC_320X200_256,
            gc: [0, 0, 0, 0, 0, 0x40, 0x05, 0x0F, 0xFF],
            attr: [
                0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D,
                0x0E, 0x0F, 0x41, 0x00, 0x0F, 0x00,
            ],
            palette: PaletteKind::Vga256,
            font: None,
        },
        _ => return None,
    };
    Some(t)
}

/// Plane-2 offset of character map `map` (0-7) as the sequencer addresses it.
fn char_map_base(map: u8) -> u32 {
    let m = (map & 7) as u32;
    ((m & 3) << 14) | ((m >> 2) << 13)
}

impl Vga {
    /// Programs every register for BIOS video mode `mode` (0-7, 0Dh-13h), loads the DAC
    /// palette and the ROM font, and clears video memory unless bit 7 is set. Returns false
    /// (changing nothing) for modes it does not know.
    pub fn set_bios_mode(&mut self, mode: u8) -> bool {
        let keep_memory = mode & 0x80 != 0;
        let Some(t) = mode_table(mode & 0x7F) else {
            log::debug!("vga: unsupported BIOS mode {mode:#04x}");
            return false;
        };
        self.vbe.disable();
        self.dac.eight_bit = false;
        self.misc = t.misc;
        self.seq.regs[0] = 0x03;
        self.seq.regs[1..5].copy_from_slice(&t.seq);
        self.crtc.regs = t.crtc;
        self.gc.regs = t.gc;
        self.attr.regs[..20].copy_from_slice(&t.attr);
        self.attr.regs[0x14] = 0;
        self.attr.index = 0x20;
        self.attr.flip_flop = false;
        self.dac.pel_mask = 0xFF;
        match t.palette {
            PaletteKind::Vga256 => self.dac.load(0, &default_256_palette()),
            PaletteKind::Ega => {
                self.dac.load(0, &default_256_palette());
                self.dac.load(0, &ega_palette());
            }
            PaletteKind::Cga => {
                self.dac.load(0, &default_256_palette());
                self.dac.load(0, &cga_dac_palette());
            }
            PaletteKind::Mono => {
                self.dac.load(0, &default_256_palette());
                self.dac.load(0, &mono_palette());
            }
        }
        if !keep_memory {
            let planes = &mut self.vram[..0x40000];
            if t.font.is_some() {
                for (i, b) in planes.iter_mut().enumerate() {
                    *b = match i & 3 {
                        0 => 0x20,
                        1 => 0x07,
                        _ => 0,
                    };
                }
            } else {
                planes.fill(0);
            }
        }
        if let Some(h) = t.font {
            self.load_font(h, 0);
        }
        true
    }

    /// Loads the ROM font of `height` rows (8, 14 or 16) into character map `map` (0-7) of
    /// plane 2. Returns false for a height with no ROM font.
    pub fn load_font(&mut self, height: u8, map: u8) -> bool {
        let Some(font) = font_for_height(height) else {
            return false;
        };
        self.load_user_font(map, height, 0, font);
        true
    }

    /// Reprograms the CRTC for text characters `height` scan lines tall (1-32), as
    /// INT 10h AX=1111h/1112h/1114h do after loading a font: max scan line, a cursor on
    /// the last lines of the cell and the underline row; the displayed lines stay, so
    /// the row count becomes `lines / height`.
    pub fn set_char_height(&mut self, height: u8) {
        let h = height.clamp(1, 32);
        self.crtc.regs[9] = (self.crtc.regs[9] & 0xE0) | (h - 1);
        let (start, end) = if h >= 14 {
            (h - 3, h - 2)
        } else {
            (h.saturating_sub(2), h - 1)
        };
        self.crtc.regs[0x0A] = (self.crtc.regs[0x0A] & 0xE0) | start;
        self.crtc.regs[0x0B] = (self.crtc.regs[0x0B] & 0xE0) | end;
        if self.crtc.regs[0x14] & 0x1F != 0x1F {
            self.crtc.regs[0x14] = (self.crtc.regs[0x14] & 0xE0) | (h - 1);
        }
    }

    /// Writes attribute controller register `index` (0-0x14) directly, whatever the
    /// flip-flop and palette-address-source state (host side, for INT 10h AX=10xxh).
    pub fn set_attribute_register(&mut self, index: u8, value: u8) {
        let saved = (self.attr.index, self.attr.flip_flop);
        self.attr.index = index & 0x1F;
        self.attr.flip_flop = true;
        self.attr.write(value);
        (self.attr.index, self.attr.flip_flop) = saved;
    }

    /// Attribute controller register `index` (0xFF if it does not exist).
    pub fn attribute_register(&self, index: u8) -> u8 {
        self.attr.regs.get(index as usize).copied().unwrap_or(0xFF)
    }

    /// Loads `data` (`height` bytes per character, starting at character `first`) into
    /// character map `map` of plane 2, as INT 10h AX=1100h does; rows past `height` of each
    /// loaded character are cleared.
    pub fn load_user_font(&mut self, map: u8, height: u8, first: u8, data: &[u8]) {
        let h = (height as usize).clamp(1, 32);
        let base = char_map_base(map);
        for (n, glyph) in data.chunks(h).enumerate() {
            let ch = first as usize + n;
            if ch > 0xFF {
                break;
            }
            let addr = base + ch as u32 * 32;
            for row in 0..32u32 {
                let v = glyph.get(row as usize).copied().unwrap_or(0);
                let v = if (row as usize) < h { v } else { 0 };
                let i = ((addr + row) as usize) * 4 + 2;
                if let Some(b) = self.vram.get_mut(i) {
                    *b = v;
                }
            }
        }
    }
}
