//! The pipeline: discovered inputs → per-document stages → one writer for records.
//!
//! One rayon pool runs all the work. A document is opened by a worker (read, hash, signatures on
//! the original bytes, page kinds); its pages then become separate tasks in the same pool, so a
//! long document is spread over every worker. When its last page is done, the document is
//! finished (metadata, verdict) and its record goes to the single writer thread, which emits
//! records in discovery (path) order whatever order they complete in. The number of documents
//! in flight is bounded, so memory does not grow with the size of the corpus.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{BufWriter, IsTerminal, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::discover::{self, Candidate, DiscoverError, DiscoverOptions};
use crate::exit::ExitCode;
use crate::ocr::{
    self, DocumentOcr, EncodedImage, EngineInfo, ImageCodec, OcrError, OcrPage, OcrSummary,
    Outputs, PageOcr, PageOcrStatus, Preprocess, SearchablePdf,
};
use crate::output::{temp_path, write_atomic};
use crate::record::{ErrorKind, Record, Stage};
use crate::signature::{self, SignatureOptions};
use crate::source::{self, Document, Format, Limits, Origin, Page, PageKind};
use crate::verdict::{self, VerdictInput};

/// Everything `kyso scan` needs, independent of how it was asked for.
#[derive(Debug, Clone)]
pub struct ScanConfig {
    pub inputs: Vec<PathBuf>,
    pub out: PathBuf,
    pub jobs: usize,
    pub discover: DiscoverOptions,
    pub limits: Limits,
    pub signature: SignatureOptions,
    /// Whether trust roots were given: then an untrusted signature invalidates the document.
    pub trust_roots_given: bool,
    pub ocr: OcrConfig,
    pub show_progress: bool,
}

/// What the OCR stage does in a scan.
#[derive(Debug, Clone)]
pub struct OcrConfig {
    pub enabled: bool,
    /// Tesseract languages, e.g. `vie+eng`.
    pub langs: String,
    pub outputs: Outputs,
    /// Recognise scans that already have a text layer again.
    pub redo: bool,
    pub preprocess: Preprocess,
    /// Time budget for recognising one page (`--page-timeout`); `None`: no limit.
    pub page_timeout: Option<Duration>,
}

/// What a run did, for the summary line and the exit code.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub documents: u64,
    pub pages: u64,
    pub with_errors: u64,
    pub by_origin: BTreeMap<String, u64>,
    pub elapsed: Duration,
}

impl Summary {
    fn add(&mut self, record: &Record) {
        self.documents += 1;
        self.pages += record.pages.len() as u64;
        if !record.errors.is_empty() {
            self.with_errors += 1;
        }
        let origin = serde_json::to_value(record.origin)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        *self.by_origin.entry(origin).or_default() += 1;
    }

    pub fn exit_code(&self) -> ExitCode {
        if self.with_errors > 0 {
            ExitCode::Problems
        } else {
            ExitCode::Ok
        }
    }

    pub fn line(&self, out: &Path) -> String {
        let origins: Vec<String> = self
            .by_origin
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        format!(
            "kyso: {} documents, {} pages in {:.1} s ({}); {} with errors → {}",
            self.documents,
            self.pages,
            self.elapsed.as_secs_f64(),
            origins.join(", "),
            self.with_errors,
            out.join("documents.jsonl").display()
        )
    }
}

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
}

/// `kyso scan`: runs the pipeline, prints the summary and tells the exit code.
pub fn scan_command(config: &ScanConfig) -> ExitCode {
    match scan(config) {
        Ok(summary) => {
            if config.show_progress {
                eprintln!("{}", summary.line(&config.out));
            }
            summary.exit_code()
        }
        Err(
            e @ (PipelineError::Discover(DiscoverError::BadPattern(_)) | PipelineError::Ocr(_)),
        ) => {
            eprintln!("kyso scan: {e}");
            ExitCode::Usage
        }
        Err(e) => {
            eprintln!("kyso scan: {e}");
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
    let progress = progress_bar(config)?;
    // Enough documents in flight to keep every worker busy while one long document finishes,
    // few enough that memory stays bounded.
    let window = config.jobs * 4;
    let (tx, rx) = sync_channel::<(u64, Record)>(window);
    let in_flight = Arc::new(Semaphore::new(window));
    let writer = {
        let out = config.out.clone();
        let progress = progress.clone();
        std::thread::Builder::new()
            .name("kyso-writer".into())
            .spawn(move || write_records(&out, rx, &progress))
            .map_err(|e| PipelineError::Writer(e.to_string()))?
    };

    let ctx = Arc::new(DocContext {
        limits: config.limits.clone(),
        signature: config.signature.clone(),
        trust_roots_given: config.trust_roots_given,
        ocr: config.ocr.clone(),
        engine,
        out: config.out.clone(),
    });
    for (seq, item) in (0u64..).zip(discover::walk(&config.inputs, &config.discover)?) {
        in_flight.acquire();
        let tx = tx.clone();
        let ctx = Arc::clone(&ctx);
        let in_flight = Arc::clone(&in_flight);
        pool.spawn(move || {
            let record = match item {
                Ok(candidate) => process_guarded(&candidate, &ctx),
                Err(problem) => discover_problem_record(&problem),
            };
            // The writer only goes away on an I/O failure, which it reports itself.
            let _ = tx.send((seq, record));
            in_flight.release();
        });
    }
    drop(tx);
    let mut summary = writer
        .join()
        .map_err(|_| PipelineError::Writer("writer thread panicked".into()))?
        .map_err(|e| PipelineError::OutputNotWritable {
            path: config.out.clone(),
            source: e,
        })?;
    progress.finish_and_clear();
    summary.elapsed = started.elapsed();
    Ok(summary)
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

fn progress_bar(config: &ScanConfig) -> Result<ProgressBar, PipelineError> {
    if !config.show_progress || !std::io::stderr().is_terminal() {
        return Ok(ProgressBar::hidden());
    }
    // Counting first costs one extra walk of the folders (metadata only), which is small
    // next to the work per document, and gives a real ETA.
    let total = discover::walk(&config.inputs, &config.discover)?.count() as u64;
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} docs · {msg} · {per_sec} · ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    Ok(bar)
}

/// The single writer: puts records back in discovery order and streams them to
/// `documents.jsonl` (through a temporary name, renamed when complete).
fn write_records(
    out: &Path,
    rx: Receiver<(u64, Record)>,
    progress: &ProgressBar,
) -> std::io::Result<Summary> {
    let final_path = out.join("documents.jsonl");
    let tmp = temp_path(&final_path);
    let mut file = BufWriter::new(File::create(&tmp)?);
    let mut pending: BTreeMap<u64, Record> = BTreeMap::new();
    let mut next = 0u64;
    let mut summary = Summary::default();
    for (seq, record) in rx {
        pending.insert(seq, record);
        while let Some(record) = pending.remove(&next) {
            serde_json::to_writer(&mut file, &record)?;
            file.write_all(b"\n")?;
            summary.add(&record);
            progress.inc(1);
            progress.set_message(format!("{} pages", summary.pages));
            next += 1;
        }
    }
    file.flush()?;
    file.get_ref().sync_all()?;
    drop(file);
    fs::rename(&tmp, &final_path)?;
    Ok(summary)
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
fn process_guarded(candidate: &Candidate, ctx: &DocContext) -> Record {
    let started = Instant::now();
    let mut record = match catch_unwind(AssertUnwindSafe(|| process(candidate, ctx))) {
        Ok(record) => record,
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            let mut record = Record::new(path_string(&candidate.path));
            record.format = candidate.format;
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

fn process(candidate: &Candidate, ctx: &DocContext) -> Record {
    let mut record = Record::new(path_string(&candidate.path));
    record.format = candidate.format;
    let bytes: Arc<[u8]> = match discover::read_whole(&candidate.path) {
        Ok(b) => b.into(),
        Err(e) => {
            record.push_error(Stage::Read, e.kind(), e.to_string());
            record.verdict = Some(verdict::Verdict::Unreadable);
            return record;
        }
    };
    let digest = hex::encode(Sha256::digest(&bytes));
    record.id = Some(digest[..16].to_string());
    record.sha256 = Some(digest);
    record.bytes = Some(bytes.len() as u64);

    // Signatures are judged on the original bytes, before anything else touches the file.
    if candidate.format == Format::Pdf && !bytes.is_empty() {
        record.signatures = signature::analyze_pdf(&bytes, &ctx.signature);
    }
    for detached in discover::detached_signatures(&candidate.path) {
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

    let document = match source::open(Arc::clone(&bytes), candidate.format, &ctx.limits) {
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
        .map(|page| page_work(page, ctx))
        .collect();
    finish(&mut record, &document, page_results, ctx);
    record
}

/// What the per-page stage produced for one page.
struct PageWork {
    status: PageOcrStatus,
    ocr: Option<OcrPage>,
    /// The prepared raster, encoded for the searchable PDF (only when `pdf` output is on).
    pdf_image: Option<EncodedImage>,
    error: Option<(&'static str, String)>,
}

impl PageWork {
    fn skipped(status: PageOcrStatus) -> Self {
        PageWork {
            status,
            ocr: None,
            pdf_image: None,
            error: None,
        }
    }

    fn failed(kind: &'static str, message: String) -> Self {
        PageWork {
            error: Some((kind, message)),
            ..PageWork::skipped(PageOcrStatus::Failed)
        }
    }
}

/// The per-page stage, run by whichever worker takes the page. The page raster is decoded here,
/// not when the document is opened, so only the pages in flight are in memory; it is dropped
/// as soon as the page is recognised (the searchable PDF keeps an encoded copy).
fn page_work(page: &Page, ctx: &DocContext) -> PageWork {
    if !ctx.ocr.enabled {
        return PageWork::skipped(PageOcrStatus::NotNeeded);
    }
    match page.info.kind {
        PageKind::BornDigital | PageKind::Blank => {
            return PageWork::skipped(PageOcrStatus::NotNeeded)
        }
        PageKind::ScannedWithTextLayer if !ctx.ocr.redo => {
            return PageWork::skipped(PageOcrStatus::KeptTextLayer)
        }
        PageKind::Scanned | PageKind::ScannedWithTextLayer => {}
    }
    let image = match page.raster(&ctx.limits) {
        Ok(image) => image,
        Err(e) => return PageWork::failed(e.kind(), format!("page {}: {e}", page.info.index + 1)),
    };
    let codec = ctx
        .ocr
        .outputs
        .pdf
        .then_some(ImageCodec::Jpeg { quality: 75 });
    let recognized = ocr::recognize_page_within(
        &ctx.ocr.langs,
        &image,
        &ctx.ocr.preprocess,
        codec,
        ctx.ocr.page_timeout,
    );
    match recognized {
        Ok(done) => PageWork {
            status: PageOcrStatus::Ocr,
            ocr: Some(done.page),
            pdf_image: done.pdf_image,
            error: None,
        },
        Err(e) => PageWork::failed(e.kind(), format!("page {}: {e}", page.info.index + 1)),
    }
}

fn finish(record: &mut Record, document: &Document, pages: Vec<PageWork>, ctx: &DocContext) {
    record.pages = document.pages.iter().map(|p| p.info.clone()).collect();
    record.origin = Origin::of(document.pages.iter().map(|p| p.info.kind));
    record.metadata.file = Some(document.file_info.clone());
    write_page_outputs(record, document, pages, ctx);
    let (verdict, evidence) = verdict::decide(&VerdictInput {
        pages: &record.pages,
        origin: record.origin,
        signatures: &record.signatures,
        file_info: Some(&document.file_info),
        trust_roots_given: ctx.trust_roots_given,
    });
    record.verdict = Some(verdict);
    record.evidence = evidence;
}

/// Fills the record's `ocr` object and writes the text, hOCR, ALTO and searchable-PDF outputs.
fn write_page_outputs(
    record: &mut Record,
    document: &Document,
    pages: Vec<PageWork>,
    ctx: &DocContext,
) {
    let Some(id) = record.id.clone() else { return };
    let outputs = ctx.ocr.outputs;
    let mut summary = ctx.engine.as_ref().map(OcrSummary::new);
    let mut texts: Vec<String> = Vec::with_capacity(pages.len());
    let mut ocr_pages: Vec<Option<OcrPage>> = Vec::with_capacity(pages.len());
    let mut pdf = outputs.pdf.then(SearchablePdf::new);
    for (page, work) in document.pages.iter().zip(pages) {
        let index = page.info.index;
        if let Some((kind, message)) = work.error {
            record.push_error(Stage::Ocr, kind, message);
        }
        let text = match &work.ocr {
            Some(o) => o.text.clone(),
            None => page.text.clone().unwrap_or_default(),
        };
        if let Some(summary) = summary.as_mut() {
            summary.pages.push(match &work.ocr {
                Some(o) => PageOcr::recognised(index, o),
                None => PageOcr::skipped(
                    index,
                    work.status,
                    text.chars().filter(|c| !c.is_whitespace()).count(),
                ),
            });
        }
        // The searchable copy is made only when every page was recognised in this run: a copy
        // that silently dropped born-digital pages would mislead.
        match (&mut pdf, &work.ocr, work.pdf_image) {
            (Some(p), Some(o), Some(img)) => p.add_page(index, o, img),
            _ => pdf = None,
        }
        texts.push(text);
        ocr_pages.push(work.ocr);
    }
    if outputs.text && texts.iter().any(|t| !t.trim().is_empty()) {
        let path = ctx.out.join("text").join(format!("{id}.txt"));
        let written = fs::create_dir_all(ctx.out.join("text"))
            .and_then(|_| write_atomic(&path, texts.join("\x0c").as_bytes()));
        if let Err(e) = written {
            record.push_error(
                Stage::Output,
                "write_failed",
                format!("{}: {e}", path.display()),
            );
        }
    }
    let wrote_pdf = pdf.is_some();
    let doc = DocumentOcr {
        doc_id: id,
        pages: ocr_pages,
        pdf,
    };
    let others = Outputs {
        text: false,
        ..outputs
    };
    if let Err(e) = ocr::write_outputs(&ctx.out, &doc, &others) {
        record.push_error(Stage::Output, e.kind(), e.to_string());
    }
    if let Some(summary) = summary.as_mut() {
        if wrote_pdf && !record.signatures.is_empty() {
            summary.note_unsigned_copy();
        }
    }
    record.ocr = summary;
}
