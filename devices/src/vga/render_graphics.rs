//! Graphics-mode output: 16-colour planar (EGA/VGA modes 0Dh-12h), CGA 2-bit
//! interleaved shift (modes 4/5), 256-colour chained or unchained (mode 13h, mode X)
//! through the attribute palette and DAC, and the VBE direct-colour / planar modes.

use super::render::Frame;
use super::Vga;

impl Vga {
    /// Pixels (attribute-level 4-bit values, or 8-bit DAC indices in 256-colour mode)
    /// of one character clock fetched from plane address `addr`.
    fn fetch_pixels(&self, addr: u32, dst: &mut Vec<u8>) {
        let p = [
            self.plane_byte(0, addr),
            self.plane_byte(1, addr),
            self.plane_byte(2, addr),
            self.plane_byte(3, addr),
        ];
        if self.gc.shift256() {
            dst.extend_from_slice(&p);
        } else if self.gc.shift_interleave() {
            for i in 0..8u32 {
                let (lo, hi) = if i < 4 { (p[0], p[2]) } else { (p[1], p[3]) };
                let sh = 6 - 2 * (i & 3);
                dst.push(((lo >> sh) & 3) | (((hi >> sh) & 3) << 2));
            }
        } else {
            for i in 0..8u32 {
                let m = 0x80u8 >> i;
                let mut v = 0u8;
                for (plane, byte) in p.iter().enumerate() {
                    if byte & m != 0 {
                        v |= 1 << plane;
                    }
                }
                dst.push(v);
            }
        }
    }

    pub(crate) fn render_graphics(&self, out: &mut Frame) {
        let chars = self.crtc.h_display_chars() + 1;
        let width = out.width as usize;
        let pan = self.pixel_pan() as usize;
        let eight_bit = self.gc.shift256();
        let mut buf: Vec<u8> = Vec::with_capacity(chars as usize * 8);
        // Pixel value to ARGB, resolved once per frame: DAC entries directly in 256-colour
        // modes, through the attribute palette otherwise.
        let colors: [u32; 256] = std::array::from_fn(|i| {
            if eight_bit {
                self.dac.argb(i as u8)
            } else {
                self.dac.argb(self.attr.palette_lookup(i as u8))
            }
        });
        let rows = self.scan_lines(out.height);
        for (y, line) in rows.iter().enumerate() {
            buf.clear();
            for c in 0..chars {
                let addr = self.fetch_address(line, c);
                self.fetch_pixels(addr, &mut buf);
            }
            let pan = if line.below_split && self.attr.pan_reset_on_split() {
                0
            } else {
                pan
            };
            let row = &mut out.pixels[y * width..(y + 1) * width];
            let src = buf.get(pan..).unwrap_or(&[]);
            for (px, &v) in row.iter_mut().zip(src) {
                *px = colors[v as usize];
            }
            let filled = src.len().min(width);
            row[filled..].fill(colors[0]);
        }
    }

    /// VBE modes: direct colour from VRAM at the display start, or planar 4 bpp.
    pub(crate) fn render_vbe(&self, out: &mut Frame) {
        let bpp = self.vbe.bpp();
        let pitch = self.vbe.pitch() as usize;
        let start = self.vbe.start_offset() as usize;
        let (w, h) = (out.width as usize, out.height as usize);
        let byte = |i: usize| -> u32 { self.vram.get(i).copied().unwrap_or(0) as u32 };
        let dac: [u32; 256] = std::array::from_fn(|i| self.dac.argb(i as u8));
        let attr: [u32; 16] =
            std::array::from_fn(|i| self.dac.argb(self.attr.palette_lookup(i as u8)));
        for y in 0..h {
            let line = start.wrapping_add(y.wrapping_mul(pitch));
            for x in 0..w {
                let rgb = match bpp {
                    4 => {
                        let addr = (line + x / 8) as u32;
                        let m = 0x80u8 >> (x & 7);
                        let mut v = 0u8;
                        for plane in 0..4 {
                            if self.plane_byte(plane, addr) & m != 0 {
                                v |= 1 << plane;
                            }
                        }
                        attr[v as usize]
                    }
                    8 => dac[byte(line + x) as usize & 0xFF],
                    15 | 16 => {
                        let i = line + x * 2;
                        let v = byte(i) | (byte(i + 1) << 8);
                        let (r, b) = if bpp == 15 {
                            ((v >> 10) & 0x1F, v & 0x1F)
                        } else {
                            ((v >> 11) & 0x1F, v & 0x1F)
                        };
                        let g8 = if bpp == 15 {
                            let g = (v >> 5) & 0x1F;
                            (g << 3) | (g >> 2)
                        } else {
                            let g = (v >> 5) & 0x3F;
                            (g << 2) | (g >> 4)
                        };
                        let r8 = (r << 3) | (r >> 2);
                        let b8 = (b << 3) | (b >> 2);
                        0xFF00_0000 | (r8 << 16) | (g8 << 8) | b8
                    }
                    24 => {
                        let i = line + x * 3;
                        0xFF00_0000 | (byte(i + 2) << 16) | (byte(i + 1) << 8) | byte(i)
                    }
                    _ => {
                        let i = line + x * 4;
                        0xFF00_0000 | (byte(i + 2) << 16) | (byte(i + 1) << 8) | byte(i)
                    }
                };
                out.pixels[y * w + x] = rgb;
            }
        }
    }
}
