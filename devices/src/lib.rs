//! PC platform devices (PIC, PIT, CMOS/RTC, keyboard controller, DMA, floppy, IDE, UART, VGA,
//! PC speaker). Each device implements the port and MMIO traits of `rawbox-cpu`, so the CPU
//! crate knows no device.
//!
//! Not written yet.
#![forbid(unsafe_code)]

pub mod byte_ports;
pub mod cmos;
pub mod kbc;
pub mod misc_ports;
pub mod pic;
pub mod pit;
pub mod ps2_keyboard;
pub mod ps2_mouse;
pub mod speaker;
pub mod uart;

#[cfg(test)]
mod test_rng;
#[cfg(test)]
mod wiring_tests;
