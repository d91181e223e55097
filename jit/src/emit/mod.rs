//! Host code generation for one block with dynasmrt. Register plan: `rbx` = `&mut Cpu`,
//! `r12` = the `JitCtx`, `r13d` = EIP at block entry; `eax`, `ecx`, `edx`, `esi`, `r8d` are
//! scratch. Guest registers and lazy flags live in the `CpuState`; inline arithmetic runs on the
//! host ALU at the guest operand size and stores the interpreter's lazy-flag record (unless a
//! later instruction overwrites it first), and a Jcc right after it reads the host flags.
//! This file: the block frame, the per-instruction dispatch, moves, memory forms and control
//! flow; `alu` the arithmetic forms; `prims` the shared emission primitives.

mod alu;
mod prims;

use crate::analysis::{Form, Src};
use crate::ctx;
use crate::layout::{self, CS_LIMIT, EIP};
use dynasmrt::x64::X64Relocation;
use dynasmrt::VecAssembler;
use dynasmrt::{dynasm, DynamicLabel, DynasmApi, DynasmLabelApi};
use rawbox_cpu::decode::cache::DecodedInsn;
use rawbox_cpu::exec::arith;
use rawbox_cpu::flags::OpSize;

/// The assembler: position-independent code into a vector (placed by `codebuf`).
type Assembler = VecAssembler<X64Relocation>;

/// Scratch registers by x86 number.
const EAX: u8 = 0;
const ECX: u8 = 1;
const EDX: u8 = 2;

/// What the emitter needs to know about the block's mode.
#[derive(Clone, Copy, Debug)]
pub struct Mode {
    /// 32-bit code segment (EIP not masked to 16 bits).
    pub code32: bool,
    /// Near jumps check the code segment limit (286 and later).
    pub jump_limit: bool,
}

/// Emits one block.
pub struct Emitter {
    ops: Assembler,
    exit: DynamicLabel,
    mode: Mode,
    /// Inline instructions completed but not yet added to the instruction counter.
    pending: u32,
    /// Host flags hold the guest's condition flags (after an inline ALU operation).
    host_flags: bool,
    /// `state.eip` holds the interpreter's value (right after a handler call).
    eip_synced: bool,
    /// Instructions in the block when its jump back to its own start may loop in place
    /// (0: never).
    loop_insns: u32,
    /// Where a repeated run starts (after the prologue).
    loop_top: DynamicLabel,
}

impl Emitter {
    pub fn new(mode: Mode, loop_insns: u32) -> Emitter {
        let mut ops = Assembler::new(0);
        let exit = ops.new_dynamic_label();
        let loop_top = ops.new_dynamic_label();
        Emitter {
            ops,
            exit,
            mode,
            pending: 0,
            host_flags: false,
            eip_synced: true,
            loop_insns,
            loop_top,
        }
    }

    /// The entry sequence (at offset 0).
    pub fn prologue(&mut self) {
        dynasm!(self.ops
            ; .arch x64
            ; push rbx
            ; push r12
            ; push r13
            ; mov r12, rdi
            ; mov rbx, rsi
            ; mov r13d, DWORD [rbx + EIP]
        );
        let top = self.loop_top;
        dynasm!(self.ops ; .arch x64 ; =>top);
    }

    /// Ends the block after its last instruction and emits the shared exit.
    pub fn finish(mut self, block_bytes: u32) -> Result<Vec<u8>, String> {
        self.flush_count(0);
        if !self.eip_synced {
            self.set_eip(block_bytes);
        }
        let exit = self.exit;
        dynasm!(self.ops
            ; .arch x64
            ; xor eax, eax
            ; =>exit
            ; pop r13
            ; pop r12
            ; pop rbx
            ; ret
        );
        self.ops
            .finalize()
            .map_err(|e| format!("assembling the block failed: {e:?}"))
    }

    /// Emits instruction `idx` (at byte offset `off` in the block) in form `form`.
    pub fn insn(&mut self, idx: u32, off: u32, d: &DecodedInsn, form: Form, flags_live: bool) {
        let next = off.wrapping_add(d.len as u32);
        match form {
            Form::Helper => self.helper(idx, off),
            Form::Jcc { .. } | Form::Setcc { .. } if !self.host_flags => self.helper(idx, off),
            Form::Setcc { cc, dst } => self.setcc(cc, dst),
            Form::MovReg { dst, src, size } => {
                match src {
                    Src::Reg(s) => {
                        self.load(EAX, size, s);
                        self.store(EAX, size, dst);
                    }
                    Src::Imm(v) => self.store_imm(size, dst, v),
                }
                self.inline_done(false);
            }
            Form::Load { dst, size, ext } => {
                let width = ext.map_or(size, |(_, s)| s);
                self.ea_to_edx(&d.mem);
                self.flush_count(0);
                self.set_eip(off);
                self.call_read(d.mem.seg, width);
                match ext {
                    Some((true, OpSize::Byte)) => dynasm!(self.ops ; .arch x64 ; movsx eax, al),
                    Some((true, OpSize::Word)) => dynasm!(self.ops ; .arch x64 ; movsx eax, ax),
                    _ => {}
                }
                self.store(EAX, size, dst);
                self.pending += 1;
                self.host_flags = false;
            }
            Form::AluMem {
                op,
                other,
                mem_first,
                size,
            } => self.alu_mem(d, off, (op, other, mem_first, size), flags_live),
            Form::Store { src, size } => {
                self.ea_to_edx(&d.mem);
                match src {
                    Src::Reg(s) => {
                        self.load(EAX, size, s);
                        dynasm!(self.ops ; .arch x64 ; mov r8d, eax);
                    }
                    Src::Imm(v) => dynasm!(self.ops ; .arch x64 ; mov r8d, v as i32),
                }
                self.flush_count(0);
                self.set_eip(off);
                self.call_write(d.mem.seg, size, next);
                self.pending += 1;
                self.host_flags = false;
            }
            Form::Alu { op, dst, src, size } if op == arith::ADC || op == arith::SBB => {
                self.adc_sbb(op, dst, src, size, flags_live)
            }
            Form::Alu { op, dst, src, size } => self.alu(op, dst, src, size, flags_live),
            Form::Push { src, size } => {
                self.load(EAX, size, src);
                self.flush_count(0);
                self.set_eip_keep_eax(off);
                let f = ctx::push as *const () as usize as i64;
                dynasm!(self.ops
                    ; .arch x64
                    ; mov esi, eax
                    ; mov edx, size.bytes() as i32
                );
                self.call_checked_write(f, next);
                self.pending += 1;
                self.host_flags = false;
            }
            Form::Pop { dst, size } => {
                self.flush_count(0);
                self.set_eip(off);
                let f = ctx::pop as *const () as usize as i64;
                dynasm!(self.ops ; .arch x64 ; mov esi, size.bytes() as i32);
                self.call_checked_read(f);
                self.store(EAX, size, dst);
                self.pending += 1;
                self.host_flags = false;
            }
            Form::Neg { dst, size } => self.neg(dst, size, flags_live),
            Form::Shift {
                op,
                dst,
                size,
                count,
            } => self.shift(op, dst, size, count),
            Form::Not { dst, size } => self.not(dst, size),
            Form::IncDec { dec, dst, size } => self.inc_dec(dec, dst, size, flags_live),
            Form::Lea { dst, size } => {
                self.ea_to_edx(&d.mem);
                self.store(EDX, size, dst);
                self.inline_done(false);
            }
            Form::Movx {
                signed,
                dst,
                size,
                src,
                src_size,
            } => {
                match (signed, src_size) {
                    (false, OpSize::Byte) => {
                        dynasm!(self.ops ; .arch x64 ; movzx eax, BYTE [rbx + src])
                    }
                    (true, OpSize::Byte) => {
                        dynasm!(self.ops ; .arch x64 ; movsx eax, BYTE [rbx + src])
                    }
                    (false, _) => dynasm!(self.ops ; .arch x64 ; movzx eax, WORD [rbx + src]),
                    (true, _) => dynasm!(self.ops ; .arch x64 ; movsx eax, WORD [rbx + src]),
                }
                self.store(EAX, size, dst);
                self.inline_done(false);
            }
            Form::Jmp { delta, ip16 } => self.jump_to(off, next, delta, ip16),
            Form::Loop { c32, delta, ip16 } => {
                let count = layout::reg32(1);
                let taken = self.ops.new_dynamic_label();
                if c32 {
                    dynasm!(self.ops
                        ; .arch x64
                        ; mov eax, DWORD [rbx + count]
                        ; sub eax, 1
                        ; mov DWORD [rbx + count], eax
                        ; jnz =>taken
                    );
                } else {
                    dynasm!(self.ops
                        ; .arch x64
                        ; movzx eax, WORD [rbx + count]
                        ; sub ax, 1
                        ; mov WORD [rbx + count], ax
                        ; jnz =>taken
                    );
                }
                let pending = self.pending;
                self.flush_count(1);
                self.set_eip(next);
                let exit = self.exit;
                dynasm!(self.ops ; .arch x64 ; xor eax, eax ; jmp =>exit ; =>taken);
                self.pending = pending;
                self.jump_to(off, next, delta, ip16);
            }
            Form::Jcc { cc, delta, ip16 } => {
                let taken = self.ops.new_dynamic_label();
                self.jcc(cc, taken);
                let pending = self.pending;
                self.flush_count(1);
                self.set_eip(next);
                let exit = self.exit;
                dynasm!(self.ops ; .arch x64 ; xor eax, eax ; jmp =>exit ; =>taken);
                self.pending = pending;
                self.jump_to(off, next, delta, ip16);
            }
        }
    }

    /// An inline instruction that cannot fault finished; `sets_flags` when it left the guest
    /// condition flags in the host flags.
    fn inline_done(&mut self, sets_flags: bool) {
        self.pending += 1;
        if sets_flags {
            self.host_flags = true;
        }
        self.eip_synced = false;
    }

    /// Calls the interpreter for instruction `idx`.
    fn helper(&mut self, idx: u32, off: u32) {
        self.flush_count(0);
        self.set_eip(off);
        let f = ctx::call_insn as *const () as usize as i64;
        let exit = self.exit;
        dynasm!(self.ops
            ; .arch x64
            ; mov rdi, r12
            ; mov esi, idx as i32
            ; mov rax, QWORD f
            ; call rax
            ; test eax, eax
            ; jnz =>exit
        );
        self.host_flags = false;
        self.eip_synced = true;
    }

    /// Leaves the block through a near jump to `next + delta` (the jump at `off` completes),
    /// or raises #GP(0) if the target is past the CS limit.
    fn jump_to(&mut self, off: u32, next: u32, delta: u32, ip16: bool) {
        dynasm!(self.ops ; .arch x64 ; lea eax, [r13 + next as i32]);
        if !self.mode.code32 {
            dynasm!(self.ops ; .arch x64 ; movzx eax, ax);
        }
        dynasm!(self.ops ; .arch x64 ; lea eax, [rax + delta as i32]);
        if ip16 {
            dynasm!(self.ops ; .arch x64 ; movzx eax, ax);
        }
        let exit = self.exit;
        let gp = self.ops.new_dynamic_label();
        if self.mode.jump_limit {
            dynasm!(self.ops ; .arch x64 ; cmp eax, DWORD [rbx + CS_LIMIT] ; ja =>gp);
        }
        dynasm!(self.ops ; .arch x64 ; mov DWORD [rbx + EIP], eax);
        let pending = self.pending;
        self.pending += 1;
        self.flush_count(0);
        if self.loop_insns != 0 {
            // Back to the block's own start: run again in place while the CPU would have
            // chained it (a slot left, the budget covering another whole run).
            let n = self.loop_insns as i32;
            let top = self.loop_top;
            dynasm!(self.ops
                ; .arch x64
                ; cmp eax, r13d
                ; jne >done
                ; mov rax, QWORD [r12 + layout::CTX_INSNS_LEFT]
                ; sub rax, n
                ; mov QWORD [r12 + layout::CTX_INSNS_LEFT], rax
                ; cmp rax, n
                ; jb >done
                ; mov rax, QWORD [r12 + layout::CTX_SLOTS]
                ; test rax, rax
                ; jz >done
                ; sub rax, 1
                ; mov QWORD [r12 + layout::CTX_SLOTS], rax
                ; add QWORD [r12 + layout::CTX_REPEATS], 1
                ; jmp =>top
                ; done:
            );
        }
        dynasm!(self.ops ; .arch x64 ; xor eax, eax ; jmp =>exit);
        if self.mode.jump_limit {
            dynasm!(self.ops ; .arch x64 ; =>gp);
            self.pending = pending;
            self.flush_count(0);
            self.set_eip(off);
            let f = ctx::jump_gp as *const () as usize as i64;
            dynasm!(self.ops
                ; .arch x64
                ; mov rdi, r12
                ; mov rax, QWORD f
                ; call rax
                ; jmp =>exit
            );
        }
        self.pending = 0;
        self.eip_synced = true;
        self.host_flags = false;
    }
}
