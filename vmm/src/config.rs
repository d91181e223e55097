//! Machine configuration (memory, CPU model, drives, BIOS choice) and its validation, with
//! errors that name the file and the problem.

use rawbox_cpu::CpuModel;
use rawbox_devices::disk_image::{DiskImage, DiskImageError, MediaKind};
use std::fmt;
use std::path::{Path, PathBuf};

/// A boot device for `--boot`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BootDevice {
    Floppy,
    HardDisk,
    CdRom,
}

impl BootDevice {
    pub fn parse(s: &str) -> Option<BootDevice> {
        match s {
            "a" | "A" => Some(BootDevice::Floppy),
            "c" | "C" => Some(BootDevice::HardDisk),
            "d" | "D" => Some(BootDevice::CdRom),
            _ => None,
        }
    }
}

/// Which firmware runs.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Firmware {
    /// rawbox's own BIOS.
    #[default]
    Builtin,
    /// An external system BIOS image (and optionally a VGA BIOS for C000:0000).
    External {
        bios: PathBuf,
        vga_bios: Option<PathBuf>,
    },
}

/// Which engine runs guest code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Engine {
    /// The interpreter only.
    Interp,
    /// Hot blocks are compiled to host code (x86-64 hosts).
    #[default]
    Jit,
}

/// Everything needed to build a machine.
#[derive(Clone, Debug)]
pub struct MachineConfig {
    pub memory_mb: u32,
    pub cpu: CpuModel,
    pub fda: Option<PathBuf>,
    pub fdb: Option<PathBuf>,
    pub hda: Option<PathBuf>,
    pub hdb: Option<PathBuf>,
    pub cdrom: Option<PathBuf>,
    /// First boot device; the others follow in the order floppy, hard disk, CD-ROM.
    pub boot: Option<BootDevice>,
    pub firmware: Firmware,
    /// Boot the built-in demo instead of a disk.
    pub demo: bool,
    /// The execution engine.
    pub engine: Engine,
    /// JIT: interpreted runs of a block before it is compiled (0: compile at once).
    pub jit_threshold: u32,
    /// JIT: host code cache size in MB (flushed and refilled when full).
    pub jit_cache_mb: u32,
}

impl Default for MachineConfig {
    fn default() -> Self {
        MachineConfig {
            memory_mb: 64,
            cpu: CpuModel::Pentium,
            fda: None,
            fdb: None,
            hda: None,
            hdb: None,
            cdrom: None,
            boot: None,
            firmware: Firmware::Builtin,
            demo: false,
            engine: Engine::default(),
            jit_threshold: rawbox_jit::JitConfig::default().threshold,
            jit_cache_mb: 64,
        }
    }
}

impl MachineConfig {
    /// Boot order: the chosen device first, then floppy, hard disk, CD-ROM.
    pub fn boot_order(&self) -> Vec<BootDevice> {
        let mut v = Vec::new();
        if let Some(b) = self.boot {
            v.push(b);
        }
        for b in [BootDevice::Floppy, BootDevice::HardDisk, BootDevice::CdRom] {
            if !v.contains(&b) {
                v.push(b);
            }
        }
        v
    }
}

/// A configuration problem found before the guest starts.
#[derive(Debug)]
pub enum ConfigError {
    Disk(DiskImageError),
    BadMemory(u32),
    Rom { path: PathBuf, problem: String },
    Memory(String),
    Attach(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Disk(e) => write!(f, "{e}"),
            ConfigError::BadMemory(mb) => {
                write!(f, "--memory {mb}: memory must be between 1 and 2048 MB")
            }
            ConfigError::Rom { path, problem } => write!(f, "{}: {problem}", path.display()),
            ConfigError::Memory(e) => write!(f, "guest memory: {e}"),
            ConfigError::Attach(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ConfigError {}

impl From<DiskImageError> for ConfigError {
    fn from(e: DiskImageError) -> Self {
        ConfigError::Disk(e)
    }
}

/// Opens a disk image of the given kind.
pub fn open_disk(path: &Path, kind: MediaKind) -> Result<DiskImage, ConfigError> {
    Ok(DiskImage::open(path, kind, false)?)
}

/// Reads a ROM image, checking its size is a multiple of 512 bytes, at most `max` bytes, and at
/// least `min`.
pub fn read_rom(path: &Path, min: usize, max: usize) -> Result<Vec<u8>, ConfigError> {
    let data = std::fs::read(path).map_err(|e| ConfigError::Rom {
        path: path.to_path_buf(),
        problem: e.to_string(),
    })?;
    if data.len() < min || data.len() > max || data.len() % 512 != 0 {
        return Err(ConfigError::Rom {
            path: path.to_path_buf(),
            problem: format!(
                "ROM image of {} bytes: expected a multiple of 512 bytes between {} KB and {} KB",
                data.len(),
                min / 1024,
                max / 1024
            ),
        });
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rom_sizes_are_512_byte_multiples_within_bounds() {
        let dir = std::env::temp_dir().join(format!("rawbox-rom-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = |name: &str, len: usize| {
            let p = dir.join(name);
            std::fs::write(&p, vec![0u8; len]).unwrap();
            p
        };
        // SeaVGABIOS images are 38.5 KB.
        let ok = file("ok.bin", 39424);
        assert_eq!(read_rom(&ok, 16 * 1024, 64 * 1024).unwrap().len(), 39424);
        let odd = file("odd.bin", 39425);
        assert!(matches!(
            read_rom(&odd, 16 * 1024, 64 * 1024),
            Err(ConfigError::Rom { .. })
        ));
        let big = file("big.bin", 65 * 1024);
        assert!(read_rom(&big, 16 * 1024, 64 * 1024).is_err());
        let small = file("small.bin", 15 * 1024);
        assert!(read_rom(&small, 16 * 1024, 64 * 1024).is_err());
        assert!(read_rom(&dir.join("absent.bin"), 0, 1024).is_err());
    }
}
