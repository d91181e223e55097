//! Port-level helpers shared by the IDE tests.

use super::*;

pub(super) struct Rig {
    pub ide: IdeChannel,
}

/// A hard disk image whose sector `lba` starts with `lba` as u32 LE and is filled with
/// `lba as u8`.
pub(super) fn patterned_disk(sectors: usize) -> DiskImage {
    let mut data = vec![0u8; sectors * 512];
    for (lba, s) in data.chunks_mut(512).enumerate() {
        s.fill(lba as u8);
        s[..4].copy_from_slice(&(lba as u32).to_le_bytes());
    }
    DiskImage::from_bytes("hd.img", MediaKind::HardDisk, data, false).unwrap()
}

/// A CD image whose sector `lba` starts with `lba` as u32 LE and is filled with `!lba as u8`.
pub(super) fn patterned_iso(sectors: usize) -> DiskImage {
    let mut data = vec![0u8; sectors * 2048];
    for (lba, s) in data.chunks_mut(2048).enumerate() {
        s.fill(!(lba as u8));
        s[..4].copy_from_slice(&(lba as u32).to_le_bytes());
    }
    DiskImage::from_bytes("cd.iso", MediaKind::CdRom, data, true).unwrap()
}

impl Rig {
    pub fn new(master: Option<IdeDrive>, slave: Option<IdeDrive>) -> Rig {
        let mut ide = IdeChannel::new(ChannelId::Primary);
        if let Some(m) = master {
            ide.attach(0, m).unwrap();
        }
        if let Some(s) = slave {
            ide.attach(1, s).unwrap();
        }
        Rig { ide }
    }

    pub fn out8(&mut self, port: u16, v: u8) {
        self.ide.port_write(port, Width::Byte, u32::from(v), 0);
    }

    pub fn in8(&mut self, port: u16) -> u8 {
        self.ide.port_read(port, Width::Byte, 0) as u8
    }

    pub fn in16(&mut self) -> u16 {
        self.ide.port_read(0x1F0, Width::Word, 0) as u16
    }

    pub fn out16(&mut self, v: u16) {
        self.ide.port_write(0x1F0, Width::Word, u32::from(v), 0);
    }

    /// Reads `bytes` bytes from the data port, word by word.
    pub fn read_bytes(&mut self, bytes: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes);
        for _ in 0..bytes / 2 {
            out.extend_from_slice(&self.in16().to_le_bytes());
        }
        out
    }

    pub fn write_bytes(&mut self, data: &[u8]) {
        for pair in data.chunks(2) {
            let lo = pair[0];
            let hi = pair.get(1).copied().unwrap_or(0);
            self.out16(u16::from_le_bytes([lo, hi]));
        }
    }

    /// Alternate status (no INTRQ acknowledge).
    pub fn alt(&mut self) -> u8 {
        self.in8(0x3F6)
    }

    pub fn select(&mut self, slot: u8) {
        self.out8(0x1F6, 0xA0 | slot << 4);
    }

    /// Loads an LBA28 address and a count and issues `command`.
    pub fn lba_command(&mut self, slot: u8, command: u8, lba: u32, count: u8) {
        self.out8(0x1F6, 0xE0 | slot << 4 | ((lba >> 24) as u8 & 0x0F));
        self.out8(0x1F2, count);
        self.out8(0x1F3, lba as u8);
        self.out8(0x1F4, (lba >> 8) as u8);
        self.out8(0x1F5, (lba >> 16) as u8);
        self.out8(0x1F7, command);
    }

    /// Sends a PACKET command with `cdb` and a byte count limit; returns nothing, leaving the
    /// device in its data or status phase.
    pub fn packet(&mut self, cdb: &[u8], byte_limit: u16) {
        self.out8(0x1F1, 0);
        self.out8(0x1F4, byte_limit as u8);
        self.out8(0x1F5, (byte_limit >> 8) as u8);
        self.out8(0x1F7, 0xA0);
        assert_eq!(self.alt() & 0x88, 0x08, "DRQ for the packet");
        assert_eq!(self.in8(0x1F2) & 3, 1, "interrupt reason: command out");
        assert!(!self.ide.irq_line(), "no interrupt before the packet");
        let mut packet = [0u8; 12];
        packet[..cdb.len()].copy_from_slice(cdb);
        self.write_bytes(&packet);
    }

    /// Byte count register.
    pub fn byte_count(&mut self) -> usize {
        usize::from(self.in8(0x1F4)) | usize::from(self.in8(0x1F5)) << 8
    }

    /// Reads every DRQ block of a packet command's data phase; returns the data and the sizes.
    pub fn packet_data(&mut self) -> (Vec<u8>, Vec<usize>) {
        let mut data = Vec::new();
        let mut blocks = Vec::new();
        while self.alt() & 0x08 != 0 {
            assert_eq!(self.in8(0x1F2) & 3, 2, "interrupt reason: data in");
            assert!(self.ide.irq_line());
            let n = self.byte_count();
            blocks.push(n);
            self.in8(0x1F7);
            data.extend(self.read_bytes(n));
            assert!(blocks.len() < 10_000);
        }
        (data, blocks)
    }

    /// Status phase of a packet command: (status, error), checking the interrupt reason.
    pub fn packet_status(&mut self) -> (u8, u8) {
        assert_eq!(self.in8(0x1F2) & 3, 3, "interrupt reason: status");
        assert!(self.ide.irq_line());
        let status = self.in8(0x1F7);
        assert!(!self.ide.irq_line());
        (status, self.in8(0x1F1))
    }

    /// A packet command with data in: returns the data, or the sense key on error.
    pub fn packet_in(&mut self, cdb: &[u8], byte_limit: u16) -> Result<Vec<u8>, u8> {
        self.packet(cdb, byte_limit);
        let (data, _) = self.packet_data();
        let (status, error) = self.packet_status();
        if status & 1 != 0 {
            Err(error >> 4)
        } else {
            Ok(data)
        }
    }
}
