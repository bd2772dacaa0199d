//! Design-based hypothesis tests: Rao–Scott adjusted χ² tests of independence
//! for two-way tables (R's `svychisq`) and t-tests of a mean or of a
//! difference of two domain means (R's `svyttest`), with their result type
//! [`TestResult`].
//!
//! # Two-way tables (Rao & Scott, 1984)
//!
//! From the estimated cell totals `N̂ᵢⱼ` of an `r × c` table and their
//! design covariance, with `p̂ᵢⱼ = N̂ᵢⱼ/N̂`, `n` sample rows and `d = (r−1)(c−1)`:
//!
//! * Pearson's statistic on the table scaled to `n`:
//!   `X² = n Σ (p̂ᵢⱼ − p̂ᵢ.p̂.ⱼ)² / (p̂ᵢ.p̂.ⱼ)`;
//! * the generalised design-effect matrix
//!   `Δ = (X̃₂ᵀ P X̃₂)⁻¹ (X̃₂ᵀ V X̃₂)`, where `V` is the design covariance of the
//!   `p̂ᵢⱼ`, `P = (diag p̂ − p̂p̂ᵀ)/n` the multinomial one (at the observed
//!   proportions, as R), and `X̃₂` the interaction contrasts made orthogonal
//!   to the main effects in the `diag p̂` inner product.
//!
//! Then, as R's `svychisq`:
//!
//! | [`ChisqStatistic`] | statistic | reference |
//! |---|---|---|
//! | `F` (default; second-order) | `F = X² / tr Δ` | `F(ν, ν·df)`, `ν = (tr Δ)² / tr Δ²` |
//! | `Chisq` (first-order) | reports `X²`; tests `X²·d / tr Δ` | `χ²(d)` |
//! | `Wald` (Koch et al.) | `W/d` | `F(d, df)` |
//! | `AdjWald` | `W (df − d + 1)/(df·d)` | `F(d, df − d + 1)` |
//!
//! with `W = Yᵀ (J V_N Jᵀ)⁻¹ Y`, `Y` the differences `N̂ᵢⱼ − N̂ᵢ.N̂.ⱼ/N̂` of
//! the first `r−1` rows and `c−1` columns, `V_N` the covariance of the cell
//! totals and `J` the Jacobian of `Y`; `df` is the design degrees of freedom.
//! R's `"lincom"` and `"saddlepoint"` statistics are not provided.
//!
//! # t-tests
//!
//! The two-sample test compares two domain means, `ȳ₂ − ȳ₁` with the
//! design-based SE of the difference (their covariance included); the
//! one-sample test compares a mean with 0. Both use a t reference on
//! `df − 1` degrees of freedom, as R's `svyttest` (its `svyglm` residual
//! degrees of freedom), and give a confidence interval for the difference.

use nalgebra::{DMatrix, DVector};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::smooth::{Counts, SmoothStatistic, estimate_smooth};
use super::{EstimateError, Statistic, t_quantile};
use crate::design::{CellMap, Domains, Label, MISSING, SurveyDesign, codes_of, numeric_values};

/// Which statistic a two-way table test reports (R's
/// `svychisq(statistic = …)`). The default is R's default, `F`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ChisqStatistic {
    /// Rao–Scott second-order correction with an F reference (R's `"F"`).
    #[default]
    F,
    /// Rao–Scott first-order correction with a χ² reference (R's `"Chisq"`).
    Chisq,
    /// Koch–Freeman–Freeman Wald test (R's `"Wald"`, as SUDAAN).
    Wald,
    /// The Wald test adjusted for few PSUs (R's `"adjWald"`).
    AdjWald,
}

impl ChisqStatistic {
    /// R's name (`"F"`, `"Chisq"`, `"Wald"`, `"adjWald"`).
    pub fn r_name(self) -> &'static str {
        match self {
            ChisqStatistic::F => "F",
            ChisqStatistic::Chisq => "Chisq",
            ChisqStatistic::Wald => "Wald",
            ChisqStatistic::AdjWald => "adjWald",
        }
    }

    /// The statistic with R's name `name` (case-insensitive).
    pub fn from_r_name(name: &str) -> Option<ChisqStatistic> {
        [
            ChisqStatistic::F,
            ChisqStatistic::Chisq,
            ChisqStatistic::Wald,
            ChisqStatistic::AdjWald,
        ]
        .into_iter()
        .find(|s| s.r_name().eq_ignore_ascii_case(name))
    }
}

/// Which test a [`TestResult`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TestKind {
    /// A two-way table test of independence with the given statistic.
    Independence(ChisqStatistic),
    /// A t-test of the difference of two domain means.
    TwoSampleT,
    /// A t-test of a mean against zero.
    OneSampleT,
}

impl TestKind {
    /// Spanish name of the test, for display.
    pub fn label_es(self) -> &'static str {
        match self {
            TestKind::Independence(ChisqStatistic::F) => {
                "Prueba de independencia: X² de Pearson con corrección de Rao–Scott (F)"
            }
            TestKind::Independence(ChisqStatistic::Chisq) => {
                "Prueba de independencia: X² de Pearson con corrección de Rao–Scott (χ²)"
            }
            TestKind::Independence(ChisqStatistic::Wald) => {
                "Prueba de independencia: Wald (Koch et al.)"
            }
            TestKind::Independence(ChisqStatistic::AdjWald) => {
                "Prueba de independencia: Wald ajustada"
            }
            TestKind::TwoSampleT => "Prueba t con diseño: diferencia de medias",
            TestKind::OneSampleT => "Prueba t con diseño: media igual a cero",
        }
    }

    /// English name of the test, for display.
    pub fn label_en(self) -> &'static str {
        match self {
            TestKind::Independence(ChisqStatistic::F) => "Pearson's X²: Rao & Scott adjustment (F)",
            TestKind::Independence(ChisqStatistic::Chisq) => {
                "Pearson's X²: Rao & Scott adjustment (χ²)"
            }
            TestKind::Independence(ChisqStatistic::Wald) => "Design-based Wald test of association",
            TestKind::Independence(ChisqStatistic::AdjWald) => {
                "Design-based adjusted Wald test of association"
            }
            TestKind::TwoSampleT => "Design-based t-test (difference in means)",
            TestKind::OneSampleT => "Design-based one-sample t-test",
        }
    }

    /// The statistic's symbol as R prints it (`F`, `X²`, `t`).
    pub(crate) fn statistic_symbol(self) -> &'static str {
        match self {
            TestKind::Independence(ChisqStatistic::Chisq) => "X²",
            TestKind::Independence(_) => "F",
            TestKind::TwoSampleT | TestKind::OneSampleT => "t",
        }
    }
}

/// The result of a design-based hypothesis test: statistic, degrees of
/// freedom, p-value and, for t-tests, the estimate with its confidence
/// interval. Displays as a short bilingual text block.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TestResult {
    /// Which test.
    pub kind: TestKind,
    /// The statistic as R reports it (`F`, `X²` or `t`).
    pub statistic: f64,
    /// Degrees of freedom of the reference distribution (numerator df for F).
    pub df: f64,
    /// Denominator degrees of freedom, for F references.
    pub denominator_df: Option<f64>,
    /// The p-value (two-sided for t-tests).
    pub p_value: f64,
    /// Pearson's unadjusted X² (two-way table tests).
    pub pearson: Option<f64>,
    /// The estimate tested (difference of means, or the mean), for t-tests.
    pub estimate: Option<f64>,
    /// Its standard error, for t-tests.
    pub se: Option<f64>,
    /// The confidence interval of the estimate, for t-tests.
    pub conf_int: Option<(f64, f64)>,
    /// The level of `conf_int`.
    pub level: Option<f64>,
}

impl std::fmt::Display for TestResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{}", self.kind.label_es())?;
        writeln!(f, "  [{}]", self.kind.label_en())?;
        write!(
            f,
            "  {} = {:.4}, gl = {}",
            self.kind.statistic_symbol(),
            self.statistic,
            fmt_df(self.df)
        )?;
        if let Some(ddf) = self.denominator_df {
            write!(f, " y {}", fmt_df(ddf))?;
        }
        writeln!(f, ", valor p = {}", fmt_p(self.p_value))?;
        if let (Some(est), Some((lo, hi)), Some(level)) = (self.estimate, self.conf_int, self.level)
        {
            let what = match self.kind {
                TestKind::OneSampleT => "media",
                _ => "diferencia de medias",
            };
            writeln!(f, "  {what} = {est:.4}")?;
            writeln!(f, "  IC {:.0}%: [{lo:.4}, {hi:.4}]", level * 100.0)?;
        }
        Ok(())
    }
}

fn fmt_df(df: f64) -> String {
    if df.fract() == 0.0 {
        format!("{df:.0}")
    } else {
        format!("{df:.2}")
    }
}

fn fmt_p(p: f64) -> String {
    if p.is_nan() {
        "NaN".to_string()
    } else if p < 1e-4 {
        format!("{p:.2e}")
    } else {
        format!("{p:.4}")
    }
}

/// Why a two-way test cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TableProblem {
    /// Fewer than two rows or columns.
    TooSmall,
    /// A whole row or column has no weight.
    EmptyMargin,
    /// The covariance matrix needed is singular.
    Singular,
}

/// The inputs of a two-way test: estimated cell totals (row-major `r × c`),
/// their design covariance (`rc × rc`, row-major), the number of sample rows
/// and the design degrees of freedom.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TwoWayTable<'a> {
    pub rows: usize,
    pub cols: usize,
    pub totals: &'a [f64],
    pub totals_vcov: &'a [f64],
    pub n: f64,
    pub df: f64,
}

/// R's `svychisq` on a two-way table.
pub(crate) fn independence_test(
    table: TwoWayTable<'_>,
    statistic: ChisqStatistic,
) -> Result<TestResult, TableProblem> {
    let (r, c) = (table.rows, table.cols);
    if r < 2 || c < 2 {
        return Err(TableProblem::TooSmall);
    }
    let k = r * c;
    if table.totals.len() != k || table.totals_vcov.len() != k * k {
        return Err(TableProblem::TooSmall);
    }
    let grand: f64 = table.totals.iter().sum();
    let p: Vec<f64> = table.totals.iter().map(|t| t / grand).collect();
    let row_p: Vec<f64> = (0..r).map(|i| (0..c).map(|j| p[i * c + j]).sum()).collect();
    let col_p: Vec<f64> = (0..c).map(|j| (0..r).map(|i| p[i * c + j]).sum()).collect();
    if row_p
        .iter()
        .chain(col_p.iter())
        .any(|m| m.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater))
    {
        return Err(TableProblem::EmptyMargin);
    }
    let pearson = table.n
        * (0..k)
            .map(|cell| {
                let e = row_p[cell / c] * col_p[cell % c];
                (p[cell] - e).powi(2) / e
            })
            .sum::<f64>();
    let d = ((r - 1) * (c - 1)) as f64;
    let vn = DMatrix::from_row_slice(k, k, table.totals_vcov);

    match statistic {
        ChisqStatistic::F | ChisqStatistic::Chisq => {
            // Covariance of the proportions: J V_N Jᵀ with J = (I − p 1ᵀ)/N̂.
            let jp = DMatrix::from_fn(k, k, |a, b| ((a == b) as u8 as f64 - p[a]) / grand);
            let v = &jp * vn * jp.transpose();
            let (tr, tr2) = design_effect_traces(r, c, &p, &v, table.n)?;
            if statistic == ChisqStatistic::F {
                let f = pearson / tr;
                let ndf = tr * tr / tr2;
                let ddf = ndf * table.df;
                Ok(TestResult {
                    kind: TestKind::Independence(statistic),
                    statistic: f,
                    df: ndf,
                    denominator_df: Some(ddf),
                    p_value: f_sf(f, ndf, ddf),
                    pearson: Some(pearson),
                    estimate: None,
                    se: None,
                    conf_int: None,
                    level: None,
                })
            } else {
                let scaled = pearson * d / tr;
                let p_value = ChiSquared::new(d).map(|x| x.sf(scaled)).unwrap_or(f64::NAN);
                Ok(TestResult {
                    kind: TestKind::Independence(statistic),
                    statistic: pearson,
                    df: d,
                    denominator_df: None,
                    p_value,
                    pearson: Some(pearson),
                    estimate: None,
                    se: None,
                    conf_int: None,
                    level: None,
                })
            }
        }
        ChisqStatistic::Wald | ChisqStatistic::AdjWald => {
            let w = wald_statistic(r, c, table.totals, &vn)?;
            let (stat, ddf) = if statistic == ChisqStatistic::Wald {
                (w / d, table.df)
            } else {
                let ddf = table.df - d + 1.0;
                (w * ddf / (table.df * d), ddf)
            };
            Ok(TestResult {
                kind: TestKind::Independence(statistic),
                statistic: stat,
                df: d,
                denominator_df: Some(ddf),
                p_value: f_sf(stat, d, ddf),
                pearson: Some(pearson),
                estimate: None,
                se: None,
                conf_int: None,
                level: None,
            })
        }
    }
}

/// `(tr Δ, tr Δ²)` for the independence hypothesis.
fn design_effect_traces(
    r: usize,
    c: usize,
    p: &[f64],
    v: &DMatrix<f64>,
    n: f64,
) -> Result<(f64, f64), TableProblem> {
    let k = r * c;
    let n_main = 1 + (r - 1) + (c - 1);
    let n_int = (r - 1) * (c - 1);
    // Treatment coding, first level as reference; cell = i·c + j.
    let x1 = DMatrix::from_fn(k, n_main, |cell, col| {
        let (i, j) = (cell / c, cell % c);
        if col == 0 {
            1.0
        } else if col < r {
            (i == col) as u8 as f64
        } else {
            (j == col - r + 1) as u8 as f64
        }
    });
    let x2 = DMatrix::from_fn(k, n_int, |cell, col| {
        let (i, j) = (cell / c, cell % c);
        let (a, b) = (col / (c - 1) + 1, col % (c - 1) + 1);
        (i == a && j == b) as u8 as f64
    });
    let dp = DMatrix::from_diagonal(&DVector::from_column_slice(p));
    let a = x1.transpose() * &dp * &x1;
    let a_inv = a.try_inverse().ok_or(TableProblem::Singular)?;
    let x2t = &x2 - &x1 * a_inv * x1.transpose() * &dp * &x2;
    let pp = DVector::from_column_slice(p);
    let multinomial = (&dp - &pp * pp.transpose()) / n;
    let left = x2t.transpose() * multinomial * &x2t;
    let right = x2t.transpose() * v * &x2t;
    let left_inv = left.try_inverse().ok_or(TableProblem::Singular)?;
    let delta = left_inv * right;
    let tr = delta.trace();
    let tr2 = (&delta * &delta).trace();
    Ok((tr, tr2))
}

/// Koch et al.'s Wald statistic `W` from cell totals and their covariance.
fn wald_statistic(
    r: usize,
    c: usize,
    totals: &[f64],
    vn: &DMatrix<f64>,
) -> Result<f64, TableProblem> {
    let k = r * c;
    let grand: f64 = totals.iter().sum();
    let row: Vec<f64> = (0..r)
        .map(|i| (0..c).map(|j| totals[i * c + j]).sum())
        .collect();
    let col: Vec<f64> = (0..c)
        .map(|j| (0..r).map(|i| totals[i * c + j]).sum())
        .collect();
    let cells: Vec<(usize, usize)> = (0..r - 1)
        .flat_map(|i| (0..c - 1).map(move |j| (i, j)))
        .collect();
    let y = DVector::from_iterator(
        cells.len(),
        cells
            .iter()
            .map(|&(i, j)| totals[i * c + j] - row[i] * col[j] / grand),
    );
    let jac = DMatrix::from_fn(cells.len(), k, |a, b| {
        let (i, j) = cells[a];
        let (ki, kj) = (b / c, b % c);
        let own = (ki == i && kj == j) as u8 as f64;
        let in_row = (ki == i) as u8 as f64;
        let in_col = (kj == j) as u8 as f64;
        own - (in_row * col[j] + in_col * row[i]) / grand + row[i] * col[j] / (grand * grand)
    });
    let vy = &jac * vn * jac.transpose();
    let inv = vy.try_inverse().ok_or(TableProblem::Singular)?;
    Ok((y.transpose() * inv * &y)[(0, 0)])
}

/// Upper tail of `F(d1, d2)` at `x`, from the regularised incomplete beta
/// without the `1 − cdf` cancellation.
pub(crate) fn f_sf(x: f64, d1: f64, d2: f64) -> f64 {
    if !(x.is_finite() && d1 > 0.0 && d2 > 0.0) {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    statrs::function::beta::beta_reg(d2 / 2.0, d1 / 2.0, d2 / (d2 + d1 * x))
}

/// Two-sided p-value of `t` on `df` degrees of freedom.
pub(crate) fn t_two_sided(t: f64, df: f64) -> f64 {
    if !(t.is_finite() && df > 0.0) {
        return f64::NAN;
    }
    if df.is_infinite() {
        return 2.0
            * statrs::distribution::Normal::new(0.0, 1.0)
                .map(|n| n.sf(t.abs()))
                .unwrap_or(f64::NAN);
    }
    // P(|T| > t) = I_{df/(df+t²)}(df/2, 1/2)
    statrs::function::beta::beta_reg(df / 2.0, 0.5, df / (df + t * t))
}

/// A t-test of `estimate` (a mean, or a difference of domain means) with
/// standard error `se` on `df` degrees of freedom, with a `level` interval.
pub(crate) fn t_test(kind: TestKind, estimate: f64, se: f64, df: f64, level: f64) -> TestResult {
    let t = estimate / se;
    let q = t_quantile(1.0 - (1.0 - level) / 2.0, df);
    TestResult {
        kind,
        statistic: t,
        df,
        denominator_df: None,
        p_value: t_two_sided(t, df),
        pearson: None,
        estimate: Some(estimate),
        se: Some(se),
        conf_int: Some((estimate - q * se, estimate + q * se)),
        level: Some(level),
    }
}

impl SurveyDesign {
    /// Rao–Scott test of independence of two categorical variables (R's
    /// `svychisq(~row + col, d)`, default second-order F statistic). Rows
    /// with either value missing are left out (R's `na.rm = TRUE`).
    ///
    /// ```
    /// use lapaz_survey::design::{DesignSpec, SurveyDesign};
    /// use lapaz_survey::polars::prelude::*;
    ///
    /// let df = df![
    ///     "upm"    => [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6],
    ///     "factor" => [10.0, 12.0, 9.0, 11.0, 10.0, 8.0, 12.0, 10.0, 9.0, 11.0, 10.0, 10.0],
    ///     "sexo"   => ["M", "F", "M", "F", "M", "F", "M", "F", "M", "F", "F", "M"],
    ///     "pobre"  => ["sí", "no", "sí", "sí", "no", "no", "sí", "no", "no", "no", "sí", "sí"],
    /// ]?;
    /// let d = SurveyDesign::new(df, DesignSpec::new().weights("factor").cluster("upm"))?;
    /// let test = d.chisq("sexo", "pobre")?;
    /// assert!(test.p_value > 0.0 && test.p_value <= 1.0);
    /// println!("{test}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn chisq(&self, row: &str, col: &str) -> Result<TestResult, EstimateError> {
        self.chisq_with(row, col, ChisqStatistic::F)
    }

    /// A test of independence with a chosen statistic (R's
    /// `svychisq(statistic = …)`).
    pub fn chisq_with(
        &self,
        row: &str,
        col: &str,
        statistic: ChisqStatistic,
    ) -> Result<TestResult, EstimateError> {
        let df = self.data();
        let a = codes_of(df, row, "variable de fila de la tabla", self.codebook())?;
        let b = codes_of(df, col, "variable de columna de la tabla", self.codebook())?;
        let mask = self.in_subset();
        let keep: Vec<bool> = (0..self.n_rows())
            .map(|i| a.codes[i] != MISSING && b.codes[i] != MISSING && mask.is_none_or(|m| m[i]))
            .collect();
        // Only levels that occur among the rows kept form the table.
        let (ra, nr) = used_levels(&a.codes, &keep);
        let (rb, nc) = used_levels(&b.codes, &keep);
        if nr < 2 || nc < 2 {
            return Err(EstimateError::BadOption(format!(
                "la tabla de `{row}` por `{col}` necesita al menos dos categorías en cada \
                 variable, pero tiene {nr} × {nc}"
            )));
        }
        let cell: Vec<u32> = (0..self.n_rows())
            .map(|i| {
                if keep[i] {
                    ra[a.codes[i] as usize] * nc as u32 + rb[b.codes[i] as usize]
                } else {
                    MISSING
                }
            })
            .collect();
        let domains = Domains::single(self.n_rows(), Some(&keep));
        let cells = CellMap::build(&self.data.structure, &domains);
        let stat = CellCounts {
            cell: &cell,
            k: nr * nc,
        };
        let r = estimate_smooth(self, &cells, &stat);
        let k = nr * nc;
        let table = TwoWayTable {
            rows: nr,
            cols: nc,
            totals: &r.theta[..k],
            totals_vcov: &r.vcov[..k * k],
            n: r.n[0],
            df: r.df[0],
        };
        independence_test(table, statistic).map_err(|p| {
            EstimateError::BadOption(match p {
                TableProblem::TooSmall => {
                    format!("la tabla de `{row}` por `{col}` es demasiado pequeña")
                }
                TableProblem::EmptyMargin => format!(
                    "la tabla de `{row}` por `{col}` tiene una fila o columna sin peso; \
                     quite esa categoría"
                ),
                TableProblem::Singular => format!(
                    "la tabla de `{row}` por `{col}` tiene una matriz de covarianzas singular \
                     (celdas vacías o muy pocas UPM); junte categorías"
                ),
            })
        })
    }

    /// Design-based t-test of the difference of the means of `y` between the
    /// two groups of `group` (R's `svyttest(y ~ group, d)`): the second
    /// group's mean minus the first's (groups in category order), with the
    /// SE of the difference from the design (the two domains share
    /// clusters), a t reference on the design df − 1, and its interval.
    ///
    /// ```
    /// use lapaz_survey::design::{DesignSpec, SurveyDesign};
    /// use lapaz_survey::polars::prelude::*;
    ///
    /// let df = df![
    ///     "upm"     => [1, 1, 2, 2, 3, 3, 4, 4, 5, 5],
    ///     "factor"  => [10.0, 12.0, 9.0, 11.0, 10.0, 8.0, 12.0, 10.0, 9.0, 11.0],
    ///     "sexo"    => ["M", "F", "M", "F", "M", "F", "M", "F", "M", "F"],
    ///     "ingreso" => [300.0, 250.0, 280.0, 260.0, 310.0, 200.0, 330.0, 240.0, 290.0, 270.0],
    /// ]?;
    /// let d = SurveyDesign::new(df, DesignSpec::new().weights("factor").cluster("upm"))?;
    /// let t = d.ttest("ingreso", "sexo")?; // mean(M) − mean(F)
    /// assert!(t.estimate.unwrap_or(0.0) > 0.0);
    /// assert_eq!(t.df, 3.0);                // 5 PSUs − 1 stratum − 1
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn ttest(&self, y: &str, group: &str) -> Result<TestResult, EstimateError> {
        let values = numeric_values(self.data(), y, "variable de la prueba t")?;
        let g = codes_of(self.data(), group, "grupo de la prueba t", self.codebook())?;
        let mask = self.in_subset();
        let keep: Vec<bool> = (0..self.n_rows())
            .map(|i| g.codes[i] != MISSING && !values[i].is_nan() && mask.is_none_or(|m| m[i]))
            .collect();
        let (remap, levels) = used_levels(&g.codes, &keep);
        if levels != 2 {
            return Err(EstimateError::WrongType {
                variable: group.to_string(),
                statistic: "una prueba t de dos grupos".into(),
                problem: format!(
                    "debe tener exactamente dos categorías con datos, pero tiene {levels}"
                ),
            });
        }
        let second: Vec<bool> = (0..self.n_rows())
            .map(|i| keep[i] && remap[g.codes[i] as usize] == 1)
            .collect();
        let domains = Domains::single(self.n_rows(), Some(&keep));
        let cells = CellMap::build(&self.data.structure, &domains);
        let stat = MeanDifference {
            y: &values,
            second: &second,
        };
        let r = estimate_smooth(self, &cells, &stat);
        let level = self.options().level;
        Ok(t_test(
            TestKind::TwoSampleT,
            r.theta[0],
            r.vcov[0].max(0.0).sqrt(),
            r.df[0] - 1.0,
            level,
        ))
    }

    /// Design-based t-test that the mean of `y` is zero (R's
    /// `svyttest(y ~ 0, d)`), on the design df − 1; for a paired difference,
    /// test a column holding the difference.
    pub fn ttest_mean(&self, y: &str) -> Result<TestResult, EstimateError> {
        let values = numeric_values(self.data(), y, "variable de la prueba t")?;
        let mask = self.in_subset();
        let keep: Vec<bool> = (0..self.n_rows())
            .map(|i| !values[i].is_nan() && mask.is_none_or(|m| m[i]))
            .collect();
        let no_group = vec![false; self.n_rows()];
        let domains = Domains::single(self.n_rows(), Some(&keep));
        let cells = CellMap::build(&self.data.structure, &domains);
        let stat = MeanDifference {
            y: &values,
            second: &no_group,
        };
        let r = estimate_smooth(self, &cells, &stat);
        // With no second group the statistic is −mean; flip it back.
        let level = self.options().level;
        Ok(t_test(
            TestKind::OneSampleT,
            -r.theta[0],
            r.vcov[0].max(0.0).sqrt(),
            r.df[0] - 1.0,
            level,
        ))
    }
}

/// Dense codes `0..m` for the levels that occur among kept rows, in level
/// order; returns the old → new map and `m`.
fn used_levels(codes: &[u32], keep: &[bool]) -> (Vec<u32>, usize) {
    let max = codes
        .iter()
        .filter(|&&c| c != MISSING)
        .max()
        .map_or(0, |&c| c as usize + 1);
    let mut used = vec![false; max];
    for (c, k) in codes.iter().zip(keep) {
        if *k && *c != MISSING {
            used[*c as usize] = true;
        }
    }
    let mut map = vec![MISSING; max];
    let mut next = 0u32;
    for (old, u) in used.iter().enumerate() {
        if *u {
            map[old] = next;
            next += 1;
        }
    }
    (map, next as usize)
}

/// Estimated totals of each cell of a two-way table: totals
/// `[Σw, Σw·1{cell 0}, …]`, outputs the cell totals.
struct CellCounts<'a> {
    cell: &'a [u32],
    k: usize,
}

impl SmoothStatistic for CellCounts<'_> {
    fn n_totals(&self) -> usize {
        1 + self.k
    }
    fn n_outputs(&self) -> usize {
        self.k
    }
    fn accumulate(&self, row: usize, w: f64, acc: &mut [f64]) -> bool {
        let c = self.cell[row];
        if c == MISSING {
            return false;
        }
        acc[0] += w;
        acc[1 + c as usize] += w;
        true
    }
    fn evaluate(&self, t: &[f64], _n: Counts, out: &mut [f64]) {
        out.copy_from_slice(&t[1..1 + self.k]);
    }
    fn jacobian(&self, _t: &[f64], _n: Counts, jac: &mut [f64]) {
        let m = self.n_totals();
        jac.fill(0.0);
        for j in 0..self.k {
            jac[j * m + 1 + j] = 1.0;
        }
    }
    fn srs_spread(&self, _t: &[f64], _n: f64, _jac: &[f64]) -> Option<Vec<f64>> {
        None
    }
    fn has_deff(&self) -> bool {
        false
    }
    fn deff_checks_population(&self) -> bool {
        false
    }
    fn describe(&self) -> (Statistic, String, Vec<Option<Label>>) {
        (Statistic::Count, String::new(), vec![None; self.k])
    }
}

/// `ȳ₂ − ȳ₁` of two groups: totals `[Σw, Σw₁, Σw₁y, Σw₂, Σw₂y]` (with no
/// second group, `−ȳ`).
struct MeanDifference<'a> {
    y: &'a [f64],
    second: &'a [bool],
}

impl SmoothStatistic for MeanDifference<'_> {
    fn n_totals(&self) -> usize {
        5
    }
    fn n_outputs(&self) -> usize {
        1
    }
    fn accumulate(&self, row: usize, w: f64, acc: &mut [f64]) -> bool {
        let y = self.y[row];
        if y.is_nan() {
            return false;
        }
        acc[0] += w;
        let at = if self.second[row] { 3 } else { 1 };
        acc[at] += w;
        acc[at + 1] += w * y;
        true
    }
    fn evaluate(&self, t: &[f64], _n: Counts, out: &mut [f64]) {
        let second = if t[3] > 0.0 { t[4] / t[3] } else { 0.0 };
        out[0] = second - t[2] / t[1];
    }
    fn jacobian(&self, t: &[f64], _n: Counts, jac: &mut [f64]) {
        jac.fill(0.0);
        jac[1] = t[2] / (t[1] * t[1]);
        jac[2] = -1.0 / t[1];
        if t[3] > 0.0 {
            jac[3] = -t[4] / (t[3] * t[3]);
            jac[4] = 1.0 / t[3];
        }
    }
    fn srs_spread(&self, _t: &[f64], _n: f64, _jac: &[f64]) -> Option<Vec<f64>> {
        None
    }
    fn has_deff(&self) -> bool {
        false
    }
    fn deff_checks_population(&self) -> bool {
        false
    }
    fn describe(&self) -> (Statistic, String, Vec<Option<Label>>) {
        (Statistic::Contrast, String::new(), vec![None])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_test_matches_r() {
        // R: svyttest(api00 ~ comp.imp, dclus2): estimate 148.845999502192,
        // SE 37.23151478983, df 38 → t 3.99784968036943, p 0.0002842...,
        // CI 73.4747382480578, 224.217260756326.
        let r = t_test(
            TestKind::TwoSampleT,
            148.845999502192,
            37.23151478983,
            38.0,
            0.95,
        );
        assert!((r.statistic - 3.99784968036943).abs() < 1e-9);
        let (lo, hi) = r.conf_int.unwrap_or((f64::NAN, f64::NAN));
        assert!((lo - 73.4747382480578).abs() < 1e-7);
        assert!((hi - 224.217260756326).abs() < 1e-7);
        assert!(((r.p_value - 0.00028419791181844023) / r.p_value).abs() < 1e-9);
        let text = r.to_string();
        assert!(
            text.contains("valor p") && text.contains("gl = 38"),
            "{text}"
        );
    }

    #[test]
    fn srs_table_has_unit_design_effects() {
        // Under multinomial sampling (V = P), tr Δ = d and tr Δ² = d.
        let (r, c) = (2, 3);
        let n = 200.0;
        let p = [0.1, 0.2, 0.15, 0.25, 0.2, 0.1];
        let pv = DVector::from_column_slice(&p);
        let v = (DMatrix::from_diagonal(&pv) - &pv * pv.transpose()) / n;
        let (tr, tr2) = design_effect_traces(r, c, &p, &v, n).expect("traces");
        assert!(
            (tr - 2.0).abs() < 1e-12 && (tr2 - 2.0).abs() < 1e-12,
            "{tr} {tr2}"
        );
    }

    #[test]
    fn f_upper_tail_is_accurate_in_the_tail() {
        // R: pf(50, 2, 30, lower.tail = FALSE) = 2.8032932816176424e-10
        let p = f_sf(50.0, 2.0, 30.0);
        assert!(((p - 2.8032932816176424e-10) / p).abs() < 1e-9, "{p:e}");
    }

    #[test]
    fn too_small_or_empty_tables_are_refused() {
        let t = TwoWayTable {
            rows: 1,
            cols: 2,
            totals: &[1.0, 2.0],
            totals_vcov: &[0.0; 4],
            n: 3.0,
            df: 2.0,
        };
        assert_eq!(
            independence_test(t, ChisqStatistic::F),
            Err(TableProblem::TooSmall)
        );
        let t = TwoWayTable {
            rows: 2,
            cols: 2,
            totals: &[1.0, 0.0, 2.0, 0.0],
            totals_vcov: &[0.0; 16],
            n: 3.0,
            df: 2.0,
        };
        assert_eq!(
            independence_test(t, ChisqStatistic::F),
            Err(TableProblem::EmptyMargin)
        );
    }
}
