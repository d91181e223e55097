//! Sized guest memory accessors: `seg:offset` (with segment checks), linear (with paging and
//! page-crossing splits), and system accesses that ignore CPL (descriptor tables, TSS).

use super::AccessKind;
use crate::bus::{Bus, Width};
use crate::fault::GResult;
use crate::flags::bits as fl;
use crate::state::{cr0, SegReg};
use crate::Cpu;

impl Cpu {
    #[inline]
    fn user_access(&self) -> bool {
        self.state.cpl == 3
    }

    #[inline]
    fn check_align(&self, lin: u32, len: u32) -> GResult<()> {
        if self.state.cpl == 3
            && lin & (len - 1) != 0
            && self.state.cr0 & cr0::AM != 0
            && self.state.flags.bits & fl::AC != 0
            && self.model.is_486_plus()
        {
            return Err(crate::Fault::ac());
        }
        Ok(())
    }

    /// Reads `width` bytes at a linear address.
    #[inline]
    pub fn read_lin(
        &mut self,
        bus: &mut dyn Bus,
        lin: u32,
        width: Width,
        user: bool,
    ) -> GResult<u32> {
        let n = width.bytes();
        if lin & 0xFFF <= 0x1000 - n || !self.state.paging() {
            let p = self.translate(bus, lin, AccessKind::Read, user)?;
            return Ok(self.mem.read(bus, p, width));
        }
        let mut v = 0;
        for i in 0..n {
            let p = self.translate(bus, lin.wrapping_add(i), AccessKind::Read, user)?;
            v |= (self.mem.read(bus, p, Width::Byte)) << (8 * i);
        }
        Ok(v)
    }

    /// Writes `width` bytes at a linear address; a page-crossing write checks both pages
    /// before writing either.
    #[inline]
    pub fn write_lin(
        &mut self,
        bus: &mut dyn Bus,
        lin: u32,
        width: Width,
        value: u32,
        user: bool,
    ) -> GResult<()> {
        let n = width.bytes();
        if lin & 0xFFF <= 0x1000 - n || !self.state.paging() {
            let p = self.translate(bus, lin, AccessKind::Write, user)?;
            self.mem.write(bus, p, width, value);
            return Ok(());
        }
        let last = lin.wrapping_add(n - 1);
        let p1 = self.translate(bus, lin, AccessKind::Write, user)?;
        let p2 = self.translate(bus, last, AccessKind::Write, user)?;
        for i in 0..n {
            let a = lin.wrapping_add(i);
            let p = if (a ^ lin) & !0xFFF == 0 {
                p1 + (a - lin)
            } else {
                (p2 & !0xFFF) | (a & 0xFFF)
            };
            self.mem.write(bus, p, Width::Byte, value >> (8 * i));
        }
        Ok(())
    }

    /// Reads at `seg:off`.
    #[inline]
    pub fn read_mem(
        &mut self,
        bus: &mut dyn Bus,
        seg: SegReg,
        off: u32,
        width: Width,
    ) -> GResult<u32> {
        let n = width.bytes();
        if self.segment_wraps(off, n) {
            let mut v = 0;
            for i in 0..n {
                let o = off.wrapping_add(i) & 0xFFFF;
                v |= self.read_mem(bus, seg, o, Width::Byte)? << (8 * i);
            }
            return Ok(v);
        }
        let lin = self.seg_check(seg, off, n, false)?;
        self.check_align(lin, n)?;
        if self.debug_active() {
            self.check_data_breakpoints(lin, n, false);
        }
        if self.host_debug.is_some() {
            self.host_watch(lin, n, false);
        }
        let user = self.user_access();
        self.read_lin(bus, lin, width, user)
    }

    /// Writes at `seg:off`.
    #[inline]
    pub fn write_mem(
        &mut self,
        bus: &mut dyn Bus,
        seg: SegReg,
        off: u32,
        width: Width,
        value: u32,
    ) -> GResult<()> {
        let n = width.bytes();
        if self.segment_wraps(off, n) {
            for i in 0..n {
                let o = off.wrapping_add(i) & 0xFFFF;
                self.write_mem(bus, seg, o, Width::Byte, value >> (8 * i))?;
            }
            return Ok(());
        }
        let lin = self.seg_check(seg, off, n, true)?;
        self.check_align(lin, n)?;
        if self.debug_active() {
            self.check_data_breakpoints(lin, n, true);
        }
        if self.host_debug.is_some() {
            self.host_watch(lin, n, true);
        }
        let user = self.user_access();
        self.write_lin(bus, lin, width, value, user)
    }

    /// On the 8086 a multi-byte access at offset 0xFFFF wraps to offset 0 of the same segment.
    #[inline]
    fn segment_wraps(&self, off: u32, n: u32) -> bool {
        n > 1 && !self.model.is_286_plus() && (off & 0xFFFF) + n > 0x10000
    }

    pub fn read8(&mut self, bus: &mut dyn Bus, seg: SegReg, off: u32) -> GResult<u8> {
        Ok(self.read_mem(bus, seg, off, Width::Byte)? as u8)
    }
    pub fn read16(&mut self, bus: &mut dyn Bus, seg: SegReg, off: u32) -> GResult<u16> {
        Ok(self.read_mem(bus, seg, off, Width::Word)? as u16)
    }
    pub fn read32(&mut self, bus: &mut dyn Bus, seg: SegReg, off: u32) -> GResult<u32> {
        self.read_mem(bus, seg, off, Width::Dword)
    }

    /// System read (GDT, LDT, IDT, TSS): supervisor access regardless of CPL.
    pub fn read_sys(&mut self, bus: &mut dyn Bus, lin: u32, width: Width) -> GResult<u32> {
        self.read_lin(bus, lin, width, false)
    }
    /// System write (descriptor accessed bits, TSS): supervisor access regardless of CPL.
    pub fn write_sys(&mut self, bus: &mut dyn Bus, lin: u32, width: Width, v: u32) -> GResult<()> {
        self.write_lin(bus, lin, width, v, false)
    }

    /// Reads bytes at a linear address for instruction fetch.
    pub fn fetch_lin(&mut self, bus: &mut dyn Bus, lin: u32) -> GResult<u8> {
        let user = self.user_access();
        let p = self.translate(bus, lin, AccessKind::Execute, user)?;
        Ok(self.mem.read_u8(bus, p))
    }

    /// Linear to physical for a code fetch.
    pub fn fetch_phys(&mut self, bus: &mut dyn Bus, lin: u32) -> GResult<u32> {
        let user = self.user_access();
        self.translate(bus, lin, AccessKind::Execute, user)
    }
}
