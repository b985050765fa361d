//! PDF pages: kinds from the content streams, text layers, and image rasters without rendering.
//!
//! A page's kind is decided from what its content stream draws, followed through form
//! XObjects: the share of the page covered by raster images, text drawn visibly, text drawn
//! invisibly (render mode 3 or 7, as OCR layers are, or hidden under a full-page image drawn
//! after it), and vector paths.

mod content;
mod images;
mod info;
mod text;

use std::collections::HashMap;
use std::sync::Arc;

use lopdf::{Dictionary, Object, ObjectId};

use crate::pdf_bytes;
use crate::source::{
    Document, Format, Limits, Page, PageInfo, PageKind, RasterSource, SourceError,
};

use content::{is_over_limit, number, Marks, Matrix, Walker};
use images::image_info;
use info::file_info;
use text::normalise_runs;

pub(crate) use images::decode_image;

/// A page image: the document and the image XObject to decode.
pub(crate) struct PdfImageRef {
    pub doc: Arc<lopdf::Document>,
    pub id: ObjectId,
}

/// An image that covers at least this share of the page is "most of the page": a scan.
const SCAN_COVERAGE: f64 = 0.5;

fn malformed(message: impl Into<String>) -> SourceError {
    SourceError::Malformed {
        format: "PDF",
        message: message.into(),
    }
}

/// Whether the file ends with an `%%EOF` marker (allowing trailing whitespace or junk that
/// some producers append). Its absence on a file that fails to load means it was cut short.
fn has_eof_marker(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    tail.windows(5).any(|w| w == b"%%EOF")
}

pub(crate) fn open(bytes: Arc<[u8]>, limits: &Limits) -> Result<Document, SourceError> {
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(limits.max_stream_bytes),
        ..Default::default()
    };
    let doc = match lopdf::Document::load_mem_with_options(&bytes, options) {
        Ok(doc) => doc,
        Err(lopdf::Error::InvalidPassword) => return Err(SourceError::Encrypted),
        Err(e) if !has_eof_marker(&bytes) => {
            return Err(SourceError::Truncated(format!("no %%EOF marker, {e}")))
        }
        Err(e) => return Err(malformed(e.to_string())),
    };
    if doc.is_encrypted() && !doc.was_encrypted() {
        return Err(SourceError::Encrypted);
    }
    // lopdf ends a /Prev chain quietly where it loops; such a file has no well-defined set of
    // revisions (which objects are current depends on where one stops), so it is refused.
    if let Some(at) = xref_chain_loop(&bytes) {
        return Err(malformed(format!(
            "the cross-reference chain loops: the /Prev of the section at offset {at} leads back \
             to a section already read"
        )));
    }
    // A lenient load can rebuild the object table of a file that was cut short; the pages
    // it finds may lack their content, so we refuse rather than report wrong page kinds.
    if doc.xref_recovery.is_some() && !has_eof_marker(&bytes) {
        return Err(SourceError::Truncated(
            "no %%EOF marker and the cross-reference table is damaged".into(),
        ));
    }
    // The page tree's declared /Count is checked before the tree is walked: a file that claims
    // a billion pages is refused without trusting (or allocating for) the claim.
    if let Some(count) = declared_page_count(&doc) {
        if count > u64::from(limits.max_pages) {
            return Err(SourceError::TooManyPages(count, limits.max_pages));
        }
    }
    let page_ids = doc.get_pages();
    if page_ids.len() as u64 > u64::from(limits.max_pages) {
        return Err(SourceError::TooManyPages(
            page_ids.len() as u64,
            limits.max_pages,
        ));
    }
    if page_ids.is_empty() {
        return Err(malformed("the document has no pages"));
    }
    let file_info = file_info(&doc, limits.max_stream_bytes);
    let doc = Arc::new(doc);
    let mut pages = Vec::with_capacity(page_ids.len());
    for (index, (&number, &page_id)) in page_ids.iter().enumerate() {
        pages.push(analyse_page(&doc, index as u32, number, page_id, limits)?);
    }
    Ok(Document {
        format: Format::Pdf,
        pages,
        file_info,
    })
}

/// Where the `startxref` → `/Prev` → ... chain first comes back to a section it has already
/// visited, if it does. The `/Prev` of a section is read from the text between it and the end
/// of its trailer (table) or stream dictionary (xref stream); bounded to 10,000 sections.
fn xref_chain_loop(bytes: &[u8]) -> Option<usize> {
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    let mut at = pdf_bytes::last_startxref(tail)?;
    let key = b"startxref";
    let mut seen = std::collections::HashSet::new();
    for _ in 0..10_000 {
        let section = bytes.get(at..)?;
        // A table's trailer ends before the next startxref; a stream's dictionary before
        // `stream`. /Prev is looked for only up to there.
        let end = if section.starts_with(b"xref") {
            section.windows(key.len()).position(|w| w == key)?
        } else {
            section.windows(6).position(|w| w == b"stream")?
        };
        let prev = pdf_bytes::number_after(&section[..end], b"/Prev")?;
        if !seen.insert(at) || prev == at {
            return Some(at);
        }
        at = prev;
    }
    None
}

/// The root page tree node's `/Count`, when it is a non-negative integer.
fn declared_page_count(doc: &lopdf::Document) -> Option<u64> {
    let pages = doc.catalog().ok()?.get(b"Pages").ok()?;
    let (_, pages) = doc.dereference(pages).ok()?;
    let (_, count) = doc
        .dereference(pages.as_dict().ok()?.get(b"Count").ok()?)
        .ok()?;
    u64::try_from(count.as_i64().ok()?).ok()
}

/// Reads an inheritable page attribute (MediaBox, Resources, Rotate), walking up the page tree.
fn inherited<'a>(doc: &'a lopdf::Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = page;
    for _ in 0..64 {
        if let Ok(v) = node.get(key) {
            return doc.dereference(v).ok().map(|(_, o)| o);
        }
        let parent = node.get(b"Parent").ok()?;
        node = doc.dereference(parent).ok()?.1.as_dict().ok()?;
    }
    None
}

fn page_box(doc: &lopdf::Document, page: &Dictionary) -> [f64; 4] {
    let a4 = [0.0, 0.0, 595.276, 841.89];
    let Some(arr) = inherited(doc, page, b"MediaBox").and_then(|o| o.as_array().ok()) else {
        return a4;
    };
    let vals: Vec<f64> = arr
        .iter()
        .filter_map(|o| doc.dereference(o).ok().and_then(|(_, o)| number(o)))
        .collect();
    match vals[..] {
        [x0, y0, x1, y1] if (x1 - x0).abs() > 0.0 && (y1 - y0).abs() > 0.0 => {
            [x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)]
        }
        _ => a4,
    }
}

fn analyse_page(
    doc: &Arc<lopdf::Document>,
    index: u32,
    number: u32,
    page_id: ObjectId,
    limits: &Limits,
) -> Result<Page, SourceError> {
    let page_dict = doc.get_dictionary(page_id).ok();
    // A /Contents or /Resources that is a chain of references going round in circles is not
    // an empty page: the page cannot be read, so neither can the document.
    for key in [&b"Contents"[..], b"Resources"] {
        if let Some(Err(e)) = page_dict
            .and_then(|d| d.get(key).ok())
            .map(|v| doc.dereference(v))
        {
            if matches!(
                e,
                lopdf::Error::ReferenceCycle(_) | lopdf::Error::ReferenceLimit
            ) {
                return Err(malformed(format!(
                    "page {}: /{} is a reference cycle",
                    index + 1,
                    String::from_utf8_lossy(key)
                )));
            }
        }
    }
    let bbox = page_dict
        .map(|d| page_box(doc, d))
        .unwrap_or([0.0, 0.0, 595.276, 841.89]);
    let mut walker = Walker {
        doc,
        page_box: bbox,
        marks: Marks::default(),
        fonts: HashMap::new(),
        runs: Vec::new(),
        max_stream: limits.max_stream_bytes,
        over_limit: false,
    };
    let resources: Vec<&Dictionary> = page_dict
        .and_then(|d| inherited(doc, d, b"Resources"))
        .and_then(|r| r.as_dict().ok())
        .into_iter()
        .collect();
    // Content that does not decode is read as empty (lenient, as viewers are), but content over
    // the size limit is a decompression bomb: the page cannot be judged, so neither can the
    // document.
    let too_large = || SourceError::StreamTooLarge {
        what: format!("page {}: its content", index + 1),
        limit: limits.max_stream_bytes,
    };
    let content = match doc.get_page_content_with_limit(page_id, limits.max_stream_bytes) {
        Ok(c) => c,
        Err(e) if is_over_limit(&e) => return Err(too_large()),
        Err(_) => Vec::new(),
    };
    walker.walk(&content, &resources, Matrix::IDENTITY, 0);
    if walker.over_limit {
        return Err(too_large());
    }
    let text_runs = normalise_runs(&walker.runs, bbox);
    let marks = walker.marks;

    let main = marks
        .images
        .iter()
        .max_by(|a, b| a.coverage.total_cmp(&b.coverage))
        .cloned();
    let total_coverage: f64 = marks
        .images
        .iter()
        .map(|i| i.coverage)
        .sum::<f64>()
        .min(1.0);
    let (kind, kind_reason) = classify(&marks, total_coverage);

    let text = if marks.visible_text + marks.invisible_text > 0 {
        doc.extract_text_with_limit(&[number], limits.max_stream_bytes)
            .ok()
            .map(|t| t.trim_end().to_string())
            .filter(|t| !t.is_empty())
    } else {
        None
    };

    let image = main
        .as_ref()
        .and_then(|m| m.id.and_then(|id| image_info(doc, id, m.coverage)));
    let dpi = match (&main, &image) {
        (Some(m), Some(img)) if m.coverage > 0.0 => {
            let width_pt = m.bbox[2] - m.bbox[0];
            (width_pt > 0.0).then(|| f64::from(img.width_px) / (width_pt / 72.0))
        }
        _ => None,
    }
    .map(|d| (d * 10.0).round() / 10.0);
    let raster = match (&main, &image) {
        (Some(m), Some(img)) if m.coverage >= SCAN_COVERAGE && img.decodable => m.id.map(|id| {
            RasterSource::Pdf(PdfImageRef {
                doc: Arc::clone(doc),
                id,
            })
        }),
        _ => None,
    };
    let info = PageInfo {
        index,
        kind,
        kind_reason,
        width_pt: Some(round2(bbox[2] - bbox[0])),
        height_pt: Some(round2(bbox[3] - bbox[1])),
        width_px: image.as_ref().map(|i| i.width_px),
        height_px: image.as_ref().map(|i| i.height_px),
        dpi,
        image,
        visible_text_chars: marks.visible_text,
        invisible_text_chars: marks.invisible_text,
    };
    let mut page = Page::new(info, text, raster);
    page.text_runs = text_runs;
    Ok(page)
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn classify(marks: &Marks, coverage: f64) -> (PageKind, String) {
    let pct = (coverage * 100.0).round();
    if coverage >= SCAN_COVERAGE && marks.visible_text == 0 {
        if marks.invisible_text > 0 {
            (
                PageKind::ScannedWithTextLayer,
                format!(
                    "images cover {pct}% of the page; no visible text; an invisible text layer of {} glyphs (OCR)",
                    marks.invisible_text
                ),
            )
        } else {
            (
                PageKind::Scanned,
                format!("images cover {pct}% of the page; no text layer"),
            )
        }
    } else if marks.visible_text > 0 {
        (
            PageKind::BornDigital,
            format!("{} glyphs of visible text", marks.visible_text),
        )
    } else if marks.vector_ops > 0 || !marks.images.is_empty() {
        (
            PageKind::BornDigital,
            format!(
                "vector drawing ({} painting operations), images cover {pct}% of the page",
                marks.vector_ops
            ),
        )
    } else {
        (PageKind::Blank, "nothing is drawn on the page".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_short_file_has_no_eof_marker() {
        assert!(has_eof_marker(b"%PDF-1.4\n...\n%%EOF\n"));
        assert!(!has_eof_marker(b"%PDF-1.4\n1 0 obj <<"));
    }
}
