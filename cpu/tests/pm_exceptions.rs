//! Exceptions with their vectors, error codes and return EIPs (faults point at the faulting
//! instruction, traps past it), privileged instructions at CPL 3, and IDT gate behaviour:
//! interrupt vs trap gates, 16- vs 32-bit frames, ring 3 -> ring 0 stack switches, IRET back,
//! and call gates with parameter copy.

mod guest;

use guest::*;
use iced_x86::code_asm::*;
use rawbox_cpu::CpuModel;

/// Runs `prelude` then `subject` at CPL `ring` on `model`; the subject's first instruction
/// must raise `vector`/`error`. Trap-type events (`trap`) return past that instruction.
#[allow(clippy::too_many_arguments)]
fn check(
    model: CpuModel,
    name: &str,
    ring: u8,
    setup0: &dyn Fn(&mut Asm) -> AsmResult,
    prelude: &dyn Fn(&mut Asm) -> AsmResult,
    subject: &dyn Fn(&mut Asm) -> AsmResult,
    vector: u32,
    error: Option<u32>,
    trap: bool,
) {
    let mut g = Guest::new(model, Entry::Pm32);
    g.code32(CODE, |a| {
        setup0(a)?;
        if ring == 3 {
            iret_to_ring3(a, CODE2, 0x2)
        } else {
            a.jmp(CODE2 as u64)
        }
    });
    let pre = g.code32(CODE2, |a| prelude(a));
    let at = CODE2 + pre;
    let mut sub_len = 0;
    g.code32(at, |a| {
        subject(a)?;
        // Mark the first subject instruction's length by assembling it alone below.
        a.mov(dword_ptr(RES + 0x40).ss(), 0x600Du32)?;
        a.hlt()
    });
    if trap {
        let mut a = CodeAssembler::new(32).unwrap();
        subject(&mut a).unwrap();
        let insns = a.take_instructions();
        let mut one = CodeAssembler::new(32).unwrap();
        one.add_instruction(insns[0]).unwrap();
        sub_len = one.assemble(at as u64).unwrap().len() as u32;
    }
    g.run_to_halt();
    let log = g.log();
    assert!(!log.is_empty(), "{model} {name}: no exception");
    let r = log[0];
    assert_eq!(r.vector, vector, "{model} {name}: {r:x?}");
    assert_eq!(r.error, error, "{model} {name}: {r:x?}");
    assert_eq!(r.eip(), at + sub_len, "{model} {name}: return EIP");
    let want_cs = if ring == 3 { CS3 } else { CS0 };
    assert_eq!(r.cs(), want_cs, "{model} {name}");
    if ring == 3 {
        // Privilege change: SS:ESP of ring 3 were pushed, and the frame is on the TSS stack.
        assert_eq!(r.frame[4], DS3 as u32, "{model} {name}: pushed SS");
        let words = if error.is_some() { 6 } else { 5 };
        assert_eq!(
            r.frame_ptr,
            STACK0 - 4 * words + 4 * (words - 5),
            "{model} {name}"
        );
    }
}

fn none(_: &mut Asm) -> AsmResult {
    Ok(())
}

fn ds3(a: &mut Asm) -> AsmResult {
    a.mov(ax, DS3 as u32)?;
    a.mov(ds, ax)?;
    a.mov(es, ax)
}

#[test]
fn faults_and_traps_at_ring0() {
    type F = fn(&mut Asm) -> AsmResult;
    /// Name, prelude, subject, vector, error code, trap.
    type Case = (&'static str, F, F, u32, Option<u32>, bool);
    let cases: Vec<Case> = vec![
        ("ud2", none, |a| a.ud2(), 6, None, false),
        ("mov cs, ax", none, |a| a.db(&[0x8E, 0xC8]), 6, None, false),
        (
            "lea with register operand",
            none,
            |a| a.db(&[0x8D, 0xC0]),
            6,
            None,
            false,
        ),
        ("lock nop", none, |a| a.db(&[0xF0, 0x90]), 6, None, false),
        (
            "div by zero",
            |a| {
                a.xor(ecx, ecx)?;
                a.mov(eax, 5u32)
            },
            |a| a.div(ecx),
            0,
            None,
            false,
        ),
        (
            "idiv overflow",
            |a| {
                a.mov(eax, 0x8000_0000u32)?;
                a.mov(edx, 0xFFFF_FFFFu32)?;
                a.mov(ecx, 0xFFFF_FFFFu32)
            },
            |a| a.idiv(ecx),
            0,
            None,
            false,
        ),
        ("int3", none, |a| a.int3(), 3, None, true),
        ("int 3 (CD 03)", none, |a| a.int(3), 3, None, true),
        ("int 0x40", none, |a| a.int(0x40), 0x40, None, true),
        (
            "into with OF",
            |a| {
                a.mov(al, 0x7Fu32)?;
                a.add(al, 1)
            },
            |a| a.into(),
            4,
            None,
            true,
        ),
        (
            "bound above",
            |a| {
                a.mov(dword_ptr(DATA), 0u32)?;
                a.mov(dword_ptr(DATA + 4), 10u32)?;
                a.mov(eax, 11u32)
            },
            |a| a.bound(eax, qword_ptr(DATA)),
            5,
            None,
            false,
        ),
        (
            "bound below (signed)",
            |a| {
                a.mov(dword_ptr(DATA), 0u32)?;
                a.mov(dword_ptr(DATA + 4), 10u32)?;
                a.mov(eax, 0xFFFF_FFFFu32)
            },
            |a| a.bound(eax, qword_ptr(DATA)),
            5,
            None,
            false,
        ),
        (
            "fld1 with CR0.TS",
            |a| {
                a.mov(eax, cr0)?;
                a.or(eax, 8)?;
                a.mov(cr0, eax)
            },
            |a| a.fld1(),
            7,
            None,
            false,
        ),
        (
            "fld1 with CR0.EM",
            |a| {
                a.mov(eax, cr0)?;
                a.or(eax, 4)?;
                a.mov(cr0, eax)
            },
            |a| a.fld1(),
            7,
            None,
            false,
        ),
        (
            "wait with CR0.TS and CR0.MP",
            |a| {
                a.mov(eax, cr0)?;
                a.or(eax, 0xA)?;
                a.mov(cr0, eax)
            },
            |a| a.wait(),
            7,
            None,
            false,
        ),
        (
            "int to a not-present gate",
            none,
            |a| a.int(0x50),
            11,
            Some(0x50 * 8 + 2),
            false,
        ),
        (
            "int beyond the IDT limit",
            |a| {
                a.mov(word_ptr(DATA), 0x1FFu32)?;
                a.mov(dword_ptr(DATA + 2), IDT)?;
                a.lidt(ptr(DATA))
            },
            |a| a.int(0x60),
            13,
            Some(0x60 * 8 + 2),
            false,
        ),
    ];
    for (name, pre, sub, v, e, trap) in cases {
        let mut g_pre = pre;
        if name == "int to a not-present gate" {
            g_pre = |a| {
                // Clear P of gate 0x50 (byte 5 of the descriptor).
                a.and(byte_ptr(IDT + 0x50 * 8 + 5), 0x7F)
            };
        }
        check(CpuModel::Pentium, name, 0, &none, &g_pre, &sub, v, e, trap);
    }
}

/// SDM INTO: "If the OF flag is 0, INTO does nothing"; WAIT with TS but not MP does not fault.
#[test]
fn non_faulting_cases() {
    let mut g = Guest::pm32();
    g.code32(CODE, |a| {
        a.xor(eax, eax)?;
        a.into()?;
        a.mov(eax, cr0)?;
        a.and(eax, !2u32)?;
        a.or(eax, 8)?;
        a.mov(cr0, eax)?;
        a.wait()?;
        a.mov(dword_ptr(DATA), 0u32)?;
        a.mov(dword_ptr(DATA + 4), 10u32)?;
        a.mov(eax, 10u32)?;
        a.bound(eax, qword_ptr(DATA))?;
        a.mov(dword_ptr(RES), 1u32)?;
        a.hlt()
    });
    g.run_to_halt();
    assert!(g.log().is_empty(), "{:x?}", g.log());
    assert_eq!(g.res(0), 1);
}

#[test]
fn privileged_instructions_at_ring3() {
    type F = fn(&mut Asm) -> AsmResult;
    let cases: Vec<(&str, F)> = vec![
        ("cli", |a| a.cli()),
        ("sti", |a| a.sti()),
        ("hlt", |a| a.hlt()),
        ("mov cr0, eax", |a| a.mov(cr0, eax)),
        ("mov eax, cr0", |a| a.mov(eax, cr0)),
        ("mov eax, cr3", |a| a.mov(eax, cr3)),
        ("mov dr7, eax", |a| a.mov(dr7, eax)),
        ("lgdt", |a| a.lgdt(ptr(DATA))),
        ("lidt", |a| a.lidt(ptr(DATA))),
        ("lldt", |a| a.lldt(ax)),
        ("ltr", |a| a.ltr(ax)),
        ("lmsw", |a| a.lmsw(ax)),
        ("clts", |a| a.clts()),
        ("invlpg", |a| a.invlpg(ptr(DATA))),
        ("wbinvd", |a| a.wbinvd()),
        ("invd", |a| a.invd()),
        ("rdmsr", |a| a.rdmsr()),
        ("wrmsr", |a| a.wrmsr()),
        ("in al, dx (IOPL 0, no bitmap)", |a| a.in_(al, dx)),
        ("out 0x80, al", |a| a.out(0x80, al)),
        ("insb", |a| a.insb()),
        ("outsd", |a| a.outsd()),
    ];
    for (name, sub) in cases {
        check(
            CpuModel::Pentium,
            name,
            3,
            &none,
            &ds3,
            &sub,
            13,
            Some(0),
            false,
        );
    }
    // INT n through a DPL 0 gate from CPL 3: #GP(vector*8 + 2).
    check(
        CpuModel::Pentium,
        "int 0x40 via DPL0 gate",
        3,
        &none,
        &ds3,
        &|a| a.int(0x40),
        13,
        Some(0x40 * 8 + 2),
        false,
    );
    // RDTSC with CR4.TSD at CPL 3.
    check(
        CpuModel::Pentium,
        "rdtsc with CR4.TSD",
        3,
        &|a| {
            a.mov(eax, 4u32)?;
            a.mov(cr4, eax)
        },
        &ds3,
        &|a| a.rdtsc(),
        13,
        Some(0),
        false,
    );
    // A ring-3 #UD still goes to ring 0 with a stack switch.
    check(
        CpuModel::Pentium,
        "ud2 at ring 3",
        3,
        &none,
        &ds3,
        &|a| a.ud2(),
        6,
        None,
        false,
    );
}

/// POPF at CPL 3 with IOPL 0 silently keeps IF and IOPL (no fault).
#[test]
fn popf_at_ring3_keeps_if_and_iopl() {
    let mut g = Guest::pm32();
    g.set_idt(0x80, CS0, Guest::stub(0x80), gate::INT32, 3);
    g.code32(CODE, |a| iret_to_ring3(a, CODE2, 0x202));
    g.code32(CODE2, |a| {
        a.push(0x3000u32)?; // IOPL 3, IF 0
        a.popfd()?;
        a.int(0x80)
    });
    g.run_to_halt();
    let r = g.log()[0];
    assert_eq!(r.vector, 0x80);
    assert_eq!(
        r.eflags() & 0x3200,
        0x200,
        "IF kept set, IOPL kept 0: {r:x?}"
    );
}

/// #AC: 486+ with CR0.AM and EFLAGS.AC at CPL 3 on a misaligned access, error code 0.
#[test]
fn alignment_check() {
    let setup: &dyn Fn(&mut Asm) -> AsmResult = &|a| {
        a.mov(eax, cr0)?;
        a.or(eax, 1 << 18)?;
        a.mov(cr0, eax)
    };
    for model in [CpuModel::I80486, CpuModel::Pentium, CpuModel::Pentium2] {
        let mut g = Guest::new(model, Entry::Pm32);
        g.code32(CODE, |a| {
            setup(a)?;
            iret_to_ring3(a, CODE2, 0x4_0002)
        });
        g.code32(CODE2, |a| {
            ds3(a)?;
            a.mov(eax, dword_ptr(DATA + 2))?;
            a.hlt()
        });
        g.run_to_halt();
        let r = g.log()[0];
        assert_eq!((r.vector, r.error), (17, Some(0)), "{model}: {r:x?}");
        assert_eq!(r.eip(), CODE2 + 10, "{model}");
    }
    // No #AC: on the 386; at CPL 0; without CR0.AM; on an aligned access.
    let variants: [(CpuModel, u8, bool, u32); 4] = [
        (CpuModel::I80386, 3, true, 2),
        (CpuModel::Pentium, 0, true, 2),
        (CpuModel::Pentium, 3, false, 2),
        (CpuModel::Pentium, 3, true, 4),
    ];
    for (model, ring, am, off) in variants {
        let mut g = Guest::new(model, Entry::Pm32);
        g.set_idt(0x80, CS0, Guest::stub(0x80), gate::INT32, 3);
        g.code32(CODE, |a| {
            if am {
                setup(a)?;
            }
            if ring == 3 {
                iret_to_ring3(a, CODE2, 0x4_0002)
            } else {
                a.push(0x4_0002u32)?;
                a.popfd()?;
                a.jmp(CODE2 as u64)
            }
        });
        g.code32(CODE2, |a| {
            if ring == 3 {
                ds3(a)?;
            }
            a.mov(eax, dword_ptr(DATA + off))?;
            a.int(0x80)
        });
        g.run_to_halt();
        let r = g.log()[0];
        assert_eq!(
            r.vector, 0x80,
            "{model} ring {ring} am {am} off {off}: {r:x?}"
        );
    }
}

/// Interrupt gates clear IF, trap gates leave it; both push the EFLAGS image with IF set.
#[test]
fn interrupt_gate_vs_trap_gate() {
    for (typ, if_in_handler) in [(gate::INT32, false), (gate::TRAP32, true)] {
        let mut g = Guest::pm32();
        g.set_idt(0x41, CS0, Guest::stub(0x41), typ, 0);
        g.code32(CODE, |a| {
            a.sti()?;
            a.int(0x41)
        });
        let r = g.single_exception();
        assert_eq!(r.vector, 0x41);
        assert_eq!(r.eflags() & 0x200, 0x200);
        assert_eq!(r.handler_flags & 0x200 != 0, if_in_handler, "gate {typ:x}");
        assert_eq!(r.frame_ptr, STACK0 - 12);
    }
}

/// A 16-bit interrupt gate pushes a 16-bit frame (FLAGS, CS, IP: 6 bytes, plus a 2-byte error
/// code); a 32-bit gate pushes 12 (+4).
#[test]
fn gate_size_sets_frame_size() {
    for (typ, vec, frame_bytes) in [
        (gate::INT16, 0x42u8, 6u32),
        (gate::INT32, 0x42, 12),
        (gate::INT16, 13, 8),
        (gate::INT32, 13, 16),
    ] {
        let mut g = Guest::pm32();
        // The handler must sit below 64 KB for the 16-bit gate's offset.
        g.set_idt(vec, CS0, 0x9000, typ, 0);
        g.code32(0x9000, |a| {
            a.mov(dword_ptr(RES), esp)?;
            a.hlt()
        });
        let mut int_len = 0;
        g.code32(CODE, |a| {
            a.mov(eax, 0x1234_5678u32)?;
            if vec == 13 {
                // #GP(0x20): load a selector beyond... use a code selector into SS.
                a.mov(ax, CS0 as u32)?;
                a.mov(ss, ax)
            } else {
                a.int(vec as u32)
            }
        });
        if vec != 13 {
            int_len = 2;
        }
        g.run_to_halt();
        let sp_val = g.res(0);
        assert_eq!(sp_val, STACK0 - frame_bytes, "gate {typ:x} vector {vec}");
        let w = if typ == gate::INT16 { 2 } else { 4 };
        let read = |g: &Guest, at: u32| {
            if w == 2 {
                g.rd16(at) as u32
            } else {
                g.rd32(at)
            }
        };
        let mut p = sp_val;
        if vec == 13 {
            assert_eq!(read(&g, p), CS0 as u32 & !3, "error code");
            p += w;
        }
        // "mov eax, imm32" (5) + "mov ax, imm16" (4) then the faulting "mov ss, ax".
        let ip = if vec == 13 {
            CODE + 9
        } else {
            CODE + 5 + int_len
        };
        // A 16-bit gate pushes only the low 16 bits of EIP.
        let ip_mask = if w == 2 { 0xFFFF } else { 0xFFFF_FFFF };
        assert_eq!(read(&g, p), ip & ip_mask, "gate {typ:x}: IP");
        assert_eq!(read(&g, p + w), CS0 as u32, "gate {typ:x}: CS");
        assert_eq!(read(&g, p + 2 * w) & 0x2, 0x2, "gate {typ:x}: FLAGS");
    }
}

/// INT from ring 3 through a DPL 3 gate switches to SS0:ESP0 from the TSS and pushes SS, ESP,
/// EFLAGS, CS, EIP; IRET returns to ring 3.
#[test]
fn ring3_to_ring0_and_iret_back() {
    let mut g = Guest::pm32();
    g.set_idt(0x80, CS0, Guest::stub(0x80), gate::INT32, 3);
    // Vector 0x81: a ring-0 handler that records its CPL and stack and IRETs.
    g.set_idt(0x81, CS0, CODE3, gate::INT32, 3);
    g.code32(CODE3, |a| {
        a.mov(ax, cs)?;
        a.mov(dword_ptr(RES + 0x10).ss(), eax)?;
        a.mov(dword_ptr(RES + 0x14).ss(), esp)?;
        a.mov(ax, ss)?;
        a.mov(dword_ptr(RES + 0x18).ss(), eax)?;
        for i in 0..5u32 {
            a.mov(eax, dword_ptr(esp + 4 * i).ss())?;
            a.mov(dword_ptr(RES + 0x20 + 4 * i).ss(), eax)?;
        }
        a.iretd()
    });
    g.code32(CODE, |a| iret_to_ring3(a, CODE2, 0x202));
    let mut int81_end = 0;
    g.code32(CODE2, |a| {
        ds3(a)?;
        a.mov(ebx, 0x55u32)?;
        a.int(0x81)?;
        a.mov(ax, cs)?;
        a.mov(dword_ptr(RES), eax)?;
        a.mov(dword_ptr(RES + 4), esp)?;
        a.int(0x80)
    });
    // ds3 (10 bytes) + mov ebx (5) + int (2)
    int81_end += CODE2 + 10 + 5 + 2;
    let r = g.single_exception();
    assert_eq!(g.res(4) & 0xFFFF, CS0 as u32, "handler runs at CPL 0");
    assert_eq!(g.res(5), STACK0 - 20, "5-dword frame on the TSS stack");
    assert_eq!(g.res(6) & 0xFFFF, DS0 as u32, "SS0 from the TSS");
    assert_eq!(g.res(8), int81_end, "pushed EIP");
    assert_eq!(g.res(9), CS3 as u32);
    assert_eq!(g.res(10) & 0x202, 0x202);
    assert_eq!(g.res(11), STACK3);
    assert_eq!(g.res(12), DS3 as u32);
    // Back at ring 3 after IRET, with the ring-3 stack.
    assert_eq!(g.res(0) & 0xFFFF, CS3 as u32);
    assert_eq!(g.res(1), STACK3);
    // Then INT 0x80 logged a ring-3 frame.
    assert_eq!(r.vector, 0x80);
    assert_eq!(r.frame[3], STACK3);
    assert_eq!(r.frame[4], DS3 as u32);
    assert_eq!(g.cpu.state.cpl, 0);
}

/// CALL FAR through a 32-bit call gate from ring 3 to ring 0 copies the parameters to the new
/// stack; RETF n returns to ring 3, popping them, and nulls data segment registers whose DPL is
/// below the new CPL (SDM RET: "If ... DPL < CPL ... load a null selector").
#[test]
fn call_gate_with_parameters_and_retf_to_outer() {
    let mut g = Guest::pm32();
    const GATE: u16 = 0x80;
    g.set_gdt_gate(GATE, CS0, CODE3, gate::CALL32, 3, 2);
    g.set_idt(0x80, CS0, Guest::stub(0x80), gate::INT32, 3);
    g.code32(CODE3, |a| {
        // Ring 0: copy the frame to RES+0x20.., then load DPL0 selectors into DS and ES,
        // a DPL3 one into FS, and return.
        for i in 0..6u32 {
            a.mov(eax, dword_ptr(esp + 4 * i).ss())?;
            a.mov(dword_ptr(RES + 0x20 + 4 * i).ss(), eax)?;
        }
        a.mov(ax, cs)?;
        a.mov(dword_ptr(RES + 0x40).ss(), eax)?;
        a.mov(ax, DS0 as u32)?;
        a.mov(ds, ax)?;
        a.mov(es, ax)?;
        a.mov(ax, DS3 as u32)?;
        a.mov(fs, ax)?;
        a.retf_1(8)
    });
    g.code32(CODE, |a| iret_to_ring3(a, CODE2, 0x2));
    g.code32(CODE2, |a| {
        ds3(a)?;
        a.push(0x1111_1111u32)?;
        a.push(0x2222_2222u32)?;
        a.call_far(GATE | 3, 0)?;
        a.mov(dword_ptr(RES).fs(), esp)?;
        a.mov(ax, ds)?;
        a.mov(dword_ptr(RES + 4).fs(), eax)?;
        a.mov(ax, es)?;
        a.mov(dword_ptr(RES + 8).fs(), eax)?;
        a.mov(ax, cs)?;
        a.mov(dword_ptr(RES + 12).fs(), eax)?;
        a.int(0x80)
    });
    let r = g.single_exception();
    assert_eq!(r.vector, 0x80);
    let call_end = CODE2 + 10 + 5 + 5 + 7;
    // New stack: EIP, CS, param (last pushed first in memory: 0x22222222), 0x11111111, ESP, SS.
    let frame: Vec<u32> = (0..6).map(|i| g.res(8 + i)).collect();
    assert_eq!(
        frame,
        vec![
            call_end,
            CS3 as u32,
            0x2222_2222,
            0x1111_1111,
            STACK3 - 8,
            DS3 as u32
        ]
    );
    assert_eq!(g.res(0x10) & 0xFFFF, CS0 as u32, "CPL 0 inside the gate");
    assert_eq!(
        g.res(0),
        STACK3,
        "RETF 8 pops the parameters from the outer stack"
    );
    assert_eq!(g.res(1) & 0xFFFF, 0, "DS (DPL 0) nulled");
    assert_eq!(g.res(2) & 0xFFFF, 0, "ES (DPL 0) nulled");
    assert_eq!(g.res(3) & 0xFFFF, CS3 as u32);
}

/// A call gate whose DPL is below CPL, and one that is not present.
#[test]
fn call_gate_checks() {
    for (dpl, present, vector, error) in [(0u8, true, 13u32, 0x80u32), (3, false, 11, 0x80)] {
        let mut g = Guest::pm32();
        g.set_gdt_gate(0x80, CS0, CODE3, gate::CALL32, dpl, 0);
        if !present {
            g.clear_present(GDT + 0x80);
        }
        g.code32(CODE, |a| iret_to_ring3(a, CODE2, 0x2));
        g.code32(CODE2, |a| a.call_far(0x83, 0));
        let r = g.single_exception();
        assert_eq!((r.vector, r.error), (vector, Some(error)), "{r:x?}");
        assert_eq!(r.eip(), CODE2);
    }
}

/// A far call from ring 3 to a conforming DPL 0 code segment keeps CPL 3 (no stack switch);
/// to a non-conforming DPL 0 segment it is #GP(selector).
#[test]
fn conforming_code_keeps_cpl() {
    const CONF: u16 = 0x40;
    let mut g = Guest::pm32();
    g.set_desc(CONF, 0, 0xFFFFF, 0x9E, 0xC);
    g.set_idt(0x80, CS0, Guest::stub(0x80), gate::INT32, 3);
    g.code32(CODE, |a| iret_to_ring3(a, CODE2, 0x2));
    g.code32(CODE2, |a| {
        ds3(a)?;
        a.call_far(CONF, CODE3)?;
        a.int(0x80)
    });
    g.code32(CODE3, |a| {
        a.mov(ax, cs)?;
        a.mov(dword_ptr(RES), eax)?;
        a.mov(dword_ptr(RES + 4), esp)?;
        a.retf()
    });
    let r = g.single_exception();
    assert_eq!(r.vector, 0x80, "{r:x?}");
    assert_eq!(g.res(0) & 0xFFFF, (CONF | 3) as u32, "CS.RPL = CPL = 3");
    assert_eq!(g.res(1), STACK3 - 8, "same stack");
    assert_eq!(r.cs(), CS3, "RETF back at ring 3");

    let mut g = Guest::pm32();
    g.code32(CODE, |a| iret_to_ring3(a, CODE2, 0x2));
    g.code32(CODE2, |a| a.call_far(CS0, CODE3));
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (13, Some(CS0 as u32)));
}

/// An interrupt gate whose target code segment has DPL > CPL: #GP(selector).
#[test]
fn gate_to_outer_privilege_code_faults() {
    let mut g = Guest::pm32();
    g.set_idt(0x44, CS3, CODE3, gate::INT32, 0);
    g.code32(CODE, |a| a.int(0x44));
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (13, Some(CS3 as u32 & !3)), "{r:x?}");
    assert_eq!(r.eip(), CODE);
}

/// A privilege change through a gate with an invalid SS0 in the TSS raises #TS(SS0 selector);
/// the #TS goes through a task gate so it has a stack to run on.
#[test]
fn bad_ss0_in_tss_is_ts() {
    let mut g = Guest::pm32();
    g.set_idt(0x80, CS0, Guest::stub(0x80), gate::INT32, 3);
    // SS0 = a read-only data segment.
    g.set_desc(0x48, 0, 0xFFFFF, 0x90, 0xC);
    g.wr32(TSS0 + 8, 0x48);
    // #TS handler task.
    for off in (0..0x68).step_by(4) {
        g.wr32(TSS1 + off, 0);
    }
    g.wr32(TSS1 + 0x20, CODE3);
    g.wr32(TSS1 + 0x24, 2);
    g.wr32(TSS1 + 0x38, STACK0 - 0x2000);
    for (i, s) in [DS0, CS0, DS0, DS0, DS0, DS0].iter().enumerate() {
        g.wr32(TSS1 + 0x48 + 4 * i as u32, *s as u32);
    }
    g.set_desc(0x40, TSS1, 0x67, acc::TSS32, 0);
    g.set_idt(10, 0x40, 0, gate::TASK, 0);
    g.code32(CODE3, |a| {
        a.pop(eax)?;
        a.mov(dword_ptr(RES), eax)?;
        a.mov(eax, dword_ptr(TSS0 + 0x20))?;
        a.mov(dword_ptr(RES + 4), eax)?;
        a.hlt()
    });
    g.code32(CODE, |a| iret_to_ring3(a, CODE2, 0x2));
    g.code32(CODE2, |a| a.int(0x80));
    g.wr32(RES, 0xFFFF_FFFF);
    g.run_to_halt();
    assert_eq!(g.res(0), 0x48, "#TS(SS0 selector), EXT = 0 for INT n");
    assert_eq!(g.res(1), CODE2, "the INT is the faulting instruction");
}

/// A 16-bit call gate from ring 3 copies parameter *words* to the ring-0 stack and pushes a
/// 16-bit frame (IP, CS, params, SP, SS).
#[test]
fn call_gate_16bit_params() {
    let mut g = Guest::pm32();
    g.set_gdt_gate(0x80, CS0, 0x9000, gate::CALL16, 3, 3);
    g.set_idt(0x80, CS0, Guest::stub(0x80), gate::INT32, 3);
    g.code32(0x9000, |a| {
        a.mov(dword_ptr(RES).ss(), esp)?;
        for i in 0..4u32 {
            a.mov(eax, dword_ptr(esp + 4 * i).ss())?;
            a.mov(dword_ptr(RES + 4 + 4 * i).ss(), eax)?;
        }
        a.hlt()
    });
    g.code32(CODE, |a| iret_to_ring3(a, CODE2, 0x2));
    g.code32(CODE2, |a| {
        a.push(0xAAAA_1111u32)?; // the low word of each dword is a parameter word
        a.push(0xBBBB_2222u32)?;
        a.call_far(0x83, 0)
    });
    g.run_to_halt();
    // 16-bit frame: IP, CS, 3 parameter words, SP, SS = 7 words.
    assert_eq!(g.res(0), STACK0 - 14);
    let words: Vec<u16> = (0..7).map(|i| g.rd16(RES + 4 + 2 * i)).collect();
    // The parameter words are the 3 words at the old SS:SP: 0x2222, 0xBBBB, 0x1111.
    assert_eq!(
        words,
        vec![
            (CODE2 + 10 + 7) as u16,
            CS3,
            0x2222,
            0xBBBB,
            0x1111,
            (STACK3 - 8) as u16,
            DS3
        ]
    );
}

/// JMP through a call gate cannot change privilege: #GP(code selector) for a more privileged
/// non-conforming target.
#[test]
fn jmp_through_call_gate_to_inner_level_faults() {
    let mut g = Guest::pm32();
    g.set_gdt_gate(0x80, CS0, CODE3, gate::CALL32, 3, 0);
    g.code32(CODE, |a| iret_to_ring3(a, CODE2, 0x2));
    g.code32(CODE2, |a| a.jmp_far(0x83, 0));
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (13, Some(CS0 as u32)), "{r:x?}");
}

/// A call gate to the same privilege level: no stack switch, a plain far-call frame.
#[test]
fn call_gate_same_level() {
    let mut g = Guest::pm32();
    g.set_gdt_gate(0x80, CS0, CODE3, gate::CALL32, 0, 2);
    g.code32(CODE3, |a| {
        a.mov(dword_ptr(RES), esp)?;
        a.mov(eax, dword_ptr(esp))?;
        a.mov(dword_ptr(RES + 4), eax)?;
        a.mov(eax, dword_ptr(esp + 4))?;
        a.mov(dword_ptr(RES + 8), eax)?;
        a.hlt()
    });
    g.code32(CODE, |a| {
        a.push(5u32)?;
        a.call_far(0x80, 0)
    });
    g.run_to_halt();
    assert_eq!(
        g.res(0),
        STACK0 - 4 - 8,
        "no parameter copy at the same level"
    );
    assert_eq!(g.res(1), CODE + 2 + 7);
    assert_eq!(g.res(2), CS0 as u32);
}

/// RETF to an outer level checks the outer SS: RPL must equal the new CPL (#GP(selector)).
#[test]
fn retf_to_outer_checks_ss() {
    let mut g = Guest::pm32();
    g.code32(CODE, |a| {
        a.push((DS3 & !3) as u32)?; // SS with RPL 0 for a return to ring 3
        a.push(STACK3)?;
        a.push(CS3 as u32)?;
        a.push(CODE2)?;
        a.retf()
    });
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (13, Some((DS3 & !3) as u32)), "{r:x?}");
    assert_eq!(r.eip(), CODE + 2 + 5 + 2 + 5);
    assert_eq!(g.cpu.state.cpl, 0);
}

/// A call gate whose offset is beyond the target's limit: #GP(0) at the CALL with nothing
/// changed (the ring-3 stack and SS are intact, no frame on the inner stack).
#[test]
fn call_gate_offset_beyond_limit() {
    for dpl_target in [0u8, 3] {
        let mut g = Guest::pm32();
        let (code_sel, acc_byte) = if dpl_target == 0 {
            (0x40u16, 0x9Au8)
        } else {
            (0x43, 0xFA)
        };
        g.set_desc(code_sel, 0, 0xFFFF, acc_byte, 0x4);
        g.set_gdt_gate(0x80, code_sel, 0x2_0000, gate::CALL32, 3, 0);
        g.code32(CODE, |a| iret_to_ring3(a, CODE2, 0x2));
        g.code32(CODE2, |a| a.call_far(0x83, 0));
        let r = g.single_exception();
        assert_eq!(
            (r.vector, r.error),
            (13, Some(0)),
            "target DPL {dpl_target}: {r:x?}"
        );
        assert_eq!(r.eip(), CODE2);
        assert_eq!(r.cs(), CS3);
        assert_eq!(r.frame[3], STACK3, "ESP untouched");
        assert_eq!(r.frame[4], DS3 as u32, "SS untouched");
    }
}

/// A 16-bit stack segment (B = 0) in 32-bit code: PUSH and interrupt frames use SP only and
/// keep the high half of ESP (SDM 6.2.3 / 3.4.5: the B flag selects SP or ESP).
#[test]
fn sixteen_bit_stack_in_32bit_code() {
    let mut g = Guest::pm32();
    g.set_idt(0x41, CS0, 0x9000, gate::INT32, 0);
    g.code32(0x9000, |a| {
        a.mov(dword_ptr(RES + 4), esp)?;
        a.hlt()
    });
    g.code32(CODE, |a| {
        a.mov(ax, DS16 as u32)?;
        a.mov(ss, ax)?;
        a.mov(esp, 0xABCD_0104u32)?;
        a.push(0x1111_2222u32)?;
        a.mov(dword_ptr(RES), esp)?;
        a.int(0x41)
    });
    g.run_to_halt();
    assert_eq!(g.res(0), 0xABCD_0100);
    assert_eq!(g.rd32(0x100), 0x1111_2222, "pushed at SS:SP");
    assert_eq!(
        g.res(1),
        0xABCD_00F4,
        "12-byte frame below SP, high half kept"
    );
    assert_eq!(g.rd32(0xF4), CODE + 4 + 3 + 5 + 5 + 6 + 2, "pushed EIP");
}

/// Instructions a model does not have raise #UD (486 additions on the 386, Pentium additions
/// on the 486).
#[test]
fn model_specific_invalid_opcodes() {
    type F = fn(&mut Asm) -> AsmResult;
    let cases: [(CpuModel, &str, F); 9] = [
        (CpuModel::I80386, "invlpg", |a| a.invlpg(ptr(DATA))),
        (CpuModel::I80386, "bswap", |a| a.bswap(eax)),
        (CpuModel::I80386, "cmpxchg", |a| a.cmpxchg(ecx, edx)),
        (CpuModel::I80386, "xadd", |a| a.xadd(ecx, edx)),
        (CpuModel::I80386, "cpuid", |a| a.cpuid()),
        (CpuModel::I80386, "mov eax, cr4", |a| a.mov(eax, cr4)),
        (CpuModel::I80486, "rdtsc", |a| a.rdtsc()),
        (CpuModel::I80486, "cmpxchg8b", |a| {
            a.cmpxchg8b(qword_ptr(DATA))
        }),
        (CpuModel::I80486, "mov cr4, eax", |a| a.mov(cr4, eax)),
    ];
    for (model, name, f) in cases {
        check(model, name, 0, &none, &none, &f, 6, None, false);
    }
}
