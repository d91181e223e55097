//! REP MOVS/STOS in plain RAM take a bulk path; with a data breakpoint armed elsewhere every
//! element goes through the accessors instead. Both must leave the same memory and
//! registers: overlapping copies in both directions, page crossings, unaligned runs, 16-bit
//! offsets wrapping at 64 KB, and runs longer than the instruction's yield chunk.

mod guest;

use guest::*;
use iced_x86::code_asm::*;
use rawbox_cpu::CpuModel;

const BUF: u32 = 0x20000;
const LEN: u32 = 0x6000;

/// Runs `body` (after filling BUF with a pattern) on two machines, one with DR0 armed on an
/// address the program never touches, and compares BUF, the registers and the flags.
fn compare(entry: Entry, bits: u32, body: impl Fn(&mut Asm) -> AsmResult) {
    let run = |slow: bool| {
        let mut g = Guest::new(CpuModel::Pentium, entry);
        let pattern: Vec<u8> = (0..LEN).map(|i| (i * 7 + (i >> 8)) as u8).collect();
        g.cpu.mem.write_bytes(BUF, &pattern);
        let addr = if bits == 32 { CODE } else { CODE16 };
        g.asm(bits, addr, |a| {
            body(a)?;
            a.hlt()
        });
        if slow {
            // DR0: a 1-byte write breakpoint far away (L0 set): no fast memory path.
            g.cpu.state.dr[0] = 0x7_F000;
            g.cpu.state.dr[7] |= 1 | (1 << 16);
        }
        g.run_to_halt();
        let mut buf = vec![0u8; LEN as usize];
        g.cpu.mem.read_bytes(BUF, &mut buf);
        (buf, g.cpu.state.regs, g.cpu.state.flags.value())
    };
    let (fast, slow) = (run(false), run(true));
    assert_eq!(fast.1, slow.1, "registers");
    assert_eq!(fast.2, slow.2, "flags");
    let first = fast.0.iter().zip(&slow.0).position(|(a, b)| a != b);
    assert_eq!(first, None, "memory differs at BUF+{first:x?}");
}

#[test]
fn rep_movs_and_stos_in_32_bit_code() {
    compare(Entry::Pm32, 32, |a| {
        a.cld()?;
        // Overlapping, destination above the source: the pattern repeats.
        a.mov(esi, BUF + 0x100)?;
        a.mov(edi, BUF + 0x101)?;
        a.mov(ecx, 5000u32)?;
        a.rep().movsb()?;
        // Destination below the source, dwords, unaligned, across pages.
        a.mov(esi, BUF + 0x1803)?;
        a.mov(edi, BUF + 0x1001)?;
        a.mov(ecx, 0x700u32)?;
        a.rep().movsd()?;
        // Overlap by two bytes within a word.
        a.mov(esi, BUF + 0x3000)?;
        a.mov(edi, BUF + 0x3001)?;
        a.mov(ecx, 0x300u32)?;
        a.rep().movsw()?;
        // Fills: words across a page boundary, then more than one yield chunk of bytes.
        a.mov(eax, 0x1234_5678u32)?;
        a.mov(edi, BUF + 0x3FFF)?;
        a.mov(ecx, 0x401u32)?;
        a.rep().stosw()?;
        a.mov(edi, BUF + 0x4100)?;
        a.mov(ecx, 0x1800u32)?;
        a.rep().stosb()?;
        // A zero count does nothing.
        a.xor(ecx, ecx)?;
        a.rep().stosd()
    });
}

#[test]
fn rep_movs_and_stos_in_real_mode_wrap_at_64k() {
    compare(Entry::Real, 16, |a| {
        a.cld()?;
        a.mov(ax, BUF >> 4)?;
        a.mov(ds, ax)?;
        a.mov(es, ax)?;
        // DI runs past 0xFFFF and wraps to 0 of the same segment.
        a.mov(si, 0x0010u32)?;
        a.mov(di, 0xFFE0u32)?;
        a.mov(cx, 0x40u32)?;
        a.rep().movsb()?;
        a.mov(si, 0x2000u32)?;
        a.mov(di, 0x2002u32)?;
        a.mov(cx, 0x900u32)?;
        a.rep().movsw()?;
        a.mov(al, 0x5Au32)?;
        a.mov(di, 0x5000u32)?;
        a.mov(cx, 0x1000u32)?;
        a.rep().stosb()
    });
}
