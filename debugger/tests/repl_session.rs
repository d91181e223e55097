//! Debugger sessions driven through the command loop with scripted input: break at an
//! address, step, read registers, continue to a watchpoint, conditional and port
//! breakpoints, memory edit, history, and that breakpoints stop where single-stepping would.

mod common;

use iced_x86::code_asm::{al, si};
use rawbox_debugger::repl::{run_repl, PlainLines};
use rawbox_debugger::session::{BreakKind, Stopped};
use rawbox_debugger::{Session, Syntax};
use rawbox_vmm::Machine;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// Runs `script` in a debugger over the golden-trace program; returns the output.
fn session_output(m: &mut Machine, script: &str) -> String {
    let mut s = Session::new(m, Syntax::Intel, Arc::new(AtomicBool::new(false)));
    let mut input = PlainLines(script.as_bytes());
    let mut out = Vec::new();
    run_repl(&mut s, &mut input, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn program_machine(name: &str) -> Machine {
    common::machine(&common::floppy_with(name, &common::demo_program()))
}

/// The output from the first occurrence of `needle` on (panics if it is missing, so a chain
/// of `after` calls checks the order of the output).
fn after<'a>(text: &'a str, needle: &str) -> &'a str {
    let i = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in:\n{text}"));
    &text[i..]
}

#[test]
fn break_step_registers_and_watchpoint() {
    let mut m = program_machine("repl1");
    let script = "\
b 0:7c00
c
s
s 2
r
ww 0:500 2
c
x 0:500 4
bl
q
";
    let out = session_output(&mut m, script);
    // Starts at the reset vector.
    assert!(out.contains("R   f000:fff0 (fffffff0)"), "{out}");
    let o = after(&out, "breakpoint #1 at 00007c00");
    // The continue stops at the boot sector's first instruction.
    let o = after(o, "breakpoint #1 at 00007c00\nR   0000:7c00 (00007c00)  fa");
    // One step, then two.
    let o = after(o, "R   0000:7c01 (00007c01)  31 c0");
    let o = after(o, "R   0000:7c05 (00007c05)  8e c0");
    // Registers: AX is 0 after xor ax,ax; ZF set.
    let o = after(o, "eax=00000000");
    assert!(o.contains("ZF"), "{o}");
    // The write watchpoint stops after `mov [0x500],ax` at 7c14: CS:IP is 0000:7c17.
    let o = after(o, "watchpoint #2");
    let o = after(o, "watchpoint #2: write of 2 bytes at 00000500");
    let o = after(o, "R   0000:7c17 (00007c17)  b9 03 00");
    assert!(o.contains("00000500: ac 68 00 00"), "{o}");
    assert!(o.contains("#1 exec 00007c00 hits=1"), "{o}");
    assert!(o.contains("#2 watch Write 00000500 len 2 hits=1"), "{o}");
    assert_eq!(m.cpu.state.eip, 0x7C17);
    assert_eq!(m.cpu.state.segs[1].selector, 0);
}

#[test]
fn conditional_breakpoint_step_over_edit_and_history() {
    let mut m = program_machine("repl2");
    // The loop body at 7c1a runs with CX = 3, 2, 1: stop only when CX is 1.
    let script = "\
b 0:7c1a if cx==1
c
r
bd 1
hist 4
e 0:502 99 88
x 0:502 2
b 0:7c37
c
n
u 0:7c3a 1
q
";
    let out = session_output(&mut m, script);
    let o = after(&out, "breakpoint #1 at 00007c1a\nR   0000:7c1a");
    let o = after(o, "ecx=00000001");
    let o = after(o, "deleted #1");
    // The history after the continue: the last two loop iterations, from the CPU's block
    // trail (the breakpoint's condition failed once on the way).
    let hist: Vec<&str> = o.lines().skip(1).take(4).collect();
    assert!(
        hist[0].starts_with("R   0000:7c1a (00007c1a)  ff 06 02 05"),
        "{o}"
    );
    assert!(
        hist[1].starts_with("R   0000:7c1e (00007c1e)  e2 fa"),
        "{o}"
    );
    assert!(
        hist[2].starts_with("R   0000:7c1a (00007c1a)  ff 06 02 05"),
        "{o}"
    );
    assert!(
        hist[3].starts_with("R   0000:7c1e (00007c1e)  e2 fa"),
        "{o}"
    );
    let o = after(o, "wrote 2 bytes at 00000502");
    let o = after(o, "00000502: 99 88");
    // `n` over the CALL at 7c37 stops at the instruction after it (the HLT at 7c3a), with
    // the subroutine (shl, ret) run.
    let o = after(o, "breakpoint #2 at 00007c37\nR   0000:7c37");
    let o = after(o, "temporary breakpoint");
    let o = after(o, "R   0000:7c3a (00007c3a)  f4                    hlt");
    assert!(o.contains("0000:7c3a (00007c3a)  f4"), "{o}");
    assert_eq!(m.cpu.state.eip, 0x7C3A);
    assert_eq!(m.cpu.state.regs[0] & 0xFFFF, 0xD082, "shl ran");
}

#[test]
fn history_lists_stepped_instructions() {
    let mut m = program_machine("repl3");
    let out = session_output(&mut m, "b 0:7c00\nc\ns 3\nhist 2\nq\n");
    // Three steps from 7c00 end at 7c05; the last two executed were 7c01 and 7c03.
    let tail = after(&out, "R   0000:7c05");
    let tail = &tail[tail.find('\n').unwrap() + 1..];
    let lines: Vec<&str> = tail.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with("R   0000:7c01 (00007c01)  31 c0"),
        "{out}"
    );
    assert!(
        lines[1].starts_with("R   0000:7c03 (00007c03)  8e d8"),
        "{out}"
    );
}

/// Continues for at most about 2 s of virtual time (so a missed breakpoint fails the test
/// instead of hanging it).
fn cont_bounded(s: &mut Session) -> Option<Stopped> {
    s.begin_continue();
    (0..200).find_map(|_| s.cont_slice(10_000_000))
}

#[test]
fn interrupt_and_port_breakpoints() {
    let code = common::assemble(|a| {
        a.mov(al, 0x42u32)?; // 7c00
        a.out(0x80, al)?; // 7c02
        a.nop()?; // 7c04
        a.int(0x60)?; // 7c05
        a.cli()?;
        a.hlt()?;
        Ok(())
    });
    let mut m = common::machine(&common::floppy_with("ports", &code));
    let mut s = Session::new(&mut m, Syntax::Intel, Arc::new(AtomicBool::new(false)));
    // The BIOS boots through INT 19h: the interrupt hook stops at the handler's first
    // instruction, the one the vector table names.
    s.add(BreakKind::Interrupt(0x19), None);
    let st = cont_bounded(&mut s).expect("INT 19h breakpoint");
    assert!(matches!(st, Stopped::Hook(Some(1), _)), "{st:?}");
    let mut b = [0u8; 4];
    rawbox_debugger::mem::read_linear(&s.m.cpu, 0x19 * 4, &mut b);
    let handler = (u32::from(u16::from_le_bytes([b[2], b[3]])) << 4)
        + u32::from(u16::from_le_bytes([b[0], b[1]]));
    assert_eq!(rawbox_debugger::mem::pc_linear(&s.m.cpu), handler);
    s.delete(1);
    // A port hook stops right after the OUT.
    s.add(BreakKind::Port(0x80), None);
    match cont_bounded(&mut s) {
        Some(Stopped::Hook(Some(2), rawbox_cpu::DebugStop::Port { port, len })) => {
            assert_eq!((port, len), (0x80, 1));
        }
        other => panic!("expected the port breakpoint, got {other:?}"),
    }
    assert_eq!(s.m.cpu.state.eip, 0x7C04);
    // A software interrupt breakpoint stops at the INT 60h handler (the BIOS default).
    s.add(BreakKind::Interrupt(0x60), None);
    match cont_bounded(&mut s) {
        Some(Stopped::Hook(Some(3), rawbox_cpu::DebugStop::Interrupt { vector, .. })) => {
            assert_eq!(vector, 0x60);
        }
        other => panic!("expected the interrupt breakpoint, got {other:?}"),
    }
    // The return address on the stack is past the INT.
    let mut ret = [0u8; 2];
    let sp = s.m.cpu.state.segs[2].base + (s.m.cpu.state.regs[4] & 0xFFFF);
    rawbox_debugger::mem::read_linear(&s.m.cpu, sp, &mut ret);
    assert_eq!(u16::from_le_bytes(ret), 0x7C07);
}

/// Continue with an execution breakpoint in the middle of a decoded block stops at the same
/// instruction, with the same instruction count, as single-stepping to it.
#[test]
fn breakpoint_stops_where_stepping_does() {
    let target = 0x7C26; // `pop dx`, inside the block that starts at 7c20
    let mut a = program_machine("same1");
    let mut s = Session::new(&mut a, Syntax::Intel, Arc::new(AtomicBool::new(false)));
    s.add(BreakKind::Exec(0x7C00), None);
    assert!(matches!(s.cont(), Stopped::Hook(Some(1), _)));
    let start = s.m.cpu.counters.instructions;
    s.add(BreakKind::Exec(target), None);
    assert!(matches!(s.cont(), Stopped::Hook(Some(2), _)));
    let by_run = (
        s.m.cpu.state.eip,
        s.m.cpu.counters.instructions - start,
        s.m.cpu.state.regs,
    );

    let mut b = program_machine("same2");
    let mut s = Session::new(&mut b, Syntax::Intel, Arc::new(AtomicBool::new(false)));
    s.add(BreakKind::Exec(0x7C00), None);
    assert!(matches!(s.cont(), Stopped::Hook(Some(1), _)));
    s.delete(1);
    let start = s.m.cpu.counters.instructions;
    let mut steps = 0;
    while rawbox_debugger::mem::pc_linear(&s.m.cpu) != target {
        assert_eq!(s.step(1), Stopped::Stepped);
        steps += 1;
        assert!(steps < 100, "never reached {target:x}");
    }
    let by_step = (
        s.m.cpu.state.eip,
        s.m.cpu.counters.instructions - start,
        s.m.cpu.state.regs,
    );
    assert_eq!(by_run, by_step);
    assert_eq!(by_run.0, target);
}

/// A step that takes a hardware interrupt ends at the handler's first instruction (which has
/// not run), and the history does not list an instruction that did not run.
#[test]
fn step_into_a_hardware_interrupt() {
    let code = common::assemble(|a| {
        let mut spin = a.create_label();
        a.sti()?;
        a.set_label(&mut spin)?;
        a.inc(si)?;
        a.jmp(spin)?;
        Ok(())
    });
    let mut m = common::machine(&common::floppy_with("irq", &code));
    let mut s = Session::new(&mut m, Syntax::Intel, Arc::new(AtomicBool::new(false)));
    s.add(BreakKind::Exec(0x7C01), None);
    assert!(cont_bounded(&mut s).is_some());
    s.delete(1);
    let mut steps = 0;
    loop {
        let irqs = s.m.cpu.counters.interrupts;
        let insns = s.m.cpu.counters.instructions;
        assert_eq!(s.step(1), Stopped::Stepped);
        if s.m.cpu.counters.interrupts != irqs {
            assert_eq!(s.m.cpu.counters.instructions, insns, "the handler ran");
            break;
        }
        steps += 1;
        assert!(steps < 2_000_000, "no timer interrupt");
    }
    // IRQ 0 is vector 8 under the BIOS's PIC setup.
    let mut b = [0u8; 4];
    rawbox_debugger::mem::read_linear(&s.m.cpu, 8 * 4, &mut b);
    let handler = (u32::from(u16::from_le_bytes([b[2], b[3]])) << 4)
        + u32::from(u16::from_le_bytes([b[0], b[1]]));
    assert_eq!(rawbox_debugger::mem::pc_linear(&s.m.cpu), handler);
    let last = s.history.back().unwrap();
    assert!(
        last.cs_base + last.eip < 0x7C10,
        "history ends in the guest loop"
    );
}
