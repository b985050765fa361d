//! BER → DER for CMS, keeping what the signer signed.
//!
//! RFC 5652 lets a SignedData be BER-encoded (indefinite lengths, strings split into
//! constructed segments, non-minimal lengths): streaming encoders such as Bouncy Castle's emit
//! it, and pyHanko reads it. The `der` crate kyso parses CMS with reads DER only, so the bytes
//! are first rewritten here into the DER of the same values: definite minimal lengths, and
//! universal string types made primitive by concatenating their segments. DER input comes out
//! byte for byte the same, so certificates (whose signatures cover their own DER) are untouched.
//!
//! What a signature covers is not re-encoded: the signed attributes are hashed as they were
//! written (RFC 5652 §5.4, and pyHanko does the same), so [`signed_attrs_ranges`] gives their
//! original bytes. SET OF order is left as found (`der` sorts on decode).

use std::ops::Range;

/// Deeper nesting than this is refused (CMS needs about 12 levels; hostile input more).
const MAX_DEPTH: usize = 64;

/// One TLV of the input.
#[derive(Debug, Clone)]
struct Node {
    /// The identifier octets, as found (one or more bytes).
    tag: Range<usize>,
    constructed: bool,
    /// The whole TLV in the input, end-of-contents octets included.
    whole: Range<usize>,
    /// The content octets (for constructed nodes: the children's bytes).
    content: Range<usize>,
    children: Vec<Node>,
}

/// Why bytes are not BER.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BerError(pub String);

impl std::fmt::Display for BerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(msg: impl Into<String>) -> Result<T, BerError> {
    Err(BerError(msg.into()))
}

/// Parses one TLV at `pos`; returns it and the offset after it.
fn parse(input: &[u8], pos: usize, depth: usize) -> Result<Node, BerError> {
    if depth > MAX_DEPTH {
        return err("BER nesting too deep");
    }
    let first = *input
        .get(pos)
        .ok_or_else(|| BerError("truncated tag".into()))?;
    let constructed = first & 0x20 != 0;
    let mut p = pos + 1;
    if first & 0x1f == 0x1f {
        // High tag number: base-128 digits, the last without the top bit.
        loop {
            let b = *input
                .get(p)
                .ok_or_else(|| BerError("truncated tag".into()))?;
            p += 1;
            if p - pos > 6 {
                return err("tag number too large");
            }
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let tag = pos..p;
    let l0 = *input
        .get(p)
        .ok_or_else(|| BerError("truncated length".into()))?;
    p += 1;
    let definite = match l0 {
        0x80 => None,
        0xff => return err("reserved length octet 0xff"),
        l if l & 0x80 == 0 => Some(usize::from(l)),
        l => {
            let n = usize::from(l & 0x7f);
            if n > 8 {
                return err("length of length too large");
            }
            let mut len: usize = 0;
            for _ in 0..n {
                let b = *input
                    .get(p)
                    .ok_or_else(|| BerError("truncated length".into()))?;
                p += 1;
                len = len
                    .checked_mul(256)
                    .and_then(|v| v.checked_add(usize::from(b)))
                    .ok_or_else(|| BerError("length too large".into()))?;
            }
            Some(len)
        }
    };
    match definite {
        Some(len) => {
            let end = p
                .checked_add(len)
                .filter(|&e| e <= input.len())
                .ok_or_else(|| BerError("length runs past the end of the data".into()))?;
            let mut children = Vec::new();
            if constructed {
                let mut q = p;
                while q < end {
                    let child = parse(&input[..end], q, depth + 1)?;
                    q = child.whole.end;
                    children.push(child);
                }
            }
            Ok(Node {
                tag,
                constructed,
                whole: pos..end,
                content: p..end,
                children,
            })
        }
        None => {
            if !constructed {
                return err("indefinite length on a primitive value");
            }
            let mut children = Vec::new();
            let mut q = p;
            loop {
                match (input.get(q), input.get(q + 1)) {
                    (Some(0), Some(0)) => break,
                    (None, _) | (_, None) => {
                        return err("indefinite length without end-of-contents")
                    }
                    _ => {}
                }
                let child = parse(input, q, depth + 1)?;
                q = child.whole.end;
                children.push(child);
            }
            Ok(Node {
                tag,
                constructed,
                whole: pos..q + 2,
                content: p..q,
                children,
            })
        }
    }
}

fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// Universal string types that BER may split into constructed segments (X.690 §8.21, 8.6, 8.7).
fn is_universal_string(first: u8) -> bool {
    first & 0xc0 == 0
        && matches!(
            first & 0x1f,
            3 | 4 | 12 | 18 | 19 | 20 | 21 | 22 | 23 | 24 | 25 | 26 | 27 | 28 | 30
        )
}

/// The content of a string value, its segments joined (BIT STRING: one unused-bits octet).
fn string_content(
    input: &[u8],
    node: &Node,
    bit_string: bool,
    out: &mut Vec<u8>,
) -> Result<u8, BerError> {
    if !node.constructed {
        let c = &input[node.content.clone()];
        if bit_string {
            let (&unused, data) = c
                .split_first()
                .ok_or_else(|| BerError("empty BIT STRING segment".into()))?;
            out.extend_from_slice(data);
            return Ok(unused);
        }
        out.extend_from_slice(c);
        return Ok(0);
    }
    let mut unused = 0;
    for child in &node.children {
        if bit_string && unused != 0 {
            return err("BIT STRING segment with unused bits before the last one");
        }
        unused = string_content(input, child, bit_string, out)?;
    }
    Ok(unused)
}

fn encode(input: &[u8], node: &Node, out: &mut Vec<u8>) -> Result<(), BerError> {
    let first = input[node.tag.start];
    if node.constructed && is_universal_string(first) {
        let bit_string = first & 0x1f == 3;
        let mut content = Vec::new();
        let unused = string_content(input, node, bit_string, &mut content)?;
        out.push(first & !0x20);
        if bit_string {
            push_len(out, content.len() + 1);
            out.push(unused);
        } else {
            push_len(out, content.len());
        }
        out.extend_from_slice(&content);
        return Ok(());
    }
    out.extend_from_slice(&input[node.tag.clone()]);
    if node.constructed {
        let mut inner = Vec::new();
        for child in &node.children {
            encode(input, child, &mut inner)?;
        }
        push_len(out, inner.len());
        out.extend_from_slice(&inner);
    } else {
        push_len(out, node.content.len());
        out.extend_from_slice(&input[node.content.clone()]);
    }
    Ok(())
}

/// The first TLV of `input` as DER, and how many input bytes it used. The DER equals the input
/// bytes exactly when they were DER already (as far as lengths and string forms go).
pub fn to_der(input: &[u8]) -> Result<(Vec<u8>, usize), BerError> {
    let node = parse(input, 0, 0)?;
    let mut out = Vec::with_capacity(node.whole.len());
    encode(input, &node, &mut out)?;
    Ok((out, node.whole.end))
}

/// For each SignerInfo of a DER or BER ContentInfo(SignedData), the byte range of its
/// `signedAttrs` (`[0] IMPLICIT`, header included) in `input`, or `None` when it has none.
/// `None` overall when the structure is not SignedData-shaped.
pub fn signed_attrs_ranges(input: &[u8]) -> Option<Vec<Option<Range<usize>>>> {
    let ci = parse(input, 0, 0).ok()?;
    // ContentInfo ::= SEQUENCE { contentType, [0] EXPLICIT content }
    let explicit = ci.children.get(1)?;
    if input.get(explicit.tag.start) != Some(&0xa0) {
        return None;
    }
    let sd = explicit.children.first()?;
    // SignedData ::= SEQUENCE { version, digestAlgorithms, encapContentInfo, [0] certs?,
    // [1] crls?, signerInfos SET }: the signer infos are last.
    let infos = sd.children.last()?;
    if input.get(infos.tag.start) != Some(&0x31) {
        return None;
    }
    Some(
        infos
            .children
            .iter()
            .map(|si| {
                // SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm, [0] signedAttrs?, …}
                si.children
                    .iter()
                    .skip(3)
                    .take(1)
                    .find(|c| input.get(c.tag.start) == Some(&0xa0))
                    .map(|c| c.whole.clone())
            })
            .collect(),
    )
}

/// The bytes a signature over `signedAttrs` covers: as encoded, with the `[0]` tag replaced by
/// the SET OF tag (RFC 5652 §5.4).
pub fn signed_attrs_message(input: &[u8], range: Range<usize>) -> Option<Vec<u8>> {
    let mut v = input.get(range)?.to_vec();
    *v.first_mut()? = 0x31;
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_input_comes_out_unchanged() {
        // SEQUENCE { INTEGER 5, OCTET STRING "ab", [0] { NULL } }
        let der = [
            0x30, 0x0b, 0x02, 0x01, 0x05, 0x04, 0x02, b'a', b'b', 0xa0, 0x02, 0x05, 0x00,
        ];
        let (out, used) = to_der(&der).unwrap();
        assert_eq!(out, der);
        assert_eq!(used, der.len());
    }

    #[test]
    fn indefinite_lengths_and_segmented_strings_become_der() {
        // SEQUENCE (indefinite) { OCTET STRING (constructed, indefinite) { "ab", "c" }, INTEGER 1 }
        let ber = [
            0x30, 0x80, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0x00, 0x00, 0x02,
            0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
        ];
        let (out, used) = to_der(&ber).unwrap();
        assert_eq!(
            out,
            [0x30, 0x08, 0x04, 0x03, b'a', b'b', b'c', 0x02, 0x01, 0x01]
        );
        assert_eq!(used, 18, "the padding after the value is not part of it");
    }

    #[test]
    fn non_minimal_lengths_become_minimal() {
        let ber = [0x04, 0x82, 0x00, 0x02, b'x', b'y'];
        assert_eq!(to_der(&ber).unwrap().0, [0x04, 0x02, b'x', b'y']);
    }

    #[test]
    fn segmented_bit_string_keeps_the_last_unused_bits() {
        let ber = [
            0x23, 0x80, 0x03, 0x02, 0x00, 0xaa, 0x03, 0x02, 0x04, 0xb0, 0x00, 0x00,
        ];
        assert_eq!(to_der(&ber).unwrap().0, [0x03, 0x03, 0x04, 0xaa, 0xb0]);
    }

    #[test]
    fn broken_input_is_an_error_not_a_panic() {
        for bad in [
            &[][..],
            &[0x30],
            &[0x30, 0x80, 0x02, 0x01],
            &[0x04, 0x80, 0x00, 0x00],
            &[0x30, 0x85, 0xff, 0xff, 0xff, 0xff, 0xff],
            &[0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00],
        ] {
            assert!(to_der(bad).is_err(), "{bad:02x?}");
        }
        let deep: Vec<u8> = std::iter::repeat_n([0x30u8, 0x80], 200).flatten().collect();
        assert!(to_der(&deep).is_err());
    }
}
