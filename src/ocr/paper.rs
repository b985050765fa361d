//! The paper made one even gray in the raster the engine reads.
//!
//! Tesseract's LSTM reads each text line from the page's gray, not from its binarised copy,
//! and Debian's build keeps every line image it cuts as a PNG, which it encodes and decodes
//! again before reading the line (`ImageData::SetPixInternal`; upstream's
//! `TESSERACT_IMAGEDATA_AS_PIX`, which skips the round trip, is off there). On a scan, the
//! paper's grain, JPEG noise and the ink's faint halo are most of those PNGs' bytes: a profile
//! of kyso on the degraded bench put 12% of its CPU in that PNG encoding. Made one gray, the
//! paper costs next to nothing to compress.
//!
//! What counts as paper: pixels lighter than halfway from the page's Otsu threshold to white.
//! They take the paper's median gray, so the contrast the LSTM sees between ink and paper is
//! the page's own. The variants measured (degraded bench and a second degraded corpus of 60
//! documents, agency bench's scans):
//! - paper made white (255) instead: a little faster, but 11 fields fewer on the second corpus
//!   and 3 signer names fewer on the agency bench, where names lie under seals;
//! - a third of the way instead of half: 6 recipient lists fewer on the degraded bench, where
//!   the small type at the foot lost its soft edges;
//! - only the paper's grain (above its 2nd percentile): no faster; the halo is what costs.
//!
//! The raster the other stages use (marks, the readings under seals, the searchable PDF's
//! image) is not changed; only the engine's copy is.

use leptess::capi as lept;

use super::prepare::Pix;
use super::OcrError;

/// Where a page's paper starts and the gray it is given: measured once on the page as it comes
/// (before it is turned or deskewed, so that zones mode's crops are evened out as full mode's
/// page is), and applied to whatever part of it the engine reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EvenPaper {
    /// Pixels lighter than this are paper.
    level: u8,
    /// The paper's median gray, which they take.
    gray: u8,
}

impl EvenPaper {
    /// The paper of `raster`; `None` when there is nothing to even out (a colour or palette
    /// raster, a bilevel page, a blank one).
    pub(crate) fn of(raster: &Pix) -> Result<Option<EvenPaper>, OcrError> {
        let Some(histogram) = raster.gray_histogram()? else {
            return Ok(None);
        };
        let Some(threshold) = otsu(&histogram) else {
            return Ok(None);
        };
        let level = paper_level(threshold);
        let gray = median_above(&histogram, threshold);
        let changes = histogram
            .iter()
            .enumerate()
            .skip(usize::from(level) + 1)
            .any(|(g, &n)| n > 0.0 && g != usize::from(gray));
        Ok((gray > level && changes).then_some(EvenPaper { level, gray }))
    }

    /// A copy of `raster` (the page, or a part of it) with its paper evened out.
    pub(crate) fn applied_to(self, raster: &Pix) -> Result<Pix, OcrError> {
        raster.set_above(self.level, self.gray)
    }
}

/// The level above which a pixel is paper, from the page's Otsu threshold.
fn paper_level(threshold: u8) -> u8 {
    threshold + (u8::MAX - threshold) / 2
}

/// The median gray of the pixels lighter than `threshold`: the paper's.
fn median_above(histogram: &[f32], threshold: u8) -> u8 {
    let light = &histogram[usize::from(threshold) + 1..];
    let half = light.iter().map(|&n| f64::from(n)).sum::<f64>() / 2.0;
    let mut seen = 0.0;
    for (i, &n) in light.iter().enumerate() {
        seen += f64::from(n);
        if seen >= half {
            return threshold + 1 + i as u8;
        }
    }
    u8::MAX
}

/// The gray level that best splits `histogram` (256 counts) into a dark and a light class
/// (Otsu's between-class variance); the dark class is `0..=level`. `None` when the raster
/// holds a single gray level.
fn otsu(histogram: &[f32]) -> Option<u8> {
    let total: f64 = histogram.iter().map(|&n| f64::from(n)).sum();
    let sum: f64 = histogram
        .iter()
        .enumerate()
        .map(|(v, &n)| v as f64 * f64::from(n))
        .sum();
    let (mut dark, mut dark_sum) = (0.0, 0.0);
    let mut best: Option<(f64, u8)> = None;
    for (level, &n) in histogram.iter().enumerate().take(255) {
        dark += f64::from(n);
        dark_sum += level as f64 * f64::from(n);
        let light = total - dark;
        if dark == 0.0 || light == 0.0 {
            continue;
        }
        let gap = dark_sum / dark - (sum - dark_sum) / light;
        let between = dark * light * gap * gap;
        if best.is_none_or(|(b, _)| between > b) {
            best = Some((between, level as u8));
        }
    }
    best.map(|(_, level)| level)
}

impl Pix {
    /// The 256-bin histogram of an 8 bpp gray raster without a palette; `None` for others.
    fn gray_histogram(&self) -> Result<Option<Vec<f32>>, OcrError> {
        // SAFETY: reads fields of our PIX.
        let plain_gray = unsafe {
            lept::pixGetDepth(self.as_ptr()) == 8 && lept::pixGetColormap(self.as_ptr()).is_null()
        };
        if !plain_gray {
            return Ok(None);
        }
        // SAFETY: pixGetGrayHistogram returns a new NUMA of 256 counts or null; we read its
        // array through a borrowed pointer (L_NOCOPY) and destroy it before returning.
        unsafe {
            let mut numa = lept::pixGetGrayHistogram(self.as_ptr(), 1);
            if numa.is_null() {
                return Err(OcrError::Image(
                    "cannot count the page's gray levels".into(),
                ));
            }
            let n = lept::numaGetCount(numa).max(0) as usize;
            let counts = lept::numaGetFArray(numa, lept::L_NOCOPY as i32);
            let histogram = (!counts.is_null() && n == 256)
                .then(|| std::slice::from_raw_parts(counts, n).to_vec());
            lept::numaDestroy(&mut numa);
            Ok(histogram)
        }
    }

    /// A copy with every pixel lighter than `level` set to `value` (which is lighter still).
    fn set_above(&self, level: u8, value: u8) -> Result<Pix, OcrError> {
        // SAFETY: with a null destination pixThresholdToValue copies our PIX and returns the
        // copy, or null. A set value above the threshold sets the pixels >= the threshold.
        let out = unsafe {
            lept::pixThresholdToValue(
                std::ptr::null_mut(),
                self.as_ptr(),
                i32::from(level) + 1,
                i32::from(value),
            )
        };
        Pix::from_raw(out).ok_or_else(|| OcrError::Image("cannot even out the paper".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pix(img: ::image::GrayImage) -> Pix {
        Pix::from_image(&::image::DynamicImage::ImageLuma8(img), true, false).unwrap()
    }

    #[test]
    fn otsu_splits_ink_from_paper() {
        let mut histogram = vec![0.0; 256];
        histogram[30] = 100.0;
        histogram[40] = 50.0;
        histogram[200] = 800.0;
        histogram[215] = 900.0;
        let t = otsu(&histogram).unwrap();
        assert!((40..200).contains(&t), "{t}");
        assert_eq!(median_above(&histogram, t), 215);
        assert_eq!(otsu(&[0.0; 256]), None);
        let mut one = vec![0.0; 256];
        one[128] = 10.0;
        assert_eq!(otsu(&one), None, "a single level has nothing to split");
    }

    #[test]
    fn grainy_paper_takes_its_median_gray_and_ink_with_its_soft_edges_stays() {
        // Paper with grain (224-255), ink at 20, and edge pixels between them at 110 and 150.
        let img = ::image::GrayImage::from_fn(40, 20, |x, y| {
            ::image::Luma([match x {
                10..=13 => 20,
                14 => 110,
                15 => 150,
                _ => 224 + ((x * 7 + y * 13) % 32) as u8,
            }])
        });
        let raster = pix(img.clone());
        let even = EvenPaper::of(&raster).unwrap().expect("paper to even out");
        let got = even.applied_to(&raster).unwrap().gray_samples().unwrap();
        let paper = got[0];
        assert!((235..=245).contains(&paper), "the grain's median: {paper}");
        for (i, (&before, &after)) in img.as_raw().iter().zip(&got).enumerate() {
            let expected = if before >= 224 { paper } else { before };
            assert_eq!(after, expected, "pixel {i}: {before}");
        }
    }

    #[test]
    fn a_bilevel_blank_or_already_even_page_is_left_as_it_is() {
        let ink = |paper: u8| {
            ::image::GrayImage::from_fn(16, 8, move |x, _| {
                ::image::Luma([if x < 4 { 0 } else { paper }])
            })
        };
        assert!(EvenPaper::of(&pix(ink(255))).unwrap().is_none(), "bilevel");
        assert!(
            EvenPaper::of(&pix(ink(235))).unwrap().is_none(),
            "ink on even paper"
        );
        let blank = ::image::GrayImage::from_pixel(16, 8, ::image::Luma([240]));
        assert!(EvenPaper::of(&pix(blank)).unwrap().is_none(), "blank");
    }
}
