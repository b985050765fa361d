//! Declared against found: what an edXML envelope says of a document (number and notation,
//! date, sender, type) against what the document itself says, in its text (text layer or OCR)
//! and in its organisation signature's certificate. A package declared as numbered X that
//! carries a scan numbered Y is what an inspector wants to see (docs/edxml.md).
//!
//! Only values found on both sides are compared: a field the document does not show is not a
//! mismatch, it is unknown. A mismatch is evidence, never an input to the verdict.

use crate::edxml::{Declared, Mismatch};
use crate::metadata::agency_name::{name_similarity, read, Body, Place};
use crate::metadata::fold::fold;
use crate::metadata::{Field, Metadata};
use crate::signature::{Role, SignatureReport};
use crate::verdict::Evidence;

/// Letters and digits only, folded: "123/QĐ-UBND" and "123 / QD-UBND" compare equal, as the
/// same number printed and typed into a document-management system do.
fn squash(s: &str) -> String {
    fold(s)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn value(f: &Option<Field<String>>) -> Option<&str> {
    f.as_ref()
        .map(|f| f.value.as_str())
        .filter(|v| !v.is_empty())
}

/// The gazetteer key a name reads as, when it names a listed body (with its province).
fn listed_key(name: &str) -> Option<String> {
    let r = read(name);
    match (r.body?, r.place) {
        (Body::Central(c), _) => Some(c.key.clone()),
        (Body::Provincial(d), Some(Place::Province(p))) => Some(format!("{}/{}", d.key, p.key)),
        _ => None,
    }
}

/// Whether two agency names name one agency: by their gazetteer keys when both read as a
/// listed body, else by their letters.
fn same_agency(a: &str, b: &str) -> bool {
    match (listed_key(a), listed_key(b)) {
        (Some(x), Some(y)) => x == y,
        _ => name_similarity(a, b) >= 0.6,
    }
}

/// What the document contradicts of what its envelope declares.
pub fn declared_mismatches(
    declared: &Declared,
    meta: &Metadata,
    signatures: &[SignatureReport],
) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let mut push = |field: &str, declared: &str, found: &str, source: &str| {
        out.push(Mismatch {
            field: field.into(),
            declared: declared.into(),
            found: found.into(),
            found_source: source.into(),
        })
    };
    let number = match (value(&meta.number_symbol), &declared.number_notation) {
        (Some(found), Some(d)) => Some((found, d.value.as_str())),
        _ => match (value(&meta.number), &declared.number) {
            (Some(found), Some(d)) => Some((found, d.value.as_str())),
            _ => None,
        },
    };
    if let Some((found, d)) = number {
        if squash(found) != squash(d) {
            push("number_notation", d, found, "document_text");
        }
    }
    if let (Some(found), Some(d)) = (value(&meta.issue_date), &declared.issue_date) {
        if found != d.value {
            push("issue_date", &d.value, found, "document_text");
        }
    }
    if let (Some(found), Some(d)) = (value(&meta.doc_type), &declared.doc_type) {
        if squash(found) != squash(&d.value) {
            push("doc_type", &d.value, found, "document_text");
        }
    }
    let sender_name = declared
        .sender_name
        .as_ref()
        .map(|n| n.value.clone())
        .or_else(|| value(&meta.agency_name).map(str::to_string));
    if let (Some(code), Some(res)) = (&declared.sender_code, &meta.agency_resolution) {
        if let (Some(doc), Some(key)) = (&res.from_document, &res.key) {
            let same = if res.listed {
                doc.key == *key
            } else {
                sender_name
                    .as_deref()
                    .is_none_or(|n| same_agency(n, &doc.name))
            };
            if !same {
                let d = match &sender_name {
                    Some(n) => format!("{} ({n})", code.value),
                    None => code.value.clone(),
                };
                push(
                    "sender",
                    &d,
                    &format!("{} ({})", doc.name, doc.key),
                    "document_text",
                );
            }
        }
    }
    if let Some(name) = &sender_name {
        for s in signatures
            .iter()
            .filter(|s| s.signed && s.intact && s.valid && s.role == Role::Organisation)
        {
            let Some(o) = s
                .signer
                .as_ref()
                .and_then(|x| x.organization.clone().or_else(|| x.common_name.clone()))
            else {
                continue;
            };
            if !same_agency(name, &o) {
                push("organisation_certificate", name, &o, "certificate");
            }
        }
    }
    out
}

/// One `declared_mismatch` evidence item per mismatch, with both values.
pub fn mismatch_evidence(mismatches: &[Mismatch]) -> Vec<Evidence> {
    mismatches
        .iter()
        .map(|m| Evidence {
            kind: "declared_mismatch".into(),
            page: None,
            bbox: None,
            detail: format!(
                "{}: the envelope declares «{}», the {} says «{}»",
                m.field,
                m.declared,
                match m.found_source.as_str() {
                    "certificate" => "organisation signature's certificate",
                    _ => "document",
                },
                m.found
            ),
        })
        .collect()
}
