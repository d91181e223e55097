//! `null`: boots, prints a fixed checksum and leaves: the fixed cost (emulator start-up,
//! BIOS, boot sector) that every other workload's wall time includes.

use super::{serial, Expected};
use iced_x86::code_asm::*;

pub const SUMMARY: &str = "baseline: boot, print a constant, exit (start-up cost)";

/// The value printed.
const CHECKSUM: u32 = 0x0B00_7ED0;

pub fn build(_scale: u32) -> Result<(Vec<u8>, Expected), IcedError> {
    let mut a = CodeAssembler::new(16)?;
    let mut r = serial::routines(&mut a);
    serial::emit_init(&mut a)?;
    serial::emit_print(&mut a, &r, b"BENCH null\r\n")?;
    a.mov(eax, CHECKSUM)?;
    serial::emit_finish(&mut a, &r)?;
    serial::emit_routines(&mut a, &mut r)?;
    let expected = Expected {
        checksum: CHECKSUM,
        instructions: 1,
    };
    Ok((a.assemble(0)?, expected))
}
