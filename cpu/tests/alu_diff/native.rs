//! The native oracle: runs an instruction's bytes on the host CPU in 64-bit mode, with
//! EAX/EBX/ECX/EDX/ESI/EDI and EFLAGS loaded from a [`Regs`] and captured afterwards.
//!
//! Every shape is one monomorphized function `host_reg::<CODE, LEN>` (or `host_mem`): the
//! instruction's bytes are packed little-endian into `CODE` and emitted with `.byte`, so the
//! host runs exactly the bytes the emulator decodes. Only encodings that mean the same thing in
//! 64-bit and 32-bit mode are used (no 0x40-0x4F, no absolute/RIP-relative memory operands);
//! `shape.rs` checks this by disassembling both ways.

use super::regs::{idx, Regs};
use std::arch::asm;

/// A host oracle: executes one instruction on `Regs` in place.
pub type HostFn = fn(&mut Regs);

/// Packs up to 7 instruction bytes little-endian (the `CODE` parameter of the oracles).
pub const fn pack(bytes: &[u8]) -> u64 {
    assert!(bytes.len() <= 7);
    let mut v = 0u64;
    let mut i = 0;
    while i < bytes.len() {
        v |= (bytes[i] as u64) << (8 * i);
        i += 1;
    }
    v
}

/// Emits the `LEN` low bytes of `CODE` as `.byte` directives.
macro_rules! emit_code {
    () => {
        concat!(
            ".byte ({code}) & 0xff\n",
            ".if {len} > 1\n.byte ({code} >> 8) & 0xff\n.endif\n",
            ".if {len} > 2\n.byte ({code} >> 16) & 0xff\n.endif\n",
            ".if {len} > 3\n.byte ({code} >> 24) & 0xff\n.endif\n",
            ".if {len} > 4\n.byte ({code} >> 32) & 0xff\n.endif\n",
            ".if {len} > 5\n.byte ({code} >> 40) & 0xff\n.endif\n",
            ".if {len} > 6\n.byte ({code} >> 48) & 0xff\n.endif\n",
        )
    };
}

/// Runs a register-only instruction: all six data registers are inputs and outputs.
pub fn host_reg<const CODE: u64, const LEN: u8>(r: &mut Regs) {
    let mut flags = r.flags as u64;
    let mut ebx = r.r[idx::EBX] as u64;
    // SAFETY: the emitted bytes are one non-control-flow instruction that only reads and writes
    // EAX/EBX/ECX/EDX/ESI/EDI and EFLAGS (checked by `shape.rs`), all declared here. RBX is
    // reserved by the compiler, so it is swapped with a scratch register around the
    // instruction and restored. The input flags only hold the arithmetic bits, IF and bit 1,
    // so DF/TF/AC are clear as the ABI requires; PUSHFQ/POPFQ use the stack, which `asm!`
    // allows because `nostack` is not given.
    unsafe {
        asm!(
            "xchg {ebx}, rbx",
            "push {flags}",
            "popfq",
            emit_code!(),
            "pushfq",
            "pop {flags}",
            "xchg {ebx}, rbx",
            ebx = inout(reg) ebx,
            flags = inout(reg) flags,
            inout("eax") r.r[idx::EAX],
            inout("ecx") r.r[idx::ECX],
            inout("edx") r.r[idx::EDX],
            inout("esi") r.r[idx::ESI],
            inout("edi") r.r[idx::EDI],
            code = const CODE,
            len = const LEN,
        );
    }
    r.r[idx::EBX] = ebx as u32;
    r.flags = flags as u32;
}

/// Runs an instruction with a memory operand at [RSI] (= `r.mem`); ESI is not a data register.
pub fn host_mem<const CODE: u64, const LEN: u8>(r: &mut Regs) {
    let mut flags = r.flags as u64;
    let mut ebx = r.r[idx::EBX] as u64;
    let mem = r.mem.as_mut_ptr();
    // SAFETY: as in `host_reg`, plus: the instruction's only memory operand is [RSI], which
    // points to the 8 bytes of `r.mem` (exclusively borrowed here); no shape accesses more
    // than 8 bytes there.
    unsafe {
        asm!(
            "xchg {ebx}, rbx",
            "push {flags}",
            "popfq",
            emit_code!(),
            "pushfq",
            "pop {flags}",
            "xchg {ebx}, rbx",
            ebx = inout(reg) ebx,
            flags = inout(reg) flags,
            inout("eax") r.r[idx::EAX],
            inout("ecx") r.r[idx::ECX],
            inout("edx") r.r[idx::EDX],
            in("rsi") mem,
            inout("edi") r.r[idx::EDI],
            code = const CODE,
            len = const LEN,
        );
    }
    r.r[idx::EBX] = ebx as u32;
    r.flags = flags as u32;
}
