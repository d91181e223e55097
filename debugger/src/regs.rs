//! Register snapshots: the execution mode name, and the list of registers and flags an
//! instruction changed (trace lines), plus the full register dump of the `r` command.

use rawbox_cpu::state::SegReg;
use rawbox_cpu::Cpu;
use rawbox_disasm::push_hex;
use std::fmt::Write;

const GPR_NAMES: [&str; 8] = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
const SEG_NAMES: [&str; 6] = ["es", "cs", "ss", "ds", "fs", "gs"];
/// EFLAGS bits shown by name: (bit, name).
const FLAG_NAMES: [(u32, &str); 14] = [
    (0, "CF"),
    (2, "PF"),
    (4, "AF"),
    (6, "ZF"),
    (7, "SF"),
    (8, "TF"),
    (9, "IF"),
    (10, "DF"),
    (11, "OF"),
    (14, "NT"),
    (16, "RF"),
    (17, "VM"),
    (18, "AC"),
    (21, "ID"),
];

/// The execution mode: `R` (real), `V86`, `P16` or `P32` (protected, by CS size).
pub fn mode_name(cpu: &Cpu) -> &'static str {
    if !cpu.state.pe() {
        "R"
    } else if cpu.state.v86() {
        "V86"
    } else if cpu.state.code32() {
        "P32"
    } else {
        "P16"
    }
}

/// Code bitness at CS:EIP (16 or 32).
pub fn bitness(cpu: &Cpu) -> u32 {
    if cpu.state.code32() {
        32
    } else {
        16
    }
}

/// The registers an instruction can change, captured before and after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Snapshot {
    pub regs: [u32; 8],
    pub eflags: u32,
    pub sels: [u16; 6],
    pub cr: [u32; 4],
}

impl Snapshot {
    pub fn take(cpu: &Cpu) -> Snapshot {
        let s = &cpu.state;
        let mut sels = [0u16; 6];
        for (i, seg) in s.segs.iter().enumerate() {
            sels[i] = seg.selector;
        }
        Snapshot {
            regs: s.regs,
            eflags: s.flags.value(),
            sels,
            cr: [s.cr0, s.cr2, s.cr3, s.cr4],
        }
    }

    /// Appends `name=value` for every register that differs in `after`, then the flags that
    /// changed as `ZF=1`. 16-bit names (`ax=0003`) are used when the upper half did not change
    /// and `wide` is false.
    pub fn write_diff(&self, after: &Snapshot, wide: bool, out: &mut String) {
        let mut first = true;
        let mut sep = |out: &mut String| {
            if !first {
                out.push(' ');
            }
            first = false;
        };
        for (i, name) in GPR_NAMES.iter().enumerate() {
            let (a, b) = (self.regs[i], after.regs[i]);
            if a == b {
                continue;
            }
            sep(out);
            if !wide && a >> 16 == b >> 16 {
                out.push_str(&name[1..]);
                out.push('=');
                push_hex(out, b, 4);
            } else {
                out.push_str(name);
                out.push('=');
                push_hex(out, b, 8);
            }
        }
        for (i, name) in SEG_NAMES.iter().enumerate() {
            if self.sels[i] != after.sels[i] {
                sep(out);
                out.push_str(name);
                out.push('=');
                push_hex(out, u32::from(after.sels[i]), 4);
            }
        }
        for (i, name) in ["cr0", "cr2", "cr3", "cr4"].iter().enumerate() {
            if self.cr[i] != after.cr[i] {
                sep(out);
                let _ = write!(out, "{name}={:08x}", after.cr[i]);
            }
        }
        let changed = self.eflags ^ after.eflags;
        if changed == 0 {
            return;
        }
        for (bit, name) in FLAG_NAMES {
            if changed & (1 << bit) != 0 {
                sep(out);
                out.push_str(name);
                out.push_str(if (after.eflags >> bit) & 1 != 0 {
                    "=1"
                } else {
                    "=0"
                });
            }
        }
        if changed & 0x3000 != 0 {
            sep(out);
            let _ = write!(out, "IOPL={}", (after.eflags >> 12) & 3);
        }
    }
}

/// The `r` command: general registers, EIP, segment selectors, EFLAGS with named flags and
/// the control registers.
pub fn dump_registers(cpu: &Cpu) -> String {
    let s = &cpu.state;
    let mut out = String::new();
    for (i, name) in GPR_NAMES.iter().enumerate() {
        let _ = write!(out, "{name}={:08x}", s.regs[i]);
        out.push(if i == 3 || i == 7 { '\n' } else { ' ' });
    }
    let _ = write!(out, "eip={:08x} eflags={:08x} [", s.eip, s.flags.value());
    let flags = s.flags.value();
    let mut names = Vec::new();
    for (bit, name) in FLAG_NAMES {
        if flags & (1 << bit) != 0 {
            names.push(name);
        }
    }
    let _ = writeln!(out, "{}] iopl={}", names.join(" "), (flags >> 12) & 3);
    for (i, name) in SEG_NAMES.iter().enumerate() {
        let _ = write!(out, "{name}={:04x} ", s.segs[i].selector);
    }
    let _ = writeln!(out, "mode={}", mode_name(cpu));
    let _ = writeln!(
        out,
        "cr0={:08x} cr2={:08x} cr3={:08x} cr4={:08x} cpl={}",
        s.cr0, s.cr2, s.cr3, s.cr4, s.cpl
    );
    out
}

/// The value of a register named in a breakpoint condition or address (`eax`, `ax`, `al`,
/// `ah`, `eip`, `ip`, `cs`, `eflags`, `cr0`...), if the name is known.
pub fn register_value(cpu: &Cpu, name: &str) -> Option<u32> {
    let s = &cpu.state;
    let name = name.to_ascii_lowercase();
    if let Some(i) = GPR_NAMES.iter().position(|n| *n == name) {
        return Some(s.regs[i]);
    }
    if let Some(i) = GPR_NAMES.iter().position(|n| n[1..] == name) {
        return Some(s.regs[i] & 0xFFFF);
    }
    let byte_regs = ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"];
    if let Some(i) = byte_regs.iter().position(|n| *n == name) {
        return Some(u32::from(s.r8(i)));
    }
    if let Some(i) = SEG_NAMES.iter().position(|n| *n == name) {
        return Some(u32::from(s.segs[SegReg::from_index(i) as usize].selector));
    }
    Some(match name.as_str() {
        "eip" => s.eip,
        "ip" => s.eip & 0xFFFF,
        "eflags" | "flags" => s.flags.value(),
        "cr0" => s.cr0,
        "cr2" => s.cr2,
        "cr3" => s.cr3,
        "cr4" => s.cr4,
        _ => {
            let bit = FLAG_NAMES
                .iter()
                .find(|(_, n)| n.eq_ignore_ascii_case(&name))?
                .0;
            (s.flags.value() >> bit) & 1
        }
    })
}
