//! Lockstep harness for the JIT tests: two copies of the same guest machine (the shared
//! guest-program harness of the cpu tests), one interpreted and one with the JIT installed in
//! force-compile mode, run side by side and compared at block boundaries.
#![allow(dead_code)]

#[path = "../../../cpu/tests/guest/mod.rs"]
pub mod guest;
pub mod random_code;

use guest::{Entry, Guest};
use rawbox_cpu::{CpuModel, RunExit};
use rawbox_jit::{JitConfig, JitStats};
use std::sync::Arc;

/// Installs the JIT into a guest machine.
pub fn with_jit(g: &mut Guest, threshold: u32) -> Arc<JitStats> {
    rawbox_jit::install(
        &mut g.cpu,
        JitConfig {
            threshold,
            compile_helper_only: threshold == 0,
            ..JitConfig::default()
        },
    )
}

/// Describes where two machines differ, or None.
pub fn diff(a: &Guest, b: &Guest) -> Option<String> {
    let (sa, sb) = (&a.cpu.state, &b.cpu.state);
    if sa != sb {
        let mut s = String::new();
        if sa.regs != sb.regs {
            s += &format!("regs interp {:x?}\n     jit    {:x?}\n", sa.regs, sb.regs);
        }
        if sa.eip != sb.eip {
            s += &format!("eip interp {:#x} jit {:#x}\n", sa.eip, sb.eip);
        }
        if sa.flags != sb.flags {
            s += &format!(
                "flags interp {:x?} ({:#x})\n      jit    {:x?} ({:#x})\n",
                sa.flags,
                sa.flags.value(),
                sb.flags,
                sb.flags.value()
            );
        }
        if s.is_empty() {
            s = format!("state interp {sa:x?}\n      jit {sb:x?}");
        }
        return Some(s);
    }
    if a.cpu.counters.instructions != b.cpu.counters.instructions {
        return Some(format!(
            "instruction counts interp {} jit {}",
            a.cpu.counters.instructions, b.cpu.counters.instructions
        ));
    }
    if a.cpu.counters.blocks != b.cpu.counters.blocks {
        return Some(format!(
            "block counts interp {} jit {}",
            a.cpu.counters.blocks, b.cpu.counters.blocks
        ));
    }
    if a.cpu.counters.interrupts != b.cpu.counters.interrupts {
        return Some("interrupt counts differ".into());
    }
    if a.cpu.counters.exceptions != b.cpu.counters.exceptions {
        return Some("exception counts differ".into());
    }
    if a.bus.writes != b.bus.writes {
        return Some("port writes differ".into());
    }
    None
}

/// First differing RAM byte.
pub fn ram_diff(a: &Guest, b: &Guest) -> Option<String> {
    let (ra, rb) = (a.cpu.mem.ram(), b.cpu.mem.ram());
    ra.iter().zip(rb).position(|(x, y)| x != y).map(|i| {
        format!(
            "RAM differs at {i:#x}: interp {:#x} jit {:#x}",
            ra[i], rb[i]
        )
    })
}

/// Runs both machines in steps of `step` instructions (block boundaries: every step ends
/// after a whole block) until both halt or `total` instructions ran; panics on the first
/// divergence. Returns the interpreter's exit.
pub fn lockstep(a: &mut Guest, b: &mut Guest, step: u64, total: u64, what: &str) -> RunExit {
    let mut ran = 0;
    let mut steps = 0u64;
    loop {
        let ea = a.run_budget(step);
        let eb = b.run_budget(step);
        steps += 1;
        assert_eq!(ea, eb, "{what}: exits differ after step {steps}");
        if let Some(d) = diff(a, b) {
            panic!(
                "{what}: divergence after step {steps} (insns {}):\n{d}",
                a.cpu.counters.instructions
            );
        }
        if steps.is_multiple_of(64) {
            if let Some(d) = ram_diff(a, b) {
                panic!("{what}: after step {steps}: {d}");
            }
        }
        ran += step;
        if ea != RunExit::Budget || ran >= total {
            if let Some(d) = ram_diff(a, b) {
                panic!("{what}: at the end: {d}");
            }
            return ea;
        }
    }
}

/// Two machines of `model` entering `entry` with the same program; the second runs the JIT.
pub fn pair(
    model: CpuModel,
    entry: Entry,
    threshold: u32,
    program: &dyn Fn(&mut Guest),
) -> (Guest, Guest, Arc<JitStats>) {
    pair_with(
        model,
        entry,
        JitConfig {
            threshold,
            compile_helper_only: threshold == 0,
            ..JitConfig::default()
        },
        program,
    )
}

/// `pair` with a whole JIT configuration.
pub fn pair_with(
    model: CpuModel,
    entry: Entry,
    config: JitConfig,
    program: &dyn Fn(&mut Guest),
) -> (Guest, Guest, Arc<JitStats>) {
    let mut a = Guest::new(model, entry);
    let mut b = Guest::new(model, entry);
    program(&mut a);
    program(&mut b);
    let stats = rawbox_jit::install(&mut b.cpu, config);
    (a, b, stats)
}
