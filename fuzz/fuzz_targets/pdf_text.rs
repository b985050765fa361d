//! Text extraction from PDF content streams (the input of metadata extraction): the fuzz input
//! becomes the content stream of a one-page PDF with a Type0 font and a ToUnicode CMap taken
//! from the input too, so the fuzzer explores the content and CMap parsers directly rather than
//! spending its time on the file's structure.
//!
//! The Decree 30 metadata extractor (`kyso::metadata`) has no text function in this branch yet;
//! a target for it is to be added when that stage lands.
#![no_main]

use std::sync::Arc;

use kyso::source::{self, Format, Limits};
use libfuzzer_sys::fuzz_target;

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
        for page in &doc.pages {
            let _ = page.text.as_deref().map(str::len);
        }
    }
});
