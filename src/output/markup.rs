//! Markup outputs: the HTML report (its tables, attributes and inline SVG with `<title>`
//! tooltips), hOCR (XHTML), ALTO (XML), and any XML kyso writes (an XMP packet would go
//! through it too). One escaper for element content and quoted attribute values alike.
//!
//! What the writers promise in exchange: document text goes only into element content and
//! into attribute values between double quotes; never into a `<script>` or `<style>`, a URL
//! attribute (`href`, `src`), an event handler or a comment. Inside the inline SVG, `<title>`
//! is an HTML integration point (its content is parsed as HTML), so it is escaped the same way
//! and a `</title><script>` in an agency name stays text.

/// Escapes text for XML and HTML, content and attribute values alike:
///
/// - `&`, `<`, `>`, `"` and `'` become references (`&#39;` for the apostrophe, which both
///   languages read), so text can close no element and no quoted attribute;
/// - tab, line feed and carriage return become character references, which XML parsers keep in
///   attribute values (a literal one is normalised to a space) and in content (a literal CR is
///   turned into a line feed): the text reads back exactly;
/// - control sequences (`ESC [ 31 m`, `ESC ] 0 ; … BEL`) are dropped whole, and characters XML
///   1.0 does not allow (the other C0 controls, `U+FFFE`, `U+FFFF`) are dropped,
///   and so are those it discourages and HTML calls parse errors (DEL and the C1 controls) and
///   the bidi controls (`U+202E` and its kin), which would show the text after them backwards.
pub fn escape_markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let push = |c: char| match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        '\t' => out.push_str("&#9;"),
        '\n' => out.push_str("&#10;"),
        '\r' => out.push_str("&#13;"),
        c if c.is_control() => {}
        '\u{FFFE}' | '\u{FFFF}' => {}
        c if super::text::is_bidi_control(c) => {}
        c => out.push(c),
    };
    if super::text::has_sequence(s) {
        // Escape sequences go whole (`ESC ] 0 ; title BEL`), not only their ESC.
        super::text::without_sequences(s, push);
    } else {
        s.chars().for_each(push);
    }
    out
}

/// The content-security-policy source that lets exactly this inline script run
/// (`'sha256-…'`): a page that names its script by hash runs no other inline script and no
/// event-handler attribute, so markup that got into it by mistake would still stay inert.
pub fn csp_script_hash(script: &str) -> String {
    use base64ct::Encoding;
    use sha2::Digest;
    let digest = sha2::Sha256::digest(script.as_bytes());
    format!("'sha256-{}'", base64ct::Base64::encode_string(&digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_hashes_are_csp_sources() {
        // `echo -n 'alert(1)' | openssl dgst -sha256 -binary | base64`
        assert_eq!(
            csp_script_hash("alert(1)"),
            "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
        );
    }

    #[test]
    fn text_is_escaped_for_html() {
        assert_eq!(
            escape_markup("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn nothing_closes_an_element_or_an_attribute() {
        for s in [
            "</script><script>alert(1)</script>",
            "\" onmouseover=\"alert(1)",
            "' onfocus='alert(1)",
            "</title><script>alert(1)</script>",
            "]]><!--",
        ] {
            let e = escape_markup(s);
            assert!(!e.contains(['<', '>', '"', '\'']), "{s} → {e}");
        }
    }

    #[test]
    fn forbidden_and_discouraged_characters_go_and_whitespace_is_referenced() {
        assert_eq!(escape_markup("a\u{1}b\u{7f}c\u{fffe}"), "abc");
        assert_eq!(
            escape_markup("\u{1b}]0;pwned\u{7}a\u{1b}[31mb\u{9b}2Jc"),
            "abc"
        );
        assert_eq!(escape_markup("exe.\u{202e}fdp"), "exe.fdp");
        assert_eq!(escape_markup("a\tb\r\nc"), "a&#9;b&#13;&#10;c");
        assert_eq!(escape_markup("Nguyễn Văn Ấn"), "Nguyễn Văn Ấn");
    }

    #[test]
    fn the_escaped_text_parses_back_in_an_attribute_and_in_content() {
        let s = "a\tb \"c\" <d> & 'e'\r\nỦY BAN";
        let xml = format!("<r a=\"{0}\">{0}</r>", escape_markup(s));
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let root = doc.root_element();
        assert_eq!(root.attribute("a"), Some(s));
        assert_eq!(root.text(), Some(s));
    }
}
