//! With an external BIOS the machine has a 440FX-style chipset: a tiny ROM programs a PAM
//! register through PCI configuration mechanism #1 and the very next instructions see shadow
//! RAM (zeroed, writable) instead of the ROM; fw_cfg answers with its signature.

use rawbox_vmm::config::Firmware;
use rawbox_vmm::{Machine, MachineConfig};

/// Where the test program leaves its results (low RAM).
const RESULT: u32 = 0x500;

/// A 128 KB ROM (0xE0000-0xFFFFF) whose first byte is 0xAB, with a program at F000:E000.
fn test_rom() -> Vec<u8> {
    let mut rom = vec![0u8; 0x20000];
    rom[0] = 0xAB;
    #[rustfmt::skip]
    let program: &[u8] = &[
        0x31, 0xC0,                         // xor ax, ax
        0x8E, 0xC0,                         // mov es, ax
        0xB8, 0x00, 0xE0,                   // mov ax, 0xE000
        0x8E, 0xD8,                         // mov ds, ax
        0xA0, 0x00, 0x00,                   // mov al, [0]        (ROM)
        0x26, 0xA2, 0x00, 0x05,             // mov [es:0x500], al
        0x66, 0xB8, 0x5C, 0x00, 0x00, 0x80, // mov eax, 0x8000005C (00:00.0, reg 0x5C)
        0xBA, 0xF8, 0x0C,                   // mov dx, 0xCF8
        0x66, 0xEF,                         // out dx, eax
        0xBA, 0xFE, 0x0C,                   // mov dx, 0xCFE      (PAM5: E0000-E3FFF)
        0xB0, 0x03,                         // mov al, 3          (read and write RAM)
        0xEE,                               // out dx, al
        0xA0, 0x00, 0x00,                   // mov al, [0]        (shadow RAM)
        0x26, 0xA2, 0x01, 0x05,             // mov [es:0x501], al
        0xC6, 0x06, 0x00, 0x00, 0x77,       // mov byte [0], 0x77
        0xA0, 0x00, 0x00,                   // mov al, [0]
        0x26, 0xA2, 0x02, 0x05,             // mov [es:0x502], al
        0xBA, 0x10, 0x05,                   // mov dx, 0x510      (fw_cfg selector)
        0x31, 0xC0,                         // xor ax, ax         (signature)
        0xEF,                               // out dx, ax
        0x42,                               // inc dx
        0xEC,                               // in al, dx
        0x26, 0xA2, 0x03, 0x05,             // mov [es:0x503], al
        0xF4,                               // hlt
        0xEB, 0xFD,                         // jmp hlt
    ];
    rom[0x1E000..0x1E000 + program.len()].copy_from_slice(program);
    // Reset vector: jmp far F000:E000.
    rom[0x1FFF0..0x1FFF5].copy_from_slice(&[0xEA, 0x00, 0xE0, 0x00, 0xF0]);
    rom
}

#[test]
fn pam_write_switches_the_window_to_shadow_ram() {
    let dir = std::env::temp_dir().join(format!("rawbox-shadow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bios = dir.join("bios.bin");
    std::fs::write(&bios, test_rom()).unwrap();
    let cfg = MachineConfig {
        firmware: Firmware::External {
            bios,
            vga_bios: None,
        },
        ..MachineConfig::default()
    };
    let mut m = Machine::new(cfg).unwrap();
    m.run_for(1_000_000);
    let mut got = [0u8; 4];
    m.cpu.mem.read_bytes(RESULT, &mut got);
    assert_eq!(
        got,
        [0xAB, 0x00, 0x77, b'Q'],
        "ROM, shadow RAM, written, fw_cfg"
    );
}
