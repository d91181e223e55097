//! The boot floppy: a boot sector that loads the program behind it to 1000:0000 with
//! INT 13h (one sector per call, walking sectors, heads and cylinders of a 1.44 MB disk)
//! and jumps to it.

use iced_x86::code_asm::*;

/// Size of a 1.44 MB floppy image.
const IMAGE_BYTES: usize = 1_474_560;
/// Segment the program is loaded to (linear 0x10000).
pub const LOAD_SEGMENT: u16 = 0x1000;
/// Where the boot sector keeps the boot drive number.
const DRIVE_AT: u32 = 0x0500;
/// The largest program the boot sector loads (sectors 2..=65, under 64 KB at 0x10000).
const MAX_SECTORS: usize = 64;

/// The boot sector loading `sectors` sectors.
fn boot_sector(sectors: u16) -> Result<Vec<u8>, IcedError> {
    let mut a = CodeAssembler::new(16)?;
    let mut next = a.create_label();
    let mut retry = a.create_label();
    let mut loaded = a.create_label();
    let mut same_track = a.create_label();
    let mut fail = a.create_label();

    a.cli()?;
    a.xor(ax, ax)?;
    a.mov(ds, ax)?;
    a.mov(ss, ax)?;
    a.mov(sp, 0x7C00u32)?;
    a.sti()?;
    a.cld()?;
    a.mov(byte_ptr(DRIVE_AT), dl)?;
    a.mov(ax, LOAD_SEGMENT as u32)?;
    a.mov(es, ax)?;
    a.xor(bx, bx)?;
    a.mov(di, sectors as u32)?;
    a.mov(cx, 0x0002u32)?; // cylinder 0, sector 2
    a.xor(dh, dh)?; // head 0
    a.set_label(&mut next)?;
    a.mov(si, 5u32)?;
    a.set_label(&mut retry)?;
    a.mov(ax, 0x0201u32)?;
    a.mov(dl, byte_ptr(DRIVE_AT))?;
    a.int(0x13)?;
    a.jnc(loaded)?;
    a.xor(ax, ax)?;
    a.mov(dl, byte_ptr(DRIVE_AT))?;
    a.int(0x13)?;
    a.dec(si)?;
    a.jnz(retry)?;
    a.jmp(fail)?;
    a.set_label(&mut loaded)?;
    a.mov(ax, es)?;
    a.add(ax, 0x20u32)?;
    a.mov(es, ax)?;
    a.inc(cl)?;
    a.cmp(cl, 19u32)?;
    a.jb(same_track)?;
    a.mov(cl, 1u32)?;
    a.inc(dh)?;
    a.cmp(dh, 2u32)?;
    a.jb(same_track)?;
    a.xor(dh, dh)?;
    a.inc(ch)?;
    a.set_label(&mut same_track)?;
    a.dec(di)?;
    a.jnz(next)?;
    a.jmp_far(LOAD_SEGMENT, 0)?;
    // A disk error: say so on COM1 (no init needed by most BIOSes) and stop.
    a.set_label(&mut fail)?;
    a.mov(dx, 0x3F8u32)?;
    for &c in b"DISK ERROR\r\n" {
        a.mov(al, c as u32)?;
        a.out(dx, al)?;
    }
    let mut stop = a.create_label();
    a.set_label(&mut stop)?;
    a.cli()?;
    a.hlt()?;
    a.jmp(stop)?;

    let mut code = a.assemble(0x7C00)?;
    assert!(code.len() <= 510, "boot sector too large: {}", code.len());
    code.resize(512, 0);
    code[510] = 0x55;
    code[511] = 0xAA;
    Ok(code)
}

/// A 1.44 MB floppy image booting `program` at 1000:0000.
pub fn image(program: &[u8]) -> Result<Vec<u8>, IcedError> {
    let sectors = program.len().div_ceil(512).max(1);
    assert!(
        sectors <= MAX_SECTORS,
        "program too large: {} bytes",
        program.len()
    );
    let mut img = vec![0u8; IMAGE_BYTES];
    img[..512].copy_from_slice(&boot_sector(sectors as u16)?);
    img[512..512 + program.len()].copy_from_slice(program);
    Ok(img)
}
