//! Inline guest memory accesses. The fast path checks the offset against the segment's
//! precomputed limit for this kind of access (`tables::FastSeg`), adds the base, and looks the
//! linear page up in the fast TLB (tag compare, then host pointer = linear + addend). Anything
//! else (segment checks that need the accessor, TLB misses, page-crossing accesses, MMIO, ROM,
//! code pages) goes to an out-of-line slow path that calls the interpreter's accessor, which
//! raises faults exactly as the interpreter does and fills the fast TLB for the next time.

use super::Emitter;
use crate::ctx::{self, exit};
use crate::layout::INSTRUCTIONS;
use crate::tables::off::{
    SEGS, SEG_BASE, SEG_RLIM, SEG_SIZE, SEG_WLIM, TLB_ADDEND, TLB_RTAG, TLB_WTAG,
};
use dynasmrt::{dynasm, DynamicLabel, DynasmApi, DynasmLabelApi};
use rawbox_cpu::flags::OpSize;

/// What the instruction still does when its write hit translated code (it completes, then
/// the block ends).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Finish {
    /// Nothing: EIP goes to the next instruction.
    Plain,
    /// A push: store the new SP from edx.
    Push,
    /// A near call: store the new SP from edx; EIP = r9d.
    Call,
    /// ALU op to memory: the flags of r9d OP r10d.
    AluFlags { op: u8, size: OpSize, live: bool },
    /// INC/DEC of memory: CF from r9d, the flags of r10d +/- 1.
    IncDecFlags { dec: bool, size: OpSize, live: bool },
}

/// A slow path to emit after the block.
pub(super) struct SlowPath {
    finish: Finish,
    entry: DynamicLabel,
    back: DynamicLabel,
    write: bool,
    seg: u8,
    size: OpSize,
    /// Byte offsets of the instruction and of the next one in the block.
    off: u32,
    next: u32,
    /// Inline instructions before this one not yet counted.
    pending: u32,
}

impl Emitter {
    /// eax = the `size` value at `seg:[edx]` (zero-extended) for the instruction at `off`;
    /// edx, r8d, r9d and r10d are kept. Leaves the block on a fault.
    pub(super) fn read(&mut self, seg: u8, size: OpSize, off: u32) {
        let (entry, back) = self.fast_path(seg, size, false);
        match size {
            OpSize::Byte => dynasm!(self.ops ; .arch x64 ; movzx eax, BYTE [rsi]),
            OpSize::Word => dynasm!(self.ops ; .arch x64 ; movzx eax, WORD [rsi]),
            OpSize::Dword => dynasm!(self.ops ; .arch x64 ; mov eax, DWORD [rsi]),
        }
        dynasm!(self.ops ; .arch x64 ; =>back);
        self.slow.push(SlowPath {
            finish: Finish::Plain,
            entry,
            back,
            write: false,
            seg,
            size,
            off,
            next: off,
            pending: self.pending,
        });
        self.host_flags = false;
    }

    /// Writes the low `size` bytes of r8d to `seg:[edx]` for the instruction at `off` (ending
    /// at `next`); edx, r8d, r9d and r10d are kept. Leaves the block on a fault, or after this
    /// instruction when the write hit translated code.
    pub(super) fn write(&mut self, seg: u8, size: OpSize, off: u32, next: u32) {
        self.write_then(seg, size, off, next, Finish::Plain);
    }

    /// [`Emitter::write`] for an instruction that does more after its write (see [`Finish`]):
    /// that is emitted after the write here and on the path where the write hit translated
    /// code.
    pub(super) fn write_then(
        &mut self,
        seg: u8,
        size: OpSize,
        off: u32,
        next: u32,
        finish: Finish,
    ) {
        let (entry, back) = self.fast_path(seg, size, true);
        match size {
            OpSize::Byte => dynasm!(self.ops ; .arch x64 ; mov BYTE [rsi], r8b),
            OpSize::Word => dynasm!(self.ops ; .arch x64 ; mov WORD [rsi], r8w),
            OpSize::Dword => dynasm!(self.ops ; .arch x64 ; mov DWORD [rsi], r8d),
        }
        dynasm!(self.ops ; .arch x64 ; =>back);
        self.slow.push(SlowPath {
            finish,
            entry,
            back,
            write: true,
            seg,
            size,
            off,
            next,
            pending: self.pending,
        });
        self.host_flags = false;
        self.finish_write(finish);
    }

    /// rsi = host address of `seg:[edx]` when the access may go straight to RAM, else a jump
    /// to the returned slow-path label (the second label is where it comes back).
    fn fast_path(&mut self, seg: u8, size: OpSize, write: bool) -> (DynamicLabel, DynamicLabel) {
        let entry = self.ops.new_dynamic_label();
        let back = self.ops.new_dynamic_label();
        let last = size.bytes() as i32 - 1;
        let s = SEGS + SEG_SIZE * (seg as i32 & 7);
        let lim = s + if write { SEG_WLIM } else { SEG_RLIM };
        let base = s + SEG_BASE;
        dynasm!(self.ops
            ; .arch x64
            // The offset of the last byte within the segment's limit for this access.
            ; lea rcx, [rdx + last]
            ; cmp rcx, QWORD [r14 + lim]
            ; jg =>entry
            ; mov esi, edx
            ; add esi, DWORD [r14 + base]
            // The TLB entry of the first byte's page must be tagged with the last byte's
            // page (so page-crossing accesses miss).
            ; mov eax, esi
            ; shr eax, 8
            ; and eax, 0x3FF0
            ; lea ecx, [rsi + last]
            ; and ecx, 0xFFFF_F000u32 as i32
        );
        if write {
            dynasm!(self.ops ; .arch x64 ; cmp ecx, DWORD [r14 + rax + TLB_WTAG]);
        } else {
            dynasm!(self.ops ; .arch x64 ; cmp ecx, DWORD [r14 + rax + TLB_RTAG]);
        }
        dynasm!(self.ops
            ; .arch x64
            ; jne =>entry
            ; add rsi, QWORD [r14 + rax + TLB_ADDEND]
        );
        (entry, back)
    }

    /// Emits the slow paths of the block's inline accesses.
    pub(super) fn emit_slow_paths(&mut self) {
        for p in std::mem::take(&mut self.slow) {
            let (entry, back, exit) = (p.entry, p.back, self.exit);
            dynasm!(self.ops ; .arch x64 ; =>entry);
            // Out of line: nothing the main path's code stored is known here.
            self.lazy_mask_known = None;
            // A fault reports this instruction with the ones before it counted.
            self.set_eip(p.off);
            if p.pending != 0 {
                dynasm!(self.ops ; .arch x64 ; add QWORD [rbx + INSTRUCTIONS], p.pending as i32);
            }
            let width = p.size.bytes() as i32;
            self.write_back();
            dynasm!(self.ops
                ; .arch x64
                ; push rdx
                ; push r8
                ; push r9
                ; push r10
                ; mov rdi, QWORD [r14 + crate::tables::off::RUN_CTX]
                ; mov esi, p.seg as i32
                ; mov ecx, width
            );
            let f = if p.write {
                ctx::write_mem as *const () as usize as i64
            } else {
                ctx::read_mem as *const () as usize as i64
            };
            dynasm!(self.ops
                ; .arch x64
                ; mov rax, QWORD f
                ; call rax
                ; pop r10
                ; pop r9
                ; pop r8
                ; pop rdx
            );
            self.reload_volatile();
            if p.write {
                dynasm!(self.ops
                    ; .arch x64
                    ; test eax, eax
                    ; jz >ok
                    ; cmp eax, exit::STOP as i32
                    ; jne =>exit
                    // The write hit translated code: this instruction completed, the block
                    // ends after it.
                    ; add QWORD [rbx + INSTRUCTIONS], 1
                );
                self.finish_write(p.finish);
                self.write_back();
                if p.finish == Finish::Call {
                    dynasm!(self.ops ; .arch x64 ; mov DWORD [rbx + crate::layout::EIP], r9d);
                } else {
                    self.set_eip(p.next);
                }
                dynasm!(self.ops
                    ; .arch x64
                    ; mov eax, exit::STOP as i32
                    ; jmp =>exit
                    ; ok:
                );
            } else {
                dynasm!(self.ops
                    ; .arch x64
                    ; mov rcx, rax
                    ; shr rcx, 32
                    ; jz >ok
                    ; mov eax, exit::FAULT as i32
                    ; jmp =>exit
                    ; ok:
                );
            }
            if p.pending != 0 {
                dynasm!(self.ops ; .arch x64 ; sub QWORD [rbx + INSTRUCTIONS], p.pending as i32);
            }
            dynasm!(self.ops ; .arch x64 ; jmp =>back);
        }
    }
}
