//! Bochs VBE interface tests: identification, capabilities, enable with LFB and bank
//! windows, depths, virtual width / offsets and the return to legacy modes.

use super::*;

fn vbe_write(v: &mut Vga, index: u16, value: u16) {
    v.port_write(0x1CE, Width::Word, index as u32, 0);
    v.port_write(0x1CF, Width::Word, value as u32, 0);
}
fn vbe_read(v: &mut Vga, index: u16) -> u16 {
    v.port_write(0x1CE, Width::Word, index as u32, 0);
    v.port_read(0x1CF, Width::Word, 0) as u16
}
fn set_vbe_mode(v: &mut Vga, w: u16, h: u16, bpp: u16, flags: u16) {
    vbe_write(v, 4, 0);
    vbe_write(v, 1, w);
    vbe_write(v, 2, h);
    vbe_write(v, 3, bpp);
    vbe_write(v, 4, 0x01 | flags);
    v.load_dac(0, &default_256_palette());
}
fn render(v: &mut Vga) -> Frame {
    let mut f = Frame::new();
    v.render(&mut f, 0);
    f
}

#[test]
fn identification_and_memory_size() {
    let mut v = Vga::new();
    vbe_write(&mut v, 0, 0xB0C0);
    assert_eq!(vbe_read(&mut v, 0), 0xB0C0);
    vbe_write(&mut v, 0, 0xB0C5);
    assert_eq!(vbe_read(&mut v, 0), 0xB0C5);
    vbe_write(&mut v, 0, 0x1234); // not an interface ID: ignored
    assert_eq!(vbe_read(&mut v, 0), 0xB0C5);
    assert_eq!(vbe_read(&mut v, 0x0A), 128, "8 MB in 64 KB units");
    assert_eq!(vbe_read(&mut v, 0x0B), 0xFFFF);
}

#[test]
fn getcaps_reports_maximum_resolution() {
    let mut v = Vga::new();
    vbe_write(&mut v, 4, 0x02);
    assert_eq!(vbe_read(&mut v, 1), 1600);
    assert_eq!(vbe_read(&mut v, 2), 1200);
    assert_eq!(vbe_read(&mut v, 3), 32);
    vbe_write(&mut v, 4, 0x00);
    assert_eq!(vbe_read(&mut v, 1), 640);
}

#[test]
fn rejects_bad_depth_and_resolution() {
    let mut v = Vga::new();
    vbe_write(&mut v, 3, 12);
    assert_eq!(vbe_read(&mut v, 3), 8);
    vbe_write(&mut v, 1, 4000);
    assert_eq!(vbe_read(&mut v, 1), 640);
    // Resolution cannot change while enabled.
    set_vbe_mode(&mut v, 800, 600, 16, 0x40);
    vbe_write(&mut v, 1, 1024);
    assert_eq!(vbe_read(&mut v, 1), 800);
}

#[test]
fn lfb_writes_appear_in_32bpp_render() {
    let mut v = Vga::new();
    set_vbe_mode(&mut v, 1024, 768, 32, 0x40);
    assert_eq!(v.display_size(), (1024, 768));
    assert_eq!(v.lfb_base(), DEFAULT_LFB_ADDR);
    let off = (5 * 1024 + 7) * 4;
    for (i, b) in [0x33u8, 0x22, 0x11, 0x00].iter().enumerate() {
        v.lfb_write(off + i as u32, *b);
    }
    assert_eq!(v.lfb_read(off), 0x33);
    let f = render(&mut v);
    assert_eq!((f.width, f.height), (1024, 768));
    assert_eq!(f.pixel(7, 5), Some(0xFF11_2233));
    assert_eq!(f.pixel(8, 5), Some(0xFF00_0000));
    assert!(f.text.is_none());
    assert_eq!(vbe_read(&mut v, 6), 1024);
    assert_eq!(vbe_read(&mut v, 7) as usize, VRAM_SIZE / 4096);
}

#[test]
fn bank_window_at_a0000_in_8bpp() {
    let mut v = Vga::new();
    set_vbe_mode(&mut v, 640, 480, 8, 0);
    vbe_write(&mut v, 5, 1);
    v.mem_write(0xA0000 + 0x20, 0x28);
    assert_eq!(v.lfb_read(0x10020), 0x28);
    assert_eq!(v.mem_read(0xA0020), 0x28);
    assert_eq!(v.mem_read(0xB0000), 0xFF, "only a 64 KB window");
    let pos = 0x10020u32;
    let f = render(&mut v);
    assert_eq!(
        f.pixel(pos % 640, pos / 640),
        Some(0xFFFF_0000),
        "default palette 40 = red"
    );
    vbe_write(&mut v, 5, 0xFFFF); // beyond VRAM: ignored
    assert_eq!(vbe_read(&mut v, 5), 1);
}

#[test]
fn depth_16_15_and_24_decode() {
    let mut v = Vga::new();
    set_vbe_mode(&mut v, 320, 200, 16, 0x40);
    v.lfb_write(0, 0x1F); // 0xF81F: magenta in 5:6:5
    v.lfb_write(1, 0xF8);
    assert_eq!(render(&mut v).pixel(0, 0), Some(0xFFFF_00FF));
    set_vbe_mode(&mut v, 320, 200, 15, 0x40);
    v.lfb_write(0, 0xE0); // 0x03E0: green in 5:5:5
    v.lfb_write(1, 0x03);
    assert_eq!(render(&mut v).pixel(0, 0), Some(0xFF00_FF00));
    set_vbe_mode(&mut v, 320, 200, 24, 0x40);
    v.lfb_write(3, 0x01);
    v.lfb_write(4, 0x02);
    v.lfb_write(5, 0x03);
    assert_eq!(render(&mut v).pixel(1, 0), Some(0xFF03_0201));
}

#[test]
fn enable_clears_memory_unless_noclearmem() {
    let mut v = Vga::new();
    set_vbe_mode(&mut v, 640, 480, 8, 0x40);
    v.lfb_write(100, 7);
    set_vbe_mode(&mut v, 640, 480, 8, 0x40 | 0x80);
    assert_eq!(v.lfb_read(100), 7);
    set_vbe_mode(&mut v, 640, 480, 8, 0x40);
    assert_eq!(v.lfb_read(100), 0);
}

#[test]
fn virtual_width_and_offsets_scroll_display() {
    let mut v = Vga::new();
    set_vbe_mode(&mut v, 640, 480, 8, 0x40);
    vbe_write(&mut v, 6, 1024);
    assert_eq!(vbe_read(&mut v, 6), 1024);
    assert_eq!(vbe_read(&mut v, 7) as usize, VRAM_SIZE / 1024);
    v.lfb_write(10 * 1024 + 700, 15);
    vbe_write(&mut v, 8, 100);
    vbe_write(&mut v, 9, 10);
    assert_eq!(render(&mut v).pixel(600, 0), Some(0xFFFF_FFFF));
}

#[test]
fn eight_bit_dac_switch() {
    let mut v = Vga::new();
    set_vbe_mode(&mut v, 640, 480, 8, 0x40 | 0x20);
    out8(&mut v, 0x3C8, 1);
    for c in [0x80, 0x81, 0x82] {
        out8(&mut v, 0x3C9, c);
    }
    v.lfb_write(0, 1);
    assert_eq!(render(&mut v).pixel(0, 0), Some(0xFF80_8182));
}

#[test]
fn planar_4bpp_through_bank_window() {
    let mut v = Vga::new();
    set_vbe_mode(&mut v, 800, 600, 4, 0);
    v.load_dac(0, &ega_palette());
    // Write mode 0 with all planes: colour 15 at pixel 0 of line 1 (100 bytes per line).
    seq(&mut v, 2, 0x0F);
    v.mem_write(0xA0000 + 100, 0x80);
    let f = render(&mut v);
    assert_eq!((f.width, f.height), (800, 600));
    assert_eq!(f.pixel(0, 1), Some(0xFFFF_FFFF));
    assert_eq!(f.pixel(1, 1), Some(0xFF00_0000));
}

#[test]
fn legacy_mode_set_disables_vbe() {
    let mut v = Vga::new();
    set_vbe_mode(&mut v, 640, 480, 32, 0x40);
    assert!(v.set_bios_mode(3));
    assert_eq!(vbe_read(&mut v, 4) & 1, 0);
    assert_eq!(v.display_size(), (720, 400));
    assert!(v.text_snapshot().is_some());
}

#[test]
fn vbe_retrace_runs_at_60hz() {
    let mut v = Vga::new();
    set_vbe_mode(&mut v, 800, 600, 32, 0x40);
    assert!((59_900..=60_100).contains(&v.refresh_mhz()));
}
