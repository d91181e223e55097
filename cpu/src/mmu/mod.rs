//! Virtual memory: segment checks (`segment`), linear-to-physical translation with paging and
//! a TLB (`paging`, `tlb`), the sized guest accessors the instruction handlers use, and what
//! compiled code may do without them (`fast`).

pub mod access;
pub mod fast;
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
