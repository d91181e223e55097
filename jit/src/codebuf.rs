//! Executable host code: the finished buffer of one compiled block and the one place that
//! calls into it. This and `ctx.rs` are the only files of the JIT with `unsafe`.

use crate::ctx::JitCtx;
use dynasmrt::{AssemblyOffset, ExecutableBuffer};

/// The signature of a compiled block: `rdi` = context, `rsi` = `&mut Cpu`; returns an
/// [`crate::ctx::exit`] code.
type Entry = extern "C" fn(*mut JitCtx, *mut rawbox_cpu::Cpu) -> u32;

/// One block's host code.
pub struct CodeBuf {
    /// Keeps the mapping alive; `entry` points into it.
    buf: ExecutableBuffer,
    entry: Entry,
}

impl CodeBuf {
    /// Wraps a finished buffer whose code at `start` follows the [`Entry`] convention.
    pub fn new(buf: ExecutableBuffer, start: AssemblyOffset) -> CodeBuf {
        let ptr = buf.ptr(start);
        // SAFETY: `ptr` points at the start of a function emitted by `emit.rs` with the System V
        // signature of `Entry` (it saves the callee-saved registers it uses, keeps the stack
        // aligned for its calls and returns a u32 in eax). The buffer is executable and is kept
        // alive in `self.buf` for as long as `entry` can be called.
        let entry = unsafe { std::mem::transmute::<*const u8, Entry>(ptr) };
        CodeBuf { buf, entry }
    }

    /// Bytes of executable memory held.
    pub fn size(&self) -> usize {
        self.buf.size()
    }

    /// Runs the code with `ctx` (whose `cpu` field is the CPU passed in `rsi`).
    pub fn call(&self, ctx: &mut JitCtx) -> u32 {
        let cpu = ctx.cpu;
        (self.entry)(ctx as *mut JitCtx, cpu)
    }
}
