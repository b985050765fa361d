//! Inspector mode (`--ocr zones`): which parts of a page carry a document's identity.
//!
//! A Decree 30 document puts everything an inspector needs in two bands: the header of the
//! first page (agency block and number on the left; motto, place and date on the right; then
//! the centred title and subject) and the foot of the last page (the "Nơi nhận:" list on the
//! left, the signer block on the right). Between them runs the body, set as full-width
//! justified paragraphs. Tesseract's layout analysis (no recognition) gives the text lines
//! cheaply; the body is the lines that span the text width with no column gap, and the zones
//! are what lies above the first run of body lines and below the last one.
//!
//! ```text
//! PreparedPage ──OcrEngine::layout()──▶ [LayoutLine] ──find_zones()──▶ Zones ──crop + recognize()──▶ words
//! ```

use serde::{Deserialize, Serialize};

/// A rectangle of the prepared raster, in pixels: left, top, right, bottom (exclusive).
pub type Rect = [u32; 4];

/// A text line found by layout analysis, with its words' boxes (no text: nothing was read).
#[derive(Debug, Clone, PartialEq)]
pub struct LayoutLine {
    pub bbox: Rect,
    pub words: Vec<Rect>,
}

/// Which role a page plays in its document, for choosing its zones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRole {
    pub first: bool,
    pub last: bool,
}

impl PageRole {
    pub fn of(index: usize, count: usize) -> PageRole {
        PageRole {
            first: index == 0,
            last: index + 1 == count,
        }
    }

    /// Pages between the first and the last carry no metadata.
    pub fn carries_metadata(self) -> bool {
        self.first || self.last
    }
}

/// The regions of one page to recognise, or why the whole page must be read instead.
#[derive(Debug, Clone, PartialEq)]
pub enum Zones {
    Regions(Vec<Rect>),
    /// The layout did not show the expected shape; the page is recognised in full.
    NotFound(&'static str),
}

/// How a page was read in zones mode, for the record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ZoneReport {
    /// The regions recognised, in pixels of the prepared raster (empty: the whole page).
    pub regions: Vec<Rect>,
    /// Share of the page's area that was recognised, 0..1.
    pub share: f32,
    /// Set when the zones could not be found and the whole page was recognised.
    pub fallback: Option<String>,
}

/// A body line spans at least this share of the text block's width.
const BODY_MIN_WIDTH: f32 = 0.62;
/// A gap between neighbouring words wider than this share of the text width splits a line
/// into columns (the agency block and the motto share a baseline but are not body text).
const COLUMN_GAP: f32 = 0.08;
/// Body paragraphs are recognised as a run of at least this many body lines; one or two wide
/// lines may be a long subject or the authority line above "Căn cứ".
const BODY_RUN: usize = 3;
/// A line is centred when it starts this far (share of the text width) from the left edge...
const CENTRED_MIN_OFFSET: f32 = 0.03;
/// ...and its left and right offsets differ by less than this.
const CENTRED_TOLERANCE: f32 = 0.04;
/// When the zones would hold more than this share of the page's lines, reading them separately
/// saves little: the page is read whole.
const MAX_SHARE: f32 = 0.8;

/// Chooses the zones of a page from its layout lines (in any order).
pub fn find_zones(lines: &[LayoutLine], width: u32, height: u32, role: PageRole) -> Zones {
    if !role.carries_metadata() {
        return Zones::Regions(Vec::new());
    }
    let lines: Vec<&LayoutLine> = {
        let mut v: Vec<&LayoutLine> = lines
            .iter()
            .filter(|l| l.bbox[2] > l.bbox[0] && l.bbox[3] > l.bbox[1])
            .collect();
        v.sort_by_key(|l| (l.bbox[1], l.bbox[0]));
        v
    };
    if lines.len() < 2 * BODY_RUN {
        return Zones::NotFound("too few text lines to tell the body from the header");
    }
    let left = lines.iter().map(|l| l.bbox[0]).min().unwrap_or(0);
    let right = lines.iter().map(|l| l.bbox[2]).max().unwrap_or(width);
    let margin = body_margin(&lines, left, right);
    let body: Vec<bool> = lines
        .iter()
        .map(|l| is_body_line(l, margin, right))
        .collect();

    let runs = body_runs(&body);
    let (Some(first_run), Some(last_run)) = (runs.first(), runs.last()) else {
        return Zones::NotFound("no body paragraph found");
    };
    let mut regions = Vec::new();
    if role.first {
        if first_run.0 == 0 {
            return Zones::NotFound("the page starts with body text: no header found");
        }
        // The first lines of the first run may still be a wide subject and the authority
        // line above "Căn cứ" (title lines are not always centred on the body's margins), so
        // the header keeps all but the run's last line; then cut halfway to the next line.
        let last_kept = first_run.0 + BODY_RUN - 2;
        let above = lines[..=last_kept]
            .iter()
            .map(|l| l.bbox[3])
            .max()
            .unwrap_or(0);
        let body_top = lines[last_kept + 1].bbox[1];
        regions.push([0, 0, width, midway(above, body_top).min(height)]);
    }
    if role.last {
        if last_run.1 == lines.len() {
            return Zones::NotFound("the page ends with body text: no signer block found");
        }
        let body_bottom = lines[last_run.0..last_run.1]
            .iter()
            .map(|l| l.bbox[3])
            .max()
            .unwrap_or(0);
        let below = lines[last_run.1..]
            .iter()
            .map(|l| l.bbox[1])
            .min()
            .unwrap_or(height);
        regions.push([0, midway(body_bottom, below), width, height]);
    }
    // Recognition costs about as much per text line, and blank paper is cheap: the saving is
    // the share of lines left out.
    let inside = lines
        .iter()
        .filter(|l| {
            let cy = (l.bbox[1] + l.bbox[3]) / 2;
            regions.iter().any(|r| (r[1]..r[3]).contains(&cy))
        })
        .count();
    if inside as f32 > MAX_SHARE * lines.len() as f32 {
        return Zones::NotFound("the zones would hold most of the page's lines");
    }
    Zones::Regions(merge_overlapping(regions))
}

/// The left edge most wide lines share: the body's margin. The recipients list often starts
/// further left, so the leftmost edge is not it.
fn body_margin(lines: &[&LayoutLine], left: u32, right: u32) -> u32 {
    let text_width = right.saturating_sub(left).max(1) as f32;
    let tolerance = (0.01 * text_width) as u32;
    let mut edges: Vec<u32> = lines
        .iter()
        .filter(|l| l.bbox[2].saturating_sub(l.bbox[0]) as f32 >= BODY_MIN_WIDTH * text_width)
        .map(|l| l.bbox[0])
        .collect();
    edges.sort_unstable();
    edges
        .iter()
        .max_by_key(|&&e| {
            let near = edges
                .iter()
                .filter(|&&o| o.abs_diff(e) <= tolerance)
                .count();
            // Among equally common edges, the leftmost.
            (near, std::cmp::Reverse(e))
        })
        .copied()
        .unwrap_or(left)
}

/// The row halfway between `a` and `b` (either order).
fn midway(a: u32, b: u32) -> u32 {
    (a.min(b) + a.max(b)) / 2
}

/// Whether a line is body text: wide, in one column, and not centred between the body's
/// margins `text_left` and `text_right`.
fn is_body_line(line: &LayoutLine, text_left: u32, text_right: u32) -> bool {
    let text_width = text_right.saturating_sub(text_left).max(1) as f32;
    let w = line.bbox[2].saturating_sub(line.bbox[0]) as f32;
    if w < BODY_MIN_WIDTH * text_width {
        return false;
    }
    // The title and a long subject are centred and can be nearly as wide as the body; body
    // lines start at the margin (or an indent) and run to the other one, ragged or justified.
    let left_off = line.bbox[0].saturating_sub(text_left) as f32 / text_width;
    let right_off = text_right.saturating_sub(line.bbox[2]) as f32 / text_width;
    if left_off > CENTRED_MIN_OFFSET && (left_off - right_off).abs() < CENTRED_TOLERANCE {
        return false;
    }
    let mut words = line.words.clone();
    words.sort_by_key(|r| r[0]);
    let widest_gap = words
        .windows(2)
        .map(|p| p[1][0].saturating_sub(p[0][2]))
        .max()
        .unwrap_or(0) as f32;
    widest_gap < COLUMN_GAP * text_width
}

/// Half-open index ranges of runs of at least [`BODY_RUN`] consecutive body lines.
fn body_runs(body: &[bool]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, &b) in body.iter().chain(std::iter::once(&false)).enumerate() {
        match (b, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s >= BODY_RUN {
                    runs.push((s, i));
                }
                start = None;
            }
            _ => {}
        }
    }
    runs
}

fn merge_overlapping(mut regions: Vec<Rect>) -> Vec<Rect> {
    regions.sort_by_key(|r| r[1]);
    let mut out: Vec<Rect> = Vec::new();
    for r in regions {
        match out.last_mut() {
            Some(last) if r[1] <= last[3] => {
                last[0] = last[0].min(r[0]);
                last[2] = last[2].max(r[2]);
                last[3] = last[3].max(r[3]);
            }
            _ => out.push(r),
        }
    }
    out
}

/// Scales layout lines found on a scaled copy of a page back to the page.
pub fn scale_lines(lines: Vec<LayoutLine>, factor: f32) -> Vec<LayoutLine> {
    let s = |r: Rect| r.map(|v| (v as f32 * factor).round() as u32);
    lines
        .into_iter()
        .map(|l| LayoutLine {
            bbox: s(l.bbox),
            words: l.words.into_iter().map(s).collect(),
        })
        .collect()
}

/// Share of the page's area covered by `regions` (which do not overlap).
pub fn area_share(regions: &[Rect], width: u32, height: u32) -> f32 {
    let page = (width as f64 * height as f64).max(1.0);
    let sum: f64 = regions
        .iter()
        .map(|r| r[2].saturating_sub(r[0]) as f64 * r[3].saturating_sub(r[1]) as f64)
        .sum();
    (sum / page) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line of `n` words spread evenly over `[x0, x1)` at row `y`.
    fn line(x0: u32, x1: u32, y: u32, n: u32) -> LayoutLine {
        let step = (x1 - x0) / n;
        let words = (0..n)
            .map(|i| [x0 + i * step, y, x0 + (i + 1) * step - 10, y + 30])
            .collect();
        LayoutLine {
            bbox: [x0, y, x1, y + 30],
            words,
        }
    }

    /// Two column blocks side by side on one baseline, as the agency block and the motto are.
    fn two_columns(y: u32) -> LayoutLine {
        let mut l = line(200, 900, y, 3);
        let r = line(1300, 2300, y, 5);
        l.bbox[2] = r.bbox[2];
        l.words.extend(r.words);
        l
    }

    /// A Decree 30 page: two-column header, centred title, body, then signer block and
    /// recipients. Page 2480 × 3508 (A4 at 300 dpi).
    fn decree_page() -> Vec<LayoutLine> {
        let mut v = vec![
            two_columns(200),
            two_columns(250),
            line(300, 800, 320, 3),
            line(1400, 2200, 320, 5),
            line(1000, 1500, 500, 2), // title
            line(800, 1700, 560, 6),  // subject
        ];
        for i in 0..12 {
            v.push(line(200, 2300, 700 + i * 50, 14));
        }
        v.push(line(200, 600, 1400, 2)); // Nơi nhận:
        v.push(line(1500, 2100, 1400, 3)); // TM. ỦY BAN NHÂN DÂN
        v.push(line(200, 700, 1450, 3));
        v.push(line(1500, 2000, 1650, 3)); // signer name
        v
    }

    #[test]
    fn first_and_last_page_of_one_sheet_gets_header_and_signer_zones() {
        let Zones::Regions(r) = find_zones(&decree_page(), 2480, 3508, PageRole::of(0, 1)) else {
            panic!("zones not found")
        };
        assert_eq!(r.len(), 2, "{r:?}");
        // The header zone holds the subject and ends within the first body lines.
        assert!(r[0][3] >= 590 && r[0][3] <= 800, "{r:?}");
        // The signer zone starts below the last body line.
        assert!(r[1][1] >= 1280 && r[1][1] <= 1400, "{r:?}");
    }

    #[test]
    fn middle_pages_need_no_zone() {
        assert_eq!(
            find_zones(&decree_page(), 2480, 3508, PageRole::of(1, 3)),
            Zones::Regions(vec![])
        );
    }

    #[test]
    fn first_page_of_several_gets_only_the_header() {
        let Zones::Regions(r) = find_zones(&decree_page(), 2480, 3508, PageRole::of(0, 3)) else {
            panic!()
        };
        assert_eq!(r.len(), 1);
        assert_eq!(r[0][1], 0);
    }

    #[test]
    fn header_columns_on_one_baseline_are_not_taken_for_body_text() {
        let l = two_columns(200);
        assert!(!is_body_line(&l, 200, 2300));
        assert!(is_body_line(&line(200, 2300, 700, 14), 200, 2300));
    }

    #[test]
    fn wide_centred_subject_line_is_not_body_text() {
        assert!(!is_body_line(&line(400, 2100, 560, 12), 200, 2300));
        assert!(is_body_line(&line(200, 2250, 560, 12), 200, 2300));
        assert!(is_body_line(&line(330, 2300, 560, 12), 200, 2300));
    }

    #[test]
    fn page_of_body_text_only_falls_back_to_full_page() {
        let lines: Vec<LayoutLine> = (0..20).map(|i| line(200, 2300, 200 + i * 50, 14)).collect();
        assert!(matches!(
            find_zones(&lines, 2480, 3508, PageRole::of(0, 2)),
            Zones::NotFound(_)
        ));
    }

    #[test]
    fn page_without_body_paragraphs_falls_back_to_full_page() {
        let lines: Vec<LayoutLine> = (0..8).map(|i| line(200, 900, 200 + i * 50, 3)).collect();
        assert!(matches!(
            find_zones(&lines, 2480, 3508, PageRole::of(0, 1)),
            Zones::NotFound(_)
        ));
    }
}
