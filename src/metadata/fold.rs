//! Diacritic- and case-folding that keeps positions, so a pattern found in the folded text
//! (where "Sô:", "SỐ:" and "So:" all read "so:") can be cut from the text as printed.

use unicode_normalization::UnicodeNormalization;

/// Folds one character: base letter of its canonical decomposition, lower case, đ → d.
/// Always exactly one character out, which is what keeps positions aligned.
pub fn fold_char(c: char) -> char {
    let base = match c {
        'đ' | 'Đ' => 'd',
        // Letters OCR writes for đ when it misses the bar's shape.
        'ð' | 'Ð' => 'd',
        _ => c.nfd().next().unwrap_or(c),
    };
    base.to_lowercase().next().unwrap_or(base)
}

/// The whole string folded: "Ủy ban" → "uy ban".
pub fn fold(s: &str) -> String {
    s.nfc().map(fold_char).collect()
}

/// A folded copy of a text that remembers where each of its bytes came from.
pub struct Folded<'a> {
    pub original: &'a str,
    pub folded: String,
    /// For each byte of `folded`, the byte offset of its character in `original`; one more
    /// entry at the end for the end of `original`.
    map: Vec<usize>,
}

impl<'a> Folded<'a> {
    /// `original` should be NFC (every [`super::TextLine`] is).
    pub fn new(original: &'a str) -> Self {
        let mut folded = String::with_capacity(original.len());
        let mut map = Vec::with_capacity(original.len() + 1);
        for (i, c) in original.char_indices() {
            let f = fold_char(c);
            folded.push(f);
            map.extend(std::iter::repeat_n(i, f.len_utf8()));
        }
        map.push(original.len());
        Folded {
            original,
            folded,
            map,
        }
    }

    /// The original text under a byte range of the folded text.
    pub fn original_of(&self, start: usize, end: usize) -> &'a str {
        let s = self.map.get(start).copied().unwrap_or(self.original.len());
        let e = self.map.get(end).copied().unwrap_or(self.original.len());
        self.original.get(s..e.max(s)).unwrap_or("")
    }
}

/// Folded, with everything but letters and digits turned into single spaces: the form in
/// which two spellings of a heading are compared.
pub fn words(s: &str) -> String {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Levenshtein distance over characters, for headings damaged by OCR.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Whether `text` (already in [`words`] form) reads as `target` allowing the damage OCR does to
/// a heading of that length: one edit per six characters.
pub fn close_to(text: &str, target: &str) -> bool {
    let allowed = target.chars().count() / 6;
    text.chars().count().abs_diff(target.chars().count()) <= allowed
        && edit_distance(text, target) <= allowed
}

/// Whether the letters of a line are (nearly) all capitals: headings, titles and signer
/// titles are printed so, body text and names are not.
pub fn is_upper(s: &str) -> bool {
    let letters: Vec<char> = s.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() < 2 {
        return false;
    }
    let upper = letters.iter().filter(|c| c.is_uppercase()).count();
    upper * 10 >= letters.len() * 9
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_tones_case_and_the_barred_d() {
        assert_eq!(fold("Ủy ban nhân dân"), "uy ban nhan dan");
        assert_eq!(fold("UỶ BAN"), fold("ỦY BAN"));
        assert_eq!(fold("QĐ-UBND"), "qd-ubnd");
        assert_eq!(fold("Sô:"), fold("Số:"));
    }

    #[test]
    fn folded_positions_map_back_to_the_printed_text() {
        let f = Folded::new("Số: 123/QĐ-STC");
        let at = f.folded.find("qd").unwrap();
        assert_eq!(f.original_of(at, at + 5), "QĐ-ST");
    }

    #[test]
    fn headings_damaged_by_one_letter_still_match() {
        assert!(close_to(&words("QUYÉT ĐJNH"), &words("QUYẾT ĐỊNH")));
        assert!(!close_to(&words("THÔNG BÁO"), &words("BÁO CÁO")));
    }
}
