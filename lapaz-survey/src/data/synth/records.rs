//! The generated rows before they are written: one struct per household and
//! per person, with the latent traits that drive them kept beside the
//! published variables.

/// One household (= one interviewed dwelling).
#[derive(Debug, Clone, Default)]
pub(crate) struct Household {
    pub folio: String,
    /// Index of its block in the frame.
    pub block: usize,
    /// Index of its first member in the person list; members are contiguous.
    pub first: usize,
    pub size: usize,
    pub factor_diseno: f64,
    pub factor: f64,
    /// Latent welfare (not published).
    pub welfare: f64,
    // Housing.
    pub tenencia: Option<i64>,
    pub pared: Option<i64>,
    pub cuartos: Option<i64>,
    pub dormitorios: Option<i64>,
    pub agua: Option<i64>,
    pub saneamiento: Option<i64>,
    pub electricidad: Option<i64>,
    pub internet: Option<i64>,
    // Income (variable part before scaling; fixed part in Bs).
    pub income_variable: f64,
    pub income_fixed: f64,
    pub yhog: f64,
    pub yhogpc: f64,
    pub z: f64,
    pub p0: i64,
    pub quintil: i64,
    // Risks.
    pub riesgo_mapa: i64,
    pub riesgo_percibido: Option<i64>,
    pub event: bool,
    pub evento_12m: Option<i64>,
    pub danio_vivienda: Option<i64>,
    pub evacuado: Option<i64>,
    // Resilience.
    pub ahorro_emergencia: Option<i64>,
    pub seguro_vivienda: Option<i64>,
    pub conoce_alerta_temprana: Option<i64>,
    pub plan_familiar_emergencia: Option<i64>,
    pub participa_org_vecinal: Option<i64>,
    pub indice_resiliencia: Option<i64>,
    pub tiempo_recuperacion: Option<i64>,
}

/// One household member.
#[derive(Debug, Clone, Default)]
pub(crate) struct Person {
    /// Index of the household.
    pub hh: usize,
    pub nro: i64,
    /// 1 man, 2 woman.
    pub sex: i64,
    pub age: i64,
    pub relation: i64,
    pub indigenous: Option<i64>,
    pub student: bool,
    pub aestudio: Option<i64>,
    pub niv_ed_g: Option<i64>,
    // Employment.
    pub pet: i64,
    pub condact: Option<i64>,
    pub categoria: Option<i64>,
    pub public: bool,
    pub caeb: Option<i64>,
    pub tamano: Option<i64>,
    pub aporta: Option<i64>,
    pub informal: Option<i64>,
    pub tothrs: Option<i64>,
    /// Labour income before the level scale (Bs at the anchor level).
    pub labour_raw: f64,
    pub ylab: Option<f64>,
    pub semanas: Option<i64>,
    // Mobility.
    pub viaja: Option<i64>,
    pub motivo: Option<i64>,
    pub modo: Option<i64>,
    pub transbordos: Option<i64>,
    pub tiempo: Option<i64>,
    pub costo: Option<f64>,
    pub destino: Option<i64>,
}

impl Person {
    /// Whether the person is employed (`condact` = 1).
    pub(crate) fn employed(&self) -> bool {
        self.condact == Some(1)
    }
}

/// INE yes/no code.
pub(crate) fn yes_no(b: bool) -> i64 {
    if b { 1 } else { 2 }
}
