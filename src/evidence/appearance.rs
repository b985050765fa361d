//! What a digital signature shows on the page: its widget's appearance.
//!
//! Signing software often draws a picture of the agency's seal in the signature widget. On
//! screen it looks like a red seal, but it is part of the digital signature's annotation, not
//! ink on paper: an inspector must not take it for a stamped-and-scanned document, nor take
//! the picture for proof (the signature's own evidence says whether it holds). A seal on paper
//! is found in the page image instead ([`crate::marks`]).

use std::collections::HashSet;

use lopdf::{Dictionary, Document, Object, ObjectId};

use crate::verdict::Evidence;

/// Form XObjects nest; hostile files may nest them forever or in cycles.
const MAX_DEPTH: usize = 8;
const MM_PER_PT: f64 = 25.4 / 72.0;

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    doc.dereference(o).map(|(_, o)| o).unwrap_or(&Object::Null)
}

fn dict<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Dictionary> {
    match deref(doc, o) {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

fn name<'a>(d: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    d.get(key).ok().and_then(|v| v.as_name().ok())
}

/// The field name when a widget belongs to a signature field (`/FT /Sig` on it or up its
/// `/Parent` chain).
fn signature_field_name(doc: &Document, d: &Dictionary) -> Option<String> {
    let mut cur = d;
    let mut field_name = None;
    for _ in 0..MAX_DEPTH {
        if field_name.is_none() {
            if let Ok(Object::String(t, _)) = cur.get(b"T") {
                field_name = Some(String::from_utf8_lossy(t).into_owned());
            }
        }
        if name(cur, b"FT") == Some(b"Sig") {
            return Some(field_name.unwrap_or_default());
        }
        cur = cur.get(b"Parent").ok().and_then(|p| dict(doc, p))?;
    }
    None
}

/// Images drawn by an appearance stream, directly or through nested form XObjects.
fn count_images(
    doc: &Document,
    xobject: &Object,
    depth: usize,
    seen: &mut HashSet<ObjectId>,
) -> usize {
    if depth > MAX_DEPTH {
        return 0;
    }
    if let Ok(id) = xobject.as_reference() {
        if !seen.insert(id) {
            return 0;
        }
    }
    let Some(d) = dict(doc, xobject) else {
        return 0;
    };
    if name(d, b"Subtype") == Some(b"Image") {
        return 1;
    }
    let Some(xobjects) = d
        .get(b"Resources")
        .ok()
        .and_then(|r| dict(doc, r))
        .and_then(|r| r.get(b"XObject").ok())
        .and_then(|x| dict(doc, x))
    else {
        return 0;
    };
    xobjects
        .iter()
        .map(|(_, x)| count_images(doc, x, depth + 1, seen))
        .sum()
}

/// One evidence item per signature widget: visible (its size, page, and whether it draws an
/// image such as a seal picture) or invisible.
pub fn signature_appearances(bytes: &[u8]) -> Vec<Evidence> {
    let Ok(doc) = Document::load_mem(bytes) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (page_no, page_id) in doc.get_pages() {
        let Some(annots) = doc
            .get_dictionary(page_id)
            .ok()
            .and_then(|p| p.get(b"Annots").ok())
            .and_then(|a| deref(&doc, a).as_array().ok())
        else {
            continue;
        };
        for a in annots {
            let Some(w) = dict(&doc, a) else { continue };
            if name(w, b"Subtype") != Some(b"Widget") {
                continue;
            }
            let Some(field) = signature_field_name(&doc, w) else {
                continue;
            };
            let rect: Vec<f64> = w
                .get(b"Rect")
                .ok()
                .and_then(|r| deref(&doc, r).as_array().ok())
                .map(|r| {
                    r.iter()
                        .filter_map(|n| n.as_float().ok())
                        .map(f64::from)
                        .collect()
                })
                .unwrap_or_default();
            let (wd, ht) = match rect.as_slice() {
                [x0, y0, x1, y1] => ((x1 - x0).abs(), (y1 - y0).abs()),
                _ => (0.0, 0.0),
            };
            let page = Some(page_no.saturating_sub(1));
            let normal = w
                .get(b"AP")
                .ok()
                .and_then(|ap| dict(&doc, ap))
                .and_then(|ap| ap.get(b"N").ok());
            // Hidden or no-view flags (bits 2 and 6) make a widget invisible whatever its size.
            let flags = w.get(b"F").ok().and_then(|f| f.as_i64().ok()).unwrap_or(0);
            if wd < 1.0 || ht < 1.0 || normal.is_none() || flags & (2 | 32) != 0 {
                out.push(Evidence {
                    kind: "signature_appearance".into(),
                    page,
                    bbox: None,
                    detail: format!(
                        "field {field:?}: invisible signature (nothing drawn on the page)"
                    ),
                });
                continue;
            }
            let images = normal.map_or(0, |n| count_images(&doc, n, 0, &mut HashSet::new()));
            let what = if images > 0 {
                "draws an image (such as a seal or signature picture): it is the digital signature's appearance, not a seal stamped on paper, and proves nothing by itself"
            } else {
                "draws text or vector graphics only"
            };
            out.push(Evidence {
                kind: "signature_appearance".into(),
                page,
                bbox: None,
                detail: format!(
                    "field {field:?}: visible widget {:.0} × {:.0} mm at [{}] pt; {what}",
                    wd * MM_PER_PT,
                    ht * MM_PER_PT,
                    rect.iter()
                        .map(|v| format!("{v:.0}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    }
    out
}
