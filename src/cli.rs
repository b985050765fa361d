//! Every command-line flag, in one place. `main.rs` parses these and hands the converted
//! configuration to the library; nothing below the CLI depends on clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::{OcrConfig, ScanConfig, Shard};
use crate::discover::DiscoverOptions;
use crate::metadata::{AgencyDirectory, AgencyError};
use crate::ocr::{Outputs, Preprocess};
use crate::report::{Formats, Grouping, ReportConfig};
use crate::signature::SignatureOptions;
use crate::source::Limits;

const AFTER_HELP: &str = "\
Exit codes:
  0  every document processed without error
  1  some documents had errors (their records are written), or verify found an invalid signature
  2  usage error
  3  fatal error (e.g. the output directory is not writable)
  4  verify: no signature found
  130  scan: stopped by Ctrl-C or SIGTERM (run the same command again to resume)

Examples:
  kyso scan ~/archive/2019 --out out/2019            scan a folder tree
  kyso scan a.pdf b.tif --out out/ --jobs 2          two files, two workers
  kyso verify signed.pdf                             check a PDF's signatures
  kyso scan ~/archive --out out/s0 --shard 0/3        one third of a folder (one node)
  kyso merge out/s0 out/s1 out/s2 --out out/all      combine the shards' outputs
  kyso report --from out/2019 --out out/2019/report  per-agency compliance report
  kyso export --from out/2019 --format circular02    metadata for archives (CSV)
  kyso agencies --from out/2019                      an agency file to review";

/// Batch OCR, metadata extraction and digital-signature analysis of scanned and born-digital
/// administrative documents (PDF, TIFF, PNG, JPEG).
#[derive(Debug, Parser)]
#[command(name = "kyso", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// `scan` has many more flags than the other commands; the enum is built once per process, so
// its size does not matter.
#[allow(clippy::large_enum_variant)]
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
`unsupported_format`. See docs/record.md for the record's fields.

Records are kept in DIR/catalog.sqlite (docs/catalog.md). Scanning into the same DIR again
processes only new and changed files (and, with --retry-failed, those whose record has
errors); a file renamed or copied unchanged reuses its record. Ctrl-C (or SIGTERM) stops after
the documents in flight; the same command resumes.")]
    Scan(ScanArgs),
    /// Combine the outputs of `kyso scan --shard K/N` runs into one output folder.
    #[command(after_help = "\
Examples:
  kyso merge out/shard-0 out/shard-1 out/shard-2 --out out/all

The merged DIR gets a catalog.sqlite and a documents.jsonl holding every shard's documents
(sorted by path), and the shards' text/, hocr/, alto/ and pdf/ files (hard links when on the
same file system). Merging again gives the same result. Shards made by another kyso version or
with other options than the first are refused (exit code 2), and so is a shard whose scan did
not finish.")]
    Merge(MergeArgs),
    /// Verify the digital signatures of PDF files (and detached .p7s/.sig signatures).
    Verify(VerifyArgs),
    /// Per-agency compliance report (HTML with charts, CSV, JSON) from a scan's output.
    #[command(after_help = "\
Examples:
  kyso report --from out/demo
  kyso report --from out/2019 --out reports/2019 --by agency,month --format html,csv
  kyso report --from out/2019 --agencies agencies.json

Reads DIR/documents.jsonl as a stream and writes report.html (self-contained: inline SVG
charts, sortable tables, prints on A4), report.csv (one row per agency, or agency and month)
and report.json (the same numbers, plus the flagged documents with their evidence). Prints a
summary table on stderr (unless --quiet) and the paths of the files written on stdout.
Documents whose agency could not be resolved are counted in one \"(unresolved agency)\" row, never dropped, and listed with their candidates in the report's review section.")]
    Report(ReportArgs),
    /// Suggest an agency file from a scan's output, for review and `--agencies`.
    #[command(after_help = "\
Examples:
  kyso agencies --from out/2019                       writes out/2019/agencies.suggested.toml
  kyso agencies --from out/2019 --out agencies.toml
  kyso report --from out/2019 --agencies agencies.toml

One [[agency]] entry per agency of the run (key, name, aliases), with its number of documents,
example paths and the evidence its resolution rested on as comments. Keys that may be one
agency (a name read two ways, with and without its province) are joined into one entry whose
aliases hold the other keys: passed back with --agencies, they are one row. Unresolved
documents are listed as comments with their candidates. Exit codes: 0 written; 2 DIR has no
documents.jsonl; 3 the file could not be written.")]
    Agencies(AgenciesArgs),
    /// Export a scan's metadata for archives: Circular 02/2019/TT-BNV CSV, or JSON lines.
    #[command(after_help = "\
Examples:
  kyso export --from out/2019 --format circular02 --out out/2019/circular02.csv
  kyso export --from out/2019 --format jsonl > metadata.jsonl

Reads DIR/documents.jsonl one record at a time. circular02 writes one CSV row (UTF-8, RFC 4180)
per document with the per-document fields of Circular 02/2019/TT-BNV; fields that cannot be
known from a scan (file code, archival code, keywords, physical condition, ...) are left empty.
See docs/export.md for the mapping. Exit codes: 0 done; 1 some lines were not records
(skipped); 2 DIR has no documents.jsonl; 3 the output could not be written.")]
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct AgenciesArgs {
    /// A `kyso scan` output folder (its documents.jsonl is read).
    #[arg(long, value_name = "DIR")]
    pub from: PathBuf,
    /// Where to write the suggested file (default: DIR/agencies.suggested.toml).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// A `kyso scan` output folder (its documents.jsonl is read).
    #[arg(long, value_name = "DIR")]
    pub from: PathBuf,
    /// What to write.
    #[arg(long, value_enum, default_value_t = ExportFormatArg::Circular02)]
    pub format: ExportFormatArg,
    /// Output file (written whole or not at all); standard output when absent.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// `kyso export --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormatArg {
    /// CSV with the per-document fields of Circular 02/2019/TT-BNV.
    Circular02,
    /// One JSON object per document: path, id, origin, pages, verdict and metadata.
    Jsonl,
}

impl ExportArgs {
    pub fn to_config(&self) -> crate::export::ExportConfig {
        crate::export::ExportConfig {
            from: self.from.clone(),
            format: match self.format {
                ExportFormatArg::Circular02 => crate::export::ExportFormat::Circular02,
                ExportFormatArg::Jsonl => crate::export::ExportFormat::Jsonl,
            },
            out: self.out.clone(),
        }
    }
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

    /// OCR mode: `full` recognises every scanned page; `zones` (inspector mode) recognises only
    /// the header of the first page and the signer block of the last, found by layout analysis,
    /// and skips the pages between; `none` skips OCR (page kinds, signatures and verdicts are
    /// still computed, text comes only from text layers).
    #[arg(long, value_enum, default_value_t = OcrMode::Full)]
    pub ocr: OcrMode,

    /// Tesseract languages, `+`-separated (Debian packages tesseract-ocr-<lang>).
    #[arg(long, value_name = "LANGS", default_value = crate::ocr::DEFAULT_LANGS)]
    pub lang: String,

    /// Outputs to write under DIR: any of text, hocr, alto, pdf, pdfa (comma-separated).
    /// `pdfa` is the archive copy of each fully recognised scan: PDF/A-2b with the catalogue
    /// metadata in XMP, PDF/A-3b with the original embedded when it was digitally signed
    /// (docs/archive.md).
    #[arg(long, value_name = "LIST", default_value = "text,hocr,alto")]
    pub outputs: Outputs,

    #[command(flatten)]
    pub archive: ArchiveSignArgs,

    /// Recognise scans that already carry an OCR text layer again (by default it is kept).
    #[arg(long)]
    pub redo_ocr: bool,

    /// Write a cropped PNG of each detected seal and handwritten signature to
    /// DIR/evidence/<id>-p<N>-seal<k>.png and ...-signature<k>.png.
    #[arg(long)]
    pub evidence_images: bool,

    #[command(flatten)]
    pub signature: SignatureArgs,

    #[command(flatten)]
    pub agencies: AgencyArgs,

    /// Process only shard K of N (0 <= K < N): the inputs whose path relative to its input root
    /// hashes to K. Run N of these into N output folders, then `kyso merge` them.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,

    /// Process again the documents whose record has errors, even when unchanged.
    #[arg(long)]
    pub retry_failed: bool,

    /// Hash every input to tell whether it changed, instead of trusting an unchanged size,
    /// modification time, change time and inode (slower re-runs).
    #[arg(long)]
    pub verify_hashes: bool,
}

/// The archive's own signature on its PDF/A copies (docs/archive.md).
#[derive(Debug, Args)]
pub struct ArchiveSignArgs {
    /// PAdES-sign every PDF/A copy (`--outputs pdfa`) with the digitising agency's key and
    /// certificate from this PKCS#12 file. The signature covers the whole copy; a personal
    /// certificate is refused unless --allow-personal-signer.
    #[arg(long, value_name = "FILE.p12")]
    pub sign_with: Option<PathBuf>,
    /// The environment variable that holds the PKCS#12 password (the password itself is never
    /// a flag, so it stays out of `ps` and shell histories).
    #[arg(long, value_name = "VAR", default_value = crate::sign::DEFAULT_PASSWORD_ENV, requires = "sign_with")]
    pub sign_password_env: String,
    /// RFC 3161 time-stamp authority (http://…): the archive's signatures become PAdES B-T
    /// instead of B-B. One request per copy goes over the network.
    #[arg(long, value_name = "URL", requires = "sign_with")]
    pub tsa_url: Option<String>,
    /// Accept a personal certificate (ký số cá nhân) for --sign-with.
    #[arg(long, requires = "sign_with")]
    pub allow_personal_signer: bool,
}

/// The agency directory, shared by the commands that group documents by agency.
#[derive(Debug, Args)]
pub struct AgencyArgs {
    /// Agency directory (TOML `[[agency]]` tables, or JSON): key, name, aliases, parent. Maps
    /// the ways an agency is printed (and its certificates' O/CN) to one key; agencies not in
    /// it keep their own key and are listed at the end of the run.
    #[arg(long, value_name = "FILE")]
    pub agencies: Option<PathBuf>,
}

impl AgencyArgs {
    pub fn load(&self) -> Result<Option<AgencyDirectory>, AgencyError> {
        self.agencies
            .as_deref()
            .map(AgencyDirectory::load)
            .transpose()
    }
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Output folders of `kyso scan` runs (usually `--shard K/N` runs).
    #[arg(required = true, value_name = "DIR")]
    pub shards: Vec<PathBuf>,
    /// The merged output folder; created if missing.
    #[arg(long, short, value_name = "DIR")]
    pub out: PathBuf,
    /// No summary line.
    #[arg(long, short)]
    pub quiet: bool,
}

/// How much OCR `kyso scan` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OcrMode {
    /// Recognise every scanned page.
    Full,
    /// Recognise only the metadata zones: first page's header, last page's signer block.
    Zones,
    /// No OCR.
    None,
}

impl ScanArgs {
    /// The pipeline's configuration; fails when the signature options do not load (a bad
    /// --trust folder, --roles file or --at time) or the agency file does not, which is a
    /// usage error.
    pub fn to_config(&self) -> Result<ScanConfig, ConfigError> {
        let signature = self.signature.to_options()?;
        let archive_signer = match &self.archive.sign_with {
            None => None,
            Some(_) if !self.outputs.pdfa => return Err(ConfigError::SignWithoutPdfa),
            Some(p12) => Some(std::sync::Arc::new(crate::sign::Signer::load(
                &crate::sign::SignConfig {
                    p12: p12.clone(),
                    password_env: self.archive.sign_password_env.clone(),
                    tsa_url: self.archive.tsa_url.clone(),
                    allow_personal: self.archive.allow_personal_signer,
                },
                &signature,
            )?)),
        };
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
            signature,
            archive_signer,
            trust_roots_given: self.signature.trust.is_some(),
            ocr: OcrConfig {
                enabled: self.ocr != OcrMode::None,
                zones: self.ocr == OcrMode::Zones,
                langs: self.lang.clone(),
                outputs: self.outputs,
                redo: self.redo_ocr,
                preprocess: Preprocess::default(),
                page_timeout: (self.page_timeout > 0.0)
                    .then(|| std::time::Duration::from_secs_f64(self.page_timeout)),
            },
            agencies: self.agencies.load()?.map(std::sync::Arc::new),
            show_progress: !self.quiet,
            shard: self.shard,
            retry_failed: self.retry_failed,
            verify_hashes: self.verify_hashes,
            evidence_images: self.evidence_images,
        })
    }
}

/// Why a command line could not be turned into a configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    Signature(#[from] crate::signature::SignatureError),
    #[error(transparent)]
    Agencies(#[from] AgencyError),
    #[error(transparent)]
    Sign(#[from] crate::sign::SignError),
    #[error(
        "--sign-with signs the PDF/A copies: add pdfa to --outputs (e.g. --outputs text,pdfa)"
    )]
    SignWithoutPdfa,
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
  kyso verify --trust certs/ --fetch-revocation a.pdf   (asks OCSP responders, CRL servers)
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
    /// Trust: a folder of PEM or DER certificates, each an anchor (intermediates may be there
    /// too), or a trust profile file (TOML: roots and intermediates with their purpose and
    /// SHA-256 fingerprints; docs/trust.md). Without it, trust is reported as `unknown`; with
    /// it, an untrusted signature makes the document `signature_invalid`.
    #[arg(long, value_name = "DIR|PROFILE")]
    pub trust: Option<PathBuf>,
    /// Role rules: JSON list of {"cn_contains"|"o_contains"|"serial": ..., "role": ...}.
    #[arg(long, value_name = "FILE")]
    pub roles: Option<PathBuf>,
    /// Check certificates at this instant (RFC 3339, e.g. 2026-01-01T00:00:00+07:00); default now.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Use the network: for a chain certificate whose revocation status the file's own CRLs and
    /// OCSP responses leave unknown, ask its OCSP responder and download its CRLs (http:// only,
    /// 15 s and 16 MiB per request; HTTP_PROXY is honoured). Off by default: without it kyso
    /// never connects anywhere. The report says which statuses were fetched.
    #[arg(long)]
    pub fetch_revocation: bool,
}

impl SignatureArgs {
    pub fn to_options(&self) -> Result<SignatureOptions, crate::signature::SignatureError> {
        let options = SignatureOptions::load(
            self.trust.as_deref(),
            self.roles.as_deref(),
            self.at.as_deref(),
        )?;
        if self.fetch_revocation {
            options.with_fetching(crate::signature::FetchOptions::default())
        } else {
            Ok(options)
        }
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
            fetch_revocation: self.signature.fetch_revocation,
        }
    }
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A `kyso scan` output folder (or its documents.jsonl).
    #[arg(long, value_name = "DIR")]
    pub from: PathBuf,
    /// Where to write the report (default: DIR/report).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Rows per `agency`, or per `agency,month` (month of the issue date).
    #[arg(long, value_name = "GROUPING", default_value = "agency", value_parser = parse_grouping)]
    pub by: Grouping,
    /// Files to write: any of html, csv, json (comma-separated).
    #[arg(long, value_name = "LIST", default_value = "html,csv,json")]
    pub format: Formats,
    /// Agency file: JSON list of {"key", "name", "aliases", "parent"}; gives display names,
    /// and keys for records that have an agency name but no agency_key.
    #[arg(long, value_name = "FILE")]
    pub agencies: Option<PathBuf>,
    /// No summary table.
    #[arg(long, short)]
    pub quiet: bool,
}

fn parse_grouping(s: &str) -> Result<Grouping, String> {
    match s.replace(' ', "").as_str() {
        "agency" => Ok(Grouping::Agency),
        "agency,month" => Ok(Grouping::AgencyMonth),
        other => Err(format!("{other:?}: expected `agency` or `agency,month`")),
    }
}

impl ReportArgs {
    pub fn to_config(&self) -> ReportConfig {
        let out = self.out.clone().unwrap_or_else(|| {
            if self.from.is_file() {
                self.from.with_file_name("report")
            } else {
                self.from.join("report")
            }
        });
        ReportConfig {
            from: self.from.clone(),
            out,
            grouping: self.by,
            formats: self.format,
            agencies: self.agencies.clone(),
            quiet: self.quiet,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn scan_config(extra: &[&str]) -> ScanConfig {
        let args = ["kyso", "scan", "in", "--out", "out", "--ocr", "none"];
        let cli = Cli::try_parse_from(args.iter().chain(extra)).unwrap();
        let Command::Scan(scan) = cli.command else {
            panic!("not a scan")
        };
        scan.to_config().unwrap()
    }

    #[test]
    fn fetching_revocation_data_changes_the_scan_fingerprint() {
        let off = crate::config::scan_fingerprint(&scan_config(&[]), None);
        let on = crate::config::scan_fingerprint(&scan_config(&["--fetch-revocation"]), None);
        assert_ne!(off.hash, on.hash);
        assert_eq!(on.options["fetch_revocation"], serde_json::json!(true));
        assert!(!off.options.contains_key("fetch_revocation"));
    }
}
