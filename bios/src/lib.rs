//! rawbox's own PC BIOS: a generated ROM ([`Rom`]) whose small real-mode stubs enter the
//! Rust services here with a host call (`OUT HOSTCALL_PORT, AL` from the ROM window),
//! POST, and the INT 10h/13h/15h/16h/19h/1Ah... services and hardware interrupt handlers.
//!
//! Plugging it into a machine:
//!
//! ```text
//! let bios = Bios::new(Rom::build());
//! cpu.mem.load_rom(0xF0000, &bios.rom().bytes)?;      // before the CPU starts
//! cpu.hostcall = Some(rawbox_bios::hostcall_trap());  // OUT 0EFh from F0000-FFFFF
//! loop {
//!     match cpu.run(&mut bus, budget) {
//!         RunExit::HostCall(linear) => bios.handle(&mut host, linear)?,
//!         ...
//!     }
//! }
//! ```
//!
//! `host` implements [`BiosHost`] over the same CPU and devices. A service returns with
//! its results in the registers and the caller's CF/ZF in the IRET frame; a service that
//! must wait (INT 16h read with an empty buffer, INT 15h AH=86h) sets the live CF and its
//! stub executes `STI; HLT` and calls again after the next interrupt. POST (entered from
//! the reset vector F000:FFF0 via F000:E05B) builds the IVT and BDA, programs the PICs,
//! PIT, KBC and RTC, sets video mode 3, prints a banner, and the stub then runs INT 19h.
//!
//! Limits: guest pointers are treated as physical addresses (`segment base + offset`), so
//! the services assume paging is off, as the CPU's host-call trap does.
#![forbid(unsafe_code)]

pub mod bda;
mod boot;
pub mod host;
mod int10;
mod int13;
mod int15;
mod int16;
mod int1a;
mod io;
mod keyboard;
pub mod mem;
mod misc;
mod mouse;
mod post;
mod regs;
pub mod rom;

#[cfg(test)]
mod tests;

pub use host::{BiosConfig, BiosHost, BootDevice, CDROM_DRIVE};
pub use rom::layout::HOSTCALL_PORT;
pub use rom::{Rom, Service};

use std::fmt;

/// The physical range `[start, end)` whose host calls the BIOS handles.
pub const HOSTCALL_WINDOW: (u32, u32) = (0xF0000, 0x100000);

/// The host-call trap configuration for `cpu.hostcall`.
pub fn hostcall_trap() -> rawbox_cpu::HostCall {
    rawbox_cpu::HostCall {
        port: HOSTCALL_PORT,
        start: HOSTCALL_WINDOW.0,
        end: HOSTCALL_WINDOW.1,
    }
}

/// Why a host call could not be handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BiosError {
    /// No stub's host call sits at this linear address.
    UnknownHostCall(u32),
}

impl fmt::Display for BiosError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BiosError::UnknownHostCall(a) => write!(f, "no BIOS service at host call {a:#07x}"),
        }
    }
}

impl std::error::Error for BiosError {}

/// The BIOS: the ROM layout plus the little state the services keep outside guest memory.
#[derive(Debug)]
pub struct Bios {
    rom: Rom,
    /// Virtual time at which an INT 15h AH=86h wait ends.
    wait_until_ns: Option<u64>,
    /// INT 15h AH=83h event wait: when it ends and the linear address of the user's flag
    /// byte (bit 7 is set at the end).
    event_wait: Option<(u64, u32)>,
    /// PS/2 mouse packet assembly.
    mouse: mouse::MouseState,
}

impl Bios {
    /// A BIOS for `rom` (normally [`Rom::build`]).
    pub fn new(rom: Rom) -> Bios {
        Bios {
            rom,
            wait_until_ns: None,
            event_wait: None,
            mouse: mouse::MouseState::default(),
        }
    }

    /// The ROM the BIOS serves.
    pub fn rom(&self) -> &Rom {
        &self.rom
    }

    /// Handles the host call whose OUT instruction was at linear address `linear`.
    pub fn handle(&mut self, host: &mut dyn BiosHost, linear: u32) -> Result<(), BiosError> {
        let service = self
            .rom
            .service_at(linear)
            .ok_or(BiosError::UnknownHostCall(linear))?;
        // Stubs with a wait loop test the live CF: clear means "done". The second half of
        // INT 09h reads it as the INT 15h AH=4Fh intercept's answer instead.
        if service != Service::KeyboardIrqStore {
            regs::set_live_cf(host.cpu(), false);
        }
        match service {
            Service::Post => post::post(self, host),
            Service::Nmi => log::debug!("bios: NMI"),
            Service::Video => int10::int10(host),
            Service::Equipment => misc::int11(host),
            Service::MemorySize => misc::int12(host),
            Service::Disk => int13::int13(host),
            Service::Serial => misc::int14(host),
            Service::System => int15::int15(self, host),
            Service::Keyboard => int16::int16(host),
            Service::Printer => misc::int17(host),
            Service::NoBoot => boot::int18(host),
            Service::Boot => boot::int19(host),
            Service::Time => int1a::int1a(host),
            Service::TimerIrq => int1a::irq0(host),
            Service::KeyboardIrqRead => keyboard::irq1_read(host),
            Service::KeyboardIrqStore => keyboard::irq1_store(host),
            Service::FloppyIrq => misc::irq6(host),
            Service::RtcIrq => int1a::irq8(self, host),
            Service::MouseIrq => mouse::irq12(self, host),
            Service::MasterIrq => misc::eoi_master(host),
            Service::SlaveIrq => misc::eoi_slave(host),
        }
        Ok(())
    }
}
