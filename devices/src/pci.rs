//! A minimal PCI bus behind configuration mechanism #1 (address register 0xCF8, data window
//! 0xCFC-0xCFF) holding one device: an Intel 440FX host bridge (00:00.0, 8086:1237) whose PAM
//! registers 0x59-0x5F route the 0xC0000-0xFFFFF shadow RAM window. Every other bus, device and
//! function reads as absent (all ones).

use crate::byte_ports::{read_split, write_split};
use rawbox_cpu::memory::{ShadowAccess, ShadowMap, SHADOW_SEGMENTS};
use rawbox_cpu::Width;

/// Config address register bit 31: the data window reaches configuration space.
const ENABLE: u32 = 0x8000_0000;
/// First PAM register (F segment in the high nibble); 0x5A-0x5F hold two 16 KB segments each.
const PAM0: usize = 0x59;
const PAM_LAST: usize = 0x5F;

/// The host bridge's identity: vendor, device, revision, class code (bridge, host).
const VENDOR_INTEL: u16 = 0x8086;
const DEVICE_82441FX: u16 = 0x1237;
const REVISION: u8 = 0x02;
const CLASS_HOST_BRIDGE: [u8; 3] = [0x00, 0x00, 0x06];

/// The PCI configuration mechanism and the host bridge.
#[derive(Clone, Debug)]
pub struct PciHost {
    address: u32,
    host_config: [u8; 256],
    /// The PAM registers changed since the last `take_shadow_map`.
    shadow_changed: bool,
}

impl Default for PciHost {
    fn default() -> Self {
        Self::new()
    }
}

impl PciHost {
    /// Power-on state: PAM registers zero (the whole window reads the ROM).
    pub fn new() -> PciHost {
        let mut c = [0u8; 256];
        c[0..2].copy_from_slice(&VENDOR_INTEL.to_le_bytes());
        c[2..4].copy_from_slice(&DEVICE_82441FX.to_le_bytes());
        c[0x04] = 0x06; // memory space and bus master enabled
        c[0x06] = 0x80; // fast back-to-back capable
        c[0x08] = REVISION;
        c[0x09..0x0C].copy_from_slice(&CLASS_HOST_BRIDGE);
        PciHost {
            address: 0,
            host_config: c,
            shadow_changed: false,
        }
    }

    /// The current shadow routing from the PAM registers.
    pub fn shadow_map(&self) -> ShadowMap {
        let mut map = [ShadowAccess::default(); SHADOW_SEGMENTS];
        let decode = |nibble: u8| ShadowAccess {
            read_ram: nibble & 1 != 0,
            write_ram: nibble & 2 != 0,
        };
        for (i, seg) in map.iter_mut().take(12).enumerate() {
            let reg = self.host_config[PAM0 + 1 + i / 2];
            *seg = decode(if i % 2 == 0 { reg & 0xF } else { reg >> 4 });
        }
        let f = decode(self.host_config[PAM0] >> 4);
        map[12..].fill(f);
        map
    }

    /// The shadow routing, once after each change of a PAM register.
    pub fn take_shadow_map(&mut self) -> Option<ShadowMap> {
        std::mem::take(&mut self.shadow_changed).then(|| self.shadow_map())
    }

    /// The configuration byte the address register and `port` select, if a device is there.
    fn selected(&self, port: u16) -> Option<usize> {
        let a = self.address;
        let bus = (a >> 16) & 0xFF;
        let devfn = (a >> 8) & 0xFF;
        if a & ENABLE == 0 || bus != 0 || devfn != 0 {
            return None;
        }
        Some((a & 0xFC) as usize + (port as usize & 3))
    }

    fn read_config_byte(&self, port: u16) -> u8 {
        self.selected(port)
            .and_then(|r| self.host_config.get(r).copied())
            .unwrap_or(0xFF)
    }

    fn write_config_byte(&mut self, port: u16, value: u8) {
        let Some(reg) = self.selected(port) else {
            return;
        };
        let writable = matches!(reg, 0x04 | 0x0D | 0x50..=0xFF);
        if !writable {
            return;
        }
        if reg == 0x04 {
            // Only memory space and bus master can be turned off; I/O space does not exist.
            self.host_config[reg] = value & 0x06;
            return;
        }
        if let Some(b) = self.host_config.get_mut(reg) {
            let old = *b;
            *b = if reg == PAM0 { value & 0x30 } else { value };
            if (PAM0..=PAM_LAST).contains(&reg) && *b != old {
                log::debug!("PAM register {reg:#x} = {value:#04x}");
                self.shadow_changed = true;
            }
        }
    }

    /// Port read: 0xCF8 (dword only) and 0xCFC-0xCFF.
    pub fn port_read(&mut self, port: u16, width: Width, _now_ns: u64) -> u32 {
        if port == 0xCF8 && width == Width::Dword {
            return self.address;
        }
        read_split(port, width, |p| match p {
            0xCFC..=0xCFF => self.read_config_byte(p),
            _ => 0xFF,
        })
    }

    /// Port write: 0xCF8 (dword only) and 0xCFC-0xCFF.
    pub fn port_write(&mut self, port: u16, width: Width, value: u32, _now_ns: u64) {
        if port == 0xCF8 && width == Width::Dword {
            self.address = value & 0x80FF_FFFC;
            return;
        }
        write_split(port, width, value, |p, b| {
            if (0xCFC..=0xCFF).contains(&p) {
                self.write_config_byte(p, b);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_read(h: &mut PciHost, devfn: u32, reg: u32, w: Width) -> u32 {
        h.port_write(0xCF8, Width::Dword, ENABLE | devfn << 8 | (reg & 0xFC), 0);
        h.port_read(0xCFC + (reg & 3) as u16, w, 0)
    }

    fn config_write(h: &mut PciHost, reg: u32, w: Width, v: u32) {
        h.port_write(0xCF8, Width::Dword, ENABLE | (reg & 0xFC), 0);
        h.port_write(0xCFC + (reg & 3) as u16, w, v, 0);
    }

    #[test]
    fn host_bridge_identity_and_absent_devices() {
        let mut h = PciHost::new();
        assert_eq!(config_read(&mut h, 0, 0, Width::Dword), 0x1237_8086);
        assert_eq!(config_read(&mut h, 0, 2, Width::Word), 0x1237);
        assert_eq!(config_read(&mut h, 0, 0x08, Width::Dword) >> 8, 0x06_0000);
        assert_eq!(config_read(&mut h, 1 << 3, 0, Width::Dword), 0xFFFF_FFFF);
        assert_eq!(config_read(&mut h, 1, 0, Width::Word), 0xFFFF);
        // The address register reads back (dword) with the low two bits clear.
        h.port_write(0xCF8, Width::Dword, 0x8000_1237, 0);
        assert_eq!(h.port_read(0xCF8, Width::Dword, 0), 0x8000_1234);
        // Without the enable bit the window is closed.
        h.port_write(0xCF8, Width::Dword, 0, 0);
        assert_eq!(h.port_read(0xCFC, Width::Dword, 0), 0xFFFF_FFFF);
    }

    #[test]
    fn identity_is_read_only() {
        let mut h = PciHost::new();
        config_write(&mut h, 0, Width::Dword, 0);
        assert_eq!(config_read(&mut h, 0, 0, Width::Dword), 0x1237_8086);
    }

    #[test]
    fn pam_registers_route_the_shadow_window() {
        let mut h = PciHost::new();
        assert_eq!(h.take_shadow_map(), None);
        assert_eq!(h.shadow_map(), [ShadowAccess::default(); SHADOW_SEGMENTS]);
        // F segment read/write RAM, C0000 read-only RAM, EC000 write-only.
        config_write(&mut h, 0x59, Width::Byte, 0x3F);
        config_write(&mut h, 0x5A, Width::Byte, 0x01);
        config_write(&mut h, 0x5F, Width::Byte, 0x20);
        let map = h.take_shadow_map().expect("changed");
        let rw = ShadowAccess {
            read_ram: true,
            write_ram: true,
        };
        assert!(map[12..].iter().all(|s| *s == rw));
        assert_eq!(
            map[0],
            ShadowAccess {
                read_ram: true,
                write_ram: false
            }
        );
        assert_eq!(map[1], ShadowAccess::default());
        assert_eq!(
            map[11],
            ShadowAccess {
                read_ram: false,
                write_ram: true
            }
        );
        assert_eq!(h.take_shadow_map(), None, "taken once");
        // Reserved PAM0 bits read as zero; rewriting the same value is no change.
        assert_eq!(config_read(&mut h, 0, 0x59, Width::Byte), 0x30);
        config_write(&mut h, 0x59, Width::Byte, 0x30);
        assert_eq!(h.take_shadow_map(), None);
        // A dword write covering 0x5C-0x5F changes them all.
        config_write(&mut h, 0x5C, Width::Dword, 0x1111_1111);
        let map = h.take_shadow_map().expect("changed");
        assert!(map[4..12].iter().all(|s| s.read_ram && !s.write_ram));
    }

    #[test]
    fn random_guest_traffic_does_not_panic() {
        let mut dev = PciHost::new();
        let cell = std::cell::RefCell::new(&mut dev);
        crate::test_rng::random_port_traffic(
            11,
            50_000,
            &[0xCF8, 0xCF9, 0xCFC, 0xCFD, 0xCFE, 0xCFF],
            |p, w, t| {
                let mut dev = cell.borrow_mut();
                dev.port_read(p, w, t);
                dev.take_shadow_map();
            },
            |p, w, v, t| cell.borrow_mut().port_write(p, w, v, t),
        );
    }
}
