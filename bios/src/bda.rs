//! Addresses of the BIOS Data Area fields (segment 0040h) the services use.

/// COM1-COM4 base ports (words).
pub const COM_PORTS: u32 = 0x400;
/// LPT1-LPT3 base ports (words).
pub const LPT_PORTS: u32 = 0x408;
/// EBDA segment (word).
pub const EBDA_SEG: u32 = 0x40E;
/// Equipment word.
pub const EQUIPMENT: u32 = 0x410;
/// Base memory in KB (word).
pub const MEMORY_KB: u32 = 0x413;
/// Keyboard shift flags 1 (byte).
pub const KB_FLAGS1: u32 = 0x417;
/// Keyboard shift flags 2 (byte).
pub const KB_FLAGS2: u32 = 0x418;
/// Alt-keypad entry accumulator (byte).
pub const KB_ALT_KEYPAD: u32 = 0x419;
/// Keyboard buffer head offset (word, relative to 0x400).
pub const KB_HEAD: u32 = 0x41A;
/// Keyboard buffer tail offset (word).
pub const KB_TAIL: u32 = 0x41C;
/// Floppy recalibrate status (byte); bit 7 = interrupt occurred.
pub const FLOPPY_RECAL: u32 = 0x43E;
/// Floppy motor status (byte).
pub const FLOPPY_MOTOR: u32 = 0x43F;
/// Floppy motor shut-off counter (byte, ticks).
pub const FLOPPY_MOTOR_TICKS: u32 = 0x440;
/// Status of the last floppy operation (byte).
pub const FLOPPY_STATUS: u32 = 0x441;
/// Current video mode (byte).
pub const VIDEO_MODE: u32 = 0x449;
/// Text columns (word).
pub const VIDEO_COLUMNS: u32 = 0x44A;
/// Video page size in bytes (word).
pub const VIDEO_PAGE_SIZE: u32 = 0x44C;
/// Start offset of the active page (word).
pub const VIDEO_PAGE_START: u32 = 0x44E;
/// Cursor positions of pages 0-7 (words: low column, high row).
pub const CURSOR_POS: u32 = 0x450;
/// Cursor shape (word: low end line, high start line).
pub const CURSOR_SHAPE: u32 = 0x460;
/// Active page (byte).
pub const ACTIVE_PAGE: u32 = 0x462;
/// CRTC base port (word).
pub const CRTC_BASE: u32 = 0x463;
/// Mode select register value (byte).
pub const MODE_SELECT: u32 = 0x465;
/// CGA palette register value (byte).
pub const CGA_PALETTE: u32 = 0x466;
/// Timer ticks since midnight (dword).
pub const TICKS: u32 = 0x46C;
/// Midnight rollover flag (byte).
pub const MIDNIGHT: u32 = 0x470;
/// Ctrl-Break flag (byte).
pub const BREAK_FLAG: u32 = 0x471;
/// Warm boot flag (word, 0x1234 = skip memory test).
pub const WARM_BOOT: u32 = 0x472;
/// Status of the last hard disk operation (byte).
pub const HD_STATUS: u32 = 0x474;
/// Number of hard disks (byte).
pub const HD_COUNT: u32 = 0x475;
/// Keyboard buffer start offset (word).
pub const KB_START: u32 = 0x480;
/// Keyboard buffer end offset (word).
pub const KB_END: u32 = 0x482;
/// Text rows minus one (byte).
pub const VIDEO_ROWS: u32 = 0x484;
/// Character height in scan lines (word).
pub const CHAR_HEIGHT: u32 = 0x485;
/// Video control flags (byte).
pub const VIDEO_CTL: u32 = 0x487;
/// EGA switches (byte).
pub const VIDEO_SWITCHES: u32 = 0x488;
/// VGA mode-set options (byte).
pub const VIDEO_MODESET: u32 = 0x489;
/// Display combination code index (byte).
pub const VIDEO_DCC: u32 = 0x48A;
/// Keyboard status flags 3 (byte): bit 0 E1 prefix, bit 1 E0 prefix, bit 4 enhanced keyboard.
pub const KB_FLAGS3: u32 = 0x496;
/// Keyboard LED flags (byte).
pub const KB_LEDS: u32 = 0x497;
/// User wait flag pointer (dword) for INT 15h AH=83h.
pub const WAIT_FLAG_PTR: u32 = 0x498;
/// Wait count in microseconds (dword).
pub const WAIT_COUNT: u32 = 0x49C;
/// Wait active flag (byte).
pub const WAIT_ACTIVE: u32 = 0x4A0;
/// Default keyboard buffer start (offset from 0x400).
pub const KB_BUFFER_START: u16 = 0x1E;
/// Default keyboard buffer end.
pub const KB_BUFFER_END: u16 = 0x3E;
