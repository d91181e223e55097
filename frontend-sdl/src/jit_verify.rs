//! `rawbox --jit-verify`: runs the interpreter and the JIT in lockstep, headless, in slices of
//! guest time, with the usual stop conditions (`--until-text`, `--until-serial`, `--timeout`)
//! watched on the interpreter's machine, and reports the first divergence (exit code 4).

use crate::cli::Cli;
use crate::watch::{Outcome, Watcher};
use rawbox_devices::vga::Frame;
use rawbox_vmm::keys::parse_keys;
use rawbox_vmm::verify::Lockstep;
use rawbox_vmm::{MachineConfig, StopReason};

/// Guest time per compared slice.
const SLICE_NS: u64 = 1_000_000;
/// Slices between two checks of the stop conditions.
const SLICES_PER_CHECK: u64 = 10;
/// The exit code of a divergence.
pub const EXIT_DIVERGENCE: i32 = 4;

/// How a verification run ended.
pub enum Verdict {
    /// No divergence; how the run ended otherwise.
    Agreed(Outcome),
    /// The engines diverged (the report was printed).
    Diverged,
}

/// Builds both machines from `config` and runs them until a stop condition or a divergence.
pub fn run(cli: &Cli, config: MachineConfig) -> Result<Verdict, String> {
    let mut l = Lockstep::new(&config).map_err(|e| e.to_string())?;
    // The watcher queues the scripted keys on the interpreter's machine; the JIT's gets the same.
    let mut watch = Watcher::new(cli, &mut l.a)?;
    watch.track_screen = false;
    if let Some(k) = &cli.keys {
        let keys = parse_keys(k).map_err(|e| e.to_string())?;
        l.b.type_keys(&keys);
    }
    let mut frame = Frame::new();
    let outcome = loop {
        match l.step_slice(SLICE_NS) {
            Err(d) => {
                eprintln!("{d}");
                return Ok(Verdict::Diverged);
            }
            Ok(StopReason::Halted) => {
                break Outcome::Stopped("the firmware stopped the machine".into());
            }
            Ok(_) => {}
        }
        if l.slices().is_multiple_of(SLICES_PER_CHECK) {
            // The JIT machine's output is discarded (its state is compared instead).
            let _ = l.b.take_serial();
            let _ = l.b.take_debug_port();
            if let Some(o) = watch.check(&mut l.a, &mut frame)? {
                break o;
            }
        }
    };
    if let Err(d) = l.check_ram() {
        eprintln!("{d}");
        return Ok(Verdict::Diverged);
    }
    let screen = l.a.text_screen();
    if let (Some(s), false) = (&screen, cli.quiet) {
        crate::headless::print_screen(s);
    }
    if let Some(path) = &cli.screen_dump {
        let text = screen.map(|s| s.join("\n") + "\n").unwrap_or_default();
        std::fs::write(path, text)
            .map_err(|e| format!("{}: cannot write screen dump: {e}", path.display()))?;
    }
    cli.engine.report(&l.b);
    eprintln!(
        "jit-verify: no divergence in {} instructions",
        l.a.cpu.counters.instructions
    );
    Ok(Verdict::Agreed(outcome))
}
