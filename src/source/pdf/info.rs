//! The document's own description: the Info dictionary, the XMP metadata stream, and the PDF
//! text strings they are written in.

use lopdf::Object;

use crate::source::{FileInfo, XmpInfo};

pub(super) fn file_info(doc: &lopdf::Document, limit: usize) -> FileInfo {
    let info = doc
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok());
    let text = |key: &[u8]| -> Option<String> {
        let (_, obj) = doc.dereference(info?.get(key).ok()?).ok()?;
        match obj {
            Object::String(bytes, _) => Some(decode_pdf_string(bytes)),
            _ => None,
        }
    };
    FileInfo {
        producer: text(b"Producer"),
        creator: text(b"Creator"),
        created: text(b"CreationDate"),
        modified: text(b"ModDate"),
        encrypted: doc.was_encrypted() || doc.is_encrypted(),
        xmp: xmp(doc, limit),
        ..FileInfo::default()
    }
}

/// The catalog's XMP metadata stream, parsed. A packet is a few kilobytes; one larger than
/// 4 MiB (or the stream limit) is not read rather than parsed at any cost.
fn xmp(doc: &lopdf::Document, limit: usize) -> Option<XmpInfo> {
    let limit = limit.min(4 << 20);
    let root = doc.trailer.get(b"Root").ok()?;
    let (_, catalog) = doc.dereference(root).ok()?;
    let (_, meta) = doc
        .dereference(catalog.as_dict().ok()?.get(b"Metadata").ok()?)
        .ok()?;
    let stream = meta.as_stream().ok()?;
    let bytes = if stream.dict.get(b"Filter").is_ok() {
        stream.decompressed_content_with_limit(limit).ok()?
    } else {
        stream.content.clone()
    };
    if bytes.len() > limit {
        return None;
    }
    XmpInfo::parse(&String::from_utf8_lossy(&bytes))
}

/// PDF text strings are UTF-16BE with a BOM, or PDFDocEncoding (close enough to Latin-1 for
/// the Info fields we read).
fn decode_pdf_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        bytes.iter().map(|&b| char::from(b)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_info_strings_decode() {
        let bytes = [0xFE, 0xFF, 0x00, b'S', 0x1E, 0xD1];
        assert_eq!(decode_pdf_string(&bytes), "Số");
    }
}
