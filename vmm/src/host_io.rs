//! What frontends read from and feed into a running machine besides keys: the rendered
//! display, the PC speaker's state, the PS/2 mouse, and the refresh rate to show frames at.

use crate::machine::Machine;
use rawbox_devices::speaker::SpeakerOutput;
use rawbox_devices::vga::Frame;

/// PS/2 mouse buttons for [`Machine::mouse_motion`].
pub const MOUSE_LEFT: u8 = 1;
pub const MOUSE_RIGHT: u8 = 2;
pub const MOUSE_MIDDLE: u8 = 4;

impl Machine {
    /// Renders the guest display into `frame` (resized to the mode's logical resolution).
    pub fn render(&mut self, frame: &mut Frame) {
        let now = self.platform.now_ns;
        self.platform.vga.render(frame, now);
    }

    /// The display's refresh rate in millihertz (70,086 in the standard text modes).
    pub fn refresh_mhz(&self) -> u64 {
        self.platform.vga.refresh_mhz()
    }

    /// What the PC speaker does now: a square wave from PIT counter 2 gated by port 0x61,
    /// or a level software drives through port 0x61 bit 1.
    pub fn speaker(&mut self) -> SpeakerOutput {
        let now = self.platform.now_ns;
        let hz = self.platform.pit.speaker_square_wave_hz(now);
        let out2 = self.platform.pit.out(2, now);
        self.platform.sysctl.speaker_output(hz, out2)
    }

    /// The host mouse moved by (`dx` right, `dy` down, in host pixels) with `buttons`
    /// (`MOUSE_*`) held.
    pub fn mouse_motion(&mut self, dx: i32, dy: i32, buttons: u8) {
        let now = self.platform.now_ns;
        // PS/2 counts up as positive.
        self.platform
            .kbc
            .mouse_motion(dx, dy.saturating_neg(), buttons, now);
        self.platform.sync_irqs();
    }

    /// The host mouse wheel turned (`dz` positive = towards the user).
    pub fn mouse_wheel(&mut self, dz: i32) {
        let now = self.platform.now_ns;
        self.platform.kbc.mouse_wheel(dz, now);
        self.platform.sync_irqs();
    }

    /// Keyboard LEDs (bit 0 Scroll, 1 Num, 2 Caps Lock).
    pub fn keyboard_leds(&self) -> u8 {
        self.platform.kbc.keyboard_leds()
    }
}
