//! The GDB remote stub (`--gdb PORT`), built on the `gdbstub` crate with the i386 register
//! layout. GDB addresses are linear; memory accesses translate through the page tables
//! without faulting. Breakpoints and watchpoints become the CPU's host debugger hooks, so
//! `continue` runs at full speed and stops exactly at the breakpoint.

use crate::mem::{read_linear, write_linear};
use crate::session::{watch, BreakKind, Session, Stopped};
use crate::DebugError;
use gdbstub::common::Signal;
use gdbstub::conn::{Connection, ConnectionExt};
use gdbstub::stub::run_blocking::{BlockingEventLoop, Event, WaitForStopReasonError};
use gdbstub::stub::{DisconnectReason, GdbStub, SingleThreadStopReason};
use gdbstub::target::ext::base::singlethread::{
    SingleThreadBase, SingleThreadResume, SingleThreadResumeOps, SingleThreadSingleStep,
    SingleThreadSingleStepOps,
};
use gdbstub::target::ext::base::BaseOps;
use gdbstub::target::ext::breakpoints::{
    Breakpoints, BreakpointsOps, HwBreakpoint, HwBreakpointOps, HwWatchpoint, HwWatchpointOps,
    SwBreakpoint, SwBreakpointOps, WatchKind as GdbWatchKind,
};
use gdbstub::target::{Target, TargetError, TargetResult};
use gdbstub_arch::x86::reg::X86CoreRegs;
use gdbstub_arch::x86::X86_SSE;
use rawbox_cpu::state::{SegReg, Segment};
use rawbox_cpu::{DebugStop, WatchKind};
use std::collections::BTreeSet;
use std::marker::PhantomData;
use std::net::{TcpListener, TcpStream};

/// Virtual time run between checks for a Ctrl-C from GDB.
const SLICE_NS: u64 = 2_000_000;

/// What GDB asked the guest to do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Resume {
    Continue,
    Step,
}

/// The stub's target: the debugging session plus which breakpoints GDB called software ones.
pub struct GdbTarget<'a, 'm> {
    s: &'a mut Session<'m>,
    software: BTreeSet<u32>,
    resume: Option<Resume>,
}

impl<'a, 'm> GdbTarget<'a, 'm> {
    pub fn new(s: &'a mut Session<'m>) -> Self {
        GdbTarget {
            s,
            software: BTreeSet::new(),
            resume: None,
        }
    }

    /// Runs what the last resume asked for; `None` while a continue is still running (after
    /// one slice).
    fn run_once(&mut self) -> Option<SingleThreadStopReason<u32>> {
        let stopped = match self.resume? {
            Resume::Step => self.s.step(1),
            Resume::Continue => self.s.cont_slice(SLICE_NS)?,
        };
        self.resume = None;
        Some(self.stop_reason(stopped))
    }

    fn stop_reason(&self, st: Stopped) -> SingleThreadStopReason<u32> {
        match st {
            Stopped::Stepped => SingleThreadStopReason::DoneStep,
            Stopped::Interrupted => SingleThreadStopReason::Signal(Signal::SIGINT),
            Stopped::TripleFault | Stopped::Reset => {
                SingleThreadStopReason::Signal(Signal::SIGSEGV)
            }
            Stopped::FirmwareHalted => SingleThreadStopReason::Exited(0),
            Stopped::Hook(_, DebugStop::Breakpoint { linear }) => {
                if self.software.contains(&linear) {
                    SingleThreadStopReason::SwBreak(())
                } else {
                    SingleThreadStopReason::HwBreak(())
                }
            }
            Stopped::Hook(_, DebugStop::Watch { watch, .. }) => SingleThreadStopReason::Watch {
                tid: (),
                kind: match watch.kind {
                    WatchKind::Read => GdbWatchKind::Read,
                    WatchKind::Write => GdbWatchKind::Write,
                    WatchKind::Access => GdbWatchKind::ReadWrite,
                },
                addr: watch.start,
            },
            Stopped::Hook(..) => SingleThreadStopReason::Signal(Signal::SIGTRAP),
        }
    }
}

impl Target for GdbTarget<'_, '_> {
    type Arch = X86_SSE;
    type Error = DebugError;

    fn base_ops(&mut self) -> BaseOps<'_, Self::Arch, Self::Error> {
        BaseOps::SingleThread(self)
    }

    fn support_breakpoints(&mut self) -> Option<BreakpointsOps<'_, Self>> {
        Some(self)
    }
}

impl SingleThreadBase for GdbTarget<'_, '_> {
    fn read_registers(&mut self, regs: &mut X86CoreRegs) -> TargetResult<(), Self> {
        let st = &self.s.m.cpu.state;
        regs.eax = st.regs[0];
        regs.ecx = st.regs[1];
        regs.edx = st.regs[2];
        regs.ebx = st.regs[3];
        regs.esp = st.regs[4];
        regs.ebp = st.regs[5];
        regs.esi = st.regs[6];
        regs.edi = st.regs[7];
        regs.eip = st.eip;
        regs.eflags = st.flags.value();
        let sel = |s: SegReg| u32::from(st.seg(s).selector);
        regs.segments.cs = sel(SegReg::Cs);
        regs.segments.ss = sel(SegReg::Ss);
        regs.segments.ds = sel(SegReg::Ds);
        regs.segments.es = sel(SegReg::Es);
        regs.segments.fs = sel(SegReg::Fs);
        regs.segments.gs = sel(SegReg::Gs);
        Ok(())
    }

    fn write_registers(&mut self, regs: &X86CoreRegs) -> TargetResult<(), Self> {
        let cpu = &mut self.s.m.cpu;
        cpu.state.regs = [
            regs.eax, regs.ecx, regs.edx, regs.ebx, regs.esp, regs.ebp, regs.esi, regs.edi,
        ];
        cpu.state.eip = regs.eip;
        // Arithmetic flags, TF, IF, DF and OF.
        cpu.state.flags.set_bits(0x0FD5, regs.eflags);
        // Selectors can be changed in real and v86 mode only (protected mode would need a
        // descriptor load that could fault).
        if !cpu.state.protected() {
            for (seg, v) in [
                (SegReg::Es, regs.segments.es),
                (SegReg::Cs, regs.segments.cs),
                (SegReg::Ss, regs.segments.ss),
                (SegReg::Ds, regs.segments.ds),
                (SegReg::Fs, regs.segments.fs),
                (SegReg::Gs, regs.segments.gs),
            ] {
                let cur = &mut cpu.state.segs[seg as usize];
                if u32::from(cur.selector) != v {
                    let access = cur.access;
                    *cur = Segment::real(v as u16);
                    cur.access = access;
                }
            }
        }
        cpu.flush_caches();
        Ok(())
    }

    fn read_addrs(&mut self, start: u32, data: &mut [u8]) -> TargetResult<usize, Self> {
        let n = read_linear(&self.s.m.cpu, start, data);
        if n == 0 && !data.is_empty() {
            return Err(TargetError::NonFatal);
        }
        Ok(n)
    }

    fn write_addrs(&mut self, start: u32, data: &[u8]) -> TargetResult<(), Self> {
        if write_linear(&mut self.s.m.cpu, start, data) < data.len() {
            return Err(TargetError::NonFatal);
        }
        Ok(())
    }

    fn support_resume(&mut self) -> Option<SingleThreadResumeOps<'_, Self>> {
        Some(self)
    }
}

impl SingleThreadResume for GdbTarget<'_, '_> {
    fn resume(&mut self, _signal: Option<Signal>) -> Result<(), Self::Error> {
        self.resume = Some(Resume::Continue);
        self.s.begin_continue();
        Ok(())
    }

    fn support_single_step(&mut self) -> Option<SingleThreadSingleStepOps<'_, Self>> {
        Some(self)
    }
}

impl SingleThreadSingleStep for GdbTarget<'_, '_> {
    fn step(&mut self, _signal: Option<Signal>) -> Result<(), Self::Error> {
        self.resume = Some(Resume::Step);
        Ok(())
    }
}

impl Breakpoints for GdbTarget<'_, '_> {
    fn support_sw_breakpoint(&mut self) -> Option<SwBreakpointOps<'_, Self>> {
        Some(self)
    }
    fn support_hw_breakpoint(&mut self) -> Option<HwBreakpointOps<'_, Self>> {
        Some(self)
    }
    fn support_hw_watchpoint(&mut self) -> Option<HwWatchpointOps<'_, Self>> {
        Some(self)
    }
}

impl SwBreakpoint for GdbTarget<'_, '_> {
    fn add_sw_breakpoint(&mut self, addr: u32, _kind: usize) -> TargetResult<bool, Self> {
        self.software.insert(addr);
        self.s.add(BreakKind::Exec(addr), None);
        Ok(true)
    }
    fn remove_sw_breakpoint(&mut self, addr: u32, _kind: usize) -> TargetResult<bool, Self> {
        self.software.remove(&addr);
        Ok(self.s.delete_kind(BreakKind::Exec(addr)))
    }
}

impl HwBreakpoint for GdbTarget<'_, '_> {
    fn add_hw_breakpoint(&mut self, addr: u32, _kind: usize) -> TargetResult<bool, Self> {
        self.s.add(BreakKind::Exec(addr), None);
        Ok(true)
    }
    fn remove_hw_breakpoint(&mut self, addr: u32, _kind: usize) -> TargetResult<bool, Self> {
        Ok(self.s.delete_kind(BreakKind::Exec(addr)))
    }
}

fn watch_kind(kind: GdbWatchKind) -> WatchKind {
    match kind {
        GdbWatchKind::Read => WatchKind::Read,
        GdbWatchKind::Write => WatchKind::Write,
        GdbWatchKind::ReadWrite => WatchKind::Access,
    }
}

impl HwWatchpoint for GdbTarget<'_, '_> {
    fn add_hw_watchpoint(
        &mut self,
        addr: u32,
        len: u32,
        kind: GdbWatchKind,
    ) -> TargetResult<bool, Self> {
        self.s.add(watch(addr, len, watch_kind(kind)), None);
        Ok(true)
    }
    fn remove_hw_watchpoint(
        &mut self,
        addr: u32,
        len: u32,
        kind: GdbWatchKind,
    ) -> TargetResult<bool, Self> {
        Ok(self.s.delete_kind(watch(addr, len, watch_kind(kind))))
    }
}

/// The blocking event loop: runs the guest in slices and polls the socket between them.
struct EventLoop<'a, 'm>(PhantomData<(&'a (), &'m ())>);

impl<'a, 'm: 'a> BlockingEventLoop for EventLoop<'a, 'm> {
    type Target = GdbTarget<'a, 'm>;
    type Connection = TcpStream;
    type StopReason = SingleThreadStopReason<u32>;

    fn wait_for_stop_reason(
        target: &mut Self::Target,
        conn: &mut Self::Connection,
    ) -> Result<
        Event<Self::StopReason>,
        WaitForStopReasonError<DebugError, <TcpStream as Connection>::Error>,
    > {
        loop {
            if let Some(reason) = target.run_once() {
                return Ok(Event::TargetStopped(reason));
            }
            if conn
                .peek()
                .map_err(WaitForStopReasonError::Connection)?
                .is_some()
            {
                let byte = ConnectionExt::read(conn).map_err(WaitForStopReasonError::Connection)?;
                return Ok(Event::IncomingData(byte));
            }
        }
    }

    fn on_interrupt(
        target: &mut Self::Target,
    ) -> Result<Option<SingleThreadStopReason<u32>>, DebugError> {
        target.resume = None;
        Ok(Some(SingleThreadStopReason::Signal(Signal::SIGINT)))
    }
}

/// Serves one GDB connection from `listener` until GDB detaches or kills the guest. The
/// guest does not run until GDB continues or steps.
pub fn serve(s: &mut Session, listener: &TcpListener) -> Result<DisconnectReason, DebugError> {
    let (stream, peer) = listener.accept()?;
    log::info!("gdb attached from {peer}");
    stream.set_nodelay(true)?;
    let mut target = GdbTarget::new(s);
    let stub = GdbStub::new(stream);
    stub.run_blocking::<EventLoop>(&mut target)
        .map_err(|e| DebugError::Gdb(e.to_string()))
}
