//! Support code for `x87_host_diff`: operand generation.

pub mod gen;

pub(crate) use super::{HostIo, IMG, MEM, REGS};
