//! `bench-images`: writes the guest workloads of the JIT benchmark (issue 5) as bootable
//! 1.44 MB floppy images, with a table of the checksum each must print and the guest
//! instructions each executes (`expected.tsv`), for `scripts/bench-jit.sh`.
//!
//! Usage: `cargo run --release -p rawbox-tests --bin bench-images -- OUTDIR [--scale N]`

#[path = "../bench_guests/mod.rs"]
mod bench_guests;

use std::path::PathBuf;
use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!("usage: bench-images OUTDIR [--scale N]   (N >= 1 multiplies the iterations)");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut out_dir: Option<PathBuf> = None;
    let mut scale = 1u32;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--scale" {
            match args.next().and_then(|s| s.parse().ok()).filter(|&n| n >= 1) {
                Some(n) => scale = n,
                None => return usage(),
            }
        } else if out_dir.is_none() && !arg.starts_with('-') {
            out_dir = Some(PathBuf::from(arg));
        } else {
            return usage();
        }
    }
    let Some(out_dir) = out_dir else {
        return usage();
    };
    let guests = match bench_guests::all(scale) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("bench-images: cannot assemble: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = std::fs::create_dir_all(&out_dir) {
        eprintln!("bench-images: {}: {e}", out_dir.display());
        return ExitCode::FAILURE;
    }
    let mut table = String::from("# name\tchecksum\tinstructions\tsummary\n");
    for g in &guests {
        let path = out_dir.join(format!("{}.img", g.name));
        if let Err(e) = std::fs::write(&path, &g.image) {
            eprintln!("bench-images: {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        table.push_str(&format!(
            "{}\t{:08x}\t{}\t{}\n",
            g.name, g.checksum, g.instructions, g.summary
        ));
        println!(
            "{:<6} CHECKSUM {:08x}  {:>13} instructions  {}",
            g.name, g.checksum, g.instructions, g.summary
        );
    }
    let path = out_dir.join("expected.tsv");
    if let Err(e) = std::fs::write(&path, table) {
        eprintln!("bench-images: {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
