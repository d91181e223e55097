//! The VGA DAC (RAMDAC): 256 RGB entries of 6 bits (8 with the VBE 8-bit DAC switch),
//! the pel mask, the read/write index registers with their three-step R,G,B
//! auto-increment, and the default palettes the BIOS loads at a mode set.

/// DAC state: palette, indices and the component sequencers.
#[derive(Clone, Debug)]
pub struct Dac {
    pub palette: [[u8; 3]; 256],
    pub pel_mask: u8,
    pub write_index: u8,
    pub read_index: u8,
    write_step: usize,
    read_step: usize,
    write_latch: [u8; 3],
    /// Last index register written: 0x3C7 (read mode) or 0x3C8 (write mode).
    reading: bool,
    /// VBE 8-bit DAC mode: components are stored and returned with all 8 bits.
    pub eight_bit: bool,
}

impl Default for Dac {
    fn default() -> Self {
        Dac {
            palette: [[0; 3]; 256],
            pel_mask: 0xFF,
            write_index: 0,
            read_index: 0,
            write_step: 0,
            read_step: 0,
            write_latch: [0; 3],
            reading: false,
            eight_bit: false,
        }
    }
}

impl Dac {
    fn component_mask(&self) -> u8 {
        if self.eight_bit {
            0xFF
        } else {
            0x3F
        }
    }
    /// 0x3C7 write: set the read index and start a read sequence.
    pub fn set_read_index(&mut self, v: u8) {
        self.read_index = v;
        self.read_step = 0;
        self.reading = true;
    }
    /// 0x3C8 write: set the write index and start a write sequence.
    pub fn set_write_index(&mut self, v: u8) {
        self.write_index = v;
        self.write_step = 0;
        self.reading = false;
    }
    /// 0x3C7 read: DAC state, 3 after a read index write, 0 after a write index write.
    pub fn state(&self) -> u8 {
        if self.reading {
            3
        } else {
            0
        }
    }
    /// 0x3C9 write: collect R, G, B; the entry is stored after the third component.
    pub fn write_data(&mut self, v: u8) {
        let m = self.component_mask();
        if let Some(slot) = self.write_latch.get_mut(self.write_step) {
            *slot = v & m;
        }
        self.write_step += 1;
        if self.write_step >= 3 {
            self.palette[self.write_index as usize] = self.write_latch;
            self.write_index = self.write_index.wrapping_add(1);
            self.write_step = 0;
        }
    }
    /// 0x3C9 read: the next component of the entry at the read index.
    pub fn read_data(&mut self) -> u8 {
        let v = self.palette[self.read_index as usize]
            .get(self.read_step)
            .copied()
            .unwrap_or(0);
        self.read_step += 1;
        if self.read_step >= 3 {
            self.read_index = self.read_index.wrapping_add(1);
            self.read_step = 0;
        }
        v
    }
    /// The component a 0x3C9 read would return, without advancing.
    pub fn peek_data(&self) -> u8 {
        self.palette[self.read_index as usize]
            .get(self.read_step)
            .copied()
            .unwrap_or(0)
    }
    /// The 0xAARRGGBB colour of DAC index `i` after the pel mask.
    pub fn argb(&self, i: u8) -> u32 {
        let [r, g, b] = self.palette[(i & self.pel_mask) as usize];
        let scale = |c: u8| -> u32 {
            if self.eight_bit {
                c as u32
            } else {
                let c = (c & 0x3F) as u32;
                (c << 2) | (c >> 4)
            }
        };
        0xFF00_0000 | (scale(r) << 16) | (scale(g) << 8) | scale(b)
    }
    /// Loads `entries` (6-bit RGB) starting at DAC index `first`.
    pub fn load(&mut self, first: u8, entries: &[[u8; 3]]) {
        for (i, e) in entries.iter().enumerate() {
            let idx = (first as usize + i) & 0xFF;
            self.palette[idx] = *e;
        }
    }
}

/// The EGA-compatible 64-entry palette: index bits are rgbRGB (lower case = 1/3 level,
/// upper case = 2/3 level), which the attribute palette of the 16-colour modes selects.
pub fn ega_palette() -> [[u8; 3]; 64] {
    let mut p = [[0u8; 3]; 64];
    for (i, e) in p.iter_mut().enumerate() {
        let lvl = |hi: usize, lo: usize| -> u8 {
            (((i >> hi) & 1) * 0x2A + ((i >> lo) & 1) * 0x15) as u8
        };
        *e = [lvl(2, 5), lvl(1, 4), lvl(0, 3)];
    }
    p
}

/// The 16 CGA colours (as 6-bit RGB), with brown for colour 6.
pub fn cga_colors() -> [[u8; 3]; 16] {
    let ega = ega_palette();
    let mut p = [[0u8; 3]; 16];
    for (i, e) in p.iter_mut().enumerate() {
        let ega_index = (i & 7) | if i & 8 != 0 { 0x38 } else { 0 };
        let ega_index = if i == 6 { 0x14 } else { ega_index };
        *e = ega[ega_index];
    }
    p
}

/// The CGA-compatible 64-entry palette of the 200-line modes: index bits 0-2 are blue,
/// green, red and bit 4 is intensity (the attribute palette uses 0x10-0x17 for bright).
pub fn cga_dac_palette() -> [[u8; 3]; 64] {
    let cga = cga_colors();
    let mut p = [[0u8; 3]; 64];
    for (i, e) in p.iter_mut().enumerate() {
        *e = cga[(i & 7) | if i & 0x10 != 0 { 8 } else { 0 }];
    }
    p
}

/// The monochrome palette for modes 7 and 0Fh: index bit 3 is video, bit 4 intensity.
pub fn mono_palette() -> [[u8; 3]; 64] {
    let mut p = [[0u8; 3]; 64];
    for (i, e) in p.iter_mut().enumerate() {
        let v = (((i >> 3) & 1) * 0x2A + ((i >> 4) & 1) * 0x15) as u8;
        *e = [v, v, v];
    }
    p
}

/// The standard VGA 256-colour default palette: 16 CGA colours, a 16-step grey ramp,
/// nine 24-hue wheels (3 intensities x 3 saturations) and 8 black entries.
pub fn default_256_palette() -> [[u8; 3]; 256] {
    const GREYS: [u8; 16] = [0, 5, 8, 11, 14, 17, 20, 24, 28, 32, 36, 40, 45, 50, 56, 63];
    // Component levels (low .. high) of each wheel.
    const WHEELS: [[u8; 5]; 9] = [
        [0x00, 0x10, 0x1F, 0x2F, 0x3F],
        [0x1F, 0x27, 0x2F, 0x37, 0x3F],
        [0x2D, 0x31, 0x36, 0x3A, 0x3F],
        [0x00, 0x07, 0x0E, 0x15, 0x1C],
        [0x0E, 0x11, 0x15, 0x18, 0x1C],
        [0x14, 0x16, 0x18, 0x1A, 0x1C],
        [0x00, 0x04, 0x08, 0x0C, 0x10],
        [0x08, 0x0A, 0x0C, 0x0E, 0x10],
        [0x0B, 0x0C, 0x0D, 0x0F, 0x10],
    ];
    let mut p = [[0u8; 3]; 256];
    p[..16].copy_from_slice(&cga_colors());
    for (i, g) in GREYS.iter().enumerate() {
        p[16 + i] = [*g, *g, *g];
    }
    let mut n = 32;
    for s in WHEELS.iter() {
        let (lo, hi) = (s[0], s[4]);
        let mut wheel: Vec<[u8; 3]> = Vec::with_capacity(24);
        wheel.extend(s.iter().map(|&v| [v, lo, hi])); // blue -> magenta
        wheel.extend([s[3], s[2], s[1]].iter().map(|&v| [hi, lo, v])); // -> red
        wheel.extend(s.iter().map(|&v| [hi, v, lo])); // -> yellow
        wheel.extend([s[3], s[2], s[1]].iter().map(|&v| [v, hi, lo])); // -> green
        wheel.extend(s.iter().map(|&v| [lo, hi, v])); // -> cyan
        wheel.extend([s[3], s[2], s[1]].iter().map(|&v| [lo, v, hi])); // -> blue
        for c in wheel {
            p[n] = c;
            n += 1;
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_auto_increment_after_three_components() {
        let mut d = Dac::default();
        d.set_write_index(0xFF);
        for v in [0x3F, 0x40 | 0x01, 0x02, 0x10, 0x11, 0x12] {
            d.write_data(v);
        }
        assert_eq!(d.palette[0xFF], [0x3F, 0x01, 0x02]); // 6-bit masking
        assert_eq!(d.palette[0x00], [0x10, 0x11, 0x12]); // wraps to 0
        assert_eq!(d.write_index, 1);
        d.set_read_index(0xFF);
        assert_eq!(d.state(), 3);
        let got: Vec<u8> = (0..6).map(|_| d.read_data()).collect();
        assert_eq!(got, vec![0x3F, 0x01, 0x02, 0x10, 0x11, 0x12]);
        assert_eq!(d.read_index, 1);
        d.set_write_index(3);
        assert_eq!(d.state(), 0);
    }

    #[test]
    fn partial_write_does_not_commit() {
        let mut d = Dac::default();
        d.set_write_index(5);
        d.write_data(0x3F);
        d.write_data(0x3F);
        assert_eq!(d.palette[5], [0, 0, 0]);
        d.write_data(0x3F);
        assert_eq!(d.palette[5], [0x3F; 3]);
    }

    #[test]
    fn default_palette_landmarks() {
        let p = default_256_palette();
        assert_eq!(p[1], [0, 0, 0x2A]);
        assert_eq!(p[6], [0x2A, 0x15, 0]);
        assert_eq!(p[15], [0x3F, 0x3F, 0x3F]);
        assert_eq!(p[31], [0x3F, 0x3F, 0x3F]);
        assert_eq!(p[32], [0, 0, 0x3F]);
        assert_eq!(p[40], [0x3F, 0, 0]);
        assert_eq!(p[48], [0, 0x3F, 0]);
        assert_eq!(p[55], [0, 0x10, 0x3F]);
        assert_eq!(p[247], [0x0B, 0x0C, 0x10]);
        assert_eq!(p[248], [0, 0, 0]);
    }

    #[test]
    fn pel_mask_and_scaling() {
        let mut d = Dac::default();
        d.palette[0x0F] = [0x3F, 0x20, 0];
        d.palette[0xFF] = [0, 0, 0x3F];
        assert_eq!(d.argb(0x0F), 0xFFFF_8200);
        d.pel_mask = 0x0F;
        assert_eq!(d.argb(0xFF), 0xFFFF_8200);
    }
}
