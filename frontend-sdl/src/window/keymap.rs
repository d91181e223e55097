//! The host keyboard as a PC keyboard: SDL scancodes (physical key positions, independent of
//! the host layout) to the 102-key PC keys the guest's keyboard controller sends.

use rawbox_devices::kbc::KeyCode;
use sdl2::keyboard::Scancode;

/// The PC key at the position of SDL scancode `sc`, or `None` for keys a PC keyboard lacks.
pub fn pc_key(sc: Scancode) -> Option<KeyCode> {
    use KeyCode as K;
    use Scancode as S;
    Some(match sc {
        S::Escape => K::Escape,
        S::Num1 => K::Digit1,
        S::Num2 => K::Digit2,
        S::Num3 => K::Digit3,
        S::Num4 => K::Digit4,
        S::Num5 => K::Digit5,
        S::Num6 => K::Digit6,
        S::Num7 => K::Digit7,
        S::Num8 => K::Digit8,
        S::Num9 => K::Digit9,
        S::Num0 => K::Digit0,
        S::Minus => K::Minus,
        S::Equals => K::Equal,
        S::Backspace => K::Backspace,
        S::Tab => K::Tab,
        S::Q => K::Q,
        S::W => K::W,
        S::E => K::E,
        S::R => K::R,
        S::T => K::T,
        S::Y => K::Y,
        S::U => K::U,
        S::I => K::I,
        S::O => K::O,
        S::P => K::P,
        S::LeftBracket => K::BracketLeft,
        S::RightBracket => K::BracketRight,
        S::Return => K::Enter,
        S::LCtrl => K::ControlLeft,
        S::A => K::A,
        S::S => K::S,
        S::D => K::D,
        S::F => K::F,
        S::G => K::G,
        S::H => K::H,
        S::J => K::J,
        S::K => K::K,
        S::L => K::L,
        S::Semicolon => K::Semicolon,
        S::Apostrophe => K::Quote,
        S::Grave => K::Backquote,
        S::LShift => K::ShiftLeft,
        S::Backslash => K::Backslash,
        // Some hosts report the ISO key next to Enter as NonUsHash; on a PC it is the
        // same key position as the US backslash.
        S::NonUsHash => K::Backslash,
        S::Z => K::Z,
        S::X => K::X,
        S::C => K::C,
        S::V => K::V,
        S::B => K::B,
        S::N => K::N,
        S::M => K::M,
        S::Comma => K::Comma,
        S::Period => K::Period,
        S::Slash => K::Slash,
        S::RShift => K::ShiftRight,
        S::KpMultiply => K::NumpadMultiply,
        S::LAlt => K::AltLeft,
        S::Space => K::Space,
        S::CapsLock => K::CapsLock,
        S::F1 => K::F1,
        S::F2 => K::F2,
        S::F3 => K::F3,
        S::F4 => K::F4,
        S::F5 => K::F5,
        S::F6 => K::F6,
        S::F7 => K::F7,
        S::F8 => K::F8,
        S::F9 => K::F9,
        S::F10 => K::F10,
        S::F11 => K::F11,
        S::F12 => K::F12,
        S::NumLockClear => K::NumLock,
        S::ScrollLock => K::ScrollLock,
        S::Kp7 => K::Numpad7,
        S::Kp8 => K::Numpad8,
        S::Kp9 => K::Numpad9,
        S::KpMinus => K::NumpadSubtract,
        S::Kp4 => K::Numpad4,
        S::Kp5 => K::Numpad5,
        S::Kp6 => K::Numpad6,
        S::KpPlus => K::NumpadAdd,
        S::Kp1 => K::Numpad1,
        S::Kp2 => K::Numpad2,
        S::Kp3 => K::Numpad3,
        S::Kp0 => K::Numpad0,
        S::KpPeriod => K::NumpadDecimal,
        S::NonUsBackslash => K::IntlBackslash,
        S::KpEnter => K::NumpadEnter,
        S::RCtrl => K::ControlRight,
        S::KpDivide => K::NumpadDivide,
        S::RAlt => K::AltRight,
        S::Home => K::Home,
        S::Up => K::ArrowUp,
        S::PageUp => K::PageUp,
        S::Left => K::ArrowLeft,
        S::Right => K::ArrowRight,
        S::End => K::End,
        S::Down => K::ArrowDown,
        S::PageDown => K::PageDown,
        S::Insert => K::Insert,
        S::Delete => K::Delete,
        S::LGui => K::MetaLeft,
        S::RGui => K::MetaRight,
        S::Application => K::ContextMenu,
        S::PrintScreen | S::SysReq => K::PrintScreen,
        S::Pause => K::Pause,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// Every SDL scancode, its PC key, and the set 1 make and break bytes the guest sees.
    #[rustfmt::skip]
    const TABLE: &[(Scancode, &[u8], &[u8])] = &[
        (Scancode::Escape, &[0x01], &[0x81]),
        (Scancode::Num1, &[0x02], &[0x82]),
        (Scancode::Num2, &[0x03], &[0x83]),
        (Scancode::Num3, &[0x04], &[0x84]),
        (Scancode::Num4, &[0x05], &[0x85]),
        (Scancode::Num5, &[0x06], &[0x86]),
        (Scancode::Num6, &[0x07], &[0x87]),
        (Scancode::Num7, &[0x08], &[0x88]),
        (Scancode::Num8, &[0x09], &[0x89]),
        (Scancode::Num9, &[0x0A], &[0x8A]),
        (Scancode::Num0, &[0x0B], &[0x8B]),
        (Scancode::Minus, &[0x0C], &[0x8C]),
        (Scancode::Equals, &[0x0D], &[0x8D]),
        (Scancode::Backspace, &[0x0E], &[0x8E]),
        (Scancode::Tab, &[0x0F], &[0x8F]),
        (Scancode::Q, &[0x10], &[0x90]),
        (Scancode::W, &[0x11], &[0x91]),
        (Scancode::E, &[0x12], &[0x92]),
        (Scancode::R, &[0x13], &[0x93]),
        (Scancode::T, &[0x14], &[0x94]),
        (Scancode::Y, &[0x15], &[0x95]),
        (Scancode::U, &[0x16], &[0x96]),
        (Scancode::I, &[0x17], &[0x97]),
        (Scancode::O, &[0x18], &[0x98]),
        (Scancode::P, &[0x19], &[0x99]),
        (Scancode::LeftBracket, &[0x1A], &[0x9A]),
        (Scancode::RightBracket, &[0x1B], &[0x9B]),
        (Scancode::Return, &[0x1C], &[0x9C]),
        (Scancode::LCtrl, &[0x1D], &[0x9D]),
        (Scancode::A, &[0x1E], &[0x9E]),
        (Scancode::S, &[0x1F], &[0x9F]),
        (Scancode::D, &[0x20], &[0xA0]),
        (Scancode::F, &[0x21], &[0xA1]),
        (Scancode::G, &[0x22], &[0xA2]),
        (Scancode::H, &[0x23], &[0xA3]),
        (Scancode::J, &[0x24], &[0xA4]),
        (Scancode::K, &[0x25], &[0xA5]),
        (Scancode::L, &[0x26], &[0xA6]),
        (Scancode::Semicolon, &[0x27], &[0xA7]),
        (Scancode::Apostrophe, &[0x28], &[0xA8]),
        (Scancode::Grave, &[0x29], &[0xA9]),
        (Scancode::LShift, &[0x2A], &[0xAA]),
        (Scancode::Backslash, &[0x2B], &[0xAB]),
        (Scancode::NonUsHash, &[0x2B], &[0xAB]),
        (Scancode::Z, &[0x2C], &[0xAC]),
        (Scancode::X, &[0x2D], &[0xAD]),
        (Scancode::C, &[0x2E], &[0xAE]),
        (Scancode::V, &[0x2F], &[0xAF]),
        (Scancode::B, &[0x30], &[0xB0]),
        (Scancode::N, &[0x31], &[0xB1]),
        (Scancode::M, &[0x32], &[0xB2]),
        (Scancode::Comma, &[0x33], &[0xB3]),
        (Scancode::Period, &[0x34], &[0xB4]),
        (Scancode::Slash, &[0x35], &[0xB5]),
        (Scancode::RShift, &[0x36], &[0xB6]),
        (Scancode::KpMultiply, &[0x37], &[0xB7]),
        (Scancode::LAlt, &[0x38], &[0xB8]),
        (Scancode::Space, &[0x39], &[0xB9]),
        (Scancode::CapsLock, &[0x3A], &[0xBA]),
        (Scancode::F1, &[0x3B], &[0xBB]),
        (Scancode::F2, &[0x3C], &[0xBC]),
        (Scancode::F3, &[0x3D], &[0xBD]),
        (Scancode::F4, &[0x3E], &[0xBE]),
        (Scancode::F5, &[0x3F], &[0xBF]),
        (Scancode::F6, &[0x40], &[0xC0]),
        (Scancode::F7, &[0x41], &[0xC1]),
        (Scancode::F8, &[0x42], &[0xC2]),
        (Scancode::F9, &[0x43], &[0xC3]),
        (Scancode::F10, &[0x44], &[0xC4]),
        (Scancode::NumLockClear, &[0x45], &[0xC5]),
        (Scancode::ScrollLock, &[0x46], &[0xC6]),
        (Scancode::Kp7, &[0x47], &[0xC7]),
        (Scancode::Kp8, &[0x48], &[0xC8]),
        (Scancode::Kp9, &[0x49], &[0xC9]),
        (Scancode::KpMinus, &[0x4A], &[0xCA]),
        (Scancode::Kp4, &[0x4B], &[0xCB]),
        (Scancode::Kp5, &[0x4C], &[0xCC]),
        (Scancode::Kp6, &[0x4D], &[0xCD]),
        (Scancode::KpPlus, &[0x4E], &[0xCE]),
        (Scancode::Kp1, &[0x4F], &[0xCF]),
        (Scancode::Kp2, &[0x50], &[0xD0]),
        (Scancode::Kp3, &[0x51], &[0xD1]),
        (Scancode::Kp0, &[0x52], &[0xD2]),
        (Scancode::KpPeriod, &[0x53], &[0xD3]),
        (Scancode::NonUsBackslash, &[0x56], &[0xD6]),
        (Scancode::F11, &[0x57], &[0xD7]),
        (Scancode::F12, &[0x58], &[0xD8]),
        (Scancode::KpEnter, &[0xE0, 0x1C], &[0xE0, 0x9C]),
        (Scancode::RCtrl, &[0xE0, 0x1D], &[0xE0, 0x9D]),
        (Scancode::KpDivide, &[0xE0, 0x35], &[0xE0, 0xB5]),
        (Scancode::RAlt, &[0xE0, 0x38], &[0xE0, 0xB8]),
        (Scancode::Home, &[0xE0, 0x47], &[0xE0, 0xC7]),
        (Scancode::Up, &[0xE0, 0x48], &[0xE0, 0xC8]),
        (Scancode::PageUp, &[0xE0, 0x49], &[0xE0, 0xC9]),
        (Scancode::Left, &[0xE0, 0x4B], &[0xE0, 0xCB]),
        (Scancode::Right, &[0xE0, 0x4D], &[0xE0, 0xCD]),
        (Scancode::End, &[0xE0, 0x4F], &[0xE0, 0xCF]),
        (Scancode::Down, &[0xE0, 0x50], &[0xE0, 0xD0]),
        (Scancode::PageDown, &[0xE0, 0x51], &[0xE0, 0xD1]),
        (Scancode::Insert, &[0xE0, 0x52], &[0xE0, 0xD2]),
        (Scancode::Delete, &[0xE0, 0x53], &[0xE0, 0xD3]),
        (Scancode::LGui, &[0xE0, 0x5B], &[0xE0, 0xDB]),
        (Scancode::RGui, &[0xE0, 0x5C], &[0xE0, 0xDC]),
        (Scancode::Application, &[0xE0, 0x5D], &[0xE0, 0xDD]),
        (Scancode::PrintScreen, &[0xE0, 0x2A, 0xE0, 0x37], &[0xE0, 0xB7, 0xE0, 0xAA]),
        (Scancode::Pause, &[0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5], &[]),
    ];

    #[test]
    fn every_key_gives_its_set1_make_and_break_codes() {
        for &(sc, make, brk) in TABLE {
            let key = pc_key(sc).unwrap_or_else(|| panic!("{sc:?} has no PC key"));
            assert_eq!(key.scan_codes(1, true), make, "{sc:?} make");
            assert_eq!(key.scan_codes(1, false), brk, "{sc:?} break");
        }
    }

    #[test]
    fn set2_codes_of_extended_keys_carry_e0() {
        for &(sc, make, _) in TABLE {
            let key = pc_key(sc).unwrap();
            let set2 = key.scan_codes(2, true);
            assert_eq!(
                set2.first() == Some(&0xE0),
                make[0] == 0xE0,
                "{sc:?}: {set2:x?}"
            );
        }
    }

    #[test]
    fn all_102_keys_and_windows_keys_are_reachable() {
        let reached: HashSet<KeyCode> = TABLE.iter().filter_map(|&(sc, _, _)| pc_key(sc)).collect();
        for k in KeyCode::ALL {
            assert!(reached.contains(k), "{k:?} cannot be typed from the host");
        }
    }

    #[test]
    fn keys_a_pc_lacks_are_ignored() {
        for sc in [
            Scancode::F13,
            Scancode::Mute,
            Scancode::VolumeUp,
            Scancode::AcBack,
        ] {
            assert_eq!(pc_key(sc), None, "{sc:?}");
        }
    }
}
