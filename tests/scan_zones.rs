//! Inspector mode: `kyso scan --ocr zones` gives the same verdicts and metadata as `--ocr full`
//! on the scanned fixtures (up to a diacritic Tesseract reads differently in a crop), while
//! recognising less, and never reads the middle pages.

mod common;

use std::path::Path;
use std::process::Command;

use common::{corpus_dir as fixtures, kyso_bin, read_records};
use serde_json::Value;

/// The scanned fixtures (the ones OCR is for), copied into `dir`.
fn scanned_fixtures(dir: &Path) -> usize {
    let mut n = 0;
    for entry in std::fs::read_dir(fixtures()).unwrap().flatten() {
        let path = entry.path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("scan-") && !name.ends_with(".truth.json") {
            std::fs::copy(&path, dir.join(&name)).unwrap();
            n += 1;
        }
    }
    n
}

fn scan(input: &Path, out: &Path, mode: &str) -> Vec<Value> {
    let status = Command::new(kyso_bin())
        .args([
            "scan",
            "--quiet",
            "--jobs",
            "2",
            "--outputs",
            "text",
            "--ocr",
            mode,
        ])
        .arg(input)
        .arg("--out")
        .arg(out)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0), "kyso scan --ocr {mode} failed");
    let mut records = read_records(&out.join("documents.jsonl"));
    records.sort_by(|a, b| a["path"].as_str().cmp(&b["path"].as_str()));
    records
}

fn pages_with_status<'a>(record: &'a Value, status: &str) -> Vec<&'a Value> {
    record["ocr"]["pages"]
        .as_array()
        .map(|pages| pages.iter().filter(|p| p["status"] == status).collect())
        .unwrap_or_default()
}

#[test]
fn zones_mode_gives_the_metadata_and_verdicts_of_full_mode_on_the_scanned_fixtures() {
    let input = tempfile::tempdir().unwrap();
    let count = scanned_fixtures(input.path());
    assert!(count >= 8, "expected the scanned fixtures, found {count}");
    let out = tempfile::tempdir().unwrap();
    let full = scan(input.path(), &out.path().join("full"), "full");
    let zones = scan(input.path(), &out.path().join("zones"), "zones");
    assert_eq!(full.len(), zones.len());

    let mut found_in_full = 0;
    let mut differences = Vec::new();
    let mut zoned_pages = 0;
    for (f, z) in full.iter().zip(&zones) {
        let name = f["path"].as_str().unwrap();
        assert_eq!(f["verdict"], z["verdict"], "{name}: verdict differs");
        assert_eq!(f["evidence"], z["evidence"], "{name}: evidence differs");
        let (fm, zm) = (
            f["metadata"].as_object().unwrap(),
            z["metadata"].as_object().unwrap(),
        );
        for (field, fv) in fm {
            if field == "file" {
                continue;
            }
            if !fv.is_null() {
                found_in_full += 1;
            }
            if fv["value"] != zm[field]["value"] {
                // The same words read with another diacritic ("Lưu"/"Luu"): a crop of a page
                // gives Tesseract other context, so such differences happen; others must not.
                let folded = |v: &Value| kyso::metadata::fold::fold(&v.to_string());
                assert_eq!(
                    folded(&fv["value"]),
                    folded(&zm[field]["value"]),
                    "{name}: metadata.{field} differs between full and zones mode"
                );
                differences.push(format!(
                    "{name}: metadata.{field}: full {} / zones {}",
                    fv["value"], zm[field]["value"]
                ));
            }
        }
        zoned_pages += pages_with_status(z, "ocr_zones").len();
        for p in pages_with_status(z, "ocr") {
            // A page read whole in zones mode says why.
            assert!(
                p["zones"]["fallback"].is_string(),
                "{name}: page {} read whole without a reason: {p}",
                p["index"]
            );
        }
    }
    eprintln!(
        "{} diacritic-level differences in {found_in_full} fields:\n{}",
        differences.len(),
        differences.join("\n")
    );
    assert!(
        differences.len() * 20 <= found_in_full,
        "more than 5% of the fields differ in their diacritics"
    );
    // The comparison means something only if full mode found metadata and zones mode did
    // read zones rather than falling back everywhere.
    assert!(
        found_in_full >= count * 5,
        "full mode found {found_in_full} fields"
    );
    assert!(
        zoned_pages >= 3,
        "only {zoned_pages} pages were read by zones"
    );
}

#[test]
fn zones_mode_skips_the_middle_pages_of_a_long_scan() {
    // A 3-page TIFF made of fixture pages: the middle one carries no metadata.
    let dir = tempfile::tempdir().unwrap();
    let pages: Vec<image::DynamicImage> = {
        let tif = std::fs::read(fixtures().join("scan-multipage.tif")).unwrap();
        let mut decoder = tiff::decoder::Decoder::new(std::io::Cursor::new(tif)).unwrap();
        let mut v = Vec::new();
        loop {
            let (w, h) = decoder.dimensions().unwrap();
            let img = match decoder.read_image().unwrap() {
                tiff::decoder::DecodingResult::U8(buf) => buf,
                _ => panic!("unexpected sample type"),
            };
            let gray = img.len() == (w * h) as usize;
            v.push(if gray {
                image::DynamicImage::ImageLuma8(image::GrayImage::from_raw(w, h, img).unwrap())
            } else {
                image::DynamicImage::ImageRgb8(image::RgbImage::from_raw(w, h, img).unwrap())
            });
            if !decoder.more_images() {
                break;
            }
            decoder.next_image().unwrap();
        }
        v
    };
    let order = [&pages[0], &pages[0], &pages[pages.len() - 1]];
    let path = dir.path().join("three.tif");
    {
        let mut file = std::fs::File::create(&path).unwrap();
        let mut enc = tiff::encoder::TiffEncoder::new(&mut file).unwrap();
        for img in order {
            let rgb = img.to_rgb8();
            enc.write_image::<tiff::encoder::colortype::RGB8>(rgb.width(), rgb.height(), &rgb)
                .unwrap();
        }
    }
    let out = tempfile::tempdir().unwrap();
    let records = scan(dir.path(), out.path(), "zones");
    let pages = records[0]["ocr"]["pages"].as_array().unwrap();
    assert_eq!(pages.len(), 3);
    assert_eq!(pages[1]["status"], "not_needed_for_metadata", "{pages:?}");
    assert_eq!(pages[1]["chars"], 0);
    for i in [0, 2] {
        assert_ne!(pages[i]["status"], "not_needed_for_metadata", "{pages:?}");
        assert!(pages[i]["chars"].as_u64().unwrap() > 0, "{pages:?}");
    }
}
