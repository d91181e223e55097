//! Rendering entry points for frontends: the [`Frame`] and [`TextScreen`] types, the
//! visible-size computation and the CRTC scan-line walk (start address, preset row scan,
//! byte panning, max scan line, double scan, line compare) shared by text and graphics.

use super::Vga;

/// A rendered screen: `width * height` pixels as 0xAARRGGBB (alpha always 0xFF), plus
/// the decoded text cells when the adapter is in a text mode.
///
/// The size is the mode's logical resolution (e.g. 720x400 for mode 3, 360x400 for the
/// 40-column text modes, 320x200 for mode 13h, 640x350 for mode 10h); double-scanned and
/// repeated lines appear once. Frontends scale it to a 4:3 window.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Frame {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u32>,
    pub text: Option<TextScreen>,
}

impl Frame {
    pub fn new() -> Frame {
        Frame::default()
    }
    /// The pixel at (x, y), if inside the frame.
    pub fn pixel(&self, x: u32, y: u32) -> Option<u32> {
        if x >= self.width || y >= self.height {
            return None;
        }
        self.pixels.get((y * self.width + x) as usize).copied()
    }
    fn resize(&mut self, width: u32, height: u32) {
        self.width = width;
        self.height = height;
        self.pixels.clear();
        self.pixels.resize((width * height) as usize, 0xFF00_0000);
    }
}

/// A text-mode screen as character/attribute cells.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TextScreen {
    pub cols: u16,
    pub rows: u16,
    /// Row-major (character, attribute) pairs, `cols * rows` of them.
    pub cells: Vec<(u8, u8)>,
    /// Cursor (row, col) when enabled and on screen.
    pub cursor: Option<(u16, u16)>,
    /// Cursor start and end scan lines (CRTC 0x0A/0x0B).
    pub cursor_shape: (u8, u8),
    /// Scan lines per character row (max scan line + 1) and dots per character.
    pub char_height: u8,
    pub char_width: u8,
    /// Attribute bit 7 means blink (else bright background).
    pub blink_enabled: bool,
    /// Whether blinking characters are currently shown.
    pub blink_visible: bool,
}

/// One displayed row of the output and where the CRTC fetches it from.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ScanLine {
    /// Address counter at the start of the row.
    pub counter: u32,
    /// Row scan counter (character row within a text cell, or CGA bank select).
    pub scan: u32,
    /// Below the line-compare split (fetches from address 0).
    pub below_split: bool,
}

/// Largest frame dimension the renderer produces (guest registers can ask for more).
const MAX_DIM: u32 = 4096;

impl Vga {
    /// Whether the text (alphanumeric) pipeline is active.
    pub(crate) fn text_mode(&self) -> bool {
        !self.vbe.enabled() && !self.attr.graphics()
    }

    /// Dots per character clock as displayed.
    pub(crate) fn char_width(&self) -> u32 {
        if self.attr.graphics() || self.seq.eight_dot() {
            8
        } else {
            9
        }
    }

    /// Physical scan lines per output row.
    fn line_divisor(&self) -> u32 {
        let dbl = if self.crtc.double_scan() { 2 } else { 1 };
        let repeat = if self.attr.graphics() && !self.crtc.cga_bank() && !self.crtc.herc_bank() {
            self.crtc.max_scan_line() + 1
        } else {
            1
        };
        dbl * repeat
    }

    /// The visible size of the current mode in pixels.
    pub fn display_size(&self) -> (u32, u32) {
        if self.vbe.enabled() {
            return (self.vbe.xres() as u32, self.vbe.yres() as u32);
        }
        let mut w = self.crtc.h_display_chars() * self.char_width();
        if self.attr.graphics() && self.gc.shift256() {
            w /= 2;
        }
        let h = self.crtc.v_display_lines() / self.line_divisor();
        (w.clamp(1, MAX_DIM), h.clamp(1, MAX_DIM))
    }

    /// The CRTC's row walk for the `rows` output rows of the current mode.
    pub(crate) fn scan_lines(&self, rows: u32) -> Vec<ScanLine> {
        let vdisp = self.crtc.v_display_lines();
        let divisor = self.line_divisor().max(1);
        let dbl = self.crtc.double_scan();
        let max_scan = self.crtc.max_scan_line();
        let pitch = self.crtc.row_pitch();
        let split = self.crtc.line_compare();
        let mut counter = self
            .crtc
            .start_address()
            .wrapping_add(self.crtc.byte_panning());
        let mut scan = self.crtc.preset_row_scan();
        let mut below_split = false;
        let mut out = Vec::with_capacity(rows as usize);
        for line in 0..vdisp {
            if line % divisor == 0 && (out.len() as u32) < rows {
                out.push(ScanLine {
                    counter,
                    scan,
                    below_split,
                });
            }
            if line == split {
                counter = 0;
                scan = 0;
                below_split = true;
                continue;
            }
            if !dbl || line % 2 == 1 {
                if scan >= max_scan {
                    scan = 0;
                    counter = counter.wrapping_add(pitch);
                } else {
                    scan += 1;
                }
            }
        }
        out
    }

    /// Renders the current screen into `out` (resized to the mode's visible size).
    /// `now_ns` sets the cursor and character blink phases.
    pub fn render(&mut self, out: &mut Frame, now_ns: u64) {
        self.last_now_ns = now_ns;
        let (w, h) = self.display_size();
        out.resize(w, h);
        out.text = None;
        if self.vbe.enabled() {
            self.render_vbe(out);
            return;
        }
        if self.seq.screen_off() || !self.attr.palette_source() {
            let border = self.dac.argb(self.attr.overscan());
            let border = if self.seq.screen_off() {
                0xFF00_0000
            } else {
                border
            };
            out.pixels.fill(border);
            return;
        }
        if self.attr.graphics() {
            self.render_graphics(out);
        } else {
            self.render_text(out, now_ns);
            out.text = self.text_snapshot();
        }
    }

    /// Pixel panning in dots for the current mode (attribute register 0x13).
    pub(crate) fn pixel_pan(&self) -> u32 {
        let p = self.attr.panning() as u32;
        if self.attr.graphics() {
            if self.gc.shift256() {
                (p & 7) >> 1
            } else {
                p & 7
            }
        } else if self.char_width() == 9 {
            if p >= 8 {
                0
            } else {
                p + 1
            }
        } else {
            p & 7
        }
    }

    /// Plane address for character clock `col` of a row, applying the CRTC addressing mode
    /// and the CGA/Hercules row-scan bank substitution.
    pub(crate) fn fetch_address(&self, line: &ScanLine, col: u32) -> u32 {
        let step = if self.crtc.regs[0x14] & 0x20 != 0 {
            col / 4
        } else if self.crtc.regs[0x17] & 0x08 != 0 {
            col / 2
        } else {
            col
        };
        let mut a = self
            .crtc
            .counter_to_address(line.counter.wrapping_add(step))
            & 0xFFFF;
        if self.attr.graphics() {
            if self.crtc.cga_bank() {
                a = (a & !0x2000) | ((line.scan & 1) << 13);
            }
            if self.crtc.herc_bank() {
                a = (a & !0x4000) | (((line.scan >> 1) & 1) << 14);
            }
        }
        a
    }
}
