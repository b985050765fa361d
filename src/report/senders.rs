//! A run over edXML packages, per sender code (`From/OrganId`): packages, attachments, the
//! inspectors' KPI, and how many attachments contradict what their envelope declares
//! (docs/edxml.md, docs/report.md).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

use crate::output::csv;
use crate::output::escape_markup as esc;
use crate::record::Record;

/// The row of packages whose envelope names no sender code.
pub const NO_SENDER_CODE: &str = "(no sender code)";

/// One sender code's row.
#[derive(Debug, Clone, Serialize)]
pub struct SenderRow {
    pub sender_code: String,
    /// The name most of its envelopes give (else the resolved agency's).
    pub sender: String,
    /// The agency key its documents were counted under.
    pub agency_key: Option<String>,
    pub packages: u64,
    /// Documents read from its packages (an attachment, or each entry of a zipped one).
    pub attachments: u64,
    pub digitally_signed: u64,
    /// `digitally_signed` ÷ `attachments`: the inspectors' KPI over what it sent.
    pub digital_signature_rate: f64,
    /// Attachments with at least one `declared_mismatch`.
    pub mismatched: u64,
    /// Mismatches by field (`number_notation`, `issue_date`, `sender`, `doc_type`,
    /// `organisation_certificate`).
    pub mismatches: BTreeMap<String, u64>,
    /// Packages whose envelope carries an XML signature (reported, not verified).
    pub envelope_signed_packages: u64,
    /// Packages that could not be read (hostile or broken XML, no attachment).
    pub unreadable_packages: u64,
}

#[derive(Default)]
struct Acc {
    names: BTreeMap<String, u64>,
    keys: BTreeMap<String, u64>,
    packages: BTreeSet<String>,
    signed_envelopes: BTreeSet<String>,
    unreadable: BTreeSet<String>,
    attachments: u64,
    signed: u64,
    mismatched: u64,
    mismatches: BTreeMap<String, u64>,
}

/// Accumulates the records that came from packages.
#[derive(Default)]
pub(super) struct Senders {
    by_code: BTreeMap<String, Acc>,
}

impl Senders {
    pub(super) fn add(&mut self, record: &Record, digitally_signed: bool) {
        let Some(p) = &record.package else { return };
        let declared = record.declared.as_ref();
        let code = declared
            .and_then(|d| d.sender_code.as_ref())
            .map(|c| c.value.clone())
            .unwrap_or_else(|| NO_SENDER_CODE.to_string());
        let acc = self.by_code.entry(code).or_default();
        let name = declared
            .and_then(|d| d.sender_name.as_ref().map(|n| n.value.clone()))
            .or_else(|| {
                record
                    .metadata
                    .agency_name
                    .as_ref()
                    .map(|n| n.value.clone())
            });
        if let Some(n) = name {
            *acc.names.entry(n).or_default() += 1;
        }
        if let Some(k) = &record.metadata.agency_key {
            *acc.keys.entry(k.value.clone()).or_default() += 1;
        }
        acc.packages.insert(p.path.clone());
        if p.envelope_signature.is_some() {
            acc.signed_envelopes.insert(p.path.clone());
        }
        if p.content_id.is_none() {
            if !record.errors.is_empty() {
                acc.unreadable.insert(p.path.clone());
            }
            return;
        }
        acc.attachments += 1;
        acc.signed += u64::from(digitally_signed);
        let mismatches = declared
            .map(|d| d.mismatches.as_slice())
            .unwrap_or_default();
        if !mismatches.is_empty() {
            acc.mismatched += 1;
        }
        for m in mismatches {
            *acc.mismatches.entry(m.field.clone()).or_default() += 1;
        }
    }

    pub(super) fn finish(self) -> Vec<SenderRow> {
        let most = |m: &BTreeMap<String, u64>| {
            m.iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(k, _)| k.clone())
        };
        let mut rows: Vec<SenderRow> = self
            .by_code
            .into_iter()
            .map(|(code, a)| SenderRow {
                sender: most(&a.names).unwrap_or_else(|| code.clone()),
                agency_key: most(&a.keys),
                packages: a.packages.len() as u64,
                attachments: a.attachments,
                digitally_signed: a.signed,
                digital_signature_rate: if a.attachments == 0 {
                    0.0
                } else {
                    a.signed as f64 / a.attachments as f64
                },
                mismatched: a.mismatched,
                mismatches: a.mismatches,
                envelope_signed_packages: a.signed_envelopes.len() as u64,
                unreadable_packages: a.unreadable.len() as u64,
                sender_code: code,
            })
            .collect();
        // The row without a code last, like the unresolved agency.
        rows.sort_by_key(|r| (r.sender_code == NO_SENDER_CODE, r.sender_code.clone()));
        rows
    }
}

fn mismatch_text(m: &BTreeMap<String, u64>) -> String {
    m.iter()
        .map(|(f, n)| format!("{f} {n}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// `senders.csv`: one row per sender code.
pub fn to_csv(rows: &[SenderRow]) -> String {
    let mut out = String::from(
        "sender_code,sender,agency_key,packages,attachments,digitally_signed,\
         digital_signature_rate,mismatched_attachments,mismatches,envelope_signed_packages,\
         unreadable_packages\n",
    );
    for r in rows {
        let cells = [
            csv::text_field(&r.sender_code),
            csv::text_field(&r.sender),
            csv::text_field(r.agency_key.as_deref().unwrap_or("")),
            r.packages.to_string(),
            r.attachments.to_string(),
            r.digitally_signed.to_string(),
            format!("{:.4}", r.digital_signature_rate),
            r.mismatched.to_string(),
            csv::text_field(&mismatch_text(&r.mismatches)),
            r.envelope_signed_packages.to_string(),
            r.unreadable_packages.to_string(),
        ];
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// The HTML section; empty when no record came from a package.
pub fn html_section(rows: &[SenderRow]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut h = String::from(
        "<h2 id=\"senders\">Senders (edXML packages)</h2>\n<p class=\"defs\">Documents that \
         arrived in exchange packages, by the sender code their envelope declares \
         (<code>From/OrganId</code>). <b>Mismatched</b>: attachments whose own number, date, \
         type, agency or organisation certificate contradicts the envelope. Envelope \
         signatures are reported, not verified.</p>\n<table class=\"sortable\"><thead><tr>\
         <th>Sender code</th><th>Sender</th><th>Packages</th><th>Attachments</th>\
         <th>Digitally signed</th><th>Digital-signature rate</th><th>Mismatched</th>\
         <th>Mismatches</th><th>Envelope signed</th><th>Unreadable packages</th></tr></thead><tbody>\n",
    );
    for r in rows {
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{:.1}%</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&r.sender_code),
            esc(&r.sender),
            r.packages,
            r.attachments,
            r.digitally_signed,
            r.digital_signature_rate * 100.0,
            r.mismatched,
            esc(&mismatch_text(&r.mismatches)),
            r.envelope_signed_packages,
            r.unreadable_packages,
        );
    }
    h.push_str("</tbody></table>\n");
    h
}
