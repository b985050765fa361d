//! The short summary table printed on stderr after `kyso scan` and `kyso report`.

use super::{Report, Row};
use crate::output::terminal::clean;

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// Truncates to `n` characters (not bytes: agency names are Vietnamese).
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

fn line(name: &str, month: Option<&str>, r: &Row, with_month: bool) -> String {
    let c = &r.counts;
    // Names and months come from documents: cleaned before they are measured and printed.
    let mut s = format!("{:<36}", clip(&clean(name), 36));
    if with_month {
        s.push_str(&format!(" {:<13}", clean(month.unwrap_or(""))));
    }
    s.push_str(&format!(
        " {:>6} {:>6} {:>9} {:>9} {:>10} {:>7}\n",
        c.documents,
        c.pages,
        pct(r.digital_signature_rate),
        pct(r.personal_signature_rate),
        pct(r.scanned_unsigned_rate),
        c.flagged
    ));
    s
}

/// The table: one line per row, then the total.
pub fn table(report: &Report) -> String {
    let with_month = report.rows.iter().any(|r| r.month.is_some());
    let mut s = format!("{:<36}", "agency");
    if with_month {
        s.push_str(&format!(" {:<13}", "month"));
    }
    s.push_str(&format!(
        " {:>6} {:>6} {:>9} {:>9} {:>10} {:>7}\n",
        "docs", "pages", "digital", "personal", "scan-unsig", "flagged"
    ));
    for r in &report.rows {
        s.push_str(&line(&r.agency, r.month.as_deref(), r, with_month));
    }
    s.push_str(&line("all agencies", None, &report.total, with_month));
    s
}
