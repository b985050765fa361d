//! JSON outputs (`documents.jsonl`, `report.json`, `kyso export --format jsonl`,
//! `kyso verify --json`): the exact text, in a form every reader takes.
//!
//! JSON records are data, so text is kept as the document has it, with two exceptions:
//!
//! - **NUL** (`U+0000`) is written as `U+FFFD` (the replacement character). A NUL can come from
//!   a PDF (a UTF-16 text string or a ToUnicode CMap mapping a glyph to `0000`, a
//!   PDFDocEncoding byte 0) or from a certificate's strings; JSON can carry it as `\u0000`, but
//!   PostgreSQL's `jsonb` refuses it and C programs cut the string there.
//! - **Unpaired surrogates** cannot occur. kyso's text is Rust `String`s, which are valid
//!   UTF-8 and cannot hold a surrogate code point; every decoder on the way (lopdf's encodings
//!   and `decode_text_string`, kyso's own UTF-16 decoding of PDF text strings, the certificate
//!   string types) replaces an unpaired surrogate with `U+FFFD` or drops it. serde_json writes
//!   non-ASCII characters as UTF-8, never as `\uD8xx` escapes, so no writer can make one up.
//!
//! Characters that are hostile on a terminal or in a browser are written as `\u` escapes, which
//! keep the text exact for any JSON reader (`"\u001b"` *is* ESC) while `cat documents.jsonl`
//! or a JSON line pasted into a web page stays inert: every control (serde_json already escapes
//! C0; C1 and DEL are escaped here too), the bidi controls and other invisible formatting
//! characters, and `U+2028`/`U+2029`, which end a line in JavaScript before ES2019.

use std::io;

use serde::Serialize;
use serde_json::ser::{CharEscape, CompactFormatter, Formatter, PrettyFormatter};

/// Characters written as `\uXXXX` inside strings on top of what serde_json escapes.
fn escaped(c: char) -> bool {
    super::text::is_hostile(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

fn write_fragment<W: ?Sized + io::Write>(writer: &mut W, fragment: &str) -> io::Result<()> {
    let mut start = 0;
    for (i, c) in fragment.char_indices() {
        if escaped(c) {
            writer.write_all(&fragment.as_bytes()[start..i])?;
            // Characters above the basic plane that need escaping are tag characters
            // (U+E0001…): written as a surrogate pair, as JSON spells them.
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                write!(writer, "\\u{:04x}", u)?;
            }
            start = i + c.len_utf8();
        }
    }
    writer.write_all(&fragment.as_bytes()[start..])
}

fn write_escape<W: ?Sized + io::Write>(writer: &mut W, escape: CharEscape) -> io::Result<()> {
    match escape {
        // NUL becomes the replacement character (see the module's docs).
        CharEscape::AsciiControl(0) => writer.write_all(b"\\ufffd"),
        other => CompactFormatter.write_char_escape(writer, other),
    }
}

/// serde_json's compact format with the module's rules.
struct Compact;

impl Formatter for Compact {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        write_fragment(writer, fragment)
    }

    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        escape: CharEscape,
    ) -> io::Result<()> {
        write_escape(writer, escape)
    }
}

/// serde_json's pretty format (two-space indent) with the module's rules.
struct Pretty(PrettyFormatter<'static>);

impl Formatter for Pretty {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        write_fragment(writer, fragment)
    }

    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        escape: CharEscape,
    ) -> io::Result<()> {
        write_escape(writer, escape)
    }

    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Writes `value` as compact JSON (one line) with the module's rules.
pub fn to_writer<W: io::Write, T: ?Sized + Serialize>(
    writer: W,
    value: &T,
) -> serde_json::Result<()> {
    value.serialize(&mut serde_json::Serializer::with_formatter(writer, Compact))
}

/// `value` as compact JSON (one line) with the module's rules.
pub fn to_string<T: ?Sized + Serialize>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::with_capacity(256);
    to_writer(&mut out, value)?;
    // The formatter writes only UTF-8 (the value's strings and ASCII escapes).
    String::from_utf8(out).map_err(|e| serde::ser::Error::custom(e.to_string()))
}

/// `value` as indented JSON with the module's rules.
pub fn to_vec_pretty<T: ?Sized + Serialize>(value: &T) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(1024);
    value.serialize(&mut serde_json::Serializer::with_formatter(
        &mut out,
        Pretty(PrettyFormatter::new()),
    ))?;
    Ok(out)
}

/// Whether a JSON text is what the module's writers produce: no NUL anywhere once decoded, no
/// raw control, bidi or invisible formatting character, no unpaired surrogate escape.
pub fn is_safe_json(json: &str) -> bool {
    if json.chars().any(|c| c != '\n' && escaped(c)) {
        return false;
    }
    // Escapes: `\u0000` and surrogate escapes that are not a high–low pair.
    let b = json.as_bytes();
    let mut i = 0;
    let hex = |i: usize| {
        json.get(i..i + 4)
            .and_then(|h| u16::from_str_radix(h, 16).ok())
    };
    while i < b.len() {
        if b[i] == b'\\' {
            if b.get(i + 1) == Some(&b'u') {
                let Some(u) = hex(i + 2) else { return false };
                if u == 0 || (0xDC00..0xE000).contains(&u) {
                    return false;
                }
                if (0xD800..0xDC00).contains(&u) {
                    let low = (json.get(i + 6..i + 8) == Some("\\u"))
                        .then(|| hex(i + 8))
                        .flatten();
                    if !low.is_some_and(|l| (0xDC00..0xE000).contains(&l)) {
                        return false;
                    }
                    i += 12;
                    continue;
                }
                i += 6;
                continue;
            }
            i += 2;
            continue;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Probe<'a> {
        name: &'a str,
        list: Vec<&'a str>,
    }

    #[test]
    fn nul_becomes_the_replacement_character() {
        let json = to_string(&"a\u{0}b").unwrap();
        assert_eq!(json, "\"a\\ufffdb\"");
        assert_eq!(serde_json::from_str::<String>(&json).unwrap(), "a\u{fffd}b");
        assert!(is_safe_json(&json));
        assert!(!is_safe_json(&serde_json::to_string("a\u{0}b").unwrap()));
    }

    #[test]
    fn hostile_characters_are_escaped_and_read_back_exactly() {
        let s = "\u{1b}[31mNguyễn\u{9b}2J \u{202e}fdp.exe\u{2028}\u{e0041}\u{7f}";
        let json = to_string(&s).unwrap();
        assert!(!json.chars().any(escaped), "{json}");
        assert!(json.contains("\\u001b") && json.contains("\\u009b") && json.contains("\\u202e"));
        assert!(json.contains("\\udb40\\udc41"), "{json}");
        assert_eq!(serde_json::from_str::<String>(&json).unwrap(), s);
        assert!(is_safe_json(&json));
        // serde_json alone writes C1 and bidi raw.
        assert!(!is_safe_json(&serde_json::to_string(s).unwrap()));
    }

    #[test]
    fn layout_is_serde_jsons() {
        let p = Probe {
            name: "Sở Tài chính",
            list: vec!["a", "\"b\""],
        };
        assert_eq!(to_string(&p).unwrap(), serde_json::to_string(&p).unwrap());
        assert_eq!(
            to_vec_pretty(&p).unwrap(),
            serde_json::to_vec_pretty(&p).unwrap()
        );
    }

    #[test]
    fn unpaired_surrogate_escapes_are_caught() {
        assert!(!is_safe_json("\"\\ud800\""));
        assert!(!is_safe_json("\"\\udc00x\""));
        assert!(is_safe_json("\"\\ud83d\\ude00\""));
        // What the decoders make of an unpaired surrogate.
        let decoded = String::from_utf16_lossy(&[0x0053, 0xD800, 0x0062]);
        assert_eq!(decoded, "S\u{fffd}b");
        assert!(is_safe_json(&to_string(&decoded).unwrap()));
    }
}
