//! Random operand generation for the x87 differential tests: special values, rounding
//! boundaries, related operand pairs, stack faults and control words in every mode.

use super::{HostIo, IMG, MEM, REGS};
use rand::rngs::SmallRng;
use rand::Rng;
use rawbox_cpu::x87::F80;

pub fn random_sig(rng: &mut SmallRng) -> u64 {
    let s: u64 = rng.gen();
    match rng.gen_range(0..8) {
        // Near rounding boundaries of the 24/53/64-bit precisions.
        0 => {
            (s & !0xFF_FFFF_FFFF)
                | if rng.gen() {
                    0x7F_FFFF_FFFF
                } else {
                    0x80_0000_0000
                }
        }
        1 => (s & !0x7FF) | [0x3FF, 0x400, 0x7FF, 0x401][rng.gen_range(0..4)],
        2 => !0u64 << rng.gen_range(0..64),
        3 => (1 << 63) | (1u64 << rng.gen_range(0..63)),
        _ => s,
    }
}

/// A random extended value with a good share of special values.
pub fn gen_f80(rng: &mut SmallRng, exp_center: i32, exp_spread: i32) -> F80 {
    let sign: bool = rng.gen();
    let j = 1u64 << 63;
    match rng.gen_range(0..100) {
        0..=4 => F80::zero(sign),
        5..=9 => F80::new(sign, 0, random_sig(rng) >> rng.gen_range(1..64)),
        10 => F80::new(sign, 0, random_sig(rng) | j),
        11..=13 => F80::inf(sign),
        14..=15 => F80::new(sign, 0x7FFF, random_sig(rng) | j | (1 << 62)),
        16..=17 => {
            let s = (random_sig(rng) | j) & !(1 << 62);
            F80::new(sign, 0x7FFF, if s << 1 == 0 { s | 1 } else { s })
        }
        18 => F80::INDEFINITE,
        // Unnormals, pseudo-infinities and pseudo-NaNs (J clear with a nonzero exponent).
        19 => F80::new(sign, rng.gen_range(1..=0x7FFF), random_sig(rng) & !j),
        20..=22 => F80::new(sign, rng.gen_range(1..64), random_sig(rng) | j),
        23..=25 => F80::new(sign, rng.gen_range(0x7FC0..0x7FFF), random_sig(rng) | j),
        _ => {
            let e = (exp_center + rng.gen_range(-exp_spread..=exp_spread)).clamp(1, 0x7FFE);
            F80::new(sign, e as u16, random_sig(rng) | j)
        }
    }
}

/// A second operand related to the first (same/near exponent, equal, negated...).
pub fn gen_related(rng: &mut SmallRng, a: F80) -> F80 {
    match rng.gen_range(0..10) {
        0 => a,
        1 => a.negated(),
        2 | 3 if a.exp > 0 && a.exp < 0x7FFF => {
            let e = (a.exp as i32 + rng.gen_range(-70..=70)).clamp(1, 0x7FFE);
            F80::new(rng.gen(), e as u16, random_sig(rng) | (1 << 63))
        }
        4 if a.exp > 0 && a.exp < 0x7FFF => F80::new(
            rng.gen(),
            a.exp,
            a.sig ^ (1 << rng.gen_range(0..64)) | (1 << 63),
        ),
        _ => gen_f80(rng, 0x3FFF, 80),
    }
}

pub fn gen_cw(rng: &mut SmallRng) -> u16 {
    let rc: u16 = rng.gen_range(0..4);
    // PC = 01 is reserved; it is included at a low rate.
    let pc: u16 = [0, 2, 3, 0, 2, 3, 0, 2, 3, 1][rng.gen_range(0..10)];
    let masks: u16 = if rng.gen_range(0..5) == 0 {
        rng.gen_range(0..64)
    } else {
        0x3F
    };
    0x0040 | (rc << 10) | (pc << 8) | masks
}

/// Builds the input image: ST(i) = vals[i] (None = empty), TOP = 8 - depth.
pub fn image(cw: u16, vals: &[Option<F80>], top: u16) -> [u8; IMG] {
    let mut img = [0u8; IMG];
    img[0..2].copy_from_slice(&cw.to_le_bytes());
    img[4..6].copy_from_slice(&((top & 7) << 11).to_le_bytes());
    let mut tw: u16 = 0xFFFF;
    for (i, v) in vals.iter().enumerate() {
        let phys = (top as usize + i) & 7;
        let val = v.unwrap_or(F80::new(false, 0x1234, 0x5555_AAAA_5555_AAAA));
        img[REGS + 10 * i..REGS + 10 * i + 10].copy_from_slice(&val.to_bytes());
        if v.is_some() {
            tw &= !(3 << (2 * phys));
        }
    }
    img[8..10].copy_from_slice(&tw.to_le_bytes());
    img
}

/// Operand source for a test.
#[derive(Clone, Copy)]
pub enum Gen {
    /// ST0 (and ST1 related to it) from the general distribution.
    Two,
    One,
    /// ST0 in [-1, 1].
    Unit,
    /// ST0 with a moderate exponent (trigonometric arguments).
    Angle,
    /// ST0 positive, ST1 general (FYL2X).
    Log,
    /// ST0 small (FYL2XP1).
    SmallX,
    /// ST0 general, 16-byte memory operand of the given kind.
    Mem(MemKind),
    /// ST0 tuned for a store of the given kind.
    Store(MemKind),
    /// Nothing special: stack/control instructions.
    Stack,
}

#[derive(Clone, Copy)]
pub enum MemKind {
    F32,
    F64,
    F80,
    I16,
    I32,
    I64,
    Bcd,
    Cw,
    /// A 28-byte protected-mode environment image.
    Env,
}

pub fn gen_mem(rng: &mut SmallRng, k: MemKind) -> [u8; MEM] {
    let mut m = [0u8; MEM];
    rng.fill(&mut m[..]);
    match k {
        MemKind::F32 => {
            let v: u32 = match rng.gen_range(0..10) {
                0 => rng.gen::<u32>() & 0x807F_FFFF,
                1 => (rng.gen::<u32>() & 0x807F_FFFF) | 0x7F80_0000,
                2 => rng.gen::<u32>() & 0x8000_0000,
                _ => (rng.gen::<u32>() & 0x87FF_FFFF) | 0x3800_0000,
            };
            m[..4].copy_from_slice(&v.to_le_bytes());
        }
        MemKind::F64 => {
            let v: u64 = match rng.gen_range(0..10) {
                0 => rng.gen::<u64>() & 0x800F_FFFF_FFFF_FFFF,
                1 => (rng.gen::<u64>() & 0x800F_FFFF_FFFF_FFFF) | 0x7FF0_0000_0000_0000,
                2 => rng.gen::<u64>() & 0x8000_0000_0000_0000,
                _ => (rng.gen::<u64>() & 0x807F_FFFF_FFFF_FFFF) | 0x3C00_0000_0000_0000,
            };
            m[..8].copy_from_slice(&v.to_le_bytes());
        }
        MemKind::F80 => m[..10].copy_from_slice(&gen_f80(rng, 0x3FFF, 200).to_bytes()),
        MemKind::I16 | MemKind::I32 | MemKind::I64 => {
            let bits = match k {
                MemKind::I16 => 16,
                MemKind::I32 => 32,
                _ => 64,
            };
            let v: i64 = rng.gen::<i64>() >> rng.gen_range(64 - bits..64);
            m[..8].copy_from_slice(&v.to_le_bytes());
        }
        MemKind::Bcd => {
            for b in m[..9].iter_mut() {
                *b = rng.gen_range(0..10) << 4 | rng.gen_range(0..10);
            }
            m[9] &= 0x80;
        }
        MemKind::Cw => {
            let cw = gen_cw(rng) ^ (rng.gen::<u16>() & 0xE0BF);
            m[..2].copy_from_slice(&cw.to_le_bytes());
        }
        MemKind::Env => {
            let cw = gen_cw(rng) ^ (rng.gen::<u16>() & 0xE0BF);
            m[..2].copy_from_slice(&cw.to_le_bytes());
            let sw: u16 = rng.gen();
            m[4..6].copy_from_slice(&sw.to_le_bytes());
            let tw: u16 = rng.gen();
            m[8..10].copy_from_slice(&tw.to_le_bytes());
        }
    }
    m
}

/// An extended value close to k * pi/2 (with the FPU's 68-bit pi), where the argument
/// reduction of FSIN/FCOS/FPTAN is most sensitive.
pub fn near_pi_multiple(rng: &mut SmallRng) -> F80 {
    const PI68: u128 = 0xC_90FD_AA22_168C_234C; // pi * 2^66
    let bits = rng.gen_range(1..50);
    let k = rng.gen_range(1..1u128 << bits);
    let prod = k * PI68; // k * pi/2 * 2^67
    let lz = prod.leading_zeros();
    let sig = ((prod << lz) >> 64) as u64 ^ rng.gen_range(0..4u64);
    let exp = 0x3FFF + 127 - lz as i32 - 67;
    F80::new(rng.gen(), exp as u16, sig)
}

/// ST0 for stores: values around the destination's range.
pub fn gen_store_value(rng: &mut SmallRng, k: MemKind) -> F80 {
    let (center, spread) = match k {
        MemKind::F32 => (0x3FFF, 140),
        MemKind::F64 => (0x3FFF, 1040),
        MemKind::I16 => (0x3FFF + 8, 9),
        MemKind::I32 => (0x3FFF + 24, 10),
        MemKind::I64 => (0x3FFF + 56, 10),
        MemKind::Bcd => (0x3FFF + 52, 12),
        _ => (0x3FFF, 100),
    };
    gen_f80(rng, center, spread)
}

pub fn make_case(rng: &mut SmallRng, gen: Gen) -> HostIo {
    let cw = gen_cw(rng);
    let mut vals: Vec<Option<F80>> = vec![None; 8];
    let mut mem = [0u8; MEM];
    rng.fill(&mut mem[..]);
    match gen {
        Gen::Two | Gen::Stack => {
            let a = gen_f80(rng, 0x3FFF, 100);
            vals[0] = Some(a);
            vals[1] = Some(gen_related(rng, a));
            vals[2] = Some(gen_f80(rng, 0x3FFF, 100));
        }
        Gen::One => vals[0] = Some(gen_f80(rng, 0x3FFF, 100)),
        Gen::Unit => {
            vals[0] = Some(if rng.gen_range(0..10) == 0 {
                gen_f80(rng, 0x3FFF, 100)
            } else if rng.gen_range(0..30) == 0 {
                F80::new(rng.gen(), 0x3FFF, 1 << 63)
            } else {
                F80::new(
                    rng.gen(),
                    rng.gen_range(0x3F80..0x3FFF),
                    random_sig(rng) | (1 << 63),
                )
            })
        }
        Gen::Angle => {
            vals[0] = Some(match rng.gen_range(0..10) {
                0 => gen_f80(rng, 0x3FFF + 40, 30),
                1 | 2 => near_pi_multiple(rng),
                _ => F80::new(
                    rng.gen(),
                    rng.gen_range(0x3FD0..0x4010),
                    random_sig(rng) | (1 << 63),
                ),
            })
        }
        Gen::Log => {
            vals[0] = Some(match rng.gen_range(0..10) {
                0 => gen_f80(rng, 0x3FFF, 100),
                // Just above or below 1.
                1 => F80::new(
                    false,
                    0x3FFF,
                    (1 << 63) | rng.gen::<u64>() >> rng.gen_range(24..63),
                ),
                2 => F80::new(
                    false,
                    0x3FFE,
                    !0u64 ^ rng.gen::<u64>() >> rng.gen_range(24..63),
                ),
                _ => F80::new(
                    false,
                    rng.gen_range(0x3F00..0x4100),
                    random_sig(rng) | (1 << 63),
                ),
            });
            vals[1] = Some(gen_f80(rng, 0x3FFF, 30));
        }
        Gen::SmallX => {
            // FYL2XP1 is undefined for finite x <= -1 (the host returns odd values there).
            vals[0] = Some(if rng.gen_range(0..10) == 0 {
                let x = gen_f80(rng, 0x3FFF, 100);
                if x.sign && x.exp >= 0x3FFF && x.exp < 0x7FFF {
                    x.abs()
                } else {
                    x
                }
            } else {
                F80::new(
                    rng.gen(),
                    rng.gen_range(0x3F00..0x3FFD),
                    random_sig(rng) | (1 << 63),
                )
            });
            vals[1] = Some(gen_f80(rng, 0x3FFF, 30));
        }
        Gen::Mem(k) => {
            vals[0] = Some(gen_f80(rng, 0x3FFF, 100));
            mem = gen_mem(rng, k);
        }
        Gen::Store(k) => vals[0] = Some(gen_store_value(rng, k)),
    }
    // Stack faults: empty operands, or a full stack for pushes.
    match rng.gen_range(0..40) {
        0 => vals[0] = None,
        1 => vals[1] = None,
        2 => {
            for v in vals.iter_mut() {
                if v.is_none() {
                    *v = Some(gen_f80(rng, 0x3FFF, 10));
                }
            }
        }
        _ => {}
    }
    let depth = vals.iter().rposition(|v| v.is_some()).map_or(0, |p| p + 1) as u16;
    let top = (8 - depth) & 7;
    let flags = 0x202 | (rng.gen::<u64>() & 0x45);
    HostIo {
        image: image(cw, &vals, top),
        mem,
        flags,
    }
}
