//! Inline integer arithmetic: ALU operations on registers, immediates and a memory source,
//! ADC/SBB, NEG/NOT, INC/DEC, shifts by an immediate and SETcc. Results go to the guest
//! registers and the interpreter's lazy-flag record (or materialised flags) as it would store
//! them.

use super::memory::Finish;
use super::{Emitter, EAX, ECX, EDX};
use crate::analysis::Src;
use crate::layout;
use dynasmrt::{dynasm, DynasmApi, DynasmLabelApi};
use rawbox_cpu::decode::cache::DecodedInsn;
use rawbox_cpu::exec::{arith, shift};
use rawbox_cpu::flags::bits::{AF, ARITH, CF, OF, PF, SF, ZF};
use rawbox_cpu::flags::{LazyOp, OpSize};

impl Emitter {
    /// SETcc reg8 from the host flags (they hold the guest's).
    pub(super) fn setcc(&mut self, cc: u8, dst: i32) {
        // ECX holds the 0/1 result (MOV and SETcc keep the host flags).
        dynasm!(self.ops ; .arch x64 ; mov ecx, 0);
        match cc & 15 {
            0x0 => dynasm!(self.ops ; .arch x64 ; seto cl),
            0x1 => dynasm!(self.ops ; .arch x64 ; setno cl),
            0x2 => dynasm!(self.ops ; .arch x64 ; setb cl),
            0x3 => dynasm!(self.ops ; .arch x64 ; setae cl),
            0x4 => dynasm!(self.ops ; .arch x64 ; sete cl),
            0x5 => dynasm!(self.ops ; .arch x64 ; setne cl),
            0x6 => dynasm!(self.ops ; .arch x64 ; setbe cl),
            0x7 => dynasm!(self.ops ; .arch x64 ; seta cl),
            0x8 => dynasm!(self.ops ; .arch x64 ; sets cl),
            0x9 => dynasm!(self.ops ; .arch x64 ; setns cl),
            0xA => dynasm!(self.ops ; .arch x64 ; setp cl),
            0xB => dynasm!(self.ops ; .arch x64 ; setnp cl),
            0xC => dynasm!(self.ops ; .arch x64 ; setl cl),
            0xD => dynasm!(self.ops ; .arch x64 ; setge cl),
            0xE => dynasm!(self.ops ; .arch x64 ; setle cl),
            _ => dynasm!(self.ops ; .arch x64 ; setg cl),
        }
        self.store(ECX, OpSize::Byte, dst);
        // SETcc leaves the host flags alone.
        self.pending += 1;
        self.eip_synced = false;
    }

    /// ALU reg, [mem] or CMP/TEST [mem], reg/imm: the read (which may fault) first.
    pub(super) fn alu_mem(
        &mut self,
        d: &DecodedInsn,
        off: u32,
        (op, other, mem_first, size): (u8, Src, bool, OpSize),
        flags_live: bool,
    ) {
        // The read may fault: nothing changes before it.
        self.ea_to_edx(&d.mem);
        self.read(d.mem.seg, size, off);
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
        self.alu_done(op, size, flags_live);
    }

    /// ADD/OR/AND/SUB/XOR [mem], reg/imm: read, operate, write (either may fault, before
    /// anything changes), then the flags.
    pub(super) fn alu_rmw(
        &mut self,
        d: &DecodedInsn,
        (off, next): (u32, u32),
        (op, src, size): (u8, Src, OpSize),
        flags_live: bool,
    ) {
        self.ea_to_edx(&d.mem);
        self.read(d.mem.seg, size, off);
        dynasm!(self.ops ; .arch x64 ; mov r9d, eax);
        match src {
            Src::Reg(r) => self.load(10, size, r),
            Src::Imm(v) => dynasm!(self.ops ; .arch x64 ; mov r10d, v as i32),
        }
        dynasm!(self.ops ; .arch x64 ; mov r8d, eax);
        self.alu_regs(op, size, 8, 10);
        let finish = Finish::AluFlags {
            op,
            size,
            live: flags_live,
        };
        self.write_then(d.mem.seg, size, off, next, finish);
        self.inline_done(true);
        self.host_logic = is_logic(op);
    }

    /// What an instruction does after its write (also emitted where a write that hit
    /// translated code ends the block after the instruction).
    pub(super) fn finish_write(&mut self, finish: Finish) {
        match finish {
            Finish::AluFlags { op, size, live } => {
                // The flags: the operation again on the saved operands (r9d, r10d).
                dynasm!(self.ops ; .arch x64 ; mov eax, r9d ; mov ecx, r10d ; mov edx, eax);
                self.alu_edx_ecx(op, size);
                if live {
                    let lazy = match op {
                        arith::ADD => LazyOp::Add,
                        arith::SUB => LazyOp::Sub,
                        _ => LazyOp::Logic,
                    };
                    self.store_lazy(lazy, size);
                }
            }
            Finish::IncDecFlags { dec, size, live } => {
                // CF (r9d) into the bits, then the flags of a (r10d) +/- 1.
                dynasm!(self.ops
                    ; .arch x64
                    ; mov ecx, DWORD [rbx + layout::FLAGS_BITS]
                    ; and ecx, !(CF as i32)
                    ; or ecx, r9d
                    ; mov DWORD [rbx + layout::FLAGS_BITS], ecx
                    ; mov eax, r10d
                    ; mov edx, eax
                    ; bt r9d, 0
                );
                self.inc_dec_op(dec, size, EDX);
                if live {
                    let op = if dec { LazyOp::Sub } else { LazyOp::Add };
                    dynasm!(self.ops ; .arch x64 ; mov ecx, 1);
                    self.store_lazy_masked(op, size, ARITH & !CF);
                }
            }
            Finish::Push | Finish::Call => self.store_sp_from_edx(),
            Finish::Plain => {}
        }
    }

    /// INC/DEC [mem] (CF kept, materialised once the write is done).
    pub(super) fn inc_dec_mem(
        &mut self,
        d: &DecodedInsn,
        (off, next): (u32, u32),
        (dec, size): (bool, OpSize),
        flags_live: bool,
    ) {
        self.guest_cf_to_r9();
        self.ea_to_edx(&d.mem);
        self.read(d.mem.seg, size, off);
        dynasm!(self.ops ; .arch x64 ; mov r10d, eax ; mov r8d, eax);
        self.inc_dec_op(dec, size, 8);
        let finish = Finish::IncDecFlags {
            dec,
            size,
            live: flags_live,
        };
        self.write_then(d.mem.seg, size, off, next, finish);
        self.inline_done(true);
    }

    /// ADC/SBB reg, reg/imm with the guest CF in the host CF.
    pub(super) fn adc_sbb(&mut self, op: u8, dst: i32, src: Src, size: OpSize, flags_live: bool) {
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
            );
            self.set_lazy_mask(ARITH);
        }
        self.inline_done(true);
    }

    /// ADD/OR/AND/SUB/XOR/CMP/TEST reg, reg/imm.
    pub(super) fn alu(&mut self, op: u8, dst: i32, src: Src, size: OpSize, flags_live: bool) {
        if let Some(h) = self.cached(dst) {
            return self.alu_in_host_reg(op, h, src, size, flags_live);
        }
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
        self.alu_done(op, size, flags_live);
    }

    /// [`Emitter::alu`] on a guest register held in host register `h`: the operation runs on
    /// it directly (eax = the old value, edx = the result for the lazy record).
    fn alu_in_host_reg(&mut self, op: u8, h: u8, src: Src, size: OpSize, flags_live: bool) {
        if flags_live {
            self.load_host(EAX, h, size);
        }
        let imm = match src {
            Src::Reg(s) => {
                self.load(ECX, size, s);
                None
            }
            Src::Imm(v) => {
                if flags_live {
                    dynasm!(self.ops ; .arch x64 ; mov ecx, v as i32);
                }
                Some(v)
            }
        };
        macro_rules! sized {
            ($m:ident) => {
                match (size, imm) {
                    (OpSize::Byte, None) => dynasm!(self.ops ; .arch x64 ; $m Rb(h), cl),
                    (OpSize::Word, None) => dynasm!(self.ops ; .arch x64 ; $m Rw(h), cx),
                    (OpSize::Dword, None) => dynasm!(self.ops ; .arch x64 ; $m Rd(h), ecx),
                    (OpSize::Byte, Some(v)) => dynasm!(self.ops ; .arch x64 ; $m Rb(h), v as i8),
                    (OpSize::Word, Some(v)) => dynasm!(self.ops ; .arch x64 ; $m Rw(h), v as i16),
                    (OpSize::Dword, Some(v)) => dynasm!(self.ops ; .arch x64 ; $m Rd(h), v as i32),
                }
            };
        }
        match op {
            arith::ADD => sized!(add),
            arith::OR => sized!(or),
            arith::AND => sized!(and),
            arith::SUB => sized!(sub),
            arith::XOR => sized!(xor),
            arith::CMP => sized!(cmp),
            _ => sized!(test),
        }
        if flags_live {
            if op == arith::CMP || op == arith::TEST {
                // The register is unchanged: the record's result is computed aside.
                dynasm!(self.ops ; .arch x64 ; mov edx, eax);
                self.alu_edx_ecx(op, size);
            } else {
                self.load_host(EDX, h, size);
            }
        }
        self.alu_done(op, size, flags_live);
    }

    /// After an inline ALU operation whose operands and result are in eax, ecx, edx and
    /// whose flags are the host's: the lazy record (when live) and the flag state.
    fn alu_done(&mut self, op: u8, size: OpSize, flags_live: bool) {
        if flags_live {
            let lazy = match op {
                arith::ADD => LazyOp::Add,
                arith::SUB | arith::CMP => LazyOp::Sub,
                _ => LazyOp::Logic,
            };
            self.store_lazy(lazy, size);
        }
        self.inline_done(true);
        self.host_logic = is_logic(op);
    }

    /// NEG reg: recorded as SUB 0 - a.
    pub(super) fn neg(&mut self, dst: i32, size: OpSize, flags_live: bool) {
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

    /// SHL/SHR/SAR reg, imm (1 to the width - 1): the host shift, and the lazy record
    /// `Flags` has for it. After a shift by 1 the host flags are the guest's (AF aside:
    /// the guest's is 0).
    pub(super) fn shift(&mut self, op: u8, dst: i32, size: OpSize, count: u8, flags_live: bool) {
        let c = count as i8;
        let h = self.cached(dst);
        let work = match h {
            Some(h) => {
                if flags_live {
                    self.load_host(EAX, h, size);
                }
                h
            }
            None => {
                self.load(EAX, size, dst);
                dynasm!(self.ops ; .arch x64 ; mov edx, eax);
                EDX
            }
        };
        macro_rules! sh {
            ($m:ident) => {
                match size {
                    OpSize::Byte => dynasm!(self.ops ; .arch x64 ; $m Rb(work), c),
                    OpSize::Word => dynasm!(self.ops ; .arch x64 ; $m Rw(work), c),
                    OpSize::Dword => dynasm!(self.ops ; .arch x64 ; $m Rd(work), c),
                }
            };
        }
        match op {
            shift::SHR => sh!(shr),
            shift::SAR => sh!(sar),
            _ => sh!(shl),
        }
        match h {
            Some(h) => {
                if flags_live {
                    self.load_host(EDX, h, size);
                }
            }
            None => self.store(EDX, size, dst),
        }
        if flags_live {
            let lazy = match op {
                shift::SHR => LazyOp::Shr,
                shift::SAR => LazyOp::Sar,
                _ => LazyOp::Shl,
            };
            dynasm!(self.ops ; .arch x64 ; mov ecx, count as i32);
            self.store_lazy(lazy, size);
        }
        self.pending += 1;
        self.eip_synced = false;
        self.flags_in_bits = false;
        self.host_flags = count == 1;
        self.host_logic = true;
    }

    /// SHL/SHR/SAR reg32, CL: nothing at all for a (masked) count of 0, else the shift and
    /// its lazy record (count 1 to 31).
    pub(super) fn shift_cl(&mut self, op: u8, dst: i32, flags_live: bool) {
        self.load(ECX, OpSize::Byte, layout::reg8(1));
        dynasm!(self.ops ; .arch x64 ; and ecx, 31 ; jz >skip);
        let h = self.cached(dst);
        let work = match h {
            Some(h) => {
                if flags_live {
                    self.load_host(EAX, h, OpSize::Dword);
                }
                h
            }
            None => {
                self.load(EAX, OpSize::Dword, dst);
                dynasm!(self.ops ; .arch x64 ; mov edx, eax);
                EDX
            }
        };
        match op {
            shift::SHR => dynasm!(self.ops ; .arch x64 ; shr Rd(work), cl),
            shift::SAR => dynasm!(self.ops ; .arch x64 ; sar Rd(work), cl),
            _ => dynasm!(self.ops ; .arch x64 ; shl Rd(work), cl),
        }
        match h {
            Some(h) => {
                if flags_live {
                    self.load_host(EDX, h, OpSize::Dword);
                }
            }
            None => self.store(EDX, OpSize::Dword, dst),
        }
        if flags_live {
            let lazy = match op {
                shift::SHR => LazyOp::Shr,
                shift::SAR => LazyOp::Sar,
                _ => LazyOp::Shl,
            };
            self.store_lazy(lazy, OpSize::Dword);
        }
        dynasm!(self.ops ; .arch x64 ; skip:);
        // The two paths meet with different flag states.
        self.lazy_mask_known = None;
        self.pending += 1;
        self.eip_synced = false;
        self.flags_in_bits = false;
        self.host_flags = false;
    }

    /// ROL/ROR reg, imm (count not 0): only CF and OF change, after the other flags are
    /// materialised (as `Flags::set_bits` does).
    pub(super) fn rotate(&mut self, left: bool, dst: i32, size: OpSize, count: u8, live: bool) {
        if !live {
            // Nothing reads the flags it sets: just the rotation.
            self.load(EAX, size, dst);
            self.rotate_eax(left, size, count);
            self.store(EAX, size, dst);
            self.pending += 1;
            self.host_flags = false;
            self.flags_in_bits = false;
            self.eip_synced = false;
            return;
        }
        self.materialize_flags();
        self.load(EAX, size, dst);
        self.rotate_eax(left, size, count);
        self.store(EAX, size, dst);
        let top = size.bits() as i8 - 1;
        if left {
            // CF = bit 0 of the result, OF = its top bit ^ CF.
            dynasm!(self.ops
                ; .arch x64
                ; mov ecx, eax
                ; and ecx, 1
                ; mov edx, eax
                ; shr edx, top
            );
        } else {
            // CF = the top bit, OF = the top bit ^ the one below.
            dynasm!(self.ops
                ; .arch x64
                ; mov ecx, eax
                ; shr ecx, top
                ; and ecx, 1
                ; mov edx, eax
                ; shr edx, top - 1
            );
        }
        dynasm!(self.ops
            ; .arch x64
            ; xor edx, ecx
            ; and edx, 1
            ; shl edx, 11
            ; or ecx, edx
            ; mov edx, DWORD [rbx + layout::FLAGS_BITS]
            ; and edx, !((CF | OF) as i32)
            ; or edx, ecx
            ; mov DWORD [rbx + layout::FLAGS_BITS], edx
        );
        self.set_lazy_mask(0);
        self.pending += 1;
        self.host_flags = false;
        self.flags_in_bits = true;
        self.eip_synced = false;
    }

    /// eax's low `size` bits rotated left or right by `count`.
    fn rotate_eax(&mut self, left: bool, size: OpSize, count: u8) {
        let c = count as i8;
        match (left, size) {
            (true, OpSize::Byte) => dynasm!(self.ops ; .arch x64 ; rol al, c),
            (true, OpSize::Word) => dynasm!(self.ops ; .arch x64 ; rol ax, c),
            (true, OpSize::Dword) => dynasm!(self.ops ; .arch x64 ; rol eax, c),
            (false, OpSize::Byte) => dynasm!(self.ops ; .arch x64 ; ror al, c),
            (false, OpSize::Word) => dynasm!(self.ops ; .arch x64 ; ror ax, c),
            (false, OpSize::Dword) => dynasm!(self.ops ; .arch x64 ; ror eax, c),
        }
    }

    /// INC or DEC of register `r` at `size`.
    fn inc_dec_op(&mut self, dec: bool, size: OpSize, r: u8) {
        match (dec, size) {
            (false, OpSize::Byte) => dynasm!(self.ops ; .arch x64 ; inc Rb(r)),
            (false, OpSize::Word) => dynasm!(self.ops ; .arch x64 ; inc Rw(r)),
            (false, OpSize::Dword) => dynasm!(self.ops ; .arch x64 ; inc Rd(r)),
            (true, OpSize::Byte) => dynasm!(self.ops ; .arch x64 ; dec Rb(r)),
            (true, OpSize::Word) => dynasm!(self.ops ; .arch x64 ; dec Rw(r)),
            (true, OpSize::Dword) => dynasm!(self.ops ; .arch x64 ; dec Rd(r)),
        }
    }

    /// Materialises the pending lazy flags into `flags.bits` (lazy mask 0): from the host
    /// flags when they hold the guest's, else through the interpreter when some are pending.
    pub(super) fn materialize_flags(&mut self) {
        if self.flags_in_bits {
            return;
        }
        if self.host_flags {
            // The lazy record of the last inline operation is live; its flags are the host's
            // (logic operations and shifts: AF = 0 as the interpreter has it).
            let mask = if self.host_logic {
                (CF | PF | ZF | SF | OF) as i32
            } else {
                (CF | PF | AF | ZF | SF | OF) as i32
            };
            dynasm!(self.ops
                ; .arch x64
                ; pushfq
                ; pop rcx
                ; and ecx, mask
                ; mov eax, DWORD [rbx + layout::FLAGS_BITS]
                ; and eax, !(ARITH as i32)
                ; or eax, ecx
                ; mov DWORD [rbx + layout::FLAGS_BITS], eax
            );
            self.set_lazy_mask(0);
        } else {
            let f = crate::ctx::materialize_flags as *const () as usize as i64;
            dynasm!(self.ops
                ; .arch x64
                ; test DWORD [rbx + layout::LAZY_MASK], ARITH as i32
                ; jz >done
            );
            self.save_volatile();
            dynasm!(self.ops
                ; .arch x64
                ; mov rdi, QWORD [r14 + crate::tables::off::RUN_CTX]
                ; mov rax, QWORD f
                ; call rax
            );
            self.reload_volatile();
            dynasm!(self.ops ; .arch x64 ; done:);
            // Zero either way.
            self.lazy_mask_known = Some(0);
        }
        self.host_flags = false;
        self.flags_in_bits = true;
    }

    /// NOT reg (no flags).
    pub(super) fn not(&mut self, dst: i32, size: OpSize) {
        self.load(EAX, size, dst);
        dynasm!(self.ops ; .arch x64 ; not eax);
        self.store(EAX, size, dst);
        self.inline_done(false);
    }

    /// INC/DEC reg (CF kept).
    pub(super) fn inc_dec(&mut self, dec: bool, dst: i32, size: OpSize, flags_live: bool) {
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
        self.inc_dec_op(dec, size, EDX);
        self.store(EDX, size, dst);
        if flags_live {
            let op = if dec { LazyOp::Sub } else { LazyOp::Add };
            dynasm!(self.ops ; .arch x64 ; mov ecx, 1);
            self.store_lazy_masked(op, size, ARITH & !CF);
        }
        self.inline_done(true);
    }
}

/// AND, OR, XOR and TEST (their AF is 0 in the interpreter, undefined on the host).
fn is_logic(op: u8) -> bool {
    matches!(op, arith::AND | arith::OR | arith::XOR | arith::TEST)
}
