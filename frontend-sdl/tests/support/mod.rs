//! Shared helpers of the window tests: an Xvfb display of their own, the rawbox window on
//! it driven with xdotool (real X key events through SDL's event loop), and reading the
//! PNG screenshots back: pixels, and the text on them by matching 9x16/8x16 cells against
//! the VGA font.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn shared() -> PathBuf {
    let p = std::env::var_os("RAWBOX_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"));
    assert!(
        p.join("images").is_dir(),
        "shared test data not found at {} (set RAWBOX_SHARED)",
        p.display()
    );
    p
}

/// A scratch directory with a copy of a shared image (the originals are never written).
pub fn scratch(name: &str, tag: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("rawbox-window-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let img = dir.join(name);
    std::fs::copy(shared().join("images").join(name), &img).unwrap();
    (dir, img)
}

fn need(tool: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "{tool} is not installed: the window tests need Xvfb and xdotool \
         (scripts/test.sh installs the Debian packages xvfb and xdotool)"
    );
}

/// A private X server, killed on drop.
pub struct Xvfb {
    child: Child,
    pub display: String,
}

impl Xvfb {
    /// Starts Xvfb on a display number it picks itself (`-displayfd`), so parallel tests
    /// and stale sockets of earlier runs never collide.
    pub fn start() -> Xvfb {
        use std::io::Read;
        need("Xvfb");
        need("xdotool");
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1024x768x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb");
        let mut out = child.stdout.take().expect("Xvfb stdout");
        let mut number = String::new();
        let mut byte = [0u8; 1];
        while out.read(&mut byte).unwrap_or(0) == 1 && byte[0] != b'\n' {
            number.push(byte[0] as char);
        }
        let n: u32 = number
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("Xvfb did not report its display ({number:?})"));
        Xvfb {
            child,
            display: format!(":{n}"),
        }
    }

    /// Runs xdotool on this display; returns its stdout.
    pub fn xdotool(&self, args: &[&str]) -> String {
        let out = Command::new("xdotool")
            .args(args)
            .env("DISPLAY", &self.display)
            .output()
            .expect("run xdotool");
        assert!(
            out.status.success(),
            "xdotool {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        // SIGTERM lets Xvfb remove its socket and lock file.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

/// The rawbox window process, killed on drop.
pub struct Rawbox {
    pub child: Child,
    pub window: String,
}

impl Rawbox {
    /// Starts `rawbox ARGS` on the display and waits for its window.
    pub fn start(x: &Xvfb, args: &[&str], log: &Path) -> Rawbox {
        Rawbox::start_with(x, args, log, Stdio::null())
    }

    /// [`Rawbox::start`] with the given stdin (a pipe for the terminal debugger).
    pub fn start_with(x: &Xvfb, args: &[&str], log: &Path, stdin: Stdio) -> Rawbox {
        let child = Command::new(env!("CARGO_BIN_EXE_rawbox"))
            .args(args)
            .stdin(stdin)
            .env("DISPLAY", &x.display)
            .env("SDL_AUDIODRIVER", "dummy")
            .stdout(std::fs::File::create(log.with_extension("out")).unwrap())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .expect("start rawbox");
        let mut r = Rawbox {
            child,
            window: String::new(),
        };
        let t = Instant::now();
        loop {
            let out = Command::new("xdotool")
                .args(["search", "--pid", &r.child.id().to_string()])
                .env("DISPLAY", &x.display)
                .output()
                .expect("run xdotool");
            let ids = String::from_utf8_lossy(&out.stdout);
            if let Some(id) = ids.split_whitespace().next() {
                r.window = id.to_string();
                break;
            }
            let last_err = String::from_utf8_lossy(&out.stderr);
            if let Ok(Some(status)) = r.child.try_wait() {
                panic!(
                    "rawbox exited ({status}) before its window appeared: {}",
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            }
            assert!(
                t.elapsed() < Duration::from_secs(60),
                "no rawbox window on {} after 60 s (xdotool: {last_err}; rawbox: {})",
                x.display,
                std::fs::read_to_string(log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        // No window manager on Xvfb: give the window the input focus directly.
        x.xdotool(&["windowfocus", "--sync", &r.window]);
        r
    }
}

impl Drop for Rawbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A decoded screenshot.
pub struct Image {
    pub width: usize,
    pub height: usize,
    /// 0xRRGGBB.
    pub pixels: Vec<u32>,
}

/// Decodes the PNGs rawbox writes (8-bit RGB, no interlace; every filter type handled).
pub fn read_png(path: &Path) -> Image {
    use std::io::Read;
    let d = std::fs::read(path).unwrap();
    assert_eq!(
        &d[..8],
        b"\x89PNG\r\n\x1a\n",
        "{}: not a PNG",
        path.display()
    );
    let (mut w, mut h) = (0, 0);
    let mut idat = Vec::new();
    let mut i = 8;
    while i + 8 <= d.len() {
        let len = u32::from_be_bytes(d[i..i + 4].try_into().unwrap()) as usize;
        let kind = &d[i + 4..i + 8];
        let data = &d[i + 8..i + 8 + len];
        match kind {
            b"IHDR" => {
                w = u32::from_be_bytes(data[0..4].try_into().unwrap()) as usize;
                h = u32::from_be_bytes(data[4..8].try_into().unwrap()) as usize;
                assert_eq!(&data[8..10], &[8, 2], "8-bit RGB expected");
            }
            b"IDAT" => idat.extend_from_slice(data),
            _ => {}
        }
        i += 12 + len;
    }
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..])
        .read_to_end(&mut raw)
        .unwrap();
    let stride = w * 3;
    let mut prev = vec![0u8; stride];
    let mut pixels = Vec::with_capacity(w * h);
    for y in 0..h {
        let line = &raw[y * (stride + 1)..(y + 1) * (stride + 1)];
        let mut cur = line[1..].to_vec();
        for x in 0..stride {
            let a = if x >= 3 { cur[x - 3] as i32 } else { 0 };
            let b = prev[x] as i32;
            let c = if x >= 3 { prev[x - 3] as i32 } else { 0 };
            let add = match line[0] {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) / 2,
                _ => {
                    let p = a + b - c;
                    let (pa, pb, pc) = ((p - a).abs(), (p - b).abs(), (p - c).abs());
                    if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    }
                }
            };
            cur[x] = cur[x].wrapping_add(add as u8);
        }
        for px in cur.chunks(3) {
            pixels.push((px[0] as u32) << 16 | (px[1] as u32) << 8 | px[2] as u32);
        }
        prev = cur;
    }
    Image {
        width: w,
        height: h,
        pixels,
    }
}

/// Reads the text off a text-mode screenshot: every cell (9 or 8 pixels wide, 16 high)
/// is matched against the 8x16 VGA font, with one of the cell's two commonest colours as
/// background.
/// Cells that match no glyph read as '\u{FFFD}'.
pub fn read_text(img: &Image) -> Vec<String> {
    let font = rawbox_devices::vga::font::font_8x16();
    let cw = if img.width.is_multiple_of(9) { 9 } else { 8 };
    let (cols, rows) = (img.width / cw, img.height / 16);
    let mut lines = Vec::new();
    for r in 0..rows {
        let mut line = String::new();
        for c in 0..cols {
            let px = |x: usize, y: usize| img.pixels[(r * 16 + y) * img.width + c * cw + x];
            let mut counts: Vec<(u32, usize)> = Vec::new();
            for y in 0..16 {
                for x in 0..cw {
                    let p = px(x, y);
                    match counts.iter_mut().find(|(q, _)| *q == p) {
                        Some(e) => e.1 += 1,
                        None => counts.push((p, 1)),
                    }
                }
            }
            // Dense glyphs (M, 0, W) have more foreground than background pixels, so each
            // of the two commonest colours is tried as the background.
            counts.sort_by_key(|e| std::cmp::Reverse(e.1));
            let ch = counts
                .iter()
                .take(2)
                .find_map(|&(bg, _)| {
                    let mut cell = [0u8; 16];
                    for (y, row) in cell.iter_mut().enumerate() {
                        for x in 0..8 {
                            if px(x, y) != bg {
                                *row |= 0x80 >> x;
                            }
                        }
                    }
                    (0..256usize).find(|&g| font[g * 16..g * 16 + 16] == cell)
                })
                .map(|g| cp437(g as u8))
                .unwrap_or('\u{FFFD}');
            line.push(ch);
        }
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// The printable ASCII range of code page 437 (enough for DOS prompts and listings).
fn cp437(b: u8) -> char {
    match b {
        0 => ' ',
        0x20..=0x7E => b as char,
        _ => '\u{FFFD}',
    }
}

/// Waits until `path` exists and holds a complete PNG.
pub fn wait_for_png(path: &Path, timeout: Duration) -> Image {
    let t = Instant::now();
    loop {
        if let Ok(d) = std::fs::read(path) {
            if d.len() > 12 && d.ends_with(&[0xAE, 0x42, 0x60, 0x82]) {
                return read_png(path);
            }
        }
        assert!(
            t.elapsed() < timeout,
            "{} did not appear within {timeout:?}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
