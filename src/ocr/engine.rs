//! The engine abstraction and the per-thread engine cache.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Once, RwLock};

use serde::{Deserialize, Serialize};

use super::zones::LayoutLine;
use super::{OcrError, OcrPage, PreparedPage, TesseractEngine};

/// What recognised the pages, for the record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct EngineInfo {
    /// Engine name, e.g. `tesseract`.
    pub name: String,
    /// Engine library version, e.g. `5.3.0`.
    pub version: String,
    /// Languages loaded, in `--lang` order.
    pub languages: Vec<String>,
}

#[cfg(test)]
impl EngineInfo {
    /// What a test's fake engine says of itself.
    pub(crate) fn fake(name: &str) -> EngineInfo {
        EngineInfo {
            name: name.into(),
            version: "0".into(),
            languages: Vec::new(),
        }
    }
}

/// An OCR engine. One instance serves one thread at a time and is reused for every page the
/// thread takes, because loading Tesseract's models costs far more than recognising a page.
pub trait OcrEngine: Send {
    /// Recognises a prepared page.
    fn recognize(&mut self, page: &PreparedPage) -> Result<OcrPage, OcrError>;

    /// Recognises a prepared page, giving up at `deadline` (`--page-timeout`). An engine that
    /// cannot be interrupted recognises the whole page; the caller still reports the timeout
    /// when the pass fails after the deadline.
    fn recognize_until(
        &mut self,
        page: &PreparedPage,
        _deadline: std::time::Instant,
    ) -> Result<OcrPage, OcrError> {
        self.recognize(page)
    }

    /// Recognises a raster that holds one text line and its margins, as a single line (no
    /// layout analysis), for re-reading a line the page pass read poorly. Engines without
    /// such a mode return `None` and the page pass stands.
    fn recognize_line(&mut self, _line: &PreparedPage) -> Result<Option<OcrPage>, OcrError> {
        Ok(None)
    }

    /// Name, version and languages, for the record.
    fn describe(&self) -> EngineInfo;

    /// The clockwise rotation (0, 90, 180 or 270) that makes the page upright, with the
    /// engine's confidence, or `None` when it cannot tell. Engines without orientation
    /// detection keep the default.
    fn detect_orientation(&mut self, _page: &PreparedPage) -> Result<Option<(u16, f32)>, OcrError> {
        Ok(None)
    }

    /// The page's text lines from layout analysis alone, without recognition, for choosing
    /// zones. Engines that cannot tell return `None` and zones mode reads their pages whole.
    fn layout(&mut self, _page: &PreparedPage) -> Result<Option<Vec<LayoutLine>>, OcrError> {
        Ok(None)
    }
}

/// Builds an engine for a `--lang` value. Installed with [`set_engine_factory`] so that tests
/// can run the pipeline with a fake engine and no Tesseract.
pub type EngineFactory = Arc<dyn Fn(&str) -> Result<Box<dyn OcrEngine>, OcrError> + Send + Sync>;

static FACTORY: RwLock<Option<EngineFactory>> = RwLock::new(None);
/// Bumped on every factory change so that cached engines built by the old factory are dropped.
static FACTORY_GENERATION: AtomicU64 = AtomicU64::new(0);

/// Replaces the engine factory for the whole process (`None` restores Tesseract). Engines
/// already cached by worker threads are rebuilt on their next use.
pub fn set_engine_factory(factory: Option<EngineFactory>) {
    let mut slot = FACTORY.write().unwrap_or_else(|e| e.into_inner());
    *slot = factory;
    FACTORY_GENERATION.fetch_add(1, Ordering::SeqCst);
}

fn build_engine(langs: &str) -> Result<Box<dyn OcrEngine>, OcrError> {
    let factory = FACTORY.read().unwrap_or_else(|e| e.into_inner()).clone();
    match factory {
        Some(f) => f(langs),
        None => Ok(Box::new(TesseractEngine::new(langs)?)),
    }
}

struct Cached {
    langs: String,
    generation: u64,
    engine: Box<dyn OcrEngine>,
}

thread_local! {
    static ENGINE: RefCell<Option<Cached>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's engine for `langs`, creating it on the thread's first page (or
/// when `langs` or the factory changed) and keeping it for the next pages.
///
/// The engine is taken out of the cache while `f` runs and put back only if `f` returns: after
/// a panic (the pipeline catches panics per document) the engine may be mid-page in a state we
/// cannot trust, so the next page gets a fresh one. A nested call builds a second engine rather
/// than failing.
pub fn with_thread_engine<R>(
    langs: &str,
    f: impl FnOnce(&mut dyn OcrEngine) -> R,
) -> Result<R, OcrError> {
    let generation = FACTORY_GENERATION.load(Ordering::SeqCst);
    let cached = ENGINE.with(|slot| slot.borrow_mut().take());
    let mut cached = match cached {
        Some(c) if c.langs == langs && c.generation == generation => c,
        _ => Cached {
            langs: langs.to_string(),
            generation,
            engine: build_engine(langs)?,
        },
    };
    let result = f(cached.engine.as_mut());
    ENGINE.with(|slot| *slot.borrow_mut() = Some(cached));
    Ok(result)
}

static INIT: Once = Once::new();

/// Process-wide setup; call once at startup, before the rayon pool starts.
///
/// Sets `OMP_THREAD_LIMIT=1` unless the user set it: kyso already runs one page per core, and an
/// OpenMP-enabled Tesseract would otherwise start its own threads per page and oversubscribe the
/// cores (Tesseract's own advice for parallel use). Note that libgomp reads the variable only
/// when it is loaded, at process start: in a program that links Tesseract this call alone is too
/// late, which is why the binary calls [`reexec_with_single_threaded_openmp`] first.
pub fn init_process() {
    INIT.call_once(|| {
        if std::env::var_os("OMP_THREAD_LIMIT").is_none() {
            // Safety reasoning: changing the environment races with any other thread reading
            // it (getenv in C code). This runs before rayon or any engine exists, so no other
            // thread is running; the `Once` makes every later call a no-op.
            std::env::set_var("OMP_THREAD_LIMIT", "1");
        }
    });
}

/// Runs this same program again with `OMP_THREAD_LIMIT=1` in its environment, unless the
/// variable is already set. Call it first thing in `main`.
///
/// libgomp (Debian's Tesseract is built with OpenMP) reads `OMP_THREAD_LIMIT` once, when it is
/// loaded at process start, and Tesseract asks for up to 10 threads per page with an explicit
/// `num_threads` clause that `omp_set_num_threads` cannot override. Without the limit, two
/// workers on two cores measured 3.6× slower than with it (12 pages: 46.7 s against 15.3 s,
/// two thirds of it system time spent in spinning OpenMP threads). Setting the variable from
/// inside the process is too late, so the process is replaced by a fresh one that has it. If
/// the re-exec fails, the run goes on (slower) after a warning.
pub fn reexec_with_single_threaded_openmp() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("OMP_THREAD_LIMIT").is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let err = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env("OMP_THREAD_LIMIT", "1")
        .exec();
    eprintln!(
        "kyso: warning: could not restart with OMP_THREAD_LIMIT=1 ({err}); OCR will be slower"
    );
}
