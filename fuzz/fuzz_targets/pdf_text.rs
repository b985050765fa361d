//! Text extraction from PDF content streams (the input of metadata extraction): the fuzz input
//! becomes the content stream of a one-page PDF with a Type0 font and a ToUnicode CMap taken
//! from the input too, so the fuzzer explores the content and CMap parsers directly rather than
//! spending its time on the file's structure.
//!
//! The text read is then taken through the metadata stage and every writer, and the output
//! invariants are checked (`text_invariants.rs`): no CSV cell starts a formula, nothing unclean
//! reaches the terminal, the JSON is safe. (The metadata extractor's own target is
//! `metadata_text`.)
#![no_main]

use std::sync::Arc;

use kyso::metadata::{self, PageText, TextSource};
use kyso::source::{self, Format, Limits};
use libfuzzer_sys::fuzz_target;

#[path = "text_invariants.rs"]
mod text_invariants;

/// `content` and `cmap`, split at the first `\n%%CMAP\n` (all content when absent).
fn split(data: &[u8]) -> (&[u8], &[u8]) {
    const SEP: &[u8] = b"\n%%CMAP\n";
    match data.windows(SEP.len()).position(|w| w == SEP) {
        Some(i) => (&data[..i], &data[i + SEP.len()..]),
        None => (data, b""),
    }
}

fn pdf(content: &[u8], cmap: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    let mut obj = |out: &mut Vec<u8>, body: &[u8]| {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", offsets.len()).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    };
    obj(&mut out, b"<< /Type /Catalog /Pages 2 0 R >>");
    obj(&mut out, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    obj(
        &mut out,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
          /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>",
    );
    let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
    stream.extend_from_slice(content);
    stream.extend_from_slice(b"\nendstream");
    obj(&mut out, &stream);
    obj(
        &mut out,
        b"<< /Type /Font /Subtype /Type0 /BaseFont /F /Encoding /Identity-H /ToUnicode 7 0 R \
          /DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /BaseFont /F \
          /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>] >>",
    );
    obj(
        &mut out,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    );
    let mut stream = format!("<< /Length {} >>\nstream\n", cmap.len()).into_bytes();
    stream.extend_from_slice(cmap);
    stream.extend_from_slice(b"\nendstream");
    obj(&mut out, &stream);
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes(),
    );
    for o in &offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len() + 1
        )
        .as_bytes(),
    );
    out
}

fuzz_target!(|data: &[u8]| {
    let (content, cmap) = split(data);
    let limits = Limits {
        max_pixels: 4_000_000,
        max_pages: 4,
        max_stream_bytes: 16 * 1024 * 1024,
    };
    let bytes: Arc<[u8]> = pdf(content, cmap).into();
    if let Ok(doc) = source::open(bytes, Format::Pdf, &limits) {
        let mut texts = Vec::new();
        for page in &doc.pages {
            if let Some(text) = page.text.as_deref() {
                text_invariants::check_text(text);
            }
            let aspect = match (page.info.width_pt, page.info.height_pt) {
                (Some(w), Some(h)) if h > 0.0 => w / h,
                _ => 1.0 / 2f64.sqrt(),
            };
            let lines = metadata::lines_from_runs(&page.text_runs, aspect);
            texts.push(PageText::new(page.info.index, TextSource::TextLayer, lines));
        }
        let raw: Vec<&str> = doc
            .pages
            .iter()
            .flat_map(|p| p.text_runs.iter().map(|r| r.text.as_str()))
            .take(3)
            .collect();
        text_invariants::check_writers(metadata::extract(&texts, &[], None), &raw);
    }
});
