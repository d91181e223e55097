//! The `rawbox` binary: parses the command line, builds the machine, and runs it in the SDL
//! window, or headless with `--headless` (or when no display is available).

mod cli;
mod debug_args;
mod engine_args;
mod headless;
mod jit_verify;
mod screenshot;
mod watch;
mod window;

use clap::Parser;
use cli::Cli;
use rawbox_vmm::Machine;
use watch::Outcome;

fn fail(msg: impl std::fmt::Display) -> ! {
    eprintln!("rawbox: {msg}");
    std::process::exit(1);
}

/// The window title: the image name and the CPU model.
fn title(cli: &Cli) -> String {
    let media = [&cli.image, &cli.fda, &cli.hda, &cli.cdrom]
        .into_iter()
        .flatten()
        .next()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "demo".into());
    format!("rawbox - {media} - {}", cli.cpu)
}

fn window_options(cli: &Cli) -> Result<window::WindowOptions, String> {
    let host_key = window::hostkey::parse_host_key(&cli.host_key)
        .ok_or_else(|| format!("--host-key {}: unknown key", cli.host_key))?;
    let speed = match cli.mips {
        Some(m) if m.is_finite() && m > 0.0 => window::pacing::Speed::Mips(m),
        Some(m) => return Err(format!("--mips {m}: expected a positive number")),
        None => window::pacing::Speed::Full,
    };
    Ok(window::WindowOptions {
        title: title(cli),
        scale: window::scaling::ScaleMode::parse(&cli.scale)
            .unwrap_or(window::scaling::ScaleMode::Sharp),
        fullscreen: cli.fullscreen,
        mute: cli.mute,
        host_key,
        speed,
        screenshot_dir: cli.screenshot_dir.clone().unwrap_or_else(|| ".".into()),
        debugger: None,
        stats: cli.engine.stats,
    })
}

fn main() {
    env_logger_init();
    let cli = Cli::parse();
    let config = cli.machine_config().unwrap_or_else(|e| fail(e));
    if cli.engine.jit_verify {
        match jit_verify::run(&cli, config) {
            Ok(jit_verify::Verdict::Agreed(o)) => {
                finish(Ok(o));
                std::process::exit(0);
            }
            Ok(jit_verify::Verdict::Diverged) => std::process::exit(jit_verify::EXIT_DIVERGENCE),
            Err(e) => fail(e),
        }
    }
    let opts = if cli.headless {
        None
    } else {
        Some(window_options(&cli).unwrap_or_else(|e| fail(e)))
    };
    let mut machine = Machine::new(config).unwrap_or_else(|e| fail(e));
    // The terminal debugger with the window showing the guest.
    if cli.debug.debug && cli.debug.gdb.is_none() {
        if let Some(mut opts) = opts.clone() {
            if let Ok(display) = window::open_display() {
                opts.debugger = Some(cli.debug.syntax().unwrap_or_else(|e| fail(e)));
                match window::run(&cli, display, machine, opts) {
                    Ok(_) => std::process::exit(0),
                    Err(e) => fail(e),
                }
            }
        }
    }
    if cli.debug.wanted() {
        let code = debug_args::run(&cli.debug, &mut machine, cli.timeout).unwrap_or_else(|e| {
            eprintln!("rawbox: {e}");
            1
        });
        std::process::exit(code);
    }
    let result = match opts {
        None => {
            let r = headless::run(&cli, &mut machine);
            cli.engine.report(&machine);
            r
        }
        Some(opts) => match window::open_display() {
            Ok(display) => window::run(&cli, display, machine, opts),
            Err(window::NoDisplay(why)) => {
                eprintln!("rawbox: no display available ({why}); running headless");
                let r = headless::run(&cli, &mut machine);
                cli.engine.report(&machine);
                r
            }
        },
    };
    finish(result);
}

/// Returns when the run ended normally; otherwise reports why and exits with its code.
fn finish(result: Result<Outcome, String>) {
    match result {
        Ok(Outcome::Done) => {}
        Ok(Outcome::TimedOut(msg)) => {
            eprintln!("rawbox: {msg}");
            std::process::exit(2);
        }
        Ok(Outcome::Stopped(msg)) => {
            eprintln!("rawbox: {msg}");
            std::process::exit(3);
        }
        Err(e) => fail(e),
    }
}

/// Warnings from the libraries go to stderr (RUST_LOG-style level in `RAWBOX_LOG`).
fn env_logger_init() {
    struct Stderr(log::LevelFilter);
    impl log::Log for Stderr {
        fn enabled(&self, m: &log::Metadata) -> bool {
            m.level() <= self.0
        }
        fn log(&self, r: &log::Record) {
            if self.enabled(r.metadata()) {
                eprintln!(
                    "rawbox: {}: {}",
                    r.level().as_str().to_ascii_lowercase(),
                    r.args()
                );
            }
        }
        fn flush(&self) {}
    }
    let level = match std::env::var("RAWBOX_LOG").as_deref() {
        Ok("error") => log::LevelFilter::Error,
        Ok("info") => log::LevelFilter::Info,
        Ok("debug") => log::LevelFilter::Debug,
        Ok("trace") => log::LevelFilter::Trace,
        Ok("off") => log::LevelFilter::Off,
        _ => log::LevelFilter::Warn,
    };
    static LOGGER: std::sync::OnceLock<Stderr> = std::sync::OnceLock::new();
    let logger = LOGGER.get_or_init(|| Stderr(level));
    if log::set_logger(logger).is_ok() {
        log::set_max_level(level);
    }
}
