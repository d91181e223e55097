//! The machine as the BIOS sees it: the [`BiosHost`] trait the vmm implements and the
//! [`BiosConfig`] describing what POST should report (memory, drives, boot order).

use rawbox_cpu::{Cpu, Width};
use rawbox_devices::disk_image::DiskImage;
use rawbox_devices::vga::Vga;

/// A device INT 19h may boot from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BootDevice {
    /// Floppy drive A: (BIOS drive 0x00).
    Floppy,
    /// First hard disk C: (BIOS drive 0x80).
    HardDisk,
    /// The CD-ROM (BIOS drive 0xE0), El Torito no-emulation boot.
    CdRom,
}

/// BIOS drive number of the CD-ROM.
pub const CDROM_DRIVE: u8 = 0xE0;

/// What the BIOS reports about the machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BiosConfig {
    /// Installed RAM in bytes (including the first megabyte).
    pub memory_bytes: u64,
    /// Number of floppy drives (0-2); a drive may exist without a disk in it.
    pub floppy_drives: u8,
    /// Boot order tried by INT 19h.
    pub boot_order: Vec<BootDevice>,
}

impl Default for BiosConfig {
    fn default() -> Self {
        BiosConfig {
            memory_bytes: 16 << 20,
            floppy_drives: 1,
            boot_order: vec![BootDevice::Floppy, BootDevice::HardDisk, BootDevice::CdRom],
        }
    }
}

/// The machine the BIOS services run on. The vmm implements it over its real devices, the
/// tests over mocks. Port accesses must go through the machine bus so device side effects
/// (PIC EOI, PIT programming, CMOS index, KBC commands) happen.
pub trait BiosHost {
    /// The CPU: registers in `cpu.state`, guest memory in `cpu.mem`.
    fn cpu(&mut self) -> &mut Cpu;
    /// Reads an I/O port through the machine bus.
    fn port_read(&mut self, port: u16, width: Width) -> u32;
    /// Writes an I/O port through the machine bus.
    fn port_write(&mut self, port: u16, width: Width, value: u32);
    /// The VGA adapter (video memory at 0xA0000-0xBFFFF is reached through it).
    fn vga(&mut self) -> &mut Vga;
    /// The image behind a BIOS drive number (0x00/0x01 floppies, 0x80/0x81 hard disks,
    /// 0xE0 CD-ROM), or `None` when there is no such drive or no medium.
    fn disk(&mut self, bios_drive: u8) -> Option<&mut DiskImage>;
    /// Virtual time in nanoseconds.
    fn now_ns(&self) -> u64;
    /// The machine configuration.
    fn config(&self) -> &BiosConfig;
    /// Switches the A20 gate (INT 15h AX=2400h/2401h), after the BIOS wrote port 92h and
    /// the keyboard controller's A20 commands through the bus. The default sets the CPU's
    /// gate directly (a platform that derives it from those ports may do nothing here).
    fn set_a20(&mut self, on: bool) {
        self.cpu().set_a20(on);
    }
    /// True once after the medium in floppy `bios_drive` was changed (INT 13h AH=16h reports
    /// it so DOS rereads the disk). The default never reports a change.
    fn take_media_changed(&mut self, _bios_drive: u8) -> bool {
        false
    }
    /// Asks the machine for a reset (Ctrl-Alt-Del warm boot). The default does nothing.
    fn request_reset(&mut self) {}
}
