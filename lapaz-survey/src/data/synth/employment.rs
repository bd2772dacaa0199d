//! The employment module: activity status, occupational category, branch,
//! firm size, pension contribution (the informality flag), hours, labour
//! income and job search.

use super::config::Targets;
use super::random::{Rand, pick, sigmoid};
use super::records::{Household, Person};
use super::tune::{BinaryUnit, fit_intercept};

/// Occupational categories (`s04b_12`) grouped as in the config rows:
/// employee, own-account, employer, unpaid family, domestic, cooperative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Employee = 0,
    OwnAccount = 1,
    Employer = 2,
    Family = 3,
    Domestic = 4,
    Cooperative = 5,
}

const DOMESTIC_RELATION: i64 = 11;

fn age_band(age: i64) -> usize {
    match age {
        ..=18 => 0,
        19..=24 => 1,
        25..=44 => 2,
        45..=59 => 3,
        60..=69 => 4,
        _ => 5,
    }
}

/// Generates the employment module for every person.
pub(crate) fn generate(
    t: &Targets,
    households: &[Household],
    persons: &mut [Person],
    rural_of: &dyn Fn(usize) -> bool,
    rng: &mut Rand,
) {
    let e = &t.empleo;
    let c = &e.coeficientes.value;
    let nsnr = t.faltantes.nsnr.value;
    let pet_age = i64::from(e.edad_pet.value);
    let weight = |p: &Person| households[p.hh].factor;
    let welfare = |p: &Person| households[p.hh].welfare;

    // 1. Working age and participation.
    let mut units = Vec::new();
    let mut idx = Vec::new();
    for (i, p) in persons.iter_mut().enumerate() {
        p.pet = i64::from(p.age >= pet_age);
        if p.pet == 0 {
            continue;
        }
        let eta = if p.relation == DOMESTIC_RELATION {
            60.0
        } else {
            c.part_edad[age_band(p.age)]
                + if p.sex == 2 { c.part_mujer } else { 0.0 }
                + if p.student { c.part_estudiante } else { 0.0 }
        };
        units.push(BinaryUnit {
            weight: weight(p),
            eta,
            u: rng.uniform(),
        });
        idx.push(i);
    }
    let alpha = fit_intercept(&units, e.participacion.value);
    let mut active = Vec::new();
    for (u, &i) in units.iter().zip(&idx) {
        let is_active = u.u < sigmoid(alpha + u.eta);
        persons[i].condact = Some(3);
        if is_active {
            active.push(i);
        }
    }

    // 2. Unemployment among the active.
    let units: Vec<BinaryUnit> = active
        .iter()
        .map(|&i| {
            let p = &persons[i];
            let eta = if p.relation == DOMESTIC_RELATION {
                -60.0
            } else {
                (if p.age < 25 { c.deso_joven } else { 0.0 })
                    + c.deso_bienestar * welfare(p)
                    + if p.aestudio.unwrap_or(0) >= 13 {
                        c.deso_superior
                    } else {
                        0.0
                    }
            };
            BinaryUnit {
                weight: weight(p),
                eta,
                u: rng.uniform(),
            }
        })
        .collect();
    let alpha = fit_intercept(&units, e.desocupacion.value);
    let mut employed = Vec::new();
    for (u, &i) in units.iter().zip(&active) {
        if u.u < sigmoid(alpha + u.eta) {
            persons[i].condact = Some(2);
            let [median, sdlog] = e.semanas_busqueda.value;
            let weeks = rng.lognormal(median, sdlog).round().clamp(1.0, 156.0) as i64;
            persons[i].semanas = Some(if rng.chance(nsnr) { 999 } else { weeks });
        } else {
            persons[i].condact = Some(1);
            employed.push(i);
        }
    }

    // 3. Category, sector, branch, firm size, hours, raw labour income.
    let k = &e.categoria.value;
    let inc = &e.ingreso.value;
    let mut formal_units = Vec::with_capacity(employed.len());
    for &i in &employed {
        let rural = rural_of(persons[i].hh);
        let w = welfare(&persons[i]);
        let p = &mut persons[i];
        let years = p.aestudio.unwrap_or(0) as f64;
        let group = if p.relation == DOMESTIC_RELATION {
            Group::Domestic
        } else {
            let logits = [
                k.asalariado + k.asal_anio_estudio * (years - 10.0) + k.asal_bienestar * w,
                k.cuenta_propia + if p.age > 40 { k.cp_mayor_40 } else { 0.0 },
                k.empleador + k.emp_bienestar * w,
                k.familiar + if p.age < 25 { k.fam_joven } else { 0.0 },
                k.hogar + if p.sex == 2 { k.hogar_mujer } else { 0.0 } + k.hogar_bienestar * w,
                k.cooperativa,
            ];
            let weights: Vec<f64> = logits.iter().map(|l| l.exp()).collect();
            match rng.categorical(&weights) {
                0 => Group::Employee,
                1 => Group::OwnAccount,
                2 => Group::Employer,
                3 => Group::Family,
                4 => Group::Domestic,
                _ => Group::Cooperative,
            }
        };
        let code = match group {
            Group::Employee => {
                let obrero_p = if years < 12.0 { 0.65 } else { 0.15 };
                if rng.chance(obrero_p) { 1 } else { 2 }
            }
            Group::OwnAccount => 3,
            Group::Employer => {
                if rng.chance(0.85) {
                    4
                } else {
                    5
                }
            }
            Group::Cooperative => 6,
            Group::Family => 7,
            Group::Domestic => 8,
        };
        p.categoria = Some(code);
        p.public = group == Group::Employee
            && rng.chance((e.publico.value * if years >= 13.0 { 1.6 } else { 0.6 }).min(0.95));
        let caeb = if group == Group::Domestic {
            19
        } else if p.public {
            [14, 15, 16][rng.categorical(&[0.5, 0.3, 0.2])]
        } else {
            let mut r = e.rama.value;
            r[14] = 0.0;
            r[19] = 0.0;
            if rural {
                r[0] *= 25.0;
            }
            if group == Group::Family {
                r[0] *= 5.0;
                r[6] *= 2.0;
            }
            rng.categorical(&r) as i64
        };
        p.caeb = Some(caeb);
        let size_row = if p.public {
            [0.0, 0.0, 0.02, 0.05, 0.18, 0.75]
        } else {
            e.tamano.value[group as usize]
        };
        let size = pick(&size_row, rng.uniform()) as i64 + 1;
        p.tamano = Some(size);

        // Hours.
        let row = if p.student {
            2
        } else if group == Group::Employee || group == Group::Domestic {
            0
        } else {
            1
        };
        let [mean, sd] = e.horas.value[row];
        let female = if p.sex == 2 { 3.0 } else { 0.0 };
        let hours = rng.gauss(mean - female, sd).round().clamp(2.0, 98.0);
        p.tothrs = Some(hours as i64);

        // Labour income at the anchor level.
        p.labour_raw = if group == Group::Family {
            0.0
        } else {
            let group_effect = match group {
                Group::Employer => inc.empleador,
                Group::OwnAccount => inc.cuenta_propia,
                Group::Domestic => inc.hogar,
                _ => 0.0,
            };
            let log_y = e.ingreso_laboral_medio.value.ln() - inc.sd * inc.sd / 2.0
                + inc.anio_estudio * (years - 11.0)
                + inc.bienestar * w
                + if p.sex == 2 { inc.mujer } else { 0.0 }
                + group_effect
                + inc.horas * (hours / 44.0).ln()
                + rng.gauss(0.0, inc.sd);
            log_y.exp()
        };

        // Pension contribution (formality) predictor.
        let eta = match group {
            Group::Employee => c.formal_asalariado,
            Group::OwnAccount => c.formal_cuenta_propia,
            Group::Employer => c.formal_empleador,
            Group::Family => c.formal_familiar,
            Group::Domestic => c.formal_hogar,
            Group::Cooperative => c.formal_cooperativa,
        } + if p.public { c.formal_publico } else { 0.0 }
            + c.formal_anio_estudio * (years - 10.0)
            + match size {
                5 | 6 => c.formal_tamano_grande,
                3 | 4 => c.formal_tamano_mediano,
                _ => 0.0,
            }
            + c.formal_bienestar * w;
        formal_units.push(BinaryUnit {
            weight: households[p.hh].factor,
            eta,
            u: rng.uniform(),
        });
    }
    // 4. Formality: contributes to a pension fund.
    let alpha = fit_intercept(&formal_units, 1.0 - e.informalidad.value);
    for (u, &i) in formal_units.iter().zip(&employed) {
        let formal = u.u < sigmoid(alpha + u.eta);
        let p = &mut persons[i];
        if rng.chance(nsnr) {
            p.aporta = Some(9);
            p.informal = None;
        } else {
            p.aporta = Some(if formal { 1 } else { 2 });
            p.informal = Some(i64::from(!formal));
        }
        if rng.chance(nsnr) {
            p.tamano = Some(9);
        }
        if rng.chance(2.0 * nsnr) {
            p.tothrs = Some(999);
        }
    }
}
