# Oracle for riskml's decisions at a horizon (issue 28, item 2): the time-dependent ROC points
# of riskRegression::Score on a simulated cohort.
#
# Data: simulated here (set.seed(28)), BSD-3-Clause: 300 patients, exponential event times
# with a hazard that rises with a marker x, uniform censoring and an administrative end at
# day 730; times rounded to whole days, so events, censorings and the horizon (365) tie.
# risk is the true 365-day risk rounded to 0.01 (tied risks).
#
# Outputs (read by tests/evaluation/test_thresholds_survival.py; the suite never runs R):
#   threshold_survival.csv      the data (time, status, risk)
#   threshold_survival_roc.csv  Score(list(risk), Hist(time, status) ~ 1, times = 365,
#                               metrics = "auc", plots = "roc", cens.model = "km"): the
#                               ROC points (TPR, FPR) at each distinct risk (a patient is
#                               positive when risk >= it; cases weighted 1 / G(T_i-), controls
#                               time > 365) and the AUC
# Run from the repository root: Rscript tests/data/threshold_survival.R
# (R 4.2.2, riskRegression 2022.11.28, prodlim 2019.11.13, survival 3.5-3)
suppressPackageStartupMessages({
  library(riskRegression)
  library(prodlim)
  library(survival)
})
set.seed(28)
n <- 300
x <- rnorm(n)
rate <- 0.0015 * exp(0.8 * x)
event_time <- ceiling(rexp(n, rate))
censor_time <- ceiling(runif(n, 30, 1100))
censor_time[sample(n, 15)] <- 365  # censored on the horizon day
time <- pmin(event_time, censor_time, 730)
status <- as.integer(event_time <= pmin(censor_time, 730))
risk <- round(1 - exp(-rate * 365), 2)
data <- data.frame(time = time, status = status, risk = risk)
write.csv(data, "tests/data/threshold_survival.csv", row.names = FALSE)

score <- Score(list(model = data$risk), Hist(time, status) ~ 1, data = data, times = 365,
               metrics = "auc", plots = "roc", cens.model = "km", null.model = FALSE)
roc <- as.data.frame(score$ROC$plotframe)
roc$auc <- score$AUC$score$AUC[1]
roc <- roc[, c("risk", "TPR", "FPR", "auc")]
for (column in names(roc)) roc[[column]] <- sprintf("%.17g", roc[[column]])
write.csv(roc, "tests/data/threshold_survival_roc.csv", row.names = FALSE)
