//! ATA hard disk tests: registers, reset, IDENTIFY, PIO reads and writes, error reporting.

use super::test_rig::*;
use super::*;

/// 4 cylinders of 16 heads x 63 sectors.
const SECTORS: usize = 4 * 16 * 63;

fn disk_rig() -> Rig {
    Rig::new(Some(IdeDrive::HardDisk(patterned_disk(SECTORS))), None)
}

fn word(block: &[u8], index: usize) -> u16 {
    u16::from_le_bytes([block[index * 2], block[index * 2 + 1]])
}

fn ata_string(block: &[u8], first: usize, words: usize) -> String {
    (first..first + words)
        .flat_map(|w| {
            let v = word(block, w);
            [(v >> 8) as u8 as char, v as u8 as char]
        })
        .collect()
}

fn identify(rig: &mut Rig) -> Vec<u8> {
    rig.select(0);
    rig.out8(0x1F7, 0xEC);
    assert_eq!(rig.alt(), 0x58);
    assert!(rig.ide.irq_line());
    rig.in8(0x1F7);
    let block = rig.read_bytes(512);
    assert_eq!(rig.alt(), 0x50);
    block
}

#[test]
fn soft_reset_shows_busy_then_signature() {
    let mut rig = Rig::new(
        Some(IdeDrive::HardDisk(patterned_disk(SECTORS))),
        Some(IdeDrive::CdRom(None)),
    );
    rig.lba_command(0, 0x20, 5, 1);
    rig.out8(0x3F6, 0x04);
    assert_eq!(rig.alt(), 0x80, "BSY while SRST is set");
    rig.out8(0x3F6, 0x00);
    assert!(!rig.ide.irq_line());
    let expect = [(0, 0x50u8, 0x00u8, 0x00u8), (1, 0x00, 0x14, 0xEB)];
    for (slot, status, mid, high) in expect {
        rig.select(slot);
        assert_eq!(rig.alt(), status, "slot {slot}");
        assert_eq!(rig.in8(0x1F1), 0x01, "diagnostic code");
        assert_eq!(rig.in8(0x1F2), 0x01);
        assert_eq!(rig.in8(0x1F3), 0x01);
        assert_eq!(rig.in8(0x1F4), mid);
        assert_eq!(rig.in8(0x1F5), high);
    }
}

#[test]
fn empty_channel_floats_and_absent_slave_reads_zero_status() {
    let mut empty = Rig::new(None, None);
    assert_eq!(empty.in8(0x1F7), 0xFF);
    assert_eq!(empty.in8(0x3F6), 0xFF);
    assert_eq!(empty.in16(), 0xFFFF);
    let mut rig = disk_rig();
    rig.out8(0x1F3, 0x5A);
    rig.select(1);
    assert_eq!(rig.in8(0x1F7), 0x00);
    assert_eq!(rig.alt(), 0x00);
    assert_eq!(rig.in8(0x1F3), 0x5A, "master answers register reads");
    rig.out8(0x1F7, 0xEC);
    assert!(!rig.ide.irq_line(), "command to an absent slave is ignored");
    rig.select(0);
    assert_eq!(rig.alt(), 0x50);
    assert_eq!(rig.ide.ports(), &[(0x1F0, 0x1F7), (0x3F6, 0x3F6)]);
    assert_eq!(rig.ide.irq(), 14);
    assert_eq!(IdeChannel::new(ChannelId::Secondary).irq(), 15);
}

#[test]
fn identify_device_block() {
    let mut rig = disk_rig();
    let b = identify(&mut rig);
    assert_eq!(word(&b, 0), 0x0040);
    assert_eq!(word(&b, 1), 4);
    assert_eq!(word(&b, 3), 16);
    assert_eq!(word(&b, 6), 63);
    assert_eq!(ata_string(&b, 27, 20).trim_end(), "RAWBOX HARDDISK");
    assert_eq!(ata_string(&b, 27, 20).len(), 40);
    assert!(!ata_string(&b, 10, 10).trim().is_empty(), "serial number");
    assert_eq!(ata_string(&b, 23, 4).trim_end(), "1.0");
    assert_eq!(word(&b, 47) & 0xFF, 16, "max sectors per multiple block");
    assert_ne!(word(&b, 49) & 0x0200, 0, "LBA supported");
    assert_eq!(word(&b, 53) & 3, 3);
    assert_eq!((word(&b, 54), word(&b, 55), word(&b, 56)), (4, 16, 63));
    let current = u32::from(word(&b, 57)) | u32::from(word(&b, 58)) << 16;
    assert_eq!(current as usize, SECTORS);
    let lba = u32::from(word(&b, 60)) | u32::from(word(&b, 61)) << 16;
    assert_eq!(lba as usize, SECTORS);
    assert_eq!(word(&b, 59) & 0x100, 0, "multiple mode not set yet");
    assert_eq!(word(&b, 64) & 3, 3, "PIO 3 and 4");
    assert_eq!(b[510], 0xA5);
    assert_eq!(b.iter().fold(0u8, |s, &x| s.wrapping_add(x)), 0, "checksum");
}

#[test]
fn read_sectors_lba_one_interrupt_per_sector() {
    let mut rig = disk_rig();
    rig.lba_command(0, 0x20, 100, 2);
    for lba in [100u32, 101] {
        assert_eq!(rig.alt(), 0x58);
        assert!(rig.ide.irq_line());
        assert_eq!(rig.in8(0x1F7), 0x58);
        assert!(!rig.ide.irq_line(), "status read acknowledges");
        let data = rig.read_bytes(512);
        assert_eq!(&data[..4], &lba.to_le_bytes());
        assert!(data[4..].iter().all(|&b| b == lba as u8));
    }
    assert_eq!(rig.alt(), 0x50);
    assert!(
        !rig.ide.irq_line(),
        "no interrupt after the last block of a read"
    );
    assert_eq!(rig.in8(0x1F3), 101, "registers hold the last sector");
    assert_eq!(rig.in8(0x1F2), 0);
}

#[test]
fn read_sectors_chs_and_sector_count_zero_means_256() {
    let mut rig = disk_rig();
    // C=1 H=2 S=3 -> (1*16+2)*63+2
    rig.out8(0x1F6, 0xA2);
    rig.out8(0x1F2, 1);
    rig.out8(0x1F3, 3);
    rig.out8(0x1F4, 1);
    rig.out8(0x1F5, 0);
    rig.out8(0x1F7, 0x20);
    let data = rig.read_bytes(512);
    assert_eq!(&data[..4], &((18 * 63 + 2) as u32).to_le_bytes());
    // Head 15 is the last head; cylinder 4 is past the end.
    rig.out8(0x1F6, 0xAF);
    rig.out8(0x1F7, 0x20);
    let data = rig.read_bytes(512);
    assert_eq!(&data[..4], &((31 * 63 + 2) as u32).to_le_bytes());
    rig.out8(0x1F6, 0xA0);
    rig.out8(0x1F4, 4);
    rig.out8(0x1F7, 0x20);
    assert_eq!(rig.alt(), 0x51);
    assert_eq!(rig.in8(0x1F1), 0x10);
    rig.out8(0x1F4, 1);
    // Sector 0 does not exist in CHS.
    rig.out8(0x1F3, 0);
    rig.out8(0x1F7, 0x20);
    assert_eq!(rig.alt(), 0x51);
    assert_eq!(rig.in8(0x1F1), 0x10);
    // Count 0 = 256 sectors.
    rig.lba_command(0, 0x20, 0, 0);
    for _ in 0..256 {
        assert_eq!(rig.alt() & 0x08, 0x08);
        rig.read_bytes(512);
    }
    assert_eq!(rig.alt(), 0x50);
    assert_eq!(rig.in8(0x1F3), 255);
}

#[test]
fn out_of_range_sectors_report_idnf() {
    let mut rig = disk_rig();
    rig.lba_command(0, 0x20, SECTORS as u32, 1);
    assert_eq!(rig.alt(), 0x51);
    assert!(rig.ide.irq_line());
    assert_eq!(rig.in8(0x1F1), 0x10);
    rig.lba_command(0, 0x30, SECTORS as u32 + 10, 1);
    assert_eq!(rig.alt(), 0x51);
    assert_eq!(rig.in8(0x1F1), 0x10);
    // A read that runs off the end fails when it gets there.
    rig.lba_command(0, 0x20, SECTORS as u32 - 1, 2);
    rig.read_bytes(512);
    assert_eq!(rig.alt(), 0x51);
    assert_eq!(rig.in8(0x1F1), 0x10);
    rig.lba_command(0, 0x40, SECTORS as u32 - 1, 2);
    assert_eq!(rig.alt(), 0x51);
}

#[test]
fn write_sectors_reach_the_image() {
    let mut rig = disk_rig();
    rig.lba_command(0, 0x30, 200, 2);
    assert_eq!(rig.alt(), 0x58);
    assert!(
        !rig.ide.irq_line(),
        "no interrupt before the first block of a write"
    );
    rig.write_bytes(&[0xC3; 512]);
    assert!(rig.ide.irq_line(), "interrupt for the second block");
    assert_eq!(rig.in8(0x1F7), 0x58);
    rig.write_bytes(&[0x3C; 512]);
    assert!(rig.ide.irq_line(), "interrupt at completion");
    assert_eq!(rig.in8(0x1F7), 0x50);
    assert_eq!(rig.in8(0x1F3), 201);
    assert_eq!(rig.in8(0x1F2), 0);
    let mut buf = [0u8; 1536];
    rig.ide
        .disk_mut(0)
        .unwrap()
        .read_sectors(199, &mut buf)
        .unwrap();
    assert_eq!(&buf[..4], &199u32.to_le_bytes());
    assert!(buf[512..1024].iter().all(|&b| b == 0xC3));
    assert!(buf[1024..].iter().all(|&b| b == 0x3C));
}

#[test]
fn multiple_mode_blocks() {
    let mut rig = disk_rig();
    rig.lba_command(0, 0xC4, 0, 4);
    assert_eq!(rig.alt(), 0x51, "READ MULTIPLE before SET MULTIPLE aborts");
    assert_eq!(rig.in8(0x1F1), 0x04);
    for bad in [3u8, 32, 6] {
        rig.out8(0x1F2, bad);
        rig.out8(0x1F7, 0xC6);
        assert_eq!(rig.alt(), 0x51, "multiple {bad}");
    }
    rig.out8(0x1F2, 4);
    rig.out8(0x1F7, 0xC6);
    assert_eq!(rig.alt(), 0x50);
    let b = identify(&mut rig);
    assert_eq!(word(&b, 59), 0x0104);
    rig.lba_command(0, 0xC4, 10, 6);
    let mut data = Vec::new();
    for block_bytes in [2048usize, 1024] {
        assert!(rig.ide.irq_line(), "one interrupt per block");
        assert_eq!(rig.in8(0x1F7), 0x58);
        data.extend(rig.read_bytes(block_bytes - 2));
        assert_eq!(rig.alt(), 0x58, "block not finished yet");
        assert!(!rig.ide.irq_line());
        data.extend(rig.read_bytes(2));
    }
    assert_eq!(rig.alt(), 0x50);
    assert_eq!(&data[5 * 512..5 * 512 + 4], &15u32.to_le_bytes());
    rig.lba_command(0, 0xC5, 20, 5);
    rig.write_bytes(&[0x77; 2048]);
    assert!(rig.ide.irq_line());
    rig.in8(0x1F7);
    assert_eq!(rig.alt(), 0x58);
    rig.write_bytes(&[0x88; 512]);
    assert_eq!(rig.in8(0x1F7), 0x50);
    let mut buf = [0u8; 512];
    rig.ide
        .disk_mut(0)
        .unwrap()
        .read_sectors(24, &mut buf)
        .unwrap();
    assert!(buf.iter().all(|&b| b == 0x88));
}

#[test]
fn initialize_device_parameters_changes_the_translation() {
    let mut rig = disk_rig();
    rig.out8(0x1F6, 0xA7); // 8 heads
    rig.out8(0x1F2, 32);
    rig.out8(0x1F7, 0x91);
    assert_eq!(rig.alt(), 0x50);
    let b = identify(&mut rig);
    assert_eq!((word(&b, 54), word(&b, 55), word(&b, 56)), (15, 8, 32));
    assert_eq!(
        (word(&b, 1), word(&b, 3), word(&b, 6)),
        (4, 16, 63),
        "default unchanged"
    );
    // C=1 H=0 S=1 is LBA 256 now.
    rig.out8(0x1F6, 0xA0);
    rig.out8(0x1F2, 1);
    rig.out8(0x1F3, 1);
    rig.out8(0x1F4, 1);
    rig.out8(0x1F5, 0);
    rig.out8(0x1F7, 0x20);
    assert_eq!(&rig.read_bytes(512)[..4], &256u32.to_le_bytes());
    // Head 8 is outside the 8-head translation.
    rig.out8(0x1F6, 0xA8);
    rig.out8(0x1F7, 0x20);
    assert_eq!(rig.alt(), 0x51);
    assert_eq!(rig.in8(0x1F1), 0x10);
    rig.out8(0x1F2, 0);
    rig.out8(0x1F7, 0x91);
    assert_eq!(rig.alt(), 0x51, "zero sectors per track is refused");
}

#[test]
fn no_data_commands_and_unsupported_ones() {
    let mut rig = disk_rig();
    let ok: &[(u8, u8, u8)] = &[
        (0x40, 0, 5),       // READ VERIFY
        (0x70, 0, 1),       // SEEK
        (0x10, 0, 1),       // RECALIBRATE
        (0xE7, 0, 0),       // FLUSH CACHE
        (0xE1, 0, 0),       // IDLE IMMEDIATE
        (0xE0, 0, 0),       // STANDBY IMMEDIATE
        (0xEF, 0x03, 0x0C), // SET FEATURES: PIO 4
        (0xEF, 0x02, 0),    // write cache on
    ];
    for &(cmd, features, count) in ok {
        rig.out8(0x1F1, features);
        rig.lba_command(0, cmd, 7, count);
        assert_eq!(rig.alt(), 0x50, "command {cmd:#x}");
        assert!(rig.ide.irq_line(), "command {cmd:#x}");
        rig.in8(0x1F7);
    }
    let bad: &[(u8, u8, u8)] = &[
        (0xEF, 0x03, 0x22), // multiword DMA
        (0xEF, 0x99, 0),
        (0xC8, 0, 1), // READ DMA
        (0x24, 0, 1), // READ SECTORS EXT
        (0xA0, 0, 0), // PACKET on a disk
        (0xA1, 0, 0),
        (0x00, 0, 0),
    ];
    for &(cmd, features, count) in bad {
        rig.out8(0x1F1, features);
        rig.lba_command(0, cmd, 7, count);
        assert_eq!(rig.alt(), 0x51, "command {cmd:#x}");
        assert_eq!(rig.in8(0x1F1), 0x04);
    }
    rig.out8(0x1F7, 0xE5);
    assert_eq!(rig.in8(0x1F2), 0xFF, "CHECK POWER MODE: active");
    rig.lba_command(0, 0x70, SECTORS as u32, 0);
    assert_eq!(rig.in8(0x1F1), 0x10, "SEEK beyond the disk");
}

#[test]
fn nien_masks_intrq_and_alt_status_does_not_acknowledge() {
    let mut rig = disk_rig();
    rig.out8(0x3F6, 0x02);
    rig.out8(0x1F7, 0xE1);
    assert!(!rig.ide.irq_line());
    rig.out8(0x3F6, 0x00);
    assert!(rig.ide.irq_line(), "INTRQ was pending behind nIEN");
    rig.alt();
    assert!(rig.ide.irq_line());
    assert_eq!(rig.ide.peek(0x1F7), 0x50);
    assert!(rig.ide.irq_line(), "peek has no side effect");
    rig.in8(0x1F7);
    assert!(!rig.ide.irq_line());
}

#[test]
fn thirty_two_bit_data_transfers() {
    let mut rig = disk_rig();
    rig.lba_command(0, 0x20, 3, 1);
    let first = rig.ide.port_read(0x1F0, Width::Dword, 0);
    assert_eq!(first, 3);
    for _ in 1..128 {
        assert_eq!(rig.ide.port_read(0x1F0, Width::Dword, 0), 0x0303_0303);
    }
    assert_eq!(rig.alt(), 0x50);
    rig.lba_command(0, 0x30, 9, 1);
    for i in 0..128u32 {
        rig.ide.port_write(0x1F0, Width::Dword, i, 0);
    }
    assert_eq!(rig.in8(0x1F7), 0x50);
    let mut buf = [0u8; 512];
    rig.ide
        .disk_mut(0)
        .unwrap()
        .read_sectors(9, &mut buf)
        .unwrap();
    assert_eq!(&buf[4..8], &1u32.to_le_bytes());
}

#[test]
fn execute_diagnostic_sets_signatures_and_interrupts() {
    let mut rig = Rig::new(
        Some(IdeDrive::HardDisk(patterned_disk(SECTORS))),
        Some(IdeDrive::CdRom(None)),
    );
    rig.select(1);
    rig.out8(0x1F4, 0x99);
    rig.out8(0x1F7, 0x90);
    assert!(rig.ide.irq_line());
    assert_eq!(rig.in8(0x1F1), 0x01);
    assert_eq!(rig.in8(0x1F4), 0x00);
    rig.select(1);
    assert_eq!((rig.in8(0x1F4), rig.in8(0x1F5)), (0x14, 0xEB));
}

#[test]
fn attach_rejects_wrong_media_and_slots() {
    let mut ide = IdeChannel::new(ChannelId::Primary);
    assert!(matches!(
        ide.attach(2, IdeDrive::CdRom(None)),
        Err(IdeAttachError::BadSlot(2))
    ));
    assert!(matches!(
        ide.attach(0, IdeDrive::HardDisk(patterned_iso(4))),
        Err(IdeAttachError::WrongMediaKind { .. })
    ));
    ide.attach(0, IdeDrive::HardDisk(patterned_disk(100)))
        .unwrap();
    assert!(matches!(
        ide.insert_media(0, patterned_iso(4)),
        Err(IdeAttachError::NotACdRom(0))
    ));
}

#[test]
fn random_port_traffic_never_panics() {
    let mut rig = Rig::new(
        Some(IdeDrive::HardDisk(patterned_disk(SECTORS))),
        Some(IdeDrive::CdRom(Some(patterned_iso(64)))),
    );
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..300_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let port = match x % 9 {
            8 => 0x3F6,
            n => 0x1F0 + n as u16,
        };
        let width = match (x >> 8) % 3 {
            0 => Width::Byte,
            1 => Width::Word,
            _ => Width::Dword,
        };
        if (x >> 12) & 1 == 0 {
            rig.ide.port_write(port, width, (x >> 20) as u32, 0);
        } else {
            rig.ide.port_read(port, width, 0);
        }
    }
    // Still usable afterwards.
    rig.out8(0x3F6, 0x04);
    rig.out8(0x3F6, 0x00);
    rig.lba_command(0, 0x20, 1, 1);
    assert_eq!(rig.alt(), 0x58);
}
