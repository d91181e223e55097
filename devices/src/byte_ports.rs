//! Splitting of word and dword port accesses into byte accesses, for devices whose registers
//! are all eight bits wide (PIC, PIT, CMOS, 8042, UART, system ports). A wide access to port P
//! touches P, P+1, ... in order, little-endian; bytes outside the device's ports read 0xFF.

use rawbox_cpu::Width;

/// Reads `width` bytes starting at `port`, one byte at a time, little-endian.
pub fn read_split(port: u16, width: Width, mut read_byte: impl FnMut(u16) -> u8) -> u32 {
    let mut value = 0u32;
    for i in 0..width.bytes() {
        let byte = read_byte(port.wrapping_add(i as u16));
        value |= u32::from(byte) << (8 * i);
    }
    value
}

/// Writes `width` bytes of `value` starting at `port`, one byte at a time, little-endian.
pub fn write_split(port: u16, width: Width, value: u32, mut write_byte: impl FnMut(u16, u8)) {
    for i in 0..width.bytes() {
        write_byte(port.wrapping_add(i as u16), (value >> (8 * i)) as u8);
    }
}

/// True if `port` lies in one of the inclusive `ranges`.
pub fn in_ranges(ranges: &[(u16, u16)], port: u16) -> bool {
    ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_read_is_little_endian_over_consecutive_ports() {
        let v = read_split(0x40, Width::Word, |p| if p == 0x40 { 0x34 } else { 0x12 });
        assert_eq!(v, 0x1234);
    }

    #[test]
    fn dword_write_visits_four_ports_in_order() {
        let mut seen = Vec::new();
        write_split(0xFFFE, Width::Dword, 0xAABB_CCDD, |p, b| seen.push((p, b)));
        assert_eq!(
            seen,
            vec![
                (0xFFFE, 0xDD),
                (0xFFFF, 0xCC),
                (0x0000, 0xBB),
                (0x0001, 0xAA)
            ]
        );
    }

    #[test]
    fn ranges_are_inclusive() {
        let r = [(0x20, 0x21), (0xA0, 0xA1)];
        assert!(in_ranges(&r, 0x21));
        assert!(in_ranges(&r, 0xA0));
        assert!(!in_ranges(&r, 0x22));
    }
}
