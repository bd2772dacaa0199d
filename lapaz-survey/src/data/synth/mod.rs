//! The generator of the synthetic EMH 2023 stand-in.
//!
//! It works like a real survey, in order:
//!
//! 1. **Frame** (`frame`): every block of the municipality with its dwelling
//!    count, zone, socioeconomic level and risk-map class.
//! 2. **Sample** (`sample`): PSUs by systematic PPS within strata
//!    (macrodistrict × socioeconomic level; rural Hampaturi and Zongo apart and
//!    oversampled), dwellings systematically from a fresh listing, unit
//!    non-response, design weights 1/(π₁·π₂) with a non-response adjustment.
//! 3. **Households and persons** (`people`), then the weights are
//!    calibrated (`calibrate::calibrate_weights`) to the census total.
//! 4. **Modules**: employment, income and poverty, housing, risks and
//!    resilience, mobility — each a model whose constants are fitted so the
//!    weighted headline figures equal the targets.
//!
//! Every figure comes from `data/targets.toml` (value, PROXY/ASSUMPTION,
//! confidence, source). The output is deterministic: same generator version,
//! same config, same seed → the same archive, byte for byte.
//!
//! ```
//! use lapaz_survey::data::synth::{SynthConfig, SyntheticSurvey};
//!
//! let config = SynthConfig::embedded()?.with_seed(2024);
//! let survey = SyntheticSurvey::generate(&config)?;
//! let h = survey.headline();
//! println!("{} hogares, {} personas", h.households, h.persons);
//! assert!((h.weight_sum - 755_732.0).abs() < 1e-6);
//! let zip: Vec<u8> = survey.to_zip_bytes()?;
//! assert_eq!(&zip[..2], b"PK");
//! # Ok::<(), lapaz_survey::data::synth::SynthError>(())
//! ```

mod calibrate;
mod config;
mod employment;
mod frame;
mod housing;
mod income;
mod mobility;
mod people;
mod random;
mod records;
mod sample;
mod tune;
mod write;

use std::borrow::Cow;
use std::collections::BTreeSet;

use config::{Geography, Targets};
use random::{Rand, stream};
use records::{Household, Person};

/// Version of the generator. Bump it whenever the code changes the data
/// produced from the same config and seed.
pub const GENERATOR_VERSION: &str = "1.0.0";

/// Errors of the generator (bad config or archive writing).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SynthError {
    /// A config file does not parse or has an impossible value.
    #[error("el archivo de configuración `{file}` no es válido: {message}")]
    Config {
        /// File name (`targets.toml`, `geografia/zonas.csv`, …).
        file: String,
        /// What is wrong, in Spanish.
        message: String,
    },
    /// Writing the zip archive failed.
    #[error("no se pudo escribir el archivo zip: {0}")]
    Archive(String),
}

/// The text inputs of the generator: the figures, the codebook and the
/// geography tables (all copied verbatim into the archive).
#[derive(Debug, Clone)]
pub struct SynthConfig {
    targets: Targets,
    targets_toml: Cow<'static, str>,
    inputs: Inputs,
    seed: u64,
}

#[derive(Debug, Clone)]
struct Inputs {
    codebook_toml: Cow<'static, str>,
    macrodistritos_csv: Cow<'static, str>,
    distritos_csv: Cow<'static, str>,
    zonas_csv: Cow<'static, str>,
    geography: Geography,
}

impl SynthConfig {
    /// The shipped config: `data/targets.toml`, `data/codebook.toml` and
    /// `data/geografia/*.csv`, as compiled into the crate.
    pub fn embedded() -> Result<Self, SynthError> {
        Self::from_sources(
            Cow::Borrowed(include_str!("../../../data/targets.toml")),
            Cow::Borrowed(Self::embedded_codebook_toml()),
            Cow::Borrowed(include_str!("../../../data/geografia/macrodistritos.csv")),
            Cow::Borrowed(include_str!("../../../data/geografia/distritos.csv")),
            Cow::Borrowed(include_str!("../../../data/geografia/zonas.csv")),
        )
    }

    /// The shipped `data/codebook.toml` (the codebook of the embedded survey).
    pub fn embedded_codebook_toml() -> &'static str {
        include_str!("../../../data/codebook.toml")
    }

    /// A config from the texts of the five input files.
    pub fn from_sources(
        targets_toml: Cow<'static, str>,
        codebook_toml: Cow<'static, str>,
        macrodistritos_csv: Cow<'static, str>,
        distritos_csv: Cow<'static, str>,
        zonas_csv: Cow<'static, str>,
    ) -> Result<Self, SynthError> {
        let targets = Targets::from_toml_str(&targets_toml)?;
        crate::codebook::Codebook::from_toml_str(&codebook_toml).map_err(|e| {
            SynthError::Config {
                file: "codebook.toml".into(),
                message: e.to_string(),
            }
        })?;
        let geography = Geography::from_csv(&zonas_csv)?;
        let seed = targets.semilla.value;
        Ok(SynthConfig {
            targets,
            targets_toml,
            inputs: Inputs {
                codebook_toml,
                macrodistritos_csv,
                distritos_csv,
                zonas_csv,
                geography,
            },
            seed,
        })
    }

    /// The seed in use (`semilla` of `targets.toml` unless overridden).
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The same config with another seed (recorded in the archive's copy of
    /// `targets.toml`).
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// `targets.toml` as written into the archive (with the seed in use).
    fn targets_text(&self) -> String {
        if self.seed == self.targets.semilla.value {
            return self.targets_toml.to_string();
        }
        let old = format!("semilla = {{ value = {}", self.targets.semilla.value);
        let new = format!("semilla = {{ value = {}", self.seed);
        self.targets_toml.replacen(&old, &new, 1)
    }
}

/// Headline weighted figures of a generated survey.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    /// Households (rows of `vivienda`).
    pub households: usize,
    /// Persons (rows of `persona`).
    pub persons: usize,
    /// Sampled PSUs.
    pub psus: usize,
    /// Strata with at least one sampled PSU.
    pub strata: usize,
    /// Sum of `factor` over persons (the population).
    pub weight_sum: f64,
    /// Sum of `factor` over households (the number of households).
    pub household_weight_sum: f64,
    /// Unemployed / (employed + unemployed).
    pub unemployment: f64,
    /// Share of the employed not contributing to a pension fund.
    pub informality: f64,
    /// Share of usual trips by public transport (minibús, micro, trufi,
    /// PumaKatari/La Paz Bus, Mi Teleférico).
    pub public_transport: f64,
    /// Share of usual trips on foot.
    pub walking: f64,
    /// Person-weighted income poverty headcount.
    pub poverty: f64,
    /// Poverty by macrodistrict (codes 1–9).
    pub poverty_by_macro: [f64; 9],
    /// Mean usual-trip duration by macrodistrict of residence (minutes).
    pub trip_minutes_by_macro: [f64; 9],
    /// Share of households in risk-map class 3 (moderate) or above.
    pub moderate_risk: f64,
    /// Share of households with an adverse event in the last 12 months.
    pub event_rate: f64,
    /// Level scale applied to variable incomes to reach the poverty target.
    pub income_scale: f64,
}

/// A generated synthetic survey: the two tables plus everything needed to
/// write the archive.
#[derive(Debug, Clone)]
pub struct SyntheticSurvey {
    seed: u64,
    inputs: Inputs,
    targets_toml: String,
    vivienda_csv: String,
    persona_csv: String,
    headline: Headline,
    frame_blocks: usize,
    frame_dwellings: u64,
    selected_dwellings: usize,
}

impl SyntheticSurvey {
    /// Generates the survey from `config` (deterministic).
    pub fn generate(config: &SynthConfig) -> Result<Self, SynthError> {
        let t = &config.targets;
        let seed = config.seed;
        let frame = frame::build_frame(
            t,
            &config.inputs.geography,
            &mut Rand::new(seed, stream::FRAME),
        );
        let sample = sample::draw_sample(t, &frame, &mut Rand::new(seed, stream::SAMPLE));
        let (mut households, mut persons) =
            people::build_households(t, &frame, &sample, &mut Rand::new(seed, stream::HOUSEHOLDS));
        calibrate::calibrate_weights(
            &mut households,
            &frame,
            &t.poblacion.personas_macrodistrito.value,
        );
        let rural: Vec<bool> = households
            .iter()
            .map(|h| frame[h.block].area == 2)
            .collect();
        let rural_of = |i: usize| rural.get(i).copied().unwrap_or(false);
        employment::generate(
            t,
            &households,
            &mut persons,
            &rural_of,
            &mut Rand::new(seed, stream::EMPLOYMENT),
        );
        let income_scale = income::generate(
            t,
            &mut households,
            &mut persons,
            &rural_of,
            &mut Rand::new(seed, stream::INCOME),
        );
        housing::generate_housing(
            t,
            &frame,
            &mut households,
            &persons,
            &mut Rand::new(seed, stream::HOUSING),
        );
        housing::generate_risk(
            t,
            &frame,
            &mut households,
            &mut Rand::new(seed, stream::RISK),
        );
        mobility::generate(
            t,
            &frame,
            &households,
            &mut persons,
            &mut Rand::new(seed, stream::MOBILITY),
        );

        let headline = headline(&frame, &households, &persons, sample.psus, income_scale);
        Ok(SyntheticSurvey {
            seed,
            inputs: config.inputs.clone(),
            targets_toml: config.targets_text(),
            vivienda_csv: write::vivienda_csv(&frame, &households),
            persona_csv: write::persona_csv(&frame, &households, &persons),
            headline,
            frame_blocks: frame.len(),
            frame_dwellings: frame.iter().map(|b| u64::from(b.dwellings)).sum(),
            selected_dwellings: sample.selected,
        })
    }

    /// The headline weighted figures.
    pub fn headline(&self) -> &Headline {
        &self.headline
    }

    /// The seed the survey was generated with.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The household table as CSV text.
    pub fn vivienda_csv(&self) -> &str {
        &self.vivienda_csv
    }

    /// The person table as CSV text.
    pub fn persona_csv(&self) -> &str {
        &self.persona_csv
    }

    /// The archive's README (`LEEME.md`).
    pub fn leeme(&self) -> String {
        write::leeme(self)
    }

    /// The survey as a zip archive: `LEEME.md`, `codebook.toml`,
    /// `vivienda.csv`, `persona.csv`, `geografia/*.csv`, `targets.toml`, in
    /// that order, deflated, with fixed timestamps — byte-for-byte
    /// reproducible.
    pub fn to_zip_bytes(&self) -> Result<Vec<u8>, SynthError> {
        write::zip_bytes(&write::archive_entries(self))
    }
}

/// Generates the survey from the shipped config and seed.
pub fn generate_default() -> Result<SyntheticSurvey, SynthError> {
    SyntheticSurvey::generate(&SynthConfig::embedded()?)
}

fn ratio(num: f64, den: f64) -> f64 {
    if den > 0.0 { num / den } else { f64::NAN }
}

fn headline(
    frame: &[frame::Block],
    households: &[Household],
    persons: &[Person],
    psus: usize,
    income_scale: f64,
) -> Headline {
    let w = |p: &Person| households[p.hh].factor;
    let sum = |f: &dyn Fn(&Person) -> bool| persons.iter().filter(|p| f(p)).map(w).sum::<f64>();
    let unemployed = sum(&|p| p.condact == Some(2));
    let active = sum(&|p| matches!(p.condact, Some(1 | 2)));
    let informal = sum(&|p| p.informal == Some(1));
    let informal_known = sum(&|p| p.informal.is_some());
    let known_mode = sum(&|p| matches!(p.modo, Some(m) if m != 99));
    let pt = sum(&|p| matches!(p.modo, Some(1 | 2 | 3 | 5 | 6)));
    let walk = sum(&|p| p.modo == Some(9));
    let hw = |h: &Household| h.factor;
    let pw = |h: &Household| h.factor * h.size as f64;
    let total_p: f64 = households.iter().map(pw).sum();
    let total_h: f64 = households.iter().map(hw).sum();
    let poor: f64 = households.iter().filter(|h| h.p0 == 1).map(pw).sum();
    let mut pov_num = [0.0; 9];
    let mut pov_den = [0.0; 9];
    for h in households {
        let m = usize::from(frame[h.block].macro_ - 1);
        pov_den[m] += pw(h);
        if h.p0 == 1 {
            pov_num[m] += pw(h);
        }
    }
    let mut t_num = [0.0; 9];
    let mut t_den = [0.0; 9];
    for p in persons {
        if let Some(minutes) = p.tiempo.filter(|&m| m != 999) {
            let m = usize::from(frame[households[p.hh].block].macro_ - 1);
            t_num[m] += w(p) * minutes as f64;
            t_den[m] += w(p);
        }
    }
    let moderate: f64 = households
        .iter()
        .filter(|h| h.riesgo_mapa >= 3)
        .map(hw)
        .sum();
    let event_known: f64 = households
        .iter()
        .filter(|h| h.evento_12m != Some(9))
        .map(hw)
        .sum();
    let event: f64 = households
        .iter()
        .filter(|h| matches!(h.evento_12m, Some(2..=7)))
        .map(hw)
        .sum();
    let strata: BTreeSet<u8> = households.iter().map(|h| frame[h.block].stratum).collect();
    Headline {
        households: households.len(),
        persons: persons.len(),
        psus,
        strata: strata.len(),
        weight_sum: persons.iter().map(w).sum(),
        household_weight_sum: total_h,
        unemployment: ratio(unemployed, active),
        informality: ratio(informal, informal_known),
        public_transport: ratio(pt, known_mode),
        walking: ratio(walk, known_mode),
        poverty: ratio(poor, total_p),
        poverty_by_macro: std::array::from_fn(|i| ratio(pov_num[i], pov_den[i])),
        trip_minutes_by_macro: std::array::from_fn(|i| ratio(t_num[i], t_den[i])),
        moderate_risk: ratio(moderate, total_h),
        event_rate: ratio(event, event_known),
        income_scale,
    }
}
