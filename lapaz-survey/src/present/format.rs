//! Number formatting for tables and charts, in Spanish (Bolivian) or English
//! style.
//!
//! Spanish, as INE Bolivia prints it: `.` groups thousands and `,` marks
//! decimals (`755.732`, `3,45`); English: `755,732` and `3.45`. Percentages
//! are written `12,3 %` in Spanish (with a non-breaking space, as the RAE
//! recommends) and `12.3%` in English. Missing or non-finite values print as
//! an em dash.

use crate::codebook::Language;

/// What a missing or non-finite number prints as.
pub const MISSING: &str = "—";

/// Formats `x` with `decimals` digits after the decimal mark and grouped
/// thousands, in the style of `lang`.
///
/// ```
/// use lapaz_survey::codebook::Language;
/// use lapaz_survey::present::format_number;
///
/// assert_eq!(format_number(755_732.0, 0, Language::Es), "755.732");
/// assert_eq!(format_number(-1234.567, 2, Language::Es), "-1.234,57");
/// assert_eq!(format_number(1234.567, 1, Language::En), "1,234.6");
/// assert_eq!(format_number(f64::NAN, 1, Language::Es), "—");
/// ```
pub fn format_number(x: f64, decimals: usize, lang: Language) -> String {
    if !x.is_finite() {
        return MISSING.to_owned();
    }
    let (group, point) = separators(lang);
    let text = format!("{:.*}", decimals, x.abs());
    let (int_part, frac_part) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let mut out = String::with_capacity(text.len() + text.len() / 3 + 1);
    // "-0" and "-0,0" print without the sign.
    let is_zero = text.bytes().all(|b| b == b'0' || b == b'.');
    if x < 0.0 && !is_zero {
        out.push('-');
    }
    let digits = int_part.len();
    for (i, c) in int_part.chars().enumerate() {
        if i > 0 && (digits - i) % 3 == 0 {
            out.push(group);
        }
        out.push(c);
    }
    if let Some(frac) = frac_part {
        out.push(point);
        out.push_str(frac);
    }
    out
}

/// Formats a proportion (`0.123`) as a percentage (`12,3 %` / `12.3%`).
///
/// ```
/// use lapaz_survey::codebook::Language;
/// use lapaz_survey::present::format_percent;
///
/// assert_eq!(format_percent(0.1234, 1, Language::Es), "12,3\u{a0}%");
/// assert_eq!(format_percent(0.1234, 1, Language::En), "12.3%");
/// ```
pub fn format_percent(p: f64, decimals: usize, lang: Language) -> String {
    if !p.is_finite() {
        return MISSING.to_owned();
    }
    let number = format_number(p * 100.0, decimals, lang);
    match lang {
        Language::Es => format!("{number}\u{a0}%"),
        Language::En => format!("{number}%"),
    }
}

/// The number of decimals that shows a standard error with two significant
/// digits (between 0 and 4): the estimate and its interval are printed with
/// the same number, so that no digit is shown that the sampling error makes
/// meaningless.
///
/// ```
/// use lapaz_survey::present::decimals_for;
///
/// assert_eq!(decimals_for(45.3), 0); // income in Bs: 2.812 ± 45
/// assert_eq!(decimals_for(1.3), 1);
/// assert_eq!(decimals_for(0.013), 3);
/// assert_eq!(decimals_for(0.0), 2); // no sampling error: a sensible default
/// ```
pub fn decimals_for(se: f64) -> usize {
    if !se.is_finite() || se <= 0.0 {
        return 2;
    }
    let magnitude = se.log10().floor();
    // 1 - magnitude, clamped to 0..=4; the clamp makes the cast exact.
    (1.0 - magnitude).clamp(0.0, 4.0) as usize
}

/// Formats a population count or any "large" number without decimals.
pub fn format_count(x: f64, lang: Language) -> String {
    format_number(x, 0, lang)
}

/// Thousands separator and decimal mark of `lang`.
pub(crate) fn separators(lang: Language) -> (char, char) {
    match lang {
        Language::Es => ('.', ','),
        Language::En => (',', '.'),
    }
}

/// A short number for chart axes: `1,5 mil`, `12 mil`, `1,2 M` (Spanish) or
/// `1.5k`, `12k`, `1.2M` (English); small numbers keep up to two decimals.
/// The unit (thousands, millions) is chosen from `top`, the largest absolute
/// value on the axis, so that every label of one axis uses the same unit.
pub(crate) fn format_axis(x: f64, step: f64, top: f64, lang: Language) -> String {
    if !x.is_finite() {
        return MISSING.to_owned();
    }
    let top = top.abs().max(x.abs());
    let (div, suffix) = if top >= 1e6 {
        (1e6, if lang == Language::Es { "\u{a0}M" } else { "M" })
    } else if top >= 1e4 {
        (
            1e3,
            if lang == Language::Es {
                "\u{a0}mil"
            } else {
                "k"
            },
        )
    } else {
        (1.0, "")
    };
    let scaled_step = (step / div).abs();
    let decimals = if scaled_step >= 1.0 || scaled_step <= 0.0 {
        0
    } else {
        decimals_for(scaled_step * 10.0).min(3)
    };
    if x == 0.0 {
        return "0".to_owned();
    }
    format!("{}{}", format_number(x / div, decimals, lang), suffix)
}

/// Labels of the ticks of one axis, all in the same unit.
pub(crate) fn axis_labels(ticks: &[f64], step: f64, lang: Language) -> Vec<String> {
    let top = ticks.iter().fold(0.0_f64, |m, t| m.max(t.abs()));
    ticks
        .iter()
        .map(|t| format_axis(*t, step, top, lang))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands_both_languages() {
        assert_eq!(format_number(0.0, 0, Language::Es), "0");
        assert_eq!(format_number(999.0, 0, Language::Es), "999");
        assert_eq!(format_number(1000.0, 0, Language::Es), "1.000");
        assert_eq!(
            format_number(1_234_567.891, 2, Language::Es),
            "1.234.567,89"
        );
        assert_eq!(
            format_number(1_234_567.891, 2, Language::En),
            "1,234,567.89"
        );
        assert_eq!(format_number(-0.0001, 2, Language::Es), "0,00");
        assert_eq!(format_number(-12.5, 1, Language::En), "-12.5");
        assert_eq!(format_number(f64::INFINITY, 0, Language::En), MISSING);
    }

    #[test]
    fn percent_rounds_and_marks() {
        assert_eq!(format_percent(1.0, 0, Language::Es), "100\u{a0}%");
        assert_eq!(format_percent(0.05555, 2, Language::En), "5.56%");
        assert_eq!(format_percent(f64::NAN, 1, Language::En), MISSING);
    }

    #[test]
    fn decimals_follow_the_standard_error() {
        assert_eq!(decimals_for(99.0), 0);
        assert_eq!(decimals_for(9.9), 1);
        assert_eq!(decimals_for(0.5), 2);
        assert_eq!(decimals_for(1e-9), 4);
        assert_eq!(decimals_for(f64::NAN), 2);
    }

    #[test]
    fn axis_labels_are_short() {
        assert_eq!(format_axis(0.0, 1000.0, 0.0, Language::Es), "0");
        assert_eq!(
            format_axis(20_000.0, 10_000.0, 0.0, Language::Es),
            "20\u{a0}mil"
        );
        assert_eq!(format_axis(15_000.0, 5_000.0, 0.0, Language::En), "15k");
        assert_eq!(
            format_axis(1_500_000.0, 500_000.0, 0.0, Language::En),
            "1.5M"
        );
        assert_eq!(format_axis(0.25, 0.05, 0.0, Language::Es), "0,25");
        assert_eq!(format_axis(2500.0, 500.0, 0.0, Language::Es), "2.500");
        // One unit per axis: 2.000 reads "2 mil" when the axis reaches 12.000.
        assert_eq!(
            axis_labels(&[0.0, 2000.0, 12_000.0], 2000.0, Language::Es),
            ["0", "2\u{a0}mil", "12\u{a0}mil"]
        );
    }
}
