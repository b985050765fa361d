//! The second reading of poorly read lines (`src/ocr/reread.rs`) with the real engine, on a cut
//! of a zones bench page whose last list line Tesseract misreads inside the page as scanned
//! (`testdata/ocr/archive-line.png`, made by `testdata/generate/ocr_lines.py`). Since the engine
//! reads the page with its paper evened out (`src/ocr/paper.rs`), the page pass reads that line
//! right, so the second reading is checked on the page as scanned (`even_paper: false`).

mod common;

use std::path::PathBuf;
use std::process::Command;

use kyso::ocr::{self, Preprocess};
use kyso::source::PageImage;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/ocr")
        .join(name)
}

/// The list's lines, "Nơi nhận:" first.
fn list() -> Vec<String> {
    std::fs::read_to_string(fixture("archive-line.list.txt"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn read(opts: &Preprocess) -> ocr::OcrPage {
    let page = PageImage {
        image: image::open(fixture("archive-line.png")).unwrap(),
        dpi: Some(300.0),
    };
    ocr::recognize_page(ocr::DEFAULT_LANGS, &page, opts, None)
        .unwrap()
        .page
}

#[test]
fn a_list_line_misread_inside_the_page_is_read_right_alone() {
    let list = list();
    let last = list.last().unwrap();
    assert_eq!(last, "- Lưu: VT, VP.");

    // Without the second reading, the fixture still shows what it was made for; if a new
    // Tesseract reads the line right in the page as scanned, this test no longer tests anything.
    let as_scanned = Preprocess {
        even_paper: false,
        ..Preprocess::default()
    };
    let first = read(&Preprocess {
        reread: false,
        ..as_scanned.clone()
    });
    assert!(
        !first.text.lines().any(|l| l.trim() == last),
        "the page pass now reads the archive line right:\n{}",
        first.text
    );
    assert_eq!(first.lines_reread, 0);

    let page = read(&as_scanned);
    for line in &list {
        assert!(
            page.text.lines().any(|l| l.trim() == line),
            "{line:?} not read:\n{}",
            page.text
        );
    }
    assert_eq!(page.lines_reread, 1, "{}", page.text);
    assert!(page.mean_confidence > first.mean_confidence);
    // The words read again are placed where the line is: below the list's first item, in the
    // left part of the cut.
    let item = page.words.iter().find(|w| w.text == "thuộc;").unwrap();
    let lưu = page.words.iter().find(|w| w.text == "Lưu:").unwrap();
    assert!(lưu.bbox[1] > item.bbox[3], "{lưu:?} not below {item:?}");
    assert!(lưu.bbox[0] < page.width / 2 && lưu.bbox[2] > lưu.bbox[0]);
    // ...and belong to a line of their own, below the first item.
    let line: Vec<_> = page.words.iter().filter(|w| w.line == lưu.line).collect();
    assert_eq!(line.len(), 4, "{line:?}");
    assert!(
        line.iter()
            .all(|w| (w.bbox[1] + w.bbox[3]) / 2 > item.bbox[3]),
        "{line:?}"
    );
}

#[test]
fn with_the_paper_evened_out_the_page_pass_reads_the_list_right() {
    let page = read(&Preprocess {
        reread: false,
        ..Preprocess::default()
    });
    for line in &list() {
        assert!(
            page.text.lines().any(|l| l.trim() == line),
            "{line:?} not read:\n{}",
            page.text
        );
    }
}

#[test]
fn scan_gives_the_list_as_recipients() {
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(common::kyso_bin())
        .args(["scan", "--quiet", "--outputs", "text", "--out"])
        .arg(out.path())
        .arg(fixture("archive-line.png"))
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let line = std::fs::read_to_string(out.path().join("documents.jsonl")).unwrap();
    let record: serde_json::Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    assert!(
        record["ocr"]["pages"][0]["lines_reread"].is_u64(),
        "{record}"
    );
    let expected: Vec<String> = list()[1..]
        .iter()
        .map(|l| l.trim_start_matches("- ").to_string())
        .collect();
    assert_eq!(
        record["metadata"]["recipients"]["value"],
        serde_json::json!(expected)
    );
}
