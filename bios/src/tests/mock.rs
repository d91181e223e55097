//! A small mock machine for the tests: a real CPU with RAM and the ROM loaded, a real VGA,
//! in-memory disks, a CMOS array, a keyboard-controller output queue and a port log.

use crate::host::{BiosConfig, BiosHost};
use crate::rom::Rom;
use crate::{Bios, Service};
use rawbox_cpu::state::reg;
use rawbox_cpu::{Cpu, CpuModel, InterruptLines, Mmio, PortIo, SegReg, Width};
use rawbox_devices::disk_image::{DiskImage, MediaKind};
use rawbox_devices::vga::Vga;
use std::collections::{BTreeMap, VecDeque};

/// Everything but the CPU (the CPU's bus).
pub struct Devices {
    pub vga: Vga,
    pub disks: BTreeMap<u8, DiskImage>,
    pub cmos: [u8; 128],
    pub cmos_index: u8,
    pub kbc_out: VecDeque<u8>,
    pub writes: Vec<(u16, u32)>,
    pub pending_vector: Option<u8>,
    pub now: u64,
    pub reset_requested: bool,
    pub config: BiosConfig,
    /// The next write to port 60h goes to the mouse.
    pub mouse_next: bool,
    /// Floppy A: had its disk changed.
    pub media_changed: bool,
}

impl PortIo for Devices {
    fn port_read(&mut self, port: u16, width: Width) -> u32 {
        match port {
            0x3B0..=0x3DF | 0x1CE | 0x1CF => self.vga.port_read(port, width, self.now),
            0x71 => self.cmos[(self.cmos_index & 0x7F) as usize] as u32,
            0x64 => (!self.kbc_out.is_empty()) as u32 | 0x1C,
            0x60 => self.kbc_out.pop_front().unwrap_or(0) as u32,
            _ => 0xFF,
        }
    }
    fn port_write(&mut self, port: u16, width: Width, value: u32) {
        self.writes.push((port, value));
        match port {
            0x3B0..=0x3DF | 0x1CE | 0x1CF => self.vga.port_write(port, width, value, self.now),
            0x70 => self.cmos_index = value as u8,
            0x71 => self.cmos[(self.cmos_index & 0x7F) as usize] = value as u8,
            0x64 if value == 0xAA => self.kbc_out.push_back(0x55),
            0x64 => self.mouse_next = value == 0xD4,
            // The mouse acknowledges every command byte at once.
            0x60 if std::mem::take(&mut self.mouse_next) => self.kbc_out.push_back(0xFA),
            _ => {}
        }
    }
}

impl Mmio for Devices {
    fn mmio_read(&mut self, addr: u32, width: Width) -> u32 {
        (0..width.bytes()).fold(0, |v, i| {
            v | (self.vga.mem_read(addr + i) as u32) << (8 * i)
        })
    }
    fn mmio_write(&mut self, addr: u32, width: Width, value: u32) {
        for i in 0..width.bytes() {
            self.vga.mem_write(addr + i, (value >> (8 * i)) as u8);
        }
    }
}

impl InterruptLines for Devices {
    fn intr_pending(&self) -> bool {
        self.pending_vector.is_some()
    }
    fn intr_ack(&mut self) -> u8 {
        self.pending_vector.take().unwrap_or(0xFF)
    }
}

/// The mock machine.
pub struct Machine {
    pub cpu: Cpu,
    pub dev: Devices,
}

impl BiosHost for Machine {
    fn cpu(&mut self) -> &mut Cpu {
        &mut self.cpu
    }
    fn port_read(&mut self, port: u16, width: Width) -> u32 {
        self.dev.port_read(port, width)
    }
    fn port_write(&mut self, port: u16, width: Width, value: u32) {
        self.dev.port_write(port, width, value)
    }
    fn vga(&mut self) -> &mut Vga {
        &mut self.dev.vga
    }
    fn disk(&mut self, bios_drive: u8) -> Option<&mut DiskImage> {
        self.dev.disks.get_mut(&bios_drive)
    }
    fn now_ns(&self) -> u64 {
        self.dev.now
    }
    fn config(&self) -> &BiosConfig {
        &self.dev.config
    }
    fn take_media_changed(&mut self, bios_drive: u8) -> bool {
        bios_drive == 0 && std::mem::take(&mut self.dev.media_changed)
    }
    fn request_reset(&mut self) {
        self.dev.reset_requested = true;
    }
}

/// RAM of the mock machine.
pub const RAM: u64 = 4 << 20;

/// A machine with the ROM loaded and the CMOS clock at 12:34:56 on 2026-11-24.
pub fn machine() -> (Machine, Bios) {
    let rom = Rom::build();
    let mut cpu = Cpu::new(CpuModel::I80386, RAM).expect("cpu");
    cpu.mem.load_rom(0xF0000, &rom.bytes).expect("rom");
    cpu.mem.map_mmio(0xA0000, 0x20000).expect("mmio");
    cpu.hostcall = Some(crate::hostcall_trap());
    let mut cmos = [0u8; 128];
    cmos[0] = 0x56;
    cmos[2] = 0x34;
    cmos[4] = 0x12;
    cmos[7] = 0x24;
    cmos[8] = 0x11;
    cmos[9] = 0x26;
    cmos[0x0B] = 0x02;
    cmos[0x32] = 0x20;
    let dev = Devices {
        vga: Vga::new(),
        disks: BTreeMap::new(),
        cmos,
        cmos_index: 0,
        kbc_out: VecDeque::new(),
        writes: Vec::new(),
        pending_vector: None,
        now: 0,
        reset_requested: false,
        mouse_next: false,
        media_changed: false,
        config: BiosConfig {
            memory_bytes: RAM,
            floppy_drives: 2,
            ..BiosConfig::default()
        },
    };
    (Machine { cpu, dev }, Bios::new(rom))
}

/// A machine after POST.
pub fn posted() -> (Machine, Bios) {
    let (mut m, mut bios) = machine();
    let a = bios.rom().hostcall_addr(Service::Post).expect("post");
    bios.handle(&mut m, a).expect("post");
    (m, bios)
}

/// A disk image whose every sector starts with its LBA (u32) and the drive tag.
pub fn disk(kind: MediaKind, bytes: usize, tag: u8, read_only: bool) -> DiskImage {
    let ss = if kind == MediaKind::CdRom { 2048 } else { 512 };
    let mut data = vec![0u8; bytes];
    for (i, s) in data.chunks_mut(ss).enumerate() {
        s[..4].copy_from_slice(&(i as u32).to_le_bytes());
        s[4] = tag;
    }
    DiskImage::from_bytes("test.img", kind, data, read_only).expect("image")
}

/// Stack top used for the fake IRET frames.
pub const FRAME_SP: u16 = 0x6FF0;

/// Calls `service` as an INT from 0000:0500 with FLAGS 0202h; returns the FLAGS the
/// service left in the IRET frame.
pub fn call(m: &mut Machine, bios: &mut Bios, service: Service) -> u16 {
    let cpu = &mut m.cpu;
    crate::regs::set_sreg(cpu, SegReg::Ss, 0);
    cpu.state.regs[reg::ESP] = FRAME_SP as u32;
    let frame = FRAME_SP as u32;
    cpu.mem.write_bytes(frame, &[0x00, 0x05, 0, 0, 0x02, 0x02]);
    let a = bios.rom().hostcall_addr(service).expect("service");
    bios.handle(m, a).expect("handle");
    let mut f = [0u8; 2];
    m.cpu.mem.read_bytes(frame + 4, &mut f);
    u16::from_le_bytes(f)
}

/// Sets AX, BX, CX, DX.
pub fn regs(m: &mut Machine, ax: u16, bx: u16, cx: u16, dx: u16) {
    let s = &mut m.cpu.state;
    s.set_r16(reg::EAX, ax);
    s.set_r16(reg::EBX, bx);
    s.set_r16(reg::ECX, cx);
    s.set_r16(reg::EDX, dx);
}

/// Reads a 16-bit register.
pub fn r16(m: &Machine, r: usize) -> u16 {
    m.cpu.state.r16(r)
}

/// Reads guest RAM.
pub fn ram(m: &Machine, addr: u32, len: usize) -> Vec<u8> {
    let mut v = vec![0u8; len];
    m.cpu.mem.read_bytes(addr, &mut v);
    v
}

/// The text of row `row` of the 80x25 text screen (page 0).
pub fn screen_row(m: &mut Machine, row: u32) -> String {
    (0..80)
        .map(|c| m.dev.vga.mem_read(0xB8000 + (row * 80 + c) * 2) as char)
        .collect::<String>()
        .trim_end()
        .to_string()
}
