//! Measures trace-mode throughput into a file and how much a never-hit execution breakpoint
//! slows down `continue` compared with a plain run.
//!
//! `cargo run --release -p rawbox-debugger --example trace_bench -- [FLOPPY.img]`
//! (without an image, the built-in demo runs).

use rawbox_debugger::session::BreakKind;
use rawbox_debugger::{run_trace, Session, Syntax, TraceOptions};
use rawbox_vmm::{Machine, MachineConfig};
use std::io::Write;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

/// This thread's CPU time (user + system) in seconds, from /proc (10 ms resolution); the
/// figures use it because wall time on a shared machine varies with other load.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    // Fields after the command name (which ends with ')'): utime is the 12th, stime the 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn machine(image: &Option<String>) -> Machine {
    let mut c = MachineConfig::default();
    match image {
        Some(p) => c.fda = Some(p.into()),
        None => c.demo = true,
    }
    Machine::new(c).expect("machine")
}

fn main() {
    let image = std::env::args().nth(1);
    let insns: u64 = 5_000_000;
    if std::env::var_os("CPU_ONLY").is_some() {
        cpu_loop();
        return;
    }

    // 1. Trace lines per second into a file.
    let mut m = machine(&image);
    let path = std::env::temp_dir().join("rawbox-trace-bench.txt");
    let f = std::fs::File::create(&path).expect("trace file");
    let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
    let opts = TraceOptions {
        syntax: Syntax::Intel,
        count: Some(insns),
        ..TraceOptions::default()
    };
    let t = Instant::now();
    let c = cpu_seconds();
    run_trace(&mut m, &opts, &mut w, &AtomicBool::new(false)).expect("trace");
    w.flush().expect("flush");
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - c;
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "trace: {insns} lines, {:.1} MB in {secs:.2} s = {:.2} M lines/s \
         ({cpu:.2} s of CPU time = {:.2} M lines per CPU second)",
        bytes as f64 / 1e6,
        insns as f64 / secs / 1e6,
        insns as f64 / cpu.max(0.01) / 1e6
    );
    let _ = std::fs::remove_file(&path);

    if std::env::var_os("TRACE_ONLY").is_some() {
        return;
    }
    cpu_loop();
    // 2. Continue with one never-hit breakpoint vs a plain run, same virtual time; each
    // variant runs twice, alternating, and the faster run counts.
    let virtual_ns = 1_000_000_000u64;
    let mut plain_best = f64::MAX;
    let mut bp_best = f64::MAX;
    let mut insns_seen = (0, 0);
    for _ in 0..2 {
        let mut plain = machine(&image);
        let t = cpu_seconds();
        let mut left = virtual_ns;
        while left > 0 {
            let slice = left.min(10_000_000);
            plain.run_for(slice);
            left -= slice;
        }
        plain_best = plain_best.min(cpu_seconds() - t);
        insns_seen.0 = plain.cpu.counters.instructions;

        let mut dbg = machine(&image);
        let mut s = Session::new(&mut dbg, Syntax::Intel, Arc::new(AtomicBool::new(false)));
        s.add(BreakKind::Exec(0x0012_3456), None);
        let t = cpu_seconds();
        s.begin_continue();
        let mut left = virtual_ns;
        while left > 0 {
            let slice = left.min(10_000_000);
            assert!(s.cont_slice(slice).is_none(), "the breakpoint was hit");
            left -= slice;
        }
        bp_best = bp_best.min(cpu_seconds() - t);
        insns_seen.1 = s.m.cpu.counters.instructions;
    }
    println!(
        "run {:.1} s virtual (CPU seconds): plain {plain_best:.3} s ({} insns), continue with one breakpoint \
         {bp_best:.3} s ({} insns): {:+.1}%",
        virtual_ns as f64 / 1e9,
        insns_seen.0,
        insns_seen.1,
        (bp_best / plain_best - 1.0) * 100.0
    );
}

/// A CPU-bound loop on a bare `Cpu` (no devices): `Cpu::run` with no hooks vs with one
/// never-hit execution breakpoint installed.
fn cpu_loop() {
    use rawbox_cpu::state::{SegReg, Segment};
    use rawbox_cpu::{Cpu, CpuModel, HostDebug, NullBus};
    // 1000: add ax,bx / xor dx,ax / inc si / mov [di],dx / add di,2 / loop 1000 / jmp 1000
    let code = [
        0x01, 0xD8, 0x31, 0xC2, 0x46, 0x89, 0x15, 0x83, 0xC7, 0x02, 0xE2, 0xF4, 0xEB, 0xF2,
    ];
    let n = 300_000_000u64;
    let mut best = [f64::MAX; 2];
    for round in 0..4 {
        let hooked = round % 2 == 1;
        let mut cpu = Cpu::new(CpuModel::Pentium, 1 << 20).expect("cpu");
        cpu.mem.write_bytes(0x1000, &code);
        cpu.state.segs[SegReg::Cs as usize] = Segment::real(0);
        cpu.state.eip = 0x1000;
        if hooked {
            let mut h = HostDebug::default();
            h.breakpoints.insert(0x0009_0000);
            h.record_blocks = true;
            cpu.set_host_debug(Some(h));
        }
        let t = cpu_seconds();
        let mut left = n;
        while left > 0 {
            let before = cpu.counters.instructions;
            cpu.run(&mut NullBus, left.min(1_000_000));
            left -= (cpu.counters.instructions - before).max(1).min(left);
        }
        let i = hooked as usize;
        best[i] = best[i].min(cpu_seconds() - t);
    }
    println!(
        "cpu loop {n} insns (CPU seconds): plain {:.3} s ({:.0} MIPS), one breakpoint {:.3} s: \
         {:+.1}%",
        best[0],
        n as f64 / best[0] / 1e6,
        best[1],
        (best[1] / best[0] - 1.0) * 100.0
    );
}
