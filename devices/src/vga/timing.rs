//! Display timing from virtual time: the dot clock (misc output bits 2-3, sequencer
//! dot-clock halving), the CRTC horizontal/vertical totals, display end and vertical
//! retrace, giving input status 1's display-enable and vertical-retrace bits and the
//! blink phases.

use super::Vga;

/// Dot clocks selectable by misc output bits 2-3 (values 2 and 3 use the 25 MHz clock).
const CLOCK_25_HZ: u64 = 25_175_000;
const CLOCK_28_HZ: u64 = 28_322_000;
/// Frame rate used for VBE modes.
const VBE_FRAME_HZ: u64 = 60;

/// One frame's geometry in dot-clock terms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct FrameTiming {
    /// Picoseconds per scan line.
    pub line_ps: u64,
    /// Dots per scan line and dots in the displayed part of it.
    pub dots_total: u64,
    pub dots_display: u64,
    pub lines_total: u64,
    pub lines_display: u64,
    pub retrace_start: u64,
    pub retrace_end: u64,
}

impl FrameTiming {
    pub fn frame_ps(&self) -> u64 {
        self.line_ps.saturating_mul(self.lines_total)
    }
    /// (line, dot within line) at virtual time `now_ns`.
    fn position(&self, now_ns: u64) -> (u64, u64) {
        let frame = self.frame_ps().max(1) as u128;
        let t = (now_ns as u128 * 1000) % frame;
        let line_ps = self.line_ps.max(1) as u128;
        let line = (t / line_ps) as u64;
        let dot = ((t % line_ps) * self.dots_total as u128 / line_ps) as u64;
        (line, dot)
    }
}

impl Vga {
    /// The timing of the current mode.
    pub(crate) fn frame_timing(&self) -> FrameTiming {
        if self.vbe.enabled() {
            let (w, h) = (self.vbe.xres().max(1) as u64, self.vbe.yres().max(1) as u64);
            let dots_total = w + w / 4 + 8;
            let lines_total = h + h / 20 + 10;
            let line_ps = 1_000_000_000_000 / (VBE_FRAME_HZ * lines_total);
            return FrameTiming {
                line_ps,
                dots_total,
                dots_display: w,
                lines_total,
                lines_display: h,
                retrace_start: h + 2,
                retrace_end: h + 4,
            };
        }
        let clock = if (self.misc >> 2) & 3 == 1 {
            CLOCK_28_HZ
        } else {
            CLOCK_25_HZ
        };
        let char_dots: u64 = if self.seq.eight_dot() { 8 } else { 9 };
        let dot_div: u64 = if self.seq.dot_clock_half() { 2 } else { 1 };
        let dots_total = self.crtc.h_total_chars() as u64 * char_dots * dot_div;
        let dots_display =
            (self.crtc.h_display_chars() as u64 * char_dots * dot_div).min(dots_total);
        let lines_total = self.crtc.v_total_lines() as u64;
        let retrace_start = self.crtc.v_retrace_start() as u64;
        // Retrace ends when the low four line-counter bits equal the end register.
        let end_low = self.crtc.v_retrace_end_low() as u64;
        let mut len = end_low.wrapping_sub(retrace_start) & 0x0F;
        if len == 0 {
            len = 16;
        }
        FrameTiming {
            line_ps: dots_total * 1_000_000_000_000 / clock,
            dots_total,
            dots_display,
            lines_total,
            lines_display: (self.crtc.v_display_lines() as u64).min(lines_total),
            retrace_start,
            retrace_end: retrace_start + len,
        }
    }

    /// Input status 1 (0x3DA/0x3BA): bit 0 set while the display is not showing pixels
    /// (horizontal or vertical blanking), bit 3 set during vertical retrace.
    pub(crate) fn input_status_1(&self, now_ns: u64) -> u8 {
        let t = self.frame_timing();
        let (line, dot) = t.position(now_ns);
        let mut v = 0u8;
        if line >= t.lines_display || dot >= t.dots_display {
            v |= 0x01;
        }
        if line >= t.retrace_start && line < t.retrace_end {
            v |= 0x08;
        }
        v
    }

    /// Virtual time of the next start of vertical retrace after `now_ns` (frontends can
    /// present a frame per retrace).
    pub fn next_vsync_ns(&self, now_ns: u64) -> u64 {
        let t = self.frame_timing();
        let frame = t.frame_ps().max(1) as u128;
        let now_ps = now_ns as u128 * 1000;
        let offset = t.retrace_start as u128 * t.line_ps as u128 % frame;
        let base = now_ps - now_ps % frame;
        let mut next = base + offset;
        if next <= now_ps {
            next += frame;
        }
        next.div_ceil(1000).min(u64::MAX as u128) as u64
    }

    /// Frame number at `now_ns` (for blink phases).
    pub(crate) fn frame_number(&self, now_ns: u64) -> u64 {
        let frame_ps = self.frame_timing().frame_ps().max(1) as u128;
        ((now_ns as u128 * 1000) / frame_ps) as u64
    }

    /// Cursor blink phase: on for 8 frames, off for 8.
    pub(crate) fn cursor_phase(&self, now_ns: u64) -> bool {
        self.frame_number(now_ns) & 0x08 == 0
    }

    /// Character blink phase: on for 16 frames, off for 16.
    pub(crate) fn char_blink_phase(&self, now_ns: u64) -> bool {
        self.frame_number(now_ns) & 0x10 == 0
    }

    /// Refresh rate of the current mode in millihertz (for frontends and tests).
    pub fn refresh_mhz(&self) -> u64 {
        let f = self.frame_timing().frame_ps().max(1);
        1_000_000_000_000_000 / f
    }
}
