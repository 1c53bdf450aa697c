# Oracle for riskml's unpenalised LogisticRisk: R's glm(family = binomial), fitted by glm.fit's
# IRLS with glm.control() defaults (epsilon = 1e-8, maxit = 25).
# Data (exported from Python packages to /tmp, never stored here):
#  - the Rossi recidivism data as lifelines ships it (432 men; outcome: arrest within a year);
#  - the Wisconsin diagnostic breast cancer data as scikit-learn ships it (569 tumours;
#    outcome: target = 1 benign), column names with "_" for " ".
# Cases:
#  rossi           arrest ~ fin + age + race + wexp + mar + paro + prio (well conditioned)
#  rossi_weighted  the same with weights n / (2 n_class) (scikit-learn's class_weight="balanced")
#  rossi_aliased   adds fin_no = 1 - fin after fin: collinear with the intercept, NA in R
#  rossi_prio9     adds prio9 = (prio == 9): the five men with nine prior convictions were none
#                  of them arrested (quasi-complete separation; R stops with a large negative
#                  coefficient and no warning)
#  cancer4         target ~ mean_radius + mean_texture + mean_smoothness + mean_concave_points
#  cancer_all      target ~ all 30 measurements: complete separation (R: "algorithm did not
#                  converge", "fitted probabilities numerically 0 or 1 occurred")
#  boundary        y ~ x on the ten points below (no separation: the maximum-likelihood estimate
#                  is finite, but the outlier x = 60 has a fitted probability of 1 - 2e-16)
# Outputs: logistic_glm_coef.csv (case, term, estimate, se; NA where R aliases a column),
# logistic_glm_fit.csv (case, iter, converged, deviance, auc = pROC::auc of the fitted values,
# warnings), logistic_glm_fitted.csv (case, row (0-based), fitted; rossi, rossi_weighted and
# rossi_prio9).
# Run from the repository root:
#   .venv/bin/python -c "from lifelines.datasets import load_rossi; load_rossi().to_csv('/tmp/logistic_rossi.csv', index=False); from sklearn.datasets import load_breast_cancer; f = load_breast_cancer(as_frame=True).frame; f.columns = [c.replace(' ', '_') for c in f.columns]; f.to_csv('/tmp/logistic_cancer.csv', index=False)"
#   Rscript tests/data/logistic_glm.R
# Written with R 4.2.2 (stats::glm) and pROC 1.18.0.
library(pROC)
rossi <- read.csv("/tmp/logistic_rossi.csv")
rossi$fin_no <- 1 - rossi$fin
rossi$prio9 <- as.numeric(rossi$prio == 9)
cancer <- read.csv("/tmp/logistic_cancer.csv")
boundary <- data.frame(x = c(-4, -3, -2, -1, 0, 1, 2, 3, 4, 60), y = c(0, 0, 1, 0, 1, 0, 1, 1, 1, 1))
n1 <- sum(rossi$arrest)
n0 <- nrow(rossi) - n1
rossi$w <- ifelse(rossi$arrest == 1, nrow(rossi) / (2 * n1), nrow(rossi) / (2 * n0))
base <- "arrest ~ fin + age + race + wexp + mar + paro + prio"
cases <- list(
  rossi = list(formula = base, data = rossi, weights = NULL),
  rossi_weighted = list(formula = base, data = rossi, weights = rossi$w),
  rossi_aliased = list(formula = "arrest ~ fin + fin_no + age + race + wexp + mar + paro + prio",
                       data = rossi, weights = NULL),
  rossi_prio9 = list(formula = paste(base, "+ prio9"), data = rossi, weights = NULL),
  cancer4 = list(formula = "target ~ mean_radius + mean_texture + mean_smoothness + mean_concave_points",
                 data = cancer, weights = NULL),
  cancer_all = list(formula = "target ~ .", data = cancer, weights = NULL),
  boundary = list(formula = "y ~ x", data = boundary, weights = NULL)
)
coefs <- list(); fits <- list(); fitted_values <- list()
for (name in names(cases)) {
  case <- cases[[name]]
  said <- character(0)
  fit <- withCallingHandlers(
    if (is.null(case$weights)) glm(as.formula(case$formula), family = binomial, data = case$data)
    else glm(as.formula(case$formula), family = binomial, data = case$data,
             weights = case$weights),
    warning = function(w) {
      said <<- c(said, conditionMessage(w))
      invokeRestart("muffleWarning")
    }
  )
  estimate <- coef(fit)
  se <- rep(NA_real_, length(estimate))
  names(se) <- names(estimate)
  table <- summary(fit)$coefficients
  se[rownames(table)] <- table[, "Std. Error"]
  coefs[[name]] <- data.frame(case = name, term = names(estimate),
                              estimate = signif(estimate, 15), se = signif(se, 15))
  outcome <- model.response(model.frame(fit))
  fits[[name]] <- data.frame(case = name, iter = fit$iter, converged = fit$converged,
                             deviance = signif(deviance(fit), 15),
                             auc = signif(as.numeric(auc(outcome, fitted(fit), quiet = TRUE,
                                                         direction = "<")), 15),
                             warnings = paste(said, collapse = " | "))
  if (name %in% c("rossi", "rossi_weighted", "rossi_prio9")) {
    fitted_values[[name]] <- data.frame(case = name, row = seq_along(fitted(fit)) - 1,
                                        fitted = signif(fitted(fit), 13))
  }
}
write.csv(do.call(rbind, coefs), "tests/data/logistic_glm_coef.csv", row.names = FALSE)
write.csv(do.call(rbind, fits), "tests/data/logistic_glm_fit.csv", row.names = FALSE)
write.csv(do.call(rbind, fitted_values), "tests/data/logistic_glm_fitted.csv", row.names = FALSE)
print(do.call(rbind, fits))
