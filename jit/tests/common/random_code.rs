//! Random guest programs for the differential tests: a counted loop around a random body of
//! the instructions the JIT emits inline (MOV, ALU with ADC/SBB, INC/DEC/NEG/NOT, LEA,
//! MOVZX/MOVSX, Jcc, LOOP, shifts by an immediate) mixed with ones it hands to the interpreter (SETcc,
//! LAHF/SAHF, PUSH/POP), register and memory operands, in 16- or 32-bit code.
#![allow(dead_code)]

use super::guest::{Asm, AsmResult};
use iced_x86::code_asm::*;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// The data area register EBX/BX points at.
pub const DATA16: u32 = 0xC000;
pub const DATA32: u32 = 0x40000;

const R32: [AsmRegister32; 5] = [eax, ecx, edx, esi, edi];
const R16: [AsmRegister16; 5] = [ax, cx, dx, si, di];
const R8: [AsmRegister8; 6] = [al, cl, dl, ah, ch, dh];
/// Sources may also read the base register.
const S32: [AsmRegister32; 6] = [eax, ecx, edx, esi, edi, ebx];
const S16: [AsmRegister16; 6] = [ax, cx, dx, si, di, bx];
const S8: [AsmRegister8; 8] = [al, cl, dl, ah, ch, dh, bl, bh];

struct Gen {
    rng: SmallRng,
    bits: u32,
}

impl Gen {
    fn pick<T: Copy>(&mut self, s: &[T]) -> T {
        s[self.rng.gen_range(0..s.len())]
    }

    /// A memory operand; `write` keeps it near the data area.
    fn mem(&mut self, write: bool) -> AsmMemoryOperand {
        let d: i32 = self.rng.gen_range(-64..64);
        if self.bits == 32 {
            if !write && self.rng.gen_bool(0.2) {
                ptr(ebx + esi * 4 + d)
            } else {
                ptr(ebx + d)
            }
        } else if !write && self.rng.gen_bool(0.2) {
            ptr(bx + si + d)
        } else {
            ptr(bx + d)
        }
    }

    fn imm(&mut self) -> u32 {
        match self.rng.gen_range(0..4) {
            0 => self.rng.gen_range(0..4),
            1 => 0x7F + self.rng.gen_range(0..3),
            2 => 0xFFFF_FFFF - self.rng.gen_range(0..3),
            _ => self.rng.gen(),
        }
    }

    fn alu_rr(&mut self, a: &mut Asm, op: u32, size: u32) -> AsmResult {
        macro_rules! go {
            ($d:expr, $s:expr) => {
                match op {
                    0 => a.add($d, $s),
                    1 => a.or($d, $s),
                    2 => a.adc($d, $s),
                    3 => a.sbb($d, $s),
                    4 => a.and($d, $s),
                    5 => a.sub($d, $s),
                    6 => a.xor($d, $s),
                    7 => a.cmp($d, $s),
                    _ => a.test($d, $s),
                }
            };
        }
        match size {
            0 => {
                let (d, s) = (self.pick(&R8), self.pick(&S8));
                go!(d, s)
            }
            1 => {
                let (d, s) = (self.pick(&R16), self.pick(&S16));
                go!(d, s)
            }
            _ => {
                let (d, s) = (self.pick(&R32), self.pick(&S32));
                go!(d, s)
            }
        }
    }

    fn alu_ri(&mut self, a: &mut Asm, op: u32, size: u32) -> AsmResult {
        let v = self.imm();
        macro_rules! go {
            ($d:expr, $s:expr) => {
                match op {
                    0 => a.add($d, $s),
                    1 => a.or($d, $s),
                    2 => a.adc($d, $s),
                    3 => a.sbb($d, $s),
                    4 => a.and($d, $s),
                    5 => a.sub($d, $s),
                    6 => a.xor($d, $s),
                    7 => a.cmp($d, $s),
                    _ => a.test($d, $s),
                }
            };
        }
        match size {
            0 => {
                let d = self.pick(&R8);
                go!(d, (v & 0xFF) as i32)
            }
            1 => {
                let d = self.pick(&R16);
                go!(d, (v & 0xFFFF) as i32)
            }
            _ => {
                let d = self.pick(&R32);
                go!(d, v as i32)
            }
        }
    }

    fn alu_mem(&mut self, a: &mut Asm, op: u32, size: u32, to_mem: bool) -> AsmResult {
        macro_rules! go {
            ($d:expr, $s:expr) => {
                match op {
                    0 => a.add($d, $s),
                    1 => a.or($d, $s),
                    2 => a.adc($d, $s),
                    3 => a.sbb($d, $s),
                    4 => a.and($d, $s),
                    5 => a.sub($d, $s),
                    6 => a.xor($d, $s),
                    _ => a.cmp($d, $s),
                }
            };
        }
        macro_rules! go_t {
            ($d:expr, $s:expr) => {
                if op == 8 {
                    a.test($d, $s)
                } else {
                    go!($d, $s)
                }
            };
        }
        let m = self.mem(to_mem);
        match (size, to_mem) {
            (0, false) => {
                let r = self.pick(&R8);
                if op == 8 {
                    a.test(byte_ptr(m), r)
                } else {
                    go!(r, byte_ptr(m))
                }
            }
            (0, true) => {
                let r = self.pick(&S8);
                go_t!(byte_ptr(m), r)
            }
            (1, false) => {
                let r = self.pick(&R16);
                if op == 8 {
                    a.test(word_ptr(m), r)
                } else {
                    go!(r, word_ptr(m))
                }
            }
            (1, true) => {
                let r = self.pick(&S16);
                go_t!(word_ptr(m), r)
            }
            (_, false) => {
                let r = self.pick(&R32);
                if op == 8 {
                    a.test(dword_ptr(m), r)
                } else {
                    go!(r, dword_ptr(m))
                }
            }
            (_, true) => {
                let r = self.pick(&S32);
                go_t!(dword_ptr(m), r)
            }
        }
    }

    fn unary(&mut self, a: &mut Asm, op: u32, size: u32, mem: bool) -> AsmResult {
        macro_rules! go {
            ($d:expr) => {
                match op {
                    0 => a.inc($d),
                    1 => a.dec($d),
                    2 => a.neg($d),
                    _ => a.not($d),
                }
            };
        }
        if mem {
            let m = self.mem(true);
            return match size {
                0 => go!(byte_ptr(m)),
                1 => go!(word_ptr(m)),
                _ => go!(dword_ptr(m)),
            };
        }
        match size {
            0 => {
                let d = self.pick(&R8);
                go!(d)
            }
            1 => {
                let d = self.pick(&R16);
                go!(d)
            }
            _ => {
                let d = self.pick(&R32);
                go!(d)
            }
        }
    }

    fn mov(&mut self, a: &mut Asm, size: u32) -> AsmResult {
        let form = self.rng.gen_range(0..5);
        let v = self.imm();
        match (size, form) {
            (0, 0) => a.mov(self.pick(&R8), self.pick(&S8)),
            (0, 1) => a.mov(self.pick(&R8), (v & 0xFF) as i32),
            (0, 2) => {
                let m = self.mem(false);
                a.mov(self.pick(&R8), byte_ptr(m))
            }
            (0, 3) => {
                let m = self.mem(true);
                a.mov(byte_ptr(m), self.pick(&S8))
            }
            (0, _) => {
                let m = self.mem(true);
                a.mov(byte_ptr(m), (v & 0xFF) as i32)
            }
            (1, 0) => a.mov(self.pick(&R16), self.pick(&S16)),
            (1, 1) => a.mov(self.pick(&R16), (v & 0xFFFF) as i32),
            (1, 2) => {
                let m = self.mem(false);
                a.mov(self.pick(&R16), word_ptr(m))
            }
            (1, 3) => {
                let m = self.mem(true);
                a.mov(word_ptr(m), self.pick(&S16))
            }
            (1, _) => {
                let m = self.mem(true);
                a.mov(word_ptr(m), (v & 0xFFFF) as i32)
            }
            (_, 0) => a.mov(self.pick(&R32), self.pick(&S32)),
            (_, 1) => a.mov(self.pick(&R32), v),
            (_, 2) => {
                let m = self.mem(false);
                a.mov(self.pick(&R32), dword_ptr(m))
            }
            (_, 3) => {
                let m = self.mem(true);
                a.mov(dword_ptr(m), self.pick(&S32))
            }
            (_, _) => {
                let m = self.mem(true);
                a.mov(dword_ptr(m), v as i32)
            }
        }
    }

    fn movx(&mut self, a: &mut Asm) -> AsmResult {
        let signed = self.rng.gen_bool(0.5);
        let d = self.pick(&R32);
        let d16 = self.pick(&R16);
        match self.rng.gen_range(0..5) {
            0 if signed => a.movsx(d, self.pick(&S8)),
            0 => a.movzx(d, self.pick(&S8)),
            1 if signed => a.movsx(d, self.pick(&S16)),
            1 => a.movzx(d, self.pick(&S16)),
            2 if signed => a.movsx(d16, self.pick(&S8)),
            2 => a.movzx(d16, self.pick(&S8)),
            3 => {
                let m = self.mem(false);
                if signed {
                    a.movsx(d, byte_ptr(m))
                } else {
                    a.movzx(d, byte_ptr(m))
                }
            }
            _ => {
                let m = self.mem(false);
                if signed {
                    a.movsx(d, word_ptr(m))
                } else {
                    a.movzx(d, word_ptr(m))
                }
            }
        }
    }

    fn lea(&mut self, a: &mut Asm) -> AsmResult {
        let d: i32 = self.rng.gen_range(-200..200);
        let m = if self.bits == 32 {
            match self.rng.gen_range(0..3) {
                0 => ptr(eax + ecx * 2 + d),
                1 => ptr(esi + edi * 8),
                _ => ptr(edx + d),
            }
        } else {
            match self.rng.gen_range(0..2) {
                0 => ptr(bx + si + d),
                _ => ptr(bx + di),
            }
        };
        if self.rng.gen_bool(0.5) {
            a.lea(self.pick(&R32), m)
        } else {
            a.lea(self.pick(&R16), m)
        }
    }

    fn other(&mut self, a: &mut Asm) -> AsmResult {
        match self.rng.gen_range(0..16) {
            10 => a.rol(self.pick(&R32), self.rng.gen_range(0..40) as u32),
            11 => a.ror(self.pick(&R16), self.rng.gen_range(0..20) as u32),
            12 => a.rol(self.pick(&R8), self.rng.gen_range(0..12) as u32),
            13 => a.shl(self.pick(&R32), cl),
            14 => a.sar(self.pick(&R16), cl),
            15 => self.call_ret(a),
            0 => a.shl(self.pick(&R32), self.rng.gen_range(0..33) as u32),
            7 => a.shr(self.pick(&R16), self.rng.gen_range(0..18) as u32),
            8 => a.sar(self.pick(&R8), self.rng.gen_range(0..10) as u32),
            9 => a.shl(self.pick(&R8), 1u32),
            1 => a.ror(self.pick(&R16), cl),
            2 => a.sete(self.pick(&R8)),
            3 => a.setl(self.pick(&R8)),
            4 => a.lahf(),
            5 => a.sahf(),
            _ => {
                if self.bits == 32 {
                    a.push(self.pick(&S32))?;
                    a.pop(self.pick(&R32))
                } else {
                    a.push(self.pick(&S16))?;
                    a.pop(self.pick(&R16))
                }
            }
        }
    }

    /// A near CALL of a small subroutine that returns with RET or RET imm (an argument
    /// pushed before the call).
    fn call_ret(&mut self, a: &mut Asm) -> AsmResult {
        let mut sub = a.create_label();
        let mut over = a.create_label();
        let with_arg = self.rng.gen_bool(0.5);
        if with_arg {
            if self.bits == 32 {
                a.push(self.pick(&S32))?;
            } else {
                a.push(self.pick(&S16))?;
            }
        }
        a.call(sub)?;
        a.jmp(over)?;
        a.set_label(&mut sub)?;
        a.add(eax, 0x1234u32)?;
        a.xor(edx, eax)?;
        if with_arg {
            a.ret_1(if self.bits == 32 { 4 } else { 2 })?;
        } else {
            a.ret()?;
        }
        a.set_label(&mut over)?;
        a.nop()
    }

    /// A short counted inner loop closed by LOOP (ECX or CX counter, saved around it).
    fn inner_loop(&mut self, a: &mut Asm) -> AsmResult {
        let n = self.rng.gen_range(1..5u32);
        let mut top = a.create_label();
        a.push(ecx)?;
        if self.bits == 32 {
            a.mov(ecx, n)?;
        } else {
            a.mov(cx, n)?;
        }
        a.set_label(&mut top)?;
        match self.rng.gen_range(0..3) {
            0 => a.add(eax, edx)?,
            1 => a.adc(dl, al)?,
            _ => a.sub(si, di)?,
        }
        a.inc(edi)?;
        a.loop_(top)?;
        a.pop(ecx)
    }

    fn jcc(&mut self, a: &mut Asm, l: CodeLabel) -> AsmResult {
        match self.rng.gen_range(0..8) {
            0 => a.je(l),
            1 => a.jne(l),
            2 => a.jb(l),
            3 => a.ja(l),
            4 => a.jl(l),
            5 => a.jge(l),
            6 => a.js(l),
            _ => a.jp(l),
        }
    }

    fn one(&mut self, a: &mut Asm) -> AsmResult {
        let size = self.rng.gen_range(0..3);
        let op = self.rng.gen_range(0..9);
        match self.rng.gen_range(0..12) {
            0 | 1 => self.mov(a, size),
            2 | 3 => self.alu_rr(a, op, size),
            4 => self.alu_ri(a, op, size),
            5 => {
                let to_mem = self.rng.gen_bool(0.5);
                self.alu_mem(a, op, size, to_mem)
            }
            6 => {
                let (k, mem) = (self.rng.gen_range(0..4), self.rng.gen_bool(0.3));
                self.unary(a, k, size, mem)
            }
            7 => self.lea(a),
            8 => self.movx(a),
            9 if self.rng.gen_bool(0.3) => self.inner_loop(a),
            _ => self.other(a),
        }
    }
}

/// Emits a random program: registers seeded, `iterations` rounds of a body of `len` random
/// instructions (with forward conditional jumps), then HLT.
pub fn program(a: &mut Asm, bits: u32, seed: u64, len: usize, iterations: u32) -> AsmResult {
    let mut g = Gen {
        rng: SmallRng::seed_from_u64(seed),
        bits,
    };
    for r in R32 {
        let v = g.imm();
        a.mov(r, v)?;
    }
    if bits == 32 {
        a.mov(ebx, DATA32)?;
        a.mov(ebp, iterations)?;
    } else {
        a.mov(ebx, DATA16)?;
        a.mov(ebp, iterations)?;
    }
    let mut top = a.create_label();
    a.set_label(&mut top)?;
    let mut pending: Option<(CodeLabel, usize)> = None;
    for _ in 0..len {
        if pending.is_none() && g.rng.gen_bool(0.12) {
            let l = a.create_label();
            g.jcc(a, l)?;
            pending = Some((l, g.rng.gen_range(1..4)));
        }
        g.one(a)?;
        if let Some((mut l, n)) = pending {
            if n <= 1 {
                a.set_label(&mut l)?;
                a.nop()?;
                pending = None;
            } else {
                pending = Some((l, n - 1));
            }
        }
    }
    if let Some((mut l, _)) = pending {
        a.set_label(&mut l)?;
        a.nop()?;
    }
    if bits == 32 {
        a.dec(ebp)?;
    } else {
        a.dec(bp)?;
    }
    a.jnz(top)?;
    a.hlt()
}
