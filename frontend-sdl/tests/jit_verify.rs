//! `rawbox --jit-verify`: FreeDOS from the shared `freedos722.img` boots and runs HELLO with
//! the interpreter and the JIT in lockstep, and the run ends with the no-divergence line.

use std::process::Command;

mod support;
use support::shared;

#[test]
fn freedos_hello_runs_in_lockstep_without_divergence() {
    // A scratch copy: the guest may write to its disk.
    let dir = std::env::temp_dir().join(format!("rawbox-jit-verify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let img = dir.join("freedos722.img");
    std::fs::copy(shared().join("images/freedos722.img"), &img).unwrap();
    let dump = dir.join("screen.txt");
    let out = Command::new(env!("CARGO_BIN_EXE_rawbox"))
        .args(["--jit-verify", "--headless", "--quiet", "--timeout", "5"])
        .arg(&img)
        .args(["--keys", "hello\\r", "--until-text", "Hello, World!"])
        .arg("--screen-dump")
        .arg(&dump)
        .output()
        .expect("run rawbox");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let screen = std::fs::read_to_string(&dump).unwrap_or_default();
    assert_eq!(out.status.code(), Some(0), "{stderr}\n{screen}");
    assert!(screen.contains("Hello, World!"), "{screen}");
    let line = stderr
        .lines()
        .find(|l| l.starts_with("jit-verify: no divergence in "))
        .unwrap_or_else(|| panic!("no verdict line in:\n{stderr}"));
    let n: u64 = line
        .trim_start_matches("jit-verify: no divergence in ")
        .trim_end_matches(" instructions")
        .parse()
        .unwrap_or_else(|e| panic!("{line}: {e}"));
    // The boot alone runs millions of instructions.
    assert!(n > 1_000_000, "{line}");
    assert!(!stderr.contains("divergence after"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
