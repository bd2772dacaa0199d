//! Cross-check of replicate weights, calibration and survey regression against R's `survey`
//! (reference values: `tests/r/weighting.R` → `tests/reference/weighting.json`; data:
//! `tests/data/api*.csv`).
//!
//! Tolerance: 1e-9 relative everywhere, except where stated:
//! * iterative calibrations (raking `calfun`, bounded linear): both R and we stop at R's rule
//!   (`|misfit|/(1+|total|) < 1e-7`) after the same Newton steps from the same start, so the
//!   weights agree to rounding — still compared at 1e-9;
//! * a standard error below 1e-7 of its estimate (a calibrated count: zero up to rounding and
//!   the calibration's stopping rule, R's epsilon = 1e-7) is compared absolutely at
//!   1e-7 × estimate;
//! * p-values of regression coefficients: 1e-6 relative, because p-values far in the tail
//!   (down to 1e-134) come from different incomplete-beta implementations (R's `pt` vs statrs).

use std::collections::HashMap;

use lapaz_survey::weighting::replicate::{
    LonelyPsu, PsuLayout, ReplicateFactors, ReplicateType, ReplicateWeights, brr_factors,
    jk1_factors, jkn_factors, sdr_factors,
};
use lapaz_survey::weighting::{
    CalibrationOptions, Margin, RakeControl, calibrate_weights, hadamard::Hadamard,
    poststratify_replicates, poststratify_weights, rake_weights, trim_weights,
};
use lapaz_survey_tests::{assert_close, tests_dir};
use ndarray::{Array2, ArrayView2};
use serde_json::Value;

const REL: f64 = 1e-9;
/// R's `calibrate` tolerance: SEs of calibrated counts are zero up to this (relative).
const CAL_EPSILON: f64 = 1e-7;
/// Below this, a reference value is rounding noise around zero and is compared absolutely.
const ZERO: f64 = 1e-10;

fn reference() -> Value {
    let path = tests_dir().join("reference/weighting.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("valid JSON")
}

/// A CSV table as columns of text.
struct Table {
    cols: HashMap<String, Vec<String>>,
    n: usize,
}

impl Table {
    fn read(name: &str) -> Table {
        let path = tests_dir().join("data").join(format!("{name}.csv"));
        let mut rdr =
            csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let headers: Vec<String> = rdr
            .headers()
            .expect("header")
            .iter()
            .map(String::from)
            .collect();
        let mut cols: HashMap<String, Vec<String>> =
            headers.iter().map(|h| (h.clone(), Vec::new())).collect();
        let mut n = 0;
        for rec in rdr.records() {
            let rec = rec.expect("record");
            for (h, v) in headers.iter().zip(rec.iter()) {
                cols.get_mut(h).expect("column").push(v.to_string());
            }
            n += 1;
        }
        Table { cols, n }
    }
    fn text(&self, c: &str) -> &[String] {
        self.cols.get(c).unwrap_or_else(|| panic!("no column {c}"))
    }
    fn num(&self, c: &str) -> Vec<f64> {
        self.text(c)
            .iter()
            .map(|v| v.parse::<f64>().unwrap_or(f64::NAN))
            .collect()
    }
    /// Rows reordered by `order` (indices).
    fn reorder(&self, order: &[usize]) -> Table {
        let cols = self
            .cols
            .iter()
            .map(|(k, v)| (k.clone(), order.iter().map(|&i| v[i].clone()).collect()))
            .collect();
        Table {
            cols,
            n: order.len(),
        }
    }
}

fn nums(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(a) => a.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect(),
        Value::Number(x) => vec![x.as_f64().unwrap_or(f64::NAN)],
        other => panic!("not numbers: {other}"),
    }
}

fn check(what: &str, got: &[f64], want: &Value, rel: f64) {
    let want = nums(want);
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        if w.abs() < ZERO {
            // R's zero (e.g. the SE of a proportion that is fixed by the strata) is rounding noise
            // on both sides: compare absolutely.
            assert!((g - w).abs() < ZERO, "{what}[{i}]: got {g:e}, want {w:e}");
        } else {
            assert_close(&format!("{what}[{i}]"), *g, *w, rel);
        }
    }
}

/// Estimate and SE of R's output `{estimate, se}`.
fn check_est(what: &str, got: &[(f64, f64)], want: &Value) {
    let est: Vec<f64> = got.iter().map(|g| g.0).collect();
    let se: Vec<f64> = got.iter().map(|g| g.1).collect();
    check(&format!("{what} estimate"), &est, &want["estimate"], REL);
    // An SE below 1e-7 of its estimate is zero up to rounding and stopping rules in R and here
    // (the count of a category that calibration fixes: iterative calibrations stop at
    // |misfit| < 1e-7 (1 + total), R's epsilon): compared absolutely at that scale.
    let want_se = nums(&want["se"]);
    let want_est = nums(&want["estimate"]);
    for (i, ((g, w), e)) in se.iter().zip(&want_se).zip(&want_est).enumerate() {
        let noise = CAL_EPSILON * e.abs();
        if w.abs() < noise {
            assert!(
                g.abs() < noise,
                "{what} se[{i}]: got {g:e}, want ≈ 0 ({w:e})"
            );
        } else {
            check(&format!("{what} se[{i}]"), &[*g], &Value::from(*w), REL);
        }
    }
}

fn stype_codes(t: &Table) -> Vec<u32> {
    // Levels sorted, as R's factor: E, H, M.
    t.text("stype")
        .iter()
        .map(|s| match s.as_str() {
            "E" => 0,
            "H" => 1,
            "M" => 2,
            other => panic!("stype {other}"),
        })
        .collect()
}

/// The estimates of `battery()` in weighting.R on replicate weights, computed from replicate
/// totals (mean, total, ratio, proportions of stype, mean by stype).
fn rep_battery(rw: &ReplicateWeights, w: &[f64], t: &Table, want: &Value, name: &str) {
    let api00 = t.num("api00");
    let enroll = t.num("enroll");
    let api_stu = t.num("api.stu");
    let stype = stype_codes(t);
    let n = t.n;
    // Columns: 1, api00, enroll, api.stu, stype==E/H/M, api00·[stype==E/H/M].
    let mut vals = Array2::<f64>::zeros((n, 10));
    for i in 0..n {
        vals[[i, 0]] = 1.0;
        vals[[i, 1]] = api00[i];
        vals[[i, 2]] = enroll[i];
        vals[[i, 3]] = api_stu[i];
        vals[[i, 4 + stype[i] as usize]] = 1.0;
        vals[[i, 7 + stype[i] as usize]] = api00[i];
    }
    let full: Vec<f64> = (0..10)
        .map(|k| (0..n).map(|i| w[i] * vals[[i, k]]).sum())
        .collect();
    let reps = rw.replicate_totals(w, vals.view());
    let est = |f: &dyn Fn(&[f64]) -> f64| -> (f64, f64) {
        let theta = f(&full);
        let r: Vec<f64> = reps
            .rows()
            .into_iter()
            .map(|row| f(row.as_slice().expect("contiguous")))
            .collect();
        (theta, rw.variance(theta, &r).sqrt())
    };
    check_est(
        &format!("{name} mean"),
        &[est(&|t| t[1] / t[0])],
        &want["mean_api00"],
    );
    check_est(
        &format!("{name} total"),
        &[est(&|t| t[2])],
        &want["total_enroll"],
    );
    check_est(
        &format!("{name} ratio"),
        &[est(&|t| t[3] / t[2])],
        &want["ratio_api_stu_enroll"],
    );
    let props: Vec<(f64, f64)> = (0..3)
        .map(|k| est(&move |t: &[f64]| t[4 + k] / t[0]))
        .collect();
    check_est(&format!("{name} prop"), &props, &want["prop_stype"]);
    let by: Vec<(f64, f64)> = (0..3)
        .map(|k| est(&move |t: &[f64]| t[7 + k] / t[4 + k]))
        .collect();
    check_est(&format!("{name} by"), &by, &want["by_stype_mean_api00"]);
}

fn layout_from(strata: &[String], psus: &[f64], popsize: Option<&[f64]>) -> PsuLayout {
    let mut labels: Vec<String> = strata.to_vec();
    labels.sort();
    labels.dedup();
    let codes: Vec<u32> = strata
        .iter()
        .map(|s| labels.binary_search(s).expect("label") as u32)
        .collect();
    let ids: Vec<u64> = psus.iter().map(|&p| p as u64).collect();
    PsuLayout::from_rows(&codes, &ids, |c| labels[c as usize].clone(), popsize).expect("layout")
}

/// R's compressed factors `{psu, factors}` as a builder's output for `layout` (rows by PSU id).
fn r_factors(
    v: &Value,
    layout_ids: &[f64],
    row_psu: &[u32],
    rep_type: ReplicateType,
    scale: f64,
    rscales: Vec<f64>,
) -> ReplicateFactors {
    let ids = nums(&v["psu"]);
    let rows: Vec<Vec<f64>> = v["factors"]
        .as_array()
        .expect("factors")
        .iter()
        .map(nums)
        .collect();
    let r = rows[0].len();
    let n_psu = row_psu.iter().copied().max().map_or(0, |m| m as usize + 1);
    let mut f = Array2::<f64>::zeros((n_psu, r));
    for (row, id) in layout_ids.iter().enumerate() {
        let k = ids
            .iter()
            .position(|x| x == id)
            .expect("psu id in R's factors");
        f.row_mut(row_psu[row] as usize)
            .assign(&ndarray::Array1::from(rows[k].clone()));
    }
    ReplicateFactors {
        factors: f,
        scale,
        rscales,
        rep_type,
    }
}

#[test]
fn hadamard_matrices_match_r() {
    let r = reference();
    let orders = nums(&r["hadamard_order"]);
    for (i, &o) in orders.iter().enumerate() {
        assert_eq!(
            Hadamard::for_strata(i + 1).order(),
            o as usize,
            "order for {} strata",
            i + 1
        );
    }
    for m in r["hadamard"].as_array().expect("matrices") {
        let n = m["n"].as_u64().expect("n") as usize;
        let h = Hadamard::for_strata(n);
        for (i, row) in m["rows"].as_array().expect("rows").iter().enumerate() {
            let want: Vec<i8> = nums(row)
                .iter()
                .map(|&v| if v == 1.0 { 1 } else { -1 })
                .collect();
            assert_eq!(h.row(i), want.as_slice(), "hadamard({n}) row {i}");
        }
    }
}

#[test]
fn jackknife_replicates_match_r() {
    let r = reference();
    let t = Table::read("apiclus1");
    let w = t.num("pw");
    let ones = vec!["1".to_string(); t.n];
    let fpc = t.num("fpc");
    let layout = layout_from(&ones, &t.num("dnum"), Some(&fpc));
    let built = jk1_factors(&layout).expect("jk1");
    let jk = &r["jk1"];
    assert_close(
        "jk1 scale",
        built.scale,
        jk["scale"].as_f64().expect("scale"),
        REL,
    );
    // Our factors are R's (same PSU order: first appearance).
    let rf = r_factors(
        &jk["factors"],
        &t.num("dnum"),
        &layout.row_psu,
        ReplicateType::Jk1,
        0.0,
        vec![],
    );
    assert_eq!(built.factors, rf.factors);
    let rw = ReplicateWeights::from_factors(built, layout.row_psu.clone(), false).expect("rw");
    assert_eq!(rw.degf() as f64, jk["degf"].as_f64().expect("degf"));
    rep_battery(&rw, &w, &t, jk, "jk1");

    let layout0 = layout_from(&ones, &t.num("dnum"), None);
    let rw0 = ReplicateWeights::from_factors(
        jk1_factors(&layout0).expect("jk1"),
        layout0.row_psu.clone(),
        false,
    )
    .expect("rw");
    rep_battery(&rw0, &w, &t, &r["jk1_nofpc"], "jk1 no fpc");

    let s = Table::read("apistrat");
    let ls = layout_from(s.text("stype"), &s.num("snum"), Some(&s.num("fpc")));
    let jkn = jkn_factors(&ls, LonelyPsu::Fail).expect("jkn");
    assert_eq!(
        jkn.factors.ncols(),
        r["jkn"]["replicates"].as_u64().expect("R") as usize
    );
    let rw = ReplicateWeights::from_factors(jkn, ls.row_psu.clone(), false).expect("rw");
    assert_eq!(rw.degf() as f64, r["jkn"]["degf"].as_f64().expect("degf"));
    rep_battery(&rw, &s.num("pw"), &s, &r["jkn"], "jkn");
}

#[test]
fn bootstrap_with_r_factors_matches_r() {
    let r = reference();
    let t = Table::read("apiclus1");
    let ones = vec!["1".to_string(); t.n];
    let layout = layout_from(&ones, &t.num("dnum"), None);
    let b = &r["bootstrap"];
    let f = r_factors(
        &b["factors"],
        &t.num("dnum"),
        &layout.row_psu,
        ReplicateType::Bootstrap,
        b["scale"].as_f64().expect("scale"),
        nums(&b["rscales"]),
    );
    let rw = ReplicateWeights::from_factors(f, layout.row_psu.clone(), false).expect("rw");
    assert_eq!(rw.degf() as f64, b["degf"].as_f64().expect("degf"));
    rep_battery(&rw, &t.num("pw"), &t, b, "bootstrap");

    let s = Table::read("apistrat");
    let ls = layout_from(s.text("stype"), &s.num("snum"), None);
    let sb = &r["subbootstrap"];
    // Our Rao–Wu builder has R's subbootstrap scale 1/(R − 1).
    let ours = lapaz_survey::weighting::replicate::bootstrap_factors(
        &ls,
        40,
        1,
        &lapaz_survey::weighting::NoProgress,
    )
    .expect("boot");
    assert_close(
        "subbootstrap scale",
        ours.scale,
        sb["scale"].as_f64().expect("scale"),
        REL,
    );
    let f = r_factors(
        &sb["factors"],
        &s.num("snum"),
        &ls.row_psu,
        ReplicateType::Bootstrap,
        ours.scale,
        nums(&sb["rscales"]),
    );
    // R's Rao–Wu factors have the defining property of ours: Σ per stratum = n_h.
    for g in ls.psus_by_stratum() {
        for c in 0..40 {
            let sum: f64 = g.iter().map(|&p| f.factors[[p, c]]).sum();
            assert_close("Rao–Wu stratum sum", sum, g.len() as f64, 1e-12);
        }
    }
    let rw = ReplicateWeights::from_factors(f, ls.row_psu.clone(), false).expect("rw");
    rep_battery(&rw, &s.num("pw"), &s, sb, "subbootstrap");
}

fn pairs_table(r: &Value) -> Table {
    let s = Table::read("apistrat");
    let snum = s.num("snum");
    let order: Vec<usize> = nums(&r["pairs_order"])
        .iter()
        .map(|id| snum.iter().position(|x| x == id).expect("snum"))
        .collect();
    let mut t = s.reorder(&order);
    // Pair labels as weighting.R builds them: stype-k, k = 1, 1, 2, 2, ... within stype.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let pair: Vec<String> = t
        .text("stype")
        .to_vec()
        .iter()
        .map(|st| {
            let c = seen.entry(st.clone()).or_insert(0);
            *c += 1;
            format!("{st}-{}", (*c + 1) / 2)
        })
        .collect();
    t.cols.insert("pair".into(), pair);
    t
}

#[test]
fn brr_and_fay_match_r() {
    let r = reference();
    let t = pairs_table(&r);
    let layout = layout_from(t.text("pair"), &t.num("snum"), None);
    assert_eq!(
        layout.n_strata() as f64,
        r["brr"]["strata"].as_f64().expect("strata")
    );
    let w = t.num("pw");
    let brr = brr_factors(&layout, 0.0).expect("brr");
    assert_eq!(
        brr.factors.ncols() as f64,
        r["brr"]["replicates"].as_f64().expect("R")
    );
    assert_close(
        "brr scale",
        brr.scale,
        r["brr"]["scale"].as_f64().expect("scale"),
        REL,
    );
    let rw = ReplicateWeights::from_factors(brr, layout.row_psu.clone(), false).expect("rw");
    assert_eq!(rw.degf() as f64, r["brr"]["degf"].as_f64().expect("degf"));
    rep_battery(&rw, &w, &t, &r["brr"], "brr");
    let fay = brr_factors(&layout, 0.5).expect("fay");
    assert_close(
        "fay scale",
        fay.scale,
        r["fay"]["scale"].as_f64().expect("scale"),
        REL,
    );
    let rw = ReplicateWeights::from_factors(fay, layout.row_psu.clone(), false).expect("rw");
    rep_battery(&rw, &w, &t, &r["fay"], "fay");

    // The small design: our factors equal R's exactly.
    let small = t.reorder(&(0..14).collect::<Vec<_>>());
    let ls = layout_from(small.text("pair"), &small.num("snum"), None);
    let ours = brr_factors(&ls, 0.0).expect("brr");
    let theirs = r_factors(
        &r["brr_small"]["factors"],
        &small.num("snum"),
        &ls.row_psu,
        ReplicateType::Brr,
        0.0,
        vec![],
    );
    assert_eq!(ours.factors, theirs.factors);
}

#[test]
fn user_replicate_columns_follow_svrepdesign() {
    let r = reference();
    let t = Table::read("apiclus1");
    let w = t.num("pw");
    let ones = vec!["1".to_string(); t.n];
    let layout = layout_from(&ones, &t.num("dnum"), Some(&t.num("fpc")));
    let jk = ReplicateWeights::from_factors(
        jk1_factors(&layout).expect("jk1"),
        layout.row_psu.clone(),
        false,
    )
    .expect("rw");
    let combined = jk.analysis_weights(&w);
    let u = &r["user"];
    let api00 = t.num("api00");
    let enroll = t.num("enroll");
    let api_stu = t.num("api.stu");
    let mean_total = |rw: &ReplicateWeights, case: &Value, name: &str| {
        let vals =
            Array2::from_shape_fn((t.n, 4), |(i, k)| [1.0, api00[i], enroll[i], api_stu[i]][k]);
        let full: Vec<f64> = (0..4)
            .map(|k| (0..t.n).map(|i| w[i] * vals[[i, k]]).sum())
            .collect();
        let reps = rw.replicate_totals(&w, vals.view());
        let est = |f: &dyn Fn(ArrayView2<f64>, usize) -> f64, theta: f64| {
            let rr: Vec<f64> = (0..reps.nrows()).map(|k| f(reps.view(), k)).collect();
            (theta, rw.variance(theta, &rr).sqrt())
        };
        check_est(
            &format!("{name} mean"),
            &[est(&|m, k| m[[k, 1]] / m[[k, 0]], full[1] / full[0])],
            &case["mean_api00"],
        );
        check_est(
            &format!("{name} total"),
            &[est(&|m, k| m[[k, 2]], full[2])],
            &case["total_enroll"],
        );
        if case.get("ratio_api_stu_enroll").is_some() {
            check_est(
                &format!("{name} ratio"),
                &[est(&|m, k| m[[k, 3]] / m[[k, 2]], full[3] / full[2])],
                &case["ratio_api_stu_enroll"],
            );
        }
    };
    let scale = r["jk1"]["scale"].as_f64().expect("scale");
    let rw = ReplicateWeights::from_columns(
        combined.clone(),
        &w,
        ReplicateType::Jk1,
        true,
        Some(scale),
        None,
        false,
    )
    .expect("jk1");
    mean_total(&rw, &u["jk1_scale"], "user jk1");
    let rs = nums(&u["jkn_rscales"]["rscales"]);
    let rw = ReplicateWeights::from_columns(
        combined.clone(),
        &w,
        ReplicateType::Jkn,
        true,
        None,
        Some(rs),
        false,
    )
    .expect("jkn");
    mean_total(&rw, &u["jkn_rscales"], "user jkn");
    let rw = ReplicateWeights::from_columns(
        combined.clone(),
        &w,
        ReplicateType::Bootstrap,
        true,
        None,
        None,
        false,
    )
    .expect("boot");
    assert_close(
        "bootstrap default scale",
        rw.scale(),
        u["bootstrap_default"]["scale"].as_f64().expect("s"),
        REL,
    );
    mean_total(&rw, &u["bootstrap_default"], "user bootstrap");
    let rs = nums(&u["other_scale_rscales"]["rscales"]);
    let rw = ReplicateWeights::from_columns(
        combined.clone(),
        &w,
        ReplicateType::Other,
        true,
        Some(0.3),
        Some(rs),
        false,
    )
    .expect("other");
    mean_total(&rw, &u["other_scale_rscales"], "user other");
    let rw = ReplicateWeights::from_columns(
        combined.clone(),
        &w,
        ReplicateType::Jk1,
        true,
        Some(scale),
        None,
        true,
    )
    .expect("mse");
    mean_total(&rw, &u["jk1_mse"], "user mse");
    let mut factors = combined.clone();
    for (mut row, &wi) in factors.rows_mut().into_iter().zip(&w) {
        row /= wi;
    }
    let rw = ReplicateWeights::from_columns(
        factors,
        &w,
        ReplicateType::Jk1,
        false,
        Some(scale),
        None,
        false,
    )
    .expect("factors");
    mean_total(&rw, &u["factors_not_combined"], "user factors");
    assert!(
        ReplicateWeights::from_columns(combined, &w, ReplicateType::Jkn, true, None, None, false)
            .is_err(),
        "JKn needs rscales"
    );

    // SDR: R's factors (built by the documented rule) equal ours; scale 4/R.
    let small = pairs_table(&r).reorder(&(0..14).collect::<Vec<_>>());
    let ids = small.num("snum");
    let ones = vec!["1".to_string(); 14];
    let ls = layout_from(&ones, &ids, None);
    let ours = sdr_factors(&ls).expect("sdr");
    let theirs: Vec<Vec<f64>> = u["sdr"]["factors"]
        .as_array()
        .expect("f")
        .iter()
        .map(nums)
        .collect();
    for (i, row) in theirs.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            assert_close("sdr factor", ours.factors[[i, c]], *v, 1e-14);
        }
    }
    assert_close(
        "sdr scale",
        ours.scale,
        u["sdr"]["scale"].as_f64().expect("s"),
        REL,
    );
    let ws = small.num("pw");
    let cols = Array2::from_shape_fn((14, ours.factors.ncols()), |(i, c)| ours.factors[[i, c]]);
    let rw = ReplicateWeights::from_columns(
        cols,
        &ws,
        ReplicateType::SuccessiveDifference,
        false,
        None,
        None,
        false,
    )
    .expect("sdr");
    let api = small.num("api00");
    let vals = Array2::from_shape_fn((14, 2), |(i, k)| if k == 0 { 1.0 } else { api[i] });
    let reps = rw.replicate_totals(&ws, vals.view());
    let n_hat: f64 = ws.iter().sum();
    let mean = (0..14).map(|i| ws[i] * api[i]).sum::<f64>() / n_hat;
    let rm: Vec<f64> = reps.rows().into_iter().map(|r| r[1] / r[0]).collect();
    check_est(
        "sdr mean",
        &[(mean, rw.variance(mean, &rm).sqrt())],
        &u["sdr"]["mean_api00"],
    );
}

#[test]
fn calibrated_weights_match_r() {
    let r = reference();
    let cal = &r["calibration"];
    let t = Table::read("apiclus1");
    let w = t.num("pw");
    let stype = stype_codes(&t);
    let schwide: Vec<u32> = t
        .text("sch.wide")
        .iter()
        .map(|s| u32::from(s == "Yes"))
        .collect();
    let labels = |g: usize| g.to_string();
    let pop_types = [4421.0, 755.0, 1018.0];
    let pop_sw = [1072.0, 5122.0];

    let (ps, rep) = poststratify_weights(&w, &stype, &pop_types, "stype", &labels).expect("ps");
    assert!(rep.converged);
    check(
        "postStratify weights",
        &ps,
        &cal["poststratify"]["weights"],
        REL,
    );

    let margins = vec![
        Margin {
            variable: "stype".into(),
            codes: stype.clone(),
            totals: pop_types.to_vec(),
            labels: vec!["E".into(), "H".into(), "M".into()],
        },
        Margin {
            variable: "sch.wide".into(),
            codes: schwide.clone(),
            totals: pop_sw.to_vec(),
            labels: vec!["No".into(), "Yes".into()],
        },
    ];
    let raked = rake_weights(&w, &margins, RakeControl::default(), None).expect("rake");
    check("rake weights", &raked.weights, &cal["rake"]["weights"], REL);
    let tight = rake_weights(
        &w,
        &margins,
        RakeControl {
            maxit: 100,
            epsilon: 0.001,
        },
        None,
    )
    .expect("rake");
    check(
        "rake tight weights",
        &tight.weights,
        &cal["rake_tight"]["weights"],
        REL,
    );
    assert!(tight.report.converged);

    let api99 = t.num("api99");
    let x = Array2::from_shape_fn((t.n, 4), |(i, j)| match j {
        0 => 1.0,
        1 => f64::from(u8::from(stype[i] == 1)),
        2 => f64::from(u8::from(stype[i] == 2)),
        _ => api99[i],
    });
    let pop = nums(&cal["population"]);
    for (case, opts) in [
        ("linear", CalibrationOptions::linear()),
        (
            "linear_bounded",
            CalibrationOptions::linear().bounds(0.45, 1.75),
        ),
        ("raking", CalibrationOptions::raking()),
        (
            "raking_bounded",
            CalibrationOptions::raking().bounds(0.3, 1.6),
        ),
    ] {
        let (g, report) = calibrate_weights(x.view(), &w, &pop, &opts).expect(case);
        assert!(
            report.converged && report.max_margin_error < 1e-7,
            "{case}: {report}"
        );
        let new: Vec<f64> = w.iter().zip(&g).map(|(a, b)| a * b).collect();
        check(&format!("{case} weights"), &new, &cal[case]["weights"], REL);
    }
    assert!(cal["infeasible_fails"].as_bool().expect("bool"));
    let err = calibrate_weights(
        x.view(),
        &w,
        &pop,
        &CalibrationOptions::linear().bounds(0.99, 1.01),
    );
    assert!(matches!(
        err,
        Err(lapaz_survey::weighting::WeightingError::NotConverged { .. })
    ));

    let s = Table::read("apistrat");
    let (tw, _) = trim_weights(&s.num("pw"), 18.0, 40.0, false).expect("trim");
    check("trim weights", &tw, &cal["trim"]["weights"], REL);
    let (tws, _) = trim_weights(&s.num("pw"), 18.0, 40.0, true).expect("trim");
    check(
        "trim strict weights",
        &tws,
        &cal["trim_strict"]["weights"],
        REL,
    );

    // Replicate weights calibrated in the same pass: estimates and SEs as R.
    let ones = vec!["1".to_string(); t.n];
    let layout = layout_from(&ones, &t.num("dnum"), Some(&t.num("fpc")));
    let jk = ReplicateWeights::from_factors(
        jk1_factors(&layout).expect("jk1"),
        layout.row_psu.clone(),
        false,
    )
    .expect("rw");
    let api00 = t.num("api00");
    let enroll = t.num("enroll");
    let rep_check = |name: &str, weights: &[f64], analysis: Array2<f64>, want: &Value| {
        check(&format!("{name} weights"), weights, &want["weights"], REL);
        let rw = ReplicateWeights::from_columns(
            analysis,
            weights,
            ReplicateType::Jk1,
            true,
            Some(jk.scale()),
            None,
            false,
        )
        .expect("rw");
        let vals =
            Array2::from_shape_fn((t.n, 2), |(i, k)| if k == 0 { api00[i] } else { enroll[i] });
        let n_hat: f64 = weights.iter().sum();
        let full: Vec<f64> = (0..2)
            .map(|k| (0..t.n).map(|i| weights[i] * vals[[i, k]]).sum())
            .collect();
        let ones_col = Array2::from_elem((t.n, 1), 1.0);
        let rn = rw.replicate_totals(weights, ones_col.view());
        let reps = rw.replicate_totals(weights, vals.view());
        let rm: Vec<f64> = (0..reps.nrows())
            .map(|k| reps[[k, 0]] / rn[[k, 0]])
            .collect();
        let rt: Vec<f64> = (0..reps.nrows()).map(|k| reps[[k, 1]]).collect();
        let mean = full[0] / n_hat;
        check_est(
            &format!("{name} mean"),
            &[(mean, rw.variance(mean, &rm).sqrt())],
            &want["mean_api00"],
        );
        check_est(
            &format!("{name} total"),
            &[(full[1], rw.variance(full[1], &rt).sqrt())],
            &want["total_enroll"],
        );
    };
    let mut a = jk.analysis_weights(&w);
    poststratify_replicates(&mut a, &stype, &pop_types);
    rep_check("postStratify rep", &ps, a, &cal["poststratify_rep"]);
    let raked = rake_weights(
        &w,
        &margins,
        RakeControl::default(),
        Some(jk.analysis_weights(&w)),
    )
    .expect("rake");
    rep_check(
        "rake rep",
        &raked.weights,
        raked.replicates.expect("reps"),
        &cal["rake_rep"],
    );
    for (case, opts) in [
        ("linear_rep", CalibrationOptions::linear()),
        ("raking_rep", CalibrationOptions::raking()),
    ] {
        let (g, _) = calibrate_weights(x.view(), &w, &pop, &opts).expect(case);
        let new: Vec<f64> = w.iter().zip(&g).map(|(a, b)| a * b).collect();
        let mut a = jk.analysis_weights(&w);
        for c in 0..a.ncols() {
            let col: Vec<f64> = a.column(c).to_vec();
            let (gr, _) = calibrate_weights(x.view(), &col, &pop, &opts).expect("replicate");
            for i in 0..t.n {
                a[[i, c]] = col[i] * gr[i];
            }
        }
        rep_check(case, &new, a, &cal[case]);
    }
}

// ---- Design level: the same numbers through `SurveyDesign` --------------------------------------

use lapaz_survey::design::{DesignSpec, SurveyDesign};
use lapaz_survey::model::Regression;
use lapaz_survey::polars::prelude::{Column, DataFrame, NamedFrom, Series};
use lapaz_survey::weighting::{CalibrationTargets, ReplicateColumns, ReplicateMethod};

/// The table as a DataFrame: numeric columns as f64 (NA → null), others as text.
fn frame(t: &Table) -> DataFrame {
    let mut names: Vec<&String> = t.cols.keys().collect();
    names.sort();
    let cols: Vec<Column> = names
        .into_iter()
        .map(|name| {
            let v = &t.cols[name];
            let numeric = v
                .iter()
                .all(|x| x == "NA" || x.is_empty() || x.parse::<f64>().is_ok());
            if numeric {
                let vals: Vec<Option<f64>> = v.iter().map(|x| x.parse::<f64>().ok()).collect();
                Series::new(name.as_str().into(), vals).into()
            } else {
                Series::new(name.as_str().into(), v.clone()).into()
            }
        })
        .collect();
    DataFrame::new(t.n, cols).expect("frame")
}

fn dclus1() -> SurveyDesign {
    let t = Table::read("apiclus1");
    SurveyDesign::new(
        frame(&t),
        DesignSpec::new().weights("pw").cluster("dnum").fpc("fpc"),
    )
    .expect("dclus1")
}

fn dstrat() -> SurveyDesign {
    let t = Table::read("apistrat");
    SurveyDesign::new(
        frame(&t),
        DesignSpec::new().weights("pw").strata("stype").fpc("fpc"),
    )
    .expect("dstrat")
}

fn est_se(t: &lapaz_survey::estimate::EstimateTable) -> Vec<(f64, f64)> {
    t.estimates().iter().map(|e| (e.estimate, e.se)).collect()
}

/// `battery()` of weighting.R through the design's estimators.
fn design_battery(d: &SurveyDesign, want: &Value, name: &str) {
    check_est(
        &format!("{name} mean"),
        &est_se(&d.mean("api00").expect("mean")),
        &want["mean_api00"],
    );
    check_est(
        &format!("{name} total"),
        &est_se(&d.total("enroll").expect("total")),
        &want["total_enroll"],
    );
    check_est(
        &format!("{name} ratio"),
        &est_se(&d.ratio("api.stu", "enroll").expect("ratio")),
        &want["ratio_api_stu_enroll"],
    );
    check_est(
        &format!("{name} prop"),
        &est_se(&d.prop("stype").expect("prop")),
        &want["prop_stype"],
    );
    let by = d.by(["stype"]).expect("by").mean("api00").expect("by mean");
    check_est(
        &format!("{name} by"),
        &est_se(&by),
        &want["by_stype_mean_api00"],
    );
}

/// apiclus1 (`df`, rows as `t`) with R's bootstrap factors (`b = r["bootstrap"]`) as replicate
/// columns `rep01..`: R's `svrepdesign(type = "bootstrap", scale = rboot$scale)` of them.
fn r_bootstrap_columns(mut df: DataFrame, t: &Table, b: &Value) -> SurveyDesign {
    let ids = nums(&b["factors"]["psu"]);
    let rows: Vec<Vec<f64>> = b["factors"]["factors"]
        .as_array()
        .expect("f")
        .iter()
        .map(nums)
        .collect();
    let dnum = t.num("dnum");
    let mut names = Vec::new();
    for c in 0..rows[0].len() {
        let name = format!("rep{:02}", c + 1);
        let v: Vec<f64> = dnum
            .iter()
            .map(|d| rows[ids.iter().position(|x| x == d).expect("psu")][c])
            .collect();
        df.with_column(Column::from(Series::new(name.as_str().into(), v)))
            .expect("column");
        names.push(name);
    }
    let d = SurveyDesign::new(
        df,
        DesignSpec::new().weights("pw").cluster("dnum").fpc("fpc"),
    )
    .expect("design");
    let spec = ReplicateColumns::with_prefix(&d, "rep", ReplicateType::Bootstrap)
        .factors()
        .scale(b["scale"].as_f64().expect("scale"))
        .rscales(nums(&b["rscales"]));
    assert_eq!(spec.columns, names);
    d.with_replicate_columns(&spec).expect("rep")
}

#[test]
fn replicate_designs_estimate_as_r() {
    let r = reference();
    let jk = dclus1().replicate(ReplicateMethod::Jk1).expect("jk1");
    design_battery(&jk, &r["jk1"], "design jk1");
    let df = jk.mean("api00").expect("mean").estimates()[0].df;
    assert_eq!(df, r["jk1"]["degf"].as_f64().expect("degf"));
    design_battery(
        &dstrat().replicate(ReplicateMethod::Jkn).expect("jkn"),
        &r["jkn"],
        "design jkn",
    );

    // R's bootstrap factors as replicate columns of the data (svrepdesign, factors).
    let t = Table::read("apiclus1");
    let b = &r["bootstrap"];
    design_battery(
        &r_bootstrap_columns(frame(&t), &t, b),
        b,
        "design bootstrap columns",
    );
}

fn targets_stype() -> Vec<(Vec<String>, f64)> {
    vec![
        (vec!["E".into()], 4421.0),
        (vec!["H".into()], 755.0),
        (vec!["M".into()], 1018.0),
    ]
}

fn cal_battery(d: &SurveyDesign, want: &Value, name: &str) {
    check(
        &format!("{name} weights"),
        d.weights(),
        &want["weights"],
        REL,
    );
    check_est(
        &format!("{name} mean"),
        &est_se(&d.mean("api00").expect("mean")),
        &want["mean_api00"],
    );
    check_est(
        &format!("{name} total"),
        &est_se(&d.total("enroll").expect("total")),
        &want["total_enroll"],
    );
    check_est(
        &format!("{name} total stype"),
        &est_se(&d.total("stype").expect("count")),
        &want["total_stype"],
    );
    // Domain means: after calibration a domain's influence reaches rows outside it (R's
    // residuals); and the contrast uses their joint covariance.
    let by = d.by(["stype"]).expect("by").mean("api00").expect("by mean");
    check_est(
        &format!("{name} by"),
        &est_se(&by),
        &want["by_stype_mean_api00"],
    );
    if want.get("contrast_E_minus_H").is_some() {
        let c = by
            .contrast(&[lapaz_survey::estimate::Contrast::linear(
                "E - H",
                [1.0, -1.0, 0.0],
            )])
            .expect("contrast");
        check_est(
            &format!("{name} contrast"),
            &est_se(&c),
            &want["contrast_E_minus_H"],
        );
    }
}

#[test]
fn calibrated_designs_estimate_as_r() {
    let r = reference();
    let cal = &r["calibration"];
    let d = dclus1();
    let (ps, report) = d
        .post_stratify(&["stype"], &targets_stype())
        .expect("postStratify");
    assert!(report.converged);
    cal_battery(&ps, &cal["poststratify"], "postStratify");
    let jk = d.replicate(ReplicateMethod::Jk1).expect("jk1");
    cal_battery(
        &jk.post_stratify(&["stype"], &targets_stype())
            .expect("ps rep")
            .0,
        &cal["poststratify_rep"],
        "postStratify rep",
    );

    let margins = [
        (
            "stype",
            vec![
                ("E".to_string(), 4421.0),
                ("H".to_string(), 755.0),
                ("M".to_string(), 1018.0),
            ],
        ),
        (
            "sch.wide",
            vec![("No".to_string(), 1072.0), ("Yes".to_string(), 5122.0)],
        ),
    ];
    let (raked, _) = d.rake(&margins, RakeControl::default()).expect("rake");
    cal_battery(&raked, &cal["rake"], "rake");
    check_est(
        "rake total sch.wide",
        &est_se(&raked.total("sch.wide").expect("count")),
        &cal["rake"]["total_sch_wide"],
    );
    cal_battery(
        &jk.rake(&margins, RakeControl::default())
            .expect("rake rep")
            .0,
        &cal["rake_rep"],
        "rake rep",
    );

    let targets = CalibrationTargets::new()
        .population(6194.0)
        .categorical("stype", [("E", 4421.0), ("H", 755.0), ("M", 1018.0)])
        .numeric("api99", 3914069.0);
    for (case, opts, design) in [
        ("linear", CalibrationOptions::linear(), &d),
        ("linear_rep", CalibrationOptions::linear(), &jk),
        (
            "linear_bounded",
            CalibrationOptions::linear().bounds(0.45, 1.75),
            &d,
        ),
        ("raking", CalibrationOptions::raking(), &d),
        (
            "raking_bounded",
            CalibrationOptions::raking().bounds(0.3, 1.6),
            &d,
        ),
        ("raking_rep", CalibrationOptions::raking(), &jk),
    ] {
        let (c, report) = design.calibrate(&targets, opts).expect(case);
        assert!(report.converged, "{case}: {report}");
        cal_battery(&c, &cal[case], case);
    }
    let err = d.calibrate(&targets, CalibrationOptions::linear().bounds(0.99, 1.01));
    assert!(err.is_err(), "infeasible bounds must fail");

    let (trimmed, _) = dstrat().trim(18.0, 40.0, false).expect("trim");
    check(
        "trim design weights",
        trimmed.weights(),
        &cal["trim"]["weights"],
        REL,
    );
    check_est(
        "trim mean",
        &est_se(&trimmed.mean("api00").expect("mean")),
        &cal["trim"]["mean_api00"],
    );
    check_est(
        "trim total",
        &est_se(&trimmed.total("enroll").expect("total")),
        &cal["trim"]["total_enroll"],
    );
}

fn check_glm(name: &str, got: &lapaz_survey::model::RegressionTable, want: &Value) {
    let names: Vec<String> = want["names"]
        .as_array()
        .expect("names")
        .iter()
        .map(|v| v.as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(
        got.coefficients().len(),
        names.len(),
        "{name}: number of coefficients"
    );
    let c = got.coefficients();
    check(
        &format!("{name} coef"),
        &c.iter().map(|x| x.estimate).collect::<Vec<_>>(),
        &want["coef"],
        REL,
    );
    check(
        &format!("{name} se"),
        &c.iter().map(|x| x.se).collect::<Vec<_>>(),
        &want["se"],
        REL,
    );
    check(
        &format!("{name} t"),
        &c.iter().map(|x| x.t).collect::<Vec<_>>(),
        &want["t"],
        REL,
    );
    check(
        &format!("{name} p"),
        &c.iter().map(|x| x.p_value).collect::<Vec<_>>(),
        &want["p"],
        1e-6,
    );
    assert_close(
        &format!("{name} df"),
        got.df_residual(),
        want["df_residual"].as_f64().expect("df"),
        REL,
    );
}

/// Adds the 0/1 column `yes` (sch.wide == "Yes"), as weighting.R does.
fn with_yes(t: &Table) -> DataFrame {
    let mut df = frame(t);
    let yes: Vec<f64> = t
        .text("sch.wide")
        .iter()
        .map(|s| f64::from(u8::from(s == "Yes")))
        .collect();
    df.with_column(Column::from(Series::new("yes".into(), yes)))
        .expect("yes");
    df
}

#[test]
fn regression_matches_svyglm() {
    let r = reference();
    let reg = &r["regression"];
    let s = Table::read("apistrat");
    let dstrat = SurveyDesign::new(
        with_yes(&s),
        DesignSpec::new().weights("pw").strata("stype").fpc("fpc"),
    )
    .expect("dstrat");
    let t = Table::read("apiclus1");
    let dclus1 = SurveyDesign::new(
        with_yes(&t),
        DesignSpec::new().weights("pw").cluster("dnum").fpc("fpc"),
    )
    .expect("dclus1");
    let fit = |d: &SurveyDesign, m: Regression| m.fit(d).expect("fit");
    check_glm(
        "gaussian strat",
        &fit(
            &dstrat,
            Regression::linear("api00").predictors(["ell", "meals", "mobility"]),
        ),
        &reg["gaussian_strat"],
    );
    check_glm(
        "gaussian strat factor",
        &fit(
            &dstrat,
            Regression::linear("api00").predictors(["ell", "stype"]),
        ),
        &reg["gaussian_strat_factor"],
    );
    check_glm(
        "gaussian clus1",
        &fit(
            &dclus1,
            Regression::linear("api00").predictors(["ell", "meals"]),
        ),
        &reg["gaussian_clus1"],
    );
    check_glm(
        "logit strat",
        &fit(
            &dstrat,
            Regression::logistic("yes").predictors(["ell", "meals", "mobility"]),
        ),
        &reg["logit_strat"],
    );
    check_glm(
        "logit clus1 factor",
        &fit(
            &dclus1,
            Regression::logistic("yes").predictors(["ell", "stype"]),
        ),
        &reg["logit_clus1_factor"],
    );
    let jk = dclus1.replicate(ReplicateMethod::Jk1).expect("jk1");
    check_glm(
        "gaussian jk1",
        &fit(
            &jk,
            Regression::linear("api00").predictors(["ell", "meals"]),
        ),
        &reg["gaussian_jk1"],
    );
    check_glm(
        "logit jk1",
        &fit(
            &jk,
            Regression::logistic("yes").predictors(["ell", "meals"]),
        ),
        &reg["logit_jk1"],
    );
    // R's bootstrap replicates (svrepdesign of rboot's analysis weights, its scale and rscales).
    let boot = r_bootstrap_columns(with_yes(&t), &t, &r["bootstrap"]);
    check_glm(
        "gaussian bootstrap",
        &fit(
            &boot,
            Regression::linear("api00").predictors(["ell", "stype"]),
        ),
        &reg["gaussian_boot"],
    );
}

#[test]
fn quantiles_and_contrasts_on_replicate_designs_match_r() {
    let r = reference();
    let check_q = |d: &SurveyDesign, probs: &[f64], want: &Value, name: &str| {
        let q = d.quantile("api00", probs).expect("quantile");
        let e = q.estimates();
        check(
            &format!("{name} quantile"),
            &e.iter().map(|x| x.estimate).collect::<Vec<_>>(),
            &want["quantile"],
            REL,
        );
        check(
            &format!("{name} ci low"),
            &e.iter().map(|x| x.ci.low).collect::<Vec<_>>(),
            &want["ci_low"],
            REL,
        );
        check(
            &format!("{name} ci high"),
            &e.iter().map(|x| x.ci.high).collect::<Vec<_>>(),
            &want["ci_high"],
            REL,
        );
        check(
            &format!("{name} se"),
            &e.iter().map(|x| x.se).collect::<Vec<_>>(),
            &want["se"],
            REL,
        );
    };
    let jk = dclus1().replicate(ReplicateMethod::Jk1).expect("jk1");
    check_q(&jk, &[0.25, 0.5], &r["jk1"]["quantile_api00"], "jk1");
    check_q(
        &dstrat().replicate(ReplicateMethod::Jkn).expect("jkn"),
        &[0.5],
        &r["jkn"]["quantile_api00"],
        "jkn",
    );

    let t = Table::read("apiclus1");
    check_q(
        &r_bootstrap_columns(frame(&t), &t, &r["bootstrap"]),
        &[0.5],
        &r["bootstrap"]["quantile_api00"],
        "bootstrap",
    );

    let by = jk.by(["stype"]).expect("by").mean("api00").expect("means");
    let c = by
        .contrast(&[lapaz_survey::estimate::Contrast::linear(
            "E - H",
            [1.0, -1.0, 0.0],
        )])
        .expect("contrast");
    check_est(
        "jk1 contrast E − H",
        &est_se(&c),
        &r["jk1"]["contrast_E_minus_H"],
    );
}
