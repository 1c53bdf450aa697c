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

from ..outcome import check_outcome
from ._bootstrap import (
    _check_confidence,
    _check_n_boot,
    _check_n_jobs,
    _check_option,
    _check_random_state,
    concordance_index_ci,
    roc_auc_ci,
)
from ._discrimination import _check_score
from ._metrics import check_metrics, metric_value
from ._results import MetricTable, evaluate_predictions
from ._validation import _check_estimator, _num_rows, _progress_callback, _take_rows

__all__ = [
    "OptimismBootstrap",
    "OptimismResult",
    "external_validation",
    "optimism_bootstrap",
    "subgroup_performance",
]


class OptimismBootstrap:
    """Bootstrap internal validation as a validation scheme for :class:`Study`.

    Parameters
    ----------
    n_boot : int, default=200
        Bootstrap replicates; the whole pipeline is refitted in each.
    method : {"bootstrap", "632", "632+"}, default="bootstrap"
        Harrell's optimism-corrected bootstrap, Efron's .632 or .632+ estimator
        (see :func:`internal_validation`). The replicate models' predictions also
        give the prediction stability of every model (Riley & Collins 2023).

    See Also
    --------
    internal_validation : the function it runs for every model.
    """

    def __init__(self, n_boot: int = 200, method: str = "bootstrap"):
        if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 10:
            raise ValueError(f"n_boot of OptimismBootstrap must be an int >= 10; got {n_boot!r}.")
        if method not in ("bootstrap", "632", "632+"):
            raise ValueError(
                f"method of OptimismBootstrap must be 'bootstrap', '632' or '632+'; got {method!r}."
            )
        self.n_boot = int(n_boot)
        self.method = method

    def __repr__(self) -> str:
        return f"OptimismBootstrap(n_boot={self.n_boot}, method={self.method!r})"


def _metric_values(outcome, risk, metrics, horizon, params, *, strict: bool) -> dict:
    """Registered metrics of one risk vector; NaN where undefined unless ``strict``."""
    values = {}
    for metric in metrics:
        try:
            values[metric.name] = metric_value(
                metric, outcome, risk, horizon, **params.get(metric.name, {})
            )
        except ValueError:
            if strict:
                raise
            values[metric.name] = np.nan
    return values


def _resolve(metrics, outcome, horizon, metric_params, function):
    resolved = check_metrics(metrics, outcome.kind, horizon, function)
    params = dict(metric_params or {})
    if any(m.name == "net_benefit" for m in resolved) and "threshold" not in params.get(
        "net_benefit", {}
    ):
        raise ValueError(
            f"{function}: 'net_benefit' is evaluated at a risk threshold; pass "
            "metric_params={'net_benefit': {'threshold': 0.1}}."
        )
    return resolved, params


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


def _optimism_replicate(estimator, X, y_fit, outcome, rows, horizon, metrics, params):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        n = outcome.event.shape[0]
        try:
            fitted = estimator.fit(_take_rows(X, rows), y_fit[rows])
        except ValueError as error:  # e.g. a resample with one class
            nan = dict.fromkeys([m.name for m in metrics], np.nan)
            return nan, nan, [], str(error)
        sample = outcome[rows]
        training = _metric_values(
            sample,
            _predict(fitted, _take_rows(X, rows), horizon, n),
            metrics,
            horizon,
            params,
            strict=False,
        )
        test = _metric_values(
            outcome, _predict(fitted, X, horizon, n), metrics, horizon, params, strict=False
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
    metric_params: dict | None = None,
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
    metrics : sequence of str, default=None
        Registered metric names (:func:`get_metric_names`); None: the defaults of
        :func:`default_metrics`.
    horizon : float, default=None
        Passed to ``predict_risk(X, horizon=horizon)``, and the horizon of the
        time-to-event metrics evaluated at one (censoring handled as in the
        registry).
    random_state : int, numpy.random.Generator or None, default=None
        Seed of the resamples. The estimator keeps its own ``random_state``.
    n_jobs : int or None, default=None
        Replicates run in parallel with joblib (processes); the result does not
        depend on ``n_jobs``.
    progress : bool or callable, default=False
        True shows a tqdm bar; a callable is called as ``progress(done, n_boot)``.
    metric_params : dict, optional
        Parameters of individual metrics, e.g. ``{"net_benefit": {"threshold": 0.1}}``.

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
    mean.

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
    >>> result = optimism_bootstrap(FirstColumn(), X, y, n_boot=20, metrics=["auc"],
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
    metrics, params = _resolve(metrics, outcome, horizon, metric_params, function)
    y_fit = outcome.to_y()
    update, close = _progress_callback(
        progress, n_boot, function, desc="optimism bootstrap", unit="replicate"
    )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the apparent fit warns again in the replicates
        fitted = clone(estimator).fit(X, y_fit)
    apparent = _metric_values(
        outcome, _predict(fitted, X, horizon, n), metrics, horizon, params, strict=True
    )

    def draws():
        for _ in range(n_boot):
            yield rng.integers(0, n, size=n)

    results = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_optimism_replicate)(
            clone(estimator), X, y_fit, outcome, rows, horizon, metrics, params
        )
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
                        "metric": metric.name,
                        "training": training[metric.name],
                        "test": test[metric.name],
                        "optimism": training[metric.name] - test[metric.name],
                    }
                )
            update(b + 1)
    finally:
        close()
    _reissue(records, n_boot)
    replicates = pd.DataFrame(rows, columns=["replicate", "metric", "training", "test", "optimism"])
    summary = []
    model = type(estimator).__name__
    for metric in (m.name for m in metrics):
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
    metric_params: dict | None = None,
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
    metrics : sequence of str, default=None
        Registered metric names, as in :func:`evaluate_predictions`.
    n_boot : int, default=2000
    confidence : float, default=0.95
    random_state : int, numpy.random.Generator or None, default=None
    name : str, default=None
        The model name in the table; None: the estimator's class name.
    metric_params : dict, optional
        As in :func:`evaluate_predictions`.

    Returns
    -------
    MetricTable
        ``summary`` columns ``model``, ``metric``, ``estimate``, ``low``, ``high``,
        ``method``, ``n``, ``events``, ``n_boot``, ``n_degenerate``.

    Notes
    -----
    The metrics and their intervals are those of :func:`evaluate_predictions` on the
    model's predictions for the external cohort.

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

    table = evaluate_predictions(
        outcome,
        {name: risk},
        metrics=metrics,
        horizon=horizon,
        n_boot=n_boot,
        confidence=confidence,
        random_state=random_state,
        metric_params=metric_params,
    ).summary
    table["method"] = "external validation, " + table["method"]
    return MetricTable(table)


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
