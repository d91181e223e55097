//! Paging: 4 KB identity maps, #PF with CR2 and the error code (P, W/R, U/S), user/supervisor
//! and read-only protection (CR0.WP on the 486+), accessed/dirty bits, 4 MB PSE pages, and
//! TLB flushing with INVLPG and a CR3 reload.

mod guest;

use guest::*;
use iced_x86::code_asm::*;
use rawbox_cpu::CpuModel;

/// A test page (4 KB) outside everything else.
const PAGE: u32 = 0x50000;

fn paged(model: CpuModel) -> Guest {
    let mut g = Guest::new(model, Entry::Pm32);
    g.identity_map();
    g
}

/// Runs `body` at ring 0 after paging is on; returns the log.
fn run0(g: &mut Guest, body: impl FnOnce(&mut Asm) -> AsmResult) -> Vec<ExcRecord> {
    g.code32(CODE, |a| {
        enable_paging(a, 0)?;
        body(a)?;
        a.hlt()
    });
    g.run_to_halt();
    g.log()
}

/// Runs `body` at ring 3 after paging is on; returns the log.
fn run3(g: &mut Guest, body: impl FnOnce(&mut Asm) -> AsmResult) -> Vec<ExcRecord> {
    g.code32(CODE, |a| {
        enable_paging(a, 0)?;
        iret_to_ring3(a, CODE2, 0x2)
    });
    g.code32(CODE2, |a| {
        a.mov(ax, DS3 as u32)?;
        a.mov(ds, ax)?;
        body(a)?;
        a.hlt()
    });
    g.run_to_halt();
    g.log()
}

#[test]
fn identity_map_reads_and_writes() {
    let mut g = paged(CpuModel::I80386);
    g.wr32(PAGE, 0xAABB_CCDD);
    let log = run0(&mut g, |a| {
        a.mov(eax, dword_ptr(PAGE))?;
        a.mov(dword_ptr(RES), eax)?;
        a.mov(dword_ptr(PAGE + 4), 0x1234u32)
    });
    assert!(log.is_empty(), "{log:x?}");
    assert_eq!(g.res(0), 0xAABB_CCDD);
    assert_eq!(g.rd32(PAGE + 4), 0x1234);
    assert!(g.cpu.state.paging());
}

#[test]
fn accessed_and_dirty_bits() {
    let mut g = paged(CpuModel::Pentium);
    let read_page = PAGE + 0x1000;
    // Clear A/D in the PDE and the two PTEs first.
    let pde = g.rd32(PDIR);
    g.wr32(PDIR, pde & !0x60);
    for p in [PAGE, read_page] {
        let a = Guest::pte_addr(p);
        let v = g.rd32(a);
        g.wr32(a, v & !0x60);
    }
    let log = run0(&mut g, |a| {
        a.mov(dword_ptr(PAGE), 1u32)?;
        a.mov(eax, dword_ptr(read_page))
    });
    assert!(log.is_empty());
    assert_eq!(g.rd32(PDIR) & 0x20, 0x20, "PDE accessed");
    assert_eq!(
        g.rd32(Guest::pte_addr(PAGE)) & 0x60,
        0x60,
        "written PTE: A and D"
    );
    assert_eq!(
        g.rd32(Guest::pte_addr(read_page)) & 0x60,
        0x20,
        "read PTE: A only"
    );
}

fn set_pte(g: &mut Guest, lin: u32, and: u32, or: u32) {
    let a = Guest::pte_addr(lin);
    let v = g.rd32(a);
    g.wr32(a, (v & and) | or);
}

/// Checks the single logged exception is #PF with `code` at CR2 = `addr`.
fn assert_pf(log: &[ExcRecord], addr: u32, code: u32, name: &str) {
    assert_eq!(log.len(), 1, "{name}: {log:x?}");
    let r = log[0];
    assert_eq!((r.vector, r.error), (14, Some(code)), "{name}: {r:x?}");
    assert_eq!(r.cr2, addr, "{name}: CR2");
}

#[test]
fn page_fault_error_codes() {
    let addr = PAGE + 0x123;
    // Not present, supervisor read / write.
    let mut g = paged(CpuModel::Pentium);
    set_pte(&mut g, PAGE, !1, 0);
    let log = run0(&mut g, |a| a.mov(eax, dword_ptr(addr)));
    assert_pf(&log, addr, 0, "supervisor read, not present");
    assert_eq!(g.cpu.state.cr2, addr);

    let mut g = paged(CpuModel::Pentium);
    set_pte(&mut g, PAGE, !1, 0);
    let log = run0(&mut g, |a| a.mov(dword_ptr(addr), eax));
    assert_pf(&log, addr, 2, "supervisor write, not present");

    // Not present, user read / write.
    let mut g = paged(CpuModel::Pentium);
    set_pte(&mut g, PAGE, !1, 0);
    let log = run3(&mut g, |a| a.mov(eax, dword_ptr(addr)));
    assert_pf(&log, addr, 4, "user read, not present");
    // The frame: EIP of the faulting MOV (after "mov ax, imm16; mov ds, ax" = 7 bytes).
    assert_eq!(log[0].eip(), CODE2 + 7);
    assert_eq!(log[0].cs(), CS3);

    let mut g = paged(CpuModel::Pentium);
    set_pte(&mut g, PAGE, !1, 0);
    let log = run3(&mut g, |a| a.mov(dword_ptr(addr), eax));
    assert_pf(&log, addr, 6, "user write, not present");

    // User read of a supervisor page: P|U.
    let mut g = paged(CpuModel::Pentium);
    set_pte(&mut g, PAGE, !4, 0);
    let log = run3(&mut g, |a| a.mov(eax, dword_ptr(addr)));
    assert_pf(&log, addr, 5, "user read, supervisor page");

    // User write to a read-only user page: P|W|U.
    let mut g = paged(CpuModel::Pentium);
    set_pte(&mut g, PAGE, !2, 0);
    let log = run3(&mut g, |a| a.mov(dword_ptr(addr), eax));
    assert_pf(&log, addr, 7, "user write, read-only page");

    // The PDE's U/S and R/W bits also apply (SDM 4.6: both levels must allow the access).
    let mut g = paged(CpuModel::Pentium);
    let pde = g.rd32(PDIR);
    g.wr32(PDIR, pde & !2);
    let log = run3(&mut g, |a| a.mov(dword_ptr(addr), eax));
    assert_pf(&log, addr, 7, "user write, read-only PDE");

    // A not-present PDE.
    let mut g = paged(CpuModel::Pentium);
    g.wr32(PDIR + 4, 0);
    let log = run0(&mut g, |a| a.mov(eax, dword_ptr(0x40_0010)));
    assert_pf(&log, 0x40_0010, 0, "not-present PDE");
}

/// A user read of a read-only page is fine; an instruction fetch from a not-present page
/// faults with CR2 = the fetch address and EIP = the target.
#[test]
fn reads_of_read_only_pages_and_fetch_faults() {
    let mut g = paged(CpuModel::Pentium);
    set_pte(&mut g, PAGE, !2, 0);
    g.wr32(PAGE, 77);
    let log = run3(&mut g, |a| {
        a.mov(eax, dword_ptr(PAGE))?;
        a.mov(dword_ptr(RES), eax)?;
        a.int(0x80)
    });
    assert_eq!(g.res(0), 77);
    assert_eq!(log[0].vector, 13, "the DPL0 INT 0x80 ends the test");

    let mut g = paged(CpuModel::Pentium);
    set_pte(&mut g, PAGE, !1, 0);
    let log = run0(&mut g, |a| a.jmp(PAGE as u64));
    assert_pf(&log, PAGE, 0, "fetch from a not-present page");
    assert_eq!(log[0].eip(), PAGE);
}

/// CR0.WP (486+): supervisor writes to read-only pages fault; without WP (and on the 386,
/// which has no WP) they succeed.
#[test]
fn write_protect_at_cpl0() {
    for (model, wp, faults) in [
        (CpuModel::I80486, true, true),
        (CpuModel::Pentium, true, true),
        (CpuModel::I80486, false, false),
        (CpuModel::Pentium, false, false),
        (CpuModel::I80386, true, false),
    ] {
        let mut g = paged(model);
        set_pte(&mut g, PAGE, !2, 0);
        let log = run0(&mut g, |a| {
            if wp {
                a.mov(eax, cr0)?;
                a.or(eax, 1 << 16)?;
                a.mov(cr0, eax)?;
            }
            a.mov(dword_ptr(PAGE), 0x99u32)
        });
        if faults {
            assert_pf(&log, PAGE, 3, &format!("{model} WP"));
            assert_eq!(g.rd32(PAGE), 0);
        } else {
            assert!(log.is_empty(), "{model} wp={wp}: {log:x?}");
            assert_eq!(g.rd32(PAGE), 0x99, "{model} wp={wp}");
        }
    }
}

/// A 4 MB page (CR4.PSE, PDE.PS) maps linear 4..8 MB onto physical 0..4 MB; its PDE gets the
/// accessed and dirty bits.
#[test]
fn pse_4mb_pages() {
    let mut g = paged(CpuModel::Pentium);
    g.wr32(PDIR + 4, 0x87); // 4 MB page at physical 0, P|RW|US|PS
    g.wr32(PAGE, 0x5150);
    g.code32(CODE, |a| {
        enable_paging(a, 1 << 4)?;
        a.mov(eax, dword_ptr(0x40_0000 + PAGE))?;
        a.mov(dword_ptr(RES), eax)?;
        a.mov(dword_ptr(0x40_0000 + PAGE + 4), 0xABCDu32)?;
        a.hlt()
    });
    g.run_to_halt();
    assert!(g.log().is_empty(), "{:x?}", g.log());
    assert_eq!(g.res(0), 0x5150);
    assert_eq!(g.rd32(PAGE + 4), 0xABCD);
    assert_eq!(g.rd32(PDIR + 4) & 0x60, 0x60, "4 MB PDE: A and D");
}

/// Without CR4.PSE the PS bit is ignored: the PDE points to a page table.
#[test]
fn ps_bit_ignored_without_cr4_pse() {
    let mut g = paged(CpuModel::Pentium);
    let pde = g.rd32(PDIR + 4);
    g.wr32(PDIR + 4, pde | 0x80);
    g.wr32(0x40_0000 + PAGE, 0x4242);
    let log = run0(&mut g, |a| {
        a.mov(eax, dword_ptr(0x40_0000 + PAGE))?;
        a.mov(dword_ptr(RES), eax)
    });
    assert!(log.is_empty());
    assert_eq!(g.res(0), 0x4242);
}

/// Changing a PTE does not affect a cached translation until INVLPG or a CR3 reload (SDM
/// 4.10.4.1 lets the CPU keep using the old entry; this model's TLB does, like real CPUs
/// for a translation it has just used).
#[test]
fn invlpg_and_cr3_reload_flush_the_tlb() {
    const LIN: u32 = 0x60_0000;
    let mut g = paged(CpuModel::Pentium);
    g.wr32(0x70000, 1);
    g.wr32(0x71000, 2);
    g.wr32(0x72000, 3);
    let pte = Guest::pte_addr(LIN);
    g.wr32(pte, 0x70000 | 7);
    let log = run0(&mut g, |a| {
        a.mov(eax, dword_ptr(LIN))?;
        a.mov(dword_ptr(RES), eax)?;
        a.mov(dword_ptr(pte), 0x71000u32 | 7)?;
        a.mov(eax, dword_ptr(LIN))?;
        a.mov(dword_ptr(RES + 4), eax)?;
        a.invlpg(ptr(LIN))?;
        a.mov(eax, dword_ptr(LIN))?;
        a.mov(dword_ptr(RES + 8), eax)?;
        a.mov(dword_ptr(pte), 0x72000u32 | 7)?;
        a.mov(eax, dword_ptr(LIN))?;
        a.mov(dword_ptr(RES + 12), eax)?;
        a.mov(eax, cr3)?;
        a.mov(cr3, eax)?;
        a.mov(eax, dword_ptr(LIN))?;
        a.mov(dword_ptr(RES + 16), eax)
    });
    assert!(log.is_empty());
    assert_eq!(
        (0..5).map(|i| g.res(i)).collect::<Vec<_>>(),
        vec![1, 1, 2, 2, 3],
        "old mapping until INVLPG / MOV CR3"
    );
}

/// After a PTE is made not-present, INVLPG makes the next access fault.
#[test]
fn invlpg_then_not_present_faults() {
    let mut g = paged(CpuModel::I80486);
    let pte = Guest::pte_addr(PAGE);
    let log = run0(&mut g, |a| {
        a.mov(eax, dword_ptr(PAGE))?;
        a.and(dword_ptr(pte), !1u32)?;
        a.invlpg(ptr(PAGE))?;
        a.mov(eax, dword_ptr(PAGE + 8))
    });
    assert_pf(&log, PAGE + 8, 0, "after invlpg");
}

/// The page-fault handler runs with the CR2 it needs and can fix the PTE and retry (IRET
/// returns to the faulting instruction, which then completes).
#[test]
fn page_fault_handler_fixes_and_retries() {
    let mut g = paged(CpuModel::Pentium);
    let pte = Guest::pte_addr(PAGE);
    set_pte(&mut g, PAGE, !1, 0);
    g.set_idt(14, CS0, CODE3, gate::INT32, 0);
    g.code32(CODE3, |a| {
        a.push(eax)?;
        a.mov(eax, cr2)?;
        a.mov(dword_ptr(RES + 4), eax)?;
        a.inc(dword_ptr(RES + 8))?;
        a.or(dword_ptr(pte), 1u32)?;
        a.pop(eax)?;
        a.add(esp, 4)?;
        a.iretd()
    });
    g.wr32(PAGE + 0x10, 0x3131);
    let log = run0(&mut g, |a| {
        a.mov(eax, dword_ptr(PAGE + 0x10))?;
        a.mov(dword_ptr(RES), eax)
    });
    assert!(log.is_empty());
    assert_eq!(g.res(0), 0x3131);
    assert_eq!(g.res(1), PAGE + 0x10);
    assert_eq!(g.res(2), 1, "exactly one fault");
}

/// A #GP whose IDT entry sits in a not-present page: the IDT read page-faults. The access is
/// an implicit supervisor access (SDM 4.6: U/S = 0 in the error code even from CPL 3), and a
/// #PF during a contributory exception is handled serially, not as a double fault
/// (SDM Table 6-5).
#[test]
fn page_fault_on_idt_read() {
    const NEW_IDT: u32 = 0x44000 - 14 * 8;
    let mut g = paged(CpuModel::Pentium);
    for v in 0..256u32 {
        let lo = g.rd32(IDT + 8 * v);
        let hi = g.rd32(IDT + 8 * v + 4);
        g.wr32(NEW_IDT + 8 * v, lo);
        g.wr32(NEW_IDT + 8 * v + 4, hi);
    }
    set_pte(&mut g, 0x43000, !1, 0);
    g.wr16(DATA, 0x7FF);
    g.wr32(DATA + 2, NEW_IDT);
    g.code32(CODE, |a| {
        enable_paging(a, 0)?;
        a.lidt(ptr(DATA))?;
        iret_to_ring3(a, CODE2, 0x2)
    });
    g.code32(CODE2, |a| a.cli());
    g.run_to_halt();
    let log = g.log();
    assert_pf(&log, NEW_IDT + 13 * 8, 0, "IDT read from CPL 3");
    assert_eq!(log[0].eip(), CODE2, "#PF reports the CLI");
    assert_eq!(log[0].cs(), CS3);
}

/// REP MOVSB that page-faults midway: the #PF reports the REP instruction with ECX/ESI/EDI
/// showing the progress so far (SDM REP: "a fault ... the registers reflect the state at that
/// point"); after the handler maps the page, IRET resumes and the copy completes.
#[test]
fn rep_movs_page_fault_midway() {
    let mut g = paged(CpuModel::Pentium);
    const SRC: u32 = 0x48000;
    let pte = Guest::pte_addr(PAGE);
    set_pte(&mut g, PAGE, !1, 0);
    for i in 0..0x20 {
        g.wr8(SRC + i, i as u8 + 1);
    }
    g.set_idt(14, CS0, CODE3, gate::INT32, 0);
    g.code32(CODE3, |a| {
        a.mov(dword_ptr(RES), ecx)?;
        a.mov(dword_ptr(RES + 4), esi)?;
        a.mov(dword_ptr(RES + 8), edi)?;
        a.mov(eax, dword_ptr(esp + 4))?;
        a.mov(dword_ptr(RES + 12), eax)?;
        a.or(dword_ptr(pte), 1u32)?;
        a.add(esp, 4)?;
        a.iretd()
    });
    let mut rep_at = 0;
    let log = run0(&mut g, |a| {
        a.mov(esi, SRC)?;
        a.mov(edi, PAGE - 0x10)?;
        a.mov(ecx, 0x20u32)?;
        a.cld()?;
        a.rep().movsb()?;
        a.mov(dword_ptr(RES + 16), ecx)
    });
    // enable_paging: 5 + 3 + 3 + 5 + 3 = 19 bytes; then 5 + 5 + 5 + 1.
    rep_at += CODE + 19 + 16;
    assert!(log.is_empty(), "{log:x?}");
    assert_eq!(g.res(0), 0x10, "ECX at the fault");
    assert_eq!(g.res(1), SRC + 0x10);
    assert_eq!(g.res(2), PAGE);
    assert_eq!(g.res(3), rep_at, "EIP of the REP MOVSB");
    assert_eq!(g.res(4), 0, "completed after the retry");
    for i in 0..0x20 {
        assert_eq!(g.rd8(PAGE - 0x10 + i), i as u8 + 1);
    }
}
