//! Nested faults: the EXT bit of error codes for faults raised while delivering an event,
//! double faults (contributory pairs, #PF during #PF) with error code 0, triple faults ending
//! `run` with `RunExit::Shutdown`; and debug traps: single-step (TF, DR6.BS) and a DR0/DR7
//! execute breakpoint (fault before the instruction, RF to continue).

mod guest;

use guest::*;
use iced_x86::code_asm::*;
use rawbox_cpu::RunExit;

const NP_DATA: u16 = 0x40;

/// An exception whose IDT gate is not present raises #NP(vector*8 + 2 + EXT), with EXT = 1
/// because it happened while delivering an event external to the program (SDM 6.13).
#[test]
fn not_present_gate_during_exception_sets_ext() {
    let mut g = Guest::pm32();
    g.clear_present(IDT + 6 * 8);
    g.code32(CODE, |a| a.ud2());
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (11, Some(6 * 8 + 2 + 1)), "{r:x?}");
    assert_eq!(r.eip(), CODE, "#NP reports the instruction that raised #UD");
}

/// INT n through a not-present gate: EXT = 0 (a software interrupt is internal).
#[test]
fn not_present_gate_for_int_n_has_no_ext() {
    let mut g = Guest::pm32();
    g.clear_present(IDT + 0x33 * 8);
    g.code32(CODE, |a| a.int(0x33));
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (11, Some(0x33 * 8 + 2)), "{r:x?}");
}

/// #NP whose gate points at a data segment: delivering it raises #GP, a contributory
/// exception during a contributory one: #DF with error code 0.
#[test]
fn gp_while_delivering_np_is_double_fault() {
    let mut g = Guest::pm32();
    g.set_desc(NP_DATA, 0, 0xFFFFF, 0x12, 0xC);
    g.set_idt(11, DS0, Guest::stub(11), gate::INT32, 0);
    g.code32(CODE, |a| {
        a.mov(ax, NP_DATA as u32)?;
        a.mov(ds, ax)
    });
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (8, Some(0)), "{r:x?}");
}

/// #GP whose gate is not present: #NP during #GP delivery is a double fault.
#[test]
fn np_while_delivering_gp_is_double_fault() {
    let mut g = Guest::pm32();
    g.clear_present(IDT + 13 * 8);
    g.code32(CODE, |a| {
        a.xor(eax, eax)?;
        a.mov(ss, ax)
    });
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (8, Some(0)), "{r:x?}");
}

/// A benign exception (#UD) followed by a contributory one during its delivery is handled
/// serially, not as a double fault (SDM Table 6-5).
#[test]
fn benign_then_contributory_is_not_double_fault() {
    let mut g = Guest::pm32();
    g.set_idt(6, DS0, Guest::stub(6), gate::INT32, 0);
    g.code32(CODE, |a| a.ud2());
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (13, Some(DS0 as u32 + 1)), "{r:x?}");
}

/// #PF while delivering #PF (the ring-0 stack is not mapped) is a double fault; the #DF
/// goes through a task gate to a task with a good stack, which sees error code 0.
#[test]
fn page_fault_during_page_fault_via_task_gate() {
    let mut g = Guest::pm32();
    g.identity_map();
    const UNMAPPED: u32 = 0x50_0000;
    let pte = Guest::pte_addr(UNMAPPED - 0x1000);
    g.wr32(pte, 0);
    let pte2 = Guest::pte_addr(UNMAPPED);
    g.wr32(pte2, 0);
    // The #DF task.
    for off in (0..0x68).step_by(4) {
        g.wr32(TSS1 + off, 0);
    }
    g.wr32(TSS1 + 0x1C, PDIR);
    g.wr32(TSS1 + 0x20, CODE2);
    g.wr32(TSS1 + 0x24, 2);
    g.wr32(TSS1 + 0x38, STACK0 - 0x2000);
    for (i, s) in [DS0, CS0, DS0, DS0, DS0, DS0].iter().enumerate() {
        g.wr32(TSS1 + 0x48 + 4 * i as u32, *s as u32);
    }
    g.set_desc(0x40, TSS1, 0x67, acc::TSS32, 0);
    g.set_idt(8, 0x40, 0, gate::TASK, 0);
    g.code32(CODE2, |a| {
        a.pop(eax)?;
        a.mov(dword_ptr(RES), eax)?;
        a.mov(eax, cr2)?;
        a.mov(dword_ptr(RES + 4), eax)?;
        a.mov(dword_ptr(RES + 8), 0xDFu32)?;
        a.hlt()
    });
    g.code32(CODE, |a| {
        enable_paging(a, 0)?;
        a.mov(esp, UNMAPPED + 0x10)?;
        a.mov(eax, dword_ptr(UNMAPPED + 0x800))
    });
    assert_eq!(g.run(), RunExit::Halted);
    assert_eq!(g.res(2), 0xDF, "#DF task ran; log {:x?}", g.log());
    assert_eq!(g.res(0), 0, "#DF error code");
    assert_eq!(g.cpu.state.tr.selector, 0x40);
}

/// A fault while delivering #DF shuts the processor down: `run` returns Shutdown.
#[test]
fn triple_fault_shuts_down() {
    // No usable IDT at all.
    let mut g = Guest::pm32();
    g.code32(CODE, |a| {
        a.mov(word_ptr(DATA), 0u32)?;
        a.lidt(ptr(DATA))?;
        a.ud2()
    });
    assert_eq!(g.run(), RunExit::Shutdown);
    // #DF gate not present either.
    let mut g = Guest::pm32();
    g.clear_present(IDT + 13 * 8);
    g.clear_present(IDT + 8 * 8);
    g.code32(CODE, |a| {
        a.xor(eax, eax)?;
        a.mov(ss, ax)
    });
    assert_eq!(g.run(), RunExit::Shutdown);
    // A ring-0 stack that cannot hold any frame.
    let mut g = Guest::pm32();
    g.set_desc(0x40, 0, 0, 0x92, 0x4);
    g.code32(CODE, |a| {
        a.mov(ax, 0x40u32)?;
        a.mov(ss, ax)?;
        a.mov(esp, 0x100u32)?;
        a.ud2()
    });
    assert_eq!(g.run(), RunExit::Shutdown);
    // Shutdown again on the next call does not panic either.
    let _ = g.run_budget(100);
}

/// Records #DB frames: EIP and DR6 at DATA + 8*n, count at DATA + 0x400; clears DR6;
/// sets RF in the pushed EFLAGS when `set_rf`.
fn db_handler(g: &mut Guest, set_rf: bool) {
    g.set_idt(1, CS0, CODE3, gate::INT32, 0);
    g.code32(CODE3, |a| {
        a.push(eax)?;
        a.push(ebx)?;
        a.mov(ebx, dword_ptr(DATA + 0x400))?;
        a.mov(eax, dword_ptr(esp + 8))?;
        a.mov(dword_ptr(ebx * 8 + DATA), eax)?;
        a.mov(eax, dr6)?;
        a.mov(dword_ptr(ebx * 8 + DATA + 4), eax)?;
        a.inc(dword_ptr(DATA + 0x400))?;
        a.mov(eax, dword_ptr(RES))?;
        a.mov(dword_ptr(DATA + 0x404), eax)?;
        a.xor(eax, eax)?;
        a.mov(dr6, eax)?;
        if set_rf {
            a.or(dword_ptr(esp + 16), 0x1_0000u32)?;
        }
        a.pop(ebx)?;
        a.pop(eax)?;
        a.iretd()
    });
}

fn db_log(g: &Guest) -> Vec<(u32, u32)> {
    let n = g.rd32(DATA + 0x400);
    (0..n.min(64))
        .map(|i| (g.rd32(DATA + 8 * i), g.rd32(DATA + 8 * i + 4)))
        .collect()
}

/// TF: a #DB trap after each instruction that began with TF set, EIP = the next instruction,
/// DR6.BS set. The POPF that sets TF is not trapped; the one that clears it is.
#[test]
fn single_step() {
    let mut g = Guest::pm32();
    db_handler(&mut g, false);
    let mut addrs = Vec::new();
    let mut a = CodeAssembler::new(32).unwrap();
    a.pushfd().unwrap();
    a.or(dword_ptr(esp), 0x100u32).unwrap();
    a.popfd().unwrap();
    a.nop().unwrap();
    a.nop().unwrap();
    a.mov(eax, 5u32).unwrap();
    a.pushfd().unwrap();
    a.and(dword_ptr(esp), !0x100u32).unwrap();
    a.popfd().unwrap();
    a.nop().unwrap();
    a.hlt().unwrap();
    let r = a
        .assemble_options(
            CODE as u64,
            iced_x86::BlockEncoderOptions::RETURN_NEW_INSTRUCTION_OFFSETS,
        )
        .unwrap();
    let bytes = r.inner.code_buffer.clone();
    for i in 0..11 {
        addrs.push(r.inner.new_instruction_offsets[i] + CODE);
    }
    g.cpu.mem.write_bytes(CODE, &bytes);
    g.run_to_halt();
    let log = db_log(&g);
    // Traps after instructions 3..=8 (nop, nop, mov, pushfd, and, popfd): EIPs 4..=9.
    let eips: Vec<u32> = log.iter().map(|e| e.0).collect();
    assert_eq!(eips, addrs[4..=9].to_vec());
    for (at, status) in log {
        assert_ne!(status & (1 << 14), 0, "DR6.BS at {at:#x}");
    }
    assert_eq!(g.cpu.state.regs[0], 5);
}

/// DR0 execute breakpoint: #DB (a fault) before the instruction runs, DR6.B0 set; with RF
/// set in the pushed EFLAGS the IRET resumes and the instruction runs once.
#[test]
fn execute_breakpoint() {
    let mut g = Guest::pm32();
    db_handler(&mut g, true);
    let target = CODE + 0x100;
    g.code32(CODE, |a| {
        a.mov(eax, target)?;
        a.mov(dr0, eax)?;
        a.mov(eax, 0x1u32)?; // L0, RW0 = 00 (execute), LEN0 = 00
        a.mov(dr7, eax)?;
        a.jmp(target as u64)
    });
    g.code32(target, |a| {
        a.inc(dword_ptr(RES))?;
        a.hlt()
    });
    g.run_to_halt();
    let log = db_log(&g);
    assert_eq!(log.len(), 1, "{log:x?}");
    assert_eq!(log[0].0, target, "fault: EIP is the breakpoint address");
    assert_ne!(log[0].1 & 1, 0, "DR6.B0");
    assert_eq!(
        g.rd32(DATA + 0x404),
        0,
        "the instruction had not run at the #DB"
    );
    assert_eq!(
        g.res(0),
        1,
        "the instruction ran exactly once after the IRET"
    );
}

/// A disabled breakpoint (DR7 = 0) does nothing.
#[test]
fn disabled_breakpoint_does_not_fire() {
    let mut g = Guest::pm32();
    db_handler(&mut g, true);
    let target = CODE + 0x100;
    g.code32(CODE, |a| {
        a.mov(eax, target)?;
        a.mov(dr0, eax)?;
        a.jmp(target as u64)
    });
    g.code32(target, |a| {
        a.inc(dword_ptr(RES))?;
        a.hlt()
    });
    g.run_to_halt();
    assert!(db_log(&g).is_empty());
    assert_eq!(g.res(0), 1);
}

/// RF is cleared once an instruction completes (SDM 18.3.1.1: "The processor clears the RF
/// flag at the end of every instruction ... except IRET"): an INT two instructions after an
/// IRET that set RF pushes EFLAGS with RF clear.
#[test]
fn rf_cleared_after_next_instruction() {
    let mut g = Guest::pm32();
    g.code32(CODE, |a| {
        a.push(0x1_0002u32)?;
        a.push(CS0 as u32)?;
        a.push(CODE2)?;
        a.iretd()
    });
    g.code32(CODE2, |a| {
        a.nop()?;
        a.int(0x41)
    });
    let r = g.single_exception();
    assert_eq!(r.vector, 0x41);
    assert_eq!(r.eflags() & 0x1_0000, 0, "RF clear: {r:x?}");
}

/// MOV SS delays the single-step trap past the next instruction (SDM MOV: "inhibits all
/// interrupts, including the single-step trap, until after execution of the next
/// instruction").
#[test]
fn mov_ss_delays_single_step() {
    let mut g = Guest::pm32();
    db_handler(&mut g, false);
    let mut a = CodeAssembler::new(32).unwrap();
    a.mov(eax, DS0 as u32).unwrap();
    a.pushfd().unwrap();
    a.or(dword_ptr(esp), 0x100u32).unwrap();
    a.popfd().unwrap();
    a.mov(ss, ax).unwrap();
    a.nop().unwrap();
    a.nop().unwrap();
    a.pushfd().unwrap();
    a.and(dword_ptr(esp), !0x100u32).unwrap();
    a.popfd().unwrap();
    a.hlt().unwrap();
    let r = a
        .assemble_options(
            CODE as u64,
            iced_x86::BlockEncoderOptions::RETURN_NEW_INSTRUCTION_OFFSETS,
        )
        .unwrap();
    let addrs: Vec<u32> = r
        .inner
        .new_instruction_offsets
        .iter()
        .map(|o| o + CODE)
        .collect();
    g.cpu.mem.write_bytes(CODE, &r.inner.code_buffer);
    g.run_to_halt();
    let eips: Vec<u32> = db_log(&g).iter().map(|e| e.0).collect();
    // Instructions: 0 mov, 1 pushfd, 2 or, 3 popfd(TF on), 4 mov ss, 5 nop, 6 nop, 7 pushfd,
    // 8 and, 9 popfd(TF off), 10 hlt. No trap after MOV SS: the first one comes after the
    // first NOP.
    assert_eq!(
        eips,
        vec![addrs[6], addrs[7], addrs[8], addrs[9], addrs[10]]
    );
}

/// A gate whose offset is beyond its code segment's limit: #GP(EXT) raised before anything
/// is pushed or any state changes (SDM INT n: "IF instruction pointer from gate is not within
/// new code-segment limits THEN #GP(EXT)"), so the #GP frame is the one of the ring-3 #UD.
#[test]
fn gate_offset_beyond_limit() {
    let mut g = Guest::pm32();
    g.set_desc(0x40, 0, 0xFFFF, 0x9A, 0x4); // ring-0 code, limit 0xFFFF
    g.set_idt(6, 0x40, 0x2_0000, gate::INT32, 0);
    g.code32(CODE, |a| iret_to_ring3(a, CODE2, 0x2));
    g.code32(CODE2, |a| a.ud2());
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (13, Some(1)), "{r:x?}");
    assert_eq!(r.eip(), CODE2);
    assert_eq!(r.cs(), CS3, "frame of the ring-3 instruction");
    assert_eq!(r.frame[3], STACK3);
    assert_eq!(
        r.frame_ptr,
        STACK0 - 20,
        "one frame (EIP at ESP0 - 20) on the ring-0 stack"
    );
}

/// DR0 data write breakpoint (DR7 RW0 = 01, LEN0 = 11): a trap after the writing instruction,
/// DR6.B0 set (SDM 18.2.4).
#[test]
fn data_write_breakpoint() {
    let mut g = Guest::pm32();
    db_handler(&mut g, false);
    g.code32(CODE, |a| {
        a.mov(eax, DATA + 0x100)?;
        a.mov(dr0, eax)?;
        a.mov(eax, 0x000D_0001u32)?; // L0, RW0 = 01, LEN0 = 11
        a.mov(dr7, eax)?;
        a.mov(dword_ptr(DATA + 0x100), 1u32)?;
        a.nop()?;
        a.hlt()
    });
    g.run_to_halt();
    let log = db_log(&g);
    assert_eq!(log.len(), 1, "{log:x?}");
    assert_eq!(
        log[0].0,
        CODE + 5 + 3 + 5 + 3 + 10,
        "trap: EIP after the write"
    );
    assert_ne!(log[0].1 & 1, 0, "DR6.B0");
}
