//! Breakpoint conditions on register values: `eax==5`, `al!=0x20 && cx<10`, `zf==1`.
//! Numbers are hexadecimal, like addresses.

use crate::addr::parse_hex;
use crate::regs::register_value;
use crate::DebugError;
use rawbox_cpu::Cpu;

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// One `register OP value` test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Test {
    pub register: String,
    pub cmp: Cmp,
    pub value: u32,
}

/// Tests joined by `&&`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    pub tests: Vec<Test>,
    /// The text as typed, for `bl`.
    pub text: String,
}

impl Condition {
    pub fn parse(text: &str) -> Result<Condition, DebugError> {
        let mut tests = Vec::new();
        for part in text.split("&&") {
            let part = part.trim();
            let ops = [
                ("==", Cmp::Eq),
                ("!=", Cmp::Ne),
                ("<=", Cmp::Le),
                (">=", Cmp::Ge),
                ("<", Cmp::Lt),
                (">", Cmp::Gt),
                ("=", Cmp::Eq),
            ];
            let (at, op, cmp) = ops
                .iter()
                .find_map(|(op, cmp)| part.find(op).map(|at| (at, *op, *cmp)))
                .ok_or_else(|| {
                    DebugError::BadArgument(format!("condition `{part}`: expected REG==VALUE"))
                })?;
            let register = part[..at].trim().to_ascii_lowercase();
            let value = parse_hex(&part[at + op.len()..])?;
            tests.push(Test {
                register,
                cmp,
                value,
            });
        }
        Ok(Condition {
            tests,
            text: text.trim().to_string(),
        })
    }

    /// Checks the register names exist.
    pub fn validate(&self, cpu: &Cpu) -> Result<(), DebugError> {
        for t in &self.tests {
            if register_value(cpu, &t.register).is_none() {
                return Err(DebugError::BadArgument(format!(
                    "unknown register `{}`",
                    t.register
                )));
            }
        }
        Ok(())
    }

    /// Whether every test holds now (unknown registers make it false).
    pub fn holds(&self, cpu: &Cpu) -> bool {
        self.tests.iter().all(|t| {
            let Some(v) = register_value(cpu, &t.register) else {
                return false;
            };
            match t.cmp {
                Cmp::Eq => v == t.value,
                Cmp::Ne => v != t.value,
                Cmp::Lt => v < t.value,
                Cmp::Le => v <= t.value,
                Cmp::Gt => v > t.value,
                Cmp::Ge => v >= t.value,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rawbox_cpu::CpuModel;

    #[test]
    fn conditions_compare_registers_and_flags() {
        let mut cpu = Cpu::new(CpuModel::Pentium, 1 << 20).unwrap();
        cpu.state.regs[0] = 5;
        cpu.state.regs[1] = 0x1_0010;
        let holds = |c: &str, cpu: &Cpu| Condition::parse(c).unwrap().holds(cpu);
        assert!(holds("eax==5", &cpu));
        assert!(!holds("eax!=5", &cpu));
        assert!(holds("al == 5 && cx < 11", &cpu));
        assert!(holds("ecx >= 10010", &cpu));
        assert!(!holds("ecx > 10010", &cpu));
        assert!(holds("zf==0", &cpu));
        assert!(!holds("nosuchreg==0", &cpu));
        assert!(Condition::parse("eax 5").is_err());
        assert!(Condition::parse("eax==zz").is_err());
        let c = Condition::parse("bogus==1").unwrap();
        assert!(c.validate(&cpu).is_err());
    }
}
