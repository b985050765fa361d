//! An edXML package in the scan: one file, N documents (docs/edxml.md, "In the batch").
//!
//! The package is read and parsed by the worker that takes it; each attachment is then decoded
//! by whichever worker takes it (rayon splits them as it splits pages) and goes through every
//! stage as a document of its own, path `package.xml#ContentId/AttachmentName`, with the
//! envelope's header as its `declared` metadata. All the records of one package go to the
//! catalog as one outcome, in one transaction, keyed under the package's key
//! ([`catalog::child_key`]), so resume, skip and shards treat the package as the one file it is.

use std::sync::Arc;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::catalog::{self, FileStat, Outcome, Prior};
use crate::discover::{self, Candidate};
use crate::edxml::{self, Attachment, Declared, Package, PackageKind, PackageLimits, PackageRef};
use crate::error::{ErrorKind, Stage};
use crate::record::Record;
use crate::source::Format;
use crate::verdict::Verdict;

use super::{analyse_bytes, guarded, path_string, DocContext};

/// What a document read from a package brings besides its bytes.
#[derive(Debug, Clone)]
pub(super) struct FromPackage {
    pub(super) declared: Declared,
    pub(super) package: PackageRef,
}

/// The dispatcher's quick check for a package: every record the catalog holds from the file
/// stands when the file-system facts and the options are unchanged (without reading it).
pub(super) fn unchanged(priors: &[Prior], stat: &FileStat, ctx: &DocContext) -> bool {
    !priors.is_empty()
        && priors
            .iter()
            .all(|p| p.same_file(stat) && p.still_valid(&ctx.fingerprint, ctx.retry_failed))
}

/// Reads a package and makes its records; keeps them when the bytes are the ones the catalog
/// already holds (its documents' `sidecars` name the package's hash).
pub(super) fn analyse(
    candidate: Candidate,
    key: Vec<u8>,
    stat: Option<FileStat>,
    priors: Vec<Prior>,
    ctx: &DocContext,
) -> Outcome {
    let path = path_string(&candidate.path);
    let bytes = match discover::read_whole(&candidate.path) {
        // Kept as read: an Arc of the Vec, not a copy of the package into an Arc'd slice.
        Ok(b) => Arc::new(b),
        Err(e) => {
            let mut r = Record::new(path.clone());
            r.format = Format::Edxml;
            r.package = Some(PackageRef::of(&path, None, None));
            r.push_error(Stage::Read, e.kind(), e.to_string());
            r.verdict = Some(Verdict::Unreadable);
            return Outcome::Package {
                records: vec![(key.clone(), r)],
                key,
                stat,
            };
        }
    };
    let sha = hex::encode(Sha256::digest(bytes.as_slice()));
    let stat = stat.map(|mut s| {
        s.sidecars = format!("package:{sha}");
        s
    });
    if let Some(s) = &stat {
        if !priors.is_empty()
            && priors
                .iter()
                .all(|p| p.same_sidecars(s) && p.still_valid(&ctx.fingerprint, ctx.retry_failed))
        {
            return Outcome::TouchedPackage {
                ids: priors.iter().map(|p| p.id).collect(),
                stat: s.clone(),
            };
        }
    }
    let records = records(&path, &key, bytes, &sha, ctx);
    Outcome::Package { key, stat, records }
}

/// A record of the package file itself: when it cannot be read as a package, or carries no
/// attachment.
fn package_record(path: &str, bytes: usize, sha: &str, package: Option<&Package>) -> Record {
    let mut r = Record::new(path.to_string());
    r.format = Format::Edxml;
    r.id = Some(sha[..16].to_string());
    r.sha256 = Some(sha.to_string());
    r.bytes = Some(bytes as u64);
    r.package = Some(PackageRef::of(path, Some(sha.to_string()), package));
    r.declared = package.map(|p| p.declared.clone());
    r
}

fn records(
    path: &str,
    key: &[u8],
    bytes: Arc<Vec<u8>>,
    sha: &str,
    ctx: &DocContext,
) -> Vec<(Vec<u8>, Record)> {
    let limits = PackageLimits::new(ctx.limits.max_stream_bytes);
    let size = bytes.len();
    let mut parsed = None;
    let record = guarded(path, Format::Edxml, || {
        let mut r = package_record(path, size, sha, None);
        match edxml::parse(bytes, &limits) {
            Ok(p) if p.attachments.is_empty() => {
                r = package_record(path, size, sha, Some(&p));
                match p.kind {
                    // A status (received, processing, ...) is not a document: no verdict.
                    PackageKind::Status => r.verdict = None,
                    PackageKind::Document => {
                        r.push_error(
                            Stage::Package,
                            "no_attachment",
                            "the package declares a document but carries no attachment",
                        );
                        r.verdict = Some(Verdict::Unreadable);
                    }
                }
            }
            Ok(p) => parsed = Some(p),
            Err(e) => {
                r.push_error(Stage::Package, e.kind(), e.to_string());
                r.verdict = Some(Verdict::Unreadable);
            }
        }
        r
    });
    let Some(package) = parsed else {
        return vec![(key.to_vec(), record)];
    };
    package
        .attachments
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, a)| attachment_records(path, key, sha, &package, i, a, &limits, ctx))
        .collect()
}

/// The documents one attachment yields (one, or one per entry of its zip), each with its key.
#[allow(clippy::too_many_arguments)]
fn attachment_records(
    path: &str,
    key: &[u8],
    sha: &str,
    package: &Package,
    index: usize,
    a: &Attachment,
    limits: &PackageLimits,
    ctx: &DocContext,
) -> Vec<(Vec<u8>, Record)> {
    let label = match &a.name {
        Some(n) => format!("{path}#{}/{n}", a.content_id),
        None => format!("{path}#{}", a.content_id),
    };
    let mut reference = PackageRef::of(path, Some(sha.to_string()), Some(package));
    reference.content_id = Some(a.content_id.clone());
    reference.attachment_name = a.name.clone();
    reference.content_type = a.content_type.clone();
    reference.index = Some(index as u32);
    let from = FromPackage {
        declared: package.declared.clone(),
        package: reference,
    };
    let failed = |kind: &str, message: String| {
        let mut r = Record::new(label.clone());
        r.package = Some(from.package.clone());
        r.declared = Some(from.declared.clone());
        r.push_error(Stage::Package, kind, message);
        r.verdict = Some(Verdict::Unreadable);
        r
    };
    let files = match edxml::decode_attachment(package, a, limits) {
        Ok(files) => files,
        Err(e) => {
            let r = guarded(&label, Format::Unknown, || failed(e.kind(), e.to_string()));
            return vec![(catalog::child_key(key, index as u32, 0), r)];
        }
    };
    files
        .into_iter()
        .enumerate()
        .map(|(j, f)| {
            let (doc_path, entry) = match &f.entry {
                Some(e) => (format!("{label}!{e}"), j as u32 + 1),
                None => (label.clone(), 0),
            };
            let format = discover::sniff(&f.bytes[..f.bytes.len().min(1029)]);
            let mut from = from.clone();
            from.package.zip_entry = f.entry.clone();
            let record = guarded(&doc_path, format, || {
                let mut r = Record::new(doc_path.clone());
                r.format = format;
                if format == Format::Edxml {
                    r.package = Some(from.package.clone());
                    r.declared = Some(from.declared.clone());
                    r.push_error(
                        Stage::Package,
                        "nested_package",
                        "the attachment is itself an edXML package, which is not unpacked",
                    );
                    r.verdict = Some(Verdict::Unreadable);
                    return r;
                }
                analyse_bytes(r, Arc::from(f.bytes), None, Some(&from), ctx)
            });
            (catalog::child_key(key, index as u32, entry), record)
        })
        .collect()
}
