//! Text the page pass left unread: a line that a seal or a signature runs into.
//!
//! On a gray scan the red seal is mid-gray, not faded as on a colour scan (red dropout,
//! [`super::prepare`]), and where it overlaps the signer's name Tesseract's page layout takes
//! the name for part of a picture and reads nothing there: on the layout-variety corpus the
//! name was missing from 19 of 22 scans. The seal's ink is lighter than printed text (red,
//! seen in gray, is about a third of the way from black to paper), so dropping every pixel
//! lighter than the text's own ink leaves the name clean. Doing that to the whole page would
//! thin the body text; it is done only for the ink that no word of the page pass covers:
//! runs of dark ink the height of a text line, read alone as single lines. A reading is kept
//! when the engine is sure of it. The level between text and seal is taken from the ink of
//! the words the page pass read, so it moves a little with which words those are (zones mode
//! reads fewer); a reading the engine is unsure of is tried at a level either side and the
//! surest kept (agency bench, scanned signer names in full mode: 27/36 → 30/36).
//!
//! A bilevel scan has no gray to drop: its seal is as black as its text, and a name under the
//! seal's lettering stays unread (docs/ocr.md).

use std::time::Instant;

use super::{OcrEngine, OcrError, OcrPage, OcrWord, PreparedPage};

/// Components are found on cells of about this many dots per inch.
const CELL_DPI: f64 = 75.0;
/// Ink darker than `core + DROP * (paper − core)` is text; lighter ink is dropped. (Keeping
/// more of the ink, stretched, kept more of the seal too: 6 names of 22 read instead of 11.)
const DROP: f32 = 0.25;

/// A reading of unread ink this sure is not tried at other levels.
const SURE: f32 = 85.0;
/// The other levels tried, as [`DROP`] is.
const DROP_ALTERNATES: [f32; 2] = [0.15, 0.35];

/// A run of ink whose height is within these multiples of the page's median line height is a
/// text line.
const LINE_HEIGHT: (f32, f32) = (0.6, 1.7);
/// At most this many runs of a page are read.
const MAX_RUNS: usize = 8;
/// A reading is kept from this mean confidence on.
const ACCEPT_FROM: f32 = 75.0;
/// A line of capitalised words (a signer's name, a title) is kept from this one on. Read beside
/// the seal's dropped ink, the name "Hồ Sỹ Nguyên" came out letter-perfect at 67; what a seal's
/// remains read as has lower-case fragments, digits or punctuation, which this rule refuses.
const ACCEPT_NAMES_FROM: f32 = 60.0;

/// Reads again, with the lighter ink dropped, the lines the page pass read poorly (a title the
/// seal's rim crosses: "2 CHỦ TỊCH" for "PHÓ CHỦ TỊCH"), then the lines of ink it did not read
/// at all, and keeps the sure readings.
pub(crate) fn read_unread_ink(
    engine: &mut dyn OcrEngine,
    prepared: &PreparedPage,
    page: OcrPage,
    within: Option<&[[u32; 4]]>,
    deadline: Option<Instant>,
) -> Result<OcrPage, OcrError> {
    // A page made gray from colour has had its red seal faded already; a poor page wants
    // turning or is a poor scan, not a page with a line under a seal.
    if prepared.red_dropped || page.words.len() < 10 || super::reads_poorly(&page) {
        return Ok(page);
    }
    let (w, h) = (prepared.width() as usize, prepared.height() as usize);
    let gray = prepared.gray()?;
    if gray.len() != w * h {
        return Ok(page);
    }
    let Some(levels) = Levels::of(&gray, w, &page.words) else {
        return Ok(page);
    };
    let line_h = median_height(&page.words);
    let (mut words, redone) = reread_poor_lines(
        engine,
        prepared,
        &gray,
        w,
        levels.threshold,
        &page.words,
        deadline,
    )?;
    let runs = unread_runs(
        Gray {
            samples: &gray,
            w,
            h,
        },
        prepared.dpi,
        &levels,
        &words,
        line_h,
        within,
        !from_bilevel(&gray),
    );
    if runs.is_empty() && redone == 0 {
        return Ok(page);
    }
    let mut next_line = words.iter().map(|w| w.line).max().unwrap_or(0) + 1;
    let next_block = words.iter().map(|w| w.block).max().unwrap_or(0) + 1;
    let mut added = 0u32;
    for run in runs {
        if deadline.is_some_and(|at| Instant::now() >= at) {
            break;
        }
        let margin = line_h / 2;
        let rect = [
            run[0].saturating_sub(margin),
            run[1].saturating_sub(margin),
            (run[2] + margin).min(w as u32),
            (run[3] + margin).min(h as u32),
        ];
        // Where the seal's ink lies against the text's is a matter of a few gray levels, and
        // the level taken from the page's words moves with which words those are: a reading
        // the engine is unsure of is tried again at a level either side, and the surest kept.
        let mut best: Option<Vec<OcrWord>> = None;
        for threshold in levels.tries() {
            let Some(part) = dropped_crop(&gray, w, rect, threshold, prepared)? else {
                break;
            };
            let Some(line) = engine.recognize_line(&part)? else {
                // No single-line mode: nothing more to read.
                return Ok(page);
            };
            let kept = without_edge_marks(line.words);
            let letters: usize = kept
                .iter()
                .map(|w| w.text.chars().filter(|c| c.is_alphabetic()).count())
                .sum();
            if sure_reading(&kept)
                && letters >= 3
                && best
                    .as_ref()
                    .is_none_or(|b| mean_confidence(&kept) > mean_confidence(b))
            {
                best = Some(kept);
            }
            if best.as_ref().is_some_and(|b| mean_confidence(b) >= SURE) {
                break;
            }
        }
        let Some(kept) = best else {
            continue;
        };
        let read: Vec<OcrWord> = kept
            .into_iter()
            .map(|word| OcrWord {
                bbox: on_page(word.bbox, rect),
                line: next_line,
                paragraph: next_line,
                block: next_block,
                ..word
            })
            .collect();
        match beside(&words, run, line_h) {
            // The rest of a line the seal cut: the words join it, and what the page pass made
            // of the cut (a stray mark) goes.
            Some(ids) => {
                let (l, r) = (run[0].saturating_sub(2 * line_h), run[2] + 2 * line_h);
                words.retain(|x| {
                    (x.block, x.paragraph, x.line) != ids
                        || !stray(x)
                        || x.bbox[2] < l
                        || x.bbox[0] > r
                });
                let of_line = |x: &OcrWord| (x.block, x.paragraph, x.line) == ids;
                let start = words.iter().position(of_line).unwrap_or(words.len());
                let mut joined: Vec<OcrWord> =
                    words.iter().filter(|x| of_line(x)).cloned().collect();
                // No word before `start` is of the line, so `start` stays its place.
                words.retain(|x| !of_line(x));
                joined.extend(read.into_iter().map(|x| OcrWord {
                    block: ids.0,
                    paragraph: ids.1,
                    line: ids.2,
                    ..x
                }));
                joined.sort_by_key(|x| x.bbox[0]);
                words.splice(start..start, joined);
            }
            None => {
                words.extend(read);
                next_line += 1;
            }
        }
        added += 1;
    }
    if added == 0 && redone == 0 {
        return Ok(page);
    }
    let mut mended = OcrPage::from_words(prepared, words);
    mended.lines_reread = page.lines_reread + redone;
    mended.lines_recovered = page.lines_recovered + added;
    Ok(mended)
}

/// The line (block, paragraph, line) of the page pass that `run` continues: on its baseline
/// and at most two and a half line heights away from it sideways.
fn beside(words: &[OcrWord], run: [u32; 4], line_h: u32) -> Option<(u32, u32, u32)> {
    let mid = (run[1] + run[3]) / 2;
    let reach = line_h * 5 / 2;
    words
        .iter()
        .filter(|x| x.bbox[1] <= mid && mid <= x.bbox[3] && !stray(x))
        .filter(|x| x.bbox[0] <= run[2] + reach && run[0] <= x.bbox[2] + reach)
        .map(|x| (x.block, x.paragraph, x.line))
        .next()
}

/// A mark the page pass read as a word: one or two characters it is unsure of, or that are
/// no letters of Vietnamese ("ƒ").
fn stray(w: &OcrWord) -> bool {
    use unicode_normalization::UnicodeNormalization;
    let foreign = |c: char| {
        c.to_string()
            .nfd()
            .next()
            .is_some_and(|b| !(b.is_ascii_alphanumeric() || b == 'đ' || b == 'Đ'))
    };
    w.text.chars().count() <= 2 && (w.confidence < 60.0 || w.text.chars().any(foreign))
}

/// The line's words without the marks at either end that have no letter or digit (a seal's
/// edge read as ":" or "`" before "THỨ TRƯỞNG"); they are not text and would hide the words'
/// own confidence.
fn without_edge_marks(mut words: Vec<OcrWord>) -> Vec<OcrWord> {
    let mark = |w: &OcrWord| !w.text.chars().any(char::is_alphanumeric);
    while words.last().is_some_and(mark) {
        words.pop();
    }
    let start = words.iter().position(|w| !mark(w)).unwrap_or(words.len());
    words.split_off(start)
}

/// Two to five words, each of letters only, at least two of them, starting with a capital.
fn capitalised_words(words: &[OcrWord]) -> bool {
    (2..=5).contains(&words.len())
        && words.iter().all(|w| {
            let mut letters = w.text.chars();
            letters.next().is_some_and(char::is_uppercase)
                && w.text.chars().count() >= 2
                && letters.all(char::is_alphabetic)
        })
}

/// A line whose mean word confidence is under this is read again with the lighter ink dropped.
const POOR_LINE: f32 = 80.0;
/// A word read at least this surely marks the rows its line runs on.
const SURE_WORD: f32 = 90.0;

/// The page's words with each poorly read line replaced by its reading with the lighter ink
/// dropped, where that reading is sure and surer; and how many lines were replaced.
fn reread_poor_lines(
    engine: &mut dyn OcrEngine,
    prepared: &PreparedPage,
    gray: &[u8],
    w: usize,
    threshold: u8,
    words: &[OcrWord],
    deadline: Option<Instant>,
) -> Result<(Vec<OcrWord>, u32), OcrError> {
    let mut out: Vec<OcrWord> = Vec::with_capacity(words.len());
    let mut redone = 0;
    let mut start = 0;
    // Sure lines read again with a poor line beside them: their words are the new reading's.
    let mut absorbed: Vec<(u32, u32, u32)> = Vec::new();
    while start < words.len() {
        let id = (
            words[start].block,
            words[start].paragraph,
            words[start].line,
        );
        let end = (start..words.len())
            .find(|&i| (words[i].block, words[i].paragraph, words[i].line) != id)
            .unwrap_or(words.len());
        let line = &words[start..end];
        start = end;
        if absorbed.contains(&id) {
            continue;
        }
        let mean = mean_confidence(line);
        if (mean >= POOR_LINE && !name_with_a_poor_word(line))
            || redone >= MAX_RUNS as u32
            || deadline.is_some_and(|at| Instant::now() >= at)
        {
            out.extend_from_slice(line);
            continue;
        }
        let union = |ws: &mut dyn Iterator<Item = &OcrWord>| {
            ws.fold([u32::MAX, u32::MAX, 0, 0], |b, x| {
                [
                    b[0].min(x.bbox[0]),
                    b[1].min(x.bbox[1]),
                    b[2].max(x.bbox[2]),
                    b[3].max(x.bbox[3]),
                ]
            })
        };
        let mut bbox = union(&mut line.iter());
        // The line's own rows are those of its sure words: a box the page pass made of a
        // seal's lettering and part of a name ("Tôn" for "Lê Quang", 139 px tall beside a
        // 40 px "Vinh") would otherwise make the crop a band of seal with the name in it.
        let sure = union(&mut line.iter().filter(|x| x.confidence >= SURE_WORD));
        if sure[3] > sure[1] {
            (bbox[1], bbox[3]) = (sure[1], sure[3]);
        }
        // A poor line with no sure word may be the first word of a line the page pass split
        // off under a seal ("Màùg" at confidence 0 beside a sure "Văn Khoa", for "Đặng Văn
        // Khoa"): read with that line, on its rows.
        let neighbour = (sure[3] <= sure[1])
            .then(|| sure_line_beside(words, id, bbox))
            .flatten();
        let mut partner: Vec<&OcrWord> = Vec::new();
        if let Some(ids) = neighbour {
            partner = words
                .iter()
                .filter(|x| (x.block, x.paragraph, x.line) == ids)
                .collect();
            let with = union(&mut partner.iter().copied());
            bbox = [bbox[0].min(with[0]), with[1], bbox[2].max(with[2]), with[3]];
        }
        let margin = (bbox[3] - bbox[1]) / 2;
        let rect = [
            bbox[0].saturating_sub(margin),
            bbox[1].saturating_sub(margin),
            (bbox[2] + margin).min(prepared.width()),
            (bbox[3] + margin).min(prepared.height()),
        ];
        let again = match dropped_crop(gray, w, rect, threshold, prepared)? {
            Some(part) => engine.recognize_line(&part)?,
            None => None,
        };
        if !partner.is_empty() {
            let joined = again
                .map(|a| without_edge_marks(a.words))
                .filter(|a| takes_in(a, &partner) && sure_reading(a));
            match joined {
                Some(a) => {
                    let ids = (partner[0].block, partner[0].paragraph, partner[0].line);
                    out.retain(|x| (x.block, x.paragraph, x.line) != ids);
                    absorbed.push(ids);
                    out.extend(a.into_iter().map(|x| OcrWord {
                        bbox: on_page(x.bbox, rect),
                        line: ids.2,
                        paragraph: ids.1,
                        block: ids.0,
                        ..x
                    }));
                    redone += 1;
                }
                None => out.extend_from_slice(line),
            }
            continue;
        }
        match again {
            Some(a)
                if a.mean_confidence
                    .is_some_and(|c| c >= ACCEPT_FROM && c > mean) =>
            {
                let ids = &line[0];
                out.extend(a.words.into_iter().map(|x| OcrWord {
                    bbox: on_page(x.bbox, rect),
                    line: ids.line,
                    paragraph: ids.paragraph,
                    block: ids.block,
                    ..x
                }));
                redone += 1;
            }
            _ => out.extend_from_slice(line),
        }
    }
    Ok((out, redone))
}

/// A short line whose sure words are all capitalised, with one the page pass was unsure of:
/// a name (or a title) with a seal's lettering over part of it, which reads well on average
/// ("À \"Đặhg Văn Khoa" at 91, 72, 96 and 97 for "Đặng Văn Khoa") and so is no poor line.
fn name_with_a_poor_word(line: &[OcrWord]) -> bool {
    // Asked of every line that reads well: the cheap tests first, the copy for the last.
    if !(2..=5).contains(&line.len()) || !line.iter().any(|w| w.confidence < POOR_LINE) {
        return false;
    }
    let sure: Vec<OcrWord> = line
        .iter()
        .filter(|w| w.confidence >= SURE_WORD && w.text.chars().count() >= 2)
        .cloned()
        .collect();
    sure.len() >= 2 && capitalised_words(&sure)
}

/// The line (block, paragraph, line) of sure words on the rows of `bbox` and at most two line
/// heights beside it, other than `id`.
fn sure_line_beside(
    words: &[OcrWord],
    id: (u32, u32, u32),
    bbox: [u32; 4],
) -> Option<(u32, u32, u32)> {
    words
        .iter()
        .filter(|x| (x.block, x.paragraph, x.line) != id && x.confidence >= SURE_WORD)
        .find(|x| {
            let (mid, h) = (
                (x.bbox[1] + x.bbox[3]) / 2,
                x.bbox[3].saturating_sub(x.bbox[1]),
            );
            bbox[1] <= mid
                && mid <= bbox[3]
                && x.bbox[0] <= bbox[2] + 2 * h
                && bbox[0] <= x.bbox[2] + 2 * h
        })
        .map(|x| (x.block, x.paragraph, x.line))
}

/// Whether a reading holds every word of `line`, in order, and more: the line read again with
/// what the page pass split off it.
fn takes_in(reading: &[OcrWord], line: &[&OcrWord]) -> bool {
    let texts: Vec<&str> = reading.iter().map(|w| w.text.as_str()).collect();
    let want: Vec<&str> = line.iter().map(|w| w.text.as_str()).collect();
    !want.is_empty()
        && texts.len() > want.len()
        && texts.windows(want.len()).any(|w| w == want.as_slice())
}

/// The mean confidence of some words (0 for none).
fn mean_confidence(words: &[OcrWord]) -> f32 {
    words.iter().map(|w| w.confidence).sum::<f32>() / words.len().max(1) as f32
}

/// Whether a line read alone is sure enough to keep: from [`ACCEPT_FROM`], or from
/// [`ACCEPT_NAMES_FROM`] when it is a name or a title ([`capitalised_words`]).
fn sure_reading(words: &[OcrWord]) -> bool {
    let mean = mean_confidence(words);
    mean >= ACCEPT_FROM || (mean >= ACCEPT_NAMES_FROM && capitalised_words(words))
}

/// A box of a crop at `rect`, in page pixels.
fn on_page(bbox: [u32; 4], rect: [u32; 4]) -> [u32; 4] {
    [
        bbox[0] + rect[0],
        bbox[1] + rect[1],
        bbox[2] + rect[0],
        bbox[3] + rect[1],
    ]
}

/// The page's paper and text ink, and the level between them that keeps text and drops a
/// seal's lighter ink.
struct Levels {
    threshold: u8,
    core: f32,
    paper: f32,
}

impl Levels {
    /// From the pixels inside the page pass's word boxes: the ink of text the page pass read.
    fn of(gray: &[u8], w: usize, words: &[OcrWord]) -> Option<Levels> {
        let mut hist = [0u64; 256];
        for word in words.iter().filter(|w| w.confidence >= 80.0) {
            let [l, t, r, b] = word.bbox.map(|v| v as usize);
            for y in (t..b).step_by(2) {
                for x in (l..r).step_by(2) {
                    if let Some(&v) = gray.get(y * w + x) {
                        hist[v as usize] += 1;
                    }
                }
            }
        }
        let total: u64 = hist.iter().sum();
        if total < 1000 {
            return None;
        }
        let at = |share: f64| {
            let want = (total as f64 * share) as u64;
            let mut seen = 0;
            hist.iter()
                .position(|&n| {
                    seen += n;
                    seen > want
                })
                .unwrap_or(255) as f32
        };
        // Inside word boxes most pixels are paper: the darkest tenth is the strokes' core.
        let (core, paper) = (at(0.05), at(0.7));
        if paper - core < 60.0 {
            // Too little contrast to tell a seal's ink from text (or a bilevel page, where both
            // are black): nothing to drop.
            return None;
        }
        Some(Levels {
            threshold: (core + DROP * (paper - core)).round() as u8,
            core,
            paper,
        })
    }

    /// The levels a line of unread ink is read at, in turn: the page's own, then one darker
    /// and one lighter.
    fn tries(&self) -> impl Iterator<Item = u8> + '_ {
        std::iter::once(self.threshold).chain(
            DROP_ALTERNATES
                .iter()
                .map(|d| (self.core + d * (self.paper - self.core)).round() as u8),
        )
    }
}

fn median_height(words: &[OcrWord]) -> u32 {
    let mut hs: Vec<u32> = words
        .iter()
        .map(|w| w.bbox[3].saturating_sub(w.bbox[1]))
        .collect();
    hs.sort_unstable();
    hs.get(hs.len() / 2).copied().unwrap_or(0)
}

/// Runs of dark ink, the size of a text line, that no word of the page pass covers: their
/// boxes in page pixels, widest first.
/// A page's gray samples and size.
struct Gray<'a> {
    samples: &'a [u8],
    w: usize,
    h: usize,
}

fn unread_runs(
    page: Gray<'_>,
    dpi: f64,
    levels: &Levels,
    words: &[OcrWord],
    line_h: u32,
    within: Option<&[[u32; 4]]>,
    split_tall: bool,
) -> Vec<[u32; 4]> {
    let Gray {
        samples: gray,
        w,
        h,
    } = page;
    let cell = ((dpi / CELL_DPI).round() as usize).max(1);
    let (cw, ch) = (w.div_ceil(cell), h.div_ceil(cell));
    let mut dark = vec![false; cw * ch];
    for y in 0..h {
        let row = &gray[y * w..(y + 1) * w];
        for (x, &v) in row.iter().enumerate() {
            if v < levels.threshold {
                dark[(y / cell) * cw + x / cell] = true;
            }
        }
    }
    // What the page pass read is not unread: its words, with a margin of half a line.
    let pad = (line_h / 2) as usize;
    for word in words {
        let [l, t, r, b] = word.bbox.map(|v| v as usize);
        let (l, t) = (l.saturating_sub(pad) / cell, t.saturating_sub(pad) / cell);
        let (r, b) = (
            ((r + pad) / cell).min(cw - 1),
            ((b + pad) / cell).min(ch - 1),
        );
        for y in t..=b {
            for x in l..=r {
                dark[y * cw + x] = false;
            }
        }
    }
    // Letters of a line join across the gaps between them (run-length smearing).
    let gap = ((line_h as usize / cell) + 1).max(2);
    let mut smeared = dark.clone();
    for y in 0..ch {
        let row = &dark[y * cw..(y + 1) * cw];
        let mut last: Option<usize> = None;
        for (x, &on) in row.iter().enumerate() {
            if on {
                if let Some(p) = last {
                    if x - p <= gap {
                        for fill in p..x {
                            smeared[y * cw + fill] = true;
                        }
                    }
                }
                last = Some(x);
            }
        }
    }
    let (lo, hi) = (LINE_HEIGHT.0 * line_h as f32, LINE_HEIGHT.1 * line_h as f32);
    let mut seen = vec![false; cw * ch];
    let mut runs: Vec<[u32; 4]> = Vec::new();
    let mut stack = Vec::new();
    for start in 0..cw * ch {
        if !smeared[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let (mut l, mut t, mut r, mut b) = (cw, ch, 0, 0);
        while let Some(i) = stack.pop() {
            let (x, y) = (i % cw, i / cw);
            (l, t, r, b) = (l.min(x), t.min(y), r.max(x), b.max(y));
            for (dx, dy) in [(-1i64, 0i64), (1, 0), (0, -1), (0, 1)] {
                let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                if nx < 0 || ny < 0 || nx >= cw as i64 || ny >= ch as i64 {
                    continue;
                }
                let j = ny as usize * cw + nx as usize;
                if smeared[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            }
        }
        // The scan's own border is not text.
        if l == 0 || t == 0 || r + 1 >= cw || b + 1 >= ch {
            continue;
        }
        let ph = ((b - t + 1) * cell) as f32;
        let boxes = if ph > hi && split_tall {
            // Taller than a line: lines that a signature's strokes join into one shape (the
            // title, the signature and the name under a seal, in zones mode's foot). The rows
            // where the ink runs at least two line heights wide are the lines. Not on a
            // bilevel page, where the shape is the name and the seal's black lettering, and
            // what it reads as would be a wrong name.
            let min_cells = 2 * (line_h as usize / cell).max(1);
            bands(&smeared, cw, [l, t, r, b], min_cells)
        } else {
            vec![[l, t, r, b]]
        };
        for [l, t, r, b] in boxes {
            let (pw, ph) = (((r - l + 1) * cell) as f32, ((b - t + 1) * cell) as f32);
            if ph >= lo && ph <= hi && pw >= 2.0 * ph {
                runs.push([
                    (l * cell) as u32,
                    (t * cell) as u32,
                    ((r + 1) * cell).min(w) as u32,
                    ((b + 1) * cell).min(h) as u32,
                ]);
            }
        }
    }
    if let Some(zones) = within {
        runs.retain(|r| {
            let (cx, cy) = ((r[0] + r[2]) / 2, (r[1] + r[3]) / 2);
            zones
                .iter()
                .any(|z| cx >= z[0] && cx < z[2] && cy >= z[1] && cy < z[3])
        });
    }
    runs.sort_by_key(|r| std::cmp::Reverse(r[2] - r[0]));
    runs.truncate(MAX_RUNS);
    runs
}

/// Whether a prepared page was a bilevel scan: most of its samples pure black or white (a gray
/// scan's paper is noisy; deskewing a bilevel page grays only the edges of its ink).
fn from_bilevel(gray: &[u8]) -> bool {
    let pure = gray.iter().filter(|&&v| v == 0 || v == 255).count();
    pure * 2 > gray.len()
}

/// The bands of rows of `cells` (width `cw`) inside `bbox` (cells, inclusive) where at least
/// `min_cells` cells are on, each with the columns its cells span.
fn bands(cells: &[bool], cw: usize, bbox: [usize; 4], min_cells: usize) -> Vec<[usize; 4]> {
    let [l, t, r, b] = bbox;
    let mut out = Vec::new();
    let mut open: Option<[usize; 4]> = None;
    for y in t..=b {
        let row = &cells[y * cw + l..=y * cw + r];
        let on = row.iter().filter(|&&c| c).count();
        match (row.iter().position(|&c| c), row.iter().rposition(|&c| c)) {
            (Some(x0), Some(x1)) if on >= min_cells => {
                let band = open.get_or_insert([l + x0, y, l + x1, y]);
                band[0] = band[0].min(l + x0);
                band[2] = band[2].max(l + x1);
                band[3] = y;
            }
            _ => out.extend(open.take()),
        }
    }
    out.extend(open);
    out
}

/// The page inside `rect` with every pixel lighter than `threshold` turned to paper.
fn dropped_crop(
    gray: &[u8],
    w: usize,
    rect: [u32; 4],
    threshold: u8,
    like: &PreparedPage,
) -> Result<Option<PreparedPage>, OcrError> {
    let [l, t, r, b] = rect.map(|v| v as usize);
    if r <= l || b <= t {
        return Ok(None);
    }
    let mut out = Vec::with_capacity((r - l) * (b - t));
    for y in t..b {
        out.extend(
            gray[y * w + l..y * w + r]
                .iter()
                .map(|&v| if v < threshold { v } else { 255 }),
        );
    }
    PreparedPage::from_gray(out, (r - l) as u32, (b - t) as u32, like).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(bbox: [u32; 4], line: u32) -> OcrWord {
        OcrWord {
            text: "chữ".into(),
            bbox,
            confidence: 95.0,
            line,
            paragraph: 1,
            block: 1,
        }
    }

    /// A page of light paper with dark "text" blocks where the words are, a mid-gray ring
    /// (the seal) and, partly under it, a dark line no word covers (the name).
    fn page() -> (Vec<u8>, usize, usize, Vec<OcrWord>) {
        let (w, h) = (600usize, 800usize);
        let mut g = vec![240u8; w * h];
        let mut words = Vec::new();
        for i in 0..12u32 {
            let (l, t) = (60 + (i % 3) * 150, 60 + (i / 3) * 40);
            words.push(word([l, t, l + 120, t + 24], i / 3));
            for y in t as usize + 4..t as usize + 20 {
                for x in (l as usize + 2..l as usize + 118).step_by(3) {
                    g[y * w + x] = 30;
                }
            }
        }
        // The seal: a mid-gray ring.
        let (cx, cy, r) = (300f32, 560f32, 90f32);
        for y in 0..h {
            for x in 0..w {
                let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
                if (d - r).abs() < 5.0 {
                    g[y * w + x] = 110;
                }
            }
        }
        // The name: dark strokes on one line, from inside the ring to its right.
        for y in 640..662 {
            for x in (330..520).step_by(4) {
                g[y * w + x] = 35;
            }
        }
        (g, w, h, words)
    }

    /// The unread runs of a test page (100 dpi, lines 24 px tall), as `read_unread_ink` finds
    /// them: tall shapes cut into bands unless the page was bilevel.
    fn runs_at_100_dpi(
        g: &[u8],
        w: usize,
        h: usize,
        levels: &Levels,
        words: &[OcrWord],
    ) -> Vec<[u32; 4]> {
        let page = Gray { samples: g, w, h };
        unread_runs(page, 100.0, levels, words, 24, None, !from_bilevel(g))
    }

    #[test]
    fn the_line_under_a_seal_is_found_and_the_seals_ink_dropped() {
        let (g, w, h, words) = page();
        let levels = Levels::of(&g, w, &words).unwrap();
        assert!(
            levels.threshold > 35 && levels.threshold < 110,
            "{}",
            levels.threshold
        );
        let runs = runs_at_100_dpi(&g, w, h, &levels, &words);
        assert_eq!(runs.len(), 1, "{runs:?}");
        let run = runs[0];
        assert!(
            run[0] <= 332 && run[2] >= 516 && run[1] <= 640 && run[3] >= 660,
            "{run:?}"
        );
        // The ring is not a line (too tall), and the words read are not unread.
        assert!(run[1] > 500);
    }

    #[test]
    fn on_a_bilevel_page_the_line_joined_to_the_seal_stays_unread() {
        let (mut g, w, h, words) = page();
        for v in &mut g {
            *v = if *v < 200 { 0 } else { 255 };
        }
        // Text and seal alike are black: the name and the ring it touches are one shape, too
        // tall for a line.
        let levels = Levels::of(&g, w, &words).unwrap();
        assert!(from_bilevel(&g));
        assert!(runs_at_100_dpi(&g, w, h, &levels, &words).is_empty());
    }

    #[test]
    fn only_capitalised_words_of_letters_pass_the_lower_bar_for_names() {
        let line = |texts: &[&str]| -> Vec<OcrWord> {
            texts
                .iter()
                .map(|t| OcrWord {
                    text: t.to_string(),
                    ..word([0, 0, 10, 10], 1)
                })
                .collect()
        };
        assert!(capitalised_words(&line(&["Hồ", "Sỹ", "Nguyên"])));
        assert!(capitalised_words(&line(&["PHÓ", "CHỦ", "TỊCH"])));
        // What a seal's remains read as.
        assert!(!capitalised_words(&line(&["_—"])));
        assert!(!capitalised_words(&line(&["2ðfnh", "Tùng"])));
        assert!(!capitalised_words(&line(&["HA", "nỘ"])));
        assert!(!capitalised_words(&line(&["Tôn", "V.", "Ánh"])));
        // One word is not a name line.
        assert!(!capitalised_words(&line(&["Nguyên"])));
    }

    #[test]
    fn a_run_on_a_lines_baseline_beside_it_continues_that_line() {
        let mut words = vec![
            word([600, 500, 700, 524], 7),
            word([720, 500, 860, 524], 7),
            word([600, 560, 700, 584], 8),
        ];
        words[0].text = "Hồng".into();
        words[1].text = "Nhung".into();
        // The seal cut the name's first words off at the left.
        assert_eq!(beside(&words, [420, 502, 560, 526], 24), Some((1, 1, 7)));
        // A run a column away, or between the lines' baselines, is a line of its own.
        assert_eq!(beside(&words, [100, 502, 300, 526], 24), None);
        assert_eq!(beside(&words, [420, 530, 560, 552], 24), None);
    }

    #[test]
    fn a_poor_word_split_off_a_sure_line_is_read_with_it() {
        let at = |text: &str, bbox: [u32; 4], confidence: f32, line: u32| OcrWord {
            text: text.into(),
            bbox,
            confidence,
            line,
            paragraph: line,
            block: line,
        };
        // "Đặng" under the seal, read as a line of its own; "Văn Khoa" beside it.
        let words = vec![
            at("Màùg", [1478, 3050, 1631, 3122], 0.0, 34),
            at("TRƯỞNG", [1620, 2624, 1861, 2671], 94.7, 35),
            at("Văn", [1644, 3040, 1741, 3096], 94.6, 37),
            at("Khoa", [1758, 3057, 1883, 3096], 94.6, 37),
        ];
        assert_eq!(
            sure_line_beside(&words, (34, 34, 34), words[0].bbox),
            Some((37, 37, 37))
        );
        // Not a line on other rows, nor one far to the side.
        assert_eq!(
            sure_line_beside(&words, (34, 34, 34), [1478, 2800, 1631, 2860]),
            None
        );
        assert_eq!(
            sure_line_beside(&words, (34, 34, 34), [200, 3050, 400, 3122]),
            None
        );
        // The reading is kept only when it holds the sure line's words and more.
        let partner: Vec<&OcrWord> = words[2..].iter().collect();
        let read = |texts: &[&str]| -> Vec<OcrWord> {
            texts.iter().map(|t| at(t, [0, 0, 1, 1], 90.0, 1)).collect()
        };
        assert!(takes_in(&read(&["Đặng", "Văn", "Khoa"]), &partner));
        assert!(!takes_in(&read(&["Văn", "Khoa"]), &partner));
        assert!(!takes_in(&read(&["Đặng", "Vân", "Khoa"]), &partner));
    }

    #[test]
    fn lines_joined_by_a_signatures_strokes_are_cut_into_their_bands() {
        // 20 cells wide; a title on rows 1-2, a sparse stroke on rows 3-5, a name on rows 6-7.
        let (cw, ch) = (20usize, 9usize);
        let mut cells = vec![false; cw * ch];
        for y in [1usize, 2, 6, 7] {
            for x in 3..15 {
                cells[y * cw + x] = true;
            }
        }
        for y in 3..6 {
            cells[y * cw + 9] = true;
        }
        assert_eq!(
            bands(&cells, cw, [3, 1, 14, 7], 4),
            vec![[3, 1, 14, 2], [3, 6, 14, 7]]
        );
    }

    #[test]
    fn a_stray_mark_is_short_and_unsure_or_no_vietnamese_letter() {
        let w = |text: &str, confidence: f32| OcrWord {
            text: text.into(),
            confidence,
            ..word([0, 0, 10, 10], 1)
        };
        assert!(stray(&w("ƒ", 91.0)));
        assert!(stray(&w("~", 40.0)));
        assert!(!stray(&w("Lý", 91.0)));
        assert!(!stray(&w("Ư", 88.0)));
        assert!(!stray(&w("Đức", 30.0)));
    }

    /// An engine that reads the name sure only where the crop kept its lighter strokes (gray
    /// 95), and unsure but passable for a name where they were dropped.
    struct KeepsLightStrokes {
        asked: usize,
    }

    impl OcrEngine for KeepsLightStrokes {
        fn recognize(&mut self, page: &PreparedPage) -> Result<OcrPage, OcrError> {
            Ok(OcrPage::empty(page))
        }

        fn recognize_line(&mut self, line: &PreparedPage) -> Result<Option<OcrPage>, OcrError> {
            self.asked += 1;
            let light = line.gray()?.contains(&95);
            let (texts, confidence) = if light {
                (["Mạc", "Thị", "Huệ"], 95.0)
            } else {
                (["Mạc", "Fhị", "Huẹ"], 65.0)
            };
            let words = (0u32..)
                .zip(texts)
                .map(|(i, text)| OcrWord {
                    text: text.into(),
                    bbox: [10 + 60 * i, 5, 60 + 60 * i, 25],
                    confidence,
                    line: 0,
                    paragraph: 0,
                    block: 0,
                })
                .collect();
            Ok(Some(OcrPage::from_words(line, words)))
        }

        fn describe(&self) -> crate::ocr::EngineInfo {
            crate::ocr::EngineInfo::fake("light")
        }
    }

    #[test]
    fn an_unsure_reading_of_unread_ink_is_tried_at_other_levels_and_the_surest_kept() {
        let (mut g, w, h, words) = page();
        // The name's lighter strokes: dropped at the page's level, kept at a lighter one.
        for y in 640..662 {
            for x in (332..520).step_by(4) {
                g[y * w + x] = 95;
            }
        }
        let mut engine = KeepsLightStrokes { asked: 0 };
        let image = crate::source::PageImage {
            image: ::image::DynamicImage::ImageLuma8(
                ::image::GrayImage::from_raw(w as u32, h as u32, g).unwrap(),
            ),
            dpi: Some(100.0),
        };
        let prepared =
            super::super::prepare(&image, &super::super::Preprocess::none(), &mut engine).unwrap();
        let page = OcrPage::from_words(&prepared, words);
        let read = read_unread_ink(&mut engine, &prepared, page, None, None).unwrap();
        assert_eq!(read.lines_recovered, 1);
        let name: Vec<(&str, f32)> = read
            .words
            .iter()
            .filter(|w| w.bbox[1] >= 600)
            .map(|w| (w.text.as_str(), w.confidence))
            .collect();
        assert_eq!(name, [("Mạc", 95.0), ("Thị", 95.0), ("Huệ", 95.0)]);
        // The page's level, then the darker one, then the lighter one that read it sure.
        assert_eq!(engine.asked, 3);
    }

    /// A line of words read with these confidences.
    fn read_as(words: &[(&str, f32)]) -> Vec<OcrWord> {
        words
            .iter()
            .map(|&(text, confidence)| OcrWord {
                text: text.into(),
                confidence,
                ..word([0, 0, 10, 10], 1)
            })
            .collect()
    }

    #[test]
    fn a_name_line_sure_on_average_with_one_poor_word_is_read_again() {
        let line = read_as;
        // Agency bench 007: the seal's rim read as "À" before the family name.
        let name = line(&[("À", 91.0), ("\"Đặhg", 72.0), ("Văn", 96.0), ("Khoa", 97.0)]);
        assert!(mean_confidence(&name) >= POOR_LINE);
        assert!(name_with_a_poor_word(&name));
        // Read sure throughout, or a line of body text with one poor word: left as read.
        assert!(!name_with_a_poor_word(&line(&[
            ("Đặng", 95.0),
            ("Văn", 96.0),
            ("Khoa", 97.0)
        ])));
        assert!(!name_with_a_poor_word(&line(&[
            ("các", 95.0),
            ("đơn", 96.0),
            ("vị", 60.0),
            ("thực", 97.0),
            ("hiện", 97.0)
        ])));
    }

    #[test]
    fn marks_at_the_ends_of_a_recovered_line_are_not_its_words() {
        let line = read_as;
        let kept = without_edge_marks(line(&[("`", 5.0), ("THỨ", 80.0), ("TRƯỞNG", 82.0)]));
        assert_eq!(
            kept.iter().map(|w| w.text.as_str()).collect::<Vec<_>>(),
            ["THỨ", "TRƯỞNG"]
        );
        assert!(capitalised_words(&kept));
        // A mark between words stays: it is part of what was read.
        let kept = without_edge_marks(line(&[(":", 5.0), ("Hồ", 70.0), ("-", 9.0), ("Sỹ", 70.0)]));
        assert_eq!(kept.len(), 3);
        assert!(without_edge_marks(line(&[("_—", 10.0)])).is_empty());
    }
}
