//! Each workload, assembled with a small iteration count, runs on rawbox's interpreter from
//! 1000:0000 (where the boot sector would jump) on a bus that plays COM1 and the port-92h
//! A20 gate; it must print its model's checksum and execute about the model's instruction
//! count (the model leaves out serial output, the mode switch and the page tables). Each also
//! runs through the JIT in lockstep with the interpreter.

use super::{calls, int16, int32, mem, null, Expected};
use iced_x86::IcedError;
use rawbox_cpu::state::{access, Segment};
use rawbox_cpu::{Cpu, CpuModel, RunExit, Width};

/// COM1 with an always-empty transmitter (writes to 0x3F8 with the divisor latch bit of
/// the line control register set program the baud rate), port 0x92 and the isa-debug-exit
/// port.
#[derive(Default)]
struct BenchBus {
    com1: Vec<u8>,
    line_control: u8,
    port92: u8,
    exit_written: bool,
}

impl rawbox_cpu::PortIo for BenchBus {
    fn port_read(&mut self, port: u16, _width: Width) -> u32 {
        match port {
            0x3FD => 0x60,
            0x92 => self.port92 as u32,
            _ => 0xFF,
        }
    }
    fn port_write(&mut self, port: u16, _width: Width, value: u32) {
        match port {
            0x3F8 if self.line_control & 0x80 == 0 => self.com1.push(value as u8),
            0x3FB => self.line_control = value as u8,
            0x92 => self.port92 = value as u8,
            0xF4 => self.exit_written = true,
            _ => {}
        }
    }
    fn a20_gate(&self) -> Option<bool> {
        Some(self.port92 & 2 != 0)
    }
}

impl rawbox_cpu::Mmio for BenchBus {
    fn mmio_read(&mut self, _addr: u32, _width: Width) -> u32 {
        0xFFFF_FFFF
    }
    fn mmio_write(&mut self, _addr: u32, _width: Width, _value: u32) {}
}

impl rawbox_cpu::InterruptLines for BenchBus {
    fn intr_pending(&self) -> bool {
        false
    }
    fn intr_ack(&mut self) -> u8 {
        0xFF
    }
}

/// A CPU at 1000:0000 with `program` loaded there, as the boot sector leaves it.
fn booted(program: &[u8]) -> Cpu {
    let mut cpu = Cpu::new(CpuModel::Pentium, 32 << 20).expect("ram");
    cpu.set_a20(false);
    cpu.mem.write_bytes(0x1_0000, program);
    cpu.state.segs[1] = Segment::real(0x1000);
    cpu.state.segs[1].access |= access::CODE;
    cpu.state.segs[2] = Segment::real(0);
    cpu.state.segs[3] = Segment::real(0);
    cpu.state.regs[4] = 0x7C00;
    cpu.state.eip = 0;
    cpu
}

/// Runs `program` to its final HLT; returns the COM1 output and the instructions executed.
fn run(program: &[u8]) -> (String, u64, bool) {
    let mut cpu = booted(program);
    let mut bus = BenchBus::default();
    let exit = cpu.run(&mut bus, 200_000_000);
    assert_eq!(
        exit,
        RunExit::Halted,
        "the guest did not reach its final HLT"
    );
    (
        String::from_utf8_lossy(&bus.com1).into_owned(),
        cpu.counters.instructions,
        bus.exit_written,
    )
}

fn check(name: &str, built: Result<(Vec<u8>, Expected), IcedError>, overhead: u64) {
    let (program, expected) = built.expect("assemble");
    let (com1, executed, exit_written) = run(&program);
    let line = format!("CHECKSUM {:08x}\r\n", expected.checksum);
    assert_eq!(
        com1,
        format!("BENCH {name}\r\n{line}DONE\r\n"),
        "{name}: COM1 output"
    );
    assert!(exit_written, "{name}: no write to the isa-debug-exit port");
    assert!(
        executed >= expected.instructions && executed - expected.instructions <= overhead,
        "{name}: executed {executed}, model counts {}",
        expected.instructions
    );
}

/// Serial output: about 35 characters of ~10 instructions each, plus the hex digits.
const SERIAL_COST: u64 = 700;

#[test]
fn null_prints_its_constant() {
    check("null", null::build(1), SERIAL_COST);
}

#[test]
fn int16_prints_the_model_checksum() {
    check("int16", int16::build_outer(3), SERIAL_COST);
}

#[test]
fn int32_prints_the_model_checksum() {
    check("int32", int32::build_outer(3), SERIAL_COST);
}

#[test]
fn mem_prints_the_model_checksum() {
    // Plus the page tables: 4096 + 4 entries of 5 instructions.
    check("mem", mem::build_outer(2), SERIAL_COST + 20_600);
}

#[test]
fn calls_prints_the_model_checksum() {
    check("calls", calls::build_outer(3), SERIAL_COST);
}

#[test]
fn checksums_depend_on_the_iteration_count() {
    let one = int32::build_outer(1).expect("assemble").1.checksum;
    let two = int32::build_outer(2).expect("assemble").1.checksum;
    assert_ne!(one, two);
}

/// Runs `program` on the interpreter and through the JIT (compile after 2 runs) in steps of
/// whole blocks, comparing the CPU state, the counters and the COM1 output after each step.
fn lockstep(name: &str, program: &[u8]) {
    let setup = |jit: bool| {
        let mut cpu = booted(program);
        let stats = jit.then(|| {
            rawbox_jit::install(
                &mut cpu,
                rawbox_jit::JitConfig {
                    threshold: 2,
                    ..Default::default()
                },
            )
        });
        (cpu, BenchBus::default(), stats)
    };
    let (mut a, mut bus_a, _) = setup(false);
    let (mut b, mut bus_b, stats) = setup(true);
    for step in 0.. {
        let ea = a.run(&mut bus_a, 20_000);
        let eb = b.run(&mut bus_b, 20_000);
        assert_eq!(ea, eb, "{name}: exits differ at step {step}");
        assert_eq!(a.state, b.state, "{name}: states differ at step {step}");
        assert_eq!(
            (a.counters.instructions, a.counters.blocks),
            (b.counters.instructions, b.counters.blocks),
            "{name}: counters differ at step {step}"
        );
        assert_eq!(
            bus_a.com1, bus_b.com1,
            "{name}: COM1 differs at step {step}"
        );
        if ea == RunExit::Halted {
            break;
        }
        assert!(step < 100_000, "{name}: did not finish");
    }
    assert!(a.mem.ram() == b.mem.ram(), "{name}: RAM differs at the end");
    let stats = stats.expect("jit stats");
    let chained = stats.chained.load(std::sync::atomic::Ordering::Relaxed);
    assert!(chained > 1000, "{name}: only {chained} chained blocks");
}

/// Every workload, small, on the interpreter and the JIT in lockstep.
#[test]
fn workloads_run_identically_through_the_jit() {
    let built = [
        ("int16", int16::build_outer(2)),
        ("int32", int32::build_outer(2)),
        ("mem", mem::build_outer(1)),
        ("calls", calls::build_outer(2)),
    ];
    for (name, b) in built {
        let (program, _) = b.expect("assemble");
        lockstep(name, &program);
    }
}
