//! Stage 2: a file's bytes → a [`Document`] of pages, each with its kind and, for raster pages,
//! a handle that decodes the page image on demand (when a worker takes the page, never up front).
//!
//! Formats: PDF ([`pdf`]) and raster images, TIFF (multi-page), PNG and JPEG ([`image`]).

pub mod image;
pub mod pdf;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::record::ErrorKind;

/// A file format, as told by magic bytes.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Pdf,
    Tiff,
    Png,
    Jpeg,
    Unknown,
}

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

/// A page with what the later stages need: its text layer and its raster, on demand.
pub struct Page {
    pub info: PageInfo,
    /// Text layer extracted from the PDF (visible or OCR layer), in content order.
    pub text: Option<String>,
    raster: Option<RasterSource>,
}

impl Page {
    pub(crate) fn new(info: PageInfo, text: Option<String>, raster: Option<RasterSource>) -> Self {
        Page { info, text, raster }
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
        Format::Unknown => Err(SourceError::UnsupportedFormat),
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
