//! The emulator side: a Pentium II `Cpu` in flat 32-bit protected mode (GDT, IDT with a gate
//! for every exception vector, CPL 0). Every distinct instruction gets its own 16-byte code
//! slot (the instruction followed by `jmp $`), so the decoded-block cache never sees stale
//! bytes; a case loads the registers, flags and memory operand and single-steps the slot.

use super::regs::{idx, Regs};
use rawbox_cpu::state::{access, cr0, reg, SegReg, Segment};
use rawbox_cpu::{Cpu, CpuModel, CpuState, NullBus, RunExit};
use std::collections::HashMap;

const RAM: u64 = 1 << 20;
const GDT: u32 = 0x1000;
const IDT: u32 = 0x1800;
const HANDLERS: u32 = 0x2000;
/// Where memory shapes find their operand (ESI points here).
pub const MEM_ADDR: u32 = 0x3000;
const STACK_TOP: u32 = 0x8000;
const FIRST_SLOT: u32 = 0x1_0000;
const SLOT: u32 = 16;
const CODE_SEL: u16 = 0x08;
const DATA_SEL: u16 = 0x10;
/// EBP is not part of a case; it holds this value and must keep it.
const EBP_CANARY: u32 = 0x5EB9_C0DE;

/// What one emulated instruction did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EmuResult {
    /// Completed: the resulting registers, flags and memory operand.
    Done(Regs),
    /// Raised an exception with this vector; the registers are those seen by the handler.
    Exception(u8, Regs),
    /// Something else went wrong (wrong EIP, clobbered ESP/EBP, shutdown).
    Broken(String),
}

/// The emulator harness.
pub struct Emu {
    cpu: Cpu,
    bus: NullBus,
    template: CpuState,
    slots: HashMap<Vec<u8>, u32>,
    next_slot: u32,
}

fn flat(selector: u16, code: bool) -> Segment {
    let kind = if code { access::CODE } else { 0 };
    Segment {
        base: 0,
        limit: 0xFFFF_FFFF,
        selector,
        access: access::PRESENT
            | access::S
            | access::RW
            | access::ACCESSED
            | access::DB
            | access::G
            | kind,
        valid: true,
    }
}

impl Emu {
    pub fn new() -> Emu {
        let mut cpu = Cpu::new(CpuModel::Pentium2, RAM).expect("allocate emulator RAM");
        // GDT: null, flat 32-bit code (0x08), flat 32-bit data (0x10).
        let gdt: [u8; 24] = [
            0, 0, 0, 0, 0, 0, 0, 0, //
            0xFF, 0xFF, 0, 0, 0, 0x9B, 0xCF, 0, //
            0xFF, 0xFF, 0, 0, 0, 0x93, 0xCF, 0,
        ];
        cpu.mem.write_bytes(GDT, &gdt);
        // IDT: a 32-bit interrupt gate per exception vector to a HLT at HANDLERS + 16 * v.
        for v in 0..32u32 {
            let handler = HANDLERS + 16 * v;
            let mut gate = [0u8; 8];
            gate[0..2].copy_from_slice(&(handler as u16).to_le_bytes());
            gate[2..4].copy_from_slice(&CODE_SEL.to_le_bytes());
            gate[5] = 0x8E;
            gate[6..8].copy_from_slice(&((handler >> 16) as u16).to_le_bytes());
            cpu.mem.write_bytes(IDT + 8 * v, &gate);
            cpu.mem.write_bytes(handler, &[0xF4]);
        }
        let s = &mut cpu.state;
        s.cr0 |= cr0::PE;
        s.gdtr.base = GDT;
        s.gdtr.limit = 23;
        s.idtr.base = IDT;
        s.idtr.limit = 32 * 8 - 1;
        for seg in SegReg::ALL {
            s.segs[seg as usize] = flat(DATA_SEL, false);
        }
        s.segs[SegReg::Cs as usize] = flat(CODE_SEL, true);
        s.cpl = 0;
        s.flags.set_bits(!0, super::regs::fl::BASE);
        let template = cpu.state.clone();
        Emu {
            cpu,
            bus: NullBus,
            template,
            slots: HashMap::new(),
            next_slot: FIRST_SLOT,
        }
    }

    /// The code slot holding `code` (written on first use).
    fn slot(&mut self, code: &[u8]) -> u32 {
        if let Some(&at) = self.slots.get(code) {
            return at;
        }
        assert!(code.len() <= SLOT as usize - 2, "instruction too long");
        let at = self.next_slot;
        self.next_slot += SLOT;
        assert!((self.next_slot as u64) < RAM, "out of code slots");
        let mut bytes = code.to_vec();
        bytes.extend_from_slice(&[0xEB, 0xFE]); // jmp $: ends the decoded block
        self.cpu.mem.write_bytes(at, &bytes);
        self.slots.insert(code.to_vec(), at);
        at
    }

    /// Executes the `insns` instructions of `code` on `input`. For memory shapes ESI points to
    /// the memory operand.
    pub fn run(&mut self, code: &[u8], input: &Regs, mem_shape: bool, insns: usize) -> EmuResult {
        let at = self.slot(code);
        self.cpu.state.clone_from(&self.template);
        let s = &mut self.cpu.state;
        for i in super::regs::DATA_REGS {
            s.regs[i] = input.r[i];
        }
        s.regs[reg::ESP] = STACK_TOP;
        s.regs[reg::EBP] = EBP_CANARY;
        if mem_shape {
            s.regs[reg::ESI] = MEM_ADDR;
        }
        s.flags.set_bits(!0, input.flags);
        s.eip = at;
        self.cpu.mem.write_bytes(MEM_ADDR, &input.mem);
        self.cpu.last_exception = None;
        let exit = self.cpu.run(&mut self.bus, insns as u64);
        let s = &self.cpu.state;
        let mut out = Regs {
            r: s.regs,
            flags: s.flags.value(),
            mem: [0; 8],
        };
        self.cpu.mem.read_bytes(MEM_ADDR, &mut out.mem);
        if exit != RunExit::Budget {
            return EmuResult::Broken(format!("run exit {exit:?}"));
        }
        // ESP/EBP are not part of a case; ESI is the memory pointer of memory shapes.
        out.r[reg::ESP] = 0;
        out.r[reg::EBP] = 0;
        if mem_shape {
            out.r[idx::ESI] = input.r[idx::ESI];
        }
        if let Some((vector, _)) = self.cpu.last_exception {
            return EmuResult::Exception(vector, out);
        }
        if s.regs[reg::EBP] != EBP_CANARY || s.regs[reg::ESP] != STACK_TOP {
            return EmuResult::Broken(format!(
                "ESP/EBP changed: esp={:08x} ebp={:08x}",
                s.regs[reg::ESP],
                s.regs[reg::EBP]
            ));
        }
        if mem_shape && s.regs[idx::ESI] != MEM_ADDR {
            return EmuResult::Broken(format!("ESI changed to {:08x}", s.regs[idx::ESI]));
        }
        let end = at + code.len() as u32;
        if s.eip != end {
            return EmuResult::Broken(format!("EIP {:08x}, expected {end:08x}", s.eip));
        }
        EmuResult::Done(out)
    }
}
