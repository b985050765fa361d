//! One printed agency name → what it names: which body (a central body, a body every province
//! has, a body below the province, or one the gazetteer does not list) and which place.
//!
//! "SỞ TÀI CHÍNH", "Sở Tài chính tỉnh Bắc Giang", "UBND TỈNH BẮC GIANG", "ỦY BAN NHÂN DÂN
//! HUYỆN LỤC NAM", "BỘ TÀI CHÍNH", and the same with tones lost or words run together. Names
//! are compared in their compact form (folded letters and digits, no spaces), so a name OCR
//! split or merged differently reads the same; what is not in the gazetteer keeps its printed
//! words for its key.

use super::fold::{fold, words};
use super::gazetteer::{compact, gazetteer, similarity, CentralBody, Department, Province};

/// Abbreviations of agency heads and place levels, expanded before reading: only those that
/// mean one thing in an agency name.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("ubnd", "uy ban nhan dan"),
    ("hdnd", "hoi dong nhan dan"),
    ("tp", "thanh pho"),
    ("tx", "thi xa"),
    ("tt", "thi tran"),
];

/// The words that start the name of an agency. A header line that starts with none of them
/// continues the name above it ("SỞ THÔNG TIN VÀ" / "TRUYỀN THÔNG"), and a name that starts
/// with none of them and is in no list is not an agency ("Số: 12/QĐ-UBND", "Kính gửi: ...").
pub const HEADS: &[&str] = &[
    "uy ban",
    "hoi dong",
    "so",
    "bo",
    "ban",
    "van phong",
    "tong cuc",
    "cuc",
    "chi cuc",
    "vu",
    "vien",
    "trung tam",
    "phong",
    "thanh tra",
    "kho bac",
    "ngan hang",
    "truong",
    "benh vien",
    "hoc vien",
    "dai hoc",
    "toa an",
    "kiem toan",
    "bao hiem",
    "chinh phu",
    "thu tuong",
    "quoc hoi",
    "chu tich",
    "cong ty",
    "tong cong ty",
    "doan",
    "hoi",
    "lien doan",
    "lien minh",
    "mat tran",
    "dai",
    "thong tan xa",
    "quy",
    "bao",
    "tap doan",
    "dang uy",
    "tinh uy",
    "thanh uy",
    "huyen uy",
];

/// Level words of administrative units, in the order they are tried (longest first).
const LEVELS: &[(&str, Level)] = &[
    ("thanhpho", Level::City),
    ("thitran", Level::Commune),
    ("thixa", Level::District),
    ("tinh", Level::Province),
    ("huyen", Level::District),
    ("quan", Level::District),
    ("phuong", Level::Commune),
    ("xa", Level::Commune),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Province,
    /// "thành phố": a province when the city is centrally run, else a city in a province.
    City,
    District,
    Commune,
}

/// Where a name says its body is.
#[derive(Debug, Clone, PartialEq)]
pub enum Place<'g> {
    Province(&'g Province),
    /// Below the province ("huyện Lục Nam", "thành phố Bắc Giang"): its key fragment,
    /// `huyen-luc-nam`, and the province when the name says it.
    Local {
        key: String,
        printed: String,
        province: Option<&'g Province>,
    },
}

/// What a name names.
#[derive(Debug, Clone, PartialEq)]
pub enum Body<'g> {
    Central(&'g CentralBody),
    /// A body every province has (People's Committee, a department).
    Provincial(&'g Department),
    /// The People's Committee or Council of a unit below the province: "uy-ban-nhan-dan",
    /// with the unit in the reading's place.
    LocalGovernment(&'g Department),
    /// A body the gazetteer does not list, keyed by its printed words: `tong-cuc-thue`.
    Unlisted {
        key: String,
        printed: String,
    },
}

/// A printed name read against the gazetteer.
#[derive(Debug, Clone, PartialEq)]
pub struct NameReading<'g> {
    pub body: Option<Body<'g>>,
    pub place: Option<Place<'g>>,
    /// How well the letters matched the listed names, 0..1 (1 for exact; what a name outside
    /// the lists can be worth).
    pub score: f32,
}

/// Folded words with the abbreviations expanded, and their compact form mapped back to them.
struct Spelled {
    /// The name as given.
    original: String,
    /// "so tai chinh tinh bac giang"
    words: String,
    /// "sotaichinhtinhbacgiang"
    compact: String,
    /// For each byte of `compact`, the byte of `words` it came from (one more for the end).
    at: Vec<usize>,
}

impl Spelled {
    fn new(name: &str) -> Self {
        let folded = words(name);
        let expanded: Vec<&str> = folded
            .split(' ')
            .filter(|w| !w.is_empty())
            .flat_map(|w| {
                ABBREVIATIONS
                    .iter()
                    .find(|(a, _)| *a == w)
                    .map(|(_, full)| full.split(' ').collect::<Vec<_>>())
                    .unwrap_or_else(|| vec![w])
            })
            .collect::<Vec<_>>();
        let words = expanded.join(" ");
        let mut compact_s = String::with_capacity(words.len());
        let mut at = Vec::with_capacity(words.len() + 1);
        for (i, c) in words.char_indices() {
            if c.is_alphanumeric() {
                compact_s.push(c);
                at.extend(std::iter::repeat_n(i, c.len_utf8()));
            }
        }
        at.push(words.len());
        // The same O-for-zero repair as every compact name.
        let compact_s = compact(&compact_s);
        Spelled {
            original: name.to_string(),
            words,
            compact: compact_s,
            at,
        }
    }

    /// The words from compact byte `i` on.
    fn words_from(&self, i: usize) -> &str {
        let w = self.at.get(i).copied().unwrap_or(self.words.len());
        self.words.get(w..).unwrap_or("").trim()
    }
}

fn hyphenate(words: &str) -> String {
    words.split_whitespace().collect::<Vec<_>>().join("-")
}

/// Whether a name starts with one of the [`HEADS`] of agency names (exactly, folded).
pub fn starts_with_head(name: &str) -> bool {
    let w = words(name);
    let first_expanded = Spelled::new(name).words;
    HEADS.iter().any(|h| {
        [w.as_str(), first_expanded.as_str()]
            .iter()
            .any(|s| *s == *h || s.starts_with(&format!("{h} ")))
    })
}

/// Whether a line names only a place: "TỈNH BẮC GIANG", "HUYỆN LỤC NAM" (the second line of a
/// name whose first line was lost, or the wrap of "ỦY BAN NHÂN DÂN" / "TỈNH BẮC GIANG").
pub fn starts_with_level(name: &str) -> bool {
    let s = Spelled::new(name);
    LEVELS.iter().any(|(l, _)| s.compact.starts_with(l)) && !starts_with_head(name)
}

/// Level words as printed in a name ("huyen" → "huyện").
const LEVEL_WORDS: &[(&str, &str)] = &[
    ("thanh pho", "thành phố"),
    ("thi tran", "thị trấn"),
    ("thi xa", "thị xã"),
    ("tinh", "tỉnh"),
    ("huyen", "huyện"),
    ("quan", "quận"),
    ("phuong", "phường"),
    ("xa", "xã"),
];

/// A place below the province as it reads in a name: "huyện Lục Nam" from "HUYỆN LỤC NAM" (the
/// printed words whose folded forms are the place's, capitalised; the level word in lower
/// case).
fn place_display(original: &str, folded_place: &str) -> String {
    let (level, name) = LEVEL_WORDS
        .iter()
        .find_map(|(f, shown)| {
            folded_place
                .strip_prefix(f)
                .filter(|rest| rest.is_empty() || rest.starts_with(' '))
                .map(|rest| (*shown, rest.trim()))
        })
        .unwrap_or(("", folded_place));
    let want: Vec<&str> = name.split(' ').filter(|w| !w.is_empty()).collect();
    let printed: Vec<&str> = original
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let tail = printed.len().checked_sub(want.len()).map(|i| &printed[i..]);
    let words: Vec<String> = match tail {
        Some(t)
            if t.iter()
                .map(|w| fold(w))
                .eq(want.iter().map(|w| w.to_string())) =>
        {
            t.iter()
                .map(|w| {
                    let lower = w.to_lowercase();
                    let mut cs = lower.chars();
                    cs.next()
                        .map(|f| f.to_uppercase().chain(cs).collect())
                        .unwrap_or_default()
                })
                .collect()
        }
        _ => want.iter().map(|w| w.to_string()).collect(),
    };
    let name = words.join(" ");
    if level.is_empty() {
        name
    } else {
        format!("{level} {name}")
    }
}

/// Reads a place: "tinhbacgiang", "thanhphohanoi", "huyenlucnam", "bacgiang".
fn read_place<'g>(s: &Spelled, from: usize) -> Option<(Place<'g>, f32)> {
    let g = gazetteer();
    let rest = s.compact.get(from..)?;
    if rest.is_empty() {
        return None;
    }
    let level = LEVELS.iter().find(|(l, _)| rest.starts_with(l));
    let (name_from, level) = match level {
        Some((l, level)) => (from + l.len(), Some(*level)),
        None => (from, None),
    };
    let name = s.compact.get(name_from..)?;
    if name.is_empty() {
        return None;
    }
    let province = g.province(name);
    let local = |province: Option<&'g Province>| {
        let folded = s.words_from(from).to_string();
        Place::Local {
            key: hyphenate(&folded),
            printed: place_display(&s.original, &folded),
            province,
        }
    };
    match (level, province) {
        (Some(Level::Province) | None, Some(h)) => Some((Place::Province(h.entry), h.score)),
        (Some(Level::City), Some(h)) if h.entry.is_city() => {
            Some((Place::Province(h.entry), h.score))
        }
        // "thành phố Bắc Giang": the provincial city of Bắc Giang province.
        (Some(Level::City), Some(h)) => Some((local(Some(h.entry)), h.score)),
        (Some(Level::City | Level::District | Level::Commune), None) => Some((local(None), 0.9)),
        _ => None,
    }
}

/// Reads a printed agency name.
pub fn read(name: &str) -> NameReading<'static> {
    let whole = read_one(name);
    let unknown_place = matches!(whole.place, Some(Place::Local { province: None, .. }));
    if whole.score >= 1.0 && !unknown_place {
        return whole;
    }
    match read_parent_and_body(name) {
        Some(split) if unknown_place || split.score > whole.score => split,
        _ => whole,
    }
}

/// A province's People's Committee (or the province alone) and one of its departments run into
/// one line: "UBND TP. ĐÀ NẴNG SỞ NỘI VỤ". OCR joins the header's two lines when they sit
/// close, and read whole such a line is a committee of an unknown place "thành phố Đà Nẵng Sở
/// Nội vụ". Tried at every word boundary; the best split whose halves are a province's parent
/// and a department of that province wins.
fn read_parent_and_body(name: &str) -> Option<NameReading<'static>> {
    let words: Vec<&str> = name.split_whitespace().collect();
    let mut best: Option<NameReading<'static>> = None;
    for k in 1..words.len() {
        let (left, right) = (words[..k].join(" "), words[k..].join(" "));
        let parent = read_one(&left);
        let Some(Place::Province(province)) = parent.place else {
            continue;
        };
        let is_parent = match &parent.body {
            None => true,
            Some(Body::Provincial(d)) => d.is_government(),
            Some(_) => false,
        };
        if !is_parent {
            continue;
        }
        let body = read_one(&right);
        let Some(Body::Provincial(department)) = body.body else {
            continue;
        };
        let same_place = match &body.place {
            None => true,
            Some(Place::Province(p)) => p.key == province.key,
            Some(Place::Local { .. }) => false,
        };
        if department.is_government() || !same_place {
            continue;
        }
        let (l, r) = (compact(&left).len() as f32, compact(&right).len() as f32);
        let score = (parent.score * l + body.score * r) / (l + r).max(1.0);
        if best.as_ref().is_none_or(|b| score > b.score) {
            best = Some(NameReading {
                body: Some(Body::Provincial(department)),
                place: Some(Place::Province(province)),
                score,
            });
        }
    }
    best
}

/// Reads a printed agency name as one name.
fn read_one(name: &str) -> NameReading<'static> {
    let g = gazetteer();
    let s = Spelled::new(name);
    let c = s.compact.as_str();
    let none = NameReading {
        body: None,
        place: None,
        score: 0.0,
    };
    // An agency name has no figures: a number line that lost its "Số" is not one.
    if c.is_empty()
        || c.chars().filter(char::is_ascii_digit).count() >= 2
        || name.contains([':', '/'])
    {
        return none;
    }
    // A central body (the whole name), or a body every province has followed by its place:
    // whichever reads better ("SỞ TÀI CHÍNH" is one letter from "BỘ TÀI CHÍNH").
    let central_whole = g.central_body(name).map(|h| NameReading {
        body: Some(Body::Central(h.entry)),
        place: None,
        score: h.score,
    });
    let provincial = g.department_prefix(c).and_then(|d| {
        let place = read_place(&s, d.len);
        if d.len < c.len() && place.is_none() {
            return None;
        }
        let body = match (&place, d.entry.is_government()) {
            (Some((Place::Local { .. }, _)), true) => Body::LocalGovernment(d.entry),
            _ => Body::Provincial(d.entry),
        };
        let score = match &place {
            Some((_, ps)) => {
                (d.score * d.len as f32 + ps * (c.len() - d.len) as f32) / c.len() as f32
            }
            None => d.score,
        };
        Some(NameReading {
            body: Some(body),
            place: place.map(|(p, _)| p),
            score,
        })
    });
    match (central_whole, provincial) {
        (Some(a), Some(b)) if (a.score - b.score).abs() < 0.02 && a.score < 1.0 => return none,
        (Some(a), Some(b)) => return if a.score > b.score { a } else { b },
        (Some(a), None) | (None, Some(a)) => return a,
        (None, None) => {}
    }
    let central = g.central_prefix(c);
    // A central body followed by something that is not a place: its name as printed wins
    // over a department name that happens to start the same way.
    if let Some(cb) = central.filter(|h| h.len >= c.len()) {
        return NameReading {
            body: Some(Body::Central(cb.entry)),
            place: None,
            score: cb.score,
        };
    }
    // A name only of a place: the wrap of a People's Committee name whose first line is lost.
    if let Some((place, score)) = read_place(&s, 0) {
        if LEVELS.iter().any(|(l, _)| c.starts_with(l)) {
            return NameReading {
                body: None,
                place: Some(place),
                score,
            };
        }
    }
    // Not listed: an agency by its head word, keyed by its words. A place inside it ("TRUNG
    // TÂM Y TẾ HUYỆN LỤC NAM") stays part of its name.
    if starts_with_head(name) {
        let printed = s.words.clone();
        return NameReading {
            body: Some(Body::Unlisted {
                key: hyphenate(&printed),
                printed: tidy_caps(name),
            }),
            place: None,
            score: 0.75,
        };
    }
    none
}

/// A printed name as it reads in a sentence ("TỔNG CỤC THUẾ" → "Tổng cục Thuế" cannot be
/// known without a dictionary, so a name in capitals keeps its first letter and lowers the
/// rest; a name already in mixed case is kept).
fn tidy_caps(name: &str) -> String {
    let t = super::text::tidy(name);
    if !super::fold::is_upper(&t) {
        return t;
    }
    let lower = t.to_lowercase();
    let mut cs = lower.chars();
    match cs.next() {
        Some(f) => f.to_uppercase().chain(cs).collect(),
        None => String::new(),
    }
}

/// How well two printed names read as the same (compact similarity), for clustering names
/// the gazetteer does not list.
pub fn name_similarity(a: &str, b: &str) -> f32 {
    similarity(&compact(a), &compact(b))
}

/// Whether the folded text is the name of the national title or motto (never an agency, even
/// when a layout puts it in the left column).
pub fn is_national_heading(text: &str) -> bool {
    let f = fold(text);
    let c: String = f.chars().filter(|c| c.is_alphanumeric()).collect();
    [
        "conghoaxahoichunghiavietnam",
        "doclaptudohanhphuc",
        "doclap",
    ]
    .iter()
    .any(|h| {
        c.starts_with(h) || (c.len() >= 12 && similarity(&c[..c.len().min(h.len())], h) >= 0.8)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_key(r: &NameReading) -> Option<String> {
        r.body.as_ref().map(|b| match b {
            Body::Central(c) => c.key.clone(),
            Body::Provincial(d) | Body::LocalGovernment(d) => d.key.clone(),
            Body::Unlisted { key, .. } => key.clone(),
        })
    }
    fn place_key(r: &NameReading) -> Option<String> {
        r.place.as_ref().map(|p| match p {
            Place::Province(p) => p.key.clone(),
            Place::Local { key, .. } => key.clone(),
        })
    }

    #[test]
    fn a_department_and_its_province_are_read_from_one_name() {
        let r = read("Sở Tài chính tỉnh Bắc Giang");
        assert_eq!(body_key(&r).as_deref(), Some("so-tai-chinh"));
        assert_eq!(place_key(&r).as_deref(), Some("bac-giang"));
        let r = read("SỞ TÀI CHÍNH");
        assert_eq!(body_key(&r).as_deref(), Some("so-tai-chinh"));
        assert_eq!(r.place, None);
        // OCR: tones lost and words run together.
        let r = read("SO THONG TIN VATRUYEN THONG");
        assert_eq!(
            body_key(&r).as_deref(),
            Some("so-thong-tin-va-truyen-thong")
        );
    }

    #[test]
    fn peoples_committees_are_read_in_every_usual_form() {
        for name in [
            "UBND TỈNH BẮC GIANG",
            "ỦY BAN NHÂN DÂN TỈNH BẮC GIANG",
            "UỶ BAN NHÂN DÂN TỈNH BẮCGIANG",
            "UY BAN NHAN DAN TINH BAC GIANG",
        ] {
            let r = read(name);
            assert_eq!(body_key(&r).as_deref(), Some("uy-ban-nhan-dan"), "{name}");
            assert_eq!(place_key(&r).as_deref(), Some("bac-giang"), "{name}");
        }
        let r = read("UBND TP. HẢI PHÒNG");
        assert_eq!(place_key(&r).as_deref(), Some("hai-phong"));
        // A district, and a provincial city, are below the province.
        let r = read("ỦY BAN NHÂN DÂN HUYỆN LỤC NAM");
        assert!(matches!(r.body, Some(Body::LocalGovernment(_))));
        assert!(matches!(
            &r.place,
            Some(Place::Local { printed, .. }) if printed == "huyện Lục Nam"
        ));
        assert_eq!(place_key(&r).as_deref(), Some("huyen-luc-nam"));
        let r = read("UBND THÀNH PHỐ BẮC GIANG");
        assert!(matches!(
            r.place,
            Some(Place::Local { province: Some(p), .. }) if p.key == "bac-giang"
        ));
    }

    #[test]
    fn a_parent_and_its_department_run_into_one_line_read_as_the_department() {
        for line in [
            "UBND TP. ĐÀ NẴNG SỚỞNỘI VỤ",
            "UBND TP. ĐÀ NẴNG SỞ NỘI VỤ",
            "ỦY BAN NHÂN DÂN TỈNH BẮC GIANG SỞ TÀI CHÍNH",
        ] {
            let r = read(line);
            assert!(
                matches!(r.body, Some(Body::Provincial(d)) if !d.is_government()),
                "{line}"
            );
            assert!(matches!(r.place, Some(Place::Province(_))), "{line}");
        }
        assert_eq!(
            body_key(&read("UBND TP. ĐÀ NẴNG SỚỞNỘI VỤ")).as_deref(),
            Some("so-noi-vu")
        );
        assert_eq!(
            place_key(&read("UBND TP. ĐÀ NẴNG SỚỞNỘI VỤ")).as_deref(),
            Some("da-nang")
        );
        // A committee below the province is not split.
        let r = read("UBND THÀNH PHỐ BẮC GIANG");
        assert!(matches!(r.body, Some(Body::LocalGovernment(_))));
    }

    #[test]
    fn central_bodies_places_and_unlisted_agencies() {
        assert_eq!(
            body_key(&read("BỘ TÀI CHÍNH")).as_deref(),
            Some("bo-tai-chinh")
        );
        assert_eq!(
            body_key(&read("VĂN PHÒNG CHÍNH PHỦ")).as_deref(),
            Some("van-phong-chinh-phu")
        );
        let r = read("TỈNH BẮC GIANG");
        assert_eq!(r.body, None);
        assert_eq!(place_key(&r).as_deref(), Some("bac-giang"));
        let r = read("TỔNG CỤC THUẾ");
        assert_eq!(body_key(&r).as_deref(), Some("tong-cuc-thue"));
        // Lines that are not agencies.
        for line in [
            "Số: 620/BC-UBND",
            "V/v đôn đốc thực hiện cải cách hành chính",
            "Kính gửi: Các phòng, ban thuộc Sở",
            "Nơi nhận:",
        ] {
            assert_eq!(read(line).body, None, "{line}");
        }
        assert!(is_national_heading("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
        assert!(is_national_heading("Độc lập - Tự do - Hạnh phúc"));
        assert!(!is_national_heading("SỞ Y TẾ"));
    }
}
