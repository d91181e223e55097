//! The debugger crate's error type.

use std::fmt;

/// What went wrong in trace mode, the debugger or the GDB stub.
#[derive(Debug)]
pub enum DebugError {
    /// Writing the trace or talking to the terminal or socket failed.
    Io(std::io::Error),
    /// An address or number could not be parsed.
    BadArgument(String),
    /// The GDB connection failed.
    Gdb(String),
}

impl fmt::Display for DebugError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DebugError::Io(e) => write!(f, "i/o error: {e}"),
            DebugError::BadArgument(s) => write!(f, "{s}"),
            DebugError::Gdb(s) => write!(f, "gdb stub: {s}"),
        }
    }
}

impl std::error::Error for DebugError {}

impl From<std::io::Error> for DebugError {
    fn from(e: std::io::Error) -> Self {
        DebugError::Io(e)
    }
}
