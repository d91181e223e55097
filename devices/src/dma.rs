//! The two 8237A DMA controllers of the PC/AT and their page registers, plus the
//! [`GuestMemory`] trait through which devices' DMA reaches guest RAM.
//!
//! Controller 1 (ports 0x00-0x0F) drives the 8-bit channels 0-3; controller 2 (ports 0xC0-0xDF,
//! registers on even ports, odd ports alias them) drives the 16-bit channels 4-7, whose
//! addresses and counts are in words. Channel 4 cascades controller 1: channels 0-3 only run
//! while channel 4 is unmasked. Page registers are at 0x81-0x8F (channel 2: 0x81, 3: 0x82,
//! 1: 0x83, 0: 0x87, 6: 0x89, 7: 0x8A, 5: 0x8B; the rest are plain read/write latches).
//! Devices move data with [`Dma::transfer_to_memory`] / [`Dma::transfer_from_memory`], which
//! honour masks, the transfer type, address increment/decrement with the 64 KB (128 KB for
//! 16-bit channels) page wrap, terminal count and auto-initialisation.

use rawbox_cpu::Width;

/// Physical memory as seen by a DMA transfer.
pub trait GuestMemory {
    /// Reads `buf.len()` bytes starting at physical address `addr`.
    fn read_phys(&mut self, addr: u32, buf: &mut [u8]);
    /// Writes `data` starting at physical address `addr`.
    fn write_phys(&mut self, addr: u32, data: &[u8]);
}

/// Outcome of a device's DMA transfer request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DmaTransfer {
    /// Bytes moved (or, in verify mode, counted) before the transfer stopped.
    pub bytes: usize,
    /// The channel reached terminal count (the device sees TC and ends its command).
    pub terminal_count: bool,
}

/// Transfer type field of the mode register (bits 3:2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferType {
    /// Addresses and counts advance but memory is not touched.
    Verify,
    /// Device to memory.
    Write,
    /// Memory to device.
    Read,
    Illegal,
}

/// Mode field of the mode register (bits 7:6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferMode {
    Demand,
    Single,
    Block,
    Cascade,
}

const MODE_AUTO_INIT: u8 = 0x10;
const MODE_DECREMENT: u8 = 0x20;
const COMMAND_DISABLE: u8 = 0x04;

/// Index (port - 0x80) of each channel's page register.
const PAGE_INDEX: [usize; 8] = [7, 3, 1, 2, 0xF, 0xB, 9, 0xA];

#[derive(Clone, Copy, Debug, Default)]
struct Channel {
    base_address: u16,
    base_count: u16,
    current_address: u16,
    current_count: u16,
    mode: u8,
}

impl Channel {
    fn transfer_type(&self) -> TransferType {
        match (self.mode >> 2) & 3 {
            0 => TransferType::Verify,
            1 => TransferType::Write,
            2 => TransferType::Read,
            _ => TransferType::Illegal,
        }
    }

    fn transfer_mode(&self) -> TransferMode {
        match self.mode >> 6 {
            0 => TransferMode::Demand,
            1 => TransferMode::Single,
            2 => TransferMode::Block,
            _ => TransferMode::Cascade,
        }
    }
}

/// One 8237A.
#[derive(Clone, Debug)]
struct Controller {
    channels: [Channel; 4],
    command: u8,
    /// Bits 3:0: terminal count reached, per channel.
    tc_status: u8,
    /// Software request bits (request register), per channel.
    request: u8,
    mask: u8,
    /// false: next byte is the low byte.
    flip_flop: bool,
    temporary: u8,
}

impl Controller {
    fn new() -> Controller {
        Controller {
            channels: [Channel::default(); 4],
            command: 0,
            tc_status: 0,
            request: 0,
            mask: 0x0F,
            flip_flop: false,
            temporary: 0,
        }
    }

    fn master_clear(&mut self) {
        self.command = 0;
        self.tc_status = 0;
        self.request = 0;
        self.temporary = 0;
        self.flip_flop = false;
        self.mask = 0x0F;
    }

    fn enabled(&self) -> bool {
        self.command & COMMAND_DISABLE == 0
    }

    /// Reads register `reg` (0-15); `dreq` holds this controller's DREQ inputs.
    fn read(&mut self, reg: u8, dreq: u8) -> u8 {
        match reg {
            0..=7 => {
                let ch = &self.channels[usize::from(reg >> 1)];
                let value = if reg & 1 == 0 {
                    ch.current_address
                } else {
                    ch.current_count
                };
                let high = self.flip_flop;
                self.flip_flop = !self.flip_flop;
                if high {
                    (value >> 8) as u8
                } else {
                    value as u8
                }
            }
            8 => {
                let status = self.tc_status | ((self.request | dreq) & 0x0F) << 4;
                self.tc_status = 0;
                status
            }
            0xD => self.temporary,
            0xF => 0xF0 | self.mask,
            _ => 0xFF,
        }
    }

    fn write(&mut self, reg: u8, value: u8) {
        match reg {
            0..=7 => {
                let high = self.flip_flop;
                self.flip_flop = !self.flip_flop;
                let ch = &mut self.channels[usize::from(reg >> 1)];
                let (base, current) = if reg & 1 == 0 {
                    (&mut ch.base_address, &mut ch.current_address)
                } else {
                    (&mut ch.base_count, &mut ch.current_count)
                };
                *base = if high {
                    (*base & 0x00FF) | u16::from(value) << 8
                } else {
                    (*base & 0xFF00) | u16::from(value)
                };
                *current = *base;
            }
            8 => self.command = value,
            9 => {
                let bit = 1 << (value & 3);
                if value & 4 != 0 {
                    self.request |= bit;
                } else {
                    self.request &= !bit;
                }
            }
            0xA => {
                let bit = 1 << (value & 3);
                if value & 4 != 0 {
                    self.mask |= bit;
                } else {
                    self.mask &= !bit;
                }
            }
            0xB => self.channels[usize::from(value & 3)].mode = value,
            0xC => self.flip_flop = false,
            0xD => self.master_clear(),
            0xE => self.mask = 0,
            0xF => self.mask = value & 0x0F,
            _ => {}
        }
    }
}

/// The DMA subsystem: both 8237As and the page registers.
#[derive(Clone, Debug)]
pub struct Dma {
    controllers: [Controller; 2],
    /// Latches at 0x80-0x8F (index 0 is never decoded here).
    pages: [u8; 16],
    /// DREQ input levels, bit per channel 0-7 (shown in the status register).
    dreq: u8,
}

impl Dma {
    /// Power-on state: every channel masked, controllers enabled, registers zero.
    pub fn new() -> Dma {
        Dma {
            controllers: [Controller::new(), Controller::new()],
            pages: [0; 16],
            dreq: 0,
        }
    }

    /// Inclusive port ranges claimed.
    pub fn ports(&self) -> &'static [(u16, u16)] {
        &[(0x00, 0x0F), (0x81, 0x8F), (0xC0, 0xDF)]
    }

    /// Reads a port; wider accesses read consecutive byte ports.
    pub fn port_read(&mut self, port: u16, width: Width, _now_ns: u64) -> u32 {
        (0..width.bytes()).fold(0, |acc, i| {
            acc | u32::from(self.read_byte(port.wrapping_add(i as u16))) << (8 * i)
        })
    }

    /// Writes a port; wider accesses write consecutive byte ports.
    pub fn port_write(&mut self, port: u16, width: Width, value: u32, _now_ns: u64) {
        for i in 0..width.bytes() {
            self.write_byte(port.wrapping_add(i as u16), (value >> (8 * i)) as u8);
        }
    }

    /// Reads a register without side effects (flip-flop and status TC bits untouched).
    pub fn peek(&self, port: u16) -> u8 {
        let mut copy = self.clone();
        copy.read_byte(port)
    }

    fn read_byte(&mut self, port: u16) -> u8 {
        match port {
            0x00..=0x0F => self.controllers[0].read(port as u8, self.dreq & 0x0F),
            0x81..=0x8F => self.pages[usize::from(port - 0x80)],
            0xC0..=0xDF => self.controllers[1].read(((port - 0xC0) >> 1) as u8, self.dreq >> 4),
            _ => 0xFF,
        }
    }

    fn write_byte(&mut self, port: u16, value: u8) {
        match port {
            0x00..=0x0F => self.controllers[0].write(port as u8, value),
            0x81..=0x8F => self.pages[usize::from(port - 0x80)] = value,
            0xC0..=0xDF => self.controllers[1].write(((port - 0xC0) >> 1) as u8, value),
            _ => {}
        }
    }

    /// Sets the level of a channel's DREQ input (only visible in the status register; the
    /// transfer functions are what moves data).
    pub fn set_dreq(&mut self, channel: usize, level: bool) {
        if channel < 8 {
            if level {
                self.dreq |= 1 << channel;
            } else {
                self.dreq &= !(1 << channel);
            }
        }
    }

    /// The channel's mode register fields, for diagnostics.
    pub fn channel_mode(&self, channel: usize) -> Option<(TransferType, TransferMode)> {
        let ch = self
            .controllers
            .get(channel / 4)?
            .channels
            .get(channel % 4)?;
        Some((ch.transfer_type(), ch.transfer_mode()))
    }

    /// Whether a DREQ on `channel` would be served now: channel unmasked, its controller
    /// enabled, not a cascade channel, and for channels 0-3 the cascade channel 4 unmasked.
    pub fn is_ready(&self, channel: usize) -> bool {
        if channel >= 8 || channel == 4 {
            return false;
        }
        let ctrl = &self.controllers[channel / 4];
        let i = channel % 4;
        let own = ctrl.enabled()
            && ctrl.mask & (1 << i) == 0
            && ctrl.channels[i].transfer_mode() != TransferMode::Cascade;
        if channel < 4 {
            let second = &self.controllers[1];
            own && second.enabled() && second.mask & 1 == 0
        } else {
            own
        }
    }

    /// Current physical address of a channel (page register combined with the address).
    pub fn current_physical_address(&self, channel: usize) -> u32 {
        if channel >= 8 {
            return 0;
        }
        let ch = &self.controllers[channel / 4].channels[channel % 4];
        let page = u32::from(self.pages[PAGE_INDEX[channel]]);
        if channel < 4 {
            page << 16 | u32::from(ch.current_address)
        } else {
            (page & 0xFE) << 16 | u32::from(ch.current_address) << 1
        }
    }

    /// Remaining transfer units minus one (the current count register).
    pub fn current_count(&self, channel: usize) -> u16 {
        if channel >= 8 {
            return 0;
        }
        self.controllers[channel / 4].channels[channel % 4].current_count
    }

    /// A device writes `data` to memory through `channel` (a DMA "write" transfer). Stops at
    /// terminal count or when `data` is used up; returns how much moved. Nothing moves when the
    /// channel is not ready or programmed for a read (memory to device) transfer.
    pub fn transfer_to_memory(
        &mut self,
        channel: usize,
        data: &[u8],
        mem: &mut dyn GuestMemory,
    ) -> DmaTransfer {
        let ty = match self.programmed_type(channel) {
            Some(ty @ (TransferType::Write | TransferType::Verify)) => ty,
            _ => return DmaTransfer::none(),
        };
        self.run(channel, data.len(), |addr, offset, n| {
            if ty == TransferType::Write {
                mem.write_phys(addr, &data[offset..offset + n]);
            }
        })
    }

    /// A device reads memory into `buf` through `channel` (a DMA "read" transfer). Stops at
    /// terminal count or when `buf` is full; returns how much moved. Nothing moves unless the
    /// channel is ready and programmed for a read transfer.
    pub fn transfer_from_memory(
        &mut self,
        channel: usize,
        buf: &mut [u8],
        mem: &mut dyn GuestMemory,
    ) -> DmaTransfer {
        if self.programmed_type(channel) != Some(TransferType::Read) {
            return DmaTransfer::none();
        }
        let len = buf.len();
        self.run(channel, len, |addr, offset, n| {
            mem.read_phys(addr, &mut buf[offset..offset + n]);
        })
    }

    fn programmed_type(&self, channel: usize) -> Option<TransferType> {
        if !self.is_ready(channel) {
            log::trace!("dma: channel {channel} not ready");
            return None;
        }
        Some(self.controllers[channel / 4].channels[channel % 4].transfer_type())
    }

    /// Moves `len` bytes in contiguous runs, calling `access(phys, offset, bytes)` for each.
    fn run(
        &mut self,
        channel: usize,
        len: usize,
        mut access: impl FnMut(u32, usize, usize),
    ) -> DmaTransfer {
        let unit: usize = if channel < 4 { 1 } else { 2 };
        let mut done = 0usize;
        let mut terminal_count = false;
        while done < len {
            let phys = self.current_physical_address(channel);
            let ctrl = &mut self.controllers[channel / 4];
            let i = channel % 4;
            let ch = &mut ctrl.channels[i];
            let decrement = ch.mode & MODE_DECREMENT != 0;
            let units_left = u32::from(ch.current_count) + 1;
            let wanted_units = (len - done).div_ceil(unit) as u32;
            let units = if decrement {
                1
            } else {
                let before_wrap = 0x1_0000 - u32::from(ch.current_address);
                units_left.min(before_wrap).min(wanted_units)
            };
            let bytes = (units as usize * unit).min(len - done);
            access(phys, done, bytes);
            done += bytes;
            ch.current_address = if decrement {
                ch.current_address.wrapping_sub(units as u16)
            } else {
                ch.current_address.wrapping_add(units as u16)
            };
            ch.current_count = ch.current_count.wrapping_sub(units as u16);
            if units == units_left {
                terminal_count = true;
                ctrl.tc_status |= 1 << i;
                ctrl.request &= !(1 << i);
                if ch.mode & MODE_AUTO_INIT != 0 {
                    ch.current_address = ch.base_address;
                    ch.current_count = ch.base_count;
                } else {
                    ctrl.mask |= 1 << i;
                }
                break;
            }
        }
        DmaTransfer {
            bytes: done,
            terminal_count,
        }
    }
}

impl DmaTransfer {
    fn none() -> DmaTransfer {
        DmaTransfer {
            bytes: 0,
            terminal_count: false,
        }
    }
}

/// A flat guest memory for tests of DMA users.
#[cfg(test)]
pub(crate) struct TestMemory(pub Vec<u8>);

#[cfg(test)]
impl GuestMemory for TestMemory {
    fn read_phys(&mut self, addr: u32, buf: &mut [u8]) {
        for (i, b) in buf.iter_mut().enumerate() {
            *b = self.0.get(addr as usize + i).copied().unwrap_or(0xFF);
        }
    }
    fn write_phys(&mut self, addr: u32, data: &[u8]) {
        for (i, &b) in data.iter().enumerate() {
            if let Some(slot) = self.0.get_mut(addr as usize + i) {
                *slot = b;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outb(dma: &mut Dma, port: u16, v: u8) {
        dma.port_write(port, Width::Byte, u32::from(v), 0);
    }
    fn inb(dma: &mut Dma, port: u16) -> u8 {
        dma.port_read(port, Width::Byte, 0) as u8
    }

    /// Programs an 8-bit channel the way a BIOS does and unmasks the cascade.
    fn program8(dma: &mut Dma, ch: u8, mode: u8, addr: u32, count: u16) {
        outb(dma, 0xD6, 0xC0); // channel 4 cascade
        outb(dma, 0xD4, 0x00); // unmask channel 4
        outb(dma, 0x0A, 0x04 | ch);
        outb(dma, 0x0C, 0);
        outb(dma, 0x0B, mode | ch);
        let base = u16::from(ch) * 2;
        outb(dma, base, addr as u8);
        outb(dma, base, (addr >> 8) as u8);
        outb(
            dma,
            0x80 + PAGE_INDEX[usize::from(ch)] as u16,
            (addr >> 16) as u8,
        );
        outb(dma, base + 1, count as u8);
        outb(dma, base + 1, (count >> 8) as u8);
        outb(dma, 0x0A, ch);
    }

    #[test]
    fn flip_flop_orders_low_then_high_and_reads_back() {
        let mut dma = Dma::new();
        outb(&mut dma, 0x0C, 0);
        outb(&mut dma, 0x04, 0x34);
        outb(&mut dma, 0x04, 0x12);
        outb(&mut dma, 0x05, 0xFF);
        outb(&mut dma, 0x05, 0x01);
        outb(&mut dma, 0x0C, 0);
        assert_eq!(inb(&mut dma, 0x04), 0x34);
        assert_eq!(inb(&mut dma, 0x04), 0x12);
        assert_eq!(inb(&mut dma, 0x05), 0xFF);
        assert_eq!(inb(&mut dma, 0x05), 0x01);
        // Reset flip-flop mid-way: next read is the low byte again.
        assert_eq!(inb(&mut dma, 0x04), 0x34);
        outb(&mut dma, 0x0C, 0);
        assert_eq!(inb(&mut dma, 0x04), 0x34);
    }

    #[test]
    fn page_registers_map_to_channels() {
        let mut dma = Dma::new();
        let table: &[(usize, u16)] = &[
            (0, 0x87),
            (1, 0x83),
            (2, 0x81),
            (3, 0x82),
            (5, 0x8B),
            (6, 0x89),
            (7, 0x8A),
        ];
        for &(ch, port) in table {
            outb(&mut dma, port, 0x13);
            let expected = if ch < 4 { 0x13 } else { 0x12 };
            assert_eq!(dma.current_physical_address(ch) >> 16, expected);
            outb(&mut dma, port, 0x00);
            assert_eq!(inb(&mut dma, port), 0);
        }
        outb(&mut dma, 0x84, 0x5A);
        assert_eq!(inb(&mut dma, 0x84), 0x5A);
        assert_eq!(dma.current_physical_address(0), 0);
    }

    #[test]
    fn word_channels_use_word_addresses_and_even_pages() {
        let mut dma = Dma::new();
        outb(&mut dma, 0xD8, 0);
        outb(&mut dma, 0xC4, 0x00); // ch5 address low
        outb(&mut dma, 0xC4, 0x80); // ch5 address high: word 0x8000 = byte 0x10000
        outb(&mut dma, 0x8B, 0x03); // page 3 -> bit 0 ignored
        assert_eq!(dma.current_physical_address(5), 0x0002_0000 | 0x1_0000);
        // Odd ports alias even ones.
        outb(&mut dma, 0xD9, 0);
        assert_eq!(inb(&mut dma, 0xC5), 0x00);
        assert_eq!(inb(&mut dma, 0xC5), 0x80);
    }

    #[test]
    fn mask_registers_single_all_and_clear() {
        let mut dma = Dma::new();
        assert_eq!(inb(&mut dma, 0x0F) & 0x0F, 0x0F, "power-on: all masked");
        outb(&mut dma, 0x0E, 0);
        assert_eq!(inb(&mut dma, 0x0F) & 0x0F, 0);
        outb(&mut dma, 0x0A, 0x06);
        assert_eq!(inb(&mut dma, 0x0F) & 0x0F, 0x04);
        outb(&mut dma, 0x0A, 0x02);
        assert_eq!(inb(&mut dma, 0x0F) & 0x0F, 0);
        outb(&mut dma, 0x0F, 0x0A);
        assert_eq!(inb(&mut dma, 0x0F) & 0x0F, 0x0A);
        outb(&mut dma, 0xDE, 0x0E);
        assert_eq!(inb(&mut dma, 0xDE) & 0x0F, 0x0E);
    }

    #[test]
    fn master_clear_masks_all_and_resets_flip_flop_and_status() {
        let mut dma = Dma::new();
        outb(&mut dma, 0x0E, 0);
        outb(&mut dma, 0x08, 0x04);
        outb(&mut dma, 0x09, 0x05);
        outb(&mut dma, 0x00, 0x11); // flip-flop now high
        outb(&mut dma, 0x0D, 0);
        assert_eq!(inb(&mut dma, 0x0F) & 0x0F, 0x0F);
        assert_eq!(inb(&mut dma, 0x08), 0, "status and request cleared");
        outb(&mut dma, 0x00, 0x22); // goes to the low byte
        outb(&mut dma, 0x0C, 0);
        assert_eq!(inb(&mut dma, 0x00), 0x22);
        assert!(dma.controllers[0].enabled());
    }

    #[test]
    fn request_register_and_dreq_show_in_status() {
        let mut dma = Dma::new();
        outb(&mut dma, 0x09, 0x06); // set request ch2
        assert_eq!(inb(&mut dma, 0x08), 0x40);
        outb(&mut dma, 0x09, 0x02); // clear
        assert_eq!(inb(&mut dma, 0x08), 0x00);
        dma.set_dreq(1, true);
        assert_eq!(inb(&mut dma, 0x08), 0x20);
        dma.set_dreq(6, true);
        assert_eq!(inb(&mut dma, 0xD0), 0x40);
    }

    #[test]
    fn write_transfer_reaches_memory_and_sets_tc_which_clears_on_read() {
        let mut dma = Dma::new();
        let mut mem = TestMemory(vec![0; 0x30000]);
        program8(&mut dma, 2, 0x44, 0x2_1000, 511); // single, write, increment
        let data: Vec<u8> = (0..600u32).map(|i| i as u8).collect();
        let t = dma.transfer_to_memory(2, &data, &mut mem);
        assert_eq!(
            t,
            DmaTransfer {
                bytes: 512,
                terminal_count: true
            }
        );
        assert_eq!(&mem.0[0x2_1000..0x2_1200], &data[..512]);
        assert_eq!(mem.0[0x2_1200], 0);
        assert_eq!(inb(&mut dma, 0x08) & 0x0F, 0x04);
        assert_eq!(inb(&mut dma, 0x08) & 0x0F, 0x00, "TC bits clear on read");
        // Not auto-init: channel masked at TC, nothing more moves.
        assert_eq!(inb(&mut dma, 0x0F) & 0x04, 0x04);
        assert_eq!(dma.transfer_to_memory(2, &data, &mut mem).bytes, 0);
        assert_eq!(dma.current_count(2), 0xFFFF);
    }

    #[test]
    fn partial_transfers_continue_where_they_stopped() {
        let mut dma = Dma::new();
        let mut mem = TestMemory(vec![0; 0x20000]);
        program8(&mut dma, 2, 0x44, 0x1000, 1023);
        let t = dma.transfer_to_memory(2, &[1; 512], &mut mem);
        assert_eq!(t.bytes, 512);
        assert!(!t.terminal_count);
        let t = dma.transfer_to_memory(2, &[2; 512], &mut mem);
        assert!(t.terminal_count);
        assert_eq!(mem.0[0x11FF], 1);
        assert_eq!(mem.0[0x1200], 2);
        assert_eq!(mem.0[0x13FF], 2);
    }

    #[test]
    fn eight_bit_channel_wraps_within_its_64k_page() {
        let mut dma = Dma::new();
        let mut mem = TestMemory(vec![0; 0x30000]);
        program8(&mut dma, 2, 0x44, 0x1_FFFE, 3);
        dma.transfer_to_memory(2, &[0xA1, 0xA2, 0xA3, 0xA4], &mut mem);
        assert_eq!(mem.0[0x1_FFFE], 0xA1);
        assert_eq!(mem.0[0x1_FFFF], 0xA2);
        assert_eq!(mem.0[0x1_0000], 0xA3, "wraps to the start of the page");
        assert_eq!(mem.0[0x1_0001], 0xA4);
        assert_eq!(mem.0[0x2_0000], 0, "page register not incremented");
    }

    #[test]
    fn auto_init_reloads_base_values_and_keeps_channel_unmasked() {
        let mut dma = Dma::new();
        let mut mem = TestMemory(vec![0; 0x20000]);
        program8(&mut dma, 1, 0x54, 0x500, 3); // auto-init write
        let t = dma.transfer_to_memory(1, &[7; 10], &mut mem);
        assert_eq!(t.bytes, 4);
        assert!(t.terminal_count);
        assert_eq!(dma.current_count(1), 3);
        assert_eq!(dma.current_physical_address(1), 0x500);
        assert_eq!(inb(&mut dma, 0x0F) & 0x02, 0);
        let t = dma.transfer_to_memory(1, &[8; 2], &mut mem);
        assert_eq!(t.bytes, 2);
        assert_eq!(mem.0[0x500], 8);
    }

    #[test]
    fn decrement_mode_walks_down() {
        let mut dma = Dma::new();
        let mut mem = TestMemory(vec![0; 0x20000]);
        program8(&mut dma, 3, 0x64, 0x802, 2); // decrement write
        dma.transfer_to_memory(3, &[1, 2, 3], &mut mem);
        assert_eq!(&mem.0[0x800..0x803], &[3, 2, 1]);
    }

    #[test]
    fn read_transfer_and_direction_mismatch() {
        let mut dma = Dma::new();
        let mut mem = TestMemory(vec![0; 0x20000]);
        for (i, b) in mem.0[0x3000..0x3010].iter_mut().enumerate() {
            *b = i as u8 + 1;
        }
        program8(&mut dma, 2, 0x48, 0x3000, 15); // read (memory to device)
        let mut nothing = [0u8; 4];
        assert_eq!(dma.transfer_to_memory(2, &nothing, &mut mem).bytes, 0);
        let t = dma.transfer_from_memory(2, &mut nothing, &mut mem);
        assert_eq!(t.bytes, 4);
        assert_eq!(nothing, [1, 2, 3, 4]);
        // Write-programmed channel refuses memory-to-device transfers.
        program8(&mut dma, 2, 0x44, 0x3000, 15);
        assert_eq!(dma.transfer_from_memory(2, &mut nothing, &mut mem).bytes, 0);
    }

    #[test]
    fn verify_mode_counts_without_touching_memory() {
        let mut dma = Dma::new();
        let mut mem = TestMemory(vec![0; 0x20000]);
        program8(&mut dma, 2, 0x40, 0x100, 7);
        let t = dma.transfer_to_memory(2, &[0xEE; 8], &mut mem);
        assert_eq!(t.bytes, 8);
        assert!(t.terminal_count);
        assert!(mem.0.iter().all(|&b| b == 0));
    }

    #[test]
    fn cascade_and_controller_disable_gate_transfers() {
        let mut dma = Dma::new();
        let mut mem = TestMemory(vec![0; 0x20000]);
        program8(&mut dma, 2, 0x44, 0x100, 7);
        assert!(dma.is_ready(2));
        outb(&mut dma, 0xD4, 0x04); // mask channel 4 (cascade)
        assert!(!dma.is_ready(2));
        assert_eq!(dma.transfer_to_memory(2, &[1; 8], &mut mem).bytes, 0);
        outb(&mut dma, 0xD4, 0x00);
        outb(&mut dma, 0x08, 0x04); // disable controller 1
        assert!(!dma.is_ready(2));
        outb(&mut dma, 0x08, 0x00);
        assert!(dma.is_ready(2));
        assert!(!dma.is_ready(4), "channel 4 is the cascade");
    }

    #[test]
    fn sixteen_bit_channel_counts_words_and_wraps_in_128k() {
        let mut dma = Dma::new();
        let mut mem = TestMemory(vec![0; 0x60000]);
        outb(&mut dma, 0xD4, 0x05); // mask ch5
        outb(&mut dma, 0xD8, 0);
        outb(&mut dma, 0xD6, 0x45); // single write ch5
        outb(&mut dma, 0xC4, 0xFF);
        outb(&mut dma, 0xC4, 0xFF); // word 0xFFFF -> byte offset 0x1FFFE
        outb(&mut dma, 0xC6, 1);
        outb(&mut dma, 0xC6, 0); // 2 words
        outb(&mut dma, 0x8B, 0x04);
        outb(&mut dma, 0xD4, 0x01);
        let t = dma.transfer_to_memory(5, &[1, 2, 3, 4, 5, 6], &mut mem);
        assert_eq!(t.bytes, 4);
        assert!(t.terminal_count);
        assert_eq!(&mem.0[0x5_FFFE..0x6_0000], &[1, 2]);
        assert_eq!(&mem.0[0x4_0000..0x4_0002], &[3, 4]);
    }

    #[test]
    fn unclaimed_ports_read_ones_and_peek_has_no_side_effects() {
        let mut dma = Dma::new();
        assert_eq!(inb(&mut dma, 0x0A), 0xFF);
        assert_eq!(dma.port_read(0x50, Width::Byte, 0), 0xFF);
        outb(&mut dma, 0x00, 0x34);
        outb(&mut dma, 0x00, 0x12);
        assert_eq!(dma.peek(0x00), 0x34);
        assert_eq!(dma.peek(0x00), 0x34);
        assert_eq!(inb(&mut dma, 0x00), 0x34);
        // A word read splits into ports 0x00 (address high byte now) and 0x01 (count low byte).
        assert_eq!(dma.port_read(0x00, Width::Word, 0), 0x0012);
    }
}
