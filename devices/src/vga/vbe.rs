//! The Bochs-compatible VBE display interface (index port 0x1CE, data port 0x1CF):
//! resolution, depth, enable (with LFB / no-clear-memory / 8-bit DAC / get-caps bits),
//! 64 KB bank, virtual width/height, display offsets and video memory size.

use super::{Vga, VRAM_SIZE};

pub const VBE_DISPI_INDEX_ID: u16 = 0;
pub const VBE_DISPI_INDEX_XRES: u16 = 1;
pub const VBE_DISPI_INDEX_YRES: u16 = 2;
pub const VBE_DISPI_INDEX_BPP: u16 = 3;
pub const VBE_DISPI_INDEX_ENABLE: u16 = 4;
pub const VBE_DISPI_INDEX_BANK: u16 = 5;
pub const VBE_DISPI_INDEX_VIRT_WIDTH: u16 = 6;
pub const VBE_DISPI_INDEX_VIRT_HEIGHT: u16 = 7;
pub const VBE_DISPI_INDEX_X_OFFSET: u16 = 8;
pub const VBE_DISPI_INDEX_Y_OFFSET: u16 = 9;
pub const VBE_DISPI_INDEX_VIDEO_MEMORY_64K: u16 = 0xA;

pub const VBE_DISPI_ENABLED: u16 = 0x01;
pub const VBE_DISPI_GETCAPS: u16 = 0x02;
pub const VBE_DISPI_8BIT_DAC: u16 = 0x20;
pub const VBE_DISPI_LFB_ENABLED: u16 = 0x40;
pub const VBE_DISPI_NOCLEARMEM: u16 = 0x80;

pub const VBE_DISPI_ID0: u16 = 0xB0C0;
pub const VBE_DISPI_ID5: u16 = 0xB0C5;
pub const VBE_MAX_XRES: u16 = 1600;
pub const VBE_MAX_YRES: u16 = 1200;
pub const VBE_MAX_BPP: u16 = 32;

/// VBE register state.
#[derive(Clone, Debug)]
pub struct Vbe {
    index: u16,
    id: u16,
    xres: u16,
    yres: u16,
    bpp: u16,
    enable: u16,
    bank: u16,
    virt_width: u16,
    virt_height: u16,
    x_offset: u16,
    y_offset: u16,
}

impl Default for Vbe {
    fn default() -> Self {
        Vbe {
            index: 0,
            id: VBE_DISPI_ID5,
            xres: 640,
            yres: 480,
            bpp: 8,
            enable: 0,
            bank: 0,
            virt_width: 640,
            virt_height: 480,
            x_offset: 0,
            y_offset: 0,
        }
    }
}

/// Bytes per pixel for a VBE depth (4 bpp is planar: one byte per 8 pixels per plane).
fn bytes_per_pixel(bpp: u16) -> u32 {
    match bpp {
        15 | 16 => 2,
        24 => 3,
        32 => 4,
        _ => 1,
    }
}

impl Vbe {
    /// Turns the VBE mode off (a legacy BIOS mode set does this).
    pub fn disable(&mut self) {
        self.enable = 0;
        self.bank = 0;
    }
    pub fn enabled(&self) -> bool {
        self.enable & VBE_DISPI_ENABLED != 0
    }
    pub fn bpp(&self) -> u16 {
        self.bpp
    }
    pub fn xres(&self) -> u16 {
        self.xres
    }
    pub fn yres(&self) -> u16 {
        self.yres
    }
    /// VRAM offset of the 64 KB bank window.
    pub fn bank_offset(&self) -> u32 {
        self.bank as u32 * 0x10000
    }
    /// Bytes per scan line of the virtual screen.
    pub fn pitch(&self) -> u32 {
        if self.bpp == 4 {
            self.virt_width as u32 / 8
        } else {
            self.virt_width as u32 * bytes_per_pixel(self.bpp)
        }
    }
    /// VRAM offset of the first displayed pixel (for 4 bpp: a plane address).
    pub fn start_offset(&self) -> u32 {
        let y = self.y_offset as u32 * self.pitch();
        if self.bpp == 4 {
            y + self.x_offset as u32 / 8
        } else {
            y + self.x_offset as u32 * bytes_per_pixel(self.bpp)
        }
    }
    fn recompute_virt_height(&mut self) {
        let pitch = self.pitch().max(1);
        let mem = if self.bpp == 4 {
            VRAM_SIZE as u32 / 4
        } else {
            VRAM_SIZE as u32
        };
        self.virt_height = (mem / pitch).min(u16::MAX as u32) as u16;
    }
}

impl Vga {
    pub(crate) fn vbe_port_read(&mut self, port: u16) -> u16 {
        if port == 0x1CE {
            return self.vbe.index;
        }
        let v = &self.vbe;
        let caps = v.enable & VBE_DISPI_GETCAPS != 0;
        match v.index {
            VBE_DISPI_INDEX_ID => v.id,
            VBE_DISPI_INDEX_XRES if caps => VBE_MAX_XRES,
            VBE_DISPI_INDEX_XRES => v.xres,
            VBE_DISPI_INDEX_YRES if caps => VBE_MAX_YRES,
            VBE_DISPI_INDEX_YRES => v.yres,
            VBE_DISPI_INDEX_BPP if caps => VBE_MAX_BPP,
            VBE_DISPI_INDEX_BPP => v.bpp,
            VBE_DISPI_INDEX_ENABLE => v.enable,
            VBE_DISPI_INDEX_BANK => v.bank,
            VBE_DISPI_INDEX_VIRT_WIDTH => v.virt_width,
            VBE_DISPI_INDEX_VIRT_HEIGHT => v.virt_height,
            VBE_DISPI_INDEX_X_OFFSET => v.x_offset,
            VBE_DISPI_INDEX_Y_OFFSET => v.y_offset,
            VBE_DISPI_INDEX_VIDEO_MEMORY_64K => (VRAM_SIZE / 0x10000) as u16,
            _ => 0xFFFF,
        }
    }

    pub(crate) fn vbe_port_write(&mut self, port: u16, value: u16) {
        if port == 0x1CE {
            self.vbe.index = value;
            return;
        }
        let enabled = self.vbe.enabled();
        let v = &mut self.vbe;
        match v.index {
            VBE_DISPI_INDEX_ID => {
                if (VBE_DISPI_ID0..=VBE_DISPI_ID5).contains(&value) {
                    v.id = value;
                }
            }
            VBE_DISPI_INDEX_XRES if !enabled => {
                if value > 0 && value <= VBE_MAX_XRES {
                    v.xres = value;
                }
            }
            VBE_DISPI_INDEX_YRES if !enabled => {
                if value > 0 && value <= VBE_MAX_YRES {
                    v.yres = value;
                }
            }
            VBE_DISPI_INDEX_BPP if !enabled => {
                let bpp = if value == 0 { 8 } else { value };
                if matches!(bpp, 4 | 8 | 15 | 16 | 24 | 32) {
                    v.bpp = bpp;
                }
            }
            VBE_DISPI_INDEX_ENABLE => self.vbe_set_enable(value),
            VBE_DISPI_INDEX_BANK => {
                let banks = if v.bpp == 4 { VRAM_SIZE / 4 } else { VRAM_SIZE } / 0x10000;
                if (value as usize) < banks {
                    v.bank = value;
                }
            }
            VBE_DISPI_INDEX_VIRT_WIDTH => {
                if value >= v.xres && value as u32 * bytes_per_pixel(v.bpp) <= VRAM_SIZE as u32 {
                    v.virt_width = value;
                    v.recompute_virt_height();
                }
            }
            VBE_DISPI_INDEX_VIRT_HEIGHT => {
                if value >= v.yres {
                    v.virt_height = value;
                }
            }
            VBE_DISPI_INDEX_X_OFFSET => v.x_offset = value,
            VBE_DISPI_INDEX_Y_OFFSET => v.y_offset = value,
            _ => log::trace!("vbe: ignored write {value:#06x} to index {:#x}", v.index),
        }
    }

    fn vbe_set_enable(&mut self, value: u16) {
        let was = self.vbe.enabled();
        self.vbe.enable = value
            & (VBE_DISPI_ENABLED
                | VBE_DISPI_GETCAPS
                | VBE_DISPI_8BIT_DAC
                | VBE_DISPI_LFB_ENABLED
                | VBE_DISPI_NOCLEARMEM);
        self.dac.eight_bit = value & VBE_DISPI_8BIT_DAC != 0;
        if value & VBE_DISPI_ENABLED != 0 && !was {
            let v = &mut self.vbe;
            v.virt_width = v.xres;
            v.x_offset = 0;
            v.y_offset = 0;
            v.bank = 0;
            v.recompute_virt_height();
            if value & VBE_DISPI_NOCLEARMEM == 0 {
                self.vram.fill(0);
            }
            // Put the legacy side into a planar graphics state with the A0000 64 KB window
            // (used as is by 4 bpp modes).
            self.gc.regs[5] = 0x00;
            self.gc.regs[6] = 0x05;
            self.seq.regs[2] = 0x0F;
            self.seq.regs[4] = 0x06;
            self.attr.regs[0x10] = (self.attr.regs[0x10] & !0x0E) | 0x01;
            self.attr.regs[0x12] = 0x0F;
            self.misc |= 0x02;
        }
    }
}
