//! The per-thread engine cache and page preparation, with a fake engine (no Tesseract).
//!
//! The engine factory is process-wide, so these tests live in their own test binary and
//! serialise on a lock.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use kyso::ocr::{
    self, EngineInfo, OcrEngine, OcrError, OcrPage, OcrWord, PreparedPage, Preprocess,
};
use kyso::source::PageImage;

static LOCK: Mutex<()> = Mutex::new(());
static BUILT: AtomicUsize = AtomicUsize::new(0);

struct Fake {
    orientation: Option<(u16, f32)>,
}

impl OcrEngine for Fake {
    fn recognize(&mut self, page: &PreparedPage) -> Result<OcrPage, OcrError> {
        let word = OcrWord {
            text: "Cộng".into(),
            bbox: [1, 2, 30, 12],
            confidence: 90.0,
            line: 0,
            paragraph: 0,
            block: 0,
        };
        Ok(OcrPage::from_words(page, vec![word]))
    }

    fn describe(&self) -> EngineInfo {
        EngineInfo {
            name: "fake".into(),
            version: "0".into(),
            languages: vec!["vie".into()],
        }
    }

    fn detect_orientation(&mut self, _: &PreparedPage) -> Result<Option<(u16, f32)>, OcrError> {
        Ok(self.orientation)
    }
}

fn install_fake() -> std::sync::MutexGuard<'static, ()> {
    let guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    ocr::set_engine_factory(Some(Arc::new(|_langs: &str| {
        BUILT.fetch_add(1, Ordering::SeqCst);
        Ok(Box::new(Fake { orientation: None }) as Box<dyn OcrEngine>)
    })));
    guard
}

fn white_page(w: u32, h: u32) -> PageImage {
    PageImage {
        image: image::DynamicImage::ImageLuma8(image::GrayImage::from_pixel(
            w,
            h,
            image::Luma([255]),
        )),
        dpi: Some(300.0),
    }
}

#[test]
fn thread_engine_is_built_once_per_thread_and_reused_for_every_page() {
    let _g = install_fake();
    let before = BUILT.load(Ordering::SeqCst);
    std::thread::spawn(|| {
        for _ in 0..5 {
            let name = ocr::with_thread_engine("vie", |e| e.describe().name).unwrap();
            assert_eq!(name, "fake");
        }
    })
    .join()
    .unwrap();
    assert_eq!(BUILT.load(Ordering::SeqCst) - before, 1);
}

#[test]
fn thread_engine_is_rebuilt_when_languages_change_or_after_a_panic() {
    let _g = install_fake();
    let before = BUILT.load(Ordering::SeqCst);
    std::thread::spawn(|| {
        ocr::with_thread_engine("vie", |_| ()).unwrap();
        ocr::with_thread_engine("eng", |_| ()).unwrap();
        let panicked = std::panic::catch_unwind(|| {
            ocr::with_thread_engine("eng", |_| panic!("engine blew up")).unwrap();
        });
        assert!(panicked.is_err());
        ocr::with_thread_engine("eng", |_| ()).unwrap();
    })
    .join()
    .unwrap();
    assert_eq!(BUILT.load(Ordering::SeqCst) - before, 3);
}

#[test]
fn confident_orientation_turns_the_page_and_is_recorded() {
    let _g = install_fake();
    let mut engine = Fake {
        orientation: Some((90, 12.0)),
    };
    let prepared =
        ocr::prepare(&white_page(400, 300), &Preprocess::default(), &mut engine).unwrap();
    assert_eq!(prepared.rotation, 90);
    assert_eq!((prepared.width(), prepared.height()), (300, 400));
    let page = engine.recognize(&prepared).unwrap();
    assert_eq!(page.rotation, 90);
    assert_eq!(page.chars, 4);
}

#[test]
fn unsure_orientation_leaves_the_page_alone() {
    let _g = install_fake();
    let mut engine = Fake {
        orientation: Some((180, 1.0)),
    };
    let prepared =
        ocr::prepare(&white_page(400, 300), &Preprocess::default(), &mut engine).unwrap();
    assert_eq!(prepared.rotation, 0);
}

#[test]
fn low_resolution_page_is_upscaled_and_high_resolution_downscaled_to_300_dpi() {
    let _g = install_fake();
    let mut engine = Fake { orientation: None };
    let mut low = white_page(400, 300);
    low.dpi = Some(150.0);
    let p = ocr::prepare(&low, &Preprocess::default(), &mut engine).unwrap();
    assert_eq!((p.width(), p.dpi.round()), (800, 300.0));
    let mut high = white_page(1200, 900);
    high.dpi = Some(600.0);
    let p = ocr::prepare(&high, &Preprocess::default(), &mut engine).unwrap();
    assert_eq!((p.width(), p.dpi.round()), (600, 300.0));
}

#[test]
fn empty_image_is_an_error_not_a_panic() {
    let _g = install_fake();
    let mut engine = Fake { orientation: None };
    let err = ocr::prepare(&white_page(0, 10), &Preprocess::default(), &mut engine)
        .err()
        .unwrap();
    assert!(matches!(err, OcrError::EmptyImage { .. }));
}
