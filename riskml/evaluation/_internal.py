"""Internal validation schemes: Harrell's bootstrap optimism, Efron's .632 and .632+,
cross-validation optimism and cross-validation average (:func:`internal_validation`),
every scheme refitting the *whole* pipeline, for every registered metric (binary
outcomes, or time-to-event outcomes at a horizon).

The stability of the bootstrap models' predictions (:class:`PredictionStability`)
lives in :mod:`._stability` and is imported here, its former home.
"""

from __future__ import annotations

import warnings
from collections import Counter

import numpy as np
import pandas as pd
from sklearn.base import clone

from ..utils.fit_issues import ModelFitWarning, count_fit_issues, fit_issue_records
from ..utils.parallel import run_fits
from ..utils.validation import (
    check_n_jobs,
    check_option,
    check_random_state,
)
from ._bootstrap import (
    _check_n_boot,
)
from ._checks import (
    check_horizon_in_follow_up,
    check_outcome_argument,
)
from ._metrics import metric_value
from ._results import MetricTable
from ._schemes import _metric_values, _predict, _reissue, _resolve
from ._stability import PredictionStability  # its home before the split
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

    Examples
    --------
    >>> import numpy as np
    >>> from riskml.evaluation import internal_validation
    >>> from riskml.models import LogisticRisk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> y = (X[:, 0] + rng.normal(size=200) > 1).astype(int)
    >>> result = internal_validation(LogisticRisk(), X, y, method="cv_optimism", cv=5,
    ...                              metrics=["auc"], random_state=0, progress=False)
    >>> result.summary[["metric", "apparent", "optimism", "corrected"]].round(4)
      metric  apparent  optimism  corrected
    0    auc     0.815    0.0391     0.7759
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
    ``1/n^2 sum_i sum_j L(y_i, p_j)``, as the registry entry gives it
    (:attr:`Metric.no_information`): a number (rank metrics: 1/2), or
    ``"quadratic"`` for a metric whose value at a constant prediction ``c`` is a
    quadratic ``a + b c + d c^2`` (Brier and IPA: IPCW weights do not depend on the
    prediction), read off three constants, so the double sum is ``a + b mean(p) + d
    mean(p^2)`` exactly.
    """
    if metric.no_information == "quadratic":
        n = len(outcome)
        points = np.array([0.25, 0.5, 0.75])
        values = [_constant_value(metric, outcome, c, n, horizon, params) for c in points]
        d, b, a = np.polyfit(points, values, 2)
        return float(a + b * risk.mean() + d * np.mean(risk**2))
    if metric.no_information is None:
        return np.nan
    return float(metric.no_information)


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
        tasks = _bootstrap_tasks(method, n, _check_n_boot(n_boot, function), random_state, function)
    else:
        tasks = _cv_tasks(method, outcome, cv, groups, random_state, function)
    total = len(tasks)
    update, close = _progress_callback(
        progress, total, function, desc=f"internal validation ({method})", unit="fit"
    )
    fitted, apparent_issues, apparent_risk = _whole_cohort_fit(estimator, X, y_fit, horizon, n)
    apparent = _apparent_values(outcome, apparent_risk, metrics, horizon, params, method, function)
    results = run_fits(
        _replicate,
        (
            (clone(estimator), X, y_fit, outcome, train, evaluate, horizon, metrics, params)
            for train, evaluate in tasks
        ),
        n_jobs=n_jobs,
        n_tasks=total,
    )
    keep = bootstrap and keep_predictions
    collected = _collect(results, metrics, method, (total, n) if keep else None, update, close)
    replicates, predictions, records, undefined, first_error = collected
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
    summary = _summary(
        replicates,
        metrics,
        apparent,
        method,
        name,
        total,
        (outcome, apparent_risk, horizon, params),
    )
    if (summary["n_degenerate"] == total).all():  # no metric defined in any replicate
        reason = f" The first failed fit said: {first_error}" if first_error else ""
        raise ValueError(
            f"{function}: every metric was undefined in all {total} {unit}, so no "
            f"optimism can be estimated.{reason}"
        )
    return InternalValidationResult(
        summary,
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


def _bootstrap_tasks(method, n, n_boot, random_state, function) -> list:
    """``(training rows, {column: rows evaluated})`` of every bootstrap replicate: the
    resample and the original data (Harrell), or the out-of-bag patients (.632)."""
    rng = check_random_state(random_state, function)
    draws = [rng.integers(0, n, size=n) for _ in range(n_boot)]
    everyone = np.arange(n)
    if method == "bootstrap":
        return [(rows, {"training": rows, "test": None}) for rows in draws]
    return [(rows, {"test": np.setdiff1d(everyone, rows)}) for rows in draws]


def _cv_tasks(method, outcome, cv, groups, random_state, function) -> list:
    """``(training rows, {column: rows evaluated})`` of every fold: the held-out fold,
    and for ``cv_optimism`` the training folds too."""
    seed = _check_cv_seed(random_state, function)
    folds = cv_folds(outcome, cv, groups=groups, random_state=seed)
    if folds.ndim != 1:
        raise ValueError(
            f"cv of {function} must give one partition of the patients (an int or a "
            f"k-fold splitter); got {cv!r}. Repeat the call with other random_state "
            "values to repeat the cross-validation."
        )
    tasks = []
    for fold in range(int(folds.max()) + 1):
        test = np.flatnonzero(folds == fold)
        train = np.flatnonzero(folds != fold)
        # cv_average uses the held-out fold only
        evaluate = {"test": test}
        if method == "cv_optimism":
            evaluate["training"] = train
        tasks.append((train, evaluate))
    return tasks


def _whole_cohort_fit(estimator, X, y_fit, horizon, n):
    """The model fitted on all the data, its fit issues and its predicted risk."""
    with warnings.catch_warnings(record=True) as apparent_caught:
        warnings.simplefilter("always")  # recorded, not shown: the replicates warn again
        fitted = clone(estimator).fit(X, y_fit)
    apparent_issues = tuple(
        count_fit_issues(
            [fit_issue_records(fitted, [(r.category, str(r.message)) for r in apparent_caught])]
        )
    )
    return fitted, apparent_issues, _predict(fitted, X, horizon, n)


def _apparent_values(outcome, risk, metrics, horizon, params, method, function) -> dict:
    """The apparent performance; refused where no metric is defined, warned per metric
    that is not."""
    undefined: dict = {}
    apparent = _metric_values(
        outcome, risk, metrics, horizon, params, strict=False, reasons=undefined
    )
    if len(undefined) == len(metrics):
        raise ValueError(
            f"{function}: no metric is defined for the model fitted on all the data: "
            + "; ".join(f"{metric}: {reason}" for metric, reason in undefined.items())
        )
    for metric, reason in undefined.items():
        lost = "its optimism" if method == "cv_average" else "its optimism and corrected value"
        warnings.warn(
            f"{function}: {metric} is undefined for the model fitted on all the data (the "
            f"apparent performance), and so is {lost}. Reason: {reason}",
            UserWarning,
            stacklevel=4,
        )
    return apparent


def _collect(results, metrics, method, shape, update, close):
    """The replicates' table, their predictions (an array of ``shape``, or None), the
    warnings recorded, the undefined metrics and the first failed fit's error."""
    predictions = None if shape is None else np.full(shape, np.nan)
    records: Counter = Counter()
    undefined: dict = {}  # (metric, column) -> [count, first reason]
    rows, first_error = [], None
    try:
        for b, ((risk, values, caught, error, reasons), _, on_thread) in enumerate(results):
            first_error = first_error or error
            records.update(set(caught) | set(on_thread))
            for key, message in reasons.items():
                undefined.setdefault(key, [0, message])[0] += 1
            if predictions is not None and risk is not None:
                predictions[b] = risk
            rows += [
                {
                    "replicate": b,
                    "metric": metric.name,
                    "training": values.get("training", {}).get(metric.name, np.nan),
                    "test": values.get("test", {}).get(metric.name, np.nan),
                    "evaluated_on": _EVALUATED_ON[method],
                }
                for metric in metrics
            ]
            update(b + 1)
    finally:
        results.close()
        close()
    replicates = pd.DataFrame(
        rows, columns=["replicate", "metric", "training", "test", "evaluated_on"]
    )
    return replicates, predictions, records, undefined, first_error


def _corrected(metric, method, apparent, valid, no_information) -> tuple[float, dict]:
    """The corrected value of one metric, and the .632+ columns."""
    if valid.shape[0] == 0:  # warned above; NaN rather than losing the other metrics
        extra = {}
        if method == "632+":
            extra = {"no_information": np.nan, "overfitting_rate": np.nan, "weight": np.nan}
        return np.nan, extra
    mean = float(valid.mean())
    if method in ("bootstrap", "cv_optimism"):
        return apparent - mean, {}
    if method == "cv_average":
        return mean, {}
    if method == "632":
        return 0.368 * apparent + 0.632 * mean, {}
    gamma = no_information()
    if np.isfinite(gamma):
        corrected, rate, weight = _632_plus(metric, apparent, mean, gamma)
    else:
        corrected, rate, weight = 0.368 * apparent + 0.632 * mean, 0.0, 0.632
    return corrected, {"no_information": gamma, "overfitting_rate": rate, "weight": weight}


def _summary(replicates, metrics, apparent, method, name, total, data) -> pd.DataFrame:
    """One row per metric: apparent, optimism and corrected values (``data``: the
    outcome, the apparent risk, the horizon and the metrics' parameters)."""
    outcome, apparent_risk, horizon, params = data
    summary = []
    for metric in metrics:
        table = replicates[replicates["metric"] == metric.name]
        if method in ("bootstrap", "cv_optimism"):
            values = (table["training"] - table["test"]).to_numpy()
        else:
            values = table["test"].to_numpy()
        valid = values[np.isfinite(values)]
        app = apparent[metric.name]
        corrected, extra = _corrected(
            metric,
            method,
            app,
            valid,
            lambda metric=metric: _no_information(metric, outcome, apparent_risk, horizon, params),
        )
        summary.append(
            {
                "model": name,
                "metric": metric.name,
                "apparent": app,
                **extra,
                "optimism": app - corrected,
                "corrected": corrected,
                "method": _LABELS[method],
                "n_boot": total,
                "n_degenerate": int(total - valid.shape[0]),
            }
        )
    columns = ["model", "metric", "apparent", "optimism", "corrected", "method"]
    columns += ["n_boot", "n_degenerate"]
    if method == "632+":
        columns += ["no_information", "overfitting_rate", "weight"]
    return pd.DataFrame(summary, columns=columns)
