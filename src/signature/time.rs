//! Times as signatures carry them: RFC 3339 (`--at`, reports), PDF dates (`/M`), and the
//! conversions between them and `SystemTime`.

/// Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
pub fn parse_rfc3339(s: &str) -> Option<std::time::SystemTime> {
    let s = s.trim();
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let part = s.get(from..from + len)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    if b.len() < 19 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let dt = der::DateTime::new(
        u16::try_from(num(0, 4)?).ok()?,
        u8::try_from(num(5, 2)?).ok()?,
        u8::try_from(num(8, 2)?).ok()?,
        u8::try_from(num(11, 2)?).ok()?,
        u8::try_from(num(14, 2)?).ok()?,
        u8::try_from(num(17, 2)?).ok()?,
    )
    .ok()?;
    let mut rest = s.get(19..)?;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = frac.get(digits..)?;
    }
    let offset: i64 = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.get(..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.get(3..4)? != ":" {
                return None;
            }
            let h: i64 = rest.get(1..3)?.parse().ok()?;
            let m: i64 = rest.get(4..6)?.parse().ok()?;
            sign * (h * 3600 + m * 60)
        }
    };
    let unix = i64::try_from(dt.unix_duration().as_secs()).ok()? - offset;
    let unix = u64::try_from(unix).ok()?;
    Some(std::time::UNIX_EPOCH + std::time::Duration::from_secs(unix))
}

/// PDF date `D:YYYYMMDDHHmmSS[Z|±HH'mm']` → RFC 3339 UTC.
pub(super) fn pdf_date_to_rfc3339(m: &str) -> Option<String> {
    let s = m.strip_prefix("D:").unwrap_or(m);
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.len() < 8 {
        return None;
    }
    let field = |from: usize, len: usize, default: &str| -> String {
        digits.get(from..from + len).unwrap_or(default).to_string()
    };
    let iso = format!(
        "{}-{}-{}T{}:{}:{}",
        field(0, 4, "0000"),
        field(4, 2, "01"),
        field(6, 2, "01"),
        field(8, 2, "00"),
        field(10, 2, "00"),
        field(12, 2, "00")
    );
    let tz = s.get(digits.len()..).unwrap_or("");
    let tz = tz.replace('\'', "");
    let suffix = match tz.chars().next() {
        Some('+') | Some('-') if tz.len() >= 5 => {
            format!("{}:{}", tz.get(..3)?, tz.get(3..5)?)
        }
        Some('+') | Some('-') if tz.len() == 3 => format!("{tz}:00"),
        _ => "Z".to_string(),
    };
    let t = parse_rfc3339(&format!("{iso}{suffix}"))?;
    Some(system_time_to_rfc3339(t))
}

pub(crate) fn system_time_to_rfc3339(t: std::time::SystemTime) -> String {
    t.duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| der::DateTime::from_unix_duration(d).ok())
        .map(|d| d.to_string())
        .unwrap_or_else(|| "unrepresentable time".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_with_offset_is_converted_to_utc() {
        let a = parse_rfc3339("2026-01-01T07:00:00+07:00").unwrap();
        let b = parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
        assert_eq!(a, b);
        assert_eq!(system_time_to_rfc3339(b), "2026-01-01T00:00:00Z");
    }

    #[test]
    fn rfc3339_garbage_is_rejected() {
        assert!(parse_rfc3339("yesterday").is_none());
        assert!(parse_rfc3339("2026-13-01T00:00:00Z").is_none());
        assert!(parse_rfc3339("2026-01-01T00:00:00").is_none());
    }

    #[test]
    fn pdf_dates_become_rfc3339() {
        assert_eq!(
            pdf_date_to_rfc3339("D:20210101120000+07'00'").as_deref(),
            Some("2021-01-01T05:00:00Z")
        );
        assert_eq!(pdf_date_to_rfc3339("garbage"), None);
    }
}
