//! Reading the guest's screen as text: the VGA text cells decoded to UTF-8 through code page 437.

use rawbox_devices::vga::Vga;

/// Code page 437 to Unicode.
const CP437: [char; 256] = {
    let s = "\u{0}☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼ !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~⌂ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{a0}";
    let b = s.as_bytes();
    let mut out = [' '; 256];
    let mut i = 0;
    let mut n = 0;
    while i < b.len() && n < 256 {
        // Decode one UTF-8 scalar by hand (const context).
        let c0 = b[i] as u32;
        let (cp, len) = if c0 < 0x80 {
            (c0, 1)
        } else if c0 < 0xE0 {
            (((c0 & 0x1F) << 6) | (b[i + 1] as u32 & 0x3F), 2)
        } else if c0 < 0xF0 {
            (
                ((c0 & 0x0F) << 12) | ((b[i + 1] as u32 & 0x3F) << 6) | (b[i + 2] as u32 & 0x3F),
                3,
            )
        } else {
            (
                ((c0 & 0x07) << 18)
                    | ((b[i + 1] as u32 & 0x3F) << 12)
                    | ((b[i + 2] as u32 & 0x3F) << 6)
                    | (b[i + 3] as u32 & 0x3F),
                4,
            )
        };
        out[n] = match char::from_u32(cp) {
            Some(c) => c,
            None => '?',
        };
        n += 1;
        i += len;
    }
    out
};

/// One code page 437 byte as a character (NUL shows as a space).
pub fn cp437(b: u8) -> char {
    if b == 0 {
        ' '
    } else {
        CP437[b as usize]
    }
}

/// The text screen as lines (trailing spaces trimmed), or None in graphics modes.
pub fn text_lines(vga: &Vga) -> Option<Vec<String>> {
    let t = vga.text_snapshot()?;
    let cols = t.cols as usize;
    Some(
        t.cells
            .chunks(cols.max(1))
            .map(|row| {
                let s: String = row.iter().map(|&(c, _)| cp437(c)).collect();
                s.trim_end().to_string()
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cp437_table() {
        assert_eq!(cp437(b'A'), 'A');
        assert_eq!(cp437(0xC4), '─');
        assert_eq!(cp437(0xDB), '█');
        assert_eq!(cp437(0x01), '☺');
        assert_eq!(cp437(0xFF), '\u{a0}');
        assert_eq!(cp437(0xE1), 'ß');
    }
}
