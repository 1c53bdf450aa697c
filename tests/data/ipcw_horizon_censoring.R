# Oracle for censoring_weights="riskRegression" (issue 29): riskRegression::Score's AUC,
# Brier score, its standard error and IPA at horizons where patients are censored exactly
# at the horizon, with cens.model = "km" (reverse Kaplan-Meier of prodlim).
# Data (not stored here; tests/data/ipcw_inputs.py builds them, lifelines provides two):
#   constructed: 16 hand-made patients, a censoring and an event at the horizons 5 and 10;
#   rossi: weeks to arrest, every non-arrest censored at week 52 (no controls T > 52 there);
#   gbsg2: days to recurrence, censorings on the horizon days 918, 1095, 1502 and 1826.
# Run from the repository root (R 4.2.2, riskRegression 2022.11.28, prodlim 2019.11.13,
# survival 3.5-3):
#   .venv/bin/python tests/data/ipcw_inputs.py /tmp
#   Rscript tests/data/ipcw_horizon_censoring.R
# What Score does there (riskRegression:::Brier.survival, AUC.survival, getCensoringWeights):
# cases time <= t & status == 1 weighted 1 / G(T_i-) (prodlim::predictSurvIndividual,
# lag = 1); controls time > t weighted 1 / G(t) (predict.prodlim at t, right-continuous);
# time <= t & status == 0 (a censoring exactly at t included) weight 0. G: events at a time
# leave the risk set before the censorings at that time. se: sd of the influence function
# (Kaplan-Meier censoring term included) / sqrt(n).
suppressMessages({
  library(riskRegression)
  library(prodlim)
  library(survival)
})
horizons <- list(constructed = c(5, 10), rossi = c(13, 26, 39, 52),
                 gbsg2 = c(730, 918, 1095, 1502, 1826))
rows <- list()
for (name in names(horizons)) {
  d <- read.csv(sprintf("/tmp/riskml_ipcw_%s.csv", name))
  times <- horizons[[name]]
  risk <- matrix(d$risk, nrow = nrow(d), ncol = length(times))
  s <- suppressWarnings(Score(list(model = risk), formula = Hist(time, status) ~ 1, data = d,
                              times = times, metrics = c("auc", "brier"), cens.model = "km",
                              null.model = TRUE, se.fit = TRUE, summary = "ipa"))
  auc <- as.data.frame(s$AUC$score)[, c("times", "AUC")]
  brier <- as.data.frame(s$Brier$score)
  model <- brier[brier$model == "model", c("times", "Brier", "se", "lower", "upper", "IPA")]
  null <- brier[brier$model == "Null model", c("times", "Brier", "se")]
  names(model) <- c("times", "Brier", "Brier_se", "Brier_lower", "Brier_upper", "IPA")
  names(null) <- c("times", "Brier_null", "Brier_null_se")
  out <- merge(merge(auc, model, by = "times", all = TRUE), null, by = "times")
  rows[[name]] <- cbind(data = name, out)
}
out <- do.call(rbind, rows)
write.csv(out, "tests/data/ipcw_horizon_censoring.csv", row.names = FALSE)
print(out, digits = 15)
