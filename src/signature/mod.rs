//! Stage 3: digital signatures, analysed on the original bytes before any OCR.
//!
//! Placeholder until the signature issue lands: no signature is reported.

use serde::{Deserialize, Serialize};

/// One signature field of a document, as written to the record's `signatures`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SignatureReport {
    pub field: String,
}

/// Options for signature analysis.
#[derive(Debug, Clone, Default)]
pub struct SignatureOptions {}

/// Finds and analyses every signature of a PDF.
pub fn analyze_pdf(_bytes: &[u8], _options: &SignatureOptions) -> Vec<SignatureReport> {
    Vec::new()
}
