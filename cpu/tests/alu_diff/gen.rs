//! Random inputs biased toward edge values (0, 1, the signed limits 0x7F.. / 0x80.., all ones,
//! single bits) at each operand width, with random upper register bits and random flags.

use super::regs::{fl, idx, Regs, DATA_REGS};
use super::sdm::sign_extend;
use super::shape::Shape;
use rand::rngs::SmallRng;
use rand::Rng;

/// A value of `bits` bits (8, 16 or 32), edge-biased.
pub fn edge(rng: &mut SmallRng, bits: u32) -> u32 {
    let mask = if bits >= 32 { !0 } else { (1u32 << bits) - 1 };
    let sign = 1u32 << (bits - 1);
    let v = match rng.gen_range(0..16) {
        0..=6 => {
            let base =
                [0, 1, 2, sign - 1, sign, sign + 1, mask, mask - 1, sign - 2][rng.gen_range(0..9)];
            // Sometimes a small step away from the edge.
            if rng.gen_range(0..4) == 0 {
                base.wrapping_add(rng.gen_range(0..7)).wrapping_sub(3)
            } else {
                base
            }
        }
        7 => 1 << rng.gen_range(0..bits),
        8 => !(1 << rng.gen_range(0..bits)),
        // Small magnitudes, positive or negative.
        9 => rng.gen::<u32>() >> rng.gen_range(24..32),
        10 => (rng.gen::<u32>() >> rng.gen_range(24..32)).wrapping_neg(),
        // Alternating patterns.
        11 => [0x5555_5555, 0xAAAA_AAAA, 0x0F0F_0F0F, 0xF0F0_F0F0][rng.gen_range(0..4)],
        _ => rng.gen(),
    };
    v & mask
}

/// A full 32-bit register whose low `bits` (and, for 8-bit operands, bits 8..15 too, for
/// AH/CH/DH/BH) are edge-biased; the rest is random.
pub fn reg_value(rng: &mut SmallRng, bits: u32) -> u32 {
    match bits {
        8 => (rng.gen::<u32>() & 0xFFFF_0000) | edge(rng, 8) << 8 | edge(rng, 8),
        16 => (rng.gen::<u32>() & 0xFFFF_0000) | edge(rng, 16),
        _ => edge(rng, 32),
    }
}

/// Random arithmetic flags over the fixed bits (IF and reserved bit 1).
pub fn flags(rng: &mut SmallRng) -> u32 {
    fl::BASE | (rng.gen::<u32>() & fl::ARITH)
}

/// A full random case for operands of `bits` bits. Some registers are made equal to another
/// one (so CMP/SUB/CMPXCHG see equal operands often).
pub fn regs(rng: &mut SmallRng, bits: u32) -> Regs {
    let mut r = Regs::default();
    for i in DATA_REGS {
        r.r[i] = reg_value(rng, bits);
    }
    if rng.gen_range(0..4) == 0 {
        let a = DATA_REGS[rng.gen_range(0..DATA_REGS.len())];
        let b = DATA_REGS[rng.gen_range(0..DATA_REGS.len())];
        r.r[a] = r.r[b];
    }
    let m = reg_value(rng, bits.min(32)).to_le_bytes();
    r.mem[..4].copy_from_slice(&m);
    r.mem[4..].copy_from_slice(&rng.gen::<u32>().to_le_bytes());
    r.flags = flags(rng);
    r
}

/// A shift count for CL: mostly 0..=31, sometimes above 31 (the CPU masks it to 5 bits).
pub fn count(rng: &mut SmallRng) -> u32 {
    if rng.gen_range(0..4) == 0 {
        rng.gen_range(32..=255)
    } else {
        rng.gen_range(0..=31)
    }
}

/// Any case of `shape`, with a shift count in CL.
pub fn shift_input(rng: &mut SmallRng, shape: &Shape) -> Regs {
    let mut r = regs(rng, shape.bits());
    r.r[idx::ECX] = (r.r[idx::ECX] & !0xFF) | count(rng);
    r
}

/// Writes the dividend of a `bits`-bit DIV/IDIV: AX, DX:AX or EDX:EAX.
fn set_dividend(r: &mut Regs, bits: u32, n: u64) {
    match bits {
        8 => r.r[idx::EAX] = (r.r[idx::EAX] & !0xFFFF) | (n as u32 & 0xFFFF),
        16 => {
            r.r[idx::EAX] = (r.r[idx::EAX] & !0xFFFF) | (n as u32 & 0xFFFF);
            r.r[idx::EDX] = (r.r[idx::EDX] & !0xFFFF) | ((n >> 16) as u32 & 0xFFFF);
        }
        _ => {
            r.r[idx::EAX] = n as u32;
            r.r[idx::EDX] = (n >> 32) as u32;
        }
    }
}

/// A DIV/IDIV case: mostly a dividend whose quotient fits (edge-biased quotient and random
/// remainder), sometimes an unrelated dividend (usually a divide error). The divisor may
/// alias the dividend (DIV AH, DIV EDX); the SDM check decides the outcome from the final
/// registers either way.
pub fn div_input(rng: &mut SmallRng, shape: &Shape) -> Regs {
    let bits = shape.bits();
    let mut r = regs(rng, bits);
    if rng.gen_range(0..5) == 0 {
        return r;
    }
    let d = r.operand(&shape.insn, 0) as u64;
    if d == 0 {
        return r;
    }
    let signed = shape.insn.mnemonic() == iced_x86::Mnemonic::Idiv;
    let q = edge(rng, bits) as u64;
    let n = if signed {
        let sd = sign_extend(d, bits) as i128;
        let sq = sign_extend(q, bits) as i128;
        let rem = rng.gen_range(0..sd.unsigned_abs()) as i128;
        let rem = if rng.gen() { -rem } else { rem };
        (sq * sd + rem) as u64
    } else {
        q * d + rng.gen_range(0..d)
    };
    set_dividend(&mut r, bits, n);
    r
}

/// A CMPXCHG/CMPXCHG8B case: half the time the accumulator equals the destination.
pub fn cmpxchg_input(rng: &mut SmallRng, shape: &Shape) -> Regs {
    let bits = shape.bits();
    let mut r = regs(rng, bits);
    if rng.gen() {
        if shape.insn.mnemonic() == iced_x86::Mnemonic::Cmpxchg8b {
            r.r[idx::EAX] = r.mem_value(4);
            r.r[idx::EDX] = u32::from_le_bytes([r.mem[4], r.mem[5], r.mem[6], r.mem[7]]);
        } else {
            let mask = if bits == 32 { !0 } else { (1u32 << bits) - 1 };
            let dest = r.operand(&shape.insn, 0);
            r.r[idx::EAX] = (r.r[idx::EAX] & !mask) | dest;
        }
    }
    r
}

/// Decimal-adjust inputs: case `n` of a sweep over every AL with every AF/CF combination and a
/// few AH values (4096 combinations, so 4096 consecutive cases cover them all); the other
/// registers and flags are random.
pub fn bcd_sweep(rng: &mut SmallRng, shape: &Shape, n: usize) -> Regs {
    let mut r = regs(rng, shape.bits());
    let al = (n & 0xFF) as u32;
    let ah = [0x00, 0x09, 0x7F, 0xFF][(n >> 10) & 3];
    r.r[idx::EAX] = (r.r[idx::EAX] & !0xFFFF) | ah << 8 | al;
    r.flags &= !(fl::AF | fl::CF);
    if n & 0x100 != 0 {
        r.flags |= fl::AF;
    }
    if n & 0x200 != 0 {
        r.flags |= fl::CF;
    }
    r
}
