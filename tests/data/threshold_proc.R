# Oracle for riskml's decisions at a threshold (issue 28, item 2): pROC on its own data.
#
# Data: pROC 1.18.0 `data(aSAH)` (the package is GPL-3; the data are a published clinical
# data set: 113 patients with aneurysmal subarachnoid haemorrhage, Turck N, Vutskits L,
# Sanchez-Pena P, et al. A multiparameter panel method for outcome prediction following
# aneurysmal subarachnoid hemorrhage. Intensive Care Med 2010;36:107-115). Only the columns
# used are stored: outcome (Good/Poor at 6 months), s100b and ndka (biomarkers), wfns (the
# World Federation of Neurological Surgeons grade, 1-5).
#
# Outputs (read by tests/evaluation/test_thresholds_proc.py; the test suite never runs R):
#   threshold_asah.csv        the data used
#   threshold_proc_glm.csv    glm(outcome ~ s100b + ndka + wfns, binomial) fitted risks (a
#                             probability-scale marker for thresholds such as 0.1 and 0.2)
#   threshold_proc_coords.csv coords(): every ROC threshold ("all"), user thresholds, and
#                             "best" (youden, closest.topleft; every tied row), with
#                             threshold, specificity, sensitivity, accuracy, tn, tp, fn, fp,
#                             npv, ppv
#   threshold_proc_auc.csv    auc(partial.auc = , partial.auc.focus = , partial.auc.correct =)
#                             and ci.auc(method = "bootstrap", boot.n = 2000) quantiles
#   threshold_proc_ci.csv     ci.coords() (stratified bootstrap, boot.n = 2000) at user
#                             thresholds
# pROC conventions: controls = Good, cases = Poor, direction "<" (cases higher); the ROC
# thresholds are -Inf, the midpoints between sorted distinct values, and Inf; a patient is
# positive when the marker is >= the threshold.
# Run from the repository root: Rscript tests/data/threshold_proc.R
# (R 4.2.2, pROC 1.18.0)
suppressPackageStartupMessages(library(pROC))
options(pROCProgress = list(name = "none"))
data(aSAH)
out <- "tests/data"
num <- function(frame) {
  for (column in names(frame)) {
    if (is.numeric(frame[[column]])) frame[[column]] <- sprintf("%.17g", frame[[column]])
  }
  frame
}

asah <- data.frame(
  outcome = as.character(aSAH$outcome), s100b = aSAH$s100b, ndka = aSAH$ndka,
  wfns = as.integer(as.character(aSAH$wfns))
)
write.csv(asah, file.path(out, "threshold_asah.csv"), row.names = FALSE)

fit <- glm(outcome ~ s100b + ndka + wfns, family = binomial,
           data = transform(asah, outcome = outcome == "Poor"))
glm_risk <- unname(fitted(fit))
write.csv(num(data.frame(glm_risk = glm_risk)), file.path(out, "threshold_proc_glm.csv"),
          row.names = FALSE)

markers <- list(s100b = asah$s100b, ndka = asah$ndka, glm = glm_risk)
user <- list(
  s100b = c(0.05, 0.1, 0.13, 0.2, 0.205, 0.3, 0.5, 1, 2.5),
  ndka = c(5, 10, 11.5, 20, 50),
  glm = c(0.05, 0.1, 0.2, 0.3, 0.5, 0.8)
)
ret <- c("threshold", "specificity", "sensitivity", "accuracy", "tn", "tp", "fn", "fp",
         "npv", "ppv")
rocs <- lapply(markers, function(m) roc(asah$outcome, m, levels = c("Good", "Poor"),
                                        direction = "<", quiet = TRUE))
coords_rows <- list()
for (name in names(markers)) {
  r <- rocs[[name]]
  add <- function(input, frame) {
    frame <- as.data.frame(frame)[, ret]
    coords_rows[[length(coords_rows) + 1]] <<- cbind(marker = name, input = input, frame)
  }
  add("all", coords(r, "all", ret = ret))
  add("user", coords(r, user[[name]], input = "threshold", ret = ret))
  add("youden", coords(r, "best", best.method = "youden", ret = ret))
  add("closest_topleft", coords(r, "best", best.method = "closest.topleft", ret = ret))
}
write.csv(num(do.call(rbind, coords_rows)), file.path(out, "threshold_proc_coords.csv"),
          row.names = FALSE)

auc_rows <- list()
ranges <- list(c(1, 0.9), c(0.9, 0.8), c(0.95, 0.5), c(0.85, 0.85 - 1e-3))
for (name in names(markers)) {
  for (focus in c("specificity", "sensitivity")) {
    for (range in ranges) {
      for (correct in c(FALSE, TRUE)) {
        value <- suppressWarnings(auc(rocs[[name]], partial.auc = range,
                                      partial.auc.focus = focus,
                                      partial.auc.correct = correct))
        auc_rows[[length(auc_rows) + 1]] <- data.frame(
          marker = name, focus = focus, low = min(range), high = max(range),
          correct = correct, auc = as.numeric(value))
      }
    }
  }
}
auc_frame <- do.call(rbind, auc_rows)
# bootstrap intervals of two partial AUCs (not comparable draw for draw with riskml: the
# test checks that both describe the same distribution, within a step of the curve)
set.seed(2024)
ci_rows <- list()
for (correct in c(FALSE, TRUE)) {
  partial <- auc(rocs$s100b, partial.auc = c(1, 0.9), partial.auc.focus = "specificity",
                 partial.auc.correct = correct)
  ci <- ci.auc(partial, method = "bootstrap", boot.n = 2000)
  ci_rows[[length(ci_rows) + 1]] <- data.frame(
    marker = "s100b", focus = "specificity", low = 0.9, high = 1, correct = correct,
    ci_low = ci[1], ci_high = ci[3])
}
auc_frame <- merge(auc_frame, do.call(rbind, ci_rows), all.x = TRUE)
write.csv(num(auc_frame), file.path(out, "threshold_proc_auc.csv"), row.names = FALSE)

set.seed(2025)
stats <- c("specificity", "sensitivity", "accuracy", "npv", "ppv")
ci_frames <- list()
for (name in c("s100b", "glm")) {
  thresholds <- if (name == "s100b") c(0.1, 0.205, 0.5) else c(0.1, 0.2, 0.3)
  ci <- ci.coords(rocs[[name]], thresholds, input = "threshold", ret = stats, boot.n = 2000)
  for (s in stats) {
    ci_frames[[length(ci_frames) + 1]] <- data.frame(
      marker = name, x = thresholds, statistic = s, low = ci[[s]][, 1],
      median = ci[[s]][, 2], high = ci[[s]][, 3])
  }
}
write.csv(num(do.call(rbind, ci_frames)), file.path(out, "threshold_proc_ci.csv"),
          row.names = FALSE)
