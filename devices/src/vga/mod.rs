//! The VGA adapter with a Bochs-style VBE extension: owns the register files, the video
//! memory (four interleaved planes at the start of an 8 MB VRAM), the port decode of
//! 0x3B0-0x3BB, 0x3C0-0x3DF and 0x1CE/0x1CF, and the public API the platform, BIOS and
//! frontends use.
//!
//! Video memory layout: plane `p` byte at plane address `a` is `vram[a * 4 + p]`, so the
//! VBE linear framebuffer and the planes share one buffer.

mod bios_modes;
mod dac;
pub mod font;
mod memory;
mod regs;
mod render;
mod render_graphics;
mod render_text;
mod timing;
mod vbe;

#[cfg(test)]
mod tests;

use rawbox_cpu::Width;

pub use dac::{cga_colors, cga_dac_palette, default_256_palette, ega_palette, mono_palette};
pub use font::{font_8x14, font_8x16, font_8x8, font_for_height};
pub use render::{Frame, TextScreen};

use dac::Dac;
use regs::{Attribute, Crtc, Graphics, Sequencer};
use vbe::Vbe;

/// Total video memory in bytes (VBE modes up to 1600x1200x32 fit).
pub const VRAM_SIZE: usize = 8 * 1024 * 1024;
/// Default physical address of the VBE linear framebuffer.
pub const DEFAULT_LFB_ADDR: u32 = 0xE000_0000;
/// Port ranges claimed by the VGA (0x3BC-0x3BF stay free for a parallel port there).
const PORTS: &[(u16, u16)] = &[(0x3B0, 0x3BB), (0x3C0, 0x3DF), (0x1CE, 0x1CF)];

/// The VGA adapter.
pub struct Vga {
    misc: u8,
    feature_control: u8,
    vga_enable: u8,
    seq: Sequencer,
    crtc: Crtc,
    gc: Graphics,
    attr: Attribute,
    dac: Dac,
    latch: [u8; 4],
    vram: Vec<u8>,
    vbe: Vbe,
    lfb_base: u32,
    /// Virtual time of the latest call that carried one (for blink phase in snapshots).
    last_now_ns: u64,
}

impl std::fmt::Debug for Vga {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vga")
            .field("misc", &self.misc)
            .field("vbe_enabled", &self.vbe.enabled())
            .finish_non_exhaustive()
    }
}

impl Vga {
    /// A powered-on VGA in 80x25 colour text mode (as the BIOS would leave it).
    pub fn new() -> Vga {
        let mut v = Vga {
            misc: 0,
            feature_control: 0,
            vga_enable: 1,
            seq: Sequencer::default(),
            crtc: Crtc::default(),
            gc: Graphics::default(),
            attr: Attribute::default(),
            dac: Dac::default(),
            latch: [0; 4],
            vram: vec![0; VRAM_SIZE],
            vbe: Vbe::default(),
            lfb_base: DEFAULT_LFB_ADDR,
            last_now_ns: 0,
        };
        v.set_bios_mode(3);
        v
    }

    /// Port ranges (inclusive) the VGA claims.
    pub fn ports(&self) -> &'static [(u16, u16)] {
        PORTS
    }

    /// Physical address of the VBE linear framebuffer.
    pub fn lfb_base(&self) -> u32 {
        self.lfb_base
    }
    /// Lets the platform place the linear framebuffer.
    pub fn set_lfb_base(&mut self, addr: u32) {
        self.lfb_base = addr;
    }
    /// Size of the linear framebuffer window (all of VRAM).
    pub fn lfb_size(&self) -> u32 {
        VRAM_SIZE as u32
    }

    fn color_ports(&self) -> bool {
        self.misc & 1 != 0
    }

    /// Port read; 16/32-bit accesses are split into byte accesses at consecutive ports,
    /// except the 16-bit VBE registers.
    pub fn port_read(&mut self, port: u16, width: Width, now_ns: u64) -> u32 {
        self.last_now_ns = now_ns;
        if port == 0x1CE || port == 0x1CF {
            let v = self.vbe_port_read(port) as u32;
            return match width {
                Width::Byte => v & 0xFF,
                _ => v,
            };
        }
        let mut out = 0u32;
        for i in 0..width.bytes() {
            let b = self.read_byte(port.wrapping_add(i as u16), now_ns);
            out |= (b as u32) << (8 * i);
        }
        out
    }

    /// Port write; see [`Vga::port_read`] for the width rules.
    pub fn port_write(&mut self, port: u16, width: Width, value: u32, now_ns: u64) {
        self.last_now_ns = now_ns;
        if port == 0x1CE || port == 0x1CF {
            let v = match width {
                Width::Byte => value & 0xFF,
                _ => value & 0xFFFF,
            };
            self.vbe_port_write(port, v as u16);
            return;
        }
        for i in 0..width.bytes() {
            let b = (value >> (8 * i)) as u8;
            self.write_byte(port.wrapping_add(i as u16), b);
        }
    }

    /// Reads a register without side effects (no flip-flop reset, no DAC increment).
    pub fn peek(&self, port: u16) -> u8 {
        match port {
            0x3C0 => self.attr.index,
            0x3C1 => self.attr.read_data(),
            0x3C2 => self.input_status_0(),
            0x3C3 => self.vga_enable,
            0x3C4 => self.seq.index,
            0x3C5 => self.seq.read_data(),
            0x3C6 => self.dac.pel_mask,
            0x3C7 => self.dac.state(),
            0x3C8 => self.dac.write_index,
            0x3C9 => self.dac.peek_data(),
            0x3CA => self.feature_control,
            0x3CC => self.misc,
            0x3CE => self.gc.index,
            0x3CF => self.gc.read_data(),
            0x3D4 if self.color_ports() => self.crtc.index,
            0x3D5 if self.color_ports() => self.crtc.read_data(),
            0x3B4 if !self.color_ports() => self.crtc.index,
            0x3B5 if !self.color_ports() => self.crtc.read_data(),
            0x3DA if self.color_ports() => self.input_status_1(self.last_now_ns),
            0x3BA if !self.color_ports() => self.input_status_1(self.last_now_ns),
            _ => 0xFF,
        }
    }

    fn read_byte(&mut self, port: u16, now_ns: u64) -> u8 {
        match port {
            0x3C9 => self.dac.read_data(),
            0x3DA if self.color_ports() => {
                self.attr.flip_flop = false;
                self.input_status_1(now_ns)
            }
            0x3BA if !self.color_ports() => {
                self.attr.flip_flop = false;
                self.input_status_1(now_ns)
            }
            _ => self.peek(port),
        }
    }

    fn write_byte(&mut self, port: u16, v: u8) {
        match port {
            0x3C0 => self.attr.write(v),
            0x3C2 => self.misc = v,
            0x3C3 => self.vga_enable = v & 1,
            0x3C4 => self.seq.index = v & 0x07,
            0x3C5 => self.seq.write_data(v),
            0x3C6 => self.dac.pel_mask = v,
            0x3C7 => self.dac.set_read_index(v),
            0x3C8 => self.dac.set_write_index(v),
            0x3C9 => self.dac.write_data(v),
            0x3CE => self.gc.index = v & 0x0F,
            0x3CF => self.gc.write_data(v),
            0x3D4 if self.color_ports() => self.crtc.index = v & 0x3F,
            0x3D5 if self.color_ports() => self.crtc.write_data(v),
            0x3B4 if !self.color_ports() => self.crtc.index = v & 0x3F,
            0x3B5 if !self.color_ports() => self.crtc.write_data(v),
            0x3DA if self.color_ports() => self.feature_control = v,
            0x3BA if !self.color_ports() => self.feature_control = v,
            _ => log::trace!("vga: write {v:#04x} to unhandled port {port:#06x}"),
        }
    }

    /// Input status 0 (0x3C2): bit 4 is the monitor sense comparator (a colour monitor is
    /// attached, so it reads 1); bit 7 (vertical interrupt) is never raised.
    fn input_status_0(&self) -> u8 {
        0x10
    }

    /// The DAC's current 0xAARRGGBB colour for index `i` (for frontends' borders etc.).
    pub fn dac_color(&self, i: u8) -> u32 {
        self.dac.argb(i)
    }

    /// The colour a 4-bit text/planar pixel value shows (attribute palette, colour
    /// select and DAC), e.g. for a frontend drawing [`TextScreen`] cells itself.
    pub fn attribute_color(&self, index: u8) -> u32 {
        self.dac.argb(self.attr.palette_lookup(index))
    }

    /// Whether the adapter currently shows a text mode.
    pub fn is_text_mode(&self) -> bool {
        self.text_mode()
    }

    /// Whether a VBE mode is enabled.
    pub fn vbe_enabled(&self) -> bool {
        self.vbe.enabled()
    }

    /// Loads DAC entries (6-bit RGB) starting at `first`, as INT 10h AX=1012h would.
    pub fn load_dac(&mut self, first: u8, entries: &[[u8; 3]]) {
        self.dac.load(first, entries);
    }
}
