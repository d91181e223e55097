//! Power-on self test: interrupt vectors, BIOS data area, EBDA, PICs, PIT, keyboard
//! controller, video mode 3 with a banner, then the stub continues with INT 19h.

use crate::bda;
use crate::host::BiosHost;
use crate::io::{cmos_read, inb, outb};
use crate::mem::{wr16, wr8, write_phys};
use crate::regs;
use crate::rom::layout::*;
use crate::rom::Service;
use crate::Bios;
use rawbox_cpu::state::reg;
use rawbox_cpu::SegReg;

/// EBDA size in KB.
const EBDA_KB: u16 = 1;
/// Base memory reported (640 KB minus the EBDA).
pub const BASE_MEMORY_KB: u16 = 640 - EBDA_KB;

/// Writes interrupt vector `n` = F000:`off`.
fn set_vector(host: &mut dyn BiosHost, n: u8, seg: u16, off: u16) {
    let a = n as u32 * 4;
    wr16(host, a, off);
    wr16(host, a + 2, seg);
}

fn setup_ivt(bios: &Bios, host: &mut dyn BiosHost) {
    let rom = bios.rom();
    for n in 0..=255u8 {
        set_vector(host, n, ROM_SEG, DUMMY_IRET);
    }
    for irq in 0..8u8 {
        set_vector(host, 0x08 + irq, ROM_SEG, rom.entry(Service::MasterIrq));
        set_vector(host, 0x70 + irq, ROM_SEG, rom.entry(Service::SlaveIrq));
    }
    let fixed: &[(u8, u16)] = &[
        (0x02, NMI),
        (0x05, PRINT_SCREEN),
        (0x08, INT08),
        (0x09, INT09),
        (0x0E, INT0E),
        (0x10, INT10),
        (0x11, INT11),
        (0x12, INT12),
        (0x13, INT13),
        (0x14, INT14),
        (0x15, INT15),
        (0x16, INT16),
        (0x17, INT17),
        (0x19, INT19),
        (0x1A, INT1A),
        (0x1D, VIDEO_PARAM_TABLE),
        (0x1E, FLOPPY_PARAM_TABLE),
        (0x1F, FONT8_HIGH),
        (0x40, INT40),
        (0x41, HD_PARAM_TABLE),
        (0x43, FONT8),
        (0x46, HD_PARAM_TABLE),
    ];
    for &(n, off) in fixed {
        set_vector(host, n, ROM_SEG, off);
    }
    set_vector(host, 0x18, ROM_SEG, rom.entry(Service::NoBoot));
    set_vector(host, 0x70, ROM_SEG, rom.entry(Service::RtcIrq));
    set_vector(host, 0x74, ROM_SEG, rom.entry(Service::MouseIrq));
    // INT 60h-67h are for user programs: null vectors.
    for n in 0x60..=0x67u8 {
        set_vector(host, n, 0, 0);
    }
}

/// Whether a 16550 answers at `base` (its scratch register holds a value).
fn uart_present(host: &mut dyn BiosHost, base: u16) -> bool {
    let scratch = base.wrapping_add(7);
    outb(host, scratch, 0x5A);
    let a = inb(host, scratch);
    outb(host, scratch, 0xA5);
    a == 0x5A && inb(host, scratch) == 0xA5
}

fn setup_bda(host: &mut dyn BiosHost) {
    write_phys(host, 0x400, &[0u8; 0x100]);
    let mut serial = 0u16;
    for base in [0x3F8u16, 0x2F8, 0x3E8, 0x2E8] {
        if uart_present(host, base) {
            wr16(host, bda::COM_PORTS + 2 * serial as u32, base);
            serial += 1;
        }
    }
    let floppies = host.config().floppy_drives.min(2) as u16;
    let fpu = host.cpu().fpu.is_some();
    let mut equipment: u16 = 0b10 << 4; // 80x25 colour
    if floppies > 0 {
        equipment |= 1 | ((floppies - 1) << 6);
    }
    if fpu {
        equipment |= 2;
    }
    equipment |= 1 << 2; // PS/2 pointing device port
    equipment |= serial << 9;
    wr16(host, bda::EQUIPMENT, equipment);
    wr16(host, bda::MEMORY_KB, BASE_MEMORY_KB);
    let ebda_seg = BASE_MEMORY_KB * 64;
    wr16(host, bda::EBDA_SEG, ebda_seg);
    let ebda = (ebda_seg as u32) << 4;
    write_phys(host, ebda, &[0u8; 1024]);
    wr8(host, ebda, EBDA_KB as u8);
    wr16(host, bda::KB_HEAD, bda::KB_BUFFER_START);
    wr16(host, bda::KB_TAIL, bda::KB_BUFFER_START);
    wr16(host, bda::KB_START, bda::KB_BUFFER_START);
    wr16(host, bda::KB_END, bda::KB_BUFFER_END);
    wr8(host, bda::KB_FLAGS3, 0x10);
    // Floppy media state: established media at the native data rate of each disk.
    for drive in 0..floppies.min(2) as u8 {
        let state = match host
            .disk(drive)
            .and_then(|d| d.floppy_format())
            .map(|f| f.name)
        {
            Some("360K") | Some("320K") | Some("180K") | Some("160K") => 0x93,
            Some("720K") => 0x97,
            Some("1.2M") => 0x15,
            Some(_) => 0x17,
            None => 0x07,
        };
        wr8(host, 0x490 + drive as u32, state);
    }
    let hds = [0x80u8, 0x81]
        .iter()
        .filter(|&&d| host.disk(d).is_some())
        .count() as u8;
    wr8(host, bda::HD_COUNT, hds);
    setup_fdpts(host, ebda_seg);
    let ticks = crate::int1a::ticks_from_rtc(host);
    crate::mem::wr32(host, bda::TICKS, ticks);
}

/// Offsets in the EBDA of the fixed disk parameter tables of drives 80h and 81h.
const FDPT_OFFSETS: [u16; 2] = [0x3D, 0x4D];

/// Writes the fixed disk parameter tables (INT 41h/46h) with each hard disk's geometry.
fn setup_fdpts(host: &mut dyn BiosHost, ebda_seg: u16) {
    for (i, drive) in [0x80u8, 0x81].into_iter().enumerate() {
        let Some(g) = host.disk(drive).map(|d| d.geometry()) else {
            continue;
        };
        let cyl = g.cylinders.min(1024) as u16;
        let heads = g.heads.min(255) as u8;
        let mut t = [0u8; 16];
        t[0..2].copy_from_slice(&cyl.to_le_bytes());
        t[2] = heads;
        t[5..7].copy_from_slice(&0xFFFFu16.to_le_bytes());
        t[8] = if heads > 8 { 0x08 } else { 0 };
        t[12..14].copy_from_slice(&cyl.to_le_bytes());
        t[14] = g.sectors_per_track.min(63) as u8;
        let off = FDPT_OFFSETS[i];
        write_phys(host, ((ebda_seg as u32) << 4) + off as u32, &t);
        set_vector(host, if i == 0 { 0x41 } else { 0x46 }, ebda_seg, off);
    }
}

fn setup_pics(host: &mut dyn BiosHost) {
    for (base, vector, cascade) in [(0x20u16, 0x08u8, 0x04u8), (0xA0, 0x70, 0x02)] {
        outb(host, base, 0x11);
        outb(host, base + 1, vector);
        outb(host, base + 1, cascade);
        outb(host, base + 1, 0x01);
    }
    // Master: IRQ0 timer, 1 keyboard, 2 cascade, 6 floppy. Slave: IRQ8 RTC, 12 mouse,
    // 14/15 IDE.
    outb(host, 0x21, 0xB8);
    outb(host, 0xA1, 0x2E);
}

fn setup_pit(host: &mut dyn BiosHost) {
    outb(host, 0x43, 0x36);
    outb(host, 0x40, 0);
    outb(host, 0x40, 0);
}

/// Reads the KBC output buffer while it holds something (bounded).
fn drain_kbc(host: &mut dyn BiosHost) -> Option<u8> {
    let mut last = None;
    for _ in 0..16 {
        if inb(host, 0x64) & 1 == 0 {
            break;
        }
        last = Some(inb(host, 0x60));
    }
    last
}

fn setup_kbc(host: &mut dyn BiosHost) {
    drain_kbc(host);
    outb(host, 0x64, 0xAA);
    match drain_kbc(host) {
        Some(0x55) => {}
        other => log::warn!("bios: keyboard controller self test returned {other:?}"),
    }
    // Command byte: IRQ1 on, system flag, translation on, mouse IRQ off.
    outb(host, 0x64, 0x60);
    outb(host, 0x60, 0x45);
    outb(host, 0x64, 0xAE);
    drain_kbc(host);
}

/// Runs POST; the stub then executes STI and INT 19h.
pub fn post(bios: &mut Bios, host: &mut dyn BiosHost) {
    log::info!("bios: POST");
    bios.wait_until_ns = None;
    bios.event_wait = None;
    bios.mouse = crate::mouse::MouseState::default();
    // The warm boot flag survives (but is consumed).
    let mut wb = [0u8; 2];
    host.cpu().mem.read_bytes(bda::WARM_BOOT, &mut wb);
    setup_ivt(bios, host);
    setup_bda(host);
    setup_pics(host);
    setup_pit(host);
    setup_kbc(host);
    // RTC: 1024 Hz periodic rate, interrupts off until a service needs them.
    crate::io::cmos_write(host, 0x0A, 0x26);
    let b = cmos_read(host, 0x0B);
    crate::io::cmos_write(host, 0x0B, (b & !0x70) | 0x02);
    cmos_read(host, 0x0C);
    let base = cmos_read(host, 0x15) as u16 | (cmos_read(host, 0x16) as u16) << 8;
    log::debug!(
        "bios: CMOS base memory {base} KB, warm boot flag {:#06x}",
        u16::from_le_bytes(wb)
    );
    crate::int10::init_video(host);
    crate::int10::print_str(host, "rawbox BIOS\r\n");
    let mb = host.config().memory_bytes >> 20;
    crate::int10::print_str(host, &format!("{mb} MB RAM\r\n\r\n"));
    let cpu = host.cpu();
    regs::set_sreg(cpu, SegReg::Ss, 0);
    cpu.state.regs[reg::ESP] = 0x7C00;
    for s in [SegReg::Ds, SegReg::Es] {
        regs::set_sreg(cpu, s, 0);
    }
}
