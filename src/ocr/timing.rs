//! Where a page's time goes: the record's `ocr.pages[].ms`.
//!
//! Measured per page on the worker that did the work, so a user can see which step a slow page
//! spent its time in, and the degraded-scan bench (benches/degraded_bench.sh) adds them up into
//! the breakdown that decides which work pays.

use std::time::Instant;

use serde::{Deserialize, Serialize};

/// Milliseconds a page spent in each step (wall time on its worker).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct StageMs {
    /// Decoding the page raster from its file (JPEG, CCITT, Flate, ...).
    pub decode: u32,
    /// Gray conversion (with red dropout), resolution and resampling.
    pub prepare: u32,
    /// Tesseract OSD, and reading the page again once turned.
    pub orientation: u32,
    /// The skew search on the small copy and the rotation that corrects it.
    pub deskew: u32,
    /// Layout analysis without recognition (zones mode: finding the zones).
    #[serde(default)]
    pub layout: u32,
    /// The recognition pass (the page, or its zones).
    pub recognise: u32,
    /// Poorly read lines read again alone, and ink under a seal (`reread`, `unread`).
    pub second_reading: u32,
    /// Looking for seals and hand signatures.
    pub marks: u32,
    /// The page's share of the output files (text, hOCR, ALTO, searchable PDF).
    pub writers: u32,
}

impl StageMs {
    /// The sum of every step.
    pub fn total(&self) -> u32 {
        self.decode
            + self.prepare
            + self.orientation
            + self.deskew
            + self.layout
            + self.recognise
            + self.second_reading
            + self.marks
            + self.writers
    }
}

/// Milliseconds since `start`, saturating.
pub fn ms_since(start: Instant) -> u32 {
    u32::try_from(start.elapsed().as_millis()).unwrap_or(u32::MAX)
}

/// Runs `f`, adding the milliseconds it took to `slot`.
pub fn timed<R>(slot: &mut u32, f: impl FnOnce() -> R) -> R {
    let start = Instant::now();
    let r = f();
    *slot = slot.saturating_add(ms_since(start));
    r
}
