//! Shared harness for the system-level guest-program tests: a machine with a GDT, an IDT whose
//! every vector logs its frame, a TSS, and a real-mode prologue that enters protected mode
//! (LGDT, LIDT, MOV CR0, far JMP) before jumping to the test's own code.
//!
//! The guest reports through RAM: each exception the default handlers take is appended to a
//! log (vector, error code, the frame words, the handler's EFLAGS, CR2, data selectors); the
//! test's own code writes results to `RES`. A handler either HLTs (the test then inspects the
//! state) or, when the guest armed `RESUME`, continues at that address at ring 0 with the ESP
//! the guest saved in `RESUME_ESP`.
#![allow(dead_code)]

use iced_x86::code_asm::*;
use rawbox_cpu::{Cpu, CpuModel, InterruptLines, Mmio, PortIo, RunExit, Width};

pub type Asm = CodeAssembler;
pub type AsmResult = Result<(), IcedError>;

/// RAM size of every test machine.
pub const RAM: u64 = 8 << 20;
/// GDT: 256 entries.
pub const GDT: u32 = 0x1000;
/// IDT: 256 gates.
pub const IDT: u32 = 0x2000;
/// Pseudo-descriptors for LGDT and LIDT.
pub const GDTR_PTR: u32 = 0x0F00;
pub const IDTR_PTR: u32 = 0x0F08;
/// The main 32-bit TSS (with room for a full I/O permission bitmap after it).
pub const TSS0: u32 = 0x3000;
/// Offset of the I/O bitmap inside TSS0 when a test enables it (after the 32-byte VME
/// interrupt redirection bitmap at 0x68).
pub const IOMAP_OFF: u32 = 0x88;
/// Further TSSes for task-switch tests.
pub const TSS1: u32 = 0x5800;
pub const TSS2: u32 = 0x5A00;
pub const TSS3: u32 = 0x5C00;
/// Harness variables.
pub const LOG_COUNT: u32 = 0x6000;
pub const RESUME: u32 = 0x6004;
pub const RESUME_ESP: u32 = 0x6008;
pub const ENTRY_PTR: u32 = 0x600C;
/// The test's result words (guest-written).
pub const RES: u32 = 0x6100;
/// The exception log: up to `LOG_MAX` records of 64 bytes.
pub const LOG: u32 = 0x6400;
pub const LOG_MAX: u32 = 16;
/// 32-bit trampoline run right after the far jump into protected mode.
pub const TRAMP32: u32 = 0x6800;
/// Real-mode prologue (CS:IP = 0000:7000).
pub const PROLOGUE: u32 = 0x7000;
/// Default exception stubs (16 bytes each) and their common handler.
pub const STUBS: u32 = 0x7400;
pub const COMMON: u32 = 0x8400;
/// Where 16-bit protected-mode code goes (offset in the 16-bit code segment based at 0).
pub const CODE16: u32 = 0xA000;
/// Ring-0 stack for 16-bit protected mode (offset in the 16-bit data segment).
pub const STACK16: u32 = 0xF000;
/// Where 32-bit test code goes.
pub const CODE: u32 = 0x10000;
/// More room for test code (ring-3 code, handlers, v86 code...).
pub const CODE2: u32 = 0x14000;
pub const CODE3: u32 = 0x18000;
/// Stack tops.
pub const STACK0: u32 = 0x20000;
pub const STACK3: u32 = 0x30000;
/// Free data area.
pub const DATA: u32 = 0x40000;
/// Page directory and page tables (identity map of RAM).
pub const PDIR: u32 = 0x100000;
pub const PTAB: u32 = 0x101000;

/// Sentinel the stubs push for vectors without an error code.
pub const NO_ERR: u32 = 0xE0E0_E0E0;

/// Standard selectors.
pub const CS0: u16 = 0x08;
pub const DS0: u16 = 0x10;
pub const CS3: u16 = 0x18 | 3;
pub const DS3: u16 = 0x20 | 3;
pub const TSS_SEL: u16 = 0x28;
pub const CS16: u16 = 0x30;
pub const DS16: u16 = 0x38;
/// First GDT index free for tests.
pub const FREE_GDT: u16 = 0x40;

/// Descriptor access bytes.
pub mod acc {
    pub const CODE0: u8 = 0x9A;
    pub const DATA0: u8 = 0x92;
    pub const CODE3: u8 = 0xFA;
    pub const DATA3: u8 = 0xF2;
    pub const TSS32: u8 = 0x89;
    pub const TSS32_BUSY: u8 = 0x8B;
    pub const TSS16: u8 = 0x81;
    pub const LDT: u8 = 0x82;
}

/// Gate types.
pub mod gate {
    pub const TASK: u8 = 0x5;
    pub const INT16: u8 = 0x6;
    pub const TRAP16: u8 = 0x7;
    pub const CALL16: u8 = 0x4;
    pub const CALL32: u8 = 0xC;
    pub const INT32: u8 = 0xE;
    pub const TRAP32: u8 = 0xF;
}

/// Vectors for which the CPU pushes an error code.
pub fn has_error_code(v: u8) -> bool {
    matches!(v, 8 | 10..=14 | 17)
}

/// A bus that records port writes and answers reads with a fixed pattern.
#[derive(Default, Debug)]
pub struct TestBus {
    pub writes: Vec<(u16, u32, u32)>,
    pub reads: Vec<u16>,
    /// A pending maskable interrupt (INTR high until acknowledged).
    pub irq: Option<u8>,
    /// A pending NMI.
    pub nmi: bool,
}

impl PortIo for TestBus {
    fn port_read(&mut self, port: u16, width: Width) -> u32 {
        self.reads.push(port);
        match width {
            Width::Byte => 0x5A,
            Width::Word => 0x5A5A,
            Width::Dword => 0x5A5A_5A5A,
        }
    }
    fn port_write(&mut self, port: u16, width: Width, value: u32) {
        self.writes.push((port, width.bytes(), value));
    }
}

impl Mmio for TestBus {
    fn mmio_read(&mut self, _addr: u32, _width: Width) -> u32 {
        0xFFFF_FFFF
    }
    fn mmio_write(&mut self, _addr: u32, _width: Width, _value: u32) {}
}

impl InterruptLines for TestBus {
    fn intr_pending(&self) -> bool {
        self.irq.is_some()
    }
    fn intr_ack(&mut self) -> u8 {
        self.irq.take().unwrap_or(0xFF)
    }
    fn take_nmi(&mut self) -> bool {
        std::mem::take(&mut self.nmi)
    }
}

/// One exception the default handlers logged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExcRecord {
    pub vector: u32,
    /// The error code, or None when the stub saw none (vector without one).
    pub error: Option<u32>,
    /// Words of the frame above the error code: EIP, CS, EFLAGS, ESP, SS, ES, DS, FS, GS.
    pub frame: [u32; 9],
    /// EFLAGS inside the handler.
    pub handler_flags: u32,
    /// Address of the frame's EIP word (the handler's ESP after the error code).
    pub frame_ptr: u32,
    pub cr2: u32,
    /// DS, ES, FS, GS selectors inside the handler.
    pub sels: [u16; 4],
}

impl ExcRecord {
    pub fn eip(&self) -> u32 {
        self.frame[0]
    }
    pub fn cs(&self) -> u16 {
        self.frame[1] as u16
    }
    pub fn eflags(&self) -> u32 {
        self.frame[2]
    }
}

/// Where the guest starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    /// 32-bit protected mode, ring 0, flat segments, TR loaded, at `CODE`.
    Pm32,
    /// 16-bit protected mode via LMSW, ring 0, CS=CS16 (base 0) at `CODE16`.
    Pm16,
    /// Stay in real mode: the prologue jumps to 0000:CODE16.
    Real,
}

/// A test machine.
pub struct Guest {
    pub cpu: Cpu,
    pub bus: TestBus,
}

impl Guest {
    /// A machine of `model` with the standard tables, stubs and prologue for `entry`.
    pub fn new(model: CpuModel, entry: Entry) -> Guest {
        let cpu = Cpu::new(model, RAM).expect("RAM");
        let mut g = Guest {
            cpu,
            bus: TestBus::default(),
        };
        g.build_tables();
        g.build_stubs();
        g.build_prologue(entry);
        g
    }

    /// A Pentium entering 32-bit protected mode.
    pub fn pm32() -> Guest {
        Guest::new(CpuModel::Pentium, Entry::Pm32)
    }

    pub fn wr8(&mut self, addr: u32, v: u8) {
        self.cpu.mem.write_bytes(addr, &[v]);
    }
    pub fn wr16(&mut self, addr: u32, v: u16) {
        self.cpu.mem.write_bytes(addr, &v.to_le_bytes());
    }
    pub fn wr32(&mut self, addr: u32, v: u32) {
        self.cpu.mem.write_bytes(addr, &v.to_le_bytes());
    }
    pub fn rd8(&self, addr: u32) -> u8 {
        let mut b = [0u8; 1];
        self.cpu.mem.read_bytes(addr, &mut b);
        b[0]
    }
    pub fn rd16(&self, addr: u32) -> u16 {
        let mut b = [0u8; 2];
        self.cpu.mem.read_bytes(addr, &mut b);
        u16::from_le_bytes(b)
    }
    pub fn rd32(&self, addr: u32) -> u32 {
        let mut b = [0u8; 4];
        self.cpu.mem.read_bytes(addr, &mut b);
        u32::from_le_bytes(b)
    }
    /// Result word `i` written by the guest at `RES + 4*i`.
    pub fn res(&self, i: u32) -> u32 {
        self.rd32(RES + 4 * i)
    }

    /// Writes GDT entry for selector `sel`: a segment or system descriptor. `flags` is the
    /// high nibble of byte 6 (G=8, D/B=4); `limit` is the raw 20-bit limit.
    pub fn set_desc(&mut self, sel: u16, base: u32, limit: u32, access: u8, flags: u8) {
        let addr = GDT + (sel as u32 & !7);
        let lo = (limit & 0xFFFF) | (base << 16);
        let hi = ((base >> 16) & 0xFF)
            | ((access as u32) << 8)
            | (limit & 0xF_0000)
            | (((flags & 0xF) as u32) << 20)
            | (base & 0xFF00_0000);
        self.wr32(addr, lo);
        self.wr32(addr + 4, hi);
    }

    /// Writes a gate descriptor (call gate, task gate, interrupt/trap gate) at `addr`.
    pub fn write_gate(&mut self, addr: u32, sel: u16, off: u32, typ: u8, dpl: u8, params: u8) {
        let lo = (off & 0xFFFF) | ((sel as u32) << 16);
        let access = 0x80 | ((dpl as u32 & 3) << 5) | typ as u32;
        let hi = (off & 0xFFFF_0000) | (access << 8) | (params as u32 & 0x1F);
        self.wr32(addr, lo);
        self.wr32(addr + 4, hi);
    }

    /// IDT gate for vector `v`.
    pub fn set_idt(&mut self, v: u8, sel: u16, off: u32, typ: u8, dpl: u8) {
        self.write_gate(IDT + v as u32 * 8, sel, off, typ, dpl, 0);
    }

    /// Call gate (or task gate) in the GDT.
    pub fn set_gdt_gate(&mut self, sel: u16, target: u16, off: u32, typ: u8, dpl: u8, params: u8) {
        self.write_gate(GDT + (sel as u32 & !7), target, off, typ, dpl, params);
    }

    /// Clears the P bit of a GDT or IDT descriptor at `addr`.
    pub fn clear_present(&mut self, addr: u32) {
        let hi = self.rd32(addr + 4);
        self.wr32(addr + 4, hi & !(1 << 15));
    }

    /// Address of the stub that logs vector `v`.
    pub fn stub(v: u8) -> u32 {
        STUBS + v as u32 * 16
    }

    fn build_tables(&mut self) {
        self.set_desc(CS0, 0, 0xFFFFF, acc::CODE0, 0xC);
        self.set_desc(DS0, 0, 0xFFFFF, acc::DATA0, 0xC);
        self.set_desc(CS3, 0, 0xFFFFF, acc::CODE3, 0xC);
        self.set_desc(DS3, 0, 0xFFFFF, acc::DATA3, 0xC);
        self.set_desc(TSS_SEL, TSS0, 0x67, acc::TSS32, 0);
        self.set_desc(CS16, 0, 0xFFFF, acc::CODE0, 0);
        self.set_desc(DS16, 0, 0xFFFF, acc::DATA0, 0);
        self.wr16(GDTR_PTR, 0x7FF);
        self.wr32(GDTR_PTR + 2, GDT);
        self.wr16(IDTR_PTR, 0x7FF);
        self.wr32(IDTR_PTR + 2, IDT);
        for v in 0..=255u8 {
            self.set_idt(v, CS0, Self::stub(v), gate::INT32, 0);
        }
        // TSS0: ring-0 stack, no I/O bitmap (base beyond the limit).
        self.wr32(TSS0 + 4, STACK0);
        self.wr32(TSS0 + 8, DS0 as u32);
        self.wr16(TSS0 + 0x66, 0xFFFF);
    }

    /// Gives TSS0 an I/O permission bitmap that denies every port except those in `allowed`.
    pub fn set_io_bitmap(&mut self, allowed: &[u16]) {
        self.wr16(TSS0 + 0x66, IOMAP_OFF as u16);
        let map = TSS0 + IOMAP_OFF;
        for i in 0..0x2000 {
            self.wr8(map + i, 0xFF);
        }
        self.wr8(map + 0x2000, 0xFF);
        for &p in allowed {
            let a = map + (p as u32 >> 3);
            let b = self.rd8(a) & !(1 << (p & 7));
            self.wr8(a, b);
        }
        self.set_desc(TSS_SEL, TSS0, IOMAP_OFF + 0x2000, acc::TSS32, 0);
    }

    /// Assembles `f` as `bitness`-bit code at `addr` and stores it. Returns its length.
    pub fn asm(&mut self, bitness: u32, addr: u32, f: impl FnOnce(&mut Asm) -> AsmResult) -> u32 {
        let mut a = CodeAssembler::new(bitness).unwrap();
        f(&mut a).unwrap();
        let bytes = a.assemble(addr as u64).unwrap();
        self.cpu.mem.write_bytes(addr, &bytes);
        bytes.len() as u32
    }

    /// Assembles 32-bit code at `addr`.
    pub fn code32(&mut self, addr: u32, f: impl FnOnce(&mut Asm) -> AsmResult) -> u32 {
        self.asm(32, addr, f)
    }

    /// Assembles 16-bit code at `addr`.
    pub fn code16(&mut self, addr: u32, f: impl FnOnce(&mut Asm) -> AsmResult) -> u32 {
        self.asm(16, addr, f)
    }

    fn build_stubs(&mut self) {
        for v in 0..=255u8 {
            self.asm(32, Self::stub(v), |a| {
                if !has_error_code(v) {
                    a.push(NO_ERR as i32)?;
                }
                a.push(v as i32)?;
                a.jmp(COMMON as u64)
            });
        }
        self.asm(32, COMMON, |a| {
            let mut skip = a.create_label();
            let mut halt = a.create_label();
            // Stack after these pushes: gs fs es ds ecx ebx eax | vector error eip cs ...
            a.push(eax)?;
            a.push(ebx)?;
            a.push(ecx)?;
            a.push(ds)?;
            a.push(es)?;
            a.push(fs)?;
            a.push(gs)?;
            a.mov(ax, DS0 as u32)?;
            a.mov(ds, ax)?;
            a.mov(ebx, dword_ptr(LOG_COUNT))?;
            a.cmp(ebx, LOG_MAX)?;
            a.jae(skip)?;
            a.shl(ebx, 6)?;
            a.add(ebx, LOG)?;
            // vector, error code and 9 frame words: [esp+28 ..]
            for i in 0..11u32 {
                a.mov(eax, dword_ptr(esp + 28 + 4 * i))?;
                a.mov(dword_ptr(ebx + 4 * i), eax)?;
            }
            a.pushfd()?;
            a.pop(eax)?;
            a.mov(dword_ptr(ebx + 44), eax)?;
            a.lea(eax, dword_ptr(esp + 36))?;
            a.mov(dword_ptr(ebx + 48), eax)?;
            a.mov(eax, cr2)?;
            a.mov(dword_ptr(ebx + 52), eax)?;
            for (i, off) in [12u32, 8, 4, 0].iter().enumerate() {
                a.mov(eax, dword_ptr(esp + *off))?;
                a.mov(word_ptr(ebx + 56 + 2 * i as u32), ax)?;
            }
            a.inc(dword_ptr(LOG_COUNT))?;
            a.set_label(&mut skip)?;
            a.mov(eax, dword_ptr(RESUME))?;
            a.test(eax, eax)?;
            a.jz(halt)?;
            a.mov(dword_ptr(RESUME), 0u32)?;
            a.mov(bx, DS0 as u32)?;
            a.mov(ss, bx)?;
            a.mov(esp, dword_ptr(RESUME_ESP))?;
            a.mov(es, bx)?;
            a.mov(fs, bx)?;
            a.mov(gs, bx)?;
            a.jmp(eax)?;
            a.set_label(&mut halt)?;
            a.hlt()?;
            a.jmp(halt)
        });
    }

    fn build_prologue(&mut self, entry: Entry) {
        self.wr32(ENTRY_PTR, CODE);
        self.asm(16, PROLOGUE, |a| {
            a.cli()?;
            a.xor(ax, ax)?;
            a.mov(ds, ax)?;
            a.mov(ss, ax)?;
            a.mov(sp, 0x6FF0u32)?;
            match entry {
                Entry::Real => a.jmp_far(0, CODE16),
                Entry::Pm32 => {
                    a.lgdt(ptr(GDTR_PTR))?;
                    a.lidt(ptr(IDTR_PTR))?;
                    a.mov(eax, cr0)?;
                    a.or(eax, 1)?;
                    a.mov(cr0, eax)?;
                    a.jmp_far(CS0, TRAMP32)
                }
                Entry::Pm16 => {
                    a.lgdt(ptr(GDTR_PTR))?;
                    a.lidt(ptr(IDTR_PTR))?;
                    a.smsw(ax)?;
                    a.or(ax, 1)?;
                    a.lmsw(ax)?;
                    a.jmp_far(CS16, CODE16 - 0x10)
                }
            }
        });
        if entry == Entry::Pm16 {
            // 16-bit PM trampoline just below CODE16: data segments, stack, then the test.
            self.asm(16, CODE16 - 0x10, |a| {
                a.mov(ax, DS16 as u32)?;
                a.mov(ds, ax)?;
                a.mov(es, ax)?;
                a.mov(ss, ax)?;
                a.mov(sp, STACK16)?;
                a.jmp(CODE16 as u64)
            });
        }
        self.asm(32, TRAMP32, |a| {
            a.mov(ax, DS0 as u32)?;
            a.mov(ds, ax)?;
            a.mov(es, ax)?;
            a.mov(fs, ax)?;
            a.mov(gs, ax)?;
            a.mov(ss, ax)?;
            a.mov(esp, STACK0)?;
            a.mov(ax, TSS_SEL as u32)?;
            a.ltr(ax)?;
            a.jmp(dword_ptr(ENTRY_PTR))
        });
        let code_seg = &mut self.cpu.state.segs[1];
        *code_seg = rawbox_cpu::Segment::real(0);
        code_seg.access |= rawbox_cpu::state::access::CODE;
        self.cpu.state.eip = PROLOGUE;
    }

    /// Runs until the guest halts (or shuts down, or the budget ends).
    pub fn run(&mut self) -> RunExit {
        self.run_budget(200_000)
    }

    pub fn run_budget(&mut self, budget: u64) -> RunExit {
        self.cpu.run(&mut self.bus, budget)
    }

    /// Runs and asserts the guest halted.
    pub fn run_to_halt(&mut self) {
        let exit = self.run();
        assert_eq!(
            exit,
            RunExit::Halted,
            "guest did not halt; eip={:#x} cs={:#x} log={:?}",
            self.cpu.state.eip,
            self.cpu.state.segs[1].selector,
            self.log()
        );
    }

    /// The exceptions the default handlers logged, oldest first.
    pub fn log(&self) -> Vec<ExcRecord> {
        let n = self.rd32(LOG_COUNT).min(LOG_MAX);
        (0..n)
            .map(|i| {
                let b = LOG + i * 64;
                let w = |k: u32| self.rd32(b + 4 * k);
                let err = w(1);
                let mut frame = [0u32; 9];
                for (k, f) in frame.iter_mut().enumerate() {
                    *f = w(2 + k as u32);
                }
                ExcRecord {
                    vector: w(0),
                    error: (err != NO_ERR).then_some(err),
                    frame,
                    handler_flags: w(11),
                    frame_ptr: w(12),
                    cr2: w(13),
                    sels: [
                        self.rd16(b + 56),
                        self.rd16(b + 58),
                        self.rd16(b + 60),
                        self.rd16(b + 62),
                    ],
                }
            })
            .collect()
    }

    /// Runs to a halt and returns the single logged exception.
    pub fn single_exception(&mut self) -> ExcRecord {
        self.run_to_halt();
        let log = self.log();
        assert_eq!(log.len(), 1, "expected exactly one exception: {log:?}");
        log[0]
    }

    /// Builds an identity map of the first 8 MB with 4 KB pages (all U/S=1, R/W=1 unless
    /// changed later). Returns nothing; the guest loads CR3 = PDIR and sets CR0.PG itself.
    pub fn identity_map(&mut self) {
        for t in 0..2u32 {
            self.wr32(PDIR + t * 4, (PTAB + t * 0x1000) | 7);
            for i in 0..1024u32 {
                let page = (t * 1024 + i) << 12;
                self.wr32(PTAB + t * 0x1000 + i * 4, page | 7);
            }
        }
    }

    /// Address of the PTE for linear address `lin` in the identity map.
    pub fn pte_addr(lin: u32) -> u32 {
        PTAB + (lin >> 12) * 4
    }
}

/// Emits the guest side of `RESUME`: after a fault the default handler continues at `label`
/// with the current ESP at ring 0. Clobbers EAX.
pub fn arm_resume(a: &mut Asm, label: CodeLabel) -> AsmResult {
    a.lea(eax, ptr(label))?;
    a.mov(dword_ptr(RESUME), eax)?;
    a.mov(dword_ptr(RESUME_ESP), esp)
}

/// Emits code that turns paging on with CR3 = PDIR (and CR4 bits `cr4`).
pub fn enable_paging(a: &mut Asm, cr4_bits: u32) -> AsmResult {
    if cr4_bits != 0 {
        a.mov(eax, cr4_bits)?;
        a.mov(cr4, eax)?;
    }
    a.mov(eax, PDIR)?;
    a.mov(cr3, eax)?;
    a.mov(eax, cr0)?;
    a.or(eax, 0x8000_0000u32)?;
    a.mov(cr0, eax)
}

/// Emits the switch to ring 3 at `target` with IRET (CS3/DS3, ESP = STACK3, EFLAGS = `flags`).
pub fn iret_to_ring3(a: &mut Asm, target: u32, flags: u32) -> AsmResult {
    a.push(DS3 as u32)?;
    a.push(STACK3)?;
    a.push(flags)?;
    a.push(CS3 as u32)?;
    a.push(target)?;
    a.iretd()
}
