//! Output files of the OCR stage: text, hOCR, ALTO and the searchable PDF.
//!
//! hOCR and ALTO are rendered from [`OcrPage`] rather than taken from Tesseract's renderers, so
//! they agree word for word with the record and the text file, and a fake engine gets them too.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use super::{OcrError, OcrPage, OcrWord, SearchablePdf};
use crate::output::{escape_markup as esc, write_atomic};

/// Which OCR outputs to write (`--outputs text,hocr,alto,pdf,pdfa`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outputs {
    pub text: bool,
    pub hocr: bool,
    pub alto: bool,
    pub pdf: bool,
    /// The archive copy (PDF/A, `src/archive/`): written by the pipeline once the verdict is
    /// known, since the copy states it; nothing here writes it.
    pub pdfa: bool,
}

impl Outputs {
    /// Whether page images are kept, encoded, for a PDF (searchable or archival).
    pub fn wants_page_images(&self) -> bool {
        self.pdf || self.pdfa
    }
}

impl FromStr for Outputs {
    type Err = OcrError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut o = Outputs::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part.to_ascii_lowercase().as_str() {
                "text" | "txt" => o.text = true,
                "hocr" => o.hocr = true,
                "alto" => o.alto = true,
                "pdf" => o.pdf = true,
                "pdfa" | "pdf/a" => o.pdfa = true,
                _ => return Err(OcrError::UnknownOutput(part.to_string())),
            }
        }
        Ok(o)
    }
}

/// A document's OCR results, ready to write.
pub struct DocumentOcr {
    /// The document id, naming every file.
    pub doc_id: String,
    /// One entry per page in page order; `None` for pages that were not recognised (their
    /// text is empty in the text file and they get no hOCR/ALTO file).
    pub pages: Vec<Option<OcrPage>>,
    /// The searchable PDF being assembled, when `pdf` output is on.
    pub pdf: Option<SearchablePdf>,
}

fn write(path: PathBuf, bytes: &[u8], written: &mut Vec<PathBuf>) -> Result<(), OcrError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| OcrError::Write {
            path: dir.display().to_string(),
            source,
        })?;
    }
    write_atomic(&path, bytes).map_err(|source| OcrError::Write {
        path: path.display().to_string(),
        source,
    })?;
    written.push(path);
    Ok(())
}

/// Writes the requested outputs under `out_dir` (`text/<id>.txt`, `hocr/<id>-p<N>.hocr`,
/// `alto/<id>-p<N>.xml`, `pdf/<id>.pdf`; N is 1-based) and returns the files written. Each
/// file is written atomically.
pub fn write_outputs(
    out_dir: &Path,
    doc: &DocumentOcr,
    outputs: &Outputs,
) -> Result<Vec<PathBuf>, OcrError> {
    let mut written = Vec::new();
    let id = &doc.doc_id;
    if outputs.text {
        write(
            out_dir.join("text").join(format!("{id}.txt")),
            page_text(&doc.pages).as_bytes(),
            &mut written,
        )?;
    }
    for (i, page) in doc.pages.iter().enumerate() {
        let Some(page) = page else { continue };
        let n = i + 1;
        if outputs.hocr {
            let html = hocr_html(page, &format!("{id}-p{n}"), n);
            write(
                out_dir.join("hocr").join(format!("{id}-p{n}.hocr")),
                html.as_bytes(),
                &mut written,
            )?;
        }
        if outputs.alto {
            let xml = alto_xml(page, &format!("{id}-p{n}"), n);
            write(
                out_dir.join("alto").join(format!("{id}-p{n}.xml")),
                xml.as_bytes(),
                &mut written,
            )?;
        }
    }
    if outputs.pdf {
        if let Some(pdf) = &doc.pdf {
            let bytes = pdf.to_bytes()?;
            write(
                out_dir.join("pdf").join(format!("{id}.pdf")),
                &bytes,
                &mut written,
            )?;
        }
    }
    Ok(written)
}

/// The text file's content: page texts separated by form feeds, as `pdftotext` does.
pub fn page_text(pages: &[Option<OcrPage>]) -> String {
    let texts: Vec<&str> = pages
        .iter()
        .map(|p| p.as_ref().map_or("", |p| p.text.as_str()))
        .collect();
    let mut s = texts.join("\n\x0c");
    s.push('\n');
    s
}

type BBox = [u32; 4];

fn union(a: BBox, b: BBox) -> BBox {
    [
        a[0].min(b[0]),
        a[1].min(b[1]),
        a[2].max(b[2]),
        a[3].max(b[3]),
    ]
}

struct Line<'a> {
    bbox: BBox,
    words: Vec<&'a OcrWord>,
}
struct Par<'a> {
    bbox: BBox,
    lines: Vec<Line<'a>>,
}
struct Block<'a> {
    bbox: BBox,
    pars: Vec<Par<'a>>,
}

/// Groups words (in reading order) into blocks, paragraphs and lines by their ids.
fn layout(words: &[OcrWord]) -> Vec<Block<'_>> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut prev: Option<&OcrWord> = None;
    for w in words {
        let new_block = prev.is_none_or(|p| p.block != w.block);
        let new_par = new_block || prev.is_some_and(|p| p.paragraph != w.paragraph);
        let new_line = new_par || prev.is_some_and(|p| p.line != w.line);
        if new_block {
            blocks.push(Block {
                bbox: w.bbox,
                pars: Vec::new(),
            });
        }
        let Some(b) = blocks.last_mut() else { continue };
        b.bbox = union(b.bbox, w.bbox);
        if new_par {
            b.pars.push(Par {
                bbox: w.bbox,
                lines: Vec::new(),
            });
        }
        let Some(p) = b.pars.last_mut() else { continue };
        p.bbox = union(p.bbox, w.bbox);
        if new_line {
            p.lines.push(Line {
                bbox: w.bbox,
                words: Vec::new(),
            });
        }
        let Some(l) = p.lines.last_mut() else {
            continue;
        };
        l.bbox = union(l.bbox, w.bbox);
        l.words.push(w);
        prev = Some(w);
    }
    blocks
}

fn hbox(b: BBox) -> String {
    format!("bbox {} {} {} {}", b[0], b[1], b[2], b[3])
}

/// One page as an hOCR 1.2 document (XHTML), in the shape Tesseract writes.
pub fn hocr_html(page: &OcrPage, image_name: &str, page_no: usize) -> String {
    let mut s = String::new();
    let dpi = page.dpi_used.round();
    let _ = write!(
        s,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" \
         \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n\
         <html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"vi\" lang=\"vi\">\n<head>\n\
         <title>{title}</title>\n\
         <meta http-equiv=\"Content-Type\" content=\"text/html;charset=utf-8\"/>\n\
         <meta name=\"ocr-system\" content=\"kyso {ver} (tesseract)\"/>\n\
         <meta name=\"ocr-capabilities\" content=\"ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrp_wconf\"/>\n\
         </head>\n<body>\n\
         <div class=\"ocr_page\" id=\"page_{n}\" title=\"image &quot;{title}&quot;; bbox 0 0 {w} {h}; ppageno {pp}; scan_res {dpi} {dpi}\">\n",
        title = esc(image_name),
        ver = env!("CARGO_PKG_VERSION"),
        n = page_no,
        w = page.width,
        h = page.height,
        pp = page_no.saturating_sub(1),
    );
    let (mut bi, mut pi, mut li, mut wi) = (0, 0, 0, 0);
    for b in layout(&page.words) {
        bi += 1;
        let _ = writeln!(
            s,
            " <div class=\"ocr_carea\" id=\"block_{page_no}_{bi}\" title=\"{}\">",
            hbox(b.bbox)
        );
        for p in b.pars {
            pi += 1;
            let _ = writeln!(
                s,
                "  <p class=\"ocr_par\" id=\"par_{page_no}_{pi}\" title=\"{}\">",
                hbox(p.bbox)
            );
            for l in p.lines {
                li += 1;
                let _ = write!(
                    s,
                    "   <span class=\"ocr_line\" id=\"line_{page_no}_{li}\" title=\"{}\">",
                    hbox(l.bbox)
                );
                for w in l.words {
                    wi += 1;
                    let _ = write!(
                        s,
                        "<span class=\"ocrx_word\" id=\"word_{page_no}_{wi}\" title=\"{}; x_wconf {}\">{}</span> ",
                        hbox(w.bbox),
                        w.confidence.round() as i32,
                        esc(&w.text)
                    );
                }
                s.push_str("</span>\n");
            }
            s.push_str("  </p>\n");
        }
        s.push_str(" </div>\n");
    }
    s.push_str("</div>\n</body>\n</html>\n");
    s
}

fn abox(b: BBox) -> String {
    format!(
        "HPOS=\"{}\" VPOS=\"{}\" WIDTH=\"{}\" HEIGHT=\"{}\"",
        b[0],
        b[1],
        b[2].saturating_sub(b[0]),
        b[3].saturating_sub(b[1])
    )
}

/// One page as an ALTO v4 document, pixel units. Tesseract's paragraphs become TextBlocks (ALTO
/// has no paragraph level), as Tesseract's own ALTO renderer does.
pub fn alto_xml(page: &OcrPage, image_name: &str, page_no: usize) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <alto xmlns=\"http://www.loc.gov/standards/alto/ns-v4#\" \
         xmlns:xlink=\"http://www.w3.org/1999/xlink\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://www.loc.gov/standards/alto/ns-v4# http://www.loc.gov/standards/alto/v4/alto-4-2.xsd\">\n\
         <Description>\n<MeasurementUnit>pixel</MeasurementUnit>\n\
         <sourceImageInformation><fileName>{name}</fileName></sourceImageInformation>\n\
         <Processing ID=\"OCR_0\"><processingSoftware>\
         <softwareName>kyso (tesseract)</softwareName><softwareVersion>{ver}</softwareVersion>\
         </processingSoftware></Processing>\n\
         </Description>\n<Layout>\n\
         <Page ID=\"page_{n}\" PHYSICAL_IMG_NR=\"{n}\" WIDTH=\"{w}\" HEIGHT=\"{h}\">\n\
         <PrintSpace HPOS=\"0\" VPOS=\"0\" WIDTH=\"{w}\" HEIGHT=\"{h}\">\n",
        name = esc(image_name),
        ver = env!("CARGO_PKG_VERSION"),
        n = page_no,
        w = page.width,
        h = page.height,
    );
    let (mut bi, mut li, mut wi) = (0, 0, 0);
    for b in layout(&page.words) {
        for p in b.pars {
            bi += 1;
            let _ = writeln!(s, "<TextBlock ID=\"block_{bi}\" {}>", abox(p.bbox));
            for l in p.lines {
                li += 1;
                let _ = writeln!(s, "<TextLine ID=\"line_{li}\" {}>", abox(l.bbox));
                let mut prev: Option<BBox> = None;
                for w in l.words {
                    wi += 1;
                    if let Some(pb) = prev {
                        let gap = w.bbox[0].saturating_sub(pb[2]);
                        let _ = writeln!(
                            s,
                            "<SP WIDTH=\"{gap}\" VPOS=\"{}\" HPOS=\"{}\"/>",
                            pb[1], pb[2]
                        );
                    }
                    let _ = writeln!(
                        s,
                        "<String ID=\"string_{wi}\" {} WC=\"{:.2}\" CONTENT=\"{}\"/>",
                        abox(w.bbox),
                        (w.confidence / 100.0).clamp(0.0, 1.0),
                        esc(&w.text)
                    );
                    prev = Some(w.bbox);
                }
                s.push_str("</TextLine>\n");
            }
            s.push_str("</TextBlock>\n");
        }
    }
    s.push_str("</PrintSpace>\n</Page>\n</Layout>\n</alto>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_parse_from_comma_list_and_reject_unknown_names() {
        let o: Outputs = "text, pdf".parse().unwrap();
        assert_eq!(
            o,
            Outputs {
                text: true,
                pdf: true,
                ..Outputs::default()
            }
        );
        assert!(matches!(
            "text,docx".parse::<Outputs>(),
            Err(OcrError::UnknownOutput(s)) if s == "docx"
        ));
    }

    #[test]
    fn escaping_drops_control_characters_and_escapes_markup() {
        assert_eq!(esc("a<b>&\"c\u{1}"), "a&lt;b&gt;&amp;&quot;c");
    }
}
