//! The built-in demo boots through rawbox's BIOS and shows its text screen.

use rawbox_vmm::{Machine, MachineConfig};

#[test]
fn demo_shows_text_then_graphics() {
    let cfg = MachineConfig {
        demo: true,
        ..MachineConfig::default()
    };
    let mut m = Machine::new(cfg).unwrap();
    let mut seen_text = false;
    for _ in 0..200 {
        m.run_for(10_000_000);
        if let Some(lines) = m.text_screen() {
            if lines
                .iter()
                .any(|l| l.contains("rawbox - a pure-software x86 PC emulator"))
            {
                seen_text = true;
                break;
            }
        }
    }
    let st = &m.cpu.state;
    assert!(
        seen_text,
        "demo text not shown; cs:eip={:04x}:{:08x} halted={} insns={} counters={:?} screen={:?}",
        st.segs[1].selector,
        st.eip,
        st.halted,
        m.cpu.counters.instructions,
        m.counters,
        m.text_screen()
    );
    // Two seconds later it is in mode 13h.
    m.run_for(3_000_000_000);
    assert!(m.text_screen().is_none(), "still in a text mode");
}
