//! The Tesseract engine, through leptess's C API bindings.
//!
//! leptess's high-level `LepTess` hides the `TessBaseAPI` pointer, and we need calls it does not
//! wrap (the result iterator for word boxes, orientation detection, setting a Leptonica `PIX`
//! we prepared), so this module drives `leptess::capi` directly behind a small owned handle.

use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use std::path::PathBuf;
use std::time::Instant;

use leptess::capi as tess;
use unicode_normalization::UnicodeNormalization;

use super::prepare::Pix;
use super::zones::{LayoutLine, Rect};
use super::{init_process, EngineInfo, OcrEngine, OcrError, OcrPage, OcrWord, PreparedPage};

/// An initialised `TessBaseAPI`.
struct Api(*mut tess::TessBaseAPI);

// SAFETY: a TessBaseAPI has no thread affinity; it must only not be used by two threads at
// once, which `&mut self` on every use guarantees.
unsafe impl Send for Api {}

impl Api {
    fn new(langs: &str) -> Result<Api, OcrError> {
        let init_err = || OcrError::EngineInit {
            langs: langs.to_string(),
        };
        let lang = CString::new(langs).map_err(|_| init_err())?;
        let datapath =
            tessdata_dir().and_then(|p| CString::new(p.into_os_string().into_encoded_bytes()).ok());
        // SAFETY: create never fails; Init3 reads the two C strings, which outlive the call.
        unsafe {
            let api = Api(tess::TessBaseAPICreate());
            let dp = datapath.as_ref().map_or(std::ptr::null(), |c| c.as_ptr());
            if tess::TessBaseAPIInit3(api.0, dp, lang.as_ptr()) != 0 {
                return Err(init_err());
            }
            // The library defaults to a single text block; whole pages need layout analysis
            // (columns, headers), which is the command line's default.
            tess::TessBaseAPISetPageSegMode(api.0, tess::TessPageSegMode_PSM_AUTO);
            // Tesseract's diagnostics ("Detected 170 diacritics", ...) would interleave with
            // the progress bar on stderr; they carry nothing the record does not.
            tess::TessBaseAPISetVariable(api.0, c"debug_file".as_ptr(), c"/dev/null".as_ptr());
            // Decree 30 documents are set in proportional type. Without this, layout analysis
            // tests every text row for fixed pitch (2-4% of the CPU); the degraded bench read
            // identical text and records on all its pages either way.
            tess::TessBaseAPISetVariable(api.0, c"textord_all_prop".as_ptr(), c"1".as_ptr());
            Ok(api)
        }
    }

    fn set_page(&mut self, page: &PreparedPage) {
        self.set_raster(page, &page.pix);
    }

    /// Sets `page` for recognition, read from a copy with its paper evened out when it has
    /// one (see [`super::paper`]).
    fn set_page_to_read(&mut self, page: &PreparedPage) -> Result<(), OcrError> {
        match page.paper {
            Some(paper) => self.set_raster(page, &paper.applied_to(&page.pix)?),
            None => self.set_page(page),
        }
        Ok(())
    }

    fn set_raster(&mut self, page: &PreparedPage, raster: &Pix) {
        // SAFETY: SetImage2 copies what it needs from the PIX (it takes its own reference, so
        // the raster may be dropped after).
        unsafe {
            tess::TessBaseAPISetImage2(self.0, raster.as_ptr());
            tess::TessBaseAPISetSourceResolution(
                self.0,
                page.dpi.round().clamp(70.0, 2400.0) as i32,
            );
        }
    }
}

impl Drop for Api {
    fn drop(&mut self) {
        // SAFETY: we own the handle.
        unsafe { tess::TessBaseAPIDelete(self.0) }
    }
}

/// Tesseract with the `--lang` models loaded once; OSD is loaded on first use.
pub struct TesseractEngine {
    api: Api,
    osd: Option<Api>,
    languages: Vec<String>,
}

impl TesseractEngine {
    /// Loads Tesseract for `langs` (e.g. `vie+eng`), after checking the language data exists.
    pub fn new(langs: &str) -> Result<TesseractEngine, OcrError> {
        let languages = check_languages(langs)?;
        init_process();
        Ok(TesseractEngine {
            api: Api::new(langs)?,
            osd: None,
            languages,
        })
    }
}

/// Tesseract's library version, e.g. `5.3.0`.
pub fn tesseract_version() -> String {
    // SAFETY: TessVersion returns a static NUL-terminated string.
    unsafe { CStr::from_ptr(tess::TessVersion()) }
        .to_string_lossy()
        .into_owned()
}

/// Takes a string Tesseract allocated, freeing it.
///
/// # Safety
/// `p` must be null or a string returned by a Tesseract API call that the caller owns.
unsafe fn take_text(p: *mut c_char) -> Option<String> {
    if p.is_null() {
        return None;
    }
    let s = CStr::from_ptr(p).to_string_lossy().into_owned();
    tess::TessDeleteText(p);
    Some(s)
}

/// A Tesseract progress monitor (`ETEXT_DESC`) carrying a deadline, deleted on drop.
struct Monitor(*mut tess::ETEXT_DESC);

impl Monitor {
    fn until(deadline: Instant) -> Monitor {
        let ms = deadline
            .saturating_duration_since(Instant::now())
            .as_millis()
            .clamp(1, i32::MAX as u128) as i32;
        // SAFETY: create returns an owned monitor; setting the deadline only writes into it.
        unsafe {
            let m = tess::TessMonitorCreate();
            tess::TessMonitorSetDeadlineMSecs(m, ms);
            Monitor(m)
        }
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        // SAFETY: we own the monitor and Recognize has returned.
        unsafe { tess::TessMonitorDelete(self.0) }
    }
}

impl TesseractEngine {
    /// Recognises the image set on the main handle and collects its words, under `monitor`'s
    /// deadline when one is given.
    fn read_words(&mut self, monitor: Option<&Monitor>) -> Result<Vec<OcrWord>, OcrError> {
        let h = self.api.0;
        let mut words = Vec::new();
        let monitor = monitor.map_or(std::ptr::null_mut(), |m| m.0);
        // SAFETY: all calls use our live handle; the iterator is deleted before returning and
        // every string it hands out is freed by take_text. The monitor outlives the call.
        unsafe {
            if tess::TessBaseAPIRecognize(h, monitor) != 0 {
                tess::TessBaseAPIClear(h);
                return Err(OcrError::Recognition);
            }
            let ri = tess::TessBaseAPIGetIterator(h);
            if !ri.is_null() {
                let pi = tess::TessResultIteratorGetPageIteratorConst(ri);
                let mut ids = StructureIds::default();
                loop {
                    ids.advance(pi);
                    let level = tess::TessPageIteratorLevel_RIL_WORD;
                    if let Some(text) = take_text(tess::TessResultIteratorGetUTF8Text(ri, level)) {
                        let text: String = text.trim().nfc().collect();
                        if let Some(bbox) = bounding_box(pi, level).filter(|_| !text.is_empty()) {
                            words.push(OcrWord {
                                text,
                                bbox,
                                confidence: tess::TessResultIteratorConfidence(ri, level)
                                    .clamp(0.0, 100.0),
                                line: ids.line,
                                paragraph: ids.para,
                                block: ids.block,
                            });
                        }
                    }
                    if tess::TessResultIteratorNext(ri, level) == 0 {
                        break;
                    }
                }
                tess::TessResultIteratorDelete(ri);
            }
            // Frees the page's recognition results now rather than at the next page.
            tess::TessBaseAPIClear(h);
        }
        Ok(words)
    }
}

/// Block, paragraph and line numbers of the word an iterator is at, counted from the start.
#[derive(Default)]
struct StructureIds {
    started: bool,
    block: u32,
    para: u32,
    line: u32,
}

impl StructureIds {
    /// Call once per word, before reading it.
    ///
    /// # Safety
    /// `pi` must be a live page iterator.
    unsafe fn advance(&mut self, pi: *const tess::TessPageIterator) {
        if !self.started {
            self.started = true;
            return;
        }
        let at = |level| tess::TessPageIteratorIsAtBeginningOf(pi, level) != 0;
        // A result iterator answers each question by walking back to the start of the line,
        // and only a line's first word can begin a paragraph or a block: one question for
        // most words instead of three.
        if !at(tess::TessPageIteratorLevel_RIL_TEXTLINE) {
            return;
        }
        self.line += 1;
        if at(tess::TessPageIteratorLevel_RIL_BLOCK) {
            self.block += 1;
        }
        if at(tess::TessPageIteratorLevel_RIL_PARA) {
            self.para += 1;
        }
    }
}

/// The box of the element at `level`, clamped to the image.
///
/// # Safety
/// `pi` must be a live page iterator.
unsafe fn bounding_box(
    pi: *const tess::TessPageIterator,
    level: tess::TessPageIteratorLevel,
) -> Option<Rect> {
    let (mut l, mut t, mut r, mut b) = (0, 0, 0, 0);
    (tess::TessPageIteratorBoundingBox(pi, level, &mut l, &mut t, &mut r, &mut b) != 0).then(|| {
        [
            l.max(0) as u32,
            t.max(0) as u32,
            r.max(0) as u32,
            b.max(0) as u32,
        ]
    })
}

impl OcrEngine for TesseractEngine {
    fn recognize(&mut self, page: &PreparedPage) -> Result<OcrPage, OcrError> {
        self.api.set_page_to_read(page)?;
        let words = self.read_words(None)?;
        Ok(OcrPage::from_words(page, words))
    }

    fn recognize_until(
        &mut self,
        page: &PreparedPage,
        deadline: Instant,
    ) -> Result<OcrPage, OcrError> {
        let monitor = Monitor::until(deadline);
        self.api.set_page_to_read(page)?;
        let words = self.read_words(Some(&monitor))?;
        Ok(OcrPage::from_words(page, words))
    }

    fn recognize_line(&mut self, line: &PreparedPage) -> Result<Option<OcrPage>, OcrError> {
        self.api.set_page(line);
        // SAFETY: live handle; the mode is put back before returning, whatever the result.
        unsafe {
            tess::TessBaseAPISetPageSegMode(self.api.0, tess::TessPageSegMode_PSM_SINGLE_LINE)
        };
        let words = self.read_words(None);
        // SAFETY: as above.
        unsafe { tess::TessBaseAPISetPageSegMode(self.api.0, tess::TessPageSegMode_PSM_AUTO) };
        Ok(Some(OcrPage::from_words(line, words?)))
    }

    fn layout(&mut self, page: &PreparedPage) -> Result<Option<Vec<LayoutLine>>, OcrError> {
        self.api.set_page(page);
        let h = self.api.0;
        let mut lines: Vec<LayoutLine> = Vec::new();
        // SAFETY: live handle; the iterator is deleted before the results are cleared.
        unsafe {
            let pi = tess::TessBaseAPIAnalyseLayout(h);
            if pi.is_null() {
                tess::TessBaseAPIClear(h);
                return Ok(Some(lines));
            }
            let word = tess::TessPageIteratorLevel_RIL_WORD;
            let mut ids = StructureIds::default();
            let mut current = None;
            loop {
                ids.advance(pi);
                if current != Some(ids.line) {
                    current = Some(ids.line);
                    if let Some(bbox) = bounding_box(pi, tess::TessPageIteratorLevel_RIL_TEXTLINE) {
                        lines.push(LayoutLine {
                            bbox,
                            words: Vec::new(),
                        });
                    }
                }
                if let (Some(bbox), Some(line)) = (bounding_box(pi, word), lines.last_mut()) {
                    line.words.push(bbox);
                }
                if tess::TessPageIteratorNext(pi, word) == 0 {
                    break;
                }
            }
            tess::TessPageIteratorDelete(pi);
            tess::TessBaseAPIClear(h);
        }
        Ok(Some(lines))
    }

    fn describe(&self) -> EngineInfo {
        EngineInfo {
            name: "tesseract".into(),
            version: tesseract_version(),
            languages: self.languages.clone(),
        }
    }

    fn detect_orientation(&mut self, page: &PreparedPage) -> Result<Option<(u16, f32)>, OcrError> {
        if self.osd.is_none() {
            self.osd = Some(Api::new("osd")?);
        }
        let Some(osd) = self.osd.as_mut() else {
            return Ok(None);
        };
        osd.set_page(page);
        let (mut deg, mut conf, mut script_conf) = (0i32, 0f32, 0f32);
        let mut script: *const c_char = std::ptr::null();
        // SAFETY: live handle; the script name points into Tesseract's tables and is not freed.
        let ok = unsafe {
            let ok = tess::TessBaseAPIDetectOrientationScript(
                osd.0,
                &mut deg,
                &mut conf,
                &mut script,
                &mut script_conf,
            );
            tess::TessBaseAPIClear(osd.0);
            ok
        };
        // OSD fails on pages with too little text; that is "don't know", not an error.
        if ok == 0 {
            return Ok(None);
        }
        // Tesseract reports how far the page is turned clockwise; undoing it is the opposite.
        let rotation = ((360 - deg.rem_euclid(360)) % 360) as u16;
        Ok(Some((rotation, conf)))
    }
}

/// The tessdata folder: `TESSDATA_PREFIX` (the folder itself or its parent, as Tesseract 4 and 5
/// differ) or Debian's locations.
pub fn tessdata_dir() -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(p) = std::env::var_os("TESSDATA_PREFIX") {
        let p = PathBuf::from(p);
        candidates.push(p.join("tessdata"));
        candidates.push(p);
    }
    for d in [
        "/usr/share/tesseract-ocr/5/tessdata",
        "/usr/share/tesseract-ocr/4.00/tessdata",
        "/usr/share/tessdata",
        "/usr/local/share/tessdata",
    ] {
        candidates.push(PathBuf::from(d));
    }
    candidates
        .into_iter()
        .find(|d| d.join("osd.traineddata").is_file() || has_traineddata(d))
}

fn has_traineddata(dir: &std::path::Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|rd| {
        rd.flatten()
            .any(|e| e.path().extension().is_some_and(|x| x == "traineddata"))
    })
}

/// Language codes with a `.traineddata` file in the tessdata folder, sorted.
pub fn installed_languages() -> Vec<String> {
    let Some(dir) = tessdata_dir() else {
        return Vec::new();
    };
    let mut langs: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| {
                    let p = e.path();
                    (p.extension()? == "traineddata")
                        .then(|| p.file_stem()?.to_str().map(str::to_string))?
                })
                .collect()
        })
        .unwrap_or_default();
    langs.sort();
    langs
}

/// Checks that every language of a `--lang` value (`vie+eng`) is installed; returns them.
pub fn check_languages(langs: &str) -> Result<Vec<String>, OcrError> {
    let codes: Vec<String> = langs.split('+').map(|s| s.trim().to_string()).collect();
    let valid = |c: &String| {
        !c.is_empty()
            && c.chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-' || ch == '/')
    };
    if !codes.iter().all(valid) {
        return Err(OcrError::InvalidLanguages(langs.to_string()));
    }
    let installed = installed_languages();
    let missing: Vec<&String> = codes.iter().filter(|c| !installed.contains(c)).collect();
    if missing.is_empty() {
        return Ok(codes);
    }
    Err(OcrError::MissingLanguage {
        missing: missing
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        installed: if installed.is_empty() {
            "none (no tessdata folder found; set TESSDATA_PREFIX)".into()
        } else {
            installed.join(", ")
        },
        // Debian names language packs tesseract-ocr-<code>, with '_' as '-' (chi_sim → chi-sim).
        packages: missing
            .iter()
            .map(|c| format!("tesseract-ocr-{}", c.to_lowercase().replace('_', "-")))
            .collect::<Vec<_>>()
            .join(" "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_language_error_names_installed_ones_and_the_debian_package() {
        let err = check_languages("vie+xyz_abc").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("xyz_abc"), "{msg}");
        assert!(msg.contains("tesseract-ocr-xyz-abc"), "{msg}");
        assert!(msg.contains("eng"), "{msg}");
    }

    #[test]
    fn malformed_lang_value_is_rejected() {
        assert!(matches!(
            check_languages("vie++eng"),
            Err(OcrError::InvalidLanguages(_))
        ));
        assert!(matches!(
            check_languages("vie eng"),
            Err(OcrError::InvalidLanguages(_))
        ));
    }

    #[test]
    fn default_languages_are_installed() {
        assert_eq!(
            check_languages(super::super::DEFAULT_LANGS).unwrap(),
            ["vie"]
        );
    }
}
