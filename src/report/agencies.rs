//! The agency file: which agency keys exist and what to call them in reports.
//!
//! A JSON list of `{"key", "name", "aliases", "parent"}`. The metadata stage owns agency
//! normalisation; the report only needs display names, and to resolve a record's agency name to
//! a key when the record carries no `agency_key`.

use std::path::Path;

use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

use super::ReportError;

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct AgencyEntry {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub parent: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AgencyFile {
    pub entries: Vec<AgencyEntry>,
}

/// Names compared case-, space- and Unicode-form-insensitively (NFC, lowercase, single spaces).
fn fold(s: &str) -> String {
    s.nfc()
        .collect::<String>()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl AgencyFile {
    pub fn load(path: &Path) -> Result<AgencyFile, ReportError> {
        let err = |message: String| ReportError::Agencies {
            path: path.to_path_buf(),
            message,
        };
        let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
        let entries: Vec<AgencyEntry> = serde_json::from_slice(&bytes).map_err(|e| {
            err(format!(
                "expected a JSON list of {{key, name, aliases, parent}}: {e}"
            ))
        })?;
        if let Some(e) = entries.iter().find(|e| e.key.trim().is_empty()) {
            return Err(err(format!("agency {:?} has an empty key", e.name)));
        }
        Ok(AgencyFile { entries })
    }

    /// The display name of a key.
    pub fn name_of(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|e| e.key == key)
            .map(|e| e.name.as_str())
    }

    /// The key of an agency name, matched against names and aliases.
    pub fn key_for(&self, name: &str) -> Option<String> {
        let want = fold(name);
        self.entries
            .iter()
            .find(|e| fold(&e.name) == want || e.aliases.iter().any(|a| fold(a) == want))
            .map(|e| e.key.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_resolve_to_keys_whatever_the_case_and_spacing() {
        let file = AgencyFile {
            entries: vec![AgencyEntry {
                key: "ubnd-bac-giang".into(),
                name: "UBND tỉnh Bắc Giang".into(),
                aliases: vec!["ỦY BAN NHÂN DÂN TỈNH BẮC GIANG".into()],
                parent: None,
            }],
        };
        assert_eq!(
            file.key_for("Ủy ban nhân dân  tỉnh Bắc Giang").as_deref(),
            Some("ubnd-bac-giang")
        );
        assert_eq!(file.name_of("ubnd-bac-giang"), Some("UBND tỉnh Bắc Giang"));
        assert_eq!(file.key_for("Sở Y tế"), None);
    }
}
