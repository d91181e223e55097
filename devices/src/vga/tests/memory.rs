//! Host memory access tests: write modes 0-3, read modes 0-1, latches, bit mask, map
//! mask, rotate/function, chain-4, odd/even, unchained mode X and the memory map select.

use super::*;

const A: u32 = 0xA0000;

fn planes_at(v: &Vga, addr: u32) -> [u8; 4] {
    [0, 1, 2, 3].map(|p| v.plane_byte(p, addr))
}

/// Stores `vals` in planes 0-3 at plane address `addr` through map-mask writes.
fn fill_planes(v: &mut Vga, addr: u32, vals: [u8; 4]) {
    for (p, val) in vals.iter().enumerate() {
        seq(v, 2, 1 << p);
        v.mem_write(A + addr, *val);
    }
    seq(v, 2, 0x0F);
}

#[test]
fn write_mode_0_plain_and_map_mask() {
    let mut v = vga_in_mode(0x12);
    v.mem_write(A + 10, 0xA5);
    assert_eq!(planes_at(&v, 10), [0xA5; 4]);
    seq(&mut v, 2, 0x05);
    v.mem_write(A + 10, 0xFF);
    assert_eq!(planes_at(&v, 10), [0xFF, 0xA5, 0xFF, 0xA5]);
}

#[test]
fn write_mode_0_set_reset_and_enable() {
    let mut v = vga_in_mode(0x12);
    gc(&mut v, 0, 0x0A);
    gc(&mut v, 1, 0x03); // planes 0,1 from set/reset, planes 2,3 from CPU data
    v.mem_write(A, 0x3C);
    assert_eq!(planes_at(&v, 0), [0x00, 0xFF, 0x3C, 0x3C]);
}

#[test]
fn write_mode_0_bit_mask_uses_latches() {
    let mut v = vga_in_mode(0x12);
    fill_planes(&mut v, 0, [0xF0, 0x0F, 0xAA, 0x55]);
    v.mem_read(A); // load latches
    gc(&mut v, 8, 0x0F);
    v.mem_write(A + 1, 0x00);
    assert_eq!(planes_at(&v, 1), [0xF0, 0x00, 0xA0, 0x50]);
}

#[test]
fn write_mode_0_rotate_and_functions() {
    let mut v = vga_in_mode(0x12);
    gc(&mut v, 3, 0x01); // rotate right by 1, replace
    v.mem_write(A, 0x01);
    assert_eq!(planes_at(&v, 0), [0x80; 4]);
    gc(&mut v, 3, 0x00);
    for (func, want) in [(1u8, 0xCC & 0x0F), (2, 0xCC | 0x0F), (3, 0xCC ^ 0x0F)] {
        fill_planes(&mut v, 1, [0xCC; 4]);
        gc(&mut v, 3, func << 3);
        v.mem_read(A + 1);
        v.mem_write(A + 1, 0x0F);
        assert_eq!(planes_at(&v, 1), [want; 4], "function {func}");
        gc(&mut v, 3, 0);
    }
}

#[test]
fn write_mode_1_copies_latches() {
    let mut v = vga_in_mode(0x12);
    fill_planes(&mut v, 100, [1, 2, 3, 4]);
    gc(&mut v, 5, 0x01);
    v.mem_read(A + 100);
    v.mem_write(A + 200, 0xEE);
    assert_eq!(planes_at(&v, 200), [1, 2, 3, 4]);
    seq(&mut v, 2, 0x02); // map mask still applies
    v.mem_read(A + 300);
    v.mem_write(A + 200, 0xEE);
    assert_eq!(planes_at(&v, 200), [1, 0, 3, 4]);
}

#[test]
fn write_mode_2_expands_colour_through_bit_mask() {
    let mut v = vga_in_mode(0x12);
    fill_planes(&mut v, 0, [0xFF, 0xFF, 0x00, 0x00]);
    gc(&mut v, 5, 0x02);
    gc(&mut v, 8, 0x81);
    v.mem_read(A);
    v.mem_write(A, 0x05); // colour 0101
    assert_eq!(planes_at(&v, 0), [0xFF, 0x7E, 0x81, 0x00]);
}

#[test]
fn write_mode_3_rotated_data_ands_bit_mask() {
    let mut v = vga_in_mode(0x12);
    gc(&mut v, 5, 0x03);
    gc(&mut v, 0, 0x0C); // set/reset colour 1100
    gc(&mut v, 8, 0x3C);
    gc(&mut v, 3, 0x04); // rotate 4: 0xF0 -> 0x0F
    v.mem_read(A + 5);
    v.mem_write(A + 5, 0xF0);
    // Effective mask 0x0F & 0x3C = 0x0C.
    assert_eq!(planes_at(&v, 5), [0x00, 0x00, 0x0C, 0x0C]);
}

#[test]
fn read_mode_0_selects_map() {
    let mut v = vga_in_mode(0x12);
    fill_planes(&mut v, 7, [0x11, 0x22, 0x33, 0x44]);
    for m in 0..4u8 {
        gc(&mut v, 4, m);
        assert_eq!(v.mem_read(A + 7), 0x11 * (m + 1));
    }
}

#[test]
fn read_mode_1_colour_compare_with_dont_care() {
    let mut v = vga_in_mode(0x12);
    // Pixel colours of the byte (MSB first): 5,5,0,15,5,0,0,5
    fill_planes(
        &mut v,
        0,
        [0b1101_1001, 0b0001_0000, 0b1101_1001, 0b0001_0000],
    );
    gc(&mut v, 5, 0x08);
    gc(&mut v, 2, 0x05);
    gc(&mut v, 7, 0x0F);
    assert_eq!(v.mem_read(A), 0b1100_1001);
    gc(&mut v, 7, 0x05); // ignore planes 1 and 3: colour 15 matches too
    assert_eq!(v.mem_read(A), 0b1101_1001);
    gc(&mut v, 7, 0x00); // nothing cared about: all match
    assert_eq!(v.mem_read(A), 0xFF);
}

#[test]
fn chain4_addressing_mode_13h() {
    let mut v = vga_in_mode(0x13);
    for i in 0..8u32 {
        v.mem_write(A + 1000 + i, i as u8 + 1);
    }
    // CPU byte a goes to plane a&3 at plane address a&!3.
    assert_eq!(planes_at(&v, 1000), [1, 2, 3, 4]);
    assert_eq!(planes_at(&v, 1004), [5, 6, 7, 8]);
    assert_eq!(planes_at(&v, 1001), [0; 4]);
    for i in 0..8u32 {
        assert_eq!(v.mem_read(A + 1000 + i), i as u8 + 1);
    }
    // Map mask still gates chained writes.
    seq(&mut v, 2, 0x0E);
    v.mem_write(A + 1000, 0x77);
    assert_eq!(v.mem_read(A + 1000), 1);
}

#[test]
fn unchained_mode_x_writes_planes_in_parallel() {
    let mut v = vga_in_mode(0x13);
    seq(&mut v, 4, 0x06); // chain-4 off, odd/even off
    seq(&mut v, 2, 0x0F);
    v.mem_write(A + 3, 0x42);
    assert_eq!(planes_at(&v, 3), [0x42; 4]);
    seq(&mut v, 2, 0x04);
    v.mem_write(A + 3, 0x99);
    assert_eq!(planes_at(&v, 3), [0x42, 0x42, 0x99, 0x42]);
    gc(&mut v, 4, 2);
    assert_eq!(v.mem_read(A + 3), 0x99);
}

#[test]
fn odd_even_text_mode() {
    let mut v = vga_in_mode(3);
    let font_byte = v.plane_byte(2, 0x41 * 32 + 3);
    v.mem_write(0xB8000 + 160, b'A');
    v.mem_write(0xB8000 + 161, 0x1E);
    assert_eq!(v.plane_byte(0, 160), b'A');
    assert_eq!(v.plane_byte(1, 160), 0x1E);
    assert_eq!(v.plane_byte(1, 161), 0x07, "odd plane address untouched");
    assert_eq!(v.plane_byte(2, 0x41 * 32 + 3), font_byte);
    assert_eq!(v.mem_read(0xB8000 + 160), b'A');
    assert_eq!(v.mem_read(0xB8000 + 161), 0x1E);
}

#[test]
fn memory_map_select_windows() {
    let mut v = vga_in_mode(3); // B8000, 32 KB
    assert_eq!(v.mem_read(0xA0000), 0xFF);
    assert_eq!(v.mem_read(0xB0000), 0xFF);
    v.mem_write(0xB0000, 0x12); // ignored
    assert_eq!(v.mem_read(0xB8000), 0x20);
    let mut m = vga_in_mode(7); // B0000, 32 KB
    assert_eq!(m.mem_read(0xB0000), 0x20);
    assert_eq!(m.mem_read(0xB8000), 0xFF);
    let mut g = vga_in_mode(0x12); // A0000, 64 KB
    assert_eq!(g.mem_read(0xB0000), 0xFF);
    gc(&mut g, 6, 0x01); // 128 KB window at A0000
    g.mem_write(0xB0005, 0x5A); // wraps to plane address 5
    assert_eq!(planes_at(&g, 5), [0x5A; 4]);
    // RAM disabled by misc output bit 1.
    out8(&mut g, 0x3C2, 0xE1);
    assert_eq!(g.mem_read(0xA0005), 0xFF);
}

#[test]
fn cga_odd_even_graphics_mode_4() {
    let mut v = vga_in_mode(4);
    v.mem_write(0xB8000, 0x1B);
    v.mem_write(0xB8001, 0xE4);
    v.mem_write(0xBA000, 0x77);
    assert_eq!(v.plane_byte(0, 0), 0x1B);
    assert_eq!(v.plane_byte(1, 0), 0xE4);
    assert_eq!(v.plane_byte(0, 0x2000), 0x77);
    assert_eq!(v.mem_read(0xB8001), 0xE4);
}

#[test]
fn odd_even_read_uses_read_map_bit_1() {
    let mut v = vga_in_mode(3);
    gc(&mut v, 4, 0x02);
    // Plane 2 holds the font; plane 3 is clear. A0 picks plane 2 (even) or 3 (odd).
    let glyph = v.plane_byte(2, 0xDB * 32);
    assert_eq!(glyph, 0xFF);
    assert_eq!(v.mem_read(0xB8000 + 0xDB * 32), 0xFF);
    assert_eq!(v.mem_read(0xB8000 + 0xDB * 32 + 1), 0x00);
}
