//! Tests of the 16550A against its datasheet register behaviour.

use super::*;

const B: u16 = COM1_BASE;

fn out(u: &mut Uart, offset: u16, value: u8, now: u64) {
    u.port_write(B + offset, Width::Byte, u32::from(value), now);
}

fn inb(u: &mut Uart, offset: u16, now: u64) -> u8 {
    u.port_read(B + offset, Width::Byte, now) as u8
}

/// 115200 baud 8N1, FIFO on with trigger 1, OUT2 set: a typical driver setup.
fn configured() -> Uart {
    let mut u = Uart::new(B);
    out(&mut u, 3, 0x80, 0);
    out(&mut u, 0, 0x01, 0);
    out(&mut u, 1, 0x00, 0);
    out(&mut u, 3, 0x03, 0);
    out(&mut u, 2, 0x07, 0);
    out(&mut u, 4, MCR_OUT2 | MCR_RTS | MCR_DTR, 0);
    u
}

/// 8N1 at divisor 1: ten bits at 115200 baud.
const CHAR_NS: u64 = 10 * 1_000_000_000 / 115_200;

#[test]
fn reset_state() {
    let mut u = Uart::new(B);
    assert_eq!(inb(&mut u, 1, 0), 0x00, "IER");
    assert_eq!(inb(&mut u, 2, 0), 0x01, "IIR: nothing pending, no FIFO");
    assert_eq!(inb(&mut u, 5, 0), 0x60, "LSR: THRE and TEMT");
    assert_eq!(u.ports(), &[(0x3F8, 0x3FF)]);
    assert_eq!(Uart::new(COM2_BASE).ports(), &[(0x2F8, 0x2FF)]);
}

#[test]
fn divisor_latch_and_scratch() {
    let mut u = Uart::new(B);
    out(&mut u, 3, 0x83, 0);
    out(&mut u, 0, 0x34, 0);
    out(&mut u, 1, 0x12, 0);
    assert_eq!(inb(&mut u, 0, 0), 0x34);
    assert_eq!(inb(&mut u, 1, 0), 0x12);
    out(&mut u, 3, 0x03, 0);
    assert_eq!(inb(&mut u, 1, 0), 0x00, "IER visible again");
    assert_eq!(
        u.take_output(),
        Vec::<u8>::new(),
        "DLL write did not transmit"
    );
    out(&mut u, 7, 0xA5, 0);
    assert_eq!(inb(&mut u, 7, 0), 0xA5);
}

#[test]
fn transmit_collects_output() {
    let mut u = configured();
    for &b in b"hi\n" {
        out(&mut u, 0, b, 0);
    }
    assert_eq!(u.take_output(), b"hi\n");
    assert!(u.take_output().is_empty());
    assert_eq!(inb(&mut u, 5, 0) & 0x60, 0x60);
}

#[test]
fn thre_interrupt_cleared_by_iir_read_and_rearmed_by_tx() {
    let mut u = configured();
    assert!(!u.irq_line());
    out(&mut u, 1, IER_THRE, 0);
    assert!(u.irq_line(), "enabling THRE with THR empty interrupts");
    assert_eq!(inb(&mut u, 2, 0), 0xC2);
    assert!(
        !u.irq_line(),
        "reading IIR with THRE as the source clears it"
    );
    assert_eq!(inb(&mut u, 2, 0), 0xC1);
    out(&mut u, 0, b'x', 0);
    assert!(u.irq_line(), "re-armed when the byte leaves");
    out(&mut u, 1, IER_THRE, 0);
    assert_eq!(inb(&mut u, 2, 0), 0xC2);
    out(&mut u, 1, IER_THRE, 0);
    assert!(
        !u.irq_line(),
        "rewriting IER with ETBEI already set does not re-arm"
    );
}

#[test]
fn out2_gates_the_irq() {
    let mut u = configured();
    out(&mut u, 1, IER_THRE, 0);
    assert!(u.irq_line());
    out(&mut u, 4, MCR_DTR, 0);
    assert!(!u.irq_line());
    assert_eq!(
        inb(&mut u, 2, 0) & 0x0F,
        IIR_THRE,
        "still pending inside the chip"
    );
}

#[test]
fn receive_at_line_rate_with_data_ready_and_rda_interrupt() {
    let mut u = configured();
    out(&mut u, 1, IER_RDA, 0);
    u.push_input(b"ab", 0);
    assert_eq!(u.next_event_ns(), Some(CHAR_NS));
    assert_eq!(inb(&mut u, 5, CHAR_NS - 1) & LSR_DR, 0);
    assert_eq!(inb(&mut u, 5, CHAR_NS) & LSR_DR, LSR_DR);
    assert!(u.irq_line());
    assert_eq!(inb(&mut u, 2, CHAR_NS), 0xC4);
    assert_eq!(inb(&mut u, 0, CHAR_NS), b'a');
    assert!(!u.irq_line());
    assert_eq!(inb(&mut u, 0, 2 * CHAR_NS), b'b');
    assert_eq!(inb(&mut u, 5, 2 * CHAR_NS) & LSR_DR, 0);
}

#[test]
fn fifo_trigger_level_and_character_timeout() {
    let mut u = configured();
    out(&mut u, 2, 0x81, 0); // FIFO, trigger 8
    out(&mut u, 1, IER_RDA, 0);
    u.push_input(b"0123456789", 0);
    u.advance(7 * CHAR_NS);
    assert!(!u.irq_line(), "7 bytes: below the trigger");
    u.advance(8 * CHAR_NS);
    assert_eq!(inb(&mut u, 2, 8 * CHAR_NS), 0xC4);
    for _ in 0..8 {
        inb(&mut u, 0, 8 * CHAR_NS);
    }
    u.advance(10 * CHAR_NS);
    assert!(!u.irq_line(), "2 bytes left, timeout not yet expired");
    let timeout = u.next_event_ns().unwrap();
    assert_eq!(timeout, 10 * CHAR_NS + 4 * CHAR_NS);
    u.advance(timeout);
    assert_eq!(inb(&mut u, 2, timeout), 0xCC, "character timeout");
    assert_eq!(inb(&mut u, 0, timeout), b'8');
    assert!(!u.irq_line(), "reading RBR restarts the timeout");
}

#[test]
fn full_fifo_holds_host_bytes_without_loss() {
    let mut u = configured();
    let data: Vec<u8> = (0..40).collect();
    u.push_input(&data, 0);
    u.advance(1_000 * CHAR_NS);
    let mut got = Vec::new();
    let mut now = 1_000 * CHAR_NS;
    while got.len() < data.len() {
        now += CHAR_NS;
        u.advance(now);
        while inb(&mut u, 5, now) & LSR_DR != 0 {
            got.push(inb(&mut u, 0, now));
        }
    }
    assert_eq!(got, data);
    assert_eq!(inb(&mut u, 5, now) & LSR_OE, 0);
}

#[test]
fn loopback_echoes_and_overrun_without_fifo() {
    let mut u = Uart::new(B);
    out(&mut u, 4, MCR_LOOPBACK, 0);
    out(&mut u, 0, 0x11, 0);
    assert!(
        u.take_output().is_empty(),
        "loopback keeps bytes off the line"
    );
    out(&mut u, 0, 0x22, 0);
    let lsr = inb(&mut u, 5, 0);
    assert_eq!(lsr & (LSR_DR | LSR_OE), LSR_DR | LSR_OE);
    assert_eq!(inb(&mut u, 5, 0) & LSR_OE, 0, "LSR read clears OE");
    assert_eq!(
        inb(&mut u, 0, 0),
        0x22,
        "without FIFO the newer byte overwrites"
    );
}

#[test]
fn line_status_interrupt_has_top_priority() {
    let mut u = configured();
    out(&mut u, 2, 0x00, 0); // FIFO off
    out(&mut u, 4, MCR_LOOPBACK | MCR_OUT2, 0);
    out(&mut u, 1, IER_RDA | IER_THRE | IER_RLS, 0);
    out(&mut u, 0, 1, 0);
    out(&mut u, 0, 2, 0);
    assert_eq!(inb(&mut u, 2, 0), IIR_LINE_STATUS);
    inb(&mut u, 5, 0);
    assert_eq!(inb(&mut u, 2, 0), IIR_RX_DATA);
    inb(&mut u, 0, 0);
    assert_eq!(inb(&mut u, 2, 0), IIR_THRE);
    assert_eq!(inb(&mut u, 2, 0), IIR_NONE);
}

#[test]
fn fifo_overrun_keeps_fifo_contents() {
    let mut u = configured();
    out(&mut u, 4, MCR_LOOPBACK, 0);
    for b in 0..17u8 {
        out(&mut u, 0, b, 0);
    }
    assert_eq!(inb(&mut u, 5, 0) & LSR_OE, LSR_OE);
    let got: Vec<u8> = (0..16).map(|_| inb(&mut u, 0, 0)).collect();
    assert_eq!(got, (0..16).collect::<Vec<u8>>());
}

#[test]
fn loopback_modem_lines_and_msr_deltas() {
    let mut u = Uart::new(B);
    out(&mut u, 4, MCR_LOOPBACK, 0);
    inb(&mut u, 6, 0);
    out(
        &mut u,
        4,
        MCR_LOOPBACK | MCR_RTS | MCR_DTR | MCR_OUT1 | MCR_OUT2,
        0,
    );
    // CTS, DSR, RI, DCD all set; deltas for CTS, DSR and DCD (RI counts trailing edges).
    assert_eq!(inb(&mut u, 6, 0), 0xF0 | 0x0B);
    out(&mut u, 4, MCR_LOOPBACK, 0);
    assert_eq!(inb(&mut u, 6, 0), 0x0F, "RI fell: TERI");
    assert_eq!(inb(&mut u, 6, 0), 0x00);
}

#[test]
fn modem_status_interrupt_from_host_lines() {
    let mut u = configured();
    out(&mut u, 1, IER_MSR, 0);
    inb(&mut u, 6, 0);
    assert!(!u.irq_line());
    u.set_modem_inputs(false, true, false, true, 5);
    assert!(u.irq_line());
    assert_eq!(inb(&mut u, 2, 5), 0xC0);
    assert_eq!(inb(&mut u, 6, 5), MSR_DSR | MSR_DCD | 0x01);
    assert!(!u.irq_line());
}

#[test]
fn fcr_clears_and_disables() {
    let mut u = configured();
    out(&mut u, 4, MCR_LOOPBACK, 0);
    out(&mut u, 0, 7, 0);
    out(&mut u, 2, 0x03, 0); // clear RX
    assert_eq!(inb(&mut u, 5, 0) & LSR_DR, 0);
    out(&mut u, 0, 8, 0);
    out(&mut u, 2, 0x00, 0); // disabling the FIFO clears it too
    assert_eq!(inb(&mut u, 5, 0) & LSR_DR, 0);
    assert_eq!(inb(&mut u, 2, 0) & 0xC0, 0);
}

#[test]
fn peek_has_no_side_effects_and_other_ports_read_ff() {
    let mut u = configured();
    out(&mut u, 4, MCR_LOOPBACK, 0);
    out(&mut u, 0, 0x42, 0);
    assert_eq!(u.peek(B), 0x42);
    assert_eq!(u.peek(B + 5) & LSR_DR, LSR_DR);
    assert_eq!(inb(&mut u, 0, 0), 0x42);
    assert_eq!(u.peek(B + 8), 0xFF);
    assert_eq!(u.port_read(B + 7, Width::Word, 0) >> 8, 0xFF);
}

#[test]
fn random_guest_traffic_does_not_panic() {
    let mut dev = Uart::new(B);
    let cell = std::cell::RefCell::new(&mut dev);
    crate::test_rng::random_port_traffic(
        7,
        50_000,
        &[B, B + 1, B + 2, B + 3, B + 4, B + 5, B + 6, B + 7],
        |p, w, t| {
            let mut dev = cell.borrow_mut();
            dev.port_read(p, w, t);
            let _ = dev.next_event_ns();
            dev.push_input(&[t as u8], t);
            dev.take_output();
        },
        |p, w, v, t| cell.borrow_mut().port_write(p, w, v, t),
    );
}
