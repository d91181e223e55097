//! FreeDOS boots headless with Debian's SeaBIOS and a VGA BIOS (SeaVGABIOS from the `seabios`
//! package, the LGPL VGABIOS from `vgabios`) in place of rawbox's own BIOS, from the shared
//! 1.44 MB floppy image, and `ver` and `dir` work. Without the packages the tests are skipped,
//! except under CI (`CI=true`), where a missing file fails them.

use std::path::{Path, PathBuf};
use std::process::Command;

const SEABIOS: &str = "/usr/share/seabios/bios.bin";
const SEAVGABIOS: &str = "/usr/share/seabios/vgabios-isavga.bin";
const LGPL_VGABIOS: &str = "/usr/share/vgabios/vgabios.bin";

mod support;
use support::shared;

/// The firmware files, or None (skip) when they are missing outside CI.
fn firmware(files: &[&str]) -> Option<()> {
    let missing: Vec<&&str> = files.iter().filter(|f| !Path::new(f).is_file()).collect();
    if missing.is_empty() {
        return Some(());
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    assert!(
        !ci,
        "{missing:?} missing under CI (scripts/test.sh installs seabios and vgabios)"
    );
    eprintln!("skipped: {missing:?} not installed (apt-get install seabios vgabios)");
    None
}

/// A scratch copy of a shared image (the originals are never written).
fn scratch_copy(name: &str, tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rawbox-seabios-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dst = dir.join(name);
    std::fs::copy(shared().join("images").join(name), &dst).unwrap();
    dst
}

struct Run {
    code: i32,
    screen: String,
    debug: String,
    stderr: String,
}

/// Boots `image` as floppy A: with SeaBIOS and `vga_bios`, types `keys`, waits for `until`.
fn boot(image: &Path, vga_bios: &str, keys: &str, until: &str) -> Run {
    let dump = image.with_extension("screen.txt");
    let debug = image.with_extension("debug.txt");
    let out = Command::new(env!("CARGO_BIN_EXE_rawbox"))
        .args([
            "--headless",
            "--quiet",
            "--bios",
            SEABIOS,
            "--vga-bios",
            vga_bios,
        ])
        .arg("--fda")
        .arg(image)
        .args(["--keys", keys, "--until-text", until, "--timeout", "60"])
        .arg("--screen-dump")
        .arg(&dump)
        .arg("--debug-console")
        .arg(&debug)
        .output()
        .expect("run rawbox");
    Run {
        code: out.status.code().unwrap_or(-1),
        screen: std::fs::read_to_string(&dump).unwrap_or_default(),
        debug: std::fs::read_to_string(&debug).unwrap_or_default(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn assert_ok(r: &Run) {
    assert_eq!(
        r.code, 0,
        "exit {} (stderr {}):\n{}\n--- SeaBIOS log ---\n{}",
        r.code, r.stderr, r.screen, r.debug
    );
}

fn boot_and_run_ver_dir(vga_bios: &str, tag: &str) {
    let img = scratch_copy("freedos-boot-1440k.img", tag);
    let r = boot(
        &img,
        vga_bios,
        "ver\\rset Z=END\\recho %Z%-OF-TEST\\r",
        "END-OF-TEST",
    );
    assert_ok(&r);
    // SeaBIOS itself ran (its log on port 0x402), shadowed itself and booted the floppy.
    assert!(r.debug.contains("SeaBIOS (version"), "{}", r.debug);
    assert!(!r.debug.contains("Unable to unlock ram"), "{}", r.debug);
    assert!(r.debug.contains("Booting from Floppy"), "{}", r.debug);
    let after_ver = r.screen.split("A:\\>ver").nth(1).unwrap_or("");
    assert!(
        after_ver.contains("FreeCom version 0.82"),
        "no VER output:\n{}",
        r.screen
    );
    let r = boot(&img, vga_bios, "dir\\r", "bytes free");
    assert_ok(&r);
    for want in ["KERNEL   SYS", "COMMAND  COM", "5 file(s)"] {
        assert!(r.screen.contains(want), "'{want}' missing:\n{}", r.screen);
    }
}

#[test]
fn seabios_with_seavgabios_boots_freedos_ver_dir() {
    if firmware(&[SEABIOS, SEAVGABIOS]).is_none() {
        return;
    }
    boot_and_run_ver_dir(SEAVGABIOS, "seavga");
}

#[test]
fn seabios_with_lgpl_vgabios_boots_freedos_ver_dir() {
    if firmware(&[SEABIOS, LGPL_VGABIOS]).is_none() {
        return;
    }
    boot_and_run_ver_dir(LGPL_VGABIOS, "lgplvga");
}
