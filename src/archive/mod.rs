//! The archive copy (`--outputs pdfa`): the searchable PDF of a scanned document made PDF/A,
//! carrying its catalogue metadata, and, when the original was digitally signed, the original
//! itself, unchanged.
//!
//! - **PDF/A-2b** ([ISO 19005-2]): PDF 1.7 header with the binary comment, an XMP packet with
//!   `pdfaid:part 2` and `conformance B`, an sRGB OutputIntent (`GTS_PDFA1`, the ICC v2
//!   profile of Debian's icc-profiles-free, `sRGB.icc.md`), every font embedded (the invisible
//!   text layer's glyphless TrueType, Tesseract's `pdf.ttf`, with widths that match it), no
//!   encryption, no transparency, a trailer `/ID`, Info entries equal to their XMP twins
//!   (title, author, creator tool, producer, creation and modification dates, in Vietnam time),
//!   a classic cross-reference table.
//! - **PDF/A-3b** when an original is embedded: PDF/A-2 allows only PDF/A files as
//!   attachments, PDF/A-3 allows any file as an *associated file* (`/AF` in the catalog,
//!   `/AFRelationship /Source`, MIME type, size and date in the embedded file stream).
//!
//! docs/archive.md lists what is checked and how.

pub mod xmp;

use std::collections::BTreeMap;
use std::time::SystemTime;

use lopdf::xref::XrefType;
use lopdf::{dictionary, Dictionary, Object, Stream, StringFormat};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::discover::Format;
use crate::error::ErrorKind;
use crate::metadata::circular02::Circular02;
use crate::metadata::{Field, Metadata};
use crate::ocr::SearchablePdf;
use crate::sign::{text_string, SignerIdentity, VnTime};
use crate::signature::SignatureReport;
use crate::source::Origin;
use crate::verdict::Verdict;

use xmp::{Packet, Value};

/// The OutputIntent profile (see `sRGB.icc.md` for its source and licence).
pub const SRGB_ICC: &[u8] = include_bytes!("sRGB.icc");

#[derive(Debug, Error)]
pub enum ArchiveError {
    #[error("cannot build the PDF/A copy: {0}")]
    Pdf(String),
}

impl ErrorKind for ArchiveError {
    fn kind(&self) -> &'static str {
        match self {
            ArchiveError::Pdf(_) => "pdfa_failed",
        }
    }
}

/// How an attached file relates to the copy (PDF/A-3 `AFRelationship`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relationship {
    /// The original the copy was made from.
    Source,
    /// A file that goes with the original (its detached signature).
    Supplement,
}

/// A file embedded unchanged in the copy.
#[derive(Debug, Clone)]
pub struct Attachment<'a> {
    pub name: String,
    pub bytes: &'a [u8],
    pub mime: &'static str,
    pub relationship: Relationship,
    pub description: String,
}

/// The MIME type of an input format.
pub fn mime_of(format: Format) -> &'static str {
    match format {
        Format::Pdf => "application/pdf",
        Format::Tiff => "image/tiff",
        Format::Png => "image/png",
        Format::Jpeg => "image/jpeg",
        Format::Edxml => "application/xml",
        Format::Unknown => "application/octet-stream",
    }
}

/// Everything the copy says besides its pages.
pub struct CopyInput<'a> {
    pub doc_id: &'a str,
    pub original_sha256: &'a str,
    pub original_name: &'a str,
    pub original_format: Format,
    /// The original (and its detached signatures) when it is embedded: non-empty makes the copy
    /// PDF/A-3b.
    pub attachments: Vec<Attachment<'a>>,
    pub metadata: &'a Metadata,
    pub origin: Origin,
    /// Non-blank pages of the original, as the Circular 02 export counts them.
    pub page_count: usize,
    pub source_dpi_min: Option<f64>,
    pub verdict: Option<Verdict>,
    pub signatures: &'a [SignatureReport],
    /// The scan options that change a record, and their hash (the catalog's fingerprint).
    pub options: &'a BTreeMap<String, serde_json::Value>,
    pub options_hash: &'a str,
    /// Who will sign the copy, when it is signed.
    pub archive_signer: Option<&'a SignerIdentity>,
    /// When the copy is made.
    pub created: SystemTime,
    /// The OCR engine, for the creator tool (e.g. "Tesseract 5.3.0").
    pub engine: Option<String>,
}

fn value(f: &Option<Field<String>>) -> String {
    f.as_ref().map(|f| f.value.clone()).unwrap_or_default()
}

fn snake<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// One line per signature of the original, in words.
pub fn signature_lines(signatures: &[SignatureReport]) -> Vec<String> {
    signatures
        .iter()
        .map(|s| {
            let field = if s.field.is_empty() {
                "detached signature".to_string()
            } else {
                format!("field {}", s.field)
            };
            if !s.signed {
                return format!("{field}: empty (not signed)");
            }
            let who = s
                .signer
                .as_ref()
                .map(|i| i.subject.clone())
                .unwrap_or_else(|| "unknown signer".into());
            let mut line = format!(
                "{field}: {}{} by {who}; role {}; intact {}, valid {}, coverage {}, later changes {}, trust {}",
                if s.document_timestamp { "document timestamp" } else { "signed" },
                s.pades_level.map(|l| format!(" (PAdES {})", snake(&l))).unwrap_or_default(),
                snake(&s.role),
                s.intact,
                s.valid,
                s.coverage.map(|c| snake(&c)).unwrap_or_else(|| "unknown".into()),
                s.modification_level.map(|m| snake(&m)).unwrap_or_else(|| "unknown".into()),
                snake(&s.trust.status),
            );
            if let Some(t) = &s.signing_time {
                let _ = std::fmt::Write::write_fmt(
                    &mut line,
                    format_args!("; signing time {} ({})", t.value, snake(&t.source)),
                );
            }
            line
        })
        .collect()
}

/// The statement of what kyso found in the original, in English (x-default) and Vietnamese.
fn statements(input: &CopyInput) -> (String, String) {
    let signed: Vec<&SignatureReport> = input.signatures.iter().filter(|s| s.signed).collect();
    let verdict = input
        .verdict
        .map(|v| snake(&v))
        .unwrap_or_else(|| "none".into());
    let embedded = input
        .attachments
        .iter()
        .any(|a| a.relationship == Relationship::Source);
    let mut en = format!(
        "Digitised copy made by kyso {} from the original file {} (SHA-256 {}). kyso's verdict on \
         the original: {verdict}. ",
        env!("CARGO_PKG_VERSION"),
        input.original_name,
        input.original_sha256
    );
    let mut vi = format!(
        "Bản số hóa do kyso {} tạo từ tệp gốc {} (SHA-256 {}). Kết luận của kyso về bản gốc: {verdict}. ",
        env!("CARGO_PKG_VERSION"),
        input.original_name,
        input.original_sha256
    );
    if signed.is_empty() {
        en.push_str("The original carries no digital signature.");
        vi.push_str("Bản gốc không có chữ ký số.");
    } else {
        en.push_str(&format!(
            "The original carries {} digital signature(s): {}. This copy does not carry the \
             original's signatures; ",
            signed.len(),
            signature_lines(input.signatures).join(" | ")
        ));
        vi.push_str(&format!(
            "Bản gốc có {} chữ ký số (chi tiết: kyso:originalSignatures). Bản số hóa không mang \
             chữ ký của bản gốc; ",
            signed.len()
        ));
        if embedded {
            en.push_str("the original is embedded unchanged (associated file, AFRelationship Source), where they can be verified.");
            vi.push_str("tệp gốc được đính kèm nguyên vẹn để kiểm tra các chữ ký đó.");
        } else {
            en.push_str("the original is not embedded.");
            vi.push_str("tệp gốc không được đính kèm.");
        }
    }
    if let Some(signer) = input.archive_signer {
        en.push_str(&format!(
            " The copy is signed by the digitising agency: {}.",
            signer.subject
        ));
        vi.push_str(&format!(
            " Bản số hóa được ký số bởi cơ quan, tổ chức thực hiện số hóa: {}.",
            signer.subject
        ));
    }
    (en, vi)
}

/// The Circular 02/2019 columns as `kyso export --format circular02` fills them (one mapping:
/// `metadata::circular02`), for the per-document values kyso knows.
fn circular02(input: &CopyInput) -> Vec<(&'static str, Value)> {
    let c = Circular02::of(input.metadata, input.origin);
    let t = |s: String| Value::Text(s);
    vec![
        ("ma_dinh_danh", t(input.doc_id.to_string())),
        ("ten_loai_van_ban", t(c.ten_loai_van_ban)),
        ("so_van_ban", t(c.so_van_ban)),
        ("ky_hieu_van_ban", t(c.ky_hieu_van_ban)),
        ("ngay_van_ban", t(c.ngay_van_ban)),
        ("co_quan_ban_hanh", t(c.co_quan_ban_hanh)),
        ("trich_yeu", t(c.trich_yeu)),
        ("ngon_ngu", t(c.ngon_ngu)),
        ("so_trang", t(input.page_count.to_string())),
        ("muc_do_tin_cay", t(c.muc_do_tin_cay)),
        ("nguoi_ky", t(c.nguoi_ky)),
        ("chuc_vu_nguoi_ky", t(c.chuc_vu_nguoi_ky)),
        ("ghi_chu", t(c.ghi_chu.join("; "))),
    ]
}

fn kyso_values(input: &CopyInput, statement: &str, pages: usize) -> Vec<(&'static str, Value)> {
    let m = input.metadata;
    let t = |s: String| Value::Text(s);
    let embedded = input
        .attachments
        .iter()
        .any(|a| a.relationship == Relationship::Source);
    vec![
        ("documentId", t(input.doc_id.to_string())),
        ("originalSha256", t(input.original_sha256.to_string())),
        ("originalFileName", t(input.original_name.to_string())),
        ("originalFormat", t(snake(&input.original_format))),
        (
            "originalEmbedded",
            t(if embedded { "True" } else { "False" }.into()),
        ),
        ("origin", t(snake(&input.origin))),
        ("pageCount", t(pages.to_string())),
        (
            "sourceDpiMin",
            t(input
                .source_dpi_min
                .map(|d| format!("{d:.0}"))
                .unwrap_or_default()),
        ),
        (
            "verdict",
            t(input.verdict.map(|v| snake(&v)).unwrap_or_default()),
        ),
        ("signatureStatement", t(statement.to_string())),
        (
            "originalSignatures",
            Value::Seq(signature_lines(input.signatures)),
        ),
        (
            "originalSignaturesJson",
            t(serde_json::to_string(input.signatures).unwrap_or_default()),
        ),
        (
            "archiveSigner",
            t(input
                .archive_signer
                .map(|s| s.subject.clone())
                .unwrap_or_default()),
        ),
        ("kysoVersion", t(env!("CARGO_PKG_VERSION").to_string())),
        (
            "options",
            t(serde_json::to_string(input.options).unwrap_or_default()),
        ),
        ("optionsHash", t(input.options_hash.to_string())),
        ("agency", t(value(&m.agency))),
        ("parentAgency", t(value(&m.parent_agency))),
        ("agencyKey", t(value(&m.agency_key))),
        ("agencyName", t(value(&m.agency_name))),
        ("number", t(value(&m.number))),
        ("symbol", t(value(&m.symbol))),
        ("numberSymbol", t(value(&m.number_symbol))),
        ("docType", t(value(&m.doc_type))),
        ("place", t(value(&m.place))),
        ("issueDate", t(value(&m.issue_date))),
        ("subject", t(value(&m.subject))),
        ("signerName", t(value(&m.signer_name))),
        ("signerTitle", t(value(&m.signer_title))),
        ("signingAuthority", t(value(&m.signing_authority))),
        (
            "recipients",
            Value::Seq(
                m.recipients
                    .as_ref()
                    .map(|r| r.value.clone())
                    .unwrap_or_default(),
            ),
        ),
        ("urgency", t(value(&m.urgency))),
        ("confidentiality", t(value(&m.confidentiality))),
    ]
}

fn pdf_err(e: impl std::fmt::Display) -> ArchiveError {
    ArchiveError::Pdf(e.to_string())
}

/// A UUID-shaped rendering of 16 bytes (xmpMM:DocumentID).
fn uuid(bytes: &[u8]) -> String {
    let h = hex::encode(&bytes[..16]);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Builds the PDF/A copy of `pdf` (unsigned; `crate::sign` signs it afterwards).
pub fn build(pdf: &SearchablePdf, input: &CopyInput) -> Result<Vec<u8>, ArchiveError> {
    let mut doc = pdf.to_document().map_err(pdf_err)?;
    doc.version = "1.7".into();
    // A classic table: readable by every PDF/A validator, PDF/A-1 ones included.
    doc.reference_table.cross_reference_type = XrefType::CrossReferenceTable;
    let root_id = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(pdf_err)?;

    let time = VnTime::new(input.created);
    let m = input.metadata;
    let title = m.subject.as_ref().map(|f| f.value.clone());
    let author = m
        .agency_name
        .as_ref()
        .or(m.agency.as_ref())
        .map(|f| f.value.clone());
    let producer = format!("kyso {}", env!("CARGO_PKG_VERSION"));
    let creator_tool = match &input.engine {
        Some(e) => format!("kyso {} (OCR: {e})", env!("CARGO_PKG_VERSION")),
        None => producer.clone(),
    };
    let part = if input.attachments.is_empty() { 2 } else { 3 };
    let (en, vi) = statements(input);
    let pages = doc.get_pages().len();
    let language = (m.doc_type.is_some() || m.number_symbol.is_some() || m.agency.is_some())
        .then(|| "vi".to_string());

    let mut id_hash = Sha256::new();
    id_hash.update(input.original_sha256.as_bytes());
    id_hash.update(input.options_hash.as_bytes());
    id_hash.update(time.rfc3339().as_bytes());
    let id = id_hash.finalize();

    let packet = Packet {
        part,
        title: title.clone(),
        creator: author.clone(),
        date: m.issue_date.as_ref().map(|f| f.value.clone()),
        identifier: m
            .number_symbol
            .as_ref()
            .map(|f| f.value.clone())
            .or_else(|| match (&m.number, &m.symbol) {
                (Some(n), Some(s)) => Some(format!("{}/{}", n.value, s.value)),
                _ => None,
            }),
        doc_type: m.doc_type.as_ref().map(|f| f.value.clone()),
        language: language.clone(),
        description: vec![("x-default".into(), en.clone()), ("vi".into(), vi)],
        source: Some(format!("sha256:{}", input.original_sha256)),
        created: time.rfc3339(),
        creator_tool: creator_tool.clone(),
        producer: producer.clone(),
        document_uuid: uuid(&id),
        kyso: kyso_values(input, &en, pages),
        circular02: circular02(input),
    };
    let metadata_id = doc.add_object(Stream::new(
        dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
        packet.to_xml().into_bytes(),
    ));
    let icc_id = doc.add_object(Stream::new(dictionary! { "N" => 3 }, SRGB_ICC.to_vec()));
    let intent = dictionary! {
        "Type" => "OutputIntent",
        "S" => "GTS_PDFA1",
        "OutputConditionIdentifier" => Object::string_literal("sRGB IEC61966-2.1"),
        "RegistryName" => Object::string_literal("http://www.color.org"),
        "Info" => Object::string_literal("sRGB IEC61966-2.1"),
        "DestOutputProfile" => icc_id,
    };

    // Associated files: the original, unchanged (PDF/A-3).
    let mut af = Vec::new();
    let mut names: Vec<(String, Object)> = Vec::new();
    for a in &input.attachments {
        let size = a.bytes.len() as i64;
        let stream = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "EmbeddedFile",
                "Subtype" => Object::Name(a.mime.as_bytes().to_vec()),
                "Params" => dictionary! {
                    "Size" => size,
                    "ModDate" => Object::string_literal(time.pdf_date()),
                },
            },
            a.bytes.to_vec(),
        ));
        let spec = doc.add_object(dictionary! {
            "Type" => "Filespec",
            "F" => text_string(&ascii_name(&a.name)),
            "UF" => text_string(&a.name),
            "EF" => dictionary! { "F" => stream, "UF" => stream },
            "Desc" => text_string(&a.description),
            "AFRelationship" => match a.relationship {
                Relationship::Source => "Source",
                Relationship::Supplement => "Supplement",
            },
        });
        af.push(Object::Reference(spec));
        names.push((a.name.clone(), Object::Reference(spec)));
    }
    names.sort_by(|a, b| a.0.cmp(&b.0));

    let catalog = doc.get_dictionary_mut(root_id).map_err(pdf_err)?;
    catalog.set("Metadata", metadata_id);
    catalog.set("OutputIntents", vec![Object::Dictionary(intent)]);
    if let Some(lang) = &language {
        catalog.set("Lang", Object::string_literal(lang.as_str()));
    }
    if !af.is_empty() {
        catalog.set("AF", af);
        let mut tree = Vec::new();
        for (name, spec) in names {
            tree.push(text_string(&name));
            tree.push(spec);
        }
        catalog.set(
            "Names",
            dictionary! { "EmbeddedFiles" => dictionary! { "Names" => tree } },
        );
    }

    let mut info = Dictionary::new();
    info.set("Producer", text_string(&producer));
    info.set("Creator", text_string(&creator_tool));
    info.set("CreationDate", Object::string_literal(time.pdf_date()));
    info.set("ModDate", Object::string_literal(time.pdf_date()));
    if let Some(t) = title.as_deref().filter(|t| !t.is_empty()) {
        info.set("Title", text_string(t));
    }
    if let Some(a) = author.as_deref().filter(|a| !a.is_empty()) {
        info.set("Author", text_string(a));
    }
    let info_id = doc.add_object(info);
    doc.trailer.set("Info", info_id);
    let id = Object::String(id[..16].to_vec(), StringFormat::Hexadecimal);
    doc.trailer.set("ID", vec![id.clone(), id]);

    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(pdf_err)?;
    Ok(out)
}

/// The file name with non-ASCII characters replaced, for `/F` (PDFDocEncoding readers).
fn ascii_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srgb_profile_is_the_debian_package_file_byte_for_byte() {
        let installed = std::path::Path::new("/usr/share/color/icc/sRGB.icc");
        match std::fs::read(installed) {
            Ok(bytes) => assert_eq!(
                bytes, SRGB_ICC,
                "src/archive/sRGB.icc differs from icc-profiles-free's"
            ),
            Err(_) => eprintln!(
                "icc-profiles-free is not installed (make setup installs it): provenance not checked"
            ),
        }
        // An ICC v2 RGB display profile.
        assert_eq!(&SRGB_ICC[12..20], b"mntrRGB ");
        assert_eq!(SRGB_ICC[8], 2);
    }
}
