//! Runs a family of shapes on both sides and compares them: every data register, the memory
//! operand and EFLAGS, minus the bits the SDM leaves undefined for that case. When the host
//! would raise #DE, the emulator must raise vector 0 and leave the registers, the memory
//! operand and the status flags as they were. Mismatches are collected and reported in hex.

use super::emu::{Emu, EmuResult};
use super::regs::{fl, idx, Regs, DATA_REGS};
use super::sdm::{divide_error, Undefined};
use super::shape::Shape;
use rand::rngs::SmallRng;
use rand::SeedableRng;
use std::fmt::Write;

/// Mismatch lines kept per shape and in total.
const LINES_PER_SHAPE: usize = 3;
const MAX_LINES: usize = 40;

const REG_NAMES: [&str; 8] = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];

fn flag_names(mask: u32) -> String {
    let names = [
        (fl::CF, "CF"),
        (fl::PF, "PF"),
        (fl::AF, "AF"),
        (fl::ZF, "ZF"),
        (fl::SF, "SF"),
        (fl::OF, "OF"),
    ];
    let mut s: Vec<String> = names
        .iter()
        .filter(|(b, _)| mask & b != 0)
        .map(|(_, n)| n.to_string())
        .collect();
    let other = mask & !fl::ARITH;
    if other != 0 {
        s.push(format!("{other:#x}"));
    }
    s.join(",")
}

fn show(r: &Regs, mem: bool) -> String {
    let mut s = String::new();
    for i in DATA_REGS {
        if !(mem && i == idx::ESI) {
            let _ = write!(s, "{}={:08x} ", REG_NAMES[i], r.r[i]);
        }
    }
    let _ = write!(s, "fl={:08x}", r.flags);
    if mem {
        let _ = write!(s, " mem={:02x?}", r.mem);
    }
    s
}

/// Differences between `want` and `got` outside the undefined bits (empty if equal).
fn diff(shape: &Shape, want: &Regs, got: &Regs, und: &Undefined) -> Vec<String> {
    let mut d = Vec::new();
    for i in DATA_REGS {
        if shape.mem && i == idx::ESI {
            continue;
        }
        if (want.r[i] ^ got.r[i]) & !und.regs[i] != 0 {
            d.push(REG_NAMES[i].to_string());
        }
    }
    let f = (want.flags ^ got.flags) & !und.flags;
    if f != 0 {
        d.push(format!("flags({})", flag_names(f)));
    }
    if shape.mem && want.mem != got.mem {
        d.push("mem".to_string());
    }
    d
}

/// Collected mismatches of one family.
struct Report {
    family: String,
    lines: Vec<String>,
    failing_shapes: usize,
    total: usize,
}

impl Report {
    fn note(&mut self, shape_fails: &mut usize, line: impl FnOnce() -> String) {
        *shape_fails += 1;
        self.total += 1;
        if *shape_fails <= LINES_PER_SHAPE && self.lines.len() < MAX_LINES {
            self.lines.push(line());
        }
    }
}

/// Seed for a family: a hash of its name, so each family has its own fixed sequence.
fn seed(family: &str) -> u64 {
    family.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

/// A family under test: one emulator, one seeded RNG, one report.
pub struct Family {
    emu: Emu,
    rng: SmallRng,
    seed: u64,
    report: Report,
    cases: usize,
}

impl Family {
    pub fn new(name: &str) -> Family {
        let seed = seed(name);
        Family {
            emu: Emu::new(),
            rng: SmallRng::seed_from_u64(seed),
            seed,
            report: Report {
                family: name.to_string(),
                lines: Vec::new(),
                failing_shapes: 0,
                total: 0,
            },
            cases: 0,
        }
    }

    /// Runs `cases` random cases of each shape, inputs from `input`.
    pub fn run(
        &mut self,
        shapes: &[Shape],
        cases: usize,
        mut input: impl FnMut(&mut SmallRng, &Shape) -> Regs,
    ) {
        for shape in shapes {
            let mut fails = 0;
            for _ in 0..cases {
                let inp = input(&mut self.rng, shape);
                self.case(shape, &inp, &mut fails);
            }
            self.cases += cases;
            if fails > 0 {
                self.report.failing_shapes += 1;
            }
        }
    }

    /// Runs one case of `shape` on `inp`.
    fn case(&mut self, shape: &Shape, inp: &Regs, fails: &mut usize) {
        let head = || {
            format!(
                "{} {:02X?}\n    in:   {}",
                shape.name,
                shape.bytes,
                show(inp, shape.mem)
            )
        };
        let got = self
            .emu
            .run(&shape.bytes, inp, shape.mem, shape.insn_count());
        if divide_error(&shape.insn, inp) {
            // The host would fault: the emulator must raise #DE and change nothing.
            let und = Undefined {
                flags: !fl::ARITH,
                ..Undefined::default()
            };
            let ok = match &got {
                EmuResult::Exception(0, out) => diff(shape, inp, out, &und).is_empty(),
                _ => false,
            };
            if !ok {
                self.report.note(fails, || {
                    format!("{}\n    host: #DE\n    emu:  {got:x?}", head())
                });
            }
            return;
        }
        let mut want = *inp;
        shape.run_host(&mut want);
        let und = shape.undefined(inp);
        match &got {
            EmuResult::Done(out) => {
                let d = diff(shape, &want, out, &und);
                if !d.is_empty() {
                    self.report.note(fails, || {
                        format!(
                            "{}\n    host: {}\n    emu:  {}\n    differ: {} (undefined flags: {})",
                            head(),
                            show(&want, shape.mem),
                            show(out, shape.mem),
                            d.join(" "),
                            flag_names(und.flags)
                        )
                    });
                }
            }
            other => self.report.note(fails, || {
                format!(
                    "{}\n    host: {}\n    emu:  {other:x?}",
                    head(),
                    show(&want, shape.mem)
                )
            }),
        }
    }

    /// Panics with the report if anything differed.
    pub fn finish(self) {
        let r = &self.report;
        assert!(self.cases > 0, "{}: no cases ran", r.family);
        if r.total > 0 {
            panic!(
                "{}: {} of {} cases differ, in {} shapes (seed {:#x}); first ones:\n{}",
                r.family,
                r.total,
                self.cases,
                r.failing_shapes,
                self.seed,
                r.lines.join("\n")
            );
        }
    }
}
