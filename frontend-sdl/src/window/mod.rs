//! The SDL window frontend. The main thread owns SDL: it turns window events into commands
//! (keys through [`keymap`], the [`hostkey`] shortcuts, the captured mouse), shows the newest
//! frame [`scaling`]-fitted into the window, and keeps the title current. The emulation
//! thread ([`emulation`]) runs the machine; the audio thread ([`audio`]) plays the speaker.

pub mod audio;
pub mod emulation;
pub mod hostkey;
pub mod keymap;
pub mod pacing;
pub mod scaling;

use crate::cli::Cli;
use crate::watch::{Outcome, Watcher};
use emulation::{Command, Shared};
use hostkey::{HostKey, Route, Shortcut};
use rawbox_devices::kbc::KeyCode;
use rawbox_vmm::Machine;
use scaling::ScaleMode;
use sdl2::event::{Event, WindowEvent};
use sdl2::mouse::MouseButton;
use sdl2::pixels::PixelFormatEnum;
use sdl2::render::{Canvas, Texture, TextureCreator};
use sdl2::video::{FullscreenType, Window, WindowContext};
use std::collections::HashSet;
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Window options from the command line.
#[derive(Clone, Debug)]
pub struct WindowOptions {
    pub title: String,
    pub scale: ScaleMode,
    pub fullscreen: bool,
    pub mute: bool,
    pub host_key: sdl2::keyboard::Scancode,
    pub speed: pacing::Speed,
    pub screenshot_dir: std::path::PathBuf,
    /// Run the terminal debugger on the machine (the window shows the guest meanwhile).
    pub debugger: Option<rawbox_debugger::Syntax>,
    /// Print the engine statistics (`--stats`) when the machine stops.
    pub stats: bool,
}

/// A frame arrived (pushed by the emulation thread to wake the event loop).
struct FrameReady;

/// Why the window could not open; the caller falls back to headless.
#[derive(Debug)]
pub struct NoDisplay(pub String);

/// SDL handles that must exist before the machine is handed to a thread.
pub struct Display {
    sdl: sdl2::Sdl,
    video: sdl2::VideoSubsystem,
}

/// Opens SDL's video subsystem, or says why there is no display.
pub fn open_display() -> Result<Display, NoDisplay> {
    let sdl = sdl2::init().map_err(NoDisplay)?;
    let video = sdl.video().map_err(NoDisplay)?;
    Ok(Display { sdl, video })
}

/// The mouse buttons held, as PS/2 bits.
fn ps2_buttons(state: &sdl2::mouse::MouseState) -> u8 {
    u8::from(state.left()) | u8::from(state.right()) << 1 | u8::from(state.middle()) << 2
}

/// The PS/2 bit of an SDL mouse button.
fn button_bit(b: MouseButton) -> u8 {
    match b {
        MouseButton::Left => 1,
        MouseButton::Right => 2,
        MouseButton::Middle => 4,
        _ => 0,
    }
}

/// UI-side state.
struct Ui {
    tx: Sender<Command>,
    host: HostKey,
    /// Guest keys held down (released on focus loss so none stay stuck).
    held: HashSet<KeyCode>,
    captured: bool,
    /// Mouse buttons held (PS/2 bits).
    buttons: u8,
    fullscreen: bool,
    scale: ScaleMode,
    quit: bool,
    screenshot_dir: std::path::PathBuf,
}

impl Ui {
    fn send(&self, c: Command) {
        let _ = self.tx.send(c);
    }

    fn release_all_keys(&mut self) {
        for k in self.held.drain() {
            let _ = self.tx.send(Command::Key(k, false));
        }
    }

    fn set_capture(&mut self, sdl: &sdl2::Sdl, canvas: &mut Canvas<Window>, on: bool) {
        self.captured = on;
        if !on && self.buttons != 0 {
            // Let go of any button the guest still sees held.
            self.buttons = 0;
            self.send(Command::Mouse {
                dx: 0,
                dy: 0,
                buttons: 0,
            });
        }
        sdl.mouse().set_relative_mouse_mode(on);
        canvas.window_mut().set_grab(on);
    }

    fn shortcut(&mut self, s: Shortcut, sdl: &sdl2::Sdl, canvas: &mut Canvas<Window>) {
        match s {
            Shortcut::ReleaseMouse => {
                if self.captured {
                    self.set_capture(sdl, canvas, false);
                }
            }
            Shortcut::Fullscreen => {
                self.fullscreen = !self.fullscreen;
                let mode = if self.fullscreen {
                    FullscreenType::Desktop
                } else {
                    FullscreenType::Off
                };
                if let Err(e) = canvas.window_mut().set_fullscreen(mode) {
                    log::warn!("fullscreen: {e}");
                }
            }
            Shortcut::Pause => self.send(Command::TogglePause),
            Shortcut::Reset => self.send(Command::Reset),
            Shortcut::Screenshot => self.send(Command::Screenshot(
                crate::screenshot::next_shot_path(&self.screenshot_dir),
            )),
            Shortcut::CtrlAltDel => self.send(Command::CtrlAltDel),
            Shortcut::CycleScaling => self.scale = self.scale.next(),
            Shortcut::Quit => self.quit = true,
        }
    }

    fn event(&mut self, ev: Event, sdl: &sdl2::Sdl, canvas: &mut Canvas<Window>) {
        match ev {
            Event::Quit { .. } => self.quit = true,
            Event::KeyDown {
                scancode: Some(sc),
                repeat,
                ..
            } => {
                // Held keys repeat through the guest keyboard's own typematic.
                if repeat {
                    return;
                }
                match self.host.key_down(sc) {
                    Route::Guest => {
                        if let Some(k) = keymap::pc_key(sc) {
                            self.held.insert(k);
                            self.send(Command::Key(k, true));
                        }
                    }
                    Route::Swallow => {}
                    Route::Shortcut(s) => self.shortcut(s, sdl, canvas),
                }
            }
            Event::KeyUp {
                scancode: Some(sc), ..
            } => match self.host.key_up(sc) {
                Route::Guest => {
                    if let Some(k) = keymap::pc_key(sc) {
                        if self.held.remove(&k) {
                            self.send(Command::Key(k, false));
                        }
                    }
                }
                Route::Swallow => {}
                Route::Shortcut(s) => self.shortcut(s, sdl, canvas),
            },
            Event::MouseButtonDown {
                mouse_btn: MouseButton::Left,
                ..
            } if !self.captured => self.set_capture(sdl, canvas, true),
            Event::MouseMotion {
                mousestate,
                xrel,
                yrel,
                ..
            } if self.captured => {
                self.buttons = ps2_buttons(&mousestate);
                self.send(Command::Mouse {
                    dx: xrel,
                    dy: yrel,
                    buttons: self.buttons,
                })
            }
            Event::MouseButtonDown { mouse_btn, .. } if self.captured => {
                self.buttons |= button_bit(mouse_btn);
                self.send(Command::Mouse {
                    dx: 0,
                    dy: 0,
                    buttons: self.buttons,
                });
            }
            Event::MouseButtonUp { mouse_btn, .. } if self.captured => {
                self.buttons &= !button_bit(mouse_btn);
                self.send(Command::Mouse {
                    dx: 0,
                    dy: 0,
                    buttons: self.buttons,
                });
            }
            Event::MouseWheel { y, .. } if self.captured => self.send(Command::Wheel(-y)),
            Event::Window {
                win_event: WindowEvent::FocusLost,
                ..
            } => {
                self.release_all_keys();
                self.host.reset();
                if self.captured {
                    self.set_capture(sdl, canvas, false);
                }
            }
            _ => {}
        }
    }
}

/// The texture showing the guest picture, recreated when its size or filtering changes.
struct Picture<'a> {
    texture: Option<Texture<'a>>,
    size: (u32, u32),
    smooth: bool,
    seq: u64,
}

impl<'a> Picture<'a> {
    fn update(
        &mut self,
        creator: &'a TextureCreator<WindowContext>,
        shared: &Shared,
        scale: ScaleMode,
    ) -> Result<bool, String> {
        let Ok(slot) = shared.frame.lock() else {
            return Ok(false);
        };
        let smooth = scale == ScaleMode::Smooth;
        if slot.seq == self.seq && smooth == self.smooth {
            return Ok(false);
        }
        let f = &slot.frame;
        if f.width == 0 || f.height == 0 || f.pixels.len() < (f.width * f.height) as usize {
            return Ok(false);
        }
        if self.texture.is_none() || self.size != (f.width, f.height) || smooth != self.smooth {
            sdl2::hint::set(
                "SDL_RENDER_SCALE_QUALITY",
                if smooth { "linear" } else { "nearest" },
            );
            let t = creator
                .create_texture_streaming(PixelFormatEnum::ARGB8888, f.width, f.height)
                .map_err(|e| e.to_string())?;
            self.texture = Some(t);
            self.size = (f.width, f.height);
            self.smooth = smooth;
        }
        if let Some(t) = &mut self.texture {
            t.with_lock(None, |buf, pitch| {
                let w = f.width as usize;
                for (y, row) in f.pixels.chunks(w).enumerate() {
                    let dst = &mut buf[y * pitch..y * pitch + w * 4];
                    for (d, p) in dst.chunks_exact_mut(4).zip(row) {
                        d.copy_from_slice(&p.to_ne_bytes());
                    }
                }
            })?;
        }
        self.seq = slot.seq;
        Ok(true)
    }
}

fn title(base: &str, status: &emulation::Status, captured: bool, host: &str) -> String {
    let mut t = format!("{base} - {:.0} MIPS", status.mips);
    if status.paused {
        t.push_str(" - paused");
    }
    if captured {
        t.push_str(&format!(" - press {host} to release the mouse"));
    }
    t
}

/// Runs the machine in a window until the user closes it or a stop condition is met.
pub fn run(
    cli: &Cli,
    display: Display,
    m: Machine,
    opts: WindowOptions,
) -> Result<Outcome, String> {
    let Display { sdl, video } = display;
    let (w, h) = scaling::DEFAULT_WINDOW;
    let mut window = video.window(&opts.title, w, h);
    window.position_centered().resizable();
    if opts.fullscreen {
        window.fullscreen_desktop();
    }
    let window = window
        .build()
        .map_err(|e| format!("cannot open a window: {e}"))?;
    let mut canvas = window
        .into_canvas()
        .present_vsync()
        .build()
        .map_err(|e| format!("cannot draw into the window: {e}"))?;
    let creator = canvas.texture_creator();
    let events = sdl.event().map_err(|e| e.to_string())?;
    events
        .register_custom_event::<FrameReady>()
        .map_err(|e| e.to_string())?;
    let sender = events.event_sender();
    let mut pump = sdl.event_pump().map_err(|e| e.to_string())?;

    // Sound: the PC speaker through the default audio device, if there is one.
    let speaker = (!opts.mute).then(audio::SpeakerQueue::default);
    let _audio = speaker.as_ref().and_then(|q| open_audio(&sdl, q.clone()));

    let mut m = m;
    let watch = Watcher::new(cli, &mut m)?;
    let shared = Arc::new(Shared::default());
    let (tx, rx) = std::sync::mpsc::channel();
    let emu_shared = shared.clone();
    let speed = opts.speed;
    let debugger = opts.debugger;
    let stats = opts.stats;
    let thread = std::thread::Builder::new()
        .name("emulation".into())
        .spawn(move || {
            let notify = move || {
                let _ = sender.push_custom_event(FrameReady);
            };
            let outcome = match debugger {
                Some(syntax) => {
                    emulation::run_debugger(&mut m, syntax, rx, emu_shared, speaker, notify)
                }
                None => emulation::run(&mut m, watch, speed, rx, emu_shared, speaker, notify),
            };
            if stats {
                eprintln!("{}", m.engine_report());
            }
            outcome
        })
        .map_err(|e| format!("cannot start the emulation thread: {e}"))?;

    let host_name = format!("{:?}", opts.host_key);
    let mut ui = Ui {
        tx,
        host: HostKey::new(opts.host_key),
        held: HashSet::new(),
        captured: false,
        buttons: 0,
        fullscreen: opts.fullscreen,
        scale: opts.scale,
        quit: false,
        screenshot_dir: opts.screenshot_dir.clone(),
    };
    let mut picture = Picture {
        texture: None,
        size: (0, 0),
        smooth: false,
        seq: 0,
    };
    let mut title_at = Instant::now();
    let mut shown_title = String::new();
    let mut last_size = (0, 0);
    let mut last_scale = ui.scale;
    while !ui.quit && !thread.is_finished() {
        if let Some(ev) = pump.wait_event_timeout(100) {
            ui.event(ev, &sdl, &mut canvas);
            for ev in pump.poll_iter() {
                ui.event(ev, &sdl, &mut canvas);
            }
        }
        let new_picture = picture.update(&creator, &shared, ui.scale)?;
        let size = canvas.output_size().unwrap_or((w, h));
        if new_picture || size != last_size || ui.scale != last_scale {
            last_size = size;
            last_scale = ui.scale;
            canvas.set_draw_color(sdl2::pixels::Color::RGB(0, 0, 0));
            canvas.clear();
            if let Some(t) = &picture.texture {
                let r =
                    scaling::dest_rect(ui.scale, picture.size.0, picture.size.1, size.0, size.1);
                let dst = sdl2::rect::Rect::new(r.x, r.y, r.w, r.h);
                canvas.copy(t, None, Some(dst))?;
            }
            canvas.present();
        }
        if title_at.elapsed() >= Duration::from_millis(500) {
            title_at = Instant::now();
            let status = shared.status.lock().map(|s| s.clone()).unwrap_or_default();
            let t = title(&opts.title, &status, ui.captured, &host_name);
            if t != shown_title {
                let _ = canvas.window_mut().set_title(&t);
                shown_title = t;
            }
        }
    }
    ui.release_all_keys();
    let _ = ui.tx.send(Command::Quit);
    thread
        .join()
        .map_err(|_| "the emulation thread crashed".to_string())?
}

/// Opens the default audio device for the speaker; without one the guest runs silent.
fn open_audio(
    sdl: &sdl2::Sdl,
    queue: audio::SpeakerQueue,
) -> Option<sdl2::audio::AudioDevice<audio::Synth>> {
    let subsystem = match sdl.audio() {
        Ok(a) => a,
        Err(e) => {
            log::warn!("no audio ({e}); the PC speaker is silent");
            return None;
        }
    };
    let desired = sdl2::audio::AudioSpecDesired {
        freq: Some(audio::SAMPLE_RATE as i32),
        channels: Some(1),
        samples: Some(1024),
    };
    match subsystem.open_playback(None, &desired, |_spec| audio::Synth::new(queue)) {
        Ok(dev) => {
            dev.resume();
            Some(dev)
        }
        Err(e) => {
            log::warn!("cannot open an audio device ({e}); the PC speaker is silent");
            None
        }
    }
}
