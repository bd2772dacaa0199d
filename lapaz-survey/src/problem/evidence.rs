//! The evidence behind a cause or an effect (*evidencia*): an estimate, a
//! comparison of domains, a statistical test or a model coefficient.
//!
//! Evidence is open: anything implementing [`Evidence`] can back a cause,
//! so a new kind (a chart, a published figure, a qualitative finding)
//! plugs in without touching the tree.

use std::fmt;

use super::figure::{Figure, quality_es, quality_mark};
use super::format;
use super::markdown::{self, figure_table};
use crate::quality::Quality;

/// Something that supports a cause or an effect of a problem tree.
///
/// The tree asks evidence for a short summary (a few lines for the
/// diagram), a Markdown block (for the ficha) and the figures it rests on
/// (so unreliable ones get a note).
pub trait Evidence: fmt::Debug + Send + Sync {
    /// Spanish name of the kind of evidence (`"Estimación"`,
    /// `"Comparación por macrodistrito"`, `"Prueba χ² de Rao–Scott"`).
    fn kind(&self) -> String;

    /// One to three short Spanish lines for the tree diagram.
    fn summary(&self) -> Vec<String>;

    /// The evidence as Markdown for the ficha (numbers with SE and CI).
    fn to_markdown(&self) -> String;

    /// The survey figures the evidence rests on (empty for a test).
    fn figures(&self) -> Vec<Figure> {
        Vec::new()
    }

    /// The worst reliability among [`Evidence::figures`], if any was assessed.
    fn worst_reliability(&self) -> Option<Quality> {
        self.figures()
            .iter()
            .filter_map(Figure::reliability_level)
            .max()
    }
}

impl Evidence for Figure {
    fn kind(&self) -> String {
        "Estimación".to_owned()
    }

    fn summary(&self) -> Vec<String> {
        // The mark leads the first line so the diagram colours the number.
        let mark = match self.reliability_level() {
            Some(l) if l != Quality::Reliable => format!("{} ", quality_mark(l)),
            _ => String::new(),
        };
        let mut lines = vec![
            format!("{mark}{}: {}", self.full_label(), self.estimate_text()),
            format!(
                "EE\u{a0}{} · {} [{}]",
                self.se_text(),
                self.ci_label(),
                self.ci_text()
            ),
        ];
        if self.needs_note()
            && let Some(r) = &self.reliability
        {
            lines.push(format!("{}{}", mark, r.describe()));
        }
        lines
    }

    fn to_markdown(&self) -> String {
        figure_table(std::slice::from_ref(self), false)
    }

    fn figures(&self) -> Vec<Figure> {
        vec![self.clone()]
    }
}

/// ` · ⚠ poco fiable` when the figure is flagged, empty otherwise.
pub(crate) fn flag_suffix(f: &Figure) -> String {
    match f.reliability_level() {
        Some(l) if l != Quality::Reliable => {
            format!(" · {} {}", quality_mark(l), quality_es(l))
        }
        _ => String::new(),
    }
}

/// Evidence from comparing domains (*comparación por dominio*): the same
/// indicator by macrodistrict, sex, age group or income quintile, one
/// [`Figure`] per domain.
///
/// ```
/// use lapaz_survey::problem::{DomainEvidence, Figure, Statistic};
///
/// let tiempo = DomainEvidence::new("Tiempo de viaje al trabajo (min)", "sexo")
///     .row(Figure::new("Tiempo de viaje", 52.1, 1.8).domain("Mujer"))
///     .row(Figure::new("Tiempo de viaje", 44.6, 1.5).domain("Hombre"));
/// assert_eq!(tiempo.rows.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DomainEvidence {
    /// The indicator compared (`"Tiempo de viaje al trabajo (min)"`).
    pub title: String,
    /// The domain variable, in Spanish (`"macrodistrito"`, `"sexo"`).
    pub by: String,
    /// One figure per domain; each figure's `domain` names it.
    pub rows: Vec<Figure>,
}

impl DomainEvidence {
    /// An empty comparison of `title` by the domain variable `by`.
    pub fn new(title: impl Into<String>, by: impl Into<String>) -> Self {
        DomainEvidence {
            title: title.into(),
            by: by.into(),
            rows: Vec::new(),
        }
    }

    /// Adds one domain's figure.
    pub fn row(mut self, figure: Figure) -> Self {
        self.rows.push(figure);
        self
    }

    /// Adds several domains' figures.
    pub fn rows(mut self, figures: impl IntoIterator<Item = Figure>) -> Self {
        self.rows.extend(figures);
        self
    }

    /// Label of a row: its domain, else its label.
    fn row_label(f: &Figure) -> String {
        f.domain.clone().unwrap_or_else(|| f.label.clone())
    }
}

impl Evidence for DomainEvidence {
    fn kind(&self) -> String {
        format!("Comparación por {}", self.by)
    }

    fn summary(&self) -> Vec<String> {
        // Highest and lowest domain: the contrast a reader looks for.
        let mut lines = vec![self.title.clone()];
        let finite: Vec<&Figure> = self
            .rows
            .iter()
            .filter(|f| f.estimate.is_finite())
            .collect();
        let max = finite
            .iter()
            .copied()
            .max_by(|a, b| a.estimate.total_cmp(&b.estimate));
        let min = finite
            .iter()
            .copied()
            .min_by(|a, b| a.estimate.total_cmp(&b.estimate));
        match (max, min) {
            (Some(hi), Some(lo)) if finite.len() > 2 => {
                lines.push(format!(
                    "Máx. {}: {} (EE\u{a0}{}){}",
                    Self::row_label(hi),
                    hi.estimate_text(),
                    hi.se_text(),
                    flag_suffix(hi)
                ));
                lines.push(format!(
                    "Mín. {}: {} (EE\u{a0}{}){}",
                    Self::row_label(lo),
                    lo.estimate_text(),
                    lo.se_text(),
                    flag_suffix(lo)
                ));
            }
            _ => {
                for f in &finite {
                    lines.push(format!(
                        "{}: {} (EE\u{a0}{}){}",
                        Self::row_label(f),
                        f.estimate_text(),
                        f.se_text(),
                        flag_suffix(f)
                    ));
                }
            }
        }
        lines
    }

    fn to_markdown(&self) -> String {
        format!(
            "{} — por {}:\n\n{}",
            markdown::escape_inline(&self.title),
            markdown::escape_inline(&self.by),
            figure_table(&self.rows, true)
        )
    }

    fn figures(&self) -> Vec<Figure> {
        self.rows.clone()
    }
}

/// Evidence from a statistical test (*prueba*): a Rao–Scott χ² of
/// independence, a design-based t-test of two domain means, or a contrast.
///
/// ```
/// use lapaz_survey::problem::TestEvidence;
///
/// let chi2 = TestEvidence::new("χ² de Rao–Scott", "Modo de transporte × quintil de ingreso")
///     .statistic("F", 4.12)
///     .df(2.3, Some(151.4))
///     .p_value(0.014);
/// assert!(chi2.is_significant());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TestEvidence {
    /// The test's Spanish name (`"χ² de Rao–Scott"`, `"prueba t de diseño"`).
    pub test: String,
    /// What was tested (`"Modo × quintil de ingreso"`).
    pub about: String,
    /// The statistic's symbol (`"F"`, `"t"`, `"χ²"`).
    pub statistic_name: String,
    /// The statistic's value.
    pub statistic: f64,
    /// Degrees of freedom: numerator (or single) and optional denominator.
    pub df: Option<(f64, Option<f64>)>,
    /// The p-value.
    pub p_value: f64,
    /// Significance level used to read the p-value (0.05).
    pub alpha: f64,
}

impl TestEvidence {
    /// A test named `test` about `about`; set the statistic and p-value next.
    pub fn new(test: impl Into<String>, about: impl Into<String>) -> Self {
        TestEvidence {
            test: test.into(),
            about: about.into(),
            statistic_name: String::new(),
            statistic: f64::NAN,
            df: None,
            p_value: f64::NAN,
            alpha: 0.05,
        }
    }

    /// Sets the statistic: its symbol and value.
    pub fn statistic(mut self, name: impl Into<String>, value: f64) -> Self {
        self.statistic_name = name.into();
        self.statistic = value;
        self
    }

    /// Sets the degrees of freedom (denominator for F).
    pub fn df(mut self, df: f64, denominator: Option<f64>) -> Self {
        self.df = Some((df, denominator));
        self
    }

    /// Sets the p-value.
    pub fn p_value(mut self, p: f64) -> Self {
        self.p_value = p;
        self
    }

    /// Sets the significance level (default 0.05).
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }

    /// True when p < alpha.
    pub fn is_significant(&self) -> bool {
        self.p_value < self.alpha
    }

    /// `F = 4,12; gl = 2,3 y 151,4; p = 0,014`.
    fn numbers(&self) -> String {
        let mut s = format!(
            "{} = {}",
            self.statistic_name,
            format::number(self.statistic, 2)
        );
        if let Some((d1, d2)) = self.df {
            s.push_str("; gl = ");
            s.push_str(&df_text(d1));
            if let Some(d2) = d2 {
                s.push_str(" y ");
                s.push_str(&df_text(d2));
            }
        }
        s.push_str("; ");
        s.push_str(&format::p_value(self.p_value));
        s
    }

    /// The plain-language reading of the p-value.
    fn reading(&self) -> String {
        let level = format::level(self.alpha);
        if self.is_significant() {
            format!("diferencia significativa al {level}")
        } else {
            format!("sin diferencia significativa al {level}")
        }
    }
}

/// Degrees of freedom: whole numbers without decimals, others with one.
fn df_text(df: f64) -> String {
    if (df - df.round()).abs() < 1e-9 {
        format::number(df, 0)
    } else {
        format::number(df, 1)
    }
}

impl Evidence for TestEvidence {
    fn kind(&self) -> String {
        format!("Prueba: {}", self.test)
    }

    fn summary(&self) -> Vec<String> {
        vec![
            self.about.clone(),
            format!("{} → {}", self.numbers(), self.reading()),
        ]
    }

    fn to_markdown(&self) -> String {
        format!(
            "{} ({}): {} — {}.",
            markdown::escape_inline(&self.test),
            markdown::escape_inline(&self.about),
            self.numbers(),
            self.reading()
        )
    }
}

/// Evidence from a regression (*coeficiente de un modelo*): one term's
/// coefficient with its design-based SE, CI and p-value.
///
/// ```
/// use lapaz_survey::problem::CoefficientEvidence;
///
/// let coef = CoefficientEvidence::new(
///     "Regresión lineal del tiempo de viaje", "vive en Hampaturi", 18.4, 4.1)
///     .p_value(0.0001);
/// assert!(coef.ci_low < 18.4 && 18.4 < coef.ci_high);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CoefficientEvidence {
    /// The model (`"Regresión logística de informalidad"`).
    pub model: String,
    /// The term (`"años de estudio"`).
    pub term: String,
    /// The coefficient.
    pub estimate: f64,
    /// Its design-based standard error.
    pub se: f64,
    /// Lower confidence limit.
    pub ci_low: f64,
    /// Upper confidence limit.
    pub ci_high: f64,
    /// Confidence level (0.95).
    pub level: f64,
    /// The p-value, if reported.
    pub p_value: Option<f64>,
}

impl CoefficientEvidence {
    /// A coefficient with the normal 95 % interval; set the model's own
    /// interval with [`CoefficientEvidence::ci`].
    pub fn new(model: impl Into<String>, term: impl Into<String>, estimate: f64, se: f64) -> Self {
        let f = Figure::new("", estimate, se);
        CoefficientEvidence {
            model: model.into(),
            term: term.into(),
            estimate,
            se,
            ci_low: f.ci_low,
            ci_high: f.ci_high,
            level: 0.95,
            p_value: None,
        }
    }

    /// Sets the interval the model computed (t on design df, usually).
    pub fn ci(mut self, low: f64, high: f64) -> Self {
        self.ci_low = low;
        self.ci_high = high;
        self
    }

    /// Sets the p-value.
    pub fn p_value(mut self, p: f64) -> Self {
        self.p_value = Some(p);
        self
    }

    fn numbers(&self) -> String {
        let d = format::decimals_for_se(self.se);
        let mut s = format!(
            "β = {} (EE\u{a0}{}; IC\u{a0}{}: {} a {})",
            format::number(self.estimate, d),
            format::number(self.se, d),
            format::level(self.level),
            format::number(self.ci_low, d),
            format::number(self.ci_high, d)
        );
        if let Some(p) = self.p_value {
            s.push_str("; ");
            s.push_str(&format::p_value(p));
        }
        s
    }
}

impl Evidence for CoefficientEvidence {
    fn kind(&self) -> String {
        "Coeficiente de un modelo".to_owned()
    }

    fn summary(&self) -> Vec<String> {
        vec![format!("{}: {}", self.term, self.numbers())]
    }

    fn to_markdown(&self) -> String {
        format!(
            "{}, término «{}»: {}. Una asociación en una encuesta no prueba causalidad.",
            markdown::escape_inline(&self.model),
            markdown::escape_inline(&self.term),
            self.numbers()
        )
    }
}
