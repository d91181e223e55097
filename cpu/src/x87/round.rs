//! Rounding of exact intermediate results to a destination precision and exponent range:
//! rounding control, precision control, overflow/underflow detection (tininess after
//! rounding), masked responses and the unmasked exponent bias adjustment.

use super::f80::{shr_jam, Unpacked, BIAS, EMAX, EMIN, F80};
use super::sw;

/// Rounding control (CW bits 10-11).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Rc {
    Nearest,
    Down,
    Up,
    Zero,
}

impl Rc {
    pub fn from_cw(cw: u16) -> Rc {
        match (cw >> 10) & 3 {
            0 => Rc::Nearest,
            1 => Rc::Down,
            2 => Rc::Up,
            _ => Rc::Zero,
        }
    }
}

/// What a rounding step needs from the control word.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Ctx {
    pub rc: Rc,
    /// Significand bits kept: 24, 53 or 64.
    pub prec: u32,
    /// Underflow exception masked.
    pub um: bool,
    /// Overflow exception masked.
    pub om: bool,
}

impl Ctx {
    /// Context for +,-,*,/,sqrt (precision control applies).
    pub fn from_cw(cw: u16) -> Ctx {
        let prec = match (cw >> 8) & 3 {
            0 => 24,
            2 => 53,
            _ => 64,
        };
        Ctx {
            rc: Rc::from_cw(cw),
            prec,
            um: cw & sw::UE != 0,
            om: cw & sw::OE != 0,
        }
    }
}

/// Exponent bias adjustment applied to unmasked overflow/underflow results.
pub const BIAS_ADJUST: i32 = 24576;

/// Rounds `m` (any value) to `prec` leading bits of 128. Returns the rounded value
/// (0 with `carry` if it rounded up to 2^128), carry, inexact, rounded-up.
fn round_bits(m: u128, prec: u32, rc: Rc, sign: bool) -> (u128, bool, bool, bool) {
    let drop = 128 - prec;
    let low_mask = (1u128 << drop) - 1;
    let rest = m & low_mask;
    let half = 1u128 << (drop - 1);
    let kept = m & !low_mask;
    let up = match rc {
        Rc::Nearest => rest > half || (rest == half && (kept >> drop) & 1 == 1),
        Rc::Up => !sign && rest != 0,
        Rc::Down => sign && rest != 0,
        Rc::Zero => false,
    };
    if up {
        let (v, carry) = kept.overflowing_add(1u128 << drop);
        (v, carry, rest != 0, true)
    } else {
        (kept, false, rest != 0, false)
    }
}

/// Result of rounding to a format with a given precision and exponent range.
#[derive(Clone, Copy, Debug)]
pub struct Rounded {
    pub sign: bool,
    /// Unbiased exponent; for denormal results `emin` with the integer bit clear.
    pub exp: i32,
    /// Significand with the integer bit at bit 63.
    pub sig: u64,
    pub inexact: bool,
    pub up: bool,
    /// Tiny after rounding with unbounded exponent.
    pub tiny: bool,
    pub overflow: bool,
}

/// Rounds `u` to `prec` bits; denormalizes below `emin` when `denormalize`.
pub fn round_core(
    u: Unpacked,
    prec: u32,
    emin: i32,
    emax: i32,
    rc: Rc,
    denormalize: bool,
) -> Rounded {
    let (r, carry, inexact, up) = round_bits(u.m, prec, rc, u.sign);
    let (sig, exp) = if carry {
        (1u64 << 63, u.exp + 1)
    } else {
        ((r >> 64) as u64, u.exp)
    };
    let tiny = exp < emin;
    if u.exp < emin && denormalize {
        let shift = (emin - u.exp).min(200) as u32;
        let m2 = shr_jam(u.m, shift);
        let (r2, _, inexact2, up2) = round_bits(m2, prec, rc, u.sign);
        return Rounded {
            sign: u.sign,
            exp: emin,
            sig: (r2 >> 64) as u64,
            inexact: inexact2,
            up: up2,
            tiny,
            overflow: false,
        };
    }
    Rounded {
        sign: u.sign,
        exp,
        sig,
        inexact,
        up,
        tiny,
        overflow: exp > emax,
    }
}

/// The masked overflow response: infinity or the largest finite value of `prec` bits.
pub fn overflow_value(sign: bool, prec: u32, rc: Rc) -> (bool, u64) {
    let to_inf = match rc {
        Rc::Nearest => true,
        Rc::Up => !sign,
        Rc::Down => sign,
        Rc::Zero => false,
    };
    (
        to_inf,
        if to_inf {
            1 << 63
        } else {
            !0u64 << (64 - prec)
        },
    )
}

/// Rounds an exact nonzero value to an x87 register (extended exponent range, `ctx.prec`
/// significand bits). Returns the value and the status flags raised (PE/UE/OE/C1).
pub fn pack_ext(u: Unpacked, ctx: Ctx) -> (F80, u16) {
    let r = round_core(u, ctx.prec, EMIN, EMAX, ctx.rc, ctx.um);
    let mut flags = 0u16;
    if r.inexact {
        flags |= sw::PE;
    }
    if r.up {
        flags |= sw::C1;
    }
    if r.overflow {
        if ctx.om {
            let (to_inf, sig) = overflow_value(r.sign, ctx.prec, ctx.rc);
            let flags = sw::OE | sw::PE | if to_inf { sw::C1 } else { 0 };
            let exp = if to_inf { 0x7FFF } else { 0x7FFE };
            return (F80::new(r.sign, exp, sig), flags);
        }
        if r.exp - BIAS_ADJUST > EMAX {
            // Still out of range after the bias adjustment: infinity.
            return (F80::inf(r.sign), sw::OE | sw::PE | sw::C1);
        }
        flags |= sw::OE;
        return (biased(r.sign, r.exp - BIAS_ADJUST, r.sig), flags);
    }
    if r.tiny {
        if !ctx.um {
            if r.exp + BIAS_ADJUST < EMIN {
                // Still out of range after the bias adjustment: zero.
                return (F80::zero(r.sign), sw::UE | sw::PE);
            }
            flags |= sw::UE;
            return (biased(r.sign, r.exp + BIAS_ADJUST, r.sig), flags);
        }
        if r.inexact {
            flags |= sw::UE;
        }
    }
    let exp = if r.sig >> 63 == 0 {
        0
    } else {
        (r.exp + BIAS) as u16
    };
    (F80::new(r.sign, exp, r.sig), flags)
}

/// Packs an unbiased exponent, saturating values that are still out of range.
fn biased(sign: bool, exp: i32, sig: u64) -> F80 {
    let b = exp + BIAS;
    if b >= 0x7FFF {
        F80::inf(sign)
    } else if b <= 0 {
        F80::zero(sign)
    } else {
        F80::new(sign, b as u16, sig)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(rc: Rc, prec: u32) -> Ctx {
        Ctx {
            rc,
            prec,
            um: true,
            om: true,
        }
    }

    #[test]
    fn rounds_to_nearest_even_and_directed() {
        // 1 + 2^-64 (half ulp) ties to even 1.0 in nearest mode.
        let u = Unpacked {
            sign: false,
            exp: 0,
            m: (1u128 << 127) | (1u128 << 63),
        };
        let (v, f) = pack_ext(u, ctx(Rc::Nearest, 64));
        assert_eq!(v, F80::ONE);
        assert_eq!(f, sw::PE);
        let (v, f) = pack_ext(u, ctx(Rc::Up, 64));
        assert_eq!(v.sig, (1 << 63) | 1);
        assert_eq!(f, sw::PE | sw::C1);
        let (v, _) = pack_ext(u, ctx(Rc::Up, 24));
        assert_eq!(v.sig, (1 << 63) | (1 << 40));
    }

    #[test]
    fn overflow_and_underflow_responses() {
        let big = Unpacked {
            sign: true,
            exp: EMAX + 1,
            m: 1 << 127,
        };
        let (v, f) = pack_ext(big, ctx(Rc::Zero, 64));
        assert_eq!(v, F80::new(true, 0x7FFE, !0));
        assert_eq!(f, sw::OE | sw::PE);
        let tiny = Unpacked {
            sign: false,
            exp: EMIN - 1,
            m: 3 << 126,
        };
        let (v, f) = pack_ext(tiny, ctx(Rc::Nearest, 64));
        assert_eq!(v, F80::new(false, 0, 0x6000_0000_0000_0000));
        assert_eq!(f, 0);
        let unmasked = Ctx {
            um: false,
            ..ctx(Rc::Nearest, 64)
        };
        let (v, f) = pack_ext(tiny, unmasked);
        assert_eq!(v.exp as i32, EMIN - 1 + BIAS + BIAS_ADJUST);
        assert_eq!(f, sw::UE);
    }
}
