//! The calibration step of the generator: from the non-response-adjusted
//! design weights (`factor_diseno`) to the published `factor`.

use super::frame::Block;
use super::records::Household;

/// Calibrates the household weights: post-stratification by macrodistrict,
/// so that the person-weighted total of each macrodistrict equals its target
/// (`poblacion.personas_macrodistrito`). Every member carries its
/// household's weight (INE convention), so the sum of `factor` over persons
/// equals the population total.
///
/// This is the one place where the shipped weights are made. They are kept
/// post-stratified by macrodistrict only (the notebooks quote figures computed
/// with them); the full calibration to macrodistrict × sex × age group, with
/// one weight per household (integrated weighting), is one call away at run
/// time: `lapaz_survey::weighting::calibrate_embedded`.
pub(crate) fn calibrate_weights(households: &mut [Household], frame: &[Block], targets: &[f64; 9]) {
    let mut estimated = [0.0; 9];
    for h in households.iter() {
        let m = usize::from(frame[h.block].macro_ - 1);
        estimated[m] += h.factor_diseno * h.size as f64;
    }
    let g: Vec<f64> = estimated
        .iter()
        .zip(targets)
        .map(|(&e, &t)| if e > 0.0 { t / e } else { 1.0 })
        .collect();
    for h in households.iter_mut() {
        let m = usize::from(frame[h.block].macro_ - 1);
        h.factor = h.factor_diseno * g[m];
    }
}
