# Oracle for riskml's survival calibration metrics at a horizon (365 days).
# Data: tests/data/survival_calibration.csv (whole-day times with ties; risk = predicted
# probability of the event by day 365). Run: Rscript tests/data/survival_calibration.R
# (R 4.2.2, survival 3.4, rms/Hmisc). Writes tests/data/survival_calibration_r.csv.
library(survival)
library(Hmisc)
d <- read.csv("tests/data/survival_calibration.csv")
h <- 365
z <- qnorm(0.975)
# O:E: Kaplan-Meier risk over mean predicted risk; log-scale Wald CI, Greenwood SE of S
km <- summary(survfit(Surv(time, status) ~ 1, data = d), times = h)
observed <- 1 - km$surv
oe <- observed / mean(d$risk)
se_log <- km$std.err / observed
# follow-up truncated (administratively censored) at the horizon
d$tt <- pmin(d$time, h)
d$ss <- ifelse(d$time <= h, d$status, 0)
d$cll <- log(-log(1 - d$risk))
# calibration slope: Cox model on cloglog(risk), Efron ties (coxph default)
fit <- coxph(Surv(tt, ss) ~ cll, data = d)
slope <- unname(coef(fit))
se_slope <- unname(sqrt(vcov(fit)[1, 1]))
# ICI: Cox model on a restricted cubic spline of cll, 3 knots at quantiles .1 .5 .9
knots <- quantile(d$cll, c(0.1, 0.5, 0.9))
basis <- rcspline.eval(d$cll, knots = knots, inclx = TRUE, norm = 2)
d$b1 <- basis[, 1]
d$b2 <- basis[, 2]
fit_ici <- coxph(Surv(tt, ss) ~ b1 + b2, data = d)
observed_i <- 1 - summary(survfit(fit_ici, newdata = d), times = h)$surv[1, ]
ici <- mean(abs(d$risk - observed_i))
out <- data.frame(
  metric = c("oe", "oe_low", "oe_high", "slope", "slope_low", "slope_high", "ici",
             "e50", "e90"),
  value = c(oe, oe * exp(-z * se_log), oe * exp(z * se_log), slope, slope - z * se_slope,
            slope + z * se_slope, ici, median(abs(d$risk - observed_i)),
            quantile(abs(d$risk - observed_i), 0.9))
)
write.csv(out, "tests/data/survival_calibration_r.csv", row.names = FALSE)
print(out, digits = 15)
