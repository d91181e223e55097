//! Virtual memory: segment checks (`segment`), linear-to-physical translation with paging and
//! a TLB (`paging`, `tlb`), and the sized guest accessors the instruction handlers use.

pub mod access;
pub mod paging;
pub mod segment;
pub mod tlb;

/// Kind of a memory access, for protection checks and #PF error codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessKind {
    Read,
    Write,
    Execute,
}
