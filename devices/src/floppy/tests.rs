//! Tests of the 82077AA model against the datasheet's command and result descriptions.

use super::*;
use crate::disk_image::{DiskImage, MediaKind};
use crate::dma::TestMemory;

struct Rig {
    fdc: FloppyController,
    dma: Dma,
    mem: TestMemory,
    now: u64,
}

/// A floppy image whose sector `lba` holds (lba as u16 LE) followed by `lba as u8` fill.
fn patterned(size: usize, read_only: bool) -> DiskImage {
    let mut data = vec![0u8; size];
    for (lba, sector) in data.chunks_mut(512).enumerate() {
        sector.fill(lba as u8);
        sector[..2].copy_from_slice(&(lba as u16).to_le_bytes());
    }
    DiskImage::from_bytes("test.img", MediaKind::Floppy, data, read_only).unwrap()
}

fn sector_pattern(lba: usize) -> Vec<u8> {
    let mut s = vec![lba as u8; 512];
    s[..2].copy_from_slice(&(lba as u16).to_le_bytes());
    s
}

impl Rig {
    fn new() -> Rig {
        let mut rig = Rig {
            fdc: FloppyController::new(),
            dma: Dma::new(),
            mem: TestMemory(vec![0; 0x40000]),
            now: 0,
        };
        rig.fdc.insert(0, patterned(1_474_560, false));
        rig.out(0x3F2, 0x00);
        rig.out(0x3F2, 0x1C); // out of reset, DMA gate, drive 0 motor
        for _ in 0..4 {
            rig.command(&[0x08]);
            rig.results();
        }
        rig.out(0x3F7, 0x00); // 500 kbit/s
        rig.command(&[0x03, 0xDF, 0x02]); // SPECIFY, DMA mode
                                          // Cascade channel 4 set up the way a BIOS does.
        rig.dma.port_write(0xD6, Width::Byte, 0xC0, 0);
        rig.dma.port_write(0xD4, Width::Byte, 0x00, 0);
        rig
    }

    fn out(&mut self, port: u16, value: u8) {
        self.fdc
            .port_write(port, Width::Byte, u32::from(value), self.now);
        self.fdc.service(&mut self.dma, &mut self.mem, self.now);
    }

    fn inp(&mut self, port: u16) -> u8 {
        let v = self.fdc.port_read(port, Width::Byte, self.now) as u8;
        self.fdc.service(&mut self.dma, &mut self.mem, self.now);
        v
    }

    fn command(&mut self, bytes: &[u8]) {
        for &b in bytes {
            let msr = self.inp(0x3F4);
            assert_eq!(
                msr & 0xC0,
                0x80,
                "controller must accept a command byte (MSR {msr:#x})"
            );
            self.out(0x3F5, b);
        }
    }

    fn results(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        while self.inp(0x3F4) & 0xC0 == 0xC0 {
            out.push(self.inp(0x3F5));
            assert!(out.len() <= 16);
        }
        out
    }

    fn program_dma(&mut self, mode: u8, addr: u32, count: u16) {
        let d = &mut self.dma;
        d.port_write(0x0A, Width::Byte, 0x06, 0);
        d.port_write(0x0C, Width::Byte, 0, 0);
        d.port_write(0x0B, Width::Byte, u32::from(mode | 2), 0);
        d.port_write(0x04, Width::Byte, addr & 0xFF, 0);
        d.port_write(0x04, Width::Byte, (addr >> 8) & 0xFF, 0);
        d.port_write(0x81, Width::Byte, (addr >> 16) & 0xFF, 0);
        d.port_write(0x05, Width::Byte, u32::from(count & 0xFF), 0);
        d.port_write(0x05, Width::Byte, u32::from(count >> 8), 0);
        d.port_write(0x0A, Width::Byte, 0x02, 0);
        self.fdc.service(&mut self.dma, &mut self.mem, self.now);
    }

    fn seek(&mut self, drive: u8, head: u8, cyl: u8) -> Vec<u8> {
        self.command(&[0x0F, head << 2 | drive, cyl]);
        assert!(self.fdc.irq_line());
        self.command(&[0x08]);
        self.results()
    }
}

#[test]
fn reset_gives_four_polling_interrupt_statuses() {
    let mut rig = Rig::new();
    rig.out(0x3F2, 0x08);
    assert_eq!(rig.inp(0x3F4), 0x00, "MSR reads 0 while in reset");
    assert!(!rig.fdc.irq_line());
    rig.out(0x3F2, 0x0C);
    assert!(rig.fdc.irq_line());
    for drive in 0..4u8 {
        rig.command(&[0x08]);
        assert_eq!(rig.results(), vec![0xC0 | drive, 0]);
        assert!(!rig.fdc.irq_line());
    }
    rig.command(&[0x08]);
    assert_eq!(rig.results(), vec![0x80], "nothing left: invalid");
}

#[test]
fn dsr_software_reset_also_interrupts() {
    let mut rig = Rig::new();
    rig.out(0x3F4, 0x80);
    assert!(rig.fdc.irq_line());
    assert_eq!(rig.inp(0x3F4), 0x80, "DSR reset bit self-clears");
    rig.command(&[0x08]);
    assert_eq!(rig.results(), vec![0xC0, 0]);
}

#[test]
fn dma_gate_masks_the_interrupt_output() {
    let mut rig = Rig::new();
    rig.out(0x3F2, 0x10); // reset
    rig.out(0x3F2, 0x14); // out of reset, no DMA gate
    assert!(!rig.fdc.irq_line());
    rig.out(0x3F2, 0x1C);
    assert!(rig.fdc.irq_line());
}

#[test]
fn main_status_register_follows_the_phases() {
    let mut rig = Rig::new();
    assert_eq!(rig.inp(0x3F4), 0x80);
    rig.out(0x3F5, 0x03);
    assert_eq!(rig.inp(0x3F4), 0x90);
    rig.out(0x3F5, 0xAF);
    rig.out(0x3F5, 0x02);
    assert_eq!(rig.inp(0x3F4), 0x80);
    rig.out(0x3F5, 0x10);
    assert_eq!(rig.inp(0x3F4), 0xD0);
    assert_eq!(rig.inp(0x3F5), 0x90);
    assert_eq!(rig.inp(0x3F4), 0x80);
}

#[test]
fn version_and_invalid_commands() {
    let mut rig = Rig::new();
    rig.command(&[0x10]);
    assert_eq!(rig.results(), vec![0x90]);
    for bad in [0x00u8, 0x01, 0x1F, 0x18, 0x50] {
        rig.command(&[bad]);
        assert_eq!(rig.results(), vec![0x80], "opcode {bad:#x}");
        assert!(!rig.fdc.irq_line());
    }
}

#[test]
fn dumpreg_reports_specify_configure_perpendicular_and_lock() {
    let mut rig = Rig::new();
    rig.command(&[0x03, 0xA1, 0x0B]);
    rig.command(&[0x13, 0x00, 0x57, 0x09]); // EIS, FIFO on, polling off, threshold 7
    rig.command(&[0x12, 0x86]); // OW, D0 perpendicular, GAP
    rig.command(&[0x94]);
    assert_eq!(rig.results(), vec![0x10]);
    rig.seek(1, 0, 7);
    rig.command(&[0x0E]);
    assert_eq!(
        rig.results(),
        vec![0, 7, 0, 0, 0xA1, 0x0B, 0, 0x80 | 0x06, 0x57, 0x09]
    );
    // LOCK keeps CONFIGURE across a reset; polling is off so no interrupt.
    rig.out(0x3F2, 0x18);
    rig.out(0x3F2, 0x1C);
    assert!(!rig.fdc.irq_line());
    rig.command(&[0x0E]);
    let regs = rig.results();
    assert_eq!(regs[8], 0x57);
    assert_eq!(regs[7], 0x80 | 0x04, "reset clears GAP and WGATE only");
    rig.command(&[0x14]);
    assert_eq!(rig.results(), vec![0x00]);
    rig.out(0x3F2, 0x18);
    rig.out(0x3F2, 0x1C);
    rig.command(&[0x0E]);
    assert_eq!(rig.results()[8], 0x20, "unlocked reset restores defaults");
}

#[test]
fn seek_and_recalibrate_interrupt_and_report_pcn() {
    let mut rig = Rig::new();
    rig.command(&[0x0F, 0x04, 40]);
    assert!(rig.fdc.irq_line());
    assert_eq!(rig.inp(0x3F4) & 0x0F, 0x01, "drive 0 busy until sensed");
    rig.command(&[0x08]);
    assert_eq!(rig.results(), vec![0x24, 40]);
    assert!(!rig.fdc.irq_line());
    assert_eq!(rig.inp(0x3F4), 0x80);
    // Relative seek out by 5, then in by 10.
    rig.command(&[0x8F, 0x00, 5]);
    rig.command(&[0x08]);
    assert_eq!(rig.results(), vec![0x20, 35]);
    rig.command(&[0xCF, 0x00, 10]);
    rig.command(&[0x08]);
    assert_eq!(rig.results(), vec![0x20, 45]);
    rig.command(&[0x07, 0x00]);
    rig.command(&[0x08]);
    assert_eq!(rig.results(), vec![0x20, 0]);
    // Drive 2 is not connected: no track 0 signal.
    rig.command(&[0x07, 0x02]);
    rig.command(&[0x08]);
    assert_eq!(rig.results()[0], 0x72);
}

#[test]
fn sense_drive_status_reports_track0_and_write_protect() {
    let mut rig = Rig::new();
    rig.command(&[0x04, 0x04]);
    assert_eq!(rig.results(), vec![0x20 | 0x10 | 0x08 | 0x04]);
    rig.seek(0, 0, 3);
    rig.command(&[0x04, 0x00]);
    assert_eq!(rig.results(), vec![0x28]);
    rig.fdc.insert(1, patterned(737_280, true));
    rig.command(&[0x04, 0x01]);
    assert_eq!(rig.results(), vec![0x40 | 0x20 | 0x10 | 0x08 | 0x01]);
}

#[test]
fn read_data_through_dma_with_terminal_count() {
    let mut rig = Rig::new();
    rig.seek(0, 0, 2);
    rig.program_dma(0x46, 0x1_0000, 1023); // single, write to memory
    rig.command(&[0xE6, 0x00, 2, 0, 3, 2, 18, 0x1B, 0xFF]);
    assert!(rig.fdc.irq_line());
    assert_eq!(rig.inp(0x3F4), 0xD0);
    let lba = 2 * 36 + 2;
    assert_eq!(&rig.mem.0[0x1_0000..0x1_0200], &sector_pattern(lba)[..]);
    assert_eq!(&rig.mem.0[0x1_0200..0x1_0400], &sector_pattern(lba + 1)[..]);
    assert_eq!(rig.mem.0[0x1_0400], 0);
    assert_eq!(rig.results(), vec![0x00, 0x00, 0x00, 2, 0, 5, 2]);
    assert!(!rig.fdc.irq_line());
}

#[test]
fn multi_track_read_continues_on_head_1() {
    let mut rig = Rig::new();
    rig.program_dma(0x46, 0x2000, 1023);
    rig.command(&[0xE6, 0x00, 0, 0, 18, 2, 18, 0x1B, 0xFF]);
    assert_eq!(&rig.mem.0[0x2000..0x2200], &sector_pattern(17)[..]);
    assert_eq!(&rig.mem.0[0x2200..0x2400], &sector_pattern(18)[..]);
    assert_eq!(rig.results(), vec![0x04, 0x00, 0x00, 0, 1, 2, 2]);
}

#[test]
fn terminal_count_on_last_sector_of_track_advances_cylinder() {
    let mut rig = Rig::new();
    rig.program_dma(0x46, 0x2000, 511);
    rig.command(&[0x66, 0x00, 0, 0, 18, 2, 18, 0x1B, 0xFF]);
    assert_eq!(rig.results(), vec![0x00, 0x00, 0x00, 1, 0, 1, 2]);
    // Multi-track on head 1: cylinder advances and head flips back to 0.
    rig.program_dma(0x46, 0x2000, 511);
    rig.command(&[0xE6, 0x04, 0, 1, 18, 2, 18, 0x1B, 0xFF]);
    assert_eq!(rig.results(), vec![0x04, 0x00, 0x00, 1, 0, 1, 2]);
}

#[test]
fn end_of_track_without_terminal_count_is_end_of_cylinder() {
    let mut rig = Rig::new();
    rig.program_dma(0x46, 0x2000, 0xFFFF);
    rig.command(&[0x46, 0x00, 0, 0, 17, 2, 18, 0x1B, 0xFF]);
    assert_eq!(rig.results(), vec![0x40, 0x80, 0x00, 1, 0, 1, 2]);
    assert_eq!(&rig.mem.0[0x2200..0x2400], &sector_pattern(17)[..]);
    assert_eq!(rig.mem.0[0x2400], 0);
}

#[test]
fn missing_sectors_and_wrong_cylinders() {
    let mut rig = Rig::new();
    rig.program_dma(0x46, 0x2000, 511);
    rig.command(&[0x46, 0x00, 0, 0, 19, 2, 19, 0x1B, 0xFF]);
    assert_eq!(rig.results(), vec![0x40, 0x04, 0x00, 0, 0, 19, 2]);
    rig.command(&[0x46, 0x00, 5, 0, 1, 2, 18, 0x1B, 0xFF]);
    assert_eq!(rig.results(), vec![0x40, 0x04, 0x10, 5, 0, 1, 2]);
    rig.command(&[0x46, 0x00, 0xFF, 0, 1, 2, 18, 0x1B, 0xFF]);
    assert_eq!(rig.results()[2], 0x12, "bad cylinder");
    rig.command(&[0x46, 0x00, 0, 1, 1, 2, 18, 0x1B, 0xFF]);
    assert_eq!(
        rig.results()[1],
        0x04,
        "head in ID differs from physical head"
    );
    rig.command(&[0x46, 0x00, 0, 0, 1, 3, 18, 0x1B, 0xFF]);
    assert_eq!(rig.results()[1], 0x04, "size code differs");
    assert!(rig.mem.0[0x2000..0x2400].iter().all(|&b| b == 0));
}

#[test]
fn wrong_data_rate_or_fm_finds_no_address_mark() {
    let mut rig = Rig::new();
    rig.program_dma(0x46, 0x2000, 511);
    rig.out(0x3F7, 0x02); // 250 kbit/s on 1.44M media
    rig.command(&[0x46, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF]);
    assert_eq!(rig.results(), vec![0x40, 0x01, 0x00, 0, 0, 1, 2]);
    rig.out(0x3F4, 0x00); // DSR: 500 kbit/s
    rig.command(&[0x06, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF]); // FM
    assert_eq!(rig.results()[1], 0x01);
    rig.command(&[0x46, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF]);
    assert_eq!(rig.results()[0], 0x00);
    assert_eq!(&rig.mem.0[0x2000..0x2200], &sector_pattern(0)[..]);
}

#[test]
fn no_media_or_no_drive_is_not_ready() {
    let mut rig = Rig::new();
    rig.program_dma(0x46, 0x2000, 511);
    rig.command(&[0x46, 0x01, 0, 0, 1, 2, 18, 0x1B, 0xFF]);
    assert_eq!(rig.results()[..2], [0x49, 0x01]);
    rig.command(&[0x46, 0x02, 0, 0, 1, 2, 18, 0x1B, 0xFF]);
    assert_eq!(rig.results()[0], 0x4A);
}

#[test]
fn write_data_goes_to_the_image() {
    let mut rig = Rig::new();
    rig.seek(0, 1, 1);
    for (i, b) in rig.mem.0[0x3000..0x3400].iter_mut().enumerate() {
        *b = (i * 7) as u8;
    }
    rig.program_dma(0x4A, 0x3000, 1023); // read from memory
    rig.command(&[0xC5, 0x04, 1, 1, 4, 2, 18, 0x1B, 0xFF]);
    assert_eq!(rig.results(), vec![0x04, 0x00, 0x00, 1, 1, 6, 2]);
    let lba = 36 + 18 + 3;
    let mut buf = [0u8; 1024];
    rig.fdc
        .disk_mut(0)
        .unwrap()
        .read_sectors(lba, &mut buf)
        .unwrap();
    assert_eq!(&buf[..], &rig.mem.0[0x3000..0x3400]);
    let mut next = [0u8; 512];
    rig.fdc
        .disk_mut(0)
        .unwrap()
        .read_sectors(lba + 2, &mut next)
        .unwrap();
    assert_eq!(&next[..], &sector_pattern(lba as usize + 2)[..]);
}

#[test]
fn terminal_count_mid_sector_pads_a_write_with_zeros() {
    let mut rig = Rig::new();
    rig.mem.0[0x3000..0x3100].fill(0xEE);
    rig.program_dma(0x4A, 0x3000, 255);
    rig.command(&[0x45, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF]);
    assert_eq!(rig.results(), vec![0x00, 0x00, 0x00, 0, 0, 2, 2]);
    let mut buf = [0u8; 512];
    rig.fdc
        .disk_mut(0)
        .unwrap()
        .read_sectors(0, &mut buf)
        .unwrap();
    assert!(buf[..256].iter().all(|&b| b == 0xEE));
    assert!(buf[256..].iter().all(|&b| b == 0));
}

#[test]
fn write_protected_media_refuses_writes() {
    let mut rig = Rig::new();
    rig.fdc.insert(0, patterned(1_474_560, true));
    rig.program_dma(0x4A, 0x3000, 511);
    rig.command(&[0x45, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF]);
    assert_eq!(rig.results(), vec![0x40, 0x02, 0x00, 0, 0, 1, 2]);
    let mut buf = [0u8; 512];
    rig.fdc
        .disk_mut(0)
        .unwrap()
        .read_sectors(0, &mut buf)
        .unwrap();
    assert_eq!(&buf[..], &sector_pattern(0)[..]);
    assert_eq!(rig.dma.current_count(2), 511, "no byte moved");
}

#[test]
fn transfer_waits_for_the_dma_channel() {
    let mut rig = Rig::new();
    rig.command(&[0x46, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF]);
    assert_eq!(rig.inp(0x3F4), 0x10, "execution phase, DMA mode");
    assert!(!rig.fdc.irq_line());
    assert_eq!(
        rig.dma.port_read(0x08, Width::Byte, 0) & 0x40,
        0x40,
        "DREQ 2 shown"
    );
    rig.program_dma(0x46, 0x4000, 511);
    assert_eq!(&rig.mem.0[0x4000..0x4200], &sector_pattern(0)[..]);
    assert_eq!(rig.results(), vec![0x00, 0x00, 0x00, 0, 0, 2, 2]);
}

#[test]
fn implied_seek_moves_the_head_before_reading() {
    let mut rig = Rig::new();
    rig.command(&[0x13, 0x00, 0x50, 0x00]); // EIS, polling off
    rig.program_dma(0x46, 0x2000, 511);
    rig.command(&[0x46, 0x00, 7, 0, 1, 2, 18, 0x1B, 0xFF]);
    assert_eq!(rig.results(), vec![0x00, 0x00, 0x00, 7, 0, 2, 2]);
    assert_eq!(&rig.mem.0[0x2000..0x2200], &sector_pattern(7 * 36)[..]);
    rig.command(&[0x0E]);
    assert_eq!(rig.results()[0], 7, "PCN follows the implied seek");
}

#[test]
fn dma_pending_until_the_transfer_ran() {
    let mut rig = Rig::new();
    assert!(!rig.fdc.dma_pending());
    rig.command(&[0x46, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF]);
    assert!(rig.fdc.dma_pending());
    rig.program_dma(0x46, 0x2000, 511);
    assert!(!rig.fdc.dma_pending());
}

#[test]
fn read_id_reports_the_sector_under_the_head() {
    let mut rig = Rig::new();
    rig.seek(0, 0, 9);
    rig.now = 0;
    rig.command(&[0x4A, 0x04]);
    assert!(rig.fdc.irq_line());
    assert_eq!(rig.results(), vec![0x04, 0, 0, 9, 1, 1, 2]);
    rig.now = 200_000_000 / 18 * 5 + 10;
    rig.command(&[0x4A, 0x00]);
    assert_eq!(rig.results(), vec![0x00, 0, 0, 9, 0, 6, 2]);
    rig.command(&[0x4A, 0x01]);
    assert_eq!(rig.results()[..2], [0x41, 0x01]);
}

#[test]
fn format_track_fills_sectors() {
    let mut rig = Rig::new();
    rig.fdc.insert(1, patterned(737_280, false));
    rig.out(0x3F7, 0x02); // 250 kbit/s for 720K
    rig.out(0x3F2, 0x2D); // drive 1 selected, motor on
    rig.seek(1, 0, 3);
    for r in 0..9u8 {
        let at = 0x5000 + usize::from(r) * 4;
        rig.mem.0[at..at + 4].copy_from_slice(&[3, 1, r + 1, 2]);
    }
    rig.program_dma(0x4A, 0x5000, 9 * 4 - 1);
    rig.command(&[0x4D, 0x05, 2, 9, 0x54, 0xF6]);
    let res = rig.results();
    assert_eq!(res[..3], [0x05, 0, 0]);
    let mut buf = vec![0u8; 512 * 9];
    let disk = rig.fdc.disk_mut(1).unwrap();
    disk.read_sectors(3 * 18 + 9, &mut buf).unwrap();
    assert!(buf.iter().all(|&b| b == 0xF6));
    let mut before = [0u8; 512];
    disk.read_sectors(3 * 18 + 8, &mut before).unwrap();
    assert_eq!(&before[..], &sector_pattern(3 * 18 + 8)[..]);
}

#[test]
fn disk_change_line_set_by_media_change_cleared_by_step() {
    let mut rig = Rig::new();
    assert_eq!(rig.inp(0x3F7) & 0x80, 0x80, "set since insertion");
    rig.seek(0, 0, 0);
    assert_eq!(rig.inp(0x3F7) & 0x80, 0x80, "no step pulse, still set");
    rig.seek(0, 0, 1);
    assert_eq!(rig.inp(0x3F7) & 0x80, 0x00);
    let disk = rig.fdc.eject(0).unwrap();
    assert_eq!(rig.inp(0x3F7) & 0x80, 0x80);
    rig.seek(0, 0, 2);
    assert_eq!(rig.inp(0x3F7) & 0x80, 0x80, "no media: stays set");
    rig.fdc.insert(0, disk);
    rig.seek(0, 0, 0);
    assert_eq!(rig.inp(0x3F7) & 0x80, 0x00);
    // Drive 1 (empty) selected.
    rig.out(0x3F2, 0x1D);
    assert_eq!(rig.inp(0x3F7) & 0x80, 0x80);
}

#[test]
fn non_dma_mode_moves_data_through_the_fifo() {
    let mut rig = Rig::new();
    rig.command(&[0x03, 0xDF, 0x03]); // ND = 1
    rig.command(&[0x46, 0x00, 0, 0, 5, 2, 5, 0x1B, 0xFF]);
    assert_eq!(rig.inp(0x3F4), 0xF0);
    assert!(rig.fdc.irq_line());
    let data: Vec<u8> = (0..512).map(|_| rig.inp(0x3F5)).collect();
    assert_eq!(data, sector_pattern(4));
    assert_eq!(rig.results(), vec![0x40, 0x80, 0x00, 1, 0, 1, 2]);
    // Write one sector through the FIFO.
    rig.command(&[0x45, 0x00, 0, 0, 7, 2, 7, 0x1B, 0xFF]);
    assert_eq!(rig.inp(0x3F4), 0xB0);
    for i in 0..512u32 {
        rig.out(0x3F5, (i % 251) as u8);
    }
    assert_eq!(rig.results(), vec![0x40, 0x80, 0x00, 1, 0, 1, 2]);
    let mut buf = [0u8; 512];
    rig.fdc
        .disk_mut(0)
        .unwrap()
        .read_sectors(6, &mut buf)
        .unwrap();
    assert!(buf.iter().enumerate().all(|(i, &b)| b == (i % 251) as u8));
}

#[test]
fn registers_read_back_and_unclaimed_read_ones() {
    let mut rig = Rig::new();
    assert_eq!(rig.inp(0x3F2), 0x1C);
    assert_eq!(rig.inp(0x3F0), 0xFF);
    assert_eq!(rig.inp(0x3F1), 0xFF);
    rig.out(0x3F3, 0x02);
    assert_eq!(rig.inp(0x3F3) & 0x03, 0x02);
    assert_eq!(rig.fdc.peek(0x3F4), 0x80);
    assert_eq!(rig.fdc.ports(), &[(0x3F0, 0x3F5), (0x3F7, 0x3F7)]);
}

#[test]
fn random_port_traffic_never_panics() {
    let mut rig = Rig::new();
    rig.program_dma(0x46, 0x1000, 0xFFFF);
    let mut x: u32 = 0x1234_5678;
    for _ in 0..200_000 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        let port = 0x3F0 + (x % 8) as u16;
        if x & 0x100 != 0 {
            rig.out(port, (x >> 16) as u8);
        } else {
            rig.inp(port);
        }
        rig.now = rig.now.wrapping_add(u64::from(x & 0xFFFF));
    }
    assert!(!rig.fdc.in_command_phase() || rig.inp(0x3F4) & 0x80 != 0);
}

#[test]
fn every_media_format_reads_its_last_sector_at_its_data_rates() {
    // (size, rate code that works, rate code that does not)
    let table: &[(usize, &[u8], u8)] = &[
        (163_840, &[2, 1], 0),
        (184_320, &[2, 1], 0),
        (327_680, &[2, 1], 3),
        (368_640, &[2, 1], 0),
        (737_280, &[2], 1),
        (1_228_800, &[0], 2),
        (1_474_560, &[0], 3),
        (1_720_320, &[0], 2),
        (1_763_328, &[0], 1),
        (2_949_120, &[3], 0),
    ];
    for &(size, good_rates, bad_rate) in table {
        let mut rig = Rig::new();
        let image = patterned(size, false);
        let g = image.geometry();
        rig.fdc.insert(0, image);
        let (c, h, s) = (
            (g.cylinders - 1) as u8,
            (g.heads - 1) as u8,
            g.sectors_per_track as u8,
        );
        let last = size / 512 - 1;
        rig.seek(0, h, c);
        for &rate in good_rates {
            rig.out(0x3F7, rate);
            rig.program_dma(0x46, 0x8000, 511);
            rig.command(&[0x46, h << 2, c, h, s, 2, s, 0x1B, 0xFF]);
            let res = rig.results();
            assert_eq!(res[..3], [h << 2, 0, 0], "size {size} rate code {rate}");
            assert_eq!(&rig.mem.0[0x8000..0x8200], &sector_pattern(last)[..]);
            rig.mem.0[0x8000..0x8200].fill(0);
        }
        rig.out(0x3F7, bad_rate);
        rig.program_dma(0x46, 0x8000, 511);
        rig.command(&[0x46, h << 2, c, h, s, 2, s, 0x1B, 0xFF]);
        assert_eq!(rig.results()[..2], [0x40 | h << 2, 0x01], "size {size}");
        // One past the last cylinder has no track.
        rig.out(0x3F7, good_rates[0]);
        rig.seek(0, 0, c + 1);
        rig.command(&[0x46, 0x00, c + 1, 0, 1, 2, s, 0x1B, 0xFF]);
        assert_eq!(rig.results()[..2], [0x40, 0x01], "size {size}");
    }
}
