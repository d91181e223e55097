//! A tiny deterministic pseudo-random generator for the device tests that throw arbitrary
//! guest port traffic at a device (no panics, no overflow, whatever the guest writes).

/// A 64-bit linear congruential generator (Knuth's MMIX constants).
pub struct TestRng(u64);

impl TestRng {
    pub fn new(seed: u64) -> TestRng {
        TestRng(seed)
    }

    pub fn next_u32(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 32) as u32
    }

    /// A value in 0..n (n > 0).
    pub fn below(&mut self, n: u32) -> u32 {
        self.next_u32() % n
    }
}

/// Runs `steps` random reads and writes on ports from `ports` with a non-decreasing clock
/// that sometimes jumps far ahead.
pub fn random_port_traffic(
    seed: u64,
    steps: usize,
    ports: &[u16],
    mut read: impl FnMut(u16, rawbox_cpu::Width, u64),
    mut write: impl FnMut(u16, rawbox_cpu::Width, u32, u64),
) {
    use rawbox_cpu::Width;
    let mut rng = TestRng::new(seed);
    let mut now = 0u64;
    for _ in 0..steps {
        now = now.saturating_add(match rng.below(16) {
            0 => u64::from(rng.next_u32()) * 1_000_000,
            _ => u64::from(rng.below(100_000)),
        });
        let port = ports[rng.below(ports.len() as u32) as usize];
        let width = [
            Width::Byte,
            Width::Byte,
            Width::Byte,
            Width::Word,
            Width::Dword,
        ][rng.below(5) as usize];
        if rng.below(2) == 0 {
            read(port, width, now);
        } else {
            write(port, width, rng.next_u32(), now);
        }
    }
}
