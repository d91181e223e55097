//! Flag instructions (CLC/STC/CMC/CLD/STD/CLI/STI, LAHF/SAHF) and the model- and mode-dependent
//! rules for reading and writing EFLAGS as a whole (PUSHF/POPF/IRET/task switches).

use crate::bus::Bus;
use crate::decode::DecodedInsn;
use crate::fault::{Fault, GResult};
use crate::flags::bits::*;
use crate::model::CpuModel;
use crate::state::{cr4, reg};
use crate::Cpu;

impl Cpu {
    /// EFLAGS as software sees it (PUSHF image before VM/RF clearing).
    pub fn flags_image(&self) -> u32 {
        let v = (self.state.flags.value() | RESERVED1) & !(1 << 3 | 1 << 5 | 1 << 15);
        match self.model {
            CpuModel::I8086 => (v & 0x0FFF) | 0xF000,
            CpuModel::I80286 => {
                if self.state.pe() {
                    v & 0x7FFF
                } else {
                    v & 0x0FFF
                }
            }
            CpuModel::I80386 => v & 0x3_7FFF,
            CpuModel::I80486 => v & 0x7_7FFF,
            _ => v & 0x3F_7FFF,
        }
    }

    /// Bits a model can hold at all.
    fn model_flag_mask(&self) -> u32 {
        let base = CF | PF | AF | ZF | SF | TF | IF | DF | OF;
        match self.model {
            CpuModel::I8086 => base,
            CpuModel::I80286 => {
                if self.state.pe() {
                    base | IOPL | NT
                } else {
                    base
                }
            }
            CpuModel::I80386 => base | IOPL | NT | RF | VM,
            CpuModel::I80486 => base | IOPL | NT | RF | VM | AC,
            _ => base | IOPL | NT | RF | VM | AC | VIF | VIP | ID,
        }
    }

    /// Sets EFLAGS wholesale (IRET at CPL 0, task switches), honouring what the model has.
    pub fn set_flags_raw(&mut self, v: u32) {
        let m = self.model_flag_mask();
        let old_vm = self.state.flags.vm();
        self.state.flags.set_bits(0xFFFF_FFFF, (v & m) | RESERVED1);
        if self.state.flags.vm() != old_vm {
            self.state.cpl = if self.state.flags.vm() {
                3
            } else {
                self.state.cpl
            };
            self.end_block = true;
        }
    }

    /// Writes flags as POPF does at the current privilege: `op32` for POPFD.
    pub fn set_flags_popf(&mut self, v: u32, op32: bool) {
        let mut m = CF | PF | AF | ZF | SF | TF | DF | OF;
        let pe = self.state.pe();
        let cpl = self.state.cpl;
        let iopl = self.state.flags.iopl();
        if !pe || cpl <= iopl {
            m |= IF;
        }
        if self.model.is_286_plus() && (pe || self.model.is_386_plus()) {
            m |= NT;
            if !pe || cpl == 0 {
                m |= IOPL;
            }
        }
        if op32 {
            m |= AC | ID;
        } else {
            m &= 0xFFFF;
        }
        m &= self.model_flag_mask();
        let cur = self.state.flags.value();
        self.state
            .flags
            .set_bits(0xFFFF_FFFF, ((cur & !m) | (v & m)) | RESERVED1);
    }
}

pub fn clc(cpu: &mut Cpu, _: &mut dyn Bus, _: &DecodedInsn) -> GResult<()> {
    cpu.state.flags.set_bits(CF, 0);
    Ok(())
}
pub fn stc(cpu: &mut Cpu, _: &mut dyn Bus, _: &DecodedInsn) -> GResult<()> {
    cpu.state.flags.set_bits(CF, CF);
    Ok(())
}
pub fn cmc(cpu: &mut Cpu, _: &mut dyn Bus, _: &DecodedInsn) -> GResult<()> {
    let cf = cpu.state.flags.cf();
    cpu.state.flags.set_bits(CF, if cf { 0 } else { CF });
    Ok(())
}
pub fn cld(cpu: &mut Cpu, _: &mut dyn Bus, _: &DecodedInsn) -> GResult<()> {
    cpu.state.flags.bits &= !DF;
    Ok(())
}
pub fn std(cpu: &mut Cpu, _: &mut dyn Bus, _: &DecodedInsn) -> GResult<()> {
    cpu.state.flags.bits |= DF;
    Ok(())
}

/// Whether IF-sensitive instructions may run, or must fault / use VIF.
fn if_check(cpu: &Cpu) -> Result<bool, Fault> {
    if !cpu.state.pe() {
        return Ok(true);
    }
    let iopl = cpu.state.flags.iopl();
    if cpu.state.v86() {
        if iopl == 3 {
            return Ok(true);
        }
        if cpu.state.cr4 & cr4::VME != 0 {
            return Ok(false);
        }
        return Err(Fault::gp(0));
    }
    if cpu.state.cpl <= iopl {
        Ok(true)
    } else if cpu.state.cpl == 3 && cpu.state.cr4 & cr4::PVI != 0 {
        Ok(false)
    } else {
        Err(Fault::gp(0))
    }
}

pub fn cli(cpu: &mut Cpu, _: &mut dyn Bus, _: &DecodedInsn) -> GResult<()> {
    if if_check(cpu)? {
        cpu.state.flags.bits &= !IF;
    } else {
        cpu.state.flags.bits &= !VIF;
    }
    Ok(())
}

pub fn sti(cpu: &mut Cpu, _: &mut dyn Bus, _: &DecodedInsn) -> GResult<()> {
    if if_check(cpu)? {
        if !cpu.state.flags.if_() {
            cpu.state.inhibit_irq = true;
        }
        cpu.state.flags.bits |= IF;
    } else {
        if cpu.state.flags.bits & VIP != 0 {
            return Err(Fault::gp(0));
        }
        cpu.state.flags.bits |= VIF;
    }
    cpu.end_block = true;
    Ok(())
}

pub fn lahf(cpu: &mut Cpu, _: &mut dyn Bus, _: &DecodedInsn) -> GResult<()> {
    let f = cpu.flags_image() as u8;
    cpu.state.set_r8(4, f);
    Ok(())
}

pub fn sahf(cpu: &mut Cpu, _: &mut dyn Bus, _: &DecodedInsn) -> GResult<()> {
    let ah = (cpu.state.regs[reg::EAX] >> 8) & 0xFF;
    let m = CF | PF | AF | ZF | SF;
    cpu.state.flags.set_bits(m, ah);
    Ok(())
}
