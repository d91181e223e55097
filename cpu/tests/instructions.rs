//! Table-driven unit tests per instruction family: each row assembles a short snippet, runs it
//! to HLT on a chosen model and mode, and checks registers, flags, memory or the exception.

use iced_x86::code_asm::*;
use rawbox_cpu::flags::bits::*;
use rawbox_cpu::state::{access, cr0, Segment};
use rawbox_cpu::{Cpu, CpuModel, NullBus, RunExit};

const CODE: u32 = 0x1_0000;
const HANDLER: u32 = 0x500;

type Asm = fn(&mut CodeAssembler) -> Result<(), IcedError>;

struct Case {
    name: &'static str,
    model: CpuModel,
    bits: u32,
    asm: Asm,
    /// (register index, value) before.
    init: &'static [(usize, u32)],
    /// (register index, value) expected after.
    want: &'static [(usize, u32)],
    /// (mask, value) for EFLAGS after.
    flags: (u32, u32),
    /// Expected exception vector, if the snippet faults.
    exception: Option<u8>,
}

const EAX: usize = 0;
const ECX: usize = 1;
const EDX: usize = 2;
const EBX: usize = 3;
const ESP: usize = 4;
const EBP: usize = 5;
const ESI: usize = 6;
const EDI: usize = 7;

fn machine(model: CpuModel, bits: u32, code: &[u8]) -> Cpu {
    let mut cpu = Cpu::new(model, 4 << 20).unwrap();
    cpu.mem.write_bytes(CODE, code);
    // Every IVT entry points at a HLT so exceptions stop the run.
    cpu.mem.write_bytes(HANDLER, &[0xF4]);
    for v in 0..256u32 {
        cpu.mem
            .write_bytes(v * 4, &[(HANDLER & 0xFF) as u8, (HANDLER >> 8) as u8, 0, 0]);
    }
    if bits == 32 {
        // GDT: null, flat code (0x08), flat data (0x10); IDT: every vector -> HANDLER.
        let gdt: [u64; 3] = [0, 0x00CF_9A00_0000_FFFF, 0x00CF_9200_0000_FFFF];
        for (k, d) in gdt.iter().enumerate() {
            cpu.mem.write_bytes(0x600 + 8 * k as u32, &d.to_le_bytes());
        }
        for v in 0..256u32 {
            let gate: u64 = (HANDLER as u64 & 0xFFFF) | 8 << 16 | 0x8E00u64 << 32;
            cpu.mem.write_bytes(0x800 + 8 * v, &gate.to_le_bytes());
        }
        cpu.state.gdtr.base = 0x600;
        cpu.state.gdtr.limit = 23;
        cpu.state.idtr.base = 0x800;
        cpu.state.idtr.limit = 0x7FF;
        cpu.state.cr0 |= cr0::PE;
        for s in 0..6 {
            cpu.state.segs[s] = Segment {
                base: 0,
                limit: 0xFFFF_FFFF,
                selector: 8,
                access: access::PRESENT | access::S | access::RW | access::DB | access::G,
                valid: true,
            };
        }
        cpu.state.segs[1].access |= access::CODE;
        cpu.state.eip = CODE;
        cpu.state.regs[ESP] = 0x9_0000;
    } else {
        for s in 0..6 {
            cpu.state.segs[s] = Segment::real(0x2000);
        }
        cpu.state.segs[1] = Segment::real((CODE >> 4) as u16);
        cpu.state.segs[1].access |= access::CODE;
        cpu.state.eip = 0;
        cpu.state.regs[ESP] = 0xFFF0;
    }
    cpu
}

fn run_case(c: &Case) {
    let mut a = CodeAssembler::new(c.bits).unwrap();
    (c.asm)(&mut a).unwrap();
    a.hlt().unwrap();
    let base = if c.bits == 32 { CODE as u64 } else { 0 };
    let code = a.assemble(base).unwrap();
    let mut cpu = machine(c.model, c.bits, &code);
    for &(r, v) in c.init {
        cpu.state.regs[r] = v;
    }
    let exit = cpu.run(&mut NullBus, 100_000);
    assert_eq!(exit, RunExit::Halted, "{}: did not halt", c.name);
    let got_exc = cpu.last_exception.map(|e| e.0);
    assert_eq!(got_exc, c.exception, "{}: exception", c.name);
    for &(r, v) in c.want {
        assert_eq!(
            cpu.state.regs[r], v,
            "{}: register {r} = {:#x}, want {v:#x}",
            c.name, cpu.state.regs[r]
        );
    }
    let f = cpu.state.flags.value();
    assert_eq!(f & c.flags.0, c.flags.1, "{}: flags {f:#x}", c.name);
}

const NOF: (u32, u32) = (0, 0);

#[rustfmt::skip]
const DATA_TRANSFER: &[Case] = &[
    Case { name: "movzx/movsx", model: CpuModel::I80386, bits: 32, asm: |a| { a.mov(eax, 0x80u32)?; a.movzx(ebx, al)?; a.movsx(ecx, al)?; a.movsx(edx, ax) },
        init: &[], want: &[(EBX, 0x80), (ECX, 0xFFFF_FF80), (EDX, 0x80)], flags: NOF, exception: None },
    Case { name: "xchg and lea", model: CpuModel::I80386, bits: 32, asm: |a| { a.xchg(eax, ebx)?; a.lea(ecx, ptr(eax + ebx * 4 + 0x10)) },
        init: &[(EAX, 1), (EBX, 2)], want: &[(EAX, 2), (EBX, 1), (ECX, 2 + 4 + 0x10)], flags: NOF, exception: None },
    Case { name: "lea 16-bit wraps", model: CpuModel::I80286, bits: 16, asm: |a| a.lea(ax, ptr(bx + si + 0x10)),
        init: &[(EBX, 0xFFF0), (ESI, 0x10)], want: &[(EAX, 0x10)], flags: NOF, exception: None },
    Case { name: "cbw/cwd", model: CpuModel::I8086, bits: 16, asm: |a| { a.mov(al, 0xF0u32)?; a.cbw()?; a.cwd() },
        init: &[], want: &[(EAX, 0xFFF0), (EDX, 0xFFFF)], flags: NOF, exception: None },
    Case { name: "cwde/cdq", model: CpuModel::I80386, bits: 32, asm: |a| { a.mov(ax, 0x8000u32)?; a.cwde()?; a.cdq() },
        init: &[(EAX, 0x1234_0000)], want: &[(EAX, 0xFFFF_8000), (EDX, 0xFFFF_FFFF)], flags: NOF, exception: None },
    Case { name: "lahf/sahf", model: CpuModel::I8086, bits: 16, asm: |a| { a.stc()?; a.lahf()?; a.mov(ah, 0x40u32)?; a.sahf() },
        init: &[], want: &[], flags: (CF | ZF, ZF), exception: None },
    Case { name: "bswap", model: CpuModel::I80486, bits: 32, asm: |a| a.bswap(eax),
        init: &[(EAX, 0x1122_3344)], want: &[(EAX, 0x4433_2211)], flags: NOF, exception: None },
    Case { name: "bswap is #UD on a 386", model: CpuModel::I80386, bits: 32, asm: |a| a.bswap(eax),
        init: &[(EAX, 0x1122_3344)], want: &[(EAX, 0x1122_3344)], flags: NOF, exception: Some(6) },
    Case { name: "cmovcc", model: CpuModel::Pentium, bits: 32, asm: |a| { a.cmp(eax, ebx)?; a.cmovl(ecx, eax)?; a.cmovg(edx, eax) },
        init: &[(EAX, 1), (EBX, 2), (ECX, 9), (EDX, 9)], want: &[(ECX, 1), (EDX, 9)], flags: NOF, exception: None },
    Case { name: "cmov is #UD on a 486", model: CpuModel::I80486, bits: 32, asm: |a| a.cmove(ecx, eax),
        init: &[], want: &[], flags: NOF, exception: Some(6) },
];

#[rustfmt::skip]
const STACK: &[Case] = &[
    Case { name: "push/pop", model: CpuModel::I80386, bits: 32, asm: |a| { a.push(0x1234u32)?; a.pop(ebx) },
        init: &[], want: &[(EBX, 0x1234), (ESP, 0x9_0000)], flags: NOF, exception: None },
    Case { name: "8086 push sp pushes the new value", model: CpuModel::I8086, bits: 16, asm: |a| { a.push(sp)?; a.pop(ax) },
        init: &[], want: &[(EAX, 0xFFEE)], flags: NOF, exception: None },
    Case { name: "286 push sp pushes the old value", model: CpuModel::I80286, bits: 16, asm: |a| { a.push(sp)?; a.pop(ax) },
        init: &[], want: &[(EAX, 0xFFF0)], flags: NOF, exception: None },
    Case { name: "pusha/popa", model: CpuModel::I80286, bits: 16, asm: |a| { a.pusha()?; a.mov(ax, 0u32)?; a.mov(di, 0u32)?; a.popa() },
        init: &[(EAX, 7), (EDI, 9)], want: &[(EAX, 7), (EDI, 9), (ESP, 0xFFF0)], flags: NOF, exception: None },
    Case { name: "enter/leave", model: CpuModel::I80386, bits: 32, asm: |a| { a.enter(16u32, 0u32)?; a.mov(eax, ebp)?; a.leave() },
        init: &[(EBP, 0x777)], want: &[(EAX, 0x9_0000 - 4), (EBP, 0x777), (ESP, 0x9_0000)], flags: NOF, exception: None },
    Case { name: "pushf/popf 8086 high bits", model: CpuModel::I8086, bits: 16, asm: |a| { a.pushf()?; a.pop(ax) },
        init: &[], want: &[(EAX, 0xF002)], flags: NOF, exception: None },
    Case { name: "pushf/popf 286 real mode high bits clear", model: CpuModel::I80286, bits: 16, asm: |a| { a.push(0xF000u32)?; a.popf()?; a.pushf()?; a.pop(ax) },
        init: &[], want: &[(EAX, 0x0002)], flags: NOF, exception: None },
];

#[rustfmt::skip]
const CONTROL: &[Case] = &[
    Case { name: "loop counts cx", model: CpuModel::I8086, bits: 16, asm: |a| { let mut l = a.create_label(); a.mov(cx, 5u32)?; a.set_label(&mut l)?; a.inc(ax)?; a.loop_(l) },
        init: &[], want: &[(EAX, 5), (ECX, 0)], flags: NOF, exception: None },
    Case { name: "call/ret", model: CpuModel::I80386, bits: 32, asm: |a| { let mut f = a.create_label(); let mut end = a.create_label(); a.call(f)?; a.jmp(end)?; a.set_label(&mut f)?; a.mov(eax, 42u32)?; a.ret()?; a.set_label(&mut end)?; a.nop() },
        init: &[], want: &[(EAX, 42), (ESP, 0x9_0000)], flags: NOF, exception: None },
    Case { name: "jcxz taken", model: CpuModel::I8086, bits: 16, asm: |a| { let mut l = a.create_label(); a.jcxz(l)?; a.mov(ax, 1u32)?; a.set_label(&mut l)?; a.nop() },
        init: &[], want: &[(EAX, 0)], flags: NOF, exception: None },
    Case { name: "int/iret", model: CpuModel::I80286, bits: 16, asm: |a| { a.int(0x21)?; a.mov(bx, 3u32) },
        init: &[], want: &[], flags: NOF, exception: None },
    Case { name: "into with OF", model: CpuModel::I80286, bits: 16, asm: |a| { a.mov(al, 0x7Fu32)?; a.add(al, 1)?; a.into() },
        init: &[], want: &[], flags: NOF, exception: Some(4) },
    Case { name: "bound out of range", model: CpuModel::I80286, bits: 16, asm: |a| { a.mov(word_ptr(0x100), 1u32)?; a.mov(word_ptr(0x102), 5u32)?; a.bound(ax, dword_ptr(0x100)) },
        init: &[(EAX, 6)], want: &[], flags: NOF, exception: Some(5) },
];

#[rustfmt::skip]
const STRING: &[Case] = &[
    Case { name: "rep stosw then repe scasw", model: CpuModel::I80286, bits: 16, asm: |a| { a.push(ds)?; a.pop(es)?; a.mov(cx, 8u32)?; a.mov(di, 0x200u32)?; a.mov(ax, 0xABCDu32)?; a.rep().stosw()?; a.mov(cx, 8u32)?; a.mov(di, 0x200u32)?; a.repe().scasw() },
        init: &[], want: &[(ECX, 0), (EDI, 0x210)], flags: (ZF, ZF), exception: None },
    Case { name: "rep movsb backwards", model: CpuModel::I80386, bits: 32, asm: |a| { a.mov(dword_ptr(0x3000), 0x4433_2211u32)?; a.std()?; a.mov(esi, 0x3003u32)?; a.mov(edi, 0x4003u32)?; a.mov(ecx, 4u32)?; a.rep().movsb()?; a.cld()?; a.mov(eax, dword_ptr(0x4000)) },
        init: &[], want: &[(EAX, 0x4433_2211), (ESI, 0x2FFF), (EDI, 0x3FFF)], flags: NOF, exception: None },
    Case { name: "repne cmpsb stops at a difference", model: CpuModel::I80386, bits: 32, asm: |a| { a.mov(dword_ptr(0x3000), 0x44332211u32)?; a.mov(dword_ptr(0x4000), 0x44332211u32)?; a.mov(esi, 0x3000u32)?; a.mov(edi, 0x4000u32)?; a.mov(ecx, 4u32)?; a.repne().cmpsb() },
        init: &[], want: &[(ECX, 3), (ESI, 0x3001)], flags: (ZF, ZF), exception: None },
    Case { name: "lodsb", model: CpuModel::I8086, bits: 16, asm: |a| { a.mov(byte_ptr(0x10), 0x5Au32)?; a.mov(si, 0x10u32)?; a.lodsb() },
        init: &[], want: &[(EAX, 0x5A), (ESI, 0x11)], flags: NOF, exception: None },
];

#[rustfmt::skip]
const BCD_AND_BITS: &[Case] = &[
    Case { name: "daa", model: CpuModel::I80386, bits: 16, asm: |a| { a.mov(al, 0x19u32)?; a.add(al, 0x28)?; a.daa() },
        init: &[], want: &[(EAX, 0x47)], flags: (CF, 0), exception: None },
    Case { name: "das", model: CpuModel::I80386, bits: 16, asm: |a| { a.mov(al, 0x10u32)?; a.sub(al, 0x01)?; a.das() },
        init: &[], want: &[(EAX, 0x09)], flags: (CF, 0), exception: None },
    Case { name: "aaa", model: CpuModel::I80386, bits: 16, asm: |a| { a.mov(ax, 0x0009u32)?; a.add(al, 0x05)?; a.aaa() },
        init: &[], want: &[(EAX, 0x0104)], flags: (CF | AF, CF | AF), exception: None },
    Case { name: "aam/aad", model: CpuModel::I8086, bits: 16, asm: |a| { a.mov(al, 47u32)?; a.aam(10)?; a.mov(bx, ax)?; a.aad(10) },
        init: &[], want: &[(EBX, 0x0407), (EAX, 47)], flags: NOF, exception: None },
    Case { name: "aam 0 is #DE", model: CpuModel::I80286, bits: 16, asm: |a| a.aam(0),
        init: &[], want: &[], flags: NOF, exception: Some(0) },
    Case { name: "bsf/bsr", model: CpuModel::I80386, bits: 32, asm: |a| { a.bsf(ebx, eax)?; a.bsr(ecx, eax) },
        init: &[(EAX, 0x0001_0100)], want: &[(EBX, 8), (ECX, 16)], flags: (ZF, 0), exception: None },
    Case { name: "bts memory with register offset", model: CpuModel::I80386, bits: 32, asm: |a| { a.mov(dword_ptr(0x3004), 0u32)?; a.mov(eax, 33u32)?; a.bts(dword_ptr(0x3000), eax)?; a.mov(ebx, dword_ptr(0x3004)) },
        init: &[], want: &[(EBX, 2)], flags: (CF, 0), exception: None },
    Case { name: "setcc", model: CpuModel::I80386, bits: 32, asm: |a| { a.cmp(eax, ebx)?; a.setb(cl)?; a.setge(dl) },
        init: &[(EAX, 1), (EBX, 2), (EDX, 0x55)], want: &[(ECX, 1), (EDX, 0)], flags: NOF, exception: None },
    Case { name: "shld", model: CpuModel::I80386, bits: 32, asm: |a| a.shld(eax, ebx, 8),
        init: &[(EAX, 0x1122_3344), (EBX, 0xAABB_CCDD)], want: &[(EAX, 0x2233_44AA)], flags: NOF, exception: None },
    Case { name: "8086 shift count is not masked", model: CpuModel::I8086, bits: 16, asm: |a| { a.mov(cl, 33u32)?; a.shl(ax, cl) },
        init: &[(EAX, 1)], want: &[(EAX, 0)], flags: (CF, 0), exception: None },
    Case { name: "286 shift count masked to 5 bits", model: CpuModel::I80286, bits: 16, asm: |a| { a.mov(cl, 33u32)?; a.shl(ax, cl) },
        init: &[(EAX, 1)], want: &[(EAX, 2)], flags: NOF, exception: None },
];

#[rustfmt::skip]
const MULDIV: &[Case] = &[
    Case { name: "mul 16", model: CpuModel::I8086, bits: 16, asm: |a| a.mul(bx),
        init: &[(EAX, 0x1234), (EBX, 0x100)], want: &[(EAX, 0x3400), (EDX, 0x12)], flags: (CF | OF, CF | OF), exception: None },
    Case { name: "imul 3-operand", model: CpuModel::I80386, bits: 32, asm: |a| a.imul_3(eax, ebx, -3),
        init: &[(EBX, 5)], want: &[(EAX, (-15i32) as u32)], flags: (CF | OF, 0), exception: None },
    Case { name: "div 32", model: CpuModel::I80386, bits: 32, asm: |a| a.div(ebx),
        init: &[(EAX, 100), (EDX, 1), (EBX, 7)], want: &[(EAX, ((1u64 << 32 | 100) / 7) as u32), (EDX, ((1u64 << 32 | 100) % 7) as u32)], flags: NOF, exception: None },
    Case { name: "div overflow is #DE", model: CpuModel::I80386, bits: 32, asm: |a| a.div(ebx),
        init: &[(EAX, 0), (EDX, 5), (EBX, 2)], want: &[], flags: NOF, exception: Some(0) },
    Case { name: "idiv negative", model: CpuModel::I80386, bits: 16, asm: |a| a.idiv(bl),
        init: &[(EAX, (-7i16) as u16 as u32), (EBX, 2)], want: &[(EAX, 0xFFFD)], flags: NOF, exception: None },
];

#[rustfmt::skip]
const SYSTEM: &[Case] = &[
    Case { name: "cpuid vendor", model: CpuModel::Pentium, bits: 32, asm: |a| { a.xor(eax, eax)?; a.cpuid() },
        init: &[], want: &[(EBX, 0x756E_6547), (EDX, 0x4965_6E69), (ECX, 0x6C65_746E)], flags: NOF, exception: None },
    Case { name: "cpuid is #UD on a 486", model: CpuModel::I80486, bits: 32, asm: |a| a.cpuid(),
        init: &[], want: &[], flags: NOF, exception: Some(6) },
    Case { name: "rdmsr of the TSC", model: CpuModel::Pentium, bits: 32, asm: |a| { a.mov(ecx, 0x10u32)?; a.rdmsr() },
        init: &[], want: &[(EDX, 0)], flags: NOF, exception: None },
    Case { name: "rdmsr of a missing MSR is #GP", model: CpuModel::Pentium, bits: 32, asm: |a| { a.mov(ecx, 0x1234u32)?; a.rdmsr() },
        init: &[], want: &[], flags: NOF, exception: Some(13) },
    Case { name: "smsw on a 286 sets the reserved bits", model: CpuModel::I80286, bits: 16, asm: |a| a.smsw(ax),
        init: &[], want: &[(EAX, 0xFFF0)], flags: NOF, exception: None },
    Case { name: "ud2", model: CpuModel::Pentium, bits: 32, asm: |a| a.ud2(),
        init: &[], want: &[], flags: NOF, exception: Some(6) },
];

fn run_table(t: &[Case]) {
    for c in t {
        run_case(c);
    }
}

#[test]
fn data_transfer() {
    run_table(DATA_TRANSFER);
}
#[test]
fn stack() {
    run_table(STACK);
}
#[test]
fn control() {
    run_table(CONTROL);
}
#[test]
fn string() {
    run_table(STRING);
}
#[test]
fn bcd_and_bits() {
    run_table(BCD_AND_BITS);
}
#[test]
fn muldiv() {
    run_table(MULDIV);
}
#[test]
fn system() {
    run_table(SYSTEM);
}
