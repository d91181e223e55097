//! Self-modifying code and precise faults through compiled blocks: each program runs on an
//! interpreted machine and a JIT machine (force-compile and a low threshold) compared at block
//! boundaries, and its result is checked against the architectural answer.

mod common;

use common::guest::*;
use common::{lockstep, pair};
use iced_x86::code_asm::*;
use rawbox_cpu::{CpuModel, RunExit};

/// Runs `program` on both engines with each threshold, checks they agree throughout and end
/// halted, then hands both machines to `check`.
fn both(entry: Entry, program: &dyn Fn(&mut Guest), check: &dyn Fn(&Guest)) {
    for threshold in [0, 2] {
        let (mut a, mut b, stats) = pair(CpuModel::Pentium, entry, threshold, program);
        let exit = lockstep(&mut a, &mut b, 48, 200_000, "program");
        assert_eq!(exit, RunExit::Halted, "log {:x?}", a.log());
        check(&a);
        check(&b);
        let compiled = stats
            .blocks_compiled
            .load(std::sync::atomic::Ordering::Relaxed);
        if threshold == 0 {
            assert!(compiled > 0, "the JIT compiled nothing");
        }
    }
}

/// `mov eax, 0; mov byte [L+1], 0x42; L: mov al, 0x11; mov [RES], eax; hlt`: the store
/// rewrites the immediate of the very next instruction of the same block.
#[test]
fn store_into_the_next_instruction_pm32() {
    let prog = |g: &mut Guest| {
        let l = CODE + 12;
        g.code32(CODE, |a| {
            a.mov(eax, 0u32)?;
            a.mov(byte_ptr(l + 1), 0x42)?;
            a.mov(al, 0x11)?;
            a.mov(dword_ptr(RES), eax)?;
            a.hlt()
        });
        assert_eq!(g.rd16(l), 0x11B0, "layout");
    };
    both(Entry::Pm32, &prog, &|g| assert_eq!(g.res(0), 0x42));
}

/// The same in real mode (16-bit code, DS = 0).
#[test]
fn store_into_the_next_instruction_real() {
    let prog = |g: &mut Guest| {
        // mov ax, 0 (3) ; mov byte [l+1], 0x42 (5) ; l: mov al, 0x11
        let l = CODE16 + 8;
        g.code16(CODE16, |a| {
            a.mov(ax, 0u32)?;
            a.mov(byte_ptr(l + 1), 0x42)?;
            a.mov(al, 0x11)?;
            a.mov(word_ptr(RES), ax)?;
            a.hlt()
        });
        assert_eq!(g.rd16(l), 0x11B0, "layout");
    };
    both(Entry::Real, &prog, &|g| assert_eq!(g.rd16(RES), 0x42));
}

/// A loop that increments the immediate of its own ADD: 1 + 2 + ... + 10 = 55. `inc byte`
/// on memory goes through the interpreter's handler.
#[test]
fn loop_patching_its_own_immediate_with_a_handler_store() {
    let prog = |g: &mut Guest| {
        // mov ecx, 10 (5) ; xor ebx, ebx (2) ; top: add ebx, 1 (83 C3 01)
        let imm = CODE + 9;
        g.code32(CODE, |a| {
            let mut top = a.create_label();
            a.mov(ecx, 10u32)?;
            a.xor(ebx, ebx)?;
            a.set_label(&mut top)?;
            a.add(ebx, 1)?;
            a.inc(byte_ptr(imm))?;
            a.dec(ecx)?;
            a.jnz(top)?;
            a.mov(dword_ptr(RES), ebx)?;
            a.hlt()
        });
        assert_eq!(g.rd8(imm - 2), 0x83, "layout");
    };
    both(Entry::Pm32, &prog, &|g| assert_eq!(g.res(0), 55));
}

/// A loop whose inline MOV store writes its counter into its own ADD's immediate:
/// 0 + 10 + 9 + ... + 2 = 54.
#[test]
fn loop_patching_its_own_immediate_with_an_inline_store() {
    both(Entry::Pm32, &self_patching_loop(10), &|g| {
        assert_eq!(g.res(0), 54)
    });
}

/// `ecx = n; ebx = 0; top: add ebx, imm8 (patched); mov [imm8], cl; dec ecx; jnz top;
/// [RES] = ebx`: a 32-bit loop storing its counter into its own ADD's immediate.
fn self_patching_loop(n: u32) -> impl Fn(&mut Guest) {
    move |g: &mut Guest| {
        let imm = CODE + 9;
        g.code32(CODE, |a| {
            let mut top = a.create_label();
            a.mov(ecx, n)?;
            a.xor(ebx, ebx)?;
            a.set_label(&mut top)?;
            a.add(ebx, 0)?;
            a.mov(byte_ptr(imm), cl)?;
            a.dec(ecx)?;
            a.jnz(top)?;
            a.mov(dword_ptr(RES), ebx)?;
            a.hlt()
        });
        assert_eq!(g.rd8(imm - 2), 0x83, "layout");
    }
}

/// A loop rewriting its own immediate hundreds of times: after a few recompilations the
/// block is left to the interpreter, with the same results.
#[test]
fn code_rewritten_again_and_again_goes_to_the_interpreter() {
    let prog = self_patching_loop(300);
    // 0 + (300 + 299 + ... + 2) with the immediate a byte: sum of (k & 0xFF) sign-extended.
    let want: u32 = (2..=300u32)
        .map(|k| (k as u8 as i8) as i32 as u32)
        .fold(0, u32::wrapping_add);
    let (mut a, mut b, stats) = pair(CpuModel::Pentium, Entry::Pm32, 0, &prog);
    let exit = lockstep(&mut a, &mut b, 48, 200_000, "rewritten loop");
    assert_eq!(exit, RunExit::Halted);
    assert_eq!(a.res(0), want);
    assert_eq!(b.res(0), want);
    let rewritten = stats
        .blocks_rewritten
        .load(std::sync::atomic::Ordering::Relaxed);
    assert!(rewritten > 0, "the rewritten block was always recompiled");
}

/// The self-patching loop in real mode.
#[test]
fn loop_patching_its_own_immediate_real() {
    let prog = |g: &mut Guest| {
        // mov cx, 10 (3) ; xor bx, bx (2) ; top: add bx, 0 (83 C3 00)
        let imm = CODE16 + 7;
        g.code16(CODE16, |a| {
            let mut top = a.create_label();
            a.mov(cx, 10u32)?;
            a.xor(bx, bx)?;
            a.set_label(&mut top)?;
            a.add(bx, 0)?;
            a.mov(byte_ptr(imm), cl)?;
            a.dec(cx)?;
            a.jnz(top)?;
            a.mov(word_ptr(RES), bx)?;
            a.hlt()
        });
        assert_eq!(g.rd8(imm - 2), 0x83, "layout");
    };
    both(Entry::Real, &prog, &|g| assert_eq!(g.rd16(RES), 54));
}

/// A routine copied to a buffer with REP MOVSB and called, then patched there and called
/// again.
#[test]
fn code_copied_to_a_buffer_and_called() {
    const BUF: u32 = DATA + 0x100;
    let prog = |g: &mut Guest| {
        g.code32(CODE2, |a| {
            a.mov(eax, 0x1234u32)?;
            a.ret()
        });
        g.code32(CODE, |a| {
            a.mov(esi, CODE2)?;
            a.mov(edi, BUF)?;
            a.mov(ecx, 6u32)?;
            a.cld()?;
            a.rep().movsb()?;
            a.mov(edx, BUF)?;
            a.call(edx)?;
            a.mov(dword_ptr(RES), eax)?;
            a.mov(dword_ptr(BUF + 1), 0x5678u32)?;
            a.call(edx)?;
            a.mov(dword_ptr(RES + 4), eax)?;
            a.hlt()
        });
    };
    both(Entry::Pm32, &prog, &|g| {
        assert_eq!(g.res(0), 0x1234);
        assert_eq!(g.res(1), 0x5678);
    });
}

/// Two virtual pages map one physical page: code runs through one, is rewritten through
/// the other, and runs again with the new bytes.
#[test]
fn aliased_pages_write_one_execute_the_other() {
    const PHYS: u32 = 0x50000;
    const ALIAS: u32 = 0x60000;
    let prog = |g: &mut Guest| {
        g.identity_map();
        g.wr32(Guest::pte_addr(ALIAS), PHYS | 7);
        g.code32(PHYS, |a| {
            a.mov(eax, 0x1111u32)?;
            a.ret()
        });
        g.code32(CODE, |a| {
            enable_paging(a, 0)?;
            a.mov(edx, ALIAS)?;
            a.call(edx)?;
            a.mov(dword_ptr(RES), eax)?;
            a.mov(dword_ptr(PHYS + 1), 0x2222u32)?;
            a.call(edx)?;
            a.mov(dword_ptr(RES + 4), eax)?;
            a.hlt()
        });
    };
    both(Entry::Pm32, &prog, &|g| {
        assert_eq!(g.res(0), 0x1111);
        assert_eq!(g.res(1), 0x2222);
    });
}

/// A #GP in the middle of a compiled block (16-bit protected mode, a word write at offset
/// 0xFFFF of a 64 KB data segment): the fault reports the faulting MOV, the instructions
/// before it completed and the ones after it did not run.
#[test]
fn gp_in_the_middle_of_a_block_pm16() {
    // mov dx, 1 (3) ; mov si, 2 (3) ; mov [0xFFFF], dx (4) ; mov di, 3
    let at = CODE16 + 6;
    let prog = |g: &mut Guest| {
        g.code16(CODE16, |a| {
            a.xor(edi, edi)?;
            a.mov(dx, 1u32)?;
            a.mov(si, 2u32)?;
            a.mov(word_ptr(0xFFFF), dx)?;
            a.mov(di, 3u32)?;
            a.hlt()
        });
    };
    both(Entry::Pm16, &prog, &|g| {
        let log = g.log();
        assert_eq!(log.len(), 1, "{log:x?}");
        assert_eq!(log[0].vector, 13);
        assert_eq!(log[0].eip(), at + 3, "EIP of the faulting MOV");
        let r = &g.cpu.state.regs;
        assert_eq!((r[2] & 0xFFFF, r[6] & 0xFFFF, r[7]), (1, 2, 0));
    });
}

/// A #PF in the middle of a compiled block whose handler maps the page and returns: the
/// load restarts and the block's arithmetic around it gives the right sum; a faulting store
/// likewise completes after the retry.
#[test]
fn page_fault_in_the_middle_of_a_block_restarts() {
    const PAGE: u32 = 0x50000;
    let prog = |g: &mut Guest| {
        g.identity_map();
        let pte = Guest::pte_addr(PAGE);
        g.wr32(pte, PAGE | 6);
        g.wr32(PAGE + 0x10, 0x3131);
        g.set_idt(14, CS0, CODE3, gate::INT32, 0);
        g.code32(CODE3, |a| {
            a.inc(dword_ptr(RES + 8))?;
            a.or(dword_ptr(pte), 1u32)?;
            a.add(esp, 4)?;
            a.iretd()
        });
        g.code32(CODE, |a| {
            enable_paging(a, 0)?;
            a.mov(ecx, 7u32)?;
            a.add(ecx, 3)?;
            a.mov(eax, dword_ptr(PAGE + 0x10))?;
            a.add(eax, ecx)?;
            a.mov(dword_ptr(RES), eax)?;
            // Unmap again (and flush) to fault on a store.
            a.and(dword_ptr(pte), !1u32)?;
            a.invlpg(ptr(PAGE))?;
            a.mov(ebx, 5u32)?;
            a.mov(dword_ptr(PAGE + 0x20), ebx)?;
            a.add(ebx, 1)?;
            a.mov(dword_ptr(RES + 4), ebx)?;
            a.hlt()
        });
    };
    both(Entry::Pm32, &prog, &|g| {
        assert!(g.log().is_empty(), "{:x?}", g.log());
        assert_eq!(g.res(0), 0x3131 + 10);
        assert_eq!(g.res(1), 6);
        assert_eq!(g.res(2), 2, "two page faults");
        assert_eq!(g.rd32(PAGE + 0x20), 5);
    });
}

/// REP MOVSB faulting midway inside a compiled block: the handler maps the page, the copy
/// resumes and completes.
#[test]
fn rep_movs_page_fault_midway() {
    const PAGE: u32 = 0x50000;
    const SRC: u32 = 0x48000;
    let prog = |g: &mut Guest| {
        g.identity_map();
        let pte = Guest::pte_addr(PAGE);
        g.wr32(pte, PAGE | 6);
        for i in 0..0x20 {
            g.wr8(SRC + i, i as u8 + 1);
        }
        g.set_idt(14, CS0, CODE3, gate::INT32, 0);
        g.code32(CODE3, |a| {
            a.mov(dword_ptr(RES), ecx)?;
            a.or(dword_ptr(pte), 1u32)?;
            a.add(esp, 4)?;
            a.iretd()
        });
        g.code32(CODE, |a| {
            enable_paging(a, 0)?;
            a.mov(esi, SRC)?;
            a.mov(edi, PAGE - 0x10)?;
            a.mov(ecx, 0x20u32)?;
            a.cld()?;
            a.rep().movsb()?;
            a.mov(dword_ptr(RES + 4), ecx)?;
            a.hlt()
        });
    };
    both(Entry::Pm32, &prog, &|g| {
        assert_eq!(g.res(0), 0x10, "ECX at the fault");
        assert_eq!(g.res(1), 0);
        for i in 0..0x20 {
            assert_eq!(g.rd8(PAGE - 0x10 + i), i as u8 + 1);
        }
    });
}

/// A loop storing to a variable in the same page as its code, but outside the code's
/// 64-byte lines: no block is invalidated and the compiled loop keeps running in place.
#[test]
fn data_next_to_code_does_not_invalidate_it() {
    const VAR: u32 = CODE + 0x400;
    let prog = |g: &mut Guest| {
        g.code32(CODE, |a| {
            let mut top = a.create_label();
            a.mov(ecx, 1000u32)?;
            a.xor(eax, eax)?;
            a.set_label(&mut top)?;
            a.add(eax, ecx)?;
            a.mov(dword_ptr(VAR), eax)?;
            a.dec(ecx)?;
            a.jnz(top)?;
            a.mov(dword_ptr(RES), eax)?;
            a.hlt()
        });
    };
    for threshold in [0, 2] {
        let (mut a, mut b, stats) = pair(CpuModel::Pentium, Entry::Pm32, threshold, &prog);
        let exit = lockstep(&mut a, &mut b, 48, 200_000, "data next to code");
        assert_eq!(exit, RunExit::Halted);
        for g in [&a, &b] {
            assert_eq!(g.res(0), 500_500);
            assert_eq!(g.rd32(VAR), 500_500);
            assert_eq!(g.cpu.cache_stats().invalidated_blocks, 0);
        }
        assert!(
            stats.chained.load(std::sync::atomic::Ordering::Relaxed) > 0,
            "the loop did not run in place"
        );
    }
}
