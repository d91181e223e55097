//! The `Machine`: a CPU, its memory, the platform devices and the firmware, with the run loop
//! that interleaves CPU slices with device time, and the API frontends use (run, reset, keys,
//! screen, serial output, counters).

use crate::config::{open_disk, read_rom, BootDevice, ConfigError, Firmware, MachineConfig};
use crate::keys::KeyStroke;
use crate::platform::Platform;
use rawbox_cpu::{Cpu, RunExit};
use rawbox_devices::cmos::{BootDevice as CmosBoot, CmosConfig, FloppyType, HardDiskGeometry};
use rawbox_devices::disk_image::{DiskImage, MediaKind};
use rawbox_devices::dma::GuestMemory;
use rawbox_devices::ide::IdeDrive;
use rawbox_devices::kbc::KeyCode;
use std::collections::VecDeque;

/// Virtual nanoseconds per guest instruction by default (the guest clock runs as a ~100 MIPS
/// PC). Frontends that follow the wall clock change the rate with [`Machine::set_insn_time_ps`].
pub const NS_PER_INSN: u64 = 10;
/// The default rate in picoseconds per instruction.
pub const DEFAULT_INSN_PS: u64 = NS_PER_INSN * 1000;
/// The fastest and slowest rates a frontend may set (10,000 and 0.1 MIPS).
pub const MIN_INSN_PS: u64 = 100;
pub const MAX_INSN_PS: u64 = 10_000_000;
/// Longest CPU slice between device updates.
const MAX_SLICE_NS: u64 = 1_000_000;

/// Why `run_for` returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The requested virtual time passed.
    TimeUp,
    /// The guest triple-faulted or asked for a reset; the machine was reset.
    Reset,
    /// The firmware stopped the machine (e.g. a fatal BIOS error).
    Halted,
    /// A host debugger hook stopped the CPU (`Cpu::take_debug_stop` says why).
    Debug,
}

/// Counters for statistics and the frontends.
#[derive(Clone, Copy, Debug, Default)]
pub struct MachineCounters {
    /// Returns from the CPU loop to the host side, by reason.
    pub exits_hostcall: u64,
    pub exits_halt: u64,
    pub exits_slice: u64,
    pub resets: u64,
    /// Triple faults (each also counts as a reset).
    pub triple_faults: u64,
}

/// Guest memory view for DMA.
struct DmaMem<'a>(&'a mut Cpu);

impl GuestMemory for DmaMem<'_> {
    fn read_phys(&mut self, addr: u32, buf: &mut [u8]) {
        self.0.mem.read_bytes(addr, buf);
    }
    fn write_phys(&mut self, addr: u32, data: &[u8]) {
        self.0.mem.write_bytes(addr, data);
    }
}

/// A PC.
pub struct Machine {
    pub cpu: Cpu,
    pub platform: Platform,
    pub config: MachineConfig,
    pub counters: MachineCounters,
    firmware: crate::firmware::FirmwareState,
    keys: VecDeque<KeyStroke>,
    /// Time before which no new scripted key is sent.
    next_key_ns: u64,
    /// Scripted typing has started.
    typing: bool,
    /// A scripted key being held down, and when it is released.
    held_key: Option<(KeyStroke, u64)>,
    /// Virtual picoseconds each guest instruction takes.
    insn_ps: u64,
    /// Picoseconds of executed instructions not yet added to the clock.
    ps_carry: u64,
    /// When single steps next update the devices (see `step`).
    step_sync_ns: u64,
    /// The JIT's counters when the JIT engine runs.
    pub jit_stats: Option<std::sync::Arc<rawbox_jit::JitStats>>,
}

/// The modifier keys a keystroke holds, in press order.
fn modifiers(k: &KeyStroke) -> [(bool, KeyCode); 3] {
    [
        (k.ctrl, KeyCode::ControlLeft),
        (k.alt, KeyCode::AltLeft),
        (k.shift, KeyCode::ShiftLeft),
    ]
}

impl std::fmt::Debug for Machine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Machine({:?}, {:?})", self.cpu, self.platform)
    }
}

fn floppy_type(img: &DiskImage) -> FloppyType {
    match img.size_bytes() / 1024 {
        0..=360 => FloppyType::K360,
        361..=720 => FloppyType::K720,
        721..=1200 => FloppyType::M1_2,
        1201..=1440 => FloppyType::M1_44,
        _ => FloppyType::M2_88,
    }
}

impl Machine {
    /// Builds a machine; every file is opened and checked before anything runs.
    pub fn new(config: MachineConfig) -> Result<Machine, ConfigError> {
        if config.memory_mb == 0 || config.memory_mb > 2048 {
            return Err(ConfigError::BadMemory(config.memory_mb));
        }
        // The 8086 addresses 1 MB and the 286 16 MB (the BIOS appears again at the top).
        let max_bytes: u64 = match config.cpu {
            rawbox_cpu::CpuModel::I8086 => 1 << 20,
            rawbox_cpu::CpuModel::I80286 => 15 << 20,
            _ => u64::MAX,
        };
        let ram_bytes = (config.memory_mb as u64 * 1024 * 1024).min(max_bytes);
        let mut cpu =
            Cpu::new(config.cpu, ram_bytes).map_err(|e| ConfigError::Memory(e.to_string()))?;
        let fda = if config.demo && config.fda.is_none() {
            let img = crate::demo::floppy_image();
            Some(DiskImage::from_bytes(
                "built-in demo",
                MediaKind::Floppy,
                img,
                true,
            )?)
        } else {
            config
                .fda
                .as_deref()
                .map(|p| open_disk(p, MediaKind::Floppy))
                .transpose()?
        };
        let fdb = config
            .fdb
            .as_deref()
            .map(|p| open_disk(p, MediaKind::Floppy))
            .transpose()?;
        let hda = config
            .hda
            .as_deref()
            .map(|p| open_disk(p, MediaKind::HardDisk))
            .transpose()?;
        let hdb = config
            .hdb
            .as_deref()
            .map(|p| open_disk(p, MediaKind::HardDisk))
            .transpose()?;
        let cd = config
            .cdrom
            .as_deref()
            .map(|p| open_disk(p, MediaKind::CdRom))
            .transpose()?;

        let ext_kb = (ram_bytes / 1024).saturating_sub(1024) as u32;
        let geometry = |d: &Option<DiskImage>| {
            d.as_ref().map(|d| {
                let g = d.geometry();
                HardDiskGeometry {
                    cylinders: g.cylinders.min(0xFFFF) as u16,
                    heads: g.heads as u8,
                    sectors_per_track: g.sectors_per_track as u8,
                }
            })
        };
        let cmos = CmosConfig {
            base_kb: 640,
            ext_kb,
            floppy_a: fda.as_ref().map(floppy_type).unwrap_or(FloppyType::M1_44),
            floppy_b: fdb.as_ref().map(floppy_type).unwrap_or(FloppyType::None),
            hard_disks: [geometry(&hda), geometry(&hdb)],
            boot_order: config
                .boot_order()
                .into_iter()
                .map(|b| match b {
                    BootDevice::Floppy => CmosBoot::Floppy,
                    BootDevice::HardDisk => CmosBoot::HardDisk,
                    BootDevice::CdRom => CmosBoot::CdRom,
                })
                .collect(),
            fpu_present: cpu.fpu.is_some(),
        };
        let mut platform = Platform::new(&cmos);
        if let Some(d) = fda {
            platform.fdc.insert(0, d);
        }
        if let Some(d) = fdb {
            platform.fdc.insert(1, d);
        }
        let attach = |e: rawbox_devices::ide::IdeAttachError| ConfigError::Attach(e.to_string());
        if let Some(d) = hda {
            platform.ide[0]
                .attach(0, IdeDrive::HardDisk(d))
                .map_err(attach)?;
        }
        if let Some(d) = hdb {
            platform.ide[0]
                .attach(1, IdeDrive::HardDisk(d))
                .map_err(attach)?;
        }
        platform.ide[1]
            .attach(0, IdeDrive::CdRom(cd))
            .map_err(attach)?;

        let map = |e: rawbox_cpu::memory::MemoryError| ConfigError::Memory(e.to_string());
        cpu.mem.map_mmio(0xA0000, 0x20000).map_err(map)?;
        let lfb = platform.vga.lfb_base();
        cpu.mem
            .map_mmio(lfb, platform.vga.lfb_size())
            .map_err(map)?;
        let firmware = match &config.firmware {
            Firmware::Builtin => crate::firmware::FirmwareState::builtin(&mut cpu, &config)?,
            Firmware::External { bios, vga_bios } => {
                let rom = read_rom(bios, 64 * 1024, 256 * 1024)?;
                let start = 0x10_0000 - rom.len() as u32;
                cpu.mem.load_rom(start, &rom).map_err(map)?;
                // A 440FX-style chipset: shadow RAM behind the ROM window (PAM registers in
                // the PCI host bridge) and fw_cfg, which also hands the VGA BIOS to firmware
                // that looks for it there (SeaBIOS copies it to 0xC0000 itself).
                let mut fw_cfg = rawbox_devices::fw_cfg::FwCfg::new(ram_bytes);
                if let Some(v) = vga_bios {
                    let vrom = read_rom(v, 16 * 1024, 64 * 1024)?;
                    cpu.mem.load_rom(0xC0000, &vrom).map_err(map)?;
                    fw_cfg
                        .add_file("vgaroms/vgabios.bin", vrom)
                        .map_err(|e| ConfigError::Memory(e.to_string()))?;
                }
                cpu.mem.enable_shadow().map_err(map)?;
                platform.pci = Some(rawbox_devices::pci::PciHost::new());
                platform.fw_cfg = Some(fw_cfg);
                crate::firmware::FirmwareState::External
            }
        };
        let jit_stats = (config.engine == crate::config::Engine::Jit).then(|| {
            rawbox_jit::install(
                &mut cpu,
                rawbox_jit::JitConfig {
                    threshold: config.jit_threshold,
                    cache_bytes: (config.jit_cache_mb.max(1) as usize) << 20,
                    // Threshold 0 is the force-compile mode: every block goes through the JIT.
                    compile_helper_only: config.jit_threshold == 0,
                },
            )
        });
        let mut m = Machine {
            cpu,
            platform,
            config,
            counters: MachineCounters::default(),
            firmware,
            keys: VecDeque::new(),
            next_key_ns: 0,
            typing: false,
            held_key: None,
            insn_ps: DEFAULT_INSN_PS,
            ps_carry: 0,
            step_sync_ns: 0,
            jit_stats,
        };
        m.reset();
        Ok(m)
    }

    /// Execution statistics for `--stats`: guest instructions, blocks, exceptions, decoded-block
    /// cache use and self-modifying-code invalidations, and the JIT's counters.
    pub fn engine_report(&self) -> String {
        let c = &self.cpu.counters;
        let cs = self.cpu.cache_stats();
        let mut s = format!(
            "engine: {:?}\n\
             guest instructions {}, blocks executed {}, exceptions {}, interrupts {}\n\
             decoded blocks: {} cached, {} decoded, {} invalidated (self-modifying code); TLB misses {}\n\
             exits: slice {}, halt {}, host call {}, resets {}",
            self.config.engine,
            c.instructions,
            c.blocks,
            c.exceptions,
            c.interrupts,
            self.cpu.cached_blocks(),
            cs.misses,
            cs.invalidated_blocks,
            self.cpu.tlb_misses(),
            self.counters.exits_slice,
            self.counters.exits_halt,
            self.counters.exits_hostcall,
            self.counters.resets,
        );
        if let Some(j) = &self.jit_stats {
            s.push('\n');
            s.push_str(&j.summary());
        }
        s
    }

    /// Split borrows for the firmware glue.
    pub(crate) fn parts(
        &mut self,
    ) -> (&mut Cpu, &mut Platform, &mut crate::firmware::FirmwareState) {
        (&mut self.cpu, &mut self.platform, &mut self.firmware)
    }

    /// Hardware reset (power button / triple fault / keyboard-controller reset line).
    pub fn reset(&mut self) {
        self.cpu.reset();
        self.cpu.flush_caches();
        self.sync_a20();
        self.counters.resets += 1;
    }

    fn sync_a20(&mut self) {
        let a20 = self.platform.a20();
        self.cpu.set_a20(a20);
    }

    /// Virtual time in nanoseconds since power-on.
    pub fn now_ns(&self) -> u64 {
        self.platform.now_ns
    }

    /// Runs the guest for `ns` of virtual time.
    pub fn run_for(&mut self, ns: u64) -> StopReason {
        let end = self.platform.now_ns.saturating_add(ns);
        self.step_sync_ns = 0;
        self.run_until(end, false)
    }

    /// Executes one guest instruction (`Cpu::step`: or takes a pending interrupt and runs the
    /// handler's first instruction) with device time and BIOS host calls handled as `run_for`
    /// does. A halted CPU instead waits for the next device event. For trace mode and the
    /// debugger; `TimeUp` means the step completed normally.
    pub fn step(&mut self) -> StopReason {
        let now = self.platform.now_ns;
        let insn_ns = (self.insn_ps / 1000).max(1);
        let end = if self.cpu.state.halted {
            self.platform
                .next_event_ns()
                .unwrap_or(now + MAX_SLICE_NS)
                .max(now + insn_ns)
        } else {
            now + insn_ns
        };
        self.run_until(end, true)
    }

    /// Runs CPU slices and device time until `end` (or, with `single`, one `Cpu::step`).
    fn run_until(&mut self, end: u64, single: bool) -> StopReason {
        while self.platform.now_ns < end {
            self.feed_scripted_keys();
            let now = self.platform.now_ns;
            let budget = if single {
                1
            } else {
                let deadline = self
                    .platform
                    .next_event_ns()
                    .unwrap_or(u64::MAX)
                    .min(now + MAX_SLICE_NS)
                    .min(end)
                    .max(now + 1);
                ((deadline - now).saturating_mul(1000) / self.insn_ps).max(1)
            };
            let before = self.cpu.counters.instructions;
            let exit = self.cpu.run(&mut self.platform, budget);
            let ran = self.cpu.counters.instructions - before;
            let ps = ran.saturating_mul(self.insn_ps) + self.ps_carry;
            self.platform.now_ns += ps / 1000;
            self.ps_carry = ps % 1000;
            match exit {
                RunExit::Budget => self.counters.exits_slice += 1,
                RunExit::HostCall(lin) => {
                    self.counters.exits_hostcall += 1;
                    if !crate::firmware::host_call(self, lin) {
                        return StopReason::Halted;
                    }
                }
                RunExit::Halted => {
                    self.counters.exits_halt += 1;
                    // Nothing to do until the next device event: skip ahead to it.
                    let next = self
                        .platform
                        .next_event_ns()
                        .unwrap_or(end)
                        .min(end)
                        .min(self.next_scripted_key_ns());
                    if next > self.platform.now_ns {
                        self.platform.now_ns = next;
                    }
                }
                RunExit::Shutdown => {
                    log::warn!("triple fault: resetting the machine");
                    self.counters.triple_faults += 1;
                    self.reset();
                    return StopReason::Reset;
                }
            }
            // Single steps update the devices where a run_for slice would end: at the next
            // device event or after MAX_SLICE_NS.
            if single && exit == RunExit::Budget && self.platform.now_ns < self.step_sync_ns {
                if self.cpu.debug_stop_pending() {
                    return StopReason::Debug;
                }
                break;
            }
            let t = self.platform.now_ns;
            self.platform.advance_to(t);
            if self.platform.dma_pending || self.platform.fdc.dma_pending() {
                self.platform.service_dma(&mut DmaMem(&mut self.cpu));
            }
            if self.platform.take_reset_request() {
                self.reset();
                return StopReason::Reset;
            }
            if self.cpu.state.a20 != self.platform.a20() {
                self.sync_a20();
            }
            if single {
                self.step_sync_ns = self
                    .platform
                    .next_event_ns()
                    .unwrap_or(u64::MAX)
                    .min(t + MAX_SLICE_NS);
            }
            if self.cpu.debug_stop_pending() {
                return StopReason::Debug;
            }
            if single {
                break;
            }
        }
        StopReason::TimeUp
    }

    /// How long one guest instruction takes in virtual time, in picoseconds.
    pub fn insn_time_ps(&self) -> u64 {
        self.insn_ps
    }

    /// Sets how long one guest instruction takes in virtual time (clamped to
    /// [`MIN_INSN_PS`]..=[`MAX_INSN_PS`]). Headless runs keep the default, so they are
    /// deterministic; the window adapts it so the guest clock follows the wall clock.
    pub fn set_insn_time_ps(&mut self, ps: u64) {
        self.insn_ps = ps.clamp(MIN_INSN_PS, MAX_INSN_PS);
    }

    /// Presses or releases a key.
    pub fn key_event(&mut self, key: KeyCode, make: bool) {
        let now = self.platform.now_ns;
        self.platform.kbc.key_event(make, key, now);
        self.platform.sync_irqs();
    }

    /// Queues keystrokes to type when the guest waits for input.
    pub fn type_keys(&mut self, keys: &[KeyStroke]) {
        self.keys.extend(keys.iter().copied());
    }

    /// Keystrokes still queued.
    pub fn pending_keys(&self) -> usize {
        self.keys.len() + self.held_key.is_some() as usize
    }

    /// Whether the guest waits for keyboard input: it has kept asking the BIOS for a key for a
    /// while (so it is past any start-up flush), and the keyboard buffers are empty.
    pub fn waiting_for_keyboard(&self) -> bool {
        let now = self.platform.now_ns;
        let p = &self.platform;
        let polling = p.keyboard_polled_ns > 0
            && now.saturating_sub(p.keyboard_polled_ns) < crate::firmware::KEYBOARD_POLL_GAP_NS;
        polling
            && now.saturating_sub(p.keyboard_poll_streak_ns) >= 200_000_000
            && self.keyboard_drained()
    }

    /// When the scripted typing next has something to do (a held key to release, or the
    /// next key's earliest time), so idle skips do not jump past it.
    fn next_scripted_key_ns(&self) -> u64 {
        let at = match self.held_key {
            Some((_, at)) => at,
            None if self.keys.is_empty() => u64::MAX,
            None if self.typing => self.next_key_ns,
            // Before typing starts the guest's own polls decide, or the quiet fallback.
            None => self.next_key_ns.saturating_add(1_000_000_000),
        };
        // A moment already past waits for the guest (it takes the key when it asks).
        if at <= self.platform.now_ns {
            u64::MAX
        } else {
            at
        }
    }

    /// The last key has been taken: the controller and the BIOS buffer are empty.
    fn keyboard_drained(&self) -> bool {
        let mut b = [0u8; 4];
        self.cpu.mem.read_bytes(0x41A, &mut b);
        b[0..2] == b[2..4] && self.platform.kbc.peek(0x64) & 1 == 0
    }

    fn feed_scripted_keys(&mut self) {
        let now = self.platform.now_ns;
        // A key is held like a person would (some programs poll port 60h and would miss a
        // press that is released at once), then released with its modifiers.
        if let Some((k, at)) = self.held_key {
            if now < at {
                return;
            }
            self.held_key = None;
            self.key_event(k.key, false);
            for (on, m) in modifiers(&k).iter().rev() {
                if *on {
                    self.key_event(*m, false);
                }
            }
            if k.key == KeyCode::Enter {
                // Enter usually starts something that may flush the keyboard: wait until the
                // guest asks for input again.
                self.typing = false;
                self.next_key_ns = now + 100_000_000;
            } else {
                self.next_key_ns = now + 10_000_000;
            }
            return;
        }
        if self.keys.is_empty() || now < self.next_key_ns {
            return;
        }
        // The first key waits until the guest asks for input; later ones follow as soon as
        // the previous one was taken. Programs that never ask the BIOS (own IRQ 1 handler)
        // get the key after a quiet second anyway.
        let quiet = now >= self.next_key_ns + 1_000_000_000;
        let ready = if self.typing {
            self.keyboard_drained()
        } else {
            self.waiting_for_keyboard() || (quiet && self.keyboard_drained())
        };
        if !ready {
            return;
        }
        self.typing = true;
        let Some(k) = self.keys.pop_front() else {
            return;
        };
        for (on, m) in modifiers(&k) {
            if on {
                self.key_event(m, true);
            }
        }
        self.key_event(k.key, true);
        self.held_key = Some((k, now + 30_000_000));
    }

    /// The text screen, if the display is in a text mode.
    pub fn text_screen(&self) -> Option<Vec<String>> {
        crate::screen::text_lines(&self.platform.vga)
    }

    /// Bytes the guest sent to COM1 since the last call.
    pub fn take_serial(&mut self) -> Vec<u8> {
        self.platform.com[0].take_output()
    }

    /// Bytes the guest wrote to the 0xE9 debug port since the last call.
    pub fn take_debug_port(&mut self) -> Vec<u8> {
        self.platform.misc.take_debug_output()
    }
}
