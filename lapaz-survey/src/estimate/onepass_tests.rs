//! The single-pass kernel against the general core, on random designs that
//! exercise everything the kernel handles: strata of 1 to 6 PSUs under
//! every lonely-PSU policy, fpc with self-representing strata, second-stage
//! clusters without fpc, unsorted rows, zero weights, missing values,
//! subsets, domains absent from PSUs and strata, and a variable constant
//! within a domain.

use polars::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::*;
use crate::design::{DesignSpec, Filter, LonelyPsu};

/// A random design's data: strata `h`, PSUs `psu` (rows shuffled),
/// households `hh`, weights `w` (some 0), `y` (some missing), `x` constant
/// within the domains of `g` that are `"c"`, domains `g` (4 levels, one of
/// them rare), a subset flag `s`, and fpc `N` (population PSUs per stratum,
/// equal to the sample in one stratum).
fn random_frame(seed: u64) -> DataFrame {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut h, mut psu, mut hh, mut w, mut y, mut x, mut g, mut s, mut big_n) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    let strata = rng.random_range(3..7);
    let mut next_psu = 0;
    for stratum in 0..strata {
        let psus = if stratum == 0 {
            1
        } else {
            rng.random_range(1..7)
        };
        let population = if stratum == 1 {
            f64::from(psus)
        } else {
            f64::from(psus) * rng.random_range(2.0..10.0)
        };
        for _ in 0..psus {
            next_psu += 1;
            for house in 0..rng.random_range(1..5) {
                for _ in 0..rng.random_range(1..4) {
                    let domain = match rng.random_range(0..20) {
                        0 => "rare",
                        1..=6 => "a",
                        7..=12 => "b",
                        _ => "c",
                    };
                    h.push(format!("E{stratum}"));
                    psu.push(next_psu);
                    hh.push(house);
                    w.push(if rng.random_range(0..15) == 0 {
                        0.0
                    } else {
                        rng.random_range(1.0..50.0)
                    });
                    y.push(if rng.random_range(0..12) == 0 {
                        None
                    } else {
                        Some(1000.0 + rng.random_range(-300.0..600.0))
                    });
                    x.push(if domain == "c" {
                        Some(0.1)
                    } else {
                        Some(rng.random_range(0.0..1.0))
                    });
                    g.push(domain);
                    s.push(rng.random_range(0..3) > 0);
                    big_n.push(population);
                }
            }
        }
    }
    // Rows out of PSU order.
    let n = h.len();
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        order.swap(i, rng.random_range(0..=i));
    }
    let pick = |v: &[f64]| -> Vec<f64> { order.iter().map(|&i| v[i]).collect() };
    let pick_opt =
        |v: &[Option<f64>]| -> Vec<Option<f64>> { order.iter().map(|&i| v[i]).collect() };
    df![
        "h" => order.iter().map(|&i| h[i].clone()).collect::<Vec<_>>(),
        "psu" => order.iter().map(|&i| psu[i]).collect::<Vec<i32>>(),
        "hh" => order.iter().map(|&i| hh[i]).collect::<Vec<i32>>(),
        "w" => pick(&w),
        "y" => pick_opt(&y),
        "x" => pick_opt(&x),
        "g" => order.iter().map(|&i| g[i]).collect::<Vec<_>>(),
        "s" => order.iter().map(|&i| s[i]).collect::<Vec<bool>>(),
        "N" => pick(&big_n),
    ]
    .expect("frame")
}

fn close(a: f64, b: f64, what: &str) {
    if a == b {
        return;
    }
    if a.is_nan() || b.is_nan() {
        assert!(a.is_nan() && b.is_nan(), "{what}: {a} vs {b}");
        return;
    }
    let tol = 1e-10 * a.abs().max(b.abs()).max(1e-300);
    assert!((a - b).abs() <= tol, "{what}: {a} vs {b}");
}

/// Runs mean and total of `variable` both ways on every domain of `view`
/// and compares everything the estimates are made of.
fn compare(view: &DomainDesign, variable: &str, label: &str) {
    assert!(
        onepass::applies(view.design()),
        "{label}: the kernel applies"
    );
    let y = numeric(view.design(), variable, "la media").expect("numeric");
    for total in [false, true] {
        let mean = MeanStat::new(variable, &y);
        let (general, single) = if total {
            let stat = TotalStat(mean);
            (
                estimate_smooth(view.design(), view.cells(), &stat),
                onepass::estimate_centred(
                    view.design(),
                    &view.domains,
                    &stat,
                    Box::new(|| CellTotals::empty(1)),
                ),
            )
        } else {
            (
                estimate_smooth(view.design(), view.cells(), &mean),
                onepass::estimate_centred(
                    view.design(),
                    &view.domains,
                    &mean,
                    Box::new(|| CellTotals::empty(1)),
                ),
            )
        };
        let what = format!(
            "{label}, {} of {variable}",
            if total { "total" } else { "mean" }
        );
        assert_eq!(general.has_rows, single.has_rows, "{what}: has_rows");
        assert_eq!(general.missing, single.missing, "{what}: missing");
        assert_eq!(general.n, single.n, "{what}: n");
        assert_eq!(general.df, single.df, "{what}: df");
        assert_eq!(general.cases, single.cases, "{what}: cases");
        for d in 0..view.n_domains() {
            if !general.has_rows[d] {
                continue;
            }
            let at = format!("{what}, domain {d}");
            close(
                general.theta[d],
                single.theta[d],
                &format!("{at}: estimate"),
            );
            if general.theta[d].is_nan() {
                continue; // no weighted rows: no estimate, no standard error
            }
            close(
                general.population[d],
                single.population[d],
                &format!("{at}: N"),
            );
            // Variances: relative to the variance, or to the square of the
            // estimate's scale when it is 0 (a constant domain, where the
            // general core leaves rounding noise and the kernel exact 0s).
            let (a, b) = (general.vcov[d], single.vcov[d]);
            let scale = a.abs().max(general.theta[d] * general.theta[d] * 1e-12);
            // (Design effects of one row, or of a variance of 0, are 0/0.)
            if general.n[d] >= 2.0 && a.abs() > general.theta[d] * general.theta[d] * 1e-20 {
                close(general.deff[d], single.deff[d], &format!("{at}: deff"));
            }
            assert!(
                (a - b).abs() <= 1e-10 * scale || (a.is_nan() && b.is_nan()),
                "{at}: variance {a} vs {b}"
            );
        }
    }
}

#[test]
fn the_kernel_agrees_with_the_general_core_on_random_designs() {
    for seed in 0..40 {
        let frame = random_frame(seed);
        // Half the designs with rows in PSU order (read as plain slices),
        // half shuffled (read through the design's row order).
        let frame = if seed % 4 < 2 {
            frame
                .sort(["psu"], SortMultipleOptions::default())
                .expect("sort")
        } else {
            frame
        };
        let policies = [
            LonelyPsu::Remove,
            LonelyPsu::Certainty,
            LonelyPsu::Adjust,
            LonelyPsu::Average,
        ];
        let policy = policies[seed as usize % policies.len()];
        let mut spec = DesignSpec::new()
            .weights("w")
            .strata("h")
            .cluster("psu")
            .lonely_psu(policy);
        if seed % 2 == 1 {
            spec = spec.fpc("N");
        }
        if seed % 3 == 2 {
            // A second stage without fpc: R's variance has one stage.
            spec = DesignSpec::new()
                .weights("w")
                .strata("h")
                .clusters(["psu", "hh"])
                .lonely_psu(policy);
        }
        let design = SurveyDesign::new(frame, spec).expect("design");
        assert_eq!(design.data.structure.order.is_none(), seed % 4 < 2);
        let label = format!("seed {seed} ({policy:?})");
        for variable in ["y", "x"] {
            compare(&design.by(["g"]).expect("by"), variable, &label);
            compare(&design.whole(), variable, &format!("{label}, whole"));
            let part = design.subset(Filter::is_true("s")).expect("subset");
            compare(
                &part.by(["g"]).expect("by"),
                variable,
                &format!("{label}, subset"),
            );
            compare(&part.whole(), variable, &format!("{label}, whole subset"));
        }
    }
}

/// A stratified cluster design of `random_frame(seed)`, lonely PSUs
/// adjusted.
fn adjusted_design(seed: u64) -> SurveyDesign {
    SurveyDesign::new(
        random_frame(seed),
        DesignSpec::new()
            .weights("w")
            .strata("h")
            .cluster("psu")
            .lonely_psu(LonelyPsu::Adjust),
    )
    .expect("design")
}

#[test]
fn a_variable_constant_in_a_domain_has_a_standard_error_of_exactly_zero() {
    let design = adjusted_design(7);
    let means = design.by(["g"]).expect("by").mean("x").expect("mean");
    let c = means
        .estimates()
        .iter()
        .find(|e| e.domain[0].value.es == "c")
        .expect("domain c");
    assert_eq!(c.estimate, 0.1);
    assert_eq!(c.se, 0.0);
    // The other domains vary.
    assert!(means.estimates().iter().filter(|e| e.se > 0.0).count() >= 2);
}

#[test]
fn covariances_of_single_pass_estimates_use_their_linearisation() {
    let design = adjusted_design(4);
    let means = design.by(["g"]).expect("by").mean("y").expect("mean");
    let e = means.estimates();
    assert!(e.iter().all(|e| e.se > 0.0), "{means}");
    let refs: Vec<&crate::estimate::Estimate> = e.iter().collect();
    let v = crate::estimate::covariance(&refs).expect("covariance");
    for (i, est) in e.iter().enumerate() {
        close(v[[i, i]], est.se * est.se, &format!("domain {i}: variance"));
    }
    // Different domains of the same PSUs are correlated.
    assert!(v[[0, 1]] != 0.0, "{v:?}");
}
