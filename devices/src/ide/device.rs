//! One device on an IDE channel (ATA hard disk or ATAPI CD-ROM): its copy of the task-file
//! registers, status/error, INTRQ, and the PIO data buffer with its DRQ blocks. What happens
//! when a DRQ block has been moved is decided by the command code in `ata.rs` / `atapi.rs`.

use super::ata::AtaDisk;
use super::atapi::AtapiCdrom;

/// Status register bits.
pub(super) const ST_BSY: u8 = 0x80;
pub(super) const ST_DRDY: u8 = 0x40;
pub(super) const ST_DSC: u8 = 0x10;
pub(super) const ST_DRQ: u8 = 0x08;
pub(super) const ST_ERR: u8 = 0x01;
/// Error register bits.
pub(super) const ERR_IDNF: u8 = 0x10;
pub(super) const ERR_ABRT: u8 = 0x04;
pub(super) const ERR_UNC: u8 = 0x40;
/// Device register bits.
pub(super) const DEV_LBA: u8 = 0x40;
pub(super) const DEV_SELECT: u8 = 0x10;

/// The command block registers as one device holds them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct TaskFile {
    pub features: u8,
    pub sector_count: u8,
    pub lba_low: u8,
    pub lba_mid: u8,
    pub lba_high: u8,
    pub device: u8,
}

/// Direction of the current PIO data phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PioDirection {
    /// Device to host (reads of the data port).
    In,
    /// Host to device (writes of the data port).
    Out,
}

/// What a device is.
pub(super) enum DeviceKind {
    Ata(AtaDisk),
    Atapi(AtapiCdrom),
}

pub(super) struct Device {
    pub kind: DeviceKind,
    pub tf: TaskFile,
    pub status: u8,
    pub error: u8,
    /// INTRQ (before nIEN).
    pub intrq: bool,
    /// Current DRQ block.
    pub buffer: Vec<u8>,
    pub pos: usize,
    pub direction: PioDirection,
}

impl Device {
    pub fn new(kind: DeviceKind) -> Device {
        let mut device = Device {
            kind,
            tf: TaskFile::default(),
            status: 0,
            error: 0,
            intrq: false,
            buffer: Vec::new(),
            pos: 0,
            direction: PioDirection::In,
        };
        device.reset_to_signature();
        device
    }

    pub fn is_atapi(&self) -> bool {
        matches!(self.kind, DeviceKind::Atapi(_))
    }

    /// State after a reset or EXECUTE DEVICE DIAGNOSTIC: signature in the task file,
    /// diagnostic code 01 (no error) in the error register.
    pub fn reset_to_signature(&mut self) {
        self.set_signature();
        self.error = 0x01;
        self.status = if self.is_atapi() { 0 } else { ST_DRDY | ST_DSC };
        self.end_data_phase();
        match &mut self.kind {
            DeviceKind::Ata(disk) => disk.abandon_command(),
            DeviceKind::Atapi(cd) => cd.abandon_command(),
        }
    }

    /// Device signature: 01/01/00/00 for ATA, 01/01/14/EB for ATAPI.
    pub fn set_signature(&mut self) {
        self.tf.sector_count = 1;
        self.tf.lba_low = 1;
        let (mid, high) = if self.is_atapi() {
            (0x14, 0xEB)
        } else {
            (0, 0)
        };
        self.tf.lba_mid = mid;
        self.tf.lba_high = high;
        self.tf.device &= DEV_SELECT;
    }

    pub fn drq(&self) -> bool {
        self.status & ST_DRQ != 0
    }

    /// Starts a DRQ block of `data` to be read by the host.
    pub fn start_data_in(&mut self, data: Vec<u8>) {
        self.buffer = data;
        self.pos = 0;
        self.direction = PioDirection::In;
        self.status = (self.status & !(ST_BSY | ST_ERR)) | ST_DRQ;
    }

    /// Starts a DRQ block of `len` bytes to be written by the host.
    pub fn start_data_out(&mut self, len: usize) {
        self.buffer.clear();
        self.buffer.resize(len, 0);
        self.pos = 0;
        self.direction = PioDirection::Out;
        self.status = (self.status & !(ST_BSY | ST_ERR)) | ST_DRQ;
    }

    pub fn end_data_phase(&mut self) {
        self.status &= !ST_DRQ;
        self.buffer.clear();
        self.pos = 0;
    }

    /// Ends a command successfully.
    pub fn complete(&mut self, interrupt: bool) {
        self.end_data_phase();
        self.status = ST_DRDY | ST_DSC;
        self.error = 0;
        if interrupt {
            self.intrq = true;
        }
    }

    /// Ends a command with an error.
    pub fn fail(&mut self, error: u8) {
        self.end_data_phase();
        self.status = ST_DRDY | ST_DSC | ST_ERR;
        self.error = error;
        self.intrq = true;
    }

    /// Moves up to `out.len()` bytes of the DRQ block to the host; true when the block is done.
    pub fn read_data(&mut self, out: &mut [u8]) -> bool {
        if !self.drq() || self.direction != PioDirection::In {
            out.fill(0xFF);
            return false;
        }
        for b in out.iter_mut() {
            *b = self.buffer.get(self.pos).copied().unwrap_or(0xFF);
            self.pos += 1;
        }
        self.pos >= self.buffer.len()
    }

    /// Takes bytes written by the host; true when the block is full.
    pub fn write_data(&mut self, bytes: &[u8]) -> bool {
        if !self.drq() || self.direction != PioDirection::Out {
            return false;
        }
        for &b in bytes {
            if let Some(slot) = self.buffer.get_mut(self.pos) {
                *slot = b;
            }
            self.pos += 1;
        }
        self.pos >= self.buffer.len()
    }
}
