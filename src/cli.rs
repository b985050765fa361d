//! Every command-line flag, in one place. `main.rs` parses these and hands the converted
//! configuration to the library; nothing below the CLI depends on clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::discover::DiscoverOptions;
use crate::pipeline::ScanConfig;
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
    /// Verify the digital signatures of PDF files (not available yet).
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

    /// Leave out files whose name matches this glob (repeatable), e.g. '*.truth.json'.
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
}

impl ScanArgs {
    pub fn to_config(&self) -> ScanConfig {
        ScanConfig {
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
            signature: SignatureOptions::default(),
            show_progress: !self.quiet,
        }
    }
}

fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// PDF files to verify.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Print the signature objects as JSON (the same objects as the record's `signatures`).
    #[arg(long)]
    pub json: bool,
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
