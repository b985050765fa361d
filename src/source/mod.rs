//! Stage 2: a file's bytes → a [`Document`] of pages, each with its kind and, for raster pages,
//! a handle that decodes the page image on demand (when a worker takes the page, never up front).
//!
//! Formats: PDF ([`pdf`]) and raster images, TIFF (multi-page), PNG and JPEG ([`image`]).

pub mod image;
pub mod pdf;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::error::ErrorKind;

// The format is what discover's sniffing finds; it lives there (discover stands before source)
// and is re-exported so `source::Format` names it too.
pub use crate::discover::Format;

/// What a page is made of.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum PageKind {
    /// A raster image covers most of the page and there is no text: a scan of paper.
    Scanned,
    /// A scan that already carries an invisible OCR text layer (as OCRmyPDF writes it).
    ScannedWithTextLayer,
    /// Real (visible) text or vector content.
    BornDigital,
    /// Nothing drawn.
    Blank,
}

impl PageKind {
    pub fn is_scan(self) -> bool {
        matches!(self, PageKind::Scanned | PageKind::ScannedWithTextLayer)
    }
}

/// Where a document's pages come from, summarised over its pages (blank pages don't count).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Scanned,
    BornDigital,
    Mixed,
    Unknown,
}

impl Origin {
    pub fn of(kinds: impl IntoIterator<Item = PageKind>) -> Origin {
        let (mut scans, mut digital) = (0usize, 0usize);
        for k in kinds {
            match k {
                PageKind::Scanned | PageKind::ScannedWithTextLayer => scans += 1,
                PageKind::BornDigital => digital += 1,
                PageKind::Blank => {}
            }
        }
        match (scans, digital) {
            (0, 0) => Origin::Unknown,
            (_, 0) => Origin::Scanned,
            (0, _) => Origin::BornDigital,
            _ => Origin::Mixed,
        }
    }
}

/// How a page's raster is stored, as far as it can be told without decoding it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ImageInfo {
    /// `dct` (JPEG), `flate`, `ccitt`, `lzw`, `raw`, `jbig2`, `jpx`, `png`, `tiff_lzw`, ...
    pub encoding: String,
    pub width_px: u32,
    pub height_px: u32,
    pub bits_per_component: Option<u8>,
    pub color_space: Option<String>,
    /// Share of the page area the image covers (PDF only; 1.0 for image files).
    pub coverage: f64,
    /// Whether kyso can decode this raster (for OCR and seal detection).
    pub decodable: bool,
}

/// One page, as written in the record's `pages`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PageInfo {
    /// 0-based page index.
    pub index: u32,
    pub kind: PageKind,
    /// Why the page got its kind, in words an inspector can check.
    pub kind_reason: String,
    /// Page size in points (PDF MediaBox; `null` for image files).
    pub width_pt: Option<f64>,
    pub height_pt: Option<f64>,
    /// Size in pixels of the page raster (image files, or the PDF page's main image).
    pub width_px: Option<u32>,
    pub height_px: Option<u32>,
    /// Resolution of the raster: from the file's metadata for images, from image size over
    /// page size for PDF pages. `null` when unknown.
    pub dpi: Option<f64>,
    pub image: Option<ImageInfo>,
    /// Characters of text drawn visibly on the page (PDF text layer).
    pub visible_text_chars: usize,
    /// Characters of text drawn invisibly (render mode 3 or 7, or hidden under a later
    /// full-page image): an OCR layer.
    pub invisible_text_chars: usize,
}

/// A string of a PDF text layer with where it was drawn, so later stages can read the page
/// by its layout (columns, blocks) rather than by content-stream order.
#[derive(Debug, Clone, PartialEq)]
pub struct TextRun {
    pub text: String,
    /// Left, top, right, bottom as fractions of the page (0..1, from the top-left corner).
    /// The right edge comes from the font's glyph widths; the top and bottom from the font
    /// size (ascent and descent are approximated).
    pub bbox: [f32; 4],
    /// Drawn invisibly (an OCR layer).
    pub invisible: bool,
}

/// A page with what the later stages need: its text layer and its raster, on demand.
pub struct Page {
    pub info: PageInfo,
    /// Text layer extracted from the PDF (visible or OCR layer), in content order.
    pub text: Option<String>,
    /// The same text layer, string by string, with positions (empty for image files).
    pub text_runs: Vec<TextRun>,
    raster: Option<RasterSource>,
}

impl Page {
    pub(crate) fn new(info: PageInfo, text: Option<String>, raster: Option<RasterSource>) -> Self {
        Page {
            info,
            text,
            text_runs: Vec::new(),
            raster,
        }
    }

    /// Whether a raster is available for this page.
    pub fn has_raster(&self) -> bool {
        self.raster.is_some()
    }

    /// Decodes the page's raster. Costly: call it from the worker that processes the page.
    pub fn raster(&self, limits: &Limits) -> Result<PageImage, SourceError> {
        match &self.raster {
            None => Err(SourceError::NoRaster),
            Some(RasterSource::Pdf(src)) => pdf::decode_image(src, limits),
            Some(RasterSource::Image(src)) => image::decode_frame(src, limits),
        }
        .map(|mut img| {
            img.dpi = img.dpi.or(self.info.dpi);
            img
        })
    }
}

/// Where to find a page's raster.
pub(crate) enum RasterSource {
    Pdf(pdf::PdfImageRef),
    Image(image::FrameRef),
}

/// A decoded page image.
pub struct PageImage {
    pub image: ::image::DynamicImage,
    pub dpi: Option<f64>,
}

/// Resource limits applied while reading untrusted files.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest raster (width × height) that will be decoded.
    pub max_pixels: u64,
    /// Largest number of pages a document may have.
    pub max_pages: u32,
    /// Largest size any single PDF stream may decompress to.
    pub max_stream_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_pixels: 200_000_000,
            max_pages: 10_000,
            max_stream_bytes: 512 * 1024 * 1024,
        }
    }
}

/// A document's pages, with file-level facts for the metadata stage.
pub struct Document {
    pub format: Format,
    pub pages: Vec<Page>,
    /// File-level metadata: PDF Info (producer, creator, dates) or image tags (scanner).
    pub file_info: FileInfo,
}

/// What the file says about where it came from.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct FileInfo {
    pub producer: Option<String>,
    pub creator: Option<String>,
    pub created: Option<String>,
    pub modified: Option<String>,
    /// Scanner make and model (TIFF/EXIF tags).
    pub make: Option<String>,
    pub model: Option<String>,
    pub software: Option<String>,
    pub encrypted: bool,
    /// Scanner resolution of an image file (TIFF/EXIF/pHYs/JFIF), from its first page.
    #[serde(default)]
    pub dpi: Option<f64>,
    /// The PDF's XMP metadata stream, when it has one: it often names the tool that made the
    /// file when the Info dictionary was rewritten by a later one.
    #[serde(default)]
    pub xmp: Option<XmpInfo>,
}

/// What a document's XMP packet says of its making.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct XmpInfo {
    /// `xmp:CreatorTool`.
    pub creator_tool: Option<String>,
    /// `pdf:Producer`.
    pub producer: Option<String>,
    /// `xmp:CreateDate`, `xmp:ModifyDate`, `xmp:MetadataDate` as written (ISO 8601).
    pub create_date: Option<String>,
    pub modify_date: Option<String>,
    pub metadata_date: Option<String>,
    /// `dc:title` (the default language's).
    pub title: Option<String>,
}

impl XmpInfo {
    /// Reads an XMP packet; `None` when it is not XML or says none of these.
    pub fn parse(packet: &str) -> Option<XmpInfo> {
        const XMP: &str = "http://ns.adobe.com/xap/1.0/";
        const PDF: &str = "http://ns.adobe.com/pdf/1.3/";
        const DC: &str = "http://purl.org/dc/elements/1.1/";
        // The packet wrapper's processing instructions and padding are fine for the parser;
        // a leading BOM or garbage before the first tag is not.
        let start = packet.find('<')?;
        let doc = roxmltree::Document::parse(&packet[start..]).ok()?;
        let mut info = XmpInfo::default();
        let mut set = |ns: &str, name: &str, value: &str| {
            let value = value.trim();
            if value.is_empty() {
                return;
            }
            let slot = match (ns, name) {
                (XMP, "CreatorTool") => &mut info.creator_tool,
                (PDF, "Producer") => &mut info.producer,
                (XMP, "CreateDate") => &mut info.create_date,
                (XMP, "ModifyDate") => &mut info.modify_date,
                (XMP, "MetadataDate") => &mut info.metadata_date,
                (DC, "title") => &mut info.title,
                _ => return,
            };
            slot.get_or_insert_with(|| value.to_string());
        };
        for node in doc.descendants().filter(|n| n.is_element()) {
            // Properties are written as attributes of rdf:Description or as child elements;
            // dc:title holds an rdf:Alt whose first rdf:li is the default language.
            for attr in node.attributes() {
                if let Some(ns) = attr.namespace() {
                    set(ns, attr.name(), attr.value());
                }
            }
            let tag = node.tag_name();
            if let Some(ns) = tag.namespace() {
                let text: String = match node.descendants().find(|d| d.tag_name().name() == "li") {
                    Some(li) => li.text().unwrap_or("").to_string(),
                    None => node.text().unwrap_or("").to_string(),
                };
                set(ns, tag.name(), &text);
            }
        }
        (info != XmpInfo::default()).then_some(info)
    }
}

#[derive(Debug, Error)]
pub enum SourceError {
    #[error("the file is empty")]
    Empty,
    #[error("not a supported format (PDF, TIFF, PNG or JPEG)")]
    UnsupportedFormat,
    #[error("the file is truncated: {0}")]
    Truncated(String),
    #[error("malformed {format}: {message}")]
    Malformed {
        format: &'static str,
        message: String,
    },
    #[error("the PDF is encrypted and needs a password")]
    Encrypted,
    #[error("{0} pages exceeds the limit of {1} (--max-pages)")]
    TooManyPages(u64, u32),
    #[error("image of {width}×{height} pixels exceeds the limit of {limit} pixels (--max-pixels)")]
    TooManyPixels { width: u64, height: u64, limit: u64 },
    #[error("image encoding not supported yet: {0}")]
    UnsupportedEncoding(String),
    #[error("the page has no raster image to decode")]
    NoRaster,
    #[error("{what} inflates beyond {limit} bytes (decompression bomb)")]
    StreamTooLarge { what: String, limit: usize },
}

impl ErrorKind for SourceError {
    fn kind(&self) -> &'static str {
        match self {
            SourceError::Empty => "empty_file",
            SourceError::UnsupportedFormat => "unsupported_format",
            SourceError::Truncated(_) => "truncated",
            SourceError::Malformed { .. } => "malformed",
            SourceError::Encrypted => "encrypted",
            SourceError::TooManyPages(..) => "too_many_pages",
            SourceError::TooManyPixels { .. } => "too_many_pixels",
            SourceError::UnsupportedEncoding(_) => "unsupported_encoding",
            SourceError::NoRaster => "no_raster",
            SourceError::StreamTooLarge { .. } => "stream_too_large",
        }
    }
}

/// Opens a document from its bytes. The bytes are shared with the page rasters, which decode
/// lazily.
pub fn open(bytes: Arc<[u8]>, format: Format, limits: &Limits) -> Result<Document, SourceError> {
    if bytes.is_empty() {
        return Err(SourceError::Empty);
    }
    match format {
        Format::Pdf => pdf::open(bytes, limits),
        Format::Tiff | Format::Png | Format::Jpeg => image::open(bytes, format, limits),
        // A package is unpacked by the pipeline (edxml), never opened as one document.
        Format::Edxml | Format::Unknown => Err(SourceError::UnsupportedFormat),
    }
}

pub(crate) fn check_pixels(width: u64, height: u64, limits: &Limits) -> Result<(), SourceError> {
    if width.saturating_mul(height) > limits.max_pixels {
        return Err(SourceError::TooManyPixels {
            width,
            height,
            limit: limits.max_pixels,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xmp_properties_are_read_as_elements_and_as_attributes() {
        let packet = r#"<?xpacket begin="\u{feff}" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
  xmp:CreatorTool="Microsoft Word" xmp:CreateDate="2024-03-15T08:00:00+07:00"/>
<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <pdf:Producer>Adobe PDF Library 15.0</pdf:Producer>
  <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Quyết định 1578</rdf:li></rdf:Alt></dc:title>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"#;
        let x = XmpInfo::parse(packet).unwrap();
        assert_eq!(x.creator_tool.as_deref(), Some("Microsoft Word"));
        assert_eq!(x.create_date.as_deref(), Some("2024-03-15T08:00:00+07:00"));
        assert_eq!(x.producer.as_deref(), Some("Adobe PDF Library 15.0"));
        assert_eq!(x.title.as_deref(), Some("Quyết định 1578"));
        assert_eq!(XmpInfo::parse("not xml"), None);
    }

    #[test]
    fn origin_ignores_blank_pages_and_tells_mixed() {
        use PageKind::*;
        assert_eq!(Origin::of([Scanned, Blank]), Origin::Scanned);
        assert_eq!(Origin::of([BornDigital, Blank]), Origin::BornDigital);
        assert_eq!(
            Origin::of([BornDigital, ScannedWithTextLayer]),
            Origin::Mixed
        );
        assert_eq!(Origin::of([Blank]), Origin::Unknown);
        assert_eq!(Origin::of([]), Origin::Unknown);
    }
}
