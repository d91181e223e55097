//! The `--jit-verify` lockstep engine (`rawbox_vmm::verify::Lockstep`): the demo runs with no
//! divergence under the default JIT threshold, and a difference planted in one machine's
//! registers or RAM is found and reported with both values.

use rawbox_cpu::state::reg;
use rawbox_vmm::verify::Lockstep;
use rawbox_vmm::{Engine, MachineConfig, StopReason};

fn demo() -> Lockstep {
    // The demo runs only a few hundred instructions before it idles, so the JIT compiles at
    // once (the configured threshold is what the JIT machine gets).
    let cfg = MachineConfig {
        demo: true,
        memory_mb: 4,
        jit_threshold: 0,
        ..MachineConfig::default()
    };
    Lockstep::new(&cfg).expect("machines")
}

#[test]
fn demo_runs_without_divergence_and_the_jit_compiles() {
    let mut l = demo();
    assert_eq!(l.a.config.engine, Engine::Interp);
    assert_eq!(l.b.config.engine, Engine::Jit);
    assert_eq!(l.b.config.jit_threshold, 0);
    for _ in 0..500 {
        match l.step_slice(1_000_000) {
            Ok(r) => assert_eq!(r, StopReason::TimeUp),
            Err(d) => panic!("{d}"),
        }
    }
    l.check_ram().unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(l.slices(), 500);
    assert!(
        l.a.cpu.counters.instructions > 100,
        "{}",
        l.a.cpu.counters.instructions
    );
    let compiled =
        l.b.jit_stats
            .as_ref()
            .expect("jit stats")
            .blocks_compiled
            .load(std::sync::atomic::Ordering::Relaxed);
    assert!(compiled > 0, "the JIT compiled nothing");
}

#[test]
fn a_poked_register_is_reported_with_both_values() {
    let mut l = demo();
    for _ in 0..20 {
        l.step_slice(1_000_000).unwrap_or_else(|d| panic!("{d}"));
    }
    l.b.cpu.state.regs[reg::EBP] ^= 0x1234_0000;
    let d = l.step_slice(1_000_000).expect_err("divergence not found");
    assert_eq!(d.slice, 20);
    assert!(d.differing_fields().contains(&"ebp".to_string()));
    assert_ne!(d.a.state.regs[reg::EBP], d.b.state.regs[reg::EBP]);
    let report = d.to_string();
    assert!(report.contains("divergence after slice 20"), "{report}");
    let ebp_line = report
        .lines()
        .find(|l| l.starts_with("**ebp"))
        .unwrap_or_else(|| panic!("ebp not marked:\n{report}"));
    let header = report.lines().nth(1).unwrap_or_default();
    assert!(
        header.contains("interp") && header.contains("jit"),
        "{report}"
    );
    assert!(
        ebp_line.contains(&format!("{:08x}", d.a.state.regs[reg::EBP])),
        "{ebp_line}"
    );
    assert!(
        ebp_line.contains(&format!("{:08x}", d.b.state.regs[reg::EBP])),
        "{ebp_line}"
    );
    // Unchanged fields are not marked.
    assert!(report.lines().any(|l| l.starts_with("  cr0")), "{report}");
}

#[test]
fn a_poked_ram_byte_is_reported_at_its_address() {
    let mut l = demo();
    l.step_slice(1_000_000).unwrap_or_else(|d| panic!("{d}"));
    let addr = l.b.cpu.mem.ram().len() as u32 - 3;
    let old = l.b.cpu.mem.ram()[addr as usize];
    l.b.cpu.mem.write_bytes(addr, &[old ^ 0x5A]);
    let d = l.check_ram().expect_err("RAM difference not found");
    let ram = d.ram.expect("ram diff");
    assert_eq!(ram.addr, addr as u64);
    assert_eq!(ram.a ^ ram.b, 0x5A);
    let report = d.to_string();
    assert!(
        report.contains(&format!("RAM differs first at {addr:#010x}")),
        "{report}"
    );
}
