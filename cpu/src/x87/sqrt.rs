//! FSQRT: exact digit-by-digit square root of the 64-bit significand, rounded once.

use super::arith::{denormal_flag, nan_one, with_de, Out, INVALID};
use super::f80::{Class, Unpacked, F80};
use super::round::{pack_ext, Ctx};

/// Square root of an unpacked positive value, to 72 bits plus a sticky bit.
pub fn sqrt_unpacked(u: Unpacked) -> Unpacked {
    let m = (u.m >> 64) as u64 as u128;
    let odd = u.exp.rem_euclid(2) == 1;
    let shift = if odd { 64 } else { 63 };
    let radicand = m << shift as u32;
    let half_exp = (u.exp - 63 - shift).div_euclid(2);
    let mut rem: u128 = 0;
    let mut root: u128 = 0;
    for i in (0..72).rev() {
        let pair = if i >= 8 {
            (radicand >> (2 * (i - 8))) & 3
        } else {
            0
        };
        rem = (rem << 2) | pair;
        let trial = (root << 2) | 1;
        if rem >= trial {
            rem -= trial;
            root = (root << 1) | 1;
        } else {
            root <<= 1;
        }
    }
    Unpacked::normalized(false, 63 + half_exp, (root << 56) | (rem != 0) as u128)
}

/// FSQRT.
pub fn sqrt(a: F80, ctx: Ctx) -> Out {
    if let Some(r) = nan_one(a) {
        return r;
    }
    let de = denormal_flag(&[a]);
    let out = match a.class() {
        Class::Zero => (a, 0),
        Class::Infinity if !a.sign => (a, 0),
        _ if a.sign => INVALID,
        _ => match a.unpack() {
            Some(u) => pack_ext(sqrt_unpacked(u), ctx),
            None => INVALID,
        },
    };
    with_de(out, de)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::x87::round::Rc;
    use crate::x87::sw;

    #[test]
    fn square_roots() {
        let ctx = Ctx {
            rc: Rc::Nearest,
            prec: 64,
            um: true,
            om: true,
        };
        let four = F80::new(false, 0x4001, 1 << 63);
        assert_eq!(sqrt(four, ctx), (F80::new(false, 0x4000, 1 << 63), 0));
        let two = F80::new(false, 0x4000, 1 << 63);
        assert_eq!(
            sqrt(two, ctx),
            (F80::new(false, 0x3FFF, 0xB504_F333_F9DE_6484), sw::PE)
        );
        assert_eq!(sqrt(F80::ONE.negated(), ctx), INVALID);
        assert_eq!(sqrt(F80::ZERO.negated(), ctx), (F80::ZERO.negated(), 0));
    }
}
