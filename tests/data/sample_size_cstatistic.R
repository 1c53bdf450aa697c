# Oracle for minimum_sample_size(..., c_statistic=...): the anticipated Cox-Snell R² of a
# binary-outcome model from its anticipated C-statistic and outcome proportion, by the
# simulation of Riley, Van Calster & Collins (Stat Med 2021;40:859-864) as R's pmsampsize
# (>= 1.1.0, function cstat2rsq) performs it, then the three criteria of Riley et al.
# (Stat Med 2019;38:1276-1296). Written for riskml from the published method; no package
# code is used. Procedure, per scenario:
#   set.seed(seed) (default RNG: Mersenne-Twister, Inversion); mu = sqrt(2) qnorm(C);
#   a = prevalence * 1e6 linear predictors from N(0, 1), then b = (1 - prevalence) * 1e6
#   from N(mu, 1) (rnorm and rep truncate a and b to whole numbers, so a + b may be
#   999999); the first a get y = 0, the others y = 1 (pmsampsize's labelling: swapping
#   the labels and reflecting the predictor leaves the R² unchanged); glm(y ~ LP,
#   binomial); R²cs = 1 - exp(-(null deviance - deviance) / 1e6), rounded to 4 decimals.
# Also the population value (the limit of that simulation as its size grows): under this
# binormal model the log-odds is linear in the predictor, so the logistic model is exact and
# R²cs = 1 - exp(-2 I), I the mutual information of outcome and predictor, integrated here
# with integrate().
# Run from the repository root: Rscript tests/data/sample_size_cstatistic.R
# (R 4.2.2, base and stats only; about half a minute). Writes
# tests/data/sample_size_cstatistic.csv.
# Scenarios: pmsampsize's documented example (cstatistic = 0.89, prevalence = 0.174, 24
# parameters); a published pmsampsize run (cstatistic = 0.81, prevalence = 0.18, 6
# parameters, seed = 123, printed "Cox-Snell R-sq = 0.1818" and 266 patients); the
# C = 0.81, prevalence = 0.77 case left as a comment in pmsampsize's cstat2rsq.R; the
# others reach low and high prevalences and C, fractional group sizes (0.77, 0.07 and
# 0.1234567 give 999,999 patients), other seeds (negative too) and shrinkages.
scenarios <- read.csv(text = "
scenario,c_statistic,prevalence,n_parameters,shrinkage,seed
pmsampsize_example,0.89,0.174,24,0.9,123456
published_c081_p018,0.81,0.18,6,0.9,123
c081_p077,0.81,0.77,30,0.9,123456
c070_p007,0.70,0.07,10,0.9,123456
c075_p030_s085,0.75,0.30,15,0.85,2021
c0938_p046,0.938,0.46,2,0.9,123456
c060_fractional_counts,0.60,0.1234567,8,0.95,123456
c095_p050,0.95,0.50,40,0.9,1
c065_p0035,0.65,0.035,20,0.9,123456
c080_p0174_seed,0.80,0.174,24,0.9,987654321
c085_p020_negative_seed,0.85,0.20,12,0.9,-42
")

simulated_r2 <- function(cstat, prev, seed, n = 1e6) {
  mu <- sqrt(2) * qnorm(cstat)
  set.seed(seed)
  lp <- c(rnorm(prev * n, mean = 0, sd = 1), rnorm((1 - prev) * n, mean = mu, sd = 1))
  y <- c(rep(0, prev * n), rep(1, (1 - prev) * n))
  fit <- glm(y ~ lp, family = binomial)
  list(r2 = 1 - exp(-(fit$null.deviance - fit$deviance) / n), rows = length(y))
}

population_r2 <- function(cstat, prev) {
  mu <- sqrt(2) * qnorm(cstat)
  alpha <- qlogis(prev) - mu^2 / 2  # log-odds of the event = alpha + mu x
  events <- function(x) dnorm(x, mu) * (plogis(alpha + mu * x, log.p = TRUE) - log(prev))
  others <- function(x) {
    dnorm(x) * (plogis(alpha + mu * x, lower.tail = FALSE, log.p = TRUE) - log(1 - prev))
  }
  tol <- 1e-13
  info <- prev * integrate(events, -Inf, Inf, rel.tol = tol)$value +
    (1 - prev) * integrate(others, -Inf, Inf, rel.tol = tol)$value
  1 - exp(-2 * info)
}

criteria <- function(r2, prev, p, s) {
  max_r2 <- 1 - exp(2 * (prev * log(prev) + (1 - prev) * log(1 - prev)))
  size <- function(shrink) ceiling(p / ((shrink - 1) * log(1 - r2 / shrink)))
  n1 <- size(s)
  n2 <- size(r2 / (r2 + 0.05 * max_r2))
  n3 <- ceiling((1.96 / 0.05)^2 * prev * (1 - prev))
  c(n1, n2, n3, max(n1, n2, n3))
}

rows <- list()
for (i in seq_len(nrow(scenarios))) {
  sc <- scenarios[i, ]
  sim <- simulated_r2(sc$c_statistic, sc$prevalence, sc$seed)
  r2 <- round(sim$r2, 4)
  exact <- population_r2(sc$c_statistic, sc$prevalence)
  n <- criteria(r2, sc$prevalence, sc$n_parameters, sc$shrinkage)
  n_exact <- criteria(exact, sc$prevalence, sc$n_parameters, sc$shrinkage)
  rows[[i]] <- data.frame(
    sc, simulated_rows = sim$rows, r2_cs_simulated = sim$r2, r2_cs = r2,
    r2_cs_population = exact, n_criterion1 = n[1], n_criterion2 = n[2],
    n_criterion3 = n[3], n_required = n[4], n_required_population = n_exact[4]
  )
}
out <- do.call(rbind, rows)
out$r2_cs_simulated <- sprintf("%.15g", out$r2_cs_simulated)
out$r2_cs_population <- sprintf("%.15g", out$r2_cs_population)
write.csv(out, "tests/data/sample_size_cstatistic.csv", row.names = FALSE, quote = FALSE)
print(out)
