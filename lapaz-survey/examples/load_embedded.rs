//! Measures how long loading the embedded survey takes (no timing in tests):
//!
//! ```sh
//! cargo run -p lapaz-survey --example load_embedded            # debug
//! cargo run -p lapaz-survey --example load_embedded --release  # release
//! ```

use std::time::Instant;

use lapaz_survey::Survey;

fn main() -> Result<(), lapaz_survey::load::LoadError> {
    let runs = 5;
    let mut times = Vec::with_capacity(runs);
    let mut survey = None;
    for _ in 0..runs {
        let start = Instant::now();
        survey = Some(Survey::embedded()?);
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let median = times[runs / 2];
    if let Some(s) = survey {
        println!(
            "Survey::embedded(): {} hogares, {} personas; mediana de {runs} cargas: {median:.1} ms (mín. {:.1}, máx. {:.1})",
            s.households().height(),
            s.persons().height(),
            times[0],
            times[runs - 1]
        );
        let start = Instant::now();
        let joined = s.persons_with_households()?;
        println!(
            "persons_with_households(): {} filas × {} columnas en {:.1} ms",
            joined.height(),
            joined.width(),
            start.elapsed().as_secs_f64() * 1000.0
        );
        let start = Instant::now();
        let personas = s.personas()?;
        println!(
            "personas(): {} estructuras en {:.1} ms",
            personas.len(),
            start.elapsed().as_secs_f64() * 1000.0
        );
    }
    Ok(())
}
