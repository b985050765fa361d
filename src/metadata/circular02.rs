//! The per-document columns of Circular 02/2019/TT-BNV (the metadata of a document in an
//! archive) that a document's own metadata can fill: one mapping, used by `kyso export
//! --format circular02` and by the PDF/A copy's XMP, so the two never say different things.
//! The mapping and what a scan cannot tell are in docs/export.md.

use super::{fields, Field, Metadata};
use crate::source::Origin;

/// The columns, by the Circular's names; empty strings where the metadata has nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Circular02 {
    pub ten_loai_van_ban: String,
    pub so_van_ban: String,
    pub ky_hieu_van_ban: String,
    /// Day/month/year, as Vietnamese archives write dates.
    pub ngay_van_ban: String,
    pub co_quan_ban_hanh: String,
    pub trich_yeu: String,
    pub ngon_ngu: String,
    pub muc_do_tin_cay: String,
    pub nguoi_ky: String,
    pub chuc_vu_nguoi_ky: String,
    /// Urgency, confidentiality and parent agency, as notes.
    pub ghi_chu: Vec<String>,
}

fn value(f: &Option<Field<String>>) -> String {
    f.as_ref().map(|f| f.value.clone()).unwrap_or_default()
}

/// Circular 02's dates are day/month/year.
pub fn dmy(iso: &str) -> String {
    match iso.split('-').collect::<Vec<_>>()[..] {
        [y, m, d] => format!("{d}/{m}/{y}"),
        _ => String::new(),
    }
}

impl Circular02 {
    pub fn of(m: &Metadata, origin: Origin) -> Circular02 {
        // Reliability (mức độ tin cậy): born-digital originals vs digitised paper.
        let reliability = match origin {
            Origin::BornDigital => "Gốc điện tử",
            Origin::Scanned => "Số hóa",
            Origin::Mixed => "Hỗn hợp",
            Origin::Unknown => "",
        };
        // Language is Vietnamese when the Decree 30 layout was read, which only Vietnamese
        // administrative documents have; otherwise it is not known.
        let read = m.doc_type.is_some() || m.number_symbol.is_some() || m.agency.is_some();
        let agency = m
            .agency_name
            .as_ref()
            .or(m.agency.as_ref())
            .map(|a| a.value.clone())
            .unwrap_or_default();
        // "KT. PHÓ GIÁM ĐỐC": the title qualified by the authority it signs under (the
        // authority line's own prefix, not the whole line).
        let prefix = m
            .signing_authority
            .as_ref()
            .and_then(|a| fields::authority_prefix(&a.value));
        let signer = match (prefix, &m.signer_title) {
            (Some(a), Some(t)) => format!("{a} {}", t.value),
            (None, Some(t)) => t.value.clone(),
            _ => String::new(),
        };
        let mut notes = Vec::new();
        if let Some(u) = &m.urgency {
            notes.push(format!("Độ khẩn: {}", u.value));
        }
        if let Some(c) = &m.confidentiality {
            notes.push(format!("Độ mật: {}", c.value));
        }
        if let Some(p) = &m.parent_agency {
            notes.push(format!("Cơ quan chủ quản: {}", p.value));
        }
        Circular02 {
            ten_loai_van_ban: value(&m.doc_type),
            so_van_ban: value(&m.number),
            ky_hieu_van_ban: value(&m.symbol),
            ngay_van_ban: m
                .issue_date
                .as_ref()
                .map(|d| dmy(&d.value))
                .unwrap_or_default(),
            co_quan_ban_hanh: agency,
            trich_yeu: value(&m.subject),
            ngon_ngu: if read {
                "Tiếng Việt".into()
            } else {
                String::new()
            },
            muc_do_tin_cay: reliability.into(),
            nguoi_ky: value(&m.signer_name),
            chuc_vu_nguoi_ky: signer,
            ghi_chu: notes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_day_first() {
        assert_eq!(dmy("2019-08-20"), "20/08/2019");
        assert_eq!(dmy("garbage"), "");
    }

    #[test]
    fn the_signers_title_takes_the_last_authoritys_prefix() {
        let f = |v: &str| Some(Field::new(v.to_string(), 1.0));
        let m = Metadata {
            signing_authority: f("TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH"),
            signer_title: f("PHÓ CHỦ TỊCH"),
            ..Metadata::default()
        };
        assert_eq!(
            Circular02::of(&m, Origin::Scanned).chuc_vu_nguoi_ky,
            "KT. PHÓ CHỦ TỊCH"
        );
    }
}
