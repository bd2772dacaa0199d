//! Edge cases of the estimation core, checked against variances computed by
//! hand from the textbook formula
//! `V = Σ_h f_h n_h/(n_h − 1) Σ_i (z_hi − z̄_h)²`
//! with `z_hi` the PSU totals of the linearised variable.

use polars::prelude::*;

use crate::design::{DesignError, DesignSpec, Filter, LonelyPsu, SurveyDesign};
use crate::estimate::{Estimate, EstimateTable};
use crate::quality::Quality;

fn first(t: EstimateTable) -> Estimate {
    t.into_estimates().swap_remove(0)
}

/// Strata A (PSUs 1, 2), B (PSUs 3, 4) and C (PSU 5 alone).
fn lonely_frame() -> DataFrame {
    df![
        "h" => ["A", "A", "A", "A", "B", "B", "B", "B", "C", "C"],
        "psu" => [1, 1, 2, 2, 3, 3, 4, 4, 5, 5],
        "w" => [2.0, 2.0, 3.0, 3.0, 1.0, 1.0, 4.0, 4.0, 2.0, 2.0],
        "y" => [1.0, 3.0, 2.0, 6.0, 5.0, 7.0, 1.0, 2.0, 4.0, 8.0],
    ]
    .expect("frame")
}

fn spec(policy: LonelyPsu) -> DesignSpec {
    DesignSpec::new()
        .weights("w")
        .strata("h")
        .cluster("psu")
        .lonely_psu(policy)
}

/// PSU totals of `w·y` (the linearised variable of a total), by stratum.
fn psu_totals() -> Vec<Vec<f64>> {
    vec![
        vec![2.0 * 1.0 + 2.0 * 3.0, 3.0 * 2.0 + 3.0 * 6.0],
        vec![5.0 + 7.0, 4.0 * 1.0 + 4.0 * 2.0],
        vec![2.0 * 4.0 + 2.0 * 8.0],
    ]
}

fn stratum_ss(z: &[f64]) -> f64 {
    let n = z.len() as f64;
    let mean = z.iter().sum::<f64>() / n;
    n / (n - 1.0) * z.iter().map(|v| (v - mean).powi(2)).sum::<f64>()
}

#[test]
fn lonely_psu_fail_names_the_stratum() {
    let err = SurveyDesign::new(lonely_frame(), spec(LonelyPsu::Fail)).expect_err("must fail");
    match &err {
        DesignError::LonelyPsu {
            stage,
            count,
            strata,
        } => {
            assert_eq!((*stage, *count), (1, 1));
            assert!(strata.contains("`C`"), "{strata}");
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert!(err.to_string().contains("una sola UPM"));
}

#[test]
fn lonely_psu_remove_and_certainty_drop_the_stratum() {
    let z = psu_totals();
    let want = stratum_ss(&z[0]) + stratum_ss(&z[1]);
    for policy in [LonelyPsu::Remove, LonelyPsu::Certainty] {
        let d = SurveyDesign::new(lonely_frame(), spec(policy)).expect("design");
        let t = d.total("y").expect("total");
        let e = &t.estimates()[0];
        assert!((e.estimate - 80.0).abs() < 1e-12, "total {}", e.estimate);
        assert!(
            (e.se * e.se - want).abs() < 1e-9 * want,
            "{policy}: {} vs {want}",
            e.se * e.se
        );
    }
}

#[test]
fn lonely_psu_adjust_centres_at_zero() {
    let z = psu_totals();
    // The lonely PSU's total is compared with 0 (the population mean of the
    // linearised variable) instead of its own value.
    let want = stratum_ss(&z[0]) + stratum_ss(&z[1]) + z[2][0] * z[2][0];
    let d = SurveyDesign::new(lonely_frame(), spec(LonelyPsu::Adjust)).expect("design");
    let e = first(d.total("y").expect("total"));
    assert!((e.se * e.se - want).abs() < 1e-9 * want);
}

#[test]
fn lonely_psu_average_rescales_by_strata_present() {
    let z = psu_totals();
    // Three strata present, two with a defined contribution.
    let want = (stratum_ss(&z[0]) + stratum_ss(&z[1])) * 3.0 / 2.0;
    let d = SurveyDesign::new(lonely_frame(), spec(LonelyPsu::Average)).expect("design");
    let e = first(d.total("y").expect("total"));
    assert!((e.se * e.se - want).abs() < 1e-9 * want);
    // A domain that misses stratum B: two strata present, one defined.
    let sub = d.subset(Filter::is_in("h", ["A", "C"])).expect("subset");
    let e = first(sub.total("y").expect("total"));
    let want = stratum_ss(&z[0]) * 2.0 / 1.0;
    assert!((e.se * e.se - want).abs() < 1e-9 * want);
}

#[test]
fn domain_absent_from_some_psus_pads_zero_totals() {
    // Domain "a" is absent from PSU 2 and PSU 4.
    let df = df![
        "h" => ["A", "A", "A", "A", "B", "B", "B", "B"],
        "psu" => [1, 1, 2, 2, 3, 3, 4, 4],
        "w" => [2.0, 2.0, 3.0, 3.0, 1.0, 1.0, 4.0, 4.0],
        "y" => [1.0, 3.0, 2.0, 6.0, 5.0, 7.0, 1.0, 2.0],
        "g" => ["a", "b", "b", "b", "a", "a", "b", "b"],
    ]
    .expect("frame");
    let d = SurveyDesign::new(
        df,
        DesignSpec::new().weights("w").strata("h").cluster("psu"),
    )
    .expect("design");
    let t = d.by(["g"]).expect("by").mean("y").expect("mean");
    let a = t.find(&["a"], None).expect("domain a");
    // Domain a: rows (w, y) = (2,1), (1,5), (1,7); N = 4, mean = 14/4 = 3.5.
    assert!((a.estimate - 3.5).abs() < 1e-12);
    // z = w (y − 3.5)/4 summed by PSU: PSU1 −1.25, PSU2 0, PSU3 1.25, PSU4 0.
    let want = stratum_ss(&[-1.25, 0.0]) + stratum_ss(&[1.25, 0.0]);
    assert!(
        (a.se * a.se - want).abs() < 1e-12,
        "{} vs {want}",
        a.se * a.se
    );
    // Degrees of freedom: 2 PSUs with members, 2 strata → 0.
    assert_eq!(a.df, 0.0);
    assert_eq!(a.n, 3);
    let same = d
        .subset(Filter::eq("g", "a"))
        .expect("subset")
        .mean("y")
        .expect("mean");
    assert_eq!(same.estimates()[0].se.to_bits(), a.se.to_bits());
}

#[test]
fn all_missing_domain_gives_nan_and_counts_the_missing() {
    let df = df![
        "psu" => [1, 1, 2, 2, 3, 3],
        "w" => [1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        "y" => [Some(1.0), Some(2.0), None, Some(4.0), None, Some(3.0)],
        "g" => ["a", "a", "b", "a", "b", "a"],
    ]
    .expect("frame");
    let d = SurveyDesign::new(df, DesignSpec::new().weights("w").cluster("psu")).expect("design");
    let t = d.by(["g"]).expect("by").mean("y").expect("mean");
    assert_eq!(t.len(), 2);
    let b = t.find(&["b"], None).expect("domain b");
    assert!(b.estimate.is_nan() && b.se.is_nan());
    assert_eq!((b.n, b.n_missing), (0, 2));
    assert_eq!(b.quality, Quality::Unreliable);
    let a = t.find(&["a"], None).expect("domain a");
    assert!((a.estimate - 2.5).abs() < 1e-12);
    assert_eq!((a.n, a.n_missing), (4, 0));
    // Without na.rm the domain with a missing value is NaN (R's NA) …
    let strict = d.with_na_rm(false).mean("y").expect("mean");
    assert!(strict.estimates()[0].estimate.is_nan());
    // … and with it the missing rows are left out.
    let all = d.mean("y").expect("mean");
    assert!((all.estimates()[0].estimate - 2.5).abs() < 1e-12);
    assert_eq!(all.estimates()[0].n_missing, 2);
}

#[test]
fn zero_weight_rows_change_nothing() {
    let base = df![
        "h" => ["A", "A", "B", "B"],
        "psu" => [1, 2, 3, 4],
        "w" => [2.0, 3.0, 1.0, 4.0],
        "y" => [1.0, 2.0, 5.0, 7.0],
    ]
    .expect("frame");
    let padded = df![
        "h" => ["A", "A", "A", "B", "B", "B"],
        "psu" => [1, 1, 2, 3, 4, 4],
        "w" => [2.0, 0.0, 3.0, 1.0, 4.0, 0.0],
        "y" => [1.0, 100.0, 2.0, 5.0, 7.0, -50.0],
    ]
    .expect("frame");
    let spec = DesignSpec::new().weights("w").strata("h").cluster("psu");
    let a = SurveyDesign::new(base, spec.clone()).expect("design");
    let b = SurveyDesign::new(padded, spec).expect("design");
    for (x, y) in [
        (a.mean("y"), b.mean("y")),
        (a.total("y"), b.total("y")),
        (a.var("y"), b.var("y")),
    ] {
        let (x, y) = (x.expect("a"), y.expect("b"));
        let (x, y) = (&x.estimates()[0], &y.estimates()[0]);
        assert!((x.estimate - y.estimate).abs() < 1e-12 * x.estimate.abs());
        assert!((x.se - y.se).abs() < 1e-12 * x.se);
        assert_eq!((x.n, x.df), (y.n, y.df));
    }
    assert_eq!(a.degrees_of_freedom(), b.degrees_of_freedom());
}

#[test]
fn constant_variable_has_zero_standard_error() {
    let df = df![
        "h" => ["A", "A", "B", "B", "B"],
        "psu" => [1, 2, 3, 4, 5],
        "w" => [2.0, 3.0, 1.0, 4.0, 2.5],
        "y" => [7.5, 7.5, 7.5, 7.5, 7.5],
    ]
    .expect("frame");
    let d = SurveyDesign::new(
        df,
        DesignSpec::new().weights("w").strata("h").cluster("psu"),
    )
    .expect("design");
    let e = first(d.mean("y").expect("mean"));
    assert_eq!(e.estimate, 7.5);
    assert_eq!(e.se, 0.0);
    assert_eq!(e.cv, 0.0);
    let v = first(d.var("y").expect("var"));
    assert_eq!((v.estimate, v.se), (0.0, 0.0));
}

#[test]
fn design_errors_name_row_and_column() {
    let df = df![
        "psu" => [Some(1), Some(2), None],
        "w" => [1.0, 2.0, 3.0],
    ]
    .expect("frame");
    let err = SurveyDesign::new(df, DesignSpec::new().weights("w").cluster("psu"))
        .expect_err("missing PSU");
    let msg = err.to_string();
    assert!(msg.contains("`psu`") && msg.contains("fila 3"), "{msg}");

    let df = df!["psu" => [1, 2], "w" => [1.0, -2.0]].expect("frame");
    let err = SurveyDesign::new(df, DesignSpec::new().weights("w").cluster("psu"))
        .expect_err("negative weight");
    assert!(err.to_string().contains("fila 2"), "{err}");

    let df =
        df!["h" => ["A", "B", "B"], "psu" => [1, 1, 2], "w" => [1.0, 1.0, 1.0]].expect("frame");
    let err = SurveyDesign::new(
        df,
        DesignSpec::new().weights("w").strata("h").cluster("psu"),
    )
    .expect_err("not nested");
    assert!(matches!(err, DesignError::NotNested { .. }), "{err}");

    let df = df!["psu" => [1, 2], "w" => [1.0, 1.0]].expect("frame");
    let err = SurveyDesign::new(df, DesignSpec::new().weights("peso").cluster("psu"))
        .expect_err("no such column");
    assert!(err.to_string().contains("`peso`") && err.to_string().contains("psu, w"));
}

#[test]
fn table_to_tidy_dataframe_and_text() {
    let df = df![
        "psu" => [1, 1, 2, 2, 3, 3, 4, 4],
        "w" => [1.0, 2.0, 1.5, 1.0, 2.0, 1.0, 1.0, 3.0],
        "zona" => ["norte", "sur", "norte", "sur", "norte", "sur", "norte", "sur"],
        "tenencia" => ["propia", "alquilada", "propia", "propia", "alquilada", "propia", "propia", "alquilada"],
    ]
    .expect("frame");
    let d = SurveyDesign::new(df, DesignSpec::new().weights("w").cluster("psu")).expect("design");
    let t = d.by(["zona"]).expect("by").prop("tenencia").expect("prop");
    assert_eq!(t.len(), 4, "2 domains × 2 levels");
    let frame = t.to_dataframe().expect("frame");
    let names: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    for col in [
        "statistic",
        "variable",
        "level",
        "level_en",
        "zona",
        "zona_en",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "cv",
        "deff",
        "df",
        "n",
        "population",
        "quality",
        "quality_en",
    ] {
        assert!(
            names.iter().any(|n| n == col),
            "missing column {col} in {names:?}"
        );
    }
    assert_eq!(frame.height(), 4);
    // Proportions of the two levels add up to 1 in each domain.
    let est = frame.column("estimate").expect("estimate");
    let est = est.f64().expect("f64");
    let sum: f64 = est.iter().flatten().sum();
    assert!((sum - 2.0).abs() < 1e-12);
    let text = t.to_string();
    assert!(text.contains("proporción") && text.contains("norte") && text.contains("CV %"));
    // The last column (quality) starts at the same place on every line.
    let widths: Vec<usize> = text
        .lines()
        .take(5)
        .map(|l| l.rfind("  ").map_or(0, |i| l[..i + 2].chars().count()))
        .collect();
    assert!(widths.windows(2).all(|w| w[0] == w[1]), "{text}");
}

/// An estimate's variance (made while the Taylor pass computes the
/// linearised cell totals) equals the covariance machinery's (from the cell
/// totals the estimate keeps), also where cancellation could bite: domain
/// means far from the overall one, a proportion near 1, a ratio of nearly
/// proportional variables.
#[test]
fn variance_matches_the_kept_linearisation() {
    let (mut h, mut psu, mut w, mut y, mut x, mut b, mut g) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut seed = 17u64;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    for s in 0..12 {
        for p in 0..4 {
            for _ in 0..15 {
                let dom = (next() * 4.0) as usize;
                h.push(format!("h{s}"));
                psu.push((s * 4 + p) as i64);
                w.push(50.0 + 100.0 * next());
                let v = 1e6 + 1e5 * dom as f64 + 50.0 * next() + 30.0 * p as f64;
                y.push(v);
                x.push(0.7 * v + next());
                b.push(if next() < 0.98 { 1.0 } else { 0.0 });
                g.push(format!("d{dom}"));
            }
        }
    }
    let df = df!["h" => h, "psu" => psu, "w" => w, "y" => y, "x" => x, "b" => b, "g" => g]
        .expect("frame");
    let d = SurveyDesign::new(
        df,
        DesignSpec::new().weights("w").strata("h").cluster("psu"),
    )
    .expect("design");
    let by = d.by(["g"]).expect("by");
    let tables = [
        by.mean("y").expect("mean"),
        by.total("y").expect("total"),
        by.ratio("x", "y").expect("ratio"),
        by.mean("b").expect("proportion"),
        by.prop("g").expect("levels"),
        d.mean("y").expect("mean"),
    ];
    for t in &tables {
        for e in t.estimates() {
            let v = crate::estimate::covariance(&[e]).expect("covariance")[[0, 0]];
            // Relative to the project's 1e-9; a zero variance (a domain
            // with b = 1 throughout) is rounding noise below (1e-12·est)².
            let rel = (e.se * e.se - v).abs() / v.abs().max(1e-300);
            let zero = 1e-24 * e.estimate * e.estimate;
            assert!(
                rel < 1e-9 || (e.se * e.se < zero && v.abs() < zero),
                "{:?} {:?}: {} vs {v}",
                e.statistic,
                e.domain,
                e.se * e.se
            );
        }
    }
}
