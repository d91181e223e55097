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
    run_trace(&mut m, &opts, &mut w, &AtomicBool::new(false)).expect("trace");
    w.flush().expect("flush");
    let secs = t.elapsed().as_secs_f64();
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "trace: {insns} lines, {:.1} MB in {secs:.2} s = {:.2} M lines/s",
        bytes as f64 / 1e6,
        insns as f64 / secs / 1e6
    );
    let _ = std::fs::remove_file(&path);

    if std::env::var_os("TRACE_ONLY").is_some() {
        return;
    }
    // 2. Continue with one never-hit breakpoint vs a plain run, same virtual time; each
    // variant runs twice, alternating, and the faster run counts.
    let virtual_ns = 1_000_000_000u64;
    let mut plain_best = f64::MAX;
    let mut bp_best = f64::MAX;
    let mut insns_seen = (0, 0);
    for _ in 0..2 {
        let mut plain = machine(&image);
        let t = Instant::now();
        let mut left = virtual_ns;
        while left > 0 {
            let slice = left.min(10_000_000);
            plain.run_for(slice);
            left -= slice;
        }
        plain_best = plain_best.min(t.elapsed().as_secs_f64());
        insns_seen.0 = plain.cpu.counters.instructions;

        let mut dbg = machine(&image);
        let mut s = Session::new(&mut dbg, Syntax::Intel, Arc::new(AtomicBool::new(false)));
        s.add(BreakKind::Exec(0x0012_3456), None);
        let t = Instant::now();
        s.begin_continue();
        let mut left = virtual_ns;
        while left > 0 {
            let slice = left.min(10_000_000);
            assert!(s.cont_slice(slice).is_none(), "the breakpoint was hit");
            left -= slice;
        }
        bp_best = bp_best.min(t.elapsed().as_secs_f64());
        insns_seen.1 = s.m.cpu.counters.instructions;
    }
    println!(
        "run {:.1} s virtual: plain {plain_best:.3} s ({} insns), continue with one breakpoint \
         {bp_best:.3} s ({} insns): {:+.1}%",
        virtual_ns as f64 / 1e9,
        insns_seen.0,
        insns_seen.1,
        (bp_best / plain_best - 1.0) * 100.0
    );
}
