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
use rand::SeedableRng;
use rawbox_cpu::x87::{execute, Fpu, FpuHost, F80};
use rawbox_cpu::GResult;
use std::arch::asm;

mod x87_diff;
use x87_diff::gen::{make_case, Gen, MemKind};

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

/// Cases per instruction (`X87_DIFF_CASES` overrides it for longer explorations).
fn cases() -> usize {
    std::env::var("X87_DIFF_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000)
}

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

/// One `#[test]` per entry: `name: host oracle, [instruction bytes], operands, check;`.
macro_rules! diff_tests {
    ($($test:ident: $host:ident, [$($b:literal),+], $gen:expr, $check:expr;)*) => {
        $(
            #[test]
            fn $test() {
                run(stringify!($test), &[$($b),+], $host, $gen, $check, cases(), seed(stringify!($test)));
            }
        )*
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

diff_tests! {
    fadd_st0_st1: h_fadd_st0_st1, [0xD8, 0xC1], Gen::Two, check(ARITH_SW);
    fmul_st0_st1: h_fmul_st0_st1, [0xD8, 0xC9], Gen::Two, check(ARITH_SW);
    fsub_st0_st1: h_fsub_st0_st1, [0xD8, 0xE1], Gen::Two, check(ARITH_SW);
    fsubr_st0_st1: h_fsubr_st0_st1, [0xD8, 0xE9], Gen::Two, check(ARITH_SW);
    fdiv_st0_st1: h_fdiv_st0_st1, [0xD8, 0xF1], Gen::Two, check(ARITH_SW);
    fdivr_st0_st1: h_fdivr_st0_st1, [0xD8, 0xF9], Gen::Two, check(ARITH_SW);
    faddp: h_faddp, [0xDE, 0xC1], Gen::Two, check(ARITH_SW);
    fsubp: h_fsubp, [0xDE, 0xE9], Gen::Two, check(ARITH_SW);
    fsubrp: h_fsubrp, [0xDE, 0xE1], Gen::Two, check(ARITH_SW);
    fmulp: h_fmulp, [0xDE, 0xC9], Gen::Two, check(ARITH_SW);
    fdivp: h_fdivp, [0xDE, 0xF9], Gen::Two, check(ARITH_SW);
    fdivrp: h_fdivrp, [0xDE, 0xF1], Gen::Two, check(ARITH_SW);
    fsub_st1_st0: h_fsub_st1_st0, [0xDC, 0xE9], Gen::Two, check(ARITH_SW);
    fdiv_st1_st0: h_fdiv_st1_st0, [0xDC, 0xF9], Gen::Two, check(ARITH_SW);
    fadd_m32: h_fadd_m32, [0xD8, 0x00], Gen::Mem(MemKind::F32), check(ARITH_SW);
    fmul_m32: h_fmul_m32, [0xD8, 0x08], Gen::Mem(MemKind::F32), check(ARITH_SW);
    fsub_m32: h_fsub_m32, [0xD8, 0x20], Gen::Mem(MemKind::F32), check(ARITH_SW);
    fdivr_m32: h_fdivr_m32, [0xD8, 0x38], Gen::Mem(MemKind::F32), check(ARITH_SW);
    fadd_m64: h_fadd_m64, [0xDC, 0x00], Gen::Mem(MemKind::F64), check(ARITH_SW);
    fsubr_m64: h_fsubr_m64, [0xDC, 0x28], Gen::Mem(MemKind::F64), check(ARITH_SW);
    fdiv_m64: h_fdiv_m64, [0xDC, 0x30], Gen::Mem(MemKind::F64), check(ARITH_SW);
    fiadd_m16: h_fiadd_m16, [0xDE, 0x00], Gen::Mem(MemKind::I16), check(ARITH_SW);
    fimul_m32: h_fimul_m32, [0xDA, 0x08], Gen::Mem(MemKind::I32), check(ARITH_SW);
    fidiv_m32: h_fidiv_m32, [0xDA, 0x30], Gen::Mem(MemKind::I32), check(ARITH_SW);
    fisubr_m16: h_fisubr_m16, [0xDE, 0x28], Gen::Mem(MemKind::I16), check(ARITH_SW);
    fcom_st1: h_fcom_st1, [0xD8, 0xD1], Gen::Two, check(ALL_SW);
    fcomp_st1: h_fcomp_st1, [0xD8, 0xD9], Gen::Two, check(ALL_SW);
    fcompp: h_fcompp, [0xDE, 0xD9], Gen::Two, check(ALL_SW);
    fucom_st1: h_fucom_st1, [0xDD, 0xE1], Gen::Two, check(ALL_SW);
    fucompp: h_fucompp, [0xDA, 0xE9], Gen::Two, check(ALL_SW);
    fcom_m32: h_fcom_m32, [0xD8, 0x10], Gen::Mem(MemKind::F32), check(ALL_SW);
    fcomp_m64: h_fcomp_m64, [0xDC, 0x18], Gen::Mem(MemKind::F64), check(ALL_SW);
    ficom_m16: h_ficom_m16, [0xDE, 0x10], Gen::Mem(MemKind::I16), check(ALL_SW);
    ficomp_m32: h_ficomp_m32, [0xDA, 0x18], Gen::Mem(MemKind::I32), check(ALL_SW);
    ftst: h_ftst, [0xD9, 0xE4], Gen::One, check(ALL_SW);
    fxam: h_fxam, [0xD9, 0xE5], Gen::Two, check(ALL_SW);
    fcomi: h_fcomi, [0xDB, 0xF1], Gen::Two, Check { eflags: true, ..check(ARITH_SW) };
    fucomip: h_fucomip, [0xDF, 0xE9], Gen::Two, Check { eflags: true, ..check(ARITH_SW) };
    fld_m32: h_fld_m32, [0xD9, 0x00], Gen::Mem(MemKind::F32), check(ARITH_SW);
    fld_m64: h_fld_m64, [0xDD, 0x00], Gen::Mem(MemKind::F64), check(ARITH_SW);
    fld_m80: h_fld_m80, [0xDB, 0x28], Gen::Mem(MemKind::F80), check(ARITH_SW);
    fst_m32: h_fst_m32, [0xD9, 0x10], Gen::Store(MemKind::F32), mem_check(ARITH_SW, 4);
    fstp_m32: h_fstp_m32, [0xD9, 0x18], Gen::Store(MemKind::F32), mem_check(ARITH_SW, 4);
    fst_m64: h_fst_m64, [0xDD, 0x10], Gen::Store(MemKind::F64), mem_check(ARITH_SW, 8);
    fstp_m64: h_fstp_m64, [0xDD, 0x18], Gen::Store(MemKind::F64), mem_check(ARITH_SW, 8);
    fstp_m80: h_fstp_m80, [0xDB, 0x38], Gen::Two, mem_check(ARITH_SW, 10);
    fild_m16: h_fild_m16, [0xDF, 0x00], Gen::Mem(MemKind::I16), check(ARITH_SW);
    fild_m32: h_fild_m32, [0xDB, 0x00], Gen::Mem(MemKind::I32), check(ARITH_SW);
    fild_m64: h_fild_m64, [0xDF, 0x28], Gen::Mem(MemKind::I64), check(ARITH_SW);
    fist_m16: h_fist_m16, [0xDF, 0x10], Gen::Store(MemKind::I16), mem_check(ARITH_SW, 2);
    fistp_m16: h_fistp_m16, [0xDF, 0x18], Gen::Store(MemKind::I16), mem_check(ARITH_SW, 2);
    fist_m32: h_fist_m32, [0xDB, 0x10], Gen::Store(MemKind::I32), mem_check(ARITH_SW, 4);
    fistp_m64: h_fistp_m64, [0xDF, 0x38], Gen::Store(MemKind::I64), mem_check(ARITH_SW, 8);
    fbld: h_fbld, [0xDF, 0x20], Gen::Mem(MemKind::Bcd), check(ARITH_SW);
    fbstp: h_fbstp, [0xDF, 0x30], Gen::Store(MemKind::Bcd), mem_check(ARITH_SW, 10);
    fsqrt: h_fsqrt, [0xD9, 0xFA], Gen::One, check(ARITH_SW);
    frndint: h_frndint, [0xD9, 0xFC], Gen::Store(MemKind::I64), check(ARITH_SW);
    fscale: h_fscale, [0xD9, 0xFD], Gen::Two, check(ARITH_SW);
    fxtract: h_fxtract, [0xD9, 0xF4], Gen::One, check(ARITH_SW);
    fprem: h_fprem, [0xD9, 0xF8], Gen::Two, check(ALL_SW);
    fprem1: h_fprem1, [0xD9, 0xF5], Gen::Two, check(ALL_SW);
    fchs: h_fchs, [0xD9, 0xE0], Gen::One, check(ARITH_SW);
    fabs: h_fabs, [0xD9, 0xE1], Gen::One, check(ARITH_SW);
    fsin: h_fsin, [0xD9, 0xFE], Gen::Angle, trans_check();
    fcos: h_fcos, [0xD9, 0xFF], Gen::Angle, trans_check();
    fsincos: h_fsincos, [0xD9, 0xFB], Gen::Angle, trans_check();
    fptan: h_fptan, [0xD9, 0xF2], Gen::Angle, trans_check();
    fpatan: h_fpatan, [0xD9, 0xF3], Gen::Two, trans_check();
    f2xm1: h_f2xm1, [0xD9, 0xF0], Gen::Unit, trans_check();
    fyl2x: h_fyl2x, [0xD9, 0xF1], Gen::Log, trans_check();
    fyl2xp1: h_fyl2xp1, [0xD9, 0xF9], Gen::SmallX, trans_check();
    fldpi: h_fldpi, [0xD9, 0xEB], Gen::Stack, check(ARITH_SW);
    fldl2t: h_fldl2t, [0xD9, 0xE9], Gen::Stack, check(ARITH_SW);
    fldl2e: h_fldl2e, [0xD9, 0xEA], Gen::Stack, check(ARITH_SW);
    fldlg2: h_fldlg2, [0xD9, 0xEC], Gen::Stack, check(ARITH_SW);
    fldln2: h_fldln2, [0xD9, 0xED], Gen::Stack, check(ARITH_SW);
    fld1: h_fld1, [0xD9, 0xE8], Gen::Stack, check(ARITH_SW);
    fxch: h_fxch, [0xD9, 0xC9], Gen::Stack, check(ARITH_SW);
    fld_st1: h_fld_st1, [0xD9, 0xC1], Gen::Stack, check(ARITH_SW);
    fstp_st2: h_fstp_st2, [0xDD, 0xDA], Gen::Stack, check(ARITH_SW);
    fincstp: h_fincstp, [0xD9, 0xF7], Gen::Stack, check(ARITH_SW);
    fdecstp: h_fdecstp, [0xD9, 0xF6], Gen::Stack, check(ARITH_SW);
    ffree_st1: h_ffree_st1, [0xDD, 0xC1], Gen::Stack, check(ALL_SW);
    fcmovbe: h_fcmovbe, [0xDA, 0xD1], Gen::Stack, check(ARITH_SW);
    fcmovnu: h_fcmovnu, [0xDB, 0xD9], Gen::Stack, check(ARITH_SW);
    fldcw: h_fldcw, [0xD9, 0x28], Gen::Mem(MemKind::Cw), check(ALL_SW);
    fnstcw: h_fnstcw, [0xD9, 0x38], Gen::Stack, mem_check(ALL_SW, 2);
    fnclex: h_fnclex, [0xDB, 0xE2], Gen::Stack, check(ARITH_SW);
    fnstenv: h_fnstenv, [0xD9, 0x30], Gen::Two, mem_check(ALL_SW, 12);
    fldenv: h_fldenv, [0xD9, 0x20], Gen::Mem(MemKind::Env), check(ALL_SW);
    fsubr_m32: h_fsubr_m32, [0xD8, 0x28], Gen::Mem(MemKind::F32), check(ARITH_SW);
    fmul_m64: h_fmul_m64, [0xDC, 0x08], Gen::Mem(MemKind::F64), check(ARITH_SW);
    fdivr_m64: h_fdivr_m64, [0xDC, 0x38], Gen::Mem(MemKind::F64), check(ARITH_SW);
    fisub_m32: h_fisub_m32, [0xDA, 0x20], Gen::Mem(MemKind::I32), check(ARITH_SW);
    fidivr_m16: h_fidivr_m16, [0xDE, 0x38], Gen::Mem(MemKind::I16), check(ARITH_SW);
    fimul_m16: h_fimul_m16, [0xDE, 0x08], Gen::Mem(MemKind::I16), check(ARITH_SW);
    fadd_st1_st0: h_fadd_st1_st0, [0xDC, 0xC1], Gen::Two, check(ARITH_SW);
    fmul_st2_st0: h_fmul_st2_st0, [0xDC, 0xCA], Gen::Two, check(ARITH_SW);
    fsubr_st1_st0: h_fsubr_st1_st0, [0xDC, 0xE1], Gen::Two, check(ARITH_SW);
    fdivr_st1_st0: h_fdivr_st1_st0, [0xDC, 0xF1], Gen::Two, check(ARITH_SW);
    fucomp_st1: h_fucomp_st1, [0xDD, 0xE9], Gen::Two, check(ALL_SW);
    fucomi: h_fucomi, [0xDB, 0xE9], Gen::Two, Check { eflags: true, ..check(ARITH_SW) };
    fcomip: h_fcomip, [0xDF, 0xF1], Gen::Two, Check { eflags: true, ..check(ARITH_SW) };
    fcom_st2: h_fcom_st2, [0xD8, 0xD2], Gen::Two, check(ALL_SW);
    fcmovb: h_fcmovb, [0xDA, 0xC1], Gen::Stack, check(ARITH_SW);
    fcmove: h_fcmove, [0xDA, 0xCA], Gen::Stack, check(ARITH_SW);
    fcmovu: h_fcmovu, [0xDA, 0xD9], Gen::Stack, check(ARITH_SW);
    fcmovnb: h_fcmovnb, [0xDB, 0xC1], Gen::Stack, check(ARITH_SW);
    fcmovne: h_fcmovne, [0xDB, 0xCA], Gen::Stack, check(ARITH_SW);
    fcmovnbe: h_fcmovnbe, [0xDB, 0xD1], Gen::Stack, check(ARITH_SW);
    fldz: h_fldz, [0xD9, 0xEE], Gen::Stack, check(ARITH_SW);
    fistp_m32: h_fistp_m32, [0xDB, 0x18], Gen::Store(MemKind::I32), mem_check(ARITH_SW, 4);
    fisttp_m16: h_fisttp_m16, [0xDF, 0x08], Gen::Store(MemKind::I16), mem_check(ARITH_SW, 2);
    fisttp_m32: h_fisttp_m32, [0xDB, 0x08], Gen::Store(MemKind::I32), mem_check(ARITH_SW, 4);
    fisttp_m64: h_fisttp_m64, [0xDD, 0x08], Gen::Store(MemKind::I64), mem_check(ARITH_SW, 8);
    fst_st3: h_fst_st3, [0xDD, 0xD3], Gen::Stack, check(ARITH_SW);
    fxch_st3: h_fxch_st3, [0xD9, 0xCB], Gen::Stack, check(ARITH_SW);
    ffreep: h_ffreep, [0xDF, 0xC1], Gen::Stack, check(ALL_SW);
    fnop: h_fnop, [0xD9, 0xD0], Gen::Stack, check(ALL_SW);
}

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
