//! Scores recognised page texts against their truth: CER, WER and bag-of-words F1, summed over
//! the pages of each label (edits over reference characters or words, not a mean of page
//! rates, so a long page weighs as much as its text).
//!
//! ```text
//! cargo run --release --example ocr_score -- MANIFEST.tsv
//! ```
//!
//! Each manifest line is `LABEL<TAB>TRUTH.txt<TAB>HYPOTHESIS.txt`; a missing hypothesis file is
//! an empty reading. A page may be listed under several labels (e.g. `kyso`, `kyso gray`).
//! Prints one JSON object a label, in the order labels first appear. Used by
//! benches/degraded_bench.sh.

use std::collections::BTreeMap;

use kyso::ocr::{bag_of_words, char_edits, word_edits, BagOfWords};
use rayon::prelude::*;

#[derive(Default)]
struct Sum {
    pages: usize,
    char_edits: usize,
    chars: usize,
    word_edits: usize,
    words: usize,
    bag: BagOfWords,
}

fn main() {
    let Some(manifest) = std::env::args().nth(1) else {
        eprintln!("usage: ocr_score MANIFEST.tsv");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(&manifest).unwrap_or_else(|e| {
        eprintln!("{manifest}: {e}");
        std::process::exit(2);
    });
    let rows: Vec<(&str, &str, &str)> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut f = l.splitn(3, '\t');
            match (f.next(), f.next(), f.next()) {
                (Some(a), Some(b), Some(c)) => (a, b, c),
                _ => {
                    eprintln!("{manifest}: not LABEL<TAB>TRUTH<TAB>HYPOTHESIS: {l:?}");
                    std::process::exit(2);
                }
            }
        })
        .collect();
    let scored: Vec<(usize, usize, usize, usize, BagOfWords)> = rows
        .par_iter()
        .map(|(_, truth, hyp)| {
            let truth = std::fs::read_to_string(truth).unwrap_or_else(|e| {
                eprintln!("{truth}: {e}");
                std::process::exit(2);
            });
            let hyp = std::fs::read_to_string(hyp).unwrap_or_default();
            let (ce, cl) = char_edits(&truth, &hyp);
            let (we, wl) = word_edits(&truth, &hyp);
            (ce, cl, we, wl, bag_of_words(&truth, &hyp))
        })
        .collect();
    let mut order: Vec<&str> = Vec::new();
    let mut sums: BTreeMap<&str, Sum> = BTreeMap::new();
    for ((label, _, _), (ce, cl, we, wl, bag)) in rows.iter().zip(scored) {
        if !sums.contains_key(label) {
            order.push(label);
        }
        let s = sums.entry(label).or_default();
        s.pages += 1;
        s.char_edits += ce;
        s.chars += cl;
        s.word_edits += we;
        s.words += wl;
        s.bag = s.bag + bag;
    }
    for label in order {
        let s = &sums[label];
        let json = serde_json::json!({
            "label": label,
            "pages": s.pages,
            "cer": s.char_edits as f64 / s.chars.max(1) as f64,
            "wer": s.word_edits as f64 / s.words.max(1) as f64,
            "bow_f1": s.bag.f1(),
            "chars": s.chars,
        });
        println!("{json}");
    }
}
