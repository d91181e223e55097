//! The debugger's view of guest memory: linear addresses translated through the page tables
//! without faulting and without touching accessed/dirty bits, and host-side reads and writes
//! that never reach device MMIO.

use rawbox_cpu::state::{cr4, SegReg};
use rawbox_cpu::{Cpu, NullBus, Width};

const PRESENT: u32 = 1;
const PAGE_SIZE_BIT: u32 = 0x80;

/// Reads a physical dword for the page walk (MMIO reads as all ones, no side effects).
fn phys_u32(cpu: &Cpu, addr: u32) -> u32 {
    cpu.mem.read(&mut NullBus, addr, Width::Dword)
}

/// One step of a page walk, for the `pt` command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WalkStep {
    /// Physical address of the entry.
    pub entry_addr: u32,
    pub entry: u32,
}

/// A page walk: the directory entry, the table entry (absent for a 4 MB page or a
/// non-present directory entry) and the physical address, if mapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Walk {
    pub pde: WalkStep,
    pub pte: Option<WalkStep>,
    pub phys: Option<u32>,
    pub large: bool,
}

/// Walks the page tables for `lin` (CR3, 4 KB pages and PSE 4 MB pages).
pub fn walk(cpu: &Cpu, lin: u32) -> Walk {
    let pde_addr = (cpu.state.cr3 & 0xFFFF_F000) | ((lin >> 20) & 0xFFC);
    let pde = phys_u32(cpu, pde_addr);
    let pde_step = WalkStep {
        entry_addr: pde_addr,
        entry: pde,
    };
    if pde & PRESENT == 0 {
        return Walk {
            pde: pde_step,
            pte: None,
            phys: None,
            large: false,
        };
    }
    if pde & PAGE_SIZE_BIT != 0 && cpu.state.cr4 & cr4::PSE != 0 {
        return Walk {
            pde: pde_step,
            pte: None,
            phys: Some((pde & 0xFFC0_0000) | (lin & 0x003F_FFFF)),
            large: true,
        };
    }
    let pte_addr = (pde & 0xFFFF_F000) | ((lin >> 10) & 0xFFC);
    let pte = phys_u32(cpu, pte_addr);
    Walk {
        pde: pde_step,
        pte: Some(WalkStep {
            entry_addr: pte_addr,
            entry: pte,
        }),
        phys: (pte & PRESENT != 0).then_some((pte & 0xFFFF_F000) | (lin & 0xFFF)),
        large: false,
    }
}

/// The physical address of `lin`, or `None` when paging leaves it unmapped.
pub fn linear_to_phys(cpu: &Cpu, lin: u32) -> Option<u32> {
    if !cpu.state.paging() {
        return Some(lin);
    }
    walk(cpu, lin).phys
}

/// Reads guest memory at a linear address; returns how many bytes were readable (it stops
/// at the first unmapped page).
pub fn read_linear(cpu: &Cpu, lin: u32, out: &mut [u8]) -> usize {
    let mut done = 0;
    while done < out.len() {
        let a = lin.wrapping_add(done as u32);
        let Some(phys) = linear_to_phys(cpu, a) else {
            break;
        };
        let in_page = ((0x1000 - (a & 0xFFF)) as usize).min(out.len() - done);
        for (i, o) in out[done..done + in_page].iter_mut().enumerate() {
            *o = cpu.mem.read_u8(&mut NullBus, phys.wrapping_add(i as u32));
        }
        done += in_page;
    }
    done
}

/// Writes guest RAM at a linear address (ROM and MMIO are left alone); returns how many
/// bytes were mapped. Decoded code that the write hits is dropped.
pub fn write_linear(cpu: &mut Cpu, lin: u32, data: &[u8]) -> usize {
    let mut done = 0;
    while done < data.len() {
        let a = lin.wrapping_add(done as u32);
        let Some(phys) = linear_to_phys(cpu, a) else {
            break;
        };
        let in_page = ((0x1000 - (a & 0xFFF)) as usize).min(data.len() - done);
        cpu.mem.write_bytes(phys, &data[done..done + in_page]);
        done += in_page;
    }
    cpu.flush_caches();
    done
}

/// Linear address of CS:EIP.
pub fn pc_linear(cpu: &Cpu) -> u32 {
    cpu.state.segs[SegReg::Cs as usize]
        .base
        .wrapping_add(cpu.state.eip)
}
