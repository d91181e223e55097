//! Guest programs of the JIT benchmark (issue 5): bootable floppy images that run a fixed
//! workload, print `CHECKSUM xxxxxxxx` on COM1 and leave through QEMU's isa-debug-exit port.
//! Each workload also runs the same algorithm in Rust, so its expected checksum (and the
//! number of guest instructions it executes) is known without an emulator.

mod calls;
mod floppy;
mod int16;
mod int32;
mod mem;
mod null;
mod pmode;
mod serial;

use iced_x86::IcedError;

/// One benchmark guest: its floppy image and what it must print.
pub struct Guest {
    /// File stem of the image (`int16` is written as `int16.img`).
    pub name: &'static str,
    /// The 1.44 MB floppy image.
    pub image: Vec<u8>,
    /// The value the guest prints after `CHECKSUM`.
    pub checksum: u32,
    /// Guest instructions of the workload (REP-prefixed string instructions count once),
    /// from the Rust model; boot, mode switches and serial output are not counted.
    pub instructions: u64,
    /// What the workload does, for the listing.
    pub summary: &'static str,
}

/// What a workload's Rust model computes.
pub struct Expected {
    /// The value the guest must print.
    pub checksum: u32,
    /// Instructions the guest executes in the workload proper.
    pub instructions: u64,
}

/// Builds every workload with its iteration counts multiplied by `scale` (at least 1).
pub fn all(scale: u32) -> Result<Vec<Guest>, IcedError> {
    let scale = scale.max(1);
    let mut guests = Vec::new();
    for (name, summary, build) in [
        ("null", null::SUMMARY, null::build as Builder),
        ("int16", int16::SUMMARY, int16::build),
        ("int32", int32::SUMMARY, int32::build),
        ("mem", mem::SUMMARY, mem::build),
        ("calls", calls::SUMMARY, calls::build),
    ] {
        let (program, expected) = build(scale)?;
        guests.push(Guest {
            name,
            image: floppy::image(&program)?,
            checksum: expected.checksum,
            instructions: expected.instructions,
            summary,
        });
    }
    Ok(guests)
}

/// A workload's generator: the program loaded at 1000:0000 and its expected result.
type Builder = fn(u32) -> Result<(Vec<u8>, Expected), IcedError>;

#[cfg(test)]
mod tests;
