//! The `lapaz-survey estimate` command, run as a user runs it: R's numbers
//! through the command line (reference values from
//! `tests/reference/estimation.json`, written by `tests/r/estimation.R`),
//! every output format, and clear errors with a non-zero exit.

use std::process::Output;

mod cli_support;
use cli_support::{estimate, repo_tests};

fn apistrat() -> String {
    repo_tests()
        .join("data/apistrat.csv")
        .to_string_lossy()
        .into_owned()
}

fn apiclus2() -> String {
    repo_tests()
        .join("data/apiclus2.csv")
        .to_string_lossy()
        .into_owned()
}

fn ok_stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("UTF-8")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(&ok_stdout(out)).expect("valid JSON on stdout")
}

/// R's results of one case of the reference file.
fn r_case(design: &str, statistic: &str, variable: &str, by: &[&str]) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(repo_tests().join("reference/estimation.json"))
        .expect("reference values");
    let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let case = v["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| {
            c["design"] == design
                && c["statistic"] == statistic
                && c["variable"] == variable
                && c["by"]
                    .as_array()
                    .is_some_and(|b| b.len() == by.len() && b.iter().zip(by).all(|(x, y)| x == *y))
                && c.get("subset").is_none_or(|s| s.is_null())
                && c.get("deff").is_none_or(|s| s.is_null())
                && c["level"].as_f64() == Some(0.95)
        })
        .expect("case in reference");
    case["results"].as_array().expect("results").clone()
}

fn close(what: &str, got: f64, want: f64) {
    let rel = (got - want).abs() / want.abs().max(1e-300);
    assert!(rel <= 1e-9, "{what}: got {got}, want {want} (rel {rel:e})");
}

#[test]
fn json_by_domain_matches_r() {
    let v = json(&estimate(&[
        "--data",
        &apistrat(),
        "--weights",
        "pw",
        "--strata",
        "stype",
        "--mean",
        "api00",
        "--by",
        "stype",
        "--format",
        "json",
    ]));
    let got = v["estimates"].as_array().expect("estimates");
    let want = r_case("strat", "mean", "api00", &["stype"]);
    assert_eq!(got.len(), want.len());
    for w in &want {
        let domain = &w["domain"]["stype"];
        let g = got
            .iter()
            .find(|g| &g["domain"]["stype"] == domain)
            .expect("same domain");
        assert_eq!(g["statistic"], "mean");
        assert_eq!(g["variable"], "api00");
        for field in ["estimate", "se", "ci_low", "ci_high", "deff", "df", "n"] {
            close(
                &format!("{domain} {field}"),
                g[field].as_f64().expect("number"),
                w[field].as_f64().expect("number"),
            );
        }
        assert!(g["cv"].as_f64().is_some() && g["quality"].is_string());
    }
}

#[test]
fn two_stage_fpc_design_and_missing_values() {
    // apiclus2 has 6 missing `enroll`: left out (na.rm) and counted.
    let v = json(&estimate(&[
        "--data",
        &apiclus2(),
        "--cluster",
        "dnum,snum",
        "--fpc",
        "fpc1,fpc2",
        "--ratio",
        "api.stu/enroll",
        "--format",
        "json",
    ]));
    let e = &v["estimates"][0];
    let want = &r_case("clus2_fpc", "ratio", "api.stu", &[])[0];
    close(
        "ratio",
        e["estimate"].as_f64().expect("estimate"),
        want["estimate"].as_f64().expect("R"),
    );
    close(
        "se",
        e["se"].as_f64().expect("se"),
        want["se"].as_f64().expect("R"),
    );
    assert_eq!(e["n_missing"], 6);
    assert_eq!(e["n"], 120);
}

#[test]
fn csv_and_table_formats() {
    let common = [
        "--data",
        &apistrat(),
        "--weights",
        "pw",
        "--strata",
        "stype",
        "--prop",
        "sch.wide",
        "--total",
        "enroll",
        "--by",
        "stype",
    ];
    let csv = ok_stdout(&estimate(&[&common[..], &["--format", "csv"]].concat()));
    let mut lines = csv.lines();
    let header = lines.next().expect("header");
    assert!(header.starts_with("statistic,variable,probability,level,stype,estimate,se"));
    // 3 domains × 2 levels of sch.wide + 3 totals.
    assert_eq!(lines.count(), 9);
    let table = ok_stdout(&estimate(&[&common[..], &["--level", "0.9"]].concat()));
    assert!(
        table.contains("proporción") && table.contains("IC 90%"),
        "{table}"
    );
    assert!(table.contains("CV %") && table.contains("calidad"));
}

/// The CSV carries the quantile's probability and the interval method, and
/// its numbers are the JSON output's, field by field.
#[test]
fn csv_rows_agree_with_json() {
    let common = [
        "--data",
        &apistrat(),
        "--weights",
        "pw",
        "--strata",
        "stype",
        "--mean",
        "api00",
        "--quantile",
        "api00@0.25",
        "--prop",
        "sch.wide",
        "--prop-ci",
        "beta",
        "--by",
        "stype",
    ];
    let csv_text = ok_stdout(&estimate(&[&common[..], &["--format", "csv"]].concat()));
    let v = json(&estimate(&[&common[..], &["--format", "json"]].concat()));
    let list = v["estimates"].as_array().expect("estimates");
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let header = r.headers().expect("header").clone();
    assert_eq!(
        header.iter().collect::<Vec<_>>().join(","),
        "statistic,variable,probability,level,stype,estimate,se,ci_low,ci_high,ci_level,\
         ci_method,cv,deff,df,n,n_missing,population,quality"
    );
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("record")).collect();
    // 3 domains × (mean + quantile + 2 levels of sch.wide).
    assert_eq!(rows.len(), 12);
    assert_eq!(rows.len(), list.len());
    let at = |c: &str| header.iter().position(|h| h == c).expect("column");
    for (row, e) in rows.iter().zip(list) {
        assert_eq!(row[at("statistic")], e["statistic"]);
        assert_eq!(row[at("stype")], e["domain"]["stype"]);
        assert_eq!(row[at("ci_method")], e["ci_method"]);
        assert_eq!(row[at("quality")], e["quality"]);
        for c in [
            "estimate",
            "se",
            "ci_low",
            "ci_high",
            "cv",
            "df",
            "population",
        ] {
            // serde_json parses floats to within an ulp or so, not exactly.
            let x: f64 = row[at(c)].parse().expect("number");
            let y = e[c].as_f64().expect("JSON number");
            assert!((x - y).abs() <= 1e-14 * y.abs(), "{c}: {x} vs {y}");
        }
        match e["statistic"].as_str() {
            Some("quantile") => {
                assert_eq!(&row[at("probability")], "0.25");
                assert_eq!(&row[at("ci_method")], "woodruff");
                assert_eq!(&row[at("deff")], "NA");
            }
            Some("mean") => {
                assert_eq!(&row[at("probability")], "");
                assert_eq!(&row[at("ci_method")], "normal");
            }
            Some("proportion") => {
                assert_eq!(&row[at("ci_method")], "beta");
                assert_eq!(row[at("level")], e["level"]);
            }
            other => panic!("unexpected statistic {other:?}"),
        }
    }
}

#[test]
fn embedded_survey_uses_the_codebook_design() {
    let v = json(&estimate(&[
        "--mean",
        "yhogpc",
        "--by",
        "macrodistrito",
        "--format",
        "json",
    ]));
    let list = v["estimates"].as_array().expect("estimates");
    assert_eq!(list.len(), 9, "one estimate per macrodistrict");
    for e in list {
        assert!(e["estimate"].as_f64().is_some_and(|x| x > 0.0));
        assert!(e["se"].as_f64().is_some_and(|x| x > 0.0));
        assert!(e["domain"]["macrodistrito"].is_string());
    }
}

#[test]
fn bad_arguments_fail_with_a_message() {
    let cases: [(&[&str], &str); 6] = [
        (
            &["--data", &apistrat(), "--weights", "pw"],
            "pida al menos una estimación",
        ),
        (&["--data", &apistrat(), "--mean", "nope"], "`nope`"),
        (
            &["--data", &apistrat(), "--ratio", "api00", "--weights", "pw"],
            "NUM/DEN",
        ),
        (
            &["--data", &apistrat(), "--quantile", "api00@2"],
            "entre 0 y 1",
        ),
        (
            &["--data", &apistrat(), "--mean", "api00", "--level", "95"],
            "--level",
        ),
        (
            &[
                "--data",
                &apistrat(),
                "--mean",
                "api00",
                "--weights",
                "pw",
                "--cluster",
                "stype,dnum",
                "--strata",
                "cname",
            ],
            "estrato",
        ),
    ];
    for (args, needle) in cases {
        let out = estimate(args);
        assert!(!out.status.success(), "{args:?} should fail");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: stderr {err}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
    }
    let out = estimate(&["--data", "/no/such/file.csv", "--mean", "x"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/file.csv"));
}
