//! Guest instruction formatting (Intel, MASM, NASM and AT&T syntax) for trace mode and the
//! debugger, with segment:offset and linear addresses, raw bytes and resolved branch targets.
//!
//! [`Disassembler`] decodes one instruction at a time with iced-x86 and keeps its formatter and
//! text buffer between calls, so the trace writer can call it for every executed instruction.
#![forbid(unsafe_code)]

mod disassembler;
mod syntax;
mod trace_line;

pub use disassembler::{Disassembler, Line};
pub use syntax::{Syntax, UnknownSyntax};
pub use trace_line::push_hex;

#[cfg(test)]
mod tests;
