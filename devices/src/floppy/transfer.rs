//! The data commands of the 82077AA: READ DATA, WRITE DATA (multi-track, end of track, terminal
//! count) and FORMAT TRACK. Their execution phase moves bytes through DMA channel 2 (or the FIFO
//! in non-DMA mode) one sector at a time and ends with the seven result bytes
//! ST0 ST1 ST2 C H R N.

use super::drive::{
    SectorId, SeekFailure, ST1_DATA_ERROR, ST1_END_OF_CYLINDER, ST1_MISSING_ADDRESS_MARK,
    ST1_NOT_WRITABLE,
};
use super::{FloppyController, Phase, FLOPPY_DMA_CHANNEL, ST0_ABNORMAL, ST0_NOT_READY};
use crate::disk_image::{DiskIoError, SECTOR_SIZE};
use crate::dma::{Dma, GuestMemory};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Read,
    Write,
    Format,
}

/// A data command in its execution phase.
#[derive(Debug)]
pub(super) struct Execution {
    kind: Kind,
    pub dma: bool,
    drive: u8,
    /// Physical head (HDS).
    head: u8,
    /// The ID being looked for (for FORMAT: the last ID received).
    id: SectorId,
    eot: u8,
    multi_track: bool,
    mfm: bool,
    /// Data of the current sector (or 4-byte ID for FORMAT).
    buffer: Vec<u8>,
    pos: usize,
    /// The current sector was found (and for reads, loaded into `buffer`).
    located: bool,
    /// FORMAT: sectors per track to format, sectors done and the filler byte.
    format_count: u8,
    format_done: u8,
    filler: u8,
}

impl Execution {
    pub fn is_read(&self) -> bool {
        self.kind == Kind::Read
    }

    /// Non-DMA mode: a data byte can be moved through the FIFO.
    pub fn pio_ready(&self) -> bool {
        !self.dma && (self.kind != Kind::Read || self.located)
    }
}

/// How a sector-by-sector step ended.
enum Step {
    /// Keep going.
    Continue,
    /// Wait for the DMA channel (or the host, in non-DMA mode).
    Wait,
    /// Terminal count seen after the current sector: normal termination.
    TerminalCount,
    /// End of track without terminal count.
    EndOfTrack,
    Error {
        st0: u8,
        st1: u8,
        st2: u8,
    },
}

impl FloppyController {
    pub(super) fn start_read_write(&mut self, cmd: &[u8; 9], write: bool) {
        let ds = cmd[1] & 3;
        let head = (cmd[1] >> 2) & 1;
        let exec = Execution {
            kind: if write { Kind::Write } else { Kind::Read },
            dma: !self.non_dma(),
            drive: ds,
            head,
            id: SectorId {
                c: cmd[2],
                h: cmd[3],
                r: cmd[4],
                n: cmd[5],
            },
            eot: cmd[6],
            multi_track: cmd[0] & 0x80 != 0,
            mfm: cmd[0] & 0x40 != 0,
            buffer: vec![0; SECTOR_SIZE],
            pos: 0,
            located: false,
            format_count: 0,
            format_done: 0,
            filler: 0,
        };
        self.last_eot = cmd[6];
        self.begin(exec);
    }

    pub(super) fn start_format(&mut self, cmd: &[u8; 9]) {
        let ds = cmd[1] & 3;
        let head = (cmd[1] >> 2) & 1;
        let exec = Execution {
            kind: Kind::Format,
            dma: !self.non_dma(),
            drive: ds,
            head,
            id: SectorId {
                c: self.pcn[usize::from(ds)],
                h: head,
                r: 1,
                n: cmd[2],
            },
            eot: cmd[3],
            multi_track: false,
            mfm: cmd[0] & 0x40 != 0,
            buffer: vec![0; 4],
            pos: 0,
            located: true,
            format_count: cmd[3],
            format_done: 0,
            filler: cmd[5],
        };
        self.last_eot = cmd[3];
        self.begin(exec);
    }

    /// Checks what can be checked before data moves, then enters the execution phase.
    fn begin(&mut self, exec: Execution) {
        if self.config.implied_seek && exec.kind != Kind::Format {
            // CONFIGURE EIS: seek to the cylinder of the command first.
            let ds = usize::from(exec.drive);
            self.pcn[ds] = exec.id.c;
            if let Some(drive) = self.drives.get_mut(ds) {
                drive.step_to(exec.id.c);
            }
        }
        let rate = self.data_rate_kbps();
        let failure = match self.drives.get(usize::from(exec.drive)) {
            None => Some((ST0_ABNORMAL | ST0_NOT_READY, 0, 0)),
            Some(drive) if drive.media.is_none() => {
                Some((ST0_ABNORMAL | ST0_NOT_READY, ST1_MISSING_ADDRESS_MARK, 0))
            }
            Some(drive) if exec.kind != Kind::Read && drive.write_protected() => {
                Some((ST0_ABNORMAL, ST1_NOT_WRITABLE, 0))
            }
            Some(drive) if exec.kind == Kind::Format => drive
                .readable_format(exec.head, rate, exec.mfm)
                .err()
                .map(|f| (ST0_ABNORMAL, f.st1, f.st2)),
            Some(_) => None,
        };
        self.phase = Phase::Execution;
        let id = exec.id;
        let (drive, head) = (exec.drive, exec.head);
        self.execution = Some(exec);
        if let Some((st0, st1, st2)) = failure {
            self.end_with(drive, head, st0, st1, st2, id);
            return;
        }
        if !self.execution.as_ref().is_some_and(|e| e.dma) {
            // Non-DMA: prepare the first sector so the FIFO has data.
            self.step_pio();
        }
    }

    fn end_with(&mut self, drive: u8, head: u8, st0: u8, st1: u8, st2: u8, id: SectorId) {
        let st0 = st0 | head << 2 | drive;
        self.finish(&[st0, st1, st2, id.c, id.h, id.r, id.n], true);
    }

    /// Finds (and for reads, loads) the current sector.
    fn locate(&mut self) -> Result<(), (u8, u8, u8)> {
        let rate = self.data_rate_kbps();
        let Some(exec) = self.execution.as_mut() else {
            return Ok(());
        };
        let Some(drive) = self.drives.get_mut(usize::from(exec.drive)) else {
            return Err((ST0_ABNORMAL | ST0_NOT_READY, 0, 0));
        };
        let lba = drive
            .find_sector(exec.head, exec.id, rate, exec.mfm)
            .map_err(|SeekFailure { st1, st2 }| (ST0_ABNORMAL, st1, st2))?;
        exec.pos = 0;
        exec.located = true;
        exec.buffer.resize(SECTOR_SIZE, 0);
        if exec.kind == Kind::Read {
            let media = drive
                .media
                .as_mut()
                .ok_or((ST0_ABNORMAL, ST1_MISSING_ADDRESS_MARK, 0))?;
            media.read_sectors(lba, &mut exec.buffer).map_err(|e| {
                log::warn!("fdc: read of sector {lba} failed: {e}");
                (ST0_ABNORMAL, ST1_DATA_ERROR, 0)
            })?;
        }
        Ok(())
    }

    /// Writes the completed sector buffer of a WRITE DATA to the media.
    fn store_sector(&mut self) -> Result<(), (u8, u8, u8)> {
        let rate = self.data_rate_kbps();
        let Some(exec) = self.execution.as_mut() else {
            return Ok(());
        };
        let Some(drive) = self.drives.get_mut(usize::from(exec.drive)) else {
            return Err((ST0_ABNORMAL | ST0_NOT_READY, 0, 0));
        };
        let lba = drive
            .find_sector(exec.head, exec.id, rate, exec.mfm)
            .map_err(|SeekFailure { st1, st2 }| (ST0_ABNORMAL, st1, st2))?;
        let media = drive
            .media
            .as_mut()
            .ok_or((ST0_ABNORMAL, ST1_MISSING_ADDRESS_MARK, 0))?;
        media.write_sectors(lba, &exec.buffer).map_err(|e| match e {
            DiskIoError::WriteProtected => (ST0_ABNORMAL, ST1_NOT_WRITABLE, 0),
            other => {
                log::warn!("fdc: write of sector {lba} failed: {other}");
                (ST0_ABNORMAL, ST1_DATA_ERROR, 0)
            }
        })
    }

    /// Formats one sector from the 4-byte ID in the buffer.
    fn format_sector(&mut self) -> Result<(), (u8, u8, u8)> {
        let Some(exec) = self.execution.as_mut() else {
            return Ok(());
        };
        let id = SectorId {
            c: exec.buffer[0],
            h: exec.buffer[1],
            r: exec.buffer[2],
            n: exec.buffer[3],
        };
        exec.id = id;
        exec.format_done = exec.format_done.wrapping_add(1);
        exec.pos = 0;
        let (head, filler) = (exec.head, exec.filler);
        let Some(drive) = self.drives.get_mut(usize::from(exec.drive)) else {
            return Err((ST0_ABNORMAL | ST0_NOT_READY, 0, 0));
        };
        let track = drive.track;
        let Some(media) = drive.media.as_mut() else {
            return Err((ST0_ABNORMAL | ST0_NOT_READY, ST1_MISSING_ADDRESS_MARK, 0));
        };
        let geometry = media.geometry();
        if id.n != 2 || id.c != track || id.h != head {
            log::warn!("fdc: FORMAT ID {id:?} cannot be represented in a flat image; data kept");
        }
        match geometry.chs_to_lba(u32::from(track), u32::from(head), u32::from(id.r)) {
            Some(lba) => media
                .write_sectors(lba, &[filler; SECTOR_SIZE])
                .map_err(|_| (ST0_ABNORMAL, ST1_NOT_WRITABLE, 0)),
            None => {
                log::warn!("fdc: FORMAT sector {} outside the image geometry", id.r);
                Ok(())
            }
        }
    }

    /// Moves on to the sector after the one just finished.
    fn next_sector(&mut self) -> Step {
        let Some(exec) = self.execution.as_mut() else {
            return Step::Wait;
        };
        exec.located = false;
        exec.pos = 0;
        if exec.id.r == exec.eot {
            if exec.multi_track && exec.head == 0 {
                exec.head = 1;
                exec.id.h ^= 1;
                exec.id.r = 1;
                return Step::Continue;
            }
            return Step::EndOfTrack;
        }
        exec.id.r = exec.id.r.wrapping_add(1);
        Step::Continue
    }

    /// The C H R N reported after the sector just transferred (datasheet result table).
    fn result_id(exec: &Execution) -> SectorId {
        let mut id = exec.id;
        if exec.kind == Kind::Format {
            return id;
        }
        if id.r == exec.eot {
            id.r = 1;
            if exec.multi_track {
                if exec.head == 1 {
                    id.c = id.c.wrapping_add(1);
                }
                id.h ^= 1;
            } else {
                id.c = id.c.wrapping_add(1);
            }
        } else {
            id.r = id.r.wrapping_add(1);
        }
        id
    }

    fn conclude(&mut self, step: Step) {
        let Some(exec) = self.execution.as_ref() else {
            return;
        };
        let (drive, head) = (exec.drive, exec.head);
        match step {
            Step::TerminalCount => {
                let id = Self::result_id(exec);
                self.end_with(drive, head, 0, 0, 0, id);
            }
            Step::EndOfTrack => {
                let id = Self::result_id(exec);
                if exec.kind == Kind::Format {
                    self.end_with(drive, head, 0, 0, 0, id);
                } else {
                    self.end_with(drive, head, ST0_ABNORMAL, ST1_END_OF_CYLINDER, 0, id);
                }
            }
            Step::Error { st0, st1, st2 } => {
                let id = exec.id;
                self.end_with(drive, head, st0, st1, st2, id);
            }
            Step::Continue | Step::Wait => {}
        }
    }

    /// Runs DMA-mode execution until it waits or ends.
    pub(super) fn run_dma(&mut self, dma: &mut Dma, mem: &mut dyn GuestMemory) {
        loop {
            let step = self.dma_step(dma, mem);
            match step {
                Step::Continue => continue,
                Step::Wait => return,
                other => {
                    self.conclude(other);
                    return;
                }
            }
        }
    }

    fn dma_step(&mut self, dma: &mut Dma, mem: &mut dyn GuestMemory) -> Step {
        let Some(kind) = self.execution.as_ref().map(|e| e.kind) else {
            return Step::Wait;
        };
        let located = self.execution.as_ref().is_some_and(|e| e.located);
        if kind != Kind::Format && !located {
            if let Err((st0, st1, st2)) = self.locate() {
                return Step::Error { st0, st1, st2 };
            }
        }
        let Some(exec) = self.execution.as_mut() else {
            return Step::Wait;
        };
        let pos = exec.pos;
        let transfer = match kind {
            Kind::Read => dma.transfer_to_memory(FLOPPY_DMA_CHANNEL, &exec.buffer[pos..], mem),
            Kind::Write | Kind::Format => {
                dma.transfer_from_memory(FLOPPY_DMA_CHANNEL, &mut exec.buffer[pos..], mem)
            }
        };
        exec.pos += transfer.bytes;
        let full = exec.pos >= exec.buffer.len();
        if !full && !transfer.terminal_count {
            return Step::Wait;
        }
        if !full {
            // Terminal count inside a sector: a write pads the rest of the field with zeros.
            let from = exec.pos;
            if kind == Kind::Write {
                exec.buffer[from..].fill(0);
            }
        }
        self.sector_complete(kind, transfer.terminal_count, full)
    }

    /// A sector's bytes (or a FORMAT ID) have all moved, or terminal count was reached.
    fn sector_complete(&mut self, kind: Kind, terminal_count: bool, full: bool) -> Step {
        match kind {
            Kind::Read => {}
            Kind::Write => {
                if let Err((st0, st1, st2)) = self.store_sector() {
                    return Step::Error { st0, st1, st2 };
                }
            }
            Kind::Format => {
                if !full {
                    // An incomplete ID cannot format a sector.
                    return Step::TerminalCount;
                }
                if let Err((st0, st1, st2)) = self.format_sector() {
                    return Step::Error { st0, st1, st2 };
                }
                let done = self
                    .execution
                    .as_ref()
                    .is_some_and(|e| e.format_done >= e.format_count);
                return if terminal_count {
                    Step::TerminalCount
                } else if done {
                    Step::EndOfTrack
                } else {
                    Step::Continue
                };
            }
        }
        if terminal_count {
            return Step::TerminalCount;
        }
        self.next_sector()
    }

    /// Non-DMA mode: loads the next sector for reads, concluding the command when it ends.
    fn step_pio(&mut self) {
        let Some(kind) = self.execution.as_ref().map(|e| e.kind) else {
            return;
        };
        if kind == Kind::Read && !self.execution.as_ref().is_some_and(|e| e.located) {
            if let Err((st0, st1, st2)) = self.locate() {
                self.conclude(Step::Error { st0, st1, st2 });
            }
        }
    }

    /// Non-DMA mode: the host reads a data byte from the FIFO.
    pub(super) fn pio_read(&mut self) -> u8 {
        let Some(exec) = self.execution.as_mut() else {
            return 0xFF;
        };
        if exec.dma || exec.kind != Kind::Read || !exec.located {
            return 0xFF;
        }
        let byte = exec.buffer.get(exec.pos).copied().unwrap_or(0xFF);
        exec.pos += 1;
        if exec.pos >= exec.buffer.len() {
            match self.next_sector() {
                Step::Continue => self.step_pio(),
                other => self.conclude(other),
            }
        }
        byte
    }

    /// Non-DMA mode: the host writes a data byte (or FORMAT ID byte) to the FIFO.
    pub(super) fn pio_write(&mut self, value: u8) {
        let Some(exec) = self.execution.as_mut() else {
            return;
        };
        if exec.dma || exec.kind == Kind::Read {
            return;
        }
        if let Some(slot) = exec.buffer.get_mut(exec.pos) {
            *slot = value;
        }
        exec.pos += 1;
        if exec.pos < exec.buffer.len() {
            return;
        }
        let kind = exec.kind;
        let step = self.sector_complete(kind, false, true);
        match step {
            Step::Continue => {}
            Step::Wait => {}
            other => self.conclude(other),
        }
    }
}
