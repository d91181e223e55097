//! Entering 32-bit flat protected mode from the loaded program: a 16-bit stub at 1000:0000
//! (fast A20 through port 92h, a three-entry GDT with flat 4 GB code and data segments,
//! CR0.PE, far jump), the 32-bit entry that loads the data segments and the stack, and an
//! optional identity map of the low 16 MB with 4 KB pages.

use super::floppy::LOAD_SEGMENT;
use iced_x86::code_asm::*;

/// Linear address of the 16-bit stub (where the boot sector jumps).
const STUB_BASE: u32 = (LOAD_SEGMENT as u32) << 4;
/// Offset of the GDT register image in the stub.
const GDTR_AT: usize = 0x60;
/// Offset of the GDT in the stub.
const GDT_AT: usize = 0x68;
/// Size of the stub; the 32-bit code follows it.
const STUB_BYTES: usize = 0x80;
/// Linear address the 32-bit code is assembled for.
pub const CODE32_BASE: u32 = STUB_BASE + STUB_BYTES as u32;
/// Top of the 32-bit stack.
const STACK_TOP: u32 = 0x9_0000;
const CODE_SELECTOR: u16 = 0x08;
const DATA_SELECTOR: u32 = 0x10;

/// The page directory and its four page tables, in conventional memory under the stack
/// (which grows down from 0x90000 and uses a few bytes).
const PAGE_DIR: u32 = 0x8_0000;
const PAGE_TABLES: u32 = 0x8_1000;

fn stub() -> Result<Vec<u8>, IcedError> {
    let mut a = CodeAssembler::new(16)?;
    a.cli()?;
    a.mov(ax, cs)?;
    a.mov(ds, ax)?;
    // Fast A20 gate on (bit 1), never the reset bit (bit 0).
    a.in_(al, 0x92)?;
    a.or(al, 0x02u32)?;
    a.and(al, 0xFEu32)?;
    a.out(0x92, al)?;
    a.lgdt(ptr(GDTR_AT as u32))?;
    a.mov(eax, cr0)?;
    a.or(eax, 1u32)?;
    a.mov(cr0, eax)?;
    let mut code = a.assemble(0)?;
    // jmp far CODE_SELECTOR:CODE32_BASE with a 32-bit offset (o32 EA).
    code.extend_from_slice(&[0x66, 0xEA]);
    code.extend_from_slice(&CODE32_BASE.to_le_bytes());
    code.extend_from_slice(&CODE_SELECTOR.to_le_bytes());
    assert!(code.len() <= GDTR_AT, "stub too large: {}", code.len());
    code.resize(STUB_BYTES, 0);
    let gdt: [u64; 3] = [0, 0x00CF_9A00_0000_FFFF, 0x00CF_9200_0000_FFFF];
    code[GDTR_AT..GDTR_AT + 2].copy_from_slice(&((gdt.len() * 8 - 1) as u16).to_le_bytes());
    code[GDTR_AT + 2..GDTR_AT + 6].copy_from_slice(&(STUB_BASE + GDT_AT as u32).to_le_bytes());
    for (i, d) in gdt.iter().enumerate() {
        code[GDT_AT + i * 8..GDT_AT + i * 8 + 8].copy_from_slice(&d.to_le_bytes());
    }
    Ok(code)
}

/// A 32-bit assembler whose code starts by loading flat data segments and the stack.
pub fn code32() -> Result<CodeAssembler, IcedError> {
    let mut a = CodeAssembler::new(32)?;
    a.mov(eax, DATA_SELECTOR)?;
    a.mov(ds, ax)?;
    a.mov(es, ax)?;
    a.mov(fs, ax)?;
    a.mov(gs, ax)?;
    a.mov(ss, ax)?;
    a.mov(esp, STACK_TOP)?;
    a.cld()?;
    Ok(a)
}

/// The loadable program: the stub followed by the 32-bit code of `a`.
pub fn program(mut a: CodeAssembler) -> Result<Vec<u8>, IcedError> {
    with_stub(&a.assemble(CODE32_BASE as u64)?)
}

/// The loadable program: the stub followed by `code32`, assembled for [`CODE32_BASE`].
pub fn with_stub(code32: &[u8]) -> Result<Vec<u8>, IcedError> {
    let mut out = stub()?;
    out.extend_from_slice(code32);
    Ok(out)
}

/// Identity-maps the low 16 MB with 4 KB pages (four page tables, present + writable,
/// supervisor) and turns paging on. Clobbers EAX, ECX, EDI.
pub fn emit_paging(a: &mut CodeAssembler) -> Result<(), IcedError> {
    let mut pte = a.create_label();
    let mut pde = a.create_label();
    a.mov(edi, PAGE_TABLES)?;
    a.mov(eax, 0x003u32)?;
    a.mov(ecx, 4096u32)?;
    a.set_label(&mut pte)?;
    a.mov(dword_ptr(edi), eax)?;
    a.add(eax, 0x1000u32)?;
    a.add(edi, 4u32)?;
    a.dec(ecx)?;
    a.jnz(pte)?;
    a.mov(edi, PAGE_DIR)?;
    a.mov(eax, PAGE_TABLES | 0x003)?;
    a.mov(ecx, 4u32)?;
    a.set_label(&mut pde)?;
    a.mov(dword_ptr(edi), eax)?;
    a.add(eax, 0x1000u32)?;
    a.add(edi, 4u32)?;
    a.dec(ecx)?;
    a.jnz(pde)?;
    // The other 1020 directory entries: not present.
    a.xor(eax, eax)?;
    a.mov(ecx, 1020u32)?;
    a.rep().stosd()?;
    a.mov(eax, PAGE_DIR)?;
    a.mov(cr3, eax)?;
    a.mov(eax, cr0)?;
    a.or(eax, 0x8000_0000u32)?;
    a.mov(cr0, eax)?;
    let mut paged = a.create_label();
    a.jmp(paged)?;
    a.set_label(&mut paged)
}
