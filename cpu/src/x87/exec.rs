//! Instruction dispatch: maps iced x87 instructions onto the FPU state, handling operand
//! fetch, stack faults, exception masking (which results get written) and FIP/FOP/FDP.

use super::arith::{add, div, mul, with_de, Out};
use super::bcd::{load_bcd, store_bcd};
use super::compare::{compare, examine, Relation};
use super::convert::{
    frndint, load_int, load_real, store_int, store_real, MemFormat, DOUBLE, SINGLE,
};
use super::f80::F80;
use super::rem::{fprem, fscale, fxtract};
use super::round::{Ctx, Rc};
use super::sqrt::sqrt;
use super::{env, sw, trans, Fpu};
use crate::fault::{Fault, GResult};
use iced_x86::{CodeSize, Encoder, Instruction, MemorySize, Mnemonic, OpKind, Register};

/// The interpreter's side of one x87 instruction.
pub trait FpuHost {
    /// Reads bytes at the memory operand's effective address + `offset`.
    fn read_mem(&mut self, offset: u32, out: &mut [u8]) -> GResult<()>;
    /// Writes bytes at the memory operand's effective address + `offset`.
    fn write_mem(&mut self, offset: u32, data: &[u8]) -> GResult<()>;
    /// FNSTSW AX.
    fn set_ax(&mut self, v: u16);
    /// FCOMI/FUCOMI(P): sets ZF/PF/CF and clears OF/SF/AF.
    fn set_zf_pf_cf(&mut self, zf: bool, pf: bool, cf: bool);
    /// EFLAGS, for FCMOVcc.
    fn eflags(&self) -> u32;
    /// 32-bit operand size (FSTENV/FSAVE layout).
    fn operand_32bit(&self) -> bool;
    /// Protected mode (not real or virtual-8086).
    fn protected_mode(&self) -> bool;
    /// (CS, EIP) of this instruction.
    fn instr_pointer(&self) -> (u16, u32);
    /// (selector, offset) of the memory operand.
    fn data_pointer(&self) -> (u16, u32);
}

/// Unmasked exceptions that suppress the result.
const PRE: u16 = sw::IE | sw::DE | sw::ZE;
const STACK_UNDERFLOW: u16 = sw::IE | sw::SF;
const STACK_OVERFLOW: u16 = sw::IE | sw::SF | sw::C1;

/// True for instructions that first deliver pending unmasked exceptions.
pub fn is_waiting(insn: &Instruction) -> bool {
    !matches!(
        insn.mnemonic(),
        Mnemonic::Fninit
            | Mnemonic::Fnclex
            | Mnemonic::Fnstenv
            | Mnemonic::Fnsave
            | Mnemonic::Fnstcw
            | Mnemonic::Fnstsw
            | Mnemonic::Fneni
            | Mnemonic::Fndisi
            | Mnemonic::Fnsetpm
            | Mnemonic::Fnstdw
            | Mnemonic::Fnstsg
    )
}

fn is_control(m: Mnemonic) -> bool {
    use Mnemonic::*;
    matches!(
        m,
        Fninit
            | Finit
            | Fnclex
            | Fclex
            | Fldcw
            | Fnstcw
            | Fstcw
            | Fnstsw
            | Fstsw
            | Fnstenv
            | Fstenv
            | Fldenv
            | Fnsave
            | Fsave
            | Frstor
            | Wait
            | Fneni
            | Feni
            | Fndisi
            | Fdisi
            | Fnsetpm
            | Fsetpm
    )
}

fn st_index(r: Register) -> usize {
    r.number() & 7
}

fn has_mem(insn: &Instruction) -> bool {
    (0..insn.op_count()).any(|i| insn.op_kind(i) == OpKind::Memory)
}

/// The ST(i) register operand that is not ST(0) (or 0), for register forms.
fn sti_operand(insn: &Instruction) -> usize {
    (0..insn.op_count())
        .filter(|&i| insn.op_kind(i) == OpKind::Register && insn.op_register(i).is_st())
        .map(|i| st_index(insn.op_register(i)))
        .find(|&i| i != 0)
        .unwrap_or(0)
}

/// Derives the 11-bit FOP (low 3 bits of the x87 opcode byte, then the ModRM byte) by
/// re-encoding the instruction.
pub(super) fn fop_of(insn: &Instruction) -> u16 {
    let bitness = match insn.code_size() {
        CodeSize::Code16 => 16,
        CodeSize::Code64 => 64,
        _ => 32,
    };
    let mut enc = Encoder::new(bitness);
    if enc.encode(insn, insn.ip()).is_err() {
        return 0;
    }
    let bytes = enc.take_buffer();
    match bytes.iter().position(|b| (0xD8..=0xDF).contains(b)) {
        Some(i) => {
            let modrm = bytes.get(i + 1).copied().unwrap_or(0) as u16;
            (((bytes[i] & 7) as u16) << 8) | modrm
        }
        None => 0,
    }
}

impl Fpu {
    /// Records the flags of an operation whose result goes to a register. Returns whether the
    /// result may be written (no unmasked pre-computation exception).
    fn apply(&mut self, flags: u16) -> bool {
        if flags & PRE & !self.cw != 0 {
            self.sw |= flags & (PRE | sw::SF);
            self.sw =
                (self.sw & !sw::C1) | (flags & sw::C1 & if flags & sw::SF != 0 { !0 } else { 0 });
            self.update_es();
            return false;
        }
        self.sw |= flags & (sw::EXC | sw::SF);
        self.sw = (self.sw & !sw::C1) | (flags & sw::C1);
        self.update_es();
        true
    }

    /// Like `apply` for memory destinations: unmasked overflow/underflow also block the store.
    fn apply_store(&mut self, flags: u16) -> bool {
        let ok = self.apply(flags);
        ok && flags & (sw::OE | sw::UE) & !self.cw == 0
    }

    fn set_cc(&mut self, mask: u16, value: u16) {
        self.sw = (self.sw & !mask) | (value & mask);
    }

    fn ctx(&self) -> Ctx {
        Ctx::from_cw(self.cw)
    }

    fn rc(&self) -> Rc {
        Rc::from_cw(self.cw)
    }

    /// ST(i) if not empty.
    fn get(&self, i: usize) -> Option<F80> {
        if self.st_empty(i) {
            None
        } else {
            Some(self.st(i))
        }
    }

    /// Stack overflow of an instruction that replaces ST(0) and pushes (FPTAN, FSINCOS,
    /// FXTRACT): the masked response leaves two indefinites.
    fn overflow_two(&mut self) {
        if self.apply(STACK_OVERFLOW) {
            self.set_st(0, F80::INDEFINITE);
            self.push(F80::INDEFINITE);
        }
    }

    /// Push with the stack-overflow check.
    fn push_checked(&mut self, v: F80, flags: u16) {
        if !self.st_empty(7) {
            if self.apply(STACK_OVERFLOW) {
                self.push(F80::INDEFINITE);
            }
            return;
        }
        if self.apply(flags) {
            self.push(v);
        }
    }
}

fn read_bytes<const N: usize>(host: &mut dyn FpuHost) -> GResult<[u8; N]> {
    let mut b = [0u8; N];
    host.read_mem(0, &mut b)?;
    Ok(b)
}

/// Reads a real or integer memory operand as an extended value plus conversion flags.
fn read_operand(insn: &Instruction, host: &mut dyn FpuHost) -> GResult<(F80, u16)> {
    Ok(match insn.memory_size() {
        MemorySize::Float32 => load_real(u32::from_le_bytes(read_bytes(host)?) as u64, SINGLE),
        MemorySize::Float64 => load_real(u64::from_le_bytes(read_bytes(host)?), DOUBLE),
        MemorySize::Float80 => (F80::from_bytes(&read_bytes(host)?), 0),
        MemorySize::Int16 => (load_int(i16::from_le_bytes(read_bytes(host)?) as i64), 0),
        MemorySize::Int32 => (load_int(i32::from_le_bytes(read_bytes(host)?) as i64), 0),
        MemorySize::Int64 => (load_int(i64::from_le_bytes(read_bytes(host)?)), 0),
        MemorySize::Bcd => (load_bcd(&read_bytes(host)?), 0),
        _ => return Err(Fault::UD),
    })
}

fn plus(a: F80, b: F80, ctx: Ctx) -> Out {
    add(a, b, false, ctx)
}

fn minus(a: F80, b: F80, ctx: Ctx) -> Out {
    add(a, b, true, ctx)
}

/// Executes one x87 instruction. On a memory fault nothing changes; otherwise non-control
/// instructions record FCS:FIP, FOP and (with a memory operand) FDS:FDP.
pub fn execute(fpu: &mut Fpu, insn: &Instruction, host: &mut dyn FpuHost) -> GResult<()> {
    let m = insn.mnemonic();
    let ptrs = fpu.pointers_before(insn, &*host);
    dispatch(fpu, insn, host, m)?;
    if let Some((cs, ip, mem)) = ptrs {
        fpu.fcs = cs;
        fpu.fip = ip;
        fpu.fop = super::Fop::Insn(*insn);
        if let Some((ds, dp)) = mem {
            fpu.fds = ds;
            fpu.fdp = dp;
        }
    }
    Ok(())
}

type Pointers = Option<(u16, u32, Option<(u16, u32)>)>;

impl Fpu {
    /// The pointers a non-control instruction will record.
    fn pointers_before(&self, insn: &Instruction, host: &dyn FpuHost) -> Pointers {
        if is_control(insn.mnemonic()) {
            return None;
        }
        let (cs, ip) = host.instr_pointer();
        let mem = if has_mem(insn) {
            Some(host.data_pointer())
        } else {
            None
        };
        Some((cs, ip, mem))
    }
}

fn dispatch(fpu: &mut Fpu, insn: &Instruction, host: &mut dyn FpuHost, m: Mnemonic) -> GResult<()> {
    use Mnemonic::*;
    match m {
        Fadd | Faddp | Fiadd => arith(fpu, insn, host, plus, false, m == Faddp),
        Fsub | Fsubp | Fisub => arith(fpu, insn, host, minus, false, m == Fsubp),
        Fsubr | Fsubrp | Fisubr => arith(fpu, insn, host, minus, true, m == Fsubrp),
        Fmul | Fmulp | Fimul => arith(fpu, insn, host, mul, false, m == Fmulp),
        Fdiv | Fdivp | Fidiv => arith(fpu, insn, host, div, false, m == Fdivp),
        Fdivr | Fdivrp | Fidivr => arith(fpu, insn, host, div, true, m == Fdivrp),
        Fcom | Ficom => compare_op(fpu, insn, host, false, 0, false),
        Fcomp | Ficomp => compare_op(fpu, insn, host, false, 1, false),
        Fcompp => compare_op(fpu, insn, host, false, 2, false),
        Fucom => compare_op(fpu, insn, host, true, 0, false),
        Fucomp => compare_op(fpu, insn, host, true, 1, false),
        Fucompp => compare_op(fpu, insn, host, true, 2, false),
        Fcomi => compare_op(fpu, insn, host, false, 0, true),
        Fcomip => compare_op(fpu, insn, host, false, 1, true),
        Fucomi => compare_op(fpu, insn, host, true, 0, true),
        Fucomip => compare_op(fpu, insn, host, true, 1, true),
        Ftst => {
            let (rel, flags) = match fpu.get(0) {
                Some(a) => compare(a, F80::ZERO, false),
                None => (Relation::Unordered, STACK_UNDERFLOW),
            };
            fpu.apply(flags & !sw::C1);
            fpu.set_cc(sw::C0 | sw::C2 | sw::C3, rel.cc());
            Ok(())
        }
        Fxam => {
            let cc = examine(fpu.st(0), fpu.st_empty(0));
            fpu.set_cc(sw::CC, cc);
            Ok(())
        }
        Fld | Fild | Fbld => load_op(fpu, insn, host),
        Fst | Fstp | Fstpnce | Fist | Fistp | Fisttp | Fbstp => store_op(fpu, insn, host),
        Fxch => {
            let i = sti_operand(insn);
            let (a, b) = (fpu.get(0), fpu.get(i));
            if a.is_none() || b.is_none() {
                if !fpu.apply(STACK_UNDERFLOW) {
                    return Ok(());
                }
            } else {
                fpu.apply(0);
            }
            let (a, b) = (a.unwrap_or(F80::INDEFINITE), b.unwrap_or(F80::INDEFINITE));
            fpu.set_st(0, b);
            fpu.set_st(i, a);
            Ok(())
        }
        Fchs | Fabs => {
            unary(fpu, |v, _| {
                if m == Fchs {
                    (v.negated(), 0)
                } else {
                    (v.abs(), 0)
                }
            });
            Ok(())
        }
        Fsqrt => {
            unary(fpu, sqrt);
            Ok(())
        }
        Frndint => {
            unary(fpu, |v, c| frndint(v, Ctx { prec: 64, ..c }));
            Ok(())
        }
        F2xm1 => {
            unary(fpu, |v, c| trans::f2xm1(v, Ctx { prec: 64, ..c }));
            Ok(())
        }
        Fsin | Fcos | Fptan | Fsincos => {
            trig(fpu, m);
            Ok(())
        }
        Fpatan | Fyl2x | Fyl2xp1 => {
            binary_pop(fpu, m);
            Ok(())
        }
        Fscale | Fprem | Fprem1 => {
            let (Some(a), Some(b)) = (fpu.get(0), fpu.get(1)) else {
                if fpu.apply(STACK_UNDERFLOW) {
                    fpu.set_st(0, F80::INDEFINITE);
                }
                return Ok(());
            };
            let ctx = fpu.ctx();
            let (r, f) = match m {
                Fscale => fscale(a, b, ctx),
                Fprem => fprem(a, b, false, ctx),
                _ => fprem(a, b, true, ctx),
            };
            if fpu.apply(f) {
                fpu.set_st(0, r);
                if m != Fscale {
                    fpu.set_cc(sw::C0 | sw::C2 | sw::C3, f);
                }
            }
            Ok(())
        }
        Fxtract => {
            let Some(a) = fpu.get(0) else {
                if fpu.apply(STACK_UNDERFLOW) {
                    fpu.set_st(0, F80::INDEFINITE);
                    fpu.push_checked(F80::INDEFINITE, 0);
                }
                return Ok(());
            };
            let (e, s, f) = fxtract(a);
            if !fpu.st_empty(7) {
                fpu.overflow_two();
            } else if fpu.apply(f) {
                fpu.set_st(0, e);
                fpu.push(s);
            }
            Ok(())
        }
        Fld1 | Fldl2t | Fldl2e | Fldpi | Fldlg2 | Fldln2 | Fldz => {
            let v = trans::constant(m, fpu.rc());
            fpu.push_checked(v, 0);
            Ok(())
        }
        Fincstp | Fdecstp => {
            fpu.top = if m == Fincstp {
                fpu.top.wrapping_add(1)
            } else {
                fpu.top.wrapping_sub(1)
            } & 7;
            fpu.set_cc(sw::C1, 0);
            Ok(())
        }
        Ffree | Ffreep => {
            fpu.free_st(sti_operand(insn));
            if m == Ffreep {
                fpu.pop();
            }
            Ok(())
        }
        Fcmovb | Fcmove | Fcmovbe | Fcmovu | Fcmovnb | Fcmovne | Fcmovnbe | Fcmovnu => {
            let fl = host.eflags();
            let (cf, zf, pf) = (fl & 1 != 0, fl & 0x40 != 0, fl & 4 != 0);
            let cond = match m {
                Fcmovb => cf,
                Fcmove => zf,
                Fcmovbe => cf || zf,
                Fcmovu => pf,
                Fcmovnb => !cf,
                Fcmovne => !zf,
                Fcmovnbe => !cf && !zf,
                _ => !pf,
            };
            let i = sti_operand(insn);
            match (fpu.get(0), fpu.get(i)) {
                (Some(_), Some(v)) => {
                    fpu.apply(0);
                    if cond {
                        fpu.set_st(0, v);
                    }
                }
                _ => {
                    if fpu.apply(STACK_UNDERFLOW) {
                        fpu.set_st(0, F80::INDEFINITE);
                    }
                }
            }
            Ok(())
        }
        Fnop | Fneni | Feni | Fndisi | Fdisi | Fnsetpm | Fsetpm | Wait => Ok(()),
        Fldcw => {
            let cw = u16::from_le_bytes(read_bytes(host)?);
            fpu.set_cw(cw);
            Ok(())
        }
        Fnstcw | Fstcw => host.write_mem(0, &fpu.cw.to_le_bytes()),
        Fnstsw | Fstsw => {
            if has_mem(insn) {
                host.write_mem(0, &fpu.status_word().to_le_bytes())
            } else {
                host.set_ax(fpu.status_word());
                Ok(())
            }
        }
        Fnclex | Fclex => {
            fpu.sw &= !(sw::EXC | sw::SF | sw::ES | sw::B);
            Ok(())
        }
        Fninit | Finit => {
            fpu.reset();
            Ok(())
        }
        Fnstenv | Fstenv => env::fstenv(fpu, host),
        Fldenv => env::fldenv(fpu, host),
        Fnsave | Fsave => env::fsave(fpu, host),
        Frstor => env::frstor(fpu, host),
        _ => Err(Fault::UD),
    }
}

/// FADD-family: `dest = dest op src` (or `src op dest` when `reverse`), optional pop.
fn arith(
    fpu: &mut Fpu,
    insn: &Instruction,
    host: &mut dyn FpuHost,
    op: fn(F80, F80, Ctx) -> Out,
    reverse: bool,
    pop: bool,
) -> GResult<()> {
    let (dest, src, src_flags) = if has_mem(insn) {
        let (v, f) = read_operand(insn, host)?;
        (0, Some(v), f)
    } else {
        let d = st_index(insn.op_register(0));
        let s = st_index(insn.op_register(1));
        (d, fpu.get(s), 0)
    };
    let (Some(d), Some(s)) = (fpu.get(dest), src) else {
        if fpu.apply(STACK_UNDERFLOW) {
            fpu.set_st(dest, F80::INDEFINITE);
            if pop {
                fpu.pop();
            }
        }
        return Ok(());
    };
    let (a, b) = if reverse { (s, d) } else { (d, s) };
    let (r, f) = with_de(op(a, b, fpu.ctx()), src_flags & sw::DE);
    if fpu.apply(f | (src_flags & !sw::DE)) {
        fpu.set_st(dest, r);
        if pop {
            fpu.pop();
        }
    }
    Ok(())
}

fn compare_op(
    fpu: &mut Fpu,
    insn: &Instruction,
    host: &mut dyn FpuHost,
    unordered_ok: bool,
    pops: u32,
    to_eflags: bool,
) -> GResult<()> {
    let (src, src_flags) = if has_mem(insn) {
        let (v, f) = read_operand(insn, host)?;
        (Some(v), f)
    } else if pops == 2 {
        (fpu.get(1), 0)
    } else {
        (fpu.get(sti_operand(insn)), 0)
    };
    let (rel, flags) = match (fpu.get(0), src) {
        (Some(a), Some(b)) => {
            let (rel, f) = compare(a, b, unordered_ok);
            let de = if rel == Relation::Unordered {
                0
            } else {
                src_flags & sw::DE
            };
            (rel, f | (src_flags & !sw::DE) | de)
        }
        _ => (Relation::Unordered, STACK_UNDERFLOW),
    };
    let ok = fpu.apply(flags & !sw::C1);
    if to_eflags {
        let (zf, pf, cf) = rel.eflags();
        host.set_zf_pf_cf(zf, pf, cf);
    } else {
        fpu.set_cc(sw::C0 | sw::C2 | sw::C3, rel.cc());
    }
    if !ok {
        return Ok(());
    }
    for _ in 0..pops {
        fpu.pop();
    }
    Ok(())
}

/// One-operand ST(0) operations.
fn unary(fpu: &mut Fpu, op: impl Fn(F80, Ctx) -> Out) {
    let Some(a) = fpu.get(0) else {
        if fpu.apply(STACK_UNDERFLOW) {
            fpu.set_st(0, F80::INDEFINITE);
        }
        return;
    };
    let (r, f) = op(a, fpu.ctx());
    if fpu.apply(f) {
        fpu.set_st(0, r);
    }
}

fn trig(fpu: &mut Fpu, m: Mnemonic) {
    let pushes = matches!(m, Mnemonic::Fptan | Mnemonic::Fsincos);
    let Some(a) = fpu.get(0) else {
        if fpu.apply(STACK_UNDERFLOW) {
            fpu.set_st(0, F80::INDEFINITE);
            if pushes {
                fpu.push_checked(F80::INDEFINITE, 0);
            }
        }
        return;
    };
    if pushes && !fpu.st_empty(7) {
        fpu.overflow_two();
        return;
    }
    let ctx = Ctx {
        prec: 64,
        ..fpu.ctx()
    };
    let Some((first, second, f)) = trans::trig(m, a, ctx) else {
        fpu.apply(0);
        fpu.set_cc(sw::C2, sw::C2);
        return;
    };
    if fpu.apply(f) {
        fpu.set_cc(sw::C2, 0);
        fpu.set_st(0, first);
        if let Some(s) = second {
            fpu.push(s);
        }
    }
}

/// FPATAN/FYL2X/FYL2XP1: ST(1) = f(ST(0), ST(1)), pop.
fn binary_pop(fpu: &mut Fpu, m: Mnemonic) {
    let (Some(x), Some(y)) = (fpu.get(0), fpu.get(1)) else {
        if fpu.apply(STACK_UNDERFLOW) {
            fpu.set_st(1, F80::INDEFINITE);
            fpu.pop();
        }
        return;
    };
    let ctx = Ctx {
        prec: 64,
        ..fpu.ctx()
    };
    let (r, f) = match m {
        Mnemonic::Fpatan => trans::fpatan(x, y, ctx),
        Mnemonic::Fyl2x => trans::fyl2x(x, y, ctx),
        _ => trans::fyl2xp1(x, y, ctx),
    };
    if fpu.apply(f) {
        fpu.set_st(1, r);
        fpu.pop();
    }
}

fn load_op(fpu: &mut Fpu, insn: &Instruction, host: &mut dyn FpuHost) -> GResult<()> {
    if has_mem(insn) {
        let (v, f) = read_operand(insn, host)?;
        let v = if f & sw::IE != 0 { v.quieted() } else { v };
        // An unmasked denormal-operand exception does not stop the load.
        if f & sw::DE != 0 && fpu.st_empty(7) && f & sw::IE & !fpu.cw == 0 {
            fpu.sw |= sw::DE;
            fpu.update_es();
            fpu.push_checked(v, f & !sw::DE);
            return Ok(());
        }
        fpu.push_checked(v, f);
        return Ok(());
    }
    match fpu.get(sti_operand(insn)) {
        Some(v) => fpu.push_checked(v, 0),
        None => {
            if !fpu.st_empty(7) {
                fpu.push_checked(F80::INDEFINITE, 0);
            } else {
                fpu.push_checked(F80::INDEFINITE, STACK_UNDERFLOW);
            }
        }
    }
    Ok(())
}

fn store_op(fpu: &mut Fpu, insn: &Instruction, host: &mut dyn FpuHost) -> GResult<()> {
    use Mnemonic::*;
    let m = insn.mnemonic();
    let pop = matches!(m, Fstp | Fstpnce | Fistp | Fisttp | Fbstp);
    let (v, under) = match fpu.get(0) {
        Some(v) => (v, 0),
        None => (F80::INDEFINITE, STACK_UNDERFLOW),
    };
    if !has_mem(insn) {
        if fpu.apply(under) {
            fpu.set_st(sti_operand(insn), v);
            if pop {
                fpu.pop();
            }
        }
        return Ok(());
    }
    let rc = fpu.rc();
    let ctx = fpu.ctx();
    let real = |fmt: MemFormat| store_real(v, fmt, ctx);
    let (bytes, n, flags): ([u8; 10], usize, u16) = match insn.memory_size() {
        MemorySize::Float32 => {
            let (b, f) = real(SINGLE);
            (pad(&(b as u32).to_le_bytes()), 4, f)
        }
        MemorySize::Float64 => {
            let (b, f) = real(DOUBLE);
            (pad(&b.to_le_bytes()), 8, f)
        }
        MemorySize::Float80 => (v.to_bytes(), 10, 0),
        MemorySize::Bcd => {
            let (b, f) = store_bcd(v, rc);
            (b, 10, f)
        }
        size => {
            let bits = match size {
                MemorySize::Int16 => 16,
                MemorySize::Int32 => 32,
                _ => 64,
            };
            let rc = if m == Fisttp { Rc::Zero } else { rc };
            let (i, f) = store_int(v, bits, rc);
            (pad(&i.to_le_bytes()), (bits / 8) as usize, f)
        }
    };
    let flags = if under != 0 {
        (flags & !sw::C1) | under
    } else {
        flags
    };
    let unmasked = flags & !fpu.cw & (PRE | sw::OE | sw::UE) != 0;
    if !unmasked {
        host.write_mem(0, &bytes[..n])?;
    }
    if fpu.apply_store(flags) && pop {
        fpu.pop();
    }
    Ok(())
}

fn pad(b: &[u8]) -> [u8; 10] {
    let mut out = [0u8; 10];
    out[..b.len().min(10)].copy_from_slice(&b[..b.len().min(10)]);
    out
}
