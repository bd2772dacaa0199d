# Run from the repository root:  Rscript tests/r/export_data.R   (writes tests/data/api*.csv)
#
# Exports R's `api` datasets (package survey; Debian: r-base-core r-cran-survey) to CSV so that
# the Rust cross-checks read exactly the data R used: apisrs, apistrat, apiclus1, apiclus2 (not
# the 6194-row population apipop). Row order is R's. Missing values are written as NA, numbers
# with 17 significant digits (round-trip exact doubles), text and factor columns quoted (factor
# levels in R are alphabetical, as the Rust side sorts text codes).
#
# Two columns are appended for designs R builds from derived variables (documented here, used
# by tests/r/estimation.R):
#   apistrat.fpc_frac       = the stratum's sampling fraction n_h / fpc (fpc as a fraction)
#   apiclus1.lonely_stratum = "A" for districts dnum < 400, "B" for the others, except district
#                             716 which is its own stratum "C" (a stratum with a single PSU)

suppressPackageStartupMessages(library(survey))
data(api)

out_dir <- file.path("tests", "data")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

apistrat$fpc_frac <- as.vector(ave(apistrat$fpc, apistrat$stype, FUN = length)) / apistrat$fpc
apiclus1$lonely_stratum <- ifelse(apiclus1$dnum == 716, "C",
                                  ifelse(apiclus1$dnum < 400, "A", "B"))

write_exact <- function(df, name) {
  quoted <- which(vapply(df, function(x) is.character(x) || is.factor(x), logical(1)))
  for (j in seq_along(df)) {
    x <- df[[j]]
    if (is.factor(x)) df[[j]] <- as.character(x)
    else if (is.double(x)) df[[j]] <- ifelse(is.na(x), NA, sprintf("%.17g", x))
  }
  write.table(df, file.path(out_dir, paste0(name, ".csv")), sep = ",", quote = quoted,
              row.names = FALSE, na = "NA", qmethod = "double")
}

write_exact(apisrs, "apisrs")
write_exact(apistrat, "apistrat")
write_exact(apiclus1, "apiclus1")
write_exact(apiclus2, "apiclus2")

# The derived columns are returned for scripts that source this file.
invisible(list(apistrat = apistrat, apiclus1 = apiclus1))
