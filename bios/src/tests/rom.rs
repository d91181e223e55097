//! The ROM layout: fixed entry points jump to their stubs, every stub's host call maps back
//! to its service, the tables sit where software expects them.

use crate::rom::layout::*;
use crate::rom::{Rom, Service};

fn jump_target(rom: &Rom, at: u16) -> u16 {
    let b = &rom.bytes[at as usize..at as usize + 3];
    assert_eq!(b[0], 0xE9, "near JMP at {at:#06x}");
    at.wrapping_add(3)
        .wrapping_add(u16::from_le_bytes([b[1], b[2]]))
}

#[test]
fn fixed_entries_reach_their_services() {
    let rom = Rom::build();
    assert_eq!(rom.bytes.len(), 0x10000);
    for (at, svc, out_offset) in [
        (INT10, Service::Video, 0),
        (INT11, Service::Equipment, 0),
        (INT12, Service::MemorySize, 0),
        (INT13, Service::Disk, 0),
        (INT40, Service::Disk, 0),
        (INT14, Service::Serial, 0),
        (INT15, Service::System, 0),
        (INT16, Service::Keyboard, 0),
        (INT17, Service::Printer, 0),
        (INT19, Service::Boot, 0),
        (INT1A, Service::Time, 0),
        (INT08, Service::TimerIrq, 0),
        (INT09, Service::KeyboardIrqRead, 1),
        (INT0E, Service::FloppyIrq, 0),
    ] {
        let target = jump_target(&rom, at);
        assert_eq!(target, rom.entry(svc), "{svc:?}");
        let out = ROM_BASE + target as u32 + out_offset;
        assert_eq!(rom.bytes[(out - ROM_BASE) as usize], 0xE6, "{svc:?} OUT");
        assert_eq!(
            rom.bytes[(out - ROM_BASE) as usize + 1],
            HOSTCALL_PORT as u8
        );
        assert_eq!(rom.service_at(out), Some(svc));
    }
    assert_eq!(
        rom.service_at(ROM_BASE + POST as u32 + 2),
        Some(Service::Post)
    );
    assert_eq!(rom.service_at(ROM_BASE + NMI as u32), Some(Service::Nmi));
    assert_eq!(rom.service_at(ROM_BASE + POST as u32), None);
    // Every recorded host call is an OUT imm8, AL to the host-call port.
    for svc in [
        Service::KeyboardIrqStore,
        Service::MouseIrq,
        Service::RtcIrq,
        Service::NoBoot,
        Service::MasterIrq,
        Service::SlaveIrq,
    ] {
        let a = rom.hostcall_addr(svc).expect("stub");
        let i = (a - ROM_BASE) as usize;
        assert_eq!(
            &rom.bytes[i..i + 2],
            &[0xE6, HOSTCALL_PORT as u8],
            "{svc:?}"
        );
    }
}

#[test]
fn tables_at_their_addresses() {
    let rom = Rom::build();
    let t = &rom.bytes[FLOPPY_PARAM_TABLE as usize..FLOPPY_PARAM_TABLE as usize + 11];
    assert_eq!(t[3], 2, "512-byte sectors");
    assert_eq!(t[4], 18, "1.44 MB sectors per track");
    let baud = &rom.bytes[BAUD_TABLE as usize..BAUD_TABLE as usize + 16];
    assert_eq!(
        u16::from_le_bytes([baud[14], baud[15]]),
        12,
        "9600 baud divisor"
    );
    assert_eq!(rom.bytes[CONFIG_TABLE as usize + 2], 0xFC);
    assert_eq!(rom.bytes[DUMMY_IRET as usize], 0xCF);
    assert_eq!(&rom.bytes[0xFFF5..0xFFFD], b"11/24/26");
}
