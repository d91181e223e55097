//! FreeDOS boots headless with rawbox's BIOS from the shared floppy images, and its commands and
//! small programs give the output they should.

use std::path::{Path, PathBuf};
use std::process::Command;

mod support;
use support::shared;

/// A scratch copy of a shared image (the originals are never written).
fn scratch_copy(name: &str, tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rawbox-freedos-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dst = dir.join(name);
    std::fs::copy(shared().join("images").join(name), &dst).unwrap();
    dst
}

struct Run {
    code: i32,
    screen: String,
    stderr: String,
}

/// Boots `image` as floppy A:, types `keys`, waits for `until` on the screen.
fn boot(image: &Path, keys: &str, until: &str, extra: &[&str]) -> Run {
    let dump = image.with_extension("screen.txt");
    let out = Command::new(env!("CARGO_BIN_EXE_rawbox"))
        .arg("--headless")
        .arg("--quiet")
        .arg("--fda")
        .arg(image)
        .args(["--keys", keys, "--until-text", until, "--timeout", "60"])
        .arg("--screen-dump")
        .arg(&dump)
        .args(extra)
        .output()
        .expect("run rawbox");
    Run {
        code: out.status.code().unwrap_or(-1),
        screen: std::fs::read_to_string(&dump).unwrap_or_default(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn assert_has(r: &Run, what: &str) {
    assert!(
        r.screen.contains(what),
        "'{what}' not on the screen (exit {}, stderr {}):\n{}",
        r.code,
        r.stderr,
        r.screen
    );
}

#[test]
fn boot_1440k_to_prompt_and_run_ver_dir_mem() {
    let img = scratch_copy("freedos-boot-1440k.img", "1440");
    let r = boot(&img, "", "A:\\>", &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.screen);
    assert_has(&r, "FreeDOS kernel");
    let r = boot(
        &img,
        "ver\\rset Z=END\\recho %Z%-OF-TEST\\r",
        "END-OF-TEST",
        &[],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.screen);
    let after_ver = r.screen.split("A:\\>ver").nth(1).unwrap_or("");
    assert!(
        after_ver.contains("FreeCom version 0.82"),
        "no VER output:\n{}",
        r.screen
    );
    let r = boot(&img, "dir\\r", "bytes free", &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.screen);
    assert_has(&r, "KERNEL   SYS");
    assert_has(&r, "COMMAND  COM");
    assert_has(&r, "5 file(s)");
    // This boot disk has no MEM program: FreeCOM must say so.
    let r = boot(&img, "mem\\r", "Bad command or filename - \"MEM\"", &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.screen);
}

#[test]
fn boot_722_with_himem_and_run_programs() {
    let img = scratch_copy("freedos722.img", "722");
    let r = boot(&img, "hello\\r", "Hello, World!", &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.screen);
    assert_has(&r, "A:\\>hello");
    let r = boot(&img, "cpulevel\\r", "[cmpxchg8b opcode]", &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.screen);
    assert_has(&r, "CPU brand is GenuineIntel / CPU is family 5");
    assert_has(&r, "[TIME STAMP COUNTER]");
    let r = boot(
        &img,
        "cpulevel\\r",
        "i386 or compatible CPU found",
        &["--cpu", "80386"],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.screen);
    let r = boot(&img, "cal\\r", "Su Mo Tu We Th Fr Sa", &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.screen);
}

#[test]
fn boot_722_runs_ver_dir_and_himem_loaded_dos_high() {
    let img = scratch_copy("freedos722.img", "722b");
    let r = boot(&img, "ver\\r", "A:\\>ver", &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.screen);
    // HIMEM enabled A20 and DOS=HIGH put the kernel's buffers into the HMA.
    assert_has(&r, "Interface : XMS 2.00 80386 64MB");
    assert_has(&r, "Kernel: allocated 46 Diskbuffers");
    let r = boot(&img, "dir\\r", "bytes free", &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.screen);
    assert_has(&r, "HELLO    COM");
    assert_has(&r, "CPULEVEL COM");
    assert_has(&r, "18 file(s)");
    let r = boot(&img, "mem\\r", "Bad command or filename - \"MEM\"", &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.screen);
}

#[test]
fn boot_722_primes_writes_a_file() {
    let img = scratch_copy("freedos722.img", "722c");
    let r = boot(&img, "primes /n:50 /p\\rtype primes.txt\\r", "47,", &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.screen);
    assert_has(&r, "The prime numbers between 1 and 50:");
    assert_has(
        &r,
        "2,    3,    5,    7,   11,   13,   17,   19,   23,   29,   31,   37,   41,",
    );
}

/// The first `n` decimal digits of pi (Rabinowitz-Wagon spigot).
fn pi_digits(n: usize) -> String {
    let len = n * 10 / 3 + 2;
    let mut a = vec![2u32; len];
    let mut out = String::new();
    let mut nines = 0;
    let mut predigit = 0u32;
    for _ in 0..n {
        let mut q = 0u32;
        for i in (0..len).rev() {
            let x = 10 * a[i] + q * (i as u32 + 1);
            a[i] = x % (2 * i as u32 + 1);
            q = x / (2 * i as u32 + 1);
        }
        a[0] = q % 10;
        q /= 10;
        if q == 9 {
            nines += 1;
        } else if q == 10 {
            out.push(char::from(b'0' + predigit as u8 + 1));
            out.extend(std::iter::repeat_n('0', nines));
            predigit = 0;
            nines = 0;
        } else {
            out.push(char::from(b'0' + predigit as u8));
            predigit = q;
            out.extend(std::iter::repeat_n('9', nines));
            nines = 0;
        }
    }
    out.push(char::from(b'0' + predigit as u8));
    out[1..].to_string()
}

#[test]
fn boot_722_pi_prints_digits_of_pi() {
    let img = scratch_copy("freedos722.img", "722d");
    let r = boot(
        &img,
        "pi\\rset Z=END\\recho %Z%-OF-TEST\\r",
        "END-OF-TEST",
        &[],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.screen);
    let digits = pi_digits(10_000);
    let lines: Vec<&str> = r
        .screen
        .lines()
        .filter(|l| l.len() >= 40 && l.chars().all(|c| c.is_ascii_digit()))
        .collect();
    assert!(lines.len() >= 5, "no digit lines:\n{}", r.screen);
    for l in lines {
        assert!(digits.contains(l), "not digits of pi: {l}");
    }
}

#[test]
fn edit_saves_a_file_that_type_shows_and_mtools_finds() {
    let img = scratch_copy("freedos722.img", "edit");
    let r = boot(
        &img,
        "edit new.txt\\rHello from rawbox{ALT+F}s{ALT+F}xtype new.txt\\rset Z=END\\recho %Z%-OF-TEST\\r",
        "END-OF-TEST",
        &[],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.screen);
    let after_type = r.screen.split("A:\\>type new.txt").nth(1).unwrap_or("");
    assert!(
        after_type.contains("Hello from rawbox"),
        "TYPE did not show the file:\n{}",
        r.screen
    );
    // The guest's write reached the image file.
    let out = Command::new("mtype")
        .arg("-i")
        .arg(&img)
        .arg("::/NEW.TXT")
        .output();
    match out {
        Ok(o) => {
            assert!(
                o.status.success(),
                "mtype failed: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            assert_eq!(
                String::from_utf8_lossy(&o.stdout).trim_end(),
                "Hello from rawbox"
            );
        }
        Err(e) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "mtools missing under CI: {e}"
            );
            eprintln!("skipping the mtools check: {e}");
        }
    }
}

#[test]
fn serial_output_and_until_serial() {
    let img = scratch_copy("freedos722.img", "serial");
    let com1 = img.with_extension("com1.txt");
    let out = Command::new(env!("CARGO_BIN_EXE_rawbox"))
        .args(["--headless", "--quiet", "--fda"])
        .arg(&img)
        .args([
            "--keys",
            "echo hello serial> COM1\\r",
            "--until-serial",
            "hello serial",
        ])
        .arg("--serial")
        .arg(format!("file:{}", com1.display()))
        .args(["--timeout", "60"])
        .output()
        .expect("run rawbox");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sent = std::fs::read(&com1).unwrap();
    assert_eq!(sent, b"hello serial\r\n");
}

#[test]
fn timeout_while_awaiting_text_exits_2_and_says_what() {
    let img = scratch_copy("freedos722.img", "timeout");
    let out = Command::new(env!("CARGO_BIN_EXE_rawbox"))
        .args(["--headless", "--quiet", "--fda"])
        .arg(&img)
        .args(["--until-text", "this never appears", "--timeout", "2"])
        .output()
        .expect("run rawbox");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("this never appears"), "{err}");
}
