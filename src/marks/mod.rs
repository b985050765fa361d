//! Marks on scanned pages: red seals (dấu đỏ) and handwritten signatures, found by colour and
//! shape on the page raster.
//!
//! Why colour first: on a Vietnamese administrative scan the seal is the only red ink and the
//! signature is usually the only blue ink, so a colour mask separates them from the black text
//! far more reliably than shape alone. The price is that a grayscale or bilevel scan tells us
//! nothing: there the detector says "colour not available" instead of guessing from shapes that
//! look like printed text.
//!
//! Steps, all at the page's own resolution (millimetres, so thresholds do not depend on DPI):
//! 1. classify every pixel as red ink, blue ink or neither (HSV-like rules on RGB);
//! 2. pool pixels into ~1 mm cells and join cells within a few millimetres (seal lettering and
//!    pen strokes are broken by small gaps) into connected groups;
//! 3. keep red groups that are round (seal sizes 20–60 mm, near-square box, ink inside the
//!    inscribed ellipse, an outer ring) and blue groups shaped like a signature (wider than a
//!    text line, low ink density).

use std::path::Path;

use image::{DynamicImage, GenericImageView, RgbImage};
use serde::{Deserialize, Serialize};

use crate::output::write_atomic;

mod ring;

const MM_PER_INCH: f64 = 25.4;
/// Long side of A4 in inches: used to estimate a page's DPI when the file gives none.
const A4_LONG_IN: f64 = 297.0 / MM_PER_INCH;

/// What kind of mark was found.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MarkKind {
    Seal,
    HandwrittenSignature,
}

impl MarkKind {
    /// The evidence kind and file-name stem for this mark.
    pub fn name(self) -> &'static str {
        match self {
            MarkKind::Seal => "seal",
            MarkKind::HandwrittenSignature => "handwritten_signature",
        }
    }
}

/// One mark found on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub kind: MarkKind,
    /// `[x0, y0, x1, y1]` in pixels of the stored raster, origin top-left, x1/y1 exclusive.
    pub bbox: [u32; 4],
    /// What was measured, in words an inspector can check.
    pub detail: String,
}

/// The outcome of looking for marks on one page.
#[derive(Debug, Clone, PartialEq)]
pub enum PageMarks {
    /// The page was examined; these marks were found (possibly none).
    Checked(Vec<Mark>),
    /// The page could not be examined for colour marks, and why.
    ColourNotAvailable(String),
    /// A gray or bilevel page: round seals were looked for by shape (these were found,
    /// possibly none); hand signatures could not be told from text, and why.
    SealsByShape { seals: Vec<Mark>, why: String },
    /// The page raster could not be decoded, and why.
    NotChecked(String),
}

/// Writes a cropped PNG of each mark to `out/evidence/<doc_id>-p<N>-<kind><k>.png` (N and k
/// from 1, k counting per kind on the page). Names come from the document id, never from the
/// input's name. A crop that cannot be written is skipped: evidence images are a convenience,
/// the record's bbox is the fact.
pub fn write_crops(
    out: &Path,
    doc_id: &str,
    page_index: u32,
    image: &DynamicImage,
    marks: &[Mark],
) {
    if marks.is_empty() {
        return;
    }
    let dir = out.join("evidence");
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    for (k, m) in numbered(marks) {
        let [x0, y0, x1, y1] = m.bbox;
        let crop = image.crop_imm(x0, y0, x1.saturating_sub(x0), y1.saturating_sub(y0));
        let mut png = Vec::new();
        if crop
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .is_ok()
        {
            let path = out.join(crop_name(doc_id, page_index, m.kind, k));
            let _ = write_atomic(&path, &png);
        }
    }
}

/// Each mark with its number among the page's marks of its kind (seal 1, seal 2, signature
/// 1, ...), as crop names and evidence count them.
pub fn numbered(marks: &[Mark]) -> impl Iterator<Item = (usize, &Mark)> {
    let (mut seals, mut signs) = (0, 0);
    marks.iter().map(move |m| {
        let counter = match m.kind {
            MarkKind::Seal => &mut seals,
            MarkKind::HandwrittenSignature => &mut signs,
        };
        *counter += 1;
        (*counter, m)
    })
}

/// The file name [`write_crops`] gives a mark, for the evidence's detail.
pub fn crop_name(doc_id: &str, page_index: u32, kind: MarkKind, k: usize) -> String {
    let stem = match kind {
        MarkKind::Seal => "seal",
        MarkKind::HandwrittenSignature => "signature",
    };
    format!("evidence/{doc_id}-p{}-{stem}{k}.png", page_index + 1)
}

/// Looks for red seals and blue-ink handwritten signatures on a page raster. `dpi` is the
/// raster's resolution when known; otherwise it is estimated as if the page were A4.
pub fn detect(image: &DynamicImage, dpi: Option<f64>) -> PageMarks {
    let (w, h) = image.dimensions();
    if w == 0 || h == 0 {
        return PageMarks::Checked(Vec::new());
    }
    let (dpi, dpi_note) = match dpi.filter(|d| d.is_finite() && *d >= 50.0 && *d <= 2400.0) {
        Some(d) => (d, ""),
        None => (
            f64::from(w.max(h)) / A4_LONG_IN,
            ", DPI estimated from an A4 page",
        ),
    };
    let px_per_mm = dpi / MM_PER_INCH;
    let rgb = match image {
        DynamicImage::ImageLuma8(g) if is_bilevel(g) => return PageMarks::SealsByShape {
            seals: ring::find_seals(g, px_per_mm, true, dpi_note),
            why:
                "bilevel (black and white) raster: ink colour cannot be told apart from black text"
                    .into(),
        },
        DynamicImage::ImageLuma8(g) => {
            return PageMarks::SealsByShape {
                seals: ring::find_seals(g, px_per_mm, false, dpi_note),
                why: "grayscale raster: ink colour cannot be told apart from black text".into(),
            }
        }
        DynamicImage::ImageLumaA8(_)
        | DynamicImage::ImageLuma16(_)
        | DynamicImage::ImageLumaA16(_) => {
            return PageMarks::SealsByShape {
                seals: ring::find_seals(&image.to_luma8(), px_per_mm, false, dpi_note),
                why: "grayscale raster: ink colour cannot be told apart from black text".into(),
            }
        }
        DynamicImage::ImageRgb8(rgb) => std::borrow::Cow::Borrowed(rgb),
        other => std::borrow::Cow::Owned(other.to_rgb8()),
    };
    PageMarks::Checked(find_marks(&rgb, dpi, dpi_note))
}

/// A grayscale raster whose every sample is black or white (a CCITT or JBIG2 scan decoded to
/// 8 bits).
fn is_bilevel(g: &image::GrayImage) -> bool {
    g.as_raw().iter().all(|&v| v == 0 || v == 255)
}

/// Ink classes of a pixel.
const NONE: u8 = 0;
const RED: u8 = 1;
const BLUE: u8 = 2;

fn classify(r: u8, g: u8, b: u8) -> u8 {
    let (r, g, b) = (i32::from(r), i32::from(g), i32::from(b));
    // Red seal ink: hue near 0°, clearly saturated. Thresholds leave room for faded ink
    // (the ink of a real seal is uneven) while paper tone and JPEG chroma noise stay below.
    if r >= 90 && r - g >= 45 && r - b >= 35 {
        return RED;
    }
    // Blue pen: hue near 240°, darker than paper. Also catches blue ink under the red seal
    // (which darkens it but keeps blue above red).
    if b - r >= 22 && b - g >= 12 && b < 225 {
        return BLUE;
    }
    NONE
}

/// Per-cell statistics of one ink class.
#[derive(Clone, Copy)]
struct Cell {
    count: u32,
    x0: u32,
    y0: u32,
    x1: u32,
    y1: u32,
}

impl Default for Cell {
    fn default() -> Self {
        Cell {
            count: 0,
            x0: u32::MAX,
            y0: u32::MAX,
            x1: 0,
            y1: 0,
        }
    }
}

/// A connected group of ink cells.
struct Group {
    pixels: u64,
    bbox: [u32; 4],
}

fn find_marks(rgb: &RgbImage, dpi: f64, dpi_note: &str) -> Vec<Mark> {
    let (w, h) = rgb.dimensions();
    let px_per_mm = dpi / MM_PER_INCH;
    let cell = (px_per_mm.round() as u32).max(2);
    let (cw, ch) = (w.div_ceil(cell), h.div_ceil(cell));
    let mut mask = vec![NONE; (w as usize) * (h as usize)];
    let mut red_cells = vec![Cell::default(); (cw * ch) as usize];
    let mut blue_cells = vec![Cell::default(); (cw * ch) as usize];
    for (x, y, p) in rgb.enumerate_pixels() {
        let class = classify(p[0], p[1], p[2]);
        if class == NONE {
            continue;
        }
        mask[(y as usize) * (w as usize) + x as usize] = class;
        let cells = if class == RED {
            &mut red_cells
        } else {
            &mut blue_cells
        };
        let c = &mut cells[((y / cell) * cw + x / cell) as usize];
        c.count += 1;
        c.x0 = c.x0.min(x);
        c.y0 = c.y0.min(y);
        c.x1 = c.x1.max(x + 1);
        c.y1 = c.y1.max(y + 1);
    }
    // A cell counts when a few percent of it is ink: isolated noise pixels do not join groups.
    let min_in_cell = (cell * cell / 25).max(2);
    let mut marks = Vec::new();
    let mm = |px: u32| f64::from(px) / px_per_mm;
    for g in groups(&red_cells, cw, ch, min_in_cell, 3) {
        if let Some(detail) = seal_shape(&g, &mask, w, RED, px_per_mm) {
            marks.push(Mark {
                kind: MarkKind::Seal,
                bbox: g.bbox,
                detail: format!("{detail}{dpi_note}"),
            });
        }
    }
    for g in groups(&blue_cells, cw, ch, min_in_cell, 3) {
        let (bw, bh) = (mm(g.bbox[2] - g.bbox[0]), mm(g.bbox[3] - g.bbox[1]));
        let density =
            g.pixels as f64 / (f64::from(g.bbox[2] - g.bbox[0]) * f64::from(g.bbox[3] - g.bbox[1]));
        // A signature: wider than tall, taller than a line of text (blue typed text stays under
        // ~6 mm per line), not a filled block, and enough ink to be more than a tick.
        let ink_mm2 = g.pixels as f64 / (px_per_mm * px_per_mm);
        if (15.0..=150.0).contains(&bw)
            && (6.0..=70.0).contains(&bh)
            && bw >= 0.8 * bh
            && density <= 0.35
            && ink_mm2 >= 25.0
        {
            marks.push(Mark {
                kind: MarkKind::HandwrittenSignature,
                bbox: g.bbox,
                detail: format!(
                    "blue-ink strokes {bw:.0} × {bh:.0} mm, {:.0}% of the box inked (pen strokes, not a text line or a filled shape){dpi_note}",
                    density * 100.0
                ),
            });
        }
    }
    marks.sort_by_key(|m| (m.bbox[1], m.bbox[0]));
    marks
}

/// Groups cells with at least `min_count` ink pixels, joining cells up to `reach` cells apart.
fn groups(cells: &[Cell], cw: u32, ch: u32, min_count: u32, reach: u32) -> Vec<Group> {
    let on = |i: usize| cells[i].count >= min_count;
    let mut parent: Vec<usize> = (0..cells.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let reach = reach as i64;
    for y in 0..ch as i64 {
        for x in 0..cw as i64 {
            let i = (y * cw as i64 + x) as usize;
            if !on(i) {
                continue;
            }
            // Forward half of the window: every pair is visited once.
            for dy in 0..=reach {
                for dx in -reach..=reach {
                    if dy == 0 && dx <= 0 {
                        continue;
                    }
                    let (nx, ny) = (x + dx, y + dy);
                    if nx < 0 || nx >= cw as i64 || ny >= ch as i64 {
                        continue;
                    }
                    let j = (ny * cw as i64 + nx) as usize;
                    if on(j) {
                        let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                        if a != b {
                            parent[a.max(b)] = a.min(b);
                        }
                    }
                }
            }
        }
    }
    let mut by_root: std::collections::BTreeMap<usize, Group> = Default::default();
    for (i, c) in cells.iter().enumerate() {
        if c.count < min_count {
            continue;
        }
        let r = root(&mut parent, i);
        let g = by_root.entry(r).or_insert(Group {
            pixels: 0,
            bbox: [u32::MAX, u32::MAX, 0, 0],
        });
        g.pixels += u64::from(c.count);
        g.bbox = [
            g.bbox[0].min(c.x0),
            g.bbox[1].min(c.y0),
            g.bbox[2].max(c.x1),
            g.bbox[3].max(c.y1),
        ];
    }
    by_root.into_values().collect()
}

/// Whether a red group is shaped like a round seal; the measurements that say so.
fn seal_shape(g: &Group, mask: &[u8], w: u32, class: u8, px_per_mm: f64) -> Option<String> {
    let [x0, y0, x1, y1] = g.bbox;
    let (bw, bh) = (f64::from(x1 - x0), f64::from(y1 - y0));
    let (wmm, hmm) = (bw / px_per_mm, bh / px_per_mm);
    // Vietnamese round seals are 35–42 mm; allow for shrinkage, faint edges and larger seals.
    if !(20.0..=60.0).contains(&wmm) || !(20.0..=60.0).contains(&hmm) {
        return None;
    }
    let aspect = wmm / hmm;
    if !(0.75..=1.33).contains(&aspect) {
        return None;
    }
    let (cx, cy) = (
        (f64::from(x0) + f64::from(x1)) / 2.0,
        (f64::from(y0) + f64::from(y1)) / 2.0,
    );
    let (a, b) = (bw / 2.0, bh / 2.0);
    let (mut total, mut outside, mut ring) = (0u64, 0u64, 0u64);
    for y in y0..y1 {
        let row = (y as usize) * (w as usize);
        let dy = (f64::from(y) + 0.5 - cy) / b;
        for x in x0..x1 {
            if mask[row + x as usize] != class {
                continue;
            }
            let dx = (f64::from(x) + 0.5 - cx) / a;
            let r = (dx * dx + dy * dy).sqrt();
            total += 1;
            if r > 1.08 {
                outside += 1;
            } else if r >= 0.82 {
                ring += 1;
            }
        }
    }
    if total == 0 {
        return None;
    }
    let outside_share = outside as f64 / total as f64;
    let ring_share = ring as f64 / total as f64;
    // A round seal has its ink inside the ellipse its box inscribes (a rectangular stamp or a
    // block of red text fills the corners) and a continuous outer rim.
    if outside_share > 0.06 || ring_share < 0.15 {
        return None;
    }
    Some(format!(
        "round red seal {wmm:.0} × {hmm:.0} mm: {:.0}% of its red ink on the outer rim, {:.1}% outside the inscribed ellipse",
        ring_share * 100.0,
        outside_share * 100.0
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GrayImage, Rgb};

    fn paper(w: u32, h: u32) -> RgbImage {
        RgbImage::from_pixel(w, h, Rgb([247, 244, 236]))
    }

    #[test]
    fn a_red_ring_is_a_seal_and_a_red_square_is_not() {
        // 200 dpi: 40 mm ≈ 315 px.
        let mut img = paper(1000, 800);
        let (cx, cy, r) = (300.0f64, 400.0f64, 157.0f64);
        for y in 0..800u32 {
            for x in 0..1000u32 {
                let d = ((f64::from(x) - cx).powi(2) + (f64::from(y) - cy).powi(2)).sqrt();
                if (r - 9.0..=r).contains(&d) || d < 40.0 {
                    img.put_pixel(x, y, Rgb([214, 60, 66]));
                }
                if (650..950).contains(&x) && (250..550).contains(&y) {
                    img.put_pixel(x, y, Rgb([214, 60, 66]));
                }
            }
        }
        let PageMarks::Checked(marks) = detect(&DynamicImage::ImageRgb8(img), Some(200.0)) else {
            panic!("colour page must be checked");
        };
        assert_eq!(marks.len(), 1, "{marks:?}");
        assert_eq!(marks[0].kind, MarkKind::Seal);
        let [x0, y0, x1, y1] = marks[0].bbox;
        assert!(
            x0.abs_diff(143) <= 2 && x1.abs_diff(457) <= 2,
            "{:?}",
            marks[0].bbox
        );
        assert!(
            y0.abs_diff(243) <= 2 && y1.abs_diff(557) <= 2,
            "{:?}",
            marks[0].bbox
        );
    }

    #[test]
    fn grayscale_and_bilevel_pages_are_looked_at_for_seals_only() {
        let gray = GrayImage::from_pixel(100, 100, image::Luma([200]));
        let bw = GrayImage::from_fn(100, 100, |x, _| {
            image::Luma([if x % 2 == 0 { 0 } else { 255 }])
        });
        for (img, word) in [(gray, "grayscale"), (bw, "bilevel")] {
            match detect(&DynamicImage::ImageLuma8(img), Some(300.0)) {
                PageMarks::SealsByShape { seals, why } => {
                    assert!(why.contains(word), "{why}");
                    assert!(seals.is_empty());
                }
                other => panic!("expected seals by shape, got {other:?}"),
            }
        }
    }

    #[test]
    fn an_empty_raster_has_no_marks() {
        let img = DynamicImage::ImageRgb8(RgbImage::new(0, 0));
        assert_eq!(detect(&img, None), PageMarks::Checked(Vec::new()));
    }
}
