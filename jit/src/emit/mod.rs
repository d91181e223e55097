//! Host code generation for one block with dynasmrt. Register plan: `rbx` = `&mut Cpu`,
//! `r14` = the run-time tables (`tables::JitTables`, with the per-run values: the helpers'
//! context, the entry EIP, the chaining budget); `rbp`, `r12`, `r13`, `r15` and `rdi` cache
//! the block's most used guest registers; `eax`, `ecx`, `edx`, `esi`, `r8d`-`r11d` are
//! scratch. A
//! block's code has two entries: the prologue at offset 0 (from the run loop) and the chain
//! entry after it (from the end of another block, through the jump cache). Guest registers and lazy flags live in the `CpuState`; inline arithmetic runs on the
//! host ALU at the guest operand size and stores the interpreter's lazy-flag record (unless a
//! later instruction overwrites it first), and a Jcc right after it reads the host flags.
//! This file: the block frame, the per-instruction dispatch, moves, memory forms and control
//! flow; `alu` the arithmetic forms; `memory` the inline guest memory accesses and their
//! slow paths; `chain` the block exits; `prims` the shared emission primitives.

mod alu;
mod chain;
mod memory;
mod prims;
mod stack;

use crate::analysis::{FlagInfo, Form, Src};
use crate::ctx;
use crate::layout::{self, EIP};
use dynasmrt::x64::X64Relocation;
use dynasmrt::VecAssembler;
use dynasmrt::{dynasm, DynamicLabel, DynasmApi, DynasmLabelApi};
use rawbox_cpu::decode::cache::DecodedInsn;
use rawbox_cpu::exec::arith;
use rawbox_cpu::flags::OpSize;

/// The assembler: position-independent code into a vector (placed by `codebuf`).
type Assembler = VecAssembler<X64Relocation>;

/// No host register (in `Emitter::cache`).
pub const NO_HOST: u8 = 0xFF;
/// Host registers that can cache guest registers within a block: rbp, r12, r13, r15
/// (callee-saved: helper calls keep them) and rdi.
pub const CACHE_REGS: [u8; 5] = [5, 12, 13, 15, 7];
/// The one of them a call clobbers (rdi): saved around helper calls.
const VOLATILE_CACHE_REG: u8 = 7;

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
    /// 32-bit stack pointer (SS.B).
    pub stack32: bool,
    /// The block's mode bits (`rawbox_cpu::decode::cache::mode`), which the blocks it
    /// chains to must have.
    pub bits: u32,
}

/// Emits one block.
pub struct Emitter {
    ops: Assembler,
    exit: DynamicLabel,
    /// Returns `exit::NEXT` (the block ran to its end without chaining).
    exit_next: DynamicLabel,
    mode: Mode,
    /// Inline instructions completed but not yet added to the instruction counter.
    pending: u32,
    /// Host flags hold the guest's condition flags (after an inline ALU operation).
    host_flags: bool,
    /// ... from a logic operation or a shift: the host AF is not the guest's (0).
    host_logic: bool,
    /// The guest flags are all materialised in `flags.bits` (lazy mask 0), after a shift or
    /// rotate, until the next lazy record or handler call.
    flags_in_bits: bool,
    /// `state.eip` holds the interpreter's value (right after a handler call).
    eip_synced: bool,
    /// Out-of-line slow paths of inline memory accesses, emitted after the block.
    slow: Vec<memory::SlowPath>,
    /// Offset of the chain entry.
    chain_entry: usize,
    /// What `flags.lazy_mask` is known to hold (set by this block's code since the last
    /// handler call).
    lazy_mask_known: Option<u32>,
    /// Why the block cannot be compiled (an internal inconsistency), if so.
    error: Option<&'static str>,
    /// For each guest register, the host register caching it in this block (`NO_HOST`).
    cache: [u8; 8],
    /// The mode's register map: guest registers held in host registers between blocks.
    map: [u8; 8],
    /// Mapped registers this block keeps in the CPU state (stored at entry, reloaded
    /// before it goes on to another block).
    spilled: [u8; 8],
}

impl Emitter {
    /// An emitter for a block in `mode` whose guest register `n` is held in host register
    /// `map[n]` between blocks (`NO_HOST`: none), except within this block for the ones
    /// in `spilled`.
    pub fn new(mode: Mode, map: [u8; 8], spilled: [u8; 8]) -> Emitter {
        let mut cache = map;
        for (c, s) in cache.iter_mut().zip(spilled) {
            if s != NO_HOST {
                *c = NO_HOST;
            }
        }
        let mut ops = Assembler::new(0);
        let exit = ops.new_dynamic_label();
        let exit_next = ops.new_dynamic_label();
        Emitter {
            ops,
            exit,
            exit_next,
            mode,
            pending: 0,
            host_flags: false,
            host_logic: false,
            flags_in_bits: false,
            eip_synced: true,
            slow: Vec::new(),
            chain_entry: 0,
            lazy_mask_known: None,
            error: None,
            cache,
            map,
            spilled,
        }
    }

    /// The entry sequence (at offset 0), then the chain entry.
    pub fn prologue(&mut self) {
        dynasm!(self.ops
            ; .arch x64
            ; push rbp
            ; push rbx
            ; push r12
            ; push r13
            ; push r14
            ; push r15
            ; sub rsp, 8
            ; mov rbx, rsi
            ; mov r14, rdx
        );
        self.reload_map();
        self.chain_entry = self.ops.offset().0;
        dynasm!(self.ops
            ; .arch x64
            ; mov eax, DWORD [rbx + EIP]
            ; mov DWORD [r14 + crate::tables::off::RUN_ENTRY_EIP], eax
        );
        self.store_spilled();
    }

    /// Ends the block after its last instruction (going on to the next block when it can),
    /// emits the slow paths and the shared exit. Returns the code and its chain entry.
    pub fn finish(mut self, block_bytes: u32) -> Result<(Vec<u8>, usize), String> {
        if let Some(e) = self.error {
            return Err(e.to_string());
        }
        self.flush_count(0);
        if !self.eip_synced {
            self.set_eip(block_bytes);
        } else {
            dynasm!(self.ops ; .arch x64 ; mov eax, DWORD [rbx + EIP]);
        }
        self.chain();
        self.emit_slow_paths();
        let (exit, exit_next) = (self.exit, self.exit_next);
        dynasm!(self.ops ; .arch x64 ; =>exit_next);
        // From a block end that did not chain: the mapped registers go back to the state.
        self.write_back_map();
        dynasm!(self.ops
            ; .arch x64
            ; xor eax, eax
            ; =>exit
            ; add rsp, 8
            ; pop r15
            ; pop r14
            ; pop r13
            ; pop r12
            ; pop rbx
            ; pop rbp
            ; ret
        );
        let entry = self.chain_entry;
        self.ops
            .finalize()
            .map(|code| (code, entry))
            .map_err(|e| format!("assembling the block failed: {e:?}"))
    }

    /// Emits instruction `d` (at byte offset `off` in the block) in form `form`.
    pub fn insn(&mut self, off: u32, d: &DecodedInsn, form: Form, info: FlagInfo) {
        let next = off.wrapping_add(d.len as u32);
        let flags_live = info.live;
        if info.host_before && !self.host_flags {
            // The liveness pass dropped a record this instruction would read.
            self.error = Some("flag analysis and emitter disagree on the host flags");
        }
        match form {
            Form::Helper { sys } => self.helper(d, off, sys),
            Form::Jcc { .. } | Form::Setcc { .. } if !self.host_flags => self.helper(d, off, false),
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
                self.read(d.mem.seg, width, off);
                match ext {
                    Some((true, OpSize::Byte)) => dynasm!(self.ops ; .arch x64 ; movsx eax, al),
                    Some((true, OpSize::Word)) => dynasm!(self.ops ; .arch x64 ; movsx eax, ax),
                    _ => {}
                }
                self.store(EAX, size, dst);
                self.pending += 1;
                self.host_flags = false;
                self.eip_synced = false;
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
                self.write(d.mem.seg, size, off, next);
                self.pending += 1;
                self.host_flags = false;
                self.eip_synced = false;
            }
            Form::Alu { op, dst, src, size } if op == arith::ADC || op == arith::SBB => {
                self.adc_sbb(op, dst, src, size, flags_live)
            }
            Form::Alu { op, dst, src, size } => self.alu(op, dst, src, size, flags_live),
            Form::AluRmw { op, src, size } => {
                self.alu_rmw(d, (off, next), (op, src, size), flags_live)
            }
            Form::IncDecMem { dec, size } => {
                self.inc_dec_mem(d, (off, next), (dec, size), flags_live)
            }
            Form::Push { src, size } => self.push_reg(src, size, off, next),
            Form::Pop { dst, size } => self.pop_reg(dst, size, off),
            Form::Call { target, size } => self.call_near(d, target, size, off, next),
            Form::JmpInd { src, size } => self.jmp_indirect(d, src, size, off),
            Form::Ret { imm, size } => self.ret_near(imm, size, off),
            Form::Neg { dst, size } => self.neg(dst, size, flags_live),
            Form::Shift {
                op,
                dst,
                size,
                count,
            } => self.shift(op, dst, size, count, flags_live),
            Form::ShiftCl { op, dst } => self.shift_cl(op, dst, flags_live),
            Form::Rotate {
                left,
                dst,
                size,
                count,
            } => self.rotate(left, dst, size, count, flags_live),
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
                let src_size = if src_size == OpSize::Byte {
                    OpSize::Byte
                } else {
                    OpSize::Word
                };
                self.load(EAX, src_size, src);
                match (signed, src_size) {
                    (true, OpSize::Byte) => dynasm!(self.ops ; .arch x64 ; movsx eax, al),
                    (true, _) => dynasm!(self.ops ; .arch x64 ; movsx eax, ax),
                    _ => {}
                }
                self.store(EAX, size, dst);
                self.inline_done(false);
            }
            Form::Jmp { delta, ip16 } => self.jump_to(off, next, delta, ip16),
            Form::Loop { c32, delta, ip16 } => {
                let count = layout::reg32(1);
                let taken = self.ops.new_dynamic_label();
                if c32 {
                    self.load(EAX, OpSize::Dword, count);
                    dynasm!(self.ops ; .arch x64 ; sub eax, 1);
                    self.store(EAX, OpSize::Dword, count);
                } else {
                    self.load(EAX, OpSize::Word, count);
                    dynasm!(self.ops ; .arch x64 ; sub ax, 1);
                    self.store(EAX, OpSize::Word, count);
                }
                dynasm!(self.ops ; .arch x64 ; jnz =>taken);
                let pending = self.pending;
                self.flush_count(1);
                self.set_eip(next);
                self.chain();
                dynasm!(self.ops ; .arch x64 ; =>taken);
                self.pending = pending;
                self.jump_to(off, next, delta, ip16);
            }
            Form::Jcc { cc, delta, ip16 } => {
                let taken = self.ops.new_dynamic_label();
                self.jcc(cc, taken);
                let pending = self.pending;
                self.flush_count(1);
                self.set_eip(next);
                self.chain();
                dynasm!(self.ops ; .arch x64 ; =>taken);
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
            self.host_logic = false;
            self.flags_in_bits = false;
        }
        self.eip_synced = false;
    }

    /// Calls the interpreter for instruction `d` (`sys`: one that may change what compiled
    /// code assumes; the tables are resynchronised after it and the block does not chain).
    fn helper(&mut self, d: &DecodedInsn, off: u32, sys: bool) {
        self.flush_count(0);
        self.set_eip(off);
        let f = if sys {
            ctx::call_insn_sys as *const () as usize as i64
        } else {
            ctx::call_insn as *const () as usize as i64
        };
        let insn = d as *const DecodedInsn as usize as i64;
        let exit = self.exit;
        self.write_back();
        dynasm!(self.ops
            ; .arch x64
            ; mov rdi, QWORD [r14 + crate::tables::off::RUN_CTX]
            ; mov rsi, QWORD insn
            ; mov rax, QWORD f
            ; call rax
        );
        self.reload();
        dynasm!(self.ops
            ; .arch x64
            ; test eax, eax
            ; jnz =>exit
        );
        self.host_flags = false;
        self.flags_in_bits = false;
        self.lazy_mask_known = None;
        self.eip_synced = true;
    }

    /// Leaves the block through a near jump to `next + delta` (the jump at `off` completes),
    /// or raises #GP(0) if the target is past the CS limit.
    fn jump_to(&mut self, off: u32, next: u32, delta: u32, ip16: bool) {
        let pending = self.pending;
        self.rel_target_to_eax(next, delta, ip16);
        let gp = self.limit_check_eax();
        self.leave_to_eax();
        self.gp_stub(gp, off, pending);
    }
}
