//! The pipeline: discovered inputs → per-document stages → one writer for records.
//!
//! One rayon pool runs all the work. A document is opened by a worker (read, hash, signatures on
//! the original bytes, page kinds); its pages then become separate tasks in the same pool, so a
//! long document is spread over every worker. When its last page is done, the document is
//! finished (metadata, verdict) and its record goes to the single writer thread, which stores it
//! in the catalog (`src/catalog/`); at the end of a complete run documents.jsonl is written
//! from the catalog in discovery (path) order, whatever order documents completed in. Inputs the
//! catalog already holds with the same bytes and options are not processed again. The number of
//! documents in flight is bounded, so memory does not grow with the size of the corpus.

mod archive;
mod package;
mod pages;
mod summary;

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::IsTerminal;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::catalog::{self, CatalogError, CatalogReader, CatalogWriter, FileStat, Outcome, Prior};
use crate::config::{self, Fingerprint, OcrConfig, ScanConfig};
use crate::discover::{self, Candidate, DiscoverError};
use crate::error::{ErrorKind, Stage};
use crate::evidence;
use crate::exit::ExitCode;
use crate::marks::PageMarks;
use crate::metadata::{self, AgencyDirectory};
use crate::ocr::{self, EngineInfo, OcrError};
use crate::output::terminal;
use crate::record::Record;
use crate::signature::{self, SignatureOptions};
use crate::source::{self, Document, Format, Limits, Origin};
use crate::verdict::{self, VerdictInput};

use pages::{page_texts, page_work, write_page_outputs, PageWork};
use summary::unknown_agencies;

pub use summary::Summary;

/// Errors that stop a whole run (as opposed to a document's errors, which go in its record).
#[derive(Debug, Error)]
pub enum PipelineError {
    #[error("output folder {path} is not writable: {source}")]
    OutputNotWritable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot start {jobs} worker threads: {message}")]
    ThreadPool { jobs: usize, message: String },
    #[error(transparent)]
    Discover(#[from] DiscoverError),
    #[error("the record writer failed: {0}")]
    Writer(String),
    #[error(transparent)]
    Ocr(#[from] OcrError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
}

/// `kyso scan`: runs the pipeline, prints the summary and tells the exit code.
pub fn scan_command(config: &ScanConfig) -> ExitCode {
    match scan(config) {
        Ok(summary) => {
            // An interrupted run always says how to resume, even with --quiet.
            if config.show_progress || summary.interrupted {
                terminal::eprint_line(summary.line(&config.out));
                for line in summary.unknown_agencies_lines() {
                    terminal::eprint_line(line);
                }
                crate::report::print_scan_summary(&config.out);
            }
            summary.exit_code()
        }
        Err(PipelineError::Catalog(e)) if e.is_refusal() => {
            terminal::error("kyso scan", e);
            ExitCode::Usage
        }
        Err(
            e @ (PipelineError::Discover(DiscoverError::BadPattern(_)) | PipelineError::Ocr(_)),
        ) => {
            terminal::error("kyso scan", e);
            ExitCode::Usage
        }
        Err(e) => {
            terminal::error("kyso scan", e);
            ExitCode::Fatal
        }
    }
}

/// Runs the scan pipeline over `config.inputs` and writes `documents.jsonl`.
pub fn scan(config: &ScanConfig) -> Result<Summary, PipelineError> {
    let started = Instant::now();
    prepare_output(&config.out)?;
    // Tesseract's OpenMP threads are off before any thread or engine starts (as OCRmyPDF
    // does): the workers scale across pages instead, and OpenMP threads on top only contend.
    if config.ocr.enabled {
        ocr::init_process();
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.jobs)
        .thread_name(|i| format!("kyso-worker-{i}"))
        .build()
        .map_err(|e| PipelineError::ThreadPool {
            jobs: config.jobs,
            message: e.to_string(),
        })?;

    let engine = if config.ocr.enabled {
        ocr::check_languages(&config.ocr.langs)?;
        // Described from inside the pool: the engine this starts is a worker's, kept for its
        // pages, not a spare one held by the main thread for the whole run.
        Some(pool.install(|| ocr::engine_info(&config.ocr.langs))?)
    } else {
        None
    };
    let fingerprint = config::scan_fingerprint(config, engine.as_ref());
    let catalog = CatalogWriter::start_scan(&config.out, &fingerprint, config.shard)?;
    // The dispatcher's look-ups by path, and the workers' look-ups by content (renamed files),
    // each on a read-only connection: WAL readers never wait for the writer.
    let lookup = CatalogReader::open(&config.out)?;
    let by_content = Mutex::new(CatalogReader::open(&config.out)?);
    let progress = progress_bar(config);
    // Enough documents in flight to keep every worker busy while one long document finishes,
    // few enough that memory stays bounded.
    let window = config.jobs * 4;
    let (tx, rx) = sync_channel::<Outcome>(window);
    let in_flight = Arc::new(Semaphore::new(window));
    let writer = {
        let progress = progress.clone();
        std::thread::Builder::new()
            .name("kyso-writer".into())
            .spawn(move || write_catalog(catalog, rx, &progress))
            .map_err(|e| PipelineError::Writer(e.to_string()))?
    };

    let ctx = Arc::new(DocContext {
        limits: config.limits.clone(),
        signature: config.signature.clone(),
        trust_roots_given: config.trust_roots_given,
        ocr: config.ocr.clone(),
        engine,
        out: config.out.clone(),
        agencies: config.agencies.clone(),
        fingerprint,
        retry_failed: config.retry_failed,
        by_content,
        evidence_images: config.evidence_images,
        archive_signer: config.archive_signer.clone(),
    });
    crate::interrupt::install();
    let mut interrupted = false;
    let mut lookup_error = None;
    for item in discover::walk(&config.inputs, &config.discover)? {
        if crate::interrupt::requested() {
            interrupted = true;
            break;
        }
        let candidate = match item {
            Ok(candidate) => candidate,
            Err(problem) => {
                let owned = match (config.shard, problem.path()) {
                    (Some(shard), Some(path)) => shard.owns(path, &config.inputs),
                    (Some(shard), None) => shard.index == 0,
                    (None, _) => true,
                };
                if !owned {
                    continue;
                }
                let key = catalog::sort_key(problem.path().unwrap_or(Path::new("")));
                let record = Box::new(discover_problem_record(&problem));
                let outcome = Outcome::Processed {
                    key,
                    stat: None,
                    record,
                };
                if tx.send(outcome).is_err() {
                    break;
                }
                continue;
            }
        };
        if let Some(shard) = config.shard {
            if !shard.owns(&candidate.path, &config.inputs) {
                continue;
            }
        }
        let key = catalog::sort_key(&candidate.path);
        let stat = FileStat::of(&candidate.path).ok();
        if candidate.format == Format::Edxml {
            // A package: one file, the records of all its documents (pipeline/package.rs).
            let priors = match lookup.package_priors(&key) {
                Ok(priors) => priors,
                Err(e) => {
                    lookup_error = Some(e);
                    break;
                }
            };
            if let Some(s) = &stat {
                if !config.verify_hashes && package::unchanged(&priors, s, &ctx) {
                    let ids = priors.iter().map(|p| p.id).collect();
                    if tx.send(Outcome::UnchangedPackage { ids }).is_err() {
                        break;
                    }
                    continue;
                }
            }
            in_flight.acquire();
            let (tx, ctx, in_flight) = (tx.clone(), Arc::clone(&ctx), Arc::clone(&in_flight));
            pool.spawn(move || {
                let outcome = package::analyse(candidate, key, stat, priors, &ctx);
                let _ = tx.send(outcome);
                in_flight.release();
            });
            continue;
        }
        let prior = match lookup.prior(&key) {
            Ok(prior) => prior,
            Err(e) => {
                lookup_error = Some(e);
                break;
            }
        };
        // The quick check: same path, size, times, inode and options → the record stands,
        // without reading the file (what makes a no-op re-run fast).
        if let (Some(p), Some(s)) = (&prior, &stat) {
            if !config.verify_hashes
                && p.same_stat(s)
                && p.still_valid(&ctx.fingerprint, config.retry_failed)
            {
                if tx.send(Outcome::Unchanged { id: p.id }).is_err() {
                    break;
                }
                continue;
            }
        }
        in_flight.acquire();
        let tx = tx.clone();
        let ctx = Arc::clone(&ctx);
        let in_flight = Arc::clone(&in_flight);
        let job = Job {
            candidate,
            key,
            stat,
            prior,
        };
        pool.spawn(move || {
            let outcome = analyse(job, &ctx);
            // The writer only goes away on a failure, which it reports itself.
            let _ = tx.send(outcome);
            in_flight.release();
        });
    }
    drop(tx);
    let catalog = writer
        .join()
        .map_err(|_| PipelineError::Writer("writer thread panicked".into()))??;
    if let Some(e) = lookup_error {
        return Err(e.into());
    }
    // The read-only connections close first, so that the writer's is the last one and SQLite
    // folds the write-ahead log back into catalog.sqlite (a reader cannot).
    drop(lookup);
    drop(ctx);
    let finished = catalog.finish(!interrupted)?;
    progress.finish_and_clear();
    let totals = if interrupted {
        catalog::Totals::default()
    } else {
        finished.write_documents(&config.out)?
    };
    Ok(Summary {
        documents: totals.documents,
        pages: totals.pages,
        with_errors: totals.with_errors,
        by_origin: totals.by_origin,
        elapsed: started.elapsed(),
        run: finished.counts,
        interrupted,
        agency_file_given: config.agencies.is_some(),
        unknown_agencies: if config.agencies.is_some() && !interrupted {
            unknown_agencies(&config.out.join("documents.jsonl"))
        } else {
            BTreeMap::new()
        },
    })
}

fn prepare_output(out: &Path) -> Result<(), PipelineError> {
    let not_writable = |source| PipelineError::OutputNotWritable {
        path: out.to_path_buf(),
        source,
    };
    fs::create_dir_all(out).map_err(not_writable)?;
    let probe = out.join(".kyso-write-test");
    File::create(&probe).map_err(not_writable)?;
    let _ = fs::remove_file(probe);
    Ok(())
}

fn progress_bar(config: &ScanConfig) -> ProgressBar {
    if !config.show_progress || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} docs · {msg} · {per_sec} · ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    // The total comes from a second walk of the folders on its own thread: on a re-run where
    // almost every document is unchanged, waiting for the count first would double the time.
    let (inputs, options, shard) = (config.inputs.clone(), config.discover.clone(), config.shard);
    let counted = bar.clone();
    let _ = std::thread::Builder::new()
        .name("kyso-count".into())
        .spawn(move || {
            if let Ok(walk) = discover::walk(&inputs, &options) {
                let total = walk
                    .filter(|item| match (shard, item) {
                        (Some(s), Ok(c)) => s.owns(&c.path, &inputs),
                        _ => true,
                    })
                    .count();
                counted.set_length(total as u64);
            }
        });
    bar
}

/// The single writer: stores every outcome in the catalog, committing in batches. Returns the
/// writer so the caller can end the run.
fn write_catalog(
    mut catalog: CatalogWriter,
    rx: Receiver<Outcome>,
    progress: &ProgressBar,
) -> Result<CatalogWriter, CatalogError> {
    loop {
        match rx.recv_timeout(catalog::COMMIT_INTERVAL) {
            Ok(outcome) => {
                catalog.apply(outcome)?;
                progress.inc(1);
                let c = catalog.counts;
                progress.set_message(format!(
                    "{} processed, {} unchanged, {} reused",
                    c.processed, c.unchanged, c.reused
                ));
            }
            Err(RecvTimeoutError::Timeout) => catalog.commit_if_due()?,
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    catalog.commit()?;
    Ok(catalog)
}

/// A simple counting semaphore bounding the documents in flight.
struct Semaphore {
    permits: Mutex<usize>,
    freed: Condvar,
}

impl Semaphore {
    fn new(permits: usize) -> Self {
        Semaphore {
            permits: Mutex::new(permits),
            freed: Condvar::new(),
        }
    }

    fn acquire(&self) {
        let mut p = self.permits.lock().unwrap_or_else(|e| e.into_inner());
        while *p == 0 {
            p = self.freed.wait(p).unwrap_or_else(|e| e.into_inner());
        }
        *p -= 1;
    }

    fn release(&self) {
        *self.permits.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.freed.notify_one();
    }
}

/// What every document's processing shares.
struct DocContext {
    limits: Limits,
    signature: SignatureOptions,
    trust_roots_given: bool,
    ocr: OcrConfig,
    /// The OCR engine's description, when OCR is on.
    engine: Option<EngineInfo>,
    out: PathBuf,
    agencies: Option<Arc<AgencyDirectory>>,
    fingerprint: Fingerprint,
    retry_failed: bool,
    /// Look-ups of earlier records by content hash (renamed or copied files).
    by_content: Mutex<CatalogReader>,
    evidence_images: bool,
    /// `--sign-with`: signs the archive copies.
    archive_signer: Option<Arc<crate::sign::Signer>>,
}

/// One input to analyse, with what the catalog knew of its path.
struct Job {
    candidate: Candidate,
    key: Vec<u8>,
    stat: Option<FileStat>,
    prior: Option<Prior>,
}

/// Reads and hashes the input; keeps or reuses an earlier record when the bytes are known,
/// processes it otherwise.
fn analyse(job: Job, ctx: &DocContext) -> Outcome {
    let Job {
        candidate,
        key,
        stat,
        prior,
    } = job;
    let bytes = discover::read_whole(&candidate.path).map(Arc::<[u8]>::from);
    if let (Ok(bytes), Some(stat)) = (&bytes, &stat) {
        let sha = hex::encode(Sha256::digest(bytes));
        if let Some(p) = &prior {
            if p.sha256.as_deref() == Some(sha.as_str())
                && p.same_sidecars(stat)
                && p.still_valid(&ctx.fingerprint, ctx.retry_failed)
            {
                return Outcome::Touched {
                    id: p.id,
                    stat: stat.clone(),
                };
            }
        }
        // A record of the same bytes under another name holds here too (its OCR outputs are
        // named by content id, so they are already in place), unless a detached signature
        // beside the file makes the record depend on more than the bytes. A failed look-up
        // only means the document is processed.
        if stat.sidecars.is_empty() {
            let found = ctx
                .by_content
                .lock()
                .ok()
                .and_then(|r| r.reusable(&sha, &ctx.fingerprint).ok().flatten());
            if let Some((from, json)) = found {
                if let Ok(mut record) = serde_json::from_str::<Record>(&json) {
                    record.path = path_string(&candidate.path);
                    return Outcome::Reused {
                        key,
                        stat: stat.clone(),
                        record: Box::new(record),
                        from,
                    };
                }
            }
        }
    }
    let record = process_guarded(&candidate, bytes, ctx);
    Outcome::Processed {
        key,
        stat,
        record: Box::new(record),
    }
}

fn path_string(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn discover_problem_record(problem: &DiscoverError) -> Record {
    let path = problem.path().map(path_string).unwrap_or_default();
    let mut record = Record::new(path);
    record.push_error(Stage::Discover, problem.kind(), problem.to_string());
    record.verdict = Some(verdict::Verdict::Unreadable);
    record
}

/// Processes one document; a panic anywhere inside becomes an `internal` error in its record
/// instead of taking the batch down.
fn process_guarded(
    candidate: &Candidate,
    bytes: Result<Arc<[u8]>, discover::ReadError>,
    ctx: &DocContext,
) -> Record {
    guarded(&path_string(&candidate.path), candidate.format, || {
        process(candidate, bytes, ctx)
    })
}

/// Runs `work` for the document at `path`, timed; a panic inside becomes an `internal` error in
/// its record instead of taking the batch down.
fn guarded(path: &str, format: Format, work: impl FnOnce() -> Record) -> Record {
    let started = Instant::now();
    let mut record = match catch_unwind(AssertUnwindSafe(work)) {
        Ok(record) => record,
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            let mut record = Record::new(path.to_string());
            record.format = format;
            record.push_error(
                Stage::Internal,
                "internal",
                format!("internal error: {message}"),
            );
            record.verdict = Some(verdict::Verdict::Unreadable);
            record
        }
    };
    record.elapsed_ms = started.elapsed().as_millis() as u64;
    record
}

fn process(
    candidate: &Candidate,
    bytes: Result<Arc<[u8]>, discover::ReadError>,
    ctx: &DocContext,
) -> Record {
    let mut record = Record::new(path_string(&candidate.path));
    record.format = candidate.format;
    match bytes {
        Ok(b) => analyse_bytes(record, b, Some(&candidate.path), None, ctx),
        Err(e) => {
            record.push_error(Stage::Read, e.kind(), e.to_string());
            record.verdict = Some(verdict::Verdict::Unreadable);
            record
        }
    }
}

/// Every stage over one document's bytes: a file's (`file` names it, for its detached
/// signatures), or an attachment's from a package (`from` carries what the envelope declares).
fn analyse_bytes(
    mut record: Record,
    bytes: Arc<[u8]>,
    file: Option<&Path>,
    from: Option<&package::FromPackage>,
    ctx: &DocContext,
) -> Record {
    let digest = hex::encode(Sha256::digest(&bytes));
    record.id = Some(digest[..16].to_string());
    record.sha256 = Some(digest);
    record.bytes = Some(bytes.len() as u64);
    if let Some(from) = from {
        record.package = Some(from.package.clone());
        record.declared = Some(from.declared.clone());
    }
    let format = record.format;

    // Signatures are judged on the original bytes, before anything else touches the file.
    if format == Format::Pdf && !bytes.is_empty() {
        record.signatures = signature::analyze_pdf(&bytes, &ctx.signature);
    }
    for detached in file.map(discover::detached_signatures).unwrap_or_default() {
        match fs::read(&detached) {
            Ok(cms) => {
                record
                    .signatures
                    .push(signature::analyze_detached(&bytes, &cms, &ctx.signature))
            }
            Err(e) => record.push_error(
                Stage::Signature,
                "unreadable",
                format!("cannot read detached signature {}: {e}", detached.display()),
            ),
        }
    }

    let document = match source::open(Arc::clone(&bytes), format, &ctx.limits) {
        Ok(doc) => doc,
        Err(e) => {
            record.push_error(Stage::Source, e.kind(), e.to_string());
            record.verdict = Some(verdict::Verdict::Unreadable);
            return record;
        }
    };
    // Pages are the unit of parallel work: rayon splits them across idle workers, so a long
    // document does not hold one core while the others wait. Results come back in page order.
    let page_results: Vec<PageWork> = document
        .pages
        .par_iter()
        .map(|page| page_work(page, document.pages.len(), record.id.as_deref(), ctx))
        .collect();
    let copy = finish(&mut record, &document, page_results, from, ctx);
    if let Some(pages) = copy {
        let path = PathBuf::from(&record.path);
        archive::write_copy(&mut record, &pages, &bytes, &path, file.is_some(), ctx);
    }
    // Only signed PDFs have signature widgets; the others are spared a second parse.
    if format == Format::Pdf && record.signatures.iter().any(|s| s.signed) {
        record
            .evidence
            .extend(evidence::signature_appearances(&bytes));
    }
    record
}

/// Metadata, outputs and verdict of a processed document; returns the pages of its archive
/// copy when one is to be written.
fn finish(
    record: &mut Record,
    document: &Document,
    mut pages: Vec<PageWork>,
    from: Option<&package::FromPackage>,
    ctx: &DocContext,
) -> Option<ocr::SearchablePdf> {
    record.pages = document.pages.iter().map(|p| p.info.clone()).collect();
    record.origin = Origin::of(document.pages.iter().map(|p| p.info.kind));
    let texts = page_texts(document, &pages);
    record.metadata = metadata::extract(&texts, &record.signatures, ctx.agencies.as_deref());
    drop(texts);
    if let Some(from) = from {
        // The envelope's sender code names the agency (source: envelope), whatever the header.
        metadata::envelope::apply(
            &mut record.metadata,
            &from.declared,
            ctx.agencies.as_deref(),
        );
    }
    let mut file_info = document.file_info.clone();
    if document.format != Format::Pdf {
        // An image file's resolution is the scanner's: the first page's tags say it.
        file_info.dpi = document.pages.first().and_then(|p| p.info.dpi);
    }
    record.metadata.file = Some(file_info);
    // Before any writer: every value NFC, single-spaced, without controls (docs/record.md).
    record.metadata.normalize_text();
    let page_marks: Vec<(u32, PageMarks)> = document
        .pages
        .iter()
        .zip(pages.iter_mut())
        .filter_map(|(p, w)| Some((p.info.index, w.marks.take()?)))
        .collect();
    let copy = write_page_outputs(record, document, pages, ctx);
    let (verdict, evidence) = verdict::decide(&VerdictInput {
        pages: &record.pages,
        origin: record.origin,
        signatures: &record.signatures,
        file_info: record.metadata.file.as_ref(),
        trust_roots_given: ctx.trust_roots_given,
    });
    record.verdict = Some(verdict);
    record.evidence = evidence;
    // Marks, signature appearances and the metadata that matters are facts beside the verdict,
    // not inputs to it: a seal on paper does not make a document signed.
    let crops_of = record.id.as_deref().filter(|_| ctx.evidence_images);
    record.evidence.extend(evidence::extra_evidence(
        &page_marks,
        &record.metadata,
        crops_of,
    ));
    if let (Some(from), Some(declared)) = (from, record.declared.as_mut()) {
        declared.mismatches =
            evidence::declared_mismatches(&from.declared, &record.metadata, &record.signatures);
        let found = evidence::mismatch_evidence(&declared.mismatches);
        record.evidence.extend(found);
    }
    copy
}
