//! Differential tests: random programs run by the interpreter and by the JIT (force-compile
//! and a low threshold) in real mode, 16-bit and 32-bit protected mode, compared at every
//! step of whole blocks (registers, EIP, lazy flags, counters, port writes, RAM).

mod common;

use common::guest::{Entry, CODE, CODE16};
use common::{lockstep, pair, random_code};
use iced_x86::code_asm::*;
use rawbox_cpu::{CpuModel, RunExit};
use std::sync::atomic::Ordering;

fn run_random(entry: Entry, seeds: std::ops::Range<u64>, threshold: u32) {
    run_random_with(entry, seeds, threshold, false)
}

fn run_random_with(entry: Entry, seeds: std::ops::Range<u64>, threshold: u32, paging: bool) {
    let (bits, addr) = match entry {
        Entry::Pm32 => (32, CODE),
        _ => (16, CODE16),
    };
    let mut compiled = 0;
    let mut inline = 0;
    let mut repeats = 0;
    for seed in seeds {
        let prog = |g: &mut common::guest::Guest| {
            if paging {
                g.identity_map();
            }
            g.asm(bits, addr, |a| {
                if paging {
                    common::guest::enable_paging(a, 0)?;
                }
                random_code::program(a, bits, seed, 40, 12)
            });
        };
        let (mut a, mut b, stats) = pair(CpuModel::Pentium, entry, threshold, &prog);
        let what = format!("{entry:?} seed {seed} threshold {threshold}");
        let exit = lockstep(&mut a, &mut b, 48, 100_000, &what);
        assert_ne!(exit, RunExit::Budget, "{what}: did not finish");
        compiled += stats.blocks_compiled.load(Ordering::Relaxed);
        inline += stats.insns_inline.load(Ordering::Relaxed);
        repeats += stats.chained.load(Ordering::Relaxed);
    }
    assert!(repeats > 0, "no block looped in place");
    assert!(compiled > 0, "nothing was compiled");
    assert!(inline > 0, "nothing was emitted inline");
}

#[test]
fn random_pm32_force_compile() {
    run_random(Entry::Pm32, 0..150, 0);
}

#[test]
fn random_pm32_threshold() {
    run_random(Entry::Pm32, 1000..1060, 3);
}

#[test]
fn random_pm32_paging_force_compile() {
    run_random_with(Entry::Pm32, 6000..6100, 0, true);
}

#[test]
fn random_pm16_force_compile() {
    run_random(Entry::Pm16, 2000..2150, 0);
}

#[test]
fn random_real_force_compile() {
    run_random(Entry::Real, 3000..3150, 0);
}

#[test]
fn random_real_threshold() {
    run_random(Entry::Real, 4000..4060, 2);
}

/// A tight loop that runs in place inside its compiled block takes an interrupt raised
/// between two steps at exactly the instruction the interpreter takes it, for several
/// step sizes (budgets that end inside, at and after a chain of block runs).
#[test]
fn interrupt_in_a_tight_loop_is_taken_at_the_same_instruction() {
    for step in [5, 13, 48, 100, 1000] {
        let prog = |g: &mut common::guest::Guest| {
            g.code32(CODE, |a| {
                let mut top = a.create_label();
                a.mov(ecx, 1_000_000u32)?;
                a.xor(eax, eax)?;
                a.sti()?;
                a.set_label(&mut top)?;
                a.add(eax, 3)?;
                a.dec(ecx)?;
                a.jnz(top)?;
                a.hlt()
            });
        };
        let (mut a, mut b, stats) = pair(CpuModel::Pentium, Entry::Pm32, 0, &prog);
        let what = format!("step {step}");
        lockstep(&mut a, &mut b, step, 3000, &what);
        a.bus.irq = Some(0x40);
        b.bus.irq = Some(0x40);
        let exit = lockstep(&mut a, &mut b, step, 100_000, &what);
        assert_eq!(exit, RunExit::Halted, "{what}");
        let log = a.log();
        assert_eq!(log.len(), 1, "{what}: {log:x?}");
        assert_eq!(log[0].vector, 0x40);
        if step >= 48 {
            assert!(
                stats.chained.load(Ordering::Relaxed) > 0,
                "{what}: no in-place loop"
            );
        }
    }
}

/// A code cache of one 4 KB chunk fills up again and again: every flush drops all
/// translations, and the run still matches the interpreter.
#[test]
fn tiny_code_cache_flushes_and_refills() {
    let mut flushes = 0;
    for seed in 5000..5020 {
        let prog = |g: &mut common::guest::Guest| {
            g.asm(32, CODE, |a| random_code::program(a, 32, seed, 40, 6));
        };
        let config = rawbox_jit::JitConfig {
            threshold: 0,
            cache_bytes: 4096,
            compile_helper_only: true,
        };
        let (mut a, mut b, stats) =
            common::pair_with(CpuModel::Pentium, Entry::Pm32, config, &prog);
        lockstep(&mut a, &mut b, 48, 100_000, &format!("seed {seed}"));
        flushes += stats.cache_flushes.load(Ordering::Relaxed);
        assert!(stats.mapped_bytes.load(Ordering::Relaxed) <= 4096);
    }
    assert!(flushes > 0, "the cache never filled");
}

/// Random bytes as code (whatever they decode to: privileged instructions, far transfers,
/// faults, I/O, mode changes...) in each mode and on the 8086, 286 and Pentium models: the JIT
/// in force-compile mode must still match the interpreter step by step.
#[test]
fn random_bytes_in_every_mode() {
    use rand::{Rng, SeedableRng};
    for (model, entry, addr) in [
        (CpuModel::Pentium, Entry::Pm32, CODE),
        (CpuModel::Pentium, Entry::Pm16, CODE16),
        (CpuModel::Pentium, Entry::Real, CODE16),
        (CpuModel::I80286, Entry::Pm16, CODE16),
        (CpuModel::I80286, Entry::Real, CODE16),
        (CpuModel::I8086, Entry::Real, CODE16),
    ] {
        for seed in 0..120u64 {
            let prog = |g: &mut common::guest::Guest| {
                let mut rng = rand::rngs::SmallRng::seed_from_u64(seed);
                let bytes: Vec<u8> = (0..256).map(|_| rng.gen()).collect();
                g.cpu.mem.write_bytes(addr, &bytes);
            };
            let (mut a, mut b, _) = pair(model, entry, 0, &prog);
            let what = format!("{model:?} {entry:?} bytes seed {seed}");
            lockstep(&mut a, &mut b, 48, 4_000, &what);
        }
    }
}

/// Random 16-bit programs in virtual-8086 mode (IOPL 3, entered by IRETD from ring 0): the
/// interpreter and the JIT (force-compile) agree at every step.
#[test]
fn random_v86_force_compile() {
    use common::guest::{Guest, CODE};
    const VM: u32 = 1 << 17;
    let mut compiled = 0;
    for seed in 0..60u64 {
        let prog = |g: &mut Guest| {
            g.code32(CODE, |a| {
                // GS FS DS ES SS, ESP, EFLAGS (VM, IOPL 3), CS, EIP.
                for v in [0x0720u32, 0x0710, 0x0600, 0x0700, 0x0C00] {
                    a.push(v)?;
                }
                a.push(0x0F00u32)?;
                a.push(VM | (3 << 12) | 2)?;
                a.push(0x0900u32)?;
                a.push(0u32)?;
                a.iretd()
            });
            g.code16(0x9000, |a| random_code::program(a, 16, seed, 40, 12));
        };
        let (mut a, mut b, stats) = pair(CpuModel::Pentium, Entry::Pm32, 0, &prog);
        let what = format!("v86 seed {seed}");
        let exit = lockstep(&mut a, &mut b, 48, 100_000, &what);
        assert_ne!(exit, RunExit::Budget, "{what}: did not finish");
        assert_ne!(
            a.cpu.state.flags.bits & VM,
            VM,
            "{what}: the v86 program ends in the monitor (HLT faults)"
        );
        assert_eq!(
            a.cpu.last_exception,
            Some((13, Some(0))),
            "{what}: the final HLT raises #GP(0) to the monitor"
        );
        assert!(
            a.cpu.counters.instructions > 400,
            "{what}: only {} instructions ran",
            a.cpu.counters.instructions
        );
        compiled += stats.blocks_compiled.load(Ordering::Relaxed);
    }
    assert!(compiled > 0, "nothing was compiled");
}
