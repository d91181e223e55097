//! The BIOS ROM image: reset vector, fixed entry points (each a near JMP to its stub),
//! the stubs that enter the Rust services with `OUT HOSTCALL_PORT, AL`, and the tables.
//! [`Rom::service_at`] maps the linear address of a stub's OUT back to its [`Service`].

pub mod layout;
pub mod tables;

use layout::*;
use std::collections::BTreeMap;

/// Which Rust service a stub's host call enters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Service {
    /// Power-on self test (from the reset vector).
    Post,
    /// INT 02h: NMI (ignored).
    Nmi,
    /// INT 10h video services.
    Video,
    /// INT 11h equipment list.
    Equipment,
    /// INT 12h memory size.
    MemorySize,
    /// INT 13h / INT 40h disk services.
    Disk,
    /// INT 14h serial services.
    Serial,
    /// INT 15h system services.
    System,
    /// INT 16h keyboard services.
    Keyboard,
    /// INT 17h printer services.
    Printer,
    /// INT 18h: no bootable device.
    NoBoot,
    /// INT 19h bootstrap loader.
    Boot,
    /// INT 1Ah time services.
    Time,
    /// INT 08h (IRQ0) timer tick.
    TimerIrq,
    /// INT 09h (IRQ1) first half: read the scan code for the INT 15h AH=4Fh intercept.
    KeyboardIrqRead,
    /// INT 09h second half: translate and store the key, EOI.
    KeyboardIrqStore,
    /// INT 0Eh (IRQ6) floppy.
    FloppyIrq,
    /// INT 70h (IRQ8) RTC.
    RtcIrq,
    /// INT 74h (IRQ12) PS/2 mouse.
    MouseIrq,
    /// Any other master-PIC IRQ: EOI.
    MasterIrq,
    /// Any other slave-PIC IRQ: EOI both.
    SlaveIrq,
}

/// The generated 64 KB ROM for 0xF0000-0xFFFFF.
#[derive(Clone)]
pub struct Rom {
    /// The image bytes.
    pub bytes: Vec<u8>,
    services: BTreeMap<u32, Service>,
    entries: BTreeMap<Service, u16>,
}

impl std::fmt::Debug for Rom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rom")
            .field("bytes", &self.bytes.len())
            .field("services", &self.services)
            .finish()
    }
}

/// Byte emitter for the stubs.
struct Asm {
    rom: Vec<u8>,
    pos: u16,
    services: BTreeMap<u32, Service>,
    entries: BTreeMap<Service, u16>,
}

impl Asm {
    fn emit(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.rom[self.pos as usize] = b;
            self.pos = self.pos.wrapping_add(1);
        }
    }
    /// `OUT HOSTCALL_PORT, AL` entering `service`.
    fn call(&mut self, service: Service) {
        self.services.insert(ROM_BASE + self.pos as u32, service);
        self.emit(&[0xE6, HOSTCALL_PORT as u8]);
    }
    /// A near JMP at `at` to `to`.
    fn jmp_at(&mut self, at: u16, to: u16) {
        let rel = to.wrapping_sub(at.wrapping_add(3));
        let [lo, hi] = rel.to_le_bytes();
        let save = self.pos;
        self.pos = at;
        self.emit(&[0xE9, lo, hi]);
        self.pos = save;
    }
    /// Starts a stub for `service`, recording its entry.
    fn begin(&mut self, service: Service) -> u16 {
        self.entries.entry(service).or_insert(self.pos);
        self.pos
    }
    /// A service stub: `L: out; jnc done; sti; hlt; jmp L; done: iret`. The service sets
    /// the live CF to make the caller wait for the next interrupt.
    fn service(&mut self, service: Service) -> u16 {
        let start = self.begin(service);
        self.call(service);
        self.emit(&[0x73, 0x04, 0xFB, 0xF4, 0xEB, 0xF8, 0xCF]);
        start
    }
}

impl Rom {
    /// Generates the ROM.
    pub fn build() -> Rom {
        let mut a = Asm {
            rom: vec![0xFF; ROM_SIZE],
            pos: STUBS,
            services: BTreeMap::new(),
            entries: BTreeMap::new(),
        };
        tables::write_tables(&mut a.rom);
        for (fixed, svc) in [
            (INT10, Service::Video),
            (INT11, Service::Equipment),
            (INT12, Service::MemorySize),
            (INT13, Service::Disk),
            (INT14, Service::Serial),
            (INT15, Service::System),
            (INT16, Service::Keyboard),
            (INT17, Service::Printer),
            (INT1A, Service::Time),
        ] {
            let s = a.service(svc);
            a.jmp_at(fixed, s);
        }
        // INT 40h: the floppy half of INT 13h.
        let disk = a.entries[&Service::Disk];
        a.jmp_at(INT40, disk);
        // INT 19h: boot, or fall through to INT 18h.
        let s = a.begin(Service::Boot);
        a.call(Service::Boot);
        a.emit(&[0xCD, 0x18, 0xCF]);
        a.jmp_at(INT19, s);
        // INT 18h: message, then wait forever.
        a.begin(Service::NoBoot);
        a.call(Service::NoBoot);
        a.emit(&[0xFB, 0xF4, 0xEB, 0xFC]);
        // INT 08h: tick, EOI, INT 1Ch.
        let s = a.begin(Service::TimerIrq);
        a.call(Service::TimerIrq);
        a.emit(&[0xCD, 0x1C, 0xCF]);
        a.jmp_at(INT08, s);
        // INT 09h: push ax; read scan code; int 15h (AH=4Fh); store; [int 1Bh]; pop ax; iret.
        let s = a.begin(Service::KeyboardIrqRead);
        a.emit(&[0x50]);
        a.call(Service::KeyboardIrqRead);
        a.emit(&[0xCD, 0x15]);
        a.entries.insert(Service::KeyboardIrqStore, a.pos);
        a.call(Service::KeyboardIrqStore);
        // Live CF set: Ctrl-Break, call INT 1Bh.
        a.emit(&[0x73, 0x02, 0xCD, 0x1B, 0x58, 0xCF]);
        a.jmp_at(INT09, s);
        // INT 0Eh.
        let s = a.begin(Service::FloppyIrq);
        a.call(Service::FloppyIrq);
        a.emit(&[0xCF]);
        a.jmp_at(INT0E, s);
        // INT 70h: out; jnc done; int 4Ah; done: iret.
        a.begin(Service::RtcIrq);
        a.call(Service::RtcIrq);
        a.emit(&[0x73, 0x02, 0xCD, 0x4A, 0xCF]);
        // INT 74h: save AX-DX and DS; out; jnc done; push status, X, Y, 0;
        // call far [DS:0022h]; add sp, 8; done: restore; iret.
        a.begin(Service::MouseIrq);
        a.emit(&[0x50, 0x53, 0x51, 0x52, 0x1E]);
        a.call(Service::MouseIrq);
        a.emit(&[0x73, 0x0B, 0x50, 0x53, 0x51, 0x52, 0xFF, 0x1E]);
        a.emit(&crate::mouse::HANDLER_OFFSET.to_le_bytes());
        a.emit(&[0x83, 0xC4, 0x08, 0x1F, 0x5A, 0x59, 0x5B, 0x58, 0xCF]);
        for svc in [Service::MasterIrq, Service::SlaveIrq] {
            a.begin(svc);
            a.call(svc);
            a.emit(&[0xCF]);
        }
        // NMI: host call (logged), iret.
        a.pos = NMI;
        a.begin(Service::Nmi);
        a.call(Service::Nmi);
        a.emit(&[0xCF]);
        // POST: cli; cld; out; sti; int 19h; hlt loop.
        a.pos = POST;
        a.begin(Service::Post);
        a.emit(&[0xFA, 0xFC]);
        a.call(Service::Post);
        a.emit(&[0xFB, 0xCD, 0x19, 0xF4, 0xEB, 0xFD]);
        a.rom[DUMMY_IRET as usize] = 0xCF;
        a.rom[PRINT_SCREEN as usize] = 0xCF;
        // Reset vector: jmp far F000:E05B.
        a.pos = RESET;
        let [lo, hi] = POST.to_le_bytes();
        let [slo, shi] = ROM_SEG.to_le_bytes();
        a.emit(&[0xEA, lo, hi, slo, shi]);
        Rom {
            bytes: a.rom,
            services: a.services,
            entries: a.entries,
        }
    }

    /// The service whose host-call instruction sits at linear address `linear`.
    pub fn service_at(&self, linear: u32) -> Option<Service> {
        self.services.get(&linear).copied()
    }

    /// Linear address of the (first) host call entering `service`.
    pub fn hostcall_addr(&self, service: Service) -> Option<u32> {
        self.services
            .iter()
            .find(|(_, &s)| s == service)
            .map(|(&a, _)| a)
    }

    /// Offset in segment F000 of a service's entry (for the interrupt vectors).
    pub fn entry(&self, service: Service) -> u16 {
        self.entries.get(&service).copied().unwrap_or(DUMMY_IRET)
    }
}
