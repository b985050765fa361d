//! `kyso scan` end to end: the built binary on the committed fixtures.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn scan(args: &[&str], out: &Path) -> Output {
    Command::new(common::kyso_bin())
        .arg("scan")
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .expect("run kyso")
}

/// Scans the whole corpus; `ocr` is `full` or `none` (most tests need no OCR and run faster
/// without it).
fn scan_corpus(out: &Path, jobs: &str, ocr: &str) -> Output {
    let corpus = common::corpus_dir();
    scan(
        &[
            corpus.to_str().unwrap(),
            "--jobs",
            jobs,
            "--ocr",
            ocr,
            "--exclude",
            "*.truth.json",
            "--exclude",
            "*.md",
        ],
        out,
    )
}

fn no_panic(output: &Output) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "kyso panicked:\n{stderr}");
}

/// The files a scan of the corpus must report: not hidden, not ground truth or notes.
fn expected_inputs() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(common::corpus_dir())
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            !name.ends_with(".truth.json") && !name.ends_with(".md")
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_input_gets_exactly_one_record_in_path_order() {
    let dir = tempfile::tempdir().unwrap();
    let output = scan_corpus(dir.path(), "2", "none");
    no_panic(&output);
    let records = common::read_records(&dir.path().join("documents.jsonl"));
    let paths: Vec<PathBuf> = records
        .iter()
        .map(|r| PathBuf::from(r["path"].as_str().unwrap()))
        .collect();
    assert_eq!(paths, expected_inputs());
}

#[test]
fn records_match_ground_truth_page_kinds_origin_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let output = scan_corpus(dir.path(), "2", "none");
    no_panic(&output);
    let records = common::read_records(&dir.path().join("documents.jsonl"));
    let by_path: std::collections::HashMap<String, &Value> = records
        .iter()
        .map(|r| (r["path"].as_str().unwrap().to_string(), r))
        .collect();
    let mut checked = 0;
    for (fixture, truth) in common::fixtures() {
        if fixture
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with('.')
        {
            continue;
        }
        let r = by_path
            .get(fixture.to_str().unwrap())
            .unwrap_or_else(|| panic!("no record for {}", fixture.display()));
        let ctx = fixture.display();
        assert_eq!(r["format"], truth["format"], "{ctx}: format");
        assert_eq!(r["origin"], truth["origin"], "{ctx}: origin");
        assert_eq!(
            r["verdict"], truth["verdict"],
            "{ctx}: verdict, evidence {}",
            r["evidence"]
        );
        let kinds: Vec<&Value> = r["pages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| &p["kind"])
            .collect();
        let want: Vec<&Value> = truth["pages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| &p["kind"])
            .collect();
        assert_eq!(kinds, want, "{ctx}: page kinds");
        let errors = r["errors"].as_array().unwrap();
        match truth["expected_error"].as_str() {
            Some(kind) => {
                assert!(
                    errors.iter().any(|e| e["kind"] == kind),
                    "{ctx}: expected error {kind}, got {errors:?}"
                );
                assert_eq!(r["verdict"], "unreadable", "{ctx}: verdict");
            }
            None => assert!(errors.is_empty(), "{ctx}: unexpected errors {errors:?}"),
        }
        assert_eq!(
            r["sha256"].as_str().map(str::len),
            if truth["format"].is_null() {
                None
            } else {
                Some(64)
            },
            "{ctx}: sha256"
        );
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} fixtures checked");
}

#[test]
fn broken_inputs_give_exit_code_1_and_a_record_each() {
    let dir = tempfile::tempdir().unwrap();
    let broken = common::corpus_dir().join("broken");
    let output = scan(
        &[broken.to_str().unwrap(), "--exclude", "*.truth.json"],
        dir.path(),
    );
    no_panic(&output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let records = common::read_records(&dir.path().join("documents.jsonl"));
    let failed = records
        .iter()
        .filter(|r| !r["errors"].as_array().unwrap().is_empty())
        .count();
    assert!(failed >= 5, "only {failed} broken inputs reported errors");
    for r in &records {
        for e in r["errors"].as_array().unwrap() {
            assert!(
                e["stage"].is_string() && e["kind"].is_string() && e["message"].is_string(),
                "{e}"
            );
        }
    }
}

#[test]
fn clean_inputs_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let file = common::corpus_dir().join("bd-unsigned.pdf");
    let output = scan(&[file.to_str().unwrap()], dir.path());
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        common::read_records(&dir.path().join("documents.jsonl")).len(),
        1
    );
}

#[test]
fn output_is_identical_whatever_the_number_of_jobs() {
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    // With OCR: the serial path must give exactly what the parallel one gives.
    no_panic(&scan_corpus(one.path(), "1", "full"));
    no_panic(&scan_corpus(two.path(), "2", "full"));
    let a = common::without_timings(common::read_records(&one.path().join("documents.jsonl")));
    let b = common::without_timings(common::read_records(&two.path().join("documents.jsonl")));
    assert!(!a.is_empty());
    assert_eq!(a, b);
}

#[test]
fn hidden_files_are_skipped_unless_asked_for() {
    let hidden = common::corpus_dir().join(".hidden.pdf");
    assert!(hidden.exists(), "fixture .hidden.pdf is missing");
    let count = |extra: &[&str]| {
        let dir = tempfile::tempdir().unwrap();
        let corpus = common::corpus_dir();
        let mut args = vec![
            corpus.to_str().unwrap(),
            "--ocr",
            "none",
            "--exclude",
            "*.truth.json",
            "--exclude",
            "*.md",
        ];
        args.extend_from_slice(extra);
        no_panic(&scan(&args, dir.path()));
        common::read_records(&dir.path().join("documents.jsonl"))
            .iter()
            .filter(|r| r["path"].as_str().unwrap().ends_with("/.hidden.pdf"))
            .count()
    };
    assert_eq!(count(&[]), 0);
    assert_eq!(count(&["--hidden"]), 1);
}

#[test]
fn symlink_loops_and_dangling_links_become_records_not_crashes() {
    let input = tempfile::tempdir().unwrap();
    std::fs::copy(
        common::corpus_dir().join("bd-unsigned.pdf"),
        input.path().join("a.pdf"),
    )
    .unwrap();
    std::fs::create_dir(input.path().join("sub")).unwrap();
    std::os::unix::fs::symlink(input.path(), input.path().join("sub/loop")).unwrap();
    std::os::unix::fs::symlink(
        input.path().join("missing.pdf"),
        input.path().join("dangling.pdf"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let output = scan(
        &[input.path().to_str().unwrap(), "--ocr", "none"],
        out.path(),
    );
    no_panic(&output);
    assert_eq!(output.status.code(), Some(1));
    let records = common::read_records(&out.path().join("documents.jsonl"));
    let kinds: Vec<String> = records
        .iter()
        .flat_map(|r| {
            r["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["kind"].as_str().unwrap().to_string())
        })
        .collect();
    assert!(kinds.contains(&"symlink_loop".to_string()), "{kinds:?}");
    assert!(kinds.contains(&"unreadable".to_string()), "{kinds:?}");
    assert!(records
        .iter()
        .any(|r| r["path"].as_str().unwrap().ends_with("a.pdf")
            && r["errors"].as_array().unwrap().is_empty()));
}

#[test]
fn files_are_identified_by_magic_bytes_not_extension() {
    let input = tempfile::tempdir().unwrap();
    std::fs::copy(
        common::corpus_dir().join("scan-page.png"),
        input.path().join("scan.pdf"),
    )
    .unwrap();
    std::fs::write(input.path().join("note.jpg"), b"just text").unwrap();
    let out = tempfile::tempdir().unwrap();
    no_panic(&scan(
        &[input.path().to_str().unwrap(), "--ocr", "none"],
        out.path(),
    ));
    let records = common::read_records(&out.path().join("documents.jsonl"));
    assert_eq!(records[0]["format"], "unknown");
    assert_eq!(records[0]["errors"][0]["kind"], "unsupported_format");
    assert_eq!(records[1]["format"], "png");
    assert_eq!(records[1]["pages"][0]["kind"], "scanned");
}

#[test]
fn unwritable_output_is_fatal_exit_3() {
    let file = tempfile::NamedTempFile::new().unwrap();
    let input = common::corpus_dir().join("bd-unsigned.pdf");
    let output = scan(&[input.to_str().unwrap()], &file.path().join("sub"));
    assert_eq!(output.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not writable"));
}

#[test]
fn usage_errors_exit_2() {
    let output = Command::new(common::kyso_bin())
        .args(["scan", "x.pdf"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "missing --out");
    let output = Command::new(common::kyso_bin())
        .args(["frobnicate"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = Command::new(common::kyso_bin())
        .args(["scan", "x", "--out", "y", "--jobs", "0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn help_shows_examples_and_exit_codes() {
    let output = Command::new(common::kyso_bin())
        .arg("--help")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    for needle in ["scan", "verify", "report", "Exit codes", "Examples"] {
        assert!(text.contains(needle), "--help lacks {needle}:\n{text}");
    }
}
