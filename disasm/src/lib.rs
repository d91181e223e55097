//! Guest instruction formatting (Intel, MASM, NASM and AT&T syntax) for trace mode and the
//! debugger, with segment:offset and linear addresses, raw bytes and resolved branch targets.
//!
//! Not written yet; the trace frontend will be its first user.
#![forbid(unsafe_code)]
