//! EFLAGS bits and the lazy arithmetic flags: ALU operations record their operands and result,
//! and CF/PF/AF/ZF/SF/OF are computed only when something reads them.

/// EFLAGS bit masks.
pub mod bits {
    pub const CF: u32 = 1 << 0;
    pub const RESERVED1: u32 = 1 << 1;
    pub const PF: u32 = 1 << 2;
    pub const AF: u32 = 1 << 4;
    pub const ZF: u32 = 1 << 6;
    pub const SF: u32 = 1 << 7;
    pub const TF: u32 = 1 << 8;
    pub const IF: u32 = 1 << 9;
    pub const DF: u32 = 1 << 10;
    pub const OF: u32 = 1 << 11;
    pub const IOPL: u32 = 3 << 12;
    pub const NT: u32 = 1 << 14;
    pub const RF: u32 = 1 << 16;
    pub const VM: u32 = 1 << 17;
    pub const AC: u32 = 1 << 18;
    pub const VIF: u32 = 1 << 19;
    pub const VIP: u32 = 1 << 20;
    pub const ID: u32 = 1 << 21;
    /// The six arithmetic status flags.
    pub const ARITH: u32 = CF | PF | AF | ZF | SF | OF;
}

use bits::*;

/// What the last flag-setting operation was, so flags can be derived from its operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[repr(u8)]
pub enum LazyOp {
    /// No pending operation: `Flags::bits` holds everything.
    #[default]
    None = 0,
    Add,
    /// Add with carry-in 1 (ADC with CF set).
    Adc,
    Sub,
    /// Subtract with borrow-in 1 (SBB with CF set).
    Sbb,
    /// AND/OR/XOR/TEST: CF=OF=0, AF=0.
    Logic,
    /// SHL/SHR/SAR of `src1` by `src2` (1 to the operand width - 1; the JIT records these):
    /// flags as the interpreter's shift handler sets them, AF=0.
    Shl,
    Shr,
    Sar,
}

/// Operand size of a lazy operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[repr(u8)]
pub enum OpSize {
    Byte = 0,
    #[default]
    Word = 1,
    Dword = 2,
}

impl OpSize {
    #[inline]
    pub fn from_bytes(n: u32) -> OpSize {
        match n {
            1 => OpSize::Byte,
            2 => OpSize::Word,
            _ => OpSize::Dword,
        }
    }
    #[inline]
    pub fn bytes(self) -> u32 {
        1 << (self as u32)
    }
    #[inline]
    pub fn bits(self) -> u32 {
        8 << (self as u32)
    }
    #[inline]
    pub fn mask(self) -> u32 {
        match self {
            OpSize::Byte => 0xFF,
            OpSize::Word => 0xFFFF,
            OpSize::Dword => 0xFFFF_FFFF,
        }
    }
    #[inline]
    pub fn sign(self) -> u32 {
        match self {
            OpSize::Byte => 0x80,
            OpSize::Word => 0x8000,
            OpSize::Dword => 0x8000_0000,
        }
    }
}

/// EFLAGS with lazily evaluated arithmetic flags. `#[repr(C)]` so the JIT can address fields.
/// Two values are equal when their EFLAGS are (`value`): the lazy record is a cache, and
/// the interpreter and the JIT may leave different (equivalent) records behind.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C)]
pub struct Flags {
    /// Materialised bits. For the bits in `lazy_mask`, the value here is stale.
    pub bits: u32,
    /// Which arithmetic flags must be computed from the lazy operation.
    pub lazy_mask: u32,
    pub src1: u32,
    pub src2: u32,
    pub res: u32,
    pub op: LazyOp,
    pub size: OpSize,
}

impl PartialEq for Flags {
    fn eq(&self, other: &Flags) -> bool {
        self.value() == other.value()
    }
}

impl Eq for Flags {}

#[inline]
fn parity(v: u32) -> bool {
    (v as u8).count_ones() & 1 == 0
}

impl Flags {
    /// Records an arithmetic operation; all six status flags become lazy.
    #[inline]
    pub fn set_lazy(&mut self, op: LazyOp, size: OpSize, src1: u32, src2: u32, res: u32) {
        self.op = op;
        self.size = size;
        self.src1 = src1;
        self.src2 = src2;
        self.res = res;
        self.lazy_mask = ARITH;
    }

    /// Records INC/DEC: like ADD/SUB of 1 but CF is kept.
    #[inline]
    pub fn set_lazy_keep_cf(&mut self, op: LazyOp, size: OpSize, src1: u32, src2: u32, res: u32) {
        let cf = self.cf();
        self.bits = (self.bits & !CF) | cf as u32;
        self.set_lazy(op, size, src1, src2, res);
        self.lazy_mask = ARITH & !CF;
    }

    /// Sets the given flags to explicit values (`value` holds bits within `mask`).
    #[inline]
    pub fn set_bits(&mut self, mask: u32, value: u32) {
        if self.lazy_mask & !mask & ARITH != 0 {
            self.materialize();
        }
        self.bits = (self.bits & !mask) | (value & mask);
        self.lazy_mask &= !mask;
    }

    /// Sets all six arithmetic flags from a result (ZF/SF/PF) plus explicit CF/OF/AF.
    #[inline]
    pub fn set_szp(&mut self, size: OpSize, res: u32, cf: bool, of: bool, af: bool) {
        let r = res & size.mask();
        let mut v = 0;
        if cf {
            v |= CF;
        }
        if of {
            v |= OF;
        }
        if af {
            v |= AF;
        }
        if r == 0 {
            v |= ZF;
        }
        if r & size.sign() != 0 {
            v |= SF;
        }
        if parity(r) {
            v |= PF;
        }
        self.bits = (self.bits & !ARITH) | v;
        self.lazy_mask = 0;
    }

    /// Writes every flag bit into `bits` and clears the lazy state.
    #[inline]
    pub fn materialize(&mut self) {
        if self.lazy_mask != 0 {
            let m = self.lazy_mask;
            let v = self.compute(m);
            self.bits = (self.bits & !m) | v;
            self.lazy_mask = 0;
        }
    }

    /// Computes the flags in `mask` from the lazy operation.
    #[inline]
    fn compute(&self, mask: u32) -> u32 {
        let size = self.size;
        let m = size.mask();
        let sign = size.sign();
        let res = self.res & m;
        let (a, b) = (self.src1 & m, self.src2 & m);
        let mut v = 0;
        let shift_cf = || {
            let c = b.clamp(1, size.bits() - 1);
            match self.op {
                LazyOp::Shl => (a >> (size.bits() - c)) & 1 != 0,
                _ => (a >> (c - 1)) & 1 != 0,
            }
        };
        if mask & CF != 0 {
            let cf = match self.op {
                LazyOp::Add => res < a,
                LazyOp::Adc => res <= a,
                LazyOp::Sub => a < b,
                LazyOp::Sbb => a <= b,
                LazyOp::Shl | LazyOp::Shr | LazyOp::Sar => shift_cf(),
                LazyOp::Logic | LazyOp::None => false,
            };
            v |= cf as u32;
        }
        if mask & PF != 0 && parity(res) {
            v |= PF;
        }
        let no_af = matches!(
            self.op,
            LazyOp::Logic | LazyOp::Shl | LazyOp::Shr | LazyOp::Sar
        );
        if mask & AF != 0 && !no_af {
            v |= (a ^ b ^ res) & AF;
        }
        if mask & ZF != 0 && res == 0 {
            v |= ZF;
        }
        if mask & SF != 0 && res & sign != 0 {
            v |= SF;
        }
        if mask & OF != 0 {
            let of = match self.op {
                LazyOp::Add | LazyOp::Adc => (a ^ res) & (b ^ res) & sign != 0,
                LazyOp::Sub | LazyOp::Sbb => (a ^ b) & (a ^ res) & sign != 0,
                LazyOp::Shl => (res & sign != 0) ^ shift_cf(),
                LazyOp::Shr => b == 1 && a & sign != 0,
                LazyOp::Logic | LazyOp::None | LazyOp::Sar => false,
            };
            if of {
                v |= OF;
            }
        }
        v
    }

    #[inline]
    fn get(&self, flag: u32) -> bool {
        if self.lazy_mask & flag != 0 {
            self.compute(flag) != 0
        } else {
            self.bits & flag != 0
        }
    }

    #[inline]
    pub fn cf(&self) -> bool {
        self.get(CF)
    }
    #[inline]
    pub fn pf(&self) -> bool {
        self.get(PF)
    }
    #[inline]
    pub fn af(&self) -> bool {
        self.get(AF)
    }
    #[inline]
    pub fn zf(&self) -> bool {
        self.get(ZF)
    }
    #[inline]
    pub fn sf(&self) -> bool {
        self.get(SF)
    }
    #[inline]
    pub fn of(&self) -> bool {
        self.get(OF)
    }
    #[inline]
    pub fn df(&self) -> bool {
        self.bits & DF != 0
    }
    #[inline]
    pub fn if_(&self) -> bool {
        self.bits & IF != 0
    }
    #[inline]
    pub fn tf(&self) -> bool {
        self.bits & TF != 0
    }
    #[inline]
    pub fn vm(&self) -> bool {
        self.bits & VM != 0
    }
    #[inline]
    pub fn iopl(&self) -> u8 {
        ((self.bits >> 12) & 3) as u8
    }

    /// The full EFLAGS value (arith flags computed), as stored bits.
    #[inline]
    pub fn value(&self) -> u32 {
        let m = self.lazy_mask;
        if m == 0 {
            self.bits
        } else {
            (self.bits & !m) | self.compute(m)
        }
    }

    /// Evaluates a condition code (the low nibble of Jcc/SETcc/CMOVcc opcodes).
    #[inline]
    pub fn cond(&self, cc: u8) -> bool {
        let r = match cc >> 1 {
            0 => self.of(),
            1 => self.cf(),
            2 => self.zf(),
            3 => self.cf() || self.zf(),
            4 => self.sf(),
            5 => self.pf(),
            6 => self.sf() != self.of(),
            _ => self.zf() || (self.sf() != self.of()),
        };
        r ^ (cc & 1 != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_flags() {
        let cases: &[(OpSize, u32, u32, u32)] = &[
            (OpSize::Byte, 0xFF, 1, ZF | CF | AF | PF),
            (OpSize::Byte, 0x7F, 1, OF | SF | AF),
            (OpSize::Word, 0x8000, 0x8000, CF | OF | ZF | PF),
            (OpSize::Dword, 1, 2, PF),
        ];
        for &(size, a, b, want) in cases {
            let mut f = Flags::default();
            let r = a.wrapping_add(b) & size.mask();
            f.set_lazy(LazyOp::Add, size, a, b, r);
            assert_eq!(f.value() & ARITH, want, "{a:x}+{b:x} {size:?}");
        }
    }

    #[test]
    fn sub_flags() {
        let cases: &[(OpSize, u32, u32, u32)] = &[
            (OpSize::Byte, 0, 1, CF | SF | AF | PF),
            (OpSize::Byte, 0x80, 1, OF | AF),
            (OpSize::Dword, 5, 5, ZF | PF),
        ];
        for &(size, a, b, want) in cases {
            let mut f = Flags::default();
            let r = a.wrapping_sub(b) & size.mask();
            f.set_lazy(LazyOp::Sub, size, a, b, r);
            assert_eq!(f.value() & ARITH, want, "{a:x}-{b:x} {size:?}");
        }
    }

    #[test]
    fn inc_keeps_carry() {
        let mut f = Flags::default();
        f.set_lazy(LazyOp::Sub, OpSize::Byte, 0, 1, 0xFF);
        f.set_lazy_keep_cf(LazyOp::Add, OpSize::Byte, 0xFF, 1, 0);
        assert!(f.cf());
        assert!(f.zf());
    }

    #[test]
    fn conditions() {
        let mut f = Flags::default();
        f.set_lazy(LazyOp::Sub, OpSize::Dword, 1, 2, 0xFFFF_FFFF);
        assert!(f.cond(0x2)); // B
        assert!(f.cond(0xC)); // L
        assert!(!f.cond(0x4)); // E
        assert!(f.cond(0x5)); // NE
        assert!(f.cond(0x6)); // BE
        assert!(!f.cond(0xF)); // G
    }
}
