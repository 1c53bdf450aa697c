# Oracle for riskml's IPCW horizon metrics with censoring_weights="before".
# Data: tests/data/ipcw_ties.csv (whole-day times: censorings tie with event times, never
# with the non-integer horizons). riskRegression weights events by G(T_i-) and controls
# (T > t) by G(t): riskml's "before" convention wherever nobody is censored exactly at t.
# Run: Rscript tests/data/ipcw_ties.R  (R 4.2.2, riskRegression 2022.11.28, prodlim)
library(riskRegression)
library(prodlim)
library(survival)
d <- read.csv("tests/data/ipcw_ties.csv")
times <- c(10.5, 20.5, 30.5, 45.5)
risk <- matrix(d$risk, nrow = nrow(d), ncol = length(times))
s <- Score(list(model = risk), formula = Hist(time, status) ~ 1, data = d, times = times,
           metrics = c("auc", "brier"), cens.model = "km", null.model = FALSE,
           conf.int = FALSE, summary = "ibs")
auc <- as.data.frame(s$AUC$score)[, c("times", "AUC")]
brier <- as.data.frame(s$Brier$score)
brier <- brier[brier$model == "model", c("times", "Brier", "IBS")]
out <- merge(auc, brier, by = "times")
write.csv(out, "tests/data/ipcw_ties_riskregression.csv", row.names = FALSE)
print(out, digits = 15)
