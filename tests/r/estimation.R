# Run from the repository root:  Rscript tests/r/estimation.R
#   (exports tests/data/api*.csv via tests/r/export_data.R, writes tests/reference/estimation.json)
#
# Reference values for the estimation core of lapaz-survey (means, totals, ratios, proportions
# and counts of factor levels, variances; by-domain and subpopulation; deff; df; confidence
# intervals; lonely-PSU policies), computed with R's `survey` package (Debian: r-base-core
# r-cran-survey r-cran-jsonlite) on R's `api` datasets: stratified (apistrat), one-stage cluster
# (apiclus1) and two-stage cluster (apiclus2) designs, with and without fpc. The Rust cross-check
# is tests/estimation.rs; it rebuilds every design from the column names recorded here.
#
# For each estimate the JSON holds R's coef, SE, confint (normal, at the case's level) and deff,
# plus three design counts of the estimate's domain computed on R's subset design
# `d[domain & !is.na(variables), ]` (which is what svyby/na.rm use): degf(), the rows with
# non-zero weight, and the sum of weights.

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})
derived <- source(file.path("tests", "r", "export_data.R"))$value
data(api)
apistrat <- derived$apistrat
apiclus1 <- derived$apiclus1

out <- list()
out$versions <- list(R = R.version.string, survey = as.character(packageVersion("survey")))

# ---- designs -------------------------------------------------------------------------------------
specs <- list(
  strat        = list(data = "apistrat", ids = list(), strata = "stype", weights = "pw", fpc = list()),
  strat_fpc    = list(data = "apistrat", ids = list(), strata = "stype", weights = "pw", fpc = list("fpc")),
  strat_frac   = list(data = "apistrat", ids = list(), strata = "stype", weights = NULL, fpc = list("fpc_frac")),
  srs_fpc      = list(data = "apisrs", ids = list(), strata = NULL, weights = NULL, fpc = list("fpc")),
  clus1        = list(data = "apiclus1", ids = list("dnum"), strata = NULL, weights = "pw", fpc = list()),
  clus1_fpc    = list(data = "apiclus1", ids = list("dnum"), strata = NULL, weights = "pw", fpc = list("fpc")),
  clus2        = list(data = "apiclus2", ids = list("dnum", "snum"), strata = NULL, weights = "pw", fpc = list()),
  clus2_fpc    = list(data = "apiclus2", ids = list("dnum", "snum"), strata = NULL, weights = NULL,
                      fpc = list("fpc1", "fpc2")),
  lonely_remove    = list(data = "apiclus1", ids = list("dnum"), strata = "lonely_stratum", weights = "pw",
                          fpc = list(), lonely = "remove"),
  lonely_certainty = list(data = "apiclus1", ids = list("dnum"), strata = "lonely_stratum", weights = "pw",
                          fpc = list(), lonely = "certainty"),
  lonely_adjust    = list(data = "apiclus1", ids = list("dnum"), strata = "lonely_stratum", weights = "pw",
                          fpc = list(), lonely = "adjust"),
  lonely_average   = list(data = "apiclus1", ids = list("dnum"), strata = "lonely_stratum", weights = "pw",
                          fpc = list(), lonely = "average")
)
for (nm in names(specs)) if (is.null(specs[[nm]]$lonely)) specs[[nm]]$lonely <- "fail"

formula_of <- function(cols) {
  if (length(cols) == 0) return(NULL)
  as.formula(paste("~", paste(unlist(cols), collapse = "+")))
}
make_design <- function(s) {
  data <- get(s$data)
  svydesign(ids = if (length(s$ids)) formula_of(s$ids) else ~1,
            strata = formula_of(s$strata), weights = formula_of(s$weights),
            fpc = formula_of(s$fpc), data = data)
}
designs <- lapply(specs, make_design)
out$designs <- lapply(names(specs), function(nm) {
  s <- specs[[nm]]
  old <- options(survey.lonely.psu = s$lonely)
  on.exit(options(old))
  c(list(name = nm), s, list(degf = degf(designs[[nm]])))
})

# ---- cases ---------------------------------------------------------------------------------------
num <- function(x) unname(as.numeric(x))

# The subset design of one domain with a value, as svyby / na.rm form it.
domain_design <- function(d, by, values, vars) {
  keep <- rep(TRUE, nrow(d$variables))
  for (j in seq_along(by)) keep <- keep & !is.na(d$variables[[by[j]]]) &
      as.character(d$variables[[by[j]]]) == values[j]
  for (v in vars) keep <- keep & !is.na(d$variables[[v]])
  d[keep, ]
}
counts_of <- function(sub) {
  list(df = degf(sub), n = sum(weights(sub, "sampling") != 0), population = sum(weights(sub)))
}

run_case <- function(case) {
  s <- specs[[case$design]]
  old <- options(survey.lonely.psu = s$lonely)
  on.exit(options(old))
  d <- designs[[case$design]]
  if (!is.null(case$subset)) {
    keep <- as.character(d$variables[[case$subset$column]]) == case$subset$value
    d <- subset(d, keep)
  }
  level <- if (is.null(case$level)) 0.95 else case$level
  deff_arg <- if (identical(case$deff, "replace")) "replace" else TRUE
  vars <- c(case$variable, case$denominator)
  f <- formula_of(case$variable)
  FUN <- switch(case$statistic, mean = svymean, proportion = svymean, total = svytotal,
                count = svytotal, variance = svyvar, ratio = svyratio)
  call_fun <- function(design) {
    if (case$statistic == "ratio")
      svyratio(f, formula_of(case$denominator), design, na.rm = TRUE, deff = deff_arg)
    else if (case$statistic == "variance") svyvar(f, design, na.rm = TRUE)
    else FUN(f, design, na.rm = TRUE, deff = deff_arg)
  }
  results <- list()
  if (length(case$by) == 0) {
    r <- call_fun(d)
    cf <- num(coef(r)); se <- num(SE(r)); ci <- confint(r, level = level)
    df <- if (case$statistic == "variance") rep(NA, length(cf)) else num(deff(r))
    levels <- if (case$statistic %in% c("proportion", "count"))
      levels(factor(d$variables[[case$variable]])) else NA
    cnt <- counts_of(domain_design(d, character(0), character(0), vars))
    for (j in seq_along(cf)) {
      results[[j]] <- c(list(domain = setNames(list(), character(0)),
                             level = if (is.na(levels[1])) NULL else levels[j],
                             estimate = cf[j], se = se[j], ci_low = num(ci[j, 1]),
                             ci_high = num(ci[j, 2]), deff = df[j]), cnt)
    }
  } else {
    byf <- formula_of(case$by)
    r <- if (case$statistic == "ratio")
      svyby(f, byf, d, svyratio, denominator = formula_of(case$denominator), na.rm = TRUE,
            deff = deff_arg)
    else if (case$statistic == "variance") svyby(f, byf, d, svyvar, na.rm = TRUE)
    else svyby(f, byf, d, FUN, na.rm = TRUE, deff = deff_arg)
    nd <- nrow(r)
    cf <- num(coef(r)); se <- num(as.matrix(SE(r))); ci <- confint(r, level = level)
    dff <- if (case$statistic == "variance") rep(NA, length(cf)) else
      num(as.matrix(as.data.frame(r)[, grep("^DEff", names(r)), drop = FALSE]))
    k <- length(cf) / nd
    levels <- if (case$statistic %in% c("proportion", "count"))
      levels(factor(d$variables[[case$variable]])) else NA
    for (j in seq_len(k)) for (i in seq_len(nd)) {
      idx <- (j - 1) * nd + i
      values <- vapply(case$by, function(b) as.character(r[[b]][i]), "")
      cnt <- counts_of(domain_design(d, unlist(case$by), values, vars))
      results[[length(results) + 1]] <- c(list(
        domain = setNames(as.list(values), unlist(case$by)),
        level = if (is.na(levels[1])) NULL else levels[j],
        estimate = cf[idx], se = se[idx], ci_low = num(ci[idx, 1]), ci_high = num(ci[idx, 2]),
        deff = dff[idx]), cnt)
    }
  }
  c(case, list(level = level, results = results))
}

cases <- list()
add <- function(...) cases[[length(cases) + 1]] <<- list(...)
base_designs <- c("strat", "strat_fpc", "strat_frac", "clus1", "clus1_fpc", "clus2", "clus2_fpc")
for (dn in base_designs) {
  add(design = dn, statistic = "mean", variable = "api00", by = list())
  add(design = dn, statistic = "total", variable = "enroll", by = list())
  add(design = dn, statistic = "ratio", variable = "api.stu", denominator = "enroll", by = list())
  add(design = dn, statistic = "proportion", variable = "sch.wide", by = list())
  add(design = dn, statistic = "count", variable = "stype", by = list())
  add(design = dn, statistic = "variance", variable = "api00", by = list())
  add(design = dn, statistic = "mean", variable = "api00", by = list("stype"))
  add(design = dn, statistic = "mean", variable = "enroll", by = list("stype", "sch.wide"))
  add(design = dn, statistic = "total", variable = "api00", by = list("sch.wide"))
  add(design = dn, statistic = "ratio", variable = "api00", denominator = "api99", by = list("stype"))
  add(design = dn, statistic = "proportion", variable = "awards", by = list("stype"))
  add(design = dn, statistic = "variance", variable = "api00", by = list("stype"))
  add(design = dn, statistic = "mean", variable = "api00", by = list(),
      subset = list(column = "stype", value = "E"))
  add(design = dn, statistic = "mean", variable = "api00", by = list("sch.wide"),
      subset = list(column = "stype", value = "M"))
  add(design = dn, statistic = "mean", variable = "api00", by = list("stype"), level = 0.9)
  add(design = dn, statistic = "mean", variable = "api00", by = list("stype"), deff = "replace")
  add(design = dn, statistic = "total", variable = "enroll", by = list("stype"), deff = "replace")
}
# Missing values (na.rm): avg.ed has NAs in apiclus1, enroll in apiclus2.
add(design = "clus1", statistic = "mean", variable = "avg.ed", by = list("stype"))
add(design = "clus1_fpc", statistic = "variance", variable = "avg.ed", by = list())
add(design = "clus2_fpc", statistic = "ratio", variable = "api.stu", denominator = "enroll",
    by = list("stype"))
add(design = "srs_fpc", statistic = "mean", variable = "api00", by = list("stype"))
add(design = "srs_fpc", statistic = "proportion", variable = "sch.wide", by = list())
for (dn in c("lonely_remove", "lonely_certainty", "lonely_adjust", "lonely_average")) {
  add(design = dn, statistic = "mean", variable = "api00", by = list())
  add(design = dn, statistic = "total", variable = "enroll", by = list())
  add(design = dn, statistic = "mean", variable = "api00", by = list("stype"))
  add(design = dn, statistic = "proportion", variable = "sch.wide", by = list("stype"))
  add(design = dn, statistic = "mean", variable = "api00", by = list(),
      subset = list(column = "lonely_stratum", value = "C"))
}
out$cases <- lapply(cases, run_case)

# ---- the embedded EMH 2023 stand-in -------------------------------------------------------------
# The synthetic survey shipped in lapaz-survey/data/emh2023_sintetica.zip, read from its CSVs with
# the codebook's missing codes (9, 999) set to NA as the loader does. Categories are recorded by
# their codes (the Rust test labels them through the codebook). Rows and the weight sum are kept
# so that a regenerated archive is detected (then re-run this script).
zip_path <- file.path("lapaz-survey", "data", "emh2023_sintetica.zip")
read_emh <- function(entry) {
  read.csv(unz(zip_path, entry), colClasses = c(folio = "character", upm = "character",
                                                estrato = "character"))
}
viv <- read_emh("vivienda.csv")
viv$tenencia[viv$tenencia %in% 9] <- NA
per <- read_emh("persona.csv")
per$tiempo_viaje_min[per$tiempo_viaje_min %in% 999] <- NA
emh_designs <- list(
  hogares = svydesign(ids = ~upm, strata = ~estrato, weights = ~factor, data = viv),
  personas = svydesign(ids = ~upm, strata = ~estrato, weights = ~factor, data = per)
)
emh_case <- function(table, statistic, variable, by = character(0), denominator = NULL) {
  d <- emh_designs[[table]]
  categorical <- statistic %in% c("proportion", "count")
  f <- if (categorical) as.formula(paste0("~factor(", variable, ")")) else formula_of(variable)
  FUN <- switch(statistic, mean = svymean, proportion = svymean, total = svytotal,
                count = svytotal)
  one <- function(design) {
    if (statistic == "ratio")
      svyratio(f, formula_of(denominator), design, na.rm = TRUE, deff = TRUE)
    else FUN(f, design, na.rm = TRUE, deff = TRUE)
  }
  domains <- if (length(by)) sort(unique(d$variables[[by]])) else NA
  results <- list()
  for (dom in domains) {
    keep <- if (length(by)) d$variables[[by]] == dom else rep(TRUE, nrow(d$variables))
    sub <- d[keep, ]
    r <- one(sub)
    codes <- if (categorical) sort(unique(sub$variables[[variable]][!is.na(sub$variables[[variable]])])) else NA
    cnt <- counts_of(domain_design(sub, character(0), character(0), c(variable, denominator)))
    for (j in seq_along(coef(r))) {
      results[[length(results) + 1]] <- c(list(
        domain_code = if (length(by)) setNames(list(dom), by) else setNames(list(), character(0)),
        level_code = if (categorical) codes[j] else NULL,
        estimate = num(coef(r))[j], se = num(SE(r))[j], deff = num(deff(r))[j]), cnt)
    }
  }
  list(table = table, statistic = statistic, variable = variable, denominator = denominator,
       by = as.list(by), results = results)
}
out$emh <- list(
  rows = list(hogares = nrow(viv), personas = nrow(per)),
  weight_sum = list(hogares = sum(viv$factor), personas = sum(per$factor)),
  cases = list(
    emh_case("hogares", "mean", "yhogpc"),
    emh_case("hogares", "mean", "yhogpc", "macrodistrito"),
    emh_case("hogares", "total", "totper", "area"),
    emh_case("hogares", "ratio", "yhog", denominator = "totper"),
    emh_case("hogares", "proportion", "tenencia"),
    emh_case("hogares", "mean", "p0", "macrodistrito"),
    emh_case("personas", "mean", "tiempo_viaje_min", "s01a_02"),
    emh_case("personas", "count", "s01a_02")
  )
)

# jsonlite prints at most 15 significant digits; write doubles verbatim with 17 (exact).
exact <- function(x) {
  if (is.list(x)) return(lapply(x, exact))
  if (is.double(x) && length(x) == 1 && is.finite(x))
    return(structure(sprintf("%.17g", x), class = "json"))
  x
}
dir.create(file.path("tests", "reference"), showWarnings = FALSE, recursive = TRUE)
writeLines(toJSON(exact(out), auto_unbox = TRUE, json_verbatim = TRUE, null = "null", na = "null",
                  pretty = TRUE),
           file.path("tests", "reference", "estimation.json"))
cat("wrote tests/reference/estimation.json:", length(out$cases), "cases\n")
