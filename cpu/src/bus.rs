//! The CPU's view of the rest of the machine: port I/O, memory-mapped I/O and the interrupt
//! lines. The devices crate implements these traits, so this crate knows no device.

/// Width of an I/O or MMIO access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Width {
    Byte = 1,
    Word = 2,
    Dword = 4,
}

impl Width {
    pub fn from_bytes(n: u32) -> Width {
        match n {
            1 => Width::Byte,
            2 => Width::Word,
            _ => Width::Dword,
        }
    }
    pub fn bytes(self) -> u32 {
        self as u32
    }
}

/// Port I/O space (IN/OUT/INS/OUTS).
pub trait PortIo {
    /// Reads a port; unclaimed ports return all ones.
    fn port_read(&mut self, port: u16, width: Width) -> u32;
    /// Writes a port; unclaimed ports ignore the value.
    fn port_write(&mut self, port: u16, width: Width, value: u32);
    /// The A20 gate as the chipset drives it (8042 output port, port 0x92), checked by the
    /// CPU after every port write so a gate change applies to the very next access.
    fn a20_gate(&self) -> Option<bool> {
        None
    }
    /// A new routing of the shadow RAM window (chipset PAM registers), taken by the CPU after
    /// every port write so it applies to the very next access.
    fn take_shadow_map(&mut self) -> Option<crate::memory::ShadowMap> {
        None
    }
}

/// Memory-mapped device regions (the VGA window, a linear framebuffer...).
pub trait Mmio {
    /// Reads from an address inside a region registered as MMIO.
    fn mmio_read(&mut self, addr: u32, width: Width) -> u32;
    /// Writes to an address inside a region registered as MMIO.
    fn mmio_write(&mut self, addr: u32, width: Width, value: u32);
}

/// The INTR/NMI lines into the CPU and the interrupt-acknowledge cycle.
pub trait InterruptLines {
    /// True while a maskable interrupt is requested (INTR high).
    fn intr_pending(&self) -> bool;
    /// The interrupt-acknowledge cycle: returns the vector of the highest pending request.
    fn intr_ack(&mut self) -> u8;
    /// Takes a pending NMI, if any.
    fn take_nmi(&mut self) -> bool {
        false
    }
    /// Called when the guest asserts the FPU error (IGNNE#/FERR#) line, i.e. IRQ 13 on a PC.
    fn fpu_error(&mut self) {}
}

/// Everything the CPU needs from the machine.
pub trait Bus: PortIo + Mmio + InterruptLines {}
impl<T: PortIo + Mmio + InterruptLines> Bus for T {}

/// A bus with nothing on it: ports read all ones, MMIO reads all ones, no interrupts.
/// Useful for tests and for the single-step runners.
#[derive(Default, Debug)]
pub struct NullBus;

impl PortIo for NullBus {
    fn port_read(&mut self, _port: u16, width: Width) -> u32 {
        match width {
            Width::Byte => 0xFF,
            Width::Word => 0xFFFF,
            Width::Dword => 0xFFFF_FFFF,
        }
    }
    fn port_write(&mut self, _port: u16, _width: Width, _value: u32) {}
}

impl Mmio for NullBus {
    fn mmio_read(&mut self, _addr: u32, width: Width) -> u32 {
        NullBus.port_read(0, width)
    }
    fn mmio_write(&mut self, _addr: u32, _width: Width, _value: u32) {}
}

impl InterruptLines for NullBus {
    fn intr_pending(&self) -> bool {
        false
    }
    fn intr_ack(&mut self) -> u8 {
        0xFF
    }
}
