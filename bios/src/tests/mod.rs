//! Tests of the BIOS services through a mock machine, plus an end-to-end boot.

mod mock;

mod boot;
mod devices;
mod disk;
mod keyboard;
mod robust;
mod rom;
mod system;
mod video;
