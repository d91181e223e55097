//! `cpu-bench`: CPU speed in guest MIPS on small hot loops (real mode ALU, 32-bit
//! protected-mode ALU, memory-heavy, branch/block-lookup-heavy), with the interpreter, the
//! JIT, or both. A benchmark, not a test.
//!
//! Usage: `cargo run --release -p rawbox-tests --bin cpu-bench [-- MILLIONS] [--engine interp|jit|both]`

use iced_x86::code_asm::*;
use rawbox_cpu::state::{access, cr0, Segment};
use rawbox_cpu::{Cpu, CpuModel, NullBus, RunExit};
use std::time::Instant;

const CODE: u32 = 0x1_0000;

fn assemble(bits: u32, f: impl FnOnce(&mut CodeAssembler) -> Result<(), IcedError>) -> Vec<u8> {
    let mut a = CodeAssembler::new(bits).expect("bitness");
    f(&mut a).expect("assemble");
    a.assemble(CODE as u64).expect("encode")
}

fn flat32() -> Segment {
    Segment {
        base: 0,
        limit: 0xFFFF_FFFF,
        selector: 8,
        access: access::PRESENT
            | access::S
            | access::RW
            | access::DB
            | access::G
            | access::ACCESSED,
        valid: true,
    }
}

fn real_cpu(code: &[u8]) -> Cpu {
    let mut cpu = Cpu::new(CpuModel::Pentium, 16 << 20).expect("ram");
    cpu.mem.write_bytes(CODE, code);
    cpu.state.segs[1] = Segment::real((CODE >> 4) as u16);
    cpu.state.segs[1].access |= access::CODE;
    cpu.state.eip = 0;
    cpu
}

fn pm_cpu(code: &[u8]) -> Cpu {
    let mut cpu = Cpu::new(CpuModel::Pentium, 16 << 20).expect("ram");
    cpu.mem.write_bytes(CODE, code);
    cpu.state.cr0 |= cr0::PE;
    for s in 0..6 {
        cpu.state.segs[s] = flat32();
    }
    cpu.state.segs[1].access |= access::CODE;
    cpu.state.eip = CODE;
    cpu
}

/// Which engines to measure.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Engines {
    Interp,
    Jit,
    Both,
}

fn measure_with(name: &str, mk: impl Fn() -> Cpu, insns: u64, engines: Engines) {
    if engines != Engines::Jit {
        measure(&format!("{name} [interp]"), mk(), insns);
    }
    if engines != Engines::Interp {
        let mut cpu = mk();
        rawbox_jit::install(&mut cpu, rawbox_jit::JitConfig::default());
        measure(&format!("{name} [jit]"), cpu, insns);
    }
}

fn measure(name: &str, mut cpu: Cpu, insns: u64) {
    let mut bus = NullBus;
    let start = Instant::now();
    let exit = cpu.run(&mut bus, insns);
    let secs = start.elapsed().as_secs_f64();
    let done = cpu.counters.instructions;
    assert_eq!(exit, RunExit::Budget, "{name}: the loop stopped early");
    println!(
        "{name:<28} {:>8.1} MIPS  ({done} instructions in {secs:.3} s, {} blocks run, {} decoded)",
        done as f64 / secs / 1e6,
        cpu.counters.blocks,
        cpu.cache_stats().misses
    );
}

fn main() {
    let mut millions: u64 = 200;
    let mut engines = Engines::Interp;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--engine" => {
                engines = match args.next().as_deref() {
                    Some("interp") => Engines::Interp,
                    Some("jit") => Engines::Jit,
                    Some("both") => Engines::Both,
                    _ => {
                        eprintln!("cpu-bench: --engine takes interp, jit or both");
                        std::process::exit(2);
                    }
                }
            }
            n => match n.parse() {
                Ok(v) => millions = v,
                Err(_) => {
                    eprintln!("cpu-bench: unexpected argument '{n}'");
                    std::process::exit(2);
                }
            },
        }
    }
    let n = millions * 1_000_000;

    let real_alu = assemble(16, |a| {
        let mut top = a.create_label();
        a.set_label(&mut top)?;
        a.add(ax, bx)?;
        a.xor(dx, ax)?;
        a.inc(si)?;
        a.adc(bp, 3)?;
        a.dec(cx)?;
        a.jnz(top)?;
        a.jmp(top)
    });
    measure_with("real mode ALU loop", || real_cpu(&real_alu), n, engines);

    let pm_alu = assemble(32, |a| {
        let mut top = a.create_label();
        a.set_label(&mut top)?;
        a.add(eax, ebx)?;
        a.xor(edx, eax)?;
        a.inc(esi)?;
        a.lea(edi, ptr(esi + eax * 4 + 8))?;
        a.dec(ecx)?;
        a.jnz(top)?;
        a.jmp(top)
    });
    measure_with("32-bit PM ALU loop", || pm_cpu(&pm_alu), n, engines);

    let pm_mem = assemble(32, |a| {
        let mut top = a.create_label();
        a.mov(esi, 0x20_0000u32)?;
        a.set_label(&mut top)?;
        a.mov(eax, dword_ptr(esi))?;
        a.add(eax, 1)?;
        a.mov(dword_ptr(esi + 4), eax)?;
        a.add(esi, 4)?;
        a.and(esi, 0x20_FFFFu32)?;
        a.jmp(top)
    });
    measure_with("32-bit PM memory loop", || pm_cpu(&pm_mem), n, engines);

    let pm_branchy = assemble(32, |a| {
        let mut top = a.create_label();
        let mut l1 = a.create_label();
        let mut l2 = a.create_label();
        let mut l3 = a.create_label();
        a.set_label(&mut top)?;
        a.inc(eax)?;
        a.jmp(l1)?;
        a.set_label(&mut l1)?;
        a.test(eax, 1)?;
        a.jz(l2)?;
        a.add(ebx, eax)?;
        a.set_label(&mut l2)?;
        a.call(l3)?;
        a.jmp(top)?;
        a.set_label(&mut l3)?;
        a.ret()
    });
    let branchy = || {
        let mut cpu = pm_cpu(&pm_branchy);
        cpu.state.regs[4] = 0x8_0000;
        cpu
    };
    measure_with("32-bit PM branch/call loop", branchy, n, engines);
}
