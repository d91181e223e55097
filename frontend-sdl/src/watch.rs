//! What every frontend does around the running machine: scripted keys, COM1 and debug-port
//! output sinks, the `--until-text`/`--until-serial`/`--timeout` stop conditions and the
//! `--screenshot-after` shot. The headless loop and the window's emulation thread both call
//! [`Watcher::check`] between slices.

use crate::cli::Cli;
use rawbox_devices::vga::Frame;
use rawbox_vmm::keys::parse_keys;
use rawbox_vmm::Machine;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How a run ended (becomes the exit code).
#[derive(Debug)]
pub enum Outcome {
    /// An --until-* string appeared, the timeout passed with nothing awaited, or the user
    /// closed the window.
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

/// Stop conditions and output sinks of one run.
pub struct Watcher {
    serial: SerialSink,
    debug_console: Option<std::fs::File>,
    serial_seen: String,
    until_text: Option<String>,
    until_serial: Option<String>,
    timeout: Option<Duration>,
    start: Instant,
    /// Guest time (ns since power-on) and file of a pending `--screenshot-after`.
    screenshot: Option<(u64, PathBuf)>,
    /// The text screen as last seen (for --until-text and the headless printout).
    pub screen: Option<Vec<String>>,
    /// Whether `screen` is wanted even without --until-text (the headless printout).
    pub track_screen: bool,
}

impl Watcher {
    /// Opens the sinks named on the command line and queues the scripted keys.
    pub fn new(cli: &Cli, m: &mut Machine) -> Result<Watcher, String> {
        let serial = open_serial(cli.serial.as_deref())?;
        if let Some(k) = &cli.keys {
            let keys = parse_keys(k).map_err(|e| e.to_string())?;
            m.type_keys(&keys);
        }
        let debug_console = match &cli.debug_console {
            Some(p) => Some(
                std::fs::File::create(p)
                    .map_err(|e| format!("cannot create {}: {e}", p.display()))?,
            ),
            None => None,
        };
        let screenshot = match cli.screenshot_after.as_deref() {
            None => None,
            Some([secs, file]) => {
                let s: f64 = secs
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s >= 0.0)
                    .ok_or_else(|| format!("--screenshot-after {secs}: expected seconds"))?;
                Some(((s * 1e9) as u64, PathBuf::from(file)))
            }
            Some(other) => {
                return Err(format!(
                    "--screenshot-after {other:?}: expected SECONDS FILE"
                ))
            }
        };
        Ok(Watcher {
            serial,
            debug_console,
            serial_seen: String::new(),
            until_text: cli.until_text.clone(),
            until_serial: cli.until_serial.clone(),
            timeout: cli.timeout.map(Duration::from_secs_f64),
            start: Instant::now(),
            screenshot,
            screen: None,
            track_screen: true,
        })
    }

    /// Moves guest output to its sinks and checks the stop conditions. `frame` is a scratch
    /// frame for the screenshot.
    pub fn check(&mut self, m: &mut Machine, frame: &mut Frame) -> Result<Option<Outcome>, String> {
        let debug = m.take_debug_port();
        if let Some(f) = &mut self.debug_console {
            let _ = f.write_all(&debug);
        }
        let out = m.take_serial();
        if !out.is_empty() {
            self.serial_seen.push_str(&String::from_utf8_lossy(&out));
            match &mut self.serial {
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
            if self.serial_seen.len() > 1 << 20 {
                let cut = self.serial_seen.len() - (1 << 19);
                self.serial_seen =
                    self.serial_seen[self.serial_seen.ceil_char_boundary(cut)..].to_string();
            }
        }
        if let Some((at, path)) = &self.screenshot {
            if m.now_ns() >= *at {
                m.render(frame);
                crate::screenshot::save(frame, path)?;
                log::info!("screenshot written to {}", path.display());
                self.screenshot = None;
            }
        }
        if self.track_screen || self.until_text.is_some() {
            self.screen = m.text_screen();
        }
        if let Some(t) = &self.until_text {
            if self
                .screen
                .as_ref()
                .is_some_and(|s| s.iter().any(|l| l.contains(t.as_str())))
            {
                return Ok(Some(Outcome::Done));
            }
        }
        if let Some(t) = &self.until_serial {
            if self.serial_seen.contains(t.as_str()) {
                return Ok(Some(Outcome::Done));
            }
        }
        if let Some(t) = self.timeout {
            if self.start.elapsed() >= t {
                let awaited: Vec<String> = [
                    self.until_text
                        .as_ref()
                        .map(|s| format!("text '{s}' on the screen")),
                    self.until_serial.as_ref().map(|s| format!("'{s}' on COM1")),
                ]
                .into_iter()
                .flatten()
                .collect();
                if awaited.is_empty() {
                    return Ok(Some(Outcome::Done));
                }
                return Ok(Some(Outcome::TimedOut(format!(
                    "timed out after {:.1} s waiting for {}",
                    t.as_secs_f64(),
                    awaited.join(" and ")
                ))));
            }
        }
        Ok(None)
    }
}
