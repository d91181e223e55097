//! The VGA register files: sequencer, CRT controller, graphics controller and attribute
//! controller. Each holds its index register and data registers and knows which bits
//! exist; the named accessors decode the fields the rest of the VGA uses.

/// Sequencer (ports 0x3C4 index / 0x3C5 data), registers 0-4.
#[derive(Clone, Debug, Default)]
pub struct Sequencer {
    pub index: u8,
    pub regs: [u8; 5],
}

/// Bits that exist in each sequencer register.
const SEQ_MASK: [u8; 5] = [0x03, 0x3D, 0x0F, 0x3F, 0x0E];

impl Sequencer {
    pub fn read_data(&self) -> u8 {
        self.regs.get(self.index as usize).copied().unwrap_or(0xFF)
    }
    pub fn write_data(&mut self, v: u8) {
        let i = self.index as usize;
        if let (Some(r), Some(m)) = (self.regs.get_mut(i), SEQ_MASK.get(i)) {
            *r = v & m;
        }
    }
    /// Clocking mode bit 0: characters are 8 dots wide (else 9).
    pub fn eight_dot(&self) -> bool {
        self.regs[1] & 0x01 != 0
    }
    /// Clocking mode bit 3: dot clock divided by two (40-column / 320-pixel modes).
    pub fn dot_clock_half(&self) -> bool {
        self.regs[1] & 0x08 != 0
    }
    /// Clocking mode bit 5: screen off.
    pub fn screen_off(&self) -> bool {
        self.regs[1] & 0x20 != 0
    }
    pub fn map_mask(&self) -> u8 {
        self.regs[2] & 0x0F
    }
    /// Plane-2 byte offset of character map A (attribute bit 3 set) and B (clear).
    pub fn char_map_offsets(&self) -> (usize, usize) {
        let r = self.regs[3];
        let a = ((r >> 2) & 3) | (((r >> 5) & 1) << 2);
        let b = (r & 3) | (((r >> 4) & 1) << 2);
        (char_map_base(a), char_map_base(b))
    }
    /// Memory mode bit 3: chain four (mode 13h).
    pub fn chain4(&self) -> bool {
        self.regs[4] & 0x08 != 0
    }
    /// Memory mode bit 2 clear: odd/even host addressing (text and CGA modes).
    pub fn odd_even(&self) -> bool {
        self.regs[4] & 0x04 == 0
    }
}

/// Plane-2 offset of character map `sel` (the 3-bit value formed from the map select
/// register): maps 0-3 at 16 KB steps, maps 4-7 interleaved 8 KB above them.
fn char_map_base(sel: u8) -> usize {
    let sel = (sel & 7) as usize;
    ((sel & 3) << 14) | ((sel >> 2) << 13)
}

/// CRT controller (0x3D4/0x3D5 colour or 0x3B4/0x3B5 mono), registers 0-0x18.
#[derive(Clone, Debug, Default)]
pub struct Crtc {
    pub index: u8,
    pub regs: [u8; 0x19],
}

impl Crtc {
    pub fn read_data(&self) -> u8 {
        self.regs.get(self.index as usize).copied().unwrap_or(0xFF)
    }
    /// Writes the selected register, honouring the write protect of registers 0-7 by
    /// register 0x11 bit 7 (register 7 bit 4, line compare bit 8, stays writable).
    pub fn write_data(&mut self, v: u8) {
        let i = self.index as usize;
        if i >= self.regs.len() {
            return;
        }
        if self.regs[0x11] & 0x80 != 0 && i <= 7 {
            if i == 7 {
                self.regs[7] = (self.regs[7] & !0x10) | (v & 0x10);
            }
            return;
        }
        self.regs[i] = v;
    }
    fn ovf(&self, bit: u8) -> u32 {
        ((self.regs[7] >> bit) & 1) as u32
    }
    pub fn h_total_chars(&self) -> u32 {
        self.regs[0] as u32 + 5
    }
    pub fn h_display_chars(&self) -> u32 {
        self.regs[1] as u32 + 1
    }
    pub fn v_total_lines(&self) -> u32 {
        (self.regs[6] as u32 | (self.ovf(0) << 8) | (self.ovf(5) << 9)) + 2
    }
    pub fn v_display_lines(&self) -> u32 {
        (self.regs[0x12] as u32 | (self.ovf(1) << 8) | (self.ovf(6) << 9)) + 1
    }
    pub fn v_retrace_start(&self) -> u32 {
        self.regs[0x10] as u32 | (self.ovf(2) << 8) | (self.ovf(7) << 9)
    }
    /// Vertical retrace end: the low four bits of the line counter that end retrace.
    pub fn v_retrace_end_low(&self) -> u32 {
        (self.regs[0x11] & 0x0F) as u32
    }
    pub fn line_compare(&self) -> u32 {
        self.regs[0x18] as u32 | (self.ovf(4) << 8) | ((((self.regs[9] >> 6) & 1) as u32) << 9)
    }
    pub fn preset_row_scan(&self) -> u32 {
        (self.regs[8] & 0x1F) as u32
    }
    pub fn byte_panning(&self) -> u32 {
        ((self.regs[8] >> 5) & 3) as u32
    }
    pub fn max_scan_line(&self) -> u32 {
        (self.regs[9] & 0x1F) as u32
    }
    pub fn double_scan(&self) -> bool {
        self.regs[9] & 0x80 != 0
    }
    pub fn cursor_start(&self) -> u8 {
        self.regs[0x0A] & 0x1F
    }
    pub fn cursor_disabled(&self) -> bool {
        self.regs[0x0A] & 0x20 != 0
    }
    pub fn cursor_end(&self) -> u8 {
        self.regs[0x0B] & 0x1F
    }
    pub fn start_address(&self) -> u32 {
        ((self.regs[0x0C] as u32) << 8) | self.regs[0x0D] as u32
    }
    pub fn cursor_location(&self) -> u32 {
        ((self.regs[0x0E] as u32) << 8) | self.regs[0x0F] as u32
    }
    /// Offset register: distance between rows in address-counter units.
    pub fn row_pitch(&self) -> u32 {
        self.regs[0x13] as u32 * 2
    }
    pub fn underline_location(&self) -> u32 {
        (self.regs[0x14] & 0x1F) as u32
    }
    /// Underline register bit 6: doubleword addressing (mode 13h).
    pub fn dword_mode(&self) -> bool {
        self.regs[0x14] & 0x40 != 0
    }
    /// Mode control bit 6 clear: word addressing (text and CGA modes).
    pub fn word_mode(&self) -> bool {
        self.regs[0x17] & 0x40 == 0
    }
    /// Mode control bit 0 clear: row scan bit 0 replaces address bit 13 (CGA banks).
    pub fn cga_bank(&self) -> bool {
        self.regs[0x17] & 0x01 == 0
    }
    /// Mode control bit 1 clear: row scan bit 1 replaces address bit 14 (Hercules banks).
    pub fn herc_bank(&self) -> bool {
        self.regs[0x17] & 0x02 == 0
    }
    /// Maps an address-counter value to a plane address (byte / word / doubleword mode).
    pub fn counter_to_address(&self, counter: u32) -> u32 {
        if self.dword_mode() {
            counter << 2
        } else if self.word_mode() {
            counter << 1
        } else {
            counter
        }
    }
}

/// Graphics controller (0x3CE index / 0x3CF data), registers 0-8.
#[derive(Clone, Debug, Default)]
pub struct Graphics {
    pub index: u8,
    pub regs: [u8; 9],
}

const GC_MASK: [u8; 9] = [0x0F, 0x0F, 0x0F, 0x1F, 0x03, 0x7B, 0x0F, 0x0F, 0xFF];

impl Graphics {
    pub fn read_data(&self) -> u8 {
        self.regs.get(self.index as usize).copied().unwrap_or(0xFF)
    }
    pub fn write_data(&mut self, v: u8) {
        let i = self.index as usize;
        if let (Some(r), Some(m)) = (self.regs.get_mut(i), GC_MASK.get(i)) {
            *r = v & m;
        }
    }
    pub fn set_reset(&self) -> u8 {
        self.regs[0]
    }
    pub fn enable_set_reset(&self) -> u8 {
        self.regs[1]
    }
    pub fn color_compare(&self) -> u8 {
        self.regs[2]
    }
    pub fn rotate_count(&self) -> u32 {
        (self.regs[3] & 7) as u32
    }
    /// Data rotate bits 3-4: 0 replace, 1 AND, 2 OR, 3 XOR.
    pub fn function(&self) -> u8 {
        (self.regs[3] >> 3) & 3
    }
    pub fn read_map(&self) -> u8 {
        self.regs[4] & 3
    }
    pub fn write_mode(&self) -> u8 {
        self.regs[5] & 3
    }
    pub fn read_mode_1(&self) -> bool {
        self.regs[5] & 0x08 != 0
    }
    pub fn odd_even_read(&self) -> bool {
        self.regs[5] & 0x10 != 0
    }
    /// Mode bit 5: CGA 2-bit shift register interleave (modes 4/5).
    pub fn shift_interleave(&self) -> bool {
        self.regs[5] & 0x20 != 0
    }
    /// Mode bit 6: 256-colour shift mode.
    pub fn shift256(&self) -> bool {
        self.regs[5] & 0x40 != 0
    }
    /// Misc bits 2-3: the host window as (physical base, length).
    pub fn memory_window(&self) -> (u32, u32) {
        match (self.regs[6] >> 2) & 3 {
            0 => (0xA0000, 0x20000),
            1 => (0xA0000, 0x10000),
            2 => (0xB0000, 0x8000),
            _ => (0xB8000, 0x8000),
        }
    }
    pub fn color_dont_care(&self) -> u8 {
        self.regs[7]
    }
    pub fn bit_mask(&self) -> u8 {
        self.regs[8]
    }
}

/// Attribute controller (0x3C0 index/data flip-flop, 0x3C1 read), registers 0-0x14.
#[derive(Clone, Debug, Default)]
pub struct Attribute {
    /// Index register including bit 5 (palette address source: display enabled).
    pub index: u8,
    /// false: the next 0x3C0 write is an index; true: it is data.
    pub flip_flop: bool,
    pub regs: [u8; 0x15],
}

const ATTR_MASK_MODE: u8 = 0xEF;

impl Attribute {
    /// A write to 0x3C0: index or data depending on the flip-flop, which then toggles.
    pub fn write(&mut self, v: u8) {
        if !self.flip_flop {
            self.index = v & 0x3F;
        } else {
            let i = (self.index & 0x1F) as usize;
            let mask = match i {
                0..=0x0F => {
                    // Palette registers only accept writes while the display is off (PAS=0).
                    if self.palette_source() {
                        self.flip_flop = !self.flip_flop;
                        return;
                    }
                    0x3F
                }
                0x10 => ATTR_MASK_MODE,
                0x11 => 0xFF,
                0x12 => 0x3F,
                0x13 => 0x0F,
                0x14 => 0x0F,
                _ => 0,
            };
            if let Some(r) = self.regs.get_mut(i) {
                *r = v & mask;
            }
        }
        self.flip_flop = !self.flip_flop;
    }
    /// A read of 0x3C1: the data register selected by the index.
    pub fn read_data(&self) -> u8 {
        self.regs
            .get((self.index & 0x1F) as usize)
            .copied()
            .unwrap_or(0xFF)
    }
    /// Index bit 5: the palette is owned by the display (video enabled).
    pub fn palette_source(&self) -> bool {
        self.index & 0x20 != 0
    }
    pub fn mode(&self) -> u8 {
        self.regs[0x10]
    }
    pub fn graphics(&self) -> bool {
        self.mode() & 0x01 != 0
    }
    pub fn line_graphics(&self) -> bool {
        self.mode() & 0x04 != 0
    }
    pub fn blink_enabled(&self) -> bool {
        self.mode() & 0x08 != 0
    }
    /// Mode bit 5: pixel panning is reset to 0 below the line-compare split.
    pub fn pan_reset_on_split(&self) -> bool {
        self.mode() & 0x20 != 0
    }
    pub fn overscan(&self) -> u8 {
        self.regs[0x11]
    }
    pub fn plane_enable(&self) -> u8 {
        self.regs[0x12] & 0x0F
    }
    pub fn panning(&self) -> u8 {
        self.regs[0x13] & 0x0F
    }
    /// Maps a 4-bit pixel through the palette and colour select to an 8-bit DAC index.
    pub fn palette_lookup(&self, pixel: u8) -> u8 {
        let p = self.regs[(pixel & 0x0F & self.plane_enable()) as usize];
        let cs = self.regs[0x14];
        let low = if self.mode() & 0x80 != 0 {
            (p & 0x0F) | ((cs & 3) << 4)
        } else {
            p & 0x3F
        };
        low | ((cs & 0x0C) << 4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crtc_write_protect_keeps_line_compare_bit() {
        let mut c = Crtc {
            index: 0x11,
            ..Default::default()
        };
        c.write_data(0x80);
        c.index = 0;
        c.write_data(0x5F);
        assert_eq!(c.regs[0], 0);
        c.index = 7;
        c.write_data(0xFF);
        assert_eq!(c.regs[7], 0x10);
        c.index = 0x11;
        c.write_data(0x00);
        c.index = 0;
        c.write_data(0x5F);
        assert_eq!(c.regs[0], 0x5F);
    }

    #[test]
    fn char_map_select_decodes_both_maps() {
        let mut s = Sequencer::default();
        // Map A = 1 (bits 3-2 = 01), map B = 4 (bit 4 = 1).
        s.regs[3] = 0x04 | 0x10;
        assert_eq!(s.char_map_offsets(), (0x4000, 0x2000));
        s.regs[3] = 0x2F; // A = 7, B = 3
        assert_eq!(s.char_map_offsets(), (0xE000, 0xC000));
    }

    #[test]
    fn attribute_palette_lookup_with_colour_select() {
        let mut a = Attribute::default();
        a.regs[5] = 0x2A;
        a.regs[0x12] = 0x0F;
        a.regs[0x14] = 0x0D; // bits 3-2 = 11, bits 1-0 = 01
        assert_eq!(a.palette_lookup(5), 0xEA);
        a.regs[0x10] = 0x80; // P5,P4 from colour select
        assert_eq!(a.palette_lookup(5), 0xDA);
        a.regs[0x12] = 0x01; // plane enable masks the pixel to 1
        a.regs[1] = 0x07;
        assert_eq!(a.palette_lookup(5), 0xD7);
    }

    #[test]
    fn attribute_palette_ignores_writes_while_displaying() {
        let mut a = Attribute::default();
        a.write(0x23); // index 3, PAS set
        a.write(0x15);
        assert_eq!(a.regs[3], 0);
        a.write(0x03);
        a.write(0x15);
        assert_eq!(a.regs[3], 0x15);
    }
}
