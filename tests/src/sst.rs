//! Runner for the SingleStepTests-format CPU suites (`../shared/cpu-tests/`): loads each opcode
//! file, runs every test on a fresh register state, compares registers, masked flags and memory.

use flate2::read::GzDecoder;
use rawbox_cpu::state::{SegReg, Segment};
use rawbox_cpu::{Cpu, CpuModel, NullBus, RunExit};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Errors reading a suite.
#[derive(Debug)]
pub enum SuiteError {
    Io(PathBuf, std::io::Error),
    Json(PathBuf, String),
}

impl fmt::Display for SuiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SuiteError::Io(p, e) => write!(f, "{}: {e}", p.display()),
            SuiteError::Json(p, e) => write!(f, "{}: bad test file: {e}", p.display()),
        }
    }
}
impl std::error::Error for SuiteError {}

/// Result of one opcode file.
#[derive(Debug, Clone, Default)]
pub struct FileResult {
    pub name: String,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// (hash, description) of failures.
    pub failures: Vec<(String, String)>,
    /// Blocks the JIT compiled (0 with the interpreter).
    pub jit_blocks: u64,
}

/// A loaded suite directory.
#[derive(Debug)]
pub struct Suite {
    pub dir: PathBuf,
    metadata: Value,
    revoked: HashSet<String>,
    pub files: Vec<PathBuf>,
}

const REG_NAMES: [(&str, usize); 8] = [
    ("ax", 0),
    ("cx", 1),
    ("dx", 2),
    ("bx", 3),
    ("sp", 4),
    ("bp", 5),
    ("si", 6),
    ("di", 7),
];
const SEG_NAMES: [(&str, SegReg); 4] = [
    ("es", SegReg::Es),
    ("cs", SegReg::Cs),
    ("ss", SegReg::Ss),
    ("ds", SegReg::Ds),
];

impl Suite {
    pub fn open(dir: &Path) -> Result<Suite, SuiteError> {
        let meta_path = dir.join("metadata.json");
        let text = std::fs::read_to_string(&meta_path)
            .map_err(|e| SuiteError::Io(meta_path.clone(), e))?;
        let metadata: Value = serde_json::from_str(&text)
            .map_err(|e| SuiteError::Json(meta_path.clone(), e.to_string()))?;
        let mut revoked = HashSet::new();
        if let Ok(t) = std::fs::read_to_string(dir.join("revocation_list.txt")) {
            for l in t.lines() {
                let l = l.trim();
                if !l.is_empty() && !l.starts_with('#') {
                    revoked.insert(l.to_string());
                }
            }
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| SuiteError::Io(dir.to_path_buf(), e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.to_string_lossy().ends_with(".json.gz"))
            .collect();
        files.sort();
        Ok(Suite {
            dir: dir.to_path_buf(),
            metadata,
            revoked,
            files,
        })
    }

    /// The flags mask for an opcode file name like `80.3.json.gz`.
    fn flags_mask(&self, file: &str) -> u16 {
        let stem = file.trim_end_matches(".json.gz");
        let mut parts = stem.split('.');
        let op = parts.next().unwrap_or("").to_ascii_uppercase();
        let reg = parts.next();
        let entry = &self.metadata["opcodes"][&op];
        let e = match reg {
            Some(r) => &entry["reg"][r],
            None => entry,
        };
        e["flags-mask"].as_u64().unwrap_or(0xFFFF) as u16
    }

    /// Runs one opcode file with the interpreter.
    pub fn run_file(&self, path: &Path, model: CpuModel) -> Result<FileResult, SuiteError> {
        self.run_file_with(path, model, Engine::Interp)
    }

    /// Runs one opcode file with `engine`.
    pub fn run_file_with(
        &self,
        path: &Path,
        model: CpuModel,
        engine: Engine,
    ) -> Result<FileResult, SuiteError> {
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let mut gz =
            GzDecoder::new(std::fs::File::open(path).map_err(|e| SuiteError::Io(path.into(), e))?);
        let mut text = String::new();
        gz.read_to_string(&mut text)
            .map_err(|e| SuiteError::Io(path.into(), e))?;
        let tests: Vec<Value> = serde_json::from_str(&text)
            .map_err(|e| SuiteError::Json(path.into(), e.to_string()))?;
        let mask = self.flags_mask(&name);
        let ram = if model == CpuModel::I8086 {
            1 << 20
        } else {
            16 << 20
        };
        let mut cpu =
            Cpu::new(model, ram).map_err(|e| SuiteError::Json(path.into(), e.to_string()))?;
        let mut res = FileResult {
            name,
            ..Default::default()
        };
        // Suites either end every test with HLT (run until it executes) or not (run one
        // instruction).
        let until_hlt = tests.iter().all(|t| {
            t["bytes"]
                .as_array()
                .and_then(|a| a.last())
                .and_then(|b| b.as_u64())
                == Some(0xF4)
        });
        let mut jit_stats = None;
        if engine == Engine::Jit {
            // Force-compile: every block is translated on its first run; single-instruction
            // suites get one-instruction blocks so the instruction under test is compiled.
            jit_stats = Some(rawbox_jit::install(
                &mut cpu,
                rawbox_jit::JitConfig {
                    threshold: 0,
                    compile_helper_only: true,
                    ..Default::default()
                },
            ));
            if !until_hlt {
                cpu.set_max_block_insns(1);
            }
        }
        for t in &tests {
            let hash = t["hash"].as_str().unwrap_or("").to_string();
            if self.revoked.contains(&hash) {
                res.skipped += 1;
                continue;
            }
            match run_test(&mut cpu, t, mask, until_hlt) {
                Ok(()) => res.passed += 1,
                Err(why) => {
                    res.failed += 1;
                    let name = t["name"].as_str().unwrap_or("?");
                    res.failures.push((hash, format!("{name}: {why}")));
                }
            }
        }
        if let Some(st) = jit_stats {
            res.jit_blocks = st
                .blocks_compiled
                .load(std::sync::atomic::Ordering::Relaxed);
        }
        Ok(res)
    }
}

fn ram_list(v: &Value) -> Vec<(u32, u8)> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| Some((e[0].as_u64()? as u32, e[1].as_u64()? as u8)))
                .collect()
        })
        .unwrap_or_default()
}

/// Which engine runs the tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Interp,
    /// The JIT in force-compile mode.
    Jit,
}

/// Runs one test; Err describes the first difference.
pub fn run_test(cpu: &mut Cpu, t: &Value, mask: u16, until_hlt: bool) -> Result<(), String> {
    let init = &t["initial"];
    let fin = &t["final"];
    let iregs = &init["regs"];
    let model = cpu.model;
    cpu.reset();
    let ram = ram_list(&init["ram"]);
    for &(a, b) in &ram {
        cpu.mem.write_bytes(a, &[b]);
    }
    let st = &mut cpu.state;
    for (n, i) in REG_NAMES {
        st.regs[i] = iregs[n].as_u64().unwrap_or(0) as u32;
    }
    for (n, s) in SEG_NAMES {
        let mut seg = Segment::real(iregs[n].as_u64().unwrap_or(0) as u16);
        if s == SegReg::Cs {
            seg.access |= rawbox_cpu::state::access::CODE;
        }
        st.segs[s as usize] = seg;
    }
    st.eip = iregs["ip"].as_u64().unwrap_or(0) as u32;
    let mut flags = iregs["flags"].as_u64().unwrap_or(0) as u32;
    flags = if model == CpuModel::I8086 {
        flags | 0xF000
    } else {
        flags & 0x0FFF
    };
    st.flags.set_bits(0xFFFF_FFFF, flags | 2);
    cpu.flush_caches();
    let mut bus = NullBus;
    let bytes: Vec<u8> = t["bytes"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|b| b.as_u64().map(|b| b as u8))
                .collect()
        })
        .unwrap_or_default();
    let mut out = Ok(());
    if until_hlt {
        // The instruction is followed by HLT: run until it has executed.
        let exit = cpu.run(&mut bus, 5000);
        if exit != RunExit::Halted {
            out = Err(format!("did not reach HLT ({exit:?})"));
        }
    } else {
        // One instruction (a REP string instruction may take several steps of ours).
        let start = (cpu.state.segs[SegReg::Cs as usize].selector, cpu.state.eip);
        let rep = bytes.iter().any(|&b| b == 0xF2 || b == 0xF3);
        for _ in 0..64 {
            cpu.step(&mut bus);
            let now = (cpu.state.segs[SegReg::Cs as usize].selector, cpu.state.eip);
            if !rep || now != start {
                break;
            }
        }
    }
    // Compare registers.
    if out.is_ok() {
        let get = |n: &str| fin["regs"][n].as_u64().or(iregs[n].as_u64()).unwrap_or(0) as u32;
        for (n, i) in REG_NAMES {
            let want = get(n);
            let have = cpu.state.regs[i] & 0xFFFF;
            if want != have {
                out = Err(format!("{n}={have:04x} want {want:04x}"));
                break;
            }
        }
        if out.is_ok() {
            for (n, s) in SEG_NAMES {
                let want = get(n);
                let have = cpu.state.segs[s as usize].selector as u32;
                if want != have {
                    out = Err(format!("{n}={have:04x} want {want:04x}"));
                    break;
                }
            }
        }
        if out.is_ok() {
            let want = get("ip");
            let have = cpu.state.eip;
            if want != have {
                out = Err(format!("ip={have:04x} want {want:04x}"));
            }
        }
        if out.is_ok() {
            let mut want = fin["regs"]["flags"]
                .as_u64()
                .or(iregs["flags"].as_u64())
                .unwrap_or(0) as u32;
            if model != CpuModel::I8086 {
                want &= 0x0FFF;
            }
            let have = cpu.flags_image() & 0xFFFF;
            let m = mask as u32;
            if want & m != have & m {
                out = Err(format!("flags={have:04x} want {want:04x} (mask {m:04x})"));
            }
        }
    }
    // Compare memory.
    // Where the exception frame's FLAGS image is: the suite's `flag_address` is off by one
    // when SP is odd, so use the frame our CPU built (FLAGS sits 4 bytes above the final SP).
    // Suites without exception records: a frame pushed to the vector-0 handler (#DE) holds
    // a FLAGS image with the same undefined bits.
    let ivt0 = {
        let mut b = [0u8; 4];
        for &(a, v) in &ram {
            if a < 4 {
                b[a as usize] = v;
            }
        }
        (
            u16::from_le_bytes([b[2], b[3]]),
            u16::from_le_bytes([b[0], b[1]]),
        )
    };
    let divide_trap = t["exception"].is_null()
        && (
            cpu.state.segs[SegReg::Cs as usize].selector,
            cpu.state.eip as u16,
        ) == ivt0
        && cpu.state.regs[4] as u16 == (iregs["sp"].as_u64().unwrap_or(0) as u16).wrapping_sub(6);
    let has_frame = !t["exception"].is_null() || divide_trap;
    let flag_addr = has_frame.then(|| {
        let ss = cpu.state.segs[SegReg::Ss as usize].base;
        let mask = if model == CpuModel::I8086 {
            0xF_FFFF
        } else {
            0xFF_FFFF
        };
        ss.wrapping_add((cpu.state.regs[4].wrapping_add(4)) & 0xFFFF) & mask
    });
    let fram = ram_list(&fin["ram"]);
    if out.is_ok() {
        for &(a, want) in &fram {
            let mut b = [0u8];
            cpu.mem.read_bytes(a, &mut b);
            let (mut have, mut want) = (b[0], want);
            if let Some(fa) = flag_addr {
                let m = if a == fa {
                    Some(mask as u8)
                } else if a == fa.wrapping_add(1) {
                    Some((mask >> 8) as u8 & if model == CpuModel::I8086 { 0xFF } else { 0x0F })
                } else {
                    None
                };
                if let Some(m) = m {
                    have &= m;
                    want &= m;
                }
            }
            if have != want {
                out = Err(format!("mem[{a:06x}]={have:02x} want {want:02x}"));
                break;
            }
        }
    }
    // Clean memory for the next test.
    for &(a, _) in ram.iter().chain(fram.iter()) {
        cpu.mem.write_bytes(a, &[0]);
    }
    out
}

/// Per-file pass counts, as kept in a baseline file (`name passed failed` per line).
pub fn format_baseline(results: &[FileResult]) -> String {
    let mut s = String::new();
    for r in results {
        s.push_str(&format!("{} {} {}\n", r.name, r.passed, r.failed));
    }
    s
}

/// Parses a baseline file.
pub fn parse_baseline(text: &str) -> BTreeMap<String, (usize, usize)> {
    text.lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            let n = it.next()?.to_string();
            let p = it.next()?.parse().ok()?;
            let f = it.next()?.parse().ok()?;
            Some((n, (p, f)))
        })
        .collect()
}

/// Parses a known-failures file: `HASH  reason` per line (`#` comments).
pub fn parse_known_failures(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let (h, why) = l.split_once(char::is_whitespace)?;
            Some((h.to_string(), why.trim().to_string()))
        })
        .collect()
}
