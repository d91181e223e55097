//! The keys of a 102-key (plus Windows keys) PC keyboard and their make/break byte sequences
//! in scan code sets 1 and 2.

macro_rules! key_table {
    ($($(#[$doc:meta])* $name:ident = $set1:literal, $set2:literal, $extended:literal;)*) => {
        /// A key of the PC keyboard, named by its position on a US layout.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum KeyCode {
            $($(#[$doc])* $name,)*
        }

        impl KeyCode {
            /// Every key.
            pub const ALL: &'static [KeyCode] = &[$(KeyCode::$name,)*];

            /// (set 1 code, set 2 code, E0-prefixed). PrintScreen and Pause have multi-byte
            /// sequences; their entries hold the final byte only.
            fn codes(self) -> (u8, u8, bool) {
                match self {
                    $(KeyCode::$name => ($set1, $set2, $extended),)*
                }
            }
        }
    };
}

key_table! {
    Escape = 0x01, 0x76, false;
    Digit1 = 0x02, 0x16, false;
    Digit2 = 0x03, 0x1E, false;
    Digit3 = 0x04, 0x26, false;
    Digit4 = 0x05, 0x25, false;
    Digit5 = 0x06, 0x2E, false;
    Digit6 = 0x07, 0x36, false;
    Digit7 = 0x08, 0x3D, false;
    Digit8 = 0x09, 0x3E, false;
    Digit9 = 0x0A, 0x46, false;
    Digit0 = 0x0B, 0x45, false;
    Minus = 0x0C, 0x4E, false;
    Equal = 0x0D, 0x55, false;
    Backspace = 0x0E, 0x66, false;
    Tab = 0x0F, 0x0D, false;
    Q = 0x10, 0x15, false;
    W = 0x11, 0x1D, false;
    E = 0x12, 0x24, false;
    R = 0x13, 0x2D, false;
    T = 0x14, 0x2C, false;
    Y = 0x15, 0x35, false;
    U = 0x16, 0x3C, false;
    I = 0x17, 0x43, false;
    O = 0x18, 0x44, false;
    P = 0x19, 0x4D, false;
    BracketLeft = 0x1A, 0x54, false;
    BracketRight = 0x1B, 0x5B, false;
    Enter = 0x1C, 0x5A, false;
    ControlLeft = 0x1D, 0x14, false;
    A = 0x1E, 0x1C, false;
    S = 0x1F, 0x1B, false;
    D = 0x20, 0x23, false;
    F = 0x21, 0x2B, false;
    G = 0x22, 0x34, false;
    H = 0x23, 0x33, false;
    J = 0x24, 0x3B, false;
    K = 0x25, 0x42, false;
    L = 0x26, 0x4B, false;
    Semicolon = 0x27, 0x4C, false;
    Quote = 0x28, 0x52, false;
    Backquote = 0x29, 0x0E, false;
    ShiftLeft = 0x2A, 0x12, false;
    Backslash = 0x2B, 0x5D, false;
    Z = 0x2C, 0x1A, false;
    X = 0x2D, 0x22, false;
    C = 0x2E, 0x21, false;
    V = 0x2F, 0x2A, false;
    B = 0x30, 0x32, false;
    N = 0x31, 0x31, false;
    M = 0x32, 0x3A, false;
    Comma = 0x33, 0x41, false;
    Period = 0x34, 0x49, false;
    Slash = 0x35, 0x4A, false;
    ShiftRight = 0x36, 0x59, false;
    NumpadMultiply = 0x37, 0x7C, false;
    AltLeft = 0x38, 0x11, false;
    Space = 0x39, 0x29, false;
    CapsLock = 0x3A, 0x58, false;
    F1 = 0x3B, 0x05, false;
    F2 = 0x3C, 0x06, false;
    F3 = 0x3D, 0x04, false;
    F4 = 0x3E, 0x0C, false;
    F5 = 0x3F, 0x03, false;
    F6 = 0x40, 0x0B, false;
    F7 = 0x41, 0x83, false;
    F8 = 0x42, 0x0A, false;
    F9 = 0x43, 0x01, false;
    F10 = 0x44, 0x09, false;
    NumLock = 0x45, 0x77, false;
    ScrollLock = 0x46, 0x7E, false;
    Numpad7 = 0x47, 0x6C, false;
    Numpad8 = 0x48, 0x75, false;
    Numpad9 = 0x49, 0x7D, false;
    NumpadSubtract = 0x4A, 0x7B, false;
    Numpad4 = 0x4B, 0x6B, false;
    Numpad5 = 0x4C, 0x73, false;
    Numpad6 = 0x4D, 0x74, false;
    NumpadAdd = 0x4E, 0x79, false;
    Numpad1 = 0x4F, 0x69, false;
    Numpad2 = 0x50, 0x72, false;
    Numpad3 = 0x51, 0x7A, false;
    Numpad0 = 0x52, 0x70, false;
    NumpadDecimal = 0x53, 0x71, false;
    /// The extra key left of Z on ISO (102-key) keyboards.
    IntlBackslash = 0x56, 0x61, false;
    F11 = 0x57, 0x78, false;
    F12 = 0x58, 0x07, false;
    NumpadEnter = 0x1C, 0x5A, true;
    ControlRight = 0x1D, 0x14, true;
    NumpadDivide = 0x35, 0x4A, true;
    AltRight = 0x38, 0x11, true;
    Home = 0x47, 0x6C, true;
    ArrowUp = 0x48, 0x75, true;
    PageUp = 0x49, 0x7D, true;
    ArrowLeft = 0x4B, 0x6B, true;
    ArrowRight = 0x4D, 0x74, true;
    End = 0x4F, 0x69, true;
    ArrowDown = 0x50, 0x72, true;
    PageDown = 0x51, 0x7A, true;
    Insert = 0x52, 0x70, true;
    Delete = 0x53, 0x71, true;
    MetaLeft = 0x5B, 0x1F, true;
    MetaRight = 0x5C, 0x27, true;
    ContextMenu = 0x5D, 0x2F, true;
    PrintScreen = 0x37, 0x7C, true;
    Pause = 0x45, 0x77, false;
}

/// Set 2 byte the keyboard sends for SysRq (Alt+PrintScreen); set 1 0x54.
pub const SET2_SYSRQ: u8 = 0x84;

impl KeyCode {
    /// True for keys that auto-repeat while held (all but Pause).
    pub fn repeats(self) -> bool {
        self != KeyCode::Pause
    }

    /// The bytes sent in scan code `set` (1, else 2) for a make (`make`) or break.
    pub fn scan_codes(self, set: u8, make: bool) -> Vec<u8> {
        let set1 = set == 1;
        match (self, set1, make) {
            (KeyCode::Pause, _, false) => Vec::new(), // Pause has no break sequence
            (KeyCode::Pause, true, true) => vec![0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5],
            (KeyCode::Pause, false, true) => vec![0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77],
            (KeyCode::PrintScreen, true, true) => vec![0xE0, 0x2A, 0xE0, 0x37],
            (KeyCode::PrintScreen, true, false) => vec![0xE0, 0xB7, 0xE0, 0xAA],
            (KeyCode::PrintScreen, false, true) => vec![0xE0, 0x12, 0xE0, 0x7C],
            (KeyCode::PrintScreen, false, false) => vec![0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12],
            _ => {
                let (code1, code2, extended) = self.codes();
                let mut bytes = Vec::with_capacity(3);
                if extended {
                    bytes.push(0xE0);
                }
                match (set1, make) {
                    (true, true) => bytes.push(code1),
                    (true, false) => bytes.push(code1 | 0x80),
                    (false, true) => bytes.push(code2),
                    (false, false) => bytes.extend([0xF0, code2]),
                }
                bytes
            }
        }
    }

    /// The set 1 code the 8042 translates set 2 byte `code` to, for every single-byte key
    /// code (prefix bytes and responses are not keys and return None).
    pub fn set2_to_set1(code: u8) -> Option<u8> {
        if code == SET2_SYSRQ {
            return Some(0x54);
        }
        KeyCode::ALL
            .iter()
            .map(|k| k.codes())
            .find(|&(_, code2, _)| code2 == code)
            .map(|(code1, _, _)| code1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn sequences_for_representative_keys() {
        /// (key, set 1 make, set 1 break, set 2 make, set 2 break)
        type Row = (
            KeyCode,
            &'static [u8],
            &'static [u8],
            &'static [u8],
            &'static [u8],
        );
        let table: &[Row] = &[
            (KeyCode::A, &[0x1E], &[0x9E], &[0x1C], &[0xF0, 0x1C]),
            (KeyCode::Escape, &[0x01], &[0x81], &[0x76], &[0xF0, 0x76]),
            (KeyCode::F7, &[0x41], &[0xC1], &[0x83], &[0xF0, 0x83]),
            (
                KeyCode::ControlRight,
                &[0xE0, 0x1D],
                &[0xE0, 0x9D],
                &[0xE0, 0x14],
                &[0xE0, 0xF0, 0x14],
            ),
            (
                KeyCode::ArrowUp,
                &[0xE0, 0x48],
                &[0xE0, 0xC8],
                &[0xE0, 0x75],
                &[0xE0, 0xF0, 0x75],
            ),
            (
                KeyCode::NumpadDivide,
                &[0xE0, 0x35],
                &[0xE0, 0xB5],
                &[0xE0, 0x4A],
                &[0xE0, 0xF0, 0x4A],
            ),
            (
                KeyCode::IntlBackslash,
                &[0x56],
                &[0xD6],
                &[0x61],
                &[0xF0, 0x61],
            ),
        ];
        for &(key, m1, b1, m2, b2) in table {
            assert_eq!(key.scan_codes(1, true), m1, "{key:?} set 1 make");
            assert_eq!(key.scan_codes(1, false), b1, "{key:?} set 1 break");
            assert_eq!(key.scan_codes(2, true), m2, "{key:?} set 2 make");
            assert_eq!(key.scan_codes(2, false), b2, "{key:?} set 2 break");
        }
    }

    #[test]
    fn pause_and_print_screen() {
        assert_eq!(
            KeyCode::Pause.scan_codes(1, true),
            [0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5]
        );
        assert!(KeyCode::Pause.scan_codes(2, false).is_empty());
        assert!(!KeyCode::Pause.repeats());
        assert_eq!(
            KeyCode::PrintScreen.scan_codes(1, true),
            [0xE0, 0x2A, 0xE0, 0x37]
        );
        assert_eq!(
            KeyCode::PrintScreen.scan_codes(1, false),
            [0xE0, 0xB7, 0xE0, 0xAA]
        );
    }

    #[test]
    fn every_key_has_a_unique_sequence_in_both_sets() {
        for set in [1u8, 2] {
            let mut seen = HashSet::new();
            for &key in KeyCode::ALL {
                assert!(
                    seen.insert(key.scan_codes(set, true)),
                    "{key:?} duplicated in set {set}"
                );
            }
        }
        assert!(KeyCode::ALL.len() >= 104);
    }

    #[test]
    fn translation_is_consistent_for_unprefixed_keys() {
        for &key in KeyCode::ALL {
            let (code1, code2, _) = key.codes();
            if key != KeyCode::PrintScreen && key != KeyCode::Pause {
                assert_eq!(KeyCode::set2_to_set1(code2), Some(code1), "{key:?}");
            }
        }
        assert_eq!(KeyCode::set2_to_set1(0xE0), None);
        assert_eq!(KeyCode::set2_to_set1(SET2_SYSRQ), Some(0x54));
    }
}
