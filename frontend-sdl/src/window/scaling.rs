//! Where the guest picture goes in the window: a 4:3 area (what a CRT showed, whatever the
//! mode's pixel count), scaled smoothly, with nearest-neighbour pixels, or by whole-number
//! factors per axis.

/// How the guest picture is scaled to the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScaleMode {
    /// Fill the largest 4:3 area, nearest-neighbour pixels.
    Sharp,
    /// Fill the largest 4:3 area, bilinear filtering.
    Smooth,
    /// Whole-number factors per axis closest to 4:3 that fit the window (crisp, may leave
    /// a border).
    Integer,
}

impl ScaleMode {
    /// Parses `sharp`, `smooth` or `integer`.
    pub fn parse(s: &str) -> Option<ScaleMode> {
        match s {
            "sharp" => Some(ScaleMode::Sharp),
            "smooth" => Some(ScaleMode::Smooth),
            "integer" => Some(ScaleMode::Integer),
            _ => None,
        }
    }

    /// The next mode, for the host-key shortcut that cycles through them.
    pub fn next(self) -> ScaleMode {
        match self {
            ScaleMode::Sharp => ScaleMode::Smooth,
            ScaleMode::Smooth => ScaleMode::Integer,
            ScaleMode::Integer => ScaleMode::Sharp,
        }
    }
}

/// A rectangle in window pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    pub x: i32,
    pub y: i32,
    pub w: u32,
    pub h: u32,
}

/// The largest 4:3 rectangle centred in a `win_w` x `win_h` window.
pub fn aspect_rect(win_w: u32, win_h: u32) -> Rect {
    let (w, h) = if u64::from(win_w) * 3 > u64::from(win_h) * 4 {
        (win_h * 4 / 3, win_h)
    } else {
        (win_w, win_w * 3 / 4)
    };
    centred(win_w, win_h, w.max(1), h.max(1))
}

fn centred(win_w: u32, win_h: u32, w: u32, h: u32) -> Rect {
    Rect {
        x: (win_w as i32 - w as i32) / 2,
        y: (win_h as i32 - h as i32) / 2,
        w,
        h,
    }
}

/// Where a `frame_w` x `frame_h` guest picture is drawn in a `win_w` x `win_h` window.
pub fn dest_rect(mode: ScaleMode, frame_w: u32, frame_h: u32, win_w: u32, win_h: u32) -> Rect {
    let area = aspect_rect(win_w, win_h);
    if mode != ScaleMode::Integer || frame_w == 0 || frame_h == 0 {
        return area;
    }
    // Whole factors per axis: as large as fit in the 4:3 area, then the pair keeps the
    // picture's shape within the window when the area rounds down unevenly.
    let sx = (area.w / frame_w).max(1);
    let sy = (area.h / frame_h).max(1);
    let w = (frame_w * sx).min(win_w.max(frame_w));
    let h = (frame_h * sy).min(win_h.max(frame_h));
    centred(win_w, win_h, w, h)
}

/// The initial window size for a picture: 4:3, about two thirds of a 1080-line screen.
pub const DEFAULT_WINDOW: (u32, u32) = (960, 720);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aspect_area_is_4_3_and_centred() {
        assert_eq!(
            aspect_rect(960, 720),
            Rect {
                x: 0,
                y: 0,
                w: 960,
                h: 720
            }
        );
        assert_eq!(
            aspect_rect(1920, 1080),
            Rect {
                x: 240,
                y: 0,
                w: 1440,
                h: 1080
            }
        );
        assert_eq!(
            aspect_rect(800, 1000),
            Rect {
                x: 0,
                y: 200,
                w: 800,
                h: 600
            }
        );
    }

    #[test]
    fn sharp_and_smooth_fill_the_area_whatever_the_mode() {
        for (fw, fh) in [(720, 400), (320, 200), (640, 350), (640, 480), (1024, 768)] {
            for m in [ScaleMode::Sharp, ScaleMode::Smooth] {
                assert_eq!(dest_rect(m, fw, fh, 1280, 960), aspect_rect(1280, 960));
            }
        }
    }

    #[test]
    fn integer_scaling_uses_whole_factors() {
        // Mode 13h in 960x720: 3x horizontally, 3x vertically (960x600 is the 4:3 area's
        // whole-factor fit).
        let r = dest_rect(ScaleMode::Integer, 320, 200, 960, 720);
        assert_eq!((r.w, r.h), (960, 600));
        assert_eq!((r.x, r.y), (0, 60));
        // Text mode 720x400 in 1920x1080 (area 1440x1080): 2x both ways.
        let r = dest_rect(ScaleMode::Integer, 720, 400, 1920, 1080);
        assert_eq!((r.w, r.h), (1440, 800));
        // 640x480 in 1280x960: exactly 2x.
        let r = dest_rect(ScaleMode::Integer, 640, 480, 1280, 960);
        assert_eq!(
            r,
            Rect {
                x: 0,
                y: 0,
                w: 1280,
                h: 960
            }
        );
    }

    #[test]
    fn integer_scaling_never_goes_below_one() {
        let r = dest_rect(ScaleMode::Integer, 1024, 768, 640, 480);
        assert_eq!((r.w, r.h), (1024, 768));
    }

    #[test]
    fn modes_parse_and_cycle() {
        assert_eq!(ScaleMode::parse("integer"), Some(ScaleMode::Integer));
        assert_eq!(ScaleMode::parse("huge"), None);
        let mut m = ScaleMode::Sharp;
        for _ in 0..3 {
            m = m.next();
        }
        assert_eq!(m, ScaleMode::Sharp);
    }
}
