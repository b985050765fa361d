//! PDF pages: kinds from the content streams, text layers, and image rasters without rendering.
//!
//! A page's kind is decided from what its content stream draws, followed through form
//! XObjects: the share of the page covered by raster images, text drawn visibly, text drawn
//! invisibly (render mode 3 or 7, as OCR layers are, or hidden under a full-page image drawn
//! after it), and vector paths.

use crate::pdf_bytes;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use lopdf::content::Content;
use lopdf::{Dictionary, Encoding, Object, ObjectId};

use super::{
    check_pixels, Document, FileInfo, Format, ImageInfo, Limits, Page, PageImage, PageInfo,
    PageKind, RasterSource, SourceError, TextRun, XmpInfo,
};

/// A page image: the document and the image XObject to decode.
pub(crate) struct PdfImageRef {
    pub doc: Arc<lopdf::Document>,
    pub id: ObjectId,
}

/// An image that covers at least this share of the page is "most of the page": a scan.
const SCAN_COVERAGE: f64 = 0.5;
/// Largest Indexed colour-space lookup accepted (256 entries of at most 4 bytes, with room
/// for producers that pad the stream).
const MAX_PALETTE_BYTES: usize = 64 * 1024;
/// Form XObjects nest; a crafted file can make them recurse. Real files stay far below this.
const MAX_FORM_DEPTH: usize = 12;

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

fn file_info(doc: &lopdf::Document, limit: usize) -> FileInfo {
    let info = doc
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok());
    let text = |key: &[u8]| -> Option<String> {
        let (_, obj) = doc.dereference(info?.get(key).ok()?).ok()?;
        match obj {
            Object::String(bytes, _) => Some(decode_pdf_string(bytes)),
            _ => None,
        }
    };
    FileInfo {
        producer: text(b"Producer"),
        creator: text(b"Creator"),
        created: text(b"CreationDate"),
        modified: text(b"ModDate"),
        encrypted: doc.was_encrypted() || doc.is_encrypted(),
        xmp: xmp(doc, limit),
        ..FileInfo::default()
    }
}

/// The catalog's XMP metadata stream, parsed. A packet is a few kilobytes; one larger than
/// 4 MiB (or the stream limit) is not read rather than parsed at any cost.
fn xmp(doc: &lopdf::Document, limit: usize) -> Option<XmpInfo> {
    let limit = limit.min(4 << 20);
    let root = doc.trailer.get(b"Root").ok()?;
    let (_, catalog) = doc.dereference(root).ok()?;
    let (_, meta) = doc
        .dereference(catalog.as_dict().ok()?.get(b"Metadata").ok()?)
        .ok()?;
    let stream = meta.as_stream().ok()?;
    let bytes = if stream.dict.get(b"Filter").is_ok() {
        stream.decompressed_content_with_limit(limit).ok()?
    } else {
        stream.content.clone()
    };
    if bytes.len() > limit {
        return None;
    }
    XmpInfo::parse(&String::from_utf8_lossy(&bytes))
}

/// PDF text strings are UTF-16BE with a BOM, or PDFDocEncoding (close enough to Latin-1 for
/// the Info fields we read).
fn decode_pdf_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        bytes.iter().map(|&b| char::from(b)).collect()
    }
}

/// A 2-D affine transform `[a b c d e f]` as in PDF.
#[derive(Clone, Copy, Debug)]
struct Matrix([f64; 6]);

impl Matrix {
    const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    /// `self × other`: apply `self` first, then `other` (PDF's `cm` is `M × CTM`).
    fn then(self, other: Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = other.0;
        Matrix([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    fn apply(self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + c * y + e, b * x + d * y + f)
    }

    /// Axis-aligned bounding box of the unit square under this transform (where an image
    /// XObject lands on the page).
    fn unit_square_bbox(self) -> [f64; 4] {
        let pts = [
            self.apply(0.0, 0.0),
            self.apply(1.0, 0.0),
            self.apply(0.0, 1.0),
            self.apply(1.0, 1.0),
        ];
        let xs = pts.iter().map(|p| p.0);
        let ys = pts.iter().map(|p| p.1);
        [
            xs.clone().fold(f64::INFINITY, f64::min),
            ys.clone().fold(f64::INFINITY, f64::min),
            xs.fold(f64::NEG_INFINITY, f64::max),
            ys.fold(f64::NEG_INFINITY, f64::max),
        ]
    }

    fn from_operands(ops: &[Object]) -> Option<Matrix> {
        if ops.len() != 6 {
            return None;
        }
        let mut m = [0.0; 6];
        for (slot, op) in m.iter_mut().zip(ops) {
            *slot = number(op)?;
        }
        m.iter().all(|v| v.is_finite()).then_some(Matrix(m))
    }
}

fn number(obj: &Object) -> Option<f64> {
    match obj {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

/// What a page's content draws.
#[derive(Default, Debug)]
struct Marks {
    visible_text: usize,
    invisible_text: usize,
    vector_ops: usize,
    images: Vec<PlacedImage>,
}

#[derive(Debug, Clone)]
struct PlacedImage {
    id: Option<ObjectId>,
    bbox: [f64; 4],
    coverage: f64,
}

#[derive(Clone)]
struct GraphicsState<'a> {
    ctm: Matrix,
    render_mode: i64,
    /// Bytes per glyph of the current font: 2 for composite (Type0) fonts.
    bytes_per_glyph: usize,
    text: TextState<'a>,
}

/// The text state of PDF 32000-1 §9.3, enough to place each shown string on the page: the
/// metadata stage reads documents by where their lines are (header columns, title, signer
/// block), not by content-stream order.
#[derive(Clone)]
struct TextState<'a> {
    /// Text matrix and text line matrix (§9.4.2).
    tm: Matrix,
    tlm: Matrix,
    font: Option<Rc<FontInfo<'a>>>,
    size: f64,
    leading: f64,
    char_spacing: f64,
    word_spacing: f64,
    /// Horizontal scaling, as a fraction (Tz 100 → 1.0).
    hscale: f64,
    rise: f64,
}

impl Default for TextState<'_> {
    fn default() -> Self {
        TextState {
            tm: Matrix::IDENTITY,
            tlm: Matrix::IDENTITY,
            font: None,
            size: 0.0,
            leading: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            hscale: 1.0,
            rise: 0.0,
        }
    }
}

/// What placing a font's text needs: its Unicode mapping and glyph widths.
struct FontInfo<'a> {
    encoding: Option<Encoding<'a>>,
    /// 2 for composite (Type0) fonts, whose codes are two bytes (Identity-H and the like).
    bytes_per_code: usize,
    first_char: u32,
    /// Glyph widths in thousandths of the font size, from `FirstChar`.
    widths: Vec<f64>,
    /// Composite fonts: `W` ranges of the descendant font, as (first code, widths).
    cid_widths: Vec<(u32, Vec<f64>)>,
    default_width: f64,
}

impl FontInfo<'_> {
    fn width(&self, code: u32) -> f64 {
        if self.bytes_per_code == 2 {
            for (first, ws) in &self.cid_widths {
                if code >= *first && ((code - first) as usize) < ws.len() {
                    return ws[(code - first) as usize];
                }
            }
            return self.default_width;
        }
        code.checked_sub(self.first_char)
            .and_then(|i| self.widths.get(i as usize).copied())
            .unwrap_or(self.default_width)
    }
}

/// Text runs are capped per page: a crafted page with millions of strings must not make the
/// metadata stage (which only needs the layout of a few dozen lines) use unbounded memory.
const MAX_TEXT_RUNS: usize = 20_000;

struct Walker<'a> {
    doc: &'a lopdf::Document,
    page_box: [f64; 4],
    marks: Marks,
    fonts: HashMap<ObjectId, Rc<FontInfo<'a>>>,
    /// Text shown, in device space (PDF points, origin bottom-left), with whether it is drawn
    /// invisibly.
    runs: Vec<RawRun>,
    /// Largest size a form XObject's content may inflate to (`Limits::max_stream_bytes`): a
    /// form is a stream like any other and can be a decompression bomb.
    max_stream: usize,
    /// Set when a form's content went over `max_stream`: the page cannot be judged.
    over_limit: bool,
}

/// A string as shown: its text and where its glyphs went, before normalisation to the page.
struct RawRun {
    text: String,
    /// Baseline start and end, and glyph height, in device space.
    x0: f64,
    x1: f64,
    baseline: f64,
    height: f64,
    invisible: bool,
}

fn is_over_limit(e: &lopdf::Error) -> bool {
    matches!(
        e,
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })
    )
}

/// Finds a named resource (font, XObject) in the resource dictionaries, innermost first.
fn lookup<'a>(
    doc: &'a lopdf::Document,
    resources: &[&'a Dictionary],
    category: &[u8],
    name: &[u8],
) -> Option<(Option<ObjectId>, &'a Object)> {
    resources.iter().find_map(|res| {
        let (_, cat) = doc.dereference(res.get(category).ok()?).ok()?;
        let entry = cat.as_dict().ok()?.get(name).ok()?;
        doc.dereference(entry).ok()
    })
}

impl<'a> Walker<'a> {
    fn page_area(&self) -> f64 {
        let [x0, y0, x1, y1] = self.page_box;
        ((x1 - x0) * (y1 - y0)).abs()
    }

    fn coverage(&self, bbox: [f64; 4]) -> f64 {
        let [px0, py0, px1, py1] = self.page_box;
        let w = (bbox[2].min(px1) - bbox[0].max(px0)).max(0.0);
        let h = (bbox[3].min(py1) - bbox[1].max(py0)).max(0.0);
        let area = self.page_area();
        if area > 0.0 {
            (w * h / area).min(1.0)
        } else {
            0.0
        }
    }

    /// Follows one content stream. `resources` are the dictionaries searched for named
    /// resources, innermost first.
    fn walk(&mut self, content: &[u8], resources: &[&'a Dictionary], ctm: Matrix, depth: usize) {
        let Ok(content) = Content::decode(content) else {
            return;
        };
        let mut state = GraphicsState {
            ctm,
            render_mode: 0,
            bytes_per_glyph: 1,
            text: TextState::default(),
        };
        let mut stack: Vec<GraphicsState> = Vec::new();
        for op in &content.operations {
            match op.operator.as_str() {
                "q" => stack.push(state.clone()),
                "Q" => {
                    if let Some(s) = stack.pop() {
                        state = s;
                    }
                }
                "cm" => {
                    if let Some(m) = Matrix::from_operands(&op.operands) {
                        state.ctm = m.then(state.ctm);
                    }
                }
                "Tr" => {
                    if let Some(mode) = op.operands.first().and_then(number) {
                        state.render_mode = mode as i64;
                    }
                }
                "Tf" => {
                    if let Some(Object::Name(name)) = op.operands.first() {
                        state.bytes_per_glyph = self.font_bytes_per_glyph(resources, name);
                        state.text.font = self.font(resources, name);
                    }
                    if let Some(size) = op.operands.get(1).and_then(number) {
                        state.text.size = size;
                    }
                }
                "BT" => {
                    state.text.tm = Matrix::IDENTITY;
                    state.text.tlm = Matrix::IDENTITY;
                }
                "Td" | "TD" | "Tm" | "T*" | "TL" | "Tc" | "Tw" | "Tz" | "Ts" => {
                    text_state_op(&mut state.text, op.operator.as_str(), &op.operands);
                }
                "Tj" | "'" | "\"" | "TJ" => {
                    let glyphs = shown_bytes(&op.operands) / state.bytes_per_glyph.max(1);
                    let invisible = matches!(state.render_mode, 3 | 7);
                    if invisible {
                        self.marks.invisible_text += glyphs;
                    } else {
                        self.marks.visible_text += glyphs;
                    }
                    match op.operator.as_str() {
                        "'" => text_state_op(&mut state.text, "T*", &[]),
                        "\"" => {
                            if let [aw, ac, ..] = &op.operands[..] {
                                state.text.word_spacing = number(aw).unwrap_or(0.0);
                                state.text.char_spacing = number(ac).unwrap_or(0.0);
                            }
                            text_state_op(&mut state.text, "T*", &[]);
                        }
                        _ => {}
                    }
                    let shown = match op.operator.as_str() {
                        "\"" => op.operands.get(2..).unwrap_or(&[]),
                        _ => &op.operands[..],
                    };
                    self.show_text(&mut state.text, state.ctm, shown, invisible);
                }
                "f" | "F" | "f*" | "S" | "s" | "B" | "B*" | "b" | "b*" | "sh" => {
                    self.marks.vector_ops += 1;
                }
                "BI" => self.place_image(None, state.ctm),
                "Do" => {
                    if let Some(Object::Name(name)) = op.operands.first() {
                        self.draw_xobject(resources, name, state.ctm, depth);
                    }
                }
                _ => {}
            }
        }
    }

    fn place_image(&mut self, id: Option<ObjectId>, ctm: Matrix) {
        let bbox = ctm.unit_square_bbox();
        let coverage = self.coverage(bbox);
        // Text drawn before a (nearly) full-page image is hidden under it: that is how some
        // scanners' OCR layers are made, so it counts as invisible.
        if coverage >= 0.9 && self.marks.visible_text > 0 {
            self.marks.invisible_text += self.marks.visible_text;
            self.marks.visible_text = 0;
            for run in &mut self.runs {
                run.invisible = true;
            }
        }
        self.marks.images.push(PlacedImage { id, bbox, coverage });
    }

    /// The font named `name` in the resources, loaded once per font object.
    fn font(&mut self, resources: &[&'a Dictionary], name: &[u8]) -> Option<Rc<FontInfo<'a>>> {
        let (id, font) = lookup(self.doc, resources, b"Font", name)?;
        if let Some(found) = id.and_then(|id| self.fonts.get(&id)) {
            return Some(Rc::clone(found));
        }
        let info = Rc::new(font_info(self.doc, font.as_dict().ok()?, self.max_stream));
        if let Some(id) = id {
            self.fonts.insert(id, Rc::clone(&info));
        }
        Some(info)
    }

    /// Records one text-showing operation as a run and advances the text matrix past it.
    fn show_text(
        &mut self,
        ts: &mut TextState<'a>,
        ctm: Matrix,
        operands: &[Object],
        invisible: bool,
    ) {
        let Some(font) = ts.font.clone() else { return };
        let start = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, ts.rise])
            .then(ts.tm)
            .then(ctm);
        let mut text = String::new();
        let mut advance = 0.0;
        let show = |bytes: &[u8], advance: &mut f64, text: &mut String| {
            if let Some(enc) = &font.encoding {
                // Undecodable strings still move the pen; their text is just lost.
                let _ = enc.write_to_string(bytes, text);
            }
            let step = font.bytes_per_code.max(1);
            for code in bytes.chunks(step) {
                let c = code.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
                let mut w = font.width(c) / 1000.0 * ts.size + ts.char_spacing;
                if step == 1 && c == 32 {
                    w += ts.word_spacing;
                }
                *advance += w * ts.hscale;
            }
        };
        for operand in operands {
            match operand {
                Object::String(bytes, _) => show(bytes, &mut advance, &mut text),
                Object::Array(items) => {
                    for item in items {
                        match item {
                            Object::String(bytes, _) => show(bytes, &mut advance, &mut text),
                            other => {
                                if let Some(adj) = number(other) {
                                    let shift = -adj / 1000.0 * ts.size * ts.hscale;
                                    // A large negative kern is how some producers write a space.
                                    if shift > 0.2 * ts.size && !text.ends_with(' ') {
                                        text.push(' ');
                                    }
                                    advance += shift;
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        ts.tm = Matrix([1.0, 0.0, 0.0, 1.0, advance, 0.0]).then(ts.tm);
        if text.trim().is_empty() || self.runs.len() >= MAX_TEXT_RUNS {
            return;
        }
        let (x0, y0) = start.apply(0.0, 0.0);
        let (x1, _) = start.apply(advance, 0.0);
        let (hx, hy) = start.apply(0.0, ts.size);
        let height = ((hx - x0).powi(2) + (hy - y0).powi(2)).sqrt();
        if ![x0, x1, y0, height].iter().all(|v| v.is_finite()) {
            return;
        }
        self.runs.push(RawRun {
            text,
            x0: x0.min(x1),
            x1: x0.max(x1),
            baseline: y0,
            height,
            invisible,
        });
    }

    fn font_bytes_per_glyph(&self, resources: &[&'a Dictionary], name: &[u8]) -> usize {
        let composite = lookup(self.doc, resources, b"Font", name)
            .and_then(|(_, font)| font.as_dict().ok())
            .and_then(|d| d.get(b"Subtype").ok())
            .and_then(|s| s.as_name().ok())
            == Some(b"Type0".as_slice());
        if composite {
            2
        } else {
            1
        }
    }

    fn draw_xobject(
        &mut self,
        resources: &[&'a Dictionary],
        name: &[u8],
        ctm: Matrix,
        depth: usize,
    ) {
        let Some((id, Object::Stream(stream))) = lookup(self.doc, resources, b"XObject", name)
        else {
            return;
        };
        match stream.dict.get(b"Subtype").and_then(Object::as_name) {
            Ok(b"Image") => self.place_image(id, ctm),
            Ok(b"Form") if depth < MAX_FORM_DEPTH => {
                let matrix = stream
                    .dict
                    .get(b"Matrix")
                    .ok()
                    .and_then(|m| m.as_array().ok())
                    .and_then(|a| Matrix::from_operands(a))
                    .unwrap_or(Matrix::IDENTITY);
                let own = stream
                    .dict
                    .get(b"Resources")
                    .ok()
                    .and_then(|r| self.doc.dereference(r).ok())
                    .and_then(|(_, r)| r.as_dict().ok());
                let mut inner: Vec<&'a Dictionary> = own.into_iter().collect();
                inner.extend_from_slice(resources);
                let content = match stream.decompressed_content_with_limit(self.max_stream) {
                    Ok(c) => c,
                    Err(e) => {
                        self.over_limit |= is_over_limit(&e);
                        return;
                    }
                };
                self.walk(&content, &inner, matrix.then(ctm), depth + 1);
            }
            _ => {}
        }
    }
}

/// Applies a text-positioning or text-state operator (§9.3, §9.4.2).
fn text_state_op(ts: &mut TextState<'_>, operator: &str, operands: &[Object]) {
    let n = |i: usize| operands.get(i).and_then(number);
    let line_move = |ts: &mut TextState<'_>, tx: f64, ty: f64| {
        ts.tlm = Matrix([1.0, 0.0, 0.0, 1.0, tx, ty]).then(ts.tlm);
        ts.tm = ts.tlm;
    };
    match operator {
        "Td" => {
            if let (Some(tx), Some(ty)) = (n(0), n(1)) {
                line_move(ts, tx, ty);
            }
        }
        "TD" => {
            if let (Some(tx), Some(ty)) = (n(0), n(1)) {
                ts.leading = -ty;
                line_move(ts, tx, ty);
            }
        }
        "Tm" => {
            if let Some(m) = Matrix::from_operands(operands) {
                ts.tm = m;
                ts.tlm = m;
            }
        }
        "T*" => {
            let leading = ts.leading;
            line_move(ts, 0.0, -leading);
        }
        "TL" => ts.leading = n(0).unwrap_or(ts.leading),
        "Tc" => ts.char_spacing = n(0).unwrap_or(ts.char_spacing),
        "Tw" => ts.word_spacing = n(0).unwrap_or(ts.word_spacing),
        "Tz" => ts.hscale = n(0).map(|v| v / 100.0).unwrap_or(ts.hscale),
        "Ts" => ts.rise = n(0).unwrap_or(ts.rise),
        _ => {}
    }
}

/// Reads a font's Unicode mapping and widths (simple fonts: `FirstChar`/`Widths`; composite
/// fonts: the descendant's `DW`/`W`).
fn font_info<'a>(doc: &'a lopdf::Document, font: &'a Dictionary, limit: usize) -> FontInfo<'a> {
    let deref = |o: &'a Object| doc.dereference(o).ok().map(|(_, o)| o);
    let numbers = |o: Option<&'a Object>| -> Vec<f64> {
        o.and_then(deref)
            .and_then(|o| o.as_array().ok())
            .map(|a| a.iter().filter_map(|i| deref(i).and_then(number)).collect())
            .unwrap_or_default()
    };
    let composite =
        font.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Type0".as_slice());
    let encoding = font.get_font_encoding_with_limit(doc, limit).ok();
    if composite {
        let descendant = font
            .get(b"DescendantFonts")
            .ok()
            .and_then(deref)
            .and_then(|o| o.as_array().ok())
            .and_then(|a| a.first())
            .and_then(deref)
            .and_then(|o| o.as_dict().ok());
        let default_width = descendant
            .and_then(|d| d.get(b"DW").ok())
            .and_then(deref)
            .and_then(number)
            .unwrap_or(1000.0);
        let mut cid_widths = Vec::new();
        let w = descendant
            .and_then(|d| d.get(b"W").ok())
            .and_then(deref)
            .and_then(|o| o.as_array().ok());
        if let Some(items) = w {
            let mut i = 0;
            // At most 2^16 widths in all (2-byte codes): a crafted W array of many huge
            // ranges must not allocate without bound.
            let mut budget: usize = 1 << 16;
            while i + 1 < items.len() && budget > 0 {
                let first = deref(&items[i]).and_then(number).unwrap_or(0.0).max(0.0) as u32;
                match deref(&items[i + 1]) {
                    Some(Object::Array(ws)) => {
                        let ws: Vec<f64> = ws
                            .iter()
                            .take(budget)
                            .filter_map(|o| deref(o).and_then(number))
                            .collect();
                        budget = budget.saturating_sub(ws.len().max(1));
                        cid_widths.push((first, ws));
                        i += 2;
                    }
                    Some(last) => {
                        let last = number(last).unwrap_or(0.0).max(0.0) as u32;
                        let width = items
                            .get(i + 2)
                            .and_then(deref)
                            .and_then(number)
                            .unwrap_or(default_width);
                        let count =
                            (last.saturating_sub(first).saturating_add(1) as usize).min(budget);
                        budget = budget.saturating_sub(count.max(1));
                        cid_widths.push((first, vec![width; count]));
                        i += 3;
                    }
                    None => break,
                }
            }
        }
        return FontInfo {
            encoding,
            bytes_per_code: 2,
            first_char: 0,
            widths: Vec::new(),
            cid_widths,
            default_width,
        };
    }
    let missing = font
        .get(b"FontDescriptor")
        .ok()
        .and_then(deref)
        .and_then(|o| o.as_dict().ok())
        .and_then(|d| d.get(b"MissingWidth").ok())
        .and_then(deref)
        .and_then(number);
    FontInfo {
        encoding,
        bytes_per_code: 1,
        first_char: font
            .get(b"FirstChar")
            .ok()
            .and_then(deref)
            .and_then(number)
            .unwrap_or(0.0)
            .max(0.0) as u32,
        widths: numbers(font.get(b"Widths").ok()),
        cid_widths: Vec::new(),
        // Standard 14 fonts have no Widths; half an em is a fair average for Latin text.
        default_width: missing.filter(|w| *w > 0.0).unwrap_or(500.0),
    }
}

/// Bytes of text shown by a text-showing operator's operands.
fn shown_bytes(operands: &[Object]) -> usize {
    operands
        .iter()
        .map(|o| match o {
            Object::String(s, _) => s.len(),
            Object::Array(items) => items
                .iter()
                .map(|i| match i {
                    Object::String(s, _) => s.len(),
                    _ => 0,
                })
                .sum(),
            _ => 0,
        })
        .sum()
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

/// Runs in the page's frame: 0..1 from the top-left corner of the MediaBox, as OCR boxes are.
/// Page rotation (`/Rotate`) is not applied: administrative documents are portrait.
fn normalise_runs(runs: &[RawRun], page: [f64; 4]) -> Vec<TextRun> {
    let [px0, py0, px1, py1] = page;
    let (w, h) = (px1 - px0, py1 - py0);
    if w <= 0.0 || h <= 0.0 {
        return Vec::new();
    }
    runs.iter()
        .map(|r| {
            let top = r.baseline + 0.8 * r.height;
            let bottom = r.baseline - 0.2 * r.height;
            TextRun {
                text: r.text.clone(),
                bbox: [
                    ((r.x0 - px0) / w) as f32,
                    ((py1 - top) / h) as f32,
                    ((r.x1 - px0) / w) as f32,
                    ((py1 - bottom) / h) as f32,
                ],
                invisible: r.invisible,
            }
        })
        .collect()
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

/// The last filter names the image encoding; earlier ones (rare) are transport encodings.
fn filters(dict: &Dictionary) -> Vec<Vec<u8>> {
    match dict.get(b"Filter") {
        Ok(Object::Name(n)) => vec![n.clone()],
        Ok(Object::Array(a)) => a
            .iter()
            .filter_map(|o| o.as_name().ok().map(<[u8]>::to_vec))
            .collect(),
        _ => Vec::new(),
    }
}

fn encoding_name(filter: Option<&[u8]>) -> (&'static str, bool) {
    match filter {
        Some(b"DCTDecode") | Some(b"DCT") => ("dct", true),
        Some(b"FlateDecode") | Some(b"Fl") => ("flate", true),
        Some(b"CCITTFaxDecode") | Some(b"CCF") => ("ccitt", true),
        Some(b"LZWDecode") | Some(b"LZW") => ("lzw", true),
        Some(b"RunLengthDecode") | Some(b"RL") => ("run_length", true),
        Some(b"ASCIIHexDecode") | Some(b"AHx") | Some(b"ASCII85Decode") | Some(b"A85") => {
            ("ascii", true)
        }
        Some(b"JBIG2Decode") => ("jbig2", false),
        Some(b"JPXDecode") => ("jpx", false),
        Some(_) => ("other", false),
        None => ("raw", true),
    }
}

fn int(dict: &Dictionary, key: &[u8]) -> Option<i64> {
    dict.get(key).ok().and_then(|o| o.as_i64().ok())
}

fn color_space_name(doc: &lopdf::Document, dict: &Dictionary) -> Option<String> {
    let (_, cs) = doc.dereference(dict.get(b"ColorSpace").ok()?).ok()?;
    match cs {
        Object::Name(n) => Some(String::from_utf8_lossy(n).into_owned()),
        Object::Array(a) => a
            .first()
            .and_then(|o| o.as_name().ok())
            .map(|n| String::from_utf8_lossy(n).into_owned()),
        _ => None,
    }
}

fn image_info(doc: &lopdf::Document, id: ObjectId, coverage: f64) -> Option<ImageInfo> {
    let stream = doc.get_object(id).ok()?.as_stream().ok()?;
    let dict = &stream.dict;
    let filters = filters(dict);
    let (encoding, decodable) = encoding_name(filters.last().map(Vec::as_slice));
    let width = u32::try_from(int(dict, b"Width")?).ok()?;
    let height = u32::try_from(int(dict, b"Height")?).ok()?;
    Some(ImageInfo {
        encoding: encoding.to_string(),
        width_px: width,
        height_px: height,
        bits_per_component: int(dict, b"BitsPerComponent").and_then(|b| u8::try_from(b).ok()),
        color_space: color_space_name(doc, dict),
        coverage: round2(coverage),
        decodable,
    })
}

/// Decodes a page's image XObject to pixels, without rendering the page.
pub(crate) fn decode_image(src: &PdfImageRef, limits: &Limits) -> Result<PageImage, SourceError> {
    let stream = src
        .doc
        .get_object(src.id)
        .and_then(Object::as_stream)
        .map_err(|e| malformed(format!("image object: {e}")))?;
    let dict = &stream.dict;
    let width = int(dict, b"Width")
        .filter(|w| *w > 0)
        .ok_or_else(|| malformed("image without /Width"))? as u64;
    let height = int(dict, b"Height")
        .filter(|h| *h > 0)
        .ok_or_else(|| malformed("image without /Height"))? as u64;
    check_pixels(width, height, limits)?;
    let filters = filters(dict);
    let last = filters.last().map(Vec::as_slice);
    let (encoding, decodable) = encoding_name(last);
    if !decodable {
        return Err(SourceError::UnsupportedEncoding(encoding.into()));
    }
    let image = match encoding {
        "dct" => {
            let data = strip_transport_filters(stream, &filters, limits)?;
            // The JPEG decoder can panic on broken data (see image::decode_contained).
            std::panic::catch_unwind(|| {
                ::image::load_from_memory_with_format(&data, ::image::ImageFormat::Jpeg)
            })
            .map_err(|_| malformed("JPEG image: the decoder crashed on this data"))?
            .map_err(|e| malformed(format!("JPEG image: {e}")))?
        }
        "ccitt" => {
            let data = strip_transport_filters(stream, &filters, limits)?;
            decode_ccitt(&data, dict, width, height)?
        }
        _ => {
            // Raw samples take at most 8 bytes a pixel (4 components of 16 bits), plus one
            // predictor byte a row: a stream that inflates beyond that is not this image.
            let limit = width
                .saturating_mul(height)
                .saturating_mul(8)
                .saturating_add(height + 64 * 1024)
                .min(limits.max_stream_bytes as u64) as usize;
            let data = stream.decompressed_content_with_limit(limit).map_err(|e| {
                if is_over_limit(&e) {
                    SourceError::StreamTooLarge {
                        what: format!("image of {width}×{height} pixels"),
                        limit,
                    }
                } else {
                    malformed(format!("image stream: {e}"))
                }
            })?;
            samples_to_image(&src.doc, dict, &data, width as u32, height as u32)?
        }
    };
    Ok(PageImage { image, dpi: None })
}

/// For `[/FlateDecode /DCTDecode]`-style chains: undoes every filter but the last.
fn strip_transport_filters(
    stream: &lopdf::Stream,
    filters: &[Vec<u8>],
    limits: &Limits,
) -> Result<Vec<u8>, SourceError> {
    if filters.len() <= 1 {
        return Ok(stream.content.clone());
    }
    let mut outer = stream.clone();
    let prefix: Vec<Object> = filters[..filters.len() - 1]
        .iter()
        .map(|f| Object::Name(f.clone()))
        .collect();
    outer.dict.set("Filter", Object::Array(prefix));
    outer.dict.remove(b"DecodeParms");
    outer
        .decompressed_content_with_limit(limits.max_stream_bytes)
        .map_err(|e| malformed(format!("image stream: {e}")))
}

fn decode_params(dict: &Dictionary) -> Option<&Dictionary> {
    match dict.get(b"DecodeParms").ok()? {
        Object::Dictionary(d) => Some(d),
        Object::Array(a) => a.last().and_then(|o| o.as_dict().ok()),
        _ => None,
    }
}

fn inverted_decode(dict: &Dictionary) -> bool {
    dict.get(b"Decode")
        .ok()
        .and_then(|d| d.as_array().ok())
        .and_then(|a| a.first())
        .and_then(number)
        == Some(1.0)
}

fn decode_ccitt(
    data: &[u8],
    dict: &Dictionary,
    width: u64,
    height: u64,
) -> Result<::image::DynamicImage, SourceError> {
    let params = decode_params(dict);
    let param = |key: &[u8]| params.and_then(|p| p.get(key).ok());
    let k = param(b"K").and_then(|o| o.as_i64().ok()).unwrap_or(0);
    let columns = param(b"Columns")
        .and_then(|o| o.as_i64().ok())
        .unwrap_or(width as i64);
    let black_is_1 = param(b"BlackIs1")
        .and_then(|o| o.as_bool().ok())
        .unwrap_or(false);
    let cols = u16::try_from(columns).map_err(|_| malformed("CCITT /Columns out of range"))?;
    let rows = u16::try_from(height).map_err(|_| malformed("CCITT image too tall"))?;
    let mut pixels: Vec<u8> = Vec::with_capacity(usize::from(cols) * usize::from(rows));
    let mut lines = 0u16;
    let on_line = |transitions: &[u16]| {
        if lines < rows {
            pixels.extend(fax::decoder::pels(transitions, cols).map(|c| match c {
                fax::Color::Black => 0u8,
                fax::Color::White => 255u8,
            }));
            lines += 1;
        }
    };
    let ok = if k < 0 {
        fax::decoder::decode_g4(data.iter().copied(), cols, Some(rows), on_line)
    } else {
        fax::decoder::decode_g3(data.iter().copied(), on_line)
    };
    if ok.is_none() && pixels.is_empty() {
        return Err(malformed("CCITT stream does not decode"));
    }
    // Lines the stream did not carry are white: decoders pad the same way.
    pixels.resize(usize::from(cols) * usize::from(rows), 255);
    // /BlackIs1 and a [1 0] /Decode array each swap the meaning of the two colours.
    if black_is_1 != inverted_decode(dict) {
        pixels.iter_mut().for_each(|p| *p = 255 - *p);
    }
    ::image::GrayImage::from_raw(u32::from(cols), u32::from(rows), pixels)
        .map(::image::DynamicImage::ImageLuma8)
        .ok_or_else(|| malformed("CCITT image size mismatch"))
}

/// The colour model of an image XObject, as far as we decode it.
enum Colors {
    Gray,
    Rgb,
    Cmyk,
    /// Palette of RGB triples.
    Indexed(Vec<[u8; 3]>),
}

fn colors(doc: &lopdf::Document, dict: &Dictionary) -> Result<Colors, SourceError> {
    if dict
        .get(b"ImageMask")
        .ok()
        .and_then(|o| o.as_bool().ok())
        .unwrap_or(false)
    {
        return Ok(Colors::Gray);
    }
    let cs = match dict.get(b"ColorSpace") {
        Ok(o) => doc
            .dereference(o)
            .map(|(_, o)| o)
            .map_err(|e| malformed(e.to_string()))?,
        Err(_) => return Ok(Colors::Gray),
    };
    colors_of(doc, cs, 0)
}

fn colors_of(doc: &lopdf::Document, cs: &Object, depth: usize) -> Result<Colors, SourceError> {
    let unsupported = |what: &[u8]| {
        SourceError::UnsupportedEncoding(format!("colour space {}", String::from_utf8_lossy(what)))
    };
    match cs {
        Object::Name(n) => match n.as_slice() {
            b"DeviceGray" | b"CalGray" | b"G" => Ok(Colors::Gray),
            b"DeviceRGB" | b"CalRGB" | b"RGB" => Ok(Colors::Rgb),
            b"DeviceCMYK" | b"CMYK" => Ok(Colors::Cmyk),
            other => Err(unsupported(other)),
        },
        Object::Array(a) if depth < 4 => {
            let family = a.first().and_then(|o| o.as_name().ok()).unwrap_or(b"");
            match family {
                b"ICCBased" => {
                    let n = a
                        .get(1)
                        .and_then(|o| doc.dereference(o).ok())
                        .and_then(|(_, o)| o.as_stream().ok())
                        .and_then(|s| int(&s.dict, b"N"))
                        .unwrap_or(3);
                    Ok(match n {
                        1 => Colors::Gray,
                        4 => Colors::Cmyk,
                        _ => Colors::Rgb,
                    })
                }
                b"CalGray" => Ok(Colors::Gray),
                b"CalRGB" | b"Lab" => Ok(Colors::Rgb),
                b"Indexed" | b"I" => {
                    let base = a
                        .get(1)
                        .and_then(|o| doc.dereference(o).ok())
                        .map(|(_, o)| o)
                        .ok_or_else(|| malformed("Indexed colour space without base"))?;
                    let base = colors_of(doc, base, depth + 1)?;
                    let lookup: Vec<u8> = match a.get(3).and_then(|o| doc.dereference(o).ok()) {
                        Some((_, Object::String(s, _))) => s.clone(),
                        // A palette holds at most 256 entries of 4 bytes: a lookup stream that
                        // inflates far beyond that is not a palette (it may be a bomb).
                        Some((_, Object::Stream(s))) => s
                            .decompressed_content_with_limit(MAX_PALETTE_BYTES)
                            .map_err(|e| malformed(e.to_string()))?,
                        _ => return Err(malformed("Indexed colour space without lookup")),
                    };
                    let palette = match base {
                        Colors::Gray => lookup.iter().map(|&g| [g, g, g]).collect(),
                        Colors::Rgb => lookup.chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect(),
                        Colors::Cmyk => lookup
                            .chunks_exact(4)
                            .map(|c| cmyk_to_rgb(c[0], c[1], c[2], c[3]))
                            .collect(),
                        Colors::Indexed(_) => return Err(malformed("nested Indexed colour space")),
                    };
                    Ok(Colors::Indexed(palette))
                }
                other => Err(unsupported(other)),
            }
        }
        _ => Err(malformed("unreadable colour space")),
    }
}

fn cmyk_to_rgb(c: u8, m: u8, y: u8, k: u8) -> [u8; 3] {
    let f = |v: u8| ((255 - u16::from(v)) * (255 - u16::from(k)) / 255) as u8;
    [f(c), f(m), f(y)]
}

/// Unpacks raw samples (after Flate/LZW/...) into an image.
fn samples_to_image(
    doc: &lopdf::Document,
    dict: &Dictionary,
    data: &[u8],
    width: u32,
    height: u32,
) -> Result<::image::DynamicImage, SourceError> {
    let colors = colors(doc, dict)?;
    let mask = dict
        .get(b"ImageMask")
        .ok()
        .and_then(|o| o.as_bool().ok())
        .unwrap_or(false);
    let bpc = if mask {
        1
    } else {
        int(dict, b"BitsPerComponent").unwrap_or(8)
    };
    if !matches!(bpc, 1 | 2 | 4 | 8 | 16) {
        return Err(malformed(format!("{bpc} bits per component")));
    }
    let comps: usize = match colors {
        Colors::Gray | Colors::Indexed(_) => 1,
        Colors::Rgb => 3,
        Colors::Cmyk => 4,
    };
    let bpc = bpc as usize;
    let row_bytes = (width as usize * comps * bpc).div_ceil(8);
    let needed = row_bytes * height as usize;
    if data.len() < needed {
        return Err(SourceError::Truncated(format!(
            "image data holds {} of {} bytes",
            data.len(),
            needed
        )));
    }
    let max = (1u32 << bpc.min(8)) - 1;
    // Sample `i` of a row, scaled to 0..=255 (or the raw index for Indexed images).
    let sample = |row: &[u8], i: usize| -> u8 {
        match bpc {
            8 => row[i],
            16 => row[2 * i],
            _ => {
                let bit = i * bpc;
                let byte = row[bit / 8];
                let shift = 8 - bpc - (bit % 8);
                let v = (u32::from(byte) >> shift) & max;
                if matches!(colors, Colors::Indexed(_)) {
                    v as u8
                } else {
                    (v * 255 / max) as u8
                }
            }
        }
    };
    let invert = mask != inverted_decode(dict);
    let (w, h) = (width as usize, height as usize);
    let image = match &colors {
        Colors::Gray => {
            let mut px = Vec::with_capacity(w * h);
            for row in data.chunks(row_bytes).take(h) {
                px.extend((0..w).map(|x| {
                    let v = sample(row, x);
                    if invert {
                        255 - v
                    } else {
                        v
                    }
                }));
            }
            ::image::GrayImage::from_raw(width, height, px).map(::image::DynamicImage::ImageLuma8)
        }
        Colors::Indexed(palette) => {
            let mut px = Vec::with_capacity(w * h * 3);
            for row in data.chunks(row_bytes).take(h) {
                for x in 0..w {
                    let idx = usize::from(sample(row, x));
                    px.extend_from_slice(palette.get(idx).unwrap_or(&[0, 0, 0]));
                }
            }
            ::image::RgbImage::from_raw(width, height, px).map(::image::DynamicImage::ImageRgb8)
        }
        Colors::Rgb | Colors::Cmyk => {
            let mut px = Vec::with_capacity(w * h * 3);
            for row in data.chunks(row_bytes).take(h) {
                for x in 0..w {
                    let s = |c: usize| sample(row, x * comps + c);
                    if comps == 4 {
                        px.extend_from_slice(&cmyk_to_rgb(s(0), s(1), s(2), s(3)));
                    } else {
                        px.extend_from_slice(&[s(0), s(1), s(2)]);
                    }
                }
            }
            ::image::RgbImage::from_raw(width, height, px).map(::image::DynamicImage::ImageRgb8)
        }
    };
    image.ok_or_else(|| malformed("image size mismatch"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cm_composes_scale_then_translate_as_pdf_does() {
        // `q 595 0 0 842 0 0 cm /Im0 Do Q`: the unit square becomes the page.
        let ctm = Matrix([595.0, 0.0, 0.0, 842.0, 0.0, 0.0]).then(Matrix::IDENTITY);
        assert_eq!(ctm.unit_square_bbox(), [0.0, 0.0, 595.0, 842.0]);
        let shifted = Matrix([100.0, 0.0, 0.0, 50.0, 0.0, 0.0])
            .then(Matrix([1.0, 0.0, 0.0, 1.0, 10.0, 20.0]));
        assert_eq!(shifted.unit_square_bbox(), [10.0, 20.0, 110.0, 70.0]);
    }

    #[test]
    fn utf16_info_strings_decode() {
        let bytes = [0xFE, 0xFF, 0x00, b'S', 0x1E, 0xD1];
        assert_eq!(decode_pdf_string(&bytes), "Số");
    }

    #[test]
    fn a_cut_short_file_has_no_eof_marker() {
        assert!(has_eof_marker(b"%PDF-1.4\n...\n%%EOF\n"));
        assert!(!has_eof_marker(b"%PDF-1.4\n1 0 obj <<"));
    }
}
