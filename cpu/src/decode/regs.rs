//! Mapping iced-x86 registers to rawbox register-file locations.

use iced_x86::Register;

/// Where a register operand lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegLoc {
    /// 8-bit register by encoding number (AL CL DL BL AH CH DH BH).
    R8(u8),
    R16(u8),
    R32(u8),
    Seg(u8),
    Cr(u8),
    Dr(u8),
    Tr(u8),
    St(u8),
    Other,
}

/// Classifies an iced register.
#[inline]
pub fn reg_loc(r: Register) -> RegLoc {
    let n = r.number() as u8;
    if r.is_gpr8() {
        RegLoc::R8(n)
    } else if r.is_gpr16() {
        RegLoc::R16(n)
    } else if r.is_gpr32() {
        RegLoc::R32(n)
    } else if r.is_segment_register() {
        RegLoc::Seg(n)
    } else if r.is_cr() {
        RegLoc::Cr(n)
    } else if r.is_dr() {
        RegLoc::Dr(n)
    } else if r.is_tr() {
        RegLoc::Tr(n)
    } else if r.is_st() {
        RegLoc::St(n)
    } else {
        RegLoc::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_matches_encoding() {
        assert_eq!(reg_loc(Register::AL), RegLoc::R8(0));
        assert_eq!(reg_loc(Register::BH), RegLoc::R8(7));
        assert_eq!(reg_loc(Register::SP), RegLoc::R16(4));
        assert_eq!(reg_loc(Register::EDI), RegLoc::R32(7));
        assert_eq!(reg_loc(Register::ES), RegLoc::Seg(0));
        assert_eq!(reg_loc(Register::GS), RegLoc::Seg(5));
        assert_eq!(reg_loc(Register::CR3), RegLoc::Cr(3));
        assert_eq!(reg_loc(Register::DR7), RegLoc::Dr(7));
    }
}
