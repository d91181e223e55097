//! The assembler syntax choice (`Syntax`) and its parsing from a command-line word.

use std::fmt;
use std::str::FromStr;

/// Which assembler dialect instructions are printed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Syntax {
    /// Intel syntax as printed by iced's Intel formatter (`mov es:[di+4],al`), hex as `0x..`.
    #[default]
    Intel,
    /// Microsoft MASM syntax (`mov byte ptr es:[di+4],al`), hex as `..h`.
    Masm,
    /// NASM syntax (`mov [es:di+4],al`), hex as `0x..`.
    Nasm,
    /// GNU AT&T syntax (`mov %al,%es:4(%di)`), hex as `0x..`, immediates with `$`.
    Att,
}

/// A word that names no known syntax.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownSyntax(pub String);

impl fmt::Display for UnknownSyntax {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown disassembly syntax `{}` (expected intel, masm, nasm or att)",
            self.0
        )
    }
}

impl std::error::Error for UnknownSyntax {}

impl FromStr for Syntax {
    type Err = UnknownSyntax;

    /// Parses `intel`, `masm`, `nasm` or `att` (also `gas`), ignoring ASCII case.
    fn from_str(word: &str) -> Result<Self, Self::Err> {
        match word.to_ascii_lowercase().as_str() {
            "intel" => Ok(Syntax::Intel),
            "masm" => Ok(Syntax::Masm),
            "nasm" => Ok(Syntax::Nasm),
            "att" | "at&t" | "gas" => Ok(Syntax::Att),
            _ => Err(UnknownSyntax(word.to_string())),
        }
    }
}

impl fmt::Display for Syntax {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Syntax::Intel => "intel",
            Syntax::Masm => "masm",
            Syntax::Nasm => "nasm",
            Syntax::Att => "att",
        })
    }
}
