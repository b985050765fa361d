//! The content-stream walker: what a page draws, followed through form XObjects, with the
//! transformation matrices and graphics state that say where it lands on the page.

use std::collections::HashMap;
use std::rc::Rc;

use lopdf::content::Content;
use lopdf::{Dictionary, Object, ObjectId};

use super::text::{shown_bytes, text_state_op, FontInfo, RawRun, TextState};

/// Form XObjects nest; a crafted file can make them recurse. Real files stay far below this.
const MAX_FORM_DEPTH: usize = 12;

/// A 2-D affine transform `[a b c d e f]` as in PDF.
#[derive(Clone, Copy, Debug)]
pub(super) struct Matrix(pub(super) [f64; 6]);

impl Matrix {
    pub(super) const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    /// `self × other`: apply `self` first, then `other` (PDF's `cm` is `M × CTM`).
    pub(super) fn then(self, other: Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = other.0;
        Matrix([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    pub(super) fn apply(self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + c * y + e, b * x + d * y + f)
    }

    /// Axis-aligned bounding box of the unit square under this transform (where an image
    /// XObject lands on the page).
    fn unit_square_bbox(self) -> [f64; 4] {
        let pts = [
            self.apply(0.0, 0.0),
            self.apply(1.0, 0.0),
            self.apply(0.0, 1.0),
            self.apply(1.0, 1.0),
        ];
        let xs = pts.iter().map(|p| p.0);
        let ys = pts.iter().map(|p| p.1);
        [
            xs.clone().fold(f64::INFINITY, f64::min),
            ys.clone().fold(f64::INFINITY, f64::min),
            xs.fold(f64::NEG_INFINITY, f64::max),
            ys.fold(f64::NEG_INFINITY, f64::max),
        ]
    }

    pub(super) fn from_operands(ops: &[Object]) -> Option<Matrix> {
        if ops.len() != 6 {
            return None;
        }
        let mut m = [0.0; 6];
        for (slot, op) in m.iter_mut().zip(ops) {
            *slot = number(op)?;
        }
        m.iter().all(|v| v.is_finite()).then_some(Matrix(m))
    }
}

pub(super) fn number(obj: &Object) -> Option<f64> {
    match obj {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

/// What a page's content draws.
#[derive(Default, Debug)]
pub(super) struct Marks {
    pub(super) visible_text: usize,
    pub(super) invisible_text: usize,
    pub(super) vector_ops: usize,
    pub(super) images: Vec<PlacedImage>,
}

#[derive(Debug, Clone)]
pub(super) struct PlacedImage {
    pub(super) id: Option<ObjectId>,
    pub(super) bbox: [f64; 4],
    pub(super) coverage: f64,
}

#[derive(Clone)]
struct GraphicsState<'a> {
    ctm: Matrix,
    render_mode: i64,
    /// Bytes per glyph of the current font: 2 for composite (Type0) fonts.
    bytes_per_glyph: usize,
    text: TextState<'a>,
}

pub(super) struct Walker<'a> {
    pub(super) doc: &'a lopdf::Document,
    pub(super) page_box: [f64; 4],
    pub(super) marks: Marks,
    pub(super) fonts: HashMap<ObjectId, Rc<FontInfo<'a>>>,
    /// Text shown, in device space (PDF points, origin bottom-left), with whether it is drawn
    /// invisibly.
    pub(super) runs: Vec<RawRun>,
    /// Largest size a form XObject's content may inflate to (`Limits::max_stream_bytes`): a
    /// form is a stream like any other and can be a decompression bomb.
    pub(super) max_stream: usize,
    /// Set when a form's content went over `max_stream`: the page cannot be judged.
    pub(super) over_limit: bool,
}

pub(super) fn is_over_limit(e: &lopdf::Error) -> bool {
    matches!(
        e,
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })
    )
}

/// Finds a named resource (font, XObject) in the resource dictionaries, innermost first.
pub(super) fn lookup<'a>(
    doc: &'a lopdf::Document,
    resources: &[&'a Dictionary],
    category: &[u8],
    name: &[u8],
) -> Option<(Option<ObjectId>, &'a Object)> {
    resources.iter().find_map(|res| {
        let (_, cat) = doc.dereference(res.get(category).ok()?).ok()?;
        let entry = cat.as_dict().ok()?.get(name).ok()?;
        doc.dereference(entry).ok()
    })
}

impl<'a> Walker<'a> {
    fn page_area(&self) -> f64 {
        let [x0, y0, x1, y1] = self.page_box;
        ((x1 - x0) * (y1 - y0)).abs()
    }

    fn coverage(&self, bbox: [f64; 4]) -> f64 {
        let [px0, py0, px1, py1] = self.page_box;
        let w = (bbox[2].min(px1) - bbox[0].max(px0)).max(0.0);
        let h = (bbox[3].min(py1) - bbox[1].max(py0)).max(0.0);
        let area = self.page_area();
        if area > 0.0 {
            (w * h / area).min(1.0)
        } else {
            0.0
        }
    }

    /// Follows one content stream. `resources` are the dictionaries searched for named
    /// resources, innermost first.
    pub(super) fn walk(
        &mut self,
        content: &[u8],
        resources: &[&'a Dictionary],
        ctm: Matrix,
        depth: usize,
    ) {
        let Ok(content) = Content::decode(content) else {
            return;
        };
        let mut state = GraphicsState {
            ctm,
            render_mode: 0,
            bytes_per_glyph: 1,
            text: TextState::default(),
        };
        let mut stack: Vec<GraphicsState> = Vec::new();
        for op in &content.operations {
            match op.operator.as_str() {
                "q" => stack.push(state.clone()),
                "Q" => {
                    if let Some(s) = stack.pop() {
                        state = s;
                    }
                }
                "cm" => {
                    if let Some(m) = Matrix::from_operands(&op.operands) {
                        state.ctm = m.then(state.ctm);
                    }
                }
                "Tr" => {
                    if let Some(mode) = op.operands.first().and_then(number) {
                        state.render_mode = mode as i64;
                    }
                }
                "Tf" => {
                    if let Some(Object::Name(name)) = op.operands.first() {
                        state.bytes_per_glyph = self.font_bytes_per_glyph(resources, name);
                        state.text.font = self.font(resources, name);
                    }
                    if let Some(size) = op.operands.get(1).and_then(number) {
                        state.text.size = size;
                    }
                }
                "BT" => {
                    state.text.tm = Matrix::IDENTITY;
                    state.text.tlm = Matrix::IDENTITY;
                }
                "Td" | "TD" | "Tm" | "T*" | "TL" | "Tc" | "Tw" | "Tz" | "Ts" => {
                    text_state_op(&mut state.text, op.operator.as_str(), &op.operands);
                }
                "Tj" | "'" | "\"" | "TJ" => {
                    let glyphs = shown_bytes(&op.operands) / state.bytes_per_glyph.max(1);
                    let invisible = matches!(state.render_mode, 3 | 7);
                    if invisible {
                        self.marks.invisible_text += glyphs;
                    } else {
                        self.marks.visible_text += glyphs;
                    }
                    match op.operator.as_str() {
                        "'" => text_state_op(&mut state.text, "T*", &[]),
                        "\"" => {
                            if let [aw, ac, ..] = &op.operands[..] {
                                state.text.word_spacing = number(aw).unwrap_or(0.0);
                                state.text.char_spacing = number(ac).unwrap_or(0.0);
                            }
                            text_state_op(&mut state.text, "T*", &[]);
                        }
                        _ => {}
                    }
                    let shown = match op.operator.as_str() {
                        "\"" => op.operands.get(2..).unwrap_or(&[]),
                        _ => &op.operands[..],
                    };
                    self.show_text(&mut state.text, state.ctm, shown, invisible);
                }
                "f" | "F" | "f*" | "S" | "s" | "B" | "B*" | "b" | "b*" | "sh" => {
                    self.marks.vector_ops += 1;
                }
                "BI" => self.place_image(None, state.ctm),
                "Do" => {
                    if let Some(Object::Name(name)) = op.operands.first() {
                        self.draw_xobject(resources, name, state.ctm, depth);
                    }
                }
                _ => {}
            }
        }
    }

    fn place_image(&mut self, id: Option<ObjectId>, ctm: Matrix) {
        let bbox = ctm.unit_square_bbox();
        let coverage = self.coverage(bbox);
        // Text drawn before a (nearly) full-page image is hidden under it: that is how some
        // scanners' OCR layers are made, so it counts as invisible.
        if coverage >= 0.9 && self.marks.visible_text > 0 {
            self.marks.invisible_text += self.marks.visible_text;
            self.marks.visible_text = 0;
            for run in &mut self.runs {
                run.invisible = true;
            }
        }
        self.marks.images.push(PlacedImage { id, bbox, coverage });
    }

    fn draw_xobject(
        &mut self,
        resources: &[&'a Dictionary],
        name: &[u8],
        ctm: Matrix,
        depth: usize,
    ) {
        let Some((id, Object::Stream(stream))) = lookup(self.doc, resources, b"XObject", name)
        else {
            return;
        };
        match stream.dict.get(b"Subtype").and_then(Object::as_name) {
            Ok(b"Image") => self.place_image(id, ctm),
            Ok(b"Form") if depth < MAX_FORM_DEPTH => {
                let matrix = stream
                    .dict
                    .get(b"Matrix")
                    .ok()
                    .and_then(|m| m.as_array().ok())
                    .and_then(|a| Matrix::from_operands(a))
                    .unwrap_or(Matrix::IDENTITY);
                let own = stream
                    .dict
                    .get(b"Resources")
                    .ok()
                    .and_then(|r| self.doc.dereference(r).ok())
                    .and_then(|(_, r)| r.as_dict().ok());
                let mut inner: Vec<&'a Dictionary> = own.into_iter().collect();
                inner.extend_from_slice(resources);
                let content = match stream.decompressed_content_with_limit(self.max_stream) {
                    Ok(c) => c,
                    Err(e) => {
                        self.over_limit |= is_over_limit(&e);
                        return;
                    }
                };
                self.walk(&content, &inner, matrix.then(ctm), depth + 1);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cm_composes_scale_then_translate_as_pdf_does() {
        // `q 595 0 0 842 0 0 cm /Im0 Do Q`: the unit square becomes the page.
        let ctm = Matrix([595.0, 0.0, 0.0, 842.0, 0.0, 0.0]).then(Matrix::IDENTITY);
        assert_eq!(ctm.unit_square_bbox(), [0.0, 0.0, 595.0, 842.0]);
        let shifted = Matrix([100.0, 0.0, 0.0, 50.0, 0.0, 0.0])
            .then(Matrix([1.0, 0.0, 0.0, 1.0, 10.0, 20.0]));
        assert_eq!(shifted.unit_square_bbox(), [10.0, 20.0, 110.0, 70.0]);
    }
}
