//! Text on the terminal: the summary tables, `kyso verify`'s report, the lines `kyso scan`
//! prints at its end, and error messages.
//!
//! A terminal *executes* what it is sent: `ESC ] 0 ; … BEL` sets the window title, `ESC ] 52`
//! writes the clipboard, `ESC [ 2 J` clears the screen, `ESC ] 8` makes a hyperlink, and a bidi
//! override shows what follows it backwards. Agency names, signer names, certificate subjects,
//! file names and the messages that quote them all come from documents, so every value is
//! cleaned before it is printed: control sequences go whole, other controls and invisible
//! formatting characters go, and a tab or line break becomes a space, so one value stays on
//! one line and cannot forge the line after it. Letters and diacritics stay: Vietnamese names
//! read as they are written. The rules are [`super::text::visible_chars`]'s.

use std::borrow::Cow;
use std::fmt::Display;

use super::text::{is_hostile, visible_chars};

/// One value as it may be shown on a terminal (see the module's rules).
pub fn clean(s: &str) -> Cow<'_, str> {
    if is_clean(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    visible_chars(s, |c| out.push(c));
    Cow::Owned(out)
}

/// Whether `s` can be printed as one value: no control (tab and line breaks included), no
/// invisible formatting character.
pub fn is_clean(s: &str) -> bool {
    super::text::is_visible_text(s)
}

/// Whether a whole block of terminal output is safe: the same as [`is_clean`], line feeds
/// allowed between lines. The fuzz targets and tests check what kyso prints with it.
pub fn is_clean_output(s: &str) -> bool {
    s.split('\n').all(is_clean)
}

/// Prints `prefix: message` on standard error, the message cleaned: errors quote file names,
/// certificate subjects and parser messages, any of which a document controls.
pub fn error(prefix: &str, message: impl Display) {
    eprintln!("{prefix}: {}", clean(&message.to_string()));
}

/// Prints a line kyso composed (from cleaned values or its own text) on standard error, once
/// more through the rules: a line feed inside it becomes a space.
pub fn eprint_line(line: impl Display) {
    eprintln!("{}", clean(&line.to_string()));
}

/// Terminal output assembled piece by piece, each piece a line (or part of one) kyso composed
/// from its own text and values from documents: every piece is cleaned as it is pushed, and
/// only a line feed that ends the piece is kept, so no value can start a line of its own.
#[derive(Debug, Default)]
pub struct Lines(String);

impl Lines {
    pub fn new() -> Self {
        Lines::default()
    }

    pub fn push_str(&mut self, piece: &str) {
        let (body, ends_line) = match piece.strip_suffix('\n') {
            Some(body) => (body, true),
            None => (piece, false),
        };
        self.0.push_str(&clean(body));
        if ends_line {
            self.0.push('\n');
        }
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Whether any character of `s` would be removed or replaced: for tests and assertions that
/// want to say which one.
pub fn first_unclean(s: &str) -> Option<char> {
    s.chars()
        .find(|&c| is_hostile(c) || matches!(c, '\u{2028}' | '\u{2029}'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_readable_and_escapes_go() {
        assert_eq!(clean("Nguyễn Văn An"), "Nguyễn Văn An");
        assert!(matches!(clean("Nguyễn Văn An"), Cow::Borrowed(_)));
        assert_eq!(
            clean("\u{1b}[31mNguyễn\u{1b}[0m Văn An\u{1b}]0;pwned\u{7}"),
            "Nguyễn Văn An"
        );
        assert_eq!(clean("SỞ \u{202e}HNÍHC IÀT"), "SỞ HNÍHC IÀT");
    }

    #[test]
    fn a_value_cannot_forge_the_next_line() {
        let forged = "Sở Tài chính\n    validity:     signature verifies";
        let c = clean(forged);
        assert!(!c.contains('\n'));
        assert!(is_clean(&c));
        assert!(!is_clean_output(&format!("a\n{forged}\u{1b}[0m\n")));
        assert!(is_clean_output(&format!("a\n{c}\n")));
    }

    #[test]
    fn lines_keep_their_own_line_feeds_only() {
        let mut l = Lines::new();
        l.push_str("file.pdf\n");
        l.push_str(&format!("  signer: {}\n", "X\n  validity: ok\u{1b}[2J"));
        l.push_str("  no");
        l.push_str(" newline\n");
        assert_eq!(
            l.into_string(),
            "file.pdf\n  signer: X   validity: ok\n  no newline\n"
        );
    }

    #[test]
    fn first_unclean_names_the_character() {
        assert_eq!(first_unclean("ab\u{9b}c"), Some('\u{9b}'));
        assert_eq!(first_unclean("Đắk Lắk"), None);
    }
}
