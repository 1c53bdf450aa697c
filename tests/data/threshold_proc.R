# Oracle for riskml's decisions at a threshold (issue 28, item 2): R's pROC.
#
# Data: 113 synthetic patients generated here (set.seed below; riskml's own data, BSD-3),
# shaped like a biomarker panel for a poor outcome: 72 controls ("Good") and 41 cases
# ("Poor"); two skewed markers recorded to 2 decimals, so values tie (s100b, ndka); a 1-5
# clinical grade (wfns). Values observed exactly (s100b 0.10 and 0.13) and a few very high
# s100b values (above 1.5) are part of what the tests need. An earlier version of this
# oracle ran on pROC's aSAH data, which is distributed under the GPL and is therefore not
# kept in the repository.
#
# Outputs (read by tests/evaluation/test_thresholds_proc.py; the test suite never runs R):
#   threshold_markers.csv     the data used
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
out <- "tests/data"
num <- function(frame) {
  for (column in names(frame)) {
    if (is.numeric(frame[[column]])) frame[[column]] <- sprintf("%.17g", frame[[column]])
  }
  frame
}

set.seed(20261207)
poor <- sample(rep(c(FALSE, TRUE), c(72, 41)))
s100b <- round(exp(rnorm(113, log(ifelse(poor, 0.24, 0.12)), ifelse(poor, 0.9, 0.55))), 2)
s100b <- pmax(s100b, 0.03)
ndka <- round(exp(rnorm(113, log(ifelse(poor, 16, 11)), 0.6)), 2)
wfns <- pmin(5L, pmax(1L, as.integer(round(rnorm(113, ifelse(poor, 3.2, 1.8), 1.1)))))
markers_data <- data.frame(
  outcome = ifelse(poor, "Poor", "Good"), s100b = s100b, ndka = ndka, wfns = wfns
)
stopifnot(any(s100b == 0.1), any(s100b == 0.13), sum(s100b > 1.5) %in% 1:4)
write.csv(markers_data, file.path(out, "threshold_markers.csv"), row.names = FALSE)

fit <- glm(outcome ~ s100b + ndka + wfns, family = binomial,
           data = transform(markers_data, outcome = outcome == "Poor"))
glm_risk <- unname(fitted(fit))
write.csv(num(data.frame(glm_risk = glm_risk)), file.path(out, "threshold_proc_glm.csv"),
          row.names = FALSE)

markers <- list(s100b = markers_data$s100b, ndka = markers_data$ndka, glm = glm_risk)
user <- list(
  s100b = c(0.05, 0.1, 0.13, 0.2, 0.205, 0.3, 0.5, 1, 2.5),
  ndka = c(5, 10, 11.5, 20, 50),
  glm = c(0.05, 0.1, 0.2, 0.3, 0.5, 0.8)
)
ret <- c("threshold", "specificity", "sensitivity", "accuracy", "tn", "tp", "fn", "fp",
         "npv", "ppv")
rocs <- lapply(markers, function(m) roc(markers_data$outcome, m, levels = c("Good", "Poor"),
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
