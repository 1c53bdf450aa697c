# Oracle for tests/features/test_reference_levels.py: the reference level of a categorical
# predictor. R fits coxph (Efron ties) and glm (binomial) with factors whose levels are set
# by factor(x, levels = ...) and relevel(x, ref = ...), and with factor(x)'s default
# (sorted) levels under LC_COLLATE=C; riskml must give the same coefficients with a pandas
# ordered Categorical, Preprocessor(reference_levels=...) and plain text columns.
# The factors are unordered: an ordered factor (ordered = TRUE) would get polynomial
# contrasts (contr.poly) in R's model.matrix; riskml uses treatment coding for both.
# Data: synthetic, generated here with a fixed seed and written to
# tests/data/reference_levels_data.csv (400 fictitious patients: an age group, sex,
# systolic blood pressure, a follow-up time with an event indicator, and a binary outcome).
# Run from the repository root: Rscript tests/data/reference_levels.R
# (R 4.2.2, survival 3.5.3, stats 4.2.2).
library(survival)
invisible(Sys.setlocale("LC_COLLATE", "C"))  # factor(x) sorts by code point, as Python

set.seed(20240607)
n <- 400
age_group <- sample(c("<=20", "20-50", ">50"), n, replace = TRUE, prob = c(0.25, 0.45, 0.30))
sex <- sample(c("F", "M"), n, replace = TRUE)
sbp <- round(rnorm(n, 130, 15))
lp <- 0.5 * (age_group == "20-50") + 1.0 * (age_group == ">50") + 0.3 * (sex == "M") +
  0.02 * (sbp - 130)
event_time <- rexp(n, 0.04 * exp(lp))
censor_time <- runif(n, 5, 40)
time <- round(pmin(event_time, censor_time), 1)  # rounding gives tied times (Efron)
status <- as.integer(event_time <= censor_time)
outcome <- rbinom(n, 1, plogis(-1 + lp))
d <- data.frame(age_group, sex, sbp, time, status, outcome)
write.csv(d, "tests/data/reference_levels_data.csv", row.names = FALSE)

# case -> the two factors as R sees them
cases <- list(
  ordered = list(
    age_group = factor(d$age_group, levels = c("<=20", "20-50", ">50")),
    sex = factor(d$sex)
  ),
  relevel = list(
    age_group = relevel(factor(d$age_group, levels = c("<=20", "20-50", ">50")), ref = ">50"),
    sex = relevel(factor(d$sex), ref = "M")
  ),
  sorted = list(age_group = factor(d$age_group), sex = factor(d$sex))
)

tidy <- function(fit, case, model, factors) {
  b <- coef(fit)
  b <- b[names(b) != "(Intercept)"]
  term <- names(b)
  reference <- rep(NA_character_, length(b))
  for (v in names(factors)) {
    lv <- levels(factors[[v]])
    hit <- term %in% paste0(v, lv[-1])
    reference[hit] <- lv[1]
    term[hit] <- paste0(v, "_", substring(term[hit], nchar(v) + 1))
  }
  data.frame(case = case, model = model, term = term, reference = reference,
             estimate = unname(b))
}

out <- NULL
for (case in names(cases)) {
  f <- cases[[case]]
  data <- data.frame(age_group = f$age_group, sex = f$sex, sbp = d$sbp, time = d$time,
                     status = d$status, outcome = d$outcome)
  cox <- coxph(Surv(time, status) ~ age_group + sex + sbp, data = data, ties = "efron",
               control = coxph.control(eps = 1e-10, iter.max = 100))
  logit <- glm(outcome ~ age_group + sex + sbp, family = binomial, data = data,
               control = glm.control(epsilon = 1e-14, maxit = 100))
  out <- rbind(out, tidy(cox, case, "cox", f), tidy(logit, case, "logistic", f))
}
write.csv(out, "tests/data/reference_levels.csv", row.names = FALSE)
print(out, digits = 15)
