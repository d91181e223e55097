//! The JIT recompiler: translates guest basic blocks into x86-64 host code with dynasmrt.
//!
//! It reads the same `CpuState`, lazy flags and decoded-block cache the interpreter in
//! `rawbox-cpu` uses, and calls the interpreter's handlers for every instruction it does not
//! emit inline. Nothing is translated yet: the interpreter is the only engine for now.
