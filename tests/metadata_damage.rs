//! The metadata stage on text damaged the way Tesseract damages Vietnamese: the born-digital
//! fixtures' own positioned lines (so the layout is real), with their text rewritten as a
//! poor scan reads it, must still give the same number, symbol, date, type and agency key.

mod common;

use std::sync::Arc;

use kyso::metadata::{self, agency_key, Metadata, PageText, TextLine, TextSource};
use kyso::source::{self, Format, Limits};
use unicode_normalization::UnicodeNormalization;

/// Ways OCR damages a line, each applied on its own to every line of a page.
#[derive(Debug, Clone, Copy)]
enum Damage {
    /// Every tone mark and the bar of Đ lost ("Số" → "So", "QĐ" → "QD").
    Tones,
    /// Digit zero read as the letter O inside numbers, and one as l.
    Digits,
    /// Punctuation of the number line lost or changed ("Số:" → "Số", "/" spaced).
    Punctuation,
    /// Old tone placement (ỦY → UỶ, HÒA → HOÀ) as some fonts and typists write it.
    OldTones,
}

fn strip_tones(s: &str) -> String {
    s.nfd()
        .filter(|c| !('\u{0300}'..='\u{036f}').contains(c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            c => c,
        })
        .collect()
}

fn damage(text: &str, how: Damage) -> String {
    match how {
        Damage::Tones => strip_tones(text),
        Damage::Digits => {
            let chars: Vec<char> = text.chars().collect();
            chars
                .iter()
                .enumerate()
                .map(|(i, &c)| {
                    let in_number = i > 0 && chars[i - 1].is_ascii_digit();
                    match c {
                        '0' if in_number => 'O',
                        '1' if in_number => 'l',
                        c => c,
                    }
                })
                .collect()
        }
        Damage::Punctuation => text.replacen("Số:", "Số", 1).replacen('/', " / ", 1),
        Damage::OldTones => text
            .replace("ỦY", "UỶ")
            .replace("Ủy", "Uỷ")
            .replace("HÒA", "HOÀ")
            .replace("HÓA", "HOÁ"),
    }
}

/// The fixture's pages as the metadata stage sees them, with each line damaged.
fn damaged_pages(file: &str, how: Option<Damage>) -> Vec<PageText> {
    let bytes: Arc<[u8]> = std::fs::read(common::corpus_dir().join(file))
        .unwrap()
        .into();
    let doc = source::open(bytes, Format::Pdf, &Limits::default()).unwrap();
    doc.pages
        .iter()
        .filter(|p| !p.text_runs.is_empty())
        .map(|p| {
            let aspect = p.info.width_pt.unwrap() / p.info.height_pt.unwrap();
            let lines = metadata::lines_from_runs(&p.text_runs, aspect)
                .into_iter()
                .map(|l| {
                    let text = how.map(|h| damage(&l.text, h)).unwrap_or(l.text.clone());
                    TextLine::new(&text, l.bbox, 0.9)
                })
                .collect();
            PageText::new(p.info.index, TextSource::Ocr, lines)
        })
        .collect()
}

fn value(f: &Option<metadata::Field<String>>) -> Option<&str> {
    f.as_ref().map(|f| f.value.as_str())
}

fn truth(file: &str) -> serde_json::Value {
    common::fixtures()
        .into_iter()
        .find(|(p, _)| p.ends_with(file))
        .unwrap()
        .1["metadata"]
        .clone()
}

const BORN_DIGITAL: &[&str] = &[
    "bd-unsigned.pdf",
    "bd-signed-org.pdf",
    "bd-signed-modified.pdf",
    "bd-with-blank.pdf",
    "bd-cong-van.pdf",
];

#[test]
fn undamaged_lines_give_the_truth() {
    for file in BORN_DIGITAL {
        let m = metadata::extract(&damaged_pages(file, None), &[], None);
        let t = truth(file);
        assert_eq!(
            value(&m.number_symbol),
            t["number_symbol"].as_str(),
            "{file}"
        );
        assert_eq!(value(&m.agency), t["agency"].as_str(), "{file}");
        assert_eq!(value(&m.subject), t["subject"].as_str(), "{file}");
    }
}

fn check_damaged(how: Damage) -> Vec<(String, Metadata)> {
    let mut out = Vec::new();
    for file in BORN_DIGITAL {
        let m = metadata::extract(&damaged_pages(file, Some(how)), &[], None);
        let t = truth(file);
        assert_eq!(value(&m.number), t["number"].as_str(), "{file} {how:?}");
        assert_eq!(
            value(&m.issue_date),
            t["issue_date"].as_str(),
            "{file} {how:?}"
        );
        assert_eq!(value(&m.doc_type), t["doc_type"].as_str(), "{file} {how:?}");
        assert_eq!(
            value(&m.signing_authority),
            t["authority_line"].as_str(),
            "{file} {how:?}"
        );
        assert_eq!(
            m.urgency.is_some(),
            !t["urgency"].is_null(),
            "{file} {how:?}"
        );
        // The agency key does not depend on tones or their placement: the damaged page gives
        // the key of the undamaged one, and that key is one (not null).
        let clean = metadata::extract(&damaged_pages(file, None), &[], None);
        assert!(clean.agency_key.is_some(), "{file}");
        assert_eq!(
            value(&m.agency_key),
            value(&clean.agency_key),
            "{file} {how:?}"
        );
        out.push((file.to_string(), m));
    }
    out
}

#[test]
fn lost_tones_and_barless_d_still_give_number_date_type_and_key() {
    for (file, m) in check_damaged(Damage::Tones) {
        let t = truth(&file);
        // "QD-STC" is repaired to the Decree 30 abbreviation "QĐ-STC".
        assert_eq!(value(&m.symbol), t["symbol"].as_str(), "{file}");
    }
}

#[test]
fn digits_read_as_letters_are_repaired_in_numbers_and_dates() {
    for (file, m) in check_damaged(Damage::Digits) {
        assert_eq!(
            value(&m.number_symbol),
            truth(&file)["number_symbol"].as_str(),
            "{file}"
        );
    }
}

#[test]
fn a_number_line_with_lost_punctuation_is_still_read() {
    for (file, m) in check_damaged(Damage::Punctuation) {
        assert_eq!(value(&m.symbol), truth(&file)["symbol"].as_str(), "{file}");
    }
}

#[test]
fn old_tone_placement_gives_the_same_agency_key() {
    check_damaged(Damage::OldTones);
    assert_eq!(
        agency_key("UỶ BAN NHÂN DÂN TỈNH BẮC GIANG"),
        agency_key("UBND TỈNH BẮC GIANG")
    );
}
