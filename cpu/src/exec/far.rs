//! Far control transfers: JMP/CALL far (code segments, call gates with stack switch and parameter
//! copy, task gates and TSS), RETF (to the same or an outer level) and protected-mode IRET
//! (nested task return, return to virtual-8086 mode).

use crate::bus::{Bus, Width};
use crate::descriptor::{sel_err, Descriptor};
use crate::fault::{Fault, GResult};
use crate::flags::bits as fl;
use crate::state::{access, reg, SegReg, Segment};
use crate::task::SwitchReason;
use crate::Cpu;

impl Cpu {
    fn set_cs(&mut self, d: &Descriptor, sel: u16, cpl: u8, off: u32) -> GResult<()> {
        let mut cs = d.to_segment((sel & !3) | cpl as u16);
        cs.access |= access::ACCESSED;
        if off > cs.limit {
            return Err(Fault::gp(0));
        }
        self.state.segs[SegReg::Cs as usize] = cs;
        self.state.cpl = cpl;
        self.state.eip = off;
        self.end_block = true;
        Ok(())
    }

    fn real_far(&mut self, sel: u16, off: u32, op32: bool) -> GResult<()> {
        let off = if op32 { off } else { off & 0xFFFF };
        if self.model.is_286_plus() && off > 0xFFFF && !self.state.v86() && !op32 {
            return Err(Fault::gp(0));
        }
        self.load_seg_real(SegReg::Cs, sel);
        if self.model.is_286_plus() && off > self.state.segs[SegReg::Cs as usize].limit {
            return Err(Fault::gp(0));
        }
        self.state.eip = off;
        self.end_block = true;
        Ok(())
    }

    /// Checks a code segment as the target of a direct far JMP/CALL.
    fn check_direct_code(&self, d: &Descriptor, sel: u16) -> GResult<()> {
        let cpl = self.state.cpl;
        let rpl = (sel & 3) as u8;
        let conforming = d.typ() & 4 != 0;
        if conforming {
            if d.dpl() > cpl {
                return Err(Fault::gp(sel_err(sel)));
            }
        } else if rpl > cpl || d.dpl() != cpl {
            return Err(Fault::gp(sel_err(sel)));
        }
        if !d.present() {
            return Err(Fault::np(sel_err(sel)));
        }
        Ok(())
    }

    /// JMP far.
    pub fn far_jump(&mut self, bus: &mut dyn Bus, sel: u16, off: u32, op32: bool) -> GResult<()> {
        if !self.state.protected() {
            return self.real_far(sel, off, op32);
        }
        if sel & 0xFFFC == 0 {
            return Err(Fault::gp(0));
        }
        let d = self.read_descriptor(bus, sel)?;
        if d.is_code() {
            self.check_direct_code(&d, sel)?;
            self.set_accessed(bus, sel, &d)?;
            let off = if op32 { off } else { off & 0xFFFF };
            return self.set_cs(&d, sel, self.state.cpl, off);
        }
        if d.is_segment() {
            return Err(Fault::gp(sel_err(sel)));
        }
        let cpl = self.state.cpl;
        let rpl = (sel & 3) as u8;
        match d.typ() {
            0x4 | 0xC => {
                if d.dpl() < cpl || d.dpl() < rpl {
                    return Err(Fault::gp(sel_err(sel)));
                }
                if !d.present() {
                    return Err(Fault::np(sel_err(sel)));
                }
                let tsel = d.gate_selector();
                let toff = d.gate_offset(d.typ() == 0xC);
                if tsel & 0xFFFC == 0 {
                    return Err(Fault::gp(0));
                }
                let cd = self.read_descriptor(bus, tsel)?;
                if !cd.is_code() {
                    return Err(Fault::gp(sel_err(tsel)));
                }
                let conforming = cd.typ() & 4 != 0;
                if (conforming && cd.dpl() > cpl) || (!conforming && cd.dpl() != cpl) {
                    return Err(Fault::gp(sel_err(tsel)));
                }
                if !cd.present() {
                    return Err(Fault::np(sel_err(tsel)));
                }
                self.set_cs(&cd, tsel, cpl, toff)
            }
            0x1 | 0x5 | 0x9 => self.far_to_task(bus, &d, sel, SwitchReason::Jmp),
            _ => Err(Fault::gp(sel_err(sel))),
        }
    }

    /// JMP/CALL to a TSS descriptor or through a task gate.
    fn far_to_task(
        &mut self,
        bus: &mut dyn Bus,
        d: &Descriptor,
        sel: u16,
        why: SwitchReason,
    ) -> GResult<()> {
        let rpl = (sel & 3) as u8;
        if d.dpl() < self.state.cpl || d.dpl() < rpl {
            return Err(Fault::gp(sel_err(sel)));
        }
        if d.typ() == 0x5 {
            if !d.present() {
                return Err(Fault::np(sel_err(sel)));
            }
            return self.task_switch(bus, d.gate_selector(), why);
        }
        self.task_switch(bus, sel, why)
    }

    /// CALL far.
    pub fn far_call(&mut self, bus: &mut dyn Bus, sel: u16, off: u32, op32: bool) -> GResult<()> {
        let w = if op32 { Width::Dword } else { Width::Word };
        let old_cs = self.state.segs[SegReg::Cs as usize].selector as u32;
        let old_eip = self.state.eip;
        if !self.state.protected() {
            // Check the stack before changing anything.
            let sp0 = self.sp();
            self.push(bus, old_cs, w)?;
            if let Err(e) = self.push(bus, old_eip, w) {
                self.set_sp(sp0);
                return Err(e);
            }
            if let Err(e) = self.real_far(sel, off, op32) {
                self.set_sp(sp0);
                return Err(e);
            }
            return Ok(());
        }
        if sel & 0xFFFC == 0 {
            return Err(Fault::gp(0));
        }
        let d = self.read_descriptor(bus, sel)?;
        let cpl = self.state.cpl;
        if d.is_code() {
            self.check_direct_code(&d, sel)?;
            let off = if op32 { off } else { off & 0xFFFF };
            if off > d.limit() {
                return Err(Fault::gp(0));
            }
            let sp0 = self.sp();
            self.push(bus, old_cs, w)?;
            if let Err(e) = self.push(bus, old_eip, w) {
                self.set_sp(sp0);
                return Err(e);
            }
            self.set_accessed(bus, sel, &d)?;
            return self.set_cs(&d, sel, cpl, off);
        }
        if d.is_segment() {
            return Err(Fault::gp(sel_err(sel)));
        }
        match d.typ() {
            0x4 | 0xC => self.call_gate(bus, &d, sel, old_cs, old_eip),
            0x1 | 0x5 | 0x9 => self.far_to_task(bus, &d, sel, SwitchReason::Call),
            _ => Err(Fault::gp(sel_err(sel))),
        }
    }

    fn call_gate(
        &mut self,
        bus: &mut dyn Bus,
        gate: &Descriptor,
        sel: u16,
        old_cs: u32,
        old_eip: u32,
    ) -> GResult<()> {
        let cpl = self.state.cpl;
        let rpl = (sel & 3) as u8;
        if gate.dpl() < cpl || gate.dpl() < rpl {
            return Err(Fault::gp(sel_err(sel)));
        }
        if !gate.present() {
            return Err(Fault::np(sel_err(sel)));
        }
        let gate32 = gate.typ() == 0xC;
        let w = if gate32 { Width::Dword } else { Width::Word };
        let tsel = gate.gate_selector();
        let toff = gate.gate_offset(gate32);
        if tsel & 0xFFFC == 0 {
            return Err(Fault::gp(0));
        }
        let cd = self.read_descriptor(bus, tsel)?;
        if !cd.is_code() || cd.dpl() > cpl {
            return Err(Fault::gp(sel_err(tsel)));
        }
        if !cd.present() {
            return Err(Fault::np(sel_err(tsel)));
        }
        // Before anything is pushed, so the fault leaves SS:ESP as they were.
        if toff > cd.to_segment(tsel).limit {
            return Err(Fault::gp(0));
        }
        let conforming = cd.typ() & 4 != 0;
        if !conforming && cd.dpl() < cpl {
            // More privileged: new stack from the TSS, copy parameters.
            let new_cpl = cd.dpl();
            let (ss_sel, esp) = self.tss_stack(bus, new_cpl)?;
            let ss = self.check_new_ss(bus, ss_sel, new_cpl, 0)?;
            let nparams = gate.gate_params();
            let old_ss = self.state.segs[SegReg::Ss as usize];
            let old_esp = self.state.regs[reg::ESP];
            let mut params = Vec::with_capacity(nparams as usize);
            for k in 0..nparams {
                params.push(self.peek_stack(bus, k * w.bytes(), w)?);
            }
            let mask = if ss.big() { 0xFFFF_FFFF } else { 0xFFFF };
            let mut sp = esp & mask;
            let mut frame = vec![old_ss.selector as u32, old_esp];
            frame.extend(params.iter().rev());
            frame.push(old_cs);
            frame.push(old_eip);
            let need = frame.len() as u32 * w.bytes();
            if !stack_room(&ss, sp, need, mask) {
                return Err(Fault::ss(sel_err(ss_sel)));
            }
            for v in frame {
                sp = sp.wrapping_sub(w.bytes()) & mask;
                self.write_sys(bus, ss.base.wrapping_add(sp), w, v)?;
            }
            self.state.segs[SegReg::Ss as usize] = ss;
            if ss.big() {
                self.state.regs[reg::ESP] = sp;
            } else {
                self.state.set_r16(reg::ESP, sp as u16);
            }
            return self.set_cs(&cd, tsel, new_cpl, toff);
        }
        let sp0 = self.sp();
        self.push(bus, old_cs, w)?;
        if let Err(e) = self.push(bus, old_eip, w) {
            self.set_sp(sp0);
            return Err(e);
        }
        self.set_cs(&cd, tsel, cpl, toff)
    }

    /// RETF [imm].
    pub fn far_return(&mut self, bus: &mut dyn Bus, op32: bool, imm: u32) -> GResult<()> {
        let w = if op32 { Width::Dword } else { Width::Word };
        let n = w.bytes();
        let off = self.peek_stack(bus, 0, w)?;
        let sel = self.peek_stack(bus, n, w)? as u16;
        if !self.state.protected() {
            self.real_far(sel, off, op32)?;
            self.set_sp(self.sp_plus(2 * n + imm));
            return Ok(());
        }
        let cpl = self.state.cpl;
        let rpl = (sel & 3) as u8;
        let d = self.return_code_segment(bus, sel)?;
        let off = if op32 { off } else { off & 0xFFFF };
        if rpl == cpl {
            self.set_cs(&d, sel, cpl, off)?;
            self.set_sp(self.sp_plus(2 * n + imm));
            return Ok(());
        }
        // Return to an outer level: SS:ESP come from the stack too.
        let new_esp = self.peek_stack(bus, 2 * n + imm, w)?;
        let new_ss = self.peek_stack(bus, 3 * n + imm, w)? as u16;
        let ss = self.outer_ss(bus, new_ss, rpl)?;
        self.set_cs(&d, sel, rpl, off)?;
        self.state.segs[SegReg::Ss as usize] = ss;
        let esp = new_esp.wrapping_add(imm);
        if ss.big() {
            self.state.regs[reg::ESP] = esp;
        } else {
            self.state.set_r16(reg::ESP, esp as u16);
        }
        self.invalidate_outer_segments();
        Ok(())
    }

    /// Checks the code segment RETF/IRET return to: RPL >= CPL, code, DPL rules for
    /// conforming and non-conforming segments, present.
    fn return_code_segment(&mut self, bus: &mut dyn Bus, sel: u16) -> GResult<Descriptor> {
        if sel & 0xFFFC == 0 {
            return Err(Fault::gp(0));
        }
        let d = self.read_descriptor(bus, sel)?;
        let rpl = (sel & 3) as u8;
        if !d.is_code() || rpl < self.state.cpl {
            return Err(Fault::gp(sel_err(sel)));
        }
        let conforming = d.typ() & 4 != 0;
        if (conforming && d.dpl() > rpl) || (!conforming && d.dpl() != rpl) {
            return Err(Fault::gp(sel_err(sel)));
        }
        if !d.present() {
            return Err(Fault::np(sel_err(sel)));
        }
        Ok(d)
    }

    /// Validates the SS loaded when returning to privilege level `rpl`.
    fn outer_ss(&mut self, bus: &mut dyn Bus, sel: u16, rpl: u8) -> GResult<Segment> {
        if sel & 0xFFFC == 0 {
            return Err(Fault::gp(0));
        }
        let d = self.read_descriptor(bus, sel)?;
        if (sel & 3) as u8 != rpl || !d.is_data() || d.typ() & 2 == 0 || d.dpl() != rpl {
            return Err(Fault::gp(sel_err(sel)));
        }
        if !d.present() {
            return Err(Fault::ss(sel_err(sel)));
        }
        self.set_accessed(bus, sel, &d)?;
        Ok(d.to_segment(sel))
    }

    /// IRET in protected and virtual-8086 mode.
    pub fn iret_protected(&mut self, bus: &mut dyn Bus, op32: bool) -> GResult<()> {
        let w = if op32 { Width::Dword } else { Width::Word };
        let n = w.bytes();
        if self.state.v86() {
            if self.state.flags.iopl() < 3 {
                if op32 || !self.vme_virtual_if() {
                    return Err(Fault::gp(0));
                }
                // CR4.VME: a 16-bit IRET with the popped IF going to VIF.
                let ip = self.peek_stack(bus, 0, w)?;
                let cs = self.peek_stack(bus, n, w)? as u16;
                let f = self.peek_stack(bus, 2 * n, w)?;
                self.vme_load_flags(f)?;
                self.set_sp(self.sp_plus(3 * n));
                self.load_seg_real(SegReg::Cs, cs);
                self.state.eip = ip;
                self.end_block = true;
                return Ok(());
            }
            let ip = self.peek_stack(bus, 0, w)?;
            let cs = self.peek_stack(bus, n, w)? as u16;
            let f = self.peek_stack(bus, 2 * n, w)?;
            if ip > 0xFFFF {
                return Err(Fault::gp(0));
            }
            self.set_sp(self.sp_plus(3 * n));
            self.load_seg_real(SegReg::Cs, cs);
            self.state.eip = ip;
            // IOPL and VM are not changed from v86 mode.
            let keep = fl::IOPL | fl::VM | fl::VIF | fl::VIP;
            let cur = self.state.flags.value();
            let m = if op32 { 0xFFFF_FFFF } else { 0xFFFF };
            self.set_flags_raw((cur & (keep | !m)) | (f & m & !keep));
            self.end_block = true;
            return Ok(());
        }
        if self.state.flags.bits & fl::NT != 0 {
            let back = self.read_sys(bus, self.state.tr.base, Width::Word)? as u16;
            return self.task_switch(bus, back, SwitchReason::Iret);
        }
        let off = self.peek_stack(bus, 0, w)?;
        let sel = self.peek_stack(bus, n, w)? as u16;
        let f = self.peek_stack(bus, 2 * n, w)?;
        let cpl = self.state.cpl;
        if op32 && f & fl::VM != 0 && cpl == 0 {
            return self.iret_to_v86(bus, off, sel, f);
        }
        let rpl = (sel & 3) as u8;
        let d = self.return_code_segment(bus, sel)?;
        let off = if op32 { off } else { off & 0xFFFF };
        let iopl = self.state.flags.iopl();
        let write_flags = |cpu: &mut Cpu| {
            let mut m =
                fl::CF | fl::PF | fl::AF | fl::ZF | fl::SF | fl::TF | fl::DF | fl::OF | fl::NT;
            if op32 {
                m |= fl::RF | fl::AC | fl::ID;
            }
            if cpl <= iopl {
                m |= fl::IF;
            }
            if cpl == 0 {
                m |= fl::IOPL;
                if op32 {
                    m |= fl::VIF | fl::VIP;
                }
            }
            let cur = cpu.state.flags.value();
            cpu.set_flags_raw((cur & !m) | (f & m));
        };
        if rpl == cpl {
            self.set_cs(&d, sel, cpl, off)?;
            self.set_sp(self.sp_plus(3 * n));
            write_flags(self);
            return Ok(());
        }
        let new_esp = self.peek_stack(bus, 3 * n, w)?;
        let new_ss = self.peek_stack(bus, 4 * n, w)? as u16;
        let ss = self.outer_ss(bus, new_ss, rpl)?;
        self.set_cs(&d, sel, rpl, off)?;
        write_flags(self);
        self.state.segs[SegReg::Ss as usize] = ss;
        if ss.big() {
            self.state.regs[reg::ESP] = new_esp;
        } else {
            self.state.set_r16(reg::ESP, new_esp as u16);
        }
        self.invalidate_outer_segments();
        Ok(())
    }

    fn iret_to_v86(&mut self, bus: &mut dyn Bus, off: u32, cs: u16, f: u32) -> GResult<()> {
        let mut v = [0u32; 6];
        for (k, slot) in v.iter_mut().enumerate() {
            *slot = self.peek_stack(bus, 12 + 4 * k as u32, Width::Dword)?;
        }
        let [esp, ss, es, ds, fs, gs] = v;
        self.set_flags_raw(f);
        self.state.cpl = 3;
        self.load_seg_real(SegReg::Cs, cs);
        for (s, sel) in [
            (SegReg::Ss, ss),
            (SegReg::Es, es),
            (SegReg::Ds, ds),
            (SegReg::Fs, fs),
            (SegReg::Gs, gs),
        ] {
            self.load_seg_real(s, sel as u16);
        }
        self.state.regs[reg::ESP] = esp;
        self.state.eip = off & 0xFFFF;
        self.end_block = true;
        Ok(())
    }
}

/// Whether `need` bytes below offset `sp` fit in stack segment `ss`.
pub(crate) fn stack_room(ss: &Segment, sp: u32, need: u32, mask: u32) -> bool {
    let low = sp.wrapping_sub(need) & mask;
    if ss.expand_down() {
        low > ss.limit
    } else {
        sp.wrapping_sub(1) & mask <= ss.limit && low <= sp.wrapping_sub(1) & mask
    }
}
