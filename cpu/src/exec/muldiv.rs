//! MUL, IMUL (one, two and three operands), DIV and IDIV with #DE on divide error.

use crate::bus::Bus;
use crate::decode::DecodedInsn;
use crate::fault::{Fault, GResult};
use crate::flags::OpSize;
use crate::state::reg;
use crate::Cpu;

fn sext(v: u32, size: OpSize) -> i64 {
    match size {
        OpSize::Byte => v as u8 as i8 as i64,
        OpSize::Word => v as u16 as i16 as i64,
        OpSize::Dword => v as i32 as i64,
    }
}

/// Reads the implicit accumulator pair as a wide value: AX, DX:AX or EDX:EAX.
fn acc_wide(cpu: &Cpu, size: OpSize) -> u64 {
    let r = &cpu.state.regs;
    match size {
        OpSize::Byte => (r[reg::EAX] & 0xFFFF) as u64,
        OpSize::Word => ((r[reg::EDX] & 0xFFFF) << 16 | (r[reg::EAX] & 0xFFFF)) as u64,
        OpSize::Dword => (r[reg::EDX] as u64) << 32 | r[reg::EAX] as u64,
    }
}

/// Stores a double-width product: AX, DX:AX or EDX:EAX.
fn store_wide(cpu: &mut Cpu, size: OpSize, v: u64) {
    match size {
        OpSize::Byte => cpu.state.set_r16(reg::EAX, v as u16),
        OpSize::Word => {
            cpu.state.set_r16(reg::EAX, v as u16);
            cpu.state.set_r16(reg::EDX, (v >> 16) as u16);
        }
        OpSize::Dword => {
            cpu.state.regs[reg::EAX] = v as u32;
            cpu.state.regs[reg::EDX] = (v >> 32) as u32;
        }
    }
}

/// Flags after a multiply: CF=OF=overflow; SF/ZF/PF from the low half (undefined by Intel).
fn mul_flags(cpu: &mut Cpu, size: OpSize, low: u32, overflow: bool) {
    let af = false;
    cpu.state.flags.set_szp(size, low, overflow, overflow, af);
    if !cpu.model.is_286_plus() {
        // The 8086 leaves ZF as computed from the full result's high part; keep SZP of low.
    }
}

pub fn mul(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let size = d.size(0);
    let src = cpu.read_op(bus, d, 0)? as u64;
    let a = (cpu.state.regs[reg::EAX] & size.mask()) as u64;
    let p = a * src;
    store_wide(cpu, size, p);
    let high = p >> size.bits();
    mul_flags(cpu, size, p as u32 & size.mask(), high != 0);
    Ok(())
}

pub fn imul(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let i = &d.insn;
    match i.op_count() {
        1 => {
            let size = d.size(0);
            let src = sext(cpu.read_op(bus, d, 0)?, size);
            let a = sext(cpu.state.regs[reg::EAX], size);
            let p = a * src;
            store_wide(cpu, size, p as u64);
            let low = p as u32 & size.mask();
            let overflow = sext(low, size) != p;
            mul_flags(cpu, size, low, overflow);
        }
        n => {
            let size = d.size(0);
            let (x, y) = if n == 2 {
                (cpu.read_op(bus, d, 0)?, cpu.read_op(bus, d, 1)?)
            } else {
                (cpu.read_op(bus, d, 1)?, i.immediate(2) as u32)
            };
            let p = sext(x, size) * sext(y & size.mask(), size);
            let low = p as u32 & size.mask();
            cpu.write_op(bus, d, 0, low)?;
            let overflow = sext(low, size) != p;
            mul_flags(cpu, size, low, overflow);
        }
    }
    Ok(())
}

pub fn div(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let size = d.size(0);
    let src = cpu.read_op(bus, d, 0)? as u64;
    if src == 0 {
        return Err(Fault::DE);
    }
    let n = acc_wide(cpu, size);
    let q = n / src;
    let r = n % src;
    if q > size.mask() as u64 {
        return Err(Fault::DE);
    }
    store_quot_rem(cpu, size, q as u32, r as u32);
    Ok(())
}

fn store_quot_rem(cpu: &mut Cpu, size: OpSize, q: u32, r: u32) {
    match size {
        OpSize::Byte => cpu
            .state
            .set_r16(reg::EAX, (q & 0xFF | (r & 0xFF) << 8) as u16),
        OpSize::Word => {
            cpu.state.set_r16(reg::EAX, q as u16);
            cpu.state.set_r16(reg::EDX, r as u16);
        }
        OpSize::Dword => {
            cpu.state.regs[reg::EAX] = q;
            cpu.state.regs[reg::EDX] = r;
        }
    }
}

pub fn idiv(cpu: &mut Cpu, bus: &mut dyn Bus, d: &DecodedInsn) -> GResult<()> {
    let size = d.size(0);
    let src = sext(cpu.read_op(bus, d, 0)?, size);
    if src == 0 {
        return Err(Fault::DE);
    }
    let w = acc_wide(cpu, size);
    let n: i64 = match size {
        OpSize::Byte => w as u16 as i16 as i64,
        OpSize::Word => w as u32 as i32 as i64,
        OpSize::Dword => w as i64,
    };
    // i64::MIN / -1 cannot happen for these widths except Dword: use i128.
    let q = (n as i128) / (src as i128);
    let r = (n as i128) % (src as i128);
    let bits = size.bits();
    let (min, max) = if cpu.model.is_286_plus() {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    } else {
        (-(1i128 << (bits - 1)) + 1, (1i128 << (bits - 1)) - 1)
    };
    if q < min || q > max {
        return Err(Fault::DE);
    }
    let mut q = q as i64;
    if !cpu.model.is_286_plus() && d.insn.has_rep_prefix() | d.insn.has_repne_prefix() {
        // The 8086 microcode negates the quotient when a REP prefix is present.
        q = -q;
    }
    store_quot_rem(cpu, size, q as u32 & size.mask(), r as u32 & size.mask());
    Ok(())
}
