//! Spanish number formatting for the diagram and the ficha, in the house
//! style of the presentation layer (`present::format_number`), which is
//! behind a feature this module cannot require: `.` groups thousands and `,`
//! marks decimals, as INE Bolivia prints them (`84.300`, `3,45`);
//! percentages carry a non-breaking space before `%`; non-finite values
//! print as an em dash; estimates get as many decimals as their standard
//! error justifies.

/// Non-breaking space, used before `%`, `pp` and inside `IC 95 %`.
pub(crate) const NBSP: char = '\u{a0}';

/// What a missing or non-finite number prints as (as in `present`).
pub(crate) const MISSING: &str = "—";

/// Formats `x` with `decimals` decimals, a decimal comma and thousands
/// grouped with points: `1234567.891, 1` → `1.234.567,9`.
pub(crate) fn number(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return MISSING.to_owned();
    }
    let raw = format!("{:.*}", decimals, x.abs());
    let (int_part, frac_part) = match raw.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (raw.as_str(), None),
    };
    let mut out = String::with_capacity(raw.len() + raw.len() / 3 + 2);
    // "-0,0" reads badly: only show the sign when a non-zero digit remains.
    let is_zero = raw.bytes().all(|b| b == b'0' || b == b'.');
    if x < 0.0 && !is_zero {
        out.push('-');
    }
    let digits = int_part.len();
    for (i, c) in int_part.chars().enumerate() {
        if i > 0 && (digits - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    if let Some(f) = frac_part {
        out.push(',');
        out.push_str(f);
    }
    out
}

/// Decimals that show a standard error `se` with two significant digits,
/// between 0 and 4 (0 for an SE of 10 or more).
pub(crate) fn decimals_for_se(se: f64) -> usize {
    if !se.is_finite() || se <= 0.0 {
        return 2;
    }
    let magnitude = se.log10().floor() as i64;
    (1 - magnitude).clamp(0, 4) as usize
}

/// A share (0–1) as a percentage with one decimal: `0.2345` → `23,5 %`.
pub(crate) fn percent(share: f64) -> String {
    format!("{}{NBSP}%", number(share * 100.0, 1))
}

/// A p-value as students read it: `p = 0,014`, `p < 0,001`.
pub(crate) fn p_value(p: f64) -> String {
    if !p.is_finite() {
        "p no disponible".to_owned()
    } else if p < 0.001 {
        format!("p{NBSP}<{NBSP}0,001")
    } else {
        format!("p{NBSP}={NBSP}{}", number(p, 3))
    }
}

/// A confidence level as a whole percentage: `0.95` → `95 %`.
pub(crate) fn level(level: f64) -> String {
    let pct = level * 100.0;
    let decimals = if (pct - pct.round()).abs() < 1e-9 {
        0
    } else {
        1
    };
    format!("{}{NBSP}%", number(pct, decimals))
}

/// Today's date (UTC) as `AAAA-MM-DD`, from the system clock, without a
/// calendar dependency (days-to-civil conversion of the proleptic
/// Gregorian calendar).
pub(crate) fn today_iso() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Year, month, day of the day `days` after 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands_and_uses_decimal_comma() {
        assert_eq!(number(1_234_567.891, 1), "1.234.567,9");
        assert_eq!(number(12_345.0, 0), "12.345");
        assert_eq!(number(1_234.0, 0), "1.234");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(number(0.5, 2), "0,50");
        assert_eq!(number(-3.25, 1), "-3,2");
        assert_eq!(number(-0.0001, 2), "0,00");
        assert_eq!(number(f64::NAN, 2), "—");
    }

    #[test]
    fn decimals_follow_the_standard_error() {
        assert_eq!(decimals_for_se(5432.0), 0);
        assert_eq!(decimals_for_se(1.2), 1);
        assert_eq!(decimals_for_se(0.034), 3);
        assert_eq!(decimals_for_se(0.000_01), 4);
    }

    #[test]
    fn p_values_and_levels() {
        assert_eq!(p_value(0.0004), "p\u{a0}<\u{a0}0,001");
        assert_eq!(p_value(0.0142), "p\u{a0}=\u{a0}0,014");
        assert_eq!(level(0.95), "95\u{a0}%");
        assert_eq!(level(0.975), "97,5\u{a0}%");
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }
}
