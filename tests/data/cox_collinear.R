# Oracle for riskml's unpenalised Cox fit on nearly collinear covariates (24-hour, daytime
# and night-time ambulatory systolic pressure together, with 8 other covariates; 29 events).
# The input, cox_collinear_data.csv, is the training part of fold 2 of 5 of riskml's
# synthetic young-hypertension cohort (make_young_hypertension(n_patients=508,
# random_state=0), cv_folds(y, 5, random_state=0) != 1) after the pipeline's imputation
# and the 11 features RFE kept: synthetic data, BSD-3-Clause.
# Run: Rscript tests/data/cox_collinear.R  (R 4.2.2, survival 3.5-3)
# Writes tests/data/cox_collinear.csv: term, coef, se, and the final log partial likelihood
# and iteration count (repeated on each row). R converges in 5 iterations without warning.
library(survival)
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
d <- read.csv(file.path(here, "cox_collinear_data.csv"))
fit <- coxph(Surv(time, status) ~ ., data = d, ties = "efron")
s <- summary(fit)$coefficients
out <- data.frame(term = rownames(s), coef = s[, "coef"], se = s[, "se(coef)"],
                  loglik = fit$loglik[2], iterations = fit$iter)
write.csv(out, file.path(here, "cox_collinear.csv"), row.names = FALSE)
