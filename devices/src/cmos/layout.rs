//! The standard PC/AT CMOS RAM layout (bytes 0x0E-0x3F) built from a [`CmosConfig`]:
//! floppy and hard disk types, equipment byte, memory sizes, century, boot order and the
//! checksum over 0x10-0x2D.

/// Floppy drive types as CMOS byte 0x10 encodes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloppyType {
    None = 0,
    K360 = 1,
    M1_2 = 2,
    K720 = 3,
    M1_44 = 4,
    M2_88 = 5,
}

/// Geometry of a hard disk reported as the user-defined type 47.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HardDiskGeometry {
    pub cylinders: u16,
    pub heads: u8,
    pub sectors_per_track: u8,
}

/// A boot device code in the boot order bytes (the rawbox BIOS reads these).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BootDevice {
    Floppy = 1,
    HardDisk = 2,
    CdRom = 3,
}

/// What the CMOS RAM describes about the machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CmosConfig {
    /// Conventional memory in KB (normally 640).
    pub base_kb: u16,
    /// Memory above 1 MB, in KB.
    pub ext_kb: u32,
    pub floppy_a: FloppyType,
    pub floppy_b: FloppyType,
    /// Hard disks 0 and 1 (the primary master and slave).
    pub hard_disks: [Option<HardDiskGeometry>; 2],
    /// Boot devices in order (up to three are stored).
    pub boot_order: Vec<BootDevice>,
    /// A math coprocessor is present (equipment byte bit 1).
    pub fpu_present: bool,
}

impl Default for CmosConfig {
    fn default() -> CmosConfig {
        CmosConfig {
            base_kb: 640,
            ext_kb: 15 * 1024,
            floppy_a: FloppyType::M1_44,
            floppy_b: FloppyType::None,
            hard_disks: [None, None],
            boot_order: vec![BootDevice::Floppy, BootDevice::HardDisk],
            fpu_present: true,
        }
    }
}

/// Byte offsets of the layout.
pub mod offsets {
    pub const SHUTDOWN_STATUS: usize = 0x0F;
    pub const FLOPPY_TYPES: usize = 0x10;
    pub const DISK_TYPES: usize = 0x12;
    pub const EQUIPMENT: usize = 0x14;
    pub const BASE_MEMORY: usize = 0x15;
    pub const EXT_MEMORY: usize = 0x17;
    pub const DISK0_EXT_TYPE: usize = 0x19;
    pub const DISK1_EXT_TYPE: usize = 0x1A;
    pub const DISK0_GEOMETRY: usize = 0x1B;
    pub const DISK1_GEOMETRY: usize = 0x24;
    pub const CHECKSUM: usize = 0x2E;
    pub const EXT_MEMORY_POST: usize = 0x30;
    pub const CENTURY: usize = 0x32;
    pub const MEMORY_ABOVE_16M: usize = 0x34;
    /// Third boot device in bits 7-4.
    pub const BOOT_ORDER_THIRD: usize = 0x38;
    /// First boot device in bits 3-0, second in bits 7-4.
    pub const BOOT_ORDER: usize = 0x3D;
}

/// The hard disk type that means "geometry in the user-defined bytes".
pub const USER_DISK_TYPE: u8 = 47;

/// Largest extended memory size reported in KB by 0x17/0x30 (63 MB, as INT 15h AH=88h can).
const MAX_EXT_KB_FIELD: u32 = 0xFC00;

fn put_word(ram: &mut [u8; 128], at: usize, value: u16) {
    ram[at] = value as u8;
    ram[at + 1] = (value >> 8) as u8;
}

/// Writes the configuration bytes into `ram` (time registers untouched) and the checksum.
pub fn fill(ram: &mut [u8; 128], config: &CmosConfig, century_bcd: u8) {
    use offsets::*;
    ram[SHUTDOWN_STATUS] = 0;
    ram[FLOPPY_TYPES] = (config.floppy_a as u8) << 4 | config.floppy_b as u8;

    let mut disk_nibbles = 0u8;
    for (i, disk) in config.hard_disks.iter().enumerate() {
        let Some(geometry) = disk else { continue };
        disk_nibbles |= 0xF0 >> (4 * i);
        ram[[DISK0_EXT_TYPE, DISK1_EXT_TYPE][i]] = USER_DISK_TYPE;
        let at = [DISK0_GEOMETRY, DISK1_GEOMETRY][i];
        put_word(ram, at, geometry.cylinders);
        ram[at + 2] = geometry.heads;
        put_word(ram, at + 3, 0xFFFF); // no write precompensation
        ram[at + 5] = 0xC0 | if geometry.heads > 8 { 0x08 } else { 0 };
        put_word(ram, at + 6, geometry.cylinders); // landing zone
        ram[at + 8] = geometry.sectors_per_track;
    }
    ram[DISK_TYPES] = disk_nibbles;

    let floppies = [config.floppy_a, config.floppy_b]
        .iter()
        .filter(|&&f| f != FloppyType::None)
        .count() as u8;
    let mut equipment = 0u8; // display bits 5-4 = 00: EGA/VGA
    if floppies > 0 {
        equipment |= 0x01 | (floppies - 1) << 6;
    }
    if config.fpu_present {
        equipment |= 0x02;
    }
    ram[EQUIPMENT] = equipment;

    put_word(ram, BASE_MEMORY, config.base_kb);
    let ext_field = config.ext_kb.min(MAX_EXT_KB_FIELD) as u16;
    put_word(ram, EXT_MEMORY, ext_field);
    put_word(ram, EXT_MEMORY_POST, ext_field);
    let above_16m_kb = (u64::from(config.ext_kb) + 1024).saturating_sub(16 * 1024);
    put_word(
        ram,
        MEMORY_ABOVE_16M,
        (above_16m_kb / 64).min(0xFFFF) as u16,
    );

    ram[CENTURY] = century_bcd;
    let code = |i: usize| config.boot_order.get(i).map_or(0, |&d| d as u8);
    ram[BOOT_ORDER] = code(1) << 4 | code(0);
    ram[BOOT_ORDER_THIRD] = (ram[BOOT_ORDER_THIRD] & 0x0F) | code(2) << 4;

    update_checksum(ram);
}

/// Sum of bytes 0x10-0x2D.
pub fn checksum(ram: &[u8; 128]) -> u16 {
    ram[0x10..=0x2D]
        .iter()
        .map(|&b| u16::from(b))
        .fold(0u16, u16::wrapping_add)
}

/// Stores the checksum at 0x2E (high byte) and 0x2F (low byte).
pub fn update_checksum(ram: &mut [u8; 128]) {
    let sum = checksum(ram);
    ram[offsets::CHECKSUM] = (sum >> 8) as u8;
    ram[offsets::CHECKSUM + 1] = sum as u8;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(config: &CmosConfig) -> [u8; 128] {
        let mut ram = [0u8; 128];
        fill(&mut ram, config, 0x20);
        ram
    }

    #[test]
    fn floppy_and_equipment_bytes() {
        let mut config = CmosConfig {
            floppy_b: FloppyType::M1_2,
            ..CmosConfig::default()
        };
        let ram = filled(&config);
        assert_eq!(ram[0x10], 0x42);
        assert_eq!(ram[0x14], 0x43, "two floppies, present, FPU, VGA");
        config.floppy_a = FloppyType::None;
        config.floppy_b = FloppyType::None;
        config.fpu_present = false;
        assert_eq!(filled(&config)[0x14], 0x00);
    }

    #[test]
    fn memory_sizes() {
        let config = CmosConfig {
            ext_kb: 31 * 1024,
            ..CmosConfig::default()
        };
        let ram = filled(&config);
        assert_eq!(u16::from_le_bytes([ram[0x15], ram[0x16]]), 640);
        assert_eq!(u16::from_le_bytes([ram[0x17], ram[0x18]]), 31 * 1024);
        assert_eq!(u16::from_le_bytes([ram[0x30], ram[0x31]]), 31 * 1024);
        // 32 MB total: 16 MB above 16 MB = 256 blocks of 64 KB.
        assert_eq!(u16::from_le_bytes([ram[0x34], ram[0x35]]), 256);
        let big = filled(&CmosConfig {
            ext_kb: 5 * 1024 * 1024,
            ..CmosConfig::default()
        });
        assert_eq!(u16::from_le_bytes([big[0x30], big[0x31]]), 0xFC00);
        assert_eq!(u16::from_le_bytes([big[0x34], big[0x35]]), 0xFFFF);
        let small = filled(&CmosConfig {
            ext_kb: 3 * 1024,
            ..CmosConfig::default()
        });
        assert_eq!(u16::from_le_bytes([small[0x34], small[0x35]]), 0);
    }

    #[test]
    fn hard_disk_types_and_geometry() {
        let geometry = HardDiskGeometry {
            cylinders: 1024,
            heads: 16,
            sectors_per_track: 63,
        };
        let config = CmosConfig {
            hard_disks: [Some(geometry), None],
            ..CmosConfig::default()
        };
        let ram = filled(&config);
        assert_eq!(ram[0x12], 0xF0);
        assert_eq!(ram[0x19], 47);
        assert_eq!(ram[0x1A], 0);
        assert_eq!(
            &ram[0x1B..=0x23],
            &[0x00, 0x04, 16, 0xFF, 0xFF, 0xC8, 0x00, 0x04, 63]
        );
        let both = CmosConfig {
            hard_disks: [Some(geometry), Some(geometry)],
            ..config
        };
        let ram = filled(&both);
        assert_eq!(ram[0x12], 0xFF);
        assert_eq!(ram[0x1A], 47);
        assert_eq!(ram[0x2C], 63);
    }

    #[test]
    fn checksum_covers_0x10_to_0x2d() {
        let mut ram = filled(&CmosConfig::default());
        let expected: u16 = ram[0x10..=0x2D].iter().map(|&b| u16::from(b)).sum();
        assert_eq!(u16::from_be_bytes([ram[0x2E], ram[0x2F]]), expected);
        ram[0x20] = ram[0x20].wrapping_add(1);
        assert_ne!(checksum(&ram), expected);
        ram[0x32] = 0x99; // outside the range
        ram[0x20] = ram[0x20].wrapping_sub(1);
        assert_eq!(checksum(&ram), expected);
    }

    #[test]
    fn century_and_boot_order() {
        let config = CmosConfig {
            boot_order: vec![BootDevice::CdRom, BootDevice::HardDisk, BootDevice::Floppy],
            ..CmosConfig::default()
        };
        let ram = filled(&config);
        assert_eq!(ram[0x32], 0x20);
        assert_eq!(ram[0x3D], 0x23);
        assert_eq!(ram[0x38] >> 4, 1);
    }
}
