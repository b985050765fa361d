//! The archive copy of a processed document (`--outputs pdfa`): built once the verdict is known,
//! signed when `--sign-with` is given, written to `OUT/pdfa/<id>.pdf`. A failure is an error in
//! the document's record; the batch goes on, and no unsigned copy stands in for a signed one.

use std::fs;
use std::path::Path;

use crate::archive::{self, Attachment, CopyInput, Relationship};
use crate::discover;
use crate::error::{ErrorKind, Stage};
use crate::ocr::SearchablePdf;
use crate::output::write_atomic;
use crate::record::Record;
use crate::sign;
use crate::source::PageKind;

use super::DocContext;

pub(super) fn write_copy(
    record: &mut Record,
    pages: &SearchablePdf,
    original: &[u8],
    path: &Path,
    from_file: bool,
    ctx: &DocContext,
) {
    let Some(id) = record.id.clone() else { return };
    let signed = record.signatures.iter().any(|s| s.signed);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| format!("{id}.original"));
    // The original's signatures only hold on its own bytes: a signed original goes into the
    // copy unchanged, with its detached signatures beside it.
    // A document from a package has no file beside which a detached signature could lie.
    let sidecars: Vec<(String, Vec<u8>)> = if signed && from_file {
        discover::detached_signatures(path)
            .into_iter()
            .filter_map(|p| {
                let bytes = fs::read(&p).ok()?;
                Some((p.file_name()?.to_string_lossy().into_owned(), bytes))
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut attachments = Vec::new();
    if signed {
        attachments.push(Attachment {
            name: name.clone(),
            bytes: original,
            mime: archive::mime_of(record.format),
            relationship: Relationship::Source,
            description: "The original file, unchanged: its digital signatures are verified on \
                          these bytes (Tệp gốc, nguyên vẹn)"
                .into(),
        });
        for (sidecar, bytes) in &sidecars {
            attachments.push(Attachment {
                name: sidecar.clone(),
                bytes,
                mime: "application/pkcs7-signature",
                relationship: Relationship::Supplement,
                description: format!("Detached signature of {name}, unchanged"),
            });
        }
    }
    let page_count = record
        .pages
        .iter()
        .filter(|p| p.kind != PageKind::Blank)
        .count();
    let source_dpi_min = record
        .pages
        .iter()
        .filter(|p| p.kind.is_scan())
        .filter_map(|p| p.dpi)
        .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.min(d))));
    let created = sign::copy_time();
    let options = &ctx.fingerprint.options;
    let input = CopyInput {
        doc_id: &id,
        original_sha256: record.sha256.as_deref().unwrap_or(""),
        original_name: &name,
        original_format: record.format,
        attachments,
        metadata: &record.metadata,
        origin: record.origin,
        page_count,
        source_dpi_min,
        verdict: record.verdict,
        signatures: &record.signatures,
        options,
        options_hash: &ctx.fingerprint.hash,
        archive_signer: ctx.archive_signer.as_ref().map(|s| &s.identity),
        created,
        engine: ctx
            .engine
            .as_ref()
            .map(|e| format!("{} {}", e.name, e.version)),
    };
    let result = archive::build(pages, &input)
        .map_err(|e| (e.kind(), e.to_string()))
        .and_then(|copy| match &ctx.archive_signer {
            Some(signer) => signer
                .sign_pdf(&copy, created)
                .map_err(|e| (e.kind(), e.to_string())),
            None => Ok(copy),
        })
        .and_then(|copy| {
            let dir = ctx.out.join("pdfa");
            let target = dir.join(format!("{id}.pdf"));
            fs::create_dir_all(&dir)
                .and_then(|_| write_atomic(&target, &copy))
                .map_err(|e| ("write_failed", format!("{}: {e}", target.display())))
        });
    if let Err((kind, message)) = result {
        record.push_error(Stage::Output, kind, message);
    }
}
