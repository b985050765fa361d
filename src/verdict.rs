//! Stage 6: pages + signatures + metadata → a verdict on how the document was signed, with the
//! evidence an inspector needs to check it.

use serde::{Deserialize, Serialize};

/// How a document was signed. See the table in README.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    FullySigned,
    OrgSignedOnly,
    ScannedOrgSigned,
    ScannedUnsigned,
    Unsigned,
    SignatureInvalid,
    Unreadable,
}

/// One fact backing a verdict.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Evidence {
    /// What kind of fact: `scanned_page`, `red_seal`, `handwritten_signature`, `signature`, ...
    pub kind: String,
    /// 0-based page index, where the fact is about a page.
    pub page: Option<u32>,
    /// Bounding box in page-raster pixels `[x0, y0, x1, y1]`, where the fact has a place.
    pub bbox: Option<[u32; 4]>,
    pub detail: String,
}
