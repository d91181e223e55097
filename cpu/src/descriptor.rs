//! Segment descriptors: reading them from the GDT/LDT, turning them into descriptor caches,
//! and loading segment registers with the protected-mode checks (#GP/#NP/#SS/#TS).

use crate::bus::{Bus, Width};
use crate::fault::{Fault, GResult};
use crate::state::{access, SegReg, Segment};
use crate::Cpu;

/// A raw 8-byte descriptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Descriptor {
    pub lo: u32,
    pub hi: u32,
}

impl Descriptor {
    /// Byte 5: P, DPL, S, type.
    #[inline]
    pub fn access_byte(&self) -> u8 {
        (self.hi >> 8) as u8
    }
    #[inline]
    pub fn present(&self) -> bool {
        self.hi & (1 << 15) != 0
    }
    #[inline]
    pub fn dpl(&self) -> u8 {
        ((self.hi >> 13) & 3) as u8
    }
    /// S bit: code or data segment.
    #[inline]
    pub fn is_segment(&self) -> bool {
        self.hi & (1 << 12) != 0
    }
    /// Type nibble (bits 8..11 of the high word).
    #[inline]
    pub fn typ(&self) -> u8 {
        ((self.hi >> 8) & 0xF) as u8
    }
    #[inline]
    pub fn is_code(&self) -> bool {
        self.is_segment() && self.typ() & 8 != 0
    }
    #[inline]
    pub fn is_data(&self) -> bool {
        self.is_segment() && self.typ() & 8 == 0
    }
    pub fn base(&self) -> u32 {
        (self.lo >> 16) | ((self.hi & 0xFF) << 16) | (self.hi & 0xFF00_0000)
    }
    pub fn limit(&self) -> u32 {
        let raw = (self.lo & 0xFFFF) | (self.hi & 0x000F_0000);
        if self.hi & (1 << 23) != 0 {
            (raw << 12) | 0xFFF
        } else {
            raw
        }
    }
    /// Gate fields: target selector and offset (32-bit gates use the high offset word).
    pub fn gate_selector(&self) -> u16 {
        (self.lo >> 16) as u16
    }
    pub fn gate_offset(&self, is32: bool) -> u32 {
        if is32 {
            (self.lo & 0xFFFF) | (self.hi & 0xFFFF_0000)
        } else {
            self.lo & 0xFFFF
        }
    }
    /// Call gate parameter count.
    pub fn gate_params(&self) -> u32 {
        self.hi & 0x1F
    }
    /// The descriptor cache for a selector.
    pub fn to_segment(&self, selector: u16) -> Segment {
        Segment {
            base: self.base(),
            limit: self.limit(),
            selector,
            access: ((self.hi >> 8) & 0xFF) as u16 | (((self.hi >> 20) & 0xF) as u16) << 12,
            valid: true,
        }
    }
}

/// The error code for a selector (`EXT` bit clear).
#[inline]
pub fn sel_err(sel: u16) -> u32 {
    (sel & 0xFFFC) as u32
}

impl Cpu {
    /// Linear address of a selector's descriptor, or None when outside the table.
    pub fn descriptor_addr(&self, sel: u16) -> Option<u32> {
        let index = (sel & !7) as u32;
        let (base, limit, valid) = if sel & 4 != 0 {
            let l = &self.state.ldtr;
            (l.base, l.limit, l.valid)
        } else {
            (self.state.gdtr.base, self.state.gdtr.limit, true)
        };
        if !valid || index + 7 > limit {
            None
        } else {
            Some(base.wrapping_add(index))
        }
    }

    /// Reads a descriptor; `Err(fault)` with #GP(sel) when it is outside its table.
    pub fn read_descriptor(&mut self, bus: &mut dyn Bus, sel: u16) -> GResult<Descriptor> {
        let addr = self.descriptor_addr(sel).ok_or(Fault::gp(sel_err(sel)))?;
        let lo = self.read_sys(bus, addr, Width::Dword)?;
        let hi = self.read_sys(bus, addr.wrapping_add(4), Width::Dword)?;
        Ok(Descriptor { lo, hi })
    }

    /// Sets the accessed bit of a code/data descriptor in memory.
    pub fn set_accessed(&mut self, bus: &mut dyn Bus, sel: u16, d: &Descriptor) -> GResult<()> {
        if d.hi & (1 << 8) == 0 {
            if let Some(addr) = self.descriptor_addr(sel) {
                self.write_sys(bus, addr.wrapping_add(5), Width::Byte, (d.hi >> 8) | 1)?;
            }
        }
        Ok(())
    }

    /// Loads a data segment register (DS/ES/FS/GS/SS) as MOV, POP, LDS... do.
    pub fn load_seg(&mut self, bus: &mut dyn Bus, seg: SegReg, sel: u16) -> GResult<()> {
        if !self.state.protected() {
            self.load_seg_real(seg, sel);
            return Ok(());
        }
        if seg == SegReg::Cs {
            return Err(Fault::UD);
        }
        if sel & 0xFFFC == 0 {
            if seg == SegReg::Ss {
                return Err(Fault::gp(0));
            }
            let s = &mut self.state.segs[seg as usize];
            *s = Segment {
                selector: sel,
                valid: false,
                ..Segment::default()
            };
            return Ok(());
        }
        let d = self.read_descriptor(bus, sel)?;
        let rpl = (sel & 3) as u8;
        let cpl = self.state.cpl;
        if seg == SegReg::Ss {
            if rpl != cpl || !d.is_data() || d.typ() & 2 == 0 || d.dpl() != cpl {
                return Err(Fault::gp(sel_err(sel)));
            }
            if !d.present() {
                return Err(Fault::ss(sel_err(sel)));
            }
        } else {
            if !d.is_segment() || (d.is_code() && d.typ() & 2 == 0) {
                return Err(Fault::gp(sel_err(sel)));
            }
            let conforming_code = d.is_code() && d.typ() & 4 != 0;
            if !conforming_code && (rpl > d.dpl() || cpl > d.dpl()) {
                return Err(Fault::gp(sel_err(sel)));
            }
            if !d.present() {
                return Err(Fault::np(sel_err(sel)));
            }
        }
        self.set_accessed(bus, sel, &d)?;
        let mut s = d.to_segment(sel);
        s.access |= access::ACCESSED;
        self.state.segs[seg as usize] = s;
        Ok(())
    }

    /// Real and v86 mode: base = selector * 16. In v86 mode the cache is fully reset; in real
    /// mode the limit and attributes stay (so "unreal mode" works as on real 386s).
    pub fn load_seg_real(&mut self, seg: SegReg, sel: u16) {
        let v86 = self.state.v86();
        let s = &mut self.state.segs[seg as usize];
        if v86 {
            *s = Segment::real(sel);
            s.access |= 3 << access::DPL_SHIFT;
            if seg == SegReg::Cs {
                s.access |= access::CODE;
            }
        } else {
            s.selector = sel;
            s.base = (sel as u32) << 4;
            s.valid = true;
            if seg == SegReg::Cs && !self.model.is_386_plus() {
                *s = Segment::real(sel);
                s.access |= access::CODE;
            }
        }
    }

    /// After a privilege change to an outer level: data segments the new CPL may not use
    /// become null (RET/IRET to outer level).
    pub fn invalidate_outer_segments(&mut self) {
        let cpl = self.state.cpl;
        for seg in [SegReg::Es, SegReg::Ds, SegReg::Fs, SegReg::Gs] {
            let s = &mut self.state.segs[seg as usize];
            let conforming_code = s.is_code() && s.access & access::DC != 0;
            if s.valid && !conforming_code && s.dpl() < cpl {
                s.valid = false;
                s.selector = 0;
            }
        }
    }
}
