# catchup from R, with base R alone: run a scenario and a small sweep through the
# catchup binary, read the results, check that every seed is read exactly, summarise
# the sweep, and draw the README's capacity chart with base graphics.
#
#     Rscript docs/r/catchup-in-r.R [CATCHUP] [OUTDIR]
#
# CATCHUP is the catchup binary (default: `catchup` on the PATH); OUTDIR a folder for
# the results and the chart (default: a fresh temporary folder). docs/r.md explains
# each step; tests/r.rs runs this script.

args <- commandArgs(trailingOnly = TRUE)
catchup <- if (length(args) >= 1) args[[1]] else "catchup"
out <- if (length(args) >= 2) args[[2]] else tempfile("catchup-")
dir.create(out, recursive = TRUE, showWarnings = FALSE)

# Runs catchup with these arguments; stops with its messages if it fails.
run_catchup <- function(...) {
  status <- system2(catchup, c(...))
  if (status != 0) stop("catchup ", paste(c(...), collapse = " "), " exited with ", status)
}

# 1. A run: a built-in scenario, 60 periods.
run_dir <- file.path(out, "soe-protection")
run_catchup("run", "soe-protection", "--periods", "60", "--out", run_dir, "--quiet")
series <- read.csv(file.path(run_dir, "series.csv"))
# Integer columns keep their type: R reads an empty cell as NA, even in an integer
# column (`paradigm` and `consortium` are empty in the rows of the whole economy).
stopifnot(is.integer(series$paradigm), all(is.na(series$paradigm[series$sector == "all"])))
cat(sprintf("series.csv: %d rows, %d columns, sectors %s\n", nrow(series), ncol(series),
            paste(unique(series$sector), collapse = ", ")))

# 2. A sweep: tariff against tolerance, 3 replicates per point.
sweep_file <- file.path(out, "tariff-tolerance.toml")
writeLines(c(
  'version = 2',
  'name = "tariff-tolerance"',
  'base = "baseline"',
  'replicates = 3',
  'seed = 11',
  'set = { periods = 20 }',
  '[design]',
  'kind = "grid"',
  '[[design.factor]]',
  'key = "policy.tariff"',
  'values = [0.0, 0.5]',
  '[[design.factor]]',
  'key = "policy.tolerance"',
  'values = [1, 8]',
  '[[metric]]',
  'name = "gap_final"',
  'series = "gap"',
  'stat = "final"'
), sweep_file)
sweep_dir <- file.path(out, "tariff-tolerance")
run_catchup("sweep", sweep_file, "--out", sweep_dir, "--quiet")
runs <- read.csv(file.path(sweep_dir, "runs.csv"))
# Every seed is below 2^53, so R's doubles hold it exactly: the numbers R read print
# back as the digits in the file.
seeds_as_text <- read.csv(file.path(sweep_dir, "runs.csv"), colClasses = "character")$seed
stopifnot(identical(sprintf("%.0f", runs$seed), seeds_as_text))
cat(sprintf("runs.csv: %d runs, all %d seeds read exactly\n", nrow(runs), length(seeds_as_text)))

# Factor columns have no dots (policy_tariff), so `$` and formulas take them as they are.
means <- aggregate(gap_final ~ policy_tariff + policy_tolerance, data = runs, FUN = mean)
print(means)

# 3. Parquet: with the arrow package (from CRAN), read the Parquet tables of a run
# written with --format parquet; without it, the CSV files hold the same columns.
if (requireNamespace("arrow", quietly = TRUE)) {
  pq_dir <- file.path(out, "soe-protection-parquet")
  run_catchup("run", "soe-protection", "--periods", "60", "--format", "parquet",
              "--out", pq_dir, "--quiet")
  pq <- as.data.frame(arrow::read_parquet(file.path(pq_dir, "series.parquet")))
  stopifnot(nrow(pq) == nrow(series), all.equal(pq$capacity, series$capacity))
  cat("series.parquet: read with arrow, equal to series.csv\n")
} else {
  cat("the arrow package is not installed: reading the CSV files (the same columns)\n")
}

# 4. The README's figure: capacity and utilisation under moderate and heavy protection.
png(file.path(out, "capacity.png"), width = 900, height = 450)
par(mfrow = c(1, 2))
sectors <- setdiff(unique(series$sector), "all")
colours <- c("#1b6ca8", "#c0392b", "#27ae60", "#8e44ad")
for (column in c("capacity", "utilization")) {
  values <- series[series$sector %in% sectors, column]
  plot(NA, xlim = range(series$period), ylim = c(0, max(values, na.rm = TRUE)),
       xlab = "period", ylab = column, main = paste(column, "by sector"))
  for (i in seq_along(sectors)) {
    rows <- series$sector == sectors[[i]]
    lines(series$period[rows], series[rows, column], col = colours[[i]], lwd = 2)
  }
  legend("bottomright", legend = sectors, col = colours[seq_along(sectors)], lwd = 2, bty = "n")
}
invisible(dev.off())
cat(sprintf("chart: %s\n", file.path(out, "capacity.png")))
