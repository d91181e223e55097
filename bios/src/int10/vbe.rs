//! INT 10h AH=4Fh: VESA BIOS Extensions 2.0 over the Bochs-style VBE registers
//! (index 0x1CE, data 0x1CF): controller and mode information, mode set with the linear
//! framebuffer, bank switching, scan line length, display start and palette.

use super::mode;
use crate::host::BiosHost;
use crate::mem::{rd32, read_phys, reg_addr, write_phys};
use crate::regs::*;
use crate::rom::layout::{ROM_SEG, VBE_MODES, VBE_OEM};
use crate::rom::tables::VBE_MODE_LIST;
use rawbox_cpu::{SegReg, Width};

// Bochs VBE ("DISPI") register indices and enable bits.
const VBE_DISPI_INDEX_XRES: u16 = 1;
const VBE_DISPI_INDEX_YRES: u16 = 2;
const VBE_DISPI_INDEX_BPP: u16 = 3;
const VBE_DISPI_INDEX_ENABLE: u16 = 4;
const VBE_DISPI_INDEX_BANK: u16 = 5;
const VBE_DISPI_INDEX_VIRT_WIDTH: u16 = 6;
const VBE_DISPI_INDEX_X_OFFSET: u16 = 8;
const VBE_DISPI_INDEX_Y_OFFSET: u16 = 9;
const VBE_DISPI_ENABLED: u16 = 0x01;
const VBE_DISPI_LFB_ENABLED: u16 = 0x40;
const VBE_DISPI_NOCLEARMEM: u16 = 0x80;

fn dispi_write(host: &mut dyn BiosHost, index: u16, v: u16) {
    let now = host.now_ns();
    let vga = host.vga();
    vga.port_write(0x1CE, Width::Word, index as u32, now);
    vga.port_write(0x1CF, Width::Word, v as u32, now);
}

fn dispi_read(host: &mut dyn BiosHost, index: u16) -> u16 {
    let now = host.now_ns();
    let vga = host.vga();
    vga.port_write(0x1CE, Width::Word, index as u32, now);
    vga.port_read(0x1CF, Width::Word, now) as u16
}

fn find(m: u16) -> Option<(u16, u16, u16, u8)> {
    VBE_MODE_LIST.iter().copied().find(|e| e.0 == m & 0x1FF)
}

fn bytes_pp(bpp: u8) -> u16 {
    (bpp as u16).div_ceil(8)
}

fn ok(host: &mut dyn BiosHost) {
    set_ax(host.cpu(), 0x004F);
}

fn fail(host: &mut dyn BiosHost) {
    set_ax(host.cpu(), 0x014F);
}

/// AX=4F00h.
fn controller_info(host: &mut dyn BiosHost) {
    let a = reg_addr(host, SegReg::Es, rawbox_cpu::state::reg::EDI);
    let vbe2 = rd32(host, a) == u32::from_le_bytes(*b"VBE2");
    let mut buf = vec![0u8; if vbe2 { 512 } else { 256 }];
    buf[0..4].copy_from_slice(b"VESA");
    buf[4..6].copy_from_slice(&0x0200u16.to_le_bytes());
    let far = |off: u16| ((ROM_SEG as u32) << 16 | off as u32).to_le_bytes();
    buf[6..10].copy_from_slice(&far(VBE_OEM));
    buf[14..18].copy_from_slice(&far(VBE_MODES));
    let blocks = (host.vga().lfb_size() / 0x10000) as u16;
    buf[18..20].copy_from_slice(&blocks.to_le_bytes());
    if vbe2 {
        buf[20..22].copy_from_slice(&0x0002u16.to_le_bytes());
        buf[22..26].copy_from_slice(&far(VBE_OEM));
        buf[26..30].copy_from_slice(&far(VBE_OEM));
        buf[30..34].copy_from_slice(&far(VBE_OEM));
    }
    write_phys(host, a, &buf);
    ok(host);
}

/// AX=4F01h.
fn mode_info(host: &mut dyn BiosHost) {
    let Some((_, w, h, bpp)) = find(cx(host.cpu())) else {
        return fail(host);
    };
    let a = reg_addr(host, SegReg::Es, rawbox_cpu::state::reg::EDI);
    let mut b = [0u8; 256];
    let pitch = w * bytes_pp(bpp);
    let put16 = |b: &mut [u8; 256], o: usize, v: u16| b[o..o + 2].copy_from_slice(&v.to_le_bytes());
    put16(&mut b, 0, 0x009B);
    b[2] = 0x07;
    put16(&mut b, 4, 64);
    put16(&mut b, 6, 64);
    put16(&mut b, 8, 0xA000);
    put16(&mut b, 16, pitch);
    put16(&mut b, 18, w);
    put16(&mut b, 20, h);
    b[22] = 8;
    b[23] = 16;
    b[24] = 1;
    b[25] = bpp;
    b[26] = 1;
    b[27] = if bpp == 8 { 4 } else { 6 };
    let frame = pitch as u32 * h as u32;
    b[29] = ((host.vga().lfb_size() / frame.max(1)).clamp(1, 256) - 1) as u8;
    b[30] = 1;
    let masks: [u8; 8] = match bpp {
        15 => [5, 10, 5, 5, 5, 0, 1, 15],
        16 => [5, 11, 6, 5, 5, 0, 0, 0],
        24 => [8, 16, 8, 8, 8, 0, 0, 0],
        32 => [8, 16, 8, 8, 8, 0, 8, 24],
        _ => [0; 8],
    };
    b[31..39].copy_from_slice(&masks);
    let lfb = host.vga().lfb_base();
    b[40..44].copy_from_slice(&lfb.to_le_bytes());
    put16(&mut b, 50, pitch);
    write_phys(host, a, &b);
    ok(host);
}

/// AX=4F02h.
fn set_mode(host: &mut dyn BiosHost) {
    let bx_ = bx(host.cpu());
    let m = bx_ & 0x1FF;
    if m < 0x100 {
        if mode::set_mode(host, m as u8 | if bx_ & 0x8000 != 0 { 0x80 } else { 0 }) {
            return ok(host);
        }
        return fail(host);
    }
    let Some((_, w, h, bpp)) = find(m) else {
        return fail(host);
    };
    dispi_write(host, VBE_DISPI_INDEX_ENABLE, 0);
    dispi_write(host, VBE_DISPI_INDEX_XRES, w);
    dispi_write(host, VBE_DISPI_INDEX_YRES, h);
    dispi_write(host, VBE_DISPI_INDEX_BPP, bpp as u16);
    let mut en = VBE_DISPI_ENABLED;
    if bx_ & 0x4000 != 0 {
        en |= VBE_DISPI_LFB_ENABLED;
    }
    if bx_ & 0x8000 != 0 {
        en |= VBE_DISPI_NOCLEARMEM;
    }
    dispi_write(host, VBE_DISPI_INDEX_ENABLE, en);
    ok(host);
}

/// AX=4F03h.
fn current_mode(host: &mut dyn BiosHost) {
    if host.vga().vbe_enabled() {
        let w = dispi_read(host, VBE_DISPI_INDEX_XRES);
        let h = dispi_read(host, VBE_DISPI_INDEX_YRES);
        let bpp = dispi_read(host, VBE_DISPI_INDEX_BPP);
        let lfb = dispi_read(host, VBE_DISPI_INDEX_ENABLE) & VBE_DISPI_LFB_ENABLED != 0;
        let m = VBE_MODE_LIST
            .iter()
            .find(|e| e.1 == w && e.2 == h && e.3 as u16 == bpp)
            .map(|e| e.0)
            .unwrap_or(0x101);
        set_bx(host.cpu(), m | if lfb { 0x4000 } else { 0 });
    } else {
        let m = mode::current_mode(host);
        set_bx(host.cpu(), m as u16);
    }
    ok(host);
}

/// INT 10h AH=4Fh.
pub fn int10_vbe(host: &mut dyn BiosHost) {
    let cpu = host.cpu();
    let (func, bl_, bh_, cx_, dx_) = (al(cpu), bl(cpu), bh(cpu), cx(cpu), dx(cpu));
    match func {
        0x00 => controller_info(host),
        0x01 => mode_info(host),
        0x02 => set_mode(host),
        0x03 => current_mode(host),
        0x05 => {
            if bh_ == 0 {
                dispi_write(host, VBE_DISPI_INDEX_BANK, dx_);
            } else {
                let b = dispi_read(host, VBE_DISPI_INDEX_BANK);
                set_dx(host.cpu(), b);
            }
            ok(host);
        }
        0x06 => {
            if bl_ == 0 {
                dispi_write(host, VBE_DISPI_INDEX_VIRT_WIDTH, cx_);
            }
            let vw = dispi_read(host, VBE_DISPI_INDEX_VIRT_WIDTH);
            let bpp = dispi_read(host, VBE_DISPI_INDEX_BPP) as u8;
            let pitch = vw.wrapping_mul(bytes_pp(bpp));
            let lines = (host.vga().lfb_size() / (pitch as u32).max(1)).min(0xFFFF) as u16;
            let cpu = host.cpu();
            set_bx(cpu, pitch);
            set_cx(cpu, vw);
            set_dx(cpu, lines);
            ok(host);
        }
        0x07 => {
            if bl_ & 0x7F == 0 {
                dispi_write(host, VBE_DISPI_INDEX_X_OFFSET, cx_);
                dispi_write(host, VBE_DISPI_INDEX_Y_OFFSET, dx_);
            } else {
                let x = dispi_read(host, VBE_DISPI_INDEX_X_OFFSET);
                let y = dispi_read(host, VBE_DISPI_INDEX_Y_OFFSET);
                let cpu = host.cpu();
                set_bh(cpu, 0);
                set_cx(cpu, x);
                set_dx(cpu, y);
            }
            ok(host);
        }
        0x08 => {
            set_bh(host.cpu(), 6);
            ok(host);
        }
        0x09 => {
            let a = reg_addr(host, SegReg::Es, rawbox_cpu::state::reg::EDI);
            let start = (dx_ & 0xFF) as u8;
            let count = cx_.min(256 - start as u16) as usize;
            if bl_ & 0x7F == 0 {
                let mut raw = vec![0u8; count * 4];
                read_phys(host, a, &mut raw);
                let e: Vec<[u8; 3]> = raw
                    .chunks(4)
                    .map(|c| [c[2] & 0x3F, c[1] & 0x3F, c[0] & 0x3F])
                    .collect();
                host.vga().load_dac(start, &e);
            } else {
                let now = host.now_ns();
                let vga = host.vga();
                vga.port_write(0x3C7, Width::Byte, start as u32, now);
                let mut raw = vec![0u8; count * 4];
                for c in raw.chunks_mut(4) {
                    let r = vga.port_read(0x3C9, Width::Byte, now) as u8;
                    let g = vga.port_read(0x3C9, Width::Byte, now) as u8;
                    let b = vga.port_read(0x3C9, Width::Byte, now) as u8;
                    c.copy_from_slice(&[b, g, r, 0]);
                }
                write_phys(host, a, &raw);
            }
            ok(host);
        }
        _ => fail(host),
    }
}
