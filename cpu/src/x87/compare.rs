//! FCOM/FUCOM/FICOM/FTST/FCOMI comparisons and FXAM classification.

use super::arith::denormal_flag;
use super::f80::{Class, F80};
use super::sw;
use core::cmp::Ordering;

/// Outcome of an x87 comparison.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Relation {
    Greater,
    Less,
    Equal,
    Unordered,
}

impl Relation {
    /// The condition-code bits (C3, C2, C0) the relation sets in the status word.
    pub fn cc(self) -> u16 {
        match self {
            Relation::Greater => 0,
            Relation::Less => sw::C0,
            Relation::Equal => sw::C3,
            Relation::Unordered => sw::C3 | sw::C2 | sw::C0,
        }
    }
    /// (ZF, PF, CF) as set by FCOMI/FUCOMI.
    pub fn eflags(self) -> (bool, bool, bool) {
        match self {
            Relation::Greater => (false, false, false),
            Relation::Less => (false, false, true),
            Relation::Equal => (true, false, false),
            Relation::Unordered => (true, true, true),
        }
    }
}

fn magnitude_key(v: F80) -> (u8, i32, u128) {
    match v.class() {
        Class::Zero => (0, 0, 0),
        Class::Infinity => (2, 0, 0),
        _ => v.unpack().map_or((0, 0, 0), |u| (1, u.exp, u.m)),
    }
}

/// Orders two non-NaN supported values (+0 equals -0).
pub fn order(a: F80, b: F80) -> Ordering {
    if a.is_zero() && b.is_zero() {
        return Ordering::Equal;
    }
    if a.sign != b.sign {
        return if a.sign {
            Ordering::Less
        } else {
            Ordering::Greater
        };
    }
    let o = magnitude_key(a).cmp(&magnitude_key(b));
    if a.sign {
        o.reverse()
    } else {
        o
    }
}

/// Compares `a` with `b`. `unordered_ok` is the FUCOM behaviour: only SNaNs are invalid.
pub fn compare(a: F80, b: F80, unordered_ok: bool) -> (Relation, u16) {
    if a.is_unsupported() || b.is_unsupported() {
        return (Relation::Unordered, sw::IE);
    }
    if a.is_nan() || b.is_nan() {
        let invalid = !unordered_ok || a.is_snan() || b.is_snan();
        return (Relation::Unordered, if invalid { sw::IE } else { 0 });
    }
    let rel = match order(a, b) {
        Ordering::Greater => Relation::Greater,
        Ordering::Less => Relation::Less,
        Ordering::Equal => Relation::Equal,
    };
    (rel, denormal_flag(&[a, b]))
}

/// FXAM condition codes (C3, C2, C1, C0) for a register; `empty` for an empty tag.
pub fn examine(v: F80, empty: bool) -> u16 {
    let sign = if v.sign { sw::C1 } else { 0 };
    let class = if empty {
        sw::C3 | sw::C0
    } else {
        match v.class() {
            Class::Unsupported => 0,
            Class::QNaN | Class::SNaN => sw::C0,
            Class::Normal => sw::C2,
            Class::Infinity => sw::C2 | sw::C0,
            Class::Zero => sw::C3,
            Class::Denormal | Class::PseudoDenormal => sw::C3 | sw::C2,
        }
    };
    sign | class
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations() {
        let two = F80::new(false, 0x4000, 1 << 63);
        assert_eq!(compare(F80::ONE, two, false), (Relation::Less, 0));
        assert_eq!(
            compare(two.negated(), F80::ONE.negated(), false),
            (Relation::Less, 0)
        );
        assert_eq!(
            compare(F80::ZERO, F80::ZERO.negated(), false),
            (Relation::Equal, 0)
        );
        assert_eq!(compare(F80::INFINITY, two, false), (Relation::Greater, 0));
        assert_eq!(
            compare(F80::INDEFINITE, two, true),
            (Relation::Unordered, 0)
        );
        assert_eq!(
            compare(F80::INDEFINITE, two, false),
            (Relation::Unordered, sw::IE)
        );
        assert_eq!(examine(F80::INDEFINITE, false), sw::C1 | sw::C0);
        assert_eq!(examine(F80::ZERO, true), sw::C3 | sw::C0);
    }
}
