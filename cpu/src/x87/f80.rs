//! The 80-bit extended-precision format: storage, classification and unpacking into an
//! exact (sign, exponent, 128-bit significand) form used by the arithmetic.

/// Exponent bias of the extended format.
pub const BIAS: i32 = 16383;
/// Smallest unbiased exponent of a normal extended value.
pub const EMIN: i32 = 1 - BIAS;
/// Largest unbiased exponent of a finite extended value.
pub const EMAX: i32 = 0x7FFE - BIAS;

/// One 80-bit extended-precision value, stored exactly as in memory.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Hash)]
pub struct F80 {
    pub sign: bool,
    /// Biased 15-bit exponent.
    pub exp: u16,
    /// 64-bit significand including the explicit integer bit (bit 63).
    pub sig: u64,
}

/// Classification of an extended value as the x87 sees it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Class {
    Zero,
    /// Exponent 0, integer bit clear, nonzero significand.
    Denormal,
    /// Exponent 0 with the integer bit set (treated as a denormal with exponent 1).
    PseudoDenormal,
    Normal,
    Infinity,
    QNaN,
    SNaN,
    /// Unnormals, pseudo-NaNs and pseudo-infinities: invalid operands on the 387 and later.
    Unsupported,
}

const J: u64 = 1 << 63;

impl F80 {
    pub const ZERO: F80 = F80 {
        sign: false,
        exp: 0,
        sig: 0,
    };
    pub const ONE: F80 = F80 {
        sign: false,
        exp: 0x3FFF,
        sig: J,
    };
    pub const INFINITY: F80 = F80 {
        sign: false,
        exp: 0x7FFF,
        sig: J,
    };
    /// The QNaN "real indefinite" produced by masked invalid operations.
    pub const INDEFINITE: F80 = F80 {
        sign: true,
        exp: 0x7FFF,
        sig: 0xC000_0000_0000_0000,
    };

    pub const fn new(sign: bool, exp: u16, sig: u64) -> F80 {
        F80 {
            sign,
            exp: exp & 0x7FFF,
            sig,
        }
    }

    /// From the 10-byte little-endian memory image.
    pub fn from_bytes(b: &[u8; 10]) -> F80 {
        let mut sig_bytes = [0u8; 8];
        sig_bytes.copy_from_slice(&b[..8]);
        let se = u16::from_le_bytes([b[8], b[9]]);
        F80 {
            sign: se & 0x8000 != 0,
            exp: se & 0x7FFF,
            sig: u64::from_le_bytes(sig_bytes),
        }
    }

    /// To the 10-byte little-endian memory image.
    pub fn to_bytes(self) -> [u8; 10] {
        let mut out = [0u8; 10];
        out[..8].copy_from_slice(&self.sig.to_le_bytes());
        let se = (self.exp & 0x7FFF) | if self.sign { 0x8000 } else { 0 };
        out[8..].copy_from_slice(&se.to_le_bytes());
        out
    }

    /// From sign/exponent word and significand.
    pub fn from_parts(se: u16, sig: u64) -> F80 {
        F80 {
            sign: se & 0x8000 != 0,
            exp: se & 0x7FFF,
            sig,
        }
    }

    /// The sign/exponent word.
    pub fn sign_exp(self) -> u16 {
        (self.exp & 0x7FFF) | if self.sign { 0x8000 } else { 0 }
    }

    pub fn class(self) -> Class {
        let j = self.sig & J != 0;
        match self.exp {
            0 if self.sig == 0 => Class::Zero,
            0 if j => Class::PseudoDenormal,
            0 => Class::Denormal,
            0x7FFF if !j => Class::Unsupported,
            0x7FFF if self.sig << 1 == 0 => Class::Infinity,
            0x7FFF if self.sig & (1 << 62) != 0 => Class::QNaN,
            0x7FFF => Class::SNaN,
            _ if !j => Class::Unsupported,
            _ => Class::Normal,
        }
    }

    pub fn is_nan(self) -> bool {
        matches!(self.class(), Class::QNaN | Class::SNaN)
    }
    pub fn is_snan(self) -> bool {
        self.class() == Class::SNaN
    }
    pub fn is_zero(self) -> bool {
        self.class() == Class::Zero
    }
    pub fn is_inf(self) -> bool {
        self.class() == Class::Infinity
    }
    pub fn is_denormal(self) -> bool {
        matches!(self.class(), Class::Denormal | Class::PseudoDenormal)
    }
    pub fn is_unsupported(self) -> bool {
        self.class() == Class::Unsupported
    }

    pub fn negated(self) -> F80 {
        F80 {
            sign: !self.sign,
            ..self
        }
    }
    pub fn abs(self) -> F80 {
        F80 {
            sign: false,
            ..self
        }
    }

    /// Pseudo-denormals re-encoded as the equal normal value (exponent 1), as the FPU
    /// returns an operand it passes through arithmetic unchanged.
    pub fn canonical(self) -> F80 {
        if self.class() == Class::PseudoDenormal {
            F80 { exp: 1, ..self }
        } else {
            self
        }
    }

    /// The NaN with its quiet bit set.
    pub fn quieted(self) -> F80 {
        F80 {
            sig: self.sig | (1 << 62),
            ..self
        }
    }

    /// Signed infinity.
    pub fn inf(sign: bool) -> F80 {
        F80 {
            sign,
            ..F80::INFINITY
        }
    }
    /// Signed zero.
    pub fn zero(sign: bool) -> F80 {
        F80 { sign, ..F80::ZERO }
    }

    /// Exact unpacked form of a finite nonzero value (normal, denormal or pseudo-denormal):
    /// value = m / 2^127 * 2^e with bit 127 of `m` set. Returns `None` for other classes.
    pub fn unpack(self) -> Option<Unpacked> {
        match self.class() {
            Class::Normal => Some(Unpacked {
                sign: self.sign,
                exp: self.exp as i32 - BIAS,
                m: (self.sig as u128) << 64,
            }),
            Class::Denormal | Class::PseudoDenormal => {
                let lz = self.sig.leading_zeros();
                Some(Unpacked {
                    sign: self.sign,
                    exp: EMIN - lz as i32,
                    m: ((self.sig << lz) as u128) << 64,
                })
            }
            _ => None,
        }
    }
}

/// An exact finite nonzero value: `m / 2^127 * 2^exp`, `m` normalized (bit 127 set).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Unpacked {
    pub sign: bool,
    pub exp: i32,
    pub m: u128,
}

impl Unpacked {
    /// Normalizes an arbitrary nonzero `m` with value `m / 2^127 * 2^exp`.
    pub fn normalized(sign: bool, exp: i32, m: u128) -> Unpacked {
        let lz = m.leading_zeros() as i32;
        Unpacked {
            sign,
            exp: exp - lz,
            m: m << lz,
        }
    }
}

/// Shifts right by `n`, OR-ing every bit shifted out into bit 0 ("jamming").
pub fn shr_jam(m: u128, n: u32) -> u128 {
    if n == 0 {
        m
    } else if n >= 128 {
        (m != 0) as u128
    } else {
        (m >> n) | ((m << (128 - n)) != 0) as u128
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_formats() {
        assert_eq!(F80::ZERO.class(), Class::Zero);
        assert_eq!(F80::ONE.class(), Class::Normal);
        assert_eq!(F80::new(false, 0, 1).class(), Class::Denormal);
        assert_eq!(F80::new(false, 0, J).class(), Class::PseudoDenormal);
        assert_eq!(F80::new(false, 5, 1).class(), Class::Unsupported);
        assert_eq!(F80::INFINITY.class(), Class::Infinity);
        assert_eq!(F80::INDEFINITE.class(), Class::QNaN);
        assert_eq!(F80::new(false, 0x7FFF, J | 1).class(), Class::SNaN);
        assert_eq!(F80::new(false, 0x7FFF, 1).class(), Class::Unsupported);
    }

    #[test]
    fn bytes_round_trip_and_unpack() {
        let v = F80::new(true, 0x4000, 0xC000_0000_0000_0001);
        assert_eq!(F80::from_bytes(&v.to_bytes()), v);
        let d = F80::new(false, 0, 4).unpack().unwrap();
        assert_eq!(d.exp, EMIN - 61);
        assert_eq!(d.m, 1u128 << 127);
        assert_eq!(shr_jam(0b1011, 2), 0b11);
        assert_eq!(shr_jam(0b1000, 2), 0b10);
    }
}
