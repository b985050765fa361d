//! PDF structure and signatures: what `kyso scan` does to a PDF before OCR. Opening parses the
//! object graph and classifies every page; `analyze_pdf` finds signature fields, checks every
//! /ByteRange, parses the CMS and diffs each incremental update. Page rasters are decoded too,
//! under small limits, so image XObject decoding (Flate, LZW, CCITT, DCT, colour spaces) is
//! covered. The only acceptable outcomes are a value or a typed error: a panic, an abort on
//! allocation, or a hang is a finding.
#![no_main]

use std::sync::Arc;

use kyso::signature::{analyze_pdf, SignatureOptions};
use kyso::source::{self, Format, Limits};
use libfuzzer_sys::fuzz_target;

#[path = "contained.rs"]
mod contained;

fuzz_target!(|data: &[u8]| {
    contained::let_contained_panics_unwind();
    let limits = Limits {
        max_pixels: 4_000_000,
        max_pages: 64,
        max_stream_bytes: 16 * 1024 * 1024,
    };
    let _ = analyze_pdf(data, &SignatureOptions::default());
    let bytes: Arc<[u8]> = data.into();
    if let Ok(doc) = source::open(bytes, Format::Pdf, &limits) {
        for page in doc.pages.iter().take(4) {
            let _ = page.raster(&limits);
        }
    }
});
