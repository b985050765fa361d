//! Hostile text in documents never becomes a formula, a terminal command or markup in any output
//! (issue 21, docs/output.md). The fixtures of `testdata/hostile/` (made by
//! `testdata/generate/hostile.py`; `expected.json` lists their payloads) carry spreadsheet
//! formulas, ANSI escapes, bidi overrides and markup in their agency, subject and signer lines,
//! their Producer and their certificates; every output is checked for each: the CSV cells of
//! report.csv and of the Circular 02 export, what kyso prints (captured through a pipe), the JSON,
//! the HTML report opened in headless Chromium, hOCR and ALTO parsed as XML.

#[path = "support/chromium.rs"]
mod chromium;
mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kyso::output::{csv as cells, json, terminal};
use serde_json::Value;

fn hostile_dir() -> PathBuf {
    common::crate_dir().join("testdata/hostile")
}

fn expected() -> Value {
    serde_json::from_slice(&std::fs::read(hostile_dir().join("expected.json")).unwrap()).unwrap()
}

fn payload(fixture: &str, key: &str) -> String {
    expected()[fixture]["payloads"][key]
        .as_str()
        .unwrap_or_else(|| panic!("expected.json: {fixture} has no payload {key}"))
        .to_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("kyso prints UTF-8")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("kyso prints UTF-8")
}

/// Asserts that what kyso printed holds no control character (but line feeds), no escape
/// sequence, no bidi or invisible formatting character.
fn assert_terminal_clean(what: &str, text: &str) {
    assert!(
        terminal::is_clean_output(text),
        "{what}: {:?} reached the terminal in:\n{}",
        text.split('\n').find_map(terminal::first_unclean),
        text.escape_debug()
    );
}

/// A file name no one would choose: a formula, an OSC window-title sequence, a bidi override.
const HOSTILE_NAME: &str = "=cmd|' -C calc'!A0\u{1b}]0;pwned\u{7}\u{202e}fdp.pdf";

struct Scan {
    _tmp: tempfile::TempDir,
    out: PathBuf,
    output: Output,
}

/// `kyso scan` of the hostile fixtures, without OCR, plus a copy of formula.pdf under
/// [`HOSTILE_NAME`] given by a relative path (so the record's path starts with `=`), with an
/// agency file that knows none of their agencies (so the scan lists them).
fn scan() -> Scan {
    let tmp = tempfile::tempdir().unwrap();
    let inputs = tmp.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    std::fs::copy(hostile_dir().join("formula.pdf"), inputs.join(HOSTILE_NAME)).unwrap();
    let agencies = tmp.path().join("agencies.json");
    std::fs::write(
        &agencies,
        r#"[{"key": "so-y-te-ha-nam", "name": "Sở Y tế tỉnh Hà Nam", "aliases": [], "parent": null}]"#,
    )
    .unwrap();
    let out = tmp.path().join("out");
    let output = Command::new(common::kyso_bin())
        .current_dir(&inputs)
        .arg("scan")
        .arg(hostile_dir())
        .arg(HOSTILE_NAME)
        .args(["--ocr", "none", "--exclude", "*.json", "--agencies"])
        .arg(&agencies)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run kyso scan");
    assert_eq!(
        output.status.code(),
        Some(0),
        "kyso scan: {}",
        stderr(&output)
    );
    Scan {
        _tmp: tmp,
        out,
        output,
    }
}

fn record_of<'a>(records: &'a [Value], file: &str) -> &'a Value {
    records
        .iter()
        .find(|r| r["path"].as_str().unwrap().ends_with(file))
        .unwrap_or_else(|| panic!("no record for {file}"))
}

#[test]
fn the_hostile_text_reaches_the_records_normalised_and_the_json_is_safe() {
    // The fixtures really are hostile: the text layer holds the raw escapes.
    let bytes: std::sync::Arc<[u8]> = std::fs::read(hostile_dir().join("ansi-bidi.pdf"))
        .unwrap()
        .into();
    let doc = kyso::source::open(bytes, kyso::source::Format::Pdf, &Default::default()).unwrap();
    let text = doc.pages[0].text.clone().unwrap_or_default();
    for raw in [
        "\u{1b}[31m",
        "\u{1b}]0;pwned\u{7}",
        "\u{9b}2J",
        "\u{202e}",
        "\u{2066}",
    ] {
        assert!(
            text.contains(raw),
            "{raw:?} not in the text layer: {text:?}"
        );
    }

    let s = scan();
    let jsonl = std::fs::read_to_string(s.out.join("documents.jsonl")).unwrap();
    let records: Vec<Value> = jsonl
        .lines()
        .map(|l| {
            assert!(json::is_safe_json(l), "unsafe JSON line: {l}");
            serde_json::from_str(l).unwrap()
        })
        .collect();
    for (file, exp) in expected().as_object().unwrap() {
        let record = record_of(&records, file);
        let typed: kyso::record::Record = serde_json::from_value(record.clone()).unwrap();
        assert!(
            typed.metadata.is_normalized(),
            "{file}: metadata not normalised: {:?}",
            typed.metadata
        );
        for (field, value) in exp["metadata"].as_object().into_iter().flatten() {
            assert_eq!(
                record["metadata"][field]["value"], *value,
                "{file}: metadata.{field}"
            );
        }
        for (field, part) in exp["metadata_contains"].as_object().into_iter().flatten() {
            let got = record["metadata"][field]["value"].as_str().unwrap_or("");
            assert!(
                got.contains(part.as_str().unwrap()),
                "{file}: metadata.{field} = {got:?}"
            );
        }
    }
    // Signatures keep the certificate's exact text (JSON is data), NUL as U+FFFD.
    let signed = record_of(&records, "signed-cn.pdf");
    let cn = payload("signed-cn.pdf", "personal_cn").replace('\u{0}', "\u{fffd}");
    assert!(
        signed["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["signer"]["common_name"] == cn.as_str()),
        "the personal CN is not kept exactly: {}",
        signed["signatures"]
    );
    // The producer string is cleaned in the record, and so in the evidence built from it.
    let formula = record_of(&records, "formula.pdf");
    assert_eq!(
        formula["metadata"]["file"]["producer"],
        payload("formula.pdf", "producer").as_str()
    );
    let ansi = record_of(&records, "ansi-bidi.pdf");
    assert_eq!(ansi["metadata"]["file"]["producer"], "Microsoft Word");
    for e in ansi["evidence"].as_array().unwrap() {
        assert!(terminal::is_clean(e["detail"].as_str().unwrap()), "{e}");
    }
    // The file named with a formula and an escape sequence keeps its exact name in the record.
    assert!(records.iter().any(|r| r["path"] == HOSTILE_NAME));
}

/// Parses a CSV into a header and rows of cells, as a spreadsheet would read them.
fn read_csv(text: &str) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(String::from))
                .collect()
        })
        .collect();
    (header, rows)
}

fn assert_no_formula(what: &str, rows: &[BTreeMap<String, String>]) {
    for row in rows {
        for (column, cell) in row {
            assert!(
                !cells::starts_formula(cell),
                "{what}: column {column} starts a formula: {cell:?}"
            );
        }
    }
}

/// Records as another kyso (or an edited file) may hand to `kyso report`: raw controls in an
/// agency name that hide a formula behind an escape sequence and forge a terminal line, and an
/// agency key that tries to leave its HTML attribute.
const CRAFTED_NAME: &str = "\u{1b}]0;pwned\u{7}\u{1b}[0m=1+1 Sở \u{202e}Nội vụ\nkyso: 0 documents";
const CRAFTED_KEY: &str = "\"><script>alert(6)</script><x y='";
const CRAFTED_PATH: &str = "@cmd|' /C calc'!A0\u{1b}[2J.pdf";
/// A second crafted record's agency: markup for the report's table cells and SVG titles.
const MARKUP_NAME: &str = "</title><svg onload=alert(1)>";

fn with_crafted_records(scan_out: &Path, into: &Path) {
    std::fs::create_dir_all(into).unwrap();
    let jsonl = std::fs::read_to_string(scan_out.join("documents.jsonl")).unwrap();
    let mut lines: Vec<String> = jsonl.lines().map(String::from).collect();
    let mut crafted: Value = serde_json::from_str(&lines[0]).unwrap();
    crafted["path"] = CRAFTED_PATH.into();
    crafted["verdict"] = "unsigned".into();
    crafted["metadata"]["agency"] = serde_json::json!({"value": CRAFTED_NAME, "confidence": 1.0});
    // Rows are named by the agency's display name, as the records of another kyso may carry it.
    crafted["metadata"]["agency_name"] =
        serde_json::json!({"value": CRAFTED_NAME, "confidence": 1.0});
    crafted["metadata"]["agency_resolution"] = Value::Null;
    crafted["metadata"]["agency_key"] =
        serde_json::json!({"value": CRAFTED_KEY, "confidence": 1.0});
    crafted["evidence"] = serde_json::json!([
        {"kind": "producer", "page": null, "bbox": null,
         "detail": "<img src=\"http://x.test/evidence.png\">\u{1b}[31m"}
    ]);
    lines.push(serde_json::to_string(&crafted).unwrap());
    let mut markup = crafted.clone();
    markup["path"] = "markup-agency.pdf".into();
    markup["metadata"]["agency_name"] =
        serde_json::json!({"value": MARKUP_NAME, "confidence": 1.0});
    markup["metadata"]["agency_key"] =
        serde_json::json!({"value": "markup-agency", "confidence": 1.0});
    lines.push(serde_json::to_string(&markup).unwrap());
    std::fs::write(into.join("documents.jsonl"), lines.join("\n") + "\n").unwrap();
}

fn report(from: &Path, out: &Path) -> Output {
    let o = Command::new(common::kyso_bin())
        .arg("report")
        .arg("--from")
        .arg(from)
        .arg("--out")
        .arg(out)
        .output()
        .expect("run kyso report");
    assert!(o.status.success(), "kyso report: {}", stderr(&o));
    o
}

#[test]
fn report_csv_cells_never_start_a_formula_and_restore_exactly() {
    let s = scan();
    let crafted = s.out.join("crafted");
    with_crafted_records(&s.out, &crafted);
    let out = crafted.join("report");
    report(&crafted, &out);
    let (header, rows) = read_csv(&std::fs::read_to_string(out.join("report.csv")).unwrap());
    assert_no_formula("report.csv", &rows);
    let report: Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    // Numbers kyso computes are written as they are.
    for row in &rows {
        // agency_key, agency and province are text; the rest are kyso's numbers.
        for column in &header[3..] {
            row[column]
                .parse::<f64>()
                .unwrap_or_else(|_| panic!("{column} is not a number: {:?}", row[column]));
        }
    }
    let agency_cell = |key: &str| {
        rows.iter()
            .find(|r| r["agency_key"] == key)
            .map(|r| r["agency"].clone())
            .unwrap_or_else(|| panic!("no row for {key}: {rows:?}"))
    };
    // The certificate's O, a formula, made the agency of signed-cn.pdf, but it is no agency
    // the resolution can name: the document is in the unresolved row, and no row is named
    // after the formula (the crafted name below puts a formula in an agency cell).
    let cert_agency = expected()["signed-cn.pdf"]["metadata"]["agency"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["agency"] != cert_agency.as_str()));
    // The crafted name: its escape sequences go, and the formula they hid is neutralised; the
    // line break stays inside the quoted cell.
    assert_eq!(
        agency_cell(CRAFTED_KEY),
        "'=1+1 Sở Nội vụ\nkyso: 0 documents"
    );
}

#[test]
fn circular02_export_cells_never_start_a_formula() {
    let s = scan();
    let export = Command::new(common::kyso_bin())
        .args(["export", "--format", "circular02", "--from"])
        .arg(&s.out)
        .output()
        .expect("run kyso export");
    assert!(export.status.success(), "kyso export: {}", stderr(&export));
    let text = stdout(&export);
    // Written to standard output, which is often a terminal.
    assert_terminal_clean("kyso export", &text);
    let (_, rows) = read_csv(&text);
    assert_no_formula("circular02", &rows);
    let row = |file: &str| {
        rows.iter()
            .find(|r| r["kyso_path"].ends_with(file))
            .unwrap_or_else(|| panic!("no row for {file}"))
    };
    let subject = payload("formula.pdf", "subject");
    let formula = row("formula.pdf");
    assert_eq!(formula["trich_yeu"], format!("'{subject}"));
    assert_eq!(cells::restore(&formula["trich_yeu"]), subject);
    assert_eq!(formula["so_trang"], "1", "numbers are written as they are");
    let cert_agency = expected()["signed-cn.pdf"]["metadata"]["agency"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        row("signed-cn.pdf")["co_quan_ban_hanh"],
        format!("'{cert_agency}")
    );
    // The file named with a formula: escape sequence and bidi override gone, formula defused.
    let named = rows
        .iter()
        .find(|r| r["kyso_path"].contains("calc"))
        .expect("a row for the hostile file name");
    assert_eq!(named["kyso_path"], "'=cmd|' -C calc'!A0fdp.pdf");
    assert_eq!(named["trich_yeu"], format!("'{subject}"));

    let jsonl = Command::new(common::kyso_bin())
        .args(["export", "--format", "jsonl", "--from"])
        .arg(&s.out)
        .output()
        .expect("run kyso export");
    for line in stdout(&jsonl).lines() {
        assert!(json::is_safe_json(line), "unsafe export line: {line}");
    }
}

#[test]
fn nothing_kyso_prints_through_a_pipe_carries_a_control_character() {
    let s = scan();
    let scan_err = stderr(&s.output);
    assert_terminal_clean("kyso scan", &scan_err);
    // Names stay readable: the escapes went, the letters did not.
    assert!(scan_err.contains("SỞ TÀI CHÍNH"), "{scan_err}");
    assert!(
        scan_err.contains("agencies not in the agency file"),
        "{scan_err}"
    );
    assert_terminal_clean("kyso scan stdout", &stdout(&s.output));

    // A report on records with raw controls (as another kyso might have written them).
    let crafted = s.out.join("crafted");
    with_crafted_records(&s.out, &crafted);
    let r = report(&crafted, &crafted.join("report"));
    let report_err = stderr(&r);
    assert_terminal_clean("kyso report", &report_err);
    assert!(
        report_err.contains("=1+1 Sở Nội vụ kyso: 0 documents"),
        "{report_err}"
    );
    assert!(
        !report_err
            .lines()
            .any(|l| l.starts_with("kyso: 0 documents")),
        "a name forged a line: {report_err}"
    );
    assert_terminal_clean("kyso report stdout", &stdout(&r));

    // kyso verify on the certificates with escapes in their CN: one validity line per
    // signature, none forged by the CN's line break.
    let verify = Command::new(common::kyso_bin())
        .arg("verify")
        .arg(hostile_dir().join("signed-cn.pdf"))
        .arg("--trust")
        .arg(common::crate_dir().join("testdata/pki"))
        .output()
        .expect("run kyso verify");
    let v = stdout(&verify);
    assert_eq!(
        verify.status.code(),
        Some(0),
        "kyso verify: {v}{}",
        stderr(&verify)
    );
    assert_terminal_clean("kyso verify", &v);
    assert_eq!(
        v.lines()
            .filter(|l| l.trim_start().starts_with("validity:"))
            .count(),
        2,
        "{v}"
    );
    assert!(
        v.lines()
            .any(|l| l.starts_with("    signer:") && l.contains("Nguyễn Văn An")),
        "{v}"
    );
    assert!(v.contains("Sở Tài chính tỉnh Bắc Giang"), "{v}");

    // Error messages quote file names: cleaned too.
    let missing = tempfile::tempdir().unwrap();
    let verify_err = Command::new(common::kyso_bin())
        .arg("verify")
        .arg(missing.path().join(HOSTILE_NAME))
        .output()
        .expect("run kyso verify");
    assert_eq!(verify_err.status.code(), Some(3));
    let e = stderr(&verify_err);
    assert_terminal_clean("kyso verify error", &e);
    assert!(e.contains("calc'!A0fdp.pdf"), "{e}");

    let bad = missing.path().join("\u{1b}]0;pwned\u{7}report\u{202e}");
    std::fs::create_dir(&bad).unwrap();
    std::fs::write(bad.join("documents.jsonl"), "{not a record\n").unwrap();
    let report_err = Command::new(common::kyso_bin())
        .arg("report")
        .arg("--from")
        .arg(&bad)
        .arg("--out")
        .arg(missing.path().join("r"))
        .output()
        .expect("run kyso report");
    assert_eq!(report_err.status.code(), Some(3));
    let e = stderr(&report_err);
    assert_terminal_clean("kyso report error", &e);
    assert!(e.contains("report/documents.jsonl, line 1"), "{e}");

    let export_err = Command::new(common::kyso_bin())
        .args(["export", "--format", "circular02", "--from"])
        .arg(missing.path().join(HOSTILE_NAME))
        .output()
        .expect("run kyso export");
    assert_eq!(export_err.status.code(), Some(2));
    assert_terminal_clean("kyso export error", &stderr(&export_err));
}

#[test]
fn html_report_in_chromium_runs_no_injected_script_and_makes_no_request() {
    let s = scan();
    let crafted = s.out.join("crafted");
    with_crafted_records(&s.out, &crafted);
    let out = crafted.join("report");
    report(&crafted, &out);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let visit = chromium::visit(&out.join("report.html"));
    assert!(
        visit.console.is_empty(),
        "console messages (a refused or run script, a blocked fetch):\n{}",
        visit.console.join("\n")
    );
    assert!(
        visit.page_requests.is_empty(),
        "the report made requests: {:?}",
        visit.page_requests
    );
    let dom = &visit.dom;
    assert!(
        dom.contains("data-ready=\"yes\""),
        "the page's own script did not run"
    );
    // No element came out of the text: one script (the page's), three charts, no image or frame.
    for (tag, n) in [
        ("<script", 1),
        ("<svg", 3),
        ("<img", 0),
        ("<iframe", 0),
        ("<x ", 0),
    ] {
        assert_eq!(dom.matches(tag).count(), n, "{tag} elements in the DOM");
        assert_eq!(html.matches(tag).count(), n, "{tag} in report.html");
    }
    // The payloads are there, as text: in table cells, SVG <text> and <title>, attributes.
    let rows = html.matches("class=\"agency-row\"").count();
    let report: Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(rows, report["rows"].as_array().unwrap().len());
    for text in [
        // An agency named in markup (table cell, SVG <text>), markup.pdf's agency as printed
        // (the review's table: not an agency kyso can resolve) and its Producer (evidence).
        "<td>&lt;/title&gt;&lt;svg onload=alert(1)&gt;</td>",
        "<td>TITLE&gt;&lt;SVG ONLOAD=ALERT(1)",
        "&lt;/script&gt;&lt;script&gt;alert(5)&lt;/script&gt;",
        // The crafted record's evidence, its escape sequence gone.
        "<li>producer: &lt;img src=&quot;http://x.test/evidence.png&quot;&gt;</li>",
        // SVG <title> is parsed as HTML: the agency in it is text.
        "<title>&lt;/title&gt;&lt;svg onload=alert(1)&gt;:",
        // An agency key that tries to leave its attribute stays in it.
        &format!(
            "data-agency=\"{}\"",
            kyso::output::escape_markup(CRAFTED_KEY)
        ),
    ] {
        assert!(html.contains(text), "{text} not in report.html");
    }
    for forbidden in ["\u{1b}", "\u{202e}", "\u{9b}"] {
        assert!(!html.contains(forbidden), "{forbidden:?} in report.html");
    }
}

/// The checks above can fail: a page that fetches and runs an inline script is caught.
#[test]
fn the_browser_checks_catch_a_page_that_fetches_and_runs_a_script() {
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("bad.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><body><img src=\"http://x.test/leak.png\">\
         <script>console.log('kyso-probe')</script></body></html>",
    )
    .unwrap();
    let visit = chromium::visit(&page);
    assert_eq!(visit.page_requests, ["http://x.test/leak.png"]);
    assert!(
        visit.console.iter().any(|l| l.contains("kyso-probe")),
        "{:?}",
        visit.console
    );
}

fn word(text: &str, x: u32, line: u32) -> kyso::ocr::OcrWord {
    kyso::ocr::OcrWord {
        text: text.into(),
        bbox: [x, 100 + 60 * line, x + 200, 150 + 60 * line],
        confidence: 90.0,
        line,
        paragraph: 0,
        block: 0,
    }
}

fn page_of(words: Vec<kyso::ocr::OcrWord>) -> kyso::ocr::OcrPage {
    let text = words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    kyso::ocr::OcrPage {
        chars: text.chars().count(),
        text,
        words,
        mean_confidence: Some(90.0),
        rotation: 0,
        skew_deg: None,
        dpi_used: 300.0,
        dpi_source: kyso::ocr::DpiSource::Assumed,
        width: 2000,
        height: 600,
        scale: 1.0,
        lines_reread: 0,
        lines_recovered: 0,
    }
}

/// hOCR starts with the XHTML doctype, which roxmltree refuses unless told.
fn parse_xml(xml: &str) -> Result<roxmltree::Document<'_>, roxmltree::Error> {
    roxmltree::Document::parse_with_options(
        xml,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
}

/// Word texts of an hOCR page (`ocrx_word` spans) and of an ALTO page (`String/@CONTENT`).
fn hocr_words(xml: &str) -> Vec<String> {
    let doc = parse_xml(xml).expect("hOCR is well-formed XML");
    assert_no_active_elements(&doc);
    doc.descendants()
        .filter(|n| n.attribute("class") == Some("ocrx_word"))
        .map(|n| n.text().unwrap_or("").to_owned())
        .collect()
}

fn alto_words(xml: &str) -> Vec<String> {
    let doc = parse_xml(xml).expect("ALTO is well-formed XML");
    assert_no_active_elements(&doc);
    doc.descendants()
        .filter(|n| n.tag_name().name() == "String")
        .map(|n| n.attribute("CONTENT").unwrap_or("").to_owned())
        .collect()
}

fn assert_no_active_elements(doc: &roxmltree::Document) {
    for n in doc.descendants().filter(|n| n.is_element()) {
        let name = n.tag_name().name();
        assert!(
            !["script", "img", "iframe", "svg"].contains(&name),
            "a <{name}> element came out of the text"
        );
        for a in n.attributes() {
            assert!(!a.name().starts_with("on"), "an {} attribute", a.name());
        }
    }
}

#[test]
fn hocr_and_alto_keep_markup_as_text_and_drop_what_xml_forbids() {
    let words = [
        (
            "</span><script>alert(1)</script>",
            "</span><script>alert(1)</script>",
        ),
        ("\"><img", "\"><img"),
        ("onerror='alert(2)'>", "onerror='alert(2)'>"),
        ("</title>&amp;", "</title>&amp;"),
        ("a\u{1b}[31mb\u{1b}]0;t\u{7}", "ab"),
        ("\u{202e}fdp", "fdp"),
        ("x\u{fffe}\u{0}y", "xy"),
        ("Nguyễn", "Nguyễn"),
    ];
    let page = page_of(
        words
            .iter()
            .enumerate()
            .map(|(i, (t, _))| word(t, 100 + 220 * (i as u32 % 4), i as u32 / 4))
            .collect(),
    );
    let want: Vec<&str> = words.iter().map(|(_, w)| *w).collect();
    let name = "</title><script>x</script>";
    let hocr = kyso::ocr::hocr_html(&page, name, 1);
    assert_eq!(hocr_words(&hocr), want);
    let doc = parse_xml(&hocr).unwrap();
    let title = doc
        .descendants()
        .find(|n| n.tag_name().name() == "title")
        .unwrap();
    assert_eq!(title.text(), Some(name));
    let alto = kyso::ocr::alto_xml(&page, name, 1);
    assert_eq!(alto_words(&alto), want);
}

/// The whole path on a scan: Tesseract reads markup characters off the page, and the hOCR and
/// ALTO files kyso writes from them parse, with the markup as word text.
#[test]
fn ocr_of_a_scanned_strip_of_markup_writes_hocr_and_alto_that_parse() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let scan = Command::new(common::kyso_bin())
        .arg("scan")
        .arg(hostile_dir().join("markup-scan.png"))
        .args(["--outputs", "hocr,alto", "--jobs", "1", "--out"])
        .arg(&out)
        .output()
        .expect("run kyso scan");
    assert_eq!(scan.status.code(), Some(0), "kyso scan: {}", stderr(&scan));
    assert_terminal_clean("kyso scan (OCR)", &stderr(&scan));
    let file = |dir: &str| {
        let mut files: Vec<PathBuf> = std::fs::read_dir(out.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1, "{dir}: {files:?}");
        std::fs::read_to_string(files.remove(0)).unwrap()
    };
    let hocr = hocr_words(&file("hocr"));
    let alto = alto_words(&file("alto"));
    assert_eq!(hocr, alto, "hOCR and ALTO disagree");
    let text = hocr.join(" ");
    assert!(
        text.contains("script") && text.contains('<') && text.contains('>'),
        "Tesseract did not read the markup: {text}"
    );
    for tool_check in [&out.join("hocr"), &out.join("alto")] {
        let f = std::fs::read_dir(tool_check)
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        if let Ok(o) = Command::new("xmllint")
            .arg("--noout")
            .arg(f.path())
            .output()
        {
            assert!(
                o.status.success(),
                "xmllint: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
    }
}
