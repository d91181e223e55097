//! Instruction shapes: the bytes of one instruction form (with its registers and immediate
//! fixed) or of a short chain of instructions (to test how flags pass from one instruction to
//! the next), decoded once for names and the SDM tables, plus the host oracle that runs the
//! same bytes. Native shapes are checked before use: same meaning in 32- and 64-bit mode, no
//! control flow, only EAX..EDI (and [RSI] for memory shapes) used.

use super::compat::run_compat;
use super::native::HostFn;
use super::regs::{fl, operand_bits, Regs};
use super::sdm::{undefined, Undefined};
use iced_x86::{
    Decoder, DecoderOptions, FlowControl, Formatter, Instruction, InstructionInfoFactory,
    IntelFormatter, OpKind, Register, RflagsBits,
};

/// How the host runs a shape.
#[derive(Clone, Copy)]
pub enum Oracle {
    /// A monomorphized `asm!` function in 64-bit mode.
    Native(HostFn),
    /// Runtime bytes in 32-bit compatibility mode (instructions invalid in 64-bit mode).
    Compat,
}

/// One instruction form under test.
pub struct Shape {
    pub bytes: Vec<u8>,
    /// The (first) instruction, decoded in 32-bit mode.
    pub insn: Instruction,
    /// The instructions that follow it in a chain.
    pub rest: Vec<Instruction>,
    /// Intel syntax, e.g. `add eax, ecx` (chains joined with `; `).
    pub name: String,
    pub oracle: Oracle,
    /// The operand is memory at [ESI].
    pub mem: bool,
}

/// Decodes `bytes` completely into instructions.
fn decode(bytes: &[u8], bitness: u32) -> Vec<Instruction> {
    let mut d = Decoder::new(bitness, bytes, DecoderOptions::NONE);
    let mut insns = Vec::new();
    while d.can_decode() {
        let insn = d.decode();
        assert!(
            !insn.is_invalid(),
            "{bytes:02X?} is not valid {bitness}-bit code"
        );
        insns.push(insn);
    }
    insns
}

fn format(insn: &Instruction) -> String {
    let mut f = IntelFormatter::new();
    f.options_mut().set_hex_prefix("0x");
    f.options_mut().set_hex_suffix("");
    f.options_mut().set_uppercase_hex(false);
    f.options_mut().set_space_after_operand_separator(true);
    let mut s = String::new();
    f.format(insn, &mut s);
    s
}

/// Converts iced's flag bits to EFLAGS bits (status flags only).
fn eflags_bits(iced: u32) -> u32 {
    [
        (RflagsBits::CF, fl::CF),
        (RflagsBits::PF, fl::PF),
        (RflagsBits::AF, fl::AF),
        (RflagsBits::ZF, fl::ZF),
        (RflagsBits::SF, fl::SF),
        (RflagsBits::OF, fl::OF),
    ]
    .iter()
    .filter(|(i, _)| iced & i != 0)
    .fold(0, |acc, (_, e)| acc | e)
}

/// Registers a native shape may use (full 64-bit names).
const ALLOWED: [Register; 6] = [
    Register::RAX,
    Register::RBX,
    Register::RCX,
    Register::RDX,
    Register::RSI,
    Register::RDI,
];

impl Shape {
    /// A shape run natively by `host`; panics if the bytes are not safe to run that way.
    pub fn native(bytes: &[u8], host: HostFn, mem: bool) -> Shape {
        let insns = decode(bytes, 32);
        let long = decode(bytes, 64);
        let names: Vec<String> = insns.iter().map(format).collect();
        let name = names.join("; ");
        let long_names: Vec<String> = long
            .iter()
            .map(|i| format(i).replace("rsi", "esi"))
            .collect();
        assert_eq!(
            long_names, names,
            "{bytes:02X?} differs between 32- and 64-bit mode"
        );
        let mut factory = InstructionInfoFactory::new();
        let mut has_mem = false;
        for insn in &long {
            assert_eq!(
                insn.flow_control(),
                FlowControl::Next,
                "{name}: control flow"
            );
            let status = RflagsBits::OF
                | RflagsBits::SF
                | RflagsBits::ZF
                | RflagsBits::AF
                | RflagsBits::CF
                | RflagsBits::PF;
            assert_eq!(
                insn.rflags_modified() & !status,
                0,
                "{name}: changes control flags"
            );
            let info = factory.info(insn);
            for used in info.used_registers() {
                assert!(
                    ALLOWED.contains(&used.register().full_register()),
                    "{name}: uses {:?}",
                    used.register()
                );
            }
            if !mem {
                assert!(info.used_memory().is_empty(), "{name}: uses memory");
            }
            if (0..insn.op_count()).any(|i| insn.op_kind(i) == OpKind::Memory) {
                has_mem = true;
                assert!(
                    insn.memory_base() == Register::RSI
                        && insn.memory_index() == Register::None
                        && insn.memory_displacement64() == 0
                        && insn.memory_size().size() <= 8,
                    "{name}: memory operand must be [rsi]"
                );
            }
        }
        assert_eq!(has_mem, mem, "{name}: memory operand");
        Shape {
            bytes: bytes.to_vec(),
            insn: insns[0],
            rest: insns[1..].to_vec(),
            name,
            oracle: Oracle::Native(host),
            mem,
        }
    }

    /// A register-only shape run in compatibility mode.
    pub fn compat(bytes: &[u8]) -> Shape {
        let insns = decode(bytes, 32);
        assert_eq!(insns.len(), 1, "{bytes:02X?}: one instruction");
        let insn = insns[0];
        let name = format(&insn);
        assert_eq!(
            insn.flow_control(),
            FlowControl::Next,
            "{name}: control flow"
        );
        let mut factory = InstructionInfoFactory::new();
        let info = factory.info(&insn);
        assert!(info.used_memory().is_empty(), "{name}: memory operand");
        for used in info.used_registers() {
            let full = used.register().full_register32();
            assert!(
                ALLOWED.iter().any(|r| r.full_register32() == full),
                "{name}: uses {:?}",
                used.register()
            );
        }
        Shape {
            bytes: bytes.to_vec(),
            insn,
            rest: Vec::new(),
            name,
            oracle: Oracle::Compat,
            mem: false,
        }
    }

    /// Number of instructions (1, or the length of a chain).
    pub fn insn_count(&self) -> usize {
        1 + self.rest.len()
    }

    /// What the SDM leaves undefined after the whole shape.
    pub fn undefined(&self, input: &Regs) -> Undefined {
        let mut u = undefined(&self.insn, input);
        for next in &self.rest {
            let n = undefined(next, input);
            u.flags = (u.flags & !eflags_bits(next.rflags_modified())) | n.flags;
            for (a, b) in u.regs.iter_mut().zip(n.regs) {
                *a |= b;
            }
        }
        u
    }

    /// Operand size of the first operand in bits (8 for operand-less instructions).
    pub fn bits(&self) -> u32 {
        if self.insn.op_count() == 0 {
            8
        } else {
            operand_bits(&self.insn, 0)
        }
    }

    /// Runs the shape on the host.
    pub fn run_host(&self, r: &mut Regs) {
        match self.oracle {
            Oracle::Native(f) => f(r),
            Oracle::Compat => run_compat(&self.bytes, r),
        }
    }
}

/// A native register-only shape from literal bytes.
macro_rules! reg_shape {
    ($($b:expr),+ $(,)?) => {
        $crate::alu_diff::shape::Shape::native(
            &[$($b),+],
            $crate::alu_diff::native::host_reg::<
                { $crate::alu_diff::native::pack(&[$($b),+]) },
                { [$($b),+].len() as u8 },
            >,
            false,
        )
    };
}

/// A native shape whose operand is memory at [ESI] (ModRM r/m = 110, mod = 00).
macro_rules! mem_shape {
    ($($b:expr),+ $(,)?) => {
        $crate::alu_diff::shape::Shape::native(
            &[$($b),+],
            $crate::alu_diff::native::host_mem::<
                { $crate::alu_diff::native::pack(&[$($b),+]) },
                { [$($b),+].len() as u8 },
            >,
            true,
        )
    };
}

/// A list of register-only shapes: `reg_shapes![[0x01, 0xC8], [0x29, 0xC8]]`.
macro_rules! reg_shapes {
    ($([$($b:expr),+ $(,)?]),* $(,)?) => {
        vec![$($crate::alu_diff::shape::reg_shape!($($b),+)),*]
    };
}

/// One register-only shape per trailing byte: `with_imm8!([0xC1, 0xE0]; 0 1 2)` gives
/// `C1 E0 00`, `C1 E0 01`, `C1 E0 02`.
macro_rules! with_imm8 {
    ($prefix:tt; $($c:literal)*) => {
        vec![$($crate::alu_diff::shape::with_imm8!(@one $prefix $c)),*]
    };
    (@one [$($b:expr),+] $c:literal) => {
        $crate::alu_diff::shape::reg_shape!($($b),+, $c)
    };
}

/// Shift counts used for imm8 forms: every masked count plus some that need masking.
macro_rules! all_counts {
    ($m:ident!($($prefix:tt)*)) => {
        $m!($($prefix)*; 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26
            27 28 29 30 31 32 33 40 63 64 127 128 255)
    };
}

pub(crate) use {all_counts, mem_shape, reg_shape, reg_shapes, with_imm8};
