//! System instructions: descriptor-table registers (LGDT/SGDT/LIDT/SIDT/LLDT/SLDT/LTR/STR),
//! MSW and control/debug registers, LAR/LSL/VERR/VERW/ARPL, CLTS, INVD/WBINVD/INVLPG, CPUID,
//! RDTSC, RDMSR/WRMSR, RDPMC and SYSENTER/SYSEXIT.

use crate::bus::{Bus, Width};
use crate::decode::regs::{reg_loc, RegLoc};
use crate::decode::DecodedInsn;
use crate::descriptor::sel_err;
use crate::fault::{Fault, GResult};
use crate::flags::bits::ZF;
use crate::model::CpuModel;
use crate::state::{access, cr0, cr4, reg, SegReg, Segment};
use crate::Cpu;
use iced_x86::{Mnemonic, OpKind};

/// Privileged instructions need CPL 0 (and are #GP(0) in v86 mode).
fn require_cpl0(cpu: &Cpu) -> GResult<()> {
    if cpu.state.pe() && (cpu.state.cpl != 0 || cpu.state.v86()) {
        Err(Fault::gp(0))
    } else {
        Ok(())
    }
}

/// Instructions that exist only in protected mode (#UD in real and v86 mode).
fn require_protected(cpu: &Cpu) -> GResult<()> {
    if !cpu.state.protected() {
        Err(Fault::UD)
    } else {
        Ok(())
    }
}

pub fn lgdt_lidt(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    if i.op0_kind() != OpKind::Memory {
        return Err(Fault::UD);
    }
    require_cpl0(cpu)?;
    let (s, o) = cpu.mem_addr(d);
    let limit = cpu.read_mem(bus, s, o, Width::Word)?;
    let mut base = cpu.read_mem(bus, s, o.wrapping_add(2), Width::Dword)?;
    let op32 = matches!(
        i.code(),
        iced_x86::Code::Lgdt_m1632 | iced_x86::Code::Lidt_m1632
    );
    if !op32 {
        base &= 0x00FF_FFFF;
    }
    let t = if i.mnemonic() == Mnemonic::Lgdt {
        &mut cpu.state.gdtr
    } else {
        &mut cpu.state.idtr
    };
    t.base = base;
    t.limit = limit;
    Ok(())
}

pub fn sgdt_sidt(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    if i.op0_kind() != OpKind::Memory {
        return Err(Fault::UD);
    }
    let t = if i.mnemonic() == Mnemonic::Sgdt {
        cpu.state.gdtr
    } else {
        cpu.state.idtr
    };
    let (s, o) = cpu.mem_addr(d);
    let op32 = matches!(
        i.code(),
        iced_x86::Code::Sgdt_m1632 | iced_x86::Code::Sidt_m1632
    );
    let base = if op32 {
        t.base
    } else if cpu.model == CpuModel::I80286 {
        (t.base & 0x00FF_FFFF) | 0xFF00_0000
    } else {
        t.base & 0x00FF_FFFF
    };
    cpu.write_mem(bus, s, o, Width::Word, t.limit)?;
    cpu.write_mem(bus, s, o.wrapping_add(2), Width::Dword, base)
}

pub fn lldt(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    require_protected(cpu)?;
    require_cpl0(cpu)?;
    let sel = cpu.read_op(bus, d, 0)? as u16;
    if sel & 0xFFFC == 0 {
        cpu.state.ldtr = Segment {
            selector: sel,
            ..Segment::default()
        };
        return Ok(());
    }
    if sel & 4 != 0 {
        return Err(Fault::gp(sel_err(sel)));
    }
    let desc = cpu.read_descriptor(bus, sel)?;
    if desc.is_segment() || desc.typ() != 2 {
        return Err(Fault::gp(sel_err(sel)));
    }
    if !desc.present() {
        return Err(Fault::np(sel_err(sel)));
    }
    cpu.state.ldtr = desc.to_segment(sel);
    Ok(())
}

pub fn ltr(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    require_protected(cpu)?;
    require_cpl0(cpu)?;
    let sel = cpu.read_op(bus, d, 0)? as u16;
    if sel & 0xFFFC == 0 {
        return Err(Fault::gp(0));
    }
    if sel & 4 != 0 {
        return Err(Fault::gp(sel_err(sel)));
    }
    let desc = cpu.read_descriptor(bus, sel)?;
    if desc.is_segment() || !matches!(desc.typ(), 1 | 9) {
        return Err(Fault::gp(sel_err(sel)));
    }
    if !desc.present() {
        return Err(Fault::np(sel_err(sel)));
    }
    let addr = cpu.descriptor_addr(sel).unwrap_or(0);
    cpu.write_sys(bus, addr + 5, Width::Byte, (desc.hi >> 8) | 2)?;
    let mut seg = desc.to_segment(sel);
    seg.access |= 2;
    cpu.state.tr = seg;
    Ok(())
}

/// SLDT, STR, SMSW: store a 16-bit system value (zero-extended into 32-bit registers).
pub fn store_sys16(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    let v = match i.mnemonic() {
        Mnemonic::Sldt => {
            require_protected(cpu)?;
            cpu.state.ldtr.selector as u32
        }
        Mnemonic::Str => {
            require_protected(cpu)?;
            cpu.state.tr.selector as u32
        }
        _ => {
            if cpu.model == CpuModel::I80286 {
                cpu.state.cr0 | 0xFFF0
            } else if i.op0_kind() == OpKind::Register && i.op0_register().size() == 4 {
                cpu.state.cr0
            } else {
                cpu.state.cr0 & 0xFFFF
            }
        }
    };
    if i.op0_kind() == OpKind::Memory {
        let (s, o) = cpu.mem_addr(d);
        cpu.write_mem(bus, s, o, Width::Word, v)
    } else {
        cpu.set_reg(i.op0_register(), v);
        Ok(())
    }
}

pub fn lmsw(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    require_cpl0(cpu)?;
    let v = cpu.read_op(bus, d, 0)? & 0xF;
    // LMSW can set PE but never clear it.
    let new = (cpu.state.cr0 & !0xE) | v | (cpu.state.cr0 & cr0::PE);
    cpu.write_cr0(new)?;
    Ok(())
}

pub fn clts(cpu: &mut Cpu, _: &mut dyn Bus, _: &DecodedInsn) -> GResult<()> {
    require_cpl0(cpu)?;
    cpu.state.cr0 &= !cr0::TS;
    Ok(())
}

impl Cpu {
    /// Writes CR0 with its side effects (mode switch, TLB flush).
    pub fn write_cr0(&mut self, v: u32) -> GResult<()> {
        let mut v = v;
        if v & cr0::PG != 0 && v & cr0::PE == 0 {
            return Err(Fault::gp(0));
        }
        if self.model.is_486_plus() {
            v |= cr0::ET;
            if v & cr0::NW != 0 && v & cr0::CD == 0 {
                return Err(Fault::gp(0));
            }
        } else if self.model == CpuModel::I80386 {
            v = (v & (0x8000_001F)) | cr0::ET;
        } else {
            v = (v & 0xF) | (self.state.cr0 & cr0::PE);
        }
        let old = self.state.cr0;
        self.state.cr0 = v;
        if (old ^ v) & (cr0::PG | cr0::WP | cr0::PE) != 0 {
            self.tlb.flush(false);
            self.end_block = true;
        }
        if (old ^ v) & cr0::PE != 0 {
            // Entering or leaving protected mode happens at privilege 0; CS keeps its cache
            // until the far jump that follows.
            self.state.cpl = 0;
        }
        Ok(())
    }
}

pub fn mov_cr(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    require_cpl0(cpu)?;
    let (to_cr, cr, gpr) = if i.op0_register().is_cr() {
        (true, i.op0_register(), i.op1_register())
    } else {
        (false, i.op1_register(), i.op0_register())
    };
    let RegLoc::Cr(n) = reg_loc(cr) else {
        return Err(Fault::UD);
    };
    if n == 4 && !cpu.model.is_pentium_plus() || !matches!(n, 0 | 2 | 3 | 4) {
        return Err(Fault::UD);
    }
    if to_cr {
        let v = cpu.reg_value(gpr);
        match n {
            0 => cpu.write_cr0(v)?,
            2 => cpu.state.cr2 = v,
            3 => {
                cpu.state.cr3 = v;
                let keep_global = cpu.state.cr4 & cr4::PGE != 0;
                cpu.tlb.flush(keep_global);
            }
            _ => {
                let allowed = cr4::VME
                    | cr4::PVI
                    | cr4::TSD
                    | cr4::DE
                    | cr4::PSE
                    | cr4::MCE
                    | if cpu.model >= CpuModel::Pentium2 {
                        cr4::PGE | cr4::PCE
                    } else {
                        0
                    };
                if v & !allowed != 0 {
                    return Err(Fault::gp(0));
                }
                cpu.state.cr4 = v;
                cpu.tlb.flush(false);
            }
        }
        cpu.end_block = true;
    } else {
        let v = match n {
            0 => cpu.state.cr0,
            2 => cpu.state.cr2,
            3 => cpu.state.cr3,
            _ => cpu.state.cr4,
        };
        cpu.set_reg(gpr, v);
    }
    let _ = bus;
    Ok(())
}

pub fn mov_dr(cpu: &mut Cpu, _bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    require_cpl0(cpu)?;
    let (to_dr, dr, gpr) = if i.op0_register().is_dr() {
        (true, i.op0_register(), i.op1_register())
    } else {
        (false, i.op1_register(), i.op0_register())
    };
    let RegLoc::Dr(mut n) = reg_loc(dr) else {
        return Err(Fault::UD);
    };
    if n == 4 || n == 5 {
        if cpu.state.cr4 & cr4::DE != 0 {
            return Err(Fault::UD);
        }
        n += 2;
    }
    if cpu.state.dr[7] & (1 << 13) != 0 {
        // General detect.
        cpu.state.dr[6] |= 1 << 13;
        cpu.state.dr[7] &= !(1 << 13);
        return Err(Fault::exc(crate::fault::vector::DB));
    }
    if to_dr {
        let v = cpu.reg_value(gpr);
        cpu.state.dr[n as usize] = match n {
            6 => (v | 0xFFFF_0FF0) & !(1 << 12),
            7 => (v | 0x400) & !(0x3 << 14),
            _ => v,
        };
        cpu.end_block = true;
    } else {
        cpu.set_reg(gpr, cpu.state.dr[n as usize]);
    }
    Ok(())
}

/// LAR, LSL, VERR, VERW: descriptor checks that set ZF instead of faulting.
pub fn lar_lsl_verx(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    require_protected(cpu)?;
    let src_op = if matches!(i.mnemonic(), Mnemonic::Verr | Mnemonic::Verw) {
        0
    } else {
        1
    };
    let sel = cpu.read_op(bus, d, src_op)? as u16;
    let mut ok = false;
    let mut value = 0;
    if sel & 0xFFFC != 0 && cpu.descriptor_addr(sel).is_some() {
        let desc = cpu.read_descriptor(bus, sel)?;
        let rpl = (sel & 3) as u8;
        let cpl = cpu.state.cpl;
        let conforming = desc.is_code() && desc.typ() & 4 != 0;
        let priv_ok = conforming || (desc.dpl() >= cpl && desc.dpl() >= rpl);
        ok = match i.mnemonic() {
            Mnemonic::Lar => {
                priv_ok
                    && (desc.is_segment()
                        || matches!(desc.typ(), 1 | 2 | 3 | 4 | 5 | 9 | 0xB | 0xC))
            }
            Mnemonic::Lsl => {
                priv_ok && (desc.is_segment() || matches!(desc.typ(), 1 | 2 | 3 | 9 | 0xB))
            }
            Mnemonic::Verr => {
                desc.is_segment() && priv_ok && (!desc.is_code() || desc.typ() & 2 != 0)
            }
            _ => desc.is_data() && priv_ok && desc.typ() & 2 != 0,
        };
        value = if i.mnemonic() == Mnemonic::Lsl {
            desc.limit()
        } else {
            desc.hi & 0x00F0_FF00
        };
    }
    if ok && matches!(i.mnemonic(), Mnemonic::Lar | Mnemonic::Lsl) {
        let r = i.op0_register();
        let v = if r.size() == 2 { value & 0xFFFF } else { value };
        cpu.set_reg(r, v);
    }
    cpu.state.flags.set_bits(ZF, if ok { ZF } else { 0 });
    Ok(())
}

pub fn arpl(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    require_protected(cpu)?;
    let dst = cpu.loc(d, 0);
    let a = cpu.read_loc(bus, dst, crate::flags::OpSize::Word)?;
    let b = cpu.read_op(bus, d, 1)?;
    if a & 3 < b & 3 {
        cpu.write_loc(bus, dst, crate::flags::OpSize::Word, (a & !3) | (b & 3))?;
        cpu.state.flags.set_bits(ZF, ZF);
    } else {
        cpu.state.flags.set_bits(ZF, 0);
    }
    Ok(())
}

pub fn invlpg(cpu: &mut Cpu, _: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    if i.op0_kind() != OpKind::Memory {
        return Err(Fault::UD);
    }
    require_cpl0(cpu)?;
    let (s, o) = cpu.mem_addr(d);
    let lin = cpu.state.segs[s as usize].base.wrapping_add(o);
    cpu.tlb.invalidate(lin);
    cpu.end_block = true;
    Ok(())
}

pub fn cache_ctl(cpu: &mut Cpu, _: &mut dyn Bus, _: &DecodedInsn) -> GResult<()> {
    require_cpl0(cpu)
}

pub fn cpuid(cpu: &mut Cpu, _: &mut dyn Bus, _: &DecodedInsn) -> GResult<()> {
    let leaf = cpu.state.regs[reg::EAX];
    let p2 = cpu.model >= CpuModel::Pentium2;
    let (a, b, c, dx) = match leaf {
        0 => (1, 0x756E_6547, 0x6C65_746E, 0x4965_6E69), // "GenuineIntel"
        1 => {
            let sig = if p2 { 0x0652 } else { 0x052C };
            // FPU VME DE PSE TSC MSR CX8, plus SEP PGE CMOV on the P6 model.
            let mut f = 1 | 2 | 4 | 8 | 0x10 | 0x20 | 0x100;
            if p2 {
                f |= 1 << 11 | 1 << 13 | 1 << 15;
            }
            if cpu.fpu.is_none() {
                f &= !1;
            }
            (sig, 0, 0, f)
        }
        _ => (0, 0, 0, 0),
    };
    let r = &mut cpu.state.regs;
    r[reg::EAX] = a;
    r[reg::EBX] = b;
    r[reg::ECX] = c;
    r[reg::EDX] = dx;
    Ok(())
}

impl Cpu {
    /// The time-stamp counter: one tick per executed instruction plus the written offset.
    pub fn tsc(&self) -> u64 {
        self.state.tsc.wrapping_add(self.counters.instructions)
    }
}

pub fn rdtsc(cpu: &mut Cpu, _: &mut dyn Bus, _: &DecodedInsn) -> GResult<()> {
    if cpu.state.cr4 & cr4::TSD != 0 && cpu.state.cpl != 0 && cpu.state.pe() {
        return Err(Fault::gp(0));
    }
    let t = cpu.tsc();
    cpu.state.regs[reg::EAX] = t as u32;
    cpu.state.regs[reg::EDX] = (t >> 32) as u32;
    Ok(())
}

pub fn rdpmc(cpu: &mut Cpu, _: &mut dyn Bus, _: &DecodedInsn) -> GResult<()> {
    if cpu.state.cr4 & cr4::PCE == 0 && cpu.state.cpl != 0 && cpu.state.pe() {
        return Err(Fault::gp(0));
    }
    let v = match cpu.state.regs[reg::ECX] {
        0 => cpu.state.msrs.ctr0,
        1 => cpu.state.msrs.ctr1,
        _ => return Err(Fault::gp(0)),
    };
    cpu.state.regs[reg::EAX] = v as u32;
    cpu.state.regs[reg::EDX] = (v >> 32) as u32 & 0xFF;
    Ok(())
}

/// The MSR a Pentium / Pentium II has at `index`, if any.
fn msr_slot(cpu: &mut Cpu, index: u32) -> Option<&mut u64> {
    let p2 = cpu.model >= CpuModel::Pentium2;
    let m = &mut cpu.state.msrs;
    Some(match index {
        0x0 => &mut m.p5_mc_addr,
        0x1 => &mut m.p5_mc_type,
        0x2..=0x9 if !p2 => &mut m.test_regs[(index - 2) as usize],
        0x11 if !p2 => &mut m.cesr,
        0x12 if !p2 => &mut m.ctr0,
        0x13 if !p2 => &mut m.ctr1,
        0x1B if p2 => &mut m.apic_base,
        0x8B if p2 => &mut m.bios_sign_id,
        0xC1 if p2 => &mut m.ctr0,
        0xC2 if p2 => &mut m.ctr1,
        0xFE if p2 => &mut m.mtrr_cap,
        0x174 if p2 => &mut m.sysenter_cs,
        0x175 if p2 => &mut m.sysenter_esp,
        0x176 if p2 => &mut m.sysenter_eip,
        0x1A0 if p2 => &mut m.misc_enable,
        0x200..=0x20F if p2 => &mut m.mtrr_phys[(index - 0x200) as usize],
        0x250 if p2 => &mut m.mtrr_fixed[0],
        0x258 if p2 => &mut m.mtrr_fixed[1],
        0x259 if p2 => &mut m.mtrr_fixed[2],
        0x268..=0x26F if p2 => &mut m.mtrr_fixed[3 + (index - 0x268) as usize],
        0x277 if p2 => &mut m.pat,
        0x2FF if p2 => &mut m.mtrr_def_type,
        _ => return None,
    })
}

pub fn rdmsr(cpu: &mut Cpu, _: &mut dyn Bus, _: &DecodedInsn) -> GResult<()> {
    require_cpl0(cpu)?;
    let index = cpu.state.regs[reg::ECX];
    let v = if index == 0x10 {
        cpu.tsc()
    } else {
        *msr_slot(cpu, index).ok_or(Fault::gp(0))?
    };
    cpu.state.regs[reg::EAX] = v as u32;
    cpu.state.regs[reg::EDX] = (v >> 32) as u32;
    Ok(())
}

pub fn wrmsr(cpu: &mut Cpu, _: &mut dyn Bus, _: &DecodedInsn) -> GResult<()> {
    require_cpl0(cpu)?;
    let index = cpu.state.regs[reg::ECX];
    let v = (cpu.state.regs[reg::EDX] as u64) << 32 | cpu.state.regs[reg::EAX] as u64;
    if index == 0x10 {
        cpu.state.tsc = v.wrapping_sub(cpu.counters.instructions);
        return Ok(());
    }
    if index == 0xFE {
        return Err(Fault::gp(0));
    }
    *msr_slot(cpu, index).ok_or(Fault::gp(0))? = v;
    Ok(())
}

fn flat_seg(sel: u16, code: bool, dpl: u8) -> Segment {
    let mut a =
        access::PRESENT | access::S | access::RW | access::ACCESSED | access::DB | access::G;
    if code {
        a |= access::CODE;
    }
    a |= (dpl as u16) << access::DPL_SHIFT;
    Segment {
        base: 0,
        limit: 0xFFFF_FFFF,
        selector: sel,
        access: a,
        valid: true,
    }
}

pub fn sysenter(cpu: &mut Cpu, _: &mut dyn Bus, _: &DecodedInsn) -> GResult<()> {
    let cs = cpu.state.msrs.sysenter_cs as u16;
    if !cpu.state.pe() || cs & 0xFFFC == 0 {
        return Err(Fault::gp(0));
    }
    cpu.state.flags.bits &=
        !(crate::flags::bits::VM | crate::flags::bits::IF | crate::flags::bits::RF);
    cpu.state.segs[SegReg::Cs as usize] = flat_seg(cs & 0xFFFC, true, 0);
    cpu.state.segs[SegReg::Ss as usize] = flat_seg((cs & 0xFFFC) + 8, false, 0);
    cpu.state.cpl = 0;
    cpu.state.regs[reg::ESP] = cpu.state.msrs.sysenter_esp as u32;
    cpu.state.eip = cpu.state.msrs.sysenter_eip as u32;
    cpu.end_block = true;
    Ok(())
}

pub fn sysexit(cpu: &mut Cpu, _: &mut dyn Bus, _: &DecodedInsn) -> GResult<()> {
    let cs = cpu.state.msrs.sysenter_cs as u16;
    if !cpu.state.protected() || cpu.state.cpl != 0 || cs & 0xFFFC == 0 {
        return Err(Fault::gp(0));
    }
    cpu.state.segs[SegReg::Cs as usize] = flat_seg(((cs & 0xFFFC) + 16) | 3, true, 3);
    cpu.state.segs[SegReg::Ss as usize] = flat_seg(((cs & 0xFFFC) + 24) | 3, false, 3);
    cpu.state.cpl = 3;
    cpu.state.regs[reg::ESP] = cpu.state.regs[reg::ECX];
    cpu.state.eip = cpu.state.regs[reg::EDX];
    cpu.end_block = true;
    Ok(())
}

pub fn ud(_: &mut Cpu, _: &mut dyn Bus, _: &DecodedInsn) -> GResult<()> {
    Err(Fault::UD)
}

pub fn gp0(_: &mut Cpu, _: &mut dyn Bus, _: &DecodedInsn) -> GResult<()> {
    Err(Fault::gp(0))
}
