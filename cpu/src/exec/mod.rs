//! The interpreter's instruction handlers, one file per instruction family, and the decode-time
//! choice of a handler for each instruction (including the CPU model's instruction set).

pub mod arith;
pub mod bcd;
pub mod bits;
pub mod control;
pub mod debug;
pub mod far;
pub mod flagops;
pub mod muldiv;
pub mod operands;
pub mod shift;
pub mod stack;
pub mod string;
mod string_bulk;
pub mod system;
pub mod transfer;
pub mod vme;
pub mod x87;

use crate::decode::cache::Handler;
use crate::model::CpuModel;
use iced_x86::{CpuidFeature as F, Instruction, Mnemonic as M, OpKind, Register};

/// Whether `model` implements the instruction (by iced's CPUID feature list).
fn model_allows(i: &Instruction, model: CpuModel) -> bool {
    if !model.is_386_plus() && uses_386_encoding(i) {
        return false;
    }
    i.cpuid_features().iter().all(|f| match *f {
        F::INTEL8086 | F::INTEL8086_ONLY => true,
        F::INTEL186 | F::INTEL286 => model.is_286_plus(),
        F::INTEL386 => model.is_386_plus(),
        F::INTEL486 => model.is_486_plus(),
        F::FPU | F::FPU287 | F::FPU387 => true,
        F::CPUID | F::TSC | F::MSR | F::CX8 => model.is_pentium_plus(),
        F::CMOV => model.has_cmov(),
        F::SEP | F::RDPMC | F::MULTIBYTENOP => model >= CpuModel::Pentium2,
        _ => false,
    })
}

/// 32-bit registers, FS/GS or 32-bit addressing: the 386's extensions.
fn uses_386_encoding(i: &Instruction) -> bool {
    if matches!(i.segment_prefix(), Register::FS | Register::GS) {
        return true;
    }
    for k in 0..i.op_count() {
        match i.op_kind(k) {
            OpKind::Register => {
                let r = i.op_register(k);
                if r.is_gpr32() || r == Register::FS || r == Register::GS {
                    return true;
                }
            }
            OpKind::Memory if !operands::addr16(i) => return true,
            OpKind::MemorySegESI | OpKind::MemoryESEDI | OpKind::MemorySegEDI => return true,
            OpKind::Immediate32 | OpKind::Immediate8to32 | OpKind::NearBranch32 => return true,
            _ => {}
        }
    }
    false
}

fn is_setcc(i: &Instruction) -> bool {
    is_setcc_mnemonic(i.mnemonic())
}

/// Whether `m` is one of the sixteen SETcc mnemonics (the JIT's inline forms use it too).
pub fn is_setcc_mnemonic(m: M) -> bool {
    matches!(
        m,
        M::Seto
            | M::Setno
            | M::Setb
            | M::Setae
            | M::Sete
            | M::Setne
            | M::Setbe
            | M::Seta
            | M::Sets
            | M::Setns
            | M::Setp
            | M::Setnp
            | M::Setl
            | M::Setge
            | M::Setle
            | M::Setg
    )
}

fn is_cmovcc(i: &Instruction) -> bool {
    matches!(
        i.mnemonic(),
        M::Cmovo
            | M::Cmovno
            | M::Cmovb
            | M::Cmovae
            | M::Cmove
            | M::Cmovne
            | M::Cmovbe
            | M::Cmova
            | M::Cmovs
            | M::Cmovns
            | M::Cmovp
            | M::Cmovnp
            | M::Cmovl
            | M::Cmovge
            | M::Cmovle
            | M::Cmovg
    )
}

fn is_fpu(i: &Instruction) -> bool {
    i.cpuid_features()
        .iter()
        .any(|f| matches!(f, F::FPU | F::FPU287 | F::FPU387))
}

/// Whether [`select_handler`] picks the ordinary handler for the instruction's mnemonic: no
/// 8086 special, invalid encoding, model restriction or 286 length fault applies. The JIT only
/// emits such instructions inline (by mnemonic), since handler addresses are not comparable
/// across crates.
pub fn uses_mnemonic_handler(i: &Instruction, model: CpuModel, extra: u8) -> bool {
    extra == 0
        && i.code() != iced_x86::Code::INVALID
        && i.mnemonic() != M::Pause
        && model_allows(i, model)
        && !(model == CpuModel::I80286 && i.len() > 10)
}

/// Chooses the handler for a decoded instruction. `extra` flags 8086 specials from the
/// quirks pass (1 = POP CS, 2 = SETMO).
pub fn select_handler(i: &Instruction, model: CpuModel, extra: u8) -> Handler {
    use arith::*;
    match extra {
        1 => return stack::pop_cs_8086,
        2 => return shift::setmo,
        _ => {}
    }
    if i.code() == iced_x86::Code::INVALID {
        return system::ud;
    }
    if i.mnemonic() == M::Pause {
        return transfer::nop;
    }
    if !model_allows(i, model) {
        return system::ud;
    }
    if i.mnemonic() == M::Wait {
        return x87::fwait;
    }
    if is_fpu(i) {
        return x87::fpu;
    }
    if i.is_jcc_short_or_near() {
        return control::jcc;
    }
    if is_setcc(i) {
        return bits::setcc;
    }
    if is_cmovcc(i) {
        return bits::cmovcc;
    }
    match i.mnemonic() {
        M::Add => alu::<ADD>,
        M::Or => alu::<OR>,
        M::Adc => alu::<ADC>,
        M::Sbb => alu::<SBB>,
        M::And => alu::<AND>,
        M::Sub => alu::<SUB>,
        M::Xor => alu::<XOR>,
        M::Cmp => alu::<CMP>,
        M::Test => alu::<TEST>,
        M::Inc => incdec::<false>,
        M::Dec => incdec::<true>,
        M::Neg => neg,
        M::Not => not,
        M::Xadd => xadd,
        M::Cmpxchg => cmpxchg,
        M::Cmpxchg8b => cmpxchg8b,
        M::Mul => muldiv::mul,
        M::Imul => muldiv::imul,
        M::Div => muldiv::div,
        M::Idiv => muldiv::idiv,
        M::Daa => bcd::daa,
        M::Das => bcd::das,
        M::Aaa => bcd::aaa,
        M::Aas => bcd::aas,
        M::Aam => bcd::aam,
        M::Aad => bcd::aad,
        M::Salc => bcd::salc,
        M::Rol => shift::shift::<{ shift::ROL }>,
        M::Ror => shift::shift::<{ shift::ROR }>,
        M::Rcl => shift::shift::<{ shift::RCL }>,
        M::Rcr => shift::shift::<{ shift::RCR }>,
        M::Shl | M::Sal => shift::shift::<{ shift::SHL }>,
        M::Shr => shift::shift::<{ shift::SHR }>,
        M::Sar => shift::shift::<{ shift::SAR }>,
        M::Shld => shift::shxd::<true>,
        M::Shrd => shift::shxd::<false>,
        M::Bt => bits::bt::<{ bits::BT }>,
        M::Bts => bits::bt::<{ bits::BTS }>,
        M::Btr => bits::bt::<{ bits::BTR }>,
        M::Btc => bits::bt::<{ bits::BTC }>,
        M::Bsf => bits::bsf::<false>,
        M::Bsr => bits::bsf::<true>,
        M::Bswap => bits::bswap,
        M::Mov => {
            if i.op0_kind() == OpKind::Register && i.op0_register().is_cr()
                || i.op1_kind() == OpKind::Register && i.op1_register().is_cr()
            {
                system::mov_cr
            } else if i.op0_kind() == OpKind::Register && i.op0_register().is_dr()
                || i.op1_kind() == OpKind::Register && i.op1_register().is_dr()
            {
                system::mov_dr
            } else if i.op0_kind() == OpKind::Register && i.op0_register().is_tr()
                || i.op1_kind() == OpKind::Register && i.op1_register().is_tr()
            {
                system::ud
            } else {
                transfer::mov
            }
        }
        M::Movzx => transfer::movx::<false>,
        M::Movsx => transfer::movx::<true>,
        M::Xchg => transfer::xchg,
        M::Lea => transfer::lea,
        M::Lds | M::Les | M::Lfs | M::Lgs | M::Lss => transfer::lxs,
        M::Xlatb => transfer::xlat,
        M::Cbw | M::Cwde | M::Cwd | M::Cdq => transfer::cbw,
        M::Bound => transfer::bound,
        M::Nop => {
            if i.op_count() > 0 && i.op0_kind() == OpKind::Memory {
                transfer::nop_mem
            } else {
                transfer::nop
            }
        }
        M::Push => stack::push,
        M::Pop => stack::pop,
        M::Pusha | M::Pushad => stack::pusha,
        M::Popa | M::Popad => stack::popa,
        M::Pushf | M::Pushfd => stack::pushf,
        M::Popf | M::Popfd => stack::popf,
        M::Enter => stack::enter,
        M::Leave => stack::leave,
        M::Lahf => flagops::lahf,
        M::Sahf => flagops::sahf,
        M::Clc => flagops::clc,
        M::Stc => flagops::stc,
        M::Cmc => flagops::cmc,
        M::Cld => flagops::cld,
        M::Std => flagops::std,
        M::Cli => flagops::cli,
        M::Sti => flagops::sti,
        M::Jmp => control::jmp,
        M::Jcxz | M::Jecxz => control::jcxz,
        M::Loop => control::loop_::<0>,
        M::Loope => control::loop_::<1>,
        M::Loopne => control::loop_::<2>,
        M::Call => control::call,
        M::Ret => control::ret,
        M::Retf => control::retf,
        M::Int => control::int,
        M::Int3 => control::int3,
        M::Int1 => control::int1,
        M::Into => control::into,
        M::Iret | M::Iretd => control::iret,
        M::Hlt => control::hlt,
        M::Movsb | M::Movsw | M::Movsd => string::string::<{ string::MOVS }>,
        M::Cmpsb | M::Cmpsw | M::Cmpsd => string::string::<{ string::CMPS }>,
        M::Scasb | M::Scasw | M::Scasd => string::string::<{ string::SCAS }>,
        M::Lodsb | M::Lodsw | M::Lodsd => string::string::<{ string::LODS }>,
        M::Stosb | M::Stosw | M::Stosd => string::string::<{ string::STOS }>,
        M::Insb | M::Insw | M::Insd => string::string::<{ string::INS }>,
        M::Outsb | M::Outsw | M::Outsd => string::string::<{ string::OUTS }>,
        M::In => string::in_,
        M::Out => string::out,
        M::Lgdt | M::Lidt => system::lgdt_lidt,
        M::Sgdt | M::Sidt => system::sgdt_sidt,
        M::Lldt => system::lldt,
        M::Ltr => system::ltr,
        M::Sldt | M::Str | M::Smsw => system::store_sys16,
        M::Lmsw => system::lmsw,
        M::Clts => system::clts,
        M::Lar | M::Lsl | M::Verr | M::Verw => system::lar_lsl_verx,
        M::Arpl => system::arpl,
        M::Invlpg => system::invlpg,
        M::Invd | M::Wbinvd => system::cache_ctl,
        M::Cpuid => system::cpuid,
        M::Rdtsc => system::rdtsc,
        M::Rdpmc => system::rdpmc,
        M::Rdmsr => system::rdmsr,
        M::Wrmsr => system::wrmsr,
        M::Sysenter => system::sysenter,
        M::Sysexit => system::sysexit,
        _ => system::ud,
    }
}
