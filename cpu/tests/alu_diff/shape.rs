//! Instruction shapes: the bytes of one instruction form (with its registers and immediate
//! fixed), decoded once for names and the SDM tables, plus the host oracle that runs the same
//! bytes. Native shapes are checked before use: same meaning in 32- and 64-bit mode, no
//! control flow, only EAX..EDI (and [RSI] for memory shapes) used.

use super::compat::run_compat;
use super::native::HostFn;
use super::regs::{operand_bits, Regs};
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
    /// Decoded in 32-bit mode.
    pub insn: Instruction,
    /// Intel syntax, e.g. `add eax,ecx`.
    pub name: String,
    pub oracle: Oracle,
    /// The operand is memory at [ESI].
    pub mem: bool,
}

fn decode(bytes: &[u8], bitness: u32) -> Instruction {
    let mut d = Decoder::new(bitness, bytes, DecoderOptions::NONE);
    let insn = d.decode();
    assert!(
        !insn.is_invalid() && insn.len() == bytes.len(),
        "{bytes:02X?} is not one {bitness}-bit instruction"
    );
    insn
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
        let insn = decode(bytes, 32);
        let long = decode(bytes, 64);
        let name = format(&insn);
        assert_eq!(
            format(&long).replace("rsi", "esi"),
            name,
            "{bytes:02X?} differs between 32- and 64-bit mode"
        );
        assert_eq!(
            long.flow_control(),
            FlowControl::Next,
            "{name}: control flow"
        );
        let mut factory = InstructionInfoFactory::new();
        let info = factory.info(&long);
        for used in info.used_registers() {
            assert!(
                ALLOWED.contains(&used.register().full_register()),
                "{name}: uses {:?}",
                used.register()
            );
        }
        let status = RflagsBits::OF
            | RflagsBits::SF
            | RflagsBits::ZF
            | RflagsBits::AF
            | RflagsBits::CF
            | RflagsBits::PF;
        assert_eq!(
            long.rflags_modified() & !status,
            0,
            "{name}: changes control flags"
        );
        if !mem {
            assert!(info.used_memory().is_empty(), "{name}: uses memory");
        }
        let has_mem = (0..long.op_count()).any(|i| long.op_kind(i) == OpKind::Memory);
        assert_eq!(has_mem, mem, "{name}: memory operand");
        if mem {
            assert!(
                long.memory_base() == Register::RSI
                    && long.memory_index() == Register::None
                    && long.memory_displacement64() == 0
                    && long.memory_size().size() <= 8,
                "{name}: memory operand must be [rsi]"
            );
        }
        Shape {
            bytes: bytes.to_vec(),
            insn,
            name,
            oracle: Oracle::Native(host),
            mem,
        }
    }

    /// A register-only shape run in compatibility mode.
    pub fn compat(bytes: &[u8]) -> Shape {
        let insn = decode(bytes, 32);
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
            name,
            oracle: Oracle::Compat,
            mem: false,
        }
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
