# Oracle for riskml's groups of predicted risk with tied risks (issue 29):
# calibration_curve(method="bins"), hosmer_lemeshow and survival_calibration.
# Data: tests/data/calibration_groups_ties_data.csv, simulated below (set.seed(37)):
# 400 patients, a binary label y, follow-up (time in whole days, status) and two
# predicted risks with ties: `risk` (Beta(2, 8) rounded to 0.05, so interpolated
# quantile breaks fall between neighbouring values and leave a group empty) and
# `risk_coarse` (4 distinct values, so quantile breaks repeat).
# Grouping rule, written out in base R (riskml's documented rule; scikit-learn's
# calibration_curve(strategy="quantile") drops the same empty bins):
#   droplevels(cut(p, unique(quantile(p, (0:g) / g, type = 7)), include.lowest = TRUE))
# Per group: n, events, mean predicted risk, observed risk with its 95% interval
# (binary: events / n with binom.test's Clopper-Pearson interval; survival: 1 - the
# Kaplan-Meier survival at day 365 by survfit, conf.type = "log-log"), and for the
# binary analysis the Hosmer-Lemeshow statistic on (groups formed - 2) df.
# Run from the repository root: Rscript tests/data/calibration_groups_ties.R
# (R 4.2.2, survival 3.5.3). Writes the data file and tests/data/calibration_groups_ties.csv.
library(survival)
set.seed(37)
n <- 400
risk <- pmax(round(rbeta(n, 2, 8) / 0.05) * 0.05, 0.05)
risk_coarse <- sample(c(0.05, 0.1, 0.1, 0.1, 0.2, 0.2, 0.4), n, replace = TRUE)
y <- rbinom(n, 1, risk)
event_time <- ceiling(rexp(n, rate = -log(1 - risk) / 365))
censor_time <- ceiling(runif(n, 200, 1000))
time <- pmin(event_time, censor_time)
status <- as.integer(event_time <= censor_time)
d <- data.frame(y = y, time = time, status = status, risk = risk, risk_coarse = risk_coarse)
write.csv(d, "tests/data/calibration_groups_ties_data.csv", row.names = FALSE)

groups_of <- function(p, g) {
  breaks <- unique(quantile(p, probs = (0:g) / g, type = 7, names = FALSE))
  droplevels(cut(p, breaks, include.lowest = TRUE))
}
h <- 365
rows <- list()
for (column in c("risk", "risk_coarse")) {
  p <- d[[column]]
  for (g in c(5, 10)) {
    groups <- groups_of(p, g)
    used <- nlevels(groups)
    # binary: Clopper-Pearson intervals and the Hosmer-Lemeshow statistic
    n_g <- as.vector(table(groups))
    o_g <- as.vector(tapply(d$y, groups, sum))
    e_g <- as.vector(tapply(p, groups, sum))
    hl <- sum((o_g - e_g)^2 / e_g + ((n_g - o_g) - (n_g - e_g))^2 / (n_g - e_g))
    ci <- t(mapply(function(x, m) binom.test(x, m, conf.level = 0.95)$conf.int, o_g, n_g))
    rows[[length(rows) + 1]] <- data.frame(
      analysis = "binary", risk_column = column, n_groups_requested = g, n_groups = used,
      group = seq_len(used) - 1, n = n_g, events = o_g, predicted = e_g / n_g,
      observed = o_g / n_g, low = ci[, 1], high = ci[, 2],
      hl_statistic = hl, hl_df = used - 2,
      hl_p_value = pchisq(hl, used - 2, lower.tail = FALSE))
    # survival: Kaplan-Meier at the horizon within each group
    for (k in seq_len(used)) {
      s <- d[groups == levels(groups)[k], ]
      km <- summary(survfit(Surv(time, status) ~ 1, data = s, conf.type = "log-log"),
                    times = h)
      rows[[length(rows) + 1]] <- data.frame(
        analysis = "survival", risk_column = column, n_groups_requested = g,
        n_groups = used, group = k - 1, n = nrow(s),
        events = sum(s$status == 1 & s$time <= h), predicted = mean(s[[column]]),
        observed = 1 - km$surv, low = 1 - km$upper, high = 1 - km$lower,
        hl_statistic = NA, hl_df = NA, hl_p_value = NA)
    }
  }
}
out <- do.call(rbind, rows)
write.csv(out, "tests/data/calibration_groups_ties.csv", row.names = FALSE)
print(out[, 1:11], digits = 6)
