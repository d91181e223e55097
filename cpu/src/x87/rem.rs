//! FPREM/FPREM1 (partial remainders with quotient bits), FSCALE and FXTRACT.

use super::arith::{denormal_flag, nan_one, nan_pair, with_de, Out, INVALID};
use super::convert::{load_int, round_to_int};
use super::f80::{Class, Unpacked, F80};
use super::round::{pack_ext, Ctx, Rc};
use super::sw;

/// FPREM (`nearest` false: truncated quotient) or FPREM1 (`nearest` true: IEEE remainder).
/// The returned flags include C2 (incomplete) and the quotient bits in C0/C3/C1.
pub fn fprem(a: F80, b: F80, nearest: bool, ctx: Ctx) -> Out {
    if let Some(r) = nan_pair(a, b) {
        return r;
    }
    let de = denormal_flag(&[a, b]);
    match (a.class(), b.class()) {
        (Class::Infinity, _) | (_, Class::Zero) => return INVALID,
        (Class::Zero, _) => return (a, de),
        // A pseudo-denormal comes back re-encoded as the equal normal value.
        (_, Class::Infinity) if a.class() == Class::PseudoDenormal => {
            return (F80::new(a.sign, 1, a.sig), de)
        }
        (_, Class::Infinity) => return (a, de),
        _ => {}
    }
    let (Some(ua), Some(ub)) = (a.unpack(), b.unpack()) else {
        return INVALID;
    };
    let big_a = (ua.m >> 64) as u64 as u128;
    let big_b = (ub.m >> 64) as u64 as u128;
    let d = ua.exp - ub.exp;
    let mut sign = a.sign;
    let (rem, quotient, res_exp, partial) = if d >= 64 {
        let n = 32 + (d % 32) as u32;
        let r = (big_a << n) % big_b;
        (r, 0u128, ua.exp - n as i32, true)
    } else if d < 0 {
        if nearest && d == -1 && big_a > big_b {
            sign = !sign;
            ((big_b << 1) - big_a, 1, ub.exp - 1, false)
        } else {
            return unchanged(a, de, ctx);
        }
    } else {
        let n = big_a << d;
        let (mut q, mut r) = (n / big_b, n % big_b);
        if nearest && (2 * r > big_b || (2 * r == big_b && q & 1 == 1)) {
            q += 1;
            r = big_b - r;
            sign = !sign;
        }
        (r, q, ub.exp, false)
    };
    let mut cc = 0;
    if partial {
        cc |= sw::C2;
    } else {
        if quotient & 4 != 0 {
            cc |= sw::C0;
        }
        if quotient & 2 != 0 {
            cc |= sw::C3;
        }
        if quotient & 1 != 0 {
            cc |= sw::C1;
        }
    }
    if rem == 0 {
        return (F80::zero(a.sign), de | cc);
    }
    let (v, f) = pack_ext(
        Unpacked::normalized(sign, res_exp, rem << 64),
        Ctx { prec: 64, ..ctx },
    );
    (v, de | cc | (f & !sw::C1))
}

/// The dividend returned as the remainder: re-encoded exactly (pseudo-denormals become
/// normals; a denormal signals an unmasked underflow).
fn unchanged(a: F80, de: u16, ctx: Ctx) -> Out {
    match a.unpack() {
        Some(u) => {
            let (v, f) = pack_ext(u, Ctx { prec: 64, ..ctx });
            (v, de | (f & !sw::C1))
        }
        None => (a, de),
    }
}

/// FSCALE: ST0 * 2^trunc(ST1).
pub fn fscale(a: F80, b: F80, ctx: Ctx) -> Out {
    if let Some(r) = nan_pair(a, b) {
        return r;
    }
    let de = denormal_flag(&[a, b]);
    let (r, f) = match (a.class(), b.class()) {
        (Class::Zero, Class::Infinity) if !b.sign => INVALID,
        (Class::Infinity, Class::Infinity) if b.sign => INVALID,
        (_, Class::Infinity) if !b.sign => (F80::inf(a.sign), 0),
        (_, Class::Infinity) => (F80::zero(a.sign), 0),
        (Class::Zero, _) | (Class::Infinity, _) | (_, Class::Zero) => (a.canonical(), 0),
        _ => {
            let Some(ua) = a.unpack() else { return INVALID };
            let shift = match b.unpack() {
                Some(ub) => {
                    let (mag, _, _) = round_to_int(ub, Rc::Zero);
                    let mag = mag.min(1 << 20) as i32;
                    if b.sign {
                        -mag
                    } else {
                        mag
                    }
                }
                None => 0,
            };
            pack_ext(
                Unpacked {
                    exp: ua.exp + shift,
                    ..ua
                },
                Ctx { prec: 64, ..ctx },
            )
        }
    };
    with_de((r, f), de)
}

/// FXTRACT: returns (exponent, significand); the significand is pushed above the exponent.
pub fn fxtract(a: F80) -> (F80, F80, u16) {
    if let Some((v, f)) = nan_one(a) {
        return (v, v, f);
    }
    match a.class() {
        Class::Zero => (F80::inf(true), a, sw::ZE),
        Class::Infinity => (F80::INFINITY, a, 0),
        _ => match a.unpack() {
            Some(u) => {
                let sig = F80::new(a.sign, 0x3FFF, (u.m >> 64) as u64);
                (load_int(u.exp as i64), sig, denormal_flag(&[a]))
            }
            None => (F80::INDEFINITE, F80::INDEFINITE, sw::IE),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::x87::convert::load_int;

    fn ctx() -> Ctx {
        Ctx {
            rc: Rc::Nearest,
            prec: 64,
            um: true,
            om: true,
        }
    }

    #[test]
    fn remainders() {
        // 17 rem 5: quotient 3 (C3=Q1, C1=Q0), remainder 2.
        assert_eq!(
            fprem(load_int(17), load_int(5), false, ctx()),
            (load_int(2), sw::C3 | sw::C1)
        );
        // IEEE: 17 = 3*5 + 2, but 18 = 4*5 - 2 (quotient 4 -> C0).
        assert_eq!(
            fprem(load_int(18), load_int(5), true, ctx()),
            (load_int(-2), sw::C0)
        );
        assert_eq!(fprem(load_int(1), F80::ZERO, false, ctx()), INVALID);
    }

    #[test]
    fn scale_and_extract() {
        assert_eq!(fscale(load_int(3), load_int(4), ctx()), (load_int(48), 0));
        let (e, s, f) = fxtract(load_int(48));
        assert_eq!(
            (e, s, f),
            (load_int(5), F80::new(false, 0x3FFF, 3 << 62), 0)
        );
        assert_eq!(fxtract(F80::ZERO).2, sw::ZE);
    }
}
