//! Page sources against the fixture corpus's ground truth, through the library API.

mod common;

use std::sync::Arc;

use kyso::discover;
use kyso::error::ErrorKind;
use kyso::source::{self, Limits, PageKind};
use serde_json::Value;

fn kind_name(kind: PageKind) -> String {
    serde_json::to_value(kind)
        .unwrap()
        .as_str()
        .unwrap()
        .to_string()
}

fn nfc_words(s: &str) -> Vec<String> {
    use unicode_normalization::UnicodeNormalization;
    s.nfc()
        .collect::<String>()
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

#[test]
fn page_kinds_sizes_and_dpi_match_ground_truth() {
    for (path, truth) in common::fixtures() {
        let bytes: Arc<[u8]> = std::fs::read(&path).unwrap().into();
        let format = discover::sniff(&bytes);
        let expected_pages = truth["pages"].as_array().unwrap();
        let doc = match source::open(bytes, format, &Limits::default()) {
            Ok(doc) => doc,
            Err(e) => {
                assert!(
                    expected_pages.is_empty(),
                    "{}: unexpected error {e}",
                    path.display()
                );
                continue;
            }
        };
        assert_eq!(
            doc.pages.len(),
            expected_pages.len(),
            "{}: page count",
            path.display()
        );
        for (page, want) in doc.pages.iter().zip(expected_pages) {
            let ctx = format!("{} page {}", path.display(), page.info.index);
            assert_eq!(
                kind_name(page.info.kind),
                want["kind"].as_str().unwrap(),
                "{ctx}: kind ({})",
                page.info.kind_reason
            );
            match want["dpi"].as_f64() {
                Some(dpi) => {
                    let got = page
                        .info
                        .dpi
                        .unwrap_or_else(|| panic!("{ctx}: no dpi, expected {dpi}"));
                    assert!((got - dpi).abs() < 1.0, "{ctx}: dpi {got}, expected {dpi}");
                }
                None if page.info.kind.is_scan() => {
                    assert_eq!(page.info.dpi, None, "{ctx}: dpi should be unknown")
                }
                None => {}
            }
            if let Some(w) = want["width_pt"].as_f64() {
                assert!(
                    (page.info.width_pt.unwrap() - w).abs() < 1.0,
                    "{ctx}: width_pt"
                );
            }
        }
    }
}

#[test]
fn scanned_page_rasters_decode_without_rendering_at_their_stored_size() {
    let limits = Limits::default();
    let mut decoded = 0;
    for (path, truth) in common::fixtures() {
        let bytes: Arc<[u8]> = std::fs::read(&path).unwrap().into();
        let Ok(doc) = source::open(
            bytes,
            discover::sniff(&std::fs::read(&path).unwrap()),
            &limits,
        ) else {
            continue;
        };
        for (page, want) in doc.pages.iter().zip(truth["pages"].as_array().unwrap()) {
            if !page.info.kind.is_scan() {
                continue;
            }
            let ctx = format!("{} page {}", path.display(), page.info.index);
            let img = page
                .raster(&limits)
                .unwrap_or_else(|e| panic!("{ctx}: {e}"));
            if let (Some(w), Some(h)) = (want["width_px"].as_u64(), want["height_px"].as_u64()) {
                assert_eq!(
                    (img.image.width() as u64, img.image.height() as u64),
                    (w, h),
                    "{ctx}: raster size"
                );
            }
            // A decoded scan of a text page has dark ink on light paper: not blank, not inverted.
            let gray = img.image.to_luma8();
            let dark = gray.pixels().filter(|p| p.0[0] < 100).count() as f64 / gray.len() as f64;
            assert!(
                dark > 0.001 && dark < 0.5,
                "{ctx}: {:.3} of pixels are dark",
                dark
            );
            decoded += 1;
        }
    }
    assert!(decoded >= 10, "only {decoded} scanned pages decoded");
}

#[test]
fn born_digital_pages_give_their_text_layer_with_vietnamese_diacritics() {
    let mut checked = 0;
    for (path, truth) in common::fixtures() {
        let bytes = std::fs::read(&path).unwrap();
        let Ok(doc) = source::open(
            bytes.clone().into(),
            discover::sniff(&bytes),
            &Limits::default(),
        ) else {
            continue;
        };
        for (page, want) in doc.pages.iter().zip(truth["pages"].as_array().unwrap()) {
            if page.info.kind != PageKind::BornDigital {
                continue;
            }
            let expected = nfc_words(want["text"].as_str().unwrap_or(""));
            let got = nfc_words(page.text.as_deref().unwrap_or(""));
            let found = expected.iter().filter(|w| got.contains(w)).count();
            let share = found as f64 / expected.len().max(1) as f64;
            assert!(
                share > 0.95,
                "{} page {}: only {:.0}% of the words extracted: {:?}",
                path.display(),
                page.info.index,
                share * 100.0,
                got.iter().take(30).collect::<Vec<_>>()
            );
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} born-digital pages checked");
}

#[test]
fn broken_inputs_get_the_expected_typed_error() {
    let mut checked = 0;
    for (path, truth) in common::fixtures() {
        let Some(expected) = truth["expected_error"].as_str() else {
            continue;
        };
        let bytes = std::fs::read(&path).unwrap();
        let err = source::open(
            bytes.clone().into(),
            discover::sniff(&bytes),
            &Limits::default(),
        )
        .err()
        .unwrap_or_else(|| panic!("{} opened, expected {expected}", path.display()));
        assert_eq!(err.kind(), expected, "{}: {err}", path.display());
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} broken inputs");
}

#[test]
fn page_limit_refuses_long_documents() {
    let path = common::corpus_dir().join("scan-unsigned.pdf");
    let bytes = std::fs::read(path).unwrap();
    let limits = Limits {
        max_pages: 1,
        ..Limits::default()
    };
    let err = source::open(bytes.into(), source::Format::Pdf, &limits)
        .err()
        .expect("refused");
    assert_eq!(err.kind(), "too_many_pages");
    let _: Option<Value> = None;
}
