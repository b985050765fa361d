//! Decree 30 metadata extraction from positioned text (`kyso::metadata::extract`): the fuzz
//! input is split into lines, each placed on the page from its own bytes, and read both as OCR
//! output and as a text layer, on one page and split over two. What is read then goes through
//! every writer, and the output invariants are checked (`text_invariants.rs`): no CSV cell
//! starts a formula, nothing unclean reaches the terminal, the JSON is safe.
#![no_main]

use kyso::metadata::{self, PageText, TextLine, TextSource};
use libfuzzer_sys::fuzz_target;

#[path = "text_invariants.rs"]
mod text_invariants;

/// Places line `i` of `n`: its first byte moves it across the page, its length sets its width.
fn place(i: usize, n: usize, line: &str) -> [f32; 4] {
    let left = f32::from(line.bytes().next().unwrap_or(0) % 60) / 100.0;
    let top = i as f32 / (n + 1) as f32;
    let width = (line.chars().count() as f32 / 80.0).min(1.0 - left);
    [left, top, left + width, top + 0.02]
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let raw: Vec<&str> = text.lines().take(400).collect();
    let lines: Vec<TextLine> = raw
        .iter()
        .enumerate()
        .map(|(i, l)| TextLine::new(l, place(i, raw.len(), l), 0.9))
        .collect();
    text_invariants::check_text(&text);
    for line in raw.iter().take(16) {
        text_invariants::check_text(line);
    }
    for source in [TextSource::Ocr, TextSource::TextLayer] {
        let one = [PageText::new(0, source, lines.clone())];
        let read = metadata::extract(&one, &[], None);
        if source == TextSource::TextLayer {
            text_invariants::check_writers(read, &raw);
        }
        let (a, b) = lines.split_at(lines.len() / 2);
        let two = [
            PageText::new(0, source, a.to_vec()),
            PageText::new(1, source, b.to_vec()),
        ];
        let _ = metadata::extract(&two, &[], None);
    }
});
