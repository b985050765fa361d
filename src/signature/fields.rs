//! Finding signature fields: the AcroForm tree (walking `/Kids`, `/FT` inherited), widget
//! annotations on pages that are missing from the form, and, when the structure cannot be
//! read, the raw `/ByteRange` tokens of the file.

use std::collections::HashSet;

use lopdf::{Dictionary, Document, Object, ObjectId};

/// The parts of a signature dictionary (`/V`) the analysis needs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SigDict {
    /// `None` when absent or not all integers.
    pub byte_range: Option<Vec<i64>>,
    pub subfilter: Option<String>,
    pub type_name: Option<String>,
    /// `/M`, raw.
    pub m: Option<String>,
    /// The `/Contents` string as the structure gives it (`None` when absent, not a string, or
    /// when the signature was found by scanning): the gap the ByteRange leaves must be exactly
    /// this value, or the ByteRange names another signature's bytes.
    pub contents: Option<Vec<u8>>,
    /// Modification detection and prevention declared in `/Reference`: DocMDP (a certification
    /// signature's permission level) and FieldMDP (locked fields).
    pub mdp: Option<Mdp>,
}

/// What a signature's `/Reference` transform declares.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Mdp {
    /// DocMDP `/P`: 1 no changes, 2 form filling and signing, 3 also annotations.
    pub docmdp: Option<u8>,
    /// FieldMDP `/Action` (`All`, `Include`, `Exclude`) and `/Fields`.
    pub fieldmdp: Option<(String, Vec<String>)>,
}

impl SigDict {
    pub fn is_doc_timestamp(&self) -> bool {
        self.type_name.as_deref() == Some("DocTimeStamp")
            || self.subfilter.as_deref() == Some("ETSI.RFC3161")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FoundField {
    pub name: String,
    /// `None` for an empty (unsigned) field.
    pub sig: Option<SigDict>,
    pub problems: Vec<String>,
}

impl FoundField {
    pub fn signed(&self) -> bool {
        self.sig.is_some()
    }
}

// Bounds for hostile files: deep or cyclic /Kids, huge forms.
const MAX_DEPTH: usize = 32;
const MAX_FIELDS: usize = 10_000;

/// Every signature field of the document, in form order, then orphan widgets in page order.
pub fn signature_fields(doc: &Document) -> Vec<FoundField> {
    let mut out = Vec::new();
    let mut seen: HashSet<ObjectId> = HashSet::new();
    if let Some(fields) = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"AcroForm").ok())
        .and_then(|a| deref_dict(doc, a))
        .and_then(|a| a.get(b"Fields").ok())
        .and_then(|f| deref(doc, f).as_array().ok())
    {
        for f in fields {
            walk(doc, f, "", None, 0, &mut seen, &mut out);
        }
    }
    for (_, page_id) in doc.get_pages() {
        let Some(annots) = doc
            .get_dictionary(page_id)
            .ok()
            .and_then(|p| p.get(b"Annots").ok())
            .and_then(|a| deref(doc, a).as_array().ok())
        else {
            continue;
        };
        for a in annots {
            let Ok(id) = a.as_reference() else { continue };
            if seen.contains(&id) || out.len() >= MAX_FIELDS {
                continue;
            }
            let Some(d) = deref_dict(doc, a) else {
                continue;
            };
            let is_sig = d.get(b"FT").ok().and_then(|v| v.as_name().ok()) == Some(b"Sig");
            if is_sig {
                seen.insert(id);
                let mut f = field_from(doc, d, name_of(d).unwrap_or_default());
                f.problems
                    .push("signature widget is not in the AcroForm field tree".into());
                out.push(f);
            }
        }
    }
    out
}

fn walk(
    doc: &Document,
    node: &Object,
    parent_name: &str,
    inherited_ft: Option<&[u8]>,
    depth: usize,
    seen: &mut HashSet<ObjectId>,
    out: &mut Vec<FoundField>,
) {
    if depth > MAX_DEPTH || out.len() >= MAX_FIELDS {
        return;
    }
    if let Ok(id) = node.as_reference() {
        if !seen.insert(id) {
            return;
        }
    }
    let Some(d) = deref_dict(doc, node) else {
        return;
    };
    let ft = d
        .get(b"FT")
        .ok()
        .and_then(|v| v.as_name().ok())
        .or(inherited_ft);
    let own = name_of(d);
    let name = match (&own, parent_name.is_empty()) {
        (Some(n), true) => n.clone(),
        (Some(n), false) => format!("{parent_name}.{n}"),
        (None, _) => parent_name.to_string(),
    };
    // Kids with their own /T are child fields; kids without are this field's widgets.
    let kids: Vec<&Object> = d
        .get(b"Kids")
        .ok()
        .and_then(|k| deref(doc, k).as_array().ok())
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let child_fields: Vec<&Object> = kids
        .iter()
        .copied()
        .filter(|k| deref_dict(doc, k).is_some_and(|kd| kd.has(b"T")))
        .collect();
    if child_fields.is_empty() {
        for k in &kids {
            if let Ok(id) = k.as_reference() {
                seen.insert(id);
            }
        }
        if ft == Some(b"Sig") {
            out.push(field_from(doc, d, name));
        }
    } else {
        for k in child_fields {
            walk(doc, k, &name, ft, depth + 1, seen, out);
        }
    }
}

fn field_from(doc: &Document, d: &Dictionary, name: String) -> FoundField {
    let mut problems = Vec::new();
    let sig = match d.get(b"V") {
        Err(_) => None,
        Ok(v) => match deref(doc, v) {
            Object::Null => None,
            Object::Dictionary(sd) => Some(sig_dict(doc, sd)),
            _ => {
                problems.push("signature field /V is not a dictionary".into());
                Some(SigDict::default())
            }
        },
    };
    FoundField {
        name,
        sig,
        problems,
    }
}

fn sig_dict(doc: &Document, sd: &Dictionary) -> SigDict {
    let byte_range = sd
        .get(b"ByteRange")
        .ok()
        .and_then(|b| deref(doc, b).as_array().ok())
        .and_then(|a| {
            a.iter()
                .map(|o| o.as_i64().ok())
                .collect::<Option<Vec<i64>>>()
        });
    let name = |key: &[u8]| {
        sd.get(key)
            .ok()
            .and_then(|v| deref(doc, v).as_name().ok())
            .map(|n| String::from_utf8_lossy(n).into_owned())
    };
    SigDict {
        byte_range,
        subfilter: name(b"SubFilter"),
        type_name: name(b"Type"),
        m: sd
            .get(b"M")
            .ok()
            .and_then(|v| deref(doc, v).as_str().ok())
            .map(decode_text),
        contents: sd
            .get(b"Contents")
            .ok()
            .and_then(|v| deref(doc, v).as_str().ok())
            .map(<[u8]>::to_vec),
        mdp: mdp_of(doc, sd),
    }
}

/// The DocMDP / FieldMDP transforms of a signature dictionary's `/Reference` array.
fn mdp_of(doc: &Document, sd: &Dictionary) -> Option<Mdp> {
    let refs = sd
        .get(b"Reference")
        .ok()
        .and_then(|r| deref(doc, r).as_array().ok())?;
    let mut mdp = Mdp::default();
    for r in refs.iter().take(16) {
        let Some(r) = deref_dict(doc, r) else {
            continue;
        };
        let method = r
            .get(b"TransformMethod")
            .ok()
            .and_then(|m| deref(doc, m).as_name().ok());
        let params = r
            .get(b"TransformParams")
            .ok()
            .and_then(|p| deref_dict(doc, p));
        match method {
            Some(b"DocMDP") => {
                // /P defaults to 2 (ISO 32000-1, 12.8.2.2).
                let p = params
                    .and_then(|p| p.get(b"P").ok())
                    .and_then(|p| deref(doc, p).as_i64().ok())
                    .unwrap_or(2);
                mdp.docmdp = Some(u8::try_from(p.clamp(1, 3)).unwrap_or(2));
            }
            Some(b"FieldMDP") => {
                let action = params
                    .and_then(|p| p.get(b"Action").ok())
                    .and_then(|a| deref(doc, a).as_name().ok())
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .unwrap_or_else(|| "All".into());
                let names = params
                    .and_then(|p| p.get(b"Fields").ok())
                    .and_then(|f| deref(doc, f).as_array().ok())
                    .map(|a| {
                        a.iter()
                            .filter_map(|n| deref(doc, n).as_str().ok().map(decode_text))
                            .collect()
                    })
                    .unwrap_or_default();
                mdp.fieldmdp = Some((action, names));
            }
            _ => {}
        }
    }
    (mdp.docmdp.is_some() || mdp.fieldmdp.is_some()).then_some(mdp)
}

fn name_of(d: &Dictionary) -> Option<String> {
    d.get(b"T")
        .ok()
        .and_then(|t| t.as_str().ok())
        .map(decode_text)
}

/// PDF text strings: UTF-16BE with a BOM, else (as many producers write) UTF-8, else
/// PDFDocEncoding, read as Latin-1 (they agree on the printable range that names use).
pub(crate) fn decode_text(raw: &[u8]) -> String {
    if let Some(rest) = raw.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks(2)
            .map(|c| match c {
                [hi, lo] => u16::from_be_bytes([*hi, *lo]),
                _ => 0xFFFD,
            })
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Ok(s) = std::str::from_utf8(raw) {
        return s.to_string();
    }
    raw.iter().map(|&b| char::from(b)).collect()
}

pub(crate) fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match doc.dereference(o) {
        Ok((_, obj)) => obj,
        Err(_) => &Object::Null,
    }
}

pub(crate) fn deref_dict<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Dictionary> {
    deref(doc, o).as_dict().ok()
}

/// Signatures found by their `/ByteRange [a b c d]` tokens alone, for files whose structure
/// does not parse or hides them. Duplicates (same numbers) are reported once.
pub fn raw_signatures(bytes: &[u8]) -> Vec<FoundField> {
    let mut out: Vec<FoundField> = Vec::new();
    let mut seen: Vec<Vec<i64>> = Vec::new();
    let mut from = 0;
    while let Some(pos) =
        super::byterange::find(bytes.get(from..).unwrap_or_default(), b"/ByteRange")
    {
        let start = from + pos + b"/ByteRange".len();
        from = start;
        let window = bytes
            .get(start..bytes.len().min(start + 200))
            .unwrap_or_default();
        let Some(open) = window.iter().position(|&c| c == b'[') else {
            continue;
        };
        if !window
            .get(..open)
            .unwrap_or_default()
            .iter()
            .all(u8::is_ascii_whitespace)
        {
            continue;
        }
        let Some(close) = window.iter().position(|&c| c == b']') else {
            continue;
        };
        let Some(inner) = window.get(open + 1..close) else {
            continue;
        };
        let Ok(text) = std::str::from_utf8(inner) else {
            continue;
        };
        let nums: Option<Vec<i64>> = text
            .split_ascii_whitespace()
            .map(|t| t.parse().ok())
            .collect();
        let Some(nums) = nums else { continue };
        if nums.is_empty() || seen.contains(&nums) {
            continue;
        }
        seen.push(nums.clone());
        let subfilter = raw_name_after(bytes, start, b"/SubFilter");
        out.push(FoundField {
            name: format!("(signature {} found without the form structure)", out.len() + 1),
            sig: Some(SigDict {
                byte_range: Some(nums),
                subfilter,
                ..SigDict::default()
            }),
            problems: vec!["the signature was found by scanning for /ByteRange: the PDF structure could not be used to find it".into()],
        });
    }
    out
}

/// The name value of `key` within a few hundred bytes around `at` (same dictionary, usually).
fn raw_name_after(bytes: &[u8], at: usize, key: &[u8]) -> Option<String> {
    let lo = at.saturating_sub(400);
    let window = bytes.get(lo..bytes.len().min(at + 400))?;
    let p = super::byterange::find(window, key)? + key.len();
    let rest = window.get(p..)?;
    let slash = rest.iter().position(|&c| !c.is_ascii_whitespace())?;
    if rest.get(slash) != Some(&b'/') {
        return None;
    }
    let name: Vec<u8> = rest
        .get(slash + 1..)?
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'.' || **c == b'_')
        .copied()
        .collect();
    Some(String::from_utf8_lossy(&name).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_scan_finds_integer_byteranges_once() {
        let bytes = b"<< /ByteRange [0 10 20 30] /SubFilter /adbe.pkcs7.detached >> /ByteRange [0 10 20 30] /ByteRange [0 /x]";
        let found = raw_signatures(bytes);
        assert_eq!(found.len(), 1);
        let sig = found[0].sig.as_ref().unwrap();
        assert_eq!(sig.byte_range.as_deref(), Some(&[0, 10, 20, 30][..]));
        assert_eq!(sig.subfilter.as_deref(), Some("adbe.pkcs7.detached"));
    }

    #[test]
    fn utf16_field_names_are_decoded() {
        assert_eq!(decode_text(&[0xFE, 0xFF, 0x00, 0x43, 0x1E, 0xEF]), "Cữ");
        assert_eq!(decode_text(b"Sig1"), "Sig1");
    }
}
