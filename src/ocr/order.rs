//! Reading order by blocks.
//!
//! A Decree 30 page sets two bands in two columns: the header (the agency block with the number
//! on the left, the national title, motto and date on the right) and the foot ("Nơi nhận:" and
//! its list on the left, the signer block on the right). The columns share baselines, and
//! Tesseract often reads such a row as one line across both columns ("ỦY BAN NHÂN DÂN CỘNG HÒA
//! XÃ HỘI ..."), which scrambles the text file, hOCR and ALTO alike. Here the page's words are
//! put in the order a reader takes: each line is cut where a column gap opens in it, the pieces
//! are taken top to bottom, and wherever consecutive pieces all keep to one side of the
//! page's column gutter (a two-column band), the left column is read before the right one.
//! A piece that crosses the gutter (a body line), one centred on the text (a title), or
//! "Kính gửi:" ends the band.
//!
//! The gutter is found from the column lines themselves, for the upper and the lower half of
//! the text apart: where the right column starts, at the end of the widest stripe crossed by
//! the fewest narrow lines that have another narrow line beside them (body lines and titles do
//! not count). A line whose columns stand closer than a column gap (a long agency name beside
//! the motto) is also cut at a wide space (1.2 word heights) near the gutter.
//!
//! Measured on 41 pages of the degraded-scan corpus (docs/ocr.md): CER 5.61% in the engine's
//! order, 1.33% by blocks.
//!
//! The words keep their boxes and confidences; their line, paragraph and block ids are
//! renumbered to follow the new order (each column of a band is a block of its own).

use super::OcrWord;

/// Words further apart than this many word heights are in different columns. The metadata
/// stage cuts lines at the same gap (`metadata::text`), so both see the same pieces.
const COLUMN_GAP: f32 = 2.5;

/// A piece of a text line: a run of words with no column gap inside.
struct Piece {
    words: Vec<OcrWord>,
    bbox: [u32; 4],
    /// Part of a real line of text, not a speck or noise: only such a piece ends a band when
    /// it crosses the gutter.
    solid: bool,
    /// The side of the gutter a piece cut at the gutter stands on.
    cut_side: Option<Side>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
    Across,
}

/// The page's words in reading order by blocks (see the module documentation), renumbered.
pub(crate) fn by_blocks(words: Vec<OcrWord>) -> Vec<OcrWord> {
    if !decree30_page(&words) {
        return words;
    }
    let pieces = pieces(words);
    let gutters = Gutters::of(&pieces);
    // A line whose columns stand closer than a column gap (a long agency name beside the
    // motto) is still cut where a wide space lies over the gutter.
    let mut pieces: Vec<Piece> = pieces
        .into_iter()
        .flat_map(|p| {
            let g = gutters.at(&p);
            split_at_gutter(p, g, gutters.width)
        })
        .collect();
    // Top to bottom by the middle of each piece; ties left to right.
    pieces.sort_by_key(|p| (p.bbox[1] + p.bbox[3], p.bbox[0]));
    let side = |p: &Piece| {
        let gutter = gutters.at(p);
        let middle = (p.bbox[0] + p.bbox[2]) / 2;
        if let Some(side) = p.cut_side {
            side
        } else if p.solid && middle.abs_diff(gutters.centre) * 20 <= gutters.width {
            // Centred on the text (a title, a subject): across the page, whichever side of
            // the gutter it keeps to.
            Side::Across
        } else if p.bbox[2] <= gutter {
            Side::Left
        } else if p.bbox[0] >= gutter {
            Side::Right
        } else if !p.solid {
            // A speck across the gutter goes with the side its middle is on.
            if middle < gutter {
                Side::Left
            } else {
                Side::Right
            }
        } else {
            Side::Across
        }
    };
    // Regions in page order: a band is a run of pieces none of which crosses the gutter, with
    // pieces on both sides; a run of pieces on one side only is read as it comes, with the
    // lines across the page around it.
    let mut out: Vec<Vec<Piece>> = Vec::new();
    let mut flow: Vec<Piece> = Vec::new();
    let mut band: (Vec<Piece>, Vec<Piece>) = (Vec::new(), Vec::new());
    for p in pieces {
        // "Kính gửi:" opens the addressees, under the header: it ends the header's band even
        // when it stands left of the gutter.
        let side = if opens_addressees(&p) {
            Side::Across
        } else {
            side(&p)
        };
        match side {
            Side::Across => {
                end_band(&mut band, &mut flow, &mut out);
                flow.push(p);
            }
            Side::Left => band.0.push(p),
            Side::Right => band.1.push(p),
        }
    }
    end_band(&mut band, &mut flow, &mut out);
    if !flow.is_empty() {
        out.push(flow);
    }
    renumber(out)
}

/// Ends a band: with pieces on both sides, the flow so far, then the left column, then the
/// right one, each a region; with one side only, its pieces join the flow.
fn end_band(band: &mut (Vec<Piece>, Vec<Piece>), flow: &mut Vec<Piece>, out: &mut Vec<Vec<Piece>>) {
    let (left, right) = (std::mem::take(&mut band.0), std::mem::take(&mut band.1));
    if left.is_empty() || right.is_empty() {
        let mut one = if left.is_empty() { right } else { left };
        flow.append(&mut one);
        return;
    }
    if !flow.is_empty() {
        out.push(std::mem::take(flow));
    }
    out.push(left);
    out.push(right);
}

/// Words with new ids: a block per region (a band's column, a run of lines across the page),
/// a line per piece; inside a run across the page the engine's paragraphs are kept.
fn renumber(regions: Vec<Vec<Piece>>) -> Vec<OcrWord> {
    let mut words = Vec::new();
    let (mut line, mut paragraph) = (0u32, 0u32);
    for (block, region) in regions.into_iter().enumerate() {
        let mut last_paragraph: Option<(u32, u32)> = None;
        for piece in region {
            let first = &piece.words[0];
            let engine_paragraph = (first.block, first.paragraph);
            if last_paragraph.is_some_and(|p| p != engine_paragraph) {
                paragraph += 1;
            }
            last_paragraph = Some(engine_paragraph);
            for w in piece.words {
                words.push(OcrWord {
                    line,
                    paragraph,
                    block: block as u32,
                    ..w
                });
            }
            line += 1;
        }
        paragraph += 1;
    }
    words
}

/// Formulas of a Decree 30 header or foot: the national title and motto, "Kính gửi",
/// "Nơi nhận". Only such pages are set in the two-column bands this module reads; on other
/// pages (a body page, a magazine's columns) the engine's own order of blocks is kept, since
/// there it reads each column as a block of its own.
fn decree30_page(words: &[OcrWord]) -> bool {
    let folded: Vec<String> = words.iter().map(|w| w.text.to_lowercase()).collect();
    folded.windows(2).any(|p| {
        matches!(
            (p[0].as_str(), p[1].trim_end_matches(':')),
            ("cộng", "hòa" | "hoà") | ("độc", "lập") | ("kính", "gửi") | ("nơi", "nhận")
        )
    })
}

/// Whether a piece starts with "Kính gửi", the Decree 30 formula before the addressees.
fn opens_addressees(p: &Piece) -> bool {
    let mut words = p.words.iter().filter(|w| has_alnum(w));
    matches!(
        (words.next(), words.next()),
        (Some(a), Some(b)) if a.text.to_lowercase() == "kính" && b.text.to_lowercase().starts_with("gửi")
    )
}

fn has_alnum(w: &OcrWord) -> bool {
    w.text.chars().any(char::is_alphanumeric)
}

fn height(w: &OcrWord) -> u32 {
    w.bbox[3].saturating_sub(w.bbox[1])
}

/// Cuts the engine's lines at column gaps. Specks after a gap (a rule read as "._", a seal's
/// edge) stay with the piece before them, as the metadata stage keeps them.
fn pieces(words: Vec<OcrWord>) -> Vec<Piece> {
    let mut lines: Vec<Vec<OcrWord>> = Vec::new();
    for w in words {
        match lines.last_mut() {
            Some(l)
                if (l[0].block, l[0].paragraph, l[0].line) == (w.block, w.paragraph, w.line) =>
            {
                l.push(w)
            }
            _ => lines.push(vec![w]),
        }
    }
    let mut out = Vec::new();
    for mut line in lines {
        line.sort_by_key(|w| w.bbox[0]);
        let mut current: Vec<OcrWord> = Vec::new();
        for w in line {
            let cut = has_alnum(&w)
                && current
                    .iter()
                    .rev()
                    .find(|p| has_alnum(p))
                    .or(current.last())
                    .is_some_and(|anchor| {
                        let h = height(anchor).max(height(&w)) as f32;
                        w.bbox[0].saturating_sub(anchor.bbox[2]) as f32 > COLUMN_GAP * h
                    });
            if cut {
                out.push(piece(std::mem::take(&mut current)));
            }
            current.push(w);
        }
        if !current.is_empty() {
            out.push(piece(current));
        }
    }
    out
}

fn piece(words: Vec<OcrWord>) -> Piece {
    // Specks do not stretch a piece: a seal's edge or a stray mark far right of a recipient
    // line would make the line reach across the gutter.
    let inked: Vec<&OcrWord> = if words.iter().any(has_alnum) {
        words.iter().filter(|w| has_alnum(w)).collect()
    } else {
        words.iter().collect()
    };
    let bbox = inked.iter().fold([u32::MAX, u32::MAX, 0, 0], |b, w| {
        [
            b[0].min(w.bbox[0]),
            b[1].min(w.bbox[1]),
            b[2].max(w.bbox[2]),
            b[3].max(w.bbox[3]),
        ]
    });
    let letters: usize = words
        .iter()
        .map(|w| w.text.chars().filter(|c| c.is_alphabetic()).count())
        .sum();
    let confidence = words.iter().map(|w| w.confidence).sum::<f32>() / words.len() as f32;
    Piece {
        solid: letters >= 3 && confidence >= 50.0,
        words,
        bbox,
        cut_side: None,
    }
}

/// Spaces wider than this many word heights over the gutter cut a line, even when they are
/// narrower than a column gap. Justified body text keeps its spaces under a word height.
const GUTTER_SPACE: f32 = 1.2;

/// Cuts a piece that crosses the gutter at its wide space nearest the gutter, if that space
/// lies within a tenth of the text's width of it (the gutter is the middle of the white
/// stripe between the other lines of the columns, and the widest line of a column reaches
/// into that stripe). Specks in the space go with the words before it.
fn split_at_gutter(p: Piece, gutter: u32, text_width: u32) -> Vec<Piece> {
    if !(p.solid && p.bbox[0] < gutter && gutter < p.bbox[2]) {
        return vec![p];
    }
    let mut anchor: Option<&OcrWord> = None;
    let mut cut: Option<(usize, u32)> = None;
    for (i, w) in p.words.iter().enumerate() {
        if !has_alnum(w) {
            continue;
        }
        if let Some(a) = anchor {
            let h = height(a).max(height(w)) as f32;
            let gap = w.bbox[0].saturating_sub(a.bbox[2]);
            let off = ((a.bbox[2] + w.bbox[0]) / 2).abs_diff(gutter);
            if gap as f32 > GUTTER_SPACE * h
                && off * 10 <= text_width
                && cut.is_none_or(|(_, best)| off < best)
            {
                cut = Some((i, off));
            }
        }
        anchor = Some(w);
    }
    match cut {
        Some((i, _)) => {
            let mut left = p.words;
            let right = left.split_off(i);
            let (mut left, mut right) = (piece(left), piece(right));
            left.cut_side = Some(Side::Left);
            right.cut_side = Some(Side::Right);
            vec![left, right]
        }
        None => vec![p],
    }
}

/// Where the columns part, in the upper and the lower half of the page's text (the header's
/// gutter and the foot's need not be the same).
struct Gutters {
    /// The y that parts the halves (the middle of the text).
    middle: u32,
    upper: u32,
    lower: u32,
    /// The width of the page's text, and its middle.
    width: u32,
    centre: u32,
}

impl Gutters {
    fn of(pieces: &[Piece]) -> Gutters {
        let solid: Vec<&Piece> = pieces.iter().filter(|p| p.solid).collect();
        let all: Vec<&Piece> = if solid.is_empty() {
            pieces.iter().collect()
        } else {
            solid
        };
        let left = all.iter().map(|p| p.bbox[0]).min().unwrap_or(0);
        let right = all.iter().map(|p| p.bbox[2]).max().unwrap_or(0);
        let top = all.iter().map(|p| p.bbox[1]).min().unwrap_or(0);
        let bottom = all.iter().map(|p| p.bbox[3]).max().unwrap_or(0);
        let middle = (top + bottom) / 2;
        let half = |upper: bool| -> Vec<&Piece> {
            all.iter()
                .copied()
                .filter(|p| ((p.bbox[1] + p.bbox[3]) / 2 < middle) == upper)
                .collect()
        };
        let (up, down) = (
            gutter_in(&half(true), left, right),
            gutter_in(&half(false), left, right),
        );
        let centre = (left + right) / 2;
        Gutters {
            middle,
            upper: up.or(down).unwrap_or(centre),
            lower: down.or(up).unwrap_or(centre),
            width: right.saturating_sub(left),
            centre,
        }
    }

    fn at(&self, p: &Piece) -> u32 {
        if (p.bbox[1] + p.bbox[3]) / 2 < self.middle {
            self.upper
        } else {
            self.lower
        }
    }
}

/// The gutter of one half: where the right column starts. Only pieces narrower than 60% of
/// the text with a piece beside them (another narrow piece on the same rows, apart from it)
/// count: the lines of a band's two columns, not body lines or a centred title. The gutter is
/// the right end of the widest stripe, between a fifth and three quarters of the text's width,
/// that the fewest of them cross; `None` unless such pieces stand on both sides of it (no two
/// columns there).
fn gutter_in(pieces: &[&Piece], left: u32, right: u32) -> Option<u32> {
    let width = right.checked_sub(left).filter(|w| *w >= 20)?;
    let narrow: Vec<&Piece> = pieces
        .iter()
        .copied()
        .filter(|p| (p.bbox[2] - p.bbox[0]) * 5 < width * 3)
        .collect();
    let beside = |p: &Piece, q: &Piece| {
        let reach = (p.bbox[3] - p.bbox[1]) / 2;
        q.bbox[1] < p.bbox[3] + reach
            && p.bbox[1] < q.bbox[3] + reach
            && (q.bbox[0] >= p.bbox[2] || p.bbox[0] >= q.bbox[2])
    };
    let paired: Vec<&Piece> = narrow
        .iter()
        .copied()
        .filter(|p| narrow.iter().any(|q| beside(p, q)))
        .collect();
    let step = (width / 200).max(1);
    let (from, to) = (left + width / 5, left + width * 3 / 4);
    let cost = |x: u32| {
        paired
            .iter()
            .filter(|p| p.bbox[0] < x && x < p.bbox[2])
            .count()
    };
    let xs: Vec<u32> = (from..=to).step_by(step as usize).collect();
    let costs: Vec<usize> = xs.iter().map(|&x| cost(x)).collect();
    let best = *costs.iter().min()?;
    // The widest run of candidates at the lowest cost.
    let (mut run, mut widest) = (None::<(usize, usize)>, None::<(usize, usize)>);
    for (i, &c) in costs.iter().enumerate() {
        if c == best {
            let r = run.map_or((i, i), |(s, _)| (s, i));
            run = Some(r);
            if widest.is_none_or(|w| r.1 - r.0 > w.1 - w.0) {
                widest = Some(r);
            }
        } else {
            run = None;
        }
    }
    let x = xs[widest?.1];
    let on_left = paired.iter().any(|p| p.bbox[2] <= x);
    let on_right = paired.iter().any(|p| p.bbox[0] >= x);
    (on_left && on_right).then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words of one engine line: (text, left, right) at row `top`, 40 px tall.
    fn line(id: u32, top: u32, words: &[(&str, u32, u32)]) -> Vec<OcrWord> {
        words
            .iter()
            .map(|&(text, l, r)| OcrWord {
                text: text.into(),
                bbox: [l, top, r, top + 40],
                confidence: 90.0,
                line: id,
                paragraph: 0,
                block: 0,
            })
            .collect()
    }

    fn text(words: &[OcrWord]) -> String {
        super::super::text_from_words(words)
    }

    #[test]
    fn a_header_read_across_its_columns_is_read_column_by_column() {
        // Tesseract's lines run across the gutter at x ≈ 1150.
        let mut words = line(
            0,
            100,
            &[
                ("UBND", 200, 350),
                ("TỈNH", 360, 500),
                ("CỘNG", 1300, 1450),
                ("HÒA", 1460, 1560),
            ],
        );
        words.extend(line(
            1,
            150,
            &[
                ("SỞ", 250, 320),
                ("NỘI", 330, 420),
                ("VỤ", 430, 500),
                ("Độc", 1350, 1450),
                ("lập", 1460, 1540),
            ],
        ));
        words.extend(line(
            2,
            220,
            &[
                ("Số:", 250, 330),
                ("12/BC-SNV", 340, 600),
                ("Đà", 1300, 1360),
                ("Nẵng", 1370, 1480),
            ],
        ));
        // The title is centred on the page: it crosses the gutter.
        words.extend(line(3, 320, &[("BÁO", 1100, 1200), ("CÁO", 1210, 1300)]));
        let mut body = line(
            4,
            400,
            &[
                ("Sở", 200, 260),
                ("Nội", 270, 340),
                ("vụ", 350, 400),
                ("báo", 410, 500),
                ("cáo", 510, 2200),
            ],
        );
        for w in &mut body {
            w.paragraph = 5;
        }
        words.extend(body);
        let ordered = by_blocks(words);
        assert_eq!(
            text(&ordered),
            "UBND TỈNH\nSỞ NỘI VỤ\nSố: 12/BC-SNV\n\nCỘNG HÒA\nĐộc lập\nĐà Nẵng\n\nBÁO CÁO\n\nSở Nội vụ báo cáo"
        );
    }

    #[test]
    fn the_foot_reads_the_recipients_then_the_signer_block() {
        let mut words = line(
            0,
            100,
            &[
                ("Nơi", 100, 200),
                ("nhận:", 210, 330),
                ("KT.", 1400, 1480),
                ("CHỦ", 1490, 1600),
                ("TỊCH", 1610, 1720),
            ],
        );
        words.extend(line(
            1,
            150,
            &[
                ("-", 100, 110),
                ("Như", 120, 200),
                ("trên;", 210, 320),
                ("PHÓ", 1380, 1480),
                ("CHỦ", 1490, 1600),
                ("TỊCH", 1610, 1720),
            ],
        ));
        words.extend(line(
            2,
            200,
            &[("-", 100, 110), ("Lưu:", 120, 220), ("VT.", 230, 300)],
        ));
        // The signer's name, found under the seal after the page pass (appended last).
        words.extend(line(
            9,
            400,
            &[
                ("Đặng", 1380, 1500),
                ("Văn", 1510, 1600),
                ("Khoa", 1610, 1740),
            ],
        ));
        assert_eq!(
            text(&by_blocks(words)),
            "Nơi nhận:\n- Như trên;\n- Lưu: VT.\n\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nĐặng Văn Khoa"
        );
    }

    #[test]
    fn body_text_keeps_its_order_and_paragraphs() {
        let mut words = line(0, 100, &[("Căn", 200, 300), ("cứ", 310, 2200)]);
        words.extend(line(1, 150, &[("quy", 200, 300), ("định.", 310, 500)]));
        let mut p2 = line(2, 200, &[("Điều", 300, 400), ("1.", 410, 2200)]);
        for w in &mut p2 {
            w.paragraph = 7;
        }
        words.extend(p2);
        assert_eq!(text(&by_blocks(words)), "Căn cứ\nquy định.\n\nĐiều 1.");
    }

    #[test]
    fn a_speck_of_a_seal_across_the_gutter_does_not_break_the_foot() {
        let mut words = line(
            0,
            100,
            &[
                ("Nơi", 100, 200),
                ("nhận:", 210, 330),
                ("CHỦ", 1490, 1600),
                ("TỊCH", 1610, 1720),
            ],
        );
        words.extend(line(1, 150, &[("ầ", 1000, 1300)]));
        words[4].confidence = 20.0;
        words.extend(line(
            2,
            200,
            &[
                ("-", 100, 110),
                ("Lưu:", 120, 220),
                ("VT.", 230, 300),
                ("Khoa", 1610, 1740),
            ],
        ));
        assert_eq!(
            text(&by_blocks(words)),
            "Nơi nhận:\nầ\n- Lưu: VT.\n\nCHỦ TỊCH\nKhoa"
        );
    }

    #[test]
    fn columns_closer_than_a_column_gap_are_cut_at_the_gutter() {
        // The agency's long name stands 90 px (2.25 word heights) from the motto: under a
        // column gap, but the other header lines place the gutter in that space.
        let mut words = line(
            0,
            100,
            &[
                ("UBND", 150, 300),
                ("THÀNH", 310, 500),
                ("PHỐ", 510, 640),
                ("HẢI", 650, 760),
                ("PHÒNG", 770, 960),
                ("CỘNG", 1050, 1200),
                ("HÒA", 1210, 1330),
            ],
        );
        words.extend(line(
            1,
            150,
            &[("SỞ", 300, 380), ("Y", 390, 420), ("TẾ", 430, 500)],
        ));
        words.extend(line(2, 152, &[("Độc", 1150, 1250), ("lập", 1260, 1340)]));
        words.extend(line(
            3,
            210,
            &[("Số:", 250, 330), ("680/KH-STTTT", 340, 700)],
        ));
        words.extend(line(4, 212, &[("Hải", 1100, 1180), ("Phòng,", 1190, 1350)]));
        words.extend(line(
            5,
            400,
            &[
                ("Sở", 150, 260),
                ("Y", 270, 300),
                ("tế", 310, 400),
                ("trình", 410, 2000),
            ],
        ));
        assert_eq!(
            text(&by_blocks(words)),
            "UBND THÀNH PHỐ HẢI PHÒNG\nSỞ Y TẾ\nSố: 680/KH-STTTT\n\nCỘNG HÒA\nĐộc lập\nHải Phòng,\n\nSở Y tế trình"
        );
    }

    #[test]
    fn the_motto_set_higher_than_the_agency_still_reads_after_it() {
        // Each column line is an engine line of its own, the motto a little higher; no line
        // is cut, so the gutter comes from the white stripe between the columns.
        let mut words = line(
            0,
            90,
            &[
                ("CỘNG", 1000, 1200),
                ("HÒA", 1210, 1330),
                ("XÃ", 1340, 1420),
                ("HỘI", 1430, 1530),
            ],
        );
        words.extend(line(
            1,
            100,
            &[
                ("HỘI", 250, 350),
                ("ĐỒNG", 360, 520),
                ("NHÂN", 530, 680),
                ("DÂN", 690, 800),
            ],
        ));
        words.extend(line(
            2,
            150,
            &[("TỈNH", 300, 420), ("BẮC", 430, 540), ("GIANG", 550, 720)],
        ));
        words.extend(line(3, 150, &[("Độc", 1100, 1200), ("lập", 1210, 1290)]));
        words.extend(line(
            4,
            200,
            &[("Số:", 280, 360), ("89/2021/NQ-HĐND", 370, 760)],
        ));
        words.extend(line(5, 205, &[("Bắc", 1050, 1130), ("Giang,", 1140, 1300)]));
        words.extend(line(6, 300, &[("NGHỊ", 850, 980), ("QUYẾT", 990, 1160)]));
        words.extend(line(
            7,
            400,
            &[("Căn", 150, 250), ("cứ", 260, 320), ("Luật", 330, 1800)],
        ));
        assert_eq!(
            text(&by_blocks(words)),
            "HỘI ĐỒNG NHÂN DÂN\nTỈNH BẮC GIANG\nSố: 89/2021/NQ-HĐND\n\nCỘNG HÒA XÃ HỘI\nĐộc lập\nBắc Giang,\n\nNGHỊ QUYẾT\nCăn cứ Luật"
        );
    }

    #[test]
    fn a_speck_after_a_recipient_does_not_stretch_it_across_the_gutter() {
        let mut words = line(
            0,
            100,
            &[
                ("Nơi", 100, 200),
                ("nhận:", 210, 330),
                ("KT.", 1400, 1480),
                ("GIÁM", 1490, 1600),
                ("ĐỐC", 1610, 1720),
            ],
        );
        words.extend(line(
            1,
            150,
            &[
                ("-", 100, 110),
                ("Như", 120, 200),
                ("trên;", 210, 320),
                ("PHÓ", 1380, 1480),
                ("GIÁM", 1490, 1600),
                ("ĐỐC", 1610, 1720),
            ],
        ));
        // A mark of the seal read as "`" beyond the gutter, on the recipient's line.
        words.extend(line(
            2,
            200,
            &[
                ("-", 100, 110),
                ("UBND", 120, 260),
                ("(b/c);", 270, 420),
                ("`", 1000, 1030),
            ],
        ));
        words.extend(line(
            3,
            250,
            &[("-", 100, 110), ("Lưu:", 120, 220), ("VT.", 230, 300)],
        ));
        words.extend(line(
            4,
            400,
            &[
                ("Lâm", 1400, 1500),
                ("Quốc", 1510, 1620),
                ("Bảo", 1630, 1720),
            ],
        ));
        assert_eq!(
            text(&by_blocks(words)),
            "Nơi nhận:\n- Như trên;\n- UBND (b/c); `\n- Lưu: VT.\n\nKT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\nLâm Quốc Bảo"
        );
    }

    #[test]
    fn the_addressees_of_a_letter_follow_the_whole_header() {
        let mut words = line(0, 100, &[("VĂN", 300, 420), ("PHÒNG", 430, 640)]);
        words.extend(line(1, 100, &[("CỘNG", 1150, 1300), ("HÒA", 1310, 1420)]));
        words.extend(line(
            2,
            160,
            &[("Số:", 350, 420), ("2751/VPCP-KGVX", 430, 800)],
        ));
        words.extend(line(3, 160, &[("Độc", 1200, 1300), ("lập", 1310, 1400)]));
        words.extend(line(4, 260, &[("Hà", 1250, 1310), ("Nội,", 1320, 1420)]));
        // Left of the gutter, under both columns.
        words.extend(line(5, 330, &[("Kính", 350, 450), ("gửi:", 460, 560)]));
        words.extend(line(
            6,
            380,
            &[
                ("-", 700, 720),
                ("Bộ", 730, 800),
                ("Nội", 810, 900),
                ("vụ;", 910, 1000),
            ],
        ));
        words.extend(line(7, 460, &[("Thực", 300, 400), ("hiện", 410, 2000)]));
        assert_eq!(
            text(&by_blocks(words)),
            "VĂN PHÒNG\nSố: 2751/VPCP-KGVX\n\nCỘNG HÒA\nĐộc lập\nHà Nội,\n\nKính gửi:\n- Bộ Nội vụ;\nThực hiện"
        );
    }

    #[test]
    fn a_page_without_a_decree_30_header_or_foot_keeps_the_engines_order() {
        // Two magazine columns the engine read as blocks of their own, left then right.
        let mut words = line(0, 100, &[("The", 100, 200), ("left", 210, 300)]);
        words.extend(line(1, 150, &[("column", 100, 300)]));
        let mut right = line(2, 100, &[("The", 900, 1000), ("right", 1010, 1100)]);
        right.extend(line(3, 150, &[("column", 900, 1100)]));
        for w in &mut right {
            w.block = 1;
            w.paragraph = 1;
        }
        words.extend(right);
        let ordered = by_blocks(words.clone());
        assert_eq!(ordered, words);
    }
}
