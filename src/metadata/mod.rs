//! Stage 5: metadata of administrative documents (Decree 30/2020 fields) and file metadata.

use serde::{Deserialize, Serialize};

use crate::source::FileInfo;

/// A value found in the document, with how sure we are of it (0..1).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Field<T> {
    pub value: T,
    pub confidence: f32,
}

/// The record's `metadata`. Every field is `null` until found; never a guess presented as fact.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Metadata {
    pub agency: Option<Field<String>>,
    pub parent_agency: Option<Field<String>>,
    pub agency_key: Option<Field<String>>,
    pub number: Option<Field<String>>,
    pub symbol: Option<Field<String>>,
    pub number_symbol: Option<Field<String>>,
    pub doc_type: Option<Field<String>>,
    pub place: Option<Field<String>>,
    pub issue_date: Option<Field<String>>,
    pub subject: Option<Field<String>>,
    pub signer_name: Option<Field<String>>,
    pub signer_title: Option<Field<String>>,
    pub signing_authority: Option<Field<String>>,
    pub recipients: Option<Field<Vec<String>>>,
    pub urgency: Option<Field<String>>,
    pub confidentiality: Option<Field<String>>,
    /// What the file itself says (PDF Info, image tags).
    pub file: Option<FileInfo>,
}
