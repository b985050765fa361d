//! Stage 4½: edXML exchange packages (QCVN 102:2016/BTTTT, and the older eDoc shapes) → what
//! the envelope declares, the attachments it carries, and its XML signature.
//!
//! Agencies send each other documents as one XML file: a header (who sends, number, date,
//! type, subject, signer), a manifest, and the attachments base64-encoded in the same file
//! (docs/edxml.md). Each attachment is a document of the batch; the header is what the sender
//! *declares* about it, to be checked against what the attachment itself says.
//!
//! The XML is parsed once, with `roxmltree`, which refuses any DTD (so no entity declaration,
//! external entity or entity expansion can reach it) and is given a node limit. The parse keeps
//! only where each attachment's base64 text lies in the file; an attachment is decoded when a
//! worker takes it ([`decode_attachment`]), chunk by chunk into a buffer bounded by the same
//! stream limit as any input, and dropped when its document is done.

mod decode;
mod header;
mod signature;
mod skeleton;

use std::ops::Range;
use std::sync::Arc;

use roxmltree::{Node, ParsingOptions};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::error::ErrorKind;

pub use decode::{decode_attachment, decode_base64, DecodedFile};
pub use header::{iso_date, Declared, DeclaredField, Mismatch};
pub use signature::EnvelopeSignature;

/// QCVN 102:2016/BTTTT's namespace.
pub const NS_QCVN: &str = "http://www.mic.gov.vn/TBT/QCVN_102_2016";
/// The eDoc SOAP messages' namespace (before QCVN 102:2016).
pub const NS_EDOC: &str = "http://www.e-doc.vn/Schema/";
/// The flat `EdXMLEnvelope` shape's namespace.
pub const NS_GOVN: &str = "http://www.go.vn/eDoc";

/// Bounds on what one package may make kyso do.
#[derive(Debug, Clone)]
pub struct PackageLimits {
    /// Largest decoded attachment, and largest total a zipped attachment may inflate to: the
    /// stream limit every input has (`Limits::max_stream_bytes`).
    pub max_attachment_bytes: usize,
    /// Attachments one package may carry (each becomes a document).
    pub max_attachments: usize,
    /// Entries a zipped attachment may hold.
    pub max_zip_entries: usize,
    /// XML nodes one package may have.
    pub max_nodes: u32,
}

impl PackageLimits {
    pub fn new(max_stream_bytes: usize) -> Self {
        PackageLimits {
            max_attachment_bytes: max_stream_bytes,
            max_attachments: 1000,
            max_zip_entries: 100,
            max_nodes: 1_000_000,
        }
    }
}

#[derive(Debug, Error)]
pub enum EdxmlError {
    #[error(
        "the package declares a DTD (<!DOCTYPE …>); DTDs, and so entity declarations, external \
         entities and entity expansion, are refused"
    )]
    DtdRefused,
    #[error("the package is not well-formed XML: {0}")]
    MalformedXml(String),
    #[error("the package is not UTF-8 text ({0}); only UTF-8 packages are read")]
    NotUtf8(String),
    #[error("the package has more than {0} XML nodes")]
    TooManyNodes(u32),
    #[error("not an edXML package: the root element <{0}> holds no MessageHeader")]
    NotAPackage(String),
    #[error("the package carries {found} attachments, more than the limit of {limit}")]
    TooManyAttachments { found: usize, limit: usize },
    #[error("the manifest lists attachment {0}, but the package does not carry it")]
    AttachmentMissing(String),
    #[error("attachment {content_id}: invalid base64 near byte {offset}: {message}")]
    BadBase64 {
        content_id: String,
        offset: usize,
        message: String,
    },
    #[error("attachment {content_id} decodes to more than {limit} bytes (the stream limit)")]
    AttachmentTooLarge { content_id: String, limit: usize },
    #[error("attachment {content_id}: a broken zip: {message}")]
    BadZip { content_id: String, message: String },
    #[error("attachment {content_id}: zip entry {entry} inflates beyond {limit} bytes (zip bomb)")]
    ZipBomb {
        content_id: String,
        entry: String,
        limit: usize,
    },
    #[error("attachment {content_id}: the zip holds {found} entries, more than {limit}")]
    TooManyZipEntries {
        content_id: String,
        found: usize,
        limit: usize,
    },
    #[error("attachment {content_id}: zip entry {entry} is encrypted")]
    ZipEncrypted { content_id: String, entry: String },
}

impl ErrorKind for EdxmlError {
    fn kind(&self) -> &'static str {
        match self {
            EdxmlError::DtdRefused => "dtd_refused",
            EdxmlError::MalformedXml(_) => "malformed_xml",
            EdxmlError::NotUtf8(_) => "not_utf8",
            EdxmlError::TooManyNodes(_) => "too_many_nodes",
            EdxmlError::NotAPackage(_) => "not_a_package",
            EdxmlError::TooManyAttachments { .. } => "too_many_attachments",
            EdxmlError::AttachmentMissing(_) => "attachment_missing",
            EdxmlError::BadBase64 { .. } => "bad_base64",
            EdxmlError::AttachmentTooLarge { .. } => "attachment_too_large",
            EdxmlError::BadZip { .. } => "bad_zip",
            EdxmlError::ZipBomb { .. } => "zip_bomb",
            EdxmlError::TooManyZipEntries { .. } => "too_many_zip_entries",
            EdxmlError::ZipEncrypted { .. } => "zip_encrypted",
        }
    }
}

/// Which shape of package (docs/edxml.md §1).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    /// Root `edXML`, QCVN 102:2016 namespace.
    #[serde(rename = "qcvn_102_2016")]
    Qcvn102,
    /// A SOAP `Envelope` with the eDoc header; its attachments travel as MIME parts.
    EdocSoap,
    /// Root `EdXMLEnvelope` in `http://www.go.vn/eDoc`.
    GoVnEdoc,
    /// A `MessageHeader` under some other root.
    Other,
}

/// A package carries a document, or only a status (received, processing, ...).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PackageKind {
    Document,
    Status,
}

/// Where an attachment's base64 text is.
#[derive(Debug, Clone)]
pub enum Body {
    /// A byte range of [`Package::text`] (the common case: no copy is made).
    Range(Range<usize>),
    /// Text the parser had to build (character references, CDATA, split text).
    Text(Arc<str>),
    /// Listed in the manifest, not carried.
    Missing,
}

/// One attachment, before decoding.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// `ContentId` without `cid:` and `<…>`.
    pub content_id: String,
    pub name: Option<String>,
    pub content_type: Option<String>,
    /// Whether the manifest lists it.
    pub in_manifest: bool,
    pub body: Body,
}

/// A parsed package.
#[derive(Debug, Clone)]
pub struct Package {
    /// The bytes the attachments' ranges point into.
    pub text: Arc<Vec<u8>>,
    pub variant: Variant,
    pub kind: PackageKind,
    pub declared: Declared,
    pub attachments: Vec<Attachment>,
    pub signature: Option<EnvelopeSignature>,
    /// Quirks that were tolerated (bytes before the XML, undeclared prefixes, orphans).
    pub notes: Vec<String>,
}

/// The record's `package`: which package a document came from, and what the envelope carried
/// besides the header.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PackageRef {
    /// The package file.
    pub path: String,
    pub sha256: Option<String>,
    pub variant: Option<Variant>,
    pub kind: Option<PackageKind>,
    /// The attachment this document is (`null` on a record of the package itself).
    pub content_id: Option<String>,
    pub attachment_name: Option<String>,
    pub content_type: Option<String>,
    /// The zip entry, when the attachment was a zip wrapper.
    pub zip_entry: Option<String>,
    /// 0-based place of the attachment in the package.
    pub index: Option<u32>,
    /// Attachments the package carries or lists.
    pub attachments: u32,
    pub envelope_signature: Option<EnvelopeSignature>,
    pub notes: Vec<String>,
}

impl PackageRef {
    pub fn of(path: &str, sha256: Option<String>, package: Option<&Package>) -> Self {
        PackageRef {
            path: path.to_string(),
            sha256,
            variant: package.map(|p| p.variant),
            kind: package.map(|p| p.kind),
            content_id: None,
            attachment_name: None,
            content_type: None,
            zip_entry: None,
            index: None,
            attachments: package.map_or(0, |p| p.attachments.len() as u32),
            envelope_signature: package.and_then(|p| p.signature.clone()),
            notes: package.map(|p| p.notes.clone()).unwrap_or_default(),
        }
    }
}

/// A namespace URI for a prefix a writer used without declaring it (the SDK's own sample does
/// this with `edXML:` and `xlink:`); the elements are matched by local name anyway.
fn undeclared_uri(prefix: &str) -> String {
    match prefix {
        "edXML" => NS_QCVN.to_string(),
        "xlink" => "http://www.w3.org/1999/xlink".to_string(),
        _ => format!("urn:kyso:undeclared:{prefix}"),
    }
}

/// Where the root element's name ends in `text` (to declare a prefix on it).
fn root_name_end(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(off) = text[i..].find('<') {
        let at = i + off;
        match b.get(at + 1) {
            Some(b'?') => i = at + text[at..].find("?>")? + 2,
            Some(b'!') => i = at + text[at..].find('>')? + 1,
            Some(_) => {
                let end =
                    text[at + 1..].find(|c: char| c.is_whitespace() || c == '>' || c == '/')?;
                return Some(at + 1 + end);
            }
            None => return None,
        }
    }
    None
}

/// Base64 runs shorter than this stay in the skeleton (parsing them costs nothing).
const MIN_CUT: usize = 4096;

/// Parses a package's bytes.
pub fn parse(file: Arc<Vec<u8>>, limits: &PackageLimits) -> Result<Package, EdxmlError> {
    let mut notes = Vec::new();
    // Bytes before the XML (the SDK's own sample starts with "1212<?xml"): skipped, and said.
    // A UTF-8 byte order mark is not such junk.
    let bom = if file.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    let head = &file[bom..];
    let skip = match head.windows(5).take(1024).position(|w| w == b"<?xml") {
        Some(p) => p,
        None => head.iter().take(1024).position(|&b| b == b'<').unwrap_or(0),
    };
    if skip > 0 {
        notes.push(format!("{skip} bytes before the XML were ignored"));
    }
    let start = bom + skip;
    let text =
        std::str::from_utf8(&file[start..]).map_err(|e| EdxmlError::NotUtf8(e.to_string()))?;
    // The attachments' base64 cut out first (skeleton.rs); the whole text when the skeleton
    // does not hold (then every error, too, is the whole text's).
    if let Some((skeleton, cuts)) = skeleton::cut(text, MIN_CUT) {
        let whole = Source {
            file: &file,
            start,
            text,
        };
        if let Ok(Some(package)) = parse_text(whole, Some((&skeleton, cuts)), limits, &notes) {
            return Ok(package);
        }
    }
    let whole = Source {
        file: &file,
        start,
        text,
    };
    match parse_text(whole, None, limits, &notes)? {
        Some(package) => Ok(package),
        None => Err(EdxmlError::MalformedXml(
            "the package could not be read".into(),
        )),
    }
}

/// The package's text and where it starts in its file.
#[derive(Clone, Copy)]
struct Source<'a> {
    file: &'a Arc<Vec<u8>>,
    start: usize,
    text: &'a str,
}

/// Parses `whole.text`, or the skeleton of it when one is given; `Ok(None)` when a skeleton's
/// cuts do not all land in empty content elements (the caller then parses the whole text).
fn parse_text(
    whole: Source,
    skeleton: Option<(&str, Vec<skeleton::Cut>)>,
    limits: &PackageLimits,
    notes: &[String],
) -> Result<Option<Package>, EdxmlError> {
    let mut notes = notes.to_vec();
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: limits.max_nodes,
    };
    let (first, mut cuts) = match skeleton {
        Some((s, c)) => (s, Some(c)),
        None => (whole.text, None),
    };
    let mut patched: Option<String> = None;
    for _ in 0..4 {
        let src = patched.as_deref().unwrap_or(first);
        match roxmltree::Document::parse_with_options(src, options) {
            Ok(doc) => {
                let (buffer, base): (Arc<Vec<u8>>, usize) = match (&patched, &cuts) {
                    (Some(p), None) => (Arc::new(p.as_bytes().to_vec()), 0),
                    _ => (Arc::clone(whole.file), whole.start),
                };
                let layout = Layout {
                    src,
                    buffer,
                    base,
                    cuts: cuts.as_deref(),
                };
                return read_package(&doc, layout, limits, notes);
            }
            Err(roxmltree::Error::UnknownNamespace(prefix, _)) => {
                let end = root_name_end(src)
                    .ok_or_else(|| EdxmlError::MalformedXml("no root element".into()))?;
                let uri = undeclared_uri(&prefix);
                notes.push(format!(
                    "the prefix {prefix}: is used without a declaration; read as {uri}"
                ));
                let declaration = format!(" xmlns:{prefix}=\"{uri}\"");
                let mut p = String::with_capacity(src.len() + 64);
                p.push_str(&src[..end]);
                p.push_str(&declaration);
                p.push_str(&src[end..]);
                for c in cuts.iter_mut().flatten().filter(|c| c.at >= end) {
                    c.at += declaration.len();
                }
                patched = Some(p);
            }
            // A skeleton that does not parse: the whole text says why.
            Err(_) if cuts.is_some() => return Ok(None),
            Err(roxmltree::Error::DtdDetected) => return Err(EdxmlError::DtdRefused),
            Err(roxmltree::Error::NodesLimitReached) => {
                return Err(EdxmlError::TooManyNodes(limits.max_nodes))
            }
            Err(e) => return Err(EdxmlError::MalformedXml(e.to_string())),
        }
    }
    Err(EdxmlError::MalformedXml(
        "too many undeclared namespace prefixes".into(),
    ))
}

/// Where the parsed text's bytes are: the text itself, and the file the attachments' ranges
/// point into (with the runs a skeleton left out).
struct Layout<'a> {
    src: &'a str,
    buffer: Arc<Vec<u8>>,
    base: usize,
    cuts: Option<&'a [skeleton::Cut]>,
}

fn name_of<'a>(n: &Node<'a, '_>) -> &'a str {
    n.tag_name().name()
}

/// `cid:abc`, `<abc>`, ` abc ` → `abc`.
fn clean_cid(s: &str) -> String {
    let s = s
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    let s = if s.len() >= 4 && s[..4].eq_ignore_ascii_case("cid:") {
        &s[4..]
    } else {
        s
    };
    s.trim().to_string()
}

use skeleton::CONTENT;

fn read_package(
    doc: &roxmltree::Document,
    layout: Layout,
    limits: &PackageLimits,
    mut notes: Vec<String>,
) -> Result<Option<Package>, EdxmlError> {
    let Layout {
        src,
        buffer,
        base,
        cuts,
    } = layout;
    let root = doc.root_element();
    let header = root
        .descendants()
        .find(|n| n.is_element() && name_of(n) == "MessageHeader")
        .ok_or_else(|| EdxmlError::NotAPackage(name_of(&root).to_string()))?;
    let ns = root.tag_name().namespace();
    let variant = match name_of(&root) {
        "edXML" => Variant::Qcvn102,
        "edXMLEnvelope" | "EdXMLEnvelope" if ns == Some(NS_QCVN) => Variant::Qcvn102,
        "edXMLEnvelope" | "EdXMLEnvelope" => Variant::GoVnEdoc,
        "Envelope" => Variant::EdocSoap,
        _ => Variant::Other,
    };
    if variant == Variant::Qcvn102 && ns != Some(NS_QCVN) {
        notes.push(format!(
            "the root is in namespace {}, not QCVN 102:2016's",
            ns.unwrap_or("(none)")
        ));
    }
    let kind = if header::child(header, "StatusCode").is_some() {
        PackageKind::Status
    } else {
        PackageKind::Document
    };
    let declared = header::read(header);
    let signature = root
        .descendants()
        .find(|n| {
            n.is_element() && name_of(n) == "Signature" && header::child(*n, "SignedInfo").is_some()
        })
        .map(|n| signature::read(n));

    let carried: Vec<Node> = root
        .descendants()
        .filter(|n| n.is_element() && name_of(n) == "Attachment")
        .filter(|n| CONTENT.iter().any(|c| header::child(*n, c).is_some()))
        .collect();
    let listed: Vec<Node> = root
        .descendants()
        .filter(|n| n.is_element() && name_of(n) == "Reference")
        .filter(|n| {
            n.parent_element()
                .is_some_and(|p| matches!(name_of(&p), "edXMLManifest" | "Manifest"))
        })
        .collect();
    let found = carried.len().max(listed.len());
    if found > limits.max_attachments {
        return Err(EdxmlError::TooManyAttachments {
            found,
            limit: limits.max_attachments,
        });
    }
    let text_of = |n: Node, names: &[&str]| header::child_text(n, names).map(|(v, _)| v);
    let cid_of = |n: Node| {
        text_of(n, &["ContentId"])
            .or_else(|| {
                n.attributes()
                    .find(|a| a.name() == "href")
                    .map(|a| a.value().to_string())
            })
            .map(|c| clean_cid(&c))
            .filter(|c| !c.is_empty())
    };
    let name_names = ["AttachmentName", "FileName", "name"];
    let type_names = ["ContentType", "FileType", "MimeType"];
    // A skeleton's cuts: each must be the text of an empty content element.
    let mut cut_of = std::collections::HashMap::new();
    if let Some(cuts) = cuts {
        for e in root
            .descendants()
            .filter(|e| e.is_element() && CONTENT.contains(&name_of(e)) && !e.has_children())
        {
            let r = e.range();
            let i = cuts.partition_point(|c| c.at <= r.start);
            if let Some(c) = cuts.get(i).filter(|c| c.at < r.end) {
                cut_of.insert(e.id(), c.range.start + base..c.range.end + base);
            }
        }
        if cut_of.len() != cuts.len() {
            return Ok(None);
        }
    }
    let body_of = |n: Node| -> Body {
        let Some(c) = CONTENT.iter().find_map(|c| header::child(n, c)) else {
            return Body::Missing;
        };
        if let Some(range) = cut_of.get(&c.id()) {
            return Body::Range(range.clone());
        }
        let mut texts = c.children().filter(|t| t.is_text());
        match (texts.next(), texts.next(), c.children().count()) {
            (None, _, _) => Body::Range(0..0),
            (Some(t), None, 1) if cuts.is_some() => Body::Text(Arc::from(t.text().unwrap_or(""))),
            (Some(t), None, 1) => match t.text_storage() {
                Some(roxmltree::StringStorage::Borrowed(s)) => {
                    let off = s.as_ptr() as usize - src.as_ptr() as usize + base;
                    Body::Range(off..off + s.len())
                }
                _ => Body::Text(Arc::from(t.text().unwrap_or(""))),
            },
            _ => {
                let all: String = c
                    .descendants()
                    .filter_map(|d| d.is_text().then(|| d.text()).flatten())
                    .collect();
                Body::Text(Arc::from(all))
            }
        }
    };
    let mut used = vec![false; carried.len()];
    let mut attachments = Vec::new();
    for (i, r) in listed.iter().enumerate() {
        let cid = cid_of(*r);
        let name = text_of(*r, &name_names);
        let matched = carried.iter().enumerate().position(|(j, a)| {
            !used[j]
                && match (&cid, cid_of(*a)) {
                    (Some(c), Some(d)) => *c == d,
                    _ => name.is_some() && text_of(*a, &name_names) == name,
                }
        });
        let (body, a) = match matched {
            Some(j) => {
                used[j] = true;
                (body_of(carried[j]), Some(carried[j]))
            }
            None => (Body::Missing, None),
        };
        attachments.push(Attachment {
            content_id: cid.unwrap_or_else(|| format!("attachment-{}", i + 1)),
            name: name.or_else(|| a.and_then(|a| text_of(a, &name_names))),
            content_type: text_of(*r, &type_names)
                .or_else(|| a.and_then(|a| text_of(a, &type_names))),
            in_manifest: true,
            body,
        });
    }
    for (_, a) in carried.iter().enumerate().filter(|(j, _)| !used[*j]) {
        let cid = cid_of(*a).unwrap_or_else(|| format!("attachment-{}", attachments.len() + 1));
        if !listed.is_empty() {
            notes.push(format!(
                "attachment {cid} is carried but not listed in the manifest"
            ));
        }
        attachments.push(Attachment {
            content_id: cid,
            name: text_of(*a, &name_names),
            content_type: text_of(*a, &type_names),
            in_manifest: false,
            body: body_of(*a),
        });
    }
    Ok(Some(Package {
        text: buffer,
        variant,
        kind,
        declared,
        attachments,
        signature,
        notes,
    }))
}

#[cfg(test)]
mod tests;
