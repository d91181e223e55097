//! Addresses and numbers typed by the user: `7c00`, `0x7c00` (hex by default), `0000:7c00`,
//! `cs:ip`, `ss:esp+4` style segment:offset forms, and their resolution to a linear address
//! with the current CPU state.

use crate::mem::read_linear;
use crate::regs::register_value;
use crate::DebugError;
use rawbox_cpu::state::SegReg;
use rawbox_cpu::Cpu;

/// The segment part of `SEG:OFF`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SegPart {
    /// A segment register: its cached base is used.
    Reg(SegReg),
    /// A selector or real-mode segment value.
    Value(u16),
}

/// An address as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddrSpec {
    Linear(Operand),
    SegOff(SegPart, Operand),
}

/// A number or a register name, with an optional `+N`/`-N` displacement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operand {
    pub base: OperandBase,
    pub disp: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OperandBase {
    Number(u32),
    Register(String),
}

/// Parses a hexadecimal number (`0x` prefix optional, `h` suffix allowed).
pub fn parse_hex(s: &str) -> Result<u32, DebugError> {
    let t = s.trim();
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    let t = t
        .strip_suffix('h')
        .or_else(|| t.strip_suffix('H'))
        .unwrap_or(t);
    u32::from_str_radix(t, 16).map_err(|_| DebugError::BadArgument(format!("bad number `{s}`")))
}

/// Parses a decimal count, or hex with a `0x` prefix.
pub fn parse_count(s: &str) -> Result<u64, DebugError> {
    let t = s.trim();
    let r = match t.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16),
        None => t.parse(),
    };
    r.map_err(|_| DebugError::BadArgument(format!("bad count `{s}`")))
}

fn seg_reg(name: &str) -> Option<SegReg> {
    SegReg::ALL
        .into_iter()
        .find(|s| s.name().eq_ignore_ascii_case(name))
}

fn is_register(name: &str) -> bool {
    const NAMES: [&str; 29] = [
        "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "ax", "cx", "dx", "bx", "sp", "bp",
        "si", "di", "al", "cl", "dl", "bl", "ah", "ch", "dh", "bh", "eip", "ip", "cr2", "cr3",
        "eflags",
    ];
    NAMES.iter().any(|n| n.eq_ignore_ascii_case(name))
}

fn parse_operand(s: &str) -> Result<Operand, DebugError> {
    let s = s.trim();
    let split = s
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '+' || *c == '-');
    let (head, disp) = match split {
        Some((i, c)) => {
            let v = i64::from(parse_hex(&s[i + 1..])?);
            (&s[..i], if c == '-' { -v } else { v })
        }
        None => (s, 0),
    };
    let base = if is_register(head) {
        OperandBase::Register(head.to_ascii_lowercase())
    } else {
        OperandBase::Number(parse_hex(head)?)
    };
    Ok(Operand { base, disp })
}

impl AddrSpec {
    /// Parses `LINEAR` or `SEG:OFF`.
    pub fn parse(s: &str) -> Result<AddrSpec, DebugError> {
        match s.split_once(':') {
            Some((seg, off)) => {
                let seg = match seg_reg(seg.trim()) {
                    Some(r) => SegPart::Reg(r),
                    None => {
                        let v = parse_hex(seg)?;
                        let v = u16::try_from(v).map_err(|_| {
                            DebugError::BadArgument(format!("segment `{seg}` is over ffff"))
                        })?;
                        SegPart::Value(v)
                    }
                };
                Ok(AddrSpec::SegOff(seg, parse_operand(off)?))
            }
            None => Ok(AddrSpec::Linear(parse_operand(s)?)),
        }
    }

    /// The linear address with the current CPU state. A numeric segment is a paragraph in
    /// real and v86 mode and a selector (looked up in the GDT or LDT) in protected mode.
    pub fn resolve(&self, cpu: &Cpu) -> Result<u32, DebugError> {
        let op = |o: &Operand| -> Result<u32, DebugError> {
            let base = match &o.base {
                OperandBase::Number(n) => *n,
                OperandBase::Register(r) => register_value(cpu, r)
                    .ok_or_else(|| DebugError::BadArgument(format!("unknown register {r}")))?,
            };
            Ok(base.wrapping_add(o.disp as u32))
        };
        match self {
            AddrSpec::Linear(o) => op(o),
            AddrSpec::SegOff(seg, o) => {
                let base = match seg {
                    SegPart::Reg(r) => cpu.state.segs[*r as usize].base,
                    SegPart::Value(v) => segment_base(cpu, *v)?,
                };
                Ok(base.wrapping_add(op(o)?))
            }
        }
    }
}

/// Base of a segment value: `v * 16` outside protected mode, else the descriptor's base.
pub fn segment_base(cpu: &Cpu, v: u16) -> Result<u32, DebugError> {
    if !cpu.state.protected() {
        return Ok(u32::from(v) << 4);
    }
    let table = if v & 4 != 0 {
        (cpu.state.ldtr.base, cpu.state.ldtr.limit)
    } else {
        (cpu.state.gdtr.base, cpu.state.gdtr.limit)
    };
    let index = u32::from(v & !7);
    if index + 7 > table.1 {
        return Err(DebugError::BadArgument(format!(
            "selector {v:04x} is outside its descriptor table"
        )));
    }
    let mut d = [0u8; 8];
    if read_linear(cpu, table.0.wrapping_add(index), &mut d) < 8 {
        return Err(DebugError::BadArgument(format!(
            "descriptor of selector {v:04x} is not mapped"
        )));
    }
    Ok(u32::from(d[2]) | u32::from(d[3]) << 8 | u32::from(d[4]) << 16 | u32::from(d[7]) << 24)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rawbox_cpu::CpuModel;

    fn cpu() -> Cpu {
        let mut c = Cpu::new(CpuModel::Pentium, 1 << 20).unwrap();
        c.state.segs[SegReg::Cs as usize] = rawbox_cpu::Segment::real(0x1234);
        c.state.eip = 0x10;
        c.state.regs[4] = 0x200; // sp
        c
    }

    #[test]
    fn numbers_are_hex() {
        assert_eq!(parse_hex("7c00").unwrap(), 0x7C00);
        assert_eq!(parse_hex("0x7C00").unwrap(), 0x7C00);
        assert_eq!(parse_hex("0ffh").unwrap(), 0xFF);
        assert!(parse_hex("xyz").is_err());
        assert!(parse_hex("123456789").is_err());
        assert_eq!(parse_count("10").unwrap(), 10);
        assert_eq!(parse_count("0x10").unwrap(), 16);
    }

    #[test]
    fn addresses_resolve_with_the_cpu_state() {
        let c = cpu();
        let at = |s: &str| AddrSpec::parse(s).unwrap().resolve(&c).unwrap();
        assert_eq!(at("7c00"), 0x7C00);
        assert_eq!(at("0:7c00"), 0x7C00);
        assert_eq!(at("f000:fff0"), 0xFFFF0);
        assert_eq!(at("cs:ip"), 0x12350);
        assert_eq!(at("cs:eip+4"), 0x12354);
        assert_eq!(at("ss:sp-2"), 0x1FE);
        assert!(AddrSpec::parse("10000:0").is_err());
        assert!(AddrSpec::parse("cs:").is_err());
    }

    #[test]
    fn protected_mode_selectors_outside_the_gdt_are_errors() {
        let mut c = cpu();
        c.state.cr0 |= 1;
        c.state.gdtr.limit = 0x17;
        assert!(segment_base(&c, 0x18).is_err());
        assert!(segment_base(&c, 0x10).is_ok());
    }
}
