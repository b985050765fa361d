//! Round seals on gray and bilevel pages, found by shape.
//!
//! Without colour a seal is gray (a red seal scanned in gray) or black (bilevel), like the
//! text. What still tells it apart is its shape: a thin outer rim, a circle 20–60 mm across,
//! with a ring of lettering inside it and an emblem or star in the middle, and paper outside
//! the rim. Text lines, tables and signatures do not draw closed circles.
//!
//! Steps, in millimetres so that nothing depends on the DPI:
//! 1. ink per half-millimetre cell (pixels darker than the paper by a fifth of its level, or
//!    black on a bilevel page); a cell is inked when a fifth of it is;
//! 2. a coarse search of circles on millimetre cells (centres every 2 mm, radii 10–30 mm every
//!    millimetre): the share of 32 points on the circle that fall on inked cells, less the
//!    share 2.5 mm outside it;
//! 3. around the best candidates, a fine search every half millimetre, then the shape's
//!    evidence: the rim's coverage, the paper just outside it, lettering in the band inside it
//!    and ink in the middle. The confidence is the rim's coverage less the outside's.
//!
//! A seal found this way is evidence only, like a red one: it never changes a verdict.

use image::GrayImage;

use super::{Mark, MarkKind};

const SAMPLES: usize = 96;
/// Lowest confidence reported (rim coverage less the coverage just outside the rim).
const MIN_CONFIDENCE: f64 = 0.45;

struct Grid {
    w: usize,
    h: usize,
    on: Vec<bool>,
    /// Cells per millimetre.
    per_mm: f64,
    /// Pixels per cell.
    cell: f64,
}

impl Grid {
    fn new(gray: &GrayImage, px_per_mm: f64, bilevel: bool) -> Grid {
        let cell = (px_per_mm / 2.0).max(1.0);
        let c = cell.round().max(1.0) as u32;
        let (iw, ih) = gray.dimensions();
        let (w, h) = (iw.div_ceil(c) as usize, ih.div_ceil(c) as usize);
        let threshold = if bilevel {
            128u8
        } else {
            // The paper: the 90th percentile of the page's gray levels.
            let mut hist = [0u64; 256];
            for p in gray.as_raw() {
                hist[*p as usize] += 1;
            }
            let total: u64 = hist.iter().sum();
            let (mut seen, mut paper) = (0u64, 255usize);
            for (v, n) in hist.iter().enumerate() {
                seen += n;
                if seen * 10 >= total * 9 {
                    paper = v;
                    break;
                }
            }
            (paper as f64 * 0.8) as u8
        };
        let mut dark = vec![0u32; w * h];
        let c = c as usize;
        for (y, row) in gray.as_raw().chunks_exact(iw.max(1) as usize).enumerate() {
            let cells = &mut dark[(y / c) * w..(y / c + 1) * w];
            for (cell, px) in cells.iter_mut().zip(row.chunks(c)) {
                *cell += px.iter().filter(|&&p| p < threshold).count() as u32;
            }
        }
        let c = c as u32;
        let need = (c * c / 5).max(1);
        Grid {
            w,
            h,
            on: dark.iter().map(|&d| d >= need).collect(),
            per_mm: px_per_mm / f64::from(c),
            cell: f64::from(c),
        }
    }

    /// The same page in cells twice as large, a cell inked when any of its four is.
    fn halved(&self) -> Grid {
        let (w, h) = (self.w.div_ceil(2), self.h.div_ceil(2));
        let mut on = vec![false; w * h];
        for y in 0..self.h {
            for x in 0..self.w {
                if self.on[y * self.w + x] {
                    on[(y / 2) * w + x / 2] = true;
                }
            }
        }
        Grid {
            w,
            h,
            on,
            per_mm: self.per_mm / 2.0,
            cell: self.cell * 2.0,
        }
    }

    fn at(&self, x: f64, y: f64) -> bool {
        if x < 0.0 || y < 0.0 {
            return false;
        }
        let (x, y) = (x as usize, y as usize);
        x < self.w && y < self.h && self.on[y * self.w + x]
    }

    /// The share of points of the circle (centre and radius in cells) on inked cells.
    fn coverage(&self, cx: f64, cy: f64, r: f64, table: &[(f64, f64)]) -> f64 {
        let hits = table
            .iter()
            .filter(|(c, s)| self.at(cx + r * c, cy + r * s))
            .count();
        hits as f64 / table.len() as f64
    }

    /// How many points of the circle fall on inked cells, if more than `beat` ([`count_over`]).
    fn hits_over(
        &self,
        cx: f64,
        cy: f64,
        r: f64,
        table: &[(f64, f64)],
        beat: usize,
    ) -> Option<usize> {
        count_over(
            table.iter().map(|(c, s)| self.at(cx + r * c, cy + r * s)),
            beat,
        )
    }

    /// The share of inked cells in the annulus `r0..r1` (cells) around the centre.
    fn fill(&self, cx: f64, cy: f64, r0: f64, r1: f64) -> f64 {
        let (mut on, mut all) = (0u32, 0u32);
        let (x0, x1) = (
            (cx - r1).floor().max(0.0) as usize,
            (cx + r1).ceil() as usize,
        );
        let (y0, y1) = (
            (cy - r1).floor().max(0.0) as usize,
            (cy + r1).ceil() as usize,
        );
        for y in y0..y1.min(self.h) {
            for x in x0..x1.min(self.w) {
                let d = ((x as f64 + 0.5 - cx).powi(2) + (y as f64 + 0.5 - cy).powi(2)).sqrt();
                if (r0..r1).contains(&d) {
                    all += 1;
                    on += u32::from(self.on[y * self.w + x]);
                }
            }
        }
        if all == 0 {
            0.0
        } else {
            f64::from(on) / f64::from(all)
        }
    }
}

/// A grid with a margin of empty cells around it, wide enough for every circle of the coarse
/// search: a circle's points are then its centre's index plus fixed offsets, with no bounds to
/// check. The coarse search tries some 270,000 circles a page, and working out each point's
/// cell in floating point was most of the seal search's time.
struct Padded {
    /// The grid's size in cells, and its cells per millimetre.
    w: usize,
    h: usize,
    per_mm: f64,
    on: Vec<bool>,
    stride: usize,
    margin: usize,
}

impl Padded {
    fn new(grid: &Grid, margin: usize) -> Padded {
        let stride = grid.w + 2 * margin;
        let mut on = vec![false; stride * (grid.h + 2 * margin)];
        for (y, row) in grid.on.chunks_exact(grid.w.max(1)).enumerate() {
            let at = (y + margin) * stride + margin;
            on[at..at + grid.w].copy_from_slice(row);
        }
        Padded {
            w: grid.w,
            h: grid.h,
            per_mm: grid.per_mm,
            on,
            stride,
            margin,
        }
    }

    /// The index of cell (x, y) of the grid.
    fn index(&self, x: usize, y: usize) -> usize {
        (y + self.margin) * self.stride + x + self.margin
    }

    /// The offsets of the points of a circle of radius `r` (cells) around a cell's middle.
    fn ring(&self, r: f64, table: &[(f64, f64)]) -> Vec<isize> {
        table
            .iter()
            .map(|(c, s)| {
                let (dx, dy) = (
                    (0.5 + r * c).floor() as isize,
                    (0.5 + r * s).floor() as isize,
                );
                dy * self.stride as isize + dx
            })
            .collect()
    }

    fn hits(&self, centre: usize, ring: &[isize]) -> usize {
        ring.iter()
            .filter(|&&d| self.on[centre.wrapping_add_signed(d)])
            .count()
    }

    /// [`Grid::hits_over`] for a circle given by its centre's index and its ring's offsets.
    fn hits_over(&self, centre: usize, ring: &[isize], beat: usize) -> Option<usize> {
        count_over(
            ring.iter().map(|&d| self.on[centre.wrapping_add_signed(d)]),
            beat,
        )
    }
}

/// How many of a circle's points are inked, if more than `beat`: the count stops as soon as
/// the points left cannot lift it past `beat`. The searches try some 300,000 circles a page,
/// nearly all on text, and this is most of their time.
fn count_over(points: impl ExactSizeIterator<Item = bool>, beat: usize) -> Option<usize> {
    let len = points.len();
    let mut hits = 0;
    for (i, inked) in points.enumerate() {
        if hits + (len - i) <= beat {
            return None;
        }
        hits += usize::from(inked);
    }
    (hits > beat).then_some(hits)
}

/// The best circle of a fine search so far: its count of inked points and its offset from the
/// coarse circle, in half-cells (centre x, centre y, radius).
#[derive(Default)]
struct Fine {
    hits: usize,
    at: (i32, i32, i32),
    tried: bool,
}

impl Fine {
    fn circle(&self, (cx0, cy0, r0): (f64, f64, f64)) -> (f64, f64, f64) {
        let (dx, dy, dr) = self.at;
        (
            cx0 + f64::from(dx) * 0.5,
            cy0 + f64::from(dy) * 0.5,
            r0 + f64::from(dr) * 0.5,
        )
    }

    /// Keeps the circle at offset `at` if it beats the best so far (the first one tried is kept
    /// whatever its count, as a starting point).
    fn try_circle(
        &mut self,
        grid: &Grid,
        table: &[(f64, f64)],
        coarse: (f64, f64, f64),
        at: (i32, i32, i32),
    ) {
        let candidate = Fine {
            hits: 0,
            at,
            tried: true,
        };
        let (cx, cy, r) = candidate.circle(coarse);
        let beat = if self.tried { self.hits } else { 0 };
        if let Some(hits) = grid.hits_over(cx, cy, r, table, beat) {
            *self = Fine { hits, ..candidate };
        } else if !self.tried {
            *self = candidate;
        }
    }
}

struct Found {
    cx: f64,
    cy: f64,
    r: f64,
    rim: f64,
    outside: f64,
    lettering: f64,
    middle: f64,
}

impl Found {
    fn confidence(&self) -> f64 {
        self.rim - self.outside
    }
}

/// Round seals on a gray or bilevel page; each mark's detail gives its measurements and
/// confidence.
pub(super) fn find_seals(gray: &GrayImage, px_per_mm: f64, bilevel: bool, note: &str) -> Vec<Mark> {
    let grid = Grid::new(gray, px_per_mm, bilevel);
    let table: Vec<(f64, f64)> = (0..SAMPLES)
        .map(|i| {
            let a = i as f64 * std::f64::consts::TAU / SAMPLES as f64;
            (a.cos(), a.sin())
        })
        .collect();
    let coarse_table: Vec<(f64, f64)> = table.iter().step_by(3).copied().collect();
    let need = (0.6 * coarse_table.len() as f64).ceil() as usize;
    let mm = grid.per_mm;
    // Coarse, on millimetre cells: centres every 2 mm, radii 10–30 mm every millimetre; a
    // candidate is a well-inked circle with less ink 2.5 mm outside it.
    let big = Padded::new(
        &grid.halved(),
        (32.5 * grid.per_mm / 2.0).ceil() as usize + 2,
    );
    let bmm = big.per_mm;
    let rings: Vec<(f64, Vec<isize>, Vec<isize>)> = (10..=30)
        .map(|r_mm| {
            let r = f64::from(r_mm) * bmm;
            (
                r,
                big.ring(r, &coarse_table),
                big.ring(r + 2.5 * bmm, &coarse_table),
            )
        })
        .collect();
    let mut coarse: Vec<(f64, f64, f64, f64)> = Vec::new();
    let mut cy = 10.0 * bmm;
    while cy < big.h as f64 - 10.0 * bmm {
        let mut cx = 10.0 * bmm;
        while cx < big.w as f64 - 10.0 * bmm {
            let centre = big.index(cx as usize, cy as usize);
            let mut best = (0.0, 0.0);
            for (r, ring, outside) in &rings {
                // At least 60% of the points inked.
                let Some(hits) = big.hits_over(centre, ring, need - 1) else {
                    continue;
                };
                let n = coarse_table.len() as f64;
                let score = (hits as f64 - big.hits(centre, outside) as f64) / n;
                if score > best.0 {
                    best = (score, *r);
                }
            }
            if best.0 >= 0.3 {
                // Back to half-millimetre cells; the circles were centred on the cell's middle.
                let (x, y) = ((cx as usize) as f64 + 0.5, (cy as usize) as f64 + 0.5);
                coarse.push((best.0, x * 2.0, y * 2.0, best.1 * 2.0));
            }
            cx += 2.0 * bmm;
        }
        cy += 2.0 * bmm;
    }
    coarse.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut found: Vec<Found> = Vec::new();
    for &(_, cx0, cy0, r0) in coarse.iter().take(40) {
        if found
            .iter()
            .any(|f| (f.cx - cx0).hypot(f.cy - cy0) < f.r + r0)
        {
            continue;
        }
        // Fine: within 1.5 mm (centre; the coarse centres are 2 mm apart) and 1 mm (radius) of
        // the coarse circle, first in whole-cell steps, then in half-cell steps around the best
        // of those. A rim is about two cells wide, so the whole-cell pass cannot step over it,
        // and it tries a sixth of the circles of a half-cell search of the whole window.
        let span = 2 * (1.5 * mm).ceil() as i32;
        let rspan = 2 * mm.ceil() as i32;
        let mut best = Fine::default();
        for dy in (-span..=span).step_by(2) {
            for dx in (-span..=span).step_by(2) {
                for dr in (-rspan..=rspan).step_by(2) {
                    best.try_circle(&grid, &table, (cx0, cy0, r0), (dx, dy, dr));
                }
            }
        }
        let (bx, by, br) = best.at;
        for dy in by - 1..=by + 1 {
            for dx in bx - 1..=bx + 1 {
                for dr in br - 1..=br + 1 {
                    if (dx - bx) % 2 != 0 || (dy - by) % 2 != 0 || (dr - br) % 2 != 0 {
                        best.try_circle(&grid, &table, (cx0, cy0, r0), (dx, dy, dr));
                    }
                }
            }
        }
        let (hits, (cx, cy, r)) = (best.hits, best.circle((cx0, cy0, r0)));
        let rim = hits as f64 / table.len() as f64;
        // The paper just outside the rim: the worst of three circles 1.5 to 3 mm out.
        let outside = [1.5, 2.25, 3.0]
            .iter()
            .map(|d| grid.coverage(cx, cy, r + d * mm, &table))
            .fold(0.0, f64::max);
        let f = Found {
            cx,
            cy,
            r,
            rim,
            outside,
            lettering: grid.fill(cx, cy, 0.6 * r, 0.9 * r),
            middle: grid.fill(cx, cy, 0.0, 0.35 * r),
        };
        let round = f.confidence() >= MIN_CONFIDENCE
            && (0.08..=0.75).contains(&f.lettering)
            && f.middle >= 0.05;
        if round {
            found.push(f);
        }
    }
    let (iw, ih) = gray.dimensions();
    found
        .iter()
        .map(|f| {
            let px = |v: f64| (v * grid.cell).round().max(0.0) as u32;
            let half = f.r + 0.5;
            let d_mm = 2.0 * f.r / mm;
            Mark {
                kind: MarkKind::Seal,
                bbox: [
                    px(f.cx - half),
                    px(f.cy - half),
                    px(f.cx + half).min(iw),
                    px(f.cy + half).min(ih),
                ],
                detail: format!(
                    "round seal {d_mm:.0} mm across, found by shape on a {} page (confidence {:.2}): \
                     {:.0}% of its rim inked, {:.0}% just outside it, lettering on {:.0}% of the band \
                     inside the rim, ink on {:.0}% of its middle{note}",
                    if bilevel { "bilevel" } else { "gray" },
                    f.confidence(),
                    f.rim * 100.0,
                    f.outside * 100.0,
                    f.lettering * 100.0,
                    f.middle * 100.0,
                ),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    /// A 200 dpi gray page with a seal drawn as the fixture generator draws one (outer rim,
    /// inner ring, lettering between them, a star in the middle) and lines of text.
    fn page(with_seal: bool, seal_ink: u8) -> GrayImage {
        let (w, h) = (1654u32, 2339u32);
        let mut img = GrayImage::from_pixel(w, h, Luma([238]));
        let px_mm = 200.0 / 25.4;
        // Text lines: 3 mm tall rows of 2 mm letters with gaps.
        for row in 0..40u32 {
            let y0 = 200 + row * 50;
            for x in 150..1500u32 {
                if (x / 14) % 5 == 4 {
                    continue;
                }
                for y in y0..y0 + 18 {
                    if (x + y) % 3 == 0 {
                        img.put_pixel(x, y, Luma([40]));
                    }
                }
            }
        }
        if with_seal {
            let (cx, cy) = (1000.0f64, 1900.0f64);
            let r = 20.0 * px_mm;
            for y in 1700..2100u32 {
                for x in 800..1200u32 {
                    let (dx, dy) = (f64::from(x) - cx, f64::from(y) - cy);
                    let d = dx.hypot(dy);
                    let a = dy.atan2(dx);
                    let rim = (r - 1.1 * px_mm..=r).contains(&d);
                    let inner = (0.63 * r..=0.63 * r + 0.5 * px_mm).contains(&d);
                    let letters = (0.7 * r..0.9 * r).contains(&d) && (a * 12.0).sin() > 0.3;
                    let star = d < 0.3 * r && (a * 2.5).cos() > -0.2;
                    if rim || inner || letters || star {
                        img.put_pixel(x, y, Luma([seal_ink]));
                    }
                }
            }
        }
        img
    }

    #[test]
    fn a_gray_seal_is_found_by_shape_and_text_is_not_a_seal() {
        let px_mm = 200.0 / 25.4;
        let seals = find_seals(&page(true, 130), px_mm, false, "");
        assert_eq!(seals.len(), 1, "{seals:?}");
        let [x0, y0, x1, y1] = seals[0].bbox;
        let r = 20.0 * px_mm;
        assert!(
            (f64::from(x0) - (1000.0 - r)).abs() < 10.0
                && (f64::from(y1) - (1900.0 + r)).abs() < 10.0,
            "{:?}",
            seals[0].bbox
        );
        assert!(y0 < 1900 && x1 > 1000);
        assert!(
            seals[0].detail.contains("confidence"),
            "{}",
            seals[0].detail
        );
        assert!(find_seals(&page(false, 130), px_mm, false, "").is_empty());
    }

    #[test]
    fn a_bilevel_seal_is_found_too() {
        let px_mm = 200.0 / 25.4;
        let img = page(true, 0);
        let bw = GrayImage::from_fn(img.width(), img.height(), |x, y| {
            Luma([if img.get_pixel(x, y)[0] < 128 { 0 } else { 255 }])
        });
        assert_eq!(find_seals(&bw, px_mm, true, "").len(), 1);
    }
}
