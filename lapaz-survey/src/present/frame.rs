//! HTML display of polars `DataFrame`s (polars has no notebook display of
//! its own): the first and last rows, column types, categorical labels and
//! numbers in the house style.

use polars::prelude::{AnyValue, Column, DataFrame, DataType};

use super::format::{MISSING, format_number};
use super::html::{Html, TableBuilder, escape};
use crate::codebook::Language;

/// Rows shown from each end of a long frame by [`FrameHtml::html`].
pub const DEFAULT_EDGE_ROWS: usize = 5;

/// Rich display of a polars `DataFrame`.
///
/// `df.html()` shows the first and last five rows with the column types;
/// `Enum`/`Categorical` columns show their labels. In a notebook, end a cell
/// with `df.html()` to see it as a table.
///
/// ```
/// use lapaz_survey::polars::prelude::*;
/// use lapaz_survey::present::FrameHtml;
///
/// let df = df!("macrodistrito" => ["Centro", "Sur"], "ingreso" => [2812.5, 4120.0])?;
/// let html = df.html();
/// assert!(html.as_html().contains("<td class=\"l\">Centro</td>"));
/// assert!(html.as_html().contains("4.120,0")); // Spanish number style
/// # Ok::<(), PolarsError>(())
/// ```
pub trait FrameHtml {
    /// The first and last five rows, with column types.
    fn html(&self) -> Html;

    /// The first `head` and last `tail` rows (all rows when the frame is not
    /// longer than `head + tail`), labels and numbers in `lang`.
    fn html_rows(&self, head: usize, tail: usize, lang: Language) -> Html;
}

impl FrameHtml for DataFrame {
    fn html(&self) -> Html {
        self.html_rows(DEFAULT_EDGE_ROWS, DEFAULT_EDGE_ROWS, Language::Es)
    }

    fn html_rows(&self, head: usize, tail: usize, lang: Language) -> Html {
        render(self, head, tail, lang)
    }
}

fn render(df: &DataFrame, head: usize, tail: usize, lang: Language) -> Html {
    let height = df.height();
    let width = df.width();
    let shows_all = height <= head + tail;
    let (top, bottom): (Vec<usize>, Vec<usize>) = if shows_all {
        ((0..height).collect(), Vec::new())
    } else {
        ((0..head).collect(), (height - tail..height).collect())
    };

    let title = match lang {
        Language::Es => format!(
            "Tabla de datos: {} filas × {} columnas",
            format_number(height as f64, 0, lang),
            format_number(width as f64, 0, lang)
        ),
        Language::En => format!(
            "Data frame: {} rows × {} columns",
            format_number(height as f64, 0, lang),
            format_number(width as f64, 0, lang)
        ),
    };
    let mut table = TableBuilder::new(&title, None);

    // Categorical columns are read as their labels.
    let columns: Vec<(String, DataType, Column)> = df
        .columns()
        .iter()
        .map(|c| {
            let dtype = c.dtype().clone();
            let readable = if matches!(dtype, DataType::Enum(..) | DataType::Categorical(..)) {
                c.cast(&DataType::String).unwrap_or_else(|_| c.clone())
            } else {
                c.clone()
            };
            (c.name().to_string(), dtype, readable)
        })
        .collect();

    let mut header = vec![(String::new(), false)];
    for (name, dtype, _) in &columns {
        header.push((
            format!(
                "{}<span class=\"dt\">{}</span>",
                escape(name),
                escape(&dtype_name(dtype))
            ),
            is_text(dtype),
        ));
    }
    table.header(&header);

    // Real-number columns get one number of decimals for the rows shown.
    let shown: Vec<usize> = top.iter().chain(&bottom).copied().collect();
    let decimals: Vec<usize> = columns
        .iter()
        .map(|(_, _, col)| {
            let values: Vec<f64> = shown
                .iter()
                .filter_map(|&i| match col.get(i) {
                    Ok(AnyValue::Float64(x)) => Some(x),
                    Ok(AnyValue::Float32(x)) => Some(f64::from(x)),
                    _ => None,
                })
                .collect();
            float_decimals(&values)
        })
        .collect();

    let body_row = |table: &mut TableBuilder, i: usize| {
        let mut cells = vec![(format_number(i as f64, 0, lang), "k")];
        for (j, (_, dtype, col)) in columns.iter().enumerate() {
            let value = col.get(i).unwrap_or(AnyValue::Null);
            let text = cell_text(&value, decimals[j], lang);
            let html = if matches!(value, AnyValue::Null) {
                format!("<span style=\"color:#9aa5b1\">{MISSING}</span>")
            } else {
                escape(&text)
            };
            cells.push((html, if is_text(dtype) { "l" } else { "" }));
        }
        table.row(None, &cells);
    };
    for &i in &top {
        body_row(&mut table, i);
    }
    if !bottom.is_empty() {
        let hidden = height - head - tail;
        let gap = match lang {
            Language::Es => format!("… {} filas más …", format_number(hidden as f64, 0, lang)),
            Language::En => format!("… {} more rows …", format_number(hidden as f64, 0, lang)),
        };
        table.gap_row(width + 1, &gap);
        for &i in &bottom {
            body_row(&mut table, i);
        }
    }
    let body = format!(
        "<div style=\"overflow-x:auto;max-width:100%\">{}</div>",
        table.finish()
    );
    // The plain-text form is polars' own table.
    Html::styled(&body, format!("{df}"))
}

/// A short type name: polars' own (`i64`, `f64`, `str`), with the number of
/// labels for categorical columns.
fn dtype_name(dtype: &DataType) -> String {
    match dtype {
        DataType::Enum(cats, _) => format!("enum ({})", cats.categories().len()),
        DataType::Categorical(..) => "cat".to_owned(),
        other => other.to_string(),
    }
}

fn is_text(dtype: &DataType) -> bool {
    matches!(
        dtype,
        DataType::String | DataType::Enum(..) | DataType::Categorical(..) | DataType::Boolean
    )
}

/// A cell's text: numbers in the house style, strings as they are.
fn cell_text(value: &AnyValue<'_>, decimals: usize, lang: Language) -> String {
    match value {
        AnyValue::Null => MISSING.to_owned(),
        AnyValue::String(s) => (*s).to_owned(),
        AnyValue::StringOwned(s) => s.to_string(),
        AnyValue::Boolean(b) => match (b, lang) {
            (true, Language::Es) => "verdadero".to_owned(),
            (false, Language::Es) => "falso".to_owned(),
            (true, Language::En) => "true".to_owned(),
            (false, Language::En) => "false".to_owned(),
        },
        AnyValue::Float64(x) => format_number(*x, decimals, lang),
        AnyValue::Float32(x) => format_number(f64::from(*x), decimals, lang),
        v if v.is_integer() => integer_text(v, lang),
        other => other.to_string(),
    }
}

/// Decimals for a column of real numbers: about five significant digits
/// for its largest value (between 1 and 4 decimals), none when every value
/// is whole.
fn float_decimals(values: &[f64]) -> usize {
    let finite: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if !finite.is_empty() && finite.iter().all(|x| x.fract() == 0.0) {
        return 0;
    }
    let max = finite.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    let int_digits = if max < 1.0 {
        0
    } else {
        // 1 + floor(log10 max), at most 309 for finite f64.
        max.log10().floor() as i64 + 1
    };
    (5 - int_digits).clamp(1, 4) as usize
}

/// Integers grouped by thousands from five digits on (so that years and
/// codes stay as they are).
fn integer_text(v: &AnyValue<'_>, lang: Language) -> String {
    let text = v.to_string();
    match text.parse::<i128>() {
        Ok(n) if n.abs() >= 10_000 => format_number(n as f64, 0, lang),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    #[test]
    fn short_frames_show_every_row() -> PolarsResult<()> {
        let df = df!("x" => [1i64, 2, 3], "s" => ["a<b", "c", "d"])?;
        let html = df.html();
        let h = html.as_html();
        assert_eq!(h.matches("<tr>").count(), 1 + 3);
        assert!(h.contains("a&lt;b"));
        assert!(!h.contains("a<b"));
        assert!(h.contains("<span class=\"dt\">i64</span>"));
        assert!(h.contains("3 filas × 2 columnas"));
        Ok(())
    }

    #[test]
    fn long_frames_show_head_gap_and_tail() -> PolarsResult<()> {
        let values: Vec<i64> = (0..100).collect();
        let df = df!("x" => values)?;
        let html = df.html_rows(3, 2, Language::En);
        let h = html.as_html();
        assert_eq!(h.matches("<tr>").count(), 1 + 3 + 2);
        assert!(h.contains("… 95 more rows …"));
        assert!(h.contains("<td>99</td>"));
        assert!(!h.contains("<td>50</td>"));
        Ok(())
    }

    #[test]
    fn numbers_follow_the_house_style() {
        assert_eq!(float_decimals(&[187.43219, 2.5]), 2);
        assert_eq!(float_decimals(&[2.0, 6718.0]), 0);
        assert_eq!(float_decimals(&[123_456.7]), 1);
        assert_eq!(float_decimals(&[0.000123]), 4);
        assert_eq!(float_decimals(&[]), 4);
        assert_eq!(integer_text(&AnyValue::Int64(2023), Language::Es), "2023");
        assert_eq!(
            integer_text(&AnyValue::Int64(755_732), Language::Es),
            "755.732"
        );
    }
}
