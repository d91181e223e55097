//! The interactive debugger's command loop: reads commands from a line source (rustyline
//! on a terminal, plain lines from a pipe), runs them on a `Session` and prints the results.

use crate::addr::{parse_count, parse_hex, AddrSpec};
use crate::condition::Condition;
use crate::inspect;
use crate::mem::{pc_linear, read_linear, write_linear};
use crate::regs::{bitness, dump_registers, mode_name};
use crate::session::{watch, BreakKind, Session, Stopped};
use crate::DebugError;
use rawbox_cpu::state::SegReg;
use rawbox_cpu::{DebugStop, WatchKind};
use std::io::{BufRead, Write};

/// Where command lines come from.
pub trait LineSource {
    /// The next line, or `None` at end of input.
    fn read_line(&mut self, prompt: &str) -> Option<String>;
}

/// Lines from a pipe or file, without editing (for scripts and tests).
pub struct PlainLines<R: BufRead>(pub R);

impl<R: BufRead> LineSource for PlainLines<R> {
    fn read_line(&mut self, _prompt: &str) -> Option<String> {
        let mut s = String::new();
        match self.0.read_line(&mut s) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(s.trim_end_matches(['\r', '\n']).to_string()),
        }
    }
}

/// A terminal with line editing and history.
pub struct EditedLines(rustyline::DefaultEditor);

impl EditedLines {
    pub fn new() -> Result<EditedLines, DebugError> {
        rustyline::DefaultEditor::new()
            .map(EditedLines)
            .map_err(|e| DebugError::Io(std::io::Error::other(e.to_string())))
    }
}

impl LineSource for EditedLines {
    fn read_line(&mut self, prompt: &str) -> Option<String> {
        loop {
            match self.0.readline(prompt) {
                Ok(line) => {
                    if !line.trim().is_empty() {
                        let _ = self.0.add_history_entry(line.as_str());
                    }
                    return Some(line);
                }
                // Ctrl-C at the prompt just gives a new prompt.
                Err(rustyline::error::ReadlineError::Interrupted) => continue,
                Err(_) => return None,
            }
        }
    }
}

pub const HELP: &str = "\
commands (numbers and addresses are hex; ADDR is linear or SEG:OFF, e.g. 7c00, 0:7c00, cs:ip):
  s [N]              step N instructions (default 1)
  n                  step over CALL/INT/LOOP/REP
  c                  continue (Ctrl-C breaks back in)
  b ADDR [if COND]   execution breakpoint; COND like eax==5 && zf==1
  bi VEC             break when interrupt/exception VEC is delivered
  bp PORT            break after an access to I/O port PORT
  w ADDR [LEN]       watchpoint on reads and writes (rw: reads only, ww: writes only)
  bl / bd N          list / delete breakpoints
  r                  registers and flags
  sreg               segment registers with their cached descriptors
  gdt / idt [N]      descriptor tables
  pt ADDR            page-table walk for a linear address
  x ADDR [LEN]       hex dump
  e ADDR BYTES..     write bytes to memory
  u [ADDR] [N]       disassemble N instructions (default: 10 at CS:EIP)
  hist [N]           last N instructions executed (by s/n, and by c up to its stop)
  bt / stack [N]     stack slots and BP frame chain
  q                  quit
";

/// The current instruction as a trace-style line.
pub fn current_line(s: &mut Session) -> String {
    let cpu = &s.m.cpu;
    let cs = cpu.state.segs[SegReg::Cs as usize];
    let mut bytes = [0u8; 16];
    let n = read_linear(cpu, pc_linear(cpu), &mut bytes[..15]);
    let mut line = format!("{:<4}", mode_name(cpu));
    let (eip, bits) = (cpu.state.eip, bitness(cpu));
    s.disasm
        .format_line_into(&mut line, cs.selector, cs.base, eip, &bytes[..n], bits);
    line
}

/// Describes why the guest stopped.
pub fn describe_stop(s: &Session, st: &Stopped) -> String {
    let id = |id: &Option<u32>| id.map_or("temporary breakpoint".into(), |i| format!("#{i}"));
    match st {
        Stopped::Stepped => String::new(),
        Stopped::Interrupted => "interrupted (Ctrl-C)".into(),
        Stopped::TripleFault => "triple fault: the machine was reset".into(),
        Stopped::Reset => "the guest reset the machine".into(),
        Stopped::FirmwareHalted => "the firmware stopped the machine".into(),
        Stopped::Hook(b, stop) => match stop {
            DebugStop::Breakpoint { linear } => {
                format!("breakpoint {} at {linear:08x}", id(b))
            }
            DebugStop::Watch {
                linear, len, write, ..
            } => format!(
                "watchpoint {}: {} of {len} bytes at {linear:08x}",
                id(b),
                if *write { "write" } else { "read" }
            ),
            DebugStop::Port { port, len } => {
                format!(
                    "port breakpoint {}: {len}-byte access to port {port:04x}",
                    id(b)
                )
            }
            DebugStop::Interrupt { vector, kind } => format!(
                "interrupt breakpoint {}: {} {vector:#04x} delivered",
                id(b),
                Session::kind_of_interrupt(*kind)
            ),
        },
    }
    .to_string()
        + if s.m.cpu.state.halted {
            " (cpu halted)"
        } else {
            ""
        }
}

fn arg<'a>(words: &[&'a str], i: usize, what: &str) -> Result<&'a str, DebugError> {
    words
        .get(i)
        .copied()
        .ok_or_else(|| DebugError::BadArgument(format!("missing {what}")))
}

fn resolve(s: &Session, text: &str) -> Result<u32, DebugError> {
    AddrSpec::parse(text)?.resolve(&s.m.cpu)
}

/// What the loop should do after a command.
enum Flow {
    Continue,
    Quit,
}

/// Runs one command line, writing its output.
fn execute(s: &mut Session, line: &str, out: &mut dyn Write) -> Result<Flow, DebugError> {
    let (main, cond) = match line.split_once(" if ") {
        Some((a, c)) => (a, Some(c)),
        None => (line, None),
    };
    let words: Vec<&str> = main.split_whitespace().collect();
    let Some(&cmd) = words.first() else {
        return Ok(Flow::Continue);
    };
    match cmd {
        "q" | "quit" => return Ok(Flow::Quit),
        "help" | "h" | "?" => write!(out, "{HELP}")?,
        "s" | "step" | "si" => {
            let n = words
                .get(1)
                .map(|w| parse_count(w))
                .transpose()?
                .unwrap_or(1);
            let st = s.step(n);
            report(s, &st, out)?;
        }
        "n" | "next" => {
            let st = s.step_over();
            report(s, &st, out)?;
        }
        "c" | "cont" | "continue" => {
            let st = s.cont();
            report(s, &st, out)?;
        }
        "b" | "break" => {
            let lin = resolve(s, arg(&words, 1, "address")?)?;
            let condition = cond.map(Condition::parse).transpose()?;
            if let Some(c) = &condition {
                c.validate(&s.m.cpu)?;
            }
            let id = s.add(BreakKind::Exec(lin), condition);
            writeln!(out, "breakpoint #{id} at {lin:08x}")?;
        }
        "bi" => {
            let v = parse_hex(arg(&words, 1, "vector")?)?;
            let v = u8::try_from(v)
                .map_err(|_| DebugError::BadArgument(format!("vector {v:x} is over ff")))?;
            let id = s.add(BreakKind::Interrupt(v), None);
            writeln!(out, "interrupt breakpoint #{id} on vector {v:#04x}")?;
        }
        "bp" => {
            let p = parse_hex(arg(&words, 1, "port")?)?;
            let p = u16::try_from(p)
                .map_err(|_| DebugError::BadArgument(format!("port {p:x} is over ffff")))?;
            let id = s.add(BreakKind::Port(p), None);
            writeln!(out, "port breakpoint #{id} on port {p:04x}")?;
        }
        "w" | "rw" | "ww" => {
            let lin = resolve(s, arg(&words, 1, "address")?)?;
            let len = words.get(2).map(|w| parse_hex(w)).transpose()?.unwrap_or(1);
            let kind = match cmd {
                "rw" => WatchKind::Read,
                "ww" => WatchKind::Write,
                _ => WatchKind::Access,
            };
            let id = s.add(watch(lin, len, kind), None);
            writeln!(out, "watchpoint #{id} ({kind:?}) at {lin:08x} len {len:x}")?;
        }
        "bl" => {
            if s.breakpoints.is_empty() {
                writeln!(out, "no breakpoints")?;
            }
            for b in &s.breakpoints {
                let what = match b.kind {
                    BreakKind::Exec(a) => format!("exec {a:08x}"),
                    BreakKind::Interrupt(v) => format!("interrupt {v:#04x}"),
                    BreakKind::Port(p) => format!("port {p:04x}"),
                    BreakKind::Watch(w) => {
                        format!("watch {:?} {:08x} len {:x}", w.kind, w.start, w.len)
                    }
                };
                let cond = b
                    .condition
                    .as_ref()
                    .map(|c| format!(" if {}", c.text))
                    .unwrap_or_default();
                writeln!(out, "#{} {what}{cond} hits={}", b.id, b.hits)?;
            }
        }
        "bd" => {
            let id = parse_count(arg(&words, 1, "breakpoint number")?)?;
            if s.delete(id as u32) {
                writeln!(out, "deleted #{id}")?;
            } else {
                writeln!(out, "no breakpoint #{id}")?;
            }
        }
        "r" | "regs" => write!(out, "{}", dump_registers(&s.m.cpu))?,
        "sreg" => write!(out, "{}", inspect::segment_registers(&s.m.cpu))?,
        "gdt" => {
            let n = words.get(1).map(|w| parse_count(w)).transpose()?;
            write!(out, "{}", inspect::gdt(&s.m.cpu, n.unwrap_or(64) as usize))?
        }
        "idt" => {
            let n = words.get(1).map(|w| parse_count(w)).transpose()?;
            write!(out, "{}", inspect::idt(&s.m.cpu, n.unwrap_or(256) as usize))?
        }
        "pt" => {
            let lin = resolve(s, arg(&words, 1, "address")?)?;
            write!(out, "{}", inspect::page_walk(&s.m.cpu, lin))?
        }
        "x" => {
            let lin = resolve(s, arg(&words, 1, "address")?)?;
            let len = words
                .get(2)
                .map(|w| parse_hex(w))
                .transpose()?
                .unwrap_or(0x40);
            write!(out, "{}", inspect::hex_dump(&s.m.cpu, lin, len))?
        }
        "e" => {
            let lin = resolve(s, arg(&words, 1, "address")?)?;
            let bytes = words[2..]
                .iter()
                .map(|w| {
                    parse_hex(w).and_then(|v| {
                        u8::try_from(v)
                            .map_err(|_| DebugError::BadArgument(format!("byte `{w}` is over ff")))
                    })
                })
                .collect::<Result<Vec<u8>, _>>()?;
            let n = write_linear(&mut s.m.cpu, lin, &bytes);
            writeln!(out, "wrote {n} bytes at {lin:08x}")?;
        }
        "u" => {
            let cpu = &s.m.cpu;
            let cs = cpu.state.segs[SegReg::Cs as usize];
            let bits = bitness(cpu);
            let (sel, base, ip) = match words.get(1) {
                Some(a) => match AddrSpec::parse(a)? {
                    spec @ AddrSpec::SegOff(..) => {
                        let lin = spec.resolve(cpu)?;
                        let seg = a.split_once(':').map_or("0", |(x, _)| x);
                        let base = resolve(s, &format!("{seg}:0"))?;
                        let sel = resolve_selector(s, seg).unwrap_or(cs.selector);
                        (sel, base, lin.wrapping_sub(base))
                    }
                    spec => {
                        let lin = spec.resolve(cpu)?;
                        (cs.selector, cs.base, lin.wrapping_sub(cs.base))
                    }
                },
                None => (cs.selector, cs.base, cpu.state.eip),
            };
            let n = words
                .get(2)
                .map(|w| parse_count(w))
                .transpose()?
                .unwrap_or(10);
            let text =
                inspect::disassemble(&s.m.cpu, &mut s.disasm, sel, base, ip, bits, n as usize);
            write!(out, "{text}")?;
        }
        "hist" => {
            let n = words
                .get(1)
                .map(|w| parse_count(w))
                .transpose()?
                .unwrap_or(16) as usize;
            let skip = s.history.len().saturating_sub(n);
            let entries: Vec<_> = s.history.iter().skip(skip).copied().collect();
            for h in entries {
                let mut line = format!("{:<4}", h.mode);
                s.disasm.format_line_into(
                    &mut line,
                    h.cs,
                    h.cs_base,
                    h.eip,
                    &h.bytes[..h.nbytes as usize],
                    h.bitness,
                );
                writeln!(out, "{line}")?;
            }
        }
        "bt" | "stack" => {
            let n = words
                .get(1)
                .map(|w| parse_count(w))
                .transpose()?
                .unwrap_or(16);
            write!(out, "{}", inspect::stack(&s.m.cpu, n as usize))?
        }
        other => writeln!(out, "unknown command `{other}` (try help)")?,
    }
    Ok(Flow::Continue)
}

/// The selector value of a segment word (a register name or a number).
fn resolve_selector(s: &Session, seg: &str) -> Option<u16> {
    SegReg::ALL
        .into_iter()
        .find(|r| r.name().eq_ignore_ascii_case(seg))
        .map(|r| s.m.cpu.state.seg(r).selector)
        .or_else(|| parse_hex(seg).ok().and_then(|v| u16::try_from(v).ok()))
}

fn report(s: &mut Session, st: &Stopped, out: &mut dyn Write) -> Result<(), DebugError> {
    let why = describe_stop(s, st);
    if !why.trim().is_empty() {
        writeln!(out, "{}", why.trim())?;
    }
    writeln!(out, "{}", current_line(s))?;
    Ok(())
}

/// The command loop: prints the current instruction, then reads and runs commands until
/// `q` or end of input.
pub fn run_repl(
    s: &mut Session,
    input: &mut dyn LineSource,
    out: &mut dyn Write,
) -> Result<(), DebugError> {
    writeln!(out, "rawbox debugger; type help for commands")?;
    writeln!(out, "{}", current_line(s))?;
    out.flush()?;
    let mut last = String::new();
    while let Some(line) = input.read_line("(rawbox) ") {
        let mut line = line.trim().to_string();
        if line.is_empty() && matches!(last.split_whitespace().next(), Some("s" | "n")) {
            line = last.clone();
        }
        let flow = match execute(s, &line, out) {
            Ok(f) => f,
            Err(e) => {
                writeln!(out, "error: {e}")?;
                Flow::Continue
            }
        };
        out.flush()?;
        s.run_tick();
        if let Flow::Quit = flow {
            break;
        }
        if !line.is_empty() {
            last = line;
        }
    }
    Ok(())
}
