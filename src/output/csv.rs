//! CSV cells (`report.csv`, `kyso export --format circular02`): text that cannot become a
//! formula.
//!
//! Spreadsheet programs run a cell whose text starts with `=`, `+`, `-` or `@` as a formula,
//! and some also after a leading tab or carriage return: `=HYPERLINK("http://x.test","bam")`
//! in a document's subject becomes a live link, `=cmd|' /C calc'!A0` a command (CSV or
//! formula injection). Every *text* cell kyso writes goes through [`neutralize`], which is the
//! rule OWASP recommends: such a cell gets a leading apostrophe (`'=HYPERLINK(…)`), which
//! spreadsheets read as "this is text". Numbers kyso computes itself (counts, rates, page
//! counts) are written as they are: a writer passes only its text cells through this module.
//!
//! The rule is reversible. A cell that starts with apostrophes followed by a formula prefix
//! gets one more apostrophe, so a tool that knows the rule gets the original back with
//! [`restore`]: drop one leading `'` when the apostrophes are followed by a formula prefix.
//!
//! | original            | in the CSV           |
//! |---------------------|----------------------|
//! | `=1+1`              | `'=1+1`              |
//! | `'=1+1`             | `''=1+1`             |
//! | `-5 %`              | `'-5 %`              |
//! | `'quoted'`          | `'quoted'`           |
//! | `Sở Tài chính`      | `Sở Tài chính`       |
//!
//! Text cells also lose control characters other than tab and line breaks, control sequences
//! and invisible formatting ([`super::text`]): a spreadsheet shows them as garbage and a
//! terminal (`kyso export` writes to standard output) would run them. Metadata values never
//! have any (docs/record.md); a file name can.

use std::borrow::Cow;

use super::text::visible_chars;

/// The characters that make a spreadsheet read a cell as a formula (OWASP's list).
pub const FORMULA_PREFIXES: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether a cell's text, as a spreadsheet reads it, starts a formula.
pub fn starts_formula(cell: &str) -> bool {
    cell.starts_with(FORMULA_PREFIXES)
}

/// Whether the text after any leading apostrophes starts a formula: those cells get one more
/// apostrophe, so that [`restore`] is exact.
fn needs_apostrophe(s: &str) -> bool {
    starts_formula(s.trim_start_matches('\''))
}

/// A text cell's value with its formula prefix defused (the module's rule).
pub fn neutralize(s: &str) -> Cow<'_, str> {
    if needs_apostrophe(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// The original text of a cell [`neutralize`] wrote.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_apostrophe(rest) => rest,
        _ => cell,
    }
}

/// A text value as kyso writes it in a CSV cell, before quoting: control characters other
/// than tab and line breaks removed (with control sequences and invisible formatting), then
/// [`neutralize`]d.
pub fn text(s: &str) -> Cow<'_, str> {
    let has_hostile = s
        .chars()
        .any(|c| super::text::is_hostile(c) && !matches!(c, '\t' | '\n' | '\r'));
    if !has_hostile {
        return neutralize(s);
    }
    let mut visible = String::with_capacity(s.len());
    // Keep tab and line breaks where they were: the cell holds them, quoted.
    let mut rest = s;
    while let Some(i) = rest.find(['\t', '\n', '\r']) {
        visible_chars(&rest[..i], |c| visible.push(c));
        visible.push_str(&rest[i..i + 1]);
        rest = &rest[i + 1..];
    }
    visible_chars(rest, |c| visible.push(c));
    Cow::Owned(neutralize(&visible).into_owned())
}

/// A text cell for a CSV line assembled by hand: [`text`], then quoted as RFC 4180 asks when
/// it holds a comma, a quote or a line break.
pub fn text_field(s: &str) -> String {
    let s = text(s);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_prefixes_get_an_apostrophe() {
        for (s, cell) in [
            ("=1+1", "'=1+1"),
            ("+84 912 345 678", "'+84 912 345 678"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(1+1)", "'@SUM(1+1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("Sở Tài chính", "Sở Tài chính"),
            ("123/QĐ-UBND", "123/QĐ-UBND"),
            ("", ""),
        ] {
            assert_eq!(neutralize(s), cell, "{s:?}");
            assert!(!starts_formula(&neutralize(s)));
        }
    }

    #[test]
    fn the_rule_is_reversible() {
        for s in [
            "=1+1", "'=1+1", "''=1+1", "'", "''", "'quoted'", "-", "@", "'-", "Sở", "", "a'=b",
            "\t", "'\t",
        ] {
            let cell = neutralize(s);
            assert_eq!(restore(&cell), s, "{s:?} → {cell:?}");
        }
        // What the rule never writes is read as it is.
        assert_eq!(restore("'Sở"), "'Sở");
    }

    #[test]
    fn text_cells_lose_controls_but_keep_line_breaks() {
        assert_eq!(text("\u{1b}[31m=1+1"), "'=1+1");
        assert_eq!(text("a\u{202e}b\n\u{0}c"), "ab\nc");
        assert_eq!(text("\u{1b}]0;x\u{7}\t=1"), "'\t=1");
    }

    #[test]
    fn fields_are_quoted_as_rfc_4180_asks() {
        assert_eq!(text_field("a,b"), "\"a,b\"");
        assert_eq!(text_field("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(text_field("=1+1"), "'=1+1");
        assert_eq!(
            text_field("=HYPERLINK(\"http://x.test\",\"bam\")"),
            "\"'=HYPERLINK(\"\"http://x.test\"\",\"\"bam\"\")\""
        );
        assert_eq!(text_field("Sở"), "Sở");
    }
}
