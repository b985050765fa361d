//! Hostile and broken inputs in one batch: decompression bombs (image headers that claim
//! 100,000 × 100,000 pixels, Flate streams that inflate to gigabytes), deeply nested and cyclic
//! PDF objects, an xref /Prev loop, absurd page counts, malformed multi-page TIFFs, JPEGs with bad
//! markers, non-UTF-8 and too-long file names, unreadable files, a symlink loop and a file whose
//! size does not match what was read. The files are made here, byte by byte, so the test needs
//! nothing but the kyso binary.
//!
//! The batch runs under an address-space limit (`prlimit --as`), so a bomb that allocated what
//! it claims would abort the run: that, not a timer, is the memory bound. Every hostile file must
//! get its record with the typed error it deserves, and the good files in the same batch must
//! come out clean.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use flate2::write::ZlibEncoder;
use flate2::Compression;
use serde_json::Value;

/// Address space the batch may use (Tesseract's models, two workers, one 512 MiB stream at a
/// time fit in it): less than what the bombs claim (2 GiB streams, 10^10 pixels).
const ADDRESS_SPACE: u64 = 3 << 30;
/// What the Flate bombs inflate to.
const BOMB_BYTES: usize = 2 << 30;

/// A classic PDF (xref table) from numbered object bodies; object 1 is the catalog.
fn pdf(objects: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = BTreeMap::new();
    for (num, body) in objects {
        offsets.insert(*num, out.len());
        out.extend_from_slice(format!("{num} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let size = offsets.keys().max().copied().unwrap_or(0) + 1;
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {size}\n0000000000 65535 f \n").as_bytes());
    for num in 1..size {
        match offsets.get(&num) {
            Some(off) => out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes()),
            None => out.extend_from_slice(b"0000000000 65535 f \n"),
        }
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut s = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    s.extend_from_slice(data);
    s.extend_from_slice(b"\nendstream");
    s
}

fn page_pdf(page_extra: &str, more: Vec<(u32, Vec<u8>)>) -> Vec<u8> {
    let mut objects = vec![
        (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
        (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
        (
            3,
            format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] {page_extra} >>")
                .into_bytes(),
        ),
    ];
    objects.extend(more);
    pdf(&objects)
}

/// `BOMB_BYTES` zeros, deflated (about 2 MB: Flate's best ratio is about 1000:1).
fn flate_bomb() -> Vec<u8> {
    let mut enc = ZlibEncoder::new(Vec::new(), Compression::fast());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..BOMB_BYTES / zeros.len() {
        enc.write_all(&zeros).unwrap();
    }
    enc.finish().unwrap()
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
}

/// A real 8×8 PNG whose IHDR then claims `w` × `h` (with a correct CRC).
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit gray, deflate, no filter, no interlace
    let mut idat = ZlibEncoder::new(Vec::new(), Compression::fast());
    idat.write_all(&[0u8; 9 * 8]).unwrap();
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    png_chunk(&mut out, b"IHDR", &ihdr);
    png_chunk(&mut out, b"IDAT", &idat.finish().unwrap());
    png_chunk(&mut out, b"IEND", b"");
    out
}

fn small_jpeg() -> Vec<u8> {
    let img = image::GrayImage::from_pixel(16, 16, image::Luma([200]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// A real JPEG whose SOF0 then claims 65,535 × 65,535 pixels (4.3 billion).
fn jpeg_claiming_max() -> Vec<u8> {
    let mut j = small_jpeg();
    let sof = j.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    // FF C0, length (2), precision (1), height (2), width (2)
    j[sof + 5..sof + 9].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
    j
}

/// A JPEG with an APP1 segment whose length (0) is shorter than its own length field.
fn jpeg_app1_length_zero() -> Vec<u8> {
    let j = small_jpeg();
    [&j[..2], &[0xFF, 0xE1, 0x00, 0x00][..], &j[2..]].concat()
}

/// A JPEG whose quantisation table (DQT) has a precision/id byte of 0x7F (precision 7).
fn jpeg_bad_dqt() -> Vec<u8> {
    let mut j = small_jpeg();
    let dqt = j.windows(2).position(|w| w == [0xFF, 0xDB]).unwrap();
    j[dqt + 4] = 0x7F;
    j
}

/// A little-endian TIFF from IFDs of (tag, type, count, value) entries. Each IFD's next
/// pointer is `next(i, offset_of_ifd_i)`; `data` is appended at offset 8.
fn tiff(
    data: &[u8],
    ifds: &[Vec<(u16, u16, u32, u32)>],
    next: impl Fn(usize, u32) -> u32,
) -> Vec<u8> {
    let mut out = b"II*\0".to_vec();
    let first = 8 + data.len() as u32;
    out.extend_from_slice(&first.to_le_bytes());
    out.extend_from_slice(data);
    let mut offset = first;
    for (i, entries) in ifds.iter().enumerate() {
        let size = 2 + 12 * entries.len() as u32 + 4;
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        for &(tag, ty, count, value) in entries {
            out.extend_from_slice(&tag.to_le_bytes());
            out.extend_from_slice(&ty.to_le_bytes());
            out.extend_from_slice(&count.to_le_bytes());
            out.extend_from_slice(&value.to_le_bytes());
        }
        let following = if i + 1 < ifds.len() { offset + size } else { 0 };
        out.extend_from_slice(&next(i, following).to_le_bytes());
        offset += size;
    }
    out
}

/// IFD entries of an uncompressed 8-bit gray image whose strip is at `strip` (`len` bytes).
fn gray_ifd(w: u32, h: u32, strip: u32, len: u32) -> Vec<(u16, u16, u32, u32)> {
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    vec![
        (256, LONG, 1, w),
        (257, LONG, 1, h),
        (258, SHORT, 1, 8),
        (259, SHORT, 1, 1),
        (262, SHORT, 1, 1),
        (273, LONG, 1, strip),
        (277, SHORT, 1, 1),
        (278, LONG, 1, h),
        (279, LONG, 1, len),
    ]
}

fn next_in_order(_: usize, following: u32) -> u32 {
    following
}

struct Batch {
    dir: tempfile::TempDir,
    /// file name → (stage, kind) it must report; `None`: it must come out clean.
    expect: Vec<(PathBuf, Option<(&'static str, &'static str)>)>,
}

impl Batch {
    fn add(&mut self, name: &str, bytes: &[u8], expect: Option<(&'static str, &'static str)>) {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        self.expect.push((path, expect));
    }
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.trim_ascii() == b"0")
        .unwrap_or(true)
}

fn build_batch() -> Batch {
    let mut b = Batch {
        dir: tempfile::tempdir().unwrap(),
        expect: Vec::new(),
    };
    let corpus = common::corpus_dir();
    let good_pdf = std::fs::read(corpus.join("bd-unsigned.pdf")).unwrap();
    b.add("good-born-digital.pdf", &good_pdf, None);
    b.add(
        "good-scan.png",
        &std::fs::read(corpus.join("scan-page.png")).unwrap(),
        None,
    );

    // Decompression bombs.
    b.add(
        "bomb-png-100000x100000.png",
        &png_claiming(100_000, 100_000),
        Some(("source", "too_many_pixels")),
    );
    b.add(
        "bomb-jpeg-65535x65535.jpg",
        &jpeg_claiming_max(),
        Some(("source", "too_many_pixels")),
    );
    let strip = 8u32;
    b.add(
        "bomb-tiff-100000x100000.tif",
        &tiff(
            &[0; 16],
            &[gray_ifd(100_000, 100_000, strip, 16)],
            next_in_order,
        ),
        Some(("source", "too_many_pixels")),
    );
    let bomb = flate_bomb();
    b.add(
        "bomb-flate-page-content.pdf",
        &page_pdf(
            "/Contents 4 0 R",
            vec![(4, stream("/Filter /FlateDecode", &bomb))],
        ),
        Some(("source", "stream_too_large")),
    );
    b.add(
        "bomb-flate-form-xobject.pdf",
        &page_pdf(
            "/Contents 4 0 R /Resources << /XObject << /Fm 5 0 R >> >>",
            vec![
                (4, stream("", b"/Fm Do")),
                (
                    5,
                    stream(
                        "/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Filter /FlateDecode",
                        &bomb,
                    ),
                ),
            ],
        ),
        Some(("source", "stream_too_large")),
    );
    b.add(
        "bomb-flate-image.pdf",
        &page_pdf(
            "/Contents 4 0 R /Resources << /XObject << /Im 5 0 R >> >>",
            vec![
                (4, stream("", b"q 595 0 0 842 0 0 cm /Im Do Q")),
                (
                    5,
                    stream(
                        "/Type /XObject /Subtype /Image /Width 1000 /Height 1000 \
                         /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode",
                        &bomb,
                    ),
                ),
            ],
        ),
        // The page is a scan; its raster is decoded for OCR, and refused there.
        Some(("ocr", "stream_too_large")),
    );

    // Deep nesting, cycles, loops, absurd counts.
    let depth = 100_000;
    let nested = format!(
        "<< /Type /Pages /Kids {}3 0 R{} /Count 1 >>",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    b.add(
        "nested-arrays-100000-deep.pdf",
        &pdf(&[
            (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
            (2, nested.into_bytes()),
            (
                3,
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec(),
            ),
        ]),
        Some(("source", "malformed")),
    );
    let dicts = format!("{}{}", "<< /A ".repeat(depth), " >>".repeat(depth));
    b.add(
        "nested-dicts-100000-deep.pdf",
        &pdf(&[
            (
                1,
                format!("<< /Type /Catalog /Pages 2 0 R /Deep {dicts} >>").into_bytes(),
            ),
            (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
            (
                3,
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec(),
            ),
        ]),
        Some(("source", "malformed")),
    );
    b.add(
        "page-tree-cycle.pdf",
        &pdf(&[
            (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
            (2, b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>".to_vec()),
            (
                4,
                b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>".to_vec(),
            ),
        ]),
        Some(("source", "malformed")),
    );
    b.add(
        "reference-cycle-contents.pdf",
        &page_pdf(
            "/Contents 4 0 R /Resources 6 0 R",
            vec![
                (4, b"5 0 R".to_vec()),
                (5, b"4 0 R".to_vec()),
                (6, b"7 0 R".to_vec()),
                (7, b"6 0 R".to_vec()),
            ],
        ),
        Some(("source", "malformed")),
    );
    let mut xref_loop = page_pdf("", vec![]);
    // A second xref section whose /Prev names itself.
    let at = xref_loop.len();
    xref_loop.extend_from_slice(
        format!(
            "xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 4 /Root 1 0 R /Prev {at} >>\n\
             startxref\n{at}\n%%EOF\n"
        )
        .as_bytes(),
    );
    b.add(
        "xref-prev-loop.pdf",
        &xref_loop,
        Some(("source", "malformed")),
    );
    b.add(
        "page-count-one-billion.pdf",
        &pdf(&[
            (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
            (
                2,
                b"<< /Type /Pages /Kids [3 0 R] /Count 1000000000 >>".to_vec(),
            ),
            (
                3,
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec(),
            ),
        ]),
        Some(("source", "too_many_pages")),
    );
    let mut many = vec![(1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec())];
    let kids: Vec<String> = (0..60).map(|i| format!("{} 0 R", 10 + i)).collect();
    many.push((
        2,
        format!("<< /Type /Pages /Kids [{}] /Count 60 >>", kids.join(" ")).into_bytes(),
    ));
    for i in 0..60 {
        many.push((
            10 + i,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec(),
        ));
    }
    b.add(
        "sixty-pages-over-max-pages.pdf",
        &pdf(&many),
        Some(("source", "too_many_pages")),
    );

    // Broken multi-page TIFFs and JPEGs.
    let pixels = [255u8; 16 * 16];
    b.add(
        "tiff-ifd-loop.tif",
        &tiff(&pixels, &[gray_ifd(16, 16, strip, 256)], |_, _| 8 + 256),
        Some(("source", "malformed")),
    );
    b.add(
        "tiff-second-page-strip-outside-file.tif",
        &tiff(
            &pixels,
            &[
                gray_ifd(16, 16, strip, 256),
                gray_ifd(16, 16, 0x7FFF_0000, 256),
            ],
            next_in_order,
        ),
        Some(("ocr", "malformed")),
    );
    b.add(
        "jpeg-app1-length-zero.jpg",
        &jpeg_app1_length_zero(),
        Some(("source", "malformed")),
    );
    b.add(
        "jpeg-bad-dqt.jpg",
        &jpeg_bad_dqt(),
        Some(("source", "malformed")),
    );

    // Names: not UTF-8 (processed normally: outputs are named by content hash), and a path
    // longer than the system allows (unreadable, reported, not fatal).
    let latin1 = b
        .dir
        .path()
        .join(std::ffi::OsStr::from_bytes(b"quy\xe9t-\xf0nh.pdf"));
    std::fs::write(&latin1, &good_pdf).unwrap();
    b.expect.push((latin1, None));
    let component = "d".repeat(250);
    // `cd` stops working once the path passes PATH_MAX, `mkdir` relative to the current
    // folder does not: the last folder is one the walk cannot open by its full path.
    let script = format!(
        "cd \"$1\" && for i in $(seq 20); do mkdir {component} || exit 1; \
         cd {component} 2>/dev/null || exit 0; done; cp \"$2\" ./file.pdf"
    );
    let status = Command::new("sh")
        .args(["-c", &script, "sh"])
        .arg(b.dir.path())
        .arg(corpus.join("bd-unsigned.pdf"))
        .status()
        .unwrap();
    assert!(status.success(), "could not build the deep folder");
    // Its record names the folder where the path got too long, somewhere below this one.
    b.expect.push((
        b.dir.path().join(&component),
        Some(("discover", "unreadable")),
    ));

    // Files that cannot be read, or not as one version: /proc/self/mem fails to read at
    // offset 0 (EIO) even for root; /proc/self/stat reports size 0 and yields bytes, which is
    // what a file being rewritten during the read looks like.
    let mem = b.dir.path().join("unreadable-proc-mem.pdf");
    std::os::unix::fs::symlink("/proc/self/mem", &mem).unwrap();
    b.expect.push((mem, Some(("discover", "unreadable"))));
    let stat = b.dir.path().join("changing-proc-stat.pdf");
    std::os::unix::fs::symlink("/proc/self/stat", &stat).unwrap();
    b.expect
        .push((stat, Some(("read", "changed_while_reading"))));
    let looping = b.dir.path().join("loop");
    std::os::unix::fs::symlink(".", &looping).unwrap();
    b.expect.push((looping, Some(("discover", "symlink_loop"))));
    // Permission bits do not stop root, so these only count when the tests run as a user.
    if !running_as_root() {
        use std::os::unix::fs::PermissionsExt;
        let locked = b.dir.path().join("locked.pdf");
        std::fs::write(&locked, &good_pdf).unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        b.expect.push((locked, Some(("discover", "unreadable"))));
        let folder = b.dir.path().join("locked-folder");
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(folder.join("inside.pdf"), &good_pdf).unwrap();
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o000)).unwrap();
        b.expect.push((folder, Some(("discover", "unreadable"))));
    } else {
        eprintln!("note: running as root, permission-denied files are not part of this batch");
    }
    b
}

#[test]
fn every_hostile_input_gets_its_typed_error_within_a_memory_bound_and_the_batch_goes_on() {
    let batch = build_batch();
    let out = tempfile::tempdir().unwrap();
    let output = Command::new("prlimit")
        .arg(format!("--as={ADDRESS_SPACE}"))
        .arg("--")
        .arg(common::kyso_bin())
        .args(["scan", "--quiet", "--jobs", "2", "--max-pages", "50"])
        .arg(batch.dir.path())
        .arg("--out")
        .arg(out.path())
        .output()
        .expect("prlimit (util-linux) runs kyso");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "kyso panicked:\n{stderr}");
    assert_eq!(
        output.status.code(),
        Some(1),
        "documents with errors make exit code 1 (and nothing aborted):\n{stderr}"
    );
    let records = common::read_records(&out.path().join("documents.jsonl"));
    let by_path: BTreeMap<String, &Value> = records
        .iter()
        .map(|r| (r["path"].as_str().unwrap().to_string(), r))
        .collect();
    let mut wrong = Vec::new();
    for (path, expect) in &batch.expect {
        let key = path.to_string_lossy().into_owned();
        let below = format!("{key}/");
        let found = by_path
            .iter()
            .find(|(p, _)| **p == key || p.starts_with(&below));
        let Some((_, record)) = found else {
            wrong.push(format!("{key}: no record"));
            continue;
        };
        let errors: Vec<(String, String)> = record["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["stage"].as_str().unwrap().to_string(),
                    e["kind"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let name = path.file_name().unwrap().to_string_lossy();
        match expect {
            None if !errors.is_empty() => {
                wrong.push(format!("{name}: expected no error, got {errors:?}"))
            }
            None if record["pages"].as_array().unwrap().is_empty() => {
                wrong.push(format!("{name}: a good file must have its pages"))
            }
            Some((stage, kind)) if !errors.iter().any(|e| e.0 == *stage && e.1 == *kind) => {
                wrong.push(format!("{name}: expected {stage}/{kind}, got {errors:?}"))
            }
            _ => {}
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(
        records.len(),
        batch.expect.len(),
        "one record per input, no more"
    );
}

#[test]
fn output_names_come_from_content_never_from_input_names() {
    // A name full of traversal attempts and separators-to-be: outputs must not use it.
    let dir = tempfile::tempdir().unwrap();
    let name = std::ffi::OsStr::from_bytes(b"scan ..%2F..%2Fetc%2Fpasswd \xff.png");
    std::fs::copy(
        common::corpus_dir().join("scan-page.png"),
        dir.path().join(name),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(common::kyso_bin())
        .args(["scan", "--quiet", "--outputs", "text,hocr,alto,pdf"])
        .arg(dir.path())
        .arg("--out")
        .arg(out.path())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let records = common::read_records(&out.path().join("documents.jsonl"));
    let id = records[0]["id"].as_str().unwrap().to_string();
    let mut written = Vec::new();
    for entry in walkdir::WalkDir::new(out.path()) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            written.push(
                entry
                    .path()
                    .strip_prefix(out.path())
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    written.sort();
    assert!(
        written.len() >= 4,
        "text, hOCR, ALTO and PDF outputs: {written:?}"
    );
    for file in &written {
        assert!(
            // The run's own files have fixed names; every document output is named by its id.
            file == "documents.jsonl"
                || file.starts_with("catalog.sqlite")
                || Path::new(file)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(&id),
            "{file} is not named from the document id {id}"
        );
        assert!(!file.contains("passwd") && !file.contains(".tmp"), "{file}");
    }
}

#[test]
fn a_page_over_its_time_budget_fails_with_timeout_and_the_batch_goes_on() {
    // A 1 ms budget is spent before any page could be recognised (decoding and preparing the
    // page alone take longer), so the outcome does not depend on the machine's speed.
    let dir = tempfile::tempdir().unwrap();
    let corpus = common::corpus_dir();
    std::fs::copy(corpus.join("scan-page.png"), dir.path().join("a-scan.png")).unwrap();
    std::fs::copy(
        corpus.join("bd-unsigned.pdf"),
        dir.path().join("b-digital.pdf"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(common::kyso_bin())
        .args(["scan", "--quiet", "--page-timeout", "0.001"])
        .arg(dir.path())
        .arg("--out")
        .arg(out.path())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    let records = common::read_records(&out.path().join("documents.jsonl"));
    let scan = &records[0];
    assert_eq!(scan["errors"][0]["stage"], "ocr");
    assert_eq!(scan["errors"][0]["kind"], "timeout");
    assert_eq!(scan["ocr"]["pages"][0]["status"], "failed");
    assert_eq!(
        scan["verdict"], "scanned_unsigned",
        "the page is still classified"
    );
    assert_eq!(records[1]["errors"], serde_json::json!([]));
}

#[test]
fn a_jpeg_that_crashes_the_decoder_is_a_malformed_page_not_an_internal_error() {
    // Found by `make fuzz` (target image): zune-jpeg 0.5.15 panics in its AVX2 IDCT.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        common::crate_dir().join("testdata/fuzz/zune-jpeg-idct-panic.jpg"),
        dir.path().join("crash.jpg"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(common::kyso_bin())
        .args(["scan", "--quiet"])
        .arg(dir.path())
        .arg("--out")
        .arg(out.path())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    let records = common::read_records(&out.path().join("documents.jsonl"));
    let errors = records[0]["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["stage"], "ocr");
    assert_eq!(errors[0]["kind"], "malformed");
}
