//! The urban mobility module: the usual trip's purpose, destination, main
//! mode, transfers, duration and cost.

use super::config::Targets;
use super::frame::Block;
use super::random::{Rand, pick, sigmoid};
use super::records::{Household, Person, yes_no};
use super::tune::{fit_constants, softmax};

/// Mode codes (`modo_principal`) minus one, as indices of the config vectors.
mod mode {
    pub const MINIBUS: usize = 0;
    pub const MICRO: usize = 1;
    pub const TRUFI: usize = 2;
    pub const TAXI: usize = 3;
    pub const PUMAKATARI: usize = 4;
    pub const TELEFERICO: usize = 5;
    pub const AUTO: usize = 6;
    pub const MOTO: usize = 7;
    pub const WALK: usize = 8;
    pub const BICYCLE: usize = 9;
    pub const OTHER: usize = 10;
    pub const COUNT: usize = 11;
}

const EL_ALTO: usize = 10;

struct Trip {
    person: usize,
    origin: usize,
    /// Destination code 1–11.
    dest: usize,
    utilities: Vec<f64>,
    weight: f64,
}

/// Generates the mobility module for persons aged 5 or more.
pub(crate) fn generate(
    t: &Targets,
    frame: &[Block],
    households: &[Household],
    persons: &mut [Person],
    rng: &mut Rand,
) {
    let mv = &t.movilidad;
    let nsnr = t.faltantes.nsnr.value;
    let k = &mv.utilidades.value;
    let mut trips: Vec<Trip> = Vec::new();
    for (i, p) in persons.iter_mut().enumerate() {
        if p.age < 5 {
            continue;
        }
        let h = &households[p.hh];
        let b = &frame[h.block];
        let status = if p.employed() {
            0
        } else if p.student {
            1
        } else if p.condact == Some(2) {
            2
        } else if p.age < 65 {
            3
        } else {
            4
        };
        let travels = rng.chance(mv.viaja.value[status]);
        if rng.chance(nsnr / 2.0) {
            p.viaja = Some(9);
            continue;
        }
        p.viaja = Some(yes_no(travels));
        if !travels {
            continue;
        }
        let motive = match status {
            0 => {
                if rng.chance(0.97) {
                    1
                } else {
                    3
                }
            }
            1 => 2,
            _ => [3, 4, 5, 6][rng.categorical(&[0.45, 0.2, 0.2, 0.15])],
        };
        p.motivo = Some(if rng.chance(nsnr / 2.0) { 9 } else { motive });
        let origin = usize::from(b.macro_);
        let class = match motive {
            1 => 0,
            2 => 1,
            _ => 2,
        };
        let mut dw = mv.atraccion.value;
        dw[origin - 1] *= mv.mismo_macrodistrito.value[class];
        if matches!(origin, 1..=3) {
            dw[EL_ALTO - 1] *= mv.el_alto_vecinos.value;
        }
        let dest = rng.categorical(&dw) + 1;

        let mut v = vec![0.0; mode::COUNT];
        v[mode::AUTO] = k.auto_bienestar * h.welfare;
        v[mode::TAXI] = k.taxi_bienestar * h.welfare;
        v[mode::WALK] = if dest == origin {
            k.pie_mismo
        } else {
            k.pie_otro
        } + if p.age < 15 { k.pie_nino } else { 0.0 };
        if origin == 4 {
            v[mode::MINIBUS] += k.minibus_san_antonio;
        }
        if origin == 5 {
            v[mode::TRUFI] += k.trufi_sur;
        }
        if origin == 1 {
            v[mode::MICRO] += k.micro_cotahuma;
        }
        v[mode::TELEFERICO] = k.teleferico[origin - 1]
            + if dest == EL_ALTO {
                k.teleferico_el_alto
            } else {
                0.0
            };
        v[mode::PUMAKATARI] = k.pumakatari[origin - 1];
        if p.age < 16 {
            v[mode::MOTO] = -9.0;
        }
        trips.push(Trip {
            person: i,
            origin,
            dest,
            utilities: v,
            weight: h.factor,
        });
    }

    // Mode constants fitted to the target shares, then one draw per person.
    let weights: Vec<f64> = trips.iter().map(|x| x.weight).collect();
    let utilities: Vec<Vec<f64>> = trips.iter().map(|x| x.utilities.clone()).collect();
    let asc = fit_constants(&weights, &utilities, &mv.reparto_modal.value);
    let mut prob = vec![0.0; mode::COUNT];
    let mut modes = Vec::with_capacity(trips.len());
    let mut raw_time = Vec::with_capacity(trips.len());
    for trip in &trips {
        softmax(&asc, &trip.utilities, &mut prob);
        let m = pick(&prob, rng.uniform());
        modes.push(m);
        let dest_class = if trip.dest == trip.origin {
            0
        } else if trip.dest == 7 {
            1
        } else if trip.dest <= 9 {
            2
        } else if trip.dest == EL_ALTO {
            3
        } else {
            4
        };
        let block = &frame[households[persons[trip.person].hh].block];
        let x = mv.tiempo_base.value[m]
            * mv.tiempo_destino.value[dest_class]
            * (rng.gauss(0.0, mv.sd_tiempo.value[0]) + block.travel).exp();
        raw_time.push(x);
    }
    // Scale times so the weighted mean of each origin macrodistrict is its target.
    let mut sum_w = [0.0; 9];
    let mut sum_wt = [0.0; 9];
    for (trip, &x) in trips.iter().zip(&raw_time) {
        sum_w[trip.origin - 1] += trip.weight;
        sum_wt[trip.origin - 1] += trip.weight * x;
    }
    let [tb0, tb_out, tb_far] = mv.transbordo.value;
    for ((trip, &m), &x) in trips.iter().zip(&modes).zip(&raw_time) {
        let o = trip.origin - 1;
        let scale = if sum_wt[o] > 0.0 {
            mv.tiempo_macrodistrito.value[o] * sum_w[o] / sum_wt[o]
        } else {
            1.0
        };
        let minutes = (x * scale).round().clamp(2.0, 240.0) as i64;
        let p = &mut persons[trip.person];
        let non_motor = m == mode::WALK || m == mode::BICYCLE;
        let transfers = if non_motor {
            0
        } else {
            let pt = sigmoid(
                tb0 + if trip.dest != trip.origin {
                    tb_out
                } else {
                    0.0
                } + if trip.dest >= EL_ALTO { tb_far } else { 0.0 }
                    + 0.02 * (minutes as f64 - 30.0),
            );
            if rng.chance(pt) {
                1 + i64::from(rng.chance(0.15))
            } else {
                0
            }
        };
        let fare = mv.tarifa.value[m];
        let leg = match m {
            mode::TAXI | mode::AUTO | mode::MOTO => rng.lognormal(fare, 0.4),
            mode::TELEFERICO if p.student || p.age >= 60 => fare / 2.0,
            _ => fare,
        };
        let public = matches!(
            m,
            mode::MINIBUS | mode::MICRO | mode::TRUFI | mode::PUMAKATARI | mode::TELEFERICO
        );
        let cost = if non_motor {
            0.0
        } else {
            let [per_minute, free_minutes] = mv.tarifa_minuto.value;
            let distance = if public || m == mode::OTHER {
                per_minute * (minutes as f64 - free_minutes).max(0.0)
            } else {
                0.0
            };
            leg + transfers as f64 * mv.tarifa.value[mode::MINIBUS] + distance
        };
        let mode_unknown = rng.chance(nsnr / 2.0);
        p.modo = Some(if mode_unknown { 99 } else { m as i64 + 1 });
        p.destino = Some(if rng.chance(nsnr / 2.0) {
            99
        } else {
            trip.dest as i64
        });
        p.tiempo = Some(if rng.chance(2.0 * nsnr) { 999 } else { minutes });
        p.transbordos = Some(if rng.chance(nsnr / 2.0) { 9 } else { transfers });
        p.costo = (!mode_unknown && !rng.chance(nsnr)).then(|| (cost * 100.0).round() / 100.0);
    }
}
