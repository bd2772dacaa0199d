//! Recipes: short answers to concrete questions.
//!
//! Each recipe is a runnable example on the embedded synthetic survey
//! (checked by `cargo test -p lapaz-survey --all-features --doc cookbook`),
//! except the one that needs files. The [tutorial](crate::tutorial) explains
//! the ideas behind them in order; the module docs and the Methodology
//! chapter of the book (`docs/` in the repository) give the formulas.
//!
//! Recipes:
//!
//! - Estimate a proportion by macrodistrict with Wilson intervals
//! - Compare two domain means
//! - Median income with its Woodruff interval
//! - Design effects and the effective sample size
//! - Reliability flags with the CEPAL rule
//! - Use published replicate weights
//! - Calibrate to census totals
//! - Export a tidy table to CSV
//! - Read an SPSS `.sav` with a column mapping
//! - A million rows: performance tips
//!
//! # Estimate a proportion by macrodistrict with Wilson intervals
//!
//! [`prop_ci`](crate::design::SurveyDesign::prop_ci) gives R's `svyciprop`
//! intervals for every level of a categorical variable (or the 1s of a 0/1
//! column), in every domain. Wilson's score interval uses the
//! design-effective sample size and t on the domain's degrees of freedom;
//! unlike the plain normal interval of `prop`, it stays inside [0, 1] and is
//! asymmetric near the edges — what small domains need.
//!
//! ```
//! use lapaz_survey::prelude::*;
//! use lapaz_survey::estimate::{CiMethod, PropCiMethod};
//!
//! let survey = Survey::embedded()?;
//! let households = survey.design()?;
//! let internet = households.by(["macrodistrito"])?.prop_ci("internet", PropCiMethod::Wilson)?;
//! println!("{internet}"); // both levels (Sí, No) in each of the 9 macrodistricts
//! assert_eq!(internet.len(), 18);
//!
//! for e in internet.estimates() {
//!     assert_eq!(e.ci.method, CiMethod::Wilson);
//!     assert!(0.0 <= e.ci.low && e.ci.low < e.estimate && e.estimate < e.ci.high && e.ci.high <= 1.0);
//! }
//! // Hampaturi (rural, 148 households): 14.5 % with internet, an interval
//! // that is wider above the estimate than below it.
//! let hampaturi = internet.find(&["Hampaturi"], Some("Sí")).expect("a domain and level");
//! assert!(hampaturi.ci.high - hampaturi.estimate > hampaturi.estimate - hampaturi.ci.low);
//! # Ok::<(), lapaz_survey::Error>(())
//! ```
//!
//! `PropCiMethod::Logit` (R's default), `Beta` (Korn–Graubard), `Mean`,
//! `Xlogit` and `Asin` are the other methods; for a person-level rate of a
//! household variable (persons in poor households), join the tables first
//! with [`Survey::persons_with_households`](crate::Survey::persons_with_households).
//!
//! # Compare two domain means
//!
//! Two ways, same numbers: a design-based t-test on the subpopulation made
//! of the two domains (R's `svyttest`), or a contrast of the domain means
//! (R's `svycontrast` on `svyby(..., covmat = TRUE)`). Both use the
//! covariance of the two means. Here income per capita in Centro and Sur:
//!
//! ```
//! use lapaz_survey::prelude::*;
//! use lapaz_survey::design::Filter;
//! use lapaz_survey::estimate::Contrast;
//!
//! let survey = Survey::embedded()?;
//! let two = survey.design()?.subset(Filter::is_in("macrodistrito", ["Sur", "Centro"]))?;
//!
//! // The difference is the second category minus the first, in codebook
//! // order (Sur = 5, Centro = 7): Centro − Sur.
//! let t = two.ttest("yhogpc", "macrodistrito")?;
//! println!("{t}");
//! assert!(t.p_value > 0.05); // no evidence of a difference
//!
//! let means = two.by(["macrodistrito"])?.mean("yhogpc")?; // Sur, Centro
//! let diff = means.contrast(&[Contrast::difference("Centro − Sur", 1, 0)])?;
//! let d = &diff.estimates()[0];
//! assert!((d.estimate - t.estimate.expect("a difference")).abs() < 1e-6);
//! assert!((d.se - t.se.expect("an SE")).abs() < 1e-6 * d.se);
//! // The contrast's interval is normal; the t-test's uses t on df − 1.
//! let (lo, hi) = t.conf_int.expect("an interval");
//! assert!(lo < d.ci.low && d.ci.high < hi);
//! # Ok::<(), lapaz_survey::Error>(())
//! ```
//!
//! Sur and Centro lie in different strata, so their means happen to be
//! independent; for domains that share PSUs (men and women, age groups) the
//! covariance matters, and the [tutorial](crate::tutorial) shows it.
//! [`covariance`](crate::estimate::covariance) gives the matrix itself.
//!
//! # Median income with its Woodruff interval
//!
//! [`median`](crate::design::SurveyDesign::median) and
//! [`quantile`](crate::design::SurveyDesign::quantile) follow R's
//! `svyquantile`: the quantile is read off the weighted distribution
//! function (rule `"math"` by default), and the interval is Woodruff's: an
//! interval for the share of the population below the quantile, mapped back
//! through the distribution function. The SE reported is R's: the interval
//! length over `2·t(df)`.
//!
//! ```
//! use lapaz_survey::prelude::*;
//! use lapaz_survey::estimate::{CiMethod, QuantileOptions, QuantileRule, WoodruffInterval, Statistic};
//!
//! let survey = Survey::embedded()?;
//! let households = survey.design()?;
//!
//! let median = households.median("yhogpc")?;
//! let m = &median.estimates()[0];
//! assert_eq!(m.statistic, Statistic::Quantile(0.5));
//! assert_eq!(m.ci.method, CiMethod::Woodruff);
//! assert!(m.ci.low < m.estimate && m.estimate < m.ci.high);
//! assert_eq!(m.deff, None); // quantiles have no design effect
//!
//! // By domain: each macrodistrict's own distribution and degrees of freedom.
//! let by_macro = households.by(["macrodistrito"])?.median("yhogpc")?;
//! println!("{by_macro}");
//! let sur = by_macro.find(&["Sur"], None).expect("a domain");
//! assert!(sur.ci.high - sur.estimate > sur.estimate - sur.ci.low); // skewed: asymmetric
//!
//! // R's qrule = "hf7" and interval.type = "beta".
//! let options = QuantileOptions::default().rule(QuantileRule::Hf7).interval(WoodruffInterval::Beta);
//! let hf7 = households.quantile_with("yhogpc", &[0.5], options)?;
//! assert!((hf7.estimates()[0].estimate / m.estimate - 1.0).abs() < 0.05);
//! # Ok::<(), lapaz_survey::Error>(())
//! ```
//!
//! # Design effects and the effective sample size
//!
//! Every mean, total, ratio and proportion carries R's `deff = TRUE`: its
//! variance over that of a simple random sample of the same size drawn
//! without replacement. `n / deff` is the effective sample size — how many
//! independent observations the clustered sample is worth.
//! [`with_deff`](crate::design::SurveyDesign::with_deff) switches to
//! R's `deff = "replace"`.
//!
//! ```
//! use lapaz_survey::prelude::*;
//! use lapaz_survey::design::DeffKind;
//!
//! let survey = Survey::embedded()?;
//! let persons = survey.person_design()?;
//!
//! let time = persons.mean("tiempo_viaje_min")?; // trip time: shared by neighbours
//! let age = persons.mean("s01a_03")?;           // age: varies within households
//! let (t, a) = (&time.estimates()[0], &age.estimates()[0]);
//! let (dt, da) = (t.deff.expect("a deff"), a.deff.expect("a deff"));
//! println!("deff: trip time {dt:.2}, age {da:.2}");
//! println!("effective n of trip time: {:.0} of {}", t.n as f64 / dt, t.n);
//! assert!(dt > 1.0);
//!
//! // Without replacement (default) ≥ with replacement: the SRS variance of
//! // the former carries the factor (N − n)/N.
//! let wr = persons.with_deff(DeffKind::WithReplacement).mean("tiempo_viaje_min")?;
//! assert!(wr.estimates()[0].deff.expect("a deff") <= dt);
//! # Ok::<(), lapaz_survey::Error>(())
//! ```
//!
//! # Reliability flags with the CEPAL rule
//!
//! The default flags follow INE Chile (2020). CEPAL's 2023 rule (Gutiérrez,
//! CEPAL 2023; `calidad`'s `eclac_2023`) is stricter on the effective sample
//! size and on design effects below 1, and judges proportions by their
//! log-CV. Choose it per design with
//! [`with_reliability`](crate::design::SurveyDesign::with_reliability); its
//! thresholds are public fields, so a documented exception — domains
//! planned in the sample design — is one field away.
//!
//! ```
//! use lapaz_survey::prelude::*;
//! use lapaz_survey::estimate::EstimateTable;
//! use lapaz_survey::quality::{Cepal2023, Quality, ReliabilityRule};
//!
//! let survey = Survey::embedded()?;
//! let households = survey.design()?;
//! let cepal = households.with_reliability(ReliabilityRule::cepal_2023());
//!
//! // Internet access in Hampaturi: 14.5 %, from about 20 households that have it.
//! let ine = households.by(["macrodistrito"])?.prop("internet")?;
//! let eclac = cepal.by(["macrodistrito"])?.prop("internet")?;
//! let flag = |t: &EstimateTable| t.find(&["Hampaturi"], Some("Sí")).map(|e| (e.quality, e.n_cases));
//! assert!(matches!(flag(&ine), Some((Quality::Caution, _)))); // INE: SE above p^(2/3)/9
//! // CEPAL: fewer than 30 unweighted cases behind a proportion is not reliable.
//! assert!(matches!(flag(&eclac), Some((Quality::Unreliable, cases)) if cases < 30));
//!
//! // Cable-car users in San Antonio: a design effect below 1 is not
//! // reliable under CEPAL unless the domain was planned (and n ≥ 100).
//! let persons = survey.person_design()?;
//! let rule = |r| -> lapaz_survey::Result<Option<Quality>> {
//!     let t = persons.with_reliability(r).by(["macrodistrito"])?.prop("modo_principal")?;
//!     Ok(t.find(&["San Antonio"], Some("Mi Teleférico")).map(|e| e.quality))
//! };
//! assert_eq!(rule(ReliabilityRule::ine_chile())?, Some(Quality::Reliable));
//! assert_eq!(rule(ReliabilityRule::cepal_2023())?, Some(Quality::Unreliable));
//! let planned = ReliabilityRule::Cepal2023(Cepal2023 { planned_domains: true, ..Cepal2023::default() });
//! assert_eq!(rule(planned)?, Some(Quality::Reliable));
//! # Ok::<(), lapaz_survey::Error>(())
//! ```
//!
//! On the command line: `lapaz-survey estimate --prop internet --by
//! macrodistrito --reliability cepal-2023`. The flag is also in
//! `to_dataframe()` (`quality`, `quality_en`) and colours notebook tables
//! and charts.
//!
//! # Use published replicate weights
//!
//! Agencies often publish replicate weight columns instead of strata and
//! PSUs. [`with_replicate_columns`](crate::design::SurveyDesign::with_replicate_columns)
//! reads them (R's `svrepdesign`): name the columns (or a prefix), their
//! type — which fixes the variance formula's constants — and, where R needs
//! them, `scale`, `rscales` (JKn) and `mse`. The EMH publishes none, so this
//! recipe first writes 50 bootstrap replicate weights into the data, as an
//! agency would, then reads them back.
//!
//! ```
//! use lapaz_survey::prelude::*;
//!
//! let survey = Survey::embedded()?;
//! let design = survey.design()?;
//!
//! // "Publish": Rao–Wu bootstrap analysis weights as columns rep_1 … rep_50.
//! let built = design.replicate(ReplicateMethod::Bootstrap { replicates: 50, seed: 7 })?;
//! let weights = built.replicate_weights().expect("a replicate design").analysis_weights(design.weights());
//! let mut published = design.clone();
//! for (r, column) in weights.columns().into_iter().enumerate() {
//!     published = published.with_column(Column::new(format!("rep_{}", r + 1).into(), column.to_vec()))?;
//! }
//!
//! // Read them: svrepdesign(repweights = "rep_[0-9]+", type = "bootstrap", ...)
//! let columns = ReplicateColumns::with_prefix(&published, "rep_", ReplicateType::Bootstrap);
//! assert_eq!(columns.columns.len(), 50);
//! let from_columns = published.with_replicate_columns(&columns)?;
//!
//! let a = built.by(["macrodistrito"])?.mean("yhogpc")?;
//! let b = from_columns.by(["macrodistrito"])?.mean("yhogpc")?;
//! for (x, y) in a.estimates().iter().zip(b.estimates()) {
//!     assert!((x.se - y.se).abs() <= 1e-9 * x.se); // the same variances
//! }
//! # Ok::<(), lapaz_survey::Error>(())
//! ```
//!
//! Other types: `ReplicateType::Brr`, `Fay { rho }`, `Jk1`, `Jkn` (give
//! `.rscales(...)`, as R requires), `SuccessiveDifference`, `Other` (give
//! `.scale(...)`). Columns that are factors of the main weight rather than
//! weights: `.factors()`. Variances around the full-sample estimate:
//! `.mse(true)`.
//!
//! # Calibrate to census totals
//!
//! Calibrate the design weight to known population counts with
//! [`calibrate`](crate::design::SurveyDesign::calibrate): here the stand-in's
//! `factor_diseno` (before calibration) raked to persons by macrodistrict
//! and by sex. The totals are those of the crate's `targets.toml`: the 2024
//! census count for the municipality (755,732) split by macrodistrict and
//! sex under stated assumptions — use the real census tables when you have
//! them.
//!
//! ```
//! use lapaz_survey::prelude::*;
//! use lapaz_survey::design::{DesignSpec, SurveyDesign};
//!
//! let survey = Survey::embedded()?;
//! let spec = DesignSpec::new().weights("factor_diseno").strata("estrato").cluster("upm");
//! let design = SurveyDesign::with_codebook(survey.persons(), spec, survey.codebook().clone())?;
//!
//! let macrodistricts = [
//!     ("Cotahuma", 151_000.0), ("Max Paredes", 152_000.0), ("Periférica", 150_000.0),
//!     ("San Antonio", 116_000.0), ("Sur", 126_000.0), ("Mallasa", 9_000.0),
//!     ("Centro", 43_962.0), ("Hampaturi", 4_660.0), ("Zongo", 3_110.0),
//! ];
//! let targets = CalibrationTargets::new()
//!     .categorical("macrodistrito", macrodistricts)
//!     .categorical("s01a_02", [("Hombre", 366_041.0), ("Mujer", 389_691.0)]);
//! let (calibrated, report) = design.calibrate(&targets, CalibrationOptions::raking())?;
//! println!("{report}");
//! assert!(report.converged && report.g_min > 0.0);
//!
//! // The calibrated design reproduces the totals, with (almost) no variance.
//! let women = calibrated.total("s01a_02")?;
//! let w = women.find(&[], Some("Mujer")).expect("a level");
//! assert!((w.estimate - 389_691.0).abs() < 1e-3);
//! assert!(w.se < 1e-3);
//! let zongo = calibrated.by(["macrodistrito"])?.total("s01a_02")?;
//! let z: f64 = zongo.estimates().iter().filter(|e| e.domain[0].value.es == "Zongo").map(|e| e.estimate).sum();
//! assert!((z - 3_110.0).abs() < 1e-3);
//!
//! // Other estimates change, and their SEs account for the calibration.
//! let before = design.mean("s01a_03")?.estimates()[0].estimate;
//! let after = calibrated.mean("s01a_03")?.estimates()[0].estimate;
//! println!("mean age: {before:.2} before, {after:.2} after calibration");
//! # Ok::<(), lapaz_survey::Error>(())
//! ```
//!
//! `CalibrationOptions::linear()` is GREG (R's default `calfun`), with
//! optional `.bounds(lower, upper)` on the g-weights;
//! [`post_stratify`](crate::design::SurveyDesign::post_stratify) and
//! [`rake`](crate::design::SurveyDesign::rake) are the classic special
//! cases; [`crossed`](crate::weighting::CalibrationTargets::crossed) gives
//! totals for combinations (macrodistrict × sex × age group, as
//! [`calibrate_embedded`](crate::weighting::calibrate_embedded) does).
//!
//! # Export a tidy table to CSV
//!
//! An estimate table writes itself as CSV, with the same columns as the
//! command line's `--format csv`:
//! [`write_csv`](crate::estimate::EstimateTable::write_csv) to any writer
//! (a file), [`to_csv_string`](crate::estimate::EstimateTable::to_csv_string)
//! for the text.
//!
//! [`to_dataframe`](crate::estimate::EstimateTable::to_dataframe) is the
//! tidy form (one row per estimate, English column names, Spanish and
//! English labels). The crate's polars has no CSV writer (it is built
//! without that feature to keep compile times low), so this recipe writes
//! any `DataFrame` with the `csv` crate (`csv = "1"` in your Cargo.toml),
//! letting it quote labels that contain commas.
//!
//! ```
//! use lapaz_survey::prelude::*;
//!
//! /// Writes every column of `df` as text (nulls as empty fields).
//! fn write_csv(df: &DataFrame, path: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
//!     let mut out = csv::Writer::from_path(path)?;
//!     out.write_record(df.get_column_names().iter().map(|c| c.as_str()))?;
//!     let text: Vec<Column> = df.columns().iter().map(|c| c.cast(&DataType::String)).collect::<Result<_, _>>()?;
//!     let columns = text.iter().map(|c| c.str()).collect::<Result<Vec<_>, _>>()?;
//!     for row in 0..df.height() {
//!         out.write_record(columns.iter().map(|c| c.get(row).unwrap_or("")))?;
//!     }
//!     out.flush()?;
//!     Ok(())
//! }
//!
//! let survey = Survey::embedded()?;
//! let walls = survey.design()?.by(["macrodistrito"])?.prop("pared")?;
//! let path = std::env::temp_dir().join("paredes-por-macrodistrito.csv");
//! write_csv(&walls.to_dataframe()?, &path)?;
//!
//! let text = std::fs::read_to_string(&path)?;
//! let header = text.lines().next().unwrap_or_default();
//! assert!(header.starts_with("statistic,variable,probability,level,level_en,macrodistrito,macrodistrito_en,estimate,se,"));
//! assert_eq!(text.lines().count(), 1 + walls.len()); // header + one row per estimate
//! assert!(text.contains("\"Ladrillo, bloque de cemento u hormigón\"")); // quoted: it has a comma
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The same helper writes a regression table
//! ([`RegressionTable::to_dataframe`](crate::model::RegressionTable::to_dataframe)).
//! Without code: `lapaz-survey estimate --prop pared --by macrodistrito
//! --format csv > paredes.csv`.
//!
//! # Read an SPSS `.sav` with a column mapping
//!
//! INE distributes its household surveys as SPSS files. With the crate's
//! `spss` feature (`lapaz-survey = { …, features = ["spss"] }`), a zip or
//! folder holding the `.sav` tables loads like CSV; the
//! [`ColumnMapping`](crate::load::ColumnMapping) names the files and maps
//! columns and codes onto the codebook. The crate ships one for INE's EH
//! 2023 (`lapaz-survey/data/mappings/ine-eh2023.toml`, commented: check the
//! names it marks *verificar* against INE's dictionary). INE's strata are
//! not the EMH's, so give a codebook that declares them. This needs the
//! files, so it is not run here:
//!
//! ```no_run
//! # #[cfg(feature = "spss")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use lapaz_survey::prelude::*;
//!
//! let mapping = ColumnMapping::from_file("lapaz-survey/data/mappings/ine-eh2023.toml")?;
//! let codebook = Codebook::from_toml_str(&std::fs::read_to_string("codebook-eh2023.toml")?)?;
//! let options = LoadOptions::lenient().with_mapping(mapping).with_codebook(codebook);
//! // A folder or zip with EH2023_Vivienda.sav and EH2023_Persona.sav:
//! let survey = Survey::open_with("EH2023", options)?;
//! println!("{}", survey.report()); // kept/rejected rows, null-filled and ignored columns
//! let persons = survey.person_design()?;
//! println!("{}", persons.by(["area"])?.mean("ylab")?);
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "spss"))]
//! # fn main() {}
//! ```
//!
//! Check the mapping first on the command line:
//! `cargo run -p lapaz-survey --features spss -- info --data EH2023 --mapping
//! lapaz-survey/data/mappings/ine-eh2023.toml --lenient`.
//!
//! # A million rows: performance tips
//!
//! The estimators are built for large files: one pass over the data gives
//! every domain's totals, the variance works on per-PSU sums, and replicate
//! designs multiply a small PSU × replicate matrix instead of looping over
//! replicates. What keeps it fast on your side:
//!
//! - **Build the design once.** Building validates and indexes strata and
//!   PSUs; `clone`, `subset`, `with_level`, `with_reliability`, `by` are cheap
//!   views of the same data (shared, not copied).
//! - **Ask for all domains at once.** `design.by(["zona"])?.mean("y")` is
//!   one pass for hundreds of domains; a loop of `subset(...)` calls is one
//!   pass each. Use `find` on the table to pick a domain.
//! - **Domain columns as `Enum`s.** The loaders type categorical columns as
//!   polars `Enum`s, whose codes are read without touching strings; text and
//!   number columns are hashed first.
//! - **Compile with optimisations.** Debug builds (doctests, `cargo run`
//!   without `--release`, notebooks at `:opt 0`) are many times slower; use
//!   `--release` or `[profile.dev] opt-level = 1` for production runs.
//! - **Replicates:** build them once (`design.replicate(...)`), then reuse
//!   the replicate design; the bootstrap's cost grows with the number of
//!   replicates, the jackknife's with the number of PSUs.
//! - **Quantiles** sort each domain's values: the most expensive estimator;
//!   ask for all probabilities in one call (`quantile("y", &[0.1, 0.5, 0.9])`).
//!
//! A generated survey shaped like the benchmark's (strata × PSUs ×
//! households), smaller so that the doctest stays quick in a debug build —
//! set `STRATA = 200` for a million rows, and see the book's *Performance*
//! page and `cargo bench -p lapaz-survey --bench estimation` for measured
//! times:
//!
//! ```
//! use lapaz_survey::prelude::*;
//! use lapaz_survey::design::{DesignSpec, Filter, SurveyDesign};
//!
//! const STRATA: usize = 10; // 200 → 1,000,000 rows
//! const ROWS_PER_STRATUM: usize = 20 * 50 * 5; // PSUs × households × persons
//! let n = STRATA * ROWS_PER_STRATUM;
//! let stratum: Vec<i64> = (0..n).map(|i| (i / ROWS_PER_STRATUM) as i64).collect();
//! let psu: Vec<i64> = (0..n).map(|i| (i / 250) as i64).collect(); // 250 persons per PSU
//! let domain: Vec<i64> = (0..n).map(|i| ((i * 7_919) % 100) as i64).collect(); // 100 domains
//! let weight: Vec<f64> = (0..n).map(|i| 80.0 + (i % 80) as f64).collect();
//! let income: Vec<f64> = (0..n).map(|i| 1_000.0 + ((i * 37) % 5_000) as f64).collect();
//! let df = DataFrame::new_infer_height(vec![
//!     Column::new("estrato".into(), stratum),
//!     Column::new("upm".into(), psu),
//!     Column::new("dominio".into(), domain),
//!     Column::new("factor".into(), weight),
//!     Column::new("ingreso".into(), income),
//! ])?;
//!
//! let design = SurveyDesign::new(df, DesignSpec::new().weights("factor").strata("estrato").cluster("upm"))?;
//! let by_domain = design.by(["dominio"])?.mean("ingreso")?; // one pass, 100 domains
//! assert_eq!(by_domain.len(), 100);
//!
//! // The same numbers as one subset at a time, at a hundredth of the work.
//! let d42 = design.subset(Filter::eq("dominio", 42))?.mean("ingreso")?;
//! let from_table = by_domain.find(&["42"], None).expect("domain 42");
//! assert!((d42.estimates()[0].se - from_table.se).abs() <= 1e-9 * from_table.se);
//! # Ok::<(), lapaz_survey::Error>(())
//! ```
