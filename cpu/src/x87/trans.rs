//! Transcendental instructions (FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X, FYL2XP1)
//! and the FLDxx constants. Trigonometric arguments are reduced modulo pi/2 exactly against
//! the 68-bit approximation of pi the hardware uses, then evaluated in 128-bit precision.

use super::arith::{denormal_flag, nan_one, nan_pair, with_de, Out, INVALID};
use super::ext::X;
use super::f80::{Class, Unpacked, F80};
use super::round::{pack_ext, round_core, Ctx, Rc};
use super::sw;
use iced_x86::Mnemonic;

const PI: X = X::constant(0xC90F_DAA2_2168_C234_C4C6_628B_80DC_1CD1, 1);
const LN2: X = X::constant(0xB172_17F7_D1CF_79AB_C9E3_B398_03F2_F6AF, -1);
const LOG2E: X = X::constant(0xB8AA_3B29_5C17_F0BB_BE87_FED0_691D_3E88, 0);
const LOG2_10: X = X::constant(0xD49A_784B_CD1B_8AFE_492B_F6FF_4DAF_DB4C, 1);
const LOG10_2: X = X::constant(0x9A20_9A84_FBCF_F798_8F89_59AC_0B7C_9178, -2);
/// pi rounded to 68 bits (units of 2^-66), as used by the FPU's argument reduction.
const PI68: u128 = 0xC_90FD_AA22_168C_234C;

/// The value of FLD1/FLDZ/FLDPI/... rounded per RC to 64 bits.
pub fn constant(m: Mnemonic, rc: Rc) -> F80 {
    let x = match m {
        Mnemonic::Fld1 => return F80::ONE,
        Mnemonic::Fldz => return F80::ZERO,
        Mnemonic::Fldpi => PI,
        Mnemonic::Fldl2e => LOG2E,
        Mnemonic::Fldl2t => LOG2_10,
        Mnemonic::Fldlg2 => LOG10_2,
        _ => LN2,
    };
    let r = round_core(
        Unpacked {
            sign: false,
            exp: x.exp,
            m: x.m,
        },
        64,
        -16382,
        16383,
        rc,
        true,
    );
    F80::new(false, (r.exp + 16383) as u16, r.sig)
}

/// Rounds a working value to an x87 register (always inexact).
fn finish(v: X, ctx: Ctx) -> Out {
    if v.is_zero() {
        return (F80::zero(v.sign), 0);
    }
    pack_ext(v.unpacked(), ctx)
}

/// Sums a power series `sum term_k` where term_{k+1} = term_k * factor / div(k).
fn series(first: X, factor: X, div: impl Fn(u64) -> u64, alternate: bool) -> X {
    let mut sum = first;
    let mut term = first;
    for k in 1..80u64 {
        term = term.mul(factor).div_int(div(k));
        if alternate {
            term = term.negated();
        }
        if term.is_zero() || term.exp < sum.exp - 132 {
            break;
        }
        sum = sum.add(term);
    }
    sum
}

/// (sin r, cos r) for |r| <= pi/4.
fn sin_cos_small(r: X) -> (X, X) {
    let r2 = r.mul(r);
    let sin = series(r, r2, |k| (2 * k) * (2 * k + 1), true);
    let cos = series(X::ONE, r2, |k| (2 * k - 1) * (2 * k), true);
    (sin, cos)
}

/// Reduces |a| modulo pi68/2: returns (r, k) with |a| = k*pi68/2 + r, |r| <= pi68/4.
fn reduce(a: F80) -> Option<(X, u64)> {
    let u = a.unpack()?;
    if u.exp >= 63 {
        return None;
    }
    if u.exp < -1 {
        return Some((X::from_f80(a).abs(), 0));
    }
    let mut r = (u.m >> 64) as u64 as u128;
    let mut k: u64 = 0;
    for _ in 0..(u.exp + 4) {
        r <<= 1;
        k = k.wrapping_shl(1);
        if r >= PI68 {
            r -= PI68;
            k |= 1;
        }
    }
    if 2 * r > PI68 {
        Some((X::new(true, 127 - 67, PI68 - r), k.wrapping_add(1)))
    } else {
        Some((X::new(false, 127 - 67, r), k))
    }
}

/// FSIN/FCOS/FPTAN/FSINCOS. Returns (new ST0, value to push, flags), or `None` when the
/// operand is out of range (C2 set, nothing changed).
pub fn trig(m: Mnemonic, a: F80, ctx: Ctx) -> Option<(F80, Option<F80>, u16)> {
    let pushes = matches!(m, Mnemonic::Fptan | Mnemonic::Fsincos);
    let special = |v: F80, f: u16| Some((v, if pushes { Some(v) } else { None }, f));
    if let Some((v, f)) = nan_one(a) {
        return special(v, f);
    }
    match a.class() {
        Class::Infinity => return special(INVALID.0, INVALID.1),
        Class::Zero => {
            return Some(match m {
                Mnemonic::Fcos => (F80::ONE, None, 0),
                Mnemonic::Fsin => (a, None, 0),
                Mnemonic::Fptan => (a, Some(F80::ONE), 0),
                _ => (a, Some(F80::ONE), 0),
            });
        }
        _ => {}
    }
    let de = denormal_flag(&[a]);
    let (r, k) = reduce(a)?;
    let (s, c) = sin_cos_small(r);
    let neg = a.sign;
    let sin = match k & 3 {
        0 => s,
        1 => c,
        2 => s.negated(),
        _ => c.negated(),
    };
    let cos = match k & 3 {
        0 => c,
        1 => s.negated(),
        2 => c.negated(),
        _ => s,
    };
    let sin = if neg { sin.negated() } else { sin };
    let (first, second, f) = match m {
        Mnemonic::Fsin => {
            let (v, f) = finish(sin, ctx);
            (v, None, f)
        }
        Mnemonic::Fcos => {
            let (v, f) = finish(cos, ctx);
            (v, None, f)
        }
        Mnemonic::Fptan => {
            let (v, f) = finish(sin.div(cos), ctx);
            (v, Some(F80::ONE), f)
        }
        _ => {
            let (vs, fs) = finish(sin, ctx);
            let (vc, fc) = finish(cos, ctx);
            (vs, Some(vc), fs | (fc & !sw::C1))
        }
    };
    Some((first, second, f | de))
}

/// atan(t) for 0 <= t <= 1 by angle halving and the Taylor series.
fn atan_unit(t: X) -> X {
    let mut t = t;
    let halvings = 4;
    for _ in 0..halvings {
        t = t.div(X::ONE.add(X::ONE.add(t.mul(t)).sqrt()));
    }
    let t2 = t.mul(t);
    let mut sum = t;
    let mut pow = t;
    for k in 1..60u64 {
        pow = pow.mul(t2).negated();
        let term = pow.div_int(2 * k + 1);
        if term.is_zero() || term.exp < sum.exp - 132 {
            break;
        }
        sum = sum.add(term);
    }
    sum.scale(halvings)
}

/// FPATAN: atan2(y, x) with x = ST(0), y = ST(1).
pub fn fpatan(x: F80, y: F80, ctx: Ctx) -> Out {
    if let Some(r) = nan_pair(x, y) {
        return r;
    }
    let de = denormal_flag(&[x, y]);
    let half_pi = PI.scale(-1);
    let quarter_pi = PI.scale(-2);
    let v = match (x.class(), y.class()) {
        (_, Class::Zero) => {
            if x.sign {
                PI
            } else {
                return (F80::zero(y.sign), de);
            }
        }
        (Class::Infinity, Class::Infinity) => {
            if x.sign {
                half_pi.add(quarter_pi)
            } else {
                quarter_pi
            }
        }
        (_, Class::Infinity) | (Class::Zero, _) => half_pi,
        (Class::Infinity, _) => {
            if x.sign {
                PI
            } else {
                return (F80::zero(y.sign), de);
            }
        }
        _ => {
            let (ax, ay) = (X::from_f80(x).abs(), X::from_f80(y).abs());
            let a = if ay.mag_gt(ax) {
                half_pi.sub(atan_unit(ax.div(ay)))
            } else {
                atan_unit(ay.div(ax))
            };
            if x.sign {
                PI.sub(a)
            } else {
                a
            }
        }
    };
    let v = if y.sign { v.negated() } else { v };
    let (r, f) = finish(v, ctx);
    with_de((r, f), de)
}

/// 2 * atanh(u) = ln((1+u)/(1-u)).
fn two_atanh(u: X) -> X {
    let u2 = u.mul(u);
    let mut sum = u;
    let mut pow = u;
    for k in 1..80u64 {
        pow = pow.mul(u2);
        let term = pow.div_int(2 * k + 1);
        if term.is_zero() || term.exp < sum.exp - 132 {
            break;
        }
        sum = sum.add(term);
    }
    sum.scale(1)
}

/// log2 of a positive finite value.
fn log2(x: X) -> X {
    if x.is_zero() {
        return X::ZERO;
    }
    let mut e = x.exp;
    let mut m = X {
        sign: false,
        exp: 0,
        m: x.m,
    };
    // Keep m within [sqrt(2)/2, sqrt(2)].
    if m.m > 0xB504_F333_F9DE_6484_597D_89B3_754A_BE9F {
        m = m.scale(-1);
        e += 1;
    }
    let ln = two_atanh(m.sub(X::ONE).div(m.add(X::ONE)));
    X::from_int(e as i64).add(ln.mul(LOG2E))
}

/// FYL2X: ST(1) * log2(ST(0)).
pub fn fyl2x(x: F80, y: F80, ctx: Ctx) -> Out {
    if let Some(r) = nan_pair(x, y) {
        return r;
    }
    let de = denormal_flag(&[x, y]);
    if x.sign && !x.is_zero() {
        return INVALID;
    }
    let is_one = x == F80::ONE;
    let (r, f) = match (x.class(), y.class()) {
        (Class::Zero, Class::Zero) | (Class::Infinity, Class::Zero) => INVALID,
        (_, Class::Infinity) if is_one => INVALID,
        (Class::Zero, Class::Infinity) => (F80::inf(!y.sign), 0),
        (Class::Zero, _) => (F80::inf(!y.sign), sw::ZE),
        (Class::Infinity, _) => (F80::inf(y.sign), 0),
        (_, Class::Infinity) => {
            let below_one = X::from_f80(x).mag_gt(X::ONE);
            (F80::inf(y.sign == below_one), 0)
        }
        _ if is_one => (F80::zero(y.sign), 0),
        (_, Class::Zero) => {
            let below_one = X::ONE.mag_gt(X::from_f80(x));
            (F80::zero(y.sign != below_one), 0)
        }
        _ => finish(X::from_f80(y).mul(log2(X::from_f80(x))), ctx),
    };
    with_de((r, f), de)
}

/// FYL2XP1: ST(1) * log2(ST(0) + 1).
pub fn fyl2xp1(x: F80, y: F80, ctx: Ctx) -> Out {
    if let Some(r) = nan_pair(x, y) {
        return r;
    }
    let de = denormal_flag(&[x, y]);
    let (r, f) = match (x.class(), y.class()) {
        (Class::Zero, Class::Infinity) | (Class::Infinity, Class::Zero) => INVALID,
        (Class::Infinity, _) if x.sign => INVALID,
        (Class::Infinity, _) => (F80::inf(y.sign), 0),
        (Class::Zero, _) => (F80::zero(x.sign != y.sign), 0),
        _ => {
            let xv = X::from_f80(x);
            let one_plus = X::ONE.add(xv);
            if one_plus.sign || one_plus.is_zero() {
                INVALID
            } else if y.is_inf() {
                (F80::inf(y.sign != x.sign), 0)
            } else if y.is_zero() {
                (F80::zero(y.sign != x.sign), 0)
            } else if xv.exp < -2 {
                let ln = two_atanh(xv.div(X::ONE.add(one_plus)));
                finish(X::from_f80(y).mul(ln.mul(LOG2E)), ctx)
            } else {
                // Outside the architectural range |x| < 1 - sqrt(2)/2: plain log2(1 + x).
                finish(X::from_f80(y).mul(log2(one_plus)), ctx)
            }
        }
    };
    with_de((r, f), de)
}

/// F2XM1: 2^ST(0) - 1 (defined for |ST(0)| <= 1).
pub fn f2xm1(a: F80, ctx: Ctx) -> Out {
    if let Some(r) = nan_one(a) {
        return r;
    }
    match a.class() {
        Class::Zero => return (a, 0),
        Class::Infinity => {
            return if a.sign {
                (F80::ONE.negated(), 0)
            } else {
                (a, 0)
            }
        }
        _ => {}
    }
    let de = denormal_flag(&[a]);
    let x = X::from_f80(a);
    if x.mag_gt(X::ONE) {
        // Outside the architectural range the FPU returns the operand (inexact).
        return (a, sw::PE | de);
    }
    if x == X::ONE || x == X::ONE.negated() {
        // Exact results, yet the FPU reports them as inexact.
        let v = if x.sign {
            F80::new(true, 0x3FFE, 1 << 63)
        } else {
            F80::ONE
        };
        return (v, sw::PE | de);
    }
    let z = x.mul(LN2);
    let (r, f) = finish(series(z, z, |k| k + 1, false), ctx);
    with_de((r, f), de)
}
