//! Unit tests of the VGA: port-level register behaviour here, memory, rendering and VBE
//! in the submodules.

mod memory;
mod render;
mod vbe;

use super::*;

pub(super) fn out8(v: &mut Vga, port: u16, val: u8) {
    v.port_write(port, Width::Byte, val as u32, 0);
}
pub(super) fn in8(v: &mut Vga, port: u16) -> u8 {
    v.port_read(port, Width::Byte, 0) as u8
}
pub(super) fn seq(v: &mut Vga, idx: u8, val: u8) {
    out8(v, 0x3C4, idx);
    out8(v, 0x3C5, val);
}
pub(super) fn gc(v: &mut Vga, idx: u8, val: u8) {
    out8(v, 0x3CE, idx);
    out8(v, 0x3CF, val);
}
pub(super) fn crtc(v: &mut Vga, idx: u8, val: u8) {
    out8(v, 0x3D4, idx);
    out8(v, 0x3D5, val);
}
/// Writes an attribute register and leaves the display enabled (PAS set).
pub(super) fn attr(v: &mut Vga, idx: u8, val: u8) {
    in8(v, 0x3DA);
    out8(v, 0x3C0, idx & 0x1F);
    out8(v, 0x3C0, val);
    out8(v, 0x3C0, 0x20);
}
pub(super) fn vga_in_mode(mode: u8) -> Vga {
    let mut v = Vga::new();
    assert!(v.set_bios_mode(mode));
    v
}

#[test]
fn ports_claimed_and_unclaimed_reads() {
    let mut v = Vga::new();
    assert_eq!(v.ports(), &[(0x3B0, 0x3BB), (0x3C0, 0x3DF), (0x1CE, 0x1CF)]);
    assert_eq!(in8(&mut v, 0x3CD), 0xFF);
    assert_eq!(in8(&mut v, 0x3B0), 0xFF);
    // Undefined sequencer register reads all ones.
    out8(&mut v, 0x3C4, 0x06);
    assert_eq!(in8(&mut v, 0x3C5), 0xFF);
}

#[test]
fn misc_output_selects_crtc_and_status_ports() {
    let mut v = vga_in_mode(3);
    assert_eq!(in8(&mut v, 0x3CC), 0x67);
    out8(&mut v, 0x3D4, 0x0E);
    assert_eq!(in8(&mut v, 0x3D4), 0x0E);
    assert_eq!(in8(&mut v, 0x3B4), 0xFF);
    out8(&mut v, 0x3C2, 0x66); // mono addressing
    assert_eq!(in8(&mut v, 0x3D4), 0xFF);
    out8(&mut v, 0x3B4, 0x0F);
    out8(&mut v, 0x3B5, 0x42);
    assert_eq!(v.crtc.regs[0x0F], 0x42);
    assert_eq!(in8(&mut v, 0x3DA), 0xFF);
    assert_ne!(in8(&mut v, 0x3BA), 0xFF);
}

#[test]
fn word_write_sets_index_and_data() {
    let mut v = vga_in_mode(0x12);
    v.port_write(0x3C4, Width::Word, 0x0302, 0);
    assert_eq!(v.seq.map_mask(), 0x03);
    v.port_write(0x3CE, Width::Word, 0xC308, 0);
    assert_eq!(v.gc.bit_mask(), 0xC3);
    assert_eq!(v.port_read(0x3CE, Width::Word, 0), 0xC308);
}

#[test]
fn sequencer_and_gc_registers_keep_only_defined_bits() {
    let mut v = vga_in_mode(3);
    seq(&mut v, 2, 0xFF);
    out8(&mut v, 0x3C4, 2);
    assert_eq!(in8(&mut v, 0x3C5), 0x0F);
    gc(&mut v, 5, 0xFF);
    out8(&mut v, 0x3CE, 5);
    assert_eq!(in8(&mut v, 0x3CF), 0x7B);
    gc(&mut v, 4, 0xFF);
    assert_eq!(v.gc.read_map(), 3);
}

#[test]
fn crtc_write_protect_via_ports() {
    let mut v = vga_in_mode(3);
    assert_eq!(v.crtc.regs[0x11] & 0x80, 0x80, "BIOS table protects 0-7");
    crtc(&mut v, 0x01, 0x27);
    assert_eq!(v.crtc.regs[1], 0x4F);
    crtc(&mut v, 0x07, 0x00);
    assert_eq!(
        v.crtc.regs[7], 0x0F,
        "only bit 4 (line compare bit 8) is writable"
    );
    crtc(&mut v, 0x11, 0x0E);
    crtc(&mut v, 0x01, 0x27);
    assert_eq!(v.crtc.regs[1], 0x27);
    // Registers above 7 are never protected.
    crtc(&mut v, 0x11, 0x8E);
    crtc(&mut v, 0x0C, 0x12);
    assert_eq!(v.crtc.regs[0x0C], 0x12);
    out8(&mut v, 0x3D4, 0x0C);
    assert_eq!(in8(&mut v, 0x3D5), 0x12);
}

#[test]
fn attribute_flip_flop_reset_by_input_status_read() {
    let mut v = vga_in_mode(3);
    in8(&mut v, 0x3DA);
    out8(&mut v, 0x3C0, 0x11); // index: overscan (PAS clear)
    out8(&mut v, 0x3C0, 0x05); // data
    assert_eq!(v.attr.regs[0x11], 0x05);
    out8(&mut v, 0x3C0, 0x14); // index again (flip-flop toggled back)
    assert_eq!(in8(&mut v, 0x3C0), 0x14);
    // Reading input status 1 resets to index state, so this is an index, not data.
    in8(&mut v, 0x3DA);
    out8(&mut v, 0x3C0, 0x33);
    assert_eq!(v.attr.regs[0x14], 0);
    assert_eq!(in8(&mut v, 0x3C0), 0x33);
    assert_eq!(in8(&mut v, 0x3C1), v.attr.regs[0x13]);
    out8(&mut v, 0x3C0, 0x07);
    assert_eq!(v.attr.regs[0x13], 0x07);
}

#[test]
fn attribute_mode_register_read_back() {
    let mut v = vga_in_mode(3);
    attr(&mut v, 0x10, 0x08);
    in8(&mut v, 0x3DA);
    out8(&mut v, 0x3C0, 0x30);
    assert_eq!(in8(&mut v, 0x3C1), 0x08);
    assert!(v.attr.blink_enabled());
    assert!(!v.attr.line_graphics());
}

#[test]
fn dac_ports_auto_increment() {
    let mut v = vga_in_mode(3);
    out8(&mut v, 0x3C8, 0x10);
    for c in [1, 2, 3, 4, 5, 6] {
        out8(&mut v, 0x3C9, c);
    }
    assert_eq!(in8(&mut v, 0x3C8), 0x12);
    out8(&mut v, 0x3C7, 0x10);
    assert_eq!(in8(&mut v, 0x3C7) & 3, 3);
    let got: Vec<u8> = (0..6).map(|_| in8(&mut v, 0x3C9)).collect();
    assert_eq!(got, vec![1, 2, 3, 4, 5, 6]);
    out8(&mut v, 0x3C6, 0x0F);
    assert_eq!(in8(&mut v, 0x3C6), 0x0F);
    // peek does not advance the read index.
    out8(&mut v, 0x3C7, 0x10);
    assert_eq!(v.peek(0x3C9), 1);
    assert_eq!(v.peek(0x3C9), 1);
    assert_eq!(in8(&mut v, 0x3C9), 1);
    assert_eq!(in8(&mut v, 0x3C9), 2);
}

/// Times (ns) of vertical-retrace rising edges sampled every `step` ns up to `end`.
fn retrace_edges(v: &mut Vga, port: u16, step: u64, end: u64) -> Vec<u64> {
    let mut edges = Vec::new();
    let mut prev = true;
    let mut t = 0;
    while t < end {
        let s = v.port_read(port, Width::Byte, t) as u8 & 0x08 != 0;
        if s && !prev {
            edges.push(t);
        }
        prev = s;
        t += step;
    }
    edges
}

#[test]
fn vertical_retrace_period_70hz_text() {
    let mut v = vga_in_mode(3);
    // 900 dots x 449 lines at 28.322 MHz = 14.268 ms.
    let edges = retrace_edges(&mut v, 0x3DA, 5_000, 50_000_000);
    assert!(edges.len() >= 3);
    let period = edges[2] - edges[1];
    assert!(
        (14_260_000..=14_280_000).contains(&period),
        "period {period}"
    );
    assert_eq!(v.refresh_mhz() / 100, 700);
    // Retrace starts at line 412: 412 * 31.777 us after the frame start.
    assert!(
        (13_080_000..=13_100_000).contains(&edges[0]),
        "first {}",
        edges[0]
    );
}

#[test]
fn vertical_retrace_period_60hz_graphics() {
    let mut v = vga_in_mode(0x12);
    let edges = retrace_edges(&mut v, 0x3DA, 5_000, 50_000_000);
    let period = edges[2] - edges[1];
    // 800 dots x 525 lines at 25.175 MHz = 16.683 ms.
    assert!(
        (16_675_000..=16_690_000).contains(&period),
        "period {period}"
    );
    assert_eq!(v.refresh_mhz() / 100, 599);
}

#[test]
fn retrace_bit_lasts_only_a_few_lines() {
    let mut v = vga_in_mode(3);
    let line_ps = 900 * 1_000_000_000_000 / 28_322_000; // ~31.78 us
    let status = |v: &mut Vga, line: u64| {
        v.port_read(0x3DA, Width::Byte, line * line_ps / 1000 + 1000) as u8
    };
    assert_eq!(status(&mut v, 0) & 0x08, 0);
    assert_eq!(status(&mut v, 411) & 0x08, 0);
    assert_eq!(status(&mut v, 412) & 0x09, 0x09);
    assert_eq!(status(&mut v, 413) & 0x08, 0x08);
    assert_eq!(status(&mut v, 414) & 0x08, 0);
    assert_eq!(status(&mut v, 420) & 0x01, 0x01, "vertical blank");
}

#[test]
fn next_vsync_is_a_retrace_start() {
    let mut v = vga_in_mode(0x13);
    let t1 = v.next_vsync_ns(0);
    let t2 = v.next_vsync_ns(t1);
    assert!(
        (14_260_000..=14_280_000).contains(&(t2 - t1)),
        "{}",
        t2 - t1
    );
    assert_eq!(v.port_read(0x3DA, Width::Byte, t1 + 100) & 0x08, 0x08);
    assert_eq!(v.port_read(0x3DA, Width::Byte, t1 - 1_000) & 0x08, 0);
}

#[test]
fn display_enable_bit_toggles_within_a_line() {
    let mut v = vga_in_mode(3);
    // 720 of 900 dots are displayed: 25.4 us of 31.8 us.
    assert_eq!(v.port_read(0x3DA, Width::Byte, 1_000) & 1, 0);
    assert_eq!(v.port_read(0x3DA, Width::Byte, 24_000) & 1, 0);
    assert_eq!(v.port_read(0x3DA, Width::Byte, 27_000) & 1, 1);
    assert_eq!(
        v.port_read(0x3DA, Width::Byte, 31_900) & 1,
        0,
        "next line displayed"
    );
}

#[test]
fn input_status_0_reports_monitor() {
    let mut v = Vga::new();
    assert_eq!(in8(&mut v, 0x3C2) & 0x10, 0x10);
}

#[test]
fn guest_garbage_never_panics() {
    let mut v = Vga::new();
    let mut s: u64 = 0x1234_5678_9ABC_DEF0;
    let mut next = || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 33) as u32
    };
    let mut frame = Frame::new();
    for round in 0..40u64 {
        for _ in 0..400 {
            let r = next();
            let port = match r % 5 {
                0 => 0x1CE + (r >> 8) as u16 % 2,
                _ => 0x3B0 + (r >> 8) as u16 % 0x30,
            };
            let width = [Width::Byte, Width::Word, Width::Dword][(r >> 20) as usize % 3];
            if r & 0x8000_0000 != 0 {
                v.port_write(port, width, next(), round * 1_000_000);
            } else {
                v.port_read(port, width, u64::MAX - round);
            }
            let a = 0xA0000 + next() % 0x20000;
            v.mem_write(a, next() as u8);
            v.mem_read(a);
            v.lfb_write(next(), 1);
            v.lfb_read(next());
        }
        v.render(&mut frame, round * 7_000_000);
        let _ = v.text_snapshot();
        assert_eq!(frame.pixels.len(), (frame.width * frame.height) as usize);
    }
}
