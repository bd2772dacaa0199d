//! The ready-made row structs [`Hogar`] (households) and [`Persona`]
//! (persons) of the embedded survey's schema, and the [`Survey`] methods that
//! return them.
//!
//! Their fields follow the codebook (a test keeps them in sync). Identifiers
//! and weights are plain values, since loading guarantees them; every other
//! field is an `Option`. Categorical variables are given as their codes,
//! which is what row-wise code compares and matches on; their labels are in
//! the codebook. For labels, or a subset of columns, define your own struct
//! and use [`Survey::rows`].

use serde::{Deserialize, Serialize};

use crate::codebook::Table;

use super::error::LoadError;
use super::survey::Survey;

impl Survey {
    /// Every household as a [`Hogar`].
    pub fn hogares(&self) -> Result<Vec<Hogar>, LoadError> {
        self.rows(Table::Vivienda)
    }

    /// Every person as a [`Persona`].
    pub fn personas(&self) -> Result<Vec<Persona>, LoadError> {
        self.rows(Table::Persona)
    }
}

/// One household: a row of the `vivienda` table.
///
/// Field names and order follow the codebook. Categorical variables are
/// their **codes** (`Option<i64>`; labels via
/// [`Codebook::variable`](crate::codebook::Codebook::variable) and
/// `value_label`), nulls are `None` (including missing-value codes).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Hogar {
    /// Household identifier.
    pub folio: String,
    /// Primary sampling unit (block).
    pub upm: Option<String>,
    /// Design stratum (macrodistrict × socioeconomic level) — code.
    pub estrato: Option<i64>,
    /// Expansion factor (calibrated weight) (personas).
    pub factor: f64,
    /// Design weight adjusted for non-response (before calibration) (personas).
    pub factor_diseno: Option<f64>,
    /// Macrodistrict — code.
    pub macrodistrito: Option<i64>,
    /// Municipal district — code.
    pub distrito: Option<i64>,
    /// Zone (neighbourhood) — code.
    pub zona: Option<i64>,
    /// Area — code.
    pub area: Option<i64>,
    /// Socioeconomic level of the block (sampling frame) — code.
    pub nse: Option<i64>,
    /// Household size (personas).
    pub totper: Option<i64>,
    /// Dwelling tenure — code.
    pub tenencia: Option<i64>,
    /// Main wall material — code.
    pub pared: Option<i64>,
    /// Number of rooms (excluding bathroom and kitchen) (cuartos).
    pub cuartos: Option<i64>,
    /// Number of bedrooms (cuartos).
    pub dormitorios: Option<i64>,
    /// Source of drinking and cooking water — code.
    pub agua: Option<i64>,
    /// Toilet drainage — code.
    pub saneamiento: Option<i64>,
    /// Has grid electricity — code.
    pub electricidad: Option<i64>,
    /// Has an internet connection at home — code.
    pub internet: Option<i64>,
    /// Total household income (Bs/mes).
    pub yhog: Option<f64>,
    /// Household income per capita (Bs/mes).
    pub yhogpc: Option<f64>,
    /// Poverty line (Bs/mes por persona).
    pub z: Option<f64>,
    /// Income poverty (headcount).
    pub p0: Option<i64>,
    /// Per-capita income quintile — code.
    pub quintil: Option<i64>,
    /// Municipal risk-map class of the block — code.
    pub riesgo_mapa: Option<i64>,
    /// Perceived disaster risk where the household lives — code.
    pub riesgo_percibido: Option<i64>,
    /// Adverse event suffered by the dwelling in the last 12 months (the main one) — code.
    pub evento_12m: Option<i64>,
    /// Damage to the dwelling in the event — code.
    pub danio_vivienda: Option<i64>,
    /// The household had to evacuate the dwelling — code.
    pub evacuado: Option<i64>,
    /// The household has emergency savings — code.
    pub ahorro_emergencia: Option<i64>,
    /// The dwelling is insured against disasters — code.
    pub seguro_vivienda: Option<i64>,
    /// Knows the municipal early-warning system — code.
    pub conoce_alerta_temprana: Option<i64>,
    /// Has a family emergency plan — code.
    pub plan_familiar_emergencia: Option<i64>,
    /// A member takes part in the neighbourhood council or organisation — code.
    pub participa_org_vecinal: Option<i64>,
    /// Household resilience index (0–5) (puntos).
    pub indice_resiliencia: Option<i64>,
    /// Time the household took to recover from the event — code.
    pub tiempo_recuperacion: Option<i64>,
}

/// One person: a row of the `persona` table.
///
/// Field names and order follow the codebook. Categorical variables are
/// their **codes** (`Option<i64>`; labels via
/// [`Codebook::variable`](crate::codebook::Codebook::variable) and
/// `value_label`), nulls are `None` (including missing-value codes).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Persona {
    /// Household identifier.
    pub folio: String,
    /// Person number within the household.
    pub nro: i64,
    /// Primary sampling unit (block).
    pub upm: Option<String>,
    /// Design stratum (macrodistrict × socioeconomic level) — code.
    pub estrato: Option<i64>,
    /// Expansion factor (calibrated weight) (personas).
    pub factor: f64,
    /// Design weight adjusted for non-response (before calibration) (personas).
    pub factor_diseno: Option<f64>,
    /// Macrodistrict — code.
    pub macrodistrito: Option<i64>,
    /// Area — code.
    pub area: Option<i64>,
    /// Sex — code.
    pub s01a_02: Option<i64>,
    /// Age in completed years (años).
    pub s01a_03: Option<i64>,
    /// Age group — code.
    pub grupo_edad: Option<i64>,
    /// Relationship to the household head — code.
    pub s01a_05: Option<i64>,
    /// As a Bolivian, do you belong to an indigenous nation or people, or to the Afro-Bolivian people? — code.
    pub s01a_09: Option<i64>,
    /// Years of schooling completed (años).
    pub aestudio: Option<i64>,
    /// Highest education level attained (grouped) — code.
    pub niv_ed_g: Option<i64>,
    /// Working-age population (14 years or older).
    pub pet: Option<i64>,
    /// Activity status — code.
    pub condact: Option<i64>,
    /// Occupational category in the main job — code.
    pub s04b_12: Option<i64>,
    /// Branch of economic activity of the main job (CAEB) — code.
    pub caeb_op: Option<i64>,
    /// Size of the workplace (persons employed) — code.
    pub s04b_14: Option<i64>,
    /// Contributes to a pension fund — code.
    pub s04f_36: Option<i64>,
    /// Informal employment (no pension contribution).
    pub informal: Option<i64>,
    /// Hours worked per week (all jobs) (horas/semana).
    pub tothrs: Option<i64>,
    /// Monthly labour income (Bs/mes).
    pub ylab: Option<f64>,
    /// Weeks spent looking for work (semanas).
    pub busca_trabajo_semanas: Option<i64>,
    /// Makes a usual trip (work, study or other) on a normal day — code.
    pub viaja_habitual: Option<i64>,
    /// Purpose of the usual trip — code.
    pub motivo: Option<i64>,
    /// Main transport mode of the usual trip — code.
    pub modo_principal: Option<i64>,
    /// Number of transfers on the usual trip (transbordos).
    pub transbordos: Option<i64>,
    /// Duration of the usual trip (one way) (minutos).
    pub tiempo_viaje_min: Option<i64>,
    /// Cost of the usual trip (one way) (Bs).
    pub costo_bs: Option<f64>,
    /// Destination macrodistrict or municipality of the usual trip — code.
    pub destino_macrodistrito: Option<i64>,
}
