//! Stage 6: pages + signatures → a verdict on how the document was signed, with the evidence an
//! inspector needs to check it without opening the file.
//!
//! The verdict table is in README. The rules are deliberately conservative: a signature counts
//! only when it is intact, cryptographically valid, covers the document (whole file, or its
//! revision followed only by allowed updates) and, when trust roots were given, is trusted.
//! Anything less makes the document `signature_invalid`, never a signed verdict.

use serde::{Deserialize, Serialize};

use crate::signature::{Coverage, ModificationLevel, Role, SignatureReport, TrustStatus};
use crate::source::{FileInfo, Origin, PageInfo};

/// How a document was signed. See the table in README.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Born-digital, with valid personal and organisation signatures covering the document.
    FullySigned,
    /// Born-digital, a valid organisation signature and no personal one.
    OrgSignedOnly,
    /// Born-digital, valid signatures but not the pair the rules ask for: only personal
    /// signatures, or signatures whose role could not be told.
    PartiallySigned,
    /// Scans of paper (signed by hand) with a valid digital signature added to the scan.
    ScannedOrgSigned,
    /// Scans of paper with no digital signature.
    ScannedUnsigned,
    /// Born-digital, no signature.
    Unsigned,
    /// A signature is broken, does not cover the document, was followed by disallowed changes,
    /// or is untrusted when trust roots were given.
    SignatureInvalid,
    /// The document could not be analysed (its errors say why).
    Unreadable,
}

/// One fact backing a verdict.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Evidence {
    /// What kind of fact: `scanned_page`, `born_digital_page`, `signature`, `empty_signature_field`,
    /// `producer`, ...
    pub kind: String,
    /// 0-based page index, where the fact is about a page.
    pub page: Option<u32>,
    /// Bounding box in page-raster pixels `[x0, y0, x1, y1]`, where the fact has a place.
    pub bbox: Option<[u32; 4]>,
    pub detail: String,
}

impl Evidence {
    fn new(kind: &str, page: Option<u32>, detail: String) -> Self {
        Evidence {
            kind: kind.into(),
            page,
            bbox: None,
            detail,
        }
    }
}

/// What the verdict is decided from.
pub struct VerdictInput<'a> {
    pub pages: &'a [PageInfo],
    pub origin: Origin,
    pub signatures: &'a [SignatureReport],
    pub file_info: Option<&'a FileInfo>,
    /// Whether trust roots were given (`--trust`): then an untrusted signature is invalid.
    pub trust_roots_given: bool,
}

/// Why a signature does not count, or `None` when it does.
pub fn signature_problem(sig: &SignatureReport, trust_roots_given: bool) -> Option<String> {
    if !sig.intact {
        return Some(format!(
            "the document digest does not match ({:?})",
            sig.integrity
        ));
    }
    if !sig.valid {
        return Some("the signature value does not verify".into());
    }
    match sig.coverage {
        Some(Coverage::EntireFile) | Some(Coverage::EntireRevision) => {}
        _ => return Some("the signature does not cover the document".into()),
    }
    if sig.modification_level == Some(ModificationLevel::Other) {
        return Some("the document was changed after signing (page content or objects)".into());
    }
    if let Some(p) = sig.permissions.as_ref().filter(|p| !p.ok) {
        return Some(format!(
            "a change its permissions forbid was made after signing: {}",
            p.reason
        ));
    }
    if sig.revocation.blocks() {
        return Some(format!(
            "a certificate of the chain was revoked: {}",
            sig.revocation.reason
        ));
    }
    if trust_roots_given && sig.trust.status != TrustStatus::Trusted {
        return Some(format!(
            "the certificate is not trusted: {}",
            sig.trust.reason
        ));
    }
    None
}

fn signature_summary(sig: &SignatureReport) -> String {
    let who = sig
        .signer
        .as_ref()
        .map(|s| s.common_name.clone().unwrap_or_else(|| s.subject.clone()))
        .unwrap_or_else(|| "unknown signer".into());
    let role = serde_json::to_value(sig.role)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let when = sig
        .signing_time
        .as_ref()
        .map(|t| format!(", signed {}", t.value))
        .unwrap_or_default();
    format!("field {:?}: {role} signature by {who}{when}", sig.field)
}

/// Decides the verdict and gathers its evidence.
pub fn decide(input: &VerdictInput) -> (Verdict, Vec<Evidence>) {
    let mut evidence = Vec::new();
    for page in input.pages {
        let kind = if page.kind.is_scan() {
            "scanned_page"
        } else {
            continue;
        };
        let dpi = page.dpi.map(|d| format!(", {d} dpi")).unwrap_or_default();
        evidence.push(Evidence::new(
            kind,
            Some(page.index),
            format!("{}{dpi}", page.kind_reason),
        ));
    }
    if let Some(info) = input.file_info {
        let scanner = [
            &info.make,
            &info.model,
            &info.software,
            &info.producer,
            &info.creator,
        ]
        .iter()
        .filter_map(|v| v.as_deref())
        .collect::<Vec<_>>()
        .join(" / ");
        if !scanner.is_empty() {
            evidence.push(Evidence::new("producer", None, scanner));
        }
    }

    if input.pages.is_empty() {
        return (Verdict::Unreadable, evidence);
    }
    let mut counted = Vec::new();
    let mut broken = false;
    for sig in input.signatures {
        if !sig.signed {
            evidence.push(Evidence::new(
                "empty_signature_field",
                None,
                format!("field {:?} is not signed", sig.field),
            ));
            continue;
        }
        if sig.document_timestamp {
            evidence.push(Evidence::new(
                "document_timestamp",
                None,
                signature_summary(sig),
            ));
            continue;
        }
        match signature_problem(sig, input.trust_roots_given) {
            Some(problem) => {
                broken = true;
                evidence.push(Evidence::new(
                    "invalid_signature",
                    None,
                    format!("{}: {problem}", signature_summary(sig)),
                ));
            }
            None => {
                evidence.push(Evidence::new("signature", None, signature_summary(sig)));
                counted.push(sig);
            }
        }
    }
    if broken {
        return (Verdict::SignatureInvalid, evidence);
    }
    let has = |role| counted.iter().any(|s| s.role == role);
    let verdict = match input.origin {
        Origin::Unknown => {
            if counted.is_empty() {
                Verdict::Unsigned
            } else {
                Verdict::PartiallySigned
            }
        }
        Origin::Scanned => {
            if counted.is_empty() {
                Verdict::ScannedUnsigned
            } else {
                Verdict::ScannedOrgSigned
            }
        }
        Origin::BornDigital | Origin::Mixed => {
            if counted.is_empty() {
                Verdict::Unsigned
            } else if has(Role::Personal) && has(Role::Organisation) {
                Verdict::FullySigned
            } else if has(Role::Organisation) {
                Verdict::OrgSignedOnly
            } else {
                Verdict::PartiallySigned
            }
        }
    };
    (verdict, evidence)
}
