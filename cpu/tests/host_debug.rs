//! Host debugger hooks on a bare CPU: execution breakpoints stop `Cpu::run` exactly at the
//! address (also inside a decoded block and after resuming), watchpoints, port and interrupt
//! breakpoints stop after the instruction that hit them, and removing the hooks restores
//! plain runs. Any block engine must give the same stops (see `host_debug.rs`).

use iced_x86::code_asm::*;
use rawbox_cpu::state::{SegReg, Segment};
use rawbox_cpu::{Cpu, CpuModel, DebugStop, HostDebug, NullBus, RunExit, Watch, WatchKind};

const CODE: u32 = 0x1000;

/// Real-mode CPU at 0000:1000 running `code`; every interrupt vector points at a HLT.
fn cpu_with(build: impl FnOnce(&mut CodeAssembler) -> Result<(), IcedError>) -> Cpu {
    let mut a = CodeAssembler::new(16).unwrap();
    build(&mut a).unwrap();
    let code = a.assemble(u64::from(CODE)).unwrap();
    let mut cpu = Cpu::new(CpuModel::Pentium, 1 << 20).unwrap();
    cpu.mem.write_bytes(CODE, &code);
    cpu.mem.write_bytes(0x500, &[0xF4]);
    for v in 0..256u32 {
        cpu.mem.write_bytes(v * 4, &[0x00, 0x05, 0, 0]);
    }
    for s in SegReg::ALL {
        cpu.state.segs[s as usize] = Segment::real(0);
    }
    cpu.state.eip = CODE;
    cpu.state.regs[4] = 0x8000;
    cpu
}

/// A loop: 1000 mov ax,0 / 1003 add ax,1 / 1006 add bx,ax / 1008 mov [0x600],bx /
/// 100c cmp ax,5 / 100f jne 1003 / 1011 out 0x80,al / 1013 int 0x21 / ...
fn loop_program(a: &mut CodeAssembler) -> Result<(), IcedError> {
    let mut top = a.create_label();
    a.mov(ax, 0u32)?;
    a.set_label(&mut top)?;
    a.add(ax, 1i32)?;
    a.add(bx, ax)?;
    a.mov(word_ptr(0x600), bx)?;
    a.cmp(ax, 5i32)?;
    a.jne(top)?;
    a.out(0x80, al)?;
    a.int(0x21)?;
    a.hlt()?;
    Ok(())
}

fn lin(cpu: &Cpu) -> u32 {
    cpu.state.segs[SegReg::Cs as usize].base + cpu.state.eip
}

#[test]
fn execution_breakpoint_inside_a_block_stops_exactly_each_time() {
    let mut cpu = cpu_with(loop_program);
    // Warm the block cache with a plain run of the first iterations.
    cpu.run(&mut NullBus, 3);
    let mut h = HostDebug::default();
    h.breakpoints.insert(0x1006); // `add bx,ax`, the second instruction of the loop block
    cpu.set_host_debug(Some(h));
    let mut seen = Vec::new();
    for _ in 0..4 {
        let exit = cpu.run(&mut NullBus, 1_000);
        assert_eq!(exit, RunExit::Budget);
        assert_eq!(
            cpu.take_debug_stop(),
            Some(DebugStop::Breakpoint { linear: 0x1006 })
        );
        assert_eq!(lin(&cpu), 0x1006);
        seen.push(cpu.state.regs[0] & 0xFFFF);
        // Running again without resuming does not move.
        let before = cpu.counters.instructions;
        cpu.run(&mut NullBus, 1_000);
        assert_eq!(cpu.counters.instructions, before);
        assert!(cpu.take_debug_stop().is_some());
        cpu.resume_from_breakpoint();
    }
    // AX counts the iterations: the first stop came in iteration 2 (the plain run had
    // already passed 1006 once), then one stop per iteration.
    assert_eq!(seen, [2, 3, 4, 5]);
}

#[test]
fn breakpoint_at_the_current_block_start_and_removal() {
    let mut cpu = cpu_with(loop_program);
    let mut h = HostDebug::default();
    h.breakpoints.insert(CODE);
    cpu.set_host_debug(Some(h));
    cpu.run(&mut NullBus, 100);
    assert_eq!(cpu.counters.instructions, 0);
    assert_eq!(
        cpu.take_debug_stop(),
        Some(DebugStop::Breakpoint { linear: CODE })
    );
    cpu.set_host_debug(None);
    let exit = cpu.run(&mut NullBus, 1_000);
    assert_eq!(exit, RunExit::Halted);
    assert_eq!(cpu.take_debug_stop(), None);
}

#[test]
fn write_watchpoint_stops_after_the_store() {
    let mut cpu = cpu_with(loop_program);
    let mut h = HostDebug::default();
    h.watches.push(Watch {
        start: 0x601,
        len: 1,
        kind: WatchKind::Write,
    });
    cpu.set_host_debug(Some(h));
    cpu.run(&mut NullBus, 1_000);
    match cpu.take_debug_stop() {
        Some(DebugStop::Watch {
            linear, len, write, ..
        }) => assert_eq!((linear, len, write), (0x600, 2, true)),
        other => panic!("{other:?}"),
    }
    // Stopped after `mov [0x600],bx` of the first iteration.
    assert_eq!(lin(&cpu), 0x100C);
    assert_eq!(cpu.state.regs[3] & 0xFFFF, 1);
    // A read watchpoint on the same bytes never fires: the loop only writes them.
    cpu.host_debug_mut().watches[0].kind = WatchKind::Read;
    assert_eq!(cpu.run(&mut NullBus, 1_000), RunExit::Halted);
    assert!(cpu.take_debug_stop().is_none());
}

#[test]
fn port_and_interrupt_breakpoints() {
    let mut cpu = cpu_with(loop_program);
    let mut h = HostDebug::default();
    h.ports.insert(0x80);
    h.vectors.insert(0x21);
    cpu.set_host_debug(Some(h));
    cpu.run(&mut NullBus, 1_000);
    assert_eq!(
        cpu.take_debug_stop(),
        Some(DebugStop::Port { port: 0x80, len: 1 })
    );
    assert_eq!(lin(&cpu), 0x1013);
    cpu.run(&mut NullBus, 1_000);
    match cpu.take_debug_stop() {
        Some(DebugStop::Interrupt { vector, .. }) => assert_eq!(vector, 0x21),
        other => panic!("{other:?}"),
    }
    // At the handler's first instruction, which has not run yet.
    assert_eq!(lin(&cpu), 0x500);
    assert!(!cpu.state.halted);
}

#[test]
fn stepping_matches_running_to_a_breakpoint() {
    // Single steps and a run to a breakpoint reach the same state.
    let mut stepped = cpu_with(loop_program);
    while lin(&stepped) != 0x100C || stepped.state.regs[0] & 0xFFFF != 3 {
        stepped.step(&mut NullBus);
    }
    let mut ran = cpu_with(loop_program);
    let mut h = HostDebug::default();
    h.breakpoints.insert(0x100C);
    ran.set_host_debug(Some(h));
    while !(lin(&ran) == 0x100C && ran.state.regs[0] & 0xFFFF == 3) {
        ran.resume_from_breakpoint();
        ran.run(&mut NullBus, 1_000);
        assert!(ran.take_debug_stop().is_some());
    }
    assert_eq!(stepped.state, ran.state);
    assert_eq!(stepped.counters.instructions, ran.counters.instructions);
}
