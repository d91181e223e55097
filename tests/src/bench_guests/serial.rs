//! COM1 output for the guests, emitted into 16- or 32-bit code alike: UART set-up by port
//! I/O (115200 baud, 8N1, FIFO on), a polled character routine, an eight-digit hex printer,
//! and the ending every guest shares (checksum line, isa-debug-exit write, `cli; hlt` loop).

use iced_x86::code_asm::*;

const COM1: u32 = 0x3F8;

/// Label of the routines emitted by [`emit_routines`].
pub struct Routines {
    /// Sends AL (clobbers AL, AH, DX).
    pub putc: CodeLabel,
    /// Sends EAX as eight lower-case hex digits (clobbers EAX, ECX, DX).
    pub puthex: CodeLabel,
}

/// Creates the routine labels; place the routines with [`emit_routines`].
pub fn routines(a: &mut CodeAssembler) -> Routines {
    Routines {
        putc: a.create_label(),
        puthex: a.create_label(),
    }
}

/// Programs COM1: divisor 1 (115200 baud), 8 data bits, no parity, 1 stop bit, FIFO on,
/// DTR and RTS set, no interrupts.
pub fn emit_init(a: &mut CodeAssembler) -> Result<(), IcedError> {
    for (port, value) in [
        (COM1 + 1, 0x00u32), // IER: no interrupts
        (COM1 + 3, 0x80),    // LCR: DLAB
        (COM1, 0x01),        // divisor low: 115200
        (COM1 + 1, 0x00),    // divisor high
        (COM1 + 3, 0x03),    // LCR: 8N1
        (COM1 + 2, 0xC7),    // FCR: FIFO on, cleared
        (COM1 + 4, 0x03),    // MCR: DTR, RTS
    ] {
        a.mov(dx, port)?;
        a.mov(al, value)?;
        a.out(dx, al)?;
    }
    Ok(())
}

/// Sends `text` one character at a time.
pub fn emit_print(a: &mut CodeAssembler, r: &Routines, text: &[u8]) -> Result<(), IcedError> {
    for &c in text {
        a.mov(al, c as u32)?;
        a.call(r.putc)?;
    }
    Ok(())
}

/// Prints `CHECKSUM` and EAX in hex, then `DONE`, writes 0 to port 0xF4 (QEMU's
/// isa-debug-exit) and halts with interrupts off for good.
pub fn emit_finish(a: &mut CodeAssembler, r: &Routines) -> Result<(), IcedError> {
    a.push(eax)?;
    emit_print(a, r, b"CHECKSUM ")?;
    a.pop(eax)?;
    a.call(r.puthex)?;
    emit_print(a, r, b"\r\nDONE\r\n")?;
    a.mov(al, 0u32)?;
    a.out(0xF4, al)?;
    let mut stop = a.create_label();
    a.set_label(&mut stop)?;
    a.cli()?;
    a.hlt()?;
    a.jmp(stop)
}

/// Places the routines (call once, somewhere not executed by falling through).
pub fn emit_routines(a: &mut CodeAssembler, r: &mut Routines) -> Result<(), IcedError> {
    let mut wait = a.create_label();
    a.set_label(&mut r.putc)?;
    a.mov(ah, al)?;
    a.mov(dx, COM1 + 5)?;
    a.set_label(&mut wait)?;
    a.in_(al, dx)?;
    a.test(al, 0x20u32)?;
    a.jz(wait)?;
    a.mov(al, ah)?;
    a.mov(dx, COM1)?;
    a.out(dx, al)?;
    a.ret()?;

    let mut digit = a.create_label();
    let mut decimal = a.create_label();
    a.set_label(&mut r.puthex)?;
    a.mov(ecx, 8u32)?;
    a.set_label(&mut digit)?;
    a.rol(eax, 4)?;
    a.push(eax)?;
    a.push(ecx)?;
    a.and(al, 0x0Fu32)?;
    a.add(al, b'0' as u32)?;
    a.cmp(al, b'9' as u32)?;
    a.jbe(decimal)?;
    a.add(al, (b'a' - b'9' - 1) as u32)?;
    a.set_label(&mut decimal)?;
    a.call(r.putc)?;
    a.pop(ecx)?;
    a.pop(eax)?;
    a.dec(ecx)?;
    a.jnz(digit)?;
    a.ret()
}
