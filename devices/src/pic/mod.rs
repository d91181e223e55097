//! The PC/AT pair of 8259A interrupt controllers: master at 0x20/0x21, slave at 0xA0/0xA1
//! cascaded on the master's IR2, and the EISA edge/level control registers at 0x4D0/0x4D1.
//!
//! The platform drives the sixteen IRQ lines with [`Pic::set_irq`], asks
//! [`Pic::intr_pending`] for the CPU's INTR pin and runs the INTA cycle with
//! [`Pic::acknowledge`].

mod chip;

pub use chip::Chip8259;

use crate::byte_ports::{in_ranges, read_split, write_split};
use rawbox_cpu::Width;

const PORTS: &[(u16, u16)] = &[(0x20, 0x21), (0xA0, 0xA1), (0x4D0, 0x4D1)];

/// The master's input that the slave's INT output drives.
const CASCADE_LINE: u8 = 2;

/// The cascaded 8259A pair.
#[derive(Clone, Debug)]
pub struct Pic {
    master: Chip8259,
    slave: Chip8259,
}

impl Pic {
    /// Power-on state (not yet initialised by the BIOS).
    pub fn new() -> Pic {
        // IRQ0-2 and IRQ8/IRQ13 are always edge triggered on a PC.
        Pic {
            master: Chip8259::new(true, 0xF8),
            slave: Chip8259::new(false, 0xDE),
        }
    }

    /// Inclusive port ranges claimed.
    pub fn ports(&self) -> &'static [(u16, u16)] {
        PORTS
    }

    /// Drives IRQ `line` (0-15) to `level`. IRQ2 is the cascade on an AT, so a device on the
    /// bus's IRQ2 pin reaches the slave's IR1 (IRQ9), as the AT wiring does. Lines above 15
    /// are ignored.
    pub fn set_irq(&mut self, line: u8, level: bool) {
        match line {
            0..=7 if line == CASCADE_LINE => self.slave.set_input(1, level),
            0..=7 => self.master.set_input(line, level),
            8..=15 => self.slave.set_input(line - 8, level),
            _ => log::warn!("PIC: IRQ line {line} does not exist"),
        }
        self.update_cascade();
    }

    /// Copies the slave's INT output onto the master's IR2.
    fn update_cascade(&mut self) {
        let slave_int = self.slave.int_output();
        self.master.set_input(CASCADE_LINE, slave_int);
    }

    /// The INTR pin to the CPU (master INT).
    pub fn intr_pending(&self) -> bool {
        self.master.int_output()
    }

    /// The interrupt-acknowledge cycle: returns the vector and updates ISR/IRR. With nothing
    /// to report (the request went away) the master answers with its IR7 vector without
    /// setting ISR; a cascade with nothing on the slave gives the slave's IR7 vector, with the
    /// master's IR2 left in service, as the real pair does.
    pub fn acknowledge(&mut self) -> u8 {
        let Some(level) = self.master.highest_pending() else {
            log::debug!("PIC: spurious IRQ7");
            return self.master.vector(7);
        };
        self.master.acknowledge_level(level);
        if !self.master.is_cascade_input(level) {
            return self.master.vector(level);
        }
        let vector = match self.slave.highest_pending() {
            Some(slave_level) => {
                self.slave.acknowledge_level(slave_level);
                self.slave.vector(slave_level)
            }
            None => {
                log::debug!("PIC: spurious IRQ15");
                self.slave.vector(7)
            }
        };
        self.update_cascade();
        vector
    }

    /// True if IRQ `n` (0-15) is requested in IRR (for tests and debuggers).
    pub fn irq_requested(&self, n: u8) -> bool {
        match n {
            0..=7 => self.master.irr() & (1 << n) != 0,
            8..=15 => self.slave.irr() & (1 << (n - 8)) != 0,
            _ => false,
        }
    }

    /// True if IRQ `n` (0-15) is in service.
    pub fn irq_in_service(&self, n: u8) -> bool {
        match n {
            0..=7 => self.master.isr() & (1 << n) != 0,
            8..=15 => self.slave.isr() & (1 << (n - 8)) != 0,
            _ => false,
        }
    }

    /// The master chip (read-only view for debuggers).
    pub fn master(&self) -> &Chip8259 {
        &self.master
    }

    /// The slave chip (read-only view for debuggers).
    pub fn slave(&self) -> &Chip8259 {
        &self.slave
    }

    fn read_byte(&mut self, port: u16) -> u8 {
        let value = match port {
            0x20 | 0x21 if self.master.poll_pending() => self.master.take_poll_word(),
            0xA0 | 0xA1 if self.slave.poll_pending() => self.slave.take_poll_word(),
            _ => self.peek(port),
        };
        self.update_cascade();
        value
    }

    /// Reads a register without side effects (a pending poll is not consumed).
    pub fn peek(&self, port: u16) -> u8 {
        match port {
            0x20 => self.master.read_command(),
            0x21 => self.master.read_data(),
            0xA0 => self.slave.read_command(),
            0xA1 => self.slave.read_data(),
            0x4D0 => self.master.elcr(),
            0x4D1 => self.slave.elcr(),
            _ => 0xFF,
        }
    }

    fn write_byte(&mut self, port: u16, value: u8) {
        match port {
            0x20 => self.master.write_command(value),
            0x21 => self.master.write_data(value),
            0xA0 => self.slave.write_command(value),
            0xA1 => self.slave.write_data(value),
            0x4D0 => self.master.set_elcr(value),
            0x4D1 => self.slave.set_elcr(value),
            _ => {}
        }
        self.update_cascade();
    }

    /// Port read (see the crate's device conventions).
    pub fn port_read(&mut self, port: u16, width: Width, _now_ns: u64) -> u32 {
        read_split(port, width, |p| {
            if in_ranges(PORTS, p) {
                self.read_byte(p)
            } else {
                0xFF
            }
        })
    }

    /// Port write (see the crate's device conventions).
    pub fn port_write(&mut self, port: u16, width: Width, value: u32, _now_ns: u64) {
        write_split(port, width, value, |p, b| {
            if in_ranges(PORTS, p) {
                self.write_byte(p, b);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(pic: &mut Pic, port: u16, value: u8) {
        pic.port_write(port, Width::Byte, u32::from(value), 0);
    }

    fn inb(pic: &mut Pic, port: u16) -> u8 {
        pic.port_read(port, Width::Byte, 0) as u8
    }

    /// The PC BIOS programming: master vectors 0x08, slave 0x70, cascade on IR2.
    fn bios_pic() -> Pic {
        let mut pic = Pic::new();
        for (port, value) in [(0x20, 0x11), (0x21, 0x08), (0x21, 0x04), (0x21, 0x01)] {
            out(&mut pic, port, value);
        }
        for (port, value) in [(0xA0, 0x11), (0xA1, 0x70), (0xA1, 0x02), (0xA1, 0x01)] {
            out(&mut pic, port, value);
        }
        pic
    }

    #[test]
    fn master_irq_vectors() {
        for (irq, vector) in [(0u8, 0x08u8), (1, 0x09), (3, 0x0B), (7, 0x0F)] {
            let mut pic = bios_pic();
            pic.set_irq(irq, true);
            assert!(pic.intr_pending());
            assert_eq!(pic.acknowledge(), vector, "IRQ{irq}");
            assert!(pic.irq_in_service(irq));
            assert!(!pic.intr_pending());
        }
    }

    #[test]
    fn slave_irq_goes_through_cascade() {
        let mut pic = bios_pic();
        pic.set_irq(14, true);
        assert!(pic.irq_requested(14));
        assert!(pic.irq_requested(2), "slave INT drives master IR2");
        assert!(pic.intr_pending());
        assert_eq!(pic.acknowledge(), 0x76);
        assert!(pic.irq_in_service(14));
        assert!(pic.irq_in_service(2));
        out(&mut pic, 0xA0, 0x20);
        out(&mut pic, 0x20, 0x20);
        assert!(!pic.irq_in_service(14));
        assert!(!pic.irq_in_service(2));
    }

    #[test]
    fn irq2_is_routed_to_irq9() {
        let mut pic = bios_pic();
        pic.set_irq(2, true);
        assert!(pic.irq_requested(9));
        assert_eq!(pic.acknowledge(), 0x71);
    }

    #[test]
    fn masked_slave_line_does_not_raise_intr() {
        let mut pic = bios_pic();
        out(&mut pic, 0xA1, 0x40);
        pic.set_irq(14, true);
        assert!(!pic.intr_pending());
        out(&mut pic, 0xA1, 0x00);
        assert!(pic.intr_pending());
        out(&mut pic, 0x21, 0x04); // mask the cascade on the master
        assert!(!pic.intr_pending());
    }

    #[test]
    fn spurious_irq7_when_request_withdrawn() {
        let mut pic = bios_pic();
        pic.set_irq(5, true);
        assert!(pic.intr_pending());
        pic.set_irq(5, false);
        assert_eq!(pic.acknowledge(), 0x0F);
        assert!(!pic.irq_in_service(7), "spurious IRQ7 sets no ISR bit");
    }

    #[test]
    fn spurious_irq15_leaves_master_ir2_in_service() {
        let mut pic = bios_pic();
        pic.set_irq(12, true);
        // Lower the slave line while the master still holds IR2 pending (as a real pair can,
        // when the master samples the cascade before the request goes away).
        pic.slave.set_input(4, false);
        assert!(pic.master.irr() & 0x04 != 0);
        assert_eq!(pic.acknowledge(), 0x77);
        assert!(!pic.irq_in_service(15));
        assert!(pic.irq_in_service(2));
    }

    #[test]
    fn priority_master_irq1_beats_slave_irq8_but_slave_beats_irq3() {
        let mut pic = bios_pic();
        pic.set_irq(3, true);
        pic.set_irq(8, true);
        pic.set_irq(1, true);
        assert_eq!(pic.acknowledge(), 0x09);
        assert!(!pic.intr_pending(), "IR1 in service blocks IR2 and IR3");
        out(&mut pic, 0x20, 0x20); // ends IR1
        assert_eq!(pic.acknowledge(), 0x70, "IRQ8 via IR2 outranks IRQ3");
        assert!(!pic.intr_pending(), "IRQ3 is blocked by IR2 in service");
        out(&mut pic, 0xA0, 0x20);
        out(&mut pic, 0x20, 0x20); // ends IR2
        assert_eq!(pic.acknowledge(), 0x0B);
    }

    #[test]
    fn second_slave_request_waits_for_both_eois() {
        let mut pic = bios_pic();
        pic.set_irq(14, true);
        assert_eq!(pic.acknowledge(), 0x76);
        pic.set_irq(15, true);
        assert!(!pic.intr_pending());
        out(&mut pic, 0xA0, 0x20);
        assert!(!pic.intr_pending(), "master IR2 still in service");
        out(&mut pic, 0x20, 0x20);
        assert!(pic.intr_pending());
        assert_eq!(pic.acknowledge(), 0x77);
    }

    #[test]
    fn elcr_ports_mask_reserved_bits() {
        let mut pic = bios_pic();
        out(&mut pic, 0x4D0, 0xFF);
        out(&mut pic, 0x4D1, 0xFF);
        assert_eq!(inb(&mut pic, 0x4D0), 0xF8);
        assert_eq!(inb(&mut pic, 0x4D1), 0xDE);
    }

    #[test]
    fn level_triggered_slave_line_reinterrupts_until_deasserted() {
        let mut pic = bios_pic();
        out(&mut pic, 0x4D1, 0x08); // IRQ11 level
        pic.set_irq(11, true);
        assert_eq!(pic.acknowledge(), 0x73);
        out(&mut pic, 0xA0, 0x20);
        out(&mut pic, 0x20, 0x20);
        assert!(pic.intr_pending());
        assert_eq!(pic.acknowledge(), 0x73);
        pic.set_irq(11, false);
        out(&mut pic, 0xA0, 0x20);
        out(&mut pic, 0x20, 0x20);
        assert!(!pic.intr_pending());
    }

    #[test]
    fn imr_and_irr_isr_reads_through_ports() {
        let mut pic = bios_pic();
        out(&mut pic, 0x21, 0xB8);
        assert_eq!(inb(&mut pic, 0x21), 0xB8);
        out(&mut pic, 0x21, 0x00);
        pic.set_irq(1, true);
        pic.set_irq(4, true);
        assert_eq!(inb(&mut pic, 0x20), 0x12);
        pic.acknowledge();
        out(&mut pic, 0x20, 0x0B);
        assert_eq!(inb(&mut pic, 0x20), 0x02);
    }

    #[test]
    fn poll_through_ports_acknowledges() {
        let mut pic = bios_pic();
        pic.set_irq(4, true);
        out(&mut pic, 0x20, 0x0C);
        assert_eq!(pic.peek(0x20), 0x10, "peek does not consume the poll");
        assert_eq!(inb(&mut pic, 0x20), 0x84);
        assert!(pic.irq_in_service(4));
        assert_eq!(
            inb(&mut pic, 0x20),
            0x00,
            "next read is IRR again; the edge was consumed"
        );
    }

    #[test]
    fn word_access_and_unclaimed_ports() {
        let mut pic = bios_pic();
        out(&mut pic, 0x21, 0x12);
        pic.port_write(0x20, Width::Word, 0x3408, 0); // OCW3 (read IRR) then OCW1 = 0x34
        assert_eq!(inb(&mut pic, 0x21), 0x34);
        assert_eq!(
            pic.port_read(0x21, Width::Word, 0) >> 8,
            0xFF,
            "0x22 is not a PIC port"
        );
        assert_eq!(pic.port_read(0x300, Width::Byte, 0), 0xFF);
    }

    #[test]
    fn random_guest_traffic_does_not_panic() {
        let mut pic = bios_pic();
        let cell = std::cell::RefCell::new(&mut pic);
        crate::test_rng::random_port_traffic(
            1,
            50_000,
            &[0x20, 0x21, 0xA0, 0xA1, 0x4D0, 0x4D1],
            |p, w, t| {
                let mut pic = cell.borrow_mut();
                pic.port_read(p, w, t);
                let line = (t % 16) as u8;
                pic.set_irq(line, t % 3 == 0);
                if pic.intr_pending() {
                    pic.acknowledge();
                }
            },
            |p, w, v, t| cell.borrow_mut().port_write(p, w, v, t),
        );
    }

    #[test]
    fn bad_line_numbers_are_ignored() {
        let mut pic = bios_pic();
        pic.set_irq(200, true);
        assert!(!pic.intr_pending());
        assert!(!pic.irq_requested(99));
    }
}
