//! Decree 30 metadata over the whole corpus, with OCR, against the generator's ground truth:
//! per-field accuracy split by scanned and born-digital documents, the `--agencies` directory,
//! and `kyso export`. One OCR scan of the corpus is shared by the tests of this binary.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

/// The fields the ground truth has, in the record's names.
const FIELDS: &[&str] = &[
    "agency",
    "parent_agency",
    "number",
    "symbol",
    "number_symbol",
    "doc_type",
    "place",
    "issue_date",
    "subject",
    "signer_name",
    "signer_title",
    "signing_authority",
    "recipients",
    "urgency",
    "confidentiality",
];

/// The truth's name of a record field: `signing_authority` is the whole authority line
/// ("KT. GIÁM ĐỐC"), which the generator writes as `authority_line`.
fn truth_field(field: &str) -> &str {
    match field {
        "signing_authority" => "authority_line",
        f => f,
    }
}

/// Accuracy measured on the fixtures (printed by the test; see the issue's closing note), minus
/// one document of margin. Scanned: 10 documents; born-digital: 10 (the bd-* files,
/// broken/owner-only.pdf, .hidden.pdf, and mixed.pdf, whose first and closing pages are
/// born-digital). A threshold is the share of documents whose value equals the truth (NFC,
/// whitespace collapsed; dates and numbers exactly). With red dropped from the gray raster
/// (ocr::Preprocess::drop_red), Tesseract reads the signer's name under the seal on 7 of 10
/// scans, but loses its diacritics on 5 of them ("Tran Thi Binh"), so 2/10 are exact (0/10 when
/// the seal was left in); the same step cost two "Lưu" → "Luu" in recipients (7/10 → 5/10)
/// and gained signer titles (5/10 → 8/10).
const SCANNED_MIN: &[(&str, f64)] = &[
    ("agency", 0.8),
    ("parent_agency", 0.9),
    ("number", 0.9),
    ("symbol", 0.9),
    ("number_symbol", 0.9),
    ("doc_type", 0.9),
    ("place", 0.9),
    ("issue_date", 0.9),
    ("subject", 0.6),
    ("signer_name", 0.1),
    ("signer_title", 0.7),
    ("signing_authority", 0.7),
    ("recipients", 0.4),
    ("urgency", 0.9),
    ("confidentiality", 0.9),
];
const BORN_DIGITAL_MIN: f64 = 0.88;

struct Scan {
    _dir: tempfile::TempDir,
    out: PathBuf,
    records: Vec<Value>,
}

/// One OCR scan of the corpus for every test here (about a minute on two cores).
fn corpus_scan() -> &'static Scan {
    static SCAN: OnceLock<Scan> = OnceLock::new();
    SCAN.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let status = Command::new(common::kyso_bin())
            .arg("scan")
            .arg(common::corpus_dir())
            .args([
                "--exclude",
                "*.truth.json",
                "--exclude",
                "*.md",
                "--quiet",
                "--hidden",
            ])
            .arg("--out")
            .arg(&out)
            .status()
            .unwrap();
        // The broken/ fixtures make the run exit 1; anything else is a failure.
        assert_eq!(status.code(), Some(1), "kyso scan of the corpus");
        let records = common::read_records(&out.join("documents.jsonl"));
        Scan {
            _dir: dir,
            out,
            records,
        }
    })
}

fn record_for<'a>(records: &'a [Value], fixture: &Path) -> &'a Value {
    let name = fixture.file_name().unwrap().to_string_lossy();
    records
        .iter()
        .find(|r| {
            let p = r["path"].as_str().unwrap_or("");
            p.ends_with(&*name) && Path::new(p).file_name() == fixture.file_name()
        })
        .unwrap_or_else(|| panic!("no record for {}", fixture.display()))
}

/// (right, total) per field for one group of documents.
type Tally = BTreeMap<&'static str, (usize, usize)>;

#[test]
fn field_accuracy_on_the_fixtures_meets_the_measured_thresholds() {
    let scan = corpus_scan();
    let mut groups: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut misses: Vec<String> = Vec::new();
    let mut conf_right: Vec<f64> = Vec::new();
    let mut conf_wrong: Vec<f64> = Vec::new();
    for (fixture, truth) in common::fixtures() {
        let Some(expected) = truth.get("metadata").filter(|m| m.is_object()) else {
            continue;
        };
        let group = match truth["origin"].as_str() {
            Some("scanned") => "scanned",
            _ => "born_digital",
        };
        let record = record_for(&scan.records, &fixture);
        let meta = &record["metadata"];
        for field in FIELDS {
            let want = common::normalized(&expected[truth_field(field)]);
            let got_field = &meta[field];
            let got = common::normalized(&got_field["value"]);
            let ok = want == got;
            let t = groups.entry(group).or_default().entry(field).or_default();
            t.0 += usize::from(ok);
            t.1 += 1;
            if let Some(c) = got_field["confidence"].as_f64() {
                if ok { &mut conf_right } else { &mut conf_wrong }.push(c);
            }
            if !ok {
                misses.push(format!(
                    "  {} {field}: got {got}, want {want}",
                    fixture.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    println!("field               scanned      born-digital");
    for field in FIELDS {
        let cell = |g: &str| {
            let (r, n) = groups[g][field];
            format!("{r:>2}/{n:<2} {:>5.1}%", 100.0 * r as f64 / n.max(1) as f64)
        };
        println!("{field:<18}  {}  {}", cell("scanned"), cell("born_digital"));
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    println!(
        "mean confidence: right values {:.2} ({}), wrong values {:.2} ({})",
        mean(&conf_right),
        conf_right.len(),
        mean(&conf_wrong),
        conf_wrong.len()
    );
    println!("misses:\n{}", misses.join("\n"));

    let mut failures = Vec::new();
    for (field, min) in SCANNED_MIN {
        let (r, n) = groups["scanned"][field];
        if (r as f64) < min * n as f64 {
            failures.push(format!("scanned {field}: {r}/{n} < {min}"));
        }
    }
    for field in FIELDS {
        let (r, n) = groups["born_digital"][field];
        if (r as f64) < BORN_DIGITAL_MIN * n as f64 {
            failures.push(format!(
                "born-digital {field}: {r}/{n} < {BORN_DIGITAL_MIN}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "below threshold:\n{}",
        failures.join("\n")
    );
    // Confidence must mean something: values found wrong are, on average, less sure.
    if !conf_wrong.is_empty() {
        assert!(mean(&conf_wrong) < mean(&conf_right));
    }
}

#[test]
fn documents_that_cannot_be_read_have_null_fields_not_guesses() {
    let scan = corpus_scan();
    for r in &scan.records {
        if r["verdict"] == "unreadable" {
            for field in FIELDS {
                assert!(
                    r["metadata"][field].is_null(),
                    "{} has {field} though it could not be read",
                    r["path"]
                );
            }
        }
    }
}

#[test]
fn without_ocr_a_scan_has_no_text_fields_but_its_text_layer_still_counts() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = common::corpus_dir();
    let status = Command::new(common::kyso_bin())
        .arg("scan")
        .arg(corpus.join("scan-page.png"))
        .arg(corpus.join("scan-ocred.pdf"))
        .args(["--ocr", "none", "--quiet", "--out"])
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let records = common::read_records(&dir.path().join("documents.jsonl"));
    let png = record_for(&records, &corpus.join("scan-page.png"));
    for field in FIELDS {
        assert!(png["metadata"][field].is_null(), "{field} without text");
    }
    // The scanner's resolution is still told from the file.
    assert_eq!(png["metadata"]["file"]["dpi"], 200.0);
    // The invisible OCR layer of scan-ocred.pdf is text with positions.
    let ocred = record_for(&records, &corpus.join("scan-ocred.pdf"));
    assert_eq!(ocred["metadata"]["number_symbol"]["value"], "392/TB-SYT");
    assert_eq!(ocred["metadata"]["issue_date"]["value"], "2023-11-24");
}

const AGENCIES_TOML: &str = r#"
[[agency]]
key = "ubnd-bac-giang"
name = "Ủy ban nhân dân tỉnh Bắc Giang"
aliases = ["UBND tỉnh Bắc Giang"]

[[agency]]
key = "stc-bac-giang"
name = "Sở Tài chính tỉnh Bắc Giang"
aliases = ["STC Bắc Giang"]
parent = "ubnd-bac-giang"
"#;

#[test]
fn the_agency_file_maps_aliases_and_lists_agencies_it_does_not_know() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("agencies.toml");
    std::fs::write(&file, AGENCIES_TOML).unwrap();
    let corpus = common::corpus_dir();
    let out = dir.path().join("out");
    let output = Command::new(common::kyso_bin())
        .arg("scan")
        .args(
            [
                "bd-unsigned.pdf",
                "bd-signed-full.pdf",
                "bd-with-blank.pdf",
                "bd-cong-van.pdf",
            ]
            .map(|f| corpus.join(f)),
        )
        .args(["--ocr", "none", "--agencies"])
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success());
    let records = common::read_records(&out.join("documents.jsonl"));
    let key = |f: &str| record_for(&records, &corpus.join(f))["metadata"]["agency_key"].clone();
    // "SỞ TÀI CHÍNH" under "UBND TỈNH BẮC GIANG" is the file's stc-bac-giang.
    assert_eq!(key("bd-unsigned.pdf")["value"], "stc-bac-giang");
    assert_eq!(key("bd-unsigned.pdf")["source"], "agency_file");
    // "ỦY BAN NHÂN DÂN TỈNH BẮC GIANG" is the alias "UBND tỉnh Bắc Giang".
    assert_eq!(key("bd-signed-full.pdf")["value"], "ubnd-bac-giang");
    assert_eq!(
        record_for(&records, &corpus.join("bd-signed-full.pdf"))["metadata"]["agency_name"]
            ["value"],
        "Ủy ban nhân dân tỉnh Bắc Giang"
    );
    // Not in the file: kept with the key the gazetteer resolves it to, and listed at the end of
    // the run.
    assert_eq!(key("bd-with-blank.pdf")["value"], "so-y-te/ha-nam");
    assert_eq!(key("bd-with-blank.pdf")["source"], "gazetteer");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("2 agencies not in the agency file"),
        "{stderr}"
    );
    assert!(stderr.contains("so-y-te/ha-nam"), "{stderr}");
    assert!(stderr.contains("uy-ban-nhan-dan-huyen-luc-nam"), "{stderr}");
}

#[test]
fn a_bad_agency_file_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("agencies.toml");
    std::fs::write(&file, "[[agency]]\nkey = \"x\"\n").unwrap();
    let output = Command::new(common::kyso_bin())
        .arg("scan")
        .arg(common::corpus_dir().join("bd-unsigned.pdf"))
        .args(["--ocr", "none", "--agencies"])
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("agencies.toml"));
}

fn export(from: &Path, format: &str, out: &Path) {
    let status = Command::new(common::kyso_bin())
        .args(["export", "--format", format, "--from"])
        .arg(from)
        .arg("--out")
        .arg(out)
        .status()
        .unwrap();
    assert!(status.success(), "kyso export --format {format}");
}

#[test]
fn circular02_export_has_one_row_per_document_with_the_fields_found() {
    let scan = corpus_scan();
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("c02.csv");
    export(&scan.out, "circular02", &csv_path);
    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), scan.records.len());
    let row = rows
        .iter()
        .find(|r| r[col("kyso_path")].ends_with("/bd-unsigned.pdf"))
        .unwrap();
    assert_eq!(&row[col("ten_loai_van_ban")], "QUYẾT ĐỊNH");
    assert_eq!(&row[col("so_van_ban")], "123");
    assert_eq!(&row[col("ky_hieu_van_ban")], "QĐ-STC");
    assert_eq!(&row[col("ngay_van_ban")], "20/08/2019");
    // The issuing agency's full name, as the agency resolution gives it.
    assert_eq!(&row[col("co_quan_ban_hanh")], "Sở Tài chính tỉnh Bắc Giang");
    assert_eq!(&row[col("muc_do_tin_cay")], "Gốc điện tử");
    assert_eq!(&row[col("so_trang")], "1");
    // What a scan cannot tell is left empty, never invented.
    assert_eq!(&row[col("ma_ho_so")], "");
    let png = rows
        .iter()
        .find(|r| r[col("kyso_path")].ends_with("/scan-page.png"))
        .unwrap();
    assert_eq!(&png[col("muc_do_tin_cay")], "Số hóa");
    assert!(png[col("ghi_chu")].contains("KHẨN"));
}

#[test]
fn jsonl_export_carries_each_records_metadata() {
    let scan = corpus_scan();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.jsonl");
    export(&scan.out, "jsonl", &path);
    let lines = common::read_records(&path);
    assert_eq!(lines.len(), scan.records.len());
    for (line, record) in lines.iter().zip(&scan.records) {
        assert_eq!(line["path"], record["path"]);
        assert_eq!(line["metadata"], record["metadata"]);
    }
}

#[test]
fn xmp_of_a_real_pdf_is_read() {
    let Some(realworld) = common::realworld() else {
        return;
    };
    let file = realworld.join("ocrmypdf/tagged.pdf");
    if !file.is_file() {
        eprintln!("SKIP: {} not found", file.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new(common::kyso_bin())
        .arg("scan")
        .arg(&file)
        .args(["--ocr", "none", "--quiet", "--out"])
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let records = common::read_records(&dir.path().join("documents.jsonl"));
    let xmp = &records[0]["metadata"]["file"]["xmp"];
    // What `pdfinfo -meta tagged.pdf` shows of its XMP packet (LibreOffice's).
    assert_eq!(xmp["creator_tool"], "Writer");
    assert_eq!(xmp["producer"], "LibreOffice 7.3");
    assert_eq!(xmp["create_date"], "2023-10-12T00:47:39-07:00");
    assert_eq!(xmp["title"], "Tagged PDF Demo");
}
