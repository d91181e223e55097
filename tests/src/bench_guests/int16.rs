//! `int16`: a 16-bit real-mode integer loop. A 256-word table in a data segment at
//! 3000:0000; each step indexes it with CX, adds with carry into DX, XORs, rotates, shifts,
//! subtracts, INC, an 8-bit ADD, CMP+JB over a read-modify-write of the table entry and a
//! SAR; LOOP closes the inner loop and a DEC of a dword counter in memory the outer one.
//! Interrupts stay enabled (the BIOS timer ticks through it).

use super::serial;
use super::Expected;
use iced_x86::code_asm::*;

pub const SUMMARY: &str = "real mode: ALU, shifts, INC/DEC, CMP+Jcc, LOOP, memory operands";

/// Outer iterations at scale 1 (each runs the 256-step inner loop).
const OUTER: u32 = 80_000;
const DATA_SEGMENT: u32 = 0x3000;
/// Word offsets in the data segment: the table at 0, then these.
const COUNTER_AT: u32 = 0x200;
const RESULT_AT: u32 = 0x204;

fn assemble(outer: u32) -> Result<Vec<u8>, IcedError> {
    let mut a = CodeAssembler::new(16)?;
    let mut r = serial::routines(&mut a);
    let mut fill = a.create_label();
    let mut outer_top = a.create_label();
    let mut inner = a.create_label();
    let mut skip = a.create_label();
    let mut fold = a.create_label();

    a.mov(ax, cs)?;
    a.mov(ds, ax)?;
    a.sti()?;
    serial::emit_init(&mut a)?;
    serial::emit_print(&mut a, &r, b"BENCH int16\r\n")?;

    a.mov(ax, DATA_SEGMENT)?;
    a.mov(ds, ax)?;
    a.xor(bx, bx)?;
    a.mov(ax, 0x1234u32)?;
    a.set_label(&mut fill)?;
    a.mov(word_ptr(bx), ax)?;
    a.add(ax, 0x9E37u32)?;
    a.add(bx, 2u32)?;
    a.cmp(bx, 512u32)?;
    a.jne(fill)?;
    a.mov(dword_ptr(COUNTER_AT), outer)?;
    a.mov(ax, 1u32)?;
    a.xor(dx, dx)?;
    a.mov(si, 0x5555u32)?;
    a.mov(di, 0xAAAAu32)?;
    a.xor(bp, bp)?;

    a.set_label(&mut outer_top)?;
    a.mov(cx, 256u32)?;
    a.set_label(&mut inner)?;
    a.mov(bx, cx)?;
    a.and(bx, 0xFFu32)?;
    a.shl(bx, 1)?;
    a.add(ax, word_ptr(bx))?;
    a.adc(dx, 0u32)?;
    a.xor(ax, si)?;
    a.rol(ax, 3)?;
    a.mov(si, ax)?;
    a.shr(si, 1)?;
    a.sub(di, ax)?;
    a.inc(bp)?;
    a.add(dl, al)?;
    a.cmp(ax, di)?;
    a.jb(skip)?;
    a.add(word_ptr(bx), ax)?;
    a.sar(dx, 1)?;
    a.set_label(&mut skip)?;
    a.loop_(inner)?;
    a.xor(ax, bp)?;
    a.dec(dword_ptr(COUNTER_AT))?;
    a.jnz(outer_top)?;

    // Fold the table into DI.
    a.xor(bx, bx)?;
    a.mov(cx, 256u32)?;
    a.set_label(&mut fold)?;
    a.add(di, word_ptr(bx))?;
    a.rol(di, 1)?;
    a.add(bx, 2u32)?;
    a.loop_(fold)?;
    // EAX = (DX:AX) ^ (SI:DI) + BP
    a.mov(word_ptr(RESULT_AT), ax)?;
    a.mov(word_ptr(RESULT_AT + 2), dx)?;
    a.mov(eax, dword_ptr(RESULT_AT))?;
    a.mov(word_ptr(RESULT_AT + 4), di)?;
    a.mov(word_ptr(RESULT_AT + 6), si)?;
    a.xor(eax, dword_ptr(RESULT_AT + 4))?;
    a.mov(word_ptr(RESULT_AT + 8), bp)?;
    a.mov(word_ptr(RESULT_AT + 10), 0u32)?;
    a.add(eax, dword_ptr(RESULT_AT + 8))?;

    serial::emit_finish(&mut a, &r)?;
    serial::emit_routines(&mut a, &mut r)?;
    a.assemble(0)
}

/// The workload run by the host, for the expected checksum and instruction count.
mod model {
    use super::super::Expected;

    /// The same computation in Rust.
    pub fn run(outer: u32) -> Expected {
        let mut table = [0u16; 256];
        let mut v = 0x1234u16;
        for t in table.iter_mut() {
            *t = v;
            v = v.wrapping_add(0x9E37);
        }
        let mut n: u64 = 4 + 256 * 5 + 6;
        let (mut ax, mut dx, mut si, mut di, mut bp) = (1u16, 0u16, 0x5555u16, 0xAAAAu16, 0u16);
        for _ in 0..outer {
            n += 1;
            for cx in (1..=256usize).rev() {
                let i = cx & 0xFF;
                let (sum, carry) = ax.overflowing_add(table[i]);
                ax = sum;
                dx = dx.wrapping_add(carry as u16);
                ax = (ax ^ si).rotate_left(3);
                si = ax >> 1;
                di = di.wrapping_sub(ax);
                bp = bp.wrapping_add(1);
                dx = (dx & 0xFF00) | (dx as u8).wrapping_add(ax as u8) as u16;
                n += 15;
                if ax >= di {
                    table[i] = table[i].wrapping_add(ax);
                    dx = ((dx as i16) >> 1) as u16;
                    n += 2;
                }
            }
            ax ^= bp;
            n += 3;
        }
        n += 2;
        for t in table {
            di = di.wrapping_add(t).rotate_left(1);
            n += 4;
        }
        n += 9;
        let dxax = (dx as u32) << 16 | ax as u32;
        let sidi = (si as u32) << 16 | di as u32;
        Expected {
            checksum: (dxax ^ sidi).wrapping_add(bp as u32),
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
