//! Robustness: random bytes executed as code in real mode, 16-bit protected mode, 32-bit
//! protected mode with paging, and virtual-8086 mode. Every exception and interrupt lands in a
//! ring-0 handler (a real-mode one in real mode) that jumps to a new random place with random
//! registers; the host restores the machine when the CPU halts, shuts down or every so often.
//! The only assertions: the host never panics and `run` always returns.

mod guest;

use guest::*;
use iced_x86::code_asm::*;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rawbox_cpu::{CpuModel, RunExit};

/// Instructions to execute per mode.
const INSNS: u64 = 1_000_000;
/// Random code (64 KB) and user data (64 KB) regions: the only user pages when paging is on.
const RND: u32 = 0x80000;
const RND_DATA: u32 = 0x90000;
/// The LCG seed the guest handler uses.
const SEED: u32 = 0x6010;
/// The real-mode handler (0000:HANDLER16) and the protected-mode one.
const HANDLER16: u32 = 0x9800;
const HANDLER32: u32 = CODE3;
/// 16-bit ring-3 code and data segments based at RND.
const CS3_16: u16 = 0x40 | 3;
const DS3_16: u16 = 0x48 | 3;
/// Bytes of low memory the host restores.
const SNAPSHOT: usize = 0x110000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Real,
    Pm16,
    Pm32Paging,
    V86,
    /// 32-bit ring-0 code, no paging: random system instructions, descriptor loads, task
    /// switches and mode changes; the host restores often.
    Pm32Ring0,
}

/// Emits the LCG step: EAX = [SEED] = [SEED] * 1103515245 + 12345, and random GPRs from it.
fn lcg(a: &mut Asm) -> AsmResult {
    a.mov(eax, dword_ptr(SEED))?;
    a.imul_3(eax, eax, 1_103_515_245)?;
    a.add(eax, 12345)?;
    a.mov(dword_ptr(SEED), eax)?;
    a.mov(ecx, eax)?;
    a.rol(ecx, 7)?;
    a.mov(edx, eax)?;
    a.xor(edx, 0x5A5A_5A5A)?;
    a.mov(esi, eax)?;
    a.ror(esi, 13)?;
    a.mov(edi, eax)?;
    a.not(edi)?;
    a.mov(ebp, eax)?;
    a.rol(ebp, 19)?;
    a.mov(ebx, eax)?;
    a.shr(ebx, 8)?;
    a.and(ebx, 0xFFFF)
}

/// Ring-0 handler for every vector in protected modes: fresh segments and stack, then IRETD
/// to a random offset of the random code in the mode under test.
fn build_pm_handler(g: &mut Guest, mode: Mode) {
    g.code32(HANDLER32, |a| {
        a.mov(ax, DS0 as u32)?;
        a.mov(ds, ax)?;
        a.mov(es, ax)?;
        a.mov(fs, ax)?;
        a.mov(gs, ax)?;
        a.mov(ss, ax)?;
        a.mov(esp, STACK0)?;
        lcg(a)?;
        // Random arithmetic flags and DF, IF off; TF sometimes (bit 8 of the random value).
        a.push(eax)?;
        a.and(dword_ptr(esp), 0x0DD5u32)?;
        a.or(dword_ptr(esp), 0x2u32)?;
        a.pop(esi)?;
        match mode {
            Mode::Pm32Paging => {
                a.push(DS3 as u32)?;
                a.push(RND_DATA + 0xFF00)?;
                a.push(esi)?;
                a.push(CS3 as u32)?;
                a.add(ebx, RND)?;
                a.push(ebx)?;
            }
            Mode::Pm16 => {
                a.push(DS3_16 as u32)?;
                a.push(0xFFF0u32)?;
                a.push(esi)?;
                a.push(CS3_16 as u32)?;
                a.push(ebx)?;
            }
            Mode::V86 => {
                // GS FS DS ES: random paragraphs around the user pages.
                for _ in 0..4 {
                    a.mov(edx, eax)?;
                    a.shr(edx, 20)?;
                    a.and(edx, 0x1FFF)?;
                    a.add(edx, 0x8000)?;
                    a.push(edx)?;
                    a.rol(eax, 5)?;
                }
                a.push(0x9000u32)?; // SS
                a.push(0xFFF0u32)?; // SP
                                    // VM, IOPL 0 or 3.
                a.mov(edx, eax)?;
                a.and(edx, 0x3000)?;
                a.or(esi, edx)?;
                a.or(esi, 1 << 17)?;
                a.push(esi)?;
                a.push(0x8000u32)?; // CS
                a.push(ebx)?;
            }
            Mode::Pm32Ring0 => {
                a.mov(esp, RND_DATA + 0xFF00)?;
                a.push(esi)?;
                a.push(CS0 as u32)?;
                a.add(ebx, RND)?;
                a.push(ebx)?;
            }
            Mode::Real => unreachable!(),
        }
        a.iretd()
    });
    for v in 0..=255u8 {
        // Most gates DPL 3 (INT n from the random code reaches the handler), some DPL 0.
        let dpl = if (0x40..0x80).contains(&v) { 0 } else { 3 };
        let typ = if v % 3 == 0 {
            gate::TRAP32
        } else {
            gate::INT32
        };
        g.set_idt(v, CS0, HANDLER32, typ, dpl);
    }
}

/// The real-mode handler: every IVT vector points at it.
fn build_real_handler(g: &mut Guest) {
    g.code16(HANDLER16, |a| {
        a.xor(ax, ax)?;
        a.mov(ds, ax)?;
        a.mov(ss, ax)?;
        a.mov(sp, 0x6FF0u32)?;
        lcg(a)?;
        a.and(ax, 0x0CD5u32)?;
        a.push(ax)?;
        a.push(0x8000u32)?;
        a.push(bx)?;
        a.iret()
    });
    for v in 0..256u32 {
        g.wr16(v * 4, HANDLER16 as u16);
        g.wr16(v * 4 + 2, 0);
    }
}

/// Builds the machine for `mode`: its entry code ends by jumping into the handler.
fn build(mode: Mode, model: CpuModel) -> Guest {
    let entry = if mode == Mode::Real {
        Entry::Real
    } else {
        Entry::Pm32
    };
    let mut g = Guest::new(model, entry);
    if mode == Mode::Real {
        build_real_handler(&mut g);
        g.code16(CODE16, |a| a.jmp(HANDLER16 as u64));
        return g;
    }
    build_pm_handler(&mut g, mode);
    g.set_desc(CS3_16, RND, 0xFFFF, acc::CODE3, 0);
    g.set_desc(DS3_16, RND, 0xFFFF, acc::DATA3, 0);
    // Paging in the modes whose random code runs at CPL 3: only the random regions are user
    // pages, so the tables and handlers stay intact.
    g.identity_map();
    for lin in (0..RAM as u32).step_by(0x1000) {
        let user = (RND..RND_DATA + 0x10000).contains(&lin);
        g.wr32(Guest::pte_addr(lin), lin | if user { 7 } else { 3 });
    }
    g.set_io_bitmap(&[0x80, 0x60]);
    g.code32(CODE, |a| {
        if mode != Mode::Pm32Ring0 {
            // v86 runs with CR4.VME (virtual IF, INT redirection through the TSS bitmap).
            let cr4_bits = if mode == Mode::V86 { 1 } else { 0 };
            enable_paging(a, cr4_bits)?;
        }
        a.jmp(HANDLER32 as u64)
    });
    g
}

/// Runs `INSNS` instructions of random code in `mode` on a Pentium.
fn fuzz(mode: Mode, seed: u64) {
    fuzz_on(mode, CpuModel::Pentium, seed)
}

/// Runs `INSNS` instructions of random code in `mode` on `model`.
fn fuzz_on(mode: Mode, model: CpuModel, seed: u64) {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut g = build(mode, model);
    let mut image = vec![0u8; SNAPSHOT];
    g.cpu.mem.read_bytes(0, &mut image);
    let initial = g.cpu.state.clone();
    let restore = |g: &mut Guest, rng: &mut SmallRng| {
        g.cpu.reset();
        g.cpu.mem.write_bytes(0, &image);
        let mut code = vec![0u8; 0x20000];
        rng.fill(&mut code[..]);
        g.cpu.mem.write_bytes(RND, &code);
        g.wr32(SEED, rng.gen());
        g.cpu.state = initial.clone();
        g.cpu.flush_caches();
    };
    restore(&mut g, &mut rng);
    let start = g.cpu.counters.instructions;
    let mut since_restore = 0u64;
    let mut rounds = 0u64;
    let mut restores = 0u64;
    while g.cpu.counters.instructions - start < INSNS {
        rounds += 1;
        assert!(rounds < 2 * INSNS, "{mode:?}: no progress");
        let before = g.cpu.counters.instructions;
        let exit = g.run_budget(5_000);
        let done = g.cpu.counters.instructions - before;
        since_restore += done;
        let stuck = done == 0 && exit == RunExit::Budget;
        // Real mode has no protection: restore often. Elsewhere only on halts/shutdowns.
        let limit = if matches!(mode, Mode::Real | Mode::Pm32Ring0) {
            20_000
        } else {
            200_000
        };
        if exit != RunExit::Budget || stuck || since_restore > limit {
            restore(&mut g, &mut rng);
            since_restore = 0;
            restores += 1;
        }
    }
    // Sanity: the handler really did run random code (not just restores).
    assert!(restores < INSNS / 50, "{mode:?}: {restores} restores");
}

#[test]
fn random_code_real_mode() {
    fuzz(Mode::Real, 0x5EED_0001);
}

#[test]
fn random_code_real_mode_8086_and_286() {
    fuzz_on(Mode::Real, CpuModel::I8086, 0x5EED_0006);
    fuzz_on(Mode::Real, CpuModel::I80286, 0x5EED_0007);
}

#[test]
fn random_code_16bit_protected_mode() {
    fuzz(Mode::Pm16, 0x5EED_0002);
}

#[test]
fn random_code_32bit_protected_mode_with_paging() {
    fuzz(Mode::Pm32Paging, 0x5EED_0003);
}

#[test]
fn random_code_v86() {
    fuzz(Mode::V86, 0x5EED_0004);
}

#[test]
fn random_code_32bit_ring0() {
    fuzz(Mode::Pm32Ring0, 0x5EED_0005);
}

/// Regression for a host overflow found by the ring-0 run: 32-bit SHLD computed CF with a
/// 64-bit shift. CF is the last bit shifted out of the destination (SDM SHLD).
#[test]
fn shld_32bit_carry() {
    let mut g = Guest::pm32();
    g.code32(CODE, |a| {
        for (i, count) in [4u32, 3, 1].iter().enumerate() {
            a.mov(eax, 0x9000_0000u32)?;
            a.mov(ebx, 0xF000_0000u32)?;
            a.shld(eax, ebx, *count)?;
            a.setc(cl)?;
            a.mov(dword_ptr(RES + 8 * i as u32), eax)?;
            a.mov(byte_ptr(RES + 8 * i as u32 + 4), cl)?;
        }
        a.hlt()
    });
    g.run_to_halt();
    assert_eq!((g.res(0), g.res(1) & 0xFF), (0x0000_000F, 1));
    assert_eq!((g.res(2), g.res(3) & 0xFF), (0x8000_0007, 0));
    assert_eq!((g.res(4), g.res(5) & 0xFF), (0x2000_0001, 1));
}

/// Regression for a host overflow found by the 8086 single-step suite: 8086 AAS with AH = 0
/// borrows into AH (0xFF), it must not panic.
#[test]
fn aas_8086_borrow_from_zero_ah() {
    let mut g = Guest::new(CpuModel::I8086, Entry::Real);
    g.code16(CODE16, |a| {
        a.mov(ax, 0x000Fu32)?;
        a.aas()?;
        a.mov(word_ptr(RES), ax)?;
        a.hlt()
    });
    g.run_to_halt();
    assert_eq!(g.rd16(RES), 0xFF09);
    assert!(g.cpu.state.flags.cf());
}
