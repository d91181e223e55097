//! Virtual-8086 mode: entry through IRETD with VM set from ring 0, real-mode style addressing,
//! IOPL-sensitive instructions (#GP(0) to the monitor below IOPL 3), I/O through the TSS
//! permission bitmap, and interrupts from v86 to ring 0 (the segment registers pushed and
//! nulled).

mod guest;

use guest::*;
use iced_x86::code_asm::*;

/// v86 code at linear 0x9000 (CS = 0x0900, IP = 0), stack at 0x0C00:0x0F00, DS = 0x0600 so
/// that DS:0x100 is `RES`.
const V86_CS: u16 = 0x0900;
const V86_SS: u16 = 0x0C00;
const V86_SP: u32 = 0x0F00;
const V86_DS: u16 = 0x0600;
const V86_ES: u16 = 0x0700;
const V86_FS: u16 = 0x0710;
const V86_GS: u16 = 0x0720;
const VM: u32 = 1 << 17;

/// A guest that enters v86 mode with `iopl` and runs `body` there (16-bit code). The data
/// segment registers are set from the IRET frame. Gate 0x30 (DPL 3) logs.
fn v86_guest(iopl: u32, body: impl FnOnce(&mut Asm) -> AsmResult) -> Guest {
    let mut g = Guest::pm32();
    g.set_idt(0x30, CS0, Guest::stub(0x30), gate::INT32, 3);
    g.code32(CODE, |a| {
        for v in [V86_GS, V86_FS, V86_DS, V86_ES, V86_SS] {
            a.push(v as u32)?;
        }
        a.push(V86_SP)?;
        a.push(VM | (iopl << 12) | 2)?;
        a.push(V86_CS as u32)?;
        a.push(0u32)?;
        a.iretd()
    });
    g.code16(0x9000, body);
    g
}

/// The v86 frame of a logged exception: checks the pushed segment registers and that the
/// handler started with DS/ES/FS/GS null.
fn assert_v86_frame(r: &ExcRecord, ip: u32) {
    assert_eq!(r.eip(), ip, "{r:x?}");
    assert_eq!(r.cs(), V86_CS);
    assert_ne!(r.eflags() & VM, 0, "pushed EFLAGS has VM");
    assert_eq!(r.frame[4], V86_SS as u32, "SS");
    assert_eq!(
        [r.frame[5], r.frame[6], r.frame[7], r.frame[8]],
        [V86_ES as u32, V86_DS as u32, V86_FS as u32, V86_GS as u32],
        "ES DS FS GS pushed"
    );
    assert_eq!(r.sels, [0, 0, 0, 0], "data segments null in the handler");
    assert_eq!(
        r.frame_ptr,
        STACK0 - 36,
        "9-dword frame on the ring-0 stack"
    );
    assert_eq!(r.handler_flags & VM, 0);
}

#[test]
fn v86_runs_real_mode_code() {
    let mut g = v86_guest(3, |a| {
        // DS:0x100 = linear 0x6100.
        a.mov(word_ptr(0x100), 0x1234u32)?;
        a.mov(ax, ds)?;
        a.mov(word_ptr(0x102), ax)?;
        a.mov(ax, sp)?;
        a.mov(word_ptr(0x104), ax)?;
        // A segment load is a real-mode load (base = selector * 16).
        a.mov(ax, 0x0620u32)?;
        a.mov(es, ax)?;
        a.mov(word_ptr(0x0).es(), 0x5678u32)?;
        a.int(0x30)
    });
    let r = g.single_exception();
    assert_eq!(g.rd16(RES), 0x1234);
    assert_eq!(g.rd16(RES + 2), V86_DS);
    assert_eq!(g.rd16(RES + 4), V86_SP as u16);
    assert_eq!(g.rd16(0x6200), 0x5678, "ES:0 = 0x620 * 16");
    assert_eq!(r.vector, 0x30);
    assert_eq!(r.frame[5], 0x0620, "ES as changed by the v86 code");
    assert_eq!(g.cpu.state.cpl, 0);
    assert!(!g.cpu.state.v86());
}

#[test]
fn iopl_sensitive_instructions_fault_below_iopl3() {
    type F = fn(&mut Asm) -> AsmResult;
    let cases: [(&str, F); 9] = [
        ("cli", |a| a.cli()),
        ("sti", |a| a.sti()),
        ("pushf", |a| a.pushf()),
        ("pushfd", |a| a.pushfd()),
        ("popf", |a| a.popf()),
        ("popfd", |a| a.popfd()),
        ("int 0x30", |a| a.int(0x30)),
        ("iret", |a| a.iret()),
        ("iretd", |a| a.iretd()),
    ];
    for iopl in [0u32, 1, 2] {
        for (name, f) in cases {
            let mut g = v86_guest(iopl, |a| {
                a.nop()?;
                f(a)
            });
            let r = g.single_exception();
            assert_eq!(
                (r.vector, r.error),
                (13, Some(0)),
                "iopl {iopl} {name}: {r:x?}"
            );
            assert_v86_frame(&r, 1);
        }
    }
}

/// With IOPL 3 the same instructions execute: CLI/STI/PUSHF/POPF work on the real IF, INT n
/// goes through the protected-mode IDT.
#[test]
fn iopl3_instructions_work() {
    let mut g = v86_guest(3, |a| {
        a.sti()?;
        a.pushf()?;
        a.pop(ax)?;
        a.mov(word_ptr(0x100), ax)?;
        a.cli()?;
        a.pushfd()?;
        a.pop(eax)?;
        a.mov(dword_ptr(0x104), eax)?;
        a.push(0x0202u32)?;
        a.popf()?;
        a.int(0x30)
    });
    let r = g.single_exception();
    assert_eq!(r.vector, 0x30);
    assert_eq!(g.rd16(RES) & 0x200, 0x200, "IF after STI");
    let fl32 = g.rd32(RES + 4);
    assert_eq!(fl32 & 0x200, 0, "IF after CLI");
    // SDM PUSHFD: VM and RF are cleared in the pushed image.
    assert_eq!(
        fl32 & (VM | 0x1_0000),
        0,
        "PUSHFD clears VM and RF in the image"
    );
    assert_eq!(r.eflags() & 0x3200, 0x3200, "IF from POPF, IOPL 3 kept");
    assert_v86_frame(&r, 0x15);
}

/// INT n from v86 through a gate of DPL < 3 is #GP(vector*8+2).
#[test]
fn int_through_dpl0_gate_faults() {
    let mut g = v86_guest(3, |a| a.int(0x31));
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (13, Some(0x31 * 8 + 2)), "{r:x?}");
    assert_v86_frame(&r, 0);
}

/// Exceptions in v86 mode go to ring 0 whatever the IOPL.
#[test]
fn exceptions_from_v86() {
    let mut g = v86_guest(0, |a| {
        a.xor(cx, cx)?;
        a.div(cx)
    });
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (0, None));
    assert_v86_frame(&r, 2);
    let mut g = v86_guest(0, |a| a.ud2());
    let r = g.single_exception();
    assert_eq!(r.vector, 6);
    assert_v86_frame(&r, 0);
}

/// IN/OUT in v86 mode always consult the I/O permission bitmap (IOPL does not matter).
#[test]
fn io_permission_bitmap() {
    for iopl in [0u32, 3] {
        let mut g = v86_guest(iopl, |a| {
            a.in_(al, 0x60)?;
            a.mov(byte_ptr(0x100), al)?;
            a.mov(al, 0x11u32)?;
            a.out(0x60, al)?;
            a.mov(dx, 0x3F8u32)?;
            a.out(dx, al)?;
            // A word access needs both bits clear: 0x61 is denied.
            a.in_(ax, 0x60)
        });
        g.set_io_bitmap(&[0x60, 0x3F8]);
        let r = g.single_exception();
        assert_eq!((r.vector, r.error), (13, Some(0)), "iopl {iopl}: {r:x?}");
        assert_v86_frame(&r, 2 + 3 + 2 + 2 + 3 + 1);
        assert_eq!(g.rd8(RES), 0x5A, "port 0x60 read");
        assert_eq!(g.bus.writes, vec![(0x60, 1, 0x11), (0x3F8, 1, 0x11)]);
        assert_eq!(g.bus.reads, vec![0x60]);
    }
    // A denied port faults before any access.
    let mut g = v86_guest(3, |a| a.out(0x61, al));
    g.set_io_bitmap(&[0x60]);
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (13, Some(0)));
    assert!(g.bus.writes.is_empty());
    // Without a bitmap (its base beyond the TSS limit) every port is denied.
    let mut g = v86_guest(3, |a| a.in_(al, 0x60));
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (13, Some(0)));
    assert!(g.bus.reads.is_empty());
}

/// The I/O bitmap also applies in protected mode when CPL > IOPL.
#[test]
fn io_bitmap_at_ring3() {
    let mut g = Guest::pm32();
    g.set_io_bitmap(&[0x70, 0x71]);
    g.code32(CODE, |a| iret_to_ring3(a, CODE2, 0x2));
    g.code32(CODE2, |a| {
        a.mov(dx, 0x70u32)?;
        a.in_(ax, dx)?;
        a.out(dx, al)?;
        a.mov(dx, 0x72u32)?;
        a.out(dx, al)
    });
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (13, Some(0)));
    assert_eq!(r.eip(), CODE2 + 4 + 2 + 1 + 4);
    assert_eq!(g.bus.writes, vec![(0x70, 1, 0x5A)]);
}

/// A ring-0 handler IRETs back into v86 mode; the v86 segment registers come back from the
/// frame.
#[test]
fn iret_from_ring0_back_to_v86() {
    let mut g = v86_guest(0, |a| {
        a.cli()?;
        a.mov(word_ptr(0x100), 0x7777u32)?;
        a.mov(ax, es)?;
        a.mov(word_ptr(0x102), ax)?;
        a.ud2()
    });
    // The monitor's #GP handler skips the one-byte CLI and IRETs back to v86.
    g.set_idt(13, CS0, CODE3, gate::INT32, 0);
    g.code32(CODE3, |a| {
        a.add(esp, 4)?;
        a.inc(dword_ptr(esp).ss())?;
        a.iretd()
    });
    let r = g.single_exception();
    assert_eq!(r.vector, 6);
    assert_eq!(g.rd16(RES), 0x7777);
    assert_eq!(g.rd16(RES + 2), V86_ES);
    assert_v86_frame(&r, 1 + 6 + 2 + 3);
}

/// INT3 and INTO are not IOPL-sensitive in v86 mode (SDM INT n pseudocode: the IOPL < 3 #GP
/// applies to "INT n" only; SDM 20.2.7 lists CLI, STI, PUSHF, POPF, INT n, IRET): they go
/// through the IDT, where the gate's DPL must be 3.
#[test]
fn int3_and_into_are_not_iopl_sensitive() {
    // DPL 3 gate: #BP/#OF delivered as traps (EIP past the instruction).
    let mut g = v86_guest(0, |a| a.int3());
    g.set_idt(3, CS0, Guest::stub(3), gate::INT32, 3);
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (3, None), "{r:x?}");
    assert_v86_frame(&r, 1);
    let mut g = v86_guest(1, |a| {
        a.mov(al, 0x7Fu32)?;
        a.add(al, 1)?;
        a.into()
    });
    g.set_idt(4, CS0, Guest::stub(4), gate::INT32, 3);
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (4, None), "{r:x?}");
    assert_v86_frame(&r, 5);
    // DPL 0 gate: #GP(vector*8+2) like any software interrupt at CPL 3.
    let mut g = v86_guest(0, |a| a.int3());
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (13, Some(3 * 8 + 2)), "{r:x?}");
    assert_v86_frame(&r, 0);
    // "INT 3" in its two-byte form (CD 03) is INT n: IOPL-sensitive.
    let mut g = v86_guest(0, |a| a.int(3));
    g.set_idt(3, CS0, Guest::stub(3), gate::INT32, 3);
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (13, Some(0)), "{r:x?}");
}

const VIF: u32 = 1 << 19;

/// A v86 guest with CR4.VME on.
fn vme_guest(iopl: u32, body: impl FnOnce(&mut Asm) -> AsmResult) -> Guest {
    let mut g = v86_guest(iopl, body);
    // Prefix the ring-0 entry with MOV CR4: re-assemble the entry at CODE.
    g.code32(CODE, |a| {
        a.mov(eax, 1u32)?;
        a.mov(cr4, eax)?;
        for v in [V86_GS, V86_FS, V86_DS, V86_ES, V86_SS] {
            a.push(v as u32)?;
        }
        a.push(V86_SP)?;
        a.push(VM | (iopl << 12) | 0x202)?;
        a.push(V86_CS as u32)?;
        a.push(0u32)?;
        a.iretd()
    });
    g
}

/// CR4.VME (SDM 20.3): with IOPL < 3, CLI and STI change VIF instead of faulting; IF stays.
#[test]
fn vme_cli_sti_use_vif() {
    let mut g = vme_guest(0, |a| {
        a.cli()?;
        a.int3()
    });
    g.set_idt(3, CS0, Guest::stub(3), gate::INT32, 3);
    let r = g.single_exception();
    assert_eq!(r.vector, 3, "{r:x?}");
    assert_eq!(r.eflags() & (VIF | 0x200), 0x200, "VIF cleared, IF kept");
    let mut g = vme_guest(0, |a| {
        a.sti()?;
        a.int3()
    });
    g.set_idt(3, CS0, Guest::stub(3), gate::INT32, 3);
    let r = g.single_exception();
    assert_eq!(r.eflags() & (VIF | 0x200), VIF | 0x200, "VIF set");
}

/// CR4.VME: PUSHF pushes FLAGS with VIF in the IF position and IOPL 3; POPF sets VIF from
/// the popped IF (SDM 20.3.1).
#[test]
fn vme_pushf_popf() {
    let mut g = vme_guest(0, |a| {
        a.cli()?;
        a.pushf()?;
        a.pop(ax)?;
        a.mov(word_ptr(0x100), ax)?;
        a.push(0x0200u32)?;
        a.popf()?;
        a.int3()
    });
    g.set_idt(3, CS0, Guest::stub(3), gate::INT32, 3);
    let r = g.single_exception();
    assert_eq!(r.vector, 3, "{r:x?}");
    assert_eq!(
        g.rd16(RES) & 0x3200,
        0x3000,
        "IF image = VIF (0), IOPL reads 3"
    );
    assert_ne!(r.eflags() & VIF, 0, "POPF set VIF");
}

/// CR4.VME: INT n whose bit in the TSS interrupt redirection bitmap is clear goes through the
/// v86 IVT at linear 0 like real mode (SDM 20.3.3, method 5).
#[test]
fn vme_int_redirection() {
    let mut g = vme_guest(0, |a| a.int(0x21));
    g.set_io_bitmap(&[]);
    // Redirection bitmap: the 32 bytes below the I/O map base, all clear = redirect all.
    for i in 0..32 {
        g.wr8(TSS0 + IOMAP_OFF - 32 + i, 0);
    }
    g.wr16(0x21 * 4, 0x0000);
    g.wr16(0x21 * 4 + 2, 0x0980); // handler at 0980:0000 = 0x9800
    g.code16(0x9800, |a| {
        a.mov(word_ptr(0x100), 0x2121u32)?;
        a.int3()
    });
    g.set_idt(3, CS0, Guest::stub(3), gate::INT32, 3);
    let r = g.single_exception();
    assert_eq!(r.vector, 3, "{r:x?}");
    assert_eq!(g.rd16(RES), 0x2121);
}

/// VME redirection: the frame on the v86 stack holds FLAGS with IF = VIF and IOPL = 3, VIF is
/// cleared in the handler, and a 16-bit IRET (VIF from the popped IF) returns; a vector whose
/// bitmap bit is set still faults at IOPL < 3.
#[test]
fn vme_redirected_int_frame_and_iret() {
    let mut g = vme_guest(0, |a| {
        a.sti()?; // VIF = 1
        a.int(0x21)?;
        a.mov(word_ptr(0x108), 0x0BACu32)?;
        a.int(0x22)
    });
    g.set_io_bitmap(&[]);
    for i in 0..32 {
        g.wr8(TSS0 + IOMAP_OFF - 32 + i, 0);
    }
    g.wr8(TSS0 + IOMAP_OFF - 32 + 0x22 / 8, 1 << (0x22 % 8));
    g.wr16(0x21 * 4, 0x0000);
    g.wr16(0x21 * 4 + 2, 0x0980);
    g.code16(0x9800, |a| {
        a.mov(bp, sp)?;
        a.mov(ax, word_ptr(bp + 4).ss())?; // pushed FLAGS
        a.mov(word_ptr(0x100), ax)?;
        a.mov(ax, word_ptr(bp + 2).ss())?; // pushed CS
        a.mov(word_ptr(0x102), ax)?;
        a.mov(ax, word_ptr(bp).ss())?; // pushed IP
        a.mov(word_ptr(0x104), ax)?;
        a.pushf()?;
        a.pop(ax)?;
        a.mov(word_ptr(0x106), ax)?; // FLAGS image inside: IF = VIF = 0
        a.iret()
    });
    let r = g.single_exception();
    assert_eq!(
        (r.vector, r.error),
        (13, Some(0)),
        "INT 0x22 (bit set) faults: {r:x?}"
    );
    assert_eq!(
        g.rd16(RES) & 0x3200,
        0x3200,
        "pushed FLAGS: IF = VIF = 1, IOPL = 3"
    );
    assert_eq!(g.rd16(RES + 2), V86_CS);
    assert_eq!(g.rd16(RES + 4), 3, "return IP past INT 0x21");
    assert_eq!(g.rd16(RES + 6) & 0x200, 0, "VIF cleared for the handler");
    assert_eq!(g.rd16(RES + 8), 0x0BAC, "IRET returned");
    assert_ne!(r.eflags() & VIF, 0, "IRET restored VIF from the popped IF");
    assert_ne!(r.eflags() & 0x200, 0, "the real IF never changed");
}

/// VME faults: PUSHFD/POPFD, POPF setting TF, STI with VIP pending.
#[test]
fn vme_faults() {
    type F = fn(&mut Asm) -> AsmResult;
    let cases: [(&str, F, u32); 4] = [
        ("pushfd", |a| a.pushfd(), 0),
        ("popfd", |a| a.popfd(), 0),
        (
            "popf with TF",
            |a| {
                a.push(0x0100u32)?;
                a.popf()
            },
            3,
        ),
        ("sti with VIP", |a| a.sti(), 0),
    ];
    for (name, f, ip) in cases {
        let mut g = vme_guest(0, f);
        if name == "sti with VIP" {
            // Enter v86 with VIP set.
            g.code32(CODE, |a| {
                a.mov(eax, 1u32)?;
                a.mov(cr4, eax)?;
                for v in [V86_GS, V86_FS, V86_DS, V86_ES, V86_SS] {
                    a.push(v as u32)?;
                }
                a.push(V86_SP)?;
                a.push(VM | (1 << 20) | 0x202)?;
                a.push(V86_CS as u32)?;
                a.push(0u32)?;
                a.iretd()
            });
        }
        let r = g.single_exception();
        assert_eq!((r.vector, r.error), (13, Some(0)), "{name}: {r:x?}");
        assert_eq!(r.eip(), ip, "{name}");
    }
}

/// An INT from v86 mode through an IDT task gate: the v86 state (VM in EFLAGS, the real-mode
/// selectors) is saved in the old TSS; the nested task's IRET switches back into v86 mode.
#[test]
fn task_gate_from_v86_and_back() {
    let mut g = v86_guest(3, |a| {
        a.mov(ax, 0x1234u32)?;
        a.int(0x46)?;
        a.mov(word_ptr(0x100), ax)?;
        a.mov(ax, ds)?;
        a.mov(word_ptr(0x102), ax)?;
        a.int(0x30)
    });
    for off in (0..0x68).step_by(4) {
        g.wr32(TSS1 + off, 0);
    }
    g.wr32(TSS1 + 0x20, CODE2);
    g.wr32(TSS1 + 0x24, 2);
    g.wr32(TSS1 + 0x38, STACK0 - 0x1000);
    for (i, s) in [DS0, CS0, DS0, DS0, DS0, DS0].iter().enumerate() {
        g.wr32(TSS1 + 0x48 + 4 * i as u32, *s as u32);
    }
    g.set_desc(0x40, TSS1, 0x67, acc::TSS32, 0);
    g.set_idt(0x46, 0x40, 0, gate::TASK, 3);
    g.code32(CODE2, |a| {
        // The v86 task's saved state: EFLAGS, CS, DS, EAX; then change its AX and return.
        a.mov(eax, dword_ptr(TSS0 + 0x24))?;
        a.mov(dword_ptr(RES + 0x10), eax)?;
        a.mov(eax, dword_ptr(TSS0 + 0x4C))?;
        a.mov(dword_ptr(RES + 0x14), eax)?;
        a.mov(eax, dword_ptr(TSS0 + 0x54))?;
        a.mov(dword_ptr(RES + 0x18), eax)?;
        a.mov(eax, dword_ptr(TSS0 + 0x20))?;
        a.mov(dword_ptr(RES + 0x1C), eax)?;
        a.mov(dword_ptr(TSS0 + 0x28), 0x5678u32)?;
        a.iretd()
    });
    let r = g.single_exception();
    assert_eq!(r.vector, 0x30, "{r:x?}");
    assert_ne!(g.res(4) & VM, 0, "saved EFLAGS has VM");
    assert_eq!(g.res(5) & 0xFFFF, V86_CS as u32);
    assert_eq!(g.res(6) & 0xFFFF, V86_DS as u32);
    assert_eq!(g.res(7), 5, "saved IP past the INT");
    assert_eq!(g.rd16(RES), 0x5678, "AX from the TSS after the IRET");
    assert_eq!(g.rd16(RES + 2), V86_DS);
    assert_v86_frame(&r, 3 + 2 + 3 + 2 + 3 + 2);
}
