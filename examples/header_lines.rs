//! Prints the positioned lines the metadata stage sees on a document's pages with a text layer
//! (born-digital pages, OCR layers), then the metadata read from them: the tool for finding
//! out why a header was read the way it was.
//!
//! ```text
//! cargo run --example header_lines -- FILE.pdf [PAGE]
//! ```

use std::sync::Arc;

use kyso::metadata::{self, lines_from_runs, PageText, TextSource};
use kyso::source::{self, Limits};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: header_lines FILE.pdf [PAGE]");
        std::process::exit(2);
    };
    let only: Option<usize> = args.get(1).and_then(|p| p.parse().ok());
    let bytes: Arc<[u8]> = std::fs::read(path).expect("readable file").into();
    let format = kyso::discover::sniff(&bytes[..bytes.len().min(64)]);
    let doc = source::open(bytes, format, &Limits::default()).expect("a document kyso reads");
    let mut pages = Vec::new();
    for (i, page) in doc.pages.iter().enumerate() {
        let aspect = match (page.info.width_pt, page.info.height_pt) {
            (Some(w), Some(h)) if h > 0.0 => w / h,
            _ => 1.0 / 2f64.sqrt(),
        };
        let lines = lines_from_runs(&page.text_runs, aspect);
        if only.is_none_or(|p| p == i) {
            println!("--- page {i}");
            for l in &lines {
                println!(
                    "[{:.3} {:.3} {:.3} {:.3}] {}",
                    l.bbox[0], l.bbox[1], l.bbox[2], l.bbox[3], l.text
                );
            }
        }
        pages.push(PageText::new(i as u32, TextSource::TextLayer, lines));
    }
    let m = metadata::extract(&pages, &[], None);
    println!("{}", serde_json::to_string_pretty(&m).unwrap_or_default());
}
