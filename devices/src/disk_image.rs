//! Disk images: the bytes of a floppy, hard disk or CD-ROM, backed by a host file (or by memory
//! for tests). Owns size validation (typed errors naming the file), geometry detection
//! (floppy formats from the size, hard disks from the MBR or a 16-head/63-sector translation)
//! and sector-granular reads and writes. A write reaches the host file only when the guest
//! writes, and only the sectors it wrote.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Bytes in a floppy or hard disk sector.
pub const SECTOR_SIZE: usize = 512;
/// Bytes in a CD-ROM (mode 1) sector.
pub const CD_SECTOR_SIZE: usize = 2048;

/// What kind of drive an image is meant for; decides validation and geometry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaKind {
    Floppy,
    HardDisk,
    CdRom,
}

/// Cylinders/heads/sectors-per-track of a disk (sectors are numbered from 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geometry {
    pub cylinders: u32,
    pub heads: u32,
    pub sectors_per_track: u32,
}

impl Geometry {
    /// Converts a CHS address to an LBA, or `None` when it lies outside this geometry.
    pub fn chs_to_lba(&self, cylinder: u32, head: u32, sector: u32) -> Option<u64> {
        if sector == 0
            || sector > self.sectors_per_track
            || head >= self.heads
            || cylinder >= self.cylinders
        {
            return None;
        }
        Some(
            (u64::from(cylinder) * u64::from(self.heads) + u64::from(head))
                * u64::from(self.sectors_per_track)
                + u64::from(sector - 1),
        )
    }

    /// Converts an LBA to (cylinder, head, sector), or `None` when it is beyond the geometry.
    pub fn lba_to_chs(&self, lba: u64) -> Option<(u32, u32, u32)> {
        let spt = u64::from(self.sectors_per_track.max(1));
        let heads = u64::from(self.heads.max(1));
        let cylinder = lba / (spt * heads);
        if cylinder >= u64::from(self.cylinders) {
            return None;
        }
        let head = (lba / spt) % heads;
        let sector = lba % spt + 1;
        Some((cylinder as u32, head as u32, sector as u32))
    }

    /// Sectors addressable through this geometry.
    pub fn total_sectors(&self) -> u64 {
        u64::from(self.cylinders) * u64::from(self.heads) * u64::from(self.sectors_per_track)
    }
}

/// A standard PC floppy format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FloppyFormat {
    /// Human name, e.g. "1.44M".
    pub name: &'static str,
    pub geometry: Geometry,
    /// Data rates (kbit/s) a controller may use to read it: the first is the native one.
    pub data_rates_kbps: &'static [u32],
}

impl FloppyFormat {
    /// Image size in bytes.
    pub fn size_bytes(&self) -> u64 {
        self.geometry.total_sectors() * SECTOR_SIZE as u64
    }
}

const fn floppy(name: &'static str, c: u32, h: u32, s: u32, rates: &'static [u32]) -> FloppyFormat {
    FloppyFormat {
        name,
        geometry: Geometry {
            cylinders: c,
            heads: h,
            sectors_per_track: s,
        },
        data_rates_kbps: rates,
    }
}

/// Every floppy format an image may have (5.25" double density can be read at 250 or 300 kbit/s).
pub const FLOPPY_FORMATS: &[FloppyFormat] = &[
    floppy("160K", 40, 1, 8, &[250, 300]),
    floppy("180K", 40, 1, 9, &[250, 300]),
    floppy("320K", 40, 2, 8, &[250, 300]),
    floppy("360K", 40, 2, 9, &[250, 300]),
    floppy("720K", 80, 2, 9, &[250]),
    floppy("1.2M", 80, 2, 15, &[500]),
    floppy("1.44M", 80, 2, 18, &[500]),
    floppy("1.68M DMF", 80, 2, 21, &[500]),
    floppy("1.72M", 82, 2, 21, &[500]),
    floppy("2.88M", 80, 2, 36, &[1000]),
];

/// Finds the floppy format of an image of `size` bytes.
pub fn floppy_format_for_size(size: u64) -> Option<&'static FloppyFormat> {
    FLOPPY_FORMATS.iter().find(|f| f.size_bytes() == size)
}

/// Why an image could not be opened.
#[derive(Debug)]
pub enum DiskImageError {
    /// The host file could not be opened or its size read.
    Io { path: PathBuf, source: io::Error },
    /// The file has no bytes.
    Empty { path: PathBuf },
    /// The size is not a whole number of sectors.
    NotSectorMultiple {
        path: PathBuf,
        size: u64,
        sector_size: usize,
    },
    /// The size matches no known floppy format.
    UnknownFloppySize { path: PathBuf, size: u64 },
    /// The partition table describes more sectors than the file holds.
    Truncated {
        path: PathBuf,
        size: u64,
        expected: u64,
    },
    /// The image is larger than the addressing this crate supports (2^32 sectors).
    TooLarge { path: PathBuf, size: u64 },
}

impl fmt::Display for DiskImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiskImageError::Io { path, source } => {
                write!(f, "cannot open disk image {}: {source}", path.display())
            }
            DiskImageError::Empty { path } => {
                write!(f, "disk image {} is empty (0 bytes)", path.display())
            }
            DiskImageError::NotSectorMultiple {
                path,
                size,
                sector_size,
            } => write!(
                f,
                "disk image {} is {size} bytes, not a multiple of the {sector_size}-byte sector size",
                path.display()
            ),
            DiskImageError::UnknownFloppySize { path, size } => {
                let known: Vec<String> = FLOPPY_FORMATS
                    .iter()
                    .map(|fmt| format!("{} ({} bytes)", fmt.name, fmt.size_bytes()))
                    .collect();
                write!(
                    f,
                    "floppy image {} is {size} bytes, which is no known floppy format; known sizes: {}",
                    path.display(),
                    known.join(", ")
                )
            }
            DiskImageError::Truncated {
                path,
                size,
                expected,
            } => write!(
                f,
                "disk image {} is truncated: it is {size} bytes but its partition table needs {expected} bytes",
                path.display()
            ),
            DiskImageError::TooLarge { path, size } => {
                write!(f, "disk image {} is too large ({size} bytes)", path.display())
            }
        }
    }
}

impl std::error::Error for DiskImageError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DiskImageError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Why a sector read or write failed.
#[derive(Debug)]
pub enum DiskIoError {
    /// The sectors lie (partly) beyond the end of the image.
    OutOfRange { lba: u64, count: u64 },
    /// The buffer is not a whole number of sectors.
    BadLength { len: usize },
    /// The image is read-only.
    WriteProtected,
    /// The host file failed.
    Io(io::Error),
}

impl fmt::Display for DiskIoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiskIoError::OutOfRange { lba, count } => {
                write!(f, "sectors {lba}..+{count} are beyond the end of the image")
            }
            DiskIoError::BadLength { len } => {
                write!(f, "buffer of {len} bytes is not a whole number of sectors")
            }
            DiskIoError::WriteProtected => write!(f, "image is read-only"),
            DiskIoError::Io(e) => write!(f, "host I/O error: {e}"),
        }
    }
}

impl std::error::Error for DiskIoError {}

enum Backing {
    File(File),
    Memory(Vec<u8>),
}

/// An open disk image.
pub struct DiskImage {
    path: PathBuf,
    backing: Backing,
    kind: MediaKind,
    size: u64,
    read_only: bool,
    geometry: Geometry,
    floppy_format: Option<&'static FloppyFormat>,
}

impl fmt::Debug for DiskImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DiskImage")
            .field("path", &self.path)
            .field("kind", &self.kind)
            .field("size", &self.size)
            .field("read_only", &self.read_only)
            .field("geometry", &self.geometry)
            .finish()
    }
}

impl DiskImage {
    /// Opens a host file. It is opened read-write unless `read_only` is asked or the file
    /// cannot be written (then it silently becomes read-only, with a log message).
    /// CD-ROM images are always read-only.
    pub fn open(
        path: impl AsRef<Path>,
        kind: MediaKind,
        read_only: bool,
    ) -> Result<DiskImage, DiskImageError> {
        let path = path.as_ref().to_path_buf();
        let want_read_only = read_only || kind == MediaKind::CdRom;
        let io_err = |source| DiskImageError::Io {
            path: path.clone(),
            source,
        };
        let (file, read_only) = if want_read_only {
            (File::open(&path).map_err(io_err)?, true)
        } else {
            match OpenOptions::new().read(true).write(true).open(&path) {
                Ok(f) => (f, false),
                // Not writable (permissions, read-only file system...): fall back to reading.
                Err(e) if e.kind() != io::ErrorKind::NotFound => match File::open(&path) {
                    Ok(f) => {
                        log::warn!(
                            "disk image {} is not writable ({e}); opening it read-only",
                            path.display()
                        );
                        (f, true)
                    }
                    Err(_) => return Err(io_err(e)),
                },
                Err(e) => return Err(io_err(e)),
            }
        };
        let size = file.metadata().map_err(io_err)?.len();
        let mut image = DiskImage {
            path,
            backing: Backing::File(file),
            kind,
            size,
            read_only,
            geometry: Geometry {
                cylinders: 0,
                heads: 0,
                sectors_per_track: 0,
            },
            floppy_format: None,
        };
        image.validate()?;
        Ok(image)
    }

    /// Makes an image held in memory (for tests and generated media); `name` names it in errors.
    pub fn from_bytes(
        name: &str,
        kind: MediaKind,
        data: Vec<u8>,
        read_only: bool,
    ) -> Result<DiskImage, DiskImageError> {
        let mut image = DiskImage {
            path: PathBuf::from(name),
            size: data.len() as u64,
            backing: Backing::Memory(data),
            kind,
            read_only: read_only || kind == MediaKind::CdRom,
            geometry: Geometry {
                cylinders: 0,
                heads: 0,
                sectors_per_track: 0,
            },
            floppy_format: None,
        };
        image.validate()?;
        Ok(image)
    }

    fn validate(&mut self) -> Result<(), DiskImageError> {
        let path = self.path.clone();
        if self.size == 0 {
            return Err(DiskImageError::Empty { path });
        }
        let sector_size = self.sector_size();
        if !self.size.is_multiple_of(sector_size as u64) {
            return Err(DiskImageError::NotSectorMultiple {
                path,
                size: self.size,
                sector_size,
            });
        }
        if self.sector_count() > u64::from(u32::MAX) {
            return Err(DiskImageError::TooLarge {
                path,
                size: self.size,
            });
        }
        match self.kind {
            MediaKind::Floppy => {
                let format =
                    floppy_format_for_size(self.size).ok_or(DiskImageError::UnknownFloppySize {
                        path,
                        size: self.size,
                    })?;
                self.floppy_format = Some(format);
                self.geometry = format.geometry;
            }
            MediaKind::HardDisk => {
                let mut sector0 = [0u8; SECTOR_SIZE];
                self.read_raw(0, &mut sector0).map_err(|e| match e {
                    DiskIoError::Io(source) => DiskImageError::Io {
                        path: path.clone(),
                        source,
                    },
                    _ => DiskImageError::Empty { path: path.clone() },
                })?;
                let total = self.sector_count();
                if let Some(end) = mbr_end_sector(&sector0) {
                    if end > total {
                        return Err(DiskImageError::Truncated {
                            path,
                            size: self.size,
                            expected: end * SECTOR_SIZE as u64,
                        });
                    }
                }
                self.geometry = hard_disk_geometry(&sector0, total);
            }
            MediaKind::CdRom => {
                self.geometry = Geometry {
                    cylinders: self.sector_count().min(u64::from(u32::MAX)) as u32,
                    heads: 1,
                    sectors_per_track: 1,
                };
            }
        }
        Ok(())
    }

    /// The file (or name) this image came from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The kind of drive the image was opened for.
    pub fn kind(&self) -> MediaKind {
        self.kind
    }

    /// Whether writes are refused.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Image size in bytes.
    pub fn size_bytes(&self) -> u64 {
        self.size
    }

    /// Bytes per sector: 2048 for CD-ROMs, 512 otherwise.
    pub fn sector_size(&self) -> usize {
        if self.kind == MediaKind::CdRom {
            CD_SECTOR_SIZE
        } else {
            SECTOR_SIZE
        }
    }

    /// Number of sectors in the image.
    pub fn sector_count(&self) -> u64 {
        self.size / self.sector_size() as u64
    }

    /// Detected geometry (for CD-ROMs: one sector per "cylinder").
    pub fn geometry(&self) -> Geometry {
        self.geometry
    }

    /// The floppy format, for floppy images.
    pub fn floppy_format(&self) -> Option<&'static FloppyFormat> {
        self.floppy_format
    }

    /// The bytes of an in-memory image (`None` for file-backed ones).
    pub fn memory_bytes(&self) -> Option<&[u8]> {
        match &self.backing {
            Backing::Memory(v) => Some(v),
            Backing::File(_) => None,
        }
    }

    fn check_range(&self, lba: u64, len: usize) -> Result<u64, DiskIoError> {
        let sector_size = self.sector_size();
        if !len.is_multiple_of(sector_size) {
            return Err(DiskIoError::BadLength { len });
        }
        let count = (len / sector_size) as u64;
        match lba.checked_add(count) {
            Some(end) if end <= self.sector_count() => Ok(lba * sector_size as u64),
            _ => Err(DiskIoError::OutOfRange { lba, count }),
        }
    }

    /// Reads whole sectors starting at `lba` into `buf` (its length must be a multiple of the
    /// sector size).
    pub fn read_sectors(&mut self, lba: u64, buf: &mut [u8]) -> Result<(), DiskIoError> {
        let offset = self.check_range(lba, buf.len())?;
        self.read_raw(offset, buf)
    }

    fn read_raw(&mut self, offset: u64, buf: &mut [u8]) -> Result<(), DiskIoError> {
        match &mut self.backing {
            Backing::File(file) => {
                file.seek(SeekFrom::Start(offset))
                    .map_err(DiskIoError::Io)?;
                file.read_exact(buf).map_err(DiskIoError::Io)
            }
            Backing::Memory(data) => {
                let start = usize::try_from(offset).map_err(|_| DiskIoError::OutOfRange {
                    lba: offset,
                    count: 0,
                })?;
                let src = start
                    .checked_add(buf.len())
                    .and_then(|end| data.get(start..end))
                    .ok_or(DiskIoError::OutOfRange {
                        lba: offset,
                        count: 0,
                    })?;
                buf.copy_from_slice(src);
                Ok(())
            }
        }
    }

    /// Writes whole sectors starting at `lba`; the bytes go straight to the host file.
    pub fn write_sectors(&mut self, lba: u64, data: &[u8]) -> Result<(), DiskIoError> {
        if self.read_only {
            return Err(DiskIoError::WriteProtected);
        }
        let offset = self.check_range(lba, data.len())?;
        match &mut self.backing {
            Backing::File(file) => {
                file.seek(SeekFrom::Start(offset))
                    .map_err(DiskIoError::Io)?;
                file.write_all(data).map_err(DiskIoError::Io)
            }
            Backing::Memory(bytes) => {
                let start = offset as usize;
                if let Some(dst) = bytes.get_mut(start..start + data.len()) {
                    dst.copy_from_slice(data);
                }
                Ok(())
            }
        }
    }

    /// Asks the host to put written data on stable storage (FLUSH CACHE).
    pub fn flush(&mut self) -> Result<(), DiskIoError> {
        match &mut self.backing {
            Backing::File(file) if !self.read_only => file.sync_data().map_err(DiskIoError::Io),
            _ => Ok(()),
        }
    }
}

/// The partition entries of an MBR sector that are in use, if the sector has the 0x55AA mark.
/// An entry counts only when it looks like one (boot flag 0 or 0x80, a type, a start and a
/// length, an end sector number), so boot code of a partitionless volume is not mistaken for it.
fn mbr_entries(sector0: &[u8; SECTOR_SIZE]) -> impl Iterator<Item = &[u8]> {
    let valid = sector0[510] == 0x55 && sector0[511] == 0xAA;
    sector0[446..510].chunks_exact(16).filter(move |e| {
        let start = u32::from_le_bytes([e[8], e[9], e[10], e[11]]);
        let len = u32::from_le_bytes([e[12], e[13], e[14], e[15]]);
        valid
            && (e[0] == 0 || e[0] == 0x80)
            && e[4] != 0
            && start != 0
            && len != 0
            && e[6] & 0x3F != 0
    })
}

/// The first sector after the last partition of the MBR, if there is a partition table.
/// GPT protective entries (type 0xEE) are skipped: they may describe a larger disk.
fn mbr_end_sector(sector0: &[u8; SECTOR_SIZE]) -> Option<u64> {
    mbr_entries(sector0)
        .filter(|e| e[4] != 0xEE)
        .map(|e| {
            let start = u32::from_le_bytes([e[8], e[9], e[10], e[11]]);
            let len = u32::from_le_bytes([e[12], e[13], e[14], e[15]]);
            u64::from(start) + u64::from(len)
        })
        .max()
}

/// Heads and sectors per track from the CHS end values of the partition table, when they are
/// plausible; else the standard 16-head, 63-sector translation.
fn hard_disk_geometry(sector0: &[u8; SECTOR_SIZE], total_sectors: u64) -> Geometry {
    let from_mbr = mbr_entries(sector0)
        .map(|e| (u32::from(e[5]) + 1, u32::from(e[6] & 0x3F)))
        .filter(|&(_, spt)| spt > 0)
        .max_by_key(|&(heads, _)| heads);
    let (heads, spt) = from_mbr.unwrap_or((16, 63));
    let per_cylinder = u64::from(heads * spt);
    let cylinders = (total_sectors / per_cylinder).clamp(1, u64::from(u32::MAX));
    Geometry {
        cylinders: cylinders as u32,
        heads,
        sectors_per_track: spt,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    struct TempFile(PathBuf);

    impl TempFile {
        fn new(data: &[u8]) -> TempFile {
            static COUNTER: AtomicU32 = AtomicU32::new(0);
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = std::env::temp_dir().join(format!(
                "rawbox-disk-image-test-{}-{n}.img",
                std::process::id()
            ));
            std::fs::write(&path, data).unwrap();
            TempFile(path)
        }
    }

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    fn mbr_with_partition(start: u32, len: u32, end_head: u8, end_sector: u8) -> Vec<u8> {
        let mut s = vec![0u8; 512];
        let e = &mut s[446..462];
        e[0] = 0x80;
        e[4] = 0x06;
        e[5] = end_head;
        e[6] = end_sector;
        e[7] = 0xFF;
        e[8..12].copy_from_slice(&start.to_le_bytes());
        e[12..16].copy_from_slice(&len.to_le_bytes());
        s[510] = 0x55;
        s[511] = 0xAA;
        s
    }

    #[test]
    fn every_floppy_format_is_detected_with_its_geometry() {
        let table: &[(u64, &str, u32, u32, u32)] = &[
            (163_840, "160K", 40, 1, 8),
            (184_320, "180K", 40, 1, 9),
            (327_680, "320K", 40, 2, 8),
            (368_640, "360K", 40, 2, 9),
            (737_280, "720K", 80, 2, 9),
            (1_228_800, "1.2M", 80, 2, 15),
            (1_474_560, "1.44M", 80, 2, 18),
            (1_720_320, "1.68M DMF", 80, 2, 21),
            (1_763_328, "1.72M", 82, 2, 21),
            (2_949_120, "2.88M", 80, 2, 36),
        ];
        for &(size, name, c, h, s) in table {
            let img =
                DiskImage::from_bytes("f.img", MediaKind::Floppy, vec![0; size as usize], false)
                    .unwrap();
            assert_eq!(img.floppy_format().unwrap().name, name);
            assert_eq!(
                img.geometry(),
                Geometry {
                    cylinders: c,
                    heads: h,
                    sectors_per_track: s
                }
            );
            assert_eq!(img.sector_count() * 512, size);
        }
    }

    #[test]
    fn bad_sizes_give_typed_errors_naming_the_file() {
        let err = DiskImage::from_bytes("a.img", MediaKind::Floppy, vec![], false).unwrap_err();
        assert!(matches!(err, DiskImageError::Empty { .. }));
        assert!(err.to_string().contains("a.img"));

        let err =
            DiskImage::from_bytes("b.img", MediaKind::HardDisk, vec![0; 1000], false).unwrap_err();
        assert!(matches!(
            err,
            DiskImageError::NotSectorMultiple { size: 1000, .. }
        ));
        assert!(err.to_string().contains("b.img"));

        let err = DiskImage::from_bytes("c.img", MediaKind::Floppy, vec![0; 512 * 100], false)
            .unwrap_err();
        assert!(matches!(
            err,
            DiskImageError::UnknownFloppySize { size: 51200, .. }
        ));
        let msg = err.to_string();
        assert!(msg.contains("c.img") && msg.contains("1.44M"));

        let err =
            DiskImage::from_bytes("d.iso", MediaKind::CdRom, vec![0; 512 * 3], false).unwrap_err();
        assert!(matches!(
            err,
            DiskImageError::NotSectorMultiple {
                sector_size: 2048,
                ..
            }
        ));
    }

    #[test]
    fn truncated_hard_disk_is_rejected() {
        let mut data = mbr_with_partition(63, 10_000, 15, 63);
        data.resize(512 * 5000, 0);
        let err = DiskImage::from_bytes("t.img", MediaKind::HardDisk, data, false).unwrap_err();
        match err {
            DiskImageError::Truncated { expected, size, .. } => {
                assert_eq!(expected, 10_063 * 512);
                assert_eq!(size, 5000 * 512);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn hard_disk_geometry_from_mbr_or_standard_translation() {
        // 64 heads (end head 63), 32 sectors per track.
        let mut data = mbr_with_partition(32, 64 * 32 * 9, 63, 32);
        data.resize(512 * 64 * 32 * 10, 0);
        let img = DiskImage::from_bytes("m.img", MediaKind::HardDisk, data, false).unwrap();
        assert_eq!(
            img.geometry(),
            Geometry {
                cylinders: 10,
                heads: 64,
                sectors_per_track: 32
            }
        );
        // No MBR signature: 16/63 translation.
        let img = DiskImage::from_bytes(
            "n.img",
            MediaKind::HardDisk,
            vec![0; 512 * 16 * 63 * 20 + 512 * 5],
            false,
        )
        .unwrap();
        assert_eq!(
            img.geometry(),
            Geometry {
                cylinders: 20,
                heads: 16,
                sectors_per_track: 63
            }
        );
    }

    #[test]
    fn boot_code_and_gpt_protective_entries_are_not_partitions() {
        // A partitionless volume: boot signature, random-looking bytes in the table area.
        let mut data = vec![0u8; 512 * 16 * 63 * 3];
        for (i, b) in data[446..510].iter_mut().enumerate() {
            *b = (i * 37 + 11) as u8;
        }
        data[510] = 0x55;
        data[511] = 0xAA;
        let img = DiskImage::from_bytes("v.img", MediaKind::HardDisk, data, false).unwrap();
        assert_eq!(img.geometry().heads, 16);
        assert_eq!(img.geometry().sectors_per_track, 63);
        // Protective MBR claiming 2 TB on a small image is accepted.
        let mut data = mbr_with_partition(1, u32::MAX, 254, 0xFF);
        data[446 + 4] = 0xEE;
        data.resize(512 * 4096, 0);
        let img = DiskImage::from_bytes("g.img", MediaKind::HardDisk, data, false).unwrap();
        assert_eq!(img.geometry().heads, 255);
    }

    #[test]
    fn chs_lba_conversions_round_trip() {
        let g = Geometry {
            cylinders: 80,
            heads: 2,
            sectors_per_track: 18,
        };
        assert_eq!(g.chs_to_lba(0, 0, 1), Some(0));
        assert_eq!(g.chs_to_lba(0, 1, 1), Some(18));
        assert_eq!(g.chs_to_lba(1, 0, 1), Some(36));
        assert_eq!(g.chs_to_lba(79, 1, 18), Some(2879));
        assert_eq!(g.chs_to_lba(0, 0, 0), None);
        assert_eq!(g.chs_to_lba(0, 0, 19), None);
        assert_eq!(g.chs_to_lba(0, 2, 1), None);
        assert_eq!(g.chs_to_lba(80, 0, 1), None);
        for lba in [0u64, 17, 18, 35, 36, 2879] {
            let (c, h, s) = g.lba_to_chs(lba).unwrap();
            assert_eq!(g.chs_to_lba(c, h, s), Some(lba));
        }
        assert_eq!(g.lba_to_chs(2880), None);
    }

    #[test]
    fn memory_image_reads_and_writes_sectors() {
        let mut data = vec![0u8; 1_474_560];
        data[512..1024].fill(0xAB);
        let mut img = DiskImage::from_bytes("m.img", MediaKind::Floppy, data, false).unwrap();
        let mut buf = [0u8; 1024];
        img.read_sectors(0, &mut buf).unwrap();
        assert!(buf[..512].iter().all(|&b| b == 0));
        assert!(buf[512..].iter().all(|&b| b == 0xAB));
        img.write_sectors(2879, &[0x5A; 512]).unwrap();
        assert!(img.memory_bytes().unwrap()[2879 * 512..]
            .iter()
            .all(|&b| b == 0x5A));
        assert!(matches!(
            img.read_sectors(2879, &mut buf),
            Err(DiskIoError::OutOfRange { .. })
        ));
        assert!(matches!(
            img.read_sectors(u64::MAX, &mut buf),
            Err(DiskIoError::OutOfRange { .. })
        ));
        assert!(matches!(
            img.read_sectors(0, &mut [0u8; 100]),
            Err(DiskIoError::BadLength { len: 100 })
        ));
    }

    #[test]
    fn read_only_image_refuses_writes() {
        let mut img =
            DiskImage::from_bytes("r.img", MediaKind::Floppy, vec![0; 368_640], true).unwrap();
        assert!(img.is_read_only());
        assert!(matches!(
            img.write_sectors(0, &[1; 512]),
            Err(DiskIoError::WriteProtected)
        ));
        assert!(img.memory_bytes().unwrap().iter().all(|&b| b == 0));
        let cd = DiskImage::from_bytes("x.iso", MediaKind::CdRom, vec![0; 4096], false).unwrap();
        assert!(cd.is_read_only());
        assert_eq!(cd.sector_count(), 2);
    }

    #[test]
    fn file_image_writes_through_only_the_written_sectors() {
        let mut data = vec![0x11u8; 737_280];
        data[0] = 0x22;
        let tmp = TempFile::new(&data);
        let before = std::fs::metadata(&tmp.0).unwrap().modified().unwrap();
        {
            let mut img = DiskImage::open(&tmp.0, MediaKind::Floppy, false).unwrap();
            assert!(!img.is_read_only());
            let mut buf = [0u8; 512];
            img.read_sectors(0, &mut buf).unwrap();
            assert_eq!(buf[0], 0x22);
            assert_eq!(buf[1], 0x11);
        }
        // Reading alone must not modify the file.
        assert_eq!(std::fs::read(&tmp.0).unwrap(), data);
        assert_eq!(
            std::fs::metadata(&tmp.0).unwrap().modified().unwrap(),
            before
        );
        {
            let mut img = DiskImage::open(&tmp.0, MediaKind::Floppy, false).unwrap();
            img.write_sectors(3, &[0x99; 512]).unwrap();
            img.flush().unwrap();
        }
        let after = std::fs::read(&tmp.0).unwrap();
        assert_eq!(after.len(), data.len());
        assert!(after[3 * 512..4 * 512].iter().all(|&b| b == 0x99));
        assert_eq!(&after[..3 * 512], &data[..3 * 512]);
        assert_eq!(&after[4 * 512..], &data[4 * 512..]);
    }

    #[test]
    fn file_image_opened_read_only_on_request() {
        let tmp = TempFile::new(&vec![0u8; 368_640]);
        let mut img = DiskImage::open(&tmp.0, MediaKind::Floppy, true).unwrap();
        assert!(img.is_read_only());
        assert!(img.write_sectors(0, &[1; 512]).is_err());
        assert!(std::fs::read(&tmp.0).unwrap().iter().all(|&b| b == 0));
    }

    #[test]
    fn missing_file_is_an_io_error_naming_it() {
        let err =
            DiskImage::open("/nonexistent/rawbox/zzz.img", MediaKind::HardDisk, false).unwrap_err();
        assert!(matches!(err, DiskImageError::Io { .. }));
        assert!(err.to_string().contains("zzz.img"));
    }
}
