//! Golden traces of a short real-mode boot-sector program in the four syntaxes, and the
//! ring buffer dumped on an exception and on a triple fault.

mod common;

use iced_x86::code_asm::*;
use rawbox_debugger::{run_trace, Syntax, TraceEnd, TraceOptions};
use std::sync::atomic::AtomicBool;

fn trace(syntax: Syntax, count: u64) -> (TraceEnd, String) {
    let img = common::floppy_with(&format!("golden-{syntax}"), &common::demo_program());
    let mut m = common::machine(&img);
    let opts = TraceOptions {
        syntax,
        from: Some(0x7C00),
        count: Some(count),
        ..TraceOptions::default()
    };
    let mut out = Vec::new();
    let end = run_trace(&mut m, &opts, &mut out, &AtomicBool::new(false)).unwrap();
    (end, String::from_utf8(out).unwrap())
}

fn check_golden(syntax: Syntax) {
    let (end, text) = trace(syntax, 32);
    assert_eq!(end, TraceEnd::CountReached);
    let path = format!(
        "{}/tests/golden/boot_{syntax}.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text, expected, "trace differs from {path}");
}

#[test]
fn golden_intel() {
    check_golden(Syntax::Intel);
}

#[test]
fn golden_masm() {
    check_golden(Syntax::Masm);
}

#[test]
fn golden_nasm() {
    check_golden(Syntax::Nasm);
}

#[test]
fn golden_att() {
    check_golden(Syntax::Att);
}

#[test]
fn count_limits_the_lines_and_from_starts_at_the_address() {
    let (end, text) = trace(Syntax::Intel, 5);
    assert_eq!(end, TraceEnd::CountReached);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert!(
        lines[0].starts_with("R   0000:7c00 (00007c00)  fa"),
        "{text}"
    );
    assert!(lines[1].ends_with("| PF=1 ZF=1") || lines[1].contains("xor ax,ax"));
}

/// A guest that loads an empty IDT and executes INT 3: #GP, then #DF, then shutdown.
fn crashing_program() -> Vec<u8> {
    common::assemble(|a| {
        a.cli()?;
        a.xor(ax, ax)?;
        a.mov(ds, ax)?;
        a.mov(word_ptr(0x600), ax)?; // IDT limit 0
        a.mov(word_ptr(0x602), ax)?;
        a.mov(word_ptr(0x604), ax)?;
        a.mov(cx, 7u32)?;
        a.lidt(word_ptr(0x600))?;
        a.int3()?;
        a.hlt()?;
        Ok(())
    })
}

#[test]
fn ring_dumps_on_exception_and_triple_fault() {
    let img = common::floppy_with("crash", &crashing_program());
    let mut m = common::machine(&img);
    let opts = TraceOptions {
        from: Some(0x7C00),
        count: Some(1000),
        ring: Some(3),
        ring_exceptions: vec![0x0d],
        ..TraceOptions::default()
    };
    let mut out = Vec::new();
    let end = run_trace(&mut m, &opts, &mut out, &AtomicBool::new(false)).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(end, TraceEnd::TripleFault, "{text}");
    let lines: Vec<&str> = text.lines().collect();
    // INT 3 through an empty IDT raises #GP, whose delivery raises #DF, whose delivery
    // shuts the CPU down. The #GP dumps the last 3 lines, the faulting INT 3 included.
    assert_eq!(
        lines[0], "--- last 3 instructions (exception 0x0d) ---",
        "{text}"
    );
    assert!(lines[1].contains("mov cx,7"), "{text}");
    assert!(lines[2].contains("lidt"), "{text}");
    assert!(lines[3].contains("int3"), "{text}");
    assert!(
        lines[3].ends_with("| exception 0x0d 0x08 triple fault"),
        "{text}"
    );
    // The triple fault then dumps what came after it: nothing.
    assert_eq!(
        lines[4], "--- last 0 instructions (triple fault) ---",
        "{text}"
    );
    assert_eq!(lines.len(), 5, "{text}");
    // Nothing is printed outside the dumps.
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("---") || l.starts_with("R ")),
        "{text}"
    );
}

#[test]
fn ring_dumps_the_last_lines_on_exit() {
    let img = common::floppy_with("ring-exit", &common::demo_program());
    let mut m = common::machine(&img);
    let opts = TraceOptions {
        from: Some(0x7C00),
        count: Some(10),
        ring: Some(3),
        ..TraceOptions::default()
    };
    let mut out = Vec::new();
    let end = run_trace(&mut m, &opts, &mut out, &AtomicBool::new(false)).unwrap();
    assert_eq!(end, TraceEnd::CountReached);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert_eq!(lines[0], "--- last 3 instructions (end of trace) ---");
    // Instructions 8 to 10 of the program: mov bx, add, mov [0x500].
    assert!(lines[1].starts_with("R   0000:7c0f"), "{text}");
    assert!(lines[2].starts_with("R   0000:7c12"), "{text}");
    assert!(lines[3].starts_with("R   0000:7c14"), "{text}");
}

#[test]
fn a_raised_stop_flag_ends_the_trace() {
    let img = common::floppy_with("stop-flag", &common::demo_program());
    let mut m = common::machine(&img);
    let mut out = Vec::new();
    let end = run_trace(
        &mut m,
        &TraceOptions::default(),
        &mut out,
        &AtomicBool::new(true),
    )
    .unwrap();
    assert_eq!(end, TraceEnd::Interrupted);
    assert!(out.is_empty());
}
