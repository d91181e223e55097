//! The BIOS on the real device models (PIC, PIT, RTC/CMOS, keyboard controller, VGA):
//! boots a floppy whose code waits for a key through INT 16h, waits with INT 15h AH=86h
//! and lets the timer run, with virtual time advancing in the test's machine loop.

use crate::host::{BiosConfig, BiosHost};
use crate::rom::Rom;
use crate::Bios;
use rawbox_cpu::{Cpu, CpuModel, InterruptLines, Mmio, PortIo, RunExit, Width};
use rawbox_devices::cmos::{Cmos, CmosConfig};
use rawbox_devices::disk_image::{DiskImage, MediaKind};
use rawbox_devices::kbc::{Kbc, KeyCode};
use rawbox_devices::pic::Pic;
use rawbox_devices::pit::Pit;
use rawbox_devices::vga::Vga;

struct Board {
    pic: Pic,
    pit: Pit,
    cmos: Cmos,
    kbc: Kbc,
    vga: Vga,
    floppy: DiskImage,
    now: u64,
    config: BiosConfig,
}

impl Board {
    fn update_irqs(&mut self) {
        self.pit.advance(self.now);
        self.cmos.advance(self.now);
        self.kbc.advance(self.now);
        self.pic.set_irq(0, self.pit.irq_line());
        self.pic.set_irq(1, self.kbc.irq1_line());
        self.pic.set_irq(8, self.cmos.irq_line());
        self.pic.set_irq(12, self.kbc.irq12_line());
    }
}

impl PortIo for Board {
    fn port_read(&mut self, port: u16, width: Width) -> u32 {
        let now = self.now;
        let v = match port {
            0x20 | 0x21 | 0xA0 | 0xA1 => self.pic.port_read(port, width, now),
            0x40..=0x43 => self.pit.port_read(port, width, now),
            0x60 | 0x64 => self.kbc.port_read(port, width, now),
            0x70 | 0x71 => self.cmos.port_read(port, width, now),
            0x3B0..=0x3DF | 0x1CE | 0x1CF => self.vga.port_read(port, width, now),
            _ => 0xFF,
        };
        self.update_irqs();
        v
    }
    fn port_write(&mut self, port: u16, width: Width, value: u32) {
        let now = self.now;
        match port {
            0x20 | 0x21 | 0xA0 | 0xA1 => self.pic.port_write(port, width, value, now),
            0x40..=0x43 => self.pit.port_write(port, width, value, now),
            0x60 | 0x64 => self.kbc.port_write(port, width, value, now),
            0x70 | 0x71 => self.cmos.port_write(port, width, value, now),
            0x3B0..=0x3DF | 0x1CE | 0x1CF => self.vga.port_write(port, width, value, now),
            _ => {}
        }
        self.update_irqs();
    }
}

impl Mmio for Board {
    fn mmio_read(&mut self, addr: u32, width: Width) -> u32 {
        (0..width.bytes()).fold(0, |v, i| {
            v | (self.vga.mem_read(addr + i) as u32) << (8 * i)
        })
    }
    fn mmio_write(&mut self, addr: u32, width: Width, value: u32) {
        for i in 0..width.bytes() {
            self.vga.mem_write(addr + i, (value >> (8 * i)) as u8);
        }
    }
}

impl InterruptLines for Board {
    fn intr_pending(&self) -> bool {
        self.pic.intr_pending()
    }
    fn intr_ack(&mut self) -> u8 {
        let v = self.pic.acknowledge();
        self.update_irqs();
        v
    }
}

struct Pc {
    cpu: Cpu,
    board: Board,
}

impl BiosHost for Pc {
    fn cpu(&mut self) -> &mut Cpu {
        &mut self.cpu
    }
    fn port_read(&mut self, port: u16, width: Width) -> u32 {
        self.board.port_read(port, width)
    }
    fn port_write(&mut self, port: u16, width: Width, value: u32) {
        self.board.port_write(port, width, value)
    }
    fn vga(&mut self) -> &mut Vga {
        &mut self.board.vga
    }
    fn disk(&mut self, bios_drive: u8) -> Option<&mut DiskImage> {
        (bios_drive == 0).then_some(&mut self.board.floppy)
    }
    fn now_ns(&self) -> u64 {
        self.board.now
    }
    fn config(&self) -> &BiosConfig {
        &self.board.config
    }
}

fn pc(boot: &[u8]) -> (Pc, Bios) {
    let rom = Rom::build();
    let mut cpu = Cpu::new(CpuModel::I80486, 4 << 20).unwrap();
    cpu.mem.load_rom(0xF0000, &rom.bytes).unwrap();
    cpu.mem.map_mmio(0xA0000, 0x20000).unwrap();
    cpu.hostcall = Some(crate::hostcall_trap());
    let mut img = vec![0u8; 1_474_560];
    img[..boot.len()].copy_from_slice(boot);
    let board = Board {
        pic: Pic::new(),
        pit: Pit::new(),
        cmos: Cmos::new(&CmosConfig::default(), 1_700_000_000),
        kbc: Kbc::new(),
        vga: Vga::new(),
        floppy: DiskImage::from_bytes("a.img", MediaKind::Floppy, img, false).unwrap(),
        now: 0,
        config: BiosConfig {
            memory_bytes: 4 << 20,
            ..BiosConfig::default()
        },
    };
    (Pc { cpu, board }, Bios::new(rom))
}

/// Runs for `ms` milliseconds of virtual time (1 ms per slice of up to 20000 instructions;
/// a halted CPU just lets time pass).
fn run_ms(pc: &mut Pc, bios: &mut Bios, ms: u64) {
    for _ in 0..ms {
        pc.board.now += 1_000_000;
        pc.board.update_irqs();
        let mut budget = 20_000u64;
        while budget > 0 {
            let before = pc.cpu.counters.instructions;
            let exit = pc.cpu.run(&mut pc.board, budget);
            budget = budget.saturating_sub((pc.cpu.counters.instructions - before).max(1));
            match exit {
                RunExit::HostCall(a) => bios.handle(pc, a).unwrap(),
                RunExit::Halted => break,
                RunExit::Budget => {}
                RunExit::Shutdown => panic!("triple fault"),
            }
        }
    }
}

fn peek16(pc: &Pc, addr: u32) -> u16 {
    let mut b = [0u8; 2];
    pc.cpu.mem.read_bytes(addr, &mut b);
    u16::from_le_bytes(b)
}

#[test]
fn key_press_through_the_real_keyboard_controller() {
    // int 16h ah=0; mov [0500h], ax; sti; hlt; jmp $-2
    let (mut pc, mut bios) = pc(&[
        0xB4, 0x00, 0xCD, 0x16, 0xA3, 0x00, 0x05, 0xFB, 0xF4, 0xEB, 0xFD,
    ]);
    run_ms(&mut pc, &mut bios, 50);
    assert_eq!(peek16(&pc, 0x500), 0, "still waiting for a key");
    let t0 = pc.board.now;
    pc.board.kbc.key_event(true, KeyCode::A, t0);
    pc.board.kbc.key_event(false, KeyCode::A, t0 + 1);
    run_ms(&mut pc, &mut bios, 20);
    assert_eq!(peek16(&pc, 0x500), 0x1E61);
}

#[test]
fn timer_ticks_and_int15_wait_with_the_real_pit_and_rtc() {
    // mov ax,[046Ch]; mov [0504h],ax; mov ah,86h; xor cx,cx; mov dx,0C350h (50 ms);
    // int 15h; mov ax,[046Ch]; mov [0506h],ax; mov byte [0502h],1; sti; hlt; jmp $-2
    let code = [
        0xA1, 0x6C, 0x04, 0xA3, 0x04, 0x05, 0xB4, 0x86, 0x31, 0xC9, 0xBA, 0x50, 0xC3, 0xCD, 0x15,
        0xA1, 0x6C, 0x04, 0xA3, 0x06, 0x05, 0xC6, 0x06, 0x02, 0x05, 0x01, 0xFB, 0xF4, 0xEB, 0xFD,
    ];
    let (mut pc, mut bios) = pc(&code);
    let mut waited_until = None;
    for _ in 0..200 {
        run_ms(&mut pc, &mut bios, 1);
        if waited_until.is_none() && pc.cpu.mem.ram()[0x502] == 1 {
            waited_until = Some(pc.board.now);
        }
    }
    let start = peek16(&pc, 0x504);
    let end = peek16(&pc, 0x506);
    let waited_until = waited_until.expect("the wait returned");
    assert!(
        waited_until >= 50_000_000,
        "returned after {waited_until} ns"
    );
    assert!(
        waited_until <= 70_000_000,
        "returned after {waited_until} ns"
    );
    // 50 ms is about one tick (55 ms); the count moved by 0-2 ticks.
    assert!(end.wrapping_sub(start) <= 2, "{start} -> {end}");
    // Over the whole run (200 ms) the tick count grew by at least 3.
    let now_ticks = peek16(&pc, 0x46C);
    assert!(now_ticks.wrapping_sub(start) >= 3, "{start} -> {now_ticks}");
}

#[test]
fn mouse_motion_through_the_real_controller_reaches_the_handler() {
    let mut code = vec![
        0x31, 0xC0, 0x8E, 0xC0, 0xBB, 0x40, 0x7C, // xor ax,ax; mov es,ax; mov bx,7C40h
        0xB8, 0x07, 0xC2, 0xCD, 0x15, // int 15h ax=C207h
        0xB8, 0x05, 0xC2, 0xB7, 0x03, 0xCD, 0x15, // int 15h ax=C205h bh=3 (init)
        0xBB, 0x40, 0x7C, 0xB8, 0x07, 0xC2, 0xCD, 0x15, // handler again (BH was changed)
        0xB8, 0x00, 0xC2, 0xB7, 0x01, 0xCD, 0x15, // int 15h ax=C200h bh=1
        0x88, 0x26, 0x10, 0x06, // mov [0610h], ah
        0xFB, 0xF4, 0xEB, 0xFD, // sti; hlt; jmp hlt
    ];
    code.resize(0x40, 0x90);
    // Handler: count calls at 0612h, store status/X/Y at 0600h.
    code.extend_from_slice(&[
        0x55, 0x89, 0xE5, 0x8B, 0x46, 0x0C, 0x2E, 0xA3, 0x00, 0x06, 0x8B, 0x46, 0x0A, 0x2E, 0xA3,
        0x02, 0x06, 0x8B, 0x46, 0x08, 0x2E, 0xA3, 0x04, 0x06, 0x2E, 0xFE, 0x06, 0x12, 0x06, 0x5D,
        0xCB,
    ]);
    let (mut pc, mut bios) = pc(&code);
    pc.cpu.mem.write_bytes(0x610, &[0xEE, 0, 0]);
    run_ms(&mut pc, &mut bios, 50);
    assert_eq!(pc.cpu.mem.ram()[0x610], 0, "enable succeeded");
    let now = pc.board.now;
    pc.board.kbc.mouse_motion(5, 3, 1, now);
    run_ms(&mut pc, &mut bios, 20);
    assert_eq!(pc.cpu.mem.ram()[0x612], 1, "one packet");
    let status = peek16(&pc, 0x600);
    assert_eq!(status & 0x09, 0x09, "sync bit and left button: {status:#x}");
    assert_eq!(peek16(&pc, 0x602), 5);
    assert_eq!(peek16(&pc, 0x604), 3);
}

#[test]
fn int15_event_wait_sets_the_user_flag_from_the_rtc_interrupt() {
    // mov ax,8300h; xor cx,cx; mov dx,7530h (30 ms); push cs; pop es; mov bx,0600h;
    // int 15h; sti; hlt; jmp $-2
    let code = [
        0xB8, 0x00, 0x83, 0x31, 0xC9, 0xBA, 0x30, 0x75, 0x0E, 0x07, 0xBB, 0x00, 0x06, 0xCD, 0x15,
        0xFB, 0xF4, 0xEB, 0xFD,
    ];
    let (mut pc, mut bios) = pc(&code);
    let mut set_at = None;
    for _ in 0..100 {
        run_ms(&mut pc, &mut bios, 1);
        if set_at.is_none() && pc.cpu.mem.ram()[0x600] & 0x80 != 0 {
            set_at = Some(pc.board.now);
        }
    }
    let t = set_at.expect("flag set");
    assert!((30_000_000..=45_000_000).contains(&t), "set at {t} ns");
    // The periodic interrupt was switched off again.
    assert_eq!(pc.board.cmos.ram(0x0B) & 0x40, 0);
}

/// Boots a real floppy image named by `RAWBOX_BIOS_FLOPPY` on the real device models and
/// prints the screen (manual check: `cargo test -p rawbox-bios real_floppy -- --ignored
/// --nocapture`).
#[test]
#[ignore]
fn real_floppy() {
    let Ok(path) = std::env::var("RAWBOX_BIOS_FLOPPY") else {
        return;
    };
    let data = std::fs::read(path).unwrap();
    let (mut pc, mut bios) = pc(&[]);
    pc.board.floppy = DiskImage::from_bytes("real.img", MediaKind::Floppy, data, false).unwrap();
    let secs: u64 = std::env::var("RAWBOX_BIOS_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    run_ms(&mut pc, &mut bios, secs * 1000);
    let typed = std::env::var("RAWBOX_BIOS_TYPE").unwrap_or_default();
    for ch in typed.chars() {
        let key = match ch {
            'a'..='z' => {
                let i = ch as usize - 'a' as usize;
                let letters = [
                    KeyCode::A,
                    KeyCode::B,
                    KeyCode::C,
                    KeyCode::D,
                    KeyCode::E,
                    KeyCode::F,
                    KeyCode::G,
                    KeyCode::H,
                    KeyCode::I,
                    KeyCode::J,
                    KeyCode::K,
                    KeyCode::L,
                    KeyCode::M,
                    KeyCode::N,
                    KeyCode::O,
                    KeyCode::P,
                    KeyCode::Q,
                    KeyCode::R,
                    KeyCode::S,
                    KeyCode::T,
                    KeyCode::U,
                    KeyCode::V,
                    KeyCode::W,
                    KeyCode::X,
                    KeyCode::Y,
                    KeyCode::Z,
                ];
                letters[i]
            }
            ' ' => KeyCode::Space,
            '.' => KeyCode::Period,
            '\\' => KeyCode::Backslash,
            '~' => KeyCode::Escape,
            _ => KeyCode::Enter,
        };
        let now = pc.board.now;
        pc.board.kbc.key_event(true, key, now);
        run_ms(&mut pc, &mut bios, 30);
        let now = pc.board.now;
        pc.board.kbc.key_event(false, key, now);
        run_ms(&mut pc, &mut bios, 30);
    }
    run_ms(&mut pc, &mut bios, secs * 1000);
    for r in 0..25u32 {
        let row: String = (0..80)
            .map(|c| pc.board.vga.mem_read(0xB8000 + (r * 80 + c) * 2) as char)
            .collect();
        println!("|{}", row.trim_end());
    }
    println!(
        "cs:ip {:04x}:{:04x} exc {:?}",
        pc.cpu.state.segs[1].selector, pc.cpu.state.eip, pc.cpu.last_exception
    );
}
