//! Host code generation for one block with dynasmrt. Register plan: `rbx` = `&mut Cpu`,
//! `r12` = the `JitCtx`, `r13d` = EIP at block entry; `eax`, `ecx`, `edx`, `esi`, `r8d` are
//! scratch. Guest registers and lazy flags live in the `CpuState`; inline arithmetic runs on the
//! host ALU at the guest operand size and stores the interpreter's lazy-flag record (unless a
//! later instruction overwrites it first), and a Jcc right after it reads the host flags.

use crate::analysis::{Form, Src};
use crate::ctx::{self, exit};
use crate::layout::{self, CS_LIMIT, EIP, INSTRUCTIONS};
use dynasmrt::x64::X64Relocation;
use dynasmrt::VecAssembler;

/// The assembler: position-independent code into a vector (placed by `codebuf`).
type Assembler = VecAssembler<X64Relocation>;
use dynasmrt::{dynasm, DynamicLabel, DynasmApi, DynasmLabelApi};
use rawbox_cpu::decode::cache::{DecodedInsn, MemFast, NO_REG};
use rawbox_cpu::exec::arith;
use rawbox_cpu::exec::shift;
use rawbox_cpu::flags::bits::{ARITH, CF, PF, SF, ZF};
use rawbox_cpu::flags::{LazyOp, OpSize};

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
            Form::Setcc { cc, dst } => {
                match cc & 15 {
                    0x0 => dynasm!(self.ops ; .arch x64 ; seto BYTE [rbx + dst]),
                    0x1 => dynasm!(self.ops ; .arch x64 ; setno BYTE [rbx + dst]),
                    0x2 => dynasm!(self.ops ; .arch x64 ; setb BYTE [rbx + dst]),
                    0x3 => dynasm!(self.ops ; .arch x64 ; setae BYTE [rbx + dst]),
                    0x4 => dynasm!(self.ops ; .arch x64 ; sete BYTE [rbx + dst]),
                    0x5 => dynasm!(self.ops ; .arch x64 ; setne BYTE [rbx + dst]),
                    0x6 => dynasm!(self.ops ; .arch x64 ; setbe BYTE [rbx + dst]),
                    0x7 => dynasm!(self.ops ; .arch x64 ; seta BYTE [rbx + dst]),
                    0x8 => dynasm!(self.ops ; .arch x64 ; sets BYTE [rbx + dst]),
                    0x9 => dynasm!(self.ops ; .arch x64 ; setns BYTE [rbx + dst]),
                    0xA => dynasm!(self.ops ; .arch x64 ; setp BYTE [rbx + dst]),
                    0xB => dynasm!(self.ops ; .arch x64 ; setnp BYTE [rbx + dst]),
                    0xC => dynasm!(self.ops ; .arch x64 ; setl BYTE [rbx + dst]),
                    0xD => dynasm!(self.ops ; .arch x64 ; setge BYTE [rbx + dst]),
                    0xE => dynasm!(self.ops ; .arch x64 ; setle BYTE [rbx + dst]),
                    _ => dynasm!(self.ops ; .arch x64 ; setg BYTE [rbx + dst]),
                }
                // SETcc leaves the host flags alone.
                self.pending += 1;
                self.eip_synced = false;
            }
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
            } => {
                // The read may fault: nothing changes before it.
                self.ea_to_edx(&d.mem);
                self.flush_count(0);
                self.set_eip(off);
                self.call_read(d.mem.seg, size);
                if mem_first {
                    match other {
                        Src::Reg(r) => self.load(ECX, size, r),
                        Src::Imm(v) => dynasm!(self.ops ; .arch x64 ; mov ecx, v as i32),
                    }
                } else {
                    dynasm!(self.ops ; .arch x64 ; mov ecx, eax);
                    if let Src::Reg(r) = other {
                        self.load(EAX, size, r);
                    }
                }
                dynasm!(self.ops ; .arch x64 ; mov edx, eax);
                self.alu_edx_ecx(op, size);
                if let (false, Src::Reg(r)) = (mem_first, other) {
                    if op != arith::CMP && op != arith::TEST {
                        self.store(EDX, size, r);
                    }
                }
                if flags_live {
                    let lazy = match op {
                        arith::ADD => LazyOp::Add,
                        arith::SUB | arith::CMP => LazyOp::Sub,
                        _ => LazyOp::Logic,
                    };
                    self.store_lazy(lazy, size);
                }
                self.inline_done(true);
            }
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
                self.guest_cf_to_r9();
                self.load(EAX, size, dst);
                match src {
                    Src::Reg(s) => self.load(ECX, size, s),
                    Src::Imm(v) => dynasm!(self.ops ; .arch x64 ; mov ecx, v as i32),
                }
                // The lazy op: ADD/SUB, or ADC/SBB (carry-in 1) when CF is set.
                let base = if op == arith::ADC {
                    LazyOp::Add
                } else {
                    LazyOp::Sub
                } as i32;
                dynasm!(self.ops
                    ; .arch x64
                    ; mov edx, eax
                    ; lea r8d, [r9 + base]
                    ; bt r9d, 0
                );
                match (op == arith::ADC, size) {
                    (true, OpSize::Byte) => dynasm!(self.ops ; .arch x64 ; adc dl, cl),
                    (true, OpSize::Word) => dynasm!(self.ops ; .arch x64 ; adc dx, cx),
                    (true, OpSize::Dword) => dynasm!(self.ops ; .arch x64 ; adc edx, ecx),
                    (false, OpSize::Byte) => dynasm!(self.ops ; .arch x64 ; sbb dl, cl),
                    (false, OpSize::Word) => dynasm!(self.ops ; .arch x64 ; sbb dx, cx),
                    (false, OpSize::Dword) => dynasm!(self.ops ; .arch x64 ; sbb edx, ecx),
                }
                self.store(EDX, size, dst);
                if flags_live {
                    dynasm!(self.ops
                        ; .arch x64
                        ; mov DWORD [rbx + layout::SRC1], eax
                        ; mov DWORD [rbx + layout::SRC2], ecx
                        ; mov DWORD [rbx + layout::RES], edx
                        ; mov BYTE [rbx + layout::LAZY_OP], r8b
                        ; mov BYTE [rbx + layout::LAZY_SIZE], size as i8
                        ; mov DWORD [rbx + layout::LAZY_MASK], ARITH as i32
                    );
                }
                self.inline_done(true);
            }
            Form::Alu { op, dst, src, size } => {
                self.load(EAX, size, dst);
                match src {
                    Src::Reg(s) => self.load(ECX, size, s),
                    Src::Imm(v) => dynasm!(self.ops ; .arch x64 ; mov ecx, v as i32),
                }
                dynasm!(self.ops ; .arch x64 ; mov edx, eax);
                self.alu_edx_ecx(op, size);
                if op != arith::CMP && op != arith::TEST {
                    self.store(EDX, size, dst);
                }
                if flags_live {
                    let lazy = match op {
                        arith::ADD => LazyOp::Add,
                        arith::SUB | arith::CMP => LazyOp::Sub,
                        _ => LazyOp::Logic,
                    };
                    self.store_lazy(lazy, size);
                }
                self.inline_done(true);
            }
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
            Form::Neg { dst, size } => {
                self.load(EAX, size, dst);
                dynasm!(self.ops ; .arch x64 ; mov edx, eax ; mov ecx, eax);
                match size {
                    OpSize::Byte => dynasm!(self.ops ; .arch x64 ; neg dl),
                    OpSize::Word => dynasm!(self.ops ; .arch x64 ; neg dx),
                    OpSize::Dword => dynasm!(self.ops ; .arch x64 ; neg edx),
                }
                self.store(EDX, size, dst);
                if flags_live {
                    // NEG records SUB 0 - a: src1 = 0, src2 = a.
                    dynasm!(self.ops ; .arch x64 ; mov eax, 0);
                    self.store_lazy(LazyOp::Sub, size);
                }
                self.inline_done(true);
            }
            Form::Shift {
                op,
                dst,
                size,
                count,
            } => {
                self.load(EAX, size, dst);
                dynasm!(self.ops ; .arch x64 ; mov edx, eax ; mov r8d, eax);
                let c = count as i8;
                macro_rules! sh {
                    ($m:ident) => {
                        match size {
                            OpSize::Byte => dynasm!(self.ops ; .arch x64 ; $m dl, c),
                            OpSize::Word => dynasm!(self.ops ; .arch x64 ; $m dx, c),
                            OpSize::Dword => dynasm!(self.ops ; .arch x64 ; $m edx, c),
                        }
                    };
                }
                match op {
                    shift::SHR => sh!(shr),
                    shift::SAR => sh!(sar),
                    _ => sh!(shl),
                }
                self.store(EDX, size, dst);
                // CF, PF, ZF, SF from the host; AF clear; OF as the interpreter defines it.
                let top = size.bits() as i8 - 1;
                dynasm!(self.ops
                    ; .arch x64
                    ; pushfq
                    ; pop rax
                    ; and eax, (CF | PF | ZF | SF) as i32
                );
                match op {
                    shift::SHL => dynasm!(self.ops
                        ; .arch x64
                        ; mov ecx, edx
                        ; shr ecx, top
                        ; xor ecx, eax
                        ; and ecx, 1
                        ; shl ecx, 11
                        ; or eax, ecx
                    ),
                    shift::SHR if count == 1 => dynasm!(self.ops
                        ; .arch x64
                        ; mov ecx, r8d
                        ; shr ecx, top
                        ; and ecx, 1
                        ; shl ecx, 11
                        ; or eax, ecx
                    ),
                    _ => {}
                }
                dynasm!(self.ops
                    ; .arch x64
                    ; mov ecx, DWORD [rbx + layout::FLAGS_BITS]
                    ; and ecx, !(ARITH as i32)
                    ; or ecx, eax
                    ; mov DWORD [rbx + layout::FLAGS_BITS], ecx
                    ; mov DWORD [rbx + layout::LAZY_MASK], 0
                );
                self.pending += 1;
                self.host_flags = false;
                self.eip_synced = false;
            }
            Form::Not { dst, size } => {
                match size {
                    OpSize::Byte => dynasm!(self.ops ; .arch x64 ; not BYTE [rbx + dst]),
                    OpSize::Word => dynasm!(self.ops ; .arch x64 ; not WORD [rbx + dst]),
                    OpSize::Dword => dynasm!(self.ops ; .arch x64 ; not DWORD [rbx + dst]),
                }
                self.inline_done(false);
            }
            Form::IncDec { dec, dst, size } => {
                // CF is kept: materialise it into the flag bits first (as the interpreter
                // does), then run the host INC/DEC with the guest CF in the host CF.
                self.guest_cf_to_r9();
                self.load(EAX, size, dst);
                dynasm!(self.ops
                    ; .arch x64
                    ; mov ecx, DWORD [rbx + layout::FLAGS_BITS]
                    ; and ecx, !(CF as i32)
                    ; or ecx, r9d
                    ; mov DWORD [rbx + layout::FLAGS_BITS], ecx
                    ; mov edx, eax
                    ; bt r9d, 0
                );
                match (dec, size) {
                    (false, OpSize::Byte) => dynasm!(self.ops ; .arch x64 ; inc dl),
                    (false, OpSize::Word) => dynasm!(self.ops ; .arch x64 ; inc dx),
                    (false, OpSize::Dword) => dynasm!(self.ops ; .arch x64 ; inc edx),
                    (true, OpSize::Byte) => dynasm!(self.ops ; .arch x64 ; dec dl),
                    (true, OpSize::Word) => dynasm!(self.ops ; .arch x64 ; dec dx),
                    (true, OpSize::Dword) => dynasm!(self.ops ; .arch x64 ; dec edx),
                }
                self.store(EDX, size, dst);
                if flags_live {
                    let op = if dec { LazyOp::Sub } else { LazyOp::Add };
                    dynasm!(self.ops ; .arch x64 ; mov ecx, 1);
                    self.store_lazy(op, size);
                    dynasm!(self.ops
                        ; .arch x64
                        ; mov DWORD [rbx + layout::LAZY_MASK], (ARITH & !CF) as i32
                    );
                }
                self.inline_done(true);
            }
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

    /// Jumps to `to` when guest condition `cc` (held in the host flags) is true.
    fn jcc(&mut self, cc: u8, to: DynamicLabel) {
        match cc & 15 {
            0x0 => dynasm!(self.ops ; .arch x64 ; jo =>to),
            0x1 => dynasm!(self.ops ; .arch x64 ; jno =>to),
            0x2 => dynasm!(self.ops ; .arch x64 ; jb =>to),
            0x3 => dynasm!(self.ops ; .arch x64 ; jae =>to),
            0x4 => dynasm!(self.ops ; .arch x64 ; je =>to),
            0x5 => dynasm!(self.ops ; .arch x64 ; jne =>to),
            0x6 => dynasm!(self.ops ; .arch x64 ; jbe =>to),
            0x7 => dynasm!(self.ops ; .arch x64 ; ja =>to),
            0x8 => dynasm!(self.ops ; .arch x64 ; js =>to),
            0x9 => dynasm!(self.ops ; .arch x64 ; jns =>to),
            0xA => dynasm!(self.ops ; .arch x64 ; jp =>to),
            0xB => dynasm!(self.ops ; .arch x64 ; jnp =>to),
            0xC => dynasm!(self.ops ; .arch x64 ; jl =>to),
            0xD => dynasm!(self.ops ; .arch x64 ; jge =>to),
            0xE => dynasm!(self.ops ; .arch x64 ; jle =>to),
            _ => dynasm!(self.ops ; .arch x64 ; jg =>to),
        }
    }

    /// r9d = the guest CF (0 or 1): from the host flags when they hold the guest's, else from
    /// the lazy flags through a helper. Clobbers the caller-saved registers and host flags.
    fn guest_cf_to_r9(&mut self) {
        if self.host_flags {
            dynasm!(self.ops ; .arch x64 ; setc r9b ; movzx r9d, r9b);
        } else {
            let f = ctx::get_cf as *const () as usize as i64;
            dynasm!(self.ops
                ; .arch x64
                ; mov rdi, r12
                ; mov rax, QWORD f
                ; call rax
                ; mov r9d, eax
            );
        }
        self.host_flags = false;
    }

    /// Adds the pending inline instructions plus `extra` to the instruction counter.
    fn flush_count(&mut self, extra: u32) {
        let n = self.pending + extra;
        if n > 0 {
            dynasm!(self.ops ; .arch x64 ; add QWORD [rbx + INSTRUCTIONS], n as i32);
        }
        self.pending = 0;
        self.host_flags = false;
    }

    /// `set_eip` keeping eax (uses ecx).
    fn set_eip_keep_eax(&mut self, off: u32) {
        dynasm!(self.ops ; .arch x64 ; lea ecx, [r13 + off as i32]);
        if !self.mode.code32 {
            dynasm!(self.ops ; .arch x64 ; movzx ecx, cx);
        }
        dynasm!(self.ops ; .arch x64 ; mov DWORD [rbx + EIP], ecx);
    }

    /// `state.eip` = entry EIP + `off`, wrapped like IP (uses eax, keeps the host flags).
    fn set_eip(&mut self, off: u32) {
        dynasm!(self.ops ; .arch x64 ; lea eax, [r13 + off as i32]);
        if !self.mode.code32 {
            dynasm!(self.ops ; .arch x64 ; movzx eax, ax);
        }
        dynasm!(self.ops ; .arch x64 ; mov DWORD [rbx + EIP], eax);
    }

    /// Effective address of the memory operand into edx, as `Cpu::mem_addr` computes it
    /// (uses eax, keeps the host flags).
    fn ea_to_edx(&mut self, m: &MemFast) {
        dynasm!(self.ops ; .arch x64 ; mov edx, m.disp as i32);
        if m.base != NO_REG {
            let b = layout::reg32(m.base);
            dynasm!(self.ops ; .arch x64 ; mov eax, DWORD [rbx + b] ; lea edx, [rdx + rax]);
        }
        if m.index != NO_REG {
            let x = layout::reg32(m.index);
            dynasm!(self.ops ; .arch x64 ; mov eax, DWORD [rbx + x]);
            match m.scale & 3 {
                0 => dynasm!(self.ops ; .arch x64 ; lea edx, [rdx + rax]),
                1 => dynasm!(self.ops ; .arch x64 ; lea edx, [rdx + rax * 2]),
                2 => dynasm!(self.ops ; .arch x64 ; lea edx, [rdx + rax * 4]),
                _ => dynasm!(self.ops ; .arch x64 ; lea edx, [rdx + rax * 8]),
            }
        }
        if m.a16 {
            dynasm!(self.ops ; .arch x64 ; movzx edx, dx);
        }
    }

    /// Reads `seg:[edx]` into eax through the interpreter's accessor; leaves on a fault.
    fn call_read(&mut self, seg: u8, size: OpSize) {
        let f = ctx::read_mem as *const () as usize as i64;
        dynasm!(self.ops
            ; .arch x64
            ; mov esi, seg as i32
            ; mov ecx, size.bytes() as i32
        );
        self.call_checked_read(f);
    }

    /// Calls a reading helper (arguments after the context already in place) that returns a
    /// value or `READ_FAULT`; leaves the block on a fault, else the value is in eax.
    fn call_checked_read(&mut self, f: i64) {
        let exit = self.exit;
        dynasm!(self.ops
            ; .arch x64
            ; mov rdi, r12
            ; mov rax, QWORD f
            ; call rax
            ; mov rcx, rax
            ; shr rcx, 32
            ; jz >ok
            ; mov eax, exit::FAULT as i32
            ; jmp =>exit
            ; ok:
        );
        self.host_flags = false;
        self.eip_synced = false;
    }

    /// Writes r8d to `seg:[edx]` through the interpreter's accessor; leaves on a fault, or
    /// after this instruction (at `next`) when the write hit translated code.
    fn call_write(&mut self, seg: u8, size: OpSize, next: u32) {
        let f = ctx::write_mem as *const () as usize as i64;
        dynasm!(self.ops
            ; .arch x64
            ; mov esi, seg as i32
            ; mov ecx, size.bytes() as i32
        );
        self.call_checked_write(f, next);
    }

    /// Calls a writing helper (arguments after the context already in place) that returns
    /// `exit::NEXT`, `exit::STOP` (the write hit translated code: this instruction, ending at
    /// `next`, completed and the block ends) or `exit::FAULT`.
    fn call_checked_write(&mut self, f: i64, next: u32) {
        let exit = self.exit;
        dynasm!(self.ops
            ; .arch x64
            ; mov rdi, r12
            ; mov rax, QWORD f
            ; call rax
            ; test eax, eax
            ; jz >ok
            ; cmp eax, exit::STOP as i32
            ; jne =>exit
            ; add QWORD [rbx + INSTRUCTIONS], 1
        );
        self.set_eip(next);
        dynasm!(self.ops
            ; .arch x64
            ; mov eax, exit::STOP as i32
            ; jmp =>exit
            ; ok:
        );
        self.host_flags = false;
        self.eip_synced = false;
    }

    /// Loads a guest register (or any `Cpu` field) of `size` zero-extended into register `r`.
    fn load(&mut self, r: u8, size: OpSize, off: i32) {
        match size {
            OpSize::Byte => dynasm!(self.ops ; .arch x64 ; movzx Rd(r), BYTE [rbx + off]),
            OpSize::Word => dynasm!(self.ops ; .arch x64 ; movzx Rd(r), WORD [rbx + off]),
            OpSize::Dword => dynasm!(self.ops ; .arch x64 ; mov Rd(r), DWORD [rbx + off]),
        }
    }

    /// Stores the low `size` bytes of register `r`.
    fn store(&mut self, r: u8, size: OpSize, off: i32) {
        match size {
            OpSize::Byte => dynasm!(self.ops ; .arch x64 ; mov BYTE [rbx + off], Rb(r)),
            OpSize::Word => dynasm!(self.ops ; .arch x64 ; mov WORD [rbx + off], Rw(r)),
            OpSize::Dword => dynasm!(self.ops ; .arch x64 ; mov DWORD [rbx + off], Rd(r)),
        }
    }

    fn store_imm(&mut self, size: OpSize, off: i32, v: u32) {
        match size {
            OpSize::Byte => dynasm!(self.ops ; .arch x64 ; mov BYTE [rbx + off], v as i8),
            OpSize::Word => dynasm!(self.ops ; .arch x64 ; mov WORD [rbx + off], v as i16),
            OpSize::Dword => dynasm!(self.ops ; .arch x64 ; mov DWORD [rbx + off], v as i32),
        }
    }

    /// edx = edx OP ecx at the guest size (the host flags become the guest's).
    fn alu_edx_ecx(&mut self, op: u8, size: OpSize) {
        macro_rules! sized {
            ($m:ident) => {
                match size {
                    OpSize::Byte => dynasm!(self.ops ; .arch x64 ; $m dl, cl),
                    OpSize::Word => dynasm!(self.ops ; .arch x64 ; $m dx, cx),
                    OpSize::Dword => dynasm!(self.ops ; .arch x64 ; $m edx, ecx),
                }
            };
        }
        match op {
            arith::ADD => sized!(add),
            arith::OR => sized!(or),
            arith::AND | arith::TEST => sized!(and),
            arith::SUB | arith::CMP => sized!(sub),
            _ => sized!(xor),
        }
    }

    /// Stores the lazy-flag record src1 = eax, src2 = ecx, res = edx (movs only: the host
    /// flags survive).
    fn store_lazy(&mut self, op: LazyOp, size: OpSize) {
        dynasm!(self.ops
            ; .arch x64
            ; mov DWORD [rbx + layout::SRC1], eax
            ; mov DWORD [rbx + layout::SRC2], ecx
            ; mov DWORD [rbx + layout::RES], edx
            ; mov BYTE [rbx + layout::LAZY_OP], op as i8
            ; mov BYTE [rbx + layout::LAZY_SIZE], size as i8
            ; mov DWORD [rbx + layout::LAZY_MASK], ARITH as i32
        );
    }
}
