//! Guest RAM: one anonymous memmap2 mapping, accessed only through bounds-checked slices.

use memmap2::MmapMut;

/// The guest's RAM. All accesses are bounds-checked slice operations, so no guest address can
/// reach host memory outside the mapping.
pub struct Ram {
    map: MmapMut,
}

impl Ram {
    /// Maps `bytes` of zeroed RAM (rounded up to 4 KB).
    pub fn new(bytes: usize) -> std::io::Result<Ram> {
        let len = bytes.max(4096).div_ceil(4096) * 4096;
        let map = MmapMut::map_anon(len)?;
        Ok(Ram { map })
    }
    #[inline]
    pub fn len(&self) -> usize {
        self.map.len()
    }
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
    #[inline]
    pub fn bytes(&self) -> &[u8] {
        &self.map
    }
    #[inline]
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.map
    }
    /// Host address of the mapping, for the JIT's inline fast path (which checks bounds itself).
    pub fn host_base(&mut self) -> *mut u8 {
        self.map.as_mut_ptr()
    }
}

impl std::fmt::Debug for Ram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ram({} KB)", self.map.len() / 1024)
    }
}
