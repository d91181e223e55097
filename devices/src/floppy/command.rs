//! Command decoding for the 82077AA and the commands without a data transfer: SPECIFY, SENSE
//! DRIVE STATUS, RECALIBRATE, SENSE INTERRUPT STATUS, SEEK (and relative seek), READ ID,
//! VERSION, CONFIGURE, LOCK, DUMPREG and PERPENDICULAR MODE. Invalid opcodes answer ST0 = 0x80.

use super::drive::SectorId;
use super::{
    FloppyController, ST0_ABNORMAL, ST0_EQUIPMENT_CHECK, ST0_INVALID, ST0_NOT_READY, ST0_SEEK_END,
};

/// Opcode bits that select the command (MT, MFM and SK are flags above them).
const OPCODE_MASK: u8 = 0x1F;
const FLAG_MT: u8 = 0x80;
const FLAG_MFM: u8 = 0x40;

/// The commands, identified from the first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Opcode {
    ReadData,
    WriteData,
    ReadId,
    FormatTrack,
    Specify,
    SenseDriveStatus,
    Recalibrate,
    SenseInterrupt,
    Seek,
    Version,
    Configure,
    Lock,
    DumpReg,
    Perpendicular,
    Invalid,
}

fn decode(first: u8) -> Opcode {
    match first {
        b if b & OPCODE_MASK == 0x06 => Opcode::ReadData,
        b if b & 0x3F == 0x05 => Opcode::WriteData,
        b if b & 0xBF == 0x0A => Opcode::ReadId,
        b if b & 0xBF == 0x0D => Opcode::FormatTrack,
        b if b & 0x3F == 0x0F => Opcode::Seek,
        b if b & 0x7F == 0x14 => Opcode::Lock,
        0x03 => Opcode::Specify,
        0x04 => Opcode::SenseDriveStatus,
        0x07 => Opcode::Recalibrate,
        0x08 => Opcode::SenseInterrupt,
        0x0E => Opcode::DumpReg,
        0x10 => Opcode::Version,
        0x12 => Opcode::Perpendicular,
        0x13 => Opcode::Configure,
        _ => Opcode::Invalid,
    }
}

/// Total bytes (opcode included) of the command phase of a command.
pub(super) fn command_length(first: u8) -> usize {
    match decode(first) {
        Opcode::ReadData | Opcode::WriteData => 9,
        Opcode::FormatTrack => 6,
        Opcode::Configure => 4,
        Opcode::Specify | Opcode::Seek => 3,
        Opcode::ReadId | Opcode::SenseDriveStatus | Opcode::Recalibrate | Opcode::Perpendicular => {
            2
        }
        Opcode::SenseInterrupt
        | Opcode::Version
        | Opcode::Lock
        | Opcode::DumpReg
        | Opcode::Invalid => 1,
    }
}

impl FloppyController {
    /// Runs the command whose bytes are in `self.command`.
    pub(super) fn execute_command(&mut self) {
        let cmd: [u8; 9] = {
            let mut c = [0u8; 9];
            for (dst, &src) in c.iter_mut().zip(self.command.iter()) {
                *dst = src;
            }
            c
        };
        let op = decode(cmd[0]);
        log::trace!("fdc: command {op:?} {:02x?}", &self.command);
        match op {
            Opcode::ReadData | Opcode::WriteData => {
                self.start_read_write(&cmd, op == Opcode::WriteData)
            }
            Opcode::FormatTrack => self.start_format(&cmd),
            Opcode::ReadId => self.read_id(cmd[0] & FLAG_MFM != 0, cmd[1]),
            Opcode::Specify => {
                self.step_rate_head_unload = cmd[1];
                self.head_load_non_dma = cmd[2];
                self.finish(&[], false);
            }
            Opcode::SenseDriveStatus => {
                let st3 = self.drive_status(cmd[1]);
                self.finish(&[st3], false);
            }
            Opcode::Recalibrate => self.recalibrate(cmd[1]),
            Opcode::SenseInterrupt => self.sense_interrupt(),
            Opcode::Seek => self.seek(cmd[0], cmd[1], cmd[2]),
            Opcode::Version => self.finish(&[0x90], false),
            Opcode::Configure => {
                self.config.implied_seek = cmd[2] & 0x40 != 0;
                self.config.fifo_disabled = cmd[2] & 0x20 != 0;
                self.config.polling_disabled = cmd[2] & 0x10 != 0;
                self.config.fifo_threshold = cmd[2] & 0x0F;
                self.config.precomp_track = cmd[3];
                self.finish(&[], false);
            }
            Opcode::Lock => {
                self.locked = cmd[0] & FLAG_MT != 0;
                self.finish(&[u8::from(self.locked) << 4], false);
            }
            Opcode::DumpReg => {
                let bytes = [
                    self.pcn[0],
                    self.pcn[1],
                    self.pcn[2],
                    self.pcn[3],
                    self.step_rate_head_unload,
                    self.head_load_non_dma,
                    self.last_eot,
                    u8::from(self.locked) << 7 | (self.perpendicular & 0x3F),
                    self.config.to_byte(),
                    self.config.precomp_track,
                ];
                self.finish(&bytes, false);
            }
            Opcode::Perpendicular => {
                let value = cmd[1];
                let drives = if value & 0x80 != 0 {
                    value & 0x3C
                } else {
                    self.perpendicular & 0x3C
                };
                self.perpendicular = drives | (value & 0x03);
                self.finish(&[], false);
            }
            Opcode::Invalid => {
                log::debug!("fdc: invalid command {:#04x}", cmd[0]);
                self.finish(&[ST0_INVALID], false);
            }
        }
    }

    /// Whether NON-DMA mode was chosen with SPECIFY.
    pub(super) fn non_dma(&self) -> bool {
        self.head_load_non_dma & 1 != 0
    }

    fn drive_status(&self, hds_ds: u8) -> u8 {
        let ds = hds_ds & 3;
        let head = (hds_ds >> 2) & 1;
        let mut st3 = 0x20 | 0x08 | head << 2 | ds;
        if let Some(drive) = self.drives.get(usize::from(ds)) {
            if drive.write_protected() {
                st3 |= 0x40;
            }
            if drive.track == 0 {
                st3 |= 0x10;
            }
        }
        st3
    }

    fn seek_done(&mut self, ds: u8, st0: u8) {
        self.busy_drives |= 1 << ds;
        self.sense_queue.push_back((st0, self.pcn[usize::from(ds)]));
        self.interrupt = true;
        self.finish(&[], false);
    }

    fn recalibrate(&mut self, hds_ds: u8) {
        let ds = hds_ds & 3;
        match self.drives.get_mut(usize::from(ds)) {
            Some(drive) => {
                drive.step_to(0);
                self.pcn[usize::from(ds)] = 0;
                self.seek_done(ds, ST0_SEEK_END | ds);
            }
            None => {
                // No track 0 signal after 79 step pulses.
                self.pcn[usize::from(ds)] = self.pcn[usize::from(ds)].wrapping_sub(79);
                self.seek_done(ds, ST0_ABNORMAL | ST0_SEEK_END | ST0_EQUIPMENT_CHECK | ds);
            }
        }
    }

    fn seek(&mut self, first: u8, hds_ds: u8, cylinder: u8) {
        let ds = hds_ds & 3;
        let head = (hds_ds >> 2) & 1;
        let old = self.pcn[usize::from(ds)];
        let target = if first & FLAG_MT != 0 {
            // RELATIVE SEEK: bit 6 gives the direction (1 = towards higher cylinders).
            if first & FLAG_MFM != 0 {
                old.wrapping_add(cylinder)
            } else {
                old.wrapping_sub(cylinder)
            }
        } else {
            cylinder
        };
        self.pcn[usize::from(ds)] = target;
        if let Some(drive) = self.drives.get_mut(usize::from(ds)) {
            drive.step_to(target);
        }
        self.seek_done(ds, ST0_SEEK_END | head << 2 | ds);
    }

    fn sense_interrupt(&mut self) {
        self.interrupt = false;
        match self.sense_queue.pop_front() {
            Some((st0, pcn)) => {
                self.busy_drives &= !(1 << (st0 & 3));
                self.finish(&[st0, pcn], false);
            }
            None => self.finish(&[ST0_INVALID], false),
        }
    }

    fn read_id(&mut self, mfm: bool, hds_ds: u8) {
        let ds = hds_ds & 3;
        let head = (hds_ds >> 2) & 1;
        let st0_base = head << 2 | ds;
        let rate = self.data_rate_kbps();
        let now = self.now_ns;
        let outcome = match self.drives.get(usize::from(ds)) {
            None => Err((ST0_ABNORMAL | ST0_NOT_READY, 0u8, 0u8)),
            Some(drive) => match drive.readable_format(head, rate, mfm) {
                Ok(format) => Ok(drive.id_under_head(head, format, now)),
                Err(f) => Err((ST0_ABNORMAL, f.st1, f.st2)),
            },
        };
        match outcome {
            Ok(SectorId { c, h, r, n }) => self.finish(&[st0_base, 0, 0, c, h, r, n], true),
            Err((st0, st1, st2)) => {
                let c = self.pcn[usize::from(ds)];
                self.finish(&[st0 | st0_base, st1, st2, c, head, 1, 2], true)
            }
        }
    }

    /// True while a command is in its command phase.
    #[cfg(test)]
    pub(super) fn in_command_phase(&self) -> bool {
        self.phase == super::Phase::Command
    }
}
