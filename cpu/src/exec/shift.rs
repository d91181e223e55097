//! Shifts and rotates (ROL/ROR/RCL/RCR/SHL/SAL/SHR/SAR), SHLD/SHRD, and the 8086's SETMO.
//! Counts are masked to 5 bits from the 286 on; the 8086 uses the full count.

use crate::bus::Bus;
use crate::decode::DecodedInsn;
use crate::fault::GResult;
use crate::flags::bits::{CF, OF};
use crate::flags::OpSize;
use crate::Cpu;

pub const ROL: u8 = 0;
pub const ROR: u8 = 1;
pub const RCL: u8 = 2;
pub const RCR: u8 = 3;
pub const SHL: u8 = 4;
pub const SHR: u8 = 5;
pub const SAR: u8 = 7;

/// Result of a shift: value, CF, OF.
pub fn shift_compute(op: u8, size: OpSize, a: u32, count: u32, cf_in: bool) -> (u32, bool, bool) {
    let bits = size.bits();
    let m = size.mask();
    let sign = size.sign();
    let a = a & m;
    match op {
        ROL => {
            let c = count % bits;
            let r = if c == 0 {
                a
            } else {
                ((a << c) | (a >> (bits - c))) & m
            };
            let cf = r & 1 != 0;
            (r, cf, ((r & sign) != 0) ^ cf)
        }
        ROR => {
            let c = count % bits;
            let r = if c == 0 {
                a
            } else {
                ((a >> c) | (a << (bits - c))) & m
            };
            let cf = r & sign != 0;
            (r, cf, ((r & sign) != 0) ^ ((r & (sign >> 1)) != 0))
        }
        RCL => {
            let c = count % (bits + 1);
            let wide = (a as u64) | (cf_in as u64) << bits;
            let w = bits as u64 + 1;
            let rot = if c == 0 {
                wide
            } else {
                ((wide << c) | (wide >> (w - c as u64))) & ((1u64 << w) - 1)
            };
            let r = rot as u32 & m;
            let cf = (rot >> bits) & 1 != 0;
            (r, cf, ((r & sign) != 0) ^ cf)
        }
        RCR => {
            let c = count % (bits + 1);
            let wide = (a as u64) | (cf_in as u64) << bits;
            let w = bits as u64 + 1;
            let rot = if c == 0 {
                wide
            } else {
                ((wide >> c) | (wide << (w - c as u64))) & ((1u64 << w) - 1)
            };
            let r = rot as u32 & m;
            let cf = (rot >> bits) & 1 != 0;
            (r, cf, ((r & sign) != 0) ^ ((r & (sign >> 1)) != 0))
        }
        SHL | 6 => {
            let c = count.min(bits + 1) as u64;
            let wide = (a as u64) << c;
            let r = wide as u32 & m;
            let cf = (wide >> bits) & 1 != 0;
            (r, cf, ((r & sign) != 0) ^ cf)
        }
        SHR => {
            let c = count.min(bits + 1);
            let r = if c >= bits { 0 } else { a >> c };
            let cf = if c > bits {
                false
            } else {
                (a >> (c - 1)) & 1 != 0
            };
            (r, cf, c == 1 && a & sign != 0)
        }
        _ => {
            // SAR
            let sa = match size {
                OpSize::Byte => a as u8 as i8 as i64,
                OpSize::Word => a as u16 as i16 as i64,
                OpSize::Dword => a as i32 as i64,
            };
            let c = count.min(bits + 1);
            let r = (sa >> c) as u32 & m;
            let cf = (sa >> (c - 1)) & 1 != 0;
            (r, cf, false)
        }
    }
}

fn count_of(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<u32> {
    let i = &d.insn;
    let c = if i.op_count() < 2 {
        1
    } else {
        cpu.read_op(bus, d, 1)? & 0xFF
    };
    Ok(if cpu.model.is_286_plus() { c & 0x1F } else { c })
}

/// Group 2 shifts and rotates.
pub fn shift<const OP: u8>(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let size = d.size(0);
    let count = count_of(cpu, bus, d)?;
    let dst = cpu.loc(d, 0);
    let a = cpu.read_loc(bus, dst, size)?;
    if count == 0 {
        return Ok(());
    }
    let (r, cf, of) = shift_compute(OP, size, a, count, cpu.state.flags.cf());
    cpu.write_loc(bus, dst, size, r)?;
    let f = &mut cpu.state.flags;
    if OP <= RCR {
        // Rotates change only CF and OF.
        f.set_bits(CF | OF, (cf as u32) | (of as u32) << 11);
    } else {
        f.set_szp(size, r, cf, of, false);
    }
    Ok(())
}

/// 8086 D0-D3 /6 (SETMO/SETMOC): all ones, flags as OR with all ones.
pub fn setmo(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    let size = d.size(0);
    let bytes = i.len();
    let op = d.insn.op_code_raw_first_byte(bytes);
    if (op == 0xD2 || op == 0xD3) && cpu.state.r8(1) == 0 {
        return Ok(());
    }
    let dst = cpu.loc(d, 0);
    cpu.read_loc(bus, dst, size)?;
    cpu.write_loc(bus, dst, size, size.mask())?;
    cpu.state
        .flags
        .set_szp(size, size.mask(), false, false, false);
    Ok(())
}

/// Helper trait to reach the opcode byte (iced does not keep raw bytes).
trait RawOpcode {
    fn op_code_raw_first_byte(&self, _len: usize) -> u8;
}
impl RawOpcode for iced_x86::Instruction {
    fn op_code_raw_first_byte(&self, _len: usize) -> u8 {
        // SETMO decodes as ROL/etc with the reg field rewritten; the count operand tells
        // which opcode it came from: no second operand = D0/D1, CL = D2/D3.
        if self.op_count() >= 2 && self.op1_kind() == iced_x86::OpKind::Register {
            0xD2
        } else {
            0xD0
        }
    }
}

/// SHLD and SHRD.
pub fn shxd<const LEFT: bool>(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let size = d.size(0);
    let count = cpu.read_op(bus, d, 2)? & 0x1F;
    let dst = cpu.loc(d, 0);
    let a = cpu.read_loc(bus, dst, size)?;
    let b = cpu.read_op(bus, d, 1)?;
    if count == 0 {
        return Ok(());
    }
    let bits = size.bits();
    let (r, cf) = if size == OpSize::Word {
        // 16-bit forms with counts above 16 behave as a 32-bit shift of a:b:a (Intel).
        let wide: u64 = if LEFT {
            (a as u64) << 32 | (b as u64) << 16 | a as u64
        } else {
            (a as u64) | (b as u64) << 16 | (a as u64) << 32
        };
        if LEFT {
            let s = wide << count;
            (((s >> 32) & 0xFFFF) as u32, (s >> 48) & 1 != 0)
        } else {
            let s = wide >> count;
            ((s & 0xFFFF) as u32, (wide >> (count - 1)) & 1 != 0)
        }
    } else if LEFT {
        let wide = (a as u64) << bits | b as u64;
        let s = wide << count;
        // The last bit shifted out of the destination is bit (2 * bits - count) of a:b.
        (
            ((s >> bits) as u32) & size.mask(),
            (wide >> (2 * bits - count)) & 1 != 0,
        )
    } else {
        let wide = (b as u64) << bits | a as u64;
        let s = wide >> count;
        ((s as u32) & size.mask(), (wide >> (count - 1)) & 1 != 0)
    };
    cpu.write_loc(bus, dst, size, r)?;
    let of = ((r ^ a) & size.sign()) != 0;
    cpu.state.flags.set_szp(size, r, cf, of, false);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        // (op, size, a, count, cf_in) -> (r, cf)
        let cases: &[(u8, OpSize, u32, u32, bool, u32, bool)] = &[
            (SHL, OpSize::Byte, 0x81, 1, false, 0x02, true),
            (SHL, OpSize::Byte, 0x01, 8, false, 0x00, true),
            (SHL, OpSize::Byte, 0x01, 9, false, 0x00, false),
            (SHR, OpSize::Word, 0x8001, 1, false, 0x4000, true),
            (SHR, OpSize::Byte, 0x80, 8, false, 0, true),
            (SAR, OpSize::Byte, 0x80, 3, false, 0xF0, false),
            (SAR, OpSize::Byte, 0x80, 20, false, 0xFF, true),
            (ROL, OpSize::Byte, 0x81, 1, false, 0x03, true),
            (ROR, OpSize::Byte, 0x01, 1, false, 0x80, true),
            (RCL, OpSize::Byte, 0x80, 1, false, 0x00, true),
            (RCL, OpSize::Byte, 0x00, 1, true, 0x01, false),
            (RCR, OpSize::Byte, 0x01, 1, true, 0x80, true),
            (RCL, OpSize::Word, 0x1234, 17, false, 0x1234, false),
            (ROL, OpSize::Dword, 0x8000_0000, 1, false, 1, true),
        ];
        for &(op, size, a, c, cfi, r, cf) in cases {
            let (gr, gcf, _) = shift_compute(op, size, a, c, cfi);
            assert_eq!((gr, gcf), (r, cf), "op {op} {size:?} {a:#x} by {c}");
        }
    }

    /// The lazy shift records the JIT leaves give the flags the handler sets.
    #[test]
    fn lazy_shift_records_match_the_handler() {
        use crate::flags::{Flags, LazyOp};
        let mut seed = 0x1234_5678u32;
        for size in [OpSize::Byte, OpSize::Word, OpSize::Dword] {
            for op in [SHL, SHR, SAR] {
                for count in 1..size.bits() {
                    for k in 0..300u32 {
                        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                        let a = if k < 256 {
                            k.wrapping_mul(0x0101_0101) ^ seed >> 16
                        } else {
                            seed
                        } & size.mask();
                        let (r, cf, of) = shift_compute(op, size, a, count, false);
                        let mut want = Flags::default();
                        want.set_szp(size, r, cf, of, false);
                        let lazy = match op {
                            SHL => LazyOp::Shl,
                            SHR => LazyOp::Shr,
                            _ => LazyOp::Sar,
                        };
                        let mut got = Flags::default();
                        got.set_lazy(lazy, size, a, count, r);
                        assert_eq!(
                            got.value(),
                            want.value(),
                            "op {op} size {size:?} a {a:#x} count {count}"
                        );
                    }
                }
            }
        }
    }
}
