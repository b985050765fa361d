//! Stage 4: OCR of scanned pages.
//!
//! Placeholder until the OCR issue lands: no page is recognised.

use serde::{Deserialize, Serialize};

/// The record's `ocr` object.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OcrSummary {
    pub engine: String,
}
