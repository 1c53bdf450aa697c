"""Internal validation schemes and the stability of the bootstrap models' predictions.

- :func:`internal_validation`: Harrell's bootstrap optimism, Efron's .632 and .632+,
  cross-validation optimism and cross-validation average, every scheme refitting the
  *whole* pipeline, for every registered metric (binary outcomes, or time-to-event
  outcomes at a horizon).
- :class:`PredictionStability`: from the same bootstrap models' predictions on the
  original data (no extra fits), the prediction, classification, calibration and
  decision-curve instability of Riley & Collins (2023), each as a tidy table and a
  one-call plot, with a one-sentence interpretation.
"""

from __future__ import annotations

import warnings
from collections import Counter

import numpy as np
import pandas as pd
from sklearn.base import clone

from ..outcome import check_outcome
from ..utils.fit_issues import ModelFitWarning, count_fit_issues, fit_issue_records
from ..utils.parallel import run_fits
from ..utils.validation import (
    check_fraction,
    check_n_jobs,
    check_option,
    check_random_state,
)
from ._bootstrap import (
    _check_n_boot,
)
from ._calibration import (
    _DEFAULT_FRAC,
    _smoothed_observed,
    _survival_calibration_inputs,
    calibration_curve,
)
from ._checks import (
    check_confidence_level,
    check_horizon_in_follow_up,
    check_outcome_argument,
)
from ._metrics import metric_value
from ._results import MetricTable
from ._schemes import _metric_values, _predict, _reissue, _resolve
from ._utility import TREAT_ALL, TREAT_NONE, _positive, decision_curve, decision_curve_survival
from ._validation import (
    _check_estimator,
    _num_rows,
    _progress_callback,
    _recording,
    _take_rows,
    cv_folds,
)

__all__ = ["InternalValidationResult", "PredictionStability", "internal_validation"]

METHODS = ("bootstrap", "632", "632+", "cv_optimism", "cv_average")
_LABELS = {
    "bootstrap": "optimism-corrected bootstrap (Harrell)",
    "632": ".632 bootstrap (Efron 1983)",
    "632+": ".632+ bootstrap (Efron & Tibshirani 1997)",
    "cv_optimism": "cross-validation optimism",
    "cv_average": "cross-validation average",
}
_EVALUATED_ON = {
    "bootstrap": "original data",
    "632": "out-of-bag patients",
    "632+": "out-of-bag patients",
    "cv_optimism": "held-out fold",
    "cv_average": "held-out fold",
}
# Rank metrics: a risk unrelated to the outcome has a C-statistic of 1/2.
_RANK_METRICS = ("auc", "harrell_c", "uno_c", "td_auc")
# Metrics whose value for a constant prediction c is a quadratic in c (a mean of
# squared errors, or a linear function of one): their no-information value is exact.
_QUADRATIC_METRICS = ("brier", "ipa")


# -- the result ----------------------------------------------------------------------
class InternalValidationResult(MetricTable):
    """The result of :func:`internal_validation`.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per metric: ``model``, ``metric``, ``apparent``, ``optimism``,
        ``corrected``, ``method``, ``n_boot`` (bootstrap replicates, or folds for
        the cross-validation schemes), ``n_degenerate``; ``"632+"`` adds
        ``no_information``, ``overfitting_rate`` and ``weight``.
    replicates : pandas.DataFrame
        One row per replicate (or fold) and metric: ``replicate``, ``metric``,
        ``training`` (the refitted model on the rows it was fitted on; NaN for the
        .632 schemes and cross-validation average, which do not use it), ``test`` (on ``evaluated_on``: the
        original data, the out-of-bag patients or the held-out fold) and
        ``evaluated_on``.
    predictions : ndarray of shape (n_boot, n_samples) or None
        The bootstrap schemes: each replicate model's predicted risk for every
        patient of the original data (NaN rows for replicates whose fit failed);
        None for the cross-validation schemes or ``keep_predictions=False``.
    apparent_risk : ndarray of shape (n_samples,)
        The predictions of the model fitted on all the data.
    estimator_ : estimator
        That model: a clone of the pipeline fitted on all the data (the apparent
        fit), for deployment and explanation without a further fit.
    fit_issues : dict
        :class:`~riskml.models.ModelFitWarning` sentence (separation,
        non-convergence, a fallback fit) -> number of replicates (or folds) whose fit
        raised it; empty when every fit was clean.
    apparent_fit_issues : tuple of str
        The sentences the apparent fit (``estimator_``) raised.
    n_fits : int
        Replicates (or folds) fitted: the denominator of ``fit_issues``.
    outcome : Outcome
    horizon : float or None
    """

    def __init__(
        self,
        summary,
        replicates,
        *,
        predictions,
        apparent_risk,
        outcome,
        horizon,
        method,
        name,
        estimator=None,
        fit_issues=None,
        apparent_fit_issues=(),
        n_fits=0,
    ):
        super().__init__(summary, title=f"Internal validation: {_LABELS[method]}")
        self.estimator_ = estimator
        self.fit_issues = dict(fit_issues or {})
        self.apparent_fit_issues = tuple(apparent_fit_issues)
        self.n_fits = int(n_fits)
        self.replicates = replicates
        self.predictions = predictions
        self.apparent_risk = apparent_risk
        self.outcome = outcome
        self.horizon = horizon
        self.method = method
        self.name = name

    def stability(self) -> PredictionStability:
        """The stability of the bootstrap models' predictions (Riley & Collins 2023).

        Raises
        ------
        ValueError
            For the cross-validation schemes, or a result made with
            ``keep_predictions=False``.
        """
        if self.predictions is None:
            raise ValueError(
                f"stability needs the bootstrap models' predictions; this result "
                f"(method={self.method!r}) kept none. Run internal_validation with a "
                "bootstrap method ('bootstrap', '632' or '632+') and keep_predictions=True."
            )
        return PredictionStability(
            self.apparent_risk,
            self.predictions,
            self.outcome,
            horizon=self.horizon,
            name=self.name,
        )


# -- workers -------------------------------------------------------------------------
def _replicate(estimator, X, y_fit, outcome, train, evaluate, horizon, metrics, params):
    """Fit on ``train``, predict every patient, evaluate the metrics on row sets.

    ``evaluate`` maps a column name (``"training"``, ``"test"``) to the rows on which
    the metrics are computed (None: every patient). Returns the prediction (None when
    the fit failed), the values, the recorded warnings, the error message and, by
    ``(metric, column)``, why a metric was undefined.
    """
    n = len(outcome)
    reasons = {}
    with _recording() as caught:
        try:
            fitted = estimator.fit(_take_rows(X, train), y_fit[train])
        except ValueError as error:  # e.g. a resample with one class
            return None, {}, [], str(error), {}
        risk = _predict(fitted, X, horizon, n)
        values = {}
        for column, rows in evaluate.items():
            found = {}
            if rows is None:
                values[column] = _metric_values(
                    outcome, risk, metrics, horizon, params, strict=False, reasons=found
                )
            else:
                values[column] = _metric_values(
                    outcome[rows],
                    risk[rows],
                    metrics,
                    horizon,
                    params,
                    strict=False,
                    reasons=found,
                )
            for metric, message in found.items():
                reasons[(metric, column)] = message
    raised = [(r.category, str(r.message)) for r in caught]
    return risk, values, fit_issue_records(fitted, raised), None, reasons


def _no_information(metric, outcome, risk, horizon, params) -> float:
    """The no-information value of a metric (Efron & Tibshirani 1997), NaN if none.

    It is the metric expected when outcomes and predictions are paired at random:
    ``1/n^2 sum_i sum_j L(y_i, p_j)``. Rank metrics: 1/2. Brier and IPA: their value
    for a constant prediction ``c`` is a quadratic ``a + b c + d c^2`` (IPCW weights
    do not depend on the prediction), read off three constants, so the double sum is
    ``a + b mean(p) + d mean(p^2)`` exactly.
    """
    if metric.name in _RANK_METRICS:
        return 0.5
    if metric.name in _QUADRATIC_METRICS:
        n = len(outcome)
        points = np.array([0.25, 0.5, 0.75])
        values = [_constant_value(metric, outcome, c, n, horizon, params) for c in points]
        d, b, a = np.polyfit(points, values, 2)
        return float(a + b * risk.mean() + d * np.mean(risk**2))
    return np.nan


def _constant_value(metric, outcome, c, n, horizon, params) -> float:
    return metric_value(metric, outcome, np.full(n, c), horizon, **params.get(metric.name, {}))


def _sign(metric) -> float:
    """+1 where lower values are better (a loss), -1 where higher ones are."""
    return 1.0 if metric.direction == "lower" else -1.0


def _632_plus(metric, apparent, oob, gamma):
    """Efron & Tibshirani (1997) eq. 32 on the loss scale; returns (value, R', w)."""
    s = _sign(metric)
    err, err1, g = s * apparent, s * oob, s * gamma
    err632 = 0.368 * err + 0.632 * err1
    err1_prime = min(err1, g)
    rate = (err1_prime - err) / (g - err) if err1_prime > err and g > err else 0.0
    value = err632 + (err1_prime - err) * (0.368 * 0.632 * rate) / (1 - 0.368 * rate)
    weight = 0.632 / (1 - 0.368 * rate)
    return s * value, rate, weight


def _check_cv_seed(random_state, function):
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**31 - 1))
    check_random_state(random_state, function)
    return random_state


# -- the schemes ---------------------------------------------------------------------
def internal_validation(
    estimator,
    X,
    y,
    *,
    method: str = "bootstrap",
    n_boot: int = 200,
    cv=10,
    metrics=None,
    horizon=None,
    random_state=None,
    n_jobs=None,
    progress=True,
    metric_params: dict | None = None,
    keep_predictions: bool = True,
    name: str | None = None,
    groups=None,
) -> InternalValidationResult:
    """Optimism-corrected performance of a whole modelling pipeline, by one scheme.

    Parameters
    ----------
    estimator : estimator with ``fit(X, y)`` and ``predict_risk(X, horizon=None)``
        The *whole* pipeline (imputation, selection, resampling, tuning,
        recalibration, model): cloned and refitted in every replicate or fold.
    X : pandas.DataFrame or array-like of shape (n_samples, n_features)
    y : array-like of 0/1, structured ``(event, time)`` array, or Outcome
    method : {"bootstrap", "632", "632+", "cv_optimism", "cv_average"}, default="bootstrap"
        The scheme (see Notes).
    n_boot : int, default=200
        Bootstrap replicates (the bootstrap schemes).
    cv : int or cross-validation splitter, default=10
        Folds of the cross-validation schemes, as in :func:`cross_val_predict_risk`
        (an int k: stratified k-fold, shuffled with ``random_state``).
    metrics : sequence of str, default=None
        Registered metric names (:func:`get_metric_names`); None: the defaults of
        :func:`default_metrics`.
    horizon : float, default=None
        Passed to ``predict_risk(X, horizon=horizon)``, and the horizon of the
        time-to-event metrics evaluated at one.
    random_state : int, numpy.random.Generator or None, default=None
        Seed of the resamples (bootstrap draws, or the fold shuffle).
    n_jobs : int or None, default=None
        None: replicates or folds run on threads, one per core, each fit with its
        share of the cores (:func:`riskml.utils.parallel.run_fits`). An int: in
        parallel through joblib's active backend (loky processes, Dask, ...). The
        draws are made in one place, in order, so the result does not depend on
        ``n_jobs``.
    progress : bool or callable, default=True
        True shows a tqdm bar (hundreds of refits take minutes); False is silent;
        a callable is called as ``progress(done, total)``.
    metric_params : dict, optional
        Parameters of individual metrics, e.g. ``{"net_benefit": {"threshold": 0.1}}``.
    keep_predictions : bool, default=True
        Keep each bootstrap model's predictions on the original data
        (``n_boot x n_samples`` floats) for :meth:`InternalValidationResult.stability`.
    name : str, default=None
        The model name in the table; None: the estimator's class name.
    groups : array-like of shape (n_samples,), optional
        The cross-validation schemes keep each group's rows (e.g. one patient's
        admissions) in one fold, as :func:`cross_val_predict_risk`. The bootstrap
        schemes draw rows and ignore it.

    Returns
    -------
    InternalValidationResult

    Notes
    -----
    The apparent value is the metric of the model fitted on all the data, evaluated
    on it. Bootstrap replicate b draws ``rng.integers(0, n, n)`` (the draws of
    :func:`optimism_bootstrap`, so ``"bootstrap"`` reproduces it exactly) and refits
    the pipeline on those rows; each replicate model predicts every patient once, and
    every quantity below is computed from that one prediction (a pipeline's
    predictions are row by row).

    - ``"bootstrap"`` (Harrell 1996): optimism = mean over replicates of the metric
      on the bootstrap sample minus the metric on the original data; corrected =
      apparent - optimism.
    - ``"632"`` (Efron 1983; Harrell's ``rms::validate(method=".632")`` and
      pminternal): each replicate model is evaluated on the patients it was not fitted
      on (out of bag); with ``oob`` the mean over replicates, corrected = 0.368
      apparent + 0.632 oob, so optimism = 0.632 (apparent - oob).
    - ``"632+"`` (Efron & Tibshirani 1997, eq. 32), on the loss scale (the metric's
      sign flipped where higher is better): ``oob' = min(oob, gamma)``, relative
      overfitting rate ``R = (oob' - apparent) / (gamma - apparent)`` where both
      differences are positive (else 0), corrected = .632 estimate +
      ``(oob' - apparent) 0.368 * 0.632 R / (1 - 0.368 R)``. The no-information
      value ``gamma`` is the metric with outcomes and the original model's
      predictions paired at random: 1/2 for the C-statistics (``auc``,
      ``harrell_c``, ``uno_c``, ``td_auc``) and, exactly, ``1/n^2 sum_ij L(y_i,
      p_j)`` for ``brier`` and ``ipa``. The calibration metrics (intercept, slope,
      O:E, ICI) and net benefit have no natural no-information value (their ideal is
      a target, not the end of a loss scale); for them ``R`` is taken as 0, which
      gives the .632 estimate, and ``no_information`` is NaN.
    - ``"cv_optimism"`` (pminternal's "CV optimism"; as ``rms::validate(method=
      "crossvalidation")``): each fold model is evaluated on its training folds and
      on its held-out fold; optimism = mean over folds of (training - held-out);
      corrected = apparent - optimism.
    - ``"cv_average"`` (pminternal's "CV average"): corrected = mean over folds of
      the held-out-fold metric; optimism = apparent - corrected.

    A metric undefined for the whole-cohort fit has a NaN apparent value (with a
    warning that says why), and NaN optimism and corrected values except for
    ``"cv_average"``, whose corrected value does not use it. A replicate or fold
    whose fit raises ``ValueError`` (e.g. one class), or on which a metric is
    undefined, is degenerate for that metric: counted in
    ``n_degenerate`` and left out of the means, with one warning per metric that
    gives the count and the first reason. A metric undefined in every replicate
    gets NaN optimism and corrected values (and the warning) rather than an error,
    so that one undefined metric does not discard the others. A common case: the
    survival ICI of a flexible model on its own training data, where the spline
    calibration model often has no finite fit (monotone likelihood; see
    :func:`survival_ici`). In the young-hypertension design XGBoost's whole-cohort
    fit and bootstrap fits all hit it, so its apparent ICI, and with it every
    scheme's corrected ICI except ``"cv_average"`` (held-out folds only), is
    undefined and reported as such.

    References
    ----------
    .. [1] Harrell FE, Lee KL, Mark DB. Multivariable prognostic models. Stat Med
       1996;15:361-387.
    .. [2] Efron B. Estimating the error rate of a prediction rule: improvement on
       cross-validation. J Am Stat Assoc 1983;78:316-331.
    .. [3] Efron B, Tibshirani R. Improvements on cross-validation: the .632+
       bootstrap method. J Am Stat Assoc 1997;92:548-560.
    .. [4] Steyerberg EW, Harrell FE, Borsboom GJ, et al. Internal validation of
       predictive models: efficiency of some procedures for logistic regression
       analysis. J Clin Epidemiol 2001;54:774-781.
    .. [5] Rhodes S. pminternal: internal validation of clinical prediction models.
       R package 0.1.0, 2025 (documentation of its methods).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.base import BaseEstimator
    >>> from riskml.evaluation import internal_validation
    >>> class FirstColumn(BaseEstimator):  # a toy model without parameters
    ...     def fit(self, X, y):
    ...         return self
    ...     def predict_risk(self, X, horizon=None):
    ...         return np.asarray(X)[:, 0]
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"p": rng.uniform(0.05, 0.95, 80)})
    >>> y = (rng.random(80) < X["p"]).astype(int)
    >>> result = internal_validation(FirstColumn(), X, y, method="632", n_boot=20,
    ...                              metrics=["auc"], random_state=0)
    >>> result.summary[["metric", "method"]].values.tolist()
    [['auc', '.632 bootstrap (Efron 1983)']]
    """
    return _run(
        "internal_validation",
        estimator,
        X,
        y,
        method=method,
        n_boot=n_boot,
        cv=cv,
        metrics=metrics,
        horizon=horizon,
        random_state=random_state,
        n_jobs=n_jobs,
        progress=progress,
        metric_params=metric_params,
        keep_predictions=keep_predictions,
        name=name,
        groups=groups,
    )


def _run(
    function,
    estimator,
    X,
    y,
    *,
    method="bootstrap",
    n_boot=200,
    cv=10,
    metrics=None,
    horizon=None,
    random_state=None,
    n_jobs=None,
    progress=True,
    metric_params=None,
    keep_predictions=True,
    name=None,
    groups=None,
) -> InternalValidationResult:
    """:func:`internal_validation`, with ``function`` naming the caller in messages."""
    _check_estimator(estimator, function)
    method = check_option(method, "method", METHODS, function)
    n_jobs = check_n_jobs(n_jobs, function)
    if not isinstance(keep_predictions, bool | np.bool_):
        raise TypeError(
            f"The 'keep_predictions' parameter of {function} must be a bool. Got "
            f"{keep_predictions!r} instead."
        )
    outcome = check_outcome_argument(y, function)
    if horizon is not None and outcome.is_survival:
        horizon = check_horizon_in_follow_up(horizon, outcome.time, function)
    n = _num_rows(X)
    if len(outcome) != n:
        raise ValueError(
            f"X and y of {function} must have one row per patient; got {n} rows in X and "
            f"{len(outcome)} outcomes in y."
        )
    metrics, params = _resolve(metrics, outcome, horizon, metric_params, function)
    y_fit = outcome.to_y()
    name = type(estimator).__name__ if name is None else str(name)
    bootstrap = method in ("bootstrap", "632", "632+")

    if bootstrap:
        n_boot = _check_n_boot(n_boot, function)
        rng = check_random_state(random_state, function)
        draws = [rng.integers(0, n, size=n) for _ in range(n_boot)]

        def tasks():
            everyone = np.arange(n)
            for rows in draws:
                if method == "bootstrap":
                    evaluate = {"training": rows, "test": None}
                else:
                    evaluate = {"test": np.setdiff1d(everyone, rows)}
                yield rows, evaluate

        total = n_boot
    else:
        seed = _check_cv_seed(random_state, function)
        folds = cv_folds(outcome, cv, groups=groups, random_state=seed)
        if folds.ndim != 1:
            raise ValueError(
                f"cv of {function} must give one partition of the patients (an int or a "
                f"k-fold splitter); got {cv!r}. Repeat the call with other random_state "
                "values to repeat the cross-validation."
            )
        k = int(folds.max()) + 1

        def tasks():
            for fold in range(k):
                test = np.flatnonzero(folds == fold)
                train = np.flatnonzero(folds != fold)
                # cv_average uses the held-out fold only
                evaluate = {"test": test}
                if method == "cv_optimism":
                    evaluate["training"] = train
                yield train, evaluate

        total = k
    update, close = _progress_callback(
        progress, total, function, desc=f"internal validation ({method})", unit="fit"
    )

    with warnings.catch_warnings(record=True) as apparent_caught:
        warnings.simplefilter("always")  # recorded, not shown: the replicates warn again
        fitted = clone(estimator).fit(X, y_fit)
    apparent_issues = tuple(
        count_fit_issues(
            [fit_issue_records(fitted, [(r.category, str(r.message)) for r in apparent_caught])]
        )
    )
    apparent_risk = _predict(fitted, X, horizon, n)
    undefined_apparent: dict = {}
    apparent = _metric_values(
        outcome, apparent_risk, metrics, horizon, params, strict=False, reasons=undefined_apparent
    )
    if len(undefined_apparent) == len(metrics):
        raise ValueError(
            f"{function}: no metric is defined for the model fitted on all the data: "
            + "; ".join(f"{metric}: {reason}" for metric, reason in undefined_apparent.items())
        )
    for metric, reason in undefined_apparent.items():
        lost = "its optimism" if method == "cv_average" else "its optimism and corrected value"
        warnings.warn(
            f"{function}: {metric} is undefined for the model fitted on all the data (the "
            f"apparent performance), and so is {lost}. Reason: {reason}",
            UserWarning,
            stacklevel=3,
        )

    results = run_fits(
        _replicate,
        (
            (clone(estimator), X, y_fit, outcome, train, evaluate, horizon, metrics, params)
            for train, evaluate in tasks()
        ),
        n_jobs=n_jobs,
        n_tasks=total,
    )
    keep = bootstrap and keep_predictions
    predictions = np.full((total, n), np.nan) if keep else None
    records: Counter = Counter()
    undefined: dict = {}  # (metric, column) -> [count, first reason]
    rows, first_error = [], None
    try:
        for b, ((risk, values, caught, error, reasons), _, on_thread) in enumerate(results):
            first_error = first_error or error
            records.update(set(caught) | set(on_thread))
            for key, message in reasons.items():
                undefined.setdefault(key, [0, message])[0] += 1
            if keep and risk is not None:
                predictions[b] = risk
            for metric in metrics:
                rows.append(
                    {
                        "replicate": b,
                        "metric": metric.name,
                        "training": values.get("training", {}).get(metric.name, np.nan),
                        "test": values.get("test", {}).get(metric.name, np.nan),
                        "evaluated_on": _EVALUATED_ON[method],
                    }
                )
            update(b + 1)
    finally:
        results.close()
        close()
    _reissue(records, total)
    # records count replicates per (category, message): the fit issues among them
    fit_issues = {
        message: count
        for (category, message), count in records.items()
        if issubclass(category, ModelFitWarning)
    }
    unit = "replicates" if bootstrap else "folds"
    for (metric, column), (count, message) in undefined.items():
        warnings.warn(
            f"{function}: {metric} was undefined on the {column} data of {count} of "
            f"{total} {unit}, which are left out of its mean (n_degenerate). First "
            f"reason: {message}",
            UserWarning,
            stacklevel=3,
        )
    replicates = pd.DataFrame(
        rows, columns=["replicate", "metric", "training", "test", "evaluated_on"]
    )

    summary, defined = [], 0
    for metric in metrics:
        table = replicates[replicates["metric"] == metric.name]
        if method in ("bootstrap", "cv_optimism"):
            values = (table["training"] - table["test"]).to_numpy()
        else:
            values = table["test"].to_numpy()
        valid = values[np.isfinite(values)]
        defined += valid.shape[0] > 0
        app = apparent[metric.name]
        row = {"model": name, "metric": metric.name, "apparent": app}
        if valid.shape[0] == 0:  # warned above; NaN rather than losing the other metrics
            corrected = np.nan
            if method == "632+":
                row.update(no_information=np.nan, overfitting_rate=np.nan, weight=np.nan)
        elif method in ("bootstrap", "cv_optimism"):
            corrected = app - float(valid.mean())
        elif method == "cv_average":
            corrected = float(valid.mean())
        elif method == "632":
            corrected = 0.368 * app + 0.632 * float(valid.mean())
        else:
            gamma = _no_information(metric, outcome, apparent_risk, horizon, params)
            if np.isfinite(gamma):
                corrected, rate, weight = _632_plus(metric, app, float(valid.mean()), gamma)
            else:
                corrected, rate, weight = 0.368 * app + 0.632 * float(valid.mean()), 0.0, 0.632
            row.update(no_information=gamma, overfitting_rate=rate, weight=weight)
        row.update(
            optimism=app - corrected,
            corrected=corrected,
            method=_LABELS[method],
            n_boot=total,
            n_degenerate=int(total - valid.shape[0]),
        )
        summary.append(row)
    if defined == 0:
        reason = f" The first failed fit said: {first_error}" if first_error else ""
        raise ValueError(
            f"{function}: every metric was undefined in all {total} {unit}, so no "
            f"optimism can be estimated.{reason}"
        )
    columns = ["model", "metric", "apparent", "optimism", "corrected", "method"]
    columns += ["n_boot", "n_degenerate"]
    if method == "632+":
        columns += ["no_information", "overfitting_rate", "weight"]
    return InternalValidationResult(
        pd.DataFrame(summary, columns=columns),
        replicates,
        predictions=predictions,
        apparent_risk=apparent_risk,
        outcome=outcome,
        horizon=horizon,
        method=method,
        name=name,
        estimator=fitted,
        fit_issues=fit_issues,
        apparent_fit_issues=apparent_issues,
        n_fits=total,
    )


# -- stability -----------------------------------------------------------------------
def _new_axes(ax):
    """``ax``, or new axes on a new Figure outside pyplot's global state."""
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    return Figure(figsize=(5.5, 4.5), layout="constrained").subplots()


class PredictionStability:
    """Instability of individual predictions across bootstrap models (Riley & Collins 2023).

    Usually made by :meth:`InternalValidationResult.stability`, from the predictions
    that the bootstrap models of :func:`internal_validation` made for every patient of
    the original data (no extra fits).

    Parameters
    ----------
    original : array-like of shape (n_samples,)
        The predicted risk of the model fitted on all the data.
    predictions : array-like of shape (n_boot, n_samples)
        Each bootstrap model's predicted risk for the same patients; rows holding a
        NaN (failed fits) are left out and counted in :attr:`n_degenerate`.
    y : array-like of 0/1, structured ``(event, time)`` array, or Outcome, optional
        The outcomes, for the calibration and decision-curve instability.
    horizon : float, optional
        The horizon of the predicted risks, for a time-to-event ``y``.
    name : str, default="model"

    Attributes
    ----------
    n_boot : int
        The bootstrap models used.
    n_degenerate : int
        Rows of ``predictions`` left out.
    mape : float
        Mean absolute prediction error: the mean over patients and bootstrap models
        of ``|bootstrap-model risk - original-model risk|``.

    References
    ----------
    .. [1] Riley RD, Collins GS. Stability of clinical prediction models developed
       using statistical or machine learning methods. Biom J 2023;65:2200302.
    .. [2] Rhodes S. pminternal (R package), stability plots (documented behaviour).

    Examples
    --------
    >>> import numpy as np
    >>> from riskml.evaluation import PredictionStability
    >>> stability = PredictionStability([0.1, 0.5], [[0.2, 0.5], [0.1, 0.3]])
    >>> round(stability.mape, 3)
    0.075
    """

    def __init__(self, original, predictions, y=None, *, horizon=None, name: str = "model"):
        function = "PredictionStability"
        original = np.asarray(original, dtype=float)
        predictions = np.asarray(predictions, dtype=float)
        if original.ndim != 1 or predictions.ndim != 2 or predictions.shape[1] != len(original):
            raise ValueError(
                f"{function} needs original of shape (n_samples,) and predictions of shape "
                f"(n_boot, n_samples); got {original.shape} and {predictions.shape}."
            )
        if not np.isfinite(original).all():
            raise ValueError(f"original of {function} has missing or infinite risks.")
        usable = np.isfinite(predictions).all(axis=1)
        if not usable.any():
            raise ValueError(
                f"{function}: none of the {predictions.shape[0]} bootstrap models predicted "
                "every patient (all failed)."
            )
        self.outcome = None if y is None else check_outcome(y)
        if self.outcome is not None and len(self.outcome) != len(original):
            raise ValueError(
                f"y of {function} must hold one outcome per patient ({len(original)}); "
                f"got {len(self.outcome)}."
            )
        self.original = original
        self.predictions = predictions[usable]
        self.n_boot = int(usable.sum())
        self.n_degenerate = int((~usable).sum())
        self.horizon = horizon
        self.name = str(name)

    # -- tables --------------------------------------------------------------------
    @property
    def mape(self) -> float:
        return float(np.mean(np.abs(self.predictions - self.original)))

    def patients(self, confidence: float = 0.95) -> pd.DataFrame:
        """Per-patient prediction instability.

        Returns
        -------
        pandas.DataFrame
            One row per patient: ``patient`` (row position), ``original``, ``mean``
            (of the bootstrap models' risks), ``low`` and ``high`` (the stability
            interval: percentiles ``(1 - confidence)/2`` and ``(1 + confidence)/2``
            of the bootstrap models' risks, numpy's linear interpolation = R's
            ``quantile`` type 7), ``width`` and ``mape`` (mean absolute difference
            from ``original``).
        """
        confidence = check_confidence_level(confidence, "PredictionStability.patients")
        alpha = 1.0 - confidence
        low, high = np.quantile(self.predictions, [alpha / 2, 1 - alpha / 2], axis=0)
        return pd.DataFrame(
            {
                "patient": np.arange(self.original.shape[0]),
                "original": self.original,
                "mean": self.predictions.mean(axis=0),
                "low": low,
                "high": high,
                "width": high - low,
                "mape": np.mean(np.abs(self.predictions - self.original), axis=0),
            }
        )

    def classification(self, threshold: float) -> pd.DataFrame:
        """Classification instability index at a risk threshold.

        Returns
        -------
        pandas.DataFrame
            One row per patient: ``patient``, ``original``, ``classified`` (the
            original model's decision, risk >= threshold as in :func:`net_benefit`)
            and ``instability``: the share of bootstrap models that classify the
            patient differently.
        """
        threshold = check_fraction(threshold, "threshold", "PredictionStability.classification")
        original = _positive(self.original, np.array([threshold]))[0]
        boot = np.stack([_positive(row, np.array([threshold]))[0] for row in self.predictions])
        return pd.DataFrame(
            {
                "patient": np.arange(self.original.shape[0]),
                "original": self.original,
                "classified": original,
                "instability": np.mean(boot != original, axis=0),
            }
        )

    def _require_outcome(self, what: str):
        if self.outcome is None:
            raise ValueError(
                f"{what} needs the outcomes: make the PredictionStability with y= (or from "
                "internal_validation, which keeps them)."
            )
        if self.outcome.is_survival and self.horizon is None:
            raise ValueError(
                f"{what} of time-to-event outcomes needs the horizon of the predicted "
                "risks: pass horizon= (days)."
            )

    def _models(self):
        yield -1, self.original
        yield from enumerate(self.predictions)

    def calibration_curves(self, *, n_points: int = 50, frac: float = _DEFAULT_FRAC):
        """Each model's smoothed calibration curve on the original data.

        Binary outcomes: the lowess curve of :func:`calibration_curve` (no band).
        Time-to-event outcomes: the flexible calibration model of
        :func:`survival_ici` (Cox on a restricted cubic spline of the cloglog risk,
        follow-up truncated at the horizon), each patient's smoothed observed risk
        interpolated onto the grid.

        Returns
        -------
        pandas.DataFrame
            ``replicate`` (-1: the original model), ``predicted`` (``n_points``
            equally spaced risks over that model's range), ``observed``.
        """
        self._require_outcome("calibration_curves")
        frames, undefined = [], []
        outcome = self.outcome
        for replicate, risk in self._models():
            if outcome.is_survival:
                time, event, risk_used, horizon, cloglog = _survival_calibration_inputs(
                    outcome.time, outcome.event, risk, self.horizon, "calibration_curves"
                )
                try:
                    observed = _smoothed_observed(time, event, cloglog, horizon)
                except ValueError as error:  # no finite calibration model (see survival_ici)
                    if replicate < 0:
                        raise
                    undefined.append(str(error))
                    continue
                order = np.argsort(risk_used, kind="stable")
                grid = np.linspace(risk_used.min(), risk_used.max(), n_points)
                curve = pd.DataFrame(
                    {
                        "predicted": grid,
                        "observed": np.interp(grid, risk_used[order], observed[order]),
                    }
                )
            else:
                curve = calibration_curve(
                    outcome.event.astype(int), risk, n_boot=0, n_points=n_points, frac=frac
                )[["predicted", "observed"]]
            curve.insert(0, "replicate", replicate)
            frames.append(curve)
        if undefined:
            warnings.warn(
                f"calibration_curves: the curve of {len(undefined)} of {self.n_boot} bootstrap "
                f"models is undefined and left out. First reason: {undefined[0]}",
                UserWarning,
                stacklevel=2,
            )
        return pd.concat(frames, ignore_index=True)

    def decision_curves(self, *, thresholds=None) -> pd.DataFrame:
        """Each model's net benefit on the original data, with treat all and treat none.

        Returns
        -------
        pandas.DataFrame
            ``model`` (``"Treat all"``, ``"Treat none"``, ``"original"`` or
            ``"bootstrap"``), ``replicate`` (-1 except for the bootstrap models),
            ``threshold``, ``net_benefit``; from :func:`decision_curve` or
            :func:`decision_curve_survival`.
        """
        self._require_outcome("decision_curves")
        models = {str(replicate): risk for replicate, risk in self._models()}
        outcome = self.outcome
        if outcome.is_survival:
            curve = decision_curve_survival(
                outcome.time, outcome.event, models, self.horizon, thresholds=thresholds
            )
        else:
            curve = decision_curve(outcome.event.astype(int), models, thresholds=thresholds)
        label = curve["model"].to_numpy()
        named = np.isin(label, [TREAT_ALL, TREAT_NONE])
        replicate = np.where(named, -1, pd.to_numeric(label, errors="coerce")).astype(int)
        model = np.where(named, label, np.where(replicate == -1, "original", "bootstrap"))
        return pd.DataFrame(
            {
                "model": model,
                "replicate": replicate,
                "threshold": curve["threshold"].to_numpy(),
                "net_benefit": curve["net_benefit"].to_numpy(),
            }
        )

    def summary(self, *, width: float = 0.10, confidence: float = 0.95) -> pd.DataFrame:
        """One row: ``model``, ``n_boot``, ``n_degenerate``, ``mape``,
        ``median_width`` and ``share_wider`` (patients whose stability interval is
        wider than ``width``)."""
        table = self.patients(confidence)
        return pd.DataFrame(
            [
                {
                    "model": self.name,
                    "n_boot": self.n_boot,
                    "n_degenerate": self.n_degenerate,
                    "mape": self.mape,
                    "median_width": float(table["width"].median()),
                    "share_wider": float(np.mean(table["width"] > width)),
                    "width": width,
                    "confidence": confidence,
                }
            ]
        )

    def interpret(self, *, width: float = 0.10, confidence: float = 0.95) -> str:
        """One sentence, e.g. "37% of patients have a 95% stability interval wider than
        10 percentage points; MAPE 0.042 (200 bootstrap models)"."""
        width = check_fraction(width, "width", "PredictionStability.interpret")
        row = self.summary(width=width, confidence=confidence).iloc[0]
        return (
            f"{self.name}: {row['share_wider']:.0%} of patients have a {confidence:.0%} "
            f"stability interval wider than {width * 100:g} percentage points; MAPE "
            f"{row['mape']:.3f} ({self.n_boot} bootstrap models)."
        )

    # -- plots ---------------------------------------------------------------------
    def plot_predictions(self, ax=None, *, confidence: float = 0.95, max_points: int = 20000):
        """Prediction instability plot: bootstrap-model risk against original risk.

        Points (at most ``max_points``, a seeded subsample) and the per-patient
        stability interval bounds as lines over the original risk; returns the Axes.
        """
        ax = _new_axes(ax)
        boot = self.predictions
        x = np.broadcast_to(self.original, boot.shape).ravel()
        yv = boot.ravel()
        if x.shape[0] > max_points:
            keep = np.random.default_rng(0).choice(x.shape[0], max_points, replace=False)
            x, yv = x[keep], yv[keep]
        ax.scatter(x, yv, s=4, alpha=0.15, color="tab:blue", linewidths=0)
        table = self.patients(confidence).sort_values("original")
        for column in ("low", "high"):
            ax.plot(table["original"], table[column], color="black", linestyle="--", lw=1)
        ax.plot([0, 1], [0, 1], color="grey", lw=1)
        top = float(max(self.original.max(), boot.max()))
        ax.set_xlim(0, top * 1.02)
        ax.set_ylim(0, top * 1.02)
        ax.set_xlabel("Risk from the developed model")
        ax.set_ylabel(f"Risk from {self.n_boot} bootstrap models")
        ax.set_title(f"Prediction instability ({confidence:.0%} stability interval)")
        return ax

    def plot_mape(self, ax=None):
        """Per-patient MAPE against the original risk; returns the Axes."""
        ax = _new_axes(ax)
        table = self.patients()
        ax.scatter(table["original"], table["mape"], s=6, alpha=0.5, linewidths=0)
        ax.set_xlabel("Risk from the developed model")
        ax.set_ylabel("Mean absolute prediction error")
        ax.set_title(f"MAPE instability (overall {self.mape:.3f})")
        return ax

    def plot_classification(self, threshold: float, ax=None):
        """Classification instability index against the original risk; returns the Axes."""
        ax = _new_axes(ax)
        table = self.classification(threshold)
        ax.scatter(table["original"], table["instability"], s=6, alpha=0.5, linewidths=0)
        ax.axvline(threshold, color="grey", linestyle="--", lw=1)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("Risk from the developed model")
        ax.set_ylabel("Classification instability index")
        ax.set_title(f"Classification instability at threshold {threshold:g}")
        return ax

    def plot_calibration(self, ax=None, **kwargs):
        """Calibration instability: every bootstrap model's curve and the original's."""
        ax = _new_axes(ax)
        curves = self.calibration_curves(**kwargs)
        for replicate, rows in curves.groupby("replicate", sort=True):
            if replicate >= 0:
                ax.plot(rows["predicted"], rows["observed"], color="tab:blue", alpha=0.2, lw=0.6)
        original = curves[curves["replicate"] == -1]
        ax.plot(original["predicted"], original["observed"], color="black", lw=2, label="developed")
        ax.plot([0, 1], [0, 1], color="grey", linestyle="--", lw=1)
        top = float(np.nanmax(curves[["predicted", "observed"]].to_numpy()))
        ax.set_xlim(0, min(1.0, top * 1.05))
        ax.set_ylim(0, min(1.0, top * 1.05))
        ax.set_xlabel("Predicted risk")
        ax.set_ylabel("Observed risk (smoothed)")
        ax.set_title("Calibration instability")
        ax.legend(loc="upper left")
        return ax

    def plot_decision_curves(self, ax=None, *, thresholds=None):
        """Decision-curve instability: every bootstrap model's net benefit curve."""
        ax = _new_axes(ax)
        curves = self.decision_curves(thresholds=thresholds)
        boot = curves[curves["model"] == "bootstrap"]
        for _, rows in boot.groupby("replicate", sort=True):
            ax.plot(rows["threshold"], rows["net_benefit"], color="tab:blue", alpha=0.2, lw=0.6)
        styles = {
            "original": {"color": "black", "lw": 2, "label": "developed"},
            TREAT_ALL: {"color": "grey", "lw": 1, "label": TREAT_ALL},
            TREAT_NONE: {"color": "grey", "lw": 1, "linestyle": ":", "label": TREAT_NONE},
        }
        for model, style in styles.items():
            rows = curves[curves["model"] == model]
            ax.plot(rows["threshold"], rows["net_benefit"], **style)
        top = float(np.nanmax(curves["net_benefit"].to_numpy()))
        top = top if top > 0 else 0.05
        ax.set_ylim(-0.1 * top, 1.1 * top)
        ax.set_xlabel("Threshold probability")
        ax.set_ylabel("Net benefit")
        ax.set_title("Decision-curve instability")
        ax.legend(loc="upper right")
        return ax
