//! [`ProblemTree`] (*árbol de problemas*) and its builder.

use std::sync::Arc;

use super::convert::IntoEvidence;
use super::error::ProblemError;
use super::evidence::{DomainEvidence, Evidence};
use super::figure::Figure;
use super::format;
use crate::design::{SurveyDesign, VarianceMethod};
use crate::estimate::Statistic;

/// Most causes or effects a tree may have: the diagram stays readable and a
/// team is pushed to group similar ones.
pub const MAX_BRANCHES: usize = 6;

/// A cause of the central problem (*causa*) with the evidence behind it.
///
/// A cause without evidence is allowed while a team works, and is shown
/// as a hypothesis (*hipótesis, sin evidencia*).
///
/// ```
/// use lapaz_survey::problem::{Cause, Figure, Statistic};
///
/// let causa = Cause::new("Dependencia del minibús, lento y saturado")
///     .evidence(Figure::new("Viajes en minibús", 0.54, 0.02)
///         .statistic(Statistic::Proportion));
/// assert_eq!(causa.evidence.len(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct Cause {
    /// The cause, as a sentence (`"Dependencia del minibús"`).
    pub statement: String,
    /// The evidence supporting it.
    pub evidence: Vec<Arc<dyn Evidence>>,
}

impl Cause {
    /// A cause with no evidence yet.
    pub fn new(statement: impl Into<String>) -> Self {
        Cause {
            statement: statement.into(),
            evidence: Vec::new(),
        }
    }

    /// Adds a piece of evidence: an estimate or estimate table of the
    /// survey (`&estimate`, `&tabla`), a test result, a model coefficient,
    /// or anything implementing [`Evidence`].
    pub fn evidence(mut self, evidence: impl IntoEvidence) -> Self {
        self.evidence.push(evidence.into_evidence());
        self
    }
}

impl From<&str> for Cause {
    fn from(statement: &str) -> Self {
        Cause::new(statement)
    }
}

impl From<String> for Cause {
    fn from(statement: String) -> Self {
        Cause::new(statement)
    }
}

/// An effect of the central problem (*efecto*), optionally with evidence.
#[derive(Debug, Clone)]
pub struct Effect {
    /// The effect, as a sentence (`"Menos tiempo para estudiar"`).
    pub statement: String,
    /// The evidence supporting it, if any.
    pub evidence: Vec<Arc<dyn Evidence>>,
}

impl Effect {
    /// An effect with no evidence.
    pub fn new(statement: impl Into<String>) -> Self {
        Effect {
            statement: statement.into(),
            evidence: Vec::new(),
        }
    }

    /// Adds a piece of evidence (as [`Cause::evidence`]).
    pub fn evidence(mut self, evidence: impl IntoEvidence) -> Self {
        self.evidence.push(evidence.into_evidence());
        self
    }
}

impl From<&str> for Effect {
    fn from(statement: &str) -> Self {
        Effect::new(statement)
    }
}

impl From<String> for Effect {
    fn from(statement: String) -> Self {
        Effect::new(statement)
    }
}

/// A group of people or households quantified with the survey
/// (*población afectada*, *beneficiarios*): a description and an estimated
/// total with SE and CI, optionally broken down by domain (macrodistrict,
/// sex, age group, income quintile).
///
/// ```
/// use lapaz_survey::problem::{DomainEvidence, Figure, Population};
///
/// let afectados = Population::new(
///     "Personas ocupadas que tardan más de 60 minutos en llegar al trabajo",
///     Figure::total("Personas ocupadas con viajes > 60 min", 84_300.0, 5_120.0)
///         .unit("personas"),
/// )
/// .by(DomainEvidence::new("Personas afectadas", "sexo")
///     .row(Figure::total("Personas afectadas", 46_100.0, 3_300.0).domain("Mujer"))
///     .row(Figure::total("Personas afectadas", 38_200.0, 3_050.0).domain("Hombre")));
/// assert_eq!(afectados.breakdowns.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    /// Who they are, in Spanish.
    pub description: String,
    /// The estimated total (a [`Statistic::Total`], or the
    /// [`Statistic::Count`] of a category).
    pub total: Figure,
    /// The same total by domain, one table per domain variable.
    pub breakdowns: Vec<DomainEvidence>,
}

impl Population {
    /// A population described by `description` and quantified by `total`.
    pub fn new(description: impl Into<String>, total: impl Into<Figure>) -> Self {
        Population {
            description: description.into(),
            total: total.into(),
            breakdowns: Vec::new(),
        }
    }

    /// Adds a breakdown by one domain variable (a [`DomainEvidence`] or an
    /// estimate table of totals by domain, `&tabla`).
    pub fn by(mut self, breakdown: impl Into<DomainEvidence>) -> Self {
        self.breakdowns.push(breakdown.into());
        self
    }

    /// Every figure: the total and the breakdowns' rows.
    pub fn figures(&self) -> Vec<Figure> {
        let mut all = vec![self.total.clone()];
        for b in &self.breakdowns {
            all.extend(b.rows.iter().cloned());
        }
        all
    }
}

/// Where the numbers come from (*fuente de datos*).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSource {
    /// The survey's name (`"Encuesta Municipal de Hogares 2023 (EMH 2023), GAMLP"`).
    pub name: String,
    /// True for the synthetic stand-in: every export then says
    /// *datos sintéticos*.
    pub synthetic: bool,
    /// Extra detail (module, reference period, version of the data).
    pub detail: Option<String>,
}

impl DataSource {
    /// A real data source.
    pub fn new(name: impl Into<String>) -> Self {
        DataSource {
            name: name.into(),
            synthetic: false,
            detail: None,
        }
    }

    /// A synthetic data source (labelled *datos sintéticos* everywhere).
    pub fn synthetic(name: impl Into<String>) -> Self {
        DataSource {
            synthetic: true,
            ..DataSource::new(name)
        }
    }

    /// The synthetic stand-in of the EMH 2023 embedded in this crate.
    pub fn emh_synthetic() -> Self {
        DataSource::synthetic("Encuesta Municipal de Hogares 2023 (EMH 2023), GAMLP — réplica")
            .detail(
                "Réplica sintética generada con semilla fija por lapaz-survey; imita la \
                 estructura de la encuesta, pero sus cifras no son oficiales.",
            )
    }

    /// Adds a detail line.
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// The one-line source: name, plus `(datos sintéticos)` when synthetic.
    pub fn line(&self) -> String {
        if self.synthetic {
            format!("{} (datos sintéticos)", self.name)
        } else {
            self.name.clone()
        }
    }
}

/// A problem tree (*árbol de problemas*): the central problem
/// (*problema central*), its causes (*causas*) with evidence, its effects
/// (*efectos*), the affected population (*población afectada*) and the
/// beneficiaries (*beneficiarios directos e indirectos*) quantified with the
/// survey, and the baseline indicators (*indicadores de línea base*) with
/// their reliability flags.
///
/// Build it with [`ProblemTree::builder`]; show it in a notebook (it
/// displays as a diagram under the `notebook` feature), draw it with
/// [`ProblemTree::to_svg`], and hand in its [`ProblemTree::ficha`].
///
/// ```
/// use lapaz_survey::problem::*;
///
/// let arbol = ProblemTree::builder()
///     .sector("Movilidad urbana")
///     .team("Equipo Illimani")
///     .problem("Largos tiempos de viaje al trabajo en transporte público")
///     .cause(Cause::new("Dependencia del minibús").evidence(
///         Figure::new("Viajes al trabajo en minibús", 0.54, 0.021)
///             .statistic(Statistic::Proportion)))
///     .cause("Pocas rutas directas entre laderas y centro")
///     .effect("Menos horas de descanso y de estudio")
///     .affected(Population::new(
///         "Personas ocupadas que tardan más de 60 min en llegar al trabajo",
///         Figure::total("Ocupados con viaje > 60 min", 84_300.0, 5_120.0).unit("personas")))
///     .source(DataSource::emh_synthetic())
///     .date("2024-05-10")
///     .build()?;
///
/// assert_eq!(arbol.causes().len(), 2);
/// let ficha = arbol.ficha().to_markdown();
/// assert!(ficha.contains("84.300 personas"));
/// assert!(ficha.contains("datos sintéticos"));
/// # Ok::<(), lapaz_survey::problem::ProblemError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ProblemTree {
    pub(crate) title: Option<String>,
    pub(crate) sector: Option<String>,
    pub(crate) team: Option<String>,
    pub(crate) members: Vec<String>,
    pub(crate) problem: String,
    pub(crate) causes: Vec<Cause>,
    pub(crate) effects: Vec<Effect>,
    pub(crate) affected: Population,
    pub(crate) direct: Vec<Population>,
    pub(crate) indirect: Vec<Population>,
    pub(crate) baseline: Vec<Figure>,
    pub(crate) source: Option<DataSource>,
    pub(crate) method: VarianceMethod,
    pub(crate) design_note: Option<String>,
    pub(crate) reliability_rule: Option<String>,
    pub(crate) date: String,
    pub(crate) notes: Vec<String>,
}

impl ProblemTree {
    /// Starts a tree; state the problem and the affected population, then
    /// call [`ProblemTreeBuilder::build`].
    pub fn builder() -> ProblemTreeBuilder {
        ProblemTreeBuilder::default()
    }

    /// The title: the one given, else the problem statement.
    pub fn title(&self) -> String {
        self.title.clone().unwrap_or_else(|| self.problem.clone())
    }

    /// The sector (`"Movilidad urbana"`), if given.
    pub fn sector(&self) -> Option<&str> {
        self.sector.as_deref()
    }

    /// The team's name, if given.
    pub fn team(&self) -> Option<&str> {
        self.team.as_deref()
    }

    /// The central problem.
    pub fn problem(&self) -> &str {
        &self.problem
    }

    /// The causes, in the order given.
    pub fn causes(&self) -> &[Cause] {
        &self.causes
    }

    /// The effects, in the order given.
    pub fn effects(&self) -> &[Effect] {
        &self.effects
    }

    /// The affected population.
    pub fn affected(&self) -> &Population {
        &self.affected
    }

    /// Direct beneficiaries.
    pub fn direct_beneficiaries(&self) -> &[Population] {
        &self.direct
    }

    /// Indirect beneficiaries.
    pub fn indirect_beneficiaries(&self) -> &[Population] {
        &self.indirect
    }

    /// Baseline indicators.
    pub fn baseline(&self) -> &[Figure] {
        &self.baseline
    }

    /// The data source, if given.
    pub fn source(&self) -> Option<&DataSource> {
        self.source.as_ref()
    }

    /// The date (`AAAA-MM-DD`).
    pub fn date(&self) -> &str {
        &self.date
    }

    /// Every survey figure in the tree, with where it is used, in reading
    /// order: baseline, affected, beneficiaries, causes, effects.
    pub fn all_figures(&self) -> Vec<(String, Figure)> {
        let mut out = Vec::new();
        for f in &self.baseline {
            out.push(("línea base".to_owned(), f.clone()));
        }
        for f in self.affected.figures() {
            out.push(("población afectada".to_owned(), f));
        }
        for p in &self.direct {
            for f in p.figures() {
                out.push(("beneficiarios directos".to_owned(), f));
            }
        }
        for p in &self.indirect {
            for f in p.figures() {
                out.push(("beneficiarios indirectos".to_owned(), f));
            }
        }
        for (i, c) in self.causes.iter().enumerate() {
            for e in &c.evidence {
                for f in e.figures() {
                    out.push((format!("causa {}", i + 1), f));
                }
            }
        }
        for (i, c) in self.effects.iter().enumerate() {
            for e in &c.evidence {
                for f in e.figures() {
                    out.push((format!("efecto {}", i + 1), f));
                }
            }
        }
        out
    }
}

/// Builds a [`ProblemTree`] one call at a time, as in a notebook cell.
/// Nothing is checked until [`ProblemTreeBuilder::build`].
#[derive(Debug, Clone, Default)]
pub struct ProblemTreeBuilder {
    title: Option<String>,
    sector: Option<String>,
    team: Option<String>,
    members: Vec<String>,
    problem: Option<String>,
    causes: Vec<Cause>,
    effects: Vec<Effect>,
    affected: Option<Population>,
    direct: Vec<Population>,
    indirect: Vec<Population>,
    baseline: Vec<Figure>,
    source: Option<DataSource>,
    method: VarianceMethod,
    design_note: Option<String>,
    reliability_rule: Option<String>,
    codebook: Option<crate::codebook::Codebook>,
    date: Option<String>,
    notes: Vec<String>,
}

impl ProblemTreeBuilder {
    /// Title of the ficha (*título*); defaults to the problem statement.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Sector (*sector*): `"Movilidad urbana"`, `"Resiliencia"`, `"Riesgos"`, `"Empleo"`.
    pub fn sector(mut self, sector: impl Into<String>) -> Self {
        self.sector = Some(sector.into());
        self
    }

    /// Team name (*equipo*).
    pub fn team(mut self, team: impl Into<String>) -> Self {
        self.team = Some(team.into());
        self
    }

    /// Team members (*integrantes*).
    pub fn members<S: Into<String>>(mut self, members: impl IntoIterator<Item = S>) -> Self {
        self.members.extend(members.into_iter().map(Into::into));
        self
    }

    /// The central problem (*problema central*), as one sentence
    /// describing a negative situation.
    pub fn problem(mut self, statement: impl Into<String>) -> Self {
        self.problem = Some(statement.into());
        self
    }

    /// Adds a cause (a [`Cause`] with evidence, or just its text).
    pub fn cause(mut self, cause: impl Into<Cause>) -> Self {
        self.causes.push(cause.into());
        self
    }

    /// Adds an effect (an [`Effect`], or just its text).
    pub fn effect(mut self, effect: impl Into<Effect>) -> Self {
        self.effects.push(effect.into());
        self
    }

    /// The affected population (*población afectada*), quantified by an
    /// estimated total.
    pub fn affected(mut self, population: Population) -> Self {
        self.affected = Some(population);
        self
    }

    /// Adds a group of direct beneficiaries (*beneficiarios directos*).
    pub fn direct_beneficiaries(mut self, population: Population) -> Self {
        self.direct.push(population);
        self
    }

    /// Adds a group of indirect beneficiaries (*beneficiarios indirectos*).
    pub fn indirect_beneficiaries(mut self, population: Population) -> Self {
        self.indirect.push(population);
        self
    }

    /// Adds a baseline indicator (*indicador de línea base*).
    pub fn baseline(mut self, indicator: impl Into<Figure>) -> Self {
        self.baseline.push(indicator.into());
        self
    }

    /// Adds several baseline indicators.
    pub fn baselines<F: Into<Figure>>(mut self, indicators: impl IntoIterator<Item = F>) -> Self {
        self.baseline.extend(indicators.into_iter().map(Into::into));
        self
    }

    /// The data source (*fuente*).
    pub fn source(mut self, source: DataSource) -> Self {
        self.source = Some(source);
        self
    }

    /// How the standard errors were computed (default: Taylor
    /// linearization). [`ProblemTreeBuilder::design`] sets it from a design.
    pub fn method(mut self, method: VarianceMethod) -> Self {
        self.method = method;
        self
    }

    /// A line on the sample design for the method notes
    /// (`"estratos: macrodistrito × área; UPM: manzanas"`).
    pub fn design_note(mut self, note: impl Into<String>) -> Self {
        self.design_note = Some(note.into());
        self
    }

    /// Takes the method notes from the design the figures were estimated
    /// with: its variance method, its size (strata, PSUs, rows) and its
    /// reliability rule. With a codebook, figures of the baseline and the
    /// populations still labelled by a column name (`tiempo_viaje`) get the
    /// variable's Spanish label instead.
    pub fn design(mut self, design: &SurveyDesign) -> Self {
        self.codebook = design.codebook().cloned();
        self.method = design.variance_method();
        self.design_note = Some(format!(
            "{} estratos, {} unidades primarias de muestreo (UPM), {} registros",
            format::number(design.n_strata() as f64, 0),
            format::number(design.n_psu() as f64, 0),
            format::number(design.n_rows() as f64, 0)
        ));
        let rule = design.options().reliability;
        if rule != crate::quality::ReliabilityRule::None {
            self.reliability_rule = Some(rule.name().to_owned());
        }
        self
    }

    /// Takes the data source from the loaded survey (marked *datos
    /// sintéticos* for the embedded stand-in).
    pub fn survey(mut self, survey: &crate::load::Survey) -> Self {
        self.source = Some(DataSource::from(survey));
        self
    }

    /// The date printed on the ficha (default: today, `AAAA-MM-DD`).
    pub fn date(mut self, date: impl Into<String>) -> Self {
        self.date = Some(date.into());
        self
    }

    /// Adds a free-text note to the ficha (*nota*).
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Checks the tree and builds it.
    ///
    /// # Errors
    /// A [`ProblemError`] in Spanish when the central problem or the
    /// quantified affected population is missing, when a population is not
    /// a total, when a figure has no usable SE or CI, when a text is empty,
    /// or when there are more than six causes or effects.
    pub fn build(mut self) -> Result<ProblemTree, ProblemError> {
        if let Some(codebook) = self.codebook.take() {
            let relabel = |f: &mut Figure| relabel(f, &codebook);
            self.baseline.iter_mut().for_each(relabel);
            for p in self
                .affected
                .iter_mut()
                .chain(self.direct.iter_mut())
                .chain(self.indirect.iter_mut())
            {
                relabel(&mut p.total);
                for b in &mut p.breakdowns {
                    b.rows.iter_mut().for_each(relabel);
                }
            }
        }
        let problem = self
            .problem
            .filter(|p| !p.trim().is_empty())
            .ok_or(ProblemError::MissingProblem)?;
        let affected = self.affected.ok_or(ProblemError::MissingAffected)?;

        check_population(&affected, "la población afectada", "población afectada")?;
        for (i, p) in self.direct.iter().enumerate() {
            let place = format!("beneficiarios directos {}", i + 1);
            check_population(p, "los beneficiarios directos", &place)?;
        }
        for (i, p) in self.indirect.iter().enumerate() {
            let place = format!("beneficiarios indirectos {}", i + 1);
            check_population(p, "los beneficiarios indirectos", &place)?;
        }
        for (what, n) in [
            ("causas", self.causes.len()),
            ("efectos", self.effects.len()),
        ] {
            if n > MAX_BRANCHES {
                return Err(ProblemError::TooMany {
                    what: what.to_owned(),
                    found: n,
                    max: MAX_BRANCHES,
                });
            }
        }
        for (i, c) in self.causes.iter().enumerate() {
            let place = format!("causa {}", i + 1);
            if c.statement.trim().is_empty() {
                return Err(ProblemError::EmptyText {
                    what: format!("la {place}"),
                });
            }
            for e in &c.evidence {
                check_figures(&e.figures(), &place)?;
            }
        }
        for (i, c) in self.effects.iter().enumerate() {
            let place = format!("efecto {}", i + 1);
            if c.statement.trim().is_empty() {
                return Err(ProblemError::EmptyText {
                    what: format!("el {place}"),
                });
            }
            for e in &c.evidence {
                check_figures(&e.figures(), &place)?;
            }
        }
        check_figures(&self.baseline, "línea base")?;

        Ok(ProblemTree {
            title: self.title,
            sector: self.sector,
            team: self.team,
            members: self.members,
            problem,
            causes: self.causes,
            effects: self.effects,
            affected,
            direct: self.direct,
            indirect: self.indirect,
            baseline: self.baseline,
            source: self.source,
            method: self.method,
            design_note: self.design_note,
            reliability_rule: self.reliability_rule,
            date: self.date.unwrap_or_else(format::today_iso),
            notes: self.notes,
        })
    }
}

/// Replaces a column name (`tiempo` or `modo: Minibús`) by the codebook's
/// Spanish label of the variable.
fn relabel(f: &mut Figure, codebook: &crate::codebook::Codebook) {
    let (name, level) = match f.label.split_once(": ") {
        Some((name, level)) => (name, Some(level)),
        None => (f.label.as_str(), None),
    };
    if let Some(v) = codebook.variable(name) {
        f.label = match level {
            Some(level) => format!("{}: {level}", v.label_es),
            None => v.label_es.clone(),
        };
    }
}

/// A population needs a description, a total, and valid numbers.
fn check_population(p: &Population, role: &str, place: &str) -> Result<(), ProblemError> {
    if p.description.trim().is_empty() {
        return Err(ProblemError::EmptyText {
            what: format!("la descripción de {role}"),
        });
    }
    if !matches!(p.total.statistic, Statistic::Total | Statistic::Count) {
        let found = match p.total.statistic {
            Statistic::Proportion => "una proporción",
            Statistic::Mean => "una media",
            Statistic::Ratio => "una razón",
            Statistic::Quantile(_) => "un cuantil",
            Statistic::Variance => "una varianza",
            Statistic::Contrast => "un contraste",
            _ => "otra estadística",
        };
        return Err(ProblemError::NotATotal {
            role: role.to_owned(),
            label: p.total.label.clone(),
            found: found.to_owned(),
        });
    }
    check_figures(&p.figures(), place)
}

/// Every figure must have a finite estimate, SE and CI.
fn check_figures(figures: &[Figure], place: &str) -> Result<(), ProblemError> {
    for f in figures {
        if let Some(reason) = f.problem_with_numbers() {
            return Err(ProblemError::InvalidFigure {
                place: place.to_owned(),
                label: f.full_label(),
                reason,
            });
        }
    }
    Ok(())
}
