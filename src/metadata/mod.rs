//! Stage 5: metadata of administrative documents (Decree 30/2020 fields) and file metadata.
//!
//! The stage is a chain of explicit types, and data flows one way:
//!
//! ```text
//! OCR words / PDF text runs ──text──▶ PageText { TextLine } ──layout──▶ zones ──fields──▶ Metadata
//!                                                     signatures' O/CN, --agencies ──agency──▶ agency_key
//! ```
//!
//! It reads what earlier stages produced (OCR results, text layers, signature reports) and
//! never calls back into them.

pub mod agency;
pub mod fields;
pub mod fold;
pub mod hygiene;
pub mod layout;
pub mod text;

use serde::{Deserialize, Serialize};

pub use agency::{agency_key, qualified_agency_key, AgencyDirectory, AgencyEntry, AgencyError};
pub use text::{lines_from_ocr, lines_from_runs, PageText, TextLine, TextSource};

use crate::signature::{Role, SignatureReport};
use crate::source::FileInfo;

/// A value found in the document, with how sure we are of it (0..1).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Field<T> {
    pub value: T,
    pub confidence: f32,
    /// Where the value came from when it is not the document's own text: `certificate` (a
    /// signer certificate's O or CN) or `agency_file` (`--agencies`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl<T> Field<T> {
    pub fn new(value: T, confidence: f32) -> Self {
        Field {
            value,
            confidence,
            source: None,
        }
    }

    fn from_source(value: T, confidence: f32, source: &str) -> Self {
        Field {
            value,
            confidence,
            source: Some(source.to_string()),
        }
    }
}

/// The record's `metadata`. Every field is `null` until found; never a guess presented as fact.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Metadata {
    /// The issuing agency as printed (top left), e.g. "SỞ TÀI CHÍNH".
    pub agency: Option<Field<String>>,
    /// The line above it, e.g. "UBND TỈNH BẮC GIANG".
    pub parent_agency: Option<Field<String>>,
    /// A stable key for the agency: from `--agencies` when the agency is there, else
    /// [`qualified_agency_key`] of the printed names.
    pub agency_key: Option<Field<String>>,
    /// The agency's display name from `--agencies`.
    #[serde(default)]
    pub agency_name: Option<Field<String>>,
    pub number: Option<Field<String>>,
    pub symbol: Option<Field<String>>,
    pub number_symbol: Option<Field<String>>,
    pub doc_type: Option<Field<String>>,
    pub place: Option<Field<String>>,
    /// ISO 8601 date.
    pub issue_date: Option<Field<String>>,
    pub subject: Option<Field<String>>,
    pub signer_name: Option<Field<String>>,
    pub signer_title: Option<Field<String>>,
    /// TM., KT., Q., TL. or TUQ.
    pub signing_authority: Option<Field<String>>,
    pub recipients: Option<Field<Vec<String>>>,
    pub urgency: Option<Field<String>>,
    pub confidentiality: Option<Field<String>>,
    /// What the file itself says (PDF Info, image tags).
    pub file: Option<FileInfo>,
}

/// Reads the Decree 30 fields of a document from its pages' positioned text, then settles the
/// agency with the signatures and the agency directory.
pub fn extract(
    pages: &[PageText],
    signatures: &[SignatureReport],
    directory: Option<&AgencyDirectory>,
) -> Metadata {
    let mut meta = layout::extract(pages);
    resolve_agency(&mut meta, signatures, directory);
    meta
}

/// The organisation a signature names: the certificate's O, else its CN, for signatures whose
/// role is organisation.
fn certificate_agency(signatures: &[SignatureReport]) -> Option<String> {
    signatures
        .iter()
        .filter(|s| s.signed && s.role == Role::Organisation)
        .filter_map(|s| s.signer.as_ref())
        .find_map(|s| s.organization.clone().or_else(|| s.common_name.clone()))
        .map(|o| text::tidy(&o))
        .filter(|o| !o.is_empty())
}

/// Fills `agency_key` (and `agency_name`): the text's agency under its parent, else a
/// signing certificate's organisation, then mapped through the directory when one is given.
pub fn resolve_agency(
    meta: &mut Metadata,
    signatures: &[SignatureReport],
    directory: Option<&AgencyDirectory>,
) {
    let cert = certificate_agency(signatures);
    if meta.agency.is_none() {
        // The text gave no agency (an unreadable header, --ocr none on a scan): the organisation
        // that signed is the best evidence left, and the record says where it came from.
        if let Some(o) = &cert {
            meta.agency = Some(Field::from_source(o.clone(), 0.6, "certificate"));
        }
    }
    let Some(agency) = &meta.agency else { return };
    let parent = meta.parent_agency.as_ref().map(|p| p.value.as_str());
    let key = qualified_agency_key(&agency.value, parent);
    let mut confidence = agency.confidence;
    // The certificate naming the same agency confirms what the text says.
    if cert.as_deref().map(agency_key) == Some(key.clone()) {
        confidence = confidence.max(0.95);
    }
    let found = directory.and_then(|d| {
        d.find(&agency.value, parent).map(|m| m.entry).or_else(|| {
            (agency.source.is_some())
                .then(|| d.find_name(&agency.value))
                .flatten()
        })
    });
    match found {
        Some(entry) => {
            meta.agency_key = Some(Field::from_source(
                entry.key.clone(),
                confidence,
                "agency_file",
            ));
            meta.agency_name = Some(Field::from_source(
                entry.name.clone(),
                confidence,
                "agency_file",
            ));
        }
        None => meta.agency_key = Some(Field::new(key, confidence)),
    }
}
