//! The HTML report: one self-contained file (inline CSS, inline SVG charts, a little inline JS
//! to sort tables), no network access, readable when printed on A4.
//!
//! Charts are drawn here as SVG rather than by a JS charting library: the page then needs no
//! script to show its numbers, prints the same as it displays, and opens from a file on a
//! machine without internet access (inspectors' laptops often have none).

use std::fmt::Write;

use super::{verdict_name, Report, Row, UNKNOWN_MONTH, VERDICTS};
use crate::output::escape_markup as esc;
use crate::output::markup::csp_script_hash;
use crate::verdict::Verdict;

/// Colour and label of each verdict: greens for signed, reds for what inspectors look for.
fn verdict_style(v: Verdict) -> (&'static str, &'static str) {
    match v {
        Verdict::FullySigned => ("#1a7f37", "fully signed"),
        Verdict::OrgSignedOnly => ("#57ab5a", "org signed only"),
        Verdict::PartiallySigned => ("#9ccc65", "partially signed"),
        Verdict::ScannedOrgSigned => ("#2f81f7", "scanned, org signed"),
        Verdict::ScannedUnsigned => ("#d1242f", "scanned, unsigned"),
        Verdict::Unsigned => ("#fb8f44", "unsigned"),
        Verdict::SignatureInvalid => ("#8250df", "signature invalid"),
        Verdict::Unreadable => ("#8c959f", "unreadable"),
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

const CSS: &str = r#"
:root { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1f2328; }
body { margin: 24px; max-width: 1200px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h3 { font-size: 14px; margin: 16px 0 6px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
p.meta { color: #57606a; margin: 0 0 12px; font-size: 13px; }
.kpis { display: flex; gap: 12px; flex-wrap: wrap; }
.kpi { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 14px; min-width: 150px; }
.kpi b { display: block; font-size: 22px; }
.kpi span { font-size: 12px; color: #57606a; }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
th, td { border: 1px solid #d0d7de; padding: 3px 6px; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f6f8fa; cursor: pointer; user-select: none; }
th[aria-sort="ascending"]::after { content: " ▲"; }
th[aria-sort="descending"]::after { content: " ▼"; }
svg { max-width: 100%; height: auto; font-size: 11px; }
svg text { fill: #1f2328; }
.legend { display: flex; gap: 10px; flex-wrap: wrap; font-size: 12px; margin: 4px 0; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: middle; }
ul.ev { margin: 0; padding-left: 16px; }
.defs { font-size: 12px; color: #424a53; }
.wide { overflow-x: auto; }
@page { size: A4; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; }
  th { cursor: auto; }
  h2 { break-after: avoid; }
  tr, .chart, .kpi { break-inside: avoid; }
  table { font-size: 9px; }
  th[aria-sort]::after { content: ""; }
  .wide { overflow: visible; }
}
"#;

/// Sorts a table when a header is clicked (numbers by their `data-v`, text by locale), and
/// marks the page as ready so a headless browser test can tell that the script ran.
const JS: &str = r#"
(function () {
  function key(cell) {
    var v = cell.getAttribute('data-v');
    return v !== null ? parseFloat(v) : cell.textContent.trim();
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var heads = table.querySelectorAll('thead th');
    heads.forEach(function (th, col) {
      th.addEventListener('click', function () {
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[col]), y = key(b.cells[col]);
          var c = (typeof x === 'number' && typeof y === 'number') ? x - y
            : String(x).localeCompare(String(y), 'vi');
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  document.body.setAttribute('data-ready', 'yes');
})();
"#;

/// Renders the whole page.
pub fn render(report: &Report) -> String {
    let t = &report.total;
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    // No network: the policy forbids every fetch, so a stray reference would fail loudly. Only
    // the page's own script runs (named by its hash): no other inline script or event handler.
    let _ = writeln!(h, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src {}; img-src data:\">", csp_script_hash(JS));
    h.push_str("<title>kyso: digital-signature compliance by agency</title>\n<style>");
    h.push_str(CSS);
    h.push_str("</style>\n</head>\n<body>\n");
    let _ = writeln!(
        h,
        "<h1>Digital-signature compliance by agency</h1>\n<p class=\"meta\">From {} · {} documents, {} pages, {} agencies · grouped by {}</p>",
        esc(&report.source),
        t.counts.documents,
        t.counts.pages,
        agency_rows(report).len(),
        if report.rows.iter().any(|r| r.month.is_some()) { "agency and month" } else { "agency" }
    );
    let _ = writeln!(
        h,
        "<div class=\"kpis\" id=\"kpis\">{}{}{}{}</div>",
        kpi(&pct(t.digital_signature_rate), "digital-signature rate"),
        kpi(&pct(t.personal_signature_rate), "personal-signature rate"),
        kpi(&pct(t.scanned_unsigned_rate), "scanned-unsigned rate"),
        kpi(&t.counts.flagged.to_string(), "flagged documents"),
    );
    h.push_str("<p class=\"defs\"><b>Digital-signature rate</b>: documents with at least one digital signature that counts (intact, valid, covering the document, trusted when trust was checked) ÷ all documents. <b>Personal-signature rate</b>: documents with such a signature of an official (role personal) ÷ all documents. <b>Scanned-unsigned rate</b>: scans of paper with no digital signature ÷ all documents.</p>\n");

    let agencies = agency_rows(report);
    h.push_str("<h2>Verdicts per agency</h2>\n");
    h.push_str(&legend());
    h.push_str(&verdict_chart(&agencies));
    h.push_str("<h2>Digital-signature rate ranking</h2>\n");
    h.push_str(&kpi_chart(&agencies));
    h.push_str("<h2>Monthly trend</h2>\n");
    h.push_str(&trend_chart(&report.months));

    h.push_str("<h2>Agencies</h2>\n");
    h.push_str(&rows_table(report));
    h.push_str(&super::senders::html_section(&report.senders));
    h.push_str("<h2>Per month (all agencies)</h2>\n");
    h.push_str(&month_table(report));
    let _ = writeln!(
        h,
        "<h2>Flagged documents ({})</h2>\n<p class=\"defs\">Documents with no digital signature of anyone (<code>scanned_unsigned</code>, <code>unsigned</code>), a signature that does not hold (<code>signature_invalid</code>), or that could not be analysed (<code>unreadable</code>).</p>",
        report.flagged.len()
    );
    h.push_str(&flagged_table(report));
    h.push_str(&review_section(report));
    h.push_str("<script>");
    h.push_str(JS);
    h.push_str("</script>\n</body>\n</html>\n");
    h
}

fn kpi(value: &str, label: &str) -> String {
    format!(
        "<div class=\"kpi\"><b>{}</b><span>{}</span></div>",
        esc(value),
        esc(label)
    )
}

/// One row per agency, whatever the grouping (the charts are per agency).
fn agency_rows(report: &Report) -> Vec<Row> {
    if report.rows.iter().all(|r| r.month.is_none()) {
        return report.rows.clone();
    }
    let mut merged: Vec<Row> = Vec::new();
    for r in &report.rows {
        match merged.iter_mut().find(|m| m.agency_key == r.agency_key) {
            Some(m) => m.counts.absorb(&r.counts),
            None => merged.push(Row {
                month: None,
                ..r.clone()
            }),
        }
    }
    for m in &mut merged {
        m.digital_signature_rate = m.counts.digital_signature_rate();
        m.personal_signature_rate = m.counts.personal_signature_rate();
        m.scanned_unsigned_rate = m.counts.scanned_unsigned_rate();
    }
    merged
}

fn legend() -> String {
    let mut s = String::from("<div class=\"legend\">");
    for v in VERDICTS {
        let (colour, label) = verdict_style(v);
        let _ = write!(
            s,
            "<span><i style=\"background:{colour}\"></i>{}</span>",
            esc(label)
        );
    }
    s.push_str("</div>\n");
    s
}

const LABEL_W: f64 = 300.0;
const BAR_W: f64 = 560.0;
const ROW_H: f64 = 24.0;

/// A horizontal bar per agency, its length the number of documents, stacked by verdict.
fn verdict_chart(rows: &[Row]) -> String {
    let max = rows
        .iter()
        .map(|r| r.counts.documents)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let height = ROW_H * rows.len() as f64 + 10.0;
    let mut s = format!(
        "<div class=\"chart\"><svg id=\"chart-verdicts\" class=\"chart-verdicts\" role=\"img\" aria-label=\"Documents per agency, stacked by verdict\" viewBox=\"0 0 {w} {height}\" width=\"{w}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">",
        w = LABEL_W + BAR_W + 60.0
    );
    for (i, r) in rows.iter().enumerate() {
        let y = 5.0 + ROW_H * i as f64;
        let _ = write!(
            s,
            "<g class=\"agency-bar\" data-agency=\"{}\"><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            esc(&r.agency_key),
            LABEL_W - 6.0,
            y + 15.0,
            esc(&r.agency)
        );
        let mut x = LABEL_W;
        for v in VERDICTS {
            let n = r.counts.verdict(v);
            if n == 0 {
                continue;
            }
            let w = BAR_W * n as f64 / max;
            let (colour, label) = verdict_style(v);
            let _ = write!(
                s,
                "<rect class=\"seg\" data-verdict=\"{}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{}\" fill=\"{colour}\"><title>{}: {n} {}</title></rect>",
                verdict_name(v),
                ROW_H - 6.0,
                esc(&r.agency),
                esc(label)
            );
            x += w;
        }
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{}\">{}</text></g>",
            x + 4.0,
            y + 15.0,
            r.counts.documents
        );
    }
    s.push_str("</svg></div>\n");
    s
}

/// Agencies ranked by digital-signature rate, best first.
fn kpi_chart(rows: &[Row]) -> String {
    let mut ranked: Vec<&Row> = rows.iter().collect();
    ranked.sort_by(|a, b| {
        b.digital_signature_rate
            .total_cmp(&a.digital_signature_rate)
            .then(a.agency.cmp(&b.agency))
    });
    let height = ROW_H * ranked.len() as f64 + 10.0;
    let mut s = format!(
        "<div class=\"chart\"><svg id=\"chart-kpi\" class=\"chart-kpi\" role=\"img\" aria-label=\"Agencies ranked by digital-signature rate\" viewBox=\"0 0 {w} {height}\" width=\"{w}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">",
        w = LABEL_W + BAR_W + 60.0
    );
    for (i, r) in ranked.iter().enumerate() {
        let y = 5.0 + ROW_H * i as f64;
        let w = BAR_W * r.digital_signature_rate;
        let _ = write!(
            s,
            "<g class=\"kpi-bar\" data-agency=\"{}\"><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}. {}</text><rect x=\"{LABEL_W}\" y=\"{y:.1}\" width=\"{BAR_W}\" height=\"{h}\" fill=\"#eaeef2\"></rect><rect x=\"{LABEL_W}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h}\" fill=\"#1a7f37\"><title>{}: {} digitally signed</title></rect><text x=\"{:.1}\" y=\"{}\">{}</text></g>",
            esc(&r.agency_key),
            LABEL_W - 6.0,
            y + 15.0,
            i + 1,
            esc(&r.agency),
            esc(&r.agency),
            pct(r.digital_signature_rate),
            LABEL_W + BAR_W + 4.0,
            y + 15.0,
            pct(r.digital_signature_rate),
            h = ROW_H - 6.0,
        );
    }
    s.push_str("</svg></div>\n");
    s
}

/// Per month of issue: documents (bars) and digital-signature rate (line), all agencies.
fn trend_chart(months: &[Row]) -> String {
    let known: Vec<&Row> = months
        .iter()
        .filter(|m| m.month.as_deref() != Some(UNKNOWN_MONTH))
        .collect();
    let unknown = months
        .iter()
        .find(|m| m.month.as_deref() == Some(UNKNOWN_MONTH))
        .map(|m| m.counts.documents)
        .unwrap_or(0);
    let (w, h, left, bottom, top) = (900.0, 260.0, 50.0, 60.0, 20.0);
    let plot_h = h - bottom - top;
    let n = known.len().max(1) as f64;
    let step = (w - left - 50.0) / n;
    let max = known
        .iter()
        .map(|m| m.counts.documents)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut s = format!(
        "<div class=\"chart\"><svg id=\"chart-trend\" class=\"chart-trend\" role=\"img\" aria-label=\"Documents and digital-signature rate per month\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    let base = h - bottom;
    let _ = write!(
        s,
        "<line x1=\"{left}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"#57606a\"></line><text x=\"4\" y=\"{}\">100%</text><text x=\"4\" y=\"{base}\">0%</text>",
        w - 40.0,
        top + 4.0
    );
    let mut points = Vec::new();
    for (i, m) in known.iter().enumerate() {
        let x = left + step * i as f64 + step * 0.15;
        let bw = step * 0.7;
        let bh = plot_h * m.counts.documents as f64 / max;
        let label = esc(m.month.as_deref().unwrap_or(""));
        let _ = write!(
            s,
            "<rect class=\"month-bar\" data-month=\"{label}\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\" fill=\"#c8d1da\"><title>{label}: {} documents</title></rect><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" transform=\"rotate(-45 {:.1} {:.1})\">{label}</text>",
            base - bh,
            m.counts.documents,
            x + bw / 2.0,
            base + 14.0,
            x + bw / 2.0,
            base + 14.0,
        );
        points.push((
            x + bw / 2.0,
            base - plot_h * m.digital_signature_rate,
            m.digital_signature_rate,
            label,
        ));
    }
    if !points.is_empty() {
        let path: Vec<String> = points
            .iter()
            .map(|(x, y, _, _)| format!("{x:.1},{y:.1}"))
            .collect();
        let _ = write!(
            s,
            "<polyline class=\"trend-line\" points=\"{}\" fill=\"none\" stroke=\"#1a7f37\" stroke-width=\"2\"></polyline>",
            path.join(" ")
        );
        for (x, y, rate, label) in &points {
            let _ = write!(
                s,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"#1a7f37\"><title>{label}: {} digitally signed</title></circle>",
                pct(*rate)
            );
        }
    } else {
        let _ = write!(
            s,
            "<text x=\"{left}\" y=\"{}\">no document has a known issue date</text>",
            top + 40.0
        );
    }
    s.push_str("</svg>");
    let _ = writeln!(
        s,
        "<p class=\"defs\">Bars: documents issued that month (left scale relative to the busiest month); line: digital-signature rate (0–100%). {unknown} documents have no known issue date and are not drawn.</p></div>"
    );
    s
}

fn num(n: u64) -> String {
    format!("<td class=\"n\" data-v=\"{n}\">{n}</td>")
}

fn rate(x: f64) -> String {
    format!("<td class=\"n\" data-v=\"{x:.6}\">{}</td>", pct(x))
}

fn rows_table(report: &Report) -> String {
    let with_month = report.rows.iter().any(|r| r.month.is_some());
    let mut s =
        String::from("<table id=\"agencies\" class=\"sortable\"><thead><tr><th>agency</th>");
    if with_month {
        s.push_str("<th>month</th>");
    }
    s.push_str("<th>documents</th><th>pages</th>");
    for v in VERDICTS {
        let _ = write!(s, "<th>{}</th>", esc(verdict_style(v).1));
    }
    s.push_str("<th>digital-signature rate</th><th>personal-signature rate</th><th>scanned-unsigned rate</th><th>seal seen</th><th>hand signature seen</th><th>flagged</th></tr></thead><tbody>");
    let row = |s: &mut String, r: &Row, class: &str| {
        let _ = write!(
            s,
            "<tr class=\"{class}\" data-agency=\"{}\"><td>{}</td>",
            esc(&r.agency_key),
            esc(&r.agency)
        );
        if with_month {
            let _ = write!(s, "<td>{}</td>", esc(r.month.as_deref().unwrap_or("")));
        }
        s.push_str(&num(r.counts.documents));
        s.push_str(&num(r.counts.pages));
        for v in VERDICTS {
            let n = r.counts.verdict(v);
            let share = if r.counts.documents == 0 {
                0.0
            } else {
                n as f64 / r.counts.documents as f64
            };
            let _ = write!(
                s,
                "<td class=\"n\" data-v=\"{n}\">{n} <small>({})</small></td>",
                pct(share)
            );
        }
        s.push_str(&rate(r.digital_signature_rate));
        s.push_str(&rate(r.personal_signature_rate));
        s.push_str(&rate(r.scanned_unsigned_rate));
        s.push_str(&num(r.counts.with_seal_detected));
        s.push_str(&num(r.counts.with_handwritten_signature_detected));
        s.push_str(&num(r.counts.flagged));
        s.push_str("</tr>");
    };
    for r in &report.rows {
        row(&mut s, r, "agency-row");
    }
    s.push_str("</tbody><tfoot>");
    row(&mut s, &report.total, "total-row");
    s.push_str("</tfoot></table></div>\n");
    s
}

fn month_table(report: &Report) -> String {
    let mut s = String::from("<table id=\"months\" class=\"sortable\"><thead><tr><th>month</th><th>documents</th><th>digital-signature rate</th><th>personal-signature rate</th><th>scanned-unsigned rate</th><th>flagged</th></tr></thead><tbody>");
    for m in &report.months {
        let _ = write!(
            s,
            "<tr><td>{}</td>{}{}{}{}{}</tr>",
            esc(m.month.as_deref().unwrap_or("")),
            num(m.counts.documents),
            rate(m.digital_signature_rate),
            rate(m.personal_signature_rate),
            rate(m.scanned_unsigned_rate),
            num(m.counts.flagged)
        );
    }
    s.push_str("</tbody></table>\n");
    s
}

/// Rows shown in the page; the JSON keeps every flagged document.
const FLAGGED_SHOWN: usize = 2000;

fn flagged_table(report: &Report) -> String {
    let mut s = String::from("<table id=\"flagged\" class=\"sortable\"><thead><tr><th>agency</th><th>verdict</th><th>number</th><th>date</th><th>path</th><th>evidence</th></tr></thead><tbody>");
    for f in report.flagged.iter().take(FLAGGED_SHOWN) {
        let mut ev = String::from("<ul class=\"ev\">");
        for line in f.evidence.iter().chain(&f.errors) {
            let _ = write!(ev, "<li>{}</li>", esc(line));
        }
        ev.push_str("</ul>");
        let _ = write!(
            s,
            "<tr class=\"flagged-row\" data-agency=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{ev}</td></tr>",
            esc(&f.agency_key),
            esc(&f.agency),
            esc(&f.verdict),
            esc(f.number.as_deref().unwrap_or("—")),
            esc(f.issue_date.as_deref().unwrap_or("—")),
            esc(&f.path),
        );
    }
    s.push_str("</tbody></table>\n");
    if report.flagged.len() > FLAGGED_SHOWN {
        let _ = writeln!(
            s,
            "<p class=\"defs\">{} more flagged documents are listed in report.json.</p>",
            report.flagged.len() - FLAGGED_SHOWN
        );
    }
    s
}

/// "Needs review": the documents whose agency was not resolved (with what they might be),
/// and agency keys so alike they may be one agency. Always present, so an empty review is
/// visibly empty rather than missing.
fn review_section(report: &Report) -> String {
    let r = &report.review;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<h2 id=\"review\">Needs review</h2>\n<p class=\"defs\">{} documents whose agency could not be resolved (counted in the <code>(unresolved agency)</code> row) and {} pairs of agency keys that may be one agency. <code>kyso agencies --from DIR</code> writes an agency file to review and pass back with <code>--agencies</code>.</p>",
        r.unresolved_documents,
        r.near_duplicates.len()
    );
    if !r.unresolved.is_empty() {
        s.push_str("<h3>Unresolved agency</h3>\n<table id=\"unresolved\" class=\"sortable\"><thead><tr><th>path</th><th>agency as printed</th><th>number</th><th>candidates</th></tr></thead><tbody>");
        for d in &r.unresolved {
            let mut c = String::from("<ul class=\"ev\">");
            for cand in &d.candidates {
                let _ = write!(
                    c,
                    "<li>{} <code>{}</code> ({:.2})</li>",
                    esc(&cand.name),
                    esc(&cand.key),
                    cand.score
                );
            }
            c.push_str("</ul>");
            let _ = write!(
                s,
                "<tr class=\"unresolved-row\"><td>{}</td><td>{}</td><td>{}</td><td>{c}</td></tr>",
                esc(&d.path),
                esc(d.printed.as_deref().unwrap_or("—")),
                esc(d.number.as_deref().unwrap_or("—")),
            );
        }
        s.push_str("</tbody></table>\n");
        if r.unresolved_documents > r.unresolved.len() as u64 {
            let _ = writeln!(
                s,
                "<p class=\"defs\">{} more are listed in report.json's count only; <code>kyso agencies</code> lists them all.</p>",
                r.unresolved_documents - r.unresolved.len() as u64
            );
        }
    }
    if !r.near_duplicates.is_empty() {
        s.push_str("<h3>Keys that may be one agency</h3>\n<table id=\"near-duplicates\" class=\"sortable\"><thead><tr><th>key</th><th>documents</th><th>key</th><th>documents</th><th>why</th></tr></thead><tbody>");
        for d in &r.near_duplicates {
            let _ = write!(
                s,
                "<tr class=\"near-duplicate-row\"><td><code>{}</code></td>{}<td><code>{}</code></td>{}<td>{}</td></tr>",
                esc(&d.a),
                num(d.a_documents),
                esc(&d.b),
                num(d.b_documents),
                esc(&d.why)
            );
        }
        s.push_str("</tbody></table>\n");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_html() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
