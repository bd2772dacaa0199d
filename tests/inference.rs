//! Cross-check of the inference layer against R's `survey` package (4.1.1).
//!
//! `tests/r/inference.R` writes R's values to `tests/reference/inference.json` (datasets: R's
//! `api`, exported to `tests/data/*.csv` by `tests/r/estimation.R`). Each design is rebuilt from
//! the column names in the JSON and every number is compared to 1e-9 relative, with two
//! documented exceptions:
//!
//! * `svyciprop(method = "logit")`: R fits a quasi-binomial `glm` by IRLS and stops at its
//!   convergence tolerance (deviance change < 1e-8), so its estimate and interval carry a
//!   relative error of ~1e-9–1e-8 that ours (the exact closed form) does not: compared to 1e-7,
//!   and our logit interval is also checked to equal R's `"xlogit"` interval to 1e-9.
//! * `method = "wilson"`: Debian's survey 4.1.1 has no Wilson interval; its reference is computed
//!   in the R script by inverting the score test numerically (`"source": "independent"`).

use std::collections::HashMap;

use lapaz_survey::design::{DesignSpec, Filter, SurveyDesign};
use lapaz_survey::estimate::quantile::weighted_quantile;
use lapaz_survey::estimate::{
    ChisqStatistic, Contrast, Estimate, PropCiMethod, QuantileOptions, QuantileRule, TestResult,
    WoodruffInterval, contrast,
};
use lapaz_survey::polars::prelude::*;
use lapaz_survey_tests::{assert_close, read_csv, tests_dir};
use serde_json::Value;

const REL: f64 = 1e-9;
/// R's IRLS convergence error in `svyciprop(method = "logit")` (see the module docs).
const REL_LOGIT: f64 = 1e-7;

fn reference() -> Value {
    let text = std::fs::read_to_string(tests_dir().join("reference").join("inference.json"))
        .expect("tests/reference/inference.json exists");
    serde_json::from_str(&text).expect("valid JSON")
}

/// A JSON number, or NaN for R's `NaN`/`NA` (written as strings).
fn num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().expect("f64"),
        Value::String(s) if s == "NaN" || s == "NA" => f64::NAN,
        Value::String(s) => s.parse().expect("number as string"),
        other => panic!("not a number: {other}"),
    }
}

/// A JSON array of numbers (a scalar counts as a one-element array).
fn nums(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(a) => a.iter().map(num).collect(),
        other => vec![num(other)],
    }
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        Value::String(s) => vec![s.clone()],
        _ => Vec::new(),
    }
}

#[track_caller]
fn close(what: &str, got: f64, want: f64, rel: f64) {
    if want == 0.0 {
        assert!(got.abs() < 1e-12, "{what}: got {got:e}, want exactly 0");
    } else {
        assert_close(what, got, want, rel);
    }
}

/// The data with the derived columns the R script makes: `band` (api00 cut at the JSON's
/// breaks, right-closed, labels a–d) and `api_diff` (api00 − api99).
fn with_derived(mut df: DataFrame, breaks: &[f64]) -> DataFrame {
    let api00: Vec<f64> = df
        .column("api00")
        .expect("api00")
        .f64()
        .expect("numeric")
        .iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect();
    let api99: Vec<f64> = df
        .column("api99")
        .expect("api99")
        .f64()
        .expect("numeric")
        .iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect();
    let band: Vec<&str> = api00
        .iter()
        .map(|&v| {
            let k = breaks.iter().filter(|&&b| v > b).count();
            ["a", "b", "c", "d"][k]
        })
        .collect();
    let diff: Vec<f64> = api00.iter().zip(&api99).map(|(a, b)| a - b).collect();
    df.with_column(Series::new("band".into(), band).into_column())
        .expect("band");
    df.with_column(Series::new("api_diff".into(), diff).into_column())
        .expect("diff");
    df
}

struct Designs {
    spec: Value,
    frames: HashMap<String, DataFrame>,
    breaks: Vec<f64>,
}

impl Designs {
    fn new(r: &Value) -> Designs {
        Designs {
            spec: r["designs"].clone(),
            frames: HashMap::new(),
            breaks: nums(&r["band_breaks"]),
        }
    }

    /// The design `name`, with `extra` columns added to its data.
    fn get_with(&mut self, name: &str, extra: Vec<Column>) -> SurveyDesign {
        let d = &self.spec[name];
        let data = d["data"].as_str().expect("data name");
        let breaks = self.breaks.clone();
        let mut df = self
            .frames
            .entry(data.to_string())
            .or_insert_with(|| {
                with_derived(
                    read_csv(&tests_dir().join("data").join(format!("{data}.csv"))),
                    &breaks,
                )
            })
            .clone();
        for c in extra {
            df.with_column(c).expect("extra column");
        }
        let mut spec = DesignSpec::new()
            .clusters(strings(&d["ids"]))
            .fpcs(strings(&d["fpc"]));
        if let Some(w) = d["weights"].as_str() {
            spec = spec.weights(w);
        }
        if let Some(s) = d["strata"].as_str() {
            spec = spec.strata(s);
        }
        let design = SurveyDesign::new(df, spec).expect("design builds");
        assert_close(
            &format!("{name}: degf"),
            design.degrees_of_freedom(),
            num(&d["degf"]),
            REL,
        );
        design
    }

    fn get(&mut self, name: &str) -> SurveyDesign {
        self.get_with(name, Vec::new())
    }
}

fn domain_of(case: &Value) -> Option<(String, String)> {
    let d = case.get("domain").filter(|d| !d.is_null())?;
    Some((
        d["variable"].as_str()?.to_string(),
        d["value"].as_str()?.to_string(),
    ))
}

#[test]
fn quantile_rules_match_r_value_for_value() {
    let r = reference();
    let mut checked = 0;
    for (c, case) in r["qrule_cases"]
        .as_array()
        .expect("cases")
        .iter()
        .enumerate()
    {
        let x = nums(&case["x"]);
        let w = nums(&case["w"]);
        let p = nums(&case["p"]);
        for (name, results) in case["results"].as_object().expect("results") {
            let rule = QuantileRule::from_r_name(name).expect("known rule");
            for (pk, want) in p.iter().zip(nums(results)) {
                let got = weighted_quantile(&x, &w, *pk, rule).expect("valid sample");
                assert_close(&format!("case {c} {name} p={pk}"), got, want, REL);
                checked += 1;
            }
        }
    }
    assert!(checked > 2000, "only {checked} values checked");
}

fn interval_of(name: &str) -> WoodruffInterval {
    match name {
        "mean" => WoodruffInterval::Mean,
        "beta" => WoodruffInterval::Beta,
        "xlogit" => WoodruffInterval::Xlogit,
        "asin" => WoodruffInterval::Asin,
        other => panic!("unknown interval type {other}"),
    }
}

#[test]
fn quantiles_with_woodruff_intervals_match_svyquantile() {
    let r = reference();
    let mut designs = Designs::new(&r);
    for case in r["quantiles"].as_array().expect("quantiles") {
        let name = case["design"].as_str().expect("design");
        let var = case["variable"].as_str().expect("variable");
        let probs = nums(&case["p"]);
        let rule = QuantileRule::from_r_name(case["qrule"].as_str().expect("qrule")).expect("rule");
        let options = QuantileOptions::default()
            .rule(rule)
            .interval(interval_of(case["interval"].as_str().expect("interval")));
        let level = num(&case["level"]);
        let design = designs.get(name).with_level(level);
        let what = format!(
            "{name} {var} {rule} {} {:?}",
            case["interval"].as_str().unwrap_or(""),
            domain_of(case)
        );
        // Domains through `by` (one pass over all domains) and through `subset`: both against R.
        let sets: Vec<Vec<Estimate>> = match domain_of(case) {
            None => vec![
                design
                    .quantile_with(var, &probs, options)
                    .expect("quantile")
                    .estimates()
                    .to_vec(),
            ],
            Some((col, value)) => {
                let by = design
                    .by([col.as_str()])
                    .expect("by")
                    .quantile_with(var, &probs, options);
                let by: Vec<Estimate> = by
                    .expect("quantile by")
                    .estimates()
                    .iter()
                    .filter(|e| e.domain[0].value.es == value)
                    .cloned()
                    .collect();
                let sub = design
                    .subset(Filter::eq(col.as_str(), value.as_str()))
                    .expect("subset")
                    .quantile_with(var, &probs, options)
                    .expect("quantile subset");
                vec![by, sub.estimates().to_vec()]
            }
        };
        for e in &sets {
            assert_eq!(e.len(), probs.len(), "{what}");
            for (j, est) in e.iter().enumerate() {
                let p = probs[j];
                close(
                    &format!("{what} p={p}: quantile"),
                    est.estimate,
                    num(&case["quantile"][j]),
                    REL,
                );
                close(
                    &format!("{what} p={p}: ci low"),
                    est.ci.low,
                    num(&case["ci_low"][j]),
                    REL,
                );
                close(
                    &format!("{what} p={p}: ci high"),
                    est.ci.high,
                    num(&case["ci_high"][j]),
                    REL,
                );
                close(
                    &format!("{what} p={p}: se"),
                    est.se,
                    num(&case["se"][j]),
                    REL,
                );
                assert_eq!(est.df, num(&case["df"]), "{what}: df");
            }
        }
    }
}

fn method_of(name: &str) -> PropCiMethod {
    PropCiMethod::from_r_name(name).expect("known method")
}

/// The proportion estimate of `variable == value` with `method`, in the domain if any.
fn ciprop(designs: &mut Designs, case: &Value, method: PropCiMethod) -> Estimate {
    let name = case["design"].as_str().expect("design");
    let var = case["variable"].as_str().expect("variable");
    let level = num(&case["level"]);
    let (design, column, pick) = match &case["equals"] {
        // A numeric comparison: a 0/1 indicator column (prop_ci's numeric path).
        Value::Number(n) => {
            let target = n.as_f64().expect("f64");
            let base = designs.get(name);
            let ind: Vec<Option<f64>> = base
                .data()
                .column(var)
                .expect("column")
                .f64()
                .expect("numeric")
                .iter()
                .map(|v| v.map(|x| f64::from(u8::from(x == target))))
                .collect();
            let extra = Series::new("indicator".into(), ind).into_column();
            (
                designs.get_with(name, vec![extra]),
                "indicator".to_string(),
                None,
            )
        }
        // A category: prop_ci's categorical path, one estimate per level.
        Value::String(s) => (designs.get(name), var.to_string(), Some(s.clone())),
        other => panic!("bad `equals`: {other}"),
    };
    let mut design = design.with_level(level);
    if let Some((col, value)) = domain_of(case) {
        design = design
            .subset(Filter::eq(col.as_str(), value.as_str()))
            .expect("subset");
    }
    let table = design.prop_ci(&column, method).expect("prop_ci");
    match pick {
        None => table.estimates()[0].clone(),
        Some(level) => table
            .estimates()
            .iter()
            .find(|e| e.level.as_ref().is_some_and(|l| l.es == level))
            .expect("level present")
            .clone(),
    }
}

#[test]
fn proportion_intervals_match_svyciprop() {
    let r = reference();
    let mut designs = Designs::new(&r);
    let mut xlogit: HashMap<String, (f64, f64)> = HashMap::new();
    let cases = r["ciprop"].as_array().expect("ciprop");
    for case in cases {
        let m = case["method"].as_str().expect("method");
        let est = ciprop(&mut designs, case, method_of(m));
        let key = format!(
            "{} {} {} {:?}",
            case["design"],
            case["variable"],
            case["equals"],
            domain_of(case)
        );
        let what = format!("{key} {m}");
        let rel = if m == "logit" { REL_LOGIT } else { REL };
        close(
            &format!("{what}: estimate"),
            est.estimate,
            num(&case["estimate"]),
            rel,
        );
        close(&format!("{what}: se"), est.se, num(&case["se"]), REL);
        close(
            &format!("{what}: ci low"),
            est.ci.low,
            num(&case["ci_low"]),
            rel,
        );
        close(
            &format!("{what}: ci high"),
            est.ci.high,
            num(&case["ci_high"]),
            rel,
        );
        assert_eq!(est.df, num(&case["df"]), "{what}: df");
        assert_eq!(est.n as f64, num(&case["n"]), "{what}: n");
        if m == "xlogit" {
            xlogit.insert(key.clone(), (est.ci.low, est.ci.high));
        }
    }
    // Our logit interval is R's xlogit interval exactly (see module docs).
    for case in cases.iter().filter(|c| c["method"] == "logit") {
        let key = format!(
            "{} {} {} {:?}",
            case["design"],
            case["variable"],
            case["equals"],
            domain_of(case)
        );
        let est = ciprop(&mut designs, case, PropCiMethod::Logit);
        let (lo, hi) = xlogit[&key];
        close(
            &format!("{key}: logit = xlogit (low)"),
            est.ci.low,
            lo,
            1e-12,
        );
        close(
            &format!("{key}: logit = xlogit (high)"),
            est.ci.high,
            hi,
            1e-12,
        );
    }
}

fn check_test(what: &str, got: &TestResult, case: &Value) {
    close(
        &format!("{what}: statistic"),
        got.statistic,
        num(&case["value"]),
        REL,
    );
    close(
        &format!("{what}: p"),
        got.p_value,
        num(&case["p_value"]),
        REL,
    );
    close(
        &format!("{what}: pearson"),
        got.pearson.unwrap_or(f64::NAN),
        num(&case["pearson"]),
        REL,
    );
    if case.get("ndf").is_some() {
        close(&format!("{what}: ndf"), got.df, num(&case["ndf"]), REL);
        close(
            &format!("{what}: ddf"),
            got.denominator_df.unwrap_or(f64::NAN),
            num(&case["ddf"]),
            REL,
        );
    } else {
        close(&format!("{what}: df"), got.df, num(&case["df"]), REL);
        assert!(got.denominator_df.is_none(), "{what}: no denominator df");
    }
}

#[test]
fn rao_scott_and_wald_tests_match_svychisq() {
    let r = reference();
    let mut designs = Designs::new(&r);
    for case in r["chisq"].as_array().expect("chisq") {
        let name = case["design"].as_str().expect("design");
        let (row, col) = (
            case["row"].as_str().expect("row"),
            case["col"].as_str().expect("col"),
        );
        let st = case["statistic"].as_str().expect("statistic");
        let statistic = ChisqStatistic::from_r_name(st).expect("statistic");
        let got = designs
            .get(name)
            .chisq_with(row, col, statistic)
            .expect("test");
        check_test(&format!("{name} {row}×{col} {st}"), &got, case);
    }
}

#[test]
fn t_tests_match_svyttest() {
    let r = reference();
    let mut designs = Designs::new(&r);
    for case in r["ttest"].as_array().expect("ttest") {
        let name = case["design"].as_str().expect("design");
        let design = designs.get(name);
        let y = case["y"].as_str().expect("y");
        let got = match (case["group"].as_str(), case["y_minus"].as_str()) {
            (Some(group), _) => design.ttest(y, group).expect("two-sample"),
            (None, Some("api99")) => design.ttest_mean("api_diff").expect("one-sample"),
            other => panic!("unexpected t-test case {other:?}"),
        };
        let what = format!("{name} {y} {:?}", case["group"]);
        close(
            &format!("{what}: estimate"),
            got.estimate.unwrap_or(f64::NAN),
            num(&case["estimate"]),
            REL,
        );
        close(&format!("{what}: t"), got.statistic, num(&case["t"]), REL);
        close(&format!("{what}: df"), got.df, num(&case["df"]), REL);
        close(
            &format!("{what}: p"),
            got.p_value,
            num(&case["p_value"]),
            REL,
        );
        let (lo, hi) = got.conf_int.expect("interval");
        close(&format!("{what}: ci low"), lo, num(&case["ci_low"]), REL);
        close(&format!("{what}: ci high"), hi, num(&case["ci_high"]), REL);
    }
}

/// The estimates a contrast case starts from: one per variable (mean or total), or one per
/// domain of `by`.
fn contrast_inputs(designs: &mut Designs, case: &Value) -> Vec<Estimate> {
    let design = designs.get(case["design"].as_str().expect("design"));
    let vars = strings(&case["variables"]);
    match case["kind"].as_str().expect("kind") {
        "total" => vars
            .iter()
            .map(|v| design.total(v).expect("total").estimates()[0].clone())
            .collect(),
        "mean" => vars
            .iter()
            .map(|v| design.mean(v).expect("mean").estimates()[0].clone())
            .collect(),
        kind @ ("by_mean" | "by_total") => {
            let by = case["by"].as_str().expect("by");
            let view = design.by([by]).expect("by");
            let t = if kind == "by_mean" {
                view.mean(&vars[0])
            } else {
                view.total(&vars[0])
            };
            let t = t.expect("by estimates");
            let levels = strings(&case["levels"]);
            let e = t.estimates();
            if !levels.is_empty() {
                for (est, level) in e.iter().zip(&levels) {
                    assert_eq!(&est.domain[0].value.es, level, "domain order as R's svyby");
                }
            }
            e.to_vec()
        }
        other => panic!("unknown contrast kind {other}"),
    }
}

#[test]
fn linear_contrasts_match_svycontrast() {
    let r = reference();
    let mut designs = Designs::new(&r);
    for case in r["contrasts"].as_array().expect("contrasts") {
        let inputs = contrast_inputs(&mut designs, case);
        let refs: Vec<&Estimate> = inputs.iter().collect();
        let coefs: Vec<Vec<f64>> = case["coefficients"]
            .as_array()
            .expect("coefs")
            .iter()
            .map(nums)
            .collect();
        let cs: Vec<Contrast> = coefs
            .iter()
            .enumerate()
            .map(|(i, c)| Contrast::linear(format!("c{i}"), c.clone()))
            .collect();
        let table = contrast(&refs, &cs).expect("contrast");
        let what = format!(
            "{} {} {:?}",
            case["design"], case["kind"], case["variables"]
        );
        let want_est = nums(&case["estimate"]);
        let want_se = nums(&case["se"]);
        for (i, e) in table.estimates().iter().enumerate() {
            close(
                &format!("{what} #{i}: estimate"),
                e.estimate,
                want_est[i],
                REL,
            );
            close(&format!("{what} #{i}: se"), e.se, want_se[i], REL);
        }
        // The contrasts carry their linearisation: their joint covariance is R's vcov().
        let v = table.vcov().expect("vcov of contrasts");
        for (i, row) in case["vcov"].as_array().expect("vcov").iter().enumerate() {
            for (j, want) in nums(row).iter().enumerate() {
                close(&format!("{what}: vcov[{i},{j}]"), v[[i, j]], *want, REL);
            }
        }
    }
}

#[test]
fn nonlinear_contrasts_match_svycontrast() {
    let r = reference();
    let mut designs = Designs::new(&r);
    for case in r["nonlinear_contrasts"].as_array().expect("nonlinear") {
        let inputs = contrast_inputs(&mut designs, case);
        let refs: Vec<&Estimate> = inputs.iter().collect();
        let expr = case["expression"].as_str().expect("expression");
        let c = match expr {
            "api00 / api99" => Contrast::ratio(expr, 0, 2),
            "E / H" => Contrast::ratio(expr, 0, 1),
            "log(api00) - log(api99)" => Contrast::nonlinear(
                expr,
                |t| t[0].ln() - t[1].ln(),
                |t| vec![1.0 / t[0], -1.0 / t[1]],
            ),
            other => panic!("unknown expression {other}"),
        };
        let table = contrast(&refs, &[c]).expect("contrast");
        let e = &table.estimates()[0];
        close(
            &format!("{expr}: estimate"),
            e.estimate,
            num(&case["estimate"]),
            REL,
        );
        close(&format!("{expr}: se"), e.se, num(&case["se"]), REL);
    }
}
