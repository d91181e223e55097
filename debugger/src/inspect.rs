//! Read-only views for the debugger: segment descriptor caches, GDT, IDT, page-table walks,
//! hex dumps, disassembly listings and the stack.

use crate::mem::{read_linear, walk};
use rawbox_cpu::state::{access, SegReg, Segment};
use rawbox_cpu::Cpu;
use rawbox_disasm::Disassembler;
use std::fmt::Write;

/// Describes a descriptor's access rights: `code r/x dpl0 p 32`.
fn attrs(access_bits: u16) -> String {
    let mut s = String::new();
    if access_bits & access::S == 0 {
        let _ = write!(s, "system type {:x}", access_bits & 0xF);
    } else if access_bits & access::CODE != 0 {
        s.push_str("code");
        s.push_str(if access_bits & access::RW != 0 {
            " rx"
        } else {
            " x"
        });
        if access_bits & access::DC != 0 {
            s.push_str(" conforming");
        }
    } else {
        s.push_str("data");
        s.push_str(if access_bits & access::RW != 0 {
            " rw"
        } else {
            " r"
        });
        if access_bits & access::DC != 0 {
            s.push_str(" expand-down");
        }
    }
    let _ = write!(s, " dpl{}", (access_bits >> access::DPL_SHIFT) & 3);
    if access_bits & access::PRESENT == 0 {
        s.push_str(" not-present");
    }
    if access_bits & access::DB != 0 {
        s.push_str(" 32-bit");
    }
    if access_bits & access::G != 0 {
        s.push_str(" 4k-granular");
    }
    s
}

fn seg_line(out: &mut String, name: &str, seg: &Segment) {
    let _ = writeln!(
        out,
        "{name:<4} sel={:04x} base={:08x} limit={:08x} attr={:04x} {}{}",
        seg.selector,
        seg.base,
        seg.limit,
        seg.access,
        attrs(seg.access),
        if seg.valid { "" } else { " (null)" }
    );
}

/// `sreg`: the six segment registers, LDTR and TR with their cached descriptors, GDTR, IDTR.
pub fn segment_registers(cpu: &Cpu) -> String {
    let mut out = String::new();
    for s in SegReg::ALL {
        seg_line(&mut out, s.name(), cpu.state.seg(s));
    }
    seg_line(&mut out, "ldtr", &cpu.state.ldtr);
    seg_line(&mut out, "tr", &cpu.state.tr);
    let _ = writeln!(
        out,
        "gdtr base={:08x} limit={:04x}\nidtr base={:08x} limit={:04x}",
        cpu.state.gdtr.base, cpu.state.gdtr.limit, cpu.state.idtr.base, cpu.state.idtr.limit
    );
    out
}

/// Decodes a segment descriptor: (base, limit in bytes, access bits in the cache layout).
fn decode_descriptor(d: &[u8; 8]) -> (u32, u32, u16) {
    let base =
        u32::from(d[2]) | u32::from(d[3]) << 8 | u32::from(d[4]) << 16 | u32::from(d[7]) << 24;
    let mut limit = u32::from(d[0]) | u32::from(d[1]) << 8 | u32::from(d[6] & 0xF) << 16;
    if d[6] & 0x80 != 0 {
        limit = limit << 12 | 0xFFF;
    }
    let access_bits = u16::from(d[5]) | u16::from(d[6] & 0xF0) << 8;
    (base, limit, access_bits)
}

/// `gdt`: every descriptor of the GDT (up to `max` entries).
pub fn gdt(cpu: &Cpu, max: usize) -> String {
    let mut out = String::new();
    let (base, limit) = (cpu.state.gdtr.base, cpu.state.gdtr.limit);
    let _ = writeln!(out, "gdt base={base:08x} limit={limit:04x}");
    let count = ((limit as usize + 1) / 8).min(max);
    for i in 0..count {
        let mut d = [0u8; 8];
        if read_linear(cpu, base.wrapping_add(i as u32 * 8), &mut d) < 8 {
            let _ = writeln!(out, "{:04x}: not mapped", i * 8);
            break;
        }
        if d == [0; 8] {
            let _ = writeln!(out, "{:04x}: null", i * 8);
            continue;
        }
        let (b, l, a) = decode_descriptor(&d);
        let _ = writeln!(
            out,
            "{:04x}: base={b:08x} limit={l:08x} {}",
            i * 8,
            attrs(a)
        );
    }
    out
}

/// `idt`: the real-mode vector table or the protected-mode gates (up to `max` entries).
pub fn idt(cpu: &Cpu, max: usize) -> String {
    let mut out = String::new();
    let (base, limit) = (cpu.state.idtr.base, cpu.state.idtr.limit);
    let real = !cpu.state.pe();
    let size = if real { 4 } else { 8 };
    let _ = writeln!(out, "idt base={base:08x} limit={limit:04x}");
    let count = ((limit as usize + 1) / size).min(max).min(256);
    for v in 0..count {
        let mut d = [0u8; 8];
        let at = base.wrapping_add((v * size) as u32);
        if read_linear(cpu, at, &mut d[..size]) < size {
            let _ = writeln!(out, "{v:02x}: not mapped");
            break;
        }
        if real {
            let off = u16::from_le_bytes([d[0], d[1]]);
            let seg = u16::from_le_bytes([d[2], d[3]]);
            let _ = writeln!(out, "{v:02x}: {seg:04x}:{off:04x}");
            continue;
        }
        let off = u32::from(u16::from_le_bytes([d[0], d[1]]))
            | u32::from(u16::from_le_bytes([d[6], d[7]])) << 16;
        let sel = u16::from_le_bytes([d[2], d[3]]);
        let kind = match d[5] & 0xF {
            0x5 => "task gate",
            0x6 => "16-bit interrupt gate",
            0x7 => "16-bit trap gate",
            0xE => "interrupt gate",
            0xF => "trap gate",
            _ => "invalid",
        };
        let _ = writeln!(
            out,
            "{v:02x}: {sel:04x}:{off:08x} {kind} dpl{}{}",
            (d[5] >> 5) & 3,
            if d[5] & 0x80 == 0 { " not-present" } else { "" }
        );
    }
    out
}

fn pte_flags(e: u32) -> String {
    let names = [
        (0, "P"),
        (1, "W"),
        (2, "U"),
        (3, "PWT"),
        (4, "PCD"),
        (5, "A"),
        (6, "D"),
        (7, "PS"),
        (8, "G"),
    ];
    names
        .iter()
        .filter(|(b, _)| e & (1 << b) != 0)
        .map(|(_, n)| *n)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `pt ADDR`: the page walk for a linear address.
pub fn page_walk(cpu: &Cpu, lin: u32) -> String {
    let mut out = String::new();
    if !cpu.state.paging() {
        let _ = writeln!(out, "paging is off: linear {lin:08x} = physical {lin:08x}");
        return out;
    }
    let w = walk(cpu, lin);
    let _ = writeln!(out, "cr3={:08x} linear={lin:08x}", cpu.state.cr3);
    let _ = writeln!(
        out,
        "pde[{:03x}] at {:08x} = {:08x} [{}]",
        lin >> 22,
        w.pde.entry_addr,
        w.pde.entry,
        pte_flags(w.pde.entry)
    );
    if let Some(p) = w.pte {
        let _ = writeln!(
            out,
            "pte[{:03x}] at {:08x} = {:08x} [{}]",
            (lin >> 12) & 0x3FF,
            p.entry_addr,
            p.entry,
            pte_flags(p.entry)
        );
    }
    match w.phys {
        Some(p) => {
            let size = if w.large { " (4 MB page)" } else { "" };
            let _ = writeln!(out, "physical {p:08x}{size}");
        }
        None => {
            let _ = writeln!(out, "not mapped");
        }
    }
    out
}

/// `x ADDR LEN`: hex and ASCII, 16 bytes a line.
pub fn hex_dump(cpu: &Cpu, lin: u32, len: u32) -> String {
    let mut out = String::new();
    let len = len.min(1 << 16) as usize;
    let mut buf = vec![0u8; len];
    let n = read_linear(cpu, lin, &mut buf);
    for (row, chunk) in buf[..n].chunks(16).enumerate() {
        let _ = write!(out, "{:08x}:", lin.wrapping_add(row as u32 * 16));
        for b in chunk {
            let _ = write!(out, " {b:02x}");
        }
        out.extend(std::iter::repeat_n(' ', (16 - chunk.len()) * 3 + 2));
        for &b in chunk {
            out.push(if (0x20..0x7F).contains(&b) {
                b as char
            } else {
                '.'
            });
        }
        out.push('\n');
    }
    if n < len {
        let _ = writeln!(out, "{:08x}: not mapped", lin.wrapping_add(n as u32));
    }
    out
}

/// `u`: `count` instructions from `cs:ip` (linear `cs_base + ip`).
pub fn disassemble(
    cpu: &Cpu,
    d: &mut Disassembler,
    cs: u16,
    cs_base: u32,
    ip: u32,
    bitness: u32,
    count: usize,
) -> String {
    let mut out = String::new();
    let mask = if bitness == 32 { u32::MAX } else { 0xFFFF };
    let mut ip = ip & mask;
    for _ in 0..count.min(1000) {
        let mut bytes = [0u8; 16];
        let n = read_linear(cpu, cs_base.wrapping_add(ip), &mut bytes[..15]);
        if n == 0 {
            let _ = writeln!(out, "{:08x}: not mapped", cs_base.wrapping_add(ip));
            break;
        }
        let len = d
            .disassemble(&bytes[..n], bitness, u64::from(ip))
            .map_or(1, |l| l.len);
        d.format_line_into(&mut out, cs, cs_base, ip, &bytes[..n], bitness);
        out.push('\n');
        ip = ip.wrapping_add(len as u32) & mask;
    }
    out
}

/// `bt`/`stack`: `count` stack slots at SS:ESP, then the BP frame chain.
pub fn stack(cpu: &Cpu, count: usize) -> String {
    let mut out = String::new();
    let ss = cpu.state.seg(SegReg::Ss);
    let big = cpu.state.stack32();
    let width: u32 = if big { 4 } else { 2 };
    let mask = if big { u32::MAX } else { 0xFFFF };
    let sp = cpu.state.regs[4] & mask;
    let read = |off: u32| -> Option<u32> {
        let mut b = [0u8; 4];
        let lin = ss.base.wrapping_add(off & mask);
        (read_linear(cpu, lin, &mut b[..width as usize]) == width as usize)
            .then(|| u32::from_le_bytes(b))
    };
    let _ = writeln!(
        out,
        "stack at {:04x}:{sp:0w$x}",
        ss.selector,
        w = width as usize * 2
    );
    for i in 0..count.min(256) as u32 {
        let off = sp.wrapping_add(i * width) & mask;
        match read(off) {
            Some(v) => {
                let _ = writeln!(
                    out,
                    "  {:04x}:{off:0w$x}  {v:0w$x}",
                    ss.selector,
                    w = width as usize * 2
                );
            }
            None => break,
        }
    }
    let _ = writeln!(out, "frames (bp chain):");
    let mut bp = cpu.state.regs[5] & mask;
    for _ in 0..16 {
        if bp == 0 {
            break;
        }
        let (Some(next), Some(ret)) = (read(bp), read(bp.wrapping_add(width))) else {
            break;
        };
        let _ = writeln!(
            out,
            "  bp={bp:0w$x} return={ret:0w$x}",
            w = width as usize * 2
        );
        if next & mask <= bp {
            break;
        }
        bp = next & mask;
    }
    out
}
