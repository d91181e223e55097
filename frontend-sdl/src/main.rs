//! The `rawbox` binary: command line, and the frontends (SDL window, headless, trace, debug).
//! For now it only reports its version: the machine is assembled in later work.

fn main() {
    eprintln!(
        "rawbox {}: the PC platform is not assembled yet",
        env!("CARGO_PKG_VERSION")
    );
    std::process::exit(1);
}
