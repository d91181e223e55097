//! Guest physical memory: RAM in one anonymous mapping, ROM regions, MMIO holes, the A20 gate
//! and the per-page "holds decoded code" marks used to catch self-modifying code.

mod phys;
mod ram;

pub(crate) use phys::line_mask;
pub use phys::{MemoryError, PageKind, PhysMem, ShadowAccess, ShadowMap, SHADOW_SEGMENTS};
pub use ram::Ram;
