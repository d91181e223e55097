//! End to end: the CPU runs from the reset vector through the ROM stubs and POST into a
//! boot sector, with a tiny machine loop that calls `Bios::handle` on host calls.

use super::mock::*;
use crate::host::BootDevice;
use rawbox_cpu::RunExit;
use rawbox_devices::disk_image::{DiskImage, MediaKind};

/// Runs until the CPU halts with interrupts off (or a step limit). Returns the number of
/// host calls served.
fn run(m: &mut Machine, bios: &mut crate::Bios) -> usize {
    let mut calls = 0;
    for _ in 0..10_000 {
        match m.cpu.run(&mut m.dev, 100_000) {
            RunExit::HostCall(a) => {
                bios.handle(m, a).expect("known host call");
                calls += 1;
            }
            RunExit::Halted => break,
            RunExit::Budget => {}
            RunExit::Shutdown => panic!("triple fault"),
        }
    }
    calls
}

/// A boot sector printing `text` with INT 10h AH=0Eh, storing DL at 0:0500, then CLI; HLT.
fn boot_code(text: &str) -> Vec<u8> {
    let mut code = vec![0x88, 0x16, 0x00, 0x05]; // mov [0500h], dl
    for b in text.bytes() {
        code.extend_from_slice(&[0xB4, 0x0E, 0xB0, b, 0xBB, 0x07, 0x00, 0xCD, 0x10]);
    }
    code.extend_from_slice(&[0xFA, 0xF4, 0xEB, 0xFD]);
    code
}

fn find_text(m: &mut Machine, text: &str) -> bool {
    (0..25).any(|r| screen_row(m, r).contains(text))
}

#[test]
fn boots_a_floppy_from_the_reset_vector() {
    let (mut m, mut bios) = machine();
    let mut img = vec![0u8; 1_474_560];
    let code = boot_code("Hello from boot");
    img[..code.len()].copy_from_slice(&code);
    m.dev.disks.insert(
        0,
        DiskImage::from_bytes("a.img", MediaKind::Floppy, img, false).unwrap(),
    );
    let calls = run(&mut m, &mut bios);
    assert!(calls > 10);
    assert!(find_text(&mut m, "rawbox BIOS"));
    assert!(find_text(&mut m, "Hello from boot"));
    assert_eq!(ram(&m, 0x500, 1)[0], 0x00);
    assert!(!m.cpu.state.flags.if_());
}

#[test]
fn hard_disk_needs_the_signature_then_falls_through_to_int18() {
    let (mut m, mut bios) = machine();
    m.dev.config.boot_order = vec![BootDevice::Floppy, BootDevice::HardDisk];
    let mut img = vec![0u8; 16 * 63 * 512 * 4];
    let code = boot_code("HD");
    img[..code.len()].copy_from_slice(&code);
    m.dev.disks.insert(
        0x80,
        DiskImage::from_bytes("c.img", MediaKind::HardDisk, img.clone(), false).unwrap(),
    );
    run(&mut m, &mut bios);
    assert!(find_text(&mut m, "No bootable device"));
    assert!(!find_text(&mut m, "HD"));

    let (mut m, mut bios) = machine();
    img[510] = 0x55;
    img[511] = 0xAA;
    m.dev.disks.insert(
        0x80,
        DiskImage::from_bytes("c.img", MediaKind::HardDisk, img, false).unwrap(),
    );
    run(&mut m, &mut bios);
    assert!(find_text(&mut m, "Booting from hard disk"));
    assert!(find_text(&mut m, "HD"));
    assert_eq!(ram(&m, 0x500, 1)[0], 0x80);
}

#[test]
fn boots_an_el_torito_no_emulation_cd() {
    let (mut m, mut bios) = machine();
    m.dev.config.boot_order = vec![BootDevice::CdRom];
    let mut iso = vec![0u8; 2048 * 24];
    let brvd = &mut iso[17 * 2048..18 * 2048];
    brvd[0] = 0;
    brvd[1..6].copy_from_slice(b"CD001");
    brvd[6] = 1;
    brvd[7..30].copy_from_slice(b"EL TORITO SPECIFICATION");
    brvd[0x47..0x4B].copy_from_slice(&18u32.to_le_bytes());
    let cat = &mut iso[18 * 2048..19 * 2048];
    cat[0] = 1;
    cat[0x1E] = 0x55;
    cat[0x1F] = 0xAA;
    cat[0x20] = 0x88;
    cat[0x21] = 0; // no emulation
    cat[0x26..0x28].copy_from_slice(&4u16.to_le_bytes());
    cat[0x28..0x2C].copy_from_slice(&20u32.to_le_bytes());
    let code = boot_code("CD boot");
    iso[20 * 2048..20 * 2048 + code.len()].copy_from_slice(&code);
    m.dev.disks.insert(
        0xE0,
        DiskImage::from_bytes("cd.iso", MediaKind::CdRom, iso, true).unwrap(),
    );
    run(&mut m, &mut bios);
    assert!(find_text(&mut m, "CD boot"));
    assert_eq!(ram(&m, 0x500, 1)[0], 0xE0);
    // INT 13h AX=4B01h describes the boot image.
    crate::regs::set_sreg(&mut m.cpu, rawbox_cpu::SegReg::Ds, 0);
    m.cpu.state.set_r16(rawbox_cpu::state::reg::ESI, 0x800);
    regs(&mut m, 0x4B01, 0, 0, 0x00E0);
    let f = call(&mut m, &mut bios, crate::Service::Disk);
    assert_eq!(f & 1, 0);
    let p = ram(&m, 0x800, 0x13);
    assert_eq!((p[0], p[1], p[2]), (0x13, 0, 0xE0));
    assert_eq!(u32::from_le_bytes([p[4], p[5], p[6], p[7]]), 20);
    assert_eq!(u16::from_le_bytes([p[0x0C], p[0x0D]]), 0x07C0);
    assert_eq!(u16::from_le_bytes([p[0x0E], p[0x0F]]), 4);
}

#[test]
fn keyboard_wait_in_int16_is_woken_by_irq1() {
    let (mut m, mut bios) = machine();
    // Boot sector: int 16h ah=0; mov [0500h], ax; cli; hlt.
    let code = [0xB4, 0x00, 0xCD, 0x16, 0xA3, 0x00, 0x05, 0xFA, 0xF4];
    let mut img = vec![0u8; 1_474_560];
    img[..code.len()].copy_from_slice(&code);
    m.dev.disks.insert(
        0,
        DiskImage::from_bytes("a.img", MediaKind::Floppy, img, false).unwrap(),
    );
    run(&mut m, &mut bios);
    // Waiting in the stub's HLT with interrupts on.
    assert!(m.cpu.state.halted);
    assert!(m.cpu.state.flags.if_());
    m.dev.kbc_out.push_back(0x1E);
    m.dev.pending_vector = Some(0x09);
    run(&mut m, &mut bios);
    assert_eq!(ram(&m, 0x500, 2), vec![0x61, 0x1E]);
}

#[test]
fn ps2_mouse_packets_reach_the_installed_handler() {
    let (mut m, mut bios) = machine();
    let mut code = vec![
        0x31, 0xC0, 0x8E, 0xC0, 0xBB, 0x20, 0x7C, // xor ax,ax; mov es,ax; mov bx,7C20h
        0xB8, 0x07, 0xC2, 0xCD, 0x15, // int 15h ax=C207h
        0xB8, 0x00, 0xC2, 0xB7, 0x01, 0xCD, 0x15, // int 15h ax=C200h bh=1
        0x88, 0x26, 0x10, 0x06, // mov [0610h], ah
        0xFB, 0xF4, 0xEB, 0xFD, // sti; hlt; jmp hlt
    ];
    code.resize(0x20, 0x90);
    // Handler: copy status, X, Y from the stack to 0000:0600.
    code.extend_from_slice(&[
        0x55, 0x89, 0xE5, 0x8B, 0x46, 0x0C, 0x2E, 0xA3, 0x00, 0x06, 0x8B, 0x46, 0x0A, 0x2E, 0xA3,
        0x02, 0x06, 0x8B, 0x46, 0x08, 0x2E, 0xA3, 0x04, 0x06, 0x5D, 0xCB,
    ]);
    let mut img = vec![0u8; 1_474_560];
    img[..code.len()].copy_from_slice(&code);
    m.dev.disks.insert(
        0,
        DiskImage::from_bytes("a.img", MediaKind::Floppy, img, false).unwrap(),
    );
    m.cpu.mem.write_bytes(0x610, &[0xEE]);
    run(&mut m, &mut bios);
    assert_eq!(ram(&m, 0x610, 1)[0], 0, "enable succeeded");
    for b in [0x09u8, 0x05, 0xFD] {
        m.dev.kbc_out.push_back(b);
        m.dev.pending_vector = Some(0x74);
        run(&mut m, &mut bios);
    }
    assert_eq!(ram(&m, 0x600, 6), vec![0x09, 0, 0x05, 0, 0xFD, 0]);
    // Registers and DS survive the handler call (the boot code's loop still runs).
    assert!(m.cpu.state.halted);
    assert_eq!(
        m.cpu.state.segs[rawbox_cpu::SegReg::Cs as usize].selector,
        0
    );
}
