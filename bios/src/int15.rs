//! INT 15h system services: A20 gate, keyboard intercept, wait, block move, extended
//! memory size (88h, E801h), the E820h memory map, the configuration table, the EBDA
//! segment; everything else reports "unsupported" (AH=86h, CF set).

use crate::bda;
use crate::host::BiosHost;
use crate::io::{cmos_read, cmos_write};
use crate::mem::{rd16, read_phys, reg_addr, set_frame_flag, write_phys};
use crate::misc::{finish, unsupported};
use crate::regs::*;
use crate::rom::layout::{CONFIG_TABLE, ROM_SEG};
use crate::Bios;
use rawbox_cpu::state::reg;
use rawbox_cpu::SegReg;

/// "SMAP" as EAX/EDX hold it.
const SMAP: u32 = 0x534D_4150;

/// E820 type: usable RAM.
pub const E820_RAM: u32 = 1;
/// E820 type: reserved.
pub const E820_RESERVED: u32 = 2;

/// The memory map: (base, length, type).
pub fn memory_map(memory_bytes: u64) -> Vec<(u64, u64, u32)> {
    let ebda = crate::post::BASE_MEMORY_KB as u64 * 1024;
    let mut map = vec![
        (0, ebda, E820_RAM),
        (ebda, 0xA0000 - ebda, E820_RESERVED),
        (0xF0000, 0x10000, E820_RESERVED),
    ];
    if memory_bytes > 0x10_0000 {
        map.push((0x10_0000, memory_bytes - 0x10_0000, E820_RAM));
    }
    map.push((0xFFFF_0000, 0x10000, E820_RESERVED));
    map
}

/// INT 15h.
pub fn int15(bios: &mut Bios, host: &mut dyn BiosHost) {
    let cpu = host.cpu();
    let (func, al_) = (ah(cpu), al(cpu));
    match func {
        0x24 => match al_ {
            0x00 | 0x01 => {
                set_a20(host, al_ == 1);
                finish(host, 0);
            }
            0x02 => {
                let on = host.cpu().state.a20;
                set_al(host.cpu(), on as u8);
                finish(host, 0);
            }
            0x03 => {
                set_bx(host.cpu(), 0x0003);
                finish(host, 0);
            }
            _ => unsupported(host),
        },
        // Keyboard intercept: keep the caller's CF (set = process the key).
        0x4F => {}
        0x83 => event_wait(bios, host),
        0x86 => wait(bios, host),
        0x87 => block_move(host),
        0x88 => {
            let ext = (host.config().memory_bytes.saturating_sub(0x10_0000) / 1024).min(0xFC00);
            set_ax(host.cpu(), ext as u16);
            set_frame_flag(host, 1, false);
        }
        0x90 | 0x91 => finish(host, 0),
        0xC2 => crate::mouse::int15_c2(bios, host),
        0xC0 => {
            let cpu = host.cpu();
            set_sreg(cpu, SegReg::Es, ROM_SEG);
            set_bx(cpu, CONFIG_TABLE);
            finish(host, 0);
        }
        0xC1 => {
            let seg = rd16(host, bda::EBDA_SEG);
            set_sreg(host.cpu(), SegReg::Es, seg);
            set_frame_flag(host, 1, false);
        }
        0xE8 if al_ == 0x01 => {
            let mem = host.config().memory_bytes;
            let below16 = (mem.clamp(0x10_0000, 0x100_0000) - 0x10_0000) / 1024;
            let above16 = (mem.saturating_sub(0x100_0000) / 0x10000).min(0xFFFF);
            let cpu = host.cpu();
            set_ax(cpu, below16 as u16);
            set_cx(cpu, below16 as u16);
            set_bx(cpu, above16 as u16);
            set_dx(cpu, above16 as u16);
            set_frame_flag(host, 1, false);
        }
        0xE8 if al_ == 0x20 => e820(host),
        _ => unsupported(host),
    }
}

/// AX=E820h: one memory map entry per call.
fn e820(host: &mut dyn BiosHost) {
    let cpu = host.cpu();
    let (edx, ebx, ecx) = (
        cpu.state.regs[reg::EDX],
        cpu.state.regs[reg::EBX],
        cpu.state.regs[reg::ECX],
    );
    let map = memory_map(host.config().memory_bytes);
    let Some(&(base, len, kind)) = map.get(ebx as usize) else {
        return finish(host, 0x86);
    };
    if edx != SMAP || ecx < 20 {
        return finish(host, 0x86);
    }
    let a = reg_addr(host, SegReg::Es, rawbox_cpu::state::reg::EDI);
    let mut e = [0u8; 20];
    e[0..8].copy_from_slice(&base.to_le_bytes());
    e[8..16].copy_from_slice(&len.to_le_bytes());
    e[16..20].copy_from_slice(&kind.to_le_bytes());
    write_phys(host, a, &e);
    let next = if ebx as usize + 1 < map.len() {
        ebx + 1
    } else {
        0
    };
    let cpu = host.cpu();
    cpu.state.regs[reg::EAX] = SMAP;
    cpu.state.regs[reg::ECX] = 20;
    cpu.state.regs[reg::EBX] = next;
    set_frame_flag(host, 1, false);
}

/// AH=86h: waits CX:DX microseconds. The first call arms a deadline and the RTC periodic
/// interrupt; the stub re-enters after every interrupt until the time has come.
fn wait(bios: &mut Bios, host: &mut dyn BiosHost) {
    let now = host.now_ns();
    let until = match bios.wait_until_ns {
        Some(t) => t,
        None => {
            let cpu = host.cpu();
            let us = ((cx(cpu) as u64) << 16) | dx(cpu) as u64;
            if us == 0 {
                return finish(host, 0);
            }
            let t = now.saturating_add(us.saturating_mul(1000));
            bios.wait_until_ns = Some(t);
            let b = cmos_read(host, 0x0B);
            cmos_write(host, 0x0B, b | 0x40);
            t
        }
    };
    if now >= until {
        bios.wait_until_ns = None;
        if bios.event_wait.is_none() {
            let b = cmos_read(host, 0x0B);
            cmos_write(host, 0x0B, b & !0x40);
        }
        finish(host, 0);
    } else {
        set_live_cf(host.cpu(), true);
    }
}

/// AH=87h: copies CX words between the physical addresses of the source and target
/// descriptors in the GDT at ES:SI.
fn block_move(host: &mut dyn BiosHost) {
    let cpu = host.cpu();
    let words = cx(cpu).min(0x8000) as usize;
    let gdt = reg_addr(host, SegReg::Es, rawbox_cpu::state::reg::ESI);
    let base = |host: &mut dyn BiosHost, d: u32| {
        let mut b = [0u8; 8];
        read_phys(host, gdt.wrapping_add(d), &mut b);
        u32::from_le_bytes([b[2], b[3], b[4], b[7]])
    };
    let src = base(host, 0x10);
    let dst = base(host, 0x18);
    let mut buf = vec![0u8; words * 2];
    read_phys(host, src, &mut buf);
    write_phys(host, dst, &buf);
    finish(host, 0);
}

/// AH=83h: AL=0 starts a wait of CX:DX microseconds that sets bit 7 of the byte at ES:BX
/// when it ends (from the RTC interrupt); AL=1 cancels it.
fn event_wait(bios: &mut Bios, host: &mut dyn BiosHost) {
    let cpu = host.cpu();
    let (sub, us) = (al(cpu), ((cx(cpu) as u64) << 16) | dx(cpu) as u64);
    match sub {
        0x00 => {
            if bios.event_wait.is_some() {
                return finish(host, 0x80);
            }
            let flag = crate::mem::reg_addr(host, SegReg::Es, reg::EBX);
            let until = host.now_ns().saturating_add(us.saturating_mul(1000));
            bios.event_wait = Some((until, flag));
            crate::mem::wr8(host, bda::WAIT_ACTIVE, 1);
            let b = cmos_read(host, 0x0B);
            cmos_write(host, 0x0B, b | 0x40);
            set_frame_flag(host, 1, false);
        }
        0x01 => {
            bios.event_wait = None;
            crate::mem::wr8(host, bda::WAIT_ACTIVE, 0);
            set_frame_flag(host, 1, false);
        }
        _ => unsupported(host),
    }
}

/// Switches the A20 gate on both gates the platform ORs (port 92h bit 1 and the keyboard
/// controller's output port, commands DDh/DFh), then tells the host.
fn set_a20(host: &mut dyn BiosHost, on: bool) {
    let p92 = crate::io::inb(host, 0x92);
    let p92 = (p92 & !0x03) | if on { 0x02 } else { 0 };
    crate::io::outb(host, 0x92, p92);
    crate::io::outb(host, 0x64, if on { 0xDF } else { 0xDD });
    host.set_a20(on);
}
