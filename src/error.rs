//! What every stage shares about errors: the [`ErrorKind`] trait each stage's error enum
//! implements, the [`Stage`] an error came from, and the [`RecordError`] written to a record.
//!
//! A leaf: it imports no other kyso module, so every stage can use it without reaching up to
//! the record that assembles them all (docs/architecture.md).

use serde::{Deserialize, Serialize};

/// The pipeline stage an error came from.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Discover,
    Read,
    /// An edXML package's envelope or attachment (docs/edxml.md).
    Package,
    Source,
    Signature,
    Ocr,
    Metadata,
    Verdict,
    Output,
    Internal,
}

/// One problem met while processing a document. `kind` is a stable snake_case identifier
/// (documented in `docs/record.md`); `message` is for people.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RecordError {
    pub stage: Stage,
    pub kind: String,
    pub message: String,
}

/// A stage error that can be put in a record: every stage's error enum implements this.
pub trait ErrorKind: std::error::Error {
    /// The stable snake_case `kind` written to the record.
    fn kind(&self) -> &'static str;
}
