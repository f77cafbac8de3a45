//! Timestamps of the cluster endpoints: ISO 8601 parsing without a date library, ages a
//! person reads ("42 s ago") and absolute UTC times.

/// Milliseconds since the epoch of an ISO 8601 date-time such as `2024-05-01T12:00:00Z`,
/// `2024-05-01T12:00:00.250Z` or `2024-05-01T14:00:00+02:00`. `None` for anything else:
/// a value the panel cannot read is shown as it came, never guessed at.
pub fn parse_iso8601_ms(text: &str) -> Option<f64> {
    let text = text.trim();
    let (date, rest) = text.split_once(['T', 't', ' '])?;
    let mut date_parts = date.splitn(3, '-');
    let year: i64 = number(date_parts.next()?, 4)?;
    let month: i64 = number(date_parts.next()?, 2)?;
    let day: i64 = number(date_parts.next()?, 2)?;
    let (clock, offset_minutes) = split_offset(rest)?;
    let (hms, fraction) = match clock.split_once('.') {
        Some((hms, fraction)) => (hms, Some(fraction)),
        None => (clock, None),
    };
    let mut clock_parts = hms.splitn(3, ':');
    let hour: i64 = number(clock_parts.next()?, 2)?;
    let minute: i64 = number(clock_parts.next()?, 2)?;
    let second: i64 = number(clock_parts.next()?, 2)?;
    let valid = (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day)
        && hour < 24
        && minute < 60
        && second < 61;
    if !valid {
        return None;
    }
    let millis = match fraction {
        Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
            let padded = format!("{digits:0<3}");
            padded[..3].parse::<i64>().ok()?
        }
        Some(_) => return None,
        None => 0,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    Some((seconds * 1_000 + millis) as f64)
}

/// `12:00:00Z` to (`12:00:00`, 0); `14:00:00+02:00` to (`14:00:00`, 120).
fn split_offset(rest: &str) -> Option<(&str, i64)> {
    if let Some(clock) = rest.strip_suffix(['Z', 'z']) {
        return Some((clock, 0));
    }
    let sign_at = rest.rfind(['+', '-'])?;
    let (clock, offset) = rest.split_at(sign_at);
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let (hours, minutes) = offset[1..].split_once(':').unwrap_or((&offset[1..], "00"));
    let hours: i64 = number(hours, 2)?;
    let minutes: i64 = number(minutes, 2)?;
    Some((clock, sign * (hours * 60 + minutes)))
}

fn number(text: &str, width: usize) -> Option<i64> {
    if text.len() != width || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `2024-05-01 12:00:00 UTC`: the absolute time beside every relative one.
pub fn format_utc(ms: f64) -> String {
    let seconds = (ms / 1_000.0).floor() as i64;
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    let of_day = seconds.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        of_day / 3_600,
        of_day % 3_600 / 60,
        of_day % 60
    )
}

/// How long ago, in the largest unit that fits: `just now`, `42 s ago`, `3 min ago`,
/// `2 h ago`, `5 d ago`. A time in the future (clocks that disagree) reads `just now`.
pub fn format_age(age_ms: f64) -> String {
    if !age_ms.is_finite() || age_ms < 1_000.0 {
        return "just now".to_owned();
    }
    let seconds = (age_ms / 1_000.0).floor() as u64;
    match seconds {
        0..=59 => format!("{seconds} s ago"),
        60..=3_599 => format!("{} min ago", seconds / 60),
        3_600..=86_399 => format!("{} h ago", seconds / 3_600),
        _ => format!("{} d ago", seconds / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_parse(text: &str, expected: Option<f64>) {
        assert_eq!(parse_iso8601_ms(text), expected, "{text:?}");
    }

    #[test]
    fn iso_times_parse_to_epoch_milliseconds() {
        let cases = [
            ("1970-01-01T00:00:00Z", Some(0.0)),
            ("2024-05-01T12:00:00Z", Some(1_714_564_800_000.0)),
            ("2024-05-01T12:00:00.25Z", Some(1_714_564_800_250.0)),
            ("2024-05-01T14:00:00+02:00", Some(1_714_564_800_000.0)),
            ("2024-05-01T10:30:00-01:30", Some(1_714_564_800_000.0)),
            ("2024-02-29T00:00:00Z", Some(1_709_164_800_000.0)),
            ("2023-02-29T00:00:00Z", None),
            ("2024-13-01T00:00:00Z", None),
            ("2024-05-01", None),
            ("yesterday", None),
            ("", None),
            ("2024-05-01T12:00:00", None),
            ("2024-05-01T12:00:00.xZ", None),
        ];
        for (text, expected) in cases {
            check_parse(text, expected);
        }
    }

    #[test]
    fn utc_formatting_inverts_parsing() {
        let cases = [
            "1970-01-01T00:00:00Z",
            "2000-02-29T23:59:59Z",
            "2024-05-01T12:00:00Z",
            "2099-12-31T00:00:01Z",
        ];
        for text in cases {
            let ms = parse_iso8601_ms(text).unwrap();

            let formatted = format_utc(ms);

            assert_eq!(formatted, text.replace('T', " ").replace('Z', " UTC"));
        }
    }

    #[test]
    fn ages_use_the_largest_unit_that_fits() {
        let cases = [
            (-5_000.0, "just now"),
            (0.0, "just now"),
            (999.0, "just now"),
            (1_000.0, "1 s ago"),
            (59_999.0, "59 s ago"),
            (60_000.0, "1 min ago"),
            (3_599_000.0, "59 min ago"),
            (7_200_000.0, "2 h ago"),
            (3.0 * 86_400_000.0, "3 d ago"),
            (f64::NAN, "just now"),
        ];
        for (age, expected) in cases {
            assert_eq!(format_age(age), expected, "{age}");
        }
    }
}
