//! PC platform devices (PIC, PIT, CMOS/RTC, keyboard controller, DMA, floppy, IDE, UART, VGA,
//! PC speaker). Each device implements the port and MMIO traits of `rawbox-cpu`, so the CPU
//! crate knows no device.
//!
//! Not written yet.
#![forbid(unsafe_code)]

pub mod vga;
