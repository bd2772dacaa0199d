# Run from the repository root:  Rscript tests/r/inference.R   (writes tests/reference/inference.json)
#
# Reference values for the inference layer (quantiles with Woodruff intervals, proportion
# confidence intervals, Rao-Scott chi-squared tests, design-based t-tests, contrasts), computed
# with R's `survey` package (Debian: r-base-core r-cran-survey r-cran-jsonlite). The Rust
# cross-check is tests/inference.rs. Data: R's `api` datasets (apistrat, apiclus1, apiclus2),
# which tests/r/estimation.R exports to tests/data/*.csv in the same row order as here; this
# script reads them from `data(api)` directly (the same data).
#
# Every design is described in the JSON by column names (ids per stage, strata, weights, fpc per
# stage), so the Rust test rebuilds it from the CSV files without guessing.
#
# Values R cannot give (Debian ships survey 4.1.1, which predates svyciprop(method = "wilson")) are
# computed here by an independent route and marked `"source": "independent"`: the Wilson interval
# is found by inverting the score test numerically (uniroot), not by its closed form.

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})
data(api)
options(survey.lonely.psu = "fail")

out <- list()
out$versions <- list(R = R.version.string, survey = as.character(packageVersion("survey")))

num <- function(x) unname(as.numeric(x))

# ---- designs ------------------------------------------------------------------------------------
spec <- list(
  strat = list(data = "apistrat", ids = list(), strata = "stype", weights = "pw", fpc = list("fpc")),
  strat_nofpc = list(data = "apistrat", ids = list(), strata = "stype", weights = "pw", fpc = list()),
  clus1 = list(data = "apiclus1", ids = list("dnum"), strata = NULL, weights = "pw", fpc = list("fpc")),
  clus1_nofpc = list(data = "apiclus1", ids = list("dnum"), strata = NULL, weights = "pw", fpc = list()),
  clus2 = list(data = "apiclus2", ids = list("dnum", "snum"), strata = NULL, weights = NULL,
               fpc = list("fpc1", "fpc2")),
  clus2_nofpc = list(data = "apiclus2", ids = list("dnum", "snum"), strata = NULL, weights = "pw",
                     fpc = list())
)
designs <- list(
  strat = svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc),
  strat_nofpc = svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat),
  clus1 = svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc),
  clus1_nofpc = svydesign(id = ~dnum, weights = ~pw, data = apiclus1),
  clus2 = svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2),
  clus2_nofpc = svydesign(id = ~dnum + snum, weights = ~pw, data = apiclus2)
)
for (nm in names(spec)) spec[[nm]]$degf <- degf(designs[[nm]])
out$designs <- spec

# A domain (subpopulation) as R's subset() keeps it: the rows of the domain, the full design.
domain_design <- function(d, var, value) d[d$variables[[var]] == value, ]

# ---- quantiles ----------------------------------------------------------------------------------
# svyquantile (survey >= 4.1): qrule, Woodruff interval on design df, SE = CI length / (2 t).
quant_entry <- function(dname, var, ps, qrule = "math", interval = "mean", domain = NULL,
                        na.rm = FALSE, alpha = 0.05) {
  d <- designs[[dname]]
  if (!is.null(domain)) d <- domain_design(d, domain$variable, domain$value)
  q <- svyquantile(as.formula(paste0("~", var)), d, ps, qrule = qrule, interval.type = interval,
                   na.rm = na.rm, alpha = alpha, ci = TRUE, se = TRUE)
  m <- q[[1]]
  dd <- if (na.rm) d[!is.na(d$variables[[var]]), ] else d
  list(design = dname, variable = var, p = ps, qrule = qrule, interval = interval,
       domain = domain, level = 1 - alpha, df = degf(dd),
       quantile = num(m[, 1]), ci_low = num(m[, 2]), ci_high = num(m[, 3]), se = num(m[, 4]))
}
ps <- c(0.1, 0.25, 0.5, 0.75, 0.9)
qs <- list()
for (dn in names(designs)) {
  qs[[length(qs) + 1]] <- quant_entry(dn, "api00", ps)
}
for (rule in c("school", "shahvaish", "hf1", "hf2", "hf3", "hf4", "hf5", "hf6", "hf7", "hf8", "hf9")) {
  qs[[length(qs) + 1]] <- quant_entry("strat", "api00", ps, qrule = rule)
  qs[[length(qs) + 1]] <- quant_entry("clus2", "api00", ps, qrule = rule)
}
for (it in c("beta", "xlogit", "asin")) {
  qs[[length(qs) + 1]] <- quant_entry("clus1", "api00", ps, interval = it)
  qs[[length(qs) + 1]] <- quant_entry("strat", "ell", ps, interval = it)
}
qs[[length(qs) + 1]] <- quant_entry("clus1", "api00", ps, alpha = 0.1)
qs[[length(qs) + 1]] <- quant_entry("clus2", "enroll", ps, na.rm = TRUE)
qs[[length(qs) + 1]] <- quant_entry("strat", "ell", ps, qrule = "hf7")
# Domains: each level of stype, as svyby(..., svyquantile) computes them (subset designs).
for (dn in c("strat", "clus1", "clus2")) {
  for (lev in levels(apistrat$stype)) {
    for (rule in c("math", "school", "hf7")) {
      qs[[length(qs) + 1]] <- quant_entry(dn, "api00", ps, qrule = rule,
                                          domain = list(variable = "stype", value = lev))
    }
  }
}
# svyby gives the same numbers as the subset designs above (checked here, not assumed).
b <- svyby(~api00, ~stype, designs$clus1, svyquantile, quantiles = 0.5, ci = TRUE,
           vartype = c("se", "ci"))
for (i in seq_along(levels(apistrat$stype))) {
  e <- quant_entry("clus1", "api00", 0.5, domain = list(variable = "stype",
                                                        value = levels(apistrat$stype)[i]))
  stopifnot(isTRUE(all.equal(num(coef(b))[i], e$quantile)), isTRUE(all.equal(num(SE(b))[i], e$se)))
}
out$quantiles <- qs

# Rule semantics on small hand-made samples (point estimates only), many p each, ties included.
# Weights have three decimals and x are integers, so the CSV/JSON round trip is exact.
set.seed(20230901)
rules <- c("math", "school", "shahvaish", "hf1", "hf2", "hf3", "hf4", "hf5", "hf6", "hf7", "hf8", "hf9")
cases <- list(
  list(x = c(10, 20, 30, 40, 50), w = c(1, 1, 1, 1, 1)),
  list(x = c(10, 20, 30, 40, 50), w = c(1, 2, 3, 1, 3)),
  list(x = c(30, 10, 10, 20, 30, 40), w = c(1, 1, 2, 3, 3, 2)),
  list(x = c(7, 3), w = c(1.5, 2.5)),
  list(x = c(25, 38, 44, 50, 54, 55, 60, 66, 70, 71), w = rep(2, 10))
)
for (k in 1:4) {
  n <- sample(8:25, 1)
  cases[[length(cases) + 1]] <- list(x = sample(1:15, n, replace = TRUE) * 3,
                                     w = round(runif(n, 0.5, 6), 3))
}
grid <- sort(unique(c(0.001, 0.01, 0.05, seq(0.1, 0.9, by = 0.1), 0.25, 0.75, 0.95, 0.99, 1)))
rc <- list()
for (cs in cases) {
  df <- data.frame(x = cs$x, w = cs$w)
  d <- svydesign(id = ~1, weights = ~w, data = df)
  # the exact cumulative shares k/n for equal weights, where ties matter
  pp <- sort(unique(c(grid, cumsum(cs$w) / sum(cs$w))))
  pp <- pp[pp > 0 & pp <= 1]
  res <- list()
  for (r in rules) {
    res[[r]] <- suppressWarnings(sapply(pp, function(p) num(svyquantile(~x, d, p, qrule = r, ci = FALSE)[[1]][1])))
  }
  # p as 17-significant-digit strings: JSON numbers here carry 15 digits, and these p must reach
  # Rust bit-exact (they sit exactly on the cumulative shares, where the rules branch).
  rc[[length(rc) + 1]] <- list(x = cs$x, w = cs$w, p = sprintf("%.17g", pp), results = res)
}
out$qrule_cases <- rc

# ---- proportion confidence intervals ------------------------------------------------------------
# Binary variables: `variable == value`.
wilson_independent <- function(p, v, df, level) {
  # Invert |p - p0| <= t * sqrt(p0 (1 - p0) / n_eff), n_eff = p (1 - p) / v, numerically.
  neff <- p * (1 - p) / v
  t <- if (is.finite(df)) qt(1 - (1 - level) / 2, df) else qnorm(1 - (1 - level) / 2)
  f <- function(p0) (p - p0)^2 - t^2 * p0 * (1 - p0) / neff
  lo <- uniroot(f, c(0, p), tol = 1e-15)$root
  hi <- uniroot(f, c(p, 1), tol = 1e-15)$root
  c(lo, hi)
}
cip <- list()
ciprop_entry <- function(dname, var, value, method, level = 0.95, domain = NULL) {
  d <- designs[[dname]]
  if (!is.null(domain)) d <- domain_design(d, domain$variable, domain$value)
  d <- update(d, .y = as.numeric(d$variables[[var]] == value))
  if (method == "wilson") {
    m <- svymean(~.y, d)
    ci <- wilson_independent(num(coef(m)), num(vcov(m)), degf(d), level)
    return(list(design = dname, variable = var, equals = value, method = method, level = level,
                domain = domain, source = "independent", df = degf(d), n = nrow(d),
                estimate = num(coef(m)), se = num(SE(m)), ci_low = ci[1], ci_high = ci[2]))
  }
  r <- svyciprop(~.y, d, method = method, level = level)
  ci <- confint(r)
  list(design = dname, variable = var, equals = value, method = method, level = level,
       domain = domain, source = "R", df = degf(d), n = nrow(d),
       estimate = num(r), se = num(SE(r)), ci_low = num(ci[1]), ci_high = num(ci[2]))
}
methods <- c("logit", "beta", "mean", "xlogit", "asin", "wilson")
for (m in methods) {
  cip[[length(cip) + 1]] <- ciprop_entry("clus1", "ell", 0, m)               # near 0 (p = 0.022)
  cip[[length(cip) + 1]] <- ciprop_entry("strat", "sch.wide", "Yes", m)      # near 1 (p = 0.83)
  cip[[length(cip) + 1]] <- ciprop_entry("clus2", "awards", "Yes", m)
  cip[[length(cip) + 1]] <- ciprop_entry("strat_nofpc", "awards", "No", m, level = 0.9)
  cip[[length(cip) + 1]] <- ciprop_entry("clus1", "sch.wide", "No", m,
                                         domain = list(variable = "stype", value = "H"))
  cip[[length(cip) + 1]] <- ciprop_entry("clus2_nofpc", "sch.wide", "No", m,
                                         domain = list(variable = "stype", value = "E"))
}
out$ciprop <- cip

# ---- Rao-Scott chi-squared tests ----------------------------------------------------------------
chi <- list()
chisq_entry <- function(dname, rowvar, colvar, statistic) {
  d <- designs[[dname]]
  r <- svychisq(as.formula(paste0("~", rowvar, "+", colvar)), d, statistic = statistic)
  e <- list(design = dname, row = rowvar, col = colvar, statistic = statistic,
            value = num(r$statistic), p_value = num(r$p.value),
            pearson = num(sum((r$observed - r$expected)^2 / r$expected)))
  if (length(r$parameter) == 2) {
    e$ndf <- num(r$parameter[1]); e$ddf <- num(r$parameter[2])
  } else {
    e$df <- num(r$parameter)
  }
  e
}
for (st in c("F", "Chisq", "Wald", "adjWald")) {
  chi[[length(chi) + 1]] <- chisq_entry("clus1", "sch.wide", "stype", st)        # 2 x 3
  chi[[length(chi) + 1]] <- chisq_entry("strat", "comp.imp", "sch.wide", st)     # 2 x 2
  chi[[length(chi) + 1]] <- chisq_entry("clus2", "stype", "awards", st)          # 3 x 2
  chi[[length(chi) + 1]] <- chisq_entry("strat_nofpc", "stype", "both", st)      # 3 x 2
  chi[[length(chi) + 1]] <- chisq_entry("clus1_nofpc", "stype", "awards", st)
}
# A larger table: stype x api00 quartile band (a factor made in R, exported in the JSON rows).
band <- function(x) cut(x, c(-Inf, 550, 650, 750, Inf), labels = c("a", "b", "c", "d"))
designs$strat <- update(designs$strat, band = band(api00))
designs$clus2 <- update(designs$clus2, band = band(api00))
for (st in c("F", "Chisq", "Wald", "adjWald")) {
  chi[[length(chi) + 1]] <- chisq_entry("strat", "stype", "band", st)            # 3 x 4
  chi[[length(chi) + 1]] <- chisq_entry("clus2", "band", "stype", st)            # 4 x 3
}
out$chisq <- chi
out$band_breaks <- c(550, 650, 750)

# ---- design-based t-tests -----------------------------------------------------------------------
tt <- list()
ttest_entry <- function(dname, formula, y, group = NULL, y2 = NULL) {
  r <- svyttest(formula, designs[[dname]])
  list(design = dname, y = y, y_minus = y2, group = group,
       estimate = num(r$estimate), t = num(r$statistic), df = num(r$parameter),
       p_value = num(r$p.value), ci_low = num(r$conf.int[1]), ci_high = num(r$conf.int[2]))
}
tt[[length(tt) + 1]] <- ttest_entry("clus2", api00 ~ comp.imp, "api00", "comp.imp")
tt[[length(tt) + 1]] <- ttest_entry("clus2", enroll ~ comp.imp, "enroll", "comp.imp")     # NAs in y
tt[[length(tt) + 1]] <- ttest_entry("strat", api00 ~ awards, "api00", "awards")
tt[[length(tt) + 1]] <- ttest_entry("clus1", ell ~ sch.wide, "ell", "sch.wide")
tt[[length(tt) + 1]] <- ttest_entry("clus1_nofpc", ell ~ sch.wide, "ell", "sch.wide")
tt[[length(tt) + 1]] <- ttest_entry("clus2", I(api00 - api99) ~ 0, "api00", NULL, "api99")
tt[[length(tt) + 1]] <- ttest_entry("strat", I(api00 - api99) ~ 0, "api00", NULL, "api99")
out$ttest <- tt

# ---- contrasts ----------------------------------------------------------------------------------
ct <- list()
contrast_entry <- function(stat, kind, dname, variables, coefs, by = NULL, names = NULL) {
  r <- svycontrast(stat, coefs)
  list(design = dname, kind = kind, variables = variables, by = by,
       levels = names, coefficients = unname(lapply(coefs, num)),
       estimate = num(coef(r)), se = num(SE(r)), vcov = unname(lapply(seq_len(nrow(vcov(r))),
                                                                      function(i) num(vcov(r)[i, ]))))
}
a <- svytotal(~api00 + enroll + api99, designs$clus1)
ct[[length(ct) + 1]] <- contrast_entry(a, "total", "clus1", c("api00", "enroll", "api99"),
                                       list(avg = c(0.5, 0, 0.5), diff = c(1, 0, -1)))
m <- svymean(~api00 + api99, designs$strat)
ct[[length(ct) + 1]] <- contrast_entry(m, "mean", "strat", c("api00", "api99"), list(diff = c(1, -1)))
m2 <- svymean(~api00 + api99 + ell, designs$clus2_nofpc)
ct[[length(ct) + 1]] <- contrast_entry(m2, "mean", "clus2_nofpc", c("api00", "api99", "ell"),
                                       list(d = c(1, -1, 0), e = c(0.2, 0.3, -2)))
for (dn in c("strat", "clus1", "clus2")) {
  b <- svyby(~api00, ~stype, designs[[dn]], svymean, covmat = TRUE)
  ct[[length(ct) + 1]] <- contrast_entry(b, "by_mean", dn, "api00",
                                         list(EminusH = c(1, -1, 0), avg = c(1, 1, 1) / 3,
                                              MminusE = c(-1, 0, 1)),
                                         by = "stype", names = as.character(b$stype))
}
bt <- svyby(~enroll, ~stype, designs$clus1, svytotal, covmat = TRUE)
ct[[length(ct) + 1]] <- contrast_entry(bt, "by_total", "clus1", "enroll",
                                       list(total = c(1, 1, 1), EminusM = c(1, 0, -1)),
                                       by = "stype", names = as.character(bt$stype))
out$contrasts <- ct

# Nonlinear contrasts (delta method with exact derivatives).
nl <- list()
r <- svycontrast(a, quote(api00 / api99))
nl[[1]] <- list(design = "clus1", kind = "total", variables = c("api00", "enroll", "api99"),
                expression = "api00 / api99", estimate = num(coef(r)), se = num(SE(r)))
b <- svyby(~api00, ~stype, designs$strat, svymean, covmat = TRUE)
r <- svycontrast(b, quote(E / H))
nl[[2]] <- list(design = "strat", kind = "by_mean", variables = "api00", by = "stype",
                expression = "E / H", estimate = num(coef(r)), se = num(SE(r)))
r <- svycontrast(m, quote(log(api00) - log(api99)))
nl[[3]] <- list(design = "strat", kind = "mean", variables = c("api00", "api99"),
                expression = "log(api00) - log(api99)", estimate = num(coef(r)), se = num(SE(r)))
out$nonlinear_contrasts <- nl

writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "string", null = "null"),
           "tests/reference/inference.json")
