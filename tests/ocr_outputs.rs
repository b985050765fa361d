//! The OCR writers: text, hOCR, ALTO and the searchable PDF, checked with public tools
//! (`pdftotext` from poppler-utils, `xmllint` from libxml2-utils).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use kyso::ocr::{
    self, DocumentOcr, EncodedImage, ImageCodec, OcrPage, OcrWord, Outputs, Preprocess,
    SearchablePdf,
};
use kyso::source::PageImage;

fn tool(name: &str) -> bool {
    Command::new(name).arg("-v").output().is_ok()
}

fn word(text: &str, bbox: [u32; 4], line: u32) -> OcrWord {
    OcrWord {
        text: text.into(),
        bbox,
        confidence: 91.0,
        line,
        paragraph: 0,
        block: 0,
    }
}

/// A hand-made Vietnamese page: the PDF and XML writers must not depend on the engine.
fn vietnamese_page() -> (OcrPage, EncodedImage) {
    let words = vec![
        word("CỘNG", [100, 100, 400, 150], 0),
        word("HÒA", [420, 100, 560, 150], 0),
        word("XÃ", [580, 100, 660, 150], 0),
        word("HỘI", [680, 100, 800, 150], 0),
        word("Quyết", [100, 200, 300, 250], 1),
        word("định", [320, 200, 480, 250], 1),
        word("số", [500, 200, 560, 250], 1),
        word("12/QĐ-UBND", [580, 200, 950, 250], 1),
    ];
    let text = "CỘNG HÒA XÃ HỘI\nQuyết định số 12/QĐ-UBND".to_string();
    let page = OcrPage {
        chars: text.chars().filter(|c| !c.is_whitespace()).count(),
        text,
        words,
        mean_confidence: Some(91.0),
        rotation: 0,
        skew_deg: None,
        dpi_used: 300.0,
        dpi_source: ocr::DpiSource::Assumed,
        width: 1240,
        height: 1754,
        scale: 1.0,
        lines_reread: 0,
        lines_recovered: 0,
    };
    let raw = vec![255u8; 1240 * 1754];
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut z, &raw).unwrap();
    let image = EncodedImage::FlateGray {
        width: 1240,
        height: 1754,
        data: z.finish().unwrap(),
    };
    (page, image)
}

fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The XML catalog of the shared schemas (ALTO v4 and the XLink schema it imports, mapped
/// from their URLs to local files): `<crate>/../shared/schemas/catalog.xml`, or
/// `$KYSO_SCHEMAS/catalog.xml`. `None` (and a note) when it is not there.
fn alto_catalog() -> Option<PathBuf> {
    let dir = std::env::var_os("KYSO_SCHEMAS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/schemas"));
    let catalog = dir.join("catalog.xml");
    if catalog.is_file() {
        Some(catalog)
    } else {
        eprintln!(
            "NOTE: no schema catalog at {} (set KYSO_SCHEMAS): ALTO is checked for \
             well-formedness and structure only",
            catalog.display()
        );
        None
    }
}

/// Validates ALTO files against the ALTO 4.2 schema, offline: xmllint resolves the schema's
/// URL and the XLink schema it imports through the catalog, and `--nonet` forbids the network.
/// Without the catalog, checks well-formedness only.
fn validate_alto(files: &[&Path]) {
    let mut cmd = Command::new("xmllint");
    cmd.args(["--noout", "--nonet"]);
    if let Some(catalog) = alto_catalog() {
        cmd.env("XML_CATALOG_FILES", catalog).args([
            "--schema",
            "http://www.loc.gov/standards/alto/v4/alto-4-2.xsd",
        ]);
    }
    let out = cmd.args(files).output().expect("xmllint runs");
    assert!(
        out.status.success(),
        "ALTO invalid: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn searchable_pdf_gives_back_the_vietnamese_words_to_pdftotext() {
    if !tool("pdftotext") {
        eprintln!("SKIP: pdftotext (poppler-utils) is not installed");
        return;
    }
    let (page, image) = vietnamese_page();
    let mut pdf = SearchablePdf::new();
    pdf.add_page(0, &page, image);
    let dir = tempfile::tempdir().unwrap();
    let doc = DocumentOcr {
        doc_id: "abc".into(),
        pages: vec![Some(page)],
        pdf: Some(pdf),
    };
    let written = ocr::write_outputs(dir.path(), &doc, &"pdf".parse().unwrap()).unwrap();
    assert_eq!(written, [dir.path().join("pdf/abc.pdf")]);
    let text = pdftotext(&written[0]);
    assert_eq!(
        ocr::cer("CỘNG HÒA XÃ HỘI Quyết định số 12/QĐ-UBND", &text),
        0.0,
        "pdftotext gave {text:?}"
    );
}

#[test]
fn pdf_pages_come_out_in_page_order_whatever_order_they_were_added() {
    if !tool("pdftotext") {
        eprintln!("SKIP: pdftotext (poppler-utils) is not installed");
        return;
    }
    let (mut second, image2) = vietnamese_page();
    second.words.truncate(1);
    let (mut first, image1) = vietnamese_page();
    first.words = vec![word("Một", [100, 100, 300, 150], 0)];
    let mut pdf = SearchablePdf::new();
    pdf.add_page(1, &second, image2);
    pdf.add_page(0, &first, image1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.pdf");
    std::fs::write(&path, pdf.to_bytes().unwrap()).unwrap();
    let text = pdftotext(&path);
    let pages: Vec<&str> = text.split('\x0c').map(str::trim).collect();
    assert_eq!(&pages[..2], ["Một", "CỘNG"]);
}

#[test]
fn alto_is_well_formed_and_valid_against_the_alto_v4_schema() {
    let (page, _) = vietnamese_page();
    let dir = tempfile::tempdir().unwrap();
    let doc = DocumentOcr {
        doc_id: "abc".into(),
        pages: vec![None, Some(page)],
        pdf: None,
    };
    let outputs: Outputs = "alto,hocr,text".parse().unwrap();
    let written = ocr::write_outputs(dir.path(), &doc, &outputs).unwrap();
    let alto = dir.path().join("alto/abc-p2.xml");
    let hocr = dir.path().join("hocr/abc-p2.hocr");
    assert!(written.contains(&alto) && written.contains(&hocr));
    assert!(!dir.path().join("alto/abc-p1.xml").exists());
    let text = std::fs::read_to_string(dir.path().join("text/abc.txt")).unwrap();
    assert_eq!(text, "\n\x0cCỘNG HÒA XÃ HỘI\nQuyết định số 12/QĐ-UBND\n");
    let xml = std::fs::read_to_string(&alto).unwrap();
    assert!(xml.contains("CONTENT=\"12/QĐ-UBND\""), "{xml}");
    if !tool("xmllint") {
        eprintln!("SKIP: xmllint (libxml2-utils) is not installed; only content was checked");
        return;
    }
    let status = Command::new("xmllint")
        .arg("--noout")
        .arg(&hocr)
        .status()
        .unwrap();
    assert!(status.success(), "hOCR is not well-formed XML");
    validate_alto(&[&alto]);
    if let Some(catalog) = alto_catalog() {
        // The schema is really applied: an attribute ALTO does not have is refused.
        let bad = dir.path().join("bad.xml");
        std::fs::write(&bad, xml.replacen("<String ", "<String BOGUS=\"1\" ", 1)).unwrap();
        let out = Command::new("xmllint")
            .args(["--noout", "--nonet", "--schema"])
            .arg("http://www.loc.gov/standards/alto/v4/alto-4-2.xsd")
            .arg(&bad)
            .env("XML_CATALOG_FILES", catalog)
            .output()
            .unwrap();
        assert!(!out.status.success(), "an invalid ALTO file passed");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("BOGUS"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The elements and attributes ALTO v4 requires, in their required nesting.
    let count = |xpath: &str| {
        let out = Command::new("xmllint")
            .args(["--xpath", &format!("count({xpath})")])
            .arg(&alto)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let v4 = "[namespace-uri()='http://www.loc.gov/standards/alto/ns-v4#']";
    assert_eq!(count(&format!("/*[local-name()='alto']{v4}/*[local-name()='Description']/*[local-name()='MeasurementUnit'][.='pixel']")), "1");
    assert_eq!(count("//*[local-name()='Layout']/*[local-name()='Page'][@ID and @PHYSICAL_IMG_NR]/*[local-name()='PrintSpace']"), "1");
    assert_eq!(count("//*[local-name()='TextBlock'][@ID and @HPOS and @VPOS and @WIDTH and @HEIGHT]/*[local-name()='TextLine'][@ID and @HPOS and @VPOS and @WIDTH and @HEIGHT]"), "2");
    assert_eq!(count("//*[local-name()='TextLine']/*[local-name()='String'][@ID and @CONTENT and @HPOS and @VPOS and @WIDTH and @HEIGHT and @WC]"), "8");
}

#[test]
fn recognised_page_round_trips_through_every_writer() {
    let Some(dir) = common::realworld() else {
        return;
    };
    let img = image::open(dir.join("tesseract-test/phototest.tif")).unwrap();
    let page_image = PageImage {
        image: img,
        dpi: None,
    };
    let (page, encoded) = ocr::with_thread_engine("eng", |engine| {
        let prepared = ocr::prepare(&page_image, &Preprocess::default(), engine)?;
        let page = engine.recognize(&prepared)?;
        Ok::<_, ocr::OcrError>((page, prepared.encode(ImageCodec::Jpeg { quality: 75 })?))
    })
    .unwrap()
    .unwrap();
    assert!(page.words.len() > 50, "{} words", page.words.len());
    assert!(page
        .words
        .iter()
        .all(|w| w.bbox[2] <= page.width && w.bbox[3] <= page.height));
    let mut pdf = SearchablePdf::new();
    pdf.add_page(0, &page, encoded);
    let out = tempfile::tempdir().unwrap();
    let doc = DocumentOcr {
        doc_id: "photo".into(),
        pages: vec![Some(page)],
        pdf: Some(pdf),
    };
    let written =
        ocr::write_outputs(out.path(), &doc, &"text,hocr,alto,pdf".parse().unwrap()).unwrap();
    assert_eq!(written.len(), 4);
    if tool("xmllint") {
        validate_alto(&[&out.path().join("alto/photo-p1.xml")]);
    }
    if tool("pdftotext") {
        let text = pdftotext(&out.path().join("pdf/photo.pdf"));
        assert!(text.contains("quick brown"), "{text}");
    }
}
