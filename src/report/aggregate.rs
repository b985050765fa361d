//! Records → counts per agency (and month): the report's numbers, read as a stream.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use crate::record::Record;
use crate::signature::{Role, SignatureReport, TrustStatus};
use crate::verdict::{signature_problem, Verdict};

use super::review;
use super::senders::Senders;
use super::{
    verdict_name, AgencyFile, Counts, Flagged, Grouping, Report, ReportError, Review, Row, FLAGGED,
    UNKNOWN_MONTH, UNRESOLVED_AGENCY, VERDICTS,
};

/// What one record contributes.
pub(super) struct DocFacts {
    pub(super) agency_key: String,
    pub(super) month: String,
    pub(super) verdict: Verdict,
    pub(super) pages: u64,
    pub(super) digitally_signed: bool,
    pub(super) personally_signed: bool,
    pub(super) seal: bool,
    pub(super) handwritten: bool,
}

/// Whether a signature counts for the KPIs: the verdict's own rule, with trust required when
/// the scan checked it (`--trust` leaves every status other than `unknown`).
pub fn signature_counts(sig: &SignatureReport) -> bool {
    sig.signed
        && !sig.document_timestamp
        && signature_problem(sig, sig.trust.status != TrustStatus::Unknown).is_none()
}

fn field_value(f: &Option<crate::metadata::Field<String>>) -> Option<String> {
    f.as_ref()
        .map(|f| f.value.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// `yyyy-mm` from an ISO date, when it is one.
fn month_of(date: Option<&str>) -> Option<String> {
    let d = date?;
    let b = d.as_bytes();
    let ok = b.len() >= 7
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && (1..=12).contains(&d[5..7].parse::<u32>().unwrap_or(0));
    ok.then(|| d[..7].to_owned())
}

/// Accumulates records into a [`Report`]; feed it with [`Aggregator::add`].
pub struct Aggregator {
    grouping: Grouping,
    agencies: Option<AgencyFile>,
    total: Counts,
    by_agency: BTreeMap<String, Counts>,
    by_agency_month: BTreeMap<(String, String), Counts>,
    by_month: BTreeMap<String, Counts>,
    /// Names seen in records per agency key, to name agencies the agency file does not.
    seen_names: BTreeMap<String, BTreeMap<String, u64>>,
    /// Per key: whether a list (gazetteer, agency file) holds it, and its province's name.
    listed: BTreeMap<String, bool>,
    provinces: BTreeMap<String, String>,
    flagged: Vec<Flagged>,
    review: Review,
    senders: Senders,
}

impl Aggregator {
    pub fn new(grouping: Grouping, agencies: Option<AgencyFile>) -> Self {
        Aggregator {
            grouping,
            agencies,
            total: Counts::default(),
            by_agency: BTreeMap::new(),
            by_agency_month: BTreeMap::new(),
            by_month: BTreeMap::new(),
            seen_names: BTreeMap::new(),
            listed: BTreeMap::new(),
            provinces: BTreeMap::new(),
            flagged: Vec::new(),
            review: Review::default(),
            senders: Senders::default(),
        }
    }

    pub fn add(&mut self, record: &Record) {
        let md = &record.metadata;
        let signed: Vec<&SignatureReport> = record
            .signatures
            .iter()
            .filter(|s| signature_counts(s))
            .collect();
        self.senders.add(record, !signed.is_empty());
        if record.package.is_some() && record.verdict.is_none() {
            // A status package (received, processing, ...): a package, not a document.
            return;
        }
        // The resolved name ("Sở Tài chính tỉnh Bắc Giang") names the row; the printed one
        // only when there is no other.
        let name = field_value(&md.agency_name).or_else(|| field_value(&md.agency));
        let agency_key = field_value(&md.agency_key)
            .map(|k| self.file_key(&k))
            .or_else(|| {
                // Without the metadata stage's key, the agency file can still resolve the name.
                let (file, name) = (self.agencies.as_ref()?, name.as_ref()?);
                file.key_for(name)
            })
            .unwrap_or_else(|| UNRESOLVED_AGENCY.to_owned());
        if agency_key == UNRESOLVED_AGENCY {
            self.review.unresolved_documents += 1;
            if self.review.unresolved.len() < review::MAX_LISTED {
                self.review.unresolved.push(review::UnresolvedDoc {
                    path: record.path.clone(),
                    id: record.id.clone(),
                    printed: field_value(&md.agency),
                    number: field_value(&md.number_symbol),
                    candidates: md
                        .agency_resolution
                        .as_ref()
                        .map(|r| r.candidates.iter().take(3).cloned().collect())
                        .unwrap_or_default(),
                });
            }
        } else {
            let listed = md
                .agency_key
                .as_ref()
                .and_then(|k| k.source.as_deref())
                .is_some_and(|s| matches!(s, "gazetteer" | "agency_file" | "envelope"));
            *self.listed.entry(agency_key.clone()).or_default() |= listed;
            let province = md
                .agency_resolution
                .as_ref()
                .and_then(|r| r.province.as_deref())
                .and_then(|p| crate::metadata::gazetteer::gazetteer().province_by_key(p))
                .map(|p| p.name.clone());
            if let Some(p) = province {
                self.provinces.insert(agency_key.clone(), p);
            }
        }
        if let Some(n) = &name {
            *self
                .seen_names
                .entry(agency_key.clone())
                .or_default()
                .entry(n.clone())
                .or_default() += 1;
        }
        let date = field_value(&md.issue_date);
        let month = month_of(date.as_deref()).unwrap_or_else(|| UNKNOWN_MONTH.to_owned());
        let has_mark = |kind: &str| {
            record
                .evidence
                .iter()
                .any(|e| e.kind == kind && e.page.is_some())
        };
        let facts = DocFacts {
            verdict: record.verdict.unwrap_or(Verdict::Unreadable),
            pages: record.pages.len() as u64,
            digitally_signed: !signed.is_empty(),
            personally_signed: signed.iter().any(|s| s.role == Role::Personal),
            seal: has_mark("seal"),
            handwritten: has_mark("handwritten_signature"),
            agency_key,
            month,
        };
        self.total.add(&facts);
        self.by_agency
            .entry(facts.agency_key.clone())
            .or_default()
            .add(&facts);
        self.by_month
            .entry(facts.month.clone())
            .or_default()
            .add(&facts);
        if self.grouping == Grouping::AgencyMonth {
            self.by_agency_month
                .entry((facts.agency_key.clone(), facts.month.clone()))
                .or_default()
                .add(&facts);
        }
        if FLAGGED.contains(&facts.verdict) {
            self.flagged.push(Flagged {
                agency_key: facts.agency_key.clone(),
                agency: String::new(),
                verdict: verdict_name(facts.verdict),
                number: field_value(&md.number_symbol).or_else(|| field_value(&md.number)),
                issue_date: date,
                path: record.path.clone(),
                id: record.id.clone(),
                evidence: record
                    .evidence
                    .iter()
                    .map(|e| match e.page {
                        Some(p) => format!("{} [page {}]: {}", e.kind, p + 1, e.detail),
                        None => format!("{}: {}", e.kind, e.detail),
                    })
                    .collect(),
                errors: record
                    .errors
                    .iter()
                    .map(|e| format!("{}: {}", e.kind, e.message))
                    .collect(),
            });
        }
    }

    /// A record's key as the agency file has it: the key itself when the file knows it, else the
    /// entry that lists it as an alias (`kyso agencies` joins near-duplicate keys so).
    fn file_key(&self, key: &str) -> String {
        match &self.agencies {
            Some(f) if f.name_of(key).is_none() => f.key_for(key).unwrap_or_else(|| key.to_owned()),
            _ => key.to_owned(),
        }
    }

    /// The display name of an agency: the agency file's name, else the name most records give.
    fn display_name(&self, key: &str) -> String {
        if key == UNRESOLVED_AGENCY {
            return UNRESOLVED_AGENCY.to_owned();
        }
        if let Some(name) = self.agencies.as_ref().and_then(|a| a.name_of(key)) {
            return name.to_owned();
        }
        self.seen_names
            .get(key)
            .and_then(|names| {
                // Most common; ties go to the first in sort order so the output is stable.
                names
                    .iter()
                    .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                    .map(|(n, _)| n.clone())
            })
            .unwrap_or_else(|| key.to_owned())
    }

    /// The row key of every agency key seen. Keys equal once their hyphens are gone are one
    /// agency: OCR runs words together ("ỦY BANNHAN DÂN" gives `uy-bannhan-dan-…`) far more
    /// often than two agencies' names differ only in where their words break. The row takes
    /// the key the agency file knows, else the one most documents carry, else the one with
    /// the most word breaks. Keys a letter apart are not joined: Lục Nam and Lục Ngạn are two
    /// districts of one province.
    fn row_keys(&self) -> BTreeMap<String, String> {
        let mut variants: BTreeMap<String, Vec<&String>> = BTreeMap::new();
        for key in self.by_agency.keys() {
            variants.entry(key.replace('-', "")).or_default().push(key);
        }
        let known = |k: &str| {
            self.agencies
                .as_ref()
                .is_some_and(|a| a.name_of(k).is_some())
        };
        let mut rows = BTreeMap::new();
        for keys in variants.values() {
            let Some(best) = keys.iter().max_by_key(|k| {
                (
                    known(k),
                    self.by_agency[k.as_str()].documents,
                    k.matches('-').count(),
                    std::cmp::Reverse(k.as_str()),
                )
            }) else {
                continue;
            };
            for k in keys {
                rows.insert((*k).clone(), (*best).clone());
            }
        }
        rows
    }

    /// Joins the groups of keys [`Aggregator::row_keys`] says are one agency.
    fn join_agency_variants(&mut self) {
        let rows = self.row_keys();
        let row = |k: &String| rows.get(k).cloned().unwrap_or_else(|| k.clone());
        let mut by_agency: BTreeMap<String, Counts> = BTreeMap::new();
        for (k, c) in &self.by_agency {
            by_agency.entry(row(k)).or_default().absorb(c);
        }
        let mut by_agency_month: BTreeMap<(String, String), Counts> = BTreeMap::new();
        for ((k, m), c) in &self.by_agency_month {
            by_agency_month
                .entry((row(k), m.clone()))
                .or_default()
                .absorb(c);
        }
        let mut seen_names: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        for (k, names) in &self.seen_names {
            let merged = seen_names.entry(row(k)).or_default();
            for (name, n) in names {
                *merged.entry(name.clone()).or_default() += n;
            }
        }
        for f in &mut self.flagged {
            f.agency_key = row(&f.agency_key);
        }
        let mut listed: BTreeMap<String, bool> = BTreeMap::new();
        for (k, l) in &self.listed {
            *listed.entry(row(k)).or_default() |= l;
        }
        let provinces = self
            .provinces
            .iter()
            .map(|(k, p)| (row(k), p.clone()))
            .collect();
        self.listed = listed;
        self.provinces = provinces;
        self.by_agency = by_agency;
        self.by_agency_month = by_agency_month;
        self.seen_names = seen_names;
    }

    pub fn finish(mut self, source: &Path) -> Report {
        self.join_agency_variants();
        let keys: BTreeMap<String, (u64, bool)> = self
            .by_agency
            .iter()
            .filter(|(k, _)| k.as_str() != UNRESOLVED_AGENCY)
            .map(|(k, c)| {
                let listed = self.listed.get(k).copied().unwrap_or(false)
                    || self
                        .agencies
                        .as_ref()
                        .is_some_and(|a| a.name_of(k).is_some());
                (k.clone(), (c.documents, listed))
            })
            .collect();
        self.review.near_duplicates = review::near_duplicates(&keys);
        self.review.unresolved.sort_by(|a, b| a.path.cmp(&b.path));
        let provinces = self.provinces.clone();
        let row = |key: &str, name: String, month: Option<String>, c: &Counts| Row {
            agency_key: key.to_owned(),
            province: provinces.get(key).cloned(),
            agency: name,
            month,
            digital_signature_rate: c.digital_signature_rate(),
            personal_signature_rate: c.personal_signature_rate(),
            scanned_unsigned_rate: c.scanned_unsigned_rate(),
            counts: c.clone(),
        };
        let mut rows: Vec<Row> = match self.grouping {
            Grouping::Agency => self
                .by_agency
                .iter()
                .map(|(k, c)| row(k, self.display_name(k), None, c))
                .collect(),
            Grouping::AgencyMonth => self
                .by_agency_month
                .iter()
                .map(|((k, m), c)| row(k, self.display_name(k), Some(m.clone()), c))
                .collect(),
        };
        rows.sort_by(|a, b| {
            (a.agency_key == UNRESOLVED_AGENCY, &a.agency, &a.month).cmp(&(
                b.agency_key == UNRESOLVED_AGENCY,
                &b.agency,
                &b.month,
            ))
        });
        // Months sort as text (yyyy-mm), and "unknown month" after every digit-led month.
        let months = self
            .by_month
            .iter()
            .map(|(m, c)| row("*", "(all agencies)".into(), Some(m.clone()), c))
            .collect();
        let mut flagged = self.flagged.clone();
        for f in &mut flagged {
            f.agency = self.display_name(&f.agency_key);
        }
        flagged.sort_by(|a, b| (&a.agency, &a.path).cmp(&(&b.agency, &b.path)));
        Report {
            source: source.display().to_string(),
            grouping: self.grouping,
            verdicts: VERDICTS.iter().map(|v| verdict_name(*v)).collect(),
            total: row("*", "(all agencies)".into(), None, &self.total),
            rows,
            months,
            flagged,
            review: self.review,
            senders: self.senders.finish(),
        }
    }
}

/// Reads `documents.jsonl` line by line into a report.
pub fn aggregate_file(
    path: &Path,
    grouping: Grouping,
    agencies: Option<AgencyFile>,
) -> Result<Report, ReportError> {
    let read_err = |source| ReportError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(read_err)?;
    let mut agg = Aggregator::new(grouping, agencies);
    for (n, line) in (1u64..).zip(BufReader::new(file).lines()) {
        let line = line.map_err(read_err)?;
        if line.trim().is_empty() {
            continue;
        }
        let record: Record = serde_json::from_str(&line).map_err(|source| ReportError::Parse {
            path: path.to_path_buf(),
            line: n,
            source,
        })?;
        agg.add(&record);
    }
    Ok(agg.finish(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_come_only_from_iso_dates() {
        assert_eq!(month_of(Some("2024-03-15")).as_deref(), Some("2024-03"));
        assert_eq!(month_of(Some("2024-13-01")), None);
        assert_eq!(month_of(Some("15/03/2024")), None);
        assert_eq!(month_of(None), None);
    }

    fn record_of(agency: &str, key: &str) -> Record {
        let mut r = Record::new(format!("{key}.pdf"));
        r.verdict = Some(Verdict::ScannedUnsigned);
        let field = |v: &str| {
            Some(crate::metadata::Field {
                value: v.to_owned(),
                confidence: 1.0,
                source: None,
            })
        };
        r.metadata.agency = field(agency);
        r.metadata.agency_key = field(key);
        r
    }

    #[test]
    fn keys_that_differ_only_in_word_breaks_are_one_agency_row() {
        let mut agg = Aggregator::new(Grouping::Agency, None);
        for _ in 0..2 {
            agg.add(&record_of(
                "ỦY BAN NHÂN DÂN HUYỆN LỤC NAM",
                "uy-ban-nhan-dan-huyen-luc-nam",
            ));
        }
        agg.add(&record_of(
            "ỦY BANNHAN DAN HUYEN LUC NAM",
            "uy-bannhan-dan-huyen-luc-nam",
        ));
        // A letter apart is another district, not OCR damage.
        agg.add(&record_of(
            "ỦY BAN NHÂN DÂN HUYỆN LỤC NGẠN",
            "uy-ban-nhan-dan-huyen-luc-ngan",
        ));
        let report = agg.finish(Path::new("x"));
        let rows: Vec<(&str, &str, u64)> = report
            .rows
            .iter()
            .map(|r| (r.agency_key.as_str(), r.agency.as_str(), r.counts.documents))
            .collect();
        assert_eq!(
            rows,
            [
                (
                    "uy-ban-nhan-dan-huyen-luc-nam",
                    "ỦY BAN NHÂN DÂN HUYỆN LỤC NAM",
                    3
                ),
                (
                    "uy-ban-nhan-dan-huyen-luc-ngan",
                    "ỦY BAN NHÂN DÂN HUYỆN LỤC NGẠN",
                    1
                ),
            ]
        );
        assert!(report
            .flagged
            .iter()
            .all(|f| f.agency_key != "uy-bannhan-dan-huyen-luc-nam"));
    }

    #[test]
    fn a_record_without_agency_lands_in_the_unresolved_row_and_the_review() {
        let mut agg = Aggregator::new(Grouping::Agency, None);
        let mut r = Record::new("a.pdf".into());
        r.verdict = Some(Verdict::ScannedUnsigned);
        agg.add(&r);
        let report = agg.finish(Path::new("x"));
        assert_eq!(report.rows.len(), 1);
        assert_eq!(report.rows[0].agency_key, UNRESOLVED_AGENCY);
        assert_eq!(report.rows[0].counts.scanned_unsigned, 1);
        assert_eq!(report.rows[0].scanned_unsigned_rate, 1.0);
        assert_eq!(report.flagged.len(), 1);
        assert_eq!(report.review.unresolved_documents, 1);
        assert_eq!(report.review.unresolved[0].path, "a.pdf");
    }
}
