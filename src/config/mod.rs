//! A scan's configuration: what `kyso scan` was asked to do, independent of how it was asked
//! (flags in `cli`), and what of it changes a record (the [`Fingerprint`] the catalog compares).
//!
//! Its own module so that the pipeline that runs a scan and the catalog that remembers it both
//! read it, and neither imports the other for it.

mod fingerprint;
mod shard;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::discover::DiscoverOptions;
use crate::metadata::AgencyDirectory;
use crate::ocr::{Outputs, Preprocess};
use crate::sign::Signer;
use crate::signature::SignatureOptions;
use crate::source::Limits;

pub use fingerprint::{scan_fingerprint, Fingerprint};
pub use shard::{relative_to_roots, Shard};

/// Everything `kyso scan` needs, independent of how it was asked for.
#[derive(Debug, Clone)]
pub struct ScanConfig {
    pub inputs: Vec<PathBuf>,
    pub out: PathBuf,
    pub jobs: usize,
    pub discover: DiscoverOptions,
    pub limits: Limits,
    pub signature: SignatureOptions,
    /// `--sign-with`: the digitising agency's signer for the PDF/A copies.
    pub archive_signer: Option<Arc<Signer>>,
    /// Whether trust roots were given: then an untrusted signature invalidates the document.
    pub trust_roots_given: bool,
    pub ocr: OcrConfig,
    /// `--agencies FILE`: aliases mapped to one agency key.
    pub agencies: Option<Arc<AgencyDirectory>>,
    pub show_progress: bool,
    /// `--shard K/N`: only the inputs of this shard.
    pub shard: Option<Shard>,
    /// `--retry-failed`: process again documents whose record has errors, even if unchanged.
    pub retry_failed: bool,
    /// `--verify-hashes`: hash every input instead of trusting unchanged file-system facts.
    pub verify_hashes: bool,
    /// Write a cropped PNG of every detected seal and handwritten signature under
    /// `out/evidence/`.
    pub evidence_images: bool,
}

/// What the OCR stage does in a scan.
#[derive(Debug, Clone)]
pub struct OcrConfig {
    pub enabled: bool,
    /// Inspector mode: only the zones that carry metadata are recognised.
    pub zones: bool,
    /// Tesseract languages, e.g. `vie`, `vie+eng`.
    pub langs: String,
    pub outputs: Outputs,
    /// Recognise scans that already have a text layer again.
    pub redo: bool,
    pub preprocess: Preprocess,
    /// Time budget for recognising one page (`--page-timeout`); `None`: no limit.
    pub page_timeout: Option<Duration>,
}
