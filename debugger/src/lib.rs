//! rawbox's trace mode, interactive debugger and GDB remote stub, on top of a `Machine`.
//!
//! - [`trace::run_trace`]: one line per executed instruction (to a writer or a ring buffer).
//! - [`run_debugger`]: the terminal debugger ([`repl`]) over a [`session::Session`].
//! - [`run_gdb`]: a GDB remote stub on a TCP listener ([`gdb`]).
//!
//! Breakpoints use the CPU's host debugger hooks (`rawbox_cpu::HostDebug`), so `continue`
//! runs the normal block engine and stops exactly at the breakpoint.
#![forbid(unsafe_code)]

pub mod addr;
pub mod condition;
mod error;
pub mod gdb;
pub mod inspect;
pub mod mem;
pub mod regs;
pub mod repl;
pub mod session;
pub mod trace;

pub use error::DebugError;
pub use rawbox_disasm::Syntax;
pub use session::Session;
pub use trace::{run_trace, TraceEnd, TraceOptions};

use rawbox_vmm::Machine;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// The flag the process's Ctrl-C (SIGINT) handler raises; the handler is installed on the
/// first call. Continue, trace mode and the GDB stub check it between slices.
pub fn ctrl_c_flag() -> Arc<AtomicBool> {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let f = flag.clone();
        if let Err(e) = ctrlc::set_handler(move || f.store(true, Ordering::Relaxed)) {
            log::warn!("cannot install the Ctrl-C handler: {e}");
        }
        flag
    })
    .clone()
}

/// Runs the interactive debugger on the terminal: with line editing when stdin is a
/// terminal, else reading plain lines (scripts, tests). Output goes to stdout.
pub fn run_debugger(m: &mut Machine, syntax: Syntax) -> Result<(), DebugError> {
    run_debugger_with(m, syntax, None)
}

/// [`run_debugger`] with a frontend callback run between continue slices and after every
/// command (see [`Session::tick`]).
pub fn run_debugger_with<'m>(
    m: &'m mut Machine,
    syntax: Syntax,
    tick: Option<session::Tick<'m>>,
) -> Result<(), DebugError> {
    let mut session = Session::new(m, syntax, ctrl_c_flag());
    session.tick = tick;
    let mut out = std::io::stdout();
    if std::io::stdin().is_terminal() {
        let mut input = repl::EditedLines::new()?;
        repl::run_repl(&mut session, &mut input, &mut out)
    } else {
        let mut input = repl::PlainLines(std::io::stdin().lock());
        repl::run_repl(&mut session, &mut input, &mut out)
    }
}

/// Serves GDB on an already bound listener (see [`gdb::serve`]). Ctrl-C in rawbox's own
/// terminal keeps its default action (ending rawbox); gdb interrupts the guest with its own
/// Ctrl-C.
pub fn run_gdb(
    m: &mut Machine,
    listener: &std::net::TcpListener,
) -> Result<gdbstub::stub::DisconnectReason, DebugError> {
    let mut session = Session::new(m, Syntax::Intel, Arc::new(AtomicBool::new(false)));
    gdb::serve(&mut session, listener)
}
