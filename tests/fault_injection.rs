//! Failure isolation, with a fault-injecting OCR engine run through the real pipeline: an engine
//! error on one page (as Tesseract or Leptonica report them) becomes that page's error, a panic
//! becomes the document's `internal` error, and in both cases every other page and document is
//! processed. The engine factory is process-wide, so this file is its own test binary and its
//! tests serialise on a lock.
//!
//! The engine picks its victims by the page height, which preparation keeps as it is when
//! resampling, orientation and deskew are off.

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};

use kyso::config::{OcrConfig, ScanConfig};
use kyso::discover::DiscoverOptions;
use kyso::ocr::{
    self, EngineInfo, OcrEngine, OcrError, OcrPage, OcrWord, PreparedPage, Preprocess,
};
use kyso::pipeline::scan;
use kyso::signature::SignatureOptions;
use kyso::source::Limits;
use serde_json::Value;

static LOCK: Mutex<()> = Mutex::new(());

const PANICS: u32 = 101;
const LEPTONICA_FAILS: u32 = 102;
const TESSERACT_FAILS: u32 = 103;

struct Faulty;

impl OcrEngine for Faulty {
    fn recognize(&mut self, page: &PreparedPage) -> Result<OcrPage, OcrError> {
        match page.height() {
            PANICS => panic!("injected fault: the engine panicked"),
            LEPTONICA_FAILS => Err(OcrError::Image(
                "injected fault: pixConvertTo8 failed".into(),
            )),
            TESSERACT_FAILS => Err(OcrError::Recognition),
            _ => Ok(OcrPage::from_words(
                page,
                vec![OcrWord {
                    text: "QUYẾT".into(),
                    bbox: [1, 1, 20, 10],
                    confidence: 95.0,
                    line: 0,
                    paragraph: 0,
                    block: 0,
                }],
            )),
        }
    }

    fn describe(&self) -> EngineInfo {
        EngineInfo {
            name: "faulty".into(),
            version: "0".into(),
            languages: vec!["vie".into()],
        }
    }
}

fn gray_png(path: &Path, height: u32) {
    image::GrayImage::from_pixel(100, height, image::Luma([255]))
        .save(path)
        .unwrap();
}

fn gray_tiff(path: &Path, heights: &[u32]) {
    let mut file = std::fs::File::create(path).unwrap();
    let mut enc = tiff::encoder::TiffEncoder::new(&mut file).unwrap();
    for &h in heights {
        let data = vec![255u8; 100 * h as usize];
        enc.write_image::<tiff::encoder::colortype::Gray8>(100, h, &data)
            .unwrap();
    }
}

fn config(inputs: &Path, out: &Path, jobs: usize) -> ScanConfig {
    ScanConfig {
        inputs: vec![inputs.to_path_buf()],
        out: out.to_path_buf(),
        jobs,
        discover: DiscoverOptions::default(),
        limits: Limits::default(),
        signature: SignatureOptions::default(),
        archive_signer: None,
        trust_roots_given: false,
        ocr: OcrConfig {
            enabled: true,
            zones: false,
            langs: ocr::DEFAULT_LANGS.into(),
            outputs: "text".parse().unwrap(),
            redo: false,
            preprocess: Preprocess {
                orientation: false,
                deskew: false,
                resample: false,
                ..Preprocess::default()
            },
            page_timeout: None,
        },
        agencies: None,
        show_progress: false,
        shard: None,
        retry_failed: false,
        verify_hashes: false,
        evidence_images: false,
    }
}

fn errors(record: &Value) -> Vec<(String, String)> {
    record["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["stage"].as_str().unwrap().into(),
                e["kind"].as_str().unwrap().into(),
            )
        })
        .collect()
}

fn page_statuses(record: &Value) -> Vec<String> {
    record["ocr"]["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["status"].as_str().unwrap().into())
        .collect()
}

#[test]
fn engine_errors_fail_their_page_and_a_panic_fails_its_document_while_the_batch_goes_on() {
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    ocr::set_engine_factory(Some(Arc::new(|_: &str| {
        Ok(Box::new(Faulty) as Box<dyn OcrEngine>)
    })));
    let dir = tempfile::tempdir().unwrap();
    gray_tiff(
        &dir.path().join("a-three-pages.tif"),
        &[100, LEPTONICA_FAILS, TESSERACT_FAILS],
    );
    gray_png(&dir.path().join("b-panics.png"), PANICS);
    gray_png(&dir.path().join("c-fine.png"), 100);
    gray_tiff(&dir.path().join("d-fine-after-the-panic.tif"), &[100, 100]);

    for jobs in [1, 2] {
        let out = tempfile::tempdir().unwrap();
        let summary = scan(&config(dir.path(), out.path(), jobs)).expect("the run completes");
        assert_eq!(summary.documents, 4, "jobs {jobs}");
        assert_eq!(summary.with_errors, 2, "jobs {jobs}");
        let records = common::read_records(&out.path().join("documents.jsonl"));

        let a = &records[0];
        assert_eq!(
            errors(a),
            [
                ("ocr".to_string(), "ocr_image".to_string()),
                ("ocr".to_string(), "ocr_failed".to_string())
            ],
            "page errors, not a document failure (jobs {jobs})"
        );
        assert_eq!(page_statuses(a), ["ocr", "failed", "failed"]);
        assert_eq!(a["pages"].as_array().unwrap().len(), 3);
        assert_ne!(a["verdict"], "unreadable");

        let b = &records[1];
        assert_eq!(
            errors(b),
            [("internal".to_string(), "internal".to_string())]
        );
        assert!(b["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("injected fault"));
        assert_eq!(b["verdict"], "unreadable");

        for fine in &records[2..] {
            assert!(errors(fine).is_empty(), "{fine}");
            assert!(page_statuses(fine).iter().all(|s| s == "ocr"), "{fine}");
        }
    }
    ocr::set_engine_factory(None);
}
