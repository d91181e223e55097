//! Screenshots: a rendered guest frame as a PNG file (8-bit RGB, zlib-compressed with flate2,
//! chunk CRCs with flate2's CRC-32), and the names of shortcut screenshots.

use flate2::write::ZlibEncoder;
use flate2::{Compression, Crc};
use rawbox_devices::vga::Frame;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Encodes `width * height` 0xAARRGGBB pixels as a PNG image.
pub fn encode_png(width: u32, height: u32, pixels: &[u32]) -> Vec<u8> {
    let mut raw = Vec::with_capacity((width as usize * 3 + 1) * height as usize);
    for row in pixels.chunks(width.max(1) as usize).take(height as usize) {
        raw.push(0); // filter: none
        for p in row {
            raw.extend_from_slice(&[(p >> 16) as u8, (p >> 8) as u8, *p as u8]);
        }
    }
    let mut z = ZlibEncoder::new(Vec::new(), Compression::fast());
    // Writing into a Vec cannot fail.
    let _ = z.write_all(&raw);
    let idat = z.finish().unwrap_or_default();

    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit, truecolour, deflate, no filter, no interlace
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &idat);
    chunk(&mut png, b"IEND", &[]);
    png
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
}

/// Writes `frame` to `path` as a PNG at the mode's own resolution.
pub fn save(frame: &Frame, path: &Path) -> Result<(), String> {
    if frame.width == 0 || frame.height == 0 {
        return Err(format!("{}: no frame to save yet", path.display()));
    }
    let png = encode_png(frame.width, frame.height, &frame.pixels);
    std::fs::write(path, png)
        .map_err(|e| format!("{}: cannot write screenshot: {e}", path.display()))
}

/// The first `rawbox-shot-N.png` in `dir` that does not exist yet.
pub fn next_shot_path(dir: &Path) -> PathBuf {
    (1..)
        .map(|n| dir.join(format!("rawbox-shot-{n:03}.png")))
        .find(|p| !p.exists())
        .unwrap_or_else(|| dir.join("rawbox-shot.png"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::ZlibDecoder;
    use std::io::Read;

    /// Splits a PNG into (type, data) chunks, checking every CRC.
    fn chunks(png: &[u8]) -> Vec<([u8; 4], Vec<u8>)> {
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let mut out = Vec::new();
        let mut i = 8;
        while i < png.len() {
            let len = u32::from_be_bytes(png[i..i + 4].try_into().unwrap()) as usize;
            let kind: [u8; 4] = png[i + 4..i + 8].try_into().unwrap();
            let data = png[i + 8..i + 8 + len].to_vec();
            let crc = u32::from_be_bytes(png[i + 8 + len..i + 12 + len].try_into().unwrap());
            let mut c = Crc::new();
            c.update(&kind);
            c.update(&data);
            assert_eq!(c.sum(), crc, "CRC of {}", String::from_utf8_lossy(&kind));
            out.push((kind, data));
            i += 12 + len;
        }
        out
    }

    #[test]
    fn png_holds_the_pixels_row_by_row() {
        let pixels = [
            0xFF11_2233,
            0xFF44_5566,
            0xFFAA_BBCC,
            0xFF00_00FF,
            0xFFFF_0000,
            0xFF00_FF00,
        ];
        let png = encode_png(3, 2, &pixels);
        let c = chunks(&png);
        let kinds: Vec<&[u8; 4]> = c.iter().map(|(k, _)| k).collect();
        assert_eq!(kinds, [b"IHDR", b"IDAT", b"IEND"]);
        assert_eq!(&c[0].1[..8], &[0, 0, 0, 3, 0, 0, 0, 2]);
        assert_eq!(&c[0].1[8..], &[8, 2, 0, 0, 0]);
        let mut raw = Vec::new();
        ZlibDecoder::new(&c[1].1[..]).read_to_end(&mut raw).unwrap();
        assert_eq!(
            raw,
            [
                0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0xAA, 0xBB, 0xCC, //
                0, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0xFF, 0x00
            ]
        );
    }

    #[test]
    fn saving_an_empty_frame_is_an_error() {
        let dir = std::env::temp_dir();
        assert!(save(&Frame::default(), &dir.join("rawbox-empty-shot.png")).is_err());
    }

    #[test]
    fn shot_names_count_up() {
        let dir = std::env::temp_dir().join(format!("rawbox-shots-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let a = next_shot_path(&dir);
        std::fs::write(&a, b"x").unwrap();
        let b = next_shot_path(&dir);
        assert_ne!(a, b);
        assert!(b.ends_with("rawbox-shot-002.png"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
