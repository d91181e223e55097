//! ATAPI CD-ROM drive state and the packet protocol: the ATA commands a packet device answers
//! (IDENTIFY PACKET DEVICE, PACKET, DEVICE RESET, SET FEATURES, power no-ops; others abort with
//! the packet signature), receiving the 12-byte packet, sending data in DRQ blocks no larger
//! than the byte count limit with the interrupt reason in the sector count register, and the
//! status phase (sense key in the error register on errors). The packet commands themselves are
//! in `mmc.rs`.

use super::device::{Device, DeviceKind, ERR_ABRT, ST_DRDY, ST_DRQ, ST_DSC};
use super::identify;
use super::mmc::{
    MediaEvent, Reply, Sense, Source, INVALID_FIELD, NO_SENSE, SENSE_ILLEGAL_REQUEST,
};
use crate::disk_image::{DiskImage, CD_SECTOR_SIZE};

/// Interrupt reason (sector count register) bits.
const IREASON_COD: u8 = 0x01;
const IREASON_IO: u8 = 0x02;

enum AtapiOp {
    None,
    Identify,
    /// Waiting for the 12 packet bytes.
    AwaitPacket {
        byte_limit: u16,
    },
    DataIn {
        source: Source,
        remaining: usize,
        byte_limit: u16,
    },
}

/// A read-only CD-ROM drive.
pub struct AtapiCdrom {
    pub(super) media: Option<DiskImage>,
    /// Sense data of the last command, for REQUEST SENSE.
    pub(super) sense: Sense,
    /// A media change not yet reported with UNIT ATTENTION.
    pub(super) unit_attention: bool,
    /// PREVENT ALLOW MEDIUM REMOVAL state.
    pub(super) prevent_removal: bool,
    pub(super) media_event: MediaEvent,
    op: AtapiOp,
}

impl AtapiCdrom {
    pub(super) fn new(media: Option<DiskImage>) -> AtapiCdrom {
        AtapiCdrom {
            media,
            sense: NO_SENSE,
            unit_attention: false,
            prevent_removal: false,
            media_event: MediaEvent::None,
            op: AtapiOp::None,
        }
    }

    pub(super) fn abandon_command(&mut self) {
        self.op = AtapiOp::None;
    }

    /// Puts a disc in the drive; the guest sees a unit attention.
    pub(super) fn insert(&mut self, image: DiskImage) -> Option<DiskImage> {
        self.unit_attention = true;
        self.media_event = MediaEvent::NewMedia;
        self.media.replace(image)
    }

    /// Takes the disc out (the user forces it, whatever PREVENT ALLOW says).
    pub(super) fn eject(&mut self) -> Option<DiskImage> {
        let old = self.media.take();
        if old.is_some() {
            self.media_event = MediaEvent::Removal;
            self.unit_attention = true;
        }
        old
    }
}

impl Device {
    fn cdrom(&mut self) -> Option<&mut AtapiCdrom> {
        match &mut self.kind {
            DeviceKind::Atapi(cd) => Some(cd),
            DeviceKind::Ata(_) => None,
        }
    }

    /// Runs an ATA command on the CD-ROM.
    pub(super) fn execute_atapi_command(&mut self, command: u8) {
        let Some(cd) = self.cdrom() else { return };
        cd.op = AtapiOp::None;
        self.end_data_phase();
        self.error = 0;
        match command {
            0xA0 => {
                if self.tf.features & 1 != 0 {
                    // DMA is not supported.
                    self.packet_error(INVALID_FIELD);
                    return;
                }
                let byte_limit = u16::from(self.tf.lba_high) << 8 | u16::from(self.tf.lba_mid);
                if let Some(cd) = self.cdrom() {
                    cd.op = AtapiOp::AwaitPacket { byte_limit };
                }
                self.tf.sector_count = IREASON_COD;
                self.start_data_out(12);
                self.status |= ST_DRDY;
            }
            0xA1 => {
                if let Some(cd) = self.cdrom() {
                    cd.op = AtapiOp::Identify;
                }
                self.start_data_in(identify::atapi_identify().to_vec());
                self.status |= ST_DRDY;
                self.intrq = true;
            }
            0x08 => self.reset_to_signature(),
            0xEF => {
                let ok = match self.tf.features {
                    0x03 => matches!(self.tf.sector_count, 0x00 | 0x01 | 0x08..=0x0C),
                    0x02 | 0x82 | 0xAA | 0x55 | 0x66 | 0xCC => true,
                    _ => false,
                };
                if ok {
                    self.complete(true);
                } else {
                    self.fail(ERR_ABRT);
                }
            }
            0xE0..=0xE3 | 0xE6 | 0x94..=0x97 | 0x99 => self.complete(true),
            0xE5 | 0x98 => {
                self.complete(true);
                self.tf.sector_count = 0xFF;
            }
            _ => {
                // IDENTIFY DEVICE, READ SECTORS...: abort and show the packet signature.
                self.fail(ERR_ABRT);
                self.set_signature();
            }
        }
    }

    /// Ends a packet command with an error: sense key in the error register.
    fn packet_error(&mut self, s: Sense) {
        if let Some(cd) = self.cdrom() {
            cd.sense = s;
            cd.op = AtapiOp::None;
        }
        let abort = if s.key == SENSE_ILLEGAL_REQUEST {
            ERR_ABRT
        } else {
            0
        };
        self.fail(s.key << 4 | abort);
        self.tf.sector_count = IREASON_IO | IREASON_COD;
    }

    fn packet_done(&mut self) {
        if let Some(cd) = self.cdrom() {
            cd.op = AtapiOp::None;
        }
        self.complete(true);
        self.tf.sector_count = IREASON_IO | IREASON_COD;
    }

    /// Sends the next DRQ block of a data-in packet command, or completes it.
    fn send_next_chunk(&mut self) {
        let Some(cd) = self.cdrom() else { return };
        let AtapiOp::DataIn {
            source,
            remaining,
            byte_limit,
        } = &mut cd.op
        else {
            return;
        };
        if *remaining == 0 {
            self.packet_done();
            return;
        }
        let limit = match *byte_limit {
            0 | 0xFFFF => 0xFFFE,
            1 => 2,
            l => usize::from(l & !1),
        };
        let chunk = if source.whole_sectors() && limit >= CD_SECTOR_SIZE {
            limit - limit % CD_SECTOR_SIZE
        } else {
            limit
        };
        let n = chunk.min(*remaining);
        *remaining -= n;
        let taken = source.take(n, cd.media.as_mut());
        match taken {
            Ok(bytes) => {
                let len = bytes.len() as u16;
                self.tf.lba_mid = len as u8;
                self.tf.lba_high = (len >> 8) as u8;
                self.tf.sector_count = IREASON_IO;
                self.start_data_in(bytes);
                self.status |= ST_DRDY | ST_DSC;
                self.intrq = true;
            }
            Err(s) => self.packet_error(s),
        }
    }

    /// The host has moved the whole DRQ block of an ATAPI command.
    pub(super) fn atapi_block_done(&mut self) {
        let DeviceKind::Atapi(cd) = &mut self.kind else {
            return;
        };
        match std::mem::replace(&mut cd.op, AtapiOp::None) {
            AtapiOp::None => self.end_data_phase(),
            AtapiOp::Identify => self.complete(false),
            AtapiOp::AwaitPacket { byte_limit } => {
                let mut cdb = [0u8; 12];
                for (dst, src) in cdb.iter_mut().zip(self.buffer.iter()) {
                    *dst = *src;
                }
                // End the packet's DRQ block (field by field: `cd` borrows `self.kind`).
                self.status &= !ST_DRQ;
                self.buffer.clear();
                self.pos = 0;
                log::trace!("atapi: packet {cdb:02x?}");
                let reply = cd.run_packet(&cdb);
                match reply {
                    Reply::Done => {
                        cd.sense = NO_SENSE;
                        self.packet_done();
                    }
                    Reply::Error(s) => self.packet_error(s),
                    Reply::Data(_, 0) => {
                        cd.sense = NO_SENSE;
                        self.packet_done();
                    }
                    Reply::Data(source, total) => {
                        if cdb[0] != 0x03 {
                            cd.sense = NO_SENSE;
                        }
                        cd.op = AtapiOp::DataIn {
                            source,
                            remaining: total,
                            byte_limit,
                        };
                        self.send_next_chunk();
                    }
                }
            }
            op @ AtapiOp::DataIn { .. } => {
                cd.op = op;
                self.send_next_chunk();
            }
        }
    }
}
