//! The SCSI/MMC packet commands of the CD-ROM: TEST UNIT READY, REQUEST SENSE, INQUIRY, READ
//! CAPACITY, READ(10), READ(12), MODE SENSE(10), START STOP UNIT, PREVENT ALLOW MEDIUM REMOVAL,
//! READ TOC (formats 0 and 1), GET CONFIGURATION, GET EVENT STATUS NOTIFICATION, SEEK and SET CD
//! SPEED. Each produces a [`Reply`]: done, data (from a buffer or from disc sectors), or an error
//! with sense data. The ATAPI protocol that carries them is in `atapi.rs`.

use super::atapi::AtapiCdrom;
use crate::disk_image::{DiskImage, CD_SECTOR_SIZE};

/// Sense keys.
const SENSE_NONE: u8 = 0x0;
const SENSE_NOT_READY: u8 = 0x2;
const SENSE_MEDIUM_ERROR: u8 = 0x3;
pub(super) const SENSE_ILLEGAL_REQUEST: u8 = 0x5;
const SENSE_UNIT_ATTENTION: u8 = 0x6;

/// Sense key with additional sense code and qualifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Sense {
    pub key: u8,
    pub asc: u8,
    pub ascq: u8,
}

const fn sense(key: u8, asc: u8, ascq: u8) -> Sense {
    Sense { key, asc, ascq }
}

pub(super) const NO_SENSE: Sense = sense(SENSE_NONE, 0, 0);
const MEDIUM_NOT_PRESENT: Sense = sense(SENSE_NOT_READY, 0x3A, 0);
const INVALID_OPCODE: Sense = sense(SENSE_ILLEGAL_REQUEST, 0x20, 0);
const LBA_OUT_OF_RANGE: Sense = sense(SENSE_ILLEGAL_REQUEST, 0x21, 0);
pub(super) const INVALID_FIELD: Sense = sense(SENSE_ILLEGAL_REQUEST, 0x24, 0);
const REMOVAL_PREVENTED: Sense = sense(SENSE_ILLEGAL_REQUEST, 0x53, 0x02);
const MEDIUM_CHANGED: Sense = sense(SENSE_UNIT_ATTENTION, 0x28, 0);
const READ_ERROR: Sense = sense(SENSE_MEDIUM_ERROR, 0x11, 0);

/// Where the bytes of a data-in command come from.
pub(super) enum Source {
    Buffer(Vec<u8>, usize),
    Sectors {
        next_lba: u64,
        remaining: u32,
        /// Bytes read from the disc not yet sent.
        carry: Vec<u8>,
    },
}

/// Media event for GET EVENT STATUS NOTIFICATION.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum MediaEvent {
    None,
    NewMedia,
    Removal,
}

/// What a packet command produced.
pub(super) enum Reply {
    Done,
    Data(Source, usize),
    Error(Sense),
}

fn be16(b: &[u8]) -> u16 {
    u16::from_be_bytes([b[0], b[1]])
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// A buffer reply truncated to the allocation length.
fn buffer_reply(mut data: Vec<u8>, alloc: usize) -> Reply {
    data.truncate(alloc);
    let len = data.len();
    Reply::Data(Source::Buffer(data, 0), len)
}

/// MSF address (with the 2-second lead-in offset) or big-endian LBA.
fn toc_address(lba: u32, msf: bool) -> [u8; 4] {
    if msf {
        let frames = lba.wrapping_add(150);
        let m = frames / (75 * 60);
        let s = (frames / 75) % 60;
        let f = frames % 75;
        [0, m.min(255) as u8, s as u8, f as u8]
    } else {
        lba.to_be_bytes()
    }
}

impl AtapiCdrom {
    fn sectors(&self) -> Option<u64> {
        self.media.as_ref().map(|m| m.sector_count())
    }

    /// Executes a packet; the data is the whole reply (before the byte count limit).
    pub(super) fn run_packet(&mut self, cdb: &[u8; 12]) -> Reply {
        let opcode = cdb[0];
        let exempt_from_attention = matches!(opcode, 0x03 | 0x12 | 0x46 | 0x4A);
        if self.unit_attention && !exempt_from_attention {
            self.unit_attention = false;
            return Reply::Error(MEDIUM_CHANGED);
        }
        let needs_media = matches!(opcode, 0x00 | 0x25 | 0x28 | 0xA8 | 0x43 | 0x2B);
        let Some(sectors) = self.sectors() else {
            if needs_media {
                return Reply::Error(MEDIUM_NOT_PRESENT);
            }
            return self.run_without_media(cdb);
        };
        match opcode {
            0x00 | 0x2B | 0xBB => Reply::Done,
            0x25 => {
                let last = (sectors.saturating_sub(1)).min(u64::from(u32::MAX)) as u32;
                let mut data = last.to_be_bytes().to_vec();
                data.extend_from_slice(&(CD_SECTOR_SIZE as u32).to_be_bytes());
                buffer_reply(data, 8)
            }
            0x28 => self.read(sectors, be32(&cdb[2..6]), u32::from(be16(&cdb[7..9]))),
            0xA8 => self.read(sectors, be32(&cdb[2..6]), be32(&cdb[6..10])),
            0x43 => self.read_toc(cdb, sectors),
            _ => self.run_without_media(cdb),
        }
    }

    /// Commands that work with or without a disc.
    fn run_without_media(&mut self, cdb: &[u8; 12]) -> Reply {
        match cdb[0] {
            0x03 => {
                let s = std::mem::replace(&mut self.sense, NO_SENSE);
                let mut data = vec![0u8; 18];
                data[0] = 0x70;
                data[2] = s.key;
                data[7] = 10;
                data[12] = s.asc;
                data[13] = s.ascq;
                buffer_reply(data, usize::from(cdb[4]))
            }
            0x12 => {
                if cdb[1] & 1 != 0 {
                    return Reply::Error(INVALID_FIELD);
                }
                let mut data = vec![0u8; 36];
                data[0] = 0x05; // CD/DVD device
                data[1] = 0x80; // removable
                data[2] = 0x00;
                data[3] = 0x21; // ATAPI, response data format 1
                data[4] = 31;
                data[8..16].copy_from_slice(b"RAWBOX  ");
                data[16..32].copy_from_slice(b"CD-ROM          ");
                data[32..36].copy_from_slice(b"1.0 ");
                buffer_reply(data, usize::from(be16(&cdb[3..5])))
            }
            0x1B => {
                let (start, load_eject) = (cdb[4] & 1 != 0, cdb[4] & 2 != 0);
                if load_eject && !start {
                    if self.prevent_removal {
                        return Reply::Error(REMOVAL_PREVENTED);
                    }
                    if self.media.take().is_some() {
                        self.media_event = MediaEvent::Removal;
                    }
                }
                Reply::Done
            }
            0x1E => {
                self.prevent_removal = cdb[4] & 1 != 0;
                Reply::Done
            }
            0x5A => self.mode_sense(cdb),
            0x46 => self.get_configuration(cdb),
            0x4A => self.get_event_status(cdb),
            0x00 | 0x25 | 0x28 | 0xA8 | 0x43 | 0x2B => Reply::Error(MEDIUM_NOT_PRESENT),
            0xBB => Reply::Done,
            other => {
                log::debug!("atapi: unsupported packet command {other:#04x}");
                Reply::Error(INVALID_OPCODE)
            }
        }
    }

    fn read(&mut self, sectors: u64, lba: u32, count: u32) -> Reply {
        if u64::from(lba) + u64::from(count) > sectors {
            return Reply::Error(LBA_OUT_OF_RANGE);
        }
        if count == 0 {
            return Reply::Done;
        }
        Reply::Data(
            Source::Sectors {
                next_lba: u64::from(lba),
                remaining: count,
                carry: Vec::new(),
            },
            count as usize * CD_SECTOR_SIZE,
        )
    }

    fn read_toc(&mut self, cdb: &[u8; 12], sectors: u64) -> Reply {
        let msf = cdb[1] & 0x02 != 0;
        let mut format = cdb[2] & 0x0F;
        if format == 0 {
            format = cdb[9] >> 6;
        }
        let start_track = cdb[6];
        let alloc = usize::from(be16(&cdb[7..9]));
        let lead_out = sectors.min(u64::from(u32::MAX)) as u32;
        let mut data = vec![0u8, 0, 1, 1];
        match format {
            0 => {
                if start_track > 1 && start_track != 0xAA {
                    return Reply::Error(INVALID_FIELD);
                }
                if start_track <= 1 {
                    data.extend_from_slice(&[0, 0x14, 1, 0]);
                    data.extend_from_slice(&toc_address(0, msf));
                }
                data.extend_from_slice(&[0, 0x14, 0xAA, 0]);
                data.extend_from_slice(&toc_address(lead_out, msf));
            }
            1 => {
                data.extend_from_slice(&[0, 0x14, 1, 0]);
                data.extend_from_slice(&toc_address(0, msf));
            }
            _ => return Reply::Error(INVALID_FIELD),
        }
        let len = (data.len() - 2) as u16;
        data[..2].copy_from_slice(&len.to_be_bytes());
        buffer_reply(data, alloc)
    }

    fn mode_sense(&mut self, cdb: &[u8; 12]) -> Reply {
        let page = cdb[2] & 0x3F;
        let changeable = cdb[2] >> 6 == 1;
        let alloc = usize::from(be16(&cdb[7..9]));
        let error_recovery = [0x01, 0x0A, 0, 5, 0, 0, 0, 0, 5, 0, 0, 0];
        let speed: u16 = 4224; // 24x in kB/s
        let mut capabilities = vec![0u8; 20];
        capabilities[0] = 0x2A;
        capabilities[1] = 18;
        capabilities[6] = 0x20 | 0x08 | 0x01 | u8::from(self.prevent_removal) << 1;
        capabilities[8..10].copy_from_slice(&speed.to_be_bytes());
        capabilities[10..12].copy_from_slice(&256u16.to_be_bytes());
        capabilities[12..14].copy_from_slice(&512u16.to_be_bytes());
        capabilities[14..16].copy_from_slice(&speed.to_be_bytes());
        let mut pages = Vec::new();
        match page {
            0x01 => pages.extend_from_slice(&error_recovery),
            0x2A => pages.extend_from_slice(&capabilities),
            0x3F => {
                pages.extend_from_slice(&error_recovery);
                pages.extend_from_slice(&capabilities);
            }
            _ => return Reply::Error(INVALID_FIELD),
        }
        if changeable {
            // Nothing can be changed: all page bytes after the headers are zero.
            let mut i = 0;
            while i + 1 < pages.len() {
                let len = usize::from(pages[i + 1]);
                for b in pages.iter_mut().skip(i + 2).take(len) {
                    *b = 0;
                }
                i += 2 + len;
            }
        }
        let mut data = vec![0u8; 8];
        data[2] = if self.media.is_some() { 0x01 } else { 0x70 };
        data.extend_from_slice(&pages);
        let len = (data.len() - 2) as u16;
        data[..2].copy_from_slice(&len.to_be_bytes());
        buffer_reply(data, alloc)
    }

    fn get_configuration(&mut self, cdb: &[u8; 12]) -> Reply {
        let rt = cdb[1] & 3;
        let start = be16(&cdb[2..4]);
        let alloc = usize::from(be16(&cdb[7..9]));
        let present = self.media.is_some();
        let lock_bits = 0x20 | 0x08 | 0x01 | u8::from(self.prevent_removal) << 1;
        let features: [(u16, Vec<u8>); 4] = [
            (0x0000, vec![0x03, 4, 0x00, 0x08, u8::from(present), 0]),
            (0x0001, vec![0x07, 8, 0, 0, 0, 2, 0, 0, 0, 0]),
            (0x0003, vec![0x03, 4, lock_bits, 0, 0, 0]),
            (
                0x0010,
                vec![u8::from(present), 8, 0, 0, 0x08, 0, 0, 1, 0, 0],
            ),
        ];
        let selected = features.iter().filter(|(code, body)| match rt {
            0 => *code >= start,
            1 => *code >= start && body[0] & 1 != 0,
            _ => *code == start,
        });
        if rt == 3 {
            return Reply::Error(INVALID_FIELD);
        }
        let mut data = vec![0u8; 8];
        let profile: u16 = if present { 0x0008 } else { 0 };
        data[6..8].copy_from_slice(&profile.to_be_bytes());
        for (code, body) in selected {
            data.extend_from_slice(&code.to_be_bytes());
            data.extend_from_slice(body);
        }
        let len = (data.len() - 4) as u32;
        data[..4].copy_from_slice(&len.to_be_bytes());
        buffer_reply(data, alloc)
    }

    fn get_event_status(&mut self, cdb: &[u8; 12]) -> Reply {
        if cdb[1] & 1 == 0 {
            // Only polled operation is supported.
            return Reply::Error(INVALID_FIELD);
        }
        let classes = cdb[4];
        let alloc = usize::from(be16(&cdb[7..9]));
        if classes & 0x10 == 0 {
            // No supported class requested: "no event available".
            return buffer_reply(vec![0, 2, 0x80, 0x10], alloc);
        }
        let code = match std::mem::replace(&mut self.media_event, MediaEvent::None) {
            MediaEvent::None => 0,
            MediaEvent::NewMedia => 2,
            MediaEvent::Removal => 3,
        };
        let status = u8::from(self.media.is_some()) << 1;
        buffer_reply(vec![0, 6, 0x04, 0x10, code, status, 0, 0], alloc)
    }
}

impl Source {
    /// Takes the next `n` bytes.
    pub(super) fn take(
        &mut self,
        n: usize,
        media: Option<&mut DiskImage>,
    ) -> Result<Vec<u8>, Sense> {
        match self {
            Source::Buffer(data, offset) => {
                let end = (*offset + n).min(data.len());
                let chunk = data[*offset..end].to_vec();
                *offset = end;
                Ok(chunk)
            }
            Source::Sectors {
                next_lba,
                remaining,
                carry,
            } => {
                let media = media.ok_or(MEDIUM_NOT_PRESENT)?;
                while carry.len() < n && *remaining > 0 {
                    let at = carry.len();
                    carry.resize(at + CD_SECTOR_SIZE, 0);
                    media
                        .read_sectors(*next_lba, &mut carry[at..])
                        .map_err(|e| {
                            log::warn!("atapi: read of sector {next_lba} failed: {e}");
                            READ_ERROR
                        })?;
                    *next_lba += 1;
                    *remaining -= 1;
                }
                let n = n.min(carry.len());
                Ok(carry.drain(..n).collect())
            }
        }
    }

    pub(super) fn whole_sectors(&self) -> bool {
        matches!(self, Source::Sectors { .. })
    }
}
