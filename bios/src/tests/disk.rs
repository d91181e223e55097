//! INT 13h: CHS and LBA reads on floppies and hard disks, geometry, error codes.

use super::mock::*;
use crate::rom::layout::FLOPPY_TABLES;
use crate::Service;
use rawbox_cpu::state::reg;
use rawbox_cpu::SegReg;
use rawbox_devices::disk_image::MediaKind;

const CF: u16 = 1;

fn with_disks() -> (Machine, crate::Bios) {
    let (mut m, bios) = machine();
    m.dev
        .disks
        .insert(0x00, disk(MediaKind::Floppy, 1_474_560, 0xA0, false));
    m.dev
        .disks
        .insert(0x01, disk(MediaKind::Floppy, 737_280, 0xA1, false));
    m.dev.disks.insert(
        0x80,
        disk(MediaKind::HardDisk, 16 * 63 * 512 * 20, 0xC0, false),
    );
    m.dev
        .disks
        .insert(0xE0, disk(MediaKind::CdRom, 2048 * 40, 0xE0, true));
    let mut m = m;
    let mut bios = bios;
    let a = bios.rom().hostcall_addr(Service::Post).unwrap();
    bios.handle(&mut m, a).unwrap();
    (m, bios)
}

fn chs_read(
    m: &mut Machine,
    bios: &mut crate::Bios,
    drive: u8,
    c: u16,
    h: u8,
    s: u8,
    n: u8,
) -> u16 {
    let cx = (c & 0xFF) << 8 | ((c >> 2) & 0xC0) | s as u16;
    regs(
        m,
        0x0200 | n as u16,
        0x1000,
        cx,
        (h as u16) << 8 | drive as u16,
    );
    crate::regs::set_sreg(&mut m.cpu, SegReg::Es, 0x0100);
    call(m, bios, Service::Disk)
}

fn lba_at(m: &Machine, addr: u32) -> (u32, u8) {
    let v = ram(m, addr, 5);
    (u32::from_le_bytes([v[0], v[1], v[2], v[3]]), v[4])
}

#[test]
fn chs_read_on_144_floppy() {
    let (mut m, mut bios) = with_disks();
    let f = chs_read(&mut m, &mut bios, 0, 1, 1, 3, 2);
    assert_eq!(f & CF, 0);
    assert_eq!(r16(&m, reg::EAX), 0x0002);
    assert_eq!(lba_at(&m, 0x2000), (56, 0xA0));
    assert_eq!(lba_at(&m, 0x2200), (57, 0xA0));
}

#[test]
fn chs_read_on_720k_floppy() {
    let (mut m, mut bios) = with_disks();
    let f = chs_read(&mut m, &mut bios, 1, 2, 1, 9, 1);
    assert_eq!(f & CF, 0);
    assert_eq!(lba_at(&m, 0x2000), (53, 0xA1));
    // Sector 10 does not exist on a 9-sector track.
    let f = chs_read(&mut m, &mut bios, 1, 2, 1, 10, 1);
    assert_eq!(f & CF, CF);
    assert_eq!(r16(&m, reg::EAX) >> 8, 0x04);
}

#[test]
fn chs_read_on_hard_disk_with_high_cylinder_bits() {
    let (mut m, mut bios) = with_disks();
    let g = m.dev.disks[&0x80].geometry();
    let f = chs_read(&mut m, &mut bios, 0x80, 3, 2, 5, 1);
    assert_eq!(f & CF, 0);
    let want = (3 * g.heads + 2) * g.sectors_per_track + 4;
    assert_eq!(lba_at(&m, 0x2000), (want, 0xC0));
}

#[test]
fn floppy_parameters() {
    let (mut m, mut bios) = with_disks();
    regs(&mut m, 0x0800, 0, 0, 0x0000);
    let f = call(&mut m, &mut bios, Service::Disk);
    assert_eq!(f & CF, 0);
    assert_eq!(r16(&m, reg::ECX), 0x4F12);
    assert_eq!(r16(&m, reg::EDX), 0x0102);
    assert_eq!(r16(&m, reg::EBX) & 0xFF, 4);
    assert_eq!(m.cpu.state.segs[SegReg::Es as usize].selector, 0xF000);
    assert_eq!(r16(&m, reg::EDI), FLOPPY_TABLES + 4 * 16);
    // The table's sectors-per-track byte.
    assert_eq!(ram(&m, 0xF0000 + FLOPPY_TABLES as u32 + 64 + 4, 1)[0], 18);
    regs(&mut m, 0x0800, 0, 0, 0x0001);
    call(&mut m, &mut bios, Service::Disk);
    assert_eq!(r16(&m, reg::ECX), 0x4F09);
    assert_eq!(r16(&m, reg::EBX) & 0xFF, 3);
}

#[test]
fn hard_disk_parameters() {
    let (mut m, mut bios) = with_disks();
    regs(&mut m, 0x0800, 0, 0, 0x0080);
    let f = call(&mut m, &mut bios, Service::Disk);
    assert_eq!(f & CF, 0);
    let g = m.dev.disks[&0x80].geometry();
    let cx = r16(&m, reg::ECX);
    let cyl = (cx >> 8) | ((cx & 0xC0) << 2);
    assert_eq!(cyl as u32, g.cylinders - 1);
    assert_eq!((cx & 0x3F) as u32, g.sectors_per_track);
    assert_eq!((r16(&m, reg::EDX) >> 8) as u32, g.heads - 1);
    assert_eq!(r16(&m, reg::EDX) & 0xFF, 1);
    // INT 41h points at a parameter table with the same geometry.
    let v = ram(&m, 0x41 * 4, 4);
    let t =
        ((u16::from_le_bytes([v[2], v[3]]) as u32) << 4) + u16::from_le_bytes([v[0], v[1]]) as u32;
    let t = ram(&m, t, 16);
    assert_eq!(u16::from_le_bytes([t[0], t[1]]) as u32, g.cylinders);
    assert_eq!(t[2] as u32, g.heads);
    assert_eq!(t[14] as u32, g.sectors_per_track);
}

#[test]
fn extended_read_and_parameters() {
    let (mut m, mut bios) = with_disks();
    // Packet at 0000:0600: 16 bytes, 3 sectors to 0200:0000 from LBA 100.
    let mut p = vec![0x10, 0, 3, 0, 0, 0, 0x00, 0x02];
    p.extend_from_slice(&100u64.to_le_bytes());
    m.cpu.mem.write_bytes(0x600, &p);
    crate::regs::set_sreg(&mut m.cpu, SegReg::Ds, 0);
    m.cpu.state.set_r16(reg::ESI, 0x600);
    regs(&mut m, 0x4200, 0, 0, 0x0080);
    let f = call(&mut m, &mut bios, Service::Disk);
    assert_eq!(f & CF, 0);
    assert_eq!(lba_at(&m, 0x2000), (100, 0xC0));
    assert_eq!(lba_at(&m, 0x2400), (102, 0xC0));
    // CD-ROM: 2048-byte sectors.
    m.cpu.mem.write_bytes(0x602, &[2, 0]);
    m.cpu.mem.write_bytes(0x608, &5u64.to_le_bytes());
    regs(&mut m, 0x4200, 0, 0, 0x00E0);
    let f = call(&mut m, &mut bios, Service::Disk);
    assert_eq!(f & CF, 0);
    assert_eq!(lba_at(&m, 0x2000), (5, 0xE0));
    assert_eq!(lba_at(&m, 0x2800), (6, 0xE0));
    // AH=48h.
    m.cpu.mem.write_bytes(0x700, &[0x1E, 0]);
    m.cpu.state.set_r16(reg::ESI, 0x700);
    regs(&mut m, 0x4800, 0, 0, 0x0080);
    let f = call(&mut m, &mut bios, Service::Disk);
    assert_eq!(f & CF, 0);
    let b = ram(&m, 0x700, 0x1A);
    assert_eq!(
        u32::from_le_bytes([b[16], b[17], b[18], b[19]]),
        16 * 63 * 20
    );
    assert_eq!(u16::from_le_bytes([b[24], b[25]]), 512);
    // AH=41h.
    regs(&mut m, 0x4100, 0x55AA, 0, 0x0080);
    let f = call(&mut m, &mut bios, Service::Disk);
    assert_eq!(f & CF, 0);
    assert_eq!(r16(&m, reg::EBX), 0xAA55);
    assert_eq!(r16(&m, reg::ECX) & 5, 5);
}

#[test]
fn error_codes() {
    let (mut m, mut bios) = with_disks();
    // No drive 81h.
    let f = chs_read(&mut m, &mut bios, 0x81, 0, 0, 1, 1);
    assert_eq!(f & CF, CF);
    assert_eq!(r16(&m, reg::EAX) >> 8, 0x80);
    // Sector 19 on a 1.44 MB floppy.
    let f = chs_read(&mut m, &mut bios, 0, 0, 0, 19, 1);
    assert_eq!(f & CF, CF);
    assert_eq!(r16(&m, reg::EAX) >> 8, 0x04);
    // AH=01h reports the last floppy status.
    regs(&mut m, 0x0100, 0, 0, 0);
    let f = call(&mut m, &mut bios, Service::Disk);
    assert_eq!(f & CF, CF);
    assert_eq!(r16(&m, reg::EAX) >> 8, 0x04);
    // Write to a read-only image.
    m.dev
        .disks
        .insert(0x01, disk(MediaKind::Floppy, 737_280, 0xA1, true));
    regs(&mut m, 0x0301, 0x1000, 0x0001, 0x0001);
    let f = call(&mut m, &mut bios, Service::Disk);
    assert_eq!(f & CF, CF);
    assert_eq!(r16(&m, reg::EAX) >> 8, 0x03);
    // Unknown function.
    regs(&mut m, 0x7700, 0, 0, 0x80);
    let f = call(&mut m, &mut bios, Service::Disk);
    assert_eq!(f & CF, CF);
    assert_eq!(r16(&m, reg::EAX) >> 8, 0x01);
    assert_eq!(ram(&m, 0x474, 1)[0], 0x01);
}

#[test]
fn write_then_read_back() {
    let (mut m, mut bios) = with_disks();
    m.cpu.mem.write_bytes(0x2000, &[0x5Au8; 512]);
    regs(&mut m, 0x0301, 0x1000, 0x0005, 0x0100);
    crate::regs::set_sreg(&mut m.cpu, SegReg::Es, 0x0100);
    let f = call(&mut m, &mut bios, Service::Disk);
    assert_eq!(f & CF, 0);
    let mut buf = vec![0u8; 512];
    m.dev
        .disks
        .get_mut(&0)
        .unwrap()
        .read_sectors(18 + 4, &mut buf)
        .unwrap();
    assert!(buf.iter().all(|&b| b == 0x5A));
}

#[test]
fn change_line_reports_a_new_disk_once() {
    let (mut m, mut bios) = with_disks();
    regs(&mut m, 0x1600, 0, 0, 0);
    assert_eq!(call(&mut m, &mut bios, Service::Disk) & CF, 0);
    m.dev.media_changed = true;
    regs(&mut m, 0x1600, 0, 0, 0);
    assert_eq!(call(&mut m, &mut bios, Service::Disk) & CF, CF);
    assert_eq!(r16(&m, reg::EAX) >> 8, 0x06);
    regs(&mut m, 0x1600, 0, 0, 0);
    assert_eq!(call(&mut m, &mut bios, Service::Disk) & CF, 0);
}
