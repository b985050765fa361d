//! The output invariants of issue 21 (docs/output.md), checked on every input of the targets
//! that produce text: whatever a document says, no CSV cell kyso writes starts a formula, no
//! control character, escape sequence or bidi override reaches the terminal writer, the JSON is
//! safe (no NUL, no raw control or bidi character, no unpaired surrogate), and markup stays text.
//! A failed assertion is a finding like a crash.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use kyso::export::{self, ExportConfig, ExportFormat};
use kyso::metadata::{Field, Metadata};
use kyso::output::{csv as cells, escape_markup, json, terminal, text};
use kyso::record::Record;
use kyso::report::{self, Aggregator, Grouping};
use kyso::verdict::Verdict;

/// Every rule of the output layer on one piece of arbitrary text.
pub fn check_text(s: &str) {
    let shown = terminal::clean(s);
    assert!(terminal::is_clean(&shown), "terminal: {shown:?}");

    let cell = cells::neutralize(s);
    assert!(!cells::starts_formula(&cell), "csv: {cell:?}");
    assert_eq!(cells::restore(&cell), s, "csv rule not reversible");
    assert!(!cells::starts_formula(&cells::text(s)), "csv text: {s:?}");

    let j = json::to_string(s).expect("a string serialises");
    assert!(json::is_safe_json(&j), "json: {j}");
    let back: String = serde_json::from_str(&j).expect("the JSON reads back");
    assert_eq!(back, s.replace('\0', "\u{fffd}"), "json text not kept");

    let e = escape_markup(s);
    let xml = format!("<r a=\"{e}\">{e}</r>");
    let doc = roxmltree::Document::parse(&xml).expect("escaped text parses as XML");
    let root = doc.root_element();
    assert!(root.children().all(|c| !c.is_element()), "markup: {xml}");
    assert_eq!(
        root.attribute("a").unwrap_or(""),
        root.text().unwrap_or(""),
        "attribute and content read back alike"
    );

    let field = text::normalize_field(s);
    assert!(text::is_normalized_field(&field), "field rule: {field:?}");
    assert!(terminal::is_clean(&field), "a normalised field is clean: {field:?}");
}

/// A folder of this process's own for the export's documents.jsonl.
fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("kyso-fuzz-text-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch folder");
        dir
    })
}

fn assert_no_formula(what: &str, csv_text: &str) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv_text.as_bytes());
    for row in reader.records() {
        for cell in row.expect("kyso's CSV parses").iter() {
            assert!(!cells::starts_formula(cell), "{what}: cell {cell:?}");
        }
    }
}

/// The writers on two records: one with `metadata` as the pipeline hands it on (normalised),
/// one whose agency, key and path hold `raw` text as another kyso (or an edited file) might.
pub fn check_writers(mut metadata: Metadata, raw: &[&str]) {
    metadata.normalize_text();
    assert!(metadata.is_normalized(), "metadata not normalised");
    let raw_at = |i: usize| raw.get(i).copied().unwrap_or("").to_owned();
    let mut read = Record::new("doc.pdf".into());
    read.verdict = Some(Verdict::Unsigned);
    read.metadata = metadata;
    let mut crafted = Record::new(raw_at(2));
    crafted.verdict = Some(Verdict::ScannedUnsigned);
    crafted.metadata.agency = Some(Field::new(raw_at(0), 1.0));
    crafted.metadata.agency_key = Some(Field::new(raw_at(1), 1.0));
    crafted.metadata.subject = Some(Field::new(raw_at(0), 1.0));
    let records = [read, crafted];

    let mut lines = String::new();
    for r in &records {
        let line = json::to_string(r).expect("a record serialises");
        assert!(json::is_safe_json(&line), "record JSON: {line}");
        lines.push_str(&line);
        lines.push('\n');
    }

    let mut agg = Aggregator::new(Grouping::Agency, None);
    for r in &records {
        agg.add(r);
    }
    let rep = agg.finish(Path::new("documents.jsonl"));
    assert_no_formula("report.csv", &report::to_csv(&rep));
    let table = report::terminal::table(&rep);
    assert!(terminal::is_clean_output(&table), "terminal table: {table:?}");
    let html = report::html::render(&rep);
    for (tag, n) in [("<script", 1), ("<img", 0), ("<iframe", 0), ("<svg", 3)] {
        assert_eq!(html.matches(tag).count(), n, "{tag} in the HTML report");
    }

    let dir = scratch();
    std::fs::write(dir.join("documents.jsonl"), &lines).expect("write documents.jsonl");
    let out = dir.join("export.csv");
    let bad = export::export(&ExportConfig {
        from: dir.clone(),
        format: ExportFormat::Circular02,
        out: Some(out.clone()),
    })
    .expect("the export runs");
    assert_eq!(bad, 0, "kyso's own records read back");
    let csv_text = std::fs::read_to_string(&out).expect("the export is UTF-8");
    assert_no_formula("circular02", &csv_text);
}
