//! rawbox's own PC BIOS: POST and the INT 10h/13h/15h/16h/1Ah... services, entered from small
//! ROM stubs. Not written yet.
#![forbid(unsafe_code)]
