//! TIFF (multi-page), PNG and JPEG page sources: header and tag reading at open, then pixel
//! decoding of each page under small limits. The format is told from the first bytes, as
//! `kyso scan` does.
#![no_main]

use std::sync::Arc;

use kyso::discover::sniff;
use kyso::source::{self, Format, Limits};
use libfuzzer_sys::fuzz_target;

#[path = "contained.rs"]
mod contained;

fuzz_target!(|data: &[u8]| {
    contained::let_contained_panics_unwind();
    let format = sniff(data);
    if !matches!(format, Format::Tiff | Format::Png | Format::Jpeg) {
        return;
    }
    let limits = Limits {
        max_pixels: 4_000_000,
        max_pages: 64,
        max_stream_bytes: 16 * 1024 * 1024,
    };
    let bytes: Arc<[u8]> = data.into();
    if let Ok(doc) = source::open(bytes, format, &limits) {
        for page in doc.pages.iter().take(4) {
            let _ = page.raster(&limits);
        }
    }
});
