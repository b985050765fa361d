//! OCRs images with kyso's OCR stage in a rayon pool, one Tesseract engine per worker thread.
//!
//! ```text
//! cargo run --release --example ocr_pages -- [--threads N] [--lang vie] [--no-osd] [--no-deskew]
//!     [--no-resample] [--no-gray] [--keep-red] [--no-reread] [--no-block-order] [--no-even-paper] [--out DIR] IMG...
//! ```
//!
//! Each page goes through the OCR stage as `kyso scan --ocr full` runs it
//! (`ocr::recognize_page`). Prints one line per image (confidence, chars, rotation, skew, DPI, and CER when `IMG`'s
//! `.txt` ground truth exists beside it) and writes `<DIR>/<stem>.txt` (and its words with their boxes,
//! `<DIR>/<stem>.words.json`) when `--out` is given.
//! With `--cer-dir DIR` nothing is recognised: each `IMG`'s ground truth is compared with
//! `DIR/<stem>.txt` (another system's output) and the mean CER printed last.
//!
//! Used by `benches/ocr_bench.sh` and to measure the preprocessing steps for `docs/ocr.md`.

use std::path::PathBuf;
use std::time::Instant;

use kyso::ocr::{self, Preprocess};
use kyso::source::PageImage;
use rayon::prelude::*;

fn main() {
    let mut threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut lang = ocr::DEFAULT_LANGS.to_string();
    let mut opts = Preprocess::default();
    let mut out: Option<PathBuf> = None;
    let mut cer_dir: Option<PathBuf> = None;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--threads" => threads = args.next().and_then(|v| v.parse().ok()).unwrap_or(threads),
            "--lang" => lang = args.next().unwrap_or(lang),
            "--out" => out = args.next().map(PathBuf::from),
            "--cer-dir" => cer_dir = args.next().map(PathBuf::from),
            "--no-osd" => opts.orientation = false,
            "--no-deskew" => opts.deskew = false,
            "--no-resample" => opts.resample = false,
            "--max-dpi" => opts.max_dpi = number(args.next(), opts.max_dpi),
            "--min-dpi" => opts.min_dpi = number(args.next(), opts.min_dpi),
            "--target-dpi" => opts.target_dpi = number(args.next(), opts.target_dpi),
            "--no-gray" => opts.grayscale = false,
            "--keep-red" => opts.drop_red = false,
            "--no-reread" => opts.reread = false,
            "--no-even-paper" => opts.even_paper = false,
            "--no-block-order" => opts.block_order = false,
            "--none" => opts = Preprocess::none(),
            _ => files.push(PathBuf::from(a)),
        }
    }
    if let Some(dir) = cer_dir {
        cer_only(&dir, &files);
        return;
    }
    ocr::reexec_with_single_threaded_openmp();
    ocr::init_process();
    if let Err(e) = ocr::check_languages(&lang) {
        eprintln!("{e}");
        std::process::exit(2);
    }
    if let Some(dir) = &out {
        let _ = std::fs::create_dir_all(dir);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    let started = Instant::now();
    let lines: Vec<String> = pool.install(|| {
        files
            .par_iter()
            .map(|path| {
                let img = match image::open(path) {
                    Ok(i) => i,
                    Err(e) => return format!("{}\terror\t{e}", path.display()),
                };
                let page = PageImage {
                    image: img,
                    dpi: None,
                };
                match ocr::recognize_page(&lang, &page, &opts, None).map(|r| r.page) {
                    Ok(p) => {
                        if let Some(dir) = &out {
                            let stem = path.file_stem().unwrap_or_default();
                            let mut name = stem.to_os_string();
                            name.push(".txt");
                            let _ = std::fs::write(dir.join(name), &p.text);
                            // The words with their boxes and ids, to look into an order.
                            let mut name = stem.to_os_string();
                            name.push(".words.json");
                            if let Ok(json) = serde_json::to_vec(&p.words) {
                                let _ = std::fs::write(dir.join(name), json);
                            }
                        }
                        let cer = std::fs::read_to_string(path.with_extension("txt"))
                            .ok()
                            .map(|gt| format!("{:.4}", ocr::cer(&gt, &p.text)))
                            .unwrap_or_else(|| "-".into());
                        format!(
                            "{}\tconf={:.1}\tchars={}\trot={}\tskew={:.2}\tdpi={:.0}\treread={}\tcer={cer}",
                            path.display(),
                            p.mean_confidence.unwrap_or(0.0),
                            p.chars,
                            p.rotation,
                            p.skew_deg.unwrap_or(0.0),
                            p.dpi_used,
                            p.lines_reread,
                        )
                    }
                    Err(e) => format!("{}\terror\t{e}", path.display()),
                }
            })
            .collect()
    });
    for l in &lines {
        println!("{l}");
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "{} pages in {secs:.2}s with {threads} threads: {:.3} pages/s",
        files.len(),
        files.len() as f64 / secs
    );
}

/// Compares ground truth beside each image with `dir/<stem>.txt`; prints the mean CER last.
fn cer_only(dir: &std::path::Path, files: &[PathBuf]) {
    let mut sum = 0.0;
    let mut n = 0usize;
    for path in files {
        let mut name = path.file_stem().unwrap_or_default().to_os_string();
        name.push(".txt");
        let (Ok(gt), hyp) = (
            std::fs::read_to_string(path.with_extension("txt")),
            std::fs::read_to_string(dir.join(&name)).unwrap_or_default(),
        ) else {
            continue;
        };
        let c = ocr::cer(&gt, &hyp);
        println!("{}\tcer={c:.4}", path.display());
        sum += c;
        n += 1;
    }
    println!("{:.4}", if n == 0 { f64::NAN } else { sum / n as f64 });
}

/// A flag's number, or `default` when it is missing or not a number.
fn number(value: Option<String>, default: f64) -> f64 {
    value.and_then(|v| v.parse().ok()).unwrap_or(default)
}
