//! Entering 16- and 32-bit protected mode and the protection checks on segment loads and
//! accesses (#GP/#NP/#SS with their selector error codes).

mod guest;

use guest::*;
use iced_x86::code_asm::*;
use rawbox_cpu::{CpuModel, RunExit};

#[test]
fn enter_32bit_protected_mode() {
    let mut g = Guest::pm32();
    g.code32(CODE, |a| {
        a.mov(eax, cr0)?;
        a.mov(dword_ptr(RES), eax)?;
        a.mov(ax, cs)?;
        a.mov(dword_ptr(RES + 4), eax)?;
        // A 32-bit operation with no prefix: the code segment is 32-bit.
        a.mov(eax, 0x1234_5678u32)?;
        a.mov(dword_ptr(RES + 8), eax)?;
        a.str(ax)?;
        a.mov(word_ptr(RES + 12), ax)?;
        a.hlt()
    });
    g.run_to_halt();
    assert_eq!(g.res(0) & 1, 1, "CR0.PE");
    assert_eq!(g.res(1) & 0xFFFF, CS0 as u32);
    assert_eq!(g.res(2), 0x1234_5678);
    assert_eq!(g.res(3) & 0xFFFF, TSS_SEL as u32);
    assert!(g.cpu.state.code32());
    assert_eq!(g.cpu.state.cpl, 0);
    assert!(g.log().is_empty());
    // LTR marks the TSS descriptor busy (type 0xB).
    assert_eq!((g.rd32(GDT + TSS_SEL as u32 + 4) >> 8) & 0xF, 0xB);
}

#[test]
fn enter_16bit_protected_mode_with_lmsw() {
    for model in [CpuModel::I80286, CpuModel::I80386, CpuModel::Pentium] {
        let mut g = Guest::new(model, Entry::Pm16);
        g.code16(CODE16, |a| {
            a.smsw(ax)?;
            a.mov(word_ptr(RES), ax)?;
            a.mov(ax, cs)?;
            a.mov(word_ptr(RES + 2), ax)?;
            // 16-bit default operand size: B8 iw.
            a.mov(ax, 0xBEEFu32)?;
            a.mov(word_ptr(RES + 4), ax)?;
            a.hlt()
        });
        g.run_to_halt();
        assert_eq!(g.rd16(RES) & 1, 1, "{model}: MSW.PE");
        assert_eq!(g.rd16(RES + 2), CS16, "{model}");
        assert_eq!(g.rd16(RES + 4), 0xBEEF, "{model}");
        assert!(g.cpu.state.protected() && !g.cpu.state.code32(), "{model}");
    }
}

/// LMSW can set PE but never clear it (SDM: LMSW "cannot be used to clear the PE flag").
#[test]
fn lmsw_cannot_clear_pe() {
    let mut g = Guest::new(CpuModel::I80386, Entry::Pm16);
    g.code16(CODE16, |a| {
        a.xor(ax, ax)?;
        a.lmsw(ax)?;
        a.smsw(ax)?;
        a.mov(word_ptr(RES), ax)?;
        a.hlt()
    });
    g.run_to_halt();
    assert_eq!(g.rd16(RES) & 1, 1);
}

/// Extra GDT descriptors used by the segment-check cases.
const RO_DATA: u16 = 0x40; // read-only data, DPL 0
const NP_DATA: u16 = 0x48; // writable data, not present
const XO_CODE: u16 = 0x50; // execute-only code
const DATA_DPL3: u16 = 0x58; // writable data, DPL 3
const RX_CODE: u16 = 0x60; // readable code
const SMALL_DATA: u16 = 0x70; // writable data, limit 0xFF
const SMALL_STACK: u16 = 0x78; // writable data, base STACK0-0x1000, limit 0xFFF

fn seg_guest() -> Guest {
    let mut g = Guest::pm32();
    g.set_desc(RO_DATA, 0, 0xFFFFF, 0x90, 0xC);
    g.set_desc(NP_DATA, 0, 0xFFFFF, 0x12, 0xC);
    g.set_desc(XO_CODE, 0, 0xFFFFF, 0x98, 0xC);
    g.set_desc(DATA_DPL3, 0, 0xFFFFF, 0xF2, 0xC);
    g.set_desc(RX_CODE, 0, 0xFFFFF, 0x9A, 0xC);
    g.set_desc(SMALL_DATA, DATA, 0xFF, 0x92, 0x4);
    g.set_desc(SMALL_STACK, STACK0 - 0x1000, 0xFFF, 0x92, 0x4);
    g
}

/// Runs `body` at ring 0; the instruction emitted by `faulting` must raise `vector` with
/// `error`, with the frame's EIP pointing at it.
fn expect_fault(
    name: &str,
    body: impl Fn(&mut Asm) -> AsmResult,
    faulting: impl Fn(&mut Asm) -> AsmResult,
    vector: u32,
    error: Option<u32>,
) {
    expect_fault_in(name, body, faulting, vector, error, CS0)
}

/// `expect_fault` for a faulting instruction that runs with code selector `cs`.
fn expect_fault_in(
    name: &str,
    body: impl Fn(&mut Asm) -> AsmResult,
    faulting: impl Fn(&mut Asm) -> AsmResult,
    vector: u32,
    error: Option<u32>,
    code_sel: u16,
) {
    let mut g = seg_guest();
    let len = g.code32(CODE, |a| body(a));
    let at = CODE + len;
    g.code32(at, |a| {
        faulting(a)?;
        a.mov(dword_ptr(RES), 0x600Du32)?;
        a.hlt()
    });
    g.run_to_halt();
    let log = g.log();
    assert_eq!(log.len(), 1, "{name}: {log:?}");
    let r = log[0];
    assert_eq!(r.vector, vector, "{name}: {r:x?}");
    assert_eq!(r.error, error, "{name}: {r:x?}");
    assert_eq!(r.eip(), at, "{name}: fault EIP is the faulting instruction");
    assert_eq!(r.cs(), code_sel, "{name}");
    assert_ne!(g.res(0), 0x600D, "{name}: instruction after the fault ran");
}

fn load_ds(a: &mut Asm, sel: u16) -> AsmResult {
    a.mov(ax, sel as u32)?;
    a.mov(ds, ax)
}

#[test]
fn null_selector_loads_and_uses() {
    // Loading a null selector into DS is allowed; using it faults #GP(0).
    expect_fault(
        "null ds use",
        |a| {
            a.xor(eax, eax)?;
            a.mov(ds, ax)
        },
        |a| a.mov(eax, dword_ptr(0x100)),
        13,
        Some(0),
    );
    // A null selector can never be loaded into SS (#GP(0)).
    expect_fault(
        "null ss",
        |a| a.xor(eax, eax),
        |a| a.mov(ss, ax),
        13,
        Some(0),
    );
    // The null selector with RPL 3 is still null.
    expect_fault(
        "null fs use (rpl 3)",
        |a| {
            a.mov(eax, 3u32)?;
            a.mov(fs, ax)
        },
        |a| a.mov(dword_ptr(0x100).fs(), eax),
        13,
        Some(0),
    );
}

#[test]
fn segment_type_checks() {
    expect_fault(
        "execute-only code into DS",
        |a| a.mov(ax, XO_CODE as u32),
        |a| a.mov(ds, ax),
        13,
        Some(XO_CODE as u32),
    );
    expect_fault(
        "read-only data into SS",
        |a| a.mov(ax, RO_DATA as u32),
        |a| a.mov(ss, ax),
        13,
        Some(RO_DATA as u32),
    );
    expect_fault(
        "code into SS",
        |a| a.mov(ax, RX_CODE as u32),
        |a| a.mov(ss, ax),
        13,
        Some(RX_CODE as u32),
    );
    expect_fault(
        "TSS descriptor into DS",
        |a| a.mov(ax, TSS_SEL as u32),
        |a| a.mov(ds, ax),
        13,
        Some(TSS_SEL as u32),
    );
    expect_fault(
        "write to read-only data",
        |a| load_ds(a, RO_DATA),
        |a| a.mov(dword_ptr(DATA), eax),
        13,
        Some(0),
    );
    expect_fault(
        "write to readable code",
        |a| load_ds(a, RX_CODE),
        |a| a.mov(dword_ptr(DATA), eax),
        13,
        Some(0),
    );
    expect_fault_in(
        "read execute-only code through CS override",
        |a| a.jmp_far(XO_CODE, CODE + 7),
        |a| a.mov(eax, dword_ptr(DATA).cs()),
        13,
        Some(0),
        XO_CODE,
    );
    expect_fault(
        "selector beyond the GDT limit",
        |a| a.mov(ax, 0x800u32),
        |a| a.mov(es, ax),
        13,
        Some(0x800),
    );
    expect_fault(
        "LDT selector with a null LDTR",
        |a| {
            a.xor(eax, eax)?;
            a.lldt(ax)?;
            a.mov(ax, 0x0Cu32)
        },
        |a| a.mov(ds, ax),
        13,
        Some(0x0C),
    );
}

/// The executable-only segment is not readable through a CS override (the flat CS0 is).
#[test]
fn readable_code_can_be_read_through_cs() {
    let mut g = seg_guest();
    g.wr32(DATA, 0xCAFE_F00D);
    g.code32(CODE, |a| {
        a.mov(eax, dword_ptr(DATA).cs())?;
        a.mov(dword_ptr(RES), eax)?;
        load_ds(a, RX_CODE)?;
        a.mov(eax, dword_ptr(DATA))?;
        a.mov(dword_ptr(RES + 4).ss(), eax)?;
        a.hlt()
    });
    g.run_to_halt();
    assert!(g.log().is_empty(), "{:?}", g.log());
    assert_eq!(g.res(0), 0xCAFE_F00D);
    assert_eq!(g.res(1), 0xCAFE_F00D);
}

#[test]
fn not_present_segments() {
    expect_fault(
        "not-present data into DS",
        |a| a.mov(ax, NP_DATA as u32),
        |a| a.mov(ds, ax),
        11,
        Some(NP_DATA as u32),
    );
    // SDM MOV: "If the stack segment is not present: #SS(selector)".
    expect_fault(
        "not-present data into SS",
        |a| a.mov(ax, NP_DATA as u32),
        |a| a.mov(ss, ax),
        12,
        Some(NP_DATA as u32),
    );
}

#[test]
fn privilege_checks_on_loads() {
    // Data segment: max(CPL, RPL) must be <= DPL.
    expect_fault(
        "RPL 3 selector for a DPL 0 data segment",
        |a| a.mov(ax, (DS0 | 3) as u32),
        |a| a.mov(ds, ax),
        13,
        Some(DS0 as u32),
    );
    // SS: RPL and DPL must both equal CPL.
    expect_fault(
        "SS with RPL != CPL",
        |a| a.mov(ax, (DS0 | 3) as u32),
        |a| a.mov(ss, ax),
        13,
        Some(DS0 as u32),
    );
    expect_fault(
        "SS with DPL != CPL",
        |a| a.mov(ax, DATA_DPL3 as u32),
        |a| a.mov(ss, ax),
        13,
        Some(DATA_DPL3 as u32),
    );
}

#[test]
fn limit_violations() {
    expect_fault(
        "dword read crossing the limit",
        |a| load_ds(a, SMALL_DATA),
        |a| a.mov(eax, dword_ptr(0xFE)),
        13,
        Some(0),
    );
    expect_fault(
        "byte write past the limit",
        |a| load_ds(a, SMALL_DATA),
        |a| a.mov(byte_ptr(0x100), al),
        13,
        Some(0),
    );
    // Stack-segment limit violations are #SS(0).
    expect_fault(
        "SS-relative read past the limit",
        |a| {
            a.mov(ax, SMALL_STACK as u32)?;
            a.mov(ss, ax)?;
            a.mov(esp, 0x800u32)
        },
        |a| a.mov(eax, dword_ptr(esp + 0x900)),
        12,
        Some(0),
    );
    expect_fault(
        "SS-relative read at a wrapped offset",
        |a| {
            a.mov(ax, SMALL_STACK as u32)?;
            a.mov(ss, ax)?;
            a.mov(esp, 0x800u32)?;
            a.mov(ebp, 0u32)
        },
        // ESP wraps to 0xFFFFFFFC: above the limit. The frame then goes to SS:0x800.
        |a| a.push(dword_ptr(ebp + 0xFFFF_F000u32 as i32).ss()),
        12,
        Some(0),
    );
}

/// In-limit accesses at the very end of a byte-granular segment succeed.
#[test]
fn last_bytes_of_a_segment_are_accessible() {
    let mut g = seg_guest();
    g.code32(CODE, |a| {
        load_ds(a, SMALL_DATA)?;
        a.mov(dword_ptr(0xFC), 0x1122_3344u32)?;
        a.mov(byte_ptr(0xFF), 0x55u32)?;
        a.mov(ax, DS0 as u32)?;
        a.mov(es, ax)?;
        a.mov(eax, dword_ptr(0xFC))?;
        a.mov(dword_ptr(RES).es(), eax)?;
        a.hlt()
    });
    g.run_to_halt();
    assert!(g.log().is_empty(), "{:?}", g.log());
    assert_eq!(g.res(0), 0x5522_3344);
    assert_eq!(g.rd32(DATA + 0xFC), 0x5522_3344);
}

/// The accessed bit of a data descriptor is set when it is loaded.
#[test]
fn segment_load_sets_accessed_bit() {
    let mut g = seg_guest();
    let before = g.rd32(GDT + DATA_DPL3 as u32 + 4);
    assert_eq!(before & 0x100, 0);
    g.code32(CODE, |a| {
        load_ds(a, DATA_DPL3)?;
        a.hlt()
    });
    g.run_to_halt();
    assert_eq!(g.rd32(GDT + DATA_DPL3 as u32 + 4) & 0x100, 0x100);
    assert_eq!(g.cpu.state.segs[3].selector, DATA_DPL3);
}

#[test]
fn real_mode_entry_runs_real_mode_code() {
    let mut g = Guest::new(CpuModel::Pentium, Entry::Real);
    g.code16(CODE16, |a| {
        a.mov(ax, 0x0600u32)?;
        a.mov(ds, ax)?;
        a.mov(word_ptr(0x100), 0x4321u32)?;
        a.hlt()
    });
    assert_eq!(g.run(), RunExit::Halted);
    assert_eq!(g.rd16(RES), 0x4321);
    assert!(!g.cpu.state.pe());
}

/// Expand-down data segments: valid offsets are limit+1 ..= 0xFFFF (B = 0) or 0xFFFFFFFF
/// (B = 1); offsets at or below the limit fault.
#[test]
fn expand_down_segments() {
    const EXP_DOWN: u16 = 0x80;
    let build = |g: &mut Guest| g.set_desc(EXP_DOWN, DATA, 0x0FFF, 0x96, 0x0);
    expect_fault_with(
        "expand-down: offset at the limit",
        build,
        |a| load_ds(a, EXP_DOWN),
        |a| a.mov(eax, dword_ptr(0xFFF)),
        13,
        Some(0),
    );
    expect_fault_with(
        "expand-down: beyond 0xFFFF when B = 0",
        build,
        |a| load_ds(a, EXP_DOWN),
        |a| a.mov(eax, dword_ptr(0xFFFE)),
        13,
        Some(0),
    );
    let mut g = seg_guest();
    build(&mut g);
    g.code32(CODE, |a| {
        load_ds(a, EXP_DOWN)?;
        a.mov(dword_ptr(0x1000), 0x0102_0304u32)?;
        a.mov(dword_ptr(0xFFFC), 0x0506_0708u32)?;
        a.hlt()
    });
    g.run_to_halt();
    assert!(g.log().is_empty(), "{:x?}", g.log());
    assert_eq!(g.rd32(DATA + 0x1000), 0x0102_0304);
    assert_eq!(g.rd32(DATA + 0xFFFC), 0x0506_0708);
}

/// `expect_fault` with extra GDT setup.
fn expect_fault_with(
    name: &str,
    setup: impl Fn(&mut Guest),
    body: impl Fn(&mut Asm) -> AsmResult,
    faulting: impl Fn(&mut Asm) -> AsmResult,
    vector: u32,
    error: Option<u32>,
) {
    let mut g = seg_guest();
    setup(&mut g);
    let len = g.code32(CODE, |a| body(a));
    let at = CODE + len;
    g.code32(at, |a| {
        faulting(a)?;
        a.hlt()
    });
    let r = g.single_exception();
    assert_eq!((r.vector, r.error), (vector, error), "{name}: {r:x?}");
    assert_eq!(r.eip(), at, "{name}");
}

/// 16-bit protected mode: a segment fault through a 16-bit interrupt gate to a 16-bit
/// handler, which sees a 16-bit frame (error code, IP, CS, FLAGS).
#[test]
fn segment_fault_in_16bit_protected_mode() {
    let mut g = Guest::new(CpuModel::I80286, Entry::Pm16);
    g.set_desc(NP_DATA, 0, 0xFFFF, 0x12, 0x0);
    g.set_idt(11, CS16, 0x9000, gate::INT16, 0);
    g.code16(0x9000, |a| {
        a.mov(word_ptr(RES + 8), sp)?;
        for i in 0..4u32 {
            a.pop(ax)?;
            a.mov(word_ptr(RES + 2 * i), ax)?;
        }
        a.hlt()
    });
    g.code16(CODE16, |a| {
        a.mov(ax, NP_DATA as u32)?;
        a.mov(es, ax)
    });
    g.run_to_halt();
    assert_eq!(g.rd16(RES), NP_DATA, "#NP error code");
    assert_eq!(
        g.rd16(RES + 2),
        (CODE16 + 3) as u16,
        "IP of the faulting MOV ES"
    );
    assert_eq!(g.rd16(RES + 4), CS16);
    assert_eq!(g.rd16(RES + 6) & 2, 2, "FLAGS");
    assert_eq!(g.rd16(RES + 8), (STACK16 - 8) as u16);
}

/// SS must be writable data with DPL = RPL = CPL; in 16-bit PM a stack-limit violation
/// is #SS(0).
#[test]
fn stack_limit_in_16bit_protected_mode() {
    let mut g = Guest::new(CpuModel::I80286, Entry::Pm16);
    g.set_desc(SMALL_STACK, 0x20000, 0x0FFF, 0x92, 0x0);
    g.set_idt(12, CS16, 0x9000, gate::INT16, 0);
    g.code16(0x9000, |a| {
        a.pop(ax)?;
        a.mov(word_ptr(RES), ax)?;
        a.mov(word_ptr(RES + 2), sp)?;
        a.hlt()
    });
    g.wr16(RES, 0xFFFF);
    g.code16(CODE16, |a| {
        a.mov(ax, SMALL_STACK as u32)?;
        a.mov(ss, ax)?;
        a.mov(sp, 0x800u32)?;
        a.mov(bp, 0x1000u32)?;
        a.mov(ax, word_ptr(bp))
    });
    g.run_to_halt();
    assert_eq!(g.rd16(RES), 0, "#SS(0)");
    assert_eq!(g.rd16(RES + 2), 0x800 - 6, "frame on the faulting stack");
    assert_eq!(g.cpu.last_exception, Some((12, Some(0))));
}
