//! The 512-byte IDENTIFY DEVICE (ATA disk) and IDENTIFY PACKET DEVICE (ATAPI CD-ROM) blocks:
//! little-endian words, ATA strings with the first character in each word's high byte, and the
//! integrity word (signature 0xA5 and checksum) in word 255.

use super::ata::{AtaDisk, MAX_MULTIPLE};

/// Model string of the hard disk.
pub const ATA_MODEL: &str = "RAWBOX HARDDISK";
/// Model string of the CD-ROM.
pub const ATAPI_MODEL: &str = "RAWBOX CD-ROM";
const FIRMWARE: &str = "1.0";

struct Block([u8; 512]);

impl Block {
    fn new() -> Block {
        Block([0; 512])
    }

    fn word(&mut self, index: usize, value: u16) {
        self.0[index * 2..index * 2 + 2].copy_from_slice(&value.to_le_bytes());
    }

    fn dword(&mut self, index: usize, value: u32) {
        self.word(index, value as u16);
        self.word(index + 1, (value >> 16) as u16);
    }

    /// ATA string: padded with spaces to `words * 2` characters, bytes swapped in each word.
    fn string(&mut self, index: usize, words: usize, text: &str) {
        let mut chars = text.bytes().chain(std::iter::repeat(b' '));
        for w in 0..words {
            let first = chars.next().unwrap_or(b' ');
            let second = chars.next().unwrap_or(b' ');
            self.word(index + w, u16::from(first) << 8 | u16::from(second));
        }
    }

    /// Word 255: signature 0xA5 and a checksum making all 512 bytes sum to zero.
    fn finish(mut self) -> [u8; 512] {
        self.0[510] = 0xA5;
        let sum = self.0[..511].iter().fold(0u8, |s, &b| s.wrapping_add(b));
        self.0[511] = sum.wrapping_neg();
        self.0
    }
}

/// IDENTIFY DEVICE data of a hard disk.
pub(super) fn ata_identify(disk: &AtaDisk) -> [u8; 512] {
    let mut b = Block::new();
    let g = disk.default_geometry;
    let cur = disk.current_geometry;
    let capacity = disk.lba_capacity() as u32;
    b.word(0, 0x0040); // fixed device, not removable
    b.word(1, g.cylinders as u16);
    b.word(3, g.heads as u16);
    b.word(4, (512 * g.sectors_per_track) as u16);
    b.word(5, 512);
    b.word(6, g.sectors_per_track as u16);
    b.string(10, 10, &format!("RBHD{:016X}", disk.image.sector_count()));
    b.word(20, 3); // dual-ported buffer with read cache
    b.word(21, 512); // buffer size in sectors
    b.word(22, 4); // ECC bytes on READ/WRITE LONG
    b.string(23, 4, FIRMWARE);
    b.string(27, 20, ATA_MODEL);
    b.word(47, 0x8000 | u16::from(MAX_MULTIPLE));
    b.word(48, 0x0001); // doubleword I/O
    b.word(49, 0x0200); // LBA supported
    b.word(50, 0x4000);
    b.word(51, 0x0200); // PIO mode 2 timing
    b.word(53, 0x0003); // words 54-58 and 64-70 valid
    let current_capacity = cur.total_sectors().min(u64::from(capacity)) as u32;
    b.word(54, cur.cylinders.min(65535) as u16);
    b.word(55, cur.heads as u16);
    b.word(56, cur.sectors_per_track as u16);
    b.dword(57, current_capacity);
    if disk.multiple != 0 {
        b.word(59, 0x0100 | u16::from(disk.multiple));
    }
    b.dword(60, capacity);
    b.word(64, 0x0003); // PIO modes 3 and 4
    b.word(67, 120); // minimum PIO cycle time without flow control
    b.word(68, 120); // with IORDY
    b.word(80, 0x001E); // ATA-1 to ATA-4
    b.word(82, 0x0000);
    b.word(83, 0x5000); // FLUSH CACHE supported
    b.word(84, 0x4000);
    b.word(85, 0x0000);
    b.word(86, 0x1000);
    b.word(87, 0x4000);
    b.finish()
}

/// IDENTIFY PACKET DEVICE data of the CD-ROM.
pub(super) fn atapi_identify() -> [u8; 512] {
    let mut b = Block::new();
    // ATAPI, CD-ROM device type, removable, DRQ within 50 us, 12-byte packets.
    b.word(0, 0x85C0);
    b.string(10, 10, "RBCD0000000000000001");
    b.string(23, 4, FIRMWARE);
    b.string(27, 20, ATAPI_MODEL);
    b.word(49, 0x0200); // LBA
    b.word(53, 0x0002); // words 64-70 valid
    b.word(64, 0x0003);
    b.word(67, 120);
    b.word(68, 120);
    b.word(80, 0x001E);
    b.word(82, 0x0210); // PACKET and DEVICE RESET
    b.word(83, 0x4000);
    b.word(84, 0x4000);
    b.word(85, 0x0210);
    b.word(87, 0x4000);
    b.finish()
}
