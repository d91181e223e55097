//! The run-time context of a compiled block and the `extern "C"` helpers its code calls: the
//! interpreter step for instructions not emitted inline, memory accesses through the
//! interpreter's accessors, and the flag and fault helpers.

use crate::tables::Tables;
use rawbox_cpu::bus::Width;
use rawbox_cpu::decode::cache::DecodedInsn;
use rawbox_cpu::flags::bits::{RF, TF};
use rawbox_cpu::{Bus, Cpu, Fault, SegReg};

/// Return codes of compiled code and of the helpers that can end a block.
pub mod exit {
    /// Go on (helpers) / the block ran to its end (compiled code).
    pub const NEXT: u32 = 0;
    /// An instruction asked to leave the block (mode change, self-modifying code...).
    pub const STOP: u32 = 1;
    /// A fault, stored in `JitCtx::fault`, with EIP at the faulting instruction.
    pub const FAULT: u32 = 2;
}

/// What the helpers compiled code calls work on (compiled code passes the pointer through
/// from `tables::RunArea::ctx`).
#[repr(C)]
pub struct JitCtx<'a> {
    /// IF when the run loop entered compiled code (setting it must end the chain).
    pub if_at_entry: bool,
    pub cpu: *mut Cpu,
    pub bus: *mut (dyn Bus + 'a),
    pub tables: *mut Tables,
    pub fault: Option<Fault>,
}

/// The pieces of a context as references.
struct Parts<'c, 'a> {
    cpu: &'c mut Cpu,
    bus: &'c mut (dyn Bus + 'a),
    tables: &'c mut Tables,
    fault: &'c mut Option<Fault>,
    if_at_entry: bool,
}

/// Reborrows a context passed back by compiled code.
fn parts<'c, 'a>(ctx: *mut JitCtx<'a>) -> Parts<'c, 'a> {
    // SAFETY: compiled code only passes on the context pointer `CompiledCode::run` gave it,
    // which points at a live `JitCtx` on that function's stack. Its `cpu`, `bus` and `tables`
    // pointers come from references `run` holds (and does not use) for the whole call, so the
    // references made here are the only live ones while a helper runs; helpers do not nest.
    unsafe {
        let c = &mut *ctx;
        Parts {
            cpu: &mut *c.cpu,
            bus: &mut *c.bus,
            tables: &mut *c.tables,
            fault: &mut c.fault,
            if_at_entry: c.if_at_entry,
        }
    }
}

/// Records a fault raised outside an interpreter handler, as `exec_block` counts it.
fn fault(p: Parts, f: Fault) -> u32 {
    p.cpu.counters.exceptions += 1;
    *p.fault = Some(f);
    exit::FAULT
}

/// The instruction a helper call names: compiled code passes a pointer to one of the
/// decoded instructions of the block it was compiled from.
fn insn<'c>(d: *const DecodedInsn) -> &'c DecodedInsn {
    // SAFETY: the pointer is to an element of `Block::insns` (a boxed slice that never moves)
    // of the block the calling code was compiled from, and a block's code only runs while the
    // block is alive: the run loop or the jump cache (`Tables::link`) holds it.
    unsafe { &*d }
}

/// After an instruction run by its handler: ends chaining where the run loop would look for
/// interrupts or leave (see `Cpu::run_block`).
fn after_handler(p: &mut Parts) {
    let c = &*p.cpu;
    if c.pending_exit_requested()
        || c.state.inhibit_irq
        || c.state.halted
        || (!p.if_at_entry && c.state.flags.if_())
        || c.state.flags.bits & (TF | RF) != 0
    {
        p.tables.t.run.chain_end = 0;
    }
}

/// Runs an instruction through its interpreter handler. EIP holds the instruction's
/// address. For instructions that cannot change what compiled code assumes (segments, mode,
/// paging, privilege, debug state).
pub extern "C" fn call_insn(ctx: *mut JitCtx, d: *const DecodedInsn) -> u32 {
    let mut p = parts(ctx);
    let r = p.cpu.exec_insn_for_jit(p.bus, insn(d));
    after_handler(&mut p);
    match r {
        Ok(false) => exit::NEXT,
        Ok(true) => exit::STOP,
        Err(f) => {
            *p.fault = Some(f);
            exit::FAULT
        }
    }
}

/// [`call_insn`] for any other instruction: afterwards the tables are brought up to date for
/// the rest of the block, and the block ends without chaining.
pub extern "C" fn call_insn_sys(ctx: *mut JitCtx, d: *const DecodedInsn) -> u32 {
    let p = parts(ctx);
    let r = p.cpu.exec_insn_for_jit(p.bus, insn(d));
    p.tables.sync(p.cpu, false);
    p.tables.t.run.chain_end = 0;
    match r {
        Ok(false) => exit::NEXT,
        Ok(true) => exit::STOP,
        Err(f) => {
            *p.fault = Some(f);
            exit::FAULT
        }
    }
}

fn width_of(w: u32) -> Width {
    match w {
        1 => Width::Byte,
        2 => Width::Word,
        _ => Width::Dword,
    }
}

/// Fault marker in `read_mem`'s result (any value above 32 bits).
pub const READ_FAULT: u64 = 1 << 32;

/// Reads `width` bytes at `seg:off` with the interpreter's accessor. EIP holds the
/// instruction's address. Returns the value, or `READ_FAULT` after recording the fault.
pub extern "C" fn read_mem(ctx: *mut JitCtx, seg: u32, off: u32, width: u32) -> u64 {
    let p = parts(ctx);
    let eip = p.cpu.state.eip;
    p.cpu.jit_begin_insn(eip);
    match p.cpu.read_mem(
        p.bus,
        SegReg::from_index(seg as usize),
        off,
        width_of(width),
    ) {
        Ok(v) => {
            let lin = p.tables.t.segs[seg as usize & 7].base.wrapping_add(off);
            p.tables.fill_tlb(p.cpu, lin, width, false);
            v as u64
        }
        Err(f) => {
            fault(p, f);
            READ_FAULT
        }
    }
}

/// Writes `width` bytes at `seg:off` with the interpreter's accessor. EIP holds the
/// instruction's address. Returns `exit::NEXT`, `exit::STOP` when the write hit translated
/// code (the instruction completed; the block must end), or `exit::FAULT`.
pub extern "C" fn write_mem(ctx: *mut JitCtx, seg: u32, off: u32, width: u32, value: u32) -> u32 {
    let p = parts(ctx);
    let eip = p.cpu.state.eip;
    p.cpu.jit_begin_insn(eip);
    let r = p.cpu.write_mem(
        p.bus,
        SegReg::from_index(seg as usize),
        off,
        width_of(width),
        value,
    );
    match r {
        Ok(()) if p.cpu.jit_check_smc() => exit::STOP,
        Ok(()) => {
            let lin = p.tables.t.segs[seg as usize & 7].base.wrapping_add(off);
            p.tables.fill_tlb(p.cpu, lin, width, true);
            exit::NEXT
        }
        Err(f) => fault(p, f),
    }
}

/// Materialises the lazy flags (`Flags::materialize`).
pub extern "C" fn materialize_flags(ctx: *mut JitCtx) {
    parts(ctx).cpu.state.flags.materialize();
}

/// The guest's carry flag (0 or 1), computed from the lazy flags.
pub extern "C" fn get_cf(ctx: *mut JitCtx) -> u32 {
    parts(ctx).cpu.state.flags.cf() as u32
}

/// #GP(0) from a near jump past the code segment limit. EIP holds the jump's address.
pub extern "C" fn jump_gp(ctx: *mut JitCtx) -> u32 {
    fault(parts(ctx), Fault::gp(0))
}
