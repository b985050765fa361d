//! Scores a scan of the layout-variety corpus (testdata/generate/agency_corpus.py) against its
//! ground truth: the report's rows against the true agencies, each document's placement, and
//! field accuracy for born-digital and scanned documents. Shared by `tests/agency_attribution.rs`
//! (on the committed fixtures) and `examples/agency_eval.rs` (the bench, on a generated corpus).

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// The fields compared, with the truth's name where it differs.
pub const FIELDS: &[(&str, &str)] = &[
    ("number", "number"),
    ("issue_date", "issue_date"),
    ("agency_key", "agency_key"),
    ("doc_type", "doc_type"),
    ("subject", "subject"),
    ("place", "place"),
    ("signer_name", "signer_name"),
    ("signer_title", "signer_title"),
    ("signing_authority", "signing_authority"),
];

/// (right, total) per field.
pub type Tally = BTreeMap<&'static str, (usize, usize)>;

#[derive(Debug, Default)]
pub struct Score {
    pub documents: usize,
    pub true_agencies: BTreeSet<String>,
    /// The report's agency rows (key → display name), without the unresolved group.
    pub rows: BTreeMap<String, String>,
    pub unresolved_rows: usize,
    pub unresolved_documents: u64,
    /// Rows whose key is no true agency's, with their names.
    pub extra_rows: Vec<(String, String)>,
    /// Rows of a true agency named otherwise than the truth names it.
    pub misnamed_rows: Vec<(String, String, String)>,
    pub placed: usize,
    pub misplaced: Vec<String>,
    pub born_digital: Tally,
    pub scanned: Tally,
    pub misses: Vec<String>,
}

fn norm(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(s.split_whitespace().collect::<Vec<_>>().join(" ")),
        other => other.clone(),
    }
}

/// The truth files of a corpus folder: file name → truth.
pub fn truths(corpus: &Path) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for e in fs::read_dir(corpus).expect("corpus folder").flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(file) = name.strip_suffix(".truth.json") {
            let v: Value = serde_json::from_slice(&fs::read(e.path()).unwrap()).unwrap();
            out.insert(file.to_string(), v);
        }
    }
    out
}

fn records(out: &Path) -> BTreeMap<String, Value> {
    let text = fs::read_to_string(out.join("documents.jsonl")).expect("documents.jsonl");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let r: Value = serde_json::from_str(l).unwrap();
            let name = Path::new(r["path"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (name, r)
        })
        .collect()
}

/// Scores the scan in `out` (documents.jsonl and `report_json`) against `corpus`'s truth.
/// `only` limits the documents to one origin (`born_digital`) when given.
pub fn score(corpus: &Path, out: &Path, report_json: &Path, only: Option<&str>) -> Score {
    let truths = truths(corpus);
    let records = records(out);
    let report: Value = serde_json::from_slice(&fs::read(report_json).unwrap()).unwrap();
    let mut s = Score::default();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for (file, t) in &truths {
        if only.is_some_and(|o| t["origin"] != o) {
            continue;
        }
        let Some(r) = records.get(file) else {
            panic!("no record for {file}");
        };
        s.documents += 1;
        let key = t["agency_key"].as_str().unwrap().to_string();
        names.insert(
            key.clone(),
            t["agency_name"].as_str().unwrap_or("").to_string(),
        );
        s.true_agencies.insert(key.clone());
        let got = r["metadata"]["agency_key"]["value"].as_str();
        if got == Some(key.as_str()) {
            s.placed += 1;
        } else {
            s.misplaced.push(format!("{file}: {got:?}, want {key}"));
        }
        let tally = if t["origin"] == "born_digital" {
            &mut s.born_digital
        } else {
            &mut s.scanned
        };
        for (field, truth_field) in FIELDS {
            let want = if *truth_field == "agency_key" {
                t["agency_key"].clone()
            } else {
                norm(&t["metadata"][truth_field])
            };
            let got = norm(&r["metadata"][field]["value"]);
            let ok = want == got;
            let e = tally.entry(field).or_default();
            e.0 += usize::from(ok);
            e.1 += 1;
            if !ok {
                s.misses
                    .push(format!("  {file} {field}: got {got}, want {want}"));
            }
        }
    }
    for row in report["rows"].as_array().unwrap() {
        let key = row["agency_key"].as_str().unwrap().to_string();
        let name = row["agency"].as_str().unwrap().to_string();
        if key.starts_with('(') {
            s.unresolved_rows += 1;
            continue;
        }
        if !s.true_agencies.contains(&key) {
            s.extra_rows.push((key.clone(), name.clone()));
        } else if names.get(&key).is_some_and(|n| *n != name) {
            s.misnamed_rows
                .push((key.clone(), name.clone(), names[&key].clone()));
        }
        s.rows.insert(key, name);
    }
    s.unresolved_documents = report["review"]["unresolved_documents"]
        .as_u64()
        .unwrap_or(0);
    s
}

impl Score {
    pub fn placement(&self) -> f64 {
        self.placed as f64 / self.documents.max(1) as f64
    }

    pub fn rate(tally: &Tally, field: &str) -> Option<f64> {
        tally
            .get(field)
            .filter(|(_, n)| *n > 0)
            .map(|(r, n)| *r as f64 / *n as f64)
    }

    /// A table of the figures, for the bench and the test's output.
    pub fn summary(&self, label: &str) -> String {
        let mut out = format!(
            "{label}: {} documents, {} true agencies; report rows {} (+{} unresolved group, {} documents); extra rows {}; misnamed rows {}; placement {:.1}%\n",
            self.documents,
            self.true_agencies.len(),
            self.rows.len(),
            self.unresolved_rows,
            self.unresolved_documents,
            self.extra_rows.len(),
            self.misnamed_rows.len(),
            100.0 * self.placement()
        );
        out.push_str("  field               born-digital      scanned\n");
        for (field, _) in FIELDS {
            let cell = |t: &Tally| match t.get(field) {
                Some((r, n)) if *n > 0 => {
                    format!("{r:>3}/{n:<3} {:>5.1}%", 100.0 * *r as f64 / *n as f64)
                }
                _ => "      —      ".to_string(),
            };
            out.push_str(&format!(
                "  {field:<18} {}   {}\n",
                cell(&self.born_digital),
                cell(&self.scanned)
            ));
        }
        for (k, n) in &self.extra_rows {
            out.push_str(&format!("  extra row {k} \"{n}\"\n"));
        }
        for (k, got, want) in &self.misnamed_rows {
            out.push_str(&format!("  row {k} named \"{got}\", truth \"{want}\"\n"));
        }
        for m in &self.misplaced {
            out.push_str(&format!("  misplaced {m}\n"));
        }
        out
    }

    /// The targets that this score misses (empty when every one holds). `scanned`
    /// targets apply only when the run OCRed the scans.
    pub fn failures(&self, with_scans: bool) -> Vec<String> {
        let mut f = Vec::new();
        if self.rows.len() != self.true_agencies.len() || !self.extra_rows.is_empty() {
            f.push(format!(
                "rows: {} agency rows (extra {:?}) for {} agencies",
                self.rows.len(),
                self.extra_rows,
                self.true_agencies.len()
            ));
        }
        if self.unresolved_rows > 1 {
            f.push(format!("{} unresolved groups", self.unresolved_rows));
        }
        if !self.misnamed_rows.is_empty() {
            f.push(format!("misnamed rows: {:?}", self.misnamed_rows));
        }
        if self.placement() < 0.98 {
            f.push(format!("placement {:.3} < 0.98", self.placement()));
        }
        for field in ["number", "issue_date", "agency_key", "doc_type", "subject"] {
            if let Some(r) = Score::rate(&self.born_digital, field) {
                if r < 1.0 {
                    f.push(format!("born-digital {field} {r:.3} < 1.0"));
                }
            }
        }
        if with_scans {
            for (field, min) in [
                ("number", 0.95),
                ("issue_date", 0.95),
                ("agency_key", 0.95),
                ("signer_name", 0.9),
            ] {
                if let Some(r) = Score::rate(&self.scanned, field) {
                    if r < min {
                        f.push(format!("scanned {field} {r:.3} < {min}"));
                    }
                }
            }
        }
        f
    }
}

/// The corpus folder of the committed fixtures.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/agencies")
}
