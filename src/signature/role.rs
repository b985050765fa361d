//! Whose certificate signed: a person's or an organisation's (Vietnamese e-government issues
//! both: a civil servant's personal certificate, and the agency's own "con dấu" certificate).

use std::path::Path;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use x509_cert::Certificate;

use super::{cms_check, Role, SignatureError, SignerInfo};

/// Agency words, already folded (see [`fold`]). Matched as whole words at the start of the CN.
const AGENCY_PREFIXES: &[&str] = &[
    "uy ban nhan dan",
    "ubnd",
    "hoi dong nhan dan",
    "hdnd",
    "van phong",
    "tong cuc",
    "chi cuc",
    "cuc",
    "so",
    "bo",
    "phong",
    "ban",
    "cong ty",
    "truong",
    "benh vien",
    "trung tam",
    "vien",
    "toa an",
    "vien kiem sat",
    "kho bac",
    "bao hiem xa hoi",
    "cong an",
    "dang uy",
    "huyen uy",
    "tinh uy",
    "thanh uy",
    "mat tran to quoc",
    "doan",
    "hoi",
    "ngan hang",
    "chi nhanh",
    "tap doan",
    "tong cong ty",
    "hop tac xa",
];

/// Words that are also Vietnamese names once the diacritics are gone (Trương/Trường,
/// Phong/Phòng, Bố/Bộ, …): with these, an agency also needs a place or kind word after it.
const AMBIGUOUS: &[&str] = &[
    "so", "bo", "phong", "ban", "truong", "cuc", "vien", "doan", "hoi",
];
const CONTEXT_WORDS: &[&str] = &[
    "tinh",
    "huyen",
    "xa",
    "phuong",
    "thanh pho",
    "quan",
    "thi xa",
    "thi tran",
    "tu phap",
    "tai chinh",
    "giao duc",
    "y te",
    "noi vu",
    "cong thuong",
    "thpt",
    "thcs",
    "tieu hoc",
    "dai hoc",
    "mam non",
    "quan ly",
    "tnhh",
    "co phan",
    "nong nghiep",
    "xay dung",
    "tai nguyen",
    "ke hoach",
    "lao dong",
    "van hoa",
    "khoa hoc",
    "thong tin",
    "giao thong",
    "nha nuoc",
];

/// Lower-case, no diacritics, `đ` → `d`, single spaces.
pub fn fold(s: &str) -> String {
    let stripped: String = s
        .nfd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            c => c,
        })
        .collect::<String>()
        .to_lowercase();
    stripped
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn starts_with_words(folded: &str, phrase: &str) -> bool {
    folded == phrase || folded.starts_with(&format!("{phrase} "))
}

/// Does this name look like an agency's?
pub fn is_agency_name(name: &str) -> bool {
    let f = fold(name);
    AGENCY_PREFIXES.iter().any(|p| {
        if !starts_with_words(&f, p) {
            return false;
        }
        if !AMBIGUOUS.contains(p) {
            return true;
        }
        let rest = f.get(p.len()..).unwrap_or("");
        let padded = format!(" {rest} ");
        CONTEXT_WORDS
            .iter()
            .any(|w| padded.contains(&format!(" {w} ")))
    })
}

/// Vietnamese identity numbers: CMND (9 digits), CCCD (12 digits), with or without prefix.
fn is_personal_id(serial: &str) -> bool {
    let f = fold(serial);
    if f.contains("cmnd") || f.contains("cccd") || f.contains("cmt") || f.contains("hc") {
        return true;
    }
    let digits: String = serial.chars().filter(char::is_ascii_digit).collect();
    serial.chars().all(|c| c.is_ascii_digit()) && (digits.len() == 9 || digits.len() == 12)
}

/// A personal name: 2–6 words, each starting upper-case, with no agency word in front.
fn looks_like_person(cn: &str) -> bool {
    let words: Vec<&str> = cn.split_whitespace().collect();
    (2..=6).contains(&words.len())
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase) && w.chars().all(char::is_alphabetic)
        })
        && !is_agency_name(cn)
}

/// The built-in classification (see docs/signatures.md, "Role").
pub fn classify_role(signer: Option<&SignerInfo>) -> (Role, String) {
    let Some(s) = signer else {
        return (Role::Unknown, "no signer certificate".into());
    };
    let cn = s.common_name.as_deref().unwrap_or("");
    let o = s.organization.as_deref().unwrap_or("");
    if !cn.is_empty() && !o.is_empty() && fold(cn) == fold(o) {
        return (Role::Organisation, "CN equals O".into());
    }
    if is_agency_name(cn) {
        return (Role::Organisation, format!("CN names an agency: {cn}"));
    }
    // MST (mã số thuế, tax code) is what CAs put in an organisation certificate; a person's
    // certificate may carry one too, so only when the CN is not a personal name.
    if let Some(serial) = s
        .serial_number
        .as_deref()
        .filter(|v| fold(v).starts_with("mst ") && !looks_like_person(cn) && s.title.is_none())
    {
        if !cn.is_empty() {
            return (
                Role::Organisation,
                format!("serialNumber/UID is an organisation tax code ({serial})"),
            );
        }
    }
    if let Some(serial) = s.serial_number.as_deref().filter(|v| is_personal_id(v)) {
        return (
            Role::Personal,
            format!("serialNumber is a personal ID number ({serial})"),
        );
    }
    if s.title.is_some() && !cn.is_empty() {
        return (
            Role::Personal,
            "certificate carries a title (a person's position)".into(),
        );
    }
    if looks_like_person(cn) && is_agency_name(o) {
        return (
            Role::Personal,
            "CN is a personal name and O an agency".into(),
        );
    }
    if looks_like_person(cn) && !o.is_empty() {
        return (Role::Personal, "CN is a personal name".into());
    }
    (
        Role::Unknown,
        "certificate does not say whether a person or an agency signed".into(),
    )
}

/// One `--roles` rule: every condition given must hold; the first matching rule wins.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RoleRule {
    /// Substring of the CN (diacritics- and case-insensitive).
    #[serde(default)]
    pub cn_contains: Option<String>,
    /// Substring of the O (diacritics- and case-insensitive).
    #[serde(default)]
    pub o_contains: Option<String>,
    /// Certificate serial number, hex (case-insensitive, leading zeros ignored).
    #[serde(default)]
    pub serial: Option<String>,
    pub role: Role,
}

/// The rules of a `--roles FILE` (a JSON array of [`RoleRule`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RoleRules {
    pub rules: Vec<RoleRule>,
    pub source: String,
}

impl RoleRules {
    pub fn load(path: &Path) -> Result<Self, SignatureError> {
        let text = std::fs::read_to_string(path).map_err(|source| SignatureError::RulesFile {
            path: path.to_path_buf(),
            source,
        })?;
        let bad = |message: String| SignatureError::BadRules {
            path: path.to_path_buf(),
            message,
        };
        let rules: Vec<RoleRule> = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        if let Some(i) = rules
            .iter()
            .position(|r| r.cn_contains.is_none() && r.o_contains.is_none() && r.serial.is_none())
        {
            return Err(bad(format!("rule {} has no condition", i + 1)));
        }
        Ok(RoleRules {
            rules,
            source: path.display().to_string(),
        })
    }

    /// The role of the first rule matching `cert`, with the reason.
    pub fn apply(&self, cert: &Certificate) -> Option<(Role, String)> {
        let info = cms_check::signer_info(cert);
        let serial = info
            .certificate_serial
            .trim_start_matches('0')
            .to_lowercase();
        self.rules.iter().enumerate().find_map(|(i, r)| {
            let cn_ok = r.cn_contains.as_ref().is_none_or(|want| {
                fold(info.common_name.as_deref().unwrap_or("")).contains(&fold(want))
            });
            let o_ok = r.o_contains.as_ref().is_none_or(|want| {
                fold(info.organization.as_deref().unwrap_or("")).contains(&fold(want))
            });
            let serial_ok = r.serial.as_ref().is_none_or(|want| {
                want.trim_start_matches('0').to_lowercase().replace(':', "") == serial
            });
            (cn_ok && o_ok && serial_ok)
                .then(|| (r.role, format!("rule {} of {}", i + 1, self.source)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(cn: &str, o: &str) -> SignerInfo {
        SignerInfo {
            common_name: Some(cn.into()),
            organization: (!o.is_empty()).then(|| o.into()),
            ..SignerInfo::default()
        }
    }

    #[test]
    fn cn_equal_to_o_is_organisation() {
        let s = signer(
            "Ủy ban nhân dân tỉnh Bắc Giang",
            "UỶ BAN NHÂN DÂN TỈNH BẮC GIANG",
        );
        assert_eq!(classify_role(Some(&s)).0, Role::Organisation);
    }

    #[test]
    fn agency_words_match_without_diacritics_or_case() {
        for cn in [
            "UBND huyện Yên Dũng",
            "UY BAN NHAN DAN XA TAN AN",
            "Sở Tư pháp tỉnh Bắc Giang",
            "Văn phòng Chính phủ",
            "Bộ Tài chính",
            "Cục Thuế tỉnh Hà Nam",
            "HĐND tỉnh Bắc Ninh",
            "Công ty TNHH Ví Dụ",
            "Trường THPT Ngô Sĩ Liên",
            "Bệnh viện Đa khoa tỉnh",
        ] {
            assert_eq!(
                classify_role(Some(&signer(cn, "X"))).0,
                Role::Organisation,
                "{cn}"
            );
        }
    }

    #[test]
    fn names_that_look_like_agency_words_stay_personal() {
        // Trương / Phong / Bố are names; without a place word they are not agencies.
        for cn in ["Trương Văn Hải", "Phong Thị Lan", "TRUONG VAN HAI"] {
            let s = signer(cn, "Ủy ban nhân dân tỉnh Bắc Giang");
            assert_eq!(classify_role(Some(&s)).0, Role::Personal, "{cn}");
        }
    }

    #[test]
    fn person_in_agency_is_personal() {
        let s = signer("Nguyễn Văn An", "Ủy ban nhân dân tỉnh Bắc Giang");
        assert_eq!(classify_role(Some(&s)).0, Role::Personal);
        let mut s = signer("nguyen van an", "");
        s.serial_number = Some("CCCD:001099012345".into());
        assert_eq!(classify_role(Some(&s)).0, Role::Personal);
    }

    #[test]
    fn vietnamese_id_forms_decide_the_role() {
        let mut org = signer("Trung tâm Phục vụ hành chính công", "");
        org.serial_number = Some("MST:2400123456".into());
        assert_eq!(classify_role(Some(&org)).0, Role::Organisation);
        let mut person = signer("Lê Thị Mai", "");
        person.serial_number = Some("MST:8012345678".into());
        assert_eq!(
            classify_role(Some(&person)).0,
            Role::Unknown,
            "a personal name with a tax code and no O is not called an organisation"
        );
        person.serial_number = Some("CCCD:024190001234".into());
        assert_eq!(classify_role(Some(&person)).0, Role::Personal);
    }

    #[test]
    fn nothing_to_go_on_is_unknown() {
        assert_eq!(classify_role(Some(&signer("test", ""))).0, Role::Unknown);
        assert_eq!(classify_role(None).0, Role::Unknown);
    }

    #[test]
    fn rules_without_conditions_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.json");
        std::fs::write(&p, r#"[{"role": "personal"}]"#).unwrap();
        assert!(matches!(
            RoleRules::load(&p),
            Err(SignatureError::BadRules { .. })
        ));
        std::fs::write(&p, r#"[{"cn_contains": "an", "role": "boss"}]"#).unwrap();
        assert!(RoleRules::load(&p).is_err());
        std::fs::write(&p, r#"[{"cn_contains": "an", "role": "organisation"}]"#).unwrap();
        assert_eq!(RoleRules::load(&p).unwrap().rules.len(), 1);
    }
}
