//! The envelope's `MessageHeader` → the record's `declared` fields, each with the element it
//! was read from. Elements are matched by local name (prefixed, unprefixed, default-namespace
//! and no-namespace forms all occur in real packages, docs/edxml.md §2.1) and in any order.

use roxmltree::Node;
use serde::{Deserialize, Serialize};

use crate::output::text::normalize_field;

/// A value the envelope declares, and where in the envelope it was read.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct DeclaredField {
    pub value: String,
    /// The element it came from, e.g. `MessageHeader/Code/CodeNumber`.
    pub source: String,
    /// The text as written, when `value` is a normalised form of it (dates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
}

/// A value the envelope declares that the attachment itself contradicts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Mismatch {
    /// `number_notation`, `issue_date`, `sender`, `doc_type`, `organisation_certificate`.
    pub field: String,
    pub declared: String,
    pub found: String,
    /// Where the found value comes from: `document_text`, `certificate`.
    pub found_source: String,
}

/// What the envelope says of the document it carries (the record's `declared`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Declared {
    /// `From/OrganId`: the sender's electronic identification code (mã định danh).
    pub sender_code: Option<DeclaredField>,
    /// `From/OrganName` (else `OrganizationInCharge`).
    pub sender_name: Option<DeclaredField>,
    pub number: Option<DeclaredField>,
    pub notation: Option<DeclaredField>,
    /// `CodeNumber/CodeNotation`, as the document prints its "Số:".
    pub number_notation: Option<DeclaredField>,
    /// ISO 8601; `raw` keeps `yyyy/MM/dd` or `dd/MM/yyyy` as written.
    pub issue_date: Option<DeclaredField>,
    pub place: Option<DeclaredField>,
    /// `DocumentType/TypeName` (the numeric `Type` code list was not found, so the name is what
    /// is compared).
    pub doc_type: Option<DeclaredField>,
    pub type_code: Option<DeclaredField>,
    pub subject: Option<DeclaredField>,
    pub signer_name: Option<DeclaredField>,
    pub signer_title: Option<DeclaredField>,
    pub signing_authority: Option<DeclaredField>,
    pub document_id: Option<DeclaredField>,
    /// `ResponseFor/Code` or `DocumentId`: the document this one answers, revokes or replaces.
    /// Kept because one writer overwrites the main `Code` with it (docs/edxml.md §2.2).
    pub response_for: Option<DeclaredField>,
    /// The receivers' codes (`To/OrganId`).
    pub recipients: Vec<String>,
    /// Filled after the attachment is read: what it contradicts.
    pub mismatches: Vec<Mismatch>,
}

/// The first child element with this local name.
pub(super) fn child<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    n.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

/// The text of the first child element with one of these names, normalised; `None` if empty.
pub(super) fn child_text<'n>(n: Node, names: &[&'n str]) -> Option<(String, &'n str)> {
    for name in names {
        if let Some(c) = child(n, name) {
            let text: String = c
                .descendants()
                .filter(|d| d.is_text())
                .filter_map(|d| d.text())
                .collect();
            let v = normalize_field(&text);
            if !v.is_empty() {
                return Some((v, name));
            }
        }
    }
    None
}

fn field(n: Node, parent: &str, names: &[&str]) -> Option<DeclaredField> {
    child_text(n, names).map(|(value, name)| DeclaredField {
        value,
        source: format!("{parent}/{name}"),
        raw: None,
    })
}

/// `yyyy/MM/dd`, `dd/MM/yyyy`, `yyyy-MM-dd` (a time may follow) → `yyyy-mm-dd`. The four-digit
/// year's place tells the two slash forms apart; an impossible day or month gives `None`.
pub fn iso_date(raw: &str) -> Option<String> {
    let date = raw.trim().split(['T', ' ']).next()?;
    let parts: Vec<&str> = date.split(['/', '-', '.']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let num = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (y, m, d) = if a.len() == 4 {
        (num(a)?, num(b)?, num(c)?)
    } else if c.len() == 4 {
        (num(c)?, num(b)?, num(a)?)
    } else {
        return None;
    };
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => return None,
    };
    ((1..=days).contains(&d) && (1900..=2200).contains(&y)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// Reads the declared fields of a `MessageHeader`.
pub(super) fn read(header: Node) -> Declared {
    let h = "MessageHeader";
    let mut d = Declared::default();
    if let Some(from) = child(header, "From") {
        d.sender_code = field(from, "MessageHeader/From", &["OrganId"]);
        d.sender_name = field(
            from,
            "MessageHeader/From",
            &["OrganName", "OrganizationInCharge"],
        );
    }
    d.recipients = header
        .children()
        .filter(|c| c.is_element() && c.tag_name().name() == "To")
        .filter_map(|to| child_text(to, &["OrganId"]).map(|(v, _)| v))
        .collect();
    if let Some(code) = child(header, "Code") {
        d.number = field(code, "MessageHeader/Code", &["CodeNumber"]);
        d.notation = field(code, "MessageHeader/Code", &["CodeNotation"]);
        d.number_notation = match (&d.number, &d.notation) {
            (Some(n), Some(s)) => Some(DeclaredField {
                value: format!("{}/{}", n.value, s.value),
                source: "MessageHeader/Code/CodeNumber + CodeNotation".into(),
                raw: None,
            }),
            (Some(n), None) => Some(n.clone()),
            _ => None,
        };
    }
    if let Some(p) = child(header, "PromulgationInfo") {
        d.place = field(p, "MessageHeader/PromulgationInfo", &["Place"]);
        d.issue_date =
            field(p, "MessageHeader/PromulgationInfo", &["PromulgationDate"]).and_then(|f| {
                let iso = iso_date(&f.value)?;
                Some(DeclaredField {
                    raw: (iso != f.value).then(|| f.value.clone()),
                    value: iso,
                    source: f.source,
                })
            });
    }
    if let Some(t) = child(header, "DocumentType") {
        d.doc_type = field(t, "MessageHeader/DocumentType", &["TypeName"]);
        d.type_code = field(t, "MessageHeader/DocumentType", &["Type"]);
        if d.doc_type.is_none() && d.type_code.is_none() {
            // The flat variant writes the type as the element's own text.
            d.doc_type = field(header, h, &["DocumentType"]);
        }
    }
    d.subject = field(header, h, &["Subject", "Content"]);
    if let Some(s) = child(header, "SignerInfo") {
        let p = "MessageHeader/SignerInfo";
        d.signer_name = field(s, p, &["FullName", "Signer"]);
        d.signer_title = field(s, p, &["Position"]);
        d.signing_authority = field(s, p, &["Competence"]);
    }
    d.document_id = field(header, h, &["DocumentId"]);
    if let Some(r) = child(header, "ResponseFor") {
        d.response_for = field(r, "MessageHeader/ResponseFor", &["Code", "DocumentId"]);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_every_written_form_become_iso() {
        assert_eq!(iso_date("2019/01/16").as_deref(), Some("2019-01-16"));
        assert_eq!(iso_date("16/01/2019").as_deref(), Some("2019-01-16"));
        assert_eq!(iso_date("2024-03-05").as_deref(), Some("2024-03-05"));
        assert_eq!(
            iso_date("2018/09/28 00:00:00").as_deref(),
            Some("2018-09-28")
        );
        assert_eq!(iso_date("5/3/2024").as_deref(), Some("2024-03-05"));
        assert_eq!(iso_date("2014/02/30"), None);
        assert_eq!(iso_date("74fass22"), None);
        assert_eq!(iso_date(""), None);
    }
}
