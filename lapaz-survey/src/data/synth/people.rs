//! Households and their members: latent welfare, composition (size, ages,
//! sexes, relationships), self-identification and education.

use statrs::distribution::{ContinuousCDF, Normal};

use super::config::Targets;
use super::frame::Block;
use super::random::{Rand, sigmoid};
use super::records::{Household, Person};
use super::sample::Sample;

/// Macrodistrict welfare offsets from the poverty gradient: a probit shift so
/// that, with the other welfare components, poorer macrodistricts sit lower.
/// Centred on the population-weighted mean.
pub(crate) fn macro_offsets(t: &Targets) -> [f64; 9] {
    let b = &t.bienestar;
    let sd = (b.sd_manzana.value.powi(2) + b.sd_hogar.value.powi(2) + 0.15).sqrt();
    let mut out = [0.0; 9];
    // `Normal::new(0, 1)` cannot fail; fall back to a zero gradient if it did.
    if let Ok(std) = Normal::new(0.0, 1.0) {
        for (o, p) in out.iter_mut().zip(b.pobreza_macrodistrito.value) {
            *o = -sd * std.inverse_cdf(p);
        }
    }
    let pop = t.poblacion.personas_macrodistrito.value;
    let total: f64 = pop.iter().sum();
    let mean: f64 = out.iter().zip(pop).map(|(o, p)| o * p).sum::<f64>() / total;
    for o in &mut out {
        *o -= mean;
    }
    out
}

/// Relationship codes (`s01a_05`).
mod rel {
    pub const HEAD: i64 = 1;
    pub const SPOUSE: i64 = 2;
    pub const CHILD: i64 = 3;
    pub const CHILD_IN_LAW: i64 = 4;
    pub const SIBLING: i64 = 5;
    pub const PARENT: i64 = 6;
    pub const GRANDCHILD: i64 = 8;
    pub const OTHER_RELATIVE: i64 = 9;
    pub const NON_RELATIVE: i64 = 10;
    pub const DOMESTIC: i64 = 11;
}

fn clamp_age(x: f64, lo: i64, hi: i64) -> i64 {
    (x.round() as i64).clamp(lo, hi)
}

/// Builds the households of the responding dwellings and their members.
pub(crate) fn build_households(
    t: &Targets,
    frame: &[Block],
    sample: &Sample,
    rng: &mut Rand,
) -> (Vec<Household>, Vec<Person>) {
    let offsets = macro_offsets(t);
    let h = &t.hogar;
    let mut households = Vec::with_capacity(sample.dwellings.len());
    let mut persons = Vec::new();
    for d in &sample.dwellings {
        let block = &frame[d.block];
        let level = block.level4();
        let rural = block.area == 2;
        let welfare = offsets[usize::from(block.macro_ - 1)]
            + block.nse.map_or(t.bienestar.efecto_nse.value[2], |n| {
                t.bienestar.efecto_nse.value[n.index()]
            })
            + block.welfare
            + rng.gauss(0.0, t.bienestar.sd_hogar.value);
        // Head first: the life-cycle stage sets the household size.
        let [p_old, young_mean, young_sd, old_mean, old_sd] = h.edad_jefe.value;
        let head_age = if rng.chance(p_old) {
            clamp_age(rng.gauss(old_mean, old_sd), 55, 98)
        } else {
            clamp_age(rng.gauss(young_mean, young_sd), 18, 70)
        };
        let [young_mult, old_mult] = h.tamano_ciclo.value;
        let lambda = h.tamano_poisson.value[level]
            * if head_age < 25 {
                young_mult
            } else if head_age >= 60 {
                old_mult
            } else {
                1.0
            };
        let size = (1 + rng.poisson(lambda) as usize).min(12);

        // Members as (relation, sex, age).
        let mut members: Vec<(i64, i64, i64)> = Vec::with_capacity(size);
        let female_head_p = if size == 1 { 0.5 } else { h.jefa_mujer.value };
        let head_sex = if rng.chance(female_head_p) { 2 } else { 1 };
        members.push((rel::HEAD, head_sex, head_age));
        let mut spouse_age = None;
        if size >= 2 && rng.chance(h.con_conyuge.value) {
            let shift = if head_sex == 1 { -2.5 } else { 2.5 };
            let a = clamp_age(rng.gauss(head_age as f64 + shift, 4.0), 16, 98);
            spouse_age = Some(a);
            members.push((rel::SPOUSE, 3 - head_sex, a));
        }
        if size >= 3 && !rural {
            let p = block
                .nse
                .map_or(0.0, |n| h.trabajador_hogar.value[n.index()]);
            if rng.chance(p) {
                let sex = if rng.chance(0.92) { 2 } else { 1 };
                members.push((rel::DOMESTIC, sex, clamp_age(rng.gauss(35.0, 12.0), 16, 70)));
            }
        }
        // Children are born in sequence: the first at the mother's age
        // `gap0`, the next ones a few years apart.
        let mother_age = match (head_sex, spouse_age) {
            (1, Some(a)) => a,
            _ => head_age,
        };
        let [gap_mean, gap_sd, space_lo, space_hi] = h.intervalo_hijos.value;
        let mut next_child = mother_age as f64 - rng.gauss(gap_mean, gap_sd).clamp(15.0, 40.0);
        let mut child = |rng: &mut Rand| -> i64 {
            let age = if next_child >= 0.0 {
                next_child.round() as i64
            } else {
                clamp_age(rng.between(0.0, 3.0), 0, 2)
            };
            next_child -= rng.between(space_lo, space_hi);
            age
        };
        while members.len() < size {
            let (relation, age) = if head_age < 55 {
                match rng.categorical(&[0.86, 0.05, 0.04, 0.03, 0.02]) {
                    0 => (rel::CHILD, child(rng)),
                    1 => (
                        rel::SIBLING,
                        clamp_age(rng.gauss(head_age as f64, 7.0), 10, 95),
                    ),
                    2 if head_age < 50 => (
                        rel::PARENT,
                        clamp_age(head_age as f64 + rng.between(20.0, 35.0), 40, 98),
                    ),
                    2 | 3 => (
                        rel::OTHER_RELATIVE,
                        clamp_age(rng.between(0.0, 70.0), 0, 95),
                    ),
                    _ => (
                        rel::NON_RELATIVE,
                        clamp_age(rng.between(15.0, 55.0), 15, 90),
                    ),
                }
            } else {
                match rng.categorical(&[0.45, 0.35, 0.08, 0.04, 0.06, 0.02]) {
                    0 => (rel::CHILD, child(rng)),
                    1 => (rel::GRANDCHILD, clamp_age(rng.between(0.0, 18.0), 0, 30)),
                    2 => (
                        rel::CHILD_IN_LAW,
                        clamp_age(rng.between(22.0, 45.0), 18, 60),
                    ),
                    3 => (
                        rel::SIBLING,
                        clamp_age(rng.gauss(head_age as f64, 7.0), 30, 98),
                    ),
                    4 => (
                        rel::OTHER_RELATIVE,
                        clamp_age(rng.between(0.0, 70.0), 0, 95),
                    ),
                    _ => (
                        rel::NON_RELATIVE,
                        clamp_age(rng.between(15.0, 60.0), 15, 90),
                    ),
                }
            };
            let sex = if rng.chance(0.5) { 2 } else { 1 };
            members.push((relation, sex, age));
        }
        // INE order: head, spouse, then the others by decreasing age, the
        // domestic worker last.
        members[1..].sort_by_key(|&(r, _, a)| (r == rel::DOMESTIC, r != rel::SPOUSE, -a, r));

        let hh_index = households.len();
        let first = persons.len();
        let foreign = rng.chance(if level == 0 { 0.03 } else { 0.005 });
        let indigenous_hh = rng.chance(h.indigena.value[level]);
        for (k, &(relation, sex, age)) in members.iter().enumerate() {
            let mut p = Person {
                hh: hh_index,
                nro: k as i64 + 1,
                sex,
                age,
                relation,
                ..Person::default()
            };
            if age >= 15 {
                p.indigenous = Some(if rng.chance(t.faltantes.nsnr.value) {
                    9
                } else if foreign && relation != rel::DOMESTIC {
                    3
                } else if rng.chance(if indigenous_hh { 0.85 } else { 0.08 }) {
                    1
                } else {
                    2
                });
            }
            educate(t, &mut p, welfare, rural, rng);
            persons.push(p);
        }
        households.push(Household {
            folio: format!("{}{:03}1", block.upm, d.number),
            block: d.block,
            first,
            size: members.len(),
            factor_diseno: d.design_weight,
            welfare,
            ..Household::default()
        });
    }
    (households, persons)
}

/// School attendance, years of schooling and grouped level.
fn educate(t: &Targets, p: &mut Person, welfare: f64, rural: bool, rng: &mut Rand) {
    let e = &t.educacion;
    if p.age < 5 {
        return;
    }
    p.student = match p.age {
        5..=17 => rng.chance(0.97),
        18..=24 => rng.chance(sigmoid(
            e.asiste_18_24.value[0] + e.asiste_18_24.value[1] * welfare,
        )),
        25..=29 => rng.chance(0.08),
        _ => false,
    } && p.relation != rel::DOMESTIC;
    let years = if p.student && p.age <= 18 {
        (p.age - 6 - i64::from(rng.chance(0.15))).clamp(0, 12)
    } else if p.student {
        // In higher education.
        (12 + (p.age - 18) - i64::from(rng.chance(0.3))).clamp(11, 17)
    } else {
        let cohort = if p.age >= 65 {
            e.efecto_cohorte.value[2]
        } else if p.age >= 45 {
            e.efecto_cohorte.value[1]
        } else {
            e.efecto_cohorte.value[0]
        };
        let gap = if p.sex == 2 && p.age >= 45 {
            e.brecha_mujer_mayor.value
        } else {
            0.0
        };
        let rural_gap = if rural { e.rural.value } else { 0.0 };
        let early_leaver = if p.age < 25 { -1.0 } else { 0.0 };
        let y = e.anios_medios.value + e.efecto_bienestar.value * welfare + cohort - gap
            + rural_gap
            + early_leaver
            + rng.gauss(0.0, e.sd.value);
        (y.round() as i64).clamp(0, (p.age - 6).clamp(0, 20))
    };
    p.aestudio = Some(years);
    let level = match years {
        0 => 1,
        1..=6 => 2,
        7..=12 => 3,
        _ => {
            let uni = sigmoid(0.3 + 1.0 * welfare + 0.4 * (years as f64 - 15.0));
            if rng.chance(uni) { 5 } else { 4 }
        }
    };
    p.niv_ed_g = Some(level);
}
