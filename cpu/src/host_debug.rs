//! Host debugger hooks: execution breakpoints on linear addresses, memory watchpoints,
//! I/O-port breakpoints and interrupt/exception breakpoints set by a debugger running on the
//! host (not by the guest's DR0-DR7). Installed with [`Cpu::set_host_debug`]; while none is
//! installed every hook is a single `Option::is_some` test on a path that already exists.
//!
//! Execution breakpoints do not single-step: when a block is fetched, its linear range is
//! looked up in the breakpoint set; a block holding a breakpoint runs only up to the
//! instruction before it, and a block starting on one is not run at all. `Cpu::run` then
//! returns `RunExit::Budget` early with the stop recorded ([`Cpu::take_debug_stop`]).
//! Watchpoints, port and interrupt breakpoints stop after the instruction that hit them.
//!
//! Another block engine (the JIT) stays exact if it runs a block only when the interpreter
//! would run all of it (`host_breakpoint_room` left the limit at the block's length), does
//! not go on into another block (or re-run one) without a new lookup while
//! [`Cpu::engine_may_chain_blocks`] is false,
//! and leaves blocks to the interpreter while [`Cpu::engine_may_run_blocks`] is false
//! (watchpoints need every memory access to pass `read_mem`/`write_mem`).

use crate::decode::cache::Block;
use crate::interrupt::IntKind;
use crate::state::SegReg;
use crate::{Cpu, RunExit};
use std::collections::BTreeSet;

/// Which accesses a watchpoint catches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchKind {
    Read,
    Write,
    Access,
}

/// A memory watchpoint on `len` bytes of linear address space from `start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Watch {
    pub start: u32,
    pub len: u32,
    pub kind: WatchKind,
}

impl Watch {
    fn hit(&self, lin: u32, n: u32, write: bool) -> bool {
        let wanted = match self.kind {
            WatchKind::Read => !write,
            WatchKind::Write => write,
            WatchKind::Access => true,
        };
        let (a0, a1) = (u64::from(lin), u64::from(lin) + u64::from(n));
        let (w0, w1) = (
            u64::from(self.start),
            u64::from(self.start) + u64::from(self.len.max(1)),
        );
        wanted && a0 < w1 && w0 < a1
    }
}

/// Why a host debugger hook stopped the CPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DebugStop {
    /// CS:EIP reached an execution breakpoint (the instruction has not run).
    Breakpoint { linear: u32 },
    /// The previous instruction accessed a watched range (`linear`, `len` bytes).
    Watch {
        watch: Watch,
        linear: u32,
        len: u32,
        write: bool,
    },
    /// The previous instruction accessed a watched I/O port.
    Port { port: u16, len: u32 },
    /// An interrupt or exception with a watched vector was delivered; CS:EIP is the
    /// handler's first instruction.
    Interrupt { vector: u8, kind: IntKind },
}

/// The host debugger's breakpoints and the pending stop.
#[derive(Clone, Debug, Default)]
pub struct HostDebug {
    /// Linear addresses of execution breakpoints.
    pub breakpoints: BTreeSet<u32>,
    pub watches: Vec<Watch>,
    /// Ports whose access stops the CPU.
    pub ports: BTreeSet<u16>,
    /// Interrupt and exception vectors whose delivery stops the CPU.
    pub vectors: BTreeSet<u8>,
    /// Only exceptions raised by the CPU stop at `vectors` (not INT n or IRQs).
    pub exceptions_only: bool,
    /// A breakpoint at this linear address is ignored once (resuming from it).
    skip_once: Option<u32>,
    stop: Option<DebugStop>,
    /// Exception vectors in `vectors` delivered since the last `take_debug_exceptions`, in
    /// order (a fault while delivering another shows both).
    exceptions: Vec<u8>,
    /// `breakpoints` as a flat list for the per-block check (rebuilt when `None`).
    flat: Option<Vec<u32>>,
    /// Record the blocks run (for the debugger's instruction history after a continue).
    pub record_blocks: bool,
    /// The last `TRAIL_LEN` block runs: a ring, `trail_next` is the slot written next.
    trail: Vec<BlockRun>,
    trail_next: usize,
}

/// Most block runs kept in the trail.
const TRAIL_LEN: usize = 64;

/// One run of (the first `insns` instructions of) a block, recorded while
/// `HostDebug::record_blocks` is set; `insns` counts the instructions that completed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockRun {
    pub cs: u16,
    pub cs_base: u32,
    pub eip: u32,
    pub insns: u16,
    /// CR0.PE, EFLAGS.VM and the code segment's D bit when the block ran.
    pub protected: bool,
    pub v86: bool,
    pub code32: bool,
    /// The instruction counter when the block started (to cut `insns` to what ran).
    first_insn: u64,
}

/// The runs of a trail ring oldest first, each cut to the instructions that completed before
/// the next run started (the last one: by `count`). A block can end early (a fault,
/// self-modifying code, a mode change).
fn settled(trail: &[BlockRun], next: usize, count: u64) -> Vec<BlockRun> {
    let split = if trail.len() < TRAIL_LEN { 0 } else { next };
    let mut runs: Vec<BlockRun> = trail[split..]
        .iter()
        .chain(&trail[..split])
        .copied()
        .collect();
    let ends: Vec<u64> = runs
        .iter()
        .skip(1)
        .map(|r| r.first_insn)
        .chain(std::iter::once(count))
        .collect();
    for (run, end) in runs.iter_mut().zip(ends) {
        let ran = end.saturating_sub(run.first_insn);
        run.insns = run.insns.min(ran.min(u64::from(u16::MAX)) as u16);
    }
    runs.retain(|r| r.insns > 0);
    runs
}

impl Cpu {
    /// Installs (or with `None` removes) the host debugger's breakpoints. A pending stop is
    /// kept.
    pub fn set_host_debug(&mut self, hooks: Option<HostDebug>) {
        let stop = self.host_debug.as_ref().and_then(|h| h.stop);
        self.host_debug = hooks.map(|mut h| {
            h.stop = h.stop.or(stop);
            h.flat = None;
            Box::new(h)
        });
    }

    /// The installed host debugger hooks.
    pub fn host_debug(&self) -> Option<&HostDebug> {
        self.host_debug.as_deref()
    }

    /// The installed hooks for editing (installs empty ones first if there are none).
    pub fn host_debug_mut(&mut self) -> &mut HostDebug {
        let h = self.host_debug.get_or_insert_with(Default::default);
        h.flat = None;
        h
    }

    /// Takes the reason a hook stopped the CPU, if one did.
    pub fn take_debug_stop(&mut self) -> Option<DebugStop> {
        self.host_debug.as_mut().and_then(|h| h.stop.take())
    }

    /// Takes the exception vectors (among the watched ones) delivered since the last call.
    pub fn take_debug_exceptions(&mut self) -> Vec<u8> {
        self.host_debug
            .as_mut()
            .map(|h| std::mem::take(&mut h.exceptions))
            .unwrap_or_default()
    }

    /// Whether a hook stopped the CPU and the stop was not taken yet.
    #[inline]
    pub fn debug_stop_pending(&self) -> bool {
        self.host_debug.as_ref().is_some_and(|h| h.stop.is_some())
    }

    /// Whether a compiled block engine may run whole blocks: no watchpoint is set.
    #[inline]
    pub fn engine_may_run_blocks(&self) -> bool {
        self.host_debug
            .as_ref()
            .is_none_or(|h| h.watches.is_empty())
    }

    /// Whether compiled code may go on into the next block (or run itself again) without a
    /// block lookup (which is where execution breakpoints are checked): no execution
    /// breakpoint is set.
    #[inline]
    pub fn engine_may_chain_blocks(&self) -> bool {
        self.host_debug
            .as_ref()
            .is_none_or(|h| h.breakpoints.is_empty())
    }

    /// Lets the next run execute the instruction at CS:EIP even if a breakpoint is set
    /// there (continuing or stepping from a breakpoint).
    pub fn resume_from_breakpoint(&mut self) {
        let lin = self.state.segs[SegReg::Cs as usize]
            .base
            .wrapping_add(self.state.eip);
        if let Some(h) = self.host_debug.as_mut() {
            h.skip_once = Some(lin);
        }
    }

    fn host_stop(&mut self, stop: DebugStop) {
        if let Some(h) = self.host_debug.as_mut() {
            // An exception raised while delivering an earlier event is the one to report.
            let exception = matches!(
                stop,
                DebugStop::Interrupt {
                    kind: IntKind::Exception,
                    ..
                }
            );
            if h.stop.is_none() || exception {
                h.stop = Some(stop);
            }
        }
        self.pending_exit = Some(RunExit::Budget);
        self.end_block = true;
    }

    /// Takes the recorded block runs, oldest first (at most the last 64).
    pub fn take_block_trail(&mut self) -> Vec<BlockRun> {
        let count = self.counters.instructions;
        self.host_debug
            .as_mut()
            .map(|h| {
                let runs = settled(&h.trail, h.trail_next, count);
                h.trail.clear();
                h.trail_next = 0;
                runs
            })
            .unwrap_or_default()
    }

    /// How many of `block`'s first `limit` instructions may run before an execution
    /// breakpoint; 0 means CS:EIP is on one (the stop is recorded). Records the run in the
    /// trail when asked to.
    pub(crate) fn host_breakpoint_room(&mut self, block: &Block, limit: usize) -> usize {
        let room = self.breakpoint_room(block, limit);
        let state = &self.state;
        let count = self.counters.instructions;
        if let Some(h) = self.host_debug.as_mut() {
            if h.record_blocks && room > 0 {
                let cs = state.segs[SegReg::Cs as usize];
                let run = BlockRun {
                    cs: cs.selector,
                    cs_base: cs.base,
                    eip: state.eip,
                    insns: room.min(block.insns.len()) as u16,
                    protected: state.pe(),
                    v86: state.v86(),
                    code32: state.code32(),
                    first_insn: count,
                };
                match h.trail.get_mut(h.trail_next) {
                    Some(slot) => *slot = run,
                    None => h.trail.push(run),
                }
                h.trail_next = (h.trail_next + 1) % TRAIL_LEN;
            }
        }
        room
    }

    fn breakpoint_room(&mut self, block: &Block, limit: usize) -> usize {
        let mask = self.ip_mask();
        let Some(h) = self.host_debug.as_mut() else {
            return limit;
        };
        let skip = h.skip_once.take();
        if h.breakpoints.is_empty() {
            return limit;
        }
        let cs_base = self.state.segs[SegReg::Cs as usize].base;
        let eip = self.state.eip;
        let start = cs_base.wrapping_add(eip);
        let flat = h
            .flat
            .get_or_insert_with(|| h.breakpoints.iter().copied().collect());
        // The block covers linear [start, start + bytes), wrapping at 4 GiB; an IP that wraps
        // at 64 KiB inside the block is checked instruction by instruction below.
        let ip_wraps = u64::from(eip) + u64::from(block.bytes) > u64::from(mask);
        if !ip_wraps && !flat.iter().any(|&b| b.wrapping_sub(start) < block.bytes) {
            return limit;
        }
        let mut off = 0u32;
        for (i, d) in block.insns.iter().take(limit).enumerate() {
            let lin = cs_base.wrapping_add(eip.wrapping_add(off) & mask);
            if h.breakpoints.contains(&lin) && !(i == 0 && skip == Some(lin)) {
                if i == 0 {
                    self.host_stop(DebugStop::Breakpoint { linear: lin });
                }
                return i;
            }
            off = off.wrapping_add(u32::from(d.len));
        }
        limit
    }

    /// Memory access hook (called from `read_mem`/`write_mem` when hooks are installed).
    #[inline]
    pub(crate) fn host_watch(&mut self, lin: u32, n: u32, write: bool) {
        let Some(h) = self.host_debug.as_ref() else {
            return;
        };
        if h.watches.is_empty() {
            return;
        }
        if let Some(w) = h.watches.iter().find(|w| w.hit(lin, n, write)) {
            let stop = DebugStop::Watch {
                watch: *w,
                linear: lin,
                len: n,
                write,
            };
            self.host_stop(stop);
        }
    }

    /// I/O port hook (called from `io_check` when hooks are installed).
    pub(crate) fn host_port(&mut self, port: u16, n: u32) {
        let last = port.saturating_add(n.saturating_sub(1) as u16);
        let hit = self
            .host_debug
            .as_ref()
            .is_some_and(|h| h.ports.range(port..=last).next().is_some());
        if hit {
            self.host_stop(DebugStop::Port { port, len: n });
        }
    }

    /// Interrupt delivery hook (called from `interrupt` when hooks are installed).
    pub(crate) fn host_interrupt(&mut self, vector: u8, kind: IntKind) {
        let hit = self.host_debug.as_ref().is_some_and(|h| {
            h.vectors.contains(&vector) && (!h.exceptions_only || kind == IntKind::Exception)
        });
        if hit {
            if let Some(h) = self.host_debug.as_mut() {
                if kind == IntKind::Exception && h.exceptions.len() < 16 {
                    h.exceptions.push(vector);
                }
            }
            self.host_stop(DebugStop::Interrupt { vector, kind });
        }
    }
}
