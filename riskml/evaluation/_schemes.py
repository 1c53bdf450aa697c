"""Validation schemes beyond k-fold: the optimism bootstrap, external cohorts, subgroups.

- :func:`optimism_bootstrap`: Harrell's optimism-corrected bootstrap, refitting the
  *whole* pipeline (imputation, selection, resampling, tuning) in every replicate.
- :func:`external_validation`: a model fitted on one cohort, evaluated on another.
- :func:`subgroup_performance` (in ``_subgroups``): every metric within subgroups.
"""

from __future__ import annotations

import warnings
from collections import Counter

import numpy as np
import pandas as pd

from ..utils.validation import check_random_state
from ._bootstrap import (
    _check_n_boot,
)
from ._checks import (
    check_confidence_level,
    check_horizon_in_follow_up,
    check_outcome_argument,
)
from ._discrimination import _check_score
from ._metrics import check_metric_params, check_metrics, metric_value
from ._results import MetricTable, evaluate_predictions
from ._subgroups import subgroup_performance
from ._validation import _num_rows

__all__ = [
    "InternalValidation",
    "OptimismBootstrap",
    "OptimismResult",
    "external_validation",
    "optimism_bootstrap",
    "subgroup_performance",
]


_SCHEMES = ("bootstrap", "632", "632+", "cv_optimism", "cv_average")
_BOOTSTRAP_SCHEMES = ("bootstrap", "632", "632+")


class InternalValidation:
    """Internal validation of the whole pipeline as a validation scheme for :class:`Study`.

    Every model is refitted, with every data-driven step (selection, imputation,
    tuning, resampling, recalibration), in each bootstrap replicate or fold, and the
    study reports its apparent, optimism and optimism-corrected performance
    (``StudyResult.optimism``) by :func:`internal_validation`.

    Parameters
    ----------
    method : {"bootstrap", "632", "632+", "cv_optimism", "cv_average"}, default="bootstrap"
        Harrell's optimism-corrected bootstrap, Efron's .632 or .632+ bootstrap,
        cross-validation optimism or cross-validation average (see
        :func:`internal_validation`). The bootstrap schemes also give every model's
        prediction stability (Riley & Collins 2023) from the same replicate models.
    n_boot : int, default=200
        Bootstrap replicates (the bootstrap schemes); at least 10.
    cv : int or cross-validation splitter, default=10
        Folds of the cross-validation schemes (an int k: stratified k-fold, shuffled
        with the study's ``random_state``, grouped by patient where the cohort has a
        group key).

    See Also
    --------
    OptimismBootstrap : the bootstrap schemes under their former name.
    internal_validation : the function run for every model.

    References
    ----------
    .. [1] Steyerberg EW, Harrell FE, Borsboom GJ, et al. Internal validation of
       predictive models: efficiency of some procedures for logistic regression
       analysis. J Clin Epidemiol 2001;54:774-781.

    Examples
    --------
    >>> from riskml.evaluation import InternalValidation
    >>> InternalValidation("cv_optimism", cv=5)
    InternalValidation(method='cv_optimism', cv=5)
    >>> InternalValidation("632+", n_boot=200)
    InternalValidation(method='632+', n_boot=200)
    """

    _methods = _SCHEMES

    def __init__(self, method: str = "bootstrap", *, n_boot: int = 200, cv=10):
        owner = type(self).__name__
        if method not in self._methods:
            raise ValueError(
                f"method of {owner} must be one of {', '.join(map(repr, self._methods))}; "
                f"got {method!r}."
            )
        if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 10:
            raise ValueError(f"n_boot of {owner} must be an int >= 10; got {n_boot!r}.")
        if not (
            (isinstance(cv, int | np.integer) and not isinstance(cv, bool) and cv >= 2)
            or callable(getattr(cv, "split", None))
        ):
            raise ValueError(
                f"cv of {owner} must be an int >= 2 (the number of folds) or a "
                f"cross-validation splitter; got {cv!r}."
            )
        self.method = method
        self.n_boot = int(n_boot)
        self.cv = int(cv) if isinstance(cv, int | np.integer) else cv

    @property
    def bootstrap(self) -> bool:
        """True for the bootstrap schemes, which also give prediction stability."""
        return self.method in _BOOTSTRAP_SCHEMES

    def __repr__(self) -> str:
        size = f"n_boot={self.n_boot}" if self.bootstrap else f"cv={self.cv!r}"
        return f"{type(self).__name__}(method={self.method!r}, {size})"


class OptimismBootstrap(InternalValidation):
    """Bootstrap internal validation as a validation scheme for :class:`Study`.

    The bootstrap cases of :class:`InternalValidation`, kept under this name:
    ``OptimismBootstrap(n_boot, method)`` equals ``InternalValidation(method,
    n_boot=n_boot)``.

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
    InternalValidation : every scheme, the cross-validation ones included.
    internal_validation : the function it runs for every model.

    Examples
    --------
    >>> from riskml.evaluation import OptimismBootstrap
    >>> OptimismBootstrap(n_boot=50)
    OptimismBootstrap(n_boot=50, method='bootstrap')
    """

    _methods = _BOOTSTRAP_SCHEMES

    def __init__(self, n_boot: int = 200, method: str = "bootstrap"):
        super().__init__(method, n_boot=n_boot)

    def __repr__(self) -> str:
        return f"OptimismBootstrap(n_boot={self.n_boot}, method={self.method!r})"


def _metric_values(outcome, risk, metrics, horizon, params, *, strict: bool, reasons=None) -> dict:
    """Registered metrics of one risk vector; NaN where undefined unless ``strict``.

    ``reasons``, a dict, receives the message of each undefined metric by name.
    """
    values = {}
    for metric in metrics:
        try:
            values[metric.name] = metric_value(
                metric, outcome, risk, horizon, **params.get(metric.name, {})
            )
        except ValueError as error:
            if strict:
                raise
            values[metric.name] = np.nan
            if reasons is not None:
                reasons[metric.name] = str(error)
    return values


def _resolve(metrics, outcome, horizon, metric_params, function):
    resolved = check_metrics(metrics, outcome.kind, horizon, function)
    return resolved, check_metric_params(metric_params, resolved, function)


def _predict(fitted, X, horizon, n: int) -> np.ndarray:
    risk = np.asarray(fitted.predict_risk(X, horizon=horizon), dtype=float)
    if risk.shape != (n,):
        raise ValueError(
            f"{type(fitted).__name__}.predict_risk must return one risk per row, shape "
            f"({n},); got shape {risk.shape}."
        )
    return risk


def _external_risk(model, X, horizon, n: int, function: str) -> np.ndarray:
    """A development fit's risk on the external rows, refusing an unfitted model."""
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    try:
        if callable(getattr(model, "fit", None)):
            check_is_fitted(model)
        risk = _predict(model, X, horizon, n)
    except NotFittedError as error:
        raise ValueError(
            f"{function} needs an estimator already fitted on the development cohort; "
            f"{type(model).__name__} is not fitted. Fit it first: "
            "estimator.fit(X_development, y_development)."
        ) from error
    return _check_score(risk, "predict_risk output", function)


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

    Examples
    --------
    >>> import riskml as rk
    >>> from riskml.evaluation import optimism_bootstrap
    >>> cohort = rk.cohorts.load_heart_failure_clinical_records()
    >>> result = optimism_bootstrap(rk.models.make_model("logistic"), cohort.features,
    ...                             cohort.outcome.event, n_boot=10, metrics=["auc"],
    ...                             random_state=0, progress=False)
    >>> result.summary[["metric", "apparent", "optimism", "corrected"]].round(3)
      metric  apparent  optimism  corrected
    0    auc     0.809     0.023      0.785
    >>> result.replicates.shape
    (10, 5)
    """

    def __init__(self, summary: pd.DataFrame, replicates: pd.DataFrame, title: str = ""):
        super().__init__(summary, title=title)
        self.replicates = replicates


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
    progress=True,
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
        None: replicates on threads, one per core, each fit with its share of the
        cores (:func:`riskml.utils.parallel.run_fits`); an int: in parallel through
        joblib's active backend (loky processes, Dask, ...). The result does not
        depend on ``n_jobs``.
    progress : bool or callable, default=True
        True shows a tqdm bar (hundreds of refits take minutes); False is silent;
        a callable is called as ``progress(done, n_boot)``.
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

    This is ``internal_validation(method="bootstrap", keep_predictions=False)``
    (one implementation), with the summary and replicate columns it has always had.

    See Also
    --------
    internal_validation : every scheme, with the replicate models' predictions.

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
    from ._internal import _run

    result = _run(
        "optimism_bootstrap",
        estimator,
        X,
        y,
        method="bootstrap",
        n_boot=n_boot,
        metrics=metrics,
        horizon=horizon,
        random_state=random_state,
        n_jobs=n_jobs,
        progress=progress,
        metric_params=metric_params,
        keep_predictions=False,
    )
    replicates = result.replicates[["replicate", "metric", "training", "test"]].copy()
    replicates["optimism"] = replicates["training"] - replicates["test"]
    columns = ["model", "metric", "apparent", "optimism", "corrected", "n_boot"]
    summary = result.summary[[*columns, "n_degenerate", "method"]].reset_index(drop=True)
    return OptimismResult(summary, replicates)


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
    n_jobs=None,
    stratified: bool = True,
) -> MetricTable:
    """Performance of an already fitted model on an external cohort, with intervals.

    Parameters
    ----------
    estimator : fitted estimator with ``predict_risk(X, horizon=None)``, or a dict
        Fitted on the development cohort; it is not refitted. A dict ``{name: fitted
        model}`` validates several models on the same bootstrap resamples (as
        :class:`riskml.Study` does with ``external=``).
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
        The model name in the table; None: the estimator's class name (ignored for
        a dict, whose keys name the models).
    metric_params : dict, optional
        As in :func:`evaluate_predictions`.
    n_jobs : int or None, default=None
        Threads for the bootstrap intervals, as in :func:`evaluate_predictions`.
    stratified : bool, default=True
        Class-stratified bootstrap for a binary outcome, as in
        :func:`evaluate_predictions`.

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

    Examples
    --------
    >>> import numpy as np
    >>> from riskml.evaluation import external_validation
    >>> from riskml.models import LogisticRisk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> y = (X[:, 0] + rng.normal(size=200) > 1).astype(int)
    >>> model = LogisticRisk().fit(X[:100], y[:100])  # development cohort
    >>> table = external_validation(model, X[100:], y[100:], metrics=["auc"], n_boot=200,
    ...                             random_state=0)
    >>> table.summary[["metric", "estimate", "low", "high"]].round(4)
      metric  estimate     low    high
    0    auc    0.7719  0.6566  0.8873
    """
    function = "external_validation"
    models = dict(estimator) if isinstance(estimator, dict) else {None: estimator}
    for model in models.values():
        if not callable(getattr(model, "predict_risk", None)):
            raise TypeError(
                f"{function} needs a fitted estimator with predict_risk(X, horizon=None); "
                f"got {type(model).__name__}."
            )
    n_boot = _check_n_boot(n_boot, function)
    confidence = check_confidence_level(confidence, function)
    check_random_state(random_state, function)
    outcome = check_outcome_argument(y, function)
    if horizon is not None and outcome.is_survival:
        horizon = check_horizon_in_follow_up(horizon, outcome.time, function)
    n = _num_rows(X)
    if len(outcome) != n:
        raise ValueError(
            f"X and y of {function} must have one row per patient; got {n} rows in X and "
            f"{len(outcome)} outcomes in y."
        )
    predictions = {}
    for key, model in models.items():
        label = key if key is not None else (type(model).__name__ if name is None else name)
        predictions[label] = _external_risk(model, X, horizon, n, function)
    table = evaluate_predictions(
        outcome,
        predictions,
        metrics=metrics,
        horizon=horizon,
        n_boot=n_boot,
        confidence=confidence,
        random_state=random_state,
        metric_params=metric_params,
        n_jobs=n_jobs,
        stratified=stratified,
    ).summary
    table["method"] = "external validation, " + table["method"]
    return MetricTable(table)
