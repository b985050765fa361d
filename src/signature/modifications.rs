//! What the incremental updates after a signed revision changed.
//!
//! Each revision is loaded on its own (`bytes[..end]`) and its objects compared with the
//! previous revision's. The classification mirrors pyHanko's levels but is coarser: new
//! signatures and filled signature fields are `form_filling` (as pyHanko rates them), DSS and
//! document timestamps `lta_updates`, new or changed annotations `annotations`, and anything
//! else that replaces an existing object (page content, resources, the catalog's other keys)
//! `other`. New objects that nothing above explains (appearance streams, fonts) are support
//! for the change they come with and are not listed.

use crate::pdf_bytes;
use std::collections::{BTreeMap, HashSet};

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::fields::deref;
use super::{Modification, ModificationKind, ModificationLevel};

pub struct Later {
    pub level: ModificationLevel,
    pub modifications: Vec<Modification>,
    pub problems: Vec<String>,
}

pub(crate) fn level_of(kind: ModificationKind) -> ModificationLevel {
    match kind {
        ModificationKind::Dss | ModificationKind::Timestamp => ModificationLevel::LtaUpdates,
        ModificationKind::Signature | ModificationKind::FormFilling => {
            ModificationLevel::FormFilling
        }
        ModificationKind::Annotation => ModificationLevel::Annotations,
        ModificationKind::PageContent
        | ModificationKind::ObjectOverride
        | ModificationKind::Other => ModificationLevel::Other,
    }
}

fn load(bytes: &[u8], end: usize) -> Result<Document, String> {
    let prefix = bytes.get(..end).ok_or("revision end outside the file")?;
    let doc = Document::load_mem(prefix).map_err(|e| e.to_string())?;
    if doc.xref_recovery == Some(lopdf::xref::XrefRecovery::Reconstructed) {
        return Err("its cross-reference data is broken (the parser had to rebuild it)".into());
    }
    Ok(doc)
}

/// Changes after the revision ending at `signed_end`, one entry per changed object.
pub fn analyse(bytes: &[u8], signed_end: usize, ends: &[usize]) -> Later {
    let mut out = Later {
        level: ModificationLevel::None,
        modifications: Vec::new(),
        problems: Vec::new(),
    };
    // Later revisions: %%EOF ends beyond the signed bytes with something besides blanks between.
    let later: Vec<usize> = ends
        .iter()
        .copied()
        .filter(|&e| {
            e > signed_end
                && bytes
                    .get(signed_end..e)
                    .is_some_and(|gap| !gap.iter().all(u8::is_ascii_whitespace))
        })
        .collect();
    // Objects written after the last revision without a cross-reference section are an
    // update that readers following the xref never see, while readers that rebuild the xref by
    // scanning (many viewers, on a file they think damaged) show them: the Incremental Saving
    // Attack without an xref. Plain trailing junk (a comment, zeros) is not an update.
    let last_end = later.last().copied().unwrap_or(signed_end);
    if bytes.get(last_end..).is_some_and(defines_object) {
        out.level = ModificationLevel::Other;
        out.modifications.push(Modification {
            revision: ends.iter().filter(|&&e| e <= last_end).count() + 1,
            kind: ModificationKind::Other,
            detail: "objects appended after the last revision without a cross-reference section"
                .into(),
            field: None,
        });
    }
    if later.is_empty() {
        return out;
    }
    let signed_revision = ends.iter().filter(|&&e| e <= signed_end).count().max(1);
    let mut prev = match load(bytes, signed_end) {
        Ok(d) => d,
        Err(e) => {
            out.level = ModificationLevel::Other;
            out.problems.push(format!(
                "the signed revision cannot be read to compare with later ones: {e}"
            ));
            return out;
        }
    };
    let mut start = signed_end;
    for (revision, end) in (signed_revision + 1..).zip(later) {
        // An update's startxref must name its own cross-reference section: one that points
        // back into earlier bytes makes readers that follow it load the signed revision again,
        // hiding the objects this update carries (Incremental Saving Attack, crafted trailer).
        let section = bytes.get(start..end).unwrap_or_default();
        let own_xref = pdf_bytes::last_startxref(section).is_some_and(|x| x >= start);
        start = end;
        if !own_xref {
            out.level = ModificationLevel::Other;
            out.modifications.push(Modification {
                revision,
                kind: ModificationKind::Other,
                detail: "this update's startxref does not point into the update: its objects are \
                         hidden from readers that follow the cross-reference chain"
                    .into(),
                field: None,
            });
            continue;
        }
        let cur = match load(bytes, end) {
            Ok(d) => d,
            Err(e) => {
                out.level = ModificationLevel::Other;
                out.modifications.push(Modification {
                    revision,
                    kind: ModificationKind::Other,
                    detail: format!("revision cannot be read: {e}"),
                    field: None,
                });
                continue;
            }
        };
        for (kind, detail, field) in diff(&prev, &cur) {
            out.level = out.level.max(level_of(kind));
            out.modifications.push(Modification {
                revision,
                kind,
                detail,
                field,
            });
        }
        prev = cur;
    }
    out
}

/// Whether `bytes` define an indirect object (`12 0 obj`).
fn defines_object(bytes: &[u8]) -> bool {
    let is_ws = |c: &u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0');
    bytes
        .windows(3)
        .enumerate()
        .filter(|(_, w)| *w == b"obj")
        .any(|(at, _)| {
            // Backwards from `obj`: blanks, generation digits, blanks, object number digits.
            let mut i = at;
            let mut step = |pred: &dyn Fn(&u8) -> bool| {
                let from = i;
                while i > 0 && pred(&bytes[i - 1]) {
                    i -= 1;
                }
                i < from
            };
            step(&is_ws) && step(&u8::is_ascii_digit) && step(&is_ws) && step(&u8::is_ascii_digit)
        })
}

fn name<'a>(d: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    d.get(key).ok().and_then(|v| v.as_name().ok())
}

fn dict_of(o: &Object) -> Option<&Dictionary> {
    match o {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

/// A signature value or field added by an update: a later signature, or a document timestamp.
fn new_signature_kind(doc: &Document, d: &Dictionary) -> ModificationKind {
    if is_doc_timestamp(doc, d) {
        ModificationKind::Timestamp
    } else {
        ModificationKind::Signature
    }
}

fn is_doc_timestamp(doc: &Document, d: &Dictionary) -> bool {
    let sig = |sd: &Dictionary| {
        name(sd, b"Type") == Some(b"DocTimeStamp")
            || name(sd, b"SubFilter") == Some(b"ETSI.RFC3161")
    };
    sig(d)
        || d.get(b"V")
            .ok()
            .and_then(|v| deref(doc, v).as_dict().ok())
            .is_some_and(sig)
}

fn is_sig_value(d: &Dictionary) -> bool {
    name(d, b"Type") == Some(b"Sig")
        || name(d, b"Type") == Some(b"DocTimeStamp")
        || (d.has(b"ByteRange") && d.has(b"Contents"))
}

/// Keys whose values differ between two dictionaries.
fn changed_keys(a: &Dictionary, b: &Dictionary) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for (k, v) in b.iter() {
        if a.get(k).ok() != Some(v) {
            keys.push(String::from_utf8_lossy(k).into_owned());
        }
    }
    for (k, _) in a.iter() {
        if !b.has(k) {
            keys.push(String::from_utf8_lossy(k).into_owned());
        }
    }
    keys
}

/// Object ids reachable from `start` (bounded), for "belongs to the DSS".
fn reachable(doc: &Document, start: &Object, limit: usize) -> HashSet<ObjectId> {
    let mut seen = HashSet::new();
    let mut stack = vec![start.clone()];
    while let Some(o) = stack.pop() {
        if seen.len() >= limit {
            break;
        }
        match o {
            Object::Reference(id) if seen.insert(id) => {
                if let Ok(obj) = doc.get_object(id) {
                    stack.push(obj.clone());
                }
            }
            Object::Array(a) => stack.extend(a),
            Object::Dictionary(d) => stack.extend(d.iter().map(|(_, v)| v.clone())),
            Object::Stream(s) => stack.extend(s.dict.iter().map(|(_, v)| v.clone())),
            _ => {}
        }
    }
    seen
}

fn annots(doc: &Document, page: &Dictionary) -> Vec<Object> {
    page.get(b"Annots")
        .ok()
        .and_then(|a| deref(doc, a).as_array().ok())
        .cloned()
        .unwrap_or_default()
}

/// How many times each object is referenced directly from other objects or the trailer.
fn reference_counts(doc: &Document) -> BTreeMap<ObjectId, usize> {
    fn visit(o: &Object, counts: &mut BTreeMap<ObjectId, usize>, depth: usize) {
        if depth > 64 {
            return;
        }
        match o {
            Object::Reference(id) => *counts.entry(*id).or_default() += 1,
            Object::Array(a) => a.iter().for_each(|v| visit(v, counts, depth + 1)),
            Object::Dictionary(d) => d.iter().for_each(|(_, v)| visit(v, counts, depth + 1)),
            Object::Stream(s) => s.dict.iter().for_each(|(_, v)| visit(v, counts, depth + 1)),
            _ => {}
        }
    }
    let mut counts = BTreeMap::new();
    for o in doc.objects.values() {
        visit(o, &mut counts, 0);
    }
    for (_, v) in doc.trailer.iter() {
        visit(v, &mut counts, 0);
    }
    counts
}

/// Indirect objects a field's appearance uses: `/AP` itself and its `/N`, `/R`, `/D` entries.
fn appearance_targets(doc: &Document, field: &Dictionary) -> Vec<ObjectId> {
    let mut out = Vec::new();
    let Ok(ap) = field.get(b"AP") else { return out };
    if let Ok(id) = ap.as_reference() {
        out.push(id);
    }
    if let Ok(apd) = deref(doc, ap).as_dict() {
        for key in [&b"N"[..], b"R", b"D"] {
            if let Ok(id) = apd.get(key).and_then(|v| v.as_reference()) {
                out.push(id);
            }
        }
    }
    out
}

/// A widget of a signature field: `/FT /Sig` on it or on its parent field.
fn is_sig_widget(doc: &Document, o: &Object) -> bool {
    let Some(d) = deref(doc, o).as_dict().ok() else {
        return false;
    };
    name(d, b"FT") == Some(b"Sig")
        || d.get(b"Parent")
            .ok()
            .and_then(|p| deref(doc, p).as_dict().ok())
            .is_some_and(|p| name(p, b"FT") == Some(b"Sig"))
}

/// A field's fully qualified name (`parent.child`), following `/Parent` (bounded).
fn qualified_name(doc: &Document, d: &Dictionary) -> Option<String> {
    let mut parts = Vec::new();
    let mut cur = Some(d);
    for _ in 0..32 {
        let Some(node) = cur else { break };
        if let Ok(t) = node.get(b"T").and_then(|t| t.as_str()) {
            parts.push(super::fields::decode_text(t));
        }
        cur = node
            .get(b"Parent")
            .ok()
            .and_then(|p| deref(doc, p).as_dict().ok());
    }
    if parts.is_empty() {
        return None;
    }
    parts.reverse();
    Some(parts.join("."))
}

/// The listed changes from `prev` to `cur`, with the form field each one concerns.
fn diff(prev: &Document, cur: &Document) -> Vec<(ModificationKind, String, Option<String>)> {
    let changes = diff_objects(prev, cur);
    changes
        .into_iter()
        .map(|(id, (kind, detail))| {
            let field = matches!(
                kind,
                ModificationKind::FormFilling
                    | ModificationKind::Signature
                    | ModificationKind::Timestamp
            )
            .then(|| cur.objects.get(&id).and_then(dict_of))
            .flatten()
            .filter(|d| d.has(b"FT") || d.has(b"T") || d.has(b"Parent"))
            .and_then(|d| qualified_name(cur, d));
            (kind, detail, field)
        })
        .collect()
}

fn diff_objects(prev: &Document, cur: &Document) -> BTreeMap<ObjectId, (ModificationKind, String)> {
    let mut found: BTreeMap<ObjectId, (ModificationKind, String)> = BTreeMap::new();
    let root_id = cur
        .trailer
        .get(b"Root")
        .ok()
        .and_then(|r| r.as_reference().ok());
    let info_id = cur
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|r| r.as_reference().ok());
    let catalog = cur.catalog().ok();
    let acroform_id = catalog
        .and_then(|c| c.get(b"AcroForm").ok())
        .and_then(|a| a.as_reference().ok());
    let dss_ids = catalog
        .and_then(|c| c.get(b"DSS").ok())
        .map(|d| {
            let mut ids = reachable(cur, d, 100_000);
            if let Ok(id) = d.as_reference() {
                ids.insert(id);
            }
            ids
        })
        .unwrap_or_default();
    // The developer-extensions dictionary may be updated by a signing tool (pyHanko allows it),
    // unless the signed revision also uses that object somewhere else.
    let extensions_id = catalog
        .and_then(|c| c.get(b"Extensions").ok())
        .and_then(|e| e.as_reference().ok());
    let pages: HashSet<ObjectId> = cur.get_pages().into_values().collect();
    let prev_refs = reference_counts(prev);
    let shared = |id: &ObjectId| prev_refs.get(id).copied().unwrap_or(0) > 1;
    // Appearance objects of signature fields changed in this update: overwriting them in place
    // is part of signing, unless something else in the signed revision also uses them.
    let sig_appearances: HashSet<ObjectId> = cur
        .objects
        .iter()
        .filter(|(id, o)| prev.objects.get(id) != Some(o))
        .filter_map(|(_, o)| dict_of(o))
        .filter(|d| name(d, b"FT") == Some(b"Sig"))
        // An appearance dictionary used elsewhere too may not be rewritten (pyHanko's rule).
        .filter(|d| {
            !d.get(b"AP")
                .and_then(|ap| ap.as_reference())
                .is_ok_and(|id| shared(&id))
        })
        .flat_map(|d| appearance_targets(cur, d))
        .collect();
    // Widgets listed as /Kids of signature fields (they need not point back with /Parent).
    let sig_kids: HashSet<ObjectId> = cur
        .objects
        .values()
        .filter_map(dict_of)
        .filter(|d| name(d, b"FT") == Some(b"Sig"))
        .filter_map(|d| d.get(b"Kids").ok())
        .filter_map(|k| deref(cur, k).as_array().ok())
        .flatten()
        .filter_map(|k| k.as_reference().ok())
        .collect();

    // A new /Root swaps the whole document for another catalog, possibly one that was already
    // in the signed bytes, unused (the hide-and-replace shadow attack): no object changes, so
    // the object diff below would see nothing.
    let prev_root = prev
        .trailer
        .get(b"Root")
        .ok()
        .and_then(|r| r.as_reference().ok());
    if let (Some(old), Some(new)) = (prev_root, root_id) {
        if old != new {
            found.insert(
                new,
                (
                    ModificationKind::ObjectOverride,
                    format!(
                        "trailer /Root changed from object {} {} to object {} {}: the document's catalog was replaced",
                        old.0, old.1, new.0, new.1
                    ),
                ),
            );
        }
    }
    for (id, obj) in &cur.objects {
        let old = prev.objects.get(id);
        if old == Some(obj) {
            continue;
        }
        let is_new = old.is_none();
        let label = format!("object {} {}", id.0, id.1);
        if !is_new && sig_appearances.contains(id) && !shared(id) {
            continue;
        }
        let Some(d) = dict_of(obj) else {
            if !is_new {
                found.insert(
                    *id,
                    (
                        ModificationKind::ObjectOverride,
                        format!("{label} replaced"),
                    ),
                );
            }
            continue;
        };
        let ty = name(d, b"Type");
        if Some(*id) == extensions_id && !shared(id) {
            continue;
        }
        if matches!(ty, Some(b"XRef") | Some(b"ObjStm"))
            || Some(*id) == info_id
            || ty == Some(b"Metadata")
        {
            continue;
        }
        if dss_ids.contains(id) || ty == Some(b"DSS") {
            found.insert(
                *id,
                (
                    ModificationKind::Dss,
                    format!("{label}: document security store"),
                ),
            );
            continue;
        }
        if is_sig_value(d) {
            if is_new {
                let kind = new_signature_kind(cur, d);
                found.insert(*id, (kind, format!("{label}: new signature value")));
            } else {
                found.insert(
                    *id,
                    (
                        ModificationKind::ObjectOverride,
                        format!("{label}: signature dictionary replaced"),
                    ),
                );
            }
            continue;
        }
        if name(d, b"FT") == Some(b"Sig") {
            let old_d = old.and_then(dict_of);
            let filled_empty = old_d.is_some_and(|o| !o.has(b"V"));
            let changed = old_d.map(|o| changed_keys(o, d)).unwrap_or_default();
            let only_fill = changed
                .iter()
                .all(|k| matches!(k.as_str(), "V" | "AP" | "F" | "P" | "Rect"));
            let shared_ap = old_d.is_some_and(|o| {
                changed.iter().any(|k| k == "AP") && appearance_targets(prev, o).iter().any(&shared)
            });
            if shared_ap {
                found.insert(
                    *id,
                    (
                        ModificationKind::ObjectOverride,
                        format!("{label}: signature field's appearance is shared with other objects and was replaced"),
                    ),
                );
                continue;
            }
            if is_new || (filled_empty && only_fill) {
                let kind = new_signature_kind(cur, d);
                found.insert(
                    *id,
                    (
                        kind,
                        format!(
                            "{label}: signature field {}",
                            if is_new { "added" } else { "filled" }
                        ),
                    ),
                );
            } else {
                found.insert(
                    *id,
                    (
                        ModificationKind::ObjectOverride,
                        format!(
                            "{label}: signed signature field changed ({})",
                            changed.join(", ")
                        ),
                    ),
                );
            }
            continue;
        }
        let Some(old_d) = old.and_then(dict_of) else {
            // New objects: annotations are listed; the rest is support for other changes.
            if ty == Some(b"Annot") && name(d, b"Subtype") != Some(b"Widget") {
                found.insert(
                    *id,
                    (
                        ModificationKind::Annotation,
                        format!("{label}: annotation added"),
                    ),
                );
            } else if name(d, b"Subtype") == Some(b"Widget") && d.has(b"FT") {
                found.insert(
                    *id,
                    (
                        ModificationKind::FormFilling,
                        format!("{label}: form field added"),
                    ),
                );
            }
            continue;
        };
        let changed = changed_keys(old_d, d);
        if Some(*id) == root_id {
            for key in changed {
                let kind = match key.as_str() {
                    "DSS" => ModificationKind::Dss,
                    "AcroForm" | "Metadata" | "Perms" | "Extensions" | "Version" => continue,
                    _ => ModificationKind::Other,
                };
                found.insert(*id, (kind, format!("{label} (catalog): /{key} changed")));
            }
            continue;
        }
        if Some(*id) == acroform_id {
            let unexpected: Vec<&String> = changed
                .iter()
                .filter(|k| {
                    !matches!(
                        k.as_str(),
                        "Fields" | "SigFlags" | "DR" | "DA" | "NeedAppearances"
                    )
                })
                .collect();
            if !unexpected.is_empty() {
                found.insert(
                    *id,
                    (
                        ModificationKind::Other,
                        format!("{label} (AcroForm): {unexpected:?} changed"),
                    ),
                );
            }
            continue;
        }
        if pages.contains(id) {
            for key in &changed {
                if key == "Annots" {
                    let before: Vec<Object> = annots(prev, old_d);
                    let added: Vec<Object> = annots(cur, d)
                        .into_iter()
                        .filter(|a| !before.contains(a))
                        .collect();
                    let all_sig = added.iter().all(|a| {
                        is_sig_widget(cur, a)
                            || a.as_reference().is_ok_and(|id| sig_kids.contains(&id))
                    });
                    // A page that a signature widget points to (/P) is part of what that
                    // signature shows: pyHanko does not accept other annotations on it.
                    let holds_sig_widget = prev.objects.values().filter_map(dict_of).any(|w| {
                        w.get(b"P").and_then(|p| p.as_reference()).ok() == Some(*id)
                            && (name(w, b"FT") == Some(b"Sig")
                                || w.get(b"Parent")
                                    .ok()
                                    .and_then(|p| deref(prev, p).as_dict().ok())
                                    .is_some_and(|p| name(p, b"FT") == Some(b"Sig")))
                    });
                    if !all_sig && holds_sig_widget {
                        found.insert(
                            *id,
                            (
                                ModificationKind::ObjectOverride,
                                format!(
                                    "{label} (page with a signature widget): annotations changed"
                                ),
                            ),
                        );
                    } else if !all_sig {
                        found.insert(
                            *id,
                            (
                                ModificationKind::Annotation,
                                format!("{label} (page): annotations changed"),
                            ),
                        );
                    }
                } else {
                    found.insert(
                        *id,
                        (
                            ModificationKind::PageContent,
                            format!("{label} (page): /{key} changed"),
                        ),
                    );
                }
            }
            continue;
        }
        // A field merged with its widget is also an /Annot: its value is form filling.
        if d.has(b"FT")
            && changed
                .iter()
                .all(|k| matches!(k.as_str(), "V" | "AP" | "AS"))
        {
            found.insert(
                *id,
                (
                    ModificationKind::FormFilling,
                    format!("{label}: form field value changed"),
                ),
            );
            continue;
        }
        if ty == Some(b"Annot") || d.has(b"Subtype") && d.has(b"Rect") && !d.has(b"FT") {
            found.insert(
                *id,
                (
                    ModificationKind::Annotation,
                    format!("{label}: annotation changed"),
                ),
            );
            continue;
        }
        found.insert(
            *id,
            (
                ModificationKind::ObjectOverride,
                format!("{label} replaced ({})", changed.join(", ")),
            ),
        );
    }
    // Objects the update deleted (free entries) hide content that was signed.
    for id in prev.objects.keys() {
        if !cur.objects.contains_key(id) {
            found.insert(
                *id,
                (
                    ModificationKind::ObjectOverride,
                    format!("object {} {} deleted", id.0, id.1),
                ),
            );
        }
    }
    found
}
