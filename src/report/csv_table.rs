//! `report.csv`: one row per agency (per agency and month), the same numbers as the JSON.

use crate::output::csv;

use super::{Grouping, Report};

/// The CSV: one row per agency (per month), the same numbers as the JSON.
pub fn to_csv(report: &Report) -> String {
    let mut out = String::new();
    let mut header = vec!["agency_key", "agency", "province"];
    if report.grouping == Grouping::AgencyMonth {
        header.push("month");
    }
    header.extend(["documents", "pages"]);
    let verdicts: Vec<String> = report.verdicts.clone();
    let mut head: Vec<String> = header.iter().map(|s| s.to_string()).collect();
    head.extend(verdicts.iter().cloned());
    head.extend(
        [
            "digitally_signed",
            "personally_signed",
            "with_seal_detected",
            "with_handwritten_signature_detected",
            "flagged",
            "digital_signature_rate",
            "personal_signature_rate",
            "scanned_unsigned_rate",
        ]
        .map(String::from),
    );
    out.push_str(&head.join(","));
    out.push('\n');
    for r in &report.rows {
        let mut cells = vec![
            csv::text_field(&r.agency_key),
            csv::text_field(&r.agency),
            csv::text_field(r.province.as_deref().unwrap_or("")),
        ];
        if report.grouping == Grouping::AgencyMonth {
            cells.push(csv::text_field(r.month.as_deref().unwrap_or("")));
        }
        let c = &r.counts;
        cells.push(c.documents.to_string());
        cells.push(c.pages.to_string());
        for v in &verdicts {
            cells.push(c.verdicts.get(v).copied().unwrap_or(0).to_string());
        }
        for n in [
            c.digitally_signed,
            c.personally_signed,
            c.with_seal_detected,
            c.with_handwritten_signature_detected,
            c.flagged,
        ] {
            cells.push(n.to_string());
        }
        for rate in [
            r.digital_signature_rate,
            r.personal_signature_rate,
            r.scanned_unsigned_rate,
        ] {
            cells.push(format!("{rate:.4}"));
        }
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}
