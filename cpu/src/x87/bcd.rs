//! FBLD/FBSTP: the 18-digit packed BCD integer format.

use super::convert::{from_mag, round_to_int};
use super::f80::{Class, F80};
use super::round::Rc;
use super::sw;

/// The packed BCD indefinite stored by a masked invalid FBSTP.
pub const BCD_INDEFINITE: [u8; 10] = [0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0xFF];

/// FBLD: decodes 18 packed BCD digits and the sign byte (exact; invalid digits are
/// accepted as their binary nibble value).
pub fn load_bcd(b: &[u8; 10]) -> F80 {
    let mut mag: u64 = 0;
    for byte in b[..9].iter().rev() {
        mag = mag.wrapping_mul(10).wrapping_add((byte >> 4) as u64);
        mag = mag.wrapping_mul(10).wrapping_add((byte & 15) as u64);
    }
    from_mag(b[9] & 0x80 != 0, mag)
}

/// FBSTP: rounds per RC and encodes as packed BCD. Returns the bytes and flags; on invalid
/// the bytes are the BCD indefinite.
pub fn store_bcd(v: F80, rc: Rc) -> ([u8; 10], u16) {
    let (mag, flags) = match v.class() {
        Class::Zero => (0u128, 0),
        Class::Normal | Class::Denormal | Class::PseudoDenormal => match v.unpack() {
            Some(u) => {
                let (mag, inexact, up) = round_to_int(u, rc);
                (
                    mag,
                    if inexact { sw::PE } else { 0 } | if up { sw::C1 } else { 0 },
                )
            }
            None => return (BCD_INDEFINITE, sw::IE),
        },
        _ => return (BCD_INDEFINITE, sw::IE),
    };
    if mag > 999_999_999_999_999_999 {
        return (BCD_INDEFINITE, sw::IE);
    }
    let mut out = [0u8; 10];
    let mut rest = mag as u64;
    for byte in out[..9].iter_mut() {
        let lo = (rest % 10) as u8;
        rest /= 10;
        let hi = (rest % 10) as u8;
        rest /= 10;
        *byte = (hi << 4) | lo;
    }
    out[9] = if v.sign { 0x80 } else { 0 };
    (out, flags)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::x87::convert::load_int;

    #[test]
    fn bcd_round_trip() {
        let bytes = [0x89, 0x67, 0x45, 0x23, 0x01, 0, 0, 0, 0, 0x80];
        let v = load_bcd(&bytes);
        assert_eq!(v, load_int(-123456789));
        assert_eq!(store_bcd(v, Rc::Nearest), (bytes, 0));
        let too_big = load_int(1_000_000_000_000_000_000);
        assert_eq!(store_bcd(too_big, Rc::Nearest), (BCD_INDEFINITE, sw::IE));
    }
}
