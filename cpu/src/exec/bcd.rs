//! Decimal and ASCII adjust instructions (DAA, DAS, AAA, AAS, AAM, AAD) and SALC.

use crate::bus::Bus;
use crate::decode::DecodedInsn;
use crate::fault::{Fault, GResult};
use crate::flags::bits::{AF, CF};
use crate::flags::OpSize;
use crate::state::reg;
use crate::Cpu;

/// The high-digit adjustment threshold: 0x99, but the 8086 uses 0x9F after a low-digit
/// adjustment.
fn high_threshold(cpu: &Cpu, low_adjusted: bool) -> u8 {
    if low_adjusted && cpu.model == crate::CpuModel::I8086 {
        0x9F
    } else {
        0x99
    }
}

pub fn daa(cpu: &mut Cpu, _bus: &mut dyn Bus, _d: &DecodedInsn) -> GResult<()> {
    let old_al = cpu.state.r8(0);
    let old_cf = cpu.state.flags.cf();
    let mut al = old_al;
    let mut cf = false;
    let mut af = false;
    if old_al & 0xF > 9 || cpu.state.flags.af() {
        al = al.wrapping_add(6);
        cf = old_cf || old_al > 0xF9;
        af = true;
    }
    if old_al > high_threshold(cpu, af) || old_cf {
        al = al.wrapping_add(0x60);
        cf = true;
    }
    cpu.state.set_r8(0, al);
    let of = (old_al & 0x80) == 0 && (al & 0x80) != 0;
    cpu.state.flags.set_szp(OpSize::Byte, al as u32, cf, of, af);
    Ok(())
}

pub fn das(cpu: &mut Cpu, _bus: &mut dyn Bus, _d: &DecodedInsn) -> GResult<()> {
    let old_al = cpu.state.r8(0);
    let old_cf = cpu.state.flags.cf();
    let mut al = old_al;
    let mut cf = false;
    let mut af = false;
    if old_al & 0xF > 9 || cpu.state.flags.af() {
        al = al.wrapping_sub(6);
        cf = old_cf || old_al < 6;
        af = true;
    }
    if old_al > high_threshold(cpu, af) || old_cf {
        al = al.wrapping_sub(0x60);
        cf = true;
    }
    cpu.state.set_r8(0, al);
    let of = (old_al & 0x80) != 0 && (al & 0x80) == 0;
    cpu.state.flags.set_szp(OpSize::Byte, al as u32, cf, of, af);
    Ok(())
}

fn ascii_adjust(cpu: &mut Cpu, sub: bool) {
    let al = cpu.state.r8(0);
    let ax = cpu.state.r16(reg::EAX);
    let adjust = al & 0xF > 9 || cpu.state.flags.af();
    let new_ax = if adjust {
        if cpu.model.is_286_plus() {
            if sub {
                ax.wrapping_sub(6).wrapping_sub(0x100)
            } else {
                ax.wrapping_add(0x106)
            }
        } else {
            let (nal, nah) = if sub {
                (al.wrapping_sub(6), ((ax >> 8) as u8).wrapping_sub(1))
            } else {
                (al.wrapping_add(6), ((ax >> 8) as u8).wrapping_add(1))
            };
            (nah as u16) << 8 | nal as u16
        }
    } else {
        ax
    };
    let res = new_ax & 0xFF0F;
    cpu.state.set_r16(reg::EAX, res);
    // OF/SF/ZF/PF are undefined; set them from AL like the later CPUs' flag logic does.
    let v = if adjust { AF | CF } else { 0 };
    cpu.state
        .flags
        .set_szp(OpSize::Byte, (new_ax & 0xFF) as u32, adjust, false, adjust);
    cpu.state.flags.set_bits(AF | CF, v);
}

pub fn aaa(cpu: &mut Cpu, _bus: &mut dyn Bus, _d: &DecodedInsn) -> GResult<()> {
    ascii_adjust(cpu, false);
    Ok(())
}

pub fn aas(cpu: &mut Cpu, _bus: &mut dyn Bus, _d: &DecodedInsn) -> GResult<()> {
    ascii_adjust(cpu, true);
    Ok(())
}

pub fn aam(cpu: &mut Cpu, _bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let base = d.insn.immediate(0) as u8;
    if base == 0 {
        return Err(Fault::DE);
    }
    let al = cpu.state.r8(0);
    let (q, r) = (al / base, al % base);
    cpu.state.set_r16(reg::EAX, (q as u16) << 8 | r as u16);
    cpu.state
        .flags
        .set_szp(OpSize::Byte, r as u32, false, false, false);
    Ok(())
}

pub fn aad(cpu: &mut Cpu, _bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let base = d.insn.immediate(0) as u8;
    let al = cpu.state.r8(0);
    let ah = cpu.state.r8(4);
    let prod = ah.wrapping_mul(base);
    let r = al.wrapping_add(prod);
    cpu.state.set_r16(reg::EAX, r as u16);
    // Flags as the ADD of AL and AH*base (documented SF/ZF/PF; OF/AF/CF as the adder leaves them).
    cpu.state.flags.set_lazy(
        crate::flags::LazyOp::Add,
        OpSize::Byte,
        al as u32,
        prod as u32,
        r as u32,
    );
    Ok(())
}

pub fn salc(cpu: &mut Cpu, _bus: &mut dyn Bus, _d: &DecodedInsn) -> GResult<()> {
    let v = if cpu.state.flags.cf() { 0xFF } else { 0 };
    cpu.state.set_r8(0, v);
    Ok(())
}
