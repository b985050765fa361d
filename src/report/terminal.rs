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

/// Width of the agency column.
const NAME_W: usize = 44;

/// An agency's name for the table, with its province always visible: "Sở Nông nghiệp và Phát
/// triển nông thôn tỉnh Quảng Trị" → "Sở Nông nghiệp và Phát triển… · Quảng Trị" (the body's
/// name is clipped, never the province).
pub fn short_name(name: &str, province: Option<&str>) -> String {
    let Some(p) = province else {
        return clip(name, NAME_W);
    };
    // "Thành phố Hồ Chí Minh" is the city's official name, capitalised as one.
    let body = [" tỉnh ", " thành phố ", " Thành phố ", " ("]
        .iter()
        .find_map(|sep| {
            name.rfind(&format!("{sep}{p}"))
                .map(|i| name[..i].trim_end())
        })
        .unwrap_or(name);
    let suffix = format!(" · {p}");
    let room = NAME_W.saturating_sub(suffix.chars().count()).max(8);
    format!("{}{suffix}", clip(body, room))
}

fn line(name: &str, month: Option<&str>, r: &Row, with_month: bool) -> String {
    let c = &r.counts;
    // Names come from documents: cleaned before they are measured and printed.
    let mut s = format!(
        "{:<NAME_W$}",
        short_name(&clean(name), r.province.as_deref())
    );
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
    let mut s = format!("{:<NAME_W$}", "agency");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agencies_are_named_with_their_province_whatever_the_length() {
        assert_eq!(
            short_name("Sở Tài chính tỉnh Bắc Giang", Some("Bắc Giang")),
            "Sở Tài chính · Bắc Giang"
        );
        let long = short_name(
            "Sở Nông nghiệp và Phát triển nông thôn tỉnh Quảng Trị",
            Some("Quảng Trị"),
        );
        assert!(long.ends_with(" · Quảng Trị"), "{long}");
        assert!(long.chars().count() <= NAME_W);
        assert_eq!(short_name("Bộ Tài chính", None), "Bộ Tài chính");
        assert_eq!(
            short_name(
                "Sở Kế hoạch và Đầu tư Thành phố Hồ Chí Minh",
                Some("Hồ Chí Minh")
            ),
            "Sở Kế hoạch và Đầu tư · Hồ Chí Minh"
        );
    }
}
