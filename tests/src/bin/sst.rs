//! `sst`: runs a single-step CPU test suite directory and prints pass/fail per opcode file.
//!
//! Usage: `sst DIR [--cpu MODEL] [--engine interp|jit] [--only PREFIX] [--show N]
//!             [--baseline FILE] [--write-baseline FILE] [--known-failures FILE]`

use rawbox_cpu::CpuModel;
use rawbox_tests::sst::{self, FileResult, Suite};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

struct Args {
    dir: PathBuf,
    model: CpuModel,
    only: Option<String>,
    show: usize,
    baseline: Option<PathBuf>,
    write_baseline: Option<PathBuf>,
    known: Option<PathBuf>,
    engine: sst::Engine,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let mut a = Args {
        dir: PathBuf::new(),
        model: CpuModel::I80286,
        only: None,
        show: 3,
        baseline: None,
        write_baseline: None,
        known: None,
        engine: sst::Engine::Interp,
    };
    let mut dir = None;
    while let Some(x) = it.next() {
        let mut val = |n: &str| it.next().ok_or(format!("{n} needs a value"));
        match x.as_str() {
            "--cpu" => a.model = val("--cpu")?.parse().map_err(|e| format!("{e}"))?,
            "--engine" => {
                a.engine = match val("--engine")?.as_str() {
                    "interp" => sst::Engine::Interp,
                    "jit" => sst::Engine::Jit,
                    e => return Err(format!("unknown engine '{e}' (interp or jit)")),
                };
            }
            "--only" => a.only = Some(val("--only")?.to_ascii_uppercase()),
            "--show" => a.show = val("--show")?.parse().map_err(|_| "--show takes a number")?,
            "--baseline" => a.baseline = Some(val("--baseline")?.into()),
            "--write-baseline" => a.write_baseline = Some(val("--write-baseline")?.into()),
            "--known-failures" => a.known = Some(val("--known-failures")?.into()),
            "-h" | "--help" => {
                return Err("usage: sst DIR [--cpu MODEL] [--engine interp|jit] [--only PREFIX] [--show N] [--baseline FILE] [--write-baseline FILE] [--known-failures FILE]".into())
            }
            _ if dir.is_none() && !x.starts_with('-') => dir = Some(PathBuf::from(x)),
            _ => return Err(format!("unexpected argument '{x}'")),
        }
    }
    a.dir = dir.ok_or("missing suite directory")?;
    Ok(a)
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("sst: {e}");
            std::process::exit(2);
        }
    };
    let suite = match Suite::open(&args.dir) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("sst: {e}");
            std::process::exit(2);
        }
    };
    let files: Vec<PathBuf> = suite
        .files
        .iter()
        .filter(|p| {
            args.only.as_ref().is_none_or(|o| {
                p.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .to_ascii_uppercase()
                    .starts_with(o.as_str())
            })
        })
        .cloned()
        .collect();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<FileResult>> = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let error = Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(f) = files.get(k) else { break };
                match suite.run_file_with(f, args.model, args.engine) {
                    Ok(r) => results.lock().unwrap().push(r),
                    Err(e) => *error.lock().unwrap() = Some(e.to_string()),
                }
            });
        }
    });
    if let Some(e) = error.into_inner().unwrap() {
        eprintln!("sst: {e}");
        std::process::exit(2);
    }
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.name.cmp(&b.name));
    let known = args
        .known
        .as_ref()
        .map(|p| std::fs::read_to_string(p).map(|t| sst::parse_known_failures(&t)))
        .transpose()
        .unwrap_or_else(|e| {
            eprintln!("sst: known-failures file: {e}");
            std::process::exit(2)
        })
        .unwrap_or_default();
    let (mut passed, mut failed, mut unexpected) = (0, 0, 0);
    for r in &results {
        let status = if r.failed == 0 { "pass" } else { "FAIL" };
        println!(
            "{status} {:<14} {:>5} passed, {:>5} failed",
            r.name, r.passed, r.failed
        );
        let mut shown = 0;
        for (hash, why) in r.failures.iter() {
            if !known.contains_key(hash) {
                unexpected += 1;
                if shown < args.show {
                    shown += 1;
                    println!("    {hash} {why}");
                }
            }
        }
        passed += r.passed;
        failed += r.failed;
    }
    if let Some(p) = &args.write_baseline {
        if let Err(e) = std::fs::write(p, sst::format_baseline(&results)) {
            eprintln!("sst: cannot write {}: {e}", p.display());
            std::process::exit(2);
        }
    }
    let mut regressions = 0;
    if let Some(p) = &args.baseline {
        match std::fs::read_to_string(p) {
            Ok(t) => {
                let base = sst::parse_baseline(&t);
                for r in &results {
                    if let Some(&(bp, _)) = base.get(&r.name) {
                        if r.passed < bp {
                            println!(
                                "REGRESSION {}: {} passed, baseline {}",
                                r.name, r.passed, bp
                            );
                            regressions += 1;
                        }
                    }
                }
            }
            Err(e) => {
                eprintln!("sst: baseline {}: {e}", p.display());
                std::process::exit(2);
            }
        }
    }
    if args.engine == sst::Engine::Jit {
        let blocks: u64 = results.iter().map(|r| r.jit_blocks).sum();
        println!("jit: {blocks} blocks compiled");
    }
    let total = passed + failed;
    let pct = if total > 0 {
        passed as f64 * 100.0 / total as f64
    } else {
        0.0
    };
    println!("pass rate {pct:.3}%, {unexpected} failures not in the known-failures list, {regressions} regressions");
    println!("{passed} passed, {failed} failed");
    if regressions > 0 || (args.known.is_some() && unexpected > 0) {
        std::process::exit(1);
    }
}
