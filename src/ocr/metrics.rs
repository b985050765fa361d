//! How close a recognised text is to the truth: character and word error rates, and a
//! bag-of-words F1 that ignores reading order.
//!
//! All three compare NFC text with whitespace collapsed, so line breaks and the blank lines
//! between blocks do not count; the order of the text does, for CER and WER (a header read
//! line by line across both columns costs characters even when every word is right), and does
//! not for the bag of words (which words were read, each as often as printed).

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

/// Normalises text for comparison: NFC, and every run of whitespace collapsed to one space.
pub fn normalize_for_cer(text: &str) -> Vec<char> {
    let nfc: String = text.nfc().collect();
    let mut out = Vec::with_capacity(nfc.len());
    for word in nfc.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars());
    }
    out
}

/// The words of a text: NFC, split at whitespace.
fn words(text: &str) -> Vec<String> {
    let nfc: String = text.nfc().collect();
    nfc.split_whitespace().map(str::to_string).collect()
}

/// Levenshtein distance between two sequences. Two rows are enough: pages run to a few
/// thousand characters, a full matrix would not fit.
fn edit_distance<T: PartialEq>(r: &[T], h: &[T]) -> usize {
    let mut prev: Vec<usize> = (0..=h.len()).collect();
    let mut cur = vec![0usize; h.len() + 1];
    for (i, rc) in r.iter().enumerate() {
        cur[0] = i + 1;
        for (j, hc) in h.iter().enumerate() {
            let sub = prev[j] + usize::from(rc != hc);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[h.len()]
}

/// Character edits between the normalised texts and the reference's length in characters, for
/// rates over many pages (sum the edits, sum the lengths).
pub fn char_edits(reference: &str, hypothesis: &str) -> (usize, usize) {
    let r = normalize_for_cer(reference);
    let h = normalize_for_cer(hypothesis);
    (edit_distance(&r, &h), r.len())
}

/// Word edits between the texts and the reference's length in words.
pub fn word_edits(reference: &str, hypothesis: &str) -> (usize, usize) {
    let r = words(reference);
    let h = words(hypothesis);
    (edit_distance(&r, &h), r.len())
}

fn rate((edits, len): (usize, usize), empty_hypothesis: bool) -> f64 {
    if len == 0 {
        return if empty_hypothesis { 0.0 } else { 1.0 };
    }
    edits as f64 / len as f64
}

/// Character error rate: Levenshtein distance between the normalised texts (see
/// [`normalize_for_cer`]) over the reference length. 0.0 is perfect; it can exceed 1.0 when the
/// hypothesis is much longer than the reference. An empty reference gives 0.0 for an empty
/// hypothesis and 1.0 otherwise.
pub fn cer(reference: &str, hypothesis: &str) -> f64 {
    rate(
        char_edits(reference, hypothesis),
        hypothesis.trim().is_empty(),
    )
}

/// Word error rate: the same over words (NFC, split at whitespace; punctuation stays part of
/// its word, as printed).
pub fn wer(reference: &str, hypothesis: &str) -> f64 {
    rate(
        word_edits(reference, hypothesis),
        hypothesis.trim().is_empty(),
    )
}

/// The words two texts share, each counted as often as it occurs in both (multiset
/// intersection), with each text's word count: precision is `matched / hypothesis`, recall
/// `matched / reference`. Sum them over pages for a corpus's F1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BagOfWords {
    pub matched: usize,
    pub reference: usize,
    pub hypothesis: usize,
}

/// Counts summed over pages.
impl std::ops::Add for BagOfWords {
    type Output = BagOfWords;

    fn add(self, other: BagOfWords) -> BagOfWords {
        BagOfWords {
            matched: self.matched + other.matched,
            reference: self.reference + other.reference,
            hypothesis: self.hypothesis + other.hypothesis,
        }
    }
}

impl BagOfWords {
    /// The harmonic mean of precision and recall (1.0 for two empty texts).
    pub fn f1(&self) -> f64 {
        if self.reference + self.hypothesis == 0 {
            return 1.0;
        }
        2.0 * self.matched as f64 / (self.reference + self.hypothesis) as f64
    }
}

/// The bag-of-words comparison of two texts.
pub fn bag_of_words(reference: &str, hypothesis: &str) -> BagOfWords {
    let r = words(reference);
    let h = words(hypothesis);
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for w in &r {
        *counts.entry(w.as_str()).or_default() += 1;
    }
    let mut matched = 0;
    for w in &h {
        if let Some(n) = counts.get_mut(w.as_str()).filter(|n| **n > 0) {
            *n -= 1;
            matched += 1;
        }
    }
    BagOfWords {
        matched,
        reference: r.len(),
        hypothesis: h.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cer_is_zero_for_texts_that_differ_only_in_whitespace() {
        assert_eq!(cer("Cộng hoà  xã\nhội", " Cộng hoà xã hội \n"), 0.0);
    }

    #[test]
    fn cer_treats_combining_and_precomposed_vietnamese_alike() {
        // "ộ" precomposed vs "o" + combining circumflex + combining dot below.
        assert_eq!(cer("Cộng", "Co\u{302}\u{323}ng"), 0.0);
    }

    #[test]
    fn cer_counts_edits_over_reference_length() {
        assert!((cer("abcd", "abxd") - 0.25).abs() < 1e-9);
        assert!((cer("abcd", "abd") - 0.25).abs() < 1e-9);
        assert!((cer("abcd", "") - 1.0).abs() < 1e-9);
        assert_eq!(cer("", ""), 0.0);
        assert_eq!(cer("", "x"), 1.0);
    }

    #[test]
    fn wer_counts_whole_words_and_a_lost_diacritic_costs_one() {
        assert!((wer("Sở Nội vụ tỉnh", "Sở Noi vụ tỉnh") - 0.25).abs() < 1e-9);
        assert!((wer("a b c d", "a c d") - 0.25).abs() < 1e-9);
        assert_eq!(wer("a  b\nc", "a b c"), 0.0);
    }

    #[test]
    fn bag_of_words_ignores_order_but_counts_repeats() {
        // Columns read across: every word right, the order wrong.
        let truth = "UBND TỈNH\nSỞ TÀI CHÍNH\n\nCỘNG HÒA\nĐộc lập";
        let across = "UBND TỈNH CỘNG HÒA SỞ TÀI CHÍNH Độc lập";
        assert_eq!(bag_of_words(truth, across).f1(), 1.0);
        assert!(cer(truth, across) > 0.2);
        // "ngày ngày" read once: one of two matched.
        let b = bag_of_words("ngày ngày", "ngày");
        assert_eq!((b.matched, b.reference, b.hypothesis), (1, 2, 1));
        assert!((b.f1() - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(bag_of_words("", "").f1(), 1.0);
        assert_eq!(bag_of_words("a", "").f1(), 0.0);
    }
}
