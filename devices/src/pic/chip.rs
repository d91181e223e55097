//! One 8259A programmable interrupt controller: the initialisation command words (ICW1-4),
//! the operation command words (OCW1-3), the IRR/ISR/IMR registers, priority resolution with
//! rotation, special mask mode, poll mode, auto-EOI and edge/level input sensing.
//!
//! The chip knows nothing of its partner; the pair in `pic::mod` wires the cascade.

/// Where the chip is in its initialisation sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum InitStep {
    /// Initialised; data-port writes are OCW1.
    Ready,
    /// ICW1 seen; the next data-port write is ICW2 (vector base).
    Icw2,
    /// The next data-port write is ICW3 (cascade wiring).
    Icw3,
    /// The next data-port write is ICW4 (mode bits).
    Icw4,
}

/// Which register a command-port read returns (OCW3 RR/RIS).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ReadSelect {
    Irr,
    Isr,
}

/// One 8259A.
#[derive(Clone, Debug)]
pub struct Chip8259 {
    /// Interrupt request register.
    irr: u8,
    /// In-service register.
    isr: u8,
    /// Interrupt mask register (OCW1).
    imr: u8,
    /// Current level of each IR input pin.
    input_level: u8,
    /// Edge-sense latches: set by a rising edge, cleared by INTA or a falling input.
    edge_latch: u8,
    /// Per-input level-trigger selection from the ELCR.
    elcr: u8,
    /// Bits the ELCR may hold (some inputs are edge-only on a PC).
    elcr_writable: u8,
    /// ICW1 LTIM: all inputs level triggered.
    ltim: bool,
    /// ICW1 SNGL: no cascade.
    single: bool,
    /// ICW1 IC4: an ICW4 follows.
    expects_icw4: bool,
    /// ICW2: vector base (low three bits zero).
    vector_base: u8,
    /// ICW3: slave inputs (master) or slave identity (slave).
    icw3: u8,
    /// ICW4 AEOI.
    auto_eoi: bool,
    /// ICW4 SFNM.
    special_fully_nested: bool,
    /// OCW2 rotate-in-automatic-EOI mode.
    rotate_on_auto_eoi: bool,
    /// The IR level with the lowest priority (priority rotates around it).
    lowest_priority: u8,
    /// OCW3 special mask mode.
    special_mask: bool,
    /// OCW3 read register selection.
    read_select: ReadSelect,
    /// OCW3 poll command issued; the next read is the poll word.
    poll: bool,
    init_step: InitStep,
    /// True if this chip is the master (decides how ICW3 and SFNM are interpreted).
    is_master: bool,
}

impl Chip8259 {
    /// A chip in its power-on state: vector base 0, everything masked off nothing, edge mode.
    /// `elcr_writable` says which inputs may be switched to level mode through the ELCR.
    pub fn new(is_master: bool, elcr_writable: u8) -> Chip8259 {
        Chip8259 {
            irr: 0,
            isr: 0,
            imr: 0,
            input_level: 0,
            edge_latch: 0,
            elcr: 0,
            elcr_writable,
            ltim: false,
            single: false,
            expects_icw4: false,
            vector_base: 0,
            icw3: 0,
            auto_eoi: false,
            special_fully_nested: false,
            rotate_on_auto_eoi: false,
            lowest_priority: 7,
            special_mask: false,
            read_select: ReadSelect::Irr,
            poll: false,
            init_step: InitStep::Ready,
            is_master,
        }
    }

    /// Bit mask of level-triggered inputs (ICW1 LTIM or the ELCR).
    fn level_mask(&self) -> u8 {
        if self.ltim {
            0xFF
        } else {
            self.elcr
        }
    }

    /// Recomputes IRR from input levels and edge latches.
    fn refresh_irr(&mut self) {
        let level = self.level_mask();
        self.irr = (self.input_level & level) | (self.edge_latch & self.input_level & !level);
    }

    /// Drives IR input `line` (0-7) to `level`.
    pub fn set_input(&mut self, line: u8, level: bool) {
        let bit = 1u8 << (line & 7);
        let was_high = self.input_level & bit != 0;
        if level {
            if !was_high {
                self.edge_latch |= bit;
            }
            self.input_level |= bit;
        } else {
            // A request that goes away before it is acknowledged is withdrawn (and the
            // acknowledge that follows reports the spurious level 7).
            self.input_level &= !bit;
            self.edge_latch &= !bit;
        }
        self.refresh_irr();
    }

    /// Writes the ELCR byte (only writable bits are kept).
    pub fn set_elcr(&mut self, value: u8) {
        self.elcr = value & self.elcr_writable;
        self.refresh_irr();
    }

    /// Reads the ELCR byte.
    pub fn elcr(&self) -> u8 {
        self.elcr
    }

    /// IR levels in priority order, highest first.
    fn priority_order(&self) -> impl Iterator<Item = u8> {
        let first = (self.lowest_priority + 1) & 7;
        (0..8u8).map(move |i| (first + i) & 7)
    }

    /// The highest-priority level currently in service, if any (ignoring levels masked while
    /// special mask mode is on, which the datasheet excludes from priority decisions).
    fn highest_in_service(&self) -> Option<u8> {
        let isr = if self.special_mask {
            self.isr & !self.imr
        } else {
            self.isr
        };
        self.priority_order().find(|&l| isr & (1 << l) != 0)
    }

    /// The level this chip would present on INTA, if any request may interrupt now.
    pub fn highest_pending(&self) -> Option<u8> {
        let pending = self.irr & !self.imr;
        if pending == 0 {
            return None;
        }
        if self.special_mask {
            // Any unmasked request not itself in service may interrupt.
            return self
                .priority_order()
                .find(|&l| pending & !self.isr & (1 << l) != 0);
        }
        let blocking = self.highest_in_service();
        for level in self.priority_order() {
            if Some(level) == blocking {
                // In special fully nested mode the master lets a slave input interrupt again
                // while it is in service, so the slave can nest its own higher priorities.
                let cascade_input = self.is_master && !self.single && self.icw3 & (1 << level) != 0;
                if self.special_fully_nested && cascade_input && pending & (1 << level) != 0 {
                    return Some(level);
                }
                return None;
            }
            if pending & (1 << level) != 0 {
                return Some(level);
            }
        }
        None
    }

    /// The INT output pin.
    pub fn int_output(&self) -> bool {
        self.init_step == InitStep::Ready && self.highest_pending().is_some()
    }

    /// The INTA cycle's effect on the registers for `level`: clears the request edge and
    /// sets the in-service bit (or, in auto-EOI mode, ends the interrupt at once).
    pub fn acknowledge_level(&mut self, level: u8) {
        let bit = 1u8 << (level & 7);
        self.edge_latch &= !bit;
        self.refresh_irr();
        if self.auto_eoi {
            if self.rotate_on_auto_eoi {
                self.lowest_priority = level & 7;
            }
        } else {
            self.isr |= bit;
        }
    }

    /// Vector for `level` (ICW2 base plus level).
    pub fn vector(&self, level: u8) -> u8 {
        self.vector_base | (level & 7)
    }

    /// True if `level` is a cascade input (master with a slave on that line).
    pub fn is_cascade_input(&self, level: u8) -> bool {
        self.is_master && !self.single && self.icw3 & (1 << (level & 7)) != 0
    }

    /// Command port (A0 = 0) write: ICW1, OCW2 or OCW3.
    pub fn write_command(&mut self, value: u8) {
        if value & 0x10 != 0 {
            self.icw1(value);
        } else if value & 0x08 != 0 {
            self.ocw3(value);
        } else {
            self.ocw2(value);
        }
    }

    /// Data port (A0 = 1) write: ICW2-4 during initialisation, OCW1 afterwards.
    pub fn write_data(&mut self, value: u8) {
        match self.init_step {
            InitStep::Ready => self.imr = value,
            InitStep::Icw2 => {
                self.vector_base = value & 0xF8;
                self.init_step = if !self.single {
                    InitStep::Icw3
                } else if self.expects_icw4 {
                    InitStep::Icw4
                } else {
                    InitStep::Ready
                };
            }
            InitStep::Icw3 => {
                self.icw3 = value;
                self.init_step = if self.expects_icw4 {
                    InitStep::Icw4
                } else {
                    InitStep::Ready
                };
            }
            InitStep::Icw4 => {
                if value & 0x01 == 0 {
                    log::warn!("8259A: ICW4 selects 8080 mode, which an x86 PC cannot use");
                }
                self.auto_eoi = value & 0x02 != 0;
                self.special_fully_nested = value & 0x10 != 0;
                self.init_step = InitStep::Ready;
            }
        }
    }

    fn icw1(&mut self, value: u8) {
        self.ltim = value & 0x08 != 0;
        self.single = value & 0x02 != 0;
        self.expects_icw4 = value & 0x01 != 0;
        // The datasheet's initialisation reset: edge sense cleared (an input must go low and
        // high again to interrupt), IMR and ISR cleared, IR7 lowest priority, special mask
        // off, IRR selected for reading, ICW4 functions cleared.
        self.edge_latch = 0;
        self.imr = 0;
        self.isr = 0;
        self.lowest_priority = 7;
        self.special_mask = false;
        self.read_select = ReadSelect::Irr;
        self.poll = false;
        self.auto_eoi = false;
        self.special_fully_nested = false;
        self.rotate_on_auto_eoi = false;
        self.refresh_irr();
        self.init_step = InitStep::Icw2;
    }

    fn ocw2(&mut self, value: u8) {
        let level = value & 7;
        match value >> 5 {
            0b001 => {
                if let Some(l) = self.highest_in_service() {
                    self.isr &= !(1 << l);
                }
            }
            0b011 => self.isr &= !(1 << level),
            0b101 => {
                if let Some(l) = self.highest_in_service() {
                    self.isr &= !(1 << l);
                    self.lowest_priority = l;
                }
            }
            0b100 => self.rotate_on_auto_eoi = true,
            0b000 => self.rotate_on_auto_eoi = false,
            0b111 => {
                self.isr &= !(1 << level);
                self.lowest_priority = level;
            }
            0b110 => self.lowest_priority = level,
            _ => {} // 010: no operation
        }
    }

    fn ocw3(&mut self, value: u8) {
        match value & 0x60 {
            0x60 => self.special_mask = true,
            0x40 => self.special_mask = false,
            _ => {}
        }
        self.poll = value & 0x04 != 0;
        match value & 0x03 {
            0x02 => self.read_select = ReadSelect::Irr,
            0x03 => self.read_select = ReadSelect::Isr,
            _ => {}
        }
    }

    /// True if a poll command is waiting for its read.
    pub fn poll_pending(&self) -> bool {
        self.poll
    }

    /// Completes a poll: the read acts as an interrupt acknowledge and returns the poll word
    /// (bit 7 = a request was pending, bits 2-0 = its level).
    pub fn take_poll_word(&mut self) -> u8 {
        self.poll = false;
        match self.highest_pending() {
            Some(level) => {
                self.acknowledge_level(level);
                0x80 | level
            }
            None => 0,
        }
    }

    /// Command port read without poll: IRR or ISR per OCW3.
    pub fn read_command(&self) -> u8 {
        match self.read_select {
            ReadSelect::Irr => self.irr,
            ReadSelect::Isr => self.isr,
        }
    }

    /// Data port read: IMR.
    pub fn read_data(&self) -> u8 {
        self.imr
    }

    /// Interrupt request register.
    pub fn irr(&self) -> u8 {
        self.irr
    }

    /// In-service register.
    pub fn isr(&self) -> u8 {
        self.isr
    }

    /// Interrupt mask register.
    pub fn imr(&self) -> u8 {
        self.imr
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chip initialised like a PC BIOS master: edge, cascade, ICW4 = 8086 mode.
    fn initialised(icw4: u8) -> Chip8259 {
        let mut c = Chip8259::new(true, 0xF8);
        c.write_command(0x11);
        c.write_data(0x08);
        c.write_data(0x04);
        c.write_data(icw4);
        c
    }

    #[test]
    fn init_sequence_sets_vector_base_and_clears_imr() {
        let mut c = Chip8259::new(true, 0xF8);
        c.write_data(0xFF);
        c.write_command(0x11);
        assert_eq!(c.imr(), 0, "ICW1 clears the mask");
        c.write_data(0x6B); // low bits of ICW2 are ignored
        c.write_data(0x04);
        c.write_data(0x01);
        c.write_data(0xAA); // now OCW1
        assert_eq!(c.imr(), 0xAA);
        assert_eq!(c.vector(3), 0x6B);
    }

    #[test]
    fn single_mode_without_icw4_skips_icw3_and_icw4() {
        let mut c = Chip8259::new(true, 0);
        c.write_command(0x12); // SNGL, no IC4
        c.write_data(0x20);
        c.write_data(0x5A); // OCW1 already
        assert_eq!(c.imr(), 0x5A);
        assert!(!c.is_cascade_input(2));
    }

    #[test]
    fn no_interrupt_while_initialising() {
        let mut c = Chip8259::new(true, 0);
        c.write_command(0x11);
        c.set_input(1, true);
        assert!(!c.int_output());
        c.write_data(0x08);
        c.write_data(0x04);
        c.write_data(0x01);
        assert!(c.int_output());
    }

    #[test]
    fn edge_mode_needs_a_rising_edge_after_icw1() {
        let mut c = Chip8259::new(true, 0);
        c.set_input(3, true);
        c.write_command(0x11);
        c.write_data(0x08);
        c.write_data(0x04);
        c.write_data(0x01);
        assert_eq!(
            c.highest_pending(),
            None,
            "a line already high is not an edge"
        );
        c.set_input(3, false);
        c.set_input(3, true);
        assert_eq!(c.highest_pending(), Some(3));
    }

    #[test]
    fn level_mode_follows_the_line_and_reasserts_after_eoi() {
        let mut c = initialised(0x01);
        c.set_elcr(0xFF);
        assert_eq!(
            c.elcr(),
            0xF8,
            "IRQ0-2 cannot be level triggered on the master"
        );
        c.set_input(5, true);
        assert_eq!(c.highest_pending(), Some(5));
        c.acknowledge_level(5);
        assert_eq!(c.highest_pending(), None, "in service blocks it");
        assert_eq!(c.irr() & 0x20, 0x20, "IRR still follows the line");
        c.write_command(0x20);
        assert_eq!(
            c.highest_pending(),
            Some(5),
            "still high after EOI: interrupts again"
        );
        c.set_input(5, false);
        assert_eq!(c.irr(), 0);
    }

    #[test]
    fn ltim_makes_every_input_level_triggered() {
        let mut c = Chip8259::new(true, 0);
        c.write_command(0x19); // LTIM
        c.write_data(0x08);
        c.write_data(0x04);
        c.write_data(0x01);
        c.set_input(0, true);
        c.acknowledge_level(0);
        c.write_command(0x20);
        assert_eq!(c.highest_pending(), Some(0));
    }

    #[test]
    fn edge_request_is_consumed_by_acknowledge() {
        let mut c = initialised(0x01);
        c.set_input(4, true);
        c.acknowledge_level(4);
        c.write_command(0x20);
        assert_eq!(
            c.highest_pending(),
            None,
            "same high line is not a new edge"
        );
    }

    #[test]
    fn withdrawn_edge_request_clears_irr() {
        let mut c = initialised(0x01);
        c.set_input(6, true);
        assert_eq!(c.irr(), 0x40);
        c.set_input(6, false);
        assert_eq!(c.irr(), 0);
        assert!(!c.int_output());
    }

    #[test]
    fn mask_hides_request_but_irr_keeps_it() {
        let mut c = initialised(0x01);
        c.write_data(0x02);
        c.set_input(1, true);
        assert!(!c.int_output());
        assert_eq!(c.irr(), 0x02);
        c.write_data(0x00);
        assert_eq!(c.highest_pending(), Some(1));
    }

    #[test]
    fn fixed_priority_lowest_number_wins() {
        let mut c = initialised(0x01);
        c.set_input(6, true);
        c.set_input(3, true);
        assert_eq!(c.highest_pending(), Some(3));
    }

    #[test]
    fn in_service_blocks_lower_and_equal_but_not_higher() {
        let mut c = initialised(0x01);
        c.set_input(3, true);
        c.acknowledge_level(3);
        c.set_input(5, true);
        assert_eq!(c.highest_pending(), None);
        c.set_input(1, true);
        assert_eq!(c.highest_pending(), Some(1));
    }

    #[test]
    fn non_specific_eoi_clears_highest_in_service() {
        let mut c = initialised(0x01);
        c.set_input(4, true);
        c.acknowledge_level(4);
        c.set_input(2, true);
        c.acknowledge_level(2);
        assert_eq!(c.isr(), 0x14);
        c.write_command(0x20);
        assert_eq!(c.isr(), 0x10);
    }

    #[test]
    fn specific_eoi_clears_named_level() {
        let mut c = initialised(0x01);
        c.set_input(4, true);
        c.acknowledge_level(4);
        c.set_input(2, true);
        c.acknowledge_level(2);
        c.write_command(0x64);
        assert_eq!(c.isr(), 0x04);
    }

    #[test]
    fn rotate_on_non_specific_eoi_makes_serviced_level_lowest() {
        let mut c = initialised(0x01);
        c.set_input(2, true);
        c.acknowledge_level(2);
        c.write_command(0xA0);
        assert_eq!(c.isr(), 0);
        c.set_input(2, false);
        c.set_input(2, true);
        c.set_input(5, true);
        assert_eq!(
            c.highest_pending(),
            Some(5),
            "IR3 is now highest, IR2 lowest"
        );
    }

    #[test]
    fn rotate_on_specific_eoi_and_set_priority() {
        let mut c = initialised(0x01);
        c.set_input(6, true);
        c.acknowledge_level(6);
        c.write_command(0xE6); // rotate on specific EOI, level 6
        assert_eq!(c.isr(), 0);
        c.set_input(0, true);
        c.set_input(7, true);
        assert_eq!(
            c.highest_pending(),
            Some(7),
            "IR7 follows IR6 as the new highest"
        );
        c.write_command(0xC0 | 0x07); // set priority: IR7 lowest
        assert_eq!(c.highest_pending(), Some(0));
    }

    #[test]
    fn auto_eoi_leaves_isr_empty_and_can_rotate() {
        let mut c = initialised(0x03);
        c.set_input(1, true);
        c.acknowledge_level(1);
        assert_eq!(c.isr(), 0);
        c.write_command(0x80); // rotate in AEOI mode
        c.set_input(2, true);
        c.acknowledge_level(2);
        c.set_input(0, true);
        c.set_input(3, true);
        assert_eq!(
            c.highest_pending(),
            Some(3),
            "IR2 became lowest, IR3 highest"
        );
        c.write_command(0x00); // clear rotate in AEOI
        c.acknowledge_level(3);
        c.set_input(0, false);
        c.set_input(0, true);
        c.set_input(4, true);
        assert_eq!(c.highest_pending(), Some(4), "no further rotation");
    }

    #[test]
    fn ocw3_selects_isr_or_irr_for_reading() {
        let mut c = initialised(0x01);
        c.set_input(3, true);
        c.set_input(5, true);
        c.acknowledge_level(3);
        assert_eq!(c.read_command(), 0x20, "IRR after init");
        c.write_command(0x0B);
        assert_eq!(c.read_command(), 0x08);
        c.write_command(0x08); // RR=0: no change
        assert_eq!(c.read_command(), 0x08);
        c.write_command(0x0A);
        assert_eq!(c.read_command(), 0x20);
    }

    #[test]
    fn poll_word_acknowledges_highest_request() {
        let mut c = initialised(0x01);
        c.set_input(6, true);
        c.write_command(0x0C);
        assert!(c.poll_pending());
        assert_eq!(c.take_poll_word(), 0x86);
        assert_eq!(c.isr(), 0x40);
        assert!(!c.poll_pending());
        c.write_command(0x0C);
        assert_eq!(c.take_poll_word(), 0x00, "nothing pending");
    }

    #[test]
    fn special_mask_mode_lets_lower_priorities_through() {
        let mut c = initialised(0x01);
        c.set_input(2, true);
        c.acknowledge_level(2);
        c.write_data(0x04); // mask the in-service level
        c.set_input(5, true);
        assert_eq!(
            c.highest_pending(),
            None,
            "normal mode: IR2 in service blocks IR5"
        );
        c.write_command(0x68); // set special mask
        assert_eq!(c.highest_pending(), Some(5));
        c.write_command(0x48); // reset special mask
        assert_eq!(c.highest_pending(), None);
    }

    #[test]
    fn special_fully_nested_master_accepts_its_cascade_input_again() {
        let mut c = initialised(0x11);
        c.set_input(2, true);
        c.acknowledge_level(2);
        c.set_input(2, false);
        c.set_input(2, true);
        assert_eq!(c.highest_pending(), Some(2));
        let mut plain = initialised(0x01);
        plain.set_input(2, true);
        plain.acknowledge_level(2);
        plain.set_input(2, false);
        plain.set_input(2, true);
        assert_eq!(plain.highest_pending(), None);
    }
}
