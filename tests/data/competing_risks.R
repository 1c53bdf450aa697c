# Oracle for riskml's competing-risk estimators and metrics (issue 27).
#
# Data (real, shipped with the R packages; both are factual clinical records re-distributed
# in GPL-2+ / LGPL-2+ packages, stored here unmodified apart from the columns kept):
# - Melanoma: riskRegression 2022.11.28 `data(Melanoma)` (GPL-2+). 205 patients operated on
#   for malignant melanoma at Odense University Hospital, 1962-77. Source: Andersen PK,
#   Borgan O, Gill RD, Keiding N. Statistical Models Based on Counting Processes. Springer
#   1993 (also MASS::Melanoma). time in days; status 0 censored, 1 death from melanoma,
#   2 death from other causes.
# - mgus2: survival 3.5-3 `mgus2` (LGPL-2+). 1384 patients with monoclonal gammopathy of
#   undetermined significance, Mayo Clinic. Source: Kyle RA et al. N Engl J Med
#   2002;346:564-569. Competing risks as in the survival vignette "compete": time = months
#   to progression to plasma-cell malignancy (PCM) or to death/last follow-up; status 1 PCM,
#   2 death without PCM, 0 censored. Complete cases for age, sex, hgb, creat, mspike.
#   Whole months: many tied times, censorings tied with events and with the horizons.
#
# Outputs (read by tests/test_outcome_competing.py, tests/models/test_competing_models_r.py and
# tests/evaluation/test_competing_metrics_r.py;
# the test suite never runs R):
#   competing_melanoma.csv, competing_mgus2.csv        the data used
#   competing_aalen_johansen.csv   prodlim and cmprsk::cuminc cumulative incidence, causes 1-2
#   competing_csc_coef.csv         the cause-specific coxph coefficients and SEs
#   competing_fine_gray_coef.csv   cmprsk::crr coefficients, SEs, log-likelihoods (gtol 1e-6
#                                  (the default) and 1e-12)
#   competing_predictions.csv      per patient (all of Melanoma, every 4th of mgus2) and
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

data(Melanoma, package = "riskRegression")
melanoma <- data.frame(
  time = Melanoma$time, status = Melanoma$status, age = Melanoma$age,
  sex = as.integer(Melanoma$sex == "Male"), logthick = Melanoma$logthick,
  ulcer = as.integer(Melanoma$ulcer == "present")
)
m2 <- survival::mgus2
m2$time <- ifelse(m2$pstat == 0, m2$futime, m2$ptime)
m2$status <- ifelse(m2$pstat == 0, 2 * m2$death, 1)
mgus2 <- data.frame(
  time = m2$time, status = m2$status, age = m2$age, sex = as.integer(m2$sex == "M"),
  hgb = m2$hgb, creat = m2$creat, mspike = m2$mspike
)
mgus2 <- mgus2[complete.cases(mgus2), ]
rownames(mgus2) <- NULL
write.csv(melanoma, paste0(out, "competing_melanoma.csv"), row.names = FALSE)
write.csv(mgus2, paste0(out, "competing_mgus2.csv"), row.names = FALSE)

sets <- list(
  melanoma = list(data = melanoma, covariates = c("age", "sex", "logthick", "ulcer"),
                  horizons = c(1000, 1826.25, 2500, 3652.5)),
  mgus2 = list(data = mgus2, covariates = c("age", "sex", "hgb", "creat", "mspike"),
               horizons = c(12, 60, 120, 240))
)

aj_rows <- list(); csc_coef <- list(); fg_coef <- list(); pred_rows <- list()
score_rows <- list(); calibration_rows <- list(); nb_rows <- list()
for (name in names(sets)) {
  d <- sets[[name]]$data
  covariates <- sets[[name]]$covariates
  horizons <- sets[[name]]$horizons
  grid <- sort(unique(c(d$time, horizons, max(d$time) + 1)))
  # patients the predictions are stored for and scored on: all of Melanoma, every 4th of mgus2
  rows <- if (name == "mgus2") seq(1, nrow(d), by = 4) else seq_len(nrow(d))

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
