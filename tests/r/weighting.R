# Run from the repository root:  Rscript tests/r/weighting.R   (writes tests/reference/weighting.json)
#
# Reference values for replicate designs, calibration and survey regression, computed with R's
# `survey` package (Debian: r-base-core r-cran-survey r-cran-jsonlite). The Rust cross-check is
# tests/weighting.rs. Data: R's `api` datasets (apistrat, apiclus1), which tests/r/estimation.R
# exports to tests/data/*.csv in the same row order as here.
#
# Where R draws random numbers (bootstrap replicates) or uses matrices we do not rebuild (some
# Hadamard orders), the replicate factors themselves are exported so the tests reuse them exactly.

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})
data(api)
options(survey.lonely.psu = "fail")

out <- list()
out$versions <- list(R = R.version.string, survey = as.character(packageVersion("survey")))

# ---- helpers -----------------------------------------------------------------------------------
num <- function(x) unname(as.numeric(x))
est <- function(s) {
  r <- list(estimate = num(coef(s)), se = num(SE(s)))
  nm <- names(coef(s))
  if (!is.null(nm)) r$names <- nm
  r
}
quant <- function(q) {
  # newsvyquantile: one matrix per variable with columns quantile, ci.2.5, ci.97.5, se
  m <- q[[1]]
  list(quantile = num(m[, 1]), ci_low = num(m[, 2]), ci_high = num(m[, 3]), se = num(m[, 4]))
}
by_est <- function(b) {
  list(domain = as.character(b[[1]]), estimate = num(coef(b)), se = num(SE(b)))
}
# Replicate factors (multipliers of the sampling weight), one row per PSU, with the PSU ids.
compressed_factors <- function(rep, psu) {
  rw <- rep$repweights
  stopifnot(inherits(rw, "repweights_compressed"))
  first <- !duplicated(rw$index)
  ids <- psu[first][order(rw$index[first])]
  list(psu = ids, factors = unname(lapply(seq_len(nrow(rw$weights)), function(i) num(rw$weights[i, ]))))
}
rep_info <- function(rep) {
  list(type = rep$type, replicates = ncol(rep$repweights), scale = num(rep$scale),
       rscales = num(rep$rscales), degf = degf(rep))
}
# The standard battery of estimates on one design (Taylor or replicate).
battery <- function(d) {
  r <- list()
  r$mean_api00 <- est(svymean(~api00, d))
  r$total_enroll <- est(svytotal(~enroll, d))
  r$ratio_api_stu_enroll <- est(svyratio(~api.stu, ~enroll, d))
  r$prop_stype <- est(svymean(~stype, d))
  r$by_stype_mean_api00 <- by_est(svyby(~api00, ~stype, d, svymean))
  r
}
glm_out <- function(m) {
  s <- summary(m)$coefficients
  list(names = rownames(s), coef = num(s[, 1]), se = num(s[, 2]), t = num(s[, 3]),
       p = num(s[, 4]), df_residual = num(m$df.residual))
}
tight <- glm.control(epsilon = 1e-14, maxit = 100)

# ---- Taylor designs ------------------------------------------------------------------------------
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
dclus1_nofpc <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1)
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)

# ---- JK1 (apiclus1, with and without fpc) --------------------------------------------------------
rclus1 <- as.svrepdesign(dclus1)
out$jk1 <- c(rep_info(rclus1), battery(rclus1))
out$jk1$factors <- compressed_factors(rclus1, apiclus1$dnum)
out$jk1$quantile_api00 <- quant(svyquantile(~api00, rclus1, c(0.25, 0.5)))
b <- svyby(~api00, ~stype, rclus1, svymean, covmat = TRUE)
out$jk1$contrast_E_minus_H <- est(svycontrast(b, c(E = 1, H = -1, M = 0)))

rclus1_nofpc <- as.svrepdesign(dclus1_nofpc)
out$jk1_nofpc <- c(rep_info(rclus1_nofpc), battery(rclus1_nofpc))

# ---- JKn (apistrat, fpc) -------------------------------------------------------------------------
rstrat <- as.svrepdesign(dstrat, type = "JKn")
out$jkn <- c(rep_info(rstrat), battery(rstrat))
out$jkn$quantile_api00 <- quant(svyquantile(~api00, rstrat, c(0.5)))

# ---- Bootstrap: R's "bootstrap" (Canty-Davison, with fpc) on apiclus1 and "subbootstrap" (Rao-Wu,
# n-1 PSUs resampled) on apistrat. Random: factors exported. ---------------------------------------
set.seed(20230417)
rboot <- as.svrepdesign(dclus1, type = "bootstrap", replicates = 50)
out$bootstrap <- c(rep_info(rboot), battery(rboot))
out$bootstrap$factors <- compressed_factors(rboot, apiclus1$dnum)
out$bootstrap$quantile_api00 <- quant(svyquantile(~api00, rboot, c(0.5)))

set.seed(20230418)
rsub <- as.svrepdesign(dstrat, type = "subbootstrap", replicates = 40)
out$subbootstrap <- c(rep_info(rsub), battery(rsub))
out$subbootstrap$factors <- compressed_factors(rsub, apistrat$snum)

# ---- BRR and Fay on designs with exactly two PSUs per stratum ------------------------------------
# Pseudo-strata: within each school type, schools sorted by snum are paired; each school is a PSU.
pairs_design <- function(dat) {
  dat <- dat[order(dat$stype, dat$snum), ]
  dat$pair <- paste(dat$stype, ave(seq_len(nrow(dat)), dat$stype, FUN = function(i) (seq_along(i) + 1) %/% 2), sep = "-")
  dat
}
apipairs <- pairs_design(apistrat)
out$pairs_order <- apipairs$snum            # row order of the pairs design, as snum
dpairs <- svydesign(id = ~snum, strata = ~pair, weights = ~pw, data = apipairs)
rbrr <- as.svrepdesign(dpairs, type = "BRR")
out$brr <- c(rep_info(rbrr), battery(rbrr))
out$brr$strata <- length(unique(apipairs$pair))
rfay <- as.svrepdesign(dpairs, type = "Fay", fay.rho = 0.5)
out$fay <- c(rep_info(rfay), battery(rfay))
out$fay$rho <- 0.5

# A small pairs design (first 14 schools of the pairs order: 7 strata) whose factors are exported.
apismall <- apipairs[1:14, ]
dsmall <- svydesign(id = ~snum, strata = ~pair, weights = ~pw, data = apismall)
rsmall <- as.svrepdesign(dsmall, type = "BRR")
out$brr_small <- rep_info(rsmall)
out$brr_small$mean_api00 <- est(svymean(~api00, rsmall))
out$brr_small$factors <- compressed_factors(rsmall, apismall$snum)

# R's choice of Hadamard matrix: its order for 1..200 strata, and a few matrices (0/1 coding).
out$hadamard_order <- sapply(1:200, function(n) nrow(survey:::hadamard(n)))
out$hadamard <- lapply(c(1, 3, 6, 11, 20, 100), function(n) {
  H <- survey:::hadamard(n)
  list(n = n, rows = unname(lapply(seq_len(nrow(H)), function(i) as.integer(H[i, ]))))
})

# ---- User-supplied replicate columns (svrepdesign semantics) -------------------------------------
# Combined (analysis) weights = pw * JK1 factors, as an agency would publish them.
repw <- as.matrix(weights(rclus1, "analysis"))
user <- list()
user$jk1_scale <- {
  d <- svrepdesign(data = apiclus1, repweights = repw, weights = ~pw, type = "JK1",
                   scale = rclus1$scale, combined.weights = TRUE)
  list(scale = d$scale, mean_api00 = est(svymean(~api00, d)), total_enroll = est(svytotal(~enroll, d)))
}
user$jkn_rscales <- {
  rs <- seq(0.5, 1.2, length.out = ncol(repw))
  d <- svrepdesign(data = apiclus1, repweights = repw, weights = ~pw, type = "JKn",
                   rscales = rs, combined.weights = TRUE)
  list(rscales = rs, mean_api00 = est(svymean(~api00, d)), total_enroll = est(svytotal(~enroll, d)))
}
user$bootstrap_default <- {
  d <- svrepdesign(data = apiclus1, repweights = repw, weights = ~pw, type = "bootstrap",
                   combined.weights = TRUE)
  list(scale = d$scale, mean_api00 = est(svymean(~api00, d)), total_enroll = est(svytotal(~enroll, d)))
}
user$other_scale_rscales <- {
  rs <- seq(1, 2, length.out = ncol(repw))
  d <- svrepdesign(data = apiclus1, repweights = repw, weights = ~pw, type = "other",
                   scale = 0.3, rscales = rs, combined.weights = TRUE)
  list(scale = 0.3, rscales = rs, mean_api00 = est(svymean(~api00, d)), total_enroll = est(svytotal(~enroll, d)))
}
user$jk1_mse <- {
  d <- svrepdesign(data = apiclus1, repweights = repw, weights = ~pw, type = "JK1",
                   scale = rclus1$scale, combined.weights = TRUE, mse = TRUE)
  list(mean_api00 = est(svymean(~api00, d)), total_enroll = est(svytotal(~enroll, d)),
       ratio_api_stu_enroll = est(svyratio(~api.stu, ~enroll, d)))
}
user$factors_not_combined <- {
  # The same replicates given as factors (combined.weights = FALSE).
  d <- svrepdesign(data = apiclus1, repweights = repw / apiclus1$pw, weights = ~pw, type = "JK1",
                   scale = rclus1$scale, combined.weights = FALSE)
  list(mean_api00 = est(svymean(~api00, d)), total_enroll = est(svytotal(~enroll, d)))
}
# Successive difference replication, factors built by the documented rule (see weighting/sdr.rs):
# PSUs in data order i = 0..n-1 use rows i+1 and i+2 (0-based) of a +-1 Hadamard matrix of order
# R >= n + 2, f = 1 + 2^(-3/2) (h[i+1, r] - h[i+2, r]). Here: Sylvester order 16 on 14 schools.
sylvester <- function(k) { H <- matrix(1, 1, 1); for (i in seq_len(k)) H <- rbind(cbind(H, H), cbind(H, -H)); H }
H16 <- sylvester(4)
sdr_f <- t(sapply(0:13, function(i) 1 + 2^(-1.5) * (H16[i + 2, ] - H16[i + 3, ])))
dsdr <- svrepdesign(data = apismall, repweights = sdr_f, weights = ~pw, type = "successive-difference",
                    combined.weights = FALSE)
user$sdr <- list(scale = dsdr$scale, factors = unname(lapply(1:14, function(i) num(sdr_f[i, ]))),
                 mean_api00 = est(svymean(~api00, dsdr)), total_enroll = est(svytotal(~enroll, dsdr)))
out$user <- user

# ---- Replicate weight columns for the command-line tests (lapaz-survey/tests/replicate_cli.rs) -----
# tests/data/apiclus1_rep.csv: apiclus1's design and analysis columns, the JK1 analysis weights of
# rclus1 (jk01..jk15) and R's bootstrap analysis weights of rboot (boot01..boot50), numbers with 17
# significant digits. The tests compare the command line's SEs with jk1_nofpc, jk1, user$jk1_mse,
# user$jkn_rscales and bootstrap above.
cli <- apiclus1[, c("dnum", "pw", "fpc", "stype", "api00", "enroll")]
cli$stype <- as.character(cli$stype)
jkw <- as.matrix(weights(rclus1, "analysis"))
colnames(jkw) <- sprintf("jk%02d", seq_len(ncol(jkw)))
bw <- as.matrix(weights(rboot, "analysis"))
colnames(bw) <- sprintf("boot%02d", seq_len(ncol(bw)))
cli <- cbind(cli, jkw, bw)
for (j in seq_along(cli)) if (is.double(cli[[j]])) cli[[j]] <- sprintf("%.17g", cli[[j]])
write.csv(cli, "tests/data/apiclus1_rep.csv", row.names = FALSE, quote = FALSE)

# ---- Calibration (Taylor and replicate) ----------------------------------------------------------
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
cal_battery <- function(d) {
  r <- list()
  r$weights <- num(if (inherits(d, "svyrep.design")) weights(d, "sampling") else weights(d))
  r$mean_api00 <- est(svymean(~api00, d))
  r$total_enroll <- est(svytotal(~enroll, d))
  r$total_stype <- est(svytotal(~stype, d))
  r$by_stype_mean_api00 <- by_est(svyby(~api00, ~stype, d, svymean))
  # svyby(covmat = TRUE) fails in survey 4.1.1 on some calibrated Taylor designs; then no contrast.
  b <- tryCatch(svyby(~api00, ~stype, d, svymean, covmat = TRUE), error = function(e) NULL)
  if (!is.null(b)) {
    r$contrast_E_minus_H <- est(svycontrast(b, c(E = 1, H = -1, M = 0)))
  } else {
    # The same contrast as a difference of two ratios with their joint covariance.
    dd <- update(d, yE = api00 * (stype == "E"), yH = api00 * (stype == "H"),
                 nE = as.numeric(stype == "E"), nH = as.numeric(stype == "H"))
    rr <- svyratio(~yE + yH, ~nE + nH, dd, covmat = TRUE)
    r$contrast_E_minus_H <- est(svycontrast(rr, c(1, 0, 0, -1)))
  }
  r
}
cal <- list()
cal$poststratify <- cal_battery(postStratify(dclus1, ~stype, pop.types))
cal$poststratify_rep <- cal_battery(postStratify(rclus1, ~stype, pop.types))
dr <- rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide))
cal$rake <- cal_battery(dr)
cal$rake$total_sch_wide <- est(svytotal(~sch.wide, dr))
cal$rake_rep <- cal_battery(rake(rclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide)))
# rake with a tight epsilon (0.001 weighted count in every cell) and 100 iterations
cal$rake_tight <- cal_battery(rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide),
                                   control = list(maxit = 100, epsilon = 0.001)))
pop.totals <- c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018, api99 = 3914069)
cal$population <- num(pop.totals)
cal$linear <- cal_battery(calibrate(dclus1, ~stype + api99, pop.totals))
cal$linear_rep <- cal_battery(calibrate(rclus1, ~stype + api99, pop.totals))
cal$linear_bounded <- cal_battery(calibrate(dclus1, ~stype + api99, pop.totals, bounds = c(0.45, 1.75)))
cal$raking <- cal_battery(calibrate(dclus1, ~stype + api99, pop.totals, calfun = "raking"))
cal$raking_bounded <- cal_battery(calibrate(dclus1, ~stype + api99, pop.totals, calfun = "raking",
                                            bounds = c(0.3, 1.6)))
cal$raking_rep <- cal_battery(calibrate(rclus1, ~stype + api99, pop.totals, calfun = "raking"))
# A bound that cannot be met: R stops with "Calibration failed".
cal$infeasible_fails <- inherits(try(calibrate(dclus1, ~stype + api99, pop.totals, bounds = c(0.99, 1.01)),
                                     silent = TRUE), "try-error")
dtrim <- trimWeights(dstrat, upper = 40, lower = 18)
cal$trim <- list(weights = num(weights(dtrim)), mean_api00 = est(svymean(~api00, dtrim)),
                 total_enroll = est(svytotal(~enroll, dtrim)))
dtrim_strict <- trimWeights(dstrat, upper = 40, lower = 18, strict = TRUE)
cal$trim_strict <- list(weights = num(weights(dtrim_strict)))
out$calibration <- cal

# ---- Regression ----------------------------------------------------------------------------------
apistrat$yes <- as.numeric(apistrat$sch.wide == "Yes")
apiclus1$yes <- as.numeric(apiclus1$sch.wide == "Yes")
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
rclus1 <- as.svrepdesign(dclus1)
rboot <- svrepdesign(data = apiclus1, repweights = as.matrix(weights(rboot, "analysis")), weights = ~pw,
                     type = "bootstrap", scale = rboot$scale, rscales = rboot$rscales, combined.weights = TRUE)
reg <- list()
reg$gaussian_strat <- glm_out(svyglm(api00 ~ ell + meals + mobility, design = dstrat, control = tight))
reg$gaussian_strat_factor <- glm_out(svyglm(api00 ~ ell + stype, design = dstrat, control = tight))
reg$gaussian_clus1 <- glm_out(svyglm(api00 ~ ell + meals, design = dclus1, control = tight))
reg$logit_strat <- glm_out(svyglm(yes ~ ell + meals + mobility, design = dstrat, family = quasibinomial(),
                                  control = tight))
reg$logit_clus1_factor <- glm_out(svyglm(yes ~ ell + stype, design = dclus1, family = quasibinomial(),
                                         control = tight))
reg$gaussian_jk1 <- glm_out(svyglm(api00 ~ ell + meals, design = rclus1, control = tight))
reg$logit_jk1 <- glm_out(svyglm(yes ~ ell + meals, design = rclus1, family = quasibinomial(), control = tight))
reg$gaussian_boot <- glm_out(svyglm(api00 ~ ell + stype, design = rboot, control = tight))
out$regression <- reg

dir.create("tests/reference", showWarnings = FALSE, recursive = TRUE)
# jsonlite prints at most 15 significant digits: write numbers with 17 (exact round trip).
exact <- function(x) {
  if (is.list(x)) return(lapply(x, exact))
  if (is.numeric(x) && !is.integer(x)) {
    txt <- ifelse(is.na(x), "null", sprintf("%.17g", x))
    body <- paste(txt, collapse = ",")
    return(structure(if (length(x) == 1) body else paste0("[", body, "]"), class = "json"))
  }
  x
}
writeLines(toJSON(exact(out), auto_unbox = TRUE, json_verbatim = TRUE, pretty = TRUE),
           "tests/reference/weighting.json")
cat("wrote tests/reference/weighting.json\n")
