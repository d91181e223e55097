//! POST results, INT 11h/12h/15h/1Ah and the timer interrupt.

use super::mock::*;
use crate::rom::layout::*;
use crate::Service;
use rawbox_cpu::state::reg;
use rawbox_cpu::SegReg;

fn vector(m: &Machine, n: u32) -> (u16, u16) {
    let v = ram(m, n * 4, 4);
    (
        u16::from_le_bytes([v[2], v[3]]),
        u16::from_le_bytes([v[0], v[1]]),
    )
}

#[test]
fn post_fills_ivt_bda_and_programs_the_chips() {
    let (mut m, _bios) = posted();
    assert_eq!(vector(&m, 0x10), (0xF000, INT10));
    assert_eq!(vector(&m, 0x13), (0xF000, INT13));
    assert_eq!(vector(&m, 0x08), (0xF000, INT08));
    assert_eq!(vector(&m, 0x1E), (0xF000, FLOPPY_PARAM_TABLE));
    assert_eq!(vector(&m, 0x1C), (0xF000, DUMMY_IRET));
    assert_eq!(vector(&m, 0x60), (0, 0));
    // Every vector points somewhere that is not the bare 0:0 except the user range.
    for n in (0..0x60).chain(0x68..0x100) {
        assert_eq!(vector(&m, n).0, 0xF000, "vector {n:#x}");
    }
    // The fixed entries are near JMPs into the ROM; the dummy IRET is an IRET.
    assert_eq!(ram(&m, 0xF0000 + INT10 as u32, 1)[0], 0xE9);
    assert_eq!(ram(&m, 0xF0000 + DUMMY_IRET as u32, 1)[0], 0xCF);
    assert_eq!(ram(&m, 0xFFFF0, 5), vec![0xEA, 0x5B, 0xE0, 0x00, 0xF0]);
    assert_eq!(&ram(&m, 0xFFFF5, 8)[..], b"11/24/26");
    assert_eq!(ram(&m, 0xFFFFE, 1)[0], 0xFC);
    // BDA.
    assert_eq!(ram(&m, 0x413, 2), vec![0x7F, 0x02]);
    assert_eq!(ram(&m, 0x40E, 2), 0x9FC0u16.to_le_bytes().to_vec());
    assert_eq!(ram(&m, 0x9FC00, 1)[0], 1);
    let eq = u16::from_le_bytes(ram(&m, 0x410, 2).try_into().unwrap());
    assert_eq!(eq & 1, 1, "floppy present");
    assert_eq!((eq >> 6) & 3, 1, "two floppies");
    assert_eq!((eq >> 4) & 3, 2, "80x25 colour");
    assert_eq!(eq & 2 != 0, m.cpu.fpu.is_some());
    assert_eq!(ram(&m, 0x480, 4), vec![0x1E, 0, 0x3E, 0]);
    assert_eq!(ram(&m, 0x41A, 4), vec![0x1E, 0, 0x1E, 0]);
    assert_eq!(ram(&m, 0x449, 1)[0], 3);
    assert_eq!(ram(&m, 0x44A, 2), vec![80, 0]);
    assert_eq!(ram(&m, 0x484, 1)[0], 24);
    // Ticks from the CMOS time 12:34:56.
    let t = u32::from_le_bytes(ram(&m, 0x46C, 4).try_into().unwrap());
    assert_eq!(t, (45296u64 * 1_193_182 / 65_536) as u32);
    // PIC ICWs, PIT mode 3, KBC command byte.
    let w = &m.dev.writes;
    let pos = |x: &[(u16, u32)]| w.windows(x.len()).position(|s| s == x);
    assert!(pos(&[(0x20, 0x11), (0x21, 0x08), (0x21, 0x04), (0x21, 0x01)]).is_some());
    assert!(pos(&[(0xA0, 0x11), (0xA1, 0x70), (0xA1, 0x02), (0xA1, 0x01)]).is_some());
    assert!(pos(&[(0x43, 0x36), (0x40, 0), (0x40, 0)]).is_some());
    assert!(pos(&[(0x64, 0x60), (0x60, 0x45)]).is_some());
    // Banner.
    assert_eq!(screen_row(&mut m, 0), "rawbox BIOS");
}

#[test]
fn int11_int12() {
    let (mut m, mut bios) = posted();
    call(&mut m, &mut bios, Service::MemorySize);
    assert_eq!(r16(&m, reg::EAX), 639);
    call(&mut m, &mut bios, Service::Equipment);
    assert_eq!(
        r16(&m, reg::EAX),
        u16::from_le_bytes(ram(&m, 0x410, 2).try_into().unwrap())
    );
}

#[test]
fn e820_map() {
    let (mut m, mut bios) = posted();
    crate::regs::set_sreg(&mut m.cpu, SegReg::Es, 0x0100);
    m.cpu.state.set_r16(reg::EDI, 0);
    let mut entries = Vec::new();
    let mut ebx = 0;
    loop {
        m.cpu.state.regs[reg::EAX] = 0xE820;
        m.cpu.state.regs[reg::EDX] = 0x534D_4150;
        m.cpu.state.regs[reg::ECX] = 24;
        m.cpu.state.regs[reg::EBX] = ebx;
        let f = call(&mut m, &mut bios, Service::System);
        assert_eq!(f & 1, 0);
        assert_eq!(m.cpu.state.regs[reg::EAX], 0x534D_4150);
        assert_eq!(m.cpu.state.regs[reg::ECX], 20);
        let b = ram(&m, 0x1000, 20);
        entries.push((
            u64::from_le_bytes(b[0..8].try_into().unwrap()),
            u64::from_le_bytes(b[8..16].try_into().unwrap()),
            u32::from_le_bytes(b[16..20].try_into().unwrap()),
        ));
        ebx = m.cpu.state.regs[reg::EBX];
        if ebx == 0 || entries.len() > 10 {
            break;
        }
    }
    assert_eq!(entries[0], (0, 0x9FC00, 1));
    assert_eq!(entries[1], (0x9FC00, 0x400, 2));
    assert!(entries.contains(&(0xF0000, 0x10000, 2)));
    assert!(entries.contains(&(0x100000, RAM - 0x100000, 1)));
    // A bad signature fails.
    m.cpu.state.regs[reg::EAX] = 0xE820;
    m.cpu.state.regs[reg::EDX] = 0;
    m.cpu.state.regs[reg::EBX] = 0;
    let f = call(&mut m, &mut bios, Service::System);
    assert_eq!(f & 1, 1);
}

#[test]
fn extended_memory_sizes_and_config_table() {
    let (mut m, mut bios) = posted();
    regs(&mut m, 0x8800, 0, 0, 0);
    call(&mut m, &mut bios, Service::System);
    assert_eq!(r16(&m, reg::EAX), 3072);
    regs(&mut m, 0xE801, 0, 0, 0);
    call(&mut m, &mut bios, Service::System);
    assert_eq!(r16(&m, reg::EAX), 3072);
    assert_eq!(r16(&m, reg::EBX), 0);
    regs(&mut m, 0xC000, 0, 0, 0);
    let f = call(&mut m, &mut bios, Service::System);
    assert_eq!(f & 1, 0);
    let t = 0xF0000 + r16(&m, reg::EBX) as u32;
    assert_eq!(ram(&m, t + 2, 1)[0], 0xFC);
    // Unsupported functions report 86h with CF.
    regs(&mut m, 0xC300, 0, 0, 0);
    let f = call(&mut m, &mut bios, Service::System);
    assert_eq!(f & 1, 1);
    assert_eq!(r16(&m, reg::EAX) >> 8, 0x86);
}

#[test]
fn block_move_copies_between_physical_addresses() {
    let (mut m, mut bios) = posted();
    m.cpu.mem.write_bytes(0x200000, b"extended!");
    let mut gdt = [0u8; 48];
    gdt[0x10 + 2..0x10 + 5].copy_from_slice(&[0x00, 0x00, 0x20]);
    gdt[0x18 + 2..0x18 + 5].copy_from_slice(&[0x00, 0x30, 0x00]);
    m.cpu.mem.write_bytes(0x800, &gdt);
    crate::regs::set_sreg(&mut m.cpu, SegReg::Es, 0);
    m.cpu.state.set_r16(reg::ESI, 0x800);
    regs(&mut m, 0x8700, 0, 5, 0);
    let f = call(&mut m, &mut bios, Service::System);
    assert_eq!(f & 1, 0);
    assert_eq!(&ram(&m, 0x3000, 10)[..], b"extended!\0");
}

#[test]
fn a20_gate() {
    let (mut m, mut bios) = posted();
    regs(&mut m, 0x2400, 0, 0, 0);
    call(&mut m, &mut bios, Service::System);
    assert!(!m.cpu.state.a20);
    assert!(m.dev.writes.contains(&(0x64, 0xDD)));
    assert!(m.dev.writes.contains(&(0x92, 0xFC)));
    regs(&mut m, 0x2402, 0, 0, 0);
    call(&mut m, &mut bios, Service::System);
    assert_eq!(r16(&m, reg::EAX), 0x0000);
    regs(&mut m, 0x2401, 0, 0, 0);
    call(&mut m, &mut bios, Service::System);
    assert!(m.cpu.state.a20);
}

#[test]
fn wait_sets_live_cf_until_the_time_has_passed() {
    let (mut m, mut bios) = posted();
    regs(&mut m, 0x8600, 0, 0, 1000);
    call(&mut m, &mut bios, Service::System);
    assert!(m.cpu.state.flags.cf(), "waits");
    assert_eq!(m.dev.cmos[0x0B] & 0x40, 0x40, "periodic interrupt on");
    m.dev.now += 500_000;
    call(&mut m, &mut bios, Service::System);
    assert!(m.cpu.state.flags.cf(), "still waits");
    m.dev.now += 600_000;
    let f = call(&mut m, &mut bios, Service::System);
    assert!(!m.cpu.state.flags.cf());
    assert_eq!(f & 1, 0);
    assert_eq!(m.dev.cmos[0x0B] & 0x40, 0);
}

#[test]
fn timer_ticks_and_midnight() {
    let (mut m, mut bios) = posted();
    m.cpu.mem.write_bytes(0x46C, &0x1800AFu32.to_le_bytes());
    call(&mut m, &mut bios, Service::TimerIrq);
    regs(&mut m, 0x0000, 0, 0, 0);
    call(&mut m, &mut bios, Service::Time);
    assert_eq!((r16(&m, reg::ECX), r16(&m, reg::EDX)), (0, 0));
    assert_eq!(r16(&m, reg::EAX) & 0xFF, 1, "midnight flag");
    call(&mut m, &mut bios, Service::TimerIrq);
    call(&mut m, &mut bios, Service::TimerIrq);
    regs(&mut m, 0x0000, 0, 0, 0);
    call(&mut m, &mut bios, Service::Time);
    assert_eq!(r16(&m, reg::EDX), 2);
    assert_eq!(
        r16(&m, reg::EAX) & 0xFF,
        0,
        "flag cleared by the previous read"
    );
    // AH=01h sets the counter.
    regs(&mut m, 0x0100, 0, 0x0012, 0x3456);
    call(&mut m, &mut bios, Service::Time);
    assert_eq!(ram(&m, 0x46C, 4), 0x123456u32.to_le_bytes().to_vec());
}

#[test]
fn rtc_time_and_date() {
    let (mut m, mut bios) = posted();
    regs(&mut m, 0x0200, 0, 0, 0);
    let f = call(&mut m, &mut bios, Service::Time);
    assert_eq!(f & 1, 0);
    assert_eq!(r16(&m, reg::ECX), 0x1234);
    assert_eq!(r16(&m, reg::EDX) >> 8, 0x56);
    regs(&mut m, 0x0400, 0, 0, 0);
    call(&mut m, &mut bios, Service::Time);
    assert_eq!(r16(&m, reg::ECX), 0x2026);
    assert_eq!(r16(&m, reg::EDX), 0x1124);
    regs(&mut m, 0x0300, 0, 0x2359, 0x0100);
    call(&mut m, &mut bios, Service::Time);
    assert_eq!(
        (m.dev.cmos[4], m.dev.cmos[2], m.dev.cmos[0]),
        (0x23, 0x59, 0x01)
    );
}

#[test]
fn printer_times_out_and_serial_absent() {
    let (mut m, mut bios) = posted();
    regs(&mut m, 0x0100, 0, 0, 0);
    call(&mut m, &mut bios, Service::Printer);
    assert_eq!(r16(&m, reg::EAX) >> 8, 0x01);
    regs(&mut m, 0x0300, 0, 0, 0);
    call(&mut m, &mut bios, Service::Serial);
    assert_eq!(r16(&m, reg::EAX), 0x8000);
}
