//! Virtual-8086 mode extensions (CR4.VME, SDM 20.3): at IOPL < 3 PUSHF, POPF and IRET work on
//! the virtual interrupt flag instead of faulting, and INT n consults the interrupt
//! redirection bitmap in the TSS to run the v86 task's own IVT handler.

use crate::bus::{Bus, Width};
use crate::fault::{Fault, GResult};
use crate::flags::bits as fl;
use crate::state::{cr4, SegReg};
use crate::Cpu;

impl Cpu {
    /// v86 mode with CR4.VME and IOPL < 3: IF-sensitive instructions use VIF.
    pub(crate) fn vme_virtual_if(&self) -> bool {
        self.state.v86() && self.state.flags.iopl() < 3 && self.state.cr4 & cr4::VME != 0
    }

    /// The 16-bit FLAGS image as the v86 task sees it: IF from VIF, IOPL 3.
    pub(crate) fn vme_flags_image(&self) -> u32 {
        let vif = if self.state.flags.bits & fl::VIF != 0 {
            fl::IF
        } else {
            0
        };
        (self.flags_image() & 0xFFFF & !fl::IF) | vif | fl::IOPL
    }

    /// Loads a 16-bit FLAGS image popped by POPF or IRET: the popped IF goes to VIF; IF and
    /// IOPL keep their values. #GP(0) if it sets TF, or sets IF while VIP is pending.
    pub(crate) fn vme_load_flags(&mut self, v: u32) -> GResult<()> {
        if v & fl::TF != 0 || (v & fl::IF != 0 && self.state.flags.bits & fl::VIP != 0) {
            return Err(Fault::gp(0));
        }
        let keep = fl::IF | fl::IOPL;
        let cur = self.state.flags.value();
        let mut new = (cur & !0xFFFF) | (cur & keep) | (v & 0xFFFF & !keep);
        if v & fl::IF != 0 {
            new |= fl::VIF;
        } else {
            new &= !fl::VIF;
        }
        self.set_flags_raw(new);
        Ok(())
    }

    /// INT n in v86 mode with CR4.VME: when the vector's bit in the redirection bitmap (the
    /// 32 bytes below the I/O map base of a 32-bit TSS) is clear, delivers it through the v86
    /// task's IVT at linear 0 like real mode and returns true.
    pub(crate) fn vme_redirect_int(&mut self, bus: &mut dyn Bus, v: u8) -> GResult<bool> {
        if !self.state.v86() || self.state.cr4 & cr4::VME == 0 {
            return Ok(false);
        }
        let tr = self.state.tr;
        if tr.access & 0x8 == 0 || tr.limit < 0x67 {
            return Err(Fault::gp(0));
        }
        let map = self.read_sys(bus, tr.base.wrapping_add(0x66), Width::Word)?;
        let byte = map.wrapping_sub(32).wrapping_add(v as u32 / 8);
        if byte > tr.limit {
            return Err(Fault::gp(0));
        }
        let bits = self.read_sys(bus, tr.base.wrapping_add(byte), Width::Byte)?;
        if bits >> (v & 7) & 1 != 0 {
            return Ok(false);
        }
        let ip = self.read_lin(bus, v as u32 * 4, Width::Word, true)?;
        let cs = self.read_lin(bus, v as u32 * 4 + 2, Width::Word, true)?;
        let virtual_if = self.state.flags.iopl() < 3;
        let image = if virtual_if {
            self.vme_flags_image()
        } else {
            self.flags_image() & 0xFFFF
        };
        let sp0 = self.sp();
        let old_cs = self.state.segs[SegReg::Cs as usize].selector as u32;
        let pushed = self
            .push(bus, image, Width::Word)
            .and_then(|_| self.push(bus, old_cs, Width::Word))
            .and_then(|_| self.push(bus, self.state.eip & 0xFFFF, Width::Word));
        if let Err(e) = pushed {
            self.set_sp(sp0);
            return Err(e);
        }
        let clear = fl::TF | if virtual_if { fl::VIF } else { fl::IF };
        self.state.flags.bits &= !clear;
        self.load_seg_real(SegReg::Cs, cs as u16);
        self.state.eip = ip;
        self.end_block = true;
        Ok(true)
    }
}
