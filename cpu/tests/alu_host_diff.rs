//! Differential tests of the interpreter's integer instructions against the host CPU.
//!
//! Each instruction form ("shape") is a fixed byte sequence that both sides execute: the host
//! runs it natively in 64-bit mode through a per-shape `asm!` function (or, for instructions
//! invalid in 64-bit mode, in 32-bit compatibility mode), the emulator single-steps it in flat
//! 32-bit protected mode. Registers, the memory operand and EFLAGS are compared after masking
//! only what the SDM leaves undefined for that instruction and input (see `alu_diff/sdm.rs`).
//! Inputs are seeded random values biased toward edge cases, with random input flags. Besides
//! single instructions, `flag_chains` runs short sequences (a flag producer, then a consumer)
//! to check the hand-over of the emulator's lazy flags. A failure lists the first mismatches:
//! instruction and bytes, inputs, host and emulator results, and the differing items, in hex.
#![cfg(target_arch = "x86_64")]

mod alu_diff;

use alu_diff::gen;
use alu_diff::runner::Family;
use alu_diff::shape::{all_counts, mem_shape, reg_shape, reg_shapes, with_imm8, Shape};

/// Random cases per shape (every operation has at least this many per operand size).
const CASES: usize = 10_000;
/// Random cases per shape for forms with a fixed immediate (only the register operand varies).
const IMM_CASES: usize = 2_000;

fn any_input(rng: &mut rand::rngs::SmallRng, shape: &Shape) -> alu_diff::regs::Regs {
    gen::regs(rng, shape.bits())
}

/// The register and memory forms of ALU operation `/n` (opcodes n*8 + 0..5).
macro_rules! alu_forms {
    ($n:literal) => {
        vec![
            reg_shape!($n * 8 + 1, 0xC8),       // op eax, ecx
            reg_shape!($n * 8 + 3, 0xD7),       // op edx, edi
            reg_shape!($n * 8 + 1, 0xDE),       // op esi, ebx
            reg_shape!($n * 8 + 1, 0xC0),       // op eax, eax
            reg_shape!($n * 8, 0xE1),           // op cl, ah
            reg_shape!($n * 8 + 2, 0xFA),       // op bh, dl
            reg_shape!($n * 8, 0xC0),           // op al, al
            reg_shape!(0x66, $n * 8 + 1, 0xD1), // op cx, dx
            reg_shape!(0x66, $n * 8 + 3, 0xC6), // op ax, si
            mem_shape!($n * 8 + 1, 0x0E),       // op [esi], ecx
            mem_shape!($n * 8 + 3, 0x16),       // op edx, [esi]
            mem_shape!($n * 8, 0x26),           // op [esi], ah
            mem_shape!(0x66, $n * 8 + 1, 0x3E), // op [esi], di
        ]
    };
}

/// The immediate forms of ALU operation `/n` with a few edge immediates.
macro_rules! alu_imm_forms {
    ($n:literal) => {
        vec![
            reg_shape!($n * 8 + 4, 0x01),                             // op al, 1
            reg_shape!($n * 8 + 4, 0x7F),                             // op al, 0x7f
            reg_shape!($n * 8 + 4, 0x80),                             // op al, 0x80
            reg_shape!($n * 8 + 4, 0xFF),                             // op al, 0xff
            reg_shape!($n * 8 + 5, 0xFF, 0xFF, 0xFF, 0x7F),           // op eax, 0x7fffffff
            reg_shape!($n * 8 + 5, 0x00, 0x00, 0x00, 0x80),           // op eax, 0x80000000
            reg_shape!($n * 8 + 5, 0xFF, 0xFF, 0xFF, 0xFF),           // op eax, 0xffffffff
            reg_shape!(0x66, $n * 8 + 5, 0x00, 0x80),                 // op ax, 0x8000
            reg_shape!(0x83, 0xC3 | $n << 3, 0x01),                   // op ebx, 1
            reg_shape!(0x83, 0xC3 | $n << 3, 0x7F),                   // op ebx, 0x7f
            reg_shape!(0x83, 0xC3 | $n << 3, 0x80),                   // op ebx, -0x80
            reg_shape!(0x83, 0xC3 | $n << 3, 0xFF),                   // op ebx, -1
            reg_shape!(0x81, 0xC7 | $n << 3, 0x01, 0x00, 0x00, 0x80), // op edi, 0x80000001
            reg_shape!(0x81, 0xC7 | $n << 3, 0xFE, 0xFF, 0xFF, 0x7F), // op edi, 0x7ffffffe
            reg_shape!(0x80, 0xC5 | $n << 3, 0x80),                   // op ch, 0x80
            reg_shape!(0x80, 0xC2 | $n << 3, 0x7F),                   // op dl, 0x7f
            reg_shape!(0x66, 0x83, 0xC6 | $n << 3, 0xFF),             // op si, -1
            reg_shape!(0x66, 0x81, 0xC1 | $n << 3, 0xFF, 0x7F),       // op cx, 0x7fff
        ]
    };
}

#[test]
fn add_adc_sub_sbb_cmp() {
    let mut f = Family::new("add/adc/sub/sbb/cmp");
    for shapes in [
        alu_forms!(0),
        alu_forms!(2),
        alu_forms!(3),
        alu_forms!(5),
        alu_forms!(7),
    ] {
        f.run(&shapes, CASES, any_input);
    }
    for shapes in [
        alu_imm_forms!(0),
        alu_imm_forms!(2),
        alu_imm_forms!(3),
        alu_imm_forms!(5),
        alu_imm_forms!(7),
    ] {
        f.run(&shapes, IMM_CASES, any_input);
    }
    f.finish();
}

#[test]
fn and_or_xor_test() {
    let mut f = Family::new("and/or/xor/test");
    for shapes in [alu_forms!(1), alu_forms!(4), alu_forms!(6)] {
        f.run(&shapes, CASES, any_input);
    }
    for shapes in [alu_imm_forms!(1), alu_imm_forms!(4), alu_imm_forms!(6)] {
        f.run(&shapes, IMM_CASES, any_input);
    }
    let test = vec![
        reg_shape!(0x85, 0xC8),       // test eax, ecx
        reg_shape!(0x85, 0xDE),       // test esi, ebx
        reg_shape!(0x85, 0xFF),       // test edi, edi
        reg_shape!(0x84, 0xE1),       // test cl, ah
        reg_shape!(0x84, 0xD2),       // test dl, dl
        reg_shape!(0x66, 0x85, 0xD1), // test cx, dx
        mem_shape!(0x85, 0x0E),       // test [esi], ecx
        mem_shape!(0x84, 0x3E),       // test [esi], bh
    ];
    f.run(&test, CASES, any_input);
    let test_imm = reg_shapes![
        [0xA8, 0x80],                         // test al, 0x80
        [0xA9, 0x00, 0x00, 0x00, 0x80],       // test eax, 0x80000000
        [0x66, 0xA9, 0xFF, 0x00],             // test ax, 0xff
        [0xF7, 0xC1, 0xFF, 0xFF, 0x00, 0x00], // test ecx, 0xffff
        [0xF6, 0xC7, 0x01],                   // test bh, 1
    ];
    f.run(&test_imm, IMM_CASES, any_input);
    f.finish();
}

#[test]
fn inc_dec_neg_not() {
    let mut f = Family::new("inc/dec/neg/not");
    let shapes = reg_shapes![
        [0xFF, 0xC0],       // inc eax
        [0xFF, 0xC3],       // inc ebx
        [0xFE, 0xC4],       // inc ah
        [0xFE, 0xC1],       // inc cl
        [0x66, 0xFF, 0xC2], // inc dx
        [0xFF, 0xC8],       // dec eax
        [0xFF, 0xCF],       // dec edi
        [0xFE, 0xCD],       // dec ch
        [0xFE, 0xCA],       // dec dl
        [0x66, 0xFF, 0xCE], // dec si
        [0xF7, 0xD8],       // neg eax
        [0xF7, 0xDB],       // neg ebx
        [0xF6, 0xDC],       // neg ah
        [0xF6, 0xD9],       // neg cl
        [0x66, 0xF7, 0xDA], // neg dx
        [0xF7, 0xD0],       // not eax
        [0xF6, 0xD4],       // not ah
        [0xF6, 0xD1],       // not cl
        [0x66, 0xF7, 0xD7], // not di
    ];
    f.run(&shapes, CASES, any_input);
    let mem = vec![
        mem_shape!(0xFF, 0x06),       // inc dword [esi]
        mem_shape!(0xFE, 0x06),       // inc byte [esi]
        mem_shape!(0x66, 0xFF, 0x0E), // dec word [esi]
        mem_shape!(0xF7, 0x1E),       // neg dword [esi]
        mem_shape!(0xF6, 0x1E),       // neg byte [esi]
        mem_shape!(0xF7, 0x16),       // not dword [esi]
    ];
    f.run(&mem, CASES, any_input);
    // The one-byte INC/DEC forms are REX prefixes in 64-bit mode: compatibility mode.
    let short: Vec<Shape> = [
        &[0x40][..],   // inc eax
        &[0x43],       // inc ebx
        &[0x47],       // inc edi
        &[0x48],       // dec eax
        &[0x4B],       // dec ebx
        &[0x4E],       // dec esi
        &[0x66, 0x41], // inc cx
        &[0x66, 0x4A], // dec dx
    ]
    .iter()
    .map(|b| Shape::compat(b))
    .collect();
    f.run(&short, CASES, any_input);
    f.finish();
}

/// Shifts and rotates `/n` by 1 and by CL, register and memory forms.
macro_rules! shift_forms {
    ($n:literal) => {
        vec![
            reg_shape!(0xD1, 0xC0 | $n << 3),       // op eax, 1
            reg_shape!(0xD0, 0xC4 | $n << 3),       // op ah, 1
            reg_shape!(0x66, 0xD1, 0xC2 | $n << 3), // op dx, 1
            mem_shape!(0xD1, 0x06 | $n << 3),       // op dword [esi], 1
            reg_shape!(0xD3, 0xC0 | $n << 3),       // op eax, cl
            reg_shape!(0xD3, 0xC3 | $n << 3),       // op ebx, cl
            reg_shape!(0xD3, 0xC1 | $n << 3),       // op ecx, cl
            reg_shape!(0xD2, 0xC4 | $n << 3),       // op ah, cl
            reg_shape!(0xD2, 0xC1 | $n << 3),       // op cl, cl
            reg_shape!(0x66, 0xD3, 0xC2 | $n << 3), // op dx, cl
            reg_shape!(0x66, 0xD3, 0xC1 | $n << 3), // op cx, cl
            mem_shape!(0xD3, 0x06 | $n << 3),       // op dword [esi], cl
            mem_shape!(0xD2, 0x06 | $n << 3),       // op byte [esi], cl
        ]
    };
}

/// Shifts and rotates `/n` by every imm8 count, 32-, 8- and 16-bit.
macro_rules! shift_imm_forms {
    ($n:literal) => {{
        let mut v = all_counts!(with_imm8!([0xC1, 0xC0 | $n << 3])); // op eax, imm8
        v.extend(all_counts!(with_imm8!([0xC0, 0xC5 | $n << 3]))); // op ch, imm8
        v.extend(all_counts!(with_imm8!([0x66, 0xC1, 0xC6 | $n << 3]))); // op si, imm8
        v
    }};
}

/// Cases per imm8 count (41 counts: over 20,000 cases per operation and size).
const COUNT_CASES: usize = 500;

#[test]
fn rotates() {
    let mut f = Family::new("rol/ror/rcl/rcr");
    for shapes in [
        shift_forms!(0),
        shift_forms!(1),
        shift_forms!(2),
        shift_forms!(3),
    ] {
        f.run(&shapes, CASES, gen::shift_input);
    }
    for shapes in [
        shift_imm_forms!(0),
        shift_imm_forms!(1),
        shift_imm_forms!(2),
        shift_imm_forms!(3),
    ] {
        f.run(&shapes, COUNT_CASES, any_input);
    }
    f.finish();
}

#[test]
fn shifts() {
    let mut f = Family::new("shl/shr/sar (and /6 = sal)");
    for shapes in [
        shift_forms!(4),
        shift_forms!(5),
        shift_forms!(6),
        shift_forms!(7),
    ] {
        f.run(&shapes, CASES, gen::shift_input);
    }
    for shapes in [
        shift_imm_forms!(4),
        shift_imm_forms!(5),
        shift_imm_forms!(6),
        shift_imm_forms!(7),
    ] {
        f.run(&shapes, COUNT_CASES, any_input);
    }
    f.finish();
}

#[test]
fn double_shifts() {
    let mut f = Family::new("shld/shrd");
    let by_cl = vec![
        reg_shape!(0x0F, 0xA5, 0xC8),       // shld eax, ecx, cl
        reg_shape!(0x0F, 0xA5, 0xCA),       // shld edx, ecx, cl
        reg_shape!(0x0F, 0xA5, 0xDB),       // shld ebx, ebx, cl
        reg_shape!(0x66, 0x0F, 0xA5, 0xD6), // shld si, dx, cl
        mem_shape!(0x0F, 0xA5, 0x1E),       // shld [esi], ebx, cl
        reg_shape!(0x0F, 0xAD, 0xC8),       // shrd eax, ecx, cl
        reg_shape!(0x0F, 0xAD, 0xCA),       // shrd edx, ecx, cl
        reg_shape!(0x0F, 0xAD, 0xDB),       // shrd ebx, ebx, cl
        reg_shape!(0x66, 0x0F, 0xAD, 0xD6), // shrd si, dx, cl
        mem_shape!(0x0F, 0xAD, 0x1E),       // shrd [esi], ebx, cl
    ];
    f.run(&by_cl, CASES, gen::shift_input);
    let mut by_imm = all_counts!(with_imm8!([0x0F, 0xA4, 0xC8])); // shld eax, ecx, imm8
    by_imm.extend(all_counts!(with_imm8!([0x66, 0x0F, 0xA4, 0xD6]))); // shld si, dx, imm8
    by_imm.extend(all_counts!(with_imm8!([0x0F, 0xAC, 0xC8]))); // shrd eax, ecx, imm8
    by_imm.extend(all_counts!(with_imm8!([0x66, 0x0F, 0xAC, 0xD6]))); // shrd si, dx, imm8
    f.run(&by_imm, COUNT_CASES, any_input);
    f.finish();
}

#[test]
fn mul_imul() {
    let mut f = Family::new("mul/imul");
    let shapes = vec![
        reg_shape!(0xF7, 0xE1),             // mul ecx
        reg_shape!(0xF7, 0xE0),             // mul eax
        reg_shape!(0xF7, 0xE2),             // mul edx
        reg_shape!(0xF6, 0xE1),             // mul cl
        reg_shape!(0xF6, 0xE4),             // mul ah
        reg_shape!(0x66, 0xF7, 0xE2),       // mul dx
        reg_shape!(0x66, 0xF7, 0xE6),       // mul si
        mem_shape!(0xF7, 0x26),             // mul dword [esi]
        mem_shape!(0xF6, 0x26),             // mul byte [esi]
        reg_shape!(0xF7, 0xE9),             // imul ecx
        reg_shape!(0xF7, 0xE8),             // imul eax
        reg_shape!(0xF6, 0xEC),             // imul ah
        reg_shape!(0xF6, 0xEB),             // imul bl
        reg_shape!(0x66, 0xF7, 0xEE),       // imul si
        reg_shape!(0x66, 0xF7, 0xEA),       // imul dx
        mem_shape!(0xF7, 0x2E),             // imul dword [esi]
        reg_shape!(0x0F, 0xAF, 0xC1),       // imul eax, ecx
        reg_shape!(0x0F, 0xAF, 0xDB),       // imul ebx, ebx
        reg_shape!(0x0F, 0xAF, 0xD6),       // imul edx, esi
        reg_shape!(0x66, 0x0F, 0xAF, 0xC1), // imul ax, cx
        mem_shape!(0x0F, 0xAF, 0x16),       // imul edx, [esi]
        mem_shape!(0x66, 0x0F, 0xAF, 0x16), // imul dx, [esi]
    ];
    f.run(&shapes, CASES, any_input);
    let mut imm = all_counts!(with_imm8!([0x6B, 0xC1])); // imul eax, ecx, imm8
    imm.extend(all_counts!(with_imm8!([0x66, 0x6B, 0xDE]))); // imul bx, si, imm8
    f.run(&imm, COUNT_CASES, any_input);
    macro_rules! imm32 {
        ($($v:literal)*) => {
            vec![$(
                reg_shape!(0x69, 0xC1, $v as u8, ($v >> 8) as u8, ($v >> 16) as u8, ($v >> 24) as u8),
                reg_shape!(0x69, 0xDB, $v as u8, ($v >> 8) as u8, ($v >> 16) as u8, ($v >> 24) as u8),
                mem_shape!(0x69, 0x16, $v as u8, ($v >> 8) as u8, ($v >> 16) as u8, ($v >> 24) as u8),
                reg_shape!(0x66, 0x69, 0xC1, $v as u8, ($v >> 8) as u8),
            )*]
        };
    }
    // imul eax, ecx, imm32 / imul ebx, ebx, imm32 / imul edx, [esi], imm32 / imul ax, cx, imm16
    let imm = imm32!(0x0000_0000u32 0x0000_0001u32 0x0000_0002u32 0x0000_7FFFu32 0x0000_8000u32
        0x0000_FFFFu32 0x0001_0000u32 0x1234_5678u32 0x7FFF_FFFFu32 0x8000_0000u32
        0x8000_0001u32 0xDEAD_BEEFu32 0xFFFF_FFFFu32 0xFFFF_FFFEu32 0xFFFF_8000u32);
    f.run(&imm, IMM_CASES, any_input);
    f.finish();
}

#[test]
fn div_idiv() {
    let mut f = Family::new("div/idiv");
    let shapes = vec![
        reg_shape!(0xF7, 0xF1),       // div ecx
        reg_shape!(0xF7, 0xF3),       // div ebx
        reg_shape!(0xF7, 0xF0),       // div eax
        reg_shape!(0xF7, 0xF2),       // div edx
        reg_shape!(0xF6, 0xF1),       // div cl
        reg_shape!(0xF6, 0xF4),       // div ah
        reg_shape!(0xF6, 0xF7),       // div bh
        reg_shape!(0x66, 0xF7, 0xF1), // div cx
        reg_shape!(0x66, 0xF7, 0xF2), // div dx
        mem_shape!(0xF7, 0x36),       // div dword [esi]
        mem_shape!(0xF6, 0x36),       // div byte [esi]
        reg_shape!(0xF7, 0xF9),       // idiv ecx
        reg_shape!(0xF7, 0xFB),       // idiv ebx
        reg_shape!(0xF7, 0xF8),       // idiv eax
        reg_shape!(0xF6, 0xF9),       // idiv cl
        reg_shape!(0xF6, 0xFC),       // idiv ah
        reg_shape!(0x66, 0xF7, 0xF9), // idiv cx
        reg_shape!(0x66, 0xF7, 0xFA), // idiv dx
        mem_shape!(0xF7, 0x3E),       // idiv dword [esi]
        mem_shape!(0x66, 0xF7, 0x3E), // idiv word [esi]
    ];
    f.run(&shapes, CASES, gen::div_input);
    f.finish();
}

#[test]
fn bit_scan_and_test() {
    let mut f = Family::new("bsf/bsr/bt/bts/btr/btc");
    let shapes = vec![
        reg_shape!(0x0F, 0xBC, 0xC1),       // bsf eax, ecx
        reg_shape!(0x0F, 0xBC, 0xDB),       // bsf ebx, ebx
        reg_shape!(0x66, 0x0F, 0xBC, 0xD6), // bsf dx, si
        mem_shape!(0x0F, 0xBC, 0x16),       // bsf edx, [esi]
        reg_shape!(0x0F, 0xBD, 0xC1),       // bsr eax, ecx
        reg_shape!(0x0F, 0xBD, 0xDB),       // bsr ebx, ebx
        reg_shape!(0x66, 0x0F, 0xBD, 0xD6), // bsr dx, si
        mem_shape!(0x66, 0x0F, 0xBD, 0x16), // bsr dx, [esi]
        reg_shape!(0x0F, 0xA3, 0xC8),       // bt eax, ecx
        reg_shape!(0x0F, 0xA3, 0xC0),       // bt eax, eax
        reg_shape!(0x66, 0x0F, 0xA3, 0xD6), // bt si, dx
        reg_shape!(0x0F, 0xAB, 0xC8),       // bts eax, ecx
        reg_shape!(0x0F, 0xAB, 0xC0),       // bts eax, eax
        reg_shape!(0x66, 0x0F, 0xAB, 0xD6), // bts si, dx
        reg_shape!(0x0F, 0xB3, 0xC8),       // btr eax, ecx
        reg_shape!(0x0F, 0xB3, 0xC0),       // btr eax, eax
        reg_shape!(0x66, 0x0F, 0xB3, 0xD6), // btr si, dx
        reg_shape!(0x0F, 0xBB, 0xC8),       // btc eax, ecx
        reg_shape!(0x0F, 0xBB, 0xC0),       // btc eax, eax
        reg_shape!(0x66, 0x0F, 0xBB, 0xD6), // btc si, dx
    ];
    f.run(&shapes, CASES, any_input);
    let mut imm = Vec::new();
    imm.extend(all_counts!(with_imm8!([0x0F, 0xBA, 0xE0]))); // bt eax, imm8
    imm.extend(all_counts!(with_imm8!([0x0F, 0xBA, 0xE8]))); // bts eax, imm8
    imm.extend(all_counts!(with_imm8!([0x0F, 0xBA, 0xF0]))); // btr eax, imm8
    imm.extend(all_counts!(with_imm8!([0x0F, 0xBA, 0xF8]))); // btc eax, imm8
    imm.extend(all_counts!(with_imm8!([0x66, 0x0F, 0xBA, 0xE2]))); // bt dx, imm8
    imm.extend(all_counts!(with_imm8!([0x66, 0x0F, 0xBA, 0xEA]))); // bts dx, imm8
    imm.extend(all_counts!(with_imm8!([0x66, 0x0F, 0xBA, 0xF2]))); // btr dx, imm8
    imm.extend(all_counts!(with_imm8!([0x66, 0x0F, 0xBA, 0xFA]))); // btc dx, imm8
    f.run(&imm, COUNT_CASES, any_input);
    // Memory with an immediate bit offset stays within the operand.
    let mem = vec![
        mem_shape!(0x0F, 0xBA, 0x26, 0x21),       // bt dword [esi], 33
        mem_shape!(0x0F, 0xBA, 0x2E, 0x07),       // bts dword [esi], 7
        mem_shape!(0x0F, 0xBA, 0x36, 0x1F),       // btr dword [esi], 31
        mem_shape!(0x66, 0x0F, 0xBA, 0x3E, 0x0F), // btc word [esi], 15
    ];
    f.run(&mem, CASES, any_input);
    f.finish();
}

#[test]
fn bswap_xadd_cmpxchg() {
    let mut f = Family::new("bswap/xadd/cmpxchg/cmpxchg8b");
    let shapes = vec![
        reg_shape!(0x0F, 0xC8),             // bswap eax
        reg_shape!(0x0F, 0xC9),             // bswap ecx
        reg_shape!(0x0F, 0xCB),             // bswap ebx
        reg_shape!(0x0F, 0xCF),             // bswap edi
        reg_shape!(0x0F, 0xC1, 0xC8),       // xadd eax, ecx
        reg_shape!(0x0F, 0xC1, 0xC0),       // xadd eax, eax
        reg_shape!(0x0F, 0xC0, 0xE1),       // xadd cl, ah
        reg_shape!(0x0F, 0xC0, 0xC4),       // xadd ah, al
        reg_shape!(0x66, 0x0F, 0xC1, 0xD1), // xadd cx, dx
        mem_shape!(0x0F, 0xC1, 0x0E),       // xadd [esi], ecx
        mem_shape!(0x0F, 0xC0, 0x26),       // xadd [esi], ah
    ];
    f.run(&shapes, CASES, any_input);
    let cmpxchg = vec![
        reg_shape!(0x0F, 0xB1, 0xD1),       // cmpxchg ecx, edx
        reg_shape!(0x0F, 0xB1, 0xC8),       // cmpxchg eax, ecx
        reg_shape!(0x0F, 0xB1, 0xC1),       // cmpxchg ecx, eax
        reg_shape!(0x0F, 0xB0, 0xE1),       // cmpxchg cl, ah
        reg_shape!(0x0F, 0xB0, 0xC4),       // cmpxchg ah, al
        reg_shape!(0x66, 0x0F, 0xB1, 0xD1), // cmpxchg cx, dx
        mem_shape!(0x0F, 0xB1, 0x0E),       // cmpxchg [esi], ecx
        mem_shape!(0x0F, 0xB0, 0x3E),       // cmpxchg [esi], bh
        mem_shape!(0x66, 0x0F, 0xB1, 0x06), // cmpxchg [esi], ax
        mem_shape!(0x0F, 0xC7, 0x0E),       // cmpxchg8b [esi]
    ];
    f.run(&cmpxchg, CASES, gen::cmpxchg_input);
    f.finish();
}

#[test]
fn cmpxchg8b_register_operand_is_ud() {
    // 0F C7 /1 with a register operand is #UD (the host would raise SIGILL: emulator only).
    let mut emu = alu_diff::emu::Emu::new();
    let inp = alu_diff::regs::Regs {
        flags: alu_diff::regs::fl::BASE,
        ..Default::default()
    };
    match emu.run(&[0x0F, 0xC7, 0xC8], &inp, false, 1) {
        alu_diff::emu::EmuResult::Exception(6, _) => {}
        other => panic!("cmpxchg8b eax: expected #UD, got {other:x?}"),
    }
}

#[test]
fn decimal_adjust() {
    // DAA/DAS/AAA/AAS/AAM/AAD are invalid in 64-bit mode: the host runs them in
    // compatibility mode. AAM 0 raises #DE (checked on the emulator side only).
    let mut f = Family::new("daa/das/aaa/aas/aam/aad");
    let shapes: Vec<Shape> = [
        &[0x27][..],   // daa
        &[0x2F],       // das
        &[0x37],       // aaa
        &[0x3F],       // aas
        &[0xD4, 0x0A], // aam
        &[0xD4, 0x10], // aam 0x10
        &[0xD4, 0x07], // aam 7
        &[0xD4, 0xFF], // aam 0xff
        &[0xD4, 0x01], // aam 1
        &[0xD4, 0x00], // aam 0: #DE
        &[0xD5, 0x0A], // aad
        &[0xD5, 0x10], // aad 0x10
        &[0xD5, 0x07], // aad 7
        &[0xD5, 0x00], // aad 0
        &[0xD5, 0xFF], // aad 0xff
    ]
    .iter()
    .map(|b| Shape::compat(b))
    .collect();
    let mut n = 0;
    f.run(&shapes, CASES, |rng, shape| {
        n += 1;
        gen::bcd_sweep(rng, shape, n)
    });
    f.run(&shapes, CASES, any_input);
    f.finish();
}

/// SETcc and CMOVcc for the condition codes listed.
macro_rules! cc_forms {
    ($($cc:literal)*) => {
        vec![$(
            reg_shape!(0x0F, 0x90 + $cc, 0xC0),       // setcc al
            reg_shape!(0x0F, 0x90 + $cc, 0xC7),       // setcc bh
            mem_shape!(0x0F, 0x90 + $cc, 0x06),       // setcc byte [esi]
            reg_shape!(0x0F, 0x40 + $cc, 0xC1),       // cmovcc eax, ecx
            reg_shape!(0x66, 0x0F, 0x40 + $cc, 0xD6), // cmovcc dx, si
            mem_shape!(0x0F, 0x40 + $cc, 0x16),       // cmovcc edx, [esi]
        )*]
    };
}

#[test]
fn setcc_cmovcc() {
    let mut f = Family::new("setcc/cmovcc");
    let shapes = cc_forms!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);
    f.run(&shapes, CASES, any_input);
    f.finish();
}

/// A flag producer of each size and kind followed by SETcc/CMOVcc for the conditions listed.
macro_rules! cc_after {
    ($($cc:literal)*) => {
        vec![$(
            reg_shape!(0x39, 0xC8, 0x0F, 0x90 + $cc, 0xC2),       // cmp eax, ecx; setcc dl
            reg_shape!(0x66, 0x29, 0xC8, 0x0F, 0x90 + $cc, 0xC2), // sub ax, cx; setcc dl
            reg_shape!(0x38, 0xC8, 0x0F, 0x90 + $cc, 0xC2),       // cmp al, cl; setcc dl
            reg_shape!(0x21, 0xC8, 0x0F, 0x90 + $cc, 0xC2),       // and eax, ecx; setcc dl
            reg_shape!(0x08, 0xE1, 0x0F, 0x90 + $cc, 0xC2),       // or cl, ah; setcc dl
            reg_shape!(0xFF, 0xC0, 0x0F, 0x90 + $cc, 0xC2),       // inc eax; setcc dl
            reg_shape!(0xFE, 0xC9, 0x0F, 0x90 + $cc, 0xC2),       // dec cl; setcc dl
            reg_shape!(0xF7, 0xD8, 0x0F, 0x90 + $cc, 0xC2),       // neg eax; setcc dl
            reg_shape!(0x11, 0xC8, 0x0F, 0x90 + $cc, 0xC2),       // adc eax, ecx; setcc dl
            reg_shape!(0x66, 0x19, 0xC8, 0x0F, 0x90 + $cc, 0xC2), // sbb ax, cx; setcc dl
            reg_shape!(0x39, 0xC8, 0x0F, 0x40 + $cc, 0xD3),       // cmp eax, ecx; cmovcc edx, ebx
        )*]
    };
}

#[test]
fn flag_chains() {
    // Short sequences: the flags one instruction leaves (lazily, in the emulator) are consumed
    // by the next. The emulator runs the sequence as one decoded block.
    let mut f = Family::new("flag chains");
    let shapes = cc_after!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);
    f.run(&shapes, CASES / 2, gen::shift_input);
    let chains = reg_shapes![
        [0x29, 0xC8, 0x11, 0xDA],                   // sub eax, ecx; adc edx, ebx
        [0x01, 0xC8, 0x19, 0xDA],                   // add eax, ecx; sbb edx, ebx
        [0x28, 0xC8, 0x18, 0xDA],                   // sub al, cl; sbb dl, bl
        [0x66, 0x01, 0xC8, 0x66, 0x11, 0xDA],       // add ax, cx; adc dx, bx
        [0x29, 0xC8, 0xFF, 0xC2, 0x11, 0xF3],       // sub eax, ecx; inc edx; adc ebx, esi
        [0x01, 0xC8, 0xFF, 0xCA, 0x0F, 0x92, 0xC3], // add eax, ecx; dec edx; setb bl
        [0x29, 0xC8, 0xF5, 0x11, 0xDA],             // sub eax, ecx; cmc; adc edx, ebx
        [0x38, 0xC8, 0xF5, 0x0F, 0x96, 0xC2],       // cmp al, cl; cmc; setbe dl
        [0xF9, 0xFF, 0xC0, 0x0F, 0x92, 0xC2],       // stc; inc eax; setb dl
        [0xF8, 0xFF, 0xC8, 0x11, 0xDA],             // clc; dec eax; adc edx, ebx
        [0x00, 0xC8, 0x9F],                         // add al, cl; lahf
        [0x66, 0x29, 0xC8, 0x9F],                   // sub ax, cx; lahf
        [0xFF, 0xC0, 0x9F],                         // inc eax; lahf
        [0xF7, 0xD9, 0x9F],                         // neg ecx; lahf
        [0x0F, 0xAF, 0xC1, 0x11, 0xDA],             // imul eax, ecx; adc edx, ebx
        [0xF6, 0xE1, 0x19, 0xD3],                   // mul cl; sbb ebx, edx
        [0x0F, 0xA3, 0xC8, 0x19, 0xD2],             // bt eax, ecx; sbb edx, edx
        [0x0F, 0xBC, 0xC1, 0x0F, 0x94, 0xC2],       // bsf eax, ecx; sete dl
        [0x31, 0xC0, 0x11, 0xDA],                   // xor eax, eax; adc edx, ebx
        [0xF7, 0xD8, 0x19, 0xD2],                   // neg eax; sbb edx, edx
        [0xD1, 0xE0, 0xD1, 0xDA],                   // shl eax, 1; rcr edx, 1
        [0xD1, 0xF8, 0xD0, 0xD2],                   // sar eax, 1; rcl dl, 1
        [0xFF, 0xC8, 0xD1, 0xD2],                   // dec eax; rcl edx, 1
        [0x29, 0xC8, 0xD3, 0xE2, 0x0F, 0x92, 0xC3], // sub eax, ecx; shl edx, cl; setb bl
        [0x29, 0xC8, 0xD3, 0xEA, 0x0F, 0x94, 0xC3], // sub eax, ecx; shr edx, cl; sete bl
        [0x29, 0xC8, 0xD3, 0xC2, 0x0F, 0x98, 0xC3], // sub eax, ecx; rol edx, cl; sets bl
        [0x28, 0xC8, 0xD2, 0xDA, 0x0F, 0x92, 0xC3], // sub al, cl; rcr dl, cl; setb bl
        [0x66, 0x01, 0xC8, 0x0F, 0xA5, 0xDA],       // add ax, cx; shld edx, ebx, cl
    ];
    f.run(&chains, CASES, gen::shift_input);
    f.finish();
}
