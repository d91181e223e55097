//! INT 10h AH=10h: attribute palette registers and DAC colour registers.

use crate::host::BiosHost;
use crate::mem::{read_phys, seg_addr, write_phys};
use crate::regs::*;
use rawbox_cpu::{SegReg, Width};

fn dac_read(host: &mut dyn BiosHost, index: u8, out: &mut [u8]) {
    let now = host.now_ns();
    let vga = host.vga();
    vga.port_write(0x3C7, Width::Byte, index as u32, now);
    for b in out.iter_mut() {
        *b = vga.port_read(0x3C9, Width::Byte, now) as u8;
    }
}

/// AH=10h.
pub fn int10_palette(host: &mut dyn BiosHost) {
    let cpu = host.cpu();
    let (func, bl_, bh_, bx_, cx_, dx_) = (al(cpu), bl(cpu), bh(cpu), bx(cpu), cx(cpu), dx(cpu));
    let (ch_, cl_, dh_) = (ch(cpu), cl(cpu), dh(cpu));
    match func {
        0x00 => {
            if bl_ < 0x10 {
                host.vga().set_attribute_register(bl_, bh_);
            }
        }
        0x01 => host.vga().set_attribute_register(0x11, bh_),
        0x02 => {
            let a = seg_addr(host, SegReg::Es, dx_);
            let mut regs = [0u8; 17];
            read_phys(host, a, &mut regs);
            for (i, &v) in regs.iter().enumerate() {
                let index = if i == 16 { 0x11 } else { i as u8 };
                host.vga().set_attribute_register(index, v);
            }
        }
        0x03 => {
            let v = host.vga().attribute_register(0x10);
            let v = if bl_ & 1 != 0 { v | 0x08 } else { v & !0x08 };
            host.vga().set_attribute_register(0x10, v);
        }
        0x07 => {
            let v = host.vga().attribute_register(bl_ & 0x1F);
            set_bh(host.cpu(), v);
        }
        0x08 => {
            let v = host.vga().attribute_register(0x11);
            set_bh(host.cpu(), v);
        }
        0x09 => {
            let a = seg_addr(host, SegReg::Es, dx_);
            let mut regs = [0u8; 17];
            for (i, r) in regs.iter_mut().enumerate() {
                *r = host
                    .vga()
                    .attribute_register(if i == 16 { 0x11 } else { i as u8 });
            }
            write_phys(host, a, &regs);
        }
        0x10 => host
            .vga()
            .load_dac(bx_ as u8, &[[dh_ & 0x3F, ch_ & 0x3F, cl_ & 0x3F]]),
        0x12 => {
            let a = seg_addr(host, SegReg::Es, dx_);
            let count = cx_.min(256u16.saturating_sub(bx_ & 0xFF)) as usize;
            let mut raw = vec![0u8; count * 3];
            read_phys(host, a, &mut raw);
            let entries: Vec<[u8; 3]> = raw
                .chunks(3)
                .map(|c| [c[0] & 0x3F, c[1] & 0x3F, c[2] & 0x3F])
                .collect();
            host.vga().load_dac(bx_ as u8, &entries);
        }
        0x13 => {
            let mut v = host.vga().attribute_register(0x10);
            if bl_ == 0 {
                v = (v & 0x7F) | ((bh_ & 1) << 7);
                host.vga().set_attribute_register(0x10, v);
            } else {
                let sel = if v & 0x80 != 0 {
                    bh_ & 0x0F
                } else {
                    (bh_ & 3) << 2
                };
                host.vga().set_attribute_register(0x14, sel);
            }
        }
        0x15 => {
            let mut rgb = [0u8; 3];
            dac_read(host, bx_ as u8, &mut rgb);
            let cpu = host.cpu();
            set_dh(cpu, rgb[0]);
            set_ch(cpu, rgb[1]);
            set_cl(cpu, rgb[2]);
        }
        0x17 => {
            let a = seg_addr(host, SegReg::Es, dx_);
            let count = cx_.min(256u16.saturating_sub(bx_ & 0xFF)) as usize;
            let mut raw = vec![0u8; count * 3];
            dac_read(host, bx_ as u8, &mut raw);
            write_phys(host, a, &raw);
        }
        0x18 => {
            let now = host.now_ns();
            host.vga().port_write(0x3C6, Width::Byte, bl_ as u32, now);
        }
        0x19 => {
            let v = host.vga().peek(0x3C6);
            set_bl(host.cpu(), v);
        }
        0x1A => {
            let mode = host.vga().attribute_register(0x10) >> 7;
            let sel = host.vga().attribute_register(0x14);
            let cpu = host.cpu();
            set_bl(cpu, mode);
            set_bh(cpu, sel);
        }
        0x1B => {
            let count = cx_.min(256u16.saturating_sub(bx_ & 0xFF)) as usize;
            let mut raw = vec![0u8; count * 3];
            dac_read(host, bx_ as u8, &mut raw);
            let grey: Vec<[u8; 3]> = raw
                .chunks(3)
                .map(|c| {
                    let g = ((c[0] as u32 * 30 + c[1] as u32 * 59 + c[2] as u32 * 11 + 50) / 100)
                        .min(63) as u8;
                    [g, g, g]
                })
                .collect();
            host.vga().load_dac(bx_ as u8, &grey);
        }
        _ => log::debug!("bios: int 10h ax=10{func:02x} unsupported"),
    }
}
