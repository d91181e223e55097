//! Tests for the disassembler: golden text per syntax, trace lines, branch targets, bitness
//! and invalid input.

use crate::{Disassembler, Syntax};

/// A real-mode snippet as (ip, bytes).
const SNIPPET: &[(u64, &[u8])] = &[
    (0x7c00, &[0xb8, 0x03, 0x00]),             // mov ax,3
    (0x7c03, &[0xcd, 0x10]),                   // int 0x10
    (0x7c05, &[0xeb, 0x05]),                   // jmp short 0x7c0c
    (0x7c07, &[0xf3, 0xa4]),                   // rep movsb
    (0x7c09, &[0x26, 0x88, 0x45, 0x04]),       // mov es:[di+4],al
    (0x7c0d, &[0x9a, 0x5b, 0xe0, 0x00, 0xf0]), // call far f000:e05b
];

fn texts(syntax: Syntax) -> Vec<String> {
    let mut disassembler = Disassembler::new(syntax);
    let mut out: Vec<String> = SNIPPET
        .iter()
        .map(|&(ip, bytes)| disassembler.disassemble(bytes, 16, ip).unwrap().text)
        .collect();
    // 32-bit lea eax,[ebx+ecx*4+8]
    out.push(
        disassembler
            .disassemble(&[0x8d, 0x44, 0x8b, 0x08], 32, 0x1000)
            .unwrap()
            .text,
    );
    out
}

#[test]
fn intel_golden() {
    assert_eq!(
        texts(Syntax::Intel),
        [
            "mov ax,3",
            "int 0x10",
            "jmp short 0x7c0c",
            "rep movsb",
            "mov es:[di+4],al",
            "call far 0xf000:0xe05b",
            "lea eax,[ebx+ecx*4+8]",
        ]
    );
}

#[test]
fn masm_golden() {
    assert_eq!(
        texts(Syntax::Masm),
        [
            "mov ax,3",
            "int 10h",
            "jmp short 7c0ch",
            "rep movsb",
            "mov es:[di+4],al",
            "call far ptr 0f000h:0e05bh",
            "lea eax,[ebx+ecx*4+8]",
        ]
    );
}

#[test]
fn nasm_golden() {
    assert_eq!(
        texts(Syntax::Nasm),
        [
            "mov ax,3",
            "int 0x10",
            "jmp short 0x7c0c",
            "rep movsb",
            "mov [es:di+4],al",
            "call 0xf000:0xe05b",
            "lea eax,[ebx+ecx*4+8]",
        ]
    );
}

#[test]
fn att_golden() {
    assert_eq!(
        texts(Syntax::Att),
        [
            "mov $3,%ax",
            "int $0x10",
            "jmp 0x7c0c",
            "rep movsb (%si),(%di)",
            "mov %al,%es:4(%di)",
            "lcall $0xf000,$0xe05b",
            "lea 8(%ebx,%ecx,4),%eax",
        ]
    );
}

#[test]
fn trace_lines_are_aligned_with_branch_comment() {
    let mut disassembler = Disassembler::new(Syntax::Intel);
    let lines: Vec<String> = SNIPPET
        .iter()
        .map(|&(ip, bytes)| disassembler.format_line(0, 0, ip as u32, bytes, 16))
        .collect();
    assert_eq!(
        lines,
        [
            "0000:7c00 (00007c00)  b8 03 00              mov ax,3",
            "0000:7c03 (00007c03)  cd 10                 int 0x10",
            "0000:7c05 (00007c05)  eb 05                 jmp short 0x7c0c                 ; -> 0000:7c0c (00007c0c)",
            "0000:7c07 (00007c07)  f3 a4                 rep movsb",
            "0000:7c09 (00007c09)  26 88 45 04           mov es:[di+4],al",
            "0000:7c0d (00007c0d)  9a 5b e0 00 f0        call far 0xf000:0xe05b",
        ]
    );
}

#[test]
fn branch_target_uses_segment_base_and_att_comment() {
    // jne -2 at f000:e05b (CS base 0xf0000) loops onto itself.
    let mut disassembler = Disassembler::new(Syntax::Att);
    let line = disassembler.format_line(0xf000, 0xf0000, 0xe05b, &[0x75, 0xfe], 16);
    assert_eq!(
        line,
        "f000:e05b (000fe05b)  75 fe                 jne 0xe05b                       # -> f000:e05b (000fe05b)"
    );
}

#[test]
fn near_branch_targets_resolved() {
    let mut disassembler = Disassembler::new(Syntax::Nasm);
    // call rel16 +0x100 from 0x7c00 (length 3).
    let call = disassembler
        .disassemble(&[0xe8, 0x00, 0x01], 16, 0x7c00)
        .unwrap();
    assert_eq!(call.branch_target, Some(0x7d03));
    assert_eq!(call.len, 3);
    assert_eq!(call.bytes, [0xe8, 0x00, 0x01]);
    // loop -2 at 0x100.
    let looped = disassembler.disassemble(&[0xe2, 0xfe], 16, 0x100).unwrap();
    assert_eq!(looped.branch_target, Some(0x100));
    assert_eq!(looped.text, "loop 0x0100");
    // 16-bit targets wrap within the segment: jmp short +0x10 at 0xfffe.
    let wrapped = disassembler.disassemble(&[0xeb, 0x10], 16, 0xfffe).unwrap();
    assert_eq!(wrapped.branch_target, Some(0x0010));
    // Indirect jumps, far calls and ordinary instructions have no near target.
    let indirect = disassembler.disassemble(&[0xff, 0xe0], 16, 0).unwrap();
    assert_eq!(indirect.text, "jmp ax");
    assert_eq!(indirect.branch_target, None);
    let far = disassembler
        .disassemble(&[0x9a, 0x5b, 0xe0, 0x00, 0xf0], 16, 0)
        .unwrap();
    assert_eq!(far.branch_target, None);
    let mov = disassembler.disassemble(&[0x90], 16, 0).unwrap();
    assert_eq!(mov.branch_target, None);
}

#[test]
fn bitness_changes_decoding() {
    let mut disassembler = Disassembler::new(Syntax::Intel);
    let bytes = [0xb8, 0x78, 0x56, 0x34, 0x12];
    let real = disassembler.disassemble(&bytes, 16, 0).unwrap();
    assert_eq!((real.text.as_str(), real.len), ("mov ax,0x5678", 3));
    let protected = disassembler.disassemble(&bytes, 32, 0).unwrap();
    assert_eq!(
        (protected.text.as_str(), protected.len),
        ("mov eax,0x12345678", 5)
    );
    // Operand-size prefix flips it back.
    let prefixed = disassembler
        .disassemble(&[0x66, 0xb8, 0x34, 0x12], 32, 0)
        .unwrap();
    assert_eq!(prefixed.text, "mov ax,0x1234");
    // 32-bit trace lines print an 8-digit IP.
    let line = disassembler.format_line(0x0008, 0x10000, 0x1234, &[0x90], 32);
    assert!(line.starts_with("0008:00001234 (00011234)  90 "), "{line}");
}

#[test]
fn invalid_and_truncated_input() {
    for (syntax, expected) in [
        (Syntax::Intel, "db 0x0f"),
        (Syntax::Masm, "db 0fh"),
        (Syntax::Nasm, "db 0x0f"),
        (Syntax::Att, ".byte 0x0f"),
    ] {
        let mut disassembler = Disassembler::new(syntax);
        // 0f 0b is ud2 (valid); 0f ff is an invalid opcode.
        let invalid = disassembler.disassemble(&[0x0f, 0xff], 16, 0).unwrap();
        assert_eq!(invalid.text, expected);
        assert_eq!((invalid.len, invalid.bytes.as_slice()), (1, &[0x0f][..]));
        // Truncated: mov ax,imm16 with only one immediate byte.
        let truncated = disassembler.disassemble(&[0xb8, 0x03], 16, 0).unwrap();
        assert_eq!(truncated.len, 1);
        assert!(truncated.text.contains("b8"), "{}", truncated.text);
    }
    let mut disassembler = Disassembler::new(Syntax::Masm);
    assert_eq!(
        disassembler.disassemble(&[0xfe, 0xff], 16, 0).unwrap().text,
        "db 0feh"
    );
    assert_eq!(disassembler.disassemble(&[], 16, 0), None);
    assert_eq!(disassembler.disassemble(&[0x90], 12, 0), None);
    assert_eq!(
        disassembler.format_line(0, 0, 0, &[], 16),
        "0000:0000 (00000000)                        (bad)"
    );
    // Linear address wraps instead of overflowing.
    let line = disassembler.format_line(0xffff, 0xffff_fff0, 0x20, &[0x90], 16);
    assert!(line.starts_with("ffff:0020 (00000010)  90 "), "{line}");
}

#[test]
fn many_lines_reuse_buffers_and_match_single_calls() {
    // Not timed: checks that the hot path (format_line_into on one buffer) stays consistent
    // over many calls, including invalid bytes, and never panics.
    let mut disassembler = Disassembler::new(Syntax::Nasm);
    let mut out = String::new();
    let mut lines = 0;
    for seed in 0u32..20_000 {
        let bytes = seed.wrapping_mul(0x9e37_79b9).to_le_bytes();
        out.clear();
        disassembler.format_line_into(&mut out, 0x1234, 0x12340, seed & 0xffff, &bytes, 16);
        if seed % 1000 == 0 {
            let single = disassembler.format_line(0x1234, 0x12340, seed & 0xffff, &bytes, 16);
            assert_eq!(out, single);
        }
        assert!(out.starts_with("1234:"));
        lines += 1;
    }
    assert_eq!(lines, 20_000);
}

#[test]
fn syntax_parses_from_words() {
    assert_eq!("intel".parse(), Ok(Syntax::Intel));
    assert_eq!("MASM".parse(), Ok(Syntax::Masm));
    assert_eq!("nasm".parse(), Ok(Syntax::Nasm));
    assert_eq!("att".parse(), Ok(Syntax::Att));
    assert_eq!("gas".parse(), Ok(Syntax::Att));
    assert!("arm".parse::<Syntax>().is_err());
    assert_eq!(Syntax::Att.to_string(), "att");
    assert_eq!(Disassembler::new(Syntax::Masm).syntax(), Syntax::Masm);
}

#[test]
fn intel_string_operands_shown_only_when_not_default() {
    let mut disassembler = Disassembler::new(Syntax::Intel);
    let mut text =
        |bytes: &[u8], bitness| disassembler.disassemble(bytes, bitness, 0).unwrap().text;
    assert_eq!(text(&[0xac], 16), "lodsb");
    assert_eq!(text(&[0xf3, 0xa5], 32), "rep movsd");
    // A segment override or an address-size prefix must stay visible.
    assert_eq!(text(&[0x2e, 0xa4], 16), "movsb es:[di],cs:[si]");
    assert_eq!(text(&[0x67, 0xa4], 16), "movsb [edi],[esi]");
    // Far jump with a 32-bit offset from 16-bit code.
    assert_eq!(
        text(&[0x66, 0xea, 0x00, 0x10, 0x00, 0x00, 0x08, 0x00], 16),
        "data32 jmp far 0x8:0x1000"
    );
}
