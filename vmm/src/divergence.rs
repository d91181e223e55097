//! The first difference found between two machines run in lockstep (`--jit-verify`): what
//! differed, a snapshot of both sides, and the report that shows both states side by side
//! with the differing fields marked.

use crate::machine::{Machine, StopReason};
use rawbox_cpu::state::{CpuState, SegReg};
use std::fmt;

/// What one machine looked like when the difference was found.
#[derive(Clone, Debug)]
pub struct Side {
    /// The engine's name ("interp", "jit").
    pub engine: &'static str,
    pub state: CpuState,
    pub instructions: u64,
    pub blocks: u64,
    pub interrupts: u64,
    pub exceptions: u64,
    /// Why its last slice ended.
    pub stop: StopReason,
}

impl Side {
    /// Takes a snapshot of `m` after a slice that ended with `stop`.
    pub fn of(m: &Machine, stop: StopReason) -> Side {
        Side {
            engine: match m.config.engine {
                crate::Engine::Interp => "interp",
                crate::Engine::Jit => "jit",
            },
            state: m.cpu.state.clone(),
            instructions: m.cpu.counters.instructions,
            blocks: m.cpu.counters.blocks,
            interrupts: m.cpu.counters.interrupts,
            exceptions: m.cpu.counters.exceptions,
            stop,
        }
    }
}

/// The first byte of guest RAM that differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RamDiff {
    pub addr: u64,
    pub a: u8,
    pub b: u8,
}

/// The first difference between the two machines of a [`crate::verify::Lockstep`].
#[derive(Clone, Debug)]
pub struct Divergence {
    /// The slice (counted from 0) after which the difference was seen.
    pub slice: u64,
    /// Guest time in nanoseconds since power-on at the end of that slice.
    pub guest_ns: u64,
    /// The first machine (the reference).
    pub a: Side,
    /// The second machine (the one being checked).
    pub b: Side,
    /// The first differing RAM byte, when RAM differed.
    pub ram: Option<RamDiff>,
}

impl Divergence {
    /// The names of the compared fields that differ (register, flag, segment, control
    /// register and counter names as in the report).
    pub fn differing_fields(&self) -> Vec<String> {
        rows(&self.a, &self.b)
            .into_iter()
            .filter(|r| r.1 != r.2)
            .map(|r| r.0)
            .collect()
    }
}

/// One report row: field name and the two values, formatted.
type Row = (String, String, String);

fn row(name: impl Into<String>, a: impl fmt::Display, b: impl fmt::Display) -> Row {
    (name.into(), a.to_string(), b.to_string())
}

fn hex32(v: u32) -> String {
    format!("{v:08x}")
}

/// A segment register with its descriptor cache, on one line.
fn segment(g: &rawbox_cpu::state::Segment) -> String {
    format!(
        "{:04x} base {:08x} limit {:08x} access {:04x}{}",
        g.selector,
        g.base,
        g.limit,
        g.access,
        if g.valid { "" } else { " null" }
    )
}

/// The flags' lazy-evaluation record (engines must leave it identical).
fn lazy(s: &CpuState) -> String {
    let f = &s.flags;
    format!(
        "bits {:08x} lazy {:x} {:?}/{:?} {:x},{:x}->{:x}",
        f.bits, f.lazy_mask, f.op, f.size, f.src1, f.src2, f.res
    )
}

/// Every compared field of both sides.
fn rows(a: &Side, b: &Side) -> Vec<Row> {
    const NAMES: [&str; 8] = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
    let (sa, sb) = (&a.state, &b.state);
    let mut out = vec![
        row("stop", format!("{:?}", a.stop), format!("{:?}", b.stop)),
        row("instructions", a.instructions, b.instructions),
        row("blocks", a.blocks, b.blocks),
        row("interrupts", a.interrupts, b.interrupts),
        row("exceptions", a.exceptions, b.exceptions),
    ];
    for (i, n) in NAMES.iter().enumerate() {
        out.push(row(*n, hex32(sa.regs[i]), hex32(sb.regs[i])));
    }
    out.push(row("eip", hex32(sa.eip), hex32(sb.eip)));
    out.push(row(
        "eflags",
        hex32(sa.flags.value()),
        hex32(sb.flags.value()),
    ));
    out.push(row("eflags (lazy record)", lazy(sa), lazy(sb)));
    for s in SegReg::ALL {
        out.push(row(s.name(), segment(sa.seg(s)), segment(sb.seg(s))));
    }
    for (n, x, y) in [
        ("cr0", sa.cr0, sb.cr0),
        ("cr2", sa.cr2, sb.cr2),
        ("cr3", sa.cr3, sb.cr3),
        ("cr4", sa.cr4, sb.cr4),
    ] {
        out.push(row(n, hex32(x), hex32(y)));
    }
    let table = |t: &rawbox_cpu::state::DescTable| format!("{:08x}/{:x}", t.base, t.limit);
    out.push(row("gdtr", table(&sa.gdtr), table(&sb.gdtr)));
    out.push(row("idtr", table(&sa.idtr), table(&sb.idtr)));
    out.push(row("ldtr", segment(&sa.ldtr), segment(&sb.ldtr)));
    out.push(row("tr", segment(&sa.tr), segment(&sb.tr)));
    out.push(row("dr", format!("{:x?}", sa.dr), format!("{:x?}", sb.dr)));
    out.push(row("cpl", sa.cpl, sb.cpl));
    out.push(row("halted", sa.halted, sb.halted));
    out.push(row("inhibit_irq", sa.inhibit_irq, sb.inhibit_irq));
    out.push(row("a20", sa.a20, sb.a20));
    out.push(row("tsc", sa.tsc, sb.tsc));
    out.push(row(
        "msrs",
        if sa.msrs == sb.msrs { "same" } else { "differ" },
        if sa.msrs == sb.msrs { "same" } else { "differ" },
    ));
    out
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "jit-verify: divergence after slice {} at guest time {}.{:06} ms ({} instructions {}, {} {})",
            self.slice,
            self.guest_ns / 1_000_000,
            self.guest_ns % 1_000_000,
            self.a.instructions,
            self.a.engine,
            self.b.instructions,
            self.b.engine
        )?;
        let rows = rows(&self.a, &self.b);
        let w = rows
            .iter()
            .map(|r| r.1.len())
            .max()
            .unwrap_or(0)
            .max(self.a.engine.len());
        writeln!(
            f,
            "  {:<22} {:<w$}   {}",
            "field", self.a.engine, self.b.engine
        )?;
        for (name, x, y) in &rows {
            let mark = if x != y { "**" } else { "  " };
            writeln!(f, "{mark}{name:<22} {x:<w$}   {y}")?;
        }
        if let Some(r) = &self.ram {
            writeln!(
                f,
                "**RAM differs first at {:#010x}: {} {:02x}, {} {:02x}",
                r.addr, self.a.engine, r.a, self.b.engine, r.b
            )?;
        }
        write!(f, "(** marks the fields that differ)")
    }
}
