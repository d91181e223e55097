//! The PC platform bus: owns every device, routes port I/O and MMIO to them, keeps virtual time,
//! and copies device IRQ outputs into the PIC pair. Implements the CPU's `Bus` traits.

use rawbox_cpu::{InterruptLines, Mmio, PortIo, Width};
use rawbox_devices::cmos::{Cmos, CmosConfig};
use rawbox_devices::dma::{Dma, GuestMemory};
use rawbox_devices::floppy::FloppyController;
use rawbox_devices::fw_cfg::FwCfg;
use rawbox_devices::ide::{ChannelId, IdeChannel};
use rawbox_devices::kbc::Kbc;
use rawbox_devices::misc_ports::MiscPorts;
use rawbox_devices::pci::PciHost;
use rawbox_devices::pic::Pic;
use rawbox_devices::pit::Pit;
use rawbox_devices::speaker::SystemControlB;
use rawbox_devices::uart::Uart;
use rawbox_devices::vga::Vga;

/// Virtual nanoseconds an ISA port access takes (real ISA cycles are about 1 us).
pub const IO_NS: u64 = 1_000;

/// Counters of platform events.
#[derive(Clone, Copy, Debug, Default)]
pub struct PlatformCounters {
    pub port_reads: u64,
    pub port_writes: u64,
    pub mmio: u64,
    pub irqs: u64,
}

/// All devices of the PC.
pub struct Platform {
    pub now_ns: u64,
    pub pic: Pic,
    pub pit: Pit,
    pub cmos: Cmos,
    pub kbc: Kbc,
    pub sysctl: SystemControlB,
    pub misc: MiscPorts,
    pub dma: Dma,
    pub fdc: FloppyController,
    pub ide: [IdeChannel; 2],
    pub com: [Uart; 2],
    pub vga: Vga,
    /// The PCI host bridge (with an external BIOS only: rawbox's own BIOS needs none).
    pub pci: Option<PciHost>,
    /// The firmware configuration interface (with an external BIOS only).
    pub fw_cfg: Option<FwCfg>,
    /// FERR# from the FPU (IRQ 13), cleared by a write to port 0xF0.
    pub fpu_error: bool,
    pub counters: PlatformCounters,
    /// DMA work is pending for the floppy (serviced after the access, with memory).
    pub dma_pending: bool,
    /// When the guest last asked the BIOS for keyboard input.
    pub keyboard_polled_ns: u64,
    /// Since when the guest has been asking for keyboard input without a pause.
    pub keyboard_poll_streak_ns: u64,
    /// Tight "no key" polls, turned into waits for the next interrupt.
    pub poll_idle: crate::idle::PollIdle,
}

impl std::fmt::Debug for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Platform(now {} ns)", self.now_ns)
    }
}

impl Platform {
    pub fn new(cmos: &CmosConfig) -> Platform {
        Platform {
            now_ns: 0,
            pic: Pic::new(),
            pit: Pit::new(),
            cmos: Cmos::with_host_clock(cmos),
            kbc: Kbc::new(),
            sysctl: SystemControlB::new(),
            misc: MiscPorts::new(),
            dma: Dma::new(),
            fdc: FloppyController::new(),
            ide: [
                IdeChannel::new(ChannelId::Primary),
                IdeChannel::new(ChannelId::Secondary),
            ],
            com: [Uart::new(0x3F8), Uart::new(0x2F8)],
            vga: Vga::new(),
            pci: None,
            fw_cfg: None,
            fpu_error: false,
            counters: PlatformCounters::default(),
            dma_pending: false,
            keyboard_polled_ns: 0,
            keyboard_poll_streak_ns: 0,
            poll_idle: Default::default(),
        }
    }

    /// Brings every timed device up to `now` and refreshes the interrupt lines.
    pub fn advance_to(&mut self, now: u64) {
        if now > self.now_ns {
            self.now_ns = now;
        }
        let now = self.now_ns;
        self.pit.advance(now);
        self.cmos.advance(now);
        self.kbc.advance(now);
        for u in &mut self.com {
            u.advance(now);
        }
        self.sync_irqs();
    }

    /// The earliest time a device wants to be called.
    pub fn next_event_ns(&self) -> Option<u64> {
        [
            self.pit.next_event_ns(),
            self.cmos.next_event_ns(),
            self.kbc.next_event_ns(),
            self.com[0].next_event_ns(),
            self.com[1].next_event_ns(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Copies device IRQ outputs into the PIC.
    pub fn sync_irqs(&mut self) {
        if self.pit.take_irq0_edges() > 0 {
            // Pulse the edge so a lazily advanced PIT never loses a tick.
            self.pic.set_irq(0, false);
            self.pic.set_irq(0, true);
        } else {
            self.pic.set_irq(0, self.pit.irq_line());
        }
        self.pic.set_irq(1, self.kbc.irq1_line());
        self.pic.set_irq(12, self.kbc.irq12_line());
        self.pic.set_irq(4, self.com[0].irq_line());
        self.pic.set_irq(3, self.com[1].irq_line());
        self.pic.set_irq(8, self.cmos.irq_line());
        self.pic.set_irq(6, self.fdc.irq_line());
        self.pic.set_irq(14, self.ide[0].irq_line());
        self.pic.set_irq(15, self.ide[1].irq_line());
        self.pic.set_irq(13, self.fpu_error);
    }

    /// A20 as the keyboard controller and port 0x92 set it.
    pub fn a20(&self) -> bool {
        self.kbc.a20_enabled() || self.misc.a20_enabled()
    }

    /// Takes a pending reset request (8042 pulse or port 0x92).
    pub fn take_reset_request(&mut self) -> bool {
        let a = self.kbc.reset_requested();
        let b = self.misc.reset_requested();
        a || b
    }

    /// Runs pending floppy DMA against guest memory.
    pub fn service_dma(&mut self, mem: &mut dyn GuestMemory) {
        let now = self.now_ns;
        self.fdc.service(&mut self.dma, mem, now);
        self.dma_pending = false;
        self.sync_irqs();
    }

    fn read_port(&mut self, port: u16, w: Width) -> u32 {
        let now = self.now_ns;
        match port {
            0x20..=0x21 | 0xA0..=0xA1 | 0x4D0..=0x4D1 => self.pic.port_read(port, w, now),
            0x40..=0x43 => self.pit.port_read(port, w, now),
            0x60 | 0x64 => self.kbc.port_read(port, w, now),
            0x61 => {
                let out2 = self.pit.out(2, now);
                self.sysctl.read_61(out2, now) as u32
            }
            0x70..=0x71 => self.cmos.port_read(port, w, now),
            0x80 | 0x92 | 0xE9 | 0x402 => self.misc.port_read(port, w, now),
            0x00..=0x0F | 0x81..=0x8F | 0xC0..=0xDF => self.dma.port_read(port, w, now),
            0x1F0..=0x1F7 | 0x3F6 => self.ide[0].port_read(port, w, now),
            0x170..=0x177 | 0x376 => self.ide[1].port_read(port, w, now),
            0x3F0..=0x3F7 => self.fdc.port_read(port, w, now),
            0x3F8..=0x3FF => self.com[0].port_read(port, w, now),
            0x2F8..=0x2FF => self.com[1].port_read(port, w, now),
            0x3B0..=0x3DF | 0x1CE..=0x1CF => self.vga.port_read(port, w, now),
            0xCF8..=0xCFF if self.pci.is_some() => match &mut self.pci {
                Some(p) => p.port_read(port, w, now),
                None => all_ones(w),
            },
            0x510..=0x511 if self.fw_cfg.is_some() => match &mut self.fw_cfg {
                Some(f) => f.port_read(port, w, now),
                None => all_ones(w),
            },
            _ => all_ones(w),
        }
    }

    fn write_port(&mut self, port: u16, w: Width, v: u32) {
        let now = self.now_ns;
        match port {
            0x20..=0x21 | 0xA0..=0xA1 | 0x4D0..=0x4D1 => self.pic.port_write(port, w, v, now),
            0x40..=0x43 => self.pit.port_write(port, w, v, now),
            0x60 | 0x64 => self.kbc.port_write(port, w, v, now),
            0x61 => {
                self.sysctl.write_61(v as u8);
                let g = self.sysctl.gate2();
                self.pit.set_gate2(g, now);
            }
            0x70..=0x71 => self.cmos.port_write(port, w, v, now),
            0x80 | 0x92 | 0xE9 | 0x402 => self.misc.port_write(port, w, v, now),
            0x00..=0x0F | 0x81..=0x8F | 0xC0..=0xDF => {
                self.dma.port_write(port, w, v, now);
                self.dma_pending = true;
            }
            0x1F0..=0x1F7 | 0x3F6 => self.ide[0].port_write(port, w, v, now),
            0x170..=0x177 | 0x376 => self.ide[1].port_write(port, w, v, now),
            0x3F0..=0x3F7 => {
                self.fdc.port_write(port, w, v, now);
                self.dma_pending = true;
            }
            0x3F8..=0x3FF => self.com[0].port_write(port, w, v, now),
            0x2F8..=0x2FF => self.com[1].port_write(port, w, v, now),
            0x3B0..=0x3DF | 0x1CE..=0x1CF => self.vga.port_write(port, w, v, now),
            0xF0 => self.fpu_error = false,
            0xCF8..=0xCFF if self.pci.is_some() => {
                if let Some(p) = &mut self.pci {
                    p.port_write(port, w, v, now);
                }
            }
            0x510..=0x511 if self.fw_cfg.is_some() => {
                if let Some(f) = &mut self.fw_cfg {
                    f.port_write(port, w, v, now);
                }
            }
            _ => log::trace!("write to unclaimed port {port:#x} = {v:#x}"),
        }
    }
}

fn all_ones(w: Width) -> u32 {
    match w {
        Width::Byte => 0xFF,
        Width::Word => 0xFFFF,
        Width::Dword => 0xFFFF_FFFF,
    }
}

impl PortIo for Platform {
    fn port_read(&mut self, port: u16, width: Width) -> u32 {
        self.counters.port_reads += 1;
        self.now_ns += IO_NS;
        let v = self.read_port(port, width);
        self.sync_irqs();
        v
    }

    fn port_write(&mut self, port: u16, width: Width, value: u32) {
        self.counters.port_writes += 1;
        self.now_ns += IO_NS;
        self.write_port(port, width, value);
        self.sync_irqs();
    }

    fn a20_gate(&self) -> Option<bool> {
        Some(self.a20())
    }

    fn take_shadow_map(&mut self) -> Option<rawbox_cpu::memory::ShadowMap> {
        self.pci.as_mut().and_then(|p| p.take_shadow_map())
    }
}

impl Mmio for Platform {
    fn mmio_read(&mut self, addr: u32, width: Width) -> u32 {
        self.counters.mmio += 1;
        let lfb = self.vga.lfb_base();
        let mut v = 0;
        for k in 0..width.bytes() {
            let a = addr.wrapping_add(k);
            let b = if (0xA0000..0xC0000).contains(&a) {
                self.vga.mem_read(a)
            } else if a >= lfb && a - lfb < self.vga.lfb_size() {
                self.vga.lfb_read(a - lfb)
            } else {
                0xFF
            };
            v |= (b as u32) << (8 * k);
        }
        v
    }

    fn mmio_write(&mut self, addr: u32, width: Width, value: u32) {
        self.counters.mmio += 1;
        let lfb = self.vga.lfb_base();
        for k in 0..width.bytes() {
            let a = addr.wrapping_add(k);
            let b = (value >> (8 * k)) as u8;
            if (0xA0000..0xC0000).contains(&a) {
                self.vga.mem_write(a, b);
            } else if a >= lfb && a - lfb < self.vga.lfb_size() {
                self.vga.lfb_write(a - lfb, b);
            }
        }
    }
}

impl InterruptLines for Platform {
    fn intr_pending(&self) -> bool {
        self.pic.intr_pending()
    }

    fn intr_ack(&mut self) -> u8 {
        self.counters.irqs += 1;
        self.pic.acknowledge()
    }

    fn fpu_error(&mut self) {
        self.fpu_error = true;
        self.sync_irqs();
    }
}
