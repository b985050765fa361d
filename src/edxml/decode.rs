//! An attachment's bytes: its base64 text decoded chunk by chunk into one bounded buffer, and a
//! zip wrapper opened with bounds on entries and inflated size. Entry names are labels only:
//! nothing is ever written to a path taken from a package.

use std::io::{Cursor, Read};

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;

use super::{Attachment, Body, EdxmlError, Package, PackageLimits};

/// Standard alphabet; writers differ on padding, so both forms are taken.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Base64 characters gathered before each decode call: a multiple of 4, so padding can only
/// be in the last chunk, and small enough to stay in cache.
const CHUNK: usize = 16 * 1024;

/// One file an attachment yields: the attachment itself, or an entry of its zip.
#[derive(Debug)]
pub struct DecodedFile {
    /// The zip entry's name when the attachment was a zip wrapper (a label, never a path).
    pub entry: Option<String>,
    pub bytes: Vec<u8>,
}

/// Decodes base64 text, skipping the whitespace writers put in it, into a buffer that never
/// grows past `limit` by more than one chunk: an attachment larger than the limit stops there
/// with [`EdxmlError::AttachmentTooLarge`], before the rest is decoded.
pub fn decode_base64(text: &[u8], content_id: &str, limit: usize) -> Result<Vec<u8>, EdxmlError> {
    match decode_lines(text, content_id, limit) {
        // The line breaks and spaces writers use are skipped a line at a time; anything else
        // (a tab, a form feed, a byte that is not base64) is looked at byte by byte, which
        // also says exactly where a bad byte is.
        Err(EdxmlError::BadBase64 { .. }) => decode_bytes(text, content_id, limit),
        other => other,
    }
}

fn capacity(text: &[u8], limit: usize) -> Vec<u8> {
    Vec::with_capacity((text.len() / 4 * 3).min(limit.saturating_add(CHUNK)))
}

/// The fast path: the runs between line breaks and spaces copied into the chunk whole.
fn decode_lines(text: &[u8], content_id: &str, limit: usize) -> Result<Vec<u8>, EdxmlError> {
    let mut out = capacity(text, limit);
    let mut chunk = vec![0u8; CHUNK];
    let mut filled = 0;
    let mut at = 0;
    while at < text.len() {
        let end = memchr::memchr3(b'\n', b'\r', b' ', &text[at..]).map_or(text.len(), |i| at + i);
        let mut run = &text[at..end];
        while !run.is_empty() {
            let n = (CHUNK - filled).min(run.len());
            chunk[filled..filled + n].copy_from_slice(&run[..n]);
            filled += n;
            run = &run[n..];
            if filled == CHUNK {
                flush(&chunk, &mut out, content_id, end, limit)?;
                filled = 0;
            }
        }
        at = end + 1;
    }
    if filled > 0 {
        flush(&chunk[..filled], &mut out, content_id, text.len(), limit)?;
    }
    Ok(out)
}

/// Byte by byte, skipping every ASCII whitespace.
fn decode_bytes(text: &[u8], content_id: &str, limit: usize) -> Result<Vec<u8>, EdxmlError> {
    let mut out = capacity(text, limit);
    let mut chunk = vec![0u8; CHUNK];
    let mut filled = 0;
    for (at, &b) in text.iter().enumerate() {
        if b.is_ascii_whitespace() {
            continue;
        }
        chunk[filled] = b;
        filled += 1;
        if filled == CHUNK {
            flush(&chunk, &mut out, content_id, at, limit)?;
            filled = 0;
        }
    }
    if filled > 0 {
        flush(&chunk[..filled], &mut out, content_id, text.len(), limit)?;
    }
    Ok(out)
}

fn flush(
    chunk: &[u8],
    out: &mut Vec<u8>,
    content_id: &str,
    at: usize,
    limit: usize,
) -> Result<(), EdxmlError> {
    let start = out.len();
    out.resize(start + chunk.len().div_ceil(4) * 3, 0);
    let n = BASE64
        .decode_slice(chunk, &mut out[start..])
        .map_err(|e| EdxmlError::BadBase64 {
            content_id: content_id.to_string(),
            offset: at,
            message: e.to_string(),
        })?;
    out.truncate(start + n);
    if out.len() > limit {
        return Err(EdxmlError::AttachmentTooLarge {
            content_id: content_id.to_string(),
            limit,
        });
    }
    Ok(())
}

/// The files an attachment carries: its decoded bytes, or the entries of the zip that wraps
/// them (writers zip every file that is not PDF, Word, Excel or zip, docs/edxml.md §2.3). An
/// Office Open XML or OpenDocument file is a zip too, and is the document itself.
pub fn decode_attachment(
    package: &Package,
    attachment: &Attachment,
    limits: &PackageLimits,
) -> Result<Vec<DecodedFile>, EdxmlError> {
    let cid = attachment.content_id.as_str();
    let text: &[u8] = match &attachment.body {
        Body::Range(r) => &package.text[r.clone()],
        Body::Text(t) => t.as_bytes(),
        Body::Missing => return Err(EdxmlError::AttachmentMissing(cid.to_string())),
    };
    let bytes = decode_base64(text, cid, limits.max_attachment_bytes)?;
    if !bytes.starts_with(b"PK\x03\x04") {
        return Ok(vec![DecodedFile { entry: None, bytes }]);
    }
    unzip(bytes, cid, limits)
}

fn unzip(
    bytes: Vec<u8>,
    cid: &str,
    limits: &PackageLimits,
) -> Result<Vec<DecodedFile>, EdxmlError> {
    let bad = |e: &dyn std::fmt::Display| EdxmlError::BadZip {
        content_id: cid.to_string(),
        message: e.to_string(),
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes.as_slice())).map_err(|e| bad(&e))?;
    if archive.index_for_name("[Content_Types].xml").is_some()
        || archive.index_for_name("mimetype").is_some()
    {
        drop(archive);
        return Ok(vec![DecodedFile { entry: None, bytes }]);
    }
    if archive.len() > limits.max_zip_entries {
        return Err(EdxmlError::TooManyZipEntries {
            content_id: cid.to_string(),
            found: archive.len(),
            limit: limits.max_zip_entries,
        });
    }
    let mut files = Vec::new();
    let mut total = 0usize;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| bad(&e))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().to_string();
        if entry.encrypted() {
            return Err(EdxmlError::ZipEncrypted {
                content_id: cid.to_string(),
                entry: name,
            });
        }
        // The sizes a zip declares are not trusted: what is read is bounded instead.
        let room = limits.max_attachment_bytes.saturating_sub(total);
        let mut buf = Vec::new();
        (&mut entry)
            .take(room as u64 + 1)
            .read_to_end(&mut buf)
            .map_err(|e| bad(&e))?;
        if buf.len() > room {
            return Err(EdxmlError::ZipBomb {
                content_id: cid.to_string(),
                entry: name,
                limit: limits.max_attachment_bytes,
            });
        }
        total += buf.len();
        files.push(DecodedFile {
            entry: Some(name),
            bytes: buf,
        });
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_with_line_breaks_decodes_and_the_limit_stops_it() {
        let text = b"JVBE\r\nRi0x\n LjcK";
        assert_eq!(decode_base64(text, "a", 100).unwrap(), b"%PDF-1.7\n");
        assert!(matches!(
            decode_base64(text, "a", 4),
            Err(EdxmlError::AttachmentTooLarge { .. })
        ));
        assert!(matches!(
            decode_base64(b"JVB$Ri0x", "a", 100),
            Err(EdxmlError::BadBase64 { .. })
        ));
        // A large input is decoded across chunks the same as at once.
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut text = BASE64.encode(&data).into_bytes();
        text.insert(5000, b'\n');
        assert_eq!(decode_base64(&text, "a", usize::MAX).unwrap(), data);
        // Tabs and form feeds are whitespace too (the byte-by-byte path takes them), and both
        // paths stop at the limit.
        text.insert(20_000, b'\t');
        text.insert(30_000, 0x0c);
        assert_eq!(decode_base64(&text, "a", usize::MAX).unwrap(), data);
        assert!(matches!(
            decode_base64(&text, "a", 50_000),
            Err(EdxmlError::AttachmentTooLarge { .. })
        ));
        // Lines of 76 characters, CRLF, as MIME writers wrap them.
        let wrapped: Vec<u8> = BASE64
            .encode(&data)
            .into_bytes()
            .chunks(76)
            .flat_map(|l| l.iter().copied().chain(*b"\r\n"))
            .collect();
        assert_eq!(decode_base64(&wrapped, "a", usize::MAX).unwrap(), data);
    }
}
