# Oracle for tests/evaluation/test_internal_validation.py: rms::validate of a logistic
# model on the bundled heart failure clinical records (Chicco & Jurman 2020; 299 patients,
# DEATH_EVENT as a binary outcome). R 4.2, rms 6.5.0.
#   Rscript tests/data/internal_validation_rms.R
# Large B so that the Monte Carlo error of R's estimates is small; rms draws its own
# bootstrap samples, so the Python test compares with a tolerance from both Monte Carlo
# errors. Cross-validation: rms's "crossvalidation" (10 folds) repeated 200 times, one
# row per repetition, so that the test can use their mean and standard deviation.
suppressMessages(library(rms))
d <- read.csv("riskml/cohorts/datasets/heart_failure_clinical_records_dataset.csv")
fit <- lrm(DEATH_EVENT ~ age + ejection_fraction + serum_creatinine + serum_sodium +
             high_blood_pressure, data = d, x = TRUE, y = TRUE)
rows <- c("Dxy", "Slope", "B")
take <- function(v, method, repetition = NA) {
  data.frame(method = method, repetition = repetition, index = rows,
             apparent = v[rows, "index.orig"], training = v[rows, "training"],
             test = v[rows, "test"], optimism = v[rows, "optimism"],
             corrected = v[rows, "index.corrected"], n = v[rows, "n"])
}
set.seed(20230302)
out <- take(validate(fit, method = "boot", B = 4000), "boot")
out <- rbind(out, take(validate(fit, method = ".632", B = 4000), ".632"))
for (r in 1:200) {
  out <- rbind(out, take(validate(fit, method = "crossvalidation", B = 10), "crossvalidation", r))
}
write.csv(out, "tests/data/internal_validation_rms.csv", row.names = FALSE)
