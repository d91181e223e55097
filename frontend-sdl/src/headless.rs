//! The headless frontend: runs the machine without a window, prints the text screen when it
//! changes, types scripted keys, watches for `--until-*` strings, and honours `--timeout`.

use crate::cli::Cli;
use rawbox_vmm::keys::parse_keys;
use rawbox_vmm::{Machine, StopReason};
use std::io::Write;
use std::time::{Duration, Instant};

/// How the run ended (becomes the exit code).
pub enum Outcome {
    /// An --until-* string appeared, or the timeout passed with nothing awaited.
    Done,
    /// The timeout passed before an awaited string appeared.
    TimedOut(String),
    /// The machine stopped on its own (firmware error).
    Stopped(String),
}

/// Where COM1 output goes.
enum SerialSink {
    Discard,
    Stdout,
    File(std::fs::File),
}

fn open_serial(spec: Option<&str>) -> Result<SerialSink, String> {
    match spec {
        None => Ok(SerialSink::Discard),
        Some("stdio") => Ok(SerialSink::Stdout),
        Some(s) if s.starts_with("file:") => {
            let path = &s[5..];
            std::fs::File::create(path)
                .map(SerialSink::File)
                .map_err(|e| format!("{path}: cannot create serial output file: {e}"))
        }
        Some(s) => Err(format!("--serial {s}: expected 'stdio' or 'file:PATH'")),
    }
}

fn print_screen(lines: &[String]) {
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
    let mut serial = open_serial(cli.serial.as_deref())?;
    if let Some(k) = &cli.keys {
        let keys = parse_keys(k).map_err(|e| e.to_string())?;
        m.type_keys(&keys);
    }
    let mut debug_console = match &cli.debug_console {
        Some(p) => Some(
            std::fs::File::create(p).map_err(|e| format!("cannot create {}: {e}", p.display()))?,
        ),
        None => None,
    };
    let start = Instant::now();
    let timeout = cli.timeout.map(Duration::from_secs_f64);
    let mut last_screen: Option<Vec<String>> = None;
    let mut serial_seen = String::new();
    let mut last_print = Instant::now();
    let outcome = loop {
        if let StopReason::Halted = m.run_for(10_000_000) {
            break Outcome::Stopped("the firmware stopped the machine".into());
        }
        let debug = m.take_debug_port();
        if let Some(f) = &mut debug_console {
            let _ = f.write_all(&debug);
        }
        let out = m.take_serial();
        if !out.is_empty() {
            serial_seen.push_str(&String::from_utf8_lossy(&out));
            match &mut serial {
                SerialSink::Discard => {}
                SerialSink::Stdout => {
                    let _ = std::io::stdout().write_all(&out);
                    let _ = std::io::stdout().flush();
                }
                SerialSink::File(f) => {
                    let _ = f.write_all(&out);
                }
            }
            // Keep the search window bounded.
            if serial_seen.len() > 1 << 20 {
                let cut = serial_seen.len() - (1 << 19);
                serial_seen = serial_seen[serial_seen.ceil_char_boundary(cut)..].to_string();
            }
        }
        let screen = m.text_screen();
        if screen != last_screen {
            if !cli.quiet && last_print.elapsed() > Duration::from_millis(200) {
                if let Some(s) = &screen {
                    print_screen(s);
                    last_print = Instant::now();
                }
            }
            last_screen = screen;
        }
        if let Some(t) = &cli.until_text {
            if last_screen
                .as_ref()
                .is_some_and(|s| s.iter().any(|l| l.contains(t.as_str())))
            {
                break Outcome::Done;
            }
        }
        if let Some(t) = &cli.until_serial {
            if serial_seen.contains(t.as_str()) {
                break Outcome::Done;
            }
        }
        if let Some(t) = timeout {
            if start.elapsed() >= t {
                let awaited: Vec<String> = [
                    cli.until_text
                        .as_ref()
                        .map(|s| format!("text '{s}' on the screen")),
                    cli.until_serial.as_ref().map(|s| format!("'{s}' on COM1")),
                ]
                .into_iter()
                .flatten()
                .collect();
                if awaited.is_empty() {
                    break Outcome::Done;
                }
                break Outcome::TimedOut(format!(
                    "timed out after {:.1} s waiting for {}",
                    t.as_secs_f64(),
                    awaited.join(" and ")
                ));
            }
        }
    };
    let final_screen = m.text_screen();
    if let Some(s) = &final_screen {
        if cli.quiet || last_print.elapsed() > Duration::ZERO {
            print_screen(s);
        }
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
