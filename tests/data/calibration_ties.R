# Oracle for riskml's smoothed calibration errors (ici: Eavg, E90, Emax) on predicted
# risks with many ties: constant risks, two or three distinct risks, a run of tied risks
# longer than the lowess window, risks rounded to one decimal, and risks of exactly 0/1.
# The data are generated here by fixed formulas (no randomness), and riskml's test
# rebuilds them from the columns p and y of the output.
# The errors are computed exactly as rms::val.prob computes them (rms 6.5.0):
#   Sm <- lowess(p, y, iter = 0); cal.smooth <- approx(Sm, xout = p, ties = mean)$y
#   er <- abs(p - cal.smooth); Eavg = mean(er), E90 = quantile(er, 0.9), Emax = max(er)
# (val.prob itself also fits a logistic recalibration, which fails for constant risks,
# so the lines above are called directly; for constant risks approx() needs two distinct
# x, so the smooth there is the mean of lowess's output, which is then the same at every
# point: R's lowess gives every point tied at x[i] the weight 1).
# Run: Rscript tests/data/calibration_ties.R  (R 4.2.2; lowess and approx are base R stats)
# Writes tests/data/calibration_ties.csv: one row per patient (dataset, p, y, cal_smooth)
# with the dataset's eavg, e90 and emax repeated on each of its rows.
i30 <- 1:30
i40 <- 1:40
i60 <- 1:60
i20 <- 1:20
data <- list(
  constant = data.frame(p = rep(0.3, 30), y = as.integer(i30 %% 7 == 0)),
  two_values_80_20 = data.frame(p = ifelse(i30 <= 24, 0.1, 0.5), y = as.integer(i30 %% 5 == 0)),
  three_values = data.frame(p = rep(c(0.1, 0.25, 0.4), each = 10), y = as.integer(i30 %% 4 == 0)),
  long_tie_run = data.frame(
    p = c(rep(0.05, 30), seq(0.1, 0.8, length.out = 10)),
    y = as.integer(i40 %% 6 == 0 | i40 > 36)
  ),
  rounded = data.frame(
    p = round(((i60 * 37) %% 60) / 60 * 0.6 + 0.05, 1),
    y = as.integer(((i60 * 17) %% 10) < 3)
  ),
  zero_one = data.frame(p = as.numeric(i20 %% 2 == 0), y = as.integer(i20 %% 3 == 0))
)
rows <- list()
for (name in names(data)) {
  d <- data[[name]]
  Sm <- lowess(d$p, d$y, iter = 0)
  cal.smooth <- if (length(unique(d$p)) > 1) {
    approx(Sm, xout = d$p, ties = mean)$y
  } else {
    rep(mean(Sm$y), nrow(d))  # approx() needs two distinct x: one x, the mean of the smooth
  }
  er <- abs(d$p - cal.smooth)
  rows[[name]] <- data.frame(
    dataset = name, p = d$p, y = d$y, cal_smooth = cal.smooth,
    eavg = mean(er), e90 = unname(quantile(er, 0.9)), emax = max(er)
  )
}
out <- do.call(rbind, rows)
write.csv(out, "tests/data/calibration_ties.csv", row.names = FALSE)
print(unique(out[, c("dataset", "eavg", "e90", "emax")]), digits = 15)
