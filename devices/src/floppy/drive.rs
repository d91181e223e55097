//! One floppy drive attached to the controller: its media, head position and disk-change line,
//! and how a sector ID on the track under the head is found.

use crate::disk_image::{DiskImage, FloppyFormat};

/// Status register 1 bits.
pub(super) const ST1_END_OF_CYLINDER: u8 = 0x80;
pub(super) const ST1_DATA_ERROR: u8 = 0x20;
pub(super) const ST1_NO_DATA: u8 = 0x04;
pub(super) const ST1_NOT_WRITABLE: u8 = 0x02;
pub(super) const ST1_MISSING_ADDRESS_MARK: u8 = 0x01;
/// Status register 2 bits.
pub(super) const ST2_WRONG_CYLINDER: u8 = 0x10;
pub(super) const ST2_BAD_CYLINDER: u8 = 0x02;

/// Rotation period of a 300 rpm drive.
const ROTATION_NS: u64 = 200_000_000;

/// A sector ID field (cylinder, head, record, size code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct SectorId {
    pub c: u8,
    pub h: u8,
    pub r: u8,
    pub n: u8,
}

/// Why no sector could be found: the ST1/ST2 bits to report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct SeekFailure {
    pub st1: u8,
    pub st2: u8,
}

#[derive(Debug)]
pub(super) struct Drive {
    pub media: Option<DiskImage>,
    /// Physical track under the heads.
    pub track: u8,
    /// DSKCHG: set when media is removed or inserted, cleared by a step pulse with media in.
    pub disk_changed: bool,
}

impl Drive {
    pub fn new() -> Drive {
        Drive {
            media: None,
            track: 0,
            disk_changed: true,
        }
    }

    /// Moves the heads to `track`; a step pulse with media present clears DSKCHG.
    pub fn step_to(&mut self, track: u8) {
        if track != self.track && self.media.is_some() {
            self.disk_changed = false;
        }
        self.track = track;
    }

    pub fn write_protected(&self) -> bool {
        self.media.as_ref().is_none_or(|m| m.is_read_only())
    }

    /// The media's format, if readable at `rate_kbps` with MFM encoding on `head`.
    pub fn readable_format(
        &self,
        head: u8,
        rate_kbps: u32,
        mfm: bool,
    ) -> Result<&'static FloppyFormat, SeekFailure> {
        let missing = SeekFailure {
            st1: ST1_MISSING_ADDRESS_MARK,
            st2: 0,
        };
        let format = self
            .media
            .as_ref()
            .and_then(|m| m.floppy_format())
            .ok_or(missing)?;
        let g = format.geometry;
        if !mfm
            || !format.data_rates_kbps.contains(&rate_kbps)
            || u32::from(self.track) >= g.cylinders
            || u32::from(head) >= g.heads
        {
            return Err(missing);
        }
        Ok(format)
    }

    /// Finds the sector with ID `id` on the track under `head`, returning its LBA.
    pub fn find_sector(
        &self,
        head: u8,
        id: SectorId,
        rate_kbps: u32,
        mfm: bool,
    ) -> Result<u64, SeekFailure> {
        let format = self.readable_format(head, rate_kbps, mfm)?;
        let g = format.geometry;
        // Standard media: every ID on this track is (track, head, 1..=spt, 2).
        if id.c != self.track {
            let st2 = if id.c == 0xFF {
                ST2_BAD_CYLINDER | ST2_WRONG_CYLINDER
            } else {
                ST2_WRONG_CYLINDER
            };
            return Err(SeekFailure {
                st1: ST1_NO_DATA,
                st2,
            });
        }
        let not_found = SeekFailure {
            st1: ST1_NO_DATA,
            st2: 0,
        };
        if id.h != head || id.n != 2 {
            return Err(not_found);
        }
        g.chs_to_lba(u32::from(id.c), u32::from(head), u32::from(id.r))
            .ok_or(not_found)
    }

    /// The ID of the sector passing under the head at `now_ns` (READ ID).
    pub fn id_under_head(&self, head: u8, format: &FloppyFormat, now_ns: u64) -> SectorId {
        let spt = u64::from(format.geometry.sectors_per_track.max(1));
        let r = (now_ns % ROTATION_NS) / (ROTATION_NS / spt);
        SectorId {
            c: self.track,
            h: head,
            r: (r.min(spt - 1) + 1) as u8,
            n: 2,
        }
    }
}
