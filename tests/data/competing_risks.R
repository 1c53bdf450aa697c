# Oracle for riskml's competing-risk estimators and metrics (issue 27).
#
# Data: two synthetic cohorts generated here (set.seed below; riskml's own data, BSD-3),
# each with an event of interest (status 1), a competing event (2) and censoring (0):
# - cohort_days: 205 patients followed in days (1,800-5,600 days of censoring), covariates
#   age, sex, logthick (a log tumour thickness) and ulcer; the event of interest depends
#   on logthick, ulcer and sex, the competing one on age. Few tied times.
# - cohort_months: 1,384 patients followed in whole months (up to 424), covariates age,
#   sex, hgb, creat and mspike; a rare event of interest (depends on mspike) and a common
#   competing death (age, hgb, creat, sex). Whole months: many tied times, censorings tied
#   with events and with the horizons.
# Until 2026-12-07 this oracle ran on riskRegression's Melanoma and survival's mgus2, which
# those packages distribute under the GPL / LGPL; they are no longer in the repository.
#
# Outputs (read by tests/test_outcome_competing.py, tests/models/test_competing_models_r.py and
# tests/evaluation/test_competing_metrics_r.py;
# the test suite never runs R):
#   competing_cohort_days.csv, competing_cohort_months.csv   the data used
#   competing_aalen_johansen.csv   prodlim and cmprsk::cuminc cumulative incidence, causes 1-2
#   competing_csc_coef.csv         the cause-specific coxph coefficients and SEs
#   competing_fine_gray_coef.csv   cmprsk::crr coefficients, SEs, log-likelihoods (gtol 1e-6
#                                  (the default) and 1e-12)
#   competing_predictions.csv      per patient (all of cohort_days, every 4th of cohort_months) and
#                                  horizon: riskRegression::CSC + predictRisk absolute risk of
#                                  cause 1 (product.limit TRUE, the default, and FALSE) and of
#                                  cause 2; predict.crr cumulative incidence of cause 1
#   competing_score.csv            riskRegression::Score(cause = 1) AUC, Brier, IPA of the
#                                  csc1 and fine_gray predictions on those patients; pec
#                                  2022.5.4 cindex(cause = 1) (Wolbers) with cens.model
#                                  "marginal" and "none"; O:E = prodlim Aalen-Johansen / mean
#   competing_calibration.csv      deciles of csc1 (cut at quantile(), include.lowest): mean
#                                  predicted and prodlim Aalen-Johansen incidence per group
#   competing_net_benefit.csv      net benefit of csc1: prodlim Aalen-Johansen incidence among
#                                  the treated (risk >= threshold), Vickers et al. 2008
# Run from the repository root: Rscript tests/data/competing_risks.R
# (R 4.2.2, riskRegression 2022.11.28, cmprsk 2.2-11, survival 3.5-3, prodlim 2019.11.13)
suppressPackageStartupMessages({
  library(riskRegression)
  library(prodlim)
  library(cmprsk)
  library(survival)
})
options(digits = 15)
out <- "tests/data/"

set.seed(27)
n <- 205
age <- pmin(95, pmax(4, round(rnorm(n, 52, 16.7))))
sex <- rbinom(n, 1, 0.39)
logthick <- rnorm(n, 0.6, 0.85)
ulcer <- rbinom(n, 1, plogis(-0.9 + 1.2 * logthick))
t1 <- rexp(n, exp(-9.8 + 0.55 * logthick + 0.9 * ulcer + 0.3 * sex))
t2 <- rexp(n, exp(-12.5 + 0.05 * age))
censored <- runif(n, 1800, 5600)
cohort_days <- data.frame(
  time = ceiling(pmin(t1, t2, censored)),
  status = ifelse(censored <= pmin(t1, t2), 0, ifelse(t1 < t2, 1, 2)),
  age = age, sex = sex, logthick = logthick, ulcer = ulcer
)

set.seed(2002)
n <- 1384
age <- pmin(95, pmax(24, round(rnorm(n, 70.4, 11.3))))
sex <- rbinom(n, 1, 0.56)
hgb <- round(rnorm(n, 13.3, 1.9), 1)
creat <- round(exp(rnorm(n, 0.12, 0.3)), 1)
mspike <- round(pmax(0, rnorm(n, 1.2, 0.45)), 1)
t1 <- rexp(n, exp(-6.6 + 0.5 * (mspike - 1.2)))
t2 <- rexp(n, exp(-5.0 + 0.065 * (age - 70) - 0.12 * (hgb - 13.3) + 0.35 * (creat - 1.2) +
                  0.2 * sex))
censored <- runif(n, 1, 424)
cohort_months <- data.frame(
  time = ceiling(pmin(t1, t2, censored)),
  status = ifelse(censored <= pmin(t1, t2), 0, ifelse(t1 < t2, 1, 2)),
  age = age, sex = sex, hgb = hgb, creat = creat, mspike = mspike
)
print(table(cohort_days$status)); print(table(cohort_months$status))
write.csv(cohort_days, paste0(out, "competing_cohort_days.csv"), row.names = FALSE)
write.csv(cohort_months, paste0(out, "competing_cohort_months.csv"), row.names = FALSE)

sets <- list(
  cohort_days = list(data = cohort_days, covariates = c("age", "sex", "logthick", "ulcer"),
                     horizons = c(1000, 1826.25, 2500, 3652.5)),
  cohort_months = list(data = cohort_months,
                       covariates = c("age", "sex", "hgb", "creat", "mspike"),
                       horizons = c(12, 60, 120, 240))
)

aj_rows <- list(); csc_coef <- list(); fg_coef <- list(); pred_rows <- list()
score_rows <- list(); calibration_rows <- list(); nb_rows <- list()
for (name in names(sets)) {
  d <- sets[[name]]$data
  covariates <- sets[[name]]$covariates
  horizons <- sets[[name]]$horizons
  grid <- sort(unique(c(d$time, horizons, max(d$time) + 1)))
  # patients the predictions are stored for and scored on: all of cohort_days, every 4th
  # of cohort_months
  rows <- if (name == "cohort_months") seq(1, nrow(d), by = 4) else seq_len(nrow(d))

  # -- Aalen-Johansen: prodlim and cuminc ----------------------------------------------
  pl <- prodlim(Hist(time, status) ~ 1, data = d)
  ci <- cuminc(d$time, d$status, cencode = 0)
  for (cause in 1:2) {
    p <- predict(pl, times = grid, cause = cause, type = "cuminc")
    ct <- timepoints(ci, grid)$est[paste("1", cause), ]
    aj_rows[[length(aj_rows) + 1]] <- data.frame(
      dataset = name, cause = cause, time = grid, prodlim = signif(as.numeric(p), 12),
      cuminc = signif(as.numeric(ct), 12)
    )
  }

  # -- cause-specific Cox (riskRegression::CSC, coxph Efron) -------------------------------
  form <- as.formula(paste("Hist(time, status) ~", paste(covariates, collapse = " + ")))
  csc <- CSC(form, data = d)
  for (cause in 1:2) {
    cf <- coef(csc$models[[cause]])
    csc_coef[[length(csc_coef) + 1]] <- data.frame(
      dataset = name, cause = cause, term = names(cf), coef = as.numeric(cf),
      se = sqrt(diag(vcov(csc$models[[cause]])))
    )
  }
  new <- as.data.frame(d)[rows, ]
  csc1 <- signif(predictRisk(csc, newdata = new, times = horizons, cause = 1), 12)
  csc1_exp <- predictRisk(csc, newdata = new, times = horizons, cause = 1,
                          product.limit = FALSE)
  csc2 <- predictRisk(csc, newdata = new, times = horizons, cause = 2)

  # -- Fine-Gray (cmprsk::crr) -----------------------------------------------------------
  X <- as.matrix(as.data.frame(d)[, covariates])
  for (gtol in c(1e-6, 1e-12)) {
    fit <- crr(d$time, d$status, cov1 = X, failcode = 1, cencode = 0, gtol = gtol,
               maxiter = 50)
    fg_coef[[length(fg_coef) + 1]] <- data.frame(
      dataset = name, gtol = gtol, term = names(fit$coef), coef = as.numeric(fit$coef),
      se = sqrt(diag(fit$var)), loglik = fit$loglik, loglik_null = fit$loglik.null,
      converged = fit$converged
    )
  }
  fit <- crr(d$time, d$status, cov1 = X, failcode = 1, cencode = 0)  # the defaults
  pred <- predict(fit, cov1 = X[rows, , drop = FALSE])  # rows: cause-1 times; cols: patients
  fg <- matrix(0, length(rows), length(horizons))
  for (k in seq_along(horizons)) {
    at <- sum(pred[, 1] <= horizons[k])
    if (at > 0) fg[, k] <- pred[at, -1]
  }
  fg <- signif(fg, 12)
  for (k in seq_along(horizons)) {
    pred_rows[[length(pred_rows) + 1]] <- data.frame(
      dataset = name, row = rows - 1, horizon = horizons[k], csc1 = csc1[, k],
      csc1_exp = signif(csc1_exp[, k], 12), csc2 = signif(csc2[, k], 12), fine_gray = fg[, k]
    )
  }

  # -- Score(cause = 1) of the stored predictions on the stored rows ----------------------
  s <- Score(list(csc = csc1, fine_gray = fg), formula = Hist(time, status) ~ 1,
             data = new, times = horizons, cause = 1, metrics = c("auc", "brier"),
             summary = "ipa", cens.model = "km", null.model = TRUE, conf.int = FALSE)
  auc <- as.data.frame(s$AUC$score)[, c("model", "times", "AUC")]
  brier <- as.data.frame(s$Brier$score)[, c("model", "times", "Brier", "IPA")]
  sc <- merge(brier, auc, by = c("model", "times"), all.x = TRUE)
  sc$dataset <- name
  # -- Wolbers concordance (pec::cindex, cause 1), O:E and calibration against prodlim's
  # Aalen-Johansen, net benefit with the Aalen-Johansen incidence among the treated ---------
  sc$wolbers_c <- NA; sc$wolbers_c_unweighted <- NA; sc$oe <- NA
  for (k in seq_along(horizons)) {
    for (model in c("csc", "fine_gray")) {
      p <- if (model == "csc") csc1[, k] else fg[, k]
      at <- sc$model == model & sc$times == horizons[k]
      for (cm in c("marginal", "none")) {
        ci <- pec::cindex(list(m = matrix(p, ncol = 1)), formula = Hist(time, status) ~ 1,
                          data = new, eval.times = horizons[k], pred.times = horizons[k],
                          cause = 1, cens.model = cm, verbose = FALSE)$AppCindex$m
        sc[at, if (cm == "none") "wolbers_c_unweighted" else "wolbers_c"] <- ci
      }
      aj <- function(rows) {
        if (!any(rows)) return(0)  # nobody treated: no true or false positives
        # no event of interest among them: 0 within their follow-up, NA beyond it
        # (predict.prodlim's `cause` would pick the first cause present, the competing one)
        if (!any(new$status[rows] == 1)) {
          return(if (max(new$time[rows]) >= horizons[k]) 0 else NA)
        }
        predict(prodlim(Hist(time, status) ~ 1, data = new[rows, ]), times = horizons[k],
                cause = 1, type = "cuminc")
      }
      sc$oe[at] <- aj(rep(TRUE, nrow(new))) / mean(p)
      if (model == "csc") {
        breaks <- quantile(p, 0:10 / 10)
        group <- cut(p, unique(breaks), include.lowest = TRUE, labels = FALSE)
        for (g in sort(unique(group))) {
          calibration_rows[[length(calibration_rows) + 1]] <- data.frame(
            dataset = name, horizon = horizons[k], group = g - 1, n = sum(group == g),
            mean_predicted = mean(p[group == g]), observed = aj(group == g)
          )
        }
        for (threshold in c(0.02, 0.05, 0.1, 0.2, 0.3, 0.5)) {
          treated <- p >= threshold & p > 0
          f <- aj(treated)
          nb <- f * mean(treated) - (1 - f) * mean(treated) * threshold / (1 - threshold)
          nb_rows[[length(nb_rows) + 1]] <- data.frame(
            dataset = name, horizon = horizons[k], threshold = threshold, net_benefit = nb
          )
        }
      }
    }
  }
  score_rows[[length(score_rows) + 1]] <- sc
}

write.csv(do.call(rbind, aj_rows), paste0(out, "competing_aalen_johansen.csv"),
          row.names = FALSE)
write.csv(do.call(rbind, csc_coef), paste0(out, "competing_csc_coef.csv"), row.names = FALSE)
write.csv(do.call(rbind, fg_coef), paste0(out, "competing_fine_gray_coef.csv"),
          row.names = FALSE)
write.csv(do.call(rbind, pred_rows), paste0(out, "competing_predictions.csv"),
          row.names = FALSE)
write.csv(do.call(rbind, score_rows), paste0(out, "competing_score.csv"), row.names = FALSE)
write.csv(do.call(rbind, calibration_rows), paste0(out, "competing_calibration.csv"),
          row.names = FALSE)
write.csv(do.call(rbind, nb_rows), paste0(out, "competing_net_benefit.csv"), row.names = FALSE)
print(do.call(rbind, fg_coef))
print(do.call(rbind, score_rows))
