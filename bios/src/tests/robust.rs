//! Guest-controlled registers must never panic the host: every service is called with
//! many pseudo-random register sets (deterministic generator).

use super::mock::*;
use crate::Service;
use rawbox_cpu::state::reg;
use rawbox_cpu::SegReg;
use rawbox_devices::disk_image::MediaKind;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as u32
    }
}

#[test]
fn random_registers_do_not_panic() {
    let (mut m, mut bios) = posted();
    m.dev
        .disks
        .insert(0x00, disk(MediaKind::Floppy, 1_474_560, 0xA0, false));
    m.dev.disks.insert(
        0x80,
        disk(MediaKind::HardDisk, 16 * 63 * 512 * 2, 0xC0, true),
    );
    m.dev
        .disks
        .insert(0xE0, disk(MediaKind::CdRom, 2048 * 20, 0xE0, true));
    let services = [
        Service::Video,
        Service::Disk,
        Service::System,
        Service::Keyboard,
        Service::Time,
        Service::Serial,
        Service::Printer,
        Service::Equipment,
        Service::MemorySize,
        Service::KeyboardIrqRead,
        Service::KeyboardIrqStore,
        Service::MouseIrq,
        Service::RtcIrq,
        Service::TimerIrq,
        Service::FloppyIrq,
    ];
    let mut rng = Lcg(0x5EED);
    // Functions that are likely to be interesting, to hit more code than pure noise.
    let ahs = [
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E,
        0x0F, 0x10, 0x11, 0x12, 0x13, 0x15, 0x16, 0x18, 0x1A, 0x1B, 0x24, 0x41, 0x42, 0x43, 0x44,
        0x48, 0x4B, 0x4F, 0x86, 0x87, 0x88, 0xC0, 0xC2, 0xE8,
    ];
    for i in 0..4000 {
        let svc = services[i % services.len()];
        for r in 0..8 {
            if r != reg::ESP {
                m.cpu.state.regs[r] = rng.next();
            }
        }
        let ah = ahs[rng.next() as usize % ahs.len()];
        m.cpu.state.set_r8(4, ah);
        if svc == Service::Video && !rng.next().is_multiple_of(4) {
            // Keep the screen mostly in valid modes so the mode-dependent paths run.
            let mode = [0x03u8, 0x13, 0x12, 0x04, 0x06, 0x0D, 0x01][rng.next() as usize % 7];
            m.cpu.mem.write_bytes(0x449, &[mode]);
        }
        if svc == Service::Video && ah == 0x00 {
            // Mode sets are slow; keep them to known-good ones half of the time.
            if rng.next().is_multiple_of(2) {
                m.cpu.state.set_r8(0, 0x03);
            }
        }
        for s in [SegReg::Es, SegReg::Ds] {
            crate::regs::set_sreg(&mut m.cpu, s, rng.next() as u16);
            if rng.next().is_multiple_of(8) {
                // A protected-mode style base near the top of the address space.
                m.cpu.state.segs[s as usize].base = 0xFFFF_FF00 | (rng.next() & 0xFF);
            }
        }
        if rng.next().is_multiple_of(8) {
            // Garble the BDA video/keyboard fields too.
            let off = 0x400 + rng.next() % 0x100;
            m.cpu.mem.write_bytes(off, &[rng.next() as u8]);
        }
        m.dev.kbc_out.push_back(rng.next() as u8);
        m.dev.now += rng.next() as u64;
        call(&mut m, &mut bios, svc);
    }
}
