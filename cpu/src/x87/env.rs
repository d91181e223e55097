//! FSTENV/FLDENV/FSAVE/FRSTOR: the 14/28-byte environment images (16/32-bit, real vs
//! protected layouts), the 94/108-byte state images, and the x87 part of FXSAVE/FXRSTOR.

use super::exec::FpuHost;
use super::f80::F80;
use super::{sw, Fpu};
use crate::fault::GResult;

/// Builds the environment image (14 or 28 bytes) for the host's current mode.
fn env_image(fpu: &Fpu, bits32: bool, protected: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(28);
    let words: [u32; 7] = if protected {
        [
            fpu.cw as u32,
            fpu.status_word() as u32,
            fpu.tag_word() as u32,
            fpu.fip,
            fpu.fcs as u32 | ((fpu.fop() as u32 & 0x7FF) << 16),
            fpu.fdp,
            fpu.fds as u32,
        ]
    } else {
        let ip = if fpu.fcs != 0 {
            ((fpu.fcs as u32) << 4).wrapping_add(fpu.fip)
        } else {
            fpu.fip
        };
        let dp = if fpu.fds != 0 {
            ((fpu.fds as u32) << 4).wrapping_add(fpu.fdp)
        } else {
            fpu.fdp
        };
        let (ip_hi, dp_hi) = if bits32 {
            (ip >> 16, dp >> 16)
        } else {
            ((ip >> 16) & 0xF, (dp >> 16) & 0xF)
        };
        [
            fpu.cw as u32,
            fpu.status_word() as u32,
            fpu.tag_word() as u32,
            ip & 0xFFFF,
            (ip_hi << 12) | (fpu.fop() as u32 & 0x7FF),
            dp & 0xFFFF,
            dp_hi << 12,
        ]
    };
    for (i, w) in words.iter().enumerate() {
        if bits32 {
            let w = if i < 3 { *w | 0xFFFF_0000 } else { *w };
            let w = if protected && i == 6 {
                w | 0xFFFF_0000
            } else {
                w
            };
            out.extend_from_slice(&w.to_le_bytes());
        } else {
            out.extend_from_slice(&(*w as u16).to_le_bytes());
        }
    }
    out
}

/// Applies an environment image read from memory.
fn load_env_image(fpu: &mut Fpu, img: &[u8], bits32: bool, protected: bool) {
    let word = |i: usize| -> u32 {
        if bits32 {
            let b = [img[4 * i], img[4 * i + 1], img[4 * i + 2], img[4 * i + 3]];
            u32::from_le_bytes(b)
        } else {
            u16::from_le_bytes([img[2 * i], img[2 * i + 1]]) as u32
        }
    };
    fpu.set_tag_word(word(2) as u16);
    if protected {
        fpu.fip = word(3);
        fpu.fcs = word(4) as u16;
        fpu.fop = super::Fop::Value(((word(4) >> 16) & 0x7FF) as u16);
        fpu.fdp = word(5);
        fpu.fds = word(6) as u16;
    } else {
        let hi_mask = if bits32 { 0xFFFF } else { 0xF };
        fpu.fip = (word(3) & 0xFFFF) | (((word(4) >> 12) & hi_mask) << 16);
        fpu.fop = super::Fop::Value((word(4) & 0x7FF) as u16);
        fpu.fcs = 0;
        fpu.fdp = (word(5) & 0xFFFF) | (((word(6) >> 12) & hi_mask) << 16);
        fpu.fds = 0;
    }
    // The control word goes in before the status word so ES reflects the new masks.
    fpu.cw = (word(0) as u16 & 0x1F3F) | 0x0040;
    fpu.set_sw(word(1) as u16);
}

fn env_len(bits32: bool) -> usize {
    if bits32 {
        28
    } else {
        14
    }
}

/// FNSTENV/FSTENV: stores the environment, then masks all exceptions.
pub fn fstenv(fpu: &mut Fpu, host: &mut dyn FpuHost) -> GResult<()> {
    let img = env_image(fpu, host.operand_32bit(), host.protected_mode());
    host.write_mem(0, &img)?;
    fpu.set_cw(fpu.cw | sw::EXC);
    Ok(())
}

/// FLDENV.
pub fn fldenv(fpu: &mut Fpu, host: &mut dyn FpuHost) -> GResult<()> {
    let bits32 = host.operand_32bit();
    let mut img = vec![0u8; env_len(bits32)];
    host.read_mem(0, &mut img)?;
    load_env_image(fpu, &img, bits32, host.protected_mode());
    Ok(())
}

/// FNSAVE/FSAVE: stores the environment and ST(0)..ST(7), then FNINIT.
pub fn fsave(fpu: &mut Fpu, host: &mut dyn FpuHost) -> GResult<()> {
    let mut img = env_image(fpu, host.operand_32bit(), host.protected_mode());
    for i in 0..8 {
        img.extend_from_slice(&fpu.st(i).to_bytes());
    }
    host.write_mem(0, &img)?;
    fpu.reset();
    Ok(())
}

/// FRSTOR.
pub fn frstor(fpu: &mut Fpu, host: &mut dyn FpuHost) -> GResult<()> {
    let bits32 = host.operand_32bit();
    let n = env_len(bits32);
    let mut img = vec![0u8; n + 80];
    host.read_mem(0, &mut img)?;
    load_env_image(fpu, &img[..n], bits32, host.protected_mode());
    for i in 0..8 {
        let mut b = [0u8; 10];
        b.copy_from_slice(&img[n + 10 * i..n + 10 * i + 10]);
        let p = fpu.phys(i);
        fpu.regs[p] = F80::from_bytes(&b);
    }
    Ok(())
}

impl Fpu {
    /// Writes the x87 part of a 32-bit FXSAVE image (bytes 0..24 and the register slots
    /// at 32..160); MXCSR (bytes 24..32) and the XMM area belong to the caller.
    pub fn fxsave_legacy(&self, out: &mut [u8; 160]) {
        out[0..2].copy_from_slice(&self.cw.to_le_bytes());
        out[2..4].copy_from_slice(&self.status_word().to_le_bytes());
        out[4] = self.used;
        out[5] = 0;
        out[6..8].copy_from_slice(&self.fop().to_le_bytes());
        out[8..12].copy_from_slice(&self.fip.to_le_bytes());
        out[12..16].copy_from_slice(&(self.fcs as u32).to_le_bytes());
        out[16..20].copy_from_slice(&self.fdp.to_le_bytes());
        out[20..24].copy_from_slice(&(self.fds as u32).to_le_bytes());
        for i in 0..8 {
            let slot = &mut out[32 + 16 * i..48 + 16 * i];
            slot[..10].copy_from_slice(&self.st(i).to_bytes());
            slot[10..].fill(0);
        }
    }

    /// Loads the x87 part of a 32-bit FXRSTOR image (see `fxsave_legacy`).
    pub fn fxrstor_legacy(&mut self, img: &[u8; 160]) {
        let word = |o: usize| u16::from_le_bytes([img[o], img[o + 1]]);
        let dword = |o: usize| u32::from_le_bytes([img[o], img[o + 1], img[o + 2], img[o + 3]]);
        self.cw = (word(0) & 0x1F3F) | 0x0040;
        self.used = img[4];
        self.fop = super::Fop::Value(word(6) & 0x7FF);
        self.fip = dword(8);
        self.fcs = word(12);
        self.fdp = dword(16);
        self.fds = word(20);
        self.set_sw(word(2));
        for i in 0..8 {
            let mut b = [0u8; 10];
            b.copy_from_slice(&img[32 + 16 * i..42 + 16 * i]);
            let p = self.phys(i);
            self.regs[p] = F80::from_bytes(&b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fxsave_round_trip() {
        let mut fpu = Fpu::new();
        fpu.push(F80::ONE);
        fpu.push(F80::INDEFINITE);
        fpu.sw |= sw::PE;
        let mut img = [0u8; 160];
        fpu.fxsave_legacy(&mut img);
        assert_eq!(img[4], 0xC0, "abridged tags: R6 and R7 in use");
        assert_eq!(u16::from_le_bytes([img[2], img[3]]), (6 << 11) | sw::PE);
        assert_eq!(&img[48..58], &F80::ONE.to_bytes());
        let mut other = Fpu::new();
        other.fxrstor_legacy(&img);
        assert_eq!(other.st(0), F80::INDEFINITE);
        assert_eq!(other.st(1), F80::ONE);
        assert_eq!(other.tag_word(), 0x2FFF);
        assert_eq!(other.status_word(), fpu.status_word());
    }
}
