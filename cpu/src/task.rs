//! Hardware task switches through 286 and 386 TSS descriptors (JMP, CALL, IRET with NT, and
//! task gates in the IDT), with busy bits, the back link and NT.

use crate::bus::{Bus, Width};
use crate::descriptor::{sel_err, Descriptor};
use crate::fault::{Fault, GResult};
use crate::flags::bits as fl;
use crate::state::{access, cr0, SegReg, Segment};
use crate::Cpu;

/// Why a task switch happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SwitchReason {
    Jmp,
    Call,
    Iret,
    Interrupt,
}

/// Segment selector slots in TSS order (ES CS SS DS FS GS).
const SEG_ORDER: [SegReg; 6] = [
    SegReg::Es,
    SegReg::Cs,
    SegReg::Ss,
    SegReg::Ds,
    SegReg::Fs,
    SegReg::Gs,
];

impl Cpu {
    /// Switches to the task whose TSS selector is `sel`.
    pub fn task_switch(&mut self, bus: &mut dyn Bus, sel: u16, why: SwitchReason) -> GResult<()> {
        if sel & 4 != 0 {
            return Err(Fault::gp(sel_err(sel)));
        }
        let nd = self.read_descriptor(bus, sel)?;
        let typ = nd.typ();
        let ok_type = !nd.is_segment()
            && if why == SwitchReason::Iret {
                typ == 0x3 || typ == 0xB
            } else {
                typ == 0x1 || typ == 0x9
            };
        if !ok_type {
            return Err(if why == SwitchReason::Iret {
                Fault::ts(sel_err(sel))
            } else {
                Fault::gp(sel_err(sel))
            });
        }
        if !nd.present() {
            return Err(Fault::np(sel_err(sel)));
        }
        let new32 = typ & 8 != 0;
        let min_limit = if new32 { 0x67 } else { 0x2B };
        if nd.limit() < min_limit {
            return Err(Fault::ts(sel_err(sel)));
        }
        let new_base = nd.base();

        // Save the outgoing task.
        let old = self.state.tr;
        let old32 = old.access & 0x8 != 0;
        let mut flags = self.flags_image();
        if why == SwitchReason::Iret {
            flags &= !fl::NT;
        }
        self.save_task(bus, old.base, old32, flags)?;
        if matches!(why, SwitchReason::Jmp | SwitchReason::Iret) {
            self.set_tss_busy(bus, old.selector, false)?;
        }
        if matches!(why, SwitchReason::Call | SwitchReason::Interrupt) {
            self.write_sys(bus, new_base, Width::Word, old.selector as u32)?;
        }
        if why != SwitchReason::Iret {
            self.set_tss_busy(bus, sel, true)?;
        }
        let mut nd = nd;
        if why != SwitchReason::Iret {
            nd.hi |= 0x200;
        }
        self.state.tr = nd.to_segment(sel);
        self.state.cr0 |= cr0::TS;
        self.end_block = true;
        // Past the commit point a fault belongs to the new task (SDM 7.3, step 14): deliver it
        // here, with the new task's CS:EIP as the return address, instead of letting the run
        // loop restore the old task's EIP.
        match self.load_task(bus, new_base, new32, why) {
            Ok(()) => Ok(()),
            Err(Fault::Shutdown) => Err(Fault::Shutdown),
            Err(f) => self.raise(bus, f),
        }
    }

    fn set_tss_busy(&mut self, bus: &mut dyn Bus, sel: u16, busy: bool) -> GResult<()> {
        let Some(addr) = self.descriptor_addr(sel) else {
            return Ok(());
        };
        let b = self.read_sys(bus, addr + 5, Width::Byte)?;
        let nb = if busy { b | 2 } else { b & !2 };
        self.write_sys(bus, addr + 5, Width::Byte, nb)
    }

    fn save_task(&mut self, bus: &mut dyn Bus, base: u32, is32: bool, flags: u32) -> GResult<()> {
        let st = self.state.clone();
        if is32 {
            self.write_sys(bus, base + 0x20, Width::Dword, st.eip)?;
            self.write_sys(bus, base + 0x24, Width::Dword, flags)?;
            for (i, r) in st.regs.iter().enumerate() {
                self.write_sys(bus, base + 0x28 + 4 * i as u32, Width::Dword, *r)?;
            }
            for (i, s) in SEG_ORDER.iter().enumerate() {
                let v = st.segs[*s as usize].selector as u32;
                self.write_sys(bus, base + 0x48 + 4 * i as u32, Width::Word, v)?;
            }
        } else {
            self.write_sys(bus, base + 0x0E, Width::Word, st.eip)?;
            self.write_sys(bus, base + 0x10, Width::Word, flags)?;
            for (i, r) in st.regs.iter().enumerate() {
                self.write_sys(bus, base + 0x12 + 2 * i as u32, Width::Word, *r)?;
            }
            for (i, s) in SEG_ORDER.iter().take(4).enumerate() {
                let v = st.segs[*s as usize].selector as u32;
                self.write_sys(bus, base + 0x22 + 2 * i as u32, Width::Word, v)?;
            }
        }
        Ok(())
    }

    fn load_task(
        &mut self,
        bus: &mut dyn Bus,
        base: u32,
        is32: bool,
        why: SwitchReason,
    ) -> GResult<()> {
        let mut sels = [0u16; 6];
        let (eip, mut flags, ldt);
        if is32 {
            let cr3 = self.read_sys(bus, base + 0x1C, Width::Dword)?;
            eip = self.read_sys(bus, base + 0x20, Width::Dword)?;
            flags = self.read_sys(bus, base + 0x24, Width::Dword)?;
            for i in 0..8 {
                self.state.regs[i] =
                    self.read_sys(bus, base + 0x28 + 4 * i as u32, Width::Dword)?;
            }
            for (i, s) in sels.iter_mut().enumerate() {
                *s = self.read_sys(bus, base + 0x48 + 4 * i as u32, Width::Word)? as u16;
            }
            ldt = self.read_sys(bus, base + 0x60, Width::Word)? as u16;
            if self.state.paging() && cr3 != self.state.cr3 {
                self.state.cr3 = cr3;
                self.tlb.flush(true);
            } else {
                self.state.cr3 = cr3;
            }
        } else {
            eip = self.read_sys(bus, base + 0x0E, Width::Word)?;
            flags = self.read_sys(bus, base + 0x10, Width::Word)?
                | (self.state.flags.bits & 0xFFFF_0000);
            for i in 0..8 {
                let v = self.read_sys(bus, base + 0x12 + 2 * i as u32, Width::Word)?;
                self.state.regs[i] = (self.state.regs[i] & 0xFFFF_0000) | v;
            }
            for (i, s) in sels.iter_mut().take(4).enumerate() {
                *s = self.read_sys(bus, base + 0x22 + 2 * i as u32, Width::Word)? as u16;
            }
            ldt = self.read_sys(bus, base + 0x2A, Width::Word)? as u16;
        }
        if matches!(why, SwitchReason::Call | SwitchReason::Interrupt) {
            flags |= fl::NT;
        }
        self.state.eip = eip;
        self.set_flags_raw(flags | fl::RESERVED1);
        // LDT first, then the segment registers; faults here belong to the new task.
        if ldt & 0xFFFC == 0 {
            self.state.ldtr = Segment {
                selector: ldt,
                ..Segment::default()
            };
        } else {
            if ldt & 4 != 0 {
                return Err(Fault::ts(sel_err(ldt)));
            }
            let d = self
                .read_descriptor(bus, ldt)
                .map_err(|_| Fault::ts(sel_err(ldt)))?;
            if d.is_segment() || d.typ() != 2 {
                return Err(Fault::ts(sel_err(ldt)));
            }
            if !d.present() {
                return Err(Fault::ts(sel_err(ldt)));
            }
            self.state.ldtr = d.to_segment(ldt);
        }
        if self.state.v86() {
            for (i, s) in SEG_ORDER.iter().enumerate() {
                self.load_seg_real(*s, sels[i]);
            }
            self.state.cpl = 3;
            return Ok(());
        }
        let cs_sel = sels[1];
        let cpl = (cs_sel & 3) as u8;
        self.state.cpl = cpl;
        // CS.
        if cs_sel & 0xFFFC == 0 {
            return Err(Fault::ts(0));
        }
        let cd: Descriptor = self
            .read_descriptor(bus, cs_sel)
            .map_err(|_| Fault::ts(sel_err(cs_sel)))?;
        if !cd.is_code() {
            return Err(Fault::ts(sel_err(cs_sel)));
        }
        let conforming = cd.typ() & 4 != 0;
        if (conforming && cd.dpl() > cpl) || (!conforming && cd.dpl() != cpl) {
            return Err(Fault::ts(sel_err(cs_sel)));
        }
        if !cd.present() {
            return Err(Fault::np(sel_err(cs_sel)));
        }
        let mut cs = cd.to_segment(cs_sel);
        cs.access |= access::ACCESSED;
        self.state.segs[SegReg::Cs as usize] = cs;
        // SS and the data segments with #TS instead of #GP.
        for (i, s) in SEG_ORDER.iter().enumerate() {
            if *s == SegReg::Cs || (!is32 && i >= 4) {
                continue;
            }
            let sel = sels[i];
            match self.load_seg(bus, *s, sel) {
                Ok(()) => {}
                Err(Fault::Exception { vector, error }) => {
                    let v = if vector == crate::fault::vector::GP {
                        crate::fault::vector::TS
                    } else {
                        vector
                    };
                    return Err(Fault::Exception { vector: v, error });
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}
