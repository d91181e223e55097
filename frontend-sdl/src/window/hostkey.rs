//! The host key (Right Ctrl unless chosen otherwise): held with another key it triggers an
//! emulator shortcut instead of reaching the guest; pressed and released alone it releases
//! the captured mouse.

use sdl2::keyboard::Scancode;

/// An emulator shortcut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shortcut {
    ReleaseMouse,
    Fullscreen,
    Pause,
    Reset,
    Screenshot,
    CtrlAltDel,
    CycleScaling,
    Quit,
}

/// Where a key event goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// To the guest.
    Guest,
    /// Swallowed (the host key itself, or a key of a shortcut being released).
    Swallow,
    Shortcut(Shortcut),
}

/// The shortcut bound to `sc` (with the host key held).
pub fn shortcut_for(sc: Scancode) -> Option<Shortcut> {
    Some(match sc {
        Scancode::F | Scancode::Return => Shortcut::Fullscreen,
        Scancode::P | Scancode::Pause => Shortcut::Pause,
        Scancode::R => Shortcut::Reset,
        Scancode::S | Scancode::PrintScreen => Shortcut::Screenshot,
        Scancode::Delete | Scancode::Backspace | Scancode::End => Shortcut::CtrlAltDel,
        Scancode::G => Shortcut::CycleScaling,
        Scancode::Q => Shortcut::Quit,
        _ => return None,
    })
}

/// Names a host key for `--host-key`.
pub fn parse_host_key(name: &str) -> Option<Scancode> {
    Some(match name.to_ascii_lowercase().as_str() {
        "rctrl" | "rightctrl" => Scancode::RCtrl,
        "lctrl" | "leftctrl" => Scancode::LCtrl,
        "ralt" | "rightalt" | "altgr" => Scancode::RAlt,
        "rgui" | "rwin" | "rightwin" => Scancode::RGui,
        "lgui" | "lwin" | "leftwin" => Scancode::LGui,
        "menu" | "application" => Scancode::Application,
        "scrolllock" => Scancode::ScrollLock,
        _ => return None,
    })
}

/// The host key's state.
#[derive(Debug)]
pub struct HostKey {
    key: Scancode,
    down: bool,
    /// A shortcut was used during this press (so releasing it does nothing more).
    used: bool,
    /// Keys pressed as shortcuts, whose releases must not reach the guest.
    swallowed: Vec<Scancode>,
}

impl HostKey {
    pub fn new(key: Scancode) -> HostKey {
        HostKey {
            key,
            down: false,
            used: false,
            swallowed: Vec::new(),
        }
    }

    /// A key went down (repeats excluded).
    pub fn key_down(&mut self, sc: Scancode) -> Route {
        if sc == self.key {
            self.down = true;
            self.used = false;
            return Route::Swallow;
        }
        if self.down {
            self.used = true;
            self.swallowed.push(sc);
            return shortcut_for(sc).map_or(Route::Swallow, Route::Shortcut);
        }
        Route::Guest
    }

    /// A key went up.
    pub fn key_up(&mut self, sc: Scancode) -> Route {
        if sc == self.key {
            self.down = false;
            return if self.used {
                Route::Swallow
            } else {
                Route::Shortcut(Shortcut::ReleaseMouse)
            };
        }
        if let Some(i) = self.swallowed.iter().position(|&s| s == sc) {
            self.swallowed.swap_remove(i);
            return Route::Swallow;
        }
        Route::Guest
    }

    /// The window lost focus: forget the host key.
    pub fn reset(&mut self) {
        self.down = false;
        self.used = false;
        self.swallowed.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_key_alone_releases_the_mouse_and_never_reaches_the_guest() {
        let mut h = HostKey::new(Scancode::RCtrl);
        assert_eq!(h.key_down(Scancode::RCtrl), Route::Swallow);
        assert_eq!(
            h.key_up(Scancode::RCtrl),
            Route::Shortcut(Shortcut::ReleaseMouse)
        );
    }

    #[test]
    fn host_plus_key_is_a_shortcut_and_its_release_is_swallowed() {
        let mut h = HostKey::new(Scancode::RCtrl);
        h.key_down(Scancode::RCtrl);
        assert_eq!(
            h.key_down(Scancode::F),
            Route::Shortcut(Shortcut::Fullscreen)
        );
        assert_eq!(h.key_up(Scancode::RCtrl), Route::Swallow);
        // F released after the host key: still not the guest's.
        assert_eq!(h.key_up(Scancode::F), Route::Swallow);
        assert_eq!(h.key_down(Scancode::F), Route::Guest);
        assert_eq!(h.key_up(Scancode::F), Route::Guest);
    }

    #[test]
    fn every_shortcut_has_a_key() {
        let mut h = HostKey::new(Scancode::RCtrl);
        for (sc, s) in [
            (Scancode::P, Shortcut::Pause),
            (Scancode::R, Shortcut::Reset),
            (Scancode::S, Shortcut::Screenshot),
            (Scancode::Delete, Shortcut::CtrlAltDel),
            (Scancode::G, Shortcut::CycleScaling),
            (Scancode::Q, Shortcut::Quit),
        ] {
            h.key_down(Scancode::RCtrl);
            assert_eq!(h.key_down(sc), Route::Shortcut(s));
            h.key_up(sc);
            h.key_up(Scancode::RCtrl);
        }
    }

    #[test]
    fn unbound_keys_with_the_host_key_are_swallowed() {
        let mut h = HostKey::new(Scancode::RCtrl);
        h.key_down(Scancode::RCtrl);
        assert_eq!(h.key_down(Scancode::X), Route::Swallow);
    }

    #[test]
    fn other_keys_go_to_the_guest() {
        let mut h = HostKey::new(Scancode::RAlt);
        assert_eq!(h.key_down(Scancode::RCtrl), Route::Guest);
        assert_eq!(h.key_up(Scancode::RCtrl), Route::Guest);
        assert_eq!(parse_host_key("AltGr"), Some(Scancode::RAlt));
        assert_eq!(parse_host_key("tab"), None);
    }
}
