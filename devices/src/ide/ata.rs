//! ATA hard disk commands: READ/WRITE SECTORS, READ/WRITE MULTIPLE, SET MULTIPLE MODE, READ
//! VERIFY, INITIALIZE DEVICE PARAMETERS, SEEK, RECALIBRATE, SET FEATURES, IDENTIFY DEVICE, FLUSH
//! CACHE and the power-management no-ops, with CHS (current translation) and LBA28 addressing.
//! Unsupported commands end with ABRT; sectors outside the disk with IDNF.

use super::device::{Device, DeviceKind, DEV_LBA, ERR_ABRT, ERR_IDNF, ERR_UNC, ST_DRDY, ST_DSC};
use super::identify;
use crate::disk_image::{DiskImage, Geometry, SECTOR_SIZE};

/// Largest READ/WRITE MULTIPLE block, in sectors.
pub(super) const MAX_MULTIPLE: u8 = 16;
/// Sectors addressable with LBA28.
const LBA28_LIMIT: u64 = 0x0FFF_FFFF;

/// A command in its data phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AtaOp {
    None,
    /// `next_lba`: first sector not yet loaded; `remaining`: sectors not yet loaded.
    Read {
        next_lba: u64,
        remaining: u32,
        block: u32,
    },
    /// `next_lba`: sector the current DRQ block goes to; `remaining` includes that block.
    Write {
        next_lba: u64,
        remaining: u32,
        block: u32,
    },
    Identify,
}

/// An ATA hard disk backed by a disk image.
pub struct AtaDisk {
    pub(super) image: DiskImage,
    /// Geometry reported as the default in IDENTIFY (words 1, 3, 6).
    pub(super) default_geometry: Geometry,
    /// Current CHS translation (INITIALIZE DEVICE PARAMETERS).
    pub(super) current_geometry: Geometry,
    /// Sectors per READ/WRITE MULTIPLE block; 0 = multiple mode disabled.
    pub(super) multiple: u8,
    op: AtaOp,
}

impl AtaDisk {
    pub(super) fn new(image: DiskImage) -> AtaDisk {
        let default_geometry = ata_default_geometry(&image);
        AtaDisk {
            image,
            default_geometry,
            current_geometry: default_geometry,
            multiple: 0,
            op: AtaOp::None,
        }
    }

    /// Sectors reachable with LBA28.
    pub(super) fn lba_capacity(&self) -> u64 {
        self.image.sector_count().min(LBA28_LIMIT)
    }

    pub(super) fn abandon_command(&mut self) {
        self.op = AtaOp::None;
    }
}

/// Default CHS: the image's geometry when it fits ATA's 16 heads, else 16 heads and 63 sectors;
/// cylinders capped at 16383.
fn ata_default_geometry(image: &DiskImage) -> Geometry {
    let g = image.geometry();
    let (heads, spt) = if g.heads <= 16 && g.sectors_per_track <= 63 && g.sectors_per_track > 0 {
        (g.heads, g.sectors_per_track)
    } else {
        (16, 63)
    };
    let cylinders = (image.sector_count() / u64::from(heads * spt)).clamp(1, 16383);
    Geometry {
        cylinders: cylinders as u32,
        heads,
        sectors_per_track: spt,
    }
}

impl Device {
    fn disk(&mut self) -> Option<&mut AtaDisk> {
        match &mut self.kind {
            DeviceKind::Ata(d) => Some(d),
            DeviceKind::Atapi(_) => None,
        }
    }

    /// The sector addressed by the task file (LBA28 or CHS through the current translation).
    fn addressed_lba(&mut self) -> Option<u64> {
        let tf = self.tf;
        let disk = self.disk()?;
        if tf.device & DEV_LBA != 0 {
            Some(
                u64::from(tf.device & 0x0F) << 24
                    | u64::from(tf.lba_high) << 16
                    | u64::from(tf.lba_mid) << 8
                    | u64::from(tf.lba_low),
            )
        } else {
            let cylinder = u32::from(tf.lba_high) << 8 | u32::from(tf.lba_mid);
            disk.current_geometry.chs_to_lba(
                cylinder,
                u32::from(tf.device & 0x0F),
                u32::from(tf.lba_low),
            )
        }
    }

    /// Writes `lba` back to the address registers in the addressing mode of the command.
    fn set_address(&mut self, lba: u64) {
        let lba_mode = self.tf.device & DEV_LBA != 0;
        let Some(disk) = self.disk() else { return };
        let chs = disk.current_geometry.lba_to_chs(lba);
        let tf = &mut self.tf;
        if lba_mode {
            tf.lba_low = lba as u8;
            tf.lba_mid = (lba >> 8) as u8;
            tf.lba_high = (lba >> 16) as u8;
            tf.device = (tf.device & 0xF0) | ((lba >> 24) as u8 & 0x0F);
        } else if let Some((c, h, s)) = chs {
            tf.lba_low = s as u8;
            tf.lba_mid = c as u8;
            tf.lba_high = (c >> 8) as u8;
            tf.device = (tf.device & 0xF0) | (h as u8 & 0x0F);
        }
    }

    fn sector_count_arg(&self) -> u32 {
        match self.tf.sector_count {
            0 => 256,
            n => u32::from(n),
        }
    }

    /// Whether `count` sectors from `lba` lie on the disk; on failure the registers point at
    /// the first missing sector.
    fn in_range(&mut self, lba: u64, count: u32) -> bool {
        let capacity = self.disk().map_or(0, |d| d.lba_capacity());
        if lba.saturating_add(u64::from(count)) <= capacity {
            return true;
        }
        self.set_address(lba.max(capacity));
        false
    }

    /// Runs an ATA command on a hard disk.
    pub(super) fn execute_ata(&mut self, command: u8) {
        let Some(disk) = self.disk() else { return };
        disk.op = AtaOp::None;
        self.end_data_phase();
        self.error = 0;
        match command {
            0x20 | 0x21 => self.start_read(1),
            0x30 | 0x31 => self.start_write(1),
            0xC4 | 0xC5 => {
                let multiple = self.disk().map_or(0, |d| d.multiple);
                if multiple == 0 {
                    self.fail(ERR_ABRT);
                } else if command == 0xC4 {
                    self.start_read(u32::from(multiple));
                } else {
                    self.start_write(u32::from(multiple));
                }
            }
            0xC6 => {
                let n = self.tf.sector_count;
                if n <= MAX_MULTIPLE && n.is_power_of_two() || n == 0 {
                    if let Some(d) = self.disk() {
                        d.multiple = n;
                    }
                    self.complete(true);
                } else {
                    self.fail(ERR_ABRT);
                }
            }
            0x40 | 0x41 => self.read_verify(),
            0x91 => self.initialize_device_parameters(),
            0x70..=0x7F => match self.addressed_lba() {
                Some(lba) if self.in_range(lba, 1) => self.complete(true),
                _ => self.fail(ERR_IDNF),
            },
            0x10..=0x1F => {
                if self.tf.device & DEV_LBA != 0 {
                    self.set_address(0);
                } else {
                    self.tf.lba_mid = 0;
                    self.tf.lba_high = 0;
                }
                self.complete(true);
            }
            0xEC => {
                let Some(d) = self.disk() else { return };
                let block = identify::ata_identify(d);
                d.op = AtaOp::Identify;
                self.start_data_in(block.to_vec());
                self.status |= ST_DRDY | ST_DSC;
                self.intrq = true;
            }
            0xEF => self.set_features(),
            0xE7 => {
                let result = self.disk().map(|d| d.image.flush());
                match result {
                    Some(Err(e)) => {
                        log::warn!("ide: flush failed: {e}");
                        self.fail(ERR_ABRT);
                    }
                    _ => self.complete(true),
                }
            }
            // STANDBY IMMEDIATE, IDLE IMMEDIATE, STANDBY, IDLE, SLEEP (and the old opcodes).
            0xE0..=0xE3 | 0xE6 | 0x94..=0x97 | 0x99 => self.complete(true),
            // CHECK POWER MODE: always active.
            0xE5 | 0x98 => {
                self.complete(true);
                self.tf.sector_count = 0xFF;
            }
            _ => {
                log::debug!("ide: unsupported ATA command {command:#04x}");
                self.fail(ERR_ABRT);
            }
        }
    }

    fn start_read(&mut self, block: u32) {
        let count = self.sector_count_arg();
        match self.addressed_lba() {
            Some(lba) => {
                if let Some(d) = self.disk() {
                    d.op = AtaOp::Read {
                        next_lba: lba,
                        remaining: count,
                        block,
                    };
                }
                self.load_read_block();
            }
            None => self.fail(ERR_IDNF),
        }
    }

    /// Loads the next block of a read into the buffer and raises DRQ and INTRQ.
    fn load_read_block(&mut self) {
        let Some(d) = self.disk() else { return };
        let AtaOp::Read {
            next_lba,
            remaining,
            block,
        } = d.op
        else {
            return;
        };
        let n = block.min(remaining).max(1);
        if !self.in_range(next_lba, n) {
            self.fail(ERR_IDNF);
            return;
        }
        let mut data = vec![0u8; n as usize * SECTOR_SIZE];
        let Some(d) = self.disk() else { return };
        if let Err(e) = d.image.read_sectors(next_lba, &mut data) {
            log::warn!("ide: read of sector {next_lba} failed: {e}");
            d.op = AtaOp::None;
            self.set_address(next_lba);
            self.fail(ERR_UNC);
            return;
        }
        d.op = AtaOp::Read {
            next_lba: next_lba + u64::from(n),
            remaining: remaining - n,
            block,
        };
        self.set_address(next_lba + u64::from(n) - 1);
        self.tf.sector_count = (remaining - n) as u8;
        self.start_data_in(data);
        self.status |= ST_DRDY | ST_DSC;
        self.intrq = true;
    }

    fn start_write(&mut self, block: u32) {
        let count = self.sector_count_arg();
        match self.addressed_lba() {
            Some(lba) if self.in_range(lba, 1) => {
                if let Some(d) = self.disk() {
                    d.op = AtaOp::Write {
                        next_lba: lba,
                        remaining: count,
                        block,
                    };
                }
                let n = block.min(count);
                self.start_data_out(n as usize * SECTOR_SIZE);
                self.status |= ST_DRDY | ST_DSC;
            }
            _ => self.fail(ERR_IDNF),
        }
    }

    fn read_verify(&mut self) {
        let count = self.sector_count_arg();
        match self.addressed_lba() {
            Some(lba) if self.in_range(lba, count) => {
                self.set_address(lba + u64::from(count) - 1);
                self.tf.sector_count = 0;
                self.complete(true);
            }
            _ => self.fail(ERR_IDNF),
        }
    }

    fn initialize_device_parameters(&mut self) {
        let spt = u32::from(self.tf.sector_count);
        let heads = u32::from(self.tf.device & 0x0F) + 1;
        let Some(d) = self.disk() else { return };
        if spt == 0 || spt > 255 {
            self.fail(ERR_ABRT);
            return;
        }
        let cylinders = (d.image.sector_count() / u64::from(heads * spt)).min(65535) as u32;
        d.current_geometry = Geometry {
            cylinders,
            heads,
            sectors_per_track: spt,
        };
        self.complete(true);
    }

    fn set_features(&mut self) {
        let ok = match self.tf.features {
            // Set transfer mode: PIO default or PIO flow-control modes 0-4 only.
            0x03 => matches!(self.tf.sector_count, 0x00 | 0x01 | 0x08..=0x0C),
            // Write cache, read look-ahead, reverting to defaults on/off: accepted, no effect.
            0x02 | 0x82 | 0xAA | 0x55 | 0x66 | 0xCC => true,
            _ => false,
        };
        if ok {
            self.complete(true);
        } else {
            self.fail(ERR_ABRT);
        }
    }

    /// The host has moved the whole DRQ block of an ATA command.
    pub(super) fn ata_block_done(&mut self) {
        let Some(d) = self.disk() else { return };
        match d.op {
            AtaOp::None => self.end_data_phase(),
            AtaOp::Identify => {
                d.op = AtaOp::None;
                self.complete(false);
            }
            AtaOp::Read { remaining, .. } => {
                if remaining == 0 {
                    d.op = AtaOp::None;
                    self.complete(false);
                } else {
                    self.load_read_block();
                }
            }
            AtaOp::Write {
                next_lba,
                remaining,
                block,
            } => {
                let n = block.min(remaining);
                if !self.in_range(next_lba, n) {
                    self.fail(ERR_IDNF);
                    return;
                }
                let data = std::mem::take(&mut self.buffer);
                let Some(d) = self.disk() else { return };
                let result = d.image.write_sectors(next_lba, &data);
                if let Err(e) = result {
                    log::warn!("ide: write of sector {next_lba} failed: {e}");
                    d.op = AtaOp::None;
                    self.set_address(next_lba);
                    self.fail(ERR_ABRT);
                    return;
                }
                let left = remaining - n;
                d.op = AtaOp::Write {
                    next_lba: next_lba + u64::from(n),
                    remaining: left,
                    block,
                };
                self.set_address(next_lba + u64::from(n) - 1);
                self.tf.sector_count = left as u8;
                if left == 0 {
                    if let Some(d) = self.disk() {
                        d.op = AtaOp::None;
                    }
                    self.complete(true);
                } else if self.in_range(next_lba + u64::from(n), 1) {
                    self.start_data_out(block.min(left) as usize * SECTOR_SIZE);
                    self.status |= ST_DRDY | ST_DSC;
                    self.intrq = true;
                } else {
                    self.fail(ERR_IDNF);
                }
            }
        }
    }
}
