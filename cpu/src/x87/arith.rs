//! FADD/FSUB/FMUL/FDIV on extended operands: special-operand rules (NaN propagation,
//! invalid operations, division by zero, denormal operands) and the exact soft-float paths.

use super::f80::{shr_jam, Class, Unpacked, F80};
use super::round::{pack_ext, Ctx, Rc};
use super::sw;

/// A computed value with the status bits it raises (exception flags and C1).
pub type Out = (F80, u16);

/// Invalid operation with the masked response (the real indefinite).
pub const INVALID: Out = (F80::INDEFINITE, sw::IE);

/// NaN propagation and unsupported-format checks for a two-operand arithmetic instruction.
/// Returns `Some` when the result is already determined.
pub fn nan_pair(a: F80, b: F80) -> Option<Out> {
    let (ca, cb) = (a.class(), b.class());
    if ca == Class::Unsupported || cb == Class::Unsupported {
        return Some(INVALID);
    }
    let (an, bn) = (a.is_nan(), b.is_nan());
    if !an && !bn {
        return None;
    }
    let flags = if ca == Class::SNaN || cb == Class::SNaN {
        sw::IE
    } else {
        0
    };
    let pick = match (an, bn) {
        (true, false) => a,
        (false, true) => b,
        // A QNaN wins over an SNaN; otherwise the larger significand.
        _ if ca == Class::QNaN && cb == Class::SNaN => a,
        _ if ca == Class::SNaN && cb == Class::QNaN => b,
        _ => {
            let (qa, qb) = (a.quieted(), b.quieted());
            if qa.sig > qb.sig || (qa.sig == qb.sig && !a.sign) {
                a
            } else {
                b
            }
        }
    };
    Some((pick.quieted(), flags))
}

/// Single-operand NaN/unsupported check: `Some` when the result is determined.
pub fn nan_one(a: F80) -> Option<Out> {
    match a.class() {
        Class::Unsupported => Some(INVALID),
        Class::SNaN => Some((a.quieted(), sw::IE)),
        Class::QNaN => Some((a, 0)),
        _ => None,
    }
}

/// Adds the denormal-operand flag unless the operation was invalid, divided by zero or
/// propagated a NaN (those take precedence on the hardware).
pub fn with_de(out: Out, de: u16) -> Out {
    if out.1 & (sw::IE | sw::ZE) != 0 || out.0.is_nan() {
        out
    } else {
        (out.0, out.1 | de)
    }
}

/// The DE flag for operands that are denormal.
pub fn denormal_flag(ops: &[F80]) -> u16 {
    if ops.iter().any(|v| v.is_denormal()) {
        sw::DE
    } else {
        0
    }
}

/// Rounds a finite value already in F80 form to the context precision (used when an
/// operation's exact result is one of its operands).
pub fn reround(v: F80, ctx: Ctx) -> Out {
    match v.unpack() {
        Some(u) => pack_ext(u, ctx),
        None => (v, 0),
    }
}

/// a + b (or a - b when `negate_b`).
pub fn add(a: F80, b: F80, negate_b: bool, ctx: Ctx) -> Out {
    if let Some(r) = nan_pair(a, b) {
        return r;
    }
    let b = if negate_b { b.negated() } else { b };
    let de = denormal_flag(&[a, b]);
    with_de(add_checked(a, b, ctx), de)
}

fn add_checked(a: F80, b: F80, ctx: Ctx) -> Out {
    match (a.is_inf(), b.is_inf()) {
        (true, true) if a.sign != b.sign => return INVALID,
        (true, _) => return (a, 0),
        (_, true) => return (b, 0),
        _ => {}
    }
    match (a.is_zero(), b.is_zero()) {
        (true, true) => {
            let sign = if a.sign == b.sign {
                a.sign
            } else {
                ctx.rc == Rc::Down
            };
            return (F80::zero(sign), 0);
        }
        (true, false) => return reround(b, ctx),
        (false, true) => return reround(a, ctx),
        _ => {}
    }
    let (Some(ua), Some(ub)) = (a.unpack(), b.unpack()) else {
        return INVALID;
    };
    match add_unpacked(ua, ub) {
        Some(u) => pack_ext(u, ctx),
        None => (F80::zero(ctx.rc == Rc::Down), 0),
    }
}

/// Exact sum of two unpacked values (the low bits are kept jammed). `None` for an exact zero.
pub fn add_unpacked(ua: Unpacked, ub: Unpacked) -> Option<Unpacked> {
    let (big, small) = if (ua.exp, ua.m) >= (ub.exp, ub.m) {
        (ua, ub)
    } else {
        (ub, ua)
    };
    let d = (big.exp - small.exp) as u32;
    let mb = shr_jam(big.m, 1);
    let ms = shr_jam(shr_jam(small.m, 1), d);
    let m = if big.sign == small.sign {
        mb + ms
    } else {
        mb - ms
    };
    if m == 0 {
        return None;
    }
    Some(Unpacked::normalized(big.sign, big.exp + 1, m))
}

/// a * b.
pub fn mul(a: F80, b: F80, ctx: Ctx) -> Out {
    if let Some(r) = nan_pair(a, b) {
        return r;
    }
    let de = denormal_flag(&[a, b]);
    let sign = a.sign != b.sign;
    let out = match (a.class(), b.class()) {
        (Class::Infinity, Class::Zero) | (Class::Zero, Class::Infinity) => INVALID,
        (Class::Infinity, _) | (_, Class::Infinity) => (F80::inf(sign), 0),
        (Class::Zero, _) | (_, Class::Zero) => (F80::zero(sign), 0),
        _ => match (a.unpack(), b.unpack()) {
            (Some(ua), Some(ub)) => pack_ext(mul_unpacked(ua, ub), ctx),
            _ => INVALID,
        },
    };
    with_de(out, de)
}

/// Exact product of the 64-bit significands (the low 64 bits of each `m` are ignored).
pub fn mul_unpacked(ua: Unpacked, ub: Unpacked) -> Unpacked {
    let p = ((ua.m >> 64) as u64 as u128) * ((ub.m >> 64) as u64 as u128);
    Unpacked::normalized(ua.sign != ub.sign, ua.exp + ub.exp + 1, p)
}

/// a / b.
pub fn div(a: F80, b: F80, ctx: Ctx) -> Out {
    if let Some(r) = nan_pair(a, b) {
        return r;
    }
    let de = denormal_flag(&[a, b]);
    let sign = a.sign != b.sign;
    let out = match (a.class(), b.class()) {
        (Class::Infinity, Class::Infinity) | (Class::Zero, Class::Zero) => INVALID,
        (Class::Infinity, _) => (F80::inf(sign), 0),
        (_, Class::Infinity) => (F80::zero(sign), 0),
        (Class::Zero, _) => (F80::zero(sign), 0),
        (_, Class::Zero) => (F80::inf(sign), sw::ZE),
        _ => match (a.unpack(), b.unpack()) {
            (Some(ua), Some(ub)) => pack_ext(div_unpacked(ua, ub), ctx),
            _ => INVALID,
        },
    };
    with_de(out, de)
}

/// Quotient of the 64-bit significands to 127+ bits with a sticky bit.
pub fn div_unpacked(ua: Unpacked, ub: Unpacked) -> Unpacked {
    let a = (ua.m >> 64) as u64 as u128;
    let b = (ub.m >> 64) as u64 as u128;
    let num = a << 63;
    let q1 = num / b;
    let r1 = num % b;
    let q2 = (r1 << 64) / b;
    let r2 = (r1 << 64) % b;
    let q = (q1 << 64) | q2 | (r2 != 0) as u128;
    Unpacked::normalized(ua.sign != ub.sign, ua.exp - ub.exp, q)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Ctx {
        Ctx {
            rc: Rc::Nearest,
            prec: 64,
            um: true,
            om: true,
        }
    }
    fn val(exp: u16, sig: u64) -> F80 {
        F80::new(false, exp, sig)
    }

    #[test]
    fn basic_arithmetic() {
        let two = val(0x4000, 1 << 63);
        let three = val(0x4000, 3 << 62);
        assert_eq!(add(F80::ONE, F80::ONE, false, ctx()), (two, 0));
        assert_eq!(add(three, F80::ONE, true, ctx()), (two, 0));
        assert_eq!(add(F80::ONE, F80::ONE, true, ctx()), (F80::ZERO, 0));
        assert_eq!(mul(three, two, ctx()).0, val(0x4001, 3 << 62));
        let third = div(F80::ONE, three, ctx());
        assert_eq!(third, (val(0x3FFD, 0xAAAA_AAAA_AAAA_AAAB), sw::PE | sw::C1));
        assert_eq!(div(F80::ONE, F80::ZERO, ctx()), (F80::INFINITY, sw::ZE));
        assert_eq!(mul(F80::INFINITY, F80::ZERO, ctx()), INVALID);
    }

    #[test]
    fn nan_rules() {
        let snan = val(0x7FFF, (1 << 63) | 5);
        let qnan = val(0x7FFF, 0xC000_0000_0000_0009);
        assert_eq!(add(snan, F80::ONE, false, ctx()), (snan.quieted(), sw::IE));
        assert_eq!(mul(snan, qnan, ctx()), (qnan, sw::IE));
        assert_eq!(div(val(5, 1), F80::ONE, ctx()), INVALID);
    }
}
