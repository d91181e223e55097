//! Differential tests of the soft-float x87 (`rawbox_cpu::x87`) against the host CPU's own x87.
//!
//! Every case builds a 108-byte FSAVE image (ST0/ST1/..., tags, control word), then:
//! - host: `FRSTOR image; <instruction bytes>; FNSAVE image` with the memory operand at [rax]
//!   and EFLAGS loaded before / captured after the instruction;
//! - emulator: `execute(FRSTOR)`, `execute(<same bytes decoded by iced in 32-bit mode>)`,
//!   `execute(FNSAVE)`.
//!
//! The two resulting images (control/status/tag words and all eight registers), the memory
//! operand and the flags are compared bit for bit (status bits the SDM leaves undefined for
//! an instruction are masked; transcendental results may differ by one ulp).
#![cfg(target_arch = "x86_64")]

use iced_x86::{Decoder, DecoderOptions, Instruction};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rawbox_cpu::x87::{execute, Fpu, FpuHost, F80};
use rawbox_cpu::GResult;
use std::arch::asm;

const IMG: usize = 108;
const REGS: usize = 28;
/// Size of the memory-operand buffer (large enough for FSTENV).
const MEM: usize = 32;

/// What a host oracle function sees and returns.
struct HostIo {
    image: [u8; IMG],
    mem: [u8; MEM],
    flags: u64,
}

macro_rules! host_op {
    ($name:ident, $($byte:literal),+) => {
        fn $name(io: &mut HostIo) {
            let mut flags = io.flags;
            // SAFETY: the block only touches the two buffers it is given (`io.image`: 108
            // bytes, FRSTOR/FNSAVE; `io.mem`: 32 bytes, the memory operand at [rax]) and
            // EFLAGS; FNSAVE re-initializes the FPU so the x87 stack is empty on exit as the
            // ABI requires, and every x87/MMX register is declared clobbered.
            unsafe {
                asm!(
                    "push {fl}",
                    "popfq",
                    "frstor [{img}]",
                    concat!(".byte ", $(stringify!($byte), ", ",)+ "0x90"),
                    "pushfq",
                    "pop {fl}",
                    "fnsave [{img}]",
                    img = in(reg) io.image.as_mut_ptr(),
                    fl = inout(reg) flags,
                    in("rax") io.mem.as_mut_ptr(),
                    out("st(0)") _, out("st(1)") _, out("st(2)") _, out("st(3)") _,
                    out("st(4)") _, out("st(5)") _, out("st(6)") _, out("st(7)") _,
                    out("mm0") _, out("mm1") _, out("mm2") _, out("mm3") _,
                    out("mm4") _, out("mm5") _, out("mm6") _, out("mm7") _,
                );
            }
            io.flags = flags;
        }
    };
}

// Arithmetic.
host_op!(h_fadd_st0_st1, 0xD8, 0xC1);
host_op!(h_fmul_st0_st1, 0xD8, 0xC9);
host_op!(h_fsub_st0_st1, 0xD8, 0xE1);
host_op!(h_fsubr_st0_st1, 0xD8, 0xE9);
host_op!(h_fdiv_st0_st1, 0xD8, 0xF1);
host_op!(h_fdivr_st0_st1, 0xD8, 0xF9);
host_op!(h_faddp, 0xDE, 0xC1);
host_op!(h_fsubp, 0xDE, 0xE9);
host_op!(h_fsubrp, 0xDE, 0xE1);
host_op!(h_fmulp, 0xDE, 0xC9);
host_op!(h_fdivp, 0xDE, 0xF9);
host_op!(h_fdivrp, 0xDE, 0xF1);
host_op!(h_fsub_st1_st0, 0xDC, 0xE9);
host_op!(h_fdiv_st1_st0, 0xDC, 0xF9);
host_op!(h_fadd_m32, 0xD8, 0x00);
host_op!(h_fmul_m32, 0xD8, 0x08);
host_op!(h_fsub_m32, 0xD8, 0x20);
host_op!(h_fdivr_m32, 0xD8, 0x38);
host_op!(h_fadd_m64, 0xDC, 0x00);
host_op!(h_fsubr_m64, 0xDC, 0x28);
host_op!(h_fdiv_m64, 0xDC, 0x30);
host_op!(h_fiadd_m16, 0xDE, 0x00);
host_op!(h_fimul_m32, 0xDA, 0x08);
host_op!(h_fidiv_m32, 0xDA, 0x30);
host_op!(h_fisubr_m16, 0xDE, 0x28);
// Compares.
host_op!(h_fcom_st1, 0xD8, 0xD1);
host_op!(h_fcomp_st1, 0xD8, 0xD9);
host_op!(h_fcompp, 0xDE, 0xD9);
host_op!(h_fucom_st1, 0xDD, 0xE1);
host_op!(h_fucompp, 0xDA, 0xE9);
host_op!(h_fcom_m32, 0xD8, 0x10);
host_op!(h_fcomp_m64, 0xDC, 0x18);
host_op!(h_ficom_m16, 0xDE, 0x10);
host_op!(h_ficomp_m32, 0xDA, 0x18);
host_op!(h_ftst, 0xD9, 0xE4);
host_op!(h_fxam, 0xD9, 0xE5);
host_op!(h_fcomi, 0xDB, 0xF1);
host_op!(h_fucomip, 0xDF, 0xE9);
// Conversions.
host_op!(h_fld_m32, 0xD9, 0x00);
host_op!(h_fld_m64, 0xDD, 0x00);
host_op!(h_fld_m80, 0xDB, 0x28);
host_op!(h_fst_m32, 0xD9, 0x10);
host_op!(h_fstp_m32, 0xD9, 0x18);
host_op!(h_fst_m64, 0xDD, 0x10);
host_op!(h_fstp_m64, 0xDD, 0x18);
host_op!(h_fstp_m80, 0xDB, 0x38);
host_op!(h_fild_m16, 0xDF, 0x00);
host_op!(h_fild_m32, 0xDB, 0x00);
host_op!(h_fild_m64, 0xDF, 0x28);
host_op!(h_fist_m16, 0xDF, 0x10);
host_op!(h_fistp_m16, 0xDF, 0x18);
host_op!(h_fist_m32, 0xDB, 0x10);
host_op!(h_fistp_m64, 0xDF, 0x38);
host_op!(h_fbld, 0xDF, 0x20);
host_op!(h_fbstp, 0xDF, 0x30);
// One- and two-operand numeric instructions.
host_op!(h_fsqrt, 0xD9, 0xFA);
host_op!(h_frndint, 0xD9, 0xFC);
host_op!(h_fscale, 0xD9, 0xFD);
host_op!(h_fxtract, 0xD9, 0xF4);
host_op!(h_fprem, 0xD9, 0xF8);
host_op!(h_fprem1, 0xD9, 0xF5);
host_op!(h_fchs, 0xD9, 0xE0);
host_op!(h_fabs, 0xD9, 0xE1);
// Transcendentals.
host_op!(h_fsin, 0xD9, 0xFE);
host_op!(h_fcos, 0xD9, 0xFF);
host_op!(h_fsincos, 0xD9, 0xFB);
host_op!(h_fptan, 0xD9, 0xF2);
host_op!(h_fpatan, 0xD9, 0xF3);
host_op!(h_f2xm1, 0xD9, 0xF0);
host_op!(h_fyl2x, 0xD9, 0xF1);
host_op!(h_fyl2xp1, 0xD9, 0xF9);
// Constants, stack and control.
host_op!(h_fldpi, 0xD9, 0xEB);
host_op!(h_fldl2t, 0xD9, 0xE9);
host_op!(h_fldl2e, 0xD9, 0xEA);
host_op!(h_fldlg2, 0xD9, 0xEC);
host_op!(h_fldln2, 0xD9, 0xED);
host_op!(h_fld1, 0xD9, 0xE8);
host_op!(h_fxch, 0xD9, 0xC9);
host_op!(h_fld_st1, 0xD9, 0xC1);
host_op!(h_fstp_st2, 0xDD, 0xDA);
host_op!(h_fincstp, 0xD9, 0xF7);
host_op!(h_fdecstp, 0xD9, 0xF6);
host_op!(h_ffree_st1, 0xDD, 0xC1);
host_op!(h_fcmovbe, 0xDA, 0xD1);
host_op!(h_fcmovnu, 0xDB, 0xD9);
host_op!(h_fldcw, 0xD9, 0x28);
host_op!(h_fnstcw, 0xD9, 0x38);
host_op!(h_fnclex, 0xDB, 0xE2);
host_op!(h_fnstenv, 0xD9, 0x30);
host_op!(h_fldenv, 0xD9, 0x20);
// More operand forms.
host_op!(h_fsubr_m32, 0xD8, 0x28);
host_op!(h_fmul_m64, 0xDC, 0x08);
host_op!(h_fdivr_m64, 0xDC, 0x38);
host_op!(h_fisub_m32, 0xDA, 0x20);
host_op!(h_fidivr_m16, 0xDE, 0x38);
host_op!(h_fimul_m16, 0xDE, 0x08);
host_op!(h_fadd_st1_st0, 0xDC, 0xC1);
host_op!(h_fmul_st2_st0, 0xDC, 0xCA);
host_op!(h_fsubr_st1_st0, 0xDC, 0xE1);
host_op!(h_fdivr_st1_st0, 0xDC, 0xF1);
host_op!(h_fucomp_st1, 0xDD, 0xE9);
host_op!(h_fucomi, 0xDB, 0xE9);
host_op!(h_fcomip, 0xDF, 0xF1);
host_op!(h_fcom_st2, 0xD8, 0xD2);
host_op!(h_fcmovb, 0xDA, 0xC1);
host_op!(h_fcmove, 0xDA, 0xCA);
host_op!(h_fcmovu, 0xDA, 0xD9);
host_op!(h_fcmovnb, 0xDB, 0xC1);
host_op!(h_fcmovne, 0xDB, 0xCA);
host_op!(h_fcmovnbe, 0xDB, 0xD1);
host_op!(h_fldz, 0xD9, 0xEE);
host_op!(h_fistp_m32, 0xDB, 0x18);
host_op!(h_fisttp_m16, 0xDF, 0x08);
host_op!(h_fisttp_m32, 0xDB, 0x08);
host_op!(h_fisttp_m64, 0xDD, 0x08);
host_op!(h_fst_st3, 0xDD, 0xD3);
host_op!(h_fxch_st3, 0xD9, 0xCB);
host_op!(h_ffreep, 0xDF, 0xC1);
host_op!(h_fnop, 0xD9, 0xD0);

/// The emulator's view of the same instruction.
struct Mock {
    mem: Vec<u8>,
    flags: u32,
    ax: u16,
}

impl FpuHost for Mock {
    fn read_mem(&mut self, offset: u32, out: &mut [u8]) -> GResult<()> {
        let start = offset as usize;
        out.copy_from_slice(&self.mem[start..start + out.len()]);
        Ok(())
    }
    fn write_mem(&mut self, offset: u32, data: &[u8]) -> GResult<()> {
        let start = offset as usize;
        self.mem[start..start + data.len()].copy_from_slice(data);
        Ok(())
    }
    fn set_ax(&mut self, v: u16) {
        self.ax = v;
    }
    fn set_zf_pf_cf(&mut self, zf: bool, pf: bool, cf: bool) {
        self.flags &= !(0x40 | 0x04 | 0x01 | 0x800 | 0x80 | 0x10);
        self.flags |= (zf as u32) << 6 | (pf as u32) << 2 | cf as u32;
    }
    fn eflags(&self) -> u32 {
        self.flags
    }
    fn operand_32bit(&self) -> bool {
        true
    }
    fn protected_mode(&self) -> bool {
        true
    }
    fn instr_pointer(&self) -> (u16, u32) {
        (0x23, 0x1000)
    }
    fn data_pointer(&self) -> (u16, u32) {
        (0x2B, 0x2000)
    }
}

fn decode(bytes: &[u8]) -> Instruction {
    let mut d = Decoder::with_ip(32, bytes, 0x1000, DecoderOptions::NONE);
    d.decode()
}

/// Runs one instruction on the emulator: FRSTOR image, op, FNSAVE.
fn emulate(bytes: &[u8], io: &mut HostIo) {
    let mut fpu = Fpu::new();
    let mut host = Mock {
        mem: io.image.to_vec(),
        flags: io.flags as u32,
        ax: 0,
    };
    execute(&mut fpu, &decode(&[0xDD, 0x20]), &mut host).unwrap();
    host.mem = io.mem.to_vec();
    execute(&mut fpu, &decode(bytes), &mut host).unwrap();
    io.mem.copy_from_slice(&host.mem[..MEM]);
    io.flags = host.flags as u64;
    host.mem = vec![0; IMG];
    execute(&mut fpu, &decode(&[0xDD, 0x30]), &mut host).unwrap();
    io.image.copy_from_slice(&host.mem);
}

/// How the results of an instruction are compared.
#[derive(Clone, Copy)]
struct Check {
    /// Status-word bits compared.
    sw_mask: u16,
    /// Memory bytes written by the instruction.
    mem_out: usize,
    /// Compare ZF/PF/CF.
    eflags: bool,
    /// Register values may differ by one ulp (transcendentals).
    ulp_tolerance: bool,
}

const ALL_SW: u16 = 0xFFFF;
/// C0, C2 and C3 are undefined after arithmetic and conversions.
const ARITH_SW: u16 = !(0x0100 | 0x0400 | 0x4000);

fn check(sw_mask: u16) -> Check {
    Check {
        sw_mask,
        mem_out: 0,
        eflags: false,
        ulp_tolerance: false,
    }
}

fn reg(image: &[u8; IMG], i: usize) -> F80 {
    let mut b = [0u8; 10];
    b.copy_from_slice(&image[REGS + 10 * i..REGS + 10 * i + 10]);
    F80::from_bytes(&b)
}

fn word(image: &[u8; IMG], off: usize) -> u16 {
    u16::from_le_bytes([image[off], image[off + 1]])
}

fn within_ulp(a: F80, b: F80) -> bool {
    if a == b {
        return true;
    }
    if a.sign != b.sign || a.exp == 0x7FFF || b.exp == 0x7FFF {
        return false;
    }
    let key = |v: F80| ((v.exp as i128) << 63) + (v.sig as i128 & ((1 << 63) - 1));
    (key(a) - key(b)).abs() <= 1
}

/// Compares two result images; returns a description of the first difference.
fn compare(c: Check, host: &HostIo, emu: &HostIo) -> Option<String> {
    let (hs, es) = (word(&host.image, 4), word(&emu.image, 4));
    let mask = if c.ulp_tolerance {
        c.sw_mask & !0x0200
    } else {
        c.sw_mask
    };
    if hs & mask != es & mask {
        let (h0, e0) = (hex(reg(&host.image, 0)), hex(reg(&emu.image, 0)));
        return Some(format!(
            "SW host {hs:04x} emu {es:04x} (mask {mask:04x}); ST0 host {h0} emu {e0}"
        ));
    }
    for off in [0usize, 8] {
        let (h, e) = (word(&host.image, off), word(&emu.image, off));
        if h != e {
            return Some(format!("word@{off} host {h:04x} emu {e:04x}"));
        }
    }
    for i in 0..8 {
        let (h, e) = (reg(&host.image, i), reg(&emu.image, i));
        let same = if c.ulp_tolerance {
            within_ulp(h, e)
        } else {
            h == e
        };
        if !same {
            return Some(format!("ST{i} host {} emu {}", hex(h), hex(e)));
        }
    }
    if host.mem[..c.mem_out] != emu.mem[..c.mem_out] {
        return Some(format!(
            "mem host {:02x?} emu {:02x?}",
            &host.mem[..c.mem_out],
            &emu.mem[..c.mem_out]
        ));
    }
    if c.eflags && host.flags & 0x45 != emu.flags & 0x45 {
        return Some(format!(
            "eflags host {:x} emu {:x}",
            host.flags & 0x45,
            emu.flags & 0x45
        ));
    }
    None
}

fn hex(v: F80) -> String {
    format!("{:04x}:{:016x}", v.sign_exp(), v.sig)
}

// ---------------------------------------------------------------- operand generation

fn random_sig(rng: &mut SmallRng) -> u64 {
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
fn gen_f80(rng: &mut SmallRng, exp_center: i32, exp_spread: i32) -> F80 {
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
        19 => F80::new(sign, rng.gen_range(0..0x7FFF), random_sig(rng) & !j),
        20..=22 => F80::new(sign, rng.gen_range(1..64), random_sig(rng) | j),
        23..=25 => F80::new(sign, rng.gen_range(0x7FC0..0x7FFF), random_sig(rng) | j),
        _ => {
            let e = (exp_center + rng.gen_range(-exp_spread..=exp_spread)).clamp(1, 0x7FFE);
            F80::new(sign, e as u16, random_sig(rng) | j)
        }
    }
}

/// A second operand related to the first (same/near exponent, equal, negated...).
fn gen_related(rng: &mut SmallRng, a: F80) -> F80 {
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

fn gen_cw(rng: &mut SmallRng) -> u16 {
    let rc: u16 = rng.gen_range(0..4);
    let pc: u16 = [0, 2, 3][rng.gen_range(0..3)];
    let masks: u16 = if rng.gen_range(0..5) == 0 {
        rng.gen_range(0..64)
    } else {
        0x3F
    };
    0x0040 | (rc << 10) | (pc << 8) | masks
}

/// Builds the input image: ST(i) = vals[i] (None = empty), TOP = 8 - depth.
fn image(cw: u16, vals: &[Option<F80>], top: u16) -> [u8; IMG] {
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
enum Gen {
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
enum MemKind {
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

fn gen_mem(rng: &mut SmallRng, k: MemKind) -> [u8; MEM] {
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
fn near_pi_multiple(rng: &mut SmallRng) -> F80 {
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
fn gen_store_value(rng: &mut SmallRng, k: MemKind) -> F80 {
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

fn make_case(rng: &mut SmallRng, gen: Gen) -> HostIo {
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

/// Runs `n` random cases of one instruction and reports the first mismatches.
fn run(name: &str, bytes: &[u8], host: fn(&mut HostIo), gen: Gen, c: Check, n: usize, seed: u64) {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut failures = Vec::new();
    let mut count = 0;
    for _ in 0..n {
        let input = make_case(&mut rng, gen);
        let mut h = HostIo {
            image: input.image,
            mem: input.mem,
            flags: input.flags,
        };
        let mut e = HostIo {
            image: input.image,
            mem: input.mem,
            flags: input.flags,
        };
        host(&mut h);
        emulate(bytes, &mut e);
        if let Some(diff) = compare(c, &h, &e) {
            count += 1;
            if failures.len() < 8 {
                failures.push(format!(
                    "  cw={:04x} st0={} st1={} mem={:02x?}: {diff}",
                    word(&input.image, 0),
                    hex(reg(&input.image, 0)),
                    hex(reg(&input.image, 1)),
                    &input.mem[..10]
                ));
            }
        }
    }
    assert!(
        count == 0,
        "{name}: {count}/{n} mismatches\n{}",
        failures.join("\n")
    );
}

const N: usize = 10_000;

/// Per-test seed from the test name (plus `X87_DIFF_SEED` to explore other sequences).
fn seed(name: &str) -> u64 {
    let extra = std::env::var("X87_DIFF_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(0);
    name.bytes().fold(0x5EED_u64 ^ extra, |h, b| {
        h.wrapping_mul(0x100_0000_01B3) ^ b as u64
    })
}

macro_rules! diff_test {
    ($test:ident, $host:ident, [$($b:literal),+], $gen:expr, $check:expr) => {
        #[test]
        fn $test() {
            run(stringify!($test), &[$($b),+], $host, $gen, $check, N, seed(stringify!($test)));
        }
    };
}

fn mem_check(sw: u16, n: usize) -> Check {
    Check {
        mem_out: n,
        ..check(sw)
    }
}

fn trans_check() -> Check {
    Check {
        ulp_tolerance: true,
        ..check(ARITH_SW)
    }
}

diff_test!(
    fadd_st0_st1,
    h_fadd_st0_st1,
    [0xD8, 0xC1],
    Gen::Two,
    check(ARITH_SW)
);
diff_test!(
    fmul_st0_st1,
    h_fmul_st0_st1,
    [0xD8, 0xC9],
    Gen::Two,
    check(ARITH_SW)
);
diff_test!(
    fsub_st0_st1,
    h_fsub_st0_st1,
    [0xD8, 0xE1],
    Gen::Two,
    check(ARITH_SW)
);
diff_test!(
    fsubr_st0_st1,
    h_fsubr_st0_st1,
    [0xD8, 0xE9],
    Gen::Two,
    check(ARITH_SW)
);
diff_test!(
    fdiv_st0_st1,
    h_fdiv_st0_st1,
    [0xD8, 0xF1],
    Gen::Two,
    check(ARITH_SW)
);
diff_test!(
    fdivr_st0_st1,
    h_fdivr_st0_st1,
    [0xD8, 0xF9],
    Gen::Two,
    check(ARITH_SW)
);
diff_test!(faddp, h_faddp, [0xDE, 0xC1], Gen::Two, check(ARITH_SW));
diff_test!(fsubp, h_fsubp, [0xDE, 0xE9], Gen::Two, check(ARITH_SW));
diff_test!(fsubrp, h_fsubrp, [0xDE, 0xE1], Gen::Two, check(ARITH_SW));
diff_test!(fmulp, h_fmulp, [0xDE, 0xC9], Gen::Two, check(ARITH_SW));
diff_test!(fdivp, h_fdivp, [0xDE, 0xF9], Gen::Two, check(ARITH_SW));
diff_test!(fdivrp, h_fdivrp, [0xDE, 0xF1], Gen::Two, check(ARITH_SW));
diff_test!(
    fsub_st1_st0,
    h_fsub_st1_st0,
    [0xDC, 0xE9],
    Gen::Two,
    check(ARITH_SW)
);
diff_test!(
    fdiv_st1_st0,
    h_fdiv_st1_st0,
    [0xDC, 0xF9],
    Gen::Two,
    check(ARITH_SW)
);
diff_test!(
    fadd_m32,
    h_fadd_m32,
    [0xD8, 0x00],
    Gen::Mem(MemKind::F32),
    check(ARITH_SW)
);
diff_test!(
    fmul_m32,
    h_fmul_m32,
    [0xD8, 0x08],
    Gen::Mem(MemKind::F32),
    check(ARITH_SW)
);
diff_test!(
    fsub_m32,
    h_fsub_m32,
    [0xD8, 0x20],
    Gen::Mem(MemKind::F32),
    check(ARITH_SW)
);
diff_test!(
    fdivr_m32,
    h_fdivr_m32,
    [0xD8, 0x38],
    Gen::Mem(MemKind::F32),
    check(ARITH_SW)
);
diff_test!(
    fadd_m64,
    h_fadd_m64,
    [0xDC, 0x00],
    Gen::Mem(MemKind::F64),
    check(ARITH_SW)
);
diff_test!(
    fsubr_m64,
    h_fsubr_m64,
    [0xDC, 0x28],
    Gen::Mem(MemKind::F64),
    check(ARITH_SW)
);
diff_test!(
    fdiv_m64,
    h_fdiv_m64,
    [0xDC, 0x30],
    Gen::Mem(MemKind::F64),
    check(ARITH_SW)
);
diff_test!(
    fiadd_m16,
    h_fiadd_m16,
    [0xDE, 0x00],
    Gen::Mem(MemKind::I16),
    check(ARITH_SW)
);
diff_test!(
    fimul_m32,
    h_fimul_m32,
    [0xDA, 0x08],
    Gen::Mem(MemKind::I32),
    check(ARITH_SW)
);
diff_test!(
    fidiv_m32,
    h_fidiv_m32,
    [0xDA, 0x30],
    Gen::Mem(MemKind::I32),
    check(ARITH_SW)
);
diff_test!(
    fisubr_m16,
    h_fisubr_m16,
    [0xDE, 0x28],
    Gen::Mem(MemKind::I16),
    check(ARITH_SW)
);

diff_test!(fcom_st1, h_fcom_st1, [0xD8, 0xD1], Gen::Two, check(ALL_SW));
diff_test!(
    fcomp_st1,
    h_fcomp_st1,
    [0xD8, 0xD9],
    Gen::Two,
    check(ALL_SW)
);
diff_test!(fcompp, h_fcompp, [0xDE, 0xD9], Gen::Two, check(ALL_SW));
diff_test!(
    fucom_st1,
    h_fucom_st1,
    [0xDD, 0xE1],
    Gen::Two,
    check(ALL_SW)
);
diff_test!(fucompp, h_fucompp, [0xDA, 0xE9], Gen::Two, check(ALL_SW));
diff_test!(
    fcom_m32,
    h_fcom_m32,
    [0xD8, 0x10],
    Gen::Mem(MemKind::F32),
    check(ALL_SW)
);
diff_test!(
    fcomp_m64,
    h_fcomp_m64,
    [0xDC, 0x18],
    Gen::Mem(MemKind::F64),
    check(ALL_SW)
);
diff_test!(
    ficom_m16,
    h_ficom_m16,
    [0xDE, 0x10],
    Gen::Mem(MemKind::I16),
    check(ALL_SW)
);
diff_test!(
    ficomp_m32,
    h_ficomp_m32,
    [0xDA, 0x18],
    Gen::Mem(MemKind::I32),
    check(ALL_SW)
);
diff_test!(ftst, h_ftst, [0xD9, 0xE4], Gen::One, check(ALL_SW));
diff_test!(fxam, h_fxam, [0xD9, 0xE5], Gen::Two, check(ALL_SW));
diff_test!(
    fcomi,
    h_fcomi,
    [0xDB, 0xF1],
    Gen::Two,
    Check {
        eflags: true,
        ..check(ARITH_SW)
    }
);
diff_test!(
    fucomip,
    h_fucomip,
    [0xDF, 0xE9],
    Gen::Two,
    Check {
        eflags: true,
        ..check(ARITH_SW)
    }
);

diff_test!(
    fld_m32,
    h_fld_m32,
    [0xD9, 0x00],
    Gen::Mem(MemKind::F32),
    check(ARITH_SW)
);
diff_test!(
    fld_m64,
    h_fld_m64,
    [0xDD, 0x00],
    Gen::Mem(MemKind::F64),
    check(ARITH_SW)
);
diff_test!(
    fld_m80,
    h_fld_m80,
    [0xDB, 0x28],
    Gen::Mem(MemKind::F80),
    check(ARITH_SW)
);
diff_test!(
    fst_m32,
    h_fst_m32,
    [0xD9, 0x10],
    Gen::Store(MemKind::F32),
    mem_check(ARITH_SW, 4)
);
diff_test!(
    fstp_m32,
    h_fstp_m32,
    [0xD9, 0x18],
    Gen::Store(MemKind::F32),
    mem_check(ARITH_SW, 4)
);
diff_test!(
    fst_m64,
    h_fst_m64,
    [0xDD, 0x10],
    Gen::Store(MemKind::F64),
    mem_check(ARITH_SW, 8)
);
diff_test!(
    fstp_m64,
    h_fstp_m64,
    [0xDD, 0x18],
    Gen::Store(MemKind::F64),
    mem_check(ARITH_SW, 8)
);
diff_test!(
    fstp_m80,
    h_fstp_m80,
    [0xDB, 0x38],
    Gen::Two,
    mem_check(ARITH_SW, 10)
);
diff_test!(
    fild_m16,
    h_fild_m16,
    [0xDF, 0x00],
    Gen::Mem(MemKind::I16),
    check(ARITH_SW)
);
diff_test!(
    fild_m32,
    h_fild_m32,
    [0xDB, 0x00],
    Gen::Mem(MemKind::I32),
    check(ARITH_SW)
);
diff_test!(
    fild_m64,
    h_fild_m64,
    [0xDF, 0x28],
    Gen::Mem(MemKind::I64),
    check(ARITH_SW)
);
diff_test!(
    fist_m16,
    h_fist_m16,
    [0xDF, 0x10],
    Gen::Store(MemKind::I16),
    mem_check(ARITH_SW, 2)
);
diff_test!(
    fistp_m16,
    h_fistp_m16,
    [0xDF, 0x18],
    Gen::Store(MemKind::I16),
    mem_check(ARITH_SW, 2)
);
diff_test!(
    fist_m32,
    h_fist_m32,
    [0xDB, 0x10],
    Gen::Store(MemKind::I32),
    mem_check(ARITH_SW, 4)
);
diff_test!(
    fistp_m64,
    h_fistp_m64,
    [0xDF, 0x38],
    Gen::Store(MemKind::I64),
    mem_check(ARITH_SW, 8)
);
diff_test!(
    fbld,
    h_fbld,
    [0xDF, 0x20],
    Gen::Mem(MemKind::Bcd),
    check(ARITH_SW)
);
diff_test!(
    fbstp,
    h_fbstp,
    [0xDF, 0x30],
    Gen::Store(MemKind::Bcd),
    mem_check(ARITH_SW, 10)
);

diff_test!(fsqrt, h_fsqrt, [0xD9, 0xFA], Gen::One, check(ARITH_SW));
diff_test!(
    frndint,
    h_frndint,
    [0xD9, 0xFC],
    Gen::Store(MemKind::I64),
    check(ARITH_SW)
);
diff_test!(fscale, h_fscale, [0xD9, 0xFD], Gen::Two, check(ARITH_SW));
diff_test!(fxtract, h_fxtract, [0xD9, 0xF4], Gen::One, check(ARITH_SW));
diff_test!(fprem, h_fprem, [0xD9, 0xF8], Gen::Two, check(ALL_SW));
diff_test!(fprem1, h_fprem1, [0xD9, 0xF5], Gen::Two, check(ALL_SW));
diff_test!(fchs, h_fchs, [0xD9, 0xE0], Gen::One, check(ARITH_SW));
diff_test!(fabs, h_fabs, [0xD9, 0xE1], Gen::One, check(ARITH_SW));

diff_test!(fsin, h_fsin, [0xD9, 0xFE], Gen::Angle, trans_check());
diff_test!(fcos, h_fcos, [0xD9, 0xFF], Gen::Angle, trans_check());
diff_test!(fsincos, h_fsincos, [0xD9, 0xFB], Gen::Angle, trans_check());
diff_test!(fptan, h_fptan, [0xD9, 0xF2], Gen::Angle, trans_check());
diff_test!(fpatan, h_fpatan, [0xD9, 0xF3], Gen::Two, trans_check());
diff_test!(f2xm1, h_f2xm1, [0xD9, 0xF0], Gen::Unit, trans_check());
diff_test!(fyl2x, h_fyl2x, [0xD9, 0xF1], Gen::Log, trans_check());
diff_test!(fyl2xp1, h_fyl2xp1, [0xD9, 0xF9], Gen::SmallX, trans_check());

diff_test!(fldpi, h_fldpi, [0xD9, 0xEB], Gen::Stack, check(ARITH_SW));
diff_test!(fldl2t, h_fldl2t, [0xD9, 0xE9], Gen::Stack, check(ARITH_SW));
diff_test!(fldl2e, h_fldl2e, [0xD9, 0xEA], Gen::Stack, check(ARITH_SW));
diff_test!(fldlg2, h_fldlg2, [0xD9, 0xEC], Gen::Stack, check(ARITH_SW));
diff_test!(fldln2, h_fldln2, [0xD9, 0xED], Gen::Stack, check(ARITH_SW));
diff_test!(fld1, h_fld1, [0xD9, 0xE8], Gen::Stack, check(ARITH_SW));
diff_test!(fxch, h_fxch, [0xD9, 0xC9], Gen::Stack, check(ARITH_SW));
diff_test!(
    fld_st1,
    h_fld_st1,
    [0xD9, 0xC1],
    Gen::Stack,
    check(ARITH_SW)
);
diff_test!(
    fstp_st2,
    h_fstp_st2,
    [0xDD, 0xDA],
    Gen::Stack,
    check(ARITH_SW)
);
diff_test!(
    fincstp,
    h_fincstp,
    [0xD9, 0xF7],
    Gen::Stack,
    check(ARITH_SW)
);
diff_test!(
    fdecstp,
    h_fdecstp,
    [0xD9, 0xF6],
    Gen::Stack,
    check(ARITH_SW)
);
diff_test!(
    ffree_st1,
    h_ffree_st1,
    [0xDD, 0xC1],
    Gen::Stack,
    check(ALL_SW)
);
diff_test!(
    fcmovbe,
    h_fcmovbe,
    [0xDA, 0xD1],
    Gen::Stack,
    check(ARITH_SW)
);
diff_test!(
    fcmovnu,
    h_fcmovnu,
    [0xDB, 0xD9],
    Gen::Stack,
    check(ARITH_SW)
);
diff_test!(
    fldcw,
    h_fldcw,
    [0xD9, 0x28],
    Gen::Mem(MemKind::Cw),
    check(ALL_SW)
);
diff_test!(
    fnstcw,
    h_fnstcw,
    [0xD9, 0x38],
    Gen::Stack,
    mem_check(ALL_SW, 2)
);
diff_test!(fnclex, h_fnclex, [0xDB, 0xE2], Gen::Stack, check(ARITH_SW));

diff_test!(
    fnstenv,
    h_fnstenv,
    [0xD9, 0x30],
    Gen::Two,
    mem_check(ALL_SW, 12)
);
diff_test!(
    fldenv,
    h_fldenv,
    [0xD9, 0x20],
    Gen::Mem(MemKind::Env),
    check(ALL_SW)
);
diff_test!(
    fsubr_m32,
    h_fsubr_m32,
    [0xD8, 0x28],
    Gen::Mem(MemKind::F32),
    check(ARITH_SW)
);
diff_test!(
    fmul_m64,
    h_fmul_m64,
    [0xDC, 0x08],
    Gen::Mem(MemKind::F64),
    check(ARITH_SW)
);
diff_test!(
    fdivr_m64,
    h_fdivr_m64,
    [0xDC, 0x38],
    Gen::Mem(MemKind::F64),
    check(ARITH_SW)
);
diff_test!(
    fisub_m32,
    h_fisub_m32,
    [0xDA, 0x20],
    Gen::Mem(MemKind::I32),
    check(ARITH_SW)
);
diff_test!(
    fidivr_m16,
    h_fidivr_m16,
    [0xDE, 0x38],
    Gen::Mem(MemKind::I16),
    check(ARITH_SW)
);
diff_test!(
    fimul_m16,
    h_fimul_m16,
    [0xDE, 0x08],
    Gen::Mem(MemKind::I16),
    check(ARITH_SW)
);
diff_test!(
    fadd_st1_st0,
    h_fadd_st1_st0,
    [0xDC, 0xC1],
    Gen::Two,
    check(ARITH_SW)
);
diff_test!(
    fmul_st2_st0,
    h_fmul_st2_st0,
    [0xDC, 0xCA],
    Gen::Two,
    check(ARITH_SW)
);
diff_test!(
    fsubr_st1_st0,
    h_fsubr_st1_st0,
    [0xDC, 0xE1],
    Gen::Two,
    check(ARITH_SW)
);
diff_test!(
    fdivr_st1_st0,
    h_fdivr_st1_st0,
    [0xDC, 0xF1],
    Gen::Two,
    check(ARITH_SW)
);
diff_test!(
    fucomp_st1,
    h_fucomp_st1,
    [0xDD, 0xE9],
    Gen::Two,
    check(ALL_SW)
);
diff_test!(
    fucomi,
    h_fucomi,
    [0xDB, 0xE9],
    Gen::Two,
    Check {
        eflags: true,
        ..check(ARITH_SW)
    }
);
diff_test!(
    fcomip,
    h_fcomip,
    [0xDF, 0xF1],
    Gen::Two,
    Check {
        eflags: true,
        ..check(ARITH_SW)
    }
);
diff_test!(fcom_st2, h_fcom_st2, [0xD8, 0xD2], Gen::Two, check(ALL_SW));
diff_test!(fcmovb, h_fcmovb, [0xDA, 0xC1], Gen::Stack, check(ARITH_SW));
diff_test!(fcmove, h_fcmove, [0xDA, 0xCA], Gen::Stack, check(ARITH_SW));
diff_test!(fcmovu, h_fcmovu, [0xDA, 0xD9], Gen::Stack, check(ARITH_SW));
diff_test!(
    fcmovnb,
    h_fcmovnb,
    [0xDB, 0xC1],
    Gen::Stack,
    check(ARITH_SW)
);
diff_test!(
    fcmovne,
    h_fcmovne,
    [0xDB, 0xCA],
    Gen::Stack,
    check(ARITH_SW)
);
diff_test!(
    fcmovnbe,
    h_fcmovnbe,
    [0xDB, 0xD1],
    Gen::Stack,
    check(ARITH_SW)
);
diff_test!(fldz, h_fldz, [0xD9, 0xEE], Gen::Stack, check(ARITH_SW));
diff_test!(
    fistp_m32,
    h_fistp_m32,
    [0xDB, 0x18],
    Gen::Store(MemKind::I32),
    mem_check(ARITH_SW, 4)
);
diff_test!(
    fisttp_m16,
    h_fisttp_m16,
    [0xDF, 0x08],
    Gen::Store(MemKind::I16),
    mem_check(ARITH_SW, 2)
);
diff_test!(
    fisttp_m32,
    h_fisttp_m32,
    [0xDB, 0x08],
    Gen::Store(MemKind::I32),
    mem_check(ARITH_SW, 4)
);
diff_test!(
    fisttp_m64,
    h_fisttp_m64,
    [0xDD, 0x08],
    Gen::Store(MemKind::I64),
    mem_check(ARITH_SW, 8)
);
diff_test!(
    fst_st3,
    h_fst_st3,
    [0xDD, 0xD3],
    Gen::Stack,
    check(ARITH_SW)
);
diff_test!(
    fxch_st3,
    h_fxch_st3,
    [0xD9, 0xCB],
    Gen::Stack,
    check(ARITH_SW)
);
diff_test!(ffreep, h_ffreep, [0xDF, 0xC1], Gen::Stack, check(ALL_SW));
diff_test!(fnop, h_fnop, [0xD9, 0xD0], Gen::Stack, check(ALL_SW));

#[test]
fn fsave_image_matches_host_layout() {
    // FNSAVE after an instruction: the emulator's image equals the host's in every field
    // except the instruction/data pointers (the host's are 64-bit process addresses).
    let mut rng = SmallRng::seed_from_u64(7);
    for _ in 0..200 {
        let case = make_case(&mut rng, Gen::Two);
        let mut h = HostIo {
            image: case.image,
            mem: case.mem,
            flags: case.flags,
        };
        let mut e = HostIo {
            image: case.image,
            mem: case.mem,
            flags: case.flags,
        };
        h_fadd_st0_st1(&mut h);
        emulate(&[0xD8, 0xC1], &mut e);
        assert_eq!(word(&e.image, 18) & 0x7FF, 0x0C1, "emulated FOP");
        assert_eq!(compare(check(ARITH_SW), &h, &e), None);
    }
}
