//! rawbox's x86 CPU core: architectural state, physical memory, the MMU, the decoded-block
//! cache and the reference interpreter (8086 through Pentium II class), plus the x87 FPU.
//!
//! The interpreter defines the semantics; the JIT in `rawbox-jit` reads the same
//! `#[repr(C)]` state and lazy flags and calls back into the handlers here.

pub mod bus;
pub mod fault;
pub mod flags;
pub mod memory;
pub mod model;
pub mod state;
pub mod x87;

pub use bus::{Bus, InterruptLines, Mmio, NullBus, PortIo, Width};
pub use fault::{Fault, GResult};
pub use flags::{Flags, LazyOp, OpSize};
pub use memory::PhysMem;
pub use model::CpuModel;
pub use state::{CpuState, SegReg, Segment};
pub mod cpu;
pub mod decode;
pub mod descriptor;
pub mod engine;
pub mod exec;
pub mod host_debug;
pub mod interrupt;
pub mod mmu;
pub mod task;

pub use cpu::{Counters, Cpu, HostCall, RunExit};
pub use host_debug::{BlockRun, DebugStop, HostDebug, Watch, WatchKind};
