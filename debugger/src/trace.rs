//! Trace mode: runs the machine one instruction at a time (`Machine::step`, so devices and
//! BIOS host calls behave as in a normal run) and writes one line per executed instruction:
//! mode, CS:EIP, linear address, bytes, disassembly and the registers and flags it changed.
//! Lines go to a buffered writer, or to an in-memory ring of the last N lines that is dumped
//! on exit, on a triple fault or on chosen exceptions.

use crate::mem::{pc_linear, read_linear};
use crate::regs::{bitness, mode_name, Snapshot};
use crate::DebugError;
use rawbox_cpu::interrupt::IntKind;
use rawbox_cpu::state::SegReg;
use rawbox_cpu::{DebugStop, HostDebug};
use rawbox_disasm::{Disassembler, Syntax};
use rawbox_vmm::{Machine, StopReason};
use std::collections::VecDeque;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Column where the list of changed registers starts.
const DIFF_COLUMN: usize = 88;
/// Padding source (at least `DIFF_COLUMN` spaces).
const SPACES: &str = "                                                                                                ";

/// Trace mode settings (from `--trace*` flags).
#[derive(Clone, Debug, Default)]
pub struct TraceOptions {
    pub syntax: Syntax,
    /// Start tracing when execution first reaches this linear address.
    pub from: Option<u32>,
    /// Trace this many instructions, then stop.
    pub count: Option<u64>,
    /// Keep only the last N lines in memory.
    pub ring: Option<usize>,
    /// Exception vectors that dump the ring.
    pub ring_exceptions: Vec<u8>,
    /// Stop after this much host time.
    pub timeout: Option<Duration>,
}

/// Why tracing ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceEnd {
    /// `--trace-count` instructions were traced.
    CountReached,
    /// The guest triple-faulted.
    TripleFault,
    /// The firmware stopped the machine.
    FirmwareHalted,
    /// The timeout passed.
    TimedOut,
    /// The stop flag (Ctrl-C) was raised.
    Interrupted,
}

/// Where finished lines go.
enum Sink<'a> {
    Direct(&'a mut dyn Write),
    Ring {
        out: &'a mut dyn Write,
        lines: VecDeque<String>,
        capacity: usize,
    },
}

impl Sink<'_> {
    fn push(&mut self, line: &str) -> std::io::Result<()> {
        match self {
            Sink::Direct(w) => {
                w.write_all(line.as_bytes())?;
                w.write_all(b"\n")
            }
            Sink::Ring {
                lines, capacity, ..
            } => {
                let mut slot = if lines.len() >= *capacity {
                    lines.pop_front().unwrap_or_default()
                } else {
                    String::new()
                };
                slot.clear();
                slot.push_str(line);
                lines.push_back(slot);
                Ok(())
            }
        }
    }

    /// Writes the ring's lines under a header and empties it.
    fn dump(&mut self, why: &str) -> std::io::Result<()> {
        if let Sink::Ring { out, lines, .. } = self {
            writeln!(out, "--- last {} instructions ({why}) ---", lines.len())?;
            for l in lines.drain(..) {
                out.write_all(l.as_bytes())?;
                out.write_all(b"\n")?;
            }
            out.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Direct(w) => w.flush(),
            Sink::Ring { out, .. } => out.flush(),
        }
    }
}

/// What the instruction about to run looks like, captured before it runs.
struct Pending {
    mode: &'static str,
    cs: u16,
    cs_base: u32,
    eip: u32,
    bitness: u32,
    bytes: [u8; 16],
    nbytes: usize,
    before: Snapshot,
}

impl Pending {
    fn capture(m: &Machine) -> Pending {
        let cpu = &m.cpu;
        let cs = cpu.state.segs[SegReg::Cs as usize];
        let mut bytes = [0u8; 16];
        let nbytes = read_linear(cpu, pc_linear(cpu), &mut bytes[..15]);
        Pending {
            mode: mode_name(cpu),
            cs: cs.selector,
            cs_base: cs.base,
            eip: cpu.state.eip,
            bitness: bitness(cpu),
            bytes,
            nbytes,
            before: Snapshot::take(cpu),
        }
    }
}

/// Formats trace lines; one per executed instruction.
pub struct TraceFormatter {
    disasm: Disassembler,
    line: String,
}

impl TraceFormatter {
    pub fn new(syntax: Syntax) -> TraceFormatter {
        TraceFormatter {
            disasm: Disassembler::new(syntax),
            line: String::with_capacity(160),
        }
    }

    fn format(&mut self, p: &Pending, after: &Snapshot, note: Option<&str>) -> &str {
        let line = &mut self.line;
        line.clear();
        line.push_str(p.mode);
        line.push_str(&SPACES[..4usize.saturating_sub(p.mode.len())]);
        self.disasm.format_line_into(
            line,
            p.cs,
            p.cs_base,
            p.eip,
            &p.bytes[..p.nbytes],
            p.bitness,
        );
        let mark = line.len();
        let pad = DIFF_COLUMN.saturating_sub(mark).clamp(1, SPACES.len());
        line.push_str(&SPACES[..pad]);
        line.push_str("| ");
        let diff_start = line.len();
        p.before.write_diff(after, p.bitness == 32, line);
        if let Some(n) = note {
            if line.len() > diff_start {
                line.push(' ');
            }
            line.push_str(n);
        }
        if line.len() == diff_start {
            // Nothing changed: drop the separator and padding.
            line.truncate(mark);
        }
        line
    }
}

/// Runs trace mode on `m`, writing to `out` until the count, a triple fault, the firmware
/// stopping, the timeout or `stop_flag`.
pub fn run_trace(
    m: &mut Machine,
    opts: &TraceOptions,
    out: &mut dyn Write,
    stop_flag: &AtomicBool,
) -> Result<TraceEnd, DebugError> {
    let started = Instant::now();
    let timed_out = |started: &Instant| opts.timeout.is_some_and(|t| started.elapsed() >= t);
    // Until --trace-from is reached only its breakpoint is set; tracing then stops the CPU
    // right after every interrupt delivery, so the trace shows it as an event and the
    // handler's first instruction as the next line.
    let mut hooks = HostDebug::default();
    match opts.from {
        Some(from) => {
            hooks.breakpoints.insert(from);
        }
        None => hooks.vectors = (0..=255).collect(),
    }
    m.cpu.set_host_debug(Some(hooks));
    let end = trace_loop(m, opts, out, stop_flag, started, &timed_out);
    m.cpu.set_host_debug(None);
    m.cpu.take_debug_stop();
    end
}

fn trace_loop(
    m: &mut Machine,
    opts: &TraceOptions,
    out: &mut dyn Write,
    stop_flag: &AtomicBool,
    started: Instant,
    timed_out: &dyn Fn(&Instant) -> bool,
) -> Result<TraceEnd, DebugError> {
    // Phase 1: run at full speed to --trace-from.
    if opts.from.is_some() {
        loop {
            if stop_flag.load(Ordering::Relaxed) {
                return Ok(TraceEnd::Interrupted);
            }
            if timed_out(&started) {
                return Ok(TraceEnd::TimedOut);
            }
            let triple = m.counters.triple_faults;
            match m.run_for(10_000_000) {
                StopReason::Debug => {
                    if let Some(DebugStop::Breakpoint { .. }) = m.cpu.take_debug_stop() {
                        break;
                    }
                }
                StopReason::Halted => return Ok(TraceEnd::FirmwareHalted),
                StopReason::Reset if m.counters.triple_faults != triple => {
                    return Ok(TraceEnd::TripleFault)
                }
                _ => {}
            }
        }
        let hooks = m.cpu.host_debug_mut();
        hooks.breakpoints.clear();
        hooks.vectors = (0..=255).collect();
    }
    let mut sink = match opts.ring {
        Some(n) => Sink::Ring {
            out,
            lines: VecDeque::with_capacity(n.min(1 << 20)),
            capacity: n.max(1),
        },
        None => Sink::Direct(out),
    };
    let mut fmt = TraceFormatter::new(opts.syntax);
    let mut traced = 0u64;
    let mut note = String::new();
    let end = loop {
        if opts.count.is_some_and(|c| traced >= c) {
            break TraceEnd::CountReached;
        }
        if traced & 0xFFFF == 0 {
            if stop_flag.load(Ordering::Relaxed) {
                break TraceEnd::Interrupted;
            }
            if timed_out(&started) {
                break TraceEnd::TimedOut;
            }
        }
        let pending = Pending::capture(m);
        let insns = m.cpu.counters.instructions;
        let hostcalls = m.counters.exits_hostcall;
        let triple = m.counters.triple_faults;
        let r = m.step();
        let executed = m.cpu.counters.instructions != insns;
        note.clear();
        let mut dump_for = None;
        let mut event = None;
        if let Some(DebugStop::Interrupt {
            vector,
            kind: IntKind::External,
        }) = m.cpu.take_debug_stop()
        {
            event = Some(vector);
        }
        let exceptions = m.cpu.take_debug_exceptions();
        if !exceptions.is_empty() {
            note.push_str("exception");
            for v in &exceptions {
                note.push_str(&format!(" {v:#04x}"));
            }
            if let Some(v) = exceptions.iter().find(|v| opts.ring_exceptions.contains(v)) {
                dump_for = Some(format!("exception {v:#04x}"));
            }
        }
        if m.counters.exits_hostcall != hostcalls {
            note.push_str("[BIOS host call]");
        }
        let triple_fault = m.counters.triple_faults != triple;
        if triple_fault {
            if !note.is_empty() {
                note.push(' ');
            }
            note.push_str("triple fault");
        }
        if let Some(v) = event {
            let line = format!(
                "{:<4}-- hardware interrupt, vector {v:#04x} --",
                pending.mode
            );
            sink.push(&line)?;
        } else if executed || !note.is_empty() {
            // After a triple fault the CPU holds its reset state: show no register changes.
            let after = if triple_fault {
                pending.before
            } else {
                Snapshot::take(&m.cpu)
            };
            let n = (!note.is_empty()).then_some(note.as_str());
            sink.push(fmt.format(&pending, &after, n))?;
            traced += 1;
        }
        if let Some(why) = dump_for {
            sink.dump(&why)?;
        }
        match r {
            StopReason::Halted => break TraceEnd::FirmwareHalted,
            StopReason::Reset if triple_fault => {
                sink.dump("triple fault")?;
                break TraceEnd::TripleFault;
            }
            _ => {}
        }
    };
    if end != TraceEnd::TripleFault {
        sink.dump("end of trace")?;
    }
    sink.flush()?;
    Ok(end)
}
