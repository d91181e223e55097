//! Where things live in the 64 KB BIOS ROM at F000:0000: the fixed entry points DOS-era
//! software expects, the tables and the free area holding the stubs and the fonts.

/// Segment of the BIOS ROM.
pub const ROM_SEG: u16 = 0xF000;
/// Physical base of the BIOS ROM.
pub const ROM_BASE: u32 = 0xF0000;
/// Size of the BIOS ROM image.
pub const ROM_SIZE: usize = 0x10000;

/// The I/O port whose `OUT port, AL` from the ROM enters the Rust services.
pub const HOSTCALL_PORT: u16 = 0x00EF;

// Fixed entry points (offsets in segment F000).
pub const POST: u16 = 0xE05B;
pub const NMI: u16 = 0xE2C3;
pub const INT13: u16 = 0xE3FE;
pub const HD_PARAM_TABLE: u16 = 0xE401;
pub const INT19: u16 = 0xE6F2;
pub const BAUD_TABLE: u16 = 0xE729;
pub const INT14: u16 = 0xE739;
pub const INT16: u16 = 0xE82E;
pub const INT09: u16 = 0xE987;
pub const INT40: u16 = 0xEC59;
pub const INT0E: u16 = 0xEF57;
pub const FLOPPY_PARAM_TABLE: u16 = 0xEFC7;
pub const INT17: u16 = 0xEFD2;
pub const INT10: u16 = 0xF065;
pub const VIDEO_PARAM_TABLE: u16 = 0xF0A4;
pub const INT12: u16 = 0xF841;
pub const INT11: u16 = 0xF84D;
pub const INT15: u16 = 0xF859;
/// 8x8 graphics font, characters 0x00-0x7F (as on the IBM PC).
pub const FONT8_LOW: u16 = 0xFA6E;
pub const INT1A: u16 = 0xFE6E;
pub const INT08: u16 = 0xFEA5;
pub const PRINT_SCREEN: u16 = 0xFF54;
pub const DUMMY_IRET: u16 = 0xFF53;
pub const RESET: u16 = 0xFFF0;
pub const DATE: u16 = 0xFFF5;
pub const MODEL: u16 = 0xFFFE;

// The free area.
/// First stub.
pub const STUBS: u16 = 0x0100;
/// Full 8x8 font (256 characters).
pub const FONT8: u16 = 0x2000;
/// Upper half of the 8x8 font (INT 1Fh points here).
pub const FONT8_HIGH: u16 = FONT8 + 0x400;
/// 8x14 font.
pub const FONT14: u16 = 0x3000;
/// 8x16 font.
pub const FONT16: u16 = 0x4000;
/// INT 15h AH=C0h configuration table.
pub const CONFIG_TABLE: u16 = 0x5000;
/// Floppy parameter tables per drive type (11 bytes each, 16 apart), indexed by CMOS type 1-5.
pub const FLOPPY_TABLES: u16 = 0x5100;
/// VBE OEM string.
pub const VBE_OEM: u16 = 0x5200;
/// VBE mode list (words ending 0xFFFF).
pub const VBE_MODES: u16 = 0x5240;
/// Video BIOS "functionality/state" static table (INT 10h AH=1Bh).
pub const VIDEO_STATIC: u16 = 0x5300;
/// ROM model byte: PC/AT.
pub const MODEL_BYTE: u8 = 0xFC;
/// BIOS release date string.
pub const DATE_STRING: &[u8; 8] = b"11/24/26";
