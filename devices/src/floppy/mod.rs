//! Intel 82077AA floppy disk controller (PC-AT mode) at 0x3F0-0x3F5 and 0x3F7 with two drives.
//!
//! This file owns the registers and the command/execution/result phases: DOR (0x3F2: drive
//! select, reset, DMA gate, motors), TDR (0x3F3), MSR (0x3F4 read) / DSR (0x3F4 write), the data
//! FIFO (0x3F5) and DIR (0x3F7 read: disk change) / CCR (0x3F7 write: data rate). Commands are
//! decoded in `command.rs`; READ DATA, WRITE DATA and FORMAT TRACK move their data in
//! `transfer.rs`, through DMA channel 2 when the platform calls [`FloppyController::service`] (or
//! byte by byte through the FIFO in non-DMA mode). Seeks complete at once. IRQ 6 is
//! [`FloppyController::irq_line`]; in AT mode it is gated by the DOR DMA-gate bit.

mod command;
mod drive;
mod transfer;

use std::collections::VecDeque;

use rawbox_cpu::Width;

use crate::disk_image::DiskImage;
use crate::dma::{Dma, GuestMemory};
use drive::Drive;
use transfer::Execution;

/// DMA channel the floppy controller uses.
pub const FLOPPY_DMA_CHANNEL: usize = 2;
/// ISA interrupt line of the controller.
pub const FLOPPY_IRQ: u8 = 6;

const DOR_RESET_N: u8 = 0x04;
const DOR_DMA_GATE: u8 = 0x08;

const MSR_RQM: u8 = 0x80;
const MSR_DIO: u8 = 0x40;
const MSR_NON_DMA: u8 = 0x20;
const MSR_BUSY: u8 = 0x10;

/// ST0 bits.
const ST0_INVALID: u8 = 0x80;
const ST0_ABNORMAL: u8 = 0x40;
const ST0_SEEK_END: u8 = 0x20;
const ST0_EQUIPMENT_CHECK: u8 = 0x10;
const ST0_NOT_READY: u8 = 0x08;

/// Data rates (kbit/s) selected by DSR/CCR bits 1:0.
const DATA_RATES_KBPS: [u32; 4] = [500, 300, 250, 1000];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// DOR reset bit held low.
    Reset,
    Idle,
    Command,
    Execution,
    Result,
}

/// CONFIGURE parameters (kept across resets when LOCKed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Config {
    implied_seek: bool,
    fifo_disabled: bool,
    polling_disabled: bool,
    fifo_threshold: u8,
    precomp_track: u8,
}

impl Config {
    const DEFAULT: Config = Config {
        implied_seek: false,
        fifo_disabled: true,
        polling_disabled: false,
        fifo_threshold: 0,
        precomp_track: 0,
    };

    fn to_byte(self) -> u8 {
        u8::from(self.implied_seek) << 6
            | u8::from(self.fifo_disabled) << 5
            | u8::from(self.polling_disabled) << 4
            | self.fifo_threshold & 0x0F
    }
}

/// The 82077AA with drives 0 and 1 (drives 2 and 3 are not connected).
pub struct FloppyController {
    dor: u8,
    tdr: u8,
    /// DSR/CCR bits 1:0.
    rate_code: u8,
    drives: [Drive; 2],
    /// Present cylinder number per drive select, as the controller counts it.
    pcn: [u8; 4],
    /// Drives with a seek whose interrupt has not been sensed (MSR bits 3:0).
    busy_drives: u8,
    phase: Phase,
    command: Vec<u8>,
    command_len: usize,
    result: VecDeque<u8>,
    /// Interrupt request pending (before the DMA gate).
    interrupt: bool,
    /// Interrupt status for SENSE INTERRUPT STATUS: (ST0, PCN).
    sense_queue: VecDeque<(u8, u8)>,
    step_rate_head_unload: u8,
    head_load_non_dma: u8,
    config: Config,
    locked: bool,
    /// PERPENDICULAR MODE: D3-D0 in bits 5:2, GAP bit 1, WGATE bit 0.
    perpendicular: u8,
    /// Last EOT (or sectors per track of a FORMAT), for DUMPREG.
    last_eot: u8,
    execution: Option<Execution>,
    now_ns: u64,
}

impl FloppyController {
    /// Power-on state: controller out of reset is up to the guest (DOR = 0 holds it in reset),
    /// data rate 250 kbit/s, no media.
    pub fn new() -> FloppyController {
        FloppyController {
            dor: 0,
            tdr: 0,
            rate_code: 2,
            drives: [Drive::new(), Drive::new()],
            pcn: [0; 4],
            busy_drives: 0,
            phase: Phase::Reset,
            command: Vec::with_capacity(9),
            command_len: 0,
            result: VecDeque::with_capacity(10),
            interrupt: false,
            sense_queue: VecDeque::with_capacity(4),
            step_rate_head_unload: 0,
            head_load_non_dma: 0,
            config: Config::DEFAULT,
            locked: false,
            perpendicular: 0,
            last_eot: 0,
            execution: None,
            now_ns: 0,
        }
    }

    /// Inclusive port ranges claimed (0x3F6 belongs to the IDE controller).
    pub fn ports(&self) -> &'static [(u16, u16)] {
        &[(0x3F0, 0x3F5), (0x3F7, 0x3F7)]
    }

    /// Puts `image` in drive 0 or 1 (sets the disk-change line) and returns the disk it
    /// replaced. For a drive that does not exist the image itself is returned.
    pub fn insert(&mut self, drive: usize, image: DiskImage) -> Option<DiskImage> {
        match self.drives.get_mut(drive) {
            Some(d) => {
                d.disk_changed = true;
                d.media.replace(image)
            }
            None => Some(image),
        }
    }

    /// Removes the disk of a drive (sets the disk-change line).
    pub fn eject(&mut self, drive: usize) -> Option<DiskImage> {
        let d = self.drives.get_mut(drive)?;
        d.disk_changed = true;
        d.media.take()
    }

    /// The disk in a drive, for the BIOS's direct INT 13h access.
    pub fn disk_mut(&mut self, drive: usize) -> Option<&mut DiskImage> {
        self.drives.get_mut(drive)?.media.as_mut()
    }

    /// Level of the IRQ 6 output (interrupt pending and the DOR DMA gate set).
    pub fn irq_line(&self) -> bool {
        let pio_request = self
            .execution
            .as_ref()
            .is_some_and(|e| !e.dma && e.pio_ready());
        self.dor & DOR_DMA_GATE != 0
            && self.phase != Phase::Reset
            && (self.interrupt || pio_request)
    }

    /// Runs a pending DMA data transfer (READ DATA, WRITE DATA, FORMAT TRACK) as far as the DMA
    /// channel allows. The platform calls this after port accesses and DMA programming.
    pub fn service(&mut self, dma: &mut Dma, mem: &mut dyn GuestMemory, now_ns: u64) {
        self.now_ns = now_ns;
        let waiting = self.phase == Phase::Execution
            && self.execution.as_ref().is_some_and(|e| e.dma)
            && self.dor & DOR_DMA_GATE != 0;
        if waiting {
            self.run_dma(dma, mem);
        }
        let still =
            self.phase == Phase::Execution && self.execution.as_ref().is_some_and(|e| e.dma);
        dma.set_dreq(FLOPPY_DMA_CHANNEL, still && self.dor & DOR_DMA_GATE != 0);
    }

    /// Whether a command waits for [`FloppyController::service`] to move data by DMA.
    pub fn dma_pending(&self) -> bool {
        self.phase == Phase::Execution && self.execution.as_ref().is_some_and(|e| e.dma)
    }

    fn data_rate_kbps(&self) -> u32 {
        DATA_RATES_KBPS[usize::from(self.rate_code & 3)]
    }

    /// Reads a port; wider accesses read consecutive byte ports.
    pub fn port_read(&mut self, port: u16, width: Width, now_ns: u64) -> u32 {
        self.now_ns = now_ns;
        (0..width.bytes()).fold(0, |acc, i| {
            acc | u32::from(self.read_byte(port.wrapping_add(i as u16))) << (8 * i)
        })
    }

    /// Writes a port; wider accesses write consecutive byte ports.
    pub fn port_write(&mut self, port: u16, width: Width, value: u32, now_ns: u64) {
        self.now_ns = now_ns;
        for i in 0..width.bytes() {
            self.write_byte(port.wrapping_add(i as u16), (value >> (8 * i)) as u8);
        }
    }

    /// Reads a register without side effects (the FIFO shows the next result byte).
    pub fn peek(&self, port: u16) -> u8 {
        match port {
            0x3F5 => self.result.front().copied().unwrap_or(0xFF),
            _ => self.read_plain(port),
        }
    }

    fn read_plain(&self, port: u16) -> u8 {
        match port {
            0x3F2 => self.dor,
            0x3F3 => 0xFC | (self.tdr & 3),
            0x3F4 => self.main_status(),
            0x3F7 => {
                let selected = usize::from(self.dor & 3);
                let changed = self.drives.get(selected).is_some_and(|d| d.disk_changed);
                0x7F | u8::from(changed) << 7
            }
            _ => 0xFF,
        }
    }

    fn read_byte(&mut self, port: u16) -> u8 {
        match port {
            0x3F5 => self.read_fifo(),
            _ => self.read_plain(port),
        }
    }

    fn write_byte(&mut self, port: u16, value: u8) {
        match port {
            0x3F2 => self.write_dor(value),
            0x3F3 => self.tdr = value & 3,
            0x3F4 => {
                // Bits 6:2 (power down, write precompensation) have no effect here.
                self.rate_code = value & 3;
                if value & 0x80 != 0 {
                    self.enter_reset();
                    self.leave_reset();
                }
            }
            0x3F5 => self.write_fifo(value),
            0x3F7 => self.rate_code = value & 3,
            _ => {}
        }
    }

    fn write_dor(&mut self, value: u8) {
        let old = self.dor;
        self.dor = value;
        if value & DOR_RESET_N == 0 && old & DOR_RESET_N != 0 {
            self.enter_reset();
        } else if value & DOR_RESET_N != 0 && (old & DOR_RESET_N == 0 || self.phase == Phase::Reset)
        {
            self.leave_reset();
        }
    }

    fn enter_reset(&mut self) {
        log::debug!("fdc: reset");
        self.phase = Phase::Reset;
        self.command.clear();
        self.result.clear();
        self.execution = None;
        self.interrupt = false;
        self.sense_queue.clear();
        self.busy_drives = 0;
        if !self.locked {
            self.config = Config::DEFAULT;
        }
        self.perpendicular &= !0x03;
    }

    fn leave_reset(&mut self) {
        self.phase = Phase::Idle;
        if !self.config.polling_disabled {
            // Polling sees every drive's ready line change: four interrupt statuses.
            for drive in 0..4u8 {
                let pcn = self.pcn[usize::from(drive)];
                self.sense_queue
                    .push_back((ST0_ABNORMAL | ST0_INVALID | drive, pcn));
            }
            self.interrupt = true;
        }
    }

    fn main_status(&self) -> u8 {
        let busy = self.busy_drives & 0x0F;
        match self.phase {
            Phase::Reset => 0,
            Phase::Idle => MSR_RQM | busy,
            Phase::Command => MSR_RQM | MSR_BUSY | busy,
            Phase::Result => MSR_RQM | MSR_DIO | MSR_BUSY | busy,
            Phase::Execution => match &self.execution {
                Some(e) if !e.dma => {
                    let mut msr = MSR_NON_DMA | MSR_BUSY | busy;
                    if e.pio_ready() {
                        msr |= MSR_RQM;
                    }
                    if e.is_read() {
                        msr |= MSR_DIO;
                    }
                    msr
                }
                _ => MSR_BUSY | busy,
            },
        }
    }

    fn read_fifo(&mut self) -> u8 {
        match self.phase {
            Phase::Result => {
                // Reading the result clears the interrupt of the command.
                self.interrupt = false;
                let byte = self.result.pop_front().unwrap_or(0xFF);
                if self.result.is_empty() {
                    self.phase = Phase::Idle;
                }
                byte
            }
            Phase::Execution => self.pio_read(),
            _ => {
                log::debug!("fdc: FIFO read outside the result phase");
                0xFF
            }
        }
    }

    fn write_fifo(&mut self, value: u8) {
        match self.phase {
            Phase::Idle => {
                self.command.clear();
                self.command.push(value);
                self.command_len = command::command_length(value);
                self.phase = Phase::Command;
                if self.command.len() >= self.command_len {
                    self.execute_command();
                }
            }
            Phase::Command => {
                self.command.push(value);
                if self.command.len() >= self.command_len {
                    self.execute_command();
                }
            }
            Phase::Execution => self.pio_write(value),
            Phase::Result | Phase::Reset => {
                log::debug!("fdc: FIFO write {value:#04x} ignored in {:?}", self.phase)
            }
        }
    }

    /// Enters the result phase with `bytes` (an empty result returns to idle).
    fn finish(&mut self, bytes: &[u8], interrupt: bool) {
        self.execution = None;
        self.result.clear();
        self.result.extend(bytes.iter().copied());
        self.phase = if bytes.is_empty() {
            Phase::Idle
        } else {
            Phase::Result
        };
        if interrupt {
            self.interrupt = true;
        }
    }
}

#[cfg(test)]
mod tests;
