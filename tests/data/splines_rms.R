# Oracle for riskml's restricted cubic splines (riskml.features.RestrictedCubicSpline,
# rcs_knots, and LogisticRisk / CoxPH with splines=): R's rms::rcs() with Harrell's
# default knots (Hmisc::rcspline.eval, norm = 2), rms::lrm and rms::cph fits, the
# likelihood-ratio tests of non-linearity and rms::Predict partial effects.
# Data: the bundled heart-failure clinical records (Chicco & Jurman 2020, CC BY 4.0),
# riskml/cohorts/datasets/heart_failure_clinical_records_dataset.csv (299 patients).
# Models (X in this column order, as the Python tests pass it):
#   lrm4   DEATH_EVENT ~ rcs(age, 4) + rcs(ejection_fraction, 3) + rcs(serum_creatinine, 5) + sex
#   cph4   Surv(time, DEATH_EVENT) ~ the same right-hand side (Efron ties)
#   lrm5   DEATH_EVENT ~ rcs(age) + ejection_fraction       (rms's default of 5 knots)
#   cph5   Surv(time, DEATH_EVENT) ~ rcs(age) + ejection_fraction
#   lrmk   DEATH_EVENT ~ rcs(age, c(45, 60, 75)) + ejection_fraction   (knots given)
# Convergence: lrm's default stops when -2 log L changes by less than 0.025 and cph's when
# the log partial likelihood changes by less than 1e-4 relatively; to compare maximum-
# likelihood estimates at 1e-6 both are run to convergence (lrm eps = 1e-12, maxit = 100;
# cph eps = 1e-10 with tol = 1e-13, iter.max = 100). The script checks that the tight lrm equals
# glm(binomial) and the tight cph equals survival::coxph on the same design.
# Likelihood-ratio tests of non-linearity: rms 6.5's anova.rms has Wald tests only
# (test = "LR", added in later versions, refits the model on a subset of the design
# matrix columns); here rms::lrtest compares the fit with the fit whose non-linear terms of
# one variable (or of every variable: TOTAL NONLINEAR) are dropped, i.e. the same design
# without those columns, the knots of the other variables unchanged.
# Partial effects: rms::Predict(fit, age) with datadist() of the data (other predictors at
# datadist's "Adjust to" values; 200 points between its "Low:prediction" and
# "High:prediction"), 95% pointwise limits.
# Knots: Hmisc::rcspline.eval(x, nk = k, knots.only = TRUE) (rcs's default, fractied = 0.05)
# on heart-failure columns, on the first 80 patients (fewer than 100 values: the outer
# knots move to the 5th smallest and largest values), and on constructed vectors:
# tie_low (an extreme value held by >= 5% of values: its neighbour becomes the first
# knot), tie_high (the same at the top), few_unique (nk >= unique values - 2: the interior
# unique values).
# Outputs: splines_rms_coef.csv (case, term, estimate, se), splines_rms_fit.csv (case,
# loglik_null, loglik), splines_rms_lr.csv (case, variable, chi2, df, p, loglik_reduced),
# splines_rms_knots.csv (vector, nk, knot, value), splines_rms_predict.csv (case, x, yhat,
# lower, upper), splines_rms_knot_inputs.csv (the constructed vectors),
# splines_rms_design.csv (lrm4's design matrix fit$x: the rcs() terms of the 299 patients).
# Run from the repository root: Rscript tests/data/splines_rms.R
# Written with R 4.2.2, rms 6.5.0, Hmisc 4.8.0, survival 3.5-3.
suppressMessages(library(rms))
num <- function(x) sprintf("%.17g", x)
d <- read.csv("riskml/cohorts/datasets/heart_failure_clinical_records_dataset.csv")
dd <- datadist(d)
options(datadist = "dd")
rhs4 <- "rcs(age, 4) + rcs(ejection_fraction, 3) + rcs(serum_creatinine, 5) + sex"
cases <- list(
  lrm4 = list(kind = "lrm", rhs = rhs4, splines = c("age", "ejection_fraction", "serum_creatinine")),
  cph4 = list(kind = "cph", rhs = rhs4, splines = c("age", "ejection_fraction", "serum_creatinine")),
  lrm5 = list(kind = "lrm", rhs = "rcs(age) + ejection_fraction", splines = "age"),
  cph5 = list(kind = "cph", rhs = "rcs(age) + ejection_fraction", splines = "age"),
  lrmk = list(kind = "lrm", rhs = "rcs(age, c(45, 60, 75)) + ejection_fraction", splines = "age")
)
fit_case <- function(kind, rhs) {
  if (kind == "lrm") {
    lrm(as.formula(paste("DEATH_EVENT ~", rhs)), data = d, x = TRUE, y = TRUE,
        eps = 1e-12, maxit = 100)
  } else {
    cph(as.formula(paste("Surv(time, DEATH_EVENT) ~", rhs)), data = d, x = TRUE, y = TRUE,
        eps = 1e-10, tol = 1e-13, iter.max = 100)
  }
}
loglik <- function(fit) if (inherits(fit, "cph")) fit$loglik else -fit$deviance / 2
# the right-hand side with the non-linear terms of `vars` dropped: rcs(v, ...) -> v
linear_in <- function(rhs, vars) {
  for (v in vars) rhs <- gsub(paste0("rcs\\(", v, "(, (c\\([^)]*\\)|[^)]*))?\\)"), v, rhs)
  rhs
}
coef_rows <- list(); fit_rows <- list(); lr_rows <- list(); pred_rows <- list()
for (case in names(cases)) {
  spec <- cases[[case]]
  fit <- fit_case(spec$kind, spec$rhs)
  # the tight rms fit is the maximum-likelihood fit of glm / coxph on the same design
  other <- if (spec$kind == "lrm") {
    glm(d$DEATH_EVENT ~ fit$x, family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100))
  } else {
    coxph(Surv(d$time, d$DEATH_EVENT) ~ fit$x, ties = "efron", control = coxph.control(eps = 1e-10, toler.chol = 1e-13, iter.max = 100))
  }
  stopifnot(max(abs(unname(coef(other)) - unname(coef(fit)))) < 1e-7)
  se <- sqrt(diag(vcov(fit)))
  coef_rows[[case]] <- data.frame(case = case, term = names(coef(fit)),
                                  estimate = num(coef(fit)), se = num(se))
  ll <- loglik(fit)
  fit_rows[[case]] <- data.frame(case = case, loglik_null = num(ll[1]), loglik = num(ll[2]))
  tests <- as.list(spec$splines)
  names(tests) <- spec$splines
  if (length(spec$splines) > 1) tests[["TOTAL NONLINEAR"]] <- spec$splines
  for (name in names(tests)) {
    reduced <- fit_case(spec$kind, linear_in(spec$rhs, tests[[name]]))
    test <- lrtest(reduced, fit)$stats
    lr_rows[[paste(case, name)]] <- data.frame(
      case = case, variable = name, chi2 = num(test[["L.R. Chisq"]]),
      df = test[["d.f."]], p = num(test[["P"]]), loglik_reduced = num(loglik(reduced)[2]))
  }
  if (case == "lrm4") {  # the design rms built: rcs() terms, named as rms names them
    design <- as.data.frame(lapply(as.data.frame(fit$x), num), check.names = FALSE)
    write.csv(design, "tests/data/splines_rms_design.csv", row.names = FALSE)
  }
  p <- as.data.frame(Predict(fit, age))
  pred_rows[[case]] <- data.frame(case = case, x = num(p$age), yhat = num(p$yhat),
                                  lower = num(p$lower), upper = num(p$upper))
}
write.csv(do.call(rbind, coef_rows), "tests/data/splines_rms_coef.csv", row.names = FALSE)
write.csv(do.call(rbind, fit_rows), "tests/data/splines_rms_fit.csv", row.names = FALSE)
write.csv(do.call(rbind, lr_rows), "tests/data/splines_rms_lr.csv", row.names = FALSE)
write.csv(do.call(rbind, pred_rows), "tests/data/splines_rms_predict.csv", row.names = FALSE)

# knots
constructed <- list(
  tie_low = c(rep(0, 20), seq(0.5, 100, by = 0.5)),
  tie_high = c(1:150, rep(200, 15)),
  few_unique = rep(c(1, 2, 3, 5, 8, 13), times = c(5, 9, 20, 14, 3, 2))
)
vectors <- list()
for (column in c("age", "ejection_fraction", "serum_creatinine", "platelets",
                 "creatinine_phosphokinase", "serum_sodium", "time")) {
  vectors[[column]] <- d[[column]]
  vectors[[paste0(column, "_first80")]] <- d[[column]][1:80]
}
vectors <- c(vectors, constructed)
knot_rows <- list()
for (name in names(vectors)) {
  for (nk in 3:7) {
    knots <- withCallingHandlers(
      Hmisc::rcspline.eval(vectors[[name]], nk = nk, knots.only = TRUE),
      warning = function(w) invokeRestart("muffleWarning"))
    # rcs() itself: the knots it stores for the design
    stored <- suppressWarnings(attr(rcs(vectors[[name]], nk), "parms"))
    stopifnot(isTRUE(all.equal(unname(stored), unname(knots))))
    knot_rows[[paste(name, nk)]] <- data.frame(vector = name, nk = nk,
                                               knot = seq_along(knots), value = num(knots))
  }
}
write.csv(do.call(rbind, knot_rows), "tests/data/splines_rms_knots.csv", row.names = FALSE)
inputs <- do.call(rbind, lapply(names(constructed), function(n)
  data.frame(vector = n, value = num(constructed[[n]]))))
write.csv(inputs, "tests/data/splines_rms_knot_inputs.csv", row.names = FALSE)
