//! Helpers shared by the integration tests: fixture discovery and ground truth.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::Value;

pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn corpus_dir() -> PathBuf {
    crate_dir().join("testdata/corpus")
}

/// Every fixture under `testdata/corpus` (recursively) that has a `<file>.truth.json`,
/// with its ground truth, sorted by path. Hidden files are included.
pub fn fixtures() -> Vec<(PathBuf, Value)> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(corpus_dir()).sort_by_file_name() {
        let entry = entry.expect("walk testdata/corpus");
        let path = entry.path();
        let name = path.file_name().unwrap().to_string_lossy();
        if let Some(stem) = name.strip_suffix(".truth.json") {
            let fixture = path.with_file_name(stem);
            let truth: Value = serde_json::from_slice(&std::fs::read(path).expect("read truth"))
                .expect("truth is JSON");
            out.push((fixture, truth));
        }
    }
    assert!(
        out.len() >= 15,
        "expected the fixture corpus, found {} truth files",
        out.len()
    );
    out
}

pub fn kyso_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kyso"))
}

/// Reads a `documents.jsonl` into values.
pub fn read_records(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("documents.jsonl exists");
    text.lines()
        .map(|l| serde_json::from_str(l).expect("each line is a JSON record"))
        .collect()
}

/// The same records without the fields that legitimately differ between runs.
pub fn without_timings(mut records: Vec<Value>) -> Vec<Value> {
    for r in &mut records {
        if let Some(obj) = r.as_object_mut() {
            obj.remove("elapsed_ms");
            // Per-page stage times (ocr.pages[].ms) are wall time too.
            let pages = obj
                .get_mut("ocr")
                .and_then(|o| o.get_mut("pages"))
                .and_then(Value::as_array_mut);
            for page in pages.into_iter().flatten() {
                if let Some(p) = page.as_object_mut() {
                    p.remove("ms");
                }
            }
        }
    }
    records
}

/// The shared real-world corpus (`<crate>/../shared/realworld` or `$KYSO_REALWORLD`), or `None`
/// with a clear SKIP line when it is absent (outside this team's machines).
pub fn realworld() -> Option<PathBuf> {
    let dir = std::env::var_os("KYSO_REALWORLD")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate_dir().join("../shared/realworld"));
    if dir.join("labels.jsonl").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "SKIP: real-world corpus not found at {} (set KYSO_REALWORLD)",
            dir.display()
        );
        None
    }
}

/// Scans the fixture corpus without OCR (page kinds, signatures, marks and verdicts do not need
/// it) into `out`, then runs `kyso report --from out` with `report_args`; insists both work
/// (the scan exits 1 because the broken fixtures have errors) and returns the report's folder.
pub fn scan_and_report(out: &Path, report_args: &[&str]) -> PathBuf {
    let corpus = corpus_dir();
    let scan = std::process::Command::new(kyso_bin())
        .arg("scan")
        .arg(&corpus)
        .args([
            "--ocr",
            "none",
            "--exclude",
            "*.truth.json",
            "--exclude",
            "*.md",
            "--quiet",
        ])
        .arg("--out")
        .arg(out)
        .output()
        .expect("run kyso scan");
    assert_eq!(
        scan.status.code(),
        Some(1),
        "scan of the corpus: exit 1 expected (broken fixtures), stderr:\n{}",
        String::from_utf8_lossy(&scan.stderr)
    );
    let report_dir = out.join("report");
    let report = std::process::Command::new(kyso_bin())
        .arg("report")
        .arg("--from")
        .arg(out)
        .arg("--out")
        .arg(&report_dir)
        .args(report_args)
        .output()
        .expect("run kyso report");
    assert!(
        report.status.success(),
        "kyso report failed: {}",
        String::from_utf8_lossy(&report.stderr)
    );
    report_dir
}

/// A metadata value as the accuracy tests compare it: NFC, whitespace runs as one space.
pub fn normalized(v: &Value) -> Value {
    use unicode_normalization::UnicodeNormalization;
    match v {
        Value::String(s) => Value::String(
            s.nfc()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Value::Array(items) => Value::Array(items.iter().map(normalized).collect()),
        other => other.clone(),
    }
}
