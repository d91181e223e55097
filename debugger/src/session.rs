//! A debugging session over a `Machine`: the breakpoint list, installing it as CPU hooks,
//! stepping (with a history ring of executed instructions), step-over, and continue, which
//! runs at full speed through `Machine::run_for` until a hook stops the CPU.

use crate::condition::Condition;
use crate::mem::{pc_linear, read_linear};
use crate::regs::{bitness, mode_name};
use rawbox_cpu::interrupt::IntKind;
use rawbox_cpu::state::SegReg;
use rawbox_cpu::{DebugStop, HostDebug, Watch, WatchKind};
use rawbox_disasm::{Disassembler, Syntax};
use rawbox_vmm::{Machine, StopReason};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// How many executed instructions `hist` can show.
pub const HISTORY_LEN: usize = 256;
/// Virtual time run between checks for Ctrl-C during continue.
const CONTINUE_SLICE_NS: u64 = 10_000_000;

/// What a breakpoint watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakKind {
    /// Execution reaches a linear address.
    Exec(u32),
    /// An interrupt or exception vector is delivered.
    Interrupt(u8),
    /// An I/O port is accessed.
    Port(u16),
    /// Memory is read and/or written.
    Watch(Watch),
}

/// A numbered breakpoint.
#[derive(Clone, Debug)]
pub struct Breakpoint {
    pub id: u32,
    pub kind: BreakKind,
    pub condition: Option<Condition>,
    /// Times it stopped the guest.
    pub hits: u64,
}

/// One executed instruction in the history ring.
#[derive(Clone, Copy, Debug)]
pub struct HistEntry {
    pub mode: &'static str,
    pub cs: u16,
    pub cs_base: u32,
    pub eip: u32,
    pub bitness: u32,
    pub bytes: [u8; 16],
    pub nbytes: u8,
}

/// Why the guest stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stopped {
    /// The requested steps were done.
    Stepped,
    /// A breakpoint (by id; `None` for a temporary step-over breakpoint) with the hook's
    /// report.
    Hook(Option<u32>, DebugStop),
    /// Ctrl-C.
    Interrupted,
    /// The guest triple-faulted (the machine was reset).
    TripleFault,
    /// The machine was reset by the guest.
    Reset,
    /// The firmware stopped the machine.
    FirmwareHalted,
}

/// A frontend callback (see [`Session::tick`]).
pub type Tick<'m> = Box<dyn FnMut(&mut Machine) + 'm>;

/// The debugger's state over a machine.
pub struct Session<'m> {
    pub m: &'m mut Machine,
    pub breakpoints: Vec<Breakpoint>,
    next_id: u32,
    pub history: VecDeque<HistEntry>,
    pub disasm: Disassembler,
    /// Set by the Ctrl-C handler; checked during continue.
    pub interrupt: Arc<AtomicBool>,
    /// Temporary breakpoint for step-over.
    temp_break: Option<u32>,
    /// Called between continue slices and after every command, so a frontend can show the
    /// guest display and feed it input while the terminal debugs (the SDL window does).
    pub tick: Option<Tick<'m>>,
}

impl<'m> Session<'m> {
    pub fn new(m: &'m mut Machine, syntax: Syntax, interrupt: Arc<AtomicBool>) -> Session<'m> {
        Session {
            m,
            breakpoints: Vec::new(),
            next_id: 1,
            history: VecDeque::with_capacity(HISTORY_LEN),
            disasm: Disassembler::new(syntax),
            interrupt,
            temp_break: None,
            tick: None,
        }
    }

    /// Gives the frontend its turn (see [`Session::tick`]).
    pub fn run_tick(&mut self) {
        if let Some(t) = &mut self.tick {
            t(self.m);
        }
    }

    /// Adds a breakpoint; returns its id.
    pub fn add(&mut self, kind: BreakKind, condition: Option<Condition>) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        self.breakpoints.push(Breakpoint {
            id,
            kind,
            condition,
            hits: 0,
        });
        self.install_hooks();
        id
    }

    /// Deletes breakpoint `id`; false if there is none.
    pub fn delete(&mut self, id: u32) -> bool {
        let before = self.breakpoints.len();
        self.breakpoints.retain(|b| b.id != id);
        self.install_hooks();
        self.breakpoints.len() != before
    }

    /// Removes every breakpoint of `kind` (for the GDB stub's z packets).
    pub fn delete_kind(&mut self, kind: BreakKind) -> bool {
        let before = self.breakpoints.len();
        self.breakpoints.retain(|b| b.kind != kind);
        self.install_hooks();
        self.breakpoints.len() != before
    }

    /// Installs the breakpoints as CPU hooks (none at all when the list is empty, so the CPU
    /// runs its plain path).
    pub fn install_hooks(&mut self) {
        self.install(false);
    }

    /// Installs the hooks; `stepping` also stops at every interrupt delivery, so a step that
    /// takes a hardware interrupt ends at the handler's first instruction without running it.
    fn install(&mut self, stepping: bool) {
        if !stepping && self.breakpoints.is_empty() && self.temp_break.is_none() {
            self.m.cpu.set_host_debug(None);
            return;
        }
        let mut h = HostDebug::default();
        if stepping {
            h.vectors.extend(0..=255u8);
        }
        // Steps record their own history; a continue records the blocks it runs.
        h.record_blocks = !stepping;
        for b in &self.breakpoints {
            match b.kind {
                BreakKind::Exec(a) => {
                    h.breakpoints.insert(a);
                }
                BreakKind::Interrupt(v) => {
                    h.vectors.insert(v);
                }
                BreakKind::Port(p) => {
                    h.ports.insert(p);
                }
                BreakKind::Watch(w) => h.watches.push(w),
            }
        }
        if let Some(t) = self.temp_break {
            h.breakpoints.insert(t);
        }
        self.m.cpu.set_host_debug(Some(h));
    }

    /// The breakpoint a hook stop belongs to.
    fn owner(&self, stop: &DebugStop) -> Option<usize> {
        self.breakpoints.iter().position(|b| match (b.kind, stop) {
            (BreakKind::Exec(a), DebugStop::Breakpoint { linear }) => a == *linear,
            (BreakKind::Interrupt(v), DebugStop::Interrupt { vector, .. }) => v == *vector,
            (BreakKind::Port(p), DebugStop::Port { port, len }) => {
                u32::from(p) >= u32::from(*port) && u32::from(p) < u32::from(*port) + len
            }
            (BreakKind::Watch(w), DebugStop::Watch { watch, .. }) => w == *watch,
            _ => false,
        })
    }

    /// Decides whether a hook stop stops the session (its condition holds); counts the hit.
    fn accept(&mut self, stop: DebugStop) -> Option<Stopped> {
        if let DebugStop::Breakpoint { linear } = stop {
            if self.temp_break == Some(linear) && self.owner(&stop).is_none() {
                return Some(Stopped::Hook(None, stop));
            }
        }
        let i = self.owner(&stop)?;
        let cpu = &self.m.cpu;
        let b = &mut self.breakpoints[i];
        if b.condition.as_ref().is_some_and(|c| !c.holds(cpu)) {
            return None;
        }
        b.hits += 1;
        Some(Stopped::Hook(Some(b.id), stop))
    }

    fn record_history(&mut self) {
        let cpu = &self.m.cpu;
        let cs = cpu.state.segs[SegReg::Cs as usize];
        let mut bytes = [0u8; 16];
        let n = read_linear(cpu, pc_linear(cpu), &mut bytes[..15]);
        if self.history.len() >= HISTORY_LEN {
            self.history.pop_front();
        }
        self.history.push_back(HistEntry {
            mode: mode_name(cpu),
            cs: cs.selector,
            cs_base: cs.base,
            eip: cpu.state.eip,
            bitness: bitness(cpu),
            bytes,
            nbytes: n as u8,
        });
    }

    fn machine_stop(&self, r: StopReason, triple_before: u64) -> Option<Stopped> {
        match r {
            StopReason::Halted => Some(Stopped::FirmwareHalted),
            StopReason::Reset if self.m.counters.triple_faults != triple_before => {
                Some(Stopped::TripleFault)
            }
            StopReason::Reset => Some(Stopped::Reset),
            _ => None,
        }
    }

    /// Executes `n` instructions (stopping early at a watchpoint, port or interrupt hook).
    pub fn step(&mut self, n: u64) -> Stopped {
        self.install(true);
        let st = self.step_hooked(n);
        self.install(false);
        st
    }

    fn step_hooked(&mut self, n: u64) -> Stopped {
        self.interrupt.store(false, Ordering::Relaxed);
        for _ in 0..n {
            if self.interrupt.swap(false, Ordering::Relaxed) {
                return Stopped::Interrupted;
            }
            self.m.cpu.resume_from_breakpoint();
            let insns = self.m.cpu.counters.instructions;
            let recorded = !self.m.cpu.state.halted;
            if recorded {
                self.record_history();
            }
            let triple = self.m.counters.triple_faults;
            let mut r = self.m.step();
            // A halted CPU waits for the next interrupt: keep going until something runs.
            let mut spins = 0u32;
            while self.m.cpu.counters.instructions == insns
                && self.m.cpu.state.halted
                && r == StopReason::TimeUp
                && spins < 100_000
                && !self.interrupt.load(Ordering::Relaxed)
            {
                r = self.m.step();
                spins += 1;
            }
            if let Some(stop) = self.m.cpu.take_debug_stop() {
                if !matches!(stop, DebugStop::Breakpoint { .. }) {
                    if let Some(s) = self.accept(stop) {
                        return s;
                    }
                }
                // A hardware interrupt was delivered instead of running the instruction:
                // that was the step; the handler's first instruction is next.
                if let DebugStop::Interrupt {
                    kind: IntKind::External,
                    ..
                } = stop
                {
                    if recorded && self.m.cpu.counters.instructions == insns {
                        self.history.pop_back();
                    }
                }
            }
            if let Some(s) = self.machine_stop(r, triple) {
                return s;
            }
        }
        Stopped::Stepped
    }

    /// Runs at full speed until a breakpoint whose condition holds, Ctrl-C, a triple fault
    /// or the firmware stopping.
    pub fn cont(&mut self) -> Stopped {
        self.begin_continue();
        loop {
            if let Some(st) = self.cont_slice(CONTINUE_SLICE_NS) {
                return st;
            }
        }
    }

    /// Prepares a continue: clears Ctrl-C and lets the instruction at a breakpoint run.
    pub fn begin_continue(&mut self) {
        self.interrupt.store(false, Ordering::Relaxed);
        self.m.cpu.resume_from_breakpoint();
        self.m.cpu.take_block_trail();
    }

    /// Appends the instructions of the blocks a continue ran (the CPU's block trail) to the
    /// history.
    fn absorb_block_trail(&mut self) {
        for run in self.m.cpu.take_block_trail() {
            let mode = if !run.protected {
                "R"
            } else if run.v86 {
                "V86"
            } else if run.code32 {
                "P32"
            } else {
                "P16"
            };
            let bitness = if run.code32 { 32 } else { 16 };
            let mask = if run.code32 { u32::MAX } else { 0xFFFF };
            let mut eip = run.eip;
            for _ in 0..run.insns {
                let mut bytes = [0u8; 16];
                let n = read_linear(&self.m.cpu, run.cs_base.wrapping_add(eip), &mut bytes[..15]);
                let len = self
                    .disasm
                    .disassemble(&bytes[..n], bitness, u64::from(eip))
                    .map_or(1, |l| l.len);
                if self.history.len() >= HISTORY_LEN {
                    self.history.pop_front();
                }
                self.history.push_back(HistEntry {
                    mode,
                    cs: run.cs,
                    cs_base: run.cs_base,
                    eip,
                    bitness,
                    bytes,
                    nbytes: n as u8,
                });
                eip = eip.wrapping_add(len as u32) & mask;
            }
        }
    }

    /// Runs up to `ns` of virtual time of a continue; `None` if nothing stopped it yet.
    pub fn cont_slice(&mut self, ns: u64) -> Option<Stopped> {
        let stopped = self.cont_slice_inner(ns);
        if stopped.is_some() {
            self.absorb_block_trail();
        }
        stopped
    }

    fn cont_slice_inner(&mut self, ns: u64) -> Option<Stopped> {
        if self.interrupt.swap(false, Ordering::Relaxed) {
            return Some(Stopped::Interrupted);
        }
        let triple = self.m.counters.triple_faults;
        let r = self.m.run_for(ns);
        self.run_tick();
        if r == StopReason::Debug {
            if let Some(stop) = self.m.cpu.take_debug_stop() {
                if let Some(st) = self.accept(stop) {
                    return Some(st);
                }
                // A condition did not hold: go on past this breakpoint.
                if let DebugStop::Breakpoint { .. } = stop {
                    self.m.cpu.resume_from_breakpoint();
                }
            }
            return None;
        }
        self.machine_stop(r, triple)
    }

    /// Steps over CALL, INT, LOOP and REP-prefixed instructions (runs until the next
    /// instruction); any other instruction is single-stepped.
    pub fn step_over(&mut self) -> Stopped {
        let cpu = &self.m.cpu;
        let mut bytes = [0u8; 16];
        let n = read_linear(cpu, pc_linear(cpu), &mut bytes[..15]);
        let Some(line) =
            self.disasm
                .disassemble(&bytes[..n], bitness(cpu), u64::from(cpu.state.eip))
        else {
            return self.step(1);
        };
        let text = line.text.to_ascii_lowercase();
        let over = ["call", "int", "loop", "rep"]
            .iter()
            .any(|p| text.starts_with(p))
            || text.starts_with("into");
        if !over {
            return self.step(1);
        }
        let mask = if cpu.state.code32() { u32::MAX } else { 0xFFFF };
        let next_ip = cpu.state.eip.wrapping_add(line.len as u32) & mask;
        let target = cpu.state.segs[SegReg::Cs as usize]
            .base
            .wrapping_add(next_ip);
        self.temp_break = Some(target);
        self.install_hooks();
        let r = self.cont();
        self.temp_break = None;
        self.install_hooks();
        r
    }

    /// How an interrupt kind is named in stop messages.
    pub fn kind_of_interrupt(kind: IntKind) -> &'static str {
        match kind {
            IntKind::External => "hardware interrupt",
            IntKind::Software => "software interrupt",
            IntKind::Exception => "exception",
        }
    }
}

/// Builds a watchpoint.
pub fn watch(start: u32, len: u32, kind: WatchKind) -> BreakKind {
    BreakKind::Watch(Watch {
        start,
        len: len.max(1),
        kind,
    })
}
