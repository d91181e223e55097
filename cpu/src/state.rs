//! The architectural CPU state shared by the interpreter and the JIT (`#[repr(C)]`).

use crate::flags::Flags;

/// General register indices in `CpuState::regs` (the x86 encoding order).
pub mod reg {
    pub const EAX: usize = 0;
    pub const ECX: usize = 1;
    pub const EDX: usize = 2;
    pub const EBX: usize = 3;
    pub const ESP: usize = 4;
    pub const EBP: usize = 5;
    pub const ESI: usize = 6;
    pub const EDI: usize = 7;
}

/// Segment register indices in `CpuState::segs` (the x86 encoding order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum SegReg {
    Es = 0,
    Cs = 1,
    Ss = 2,
    Ds = 3,
    Fs = 4,
    Gs = 5,
}

impl SegReg {
    pub const ALL: [SegReg; 6] = [
        SegReg::Es,
        SegReg::Cs,
        SegReg::Ss,
        SegReg::Ds,
        SegReg::Fs,
        SegReg::Gs,
    ];
    pub fn from_index(i: usize) -> SegReg {
        Self::ALL[i % 6]
    }
    pub fn name(self) -> &'static str {
        ["es", "cs", "ss", "ds", "fs", "gs"][self as usize]
    }
}

/// Access-rights bits of a descriptor cache (the descriptor's byte 5 in the low 8 bits, the
/// flags nibble of byte 6 in bits 12..15).
pub mod access {
    pub const ACCESSED: u16 = 1 << 0;
    /// Data: writable. Code: readable.
    pub const RW: u16 = 1 << 1;
    /// Data: expand-down. Code: conforming.
    pub const DC: u16 = 1 << 2;
    pub const CODE: u16 = 1 << 3;
    /// S bit: code/data (1) or system (0).
    pub const S: u16 = 1 << 4;
    pub const DPL_SHIFT: u16 = 5;
    pub const PRESENT: u16 = 1 << 7;
    pub const AVL: u16 = 1 << 12;
    /// D/B: 32-bit default size / big stack.
    pub const DB: u16 = 1 << 14;
    pub const G: u16 = 1 << 15;
}

/// A segment register with its hidden descriptor cache.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct Segment {
    pub base: u32,
    /// Limit in bytes (already scaled by G).
    pub limit: u32,
    pub selector: u16,
    /// Access rights (see [`access`]).
    pub access: u16,
    /// False for a null selector loaded in protected mode (any use faults).
    pub valid: bool,
}

impl Segment {
    /// A real-mode segment for `selector`.
    pub fn real(selector: u16) -> Segment {
        Segment {
            base: (selector as u32) << 4,
            limit: 0xFFFF,
            selector,
            access: access::PRESENT | access::S | access::RW | access::ACCESSED,
            valid: true,
        }
    }
    #[inline]
    pub fn dpl(&self) -> u8 {
        ((self.access >> access::DPL_SHIFT) & 3) as u8
    }
    #[inline]
    pub fn big(&self) -> bool {
        self.access & access::DB != 0
    }
    #[inline]
    pub fn is_code(&self) -> bool {
        self.access & access::CODE != 0
    }
    #[inline]
    pub fn expand_down(&self) -> bool {
        self.access & (access::CODE | access::DC) == access::DC
    }
    #[inline]
    pub fn writable(&self) -> bool {
        self.access & (access::CODE | access::RW) == access::RW
    }
    #[inline]
    pub fn readable(&self) -> bool {
        !self.is_code() || self.access & access::RW != 0
    }
    #[inline]
    pub fn conforming(&self) -> bool {
        self.access & (access::CODE | access::DC) == (access::CODE | access::DC)
    }
}

/// GDTR/IDTR.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct DescTable {
    pub base: u32,
    pub limit: u32,
}

/// Control register bits.
pub mod cr0 {
    pub const PE: u32 = 1 << 0;
    pub const MP: u32 = 1 << 1;
    pub const EM: u32 = 1 << 2;
    pub const TS: u32 = 1 << 3;
    pub const ET: u32 = 1 << 4;
    pub const NE: u32 = 1 << 5;
    pub const WP: u32 = 1 << 16;
    pub const AM: u32 = 1 << 18;
    pub const NW: u32 = 1 << 29;
    pub const CD: u32 = 1 << 30;
    pub const PG: u32 = 1 << 31;
}

/// CR4 bits.
pub mod cr4 {
    pub const VME: u32 = 1 << 0;
    pub const PVI: u32 = 1 << 1;
    pub const TSD: u32 = 1 << 2;
    pub const DE: u32 = 1 << 3;
    pub const PSE: u32 = 1 << 4;
    pub const PAE: u32 = 1 << 5;
    pub const MCE: u32 = 1 << 6;
    pub const PGE: u32 = 1 << 7;
    pub const PCE: u32 = 1 << 8;
}

/// The model-specific registers a Pentium (and Pentium II) has.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct Msrs {
    pub p5_mc_addr: u64,
    pub p5_mc_type: u64,
    pub test_regs: [u64; 8],
    pub cesr: u64,
    pub ctr0: u64,
    pub ctr1: u64,
    pub apic_base: u64,
    pub sysenter_cs: u64,
    pub sysenter_esp: u64,
    pub sysenter_eip: u64,
    pub mtrr_cap: u64,
    pub mtrr_def_type: u64,
    pub mtrr_phys: [u64; 16],
    pub mtrr_fixed: [u64; 11],
    pub pat: u64,
    pub misc_enable: u64,
    pub bios_sign_id: u64,
}

/// All architectural state of the integer CPU.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct CpuState {
    /// EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI.
    pub regs: [u32; 8],
    pub eip: u32,
    pub flags: Flags,
    /// ES, CS, SS, DS, FS, GS.
    pub segs: [Segment; 6],
    pub cr0: u32,
    pub cr2: u32,
    pub cr3: u32,
    pub cr4: u32,
    pub dr: [u32; 8],
    pub gdtr: DescTable,
    pub idtr: DescTable,
    pub ldtr: Segment,
    pub tr: Segment,
    pub tsc: u64,
    pub msrs: Msrs,
    /// Current privilege level (CS.RPL in protected mode, 3 in v86, 0 in real mode).
    pub cpl: u8,
    /// The CPU executed HLT and waits for an interrupt.
    pub halted: bool,
    /// Interrupts are inhibited for one instruction (after STI, MOV SS, POP SS).
    pub inhibit_irq: bool,
    /// A20 gate: when false, physical address bit 20 is forced to 0.
    pub a20: bool,
}

impl CpuState {
    #[inline]
    pub fn seg(&self, s: SegReg) -> &Segment {
        &self.segs[s as usize]
    }
    #[inline]
    pub fn pe(&self) -> bool {
        self.cr0 & cr0::PE != 0
    }
    #[inline]
    pub fn v86(&self) -> bool {
        self.flags.vm()
    }
    /// Protected mode and not virtual-8086.
    #[inline]
    pub fn protected(&self) -> bool {
        self.pe() && !self.v86()
    }
    #[inline]
    pub fn paging(&self) -> bool {
        self.cr0 & cr0::PG != 0
    }
    /// The default operand/address size of the code segment is 32-bit.
    #[inline]
    pub fn code32(&self) -> bool {
        self.protected() && self.segs[SegReg::Cs as usize].big()
    }
    /// The stack segment is 32-bit (SS.B).
    #[inline]
    pub fn stack32(&self) -> bool {
        self.protected() && self.segs[SegReg::Ss as usize].big()
    }
    /// Reads a general 16-bit register.
    #[inline]
    pub fn r16(&self, i: usize) -> u16 {
        self.regs[i] as u16
    }
    /// Writes a general 16-bit register, keeping the high half.
    #[inline]
    pub fn set_r16(&mut self, i: usize, v: u16) {
        self.regs[i] = (self.regs[i] & 0xFFFF_0000) | v as u32;
    }
    /// Reads an 8-bit register by encoding (AL CL DL BL AH CH DH BH).
    #[inline]
    pub fn r8(&self, i: usize) -> u8 {
        if i < 4 {
            self.regs[i] as u8
        } else {
            (self.regs[i - 4] >> 8) as u8
        }
    }
    /// Writes an 8-bit register by encoding.
    #[inline]
    pub fn set_r8(&mut self, i: usize, v: u8) {
        if i < 4 {
            self.regs[i] = (self.regs[i] & !0xFF) | v as u32;
        } else {
            self.regs[i - 4] = (self.regs[i - 4] & !0xFF00) | ((v as u32) << 8);
        }
    }
}
