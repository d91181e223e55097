//! Inline stack operations and near control transfers through the stack or a register:
//! PUSH/POP reg, CALL rel / r/m, RET [imm] and JMP r/m. They use the inline memory path on
//! SS (16- or 32-bit stack pointer by the block's SS.B) and leave the block through the
//! jump cache like direct jumps.

use super::memory::Finish;
use super::{Emitter, EAX};
use crate::analysis::{CallTarget, Ind};
use crate::layout::{self, CS_LIMIT, EIP};
use dynasmrt::{dynasm, DynasmApi, DynasmLabelApi};
use rawbox_cpu::flags::OpSize;
use rawbox_cpu::state::SegReg;

const SS: u8 = SegReg::Ss as u8;
/// r8 as a register number for `load`.
const R8: u8 = 8;

impl Emitter {
    /// edx = SP - `n` (wrapped to 16 bits for a 16-bit stack).
    fn sp_minus_to_edx(&mut self, n: i32) {
        let sp_off = layout::reg32(4);
        if self.mode.stack32 {
            self.load(super::EDX, OpSize::Dword, sp_off);
            dynasm!(self.ops ; .arch x64 ; sub edx, n);
        } else {
            self.load(super::EDX, OpSize::Word, sp_off);
            dynasm!(self.ops ; .arch x64 ; sub edx, n ; movzx edx, dx);
        }
    }

    /// edx = SP.
    fn sp_to_edx(&mut self) {
        let sp_off = layout::reg32(4);
        let size = if self.mode.stack32 {
            OpSize::Dword
        } else {
            OpSize::Word
        };
        self.load(super::EDX, size, sp_off);
    }

    /// SP = edx (only SP for a 16-bit stack: the upper half of ESP stays).
    pub(super) fn store_sp_from_edx(&mut self) {
        let sp_off = layout::reg32(4);
        let size = if self.mode.stack32 {
            OpSize::Dword
        } else {
            OpSize::Word
        };
        self.store(super::EDX, size, sp_off);
    }

    /// PUSH reg.
    pub(super) fn push_reg(&mut self, src: i32, size: OpSize, off: u32, next: u32) {
        self.load(R8, size, src);
        self.sp_minus_to_edx(size.bytes() as i32);
        self.write_then(SS, size, off, next, Finish::Push);
        self.pending += 1;
        self.host_flags = false;
        self.eip_synced = false;
    }

    /// POP reg (SP moves before the register is written: POP SP keeps the popped value).
    pub(super) fn pop_reg(&mut self, dst: i32, size: OpSize, off: u32) {
        self.sp_to_edx();
        self.read(SS, size, off);
        dynasm!(self.ops ; .arch x64 ; add edx, size.bytes() as i32);
        self.store_sp_from_edx();
        self.store(EAX, size, dst);
        self.pending += 1;
        self.host_flags = false;
        self.eip_synced = false;
    }

    /// eax = the target of a near CALL/JMP r/m of `size` (the read may fault).
    fn indirect_target(
        &mut self,
        d: &rawbox_cpu::decode::cache::DecodedInsn,
        src: Ind,
        size: OpSize,
        off: u32,
    ) {
        match src {
            Ind::Reg(r) => self.load(EAX, size, r),
            Ind::Mem => {
                self.ea_to_edx(&d.mem);
                self.read(d.mem.seg, size, off);
            }
        }
    }

    /// JMP r/m16/32.
    pub(super) fn jmp_indirect(
        &mut self,
        d: &rawbox_cpu::decode::cache::DecodedInsn,
        src: Ind,
        size: OpSize,
        off: u32,
    ) {
        let pending = self.pending;
        self.indirect_target(d, src, size, off);
        let gp = self.limit_check_eax();
        self.leave_to_eax();
        self.gp_stub(gp, off, pending);
    }

    /// CALL rel (`rel`: the target `next + delta`, wrapped to 16 bits when `ip16`) or CALL
    /// r/m (`src`), pushing a return address of `size`.
    pub(super) fn call_near(
        &mut self,
        d: &rawbox_cpu::decode::cache::DecodedInsn,
        target: CallTarget,
        size: OpSize,
        off: u32,
        next: u32,
    ) {
        let pending = self.pending;
        match target {
            CallTarget::Rel { delta, ip16 } => self.rel_target_to_eax(next, delta, ip16),
            CallTarget::Ind(src) => self.indirect_target(d, src, size, off),
        }
        let gp = self.limit_check_eax();
        dynasm!(self.ops
            ; .arch x64
            ; mov r9d, eax
            ; mov r8d, DWORD [r14 + crate::tables::off::RUN_ENTRY_EIP]
            ; lea r8d, [r8 + next as i32]
        );
        if !self.mode.code32 {
            dynasm!(self.ops ; .arch x64 ; movzx r8d, r8w);
        }
        self.sp_minus_to_edx(size.bytes() as i32);
        self.write_then(SS, size, off, next, Finish::Call);
        dynasm!(self.ops ; .arch x64 ; mov eax, r9d);
        self.leave_to_eax();
        self.gp_stub(gp, off, pending);
    }

    /// RET / RET imm16 with a return address of `size`.
    pub(super) fn ret_near(&mut self, imm: u16, size: OpSize, off: u32) {
        let pending = self.pending;
        self.sp_to_edx();
        self.read(SS, size, off);
        let gp = self.limit_check_eax();
        dynasm!(self.ops ; .arch x64 ; add edx, size.bytes() as i32 + imm as i32);
        if !self.mode.stack32 {
            dynasm!(self.ops ; .arch x64 ; movzx edx, dx);
        }
        self.store_sp_from_edx();
        self.leave_to_eax();
        self.gp_stub(gp, off, pending);
    }

    /// eax = `next + delta` as a near branch computes it.
    pub(super) fn rel_target_to_eax(&mut self, next: u32, delta: u32, ip16: bool) {
        self.eip_at_to_eax(next);
        dynasm!(self.ops ; .arch x64 ; lea eax, [rax + delta as i32]);
        if ip16 {
            dynasm!(self.ops ; .arch x64 ; movzx eax, ax);
        }
    }

    /// Jumps to the returned label when eax is past the CS limit (286 and later).
    pub(super) fn limit_check_eax(&mut self) -> Option<dynasmrt::DynamicLabel> {
        if !self.mode.jump_limit {
            return None;
        }
        let gp = self.ops.new_dynamic_label();
        dynasm!(self.ops ; .arch x64 ; cmp eax, DWORD [rbx + CS_LIMIT] ; ja =>gp);
        Some(gp)
    }

    /// The transfer completed: EIP = eax, count it, go on to the next block.
    pub(super) fn leave_to_eax(&mut self) {
        dynasm!(self.ops ; .arch x64 ; mov DWORD [rbx + EIP], eax);
        self.pending += 1;
        self.flush_count(0);
        self.chain();
    }

    /// #GP(0) for the transfer at `off` whose target failed the limit check (nothing of it
    /// happened). Resets the emitter's per-path state for the code after the transfer.
    pub(super) fn gp_stub(&mut self, gp: Option<dynasmrt::DynamicLabel>, off: u32, pending: u32) {
        if let Some(gp) = gp {
            dynasm!(self.ops ; .arch x64 ; =>gp);
            self.pending = pending;
            self.flush_count(0);
            self.set_eip(off);
            self.write_back();
            let f = crate::ctx::jump_gp as *const () as usize as i64;
            let exit = self.exit;
            dynasm!(self.ops
                ; .arch x64
                ; mov rdi, QWORD [r14 + crate::tables::off::RUN_CTX]
                ; mov rax, QWORD f
                ; call rax
                ; jmp =>exit
            );
        }
        self.pending = 0;
        self.eip_synced = true;
        self.host_flags = false;
        self.flags_in_bits = false;
    }
}
