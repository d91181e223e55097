//! Byte-level adjustments so iced-x86 (which decodes 386+ semantics) decodes what an 8086 runs:
//! 0x60-0x6F alias Jcc 0x70-0x7F, 0xC0/0xC1 alias RET, 0xC8/0xC9 alias RETF, 0xF1 is a LOCK
//! prefix, and group opcodes whose reg field the 8086 ignores (0x8F, 0xC6, 0xC7).

/// What the 8086 does with an opcode that needs special handling outside iced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Special8086 {
    /// 0x0F: POP CS.
    PopCs,
    /// D0-D3 /6: SETMO (set all ones, flags as OR).
    Setmo,
}

/// Rewrites the bytes of one 8086 instruction in place (prefixes included) and reports an
/// opcode that iced cannot express.
pub fn rewrite_8086(bytes: &mut [u8]) -> Option<Special8086> {
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            0x26 | 0x2E | 0x36 | 0x3E | 0xF0 | 0xF2 | 0xF3 => i += 1,
            0xF1 => {
                bytes[i] = 0xF0;
                i += 1;
            }
            _ => break,
        }
    }
    let op = *bytes.get(i)?;
    let modrm = bytes.get(i + 1).copied();
    match op {
        0x0F => return Some(Special8086::PopCs),
        0x60..=0x6F => bytes[i] = op + 0x10,
        0xC0 => bytes[i] = 0xC2,
        0xC1 => bytes[i] = 0xC3,
        0xC8 => bytes[i] = 0xCA,
        0xC9 => bytes[i] = 0xCB,
        0x8F | 0xC6 | 0xC7 => {
            if let Some(m) = modrm {
                bytes[i + 1] = m & !0x38;
            }
        }
        0xD0..=0xD3 => {
            if let Some(m) = modrm {
                if (m >> 3) & 7 == 6 {
                    return Some(Special8086::Setmo);
                }
            }
        }
        0x8C | 0x8E => {
            // Only two bits of the reg field select the segment register.
            if let Some(m) = modrm {
                bytes[i + 1] = m & !0x20;
            }
        }
        0xD9..=0xDF => {
            // ESC: no coprocessor; D8 /r decodes every ModRM form with the same length.
            bytes[i] = 0xD8;
        }
        0xFF => {
            // /7 is an alias of /6 (PUSH).
            if let Some(m) = modrm {
                if (m >> 3) & 7 == 7 {
                    bytes[i + 1] = m & !0x08;
                }
            }
        }
        0xF6 | 0xF7 => {
            // /1 is an alias of /0 (TEST).
            if let Some(m) = modrm {
                if (m >> 3) & 7 == 1 {
                    bytes[i + 1] = m & !0x38;
                }
            }
        }
        _ => {}
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases() {
        let cases: &[(&[u8], &[u8], Option<Special8086>)] = &[
            (&[0x60, 0x05], &[0x70, 0x05], None),
            (&[0x2E, 0x6F, 0x05], &[0x2E, 0x7F, 0x05], None),
            (&[0xC0, 1, 2], &[0xC2, 1, 2], None),
            (&[0xC9], &[0xCB], None),
            (&[0xF1, 0x90], &[0xF0, 0x90], None),
            (&[0x8F, 0x38], &[0x8F, 0x00], None),
            (&[0x0F], &[0x0F], Some(Special8086::PopCs)),
            (&[0xD0, 0xF0], &[0xD0, 0xF0], Some(Special8086::Setmo)),
        ];
        for (input, want, special) in cases {
            let mut b = input.to_vec();
            assert_eq!(rewrite_8086(&mut b), *special, "{input:x?}");
            assert_eq!(&b[..], *want, "{input:x?}");
        }
    }
}
