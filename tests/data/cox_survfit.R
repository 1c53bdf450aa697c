# Oracle for riskml's CoxPH horizon risks: R's survfit.coxph absolute risk, a step function.
# Data: the Rossi recidivism data as lifelines ships it (lifelines.datasets.load_rossi(); 432
# men, arrest weeks 1-52 with many tied weeks, everyone still free censored at week 52). The
# horizons hit tied event weeks exactly (8: five arrests; 20: five; 52: four arrests tied with
# the 318 censorings), fall between two event weeks (29: arrests at 28 and 30, where an
# interpolated baseline would differ) and lie beyond the last week (60, extend = TRUE).
# survfit.coxph's default ctype follows the fit's ties method: 2 (Efron's correction) after
# an Efron fit; ctype = 1 is the Breslow form. stype = 2 (its default): S = exp(-H).
# Every third patient (rows 0, 3, 6, ... of the file, 0-based) is kept, to keep the file small.
# Run from the repository root:
#   .venv/bin/python -c "from lifelines.datasets import load_rossi; load_rossi().to_csv('/tmp/cox_rossi.csv', index=False)"
#   Rscript tests/data/cox_survfit.R
# Written with R 4.2.2 and survival 3.5.3.
library(survival)
d <- read.csv("/tmp/cox_rossi.csv")
times <- c(8, 20, 29, 52, 60)
risks <- function(fit, label, ctype) {
  sf <- if (is.null(ctype)) survfit(fit, newdata = d) else survfit(fit, newdata = d, ctype = ctype)
  s <- summary(sf, times = times, extend = TRUE)
  # one column per patient; a stratified fit returns the curves one after another
  surv <- if (is.null(dim(s$surv))) matrix(s$surv, nrow = length(times)) else s$surv
  out <- data.frame(model = label, ctype = if (is.null(ctype)) "default" else ctype,
                    row = seq_len(nrow(d)) - 1)
  for (k in seq_along(times)) out[[paste0("h", times[k])]] <- signif(1 - surv[k, ], 13)
  out[out$row %% 3 == 0, ]
}
plain <- coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio, data = d)
strat <- coxph(Surv(week, arrest) ~ fin + age + race + mar + paro + prio + strata(wexp),
               data = d)
out <- rbind(risks(plain, "plain", NULL), risks(plain, "plain", 1),
             risks(strat, "strata_wexp", NULL))
write.csv(out, "tests/data/cox_survfit.csv", row.names = FALSE)

# Monotone likelihood: 'prio9' flags the five men with nine prior convictions, none of them
# arrested, so the partial likelihood rises without bound as its coefficient falls; R warns
# "Loglik converged before variable 8; coefficient may be infinite".
d$prio9 <- as.numeric(d$prio == 9)
said <- character(0)
sep <- withCallingHandlers(
  coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio + prio9, data = d),
  warning = function(w) {
    said <<- c(said, conditionMessage(w))
    invokeRestart("muffleWarning")
  }
)
coefs <- rbind(
  data.frame(model = "plain", term = names(coef(plain)), coef = signif(coef(plain), 15),
             warning = ""),
  data.frame(model = "strata_wexp", term = names(coef(strat)), coef = signif(coef(strat), 15),
             warning = ""),
  data.frame(model = "prio9", term = names(coef(sep)), coef = signif(coef(sep), 15),
             warning = trimws(paste(said, collapse = " | ")))
)
write.csv(coefs, "tests/data/cox_survfit_coef.csv", row.names = FALSE)
print(coefs, digits = 10)
