//! PC platform devices (PIC, PIT, CMOS/RTC, keyboard controller, DMA, floppy, IDE, UART, VGA,
//! PC speaker). Each device is a plain struct with port (and MMIO) handlers taking virtual
//! time in nanoseconds; the `vmm` platform owns and wires them, so the CPU crate knows no device.
#![forbid(unsafe_code)]

pub mod byte_ports;
pub mod cmos;
pub mod disk_image;
pub mod dma;
pub mod floppy;
pub mod fw_cfg;
pub mod ide;
pub mod kbc;
pub mod misc_ports;
pub mod pci;
pub mod pic;
pub mod pit;
pub mod ps2_keyboard;
pub mod ps2_mouse;
pub mod speaker;
pub mod uart;
pub mod vga;

#[cfg(test)]
mod test_rng;
#[cfg(test)]
mod wiring_tests;
