//! Executable host code: an arena of large anonymous read/write/execute mappings that
//! compiled blocks are copied into (each block into bytes no code has used yet, never while
//! compiled code runs), and the one place that calls into a block's code. This and `ctx.rs`
//! are the only files of the JIT with `unsafe`.

use crate::ctx::JitCtx;
use crate::tables::JitTables;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The signature of a compiled block: `rdi` = context, `rsi` = `&mut Cpu`, `rdx` = the
/// run-time tables; returns an [`crate::ctx::exit`] code.
type Entry = extern "C" fn(*mut JitCtx, *mut rawbox_cpu::Cpu, *mut JitTables) -> u32;

/// Size of one arena chunk.
const CHUNK_BYTES: usize = 1 << 20;

/// One mapping of the arena. It lives as long as any block placed in it.
struct Chunk {
    /// Start of the mapping.
    base: *mut u8,
    size: usize,
    /// The arena's count of mapped bytes.
    mapped: Arc<AtomicU64>,
}

// SAFETY: a chunk is plain memory owned by this struct; the raw pointer is only written
// through by `CodeArena::place` (which holds the arena mutably) into bytes not yet handed out.
unsafe impl Send for Chunk {}
// SAFETY: shared access only executes code or reads the pointer value.
unsafe impl Sync for Chunk {}

impl Chunk {
    fn new(size: usize, mapped: Arc<AtomicU64>) -> std::io::Result<Chunk> {
        // SAFETY: an anonymous private mapping at an address of the kernel's choosing; no
        // existing memory is touched. The result is checked before use.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                size,
                libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        mapped.fetch_add(size as u64, Ordering::Relaxed);
        Ok(Chunk {
            base: p.cast(),
            size,
            mapped,
        })
    }
}

impl Drop for Chunk {
    fn drop(&mut self) {
        // SAFETY: `base`/`size` are exactly the mapping made in `Chunk::new`; the chunk is
        // dropped only when no `CodeBuf` (the only holders of code pointers into it) is left.
        unsafe {
            libc::munmap(self.base.cast(), self.size);
        }
        self.mapped.fetch_sub(self.size as u64, Ordering::Relaxed);
    }
}

/// Places compiled code into chunks.
pub struct CodeArena {
    /// Size of new chunks.
    chunk_bytes: usize,
    current: Option<Arc<Chunk>>,
    /// Bytes used in the current chunk.
    used: usize,
    /// Bytes of all chunks still mapped (shared with the statistics).
    mapped: Arc<AtomicU64>,
}

impl CodeArena {
    /// An arena of chunks of up to 1 MB (at most `limit`) counting its mapped bytes in
    /// `mapped`.
    pub fn new(limit: usize, mapped: Arc<AtomicU64>) -> CodeArena {
        CodeArena {
            chunk_bytes: CHUNK_BYTES.min(limit).max(4096),
            current: None,
            used: 0,
            mapped,
        }
    }

    /// Bytes a new chunk would map if `len` bytes of code do not fit the current one (else 0).
    pub fn growth_for(&self, len: usize) -> usize {
        let len = len.next_multiple_of(16);
        match &self.current {
            Some(c) if c.size - self.used >= len => 0,
            _ => self.chunk_bytes.max(len),
        }
    }

    /// Lets go of the current chunk (it is unmapped once no block uses it).
    pub fn reset(&mut self) {
        self.current = None;
        self.used = 0;
    }

    /// Copies position-independent `code` (its entry at offset 0) into executable memory.
    pub fn place(&mut self, code: &[u8]) -> std::io::Result<CodeBuf> {
        let len = code.len().next_multiple_of(16);
        let grow = self.growth_for(len);
        if grow != 0 {
            self.current = Some(Arc::new(Chunk::new(grow, self.mapped.clone())?));
            self.used = 0;
        }
        let chunk = self
            .current
            .clone()
            .ok_or(std::io::ErrorKind::OutOfMemory)?;
        let off = self.used;
        if off + code.len() > chunk.size {
            return Err(std::io::ErrorKind::OutOfMemory.into());
        }
        // SAFETY: `off + code.len()` is within the chunk (checked above), and these bytes
        // were never handed out, so no compiled code can be running from them; `code` is a
        // separate vector, so the ranges do not overlap. x86 keeps instruction fetch coherent
        // with these stores.
        unsafe {
            std::ptr::copy_nonoverlapping(code.as_ptr(), chunk.base.add(off), code.len());
        }
        self.used += len;
        // SAFETY: `off` is within the chunk (checked above).
        let ptr = unsafe { chunk.base.add(off) } as *const u8;
        // SAFETY: `ptr` is the start of `code`, a function emitted by `emit.rs` with the System
        // V signature of `Entry` (it saves the callee-saved registers it uses, keeps the stack
        // aligned for its calls, returns a u32 in eax) and only internal relative jumps and
        // absolute calls, so it runs at any address. The chunk is executable and stays mapped
        // while the returned `CodeBuf` holds it, and these bytes are never written again.
        let entry = unsafe { std::mem::transmute::<*const u8, Entry>(ptr) };
        Ok(CodeBuf {
            _chunk: chunk,
            entry,
            size: len,
        })
    }
}

/// One block's host code.
pub struct CodeBuf {
    /// Keeps the mapping alive; `entry` points into it.
    _chunk: Arc<Chunk>,
    entry: Entry,
    size: usize,
}

impl CodeBuf {
    /// Bytes of code.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Host address of byte `off` of the code (a chain entry for the jump cache).
    pub fn addr(&self, off: usize) -> u64 {
        self.entry as usize as u64 + off.min(self.size) as u64
    }

    /// Runs the code with `ctx` (its `cpu` and the base of its `tables` are passed in `rsi`
    /// and `rdx`).
    pub fn call(&self, ctx: &mut JitCtx) -> u32 {
        let cpu = ctx.cpu;
        // SAFETY: `ctx.tables` points at the live `Tables` the run loop handed in; only the
        // address of its boxed table block is taken.
        let tables = unsafe { (*ctx.tables).base() };
        let ctx_ptr = ctx as *mut JitCtx;
        // SAFETY: as above; the run area records where the helpers find this context.
        unsafe { (*tables).run.ctx = ctx_ptr as u64 };
        (self.entry)(ctx_ptr, cpu, tables)
    }
}
