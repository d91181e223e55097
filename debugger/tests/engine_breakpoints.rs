//! Breakpoints stop at the same instruction, with the same guest state, whether the
//! interpreter or the JIT (compiling every block, hot loops repeating in place) runs the
//! guest between them: plain and conditional breakpoints inside a hot loop, a breakpoint
//! after it, and a write watchpoint.

mod common;

use iced_x86::code_asm::*;
use rawbox_debugger::repl::{run_repl, PlainLines};
use rawbox_debugger::{Session, Syntax};
use rawbox_vmm::{Engine, Machine, MachineConfig};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// A hot loop: 3000 iterations of ALU work with a store every iteration, a rarely taken
/// branch (when DX reaches 2500) to a NOP at the end of the code, then a final store and HLT.
fn hot_loop() -> Vec<u8> {
    common::assemble(|a| {
        let mut top = a.create_label();
        let mut skip = a.create_label();
        let mut rare = a.create_label();
        a.cli()?;
        a.xor(ax, ax)?;
        a.mov(ds, ax)?;
        a.mov(ss, ax)?;
        a.mov(sp, 0x7C00u32)?;
        a.mov(bx, 7u32)?;
        a.xor(dx, dx)?;
        a.mov(cx, 3000u32)?;
        a.set_label(&mut top)?;
        a.add(ax, bx)?;
        a.xor(si, ax)?;
        a.inc(dx)?;
        a.mov(word_ptr(0x600), dx)?;
        a.cmp(dx, 2500u32)?;
        a.je(rare)?;
        a.set_label(&mut skip)?;
        a.loop_(top)?;
        a.mov(word_ptr(0x602), ax)?;
        a.hlt()?;
        a.jmp(skip)?;
        a.set_label(&mut rare)?;
        a.nop()?;
        a.jmp(skip)?;
        Ok(())
    })
}

fn machine(engine: Engine, image: &std::path::Path) -> Machine {
    Machine::new(MachineConfig {
        fda: Some(image.to_path_buf()),
        memory_mb: 4,
        engine,
        jit_threshold: 0,
        ..MachineConfig::default()
    })
    .unwrap()
}

fn run(engine: Engine, image: &std::path::Path, script: &str) -> String {
    let mut m = machine(engine, image);
    let mut out = Vec::new();
    {
        let mut s = Session::new(&mut m, Syntax::Intel, Arc::new(AtomicBool::new(false)));
        let mut input = PlainLines(script.as_bytes());
        run_repl(&mut s, &mut input, &mut out).unwrap();
    }
    let jit_ran = m
        .jit_stats
        .as_ref()
        .map(|s| s.blocks_compiled.load(std::sync::atomic::Ordering::Relaxed));
    if engine == Engine::Jit {
        assert!(jit_ran.unwrap_or(0) > 0, "the JIT compiled nothing");
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn breakpoints_stop_at_the_same_instruction_with_and_without_the_jit() {
    let image = common::floppy_with("engine-bp", &hot_loop());
    // Find the loop's addresses from the code itself.
    let code = hot_loop();
    let top_at = 0x7C00 + code.windows(2).position(|w| w == [0x01, 0xD8]).unwrap();
    let cmp_at = 0x7C00
        + code
            .windows(4)
            .position(|w| w == [0x81, 0xFA, 0xC4, 0x09])
            .unwrap();
    let rare_at = 0x7C00 + code.len() - 3;
    let script = format!(
        "b 0:{top_at:x}\nc\nc\nr\nbd 1\n\
         b 0:{cmp_at:x} if edx==0x4d2\nc\nr\nbd 2\n\
         b 0:{rare_at:x}\nc\nr\nbd 3\n\
         ww 0:602 2\nc\nr\nx 0:600 4\nq\n"
    );
    let interp = run(Engine::Interp, &image, &script);
    let jit = run(Engine::Jit, &image, &script);
    assert_eq!(interp, jit, "the JIT stopped elsewhere");
    // And the stops are the right ones.
    assert!(
        interp.contains(&format!("breakpoint #1 at {top_at:08x}")),
        "{interp}"
    );
    assert!(interp.contains("edx=000004d2"), "{interp}");
    assert!(
        interp.contains(&format!("R   0000:{rare_at:04x}")),
        "{interp}"
    );
    assert!(interp.contains("edx=000009c4"), "{interp}");
    assert!(interp.contains("00000600: b8 0b"), "{interp}");
}
