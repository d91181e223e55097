//! The SDL window under Xvfb: FreeDOS boots in the window, `dir` typed as real X key events
//! (xdotool) reaches DOS through SDL and the keyboard map, and host-key screenshots show the
//! text (read back by matching cells against the VGA font); a mode 13h demo fills a
//! 320x200 screenshot with its palette; the host key's quit shortcut ends rawbox; without
//! a display rawbox says so and runs headless.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};
use support::{read_text, scratch, shared, wait_for_png, Rawbox, Xvfb};

/// Presses the screenshot shortcut until a screenshot's text satisfies `done`.
fn shoot_until(
    x: &Xvfb,
    rb: &mut Rawbox,
    dir: &std::path::Path,
    what: &str,
    done: impl Fn(&[String]) -> bool,
) -> Vec<String> {
    let t = Instant::now();
    let mut n = 0;
    loop {
        n += 1;
        let path = dir.join(format!("rawbox-shot-{n:03}.png"));
        x.xdotool(&["key", "--clearmodifiers", "Control_R+s"]);
        let img = wait_for_png(&path, Duration::from_secs(20));
        assert_eq!(
            (img.width, img.height),
            (720, 400),
            "text mode 3 is 720x400"
        );
        let text = read_text(&img);
        if done(&text) {
            return text;
        }
        if let Ok(Some(status)) = rb.child.try_wait() {
            panic!("rawbox exited ({status}) while waiting for {what}");
        }
        assert!(
            t.elapsed() < Duration::from_secs(90),
            "no {what} after 90 s; last screen:\n{}",
            text.join("\n")
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[test]
fn dir_typed_in_the_window_shows_on_the_screenshot() {
    let x = Xvfb::start();
    let (dir, img) = scratch("freedos722.img", "dir");
    let log = dir.join("rawbox.log");
    let mut rb = Rawbox::start(
        &x,
        &[
            img.to_str().unwrap(),
            "--screenshot-dir",
            dir.to_str().unwrap(),
            "--timeout",
            "180",
        ],
        &log,
    );
    let prompt = |t: &[String]| {
        t.iter()
            .rev()
            .find(|l| !l.is_empty())
            .is_some_and(|l| l.starts_with("A:\\>"))
    };
    let boot = shoot_until(&x, &mut rb, &dir, "the A:\\> prompt", prompt);
    assert!(
        boot.iter().any(|l| l.contains("FreeDOS")),
        "{}",
        boot.join("\n")
    );

    x.xdotool(&["type", "--delay", "120", "dir"]);
    x.xdotool(&["key", "--delay", "120", "Return"]);
    let listing = shoot_until(&x, &mut rb, &dir, "the dir listing", |t| {
        t.iter().any(|l| l.contains("bytes free"))
    });
    let all = listing.join("\n");
    assert!(all.contains("HELLO    COM            25"), "{all}");
    assert!(all.contains("PRIMES   EXE         8,656"), "{all}");
    assert!(all.contains("DEMOS                <DIR>"), "{all}");
    assert!(all.contains("18 file(s)"), "{all}");
    assert!(prompt(&listing), "{all}");

    // Host key + Q closes the window; rawbox ends normally.
    x.xdotool(&["key", "--clearmodifiers", "Control_R+q"]);
    let t = Instant::now();
    let status = loop {
        if let Some(s) = rb.child.try_wait().unwrap() {
            break s;
        }
        assert!(t.elapsed() < Duration::from_secs(20), "rawbox did not quit");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        status.success(),
        "{status}: {}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
}

#[test]
fn mode_13h_demo_fills_a_320x200_screenshot_with_its_palette() {
    let x = Xvfb::start();
    let (dir, img) = scratch("freedos722.img", "demo");
    let shot = dir.join("mandel.png");
    let log = dir.join("rawbox.log");
    let _rb = Rawbox::start(
        &x,
        &[
            img.to_str().unwrap(),
            "--keys",
            "demos\\\\mandel~1\\r",
            "--screenshot-after",
            "5",
            shot.to_str().unwrap(),
            "--timeout",
            "120",
        ],
        &log,
    );
    let png = wait_for_png(&shot, Duration::from_secs(90));
    assert_eq!((png.width, png.height), (320, 200));
    let mut colours = std::collections::HashMap::new();
    for p in &png.pixels {
        *colours.entry(*p).or_insert(0usize) += 1;
    }
    assert!(
        colours.len() >= 32,
        "only {} colours: the 256-colour palette is not in use",
        colours.len()
    );
    let black = colours.get(&0).copied().unwrap_or(0) as f64 / png.pixels.len() as f64;
    assert!(
        (0.02..0.6).contains(&black),
        "black (the set's interior) covers {:.1}% of the picture",
        black * 100.0
    );
    // The colours are the demo's own palette ramp, not the 16 default EGA colours.
    let ega: [u32; 16] = [
        0x000000, 0x0000AA, 0x00AA00, 0x00AAAA, 0xAA0000, 0xAA00AA, 0xAA5500, 0xAAAAAA, 0x555555,
        0x5555FF, 0x55FF55, 0x55FFFF, 0xFF5555, 0xFF55FF, 0xFFFF55, 0xFFFFFF,
    ];
    let non_ega = colours.keys().filter(|c| !ega.contains(c)).count();
    assert!(non_ega >= 16, "{non_ega} colours outside the EGA set");
}

#[test]
fn the_terminal_debugs_while_the_window_shows_the_guest() {
    use std::io::Write;
    let x = Xvfb::start();
    let (dir, img) = scratch("freedos722.img", "debug");
    let log = dir.join("rawbox.log");
    let mut rb = Rawbox::start_with(
        &x,
        &[
            "--debug",
            img.to_str().unwrap(),
            "--screenshot-dir",
            dir.to_str().unwrap(),
        ],
        &log,
        std::process::Stdio::piped(),
    );
    let mut stdin = rb.child.stdin.take().unwrap();
    // Stop at the boot sector, then let DOS boot while the window shows it.
    writeln!(stdin, "b 0:7c00\nc\nr").unwrap();
    let out = log.with_extension("out");
    let t = Instant::now();
    loop {
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        if text.contains("eip=00007c00") {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "the debugger did not stop at 0:7C00:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    writeln!(stdin, "bd 1\nc").unwrap();
    let screen = shoot_until(&x, &mut rb, &dir, "the A:\\> prompt", |t| {
        t.iter().any(|l| l.starts_with("A:\\>"))
    });
    assert!(screen.iter().any(|l| l.contains("FreeDOS")));
}

#[test]
fn without_a_display_rawbox_says_so_and_runs_headless() {
    let dir = std::env::temp_dir().join(format!("rawbox-nodisplay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let img = dir.join("freedos-boot-1440k.img");
    std::fs::copy(shared().join("images/freedos-boot-1440k.img"), &img).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_rawbox"))
        .arg(&img)
        .args(["--until-text", "A:\\>", "--timeout", "60"])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("SDL_VIDEODRIVER", "x11")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no display available") && stderr.contains("running headless"),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("A:\\>"));
}
