//! Stage 7: per-agency compliance reports from a scan's `documents.jsonl`.
//!
//! The records are read as a stream, one line at a time, into counters per agency (and month):
//! memory grows with the number of agencies and flagged documents, not with the corpus. The
//! same numbers are written as JSON, CSV and a self-contained HTML page ([`html`]), and a short
//! table is printed on the terminal ([`terminal`]).
//!
//! The KPIs (defined once here, documented in docs/report.md):
//! - digital-signature rate: documents with at least one digital signature that counts (intact,
//!   valid, covering the document, trusted when trust was checked) / all documents;
//! - personal-signature rate: documents with a counting signature of role `personal` / all;
//! - scanned-unsigned rate: documents whose verdict is `scanned_unsigned` / all.

pub mod agencies;
mod aggregate;
mod csv_table;
pub mod html;
pub mod review;
pub mod senders;
pub mod suggest;
pub mod terminal;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;
use thiserror::Error;

use crate::error::ErrorKind;
use crate::exit::ExitCode;
use crate::output::terminal as term;
use crate::output::{json, write_atomic};
use crate::verdict::Verdict;

use aggregate::DocFacts;

pub use agencies::AgencyFile;
pub use aggregate::{aggregate_file, signature_counts, Aggregator};
pub use csv_table::to_csv;
pub use review::Review;

/// Every verdict, in the order reports show them (best practice first).
pub const VERDICTS: [Verdict; 8] = [
    Verdict::FullySigned,
    Verdict::OrgSignedOnly,
    Verdict::PartiallySigned,
    Verdict::ScannedOrgSigned,
    Verdict::ScannedUnsigned,
    Verdict::Unsigned,
    Verdict::SignatureInvalid,
    Verdict::Unreadable,
];

/// Verdicts that put a document on the flagged list: no digital signature of anyone, a
/// signature that does not hold, or a document that could not be checked.
pub const FLAGGED: [Verdict; 4] = [
    Verdict::ScannedUnsigned,
    Verdict::Unsigned,
    Verdict::SignatureInvalid,
    Verdict::Unreadable,
];

/// The row of documents whose agency could not be resolved (or was not read at all): one
/// group, listed with its candidates in the report's review section.
pub const UNRESOLVED_AGENCY: &str = "(unresolved agency)";
/// The month of documents whose issue date is not known.
pub const UNKNOWN_MONTH: &str = "unknown month";

pub fn verdict_name(v: Verdict) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// How rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    Agency,
    AgencyMonth,
}

/// Which files `kyso report` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    pub html: bool,
    pub csv: bool,
    pub json: bool,
}

impl std::str::FromStr for Formats {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let mut f = Formats {
            html: false,
            csv: false,
            json: false,
        };
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part {
                "html" => f.html = true,
                "csv" => f.csv = true,
                "json" => f.json = true,
                other => return Err(format!("unknown report format {other:?} (html, csv, json)")),
            }
        }
        if !(f.html || f.csv || f.json) {
            return Err("no report format given (html, csv, json)".into());
        }
        Ok(f)
    }
}

/// Everything `kyso report` needs.
#[derive(Debug, Clone)]
pub struct ReportConfig {
    pub from: PathBuf,
    pub out: PathBuf,
    pub grouping: Grouping,
    pub formats: Formats,
    pub agencies: Option<PathBuf>,
    pub quiet: bool,
}

#[derive(Debug, Error)]
pub enum ReportError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}, line {line}: not a kyso record: {source}")]
    Parse {
        path: PathBuf,
        line: u64,
        #[source]
        source: serde_json::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("agency file {path}: {message}")]
    Agencies { path: PathBuf, message: String },
}

impl ErrorKind for ReportError {
    fn kind(&self) -> &'static str {
        match self {
            ReportError::Read { .. } => "unreadable",
            ReportError::Parse { .. } => "malformed_record",
            ReportError::Write { .. } => "write_failed",
            ReportError::Agencies { .. } => "bad_agency_file",
        }
    }
}

/// Counters for one group of documents (an agency, an agency-month, a month, or all).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Counts {
    pub documents: u64,
    pub pages: u64,
    /// Documents per verdict (every verdict present, zero when none).
    pub verdicts: BTreeMap<String, u64>,
    /// Documents with at least one digital signature that counts.
    pub digitally_signed: u64,
    /// Documents with a counting signature of role `personal`.
    pub personally_signed: u64,
    pub scanned_unsigned: u64,
    /// Documents on a scanned page of which a red seal was detected.
    pub with_seal_detected: u64,
    /// Documents on a scanned page of which a handwritten signature was detected.
    pub with_handwritten_signature_detected: u64,
    pub flagged: u64,
}

/// Empty counters, with every verdict present at zero (so tables and CSV columns are stable).
impl Default for Counts {
    fn default() -> Self {
        Counts {
            documents: 0,
            pages: 0,
            verdicts: VERDICTS.iter().map(|v| (verdict_name(*v), 0)).collect(),
            digitally_signed: 0,
            personally_signed: 0,
            scanned_unsigned: 0,
            with_seal_detected: 0,
            with_handwritten_signature_detected: 0,
            flagged: 0,
        }
    }
}

impl Counts {
    fn add(&mut self, doc: &DocFacts) {
        self.documents += 1;
        self.pages += doc.pages;
        *self.verdicts.entry(verdict_name(doc.verdict)).or_default() += 1;
        self.digitally_signed += u64::from(doc.digitally_signed);
        self.personally_signed += u64::from(doc.personally_signed);
        self.scanned_unsigned += u64::from(doc.verdict == Verdict::ScannedUnsigned);
        self.with_seal_detected += u64::from(doc.seal);
        self.with_handwritten_signature_detected += u64::from(doc.handwritten);
        self.flagged += u64::from(FLAGGED.contains(&doc.verdict));
    }

    /// Adds another group's counters to these.
    pub(crate) fn absorb(&mut self, other: &Counts) {
        self.documents += other.documents;
        self.pages += other.pages;
        for (verdict, n) in &other.verdicts {
            *self.verdicts.entry(verdict.clone()).or_default() += n;
        }
        self.digitally_signed += other.digitally_signed;
        self.personally_signed += other.personally_signed;
        self.scanned_unsigned += other.scanned_unsigned;
        self.with_seal_detected += other.with_seal_detected;
        self.with_handwritten_signature_detected += other.with_handwritten_signature_detected;
        self.flagged += other.flagged;
    }

    fn rate(&self, n: u64) -> f64 {
        if self.documents == 0 {
            0.0
        } else {
            n as f64 / self.documents as f64
        }
    }

    /// The inspectors' KPI: documents with a counting digital signature / all documents.
    pub fn digital_signature_rate(&self) -> f64 {
        self.rate(self.digitally_signed)
    }

    pub fn personal_signature_rate(&self) -> f64 {
        self.rate(self.personally_signed)
    }

    pub fn scanned_unsigned_rate(&self) -> f64 {
        self.rate(self.scanned_unsigned)
    }

    pub fn verdict(&self, v: Verdict) -> u64 {
        self.verdicts.get(&verdict_name(v)).copied().unwrap_or(0)
    }
}

/// One row of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub agency_key: String,
    pub agency: String,
    /// The province of an agency in a province ("Bắc Giang"), for short displays.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    /// `yyyy-mm`, [`UNKNOWN_MONTH`], or absent when rows are per agency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub month: Option<String>,
    #[serde(flatten)]
    pub counts: Counts,
    pub digital_signature_rate: f64,
    pub personal_signature_rate: f64,
    pub scanned_unsigned_rate: f64,
}

/// A document on the flagged list, with what an inspector needs to find and judge it.
#[derive(Debug, Clone, Serialize)]
pub struct Flagged {
    pub agency_key: String,
    pub agency: String,
    pub verdict: String,
    pub number: Option<String>,
    pub issue_date: Option<String>,
    pub path: String,
    pub id: Option<String>,
    /// The record's evidence, one line each (`kind [page N]: detail`).
    pub evidence: Vec<String>,
    /// The record's errors, one line each.
    pub errors: Vec<String>,
}

/// The whole report: what every output format shows.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub source: String,
    pub grouping: Grouping,
    pub verdicts: Vec<String>,
    pub total: Row,
    /// One row per agency (per agency and month with `--by agency,month`), sorted by agency
    /// name, the unknown agency last.
    pub rows: Vec<Row>,
    /// All agencies together, per month of issue: the trend.
    pub months: Vec<Row>,
    pub flagged: Vec<Flagged>,
    /// What to check before trusting the rows: unresolved documents, near-duplicate keys.
    pub review: Review,
    /// Per sender code, when records came from edXML packages (`senders.csv`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub senders: Vec<senders::SenderRow>,
}

/// The files written, for the caller to print.
pub struct Written {
    pub html: Option<PathBuf>,
    pub csv: Option<PathBuf>,
    pub json: Option<PathBuf>,
}

/// Builds the report from `config.from` and writes the requested formats to `config.out`.
pub fn run(config: &ReportConfig) -> Result<(Report, Written), ReportError> {
    let agencies = match &config.agencies {
        Some(p) => Some(AgencyFile::load(p)?),
        None => None,
    };
    let source = if config.from.is_dir() {
        config.from.join("documents.jsonl")
    } else {
        config.from.clone()
    };
    let report = aggregate_file(&source, config.grouping, agencies)?;
    let write_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ReportError::Write { path, source }
    };
    fs::create_dir_all(&config.out).map_err(write_err(&config.out))?;
    let mut written = Written {
        html: None,
        csv: None,
        json: None,
    };
    if config.formats.json {
        let p = config.out.join("report.json");
        let mut bytes =
            json::to_vec_pretty(&report).map_err(|e| write_err(&p)(std::io::Error::other(e)))?;
        bytes.push(b'\n');
        write_atomic(&p, &bytes).map_err(write_err(&p))?;
        written.json = Some(p);
    }
    if config.formats.csv {
        let p = config.out.join("report.csv");
        write_atomic(&p, to_csv(&report).as_bytes()).map_err(write_err(&p))?;
        written.csv = Some(p);
        if !report.senders.is_empty() {
            let p = config.out.join("senders.csv");
            write_atomic(&p, senders::to_csv(&report.senders).as_bytes()).map_err(write_err(&p))?;
        }
    }
    if config.formats.html {
        let p = config.out.join("report.html");
        write_atomic(&p, html::render(&report).as_bytes()).map_err(write_err(&p))?;
        written.html = Some(p);
    }
    Ok((report, written))
}

/// The summary table after `kyso scan`, from the records it just wrote (read back as a
/// stream: the scan itself keeps no per-document state). Agencies come from the records'
/// `agency_key`; a problem reading them is reported and does not change the scan's outcome.
pub fn print_scan_summary(out: &Path) {
    match aggregate_file(&out.join("documents.jsonl"), Grouping::Agency, None) {
        Ok(report) => eprint!("{}", terminal::table(&report)),
        Err(e) => term::error("kyso scan: no summary table", e),
    }
}

/// `kyso report`: writes the report, prints the summary table and the files' paths.
pub fn report_command(config: &ReportConfig) -> ExitCode {
    match run(config) {
        Ok((report, written)) => {
            if !config.quiet {
                eprint!("{}", terminal::table(&report));
            }
            for p in [&written.html, &written.csv, &written.json]
                .into_iter()
                .flatten()
            {
                println!("{}", term::clean(&p.display().to_string()));
            }
            ExitCode::Ok
        }
        Err(e @ (ReportError::Read { .. } | ReportError::Agencies { .. })) => {
            term::error("kyso report", e);
            ExitCode::Usage
        }
        Err(e) => {
            term::error("kyso report", e);
            ExitCode::Fatal
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_and_reject_unknown_ones() {
        let f: Formats = "html,json".parse().unwrap();
        assert!(f.html && f.json && !f.csv);
        assert!("pdf".parse::<Formats>().is_err());
        assert!("".parse::<Formats>().is_err());
    }
}
