//! Unit tests of instruction dispatch: status/control plumbing, FNSTSW AX, FCOMI flags,
//! exception pending state, environment layouts in every mode, FOP, fault atomicity.

use super::{execute, is_waiting, sw, Fpu, FpuHost, F80};
use crate::fault::{Fault, GResult};
use iced_x86::{Decoder, DecoderOptions, Instruction};

struct TestHost {
    mem: Vec<u8>,
    ax: u16,
    flags: u32,
    bits32: bool,
    protected: bool,
    fault: bool,
}

impl TestHost {
    fn new() -> TestHost {
        TestHost {
            mem: vec![0; 128],
            ax: 0,
            flags: 0x2,
            bits32: true,
            protected: true,
            fault: false,
        }
    }
}

impl FpuHost for TestHost {
    fn read_mem(&mut self, offset: u32, out: &mut [u8]) -> GResult<()> {
        if self.fault {
            return Err(Fault::gp(0));
        }
        let start = offset as usize;
        out.copy_from_slice(&self.mem[start..start + out.len()]);
        Ok(())
    }
    fn write_mem(&mut self, offset: u32, data: &[u8]) -> GResult<()> {
        if self.fault {
            return Err(Fault::gp(0));
        }
        let start = offset as usize;
        self.mem[start..start + data.len()].copy_from_slice(data);
        Ok(())
    }
    fn set_ax(&mut self, v: u16) {
        self.ax = v;
    }
    fn set_zf_pf_cf(&mut self, zf: bool, pf: bool, cf: bool) {
        self.flags = (self.flags & !0x8D5) | (zf as u32) << 6 | (pf as u32) << 2 | cf as u32;
    }
    fn eflags(&self) -> u32 {
        self.flags
    }
    fn operand_32bit(&self) -> bool {
        self.bits32
    }
    fn protected_mode(&self) -> bool {
        self.protected
    }
    fn instr_pointer(&self) -> (u16, u32) {
        (0x1234, 0x5678)
    }
    fn data_pointer(&self) -> (u16, u32) {
        (0x2345, 0x0ABC)
    }
}

fn insn(bytes: &[u8], bitness: u32) -> Instruction {
    Decoder::with_ip(bitness, bytes, 0x5678, DecoderOptions::NONE).decode()
}

fn run(fpu: &mut Fpu, host: &mut TestHost, bytes: &[u8]) -> GResult<()> {
    execute(fpu, &insn(bytes, 32), host)
}

fn run16(fpu: &mut Fpu, host: &mut TestHost, bytes: &[u8]) -> GResult<()> {
    execute(fpu, &insn(bytes, 16), host)
}

#[test]
fn fnstsw_ax_and_fcomi_flags() {
    let (mut fpu, mut host) = (Fpu::new(), TestHost::new());
    run(&mut fpu, &mut host, &[0xD9, 0xE8]).unwrap(); // fld1
    run(&mut fpu, &mut host, &[0xD9, 0xEE]).unwrap(); // fldz
    run(&mut fpu, &mut host, &[0xDB, 0xF1]).unwrap(); // fcomi st0, st1: 0 < 1
    assert_eq!(host.flags & 0x45, 0x01);
    run(&mut fpu, &mut host, &[0xD8, 0xD1]).unwrap(); // fcom st1
    run(&mut fpu, &mut host, &[0xDF, 0xE0]).unwrap(); // fnstsw ax
    assert_eq!(host.ax, (6 << 11) | sw::C0);
    run(&mut fpu, &mut host, &[0xDE, 0xD9]).unwrap(); // fcompp
    assert_eq!(fpu.tag_word(), 0xFFFF);
}

#[test]
fn pending_exception_lifecycle() {
    let (mut fpu, mut host) = (Fpu::new(), TestHost::new());
    host.mem[..2].copy_from_slice(&0x037Bu16.to_le_bytes()); // ZE unmasked
    run(&mut fpu, &mut host, &[0xD9, 0x28]).unwrap(); // fldcw [eax]
    run(&mut fpu, &mut host, &[0xD9, 0xE8]).unwrap(); // fld1
    run(&mut fpu, &mut host, &[0xD9, 0xEE]).unwrap(); // fldz
    run(&mut fpu, &mut host, &[0xD8, 0xF9]).unwrap(); // fdivr st0, st1: 1/0
    assert!(fpu.error_pending());
    assert_eq!(
        fpu.st(0),
        F80::ZERO,
        "unmasked #Z leaves the destination alone"
    );
    assert_eq!(
        fpu.status_word() & (sw::ZE | sw::ES | sw::B),
        sw::ZE | sw::ES | sw::B
    );
    run(&mut fpu, &mut host, &[0xDB, 0xE2]).unwrap(); // fnclex
    assert!(!fpu.error_pending());
    assert!(is_waiting(&insn(&[0xD9, 0xE8], 32)));
    assert!(!is_waiting(&insn(&[0xDB, 0xE2], 32)));
    assert!(!is_waiting(&insn(&[0xDF, 0xE0], 32)));
    assert!(is_waiting(&insn(&[0x9B, 0xDF, 0xE0], 32)));
}

#[test]
fn memory_faults_leave_state_unchanged() {
    let (mut fpu, mut host) = (Fpu::new(), TestHost::new());
    host.fault = true;
    assert_eq!(run(&mut fpu, &mut host, &[0xD9, 0x00]), Err(Fault::gp(0))); // fld dword [eax]
    assert_eq!(fpu.tag_word(), 0xFFFF);
    assert_eq!(fpu.status_word(), 0);
    assert_eq!(
        fpu.last_pointers(),
        (0, 0, 0, 0, 0),
        "no pointer update on a fault"
    );
    host.fault = false;
    run(&mut fpu, &mut host, &[0xD9, 0xE8]).unwrap();
    host.fault = true;
    assert!(run(&mut fpu, &mut host, &[0xD9, 0x18]).is_err()); // fstp dword [eax]
    assert!(!fpu.st_empty(0), "a faulting store does not pop");
    assert!(run(&mut fpu, &mut host, &[0xDD, 0x30]).is_err()); // fnsave
    assert!(!fpu.st_empty(0), "a faulting FNSAVE does not reinitialize");
}

#[test]
fn fop_and_pointers() {
    let (mut fpu, mut host) = (Fpu::new(), TestHost::new());
    run(&mut fpu, &mut host, &[0xDD, 0x45, 0x08]).unwrap(); // fld qword [ebp+8]
    assert_eq!(fpu.last_pointers(), (0x1234, 0x5678, 0x545, 0x2345, 0x0ABC));
    run(&mut fpu, &mut host, &[0xD9, 0xFE]).unwrap(); // fsin
    assert_eq!(fpu.fop(), 0x1FE);
    run(&mut fpu, &mut host, &[0xDC, 0xC3]).unwrap(); // fadd st3, st0
    assert_eq!(fpu.fop(), 0x4C3);
    run(&mut fpu, &mut host, &[0xD9, 0x38]).unwrap(); // fnstcw: a control instruction
    assert_eq!(fpu.fop(), 0x4C3);
}

#[test]
fn fstenv_16bit_real_mode_layout() {
    let (mut fpu, mut host) = (Fpu::new(), TestHost::new());
    host.bits32 = false;
    host.protected = false;
    run16(&mut fpu, &mut host, &[0xD9, 0xE8]).unwrap(); // fld1 at 1234:5678
    run16(&mut fpu, &mut host, &[0xD9, 0x37]).unwrap(); // fnstenv [bx]
    let w = |i: usize| u16::from_le_bytes([host.mem[2 * i], host.mem[2 * i + 1]]);
    assert_eq!(w(0), 0x037F);
    assert_eq!(w(1), 7 << 11);
    assert_eq!(w(2), 0x3FFF);
    // Linear FIP = 0x12340 + 0x5678 = 0x179B8.
    assert_eq!(w(3), 0x79B8);
    assert_eq!(w(4), (0x1 << 12) | 0x1E8);
    assert_eq!(
        fpu.control_word(),
        0x037F | 0x3F,
        "FNSTENV masks all exceptions"
    );
    // Reload it with a changed control word and tag word.
    host.mem[0..2].copy_from_slice(&0x0C72u16.to_le_bytes());
    host.mem[4..6].copy_from_slice(&0xFFFFu16.to_le_bytes());
    run16(&mut fpu, &mut host, &[0xD9, 0x27]).unwrap(); // fldenv [bx]
    assert_eq!(fpu.control_word(), 0x0C72);
    assert_eq!(fpu.tag_word(), 0xFFFF);
}

#[test]
fn fsave_frstor_16bit_protected_round_trip() {
    let (mut fpu, mut host) = (Fpu::new(), TestHost::new());
    host.bits32 = false;
    run(&mut fpu, &mut host, &[0xD9, 0xEB]).unwrap(); // fldpi
    run(&mut fpu, &mut host, &[0xD9, 0xEE]).unwrap(); // fldz
    let pi = fpu.st(1);
    run(&mut fpu, &mut host, &[0xDD, 0x30]).unwrap(); // fnsave [eax] (94 bytes)
    let w = |m: &[u8], i: usize| u16::from_le_bytes([m[2 * i], m[2 * i + 1]]);
    assert_eq!(w(&host.mem, 3), 0x5678, "FIP offset");
    assert_eq!(w(&host.mem, 4), 0x1234, "FCS");
    assert_eq!(&host.mem[24..34], &pi.to_bytes(), "ST1 at offset 14 + 10");
    assert_eq!(fpu.tag_word(), 0xFFFF, "FNSAVE reinitializes");
    run(&mut fpu, &mut host, &[0xDD, 0x20]).unwrap(); // frstor [eax]
    assert_eq!(fpu.st(0), F80::ZERO);
    assert_eq!(fpu.st(1), pi);
    assert_eq!(fpu.tag_word(), 0x1FFF, "ST0 zero (01), ST1 valid (00)");
}

#[test]
fn stack_faults_and_unknown_opcodes() {
    let (mut fpu, mut host) = (Fpu::new(), TestHost::new());
    run(&mut fpu, &mut host, &[0xD9, 0xFA]).unwrap(); // fsqrt on an empty stack
    assert_eq!(fpu.status_word() & 0x2FF, sw::IE | sw::SF);
    assert_eq!(fpu.st(0), F80::INDEFINITE);
    for _ in 0..8 {
        run(&mut fpu, &mut host, &[0xD9, 0xE8]).unwrap();
    }
    assert_ne!(fpu.status_word() & sw::C1, 0, "overflow sets C1");
    run(&mut fpu, &mut host, &[0xD9, 0xE5]).unwrap(); // fxam
    assert_eq!(fpu.status_word() & sw::CC, sw::C1 | sw::C0, "negative NaN");
    assert_eq!(run(&mut fpu, &mut host, &[0xDF, 0xE1]), Err(Fault::UD)); // fnstdw (387SL only)
}

#[test]
fn fstenv_32bit_real_mode_layout() {
    let (mut fpu, mut host) = (Fpu::new(), TestHost::new());
    host.protected = false;
    run(&mut fpu, &mut host, &[0xDD, 0x45, 0x08]).unwrap(); // fld qword [ebp+8]
    run(&mut fpu, &mut host, &[0xD9, 0x30]).unwrap(); // fnstenv [eax]
    let d = |i: usize| {
        u32::from_le_bytes([
            host.mem[4 * i],
            host.mem[4 * i + 1],
            host.mem[4 * i + 2],
            host.mem[4 * i + 3],
        ])
    };
    // FIP = 0x12340 + 0x5678 = 0x179B8; FDP = 0x23450 + 0xABC = 0x23F0C.
    assert_eq!(d(3), 0x79B8);
    assert_eq!(d(4), (0x1 << 12) | 0x545);
    assert_eq!(d(5), 0x3F0C);
    assert_eq!(d(6), 0x2 << 12);
    run(&mut fpu, &mut host, &[0xD9, 0x20]).unwrap(); // fldenv [eax]
    assert_eq!(fpu.last_pointers(), (0, 0x179B8, 0x545, 0, 0x23F0C));
}
