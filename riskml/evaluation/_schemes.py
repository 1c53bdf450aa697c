"""Validation schemes beyond k-fold: the optimism bootstrap, external cohorts, subgroups.

- :func:`optimism_bootstrap`: Harrell's optimism-corrected bootstrap, refitting the
  *whole* pipeline (imputation, selection, resampling, tuning) in every replicate.
- :func:`external_validation`: a model fitted on one cohort, evaluated on another.
- :func:`subgroup_performance`: discrimination within subgroups, with intervals.
"""

from __future__ import annotations

import warnings
from collections import Counter

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone

from ..outcome import Outcome, check_outcome
from ._bootstrap import (
    _check_confidence,
    _check_n_boot,
    _check_n_jobs,
    _check_option,
    _check_random_state,
    bootstrap_ci,
    concordance_index_ci,
    roc_auc_ci,
)
from ._discrimination import _check_score, concordance_index, roc_auc
from ._results import MetricTable
from ._validation import _check_estimator, _num_rows, _progress_callback, _take_rows

__all__ = ["OptimismResult", "external_validation", "optimism_bootstrap", "subgroup_performance"]

_METRICS = ("c", "slope", "intercept", "brier")


# -- the metrics ----------------------------------------------------------------------
def _default_metrics(outcome: Outcome, horizon) -> tuple[str, ...]:
    if outcome.is_survival and horizon is None:
        return ("c",)
    return _METRICS


def _check_metrics(metrics, outcome: Outcome, horizon, function: str) -> tuple[str, ...]:
    if metrics is None:
        return _default_metrics(outcome, horizon)
    if isinstance(metrics, str):
        metrics = (metrics,)
    metrics = tuple(metrics)
    if not metrics:
        raise ValueError(f"metrics of {function} must name at least one of {list(_METRICS)}.")
    for metric in metrics:
        _check_option(metric, "metrics", _METRICS, function)
    needs_probability = [m for m in metrics if m != "c"]
    if outcome.is_survival and horizon is None and needs_probability:
        raise ValueError(
            f"{function}: {needs_probability} compare predicted probabilities with the "
            "outcome by a horizon, but the outcome is time-to-event and horizon is None. "
            "Pass horizon=days (predict_risk then returns the risk by that horizon) or "
            "metrics=('c',)."
        )
    return metrics


def _metric_value(outcome: Outcome, risk: np.ndarray, metric: str, horizon) -> float:
    """One metric of ``risk`` against ``outcome``; raises ValueError where undefined.

    ``"c"``: the AUC (binary) or Harrell's C (time-to-event). ``"slope"``,
    ``"intercept"`` (calibration-in-the-large, slope fixed at 1) and ``"brier"``:
    on the binary outcome, or the label "event by the horizon" over the patients
    whose label is known.
    """
    if metric == "c":
        if outcome.is_survival:
            return concordance_index(outcome.time, outcome.event, risk)
        return roc_auc(outcome.event, risk)
    from ._calibration import calibration_in_the_large, calibration_slope
    from ._utility import brier_score

    if outcome.is_survival:
        label = outcome.at_horizon(horizon)
        known = ~np.isnan(label)
        label, risk = label[known].astype(int), risk[known]
    else:
        label = outcome.event.astype(int)
    if metric == "slope":
        return calibration_slope(label, risk)
    if metric == "intercept":
        return calibration_in_the_large(label, risk)
    return brier_score(label, risk)


def _metric_values(outcome, risk, metrics, horizon, *, strict: bool) -> dict:
    values = {}
    for metric in metrics:
        try:
            values[metric] = float(_metric_value(outcome, risk, metric, horizon))
        except ValueError:
            if strict:
                raise
            values[metric] = np.nan
    return values


def _predict(fitted, X, horizon, n: int) -> np.ndarray:
    risk = np.asarray(fitted.predict_risk(X, horizon=horizon), dtype=float)
    if risk.shape != (n,):
        raise ValueError(
            f"{type(fitted).__name__}.predict_risk must return one risk per row, shape "
            f"({n},); got shape {risk.shape}."
        )
    return risk


# -- optimism bootstrap ---------------------------------------------------------------
class OptimismResult(MetricTable):
    """The result of :func:`optimism_bootstrap`.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per metric: ``model``, ``metric``, ``apparent``, ``optimism``,
        ``corrected``, ``n_boot``, ``n_degenerate``, ``method``.
    replicates : pandas.DataFrame
        One row per replicate and metric: ``replicate``, ``metric``, ``training``
        (the refitted model on its bootstrap sample), ``test`` (the same model on
        the original data) and ``optimism`` (training - test).
    """

    def __init__(self, summary: pd.DataFrame, replicates: pd.DataFrame, title: str = ""):
        super().__init__(summary, title=title)
        self.replicates = replicates


def _optimism_replicate(estimator, X, y_fit, outcome, rows, horizon, metrics):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        n = outcome.event.shape[0]
        try:
            fitted = estimator.fit(_take_rows(X, rows), y_fit[rows])
        except ValueError as error:  # e.g. a resample with one class
            nan = dict.fromkeys(metrics, np.nan)
            return nan, nan, [], str(error)
        sample = outcome[rows]
        training = _metric_values(
            sample,
            _predict(fitted, _take_rows(X, rows), horizon, n),
            metrics,
            horizon,
            strict=False,
        )
        test = _metric_values(
            outcome, _predict(fitted, X, horizon, n), metrics, horizon, strict=False
        )
    return training, test, [(r.category, str(r.message)) for r in caught], None


def _reissue(records: Counter, n_boot: int) -> None:
    for (category, message), count in records.items():
        warnings.warn(f"{message} (in {count} of {n_boot} replicates)", category, stacklevel=3)


def optimism_bootstrap(
    estimator,
    X,
    y,
    *,
    n_boot: int = 200,
    metrics=None,
    horizon=None,
    random_state=None,
    n_jobs=None,
    progress=False,
) -> OptimismResult:
    """Harrell's optimism-corrected bootstrap of a whole modelling pipeline.

    Parameters
    ----------
    estimator : estimator with ``fit(X, y)`` and ``predict_risk(X, horizon=None)``
        The *whole* pipeline (imputation, selection, resampling, tuning, model):
        it is cloned and refitted in every replicate, so the optimism includes that
        of every data-driven step.
    X : pandas.DataFrame or array-like of shape (n_samples, n_features)
    y : array-like of 0/1, structured ``(event, time)`` array, or Outcome
    n_boot : int, default=200
        Bootstrap replicates (refits).
    metrics : sequence of {"c", "slope", "intercept", "brier"}, default=None
        ``"c"``: AUC (binary) or Harrell's C (time-to-event); ``"slope"``:
        calibration slope; ``"intercept"``: calibration-in-the-large (slope fixed at
        1); ``"brier"``: Brier score. The last three need probabilities: a binary
        outcome, or a time-to-event outcome with ``horizon``. None: all four, or
        ``("c",)`` for a time-to-event outcome without a horizon.
    horizon : float, default=None
        Passed to ``predict_risk(X, horizon=horizon)``; with a time-to-event outcome
        the calibration metrics use the label "event by the horizon" over the
        patients whose label is known.
    random_state : int, numpy.random.Generator or None, default=None
        Seed of the resamples. The estimator keeps its own ``random_state``.
    n_jobs : int or None, default=None
        Replicates run in parallel with joblib (processes); the result does not
        depend on ``n_jobs``.
    progress : bool or callable, default=False
        True shows a tqdm bar; a callable is called as ``progress(done, n_boot)``.

    Returns
    -------
    OptimismResult
        ``summary`` with the apparent, optimism and optimism-corrected value of each
        metric; ``replicates`` with every replicate's training and test values.

    Notes
    -----
    The estimator is fitted on all the data and evaluated on it (apparent
    performance). In each replicate a clone is fitted on a bootstrap sample (rows
    drawn with replacement, ``rng.integers(0, n, n)``) and evaluated on that sample
    and on the original data; the optimism is the mean of the differences and the
    corrected value is apparent - optimism. A replicate whose fit raises
    ``ValueError`` (e.g. a resample with one class) or whose metric is undefined is
    degenerate for that metric, counted in ``n_degenerate`` and left out of the
    mean. Time-to-event calibration at a horizon uses the patients whose status at
    the horizon is known, without censoring weights.

    References
    ----------
    .. [1] Harrell FE, Lee KL, Mark DB. Multivariable prognostic models: issues in
       developing models, evaluating assumptions and adequacy, and measuring and
       reducing errors. Stat Med 1996;15:361-387.
    .. [2] Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019.
       Chapter 17.
    .. [3] Efron B, Tibshirani RJ. An Introduction to the Bootstrap. 1993. Ch. 17.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.base import BaseEstimator
    >>> from riskml.evaluation import optimism_bootstrap
    >>> class FirstColumn(BaseEstimator):  # a toy model without parameters
    ...     def fit(self, X, y):
    ...         return self
    ...     def predict_risk(self, X, horizon=None):
    ...         return np.asarray(X)[:, 0]
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"p": rng.uniform(0.05, 0.95, 60)})
    >>> y = (rng.random(60) < X["p"]).astype(int)
    >>> result = optimism_bootstrap(FirstColumn(), X, y, n_boot=20, metrics=["c"],
    ...                             random_state=0)
    >>> float(result.summary.loc[0, "optimism"]) > -0.1
    True
    """
    function = "optimism_bootstrap"
    _check_estimator(estimator, function)
    n_boot = _check_n_boot(n_boot, function)
    rng = _check_random_state(random_state, function)
    n_jobs = _check_n_jobs(n_jobs, function)
    outcome = check_outcome(y)
    n = _num_rows(X)
    if len(outcome) != n:
        raise ValueError(
            f"X and y of {function} must have one row per patient; got {n} rows in X and "
            f"{len(outcome)} outcomes in y."
        )
    metrics = _check_metrics(metrics, outcome, horizon, function)
    y_fit = outcome.to_y()
    update, close = _progress_callback(
        progress, n_boot, function, desc="optimism bootstrap", unit="replicate"
    )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the apparent fit warns again in the replicates
        fitted = clone(estimator).fit(X, y_fit)
    apparent = _metric_values(
        outcome, _predict(fitted, X, horizon, n), metrics, horizon, strict=True
    )

    def draws():
        for _ in range(n_boot):
            yield rng.integers(0, n, size=n)

    results = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_optimism_replicate)(clone(estimator), X, y_fit, outcome, rows, horizon, metrics)
        for rows in draws()
    )
    records: Counter = Counter()
    rows, first_error = [], None
    try:
        for b, (training, test, caught, error) in enumerate(results):
            first_error = first_error or error
            records.update(set(caught))
            for metric in metrics:
                rows.append(
                    {
                        "replicate": b,
                        "metric": metric,
                        "training": training[metric],
                        "test": test[metric],
                        "optimism": training[metric] - test[metric],
                    }
                )
            update(b + 1)
    finally:
        close()
    _reissue(records, n_boot)
    replicates = pd.DataFrame(rows, columns=["replicate", "metric", "training", "test", "optimism"])
    summary = []
    model = type(estimator).__name__
    for metric in metrics:
        values = replicates.loc[replicates["metric"] == metric, "optimism"].to_numpy()
        valid = values[np.isfinite(values)]
        if valid.shape[0] == 0:
            reason = f" The first failed fit said: {first_error}" if first_error else ""
            raise ValueError(
                f"{function}: metric {metric!r} was undefined in all {n_boot} replicates, so "
                f"no optimism can be estimated.{reason}"
            )
        optimism = float(valid.mean())
        summary.append(
            {
                "model": model,
                "metric": metric,
                "apparent": apparent[metric],
                "optimism": optimism,
                "corrected": apparent[metric] - optimism,
                "n_boot": n_boot,
                "n_degenerate": int(n_boot - valid.shape[0]),
                "method": "optimism-corrected bootstrap (Harrell)",
            }
        )
    return OptimismResult(pd.DataFrame(summary), replicates)


# -- external validation --------------------------------------------------------------
def external_validation(
    estimator,
    X,
    y,
    *,
    horizon=None,
    metrics=None,
    n_boot: int = 2000,
    confidence: float = 0.95,
    random_state=None,
    name=None,
) -> MetricTable:
    """Performance of an already fitted model on an external cohort, with intervals.

    Parameters
    ----------
    estimator : fitted estimator with ``predict_risk(X, horizon=None)``
        Fitted on the development cohort; it is not refitted.
    X : pandas.DataFrame or array-like of shape (n_samples, n_features)
        The external cohort's predictors (the same columns as in development).
    y : array-like of 0/1, structured ``(event, time)`` array, or Outcome
    horizon : float, default=None
        Passed to ``predict_risk``; needed for calibration with a time-to-event y.
    metrics : sequence of {"c", "slope", "intercept", "brier"}, default=None
        As in :func:`optimism_bootstrap`.
    n_boot : int, default=2000
    confidence : float, default=0.95
    random_state : int, numpy.random.Generator or None, default=None
    name : str, default=None
        The model name in the table; None: the estimator's class name.

    Returns
    -------
    MetricTable
        ``summary`` columns ``model``, ``metric``, ``estimate``, ``low``, ``high``,
        ``method``, ``n``, ``events``, ``n_boot``, ``n_degenerate``.

    Notes
    -----
    The C-statistic's interval comes from :func:`roc_auc_ci` (class-stratified) or
    :func:`concordance_index_ci`; the calibration slope, intercept and Brier score
    from :func:`bootstrap_ci` (class-stratified for a binary outcome), all
    percentile intervals with the same seed.

    References
    ----------
    .. [1] Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019.
       Chapters 17 and 19.
    .. [2] Riley RD, Archer L, Snell KIE, et al. Evaluation of clinical prediction
       models (part 2): how to undertake an external validation study. BMJ
       2024;384:e074820.
    """
    function = "external_validation"
    if not callable(getattr(estimator, "predict_risk", None)):
        raise TypeError(
            f"{function} needs a fitted estimator with predict_risk(X, horizon=None); got "
            f"{type(estimator).__name__}."
        )
    n_boot = _check_n_boot(n_boot, function)
    confidence = _check_confidence(confidence, function)
    _check_random_state(random_state, function)
    outcome = check_outcome(y)
    n = _num_rows(X)
    if len(outcome) != n:
        raise ValueError(
            f"X and y of {function} must have one row per patient; got {n} rows in X and "
            f"{len(outcome)} outcomes in y."
        )
    metrics = _check_metrics(metrics, outcome, horizon, function)
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    try:
        if callable(getattr(estimator, "fit", None)):
            check_is_fitted(estimator)
        risk = _predict(estimator, X, horizon, n)
    except NotFittedError as error:
        raise ValueError(
            f"{function} needs an estimator already fitted on the development cohort; "
            f"{type(estimator).__name__} is not fitted. Fit it first: "
            "estimator.fit(X_development, y_development)."
        ) from error
    risk = _check_score(risk, "predict_risk output", function)
    name = type(estimator).__name__ if name is None else name

    def seed():
        if isinstance(random_state, np.random.Generator):
            return random_state
        return np.random.default_rng(random_state)

    rows = []
    for metric in metrics:
        if metric == "c" and outcome.is_survival:
            ci = concordance_index_ci(
                outcome.time,
                outcome.event,
                risk,
                n_boot=n_boot,
                confidence=confidence,
                random_state=seed(),
            )
        elif metric == "c":
            ci = roc_auc_ci(
                outcome.event, risk, n_boot=n_boot, confidence=confidence, random_state=seed()
            )
        else:
            if outcome.is_survival:
                label = outcome.at_horizon(horizon)
                known = ~np.isnan(label)
                sub_outcome, sub_risk = Outcome.binary(label[known].astype(int)), risk[known]
            else:
                sub_outcome, sub_risk = outcome, risk
            event = sub_outcome.event.astype(int)
            ci = bootstrap_ci(
                lambda e, r, _m=metric: _metric_value(Outcome.binary(e), r, _m, None),
                event,
                sub_risk,
                n_boot=n_boot,
                confidence=confidence,
                stratify=event,
                random_state=seed(),
            )
        rows.append(
            {
                "model": name,
                "metric": metric,
                "estimate": ci.estimate,
                "low": ci.low,
                "high": ci.high,
                "method": f"external validation, {ci.method}",
                "n": n,
                "events": int(outcome.event.sum()),
                "n_boot": ci.n_boot,
                "n_degenerate": ci.n_degenerate,
            }
        )
    return MetricTable(pd.DataFrame(rows))


# -- subgroups ------------------------------------------------------------------------
def subgroup_performance(
    y,
    risk,
    groups,
    *,
    n_boot: int = 2000,
    confidence: float = 0.95,
    ci_type: str = "percentile",
    random_state=None,
    n_jobs=None,
) -> MetricTable:
    """The C-statistic overall and within each subgroup, with bootstrap intervals.

    Parameters
    ----------
    y : array-like of 0/1, structured ``(event, time)`` array, or Outcome
    risk : array-like of shape (n_samples,)
        Predicted risk, higher = higher risk (e.g. out-of-fold predictions).
    groups : array-like of shape (n_samples,)
        The subgroup of each patient (e.g. sex, age band, site). Missing labels
        (None/NaN) are left out of the subgroup rows but kept in "all".
    n_boot : int, default=2000
    confidence : float, default=0.95
    ci_type : {"percentile", "bca"}, default="percentile"
    random_state : int, numpy.random.Generator or None, default=None
        Each subgroup is resampled with a generator seeded by this value.
    n_jobs : int or None, default=None
        Threads over chunks of replicates.

    Returns
    -------
    MetricTable
        ``summary`` columns ``subgroup``, ``metric`` (``"auc"`` or
        ``"harrell_c"``), ``estimate``, ``low``, ``high``, ``method``, ``n``,
        ``events``, ``n_degenerate``, ``note``. The first row is ``"all"``. A
        subgroup where the C-statistic is undefined (one class, no comparable pair)
        has NaN values and says why in ``note``.

    References
    ----------
    .. [1] Riley RD, Collins GS, et al. Evaluation of clinical prediction models
       (part 1): from development to external validation. BMJ 2024;384:e074819.

    Examples
    --------
    >>> from riskml.evaluation import subgroup_performance
    >>> y = [0, 1, 0, 1, 0, 1, 0, 1]
    >>> risk = [0.1, 0.9, 0.2, 0.7, 0.6, 0.4, 0.3, 0.8]
    >>> table = subgroup_performance(y, risk, ["f", "f", "f", "f", "m", "m", "m", "m"],
    ...                              n_boot=100, random_state=0)
    >>> table.summary["subgroup"].tolist(), table.summary["estimate"].tolist()
    (['all', 'f', 'm'], [0.9375, 1.0, 0.75])
    """
    function = "subgroup_performance"
    outcome = check_outcome(y)
    risk = _check_score(risk, "risk", function)
    groups = np.asarray(groups, dtype=object)
    if risk.shape[0] != len(outcome) or groups.shape != (len(outcome),):
        raise ValueError(
            f"y, risk and groups of {function} must hold one value per patient; got "
            f"{len(outcome)}, {risk.shape[0]} and {groups.shape[0] if groups.ndim else 0}."
        )
    n_boot = _check_n_boot(n_boot, function)
    confidence = _check_confidence(confidence, function)
    _check_option(ci_type, "ci_type", ("percentile", "bca"), function)
    _check_random_state(random_state, function)
    n_jobs = _check_n_jobs(n_jobs, function)
    missing = np.array([value is None or value != value for value in groups])
    labels = sorted({value for value in groups[~missing]}, key=str)
    metric = "harrell_c" if outcome.is_survival else "auc"
    rows = []
    for label in ["all", *labels]:
        mask = np.ones(len(outcome), dtype=bool) if label == "all" else (groups == label) & ~missing
        sub = outcome[mask]
        seed = (
            random_state
            if isinstance(random_state, np.random.Generator)
            else np.random.default_rng(random_state)
        )
        row = {
            "subgroup": label,
            "metric": metric,
            "n": int(mask.sum()),
            "events": int(sub.event.sum()),
        }
        try:
            if outcome.is_survival:
                ci = concordance_index_ci(
                    sub.time,
                    sub.event,
                    risk[mask],
                    n_boot=n_boot,
                    confidence=confidence,
                    ci_type=ci_type,
                    random_state=seed,
                    n_jobs=n_jobs,
                )
            else:
                ci = roc_auc_ci(
                    sub.event,
                    risk[mask],
                    n_boot=n_boot,
                    confidence=confidence,
                    ci_type=ci_type,
                    random_state=seed,
                    n_jobs=n_jobs,
                )
        except ValueError as error:
            if label == "all":
                raise
            row.update(
                estimate=np.nan,
                low=np.nan,
                high=np.nan,
                method="",
                n_degenerate=0,
                note=f"undefined: {error}",
            )
        else:
            row.update(
                estimate=ci.estimate,
                low=ci.low,
                high=ci.high,
                method=ci.method,
                n_degenerate=ci.n_degenerate,
                note="",
            )
        rows.append(row)
    columns = [
        "subgroup",
        "metric",
        "estimate",
        "low",
        "high",
        "method",
        "n",
        "events",
        "n_degenerate",
        "note",
    ]
    return MetricTable(pd.DataFrame(rows, columns=columns))
