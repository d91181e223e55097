//! Firmware glue: rawbox's own BIOS (ROM image, host-call dispatch through `BiosHost`) or an
//! external BIOS image that simply runs from ROM.

use crate::config::{BootDevice, ConfigError, MachineConfig};
use crate::machine::Machine;
use crate::platform::Platform;
use rawbox_bios::{Bios, BiosConfig, BiosHost, Rom};
use rawbox_cpu::{Cpu, HostCall, PortIo, Width};
use rawbox_devices::disk_image::DiskImage;
use rawbox_devices::vga::Vga;

/// Which firmware the machine runs.
pub enum FirmwareState {
    Builtin { bios: Box<Bios>, config: BiosConfig },
    External,
}

impl FirmwareState {
    /// Loads rawbox's BIOS ROM and sets up the host-call trap for it.
    pub fn builtin(cpu: &mut Cpu, config: &MachineConfig) -> Result<FirmwareState, ConfigError> {
        let rom = Rom::build();
        cpu.mem
            .load_rom(0xF0000, &rom.bytes)
            .map_err(|e| ConfigError::Memory(e.to_string()))?;
        cpu.hostcall = Some(HostCall {
            port: rawbox_bios::HOSTCALL_PORT,
            start: 0xF0000,
            end: 0x10_0000,
        });
        let floppies = (config.fda.is_some() || config.demo) as u8 + config.fdb.is_some() as u8;
        let bios_config = BiosConfig {
            memory_bytes: cpu.mem.ram_size() as u64,
            floppy_drives: floppies.max(1),
            boot_order: config
                .boot_order()
                .into_iter()
                .map(|b| match b {
                    BootDevice::Floppy => rawbox_bios::BootDevice::Floppy,
                    BootDevice::HardDisk => rawbox_bios::BootDevice::HardDisk,
                    BootDevice::CdRom => rawbox_bios::BootDevice::CdRom,
                })
                .collect(),
        };
        Ok(FirmwareState::Builtin {
            bios: Box::new(Bios::new(rom)),
            config: bios_config,
        })
    }
}

/// The machine as the BIOS sees it during one host call.
struct Host<'a> {
    cpu: &'a mut Cpu,
    platform: &'a mut Platform,
    config: &'a BiosConfig,
    reset: bool,
}

impl BiosHost for Host<'_> {
    fn cpu(&mut self) -> &mut Cpu {
        self.cpu
    }
    fn port_read(&mut self, port: u16, width: Width) -> u32 {
        self.platform.port_read(port, width)
    }
    fn port_write(&mut self, port: u16, width: Width, value: u32) {
        self.platform.port_write(port, width, value)
    }
    fn vga(&mut self) -> &mut Vga {
        &mut self.platform.vga
    }
    fn disk(&mut self, bios_drive: u8) -> Option<&mut DiskImage> {
        match bios_drive {
            0x00 | 0x01 => self.platform.fdc.disk_mut(bios_drive as usize),
            0x80 | 0x81 => self.platform.ide[0].disk_mut((bios_drive & 1) as usize),
            rawbox_bios::CDROM_DRIVE => self.platform.ide[1].disk_mut(0),
            _ => None,
        }
    }
    fn now_ns(&self) -> u64 {
        self.platform.now_ns
    }
    fn config(&self) -> &BiosConfig {
        self.config
    }
    fn set_a20(&mut self, on: bool) {
        let v = self.platform.port_read(0x92, Width::Byte);
        let nv = if on { v | 2 } else { v & !2 } & !1;
        self.platform.port_write(0x92, Width::Byte, nv);
        let a20 = self.platform.a20();
        self.cpu.set_a20(a20);
    }
    fn request_reset(&mut self) {
        self.reset = true;
    }
}

/// Longest gap between two keyboard calls of one "waiting for a key" streak (a little more
/// than a timer tick, since an idle guest polls once per tick).
pub const KEYBOARD_POLL_GAP_NS: u64 = 120_000_000;

/// Handles a host-call exit; false stops the machine.
pub fn host_call(m: &mut Machine, linear: u32) -> bool {
    let (cpu, platform, firmware) = m.parts();
    let FirmwareState::Builtin { bios, config } = firmware else {
        log::error!("host call at {linear:#x} without the built-in BIOS");
        return false;
    };
    let service = bios.rom().service_at(linear);
    let keyboard = service == Some(rawbox_bios::Service::Keyboard);
    if !matches!(
        service,
        Some(rawbox_bios::Service::Keyboard | rawbox_bios::Service::TimerIrq)
    ) {
        // Disk, video or other BIOS work between two polls: the guest is busy, not idle.
        platform.poll_idle.key_seen();
    }
    let key_check = keyboard && matches!((cpu.state.regs[0] >> 8) as u8, 0x01 | 0x11);
    if keyboard {
        // The guest asked for keyboard input: scripted keys may be typed now.
        if platform.now_ns.saturating_sub(platform.keyboard_polled_ns) > KEYBOARD_POLL_GAP_NS {
            platform.keyboard_poll_streak_ns = platform.now_ns;
        }
        platform.keyboard_polled_ns = platform.now_ns;
    }
    let mut host = Host {
        cpu,
        platform,
        config,
        reset: false,
    };
    if let Err(e) = bios.handle(&mut host, linear) {
        log::error!("BIOS: {e}");
        return false;
    }
    if key_check {
        let mut ptrs = [0u8; 4];
        host.cpu.mem.read_bytes(0x41A, &mut ptrs);
        if ptrs[0..2] == ptrs[2..4] {
            let insns = host.cpu.counters.instructions;
            let imr = host.platform.pic.peek(0x21);
            if host.platform.poll_idle.empty_poll(insns) {
                if crate::idle::can_wait(host.cpu, imr) {
                    // The stub waits in STI; HLT for the next interrupt, then asks again.
                    let cf = rawbox_cpu::flags::bits::CF;
                    host.cpu.state.flags.set_bits(cf, cf);
                } else {
                    host.platform.poll_idle.cancel_wait();
                }
            }
        } else {
            host.platform.poll_idle.key_seen();
        }
    }
    let reset = host.reset;
    if reset {
        m.reset();
    }
    true
}
