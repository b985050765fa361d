//! Agency names → stable keys, and the `--agencies FILE` directory that maps aliases to one
//! agency.
//!
//! One agency is printed many ways: "UBND TỈNH BẮC GIANG", "Ủy ban nhân dân tỉnh Bắc Giang",
//! "UỶ BAN NHÂN DÂN TỈNH BẮC GIANG" (old tone placement), OCR without tones, and a signing
//! certificate's O. [`agency_key`] folds all of them to one key; the directory then maps keys
//! to the agency an inspector reports on.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::fold::fold;
use crate::error::ErrorKind;

/// Abbreviations expanded before keying, so "UBND" and "Ủy ban nhân dân" meet. Only those that
/// mean one thing in an agency name: "TT" (trung tâm / thường trực) is left as it is.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("ubnd", "uy ban nhan dan"),
    ("hdnd", "hoi dong nhan dan"),
    ("vp", "van phong"),
    ("tp", "thanh pho"),
    ("tx", "thi xa"),
    ("mttq", "mat tran to quoc"),
];

/// A stable key for an agency name: Unicode-normalised, diacritic- and case-folded,
/// abbreviations expanded, words joined by hyphens. "UBND TỈNH BẮC GIANG" and "Ủy ban nhân dân
/// tỉnh Bắc Giang" both give `uy-ban-nhan-dan-tinh-bac-giang`.
pub fn agency_key(name: &str) -> String {
    let folded = fold(name);
    let mut out: Vec<&str> = Vec::new();
    for word in folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        match ABBREVIATIONS.iter().find(|(a, _)| *a == word) {
            Some((_, full)) => out.extend(full.split(' ')),
            None => out.push(word),
        }
    }
    out.join("-")
}

/// The key of an agency under its parent. A department ("SỞ TÀI CHÍNH") exists in every
/// province, so its key carries the parent's place: under "UBND TỈNH BẮC GIANG" it is
/// `so-tai-chinh-tinh-bac-giang`, the key of "Sở Tài chính tỉnh Bắc Giang" as a certificate
/// names it. Under any other parent the parent's whole key is appended.
pub fn qualified_agency_key(agency: &str, parent: Option<&str>) -> String {
    let own = agency_key(agency);
    let Some(parent) = parent else { return own };
    let pk = agency_key(parent);
    let place = pk
        .strip_prefix("uy-ban-nhan-dan-")
        .or_else(|| pk.strip_prefix("hoi-dong-nhan-dan-"))
        .unwrap_or(&pk);
    if place.is_empty() || own.ends_with(place) {
        own
    } else {
        format!("{own}-{place}")
    }
}

/// One agency of the directory file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AgencyEntry {
    /// The key written to records for this agency.
    pub key: String,
    /// Display name.
    pub name: String,
    /// Other ways the agency is printed or named in certificates.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The key of the parent agency, when it is in the file.
    #[serde(default)]
    pub parent: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum AgencyFile {
    Table {
        #[serde(alias = "agencies")]
        agency: Vec<AgencyEntry>,
    },
    List(Vec<AgencyEntry>),
}

#[derive(Debug, Error)]
pub enum AgencyError {
    #[error("cannot read agency file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("agency file {path} is not valid {format}: {message}")]
    Parse {
        path: PathBuf,
        format: &'static str,
        message: String,
    },
    #[error("agency file {path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl ErrorKind for AgencyError {
    fn kind(&self) -> &'static str {
        match self {
            AgencyError::Read { .. } => "unreadable",
            AgencyError::Parse { .. } => "malformed",
            AgencyError::Invalid { .. } => "invalid",
        }
    }
}

/// The agencies of `--agencies FILE`, looked up by the key of any of their names.
#[derive(Debug, Clone, Default)]
pub struct AgencyDirectory {
    entries: Vec<AgencyEntry>,
    /// Name key (of the name, every alias and the key itself) without its hyphens → entry
    /// index. Without hyphens, a name whose words OCR ran together ("ỦY BANNHÂN DÂN") still
    /// finds its agency.
    by_name: HashMap<String, usize>,
}

/// What the directory says of a document's agency.
#[derive(Debug, Clone, PartialEq)]
pub struct AgencyMatch<'a> {
    pub entry: &'a AgencyEntry,
    /// The parent's display name, when the parent is in the file.
    pub parent_name: Option<&'a str>,
}

impl AgencyDirectory {
    /// Reads a TOML file (`[[agency]]` tables) or a JSON file (a list, or `{"agency": [...]}`);
    /// the format is told by the extension, `.json` or anything else for TOML.
    pub fn load(path: &Path) -> Result<Self, AgencyError> {
        let text = std::fs::read_to_string(path).map_err(|source| AgencyError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let parsed: AgencyFile = if json {
            serde_json::from_str(&text).map_err(|e| AgencyError::Parse {
                path: path.to_path_buf(),
                format: "JSON",
                message: e.to_string(),
            })?
        } else {
            toml::from_str(&text).map_err(|e| AgencyError::Parse {
                path: path.to_path_buf(),
                format: "TOML",
                message: e.to_string(),
            })?
        };
        let entries = match parsed {
            AgencyFile::Table { agency } => agency,
            AgencyFile::List(list) => list,
        };
        Self::new(entries).map_err(|message| AgencyError::Invalid {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Builds the directory; two agencies claiming the same name, or a parent that is not in
    /// the file, is an error (a silent choice would file documents under the wrong agency).
    pub fn new(entries: Vec<AgencyEntry>) -> Result<Self, String> {
        let mut by_name = HashMap::new();
        let keys: BTreeMap<&str, usize> = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.key.as_str(), i))
            .collect();
        if keys.len() != entries.len() {
            return Err("two agencies have the same key".into());
        }
        for (i, e) in entries.iter().enumerate() {
            if e.key.trim().is_empty() {
                return Err(format!("agency {:?} has an empty key", e.name));
            }
            if let Some(p) = &e.parent {
                if !keys.contains_key(p.as_str()) {
                    return Err(format!("agency {}: parent {p} is not in the file", e.key));
                }
            }
            for name in std::iter::once(&e.name).chain(&e.aliases).chain([&e.key]) {
                let k = agency_key(name).replace('-', "");
                if k.is_empty() {
                    continue;
                }
                match by_name.insert(k.clone(), i) {
                    Some(j) if j != i => {
                        return Err(format!(
                            "the name {name:?} belongs to both {} and {}",
                            entries[j].key, e.key
                        ))
                    }
                    _ => {}
                }
            }
        }
        Ok(AgencyDirectory { entries, by_name })
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn entry_of(&self, name_key: &str) -> Option<usize> {
        self.by_name.get(&name_key.replace('-', "")).copied()
    }

    /// Finds the agency printed as `agency` under `parent`: first by the qualified key
    /// ("SỞ TÀI CHÍNH" under "UBND TỈNH BẮC GIANG" as "Sở Tài chính tỉnh Bắc Giang"), then by
    /// the agency's own name when the entry's parent is the printed parent (or the entry has no
    /// parent and no parent was printed).
    pub fn find(&self, agency: &str, parent: Option<&str>) -> Option<AgencyMatch<'_>> {
        let i = self
            .entry_of(&qualified_agency_key(agency, parent))
            .or_else(|| {
                let i = self.entry_of(&agency_key(agency))?;
                let entry_parent = self.entries[i].parent.as_deref();
                let printed_parent = parent.and_then(|p| self.entry_of(&agency_key(p)));
                match (entry_parent, printed_parent, parent) {
                    (None, _, None) => Some(i),
                    (None, _, Some(_)) => None,
                    (Some(ep), Some(pi), _) if self.entries[pi].key == ep => Some(i),
                    _ => None,
                }
            })?;
        let entry = &self.entries[i];
        let parent_name = entry.parent.as_deref().and_then(|p| {
            self.entries
                .iter()
                .find(|e| e.key == p)
                .map(|e| e.name.as_str())
        });
        Some(AgencyMatch { entry, parent_name })
    }

    /// The agency whose key is `key` (a key the resolver gave, written back by `kyso agencies`).
    pub fn by_key(&self, key: &str) -> Option<&AgencyEntry> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// The display name of the agency with `key`.
    pub fn name_of_key(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|e| e.key == key)
            .map(|e| e.name.as_str())
    }

    /// Finds an agency by a single name (a certificate's O or CN).
    pub fn find_name(&self, name: &str) -> Option<&AgencyEntry> {
        self.entry_of(&agency_key(name)).map(|i| &self.entries[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_agency_share_a_key() {
        let k = "uy-ban-nhan-dan-tinh-bac-giang";
        assert_eq!(agency_key("UBND TỈNH BẮC GIANG"), k);
        assert_eq!(agency_key("Ủy ban nhân dân tỉnh Bắc Giang"), k);
        assert_eq!(agency_key("UỶ BAN NHÂN DÂN TỈNH BẮC GIANG"), k);
        assert_eq!(agency_key("ỦY BAN NHÂN DÂN TỈNH BẮC GIANG"), k);
        // Decomposed input (combining marks) and stray spacing/punctuation.
        assert_eq!(agency_key("U\u{0309}y  ban nhân dân, tỉnh Bắc Giang"), k);
        // OCR that lost every tone and the bar of Đ.
        assert_eq!(agency_key("UY BAN NHAN DAN TINH BAC GIANG"), k);
        assert_eq!(
            agency_key("HĐND huyện Lục Nam"),
            "hoi-dong-nhan-dan-huyen-luc-nam"
        );
        assert_eq!(
            agency_key("HDND huyen Luc Nam"),
            "hoi-dong-nhan-dan-huyen-luc-nam"
        );
    }

    #[test]
    fn departments_are_keyed_under_their_province() {
        assert_eq!(
            qualified_agency_key("SỞ TÀI CHÍNH", Some("UBND TỈNH BẮC GIANG")),
            agency_key("Sở Tài chính tỉnh Bắc Giang")
        );
        assert_ne!(
            qualified_agency_key("SỞ TÀI CHÍNH", Some("UBND TỈNH BẮC GIANG")),
            qualified_agency_key("SỞ TÀI CHÍNH", Some("UBND TỈNH HÀ NAM"))
        );
        assert_eq!(
            qualified_agency_key("ỦY BAN NHÂN DÂN TỈNH BẮC GIANG", None),
            "uy-ban-nhan-dan-tinh-bac-giang"
        );
    }

    fn directory() -> AgencyDirectory {
        let toml = r#"
            [[agency]]
            key = "ubnd-bac-giang"
            name = "Ủy ban nhân dân tỉnh Bắc Giang"
            aliases = ["UBND tỉnh Bắc Giang"]

            [[agency]]
            key = "stc-bac-giang"
            name = "Sở Tài chính tỉnh Bắc Giang"
            aliases = ["Sở Tài chính"]
            parent = "ubnd-bac-giang"
        "#;
        let file: AgencyFile = toml::from_str(toml).unwrap();
        let AgencyFile::Table { agency } = file else {
            panic!("a TOML file is a table")
        };
        AgencyDirectory::new(agency).unwrap()
    }

    #[test]
    fn the_directory_maps_aliases_to_one_agency() {
        let d = directory();
        let m = d.find("SỞ TÀI CHÍNH", Some("UBND TỈNH BẮC GIANG")).unwrap();
        assert_eq!(m.entry.key, "stc-bac-giang");
        assert_eq!(m.parent_name, Some("Ủy ban nhân dân tỉnh Bắc Giang"));
        let m = d.find("UỶ BAN NHÂN DÂN TỈNH BẮC GIANG", None).unwrap();
        assert_eq!(m.entry.key, "ubnd-bac-giang");
        // The same department of another province is not this one.
        assert_eq!(d.find("SỞ TÀI CHÍNH", Some("UBND TỈNH HÀ NAM")), None);
        assert_eq!(
            d.find_name("Sở Tài chính tỉnh Bắc Giang").unwrap().key,
            "stc-bac-giang"
        );
    }

    #[test]
    fn the_directory_finds_a_name_whose_words_ocr_ran_together() {
        let d = directory();
        let m = d.find("ỦY BANNHAN DAN TỈNH BẮCGIANG", None).unwrap();
        assert_eq!(m.entry.key, "ubnd-bac-giang");
        // Letters lost are not word breaks: no match.
        assert_eq!(d.find("ỦY BAN NHAN DAN TỈNH BẮC GIAN", None), None);
    }

    #[test]
    fn ambiguous_directories_are_refused() {
        let e = |key: &str, name: &str| AgencyEntry {
            key: key.into(),
            name: name.into(),
            aliases: vec![],
            parent: None,
        };
        assert!(AgencyDirectory::new(vec![e("a", "Sở Y tế"), e("b", "SỞ Y TẾ")]).is_err());
        let mut orphan = e("c", "Phòng Nội vụ");
        orphan.parent = Some("missing".into());
        assert!(AgencyDirectory::new(vec![orphan]).is_err());
    }
}
