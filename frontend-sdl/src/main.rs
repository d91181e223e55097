//! The `rawbox` binary: parses the command line, builds the machine, and runs a frontend.
//! Only the headless frontend exists yet; without `--headless` rawbox says so and runs headless.

mod cli;
mod engine_args;
mod headless;

use clap::Parser;
use cli::Cli;
use headless::Outcome;
use rawbox_vmm::Machine;

fn main() {
    let cli = Cli::parse();
    let config = match cli.machine_config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("rawbox: {e}");
            std::process::exit(1);
        }
    };
    let mut machine = match Machine::new(config) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("rawbox: {e}");
            std::process::exit(1);
        }
    };
    if !cli.headless {
        eprintln!("rawbox: the SDL window is not built yet; running headless (use --headless to silence this)");
    }
    let outcome = headless::run(&cli, &mut machine);
    cli.engine.report(&machine);
    match outcome {
        Ok(Outcome::Done) => {}
        Ok(Outcome::TimedOut(msg)) => {
            eprintln!("rawbox: {msg}");
            std::process::exit(2);
        }
        Ok(Outcome::Stopped(msg)) => {
            eprintln!("rawbox: {msg}");
            std::process::exit(3);
        }
        Err(e) => {
            eprintln!("rawbox: {e}");
            std::process::exit(1);
        }
    }
}
