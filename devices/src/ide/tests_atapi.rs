//! ATAPI CD-ROM tests: signature, IDENTIFY PACKET DEVICE, the packet protocol with byte count
//! limits and interrupt reasons, the MMC commands and sense data.

use super::test_rig::*;
use super::*;

const ISO_SECTORS: usize = 300;

/// CD-ROM as master, with a disc whose pending unit attention has been consumed.
fn cd_rig() -> Rig {
    let mut rig = Rig::new(
        Some(IdeDrive::CdRom(Some(patterned_iso(ISO_SECTORS)))),
        None,
    );
    rig.select(0);
    rig
}

fn read10(lba: u32, count: u16) -> [u8; 10] {
    let l = lba.to_be_bytes();
    let c = count.to_be_bytes();
    [0x28, 0, l[0], l[1], l[2], l[3], 0, c[0], c[1], 0]
}

fn sense(rig: &mut Rig) -> (u8, u8, u8) {
    let s = rig.packet_in(&[0x03, 0, 0, 0, 18, 0], 0xFFFE).unwrap();
    assert_eq!(s.len(), 18);
    assert_eq!(s[0], 0x70);
    (s[2] & 0x0F, s[12], s[13])
}

#[test]
fn identify_device_aborts_with_signature_and_identify_packet_works() {
    let mut rig = cd_rig();
    rig.out8(0x1F4, 0);
    rig.out8(0x1F7, 0xEC);
    assert_eq!(rig.alt() & 0x01, 0x01);
    assert_eq!(rig.in8(0x1F1) & 0x04, 0x04);
    assert_eq!((rig.in8(0x1F4), rig.in8(0x1F5)), (0x14, 0xEB));
    rig.out8(0x1F7, 0xA1);
    assert!(rig.ide.irq_line());
    assert_eq!(rig.in8(0x1F7) & 0x08, 0x08);
    let b = rig.read_bytes(512);
    assert_eq!(u16::from_le_bytes([b[0], b[1]]), 0x85C0);
    let model: String = b[54..94]
        .chunks(2)
        .flat_map(|p| [p[1] as char, p[0] as char])
        .collect();
    assert_eq!(model.trim_end(), ATAPI_MODEL);
    assert_eq!(b.iter().fold(0u8, |s, &x| s.wrapping_add(x)), 0);
    assert_eq!(rig.alt() & 0x08, 0);
}

#[test]
fn inquiry_goes_through_data_and_status_phases() {
    let mut rig = cd_rig();
    rig.packet(&[0x12, 0, 0, 0, 36, 0], 0x2000);
    assert_eq!(rig.alt() & 0x89, 0x08);
    assert_eq!(rig.byte_count(), 36);
    let (data, blocks) = rig.packet_data();
    assert_eq!(blocks, vec![36]);
    assert_eq!(data[0], 0x05);
    assert_eq!(data[1], 0x80);
    assert_eq!(&data[8..14], b"RAWBOX");
    let (status, _) = rig.packet_status();
    assert_eq!(status & 0x89, 0x00);
    assert_eq!(status & 0x40, 0x40);
    // Allocation length truncates; small byte count limits split the data.
    rig.packet(&[0x12, 0, 0, 0, 30, 0], 11);
    let (data, blocks) = rig.packet_data();
    assert_eq!(blocks, vec![10, 10, 10]);
    assert_eq!(data.len(), 30);
    rig.packet_status();
}

#[test]
fn missing_media_is_not_ready_with_sense() {
    let mut rig = Rig::new(Some(IdeDrive::CdRom(None)), None);
    rig.select(0);
    rig.packet(&[0x00], 0);
    let (status, error) = rig.packet_status();
    assert_eq!(status & 0x01, 0x01);
    assert_eq!(error >> 4, 0x2);
    assert_eq!(sense(&mut rig), (0x2, 0x3A, 0x00));
    assert_eq!(
        sense(&mut rig),
        (0x0, 0x00, 0x00),
        "sense is cleared once reported"
    );
    assert_eq!(rig.packet_in(&[0x25], 0xFFFE), Err(0x2));
    assert_eq!(rig.packet_in(&read10(0, 1), 0xFFFE), Err(0x2));
}

#[test]
fn inserting_a_disc_raises_unit_attention_once() {
    let mut rig = Rig::new(Some(IdeDrive::CdRom(None)), None);
    rig.select(0);
    assert!(rig
        .ide
        .insert_media(0, patterned_iso(16))
        .unwrap()
        .is_none());
    assert_eq!(rig.packet_in(&[0x00], 0), Err(0x6));
    assert_eq!(sense(&mut rig), (0x6, 0x28, 0x00));
    assert_eq!(rig.packet_in(&[0x00], 0), Ok(vec![]));
    let ev = rig
        .packet_in(&[0x4A, 0x01, 0, 0, 0x10, 0, 0, 0, 8, 0], 0xFFFE)
        .unwrap();
    assert_eq!(ev[4], 2, "new media event");
    assert_eq!(ev[5] & 0x02, 0x02, "media present");
    let ev = rig
        .packet_in(&[0x4A, 0x01, 0, 0, 0x10, 0, 0, 0, 8, 0], 0xFFFE)
        .unwrap();
    assert_eq!(ev[4], 0, "event consumed");
}

#[test]
fn read_capacity_reports_last_lba_and_block_size() {
    let mut rig = cd_rig();
    let d = rig.packet_in(&[0x25], 0xFFFE).unwrap();
    assert_eq!(d, [0, 0, 1, 43, 0, 0, 8, 0]); // 299, 2048
}

#[test]
fn read10_splits_by_byte_count_limit_in_whole_sectors() {
    let mut rig = cd_rig();
    rig.packet(&read10(7, 5), 0x1000 + 100);
    let (data, blocks) = rig.packet_data();
    assert_eq!(blocks, vec![4096, 4096, 2048]);
    for (i, sector) in data.chunks(2048).enumerate() {
        let lba = 7 + i as u32;
        assert_eq!(&sector[..4], &lba.to_le_bytes());
        assert!(sector[4..].iter().all(|&b| b == !(lba as u8)));
    }
    let (status, _) = rig.packet_status();
    assert_eq!(status & 0x01, 0);
    // A limit smaller than a sector splits sectors.
    rig.packet(&read10(1, 1), 1000);
    let (data, blocks) = rig.packet_data();
    assert_eq!(blocks, vec![1000, 1000, 48]);
    assert_eq!(&data[..4], &1u32.to_le_bytes());
    rig.packet_status();
}

#[test]
fn read12_and_range_checks() {
    let mut rig = cd_rig();
    let d = rig
        .packet_in(&[0xA8, 0, 0, 0, 1, 0x2B, 0, 0, 0, 1, 0, 0], 0xFFFE)
        .unwrap();
    assert_eq!(&d[..4], &299u32.to_le_bytes());
    assert_eq!(
        rig.packet_in(&[0xA8, 0, 0, 0, 1, 0x2B, 0, 0, 0, 2, 0, 0], 0xFFFE),
        Err(0x5)
    );
    assert_eq!(sense(&mut rig), (0x5, 0x21, 0x00));
    assert_eq!(rig.packet_in(&read10(0xFFFF_FFFF, 2), 0xFFFE), Err(0x5));
    assert_eq!(rig.packet_in(&read10(3, 0), 0xFFFE), Ok(vec![]));
}

#[test]
fn read_toc_formats() {
    let mut rig = cd_rig();
    let toc = rig
        .packet_in(&[0x43, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0], 0xFFFE)
        .unwrap();
    assert_eq!(
        toc,
        [0, 18, 1, 1, 0, 0x14, 1, 0, 0, 0, 0, 0, 0, 0x14, 0xAA, 0, 0, 0, 1, 44]
    );
    let toc = rig
        .packet_in(&[0x43, 0x02, 0, 0, 0, 0, 0, 0, 0xFF, 0], 0xFFFE)
        .unwrap();
    // Track 1 at 00:02:00, lead-out at 300 + 150 frames = 00:06:00.
    assert_eq!(&toc[8..12], &[0, 0, 2, 0]);
    assert_eq!(&toc[16..20], &[0, 0, 6, 0]);
    let toc = rig
        .packet_in(&[0x43, 0, 0, 0, 0, 0, 0xAA, 0, 0xFF, 0], 0xFFFE)
        .unwrap();
    assert_eq!(toc.len(), 12);
    assert_eq!(toc[6], 0xAA);
    let session = rig
        .packet_in(&[0x43, 0, 1, 0, 0, 0, 0, 0, 0xFF, 0], 0xFFFE)
        .unwrap();
    assert_eq!(session, [0, 10, 1, 1, 0, 0x14, 1, 0, 0, 0, 0, 0]);
    assert_eq!(
        rig.packet_in(&[0x43, 0, 0, 0, 0, 0, 2, 0, 0xFF, 0], 0xFFFE),
        Err(0x5)
    );
    let short = rig
        .packet_in(&[0x43, 0, 0, 0, 0, 0, 0, 0, 4, 0], 0xFFFE)
        .unwrap();
    assert_eq!(short, [0, 18, 1, 1]);
}

#[test]
fn mode_sense_capabilities_page() {
    let mut rig = cd_rig();
    let d = rig
        .packet_in(&[0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 0xFF, 0], 0xFFFE)
        .unwrap();
    assert_eq!(usize::from(u16::from_be_bytes([d[0], d[1]])), d.len() - 2);
    assert_eq!(d[2], 0x01, "medium type: data CD");
    assert_eq!(d[8], 0x2A);
    assert_eq!(usize::from(d[9]) + 2, d.len() - 8);
    let all = rig
        .packet_in(&[0x5A, 0, 0x3F, 0, 0, 0, 0, 0, 0xFF, 0], 0xFFFE)
        .unwrap();
    assert_eq!(all[8], 0x01);
    assert_eq!(all[20], 0x2A);
    assert_eq!(
        rig.packet_in(&[0x5A, 0, 0x05, 0, 0, 0, 0, 0, 0xFF, 0], 0xFFFE),
        Err(0x5)
    );
    assert_eq!(sense(&mut rig), (0x5, 0x24, 0x00));
}

#[test]
fn prevent_allow_and_start_stop_eject() {
    let mut rig = cd_rig();
    assert_eq!(rig.packet_in(&[0x1E, 0, 0, 0, 1, 0], 0), Ok(vec![]));
    assert_eq!(rig.packet_in(&[0x1B, 0, 0, 0, 0x02, 0], 0), Err(0x5));
    assert_eq!(sense(&mut rig), (0x5, 0x53, 0x02));
    assert!(rig.ide.disk_mut(0).is_some());
    assert_eq!(rig.packet_in(&[0x1E, 0, 0, 0, 0, 0], 0), Ok(vec![]));
    assert_eq!(rig.packet_in(&[0x1B, 0, 0, 0, 0x02, 0], 0), Ok(vec![]));
    assert!(rig.ide.disk_mut(0).is_none());
    assert_eq!(rig.packet_in(&[0x00], 0), Err(0x2));
}

#[test]
fn get_configuration_reports_cdrom_profile() {
    let mut rig = cd_rig();
    let d = rig
        .packet_in(&[0x46, 0, 0, 0, 0, 0, 0, 0x01, 0, 0], 0xFFFE)
        .unwrap();
    assert_eq!(
        u32::from_be_bytes([d[0], d[1], d[2], d[3]]) as usize,
        d.len() - 4
    );
    assert_eq!(&d[6..8], &[0x00, 0x08], "current profile CD-ROM");
    assert_eq!(&d[8..10], &[0x00, 0x00], "profile list first");
    assert_eq!(&d[12..14], &[0x00, 0x08]);
    // RT = 2: only the named feature.
    let d = rig
        .packet_in(&[0x46, 0x02, 0, 0x01, 0, 0, 0, 0x01, 0, 0], 0xFFFE)
        .unwrap();
    assert_eq!(d.len(), 8 + 12);
    assert_eq!(&d[8..10], &[0x00, 0x01]);
}

#[test]
fn unknown_packets_and_dma_requests_are_refused() {
    let mut rig = cd_rig();
    assert_eq!(rig.packet_in(&[0xFF], 0xFFFE), Err(0x5));
    assert_eq!(sense(&mut rig), (0x5, 0x20, 0x00));
    rig.out8(0x1F1, 0x01);
    rig.out8(0x1F7, 0xA0);
    assert_eq!(rig.alt() & 0x09, 0x01, "DMA PACKET refused without DRQ");
    assert_eq!(rig.in8(0x1F2) & 3, 3);
    rig.out8(0x1F1, 0x00);
    assert_eq!(rig.packet_in(&[0x00], 0), Ok(vec![]));
}

#[test]
fn cdrom_as_slave_behind_a_disk() {
    let mut rig = Rig::new(
        Some(IdeDrive::HardDisk(patterned_disk(2048))),
        Some(IdeDrive::CdRom(Some(patterned_iso(20)))),
    );
    rig.select(1);
    let d = rig.packet_in(&read10(19, 1), 0xFFFE).unwrap();
    assert_eq!(&d[..4], &19u32.to_le_bytes());
    assert_eq!(rig.ide.eject_media(1).map(|m| m.sector_count()), Some(20));
    assert_eq!(
        rig.packet_in(&[0x00], 0),
        Err(0x6),
        "removal is a unit attention"
    );
    assert_eq!(rig.packet_in(&[0x00], 0), Err(0x2));
}
