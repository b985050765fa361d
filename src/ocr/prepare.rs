//! Page preparation before recognition: grayscale, resolution, orientation and skew.
//!
//! The heavy pixel work runs in Leptonica (C, fast even in debug builds) on a `PIX` we own.
//! Which steps are on by default follows the CER measurements in `docs/ocr.md`.

use std::borrow::Cow;
use std::io::Write;
use std::os::raw::c_void;
use std::time::Instant;

use leptess::capi as lept;
use serde::{Deserialize, Serialize};

use super::paper::EvenPaper;
use super::rotate::{self, GrayLayout};
use super::timing::{ms_since, timed, StageMs};
use super::{EncodedImage, ImageCodec, OcrEngine, OcrError};
use crate::source::PageImage;

/// Which preparation steps run, and whether poorly read lines are read again after the page.
#[derive(Debug, Clone, PartialEq)]
pub struct Preprocess {
    /// Hand Tesseract an 8-bit gray raster instead of RGB.
    pub grayscale: bool,
    /// When making gray from colour, let red ink fade (each pixel takes the lighter of its gray
    /// and its red): a red seal stamped over the signer block otherwise reads as dark blots,
    /// and Tesseract dropped the signer's name under it on every scanned fixture. Black print
    /// and blue or black handwriting have little red, so they stay dark.
    pub drop_red: bool,
    /// Detect 90/180/270° pages with Tesseract OSD and turn them upright.
    pub orientation: bool,
    /// Minimum OSD confidence for rotating a page: a wrong rotation ruins a page, so only act
    /// on a clear answer.
    pub orientation_min_confidence: f32,
    /// Find and correct small skew (Leptonica's skew search on the page's ~150 dpi copy).
    pub deskew: bool,
    /// Resample pages outside `min_dpi..=max_dpi` to `target_dpi`.
    pub resample: bool,
    /// DPI assumed when the file says nothing and the page size gives no estimate.
    pub assume_dpi: f64,
    pub min_dpi: f64,
    pub max_dpi: f64,
    pub target_dpi: f64,
    /// After the page pass, read again alone the lines it read poorly and keep the surer
    /// reading (`ocr::reread`). Not preparation, but switchable with it to measure each step.
    pub reread: bool,
    /// Put the words in reading order by blocks (`ocr::order`): a two-column header or foot
    /// read column by column, not line by line across the columns.
    pub block_order: bool,
    /// Hand the engine a copy of the page with its paper made one even gray (`ocr::paper`);
    /// the other stages keep the page as it is.
    pub even_paper: bool,
}

impl Default for Preprocess {
    fn default() -> Self {
        Preprocess {
            grayscale: true,
            drop_red: true,
            orientation: true,
            orientation_min_confidence: 5.0,
            deskew: true,
            resample: true,
            assume_dpi: 300.0,
            min_dpi: 180.0,
            max_dpi: 400.0,
            target_dpi: 300.0,
            reread: true,
            block_order: true,
            even_paper: true,
        }
    }
}

impl Preprocess {
    /// Every step off: the raster goes to Tesseract as decoded (DPI still told).
    pub fn none() -> Self {
        Preprocess {
            grayscale: false,
            drop_red: false,
            orientation: false,
            deskew: false,
            resample: false,
            reread: false,
            block_order: false,
            even_paper: false,
            ..Preprocess::default()
        }
    }
}

/// Where the resolution of the source raster came from.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DpiSource {
    /// The file's metadata (or the PDF page size) gave a credible value.
    Metadata,
    /// Estimated from the pixel size, the page having a paper-sheet aspect ratio.
    Estimated,
    /// Nothing to go on: [`Preprocess::assume_dpi`].
    Assumed,
}

/// An owned Leptonica `PIX`. Not `Send`: a prepared page lives on the worker that made it.
pub(crate) struct Pix(*mut lept::PIX);

impl Pix {
    /// Takes ownership of a `PIX` returned by Leptonica; `None` when the call failed.
    pub(super) fn from_raw(ptr: *mut lept::PIX) -> Option<Pix> {
        (!ptr.is_null()).then_some(Pix(ptr))
    }

    pub(crate) fn as_ptr(&self) -> *mut lept::PIX {
        self.0
    }

    fn width(&self) -> u32 {
        // SAFETY: self.0 is a valid PIX for the lifetime of self.
        unsafe { lept::pixGetWidth(self.0) }.max(0) as u32
    }

    fn height(&self) -> u32 {
        // SAFETY: as above.
        unsafe { lept::pixGetHeight(self.0) }.max(0) as u32
    }

    fn depth(&self) -> i32 {
        // SAFETY: as above.
        unsafe { lept::pixGetDepth(self.0) }
    }

    /// Copies an 8-bit gray or 24-bit RGB raster into a new 8 or 32 bpp PIX.
    pub(super) fn from_image(
        image: &::image::DynamicImage,
        gray: bool,
        drop_red: bool,
    ) -> Result<Pix, OcrError> {
        let (w, h) = (image.width(), image.height());
        // Borrowed when the decoded image is already 8-bit gray or RGB (nearly every page):
        // a converted copy of a 300 dpi page costs more than packing it.
        let (depth, samples): (i32, Cow<'_, [u8]>) =
            if gray && drop_red && image.color().has_color() {
                let samples = match image.as_rgb8() {
                    Some(rgb) => gray_dropping_red(rgb),
                    None => gray_dropping_red(&image.to_rgb8()),
                };
                (8, samples.into())
            } else if gray {
                match image.as_luma8() {
                    Some(luma) => (8, luma.as_raw().as_slice().into()),
                    None => (8, image.to_luma8().into_raw().into()),
                }
            } else {
                match image.as_rgb8() {
                    Some(rgb) => (32, rgb.as_raw().as_slice().into()),
                    None => (32, image.to_rgb8().into_raw().into()),
                }
            };
        let too_big = || OcrError::Image(format!("{w}×{h} is too large for Leptonica"));
        let wi = i32::try_from(w).map_err(|_| too_big())?;
        let hi = i32::try_from(h).map_err(|_| too_big())?;
        // SAFETY: pixCreate returns a zeroed PIX of the given size or null.
        let pix = Pix::from_raw(unsafe { lept::pixCreate(wi, hi, depth) }).ok_or_else(too_big)?;
        // SAFETY: the PIX has h rows of wpl 32-bit words; we write only within them.
        unsafe {
            let wpl = lept::pixGetWpl(pix.0) as usize;
            let data = std::slice::from_raw_parts_mut(lept::pixGetData(pix.0), wpl * h as usize);
            let w = w as usize;
            for (y, row) in data.chunks_exact_mut(wpl).enumerate() {
                if gray {
                    // Leptonica keeps the first pixel of a word in its most significant byte.
                    let src = &samples[y * w..(y + 1) * w];
                    let whole = src.chunks_exact(4);
                    let tail = whole.remainder();
                    for (word, px) in row.iter_mut().zip(whole) {
                        *word = u32::from_be_bytes([px[0], px[1], px[2], px[3]]);
                    }
                    if !tail.is_empty() {
                        let mut last = [0u8; 4];
                        last[..tail.len()].copy_from_slice(tail);
                        row[w / 4] = u32::from_be_bytes(last);
                    }
                } else {
                    let src = &samples[y * w * 3..(y + 1) * w * 3];
                    for (word, px) in row.iter_mut().zip(src.chunks_exact(3)) {
                        *word =
                            u32::from(px[0]) << 24 | u32::from(px[1]) << 16 | u32::from(px[2]) << 8;
                    }
                }
            }
        }
        Ok(pix)
    }

    /// The raster as 8-bit gray samples (RGB PIXes are converted).
    pub(super) fn gray_samples(&self) -> Result<Vec<u8>, OcrError> {
        let gray;
        let pix = if self.depth() == 8 {
            self
        } else {
            // SAFETY: pixConvertTo8 reads self and returns a new PIX or null.
            gray = Pix::from_raw(unsafe { lept::pixConvertTo8(self.0, 0) })
                .ok_or_else(|| OcrError::Image("cannot convert the page to gray".into()))?;
            &gray
        };
        let (w, h) = (pix.width() as usize, pix.height() as usize);
        let mut out = Vec::with_capacity(w * h);
        // SAFETY: reads h rows of wpl words from a valid 8 bpp PIX.
        unsafe {
            let wpl = lept::pixGetWpl(pix.0) as usize;
            let data = std::slice::from_raw_parts(lept::pixGetData(pix.0), wpl * h);
            for row in data.chunks_exact(wpl) {
                let start = out.len();
                // The first pixel of a word is its most significant byte.
                out.extend(row.iter().flat_map(|word| word.to_be_bytes()));
                out.truncate(start + w);
            }
        }
        Ok(out)
    }

    /// The raster turned by `radians` about its centre, as `pixRotate` turns it with an area
    /// map and white brought in; 8-bit gray rasters (every page kyso reads in gray) are turned
    /// by [`rotate::rotate_area_map`], the rest by Leptonica.
    pub(crate) fn rotated(&self, radians: f32) -> Result<Pix, OcrError> {
        let failed = || OcrError::Image("deskew failed".into());
        // SAFETY: reads fields of our PIX.
        let gray = self.depth() == 8 && unsafe { lept::pixGetColormap(self.0) }.is_null();
        if !gray {
            // SAFETY: pixRotate reads the PIX and returns a new one or null.
            let out = unsafe {
                lept::pixRotate(
                    self.0,
                    radians,
                    lept::L_ROTATE_AREA_MAP as i32,
                    lept::L_BRING_IN_WHITE as i32,
                    0,
                    0,
                )
            };
            return Pix::from_raw(out).ok_or_else(failed);
        }
        // SAFETY: pixCreateTemplate returns a new PIX of our size and depth, or null.
        let out = Pix::from_raw(unsafe { lept::pixCreateTemplate(self.0) }).ok_or_else(failed)?;
        let (w, h) = (self.width() as usize, self.height() as usize);
        // SAFETY: both PIXes are 8 bpp with h rows of wpl words (the template has our wpl);
        // the two slices cover exactly those rows and do not overlap.
        unsafe {
            let wpl = lept::pixGetWpl(self.0) as usize;
            let len = wpl * 4 * h;
            let src = std::slice::from_raw_parts(lept::pixGetData(self.0) as *const u8, len);
            let dst = std::slice::from_raw_parts_mut(lept::pixGetData(out.0) as *mut u8, len);
            rotate::rotate_area_map(
                src,
                dst,
                &GrayLayout::leptonica(w, h, wpl),
                f64::from(radians),
            );
        }
        Ok(out)
    }
}

impl Drop for Pix {
    fn drop(&mut self) {
        // SAFETY: we own one reference; pixDestroy decrements it and nulls our pointer.
        unsafe { lept::pixDestroy(&mut self.0) }
    }
}

/// A page raster ready for recognition, with what was done to it.
pub struct PreparedPage {
    pub(crate) pix: Pix,
    /// Resolution of the prepared raster (what Tesseract is told).
    pub dpi: f64,
    pub dpi_source: DpiSource,
    /// Clockwise rotation applied: 0, 90, 180 or 270.
    pub rotation: u16,
    /// Skew corrected, in degrees; `None` when deskew was off or found nothing measurable.
    pub skew_deg: Option<f32>,
    /// Prepared pixels per source pixel.
    pub scale: f64,
    /// The gray was made from colour with red ink faded (a seal is already gone).
    pub(crate) red_dropped: bool,
    /// The page's paper, evened out in the copy the engine reads ([`Preprocess::even_paper`]).
    pub(crate) paper: Option<EvenPaper>,
}

impl PreparedPage {
    pub fn width(&self) -> u32 {
        self.pix.width()
    }

    pub fn height(&self) -> u32 {
        self.pix.height()
    }

    /// The part of the page inside `rect` (clamped to the page), as a page of its own with the
    /// same resolution; `None` when the rectangle is empty.
    pub fn crop(&self, rect: [u32; 4]) -> Result<Option<PreparedPage>, OcrError> {
        let [l, t] = [rect[0].min(self.width()), rect[1].min(self.height())];
        let [r, b] = [rect[2].min(self.width()), rect[3].min(self.height())];
        if r <= l || b <= t {
            return Ok(None);
        }
        // SAFETY: the box is ours and destroyed here; pixClipRectangle returns a new PIX or null.
        let pix = unsafe {
            let mut bx = lept::boxCreate(l as i32, t as i32, (r - l) as i32, (b - t) as i32);
            let p = lept::pixClipRectangle(self.pix.0, bx, std::ptr::null_mut());
            lept::boxDestroy(&mut bx);
            p
        };
        let pix = Pix::from_raw(pix).ok_or_else(|| OcrError::Image("cropping failed".into()))?;
        let d = self.dpi.round() as i32;
        // SAFETY: sets two fields of our new PIX.
        unsafe { lept::pixSetResolution(pix.0, d, d) };
        Ok(Some(PreparedPage {
            pix,
            dpi: self.dpi,
            dpi_source: self.dpi_source,
            rotation: self.rotation,
            skew_deg: self.skew_deg,
            scale: self.scale,
            red_dropped: self.red_dropped,
            paper: self.paper,
        }))
    }

    /// The raster as 8-bit gray samples, row by row.
    pub(crate) fn gray(&self) -> Result<Vec<u8>, OcrError> {
        self.pix.gray_samples()
    }

    /// A page made of 8-bit gray `samples` (`width` × `height`), with the resolution and
    /// geometry of `like` (a part of it, changed).
    pub(crate) fn from_gray(
        samples: Vec<u8>,
        width: u32,
        height: u32,
        like: &PreparedPage,
    ) -> Result<PreparedPage, OcrError> {
        let image = ::image::GrayImage::from_raw(width, height, samples)
            .ok_or_else(|| OcrError::Image("gray samples of the wrong size".into()))?;
        let pix = Pix::from_image(&::image::DynamicImage::ImageLuma8(image), true, false)?;
        let d = like.dpi.round() as i32;
        // SAFETY: sets two fields of our new PIX.
        unsafe { lept::pixSetResolution(pix.0, d, d) };
        Ok(PreparedPage {
            pix,
            dpi: like.dpi,
            dpi_source: like.dpi_source,
            rotation: like.rotation,
            skew_deg: like.skew_deg,
            scale: like.scale,
            red_dropped: like.red_dropped,
            paper: like.paper,
        })
    }

    /// The copy at about [`SMALL_DPI`] (the page itself, copied, when it is no larger), with the
    /// factor that made it.
    pub fn small_copy(&self) -> Result<(PreparedPage, f32), OcrError> {
        let factor = (SMALL_DPI / self.dpi).min(1.0) as f32;
        Ok((self.scaled(factor)?, factor))
    }

    /// A copy scaled by `factor`, at the resolution that makes it the same sheet.
    pub fn scaled(&self, factor: f32) -> Result<PreparedPage, OcrError> {
        // SAFETY: pixScale reads our PIX and returns a new PIX or null.
        let pix = Pix::from_raw(unsafe { lept::pixScale(self.pix.0, factor, factor) })
            .ok_or_else(|| OcrError::Image("scaling failed".into()))?;
        let dpi = self.dpi * f64::from(factor);
        let d = dpi.round() as i32;
        // SAFETY: sets two fields of our new PIX.
        unsafe { lept::pixSetResolution(pix.0, d, d) };
        Ok(PreparedPage {
            pix,
            dpi,
            dpi_source: self.dpi_source,
            rotation: self.rotation,
            skew_deg: self.skew_deg,
            scale: self.scale * f64::from(factor),
            red_dropped: self.red_dropped,
            paper: self.paper,
        })
    }

    /// Encodes the prepared raster for the searchable PDF, so the pipeline can drop the pixels
    /// as soon as the page is recognised.
    pub fn encode(&self, codec: ImageCodec) -> Result<EncodedImage, OcrError> {
        let (width, height) = (self.width(), self.height());
        match codec {
            ImageCodec::Jpeg { quality } => {
                let mut data: *mut u8 = std::ptr::null_mut();
                let mut size: usize = 0;
                // SAFETY: on success Leptonica allocates `size` bytes at `data`, which we copy
                // and free with lept_free.
                let bytes = unsafe {
                    let rc = lept::pixWriteMemJpeg(
                        &mut data,
                        &mut size,
                        self.pix.0,
                        i32::from(quality.clamp(1, 100)),
                        0,
                    );
                    if rc != 0 || data.is_null() {
                        return Err(OcrError::Image("JPEG encoding failed".into()));
                    }
                    let v = std::slice::from_raw_parts(data, size).to_vec();
                    lept::lept_free(data as *mut c_void);
                    v
                };
                let colors = if self.pix.depth() == 32 { 3 } else { 1 };
                Ok(EncodedImage::Jpeg {
                    width,
                    height,
                    colors,
                    data: bytes,
                })
            }
            ImageCodec::Flate => {
                let samples = self.pix.gray_samples()?;
                let mut z =
                    flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
                z.write_all(&samples)
                    .map_err(|e| OcrError::Image(e.to_string()))?;
                let data = z.finish().map_err(|e| OcrError::Image(e.to_string()))?;
                Ok(EncodedImage::FlateGray {
                    width,
                    height,
                    data,
                })
            }
        }
    }
}

/// How much redder than green and blue a pixel must be to count as red ink. Gray pixels
/// (print, paper, JPEG chroma noise) stay under it and keep their plain gray, so the small
/// marks of Vietnamese diacritics are not lightened.
const RED_MARGIN: u8 = 40;

/// Gray samples in which red ink fades: a red pixel takes the lighter of its gray and its red
/// channel; every other pixel keeps its gray.
fn gray_dropping_red(rgb: &::image::RgbImage) -> Vec<u8> {
    rgb.pixels()
        .map(|p| {
            let [r, g, b] = p.0;
            // Rec. 601 luma, as image's to_luma8 computes it.
            let luma =
                ((299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b)) / 1000) as u8;
            if r.saturating_sub(g.max(b)) > RED_MARGIN {
                luma.max(r)
            } else {
                luma
            }
        })
        .collect()
}

/// Credible source resolutions; outside this, metadata is a default (72) or garbage.
const CREDIBLE_DPI: std::ops::RangeInclusive<f64> = 100.0..=2400.0;

/// Decides the source DPI: metadata if credible, else an estimate from a paper-shaped page,
/// else the assumed value.
pub(crate) fn source_dpi(
    width: u32,
    height: u32,
    meta: Option<f64>,
    assume: f64,
) -> (f64, DpiSource) {
    if let Some(d) = meta.filter(|d| CREDIBLE_DPI.contains(d)) {
        return (d, DpiSource::Metadata);
    }
    let (long, short) = (width.max(height) as f64, width.min(height).max(1) as f64);
    let aspect = long / short;
    // A4 is 1.414, Letter 1.294, Legal 1.647: a page-shaped raster is very likely a full sheet.
    // 11.4 in sits between A4 (11.69) and Letter (11) so either lands within 3 %. Below
    // 100 dpi the raster is more likely a crop than a whole sheet (phototest: 640×480).
    if (1.25..=1.7).contains(&aspect) {
        let d = long / 11.4;
        if (100.0..=1200.0).contains(&d) {
            return (d.round(), DpiSource::Estimated);
        }
    }
    (assume, DpiSource::Assumed)
}

/// Prepares a page for recognition. `engine` is asked for the orientation when that step is on.
pub fn prepare(
    image: &PageImage,
    opts: &Preprocess,
    engine: &mut dyn OcrEngine,
) -> Result<PreparedPage, OcrError> {
    prepare_timed(image, opts, engine, &mut StageMs::default())
}

/// [`prepare`], adding the time of each step to `ms`.
pub(crate) fn prepare_timed(
    image: &PageImage,
    opts: &Preprocess,
    engine: &mut dyn OcrEngine,
    ms: &mut StageMs,
) -> Result<PreparedPage, OcrError> {
    let started = Instant::now();
    let (w, h) = (image.image.width(), image.image.height());
    if w == 0 || h == 0 {
        return Err(OcrError::EmptyImage {
            width: w,
            height: h,
        });
    }
    let (dpi, dpi_source) = source_dpi(w, h, image.dpi, opts.assume_dpi);
    let mut pix = Pix::from_image(&image.image, opts.grayscale, opts.drop_red)?;
    let mut scale = 1.0;
    if opts.resample && (dpi < opts.min_dpi || dpi > opts.max_dpi) {
        scale = opts.target_dpi / dpi;
        // SAFETY: pixScale reads pix and returns a new PIX or null.
        pix = Pix::from_raw(unsafe { lept::pixScale(pix.0, scale as f32, scale as f32) })
            .ok_or_else(|| OcrError::Image("resampling failed".into()))?;
    }
    // Tesseract reads the resolution from the PIX in places (OSD, layout analysis) besides
    // SetSourceResolution; a PIX without one makes it assume 70 dpi and split columns badly.
    let d = (dpi * scale).round() as i32;
    // SAFETY: sets two fields of our PIX.
    unsafe { lept::pixSetResolution(pix.0, d, d) };
    let paper = if opts.even_paper {
        EvenPaper::of(&pix)?
    } else {
        None
    };
    let mut page = PreparedPage {
        pix,
        dpi: dpi * scale,
        dpi_source,
        rotation: 0,
        skew_deg: None,
        scale,
        red_dropped: opts.grayscale && opts.drop_red && image.image.color().has_color(),
        paper,
    };
    ms.prepare += ms_since(started);
    if opts.orientation {
        timed(&mut ms.orientation, || orient(&mut page, opts, engine))?;
    }
    if opts.deskew {
        // Measured as zones mode measures it, so that both modes deskew a page by the same
        // angle and read the same pixels; see [`settle`].
        timed(&mut ms.deskew, || -> Result<(), OcrError> {
            let skew = measure_skew(&page, 0)?;
            if let Some(angle) = skew.correction() {
                page.rotate_by(angle)?;
            }
            page.skew_deg = skew.angle;
            Ok(())
        })?;
    }
    // Again: rotation and deskew make new PIXes.
    // SAFETY: sets two fields of our PIX.
    unsafe { lept::pixSetResolution(page.pix.0, d, d) };
    Ok(page)
}

/// Detects the page's orientation with Tesseract OSD and turns it upright when OSD is clear
/// about it. Returns whether the page was turned.
pub fn orient(
    page: &mut PreparedPage,
    opts: &Preprocess,
    engine: &mut dyn OcrEngine,
) -> Result<bool, OcrError> {
    let Some(rot) = clear_turn(page, opts, engine)? else {
        return Ok(false);
    };
    let quads = i32::from(rot / 90 % 4);
    // SAFETY: pixRotateOrth reads the PIX and returns a new one or null.
    page.pix = Pix::from_raw(unsafe { lept::pixRotateOrth(page.pix.0, quads) })
        .ok_or_else(|| OcrError::Image("rotation failed".into()))?;
    page.rotation = (page.rotation + rot) % 360;
    let d = page.dpi.round() as i32;
    // SAFETY: sets two fields of our PIX (rotation made a new one).
    unsafe { lept::pixSetResolution(page.pix.0, d, d) };
    Ok(true)
}

/// The clockwise turn (90, 180 or 270) that makes `page` upright, when OSD is clear about it.
pub fn clear_turn(
    page: &PreparedPage,
    opts: &Preprocess,
    engine: &mut dyn OcrEngine,
) -> Result<Option<u16>, OcrError> {
    Ok(sure_turn(page, opts, engine)?.filter(|&rot| rot != 0))
}

/// The clockwise turn that makes `page` upright (0 for a page that is), when OSD is sure of it.
pub fn sure_turn(
    page: &PreparedPage,
    opts: &Preprocess,
    engine: &mut dyn OcrEngine,
) -> Result<Option<u16>, OcrError> {
    Ok(engine
        .detect_orientation(page)?
        .filter(|&(_, conf)| conf >= opts.orientation_min_confidence)
        .map(|(rot, _)| rot % 360))
}

/// How a page lies: the quarter turn that makes it upright and the skew left after it. Zones mode
/// decides it once on the small copy it lays out ([`settle`]) and applies it to the full page
/// ([`PreparedPage::apply`]), so OSD and the skew search never see the full-size raster.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Geometry {
    /// Clockwise degrees, a multiple of 90, applied before the skew.
    pub rotation: u16,
    /// Skew measured, in degrees (`None`: not measured or not measurable).
    pub skew_deg: Option<f32>,
    /// Whether the skew is corrected: not when it is too small or too uncertain (Leptonica's
    /// own thresholds, as `pixDeskew` uses them).
    pub deskew: bool,
}

/// Leptonica's `pixDeskew` leaves a page alone below this angle or this confidence.
const MIN_DESKEW_DEG: f32 = 0.1;
const MIN_DESKEW_CONFIDENCE: f32 = 3.0;

/// Decides `page`'s [`Geometry`] with `opts` (OSD when `orientation` is on, the skew search when
/// `deskew` is), applies it to `page` and returns it, to be applied to `full` (the page `page`
/// is a copy of, turned or not yet). The skew is measured on `full`, as full mode measures it,
/// so that both modes deskew a page by the same angle and read the same pixels.
pub fn settle(
    page: &mut PreparedPage,
    full: &PreparedPage,
    opts: &Preprocess,
    engine: &mut dyn OcrEngine,
) -> Result<Geometry, OcrError> {
    let rotation_before = page.rotation;
    if opts.orientation {
        orient(page, opts, engine)?;
    }
    let rotation = (page.rotation + 360 - rotation_before) % 360;
    let (mut skew_deg, mut deskew) = (page.skew_deg, false);
    if opts.deskew {
        // `full` may not be turned as `page` now is.
        let skew = measure_skew(full, (page.rotation + 360 - full.rotation) % 360)?;
        if let Some(angle) = skew.correction() {
            page.rotate_by(angle)?;
        }
        (skew_deg, deskew) = (skew.angle, skew.correction().is_some());
        page.skew_deg = skew_deg;
    }
    Ok(Geometry {
        rotation,
        skew_deg,
        deskew,
    })
}

/// Resolution of the copy of a page on which its skew is measured, in both modes, and its
/// layout analysed in zones mode. Layout analysis at about 150 dpi finds the same lines as at
/// 300 in less than half the time (0.68 s against 1.6 s on an A4 page), and the skew search at
/// 150 dpi with reductions 2 and 1 works at the same effective resolution as Leptonica's
/// `pixFindSkewAndDeskew` at 300 dpi with reductions 4 and 2.
pub const SMALL_DPI: f64 = 150.0;

/// A skew measured by Leptonica's search.
struct Skew {
    /// Degrees; `None` when the search could not measure it.
    angle: Option<f32>,
    confidence: f32,
}

impl Skew {
    /// The angle to correct, if the skew is large and certain enough to be worth a rotation.
    fn correction(&self) -> Option<f32> {
        self.angle
            .filter(|a| a.abs() >= MIN_DESKEW_DEG && self.confidence >= MIN_DESKEW_CONFIDENCE)
    }
}

/// Measures the skew of `page` turned clockwise by `rotation` degrees (a multiple of 90), on a
/// copy of it at about [`SMALL_DPI`].
///
/// The copy is made by area averaging while the page is at twice that or more, then by
/// sampling, and is not sharpened: the search thresholds it and needs only the lines' run.
/// [`PreparedPage::small_copy`], sharpened for layout analysis, made deskew cost 36 ms a page
/// in full mode on the degraded-scan bench instead of 25.
fn measure_skew(page: &PreparedPage, rotation: u16) -> Result<Skew, OcrError> {
    let failed = || OcrError::Image("cannot make the copy the skew is measured on".into());
    let mut copy: Option<Pix> = None;
    let mut dpi = page.dpi;
    while dpi >= 1.9 * SMALL_DPI {
        let from = copy.as_ref().unwrap_or(&page.pix);
        // SAFETY: pixScaleAreaMap2 reads the PIX and returns a new one or null.
        copy = Some(Pix::from_raw(unsafe { lept::pixScaleAreaMap2(from.0) }).ok_or_else(failed)?);
        dpi /= 2.0;
    }
    if dpi > 1.05 * SMALL_DPI {
        let from = copy.as_ref().unwrap_or(&page.pix);
        let f = (SMALL_DPI / dpi) as f32;
        // Sampled: the copy is thresholded for the search, which only needs the lines' run,
        // and interpolating a 200 dpi page down cost more than the search itself.
        // SAFETY: pixScaleBySampling reads the PIX and returns a new one or null.
        copy = Some(
            Pix::from_raw(unsafe { lept::pixScaleBySampling(from.0, f, f) }).ok_or_else(failed)?,
        );
        dpi = SMALL_DPI;
    }
    let quads = i32::from(rotation / 90 % 4);
    if quads != 0 {
        let from = copy.as_ref().unwrap_or(&page.pix);
        // SAFETY: pixRotateOrth reads the PIX and returns a new one or null.
        copy =
            Some(Pix::from_raw(unsafe { lept::pixRotateOrth(from.0, quads) }).ok_or_else(failed)?);
    }
    Ok(find_skew(copy.as_ref().unwrap_or(&page.pix), dpi))
}

/// Measures the skew of a raster at `dpi` (meant for a copy at about [`SMALL_DPI`]).
fn find_skew(pix: &Pix, dpi: f64) -> Skew {
    let (redsweep, redsearch) = if dpi < 200.0 { (2, 1) } else { (4, 2) };
    let (mut angle, mut confidence) = (0f32, 0f32);
    // SAFETY: pixConvertTo1 returns a new 1 bpp PIX or null; the search only reads it.
    let found = unsafe {
        Pix::from_raw(lept::pixConvertTo1(pix.0, 130)).is_some_and(|binary| {
            lept::pixFindSkewSweepAndSearch(
                binary.0,
                &mut angle,
                &mut confidence,
                redsweep,
                redsearch,
                7.0,
                1.0,
                0.01,
            ) == 0
        })
    };
    // Leptonica reports 0 confidence when it could not measure the skew.
    Skew {
        angle: (found && confidence > 0.0).then_some(angle),
        confidence,
    }
}

impl PreparedPage {
    /// Turns and deskews the page as [`settle`] decided on a copy of it.
    pub fn apply(&mut self, geometry: Geometry) -> Result<(), OcrError> {
        let quads = i32::from(geometry.rotation / 90 % 4);
        if quads != 0 {
            // SAFETY: pixRotateOrth reads the PIX and returns a new one or null.
            self.pix = Pix::from_raw(unsafe { lept::pixRotateOrth(self.pix.0, quads) })
                .ok_or_else(|| OcrError::Image("rotation failed".into()))?;
            self.rotation = (self.rotation + geometry.rotation) % 360;
        }
        match geometry.skew_deg {
            Some(angle) if geometry.deskew => self.rotate_by(angle)?,
            _ => {}
        }
        self.skew_deg = geometry.skew_deg;
        self.set_resolution();
        Ok(())
    }

    /// Rotates by a small angle, as `pixDeskew` corrects a skew (area map, white comes in).
    fn rotate_by(&mut self, degrees: f32) -> Result<(), OcrError> {
        self.pix = self.pix.rotated(degrees.to_radians())?;
        self.set_resolution();
        Ok(())
    }

    fn set_resolution(&self) {
        let d = self.dpi.round() as i32;
        // SAFETY: sets two fields of our PIX.
        unsafe { lept::pixSetResolution(self.pix.0, d, d) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page of the agency fixtures (a JPEG gray scan), turned by kyso's rotation and by
    /// Leptonica's `pixRotate` with an area map: the same pixels.
    #[test]
    fn deskew_rotation_matches_leptonicas_area_map_rotation() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/agencies/017-scan-van-phong-chinh-phu-tb-vpcp.jpg"
        );
        let image = ::image::open(path).expect("the fixture decodes");
        let pix = Pix::from_image(&image, true, false).expect("a PIX");
        for degrees in [-2.7f32, 0.4, 1.9] {
            let radians = degrees.to_radians();
            let ours = pix
                .rotated(radians)
                .expect("rotated")
                .gray_samples()
                .expect("samples");
            // SAFETY: pixRotate reads the PIX and returns a new one or null.
            let theirs = Pix::from_raw(unsafe {
                lept::pixRotate(
                    pix.0,
                    radians,
                    lept::L_ROTATE_AREA_MAP as i32,
                    lept::L_BRING_IN_WHITE as i32,
                    0,
                    0,
                )
            })
            .expect("Leptonica rotated")
            .gray_samples()
            .expect("samples");
            assert_eq!(ours.len(), theirs.len());
            let diffs: Vec<u32> = ours
                .iter()
                .zip(&theirs)
                .map(|(a, b)| u32::from(a.abs_diff(*b)))
                .collect();
            let mean = diffs.iter().sum::<u32>() as f64 / diffs.len() as f64;
            let differ = diffs.iter().filter(|&&d| d > 0).count() as f64 / diffs.len() as f64;
            // Leptonica computes each source position in single precision: a few pixels in ten
            // thousand fall on the other side of a sixteenth.
            assert!(mean < 0.001, "{degrees}°: mean difference {mean}");
            assert!(differ < 1e-4, "{degrees}°: {differ} of the pixels differ");
        }
    }

    use crate::ocr::{EngineInfo, OcrPage};

    /// An engine whose OSD always gives one answer.
    struct Osd(Option<(u16, f32)>);

    impl OcrEngine for Osd {
        fn recognize(&mut self, _page: &PreparedPage) -> Result<OcrPage, OcrError> {
            Err(OcrError::Recognition)
        }
        fn describe(&self) -> EngineInfo {
            crate::ocr::EngineInfo::fake("osd")
        }
        fn detect_orientation(
            &mut self,
            _page: &PreparedPage,
        ) -> Result<Option<(u16, f32)>, OcrError> {
            Ok(self.0)
        }
    }

    /// Zones mode asks OSD again at full size when the small copy leaves it unsure, and only
    /// then: a sure "upright" is an answer (a page printed in landscape), an unsure turn is not.
    #[test]
    fn osd_is_sure_of_upright_and_unsure_below_its_bar() {
        let image = ::image::DynamicImage::ImageLuma8(::image::GrayImage::new(40, 30));
        let page = PreparedPage {
            pix: Pix::from_image(&image, true, false).expect("a PIX"),
            dpi: 150.0,
            dpi_source: DpiSource::Assumed,
            rotation: 0,
            skew_deg: None,
            scale: 1.0,
            red_dropped: false,
            paper: None,
        };
        let opts = Preprocess::default();
        let ask = |answer| {
            let mut engine = Osd(answer);
            (
                sure_turn(&page, &opts, &mut engine).expect("OSD"),
                clear_turn(&page, &opts, &mut engine).expect("OSD"),
            )
        };
        assert_eq!(ask(Some((0, 9.0))), (Some(0), None), "sure it is upright");
        assert_eq!(
            ask(Some((270, 8.0))),
            (Some(270), Some(270)),
            "sure of a turn"
        );
        assert_eq!(ask(Some((90, 2.0))), (None, None), "a turn under the bar");
        assert_eq!(ask(None), (None, None), "no answer");
    }

    #[test]
    fn credible_metadata_dpi_wins() {
        assert_eq!(
            source_dpi(2480, 3508, Some(300.0), 300.0),
            (300.0, DpiSource::Metadata)
        );
    }

    #[test]
    fn default_72_dpi_metadata_is_ignored_and_page_size_estimates() {
        let (d, src) = source_dpi(2480, 3508, Some(72.0), 300.0);
        assert_eq!(src, DpiSource::Estimated);
        assert!((290.0..=320.0).contains(&d), "{d}");
        let (d, _) = source_dpi(1700, 2200, None, 300.0);
        assert!((190.0..=205.0).contains(&d), "{d}");
    }

    #[test]
    fn low_resolution_sheet_is_estimated_so_it_can_be_upscaled() {
        let (d, src) = source_dpi(1020, 1320, None, 300.0);
        assert_eq!(src, DpiSource::Estimated);
        assert!((110.0..=125.0).contains(&d), "{d}");
    }

    #[test]
    fn small_page_shaped_crop_is_not_taken_for_a_56_dpi_sheet() {
        assert_eq!(
            source_dpi(640, 480, None, 300.0),
            (300.0, DpiSource::Assumed)
        );
    }

    #[test]
    fn odd_shaped_crop_without_metadata_assumes_300() {
        assert_eq!(
            source_dpi(1024, 800, None, 300.0),
            (300.0, DpiSource::Assumed)
        );
    }

    #[test]
    fn pix_round_trips_gray_samples() {
        let img = ::image::GrayImage::from_fn(7, 3, |x, y| ::image::Luma([(x * 30 + y) as u8]));
        let dynimg = ::image::DynamicImage::ImageLuma8(img.clone());
        let pix = Pix::from_image(&dynimg, true, true).unwrap();
        assert_eq!(pix.gray_samples().unwrap(), img.into_raw());
    }

    #[test]
    fn red_seal_ink_fades_while_black_and_blue_ink_stay_dark() {
        let px = |rgb: [u8; 3]| {
            gray_dropping_red(&::image::RgbImage::from_pixel(1, 1, ::image::Rgb(rgb)))[0]
        };
        assert!(px([210, 40, 45]) > 200, "seal red");
        assert!(px([20, 20, 20]) < 30, "black print");
        assert!(px([30, 40, 150]) < 60, "blue pen");
        assert_eq!(px([250, 250, 250]), 250, "paper");
        assert_eq!(
            px([90, 70, 75]),
            76,
            "a gray pixel with chroma noise keeps its gray"
        );
    }
}
