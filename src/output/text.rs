//! The characters no output should show as they are, and the field normalisation every
//! metadata value goes through. The other rules of this layer ([`super::terminal`],
//! [`super::csv`], [`super::json`], [`super::markup`]) are built on these.
//!
//! Three families of characters are hostile or useless in text read from a document:
//!
//! - **controls** (Unicode category Cc: C0 `U+0000–001F`, DEL, C1 `U+0080–009F`), and the
//!   *sequences* they introduce: `ESC [ … final` (CSI), `ESC ] … BEL/ST` (OSC: window titles,
//!   hyperlinks, clipboard writes), `ESC P`/`X`/`^`/`_` strings, two- and three-byte escapes
//!   (`ESC c` resets the terminal), and their one-character C1 forms (`U+009B` is CSI);
//! - **bidirectional controls** (Unicode's Bidi_Control property: `U+061C`, `U+200E–200F`,
//!   `U+202A–202E`, `U+2066–2069`): an override such as `U+202E` shows the text after it
//!   backwards ("Trojan Source"), so a name can read as something it is not;
//! - other **invisible format characters** (category Cf: zero-width space, BOM, soft hyphen,
//!   tag characters…), which make two equal-looking names differ. The zero-width joiner and
//!   non-joiner are kept: some scripts need them to be spelled right.
//!
//! Letters, combining marks (Vietnamese diacritics, precomposed or not), punctuation and
//! symbols are never touched.

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// Unicode's Bidi_Control property (PropList.txt): exactly these twelve characters.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Invisible formatting (category Cf), the joiners excepted; the bidi controls are among them.
pub fn is_invisible_format(c: char) -> bool {
    !matches!(c, '\u{200C}' | '\u{200D}') && c.general_category() == GeneralCategory::Format
}

/// A character no output shows as it is: a control (Cc), or invisible formatting (Cf, bidi
/// controls included; joiners excepted).
pub fn is_hostile(c: char) -> bool {
    c.is_control() || is_invisible_format(c)
}

/// Controls that separate words (tab, line breaks, form feed, NEL): they become a space,
/// where the others simply go.
fn separates_words(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// What a control sequence's introducer starts.
enum Introducer {
    /// A control sequence: parameters and intermediates, then one final byte.
    Csi,
    /// A string (OSC, DCS, SOS, PM, APC): anything up to BEL or the string terminator.
    Str,
}

fn c1_introducer(c: char) -> Option<Introducer> {
    match c {
        '\u{9B}' => Some(Introducer::Csi),
        '\u{90}' | '\u{98}' | '\u{9D}' | '\u{9E}' | '\u{9F}' => Some(Introducer::Str),
        _ => None,
    }
}

/// Calls `keep` with every character of `s` that is not part of a control sequence. Sequences
/// go whole, as a terminal would consume them: an unterminated string sequence (OSC without BEL
/// or ST) runs to the end of the text, as it would on a terminal. Other characters, controls
/// included, are passed on.
pub fn without_sequences(s: &str, mut keep: impl FnMut(char)) {
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        let intro = if c == '\u{1B}' {
            match it.peek().copied() {
                Some('[') => {
                    it.next();
                    Some(Introducer::Csi)
                }
                Some(']' | 'P' | 'X' | '^' | '_') => {
                    it.next();
                    Some(Introducer::Str)
                }
                Some(n) if ('\u{20}'..='\u{2F}').contains(&n) => {
                    // nF escapes (`ESC ( B`): intermediates, then one final byte.
                    while it.next_if(|n| ('\u{20}'..='\u{2F}').contains(n)).is_some() {}
                    it.next_if(|n| ('\u{30}'..='\u{7E}').contains(n));
                    continue;
                }
                Some(n) if ('\u{30}'..='\u{7E}').contains(&n) => {
                    // Two-character escapes: `ESC c` (reset), `ESC 7`, `ESC M`…
                    it.next();
                    continue;
                }
                _ => continue,
            }
        } else {
            c1_introducer(c)
        };
        match intro {
            Some(Introducer::Csi) => {
                while it.next_if(|n| ('\u{20}'..='\u{3F}').contains(n)).is_some() {}
                it.next_if(|n| ('\u{40}'..='\u{7E}').contains(n));
            }
            Some(Introducer::Str) => {
                while let Some(n) = it.next() {
                    if n == '\u{07}' || n == '\u{9C}' {
                        break;
                    }
                    if n == '\u{1B}' && it.peek() == Some(&'\\') {
                        it.next();
                        break;
                    }
                }
            }
            None => keep(c),
        }
    }
}

/// Calls `keep` with every character of `s` that is not part of a control sequence
/// ([`without_sequences`]) and is not itself hostile; word-separating controls are passed on as
/// a space.
pub fn visible_chars(s: &str, mut keep: impl FnMut(char)) {
    without_sequences(s, |c| {
        if separates_words(c) {
            keep(' ')
        } else if !is_hostile(c) {
            keep(c)
        }
    })
}

/// Whether `s` holds the start of a control sequence (ESC, or a C1 introducer).
pub fn has_sequence(s: &str) -> bool {
    s.chars()
        .any(|c| c == '\u{1B}' || c1_introducer(c).is_some())
}

/// Whether `s` has nothing [`visible_chars`] would remove or change.
pub fn is_visible_text(s: &str) -> bool {
    !s.chars().any(|c| is_hostile(c) || separates_words(c))
}

/// How every metadata value is written to the record (docs/record.md, "Text hygiene"): control
/// sequences, controls and invisible formatting removed (a tab or line break becomes a space),
/// then Unicode NFC, then whitespace collapsed to single spaces and trimmed.
pub fn normalize_field(s: &str) -> String {
    let mut visible = String::with_capacity(s.len());
    visible_chars(s, |c| visible.push(c));
    // NFC after the removal, so a mark that a removed character separated from its letter
    // composes with it.
    let nfc: String = visible.nfc().collect();
    let mut out = String::with_capacity(nfc.len());
    for word in nfc.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Whether `s` is already what [`normalize_field`] makes of it.
pub fn is_normalized_field(s: &str) -> bool {
    normalize_field(s) == s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visible(s: &str) -> String {
        let mut out = String::new();
        visible_chars(s, |c| out.push(c));
        out
    }

    #[test]
    fn csi_osc_and_short_escapes_go_whole() {
        assert_eq!(visible("\u{1b}[31mĐỏ\u{1b}[0m"), "Đỏ");
        assert_eq!(visible("\u{1b}[38;5;196mX"), "X");
        assert_eq!(visible("\u{1b}]0;pwned\u{7}Tên"), "Tên");
        assert_eq!(
            visible("\u{1b}]8;;http://x.test\u{1b}\\link\u{1b}]8;;\u{1b}\\"),
            "link"
        );
        assert_eq!(visible("a\u{1b}cb"), "ab");
        assert_eq!(visible("a\u{1b}(Bb"), "ab");
        assert_eq!(visible("\u{9b}2JSở"), "Sở");
        assert_eq!(visible("\u{9d}0;t\u{9c}Sở"), "Sở");
        // An unterminated string swallows the rest, as it would on a terminal.
        assert_eq!(visible("Sở\u{1b}]0;title"), "Sở");
        // A lone ESC at the end, or before a character no escape uses.
        assert_eq!(visible("Sở\u{1b}"), "Sở");
        assert_eq!(visible("\u{1b}\u{1b}[1mB"), "B");
    }

    #[test]
    fn controls_and_bidi_go_and_line_breaks_become_spaces() {
        assert_eq!(visible("a\u{0}b\u{7}c\u{7f}d\u{85}e"), "abcd e");
        assert_eq!(visible("a\tb\nc\rd"), "a b c d");
        assert_eq!(visible("exe.\u{202e}fdp"), "exe.fdp");
        assert_eq!(visible("\u{2066}x\u{2069}\u{200f}"), "x");
        assert_eq!(visible("a\u{200b}b\u{feff}\u{ad}"), "ab");
        // Joiners stay.
        assert_eq!(visible("a\u{200d}b\u{200c}c"), "a\u{200d}b\u{200c}c");
    }

    #[test]
    fn vietnamese_is_untouched_precomposed_or_not() {
        let s = "ỦY BAN NHÂN DÂN TỈNH BẮC GIANG — Nguyễn Văn Ấn, “trích yếu” 123/QĐ-UBND";
        assert_eq!(visible(s), s);
        let decomposed: String = s.nfd().collect();
        assert_eq!(visible(&decomposed), decomposed);
        assert!(is_visible_text(s));
    }

    #[test]
    fn fields_are_nfc_single_spaced_and_control_free() {
        let decomposed: String = "Sở Tài chính".nfd().collect();
        assert_eq!(
            normalize_field(&format!("  {decomposed}\t\u{1b}[1m\n ")),
            "Sở Tài chính"
        );
        // A removed control between a letter and its mark: they compose.
        assert_eq!(normalize_field("o\u{0}\u{302}"), "ô");
        assert_eq!(normalize_field("\u{202e}=1+1"), "=1+1");
        assert!(is_normalized_field("Nguyễn Văn An"));
        assert!(!is_normalized_field("Nguyễn  Văn"));
        for s in ["\u{1b}]0;x", "\u{9b}", "a\u{202e}", "\u{0}"] {
            assert!(!is_visible_text(s), "{s:?}");
            assert!(is_visible_text(&normalize_field(s)));
        }
    }
}
