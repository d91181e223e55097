//! The 8042's scan code translation: set 2 bytes from the keyboard become set 1 bytes when the
//! command byte's translate bit is set. An F0 (break) prefix is absorbed and sets bit 7 of the
//! next translated byte; prefixes (E0, E1) and responses (FA, AA, EE, FE) pass unchanged.

use crate::ps2_keyboard::KeyCode;

/// Set 2 byte 0x02 is no key, but the 8042 maps it (it is what a keyboard answers for "scan
/// code set 2" to F0 00) to 0x41.
const SET2_QUERY_ANSWER: (u8, u8) = (0x02, 0x41);

/// Translation state (whether an F0 prefix is waiting).
#[derive(Clone, Debug, Default)]
pub struct Translator {
    break_pending: bool,
}

impl Translator {
    /// Translates one keyboard byte; None when the byte was an absorbed F0 prefix.
    pub fn translate(&mut self, byte: u8) -> Option<u8> {
        if byte == 0xF0 {
            self.break_pending = true;
            return None;
        }
        let translated = if byte == SET2_QUERY_ANSWER.0 {
            SET2_QUERY_ANSWER.1
        } else if byte < 0x80 || byte == crate::ps2_keyboard::SET2_SYSRQ || byte == 0x83 {
            KeyCode::set2_to_set1(byte).unwrap_or(byte)
        } else {
            byte
        };
        let out = if std::mem::take(&mut self.break_pending) {
            translated | 0x80
        } else {
            translated
        };
        Some(out)
    }

    /// Forgets a half-received break sequence (controller reset or translation switched).
    pub fn reset(&mut self) {
        self.break_pending = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(bytes: &[u8]) -> Vec<u8> {
        let mut t = Translator::default();
        bytes.iter().filter_map(|&b| t.translate(b)).collect()
    }

    #[test]
    fn every_key_translates_to_its_set1_sequence() {
        for &key in KeyCode::ALL {
            for make in [true, false] {
                assert_eq!(
                    run(&key.scan_codes(2, make)),
                    key.scan_codes(1, make),
                    "{key:?} make={make}"
                );
            }
        }
    }

    #[test]
    fn responses_pass_through_and_id_and_set_query_translate() {
        assert_eq!(run(&[0xFA, 0xAA, 0xEE, 0xFE]), [0xFA, 0xAA, 0xEE, 0xFE]);
        assert_eq!(run(&[0xFA, 0xAB, 0x83]), [0xFA, 0xAB, 0x41]);
        assert_eq!(run(&[0x01, 0x02, 0x03]), [0x43, 0x41, 0x3F]);
    }
}
