"""Unpenalised logistic regression fitted as R's ``glm.fit`` (IRLS), and its fit issues.

The maximum-likelihood fit of :class:`~riskml.models.LogisticRisk`: R's start values,
logit link (clamped as R clamps it), deviance stopping rule and iteration limit, so
that coefficients, standard errors and even separated fits land where R's land; the
aliased (collinear) columns R reports as ``NA``; and the sentences of
``fit_issues_`` (separation, non-convergence, fitted probabilities of 0 or 1).

References
----------
McCullagh P, Nelder JA. Generalized Linear Models. 2nd ed. Chapman & Hall; 1989.

Albert A, Anderson JA. On the existence of maximum likelihood estimates in logistic
regression models. Biometrika. 1984;71(1):1-10.
"""

from __future__ import annotations

import numpy as np

from ..utils.fit_issues import quote_names

# -- maximum likelihood as R's glm.fit -------------------------------------------------

#: R's ``glm.control()``: relative change of the deviance that stops the iterations,
#: and the most iterations.
GLM_EPSILON = 1e-8
GLM_MAXIT = 25
#: A covariate is aliased when ``1 - R^2`` of its regression on the columns before
#: it (the intercept first) is below this (R's QR rank tolerance, on the Gram scale).
ALIAS_TOLERANCE = 1e-12
_EPS = np.finfo(float).eps
_THRESH = 30.0  # R's logit link clamps its inverse and derivative beyond |eta| = 30


def _logit_linkinv(eta):
    """R's ``binomial()$linkinv``: ``expit``, held at ``eps / (1 + eps)`` beyond |eta| = 30."""
    odds = np.exp(np.clip(eta, -_THRESH, _THRESH))
    odds = np.where(eta < -_THRESH, _EPS, np.where(eta > _THRESH, 1.0 / _EPS, odds))
    return odds / (1.0 + odds)


def _logit_mu_eta(eta):
    """R's ``binomial()$mu.eta``: ``d mu / d eta``, ``eps`` beyond |eta| = 30."""
    odds = np.exp(np.clip(eta, -_THRESH, _THRESH))
    return np.where(np.abs(eta) > _THRESH, _EPS, odds / (1.0 + odds) ** 2)


def _deviance(y, mu, weight) -> float:
    """Binomial deviance of 0/1 outcomes, R's ``sum(dev.resids(y, mu, wt))``."""
    return float(2.0 * np.sum(weight * -np.log(np.where(y > 0, mu, 1.0 - mu))))


def _estimable_columns(X1) -> np.ndarray:
    """Columns of ``X1`` (the intercept first) outside the span of the columns before them.

    As R's ``glm``: a constant column, or one that is a linear combination of earlier
    ones (such as the last level of a one-hot variable that keeps every level), is
    aliased (``NA`` in R). Found in column order by a Cholesky factorisation of the
    centred columns' correlation matrix that skips a column when ``1 - R^2`` of its
    regression on the kept columns before it is below :data:`ALIAS_TOLERANCE`.
    """
    from scipy.linalg import solve_triangular

    centred = X1[:, 1:] - X1[:, 1:].mean(axis=0)
    gram = centred.T @ centred
    norm = np.sqrt(np.diag(gram))
    keep = [0]
    factor = np.zeros_like(gram)
    kept = []  # positions in `centred` of the kept covariates
    for j in range(gram.shape[0]):
        if norm[j] <= _EPS * max(1.0, float(np.abs(X1[:, j + 1]).max())) * np.sqrt(len(X1)):
            continue  # constant: the intercept's direction
        k = len(kept)
        column = gram[kept, j] / (norm[kept] * norm[j])
        row = solve_triangular(factor[:k, :k], column, lower=True) if k else column[:0]
        residual = 1.0 - row @ row
        if residual <= ALIAS_TOLERANCE:
            continue
        factor[k, :k], factor[k, k] = row, np.sqrt(residual)
        kept.append(j)
        keep.append(j + 1)
    return np.asarray(keep)


def _weighted_gram(X, weight):
    """``X' diag(weight) X`` as ``S'S`` with ``S = sqrt(weight) X``: numpy hands the
    product of an array with its own transpose to BLAS's symmetric ``syrk``
    (half the work of the general product; weights are non-negative)."""
    scaled = X * np.sqrt(weight)[:, None]
    return scaled.T @ scaled


def _weighted_solve(X, weight, target):
    """``argmin_b sum weight (target - X b)^2``: Cholesky of ``X'WX``, refined once.

    One step of iterative refinement on the residual recovers most of the accuracy
    the normal equations lose next to the QR decomposition R uses, at a fraction of
    its cost on tall data. Returns the solution and the Cholesky factor (None when
    ``X'WX`` is numerically singular; then least squares on ``sqrt(W) X``).
    """
    from scipy.linalg import LinAlgError, cho_factor, cho_solve

    try:
        factor = cho_factor(_weighted_gram(X, weight), lower=False, check_finite=False)
    except LinAlgError:
        root = np.sqrt(weight)
        return np.linalg.lstsq(X * root[:, None], target * root, rcond=None)[0], None
    beta = cho_solve(factor, X.T @ (weight * target), check_finite=False)
    beta += cho_solve(factor, X.T @ (weight * (target - X @ beta)), check_finite=False)
    return beta, factor


def _glm_logistic(X1, y, weight, epsilon, maxit):
    """R's ``glm.fit`` for ``family = binomial()``: iteratively reweighted least squares.

    From R's start (``mustart = (w y + 1/2) / (w + 1)``) until the deviance changes by
    less than ``epsilon * (|deviance| + 0.1)``, at most ``maxit`` iterations, with R's
    clamped logit link, so that a fit that stops short of an infinite estimate
    (separation) stops where R's does.

    Returns
    -------
    beta, n_iter, converged, mu, factor
        ``factor``: the Cholesky factor of ``X1'WX1`` with the weights of the last
        iteration (what R's ``summary.glm`` inverts), or None.
    """
    mustart = (weight * y + 0.5) / (weight + 1.0)
    eta = np.log(mustart / (1.0 - mustart))
    mu = _logit_linkinv(eta)
    deviance_old = _deviance(y, mu, weight)
    beta, factor, converged, n_iter = np.zeros(X1.shape[1]), None, False, 0
    while n_iter < maxit:
        n_iter += 1
        mu_eta = _logit_mu_eta(eta)
        good = (weight > 0) & (mu_eta != 0)
        working = eta[good] + (y - mu)[good] / mu_eta[good]
        w = weight[good] * mu_eta[good] ** 2 / (mu * (1.0 - mu))[good]
        new, factor = _weighted_solve(X1 if good.all() else X1[good], w, working)
        if not np.all(np.isfinite(new)):  # R: "non-finite coefficients at iteration"
            break
        beta = new
        eta = X1 @ beta
        mu = _logit_linkinv(eta)
        deviance = _deviance(y, mu, weight)
        if abs(deviance - deviance_old) / (abs(deviance) + 0.1) < epsilon:
            converged = True
            break
        deviance_old = deviance
    return beta, n_iter, converged, mu, factor


def _infinite_estimates(X1, y, weight, beta, tolerance, max_steps=10) -> np.ndarray:
    """Which coefficients the likelihood keeps pushing outwards: separation.

    R's ``coxph`` rule for infinite coefficients, made robust to a fit that merely
    stopped early: the Newton step ``I^-1 U`` at the coefficients, per SD of each
    column (1 for the intercept), is compared with ``tolerance`` times the
    coefficient on that scale (floored at 1). At a finite maximum the step is
    negligible, or becomes so within a few further Newton steps; along a direction
    of separation it stays near one unit of the covariate however far it goes. So
    up to ``max_steps`` Newton steps are taken from the fit (a diagnosis only: the
    fit keeps R's coefficients), and the coefficients still flagged after them are
    returned (all False when a finite maximum was reached).
    """
    from scipy.linalg import LinAlgError, cho_factor, cho_solve
    from scipy.special import expit

    scale = X1.std(axis=0)
    scale[0] = 1.0
    beta = beta.copy()
    for _ in range(max_steps + 1):
        mu = expit(X1 @ beta)
        try:
            factor = cho_factor(_weighted_gram(X1, weight * mu * (1.0 - mu)), check_finite=False)
        except LinAlgError:  # the information is singular along the separation
            return np.ones(beta.size, dtype=bool)
        step = cho_solve(factor, X1.T @ (weight * (y - mu)), check_finite=False)
        with np.errstate(invalid="ignore", over="ignore"):
            flagged = ~(np.abs(step) * scale <= tolerance * np.maximum(np.abs(beta) * scale, 1))
        if not flagged.any():
            return flagged
        beta += step
    return flagged


def _issue_names(names) -> str:
    return quote_names(names)


def separation_issue(names) -> str:
    """The ``fit_issues_`` sentence of a separated unpenalised logistic fit."""
    return (
        f"separation: the outcome is perfectly predicted along {_issue_names(names)} "
        "(complete or quasi-complete separation), so the maximum-likelihood estimate of "
        "the coefficient(s) concerned is infinite; the fit "
        "stops where R's glm stops, and those odds ratios and the risks they drive "
        "towards 0 or 1 are not reliable. Use penalty='l2' (make_model('ridge')), or drop "
        "or merge the separating covariate."
    )


def not_converged_issue(max_iter, solver="IRLS") -> str:
    """The ``fit_issues_`` sentence of a fit that stopped at its iteration limit."""
    return (
        f"the fit did not converge in max_iter={max_iter} {solver} iterations, so its "
        "coefficients and risks are where the iterations stopped. Increase max_iter"
        + (", or use penalty='l2'." if solver == "IRLS" else ".")
    )


BOUNDARY_ISSUE = (
    "fitted probabilities numerically 0 or 1 occurred (as R's glm.fit warns): some "
    "training risks are 0 or 1 to machine precision, so the fit is at the edge of "
    "separation and those risks are not reliable."
)


def _fitted_logistic(coef, intercept, C, n_iter):
    """A scikit-learn ``LogisticRegression`` carrying a solution found elsewhere."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=C)
    model.classes_ = np.array([0, 1])
    model.coef_ = np.asarray(coef, dtype=float).reshape(1, -1)
    model.intercept_ = np.array([float(intercept)])
    model.n_features_in_ = model.coef_.shape[1]
    model.n_iter_ = np.array([n_iter])
    return model
