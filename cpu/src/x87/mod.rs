//! The x87 floating-point unit (387 and later): register stack, control/status/tag words,
//! last-instruction pointers, and `execute` for every x87 instruction. Arithmetic is a
//! pure-Rust soft-float on the 80-bit extended format (see the submodules).
//!
//! Hardware rules that the SDM leaves vague and that were pinned down against a real x87
//! (see `tests/x87_host_diff.rs`):
//! - an unmasked IE/DE/ZE suppresses the result and any pop, except that FLD m32/m64 still
//!   loads a denormal and compares still set C0/C2/C3 (or ZF/PF/CF);
//! - DE is not reported when an operand is a NaN, the operation is invalid or divides by 0;
//! - of an SNaN and a QNaN the QNaN propagates, otherwise the larger significand;
//! - tininess is detected after rounding; unmasked O/U results are bias-adjusted by 24576
//!   and become infinity/zero when still out of range;
//! - FPREM/FPREM1 reduce by 32 + (exponent difference mod 32) bits at a time;
//! - FSIN/FCOS/FSINCOS/FPTAN reduce with pi rounded to 68 bits;
//! - F2XM1 returns operands outside [-1, 1] unchanged (inexact).

pub mod arith;
pub mod bcd;
pub mod compare;
pub mod convert;
pub mod env;
mod exec;
#[cfg(test)]
mod exec_tests;
mod ext;
pub mod f80;
pub mod rem;
pub mod round;
pub mod sqrt;
pub mod trans;

pub use exec::{execute, is_waiting, FpuHost};
pub use f80::{Class, F80};

/// Status-word (and control-word mask) bits.
pub mod sw {
    pub const IE: u16 = 0x0001;
    pub const DE: u16 = 0x0002;
    pub const ZE: u16 = 0x0004;
    pub const OE: u16 = 0x0008;
    pub const UE: u16 = 0x0010;
    pub const PE: u16 = 0x0020;
    pub const SF: u16 = 0x0040;
    pub const ES: u16 = 0x0080;
    pub const C0: u16 = 0x0100;
    pub const C1: u16 = 0x0200;
    pub const C2: u16 = 0x0400;
    pub const TOP: u16 = 0x3800;
    pub const C3: u16 = 0x4000;
    pub const B: u16 = 0x8000;
    /// The six exception flags.
    pub const EXC: u16 = 0x3F;
    /// The four condition-code bits.
    pub const CC: u16 = C0 | C1 | C2 | C3;
}

/// Power-on / FNINIT control word.
pub const DEFAULT_CW: u16 = 0x037F;

/// The last opcode: kept as the instruction and encoded only when FSTENV/FSAVE need it.
#[derive(Clone, Debug)]
enum Fop {
    Value(u16),
    Insn(iced_x86::Instruction),
}

/// The FPU state.
#[derive(Clone, Debug)]
pub struct Fpu {
    /// Physical registers R0..R7.
    regs: [F80; 8],
    /// Bit i set: physical register i holds a value (tag not "empty").
    used: u8,
    top: u8,
    cw: u16,
    /// Status word without the TOP field.
    sw: u16,
    /// Last instruction pointer offset (or real-mode linear address when `fcs` is 0).
    fip: u32,
    fcs: u16,
    /// Last non-control opcode.
    fop: Fop,
    fdp: u32,
    fds: u16,
}

impl Fpu {
    pub fn new() -> Fpu {
        Fpu {
            regs: [F80::ZERO; 8],
            used: 0,
            top: 0,
            cw: DEFAULT_CW,
            sw: 0,
            fip: 0,
            fcs: 0,
            fop: Fop::Value(0),
            fdp: 0,
            fds: 0,
        }
    }

    /// FNINIT.
    pub fn reset(&mut self) {
        let regs = self.regs;
        *self = Fpu::new();
        // FNINIT leaves the register contents alone (only the tags become empty).
        self.regs = regs;
    }

    pub fn control_word(&self) -> u16 {
        self.cw
    }

    pub fn status_word(&self) -> u16 {
        (self.sw & !sw::TOP) | ((self.top as u16 & 7) << 11)
    }

    /// The full 16-bit tag word computed from register contents.
    pub fn tag_word(&self) -> u16 {
        (0..8).fold(0u16, |acc, i| acc | (self.phys_tag(i) << (2 * i)))
    }

    fn phys_tag(&self, i: usize) -> u16 {
        if self.used & (1 << i) == 0 {
            return 3;
        }
        match self.regs[i].class() {
            Class::Zero => 1,
            Class::Normal => 0,
            _ => 2,
        }
    }

    /// An unmasked exception is pending (SW.ES).
    pub fn error_pending(&self) -> bool {
        self.sw & sw::ES != 0
    }

    /// ST(i) (whatever the register holds, even if tagged empty).
    pub fn st(&self, i: usize) -> F80 {
        self.regs[self.phys(i)]
    }

    /// Is ST(i) tagged empty?
    pub fn st_empty(&self, i: usize) -> bool {
        self.used & (1 << self.phys(i)) == 0
    }

    /// (FCS, FIP, FOP, FDS, FDP) of the last non-control instruction.
    pub fn last_pointers(&self) -> (u16, u32, u16, u16, u32) {
        (self.fcs, self.fip, self.fop(), self.fds, self.fdp)
    }

    /// The 11-bit FOP of the last non-control instruction.
    pub fn fop(&self) -> u16 {
        match &self.fop {
            Fop::Value(v) => *v & 0x7FF,
            Fop::Insn(insn) => exec::fop_of(insn) & 0x7FF,
        }
    }

    fn phys(&self, i: usize) -> usize {
        (self.top as usize + i) & 7
    }

    fn set_st(&mut self, i: usize, v: F80) {
        let p = self.phys(i);
        self.regs[p] = v;
        self.used |= 1 << p;
    }

    fn free_st(&mut self, i: usize) {
        let p = self.phys(i);
        self.used &= !(1 << p);
    }

    fn pop(&mut self) {
        self.free_st(0);
        self.top = (self.top + 1) & 7;
    }

    fn push(&mut self, v: F80) {
        self.top = self.top.wrapping_sub(1) & 7;
        self.set_st(0, v);
    }

    fn set_cw(&mut self, cw: u16) {
        // Bits 6 and 13-15 are reserved; bit 6 reads back as 1 on the 387 and later.
        self.cw = (cw & 0x1F3F) | 0x0040;
        self.update_es();
    }

    fn set_sw(&mut self, v: u16) {
        self.sw = v & !sw::TOP;
        self.top = ((v >> 11) & 7) as u8;
        self.update_es();
    }

    /// Recomputes ES and B from the exception flags and masks.
    fn update_es(&mut self) {
        if self.sw & !self.cw & sw::EXC != 0 {
            self.sw |= sw::ES | sw::B;
        } else {
            self.sw &= !(sw::ES | sw::B);
        }
    }

    /// Sets the tag word as FLDENV/FRSTOR do: only "empty" (11) is taken from the image.
    fn set_tag_word(&mut self, tw: u16) {
        self.used = (0..8).fold(0u8, |acc, i| {
            if (tw >> (2 * i)) & 3 == 3 {
                acc
            } else {
                acc | (1 << i)
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn power_on_state() {
        let f = Fpu::new();
        assert_eq!(f.control_word(), 0x037F);
        assert_eq!(f.status_word(), 0);
        assert_eq!(f.tag_word(), 0xFFFF);
        assert!(!f.error_pending());
    }

    #[test]
    fn stack_and_tags() {
        let mut f = Fpu::new();
        f.push(F80::ONE);
        f.push(F80::ZERO);
        assert_eq!(f.status_word() >> 11, 6);
        assert_eq!(f.tag_word(), 0x1FFF);
        assert_eq!(f.st(1), F80::ONE);
        f.pop();
        assert!(f.st_empty(7));
        f.set_cw(0x037E);
        f.sw |= sw::IE;
        f.update_es();
        assert!(f.error_pending());
    }
}
