//! What the Intel SDM leaves undefined for each tested instruction, given its inputs, and when
//! an instruction raises #DE. Only these bits are excluded from the comparison; every flag an
//! instruction leaves unaffected is compared (it must keep its input value).

use super::regs::fl::{AF, ARITH, CF, OF, PF, SF, ZF};
use super::regs::{operand_bits, Regs};
use iced_x86::{Instruction, Mnemonic as M, OpKind, Register};

/// Bits excluded from the comparison for one case.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Undefined {
    /// Undefined EFLAGS bits.
    pub flags: u32,
    /// Undefined bits of each general register (by encoding index).
    pub regs: [u32; 8],
}

impl Undefined {
    fn flags(flags: u32) -> Undefined {
        Undefined {
            flags,
            ..Undefined::default()
        }
    }
}

/// The shift/rotate count operand: 1 for the D0/D1 forms, CL or imm8 otherwise (unmasked).
pub fn shift_count(insn: &Instruction, input: &Regs) -> u32 {
    let op = if matches!(insn.mnemonic(), M::Shld | M::Shrd) {
        2
    } else {
        1
    };
    if insn.op_count() <= op {
        return 1;
    }
    input.operand(insn, op) & 0xFF
}

/// Bits of the destination register (operand 0) as a register mask, e.g. CL -> ECX & 0xFF.
fn dest_bits(insn: &Instruction) -> Undefined {
    let mut u = Undefined::default();
    if insn.op0_kind() == OpKind::Register {
        let r = insn.op0_register();
        let mask = match r.size() {
            1 if matches!(r, Register::AH | Register::CH | Register::DH | Register::BH) => 0xFF00,
            1 => 0xFF,
            2 => 0xFFFF,
            _ => 0xFFFF_FFFF,
        };
        u.regs[r.full_register32().number()] = mask;
    }
    u
}

/// The SDM's undefined flags and result bits of `insn` for `input`.
pub fn undefined(insn: &Instruction, input: &Regs) -> Undefined {
    let bits = if insn.op_count() > 0 {
        operand_bits(insn, 0)
    } else {
        8
    };
    match insn.mnemonic() {
        // Logic: AF undefined; CF = OF = 0, SF/ZF/PF from the result.
        M::And | M::Or | M::Xor | M::Test => Undefined::flags(AF),
        // A masked count of 0 changes nothing. Otherwise AF is undefined, OF is defined only for
        // 1-bit shifts, and SHL/SHR leave CF undefined when the count reaches the operand size.
        M::Shl | M::Sal | M::Shr | M::Sar => {
            let c = shift_count(insn, input) & 0x1F;
            let mut f = 0;
            if c != 0 {
                f |= AF;
                if c != 1 {
                    f |= OF;
                }
                if insn.mnemonic() != M::Sar && c >= bits {
                    f |= CF;
                }
            }
            Undefined::flags(f)
        }
        // Rotates touch only CF and OF; OF is defined only for 1-bit rotates.
        M::Rol | M::Ror | M::Rcl | M::Rcr => {
            let c = shift_count(insn, input) & 0x1F;
            Undefined::flags(if c > 1 { OF } else { 0 })
        }
        // Double shifts: as shifts, and a count above the operand size (16-bit forms) leaves the
        // result and all flags undefined.
        M::Shld | M::Shrd => {
            let c = shift_count(insn, input) & 0x1F;
            if c > bits {
                let mut u = dest_bits(insn);
                u.flags = ARITH;
                u
            } else if c == 0 {
                Undefined::default()
            } else {
                Undefined::flags(AF | if c != 1 { OF } else { 0 })
            }
        }
        M::Mul | M::Imul => Undefined::flags(SF | ZF | AF | PF),
        M::Div | M::Idiv => Undefined::flags(ARITH),
        // ZF tells whether the source was zero; then the destination is undefined.
        M::Bsf | M::Bsr => {
            let mut u = if input.operand(insn, 1) == 0 {
                dest_bits(insn)
            } else {
                Undefined::default()
            };
            u.flags = CF | OF | SF | AF | PF;
            u
        }
        // CF = the bit; ZF unaffected.
        M::Bt | M::Bts | M::Btr | M::Btc => Undefined::flags(OF | SF | AF | PF),
        M::Daa | M::Das => Undefined::flags(OF),
        M::Aaa | M::Aas => Undefined::flags(OF | SF | ZF | PF),
        M::Aam | M::Aad => Undefined::flags(OF | AF | CF),
        _ => Undefined::default(),
    }
}

/// Whether `insn` raises #DE on `input` (DIV/IDIV quotient overflow or zero divisor, AAM 0).
pub fn divide_error(insn: &Instruction, input: &Regs) -> bool {
    let signed = match insn.mnemonic() {
        M::Div => false,
        M::Idiv => true,
        M::Aam => return insn.immediate(0) & 0xFF == 0,
        _ => return false,
    };
    let bits = operand_bits(insn, 0);
    let divisor = input.operand(insn, 0);
    if divisor == 0 {
        return true;
    }
    let (eax, edx) = (input.r[0] as u64, input.r[2] as u64);
    // The dividend: AX, DX:AX or EDX:EAX.
    let dividend: u64 = match bits {
        8 => eax & 0xFFFF,
        16 => (edx & 0xFFFF) << 16 | (eax & 0xFFFF),
        _ => edx << 32 | eax,
    };
    if signed {
        let n = sign_extend(dividend, 2 * bits) as i128;
        let d = sign_extend(divisor as u64, bits) as i128;
        let q = n / d;
        let limit = 1i128 << (bits - 1);
        q < -limit || q >= limit
    } else {
        dividend / divisor as u64 > (u64::MAX >> (64 - bits))
    }
}

/// Sign-extends the low `bits` bits of `v`.
pub fn sign_extend(v: u64, bits: u32) -> i64 {
    ((v << (64 - bits)) as i64) >> (64 - bits)
}
