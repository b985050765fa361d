//! One report row per agency, whatever the header looks like: the layout-variety fixtures
//! (testdata/agencies/, 62 documents from 16 agencies made by
//! testdata/generate/agency_corpus.py) are scanned and reported, and the rows, each
//! document's placement and the fields are scored against the generator's truth
//! (tests/agency_eval/). The bench (benches/agency_bench.sh) scores a larger generated corpus
//! the same way in every OCR mode.

mod agency_eval;
mod common;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn scan(out: &Path, mode: &str) {
    let status = Command::new(common::kyso_bin())
        .arg("scan")
        .arg(agency_eval::fixtures_dir())
        .arg("--out")
        .arg(out)
        .args(["--exclude", "*.truth.json", "--exclude", "*.md", "--quiet"])
        .args(["--ocr", mode])
        .status()
        .expect("kyso runs");
    assert!(status.success(), "kyso scan --ocr {mode}");
}

fn report(out: &Path, extra: &[&str]) -> Value {
    let status = Command::new(common::kyso_bin())
        .args(["report", "--quiet", "--format", "json,html", "--from"])
        .arg(out)
        .args(extra)
        .status()
        .expect("kyso runs");
    assert!(status.success(), "kyso report");
    serde_json::from_slice(&std::fs::read(out.join("report/report.json")).unwrap()).unwrap()
}

#[test]
fn born_digital_headers_of_every_layout_give_one_row_per_agency_and_every_field() {
    let dir = tempfile::tempdir().unwrap();
    scan(dir.path(), "none");
    report(dir.path(), &[]);
    let score = agency_eval::score(
        &agency_eval::fixtures_dir(),
        dir.path(),
        &dir.path().join("report/report.json"),
        Some("born_digital"),
    );
    println!("{}", score.summary("--ocr none, born-digital"));
    assert!(
        score.documents >= 40,
        "{} born-digital fixtures",
        score.documents
    );
    assert_eq!(score.true_agencies.len(), 16);
    let failures = score.failures(false);
    assert!(failures.is_empty(), "{failures:#?}");
    // Every field the bench scores, not only the five, reads right from a text layer.
    for (field, _) in agency_eval::FIELDS {
        assert_eq!(
            agency_eval::Score::rate(&score.born_digital, field),
            Some(1.0),
            "born-digital {field}"
        );
    }
}

#[test]
fn scans_are_placed_in_their_agencys_row_and_names_under_a_seal_are_read_or_left_out() {
    let dir = tempfile::tempdir().unwrap();
    scan(dir.path(), "full");
    let report = report(dir.path(), &[]);
    let corpus = agency_eval::fixtures_dir();
    let score = agency_eval::score(
        &corpus,
        dir.path(),
        &dir.path().join("report/report.json"),
        None,
    );
    println!("{}", score.summary("--ocr full"));
    // Rows, placement, row names, born-digital fields; scanned number, date and agency.
    let failures: Vec<String> = score
        .failures(true)
        .into_iter()
        .filter(|f| !f.starts_with("scanned signer_name"))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");

    // Signer names: read on gray and colour scans (the seal's lighter ink dropped), and on a
    // bilevel scan, where the seal is as black as the name it covers, never read wrong.
    let records = common::read_records(&dir.path().join("documents.jsonl"));
    let (mut right, mut toned, mut wrong_bilevel) = (0, 0, Vec::new());
    let (mut implied, mut wrong_implied) = (0, Vec::new());
    for (file, truth) in agency_eval::truths(&corpus) {
        if truth["origin"] != "scanned" {
            continue;
        }
        let record = records
            .iter()
            .find(|r| r["path"].as_str().unwrap().ends_with(&file))
            .unwrap();
        // A title implied by the authority line (the title line under the seal unread) is
        // the document's title.
        let title = &record["metadata"]["signer_title"];
        if title["source"] == "authority_line" {
            implied += 1;
            if title["value"] != truth["metadata"]["signer_title"] {
                wrong_implied.push(format!("{file}: {}", title["value"]));
            }
        }
        let got = &record["metadata"]["signer_name"]["value"];
        let want = &truth["metadata"]["signer_name"];
        if truth["colour"] == "bilevel" {
            if !got.is_null() && got != want {
                wrong_bilevel.push(format!("{file}: {got}"));
            }
        } else {
            toned += 1;
            right += usize::from(got == want);
        }
    }
    println!("signer names on gray and colour scans: {right}/{toned}");
    assert!(
        right as f64 >= 0.9 * toned as f64,
        "signer names on gray and colour scans: {right}/{toned}"
    );
    assert!(wrong_bilevel.is_empty(), "{wrong_bilevel:?}");
    println!("signer titles implied by the authority line: {implied}");
    assert!(
        implied > 0,
        "no scan had its title implied: the rule goes unchecked"
    );
    assert!(wrong_implied.is_empty(), "{wrong_implied:?}");

    // The report's review section is there, and lists what was not resolved.
    let html = std::fs::read_to_string(dir.path().join("report/report.html")).unwrap();
    assert!(html.contains("id=\"review\""));
    assert_eq!(
        report["review"]["unresolved_documents"].as_u64(),
        Some(score.unresolved_documents)
    );
}

#[test]
fn a_suggested_agency_file_loads_back_and_keeps_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    scan(dir.path(), "none");
    let before = report(dir.path(), &[]);
    let output = Command::new(common::kyso_bin())
        .args(["agencies", "--from"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    let file = dir.path().join("agencies.suggested.toml");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        file.display().to_string()
    );
    let text = std::fs::read_to_string(&file).unwrap();
    // One entry per agency row, with its evidence as comments.
    let rows = before["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| !r["agency_key"].as_str().unwrap().starts_with('('))
        .count();
    assert_eq!(text.matches("[[agency]]").count(), rows);
    assert!(
        text.contains("#   agency line \"SỞ TÀI CHÍNH\" → so-tai-chinh"),
        "{text}"
    );
    // Passed back, it is a valid agency file and every row keeps its documents.
    let after = report(dir.path(), &["--agencies", file.to_str().unwrap()]);
    let counts = |r: &Value| -> Vec<(String, u64)> {
        r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                (
                    row["agency_key"].as_str().unwrap().to_string(),
                    row["documents"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(counts(&before), counts(&after));
}
