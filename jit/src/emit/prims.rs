//! Emission primitives: guest register loads and stores, EIP and instruction-count updates,
//! effective addresses, helper calls with their exit checks, host ALU operations at the guest
//! operand size, condition jumps and the lazy-flag record.

use super::Emitter;
use super::NO_HOST;
use crate::ctx;
use crate::layout::{self, EIP, INSTRUCTIONS};
use dynasmrt::{dynasm, DynamicLabel, DynasmApi, DynasmLabelApi};
use rawbox_cpu::decode::cache::{MemFast, NO_REG};
use rawbox_cpu::exec::arith;
use rawbox_cpu::flags::bits::ARITH;
use rawbox_cpu::flags::{LazyOp, OpSize};

impl Emitter {
    /// Jumps to `to` when guest condition `cc` (held in the host flags) is true.
    pub(super) fn jcc(&mut self, cc: u8, to: DynamicLabel) {
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
    pub(super) fn guest_cf_to_r9(&mut self) {
        if self.host_flags {
            dynasm!(self.ops ; .arch x64 ; setc r9b ; movzx r9d, r9b);
        } else if self.flags_in_bits {
            dynasm!(self.ops
                ; .arch x64
                ; mov r9d, DWORD [rbx + layout::FLAGS_BITS]
                ; and r9d, 1
            );
        } else {
            let f = ctx::get_cf as *const () as usize as i64;
            self.save_volatile();
            dynasm!(self.ops
                ; .arch x64
                ; mov rdi, QWORD [r14 + crate::tables::off::RUN_CTX]
                ; mov rax, QWORD f
                ; call rax
                ; mov r9d, eax
            );
            self.reload_volatile();
        }
        self.host_flags = false;
    }

    /// Adds the pending inline instructions plus `extra` to the instruction counter.
    pub(super) fn flush_count(&mut self, extra: u32) {
        let n = self.pending + extra;
        if n > 0 {
            dynasm!(self.ops ; .arch x64 ; add QWORD [rbx + INSTRUCTIONS], n as i32);
        }
        self.pending = 0;
        self.host_flags = false;
    }

    /// `state.eip` = entry EIP + `off`, wrapped like IP (uses eax, keeps the host flags).
    pub(super) fn set_eip(&mut self, off: u32) {
        self.eip_at_to_eax(off);
        dynasm!(self.ops ; .arch x64 ; mov DWORD [rbx + EIP], eax);
    }

    /// eax = entry EIP + `off`, wrapped like IP (keeps the host flags).
    pub(super) fn eip_at_to_eax(&mut self, off: u32) {
        dynasm!(self.ops
            ; .arch x64
            ; mov eax, DWORD [r14 + crate::tables::off::RUN_ENTRY_EIP]
            ; lea eax, [rax + off as i32]
        );
        if !self.mode.code32 {
            dynasm!(self.ops ; .arch x64 ; movzx eax, ax);
        }
    }

    /// Effective address of the memory operand into edx, as `Cpu::mem_addr` computes it
    /// (uses eax, keeps the host flags).
    pub(super) fn ea_to_edx(&mut self, m: &MemFast) {
        dynasm!(self.ops ; .arch x64 ; mov edx, m.disp as i32);
        if m.base != NO_REG {
            self.load(0, OpSize::Dword, layout::reg32(m.base));
            dynasm!(self.ops ; .arch x64 ; lea edx, [rdx + rax]);
        }
        if m.index != NO_REG {
            self.load(0, OpSize::Dword, layout::reg32(m.index));
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

    /// Loads a guest register (or any `Cpu` field) of `size` zero-extended into register `r`
    /// (from its host register when the block caches it).
    pub(super) fn load(&mut self, r: u8, size: OpSize, off: i32) {
        if let Some(h) = self.cached(off) {
            match size {
                OpSize::Byte => dynasm!(self.ops ; .arch x64 ; movzx Rd(r), Rb(h)),
                OpSize::Word => dynasm!(self.ops ; .arch x64 ; movzx Rd(r), Rw(h)),
                OpSize::Dword => dynasm!(self.ops ; .arch x64 ; mov Rd(r), Rd(h)),
            }
            return;
        }
        match size {
            OpSize::Byte => dynasm!(self.ops ; .arch x64 ; movzx Rd(r), BYTE [rbx + off]),
            OpSize::Word => dynasm!(self.ops ; .arch x64 ; movzx Rd(r), WORD [rbx + off]),
            OpSize::Dword => dynasm!(self.ops ; .arch x64 ; mov Rd(r), DWORD [rbx + off]),
        }
    }

    /// Register `r` = the low `size` bytes of host register `h`, zero-extended (keeps the
    /// host flags).
    pub(super) fn load_host(&mut self, r: u8, h: u8, size: OpSize) {
        match size {
            OpSize::Byte => dynasm!(self.ops ; .arch x64 ; movzx Rd(r), Rb(h)),
            OpSize::Word => dynasm!(self.ops ; .arch x64 ; movzx Rd(r), Rw(h)),
            OpSize::Dword => dynasm!(self.ops ; .arch x64 ; mov Rd(r), Rd(h)),
        }
    }

    /// The host register caching the guest register at `off` (its dword, word or low byte).
    pub(super) fn cached(&self, off: i32) -> Option<u8> {
        let rel = off - layout::REGS;
        if !(0..32).contains(&rel) || rel & 3 != 0 {
            return None;
        }
        let h = self.cache[(rel / 4) as usize];
        (h != NO_HOST).then_some(h)
    }

    /// Copies the cached guest registers to the CPU state (before anything outside this
    /// code reads them).
    pub(super) fn write_back(&mut self) {
        for n in 0..8u8 {
            let h = self.cache[n as usize];
            if h != NO_HOST {
                let off = layout::reg32(n);
                dynasm!(self.ops ; .arch x64 ; mov DWORD [rbx + off], Rd(h));
            }
        }
    }

    /// Loads every mapped guest register (entry from the run loop).
    pub(super) fn reload_map(&mut self) {
        for n in 0..8u8 {
            let h = self.map[n as usize];
            if h != NO_HOST {
                let off = layout::reg32(n);
                dynasm!(self.ops ; .arch x64 ; mov Rd(h), DWORD [rbx + off]);
            }
        }
    }

    /// Stores every mapped guest register (leaving for the run loop from a block end).
    pub(super) fn write_back_map(&mut self) {
        for n in 0..8u8 {
            let h = self.map[n as usize];
            if h != NO_HOST {
                let off = layout::reg32(n);
                dynasm!(self.ops ; .arch x64 ; mov DWORD [rbx + off], Rd(h));
            }
        }
    }

    /// At the chain entry: the mapped registers this block keeps in the state go there.
    pub(super) fn store_spilled(&mut self) {
        for n in 0..8u8 {
            let h = self.spilled[n as usize];
            if h != NO_HOST {
                let off = layout::reg32(n);
                dynasm!(self.ops ; .arch x64 ; mov DWORD [rbx + off], Rd(h));
            }
        }
    }

    /// Before going on to another block: they come back into their host registers.
    pub(super) fn reload_spilled(&mut self) {
        for n in 0..8u8 {
            let h = self.spilled[n as usize];
            if h != NO_HOST {
                let off = layout::reg32(n);
                dynasm!(self.ops ; .arch x64 ; mov Rd(h), DWORD [rbx + off]);
            }
        }
    }

    /// The guest register this block holds in the register calls clobber (rdi), if any
    /// (a spilled one is in the state, and its host register is reloaded before leaving).
    fn volatile_guest(&self) -> Option<u8> {
        (0..8u8).find(|&n| self.cache[n as usize] == super::VOLATILE_CACHE_REG)
    }

    /// Before a call that does not read guest registers: saves the one a call clobbers.
    pub(super) fn save_volatile(&mut self) {
        if let Some(n) = self.volatile_guest() {
            let off = layout::reg32(n);
            dynasm!(self.ops ; .arch x64 ; mov DWORD [rbx + off], edi);
        }
    }

    /// After such a call: restores it.
    pub(super) fn reload_volatile(&mut self) {
        if let Some(n) = self.volatile_guest() {
            let off = layout::reg32(n);
            dynasm!(self.ops ; .arch x64 ; mov edi, DWORD [rbx + off]);
        }
    }

    /// Loads the cached guest registers from the CPU state (at entry and after handlers).
    pub(super) fn reload(&mut self) {
        for n in 0..8u8 {
            let h = self.cache[n as usize];
            if h != NO_HOST {
                let off = layout::reg32(n);
                dynasm!(self.ops ; .arch x64 ; mov Rd(h), DWORD [rbx + off]);
            }
        }
    }

    /// Stores the low `size` bytes of register `r` into a guest register. Byte and word
    /// registers are merged into their whole dword (in r11) and stored as a dword, so later
    /// dword loads of the register forward from the store instead of stalling. Host flags
    /// are kept.
    pub(super) fn store(&mut self, r: u8, size: OpSize, off: i32) {
        if let Some(h) = self.cached(off) {
            match size {
                OpSize::Byte => dynasm!(self.ops ; .arch x64 ; mov Rb(h), Rb(r)),
                OpSize::Word => dynasm!(self.ops ; .arch x64 ; mov Rw(h), Rw(r)),
                OpSize::Dword => dynasm!(self.ops ; .arch x64 ; mov Rd(h), Rd(r)),
            }
            return;
        }
        match size {
            OpSize::Dword => dynasm!(self.ops ; .arch x64 ; mov DWORD [rbx + off], Rd(r)),
            OpSize::Word => dynasm!(self.ops
                ; .arch x64
                ; mov r11d, DWORD [rbx + off]
                ; mov r11w, Rw(r)
                ; mov DWORD [rbx + off], r11d
            ),
            // AH..BH: a byte store (a merge would need flag-changing shifts).
            OpSize::Byte if is_high_byte(off) => {
                dynasm!(self.ops ; .arch x64 ; mov BYTE [rbx + off], Rb(r))
            }
            OpSize::Byte => dynasm!(self.ops
                ; .arch x64
                ; mov r11d, DWORD [rbx + off]
                ; mov r11b, Rb(r)
                ; mov DWORD [rbx + off], r11d
            ),
        }
    }

    /// Stores an immediate into a guest register (merged like [`Emitter::store`]).
    pub(super) fn store_imm(&mut self, size: OpSize, off: i32, v: u32) {
        match size {
            OpSize::Dword if self.cached(off).is_none() => {
                dynasm!(self.ops ; .arch x64 ; mov DWORD [rbx + off], v as i32)
            }
            _ => {
                dynasm!(self.ops ; .arch x64 ; mov eax, v as i32);
                self.store(0, size, off);
            }
        }
    }

    /// edx = edx OP ecx at the guest size (the host flags become the guest's).
    pub(super) fn alu_edx_ecx(&mut self, op: u8, size: OpSize) {
        self.alu_regs(op, size, super::EDX, super::ECX);
    }

    /// Register `d` = `d` OP register `s` at the guest size (CMP/TEST compute the
    /// difference/AND into `d` too: callers of those keep `d` as scratch).
    pub(super) fn alu_regs(&mut self, op: u8, size: OpSize, d: u8, s: u8) {
        macro_rules! sized {
            ($m:ident) => {
                match size {
                    OpSize::Byte => dynasm!(self.ops ; .arch x64 ; $m Rb(d), Rb(s)),
                    OpSize::Word => dynasm!(self.ops ; .arch x64 ; $m Rw(d), Rw(s)),
                    OpSize::Dword => dynasm!(self.ops ; .arch x64 ; $m Rd(d), Rd(s)),
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
    pub(super) fn store_lazy(&mut self, op: LazyOp, size: OpSize) {
        self.store_lazy_masked(op, size, ARITH);
    }

    /// [`Emitter::store_lazy`] with a lazy mask of `mask`.
    pub(super) fn store_lazy_masked(&mut self, op: LazyOp, size: OpSize, mask: u32) {
        // The op and size bytes are adjacent: one 16-bit store.
        let op_size = (op as u16 as i16) | ((size as u16 as i16) << 8);
        dynasm!(self.ops
            ; .arch x64
            ; mov DWORD [rbx + layout::SRC1], eax
            ; mov DWORD [rbx + layout::SRC2], ecx
            ; mov DWORD [rbx + layout::RES], edx
            ; mov WORD [rbx + layout::LAZY_OP], op_size
        );
        self.set_lazy_mask(mask);
    }

    /// `flags.lazy_mask = mask` (keeps the host flags), skipped when it already is.
    pub(super) fn set_lazy_mask(&mut self, mask: u32) {
        if self.lazy_mask_known != Some(mask) {
            dynasm!(self.ops ; .arch x64 ; mov DWORD [rbx + layout::LAZY_MASK], mask as i32);
            self.lazy_mask_known = Some(mask);
        }
    }
}

/// Whether a register offset is that of AH, CH, DH or BH.
pub(super) fn is_high_byte(off: i32) -> bool {
    (layout::REGS..layout::REGS + 32).contains(&off) && (off - layout::REGS) & 3 == 1
}
