//! Command-line options that choose and instrument the execution engine (`--engine`,
//! `--jit-threshold`, `--jit-cache-mb`, `--stats`, `--jit-verify`) and the statistics report
//! printed at exit.

use rawbox_vmm::{Engine, Machine, MachineConfig};

/// Execution-engine options, flattened into the main command line.
#[derive(clap::Args, Debug, Clone)]
pub struct EngineArgs {
    /// Execution engine: the interpreter, or the JIT compiling hot blocks to host code.
    #[arg(long, value_name = "interp|jit", default_value = "jit", value_parser = ["interp", "jit"])]
    pub engine: String,
    /// JIT: interpreted runs of a block before it is compiled (0 compiles at once).
    #[arg(long, value_name = "N", default_value_t = 16)]
    pub jit_threshold: u32,
    /// JIT: host code cache size in MB (flushed and refilled when full).
    #[arg(long, value_name = "MB", default_value_t = 64,
          value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub jit_cache_mb: u32,
    /// Print execution statistics to stderr at exit (instructions, blocks, JIT counters).
    #[arg(long)]
    pub stats: bool,
    /// Run the interpreter and the JIT in lockstep (headless) and stop at the first
    /// difference between them with a report of both states (exit code 4).
    #[arg(long)]
    pub jit_verify: bool,
}

impl EngineArgs {
    /// Copies the options into a machine configuration.
    pub fn apply(&self, c: &mut MachineConfig) {
        c.engine = if self.engine == "interp" {
            Engine::Interp
        } else {
            Engine::Jit
        };
        c.jit_threshold = self.jit_threshold;
        c.jit_cache_mb = self.jit_cache_mb;
    }

    /// Prints the statistics report when `--stats` was given.
    pub fn report(&self, m: &Machine) {
        if self.stats {
            eprintln!("{}", m.engine_report());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        e: EngineArgs,
    }

    #[test]
    fn parses_and_applies() {
        let t = T::parse_from(["x", "--engine", "interp", "--jit-cache-mb", "8", "--stats"]);
        let mut c = MachineConfig::default();
        t.e.apply(&mut c);
        assert_eq!(c.engine, Engine::Interp);
        assert_eq!(c.jit_cache_mb, 8);
        assert!(t.e.stats);
        assert!(!t.e.jit_verify);
        assert!(T::parse_from(["x", "--jit-verify"]).e.jit_verify);
        let t = T::parse_from(["x"]);
        t.e.apply(&mut c);
        assert_eq!(c.engine, Engine::Jit);
        assert!(T::try_parse_from(["x", "--engine", "qemu"]).is_err());
        assert!(T::try_parse_from(["x", "--jit-cache-mb", "0"]).is_err());
    }
}
