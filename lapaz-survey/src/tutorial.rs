//! A guided tour of `lapaz-survey` for a researcher new to the crate.
//!
//! This module holds no code: it is a tutorial, like the `csv` crate's. It
//! walks one path through the crate — load the survey, describe its design,
//! estimate with standard errors, compare domains, test, reweight, model,
//! present and hand in a problem definition — on the **embedded synthetic
//! stand-in** of the EMH 2023 ([`Survey::embedded`](crate::Survey::embedded)),
//! so every example runs offline. Short answers to specific questions are
//! in the [cookbook](crate::cookbook).
//!
//! Every example below is a doctest that really runs and checks what it
//! claims:
//!
//! ```text
//! cargo test -p lapaz-survey --all-features --doc tutorial
//! ```
//!
//! If you know R's `survey` package, the mapping is one to one: a
//! [`SurveyDesign`](crate::design::SurveyDesign) is an `svydesign` object,
//! and estimators are methods of it (`svymean(~y, d)` is `d.mean("y")`). The
//! [module docs of `estimate`](crate::estimate) have the full table; the
//! numbers are checked against R to 10⁻⁹ relative.
//!
//! The synthetic data are **not** the real EMH 2023 (which is not public):
//! they are generated from a fixed seed with the shape of an INE Bolivia
//! household survey, and every table and chart built from them says so.
//! Figures quoted here are properties of the stand-in, not of La Paz.
//!
//! # Contents
//!
//! 1. Load the survey and read the load report
//! 2. The codebook
//! 3. The design: weights, strata, clusters, fpc, lonely PSUs
//! 4. Estimates: mean, total, ratio, proportions, quantiles
//! 5. Reading an estimate: SE, CI, CV, deff, df and the reliability flag
//! 6. Domains: `by` and `subset`, and why subsets keep the full design
//! 7. Tests: Rao–Scott χ², t-tests, contrasts
//! 8. Replicate weights
//! 9. Calibration
//! 10. Regression
//! 11. Tables: polars DataFrames and CSV
//! 12. Plots (feature `plot`)
//! 13. The problem tree and its ficha
//! 14. Loading the real files with a column mapping
//!
//! # 1. Load the survey and read the load report
//!
//! [`Survey::embedded`](crate::Survey::embedded) loads the stand-in that is
//! compiled into the crate; [`Survey::open`](crate::Survey::open) reads a zip
//! archive or a folder with the same layout (section 14). A
//! [`Survey`](crate::Survey) holds two typed polars DataFrames — households
//! (`vivienda`, one row per household) and persons (`persona`) — the
//! codebook that typed them, and a [`LoadReport`](crate::load::LoadReport)
//! that accounts for every row read.
//!
//! ```
//! use lapaz_survey::prelude::*;
//!
//! let survey = Survey::embedded()?;
//! assert!(survey.is_synthetic());
//! println!("{survey}"); // overview: tables, rows, strata, PSUs, weight sums
//!
//! let households = survey.households(); // polars DataFrame
//! let persons = survey.persons();
//! assert_eq!(households.height(), 3_990);
//! assert_eq!(persons.height(), 14_117);
//!
//! // Every row read is either kept or rejected, and the report says which.
//! let report = survey.report();
//! println!("{report}"); // in Spanish, like every user-facing message
//! for table in &report.tables {
//!     assert_eq!(table.rows_read, table.rows_kept + table.rows_rejected);
//! }
//! assert!(report.is_clean()); // the stand-in has no bad rows
//!
//! // INE's "no sabe / no responde" codes (9, 99, 999) became nulls, counted
//! // per column: 60 households did not say whether they have internet.
//! let vivienda = report.table(Table::Vivienda).expect("households were loaded");
//! assert!(vivienda.missing_codes_to_null.contains(&("internet".to_string(), 60)));
//! assert_eq!(households.column("internet")?.null_count(), 60);
//! # Ok::<(), lapaz_survey::Error>(())
//! ```
//!
//! Loading is strict by default: the first bad value (a code the codebook
//! does not declare, a missing weight, a person without a household) is a
//! [`LoadError`](crate::load::LoadError) naming file, row, column, what was
//! expected and what was found. [`LoadOptions::lenient`](crate::load::LoadOptions::lenient)
//! rejects such rows instead and lists them in
//! [`LoadReport::rejected`](crate::load::LoadReport::rejected) — nothing is
//! dropped silently.
//!
//! # 2. The codebook
//!
//! The [`Codebook`](crate::codebook::Codebook) says, for every column, its
//! table, type, Spanish and English label, unit, universe, missing-value
//! codes, value labels and design role. Categorical columns load as polars
//! `Enum`s of their Spanish labels, in code order; English labels are looked
//! up in the codebook wherever a table or chart is shown in English.
//!
//! ```
//! use lapaz_survey::prelude::*;
//! use lapaz_survey::codebook::Role;
//!
//! let survey = Survey::embedded()?;
//! let codebook = survey.codebook();
//!
//! let mode = codebook.variable("modo_principal").expect("declared");
//! assert_eq!(mode.table, Table::Persona);
//! assert_eq!(mode.label(Language::En), "Main transport mode of the usual trip");
//! assert_eq!(mode.value_label(6).map(|v| v.es.as_str()), Some("Mi Teleférico"));
//! assert!(mode.is_missing_code(99));
//! println!("universe: {:?}", mode.universe);
//!
//! // The design roles: what `survey.design()` is built from.
//! assert_eq!(codebook.role_column(Table::Vivienda, Role::Weight), Some("factor"));
//! assert_eq!(codebook.role_column(Table::Vivienda, Role::Strata), Some("estrato"));
//! assert_eq!(codebook.role_column(Table::Vivienda, Role::Psu), Some("upm"));
//! assert_eq!(codebook.role_column(Table::Vivienda, Role::Fpc), None);
//!
//! // The variables of one datathon sector, and the whole codebook as Markdown.
//! let mobility: Vec<&str> = codebook.sector_variables("movilidad").map(|v| v.name.as_str()).collect();
//! assert!(mobility.contains(&"tiempo_viaje_min"));
//! assert!(codebook.to_markdown().contains("| `yhogpc` |"));
//!
//! // In the data, a categorical column is an Enum of the Spanish labels.
//! let persons = survey.persons();
//! assert!(persons.column("modo_principal")?.dtype().is_enum());
//! # Ok::<(), lapaz_survey::Error>(())
//! ```
//!
//! # 3. The design: weights, strata, clusters, fpc, lonely PSUs
//!
//! The EMH is a stratified two-stage sample: blocks (*manzanas*, the PSUs,
//! column `upm`) drawn within 23 strata (macrodistrict × socioeconomic
//! level, `estrato`), then dwellings within blocks; `factor` is the
//! calibrated expansion factor. [`Survey::design`](crate::Survey::design)
//! builds the household design from the codebook's roles, and
//! [`Survey::person_design`](crate::Survey::person_design) the person design
//! (persons carry their household's stratum, PSU and factor, as INE does).
//! Variances use the first stage (ultimate clusters, sampling with
//! replacement), as R does when no fpc is given.
//!
//! The same design, spelled out with a [`DesignSpec`](crate::design::DesignSpec)
//! — which is how you describe any other data:
//!
//! ```
//! use lapaz_survey::prelude::*;
//! use lapaz_survey::design::{DesignSpec, LonelyPsu, SurveyDesign};
//!
//! let survey = Survey::embedded()?;
//! let design = survey.design()?; // households
//! println!("{design}");
//! assert_eq!((design.n_rows(), design.n_strata(), design.n_psu()), (3_990, 23, 336));
//! assert_eq!(design.degrees_of_freedom(), 313.0); // PSUs − strata
//!
//! // svydesign(ids = ~upm, strata = ~estrato, weights = ~factor, data = vivienda)
//! let spec = DesignSpec::new()
//!     .weights("factor")
//!     .strata("estrato")
//!     .cluster("upm")
//!     .lonely_psu(LonelyPsu::Fail); // R's default; `Adjust`, `Average`, … also exist
//! let by_hand = SurveyDesign::with_codebook(survey.households(), spec, survey.codebook().clone())?;
//! assert_eq!(by_hand.mean("yhogpc")?.estimates()[0].se, design.mean("yhogpc")?.estimates()[0].se);
//!
//! // The expansion factors add up to the households of La Paz.
//! assert!((design.population_size() - 212_845.0).abs() < 1.0);
//! # Ok::<(), lapaz_survey::Error>(())
//! ```
//!
//! **Lonely PSUs.** A stratum with a single PSU has no within-stratum
//! variance. R's default, [`LonelyPsu::Fail`](crate::design::LonelyPsu::Fail),
//! is ours too, but the check happens when the design is *built*, naming the
//! strata, rather than when an estimate touches them. The other policies are
//! R's `"remove"`, `"certainty"`, `"adjust"` and `"average"`. Every stratum
//! of the stand-in has at least two PSUs, so the policy only matters for
//! data you cut yourself:
//!
//! ```
//! use lapaz_survey::prelude::*;
//! use lapaz_survey::design::{DesignSpec, Filter, LonelyPsu, SurveyDesign};
//! use lapaz_survey::polars::prelude::{BooleanChunked, NewChunkedArray};
//!
//! let survey = Survey::embedded()?;
//! let households = survey.households();
//! // Keep one PSU of stratum 80 (Hampaturi) and drop the others: that
//! // stratum now has a single PSU.
//! let hampaturi = Filter::eq("estrato", "Hampaturi – rural").evaluate(&households, Some(survey.codebook()))?;
//! let upm = households.column("upm")?.str()?;
//! let first = (0..households.height()).find(|&i| hampaturi[i]).and_then(|i| upm.get(i)).map(str::to_string);
//! let keep: Vec<bool> = (0..households.height())
//!     .map(|i| !hampaturi[i] || upm.get(i).map(str::to_string) == first)
//!     .collect();
//! let cut = households.filter(&BooleanChunked::from_slice("keep".into(), &keep))?;
//!
//! let spec = DesignSpec::new().weights("factor").strata("estrato").cluster("upm");
//! let refused = SurveyDesign::with_codebook(cut.clone(), spec.clone(), survey.codebook().clone());
//! println!("{}", refused.as_ref().expect_err("a lonely PSU"));
//! assert!(refused.is_err());
//!
//! let adjusted = SurveyDesign::with_codebook(cut, spec.lonely_psu(LonelyPsu::Adjust), survey.codebook().clone())?;
//! assert!(adjusted.mean("yhogpc")?.estimates()[0].se > 0.0);
//! # Ok::<(), lapaz_survey::Error>(())
//! ```
//!
//! **Finite population corrections.** The codebook declares no fpc (INE does
//! not publish the frame counts), so variances are with-replacement, which
//! is conservative. If you know the number of PSUs in each stratum, put it
//! in a column and name it with [`DesignSpec::fpc`](crate::design::DesignSpec::fpc)
//! (one call per stage; values ≤ 1 are read as sampling fractions, as R
//! does). Here a made-up frame of 150 blocks per stratum, for illustration
//! only:
//!
//! ```
//! use lapaz_survey::prelude::*;
//! use lapaz_survey::design::{DesignSpec, SurveyDesign};
//!
//! let survey = Survey::embedded()?;
//! let mut households = survey.households();
//! let n = households.height();
//! households.with_column(Column::new("manzanas_estrato".into(), vec![150.0; n]))?;
//!
//! let spec = DesignSpec::new().weights("factor").strata("estrato").cluster("upm");
//! let without = SurveyDesign::with_codebook(households.clone(), spec.clone(), survey.codebook().clone())?;
//! let with = SurveyDesign::with_codebook(households, spec.fpc("manzanas_estrato"), survey.codebook().clone())?;
//! let se = |d: &SurveyDesign| -> lapaz_survey::Result<f64> { Ok(d.mean("yhogpc")?.estimates()[0].se) };
//! assert!(se(&with)? < se(&without)?); // sampling 336 of 23 × 150 blocks: about 10 %
//! # Ok::<(), lapaz_survey::Error>(())
//! ```
//!
//! A multistage design with an fpc at every stage is
//! `.cluster("upm").cluster("vivienda").fpc("N1").fpc("N2")`; the variance
//! then adds each stage's contribution, as R does.
//!
//! # 4. Estimates: mean, total, ratio, proportions, quantiles
//!
//! Every estimator returns an [`EstimateTable`](crate::estimate::EstimateTable)
//! of [`Estimate`](crate::estimate::Estimate)s. Printing one gives an
//! aligned Spanish table; the fields are plain numbers.
//!
//! Household variables (income per capita `yhogpc`, internet, tenure) are
//! estimated on the household design; person variables (age, labour income
//! `ylab`, transport mode) on the person design. A household variable *per
//! person* — the share of persons who are poor, the usual poverty rate —
//! needs the household columns on the persons table:
//! [`Survey::persons_with_households`](crate::Survey::persons_with_households).
//!
//! ```
//! use lapaz_survey::prelude::*;
//! use lapaz_survey::design::{DesignSpec, SurveyDesign};
//! use lapaz_survey::estimate::PropCiMethod;
//!
//! let survey = Survey::embedded()?;
//! let households = survey.design()?;
//! let persons = survey.person_design()?;
//!
//! let income = households.mean("yhogpc")?;                 // svymean(~yhogpc, d)
//! println!("{income}");
//! let total = households.total("yhog")?;                   // svytotal(~yhog, d)
//! let wage = persons.ratio("ylab", "tothrs")?;             // svyratio(~ylab, ~tothrs, d)
//! let internet = households.prop("internet")?;             // svymean(~internet, d)
//! let tenure = households.total("tenencia")?;              // svytotal(~tenencia, d): counts
//! println!("{internet}");
//!
//! let e = &income.estimates()[0];
//! assert!(e.estimate > 1_500.0 && e.estimate < 3_000.0);   // Bs per month
//! // A total is the mean times the estimated number of households.
//! let mean_yhog = households.mean("yhog")?.estimates()[0].estimate;
//! assert!((total.estimates()[0].estimate - mean_yhog * households.population_size()).abs() < 1e-3);
//! assert_eq!(wage.estimates()[0].variable, "ylab/tothrs");
//! // Proportions of a categorical variable: one estimate per level, summing to 1
//! // over the households that answered (the 60 "no sabe" are left out).
//! let shares: f64 = internet.estimates().iter().map(|e| e.estimate).sum();
//! assert!((shares - 1.0).abs() < 1e-12);
//! assert_eq!(internet.estimates()[0].n_missing, 60);
//! assert_eq!(tenure.len(), 8); // one count per tenure category
//!
//! // Proportions with R's svyciprop intervals (logit by default; also Wilson,
//! // Korn–Graubard "beta", …), for a level of a categorical or a 0/1 column.
//! let informal = persons.prop_ci("informal", PropCiMethod::Logit)?;
//! let e = &informal.estimates()[0];
//! assert!(e.ci.low < e.estimate && e.estimate < e.ci.high);
//!
//! // The poverty rate is a share of persons: join the household columns first.
//! let spec = DesignSpec::new().weights("factor").strata("estrato").cluster("upm");
//! let persons_hh = SurveyDesign::with_codebook(survey.persons_with_households()?, spec, survey.codebook().clone())?;
//! let poverty = persons_hh.mean("p0")?;                    // p0 is 1 for the poor
//! let by_households = households.mean("p0")?;              // share of *households*
//! assert!(poverty.estimates()[0].estimate > by_households.estimates()[0].estimate);
//!
//! // Quantiles: R's svyquantile with its default rule and Woodruff intervals.
//! let quartiles = persons.quantile("ylab", &[0.25, 0.5, 0.75])?;
//! let q: Vec<f64> = quartiles.estimates().iter().map(|e| e.estimate).collect();
//! assert!(q[0] < q[1] && q[1] < q[2]);
//! let median = households.median("yhogpc")?;
//! assert!(median.estimates()[0].estimate < income.estimates()[0].estimate); // skewed income
//! # Ok::<(), lapaz_survey::Error>(())
//! ```
//!
//! Rows whose analysis value is missing are left out of that estimate only
//! (R's `na.rm = TRUE`; the design is kept and the count is in
//! [`Estimate::n_missing`](crate::estimate::Estimate::n_missing)).
//! [`with_na_rm(false)`](crate::design::SurveyDesign::with_na_rm) gives R's
//! default instead: `NaN` for any domain with a missing value. Quantile
//! rules and interval types are chosen with
//! [`quantile_with`](crate::design::SurveyDesign::quantile_with) (R's
//! `qrule` and `interval.type`).
//!
//! # 5. Reading an estimate: SE, CI, CV, deff, df and the reliability flag
//!
//! An [`Estimate`](crate::estimate::Estimate) carries everything needed to
//! judge it: the standard error; the confidence interval (R's `confint`
//! normal interval for means, totals, ratios and proportions; the method is
//! in `ci.method`); the CV (`se/estimate`, as R's `cv()`); the design effect
//! (R's `deff = TRUE`: variance over the variance of a simple random sample
//! of the same size without replacement); the degrees of freedom (R's
//! `degf()`: PSUs minus strata among the domain's sampled rows); the
//! unweighted `n`; and a reliability class under a published rule — INE
//! Chile's by default, CEPAL 2023's on request (the
//! [`quality`](crate::quality) module states both).
//!
//! ```
//! use lapaz_survey::prelude::*;
//! use lapaz_survey::design::DeffKind;
//! use lapaz_survey::estimate::CiMethod;
//! use lapaz_survey::quality::{Quality, ReliabilityRule};
//!
//! let survey = Survey::embedded()?;
//! let design = survey.design()?;
//! let table = design.mean("yhogpc")?;
//! let e = &table.estimates()[0];
//!
//! assert_eq!(e.ci.method, CiMethod::Normal);
//! assert_eq!(e.ci.level, 0.95);
//! let z = 1.959_963_984_540_054;
//! assert!((e.ci.high - (e.estimate + z * e.se)).abs() < 1e-9);
//! assert!((e.cv - e.se / e.estimate).abs() < 1e-15);
//! let deff = e.deff.expect("means have a design effect");
//! assert!(deff > 1.5); // households in the same block are alike
//! println!("effective sample size: {:.0} of {} households", e.n as f64 / deff, e.n);
//! assert_eq!(e.df, 313.0);
//! assert_eq!(e.quality, Quality::Reliable); // n ≥ 60, df ≥ 9, CV ≤ 15 %
//!
//! // Other confidence levels, R's deff = "replace", and CEPAL's rule are
//! // options of the design: cheap copies that share the data.
//! let e90 = design.with_level(0.90).mean("yhogpc")?.estimates()[0].clone();
//! assert!(e90.ci.high - e90.ci.low < e.ci.high - e.ci.low);
//! let wr = design.with_deff(DeffKind::WithReplacement).mean("yhogpc")?.estimates()[0].deff;
//! assert!(wr.expect("a deff") < deff);
//! let cepal = design.with_reliability(ReliabilityRule::cepal_2023());
//! assert_eq!(cepal.mean("yhogpc")?.estimates()[0].quality, Quality::Reliable);
//! # Ok::<(), lapaz_survey::Error>(())
//! ```
//!
//! # 6. Domains: `by` and `subset`, and why subsets keep the full design
//!
//! [`by`](crate::design::SurveyDesign::by) splits a design into the domains
//! of one or more variables (R's `svyby`): every estimator then returns one
//! estimate per domain, all from one pass over the data.
//! [`subset`](crate::design::SurveyDesign::subset) restricts it to a
//! subpopulation described by a [`Filter`](crate::design::Filter) (R's
//! `subset(design, …)`); labels can be given in Spanish or English.
//!
//! Both **keep the full design**: rows outside the domain stay in with zero
//! weight instead of being dropped. That matters because the number of
//! sample units that fall in a domain is random; the variance must count
//! the PSUs (and strata) where the domain happens to have no members, as
//! zeros. Dropping the rows and building a new design treats the domain's
//! sample as fixed and gets the standard error wrong — and can even leave
//! strata with a single PSU.
//!
//! ```
//! use lapaz_survey::prelude::*;
//! use lapaz_survey::design::{Filter, LonelyPsu, SurveyDesign};
//! use lapaz_survey::polars::prelude::{BooleanChunked, NewChunkedArray};
//! use lapaz_survey::quality::Quality;
//!
//! let survey = Survey::embedded()?;
//! let households = survey.design()?;
//! let persons = survey.person_design()?;
//!
//! // One estimate per macrodistrict, in the codebook's order.
//! let by_macro = households.by(["macrodistrito"])?.mean("yhogpc")?;
//! println!("{by_macro}");
//! assert_eq!(by_macro.len(), 9);
//! let sur = by_macro.find(&["Sur"], None).expect("a domain");
//! // Mallasa: a CV like the others, but 3 degrees of freedom (6 PSUs in 3
//! // strata), so its SE itself is unreliable and so is the estimate.
//! let mallasa = by_macro.find(&["Mallasa"], None).expect("a domain");
//! assert_eq!(mallasa.df, 3.0);
//! assert_eq!(mallasa.quality, Quality::Unreliable);
//! assert!(sur.df >= 9.0 && sur.quality == Quality::Reliable);
//!
//! // Crossed domains, and a subpopulation: employed persons, by sex.
//! let employed = persons.subset(Filter::eq("condact", "Ocupado"))?; // or "Employed"
//! let wage_by_sex = employed.by(["s01a_02"])?.mean("ylab")?;
//! println!("{wage_by_sex}");
//! assert_eq!(wage_by_sex.subset(), Some("condact == \"Ocupado\""));
//! let by_area_sex = persons.by(["area", "s01a_02"])?.mean("s01a_03")?;
//! assert_eq!(by_area_sex.len(), 4);
//!
//! // A subset is a domain: the same SE as the matching row of `by`.
//! let women = persons.subset(Filter::eq("s01a_02", "Mujer"))?.mean("s01a_03")?;
//! let by_sex = persons.by(["s01a_02"])?.mean("s01a_03")?;
//! let women_by = by_sex.find(&["Woman"], None).expect("English labels work too");
//! assert!((women.estimates()[0].se - women_by.se).abs() < 1e-9 * women_by.se);
//!
//! // The wrong way: drop the rows, then build a design on what is left.
//! // Households hit by a landslide, flood or mudflow in the last 12 months.
//! let hit = Filter::is_in("evento_12m", ["Deslizamiento", "Inundación o desborde", "Mazamorra"]);
//! let right = households.subset(hit.clone())?.mean("yhogpc")?;
//! let frame = households.data();
//! let mask = hit.evaluate(frame, households.codebook())?;
//! let dropped = frame.filter(&BooleanChunked::from_slice("hit".into(), &mask))?;
//! // Three strata are left with a single PSU: the design is refused …
//! let spec = households.spec().clone();
//! assert!(SurveyDesign::with_codebook(dropped.clone(), spec.clone(), survey.codebook().clone()).is_err());
//! // … and with a lonely-PSU policy it builds, but its SE is not the domain's.
//! let spec = spec.lonely_psu(LonelyPsu::Adjust);
//! let wrong = SurveyDesign::with_codebook(dropped, spec, survey.codebook().clone())?.mean("yhogpc")?;
//! let (r, w) = (&right.estimates()[0], &wrong.estimates()[0]);
//! assert!((r.estimate - w.estimate).abs() < 1e-9 * r.estimate); // same point estimate
//! assert!(w.se < r.se);                                          // understated SE
//! println!("subset SE {:.1}, dropped-rows SE {:.1}", r.se, w.se);
//! # Ok::<(), lapaz_survey::Error>(())
//! ```
//!
//! Filters follow R's `subset()`: a row whose compared value is missing is
//! not in the subpopulation. For a share of a condition with the design's
//! SE, add a 0/1 column with
//! [`with_indicator`](crate::design::SurveyDesign::with_indicator) and take
//! its mean.
//!
//! # 7. Tests: Rao–Scott χ², t-tests, contrasts
//!
//! Two estimates' intervals overlapping proves nothing, and their SEs cannot
//! be combined as if independent: domains share PSUs. The design-based tests
//! and contrasts use the covariance of the estimates.
//!
//! ```
//! use lapaz_survey::prelude::*;
//! use lapaz_survey::design::Filter;
//! use lapaz_survey::estimate::{Contrast, TestKind, ChisqStatistic};
//!
//! let survey = Survey::embedded()?;
//! let households = survey.design()?;
//! let persons = survey.person_design()?;
//!
//! // Rao–Scott test of independence (R: svychisq(~internet + quintil, d)).
//! let chisq = households.chisq("internet", "quintil")?;
//! println!("{chisq}");
//! assert_eq!(chisq.kind, TestKind::Independence(ChisqStatistic::F));
//! assert!(chisq.p_value < 0.001); // internet access depends on income
//!
//! // Design-based t-test of a difference of domain means (R: svyttest).
//! // The difference is the second group minus the first, in category order.
//! let employed = persons.subset(Filter::eq("condact", "Ocupado"))?;
//! let t = employed.ttest("ylab", "s01a_02")?;             // women − men
//! println!("{t}");
//! assert!(t.estimate.expect("a difference") < 0.0 && t.p_value < 0.001);
//! assert_eq!(t.df, employed.degrees_of_freedom() - 1.0);
//!
//! // The same difference as a contrast of the two domain means (R:
//! // svycontrast on svyby(..., covmat = TRUE)): it uses their covariance.
//! let means = employed.by(["s01a_02"])?.mean("ylab")?;
//! let diff = means.contrast(&[Contrast::difference("mujeres − hombres", 1, 0)])?;
//! let d = &diff.estimates()[0];
//! assert!((d.estimate - t.estimate.expect("a difference")).abs() < 1e-6);
//! assert!((d.se - t.se.expect("an SE")).abs() < 1e-6 * d.se);
//! // Men and women live in the same blocks: their means are correlated, and
//! // the naive √(se₁² + se₂²) is not the SE of the difference.
//! let (m, w) = (&means.estimates()[0], &means.estimates()[1]);
//! assert!(((m.se.powi(2) + w.se.powi(2)).sqrt() - d.se).abs() > 1.0);
//! # Ok::<(), lapaz_survey::Error>(())
//! ```
//!
//! [`covariance`](crate::estimate::covariance) gives the covariance matrix
//! of any estimates of one design (also across tables and statistics);
//! [`Contrast::linear`](crate::estimate::Contrast::linear),
//! [`ratio`](crate::estimate::Contrast::ratio) and
//! [`nonlinear`](crate::estimate::Contrast::nonlinear) build other
//! functions of them. [`Estimate`](crate::estimate::Estimate) has no `+` or
//! `-` on purpose: two numbers do not carry their covariance.
//!
//! # 8. Replicate weights
//!
//! [`replicate`](crate::design::SurveyDesign::replicate) turns a design into
//! a replicate design (R's `as.svrepdesign`): jackknife (JK1, JKn), BRR,
//! Fay, Rao–Wu bootstrap (seeded), Canty–Davison bootstrap or successive
//! differences. The result is a `SurveyDesign` too, so every estimator,
//! domain, test and model works on it unchanged; variances come from the
//! spread of the replicate estimates. Published replicate columns are read
//! with [`with_replicate_columns`](crate::design::SurveyDesign::with_replicate_columns)
//! (R's `svrepdesign`; see the [cookbook](crate::cookbook)).
//!
//! ```
//! use lapaz_survey::prelude::*;
//! use lapaz_survey::design::VarianceMethod;
//!
//! let survey = Survey::embedded()?;
//! let taylor = survey.design()?;
//! let boot = taylor.replicate(ReplicateMethod::Bootstrap { replicates: 100, seed: 2023 })?;
//! assert_eq!(boot.variance_method(), VarianceMethod::Replicate);
//! assert_eq!(boot.replicate_weights().map(|r| r.replicates()), Some(100));
//!
//! let (t, b) = (taylor.mean("yhogpc")?, boot.mean("yhogpc")?);
//! let (t, b) = (&t.estimates()[0], &b.estimates()[0]);
//! println!("SE of mean income: Taylor {:.2}, bootstrap {:.2}", t.se, b.se);
//! assert!((t.estimate - b.estimate).abs() < 1e-12 * t.estimate); // same weights, same estimate
//! assert!((b.se / t.se - 1.0).abs() < 0.2);    // the same SE up to Monte Carlo error
//!
//! // Domains, proportions, quantiles, tests and models work the same way.
//! let by_macro = boot.by(["macrodistrito"])?.prop("internet")?;
//! assert_eq!(by_macro.len(), 18);
//! # Ok::<(), lapaz_survey::Error>(())
//! ```
//!
//! The jackknife (`ReplicateMethod::Jkn`, one replicate per PSU: 336 here)
//! agrees with linearisation for smooth statistics; it costs more to build.
//!
//! # 9. Calibration
//!
//! [`calibrate`](crate::design::SurveyDesign::calibrate) adjusts the weights
//! so that the design reproduces known population totals (R's `calibrate`,
//! linear or raking), [`post_stratify`](crate::design::SurveyDesign::post_stratify),
//! [`rake`](crate::design::SurveyDesign::rake) and
//! [`trim`](crate::design::SurveyDesign::trim) are the classic special cases.
//! Each returns a new design plus a
//! [`CalibrationReport`](crate::weighting::CalibrationReport); the variance
//! of the calibrated design accounts for the calibration (residuals, as R's
//! `svyrecvar`), and replicate weights, if any, are calibrated too.
//! Non-convergence is an error, not a warning.
//!
//! The stand-in ships its design weight before calibration,
//! `factor_diseno`; [`calibrate_embedded`](crate::weighting::calibrate_embedded)
//! calibrates it to the population by macrodistrict × sex × age group of
//! the crate's `targets.toml` (assumed figures that add up to the 2024
//! census count, 755,732), at household level: every member of a household
//! keeps the household's weight (integrated weighting, Lemaître & Dufour):
//!
//! ```
//! use lapaz_survey::prelude::*;
//!
//! let survey = Survey::embedded()?;
//! let cal = calibrate_embedded(&survey)?;
//! println!("{cal}"); // report, then targets and weight sums before/after by macrodistrict, sex and age group
//! assert!(cal.report.converged);
//! assert!((cal.design.population_size() - 755_732.0).abs() < 1e-6);
//!
//! // Calibrated estimates behave like any other.
//! let age = cal.design.mean("s01a_03")?;
//! assert!(age.estimates()[0].estimate > 20.0 && age.estimates()[0].estimate < 40.0);
//! // A calibrated total of a calibration variable has (almost) no variance.
//! let women = cal.design.total("s01a_02")?;
//! assert!(women.estimates().iter().all(|e| e.se < 1e-6 * e.estimate));
//! # Ok::<(), lapaz_survey::Error>(())
//! ```
//!
//! Targets for your own totals are a
//! [`CalibrationTargets`](crate::weighting::CalibrationTargets): counts per
//! category (or per combination of categories), totals of numeric columns,
//! or a population size. The cookbook calibrates the design weight to the
//! census count by macrodistrict and sex.
//!
//! # 10. Regression
//!
//! [`Regression`](crate::model::Regression) fits linear and logistic models
//! with design-based standard errors (R's `svyglm`: pseudo-likelihood
//! coefficients, sandwich variance through the design's strata, clusters
//! and calibration — or replicate refits on a replicate design). Categorical
//! predictors enter as treatment contrasts, the first level as reference.
//!
//! ```
//! use lapaz_survey::prelude::*;
//! use lapaz_survey::design::Filter;
//!
//! let survey = Survey::embedded()?;
//! let employed = survey.person_design()?.subset(Filter::eq("condact", "Ocupado"))?;
//!
//! // svyglm(ylab ~ aestudio + s01a_02 + s01a_03, design = employed)
//! let wage = Regression::linear("ylab").predictors(["aestudio", "s01a_02", "s01a_03"]).fit(&employed)?;
//! println!("{wage}");
//! let schooling = wage.coefficient("aestudio").expect("a term");
//! assert!(schooling.estimate > 0.0 && schooling.p_value < 0.001);
//! let woman = wage.coefficient("s01a_02: Mujer").expect("treatment contrast");
//! assert!(woman.estimate < 0.0);
//! assert_eq!(wage.df_residual(), employed.degrees_of_freedom() + 1.0 - 4.0);
//!
//! // Logistic: informality (0/1) and schooling. Shortcuts: design.lm(...), design.logit(...).
//! let informal = employed.logit("informal", ["aestudio", "s01a_02"])?;
//! assert!(informal.coefficient("aestudio").expect("a term").estimate < 0.0);
//! assert!(informal.converged());
//! # Ok::<(), lapaz_survey::Error>(())
//! ```
//!
//! # 11. Tables: polars DataFrames and CSV
//!
//! [`EstimateTable::to_dataframe`](crate::estimate::EstimateTable::to_dataframe)
//! gives a tidy polars `DataFrame`, one row per estimate: `statistic,
//! variable, probability` (of a quantile; null otherwise), `level,
//! level_en`, two columns per `by` variable (Spanish and `_en`), then
//! `estimate, se, ci_low, ci_high, ci_level, ci_method, cv, deff, df, n,
//! n_missing, population, quality, quality_en`. Regression tables have
//! [`to_dataframe`](crate::model::RegressionTable::to_dataframe) too. The
//! crate re-exports its polars ([`lapaz_survey::polars`](crate::polars)), so
//! you need no second dependency line.
//!
//! The crate builds polars without its CSV writer (compile time is user
//! time). A table writes its own CSV, the same as the command line's
//! `--format csv`:
//! [`write_csv`](crate::estimate::EstimateTable::write_csv) (to a file or
//! any writer) and
//! [`to_csv_string`](crate::estimate::EstimateTable::to_csv_string). For a
//! different selection of columns, use the `csv` crate on the estimates, as
//! below.
//!
//! ```
//! use lapaz_survey::prelude::*;
//!
//! let survey = Survey::embedded()?;
//! let table = survey.design()?.by(["macrodistrito"])?.mean("yhogpc")?;
//! let df = table.to_dataframe()?;
//! assert_eq!(df.height(), 9);
//! let names: Vec<&str> = df.get_column_names().into_iter().map(|c| c.as_str()).collect();
//! assert_eq!(&names[..7], ["statistic", "variable", "probability", "level", "level_en", "macrodistrito", "macrodistrito_en"]);
//! let se = df.column("se")?.f64()?;
//! assert_eq!(se.get(0), Some(table.estimates()[0].se));
//!
//! // The whole table as CSV, exactly as `--format csv` writes it:
//! let full = table.to_csv_string()?;
//! assert!(full.starts_with("statistic,variable,probability,level,macrodistrito,estimate,se,"));
//! assert_eq!(full.lines().count(), 1 + table.len());
//!
//! // CSV with the csv crate (add `csv = "1"` to your Cargo.toml): labels may
//! // contain commas, so let a CSV writer quote them.
//! let mut out = csv::Writer::from_writer(Vec::new());
//! out.write_record(["macrodistrito", "estimate", "se", "ci_low", "ci_high", "cv", "quality"])?;
//! for e in table.estimates() {
//!     out.write_record([
//!         e.domain[0].value.es.clone(),
//!         e.estimate.to_string(),
//!         e.se.to_string(),
//!         e.ci.low.to_string(),
//!         e.ci.high.to_string(),
//!         e.cv.to_string(),
//!         e.quality.label(Language::En).to_string(),
//!     ])?;
//! }
//! let text = String::from_utf8(out.into_inner()?)?;
//! assert_eq!(text.lines().count(), 10);
//! assert!(text.lines().any(|l| l.starts_with("Mallasa,") && l.ends_with(",unreliable")));
//! std::fs::write(std::env::temp_dir().join("yhogpc-por-macrodistrito.csv"), text)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # 12. Plots (feature `plot`)
//!
//! With the `plot` feature (on with `notebook`), estimate tables, designs
//! and surveys have `html()` tables for notebooks, and the
//! [`present`](crate::present) module draws charts in the house style: bars
//! or dot-and-whisker plots of domain estimates with their intervals, and
//! weighted histograms, population pyramids and stacked shares of a design.
//! Unreliable estimates are drawn hatched, with a legend. Charts render to
//! SVG or PNG (embedded font: the same picture on every machine) and draw
//! themselves inline in a notebook.
//!
//! ```
//! # #[cfg(feature = "plot")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use lapaz_survey::prelude::*;
//!
//! let survey = Survey::embedded()?;
//! let households = survey.design()?;
//! let income = households.by(["macrodistrito"])?.mean("yhogpc")?;
//!
//! let bars = BarChart::new(&income).measure("Ingreso per cápita medio").unit("Bs/mes").sorted();
//! let svg = bars.to_svg()?;
//! assert!(svg.contains("Ingreso per cápita medio por macrodistrito"));
//! let dir = std::env::temp_dir();
//! bars.save_png(dir.join("ingreso-por-macrodistrito.png"))?;
//!
//! let dots = DotChart::new(&income).language(Language::En).reference(income_mean(&households)?, "La Paz");
//! assert!(dots.to_svg()?.contains("by macrodistrict"));
//!
//! let persons = survey.person_design()?;
//! let pyramid = Pyramid::new(&persons, "s01a_02", "s01a_03")?;
//! let histogram = Histogram::new(&households, "yhogpc")?.range(0.0, 10_000.0).bins(40);
//! let modes = StackedBars::new(&persons, "macrodistrito", "modo_principal")?;
//! for svg in [pyramid.to_svg()?, histogram.to_svg()?, modes.to_svg()?] {
//!     assert!(svg.starts_with("<svg") && svg.contains("Datos sintéticos"));
//! }
//!
//! // The HTML table a notebook shows when `income` ends a cell.
//! assert!(income.html().as_html().contains("<table"));
//!
//! fn income_mean(d: &lapaz_survey::design::SurveyDesign) -> lapaz_survey::Result<f64> {
//!     Ok(d.mean("yhogpc")?.estimates()[0].estimate)
//! }
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "plot"))]
//! # fn main() {}
//! ```
//!
//! # 13. The problem tree and its ficha
//!
//! The datathon's deliverable is a problem definition: a central problem,
//! causes with evidence, effects, the affected population and the
//! beneficiaries, quantified with SEs and flags. The
//! [`problem`](crate::problem) module builds it from the estimates
//! themselves — an [`Estimate`](crate::estimate::Estimate) becomes a
//! [`Figure`](crate::problem::Figure), an estimate table a
//! [`DomainEvidence`](crate::problem::DomainEvidence), a test a
//! [`TestEvidence`](crate::problem::TestEvidence), a model term a
//! [`CoefficientEvidence`](crate::problem::CoefficientEvidence) — and
//! exports the diagram (SVG) and the *ficha del problema* (Markdown, in
//! Spanish).
//!
//! ```
//! use lapaz_survey::prelude::*;
//! use lapaz_survey::design::Filter;
//!
//! let survey = Survey::embedded()?;
//! let persons = survey.person_design()?;
//! let employed = persons.subset(Filter::eq("condact", "Ocupado"))?;
//!
//! let rate = employed.mean("informal")?;                     // informality rate
//! let by_macro = employed.by(["macrodistrito"])?.mean("informal")?;
//! // The affected population is a total: the count of informal workers.
//! let affected = employed.with_indicator("es_informal", Filter::eq("informal", 1))?.total("es_informal")?;
//! let schooling = employed.logit("informal", ["aestudio"])?;
//! let by_sex = employed.chisq("s01a_02", "s04f_36")?;
//!
//! let tree = ProblemTree::builder()
//!     .sector("Empleo")
//!     .problem("Alta informalidad laboral en La Paz")
//!     .baseline(Figure::from(&rate.estimates()[0]).label("Tasa de informalidad de los ocupados"))
//!     .cause(Cause::new("Baja escolaridad").evidence(CoefficientEvidence::from_model(&schooling, "aestudio")?))
//!     .cause(Cause::new("Desigualdad por sexo en el acceso a pensiones").evidence(&by_sex))
//!     .effect(Effect::new("Vejez sin jubilación").evidence(&by_macro))
//!     .affected(Population::new("Ocupados informales", &affected.estimates()[0]))
//!     .design(&employed)
//!     .survey(&survey)
//!     .date("2026-01-15")
//!     .build()?;
//! assert!(tree.to_svg().starts_with("<svg"));
//!
//! let ficha = tree.ficha().to_markdown();
//! assert!(ficha.contains("Alta informalidad laboral en La Paz"));
//! assert!(ficha.contains("sintéticos")); // the source is labelled synthetic
//! # Ok::<(), lapaz_survey::Error>(())
//! ```
//!
//! `tree.ficha().save("ficha.md")` and `tree.save_svg("arbol.svg")` write
//! the files; in a notebook the tree draws itself.
//!
//! # 14. Loading the real files with a column mapping
//!
//! Whoever has the real EMH 2023 (or an INE *Encuesta de Hogares*) loads it
//! without code changes: a folder or zip with the two tables (CSV; Parquet
//! with the `parquet` feature; SPSS `.sav` with the `spss` feature), a
//! `codebook.toml` (start from `lapaz-survey/data/codebook.toml`, set
//! `synthetic = false`) and a [`ColumnMapping`](crate::load::ColumnMapping)
//! in TOML that renames columns, recodes values, names the files and sets
//! the encoding and CSV format. The crate ships a commented one for INE's
//! EH 2023, `lapaz-survey/data/mappings/ine-eh2023.toml`:
//!
//! ```
//! use lapaz_survey::prelude::*;
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/mappings/ine-eh2023.toml");
//! let mapping = ColumnMapping::from_file(path)?;
//! assert_eq!(mapping.source_column(Table::Vivienda, "pared"), Some("s06a_03"));
//! assert_eq!(mapping.encoding, Some(TextEncoding::Latin1));
//! let options = LoadOptions::lenient().with_mapping(mapping);
//! assert!(options.is_lenient());
//! # Ok::<(), lapaz_survey::Error>(())
//! ```
//!
//! With the files at hand (this needs them, so it is not run here):
//!
//! ```no_run
//! use lapaz_survey::prelude::*;
//!
//! let mapping = ColumnMapping::from_file("lapaz-survey/data/mappings/ine-eh2023.toml")?;
//! let survey = Survey::open_with("EH2023.zip", LoadOptions::lenient().with_mapping(mapping))?;
//! println!("{}", survey.report()); // rows kept and rejected, renamed and null-filled columns
//! for rejected in &survey.report().rejected {
//!     println!("row {} of {}: {}", rejected.row, rejected.table, rejected.reason);
//! }
//! assert!(!survey.is_synthetic()); // with a codebook that says synthetic = false
//! let design = survey.design()?;   // from the codebook's roles, as above
//! # Ok::<(), lapaz_survey::Error>(())
//! ```
//!
//! The mentors' chapter of the book ("Cargar los archivos reales de la EMH
//! 2023") goes through a real case step by step, including the mistakes the
//! loader catches.
