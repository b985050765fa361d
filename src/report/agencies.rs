//! The agency file in reports: display names for agency keys, and a key for a record that has
//! an agency name but no key. Loading and matching belong to the metadata stage
//! ([`AgencyDirectory`], the same `--agencies` file, TOML or JSON), so a scan and its report
//! read one file the same way.

use std::path::Path;

use crate::metadata::AgencyDirectory;

use super::ReportError;

#[derive(Debug, Clone, Default)]
pub struct AgencyFile(AgencyDirectory);

impl AgencyFile {
    pub fn load(path: &Path) -> Result<AgencyFile, ReportError> {
        AgencyDirectory::load(path)
            .map(AgencyFile)
            .map_err(|e| ReportError::Agencies {
                path: path.to_path_buf(),
                message: e.to_string(),
            })
    }

    /// The display name of a key.
    pub fn name_of(&self, key: &str) -> Option<&str> {
        self.0.name_of_key(key)
    }

    /// The key of an agency name, matched against names and aliases.
    pub fn key_for(&self, name: &str) -> Option<String> {
        self.0.find_name(name).map(|e| e.key.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::AgencyEntry;

    #[test]
    fn names_and_aliases_resolve_to_keys_whatever_the_spelling() {
        let file = AgencyFile(
            AgencyDirectory::new(vec![AgencyEntry {
                key: "ubnd-bac-giang".into(),
                name: "UBND tỉnh Bắc Giang".into(),
                aliases: vec!["ỦY BAN NHÂN DÂN TỈNH BẮC GIANG".into()],
                parent: None,
            }])
            .unwrap(),
        );
        assert_eq!(
            file.key_for("Ủy ban nhân dân  tỉnh Bắc Giang").as_deref(),
            Some("ubnd-bac-giang")
        );
        assert_eq!(file.name_of("ubnd-bac-giang"), Some("UBND tỉnh Bắc Giang"));
        assert_eq!(file.key_for("Sở Y tế"), None);
    }
}
