//! Command-line flags for trace mode, the debugger and the GDB stub (flattened into `Cli`),
//! and the hand-over of the machine to `rawbox-debugger` when one of them is given.

use rawbox_debugger::addr::AddrSpec;
use rawbox_debugger::{DebugError, Syntax, TraceEnd, TraceOptions};
use rawbox_vmm::Machine;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// Trace and debug flags.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct DebugArgs {
    /// Print one line per executed instruction to stdout (mode, CS:EIP, linear address,
    /// bytes, disassembly, changed registers and flags).
    #[arg(long)]
    pub trace: bool,
    /// Write the trace to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub trace_file: Option<PathBuf>,
    /// Disassembly syntax of the trace and the debugger: intel, masm, nasm or att.
    #[arg(long, value_name = "SYNTAX", default_value = "intel")]
    pub trace_syntax: String,
    /// Start tracing when execution first reaches ADDR (linear hex, or SEG:OFF).
    #[arg(long, value_name = "ADDR")]
    pub trace_from: Option<String>,
    /// Trace N instructions, then stop the machine (exit code 0).
    #[arg(long, value_name = "N")]
    pub trace_count: Option<u64>,
    /// Keep only the last N trace lines in memory; print them on exit, on a triple fault or
    /// on an exception given with --trace-ring-on-exception.
    #[arg(long, value_name = "N")]
    pub trace_ring: Option<usize>,
    /// Exception vectors (hex, comma-separated) that dump the trace ring, e.g. `0d,0e`.
    #[arg(long, value_name = "VEC[,VEC]")]
    pub trace_ring_on_exception: Option<String>,
    /// Interactive debugger on the terminal, stopped before the first instruction.
    #[arg(long)]
    pub debug: bool,
    /// GDB remote stub on 127.0.0.1:PORT; the guest waits for gdb to attach and continue.
    #[arg(long, value_name = "PORT")]
    pub gdb: Option<u16>,
}

impl DebugArgs {
    /// Whether a trace, debug or gdb flag asks for the debugger crate.
    pub fn wanted(&self) -> bool {
        self.trace
            || self.trace_file.is_some()
            || self.trace_from.is_some()
            || self.trace_count.is_some()
            || self.trace_ring.is_some()
            || self.debug
            || self.gdb.is_some()
    }

    pub fn syntax(&self) -> Result<Syntax, String> {
        self.trace_syntax.parse().map_err(|e| format!("{e}"))
    }

    fn trace_options(&self, m: &Machine, timeout: Option<f64>) -> Result<TraceOptions, String> {
        let from = self
            .trace_from
            .as_deref()
            .map(|a| {
                AddrSpec::parse(a)
                    .and_then(|s| s.resolve(&m.cpu))
                    .map_err(|e| format!("--trace-from {a}: {e}"))
            })
            .transpose()?;
        let ring_exceptions = self
            .trace_ring_on_exception
            .as_deref()
            .unwrap_or("")
            .split(',')
            .filter(|v| !v.trim().is_empty())
            .map(|v| {
                rawbox_debugger::addr::parse_hex(v)
                    .ok()
                    .and_then(|n| u8::try_from(n).ok())
                    .ok_or_else(|| format!("--trace-ring-on-exception: bad vector `{v}`"))
            })
            .collect::<Result<Vec<u8>, String>>()?;
        Ok(TraceOptions {
            syntax: self.syntax()?,
            from,
            count: self.trace_count,
            ring: self.trace_ring,
            ring_exceptions,
            timeout: timeout.map(Duration::from_secs_f64),
        })
    }
}

/// Runs the machine under trace mode, the debugger or the GDB stub; returns the exit code.
pub fn run(args: &DebugArgs, m: &mut Machine, timeout: Option<f64>) -> Result<i32, String> {
    if let Some(port) = args.gdb {
        let listener = std::net::TcpListener::bind(("127.0.0.1", port))
            .map_err(|e| format!("--gdb {port}: {e}"))?;
        eprintln!("rawbox: waiting for gdb on 127.0.0.1:{port} (target remote :{port})");
        let r = rawbox_debugger::run_gdb(m, &listener).map_err(|e| e.to_string())?;
        eprintln!("rawbox: gdb session ended: {r:?}");
        return Ok(0);
    }
    if args.debug {
        rawbox_debugger::run_debugger(m, args.syntax()?).map_err(|e| e.to_string())?;
        return Ok(0);
    }
    let opts = args.trace_options(m, timeout)?;
    let stop = rawbox_debugger::ctrl_c_flag();
    let end = match &args.trace_file {
        Some(path) => {
            let f = std::fs::File::create(path)
                .map_err(|e| format!("{}: cannot create trace file: {e}", path.display()))?;
            let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
            let end = rawbox_debugger::run_trace(m, &opts, &mut w, &stop);
            w.flush().map_err(|e| e.to_string())?;
            end
        }
        None => {
            let mut w = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            rawbox_debugger::run_trace(m, &opts, &mut w, &stop)
        }
    };
    let end = match end {
        // The reader of the trace went away (`rawbox --trace | head`): a normal end.
        Err(DebugError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            TraceEnd::Interrupted
        }
        other => other.map_err(|e| e.to_string())?,
    };
    Ok(match end {
        TraceEnd::CountReached | TraceEnd::TimedOut | TraceEnd::Interrupted => 0,
        TraceEnd::TripleFault => {
            eprintln!("rawbox: the guest triple-faulted");
            3
        }
        TraceEnd::FirmwareHalted => {
            eprintln!("rawbox: the firmware stopped the machine");
            3
        }
    })
}
