//! A table of estimates: tidy polars `DataFrame` (one row per domain ×
//! statistic × level) and aligned plain text.

use ndarray::Array2;
use polars::prelude::{Column, DataFrame, IntoColumn, NamedFrom, PolarsResult, Series};

use super::{Estimate, EstimateError, Statistic, covariance};
use crate::codebook::{Codebook, Language};
use crate::design::{ByVariable, Label};

/// Estimates of one estimator call: one per domain (and level), in domain
/// order.
#[derive(Debug, Clone)]
pub struct EstimateTable {
    estimates: Vec<Estimate>,
    by: Vec<ByVariable>,
    subset: Option<String>,
    /// Codebook labels of the estimated variables, for captions.
    labels: Vec<(String, Label)>,
}

impl EstimateTable {
    /// A table from estimates, the `by` variables that define their domains
    /// and the subpopulation description.
    pub(crate) fn new(
        estimates: Vec<Estimate>,
        by: Vec<ByVariable>,
        subset: Option<String>,
    ) -> Self {
        EstimateTable {
            estimates,
            by,
            subset,
            labels: Vec::new(),
        }
    }

    /// Takes the estimated variables' labels from `codebook` (variables it
    /// does not know, such as derived columns, keep their column name).
    pub(crate) fn labelled(mut self, codebook: Option<&Codebook>) -> Self {
        let Some(codebook) = codebook else {
            return self;
        };
        for e in &self.estimates {
            if self.labels.iter().any(|(name, _)| *name == e.variable) {
                continue;
            }
            if let Some(v) = codebook.variable(&e.variable) {
                let label = Label {
                    es: v.label_es.clone(),
                    en: v.label_en.clone(),
                };
                self.labels.push((e.variable.clone(), label));
            }
        }
        self
    }

    /// The codebook label of an estimated variable, when the design has a
    /// codebook that describes it.
    ///
    /// ```
    /// use lapaz_survey::prelude::*;
    ///
    /// let survey = Survey::embedded()?;
    /// let income = survey.design()?.mean("yhogpc")?;
    /// let label = income.variable_label("yhogpc").expect("in the codebook");
    /// assert!(label.es.to_lowercase().contains("ingreso"));
    /// # Ok::<(), lapaz_survey::Error>(())
    /// ```
    pub fn variable_label(&self, variable: &str) -> Option<&Label> {
        self.labels
            .iter()
            .find(|(name, _)| name == variable)
            .map(|(_, l)| l)
    }

    /// The estimates.
    pub fn estimates(&self) -> &[Estimate] {
        &self.estimates
    }

    /// Consumes the table into its estimates.
    pub fn into_estimates(self) -> Vec<Estimate> {
        self.estimates
    }

    /// Number of estimates.
    pub fn len(&self) -> usize {
        self.estimates.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.estimates.is_empty()
    }

    /// The `by` variables of the domains.
    pub fn by(&self) -> &[ByVariable] {
        &self.by
    }

    /// The subpopulation, if the estimates are of one.
    pub fn subset(&self) -> Option<&str> {
        self.subset.as_deref()
    }

    /// Appends another table's estimates (e.g. several variables, or the
    /// same variable by different groupings, in one table). The `by`
    /// variables of both are kept: an estimate has an empty cell for a
    /// grouping that does not define its domain.
    ///
    /// ```
    /// use lapaz_survey::prelude::*;
    ///
    /// let design = Survey::embedded()?.design()?;
    /// let mut table = design.by(["area"])?.mean("yhogpc")?;
    /// table.append(design.by(["macrodistrito"])?.mean("yhogpc")?);
    /// let names: Vec<&str> = table.by().iter().map(|b| b.name.as_str()).collect();
    /// assert_eq!(names, ["area", "macrodistrito"]);
    /// assert!(table.find_in("macrodistrito", "Centro").is_some());
    /// # Ok::<(), lapaz_survey::Error>(())
    /// ```
    pub fn append(&mut self, other: EstimateTable) {
        for b in other.by {
            if !self.by.iter().any(|have| have.name == b.name) {
                self.by.push(b);
            }
        }
        for (name, label) in other.labels {
            if !self.labels.iter().any(|(n, _)| *n == name) {
                self.labels.push((name, label));
            }
        }
        self.estimates.extend(other.estimates);
    }

    /// The estimate of a domain, matching each `by` variable's label
    /// (Spanish or English) in order, and optionally a level.
    pub fn find(&self, domain: &[&str], level: Option<&str>) -> Option<&Estimate> {
        self.estimates.iter().find(|e| {
            e.domain.len() == domain.len()
                && e.domain
                    .iter()
                    .zip(domain)
                    .all(|(v, want)| v.value.es == *want || v.value.en == *want)
                && match (level, &e.level) {
                    (None, _) => true,
                    (Some(l), Some(have)) => have.es == l || have.en == l,
                    (Some(_), None) => false,
                }
        })
    }

    /// The first estimate whose domain has `value` (Spanish or English
    /// label) for the `by` variable `variable` — for tables that mix
    /// groupings (see [`append`](Self::append)).
    pub fn find_in(&self, variable: &str, value: &str) -> Option<&Estimate> {
        self.estimates.iter().find(|e| {
            e.domain_value(variable)
                .is_some_and(|v| v.es == value || v.en == value)
        })
    }

    /// Variance–covariance matrix of all estimates of the table (domains of
    /// the same clusters are correlated; R's `svyby(..., covmat = TRUE)`).
    pub fn vcov(&self) -> Result<Array2<f64>, EstimateError> {
        let refs: Vec<&Estimate> = self.estimates.iter().collect();
        covariance(&refs)
    }

    /// The table in tidy long form: one row per estimate, with columns
    /// `statistic, variable, probability, level, level_en, <by>…, <by>_en…,
    /// estimate, se, ci_low, ci_high, ci_level, ci_method, cv, deff, df, n,
    /// n_missing, population, quality, quality_en`.
    ///
    /// `probability` is the quantile's probability (null for other
    /// statistics); `level` is null for statistics without levels; `deff` is
    /// null when the statistic has none (quantiles); `ci_method` is the
    /// interval's [`CiMethod::code`](super::CiMethod::code).
    pub fn to_dataframe(&self) -> PolarsResult<DataFrame> {
        let e = &self.estimates;
        let mut cols: Vec<Column> = Vec::new();
        let text = |name: &str, f: &dyn Fn(&Estimate) -> String| -> Column {
            Series::new(name.into(), e.iter().map(f).collect::<Vec<String>>()).into_column()
        };
        let opt_text = |name: &str, f: &dyn Fn(&Estimate) -> Option<String>| -> Column {
            Series::new(
                name.into(),
                e.iter().map(f).collect::<Vec<Option<String>>>(),
            )
            .into_column()
        };
        let num = |name: &str, f: &dyn Fn(&Estimate) -> f64| -> Column {
            Series::new(name.into(), e.iter().map(f).collect::<Vec<f64>>()).into_column()
        };
        cols.push(text("statistic", &|x| x.statistic.code().to_string()));
        cols.push(text("variable", &|x| x.variable.clone()));
        cols.push(
            Series::new(
                "probability".into(),
                e.iter()
                    .map(|x| probability(x.statistic))
                    .collect::<Vec<Option<f64>>>(),
            )
            .into_column(),
        );
        cols.push(opt_text("level", &|x| {
            x.level.as_ref().map(|l| l.es.clone())
        }));
        cols.push(opt_text("level_en", &|x| {
            x.level.as_ref().map(|l| l.en.clone())
        }));
        for b in &self.by {
            cols.push(opt_text(&b.name, &|x| {
                x.domain_value(&b.name).map(|v| v.es.clone())
            }));
            cols.push(opt_text(&format!("{}_en", b.name), &|x| {
                x.domain_value(&b.name).map(|v| v.en.clone())
            }));
        }
        cols.push(num("estimate", &|x| x.estimate));
        cols.push(num("se", &|x| x.se));
        cols.push(num("ci_low", &|x| x.ci.low));
        cols.push(num("ci_high", &|x| x.ci.high));
        cols.push(num("ci_level", &|x| x.ci.level));
        cols.push(text("ci_method", &|x| x.ci.method.code().to_string()));
        cols.push(num("cv", &|x| x.cv));
        cols.push(
            Series::new(
                "deff".into(),
                e.iter().map(|x| x.deff).collect::<Vec<Option<f64>>>(),
            )
            .into_column(),
        );
        cols.push(num("df", &|x| x.df));
        cols.push(
            Series::new(
                "n".into(),
                e.iter().map(|x| x.n as u64).collect::<Vec<u64>>(),
            )
            .into_column(),
        );
        cols.push(
            Series::new(
                "n_missing".into(),
                e.iter().map(|x| x.n_missing as u64).collect::<Vec<u64>>(),
            )
            .into_column(),
        );
        cols.push(num("population", &|x| x.population));
        cols.push(text("quality", &|x| {
            x.quality.label(Language::Es).to_string()
        }));
        cols.push(text("quality_en", &|x| {
            x.quality.label(Language::En).to_string()
        }));
        DataFrame::new_infer_height(cols)
    }

    /// The CSV header of [`write_csv`](Self::write_csv).
    fn csv_header(&self) -> Vec<&str> {
        let mut header = vec!["statistic", "variable", "probability", "level"];
        header.extend(self.by.iter().map(|b| b.name.as_str()));
        header.extend([
            "estimate",
            "se",
            "ci_low",
            "ci_high",
            "ci_level",
            "ci_method",
            "cv",
            "deff",
            "df",
            "n",
            "n_missing",
            "population",
            "quality",
        ]);
        header
    }

    /// Writes the table as tidy CSV (UTF-8, comma-separated, a header row,
    /// one row per estimate), the same as `lapaz-survey estimate --format
    /// csv`: columns `statistic, variable, probability, level, <by>…,
    /// estimate, se, ci_low, ci_high, ci_level, ci_method, cv, deff, df, n,
    /// n_missing, population, quality`.
    ///
    /// Labels (levels, domains, quality) are the Spanish ones; fields that
    /// contain a comma or a quote are quoted. Numbers are written in full
    /// precision (the shortest text that reads back as the same value); a
    /// missing number is `NA` (as R writes it, e.g. a `deff` the statistic
    /// does not have); a text field that does not apply (the `probability`
    /// of a mean, the `level` of a total) is empty.
    ///
    /// ```
    /// use lapaz_survey::polars::prelude::df;
    /// use lapaz_survey::prelude::*;
    ///
    /// let data = df![
    ///     "upm" => [1, 1, 2, 2, 3, 3, 4, 4],
    ///     "factor" => [10.0, 12.0, 8.0, 9.0, 11.0, 10.0, 9.0, 12.0],
    ///     "ingreso" => [1200.0, 1500.0, 900.0, 2100.0, 1800.0, 1300.0, 1000.0, 1600.0],
    /// ]?;
    /// let design = SurveyDesign::new(data, DesignSpec::new().weights("factor").cluster("upm"))?;
    /// let mut table = design.mean("ingreso")?;
    /// table.append(design.quantile("ingreso", &[0.5])?);
    ///
    /// let text = table.to_csv_string()?;
    /// let mut lines = text.lines();
    /// assert_eq!(
    ///     lines.next(),
    ///     Some("statistic,variable,probability,level,estimate,se,ci_low,ci_high,ci_level,\
    ///           ci_method,cv,deff,df,n,n_missing,population,quality")
    /// );
    /// assert!(lines.next().is_some_and(|l| l.starts_with("mean,ingreso,,,")));
    /// assert!(lines.next().is_some_and(|l| l.starts_with("quantile,ingreso,0.5,,")));
    ///
    /// // To a file (any `std::io::Write`):
    /// let path = std::env::temp_dir().join("ingreso.csv");
    /// table.write_csv(std::fs::File::create(&path)?)?;
    /// assert_eq!(std::fs::read_to_string(&path)?, text);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_csv<W: std::io::Write>(&self, w: W) -> std::io::Result<()> {
        let mut out = csv::Writer::from_writer(w);
        out.write_record(self.csv_header())?;
        for e in &self.estimates {
            let mut rec = vec![
                e.statistic.code().to_string(),
                e.variable.clone(),
                probability(e.statistic).map(csv_num).unwrap_or_default(),
                e.level.as_ref().map(|l| l.es.clone()).unwrap_or_default(),
            ];
            for b in &self.by {
                rec.push(
                    e.domain_value(&b.name)
                        .map(|v| v.es.clone())
                        .unwrap_or_default(),
                );
            }
            rec.extend([
                csv_num(e.estimate),
                csv_num(e.se),
                csv_num(e.ci.low),
                csv_num(e.ci.high),
                csv_num(e.ci.level),
                e.ci.method.code().to_string(),
                csv_num(e.cv),
                csv_num(e.deff.unwrap_or(f64::NAN)),
                csv_num(e.df),
                e.n.to_string(),
                e.n_missing.to_string(),
                csv_num(e.population),
                e.quality.label(Language::Es).to_string(),
            ]);
            out.write_record(&rec)?;
        }
        out.flush()
    }

    /// The table as CSV text; see [`write_csv`](Self::write_csv).
    pub fn to_csv_string(&self) -> std::io::Result<String> {
        let mut buf = Vec::new();
        self.write_csv(&mut buf)?;
        String::from_utf8(buf).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
    }
}

/// The probability of a quantile; `None` for other statistics.
fn probability(s: Statistic) -> Option<f64> {
    match s {
        Statistic::Quantile(p) => Some(p),
        _ => None,
    }
}

/// A number as CSV text: the shortest text that reads back as the same
/// `f64`; `NA` (R's missing value) for NaN.
fn csv_num(x: f64) -> String {
    if x.is_nan() {
        "NA".to_string()
    } else {
        x.to_string()
    }
}

/// Formats a number with `decimals` and thousands separators (`12 345,6`
/// style is avoided: a plain `12345.6` reads the same in both languages).
pub(crate) fn fmt_num(x: f64, decimals: usize) -> String {
    if x.is_nan() {
        return "NA".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Inf".into() } else { "-Inf".into() };
    }
    format!("{x:.decimals$}")
}

/// Decimals that show about 4 significant digits of `x`'s magnitude.
fn decimals_for(x: f64) -> usize {
    let a = x.abs();
    if !a.is_finite() || a == 0.0 {
        return 2;
    }
    let mag = a.log10().floor() as i32;
    (3 - mag).clamp(0, 6) as usize
}

impl std::fmt::Display for EstimateTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(s) = &self.subset {
            writeln!(f, "Subpoblación: {s}")?;
        }
        let mut header: Vec<String> = vec!["estadístico".into(), "variable".into()];
        let has_level = self.estimates.iter().any(|e| e.level.is_some());
        if has_level {
            header.push("categoría".into());
        }
        for b in &self.by {
            header.push(b.name.clone());
        }
        for h in [
            "estimación",
            "e.e.",
            "IC inf",
            "IC sup",
            "CV %",
            "deff",
            "gl",
            "n",
            "calidad",
        ] {
            header.push(h.into());
        }
        let mut rows: Vec<Vec<String>> = Vec::new();
        for e in &self.estimates {
            let dec = decimals_for(e.estimate.abs().max(e.se));
            let mut r = vec![e.statistic.name(Language::Es), e.variable.clone()];
            if has_level {
                r.push(e.level.as_ref().map(|l| l.es.clone()).unwrap_or_default());
            }
            for v in &e.domain {
                r.push(v.value.es.clone());
            }
            r.push(fmt_num(e.estimate, dec));
            r.push(fmt_num(e.se, dec));
            r.push(fmt_num(e.ci.low, dec));
            r.push(fmt_num(e.ci.high, dec));
            r.push(fmt_num(100.0 * e.cv, 1));
            r.push(e.deff.map(|d| fmt_num(d, 2)).unwrap_or_else(|| "-".into()));
            r.push(fmt_num(e.df, 0));
            r.push(e.n.to_string());
            r.push(e.quality.label(Language::Es).to_string());
            rows.push(r);
        }
        let ncol = header.len();
        let numeric_from = ncol - 9;
        let widths: Vec<usize> = (0..ncol)
            .map(|j| {
                rows.iter()
                    .map(|r| r[j].chars().count())
                    .chain(std::iter::once(header[j].chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |f: &mut std::fmt::Formatter<'_>, cells: &[String]| -> std::fmt::Result {
            let mut out = String::new();
            for (j, c) in cells.iter().enumerate() {
                if j > 0 {
                    out.push_str("  ");
                }
                let pad = widths[j].saturating_sub(c.chars().count());
                if j >= numeric_from && j < ncol - 1 {
                    out.push_str(&" ".repeat(pad));
                    out.push_str(c);
                } else {
                    out.push_str(c);
                    out.push_str(&" ".repeat(pad));
                }
            }
            writeln!(f, "{}", out.trim_end())
        };
        line(f, &header)?;
        for r in &rows {
            line(f, r)?;
        }
        if let Some(e) = self.estimates.first() {
            write!(
                f,
                "IC {:.0}% ({}); CV = e.e./estimación",
                100.0 * e.ci.level,
                e.ci.method.code()
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use polars::prelude::*;

    use crate::design::{DesignSpec, SurveyDesign};
    use crate::estimate::{EstimateTable, PropCiMethod};

    /// A mean, a median and Wilson proportions by zone: every kind of
    /// probability and interval method in one table.
    fn mixed_table() -> EstimateTable {
        let df = df![
            "psu" => [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6],
            "w" => [1.0, 2.0, 1.5, 1.0, 2.0, 1.0, 1.0, 3.0, 2.0, 2.5, 1.0, 1.5],
            "zona" => ["norte", "sur", "norte", "sur", "norte", "sur", "norte", "sur", "norte", "sur", "norte", "sur"],
            "y" => [3.0, 5.0, 2.0, 8.0, 4.0, 6.0, 1.0, 9.0, 7.0, 2.0, 5.0, 4.0],
            "pared" => ["Ladrillo, bloque", "Adobe", "Adobe", "Ladrillo, bloque", "Adobe", "Adobe",
                        "Ladrillo, bloque", "Adobe", "Adobe", "Ladrillo, bloque", "Adobe", "Adobe"],
        ]
        .expect("frame");
        let d =
            SurveyDesign::new(df, DesignSpec::new().weights("w").cluster("psu")).expect("design");
        let v = d.by(["zona"]).expect("by");
        let mut t = v.mean("y").expect("mean");
        t.append(v.quantile("y", &[0.25]).expect("quantile"));
        t.append(v.prop_ci("pared", PropCiMethod::Wilson).expect("prop"));
        t
    }

    #[test]
    fn dataframe_keeps_probability_and_ci_method() {
        let t = mixed_table();
        let frame = t.to_dataframe().expect("frame");
        assert_eq!(frame.height(), t.len());
        let prob = frame.column("probability").expect("probability");
        let prob = prob.f64().expect("f64");
        let method = frame.column("ci_method").expect("ci_method");
        let method = method.str().expect("text");
        for (i, e) in t.estimates().iter().enumerate() {
            match e.statistic {
                crate::estimate::Statistic::Quantile(p) => {
                    assert_eq!(prob.get(i), Some(p));
                    assert_eq!(p, 0.25);
                    assert_eq!(method.get(i), Some("woodruff"));
                }
                crate::estimate::Statistic::Mean => {
                    assert_eq!(prob.get(i), None, "row {i}: a mean has no probability");
                    assert_eq!(method.get(i), Some("normal"));
                }
                crate::estimate::Statistic::Proportion => {
                    assert_eq!(prob.get(i), None);
                    assert_eq!(method.get(i), Some("wilson"));
                }
                other => panic!("unexpected statistic {other:?}"),
            }
        }
        let names: Vec<&str> = frame
            .get_column_names()
            .into_iter()
            .map(|c| c.as_str())
            .collect();
        assert_eq!(
            &names[..5],
            ["statistic", "variable", "probability", "level", "level_en"]
        );
        let at = |c: &str| names.iter().position(|n| *n == c).expect("column");
        assert_eq!(at("ci_method"), at("ci_level") + 1);
        assert_eq!(at("cv"), at("ci_method") + 1);
    }

    #[test]
    fn csv_has_one_row_per_estimate_that_reads_back_exactly() {
        let t = mixed_table();
        let text = t.to_csv_string().expect("csv");
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = r
            .headers()
            .expect("header")
            .iter()
            .map(str::to_string)
            .collect();
        assert_eq!(
            header.join(","),
            "statistic,variable,probability,level,zona,estimate,se,ci_low,ci_high,ci_level,\
             ci_method,cv,deff,df,n,n_missing,population,quality"
        );
        let col = |c: &str| header.iter().position(|h| h == c).expect("column");
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("record")).collect();
        assert_eq!(rows.len(), t.len());
        // `NA` reads back as NaN; any NaN stands for "missing".
        let num = |row: &csv::StringRecord, c: &str| -> Option<f64> {
            match row.get(col(c)).expect("field") {
                "NA" => None,
                x => Some(x.parse::<f64>().expect("number")),
            }
        };
        let value = |x: f64| (!x.is_nan()).then_some(x);
        for (row, e) in rows.iter().zip(t.estimates()) {
            assert_eq!(&row[col("statistic")], e.statistic.code());
            assert_eq!(&row[col("zona")], e.domain[0].value.es);
            assert_eq!(
                &row[col("level")],
                e.level.as_ref().map_or("", |l| l.es.as_str())
            );
            assert_eq!(num(row, "estimate"), value(e.estimate));
            assert_eq!(num(row, "se"), value(e.se));
            assert_eq!(num(row, "ci_low"), value(e.ci.low));
            assert_eq!(num(row, "ci_high"), value(e.ci.high));
            assert_eq!(num(row, "df"), value(e.df));
            assert_eq!(num(row, "population"), value(e.population));
            assert_eq!(&row[col("ci_method")], e.ci.method.code());
            assert_eq!(
                &row[col("quality")],
                e.quality.label(crate::codebook::Language::Es)
            );
            match e.statistic {
                crate::estimate::Statistic::Quantile(p) => {
                    assert_eq!(num(row, "probability"), value(p));
                    assert_eq!(&row[col("deff")], "NA", "a quantile has no deff");
                }
                _ => {
                    assert_eq!(&row[col("probability")], "");
                    assert_eq!(num(row, "deff"), e.deff.and_then(value));
                }
            }
        }
        // A label with a comma is quoted, so it stays one field.
        assert!(text.contains("\"Ladrillo, bloque\""), "{text}");
    }
}
