//! `/ByteRange` and `/Contents` rules, on the raw bytes.
//!
//! These are the checks that stop Universal Signature Forgery (a ByteRange that signs nothing
//! or points elsewhere), Signature Wrapping (the CMS moved out of the gap, other bytes put in
//! it) and the Incremental Saving Attack (bytes after the signed revision): the gap must be
//! exactly the `<hex>` string, the range must start at 0 and end where a revision ends.

use super::Coverage;

/// The signed ranges `(start, len)` and the decoded `/Contents` bytes.
pub type SignedParts = (Vec<(usize, usize)>, Vec<u8>);

/// The outcome of the ByteRange rules for one signature.
#[derive(Debug, Clone, PartialEq)]
pub struct ByteRangeCheck {
    pub coverage: Coverage,
    /// Every rule that failed, in words.
    pub problems: Vec<String>,
    /// The signed ranges `(start, len)` and the decoded `/Contents` bytes, when the ByteRange
    /// is well-formed enough to check the digest. `None` means the signature is malformed.
    pub usable: Option<SignedParts>,
    /// Where the signed bytes end (`c + d`), when usable.
    pub signed_end: Option<usize>,
    /// The ByteRange is usable but not the standard layout (see [`check_byte_range`]).
    pub nonstandard: bool,
}

impl ByteRangeCheck {
    fn malformed(problem: impl Into<String>) -> Self {
        ByteRangeCheck {
            coverage: Coverage::Partial,
            problems: vec![problem.into()],
            usable: None,
            signed_end: None,
            nonstandard: false,
        }
    }
}

/// Offsets just after every `%%EOF` marker and its end-of-line, in file order: the ends of
/// the file's revisions (the last one may be followed by junk).
pub fn revision_ends(bytes: &[u8]) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut from = 0;
    while let Some(pos) = find(bytes.get(from..).unwrap_or_default(), b"%%EOF") {
        let at = from + pos;
        let mut end = at + 5;
        // A revision's %%EOF follows its `startxref N`; the same bytes inside a stream do not
        // end anything and must not split the file into fake revisions.
        let before = bytes.get(at.saturating_sub(48)..at).unwrap_or_default();
        if find(before, b"startxref").is_none() {
            from = end;
            continue;
        }
        // One EOL may follow (CR, LF or CRLF); it belongs to the revision.
        if bytes.get(end) == Some(&b'\r') {
            end += 1;
        }
        if bytes.get(end) == Some(&b'\n') {
            end += 1;
        }
        ends.push(end);
        from = end;
    }
    ends
}

/// Is `end` the end of a revision: just after `%%EOF`, optionally followed by EOL bytes?
fn is_revision_end(bytes: &[u8], end: usize) -> bool {
    let Some(prefix) = bytes.get(..end) else {
        return false;
    };
    let trimmed = prefix
        .iter()
        .rposition(|&c| c != b'\r' && c != b'\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    // At most one CRLF worth of EOL, so a range cannot stretch over later blank lines.
    end - trimmed <= 2 && prefix.get(..trimmed).is_some_and(|p| p.ends_with(b"%%EOF"))
}

pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Applies the ByteRange rules to `byte_range` (as found in the signature dictionary).
/// `own_contents` is the dictionary's `/Contents` value as the structure gives it (`None` when
/// the signature was found by scanning the bytes).
///
/// The standard layout (two ranges from 0 to the end of a revision, around exactly the
/// `/Contents` hex string) is usable with full coverage. Any other layout whose ranges lie
/// inside the file is still checked, as pyHanko checks it: the digest over the bytes it names
/// with this dictionary's `/Contents`, with `coverage: partial` and the exact reason. Only a
/// ByteRange that names nothing checkable is malformed.
pub fn check_byte_range(
    bytes: &[u8],
    byte_range: Option<&[i64]>,
    own_contents: Option<&[u8]>,
) -> ByteRangeCheck {
    let Some(br) = byte_range else {
        return ByteRangeCheck::malformed("no /ByteRange in the signature dictionary");
    };
    if br.is_empty() || br.len() % 2 != 0 {
        return ByteRangeCheck::malformed(format!(
            "ByteRange must hold pairs of integers (four in the standard layout), found {}",
            br.len()
        ));
    }
    if br.iter().any(|&v| v < 0) {
        return ByteRangeCheck::malformed("ByteRange holds a negative number");
    }
    let mut ranges = Vec::with_capacity(br.len() / 2);
    for pair in br.chunks(2) {
        let (Ok(start), Ok(len)) = (usize::try_from(pair[0]), usize::try_from(pair[1])) else {
            return ByteRangeCheck::malformed("ByteRange value too large");
        };
        if start.checked_add(len).is_none() {
            return ByteRangeCheck::malformed("ByteRange value too large");
        }
        ranges.push((start, len));
    }
    let mut problems = Vec::new();
    // A signer that counted the file one byte longer than it wrote it: pyHanko hashes the
    // bytes that are there. Nothing unsigned follows, so the coverage is not affected.
    if let Some(last) = ranges.last_mut() {
        if last.0 + last.1 == bytes.len() + 1 && last.1 > 0 {
            last.1 -= 1;
            problems.push(format!(
                "ByteRange ends at {}, one byte past the end of the file ({} bytes): the \
                 missing byte is taken as absent, as pyHanko does",
                bytes.len() + 1,
                bytes.len()
            ));
        }
    }
    if let Some(&(start, len)) = ranges.iter().find(|&&(s, l)| s + l > bytes.len()) {
        return ByteRangeCheck::malformed(format!(
            "ByteRange ends at {}, after the end of the file ({})",
            start + len,
            bytes.len()
        ));
    }
    let standard = match ranges.as_slice() {
        [first, second] => standard_layout(bytes, *first, *second, own_contents),
        _ => Err(format!(
            "ByteRange holds {} integers ({} range{}), not the standard two ranges around \
             /Contents",
            br.len(),
            ranges.len(),
            if ranges.len() == 1 { "" } else { "s" }
        )),
    };
    match standard {
        Ok(mut ok) => {
            problems.append(&mut ok.problems);
            ok.problems = problems;
            ok
        }
        Err(reason) => {
            let Some(own) = own_contents.filter(|c| !c.is_empty()) else {
                problems.push(reason);
                return ByteRangeCheck {
                    coverage: Coverage::Partial,
                    problems,
                    usable: None,
                    signed_end: None,
                    nonstandard: false,
                };
            };
            problems.push(format!(
                "nonstandard ByteRange: {reason}; {}; the digest is checked over the bytes it \
                 names, with this dictionary's /Contents (as pyHanko does)",
                unsigned_bytes(bytes.len(), &ranges)
            ));
            ByteRangeCheck {
                coverage: Coverage::Partial,
                problems,
                signed_end: ranges.iter().map(|&(s, l)| s + l).max(),
                usable: Some((ranges, own.to_vec())),
                nonstandard: true,
            }
        }
    }
}

/// The bytes of the file no range covers, in words.
fn unsigned_bytes(len: usize, ranges: &[(usize, usize)]) -> String {
    let mut sorted: Vec<(usize, usize)> = ranges.iter().map(|&(s, l)| (s, s + l)).collect();
    sorted.sort();
    let mut holes = Vec::new();
    let mut at = 0;
    for (s, e) in sorted {
        if s > at {
            holes.push((at, s));
        }
        at = at.max(e);
    }
    if at < len {
        holes.push((at, len));
    }
    let total: usize = holes.iter().map(|(s, e)| e - s).sum();
    if holes.is_empty() {
        return "every byte of the file is signed".into();
    }
    let shown: Vec<String> = holes
        .iter()
        .take(4)
        .map(|(s, e)| format!("{s}–{e}"))
        .collect();
    format!(
        "not signed: bytes {}{} ({total} bytes in all)",
        shown.join(", "),
        if holes.len() > 4 { ", …" } else { "" }
    )
}

/// The standard layout: `[0 a c d]` around exactly this signature's `/Contents` hex string.
/// `Err` says what is not standard about it.
fn standard_layout(
    bytes: &[u8],
    (a, b): (usize, usize),
    (c, d): (usize, usize),
    own_contents: Option<&[u8]>,
) -> Result<ByteRangeCheck, String> {
    if a != 0 {
        return Err(format!("the first range starts at {a}, not 0"));
    }
    let gap_start = a + b;
    let end = c + d;
    if gap_start > c {
        return Err(format!(
            "the ranges overlap (the first ends at {gap_start}, the second starts at {c})"
        ));
    }
    let gap = bytes.get(gap_start..c).unwrap_or_default();
    let mut problems = Vec::new();
    let hex_digits = match (gap.first(), gap.last()) {
        (Some(b'<'), Some(b'>')) if gap.len() >= 2 => gap.get(1..gap.len() - 1).unwrap_or_default(),
        // Some signers (pdf.js's samples) leave the brackets inside the signed ranges and the
        // gap holds only the digits: just as tight, since every other byte is still signed.
        _ if gap_start > 0
            && bytes.get(gap_start - 1) == Some(&b'<')
            && bytes.get(c) == Some(&b'>') =>
        {
            problems.push(
                "ByteRange gap excludes only the hex digits of /Contents (its brackets are signed)"
                    .to_string(),
            );
            gap
        }
        _ => {
            return Err(format!(
                "the gap (bytes {gap_start}–{c}) is not exactly the /Contents hex string (no '<' … \
                 '>' at its edges)"
            ))
        }
    };
    if let Some(p) = hex_digits.iter().position(|c| !c.is_ascii_hexdigit()) {
        let at = gap_start + 1 + p;
        return Err(if hex_digits.get(p) == Some(&b'>') {
            format!(
                "the gap (bytes {gap_start}–{c}) is larger than the /Contents hex string, which \
                 ends at byte {}: the {} bytes after it are not signed",
                at + 1,
                c - at - 1
            )
        } else {
            format!("the gap (bytes {gap_start}–{c}) holds a byte that is not a hex digit at {at}")
        });
    }
    if hex_digits.len() % 2 != 0 {
        return Err("/Contents has an odd number of hex digits".into());
    }
    let Ok(contents) = hex::decode(hex_digits) else {
        return Err("/Contents is not hex".into());
    };
    // The gap must hold this dictionary's own /Contents: a ByteRange copied from another
    // signature passes every rule on the raw bytes, but signs (and verifies) that other
    // signature's CMS, not this one's (Universal Signature Forgery, "ByteRange elsewhere").
    if own_contents.is_some_and(|own| own != contents.as_slice()) {
        return Err(
            "the ByteRange gap is not this signature's /Contents: it names other bytes".into(),
        );
    }
    let brackets_signed = !problems.is_empty();
    let coverage = if brackets_signed {
        // pyHanko rates this layout partial: the gap is not the whole /Contents value.
        Coverage::Partial
    } else if end == bytes.len() {
        Coverage::EntireFile
    } else if is_revision_end(bytes, end) {
        problems.push(format!(
            "{} bytes follow the signed revision",
            bytes.len() - end
        ));
        Coverage::EntireRevision
    } else {
        problems.push(format!(
            "ByteRange does not end where a revision ends (%%EOF): bytes {end}–{} are not signed \
             and are not an incremental update",
            bytes.len()
        ));
        Coverage::Partial
    };
    Ok(ByteRangeCheck {
        coverage,
        problems,
        usable: Some((vec![(a, b), (c, d)], contents)),
        signed_end: Some(end),
        nonstandard: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal signed-looking byte string: 10 bytes, `<abcd>` (6 bytes), the tail.
    fn sample(tail: &[u8]) -> Vec<u8> {
        let mut v = b"%PDF-1.7\n/".to_vec();
        v.extend_from_slice(b"<abcd>");
        v.extend_from_slice(tail);
        v
    }

    #[test]
    fn range_covering_all_but_the_hex_string_is_entire_file() {
        let bytes = sample(b" trailer\n%%EOF\n");
        let len = bytes.len() as i64;
        let r = check_byte_range(&bytes, Some(&[0, 10, 16, len - 16]), None);
        assert_eq!(r.coverage, Coverage::EntireFile);
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.usable.unwrap().1, vec![0xab, 0xcd]);
    }

    #[test]
    fn range_not_starting_at_zero_is_malformed() {
        let bytes = sample(b"%%EOF");
        let r = check_byte_range(&bytes, Some(&[1, 9, 16, 5]), None);
        assert!(r.usable.is_none());
        assert_eq!(
            r.problems,
            vec!["the first range starts at 1, not 0".to_string()]
        );
    }

    #[test]
    fn nonstandard_range_with_the_dictionary_contents_is_checked_as_partial() {
        let bytes = sample(b"%%EOF");
        let r = check_byte_range(&bytes, Some(&[0, 5]), Some(&[0xab, 0xcd]));
        assert_eq!(r.coverage, Coverage::Partial);
        assert!(r.nonstandard);
        assert_eq!(r.usable, Some((vec![(0, 5)], vec![0xab, 0xcd])));
        assert!(
            r.problems[0].contains("1 range") && r.problems[0].contains("not signed: bytes 5–21"),
            "{:?}",
            r.problems
        );
        // The gap swallowing more than the hex string is named exactly.
        let bytes = b"%PDF-1.7\n/<abcd> /X 1>%%EOF".to_vec();
        let r = check_byte_range(&bytes, Some(&[0, 10, 22, 5]), Some(&[0xab, 0xcd]));
        assert!(r.nonstandard);
        assert!(
            r.problems[0].contains("larger than the /Contents hex string, which ends at byte 16"),
            "{:?}",
            r.problems
        );
    }

    #[test]
    fn range_ending_one_byte_past_the_end_hashes_what_is_there() {
        let bytes = sample(b" trailer\n%%EOF");
        let len = bytes.len() as i64;
        let r = check_byte_range(&bytes, Some(&[0, 10, 16, len - 16 + 1]), None);
        assert_eq!(r.coverage, Coverage::EntireFile);
        assert_eq!(r.usable.unwrap().0, vec![(0, 10), (16, bytes.len() - 16)]);
        assert!(r.problems[0].contains("one byte past the end"));
        // Two bytes past is not a miscount: malformed.
        let r = check_byte_range(&bytes, Some(&[0, 10, 16, len - 16 + 2]), None);
        assert!(r.usable.is_none());
    }

    #[test]
    fn negative_or_wrong_count_is_malformed() {
        let bytes = sample(b"%%EOF");
        assert!(check_byte_range(&bytes, Some(&[0, 10, -16, 5]), None)
            .usable
            .is_none());
        assert!(check_byte_range(&bytes, Some(&[0, 10, 16]), None)
            .usable
            .is_none());
        assert!(check_byte_range(&bytes, Some(&[0, 10, 16, 5, 0, 0]), None)
            .usable
            .is_none());
        assert!(check_byte_range(&bytes, None, None).usable.is_none());
    }

    #[test]
    fn gap_that_is_not_the_hex_string_is_malformed() {
        // Signature wrapping: the gap is shifted by one byte, so it starts inside the string.
        let bytes = sample(b"%%EOF");
        let r = check_byte_range(&bytes, Some(&[0, 11, 17, 4]), None);
        assert!(r.usable.is_none());
        // Non-hex bytes hidden in the gap.
        let bytes = b"%PDF-1.7\n/<ab)d>%%EOF".to_vec();
        let r = check_byte_range(&bytes, Some(&[0, 10, 16, 5]), None);
        assert!(r.usable.is_none());
    }

    #[test]
    fn gap_of_digits_between_signed_brackets_is_accepted() {
        let bytes = sample(b"%%EOF");
        let r = check_byte_range(&bytes, Some(&[0, 11, 15, 6]), None);
        assert_eq!(r.usable.map(|u| u.1), Some(vec![0xab, 0xcd]));
        assert_eq!(r.coverage, Coverage::Partial, "as pyHanko rates it");
    }

    #[test]
    fn range_past_the_end_or_overlapping_is_malformed() {
        let bytes = sample(b"%%EOF");
        assert!(check_byte_range(&bytes, Some(&[0, 10, 16, 500]), None)
            .usable
            .is_none());
        assert!(check_byte_range(&bytes, Some(&[0, 17, 16, 5]), None)
            .usable
            .is_none());
        assert!(check_byte_range(&bytes, Some(&[0, i64::MAX, 16, 5]), None)
            .usable
            .is_none());
    }

    #[test]
    fn usf_range_that_signs_almost_nothing_is_not_entire_coverage() {
        // Universal Signature Forgery: a ByteRange that covers a tiny prefix and a gap that
        // swallows the document. The gap is not a hex string, so this is malformed.
        let bytes = sample(b" 1 0 obj (forged page) endobj %%EOF\n");
        let r = check_byte_range(&bytes, Some(&[0, 10, bytes.len() as i64, 0]), None);
        assert!(r.usable.is_none());
        assert_eq!(r.coverage, Coverage::Partial);
    }

    #[test]
    fn bytes_after_eof_make_entire_revision_and_elsewhere_partial() {
        let mut bytes = sample(b" trailer\n%%EOF\n");
        let signed_end = bytes.len() as i64;
        bytes.extend_from_slice(b"1 0 obj (new) endobj\n%%EOF\n");
        let r = check_byte_range(&bytes, Some(&[0, 10, 16, signed_end - 16]), None);
        assert_eq!(r.coverage, Coverage::EntireRevision);
        let r = check_byte_range(&bytes, Some(&[0, 10, 16, signed_end - 20]), None);
        assert_eq!(r.coverage, Coverage::Partial);
        assert!(
            r.usable.is_some(),
            "partial coverage still gets its digest checked"
        );
    }

    #[test]
    fn revision_ends_include_one_eol() {
        let mut bytes = b"startxref 1\n%%EOF\r\nstartxref 2\n%%EOF\nstream ".to_vec();
        bytes.extend_from_slice(&[b'x'; 60]);
        bytes.extend_from_slice(b" %%EOF\nendstream startxref 3\n%%EOF");
        assert_eq!(revision_ends(&bytes), vec![19, 37, bytes.len()]);
    }
}
