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
pub mod agency_name;
pub mod circular02;
pub mod envelope;
pub mod fields;
pub mod fold;
pub mod gazetteer;
pub mod hygiene;
pub mod layout;
pub mod resolve;
pub mod text;

use serde::{Deserialize, Serialize};

pub use agency::{agency_key, qualified_agency_key, AgencyDirectory, AgencyEntry, AgencyError};
pub use layout::AgencyBlock;
pub use resolve::{AgencyEvidence, AgencyResolution, ResolutionStatus};
pub use text::{lines_from_ocr, lines_from_runs, PageText, TextLine, TextSource};

use crate::signature::{Role, SignatureReport};
use crate::source::FileInfo;

/// A value found in the document, with how sure we are of it (0..1).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Field<T> {
    pub value: T,
    pub confidence: f32,
    /// Where the value came from when it is not the document's own text: `certificate` (a
    /// signer certificate's O or CN), `agency_file` (`--agencies`), `gazetteer`,
    /// `printed_name`, `envelope` or `authority_line` (docs/record.md).
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
    /// The agency's canonical key (`so-tai-chinh/bac-giang`, `bo-tai-chinh`): from `--agencies`
    /// when the agency is there, else the resolution's; `null` when the agency is unresolved.
    pub agency_key: Option<Field<String>>,
    /// The agency's display name: from `--agencies`, else the resolution's.
    #[serde(default)]
    pub agency_name: Option<Field<String>>,
    /// How the agency was resolved: the evidence read, the candidates, the confidence
    /// (docs/record.md). `null` when the document says nothing of its agency.
    #[serde(default)]
    pub agency_resolution: Option<AgencyResolution>,
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

/// Reads the Decree 30 fields of a document from its pages' positioned text, then resolves the
/// agency from everything the document says of it, and maps it through the agency directory.
pub fn extract(
    pages: &[PageText],
    signatures: &[SignatureReport],
    directory: Option<&AgencyDirectory>,
) -> Metadata {
    let (mut meta, block) = layout::extract(pages);
    resolve_agency(&mut meta, &block, signatures, directory);
    meta
}

/// The organisations that signed: (O or CN, L, ST) of each intact, valid signature whose role
/// is organisation. A broken signature's certificate names nobody.
fn certificate_agencies(
    signatures: &[SignatureReport],
) -> Vec<(Option<String>, Option<String>, Option<String>)> {
    signatures
        .iter()
        .filter(|s| s.signed && s.intact && s.valid && s.role == Role::Organisation)
        .filter_map(|s| s.signer.as_ref())
        .map(|s| {
            let clean = |v: &Option<String>| v.as_deref().map(text::tidy).filter(|t| !t.is_empty());
            (
                clean(&s.organization).or_else(|| clean(&s.common_name)),
                clean(&s.locality),
                clean(&s.state),
            )
        })
        .collect()
}

/// Resolves the agency (`agency_resolution`, `agency_key`, `agency_name`) from the header's
/// agency block, the date line's place, the symbol and the organisation certificates, then
/// maps it through the directory when one is given.
pub fn resolve_agency(
    meta: &mut Metadata,
    block: &AgencyBlock,
    signatures: &[SignatureReport],
    directory: Option<&AgencyDirectory>,
) {
    let certificates = certificate_agencies(signatures);
    if meta.agency.is_none() {
        // The text gave no agency (an unreadable header, --ocr none on a scan): the organisation
        // that signed is the best evidence left, and the record says where it came from.
        if let Some(o) = certificates.iter().find_map(|(o, _, _)| o.clone()) {
            meta.agency = Some(Field::from_source(o, 0.6, "certificate"));
        }
    }
    let evidence = AgencyEvidence {
        names: block.names.clone(),
        text_confidence: block.confidence,
        place: meta.place.as_ref().map(|f| f.value.clone()),
        symbol: meta.symbol.as_ref().map(|f| f.value.clone()),
        certificates,
    };
    let nothing =
        evidence.names.is_empty() && evidence.certificates.is_empty() && evidence.symbol.is_none();
    let resolution = (!nothing).then(|| resolve::resolve(&evidence));
    if let Some(r) = &resolution {
        if let (Some(key), Some(name)) = (&r.key, &r.name) {
            let source = if r.listed {
                "gazetteer"
            } else {
                "printed_name"
            };
            meta.agency_key = Some(Field::from_source(key.clone(), r.confidence, source));
            meta.agency_name = Some(Field::from_source(name.clone(), r.confidence, source));
        }
    }
    if let Some(d) = directory {
        let parent = meta.parent_agency.as_ref().map(|p| p.value.as_str());
        let resolved = resolution.as_ref().and_then(|r| r.key.as_deref());
        let found = resolved
            .and_then(|k| d.by_key(k).or_else(|| d.find_name(k)))
            .or_else(|| {
                meta.agency
                    .as_ref()
                    .and_then(|a| d.find(&a.value, parent).map(|m| m.entry))
            })
            .or_else(|| {
                resolution
                    .as_ref()
                    .and_then(|r| r.name.as_deref())
                    .and_then(|n| d.find_name(n))
            })
            .or_else(|| {
                meta.agency
                    .as_ref()
                    .filter(|a| a.source.is_some())
                    .and_then(|a| d.find_name(&a.value))
            });
        if let Some(entry) = found {
            let confidence = resolution
                .as_ref()
                .filter(|r| r.key.is_some())
                .map(|r| r.confidence)
                .or_else(|| meta.agency.as_ref().map(|a| a.confidence))
                .unwrap_or(0.5);
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
    }
    meta.agency_resolution = resolution;
}
