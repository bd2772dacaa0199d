//! Mean, total, ratio, proportions, counts and variance, each written once
//! as a smooth function of domain totals, and the `by` view of a design.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use polars::prelude::DataType;

use super::influence::MakeCells;
use super::onepass::{self, Centred};
use super::smooth::{Counts, DomainResults, SmoothStatistic, estimate_smooth, to_estimates};
use super::{EstimateError, EstimateTable, Statistic};
use crate::design::taylor::CellTotals;
use crate::design::{
    CellMap, DesignError, Domains, Label, MISSING, SurveyDesign, codes_of, numeric_slice,
};

/// A design split into domains by one or more variables (R's `svyby`):
/// every estimator gives one estimate per domain, all from one pass, with
/// the full design kept for each.
///
/// ```
/// use lapaz_survey::design::{DesignSpec, SurveyDesign};
/// use lapaz_survey::polars::prelude::*;
///
/// let df = df![
///     "upm"  => [1, 1, 2, 2, 3, 3, 4, 4],
///     "w"    => [10.0, 10.0, 12.0, 12.0, 8.0, 8.0, 9.0, 9.0],
///     "zona" => ["norte", "sur", "norte", "sur", "norte", "sur", "norte", "sur"],
///     "y"    => [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
/// ]?;
/// let d = SurveyDesign::new(df, DesignSpec::new().weights("w").cluster("upm"))?;
/// let by_zone = d.by(["zona"])?;
/// let means = by_zone.mean("y")?;
/// assert_eq!(means.len(), 2);
/// assert_eq!(means.estimates()[0].domain[0].value.es, "norte");
/// # Ok::<(), lapaz_survey::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct DomainDesign {
    design: SurveyDesign,
    domains: Arc<Domains>,
    /// The (unit, domain) cells, built on first use: means and totals of a
    /// design with a single variance stage never need them (see
    /// `estimate::onepass`).
    cells: Arc<OnceLock<Arc<CellMap>>>,
}

impl SurveyDesign {
    /// Splits the design into the domains formed by `columns` (one or more;
    /// all combinations that occur), within the subset if any.
    pub fn by<I, S>(&self, columns: I) -> Result<DomainDesign, DesignError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let cols: Vec<String> = columns.into_iter().map(Into::into).collect();
        let domains =
            Domains::by_columns(&self.data.frame, &cols, self.in_subset(), self.codebook())?;
        Ok(DomainDesign {
            design: self.clone(),
            domains: Arc::new(domains),
            cells: Arc::default(),
        })
    }

    /// The whole (sub)population as one domain.
    pub(crate) fn whole(&self) -> DomainDesign {
        let n = self.data.structure.n;
        let domains = Arc::new(Domains::single(n, self.in_subset()));
        DomainDesign {
            design: self.clone(),
            domains,
            cells: Arc::default(),
        }
    }

    /// Mean of a numeric variable (R `svymean`); for a categorical variable,
    /// the proportion of each level.
    pub fn mean(&self, variable: &str) -> Result<EstimateTable, EstimateError> {
        self.whole().mean(variable)
    }

    /// Total of a numeric variable (R `svytotal`); for a categorical
    /// variable, the estimated count of each level.
    pub fn total(&self, variable: &str) -> Result<EstimateTable, EstimateError> {
        self.whole().total(variable)
    }

    /// Ratio of the totals of two numeric variables (R `svyratio`).
    pub fn ratio(
        &self,
        numerator: &str,
        denominator: &str,
    ) -> Result<EstimateTable, EstimateError> {
        self.whole().ratio(numerator, denominator)
    }

    /// Proportion of each level of a categorical variable (R `svymean` of a
    /// factor), with R's normal `confint` interval.
    pub fn prop(&self, variable: &str) -> Result<EstimateTable, EstimateError> {
        self.whole().prop(variable)
    }

    /// Population variance of a numeric variable (R `svyvar`).
    pub fn var(&self, variable: &str) -> Result<EstimateTable, EstimateError> {
        self.whole().var(variable)
    }
}

impl DomainDesign {
    /// The domains (labels per `by` variable), for estimators built on the core.
    #[allow(dead_code)] // crate-internal API for the inference estimators
    pub(crate) fn domain_keys(&self) -> &[Vec<crate::design::DomainValue>] {
        &self.domains.keys
    }

    /// The domains and their (unit, domain) cells, for estimators built on
    /// the core in sibling modules (quantiles, `svyciprop`, tests).
    pub(crate) fn parts(&self) -> (&Domains, &CellMap) {
        (&self.domains, self.cells())
    }

    /// The (unit, domain) cells, built now if not yet.
    fn cells(&self) -> &CellMap {
        self.cells.get_or_init(|| {
            let build = || Arc::new(CellMap::build(&self.design.data.structure, &self.domains));
            // The whole design's cells are made once per design.
            if self.design.in_subset().is_none() && self.domains.by.is_empty() {
                Arc::clone(self.design.data.whole_cells.get_or_init(build))
            } else {
                build()
            }
        })
    }

    /// The design (with its subset, if any).
    pub fn design(&self) -> &SurveyDesign {
        &self.design
    }

    /// Number of domains (combinations with at least one row).
    pub fn n_domains(&self) -> usize {
        self.domains.len()
    }

    /// Row → domain code (`u32::MAX` for rows in no domain), for estimators
    /// built on the core (quantiles, `svyciprop`, tests).
    #[allow(dead_code)] // crate-internal API for the inference estimators
    pub(crate) fn row_domains(&self) -> &[u32] {
        &self.domains.row_domain
    }

    /// Mean of a numeric variable in every domain; proportions for a
    /// categorical one.
    pub fn mean(&self, variable: &str) -> Result<EstimateTable, EstimateError> {
        match read_variable(&self.design, variable, "la media")? {
            Var::Numeric(y) => Ok(self.run_centred(Centring::Mean, variable, &y)),
            Var::Categorical(codes, labels) => Ok(self.run(&LevelStat {
                name: variable.to_string(),
                codes,
                labels,
                count: false,
            })),
        }
    }

    /// Total of a numeric variable in every domain; level counts for a
    /// categorical one.
    pub fn total(&self, variable: &str) -> Result<EstimateTable, EstimateError> {
        match read_variable(&self.design, variable, "el total")? {
            Var::Numeric(y) => Ok(self.run_centred(Centring::Total, variable, &y)),
            Var::Categorical(codes, labels) => Ok(self.run(&LevelStat {
                name: variable.to_string(),
                codes,
                labels,
                count: true,
            })),
        }
    }

    /// Ratio of totals `numerator/denominator` in every domain.
    pub fn ratio(
        &self,
        numerator: &str,
        denominator: &str,
    ) -> Result<EstimateTable, EstimateError> {
        let y = numeric(&self.design, numerator, "una razón")?;
        let x = numeric(&self.design, denominator, "una razón")?;
        Ok(self.run(&RatioStat {
            name: format!("{numerator}/{denominator}"),
            y: &y,
            x: &x,
        }))
    }

    /// Proportion of each level of a categorical variable in every domain.
    pub fn prop(&self, variable: &str) -> Result<EstimateTable, EstimateError> {
        match read_variable(&self.design, variable, "una proporción")? {
            Var::Categorical(codes, labels) => Ok(self.run(&LevelStat {
                name: variable.to_string(),
                codes,
                labels,
                count: false,
            })),
            Var::Numeric(_) => Err(EstimateError::WrongType {
                variable: variable.to_string(),
                statistic: "una proporción".into(),
                problem:
                    "es numérica; use `mean` (la media de una variable 0/1 es una proporción) \
                          o conviértala en categórica"
                        .into(),
            }),
        }
    }

    /// Population variance of a numeric variable in every domain (R `svyvar`).
    pub fn var(&self, variable: &str) -> Result<EstimateTable, EstimateError> {
        let y = numeric(&self.design, variable, "la varianza")?;
        Ok(self.run(&VarStat(MeanStat::new(variable, &y))))
    }

    fn run<S: SmoothStatistic>(&self, stat: &S) -> EstimateTable {
        let results = estimate_smooth(&self.design, self.cells(), stat);
        self.table(stat, &results)
    }

    /// A mean or total of the numeric `y`.
    fn run_centred(&self, kind: Centring, variable: &str, y: &[f64]) -> EstimateTable {
        let mean = MeanStat::new(variable, y);
        match kind {
            Centring::Mean => self.run_kernel(kind, variable, &mean),
            Centring::Total => self.run_kernel(kind, variable, &TotalStat(mean)),
        }
    }

    /// `stat` (of kind `kind`, of `variable`) by the single-pass kernel when
    /// it applies to the design, by the general core otherwise.
    fn run_kernel<S: Centred>(&self, kind: Centring, variable: &str, stat: &S) -> EstimateTable {
        if !onepass::applies(&self.design) {
            return self.run(stat);
        }
        // The cells for covariances and contrasts, by the general core when
        // asked for.
        let view = self.clone();
        let name = variable.to_string();
        let make: MakeCells = Box::new(move || view.linearised_cells(kind, &name));
        let results = onepass::estimate_centred(&self.design, &self.domains, stat, make);
        self.table(stat, &results)
    }

    /// The linearised cells of a mean or total of `variable`, by the
    /// general core (empty if the variable could no longer be read, which
    /// cannot happen: the design's data never change).
    fn linearised_cells(&self, kind: Centring, variable: &str) -> CellTotals {
        let statistic = match kind {
            Centring::Mean => "la media",
            Centring::Total => "el total",
        };
        let Ok(y) = numeric(&self.design, variable, statistic) else {
            return CellTotals::empty(self.domains.len());
        };
        let mean = MeanStat::new(variable, &y);
        let results = match kind {
            Centring::Mean => estimate_smooth(&self.design, self.cells(), &mean),
            Centring::Total => estimate_smooth(&self.design, self.cells(), &TotalStat(mean)),
        };
        results.influence.cells().clone()
    }

    fn table<S: SmoothStatistic>(&self, stat: &S, results: &DomainResults) -> EstimateTable {
        let estimates = to_estimates(&self.design, &self.domains, stat, results);
        EstimateTable::new(
            estimates,
            self.domains.by.clone(),
            self.design.subset_description().map(str::to_string),
        )
        .labelled(self.design.codebook())
    }
}

/// Which statistic of a numeric variable the single-pass kernel runs.
#[derive(Debug, Clone, Copy)]
enum Centring {
    Mean,
    Total,
}

enum Var<'a> {
    Numeric(Cow<'a, [f64]>),
    Categorical(Vec<u32>, Vec<Label>),
}

fn read_variable<'a>(
    design: &'a SurveyDesign,
    variable: &str,
    statistic: &str,
) -> Result<Var<'a>, EstimateError> {
    let df = design.data();
    let col = crate::frame::column(df, variable).ok_or_else(|| {
        EstimateError::Design(DesignError::MissingColumn {
            column: variable.to_string(),
            role: format!("variable de análisis para {statistic}"),
            available: column_list(design),
        })
    })?;
    match col.dtype() {
        DataType::Enum(_, _) | DataType::Categorical(_, _) | DataType::String => {
            let codes = codes_of(df, variable, "variable de análisis", design.codebook())?;
            Ok(Var::Categorical(codes.codes, codes.labels))
        }
        _ => Ok(Var::Numeric(numeric_slice(
            df,
            variable,
            "variable de análisis",
        )?)),
    }
}

fn numeric<'a>(
    design: &'a SurveyDesign,
    variable: &str,
    statistic: &str,
) -> Result<Cow<'a, [f64]>, EstimateError> {
    match read_variable(design, variable, statistic)? {
        Var::Numeric(y) => Ok(y),
        Var::Categorical(..) => Err(EstimateError::WrongType {
            variable: variable.to_string(),
            statistic: statistic.to_string(),
            problem: "es categórica; use `prop` para las proporciones de sus categorías".into(),
        }),
    }
}

fn column_list(design: &SurveyDesign) -> String {
    let names: Vec<String> = design
        .data()
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let shown: Vec<&str> = names.iter().take(30).map(String::as_str).collect();
    if names.len() > 30 {
        format!("{} … (y {} más)", shown.join(", "), names.len() - 30)
    } else {
        shown.join(", ")
    }
}

/// A value near the data's centre, subtracted before summing squares so
/// that `Σw·y²` does not swamp `Σw·(y − ȳ)²` (variances are
/// shift-invariant).
fn shift_of(y: &[f64]) -> f64 {
    let mut sum = 0.0;
    let mut count = 0.0;
    for &v in y.iter().filter(|v| !v.is_nan()).take(1000) {
        sum += v;
        count += 1.0;
    }
    if count > 0.0 { sum / count } else { 0.0 }
}

/// `svymean`: cell totals `[Σw, Σw·y']` with `y' = y − shift`, and the
/// domain-only `Σw·y'²` for the design effect.
struct MeanStat<'a> {
    name: String,
    y: &'a [f64],
    shift: f64,
}

impl<'a> MeanStat<'a> {
    fn new(name: &str, y: &'a [f64]) -> Self {
        let shift = shift_of(y);
        MeanStat {
            name: name.to_string(),
            y,
            shift,
        }
    }

    #[inline]
    fn add(&self, row: usize, w: f64, acc: &mut [f64]) -> bool {
        let y = self.y[row];
        if y.is_nan() {
            return false;
        }
        acc[0] += w;
        acc[1] += w * (y - self.shift);
        true
    }

    #[inline]
    fn add_square(&self, row: usize, w: f64, acc: &mut [f64]) {
        let d = self.y[row] - self.shift;
        acc[0] += w * d * d;
    }

    /// [`add`](Self::add) and, when the value is present,
    /// [`add_square`](Self::add_square) into `[Σw, Σw·y', Σw·y'²]`, reading
    /// `y` once (the same operations, so the same bits, as the two calls).
    #[inline(always)]
    fn add_record(&self, row: usize, w: f64, record: &mut [f64]) -> bool {
        let y = self.y[row];
        if y.is_nan() {
            return false;
        }
        let d = y - self.shift;
        let wd = w * d;
        record[0] += w;
        record[1] += wd;
        record[2] += wd * d;
        true
    }

    /// `Σw (y − ȳ)²` of the domain from `[Σw, Σw·y', Σw·y'²]`.
    fn spread(t: &[f64]) -> f64 {
        t[2] - t[1] * t[1] / t[0]
    }
}

impl SmoothStatistic for MeanStat<'_> {
    const TOTALS: usize = 2;
    const DOMAIN_TOTALS: Option<usize> = Some(1);
    const OUTPUTS: usize = 1;
    fn n_totals(&self) -> usize {
        2
    }
    fn n_outputs(&self) -> usize {
        1
    }
    fn accumulate(&self, row: usize, w: f64, acc: &mut [f64]) -> bool {
        self.add(row, w, acc)
    }
    fn n_domain_totals(&self) -> usize {
        1
    }
    fn accumulate_domain(&self, row: usize, w: f64, acc: &mut [f64]) {
        self.add_square(row, w, acc);
    }
    fn accumulate_record(&self, row: usize, w: f64, record: &mut [f64]) -> bool {
        self.add_record(row, w, record)
    }
    fn evaluate(&self, t: &[f64], _n: Counts, out: &mut [f64]) {
        out[0] = self.shift + t[1] / t[0];
    }
    fn jacobian(&self, t: &[f64], _n: Counts, jac: &mut [f64]) {
        jac[0] = -(t[1] / t[0]) / t[0];
        jac[1] = 1.0 / t[0];
    }
    fn srs_spread(&self, t: &[f64], _n: f64, _jac: &[f64]) -> Option<Vec<f64>> {
        // ψ = (y − ȳ)/N̂
        Some(vec![Self::spread(t) / (t[0] * t[0])])
    }
    fn deff_checks_population(&self) -> bool {
        true
    }
    fn describe(&self) -> (Statistic, String, Vec<Option<Label>>) {
        (Statistic::Mean, self.name.clone(), vec![None])
    }
}

impl Centred for MeanStat<'_> {
    fn values(&self) -> &[f64] {
        self.y
    }
    fn centred_at(&self, c: f64) -> Self {
        MeanStat {
            name: self.name.clone(),
            y: self.y,
            shift: c,
        }
    }
}

impl Centred for TotalStat<'_> {
    fn values(&self) -> &[f64] {
        self.0.y
    }
    fn centred_at(&self, c: f64) -> Self {
        TotalStat(self.0.centred_at(c))
    }
}

/// `svytotal`: the same totals as the mean; `Σw·y = Σw·y' + shift·Σw`.
struct TotalStat<'a>(MeanStat<'a>);

impl SmoothStatistic for TotalStat<'_> {
    const TOTALS: usize = 2;
    const DOMAIN_TOTALS: Option<usize> = Some(1);
    const OUTPUTS: usize = 1;
    fn n_totals(&self) -> usize {
        2
    }
    fn n_outputs(&self) -> usize {
        1
    }
    fn accumulate(&self, row: usize, w: f64, acc: &mut [f64]) -> bool {
        self.0.add(row, w, acc)
    }
    fn n_domain_totals(&self) -> usize {
        1
    }
    fn accumulate_domain(&self, row: usize, w: f64, acc: &mut [f64]) {
        self.0.add_square(row, w, acc);
    }
    fn accumulate_record(&self, row: usize, w: f64, record: &mut [f64]) -> bool {
        self.0.add_record(row, w, record)
    }
    fn evaluate(&self, t: &[f64], _n: Counts, out: &mut [f64]) {
        out[0] = t[1] + self.0.shift * t[0];
    }
    fn jacobian(&self, _t: &[f64], _n: Counts, jac: &mut [f64]) {
        jac[0] = self.0.shift;
        jac[1] = 1.0;
    }
    fn srs_spread(&self, t: &[f64], _n: f64, _jac: &[f64]) -> Option<Vec<f64>> {
        // ψ = y
        Some(vec![MeanStat::spread(t)])
    }
    fn deff_checks_population(&self) -> bool {
        false
    }
    fn describe(&self) -> (Statistic, String, Vec<Option<Label>>) {
        (Statistic::Total, self.0.name.clone(), vec![None])
    }
}

/// `svyvar`: `n/(n − 1) · Σw(y − ȳ)²/Σw`, linearised with `ȳ` fixed as R;
/// the squares enter the estimate, so they are cell totals here.
struct VarStat<'a>(MeanStat<'a>);

impl VarStat<'_> {
    fn c(n: Counts) -> f64 {
        n.n_weighted / (n.n_weighted - 1.0)
    }
}

impl SmoothStatistic for VarStat<'_> {
    const TOTALS: usize = 3;
    const DOMAIN_TOTALS: Option<usize> = Some(0);
    const OUTPUTS: usize = 1;
    fn n_totals(&self) -> usize {
        3
    }
    fn n_outputs(&self) -> usize {
        1
    }
    fn accumulate(&self, row: usize, w: f64, acc: &mut [f64]) -> bool {
        if !self.0.add(row, w, acc) {
            return false;
        }
        self.0.add_square(row, w, &mut acc[2..]);
        true
    }
    fn evaluate(&self, t: &[f64], n: Counts, out: &mut [f64]) {
        out[0] = Self::c(n) * MeanStat::spread(t) / t[0];
    }
    fn jacobian(&self, t: &[f64], n: Counts, jac: &mut [f64]) {
        let c = Self::c(n);
        let mu = t[1] / t[0];
        let m2 = t[2] / t[0];
        jac[0] = c / t[0] * (2.0 * mu * mu - m2);
        jac[1] = -2.0 * c * mu / t[0];
        jac[2] = c / t[0];
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
        (Statistic::Variance, self.0.name.clone(), vec![None])
    }
}

/// `svyratio`: cell totals `[Σw, Σw·y, Σw·x]`; domain-only
/// `[Σw·y², Σw·x², Σw·xy]` for the design effect.
struct RatioStat<'a> {
    name: String,
    y: &'a [f64],
    x: &'a [f64],
}

impl SmoothStatistic for RatioStat<'_> {
    const TOTALS: usize = 3;
    const DOMAIN_TOTALS: Option<usize> = Some(3);
    const OUTPUTS: usize = 1;
    fn n_totals(&self) -> usize {
        3
    }
    fn n_outputs(&self) -> usize {
        1
    }
    fn accumulate(&self, row: usize, w: f64, acc: &mut [f64]) -> bool {
        let (y, x) = (self.y[row], self.x[row]);
        if y.is_nan() || x.is_nan() {
            return false;
        }
        acc[0] += w;
        acc[1] += w * y;
        acc[2] += w * x;
        true
    }
    fn n_domain_totals(&self) -> usize {
        3
    }
    fn accumulate_domain(&self, row: usize, w: f64, acc: &mut [f64]) {
        let (wy, wx) = (w * self.y[row], w * self.x[row]);
        acc[0] += wy * self.y[row];
        acc[1] += wx * self.x[row];
        acc[2] += wx * self.y[row];
    }
    fn evaluate(&self, t: &[f64], _n: Counts, out: &mut [f64]) {
        out[0] = t[1] / t[2];
    }
    fn jacobian(&self, t: &[f64], _n: Counts, jac: &mut [f64]) {
        let r = t[1] / t[2];
        jac[0] = 0.0;
        jac[1] = 1.0 / t[2];
        jac[2] = -r / t[2];
    }
    fn srs_spread(&self, t: &[f64], _n: f64, _jac: &[f64]) -> Option<Vec<f64>> {
        // ψ = (y − R x)/X̂; Σw ψ = 0 up to rounding.
        let r = t[1] / t[2];
        let mean_resid = t[1] - r * t[2];
        let ss = t[3] - 2.0 * r * t[5] + r * r * t[4] - mean_resid * mean_resid / t[0];
        Some(vec![ss / (t[2] * t[2])])
    }
    fn deff_checks_population(&self) -> bool {
        false
    }
    fn describe(&self) -> (Statistic, String, Vec<Option<Label>>) {
        (Statistic::Ratio, self.name.clone(), vec![None])
    }
}

/// Proportions (`svymean` of a factor) or counts (`svytotal` of a factor)
/// of every level: cell totals `[Σw, Σw·1{level l} (L)]`, domain-only
/// cases of each level (L).
struct LevelStat {
    name: String,
    codes: Vec<u32>,
    labels: Vec<Label>,
    count: bool,
}

impl SmoothStatistic for LevelStat {
    fn n_totals(&self) -> usize {
        1 + self.labels.len()
    }
    fn n_domain_totals(&self) -> usize {
        self.labels.len()
    }
    fn accumulate_domain(&self, row: usize, _w: f64, acc: &mut [f64]) {
        acc[self.codes[row] as usize] += 1.0;
    }
    fn n_outputs(&self) -> usize {
        self.labels.len()
    }
    fn accumulate(&self, row: usize, w: f64, acc: &mut [f64]) -> bool {
        let c = self.codes[row];
        if c == MISSING {
            return false;
        }
        let l = c as usize;
        acc[0] += w;
        acc[1 + l] += w;
        true
    }
    fn evaluate(&self, t: &[f64], _n: Counts, out: &mut [f64]) {
        for (l, o) in out.iter_mut().enumerate() {
            *o = if self.count {
                t[1 + l]
            } else {
                t[1 + l] / t[0]
            };
        }
    }
    fn jacobian(&self, t: &[f64], _n: Counts, jac: &mut [f64]) {
        let m = self.n_totals();
        jac.fill(0.0);
        for l in 0..self.labels.len() {
            let row = &mut jac[l * m..(l + 1) * m];
            if self.count {
                row[1 + l] = 1.0;
            } else {
                row[0] = -(t[1 + l] / t[0]) / t[0];
                row[1 + l] = 1.0 / t[0];
            }
        }
    }
    fn srs_spread(&self, t: &[f64], _n: f64, _jac: &[f64]) -> Option<Vec<f64>> {
        let scale = if self.count { 1.0 } else { 1.0 / (t[0] * t[0]) };
        Some(
            (0..self.labels.len())
                .map(|l| (t[1 + l] - t[1 + l] * t[1 + l] / t[0]) * scale)
                .collect(),
        )
    }
    fn deff_checks_population(&self) -> bool {
        !self.count
    }
    fn cases(&self, t: &[f64], _n: f64, out: &mut [f64]) {
        let l_n = self.labels.len();
        out.copy_from_slice(&t[1 + l_n..1 + 2 * l_n]);
    }
    fn describe(&self) -> (Statistic, String, Vec<Option<Label>>) {
        (
            if self.count {
                Statistic::Count
            } else {
                Statistic::Proportion
            },
            self.name.clone(),
            self.labels.iter().cloned().map(Some).collect(),
        )
    }
    fn is_proportion(&self) -> bool {
        !self.count
    }
}

#[cfg(test)]
#[path = "onepass_tests.rs"]
mod onepass_tests;
