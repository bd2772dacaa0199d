//! HTML views of test results, regression tables and load reports, with
//! Spanish number formats (the plain text fallback is their `Display`).

use super::estimates::ci_header;
use super::format::{format_count, format_number};
use super::html::{Html, TableBuilder, escape, note};
use crate::estimate::{TestKind, TestResult};
use crate::load::LoadReport;
use crate::model::RegressionTable;

/// A p-value as a reader expects it: four decimals, or `< 0,0001`.
fn format_p(p: f64) -> String {
    if p.is_nan() {
        "—".to_owned()
    } else if p < 1e-4 {
        format!(
            "< {}",
            format_number(1e-4, 4, crate::codebook::Language::Es)
        )
    } else {
        format_number(p, 4, crate::codebook::Language::Es)
    }
}

/// A number with `decimals` decimals, Spanish style (`1.234,5678`).
fn es(x: f64, decimals: usize) -> String {
    format_number(x, decimals, crate::codebook::Language::Es)
}

/// Degrees of freedom: whole when they are, two decimals otherwise.
fn es_df(df: f64) -> String {
    es(df, if df.fract() == 0.0 { 0 } else { 2 })
}

/// A two-column table of (label, value) rows.
fn key_values(title: &str, subtitle: Option<&str>, rows: &[(String, String)]) -> String {
    let mut table = TableBuilder::new(title, subtitle);
    for (k, v) in rows {
        table.row(None, &[(escape(k), "l"), (escape(v), "k")]);
    }
    table.finish()
}

impl TestResult {
    /// The test as an HTML table (Spanish labels and numbers) with the
    /// plain-text fallback; what a notebook shows.
    ///
    /// ```
    /// use lapaz_survey::prelude::*;
    ///
    /// let design = Survey::embedded()?.design()?;
    /// let test = design.chisq("internet", "quintil")?;
    /// assert!(test.html().as_html().contains("valor p"));
    /// # Ok::<(), lapaz_survey::Error>(())
    /// ```
    pub fn html(&self) -> Html {
        let symbol = self.kind.statistic_symbol();
        let mut rows = vec![(format!("Estadístico {symbol}"), es(self.statistic, 4))];
        let df = match self.denominator_df {
            Some(ddf) => format!("{} y {}", es_df(self.df), es_df(ddf)),
            None => es_df(self.df),
        };
        rows.push(("Grados de libertad".to_owned(), df));
        rows.push(("valor p".to_owned(), format_p(self.p_value)));
        if let Some(x2) = self.pearson {
            rows.push(("X² de Pearson sin corregir".to_owned(), es(x2, 4)));
        }
        if let Some(est) = self.estimate {
            let what = match self.kind {
                TestKind::OneSampleT => "Media",
                _ => "Diferencia de medias",
            };
            rows.push((what.to_owned(), es(est, 4)));
        }
        if let Some(se) = self.se {
            rows.push(("Error estándar".to_owned(), es(se, 4)));
        }
        if let (Some((lo, hi)), Some(level)) = (self.conf_int, self.level) {
            rows.push((
                ci_header(level, crate::codebook::Language::Es),
                format!("{} – {}", es(lo, 4), es(hi, 4)),
            ));
        }
        let body = key_values(self.kind.label_es(), Some(self.kind.label_en()), &rows);
        let reading = note(
            "Un valor p pequeño (por ejemplo, menor que 0,05) indica que la diferencia o la \
             asociación difícilmente se debe solo al azar de la muestra; no dice que sea grande \
             ni que sea causal.",
        );
        Html::styled(&format!("{body}{reading}"), self.to_string())
    }
}

impl RegressionTable {
    /// The coefficients as an HTML table (Spanish labels and numbers) with
    /// the plain-text fallback; what a notebook shows.
    pub fn html(&self) -> Html {
        let title = format!("Regresión {} de {}", self.family.name_es(), self.response);
        let subtitle = format!(
            "Errores estándar {} · n = {} · gl residuales = {}",
            if self.replicate {
                "por pesos replicados"
            } else {
                "por linealización (sándwich)"
            },
            format_count(self.n as f64, crate::codebook::Language::Es),
            es_df(self.df_residual)
        );
        let mut table = TableBuilder::new(&title, Some(&subtitle));
        table.header(&[
            ("Término".to_owned(), true),
            ("Estimación".to_owned(), false),
            ("EE".to_owned(), false),
            ("t".to_owned(), false),
            ("valor p".to_owned(), false),
            (ci_header(self.level, crate::codebook::Language::Es), false),
        ]);
        for c in &self.coefficients {
            table.row(
                None,
                &[
                    (escape(&c.term), "l"),
                    (es(c.estimate, 4), "k"),
                    (es(c.se, 4), ""),
                    (es(c.t, 3), ""),
                    (format_p(c.p_value), ""),
                    (format!("{} – {}", es(c.ci_low, 4), es(c.ci_high, 4)), ""),
                ],
            );
        }
        let mut body = table.finish();
        if !self.converged {
            body.push_str(&note(&format!(
                "AVISO: el ajuste no convergió tras {} iteraciones.",
                self.iterations
            )));
        }
        Html::styled(&body, self.to_string())
    }
}

impl LoadReport {
    /// Rows read, kept and rejected per table as an HTML table, with the
    /// report's notes; the plain-text fallback is the `Display` text.
    ///
    /// ```
    /// use lapaz_survey::prelude::*;
    ///
    /// let survey = Survey::embedded()?;
    /// assert!(survey.report().html().as_html().contains("rechazadas"));
    /// # Ok::<(), lapaz_survey::Error>(())
    /// ```
    pub fn html(&self) -> Html {
        let mut table = TableBuilder::new(&format!("Informe de carga: {}", self.source), None);
        table.header(&[
            ("Tabla".to_owned(), true),
            ("Archivo".to_owned(), true),
            ("Filas leídas".to_owned(), false),
            ("válidas".to_owned(), false),
            ("rechazadas".to_owned(), false),
        ]);
        let count = |n: usize| format_count(n as f64, crate::codebook::Language::Es);
        for t in &self.tables {
            table.row(
                (t.rows_rejected > 0).then_some("warn"),
                &[
                    (escape(t.table.file_stem()), "l"),
                    (escape(&t.file), "l"),
                    (count(t.rows_read), ""),
                    (count(t.rows_kept), ""),
                    (count(t.rows_rejected), ""),
                ],
            );
        }
        let mut body = table.finish();
        for line in self.note_lines() {
            body.push_str(&note(line.trim()));
        }
        Html::styled(&body, self.to_string())
    }
}
