//! Conversions between x87 registers and memory formats: single/double real loads and
//! stores (with rounding to the destination format), integer loads and stores, FRNDINT.

use super::arith::{denormal_flag, nan_one, Out};
use super::f80::{Class, Unpacked, BIAS, F80};
use super::round::{overflow_value, round_core, Ctx, Rc};
use super::sw;

/// An IEEE binary interchange format in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemFormat {
    /// Significand bits including the hidden bit.
    pub prec: u32,
    /// Exponent field width.
    pub exp_bits: u32,
}

pub const SINGLE: MemFormat = MemFormat {
    prec: 24,
    exp_bits: 8,
};
pub const DOUBLE: MemFormat = MemFormat {
    prec: 53,
    exp_bits: 11,
};

impl MemFormat {
    fn bias(self) -> i32 {
        (1 << (self.exp_bits - 1)) - 1
    }
    fn frac_bits(self) -> u32 {
        self.prec - 1
    }
    fn max_exp_field(self) -> u64 {
        (1 << self.exp_bits) - 1
    }
    fn pack(self, sign: bool, exp_field: u64, frac: u64) -> u64 {
        ((sign as u64) << (self.exp_bits + self.frac_bits()))
            | (exp_field << self.frac_bits())
            | frac
    }
}

/// Loads a single/double real (`bits` right-aligned) into extended format: exact, with IE
/// for signaling NaNs (left signaling: FLD quiets them, arithmetic propagates them) and DE
/// for denormals.
pub fn load_real(bits: u64, fmt: MemFormat) -> Out {
    let frac_bits = fmt.frac_bits();
    let sign = bits >> (fmt.exp_bits + frac_bits) & 1 == 1;
    let exp = ((bits >> frac_bits) & fmt.max_exp_field()) as i32;
    let frac = bits & ((1u64 << frac_bits) - 1);
    let frac_hi = frac << (63 - frac_bits);
    if exp as u64 == fmt.max_exp_field() {
        if frac == 0 {
            return (F80::inf(sign), 0);
        }
        let nan = F80::new(sign, 0x7FFF, (1 << 63) | frac_hi);
        return if nan.is_snan() {
            (nan, sw::IE)
        } else {
            (nan, 0)
        };
    }
    if exp == 0 {
        if frac == 0 {
            return (F80::zero(sign), 0);
        }
        let lz = frac_hi.leading_zeros();
        let e = 1 - fmt.bias() - lz as i32;
        return (F80::new(sign, (e + BIAS) as u16, frac_hi << lz), sw::DE);
    }
    let e = exp - fmt.bias();
    (F80::new(sign, (e + BIAS) as u16, (1 << 63) | frac_hi), 0)
}

/// Rounds an extended value for FST/FSTP to a single/double real. Returns the memory bits
/// and the flags raised; with an unmasked overflow/underflow the caller must not store.
pub fn store_real(v: F80, fmt: MemFormat, ctx: Ctx) -> (u64, u16) {
    let frac_bits = fmt.frac_bits();
    let indefinite = fmt.pack(true, fmt.max_exp_field(), 1 << (frac_bits - 1));
    match v.class() {
        Class::Unsupported => return (indefinite, sw::IE),
        Class::QNaN | Class::SNaN => {
            let flags = if v.is_snan() { sw::IE } else { 0 };
            let frac = ((v.sig | (1 << 62)) << 1) >> (64 - frac_bits);
            return (fmt.pack(v.sign, fmt.max_exp_field(), frac), flags);
        }
        Class::Infinity => return (fmt.pack(v.sign, fmt.max_exp_field(), 0), 0),
        Class::Zero => return (fmt.pack(v.sign, 0, 0), 0),
        _ => {}
    }
    let Some(u) = v.unpack() else {
        return (indefinite, sw::IE);
    };
    let bias = fmt.bias();
    let (emin, emax) = (1 - bias, bias);
    let r = round_core(u, fmt.prec, emin, emax, ctx.rc, true);
    let mut flags = 0;
    if r.inexact {
        flags |= sw::PE;
    }
    if r.up {
        flags |= sw::C1;
    }
    if r.overflow {
        if !ctx.om {
            return (0, sw::OE);
        }
        let (to_inf, sig) = overflow_value(v.sign, fmt.prec, ctx.rc);
        let flags = sw::OE | sw::PE | if to_inf { sw::C1 } else { 0 };
        let bits = if to_inf {
            fmt.pack(v.sign, fmt.max_exp_field(), 0)
        } else {
            fmt.pack(
                v.sign,
                fmt.max_exp_field() - 1,
                (sig << 1) >> (64 - frac_bits),
            )
        };
        return (bits, flags);
    }
    if r.tiny {
        if !ctx.um {
            return (0, sw::UE);
        }
        if r.inexact {
            flags |= sw::UE;
        }
    }
    let exp_field = if r.sig >> 63 == 0 {
        0
    } else {
        (r.exp + bias) as u64
    };
    let frac = (r.sig << 1) >> (64 - frac_bits);
    (fmt.pack(v.sign, exp_field, frac), flags)
}

/// Rounds an unpacked value to an integer magnitude per `rc`. Returns (magnitude, inexact,
/// rounded up); magnitudes of 2^64 and above saturate to `u128::MAX`.
pub fn round_to_int(u: Unpacked, rc: Rc) -> (u128, bool, bool) {
    if u.exp >= 64 {
        return (u128::MAX, false, false);
    }
    let shift = (127 - u.exp) as u32;
    let (int, rest_cmp_half, inexact) = if shift >= 129 {
        (0u128, core::cmp::Ordering::Less, true)
    } else {
        let int = if shift >= 128 { 0 } else { u.m >> shift };
        let rest = if shift >= 128 {
            u.m
        } else {
            u.m & ((1u128 << shift) - 1)
        };
        let half = 1u128 << (shift - 1);
        (int, rest.cmp(&half), rest != 0)
    };
    let up = match rc {
        Rc::Nearest => {
            rest_cmp_half == core::cmp::Ordering::Greater
                || (rest_cmp_half == core::cmp::Ordering::Equal && int & 1 == 1)
        }
        Rc::Up => !u.sign && inexact,
        Rc::Down => u.sign && inexact,
        Rc::Zero => false,
    };
    (int + up as u128, inexact, up)
}

/// FIST/FISTP: converts to a signed integer of `bits` (16/32/64). Returns the value
/// (integer indefinite on invalid) and the flags.
pub fn store_int(v: F80, bits: u32, rc: Rc) -> (i64, u16) {
    let indefinite = i64::MIN >> (64 - bits);
    let u = match v.class() {
        Class::Zero => return (0, 0),
        Class::Normal | Class::Denormal | Class::PseudoDenormal => match v.unpack() {
            Some(u) => u,
            None => return (indefinite, sw::IE),
        },
        _ => return (indefinite, sw::IE),
    };
    let (mag, inexact, up) = round_to_int(u, rc);
    let limit = 1u128 << (bits - 1);
    if mag > limit || (mag == limit && !v.sign) {
        return (indefinite, sw::IE);
    }
    let flags = if inexact { sw::PE } else { 0 } | if up { sw::C1 } else { 0 };
    let value = if v.sign {
        (mag as i128).wrapping_neg() as i64
    } else {
        mag as i64
    };
    (value, flags)
}

/// FILD: an integer converted exactly to extended format.
pub fn load_int(v: i64) -> F80 {
    from_mag(v < 0, v.unsigned_abs())
}

/// An unsigned magnitude as an extended value with the given sign.
pub fn from_mag(sign: bool, mag: u64) -> F80 {
    if mag == 0 {
        return F80::zero(sign);
    }
    let lz = mag.leading_zeros();
    F80::new(sign, (63 - lz as i32 + BIAS) as u16, mag << lz)
}

/// FRNDINT: rounds to an integral value per RC.
pub fn frndint(v: F80, ctx: Ctx) -> Out {
    if let Some(r) = nan_one(v) {
        return r;
    }
    let de = denormal_flag(&[v]);
    let Some(u) = v.unpack() else { return (v, 0) };
    if u.exp >= 63 {
        return (v, de);
    }
    let (mag, inexact, up) = round_to_int(u, ctx.rc);
    let flags = de | if inexact { sw::PE } else { 0 } | if up { sw::C1 } else { 0 };
    (from_mag(v.sign, mag as u64), flags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(rc: Rc) -> Ctx {
        Ctx {
            rc,
            prec: 64,
            um: true,
            om: true,
        }
    }

    #[test]
    fn real_round_trips() {
        let (v, f) = load_real(0x3FC0_0000, SINGLE);
        assert_eq!((v, f), (F80::new(false, 0x3FFF, 3 << 62), 0));
        assert_eq!(store_real(v, SINGLE, ctx(Rc::Nearest)), (0x3FC0_0000, 0));
        let (d, f) = load_real(1, DOUBLE);
        assert_eq!(f, sw::DE);
        assert_eq!(store_real(d, DOUBLE, ctx(Rc::Nearest)), (1, 0));
        assert_eq!(
            store_real(F80::INDEFINITE, SINGLE, ctx(Rc::Nearest)),
            (0xFFC0_0000, 0)
        );
        let huge = F80::new(false, 0x7000, 1 << 63);
        assert_eq!(
            store_real(huge, SINGLE, ctx(Rc::Zero)),
            (0x7F7F_FFFF, sw::OE | sw::PE)
        );
    }

    #[test]
    fn integer_conversions() {
        let two_and_half = F80::new(true, 0x4000, 5 << 61);
        assert_eq!(store_int(two_and_half, 16, Rc::Nearest), (-2, sw::PE));
        assert_eq!(store_int(two_and_half, 16, Rc::Down), (-3, sw::PE | sw::C1));
        assert_eq!(
            store_int(load_int(40000), 16, Rc::Nearest),
            (-32768, sw::IE)
        );
        assert_eq!(store_int(load_int(-32768), 16, Rc::Nearest), (-32768, 0));
        assert_eq!(load_int(i64::MIN), F80::new(true, 0x403E, 1 << 63));
        assert_eq!(frndint(two_and_half, ctx(Rc::Up)).0, load_int(-2));
    }
}
