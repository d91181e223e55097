//! External interrupts in protected mode: IF gating, the one-instruction STI shadow, HLT
//! wake-up, the EXT bit on faults during their delivery, NMI, and real-mode IVT delivery.

mod guest;

use guest::*;
use iced_x86::code_asm::*;
use rawbox_cpu::{CpuModel, RunExit};

/// With IF = 0 the request waits; STI enables it after the next instruction.
#[test]
fn sti_shadow_then_interrupt() {
    let mut g = Guest::pm32();
    g.bus.irq = Some(0x50);
    g.code32(CODE, |a| {
        a.nop()?;
        a.nop()?;
        a.sti()?;
        a.mov(dword_ptr(RES), 1u32)?;
        a.mov(dword_ptr(RES + 4), 2u32)?;
        a.hlt()
    });
    let r = g.single_exception();
    assert_eq!(r.vector, 0x50);
    assert_eq!(r.error, None);
    // nop, nop, sti (1 each), then the MOV (10 bytes) runs in the STI shadow.
    assert_eq!(
        r.eip(),
        CODE + 3 + 10,
        "taken after the instruction following STI"
    );
    assert_eq!(g.res(0), 1);
    assert_eq!(g.res(1), 0);
    assert_eq!(r.eflags() & 0x200, 0x200);
    assert_eq!(r.handler_flags & 0x200, 0, "interrupt gate clears IF");
}

/// HLT with IF = 1 waits for the interrupt; its return address is past the HLT.
#[test]
fn hlt_wakes_on_interrupt() {
    let mut g = Guest::pm32();
    g.code32(CODE, |a| {
        a.sti()?;
        a.nop()?;
        a.hlt()?;
        a.mov(dword_ptr(RES), 7u32)?;
        a.hlt()
    });
    assert_eq!(g.run(), RunExit::Halted);
    assert_eq!(g.cpu.state.eip, CODE + 3, "halted after HLT");
    g.bus.irq = Some(0x51);
    let r = g.single_exception();
    assert_eq!(r.vector, 0x51);
    assert_eq!(r.eip(), CODE + 3);
    assert_eq!(g.res(0), 0, "the handler halts before returning");
}

/// A fault while delivering an external interrupt has EXT = 1 (SDM 6.13).
#[test]
fn not_present_gate_for_external_interrupt() {
    let mut g = Guest::pm32();
    g.clear_present(IDT + 0x52 * 8);
    g.bus.irq = Some(0x52);
    g.code32(CODE, |a| {
        a.sti()?;
        a.nop()?;
        a.hlt()
    });
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (11, Some(0x52 * 8 + 2 + 1)), "{r:x?}");
    // A hardware interrupt may use a DPL 0 gate from ring 3 (no DPL check).
    let mut g = Guest::pm32();
    g.code32(CODE, |a| iret_to_ring3(a, CODE2, 0x202));
    g.code32(CODE2, |a| {
        a.nop()?;
        a.jmp(CODE2 as u64)
    });
    assert_eq!(g.run_budget(1000), RunExit::Budget);
    g.bus.irq = Some(0x53);
    let r = g.single_exception();
    assert_eq!(r.vector, 0x53, "{r:x?}");
    assert_eq!(r.cs(), CS3);
}

/// NMI is taken even with IF = 0 (vector 2, no error code).
#[test]
fn nmi_ignores_if() {
    let mut g = Guest::pm32();
    g.code32(CODE, |a| {
        a.cli()?;
        a.nop()?;
        a.jmp(CODE as u64)
    });
    assert_eq!(g.run_budget(100), RunExit::Budget);
    g.bus.nmi = true;
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (2, None));
}

/// Real mode: INT n and exceptions go through the IVT and push FLAGS, CS, IP; #UD on a
/// 286+ returns to the faulting instruction.
#[test]
fn real_mode_ivt() {
    for model in [CpuModel::I80286, CpuModel::Pentium] {
        let mut g = Guest::new(model, Entry::Real);
        // Vector 6 and 0x21 -> 0000:9000, which records SP and the frame.
        g.wr16(6 * 4, 0x9000);
        g.wr16(6 * 4 + 2, 0);
        g.wr16(0x21 * 4, 0x9000);
        g.wr16(0x21 * 4 + 2, 0);
        g.code16(0x9000, |a| {
            a.mov(word_ptr(RES), sp)?;
            a.pop(ax)?;
            a.mov(word_ptr(RES + 2), ax)?;
            a.pop(ax)?;
            a.mov(word_ptr(RES + 4), ax)?;
            a.pop(ax)?;
            a.mov(word_ptr(RES + 6), ax)?;
            a.pushf()?;
            a.pop(ax)?;
            a.mov(word_ptr(RES + 8), ax)?;
            a.hlt()
        });
        g.code16(CODE16, |a| {
            a.sti()?;
            a.ud2()
        });
        g.run_to_halt();
        assert_eq!(g.rd16(RES), 0x6FF0 - 6, "{model}");
        assert_eq!(g.rd16(RES + 2), (CODE16 + 1) as u16, "{model}: IP of UD2");
        assert_eq!(g.rd16(RES + 4), 0, "{model}: CS");
        assert_eq!(g.rd16(RES + 6) & 0x200, 0x200, "{model}: pushed IF");
        assert_eq!(g.rd16(RES + 8) & 0x300, 0, "{model}: IF and TF cleared");
    }
}

/// Real mode on the 286+: a word access at offset 0xFFFF runs past the 64 KB limit: #GP
/// (vector 13) for DS, #SS (vector 12) for SS, returning to the faulting instruction.
#[test]
fn real_mode_segment_wrap_faults() {
    for (use_ss, vector) in [(false, 13u32), (true, 12)] {
        let mut g = Guest::new(CpuModel::I80386, Entry::Real);
        g.wr16(vector * 4, 0x9000);
        g.wr16(vector * 4 + 2, 0);
        g.code16(0x9000, |a| {
            a.pop(ax)?;
            a.mov(word_ptr(RES).cs(), ax)?;
            a.hlt()
        });
        g.code16(CODE16, |a| {
            a.mov(bx, 0xFFFFu32)?;
            if use_ss {
                a.mov(ax, word_ptr(bx).ss())
            } else {
                a.mov(ax, word_ptr(bx))
            }
        });
        g.run_to_halt();
        assert_eq!(
            g.rd16(RES) as u32,
            CODE16 + 3,
            "vector {vector}: IP of the access"
        );
    }
}

/// Real mode with an IDT limit of 0 (the classic reboot trick): an interrupt cannot be
/// delivered, nor can the resulting #GP and #DF: the CPU shuts down.
#[test]
fn real_mode_triple_fault_via_empty_idt() {
    let mut g = Guest::new(CpuModel::I80386, Entry::Real);
    g.code16(CODE16, |a| {
        a.mov(word_ptr(0x500), 0u32)?;
        a.mov(dword_ptr(0x502), 0u32)?;
        a.lidt(ptr(0x500))?;
        a.int3()
    });
    assert_eq!(g.run(), RunExit::Shutdown);
}
