//! Calendar dates without a date-time dependency: triage expiry only needs
//! `YYYY-MM-DD` parsing, comparison and today's date.

/// A checked calendar date, ordered chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

pub fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year: i32 = s[0..4].parse().ok()?;
    let month: u8 = s[5..7].parse().ok()?;
    let day: u8 = s[8..10].parse().ok()?;
    if day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(Date { year, month, day })
}

/// The civil date for a count of days since 1970-01-01 (Howard Hinnant's algorithm).
pub fn from_days(days: i64) -> Date {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    Date { year, month, day }
}

/// Today in UTC, or the date in `TMS_TODAY` (tests and reproducible CI runs pin it).
pub fn today() -> Date {
    if let Some(d) = std::env::var("TMS_TODAY").ok().and_then(|s| parse_date(&s)) {
        return d;
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    from_days((secs / 86_400) as i64)
}

/// Days since 1970-01-01 for a civil date (the inverse of [`from_days`]).
pub fn days_from_civil(d: Date) -> i64 {
    let y = i64::from(d.year) - i64::from(d.month <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(d.month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d.day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// An instant in UTC with millisecond precision: what exports date their objects with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    pub millis: i64,
}

impl Timestamp {
    pub const EPOCH: Timestamp = Timestamp { millis: 0 };

    /// `2026-01-01T00:00:00.000Z`: always UTC and always three fraction digits.
    pub fn to_rfc3339_millis(self) -> String {
        let days = self.millis.div_euclid(86_400_000);
        let rest = self.millis.rem_euclid(86_400_000);
        let (h, m, s, ms) = (
            rest / 3_600_000,
            rest / 60_000 % 60,
            rest / 1000 % 60,
            rest % 1000,
        );
        format!("{}T{h:02}:{m:02}:{s:02}.{ms:03}Z", from_days(days))
    }
}

/// `YYYY-MM-DD` (midnight UTC) or an RFC 3339 timestamp
/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`; digits past milliseconds are dropped.
pub fn parse_timestamp(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    let date = parse_date(s.get(..10)?)?;
    let day_ms = days_from_civil(date) * 86_400_000;
    let rest = &s[10..];
    if rest.is_empty() {
        return Some(Timestamp { millis: day_ms });
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let b = rest.as_bytes();
    if b.len() < 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>, max: i64| -> Option<i64> {
        let t = rest.get(r)?;
        if !t.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        t.parse::<i64>().ok().filter(|v| *v <= max)
    };
    // A leap second (:60) is read as the last millisecond of its minute.
    let (h, m, sec) = (num(0..2, 23)?, num(3..5, 59)?, num(6..8, 60)?);
    let mut i = 8;
    let mut ms = 0;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let frac = &rest[start..i];
        if frac.is_empty() {
            return None;
        }
        ms = format!("{frac:0<3}")[..3].parse::<i64>().ok()?;
    }
    let offset_min = match &rest[i..] {
        "Z" | "z" => 0,
        o if o.len() == 6
            && (o.starts_with('+') || o.starts_with('-'))
            && o.as_bytes()[3] == b':' =>
        {
            let oh: i64 = o[1..3].parse().ok().filter(|v| *v <= 23)?;
            let om: i64 = o[4..6].parse().ok().filter(|v| *v <= 59)?;
            let sign = if o.starts_with('-') { -1 } else { 1 };
            sign * (oh * 60 + om)
        }
        _ => return None,
    };
    let (sec, ms) = if sec == 60 { (59, 999) } else { (sec, ms) };
    let local = day_ms + ((h * 60 + m) * 60 + sec) * 1000 + ms;
    Some(Timestamp {
        millis: local - offset_min * 60_000,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_real_dates_only() {
        assert!(parse_date("2027-06-30").is_some());
        assert!(parse_date("2024-02-29").is_some());
        assert!(parse_date("2023-02-29").is_none());
        assert!(parse_date("2027-13-01").is_none());
        assert!(parse_date("27-06-30").is_none());
    }

    #[test]
    fn timestamps_normalise_to_utc_milliseconds() {
        let t = |s: &str| parse_timestamp(s).map(Timestamp::to_rfc3339_millis);
        assert_eq!(t("2026-01-01").as_deref(), Some("2026-01-01T00:00:00.000Z"));
        assert_eq!(
            t("2026-08-15T21:30:27Z").as_deref(),
            Some("2026-08-15T21:30:27.000Z")
        );
        assert_eq!(
            t("2026-08-15T21:30:27.123456Z").as_deref(),
            Some("2026-08-15T21:30:27.123Z")
        );
        assert_eq!(
            t("2026-01-01T01:30:00.5+02:00").as_deref(),
            Some("2025-12-31T23:30:00.500Z")
        );
        assert_eq!(
            t("2024-02-29T00:00:00-00:30").as_deref(),
            Some("2024-02-29T00:30:00.000Z")
        );
        assert_eq!(
            Timestamp::EPOCH.to_rfc3339_millis(),
            "1970-01-01T00:00:00.000Z"
        );
        for bad in [
            "2026-01-01T25:00:00Z",
            "2026-01-01T10:00:00",
            "2026-13-01",
            "2026-01-01T10:00Z",
            "2026-01-01T10:00:00.Z",
            "2026-01-01x",
        ] {
            assert_eq!(t(bad), None, "{bad}");
        }
        for days in [-1000, 0, 20_415, 2_932_896] {
            assert_eq!(days_from_civil(from_days(days)), days);
        }
    }

    #[test]
    fn civil_from_days() {
        assert_eq!(from_days(0).to_string(), "1970-01-01");
        assert_eq!(from_days(20_415).to_string(), "2025-11-23");
    }
}
