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
}

impl ByteRangeCheck {
    fn malformed(problem: impl Into<String>) -> Self {
        ByteRangeCheck {
            coverage: Coverage::Partial,
            problems: vec![problem.into()],
            usable: None,
            signed_end: None,
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
pub fn check_byte_range(
    bytes: &[u8],
    byte_range: Option<&[i64]>,
    _revision_ends: &[usize],
) -> ByteRangeCheck {
    let Some(br) = byte_range else {
        return ByteRangeCheck::malformed("no /ByteRange in the signature dictionary");
    };
    let [a, b, c, d] = br else {
        return ByteRangeCheck::malformed(format!(
            "ByteRange must hold exactly four integers, found {}",
            br.len()
        ));
    };
    if br.iter().any(|&v| v < 0) {
        return ByteRangeCheck::malformed("ByteRange holds a negative number");
    }
    let to_usize = |v: i64| usize::try_from(v).ok();
    let (Some(a), Some(b), Some(c), Some(d)) =
        (to_usize(*a), to_usize(*b), to_usize(*c), to_usize(*d))
    else {
        return ByteRangeCheck::malformed("ByteRange value too large");
    };
    if a != 0 {
        return ByteRangeCheck::malformed("ByteRange does not start at 0");
    }
    let (Some(gap_start), Some(end)) = (a.checked_add(b), c.checked_add(d)) else {
        return ByteRangeCheck::malformed("ByteRange value too large");
    };
    if gap_start > c {
        return ByteRangeCheck::malformed("ByteRange ranges overlap");
    }
    if end > bytes.len() {
        return ByteRangeCheck::malformed(format!(
            "ByteRange ends at {end}, after the end of the file ({})",
            bytes.len()
        ));
    }
    let Some(gap) = bytes.get(gap_start..c) else {
        return ByteRangeCheck::malformed("ByteRange gap outside the file");
    };
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
            return ByteRangeCheck::malformed(
                "ByteRange gap is not exactly the /Contents hex string (no '<' … '>' at its edges)",
            )
        }
    };
    if !hex_digits.iter().all(u8::is_ascii_hexdigit) {
        return ByteRangeCheck::malformed("ByteRange gap holds bytes that are not hex digits");
    }
    if hex_digits.len() % 2 != 0 {
        return ByteRangeCheck::malformed("/Contents has an odd number of hex digits");
    }
    let Ok(contents) = hex::decode(hex_digits) else {
        return ByteRangeCheck::malformed("/Contents is not hex");
    };
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
        problems.push("ByteRange does not end where a revision ends (%%EOF)".to_string());
        Coverage::Partial
    };
    ByteRangeCheck {
        coverage,
        problems,
        usable: Some((vec![(a, b), (c, d)], contents)),
        signed_end: Some(end),
    }
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
        let r = check_byte_range(&bytes, Some(&[0, 10, 16, len - 16]), &[]);
        assert_eq!(r.coverage, Coverage::EntireFile);
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.usable.unwrap().1, vec![0xab, 0xcd]);
    }

    #[test]
    fn range_not_starting_at_zero_is_malformed() {
        let bytes = sample(b"%%EOF");
        let r = check_byte_range(&bytes, Some(&[1, 9, 16, 5]), &[]);
        assert!(r.usable.is_none());
        assert_eq!(
            r.problems,
            vec!["ByteRange does not start at 0".to_string()]
        );
    }

    #[test]
    fn negative_or_wrong_count_is_malformed() {
        let bytes = sample(b"%%EOF");
        assert!(check_byte_range(&bytes, Some(&[0, 10, -16, 5]), &[])
            .usable
            .is_none());
        assert!(check_byte_range(&bytes, Some(&[0, 10, 16]), &[])
            .usable
            .is_none());
        assert!(check_byte_range(&bytes, Some(&[0, 10, 16, 5, 0, 0]), &[])
            .usable
            .is_none());
        assert!(check_byte_range(&bytes, None, &[]).usable.is_none());
    }

    #[test]
    fn gap_that_is_not_the_hex_string_is_malformed() {
        // Signature wrapping: the gap is shifted by one byte, so it starts inside the string.
        let bytes = sample(b"%%EOF");
        let r = check_byte_range(&bytes, Some(&[0, 11, 17, 4]), &[]);
        assert!(r.usable.is_none());
        // Non-hex bytes hidden in the gap.
        let bytes = b"%PDF-1.7\n/<ab)d>%%EOF".to_vec();
        let r = check_byte_range(&bytes, Some(&[0, 10, 16, 5]), &[]);
        assert!(r.usable.is_none());
    }

    #[test]
    fn gap_of_digits_between_signed_brackets_is_accepted() {
        let bytes = sample(b"%%EOF");
        let r = check_byte_range(&bytes, Some(&[0, 11, 15, 6]), &[]);
        assert_eq!(r.usable.map(|u| u.1), Some(vec![0xab, 0xcd]));
        assert_eq!(r.coverage, Coverage::Partial, "as pyHanko rates it");
    }

    #[test]
    fn range_past_the_end_or_overlapping_is_malformed() {
        let bytes = sample(b"%%EOF");
        assert!(check_byte_range(&bytes, Some(&[0, 10, 16, 500]), &[])
            .usable
            .is_none());
        assert!(check_byte_range(&bytes, Some(&[0, 17, 16, 5]), &[])
            .usable
            .is_none());
        assert!(check_byte_range(&bytes, Some(&[0, i64::MAX, 16, 5]), &[])
            .usable
            .is_none());
    }

    #[test]
    fn usf_range_that_signs_almost_nothing_is_not_entire_coverage() {
        // Universal Signature Forgery: a ByteRange that covers a tiny prefix and a gap that
        // swallows the document. The gap is not a hex string, so this is malformed.
        let bytes = sample(b" 1 0 obj (forged page) endobj %%EOF\n");
        let r = check_byte_range(&bytes, Some(&[0, 10, bytes.len() as i64, 0]), &[]);
        assert!(r.usable.is_none());
        assert_eq!(r.coverage, Coverage::Partial);
    }

    #[test]
    fn bytes_after_eof_make_entire_revision_and_elsewhere_partial() {
        let mut bytes = sample(b" trailer\n%%EOF\n");
        let signed_end = bytes.len() as i64;
        bytes.extend_from_slice(b"1 0 obj (new) endobj\n%%EOF\n");
        let r = check_byte_range(&bytes, Some(&[0, 10, 16, signed_end - 16]), &[]);
        assert_eq!(r.coverage, Coverage::EntireRevision);
        let r = check_byte_range(&bytes, Some(&[0, 10, 16, signed_end - 20]), &[]);
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
