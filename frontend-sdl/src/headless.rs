//! The headless frontend: runs the machine without a window as fast as the host allows
//! (guest time advances by a fixed amount per instruction, so runs are repeatable), and
//! prints the text screen when it changes.

use crate::cli::Cli;
use crate::watch::{Outcome, Watcher};
use rawbox_devices::vga::Frame;
use rawbox_vmm::{Machine, StopReason};
use std::io::Write;
use std::time::{Duration, Instant};

pub fn print_screen(lines: &[String]) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "----- screen -----");
    let last = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(0, |i| i + 1);
    for l in &lines[..last] {
        let _ = writeln!(out, "{l}");
    }
    let _ = out.flush();
}

/// Runs the machine headless until a stop condition.
pub fn run(cli: &Cli, m: &mut Machine) -> Result<Outcome, String> {
    let mut watch = Watcher::new(cli, m)?;
    let mut frame = Frame::new();
    let mut last_screen: Option<Vec<String>> = None;
    let mut last_print = Instant::now();
    let outcome = loop {
        if let StopReason::Halted = m.run_for(10_000_000) {
            break Outcome::Stopped("the firmware stopped the machine".into());
        }
        let stop = watch.check(m, &mut frame)?;
        if watch.screen != last_screen {
            if !cli.quiet && last_print.elapsed() > Duration::from_millis(200) {
                if let Some(s) = &watch.screen {
                    print_screen(s);
                    last_print = Instant::now();
                }
            }
            last_screen = watch.screen.clone();
        }
        if let Some(o) = stop {
            break o;
        }
    };
    let final_screen = m.text_screen();
    if let Some(s) = &final_screen {
        print_screen(s);
    }
    if let Some(path) = &cli.screen_dump {
        let text = final_screen
            .map(|s| s.join("\n") + "\n")
            .unwrap_or_default();
        std::fs::write(path, text)
            .map_err(|e| format!("{}: cannot write screen dump: {e}", path.display()))?;
    }
    Ok(outcome)
}
