//! Stage 4: OCR of scanned pages with Tesseract.
//!
//! Flow for one page, all on the worker thread that took the page:
//!
//! ```text
//! PageImage ──prepare()──▶ PreparedPage ──OcrEngine::recognize()──▶ OcrPage ──▶ writers / summary
//!            grayscale, DPI,        (Tesseract, one engine
//!            orientation, deskew     per worker thread)
//! ```
//!
//! Word boxes in [`OcrPage`] are in pixels of the *prepared* raster (after rotation, resampling
//! and deskew): that is the raster the searchable PDF shows, so the text layer lines up with it.
//! [`OcrPage::scale`] relates it to the source raster for stages that look at the original.

mod engine;
mod metrics;
mod order;
mod paper;
mod pdf;
mod prepare;
mod reread;
mod rotate;
mod summary;
mod tesseract;
mod timing;
mod unread;
mod writers;
pub mod zones;

pub use engine::{
    init_process, reexec_with_single_threaded_openmp, set_engine_factory, with_thread_engine,
    EngineFactory, EngineInfo, OcrEngine,
};
pub use metrics::{bag_of_words, cer, char_edits, normalize_for_cer, wer, word_edits, BagOfWords};
pub use pdf::{EncodedImage, ImageCodec, SearchablePdf};
pub use prepare::{prepare, DpiSource, PreparedPage, Preprocess};
pub use summary::{OcrSummary, PageOcr, PageOcrStatus};
pub use tesseract::{check_languages, installed_languages, tessdata_dir, TesseractEngine};
pub use timing::{ms_since, timed, StageMs};
pub use writers::{alto_xml, hocr_html, page_text, write_outputs, DocumentOcr, Outputs};

use std::time::{Duration, Instant};

use serde::Serialize;
use thiserror::Error;

use crate::error::ErrorKind;

/// The default `--lang`: Vietnamese documents routinely quote English names and terms.
pub const DEFAULT_LANGS: &str = "vie";

/// A recognised word.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OcrWord {
    /// The word as recognised, NFC-normalised.
    pub text: String,
    /// Bounding box in pixels of the prepared raster: left, top, right, bottom (exclusive).
    pub bbox: [u32; 4],
    /// Tesseract's word confidence, 0–100.
    pub confidence: f32,
    /// Page-unique ids of the text line, paragraph and block the word belongs to; the ids
    /// increase in reading order, so grouping words by `line` gives the page's lines.
    pub line: u32,
    pub paragraph: u32,
    pub block: u32,
}

/// The result of recognising one page.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OcrPage {
    /// Words in reading order.
    pub words: Vec<OcrWord>,
    /// The page text: words joined by spaces, lines by `\n`, paragraphs by an empty line.
    pub text: String,
    /// Mean word confidence (0–100); `None` when no word was found.
    pub mean_confidence: Option<f32>,
    /// Characters in `text`, whitespace excluded.
    pub chars: usize,
    /// Clockwise rotation applied to the source raster before recognition: 0, 90, 180 or 270.
    pub rotation: u16,
    /// Skew found and corrected by deskewing, in degrees (`None`: deskew off or not measurable).
    pub skew_deg: Option<f32>,
    /// The resolution Tesseract was told, after resampling.
    pub dpi_used: f64,
    /// Where the source DPI came from.
    pub dpi_source: DpiSource,
    /// Prepared raster size in pixels (the coordinate space of the word boxes).
    pub width: u32,
    pub height: u32,
    /// Prepared pixels per source pixel (resampling factor; 1.0 when not resampled).
    pub scale: f64,
    /// Lines the page pass read poorly that were read again alone, and read surer (see
    /// `reread`).
    pub lines_reread: u32,
    /// Lines of ink the page pass did not read (a name under a seal on a gray scan), read
    /// alone with the lighter ink dropped (see `unread`).
    pub lines_recovered: u32,
}

impl OcrPage {
    /// A page with no text, e.g. from a blank raster.
    pub fn empty(prepared: &PreparedPage) -> OcrPage {
        OcrPage {
            words: Vec::new(),
            text: String::new(),
            mean_confidence: None,
            chars: 0,
            rotation: prepared.rotation,
            skew_deg: prepared.skew_deg,
            dpi_used: prepared.dpi,
            dpi_source: prepared.dpi_source,
            width: prepared.width(),
            height: prepared.height(),
            scale: prepared.scale,
            lines_reread: 0,
            lines_recovered: 0,
        }
    }

    /// Builds a page from words (in reading order), deriving text, confidence and counts.
    pub fn from_words(prepared: &PreparedPage, words: Vec<OcrWord>) -> OcrPage {
        let mut page = OcrPage::empty(prepared);
        page.text = text_from_words(&words);
        page.chars = page.text.chars().filter(|c| !c.is_whitespace()).count();
        if !words.is_empty() {
            let sum: f32 = words.iter().map(|w| w.confidence).sum();
            page.mean_confidence = Some(sum / words.len() as f32);
        }
        page.words = words;
        page
    }
}

fn text_from_words(words: &[OcrWord]) -> String {
    let mut text = String::new();
    let mut prev: Option<&OcrWord> = None;
    for w in words {
        if let Some(p) = prev {
            if p.paragraph != w.paragraph || p.block != w.block {
                text.push_str("\n\n");
            } else if p.line != w.line {
                text.push('\n');
            } else {
                text.push(' ');
            }
        }
        text.push_str(&w.text);
        prev = Some(w);
    }
    text
}

/// What [`recognize_page`] returns: the recognised page and, when asked, its prepared raster
/// encoded for the searchable PDF.
pub struct RecognizedPage {
    pub page: OcrPage,
    pub pdf_image: Option<EncodedImage>,
    /// Where the page's time went (decode, marks and writers are the pipeline's to fill).
    pub ms: StageMs,
}

/// The whole per-page OCR step for the pipeline: takes this thread's engine for `langs`,
/// prepares the raster, recognises it and (if `pdf_codec` is set) encodes the prepared raster
/// for [`SearchablePdf::add_page`]. The decoded pixels are gone when it returns; only the
/// encoded image is kept.
pub fn recognize_page(
    langs: &str,
    image: &crate::source::PageImage,
    opts: &Preprocess,
    pdf_codec: Option<ImageCodec>,
) -> Result<RecognizedPage, OcrError> {
    recognize_page_within(langs, image, opts, pdf_codec, None)
}

/// [`recognize_page`] with a time budget for the page (`--page-timeout`): recognition is told
/// the deadline and stops there (Tesseract's monitor), and a page whose budget is spent before
/// a recognition pass starts is not recognised. Either way the page fails with
/// [`OcrError::Timeout`]. Preparation (resampling, deskew, OSD) cannot be interrupted; it is
/// bounded by `--max-pixels` instead.
pub fn recognize_page_within(
    langs: &str,
    image: &crate::source::PageImage,
    opts: &Preprocess,
    pdf_codec: Option<ImageCodec>,
    timeout: Option<Duration>,
) -> Result<RecognizedPage, OcrError> {
    let deadline = timeout.map(|t| (Instant::now() + t, t));
    with_thread_engine(langs, |engine| {
        // Orientation detection costs about 0.6 s a page, most of what kyso adds to plain
        // Tesseract, and nearly every page is upright: read the page as it is first and ask
        // OSD only when that reading is poor (upright pages score 90+, an upside-down one ~57)
        // or its words run down the page (Tesseract reads text on its side well, but its word
        // boxes are then sideways for the metadata stage and the searchable PDF). A page lying
        // in landscape, as a portrait sheet scanned on its side does, is asked before it is
        // read: reading it first was a whole recognition pass wasted on most of them.
        let landscape = image.image.width() > image.image.height();
        let first = Preprocess {
            orientation: opts.orientation && landscape,
            ..opts.clone()
        };
        let mut ms = StageMs::default();
        let mut prepared = prepare::prepare_timed(image, &first, engine, &mut ms)?;
        let mut page = timed(&mut ms.recognise, || {
            recognize_by(engine, &prepared, deadline)
        })?;
        if opts.orientation && !first.orientation && (reads_poorly(&page) || runs_sideways(&page)) {
            // What orientation costs: OSD, and the page read again once turned.
            timed(&mut ms.orientation, || -> Result<(), OcrError> {
                if prepare::orient(&mut prepared, opts, engine)? {
                    page = recognize_by(engine, &prepared, deadline)?;
                }
                Ok(())
            })?;
        }
        if opts.reread {
            page = timed(&mut ms.second_reading, || -> Result<OcrPage, OcrError> {
                let at = deadline.map(|d| d.0);
                let page = reread::reread_poor_lines(engine, &prepared, page, at)?;
                unread::read_unread_ink(engine, &prepared, page, None, at)
            })?;
        }
        if opts.block_order {
            page = in_reading_order(&prepared, page);
        }
        let pdf_image = timed(&mut ms.writers, || {
            pdf_codec.map(|c| prepared.encode(c)).transpose()
        })?;
        Ok(RecognizedPage {
            page,
            pdf_image,
            ms,
        })
    })?
}

/// Zones mode for one page: lays the prepared page out, recognises only the regions that carry
/// metadata for a page in `role`, and falls back to the whole page when they cannot be found.
/// Orientation and skew are decided once, on the small copy the layout is analysed on, and
/// applied to the full page the zones are cut from.
pub fn recognize_page_zones(
    langs: &str,
    image: &crate::source::PageImage,
    opts: &Preprocess,
    role: zones::PageRole,
    timeout: Option<Duration>,
) -> Result<ZonedPage, OcrError> {
    let deadline = timeout.map(|t| (Instant::now() + t, t));
    with_thread_engine(langs, |engine| {
        let plain = Preprocess {
            orientation: false,
            deskew: false,
            ..opts.clone()
        };
        let mut ms = StageMs::default();
        let mut prepared = prepare::prepare_timed(image, &plain, engine, &mut ms)?;
        // The layout, OSD and the skew are worked out on a small copy (see
        // prepare::SMALL_DPI); the zones are then read at full size.
        let (mut small, factor) = timed(&mut ms.prepare, || prepared.small_copy())?;
        // As in full mode, OSD is asked up front only for a page lying in landscape (its skew
        // is measured once it is upright); an upright portrait page, nearly every page, never
        // pays for it. A portrait page upside down reads poorly and is turned below.
        let landscape = small.width() > small.height();
        let first = Preprocess {
            orientation: opts.orientation && landscape,
            ..opts.clone()
        };
        timed(&mut ms.deskew, || -> Result<(), OcrError> {
            let mut rotation = 0;
            if first.orientation {
                rotation = match prepare::sure_turn(&small, opts, engine)? {
                    Some(turn) => turn,
                    // OSD on the small copy of a page lying on its side can fall short of the
                    // bar where the full page clears it (a 200 dpi page of the degraded bench
                    // was read on its side in zones mode and turned in full mode, which asks
                    // at full size): unsure, it is asked at full size too.
                    None => prepare::clear_turn(&prepared, opts, engine)?.unwrap_or(0),
                };
            }
            if rotation != 0 {
                // The full page is turned before its skew is measured, as full mode turns it,
                // so that the copy measured is the same pixels in both modes.
                for page in [&mut small, &mut prepared] {
                    page.apply(prepare::Geometry {
                        rotation,
                        skew_deg: None,
                        deskew: false,
                    })?;
                }
            }
            let skew_only = Preprocess {
                orientation: false,
                ..first.clone()
            };
            let skew = prepare::settle(&mut small, &prepared, &skew_only, engine)?;
            prepared.apply(skew)
        })?;
        let mut oriented = first.orientation;
        loop {
            let layout = timed(&mut ms.layout, || engine.layout(&small))?
                .map(|lines| zones::scale_lines(lines, 1.0 / factor));
            let (page, report) = read_zones(
                engine,
                &prepared,
                layout,
                role,
                opts.reread,
                deadline,
                &mut ms,
            )?;
            if opts.orientation && !oriented && (reads_poorly(&page) || runs_sideways(&page)) {
                oriented = true;
                let turn = Preprocess {
                    deskew: false,
                    ..opts.clone()
                };
                let start = Instant::now();
                let mut geometry = prepare::settle(&mut small, &prepared, &turn, engine)?;
                if geometry.rotation == 0 {
                    // OSD's confidence on the small copy of a 200 dpi page can sit just under
                    // the bar (4.5-5.2 on an upside-down agency-bench scan, 8.2 at full size):
                    // a page that read poorly is worth asking about once more, at full size.
                    if let Some(rotation) = prepare::clear_turn(&prepared, opts, engine)? {
                        geometry.rotation = rotation;
                        small.apply(prepare::Geometry {
                            rotation,
                            skew_deg: small.skew_deg,
                            deskew: false,
                        })?;
                    }
                }
                if geometry.rotation != 0 {
                    // A half turn keeps the page deskewed: only the rotation is applied.
                    prepared.apply(prepare::Geometry {
                        skew_deg: prepared.skew_deg,
                        deskew: false,
                        ..geometry
                    })?;
                    // The first reading was wasted: it counts as orientation's cost.
                    ms.orientation += ms_since(start) + ms.recognise + ms.second_reading;
                    ms.recognise = 0;
                    ms.second_reading = 0;
                    continue;
                }
                ms.orientation += ms_since(start);
            }
            let page = if opts.block_order {
                in_reading_order(&prepared, page)
            } else {
                page
            };
            return Ok(ZonedPage { page, report, ms });
        }
    })?
}

/// What [`recognize_page_zones`] returns.
pub struct ZonedPage {
    pub page: OcrPage,
    pub report: zones::ZoneReport,
    pub ms: StageMs,
}

fn read_zones(
    engine: &mut dyn OcrEngine,
    prepared: &PreparedPage,
    layout: Option<Vec<zones::LayoutLine>>,
    role: zones::PageRole,
    reread: bool,
    deadline: Option<(Instant, Duration)>,
    ms: &mut StageMs,
) -> Result<(OcrPage, zones::ZoneReport), OcrError> {
    let (w, h) = (prepared.width(), prepared.height());
    // Ink outside the zones is unread on purpose: only the zones' own is looked for.
    let mend = |engine: &mut dyn OcrEngine,
                page: OcrPage,
                zones: Option<&[[u32; 4]]>,
                ms: &mut StageMs| {
        if reread {
            timed(&mut ms.second_reading, || {
                let at = deadline.map(|d| d.0);
                let page = reread::reread_poor_lines(engine, prepared, page, at)?;
                unread::read_unread_ink(engine, prepared, page, zones, at)
            })
        } else {
            Ok(page)
        }
    };
    let found = match layout {
        Some(lines) => zones::find_zones(&lines, w, h, role),
        None => zones::Zones::NotFound("the engine has no layout analysis"),
    };
    match found {
        zones::Zones::Regions(regions) if !regions.is_empty() => {
            let mut words: Vec<OcrWord> = Vec::new();
            for region in &regions {
                // Each zone is cut out and read as a page of its own: Tesseract 5.3's
                // SetRectangle read partial rectangles of our pages as garbage (a full-page
                // rectangle read fine).
                let Some(part) = prepared.crop(*region)? else {
                    continue;
                };
                let part = timed(&mut ms.recognise, || recognize_by(engine, &part, deadline))?;
                // Back to page coordinates, with structure ids unique and increasing across
                // regions.
                let offset = words
                    .last()
                    .map_or(0, |w| w.block.max(w.paragraph).max(w.line) + 1);
                words.extend(part.words.into_iter().map(|mut w| {
                    w.bbox = [
                        w.bbox[0] + region[0],
                        w.bbox[1] + region[1],
                        w.bbox[2] + region[0],
                        w.bbox[3] + region[1],
                    ];
                    w.block += offset;
                    w.paragraph += offset;
                    w.line += offset;
                    w
                }));
            }
            let page = mend(
                engine,
                OcrPage::from_words(prepared, words),
                Some(&regions),
                ms,
            )?;
            let report = zones::ZoneReport {
                share: zones::area_share(&regions, w, h),
                regions,
                fallback: None,
            };
            Ok((page, report))
        }
        zones::Zones::Regions(_) => Ok((
            OcrPage::empty(prepared),
            zones::ZoneReport {
                regions: Vec::new(),
                share: 0.0,
                fallback: None,
            },
        )),
        zones::Zones::NotFound(why) => Ok((
            {
                let page = timed(&mut ms.recognise, || {
                    recognize_by(engine, prepared, deadline)
                })?;
                mend(engine, page, None, ms)?
            },
            zones::ZoneReport {
                regions: Vec::new(),
                share: 1.0,
                fallback: Some(format!("{why}; the whole page was recognised")),
            },
        )),
    }
}

/// The page with its words in reading order by blocks (`order`), its counts kept. A page whose
/// text runs down the page (not turned upright) keeps the engine's order: its columns are not
/// where `order` looks for them.
fn in_reading_order(prepared: &PreparedPage, page: OcrPage) -> OcrPage {
    if runs_sideways(&page) {
        return page;
    }
    let (reread, recovered) = (page.lines_reread, page.lines_recovered);
    let mut ordered = OcrPage::from_words(prepared, order::by_blocks(page.words));
    ordered.lines_reread = reread;
    ordered.lines_recovered = recovered;
    ordered
}

/// One recognition pass under the page's deadline, if any. A pass that ends after the deadline
/// is a timeout whatever it returned: Tesseract, when its monitor's deadline passes, fakes the
/// words it has not reached and still reports success, so its result cannot be trusted.
fn recognize_by(
    engine: &mut dyn OcrEngine,
    prepared: &PreparedPage,
    deadline: Option<(Instant, Duration)>,
) -> Result<OcrPage, OcrError> {
    let Some((at, budget)) = deadline else {
        return engine.recognize(prepared);
    };
    let timeout = || OcrError::Timeout {
        seconds: budget.as_secs_f64(),
    };
    if Instant::now() >= at {
        return Err(timeout());
    }
    let result = engine.recognize_until(prepared, at);
    if Instant::now() >= at {
        return Err(timeout());
    }
    result
}

/// Mean word confidence under which a page may be turned and is checked with OSD.
const POOR_READING_CONFIDENCE: f32 = 75.0;

fn reads_poorly(page: &OcrPage) -> bool {
    page.mean_confidence
        .is_none_or(|c| c < POOR_READING_CONFIDENCE)
}

/// Whether most words of three letters or more are taller than they are wide: the text runs
/// down the page, which is on its side.
fn runs_sideways(page: &OcrPage) -> bool {
    let (mut tall, mut words) = (0, 0);
    for w in page.words.iter().filter(|w| w.text.chars().count() >= 3) {
        words += 1;
        let width = w.bbox[2].saturating_sub(w.bbox[0]);
        let height = w.bbox[3].saturating_sub(w.bbox[1]);
        tall += usize::from(height > width);
    }
    2 * tall > words
}

/// The engine's name, version and languages, for [`OcrSummary::new`] (starts this thread's
/// engine if needed).
pub fn engine_info(langs: &str) -> Result<EngineInfo, OcrError> {
    with_thread_engine(langs, |engine| engine.describe())
}

#[derive(Debug, Error)]
pub enum OcrError {
    #[error(
        "Tesseract language data missing for {missing}: installed are {installed}; \
         install it with `apt-get install {packages}`"
    )]
    MissingLanguage {
        missing: String,
        installed: String,
        packages: String,
    },
    #[error("invalid --lang {0:?}: use language codes joined by '+', e.g. vie+eng")]
    InvalidLanguages(String),
    #[error("Tesseract failed to start with languages {langs}")]
    EngineInit { langs: String },
    #[error("Tesseract failed to recognise the page")]
    Recognition,
    #[error("recognition took longer than {seconds} s (--page-timeout)")]
    Timeout { seconds: f64 },
    #[error("image processing failed: {0}")]
    Image(String),
    #[error("the page image is empty ({width}×{height})")]
    EmptyImage { width: u32, height: u32 },
    #[error("unknown output {0:?}: use text, hocr, alto, pdf or pdfa")]
    UnknownOutput(String),
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot build the searchable PDF: {0}")]
    Pdf(String),
}

impl ErrorKind for OcrError {
    fn kind(&self) -> &'static str {
        match self {
            OcrError::MissingLanguage { .. } => "ocr_language_missing",
            OcrError::InvalidLanguages(_) => "ocr_invalid_languages",
            OcrError::EngineInit { .. } => "ocr_engine_init",
            OcrError::Recognition => "ocr_failed",
            OcrError::Timeout { .. } => "timeout",
            OcrError::Image(_) => "ocr_image",
            OcrError::EmptyImage { .. } => "ocr_empty_image",
            OcrError::UnknownOutput(_) => "unknown_output",
            OcrError::Write { .. } => "ocr_write",
            OcrError::Pdf(_) => "ocr_pdf",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_whose_longer_words_stand_upright_runs_sideways() {
        let page = |boxes: &[(&str, [u32; 4])]| OcrPage {
            words: boxes
                .iter()
                .map(|&(text, bbox)| OcrWord {
                    text: text.into(),
                    bbox,
                    confidence: 95.0,
                    line: 0,
                    paragraph: 0,
                    block: 0,
                })
                .collect(),
            ..OcrPage::from_words(&blank_prepared(), Vec::new())
        };
        let across = [("Quyết", [0, 0, 120, 40]), ("định", [130, 0, 230, 40])];
        let down = [("Quyết", [0, 0, 40, 120]), ("định", [0, 130, 40, 230])];
        assert!(!runs_sideways(&page(&across)));
        assert!(runs_sideways(&page(&down)));
        // Short words (digits, "số", punctuation) stand upright either way and do not count.
        let short = [
            ("1", [0, 0, 10, 40]),
            ("số", [20, 0, 45, 40]),
            ("Quyết", [60, 0, 180, 40]),
        ];
        assert!(!runs_sideways(&page(&short)));
        assert!(!runs_sideways(&page(&[])));
    }

    fn blank_prepared() -> PreparedPage {
        struct NoEngine;
        impl OcrEngine for NoEngine {
            fn recognize(&mut self, page: &PreparedPage) -> Result<OcrPage, OcrError> {
                Ok(OcrPage::empty(page))
            }
            fn describe(&self) -> EngineInfo {
                crate::ocr::EngineInfo::fake("none")
            }
        }
        let image = crate::source::PageImage {
            image: ::image::DynamicImage::ImageLuma8(::image::GrayImage::new(8, 8)),
            dpi: Some(300.0),
        };
        prepare(&image, &Preprocess::none(), &mut NoEngine).unwrap()
    }

    #[test]
    fn page_text_breaks_lines_and_paragraphs_from_word_ids() {
        let w = |t: &str, line, paragraph| OcrWord {
            text: t.into(),
            bbox: [0, 0, 1, 1],
            confidence: 90.0,
            line,
            paragraph,
            block: 0,
        };
        let text = text_from_words(&[w("a", 0, 0), w("b", 0, 0), w("c", 1, 0), w("d", 2, 1)]);
        assert_eq!(text, "a b\nc\n\nd");
    }
}
