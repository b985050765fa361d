//! The per-page stage (page raster → marks and OCR) and what a document's pages give it: the
//! positioned text for metadata, the record's `ocr` object and the per-document output files.

use std::fs;
use std::time::Instant;

use crate::error::{ErrorKind, Stage};
use crate::marks::{self, PageMarks};
use crate::metadata::{self, PageText, TextSource};
use crate::ocr::zones::{PageRole, ZoneReport};
use crate::ocr::{
    self, timed, DocumentOcr, EncodedImage, ImageCodec, OcrError, OcrPage, OcrSummary, Outputs,
    PageOcr, PageOcrStatus, SearchablePdf, StageMs,
};
use crate::output::write_atomic;
use crate::record::Record;
use crate::source::{Document, Page, PageKind};

use super::DocContext;

/// What the per-page stage produced for one page.
pub(super) struct PageWork {
    status: PageOcrStatus,
    ocr: Option<OcrPage>,
    /// How the page was read in zones mode.
    zones: Option<ZoneReport>,
    /// The prepared raster, encoded for the searchable PDF (only when `pdf` output is on).
    pdf_image: Option<EncodedImage>,
    error: Option<(&'static str, String)>,
    /// Seals and handwritten signatures found on a scanned page (`None` when not looked for).
    pub(super) marks: Option<PageMarks>,
    /// Where the page's time went (`None`: nothing was done to it).
    ms: Option<StageMs>,
}

impl PageWork {
    fn skipped(status: PageOcrStatus) -> Self {
        PageWork {
            status,
            ocr: None,
            zones: None,
            pdf_image: None,
            error: None,
            marks: None,
            ms: None,
        }
    }

    fn failed(kind: &'static str, message: String) -> Self {
        PageWork {
            error: Some((kind, message)),
            ..PageWork::skipped(PageOcrStatus::Failed)
        }
    }
}

/// The per-page stage, run by whichever worker takes the page. The page raster is decoded here,
/// not when the document is opened, so only the pages in flight are in memory; it is decoded
/// once for both mark detection and OCR, and dropped as soon as the page is done (the
/// searchable PDF keeps an encoded copy).
pub(super) fn page_work(
    page: &Page,
    page_count: usize,
    doc_id: Option<&str>,
    ctx: &DocContext,
) -> PageWork {
    let role = PageRole::of(page.info.index as usize, page_count);
    let ocr_status = if !ctx.ocr.enabled {
        PageOcrStatus::NotNeeded
    } else {
        match page.info.kind {
            PageKind::BornDigital | PageKind::Blank => PageOcrStatus::NotNeeded,
            PageKind::ScannedWithTextLayer if !ctx.ocr.redo => PageOcrStatus::KeptTextLayer,
            // Inspector mode reads no page between the first and the last.
            PageKind::Scanned | PageKind::ScannedWithTextLayer
                if ctx.ocr.zones && !role.carries_metadata() =>
            {
                PageOcrStatus::NotNeededForMetadata
            }
            PageKind::Scanned | PageKind::ScannedWithTextLayer => PageOcrStatus::Ocr,
        }
    };
    let wants_ocr = ocr_status == PageOcrStatus::Ocr;
    // Seals and hand signatures are evidence whatever the OCR mode: every scanned page is
    // looked at, also with `--ocr none` and the pages zones mode does not read.
    let wants_marks = page.info.kind.is_scan() && page.has_raster();
    if !wants_ocr && !wants_marks {
        return PageWork::skipped(ocr_status);
    }
    let mut ms = StageMs::default();
    let image = match timed(&mut ms.decode, || page.raster(&ctx.limits)) {
        Ok(image) => image,
        Err(e) if !wants_ocr => {
            // Not an OCR failure: the page just could not be looked at for marks.
            let mut work = PageWork::skipped(ocr_status);
            work.marks = Some(PageMarks::NotChecked(format!(
                "the raster could not be decoded: {e}"
            )));
            return work;
        }
        Err(e) => return PageWork::failed(e.kind(), format!("page {}: {e}", page.info.index + 1)),
    };
    let marks = wants_marks.then(|| {
        let found = timed(&mut ms.marks, || marks::detect(&image.image, image.dpi));
        if ctx.evidence_images {
            if let (
                Some(id),
                PageMarks::Checked(list) | PageMarks::SealsByShape { seals: list, .. },
            ) = (doc_id, &found)
            {
                marks::write_crops(&ctx.out, id, page.info.index, &image.image, list);
            }
        }
        found
    });
    if !wants_ocr {
        return PageWork {
            marks,
            ms: Some(ms),
            ..PageWork::skipped(ocr_status)
        };
    }
    let failed =
        |e: OcrError| PageWork::failed(e.kind(), format!("page {}: {e}", page.info.index + 1));
    let mut work = if ctx.ocr.zones {
        match ocr::recognize_page_zones(
            &ctx.ocr.langs,
            &image,
            &ctx.ocr.preprocess,
            role,
            ctx.ocr.page_timeout,
        ) {
            Ok(zoned) => PageWork {
                status: if zoned.report.fallback.is_some() {
                    PageOcrStatus::Ocr
                } else {
                    PageOcrStatus::OcrZones
                },
                ocr: Some(zoned.page),
                zones: Some(zoned.report),
                pdf_image: None,
                error: None,
                marks: None,
                ms: Some(add_ocr_ms(ms, zoned.ms)),
            },
            Err(e) => failed(e),
        }
    } else {
        let codec = ctx
            .ocr
            .outputs
            .wants_page_images()
            .then_some(ImageCodec::Jpeg { quality: 75 });
        match ocr::recognize_page_within(
            &ctx.ocr.langs,
            &image,
            &ctx.ocr.preprocess,
            codec,
            ctx.ocr.page_timeout,
        ) {
            Ok(done) => PageWork {
                status: PageOcrStatus::Ocr,
                ocr: Some(done.page),
                zones: None,
                pdf_image: done.pdf_image,
                error: None,
                marks: None,
                ms: Some(add_ocr_ms(ms, done.ms)),
            },
            Err(e) => failed(e),
        }
    };
    work.marks = marks;
    work
}

/// The pipeline's own steps (decode, marks) and the OCR stage's, in one.
fn add_ocr_ms(pipeline: StageMs, ocr: StageMs) -> StageMs {
    StageMs {
        decode: pipeline.decode,
        marks: pipeline.marks,
        ..ocr
    }
}

/// Each page's positioned text for the metadata stage: the OCR result when the page was
/// recognised, else its PDF text layer (visible, or the invisible layer of an OCR'd scan).
pub(super) fn page_texts(document: &Document, pages: &[PageWork]) -> Vec<PageText> {
    document
        .pages
        .iter()
        .zip(pages)
        .filter_map(|(page, work)| {
            let index = page.info.index;
            if let Some(o) = &work.ocr {
                return Some(PageText::new(
                    index,
                    TextSource::Ocr,
                    metadata::lines_from_ocr(o),
                ));
            }
            if page.text_runs.is_empty() {
                return None;
            }
            let aspect = match (page.info.width_pt, page.info.height_pt) {
                (Some(w), Some(h)) if h > 0.0 => w / h,
                _ => 1.0 / 2f64.sqrt(),
            };
            Some(PageText::new(
                index,
                TextSource::TextLayer,
                metadata::lines_from_runs(&page.text_runs, aspect),
            ))
        })
        .collect()
}

/// Fills the record's `ocr` object and writes the text, hOCR, ALTO and searchable-PDF outputs.
/// Returns the assembled pages when the archive copy (`pdfa`) is asked for and every page was
/// recognised: it is written once the verdict it states is known.
pub(super) fn write_page_outputs(
    record: &mut Record,
    document: &Document,
    pages: Vec<PageWork>,
    ctx: &DocContext,
) -> Option<SearchablePdf> {
    let id = record.id.clone()?;
    let outputs = ctx.ocr.outputs;
    let mut summary = ctx.engine.as_ref().map(OcrSummary::new);
    let mut texts: Vec<String> = Vec::with_capacity(pages.len());
    let mut ocr_pages: Vec<Option<OcrPage>> = Vec::with_capacity(pages.len());
    let mut pdf = outputs.wants_page_images().then(SearchablePdf::new);
    for (page, work) in document.pages.iter().zip(pages) {
        let index = page.info.index;
        if let Some((kind, message)) = work.error {
            record.push_error(Stage::Ocr, kind, message);
        }
        let text = match &work.ocr {
            Some(o) => o.text.clone(),
            None => page.text.clone().unwrap_or_default(),
        };
        if let Some(summary) = summary.as_mut() {
            let entry = match &work.ocr {
                Some(o) => PageOcr::recognised(index, o, work.status, work.zones.clone()),
                None => PageOcr::skipped(
                    index,
                    work.status,
                    text.chars().filter(|c| !c.is_whitespace()).count(),
                ),
            };
            summary.pages.push(PageOcr {
                ms: work.ms,
                ..entry
            });
        }
        // The searchable copy is made only when every page was recognised in this run: a copy
        // that silently dropped born-digital pages would mislead.
        match (&mut pdf, &work.ocr, work.pdf_image) {
            (Some(p), Some(o), Some(img)) => p.add_page(index, o, img),
            _ => pdf = None,
        }
        texts.push(text);
        ocr_pages.push(work.ocr);
    }
    let writing = Instant::now();
    if outputs.text && texts.iter().any(|t| !t.trim().is_empty()) {
        let path = ctx.out.join("text").join(format!("{id}.txt"));
        let written = fs::create_dir_all(ctx.out.join("text"))
            .and_then(|_| write_atomic(&path, texts.join("\x0c").as_bytes()));
        if let Err(e) = written {
            record.push_error(
                Stage::Output,
                "write_failed",
                format!("{}: {e}", path.display()),
            );
        }
    }
    let wrote_pdf = pdf.is_some();
    let doc = DocumentOcr {
        doc_id: id,
        pages: ocr_pages,
        pdf,
    };
    let others = Outputs {
        text: false,
        ..outputs
    };
    if let Err(e) = ocr::write_outputs(&ctx.out, &doc, &others) {
        record.push_error(Stage::Output, e.kind(), e.to_string());
    }
    if let Some(summary) = summary.as_mut() {
        // The document's files are shared out among the pages recognised for them.
        let read: Vec<&mut StageMs> = summary
            .pages
            .iter_mut()
            .zip(&doc.pages)
            .filter(|(_, o)| o.is_some())
            .filter_map(|(p, _)| p.ms.as_mut())
            .collect();
        let share = ocr::ms_since(writing) / (read.len().max(1) as u32);
        for ms in read {
            ms.writers += share;
        }
        if wrote_pdf && outputs.pdf && !record.signatures.is_empty() {
            summary.note_unsigned_copy();
        }
    }
    record.ocr = summary;
    doc.pdf.filter(|_| outputs.pdfa)
}
