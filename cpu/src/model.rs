//! CPU models (8086 .. Pentium II class) and the features and quirks each one has.

use std::fmt;
use std::str::FromStr;

/// A selectable CPU model. Each has its own instruction set and quirks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum CpuModel {
    /// Intel 8086/8088: no exceptions for undefined opcodes, many aliases.
    I8086,
    /// Intel 80286 (real and 16-bit protected mode, 24-bit addresses).
    I80286,
    /// Intel 80386 with a 387.
    I80386,
    /// Intel 80486 with on-chip FPU.
    I80486,
    /// Intel Pentium (P5), the default.
    #[default]
    Pentium,
    /// Pentium II class (P6 integer instructions: CMOVcc, FCMOV, FCOMI, RDPMC, SYSENTER...).
    Pentium2,
}

impl CpuModel {
    /// All models, oldest first.
    pub const ALL: [CpuModel; 6] = [
        CpuModel::I8086,
        CpuModel::I80286,
        CpuModel::I80386,
        CpuModel::I80486,
        CpuModel::Pentium,
        CpuModel::Pentium2,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            CpuModel::I8086 => "8086",
            CpuModel::I80286 => "80286",
            CpuModel::I80386 => "80386",
            CpuModel::I80486 => "80486",
            CpuModel::Pentium => "pentium",
            CpuModel::Pentium2 => "pentium2",
        }
    }

    /// Physical address bus mask (20 bits on the 8086, 24 on the 286, 32 afterwards).
    pub fn address_mask(self) -> u32 {
        match self {
            CpuModel::I8086 => 0x000F_FFFF,
            CpuModel::I80286 => 0x00FF_FFFF,
            _ => 0xFFFF_FFFF,
        }
    }

    /// True from the 80386 on (32-bit registers, paging, 0x66/0x67 prefixes).
    pub fn is_386_plus(self) -> bool {
        self >= CpuModel::I80386
    }

    /// True from the 80286 on (protected mode, #UD for undefined opcodes, masked shift counts).
    pub fn is_286_plus(self) -> bool {
        self >= CpuModel::I80286
    }

    /// True from the 80486 on (BSWAP, CMPXCHG, XADD, INVLPG, AC flag, CR0.WP...).
    pub fn is_486_plus(self) -> bool {
        self >= CpuModel::I80486
    }

    /// True from the Pentium on (CPUID, RDTSC, RDMSR/WRMSR, CMPXCHG8B, CR4, 4 MB pages).
    pub fn is_pentium_plus(self) -> bool {
        self >= CpuModel::Pentium
    }

    /// P6 integer instructions (CMOVcc and friends). Offered on `pentium` too, because today's
    /// 686 kernels need them; `pentium2` also reports them in CPUID.
    pub fn has_cmov(self) -> bool {
        self >= CpuModel::Pentium
    }

    /// Whether an x87 FPU is present by default (387 with the 386, on chip from the 486).
    pub fn has_fpu(self) -> bool {
        self >= CpuModel::I80386
    }

    /// Value of the reserved FLAGS bits 12..15 in real mode as they read back.
    pub fn flags_fixed_high(self) -> u32 {
        match self {
            CpuModel::I8086 => 0xF000,
            _ => 0,
        }
    }
}

impl fmt::Display for CpuModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Error for an unknown model name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownModel(pub String);

impl fmt::Display for UnknownModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown CPU model '{}' (expected 8086, 80286, 80386, 80486, pentium or pentium2)",
            self.0
        )
    }
}

impl std::error::Error for UnknownModel {}

impl FromStr for CpuModel {
    type Err = UnknownModel;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "8086" | "8088" | "i8086" => Ok(CpuModel::I8086),
            "80286" | "286" | "i286" => Ok(CpuModel::I80286),
            "80386" | "386" | "i386" => Ok(CpuModel::I80386),
            "80486" | "486" | "i486" => Ok(CpuModel::I80486),
            "pentium" | "586" | "p5" => Ok(CpuModel::Pentium),
            "pentium2" | "686" | "p6" => Ok(CpuModel::Pentium2),
            _ => Err(UnknownModel(s.to_string())),
        }
    }
}
