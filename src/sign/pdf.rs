//! The signature field added to a finished PDF as an incremental update, the way pyHanko signs:
//! the earlier bytes are kept as they are, an invisible signature widget goes on the first page,
//! and the `/ByteRange` covers the whole resulting file except the `/Contents` hex string.

use lopdf::{dictionary, Document, IncrementalDocument, Object, ObjectId, StringFormat};

use super::SignError;

/// Ten digits: room for the offsets of any file under 10 GB, patched in place.
const RANGE_PLACEHOLDER: i64 = 9_999_999_999;
const FIELD_NAME: &str = "kyso-archive";

/// A file with an empty signature whose byte range is set: what remains is to put the CMS in.
pub(super) struct Prepared {
    pub bytes: Vec<u8>,
    /// Where the `<...>` of `/Contents` starts and ends (end exclusive).
    pub gap: (usize, usize),
}

impl Prepared {
    /// The bytes the signature covers: everything but the `/Contents` hex string.
    pub fn signed_parts(&self) -> [&[u8]; 2] {
        [&self.bytes[..self.gap.0], &self.bytes[self.gap.1..]]
    }

    /// Writes the DER signature into the reserved hex string (zero-padded).
    pub fn fill(mut self, cms: &[u8]) -> Result<Vec<u8>, SignError> {
        let room = (self.gap.1 - self.gap.0 - 2) / 2;
        if cms.len() > room {
            return Err(SignError::TooLarge {
                needed: cms.len(),
                reserved: room,
            });
        }
        let hex = hex::encode_upper(cms);
        self.bytes[self.gap.0 + 1..self.gap.0 + 1 + hex.len()].copy_from_slice(hex.as_bytes());
        Ok(self.bytes)
    }
}

fn pdf_err(e: impl std::fmt::Display) -> SignError {
    SignError::Pdf(e.to_string())
}

/// A text string: PDFDocEncoding is ASCII here; anything else is UTF-16BE with its BOM.
pub fn text_string(s: &str) -> Object {
    if s.is_ascii() {
        Object::string_literal(s)
    } else {
        let mut bytes = vec![0xFE, 0xFF];
        for unit in s.encode_utf16() {
            bytes.extend_from_slice(&unit.to_be_bytes());
        }
        Object::String(bytes, StringFormat::Hexadecimal)
    }
}

/// What the signature dictionary says besides the signature.
pub(super) struct SigFields<'a> {
    /// `/M`, a PDF date.
    pub time: &'a str,
    pub name: Option<&'a str>,
    pub reason: &'a str,
    /// Bytes reserved for the DER CMS.
    pub reserve: usize,
}

/// Appends an incremental update to `pdf` holding an invisible signature field on page 1 with
/// a zeroed `/Contents` of `reserve` bytes, and sets its `/ByteRange`.
pub(super) fn prepare(pdf: &[u8], fields: &SigFields) -> Result<Prepared, SignError> {
    let prev = Document::load_mem(pdf).map_err(pdf_err)?;
    if prev.is_encrypted() || prev.trailer.get(b"Encrypt").is_ok() {
        return Err(SignError::Pdf("the PDF is encrypted".into()));
    }
    let root_id = prev
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(pdf_err)?;
    let page_id = prev
        .page_iter()
        .next()
        .ok_or_else(|| SignError::Pdf("the PDF has no page".into()))?;
    let mut inc = IncrementalDocument::create_from(pdf.to_vec(), prev);

    let mut sig = dictionary! {
        "Type" => "Sig",
        "Filter" => "Adobe.PPKLite",
        "SubFilter" => "ETSI.CAdES.detached",
        "ByteRange" => vec![
            Object::Integer(0),
            Object::Integer(RANGE_PLACEHOLDER),
            Object::Integer(RANGE_PLACEHOLDER),
            Object::Integer(RANGE_PLACEHOLDER),
        ],
        "Contents" => Object::String(vec![0u8; fields.reserve], StringFormat::Hexadecimal),
        "M" => Object::string_literal(fields.time),
        "Reason" => text_string(fields.reason),
    };
    if let Some(name) = fields.name {
        sig.set("Name", text_string(name));
    }
    let doc = &mut inc.new_document;
    let sig_id = doc.add_object(sig);
    // Invisible (an empty rectangle and an empty appearance, as pyHanko makes invisible
    // signatures) but printable and locked: PDF/A wants every widget printable and with a
    // normal appearance.
    let appearance = doc.add_object(lopdf::Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Form",
            "BBox" => vec![0.into(), 0.into(), 0.into(), 0.into()],
        },
        Vec::new(),
    ));
    let widget_id = doc.add_object(dictionary! {
        "Type" => "Annot",
        "Subtype" => "Widget",
        "FT" => "Sig",
        "T" => Object::string_literal(FIELD_NAME),
        "V" => sig_id,
        "F" => 132,
        "Rect" => vec![0.into(), 0.into(), 0.into(), 0.into()],
        "AP" => dictionary! { "N" => appearance },
        "P" => page_id,
    });
    inc.opt_clone_object_to_new_document(page_id)
        .map_err(pdf_err)?;
    inc.opt_clone_object_to_new_document(root_id)
        .map_err(pdf_err)?;
    add_to_array(&mut inc, page_id, b"Annots", widget_id)?;
    add_field(&mut inc, root_id, widget_id)?;

    let mut bytes = Vec::new();
    inc.save_to(&mut bytes).map_err(pdf_err)?;
    locate_and_set_range(bytes, pdf.len(), fields.reserve)
}

/// Appends `item` to the array `key` of the dictionary `id` (which must be in the new
/// revision), following one indirection by copying the array into the new revision.
fn add_to_array(
    inc: &mut IncrementalDocument,
    id: ObjectId,
    key: &[u8],
    item: ObjectId,
) -> Result<(), SignError> {
    let mut array = array_at(
        inc,
        inc.new_document
            .get_dictionary(id)
            .map_err(pdf_err)?
            .get(key),
    );
    array.push(Object::Reference(item));
    inc.new_document
        .get_dictionary_mut(id)
        .map_err(pdf_err)?
        .set(key, array);
    Ok(())
}

/// An array entry as the file has it: inline, or behind a reference into the original
/// revision; empty when missing or of another type.
fn array_at(inc: &IncrementalDocument, entry: lopdf::Result<&Object>) -> Vec<Object> {
    match entry {
        Ok(Object::Array(a)) => a.clone(),
        Ok(Object::Reference(r)) => inc
            .get_prev_documents()
            .get_object(*r)
            .and_then(Object::as_array)
            .cloned()
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Adds the field to the catalog's `/AcroForm` (made if missing) and sets `/SigFlags 3`.
fn add_field(
    inc: &mut IncrementalDocument,
    root_id: ObjectId,
    field: ObjectId,
) -> Result<(), SignError> {
    let catalog = inc.new_document.get_dictionary(root_id).map_err(pdf_err)?;
    let mut form = match catalog.get(b"AcroForm") {
        Ok(Object::Dictionary(d)) => d.clone(),
        Ok(Object::Reference(r)) => inc
            .get_prev_documents()
            .get_dictionary(*r)
            .cloned()
            .unwrap_or_default(),
        _ => lopdf::Dictionary::new(),
    };
    let mut fields = array_at(inc, form.get(b"Fields"));
    fields.push(Object::Reference(field));
    form.set("Fields", fields);
    form.set("SigFlags", 3);
    inc.new_document
        .get_dictionary_mut(root_id)
        .map_err(pdf_err)?
        .set("AcroForm", form);
    Ok(())
}

/// Finds the placeholders written after `start` and puts the real byte range in place
/// (padded with spaces to the placeholder's length, so no offset moves).
fn locate_and_set_range(
    mut bytes: Vec<u8>,
    start: usize,
    reserve: usize,
) -> Result<Prepared, SignError> {
    let contents = {
        let mut c = Vec::with_capacity(reserve * 2 + 2);
        c.push(b'<');
        c.extend(std::iter::repeat_n(b'0', reserve * 2));
        c.push(b'>');
        c
    };
    let gap_start = find(&bytes[start..], &contents)
        .map(|i| i + start)
        .ok_or_else(|| {
            SignError::Pdf("the reserved /Contents was not written as expected".into())
        })?;
    let gap_end = gap_start + contents.len();
    let placeholder = format!("0 {RANGE_PLACEHOLDER} {RANGE_PLACEHOLDER} {RANGE_PLACEHOLDER}");
    let range_at = find(&bytes[start..], placeholder.as_bytes())
        .map(|i| i + start)
        .ok_or_else(|| SignError::Pdf("the /ByteRange was not written as expected".into()))?;
    let len = bytes.len();
    let actual = format!("0 {gap_start} {gap_end} {}", len - gap_end);
    if actual.len() > placeholder.len() {
        return Err(SignError::Pdf("the file is too large to sign".into()));
    }
    let padded = format!("{actual:<width$}", width = placeholder.len());
    bytes[range_at..range_at + padded.len()].copy_from_slice(padded.as_bytes());
    Ok(Prepared {
        bytes,
        gap: (gap_start, gap_end),
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}
