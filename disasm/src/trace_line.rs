//! The trace-style line: `CS:IP (linear)  raw bytes  instruction  ; -> target`, with fixed
//! columns, built by `Disassembler::format_line` / `format_line_into`.

use std::fmt::Write;

use crate::{Disassembler, Syntax};

/// Raw bytes column width in bytes; longer instructions push the following columns right.
const BYTES_COLUMN: usize = 7;
/// Width the instruction text is padded to before a branch-target comment.
const TEXT_COLUMN: usize = 32;

impl Disassembler {
    /// A full trace line for the instruction at `cs:ip` (CS base `cs_base`), e.g.
    /// `0000:7c00 (00007c00)  b8 03 00              mov ax,3`.
    ///
    /// IP is printed with 4 hex digits for 16-bit code and 8 otherwise; linear addresses wrap
    /// at 4 GiB. Direct near jumps, calls and loops get a comment with the target as
    /// `cs:offset (linear)`. Empty input or an unsupported bitness prints `(bad)`; invalid or
    /// truncated bytes print a one-byte `db` line. Up to 7 raw bytes keep the columns aligned;
    /// longer instructions, and 8-digit IPs of 32-bit code, push the later columns right.
    pub fn format_line(
        &mut self,
        cs: u16,
        cs_base: u32,
        ip: u32,
        bytes: &[u8],
        bitness: u32,
    ) -> String {
        let mut out = String::with_capacity(96);
        self.format_line_into(&mut out, cs, cs_base, ip, bytes, bitness);
        out
    }

    /// Like [`Disassembler::format_line`] but appends to `out` (no allocation once `out` has
    /// grown), for the trace writer's hot path.
    pub fn format_line_into(
        &mut self,
        out: &mut String,
        cs: u16,
        cs_base: u32,
        ip: u32,
        bytes: &[u8],
        bitness: u32,
    ) {
        let ip_digits = if bitness == 16 { 4 } else { 8 };
        let mut text = std::mem::take(&mut self.text_buffer);
        text.clear();
        let decoded = self.decode_into(bytes, bitness, u64::from(ip), &mut text);

        // Hand-written hex: this runs for every traced instruction.
        push_hex(out, u32::from(cs), 4);
        out.push(':');
        push_hex(out, ip, ip_digits);
        out.push_str(" (");
        push_hex(out, cs_base.wrapping_add(ip), 8);
        out.push_str(")  ");
        let instruction_len = decoded.as_ref().map_or(0, |decoded| decoded.len);
        let shown = bytes.get(..instruction_len).unwrap_or(bytes);
        for (index, byte) in shown.iter().enumerate() {
            if index != 0 {
                out.push(' ');
            }
            push_hex(out, u32::from(*byte), 2);
        }
        let bytes_width = (shown.len() * 3).saturating_sub(1);
        pad(out, (BYTES_COLUMN * 3 - 1).saturating_sub(bytes_width) + 2);

        match decoded {
            None => out.push_str("(bad)"),
            Some(decoded) => {
                out.push_str(&text);
                if let Some(target) = decoded.branch_target {
                    pad(out, TEXT_COLUMN.saturating_sub(text.len()) + 1);
                    let comment = if self.syntax() == Syntax::Att {
                        "#"
                    } else {
                        ";"
                    };
                    // Near targets are offsets within CS (already wrapped to the IP width).
                    let target = target as u32;
                    let _ = write!(
                        out,
                        "{comment} -> {cs:04x}:{target:0ip_digits$x} ({:08x})",
                        cs_base.wrapping_add(target)
                    );
                }
            }
        }
        self.text_buffer = text;
    }
}

/// Appends `count` spaces.
fn pad(out: &mut String, count: usize) {
    const SPACES: &str = "                                                                ";
    let mut left = count;
    while left > 0 {
        let n = left.min(SPACES.len());
        out.push_str(&SPACES[..n]);
        left -= n;
    }
}

/// Appends the low `digits` hex digits of `value` in lowercase (at most 8).
pub fn push_hex(out: &mut String, value: u32, digits: usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digits = digits.clamp(1, 8);
    for i in (0..digits).rev() {
        out.push(char::from(HEX[((value >> (4 * i)) & 0xF) as usize]));
    }
}
