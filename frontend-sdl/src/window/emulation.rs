//! The emulation thread of the window frontend: owns the `Machine`, runs it in short slices
//! paced to the wall clock, takes keyboard/mouse/shortcut commands from the UI thread, and
//! hands rendered frames (at the guest's refresh rate), speaker changes and speed figures
//! back. It never waits for the display.

use super::audio::SpeakerQueue;
use super::pacing::{Pacer, Speed};
use crate::watch::{Outcome, Watcher};
use rawbox_devices::kbc::KeyCode;
use rawbox_devices::speaker::SpeakerOutput;
use rawbox_devices::vga::Frame;
use rawbox_vmm::{Machine, StopReason};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the UI thread asks of the emulation thread.
#[derive(Debug)]
pub enum Command {
    Key(KeyCode, bool),
    /// Relative mouse motion (host pixels, y down) with the buttons held.
    Mouse {
        dx: i32,
        dy: i32,
        buttons: u8,
    },
    Wheel(i32),
    TogglePause,
    Reset,
    CtrlAltDel,
    Screenshot(PathBuf),
    Quit,
}

/// The newest frame, swapped in by the emulation thread and copied out by the UI thread.
#[derive(Debug, Default)]
pub struct FrameSlot {
    pub frame: Frame,
    /// Increments with every new frame.
    pub seq: u64,
}

/// Figures for the window title.
#[derive(Clone, Debug, Default)]
pub struct Status {
    pub mips: f64,
    pub paused: bool,
}

/// State shared between the threads.
#[derive(Debug, Default)]
pub struct Shared {
    pub frame: Mutex<FrameSlot>,
    pub status: Mutex<Status>,
}

/// Longest stretch of guest time run between two looks at the commands and the clock.
const SLICE_NS: u64 = 2_000_000;
/// Longest sleep without looking at the commands.
const MAX_WAIT: Duration = Duration::from_millis(20);

/// Ctrl+Alt+Del as make and break events.
const CTRL_ALT_DEL: [(KeyCode, bool); 6] = [
    (KeyCode::ControlLeft, true),
    (KeyCode::AltLeft, true),
    (KeyCode::Delete, true),
    (KeyCode::Delete, false),
    (KeyCode::AltLeft, false),
    (KeyCode::ControlLeft, false),
];

/// The emulation thread's state besides the machine.
struct Emulation<N: Fn()> {
    shared: Arc<Shared>,
    notify: N,
    paused: bool,
    /// Wall time spent paused, kept out of the pacing clock.
    paused_total: Duration,
    paused_since: Option<Instant>,
    scratch: Frame,
}

impl<N: Fn()> Emulation<N> {
    fn new(shared: Arc<Shared>, notify: N) -> Emulation<N> {
        Emulation {
            shared,
            notify,
            paused: false,
            paused_total: Duration::ZERO,
            paused_since: None,
            scratch: Frame::new(),
        }
    }

    /// Applies one command; false means quit.
    fn apply(&mut self, m: &mut Machine, cmd: Command) -> bool {
        match cmd {
            Command::Key(k, make) => m.key_event(k, make),
            Command::Mouse { dx, dy, buttons } => m.mouse_motion(dx, dy, buttons),
            Command::Wheel(dz) => m.mouse_wheel(dz),
            Command::TogglePause => {
                self.paused = !self.paused;
                if self.paused {
                    self.paused_since = Some(Instant::now());
                } else if let Some(t) = self.paused_since.take() {
                    self.paused_total += t.elapsed();
                }
                if let Ok(mut s) = self.shared.status.lock() {
                    s.paused = self.paused;
                }
                (self.notify)();
            }
            Command::Reset => m.reset(),
            Command::CtrlAltDel => {
                for (k, make) in CTRL_ALT_DEL {
                    m.key_event(k, make);
                }
            }
            Command::Screenshot(path) => {
                m.render(&mut self.scratch);
                match crate::screenshot::save(&self.scratch, &path) {
                    Ok(()) => eprintln!("rawbox: screenshot written to {}", path.display()),
                    Err(e) => eprintln!("rawbox: {e}"),
                }
            }
            Command::Quit => return false,
        }
        true
    }

    /// Applies every queued command; false means quit.
    fn drain(&mut self, m: &mut Machine, commands: &Receiver<Command>) -> bool {
        loop {
            match commands.try_recv() {
                Ok(c) => {
                    if !self.apply(m, c) {
                        return false;
                    }
                }
                Err(TryRecvError::Empty) => return true,
                Err(TryRecvError::Disconnected) => return false,
            }
        }
    }

    /// Waits up to `d` for a command and applies it; false means quit.
    fn wait(&mut self, m: &mut Machine, commands: &Receiver<Command>, d: Duration) -> bool {
        match commands.recv_timeout(d) {
            Ok(c) => self.apply(m, c),
            Err(RecvTimeoutError::Timeout) => true,
            Err(RecvTimeoutError::Disconnected) => false,
        }
    }
}

/// What the emulation thread hands to the UI and audio threads: changed frames and speaker
/// changes.
struct Outputs {
    speaker: Option<SpeakerQueue>,
    last_speaker: SpeakerOutput,
    frame: Frame,
    shown: Frame,
}

impl Outputs {
    fn new(speaker: Option<SpeakerQueue>) -> Outputs {
        Outputs {
            speaker,
            last_speaker: SpeakerOutput::Level(false),
            frame: Frame::new(),
            shown: Frame::new(),
        }
    }

    /// Posts the speaker's state if it changed (`silence`: the machine is paused).
    fn speaker(&mut self, m: &mut Machine, silence: bool) {
        if let Some(q) = &self.speaker {
            let now = if silence {
                SpeakerOutput::Level(false)
            } else {
                m.speaker()
            };
            if now != self.last_speaker {
                self.last_speaker = now;
                q.post(now);
            }
        }
    }

    /// Renders the display and hands the picture over if it changed: an idle text screen
    /// costs the UI nothing but the cursor blink.
    fn frame(&mut self, m: &mut Machine, shared: &Shared, notify: &impl Fn()) {
        m.render(&mut self.frame);
        if self.frame != self.shown {
            self.shown.clone_from(&self.frame);
            if let Ok(mut slot) = shared.frame.lock() {
                std::mem::swap(&mut slot.frame, &mut self.frame);
                slot.seq += 1;
            }
            notify();
        }
    }
}

/// The emulation thread's body; returns how the run ended.
pub fn run(
    m: &mut Machine,
    mut watch: Watcher,
    speed: Speed,
    commands: Receiver<Command>,
    shared: Arc<Shared>,
    speaker: Option<SpeakerQueue>,
    notify: impl Fn(),
) -> Result<Outcome, String> {
    let mut pacer = Pacer::new(speed, m.insn_time_ps());
    watch.track_screen = false;
    let mut e = Emulation::new(shared, notify);
    let start = Instant::now();
    let mut out = Outputs::new(speaker);
    let mut next_frame_ns = 0u64;
    let mut stat_at = Instant::now();
    let mut stat_insns = m.cpu.counters.instructions;
    loop {
        if !e.drain(m, &commands) {
            return Ok(Outcome::Done);
        }
        if e.paused {
            out.speaker(m, true);
            if !e.wait(m, &commands, MAX_WAIT) {
                return Ok(Outcome::Done);
            }
            continue;
        }

        // Sleep off guest time that is ahead of the wall clock (idle guests, MIPS targets),
        // waking early for input.
        let wall_ns = start.elapsed().saturating_sub(e.paused_total).as_nanos() as u64;
        if let Some(d) = pacer.sleep_for(m.now_ns(), wall_ns) {
            if !e.wait(m, &commands, d.min(MAX_WAIT)) {
                return Ok(Outcome::Done);
            }
            continue;
        }

        m.set_insn_time_ps(pacer.insn_ps());
        let halts = m.counters.exits_halt;
        let insns = m.cpu.counters.instructions;
        let t0 = Instant::now();
        let stop = m.run_for(SLICE_NS);
        let host_ns = t0.elapsed().as_nanos() as u64;
        if m.counters.exits_halt == halts {
            pacer.after_busy_slice(m.cpu.counters.instructions - insns, host_ns);
        }
        if stop == StopReason::Halted {
            return Ok(Outcome::Stopped("the firmware stopped the machine".into()));
        }

        out.speaker(m, false);
        let now = m.now_ns();
        if now >= next_frame_ns {
            out.frame(m, &e.shared, &e.notify);
            let period = 1_000_000_000_000u64 / m.refresh_mhz().clamp(10_000, 200_000);
            // Keep a steady cadence; after a stall, restart it from now.
            next_frame_ns = if now - next_frame_ns > 4 * period {
                now + period
            } else {
                next_frame_ns + period
            };
        }

        if let Some(o) = watch.check(m, &mut e.scratch)? {
            return Ok(o);
        }

        if stat_at.elapsed() >= Duration::from_millis(500) {
            let n = m.cpu.counters.instructions - stat_insns;
            let mips = n as f64 / stat_at.elapsed().as_secs_f64() / 1e6;
            stat_insns = m.cpu.counters.instructions;
            stat_at = Instant::now();
            if let Ok(mut s) = e.shared.status.lock() {
                s.mips = mips;
            }
        }
    }
}

/// The emulation thread's body with the terminal debugger in charge: the debugger runs the
/// machine (reading its commands from stdin), and between its slices and commands the window
/// gets new frames, speaker changes and the keyboard and mouse input.
pub fn run_debugger(
    m: &mut Machine,
    syntax: rawbox_debugger::Syntax,
    commands: Receiver<Command>,
    shared: Arc<Shared>,
    speaker: Option<SpeakerQueue>,
    notify: impl Fn(),
) -> Result<Outcome, String> {
    let mut e = Emulation::new(shared, notify);
    let mut out = Outputs::new(speaker);
    let mut last_frame = Instant::now() - Duration::from_secs(1);
    let tick = move |m: &mut Machine| {
        // Quit from the window ends the process (the debugger may be waiting on stdin).
        if !e.drain(m, &commands) {
            std::process::exit(0);
        }
        out.speaker(m, false);
        if last_frame.elapsed() >= Duration::from_millis(14) {
            last_frame = Instant::now();
            out.frame(m, &e.shared, &e.notify);
        }
    };
    rawbox_debugger::run_debugger_with(m, syntax, Some(Box::new(tick)))
        .map_err(|e| e.to_string())?;
    Ok(Outcome::Done)
}
