//! The `rawbox` binary's trace, debugger and GDB stub flags, run as a user would: a tiny
//! boot sector written to a temporary floppy image.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A floppy image whose boot sector stores AX=0x68AC at 0000:0500, then halts.
fn guest() -> PathBuf {
    use iced_x86::code_asm::*;
    let mut a = CodeAssembler::new(16).unwrap();
    let mut done = a.create_label();
    a.cli().unwrap(); // 7c00
    a.xor(ax, ax).unwrap(); // 7c01
    a.mov(ds, ax).unwrap(); // 7c03
    a.mov(ax, 0x1234u32).unwrap(); // 7c05
    a.add(ax, 0x5678u32).unwrap(); // 7c08
    a.mov(word_ptr(0x500), ax).unwrap(); // 7c0b
    a.mov(bx, 7u32).unwrap(); // 7c0e
    a.set_label(&mut done).unwrap();
    a.hlt().unwrap(); // 7c11
    a.jmp(done).unwrap();
    let code = a.assemble(0x7C00).unwrap();
    let dir = std::env::temp_dir().join(format!("rawbox-debug-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("guest.img");
    let mut img = vec![0u8; 1_474_560];
    img[..code.len()].copy_from_slice(&code);
    img[510] = 0x55;
    img[511] = 0xAA;
    std::fs::write(&path, img).unwrap();
    path
}

#[test]
fn trace_count_stops_with_exit_code_0() {
    let img = guest();
    let out = Command::new(env!("CARGO_BIN_EXE_rawbox"))
        .args([
            "--trace",
            "--trace-from",
            "0:7c00",
            "--trace-count",
            "4",
            "--fda",
        ])
        .arg(&img)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines[0].starts_with("R   0000:7c00 (00007c00)  fa"),
        "{text}"
    );
    assert!(
        lines[3].contains("mov ax,0x1234") && lines[3].ends_with("| ax=1234"),
        "{text}"
    );
}

#[test]
fn trace_file_with_att_syntax() {
    let img = guest();
    let file = img.with_file_name("trace.txt");
    let out = Command::new(env!("CARGO_BIN_EXE_rawbox"))
        .args([
            "--trace-syntax",
            "att",
            "--trace-from",
            "7c00",
            "--trace-count",
            "6",
        ])
        .arg("--trace-file")
        .arg(&file)
        .arg("--fda")
        .arg(&img)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stdout.is_empty(), "the trace went to stdout");
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.lines().count(), 6, "{text}");
    assert!(text.contains("mov %ax,0x500"), "{text}");
}

#[test]
fn debugger_through_stdin() {
    let img = guest();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rawbox"))
        .arg("--debug")
        .arg("--headless")
        .arg("--fda")
        .arg(&img)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"b 0:7c05\nc\ns\nr\nww 500 2\nc\nq\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    let at = |s: &str| {
        text.find(s)
            .unwrap_or_else(|| panic!("`{s}` missing:\n{text}"))
    };
    let hit = at("breakpoint #1 at 00007c05\nR   0000:7c05");
    let step = at("R   0000:7c08 (00007c08)  05 78 56");
    let regs = at("eax=00001234");
    let watch =
        at("watchpoint #2: write of 2 bytes at 00000500\nR   0000:7c0e (00007c0e)  bb 07 00");
    assert!(hit < step && step < regs && regs < watch, "{text}");
}

/// A free loopback port (bound and released; the stub binds it right after).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn gdb_breaks_steps_and_reads_memory() {
    if Command::new("gdb").arg("--version").output().is_err() {
        eprintln!("SKIPPED: gdb is not installed (apt-get install gdb)");
        return;
    }
    let img = guest();
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rawbox"))
        .args(["--gdb", &port.to_string(), "--fda"])
        .arg(&img)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for the stub to listen.
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    assert!(line.contains("waiting for gdb"), "{line}");
    let script = img.with_file_name("gdb.cmd");
    std::fs::write(
        &script,
        format!(
            "set pagination off\n\
             set architecture i8086\n\
             target remote 127.0.0.1:{port}\n\
             info registers eip\n\
             break *0x7c05\n\
             continue\n\
             info registers\n\
             x/8xb 0x7c00\n\
             stepi\n\
             info registers eip eax\n\
             watch *(short *)0x500\n\
             continue\n\
             info registers eip\n\
             set var $ebx = 0x99\n\
             info registers ebx\n\
             kill\n"
        ),
    )
    .unwrap();
    let started = Instant::now();
    let out = Command::new("gdb")
        .args(["-nx", "-batch", "-x"])
        .arg(&script)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    // The stub ends when gdb kills the guest.
    while child.try_wait().unwrap().is_none() && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(50));
    }
    if child.try_wait().unwrap().is_none() {
        let _ = child.kill();
    }
    let at = |s: &str| {
        text.find(s)
            .unwrap_or_else(|| panic!("`{s}` missing:\n{text}"))
    };
    // Held at the reset vector before the first instruction.
    let reset = at("eip            0xfff0");
    let bp = at("Breakpoint 1 at 0x7c05");
    let regs = at("eax            0x0");
    let mem = at("0x7c00:\t0xfa\t0x31\t0xc0\t0x8e\t0xd8\t0xb8\t0x34\t0x12");
    let step = at("eip            0x7c08");
    let stepped_ax = at("eax            0x1234");
    let watch = at("Hardware watchpoint 2: *(short *)0x500");
    let new_value = at("New value = 26796");
    let after_watch = at("eip            0x7c0e");
    let ebx = at("ebx            0x99");
    assert!(reset < bp && bp < regs && regs < mem && mem < step && step < stepped_ax);
    assert!(
        stepped_ax < watch && watch < new_value && new_value < after_watch && after_watch < ebx
    );
}

/// Reads one `$...#xx` packet from the stub (acks are skipped).
fn read_packet(s: &mut std::net::TcpStream) -> String {
    use std::io::Read;
    let mut packet = Vec::new();
    let mut byte = [0u8; 1];
    let mut in_packet = false;
    loop {
        assert_eq!(s.read(&mut byte).unwrap(), 1, "connection closed");
        match byte[0] {
            b'$' => in_packet = true,
            b'#' if in_packet => {
                let mut sum = [0u8; 2];
                s.read_exact(&mut sum).unwrap();
                s.write_all(b"+").unwrap();
                return expand_rle(&packet);
            }
            b if in_packet => packet.push(b),
            _ => {}
        }
    }
}

/// Undoes the protocol's run-length encoding (`X*n`: X repeated n - 29 more times).
fn expand_rle(packet: &[u8]) -> String {
    let mut out = Vec::new();
    let mut i = 0;
    while i < packet.len() {
        if packet[i] == b'*' && i + 1 < packet.len() {
            let last = *out.last().unwrap();
            out.extend(std::iter::repeat_n(last, usize::from(packet[i + 1]) - 29));
            i += 2;
        } else {
            out.push(packet[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn send_packet(s: &mut std::net::TcpStream, body: &str) {
    let sum = body.bytes().fold(0u8, |a, b| a.wrapping_add(b));
    s.write_all(format!("${body}#{sum:02x}").as_bytes())
        .unwrap();
}

/// Ctrl-C (a raw 0x03 byte) from the debugger stops a running guest with SIGINT, spoken in
/// the remote protocol directly (no gdb needed).
#[test]
fn gdb_stub_stops_a_running_guest_on_ctrl_c() {
    let img = guest();
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rawbox"))
        .args(["--gdb", &port.to_string(), "--fda"])
        .arg(&img)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    // A guard against a hung stub, not a timing assertion.
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    send_packet(&mut s, "?");
    let stop = read_packet(&mut s);
    assert!(stop.starts_with('T') || stop.starts_with('S'), "{stop}");
    // Continue: the guest boots and halts in its HLT loop; nothing is reported.
    send_packet(&mut s, "c");
    std::thread::sleep(Duration::from_millis(300));
    s.write_all(&[0x03]).unwrap();
    let stop = read_packet(&mut s);
    assert!(stop.starts_with("T02") || stop.starts_with("S02"), "{stop}");
    // Registers: EIP (the 9th register, little-endian hex) is past the boot code's HLT.
    send_packet(&mut s, "g");
    let regs = read_packet(&mut s);
    let eip = u32::from_str_radix(&regs[64..72], 16).unwrap().swap_bytes();
    assert!((0x7C11..=0x7C14).contains(&eip), "eip {eip:x} in {regs}");
    send_packet(&mut s, "k");
    let _ = child.wait();
}
