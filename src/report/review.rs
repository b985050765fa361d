//! What an inspector should look at before acting on the per-agency rows: the documents whose
//! agency could not be resolved, with the agencies they might be from, and agency keys so alike
//! that they may be one agency read two ways (a name no list holds, printed or read
//! differently). `kyso agencies --from DIR` turns the same facts into an agency file to review.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::metadata::gazetteer::{compact, similarity};
use crate::metadata::resolve::Candidate;

/// How many unresolved documents are listed by name (all are counted).
pub const MAX_LISTED: usize = 200;
/// Keys at least this alike (compact letters) may be one agency.
const NEAR: f32 = 0.85;

/// An unresolved document, with what it might be.
#[derive(Debug, Clone, Serialize)]
pub struct UnresolvedDoc {
    pub path: String,
    pub id: Option<String>,
    /// The agency line as printed, when one was read.
    pub printed: Option<String>,
    pub number: Option<String>,
    pub candidates: Vec<Candidate>,
}

/// Two row keys that may be one agency.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NearDuplicate {
    pub a: String,
    pub b: String,
    pub a_documents: u64,
    pub b_documents: u64,
    pub similarity: f32,
    pub why: String,
}

/// The report's "needs review" section.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Review {
    pub unresolved_documents: u64,
    /// The first [`MAX_LISTED`] of them, in path order.
    pub unresolved: Vec<UnresolvedDoc>,
    pub near_duplicates: Vec<NearDuplicate>,
}

impl Review {
    pub fn is_empty(&self) -> bool {
        self.unresolved_documents == 0 && self.near_duplicates.is_empty()
    }
}

/// Row keys that may be one agency: a key and the same key with a scope (`x` and
/// `x/bac-giang`: one document said where the agency is, the other did not), or two keys whose
/// letters differ by little. Two keys the gazetteer resolved are two agencies by construction
/// (Sở Y tế of two provinces), so a pair needs at least one key that no list holds.
pub fn near_duplicates(keys: &BTreeMap<String, (u64, bool)>) -> Vec<NearDuplicate> {
    let compacted: Vec<(&String, String, u64, bool)> = keys
        .iter()
        .map(|(k, (n, listed))| (k, compact(k), *n, *listed))
        .collect();
    let mut out = Vec::new();
    for (i, (a, ca, na, la)) in compacted.iter().enumerate() {
        for (b, cb, nb, lb) in &compacted[i + 1..] {
            if *la && *lb {
                continue;
            }
            let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
            let why = if long
                .strip_prefix(short.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
            {
                Some((1.0, format!("{short} is {long} without its scope")))
            } else {
                // Lengths too far apart cannot be alike enough; skip the edit distance.
                let n = ca.len().max(cb.len());
                if n < 8 || ca.len().abs_diff(cb.len()) as f32 > (1.0 - NEAR) * n as f32 {
                    None
                } else {
                    let s = similarity(ca, cb);
                    (NEAR..1.0)
                        .contains(&s)
                        .then(|| {
                            (
                                s,
                                format!(
                                    "the names differ by {:.0}% of their letters",
                                    (1.0 - s) * 100.0
                                ),
                            )
                        })
                        .or_else(|| {
                            (s >= 1.0)
                                .then(|| (s, "the same letters, other word breaks".to_string()))
                        })
                }
            };
            if let Some((s, why)) = why {
                out.push(NearDuplicate {
                    a: (*a).clone(),
                    b: (*b).clone(),
                    a_documents: *na,
                    b_documents: *nb,
                    similarity: (s * 100.0).round() / 100.0,
                    why,
                });
            }
        }
    }
    out.sort_by(|x, y| y.similarity.total_cmp(&x.similarity).then(x.a.cmp(&y.a)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(list: &[(&str, u64, bool)]) -> BTreeMap<String, (u64, bool)> {
        list.iter()
            .map(|(k, n, l)| (k.to_string(), (*n, *l)))
            .collect()
    }

    #[test]
    fn a_key_without_its_scope_and_a_misread_name_are_near_duplicates() {
        let found = near_duplicates(&keys(&[
            ("trung-tam-y-te-huyen-luc-nam", 3, false),
            ("trung-tam-y-te-huyen-luc-nam/bac-giang", 5, false),
            ("trung-tam-y-te-huyen-lue-nam/bac-giang", 1, false),
            ("so-y-te/ha-nam", 4, true),
            ("so-y-te/ha-giang", 4, true),
        ]));
        let pairs: Vec<(&str, &str)> = found.iter().map(|d| (d.a.as_str(), d.b.as_str())).collect();
        assert!(pairs.contains(&(
            "trung-tam-y-te-huyen-luc-nam",
            "trung-tam-y-te-huyen-luc-nam/bac-giang"
        )));
        assert!(pairs.contains(&(
            "trung-tam-y-te-huyen-luc-nam/bac-giang",
            "trung-tam-y-te-huyen-lue-nam/bac-giang"
        )));
        // Two listed agencies are two agencies, however alike their keys.
        assert!(!pairs.iter().any(|(a, _)| a.starts_with("so-y-te")));
    }
}
