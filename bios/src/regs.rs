//! Short accessors for the guest registers the services read and return values in.

use rawbox_cpu::flags::bits;
use rawbox_cpu::state::reg;
use rawbox_cpu::{Cpu, SegReg, Segment};

/// AL.
pub fn al(c: &Cpu) -> u8 {
    c.state.r8(0)
}
/// AH.
pub fn ah(c: &Cpu) -> u8 {
    c.state.r8(4)
}
/// BL.
pub fn bl(c: &Cpu) -> u8 {
    c.state.r8(3)
}
/// BH.
pub fn bh(c: &Cpu) -> u8 {
    c.state.r8(7)
}
/// CL.
pub fn cl(c: &Cpu) -> u8 {
    c.state.r8(1)
}
/// CH.
pub fn ch(c: &Cpu) -> u8 {
    c.state.r8(5)
}
/// DL.
pub fn dl(c: &Cpu) -> u8 {
    c.state.r8(2)
}
/// DH.
pub fn dh(c: &Cpu) -> u8 {
    c.state.r8(6)
}
/// BX.
pub fn bx(c: &Cpu) -> u16 {
    c.state.r16(reg::EBX)
}
/// CX.
pub fn cx(c: &Cpu) -> u16 {
    c.state.r16(reg::ECX)
}
/// DX.
pub fn dx(c: &Cpu) -> u16 {
    c.state.r16(reg::EDX)
}
/// BP.
pub fn bp(c: &Cpu) -> u16 {
    c.state.r16(reg::EBP)
}
/// A segment register's selector.
pub fn sreg(c: &Cpu, s: SegReg) -> u16 {
    c.state.segs[s as usize].selector
}

/// Sets AL.
pub fn set_al(c: &mut Cpu, v: u8) {
    c.state.set_r8(0, v)
}
/// Sets AH.
pub fn set_ah(c: &mut Cpu, v: u8) {
    c.state.set_r8(4, v)
}
/// Sets BL.
pub fn set_bl(c: &mut Cpu, v: u8) {
    c.state.set_r8(3, v)
}
/// Sets BH.
pub fn set_bh(c: &mut Cpu, v: u8) {
    c.state.set_r8(7, v)
}
/// Sets CL.
pub fn set_cl(c: &mut Cpu, v: u8) {
    c.state.set_r8(1, v)
}
/// Sets CH.
pub fn set_ch(c: &mut Cpu, v: u8) {
    c.state.set_r8(5, v)
}
/// Sets DL.
pub fn set_dl(c: &mut Cpu, v: u8) {
    c.state.set_r8(2, v)
}
/// Sets DH.
pub fn set_dh(c: &mut Cpu, v: u8) {
    c.state.set_r8(6, v)
}
/// Sets AX.
pub fn set_ax(c: &mut Cpu, v: u16) {
    c.state.set_r16(reg::EAX, v)
}
/// Sets BX.
pub fn set_bx(c: &mut Cpu, v: u16) {
    c.state.set_r16(reg::EBX, v)
}
/// Sets CX.
pub fn set_cx(c: &mut Cpu, v: u16) {
    c.state.set_r16(reg::ECX, v)
}
/// Sets DX.
pub fn set_dx(c: &mut Cpu, v: u16) {
    c.state.set_r16(reg::EDX, v)
}
/// Sets DI.
pub fn set_di(c: &mut Cpu, v: u16) {
    c.state.set_r16(reg::EDI, v)
}
/// Sets BP.
pub fn set_bp(c: &mut Cpu, v: u16) {
    c.state.set_r16(reg::EBP, v)
}
/// Loads a segment register with a real-mode selector.
pub fn set_sreg(c: &mut Cpu, s: SegReg, sel: u16) {
    let mut seg = Segment::real(sel);
    if s == SegReg::Cs {
        seg.access |= rawbox_cpu::state::access::CODE;
    }
    c.state.segs[s as usize] = seg;
}
/// Sets or clears the live carry flag (what the stub's JNC tests).
pub fn set_live_cf(c: &mut Cpu, on: bool) {
    c.state
        .flags
        .set_bits(bits::CF, if on { bits::CF } else { 0 });
}
/// The live carry flag.
pub fn live_cf(c: &Cpu) -> bool {
    c.state.flags.cf()
}
