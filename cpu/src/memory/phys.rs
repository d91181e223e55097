//! The physical address space: RAM, read-only ROM pages, MMIO pages forwarded to the bus, the
//! high BIOS alias below 4 GB (or 16 MB on a 286), chipset shadow RAM behind the ROM window
//! 0xC0000-0xFFFFF (PAM-style read/write routing), and open bus elsewhere.

use super::ram::Ram;
use crate::bus::{Mmio, Width};
use std::fmt;

/// How a 4 KB physical page behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageKind {
    Ram,
    Rom,
    Mmio,
}

const F_ROM: u8 = 1;
const F_MMIO: u8 = 2;
/// The page holds bytes that are in the decoded-block cache.
const F_CODE: u8 = 4;
/// Code is tracked in lines of `1 << LINE_SHIFT` bytes inside a page (64 lines of 64 bytes),
/// so writes to data next to code do not invalidate it.
const LINE_SHIFT: u32 = 6;

/// The code-line bits of page offsets `off .. off + n` (within one page, `n >= 1`).
#[inline]
pub(crate) fn line_mask(off: u32, n: u32) -> u64 {
    let first = (off & 0xFFF) >> LINE_SHIFT;
    let last = ((off & 0xFFF) + n.max(1) - 1).min(0xFFF) >> LINE_SHIFT;
    let upto = if last >= 63 {
        u64::MAX
    } else {
        (1u64 << (last + 1)) - 1
    };
    upto & !((1u64 << first) - 1)
}

/// Start of the shadowable window (0xC0000-0xFFFFF).
pub const SHADOW_START: u32 = 0xC0000;
/// Size of one shadow-controlled segment.
pub const SHADOW_SEGMENT: u32 = 0x4000;
/// Shadow-controlled segments in the window.
pub const SHADOW_SEGMENTS: usize = 16;

/// Where accesses to one 16 KB segment of the ROM window go: reads and writes each to the
/// shadow RAM or to the ROM (whose writes are dropped).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShadowAccess {
    pub read_ram: bool,
    pub write_ram: bool,
}

/// The routing of the whole window, segment 0 at 0xC0000.
pub type ShadowMap = [ShadowAccess; SHADOW_SEGMENTS];

/// Writes to this (ROM-reading) page go to the hidden shadow RAM.
const F_SHADOW_WRITE: u8 = 8;

/// Errors setting up physical memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemoryError {
    /// The requested RAM size is not allowed.
    BadSize(u64),
    /// The host could not map the RAM.
    MapFailed(String),
    /// A ROM or MMIO region does not fit the address space.
    BadRegion { start: u32, len: u32 },
}

impl fmt::Display for MemoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MemoryError::BadSize(n) => write!(f, "RAM size {n} bytes is outside 1 MB..2 GB"),
            MemoryError::MapFailed(e) => write!(f, "cannot map guest RAM: {e}"),
            MemoryError::BadRegion { start, len } => {
                write!(f, "region at {start:#x} of {len:#x} bytes does not fit")
            }
        }
    }
}
impl std::error::Error for MemoryError {}

/// Guest physical memory.
pub struct PhysMem {
    ram: Ram,
    /// Per-4KB-page flags (F_ROM, F_MMIO, F_CODE), for the RAM-backed part of the space.
    page_flags: Vec<u8>,
    /// For pages with F_CODE: which lines hold decoded code (see `LINE_SHIFT`).
    code_lines: Vec<u64>,
    /// Mask applied to every physical address: the model's bus width and the A20 gate.
    addr_mask: u32,
    bus_mask: u32,
    /// The BIOS ROM's size: it also appears just below the top of the address bus.
    high_rom_len: u32,
    /// The BIOS ROM image as loaded: the high alias always reads it, whatever the shadowing.
    high_rom: Vec<u8>,
    /// With shadowing on: for each page of the window, the bytes reads do not currently see
    /// (the shadow RAM while the ROM is read, the ROM while the RAM is read).
    shadow_hidden: Vec<u8>,
    /// With shadowing on: the current routing.
    shadow_map: Option<ShadowMap>,
    /// Extra MMIO ranges above RAM (linear framebuffers), [start, end).
    high_mmio: Vec<(u32, u32)>,
    /// Set when a write hit lines of decoded code: (page, lines); the cache drains these.
    smc_pages: Vec<(u32, u64)>,
    /// Monotonic count of writes that hit code pages (the running block checks it).
    pub smc_generation: u64,
    /// Bumped whenever a page gets stricter handling (ROM, MMIO, shadowing, decoded code,
    /// the A20 or bus mask): holders of direct host pointers into RAM (the JIT's fast TLB)
    /// compare it to drop theirs.
    pub map_generation: u64,
}

impl fmt::Debug for PhysMem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhysMem({:?}, mask {:#x})", self.ram, self.addr_mask)
    }
}

impl PhysMem {
    /// Creates `bytes` of flat RAM (no holes) for a bus of `bus_mask` (see `CpuModel::address_mask`).
    pub fn new(bytes: u64, bus_mask: u32) -> Result<PhysMem, MemoryError> {
        if !(64 * 1024..=2 * 1024 * 1024 * 1024).contains(&bytes) {
            return Err(MemoryError::BadSize(bytes));
        }
        let ram = Ram::new(bytes as usize).map_err(|e| MemoryError::MapFailed(e.to_string()))?;
        let pages = ram.len() / 4096;
        Ok(PhysMem {
            ram,
            page_flags: vec![0; pages],
            code_lines: vec![0; pages],
            addr_mask: bus_mask,
            bus_mask,
            high_rom_len: 0,
            high_rom: Vec::new(),
            shadow_hidden: Vec::new(),
            shadow_map: None,
            high_mmio: Vec::new(),
            smc_pages: Vec::new(),
            smc_generation: 0,
            map_generation: 0,
        })
    }

    #[inline]
    pub fn ram_size(&self) -> u32 {
        self.ram.len() as u32
    }

    /// Opens or closes the A20 gate.
    pub fn set_a20(&mut self, enabled: bool) {
        self.map_generation += 1;
        self.addr_mask = if enabled {
            self.bus_mask
        } else {
            self.bus_mask & !(1 << 20)
        };
    }

    pub fn a20(&self) -> bool {
        self.addr_mask & (1 << 20) != 0
    }

    /// The mask applied to physical addresses (bus width and A20).
    #[inline]
    pub fn addr_mask(&self) -> u32 {
        self.addr_mask
    }

    /// Changes the bus width (when the CPU model changes).
    pub fn set_bus_mask(&mut self, mask: u32) {
        self.map_generation += 1;
        let a20 = self.a20();
        self.bus_mask = mask;
        self.set_a20(a20);
    }

    /// Marks [start, start+len) as MMIO: accesses go to the bus's `Mmio`.
    pub fn map_mmio(&mut self, start: u32, len: u32) -> Result<(), MemoryError> {
        self.map_generation += 1;
        let end = start as u64 + len as u64;
        if end > 1 << 32 || len == 0 {
            return Err(MemoryError::BadRegion { start, len });
        }
        if start >= self.ram_size() {
            self.high_mmio
                .push((start, end.min(u32::MAX as u64) as u32));
            return Ok(());
        }
        for p in (start / 4096)..(end.div_ceil(4096) as u32).min(self.page_flags.len() as u32) {
            self.page_flags[p as usize] = F_MMIO;
        }
        Ok(())
    }

    /// Copies a ROM image to `start` (below RAM's end) and makes those pages read-only.
    /// A ROM ending at 1 MB is the system BIOS: it also appears below the top of the bus.
    pub fn load_rom(&mut self, start: u32, data: &[u8]) -> Result<(), MemoryError> {
        self.map_generation += 1;
        let len = data.len() as u32;
        let end = start as u64 + len as u64;
        if len == 0 || end > self.ram_size() as u64 {
            return Err(MemoryError::BadRegion { start, len });
        }
        self.ram.bytes_mut()[start as usize..end as usize].copy_from_slice(data);
        for p in (start / 4096)..(end.div_ceil(4096) as u32) {
            self.page_flags[p as usize] = F_ROM;
        }
        if end == 0x10_0000 {
            self.high_rom_len = len;
            self.high_rom = data.to_vec();
        }
        Ok(())
    }

    /// Turns on chipset shadowing of 0xC0000-0xFFFFF (call after loading the ROMs): every
    /// segment starts reading the ROM (open bus where none was loaded) with writes dropped, and
    /// the shadow RAM behind it starts zeroed. Needs at least 1 MB of RAM.
    pub fn enable_shadow(&mut self) -> Result<(), MemoryError> {
        self.map_generation += 1;
        let len = SHADOW_SEGMENT * SHADOW_SEGMENTS as u32;
        if (self.ram_size() as u64) < 0x10_0000 {
            return Err(MemoryError::BadRegion {
                start: SHADOW_START,
                len,
            });
        }
        self.shadow_hidden = vec![0; len as usize];
        for page in SHADOW_START / 4096..0x100 {
            let f = &mut self.page_flags[page as usize];
            if *f & F_ROM == 0 {
                let start = page as usize * 4096;
                self.ram.bytes_mut()[start..start + 4096].fill(0xFF);
            }
            self.page_flags[page as usize] = F_ROM;
            self.note_code_write(page, u64::MAX);
        }
        self.shadow_map = Some([ShadowAccess::default(); SHADOW_SEGMENTS]);
        Ok(())
    }

    /// Routes the shadow window's segments (ignored unless `enable_shadow` was called).
    pub fn set_shadow_map(&mut self, map: &ShadowMap) {
        self.map_generation += 1;
        let Some(old) = self.shadow_map else {
            return;
        };
        for (seg, (new, old)) in map.iter().zip(old.iter()).enumerate() {
            let first_page = (SHADOW_START + seg as u32 * SHADOW_SEGMENT) / 4096;
            for page in first_page..first_page + SHADOW_SEGMENT / 4096 {
                let base = page as usize * 4096;
                let hidden = base - SHADOW_START as usize;
                if new.read_ram != old.read_ram {
                    let (ram, hid) = (
                        &mut self.ram.bytes_mut()[base..base + 4096],
                        &mut self.shadow_hidden[hidden..hidden + 4096],
                    );
                    ram.swap_with_slice(hid);
                    self.note_code_write(page, u64::MAX);
                }
                self.page_flags[page as usize] = match (new.read_ram, new.write_ram) {
                    (true, true) => 0,
                    (true, false) => F_ROM,
                    (false, true) => F_ROM | F_SHADOW_WRITE,
                    (false, false) => F_ROM,
                };
            }
        }
        self.shadow_map = Some(*map);
    }

    /// Kind of the page holding `addr` (after masking).
    pub fn page_kind(&self, addr: u32) -> PageKind {
        let addr = addr & self.addr_mask;
        match self.page_flags.get((addr >> 12) as usize) {
            Some(f) if f & F_MMIO != 0 => PageKind::Mmio,
            Some(f) if f & F_ROM != 0 => PageKind::Rom,
            Some(_) => PageKind::Ram,
            None => {
                if self.high_rom_offset(addr).is_some() {
                    PageKind::Rom
                } else {
                    PageKind::Mmio
                }
            }
        }
    }

    /// For an address in the high BIOS alias, the RAM offset that backs it.
    #[inline]
    fn high_rom_offset(&self, addr: u32) -> Option<u32> {
        let top = self.bus_mask as u64 + 1;
        let start = top - self.high_rom_len as u64;
        if self.high_rom_len != 0 && addr as u64 >= start {
            Some(0x10_0000 - (top - addr as u64) as u32)
        } else {
            None
        }
    }

    fn high_mmio(&self, addr: u32) -> bool {
        self.high_mmio.iter().any(|&(s, e)| addr >= s && addr < e)
    }

    /// Reads one byte.
    #[inline]
    pub fn read_u8(&self, mmio: &mut dyn Mmio, addr: u32) -> u8 {
        let addr = addr & self.addr_mask;
        let page = (addr >> 12) as usize;
        match self.page_flags.get(page) {
            Some(&f) if f & F_MMIO == 0 => self.ram.bytes()[addr as usize],
            Some(_) => mmio.mmio_read(addr, Width::Byte) as u8,
            None => self.read_high(mmio, addr, Width::Byte) as u8,
        }
    }

    /// Reads a little-endian value of 1, 2 or 4 bytes that may cross pages.
    #[inline]
    pub fn read(&self, mmio: &mut dyn Mmio, addr: u32, width: Width) -> u32 {
        let n = width.bytes();
        let a = addr & self.addr_mask;
        let page = (a >> 12) as usize;
        if (a & 0xFFF) + n <= 0x1000 {
            if let Some(&f) = self.page_flags.get(page) {
                if f & F_MMIO == 0 {
                    let r = &self.ram.bytes()[a as usize..(a + n) as usize];
                    return match width {
                        Width::Byte => r[0] as u32,
                        Width::Word => u16::from_le_bytes([r[0], r[1]]) as u32,
                        Width::Dword => u32::from_le_bytes([r[0], r[1], r[2], r[3]]),
                    };
                }
                return mmio.mmio_read(a, width);
            }
            return self.read_high(mmio, a, width);
        }
        let mut v = 0;
        for i in 0..n {
            v |= (self.read_u8(mmio, addr.wrapping_add(i)) as u32) << (8 * i);
        }
        v
    }

    fn read_high(&self, mmio: &mut dyn Mmio, addr: u32, width: Width) -> u32 {
        if let Some(off) = self.high_rom_offset(addr) {
            let mut v = 0;
            for i in 0..width.bytes() {
                let at = (off + i) as usize & 0xF_FFFF;
                let rom_at = at.wrapping_sub(0x10_0000 - self.high_rom.len());
                let b = self.high_rom.get(rom_at).copied().unwrap_or(0xFF);
                v |= (b as u32) << (8 * i);
            }
            v
        } else if self.high_mmio(addr) {
            mmio.mmio_read(addr, width)
        } else {
            match width {
                Width::Byte => 0xFF,
                Width::Word => 0xFFFF,
                Width::Dword => 0xFFFF_FFFF,
            }
        }
    }

    /// Writes a little-endian value of 1, 2 or 4 bytes that may cross pages.
    #[inline]
    pub fn write(&mut self, mmio: &mut dyn Mmio, addr: u32, width: Width, value: u32) {
        let n = width.bytes();
        let a = addr & self.addr_mask;
        let page = (a >> 12) as usize;
        if (a & 0xFFF) + n <= 0x1000 {
            if let Some(&f) = self.page_flags.get(page) {
                if f == 0 {
                    let r = &mut self.ram.bytes_mut()[a as usize..(a + n) as usize];
                    r.copy_from_slice(&value.to_le_bytes()[..n as usize]);
                    return;
                }
                self.write_slow(mmio, a, width, value, f);
                return;
            }
            if self.high_mmio(a) {
                mmio.mmio_write(a, width, value);
            }
            return;
        }
        for i in 0..n {
            self.write(mmio, addr.wrapping_add(i), Width::Byte, value >> (8 * i));
        }
    }

    fn write_slow(&mut self, mmio: &mut dyn Mmio, a: u32, width: Width, value: u32, f: u8) {
        if f & F_MMIO != 0 {
            mmio.mmio_write(a, width, value);
            return;
        }
        if f & F_SHADOW_WRITE != 0 {
            let off = (a as usize).wrapping_sub(SHADOW_START as usize);
            let bytes = value.to_le_bytes();
            for (i, b) in bytes.iter().take(width.bytes() as usize).enumerate() {
                if let Some(h) = self.shadow_hidden.get_mut(off + i) {
                    *h = *b;
                }
            }
            return;
        }
        if f & F_ROM != 0 {
            return;
        }
        if f & F_CODE != 0 {
            self.note_write_near_code(a, width.bytes());
        }
        let n = width.bytes() as usize;
        let r = &mut self.ram.bytes_mut()[a as usize..a as usize + n];
        r.copy_from_slice(&value.to_le_bytes()[..n]);
    }

    /// A write of `n` bytes at `a` (within one page) to a page holding code: reported when
    /// it touches a line of code.
    fn note_write_near_code(&mut self, a: u32, n: u32) {
        let page = (a >> 12) as usize;
        let hit = self.code_lines.get(page).copied().unwrap_or(u64::MAX) & line_mask(a, n);
        if hit != 0 {
            self.note_code_write(page as u32, hit);
        }
    }

    /// Code in `lines` of `page` was overwritten: every block touching those lines goes, so
    /// they stop being code lines; the page stops being a code page when none is left.
    fn note_code_write(&mut self, page: u32, lines: u64) {
        let left = match self.code_lines.get_mut(page as usize) {
            Some(l) => {
                *l &= !lines;
                *l
            }
            None => 0,
        };
        if left == 0 {
            self.page_flags[page as usize] &= !F_CODE;
        }
        self.smc_pages.push((page, lines));
        self.smc_generation += 1;
    }

    /// Marks a whole physical page as holding decoded code: writes to it will be reported.
    pub fn mark_code(&mut self, addr: u32) {
        self.mark_code_range(addr & !0xFFF, 0x1000);
    }

    /// Marks `len` bytes at `addr` (within one page) as decoded code: writes to the lines
    /// they occupy will be reported (data elsewhere in the page can change freely).
    pub fn mark_code_range(&mut self, addr: u32, len: u32) {
        let addr = addr & self.addr_mask;
        let page = (addr >> 12) as usize;
        if let Some(f) = self.page_flags.get_mut(page) {
            if *f & F_CODE == 0 {
                self.map_generation += 1;
            }
            *f |= F_CODE;
            if let Some(l) = self.code_lines.get_mut(page) {
                *l |= line_mask(addr, len.min(0x1000 - (addr & 0xFFF)));
            }
        }
    }

    /// Takes the list of code pages written since the last call.
    pub fn take_smc_pages(&mut self) -> Vec<u32> {
        self.take_smc_lines().into_iter().map(|(p, _)| p).collect()
    }

    /// Takes the (page, code lines) written since the last call.
    pub fn take_smc_lines(&mut self) -> Vec<(u32, u64)> {
        std::mem::take(&mut self.smc_pages)
    }

    /// True if some code page was written since the last `take_smc_pages`.
    #[inline]
    pub fn has_smc(&self) -> bool {
        !self.smc_pages.is_empty()
    }

    /// Host-side access to RAM (BIOS, loaders, DMA, tests). Bypasses ROM protection but still
    /// reports writes to code pages.
    pub fn ram(&self) -> &[u8] {
        self.ram.bytes()
    }

    /// Copies bytes into RAM at `addr` from the host side (DMA, loaders).
    pub fn write_bytes(&mut self, addr: u32, data: &[u8]) {
        for (i, &b) in data.iter().enumerate() {
            let a = (addr.wrapping_add(i as u32) & self.addr_mask) as usize;
            if a < self.ram.len() {
                if self.page_flags[a >> 12] & F_CODE != 0 {
                    self.note_write_near_code(a as u32, 1);
                }
                self.ram.bytes_mut()[a] = b;
            }
        }
    }

    /// Copies bytes out of RAM (host side).
    pub fn read_bytes(&self, addr: u32, out: &mut [u8]) {
        for (i, o) in out.iter_mut().enumerate() {
            let a = (addr.wrapping_add(i as u32) & self.addr_mask) as usize;
            *o = self.ram.bytes().get(a).copied().unwrap_or(0xFF);
        }
    }

    /// Host address of RAM for the JIT.
    pub fn host_base(&mut self) -> *mut u8 {
        self.ram.host_base()
    }

    /// The RAM bytes, for bulk copies into pages `plain_ram_page` allows (no code-write
    /// tracking: such pages hold no decoded code).
    pub(crate) fn ram_bytes_mut(&mut self) -> &mut [u8] {
        self.ram.bytes_mut()
    }

    /// Whether the whole physical page at `page` is RAM that reads (and, with `write`,
    /// writes) reach directly: no MMIO, and for writes no ROM, shadowing or decoded code.
    pub fn plain_ram_page(&self, page: u32, write: bool) -> bool {
        match self.page_flags.get((page >> 12) as usize) {
            Some(&f) if write => f == 0,
            Some(&f) => f & F_MMIO == 0,
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::NullBus;

    #[test]
    fn ram_roundtrip_and_cross_page() {
        let mut m = PhysMem::new(1 << 20, 0xFFFF_FFFF).unwrap();
        let mut b = NullBus;
        m.write(&mut b, 0xFFE, Width::Dword, 0x1122_3344);
        assert_eq!(m.read(&mut b, 0xFFE, Width::Dword), 0x1122_3344);
        assert_eq!(m.read_u8(&mut b, 0x1001), 0x11);
    }

    #[test]
    fn writes_next_to_code_lines_are_not_reported() {
        let mut m = PhysMem::new(1 << 20, 0xFFFF_FFFF).unwrap();
        let mut b = NullBus;
        assert_eq!(line_mask(0, 1), 1);
        assert_eq!(line_mask(0x3F, 2), 0b11);
        assert_eq!(line_mask(0xFC0, 0x40), 1 << 63);
        assert_eq!(line_mask(0, 0x1000), u64::MAX);
        m.mark_code_range(0x5040, 0x30);
        m.write(&mut b, 0x5000, Width::Dword, 1);
        m.write(&mut b, 0x5080, Width::Dword, 1);
        m.write_bytes(0x5100, &[1, 2, 3]);
        assert!(!m.has_smc(), "data next to code");
        m.write(&mut b, 0x503E, Width::Dword, 1);
        assert!(m.has_smc(), "a dword reaching into the code line");
        assert_eq!(m.take_smc_lines(), vec![(5, 0b10)]);
        // Those lines were unmarked: further writes there are not reported.
        m.write(&mut b, 0x5050, Width::Byte, 1);
        assert!(!m.has_smc());
        m.mark_code_range(0x5050, 1);
        m.mark_code_range(0x5400, 0x10);
        m.write_bytes(0x5050, &[9]);
        assert!(m.has_smc(), "host-side write into code");
        assert_eq!(m.take_smc_pages(), vec![5]);
        // Line 16 is still code.
        m.write(&mut b, 0x540F, Width::Byte, 1);
        assert_eq!(m.take_smc_lines(), vec![(5, 1 << 16)]);
    }

    #[test]
    fn a20_wraps() {
        let mut m = PhysMem::new(2 << 20, 0xFFFF_FFFF).unwrap();
        let mut b = NullBus;
        m.set_a20(false);
        m.write(&mut b, 0x10_0010, Width::Byte, 0xAB);
        assert_eq!(m.read_u8(&mut b, 0x10), 0xAB);
        m.set_a20(true);
        assert_eq!(m.read_u8(&mut b, 0x10_0010), 0);
        assert_eq!(m.read_u8(&mut b, 0x10), 0xAB);
    }

    #[test]
    fn rom_is_read_only_and_aliased_high() {
        let mut m = PhysMem::new(2 << 20, 0xFFFF_FFFF).unwrap();
        let mut b = NullBus;
        let rom = vec![0x5A; 0x10000];
        m.load_rom(0xF0000, &rom).unwrap();
        m.write(&mut b, 0xF1234, Width::Byte, 0);
        assert_eq!(m.read_u8(&mut b, 0xF1234), 0x5A);
        assert_eq!(m.read(&mut b, 0xFFFF_FFF0, Width::Word), 0x5A5A);
        assert_eq!(m.read_u8(&mut b, 0x8000_0000), 0xFF);
    }

    #[test]
    fn shadow_ram_follows_the_map() {
        let mut m = PhysMem::new(2 << 20, 0xFFFF_FFFF).unwrap();
        let mut b = NullBus;
        let rom = vec![0x5A; 0x20000];
        m.load_rom(0xE0000, &rom).unwrap();
        m.enable_shadow().unwrap();
        // Power-on: ROM reads, writes dropped, open bus where no ROM is.
        assert_eq!(m.read_u8(&mut b, 0xF0000), 0x5A);
        assert_eq!(m.read_u8(&mut b, 0xC0000), 0xFF);
        m.write(&mut b, 0xF0000, Width::Byte, 1);
        assert_eq!(m.read_u8(&mut b, 0xF0000), 0x5A);
        // F segment: read ROM, write RAM (copy the ROM onto itself).
        let mut map = [ShadowAccess::default(); SHADOW_SEGMENTS];
        for seg in &mut map[12..16] {
            seg.write_ram = true;
        }
        m.set_shadow_map(&map);
        m.write(&mut b, 0xF0010, Width::Word, 0x1234);
        assert_eq!(m.read_u8(&mut b, 0xF0010), 0x5A, "still reading the ROM");
        // Read and write RAM: the written bytes show, the rest of the shadow RAM is zero.
        for seg in &mut map[12..16] {
            seg.read_ram = true;
        }
        m.set_shadow_map(&map);
        assert_eq!(m.read(&mut b, 0xF0010, Width::Word), 0x1234);
        assert_eq!(m.read_u8(&mut b, 0xF0000), 0);
        m.write(&mut b, 0xF0000, Width::Byte, 7);
        assert_eq!(m.read_u8(&mut b, 0xF0000), 7);
        // The high alias keeps reading the ROM.
        assert_eq!(m.read_u8(&mut b, 0xFFFF_0000), 0x5A);
        // Read-only RAM: writes dropped.
        for seg in &mut map[12..16] {
            seg.write_ram = false;
        }
        m.set_shadow_map(&map);
        m.write(&mut b, 0xF0000, Width::Byte, 9);
        assert_eq!(m.read_u8(&mut b, 0xF0000), 7);
        // Back to the ROM: the RAM is kept behind it.
        m.set_shadow_map(&[ShadowAccess::default(); SHADOW_SEGMENTS]);
        assert_eq!(m.read_u8(&mut b, 0xF0000), 0x5A);
        for seg in &mut map[12..16] {
            seg.read_ram = true;
        }
        m.set_shadow_map(&map);
        assert_eq!(m.read_u8(&mut b, 0xF0000), 7);
        // A C-segment page is independent of the F segment.
        assert_eq!(m.read_u8(&mut b, 0xC0000), 0xFF);
    }

    #[test]
    fn shadow_map_without_enable_is_ignored() {
        let mut m = PhysMem::new(2 << 20, 0xFFFF_FFFF).unwrap();
        let mut b = NullBus;
        let map = [ShadowAccess {
            read_ram: true,
            write_ram: true,
        }; SHADOW_SEGMENTS];
        m.load_rom(0xF0000, &[0x5A; 0x10000]).unwrap();
        m.set_shadow_map(&map);
        m.write(&mut b, 0xF0000, Width::Byte, 1);
        assert_eq!(m.read_u8(&mut b, 0xF0000), 0x5A);
    }

    #[test]
    fn out_of_range_reads_open_bus() {
        let m = PhysMem::new(1 << 20, 0xFFFF_FFFF).unwrap();
        let mut b = NullBus;
        assert_eq!(m.read(&mut b, 0x4000_0000, Width::Dword), 0xFFFF_FFFF);
    }
}
