//! `int32`: the integer loop in 32-bit flat protected mode (paging off). A 1024-dword table
//! at 2 MB (so A20 must be on); each step indexes it with ECX (scaled-index addressing),
//! ADD/ADC, XOR, ROL, LEA, SUB, INC, PUSH/POP, MOVSX, TEST+SETNZ, CMP+JB over a
//! read-modify-write of the table entry and a SAR; DEC+JNZ loops, IMUL per outer pass.

use super::{pmode, serial, Expected};
use iced_x86::code_asm::*;

pub const SUMMARY: &str = "32-bit flat PM: ALU, LEA, PUSH/POP, MOVSX, SETcc, CMP+Jcc, IMUL";

/// Outer iterations at scale 1 (each runs the 1024-step inner loop).
const OUTER: u32 = 15_000;
const TABLE: u32 = 0x20_0000;
const COUNTER: u32 = 0x20_1000;

fn assemble(outer: u32) -> Result<Vec<u8>, IcedError> {
    let mut a = pmode::code32()?;
    let mut r = serial::routines(&mut a);
    let mut fill = a.create_label();
    let mut outer_top = a.create_label();
    let mut inner = a.create_label();
    let mut skip = a.create_label();
    let mut fold = a.create_label();

    serial::emit_init(&mut a)?;
    serial::emit_print(&mut a, &r, b"BENCH int32\r\n")?;

    a.mov(edi, TABLE)?;
    a.mov(eax, 0x1234_5678u32)?;
    a.mov(ecx, 1024u32)?;
    a.set_label(&mut fill)?;
    a.mov(dword_ptr(edi), eax)?;
    a.add(eax, 0x9E37_79B9u32)?;
    a.add(edi, 4u32)?;
    a.dec(ecx)?;
    a.jnz(fill)?;
    a.mov(dword_ptr(COUNTER), outer)?;
    a.mov(eax, 1u32)?;
    a.xor(edx, edx)?;
    a.mov(esi, 0x5555_5555u32)?;
    a.mov(edi, 0xAAAA_AAAAu32)?;
    a.xor(ebp, ebp)?;

    a.set_label(&mut outer_top)?;
    a.mov(ecx, 1024u32)?;
    a.set_label(&mut inner)?;
    a.mov(ebx, ecx)?;
    a.and(ebx, 1023u32)?;
    a.add(eax, dword_ptr(ebx * 4 + TABLE))?;
    a.adc(edx, 0u32)?;
    a.xor(eax, esi)?;
    a.rol(eax, 5)?;
    a.lea(esi, ptr(eax + eax * 2 + 7))?;
    a.sub(edi, eax)?;
    a.inc(ebp)?;
    a.push(edx)?;
    a.movsx(edx, al)?;
    a.add(ebp, edx)?;
    a.test(al, 4u32)?;
    a.setnz(dl)?;
    a.add(edi, edx)?;
    a.pop(edx)?;
    a.cmp(eax, edi)?;
    a.jb(skip)?;
    a.add(dword_ptr(ebx * 4 + TABLE), eax)?;
    a.sar(edx, 1)?;
    a.set_label(&mut skip)?;
    a.dec(ecx)?;
    a.jnz(inner)?;
    a.imul_3(eax, eax, 0x0100_0193)?;
    a.xor(eax, ebp)?;
    a.dec(dword_ptr(COUNTER))?;
    a.jnz(outer_top)?;

    a.mov(ebx, TABLE)?;
    a.mov(ecx, 1024u32)?;
    a.set_label(&mut fold)?;
    a.add(edi, dword_ptr(ebx))?;
    a.rol(edi, 1)?;
    a.add(ebx, 4u32)?;
    a.dec(ecx)?;
    a.jnz(fold)?;
    a.rol(edx, 8)?;
    a.xor(eax, edx)?;
    a.rol(esi, 16)?;
    a.xor(eax, esi)?;
    a.add(eax, edi)?;
    a.add(eax, ebp)?;

    serial::emit_finish(&mut a, &r)?;
    serial::emit_routines(&mut a, &mut r)?;
    pmode::program(a)
}

/// The workload run by the host, for the expected checksum and instruction count.
mod model {
    use super::super::Expected;

    /// The same computation in Rust.
    pub fn run(outer: u32) -> Expected {
        let mut table = [0u32; 1024];
        let mut v = 0x1234_5678u32;
        for t in table.iter_mut() {
            *t = v;
            v = v.wrapping_add(0x9E37_79B9);
        }
        let mut n: u64 = 3 + 1024 * 5 + 6;
        let (mut eax, mut edx, mut esi, mut edi, mut ebp) =
            (1u32, 0u32, 0x5555_5555u32, 0xAAAA_AAAAu32, 0u32);
        for _ in 0..outer {
            n += 1;
            for ecx in (1..=1024usize).rev() {
                let i = ecx & 1023;
                let (sum, carry) = eax.overflowing_add(table[i]);
                eax = sum;
                edx = edx.wrapping_add(carry as u32);
                eax = (eax ^ esi).rotate_left(5);
                esi = eax.wrapping_mul(3).wrapping_add(7);
                edi = edi.wrapping_sub(eax);
                ebp = ebp.wrapping_add(1);
                let sx = eax as u8 as i8 as i32 as u32;
                ebp = ebp.wrapping_add(sx);
                let set = (sx & 0xFFFF_FF00) | (eax & 4 != 0) as u32;
                edi = edi.wrapping_add(set);
                n += 20;
                if eax >= edi {
                    table[i] = table[i].wrapping_add(eax);
                    edx = ((edx as i32) >> 1) as u32;
                    n += 2;
                }
            }
            eax = eax.wrapping_mul(0x0100_0193) ^ ebp;
            n += 4;
        }
        n += 2;
        for t in table {
            edi = edi.wrapping_add(t).rotate_left(1);
            n += 5;
        }
        n += 6;
        Expected {
            checksum: (eax ^ edx.rotate_left(8) ^ esi.rotate_left(16))
                .wrapping_add(edi)
                .wrapping_add(ebp),
            instructions: n,
        }
    }
}

pub fn build(scale: u32) -> Result<(Vec<u8>, Expected), IcedError> {
    build_outer(OUTER.saturating_mul(scale))
}

/// The program and its expected result for `outer` outer iterations (at least 1).
pub fn build_outer(outer: u32) -> Result<(Vec<u8>, Expected), IcedError> {
    Ok((assemble(outer)?, model::run(outer)))
}
