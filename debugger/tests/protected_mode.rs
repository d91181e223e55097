//! The debugger's protected-mode views on a guest that enters 32-bit protected mode with
//! paging: registers, segment descriptor caches, GDT, IDT, page-table walks, stack and
//! disassembly, driven through the command loop.

mod common;

use iced_x86::code_asm::*;
use rawbox_debugger::repl::{run_repl, PlainLines};
use rawbox_debugger::{Session, Syntax};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

const PM32_AT: u64 = 0x7C80;
const GDT_AT: usize = 0x180; // offset in the sector (linear 0x7D80)

/// Boot sector: real-mode setup, a far jump to 32-bit code that builds an identity-mapped
/// page table for the first 4 MB, turns paging on and halts. Returns (image, HLT address).
fn pm_guest() -> (Vec<u8>, u32) {
    let mut a = CodeAssembler::new(16).unwrap();
    a.cli().unwrap();
    a.xor(ax, ax).unwrap();
    a.mov(ds, ax).unwrap();
    a.lgdt(word_ptr(0x7D80 + 0x18)).unwrap();
    a.mov(eax, cr0).unwrap();
    a.or(eax, 1).unwrap();
    a.mov(cr0, eax).unwrap();
    a.jmp_far(0x08, PM32_AT as u32).unwrap();
    let real = a.assemble(0x7C00).unwrap();

    let mut b = CodeAssembler::new(32).unwrap();
    let mut fill = b.create_label();
    let mut halt = b.create_label();
    b.mov(ax, 0x10u32).unwrap();
    b.mov(ds, ax).unwrap();
    b.mov(es, ax).unwrap();
    b.mov(ss, ax).unwrap();
    b.mov(esp, 0x9000u32).unwrap();
    b.push(0x1234_5678u32).unwrap();
    b.mov(edi, 0x11000u32).unwrap();
    b.mov(eax, 3u32).unwrap();
    b.mov(ecx, 1024u32).unwrap();
    b.cld().unwrap();
    b.set_label(&mut fill).unwrap();
    b.stosd().unwrap();
    b.add(eax, 0x1000).unwrap();
    b.loop_(fill).unwrap();
    b.mov(dword_ptr(0x10000), 0x11003u32).unwrap();
    b.mov(eax, 0x10000u32).unwrap();
    b.mov(cr3, eax).unwrap();
    b.mov(eax, cr0).unwrap();
    b.or(eax, 0x8000_0000u32 as i32).unwrap();
    b.mov(cr0, eax).unwrap();
    b.set_label(&mut halt).unwrap();
    b.hlt().unwrap();
    b.jmp(halt).unwrap();
    let pm = b.assemble(PM32_AT).unwrap();
    let halt_at = PM32_AT as u32 + pm.len() as u32 - 3; // hlt (1 byte) + jmp short (2)

    let mut sector = vec![0u8; 512];
    sector[..real.len()].copy_from_slice(&real);
    let off = (PM32_AT - 0x7C00) as usize;
    sector[off..off + pm.len()].copy_from_slice(&pm);
    // GDT: null, flat 32-bit code (0x08), flat data (0x10); its pseudo-descriptor after it.
    let gdt: [u64; 3] = [0, 0x00CF_9A00_0000_FFFF, 0x00CF_9200_0000_FFFF];
    for (k, d) in gdt.iter().enumerate() {
        sector[GDT_AT + 8 * k..GDT_AT + 8 * k + 8].copy_from_slice(&d.to_le_bytes());
    }
    sector[GDT_AT + 0x18..GDT_AT + 0x1A].copy_from_slice(&23u16.to_le_bytes());
    sector[GDT_AT + 0x1A..GDT_AT + 0x1E].copy_from_slice(&0x7D80u32.to_le_bytes());
    (sector[..510].to_vec(), halt_at)
}

#[test]
fn protected_mode_views() {
    let (code, halt_at) = pm_guest();
    let mut m = common::machine(&common::floppy_with("pm", &code));
    let mut s = Session::new(&mut m, Syntax::Intel, Arc::new(AtomicBool::new(false)));
    let script = format!(
        "b {halt_at:x}\nc\nr\nsreg\ngdt\npt 7c80\npt 500000\nbt 2\nu cs:eip 1\nx 10000 4\nq\n"
    );
    let mut input = PlainLines(script.as_bytes());
    let mut out = Vec::new();
    run_repl(&mut s, &mut input, &mut out).unwrap();
    let out = String::from_utf8(out).unwrap();
    let at = |needle: &str| {
        out.find(needle)
            .unwrap_or_else(|| panic!("`{needle}` missing:\n{out}"))
    };
    let order = [
        at(&format!(
            "breakpoint #1 at {halt_at:08x}\nP32 0008:{halt_at:08x}"
        )),
        at("mode=P32"),
        at("cr0=80000011 cr2=00000000 cr3=00010000"),
        at("cs   sel=0008 base=00000000 limit=ffffffff attr=c09b code rx dpl0 32-bit 4k-granular"),
        at("ss   sel=0010 base=00000000 limit=ffffffff attr=c093 data rw dpl0 32-bit 4k-granular"),
        at("gdtr base=00007d80 limit=0017"),
        at("gdt base=00007d80 limit=0017\n0000: null\n0008: base=00000000 limit=ffffffff code"),
        at("0010: base=00000000 limit=ffffffff data rw dpl0"),
        at("pde[000] at 00010000 = 00011023 [P W A]"),
        at("pte[007] at 0001101c = 00007023 [P W A]"),
        at("physical 00007c80"),
        at("pde[001] at 00010004 = 00000000 []\nnot mapped"),
        at("stack at 0010:00008ffc\n  0010:00008ffc  12345678"),
        at(&format!(
            "frames (bp chain):\n0008:{halt_at:08x} ({halt_at:08x})  f4"
        )),
        at("00010000: 23 10 01 00"),
    ];
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "out of order:\n{out}"
    );
}
