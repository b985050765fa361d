//! Text as shown on a page: the text state, fonts (Unicode mapping and glyph widths), and runs
//! of text with their positions, for the metadata stage's layout.

use std::rc::Rc;

use lopdf::{Dictionary, Encoding, Object};

use super::content::{lookup, number, Matrix, Walker};
use crate::source::TextRun;

/// The text state of PDF 32000-1 §9.3, enough to place each shown string on the page: the
/// metadata stage reads documents by where their lines are (header columns, title, signer
/// block), not by content-stream order.
#[derive(Clone)]
pub(super) struct TextState<'a> {
    /// Text matrix and text line matrix (§9.4.2).
    pub(super) tm: Matrix,
    pub(super) tlm: Matrix,
    pub(super) font: Option<Rc<FontInfo<'a>>>,
    pub(super) size: f64,
    pub(super) leading: f64,
    pub(super) char_spacing: f64,
    pub(super) word_spacing: f64,
    /// Horizontal scaling, as a fraction (Tz 100 → 1.0).
    pub(super) hscale: f64,
    pub(super) rise: f64,
}

impl Default for TextState<'_> {
    fn default() -> Self {
        TextState {
            tm: Matrix::IDENTITY,
            tlm: Matrix::IDENTITY,
            font: None,
            size: 0.0,
            leading: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            hscale: 1.0,
            rise: 0.0,
        }
    }
}

/// What placing a font's text needs: its Unicode mapping and glyph widths.
pub(super) struct FontInfo<'a> {
    encoding: Option<Encoding<'a>>,
    /// 2 for composite (Type0) fonts, whose codes are two bytes (Identity-H and the like).
    bytes_per_code: usize,
    first_char: u32,
    /// Glyph widths in thousandths of the font size, from `FirstChar`.
    widths: Vec<f64>,
    /// Composite fonts: `W` ranges of the descendant font, as (first code, widths).
    cid_widths: Vec<(u32, Vec<f64>)>,
    default_width: f64,
}

impl FontInfo<'_> {
    fn width(&self, code: u32) -> f64 {
        if self.bytes_per_code == 2 {
            for (first, ws) in &self.cid_widths {
                if code >= *first && ((code - first) as usize) < ws.len() {
                    return ws[(code - first) as usize];
                }
            }
            return self.default_width;
        }
        code.checked_sub(self.first_char)
            .and_then(|i| self.widths.get(i as usize).copied())
            .unwrap_or(self.default_width)
    }
}

/// Text runs are capped per page: a crafted page with millions of strings must not make the
/// metadata stage (which only needs the layout of a few dozen lines) use unbounded memory.
const MAX_TEXT_RUNS: usize = 20_000;

/// A string as shown: its text and where its glyphs went, before normalisation to the page.
pub(super) struct RawRun {
    pub(super) text: String,
    /// Baseline start and end, and glyph height, in device space.
    pub(super) x0: f64,
    pub(super) x1: f64,
    pub(super) baseline: f64,
    pub(super) height: f64,
    pub(super) invisible: bool,
}

impl<'a> Walker<'a> {
    /// The font named `name` in the resources, loaded once per font object.
    pub(super) fn font(
        &mut self,
        resources: &[&'a Dictionary],
        name: &[u8],
    ) -> Option<Rc<FontInfo<'a>>> {
        let (id, font) = lookup(self.doc, resources, b"Font", name)?;
        if let Some(found) = id.and_then(|id| self.fonts.get(&id)) {
            return Some(Rc::clone(found));
        }
        let info = Rc::new(font_info(self.doc, font.as_dict().ok()?, self.max_stream));
        if let Some(id) = id {
            self.fonts.insert(id, Rc::clone(&info));
        }
        Some(info)
    }

    /// Records one text-showing operation as a run and advances the text matrix past it.
    pub(super) fn show_text(
        &mut self,
        ts: &mut TextState<'a>,
        ctm: Matrix,
        operands: &[Object],
        invisible: bool,
    ) {
        let Some(font) = ts.font.clone() else { return };
        let start = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, ts.rise])
            .then(ts.tm)
            .then(ctm);
        let mut text = String::new();
        let mut advance = 0.0;
        let show = |bytes: &[u8], advance: &mut f64, text: &mut String| {
            if let Some(enc) = &font.encoding {
                // Undecodable strings still move the pen; their text is just lost.
                let _ = enc.write_to_string(bytes, text);
            }
            let step = font.bytes_per_code.max(1);
            for code in bytes.chunks(step) {
                let c = code.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
                let mut w = font.width(c) / 1000.0 * ts.size + ts.char_spacing;
                if step == 1 && c == 32 {
                    w += ts.word_spacing;
                }
                *advance += w * ts.hscale;
            }
        };
        for operand in operands {
            match operand {
                Object::String(bytes, _) => show(bytes, &mut advance, &mut text),
                Object::Array(items) => {
                    for item in items {
                        match item {
                            Object::String(bytes, _) => show(bytes, &mut advance, &mut text),
                            other => {
                                if let Some(adj) = number(other) {
                                    let shift = -adj / 1000.0 * ts.size * ts.hscale;
                                    // A large negative kern is how some producers write a space.
                                    if shift > 0.2 * ts.size && !text.ends_with(' ') {
                                        text.push(' ');
                                    }
                                    advance += shift;
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        ts.tm = Matrix([1.0, 0.0, 0.0, 1.0, advance, 0.0]).then(ts.tm);
        if text.trim().is_empty() || self.runs.len() >= MAX_TEXT_RUNS {
            return;
        }
        let (x0, y0) = start.apply(0.0, 0.0);
        let (x1, _) = start.apply(advance, 0.0);
        let (hx, hy) = start.apply(0.0, ts.size);
        let height = ((hx - x0).powi(2) + (hy - y0).powi(2)).sqrt();
        if ![x0, x1, y0, height].iter().all(|v| v.is_finite()) {
            return;
        }
        self.runs.push(RawRun {
            text,
            x0: x0.min(x1),
            x1: x0.max(x1),
            baseline: y0,
            height,
            invisible,
        });
    }

    pub(super) fn font_bytes_per_glyph(&self, resources: &[&'a Dictionary], name: &[u8]) -> usize {
        let composite = lookup(self.doc, resources, b"Font", name)
            .and_then(|(_, font)| font.as_dict().ok())
            .and_then(|d| d.get(b"Subtype").ok())
            .and_then(|s| s.as_name().ok())
            == Some(b"Type0".as_slice());
        if composite {
            2
        } else {
            1
        }
    }
}

/// Applies a text-positioning or text-state operator (§9.3, §9.4.2).
pub(super) fn text_state_op(ts: &mut TextState<'_>, operator: &str, operands: &[Object]) {
    let n = |i: usize| operands.get(i).and_then(number);
    let line_move = |ts: &mut TextState<'_>, tx: f64, ty: f64| {
        ts.tlm = Matrix([1.0, 0.0, 0.0, 1.0, tx, ty]).then(ts.tlm);
        ts.tm = ts.tlm;
    };
    match operator {
        "Td" => {
            if let (Some(tx), Some(ty)) = (n(0), n(1)) {
                line_move(ts, tx, ty);
            }
        }
        "TD" => {
            if let (Some(tx), Some(ty)) = (n(0), n(1)) {
                ts.leading = -ty;
                line_move(ts, tx, ty);
            }
        }
        "Tm" => {
            if let Some(m) = Matrix::from_operands(operands) {
                ts.tm = m;
                ts.tlm = m;
            }
        }
        "T*" => {
            let leading = ts.leading;
            line_move(ts, 0.0, -leading);
        }
        "TL" => ts.leading = n(0).unwrap_or(ts.leading),
        "Tc" => ts.char_spacing = n(0).unwrap_or(ts.char_spacing),
        "Tw" => ts.word_spacing = n(0).unwrap_or(ts.word_spacing),
        "Tz" => ts.hscale = n(0).map(|v| v / 100.0).unwrap_or(ts.hscale),
        "Ts" => ts.rise = n(0).unwrap_or(ts.rise),
        _ => {}
    }
}

/// Reads a font's Unicode mapping and widths (simple fonts: `FirstChar`/`Widths`; composite
/// fonts: the descendant's `DW`/`W`).
fn font_info<'a>(doc: &'a lopdf::Document, font: &'a Dictionary, limit: usize) -> FontInfo<'a> {
    let deref = |o: &'a Object| doc.dereference(o).ok().map(|(_, o)| o);
    let numbers = |o: Option<&'a Object>| -> Vec<f64> {
        o.and_then(deref)
            .and_then(|o| o.as_array().ok())
            .map(|a| a.iter().filter_map(|i| deref(i).and_then(number)).collect())
            .unwrap_or_default()
    };
    let composite =
        font.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Type0".as_slice());
    let encoding = font.get_font_encoding_with_limit(doc, limit).ok();
    if composite {
        let descendant = font
            .get(b"DescendantFonts")
            .ok()
            .and_then(deref)
            .and_then(|o| o.as_array().ok())
            .and_then(|a| a.first())
            .and_then(deref)
            .and_then(|o| o.as_dict().ok());
        let default_width = descendant
            .and_then(|d| d.get(b"DW").ok())
            .and_then(deref)
            .and_then(number)
            .unwrap_or(1000.0);
        let mut cid_widths = Vec::new();
        let w = descendant
            .and_then(|d| d.get(b"W").ok())
            .and_then(deref)
            .and_then(|o| o.as_array().ok());
        if let Some(items) = w {
            let mut i = 0;
            // At most 2^16 widths in all (2-byte codes): a crafted W array of many huge
            // ranges must not allocate without bound.
            let mut budget: usize = 1 << 16;
            while i + 1 < items.len() && budget > 0 {
                let first = deref(&items[i]).and_then(number).unwrap_or(0.0).max(0.0) as u32;
                match deref(&items[i + 1]) {
                    Some(Object::Array(ws)) => {
                        let ws: Vec<f64> = ws
                            .iter()
                            .take(budget)
                            .filter_map(|o| deref(o).and_then(number))
                            .collect();
                        budget = budget.saturating_sub(ws.len().max(1));
                        cid_widths.push((first, ws));
                        i += 2;
                    }
                    Some(last) => {
                        let last = number(last).unwrap_or(0.0).max(0.0) as u32;
                        let width = items
                            .get(i + 2)
                            .and_then(deref)
                            .and_then(number)
                            .unwrap_or(default_width);
                        let count =
                            (last.saturating_sub(first).saturating_add(1) as usize).min(budget);
                        budget = budget.saturating_sub(count.max(1));
                        cid_widths.push((first, vec![width; count]));
                        i += 3;
                    }
                    None => break,
                }
            }
        }
        return FontInfo {
            encoding,
            bytes_per_code: 2,
            first_char: 0,
            widths: Vec::new(),
            cid_widths,
            default_width,
        };
    }
    let missing = font
        .get(b"FontDescriptor")
        .ok()
        .and_then(deref)
        .and_then(|o| o.as_dict().ok())
        .and_then(|d| d.get(b"MissingWidth").ok())
        .and_then(deref)
        .and_then(number);
    FontInfo {
        encoding,
        bytes_per_code: 1,
        first_char: font
            .get(b"FirstChar")
            .ok()
            .and_then(deref)
            .and_then(number)
            .unwrap_or(0.0)
            .max(0.0) as u32,
        widths: numbers(font.get(b"Widths").ok()),
        cid_widths: Vec::new(),
        // Standard 14 fonts have no Widths; half an em is a fair average for Latin text.
        default_width: missing.filter(|w| *w > 0.0).unwrap_or(500.0),
    }
}

/// Bytes of text shown by a text-showing operator's operands.
pub(super) fn shown_bytes(operands: &[Object]) -> usize {
    operands
        .iter()
        .map(|o| match o {
            Object::String(s, _) => s.len(),
            Object::Array(items) => items
                .iter()
                .map(|i| match i {
                    Object::String(s, _) => s.len(),
                    _ => 0,
                })
                .sum(),
            _ => 0,
        })
        .sum()
}

/// Runs in the page's frame: 0..1 from the top-left corner of the MediaBox, as OCR boxes are.
/// Page rotation (`/Rotate`) is not applied: administrative documents are portrait.
pub(super) fn normalise_runs(runs: &[RawRun], page: [f64; 4]) -> Vec<TextRun> {
    let [px0, py0, px1, py1] = page;
    let (w, h) = (px1 - px0, py1 - py0);
    if w <= 0.0 || h <= 0.0 {
        return Vec::new();
    }
    runs.iter()
        .map(|r| {
            let top = r.baseline + 0.8 * r.height;
            let bottom = r.baseline - 0.2 * r.height;
            TextRun {
                text: r.text.clone(),
                bbox: [
                    ((r.x0 - px0) / w) as f32,
                    ((py1 - top) / h) as f32,
                    ((r.x1 - px0) / w) as f32,
                    ((py1 - bottom) / h) as f32,
                ],
                invisible: r.invisible,
            }
        })
        .collect()
}
