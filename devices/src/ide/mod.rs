//! IDE (ATA/ATAPI) channel: command block registers at 0x1F0-0x1F7 / 0x170-0x177 and the
//! control block register at 0x3F6 / 0x376, with a master and a slave device.
//!
//! This file owns the channel: register routing (writes reach both devices' task files, reads
//! come from the selected device; status of an absent slave reads 0, an empty channel reads all
//! ones), the device control register (nIEN, SRST soft reset leaving signatures), EXECUTE DEVICE
//! DIAGNOSTIC, 16- and 32-bit data port transfers and the INTRQ output
//! ([`IdeChannel::irq_line`]; IRQ 14 for the primary, 15 for the secondary channel). ATA disk
//! commands are in `ata.rs`, the ATAPI CD-ROM in `atapi.rs`, IDENTIFY data in `identify.rs`.

mod ata;
mod atapi;
mod device;
mod identify;
mod mmc;

pub use identify::{ATAPI_MODEL, ATA_MODEL};

use ata::AtaDisk;
use atapi::AtapiCdrom;

use rawbox_cpu::Width;

use crate::disk_image::{DiskImage, MediaKind};
use device::{Device, DeviceKind, DEV_SELECT, ST_BSY};

const CONTROL_NIEN: u8 = 0x02;
const CONTROL_SRST: u8 = 0x04;

/// Which of the two legacy channels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelId {
    /// 0x1F0-0x1F7, 0x3F6, IRQ 14.
    Primary,
    /// 0x170-0x177, 0x376, IRQ 15.
    Secondary,
}

/// A drive to attach to a channel.
pub enum IdeDrive {
    HardDisk(DiskImage),
    /// A CD-ROM drive, possibly empty.
    CdRom(Option<DiskImage>),
}

/// Why a drive or disc was not accepted.
#[derive(Debug)]
pub enum IdeAttachError {
    /// Slot is not 0 (master) or 1 (slave).
    BadSlot(usize),
    /// The image is of the wrong kind for the drive (e.g. an ISO as a hard disk).
    WrongMediaKind {
        expected: MediaKind,
        found: MediaKind,
    },
    /// The slot has no CD-ROM drive to take the disc.
    NotACdRom(usize),
}

impl std::fmt::Display for IdeAttachError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IdeAttachError::BadSlot(s) => write!(f, "IDE slot {s} does not exist (0 or 1)"),
            IdeAttachError::WrongMediaKind { expected, found } => {
                write!(f, "expected a {expected:?} image, got a {found:?} image")
            }
            IdeAttachError::NotACdRom(s) => write!(f, "IDE slot {s} holds no CD-ROM drive"),
        }
    }
}

impl std::error::Error for IdeAttachError {}

/// One IDE channel with up to two devices.
pub struct IdeChannel {
    id: ChannelId,
    devices: [Option<Device>; 2],
    selected: usize,
    control: u8,
}

impl IdeChannel {
    /// An empty channel; add drives with [`IdeChannel::attach`].
    pub fn new(id: ChannelId) -> IdeChannel {
        IdeChannel {
            id,
            devices: [None, None],
            selected: 0,
            control: 0,
        }
    }

    /// Inclusive port ranges claimed.
    pub fn ports(&self) -> &'static [(u16, u16)] {
        match self.id {
            ChannelId::Primary => &[(0x1F0, 0x1F7), (0x3F6, 0x3F6)],
            ChannelId::Secondary => &[(0x170, 0x177), (0x376, 0x376)],
        }
    }

    /// ISA interrupt line of the channel.
    pub fn irq(&self) -> u8 {
        match self.id {
            ChannelId::Primary => 14,
            ChannelId::Secondary => 15,
        }
    }

    fn command_base(&self) -> u16 {
        match self.id {
            ChannelId::Primary => 0x1F0,
            ChannelId::Secondary => 0x170,
        }
    }

    fn control_port(&self) -> u16 {
        self.command_base() + 0x206
    }

    /// Attaches a drive as master (slot 0) or slave (slot 1), replacing what was there.
    pub fn attach(&mut self, slot: usize, drive: IdeDrive) -> Result<(), IdeAttachError> {
        if slot > 1 {
            return Err(IdeAttachError::BadSlot(slot));
        }
        let kind = match drive {
            IdeDrive::HardDisk(image) => {
                if image.kind() != MediaKind::HardDisk {
                    return Err(IdeAttachError::WrongMediaKind {
                        expected: MediaKind::HardDisk,
                        found: image.kind(),
                    });
                }
                DeviceKind::Ata(AtaDisk::new(image))
            }
            IdeDrive::CdRom(media) => {
                if let Some(found) = media
                    .as_ref()
                    .map(|m| m.kind())
                    .filter(|k| *k != MediaKind::CdRom)
                {
                    return Err(IdeAttachError::WrongMediaKind {
                        expected: MediaKind::CdRom,
                        found,
                    });
                }
                DeviceKind::Atapi(AtapiCdrom::new(media))
            }
        };
        self.devices[slot] = Some(Device::new(kind));
        Ok(())
    }

    /// Puts a disc in the CD-ROM drive of `slot`, returning the disc it replaced.
    pub fn insert_media(
        &mut self,
        slot: usize,
        image: DiskImage,
    ) -> Result<Option<DiskImage>, IdeAttachError> {
        if image.kind() != MediaKind::CdRom {
            return Err(IdeAttachError::WrongMediaKind {
                expected: MediaKind::CdRom,
                found: image.kind(),
            });
        }
        match self
            .devices
            .get_mut(slot)
            .and_then(|d| d.as_mut())
            .map(|d| &mut d.kind)
        {
            Some(DeviceKind::Atapi(cd)) => Ok(cd.insert(image)),
            _ => Err(IdeAttachError::NotACdRom(slot)),
        }
    }

    /// Removes the disc of the CD-ROM drive in `slot`.
    pub fn eject_media(&mut self, slot: usize) -> Option<DiskImage> {
        match self.devices.get_mut(slot)?.as_mut().map(|d| &mut d.kind) {
            Some(DeviceKind::Atapi(cd)) => cd.eject(),
            _ => None,
        }
    }

    /// The image of the hard disk or CD in `slot` (for the BIOS's direct INT 13h access).
    pub fn disk_mut(&mut self, slot: usize) -> Option<&mut DiskImage> {
        match &mut self.devices.get_mut(slot)?.as_mut()?.kind {
            DeviceKind::Ata(disk) => Some(&mut disk.image),
            DeviceKind::Atapi(cd) => cd.media.as_mut(),
        }
    }

    /// Level of the channel's interrupt output: the selected device's INTRQ unless nIEN.
    pub fn irq_line(&self) -> bool {
        self.control & CONTROL_NIEN == 0
            && self.devices[self.selected]
                .as_ref()
                .is_some_and(|d| d.intrq)
    }

    fn has_devices(&self) -> bool {
        self.devices.iter().any(Option::is_some)
    }

    /// Reads a port.
    pub fn port_read(&mut self, port: u16, width: Width, _now_ns: u64) -> u32 {
        let ones = match width {
            Width::Byte => 0xFF,
            Width::Word => 0xFFFF,
            Width::Dword => 0xFFFF_FFFF,
        };
        if !self.has_devices() {
            return ones;
        }
        let base = self.command_base();
        if port == base {
            return self.read_data(width);
        }
        if port == self.control_port() {
            return u32::from(self.status(false));
        }
        match port.wrapping_sub(base) {
            7 => u32::from(self.status(true)),
            offset @ 1..=6 => u32::from(self.register(offset as u8)),
            _ => ones,
        }
    }

    /// Reads a register without side effects (status does not acknowledge INTRQ; data reads
    /// as 0xFF).
    pub fn peek(&self, port: u16) -> u8 {
        if !self.has_devices() {
            return 0xFF;
        }
        let base = self.command_base();
        if port == self.control_port() || port == base + 7 {
            return self.status_value();
        }
        match port.wrapping_sub(base) {
            offset @ 1..=6 => self.register(offset as u8),
            _ => 0xFF,
        }
    }

    /// The device answering register reads: the selected one, or the master for an absent
    /// slave.
    fn responding(&self) -> Option<&Device> {
        self.devices[self.selected]
            .as_ref()
            .or(self.devices[0].as_ref())
    }

    fn status_value(&self) -> u8 {
        if self.control & CONTROL_SRST != 0 {
            return ST_BSY;
        }
        self.devices[self.selected].as_ref().map_or(0, |d| d.status)
    }

    fn status(&mut self, acknowledge: bool) -> u8 {
        let value = self.status_value();
        if acknowledge {
            if let Some(d) = self.devices[self.selected].as_mut() {
                d.intrq = false;
            }
        }
        value
    }

    fn register(&self, offset: u8) -> u8 {
        let Some(d) = self.responding() else {
            return 0xFF;
        };
        match offset {
            1 => d.error,
            2 => d.tf.sector_count,
            3 => d.tf.lba_low,
            4 => d.tf.lba_mid,
            5 => d.tf.lba_high,
            6 => d.tf.device,
            _ => 0xFF,
        }
    }

    fn read_data(&mut self, width: Width) -> u32 {
        let n = if width == Width::Dword { 4 } else { 2 };
        let Some(dev) = self.devices[self.selected].as_mut() else {
            return 0xFFFF_FFFF >> (32 - 8 * width.bytes());
        };
        let mut bytes = [0u8; 4];
        if dev.read_data(&mut bytes[..n]) {
            Self::block_done(dev);
        }
        let value = u32::from_le_bytes(bytes);
        match width {
            Width::Byte => value & 0xFF,
            Width::Word => value & 0xFFFF,
            Width::Dword => value,
        }
    }

    fn block_done(dev: &mut Device) {
        if dev.is_atapi() {
            dev.atapi_block_done();
        } else {
            dev.ata_block_done();
        }
    }

    /// Writes a port.
    pub fn port_write(&mut self, port: u16, width: Width, value: u32, _now_ns: u64) {
        if port == self.control_port() {
            self.write_control(value as u8);
            return;
        }
        let base = self.command_base();
        if self.control & CONTROL_SRST != 0 {
            return;
        }
        match port.wrapping_sub(base) {
            0 => self.write_data(width, value),
            7 => self.write_command(value as u8),
            offset @ 1..=6 => {
                let v = value as u8;
                if offset == 6 {
                    self.selected = usize::from(v & DEV_SELECT != 0);
                }
                for dev in self.devices.iter_mut().flatten() {
                    let tf = &mut dev.tf;
                    match offset {
                        1 => tf.features = v,
                        2 => tf.sector_count = v,
                        3 => tf.lba_low = v,
                        4 => tf.lba_mid = v,
                        5 => tf.lba_high = v,
                        _ => tf.device = v,
                    }
                }
            }
            _ => {}
        }
    }

    fn write_data(&mut self, width: Width, value: u32) {
        let n = if width == Width::Dword { 4 } else { 2 };
        let Some(dev) = self.devices[self.selected].as_mut() else {
            return;
        };
        let bytes = value.to_le_bytes();
        if dev.write_data(&bytes[..n]) {
            Self::block_done(dev);
        }
    }

    fn write_control(&mut self, value: u8) {
        let old = self.control;
        self.control = value;
        if value & CONTROL_SRST != 0 && old & CONTROL_SRST == 0 {
            for dev in self.devices.iter_mut().flatten() {
                dev.intrq = false;
                dev.end_data_phase();
            }
        } else if value & CONTROL_SRST == 0 && old & CONTROL_SRST != 0 {
            log::debug!("ide {:?}: soft reset", self.id);
            self.selected = 0;
            for dev in self.devices.iter_mut().flatten() {
                dev.tf.device = 0;
                dev.reset_to_signature();
                dev.intrq = false;
            }
        }
    }

    fn write_command(&mut self, command: u8) {
        if command == 0x90 {
            self.execute_diagnostic();
            return;
        }
        let Some(dev) = self.devices[self.selected].as_mut() else {
            log::debug!("ide: command {command:#04x} to an absent device");
            return;
        };
        dev.intrq = false;
        if dev.is_atapi() {
            dev.execute_atapi_command(command);
        } else {
            dev.execute_ata(command);
        }
    }

    /// EXECUTE DEVICE DIAGNOSTIC: both devices run it; device 0 reports and interrupts.
    fn execute_diagnostic(&mut self) {
        self.selected = 0;
        for dev in self.devices.iter_mut().flatten() {
            dev.tf.device = 0;
            dev.reset_to_signature();
            dev.intrq = false;
        }
        if let Some(master) = self.devices[0].as_mut() {
            master.intrq = true;
        } else if let Some(slave) = self.devices[1].as_mut() {
            slave.intrq = true;
        }
    }
}

#[cfg(test)]
mod test_rig;
#[cfg(test)]
mod tests_ata;
#[cfg(test)]
mod tests_atapi;
