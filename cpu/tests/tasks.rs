//! Hardware task switches: JMP and CALL to a TSS descriptor, task gates (GDT and IDT), busy
//! bits, the back link and NT, IRET to the previous task, register save/load in the TSSes,
//! CR0.TS after a switch, and #TS/#GP for bad targets.

mod guest;

use guest::*;
use iced_x86::code_asm::*;

const TSS1_SEL: u16 = 0x40;
const TSS2_SEL: u16 = 0x48;
const TASK_GATE: u16 = 0x50;

/// Distinct register values the new task starts with (EAX..EDI, ESP replaced).
const NEW_REGS: [u32; 8] = [
    0xA0A0_0001,
    0xC0C0_0002,
    0xD0D0_0003,
    0xB0B0_0004,
    STACK0 - 0x1000,
    0xB9B9_0006,
    0x5151_0007,
    0xD1D1_0008,
];

/// Fills a 32-bit TSS at `base` for a ring-0 task starting at `eip`.
fn fill_tss(g: &mut Guest, base: u32, eip: u32) {
    for off in (0..0x68).step_by(4) {
        g.wr32(base + off, 0);
    }
    g.wr32(base + 4, STACK0);
    g.wr32(base + 8, DS0 as u32);
    g.wr32(base + 0x20, eip);
    g.wr32(base + 0x24, 0x2);
    for (i, r) in NEW_REGS.iter().enumerate() {
        g.wr32(base + 0x28 + 4 * i as u32, *r);
    }
    for (i, s) in [DS0, CS0, DS0, DS0, DS0, DS0].iter().enumerate() {
        g.wr32(base + 0x48 + 4 * i as u32, *s as u32);
    }
    g.wr16(base + 0x66, 0xFFFF);
}

fn task_guest() -> Guest {
    let mut g = Guest::pm32();
    fill_tss(&mut g, TSS1, CODE2);
    fill_tss(&mut g, TSS2, CODE3);
    g.set_desc(TSS1_SEL, TSS1, 0x67, acc::TSS32, 0);
    g.set_desc(TSS2_SEL, TSS2, 0x67, acc::TSS32, 0);
    g.set_gdt_gate(TASK_GATE, TSS1_SEL, 0, gate::TASK, 0, 0);
    g
}

/// Code for the new task: records its registers at RES.., TR, CR0, EFLAGS, then `tail`.
fn record_task(a: &mut Asm, tail: impl FnOnce(&mut Asm) -> AsmResult) -> AsmResult {
    for (i, r) in [eax, ecx, edx, ebx, esp, ebp, esi, edi].iter().enumerate() {
        a.mov(dword_ptr(RES + 4 * i as u32), *r)?;
    }
    a.str(ax)?;
    a.mov(dword_ptr(RES + 0x20), eax)?;
    a.mov(eax, cr0)?;
    a.mov(dword_ptr(RES + 0x24), eax)?;
    a.pushfd()?;
    a.pop(eax)?;
    a.mov(dword_ptr(RES + 0x28), eax)?;
    tail(a)
}

fn busy(g: &Guest, sel: u16) -> bool {
    (g.rd32(GDT + sel as u32 + 4) >> 9) & 1 == 1
}

/// Main-task code that loads distinct values into the general registers, then `switch`.
fn main_task(a: &mut Asm, switch: impl FnOnce(&mut Asm) -> AsmResult) -> AsmResult {
    a.mov(eax, 0x1111_1111u32)?;
    a.mov(ecx, 0x2222_2222u32)?;
    a.mov(edx, 0x3333_3333u32)?;
    a.mov(ebx, 0x4444_4444u32)?;
    a.mov(ebp, 0x5555_5555u32)?;
    a.mov(esi, 0x6666_6666u32)?;
    a.mov(edi, 0x7777_7777u32)?;
    switch(a)
}

/// Length of `main_task`'s register loads (7 x 5 bytes).
const MAIN_PRE: u32 = 35;

fn assert_new_task_state(g: &Guest) {
    let got: Vec<u32> = (0..8).map(|i| g.res(i)).collect();
    assert_eq!(got, NEW_REGS.to_vec(), "registers loaded from the new TSS");
    assert_ne!(g.res(9) & 8, 0, "CR0.TS set by the task switch");
}

fn assert_old_task_saved(g: &Guest, eip: u32) {
    assert_eq!(
        g.rd32(TSS0 + 0x20),
        eip,
        "saved EIP: after the switching instruction"
    );
    let saved: Vec<u32> = (0..8).map(|i| g.rd32(TSS0 + 0x28 + 4 * i)).collect();
    assert_eq!(
        saved,
        vec![
            0x1111_1111,
            0x2222_2222,
            0x3333_3333,
            0x4444_4444,
            STACK0,
            0x5555_5555,
            0x6666_6666,
            0x7777_7777
        ]
    );
    assert_eq!(g.rd16(TSS0 + 0x4C), CS0, "saved CS");
    assert_eq!(g.rd16(TSS0 + 0x50), DS0, "saved SS");
}

#[test]
fn jmp_to_tss() {
    let mut g = task_guest();
    g.code32(CODE, |a| main_task(a, |a| a.jmp_far(TSS1_SEL, 0)));
    g.code32(CODE2, |a| record_task(a, |a| a.hlt()));
    g.run_to_halt();
    assert!(g.log().is_empty(), "{:x?}", g.log());
    assert_new_task_state(&g);
    assert_eq!(g.res(8) & 0xFFFF, TSS1_SEL as u32, "TR");
    assert_eq!(g.res(10) & (1 << 14), 0, "JMP leaves NT clear");
    assert_old_task_saved(&g, CODE + MAIN_PRE + 7);
    assert!(!busy(&g, TSS_SEL), "JMP clears the old task's busy bit");
    assert!(busy(&g, TSS1_SEL));
    assert_eq!(g.rd16(TSS1), 0, "JMP does not write the back link");
}

#[test]
fn call_to_tss_and_iret_back() {
    let mut g = task_guest();
    g.code32(CODE, |a| {
        main_task(a, |a| a.call_far(TSS1_SEL, 0))?;
        // Back in the first task.
        a.mov(dword_ptr(RES + 0x40), eax)?;
        a.mov(dword_ptr(RES + 0x44), edi)?;
        a.str(ax)?;
        a.mov(dword_ptr(RES + 0x48), eax)?;
        a.pushfd()?;
        a.pop(eax)?;
        a.mov(dword_ptr(RES + 0x4C), eax)?;
        a.hlt()
    });
    g.code32(CODE2, |a| {
        record_task(a, |a| {
            // Busy bits and back link as seen inside the called task.
            a.mov(eax, dword_ptr(GDT + TSS_SEL as u32 + 4))?;
            a.mov(dword_ptr(RES + 0x2C), eax)?;
            a.mov(eax, dword_ptr(GDT + TSS1_SEL as u32 + 4))?;
            a.mov(dword_ptr(RES + 0x30), eax)?;
            a.mov(eax, 0xAAAA_AAAAu32)?;
            a.iretd()
        })
    });
    g.run_to_halt();
    assert!(g.log().is_empty(), "{:x?}", g.log());
    assert_new_task_state(&g);
    assert_ne!(g.res(10) & (1 << 14), 0, "CALL sets NT in the new task");
    assert_eq!(g.rd16(TSS1), TSS_SEL, "back link = the caller's TSS");
    assert_ne!(g.res(11) & 0x200, 0, "the caller stays busy");
    assert_ne!(g.res(12) & 0x200, 0, "the called task is busy");
    // After IRET: the old task's registers are back, TR is TSS0, the called task is free.
    assert_eq!(g.res(0x10), 0x1111_1111);
    assert_eq!(g.res(0x11), 0x7777_7777);
    assert_eq!(g.res(0x12) & 0xFFFF, TSS_SEL as u32);
    assert_eq!(g.res(0x13) & (1 << 14), 0, "NT of the caller was clear");
    assert!(
        !busy(&g, TSS1_SEL),
        "IRET clears the nested task's busy bit"
    );
    assert!(busy(&g, TSS_SEL));
    // IRET saved the nested task with NT cleared in its EFLAGS image and EAX as set.
    assert_eq!(g.rd32(TSS1 + 0x28), 0xAAAA_AAAA);
    assert_eq!(g.rd32(TSS1 + 0x24) & (1 << 14), 0);
    assert_old_task_saved_partial(&g);
}

fn assert_old_task_saved_partial(g: &Guest) {
    assert_eq!(g.rd32(TSS0 + 0x20), CODE + MAIN_PRE + 7);
}

#[test]
fn jmp_through_gdt_task_gate() {
    let mut g = task_guest();
    g.code32(CODE, |a| main_task(a, |a| a.jmp_far(TASK_GATE, 0x1234)));
    g.code32(CODE2, |a| record_task(a, |a| a.hlt()));
    g.run_to_halt();
    assert!(g.log().is_empty(), "{:x?}", g.log());
    assert_new_task_state(&g);
    assert_eq!(g.res(8) & 0xFFFF, TSS1_SEL as u32);
}

/// An interrupt through an IDT task gate: nested (back link, NT), and an exception's error
/// code is pushed on the new task's stack.
#[test]
fn idt_task_gate() {
    let mut g = task_guest();
    g.set_idt(0x45, TSS1_SEL, 0, gate::TASK, 0);
    g.code32(CODE, |a| main_task(a, |a| a.int(0x45)));
    g.code32(CODE2, |a| record_task(a, |a| a.hlt()));
    g.run_to_halt();
    assert_new_task_state(&g);
    assert_ne!(g.res(10) & (1 << 14), 0, "NT");
    assert_eq!(g.rd16(TSS1), TSS_SEL);
    assert_eq!(
        g.rd32(TSS0 + 0x20),
        CODE + MAIN_PRE + 2,
        "INT: saved EIP is past it"
    );

    let mut g = task_guest();
    g.set_idt(13, TSS1_SEL, 0, gate::TASK, 0);
    g.code32(CODE, |a| {
        a.mov(ax, 0x5555u32 & !7)?;
        a.mov(ds, ax)
    });
    g.code32(CODE2, |a| {
        a.pop(eax)?;
        a.mov(dword_ptr(RES), eax)?;
        a.mov(dword_ptr(RES + 4), esp)?;
        a.hlt()
    });
    g.run_to_halt();
    assert_eq!(g.res(0), 0x5550, "#GP error code on the new task's stack");
    assert_eq!(g.res(1), NEW_REGS[4]);
    assert_eq!(
        g.rd32(TSS0 + 0x20),
        CODE + 4,
        "fault: saved EIP is the faulting MOV"
    );
}

#[test]
fn busy_and_invalid_targets() {
    // CALL/JMP to a busy TSS (the current one): #GP(selector).
    for jmp in [true, false] {
        let mut g = task_guest();
        g.code32(CODE, |a| {
            if jmp {
                a.jmp_far(TSS_SEL, 0)
            } else {
                a.call_far(TSS_SEL, 0)
            }
        });
        let r = g.single_exception();
        assert_eq!((r.vector, r.error), (13, Some(TSS_SEL as u32)), "jmp {jmp}");
        assert_eq!(r.eip(), CODE);
    }
    // A TSS descriptor whose limit is below 0x67: #TS(selector).
    let mut g = task_guest();
    g.set_desc(TSS1_SEL, TSS1, 0x50, acc::TSS32, 0);
    g.code32(CODE, |a| a.jmp_far(TSS1_SEL, 0));
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (10, Some(TSS1_SEL as u32)));
    assert_eq!(r.eip(), CODE);
    assert_eq!(g.cpu.state.tr.selector, TSS_SEL, "no switch happened");
    // Not present: #NP(selector).
    let mut g = task_guest();
    g.clear_present(GDT + TSS1_SEL as u32);
    g.code32(CODE, |a| a.jmp_far(TSS1_SEL, 0));
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (11, Some(TSS1_SEL as u32)));
    // A task gate with DPL < CPL from ring 3: #GP(gate selector).
    let mut g = task_guest();
    g.code32(CODE, |a| iret_to_ring3(a, CODE2 + 0x100, 2));
    g.code32(CODE2 + 0x100, |a| a.jmp_far(TASK_GATE | 3, 0));
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (13, Some(TASK_GATE as u32)));
}

/// A bad data selector in the new TSS raises #TS(selector) in the context of the new task
/// (SDM 7.3 step 14: faults after the commit point are delivered in the new task).
#[test]
fn bad_segment_in_new_task_is_ts() {
    let mut g = task_guest();
    g.wr32(TSS1 + 0x54, 0x7F8); // DS: an empty GDT slot (null descriptor contents)
    g.code32(CODE, |a| a.jmp_far(TSS1_SEL, 0));
    g.code32(CODE2, |a| a.hlt());
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (10, Some(0x7F8)), "{r:x?}");
    assert_eq!(
        r.eip(),
        CODE2,
        "delivered at the new task's first instruction"
    );
    assert_eq!(g.cpu.state.tr.selector, TSS1_SEL);
}

/// Task switch to a 16-bit (286) TSS and back with IRET.
#[test]
fn call_16bit_tss() {
    let mut g = task_guest();
    let base = TSS2;
    for off in (0..0x2C).step_by(2) {
        g.wr16(base + off, 0);
    }
    g.wr16(base + 0x0E, 0x9000); // IP (the 16-bit code segment is based at 0)
    g.wr16(base + 0x10, 0x2); // FLAGS
    g.wr16(base + 0x12, 0x4321); // AX
    g.wr16(base + 0x1A, STACK16 as u16); // SP
    g.wr16(base + 0x22, DS16); // ES
    g.wr16(base + 0x24, CS16); // CS
    g.wr16(base + 0x26, DS16); // SS
    g.wr16(base + 0x28, DS16); // DS
    g.set_desc(TSS2_SEL, base, 0x2B, acc::TSS16, 0);
    g.code16(0x9000, |a| {
        a.mov(word_ptr(RES), ax)?;
        a.iret()
    });
    g.code32(CODE, |a| {
        a.mov(eax, 0xFFFF_0000u32)?;
        a.call_far(TSS2_SEL, 0)?;
        a.mov(dword_ptr(RES + 4), eax)?;
        a.hlt()
    });
    g.run_to_halt();
    assert!(g.log().is_empty(), "{:x?}", g.log());
    assert_eq!(g.rd16(RES), 0x4321);
    assert_eq!(g.res(1), 0xFFFF_0000, "EAX restored from the 32-bit TSS");
    assert_eq!(g.rd16(base), TSS_SEL, "16-bit TSS back link");
}

/// IRET with NT set returns to the back-link task, which must be busy: otherwise #TS(back
/// link selector) (SDM IRET: "IF TSS descriptor not busy THEN #TS(TSS selector)").
#[test]
fn iret_with_nt_to_non_busy_task() {
    let mut g = task_guest();
    g.wr16(TSS0, TSS1_SEL); // back link of the current task -> TSS1 (not busy)
    g.code32(CODE, |a| {
        a.pushfd()?;
        a.or(dword_ptr(esp), 1u32 << 14)?;
        a.popfd()?;
        a.iretd()
    });
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (10, Some(TSS1_SEL as u32)), "{r:x?}");
    assert_eq!(g.cpu.state.tr.selector, TSS_SEL);
}

/// A task switch through an IDT task gate for an exception, then IRET back: the faulting
/// instruction runs again in the old task (here it no longer faults).
#[test]
fn exception_task_returns_with_iret() {
    let mut g = task_guest();
    g.set_idt(0, TSS1_SEL, 0, gate::TASK, 0);
    g.code32(CODE, |a| {
        a.mov(eax, 100u32)?;
        a.xor(edx, edx)?;
        a.xor(ecx, ecx)?;
        a.div(ecx)?;
        a.mov(dword_ptr(RES + 4), eax)?;
        a.hlt()
    });
    // The #DE task: bump the old task's saved ECX to 5, then IRET (back to the DIV).
    g.code32(CODE2, |a| {
        a.mov(dword_ptr(TSS0 + 0x2C), 5u32)?;
        a.inc(dword_ptr(RES))?;
        a.iretd()?;
        a.hlt()
    });
    g.run_to_halt();
    assert!(g.log().is_empty(), "{:x?}", g.log());
    assert_eq!(g.res(0), 1, "the #DE task ran once");
    assert_eq!(g.res(1), 20, "the DIV was restarted with ECX = 5");
}
