//! Benchmark: how long the VGA takes to render one frame in the common modes (text mode 3,
//! mode 12h, mode 13h, a VBE 640x480x32 mode), with video memory full of varied data.
//! Prints microseconds per frame.
//!
//! `cargo run --release -p rawbox-tests --bin render-bench`

use rawbox_cpu::Width;
use rawbox_devices::vga::{Frame, Vga};
use std::time::Instant;

fn fill(vga: &mut Vga, bytes: u32) {
    let mut x = 0x1234_5678u32;
    for a in 0..bytes {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        vga.mem_write(0xA0000 + a, x as u8);
    }
}

fn bench(name: &str, vga: &mut Vga) {
    let mut frame = Frame::new();
    vga.render(&mut frame, 0);
    let n = 300;
    let t = Instant::now();
    for i in 0..n {
        vga.render(&mut frame, i * 14_000_000);
    }
    let us = t.elapsed().as_secs_f64() * 1e6 / n as f64;
    println!(
        "{name:<28} {}x{:<5} {us:8.1} us/frame",
        frame.width, frame.height
    );
}

fn main() {
    let mut vga = Vga::new();
    vga.set_bios_mode(0x03);
    // Text: characters and attributes through the B8000 window.
    let mut x = 7u32;
    for a in 0..4000u32 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        vga.mem_write(0xB8000 + a, (x >> 16) as u8);
    }
    bench("mode 03h (80x25 text)", &mut vga);
    vga.set_bios_mode(0x12);
    fill(&mut vga, 0x10000);
    bench("mode 12h (640x480x16)", &mut vga);
    vga.set_bios_mode(0x13);
    fill(&mut vga, 0x10000);
    bench("mode 13h (320x200x256)", &mut vga);
    // VBE through the Bochs display interface: 640x480x32 with the linear framebuffer.
    for (index, value) in [(1u32, 640u32), (2, 480), (3, 32), (4, 0x41)] {
        vga.port_write(0x1CE, Width::Word, index, 0);
        vga.port_write(0x1CF, Width::Word, value, 0);
    }
    for off in (0..640 * 480 * 4).step_by(3) {
        vga.lfb_write(off, (off * 7) as u8);
    }
    bench("VBE 640x480x32", &mut vga);
}
