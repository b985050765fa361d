//! Decree 30/2020 fields from single lines of text, tolerant of OCR damage.
//!
//! Each parser looks at one line (already placed by [`super::layout`]) and returns the value as
//! printed, repaired only where the repair is certain (a digit read as a letter inside a
//! number, "QD" for "QĐ" before a hyphen), plus how much the parse itself is worth (0..1),
//! which the caller multiplies by the line's text confidence.

use std::sync::LazyLock;

use regex::Regex;

use super::fold::{close_to, fold, words, Folded};
use super::text::tidy;

/// The document types of Decree 30/2020 (Appendix III) with their abbreviations in the
/// symbol. CÔNG VĂN has none: it is told by its "V/v" subject.
pub const DOC_TYPES: &[(&str, &str)] = &[
    ("NGHỊ QUYẾT", "NQ"),
    ("QUYẾT ĐỊNH", "QĐ"),
    ("CHỈ THỊ", "CT"),
    ("QUY CHẾ", "QC"),
    ("QUY ĐỊNH", "QyĐ"),
    ("THÔNG CÁO", "TC"),
    ("THÔNG BÁO", "TB"),
    ("HƯỚNG DẪN", "HD"),
    ("CHƯƠNG TRÌNH", "CTr"),
    ("KẾ HOẠCH", "KH"),
    ("PHƯƠNG ÁN", "PA"),
    ("ĐỀ ÁN", "ĐA"),
    ("DỰ ÁN", "DA"),
    ("BÁO CÁO", "BC"),
    ("BIÊN BẢN", "BB"),
    ("TỜ TRÌNH", "TTr"),
    ("HỢP ĐỒNG", "HĐ"),
    ("CÔNG ĐIỆN", "CĐ"),
    ("BẢN GHI NHỚ", "GN"),
    ("BẢN THỎA THUẬN", "TTh"),
    ("GIẤY ỦY QUYỀN", "GUQ"),
    ("GIẤY MỜI", "GM"),
    ("GIẤY GIỚI THIỆU", "GGT"),
    ("GIẤY NGHỈ PHÉP", "NP"),
    ("PHIẾU GỬI", "PG"),
    ("PHIẾU CHUYỂN", "PC"),
    ("PHIẾU BÁO", "PB"),
];

/// Legal normative documents (Law 80/2015/QH13) that offices file and exchange beside the
/// Decree 30 types, with the abbreviations of their symbols ("12/2020/TT-BTC").
pub const NORMATIVE_TYPES: &[(&str, &str)] = &[
    ("THÔNG TƯ", "TT"),
    ("NGHỊ ĐỊNH", "NĐ"),
    ("THÔNG TƯ LIÊN TỊCH", "TTLT"),
];

/// Every type a title or a symbol may name.
pub fn all_types() -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    DOC_TYPES.iter().chain(NORMATIVE_TYPES)
}

pub const CONG_VAN: &str = "CÔNG VĂN";

/// Urgency marks (độ khẩn), longest first so "THƯỢNG KHẨN" is not read as "KHẨN".
pub const URGENCY: &[&str] = &["HỎA TỐC HẸN GIỜ", "THƯỢNG KHẨN", "HỎA TỐC", "KHẨN"];
/// Confidentiality marks (độ mật).
pub const CONFIDENTIALITY: &[&str] = &["TUYỆT MẬT", "TỐI MẬT", "MẬT"];

/// Signing authority prefixes (Decree 30, Article 13).
pub const AUTHORITIES: &[&str] = &["TUQ.", "TM.", "KT.", "TL.", "Q."];

/// A parsed value and what the parse is worth (0..1).
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed<T> {
    pub value: T,
    pub certainty: f32,
}

fn parsed<T>(value: T, certainty: f32) -> Option<Parsed<T>> {
    Some(Parsed { value, certainty })
}

/// Number and symbol of "Số: 123/QĐ-UBND".
#[derive(Debug, Clone, PartialEq)]
pub struct NumberSymbol {
    pub number: String,
    pub symbol: String,
    pub number_symbol: String,
}

static NUMBER_LINE: LazyLock<Regex> = LazyLock::new(|| {
    // Folded text: "so" (Số, Sô, SỐ, S0), optional punctuation, the number (digits, or letters
    // OCR puts for digits), a slash (or what OCR makes of it), the symbol.
    // Normative documents put the year between them: "Số: 12/2020/TT-BTC".
    Regex::new(r"^\W{0,3}s[o0]\s*[:;.,]?\s*([0-9oil|]{1,6})\s*(?:[/|]\s*((?:19|20)[0-9]{2})\s*)?[/|l1]\s*([a-z0-9]{1,6}(?:\s*[-–—~]\s*[a-z0-9]{1,10}){0,3})")
        .expect("static regex")
});

/// Digits as OCR misreads them: O for 0, l/I/| for 1.
fn repair_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'O' | 'o' => '0',
            'l' | 'I' | '|' | 'i' => '1',
            c => c,
        })
        .collect()
}

/// Repairs a symbol as OCR damages it: hyphens of every dash kind, "QD" before a hyphen for
/// "QĐ", "HDND" for "HĐND", 0 inside letters for O. Other letters are left as printed.
pub fn repair_symbol(s: &str) -> String {
    let s: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| {
            if matches!(c, '–' | '—' | '~') {
                '-'
            } else {
                c
            }
        })
        .collect();
    let parts: Vec<String> = s
        .split('-')
        .map(|part| {
            let letters = part.chars().filter(|c| c.is_alphabetic()).count();
            let mut p: String = if letters * 2 > part.chars().count() {
                part.chars()
                    .map(|c| if c == '0' { 'O' } else { c })
                    .collect()
            } else {
                part.to_string()
            };
            // Only the spellings that cannot be anything else: no Decree 30 abbreviation is
            // "QD" or "HDND" without the bar.
            for (bad, good) in [("QD", "QĐ"), ("HDND", "HĐND"), ("QyD", "QyĐ")] {
                if p == bad {
                    p = good.to_string();
                }
            }
            if let Some(rest) = p.strip_prefix("HDND") {
                p = format!("HĐND{rest}");
            }
            p
        })
        .collect();
    parts.join("-")
}

/// "Số: 1234/QĐ-UBND" → number "1234", symbol "QĐ-UBND".
pub fn number_symbol(line: &str) -> Option<Parsed<NumberSymbol>> {
    let f = Folded::new(line);
    let caps = NUMBER_LINE.captures(&f.folded)?;
    let (n, s) = (caps.get(1)?, caps.get(3)?);
    let year = caps.get(2).map(|y| f.original_of(y.start(), y.end()));
    let number_raw = f.original_of(n.start(), n.end());
    let number = repair_digits(number_raw);
    let symbol_raw = f.original_of(s.start(), s.end());
    let symbol = repair_symbol(symbol_raw);
    if !symbol.chars().any(|c| c.is_alphabetic()) || !number.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let repaired = number != number_raw || symbol != symbol_raw.replace(' ', "");
    let certainty = if repaired { 0.8 } else { 0.95 };
    let number_symbol = match year {
        Some(y) => format!("{number}/{y}/{symbol}"),
        None => format!("{number}/{symbol}"),
    };
    parsed(
        NumberSymbol {
            number,
            symbol,
            number_symbol,
        },
        certainty,
    )
}

/// Where a number line's symbol ends in the printed text ("Số: 796/KH-STTTT Hải Phòng, ngày
/// ..." → the byte after "STTTT"): what follows may be the other column run into it.
pub fn number_line_end(line: &str) -> Option<usize> {
    let f = Folded::new(line);
    let caps = NUMBER_LINE.captures(&f.folded)?;
    let end = caps.get(3)?.end();
    Some(f.original_of(0, end).len())
}

static NUMBER_LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\W{0,3}s[o0]\s*[:;]").expect("static regex"));

/// A line that starts as a number line does ("Số:", "So :"), whether its number was read or
/// left blank ("Số: /QĐ-UBND" in a draft): never an agency name.
pub fn is_number_label(line: &str) -> bool {
    NUMBER_LINE.is_match(&fold(line)) || NUMBER_LABEL.is_match(&fold(line))
}

/// The document type that a symbol's first part abbreviates ("QĐ-UBND" → QUYẾT ĐỊNH).
pub fn doc_type_of_symbol(symbol: &str) -> Option<&'static str> {
    let first = symbol.split('-').next()?;
    all_types()
        .find(|(_, abbr)| fold(abbr) == fold(first))
        .map(|(name, _)| *name)
}

/// A title line that names a document type ("QUYẾT ĐỊNH", OCR-damaged "QUYÉT ĐJNH").
pub fn doc_type_title(line: &str) -> Option<Parsed<&'static str>> {
    let w = words(line);
    if w.is_empty() {
        return None;
    }
    let names = || all_types().map(|(n, _)| *n).chain([CONG_VAN]);
    if let Some(name) = names().find(|n| words(n) == w) {
        return parsed(name, 0.95);
    }
    // Damaged: the closest type within reach, and only when no other type is as close
    // ("THÔNG BÁO" and "THÔNG CÁO" are one letter apart).
    let mut close: Vec<(usize, &'static str)> = names()
        .filter(|n| close_to(&w, &words(n)))
        .map(|n| (super::fold::edit_distance(&w, &words(n)), n))
        .collect();
    close.sort();
    match close[..] {
        [(d, n)] => parsed(n, 0.8 - 0.05 * d as f32),
        [(d1, n), (d2, _), ..] if d1 < d2 => parsed(n, 0.7),
        _ => None,
    }
}

/// A line that is only an urgency or confidentiality mark (boxes OCR'd as | or [ ] are
/// ignored). Returns the mark in its canonical spelling.
pub fn mark(line: &str, marks: &[&'static str]) -> Option<Parsed<&'static str>> {
    let w = words(line);
    marks.iter().find_map(|m| {
        let target = words(m);
        if w == target {
            parsed(*m, 0.95)
        } else if target.len() >= 6 && close_to(&w, &target) {
            parsed(*m, 0.8)
        } else {
            None
        }
    })
}

/// Issue date and place of "Bắc Giang, ngày 20 tháng 8 năm 2019" or "Hà Nội, 20/8/2019".
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceDate {
    pub place: Option<String>,
    /// ISO 8601.
    pub date: String,
}

static WORDED_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"ng[a-z]{1,2}y?\s*([0-9oil|]{1,2})\s*th[a-z]{1,2}ng\s*([0-9oil|]{1,2})\s*n[a-z]m\s*([0-9oil|]{4})")
        .expect("static regex")
});
static NUMERIC_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^0-9])([0-9]{1,2})\s*[/.-]\s*([0-9]{1,2})\s*[/.-]\s*((?:19|20)[0-9]{2})(?:$|[^0-9])")
        .expect("static regex")
});

fn valid_date(y: &str, m: &str, d: &str) -> Option<String> {
    let (y, m, d): (i32, u32, u32) = (
        repair_digits(y).parse().ok()?,
        repair_digits(m).parse().ok()?,
        repair_digits(d).parse().ok()?,
    );
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    ((1900..=2100).contains(&y) && (1..=days).contains(&d)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

pub fn place_date(line: &str) -> Option<Parsed<PlaceDate>> {
    let f = Folded::new(line);
    let (caps, certainty) = match WORDED_DATE.captures(&f.folded) {
        Some(c) => (c, 0.95),
        None => (NUMERIC_DATE.captures(&f.folded)?, 0.85),
    };
    let whole = caps.get(0)?;
    let date = valid_date(
        f.original_of(caps.get(3)?.start(), caps.get(3)?.end()),
        f.original_of(caps.get(2)?.start(), caps.get(2)?.end()),
        f.original_of(caps.get(1)?.start(), caps.get(1)?.end()),
    )?;
    let before = f.original_of(0, whole.start());
    // Specks before the place (the motto's rule read as "_") are not part of it.
    let place = before
        .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | ';'))
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .trim();
    let place = (place.chars().filter(|c| c.is_alphabetic()).count() >= 2).then(|| tidy(place));
    parsed(PlaceDate { place, date }, certainty)
}

/// Whether a line opens the recipients list ("Nơi nhận:").
pub fn is_recipients_label(line: &str) -> bool {
    let w = words(line);
    w.starts_with("noi nhan") || close_to(w.get(..8.min(w.len())).unwrap_or(""), "noi nhan")
}

/// A recipients item: the text after the leading dash, or `None` for a continuation line.
pub fn recipient_item(line: &str) -> Option<String> {
    let t = line.trim_start();
    // A thick dash is often read as "=".
    let rest = t.strip_prefix(['-', '–', '—', '•', '~', '+', '*', '=', '_'])?;
    // A speck after the item's own punctuation (the edge of the seal, a box) is not text.
    let rest = rest.trim().trim_end_matches(['|', '_', '~', '\'']);
    (!rest.trim().is_empty()).then(|| archive_line(rest).unwrap_or_else(|| tidy(rest)))
}

/// A recipients item read by OCR, mended: the specks before its first word (a second mark
/// beside the dash) dropped, "(b/c)" and "(để b/c)", the copy sent "to report" (báo
/// cáo), written as printed: OCR reads the "c" as "€", "©" or "C", or drops it, and "để" as
/// "đế"; and an "Ñ" in a unit's code taken out ([`without_enye_in_codes`]). A text layer's
/// items are left as they are.
pub fn mended_recipient(item: &str) -> String {
    static REPORT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\((?:(?i:(?:để|đế|đê|de)) )?b/[cC€©¢e]?\)").expect("static regex")
    });
    let item = without_enye_in_codes(without_leading_specks(item));
    REPORT
        .replace_all(&item, |c: &regex::Captures| {
            if c[0].chars().count() > 5 {
                "(để b/c)"
            } else {
                "(b/c)"
            }
        })
        .into_owned()
}

/// Tesseract's Vietnamese model reads an "N" of a unit's code in capitals as "Ñ", a letter
/// Vietnamese does not have, or puts an "Ñ" beside it: "ÑNSNN", "NÑVY" for "NSNN", "NVY" (3
/// archive lines of the degraded bench's 84). Beside an "N" the "Ñ" goes; between capitals
/// alone it is the "N". An "Ñ" anywhere else is left as read.
fn without_enye_in_codes(item: &str) -> String {
    if !item.contains('Ñ') {
        return item.to_string();
    }
    let chars: Vec<char> = item.chars().collect();
    let capital = |c: Option<char>| c.is_some_and(|c| c.is_ascii_uppercase());
    let mut out = String::with_capacity(item.len());
    for (i, &c) in chars.iter().enumerate() {
        if c != 'Ñ' {
            out.push(c);
            continue;
        }
        let before = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let after = chars.get(i + 1).copied();
        if before == Some('N') || after == Some('N') {
            continue;
        }
        out.push(if capital(before) || capital(after) {
            'N'
        } else {
            c
        });
    }
    out
}

/// The list's last item, the archive line "Lưu: VT, TCCB." (Decree 30, Appendix I: "Lưu" then
/// "VT", the agency's records office, then the drafting unit and the copies kept), in its
/// printed form. It is a fixed formula, and OCR mangles it in the same few ways: the horn of
/// "ư" dropped ("Luu"), the space after the colon lost, "VT" read as "VI".
fn archive_line(item: &str) -> Option<String> {
    let (head, rest) = item.split_once(':')?;
    if fold(head.trim()) != "luu" {
        return None;
    }
    let rest = tidy(rest);
    let (first, more) = rest.split_once(',').unwrap_or((&rest, ""));
    let first = match first.trim() {
        "VI" | "V1" | "Vl" | "VÌ" | "VF" => "VT",
        f => f,
    };
    let more = if more.is_empty() {
        String::new()
    } else {
        format!(",{more}")
    };
    Some(format!("Lưu: {first}{more}"))
}

/// "KT. GIÁM ĐỐC" → ("KT.", "GIÁM ĐỐC"). OCR may write the dot as a comma or drop it.
pub fn authority(line: &str) -> Option<Parsed<(&'static str, String)>> {
    let t = line.trim();
    let f = fold(t);
    for a in AUTHORITIES {
        let bare = fold(a.trim_end_matches('.'));
        let Some(rest) = f.strip_prefix(&bare) else {
            continue;
        };
        let (certainty, skip) = match rest.chars().next() {
            Some('.') => (0.95, bare.len() + 1),
            Some(',') | Some(':') => (0.8, bare.len() + 1),
            Some(' ') => (0.7, bare.len()),
            _ => continue,
        };
        // The folded prefix is ASCII, so its length is the printed prefix's length too.
        let rest = t.get(skip..).unwrap_or("").trim();
        if rest.chars().filter(|c| c.is_alphabetic()).count() < 2 || !super::fold::is_upper(rest) {
            continue;
        }
        return parsed((*a, authority_object(rest)), certainty);
    }
    None
}

/// Titles of the people who sign administrative documents. A signer-block heading that reads
/// as one of them is written in its proper spelling: OCR loses tones and first letters of
/// these short bold lines ("HO GIÁM ĐỐC"), and there is no other title it could be.
pub const SIGNER_TITLES: &[&str] = &[
    "CHỦ TỊCH",
    "PHÓ CHỦ TỊCH",
    "GIÁM ĐỐC",
    "PHÓ GIÁM ĐỐC",
    "TỔNG GIÁM ĐỐC",
    "PHÓ TỔNG GIÁM ĐỐC",
    "BỘ TRƯỞNG",
    "THỨ TRƯỞNG",
    "TỔNG CỤC TRƯỞNG",
    "PHÓ TỔNG CỤC TRƯỞNG",
    "CỤC TRƯỞNG",
    "PHÓ CỤC TRƯỞNG",
    "VỤ TRƯỞNG",
    "PHÓ VỤ TRƯỞNG",
    "CHÁNH VĂN PHÒNG",
    "PHÓ CHÁNH VĂN PHÒNG",
    "CHÁNH THANH TRA",
    "PHÓ CHÁNH THANH TRA",
    "TRƯỞNG BAN",
    "PHÓ TRƯỞNG BAN",
    "TRƯỞNG PHÒNG",
    "PHÓ TRƯỞNG PHÒNG",
    "HIỆU TRƯỞNG",
    "PHÓ HIỆU TRƯỞNG",
    "VIỆN TRƯỞNG",
    "PHÓ VIỆN TRƯỞNG",
    "BÍ THƯ",
    "PHÓ BÍ THƯ",
];

/// Collective bodies signed for ("TM. ỦY BAN NHÂN DÂN"): Decree 30, Article 13.
pub const COLLECTIVE_BODIES: &[&str] = &[
    "ỦY BAN NHÂN DÂN",
    "HỘI ĐỒNG NHÂN DÂN",
    "THƯỜNG TRỰC HỘI ĐỒNG NHÂN DÂN",
    "CHÍNH PHỦ",
    "ỦY BAN THƯỜNG VỤ QUỐC HỘI",
    "BAN CHẤP HÀNH",
    "BAN THƯỜNG VỤ",
    "HỘI ĐỒNG",
    "BAN CHỈ ĐẠO",
    "BAN TỔ CHỨC",
];

/// A heading in its proper spelling when it reads as one of `known` (exactly once folded, or
/// as the single nearest within OCR reach), else as printed with less certainty.
fn canonical(line: &str, known: &[&str]) -> Parsed<String> {
    let w = words(line);
    if let Some(t) = known.iter().find(|t| words(t) == w) {
        return Parsed {
            value: t.to_string(),
            certainty: 0.9,
        };
    }
    let mut close: Vec<(usize, &str)> = known
        .iter()
        .filter(|t| close_to(&w, &words(t)))
        .map(|t| (super::fold::edit_distance(&w, &words(t)), *t))
        .collect();
    close.sort();
    match close[..] {
        [(_, t)] => Parsed {
            value: t.to_string(),
            certainty: 0.7,
        },
        [(d1, t), (d2, _), ..] if d1 < d2 => Parsed {
            value: t.to_string(),
            certainty: 0.65,
        },
        _ => Parsed {
            value: tidy(line),
            certainty: 0.6,
        },
    }
}

/// The title of the deputy who signs "KT." (ký thay) for the head whose title is `head`. Decree
/// 30 (Article 13) has a deputy sign for the head as "KT. <the head's title>" with the deputy's
/// own title under it, which is the head's with "PHÓ" before it, or "THỨ TRƯỞNG" under a
/// minister ("KT. BỘ TRƯỞNG"). `None` when that title is not one of [`SIGNER_TITLES`].
pub fn deputy_title(head: &str) -> Option<&'static str> {
    let deputy = match head {
        "BỘ TRƯỞNG" => "THỨ TRƯỞNG".to_string(),
        _ => format!("PHÓ {head}"),
    };
    SIGNER_TITLES.iter().find(|t| **t == deputy).copied()
}

/// The title of the head who signs "TM." (thay mặt) for a People's Committee or Council: its
/// chair ("TM. ỦY BAN NHÂN DÂN" / "CHỦ TỊCH"); a deputy would sign "KT. CHỦ TỊCH" under it.
/// `None` for other bodies, whose heads' titles vary (a standing committee, a steering board).
pub fn head_title(body: &str) -> Option<&'static str> {
    matches!(body, "ỦY BAN NHÂN DÂN" | "HỘI ĐỒNG NHÂN DÂN").then_some("CHỦ TỊCH")
}

/// A signer's title, in its proper spelling when it reads as a known title.
pub fn signer_title(line: &str) -> Parsed<String> {
    canonical(line, SIGNER_TITLES)
}

/// What an authority line signs for ("ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), in its proper spelling
/// when it reads as a collective body or a title.
pub fn authority_object(text: &str) -> String {
    let bodies = canonical(text, COLLECTIVE_BODIES);
    if bodies.certainty > 0.6 {
        return bodies.value;
    }
    canonical(text, SIGNER_TITLES).value
}

/// The prefix ("KT.") of the last authority in a `signing_authority` ("TM. ỦY BAN NHÂN DÂN KT.
/// CHỦ TỊCH" → "KT."): the one that qualifies the signer's own title.
pub fn authority_prefix(signing_authority: &str) -> Option<&'static str> {
    signing_authority
        .split_whitespace()
        .rev()
        .find_map(|w| AUTHORITIES.iter().find(|a| **a == w))
        .copied()
}

/// Vietnamese family names (họ), the common ones: a closed set, unlike given names. A signer's
/// name is printed in bold, and OCR misplaces its tone marks ("Ngõ", "Định", "Nguyên"); a first
/// word that differs from exactly one family name only by its marks is that family name.
pub const SURNAMES: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Đào", "Đoàn", "Trịnh", "Lương", "Lâm", "Mai", "Trương",
    "Hà", "Tạ", "Cao", "Chu", "Châu", "Lưu", "Tô", "Mạc", "Thái", "Tăng", "Tống", "Kiều", "Khổng",
    "Khúc", "Lại", "Lục", "Quách", "Triệu", "Vương", "Thân", "Thạch", "Doãn", "Đàm", "Đồng",
    "Giang", "Giáp", "Hứa", "Kha", "Lã", "Mẫn", "Nghiêm", "Nông", "Phùng", "Quan", "Tiêu", "Từ",
    "Âu", "Bạch", "Bế", "Cù", "Diệp", "Hầu", "Khuất", "Ninh", "Phí", "Tào", "Văn", "Vi", "La",
    "Lò", "Mã", "Ông", "Ung", "Cấn", "Cầm", "Chế", "Thiều", "Phương",
];

/// The family name a first word is, when it differs from exactly one of [`SURNAMES`] only by
/// its tone marks and hats.
fn family_name(word: &str) -> Option<&'static str> {
    let f = fold(word);
    sole_surname(|g| g == f)
}

/// The one family name whose folded form `fits`, if exactly one does.
fn sole_surname(fits: impl Fn(&str) -> bool) -> Option<&'static str> {
    let mut found = SURNAMES.iter().filter(|s| fits(&fold(s)));
    match (found.next(), found.next()) {
        (Some(s), None) => Some(s),
        _ => None,
    }
}

/// The family name a lower-case first word is once its first letter is put back, when exactly
/// one of [`SURNAMES`] is that word with one letter before it ("gô" → "Ngô"; "han" could be
/// Phan or Thân, and is none).
fn family_name_without_initial(word: &str) -> Option<&'static str> {
    let f = fold(word);
    if f.chars().count() < 2 {
        return None;
    }
    sole_surname(|g| g.chars().count() == f.chars().count() + 1 && g.ends_with(&f))
}

/// A person's name as signed: two to six words, each capitalised and made of letters.
pub fn person_name(line: &str) -> Option<Parsed<String>> {
    let t = tidy(line.trim_matches(|c: char| !c.is_alphanumeric()));
    let ws: Vec<&str> = t.split(' ').collect();
    if !(2..=6).contains(&ws.len()) {
        return None;
    }
    let capitalised = |w: &&str| {
        let mut cs = w.chars();
        cs.next().is_some_and(char::is_uppercase) && cs.all(char::is_alphabetic)
    };
    // The seal stands over the start of the name and can take its first letter ("gô Thanh
    // Tùng" for "Ngô Thanh Tùng"): a lower-case first word before capitalised ones is the
    // family name it can only be, and no name otherwise.
    if ws[0].chars().next().is_some_and(char::is_lowercase) {
        let rest = ws[1..].join(" ");
        let family = family_name_without_initial(ws[0]).filter(|_| {
            ws[0].chars().all(char::is_alphabetic)
                && ws[1..].iter().all(capitalised)
                && !super::fold::is_upper(&rest)
        })?;
        return parsed(format!("{family} {rest}"), 0.7);
    }
    if !ws.iter().all(capitalised) || super::fold::is_upper(&t) {
        return None;
    }
    match family_name(ws[0]) {
        Some(family) if family != ws[0] => {
            let rest = ws[1..].join(" ");
            parsed(format!("{family} {rest}"), 0.8)
        }
        _ => parsed(t, 0.9),
    }
}

/// The subject of a công văn, "V/v ..." (OCR: "VIv", "V/V", "Vlv", "V/ ", specks before it).
pub fn is_cong_van_subject(line: &str) -> bool {
    cong_van_prefix(line).is_some()
}

/// The length in bytes of a công văn subject's "V/v" as read, specks before it included.
fn cong_van_prefix(line: &str) -> Option<usize> {
    let start = line.len() - without_leading_specks(line).len();
    let f = fold(&line[start..]);
    if f.chars().count() <= 4 {
        return None;
    }
    // The first three non-space characters, as OCR may space them out ("V / v"); the "v"
    // after the slash may be lost ("V/ bảo đảm").
    let mut chars = line[start..]
        .char_indices()
        .filter(|(_, c)| !c.is_whitespace());
    let mut next = || chars.next().map(|(i, c)| (i, fold(&c.to_string())));
    let (Some((_, v)), Some((_, slash))) = (next(), next()) else {
        return None;
    };
    if v != "v" || !matches!(slash.as_str(), "/" | "l" | "i" | "|" | "1") {
        return None;
    }
    // A letter read for the slash only inside one word ("VIv"): "Vì vậy" is two.
    let one_word = |from: usize, to: usize| !line[start + from..start + to].contains(' ');
    match next() {
        Some((i, c)) if c == "v" && (slash == "/" || one_word(0, i)) => {
            Some(start + i + line[start + i..].chars().next()?.len_utf8())
        }
        // "V/ bảo đảm": only a slash, then a word, stands for "V/v".
        Some((i, _)) if slash == "/" && line[start..start + i].ends_with(' ') => Some(start + i),
        _ => None,
    }
}

/// A công văn subject in its printed form: specks before it dropped and "V/v" written as the
/// formula is, however OCR read it.
pub fn cong_van_subject(text: &str) -> String {
    match cong_van_prefix(text) {
        Some(end) => tidy(&format!("V/v {}", text[end..].trim_start())),
        None => tidy(without_leading_specks(text)),
    }
}

/// `text` without the marks OCR makes of specks before a line's first word ("-_ Quy định",
/// ".. V/v"): anything that is not a letter, a digit or an opening bracket or quote.
pub fn without_leading_specks(text: &str) -> &str {
    text.trim_start_matches(|c: char| !(c.is_alphanumeric() || "([\"“'".contains(c)))
}

/// Folded words that open a body paragraph, never part of a subject.
pub fn opens_body(line: &str) -> bool {
    let w = words(line);
    [
        "can cu",
        "kinh gui",
        "thuc hien",
        "xet de nghi",
        "theo de nghi",
    ]
    .iter()
    .any(|p| w.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_and_symbol_are_split_at_the_slash() {
        let p = number_symbol("Số: 1234/QĐ-UBND").unwrap();
        assert_eq!(p.value.number, "1234");
        assert_eq!(p.value.symbol, "QĐ-UBND");
        assert_eq!(p.value.number_symbol, "1234/QĐ-UBND");
        let p = number_symbol("Số: 58/TTr-SYT").unwrap();
        assert_eq!(p.value.symbol, "TTr-SYT");
        // A normative document's year between number and symbol.
        let p = number_symbol("Số: 12/2020/TT-BTC").unwrap();
        assert_eq!(p.value.number, "12");
        assert_eq!(p.value.symbol, "TT-BTC");
        assert_eq!(p.value.number_symbol, "12/2020/TT-BTC");
        assert!(is_number_label("Số:      /QĐ-UBND"));
        assert!(!is_number_label("Sở Tài chính"));
    }

    #[test]
    fn number_lines_damaged_by_ocr_are_repaired() {
        // Lost tone, barless Đ, O for 0 in the number, spaces around the hyphen.
        let p = number_symbol("Sô: 12O/QD - UBND").unwrap();
        assert_eq!(p.value.number, "120");
        assert_eq!(p.value.symbol, "QĐ-UBND");
        assert!(p.certainty < 0.9);
        let p = number_symbol("So 456/UBND-VP").unwrap();
        assert_eq!(p.value.number_symbol, "456/UBND-VP");
        assert_eq!(number_symbol("Số lượng người tham dự"), None);
        assert_eq!(number_symbol("Sở Tài chính"), None);
    }

    #[test]
    fn symbols_name_their_document_type() {
        assert_eq!(doc_type_of_symbol("QĐ-UBND"), Some("QUYẾT ĐỊNH"));
        assert_eq!(doc_type_of_symbol("TTr-SYT"), Some("TỜ TRÌNH"));
        assert_eq!(doc_type_of_symbol("KH-STC"), Some("KẾ HOẠCH"));
        // Công văn: the symbol starts with the agency, not a type.
        assert_eq!(doc_type_of_symbol("UBND-VP"), None);
    }

    #[test]
    fn titles_are_read_through_ocr_damage() {
        assert_eq!(doc_type_title("QUYẾT ĐỊNH").unwrap().value, "QUYẾT ĐỊNH");
        assert_eq!(doc_type_title("QUYET DINH").unwrap().value, "QUYẾT ĐỊNH");
        assert_eq!(doc_type_title("TỜ TRÌNH").unwrap().value, "TỜ TRÌNH");
        assert_eq!(doc_type_title("THONG BAO").unwrap().value, "THÔNG BÁO");
        assert_eq!(doc_type_title("Về việc phê duyệt"), None);
        // One letter from both THÔNG BÁO and THÔNG CÁO: no guess.
        assert_eq!(doc_type_title("THONG DAO"), None);
    }

    #[test]
    fn dates_in_words_and_in_figures() {
        let p = place_date("Bắc Giang, ngày 20 tháng 8 năm 2019").unwrap();
        assert_eq!(p.value.date, "2019-08-20");
        assert_eq!(p.value.place.as_deref(), Some("Bắc Giang"));
        let p = place_date("Hà Nội, ngày 03 tháng 02 năm 2020").unwrap();
        assert_eq!(p.value.date, "2020-02-03");
        let p = place_date("Hà Nội, 20/8/2019").unwrap();
        assert_eq!(p.value.date, "2019-08-20");
        assert_eq!(p.value.place.as_deref(), Some("Hà Nội"));
        // OCR: tones lost, O for 0.
        let p = place_date("Lục Nam, ngay O3 thang 02 nam 2020").unwrap();
        assert_eq!(p.value.date, "2020-02-03");
        // No 31st of April.
        assert_eq!(place_date("ngày 31 tháng 4 năm 2020"), None);
    }

    #[test]
    fn marks_are_whole_lines() {
        assert_eq!(mark("KHẨN", URGENCY).unwrap().value, "KHẨN");
        assert_eq!(mark("THƯỢNG KHẨN", URGENCY).unwrap().value, "THƯỢNG KHẨN");
        assert_eq!(mark("| HỎA TỐC |", URGENCY).unwrap().value, "HỎA TỐC");
        assert_eq!(mark("HOA TOC", URGENCY).unwrap().value, "HỎA TỐC");
        assert_eq!(mark("MẬT", CONFIDENTIALITY).unwrap().value, "MẬT");
        assert_eq!(mark("khẩn trương thực hiện", URGENCY), None);
    }

    #[test]
    fn signer_block_lines() {
        let a = authority("KT. GIÁM ĐỐC").unwrap();
        assert_eq!(a.value, ("KT.", "GIÁM ĐỐC".to_string()));
        let a = authority("TM, ỦY BAN NHÂN DÂN").unwrap();
        assert_eq!(a.value, ("TM.", "ỦY BAN NHÂN DÂN".to_string()));
        // OCR damage after the prefix is read as the body or title it must be.
        assert_eq!(
            authority("TM. ỦY BẠN NHÂN DÂN").unwrap().value.1,
            "ỦY BAN NHÂN DÂN"
        );
        assert_eq!(authority("KT. GIAM ĐỐC").unwrap().value.1, "GIÁM ĐỐC");
        assert_eq!(
            authority_prefix("TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH"),
            Some("KT.")
        );
        assert_eq!(authority("TUQ. BỘ TRƯỞNG").unwrap().value.0, "TUQ.");
        assert_eq!(authority("Kính gửi: Sở Y tế"), None);
        assert_eq!(person_name("Nguyễn Văn An").unwrap().value, "Nguyễn Văn An");
        // A family name whose marks OCR misplaced is that family name; given names stay as read.
        assert_eq!(
            person_name("Ngõ Thanh Tùng").unwrap().value,
            "Ngô Thanh Tùng"
        );
        assert_eq!(person_name("Định Công Sơn").unwrap().value, "Đinh Công Sơn");
        assert_eq!(person_name("Lâm Quốc Báo").unwrap().value, "Lâm Quốc Báo");
        assert_eq!(person_name("Dang Van Khoa").unwrap().value, "Đặng Van Khoa");
        assert_eq!(signer_title("PHO GIAM DOC").value, "PHÓ GIÁM ĐỐC");
        assert_eq!(signer_title("HO GIÁM ĐỐC").value, "PHÓ GIÁM ĐỐC");
        // Too damaged to tell PHÓ CHỦ TỊCH from CHỦ TỊCH: kept as printed, less sure.
        let t = signer_title("2 CHỦ TỊCH");
        assert_eq!(t.value, "2 CHỦ TỊCH");
        assert!(t.certainty < 0.7);
        assert_eq!(person_name("PHÓ GIÁM ĐỐC"), None);
        assert_eq!(person_name("Lưu: VT, TH."), None);
    }

    #[test]
    fn a_family_name_whose_first_letter_the_seal_took_is_put_back_when_only_one_fits() {
        let name = |l: &str| person_name(l).map(|p| (p.value, p.certainty));
        assert_eq!(
            name("gô Thanh Tùng"),
            Some(("Ngô Thanh Tùng".to_string(), 0.7))
        );
        assert_eq!(
            name("guyễn Văn An").map(|n| n.0).as_deref(),
            Some("Nguyễn Văn An")
        );
        // Phan or Thân; Lê or Bế: no name rather than a guess.
        assert_eq!(name("han Thị Mỹ Dung"), None);
        assert_eq!(name("ê Quang Vinh"), None);
        // Lower-case words are no name otherwise.
        assert_eq!(name("gô thanh Tùng"), None);
        assert_eq!(name("gô THANH TÙNG"), None);
        assert_eq!(name("đã ký"), None);
    }

    #[test]
    fn recipients_items_and_labels() {
        assert!(is_recipients_label("Nơi nhận:"));
        assert!(is_recipients_label("Noi nhan:"));
        assert_eq!(
            recipient_item("- Như Điều 3;").as_deref(),
            Some("Như Điều 3;")
        );
        assert_eq!(
            recipient_item("— Lưu: VT, TH.").as_deref(),
            Some("Lưu: VT, TH.")
        );
        assert_eq!(recipient_item("tỉnh;"), None);
        // The archive line, as OCR mangles it.
        assert_eq!(
            recipient_item("- Luu: VT, KGVX.").as_deref(),
            Some("Lưu: VT, KGVX.")
        );
        assert_eq!(
            recipient_item("- Lưu:VT, VP.").as_deref(),
            Some("Lưu: VT, VP.")
        );
        assert_eq!(
            recipient_item("- Lưu: VI, KHTC.").as_deref(),
            Some("Lưu: VT, KHTC.")
        );
        assert_eq!(recipient_item("- LƯU: VT.").as_deref(), Some("Lưu: VT."));
        assert_eq!(
            recipient_item("=Luu: VT, VP.").as_deref(),
            Some("Lưu: VT, VP.")
        );
        // Not the formula: kept as read.
        assert_eq!(
            recipient_item("- Lưu trữ lịch sử tỉnh;").as_deref(),
            Some("Lưu trữ lịch sử tỉnh;")
        );
        assert_eq!(
            recipient_item("- Lưu: VÌ Vv Pe").as_deref(),
            Some("Lưu: VÌ Vv Pe")
        );
        assert!(is_cong_van_subject("V/v tăng cường công tác"));
        assert!(is_cong_van_subject("Vlv tăng cường"));
        assert!(is_cong_van_subject("V / v tăng cường"));
        assert!(!is_cong_van_subject("Việc tăng cường"));
    }

    #[test]
    fn cong_van_subjects_are_found_and_written_through_ocr_specks() {
        // Degraded bench 051 and 063.
        assert!(is_cong_van_subject(
            ".. V/v cung cấp thông tin doanh nghiệp"
        ));
        assert!(is_cong_van_subject("V/ bảo đảm an toàn thông tin mạng"));
        assert_eq!(
            cong_van_subject(".. V/v cung cấp thông tin doanh nghiệp"),
            "V/v cung cấp thông tin doanh nghiệp"
        );
        assert_eq!(
            cong_van_subject("V/ bảo đảm an toàn thông tin mạng"),
            "V/v bảo đảm an toàn thông tin mạng"
        );
        assert_eq!(cong_van_subject("VIv tăng cường"), "V/v tăng cường");
        assert_eq!(cong_van_subject("V / v tăng cường"), "V/v tăng cường");
        // A slash alone stands for "V/v" only with a word after it, not inside a word.
        assert!(!is_cong_van_subject("V/2024 tăng cường"));
        assert!(!is_cong_van_subject("Vì vậy tăng cường"));
        assert_eq!(
            without_leading_specks("-_ Quy định mức thu"),
            "Quy định mức thu"
        );
        assert_eq!(without_leading_specks("(Kèm theo)"), "(Kèm theo)");
    }

    #[test]
    fn recipients_formulas_read_by_ocr_are_written_as_printed() {
        for (read, printed) in [
            ("- UBND tỉnh (b/€);", "UBND tỉnh (b/c);"),
            (
                "- Chủ tịch UBND thành phố (b/©);",
                "Chủ tịch UBND thành phố (b/c);",
            ),
            ("- Chủ tịch UBND tỉnh (b/C);", "Chủ tịch UBND tỉnh (b/c);"),
            ("- Chủ tịch UBND tỉnh (b/);", "Chủ tịch UBND tỉnh (b/c);"),
            ("- Bộ trưởng (đế b/c);", "Bộ trưởng (để b/c);"),
            ("- Lưu: VF, CCVC.", "Lưu: VT, CCVC."),
            ("- Lưu: VT, ÑNSNN.", "Lưu: VT, NSNN."),
            ("- Lưu: VT, NÑVY.", "Lưu: VT, NVY."),
            ("- Lưu: VT, ÑVY.", "Lưu: VT, NVY."),
            // A bullet read as "_", or a speck beside the dash.
            ("_ Như trên;", "Như trên;"),
            ("- . Văn phòng Chính phủ;", "Văn phòng Chính phủ;"),
        ] {
            let item = recipient_item(read).map(|i| mended_recipient(&i));
            assert_eq!(item.as_deref(), Some(printed), "{read}");
        }
        // Another abbreviation in brackets is left as read; so is an "Ñ" in a word, and a text
        // layer's item.
        assert_eq!(mended_recipient("Các sở (t/h);"), "Các sở (t/h);");
        assert_eq!(mended_recipient("Sở Giáo dục Ñinh;"), "Sở Giáo dục Ñinh;");
        assert_eq!(
            recipient_item("- UBND tỉnh (b/€);").as_deref(),
            Some("UBND tỉnh (b/€);")
        );
    }
}
