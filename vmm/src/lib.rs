//! The virtual machine monitor: assembles a `Machine` (CPU, memory, devices, BIOS) from a
//! configuration and runs it, interleaving CPU execution with device time. Not written yet.
