//! `calls`: control flow in 32-bit flat protected mode. Each step calls one of eight
//! functions through a table (`call [table + ebx*4]`, one of them nesting a direct call),
//! a direct call, a call with a stack argument and `ret 4`, a four-way switch through a
//! jump table loaded into a register (`jmp esi`), and a two-way `jmp [table + esi*4]`.

use super::{pmode, serial, Expected};
use iced_x86::code_asm::*;
use iced_x86::BlockEncoderOptions;

pub const SUMMARY: &str =
    "32-bit flat PM: CALL/RET, RET imm, CALL [table], JMP reg, JMP [table] switches";

/// Outer iterations at scale 1 (each runs the 4096-step inner loop).
const OUTER: u32 = 2_600;
const INNER: u32 = 4096;
const COUNTER: u32 = 0x20_1000;
const F0_ADD: u32 = 0x0123_4567;
const F6_MUL: u32 = 0x2545_F491;

/// Addresses the code refers to as data: the three tables' contents and their own places.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
struct Layout {
    functions: [u32; 8],
    cases: [u32; 4],
    tails: [u32; 2],
    function_table: u32,
    case_table: u32,
    tail_table: u32,
}

/// Assembles the program with `given` as table contents and addresses; returns the 32-bit
/// code and the layout it actually has. Sizes do not depend on `given` (table entries are
/// dwords and table references disp32), so a second pass with the first pass's layout is
/// exact.
fn assemble(outer: u32, given: &Layout) -> Result<(Vec<u8>, Layout), IcedError> {
    let mut a = pmode::code32()?;
    let mut r = serial::routines(&mut a);
    let mut f: Vec<CodeLabel> = (0..8).map(|_| a.create_label()).collect();
    let mut case: Vec<CodeLabel> = (0..4).map(|_| a.create_label()).collect();
    let mut tail: Vec<CodeLabel> = (0..2).map(|_| a.create_label()).collect();
    let mut function_table = a.create_label();
    let mut case_table = a.create_label();
    let mut tail_table = a.create_label();
    let mut mixd = a.create_label();
    let mut g4 = a.create_label();
    let mut outer_top = a.create_label();
    let mut inner = a.create_label();
    let mut join = a.create_label();
    let mut done = a.create_label();

    serial::emit_init(&mut a)?;
    serial::emit_print(&mut a, &r, b"BENCH calls\r\n")?;
    a.mov(dword_ptr(COUNTER), outer)?;
    a.mov(eax, 0x1234_5678u32)?;
    a.mov(edx, 0x9ABC_DEF0u32)?;
    a.xor(ebp, ebp)?;
    a.set_label(&mut outer_top)?;
    a.mov(ecx, INNER)?;
    a.set_label(&mut inner)?;
    a.mov(ebx, eax)?;
    a.shr(ebx, 7)?;
    a.and(ebx, 7u32)?;
    a.call(dword_ptr(ebx * 4 + given.function_table))?;
    a.call(mixd)?;
    a.push(eax)?;
    a.call(g4)?;
    a.mov(esi, edx)?;
    a.and(esi, 3u32)?;
    a.mov(esi, dword_ptr(esi * 4 + given.case_table))?;
    a.jmp(esi)?;
    a.set_label(&mut case[0])?;
    a.add(edx, 3u32)?;
    a.jmp(join)?;
    a.set_label(&mut case[1])?;
    a.xor(edx, eax)?;
    a.jmp(join)?;
    a.set_label(&mut case[2])?;
    a.rol(edx, 3)?;
    a.jmp(join)?;
    a.set_label(&mut case[3])?;
    a.sub(edx, ecx)?;
    a.set_label(&mut join)?;
    a.mov(esi, eax)?;
    a.and(esi, 1u32)?;
    a.jmp(dword_ptr(esi * 4 + given.tail_table))?;
    a.set_label(&mut tail[0])?;
    a.inc(ebp)?;
    a.jmp(done)?;
    a.set_label(&mut tail[1])?;
    a.add(ebp, edx)?;
    a.set_label(&mut done)?;
    a.dec(ecx)?;
    a.jnz(inner)?;
    a.dec(dword_ptr(COUNTER))?;
    a.jnz(outer_top)?;
    a.xor(eax, edx)?;
    a.add(eax, ebp)?;
    serial::emit_finish(&mut a, &r)?;

    // The functions.
    a.set_label(&mut f[0])?;
    a.add(eax, F0_ADD)?;
    a.ret()?;
    a.set_label(&mut f[1])?;
    a.xor(eax, edx)?;
    a.rol(eax, 3)?;
    a.ret()?;
    a.set_label(&mut f[2])?;
    a.lea(eax, ptr(eax + eax * 4 + 1))?;
    a.ret()?;
    a.set_label(&mut f[3])?;
    a.push(ebx)?;
    a.mov(ebx, eax)?;
    a.shr(ebx, 3)?;
    a.add(eax, ebx)?;
    a.pop(ebx)?;
    a.ret()?;
    a.set_label(&mut f[4])?;
    a.sub(eax, edx)?;
    a.ret()?;
    a.set_label(&mut f[5])?;
    let f0 = f[0];
    a.call(f0)?;
    a.rol(eax, 1)?;
    a.ret()?;
    a.set_label(&mut f[6])?;
    a.imul_3(eax, eax, F6_MUL)?;
    a.inc(eax)?;
    a.ret()?;
    a.set_label(&mut f[7])?;
    a.not(eax)?;
    a.add(eax, ecx)?;
    a.ret()?;
    a.set_label(&mut mixd)?;
    a.add(edx, eax)?;
    a.ror(edx, 5)?;
    a.ret()?;
    a.set_label(&mut g4)?;
    a.add(ebp, dword_ptr(esp + 4))?;
    a.ret_1(4)?;
    serial::emit_routines(&mut a, &mut r)?;

    a.set_label(&mut function_table)?;
    a.dd(&given.functions)?;
    a.set_label(&mut case_table)?;
    a.dd(&given.cases)?;
    a.set_label(&mut tail_table)?;
    a.dd(&given.tails)?;

    let out = a.assemble_options(
        pmode::CODE32_BASE as u64,
        BlockEncoderOptions::RETURN_NEW_INSTRUCTION_OFFSETS,
    )?;
    let ip = |l: &CodeLabel| out.label_ip(l).map(|v| v as u32);
    let mut layout = Layout {
        function_table: ip(&function_table)?,
        case_table: ip(&case_table)?,
        tail_table: ip(&tail_table)?,
        ..Layout::default()
    };
    for (slot, l) in layout.functions.iter_mut().zip(&f) {
        *slot = ip(l)?;
    }
    for (slot, l) in layout.cases.iter_mut().zip(&case) {
        *slot = ip(l)?;
    }
    for (slot, l) in layout.tails.iter_mut().zip(&tail) {
        *slot = ip(l)?;
    }
    Ok((out.inner.code_buffer, layout))
}

/// The workload run by the host, for the expected checksum and instruction count.
mod model {
    use super::super::Expected;
    use super::{F0_ADD, F6_MUL, INNER};

    /// The same computation in Rust.
    pub fn run(outer: u32) -> Expected {
        let (mut eax, mut edx, mut ebp) = (0x1234_5678u32, 0x9ABC_DEF0u32, 0u32);
        let mut n: u64 = 4;
        for _ in 0..outer {
            n += 1;
            for ecx in (1..=INNER).rev() {
                n += 4;
                let (value, cost) = match (eax >> 7) & 7 {
                    0 => (eax.wrapping_add(F0_ADD), 2),
                    1 => ((eax ^ edx).rotate_left(3), 3),
                    2 => (eax.wrapping_mul(5).wrapping_add(1), 2),
                    3 => (eax.wrapping_add(eax >> 3), 6),
                    4 => (eax.wrapping_sub(edx), 2),
                    5 => (eax.wrapping_add(F0_ADD).rotate_left(1), 5),
                    6 => (eax.wrapping_mul(F6_MUL).wrapping_add(1), 3),
                    _ => ((!eax).wrapping_add(ecx), 3),
                };
                eax = value;
                n += cost;
                edx = edx.wrapping_add(eax).rotate_right(5);
                ebp = ebp.wrapping_add(eax);
                n += 4 + 4 + 4;
                match edx & 3 {
                    0 => edx = edx.wrapping_add(3),
                    1 => edx ^= eax,
                    2 => edx = edx.rotate_left(3),
                    _ => {
                        edx = edx.wrapping_sub(ecx);
                        n -= 1;
                    }
                }
                n += 2 + 3;
                if eax & 1 == 0 {
                    ebp = ebp.wrapping_add(1);
                    n += 2;
                } else {
                    ebp = ebp.wrapping_add(edx);
                    n += 1;
                }
                n += 2;
            }
            n += 2;
        }
        n += 2;
        Expected {
            checksum: (eax ^ edx).wrapping_add(ebp),
            instructions: n,
        }
    }
}

pub fn build(scale: u32) -> Result<(Vec<u8>, Expected), IcedError> {
    build_outer(OUTER.saturating_mul(scale))
}

/// The program and its expected result for `outer` outer iterations (at least 1).
pub fn build_outer(outer: u32) -> Result<(Vec<u8>, Expected), IcedError> {
    let (_, layout) = assemble(outer, &Layout::default())?;
    let (code, check) = assemble(outer, &layout)?;
    assert_eq!(layout, check, "calls: the layout moved between passes");
    Ok((pmode::with_stub(&code)?, model::run(outer)))
}
