//! Rendering tests: BIOS mode resolutions, text cells and glyphs, cursor, blink, 9-dot
//! line graphics, mode 13h / mode X / planar / CGA pixels, start address, panning and
//! line compare.

use super::*;

const BLACK: u32 = 0xFF00_0000;
const BLUE: u32 = 0xFF00_00AA;
const YELLOW: u32 = 0xFFFF_FF55;
const LIGHT_RED: u32 = 0xFFFF_5555;
const WHITE: u32 = 0xFFFF_FFFF;
const LIGHT_MAGENTA: u32 = 0xFFFF_55FF;
const LIGHT_CYAN: u32 = 0xFF55_FFFF;

fn render(v: &mut Vga, now_ns: u64) -> Frame {
    let mut f = Frame::new();
    v.render(&mut f, now_ns);
    f
}

#[test]
fn bios_modes_give_standard_resolutions() {
    type Expect = (u8, (u32, u32), Option<(u16, u16)>);
    let table: &[Expect] = &[
        (0x00, (360, 400), Some((40, 25))),
        (0x01, (360, 400), Some((40, 25))),
        (0x02, (720, 400), Some((80, 25))),
        (0x03, (720, 400), Some((80, 25))),
        (0x04, (320, 200), None),
        (0x05, (320, 200), None),
        (0x06, (640, 200), None),
        (0x07, (720, 400), Some((80, 25))),
        (0x0D, (320, 200), None),
        (0x0E, (640, 200), None),
        (0x0F, (640, 350), None),
        (0x10, (640, 350), None),
        (0x11, (640, 480), None),
        (0x12, (640, 480), None),
        (0x13, (320, 200), None),
    ];
    for &(mode, size, text) in table {
        let mut v = vga_in_mode(mode);
        assert_eq!(v.display_size(), size, "mode {mode:#x}");
        let f = render(&mut v, 0);
        assert_eq!((f.width, f.height), size, "mode {mode:#x} frame");
        assert_eq!(
            f.text.as_ref().map(|t| (t.cols, t.rows)),
            text,
            "mode {mode:#x} text"
        );
    }
    assert!(!Vga::new().set_bios_mode(0x14));
}

#[test]
fn mode_set_clears_memory_unless_bit_7() {
    let mut v = vga_in_mode(0x13);
    v.mem_write(0xA0000, 9);
    assert!(v.set_bios_mode(0x93));
    assert_eq!(v.mem_read(0xA0000), 9);
    assert!(v.set_bios_mode(0x13));
    assert_eq!(v.mem_read(0xA0000), 0);
}

#[test]
fn text_mode_cell_renders_glyph_in_attribute_colours() {
    let mut v = vga_in_mode(3);
    // Row 1, column 2.
    let off = (80 + 2) * 2;
    v.mem_write(0xB8000 + off, b'A');
    v.mem_write(0xB8000 + off + 1, 0x1E);
    let f = render(&mut v, 0);
    let t = f.text.clone().unwrap();
    assert_eq!(t.cells[82], (b'A', 0x1E));
    assert_eq!(t.cells[0], (b' ', 0x07));
    let glyph = &font_8x16()[0x41 * 16..0x41 * 16 + 16];
    for (row, bits) in glyph.iter().enumerate() {
        for dot in 0..9u32 {
            let on = dot < 8 && bits & (0x80 >> dot) != 0;
            let px = f.pixel(2 * 9 + dot, 16 + row as u32).unwrap();
            assert_eq!(px, if on { YELLOW } else { BLUE }, "row {row} dot {dot}");
        }
    }
    assert_eq!(f.pixel(0, 0), Some(BLACK));
}

#[test]
fn nine_dot_line_graphics_extends_box_characters() {
    let mut v = vga_in_mode(3);
    v.mem_write(0xB8000, 0xC4); // horizontal line
    v.mem_write(0xB8001, 0x0F);
    v.mem_write(0xB8002, b'-');
    v.mem_write(0xB8003, 0x0F);
    let f = render(&mut v, 0);
    let line_row = (0..16)
        .find(|r| font_8x16()[0xC4 * 16 + r] == 0xFF)
        .unwrap() as u32;
    assert_eq!(f.pixel(8, line_row), Some(WHITE), "9th dot copies the 8th");
    attr(&mut v, 0x10, 0x08); // line graphics off
    let f = render(&mut v, 0);
    assert_eq!(f.pixel(8, line_row), Some(BLACK));
}

#[test]
fn cursor_location_and_shape_in_snapshot_and_pixels() {
    let mut v = vga_in_mode(3);
    crtc(&mut v, 0x0A, 0x0D);
    crtc(&mut v, 0x0B, 0x0E);
    crtc(&mut v, 0x0E, 0x00);
    crtc(&mut v, 0x0F, 0xA3); // 163 = row 2, col 3
    let t = v.text_snapshot().unwrap();
    assert_eq!(t.cursor, Some((2, 3)));
    assert_eq!(t.cursor_shape, (0x0D, 0x0E));
    let f = render(&mut v, 0);
    assert_eq!(f.pixel(3 * 9 + 4, 2 * 16 + 13), Some(0xFFAA_AAAA));
    assert_eq!(f.pixel(3 * 9 + 4, 2 * 16 + 12), Some(BLACK));
    crtc(&mut v, 0x0A, 0x2D); // disable
    assert_eq!(v.text_snapshot().unwrap().cursor, None);
}

#[test]
fn blink_attribute_hides_foreground_in_off_phase() {
    let mut v = vga_in_mode(3);
    v.mem_write(0xB8000, 0xDB);
    v.mem_write(0xB8001, 0x9F); // blink, blue background, white foreground
    let frame_ns = 14_268_000u64;
    let on = render(&mut v, frame_ns);
    assert_eq!(on.pixel(0, 0), Some(WHITE));
    let off = render(&mut v, frame_ns * 20);
    assert_eq!(off.pixel(0, 0), Some(BLUE));
    assert!(!off.text.unwrap().blink_visible);
    attr(&mut v, 0x10, 0x04); // blink off: bit 7 is bright background
    let f = render(&mut v, frame_ns * 20);
    assert_eq!(f.pixel(0, 0), Some(WHITE));
}

#[test]
fn start_address_scrolls_text() {
    let mut v = vga_in_mode(3);
    v.mem_write(0xB8000 + 160, b'Z');
    crtc(&mut v, 0x0C, 0);
    crtc(&mut v, 0x0D, 80);
    assert_eq!(v.text_snapshot().unwrap().cells[0].0, b'Z');
}

#[test]
fn text_uses_character_map_select() {
    let mut v = vga_in_mode(3);
    // Put a solid glyph for 'A' in map 1 (plane 2 offset 0x4000) and select it for
    // attributes with bit 3 set.
    v.load_user_font(1, 16, b'A', &[0xFF; 16]);
    seq(&mut v, 3, 0x04);
    v.mem_write(0xB8000, b'A');
    v.mem_write(0xB8001, 0x0F);
    v.mem_write(0xB8002, b'A');
    v.mem_write(0xB8003, 0x07);
    let f = render(&mut v, 0);
    assert_eq!(f.pixel(0, 0), Some(WHITE), "map A used (attr bit 3)");
    assert_eq!(
        f.pixel(9, 0),
        Some(BLACK),
        "map B = ROM font: dot 0 of the top row of 'A' is off"
    );
}

#[test]
fn mode_13h_pixel_with_dac_colour() {
    let mut v = vga_in_mode(0x13);
    v.mem_write(0xA0000 + 320 * 10 + 7, 0x80);
    out8(&mut v, 0x3C8, 0x80);
    for c in [0x3F, 0x00, 0x20] {
        out8(&mut v, 0x3C9, c);
    }
    let f = render(&mut v, 0);
    assert_eq!(f.pixel(7, 10), Some(0xFFFF_0082));
    assert_eq!(f.pixel(8, 10), Some(BLACK));
    assert_eq!(f.pixel(7, 9), Some(BLACK));
    // Default palette entry 40 is bright red.
    v.mem_write(0xA0000 + 319, 40);
    assert_eq!(render(&mut v, 0).pixel(319, 0), Some(0xFFFF_0000));
}

#[test]
fn mode_x_unchained_pixels() {
    let mut v = vga_in_mode(0x13);
    seq(&mut v, 4, 0x06);
    crtc(&mut v, 0x14, 0x00);
    crtc(&mut v, 0x17, 0xE3);
    // Pixel (x=5, y=2): plane 1, address 2*80 + 1.
    seq(&mut v, 2, 0x02);
    v.mem_write(0xA0000 + 2 * 80 + 1, 15);
    let f = render(&mut v, 0);
    assert_eq!((f.width, f.height), (320, 200));
    assert_eq!(f.pixel(5, 2), Some(WHITE));
    assert_eq!(f.pixel(4, 2), Some(BLACK));
    assert_eq!(f.pixel(6, 2), Some(BLACK));
}

#[test]
fn planar_mode_12h_pixel_via_write_mode_2() {
    let mut v = vga_in_mode(0x12);
    gc(&mut v, 5, 0x02);
    gc(&mut v, 8, 0x40); // x = 9 -> byte 1, bit 6
    v.mem_read(0xA0000 + 3 * 80 + 1);
    v.mem_write(0xA0000 + 3 * 80 + 1, 12);
    let f = render(&mut v, 0);
    assert_eq!(f.pixel(9, 3), Some(LIGHT_RED));
    assert_eq!(f.pixel(8, 3), Some(BLACK));
    assert_eq!(f.pixel(10, 3), Some(BLACK));
    // Attribute palette remaps colour 12 and colour plane enable masks planes.
    attr(&mut v, 0x12, 0x03);
    assert_eq!(render(&mut v, 0).pixel(9, 3), Some(BLACK));
}

#[test]
fn horizontal_panning_shifts_pixels() {
    let mut v = vga_in_mode(0x12);
    v.mem_write(0xA0000, 0x10); // pixel 3 white
    attr(&mut v, 0x13, 3);
    let f = render(&mut v, 0);
    assert_eq!(f.pixel(0, 0), Some(WHITE));
    assert_eq!(f.pixel(3, 0), Some(BLACK));
}

#[test]
fn line_compare_splits_screen() {
    let mut v = vga_in_mode(0x12);
    crtc(&mut v, 0x0C, 0x10); // top half starts at 0x1000
    crtc(&mut v, 0x0D, 0x00);
    crtc(&mut v, 0x18, 99); // split after line 99
    v.crtc.regs[7] &= !0x10;
    v.crtc.regs[9] &= !0x40;
    v.mem_write(0xA0000, 0x80); // address 0: shown on line 100
    v.mem_write(0xA0000 + 0x1000, 0x80);
    let f = render(&mut v, 0);
    assert_eq!(f.pixel(0, 0), Some(WHITE));
    assert_eq!(f.pixel(0, 100), Some(WHITE));
    assert_eq!(f.pixel(0, 99), Some(BLACK));
    assert_eq!(f.pixel(0, 101), Some(BLACK));
}

#[test]
fn double_scan_mode_0dh_rows() {
    let mut v = vga_in_mode(0x0D);
    v.mem_write(0xA0000 + 40, 0x80); // pixel (0, 1): 40 bytes per row
    let f = render(&mut v, 0);
    assert_eq!(f.pixel(0, 1), Some(WHITE));
    assert_eq!(f.pixel(0, 0), Some(BLACK));
    assert_eq!(f.pixel(0, 2), Some(BLACK));
}

#[test]
fn cga_mode_4_interleaved_pixels_and_banks() {
    let mut v = vga_in_mode(4);
    v.mem_write(0xB8000, 0b11_10_01_00);
    v.mem_write(0xBA000, 0b01_00_00_00); // row 1, pixel 0
    v.mem_write(0xB8050, 0b10_00_00_00); // row 2, pixel 0
    let f = render(&mut v, 0);
    assert_eq!(f.pixel(0, 0), Some(WHITE));
    assert_eq!(f.pixel(1, 0), Some(LIGHT_MAGENTA));
    assert_eq!(f.pixel(2, 0), Some(LIGHT_CYAN));
    assert_eq!(f.pixel(3, 0), Some(BLACK));
    assert_eq!(f.pixel(0, 1), Some(LIGHT_CYAN));
    assert_eq!(f.pixel(0, 2), Some(LIGHT_MAGENTA));
}

#[test]
fn cga_mode_6_two_colour() {
    let mut v = vga_in_mode(6);
    v.mem_write(0xB8000, 0x80);
    v.mem_write(0xBA000 + 1, 0x01); // row 1, pixel 15
    let f = render(&mut v, 0);
    assert_eq!(f.pixel(0, 0), Some(WHITE));
    assert_eq!(f.pixel(1, 0), Some(BLACK));
    assert_eq!(f.pixel(15, 1), Some(WHITE));
    assert_eq!(f.pixel(15, 0), Some(BLACK));
}

#[test]
fn display_blanked_while_palette_source_clear() {
    let mut v = vga_in_mode(0x13);
    v.mem_write(0xA0000, 15);
    in8(&mut v, 0x3DA);
    out8(&mut v, 0x3C0, 0x00); // PAS clear: screen shows overscan (colour 0)
    assert_eq!(render(&mut v, 0).pixel(0, 0), Some(BLACK));
    out8(&mut v, 0x3C0, 0x00);
    out8(&mut v, 0x3C0, 0x20);
    assert_eq!(render(&mut v, 0).pixel(0, 0), Some(WHITE));
    seq(&mut v, 1, 0x21); // screen off
    assert_eq!(render(&mut v, 0).pixel(0, 0), Some(BLACK));
}

#[test]
fn mono_text_mode_7() {
    let mut v = vga_in_mode(7);
    v.mem_write(0xB0000, 0xDB);
    v.mem_write(0xB0001, 0x07);
    let f = render(&mut v, 0);
    assert_eq!(f.pixel(0, 0), Some(0xFFAA_AAAA));
    assert_eq!(f.text.unwrap().cells[0], (0xDB, 0x07));
}

#[test]
fn char_height_8_gives_50_rows() {
    let mut v = vga_in_mode(3);
    assert!(v.load_font(8, 0));
    v.set_char_height(8);
    let t = v.text_snapshot().unwrap();
    assert_eq!((t.cols, t.rows, t.char_height), (80, 50, 8));
    assert_eq!(t.cursor_shape, (6, 7));
    // Glyph rows 8-31 of each character are cleared by the font load.
    assert_eq!(v.plane_byte(2, 0xDB * 32 + 7), 0xFF);
    assert_eq!(v.plane_byte(2, 0xDB * 32 + 8), 0x00);
    assert!(!v.load_font(10, 0));
}

#[test]
fn host_attribute_write_ignores_palette_source() {
    let mut v = vga_in_mode(3);
    v.set_attribute_register(1, 0x3F);
    assert_eq!(v.attribute_register(1), 0x3F);
    assert_eq!(v.attribute_color(1), WHITE);
    assert_eq!(v.attribute_register(0x15), 0xFF);
}

#[test]
fn text_snapshot_follows_line_compare_split() {
    let mut v = vga_in_mode(3);
    v.mem_write(0xB8000, b'S'); // address 0: shown below the split
    v.mem_write(0xB8000 + 0x1000, b'T'); // top of screen
    crtc(&mut v, 0x0C, 0x08); // start address 0x800 (words) = byte 0x1000
    crtc(&mut v, 0x0D, 0x00);
    crtc(&mut v, 0x18, (20 * 16 - 1) as u8); // split after text row 19 (line 319)
    v.crtc.regs[7] |= 0x10; // line compare bit 8
    v.crtc.regs[9] &= !0x40;
    crtc(&mut v, 0x0E, 0x00);
    crtc(&mut v, 0x0F, 0x02); // cursor at address 2: row 20, col 2
    let t = v.text_snapshot().unwrap();
    assert_eq!(t.cells[0].0, b'T');
    assert_eq!(t.cells[20 * 80].0, b'S');
    assert_eq!(t.cursor, Some((20, 2)));
    let f = {
        let mut f = Frame::new();
        v.render(&mut f, 0);
        f
    };
    assert_eq!(f.text, Some(t));
}

#[test]
fn guest_font_load_through_plane_2_changes_text() {
    let mut v = vga_in_mode(3);
    v.mem_write(0xB8000, b'x');
    v.mem_write(0xB8001, 0x0F);
    // The usual DOS sequence to expose plane 2 at A0000.
    seq(&mut v, 2, 0x04);
    seq(&mut v, 4, 0x07);
    gc(&mut v, 4, 0x02);
    gc(&mut v, 5, 0x00);
    gc(&mut v, 6, 0x04);
    for row in 0..16 {
        v.mem_write(0xA0000 + b'x' as u32 * 32 + row, 0x81);
    }
    assert_eq!(v.mem_read(0xA0000 + b'x' as u32 * 32 + 3), 0x81);
    seq(&mut v, 2, 0x03);
    seq(&mut v, 4, 0x03);
    gc(&mut v, 4, 0x00);
    gc(&mut v, 5, 0x10);
    gc(&mut v, 6, 0x0E);
    assert_eq!(v.mem_read(0xB8000), b'x', "text intact");
    let mut f = Frame::new();
    v.render(&mut f, 0);
    assert_eq!(f.pixel(0, 5), Some(WHITE));
    assert_eq!(f.pixel(7, 5), Some(WHITE));
    assert_eq!(f.pixel(3, 5), Some(BLACK));
}
