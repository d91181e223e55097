//! Host access to video memory: the 0xA0000-0xBFFFF window (memory map select, chain-4,
//! odd/even, unchained planes, the four latches, write modes 0-3 with rotate, set/reset,
//! logical function, bit mask and map mask, read modes 0-1), the VBE bank window and the
//! VBE linear framebuffer.

use super::Vga;

/// Plane addresses a standard VGA plane decodes (64 KB per plane).
const VGA_PLANE_MASK: u32 = 0xFFFF;

impl Vga {
    /// Byte of plane `plane` (0-3) at plane address `addr`, bypassing the graphics
    /// controller (for the BIOS and debuggers); out-of-range reads give 0.
    pub fn plane_byte(&self, plane: usize, addr: u32) -> u8 {
        self.vram
            .get((addr as usize).wrapping_mul(4).wrapping_add(plane & 3))
            .copied()
            .unwrap_or(0)
    }

    fn set_plane_byte(&mut self, plane: usize, addr: u32, v: u8) {
        let i = (addr as usize).wrapping_mul(4).wrapping_add(plane & 3);
        if let Some(b) = self.vram.get_mut(i) {
            *b = v;
        }
    }

    /// Window offset and the base plane address for a host address, or None when the
    /// address is outside the decoded window (or RAM access is disabled).
    fn decode_window(&self, addr: u32) -> Option<Window> {
        if self.vbe.enabled() {
            let off = addr.wrapping_sub(0xA0000);
            if off >= 0x10000 {
                return None;
            }
            let banked = self.vbe.bank_offset().wrapping_add(off);
            return Some(if self.vbe.bpp() == 4 {
                Window::Planar {
                    off: banked,
                    plane_mask: u32::MAX,
                }
            } else {
                Window::Linear(banked)
            });
        }
        if self.misc & 0x02 == 0 {
            return None;
        }
        let (base, len) = self.gc.memory_window();
        let off = addr.wrapping_sub(base);
        (off < len).then_some(Window::Planar {
            off,
            plane_mask: VGA_PLANE_MASK,
        })
    }

    /// Host read of video memory at physical address `addr` (0xA0000-0xBFFFF).
    pub fn mem_read(&mut self, addr: u32) -> u8 {
        match self.decode_window(addr) {
            None => 0xFF,
            Some(Window::Linear(off)) => self.vram.get(off as usize).copied().unwrap_or(0xFF),
            Some(Window::Planar { off, plane_mask }) => self.planar_read(off, plane_mask),
        }
    }

    /// Host write of video memory at physical address `addr` (0xA0000-0xBFFFF).
    pub fn mem_write(&mut self, addr: u32, v: u8) {
        match self.decode_window(addr) {
            None => {}
            Some(Window::Linear(off)) => {
                if let Some(b) = self.vram.get_mut(off as usize) {
                    *b = v;
                }
            }
            Some(Window::Planar { off, plane_mask }) => self.planar_write(off, v, plane_mask),
        }
    }

    /// Read through the VBE linear framebuffer at `offset` from its base.
    pub fn lfb_read(&mut self, offset: u32) -> u8 {
        self.vram.get(offset as usize).copied().unwrap_or(0xFF)
    }

    /// Write through the VBE linear framebuffer at `offset` from its base.
    pub fn lfb_write(&mut self, offset: u32, v: u8) {
        if let Some(b) = self.vram.get_mut(offset as usize) {
            *b = v;
        }
    }

    fn load_latches(&mut self, addr: u32) {
        for p in 0..4 {
            self.latch[p] = self.plane_byte(p, addr);
        }
    }

    fn planar_read(&mut self, off: u32, plane_mask: u32) -> u8 {
        let (addr, plane) = if self.seq.chain4() {
            (off & !3, (off & 3) as usize)
        } else if self.gc.odd_even_read() {
            (
                off & !1,
                ((self.gc.read_map() & 2) as u32 | (off & 1)) as usize,
            )
        } else {
            (off, self.gc.read_map() as usize)
        };
        let addr = addr & plane_mask;
        self.load_latches(addr);
        if self.gc.read_mode_1() {
            // Color compare: a bit is 1 where every cared-about plane matches.
            let care = self.gc.color_dont_care();
            let cc = self.gc.color_compare();
            let mut diff = 0u8;
            for p in 0..4 {
                if care & (1 << p) != 0 {
                    let want = if cc & (1 << p) != 0 { 0xFF } else { 0x00 };
                    diff |= self.latch[p] ^ want;
                }
            }
            !diff
        } else {
            self.latch[plane]
        }
    }

    fn planar_write(&mut self, off: u32, v: u8, plane_mask: u32) {
        let (addr, planes) = if self.seq.chain4() {
            (off & !3, 1u8 << (off & 3))
        } else if self.seq.odd_even() {
            (off & !1, if off & 1 != 0 { 0b1010 } else { 0b0101 })
        } else {
            (off, 0b1111)
        };
        let addr = addr & plane_mask;
        let enabled = planes & self.seq.map_mask();
        if enabled == 0 {
            return;
        }
        let data = self.write_pipeline(v);
        for (p, byte) in data.iter().enumerate() {
            if enabled & (1 << p) != 0 {
                self.set_plane_byte(p, addr, *byte);
            }
        }
    }

    /// The graphics controller's write data path: the four plane bytes to store.
    fn write_pipeline(&self, v: u8) -> [u8; 4] {
        let rotated = v.rotate_right(self.gc.rotate_count());
        let sr = self.gc.set_reset();
        let esr = self.gc.enable_set_reset();
        let expand = |bit: bool| if bit { 0xFFu8 } else { 0x00 };
        let mut mask = self.gc.bit_mask();
        let mut out = [0u8; 4];
        match self.gc.write_mode() {
            1 => return self.latch,
            3 => mask &= rotated,
            _ => {}
        }
        for (p, o) in out.iter_mut().enumerate() {
            let bit = 1u8 << p;
            let d = match self.gc.write_mode() {
                0 if esr & bit != 0 => expand(sr & bit != 0),
                0 => rotated,
                2 => expand(v & bit != 0),
                _ => expand(sr & bit != 0),
            };
            let l = self.latch[p];
            let alu = match self.gc.function() {
                0 => d,
                1 => d & l,
                2 => d | l,
                _ => d ^ l,
            };
            *o = (alu & mask) | (l & !mask);
        }
        out
    }
}

/// Where a host address lands.
enum Window {
    /// VBE direct-colour bank window: a VRAM byte offset.
    Linear(u32),
    /// Through the planar pipeline: window offset and the plane address mask.
    Planar { off: u32, plane_mask: u32 },
}
