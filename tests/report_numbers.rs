//! `kyso report`'s numbers on the fixture corpus equal counts computed here, independently,
//! from the ground-truth files (truth verdicts and truth signature results), grouped by the
//! agency key each record carries (the unknown-agency row when it has none; the scan runs with
//! `--ocr none`, so only text layers give agencies). Where the text is exact (born-digital),
//! that key must be the key of the truth's agency.

mod common;

use std::collections::BTreeMap;

use serde_json::Value;

const UNKNOWN: &str = "(unresolved agency)";
const FLAGGED: [&str; 4] = [
    "scanned_unsigned",
    "unsigned",
    "signature_invalid",
    "unreadable",
];

/// A truth signature that the KPI counts: intact, valid, covering the document, followed by no
/// changes beyond what PAdES allows (pyHanko's fields, as written by the generator).
fn truth_counts(sig: &Value) -> bool {
    sig["intact"] == true
        && sig["valid"] == true
        && matches!(
            sig["coverage"].as_str(),
            Some("entire_file" | "entire_revision")
        )
        && sig["modification_level"] != "other"
}

#[derive(Default, Debug, PartialEq)]
struct Expected {
    documents: u64,
    pages: u64,
    verdicts: BTreeMap<String, u64>,
    digitally_signed: u64,
    personally_signed: u64,
    scanned_unsigned: u64,
    flagged: u64,
}

fn from_report(row: &Value) -> Expected {
    let n = |k: &str| row[k].as_u64().unwrap_or_else(|| panic!("{k} in {row}"));
    Expected {
        documents: n("documents"),
        pages: n("pages"),
        verdicts: row["verdicts"]
            .as_object()
            .expect("verdicts")
            .iter()
            .filter(|(_, v)| v.as_u64() != Some(0))
            .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
            .collect(),
        digitally_signed: n("digitally_signed"),
        personally_signed: n("personally_signed"),
        scanned_unsigned: n("scanned_unsigned"),
        flagged: n("flagged"),
    }
}

#[test]
fn report_numbers_equal_counts_from_the_ground_truth() {
    let tmp = tempfile::tempdir().unwrap();
    let report_dir = common::scan_and_report(tmp.path(), &[]);
    let records = common::read_records(&tmp.path().join("documents.jsonl"));
    let agency_of: BTreeMap<String, String> = records
        .iter()
        .map(|r| {
            let key = r["metadata"]["agency_key"]["value"]
                .as_str()
                .unwrap_or(UNKNOWN)
                .to_owned();
            (r["path"].as_str().unwrap().to_owned(), key)
        })
        .collect();

    let verdict_of: BTreeMap<String, Value> = records
        .iter()
        .map(|r| (r["path"].as_str().unwrap().to_owned(), r["verdict"].clone()))
        .collect();
    let (mut right, mut all) = (0, 0);
    let mut expected: BTreeMap<String, Expected> = BTreeMap::new();
    let mut total = Expected::default();
    let mut fixtures = 0;
    let mut born_digital_keys = std::collections::BTreeSet::new();
    for (path, truth) in common::fixtures() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue; // hidden files are not scanned by default
        }
        fixtures += 1;
        let key = agency_of
            .get(path.to_str().unwrap())
            .unwrap_or_else(|| panic!("no record for {}", path.display()))
            .clone();
        // Where the text is exact (born-digital, scanned with --ocr none has none), the record's
        // agency key is the truth's agency: the rows are the real agencies, not artefacts.
        if truth["origin"] == "born_digital" && truth["expected_error"].is_null() {
            let want = truth["metadata"]["agency_key"]
                .as_str()
                .expect("truth agency key");
            assert_eq!(key, want, "{}: agency key", path.display());
            born_digital_keys.insert(key.clone());
        }
        let verdict = truth["verdict"].as_str().expect("truth verdict").to_owned();
        all += 1;
        if verdict_of[path.to_str().unwrap()] == verdict.as_str() {
            right += 1;
        } else {
            eprintln!("verdict differs from truth: {}", path.display());
        }
        let sigs: Vec<&Value> = truth["signatures"]
            .as_array()
            .map(|a| a.iter().filter(|s| truth_counts(s)).collect())
            .unwrap_or_default();
        let pages = truth["pages"].as_array().map_or(0, |p| p.len() as u64);
        for e in [expected.entry(key).or_default(), &mut total] {
            e.documents += 1;
            e.pages += pages;
            *e.verdicts.entry(verdict.clone()).or_default() += 1;
            e.digitally_signed += u64::from(!sigs.is_empty());
            e.personally_signed += u64::from(sigs.iter().any(|s| s["role"] == "personal"));
            e.scanned_unsigned += u64::from(verdict == "scanned_unsigned");
            e.flagged += u64::from(FLAGGED.contains(&verdict.as_str()));
        }
    }

    println!("verdict accuracy on the fixtures: {right}/{all}");
    assert_eq!(
        right, all,
        "every fixture's verdict equals its ground truth"
    );
    let report: Value =
        serde_json::from_slice(&std::fs::read(report_dir.join("report.json")).unwrap()).unwrap();
    let rows = report["rows"].as_array().expect("rows");
    let got: BTreeMap<String, Expected> = rows
        .iter()
        .map(|r| (r["agency_key"].as_str().unwrap().to_owned(), from_report(r)))
        .collect();
    assert_eq!(got, expected, "per-agency numbers");
    assert_eq!(from_report(&report["total"]), total, "totals");
    assert_eq!(total.documents, fixtures);
    assert!(
        born_digital_keys.len() >= 3,
        "the born-digital fixtures come from several agencies: {born_digital_keys:?}"
    );
    // The rates are the counts over documents, for every row.
    for r in rows.iter().chain([&report["total"]]) {
        let docs = r["documents"].as_f64().unwrap();
        let rate = |k: &str| r[k].as_f64().unwrap();
        assert!((rate("digital_signature_rate") - rate("digitally_signed") / docs).abs() < 1e-9);
        assert!((rate("personal_signature_rate") - rate("personally_signed") / docs).abs() < 1e-9);
        assert!((rate("scanned_unsigned_rate") - rate("scanned_unsigned") / docs).abs() < 1e-9);
    }
    // The flagged list names exactly the documents with a flagged truth verdict.
    assert_eq!(
        report["flagged"].as_array().unwrap().len() as u64,
        total.flagged
    );

    // The CSV carries the same numbers as the JSON.
    let csv = std::fs::read_to_string(report_dir.join("report.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let csv_rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    assert_eq!(csv_rows.len(), rows.len());
    for (cells, row) in csv_rows.iter().zip(rows) {
        for k in ["documents", "pages", "digitally_signed", "flagged"] {
            assert_eq!(cells[col(k)], row[k].to_string(), "CSV column {k}");
        }
        for v in report["verdicts"].as_array().unwrap() {
            let v = v.as_str().unwrap();
            assert_eq!(
                cells[col(v)],
                row["verdicts"][v].to_string(),
                "CSV column {v}"
            );
        }
    }
}

#[test]
fn by_agency_and_month_splits_rows_without_losing_documents() {
    let tmp = tempfile::tempdir().unwrap();
    let report_dir =
        common::scan_and_report(tmp.path(), &["--by", "agency,month", "--format", "json"]);
    let report: Value =
        serde_json::from_slice(&std::fs::read(report_dir.join("report.json")).unwrap()).unwrap();
    let rows = report["rows"].as_array().unwrap();
    assert!(
        rows.iter().all(|r| r["month"].is_string()),
        "every row has a month"
    );
    let sum: u64 = rows.iter().map(|r| r["documents"].as_u64().unwrap()).sum();
    assert_eq!(sum, report["total"]["documents"].as_u64().unwrap());
    let months: u64 = report["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["documents"].as_u64().unwrap())
        .sum();
    assert_eq!(months, sum);
    assert!(
        !report_dir.join("report.html").exists(),
        "--format json writes only JSON"
    );
}

#[test]
fn report_on_a_missing_folder_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(common::kyso_bin())
        .args(["report", "--from"])
        .arg(tmp.path().join("nope"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}
