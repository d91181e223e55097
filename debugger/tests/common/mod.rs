//! Test guests: tiny boot sectors assembled with iced-x86, written to a temporary 1.44 MB
//! floppy image, and machines that boot them with rawbox's own BIOS.
#![allow(dead_code)]

use iced_x86::code_asm::*;
use rawbox_vmm::{Machine, MachineConfig};
use std::path::{Path, PathBuf};

/// Writes a floppy image whose boot sector holds `code` and returns its path.
pub fn floppy_with(name: &str, code: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rawbox-debugger-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.img"));
    let mut img = vec![0u8; 1_474_560];
    img[..code.len()].copy_from_slice(code);
    img[510] = 0x55;
    img[511] = 0xAA;
    std::fs::write(&path, img).unwrap();
    path
}

/// A machine booting `image` from drive A:.
pub fn machine(image: &Path) -> Machine {
    Machine::new(MachineConfig {
        fda: Some(image.to_path_buf()),
        memory_mb: 4,
        ..MachineConfig::default()
    })
    .unwrap()
}

/// Assembles 16-bit code at 0x7C00.
pub fn assemble(build: impl FnOnce(&mut CodeAssembler) -> Result<(), IcedError>) -> Vec<u8> {
    let mut a = CodeAssembler::new(16).unwrap();
    build(&mut a).unwrap();
    a.assemble(0x7C00).unwrap()
}

/// The golden-trace program: arithmetic, memory, a loop, string and stack instructions, a
/// call, then HLT with interrupts off. Returns the code; the store at 0x0500 is at the
/// instruction labelled in the comments (linear 0x7C13).
pub fn demo_program() -> Vec<u8> {
    assemble(|a| {
        let mut again = a.create_label();
        let mut sub = a.create_label();
        let mut done = a.create_label();
        a.cli()?; // 7c00
        a.xor(ax, ax)?; // 7c01
        a.mov(ds, ax)?; // 7c03
        a.mov(es, ax)?; // 7c05
        a.mov(ss, ax)?; // 7c07
        a.mov(sp, 0x7C00u32)?; // 7c09
        a.mov(ax, 0x1234u32)?; // 7c0c
        a.mov(bx, 0x5678u32)?; // 7c0f
        a.add(ax, bx)?; // 7c12
        a.mov(word_ptr(0x500), ax)?; // 7c14
        a.mov(cx, 3u32)?;
        a.set_label(&mut again)?;
        a.inc(word_ptr(0x502))?;
        a.loop_(again)?;
        a.mov(si, 0x500u32)?;
        a.cld()?;
        a.lodsw()?;
        a.push(ax)?;
        a.pop(dx)?;
        a.cmp(dx, 0x68ACu32)?;
        a.jne(done)?;
        a.mov(di, 0x510u32)?;
        a.mov(cx, 4u32)?;
        a.mov(al, 0x41u32)?;
        a.rep().stosb()?;
        a.call(sub)?;
        a.set_label(&mut done)?;
        a.hlt()?;
        a.jmp(done)?;
        a.set_label(&mut sub)?;
        a.shl(ax, 1)?;
        a.ret()?;
        Ok(())
    })
}
