//! The compatibility-mode oracle, for instructions that are invalid in 64-bit mode (DAA, DAS,
//! AAA, AAS, AAM, AAD, the one-byte INC/DEC): the bytes run in 32-bit code on the host.
//!
//! Linux gives 64-bit processes a flat 32-bit user code segment (selector 0x23). The oracle keeps
//! one RWX page below 2 GiB (so 32-bit code can address it) holding:
//! - at `CODE`: the instruction followed by an epilogue that stores EBX and EFLAGS into the
//!   page (through SS: DS is null in a 64-bit process) and far-returns to 64-bit code (selector 0x33);
//! - at `TRAMP`: 64-bit code that restores RSP and jumps back into the `asm!` block;
//! - at `SAVED_RSP` / `RETURN`: the 64-bit stack pointer and the return address;
//! - a small stack below `STACK_TOP` for the far returns.
//!
//! EAX/ECX/EDX/ESI/EDI carry their low 32 bits across the mode switches; EBX and EBP are
//! saved on the 64-bit stack, and EBX's result is read back from the page.

use super::regs::{idx, Regs};
use std::arch::asm;
use std::sync::Mutex;

const PAGE: usize = 4096;
const CODE: usize = 0x000;
const TRAMP: usize = 0x800;
const SAVED_RSP: usize = 0xE00;
const RETURN: usize = 0xE08;
const OUT_EBX: usize = 0xE10;
const OUT_FLAGS: usize = 0xE14;
const STACK_TOP: usize = 0xFF0;
/// Linux's flat 32-bit and 64-bit user code selectors.
const USER32_CS: u8 = 0x23;
const USER64_CS: u8 = 0x33;

/// The low page, shared by all threads.
static LOW_PAGE: Mutex<Option<&'static mut [u8]>> = Mutex::new(None);

/// Maps a read/write/execute anonymous page in the low 2 GiB (MAP_32BIT).
fn map_low_page() -> &'static mut [u8] {
    const PROT_RWX: u64 = 7;
    const FLAGS: u64 = 0x02 | 0x20 | 0x40; // MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT
    const SYS_MMAP: i64 = 9;
    let ret: i64;
    // SAFETY: a plain mmap(2) system call asking for a fresh anonymous mapping; it does not
    // touch existing memory. SYSCALL clobbers RCX and R11, which are declared.
    unsafe {
        asm!(
            "syscall",
            inlateout("rax") SYS_MMAP => ret,
            in("rdi") 0u64,
            in("rsi") PAGE as u64,
            in("rdx") PROT_RWX,
            in("r10") FLAGS,
            in("r8") -1i64,
            in("r9") 0u64,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    assert!(
        ret > 0 && ret + (PAGE as i64) < (1 << 31),
        "mmap of a low RWX page failed: {ret:#x}"
    );
    // SAFETY: the kernel just mapped PAGE bytes at `ret`, readable and writable, used by nothing
    // else; the mapping is never unmapped, so a 'static slice over it is valid.
    unsafe { std::slice::from_raw_parts_mut(ret as *mut u8, PAGE) }
}

/// Writes the 64-bit trampoline: `mov rsp, [rip+SAVED_RSP]; jmp [rip+RETURN]`.
fn write_trampoline(page: &mut [u8]) {
    let mut t = Vec::new();
    t.extend_from_slice(&[0x48, 0x8B, 0x25]);
    let next = TRAMP + t.len() + 4;
    t.extend_from_slice(&((SAVED_RSP as i32) - next as i32).to_le_bytes());
    t.extend_from_slice(&[0xFF, 0x25]);
    let next = TRAMP + t.len() + 4;
    t.extend_from_slice(&((RETURN as i32) - next as i32).to_le_bytes());
    page[TRAMP..TRAMP + t.len()].copy_from_slice(&t);
}

/// Writes the instruction and the 32-bit epilogue at `CODE`.
fn write_code(page: &mut [u8], insn: &[u8]) {
    let base = page.as_ptr() as u32;
    let mut c = insn.to_vec();
    // DS is the null selector in 64-bit processes: address the page through SS.
    c.extend_from_slice(&[0x36, 0x89, 0x1D]); // mov ss:[OUT_EBX], ebx
    c.extend_from_slice(&(base + OUT_EBX as u32).to_le_bytes());
    c.push(0x9C); // pushfd
    c.extend_from_slice(&[0x36, 0x8F, 0x05]); // pop dword ss:[OUT_FLAGS]
    c.extend_from_slice(&(base + OUT_FLAGS as u32).to_le_bytes());
    c.extend_from_slice(&[0x6A, USER64_CS]); // push 0x33
    c.push(0x68); // push TRAMP
    c.extend_from_slice(&(base + TRAMP as u32).to_le_bytes());
    c.push(0xCB); // retf
    assert!(c.len() < TRAMP - CODE);
    page[CODE..CODE + c.len()].copy_from_slice(&c);
}

/// Runs `insn` (32-bit code, no memory operands, no control flow) on `r` in compatibility mode.
pub fn run_compat(insn: &[u8], r: &mut Regs) {
    let mut guard = LOW_PAGE.lock().unwrap_or_else(|e| e.into_inner());
    let page = guard.get_or_insert_with(|| {
        let p = map_low_page();
        write_trampoline(p);
        p
    });
    write_code(page, insn);
    let base = page.as_mut_ptr();
    let flags = r.flags as u64;
    let ebx = r.r[idx::EBX];
    // SAFETY: the low page holds the code written above: the instruction (which only touches
    // EAX..EDI and EFLAGS), an epilogue that writes only into the page and far-returns to
    // the trampoline, which restores RSP from SAVED_RSP and jumps to label 2 below. RBX and
    // RBP are pushed before and popped after; the other registers' low halves survive the
    // mode switches and are declared as operands. The 32-bit code uses the page's own stack,
    // never the Rust stack. The page is locked by `guard` for the whole call. Input flags hold
    // only arithmetic bits, IF and bit 1, so DF/TF/AC are clear.
    unsafe {
        asm!(
            "push rbx",
            "push rbp",
            "mov [{page} + {saved_rsp}], rsp",
            "lea rbp, [rip + 2f]",
            "mov [{page} + {ret}], rbp",
            "mov ebx, {ebx:e}",
            "lea rsp, [{page} + {stack_top}]",
            "push {flags}",
            "popfq",
            "push {cs32}",
            "lea rbp, [{page} + {code}]",
            "push rbp",
            "retfq",
            "2:",
            "pop rbp",
            "pop rbx",
            page = in(reg) base,
            ebx = in(reg) ebx,
            flags = in(reg) flags,
            saved_rsp = const SAVED_RSP,
            ret = const RETURN,
            stack_top = const STACK_TOP,
            code = const CODE,
            cs32 = const USER32_CS,
            inout("eax") r.r[idx::EAX],
            inout("ecx") r.r[idx::ECX],
            inout("edx") r.r[idx::EDX],
            inout("esi") r.r[idx::ESI],
            inout("edi") r.r[idx::EDI],
        );
    }
    let word = |at: usize| u32::from_le_bytes([page[at], page[at + 1], page[at + 2], page[at + 3]]);
    r.r[idx::EBX] = word(OUT_EBX);
    r.flags = word(OUT_FLAGS);
}
