//! Test support for rawbox: the single-step suite runner (`sst`) shared by the `sst` binary
//! and the CI tests.

pub mod sst;
