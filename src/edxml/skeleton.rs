//! The package without its attachments' base64: what the XML parser is given.
//!
//! A package is mostly base64 (the attachments travel inside it). Handing those megabytes to
//! the XML parser only to get their byte range back costs as much as reading the attachments,
//! so the base64 text is cut out first and its place remembered: the parser then reads a
//! skeleton of a few kilobytes. Only text that cannot change what the XML means is cut: a run
//! of base64 characters and whitespace (no `<`, `&`, `]` or anything else markup is made of)
//! that follows the start tag of an attachment's content element and ends at a `<`. After the
//! parse, every cut must sit in an element of that name that the skeleton shows empty; when one
//! does not (the run was in a comment, after the root, beside a child element...), the caller
//! parses the whole file instead, so the skeleton never accepts what the whole file would not.

use memchr::memchr_iter;

/// Local names of the elements whose text is an attachment's base64 (`CONTENT` in mod.rs).
pub(super) const CONTENT: [&str; 3] = ["ContentTransferEncoded", "Content", "value"];

/// One run of base64 cut out of the text.
#[derive(Debug, Clone)]
pub(super) struct Cut {
    /// Where it was, in the skeleton (the position right after the start tag's `>`).
    pub(super) at: usize,
    /// Where it is, in the text that was cut.
    pub(super) range: std::ops::Range<usize>,
}

/// Whether every byte is a base64 character or whitespace. Written as comparisons OR-ed over
/// blocks, which the compiler turns into vector code: this runs over every attachment byte.
fn all_base64_or_space(run: &[u8]) -> bool {
    let not_base64 = |b: u8| {
        let letter = (b | 0x20).wrapping_sub(b'a') < 26;
        let digit = b.wrapping_sub(b'0') < 10;
        let other = (b == b'+') | (b == b'/') | (b == b'=') | (b == b' ');
        let space = (b == b'\r') | (b == b'\n') | (b == b'\t');
        !(letter | digit | other | space)
    };
    run.chunks(256)
        .all(|block| !block.iter().fold(false, |bad, &b| bad | not_base64(b)))
}

/// The local name of the start tag that ends at `gt` (the index of its `>`), when it is a
/// plain start tag (not an end tag, an empty-element tag, a comment or a declaration).
fn start_tag_name(text: &[u8], gt: usize) -> Option<&[u8]> {
    let lt = text[..gt].iter().rposition(|&b| b == b'<')?;
    let tag = &text[lt + 1..gt];
    if tag.is_empty() || matches!(tag[0], b'/' | b'?' | b'!') || tag.ends_with(b"/") {
        return None;
    }
    let name_end = tag
        .iter()
        .position(|b| b.is_ascii_whitespace())
        .unwrap_or(tag.len());
    let name = &tag[..name_end];
    Some(match name.iter().rposition(|&b| b == b':') {
        Some(colon) => &name[colon + 1..],
        None => name,
    })
}

/// The skeleton of `text` and the runs cut out of it; `None` when nothing is worth cutting
/// (the caller then parses `text` itself). Runs shorter than `min_run` bytes stay in place.
pub(super) fn cut(text: &str, min_run: usize) -> Option<(String, Vec<Cut>)> {
    let bytes = text.as_bytes();
    let mut cuts: Vec<Cut> = Vec::new();
    let mut kept = 0; // bytes of `text` before `from` that stay in the skeleton, minus cuts
    let mut from = 0;
    for gt in memchr_iter(b'>', bytes) {
        if gt < from {
            continue;
        }
        let start = gt + 1;
        let Some(lt) = memchr::memchr(b'<', &bytes[start..]).map(|i| start + i) else {
            break;
        };
        if lt - start < min_run {
            continue;
        }
        let Some(name) = start_tag_name(bytes, gt) else {
            continue;
        };
        if !CONTENT.iter().any(|c| c.as_bytes() == name) {
            continue;
        }
        if !all_base64_or_space(&bytes[start..lt]) {
            continue;
        }
        kept += start - from;
        cuts.push(Cut {
            at: kept,
            range: start..lt,
        });
        from = lt;
    }
    if cuts.is_empty() {
        return None;
    }
    let removed: usize = cuts.iter().map(|c| c.range.len()).sum();
    let mut skeleton = String::with_capacity(text.len() - removed);
    let mut prev = 0;
    for c in &cuts {
        skeleton.push_str(&text[prev..c.range.start]);
        prev = c.range.end;
    }
    skeleton.push_str(&text[prev..]);
    Some((skeleton, cuts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_base64_after_a_content_start_tag_is_cut() {
        let text = "<a><b:ContentTransferEncoded x=\"1\">QUJD\nREVG</b:ContentTransferEncoded>\
                    <Content>AA&amp;AA</Content><Other>QUJDREVG</Other><!--<value>QUJD-->\
                    <value/>QUJD<value>QUJDREVG</value></a>";
        let (skeleton, cuts) = cut(text, 4).unwrap();
        assert_eq!(
            skeleton,
            "<a><b:ContentTransferEncoded x=\"1\"></b:ContentTransferEncoded>\
             <Content>AA&amp;AA</Content><Other>QUJDREVG</Other><!--<value>QUJD-->\
             <value/>QUJD<value></value></a>"
        );
        assert_eq!(cuts.len(), 2);
        assert_eq!(&text[cuts[0].range.clone()], "QUJD\nREVG");
        assert_eq!(
            &skeleton[..cuts[0].at],
            "<a><b:ContentTransferEncoded x=\"1\">"
        );
        assert_eq!(&text[cuts[1].range.clone()], "QUJDREVG");
        assert!(skeleton[..cuts[1].at].ends_with("<value>"));
        assert!(cut("<a><value>QUJD</value></a>", 16).is_none());
        // Anything but base64 and whitespace in the run keeps it in place.
        for odd in ["\u{1}", "]]", "é", "-", "\u{c}"] {
            let text = format!("<a><value>QUJD{odd}REVG</value></a>");
            assert!(cut(&text, 4).is_none(), "{odd:?}");
        }
        let every: String = ('A'..='Z').chain('a'..='z').chain('0'..='9').collect();
        assert!(all_base64_or_space(format!("{every}+/= \r\n\t").as_bytes()));
    }
}
