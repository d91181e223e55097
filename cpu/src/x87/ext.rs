//! A 128-bit-significand working float for the transcendental functions: enough guard bits
//! that one final rounding to 64 bits is within an ulp (truncating arithmetic, no flags).

use super::f80::{Unpacked, F80};

/// `m / 2^127 * 2^exp`, `m` normalized (bit 127 set) or zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct X {
    pub sign: bool,
    pub exp: i32,
    pub m: u128,
}

impl X {
    pub const ZERO: X = X {
        sign: false,
        exp: 0,
        m: 0,
    };
    pub const ONE: X = X {
        sign: false,
        exp: 0,
        m: 1 << 127,
    };

    pub fn new(sign: bool, exp: i32, m: u128) -> X {
        if m == 0 {
            return X::ZERO;
        }
        let lz = m.leading_zeros() as i32;
        X {
            sign,
            exp: exp - lz,
            m: m << lz,
        }
    }

    /// A constant from its normalized 128-bit significand and the exponent of its top bit.
    pub const fn constant(m: u128, top_exp: i32) -> X {
        X {
            sign: false,
            exp: top_exp,
            m,
        }
    }

    pub fn from_f80(v: F80) -> X {
        match v.unpack() {
            Some(u) => X {
                sign: u.sign,
                exp: u.exp,
                m: u.m,
            },
            None => X {
                sign: v.sign,
                ..X::ZERO
            },
        }
    }

    pub fn from_int(v: i64) -> X {
        X::new(v < 0, 127, v.unsigned_abs() as u128)
    }

    pub fn is_zero(self) -> bool {
        self.m == 0
    }

    pub fn negated(self) -> X {
        X {
            sign: !self.sign,
            ..self
        }
    }

    pub fn abs(self) -> X {
        X {
            sign: false,
            ..self
        }
    }

    /// Multiplies by 2^n.
    pub fn scale(self, n: i32) -> X {
        if self.is_zero() {
            self
        } else {
            X {
                exp: self.exp + n,
                ..self
            }
        }
    }

    /// Exact value (with the final sticky bit) for rounding to F80.
    pub fn unpacked(self) -> Unpacked {
        Unpacked {
            sign: self.sign,
            exp: self.exp,
            m: self.m | 1,
        }
    }

    pub fn add(self, o: X) -> X {
        if self.is_zero() {
            return o;
        }
        if o.is_zero() {
            return self;
        }
        let (big, small) = if (self.exp, self.m) >= (o.exp, o.m) {
            (self, o)
        } else {
            (o, self)
        };
        let d = (big.exp - small.exp) as u32;
        let mb = big.m >> 1;
        let ms = if d >= 127 { 0 } else { (small.m >> 1) >> d };
        let m = if big.sign == small.sign {
            mb + ms
        } else {
            mb - ms
        };
        X::new(big.sign, big.exp + 1, m)
    }

    pub fn sub(self, o: X) -> X {
        self.add(o.negated())
    }

    pub fn mul(self, o: X) -> X {
        if self.is_zero() || o.is_zero() {
            return X::ZERO;
        }
        let (a1, a0) = (self.m >> 64, self.m & u64::MAX as u128);
        let (b1, b0) = (o.m >> 64, o.m & u64::MAX as u128);
        let hh = a1 * b1;
        let low = u64::MAX as u128;
        let carry = (((a1 * b0) & low) + ((a0 * b1) & low) + ((a0 * b0) >> 64)) >> 64;
        let mid = ((a1 * b0) >> 64) + ((a0 * b1) >> 64) + carry;
        X::new(self.sign != o.sign, self.exp + o.exp + 1, hh + mid)
    }

    /// Division by 128-bit restoring long division.
    pub fn div(self, o: X) -> X {
        if self.is_zero() || o.is_zero() {
            return X::ZERO;
        }
        let (mut r, d) = (self.m, o.m);
        let mut q: u128 = 0;
        let mut carry = false;
        for _ in 0..128 {
            if carry || r >= d {
                r = r.wrapping_sub(d);
                q = (q << 1) | 1;
            } else {
                q <<= 1;
            }
            carry = r >> 127 != 0;
            r <<= 1;
        }
        X::new(self.sign != o.sign, self.exp - o.exp, q)
    }

    /// Division by a small positive integer.
    pub fn div_int(self, n: u64) -> X {
        if self.is_zero() {
            return self;
        }
        let n = n as u128;
        let q1 = self.m / n;
        let r1 = self.m % n;
        let q0 = (r1 << 64) / n;
        let lz = q1.leading_zeros().min(64);
        let m = (q1 << lz) | (q0 >> (64 - lz));
        X::new(self.sign, self.exp - lz as i32, m)
    }

    /// Square root by Newton iteration on the working precision.
    pub fn sqrt(self) -> X {
        if self.is_zero() {
            return self;
        }
        let odd = self.exp.rem_euclid(2) != 0;
        let half = (self.exp - odd as i32) / 2;
        let v = X {
            exp: odd as i32,
            ..self
        };
        // Initial guess from the leading 53 bits (a float-free linear estimate).
        let mut g = X {
            sign: false,
            exp: 0,
            m: (v.m >> 1) + (1u128 << 126),
        };
        if odd {
            g = g.mul(X::constant(0xB504_F333_F9DE_6484_597D_89B3_754A_BE9F, 0));
        }
        for _ in 0..7 {
            g = g.add(v.div(g)).scale(-1);
        }
        g.scale(half)
    }

    /// Compares magnitudes.
    pub fn mag_gt(self, o: X) -> bool {
        if self.is_zero() {
            return false;
        }
        o.is_zero() || (self.exp, self.m) > (o.exp, o.m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_arithmetic() {
        let three = X::from_int(3);
        let third = X::ONE.div(three);
        let back = third.mul(three);
        assert!(X::ONE.sub(back).abs().exp < -124);
        let two = X::from_int(2);
        let r = two.sqrt();
        assert_eq!(r.m >> 64, 0xB504_F333_F9DE_6484);
        assert_eq!(X::from_int(10).div_int(5), two);
        assert!(X::from_int(9).sqrt().sub(three).abs().exp < -120);
    }
}
