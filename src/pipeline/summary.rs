//! What a scan did, told at its end: the summary line, the agencies the agency file does not
//! know, and the exit code.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;
use std::time::Duration;

use crate::catalog::{self, RunCounts};
use crate::exit::ExitCode;
use crate::record::Record;

/// What a run did, for the summary line and the exit code.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub documents: u64,
    pub pages: u64,
    pub with_errors: u64,
    pub by_origin: BTreeMap<String, u64>,
    pub elapsed: Duration,
    /// Whether `--agencies` was given: then agencies not in it are listed.
    pub agency_file_given: bool,
    /// Agencies found in documents but not in `--agencies`: key → name as printed, with the
    /// number of documents.
    pub unknown_agencies: BTreeMap<String, (String, u64)>,
    /// What this run did with the inputs it saw.
    pub run: RunCounts,
    /// Stopped by Ctrl-C or SIGTERM before every input was seen; documents.jsonl was left as
    /// it was.
    pub interrupted: bool,
}

impl Summary {
    /// The agencies not in `--agencies`, one per line, for the end of the run (empty when no
    /// agency file was given).
    pub fn unknown_agencies_lines(&self) -> Vec<String> {
        if !self.agency_file_given || self.unknown_agencies.is_empty() {
            return Vec::new();
        }
        let mut lines = vec![format!(
            "kyso: {} agencies not in the agency file (kept with their own key):",
            self.unknown_agencies.len()
        )];
        for (key, (name, n)) in &self.unknown_agencies {
            lines.push(format!("  {key}  \"{name}\"  ({n} documents)"));
        }
        lines
    }

    pub fn exit_code(&self) -> ExitCode {
        if self.interrupted {
            ExitCode::Interrupted
        } else if self.with_errors > 0 {
            ExitCode::Problems
        } else {
            ExitCode::Ok
        }
    }

    pub fn line(&self, out: &Path) -> String {
        let origins: Vec<String> = self
            .by_origin
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        let run = format!(
            "{} processed, {} unchanged, {} reused",
            self.run.processed, self.run.unchanged, self.run.reused
        );
        if self.interrupted {
            let done = self.run.processed + self.run.unchanged + self.run.reused;
            return format!(
                "kyso: interrupted after {:.1} s: {done} documents done in this run ({run}), \
                 kept in {}; run the same command again to resume",
                self.elapsed.as_secs_f64(),
                out.join(catalog::CATALOG_FILE).display()
            );
        }
        format!(
            "kyso: {} documents, {} pages in {:.1} s ({}); {} with errors; {run} → {}",
            self.documents,
            self.pages,
            self.elapsed.as_secs_f64(),
            origins.join(", "),
            self.with_errors,
            out.join("documents.jsonl").display()
        )
    }
}

/// The agencies of the run's records that the agency file does not know: key → name as
/// printed and number of documents. Read back from documents.jsonl, one record at a time, so
/// it costs a pass only when an agency file was given.
pub(super) fn unknown_agencies(documents: &Path) -> BTreeMap<String, (String, u64)> {
    let mut unknown: BTreeMap<String, (String, u64)> = BTreeMap::new();
    let Ok(file) = File::open(documents) else {
        return unknown;
    };
    for line in std::io::BufRead::lines(std::io::BufReader::new(file)).map_while(Result::ok) {
        let Ok(record) = serde_json::from_str::<Record>(&line) else {
            continue;
        };
        if let (Some(key), Some(agency)) = (&record.metadata.agency_key, &record.metadata.agency) {
            if key.source.as_deref() != Some("agency_file") {
                unknown
                    .entry(key.value.clone())
                    .or_insert_with(|| (agency.value.clone(), 0))
                    .1 += 1;
            }
        }
    }
    unknown
}
