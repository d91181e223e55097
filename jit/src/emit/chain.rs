//! Block exits: with the next EIP in `eax` (already stored), go straight on into the next
//! block's code when the jump cache has it and the run loop would not stop there, else
//! return to the run loop.

use super::Emitter;
use crate::layout::{BLOCKS, CHAIN_BREAK, CS_BASE, INSTRUCTIONS};
use crate::tables::off::{JC_CODE, JC_INSNS, JC_LIN, JC_MODE, RUN_CHAIN_END};
use dynasmrt::{dynasm, DynasmApi, DynasmLabelApi};

impl Emitter {
    /// Leaves the block for EIP `eax` (stored in the state, instruction count flushed):
    /// chains to the compiled block at CS.base + EIP in this block's mode if the jump cache
    /// has it, no port I/O or FPU error asked for an interrupt check, chaining is allowed
    /// and that whole block fits the instruction budget; else returns `exit::NEXT`.
    pub(super) fn chain(&mut self) {
        // Between blocks the mapped guest registers live in their host registers.
        self.reload_spilled();
        let out = self.exit_next;
        let bits = self.mode.bits as i32;
        dynasm!(self.ops
            ; .arch x64
            ; cmp BYTE [rbx + CHAIN_BREAK], 0
            ; jne =>out
            ; mov ecx, DWORD [rbx + CS_BASE]
            ; add ecx, eax
            ; mov edx, ecx
            ; shr edx, 12
            ; xor edx, ecx
            ; and edx, 0xFFF
            ; shl edx, 5
            ; cmp ecx, DWORD [r14 + rdx + JC_LIN]
            ; jne =>out
            ; cmp DWORD [r14 + rdx + JC_MODE], bits
            ; jne =>out
            ; mov rax, QWORD [rbx + INSTRUCTIONS]
            ; add rax, QWORD [r14 + rdx + JC_INSNS]
            ; cmp rax, QWORD [r14 + RUN_CHAIN_END]
            ; ja =>out
            ; add QWORD [rbx + BLOCKS], 1
            ; jmp QWORD [r14 + rdx + JC_CODE]
        );
        self.host_flags = false;
    }
}
