//! The document record: one JSON object per input document in `documents.jsonl`.
//!
//! The shape is documented in `docs/record.md` and kept stable: later stages fill fields that
//! start empty, they never rename them. A field that was not computed is `null` or empty, never
//! a guess.

use serde::{Deserialize, Serialize};

use crate::edxml::{Declared, PackageRef};
use crate::error::{RecordError, Stage};
use crate::metadata::Metadata;
use crate::ocr::OcrSummary;
use crate::signature::SignatureReport;
use crate::source::{Format, Origin, PageInfo};
use crate::verdict::{Evidence, Verdict};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Record {
    /// The path as discovered (lossy UTF-8 for names that are not valid UTF-8).
    pub path: String,
    /// Document id: the first 16 hex digits of `sha256`; names every output file of the document.
    pub id: Option<String>,
    pub sha256: Option<String>,
    pub bytes: Option<u64>,
    pub format: Format,
    pub pages: Vec<PageInfo>,
    pub origin: Origin,
    pub signatures: Vec<SignatureReport>,
    pub metadata: Metadata,
    pub verdict: Option<Verdict>,
    pub evidence: Vec<Evidence>,
    pub ocr: Option<OcrSummary>,
    pub errors: Vec<RecordError>,
    pub elapsed_ms: u64,
    /// The edXML package the document came from (docs/edxml.md); `null` for a file read alone.
    #[serde(default)]
    pub package: Option<PackageRef>,
    /// What the package's envelope declares of the document, each field with the element it
    /// was read from, and what the document contradicts (`mismatches`).
    #[serde(default)]
    pub declared: Option<Declared>,
}

impl Record {
    /// An empty record for `path`, to be filled by the stages.
    pub fn new(path: String) -> Self {
        Record {
            path,
            id: None,
            sha256: None,
            bytes: None,
            format: Format::Unknown,
            pages: Vec::new(),
            origin: Origin::Unknown,
            signatures: Vec::new(),
            metadata: Metadata::default(),
            verdict: None,
            evidence: Vec::new(),
            ocr: None,
            errors: Vec::new(),
            elapsed_ms: 0,
            package: None,
            declared: None,
        }
    }

    pub fn push_error(
        &mut self,
        stage: Stage,
        kind: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.errors.push(RecordError {
            stage,
            kind: kind.into(),
            message: message.into(),
        });
    }
}
