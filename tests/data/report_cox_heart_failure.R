# Oracle for the report's Cox hazard ratios, 95% CIs and p-values (specification section).
# Data: the heart-failure clinical records bundled with riskml (CC BY 4.0, Chicco & Jurman
# 2020; riskml/cohorts/datasets/heart_failure_clinical_records_dataset.csv), with sex coded
# as a factor "female"/"male" (reference "female", R's first level), as the test codes it.
# Model: unpenalised Cox, Efron ties, every predictor in its own unit: the whole-cohort fit
# of riskml's registry "cox" (no missing values, so the median imputation changes nothing).
# Run: Rscript tests/data/report_cox_heart_failure.R  (R 4.2.2, survival 3.5.3)
library(survival)
d <- read.csv("riskml/cohorts/datasets/heart_failure_clinical_records_dataset.csv")
d$sex <- factor(ifelse(d$sex == 1, "male", "female"))
fit <- coxph(Surv(time, DEATH_EVENT) ~ age + anaemia + creatinine_phosphokinase + diabetes +
               ejection_fraction + high_blood_pressure + platelets + serum_creatinine +
               serum_sodium + smoking + sex, data = d, ties = "efron")
s <- summary(fit)
out <- data.frame(
  covariate = sub("^sexmale$", "sex_male", rownames(s$coefficients)),
  coef = s$coefficients[, "coef"],
  hazard_ratio = s$conf.int[, "exp(coef)"],
  hr_low = s$conf.int[, "lower .95"],
  hr_high = s$conf.int[, "upper .95"],
  p = s$coefficients[, "Pr(>|z|)"]
)
write.csv(out, "tests/data/report_cox_heart_failure.csv", row.names = FALSE)
print(out, digits = 15)
