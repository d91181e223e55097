//! The virtual machine monitor: assembles a `Machine` (CPU, memory, devices, BIOS) from a
//! `MachineConfig` and runs it, interleaving CPU execution with device time. Frontends (headless,
//! SDL, trace, debugger) drive a `Machine` through its API only.

pub mod config;
pub mod demo;
pub mod divergence;
mod firmware;
pub mod host_io;
pub mod idle;
pub mod keys;
pub mod machine;
pub mod platform;
pub mod screen;
pub mod verify;

pub use config::{BootDevice, ConfigError, Engine, Firmware, MachineConfig};
pub use machine::{Machine, MachineCounters, StopReason};
