//! Cross-check of the estimation core against R's `survey` package.
//!
//! `tests/r/estimation.R` exports R's `api` datasets to `tests/data/*.csv` and writes R's values
//! to `tests/reference/estimation.json`; this test rebuilds each design from the column names in
//! the JSON, runs the same estimator and compares every number to 1e-9 relative: estimate, SE,
//! confidence limits, design effect, degrees of freedom, unweighted n and population size. It
//! also checks that `by` and `subset` give identical numbers.

use std::collections::HashMap;

use lapaz_survey::design::{DeffKind, DesignSpec, Filter, LonelyPsu, SurveyDesign};
use lapaz_survey::estimate::{Estimate, EstimateTable, Statistic};
use lapaz_survey::polars::prelude::*;
use lapaz_survey_tests::{assert_close, read_csv, tests_dir};
use serde_json::Value;

const REL: f64 = 1e-9;

/// `assert_close` to 1e-9 relative, with an absolute floor for values that
/// are zero in exact arithmetic and only rounding noise in R or here: a
/// standard error below 1e-12 of the estimate's magnitude (a domain inside a
/// single PSU, centred at its own mean), or a design effect below 1e-9
/// (counts of strata in a stratified design). `floor = 0` is a plain
/// relative comparison.
#[track_caller]
fn close(what: &str, got: f64, want: f64, floor: f64) {
    if want.is_nan() {
        assert!(got.is_nan(), "{what}: got {got:e}, want NaN (R's NA)");
    } else if want.abs() <= floor {
        assert!(
            got.abs() <= floor,
            "{what}: got {got:e}, want {want:e} (both below {floor:e})"
        );
    } else {
        assert_close(what, got, want, REL);
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn build(design: &Value, frames: &mut HashMap<String, DataFrame>) -> SurveyDesign {
    let data = design["data"].as_str().expect("data name");
    let df = frames
        .entry(data.to_string())
        .or_insert_with(|| read_csv(&tests_dir().join("data").join(format!("{data}.csv"))))
        .clone();
    let mut spec = DesignSpec::new()
        .clusters(strings(&design["ids"]))
        .fpcs(strings(&design["fpc"]));
    if let Some(w) = design["weights"].as_str() {
        spec = spec.weights(w);
    }
    if let Some(s) = design["strata"].as_str() {
        spec = spec.strata(s);
    }
    let policy: LonelyPsu = design["lonely"]
        .as_str()
        .expect("lonely")
        .parse()
        .expect("policy");
    SurveyDesign::new(df, spec.lonely_psu(policy)).expect("design builds")
}

fn run(design: &SurveyDesign, case: &Value) -> EstimateTable {
    let mut d = design.clone();
    if let Some(sub) = case.get("subset").filter(|s| !s.is_null()) {
        d = d
            .subset(Filter::eq(
                sub["column"].as_str().expect("column"),
                sub["value"].as_str().expect("value"),
            ))
            .expect("subset");
    }
    d = d.with_level(case["level"].as_f64().expect("level"));
    if case.get("deff").and_then(Value::as_str) == Some("replace") {
        d = d.with_deff(DeffKind::WithReplacement);
    }
    let by = strings(&case["by"]);
    let view = d.by(by.clone()).expect("by");
    let var = case["variable"].as_str().expect("variable");
    let result = match case["statistic"].as_str().expect("statistic") {
        "mean" => view.mean(var),
        "total" | "count" => view.total(var),
        "proportion" => view.prop(var),
        "variance" => view.var(var),
        "ratio" => view.ratio(var, case["denominator"].as_str().expect("denominator")),
        other => panic!("unknown statistic {other}"),
    };
    result.expect("estimate")
}

fn label_of(case: &Value, r: &Value) -> String {
    format!(
        "{} {} {} by {:?} subset {} domain {} level {}",
        case["design"],
        case["statistic"],
        case["variable"],
        strings(&case["by"]),
        case.get("subset")
            .map(|s| s.to_string())
            .unwrap_or_default(),
        r["domain"],
        r["level"]
    )
}

fn find<'a>(table: &'a EstimateTable, r: &Value) -> &'a Estimate {
    let domain = r["domain"].as_object().expect("domain object");
    let level = r["level"].as_str();
    table
        .estimates()
        .iter()
        .find(|e| {
            e.domain.len() == domain.len()
                && e.domain
                    .iter()
                    .all(|v| domain.get(&v.variable).and_then(Value::as_str) == Some(&v.value.es))
                && level.is_none_or(|l| e.level.as_ref().is_some_and(|x| x.es == l))
        })
        .unwrap_or_else(|| panic!("no estimate for domain {:?} level {level:?}", r["domain"]))
}

fn reference() -> Value {
    let text = std::fs::read_to_string(tests_dir().join("reference").join("estimation.json"))
        .expect("run Rscript tests/r/estimation.R");
    serde_json::from_str(&text).expect("JSON")
}

#[test]
fn matches_r_survey_on_every_case() {
    let reference = reference();
    let mut frames = HashMap::new();
    let designs: HashMap<String, SurveyDesign> = reference["designs"]
        .as_array()
        .expect("designs")
        .iter()
        .map(|d| {
            (
                d["name"].as_str().expect("name").to_string(),
                build(d, &mut frames),
            )
        })
        .collect();
    for d in reference["designs"].as_array().expect("designs") {
        let design = &designs[d["name"].as_str().expect("name")];
        assert_close(
            &format!("degf of {}", d["name"]),
            design.degrees_of_freedom(),
            d["degf"].as_f64().expect("degf"),
            0.0,
        );
    }
    let mut compared = 0;
    for case in reference["cases"].as_array().expect("cases") {
        let design = &designs[case["design"].as_str().expect("design")];
        let table = run(design, case);
        let results = case["results"].as_array().expect("results");
        assert_eq!(
            table.len(),
            results.len(),
            "number of estimates for {}",
            label_of(case, &results[0])
        );
        for r in results {
            let what = label_of(case, r);
            let e = find(&table, r);
            let noise = 1e-12 * e.estimate.abs().max(1.0);
            for (field, got, floor) in [
                ("estimate", e.estimate, 0.0),
                ("se", e.se, noise),
                ("ci_low", e.ci.low, 0.0),
                ("ci_high", e.ci.high, 0.0),
                ("df", e.df, 0.0),
                ("n", e.n as f64, 0.0),
                ("population", e.population, 0.0),
            ] {
                // R's NA (JSON null) is a NaN here.
                let want = r[field].as_f64().unwrap_or(f64::NAN);
                close(&format!("{what}: {field}"), got, want, floor);
                compared += 1;
            }
            // `svyvar` has no design effect; elsewhere R's NA is a NaN here.
            if case["statistic"].as_str() == Some("variance") {
                assert!(e.deff.is_none(), "{what}: no deff expected");
            } else {
                let got = e.deff.unwrap_or_else(|| panic!("{what}: deff missing"));
                let want = r["deff"].as_f64().unwrap_or(f64::NAN);
                close(&format!("{what}: deff"), got, want, 1e-9);
                compared += 1;
            }
        }
    }
    assert!(compared > 2000, "compared only {compared} values");
}

#[test]
fn by_and_subset_give_identical_numbers() {
    let reference = reference();
    let mut frames = HashMap::new();
    for d in reference["designs"].as_array().expect("designs") {
        let design = build(d, &mut frames);
        let by = design.by(["stype"]).expect("by");
        for (stat, table) in [
            ("mean", by.mean("api00").expect("mean")),
            ("total", by.total("enroll").expect("total")),
            ("prop", by.prop("sch.wide").expect("prop")),
            ("ratio", by.ratio("api00", "api99").expect("ratio")),
        ] {
            for e in table.estimates() {
                let value = &e.domain[0].value.es;
                let sub = design
                    .subset(Filter::eq("stype", value.as_str()))
                    .expect("subset");
                let t = match stat {
                    "mean" => sub.mean("api00"),
                    "total" => sub.total("enroll"),
                    "prop" => sub.prop("sch.wide"),
                    _ => sub.ratio("api00", "api99"),
                }
                .expect("subset estimate");
                let s = t
                    .estimates()
                    .iter()
                    .find(|x| x.level == e.level)
                    .expect("same level");
                let what = format!("{} {stat} stype={value} {:?}", d["name"], e.level);
                assert_eq!(
                    s.estimate.to_bits(),
                    e.estimate.to_bits(),
                    "{what}: estimate"
                );
                assert_eq!(s.se.to_bits(), e.se.to_bits(), "{what}: se");
                assert_eq!(s.df, e.df, "{what}: df");
                assert_eq!(s.n, e.n, "{what}: n");
                assert_eq!(
                    s.deff.map(f64::to_bits),
                    e.deff.map(f64::to_bits),
                    "{what}: deff"
                );
                assert_eq!(s.statistic, e.statistic);
                assert!(matches!(
                    e.statistic,
                    Statistic::Mean | Statistic::Total | Statistic::Proportion | Statistic::Ratio
                ));
            }
        }
    }
}

/// A few estimates on the embedded EMH 2023 stand-in, against R on the same
/// CSVs (the household and person designs come from the codebook roles).
#[test]
fn embedded_emh_matches_r() {
    let reference = reference();
    let emh = &reference["emh"];
    let survey = lapaz_survey::Survey::embedded().expect("embedded survey");
    let designs = [
        ("hogares", survey.design().expect("household design")),
        ("personas", survey.person_design().expect("person design")),
    ];
    for (name, d) in &designs {
        let rows = emh["rows"][name].as_f64().expect("rows");
        let wsum = emh["weight_sum"][name].as_f64().expect("weight sum");
        assert!(
            d.n_rows() as f64 == rows && (d.population_size() - wsum).abs() <= 1e-9 * wsum,
            "the embedded archive changed ({name}: {} rows, Σw {}; reference {rows}, {wsum}); \
             re-run `Rscript tests/r/estimation.R`",
            d.n_rows(),
            d.population_size()
        );
    }
    let cb = survey.codebook();
    let label = |var: &str, code: &Value| -> String {
        let code = code.as_i64().expect("code");
        cb.variable(var)
            .and_then(|v| v.value_label(code))
            .map(|l| l.es.clone())
            .unwrap_or_else(|| panic!("{var} code {code} not in the codebook"))
    };
    for case in emh["cases"].as_array().expect("cases") {
        let d = &designs
            .iter()
            .find(|(n, _)| case["table"] == *n)
            .expect("table")
            .1;
        let by = strings(&case["by"]);
        let view = d.by(by.clone()).expect("by");
        let var = case["variable"].as_str().expect("variable");
        let table = match case["statistic"].as_str().expect("statistic") {
            "mean" => view.mean(var),
            "total" | "count" => view.total(var),
            "proportion" => view.prop(var),
            _ => view.ratio(var, case["denominator"].as_str().expect("denominator")),
        }
        .expect("estimate");
        for r in case["results"].as_array().expect("results") {
            let domain: Vec<String> = by.iter().map(|b| label(b, &r["domain_code"][b])).collect();
            let level = (!r["level_code"].is_null()).then(|| label(var, &r["level_code"]));
            let domain_refs: Vec<&str> = domain.iter().map(String::as_str).collect();
            let e = table
                .find(&domain_refs, level.as_deref())
                .unwrap_or_else(|| panic!("EMH {var} {domain:?} {level:?}: no estimate"));
            let what = format!("EMH {} {var} {domain:?} {level:?}", case["statistic"]);
            for (field, got) in [
                ("estimate", e.estimate),
                ("se", e.se),
                ("deff", e.deff.unwrap_or(f64::NAN)),
                ("df", e.df),
                ("n", e.n as f64),
                ("population", e.population),
            ] {
                close(
                    &format!("{what}: {field}"),
                    got,
                    r[field].as_f64().unwrap_or(f64::NAN),
                    0.0,
                );
            }
        }
    }
}
