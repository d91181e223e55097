//! Protected-mode odds and ends: LAR/LSL/VERR/VERW, SGDT/SIDT/STR/SLDT, CS-limit checks on
//! near jumps and straddling instructions, #PF on an instruction that straddles into a
//! not-present page, IRET to ring 3 nulling data segments, global pages (CR4.PGE) and the
//! CR3 a task switch loads.

mod guest;

use guest::*;
use iced_x86::code_asm::*;
use rawbox_cpu::CpuModel;

const CODE_DPL3: u16 = 0x40;
const DATA_RO: u16 = 0x48;
const CODE_XO: u16 = 0x50;
const CONF_DPL0: u16 = 0x58;
const SMALL_CODE: u16 = 0x60;

/// LAR/LSL/VERR/VERW at CPL 3 against descriptors of every kind: ZF and the result.
#[test]
fn lar_lsl_verr_verw() {
    let mut g = Guest::pm32();
    g.set_desc(CODE_DPL3, 0x1_2000, 0x2345, 0xFA, 0x4);
    g.set_desc(DATA_RO, 0, 0x3, 0x90, 0xC); // limit 0x3FFF with G
    g.set_desc(CODE_XO, 0, 0xFFFF, 0x98, 0x0);
    g.set_desc(CONF_DPL0, 0, 0xFFFF, 0x9E, 0x0);
    g.set_idt(0x80, CS0, Guest::stub(0x80), gate::INT32, 3);
    // (selector, mnemonic 0=LAR 1=LSL 2=VERR 3=VERW)
    let cases: [(u16, u8); 16] = [
        (CODE_DPL3 | 3, 0),
        (CODE_DPL3 | 3, 1),
        (DATA_RO | 3, 0), // DPL 0 from CPL 3: invisible
        (DS3, 1),
        (DATA_RO, 2),
        (DS3, 3),
        (CS3, 3), // code is never writable
        (CODE_XO, 2),
        (CONF_DPL0, 2), // conforming: no privilege check
        (TSS_SEL, 0),
        (TSS_SEL, 2),
        (0, 0),
        (0x7F8 + 8, 1), // beyond the GDT limit
        (CS3, 2),
        (CONF_DPL0 | 3, 0),
        (CS0, 1),
    ];
    g.code32(CODE, |a| iret_to_ring3(a, CODE2, 0x2));
    g.code32(CODE2, |a| {
        a.mov(ax, DS3 as u32)?;
        a.mov(ds, ax)?;
        for (k, (sel, op)) in cases.iter().enumerate() {
            a.mov(ecx, *sel as u32)?;
            a.mov(eax, 0xEEEE_EEEEu32)?;
            a.xor(edx, edx)?; // ZF = 1
            a.cmp(edx, 1)?; // ZF = 0
            match op {
                0 => a.lar(eax, ecx)?,
                1 => a.lsl(eax, ecx)?,
                2 => a.verr(cx)?,
                _ => a.verw(cx)?,
            }
            a.setz(dl)?;
            a.mov(dword_ptr(DATA + 8 * k as u32), eax)?;
            a.mov(dword_ptr(DATA + 8 * k as u32 + 4), edx)?;
        }
        a.int(0x80)
    });
    let r = g.single_exception();
    assert_eq!(r.vector, 0x80);
    let got: Vec<(u32, u32)> = (0..cases.len() as u32)
        .map(|k| (g.rd32(DATA + 8 * k), g.rd32(DATA + 8 * k + 4)))
        .collect();
    let e = 0xEEEE_EEEE;
    // LAR returns the access byte and flags nibble as stored (CODE_DPL3 was never loaded,
    // so its accessed bit is still clear).
    let want = vec![
        (0x0040_FA00, 1),
        (0x2345, 1),
        (e, 0),
        (0xFFFF_FFFF, 1),
        (e, 0),
        (e, 1),
        (e, 0),
        (e, 0),
        (e, 1),
        (e, 0),
        (e, 0),
        (e, 0),
        (e, 0),
        (e, 1),
        (0x0000_9E00, 1),
        (e, 0),
    ];
    assert_eq!(got, want);
}

#[test]
fn store_descriptor_table_registers() {
    let mut g = Guest::pm32();
    g.code32(CODE, |a| {
        a.sgdt(ptr(DATA))?;
        a.sidt(ptr(DATA + 8))?;
        a.str(ax)?;
        a.mov(word_ptr(DATA + 16), ax)?;
        a.sldt(ax)?;
        a.mov(word_ptr(DATA + 18), ax)?;
        a.smsw(eax)?;
        a.mov(dword_ptr(DATA + 20), eax)?;
        a.hlt()
    });
    g.wr16(DATA + 18, 0xFFFF);
    g.run_to_halt();
    assert_eq!(g.rd16(DATA), 0x7FF);
    assert_eq!(g.rd32(DATA + 2), GDT);
    assert_eq!(g.rd16(DATA + 8), 0x7FF);
    assert_eq!(g.rd32(DATA + 10), IDT);
    assert_eq!(g.rd16(DATA + 16), TSS_SEL);
    assert_eq!(g.rd16(DATA + 18), 0);
    assert_eq!(g.rd32(DATA + 20) & 0x11, 0x11, "SMSW r32: PE and ET");
}

/// A near JMP whose target is beyond the CS limit faults at the JMP (SDM JMP: #GP(0) "if the
/// target operand is beyond the code segment limits"); an instruction that straddles the limit
/// faults at its first byte.
#[test]
fn cs_limit_checks() {
    let mut g = Guest::pm32();
    g.set_desc(SMALL_CODE, 0, 0x10FFF, 0x9A, 0x4); // byte-granular limit 0x10FFF
    g.code32(CODE, |a| a.jmp_far(SMALL_CODE, CODE + 0x10));
    g.code32(CODE + 0x10, |a| a.jmp(0x11000u64 + 0x10));
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (13, Some(0)));
    assert_eq!(r.eip(), CODE + 0x10, "fault at the JMP");

    let mut g = Guest::pm32();
    g.set_desc(SMALL_CODE, 0, 0x10FFF, 0x9A, 0x4);
    g.code32(CODE, |a| a.jmp_far(SMALL_CODE, 0x10FFD));
    // "mov eax, imm32" (5 bytes) at 0x10FFD: bytes 0x10FFD..0x11001 cross the limit.
    g.code32(0x10FFD, |a| a.mov(eax, 0x1234_5678u32));
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (13, Some(0)));
    assert_eq!(r.eip(), 0x10FFD);
    assert_eq!(g.cpu.state.regs[0] & 0xFFFF_0000, 0, "EAX not written");
}

/// An instruction that straddles into a not-present page: #PF with CR2 = the first byte of
/// that page, EIP = the instruction.
#[test]
fn fetch_straddling_into_not_present_page() {
    let mut g = Guest::pm32();
    g.identity_map();
    const PAGE: u32 = 0x51000;
    let pte = Guest::pte_addr(PAGE);
    g.wr32(pte, 0);
    g.code32(CODE, |a| {
        enable_paging(a, 0)?;
        a.jmp((PAGE - 2) as u64)
    });
    g.code32(PAGE - 2, |a| a.mov(eax, 0x1234_5678u32));
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (14, Some(0)), "{r:x?}");
    assert_eq!(r.cr2, PAGE);
    assert_eq!(r.eip(), PAGE - 2);
}

/// IRET to an outer privilege level nulls data segment registers whose DPL is below the new
/// CPL (SDM IRET: "RETURN-TO-OUTER-PRIVILEGE-LEVEL ... if DPL < CPL ... segment register :=
/// null").
#[test]
fn iret_to_ring3_nulls_inner_data_segments() {
    let mut g = Guest::pm32();
    g.set_idt(0x80, CS0, Guest::stub(0x80), gate::INT32, 3);
    g.code32(CODE, |a| {
        a.mov(ax, DS3 as u32)?;
        a.mov(fs, ax)?;
        a.mov(ax, DS0 as u32)?;
        a.mov(gs, ax)?;
        iret_to_ring3(a, CODE2, 0x2)
    });
    g.code32(CODE2, |a| a.int(0x80));
    let r = g.single_exception();
    // sels: DS, ES, FS, GS as the ring-3 code had them.
    assert_eq!(r.sels, [0, 0, DS3, 0], "{r:x?}");
}

/// CR4.PGE (P6): global translations survive a CR3 reload; INVLPG still drops them.
#[test]
fn global_pages_survive_cr3_reload() {
    const LIN: u32 = 0x60_0000;
    let mut g = Guest::new(CpuModel::Pentium2, Entry::Pm32);
    g.identity_map();
    g.wr32(0x70000, 1);
    g.wr32(0x71000, 2);
    g.wr32(0x72000, 3);
    let pte = Guest::pte_addr(LIN);
    g.wr32(pte, 0x70000 | 0x107); // G
    g.code32(CODE, |a| {
        enable_paging(a, 1 << 7)?;
        a.mov(eax, dword_ptr(LIN))?;
        a.mov(dword_ptr(RES), eax)?;
        a.mov(dword_ptr(pte), 0x71000u32 | 0x107)?;
        a.mov(eax, cr3)?;
        a.mov(cr3, eax)?;
        a.mov(eax, dword_ptr(LIN))?;
        a.mov(dword_ptr(RES + 4), eax)?;
        a.invlpg(ptr(LIN))?;
        a.mov(eax, dword_ptr(LIN))?;
        a.mov(dword_ptr(RES + 8), eax)?;
        a.hlt()
    });
    g.run_to_halt();
    assert_eq!((g.res(0), g.res(1), g.res(2)), (1, 1, 2));
}

/// A task switch loads CR3 from the new TSS (and uses the new address space at once).
#[test]
fn task_switch_loads_cr3() {
    const LIN: u32 = 0x60_0000;
    const PDIR2: u32 = 0x108000;
    const PTAB2: u32 = 0x109000;
    let mut g = Guest::pm32();
    g.identity_map();
    // Second address space: a copy of the first, with LIN mapped to 0x71000.
    for i in 0..1024u32 {
        let v = g.rd32(PDIR + 4 * i);
        g.wr32(PDIR2 + 4 * i, v);
        let t = g.rd32(PTAB + 0x1000 + 4 * i);
        g.wr32(PTAB2 + 4 * i, t);
    }
    g.wr32(PDIR2 + 4, PTAB2 | 7);
    g.wr32(PTAB2 + ((LIN >> 12) & 0x3FF) * 4, 0x71000 | 7);
    g.wr32(0x71000, 0x2222);
    g.wr32(LIN, 0x1111);
    for off in (0..0x68).step_by(4) {
        g.wr32(TSS1 + off, 0);
    }
    g.wr32(TSS1 + 0x1C, PDIR2);
    g.wr32(TSS1 + 0x20, CODE2);
    g.wr32(TSS1 + 0x24, 2);
    g.wr32(TSS1 + 0x38, STACK0 - 0x1000);
    for (i, s) in [DS0, CS0, DS0, DS0, DS0, DS0].iter().enumerate() {
        g.wr32(TSS1 + 0x48 + 4 * i as u32, *s as u32);
    }
    g.set_desc(0x40, TSS1, 0x67, acc::TSS32, 0);
    g.code32(CODE, |a| {
        enable_paging(a, 0)?;
        a.mov(eax, dword_ptr(LIN))?;
        a.mov(dword_ptr(RES), eax)?;
        a.jmp_far(0x40, 0)
    });
    g.code32(CODE2, |a| {
        a.mov(eax, dword_ptr(LIN))?;
        a.mov(dword_ptr(RES + 4), eax)?;
        a.mov(eax, cr3)?;
        a.mov(dword_ptr(RES + 8), eax)?;
        a.hlt()
    });
    g.run_to_halt();
    assert_eq!(g.res(0), 0x1111);
    assert_eq!(g.res(1), 0x2222, "new task sees its own mapping");
    assert_eq!(g.res(2), PDIR2);
    assert_eq!(
        g.rd32(TSS0 + 0x1C),
        0,
        "CR3 is not saved in the old TSS on a switch"
    );
}

const LDT_SEL: u16 = 0x68;
const LDT_BASE: u32 = 0x45000;

/// LLDT loads an LDT from the GDT; selectors with TI = 1 then use it.
#[test]
fn ldt_segments() {
    let mut g = Guest::pm32();
    g.set_desc(LDT_SEL, LDT_BASE, 0x17, acc::LDT, 0);
    // LDT entry 1 (selector 0x0C): data based at DATA.
    let lo = 0xFFFF | (DATA << 16);
    let hi = ((DATA >> 16) & 0xFF) | (0x92 << 8) | (0xC << 20) | (DATA & 0xFF00_0000) | 0xF_0000;
    g.wr32(LDT_BASE + 8, lo);
    g.wr32(LDT_BASE + 12, hi);
    g.code32(CODE, |a| {
        a.mov(ax, LDT_SEL as u32)?;
        a.lldt(ax)?;
        a.mov(ax, 0x0Cu32)?;
        a.mov(es, ax)?;
        a.mov(dword_ptr(0x10).es(), 0xC0DEu32)?;
        a.sldt(ax)?;
        a.mov(word_ptr(RES), ax)?;
        // Beyond the LDT limit (0x17): selector 0x1C -> #GP(0x1C).
        a.mov(ax, 0x1Cu32)?;
        a.mov(fs, ax)
    });
    let r = g.single_exception();
    assert_eq!(g.rd32(DATA + 0x10), 0xC0DE);
    assert_eq!(g.rd16(RES), LDT_SEL);
    assert_eq!((r.vector, r.error), (13, Some(0x1C)));
}

/// LLDT of a non-LDT descriptor and LTR of a busy or non-TSS descriptor: #GP(selector).
#[test]
fn lldt_ltr_checks() {
    for (name, ltr, sel, vector) in [
        ("lldt of a data segment", false, DS0, 13u32),
        ("lldt of a TSS", false, TSS_SEL, 13),
        ("ltr of the busy TSS", true, TSS_SEL, 13),
        ("ltr of a data segment", true, DS0, 13),
        ("ltr of a not-present TSS", true, 0x70, 11),
    ] {
        let mut g = Guest::pm32();
        g.set_desc(0x70, TSS1, 0x67, 0x09, 0);
        g.code32(CODE, |a| {
            a.mov(ax, sel as u32)?;
            if ltr {
                a.ltr(ax)
            } else {
                a.lldt(ax)
            }
        });
        let r = g.single_exception();
        assert_eq!(
            (r.vector, r.error),
            (vector, Some(sel as u32)),
            "{name}: {r:x?}"
        );
    }
}

/// LTR marks the new TSS busy and loads TR; the next privilege change uses its stack.
#[test]
fn ltr_switches_the_ring0_stack_source() {
    let mut g = Guest::pm32();
    g.set_desc(0x70, TSS1, 0x67, acc::TSS32, 0);
    g.wr32(TSS1 + 4, STACK0 - 0x800);
    g.wr32(TSS1 + 8, DS0 as u32);
    g.set_idt(0x80, CS0, Guest::stub(0x80), gate::INT32, 3);
    g.code32(CODE, |a| {
        a.mov(ax, 0x70u32)?;
        a.ltr(ax)?;
        iret_to_ring3(a, CODE2, 0x2)
    });
    g.code32(CODE2, |a| a.int(0x80));
    let r = g.single_exception();
    assert_eq!(r.frame_ptr, STACK0 - 0x800 - 20);
    assert_eq!((g.rd32(GDT + 0x70 + 4) >> 9) & 1, 1, "busy");
}

/// A ring-3 interrupt with a 16-bit (286) TSS takes SS0:SP0 from it.
#[test]
fn ring_change_with_16bit_tss() {
    let mut g = Guest::pm32();
    g.set_desc(0x70, TSS1, 0x2B, acc::TSS16, 0);
    g.wr16(TSS1 + 2, (STACK0 - 0x400) as u16);
    g.wr16(TSS1 + 4, DS0);
    g.set_idt(0x80, CS0, Guest::stub(0x80), gate::INT32, 3);
    g.code32(CODE, |a| {
        a.mov(ax, 0x70u32)?;
        a.ltr(ax)?;
        iret_to_ring3(a, CODE2, 0x2)
    });
    g.code32(CODE2, |a| a.int(0x80));
    let r = g.single_exception();
    // SP0 is 16 bits: (STACK0 - 0x400) & 0xFFFF, with SS0 flat 32-bit.
    assert_eq!(r.frame_ptr, ((STACK0 - 0x400) & 0xFFFF) - 20, "{r:x?}");
    assert_eq!(r.frame[3], STACK3);
}
