//! Text-mode output: character/attribute cells from planes 0/1, glyphs from plane 2 via
//! the character map select, 8/9-dot cells with line-graphics extension, blink,
//! underline and the hardware cursor; plus the cell snapshot for frontends.

use super::render::{Frame, TextScreen};
use super::Vga;

impl Vga {
    /// Text cell at address-counter value `counter`: (character, attribute).
    fn text_cell(&self, counter: u32) -> (u8, u8) {
        let a = self.crtc.counter_to_address(counter) & 0xFFFF;
        (self.plane_byte(0, a), self.plane_byte(1, a))
    }

    pub(crate) fn render_text(&self, out: &mut Frame, now_ns: u64) {
        let cw = self.char_width();
        let cols = self.crtc.h_display_chars();
        let width = out.width as usize;
        let pan = self.pixel_pan() as usize;
        let (map_a, map_b) = self.seq.char_map_offsets();
        let blink_on = self.char_blink_phase(now_ns);
        let cursor_on = self.cursor_phase(now_ns) && !self.crtc.cursor_disabled();
        let cursor_loc = self.crtc.cursor_location();
        let (cur_start, cur_end) = (
            self.crtc.cursor_start() as u32,
            self.crtc.cursor_end() as u32,
        );
        let ul = self.crtc.underline_location();
        // The 16 attribute colours as ARGB, resolved once per frame.
        let colors: [u32; 16] =
            std::array::from_fn(|i| self.dac.argb(self.attr.palette_lookup(i as u8)));
        let blink_enabled = self.attr.blink_enabled();
        let line_graphics = cw == 9 && self.attr.line_graphics();
        let mut line_buf: Vec<u32> = vec![0; ((cols + 1) * cw) as usize];
        let rows = self.scan_lines(out.height);
        for (y, line) in rows.iter().enumerate() {
            let scan = line.scan;
            for (c, cell) in line_buf.chunks_exact_mut(cw as usize).enumerate() {
                let counter = line.counter.wrapping_add(c as u32);
                let (ch, at) = self.text_cell(counter);
                let base = if at & 0x08 != 0 { map_a } else { map_b };
                let glyph_addr = (base + ch as usize * 32 + (scan as usize & 0x1F)) as u32;
                let mut bits = self.plane_byte(2, glyph_addr);
                let fg = at & 0x0F;
                let mut bg = at >> 4;
                if blink_enabled {
                    bg &= 7;
                    if at & 0x80 != 0 && !blink_on {
                        bits = 0;
                    }
                }
                if (at & 0x77) == 0x01 && scan == ul {
                    bits = 0xFF;
                }
                if cursor_on
                    && counter & 0xFFFF == cursor_loc
                    && scan >= cur_start
                    && scan <= cur_end
                {
                    bits = 0xFF;
                }
                let (fg, bg) = (colors[fg as usize], colors[bg as usize]);
                for (d, px) in cell.iter_mut().take(8).enumerate() {
                    *px = if bits & (0x80 >> d) != 0 { fg } else { bg };
                }
                if cw == 9 {
                    let ninth = line_graphics && (0xC0..=0xDF).contains(&ch) && bits & 1 != 0;
                    cell[8] = if ninth { fg } else { bg };
                }
            }
            let row = &mut out.pixels[y * width..(y + 1) * width];
            let avail = line_buf.len().saturating_sub(pan).min(width);
            row[..avail].copy_from_slice(&line_buf[pan..pan + avail]);
            row[avail..].fill(self.dac.argb(0));
        }
    }

    /// The text cells of the current screen, or None outside text modes.
    pub fn text_snapshot(&self) -> Option<TextScreen> {
        if !self.text_mode() {
            return None;
        }
        let cols = self.crtc.h_display_chars().min(256);
        let char_height = self.crtc.max_scan_line() + 1;
        let dbl = if self.crtc.double_scan() { 2 } else { 1 };
        let rows = (self.crtc.v_display_lines() / dbl / char_height).clamp(1, 256);
        // Row start counters from the CRTC walk, so line-compare splits are honoured.
        let scan = self.scan_lines(rows * char_height);
        let row_counters: Vec<u32> = (0..rows)
            .map(|r| {
                scan.get((r * char_height) as usize)
                    .map_or(0, |l| l.counter)
            })
            .collect();
        let mut cells = Vec::with_capacity((cols * rows) as usize);
        for &row_start in &row_counters {
            for c in 0..cols {
                cells.push(self.text_cell(row_start.wrapping_add(c)));
            }
        }
        let loc = self.crtc.cursor_location();
        let cursor =
            if self.crtc.cursor_disabled() || self.crtc.cursor_start() > self.crtc.cursor_end() {
                None
            } else {
                row_counters.iter().enumerate().find_map(|(r, &start)| {
                    let d = loc.wrapping_sub(start & 0xFFFF) & 0xFFFF;
                    (d < cols).then_some((r as u16, d as u16))
                })
            };
        Some(TextScreen {
            cols: cols as u16,
            rows: rows as u16,
            cells,
            cursor,
            cursor_shape: (self.crtc.cursor_start(), self.crtc.cursor_end()),
            char_height: char_height as u8,
            char_width: self.char_width() as u8,
            blink_enabled: self.attr.blink_enabled(),
            blink_visible: self.char_blink_phase(self.last_now_ns),
        })
    }
}
