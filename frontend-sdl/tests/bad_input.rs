//! Configuration errors: missing, empty, odd-sized or truncated images and wrong-size ROMs give
//! a one-line message naming the file, exit code 1, and never a panic.

use std::path::PathBuf;
use std::process::Command;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rawbox-bad-input-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Runs rawbox with `args`; returns (exit code, stderr).
fn rawbox(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rawbox"))
        .args(args)
        .args(["--headless", "--quiet", "--timeout", "5"])
        .output()
        .expect("run rawbox");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_config_error(args: &[&str], file: &str, what: &str) {
    let (code, err) = rawbox(args);
    assert_eq!(code, 1, "exit code for {args:?}: stderr {err}");
    assert!(!err.contains("panicked"), "panic for {args:?}: {err}");
    let line = err.lines().find(|l| l.starts_with("rawbox:")).unwrap_or("");
    assert!(line.contains(file), "message does not name {file}: {err}");
    assert!(
        line.to_lowercase().contains(what),
        "message does not say '{what}': {err}"
    );
}

#[test]
fn missing_image() {
    assert_config_error(
        &["--fda", "/nonexistent/rawbox.img"],
        "/nonexistent/rawbox.img",
        "no such file",
    );
}

#[test]
fn zero_length_image() {
    let p = scratch("empty.img");
    std::fs::write(&p, b"").unwrap();
    let s = p.to_str().unwrap();
    assert_config_error(&["--fda", s], s, "empty");
}

#[test]
fn odd_sized_image() {
    let p = scratch("odd.img");
    std::fs::write(&p, vec![0u8; 1000]).unwrap();
    let s = p.to_str().unwrap();
    assert_config_error(&["--hda", s], s, "512");
}

#[test]
fn truncated_floppy() {
    let p = scratch("truncated.img");
    std::fs::write(&p, vec![0u8; 1_000_448]).unwrap();
    let s = p.to_str().unwrap();
    assert_config_error(&["--fda", s], s, "floppy");
}

#[test]
fn truncated_hard_disk() {
    // An MBR whose only partition ends far beyond the file.
    let mut mbr = vec![0u8; 512 * 64];
    let entry = &mut mbr[446..462];
    entry[0] = 0x80;
    entry[4] = 0x06; // FAT16
    entry[5] = 15; // end head
    entry[6] = 63; // end sector
    entry[8..12].copy_from_slice(&63u32.to_le_bytes());
    entry[12..16].copy_from_slice(&100_000u32.to_le_bytes());
    mbr[510] = 0x55;
    mbr[511] = 0xAA;
    let p = scratch("short-disk.img");
    std::fs::write(&p, &mbr).unwrap();
    let s = p.to_str().unwrap();
    assert_config_error(&["--hda", s], s, "truncated");
}

#[test]
fn wrong_size_bios_rom() {
    let p = scratch("bios.rom");
    std::fs::write(&p, vec![0u8; 1000]).unwrap();
    let s = p.to_str().unwrap();
    assert_config_error(&["--bios", s], s, "rom");
}

#[test]
fn vga_bios_without_bios() {
    let p = scratch("vga.rom");
    std::fs::write(&p, vec![0u8; 32768]).unwrap();
    let s = p.to_str().unwrap();
    assert_config_error(&["--vga-bios", s], s, "--bios");
}

#[test]
fn unknown_cpu_model() {
    let (code, err) = rawbox(&["--cpu", "z80"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("z80"), "{err}");
}
