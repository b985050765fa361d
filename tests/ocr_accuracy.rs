//! OCR accuracy on real scans with ground truth, from other projects' test suites.
//!
//! The corpus is read from `<crate>/../shared/realworld` or `$KYSO_REALWORLD`; without it the
//! tests say so and pass. Each threshold is the CER measured with the default preparation and
//! `vie` (kyso's default `--lang`) on Tesseract 5.3.0 (Debian 12), plus a margin for other
//! Tesseract builds and models; the measured value is in the comment (and, for the English
//! pages, the value with `vie+eng`, the default until the layout-variety corpus showed that
//! `eng` beside `vie` costs Vietnamese documents their diacritics). One test per page so
//! the test harness spreads pages over the cores, each thread with its own engine.

mod common;

use kyso::ocr::{self, Preprocess};
use kyso::source::PageImage;

/// OCRs `image` as `kyso scan` does (default preparation, OSD on a poor reading, poor lines
/// read again) and returns (CER against `truth`, rotation).
fn measure(image: &str, truth: &str) -> Option<(f64, u16)> {
    let dir = common::realworld()?;
    let img = image::open(dir.join(image)).expect("corpus image decodes");
    let truth = std::fs::read_to_string(dir.join(truth)).expect("ground truth reads");
    let page = PageImage {
        image: img,
        dpi: None,
    };
    let result = ocr::recognize_page(ocr::DEFAULT_LANGS, &page, &Preprocess::default(), None)
        .expect("page is recognised")
        .page;
    let cer = ocr::cer(&truth, &result.text);
    println!(
        "{image}: CER {cer:.4}, confidence {:.1}, rotation {}, skew {:?}, dpi {:.0}",
        result.mean_confidence.unwrap_or(0.0),
        result.rotation,
        result.skew_deg,
        result.dpi_used
    );
    Some((cer, result.rotation))
}

fn check(image: &str, truth: &str, max_cer: f64) {
    if let Some((cer, _)) = measure(image, truth) {
        assert!(cer <= max_cer, "{image}: CER {cer:.4} above {max_cer}");
    }
}

#[test]
fn phototest_is_read_almost_perfectly() {
    // Measured 0.0000.
    check(
        "tesseract-test/phototest.tif",
        "tesseract-test/phototest.txt",
        0.02,
    );
}

#[test]
fn page_turned_on_its_side_is_set_upright_and_read_like_the_upright_one() {
    // Measured 0.0000 after OSD rotates it 270° clockwise; without OSD it is unreadable.
    if let Some((cer, rotation)) = measure(
        "tesseract-test/phototest-rotated-R.png",
        "tesseract-test/phototest.txt",
    ) {
        assert_eq!(rotation, 270);
        assert!(cer <= 0.02, "CER {cer:.4}");
    }
}

#[test]
fn eurotext_with_german_and_french_accents_stays_under_threshold() {
    // Measured 0.0170.
    check(
        "tesseract-test/eurotext.tif",
        "tesseract-test/eurotext.txt",
        0.04,
    );
}

#[test]
fn linn_brochure_page_stays_under_threshold() {
    // Measured 0.0255 (0.0101 with vie+eng: English words read with Vietnamese models).
    check("ocrmypdf/linn.png", "ocrmypdf/linn.txt", 0.04);
}

#[test]
fn two_column_magazine_page_8087_stays_under_threshold() {
    // Measured 0.0825 (0.0775 with vie+eng).
    check(
        "tesseract-test/8087_054.3B.tif",
        "tesseract-test/8087_054.3B.txt",
        0.11,
    );
}

#[test]
fn two_column_magazine_page_8071_stays_under_threshold() {
    // Measured 0.0644 (0.0475 with vie+eng).
    check(
        "tesseract-test/8071_093.3B.tif",
        "tesseract-test/8071_093.3B.txt",
        0.08,
    );
}
