//! `mem`: memory-heavy 32-bit protected mode with paging on (the low 16 MB identity-mapped
//! with 4 KB pages). The guest fills a 1 MB buffer from an LCG, shuffles a permutation of
//! 131072 node numbers (Fisher-Yates, LCG-driven) and links 64-byte nodes spread over 8 MB
//! in that order. Each outer pass copies 1 MB with REP MOVSD, chases the list (load next,
//! add payload, ROL, read-modify-write of a node field), stores into the copy, copies it
//! back, and folds one word of it into EBP.

use super::{pmode, serial, Expected};
use iced_x86::code_asm::*;

pub const SUMMARY: &str =
    "PM + paging: REP MOVSD 1 MB back and forth, pointer chasing over an 8 MB random list";

/// Outer passes at scale 1.
const OUTER: u32 = 60;
/// List steps per outer pass.
const CHASE: u32 = 262_144;
/// The two 1 MB copy buffers.
const BUF_A: u32 = 0x40_0000;
const BUF_B: u32 = 0x50_0000;
const BUF_DWORDS: u32 = 0x4_0000;
/// The permutation of node numbers (512 KB).
const PERM: u32 = 0x30_0000;
/// The nodes: 131072 of 64 bytes (8 MB).
const LIST: u32 = 0x60_0000;
const NODES: u32 = 0x2_0000;
const NODE_SHIFT: u32 = 6;
const COUNTER: u32 = 0x2F_0000;
const LCG_MUL: u32 = 1_664_525;
const LCG_ADD: u32 = 1_013_904_223;

fn lcg(x: u32) -> u32 {
    x.wrapping_mul(LCG_MUL).wrapping_add(LCG_ADD)
}

fn emit_lcg(a: &mut CodeAssembler, reg: AsmRegister32) -> Result<(), IcedError> {
    a.imul_3(reg, reg, LCG_MUL)?;
    a.add(reg, LCG_ADD)
}

fn assemble(outer: u32) -> Result<Vec<u8>, IcedError> {
    let mut a = pmode::code32()?;
    let mut r = serial::routines(&mut a);
    serial::emit_init(&mut a)?;
    serial::emit_print(&mut a, &r, b"BENCH mem\r\n")?;
    pmode::emit_paging(&mut a)?;

    // Buffer A from the LCG.
    let mut fill = a.create_label();
    a.mov(edi, BUF_A)?;
    a.mov(ecx, BUF_DWORDS)?;
    a.mov(eax, 0x2545_F491u32)?;
    a.set_label(&mut fill)?;
    emit_lcg(&mut a, eax)?;
    a.stosd()?;
    a.dec(ecx)?;
    a.jnz(fill)?;
    // perm[i] = i
    let mut ident = a.create_label();
    a.mov(edi, PERM)?;
    a.xor(eax, eax)?;
    a.set_label(&mut ident)?;
    a.stosd()?;
    a.inc(eax)?;
    a.cmp(eax, NODES)?;
    a.jne(ident)?;
    // Fisher-Yates: for i = NODES-1 down to 1, j = (lcg * (i + 1)) >> 32, swap.
    let mut shuffle = a.create_label();
    a.mov(esi, NODES - 1)?;
    a.mov(ebx, 12345u32)?;
    a.set_label(&mut shuffle)?;
    emit_lcg(&mut a, ebx)?;
    a.lea(ecx, ptr(esi + 1))?;
    a.mov(eax, ebx)?;
    a.mul(ecx)?;
    a.mov(eax, dword_ptr(esi * 4 + PERM))?;
    a.mov(ecx, dword_ptr(edx * 4 + PERM))?;
    a.mov(dword_ptr(esi * 4 + PERM), ecx)?;
    a.mov(dword_ptr(edx * 4 + PERM), eax)?;
    a.dec(esi)?;
    a.jnz(shuffle)?;
    // Link node perm[k] to node perm[k+1] (the last to the first); payload from the LCG.
    let mut link = a.create_label();
    a.xor(esi, esi)?;
    a.set_label(&mut link)?;
    a.mov(eax, dword_ptr(esi * 4 + PERM))?;
    a.shl(eax, NODE_SHIFT)?;
    a.add(eax, LIST)?;
    a.lea(ecx, ptr(esi + 1))?;
    a.and(ecx, NODES - 1)?;
    a.mov(ecx, dword_ptr(ecx * 4 + PERM))?;
    a.shl(ecx, NODE_SHIFT)?;
    a.add(ecx, LIST)?;
    a.mov(dword_ptr(eax), ecx)?;
    emit_lcg(&mut a, ebx)?;
    a.mov(dword_ptr(eax + 4), ebx)?;
    a.mov(dword_ptr(eax + 8), 0u32)?;
    a.inc(esi)?;
    a.cmp(esi, NODES)?;
    a.jne(link)?;

    a.mov(dword_ptr(COUNTER), outer)?;
    a.mov(eax, 1u32)?;
    a.xor(ebp, ebp)?;
    a.mov(ebx, dword_ptr(PERM))?;
    a.shl(ebx, NODE_SHIFT)?;
    a.add(ebx, LIST)?;
    let mut outer_top = a.create_label();
    let mut chase = a.create_label();
    a.set_label(&mut outer_top)?;
    a.mov(esi, BUF_A)?;
    a.mov(edi, BUF_B)?;
    a.mov(ecx, BUF_DWORDS)?;
    a.rep().movsd()?;
    a.mov(ecx, CHASE)?;
    a.set_label(&mut chase)?;
    a.mov(ebx, dword_ptr(ebx))?;
    a.add(eax, dword_ptr(ebx + 4))?;
    a.rol(eax, 3)?;
    a.xor(eax, dword_ptr(ebx + 8))?;
    a.add(dword_ptr(ebx + 8), eax)?;
    a.dec(ecx)?;
    a.jnz(chase)?;
    a.mov(edx, eax)?;
    a.and(edx, (BUF_DWORDS - 1) * 4)?;
    a.xor(dword_ptr(edx + BUF_B), eax)?;
    a.mov(esi, BUF_B)?;
    a.mov(edi, BUF_A)?;
    a.mov(ecx, BUF_DWORDS)?;
    a.rep().movsd()?;
    a.mov(edx, ebp)?;
    a.and(edx, (BUF_DWORDS - 1) * 4)?;
    a.add(ebp, dword_ptr(edx + BUF_A))?;
    a.add(ebp, eax)?;
    a.dec(dword_ptr(COUNTER))?;
    a.jnz(outer_top)?;

    // Fold buffer A into EDX.
    let mut fold = a.create_label();
    a.mov(esi, BUF_A)?;
    a.mov(ecx, BUF_DWORDS)?;
    a.xor(edx, edx)?;
    a.set_label(&mut fold)?;
    a.add(edx, dword_ptr(esi))?;
    a.rol(edx, 1)?;
    a.add(esi, 4u32)?;
    a.dec(ecx)?;
    a.jnz(fold)?;
    a.xor(eax, edx)?;
    a.add(eax, ebp)?;
    a.xor(eax, ebx)?;

    serial::emit_finish(&mut a, &r)?;
    serial::emit_routines(&mut a, &mut r)?;
    pmode::program(a)
}

/// The workload run by the host, for the expected checksum and instruction count.
mod model {
    use super::super::Expected;
    use super::{lcg, BUF_DWORDS, CHASE, LIST, NODES, NODE_SHIFT};

    /// The same computation in Rust (paging set-up not counted).
    pub fn run(outer: u32) -> Expected {
        let words = BUF_DWORDS as usize;
        let nodes = NODES as usize;
        let mut n: u64 = 3 + 5 * words as u64;
        let mut buf_a = vec![0u32; words];
        let mut x = 0x2545_F491u32;
        for w in buf_a.iter_mut() {
            x = lcg(x);
            *w = x;
        }
        n += 2 + 4 * nodes as u64;
        let mut perm: Vec<u32> = (0..NODES).collect();
        n += 2;
        let mut x = 12345u32;
        for i in (1..nodes).rev() {
            x = lcg(x);
            let j = ((x as u64 * (i as u64 + 1)) >> 32) as usize;
            perm.swap(i, j);
            n += 11;
        }
        n += 1;
        // next[node] and the two payload words of every node.
        let mut next = vec![0u32; nodes];
        let mut value = vec![0u32; nodes];
        let mut field = vec![0u32; nodes];
        for k in 0..nodes {
            let node = perm[k] as usize;
            next[node] = perm[(k + 1) % nodes];
            x = lcg(x);
            value[node] = x;
            n += 16;
        }
        n += 6;
        let (mut eax, mut ebp) = (1u32, 0u32);
        let mut cur = perm[0] as usize;
        let mut buf_b = vec![0u32; words];
        let mask = words - 1;
        for _ in 0..outer {
            buf_b.copy_from_slice(&buf_a);
            n += 5;
            for _ in 0..CHASE {
                cur = next[cur] as usize;
                eax = eax.wrapping_add(value[cur]).rotate_left(3) ^ field[cur];
                field[cur] = field[cur].wrapping_add(eax);
            }
            n += 7 * CHASE as u64;
            buf_b[(eax as usize >> 2) & mask] ^= eax;
            buf_a.copy_from_slice(&buf_b);
            ebp = ebp
                .wrapping_add(buf_a[(ebp as usize >> 2) & mask])
                .wrapping_add(eax);
            n += 3 + 4 + 6;
        }
        n += 3 + 5 * words as u64 + 3;
        let mut edx = 0u32;
        for w in &buf_a {
            edx = edx.wrapping_add(*w).rotate_left(1);
        }
        let ebx = LIST + ((cur as u32) << NODE_SHIFT);
        Expected {
            checksum: (eax ^ edx).wrapping_add(ebp) ^ ebx,
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
