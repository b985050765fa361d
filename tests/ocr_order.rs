//! Reading order by blocks (`ocr::order`) on a real scan: a Decree 30 page whose header and
//! foot are set in two columns reads the agency block, then the motto and the date, then the
//! body; the recipients, then the signer block. The text file, hOCR and ALTO follow the same
//! order. The page is a fixture of the layout-variety corpus (testdata/agencies: gray, 200 dpi,
//! JPEG, skewed 1.1°, a red seal seen in gray over the signer block).

use std::path::Path;

use kyso::ocr::{self, Preprocess};
use kyso::source::PageImage;

/// Where each anchor first occurs in `text` at or after the previous anchor's place; panics
/// naming the first anchor that is missing or out of order.
fn assert_in_order(what: &str, text: &str, anchors: &[&str]) {
    let mut at = 0;
    for a in anchors {
        match text[at..].find(a) {
            Some(i) => at += i + a.len(),
            None => panic!(
                "{what}: {a:?} does not follow {:?}:\n{text}",
                &text[..at].lines().last().unwrap_or("")
            ),
        }
    }
}

#[test]
fn a_two_column_header_and_foot_are_read_block_by_block() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/agencies/035-scan-so-y-te.ha-nam-tb-syt.jpg");
    let page = PageImage {
        image: image::open(&path).expect("fixture decodes"),
        dpi: None,
    };
    let page = ocr::recognize_page(ocr::DEFAULT_LANGS, &page, &Preprocess::default(), None)
        .expect("page is recognised")
        .page;
    // The agency block (parent, agency, number), the motto and the date, the title, the body.
    let header = [
        "UBND TỈNH HÀ NAM",
        "SỞ Y TẾ",
        "Số: 1188/TB-SYT",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ngày 11 tháng 12 năm 2019",
        "THÔNG BÁO",
        "Sở Y tế tỉnh Hà Nam thông báo",
    ];
    // The recipients, then the signer's title (the name under the seal may be misread).
    let foot = [
        "Nơi nhận:",
        "Như trên;",
        "Giám đốc, các PGĐ Sở;",
        // "Lưu: VT" and not the whole line: the order is checked here, and "NVY" read at the
        // page's own 200 dpi has come out "ÑNVY".
        "Lưu: VT",
        "GIÁM ĐỐC",
    ];
    let all: Vec<&str> = header.iter().chain(&foot).copied().collect();
    assert_in_order("text", &page.text, &all);
    // Each block line by line: the agency block's lines are lines of their own, not joined
    // to the motto beside them.
    assert!(
        page.text.lines().any(|l| l.trim() == "SỞ Y TẾ"),
        "{}",
        page.text
    );

    // hOCR and ALTO are written from the same words in the same order.
    let words = |markup: &str, open: &str| -> String {
        markup
            .split(open)
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let alto = ocr::alto_xml(&page, "p1", 1);
    assert_in_order(
        "ALTO",
        &words(&alto, "CONTENT=\""),
        &[
            "SỞ Y TẾ",
            "Số:",
            "CỘNG HÒA",
            "Độc lập",
            "Nơi nhận:",
            "GIÁM ĐỐC",
        ],
    );
    let hocr = ocr::hocr_html(&page, "p1", 1);
    let hocr_words: String = hocr
        .split("class=\"ocrx_word\"")
        .skip(1)
        .filter_map(|s| s.split('>').nth(1)?.split('<').next())
        .collect::<Vec<_>>()
        .join(" ");
    assert_in_order(
        "hOCR",
        &hocr_words,
        &[
            "SỞ Y TẾ",
            "Số:",
            "CỘNG HÒA",
            "Độc lập",
            "Nơi nhận:",
            "GIÁM ĐỐC",
        ],
    );
}
