//! The agencies kyso knows without being told: the provinces (the 63 before 1 July 2025, the 34
//! after, and which old province went into which new one), the central bodies (ministries,
//! ministry-level bodies, the Government Office, ...) and the standard bodies of a province
//! (People's Committee and Council, the departments, before and after their 2025 merges).
//!
//! The facts are data, not code: the TOML files beside this module, each citing its sources
//! (docs/gazetteer.md), compiled into the binary so a scan needs no file at run time. This
//! module only loads them and answers one question: which entry does a printed name, an
//! abbreviation or a place read as, allowing the damage OCR does.

use std::sync::LazyLock;

use serde::Deserialize;

use super::fold::{edit_distance, fold};

const PROVINCES: &str = include_str!("provinces.toml");
const CENTRAL: &str = include_str!("central.toml");
const DEPARTMENTS: &str = include_str!("departments.toml");

/// A province-level unit (tỉnh, or thành phố trực thuộc trung ương).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Province {
    /// Folded name without its level word: `bac-giang`, `ho-chi-minh`.
    pub key: String,
    /// Name without its level word: "Bắc Giang".
    pub name: String,
    /// `tinh` or `thanh-pho`, as of the data's date.
    pub kind: String,
    #[serde(default)]
    pub previous_kind: Option<String>,
    #[serde(default)]
    pub kind_changed: Option<String>,
    #[serde(default)]
    pub gso_code: Option<String>,
    #[serde(default)]
    pub gso_code_2025: Option<String>,
    pub before_2025: bool,
    pub after_2025: bool,
    /// The post-2025 province this one was merged into.
    #[serde(default)]
    pub merged_into: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub edxml_code: Option<String>,
    /// The name with its level word, where it is not "tỉnh X" / "thành phố X".
    #[serde(default)]
    pub full_name: Option<String>,
}

impl Province {
    /// Whether the unit is (or was) a centrally-run city: "thành phố X" then names the
    /// province itself, not a city inside a province.
    pub fn is_city(&self) -> bool {
        self.kind == "thanh-pho" || self.previous_kind.as_deref() == Some("thanh-pho")
    }

    /// "tỉnh Bắc Giang", "thành phố Hà Nội": how a name of a body in it ends.
    pub fn full_name(&self) -> String {
        if let Some(f) = &self.full_name {
            return f.clone();
        }
        let level = if self.kind == "thanh-pho" {
            "thành phố"
        } else {
            "tỉnh"
        };
        format!("{level} {}", self.name)
    }
}

/// A central body: a ministry, a ministry-level body, a government agency, or one of the other
/// bodies that issue administrative documents at the centre.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CentralBody {
    pub key: String,
    pub name: String,
    pub kind: String,
    /// Abbreviations printed in document symbols ("TT-BTC").
    #[serde(default)]
    pub symbols: Vec<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub before_2025: bool,
    pub after_2025: bool,
    #[serde(default)]
    pub merged_into: Option<String>,
    #[serde(default)]
    pub edxml_code: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A body every province has (or had): the People's Committee and Council, the departments
/// (sở) and the bodies of their rank. Keyed with its province in records.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Department {
    pub key: String,
    pub name: String,
    /// `chinh-quyen` (People's Committee, People's Council), `so`, `tuong-duong-so`.
    pub kind: String,
    #[serde(default)]
    pub symbols: Vec<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub before_2025: bool,
    pub after_2025: bool,
    #[serde(default)]
    pub merged_into: Option<String>,
    #[serde(default)]
    pub only_some: bool,
    #[serde(default)]
    pub note: Option<String>,
}

impl Department {
    /// The People's Committee or Council: the province's own government, whose name is followed
    /// by the province's level word ("Ủy ban nhân dân tỉnh Bắc Giang").
    pub fn is_government(&self) -> bool {
        self.kind == "chinh-quyen"
    }
}

#[derive(Deserialize)]
struct ProvinceFile {
    province: Vec<Province>,
}
#[derive(Deserialize)]
struct CentralFile {
    body: Vec<CentralBody>,
}
#[derive(Deserialize)]
struct DepartmentFile {
    department: Vec<Department>,
}

/// One way of writing an entry, in the form names are compared in: folded, letters and digits
/// only. Without spaces, a name whose words OCR ran together or split apart still compares
/// equal.
#[derive(Debug, Clone)]
struct Spelling {
    compact: String,
    entry: usize,
}

/// The three lists and their spellings.
#[derive(Debug)]
pub struct Gazetteer {
    pub provinces: Vec<Province>,
    pub central: Vec<CentralBody>,
    pub departments: Vec<Department>,
    province_names: Vec<Spelling>,
    central_names: Vec<Spelling>,
    department_names: Vec<Spelling>,
}

/// A name matched to an entry, and how well (1.0: the same letters).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit<'g, T> {
    pub entry: &'g T,
    pub score: f32,
    /// How many bytes of the compact text the match took (for a match at the start).
    pub len: usize,
}

/// The form names are compared in: folded, letters and digits only; a zero among letters is
/// the letter O that OCR took for a digit.
pub fn compact(s: &str) -> String {
    let f: Vec<char> = fold(s).chars().filter(|c| c.is_alphanumeric()).collect();
    let letters = f.iter().filter(|c| c.is_alphabetic()).count();
    f.iter()
        .map(|&c| {
            if c == '0' && letters * 2 > f.len() {
                'o'
            } else {
                c
            }
        })
        .collect()
}

/// How alike two compact names are: 1 − edits / length of the longer.
pub fn similarity(a: &str, b: &str) -> f32 {
    let n = a.len().max(b.len());
    if n == 0 {
        return 0.0;
    }
    1.0 - edit_distance(a, b) as f32 / n as f32
}

/// The least similarity a fuzzy match needs: short names must be nearly exact (one edit in a
/// name of five letters is another name), long ones tolerate one edit in six letters.
fn needed(len: usize) -> f32 {
    match len {
        0..=4 => 1.0,
        5..=8 => 0.85,
        _ => 0.8,
    }
}

impl Gazetteer {
    fn load() -> Result<Gazetteer, String> {
        let mut provinces = toml::from_str::<ProvinceFile>(PROVINCES)
            .map_err(|e| format!("provinces.toml: {e}"))?
            .province;
        // An official name with its level word ("Thành phố Hồ Chí Minh") is how the date line
        // writes the place, so it is a spelling too.
        for p in &mut provinces {
            if let Some(full) = p.full_name.clone().filter(|f| !p.aliases.contains(f)) {
                p.aliases.push(full);
            }
        }
        let central = toml::from_str::<CentralFile>(CENTRAL)
            .map_err(|e| format!("central.toml: {e}"))?
            .body;
        let departments = toml::from_str::<DepartmentFile>(DEPARTMENTS)
            .map_err(|e| format!("departments.toml: {e}"))?
            .department;
        let province_names = spell(provinces.iter().map(|p| (&p.name, &p.aliases)));
        let central_names = spell(central.iter().map(|b| (&b.name, &b.aliases)));
        let department_names = spell(departments.iter().map(|d| (&d.name, &d.aliases)));
        Ok(Gazetteer {
            provinces,
            central,
            departments,
            province_names,
            central_names,
            department_names,
        })
    }

    /// The province a place name reads as ("Bắc Giang", "BAC GIANG", "TP. Hồ Chí Minh", with
    /// OCR damage), when exactly one reads best.
    pub fn province(&self, name: &str) -> Option<Hit<'_, Province>> {
        let c = compact(name);
        best_whole(&self.province_names, &c).map(|(i, score)| Hit {
            entry: &self.provinces[i],
            score,
            len: c.len(),
        })
    }

    /// A province by its key.
    pub fn province_by_key(&self, key: &str) -> Option<&Province> {
        self.provinces.iter().find(|p| p.key == key)
    }

    /// The central body a whole name reads as.
    pub fn central_body(&self, name: &str) -> Option<Hit<'_, CentralBody>> {
        let c = compact(name);
        best_whole(&self.central_names, &c).map(|(i, score)| Hit {
            entry: &self.central[i],
            score,
            len: c.len(),
        })
    }

    pub fn central_by_key(&self, key: &str) -> Option<&CentralBody> {
        self.central.iter().find(|b| b.key == key)
    }

    pub fn department_by_key(&self, key: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.key == key)
    }

    /// The department whose name the compact text starts with ("sotaichinhtinhbacgiang" starts
    /// with Sở Tài chính), the longest that reads well: the rest is the place.
    pub fn department_prefix(&self, compact_text: &str) -> Option<Hit<'_, Department>> {
        best_prefix(&self.department_names, compact_text).map(|(i, score, len)| Hit {
            entry: &self.departments[i],
            score,
            len,
        })
    }

    /// The central body whose name the compact text starts with.
    pub fn central_prefix(&self, compact_text: &str) -> Option<Hit<'_, CentralBody>> {
        best_prefix(&self.central_names, compact_text).map(|(i, score, len)| Hit {
            entry: &self.central[i],
            score,
            len,
        })
    }

    /// The departments and central bodies whose symbol is `abbreviation` (exactly, folded):
    /// "STC" → Sở Tài chính, "BTC" → Bộ Tài chính, "UBND" → Ủy ban nhân dân.
    pub fn by_symbol(&self, abbreviation: &str) -> (Vec<&Department>, Vec<&CentralBody>) {
        let a = compact(abbreviation);
        let same = |s: &String| compact(s) == a;
        (
            self.departments
                .iter()
                .filter(|d| d.symbols.iter().any(same))
                .collect(),
            self.central
                .iter()
                .filter(|b| b.symbols.iter().any(same))
                .collect(),
        )
    }
}

/// Every spelling of every entry (its name and its aliases), in compact form, with the entry's
/// index.
fn spell<'a>(entries: impl Iterator<Item = (&'a String, &'a Vec<String>)>) -> Vec<Spelling> {
    entries
        .enumerate()
        .flat_map(|(entry, (name, aliases))| {
            std::iter::once(name).chain(aliases).map(move |n| Spelling {
                compact: compact(n),
                entry,
            })
        })
        .filter(|s| !s.compact.is_empty())
        .collect()
}

/// The entry whose spelling reads best as the whole of `c`, if it reads well enough and no
/// other entry reads as well.
fn best_whole(names: &[Spelling], c: &str) -> Option<(usize, f32)> {
    if c.is_empty() {
        return None;
    }
    let mut best: Option<(usize, f32)> = None;
    let mut second = 0.0f32;
    for s in names {
        // Lengths too far apart cannot reach the bar; skip the edit distance.
        if s.compact.len().abs_diff(c.len()) * 5 > s.compact.len().max(c.len()) {
            continue;
        }
        let score = similarity(&s.compact, c);
        match best {
            Some((e, b)) if score > b => {
                if e != s.entry {
                    second = second.max(b);
                }
                best = Some((s.entry, score));
            }
            Some((e, _)) if e != s.entry => second = second.max(score),
            None => best = Some((s.entry, score)),
            _ => {}
        }
    }
    let (entry, score) = best?;
    (score >= needed(c.len()) && score > second).then_some((entry, score))
}

/// The entry whose spelling reads best as a prefix of `c`, with how many bytes it took. Exact
/// prefixes win; a fuzzy prefix is tried at lengths near the spelling's own.
fn best_prefix(names: &[Spelling], c: &str) -> Option<(usize, f32, usize)> {
    let mut best: Option<(usize, f32, usize)> = None;
    for s in names {
        let n = s.compact.len();
        let (score, len) = if c.starts_with(&s.compact) {
            (1.0, n)
        } else {
            if n < 5 {
                continue;
            }
            let slack = n / 6 + 1;
            let mut found = (0.0f32, 0);
            for len in n.saturating_sub(slack)..=(n + slack).min(c.len()) {
                let Some(head) = c.get(..len) else { continue };
                let sc = similarity(&s.compact, head);
                if sc > found.0 {
                    found = (sc, len);
                }
            }
            found
        };
        if score < needed(n) {
            continue;
        }
        // The longer name wins at equal score ("Sở Giao thông vận tải" over "Sở Giao ...");
        // then the better score.
        let better = match best {
            None => true,
            Some((_, bs, bl)) => (score > bs + 0.05) || (score + 0.05 >= bs && len > bl),
        };
        if better {
            best = Some((s.entry, score, len));
        }
    }
    best
}

static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(|| {
    // The data is compiled in and checked by this module's tests: a parse failure is a build
    // defect, not something a document can cause.
    Gazetteer::load().unwrap_or_else(|e| panic!("the built-in gazetteer does not parse: {e}"))
});

/// The built-in gazetteer, parsed on first use.
pub fn gazetteer() -> &'static Gazetteer {
    &GAZETTEER
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn a_place_written_with_its_official_level_word_reads_as_its_province() {
        let g = gazetteer();
        for place in [
            "Thành phố Hồ Chí Minh",
            "THÀNH PHỐ HỒ CHÍ MINH",
            "TP. Hồ Chí Minh",
        ] {
            let hit = g.province(place).expect(place);
            assert_eq!(hit.entry.key, "ho-chi-minh", "{place}");
        }
    }

    #[test]
    fn the_data_parses_and_holds_both_province_lists() {
        let g = Gazetteer::load().unwrap();
        assert_eq!(g.provinces.iter().filter(|p| p.before_2025).count(), 63);
        assert_eq!(g.provinces.iter().filter(|p| p.after_2025).count(), 34);
        for p in g.provinces.iter().filter(|p| !p.after_2025) {
            let target = p
                .merged_into
                .as_deref()
                .expect("a merged province names its successor");
            assert!(
                g.province_by_key(target).is_some_and(|t| t.after_2025),
                "{}",
                p.key
            );
        }
        let keys: Vec<&str> = g
            .provinces
            .iter()
            .map(|p| p.key.as_str())
            .chain(g.central.iter().map(|b| b.key.as_str()))
            .chain(g.departments.iter().map(|d| d.key.as_str()))
            .collect();
        let unique: HashSet<&&str> = keys.iter().collect();
        assert_eq!(unique.len(), keys.len(), "keys are unique across the lists");
        assert!(keys.iter().all(|k| k
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')));
    }

    #[test]
    fn provinces_are_found_through_tones_case_spacing_and_ocr_damage() {
        let g = gazetteer();
        let key = |s: &str| g.province(s).map(|h| h.entry.key.as_str());
        assert_eq!(key("Bắc Giang"), Some("bac-giang"));
        assert_eq!(key("BAC GIANG"), Some("bac-giang"));
        assert_eq!(key("BẮCGIANG"), Some("bac-giang"));
        assert_eq!(key("TP. Hồ Chí Minh"), Some("ho-chi-minh"));
        assert_eq!(key("Quảng Trj"), Some("quang-tri"));
        assert_eq!(key("Thừa Thiên Huế"), Some("hue"));
        // Two letters from both Hà Nam and Hà Giang, or nothing like a province: no guess.
        assert_eq!(key("Hà Xam"), None);
        assert_eq!(key("Lục Nam"), None);
    }

    #[test]
    fn departments_and_ministries_are_found_by_name_prefix_and_symbol() {
        let g = gazetteer();
        let h = g
            .department_prefix(&compact("SỞ TÀI CHÍNH TỈNH BẮC GIANG"))
            .unwrap();
        assert_eq!(h.entry.key, "so-tai-chinh");
        assert_eq!(h.len, compact("SỞ TÀI CHÍNH").len());
        let h = g
            .department_prefix(&compact("SỞ THÔNG TIN VÀ TRUYỀN THÔNG"))
            .unwrap();
        assert_eq!(h.entry.key, "so-thong-tin-va-truyen-thong");
        let h = g.department_prefix(&compact("SO NONG NGHIEP VA PHAT TRIEN NONG THON"));
        assert_eq!(
            h.unwrap().entry.key,
            "so-nong-nghiep-va-phat-trien-nong-thon"
        );
        assert_eq!(
            g.central_body("BỘ TÀI CHỈNH").unwrap().entry.key,
            "bo-tai-chinh"
        );
        let (d, c) = g.by_symbol("STC");
        assert_eq!(d[0].key, "so-tai-chinh");
        assert!(c.is_empty());
        let (_, c) = g.by_symbol("VPCP");
        assert_eq!(c[0].key, "van-phong-chinh-phu");
    }
}
