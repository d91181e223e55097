//! Whole machines run by the interpreter and by the JIT (force-compile) in lockstep: the
//! built-in demo and, when the shared images are present, a FreeDOS boot from
//! `freedos722.img`. After every slice of virtual time the CPU state, the counters and RAM
//! must be identical.

use rawbox_vmm::{Engine, Machine, MachineConfig};
use std::path::{Path, PathBuf};

fn machine(base: &MachineConfig, engine: Engine) -> Machine {
    let cfg = MachineConfig {
        engine,
        jit_threshold: 0,
        ..base.clone()
    };
    Machine::new(cfg).expect("machine")
}

/// Runs both machines slice by slice for `slices` slices of `slice_ns`; panics on the first
/// difference. Returns the instructions run.
fn lockstep(base: &MachineConfig, slices: u32, slice_ns: u64, keys: &str) -> (u64, String) {
    let mut a = machine(base, Engine::Interp);
    let mut b = machine(base, Engine::Jit);
    let keys = rawbox_vmm::keys::parse_keys(keys).expect("keys");
    a.type_keys(&keys);
    b.type_keys(&keys);
    for k in 0..slices {
        let ra = a.run_for(slice_ns);
        let rb = b.run_for(slice_ns);
        assert_eq!(ra, rb, "stop reasons differ in slice {k}");
        assert_eq!(
            a.cpu.counters.instructions, b.cpu.counters.instructions,
            "instruction counts differ in slice {k}"
        );
        assert_eq!(a.cpu.state, b.cpu.state, "CPU state differs in slice {k}");
        assert_eq!(a.cpu.counters.blocks, b.cpu.counters.blocks, "slice {k}");
        assert_eq!(
            a.cpu.counters.interrupts, b.cpu.counters.interrupts,
            "slice {k}"
        );
        if k.is_multiple_of(16) || k + 1 == slices {
            let (ra, rb) = (a.cpu.mem.ram(), b.cpu.mem.ram());
            if let Some(i) = ra.iter().zip(rb).position(|(x, y)| x != y) {
                panic!("RAM differs at {i:#x} in slice {k}");
            }
        }
    }
    let stats = b.jit_stats.as_ref().expect("jit stats");
    assert!(
        stats
            .blocks_compiled
            .load(std::sync::atomic::Ordering::Relaxed)
            > 0
    );
    let screen = a.text_screen().unwrap_or_default().join("\n");
    assert_eq!(
        Some(&screen),
        b.text_screen().map(|s| s.join("\n")).as_ref()
    );
    (a.cpu.counters.instructions, screen)
}

#[test]
fn demo_interp_and_jit_agree() {
    let base = MachineConfig {
        demo: true,
        ..MachineConfig::default()
    };
    let (n, _) = lockstep(&base, 100, 10_000_000, "");
    assert!(n > 100, "only {n} instructions ran");
}

fn shared_image(name: &str) -> Option<PathBuf> {
    let root = std::env::var_os("RAWBOX_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"));
    let p = root.join("images").join(name);
    p.is_file().then_some(p)
}

#[test]
fn freedos_boot_and_programs_interp_and_jit_agree() {
    let src = shared_image("freedos722.img")
        .expect("freedos722.img not found in the shared test data (set RAWBOX_SHARED)");
    // Scratch copies: the guest may write to its disk.
    let dir = std::env::temp_dir().join(format!("rawbox-engine-lockstep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let img = dir.join("fd.img");
    std::fs::copy(&src, &img).unwrap();
    let base = MachineConfig {
        fda: Some(img),
        memory_mb: 16,
        ..MachineConfig::default()
    };
    let (n, screen) = lockstep(&base, 120, 25_000_000, "hello\\rcpulevel\\r");
    // The boot reaches the prompt, where the guest idles (tight INT 16h polls wait for
    // interrupts), so the count stays a few million.
    assert!(n > 3_000_000, "only {n} instructions ran");
    assert!(screen.contains("Hello, World!"), "{screen}");
    assert!(screen.contains("[cmpxchg8b opcode]"), "{screen}");
    let _ = std::fs::remove_dir_all(&dir);
}
