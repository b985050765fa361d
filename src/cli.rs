//! Every command-line flag, in one place. `main.rs` parses these and hands the converted
//! configuration to the library; nothing below the CLI depends on clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::discover::DiscoverOptions;
use crate::ocr::{Outputs, Preprocess};
use crate::pipeline::{OcrConfig, ScanConfig};
use crate::signature::SignatureOptions;
use crate::source::Limits;

const AFTER_HELP: &str = "\
Exit codes:
  0  every document processed without error
  1  some documents had errors (their records are written), or verify found an invalid signature
  2  usage error, or command not available yet
  3  fatal error (e.g. the output directory is not writable)
  4  verify: no signature found

Examples:
  kyso scan ~/archive/2019 --out out/2019            scan a folder tree
  kyso scan a.pdf b.tif --out out/ --jobs 2          two files, two workers
  kyso verify signed.pdf                             check a PDF's signatures
  kyso report --from out/2019 --out out/2019/report  per-agency compliance report";

/// Batch OCR, metadata extraction and digital-signature analysis of scanned and born-digital
/// administrative documents (PDF, TIFF, PNG, JPEG).
#[derive(Debug, Parser)]
#[command(name = "kyso", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse documents: page kinds, signatures, OCR, metadata, verdicts → DIR/documents.jsonl.
    #[command(after_help = "\
Examples:
  kyso scan testdata/corpus --out out/demo --exclude '*.truth.json'
  kyso scan scans/ --out out/ --jobs 8 --hidden

Every input file gets exactly one JSON record in DIR/documents.jsonl, sorted by path (the
order does not depend on --jobs). Files are identified by their first bytes, not their
extension; anything that is not PDF, TIFF, PNG or JPEG gets a record with the error kind
`unsupported_format`. See docs/record.md for the record's fields.")]
    Scan(ScanArgs),
    /// Verify the digital signatures of PDF files (and detached .p7s/.sig signatures).
    Verify(VerifyArgs),
    /// Per-agency compliance report from a scan's output (not available yet).
    Report(ReportArgs),
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files and folders to scan (folders are walked recursively, following symlinks).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Output folder; created if missing. documents.jsonl and other outputs go here.
    #[arg(long, short, value_name = "DIR")]
    pub out: PathBuf,

    /// Number of worker threads (default: the number of available cores).
    #[arg(long, short, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,

    /// Also scan files and folders whose name starts with a dot.
    #[arg(long)]
    pub hidden: bool,

    /// Leave out files and folders whose name matches this glob (repeatable), e.g. '*.truth.json'.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// No progress bar and no summary line.
    #[arg(long, short)]
    pub quiet: bool,

    /// Refuse to decode a raster larger than this many pixels (decompression bombs).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_pixels)]
    pub max_pixels: u64,

    /// Refuse documents with more pages than this.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_pages)]
    pub max_pages: u32,

    /// Give up recognising a page after this many seconds (the page gets a `timeout` error and
    /// the batch goes on); 0 means no limit.
    #[arg(long, value_name = "SECONDS", default_value_t = 180.0, value_parser = parse_seconds)]
    pub page_timeout: f64,

    /// OCR mode: `full` recognises every scanned page; `none` skips OCR (page kinds,
    /// signatures and verdicts are still computed, text comes only from text layers).
    #[arg(long, value_enum, default_value_t = OcrMode::Full)]
    pub ocr: OcrMode,

    /// Tesseract languages, `+`-separated (Debian packages tesseract-ocr-<lang>).
    #[arg(long, value_name = "LANGS", default_value = crate::ocr::DEFAULT_LANGS)]
    pub lang: String,

    /// Outputs to write under DIR: any of text, hocr, alto, pdf (comma-separated).
    #[arg(long, value_name = "LIST", default_value = "text,hocr,alto")]
    pub outputs: Outputs,

    /// Recognise scans that already carry an OCR text layer again (by default it is kept).
    #[arg(long)]
    pub redo_ocr: bool,

    #[command(flatten)]
    pub signature: SignatureArgs,
}

/// How much OCR `kyso scan` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OcrMode {
    /// Recognise every scanned page.
    Full,
    /// No OCR.
    None,
}

impl ScanArgs {
    /// The pipeline's configuration; fails when the signature options do not load (a bad
    /// --trust folder, --roles file or --at time), which is a usage error.
    pub fn to_config(&self) -> Result<ScanConfig, crate::signature::SignatureError> {
        Ok(ScanConfig {
            inputs: self.paths.clone(),
            out: self.out.clone(),
            jobs: self.jobs.map(usize::from).unwrap_or_else(default_jobs),
            discover: DiscoverOptions {
                hidden: self.hidden,
                exclude: self.exclude.clone(),
            },
            limits: Limits {
                max_pixels: self.max_pixels,
                max_pages: self.max_pages,
                ..Limits::default()
            },
            signature: self.signature.to_options()?,
            trust_roots_given: self.signature.trust.is_some(),
            ocr: OcrConfig {
                enabled: self.ocr == OcrMode::Full,
                langs: self.lang.clone(),
                outputs: self.outputs,
                redo: self.redo_ocr,
                preprocess: Preprocess::default(),
                page_timeout: (self.page_timeout > 0.0)
                    .then(|| std::time::Duration::from_secs_f64(self.page_timeout)),
            },
            show_progress: !self.quiet,
        })
    }
}

/// A non-negative, finite number of seconds (fractions allowed).
fn parse_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..1e9).contains(&v) => Ok(v),
        _ => Err(format!(
            "{s:?} is not a number of seconds (e.g. 180 or 0.5)"
        )),
    }
}

fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  kyso verify signed.pdf
  kyso verify --trust certs/ --at 2026-01-01T00:00:00Z a.pdf b.pdf
  kyso verify --json --roles roles.json scans/*.pdf
  kyso verify contract.docx.p7s        (detached: checks contract.docx)

Per signature: field, signer, time, integrity (digest), validity (signature value),
coverage and later modifications, trust, role. --json prints one line per file:
{\"file\": ..., \"signatures\": [...]} (the record's `signatures` objects).
Exit codes: 0 every signature intact and valid (and trusted when --trust is given); 1 a
signature is not intact, not valid, not trusted, covers only part of its revision, or the file
was changed after it by more than new signatures, form filling or LTA updates (DSS, document
timestamps); 2 usage error (also a bad --trust dir, --roles file or --at time); 3 a file could
not be read; 4 no signature found.")]
pub struct VerifyArgs {
    /// PDF files to verify; FILE.p7s or FILE.sig is a detached signature over FILE.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Print the signature objects as JSON (the same objects as the record's `signatures`).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub signature: SignatureArgs,
}

/// Flags for signature analysis, shared by `scan` and `verify`.
#[derive(Debug, Args)]
pub struct SignatureArgs {
    /// Trust roots: a folder of PEM or DER certificates (intermediates may be there too).
    /// Without it, trust is reported as `unknown`; with it, an untrusted signature makes the
    /// document `signature_invalid`.
    #[arg(long, value_name = "DIR")]
    pub trust: Option<PathBuf>,
    /// Role rules: JSON list of {"cn_contains"|"o_contains"|"serial": ..., "role": ...}.
    #[arg(long, value_name = "FILE")]
    pub roles: Option<PathBuf>,
    /// Check certificates at this instant (RFC 3339, e.g. 2026-01-01T00:00:00+07:00); default now.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

impl SignatureArgs {
    pub fn to_options(&self) -> Result<SignatureOptions, crate::signature::SignatureError> {
        SignatureOptions::load(
            self.trust.as_deref(),
            self.roles.as_deref(),
            self.at.as_deref(),
        )
    }
}

impl VerifyArgs {
    pub fn to_config(&self) -> crate::signature::verify_command::VerifyConfig {
        crate::signature::verify_command::VerifyConfig {
            files: self.files.clone(),
            json: self.json,
            trust: self.signature.trust.clone(),
            roles: self.signature.roles.clone(),
            at: self.signature.at.clone(),
        }
    }
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A `kyso scan` output folder.
    #[arg(long, value_name = "DIR")]
    pub from: PathBuf,
    /// Where to write the report (default: DIR/report).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}
