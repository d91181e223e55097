//! Keystroke scripts for `--keys`: text with `\r` (Enter), `\e` (Esc), `\t`, `\b`, `\\`, and
//! `{NAME}` / `{CTRL+X}` / `{ALT+X}` / `{SHIFT+X}` for special keys, turned into key presses on
//! a US layout.

use rawbox_devices::kbc::KeyCode;
use std::fmt;

/// One key press (make then break), with the modifiers held around it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyStroke {
    pub key: KeyCode,
    pub shift: bool,
    pub ctrl: bool,
    pub alt: bool,
}

impl KeyStroke {
    fn plain(key: KeyCode) -> KeyStroke {
        KeyStroke {
            key,
            shift: false,
            ctrl: false,
            alt: false,
        }
    }
}

/// A script that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyScriptError(pub String);

impl fmt::Display for KeyScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "--keys: {}", self.0)
    }
}
impl std::error::Error for KeyScriptError {}

/// The key and shift state that type an ASCII character on a US keyboard.
pub fn ascii_key(c: char) -> Option<(KeyCode, bool)> {
    use KeyCode::*;
    let letters = [
        A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R, S, T, U, V, W, X, Y, Z,
    ];
    let digits = [
        Digit0, Digit1, Digit2, Digit3, Digit4, Digit5, Digit6, Digit7, Digit8, Digit9,
    ];
    Some(match c {
        'a'..='z' => (letters[c as usize - 'a' as usize], false),
        'A'..='Z' => (letters[c as usize - 'A' as usize], true),
        '0'..='9' => (digits[c as usize - '0' as usize], false),
        ')' => (Digit0, true),
        '!' => (Digit1, true),
        '@' => (Digit2, true),
        '#' => (Digit3, true),
        '$' => (Digit4, true),
        '%' => (Digit5, true),
        '^' => (Digit6, true),
        '&' => (Digit7, true),
        '*' => (Digit8, true),
        '(' => (Digit9, true),
        ' ' => (Space, false),
        '-' => (Minus, false),
        '_' => (Minus, true),
        '=' => (Equal, false),
        '+' => (Equal, true),
        '[' => (BracketLeft, false),
        '{' => (BracketLeft, true),
        ']' => (BracketRight, false),
        '}' => (BracketRight, true),
        ';' => (Semicolon, false),
        ':' => (Semicolon, true),
        '\'' => (Quote, false),
        '"' => (Quote, true),
        '`' => (Backquote, false),
        '~' => (Backquote, true),
        '\\' => (Backslash, false),
        '|' => (Backslash, true),
        ',' => (Comma, false),
        '<' => (Comma, true),
        '.' => (Period, false),
        '>' => (Period, true),
        '/' => (Slash, false),
        '?' => (Slash, true),
        '\r' | '\n' => (Enter, false),
        '\t' => (Tab, false),
        '\u{1b}' => (Escape, false),
        '\u{8}' => (Backspace, false),
        _ => return None,
    })
}

fn named_key(name: &str) -> Option<KeyCode> {
    use KeyCode::*;
    let n = name.to_ascii_uppercase();
    let fkeys = [F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12];
    if let Some(num) = n.strip_prefix('F').and_then(|d| d.parse::<usize>().ok()) {
        return fkeys.get(num.wrapping_sub(1)).copied();
    }
    Some(match n.as_str() {
        "UP" => ArrowUp,
        "DOWN" => ArrowDown,
        "LEFT" => ArrowLeft,
        "RIGHT" => ArrowRight,
        "HOME" => Home,
        "END" => End,
        "PGUP" | "PAGEUP" => PageUp,
        "PGDN" | "PAGEDOWN" => PageDown,
        "INS" | "INSERT" => Insert,
        "DEL" | "DELETE" => Delete,
        "ENTER" => Enter,
        "ESC" | "ESCAPE" => Escape,
        "TAB" => Tab,
        "BS" | "BACKSPACE" => Backspace,
        "SPACE" => Space,
        _ => return None,
    })
}

/// Parses a key script.
pub fn parse_keys(script: &str) -> Result<Vec<KeyStroke>, KeyScriptError> {
    let mut out = Vec::new();
    let mut it = script.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\\' => {
                let e = it
                    .next()
                    .ok_or_else(|| KeyScriptError("a '\\' at the end".into()))?;
                let k = match e {
                    'r' | 'n' => KeyCode::Enter,
                    'e' => KeyCode::Escape,
                    't' => KeyCode::Tab,
                    'b' => KeyCode::Backspace,
                    '\\' => KeyCode::Backslash,
                    '{' => {
                        out.push(KeyStroke {
                            shift: true,
                            ..KeyStroke::plain(KeyCode::BracketLeft)
                        });
                        continue;
                    }
                    _ => return Err(KeyScriptError(format!("unknown escape '\\{e}'"))),
                };
                out.push(KeyStroke::plain(k));
            }
            '{' => {
                let mut name = String::new();
                loop {
                    match it.next() {
                        Some('}') => break,
                        Some(ch) => name.push(ch),
                        None => return Err(KeyScriptError(format!("unclosed '{{{name}'"))),
                    }
                }
                let mut stroke = None;
                let (mut ctrl, mut alt, mut shift) = (false, false, false);
                let mut rest = name.as_str();
                while let Some((m, r)) = rest.split_once('+') {
                    match m.to_ascii_uppercase().as_str() {
                        "CTRL" => ctrl = true,
                        "ALT" => alt = true,
                        "SHIFT" => shift = true,
                        _ => return Err(KeyScriptError(format!("unknown modifier '{m}'"))),
                    }
                    rest = r;
                }
                if let Some(k) = named_key(rest) {
                    stroke = Some((k, false));
                } else if rest.chars().count() == 1 {
                    stroke = ascii_key(rest.chars().next().unwrap_or(' '));
                }
                let (k, s) =
                    stroke.ok_or_else(|| KeyScriptError(format!("unknown key '{{{name}}}'")))?;
                out.push(KeyStroke {
                    key: k,
                    shift: shift || s,
                    ctrl,
                    alt,
                });
            }
            _ => {
                let (k, shift) = ascii_key(c).ok_or_else(|| {
                    KeyScriptError(format!("cannot type '{}'", c.escape_default()))
                })?;
                out.push(KeyStroke {
                    shift,
                    ..KeyStroke::plain(k)
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_text_escapes_and_names() {
        let k = parse_keys("dir A:\\r{F1}{CTRL+c}\\e").unwrap();
        let keys: Vec<_> = k.iter().map(|s| (s.key, s.shift, s.ctrl)).collect();
        assert_eq!(
            keys,
            vec![
                (KeyCode::D, false, false),
                (KeyCode::I, false, false),
                (KeyCode::R, false, false),
                (KeyCode::Space, false, false),
                (KeyCode::A, true, false),
                (KeyCode::Semicolon, true, false),
                (KeyCode::Enter, false, false),
                (KeyCode::F1, false, false),
                (KeyCode::C, false, true),
                (KeyCode::Escape, false, false),
            ]
        );
    }

    #[test]
    fn rejects_bad_scripts() {
        assert!(parse_keys("{NOPE}").is_err());
        assert!(parse_keys("{F1").is_err());
        assert!(parse_keys("\\q").is_err());
        assert!(parse_keys("é").is_err());
    }
}
