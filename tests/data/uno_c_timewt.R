# Oracle for uno_c(..., censoring_weights="before") (issue 29): R survival's concordance
# with timewt = "n/G2" (Uno's weights), without and with ymax, higher risk = earlier event
# (reverse = TRUE).
# survival:::concordancefit with timewt = "n/G2" weights each comparable pair of an event
# at T_i by 1 / G(T_i-)^2, G the reverse Kaplan-Meier in which events at a time leave the
# risk set before the censorings at that time (C routine fastkm1: "For a tied event and
# censoring, censors come after events"), and counts events with T_i <= ymax
# (timewt[etime > ymax] <- 0). Ties in the risk count 1/2; two events at one time are not
# a pair; an event and a censoring at one time are.
# Data: tests/data/ipcw_inputs.py (constructed, rossi, gbsg2; see ipcw_horizon_censoring.R).
# Run from the repository root (R 4.2.2, survival 3.5-3):
#   .venv/bin/python tests/data/ipcw_inputs.py /tmp
#   Rscript tests/data/uno_c_timewt.R
suppressMessages(library(survival))
ymax <- list(constructed = c(NA, 5, 10, 12.5), rossi = c(NA, 26, 52),
             gbsg2 = c(NA, 730, 1095, 1826))
rows <- list()
for (name in names(ymax)) {
  d <- read.csv(sprintf("/tmp/riskml_ipcw_%s.csv", name))
  for (y in ymax[[name]]) {
    fit <- concordance(Surv(time, status) ~ risk, data = d, timewt = "n/G2", reverse = TRUE,
                       ymax = if (is.na(y)) NULL else y)
    harrell <- concordance(Surv(time, status) ~ risk, data = d, reverse = TRUE,
                           ymax = if (is.na(y)) NULL else y)
    rows[[length(rows) + 1]] <- data.frame(data = name, ymax = y, uno = fit$concordance,
                                           harrell = harrell$concordance)
  }
}
out <- do.call(rbind, rows)
write.csv(out, "tests/data/uno_c_timewt.csv", row.names = FALSE)
print(out, digits = 15)
