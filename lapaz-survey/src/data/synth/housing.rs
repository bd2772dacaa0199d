//! Dwelling and services, the risks module and the resilience module.

use super::config::Targets;
use super::frame::Block;
use super::random::{Rand, sigmoid};
use super::records::{Household, Person, yes_no};
use super::tune::{BinaryUnit, fit_intercept};

fn ordered(latent: f64, cuts: &[f64]) -> i64 {
    1 + cuts.iter().filter(|&&c| latent > c).count() as i64
}

/// Housing characteristics and services.
pub(crate) fn generate_housing(
    t: &Targets,
    frame: &[Block],
    households: &mut [Household],
    persons: &[Person],
    rng: &mut Rand,
) {
    let v = &t.vivienda;
    let nsnr = t.faltantes.nsnr.value;
    for h in households.iter_mut() {
        let b = &frame[h.block];
        let rural = b.area == 2;
        let w = h.welfare;
        let head_age = persons[h.first].age;
        let row = usize::from(head_age >= 35);
        let tenure = rng.categorical(&v.tenencia.value[row]) as i64 + 1;
        h.tenencia = Some(if rng.chance(nsnr / 2.0) { 9 } else { tenure });

        let [a0, a_w, a_rural, a_hill] = v.adobe.value;
        let adobe_p = sigmoid(
            a0 + a_w * w
                + if rural { a_rural } else { 0.0 }
                + if b.hillside { a_hill } else { 0.0 },
        );
        h.pared = Some(if rng.chance(adobe_p) {
            2
        } else if rng.chance(0.95) {
            1
        } else if rural {
            [4, 5, 7][rng.categorical(&[0.6, 0.2, 0.2])]
        } else {
            [3, 4, 5, 6, 7][rng.categorical(&[0.35, 0.25, 0.2, 0.05, 0.15])]
        });

        let size = h.size as f64;
        let room_mean = 0.7 + 0.45 * size.sqrt() + 0.8 * w.max(-1.0);
        let rooms = (1 + rng.poisson(room_mean.max(0.1)) as i64).min(15);
        let bed_mean = 0.3 + 0.35 * size.sqrt() + 0.3 * w.max(-1.0);
        let beds = (1 + rng.poisson(bed_mean.max(0.1)) as i64).min(rooms);
        h.cuartos = Some(rooms);
        h.dormitorios = Some(beds);

        // Water and sanitation: network traits of the block.
        let water = 1.0 + 0.9 * w + b.services + rng.normal();
        h.agua = Some(if rural {
            let l = water - 2.5;
            match ordered(l, &[-2.8, -2.0, -1.0, 0.0]) {
                1 => 4,
                2 => 5,
                3 => 3,
                4 => 2,
                _ => 1,
            }
        } else {
            match ordered(water, &[-2.0, -1.3, -0.3]) {
                1 => 6,
                2 => 3,
                3 => 2,
                _ => 1,
            }
        });
        let sewer = 1.3 + 0.8 * w + b.services + rng.normal() - if rural { 3.0 } else { 0.0 };
        h.saneamiento = Some(6 - ordered(sewer, &[-2.4, -1.7, -1.0, -0.5]));
        h.electricidad = Some(yes_no(!rng.chance(if rural { 0.08 } else { 0.004 })));
        let [i0, i_w, i_rural] = v.internet.value;
        let net = rng.chance(sigmoid(
            i0 + i_w * w + 0.3 * b.services + if rural { i_rural } else { 0.0 },
        ));
        h.internet = Some(if rng.chance(nsnr) { 9 } else { yes_no(net) });
    }
}

/// Risks (map class, perception, events, damage) and resilience.
pub(crate) fn generate_risk(
    t: &Targets,
    frame: &[Block],
    households: &mut [Household],
    rng: &mut Rand,
) {
    let r = &t.riesgos;
    let nsnr = t.faltantes.nsnr.value;
    // Map class of the lot: the block's class, sometimes one step off.
    for h in households.iter_mut() {
        let class = i64::from(frame[h.block].risk_class);
        let shift = match rng.categorical(&[0.075, 0.85, 0.075]) {
            0 => -1,
            2 => 1,
            _ => 0,
        };
        h.riesgo_mapa = (class + shift).clamp(1, 5);
    }
    // Events in the last 12 months, intercept fitted to the target rate.
    let units: Vec<BinaryUnit> = households
        .iter()
        .map(|h| {
            let b = &frame[h.block];
            BinaryUnit {
                weight: h.factor,
                eta: r.evento_clase.value * (h.riesgo_mapa as f64 - 3.0)
                    + r.evento_macrodistrito.value[usize::from(b.macro_ - 1)]
                    + b.event
                    + if h.pared == Some(2) { 0.4 } else { 0.0 },
                u: rng.uniform(),
            }
        })
        .collect();
    let alpha = fit_intercept(&units, r.evento_12m.value);
    let c = &t.resiliencia.coeficientes.value;
    // Economic position: half latent welfare, half standardised log income
    // per capita (what the household can actually mobilise).
    let logs: Vec<f64> = households.iter().map(|h| h.yhogpc.max(1.0).ln()).collect();
    let total: f64 = households.iter().map(|h| h.factor).sum();
    let mean = households
        .iter()
        .zip(&logs)
        .map(|(h, l)| h.factor * l)
        .sum::<f64>()
        / total;
    let var = households
        .iter()
        .zip(&logs)
        .map(|(h, l)| h.factor * (l - mean).powi(2))
        .sum::<f64>()
        / total;
    let sd = var.sqrt().max(1e-9);
    for ((h, u), log_y) in households.iter_mut().zip(&units).zip(&logs) {
        let b = &frame[h.block];
        let w = 0.5 * h.welfare + 0.5 * (log_y - mean) / sd;
        h.event = u.u < sigmoid(alpha + u.eta);
        let adobe = h.pared == Some(2);
        let mut kind = None;
        if h.event {
            let steep = h.riesgo_mapa >= 4 && b.hillside;
            let mut weights = if steep {
                [0.30, 0.12, 0.10, 0.20, 0.22, 0.06]
            } else {
                [0.08, 0.22, 0.05, 0.17, 0.40, 0.08]
            };
            if b.macro_ == 5 {
                weights[1] *= 1.5;
            }
            kind = Some(rng.categorical(&weights) as i64 + 2);
        }
        let ns_event = rng.chance(nsnr / 2.0);
        h.evento_12m = Some(if ns_event { 9 } else { kind.unwrap_or(1) });
        if let (Some(k), false) = (kind, ns_event) {
            let mut dmg = match k {
                2 | 4 => [0.15, 0.55, 0.30],
                6 => [0.45, 0.53, 0.02],
                _ => [0.30, 0.55, 0.15],
            };
            if adobe {
                dmg[2] *= 1.5;
            }
            let damage = rng.categorical(&dmg) as i64 + 1;
            h.danio_vivienda = Some(damage);
            let evac = sigmoid(
                -2.0 + if damage == 3 { 2.5 } else { 0.0 }
                    + if damage == 2 { 0.5 } else { 0.0 }
                    + if k == 2 || k == 4 { 0.8 } else { 0.0 },
            );
            h.evacuado = Some(yes_no(rng.chance(evac)));
            let rec = 0.9 * (damage as f64 - 1.0) - 0.6 * w + rng.normal();
            h.tiempo_recuperacion = Some(if rng.chance(nsnr) {
                9
            } else {
                ordered(rec, &[-0.6, 0.6, 1.5])
            });
        }
        let perceived =
            0.8 * (h.riesgo_mapa as f64 - 3.0) + if h.event { 1.0 } else { 0.0 } + rng.normal();
        h.riesgo_percibido = Some(if rng.chance(nsnr) {
            9
        } else {
            ordered(perceived, &[-1.3, -0.1, 1.0])
        });

        // Resilience.
        let owner = matches!(h.tenencia, Some(1 | 2));
        let items = [
            c.ahorro[0] + c.ahorro[1] * w,
            c.seguro[0] + c.seguro[1] * w,
            c.alerta[0] + c.alerta[1] * w + c.alerta_riesgo * (h.riesgo_mapa as f64 - 3.0),
            c.plan[0] + c.plan[1] * w + if h.event { c.plan_evento } else { 0.0 },
            c.vecinal[0]
                + c.vecinal[1] * h.welfare
                + if owner { c.vecinal_propietario } else { 0.0 },
        ];
        let mut answers = [0i64; 5];
        for (a, eta) in answers.iter_mut().zip(items) {
            *a = if rng.chance(nsnr) {
                9
            } else {
                yes_no(rng.chance(sigmoid(eta)))
            };
        }
        h.ahorro_emergencia = Some(answers[0]);
        h.seguro_vivienda = Some(answers[1]);
        h.conoce_alerta_temprana = Some(answers[2]);
        h.plan_familiar_emergencia = Some(answers[3]);
        h.participa_org_vecinal = Some(answers[4]);
        h.indice_resiliencia = if answers.contains(&9) {
            None
        } else {
            Some(answers.iter().filter(|&&a| a == 1).count() as i64)
        };
    }
}
