//! Lockstep verification (`--jit-verify`): two machines built from one configuration, one
//! interpreted and one JIT-compiled, run slice by slice of guest time and compared after
//! every slice (stop reason, instruction/block/interrupt counters, CPU state; RAM every few
//! slices). The first difference becomes a [`Divergence`].

use crate::config::{ConfigError, Engine, MachineConfig};
use crate::divergence::{Divergence, RamDiff, Side};
use crate::keys::KeyStroke;
use crate::machine::{Machine, StopReason};

/// Slices between two RAM comparisons.
pub const DEFAULT_RAM_EVERY: u64 = 64;

/// Two machines run in lockstep: `a` the reference (interpreter), `b` the checked one (JIT).
pub struct Lockstep {
    pub a: Machine,
    pub b: Machine,
    /// Slices run so far.
    slices: u64,
    /// RAM is compared after every this many slices (and by [`Lockstep::check_ram`]).
    pub ram_every: u64,
}

impl Lockstep {
    /// Builds the interpreter machine and the JIT machine from `config` (the JIT keeps the
    /// configured threshold and cache size).
    pub fn new(config: &MachineConfig) -> Result<Lockstep, ConfigError> {
        let a = Machine::new(MachineConfig {
            engine: Engine::Interp,
            ..config.clone()
        })?;
        let b = Machine::new(MachineConfig {
            engine: Engine::Jit,
            ..config.clone()
        })?;
        Ok(Lockstep::from_machines(a, b))
    }

    /// Pairs two machines already built (e.g. with different engines or thresholds).
    pub fn from_machines(a: Machine, b: Machine) -> Lockstep {
        Lockstep {
            a,
            b,
            slices: 0,
            ram_every: DEFAULT_RAM_EVERY,
        }
    }

    /// Slices run so far.
    pub fn slices(&self) -> u64 {
        self.slices
    }

    /// Queues the same scripted keys on both machines.
    pub fn type_keys(&mut self, keys: &[KeyStroke]) {
        self.a.type_keys(keys);
        self.b.type_keys(keys);
    }

    /// Runs both machines for `ns` of guest time and compares them. Returns the reference
    /// machine's stop reason.
    pub fn step_slice(&mut self, ns: u64) -> Result<StopReason, Box<Divergence>> {
        let ra = self.a.run_for(ns);
        let rb = self.b.run_for(ns);
        let slice = self.slices;
        self.slices += 1;
        let (a, b) = (&self.a, &self.b);
        let same = ra == rb
            && a.cpu.counters.instructions == b.cpu.counters.instructions
            && a.cpu.counters.blocks == b.cpu.counters.blocks
            && a.cpu.counters.interrupts == b.cpu.counters.interrupts
            && a.cpu.counters.exceptions == b.cpu.counters.exceptions
            && a.cpu.state == b.cpu.state;
        let ram = if !same || slice.is_multiple_of(self.ram_every.max(1)) {
            first_ram_diff(a, b)
        } else {
            None
        };
        if same && ram.is_none() {
            return Ok(ra);
        }
        Err(Box::new(self.divergence(slice, ra, rb, ram)))
    }

    /// Compares RAM now (without running); the last slice's reasons count as `TimeUp`.
    pub fn check_ram(&self) -> Result<(), Box<Divergence>> {
        match first_ram_diff(&self.a, &self.b) {
            None => Ok(()),
            Some(d) => Err(Box::new(self.divergence(
                self.slices.saturating_sub(1),
                StopReason::TimeUp,
                StopReason::TimeUp,
                Some(d),
            ))),
        }
    }

    fn divergence(
        &self,
        slice: u64,
        ra: StopReason,
        rb: StopReason,
        ram: Option<RamDiff>,
    ) -> Divergence {
        Divergence {
            slice,
            guest_ns: self.a.now_ns(),
            a: Side::of(&self.a, ra),
            b: Side::of(&self.b, rb),
            ram,
        }
    }
}

/// The first RAM byte that differs (a size difference counts at the shorter end).
fn first_ram_diff(a: &Machine, b: &Machine) -> Option<RamDiff> {
    let (ra, rb) = (a.cpu.mem.ram(), b.cpu.mem.ram());
    if ra == rb {
        return None;
    }
    let i = ra
        .iter()
        .zip(rb)
        .position(|(x, y)| x != y)
        .unwrap_or(ra.len().min(rb.len()));
    Some(RamDiff {
        addr: i as u64,
        a: ra.get(i).copied().unwrap_or(0),
        b: rb.get(i).copied().unwrap_or(0),
    })
}
