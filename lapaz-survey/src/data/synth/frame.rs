//! The sampling frame: every block (urban) or community segment (rural) of
//! the municipality with its dwelling count, zone, socioeconomic level and the
//! block-level traits that make households of one block alike.

use super::config::{Geography, Targets};
use super::random::Rand;

/// Socioeconomic level of a block, as used for the strata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Nse {
    Alto = 1,
    Medio = 2,
    Bajo = 3,
}

impl Nse {
    /// 0, 1, 2 (for the config vectors).
    pub(crate) fn index(self) -> usize {
        self as usize - 1
    }
    fn from_index(i: usize) -> Self {
        match i {
            0 => Nse::Alto,
            1 => Nse::Medio,
            _ => Nse::Bajo,
        }
    }
}

/// One block of the frame (a primary sampling unit).
#[derive(Debug, Clone)]
pub(crate) struct Block {
    /// 17-character PSU code.
    pub upm: String,
    pub macro_: u8,
    pub district: u8,
    pub zone: u16,
    /// 1 urban, 2 rural.
    pub area: u8,
    /// `None` in the rural area.
    pub nse: Option<Nse>,
    /// Design stratum code (macro × 10 + nse; 80/90 rural).
    pub stratum: u8,
    /// Dwellings in the frame (measure of size).
    pub dwellings: u32,
    pub hillside: bool,
    /// Block random effect on welfare.
    pub welfare: f64,
    /// Block random effect on water/sanitation networks.
    pub services: f64,
    /// Risk-map class 1–5 of the block.
    pub risk_class: u8,
    /// Block random effect on adverse events.
    pub event: f64,
    /// Block random effect on travel times (log scale).
    pub travel: f64,
}

impl Block {
    /// The index used by config vectors with a rural fourth entry.
    pub(crate) fn level4(&self) -> usize {
        self.nse.map_or(3, Nse::index)
    }
}

/// Builds the frame: dwellings per macrodistrict from the population figures,
/// split equally among its zones, cut into blocks of random size.
pub(crate) fn build_frame(t: &Targets, geo: &Geography, rng: &mut Rand) -> Vec<Block> {
    let persons = t.poblacion.personas.value as f64;
    let households = t.poblacion.hogares.value as f64;
    let mut blocks = Vec::new();
    let mut hazard = Vec::new();
    for m in 1..=9u8 {
        let share = t.poblacion.personas_macrodistrito.value[usize::from(m - 1)] / persons;
        let dwellings_m = (households * share).round() as u64;
        let mut zones: Vec<_> = geo.zones.iter().filter(|z| z.macrodistrito == m).collect();
        zones.sort_by_key(|z| z.zona);
        let nz = zones.len() as u64;
        let rural = m >= 8;
        let [mean, sdlog] = if rural {
            t.diseno.comunidad_rural.value
        } else {
            t.diseno.manzana_urbana.value
        };
        let median = mean / (sdlog * sdlog / 2.0).exp();
        for (zi, z) in zones.iter().enumerate() {
            let mut remaining = dwellings_m / nz + u64::from((zi as u64) < dwellings_m % nz);
            let profile = if t.zonas.nse_alto.value.contains(&z.zona) {
                0
            } else if t.zonas.nse_bajo.value.contains(&z.zona) {
                2
            } else {
                1
            };
            let hillside = t.zonas.ladera.value.contains(&z.zona);
            while remaining > 0 {
                let draw = rng.lognormal(median, sdlog).round().clamp(12.0, 400.0) as u64;
                let size = if remaining < draw + 12 || remaining <= 12 {
                    remaining
                } else {
                    draw
                };
                remaining -= size;
                let nse = (!rural)
                    .then(|| Nse::from_index(rng.categorical(&t.zonas.mezcla_nse.value[profile])));
                let stratum = match nse {
                    Some(n) => m * 10 + n as u8,
                    None => m * 10,
                };
                let area = if rural { 2 } else { 1 };
                let seq = blocks.len() + 1;
                let welfare = rng.gauss(0.0, t.bienestar.sd_manzana.value);
                let services = rng.gauss(0.0, t.vivienda.sd_servicios.value);
                let event = rng.gauss(0.0, t.riesgos.sd_evento_manzana.value);
                let travel = rng.gauss(0.0, t.movilidad.sd_tiempo.value[1]);
                let h = t.zonas.peligro_macrodistrito.value[usize::from(m - 1)]
                    + if hillside {
                        t.zonas.peligro_ladera.value
                    } else {
                        0.0
                    }
                    + rng.normal();
                hazard.push(h);
                blocks.push(Block {
                    upm: format!("020101{:02}{}{:08}", z.distrito, area, seq),
                    macro_: m,
                    district: z.distrito,
                    zone: z.zona,
                    area,
                    nse,
                    stratum,
                    dwellings: size as u32,
                    hillside,
                    welfare,
                    services,
                    risk_class: 0,
                    event,
                    travel,
                });
            }
        }
    }
    assign_risk_classes(&mut blocks, &hazard, t.riesgos.moderado_o_mas.value);
    blocks
}

/// Cuts the latent hazard into the five map classes so that the share of
/// frame dwellings in class 3 or more equals `moderate_share`.
fn assign_risk_classes(blocks: &mut [Block], hazard: &[f64], moderate_share: f64) {
    let mut order: Vec<usize> = (0..blocks.len()).collect();
    order.sort_by(|&a, &b| hazard[a].total_cmp(&hazard[b]));
    let total: f64 = blocks.iter().map(|b| f64::from(b.dwellings)).sum();
    let mut acc = 0.0;
    let mut c3 = f64::INFINITY;
    for &i in &order {
        acc += f64::from(blocks[i].dwellings);
        if acc / total >= 1.0 - moderate_share {
            c3 = hazard[i];
            break;
        }
    }
    let cuts = [c3 - 0.9, c3, c3 + 0.9, c3 + 1.7];
    for (b, &h) in blocks.iter_mut().zip(hazard) {
        // Strictly above a cut = the upper class.
        b.risk_class = 1 + cuts.iter().filter(|&&c| h > c).count() as u8;
    }
}
