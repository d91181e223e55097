//! INT 13h disk services for floppies (00h/01h), hard disks (80h/81h) and the CD-ROM (E0h,
//! extended functions with 2048-byte sectors): CHS and LBA (EDD 3.0) reads, writes,
//! verifies, drive parameters, and the status byte kept in the BIOS data area.

use crate::bda;
use crate::host::{BiosHost, CDROM_DRIVE};
use crate::mem::{
    rd16, rd32, rd8, read_phys, reg_addr, set_frame_flag, wr16, wr32, wr8, write_phys,
};
use crate::regs::*;
use crate::rom::layout::ROM_SEG;
use crate::rom::tables::floppy_table_offset;
use rawbox_cpu::SegReg;
use rawbox_devices::disk_image::{DiskIoError, Geometry, MediaKind};

/// INT 13h status codes.
pub mod status {
    pub const OK: u8 = 0x00;
    pub const BAD_COMMAND: u8 = 0x01;
    pub const WRITE_PROTECTED: u8 = 0x03;
    pub const SECTOR_NOT_FOUND: u8 = 0x04;
    pub const MEDIA_CHANGED: u8 = 0x06;
    pub const UNSUPPORTED_TRACK: u8 = 0x0C;
    pub const TIMEOUT: u8 = 0x80;
}

/// Most sectors moved by one request.
const MAX_SECTORS: u32 = 0x7F;

fn status_addr(drive: u8) -> u32 {
    if drive & 0x80 == 0 {
        bda::FLOPPY_STATUS
    } else {
        bda::HD_STATUS
    }
}

/// CMOS-style floppy drive type for a geometry (1 360K, 2 1.2M, 3 720K, 4 1.44M, 5 2.88M).
fn floppy_type(g: Option<Geometry>) -> u8 {
    match g.map(|g| (g.cylinders, g.sectors_per_track)) {
        Some((40, _)) => 1,
        Some((80, 15)) => 2,
        Some((80, 9)) => 3,
        Some((_, 36)) => 5,
        _ => 4,
    }
}

/// Ends the call: AH = status, CF = status != 0, status saved in the BDA.
fn done(host: &mut dyn BiosHost, drive: u8, st: u8) {
    wr8(host, status_addr(drive), st);
    set_ah(host.cpu(), st);
    set_frame_flag(host, 1, st != 0);
}

fn io_status(e: &DiskIoError) -> u8 {
    match e {
        DiskIoError::WriteProtected => status::WRITE_PROTECTED,
        DiskIoError::OutOfRange { .. } | DiskIoError::BadLength { .. } => status::SECTOR_NOT_FOUND,
        _ => 0x20, // controller failure
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Read,
    Write,
    Verify,
}

/// Moves `count` sectors from `lba` to/from guest memory at `addr`. Returns the sectors
/// done and the status.
fn transfer(
    host: &mut dyn BiosHost,
    drive: u8,
    op: Op,
    lba: u64,
    count: u32,
    addr: u32,
) -> (u32, u8) {
    let Some(disk) = host.disk(drive) else {
        return (0, status::TIMEOUT);
    };
    let size = disk.sector_size();
    if op == Op::Write && disk.is_read_only() {
        return (0, status::WRITE_PROTECTED);
    }
    if lba
        .checked_add(count as u64)
        .is_none_or(|end| end > disk.sector_count())
    {
        return (0, status::SECTOR_NOT_FOUND);
    }
    let mut buf = vec![0u8; size];
    for i in 0..count {
        let a = addr.wrapping_add(i.wrapping_mul(size as u32));
        let l = lba + i as u64;
        let r = match op {
            Op::Verify => Ok(()),
            Op::Read => {
                let r = host.disk(drive).map(|d| d.read_sectors(l, &mut buf));
                if let Some(Ok(())) = r {
                    write_phys(host, a, &buf);
                }
                r.unwrap_or(Err(DiskIoError::WriteProtected))
            }
            Op::Write => {
                read_phys(host, a, &mut buf);
                host.disk(drive)
                    .map(|d| d.write_sectors(l, &buf))
                    .unwrap_or(Err(DiskIoError::WriteProtected))
            }
        };
        if let Err(e) = r {
            log::debug!("bios: int 13h drive {drive:#04x} lba {l}: {e}");
            return (i, io_status(&e));
        }
    }
    (count, status::OK)
}

/// AH=02h/03h/04h: CHS read/write/verify.
fn chs_io(host: &mut dyn BiosHost, drive: u8, op: Op) {
    let cpu = host.cpu();
    let count = al(cpu) as u32;
    let cyl = ch(cpu) as u32 | ((cl(cpu) as u32 & 0xC0) << 2);
    let sector = (cl(cpu) & 0x3F) as u32;
    let head = dh(cpu) as u32;
    let buf = reg_addr(host, SegReg::Es, rawbox_cpu::state::reg::EBX);
    if drive == CDROM_DRIVE {
        return done(host, drive, status::BAD_COMMAND);
    }
    let Some(g) = host.disk(drive).map(|d| d.geometry()) else {
        set_al(host.cpu(), 0);
        return done(host, drive, status::TIMEOUT);
    };
    if count == 0 || count > MAX_SECTORS {
        set_al(host.cpu(), 0);
        return done(host, drive, status::BAD_COMMAND);
    }
    let Some(lba) = g.chs_to_lba(cyl, head, sector) else {
        set_al(host.cpu(), 0);
        return done(host, drive, status::SECTOR_NOT_FOUND);
    };
    let (n, st) = transfer(host, drive, op, lba, count, buf);
    set_al(host.cpu(), n as u8);
    done(host, drive, st);
}

/// AH=08h: drive parameters.
fn params(host: &mut dyn BiosHost, drive: u8) {
    if drive & 0x80 == 0 {
        let drives = host.config().floppy_drives.min(2);
        if drive >= drives {
            return done(host, drive, status::BAD_COMMAND);
        }
        let g = host.disk(drive).map(|d| d.geometry());
        let t = floppy_type(g);
        let g = g.unwrap_or(Geometry {
            cylinders: 80,
            heads: 2,
            sectors_per_track: 18,
        });
        let cpu = host.cpu();
        set_ax(cpu, 0);
        set_bl(cpu, t);
        set_bh(cpu, 0);
        let maxc = g.cylinders.saturating_sub(1);
        set_ch(cpu, maxc as u8);
        set_cl(
            cpu,
            (g.sectors_per_track as u8 & 0x3F) | (((maxc >> 8) as u8 & 3) << 6),
        );
        set_dh(cpu, g.heads.saturating_sub(1) as u8);
        set_dl(cpu, drives);
        set_sreg(cpu, SegReg::Es, ROM_SEG);
        set_di(cpu, floppy_table_offset(t));
        return done(host, drive, status::OK);
    }
    let count = rd8(host, bda::HD_COUNT);
    let Some(g) = host
        .disk(drive)
        .filter(|d| d.kind() == MediaKind::HardDisk)
        .map(|d| d.geometry())
    else {
        return done(host, drive, status::BAD_COMMAND);
    };
    let maxc = g.cylinders.saturating_sub(1).min(1023);
    let cpu = host.cpu();
    set_al(cpu, 0);
    set_ch(cpu, maxc as u8);
    set_cl(
        cpu,
        (g.sectors_per_track.min(63) as u8) | (((maxc >> 8) as u8 & 3) << 6),
    );
    set_dh(cpu, g.heads.saturating_sub(1).min(255) as u8);
    set_dl(cpu, count);
    done(host, drive, status::OK);
}

/// Reads the EDD disk address packet at DS:SI: (count, buffer address, lba).
fn packet(host: &mut dyn BiosHost) -> (u32, u16, u32, u64) {
    let p = reg_addr(host, SegReg::Ds, rawbox_cpu::state::reg::ESI);
    let size = rd8(host, p);
    let count = rd16(host, p.wrapping_add(2));
    let off = rd16(host, p.wrapping_add(4));
    let seg = rd16(host, p.wrapping_add(6));
    let lba = rd32(host, p.wrapping_add(8)) as u64 | (rd32(host, p.wrapping_add(12)) as u64) << 32;
    let mut addr = ((seg as u32) << 4).wrapping_add(off as u32);
    if off == 0xFFFF && seg == 0xFFFF && size >= 0x18 {
        addr = rd32(host, p.wrapping_add(0x10));
    }
    (p, count, addr, lba)
}

/// AH=42h/43h/44h: extended read/write/verify.
fn ext_io(host: &mut dyn BiosHost, drive: u8, op: Op) {
    let (p, count, addr, lba) = packet(host);
    if host.disk(drive).is_none() {
        wr16(host, p.wrapping_add(2), 0);
        return done(host, drive, status::TIMEOUT);
    }
    let (n, st) = transfer(host, drive, op, lba, count as u32, addr);
    wr16(host, p.wrapping_add(2), n as u16);
    done(host, drive, st);
}

/// AH=48h: extended drive parameters into the buffer at DS:SI.
fn ext_params(host: &mut dyn BiosHost, drive: u8) {
    let Some((g, sectors, size)) = host
        .disk(drive)
        .map(|d| (d.geometry(), d.sector_count(), d.sector_size()))
    else {
        return done(host, drive, status::TIMEOUT);
    };
    let p = reg_addr(host, SegReg::Ds, rawbox_cpu::state::reg::ESI);
    let buf_size = rd16(host, p);
    if buf_size < 0x1A {
        return done(host, drive, status::BAD_COMMAND);
    }
    let cd = drive == CDROM_DRIVE;
    let out = buf_size.min(0x1E);
    wr16(host, p, out);
    // Flags: bit 1 geometry valid (not for removable CD), bit 2 removable.
    wr16(host, p.wrapping_add(2), if cd { 0x74 } else { 0x02 });
    let (c, h, s) = if cd {
        (u32::MAX, u32::MAX, u32::MAX)
    } else {
        (g.cylinders, g.heads, g.sectors_per_track)
    };
    wr32(host, p.wrapping_add(4), c);
    wr32(host, p.wrapping_add(8), h);
    wr32(host, p.wrapping_add(12), s);
    wr32(host, p.wrapping_add(16), sectors as u32);
    wr32(host, p.wrapping_add(20), (sectors >> 32) as u32);
    wr16(host, p.wrapping_add(24), size as u16);
    if out >= 0x1E {
        wr32(host, p.wrapping_add(26), 0xFFFF_FFFF);
    }
    done(host, drive, status::OK);
}

/// Whether a drive number can exist at all (floppy within the configured count, a disk
/// attached otherwise).
fn drive_present(host: &mut dyn BiosHost, drive: u8) -> bool {
    if drive & 0x80 == 0 {
        drive < host.config().floppy_drives.min(2)
    } else {
        host.disk(drive).is_some()
    }
}

/// INT 13h / INT 40h.
pub fn int13(host: &mut dyn BiosHost) {
    let cpu = host.cpu();
    let (func, drive) = (ah(cpu), dl(cpu));
    log::trace!("bios: int 13h ah={func:#04x} dl={drive:#04x}");
    match func {
        0x00 | 0x0D | 0x10 | 0x11 | 0x14 | 0x0C | 0x47 => {
            let st = if drive_present(host, drive) {
                status::OK
            } else {
                status::TIMEOUT
            };
            done(host, drive, st);
        }
        0x01 => {
            let st = rd8(host, status_addr(drive));
            set_ah(host.cpu(), st);
            set_frame_flag(host, 1, st != 0);
        }
        0x02 => chs_io(host, drive, Op::Read),
        0x03 => chs_io(host, drive, Op::Write),
        0x04 => chs_io(host, drive, Op::Verify),
        0x05 => format_track(host, drive),
        0x08 => params(host, drive),
        0x15 => disk_type(host, drive),
        0x16 => {
            let st = if !drive_present(host, drive) {
                status::TIMEOUT
            } else if drive < 0x80 && host.take_media_changed(drive) {
                status::MEDIA_CHANGED
            } else {
                status::OK
            };
            done(host, drive, st);
        }
        0x17 => done(
            host,
            drive,
            if drive < 0x80 {
                status::OK
            } else {
                status::BAD_COMMAND
            },
        ),
        0x18 => set_media_type(host, drive),
        0x41 => {
            let cpu = host.cpu();
            if bx(cpu) == 0x55AA && drive & 0x80 != 0 && host.disk(drive).is_some() {
                let cpu = host.cpu();
                set_bx(cpu, 0xAA55);
                set_cx(cpu, 0x0005);
                set_ah(cpu, 0x30);
                set_frame_flag(host, 1, false);
            } else {
                done(host, drive, status::BAD_COMMAND);
            }
        }
        0x42 => ext_io(host, drive, Op::Read),
        0x43 => ext_io(host, drive, Op::Write),
        0x44 => ext_io(host, drive, Op::Verify),
        0x48 => ext_params(host, drive),
        0x4B => cd_status(host, drive),
        _ => done(host, drive, status::BAD_COMMAND),
    }
}

/// AH=05h: format a floppy track (fills its sectors with F6h).
fn format_track(host: &mut dyn BiosHost, drive: u8) {
    let cpu = host.cpu();
    let (cyl, head) = (ch(cpu) as u32, dh(cpu) as u32);
    let Some((g, ro)) = host.disk(drive).map(|d| (d.geometry(), d.is_read_only())) else {
        return done(host, drive, status::TIMEOUT);
    };
    if drive & 0x80 != 0 {
        return done(host, drive, status::OK);
    }
    if ro {
        return done(host, drive, status::WRITE_PROTECTED);
    }
    let Some(lba) = g.chs_to_lba(cyl, head, 1) else {
        return done(host, drive, status::SECTOR_NOT_FOUND);
    };
    let data = vec![0xF6u8; g.sectors_per_track as usize * 512];
    let r = host.disk(drive).map(|d| d.write_sectors(lba, &data));
    let st = match r {
        Some(Ok(())) => status::OK,
        Some(Err(e)) => io_status(&e),
        None => status::TIMEOUT,
    };
    done(host, drive, st);
}

/// AH=15h: disk type.
fn disk_type(host: &mut dyn BiosHost, drive: u8) {
    if !drive_present(host, drive) {
        set_ah(host.cpu(), 0);
        wr8(host, status_addr(drive), 0);
        return set_frame_flag(host, 1, false);
    }
    if drive & 0x80 == 0 {
        set_ah(host.cpu(), 0x02);
    } else {
        let n = host.disk(drive).map(|d| d.sector_count()).unwrap_or(0) as u32;
        let cpu = host.cpu();
        set_ah(cpu, 0x03);
        set_cx(cpu, (n >> 16) as u16);
        set_dx(cpu, n as u16);
    }
    wr8(host, status_addr(drive), 0);
    set_frame_flag(host, 1, false);
}

/// AH=18h: set media type for format (CH/CL max track and sectors) -> ES:DI table.
fn set_media_type(host: &mut dyn BiosHost, drive: u8) {
    if drive & 0x80 != 0 || !drive_present(host, drive) {
        return done(host, drive, status::TIMEOUT);
    }
    let cpu = host.cpu();
    let tracks = ch(cpu) as u32 | ((cl(cpu) as u32 & 0xC0) << 2);
    let spt = cl(cpu) & 0x3F;
    let t = match (tracks, spt) {
        (39, 9) => 1,
        (79, 15) => 2,
        (79, 9) => 3,
        (79, 18) => 4,
        (79, 36) => 5,
        _ => return done(host, drive, status::UNSUPPORTED_TRACK),
    };
    let cpu = host.cpu();
    set_sreg(cpu, SegReg::Es, ROM_SEG);
    set_di(cpu, floppy_table_offset(t));
    done(host, drive, status::OK);
}

/// Offset in the EBDA of the El Torito boot facts INT 19h records (image LBA dword, load
/// segment word, sector count word, valid byte).
const CD_BOOT_INFO: u32 = 0x30;

fn ebda_base(host: &mut dyn BiosHost) -> u32 {
    (rd16(host, bda::EBDA_SEG) as u32) << 4
}

/// Remembers the El Torito boot image for INT 13h AX=4B01h.
pub fn record_cd_boot(host: &mut dyn BiosHost, lba: u32, load_seg: u16, count: u16) {
    let e = ebda_base(host) + CD_BOOT_INFO;
    wr32(host, e, lba);
    wr16(host, e + 4, load_seg);
    wr16(host, e + 6, count);
    wr8(host, e + 8, 1);
}

/// AX=4B00h/4B01h: El Torito terminate emulation / get status, filling the 13h-byte
/// specification packet at DS:SI (no-emulation boot from drive E0h).
fn cd_status(host: &mut dyn BiosHost, drive: u8) {
    let sub = al(host.cpu());
    let e = ebda_base(host) + CD_BOOT_INFO;
    if sub > 1 || drive != CDROM_DRIVE || rd8(host, e + 8) != 1 {
        return done(host, drive, status::BAD_COMMAND);
    }
    let mut p = [0u8; 0x13];
    p[0] = 0x13;
    p[1] = 0x00; // no emulation
    p[2] = CDROM_DRIVE;
    let lba = rd32(host, e);
    p[4..8].copy_from_slice(&lba.to_le_bytes());
    let seg = rd16(host, e + 4);
    p[0x0C..0x0E].copy_from_slice(&seg.to_le_bytes());
    let count = rd16(host, e + 6);
    p[0x0E..0x10].copy_from_slice(&count.to_le_bytes());
    let a = reg_addr(host, SegReg::Ds, rawbox_cpu::state::reg::ESI);
    write_phys(host, a, &p);
    done(host, drive, status::OK);
}
