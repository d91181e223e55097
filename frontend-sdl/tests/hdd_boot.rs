//! FreeDOS boots headless from a partitioned hard-disk image (drive 80h) through rawbox's BIOS:
//! the test builds the image itself (a master boot record assembled here, a FAT12 partition
//! made with mtools holding the FreeDOS system files of the shared boot floppy and that
//! floppy's KERNEL.SYS boot sector code), reaches `C:\>`, runs `ver` and `dir`, and checks
//! with mtools that a file the guest wrote is in the image afterwards.

use iced_x86::code_asm::*;
use iced_x86::{BlockEncoderOptions, Code, Instruction};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Disk geometry of the built image: 16 heads x 63 sectors, 65 cylinders (about 32 MB).
const HEADS: u32 = 16;
const SECTORS_PER_TRACK: u32 = 63;
const CYLINDERS: u32 = 65;
const DISK_SECTORS: u32 = HEADS * SECTORS_PER_TRACK * CYLINDERS;
/// The partition starts on head 1 of cylinder 0 and runs to the end of the disk.
const PART_START: u32 = SECTORS_PER_TRACK;
const PART_SECTORS: u32 = DISK_SECTORS - PART_START;
/// mtools' `IMAGE@@OFFSET` byte offset of the partition.
const PART_OFFSET: u64 = PART_START as u64 * 512;
/// Where the master boot record keeps its error message (before the partition table).
const MBR_MSG_OFFSET: usize = 0x1A0;
const MBR_MSG: &[u8] = b" <- MBR error\r\n\0";

/// Whether a missing tool or data file must fail the test (under CI) rather than skip it.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Fails under CI, otherwise reports why the test is skipped; returns `None` either way.
fn unavailable<T>(why: &str) -> Option<T> {
    assert!(!in_ci(), "hdd_boot: {why} (required under CI)");
    eprintln!("hdd_boot: skipped: {why}");
    None
}

fn shared_images() -> Option<PathBuf> {
    let p = std::env::var_os("RAWBOX_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
        .join("images");
    if p.join("freedos-boot-1440k.img").is_file() {
        Some(p)
    } else {
        unavailable(&format!(
            "{}/freedos-boot-1440k.img not found (set RAWBOX_SHARED)",
            p.display()
        ))
    }
}

fn have_mtools() -> bool {
    Command::new("mformat")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs an mtools command, panicking with its output when it fails; returns stdout.
fn mtool(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .env("MTOOLS_SKIP_CHECK", "1")
        .output()
        .unwrap_or_else(|e| panic!("run {tool}: {e}"));
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The (head, sector|cylinder-high, cylinder-low) bytes of a partition table CHS address.
fn chs_bytes(lba: u32) -> [u8; 3] {
    let cyl = lba / (HEADS * SECTORS_PER_TRACK);
    let head = (lba / SECTORS_PER_TRACK) % HEADS;
    let sector = lba % SECTORS_PER_TRACK + 1;
    [
        head as u8,
        (sector as u8 & 0x3F) | ((cyl >> 8) as u8 & 3) << 6,
        cyl as u8,
    ]
}

/// Master boot record code, assembled to run at 0:0600 after copying itself there from 0:7C00:
/// finds the active partition, reads its first sector to 0:7C00 with INT 13h AH=02h (CHS) and
/// jumps to it with DL = boot drive and DS:SI = the partition entry. On failure it prints a letter
/// (N no active partition, R read error, S no 55AAh signature) and the message, then halts.
fn assemble_mbr_code(reloc_ip: u16) -> Result<(Vec<u8>, u16), IcedError> {
    let mut a = CodeAssembler::new(16)?;
    let mut relocated = a.create_label();
    let mut scan = a.create_label();
    let mut found = a.create_label();
    let mut fail = a.create_label();
    let mut print = a.create_label();
    let mut halt = a.create_label();
    a.cli()?;
    a.xor(ax, ax)?;
    a.mov(ss, ax)?;
    a.mov(sp, 0x7C00)?;
    a.mov(ds, ax)?;
    a.mov(es, ax)?;
    a.sti()?;
    a.cld()?;
    a.mov(si, 0x7C00)?;
    a.mov(di, 0x0600)?;
    a.mov(cx, 0x100)?;
    a.rep().movsw()?;
    a.add_instruction(Instruction::with_far_branch(
        Code::Jmp_ptr1616,
        0,
        u32::from(reloc_ip),
    )?)?;
    a.set_label(&mut relocated)?;
    a.mov(si, 0x0600 + 0x1BE)?;
    a.mov(cx, 4)?;
    a.set_label(&mut scan)?;
    a.test(byte_ptr(si), 0x80)?;
    a.jnz(found)?;
    a.add(si, 16)?;
    a.loop_(scan)?;
    a.mov(al, b'N' as i32)?;
    a.jmp(fail)?;
    a.set_label(&mut found)?;
    a.mov(bp, si)?;
    // CHS read of the partition's first sector (the address the table gives) to 0:7C00;
    // DL still holds the boot drive. (The FreeDOS boot sector and kernel then use AH=42h.)
    a.mov(dh, byte_ptr(si + 1))?;
    a.mov(cx, word_ptr(si + 2))?;
    a.mov(bx, 0x7C00)?;
    a.mov(ax, 0x0201)?;
    a.int(0x13)?;
    a.mov(al, b'R' as i32)?;
    a.jc(fail)?;
    a.cmp(word_ptr(0x7DFE), 0xAA55)?;
    a.mov(al, b'S' as i32)?;
    a.jne(fail)?;
    a.mov(si, bp)?;
    a.add_instruction(Instruction::with_far_branch(Code::Jmp_ptr1616, 0, 0x7C00)?)?;
    a.set_label(&mut fail)?;
    a.mov(ah, 0x0E)?;
    a.mov(bx, 7)?;
    a.int(0x10)?;
    a.mov(si, 0x0600 + MBR_MSG_OFFSET as i32)?;
    a.set_label(&mut print)?;
    a.lodsb()?;
    a.test(al, al)?;
    a.jz(halt)?;
    a.mov(ah, 0x0E)?;
    a.int(0x10)?;
    a.jmp(print)?;
    a.set_label(&mut halt)?;
    a.hlt()?;
    a.jmp(halt)?;
    let result = a.assemble_options(0x0600, BlockEncoderOptions::RETURN_NEW_INSTRUCTION_OFFSETS)?;
    let ip = result.label_ip(&relocated)?;
    Ok((result.inner.code_buffer, ip as u16))
}

/// The 512-byte master boot record: code, message, one active FAT12 partition, signature.
fn master_boot_record() -> [u8; 512] {
    // Pass 1 finds where the relocated code starts; pass 2 jumps there (same lengths).
    let (_, reloc_ip) = assemble_mbr_code(0).expect("assemble MBR");
    let (code, check_ip) = assemble_mbr_code(reloc_ip).expect("assemble MBR");
    assert_eq!(reloc_ip, check_ip);
    assert!(code.len() <= MBR_MSG_OFFSET, "MBR code too long");
    let mut mbr = [0u8; 512];
    mbr[..code.len()].copy_from_slice(&code);
    mbr[MBR_MSG_OFFSET..MBR_MSG_OFFSET + MBR_MSG.len()].copy_from_slice(MBR_MSG);
    let entry = &mut mbr[0x1BE..0x1CE];
    entry[0] = 0x80;
    entry[1..4].copy_from_slice(&chs_bytes(PART_START));
    entry[4] = 0x01; // FAT12
    entry[5..8].copy_from_slice(&chs_bytes(DISK_SECTORS - 1));
    entry[8..12].copy_from_slice(&PART_START.to_le_bytes());
    entry[12..16].copy_from_slice(&PART_SECTORS.to_le_bytes());
    mbr[510] = 0x55;
    mbr[511] = 0xAA;
    mbr
}

/// Reads one 512-byte sector of an image file.
fn sector(img: &Path, lba: u64) -> [u8; 512] {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(img).unwrap();
    f.seek(SeekFrom::Start(lba * 512)).unwrap();
    let mut s = [0u8; 512];
    f.read_exact(&mut s).unwrap();
    s
}

/// Writes one 512-byte sector of an image file.
fn write_sector(img: &Path, lba: u64, data: &[u8; 512]) {
    use std::io::{Seek, SeekFrom, Write};
    let mut f = std::fs::OpenOptions::new().write(true).open(img).unwrap();
    f.seek(SeekFrom::Start(lba * 512)).unwrap();
    f.write_all(data).unwrap();
}

/// Builds the hard-disk image in `dir` from the FreeDOS boot floppy; returns its path.
fn build_hdd_image(images: &Path, dir: &Path) -> PathBuf {
    let floppy = dir.join("floppy.img");
    std::fs::copy(images.join("freedos-boot-1440k.img"), &floppy).unwrap();
    let fl = floppy.to_str().unwrap();
    let files = dir.join("files");
    std::fs::create_dir_all(&files).unwrap();
    let files_dir = format!("{}/", files.display());
    mtool(
        "mcopy",
        &[
            "-n",
            "-i",
            fl,
            "::/KERNEL.SYS",
            "::/COMMAND.COM",
            &files_dir,
        ],
    );
    // SWITCHES=/N: no F5/F8 prompt, whose keyboard poll would eat the first scripted key.
    std::fs::write(
        files.join("CONFIG.SYS"),
        "SWITCHES=/N\r\nFILES=20\r\nBUFFERS=20\r\n",
    )
    .unwrap();
    std::fs::write(
        files.join("AUTOEXEC.BAT"),
        "@ECHO OFF\r\nPROMPT $P$G\r\nECHO HDD AUTOEXEC RAN\r\n",
    )
    .unwrap();

    let img = dir.join("hdd.img");
    let f = std::fs::File::create(&img).unwrap();
    f.set_len(u64::from(DISK_SECTORS) * 512).unwrap();
    drop(f);
    write_sector(&img, 0, &master_boot_record());

    let part = format!("{}@@{PART_OFFSET}", img.display());
    let (total, heads, spt, hidden) = (
        PART_SECTORS.to_string(),
        HEADS.to_string(),
        SECTORS_PER_TRACK.to_string(),
        PART_START.to_string(),
    );
    // 32 sectors per cluster keeps the cluster count under 4085: a FAT12 file system, which
    // the floppy's boot sector code can load KERNEL.SYS from.
    mtool(
        "mformat",
        &[
            "-i", &part, "-T", &total, "-h", &heads, "-s", &spt, "-H", &hidden, "-c", "32", "-v",
            "FDHDD", "::",
        ],
    );
    let info = mtool("minfo", &["-i", &part, "::"]);
    assert!(info.contains("FAT12"), "mformat made no FAT12:\n{info}");

    // The partition's boot sector: its own BPB, the floppy's boot code, drive number 80h.
    let fboot = sector(&floppy, 0);
    assert_eq!(
        &fboot[..2],
        &[0xEB, 0x3C],
        "floppy boot sector has no short jump"
    );
    let mut boot = sector(&img, u64::from(PART_START));
    boot[..3].copy_from_slice(&fboot[..3]);
    boot[0x3E..].copy_from_slice(&fboot[0x3E..]);
    boot[0x24] = 0x80;
    assert_eq!(
        u32::from_le_bytes(boot[0x1C..0x20].try_into().unwrap()),
        PART_START,
        "BPB hidden sectors"
    );
    assert_eq!(&boot[510..], &[0x55, 0xAA]);
    write_sector(&img, u64::from(PART_START), &boot);

    let names: Vec<String> = ["KERNEL.SYS", "COMMAND.COM", "CONFIG.SYS", "AUTOEXEC.BAT"]
        .iter()
        .map(|n| files.join(n).display().to_string())
        .collect();
    let mut args = vec!["-i", part.as_str()];
    args.extend(names.iter().map(String::as_str));
    args.push("::/");
    mtool("mcopy", &args);
    img
}

struct Run {
    code: i32,
    screen: String,
    stderr: String,
}

/// Boots `image` as hard disk C:, types `keys`, waits for `until` on the screen.
fn boot_c(image: &Path, keys: &str, until: &str) -> Run {
    let dump = image.with_extension("screen.txt");
    let out = Command::new(env!("CARGO_BIN_EXE_rawbox"))
        .args(["--headless", "--quiet", "--boot", "c", "--hda"])
        .arg(image)
        .args(["--keys", keys, "--until-text", until, "--timeout", "60"])
        .arg("--screen-dump")
        .arg(&dump)
        .output()
        .expect("run rawbox");
    Run {
        code: out.status.code().unwrap_or(-1),
        screen: std::fs::read_to_string(&dump).unwrap_or_default(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn assert_ok_with(r: &Run, what: &[&str]) {
    assert_eq!(r.code, 0, "exit {}: {}\n{}", r.code, r.stderr, r.screen);
    for w in what {
        assert!(
            r.screen.contains(w),
            "'{w}' not on the screen (stderr {}):\n{}",
            r.stderr,
            r.screen
        );
    }
}

#[test]
fn freedos_boots_from_partitioned_hard_disk_and_writes_to_it() {
    let Some(images) = shared_images() else {
        return;
    };
    if !have_mtools() {
        unavailable::<()>("mtools (mformat, mcopy, minfo, mtype, mdir) not installed");
        return;
    }
    let dir = std::env::temp_dir().join(format!("rawbox-hdd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let img = build_hdd_image(&images, &dir);
    let part = format!("{}@@{PART_OFFSET}", img.display());

    let r = boot_c(&img, "", "C:\\>");
    assert_ok_with(&r, &["FreeDOS kernel", "HDD AUTOEXEC RAN", "C:\\>"]);

    let r = boot_c(&img, "ver\\rset Z=END\\recho %Z%-OF-TEST\\r", "END-OF-TEST");
    assert_ok_with(&r, &["C:\\>ver"]);
    let after_ver = r.screen.split("C:\\>ver").nth(1).unwrap_or("");
    assert!(
        after_ver.contains("FreeCom version"),
        "no VER output:\n{}",
        r.screen
    );

    let r = boot_c(&img, "echo hello> NEW.TXT\\rdir\\r", "bytes free");
    assert_ok_with(
        &r,
        &[
            "Volume in drive C is FDHDD",
            "KERNEL   SYS",
            "COMMAND  COM",
            "CONFIG   SYS",
            "AUTOEXEC BAT",
            "NEW      TXT",
            "5 file(s)",
        ],
    );

    let listing = mtool("mdir", &["-i", &part, "::/"]);
    assert!(listing.contains("NEW      TXT"), "no NEW.TXT:\n{listing}");
    let text = mtool("mtype", &["-i", &part, "::/NEW.TXT"]);
    assert_eq!(text.trim_end(), "hello", "NEW.TXT holds {text:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
