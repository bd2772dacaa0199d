//! Replicate weights through `lapaz-survey estimate`, run as a user runs it: replicate weight
//! columns exported by R (`tests/data/apiclus1_rep.csv`: JK1 analysis weights `jk01..jk15` and
//! R's bootstrap analysis weights `boot01..boot50`, written by `tests/r/weighting.R`) with
//! `--repweights --rep-type --scale --rscales --mse`, replicates created with `--replicates`,
//! and bad arguments. SEs are compared with R's (`tests/reference/weighting.json`) at 1e-9
//! relative.

mod cli_support;
use cli_support::{estimate, repo_tests};

use serde_json::Value;

fn data(name: &str) -> String {
    repo_tests()
        .join("data")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn reference() -> Value {
    let text = std::fs::read_to_string(repo_tests().join("reference/weighting.json"))
        .expect("reference values");
    serde_json::from_str(&text).expect("JSON")
}

/// `estimate ... --format json` on the replicate file: the estimates.
fn estimates(args: &[&str]) -> Vec<Value> {
    estimates_of(&data("apiclus1_rep.csv"), args)
}

/// `estimate --data FILE ... --format json`: the estimates, after checking
/// that the command succeeded.
fn estimates_of(file: &str, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["--data", file, "--format", "json"];
    all.extend_from_slice(args);
    let out = estimate(&all);
    assert!(
        out.status.success(),
        "{args:?}: exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    v["estimates"].as_array().expect("estimates").clone()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn close(what: &str, got: f64, want: f64) {
    let rel = (got - want).abs() / want.abs();
    assert!(rel <= 1e-9, "{what}: got {got}, want {want} (rel {rel:e})");
}

/// Mean of api00 and total of enroll (estimate and SE) against R's `{mean_api00, total_enroll}`.
fn check_mean_total(what: &str, got: &[Value], want: &Value) {
    assert_eq!(got.len(), 2, "{what}: two estimates");
    for (e, key) in got.iter().zip(["mean_api00", "total_enroll"]) {
        close(
            &format!("{what} {key} estimate"),
            f(&e["estimate"]),
            f(&want[key]["estimate"]),
        );
        close(
            &format!("{what} {key} se"),
            f(&e["se"]),
            f(&want[key]["se"]),
        );
    }
}

/// A number as the shortest text that reads back to the same double.
fn text(x: f64) -> String {
    format!("{x:?}")
}

const MEAN_TOTAL: [&str; 4] = ["--mean", "api00", "--total", "enroll"];

fn with_mean_total<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut v = args.to_vec();
    v.extend_from_slice(&MEAN_TOTAL);
    v
}

#[test]
fn bootstrap_columns_with_scale_match_r() {
    let r = reference();
    let b = &r["bootstrap"];
    let scale = text(f(&b["scale"]));
    let got = estimates(&with_mean_total(&[
        "--weights",
        "pw",
        "--repweights",
        "boot",
        "--rep-type",
        "bootstrap",
        "--scale",
        &scale,
    ]));
    check_mean_total("bootstrap --scale", &got, b);
    // R's degrees of freedom of these replicates (rank − 1).
    assert_eq!(f(&got[0]["df"]), f(&b["degf"]));
}

#[test]
fn jk1_columns_default_scale_given_scale_and_mse_match_r() {
    let r = reference();
    // svrepdesign(type = "JK1") without scale: (R − 1)/R, as the design without fpc.
    let got = estimates(&with_mean_total(&[
        "--weights",
        "pw",
        "--repweights",
        "jk",
        "--rep-type",
        "jk1",
    ]));
    check_mean_total("jk1 default scale", &got, &r["jk1_nofpc"]);
    // With the scale of as.svrepdesign on the design with fpc.
    let scale = text(f(&r["jk1"]["scale"]));
    let args = [
        "--weights",
        "pw",
        "--repweights",
        "jk",
        "--rep-type",
        "JK1",
        "--scale",
        &scale,
    ];
    check_mean_total(
        "jk1 --scale",
        &estimates(&with_mean_total(&args)),
        &r["jk1"],
    );
    let mut mse = with_mean_total(&args);
    mse.push("--mse");
    check_mean_total("jk1 --mse", &estimates(&mse), &r["user"]["jk1_mse"]);
}

#[test]
fn jkn_columns_with_rscales_match_r() {
    let r = reference();
    let want = &r["user"]["jkn_rscales"];
    let rscales: Vec<String> = want["rscales"]
        .as_array()
        .expect("rscales")
        .iter()
        .map(|v| text(f(v)))
        .collect();
    let rscales = rscales.join(",");
    let got = estimates(&with_mean_total(&[
        "--weights",
        "pw",
        "--repweights",
        "jk",
        "--rep-type",
        "jkn",
        "--rscales",
        &rscales,
    ]));
    check_mean_total("jkn --rscales", &got, want);
}

#[test]
fn replicates_created_from_the_design_match_r() {
    let r = reference();
    // as.svrepdesign(dclus1): JK1 with the fpc in the scale.
    let got = estimates(&with_mean_total(&[
        "--weights",
        "pw",
        "--cluster",
        "dnum",
        "--fpc",
        "fpc",
        "--replicates",
        "jk1",
    ]));
    check_mean_total("--replicates jk1", &got, &r["jk1"]);
    // as.svrepdesign(dstrat, type = "JKn") on the stratified sample.
    let strat = data("apistrat.csv");
    let got = estimates_of(
        &strat,
        &[
            "--weights",
            "pw",
            "--strata",
            "stype",
            "--fpc",
            "fpc",
            "--replicates",
            "jkn",
            "--mean",
            "api00",
        ],
    );
    let e = &got[0];
    close(
        "--replicates jkn se",
        f(&e["se"]),
        f(&r["jkn"]["mean_api00"]["se"]),
    );
}

#[test]
fn seeded_bootstrap_replicates_from_the_command_line() {
    let r = reference();
    let strat = data("apistrat.csv");
    let run = |seed: &str, count: &str| -> Value {
        estimates_of(
            &strat,
            &[
                "--weights",
                "pw",
                "--strata",
                "stype",
                "--replicates",
                "bootstrap",
                "--seed",
                seed,
                "--count",
                count,
                "--mean",
                "api00",
            ],
        )[0]
        .clone()
    };
    let a = run("7", "40");
    // --count replicates: Rao–Wu replicates of rank 40, df 39 (R's subbootstrap with 40 has 39).
    assert_eq!(f(&a["df"]), f(&r["subbootstrap"]["degf"]));
    close(
        "bootstrap estimate",
        f(&a["estimate"]),
        f(&r["subbootstrap"]["mean_api00"]["estimate"]),
    );
    // Same seed, same replicates; another seed, other replicates.
    assert_eq!(a, run("7", "40"));
    let b = run("8", "40");
    assert_ne!(f(&a["se"]), f(&b["se"]));
    assert_eq!(f(&run("7", "25")["df"]), 24.0);
    // Not R's draws, so not R's SE; but a bootstrap SE of the same design: within 40% of R's
    // subbootstrap SE with 40 replicates (each has a sampling error of about 11%).
    let want = f(&r["subbootstrap"]["mean_api00"]["se"]);
    for e in [&a, &b] {
        let ratio = f(&e["se"]) / want;
        assert!((0.6..1.4).contains(&ratio), "SE {} vs R's {want}", e["se"]);
    }
}

#[test]
fn bad_replicate_arguments_fail_with_a_spanish_message() {
    let rep = data("apiclus1_rep.csv");
    let fails = |args: &[&str], needle: &str| {
        let mut all = vec!["--data", rep.as_str(), "--weights", "pw", "--mean", "api00"];
        all.extend_from_slice(args);
        let out = estimate(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
        assert!(err.contains(needle), "{args:?}: `{needle}` not in: {err}");
    };
    // 15 JK columns, 3 scales.
    fails(
        &[
            "--repweights",
            "jk",
            "--rep-type",
            "jkn",
            "--rscales",
            "0.5,0.5,0.5",
        ],
        "se esperaba una escala por réplica (15 columnas",
    );
    fails(
        &[
            "--repweights",
            "jk",
            "--rep-type",
            "other",
            "--rscales",
            "1,dos",
        ],
        "el valor 2 (`dos`) no es un número",
    );
    // JKn needs its per-replicate scales.
    fails(&["--repweights", "jk", "--rep-type", "jkn"], "rscales");
    fails(
        &["--repweights", "jk", "--rep-type", "jk3"],
        "se esperaba JK1, JKn, BRR, Fay, bootstrap, SDR u other",
    );
    fails(
        &["--repweights", "zz", "--rep-type", "jk1"],
        "ninguna columna empieza con `zz`",
    );
    fails(&["--replicates", "brr"], "réplicas");
}
