//! Evidence beside the verdict: what was seen on scanned pages (seals, handwritten signatures,
//! or why nothing could be seen) and the metadata an inspector checks a verdict against.
//!
//! These facts do not change the verdict (a seal stamped on paper is not a digital signature);
//! they let an inspector confirm it without opening the file.

mod appearance;
mod declared;

pub use appearance::signature_appearances;
pub use declared::{declared_mismatches, mismatch_evidence};

use crate::marks::{self, crop_name, MarkKind, PageMarks};
use crate::metadata::Metadata;
use crate::verdict::Evidence;

/// Evidence from the marks found on scanned pages and from the record's metadata. With
/// `crops_of` (the document id, when `--evidence-images` wrote crops) each mark names its crop.
pub fn extra_evidence(
    page_marks: &[(u32, PageMarks)],
    metadata: &Metadata,
    crops_of: Option<&str>,
) -> Vec<Evidence> {
    let mut out = Vec::new();
    for (page, marks) in page_marks {
        let page = *page;
        match marks {
            PageMarks::Checked(list) if list.is_empty() => out.push(Evidence {
                kind: "no_marks_found".into(),
                page: Some(page),
                bbox: None,
                detail:
                    "no red seal and no blue-ink handwritten signature found on this scanned page"
                        .into(),
            }),
            PageMarks::Checked(list) => {
                for (k, m) in marks::numbered(list) {
                    let what = match m.kind {
                        MarkKind::Seal => "stamped on the paper that was scanned (part of the page image, not a digital signature's appearance)",
                        MarkKind::HandwrittenSignature => "signed by hand on the paper that was scanned",
                    };
                    let crop = crops_of
                        .map(|id| format!("; crop: {}", crop_name(id, page, m.kind, k)))
                        .unwrap_or_default();
                    out.push(Evidence {
                        kind: m.kind.name().into(),
                        page: Some(page),
                        bbox: Some(m.bbox),
                        detail: format!("{}; {what}{crop}", m.detail),
                    });
                }
            }
            PageMarks::SealsByShape { seals, why } => {
                for (k, m) in marks::numbered(seals) {
                    let crop = crops_of
                        .map(|id| format!("; crop: {}", crop_name(id, page, m.kind, k)))
                        .unwrap_or_default();
                    out.push(Evidence {
                        kind: m.kind.name().into(),
                        page: Some(page),
                        bbox: Some(m.bbox),
                        detail: format!(
                            "{}; stamped on the paper that was scanned (part of the page image, not a digital signature's appearance){crop}",
                            m.detail
                        ),
                    });
                }
                let seals = if seals.is_empty() {
                    "no round seal found by shape"
                } else {
                    "seals looked for by shape"
                };
                out.push(Evidence {
                    kind: "marks_not_checked".into(),
                    page: Some(page),
                    bbox: None,
                    detail: format!(
                        "{seals}; hand signatures not checked: colour not available: {why}"
                    ),
                });
            }
            PageMarks::ColourNotAvailable(why) => out.push(Evidence {
                kind: "marks_not_checked".into(),
                page: Some(page),
                bbox: None,
                detail: format!("colour not available: {why}"),
            }),
            PageMarks::NotChecked(why) => out.push(Evidence {
                kind: "marks_not_checked".into(),
                page: Some(page),
                bbox: None,
                detail: why.clone(),
            }),
        }
    }
    let value = |f: &Option<crate::metadata::Field<String>>| f.as_ref().map(|f| f.value.clone());
    let parts: Vec<String> = [
        ("agency", value(&metadata.agency)),
        ("agency key", value(&metadata.agency_key)),
        (
            "number",
            value(&metadata.number_symbol).or_else(|| value(&metadata.number)),
        ),
        ("issue date", value(&metadata.issue_date)),
        ("signer", value(&metadata.signer_name)),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| format!("{k}: {v}")))
    .collect();
    if !parts.is_empty() {
        out.push(Evidence {
            kind: "metadata".into(),
            page: None,
            bbox: None,
            detail: parts.join("; "),
        });
    }
    out
}
