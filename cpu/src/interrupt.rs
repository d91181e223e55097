//! Interrupt and exception delivery: the real-mode IVT, protected-mode IDT interrupt/trap/task
//! gates with privilege changes, virtual-8086 mode, and double/triple fault escalation.

use crate::bus::{Bus, Width};
use crate::descriptor::sel_err;
use crate::fault::{vector, Fault, GResult};
use crate::flags::bits as fl;
use crate::state::{access, reg, SegReg};
use crate::Cpu;

/// What caused an interrupt (affects the IDT gate DPL check and error-code EXT bit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntKind {
    /// Hardware interrupt or NMI.
    External,
    /// INT n, INT3, INTO: the gate's DPL is checked against CPL.
    Software,
    /// An exception raised by the CPU.
    Exception,
}

/// Contributory exceptions (for double-fault detection).
fn contributory(v: u8) -> bool {
    matches!(
        v,
        vector::DE | vector::TS | vector::NP | vector::SS | vector::GP
    )
}

impl Cpu {
    /// Delivers a fault to the guest, escalating to #DF and shutdown as the architecture says.
    pub(crate) fn raise(&mut self, bus: &mut dyn Bus, f: Fault) -> GResult<()> {
        let Fault::Exception { vector: v, error } = f else {
            return Err(Fault::Shutdown);
        };
        self.last_exception = Some((v, error));
        if log::log_enabled!(log::Level::Debug) {
            let cs = self.state.segs[SegReg::Cs as usize];
            let mut b = [0u8; 8];
            for (k, x) in b.iter_mut().enumerate() {
                *x = self
                    .fetch_lin(
                        bus,
                        cs.base.wrapping_add(self.state.eip).wrapping_add(k as u32),
                    )
                    .unwrap_or(0);
            }
            log::debug!(
                "exception {v} ({error:?}) at {:04x}:{:08x}, bytes {b:02x?}",
                cs.selector,
                self.state.eip
            );
        }
        if let Some(first) = self.delivering {
            if !self.model.is_286_plus() {
                // The 8086 has no double faults: just deliver.
            } else if first == vector::DF {
                log::warn!(
                    "triple fault at {:04x}:{:08x}",
                    self.state.segs[1].selector,
                    self.state.eip
                );
                return Err(Fault::Shutdown);
            } else if (contributory(first) && contributory(v))
                || (first == vector::PF && (contributory(v) || v == vector::PF))
            {
                return self.deliver(bus, vector::DF, Some(0));
            }
        }
        self.deliver(bus, v, error)
    }

    fn deliver(&mut self, bus: &mut dyn Bus, v: u8, error: Option<u32>) -> GResult<()> {
        let saved = self.delivering;
        self.delivering = Some(v);
        let r = self.interrupt(bus, v, IntKind::Exception, error);
        let r = match r {
            Ok(()) => Ok(()),
            Err(Fault::Shutdown) => Err(Fault::Shutdown),
            Err(f2) => self.raise(bus, f2),
        };
        self.delivering = saved;
        r
    }

    /// Delivers interrupt `v` (the EIP to return to must already be in `state.eip`).
    pub fn interrupt(
        &mut self,
        bus: &mut dyn Bus,
        v: u8,
        kind: IntKind,
        error: Option<u32>,
    ) -> GResult<()> {
        self.state.halted = false;
        self.end_block = true;
        if self.host_debug.is_some() {
            self.host_interrupt(v, kind);
        }
        if !self.state.pe() {
            return self.interrupt_real(bus, v);
        }
        self.interrupt_protected(bus, v, kind, error)
    }

    fn interrupt_real(&mut self, bus: &mut dyn Bus, v: u8) -> GResult<()> {
        let off = v as u32 * 4;
        if self.model.is_286_plus() && off + 3 > self.state.idtr.limit {
            return Err(Fault::gp(off * 2 + 2));
        }
        let base = self.state.idtr.base;
        let ip = self.read_sys(bus, base.wrapping_add(off), Width::Word)?;
        let cs = self.read_sys(bus, base.wrapping_add(off + 2), Width::Word)?;
        let flags = self.flags_image();
        self.push(bus, flags, Width::Word)?;
        self.push(
            bus,
            self.state.segs[SegReg::Cs as usize].selector as u32,
            Width::Word,
        )?;
        self.push(bus, self.state.eip & 0xFFFF, Width::Word)?;
        self.state.flags.bits &= !(fl::IF | fl::TF | fl::AC | fl::RF);
        self.load_seg_real(SegReg::Cs, cs as u16);
        self.state.eip = ip;
        Ok(())
    }

    fn interrupt_protected(
        &mut self,
        bus: &mut dyn Bus,
        v: u8,
        kind: IntKind,
        error: Option<u32>,
    ) -> GResult<()> {
        // EXT: the fault happened while delivering an event external to the program, i.e. a
        // hardware interrupt or an earlier exception (SDM 6.13); INT n/INT3/INTO leave it clear.
        let ext = (kind != IntKind::Software) as u32;
        let idt_err = v as u32 * 8 + 2 + ext;
        let off = v as u32 * 8;
        if off + 7 > self.state.idtr.limit {
            return Err(Fault::gp(idt_err));
        }
        let base = self.state.idtr.base.wrapping_add(off);
        let lo = self.read_sys(bus, base, Width::Dword)?;
        let hi = self.read_sys(bus, base.wrapping_add(4), Width::Dword)?;
        let gate = crate::descriptor::Descriptor { lo, hi };
        let typ = gate.typ();
        let valid_type = !gate.is_segment() && matches!(typ, 0x5 | 0x6 | 0x7 | 0xE | 0xF);
        if !valid_type {
            return Err(Fault::gp(idt_err));
        }
        if kind == IntKind::Software && gate.dpl() < self.state.cpl {
            return Err(Fault::gp(idt_err));
        }
        if !gate.present() {
            return Err(Fault::np(idt_err));
        }
        if typ == 0x5 {
            let sel = gate.gate_selector();
            self.task_switch(bus, sel, crate::task::SwitchReason::Interrupt)?;
            if let Some(code) = error {
                let w = if self.state.segs[SegReg::Cs as usize].big() {
                    Width::Dword
                } else {
                    Width::Word
                };
                self.push(bus, code, w)?;
            }
            return Ok(());
        }
        let gate32 = typ & 8 != 0;
        let trap = typ & 1 != 0;
        let sel = gate.gate_selector();
        let offset = gate.gate_offset(gate32);
        if sel & 0xFFFC == 0 {
            return Err(Fault::gp(ext));
        }
        let cd = self
            .read_descriptor(bus, sel)
            .map_err(|_| Fault::gp(sel_err(sel) + ext))?;
        if !cd.is_code() || cd.dpl() > self.state.cpl {
            return Err(Fault::gp(sel_err(sel) + ext));
        }
        if !cd.present() {
            return Err(Fault::np(sel_err(sel) + ext));
        }
        // Checked before anything is pushed or changed (SDM INT n: #GP(EXT)).
        if offset > cd.to_segment(sel).limit {
            return Err(Fault::gp(ext));
        }
        let conforming = cd.typ() & 4 != 0;
        let old_flags = self.flags_image();
        let old_cs = self.state.segs[SegReg::Cs as usize].selector;
        let old_eip = self.state.eip;
        let w = if gate32 { Width::Dword } else { Width::Word };
        let from_v86 = self.state.v86();
        if !conforming && cd.dpl() < self.state.cpl {
            // Inner privilege: switch to the stack of the new level from the TSS.
            let new_cpl = cd.dpl();
            if from_v86 && new_cpl != 0 {
                return Err(Fault::gp(sel_err(sel)));
            }
            let (ss_sel, esp) = self.tss_stack(bus, new_cpl)?;
            let ss = self.check_new_ss(bus, ss_sel, new_cpl, ext)?;
            let old_ss = self.state.segs[SegReg::Ss as usize].selector;
            let old_esp = self.state.regs[reg::ESP];
            let mut sp = esp;
            let big = ss.big();
            let mut frame: Vec<u32> = Vec::with_capacity(10);
            if from_v86 {
                for s in [SegReg::Gs, SegReg::Fs, SegReg::Ds, SegReg::Es] {
                    frame.push(self.state.segs[s as usize].selector as u32);
                }
            }
            frame.extend_from_slice(&[old_ss as u32, old_esp, old_flags, old_cs as u32, old_eip]);
            if let Some(c) = error {
                frame.push(c);
            }
            // Check the whole frame fits before writing anything.
            let total = frame.len() as u32 * w.bytes();
            let mask = if big { 0xFFFF_FFFF } else { 0xFFFF };
            sp &= mask;
            if !crate::exec::far::stack_room(&ss, sp, total, mask) {
                return Err(Fault::ss(sel_err(ss_sel) + ext));
            }
            for val in frame {
                sp = sp.wrapping_sub(w.bytes()) & mask;
                let lin = ss.base.wrapping_add(sp);
                self.write_sys(bus, lin, w, val)?;
            }
            if from_v86 {
                for s in [SegReg::Gs, SegReg::Fs, SegReg::Ds, SegReg::Es] {
                    self.state.segs[s as usize] = crate::state::Segment::default();
                }
            }
            self.state.segs[SegReg::Ss as usize] = ss;
            if big {
                self.state.regs[reg::ESP] = sp;
            } else {
                self.state.set_r16(reg::ESP, sp as u16);
            }
            self.state.cpl = new_cpl;
        } else {
            if from_v86 {
                return Err(Fault::gp(sel_err(sel)));
            }
            self.push(bus, old_flags, w)?;
            self.push(bus, old_cs as u32, w)?;
            self.push(bus, old_eip, w)?;
            if let Some(c) = error {
                self.push(bus, c, w)?;
            }
        }
        let cpl = self.state.cpl;
        let mut cs = cd.to_segment((sel & !3) | cpl as u16);
        cs.access |= access::ACCESSED;
        self.state.segs[SegReg::Cs as usize] = cs;
        self.state.eip = offset;
        let mut clear = fl::TF | fl::NT | fl::RF | fl::VM;
        if !trap {
            clear |= fl::IF;
        }
        self.state.flags.bits &= !clear;
        self.tlb_mode_changed();
        Ok(())
    }

    /// Reads SS:ESP for privilege level `pl` from the current TSS.
    pub(crate) fn tss_stack(&mut self, bus: &mut dyn Bus, pl: u8) -> GResult<(u16, u32)> {
        let tr = self.state.tr;
        let is32 = tr.access & 0x8 != 0;
        if is32 {
            let off = 4 + pl as u32 * 8;
            if off + 7 > tr.limit {
                return Err(Fault::ts(sel_err(tr.selector)));
            }
            let esp = self.read_sys(bus, tr.base.wrapping_add(off), Width::Dword)?;
            let ss = self.read_sys(bus, tr.base.wrapping_add(off + 4), Width::Word)?;
            Ok((ss as u16, esp))
        } else {
            let off = 2 + pl as u32 * 4;
            if off + 3 > tr.limit {
                return Err(Fault::ts(sel_err(tr.selector)));
            }
            let sp = self.read_sys(bus, tr.base.wrapping_add(off), Width::Word)?;
            let ss = self.read_sys(bus, tr.base.wrapping_add(off + 2), Width::Word)?;
            Ok((ss as u16, sp))
        }
    }

    /// Validates a stack segment taken from the TSS for a privilege change (#TS on failure).
    pub(crate) fn check_new_ss(
        &mut self,
        bus: &mut dyn Bus,
        ss_sel: u16,
        cpl: u8,
        ext: u32,
    ) -> GResult<crate::state::Segment> {
        if ss_sel & 0xFFFC == 0 {
            return Err(Fault::ts(ext));
        }
        let d = self
            .read_descriptor(bus, ss_sel)
            .map_err(|_| Fault::ts(sel_err(ss_sel) + ext))?;
        if (ss_sel & 3) as u8 != cpl || d.dpl() != cpl || !d.is_data() || d.typ() & 2 == 0 {
            return Err(Fault::ts(sel_err(ss_sel) + ext));
        }
        if !d.present() {
            return Err(Fault::ss(sel_err(ss_sel) + ext));
        }
        self.set_accessed(bus, ss_sel, &d)?;
        let mut s = d.to_segment(ss_sel);
        s.access |= access::ACCESSED;
        Ok(s)
    }

    /// Called when CPL or paging-relevant state changed.
    pub(crate) fn tlb_mode_changed(&mut self) {
        self.end_block = true;
    }

    /// #DB after an instruction executed with TF set.
    pub(crate) fn single_step_trap(&mut self, bus: &mut dyn Bus) -> GResult<()> {
        self.state.dr[6] |= 1 << 14;
        self.interrupt(bus, vector::DB, IntKind::Exception, None)
    }
}
