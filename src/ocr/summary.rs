//! The record's `ocr` object.

use serde::{Deserialize, Serialize};

use super::zones::ZoneReport;
use super::{EngineInfo, OcrPage, StageMs};

/// The record's `ocr` object: how the document's pages were (or were not) recognised.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OcrSummary {
    /// Engine name, `tesseract` (or the fake engine's name in tests).
    pub engine: String,
    /// Engine library version, e.g. `5.3.0`.
    pub engine_version: String,
    /// Languages the engine loaded, in `--lang` order, e.g. `["vie", "eng"]`.
    pub languages: Vec<String>,
    /// One entry per page of the document, in page order.
    pub pages: Vec<PageOcr>,
    /// Set when a searchable PDF was written for a signed input: the copy is a new file, so it
    /// carries no signature; the original must be kept as the signed document.
    pub note: Option<String>,
}

/// What happened to one page.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PageOcrStatus {
    /// Recognised by the engine, the whole page.
    Ocr,
    /// Zones mode: only the regions in `zones` were recognised.
    OcrZones,
    /// Zones mode: a page between the first and the last, which carries no metadata.
    NotNeededForMetadata,
    /// A scan that already had an OCR text layer, kept as is.
    KeptTextLayer,
    /// Born-digital or blank: real text, nothing to recognise.
    NotNeeded,
    /// Recognition was attempted and failed; the record's `errors` say why.
    Failed,
}

/// One page's entry in [`OcrSummary::pages`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PageOcr {
    /// 0-based page index, as in the record's `pages`.
    pub index: u32,
    pub status: PageOcrStatus,
    /// Mean word confidence, 0–100 (`null` unless `status` is `ocr` and words were found).
    pub confidence: Option<f32>,
    /// Non-whitespace characters recognised (or in the kept text layer).
    pub chars: usize,
    /// Clockwise rotation applied before recognition: 0, 90, 180 or 270 (`null` unless `ocr`).
    pub rotation: Option<u16>,
    /// Skew corrected, in degrees (`null` when not measured).
    pub skew_deg: Option<f32>,
    /// Resolution Tesseract worked at, after resampling (`null` unless `ocr`).
    pub dpi: Option<f64>,
    /// Lines the page pass read poorly and that read surer when read again alone; their
    /// second reading is the one kept (`null` unless `ocr`).
    #[serde(default)]
    pub lines_reread: Option<u32>,
    /// Lines of ink the page pass left unread (a name under a seal on a gray scan) that read
    /// surely when read alone with the seal's lighter ink dropped (`null` unless `ocr`).
    #[serde(default)]
    pub lines_recovered: Option<u32>,
    /// Zones mode: the regions recognised, or why the whole page was read instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zones: Option<ZoneReport>,
    /// Milliseconds the page spent in each step (absent when nothing was done to the page).
    /// Wall time: it varies from run to run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ms: Option<StageMs>,
}

impl PageOcr {
    /// The entry for a recognised page (`status` is `ocr` or `ocr_zones`).
    pub fn recognised(
        index: u32,
        page: &OcrPage,
        status: PageOcrStatus,
        zones: Option<ZoneReport>,
    ) -> PageOcr {
        PageOcr {
            index,
            status,
            zones,
            confidence: page.mean_confidence.map(|c| (c * 10.0).round() / 10.0),
            chars: page.chars,
            rotation: Some(page.rotation),
            skew_deg: page.skew_deg.map(|s| (s * 100.0).round() / 100.0),
            dpi: Some(page.dpi_used.round()),
            lines_reread: Some(page.lines_reread),
            lines_recovered: Some(page.lines_recovered),
            ms: None,
        }
    }

    /// The entry for a page that was not recognised (`status` other than `ocr`).
    pub fn skipped(index: u32, status: PageOcrStatus, chars: usize) -> PageOcr {
        PageOcr {
            index,
            status,
            confidence: None,
            chars,
            rotation: None,
            skew_deg: None,
            dpi: None,
            lines_reread: None,
            lines_recovered: None,
            zones: None,
            ms: None,
        }
    }
}

impl OcrSummary {
    /// An empty summary for an engine; the pipeline pushes one [`PageOcr`] per page.
    pub fn new(engine: &EngineInfo) -> OcrSummary {
        OcrSummary {
            engine: engine.name.clone(),
            engine_version: engine.version.clone(),
            languages: engine.languages.clone(),
            pages: Vec::new(),
            note: None,
        }
    }

    /// Records that a searchable copy was written for a signed input.
    pub fn note_unsigned_copy(&mut self) {
        self.note = Some(
            "the searchable PDF is a new file and carries none of the input's signatures; \
             keep the original as the signed document"
                .into(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_round_trips_through_json_with_snake_case_status() {
        let mut s = OcrSummary::new(&EngineInfo {
            name: "tesseract".into(),
            version: "5.3.0".into(),
            languages: vec!["vie".into(), "eng".into()],
        });
        s.pages
            .push(PageOcr::skipped(0, PageOcrStatus::KeptTextLayer, 12));
        s.note_unsigned_copy();
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains("\"kept_text_layer\""), "{json}");
        let back: OcrSummary = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
    }
}
