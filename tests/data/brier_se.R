# Oracle for metric_ci("brier", ..., method="wald") (issue 29): the standard error of the
# Brier score of a binary outcome from riskRegression::Score(..., se.fit = TRUE), which is
# the sampling variance of the estimate, sd((y - p)^2) / sqrt(n) (riskRegression:::
# Brier.binary), and its Wald interval, truncated to [0, 1] (pmax(0, .), pmin(1, .)).
# Data: tests/data/ipcw_inputs.py: rossi (arrest by week 52: every patient is followed to
# week 52, so status is the binary outcome) and the 16-patient constructed set (status as a
# binary outcome), and 8 hand-made patients with sharp predictions ("sharp", written here and
# in the test), where the lower limit is truncated at 0.
# Run from the repository root (R 4.2.2, riskRegression 2022.11.28):
#   .venv/bin/python tests/data/ipcw_inputs.py /tmp
#   Rscript tests/data/brier_se.R
suppressMessages(library(riskRegression))
rows <- list()
sharp <- data.frame(status = c(0, 0, 1, 1, 0, 1, 0, 1),
                    risk = c(0.01, 0.02, 0.98, 0.97, 0.05, 0.9, 0.6, 0.95))
for (name in c("rossi", "constructed", "sharp")) {
  d <- if (name == "sharp") sharp else read.csv(sprintf("/tmp/riskml_ipcw_%s.csv", name))
  for (confidence in c(0.95, 0.9)) {
    s <- Score(list(model = d$risk), formula = status ~ 1, data = d, metrics = "brier",
               se.fit = TRUE, null.model = FALSE, conf.int = confidence)
    score <- as.data.frame(s$Brier$score)
    rows[[length(rows) + 1]] <- data.frame(data = name, confidence = confidence,
                                           Brier = score$Brier, se = score$se,
                                           lower = score$lower, upper = score$upper)
  }
}
out <- do.call(rbind, rows)
write.csv(out, "tests/data/brier_se.csv", row.names = FALSE)
print(out, digits = 15)
