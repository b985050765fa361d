//! The sender an edXML envelope names (`From/OrganId`, its electronic identification code) →
//! the document's agency key, with `source: envelope`.
//!
//! The code is authoritative: it names the sending agency without reading a pixel. A code the
//! gazetteer lists (a ministry's `000.00.00.G12`, a province's People's Committee
//! `000.00.00.H49`) gives that entry's key and name; any other code is a key of its own,
//! `edxml/<code>`, named by the envelope's `OrganName` and placed in the province or under the
//! central body its level-1 part names when the gazetteer knows that part. What the
//! document's own header, symbol and certificate resolved to is kept beside it
//! (`agency_resolution.from_document`) so the two can be compared (docs/edxml.md).

use crate::edxml::Declared;

use super::gazetteer::gazetteer;
use super::resolve::{
    AgencyResolution, Candidate, EvidenceSource, ResolutionEvidence, ResolutionStatus,
};
use super::{AgencyDirectory, Field, Metadata};

/// An agency an envelope's code names.
#[derive(Debug, Clone, PartialEq)]
pub struct Sender {
    pub key: String,
    pub name: String,
    pub province: Option<String>,
    /// The body that took over, when the listed one ceased (a code used until 2025).
    pub successor: Option<String>,
    /// Whether the gazetteer lists the code itself.
    pub listed: bool,
}

/// The level-1 part of a code (`G12` in `000.00.00.G12` or `G12.18`): a letter and two digits,
/// last in the dotted form QCVN 102:2016 uses, first in the shorter form (docs/edxml.md §4.2).
pub fn level1(code: &str) -> Option<&str> {
    let is_level1 = |p: &str| {
        let b = p.as_bytes();
        b.len() == 3 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit)
    };
    let last = code.rsplit('.').next().filter(|p| is_level1(p));
    last.or_else(|| code.split('.').next().filter(|p| is_level1(p)))
}

/// Reads a sender code (and the envelope's name for it) against the gazetteer.
pub fn sender(code: &str, organ_name: Option<&str>) -> Sender {
    let g = gazetteer();
    let code = code.trim();
    if let Some(c) = g
        .central
        .iter()
        .find(|c| c.edxml_code.as_deref() == Some(code))
    {
        return Sender {
            key: c.key.clone(),
            name: c.name.clone(),
            province: None,
            successor: c.merged_into.clone(),
            listed: true,
        };
    }
    if let Some(p) = g
        .provinces
        .iter()
        .find(|p| p.edxml_code.as_deref() == Some(code))
    {
        return Sender {
            key: format!("uy-ban-nhan-dan/{}", p.key),
            name: format!("Ủy ban nhân dân {}", p.full_name()),
            province: Some(p.key.clone()),
            successor: p
                .merged_into
                .as_ref()
                .map(|m| format!("uy-ban-nhan-dan/{m}")),
            listed: true,
        };
    }
    let top = level1(code);
    let province = top.and_then(|t| {
        g.provinces
            .iter()
            .find(|p| p.edxml_code.as_deref().and_then(level1) == Some(t))
    });
    let central = top.and_then(|t| {
        g.central
            .iter()
            .find(|c| c.edxml_code.as_deref().and_then(level1) == Some(t))
    });
    let name = organ_name
        .map(str::to_string)
        .or_else(|| {
            // No name: say whose unit it is, when the level-1 part tells.
            province
                .map(|p| format!("{code} ({})", p.full_name()))
                .or_else(|| central.map(|c| format!("{code} ({})", c.name)))
        })
        .unwrap_or_else(|| code.to_string());
    Sender {
        key: format!("edxml/{code}"),
        name,
        province: province.map(|p| p.key.clone()),
        successor: None,
        listed: false,
    }
}

/// Makes the envelope's sender the document's agency, when the envelope names one by code.
/// Without `OrganId` the document's own evidence decides, as for a loose file.
pub fn apply(meta: &mut Metadata, declared: &Declared, directory: Option<&AgencyDirectory>) {
    let Some(code) = &declared.sender_code else {
        return;
    };
    let organ = declared.sender_name.as_ref().map(|n| n.value.as_str());
    let s = sender(&code.value, organ);
    let from_document = meta
        .agency_resolution
        .as_ref()
        .filter(|r| r.status == ResolutionStatus::Resolved)
        .and_then(|r| {
            Some(Candidate {
                key: r.key.clone()?,
                name: r.name.clone().unwrap_or_default(),
                score: r.confidence,
            })
        });
    let r = meta
        .agency_resolution
        .get_or_insert_with(|| AgencyResolution {
            status: ResolutionStatus::Unresolved,
            key: None,
            name: None,
            province: None,
            successor: None,
            confidence: 0.0,
            listed: false,
            evidence: Vec::new(),
            candidates: Vec::new(),
            from_document: None,
        });
    r.evidence.push(ResolutionEvidence {
        source: EvidenceSource::Envelope,
        text: match organ {
            Some(o) => format!("{} {o}", code.value),
            None => code.value.clone(),
        },
        reads_as: Some(s.key.clone()),
        weight: 1.0,
    });
    r.status = ResolutionStatus::Resolved;
    r.key = Some(s.key.clone());
    r.name = Some(s.name.clone());
    r.province = s.province.clone();
    r.successor = s.successor.clone();
    r.confidence = 1.0;
    r.listed = s.listed;
    r.from_document = from_document;
    let name_source = if s.listed { "gazetteer" } else { "envelope" };
    meta.agency_key = Some(Field::from_source(s.key.clone(), 1.0, "envelope"));
    meta.agency_name = Some(Field::from_source(s.name.clone(), 1.0, name_source));
    if let Some(entry) = directory.and_then(|d| d.by_key(&s.key)) {
        meta.agency_key = Some(Field::from_source(entry.key.clone(), 1.0, "agency_file"));
        meta.agency_name = Some(Field::from_source(entry.name.clone(), 1.0, "agency_file"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_code_names_its_body_and_an_unknown_one_is_a_key_of_its_own() {
        let btc = sender("000.00.00.G12", Some("BTC"));
        assert_eq!((btc.key.as_str(), btc.listed), ("bo-tai-chinh", true));
        assert_eq!(btc.name, "Bộ Tài chính");
        let qn = sender("000.00.00.H49", None);
        assert_eq!(qn.key, "uy-ban-nhan-dan/quang-ninh");
        let unit = sender("000.00.17.H49", Some("Sở Nội vụ"));
        assert_eq!(unit.key, "edxml/000.00.17.H49");
        assert_eq!(
            (unit.name.as_str(), unit.province.as_deref()),
            ("Sở Nội vụ", Some("quang-ninh"))
        );
        let odd = sender("vxp.saas.03", None);
        assert_eq!(
            (odd.key.as_str(), odd.name.as_str()),
            ("edxml/vxp.saas.03", "vxp.saas.03")
        );
        // Provinces and ceased ministries the gazetteer cites a code for.
        let na = sender("000.00.00.H41", Some("UBND Tỉnh Nghệ An"));
        assert_eq!(
            (na.key.as_str(), na.listed),
            ("uy-ban-nhan-dan/nghe-an", true)
        );
        assert_eq!(na.name, "Ủy ban nhân dân tỉnh Nghệ An");
        let tttt = sender("000.00.00.G14", None);
        assert_eq!(tttt.key, "bo-thong-tin-va-truyen-thong");
        assert_eq!(tttt.successor.as_deref(), Some("bo-khoa-hoc-va-cong-nghe"));
        // A provincial platform's own code: a key of its own, placed in its province.
        let dn = sender("H37.DN.001", Some("Công ty X"));
        assert_eq!(
            (dn.key.as_str(), dn.province.as_deref(), dn.listed),
            ("edxml/H37.DN.001", Some("lang-son"), false)
        );
        // A level-1 part nobody lists: still a key, never dropped.
        let unknown = sender("000.00.00.H99", None);
        assert_eq!(
            (
                unknown.key.as_str(),
                unknown.name.as_str(),
                unknown.province
            ),
            ("edxml/000.00.00.H99", "000.00.00.H99", None)
        );
        assert_eq!(level1("G12.18"), Some("G12"));
        assert_eq!(level1("H37.DN.001"), Some("H37"));
    }
}
