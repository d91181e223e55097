//! `Disassembler`: decodes one guest instruction with iced-x86 and formats it in the chosen
//! syntax, reusing one formatter and one text buffer across calls.

use iced_x86::{
    CodeSize, Decoder, DecoderOptions, FlowControl, Formatter, GasFormatter, Instruction,
    IntelFormatter, MasmFormatter, NasmFormatter, OpKind, Register,
};

use crate::Syntax;

/// One decoded and formatted instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// Mnemonic and operands, e.g. `mov ax,3`; `db 0x0f` (`.byte 0x0f` in AT&T syntax) when the
    /// bytes do not start a valid, complete instruction.
    pub text: String,
    /// Length of the instruction in bytes (1 for invalid or truncated input).
    pub len: usize,
    /// The instruction's bytes (`len` of them).
    pub bytes: Vec<u8>,
    /// Target offset (same width as IP) of a near jump, call, loop or jcxz, if any.
    pub branch_target: Option<u64>,
}

/// What `decode_into` found at the start of the bytes.
pub(crate) struct Decoded {
    /// Instruction length in bytes (1 for invalid input, 0 when there are no bytes).
    pub len: usize,
    /// Near branch target offset, if the instruction is a direct near branch.
    pub branch_target: Option<u64>,
}

/// Formats guest instructions in one syntax; options are set once in [`Disassembler::new`].
pub struct Disassembler {
    syntax: Syntax,
    formatter: Box<dyn Formatter>,
    instruction: Instruction,
    /// Instruction text buffer reused by `format_line_into`.
    pub(crate) text_buffer: String,
}

impl Disassembler {
    /// Creates a disassembler printing lowercase mnemonics and hex in `syntax`'s usual style.
    pub fn new(syntax: Syntax) -> Self {
        let mut formatter: Box<dyn Formatter> = match syntax {
            Syntax::Intel => Box::new(IntelFormatter::new()),
            Syntax::Masm => Box::new(MasmFormatter::new()),
            Syntax::Nasm => Box::new(NasmFormatter::new()),
            Syntax::Att => Box::new(GasFormatter::new()),
        };
        let options = formatter.options_mut();
        options.set_uppercase_all(false);
        options.set_uppercase_hex(false);
        options.set_space_after_operand_separator(false);
        options.set_show_symbol_address(false);
        if syntax == Syntax::Masm {
            options.set_hex_prefix("");
            options.set_hex_suffix("h");
            options.set_add_leading_zero_to_hex_numbers(true);
        } else {
            options.set_hex_prefix("0x");
            options.set_hex_suffix("");
        }
        Disassembler {
            syntax,
            formatter,
            instruction: Instruction::default(),
            text_buffer: String::with_capacity(64),
        }
    }

    /// The syntax this disassembler prints.
    pub fn syntax(&self) -> Syntax {
        self.syntax
    }

    /// Decodes and formats one instruction at `ip` (bitness 16, 32 or 64) from `bytes`.
    ///
    /// Returns `None` when `bytes` is empty or the bitness is not 16, 32 or 64. Invalid or
    /// truncated input gives a one-byte `db` line rather than an error.
    pub fn disassemble(&mut self, bytes: &[u8], bitness: u32, ip: u64) -> Option<Line> {
        let mut text = String::new();
        let decoded = self.decode_into(bytes, bitness, ip, &mut text)?;
        Some(Line {
            text,
            len: decoded.len,
            bytes: bytes.get(..decoded.len).unwrap_or(bytes).to_vec(),
            branch_target: decoded.branch_target,
        })
    }

    /// Decodes the instruction at the start of `bytes` and appends its text to `out`.
    /// `None` (and nothing appended) for empty input or an unsupported bitness.
    pub(crate) fn decode_into(
        &mut self,
        bytes: &[u8],
        bitness: u32,
        ip: u64,
        out: &mut String,
    ) -> Option<Decoded> {
        let first = *bytes.first()?;
        let mut decoder = Decoder::try_with_ip(bitness, bytes, ip, DecoderOptions::NONE).ok()?;
        decoder.decode_out(&mut self.instruction);
        if self.instruction.is_invalid() {
            self.push_data_byte(first, out);
            return Some(Decoded {
                len: 1,
                branch_target: None,
            });
        }
        if self.syntax == Syntax::Intel {
            self.format_intel(out);
        } else {
            self.formatter.format(&self.instruction, out);
        }
        Some(Decoded {
            len: self.instruction.len().clamp(1, bytes.len()),
            branch_target: near_branch_target(&self.instruction),
        })
    }

    /// Intel syntax via iced's Intel formatter, except that direct far branches print as
    /// `call far 0xf000:0xe05b` and string instructions with default operands as `rep movsb`
    /// (with a segment override or address-size prefix the operands are kept, so they show).
    fn format_intel(&mut self, out: &mut String) {
        use std::fmt::Write;
        let instruction = &self.instruction;
        match instruction.op0_kind() {
            OpKind::FarBranch16 | OpKind::FarBranch32 => {
                self.formatter.format_mnemonic(instruction, out);
                let offset = if instruction.op0_kind() == OpKind::FarBranch16 {
                    u32::from(instruction.far_branch16())
                } else {
                    instruction.far_branch32()
                };
                // Writing to a String cannot fail.
                let _ = write!(
                    out,
                    " 0x{:x}:0x{offset:x}",
                    instruction.far_branch_selector()
                );
            }
            _ if has_only_default_string_operands(instruction) => {
                self.formatter.format_mnemonic(instruction, out);
            }
            _ => self.formatter.format(instruction, out),
        }
    }

    /// Appends a one-byte data directive (`db 0x0f`, `db 0fh`/`db 0ffh` or `.byte 0x0f`).
    fn push_data_byte(&self, byte: u8, out: &mut String) {
        use std::fmt::Write;
        // Writing to a String cannot fail.
        let _ = match self.syntax {
            Syntax::Intel | Syntax::Nasm => write!(out, "db 0x{byte:02x}"),
            // MASM needs a leading zero when the first hex digit is a letter.
            Syntax::Masm if byte >= 0xa0 => write!(out, "db 0{byte:02x}h"),
            Syntax::Masm => write!(out, "db {byte:02x}h"),
            Syntax::Att => write!(out, ".byte 0x{byte:02x}"),
        };
    }
}

/// The target offset of a direct near jump, call, loop or jcxz; `None` for anything else.
fn near_branch_target(instruction: &Instruction) -> Option<u64> {
    match instruction.flow_control() {
        FlowControl::UnconditionalBranch | FlowControl::ConditionalBranch | FlowControl::Call => {}
        _ => return None,
    }
    match instruction.op0_kind() {
        OpKind::NearBranch16 | OpKind::NearBranch32 | OpKind::NearBranch64 => {
            Some(instruction.near_branch_target())
        }
        _ => None,
    }
}

/// True for string instructions (movs, stos, ins, ...) whose memory operands use the default
/// address size and segments, so the mnemonic alone says everything.
fn has_only_default_string_operands(instruction: &Instruction) -> bool {
    if instruction.segment_prefix() != Register::None || instruction.op_count() == 0 {
        return false;
    }
    let (source, destination) = match instruction.code_size() {
        CodeSize::Code16 => (OpKind::MemorySegSI, OpKind::MemoryESDI),
        CodeSize::Code32 => (OpKind::MemorySegESI, OpKind::MemoryESEDI),
        _ => (OpKind::MemorySegRSI, OpKind::MemoryESRDI),
    };
    let mut has_string_operand = false;
    for operand in 0..instruction.op_count() {
        match instruction.op_kind(operand) {
            kind if kind == source || kind == destination => has_string_operand = true,
            OpKind::MemorySegSI
            | OpKind::MemorySegESI
            | OpKind::MemorySegRSI
            | OpKind::MemorySegDI
            | OpKind::MemorySegEDI
            | OpKind::MemorySegRDI
            | OpKind::MemoryESDI
            | OpKind::MemoryESEDI
            | OpKind::MemoryESRDI => return false,
            _ => {}
        }
    }
    has_string_operand
}
