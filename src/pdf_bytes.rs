//! Reading numbers out of a PDF's raw bytes, where a parsed document cannot be trusted (or
//! does not exist yet): the page source checks the xref chain for loops before handing the
//! file to the parser, and signature checks read what was appended after a signed revision.

/// The decimal number after the first `key` in `hay` (after blanks), when there is one.
pub fn number_after(hay: &[u8], key: &[u8]) -> Option<usize> {
    let at = hay.windows(key.len()).position(|w| w == key)? + key.len();
    digits_at(&hay[at..])
}

/// The offset the last `startxref` in `bytes` gives, when it is a number.
pub fn last_startxref(bytes: &[u8]) -> Option<usize> {
    let key = b"startxref";
    let at = bytes.windows(key.len()).rposition(|w| w == key)? + key.len();
    digits_at(&bytes[at..])
}

/// A decimal number at the start of `bytes`, after blanks; 20 digits at most, so a run of
/// digits cannot make the parse allocate or take long.
fn digits_at(bytes: &[u8]) -> Option<usize> {
    let digits: Vec<u8> = bytes
        .iter()
        .copied()
        .skip_while(u8::is_ascii_whitespace)
        .take_while(u8::is_ascii_digit)
        .take(20)
        .collect();
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_after_their_keyword() {
        let tail = b"trailer << /Size 9 /Prev 120 >>\nstartxref\n 345\n%%EOF\nstartxref 678\n%%EOF";
        assert_eq!(number_after(tail, b"/Prev"), Some(120));
        assert_eq!(number_after(tail, b"startxref"), Some(345));
        assert_eq!(last_startxref(tail), Some(678));
        assert_eq!(last_startxref(b"startxref\n%%EOF"), None);
        assert_eq!(
            number_after(b"/Prev 99999999999999999999999", b"/Prev"),
            None
        );
    }
}
