//! Command-line options of the `rawbox` binary (clap) and their translation into a
//! `MachineConfig`.

use clap::Parser;
use rawbox_vmm::{BootDevice, Firmware, MachineConfig};
use std::path::PathBuf;

/// rawbox: a PC emulator for DOS and legacy operating systems.
///
/// Run a disk image: `rawbox freedos.img` (the kind of drive is guessed from the file), or
/// name the drives with --fda/--hda/--cdrom. With no arguments rawbox boots a built-in demo.
#[derive(Parser, Debug, Clone)]
#[command(
    name = "rawbox",
    version,
    about,
    long_about = None,
    after_help = "\
Examples:
  rawbox freedos.img                 boot a floppy image (a file up to 2.88 MB)
  rawbox dos622.img                  boot a hard disk image (anything bigger)
  rawbox --fda games.img --hda c.img --boot c
                                     a hard disk C: and a floppy in A:, boot from C:
  rawbox win95.iso --hda c.img       install from a CD-ROM onto a hard disk image
  rawbox --cpu 80286 --memory 1 old.img
                                     an AT with 1 MB of memory

In the window, click to capture the mouse. The host key (Right Ctrl) alone releases it;
with another key it is a shortcut: F fullscreen, P pause, R reset, S screenshot,
Del send Ctrl+Alt+Del, G change scaling, Q quit.
Disk images are written only when the guest writes to its disks."
)]
pub struct Cli {
    /// A disk image to boot: a floppy (up to 2.88 MB), a hard disk, or a CD-ROM (.iso).
    pub image: Option<PathBuf>,
    /// Floppy drive A: image.
    #[arg(long, value_name = "IMG")]
    pub fda: Option<PathBuf>,
    /// Floppy drive B: image.
    #[arg(long, value_name = "IMG")]
    pub fdb: Option<PathBuf>,
    /// First hard disk (C:) image.
    #[arg(long, value_name = "IMG")]
    pub hda: Option<PathBuf>,
    /// Second hard disk (D:) image.
    #[arg(long, value_name = "IMG")]
    pub hdb: Option<PathBuf>,
    /// CD-ROM image (ISO 9660).
    #[arg(long, value_name = "ISO")]
    pub cdrom: Option<PathBuf>,
    /// Boot from floppy (a), hard disk (c) or CD-ROM (d) first.
    #[arg(long, value_name = "a|c|d", value_parser = ["a", "c", "d"])]
    pub boot: Option<String>,
    /// Guest memory in MB (1-2048).
    #[arg(long, value_name = "MB", default_value_t = 64)]
    pub memory: u32,
    /// CPU model: 8086, 80286, 80386, 80486, pentium, pentium2.
    #[arg(long, value_name = "MODEL", default_value = "pentium")]
    pub cpu: String,
    /// Use an external system BIOS image instead of rawbox's own.
    #[arg(long, value_name = "FILE")]
    pub bios: Option<PathBuf>,
    /// VGA BIOS image for C000:0000 (with --bios).
    #[arg(long, value_name = "FILE")]
    pub vga_bios: Option<PathBuf>,
    /// No window: print the guest's text screen in the terminal when it changes.
    #[arg(long)]
    pub headless: bool,
    /// With --headless: print the screen only when rawbox stops.
    #[arg(long)]
    pub quiet: bool,
    /// Where COM1 output goes: `stdio` or `file:PATH` (default: discarded).
    #[arg(long, value_name = "stdio|file:PATH")]
    pub serial: Option<String>,
    /// With --headless: write what the guest sends to the debug console (ports 0xE9 and 0x402)
    /// to FILE.
    #[arg(long, value_name = "FILE")]
    pub debug_console: Option<PathBuf>,
    /// Keys to type once the guest waits for input: `\r` Enter, `\e` Esc, `{F1}`, `{UP}`,
    /// `{CTRL+C}`...
    #[arg(long, value_name = "TEXT")]
    pub keys: Option<String>,
    /// Stop (exit code 0) when this text appears on the screen.
    #[arg(long, value_name = "STR")]
    pub until_text: Option<String>,
    /// Stop (exit code 0) when this text appears on COM1.
    #[arg(long, value_name = "STR")]
    pub until_serial: Option<String>,
    /// Stop after this many seconds (exit code 2 if an --until-* was not met).
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
    /// Write the final text screen to FILE (UTF-8).
    #[arg(long, value_name = "FILE")]
    pub screen_dump: Option<PathBuf>,
    /// Save a PNG of the guest screen SECONDS after power-on (guest time).
    #[arg(long, num_args = 2, value_names = ["SECONDS", "FILE"])]
    pub screenshot_after: Option<Vec<String>>,
    /// Where the screenshot shortcut saves its PNGs (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub screenshot_dir: Option<PathBuf>,
    /// No sound from the PC speaker.
    #[arg(long)]
    pub mute: bool,
    /// Start in fullscreen (host key + F toggles).
    #[arg(long)]
    pub fullscreen: bool,
    /// How the picture fills the window (always 4:3): sharp pixels, smooth (filtered), or
    /// integer (whole-number factors only).
    #[arg(long, value_name = "sharp|smooth|integer", default_value = "sharp",
          value_parser = ["sharp", "smooth", "integer"])]
    pub scale: String,
    /// Slow the guest CPU to about N million instructions per second (for old games that
    /// run too fast); by default it runs as fast as the host allows, with its clock on time.
    #[arg(long, value_name = "N")]
    pub mips: Option<f64>,
    /// The key for emulator shortcuts: rctrl, lctrl, ralt, rwin, lwin, menu, scrolllock.
    #[arg(long, value_name = "KEY", default_value = "rctrl")]
    pub host_key: String,
    #[command(flatten)]
    pub debug: crate::debug_args::DebugArgs,
    #[command(flatten)]
    pub engine: crate::engine_args::EngineArgs,
}

/// What kind of drive an image given without a flag goes into.
fn guess_drive(path: &std::path::Path) -> &'static str {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if ext == "iso" {
        return "cdrom";
    }
    match std::fs::metadata(path).map(|m| m.len()) {
        Ok(n) if n <= 2_949_120 => "floppy",
        Ok(_) => "hdd",
        Err(_) => "floppy",
    }
}

impl Cli {
    /// Builds the machine configuration (files are checked later, by `Machine::new`).
    pub fn machine_config(&self) -> Result<MachineConfig, String> {
        let cpu = self.cpu.parse().map_err(|e| format!("{e}"))?;
        let mut c = MachineConfig {
            memory_mb: self.memory,
            cpu,
            fda: self.fda.clone(),
            fdb: self.fdb.clone(),
            hda: self.hda.clone(),
            hdb: self.hdb.clone(),
            cdrom: self.cdrom.clone(),
            boot: self.boot.as_deref().and_then(BootDevice::parse),
            ..MachineConfig::default()
        };
        self.engine.apply(&mut c);
        if let Some(img) = &self.image {
            match guess_drive(img) {
                "cdrom" => {
                    c.cdrom = Some(img.clone());
                    c.boot = c.boot.or(Some(BootDevice::CdRom));
                }
                "hdd" => {
                    c.hda = Some(img.clone());
                    c.boot = c.boot.or(Some(BootDevice::HardDisk));
                }
                _ => c.fda = Some(img.clone()),
            }
        }
        if let Some(b) = &self.bios {
            c.firmware = Firmware::External {
                bios: b.clone(),
                vga_bios: self.vga_bios.clone(),
            };
        } else if let Some(v) = &self.vga_bios {
            return Err(format!("{}: --vga-bios needs --bios", v.display()));
        }
        let no_media = c.fda.is_none()
            && c.fdb.is_none()
            && c.hda.is_none()
            && c.hdb.is_none()
            && c.cdrom.is_none();
        c.demo = no_media && matches!(c.firmware, Firmware::Builtin);
        Ok(c)
    }
}
