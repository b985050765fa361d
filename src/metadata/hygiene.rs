//! Text hygiene: every metadata value is normalised once, before any writer sees it
//! (docs/record.md, "Text hygiene"). Control sequences, controls and invisible formatting
//! (bidi overrides included) are removed, the text is put in Unicode NFC and its whitespace
//! collapsed to single spaces ([`crate::output::text::normalize_field`]). A value left empty
//! is no value.
//!
//! The structs are taken apart field by field, without `..`: a text field added to
//! `Metadata`, `FileInfo` or `XmpInfo` does not compile until it is listed here.

use super::{AgencyResolution, Field, Metadata};
use crate::output::text::normalize_field;
use crate::source::{FileInfo, XmpInfo};

fn text(slot: &mut Option<String>) {
    if let Some(v) = slot.as_mut() {
        *v = normalize_field(v);
    }
    if slot.as_deref() == Some("") {
        *slot = None;
    }
}

fn field(slot: &mut Option<Field<String>>) {
    if let Some(f) = slot.as_mut() {
        f.value = normalize_field(&f.value);
    }
    if slot.as_ref().is_some_and(|f| f.value.is_empty()) {
        *slot = None;
    }
}

fn list(slot: &mut Option<Field<Vec<String>>>) {
    if let Some(f) = slot.as_mut() {
        f.value = f
            .value
            .iter()
            .map(|v| normalize_field(v))
            .filter(|v| !v.is_empty())
            .collect();
    }
    if slot.as_ref().is_some_and(|f| f.value.is_empty()) {
        *slot = None;
    }
}

fn file_info(info: &mut FileInfo) {
    let FileInfo {
        producer,
        creator,
        created,
        modified,
        make,
        model,
        software,
        encrypted: _,
        dpi: _,
        xmp,
    } = info;
    for slot in [producer, creator, created, modified, make, model, software] {
        text(slot);
    }
    if let Some(XmpInfo {
        creator_tool,
        producer,
        create_date,
        modify_date,
        metadata_date,
        title,
    }) = xmp
    {
        for slot in [
            creator_tool,
            producer,
            create_date,
            modify_date,
            metadata_date,
            title,
        ] {
            text(slot);
        }
    }
}

/// The resolution's texts: the evidence as found and the candidates' names come from the
/// document (its lines, its certificates), so they follow the same rules.
fn resolution(r: &mut AgencyResolution) {
    let AgencyResolution {
        status: _,
        key,
        name,
        province: _,
        successor: _,
        confidence: _,
        listed: _,
        evidence,
        candidates,
        from_document,
    } = r;
    text(key);
    text(name);
    for e in evidence {
        e.text = normalize_field(&e.text);
    }
    for c in candidates.iter_mut().chain(from_document.iter_mut()) {
        c.name = normalize_field(&c.name);
    }
}

impl Metadata {
    /// Normalises every text value in place (the module's rules).
    pub fn normalize_text(&mut self) {
        let Metadata {
            agency,
            parent_agency,
            agency_key,
            agency_name,
            agency_resolution,
            number,
            symbol,
            number_symbol,
            doc_type,
            place,
            issue_date,
            subject,
            signer_name,
            signer_title,
            signing_authority,
            recipients,
            urgency,
            confidentiality,
            file,
        } = self;
        if let Some(r) = agency_resolution {
            resolution(r);
        }
        for slot in [
            agency,
            parent_agency,
            agency_key,
            agency_name,
            number,
            symbol,
            number_symbol,
            doc_type,
            place,
            issue_date,
            subject,
            signer_name,
            signer_title,
            signing_authority,
            urgency,
            confidentiality,
        ] {
            field(slot);
        }
        list(recipients);
        if let Some(info) = file {
            file_info(info);
        }
    }

    /// Whether every text value is already normalised: what the record promises.
    pub fn is_normalized(&self) -> bool {
        let mut copy = self.clone();
        copy.normalize_text();
        copy == *self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_is_normalised_and_emptied_values_go() {
        let mut m = Metadata {
            agency: Some(Field::new("\u{1b}[31mSỞ  TÀI\tCHÍNH\u{1b}[0m".into(), 0.9)),
            subject: Some(Field::new("V/v \u{202e}gpj.exe\n".into(), 0.9)),
            signer_name: Some(Field::new("\u{0}\u{7}".into(), 0.9)),
            recipients: Some(Field::new(
                vec!["Như trên;\u{85}".into(), "\u{200b}".into()],
                0.9,
            )),
            file: Some(FileInfo {
                producer: Some("Word\u{1b}]0;x\u{7}".into()),
                xmp: Some(XmpInfo {
                    title: Some("\u{9b}2J".into()),
                    ..XmpInfo::default()
                }),
                ..FileInfo::default()
            }),
            ..Metadata::default()
        };
        assert!(!m.is_normalized());
        m.normalize_text();
        assert!(m.is_normalized());
        assert_eq!(m.agency.unwrap().value, "SỞ TÀI CHÍNH");
        assert_eq!(m.subject.unwrap().value, "V/v gpj.exe");
        assert!(m.signer_name.is_none());
        assert_eq!(m.recipients.unwrap().value, ["Như trên;"]);
        let file = m.file.unwrap();
        assert_eq!(file.producer.as_deref(), Some("Word"));
        assert_eq!(file.xmp.unwrap().title, None);
    }
}
