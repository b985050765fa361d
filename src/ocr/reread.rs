//! A second reading of the lines a page pass read poorly.
//!
//! Tesseract 5.3 with the `vie+eng` models sometimes reads a clean line as noise when it reads
//! it as part of a page. On the zones bench corpus the usual victim is "- Lưu: VT, VP.", the last
//! line of the "Nơi nhận:" list: about one 300 dpi page in eight comes out as "= ue VÌ Vv Pe"
//! or "“I'ƯU VỊ 1H.", in full and zones mode alike, with word confidences of 35-60 while the
//! lines around it score 90 and more. The binarised line is clean; read on its own as a single
//! line with a margin of its own page around it, the same pixels read right at about 92.
//!
//! So on a page that otherwise reads well, each line whose mean word confidence is low is read
//! again alone, and the second reading replaces the first only when the engine is sure of it
//! and surer than of the first. A line is read in pieces where its words lie far apart (a list
//! line that Tesseract ran on into the seal beside it). Lines of noise (a seal, a signature)
//! are read again too and stay noise: their second reading is no surer, and they are few.

use std::time::Instant;

use super::{OcrEngine, OcrError, OcrPage, OcrWord, PreparedPage};

/// A line whose mean word confidence is under this is read again.
const REREAD_BELOW: f32 = 80.0;
/// A second reading is taken only at this mean confidence or more.
const ACCEPT_FROM: f32 = 70.0;
/// At most this many lines of a page are read again (in reading order): a page with more poor
/// lines than this is a poor scan, not a page with a few misread lines, and reading its lines
/// again would cost as much as the page.
const MAX_REREADS: usize = 12;
/// The margin kept around a line, as a share of its height. Tesseract needs some of the page's
/// own paper around the line: the word boxes cut tight, or a white border added to them, read
/// "Lưu" as "Luu".
const MARGIN: f32 = 0.5;

/// Reads again, alone, the lines of `page` (recognised from `prepared`) that read poorly, and
/// keeps the second readings that are surer. Stops at `deadline`, keeping what it has. A page
/// that reads poorly as a whole (see [`super::reads_poorly`]) is returned as it is: it wants
/// turning or is a poor scan, and line by line would not mend it.
pub(crate) fn reread_poor_lines(
    engine: &mut dyn OcrEngine,
    prepared: &PreparedPage,
    page: OcrPage,
    deadline: Option<Instant>,
) -> Result<OcrPage, OcrError> {
    if super::reads_poorly(&page) {
        return Ok(page);
    }
    let pieces = pieces(&page.words);
    let mut again: Vec<Option<Vec<OcrWord>>> = vec![None; pieces.len()];
    let poor = pieces
        .iter()
        .enumerate()
        .filter(|(_, span)| mean_confidence(&page.words[(*span).clone()]) < REREAD_BELOW)
        .take(MAX_REREADS);
    for (i, span) in poor {
        if deadline.is_some_and(|at| Instant::now() >= at) {
            break;
        }
        let before = &page.words[span.clone()];
        match read_alone(engine, prepared, before)? {
            Reading::Surer(words) => again[i] = Some(words),
            Reading::NoSurer => {}
            // The engine has no single-line mode: no other line would read differently.
            Reading::Unsupported => return Ok(page),
        }
    }
    let reread = again.iter().filter(|a| a.is_some()).count() as u32;
    if reread == 0 {
        return Ok(page);
    }
    let mut words = Vec::with_capacity(page.words.len());
    for (span, new) in pieces.into_iter().zip(again) {
        match new {
            Some(new) => words.extend(new),
            None => words.extend_from_slice(&page.words[span]),
        }
    }
    let mut mended = OcrPage::from_words(prepared, words);
    mended.lines_reread = page.lines_reread + reread;
    Ok(mended)
}

enum Reading {
    /// The line's words read alone, in page coordinates and with the line's structure ids.
    Surer(Vec<OcrWord>),
    NoSurer,
    Unsupported,
}

/// Reads the piece of a line made of `before` alone, with a margin of its page around it.
fn read_alone(
    engine: &mut dyn OcrEngine,
    prepared: &PreparedPage,
    before: &[OcrWord],
) -> Result<Reading, OcrError> {
    let bbox = union(before);
    let margin = (MARGIN * bbox[3].saturating_sub(bbox[1]) as f32).round() as u32;
    // The crop clamps the right and bottom edges to the page; the left and top are clamped
    // here, so the crop's origin is rect's.
    let rect = [
        bbox[0].saturating_sub(margin),
        bbox[1].saturating_sub(margin),
        bbox[2] + margin,
        bbox[3] + margin,
    ];
    let Some(part) = prepared.crop(rect)? else {
        return Ok(Reading::NoSurer);
    };
    let Some(line) = engine.recognize_line(&part)? else {
        return Ok(Reading::Unsupported);
    };
    match line.mean_confidence {
        Some(c) if c >= ACCEPT_FROM && c > mean_confidence(before) => {}
        _ => return Ok(Reading::NoSurer),
    }
    let ids = &before[0];
    Ok(Reading::Surer(
        line.words
            .into_iter()
            .map(|w| OcrWord {
                bbox: [
                    w.bbox[0] + rect[0],
                    w.bbox[1] + rect[1],
                    w.bbox[2] + rect[0],
                    w.bbox[3] + rect[1],
                ],
                line: ids.line,
                paragraph: ids.paragraph,
                block: ids.block,
                ..w
            })
            .collect(),
    ))
}

/// The index ranges of `words` that are read again as one: a text line (words are in reading
/// order and a line's words are contiguous), cut where two neighbouring words are further apart
/// than five times the line's median word height, a column's gap. Tesseract may run a line of
/// the recipients list on into the seal beside it; read as one, the two give the single-line
/// reader nothing to go on. A narrower cut would split a line at a word Tesseract dropped
/// ("- [Lưu:] Von, VÉ,"), and the piece read again would lack it.
fn pieces(words: &[OcrWord]) -> Vec<std::ops::Range<usize>> {
    let same_line =
        |a: &OcrWord, b: &OcrWord| (a.block, a.paragraph, a.line) == (b.block, b.paragraph, b.line);
    let mut pieces = Vec::new();
    let mut start = 0;
    while start < words.len() {
        let end = (start + 1..words.len())
            .find(|&i| !same_line(&words[start], &words[i]))
            .unwrap_or(words.len());
        let line = &words[start..end];
        let mut heights: Vec<u32> = line
            .iter()
            .map(|w| w.bbox[3].saturating_sub(w.bbox[1]))
            .collect();
        heights.sort_unstable();
        let gap = 5 * heights[heights.len() / 2];
        let mut from = start;
        for i in start + 1..end {
            if words[i].bbox[0].saturating_sub(words[i - 1].bbox[2]) > gap {
                pieces.push(from..i);
                from = i;
            }
        }
        pieces.push(from..end);
        start = end;
    }
    pieces
}

fn mean_confidence(words: &[OcrWord]) -> f32 {
    words.iter().map(|w| w.confidence).sum::<f32>() / words.len().max(1) as f32
}

/// The box around all of `words` (not empty).
fn union(words: &[OcrWord]) -> [u32; 4] {
    words.iter().fold([u32::MAX, u32::MAX, 0, 0], |b, w| {
        [
            b[0].min(w.bbox[0]),
            b[1].min(w.bbox[1]),
            b[2].max(w.bbox[2]),
            b[3].max(w.bbox[3]),
        ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocr::{prepare, Preprocess};
    use crate::source::PageImage;

    /// An engine whose page pass is never used and whose single-line readings are scripted:
    /// the n-th line it is asked to read gets the n-th reading (the last one when there are
    /// fewer). It records the size of every raster it is asked to read as a line.
    struct Lines {
        readings: Vec<Vec<(&'static str, f32)>>,
        asked: Vec<(u32, u32)>,
    }

    impl Lines {
        fn reading(words: &[(&'static str, f32)]) -> Lines {
            Lines::readings(&[words])
        }

        fn readings(readings: &[&[(&'static str, f32)]]) -> Lines {
            Lines {
                readings: readings.iter().map(|r| r.to_vec()).collect(),
                asked: Vec::new(),
            }
        }
    }

    impl OcrEngine for Lines {
        fn recognize(&mut self, page: &PreparedPage) -> Result<OcrPage, OcrError> {
            Ok(OcrPage::empty(page))
        }

        fn recognize_line(&mut self, line: &PreparedPage) -> Result<Option<OcrPage>, OcrError> {
            self.asked.push((line.width(), line.height()));
            let n = (self.asked.len() - 1).min(self.readings.len().saturating_sub(1));
            let words = self
                .readings
                .get(n)
                .into_iter()
                .flatten()
                .enumerate()
                .map(|(i, &(text, confidence))| word(text, confidence, 0, [10 + 50 * i as u32, 5]))
                .collect();
            Ok(Some(OcrPage::from_words(line, words)))
        }

        fn describe(&self) -> crate::ocr::EngineInfo {
            crate::ocr::EngineInfo::fake("lines")
        }
    }

    fn word(text: &str, confidence: f32, line: u32, at: [u32; 2]) -> OcrWord {
        OcrWord {
            text: text.into(),
            bbox: [at[0], at[1], at[0] + 40, at[1] + 20],
            confidence,
            line,
            paragraph: 0,
            block: 0,
        }
    }

    fn blank(engine: &mut Lines) -> PreparedPage {
        let image = PageImage {
            image: ::image::DynamicImage::ImageLuma8(::image::GrayImage::from_pixel(
                600,
                2000,
                ::image::Luma([240]),
            )),
            dpi: Some(300.0),
        };
        prepare(&image, &Preprocess::none(), engine).unwrap()
    }

    /// Line `i` of a page: two words at row 40 * i with confidence `conf`.
    fn line(i: u32, conf: f32) -> [OcrWord; 2] {
        [
            word("Nơi", conf, i, [100, 40 * i]),
            word("nhận", conf, i, [150, 40 * i]),
        ]
    }

    fn page(prepared: &PreparedPage, confidences: &[f32]) -> OcrPage {
        let words = (0..)
            .zip(confidences)
            .flat_map(|(i, &c)| line(i, c))
            .collect();
        OcrPage::from_words(prepared, words)
    }

    #[test]
    fn a_poor_line_on_a_good_page_takes_its_surer_reading_alone() {
        let mut engine = Lines::reading(&[("-", 90.0), ("Lưu:", 92.0), ("VT", 94.0)]);
        let prepared = blank(&mut engine);
        let before = page(&prepared, &[95.0, 96.0, 45.0, 95.0]);
        let after = reread_poor_lines(&mut engine, &prepared, before, None).unwrap();

        // Only the poor line was read again, with half its height as a margin all round.
        assert_eq!(engine.asked, vec![(90 + 20, 20 + 20)]);
        assert_eq!(after.lines_reread, 1);
        assert_eq!(after.text, "Nơi nhận\nNơi nhận\n- Lưu: VT\nNơi nhận");
        let new: Vec<&OcrWord> = after.words.iter().filter(|w| w.line == 2).collect();
        assert_eq!(new.len(), 3);
        // Back in page coordinates: the crop started at (100 - 10, 80 - 10).
        assert_eq!(new[0].bbox, [90 + 10, 70 + 5, 90 + 50, 70 + 25]);
        assert!(after.mean_confidence.unwrap() > 90.0);
    }

    #[test]
    fn a_poor_line_run_on_into_a_seal_is_read_again_without_the_seal() {
        let mut engine = Lines::readings(&[
            &[("-", 90.0), ("Lưu:", 92.0), ("VT", 94.0)],
            &[("ao", 20.0)],
        ]);
        let prepared = blank(&mut engine);
        let mut before = page(&prepared, &[95.0, 96.0, 45.0, 95.0]);
        // A speck of the seal, far right on the poor line and much taller than its words.
        let mut seal = word("ao", 30.0, 2, [480, 60]);
        seal.bbox[3] = 180;
        before.words.insert(6, seal);
        let after = reread_poor_lines(&mut engine, &prepared, before, None).unwrap();
        // Two pieces were read again: the list's words (90 x 20 with a margin of 10) and the
        // speck (40 x 120 with a margin of 60, cut at the page's top).
        assert_eq!(engine.asked, vec![(110, 40), (160, 240)]);
        assert_eq!(after.lines_reread, 1);
        assert_eq!(after.text, "Nơi nhận\nNơi nhận\n- Lưu: VT ao\nNơi nhận");
    }

    #[test]
    fn a_line_is_cut_at_a_column_gap_but_not_where_a_word_was_dropped() {
        let at = |text: &str, l: u32, r: u32, h: u32| OcrWord {
            bbox: [l, 100, r, 100 + h],
            ..word(text, 50.0, 7, [0, 0])
        };
        // "- Lưu: VT, VP." with "Lưu:" not found: the thin dash, a gap of four heights, then
        // the rest of the line; then a speck of the seal.
        let words = [
            at("=", 100, 110, 4),
            at("Von,", 230, 290, 30),
            at("VÉ,", 300, 330, 30),
            at("ao", 600, 700, 120),
        ];
        assert_eq!(pieces(&words), vec![0..3, 3..4]);
    }

    #[test]
    fn a_second_reading_that_is_not_sure_enough_is_dropped() {
        let mut engine = Lines::reading(&[("Lu", 65.0)]);
        let prepared = blank(&mut engine);
        let before = page(&prepared, &[95.0, 96.0, 45.0, 95.0]);
        let after = reread_poor_lines(&mut engine, &prepared, before.clone(), None).unwrap();
        assert_eq!(engine.asked.len(), 1);
        assert_eq!(after, before);
    }

    #[test]
    fn a_page_that_reads_poorly_as_a_whole_is_not_read_line_by_line() {
        let mut engine = Lines::reading(&[("Lưu:", 92.0)]);
        let prepared = blank(&mut engine);
        // Upside down or a bad scan: every line is poor.
        let before = page(&prepared, &[40.0, 50.0, 45.0, 60.0]);
        let after = reread_poor_lines(&mut engine, &prepared, before.clone(), None).unwrap();
        assert!(engine.asked.is_empty());
        assert_eq!(after, before);
    }

    #[test]
    fn at_most_a_dozen_lines_of_a_page_are_read_again() {
        let mut engine = Lines::reading(&[("Lưu:", 92.0)]);
        let prepared = blank(&mut engine);
        let confidences: Vec<f32> = (0..9)
            .map(|i| if i % 3 == 0 { 50.0 } else { 96.0 })
            .cycle()
            .take(9 * 5)
            .collect();
        let poor = confidences.iter().filter(|&&c| c < REREAD_BELOW).count();
        assert!(poor > MAX_REREADS);
        let before = page(&prepared, &confidences);
        assert!(!crate::ocr::reads_poorly(&before));
        let after = reread_poor_lines(&mut engine, &prepared, before, None).unwrap();
        assert_eq!(engine.asked.len(), MAX_REREADS);
        assert_eq!(after.lines_reread as usize, MAX_REREADS);
    }

    #[test]
    fn an_engine_without_a_line_mode_leaves_the_page_as_read() {
        struct PageOnly;
        impl OcrEngine for PageOnly {
            fn recognize(&mut self, page: &PreparedPage) -> Result<OcrPage, OcrError> {
                Ok(OcrPage::empty(page))
            }
            fn describe(&self) -> crate::ocr::EngineInfo {
                crate::ocr::EngineInfo::fake("page-only")
            }
        }
        let mut lines = Lines::reading(&[]);
        let prepared = blank(&mut lines);
        let before = page(&prepared, &[95.0, 45.0, 95.0]);
        let after = reread_poor_lines(&mut PageOnly, &prepared, before.clone(), None).unwrap();
        assert_eq!(after, before);
    }
}
