//! INT 19h bootstrap loader (floppy, hard disk with the 55AAh signature, El Torito
//! no-emulation CD-ROM) and INT 18h "no bootable device".

use crate::host::{BiosHost, BootDevice, CDROM_DRIVE};
use crate::int10::print_str;
use crate::mem::write_phys;
use crate::regs::*;
use rawbox_cpu::SegReg;

/// Where boot sectors are loaded.
const BOOT_ADDR: u32 = 0x7C00;

/// Reads sector `lba` of `drive` (its own sector size).
fn read_sector(host: &mut dyn BiosHost, drive: u8, lba: u64) -> Option<Vec<u8>> {
    let disk = host.disk(drive)?;
    let mut buf = vec![0u8; disk.sector_size()];
    disk.read_sectors(lba, &mut buf).ok()?;
    Some(buf)
}

/// Loads the first sector of a floppy or hard disk; returns the entry (segment, offset).
fn boot_disk(host: &mut dyn BiosHost, drive: u8, need_signature: bool) -> Option<(u16, u16)> {
    let sector = read_sector(host, drive, 0)?;
    let sector = sector.get(..512)?;
    if sector.iter().all(|&b| b == sector[0]) {
        print_str(host, "Disk is not bootable (blank boot sector).\r\n");
        return None;
    }
    if need_signature && (sector[510], sector[511]) != (0x55, 0xAA) {
        print_str(host, "Disk is not bootable (no 55AA signature).\r\n");
        return None;
    }
    write_phys(host, BOOT_ADDR, sector);
    Some((0, BOOT_ADDR as u16))
}

/// Loads the El Torito no-emulation boot image; returns the entry (segment, offset).
fn boot_cd(host: &mut dyn BiosHost) -> Option<(u16, u16)> {
    let brvd = read_sector(host, CDROM_DRIVE, 17)?;
    if brvd.first() != Some(&0) || brvd.get(1..6) != Some(b"CD001") {
        return None;
    }
    if brvd.get(7..30) != Some(b"EL TORITO SPECIFICATION".as_slice()) {
        return None;
    }
    let cat_lba = u32::from_le_bytes(brvd.get(0x47..0x4B)?.try_into().ok()?);
    let cat = read_sector(host, CDROM_DRIVE, cat_lba as u64)?;
    if cat.first() != Some(&1) || cat.get(0x1E..0x20) != Some(&[0x55, 0xAA][..]) {
        return None;
    }
    let entry = cat.get(0x20..0x40)?;
    if entry[0] != 0x88 {
        return None;
    }
    if entry[1] & 0x0F != 0 {
        print_str(
            host,
            "CD-ROM floppy/hard disk emulation is not supported.\r\n",
        );
        return None;
    }
    let mut seg = u16::from_le_bytes([entry[2], entry[3]]);
    if seg == 0 {
        seg = 0x07C0;
    }
    let count = u16::from_le_bytes([entry[6], entry[7]]).max(1) as u32;
    let rba = u32::from_le_bytes([entry[8], entry[9], entry[10], entry[11]]) as u64;
    let bytes = (count * 512) as usize;
    let cd_sectors = bytes.div_ceil(2048);
    let mut image = Vec::with_capacity(cd_sectors * 2048);
    for i in 0..cd_sectors as u64 {
        image.extend_from_slice(&read_sector(host, CDROM_DRIVE, rba + i)?);
    }
    let load = (seg as u32) << 4;
    if load + bytes as u32 > 0xA0000 {
        return None;
    }
    write_phys(host, load, &image[..bytes]);
    crate::int13::record_cd_boot(host, rba as u32, seg, count as u16);
    Some((seg, 0))
}

/// INT 19h: tries the boot order; on success jumps to the loaded code with DL = drive.
/// On failure it returns and the stub executes INT 18h.
pub fn int19(host: &mut dyn BiosHost) {
    let order = host.config().boot_order.clone();
    for dev in order {
        let (drive, name) = match dev {
            BootDevice::Floppy => (0x00u8, "floppy"),
            BootDevice::HardDisk => (0x80, "hard disk"),
            BootDevice::CdRom => (CDROM_DRIVE, "CD-ROM"),
        };
        if host.disk(drive).is_none() {
            continue;
        }
        print_str(host, &format!("Booting from {name}...\r\n"));
        let entry = match dev {
            BootDevice::Floppy => boot_disk(host, drive, false),
            BootDevice::HardDisk => boot_disk(host, drive, true),
            BootDevice::CdRom => boot_cd(host),
        };
        if let Some((seg, off)) = entry {
            log::info!("bios: booting from drive {drive:#04x} at {seg:04x}:{off:04x}");
            let cpu = host.cpu();
            cpu.flush_caches();
            set_sreg(cpu, SegReg::Cs, seg);
            cpu.state.eip = off as u32;
            set_dl(cpu, drive);
            set_dh(cpu, 0);
            return;
        }
    }
}

/// INT 18h: no bootable device (the stub then waits forever).
pub fn int18(host: &mut dyn BiosHost) {
    log::warn!("bios: no bootable device");
    print_str(host, "No bootable device.\r\n");
}
