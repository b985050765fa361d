//! The metadata stage's input: a page's text as positioned lines, whatever it came from.
//!
//! OCR words (boxes in the prepared raster) and PDF text runs (boxes on the page) are both
//! turned into [`TextLine`]s in one frame, 0..1 from the page's top-left corner, so the layout
//! code below never needs to know where the text came from.

use serde::Serialize;

use crate::ocr::OcrPage;
use crate::source::TextRun;

/// One line of text on a page: a run of words on the same baseline with no column gap inside.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextLine {
    /// NFC, single spaces.
    pub text: String,
    /// Left, top, right, bottom as fractions of the page, from its top-left corner.
    pub bbox: [f32; 4],
    /// How sure the text is, 0..1: OCR word confidence, 1.0 for a text layer.
    pub confidence: f32,
}

impl TextLine {
    pub fn new(text: &str, bbox: [f32; 4], confidence: f32) -> Self {
        TextLine {
            text: tidy(text),
            bbox,
            confidence,
        }
    }

    pub fn left(&self) -> f32 {
        self.bbox[0]
    }
    pub fn top(&self) -> f32 {
        self.bbox[1]
    }
    pub fn right(&self) -> f32 {
        self.bbox[2]
    }
    pub fn bottom(&self) -> f32 {
        self.bbox[3]
    }
    pub fn height(&self) -> f32 {
        (self.bbox[3] - self.bbox[1]).max(1e-4)
    }
    pub fn centre_x(&self) -> f32 {
        (self.bbox[0] + self.bbox[2]) / 2.0
    }
    pub fn width(&self) -> f32 {
        self.bbox[2] - self.bbox[0]
    }
}

/// Where a page's text came from; decides how far its confidences can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TextSource {
    Ocr,
    TextLayer,
}

/// The positioned text of one page, lines sorted top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub struct PageText {
    pub index: u32,
    pub source: TextSource,
    pub lines: Vec<TextLine>,
}

impl PageText {
    pub fn new(index: u32, source: TextSource, mut lines: Vec<TextLine>) -> Self {
        lines.retain(|l| !l.text.is_empty());
        lines.sort_by(|a, b| {
            a.top()
                .total_cmp(&b.top())
                .then(a.left().total_cmp(&b.left()))
        });
        PageText {
            index,
            source,
            lines,
        }
    }
}

/// NFC and single spaces, no controls: how every value is written to the record (the output
/// layer's field rule, so lines are clean before any field or key is read from them).
pub fn tidy(text: &str) -> String {
    crate::output::text::normalize_field(text)
}

/// A word or run with its box in some frame, before grouping into lines.
struct Piece<'a> {
    text: &'a str,
    /// Left, top, right, bottom in units where x and y have the same scale.
    bbox: [f64; 4],
    confidence: f32,
    /// Words that Tesseract put on the same line share a group; PDF runs get one from their
    /// baseline.
    group: u32,
}

/// Splits each group where the horizontal gap is wider than a column gap (the header's two
/// columns often share a baseline, and Tesseract can put them on one line), and turns each part
/// into a line normalised by `width` × `height`.
fn lines_from_pieces(mut pieces: Vec<Piece<'_>>, width: f64, height: f64) -> Vec<TextLine> {
    if width <= 0.0 || height <= 0.0 {
        return Vec::new();
    }
    pieces.sort_by(|a, b| a.group.cmp(&b.group).then(a.bbox[0].total_cmp(&b.bbox[0])));
    let mut lines = Vec::new();
    let mut current: Vec<&Piece<'_>> = Vec::new();
    let flush = |current: &mut Vec<&Piece<'_>>, lines: &mut Vec<TextLine>| {
        if current.is_empty() {
            return;
        }
        let mut text = String::new();
        let mut bbox = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        let mut conf = 0.0f32;
        let mut prev_right: Option<f64> = None;
        let line_h = current
            .iter()
            .map(|p| p.bbox[3] - p.bbox[1])
            .fold(0.0, f64::max);
        for p in current.iter() {
            if let Some(r) = prev_right {
                // Runs that touch are one word split by the producer (kerning, font changes).
                if p.bbox[0] - r > 0.12 * line_h && !text.ends_with(' ') {
                    text.push(' ');
                }
            }
            text.push_str(p.text);
            prev_right = Some(p.bbox[2]);
            bbox = [
                bbox[0].min(p.bbox[0]),
                bbox[1].min(p.bbox[1]),
                bbox[2].max(p.bbox[2]),
                bbox[3].max(p.bbox[3]),
            ];
            conf += p.confidence;
        }
        let n = current.len() as f32;
        lines.push(TextLine::new(
            &text,
            [
                (bbox[0] / width) as f32,
                (bbox[1] / height) as f32,
                (bbox[2] / width) as f32,
                (bbox[3] / height) as f32,
            ],
            conf / n,
        ));
        current.clear();
    };
    let has_alnum = |p: &Piece<'_>| p.text.chars().any(char::is_alphanumeric);
    for piece in &pieces {
        if let Some(last) = current.last() {
            // Specks between the columns (a rule read as "._") must not bridge the gap: it is
            // measured from the last real word, and a speck never starts a new line.
            let anchor = current.iter().rev().find(|p| has_alnum(p)).unwrap_or(last);
            let h = (anchor.bbox[3] - anchor.bbox[1]).max(piece.bbox[3] - piece.bbox[1]);
            let gap = piece.bbox[0] - anchor.bbox[2];
            if last.group == piece.group && !has_alnum(piece) && gap > 2.5 * h {
                // A speck far from any word (seal edge, dust): not text.
                continue;
            }
            if last.group != piece.group || (has_alnum(piece) && gap > 2.5 * h) {
                flush(&mut current, &mut lines);
            }
        }
        current.push(piece);
    }
    flush(&mut current, &mut lines);
    lines
}

/// Lines of an OCR'd page, from Tesseract's words and line ids.
pub fn lines_from_ocr(page: &OcrPage) -> Vec<TextLine> {
    let pieces = page
        .words
        .iter()
        .filter(|w| !w.text.trim().is_empty())
        .map(|w| Piece {
            text: w.text.trim(),
            bbox: w.bbox.map(f64::from),
            confidence: (w.confidence / 100.0).clamp(0.0, 1.0),
            group: w.line,
        })
        .collect();
    lines_from_pieces(pieces, f64::from(page.width), f64::from(page.height))
}

/// Lines of a PDF text layer. `aspect` is the page's width over its height, so gaps are
/// measured in the same unit both ways.
pub fn lines_from_runs(runs: &[TextRun], aspect: f64) -> Vec<TextLine> {
    if !(aspect.is_finite() && aspect > 0.0) {
        return Vec::new();
    }
    // Runs on one baseline share a group: sort by the middle of their boxes and start a new
    // group when the next run's middle is more than half a line away.
    let mut order: Vec<usize> = (0..runs.len()).collect();
    let mid = |r: &TextRun| f64::from(r.bbox[1] + r.bbox[3]) / 2.0;
    order.sort_by(|&a, &b| mid(&runs[a]).total_cmp(&mid(&runs[b])));
    let mut pieces = Vec::with_capacity(runs.len());
    let mut group = 0u32;
    let mut group_mid: Option<f64> = None;
    for i in order {
        let r = &runs[i];
        let h = f64::from(r.bbox[3] - r.bbox[1]).abs();
        if let Some(m) = group_mid {
            if (mid(r) - m).abs() > 0.5 * h {
                group += 1;
                group_mid = Some(mid(r));
            }
        } else {
            group_mid = Some(mid(r));
        }
        let [l, t, rr, b] = r.bbox.map(f64::from);
        pieces.push(Piece {
            text: r.text.as_str(),
            bbox: [l * aspect, t, rr * aspect, b],
            confidence: 1.0,
            group,
        });
    }
    // The pieces were scaled to `aspect` × 1; normalise back.
    lines_from_pieces(pieces, aspect, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, l: f32, t: f32, r: f32) -> TextRun {
        TextRun {
            text: text.into(),
            bbox: [l, t, r, t + 0.015],
            invisible: false,
        }
    }

    #[test]
    fn header_columns_on_one_baseline_stay_apart() {
        let runs = [
            run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 0.45, 0.1, 0.9),
            run("UBND TỈNH BẮC GIANG", 0.1, 0.1, 0.35),
        ];
        let lines = lines_from_runs(&runs, 0.707);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text, "UBND TỈNH BẮC GIANG");
    }

    #[test]
    fn specks_between_the_columns_do_not_join_them() {
        let runs = [
            run("UBND TỈNH HÀ NAM", 0.1, 0.1, 0.35),
            run("._", 0.37, 0.1, 0.38),
            run("-_", 0.41, 0.1, 0.42),
            run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 0.45, 0.1, 0.9),
        ];
        let lines = lines_from_runs(&runs, 0.707);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].text.starts_with("CỘNG"));
    }

    #[test]
    fn word_by_word_runs_join_into_one_line() {
        let runs = [
            run("Số:", 0.2, 0.2, 0.24),
            run("123/QĐ-STC", 0.25, 0.2002, 0.35),
        ];
        let lines = lines_from_runs(&runs, 0.707);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].text, "Số: 123/QĐ-STC");
    }
}
