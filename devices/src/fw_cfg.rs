//! A firmware configuration interface in the style of QEMU's fw_cfg (I/O ports only, no DMA):
//! a 16-bit item selector at port 0x510 and a byte-wide data port at 0x511 reading the
//! selected item from its start. Item 0x0000 is the "QEMU" signature, 0x0001 the feature
//! bits (1: the port interface), 0x0019 the file directory (a big-endian count, then 64-byte
//! entries: size, selector, reserved, 56-byte NUL-padded name); named files get selectors
//! from 0x0020. Unknown items and reads past an item's end read 0.

use crate::byte_ports::{read_split, write_split};
use rawbox_cpu::Width;

pub const SELECTOR_PORT: u16 = 0x510;
pub const DATA_PORT: u16 = 0x511;

const ITEM_SIGNATURE: u16 = 0x0000;
const ITEM_ID: u16 = 0x0001;
const ITEM_RAM_SIZE: u16 = 0x0003;
const ITEM_NB_CPUS: u16 = 0x0005;
const ITEM_MAX_CPUS: u16 = 0x000F;
const ITEM_FILE_DIR: u16 = 0x0019;
const FIRST_FILE_ITEM: u16 = 0x0020;
/// Longest file name, with its terminating NUL.
const NAME_LEN: usize = 56;

/// Errors adding a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FwCfgError {
    /// The name is empty or does not fit the directory's 55 characters.
    BadName(String),
    /// The name is already there.
    Duplicate(String),
}

impl std::fmt::Display for FwCfgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FwCfgError::BadName(n) => write!(f, "fw_cfg file name '{n}' is empty or too long"),
            FwCfgError::Duplicate(n) => write!(f, "fw_cfg file '{n}' added twice"),
        }
    }
}
impl std::error::Error for FwCfgError {}

/// The firmware configuration device.
#[derive(Clone, Debug)]
pub struct FwCfg {
    items: Vec<(u16, Vec<u8>)>,
    files: Vec<(String, u16)>,
    selected: u16,
    offset: usize,
}

impl FwCfg {
    /// A device announcing `ram_bytes` of RAM and one CPU, with no files yet.
    pub fn new(ram_bytes: u64) -> FwCfg {
        let mut d = FwCfg {
            items: Vec::new(),
            files: Vec::new(),
            selected: 0,
            offset: 0,
        };
        d.items.push((ITEM_SIGNATURE, b"QEMU".to_vec()));
        d.items.push((ITEM_ID, 1u32.to_le_bytes().to_vec()));
        d.items
            .push((ITEM_RAM_SIZE, ram_bytes.to_le_bytes().to_vec()));
        d.items.push((ITEM_NB_CPUS, 1u16.to_le_bytes().to_vec()));
        d.items.push((ITEM_MAX_CPUS, 1u16.to_le_bytes().to_vec()));
        d.rebuild_directory();
        d
    }

    /// Adds a named file (e.g. "vgaroms/vgabios.bin").
    pub fn add_file(&mut self, name: &str, data: Vec<u8>) -> Result<(), FwCfgError> {
        if name.is_empty() || name.len() >= NAME_LEN {
            return Err(FwCfgError::BadName(name.to_string()));
        }
        if self.files.iter().any(|(n, _)| n == name) {
            return Err(FwCfgError::Duplicate(name.to_string()));
        }
        let item = FIRST_FILE_ITEM + self.files.len() as u16;
        self.files.push((name.to_string(), item));
        self.items.push((item, data));
        self.rebuild_directory();
        Ok(())
    }

    fn item(&self, key: u16) -> Option<&[u8]> {
        self.items
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, d)| d.as_slice())
    }

    fn rebuild_directory(&mut self) {
        let mut dir = (self.files.len() as u32).to_be_bytes().to_vec();
        for (name, item) in &self.files {
            let size = self.item(*item).map_or(0, |d| d.len()) as u32;
            dir.extend_from_slice(&size.to_be_bytes());
            dir.extend_from_slice(&item.to_be_bytes());
            dir.extend_from_slice(&[0, 0]);
            let mut n = [0u8; NAME_LEN];
            n[..name.len()].copy_from_slice(name.as_bytes());
            dir.extend_from_slice(&n);
        }
        self.items.retain(|(k, _)| *k != ITEM_FILE_DIR);
        self.items.push((ITEM_FILE_DIR, dir));
    }

    fn read_data(&mut self) -> u8 {
        let b = self
            .item(self.selected)
            .and_then(|d| d.get(self.offset).copied())
            .unwrap_or(0);
        self.offset = self.offset.saturating_add(1);
        b
    }

    /// Port read: the data port returns the next byte of the selected item.
    pub fn port_read(&mut self, port: u16, width: Width, _now_ns: u64) -> u32 {
        read_split(port, width, |p| match p {
            DATA_PORT => self.read_data(),
            _ => 0xFF,
        })
    }

    /// Port write: a word (or byte) write to the selector port picks an item and rewinds it.
    pub fn port_write(&mut self, port: u16, width: Width, value: u32, _now_ns: u64) {
        if port == SELECTOR_PORT && width != Width::Byte {
            self.selected = value as u16;
            self.offset = 0;
            return;
        }
        write_split(port, width, value, |p, b| {
            if p == SELECTOR_PORT {
                self.selected = u16::from(b);
                self.offset = 0;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_item(d: &mut FwCfg, key: u16, n: usize) -> Vec<u8> {
        d.port_write(SELECTOR_PORT, Width::Word, u32::from(key), 0);
        (0..n)
            .map(|_| d.port_read(DATA_PORT, Width::Byte, 0) as u8)
            .collect()
    }

    #[test]
    fn signature_id_ram_and_unknown_items() {
        let mut d = FwCfg::new(64 << 20);
        assert_eq!(read_item(&mut d, 0, 4), b"QEMU");
        assert_eq!(read_item(&mut d, 1, 4), [1, 0, 0, 0]);
        assert_eq!(read_item(&mut d, 3, 8), (64u64 << 20).to_le_bytes());
        assert_eq!(read_item(&mut d, 5, 2), [1, 0]);
        assert_eq!(read_item(&mut d, 0x1234, 3), [0, 0, 0]);
        // Past the end reads zero; reselecting rewinds.
        assert_eq!(read_item(&mut d, 0, 6), b"QEMU\0\0");
        assert_eq!(read_item(&mut d, 0, 1), b"Q");
    }

    #[test]
    fn file_directory_lists_files() {
        let mut d = FwCfg::new(1 << 20);
        assert_eq!(read_item(&mut d, ITEM_FILE_DIR, 4), [0, 0, 0, 0]);
        d.add_file("vgaroms/vga.bin", vec![0x55, 0xAA, 7]).unwrap();
        d.add_file("etc/x", vec![9]).unwrap();
        let dir = read_item(&mut d, ITEM_FILE_DIR, 4 + 2 * 64);
        assert_eq!(dir[..4], [0, 0, 0, 2]);
        assert_eq!(dir[4..8], [0, 0, 0, 3]);
        assert_eq!(dir[8..10], [0, 0x20]);
        assert_eq!(&dir[12..27], b"vgaroms/vga.bin");
        assert_eq!(dir[27], 0);
        assert_eq!(dir[68..72], [0, 0, 0, 1]);
        assert_eq!(dir[72..74], [0, 0x21]);
        assert_eq!(read_item(&mut d, 0x20, 3), [0x55, 0xAA, 7]);
        assert_eq!(read_item(&mut d, 0x21, 1), [9]);
        assert_eq!(
            d.add_file("etc/x", vec![]),
            Err(FwCfgError::Duplicate("etc/x".into()))
        );
        assert!(d.add_file(&"n".repeat(56), vec![]).is_err());
        assert!(d.add_file("", vec![]).is_err());
    }

    #[test]
    fn random_guest_traffic_does_not_panic() {
        let mut dev = FwCfg::new(1 << 20);
        dev.add_file("a", vec![1, 2, 3]).unwrap();
        let cell = std::cell::RefCell::new(&mut dev);
        crate::test_rng::random_port_traffic(
            13,
            50_000,
            &[SELECTOR_PORT, DATA_PORT, 0x512],
            |p, w, t| {
                cell.borrow_mut().port_read(p, w, t);
            },
            |p, w, v, t| cell.borrow_mut().port_write(p, w, v, t),
        );
    }
}
