//! What the compiler does with each instruction of a block: which forms are emitted inline
//! (and with which operands), which go to the interpreter's handler, and a backward pass
//! deciding which lazy-flag records are read before being overwritten.

use crate::layout;
use iced_x86::{Mnemonic as M, OpKind};
use rawbox_cpu::decode::cache::{DecodedInsn, OpFast};
use rawbox_cpu::exec::arith;
use rawbox_cpu::flags::OpSize;
use rawbox_cpu::CpuModel;

/// A register (as its byte offset in `Cpu`) or an immediate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Src {
    Reg(i32),
    Imm(u32),
}

/// How one instruction is compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// Call the interpreter's handler (`sys`: an instruction that may change what compiled
    /// code assumes: segments, mode, privilege, paging, debug state, interrupt flag).
    Helper {
        sys: bool,
    },
    /// MOV reg, reg/imm.
    MovReg {
        dst: i32,
        src: Src,
        size: OpSize,
    },
    /// MOV reg, [mem] (also MOVZX/MOVSX from memory when `ext` is set).
    Load {
        dst: i32,
        size: OpSize,
        ext: Option<(bool, OpSize)>,
    },
    /// MOV [mem], reg/imm.
    Store {
        src: Src,
        size: OpSize,
    },
    /// ADD/OR/AND/SUB/XOR/CMP/TEST reg, reg/imm.
    Alu {
        op: u8,
        dst: i32,
        src: Src,
        size: OpSize,
    },
    Neg {
        dst: i32,
        size: OpSize,
    },
    Not {
        dst: i32,
        size: OpSize,
    },
    IncDec {
        dec: bool,
        dst: i32,
        size: OpSize,
    },
    /// LEA reg16/32, [mem].
    Lea {
        dst: i32,
        size: OpSize,
    },
    /// MOVZX/MOVSX reg, reg.
    Movx {
        signed: bool,
        dst: i32,
        size: OpSize,
        src: i32,
        src_size: OpSize,
    },
    /// JMP rel: `delta` from the next instruction, 16-bit IP when `ip16`.
    Jmp {
        delta: u32,
        ip16: bool,
    },
    /// Jcc rel (condition code in x86 encoding order).
    Jcc {
        cc: u8,
        delta: u32,
        ip16: bool,
    },
    /// PUSH reg16/32.
    Push {
        src: i32,
        size: OpSize,
    },
    /// POP reg16/32.
    Pop {
        dst: i32,
        size: OpSize,
    },
    /// ADD/OR/AND/SUB/XOR/CMP/TEST reg, [mem] (`mem_first` false: the register is the
    /// destination), or CMP/TEST [mem], reg/imm (`mem_first`: nothing is written).
    AluMem {
        op: u8,
        other: Src,
        mem_first: bool,
        size: OpSize,
    },
    /// SHL/SHR/SAR reg, imm with a (masked) count of 1 up to the operand width - 1: recorded
    /// as a lazy shift (`LazyOp::Shl`...), equal to the six flags the interpreter sets.
    Shift {
        op: u8,
        dst: i32,
        size: OpSize,
        count: u8,
    },
    /// SHL/SHR/SAR reg32, CL: a count of 0 (masked) changes nothing, flags included, so the
    /// earlier lazy record stays readable.
    ShiftCl {
        op: u8,
        dst: i32,
    },
    /// ROL/ROR reg, imm with a (masked) count that is not 0: only CF and OF change (after
    /// the other flags are materialised).
    Rotate {
        left: bool,
        dst: i32,
        size: OpSize,
        count: u8,
    },
    /// ADD/OR/AND/SUB/XOR [mem], reg/imm.
    AluRmw {
        op: u8,
        src: Src,
        size: OpSize,
    },
    /// INC/DEC [mem].
    IncDecMem {
        dec: bool,
        size: OpSize,
    },
    /// CALL near (relative or indirect), pushing a return address of `size`.
    Call {
        target: CallTarget,
        size: OpSize,
    },
    /// JMP r/m16/32.
    JmpInd {
        src: Ind,
        size: OpSize,
    },
    /// RET near [imm16] popping a return address of `size`.
    Ret {
        imm: u16,
        size: OpSize,
    },
    /// SETcc reg8 (inline only right after an inline flag-setting operation).
    Setcc {
        cc: u8,
        dst: i32,
    },
    /// LOOP rel: decrement CX/ECX (`c32`), jump while non-zero.
    Loop {
        c32: bool,
        delta: u32,
        ip16: bool,
    },
}

impl Form {
    pub fn is_helper(&self) -> bool {
        matches!(self, Form::Helper { .. })
    }

    /// Overwrites every arithmetic flag without reading the earlier lazy record and
    /// cannot fault first, when the guest flags are in the host flags before it (`host`) or
    /// not: the earlier record is then dead.
    pub fn writes_all_flags(&self, host: bool) -> bool {
        match self {
            // ADC and SBB read CF: from the host flags when they hold it.
            Form::Alu { op, .. } => (*op != arith::ADC && *op != arith::SBB) || host,
            Form::Neg { .. } | Form::Shift { .. } => true,
            // INC/DEC keep CF, and rotates materialise the others: from the host flags.
            Form::IncDec { .. } | Form::Rotate { .. } => host,
            _ => false,
        }
    }

    /// Neither reads nor writes flags, cannot fault and does not leave the block.
    pub fn flag_neutral(&self) -> bool {
        matches!(
            self,
            Form::MovReg { .. } | Form::Not { .. } | Form::Lea { .. } | Form::Movx { .. }
        )
    }

    /// Leaves the guest flags in the host flags (see `Emitter::host_flags`).
    fn leaves_host_flags(&self) -> bool {
        matches!(
            self,
            Form::Shift { count: 1, .. }
                | Form::Alu { .. }
                | Form::AluMem { .. }
                | Form::AluRmw { .. }
                | Form::Neg { .. }
                | Form::IncDec { .. }
                | Form::IncDecMem { .. }
        )
    }

    /// Keeps host flags that hold the guest's.
    fn keeps_host_flags(&self) -> bool {
        self.flag_neutral() || matches!(self, Form::Setcc { .. })
    }
}

fn reg_of(op: OpFast) -> Option<i32> {
    match op {
        OpFast::R8(n) => Some(layout::reg8(n)),
        OpFast::R16(n) | OpFast::R32(n) => Some(layout::reg32(n)),
        _ => None,
    }
}

fn src_of(op: OpFast, size: OpSize) -> Option<Src> {
    match op {
        OpFast::Imm(v) => Some(Src::Imm(v & size.mask())),
        o => reg_of(o).map(Src::Reg),
    }
}

/// Where an indirect near transfer reads its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ind {
    Reg(i32),
    Mem,
}

/// Where a near CALL goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallTarget {
    /// `next + delta`, wrapped to 16 bits when `ip16`.
    Rel {
        delta: u32,
        ip16: bool,
    },
    Ind(Ind),
}

fn ind_of(op: OpFast) -> Option<Ind> {
    match op {
        OpFast::Mem => Some(Ind::Mem),
        OpFast::R16(n) | OpFast::R32(n) => Some(Ind::Reg(layout::reg32(n))),
        _ => None,
    }
}

/// Chooses the form of one instruction.
pub fn classify(d: &DecodedInsn, model: CpuModel) -> Form {
    classify_inner(d, model).unwrap_or(Form::Helper {
        sys: !plain_helper(&d.insn),
    })
}

/// Whether an instruction left to its handler cannot change what compiled code assumes
/// (segment registers, mode, privilege level, paging, debug registers, IF): ordinary data
/// processing, near control transfers, string operations without port I/O, x87.
fn plain_helper(i: &iced_x86::Instruction) -> bool {
    use iced_x86::Register;
    let system_reg = |r: Register| r.is_segment_register() || r.is_cr() || r.is_dr() || r.is_tr();
    if (0..i.op_count()).any(|k| i.op_kind(k) == OpKind::Register && system_reg(i.op_register(k))) {
        // MOV/PUSH/POP of segment, control, debug or test registers.
        return i.mnemonic() == M::Push;
    }
    if i.is_jmp_far() || i.is_jmp_far_indirect() || i.is_call_far() || i.is_call_far_indirect() {
        return false;
    }
    matches!(
        i.mnemonic(),
        M::Add
            | M::Or
            | M::Adc
            | M::Sbb
            | M::And
            | M::Sub
            | M::Xor
            | M::Cmp
            | M::Test
            | M::Inc
            | M::Dec
            | M::Neg
            | M::Not
            | M::Mul
            | M::Imul
            | M::Div
            | M::Idiv
            | M::Rol
            | M::Ror
            | M::Rcl
            | M::Rcr
            | M::Shl
            | M::Sal
            | M::Shr
            | M::Sar
            | M::Shld
            | M::Shrd
            | M::Mov
            | M::Movzx
            | M::Movsx
            | M::Lea
            | M::Xchg
            | M::Xadd
            | M::Cmpxchg
            | M::Bswap
            | M::Bt
            | M::Bts
            | M::Btr
            | M::Btc
            | M::Bsf
            | M::Bsr
            | M::Cbw
            | M::Cwde
            | M::Cwd
            | M::Cdq
            | M::Lahf
            | M::Sahf
            | M::Clc
            | M::Stc
            | M::Cmc
            | M::Cld
            | M::Std
            | M::Xlatb
            | M::Nop
            | M::Push
            | M::Pop
            | M::Pusha
            | M::Pushad
            | M::Popa
            | M::Popad
            | M::Pushf
            | M::Pushfd
            | M::Enter
            | M::Leave
            | M::Bound
            | M::Movsb
            | M::Movsw
            | M::Movsd
            | M::Stosb
            | M::Stosw
            | M::Stosd
            | M::Lodsb
            | M::Lodsw
            | M::Lodsd
            | M::Cmpsb
            | M::Cmpsw
            | M::Cmpsd
            | M::Scasb
            | M::Scasw
            | M::Scasd
            | M::Aaa
            | M::Aas
            | M::Daa
            | M::Das
            | M::Aam
            | M::Aad
            | M::Call
            | M::Ret
            | M::Jmp
            | M::Loop
            | M::Loope
            | M::Loopne
            | M::Jcxz
            | M::Jecxz
            | M::Cpuid
            | M::Rdtsc
            | M::Wait
    ) || i.is_jcc_short_or_near()
        || rawbox_cpu::exec::is_setcc_mnemonic(i.mnemonic())
        || {
            let name = format!("{:?}", i.mnemonic());
            name.starts_with("Cmov") || name.starts_with('F')
        }
}

fn classify_inner(d: &DecodedInsn, model: CpuModel) -> Option<Form> {
    let i = &d.insn;
    if !rawbox_cpu::exec::uses_mnemonic_handler(i, model, d.extra) {
        return None;
    }
    let [op0, op1, _] = d.ops;
    let size = d.sizes[0];
    let alu_op = match i.mnemonic() {
        M::Add => Some(arith::ADD),
        M::Or => Some(arith::OR),
        M::Adc => Some(arith::ADC),
        M::Sbb => Some(arith::SBB),
        M::And => Some(arith::AND),
        M::Sub => Some(arith::SUB),
        M::Xor => Some(arith::XOR),
        M::Cmp => Some(arith::CMP),
        M::Test => Some(arith::TEST),
        _ => None,
    };
    if let Some(op) = alu_op {
        if i.op_count() != 2 {
            return None;
        }
        let carry = op == arith::ADC || op == arith::SBB;
        if op1 == OpFast::Mem && !carry {
            return Some(Form::AluMem {
                op,
                other: Src::Reg(reg_of(op0)?),
                mem_first: false,
                size,
            });
        }
        if op0 == OpFast::Mem && !carry && op != arith::CMP && op != arith::TEST {
            return Some(Form::AluRmw {
                op,
                src: src_of(op1, size)?,
                size,
            });
        }
        if op0 == OpFast::Mem && (op == arith::CMP || op == arith::TEST) {
            return Some(Form::AluMem {
                op,
                other: src_of(op1, size)?,
                mem_first: true,
                size,
            });
        }
        return Some(Form::Alu {
            op,
            dst: reg_of(op0)?,
            src: src_of(op1, size)?,
            size,
        });
    }
    match i.mnemonic() {
        M::Mov => {
            if let Some(dst) = reg_of(op0) {
                if op1 == OpFast::Mem {
                    return Some(Form::Load {
                        dst,
                        size,
                        ext: None,
                    });
                }
                return Some(Form::MovReg {
                    dst,
                    src: src_of(op1, size)?,
                    size,
                });
            }
            if op0 == OpFast::Mem {
                return Some(Form::Store {
                    src: src_of(op1, size)?,
                    size,
                });
            }
            None
        }
        M::Movzx | M::Movsx => {
            let signed = i.mnemonic() == M::Movsx;
            let dst = reg_of(op0)?;
            let src_size = d.sizes[1];
            if op1 == OpFast::Mem {
                return Some(Form::Load {
                    dst,
                    size,
                    ext: Some((signed, src_size)),
                });
            }
            Some(Form::Movx {
                signed,
                dst,
                size,
                src: reg_of(op1)?,
                src_size,
            })
        }
        M::Lea if op1 == OpFast::Mem && size != OpSize::Byte => Some(Form::Lea {
            dst: reg_of(op0)?,
            size,
        }),
        M::Neg => Some(Form::Neg {
            dst: reg_of(op0)?,
            size,
        }),
        M::Not => Some(Form::Not {
            dst: reg_of(op0)?,
            size,
        }),
        M::Inc | M::Dec if op0 == OpFast::Mem => Some(Form::IncDecMem {
            dec: i.mnemonic() == M::Dec,
            size,
        }),
        M::Inc | M::Dec => Some(Form::IncDec {
            dec: i.mnemonic() == M::Dec,
            dst: reg_of(op0)?,
            size,
        }),
        M::Jmp if i.is_jmp_near_indirect() && size != OpSize::Byte => Some(Form::JmpInd {
            src: ind_of(op0)?,
            size,
        }),
        M::Call if i.is_call_near() => {
            let (ip16, size) = match i.op0_kind() {
                OpKind::NearBranch16 => (true, OpSize::Word),
                OpKind::NearBranch32 => (false, OpSize::Dword),
                _ => return None,
            };
            let delta = i.near_branch_target().wrapping_sub(i.next_ip()) as u32;
            Some(Form::Call {
                target: CallTarget::Rel { delta, ip16 },
                size,
            })
        }
        M::Call if i.is_call_near_indirect() && size != OpSize::Byte => Some(Form::Call {
            target: CallTarget::Ind(ind_of(op0)?),
            size,
        }),
        M::Ret => {
            let size = match i.code() {
                iced_x86::Code::Retnd | iced_x86::Code::Retnd_imm16 => OpSize::Dword,
                iced_x86::Code::Retnw | iced_x86::Code::Retnw_imm16 => OpSize::Word,
                _ => return None,
            };
            let imm = if i.op_count() > 0 {
                i.immediate(0) as u16
            } else {
                0
            };
            Some(Form::Ret { imm, size })
        }
        M::Jmp => {
            let ip16 = match i.op0_kind() {
                OpKind::NearBranch16 => true,
                OpKind::NearBranch32 => false,
                _ => return None,
            };
            let delta = i.near_branch_target().wrapping_sub(i.next_ip()) as u32;
            Some(Form::Jmp { delta, ip16 })
        }
        M::Push if size != OpSize::Byte && i.op_count() == 1 => {
            // The 8086 pushes the already decremented SP: leave that to the handler.
            if op0 == OpFast::R16(4) && !model.is_286_plus() {
                return None;
            }
            Some(Form::Push {
                src: reg_of(op0)?,
                size,
            })
        }
        M::Pop if size != OpSize::Byte && i.op_count() == 1 => Some(Form::Pop {
            dst: reg_of(op0)?,
            size,
        }),
        M::Shl | M::Sal | M::Shr | M::Sar if model.is_286_plus() => {
            let op = match i.mnemonic() {
                M::Shr => rawbox_cpu::exec::shift::SHR,
                M::Sar => rawbox_cpu::exec::shift::SAR,
                _ => rawbox_cpu::exec::shift::SHL,
            };
            if op1 == OpFast::R8(1) && size == OpSize::Dword {
                return Some(Form::ShiftCl {
                    op,
                    dst: reg_of(op0)?,
                });
            }
            let OpFast::Imm(c) = op1 else {
                return None;
            };
            let count = c & 0x1F;
            if count == 0 || count >= size.bits() {
                return None;
            }
            Some(Form::Shift {
                op,
                dst: reg_of(op0)?,
                size,
                count: count as u8,
            })
        }
        M::Rol | M::Ror if model.is_286_plus() => {
            let OpFast::Imm(c) = op1 else {
                return None;
            };
            let count = c & 0x1F;
            if count == 0 {
                return None;
            }
            Some(Form::Rotate {
                left: i.mnemonic() == M::Rol,
                dst: reg_of(op0)?,
                size,
                count: count as u8,
            })
        }
        M::Loop => {
            let ip16 = match i.op0_kind() {
                OpKind::NearBranch16 => true,
                OpKind::NearBranch32 => false,
                _ => return None,
            };
            let c32 = matches!(
                i.code(),
                iced_x86::Code::Loop_rel8_16_ECX | iced_x86::Code::Loop_rel8_32_ECX
            );
            let delta = i.near_branch_target().wrapping_sub(i.next_ip()) as u32;
            Some(Form::Loop { c32, delta, ip16 })
        }
        _ if rawbox_cpu::exec::is_setcc_mnemonic(i.mnemonic()) => {
            let OpFast::R8(_) = op0 else {
                return None;
            };
            Some(Form::Setcc {
                cc: rawbox_cpu::exec::bits::cc_of(i),
                dst: reg_of(op0)?,
            })
        }
        _ if i.is_jcc_short_or_near() => {
            let ip16 = match i.op0_kind() {
                OpKind::NearBranch16 => true,
                OpKind::NearBranch32 => false,
                _ => return None,
            };
            let delta = i.near_branch_target().wrapping_sub(i.next_ip()) as u32;
            Some(Form::Jcc {
                cc: rawbox_cpu::exec::bits::cc_of(i),
                delta,
                ip16,
            })
        }
        _ => None,
    }
}

/// Flag facts for each instruction of a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlagInfo {
    /// The lazy-flag record it writes can be read (by a later instruction, a fault or the
    /// block's exit) before the next full overwrite.
    pub live: bool,
    /// The host flags hold the guest's before it (the emitter must agree).
    pub host_before: bool,
}

/// The flag facts of a block's instructions.
pub fn flag_info(forms: &[Form]) -> Vec<FlagInfo> {
    let mut host = Vec::with_capacity(forms.len());
    let mut h = false;
    for f in forms {
        host.push(h);
        h = f.leaves_host_flags() || (h && f.keeps_host_flags());
    }
    let mut info = vec![
        FlagInfo {
            live: true,
            host_before: false
        };
        forms.len()
    ];
    let mut l = true;
    for (k, f) in forms.iter().enumerate().rev() {
        info[k] = FlagInfo {
            live: l,
            host_before: host[k],
        };
        let dead_rotate = matches!(f, Form::Rotate { .. }) && !l;
        if f.writes_all_flags(host[k]) {
            l = false;
        } else if !f.flag_neutral() && !dead_rotate {
            // (A rotate whose flags nobody reads does not read the earlier ones either.)
            l = true;
        }
    }
    info
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn liveness_skips_overwritten_records() {
        let alu = Form::Alu {
            op: arith::ADD,
            dst: 0,
            src: Src::Imm(1),
            size: OpSize::Dword,
        };
        let mov = Form::MovReg {
            dst: 0,
            src: Src::Imm(1),
            size: OpSize::Dword,
        };
        let forms = [alu, mov, alu, Form::Helper { sys: false }, alu, alu];
        let live: Vec<bool> = flag_info(&forms).iter().map(|i| i.live).collect();
        assert_eq!(live, vec![false, false, true, false, false, true]);
    }
}
