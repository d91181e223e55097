//! The two-level page walk (4 KB pages and 4 MB PSE pages), accessed/dirty bits, protection
//! checks and #PF with CR2 and the error code.

use super::tlb::TlbEntry;
use super::AccessKind;
use crate::bus::{Bus, Width};
use crate::fault::{vector, Fault, GResult};
use crate::state::{cr0, cr4};
use crate::Cpu;

const P: u32 = 1;
const RW: u32 = 2;
const US: u32 = 4;
const A: u32 = 0x20;
const D: u32 = 0x40;
const PS: u32 = 0x80;
const G: u32 = 0x100;

impl Cpu {
    /// Translates a linear address to physical for an access at privilege `user` (CPL 3).
    #[inline]
    pub fn translate(
        &mut self,
        bus: &mut dyn Bus,
        lin: u32,
        kind: AccessKind,
        user: bool,
    ) -> GResult<u32> {
        if !self.state.paging() {
            return Ok(lin);
        }
        if let Some(e) = self.tlb.lookup(lin) {
            let ok = match kind {
                AccessKind::Write => e.dirty && if user { e.user_write } else { e.sup_write },
                _ => !user || e.user_ok,
            };
            if ok {
                return Ok(e.phys | (lin & 0xFFF));
            }
        }
        self.walk(bus, lin, kind, user)
    }

    fn page_fault(&mut self, lin: u32, present: bool, kind: AccessKind, user: bool) -> Fault {
        self.state.cr2 = lin;
        let code = present as u32 | ((kind == AccessKind::Write) as u32) << 1 | (user as u32) << 2;
        Fault::exc_code(vector::PF, code)
    }

    /// The slow path: walks the page tables, sets A/D bits and fills the TLB.
    fn walk(&mut self, bus: &mut dyn Bus, lin: u32, kind: AccessKind, user: bool) -> GResult<u32> {
        self.tlb.misses += 1;
        let write = kind == AccessKind::Write;
        let wp = self.state.cr0 & cr0::WP != 0 && self.model.is_486_plus();
        let pde_addr = (self.state.cr3 & 0xFFFF_F000) | ((lin >> 20) & 0xFFC);
        let pde = self.mem.read(bus, pde_addr, Width::Dword);
        if pde & P == 0 {
            return Err(self.page_fault(lin, false, kind, user));
        }
        let pse = pde & PS != 0 && self.state.cr4 & cr4::PSE != 0 && self.model.is_pentium_plus();
        let (entry, entry_addr, phys_page, combined) = if pse {
            (
                pde,
                pde_addr,
                (pde & 0xFFC0_0000) | (lin & 0x003F_F000),
                pde,
            )
        } else {
            let pte_addr = (pde & 0xFFFF_F000) | ((lin >> 10) & 0xFFC);
            let pte = self.mem.read(bus, pte_addr, Width::Dword);
            if pte & P == 0 {
                return Err(self.page_fault(lin, false, kind, user));
            }
            // Both levels must allow the access.
            let comb = (pte & !(RW | US)) | (pte & pde & (RW | US));
            if pde & A == 0 {
                self.mem.write(bus, pde_addr, Width::Dword, pde | A);
            }
            (pte, pte_addr, pte & 0xFFFF_F000, comb)
        };
        let user_ok = combined & US != 0;
        let user_write = user_ok && combined & RW != 0;
        let sup_write = !wp || combined & RW != 0;
        let allowed = match kind {
            AccessKind::Write => {
                if user {
                    user_write
                } else {
                    sup_write
                }
            }
            _ => !user || user_ok,
        };
        if !allowed {
            return Err(self.page_fault(lin, true, kind, user));
        }
        let mut new = entry | A;
        if write {
            new |= D;
        }
        if new != entry {
            self.mem.write(bus, entry_addr, Width::Dword, new);
        }
        let global = entry & G != 0 && self.state.cr4 & cr4::PGE != 0;
        self.tlb.insert(
            lin,
            TlbEntry {
                tag: 0,
                phys: phys_page,
                user_ok,
                user_write,
                sup_write,
                dirty: new & D != 0,
                global,
            },
        );
        Ok(phys_page | (lin & 0xFFF))
    }
}
