//! The searchable PDF: each page image with an invisible text layer at the word positions.
//!
//! The text uses Tesseract's glyphless font (`pdf.ttf` in tessdata) the way Tesseract's own PDF
//! renderer does: a Type0 font with Identity-H encoding, where each 2-byte code is the UTF-16
//! code unit of the character, every code maps to the one empty glyph, and a ToUnicode CMap maps
//! codes back to themselves. Text extraction (pdftotext, search) therefore returns exactly the
//! recognised Unicode text, Vietnamese diacritics included.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;

use lopdf::{dictionary, Document, Object, ObjectId, Stream};

use super::{tessdata_dir, OcrError, OcrPage};

/// How the pipeline encodes a prepared page for the PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageCodec {
    /// JPEG at the given quality (1–100): small, right for gray and colour scans.
    Jpeg { quality: u8 },
    /// Lossless 8-bit gray, zlib-compressed.
    Flate,
}

/// A page image already encoded for embedding, so that the decoded raster can be dropped as
/// soon as the page is recognised.
#[derive(Debug, Clone, PartialEq)]
pub enum EncodedImage {
    /// A baseline JPEG file (embedded as is, DCTDecode); `colors` is 1 (gray) or 3 (RGB).
    Jpeg {
        width: u32,
        height: u32,
        colors: u8,
        data: Vec<u8>,
    },
    /// 8-bit gray samples, row by row, zlib-compressed (FlateDecode).
    FlateGray {
        width: u32,
        height: u32,
        data: Vec<u8>,
    },
}

impl EncodedImage {
    fn size(&self) -> (u32, u32) {
        match self {
            EncodedImage::Jpeg { width, height, .. }
            | EncodedImage::FlateGray { width, height, .. } => (*width, *height),
        }
    }
}

struct PdfPage {
    width_pt: f64,
    height_pt: f64,
    image: EncodedImage,
    content: Vec<u8>,
}

/// A searchable PDF being assembled. Pages may be added in any order (as workers finish); each
/// keeps only its encoded image and its text-layer content stream.
#[derive(Default)]
pub struct SearchablePdf {
    pages: BTreeMap<u32, PdfPage>,
}

const FONT: &str = "f-0-0";

fn num(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" {
        "0".into()
    } else {
        s.to_string()
    }
}

impl SearchablePdf {
    pub fn new() -> SearchablePdf {
        SearchablePdf::default()
    }

    /// Number of pages added.
    pub fn len(&self) -> usize {
        self.pages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }

    /// Adds page `index` (0-based): `image` must be the prepared raster the words were found on
    /// ([`super::PreparedPage::encode`]). A page added twice replaces the first.
    pub fn add_page(&mut self, index: u32, page: &OcrPage, image: EncodedImage) {
        let (w, h) = image.size();
        let dpi = if page.dpi_used > 0.0 {
            page.dpi_used
        } else {
            300.0
        };
        let pt = 72.0 / dpi;
        let (width_pt, height_pt) = (f64::from(w) * pt, f64::from(h) * pt);

        // Font size and baseline per line, so extraction sees each line as one line.
        let mut lines: BTreeMap<u32, [u32; 4]> = BTreeMap::new();
        for word in &page.words {
            lines
                .entry(word.line)
                .and_modify(|b| {
                    b[0] = b[0].min(word.bbox[0]);
                    b[1] = b[1].min(word.bbox[1]);
                    b[2] = b[2].max(word.bbox[2]);
                    b[3] = b[3].max(word.bbox[3]);
                })
                .or_insert(word.bbox);
        }

        let mut c = String::new();
        let _ = writeln!(
            c,
            "q {} 0 0 {} 0 0 cm /Im0 Do Q",
            num(width_pt),
            num(height_pt)
        );
        c.push_str("BT\n3 Tr\n");
        for word in &page.words {
            let Some(line) = lines.get(&word.line) else {
                continue;
            };
            let units: Vec<u16> = word.text.encode_utf16().collect();
            if units.is_empty() {
                continue;
            }
            let font_size = (f64::from(line[3].saturating_sub(line[1])) * pt).max(1.0);
            let word_w = f64::from(word.bbox[2].saturating_sub(word.bbox[0])) * pt;
            // The glyphless font advances 500/1000 em per code; stretch to the word's width.
            let tz = (word_w / (units.len() as f64 * 0.5 * font_size) * 100.0).clamp(1.0, 10_000.0);
            let x = f64::from(word.bbox[0]) * pt;
            // Baseline a fifth of the line height above its bottom, leaving room for descenders.
            let y = height_pt - f64::from(line[3]) * pt + font_size * 0.2;
            let _ = write!(
                c,
                "/{FONT} {} Tf {} Tz 1 0 0 1 {} {} Tm <",
                num(font_size),
                num(tz),
                num(x),
                num(y)
            );
            for u in units {
                let _ = write!(c, "{u:04X}");
            }
            c.push_str("> Tj\n");
        }
        c.push_str("ET\n");
        self.pages.insert(
            index,
            PdfPage {
                width_pt,
                height_pt,
                image,
                content: c.into_bytes(),
            },
        );
    }

    /// Serialises the PDF.
    pub fn to_bytes(&self) -> Result<Vec<u8>, OcrError> {
        let mut doc = self.to_document()?;
        let mut out = Vec::new();
        doc.save_to(&mut out)
            .map_err(|e| OcrError::Pdf(e.to_string()))?;
        Ok(out)
    }

    /// The PDF as an object model, before it is written: the archive copy (`src/archive/`)
    /// adds what PDF/A asks for to the same pages, fonts and images.
    pub fn to_document(&self) -> Result<Document, OcrError> {
        let font_path = tessdata_dir()
            .map(|d| d.join("pdf.ttf"))
            .filter(|p| p.is_file())
            .ok_or_else(|| {
                OcrError::Pdf("Tesseract's glyphless font pdf.ttf was not found in tessdata".into())
            })?;
        let ttf = std::fs::read(&font_path)
            .map_err(|e| OcrError::Pdf(format!("cannot read {}: {e}", font_path.display())))?;

        let mut doc = Document::with_version("1.5");
        let font = add_font(&mut doc, ttf)?;
        let pages_id = doc.new_object_id();
        let mut kids = Vec::new();
        for page in self.pages.values() {
            let image = add_image(&mut doc, &page.image);
            let content = doc.add_object(Stream::new(dictionary! {}, page.content.clone()));
            let page_id = doc.add_object(dictionary! {
                "Type" => "Page",
                "Parent" => pages_id,
                "MediaBox" => vec![0.into(), 0.into(), page.width_pt.into(), page.height_pt.into()],
                "Contents" => content,
                "Resources" => dictionary! {
                    "XObject" => dictionary! { "Im0" => image },
                    "Font" => dictionary! { FONT => font },
                },
            });
            kids.push(Object::Reference(page_id));
        }
        let count = kids.len() as i64;
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => kids,
                "Count" => count,
            }),
        );
        let catalog = doc.add_object(dictionary! {
            "Type" => "Catalog",
            "Pages" => pages_id,
        });
        doc.trailer.set("Root", catalog);
        let info = doc.add_object(dictionary! {
            "Producer" => Object::string_literal(format!("kyso {}", env!("CARGO_PKG_VERSION"))),
        });
        doc.trailer.set("Info", info);
        Ok(doc)
    }
}

fn deflate(bytes: &[u8]) -> Result<Vec<u8>, OcrError> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(bytes)
        .map_err(|e| OcrError::Pdf(e.to_string()))?;
    z.finish().map_err(|e| OcrError::Pdf(e.to_string()))
}

fn add_image(doc: &mut Document, image: &EncodedImage) -> ObjectId {
    let (dict, data) = match image {
        EncodedImage::Jpeg {
            width,
            height,
            colors,
            data,
        } => (
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image",
                "Width" => *width, "Height" => *height,
                "ColorSpace" => if *colors == 3 { "DeviceRGB" } else { "DeviceGray" },
                "BitsPerComponent" => 8, "Filter" => "DCTDecode",
            },
            data.clone(),
        ),
        EncodedImage::FlateGray {
            width,
            height,
            data,
        } => (
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image",
                "Width" => *width, "Height" => *height,
                "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8, "Filter" => "FlateDecode",
            },
            data.clone(),
        ),
    };
    doc.add_object(Stream::new(dict, data))
}

const TO_UNICODE: &str = "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
/CMapName /Adobe-Identify-UCS def\n/CMapType 2 def\n\
1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n\
1 beginbfrange\n<0000> <FFFF> <0000>\nendbfrange\n\
endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";

/// The glyphless Type0 font, as Tesseract's PDF renderer builds it.
fn add_font(doc: &mut Document, ttf: Vec<u8>) -> Result<ObjectId, OcrError> {
    // Every CID → glyph 1, the font's only (empty) glyph.
    let cid_to_gid: Vec<u8> = std::iter::repeat_n([0u8, 1u8], 65536).flatten().collect();
    let cid_to_gid = doc.add_object(Stream::new(
        dictionary! { "Filter" => "FlateDecode" },
        deflate(&cid_to_gid)?,
    ));
    let ttf_len = ttf.len() as i64;
    let font_file = doc.add_object(Stream::new(
        dictionary! { "Length1" => ttf_len, "Filter" => "FlateDecode" },
        deflate(&ttf)?,
    ));
    let descriptor = doc.add_object(dictionary! {
        "Type" => "FontDescriptor",
        "FontName" => "GlyphLessFont",
        "Flags" => 5,
        "FontBBox" => vec![0.into(), 0.into(), 500.into(), 1000.into()],
        "ItalicAngle" => 0,
        "Ascent" => 1000,
        "Descent" => -1,
        "CapHeight" => 1000,
        "StemV" => 80,
        "FontFile2" => font_file,
    });
    let cid_font = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "CIDFontType2",
        "BaseFont" => "GlyphLessFont",
        "CIDToGIDMap" => cid_to_gid,
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("Identity"),
            "Supplement" => 0,
        },
        "FontDescriptor" => descriptor,
        "DW" => 500,
    });
    let to_unicode = doc.add_object(Stream::new(dictionary! {}, TO_UNICODE.as_bytes().to_vec()));
    Ok(doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type0",
        "BaseFont" => "GlyphLessFont",
        "Encoding" => "Identity-H",
        "DescendantFonts" => vec![Object::Reference(cid_font)],
        "ToUnicode" => to_unicode,
    }))
}
