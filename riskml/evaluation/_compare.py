"""Paired comparison of models evaluated on the same patients.

- :func:`compare_auc`: the difference of two correlated AUCs, by DeLong's paired
  test (with the covariance term) or a paired, class-stratified bootstrap.
- :func:`compare_concordance`: the difference of two Harrell's C by a paired
  bootstrap.
- :func:`paired_bootstrap`: any metric, any number of models, differences against a
  reference model, every model scored on the *identical* resamples.
"""

from __future__ import annotations

import numbers
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from ..utils.deprecation import renamed_keyword
from ..utils.validation import (
    check_n_jobs,
    check_option,
    check_random_state,
    check_same_length,
)
from ._bootstrap import (
    _AUCReplicates,
    _check_interval_n_boot,
    _check_n_boot,
    _HarrellReplicates,
    _map_chunks,
    _resample_chunks,
)
from ._checks import already_warned, check_confidence_level
from ._delong import _check_delong_sizes, delong_covariance
from ._discrimination import (
    _check_binary_inputs,
    _check_score,
    _check_survival_inputs,
    _warn_constant_score,
    concordance_index,
    roc_auc,
)

__all__ = ["ComparisonResult", "compare_auc", "compare_concordance", "paired_bootstrap"]


@dataclass(frozen=True)
class ComparisonResult:
    """The difference between two models' metric on the same patients.

    Attributes
    ----------
    estimate_a, estimate_b : float
        The metric of each model on the data.
    difference : float
        ``estimate_a - estimate_b``.
    low, high : float
        Confidence interval of the difference.
    statistic : float
        ``difference / standard_error`` (DeLong's Z, or the difference over the
        standard deviation of the bootstrap differences).
    p_value : float
        Two-sided, ``2 * Phi(-|statistic|)``.
    confidence : float
    method : str
    n_boot, n_degenerate : int
        Bootstrap replicates drawn and undefined (0 for DeLong).

    Examples
    --------
    >>> from riskml.evaluation import compare_auc
    >>> y = [0, 0, 0, 1, 1, 1, 0, 1]
    >>> result = compare_auc(y, [0.1, 0.3, 0.2, 0.8, 0.7, 0.4, 0.5, 0.9],
    ...                      [0.2, 0.1, 0.6, 0.5, 0.4, 0.3, 0.7, 0.8])
    >>> result.method, round(result.difference, 4), round(result.p_value, 4)
    ('DeLong paired', 0.3125, 0.1601)
    """

    estimate_a: float
    estimate_b: float
    difference: float
    low: float
    high: float
    statistic: float
    p_value: float
    confidence: float
    method: str
    n_boot: int = 0
    n_degenerate: int = 0

    def __repr__(self) -> str:
        return (
            f"ComparisonResult(difference {self.difference:.4f}, {self.confidence:.0%} CI "
            f"{self.low:.4f} to {self.high:.4f}; Z = {self.statistic:.3f}, p = "
            f"{self.p_value:.4g}; {self.method})"
        )

    def as_dict(self) -> dict:
        """The fields as a plain dict."""
        return asdict(self)


def _normal_test(difference: float, se: float, confidence: float, function: str):
    if not se > 0:
        raise ValueError(
            f"{function}: the difference has zero variance (the two scores order the "
            "patients identically, or one class has a single level), so no test can be "
            "formed. Compare models whose scores differ."
        )
    z = float(ndtri(0.5 + confidence / 2.0))
    statistic = difference / se
    return difference - z * se, difference + z * se, statistic, float(2.0 * ndtr(-abs(statistic)))


def _bootstrap_difference(values_a, values_b, estimates, n_boot, confidence, method, function):
    differences = values_a - values_b
    valid = differences[np.isfinite(differences)]
    if valid.shape[0] < 2:
        raise ValueError(
            f"{function}: {n_boot - valid.shape[0]} of {n_boot} bootstrap replicates were "
            "degenerate (the metric is undefined on the resample for a model), so no "
            "interval can be formed. The data hold too few events to resample."
        )
    alpha = 1.0 - confidence
    low, high = np.quantile(valid, [alpha / 2.0, 1.0 - alpha / 2.0])
    difference = estimates[0] - estimates[1]
    se = float(np.std(valid, ddof=1))
    _, _, statistic, p_value = _normal_test(difference, se, confidence, function)
    return ComparisonResult(
        estimate_a=float(estimates[0]),
        estimate_b=float(estimates[1]),
        difference=float(difference),
        low=float(low),
        high=float(high),
        statistic=float(statistic),
        p_value=p_value,
        confidence=confidence,
        method=method,
        n_boot=n_boot,
        n_degenerate=int(n_boot - valid.shape[0]),
    )


def compare_auc(
    y_true,
    score_a,
    score_b,
    *,
    method: str = "delong",
    confidence: float = 0.95,
    n_boot: int = 2000,
    random_state=None,
    n_jobs=None,
    stratified: bool = True,
) -> ComparisonResult:
    """Paired comparison of two ROC AUCs on the same patients.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        1 (or True) for an event, 0 for none.
    score_a, score_b : array-like of shape (n_samples,)
        The two models' predicted risks, higher = higher risk.
    method : {"delong", "bootstrap"}, default="delong"
        ``"delong"``: DeLong's paired test, ``Z = (AUC_a - AUC_b) / sqrt(var_a + var_b
        - 2 cov_ab)``, O(n log n) (Sun & Xu 2014), as R ``pROC::roc.test(...,
        method="delong", paired=TRUE)``; the interval is the matching Wald interval.
        ``"bootstrap"``: resamples (class-stratified by default) shared by both models; the
        interval is the percentile interval of the differences and Z is the
        difference over their standard deviation, as ``pROC::roc.test(...,
        method="bootstrap")``.
    confidence : float, default=0.95
    n_boot : int, default=2000
        Bootstrap replicates (ignored by DeLong).
    random_state : int, numpy.random.Generator or None, default=None
    n_jobs : int or None, default=None
        Threads over chunks of replicates; the result does not depend on it.
    stratified : bool, default=True
        Bootstrap only: resample within each class (``pROC``'s default,
        ``boot.stratified = TRUE``), or patients as they come with False (resamples
        that lose a class are degenerate and left out).

    Returns
    -------
    ComparisonResult
        ``difference = AUC_a - AUC_b`` with its interval, Z and two-sided p-value.

    References
    ----------
    .. [1] DeLong ER, DeLong DM, Clarke-Pearson DL. Biometrics 1988;44:837-845.
    .. [2] Sun X, Xu W. IEEE Signal Process Lett 2014;21:1389-1393.
    .. [3] Robin X, et al. pROC. BMC Bioinformatics 2011;12:77.

    Examples
    --------
    >>> from riskml.evaluation import compare_auc
    >>> y = [0, 0, 0, 1, 1, 1, 0, 1]
    >>> a = [0.1, 0.3, 0.2, 0.8, 0.7, 0.4, 0.5, 0.9]
    >>> b = [0.2, 0.1, 0.6, 0.5, 0.4, 0.3, 0.7, 0.8]
    >>> round(compare_auc(y, a, b).difference, 4)
    0.3125
    """
    function = "compare_auc"
    method = check_option(method, "method", ("delong", "bootstrap"), function)
    confidence = check_confidence_level(confidence, function)
    n_boot = _check_interval_n_boot(_check_n_boot(n_boot, function), confidence, function)
    rng = check_random_state(random_state, function)
    n_jobs = check_n_jobs(n_jobs, function)
    event, a = _check_binary_inputs(y_true, score_a, function, "score_a")
    b = _check_score(score_b, "score_b", function)
    check_same_length(function, y_true=event, score_a=a, score_b=b)
    _warn_constant_score(b, "score_b", function)
    with already_warned():
        estimates = (roc_auc(event, a), roc_auc(event, b))
    if method == "delong":
        _check_delong_sizes(event, function)
        _, cov = delong_covariance(event, np.vstack([a, b]))
        se = float(np.sqrt(max(cov[0, 0] + cov[1, 1] - 2.0 * cov[0, 1], 0.0)))
        difference = estimates[0] - estimates[1]
        low, high, statistic, p_value = _normal_test(difference, se, confidence, function)
        return ComparisonResult(
            estimate_a=estimates[0],
            estimate_b=estimates[1],
            difference=difference,
            low=low,
            high=high,
            statistic=statistic,
            p_value=p_value,
            confidence=confidence,
            method="DeLong paired",
        )
    kernels = (_AUCReplicates(event, a), _AUCReplicates(event, b))
    values = _map_chunks(
        lambda chunk: np.column_stack([kernel(chunk) for kernel in kernels]),
        _resample_chunks(event.shape[0], n_boot, rng, event if stratified else None),
        n_jobs,
    )
    return _bootstrap_difference(
        values[:, 0],
        values[:, 1],
        estimates,
        n_boot,
        confidence,
        "paired bootstrap" + (", stratified by class" if stratified else ""),
        function,
    )


def compare_concordance(
    time,
    event,
    risk_a,
    risk_b,
    *,
    n_boot: int = 2000,
    confidence: float = 0.95,
    random_state=None,
    n_jobs=None,
) -> ComparisonResult:
    """Paired bootstrap comparison of two Harrell's C on the same patients.

    Parameters
    ----------
    time, event : array-like of shape (n_samples,)
        Follow-up in days and the event flag (1 observed, 0 censored).
    risk_a, risk_b : array-like of shape (n_samples,)
        The two models' predicted risks, higher = higher risk = earlier event.
    n_boot : int, default=2000
    confidence : float, default=0.95
    random_state : int, numpy.random.Generator or None, default=None
    n_jobs : int or None, default=None
        Threads over chunks of replicates; the result does not depend on it.

    Returns
    -------
    ComparisonResult
        ``difference = C_a - C_b``; the percentile interval of the replicate
        differences; Z = difference / SD of the differences; two-sided normal p.

    Notes
    -----
    Both models are scored on the identical resamples of whole patients; a
    replicate without a comparable pair is degenerate and left out. Equals
    :func:`paired_bootstrap` with :func:`concordance_index` and the same seed.

    References
    ----------
    .. [1] Harrell FE, Lee KL, Mark DB. Stat Med 1996;15:361-387.
    .. [2] Efron B, Tibshirani RJ. An Introduction to the Bootstrap. 1993.

    Examples
    --------
    >>> from riskml.evaluation import compare_concordance
    >>> result = compare_concordance([5, 10, 15, 20, 25, 30], [1, 1, 0, 1, 0, 1],
    ...                              [0.9, 0.3, 0.5, 0.1, 0.2, 0.0],
    ...                              [0.1, 0.3, 0.5, 0.9, 0.2, 0.0],
    ...                              n_boot=200, random_state=0)
    >>> round(result.difference, 4)
    0.3636
    """
    function = "compare_concordance"
    n_boot = _check_n_boot(n_boot, function)
    confidence = check_confidence_level(confidence, function)
    n_boot = _check_interval_n_boot(n_boot, confidence, function)
    rng = check_random_state(random_state, function)
    n_jobs = check_n_jobs(n_jobs, function)
    time, event, a = _check_survival_inputs(time, event, risk_a, function, "risk_a")
    b = _check_score(risk_b, "risk_b", function)
    check_same_length(function, time=time, risk_a=a, risk_b=b)
    _warn_constant_score(b, "risk_b", function)
    with already_warned():
        estimates = (concordance_index(time, event, a), concordance_index(time, event, b))
    kernels = (_HarrellReplicates(time, event, a), _HarrellReplicates(time, event, b))
    values = _map_chunks(
        lambda chunk: np.column_stack([kernel(chunk) for kernel in kernels]),
        _resample_chunks(time.shape[0], n_boot, rng),
        n_jobs,
    )
    return _bootstrap_difference(
        values[:, 0], values[:, 1], estimates, n_boot, confidence, "paired bootstrap", function
    )


# -- any metric, many models ----------------------------------------------------------
def _check_predictions(predictions, function: str) -> dict:
    if isinstance(predictions, pd.DataFrame):
        predictions = {str(column): predictions[column].to_numpy() for column in predictions}
    if not isinstance(predictions, dict) or len(predictions) < 2:
        raise TypeError(
            f"predictions of {function} must be a dict (model name -> predicted risk) or a "
            f"DataFrame with one column per model, with at least two models; got "
            f"{type(predictions).__name__}"
            + (f" with {len(predictions)} model(s)" if isinstance(predictions, dict) else "")
            + "."
        )
    checked = {
        name: _check_score(values, f"predictions[{name!r}]", function)
        for name, values in predictions.items()
    }
    lengths = {len(values) for values in checked.values()}
    if len(lengths) > 1:
        raise ValueError(
            f"every model in predictions of {function} must score the same patients; got "
            f"lengths {sorted(lengths)}."
        )
    return checked


def _generic_replicates(metric, args, scores: dict, indices: np.ndarray) -> np.ndarray:
    values = np.empty((indices.shape[0], len(scores)))
    for row, rows in enumerate(indices):
        sampled = [arg[rows] for arg in args]
        for column, score in enumerate(scores.values()):
            try:
                values[row, column] = float(metric(*sampled, score[rows]))
            except ValueError:
                values[row, column] = np.nan
    return values


def _check_outcome_arrays(args, n: int, function: str) -> list[np.ndarray]:
    """The outcome arrays passed to the metric before each score, ``n`` values each."""
    if not args:
        raise TypeError(
            f"{function} needs the outcome arrays after predictions, passed to the metric "
            "before each model's score: e.g. paired_bootstrap(roc_auc, predictions, y_true) "
            "or paired_bootstrap(concordance_index, predictions, time, event)."
        )
    for position, arg in enumerate(args):
        if arg is None or isinstance(arg, str | bytes | dict | set | numbers.Number):
            raise TypeError(
                f"the outcome arrays of {function} must be arrays with one value per patient; "
                f"argument {position + 1} after predictions is {type(arg).__name__}."
            )
    args = [np.asarray(arg) for arg in args]
    if any(arg.shape[:1] != (n,) for arg in args):
        raise ValueError(
            f"the outcome arrays of {function} must hold one value per patient ({n}); got "
            f"lengths {[arg.shape[0] if arg.ndim else 0 for arg in args]}."
        )
    return args


def _paired_replicates(metric, args, scores: dict, function: str):
    """``(evaluate, threads)``: every model's metric on each resample of a chunk (one
    column per model), and whether chunks may run on threads.

    The AUC and Harrell's C run on the compiled kernels (thread-safe); any other
    metric is called once per model per replicate, in one thread (it may not be
    thread-safe).
    """
    first = next(iter(scores.values()))
    if metric is roc_auc and len(args) == 1:
        with already_warned():
            event, _ = _check_binary_inputs(args[0], first, function)
        kernels = [_AUCReplicates(event, score) for score in scores.values()]
    elif metric is concordance_index and len(args) == 2:
        with already_warned():
            time, event, _ = _check_survival_inputs(args[0], args[1], first, function)
        kernels = [_HarrellReplicates(time, event, score) for score in scores.values()]
    else:

        def generic(chunk):
            return _generic_replicates(metric, args, scores, chunk)

        return generic, False

    def compiled(chunk):
        return np.column_stack([kernel(chunk) for kernel in kernels])

    return compiled, True


def _difference_rows(values, estimates: dict, reference: str, confidence, metric_name, method):
    """One row of :func:`paired_bootstrap`'s table per model other than ``reference``:
    its difference from the reference, with the percentile interval and normal test of
    the replicate differences (``values``: one row per replicate, one column per model).
    """
    n_boot = values.shape[0]
    alpha = 1.0 - confidence
    names = list(estimates)
    ref = names.index(reference)
    rows = []
    for k, name in enumerate(names):
        if k == ref:
            continue
        differences = values[:, k] - values[:, ref]
        valid = differences[np.isfinite(differences)]
        difference = estimates[name] - estimates[reference]
        if valid.shape[0] >= 2:
            low, high = np.quantile(valid, [alpha / 2.0, 1.0 - alpha / 2.0])
            se = float(np.std(valid, ddof=1))
        else:
            low = high = se = np.nan
        statistic = difference / se if se > 0 else np.nan
        p_value = float(2.0 * ndtr(-abs(statistic))) if se > 0 else np.nan
        rows.append(
            {
                "model": name,
                "reference": reference,
                "metric": metric_name,
                "estimate": estimates[name],
                "reference_estimate": estimates[reference],
                "difference": difference,
                "low": float(low),
                "high": float(high),
                "statistic": float(statistic),
                "p_value": p_value,
                "method": method,
                "n_boot": n_boot,
                "n_degenerate": int(n_boot - valid.shape[0]),
            }
        )
    return rows


def paired_bootstrap(
    metric,
    predictions=None,
    *args,
    reference=None,
    n_boot: int = 2000,
    confidence: float = 0.95,
    stratify=None,
    random_state=None,
    n_jobs=None,
    scores=None,
) -> pd.DataFrame:
    """Differences of any metric against a reference model, on identical resamples.

    Parameters
    ----------
    metric : callable
        ``metric(*args, score) -> float``, e.g. :func:`roc_auc` with
        ``args = (y_true,)`` or :func:`concordance_index` with ``args = (time,
        event)``. These two run on the compiled kernels; any other callable is
        called once per model per replicate.
    predictions : dict or pandas.DataFrame
        Model name -> predicted risk (one column per model), the same patients.
        Required (the default None only makes room for the old keyword).
    *args : array-like, each of length n_samples
        The outcome arrays passed to ``metric`` before the score.
    reference : str, default=None
        The model the others are compared with; None: the first model.
    n_boot : int, default=2000
    confidence : float, default=0.95
    stratify : array-like of length n_samples, default=None
        Resample within these strata (e.g. the class labels for an AUC).
    random_state : int, numpy.random.Generator or None, default=None
    n_jobs : int or None, default=None
        Threads over chunks of replicates (compiled kernels only); the result does
        not depend on it.
    scores : dict or pandas.DataFrame, default=None
        Deprecated old name of ``predictions`` (``FutureWarning``; removed in riskml
        0.2).

    Returns
    -------
    pandas.DataFrame
        One row per model other than the reference, with columns ``model``,
        ``reference``, ``metric``, ``estimate``, ``reference_estimate``,
        ``difference`` (model - reference), ``low``, ``high`` (percentile interval
        of the replicate differences), ``statistic`` (difference / SD of the
        replicate differences), ``p_value`` (two-sided, normal), ``method``,
        ``n_boot``, ``n_degenerate``. ``statistic`` and ``p_value`` are NaN when the
        replicate differences have no spread (e.g. two identical models).

    Notes
    -----
    Every replicate draws one set of patients and scores every model on it, so the
    differences keep the correlation between models (a paired bootstrap). A
    replicate on which the metric is undefined for the model or the reference is
    degenerate for that row and left out. Values are not rounded.

    References
    ----------
    .. [1] Efron B, Tibshirani RJ. An Introduction to the Bootstrap. 1993.
    .. [2] Robin X, et al. pROC. BMC Bioinformatics 2011;12:77 (``roc.test``,
       method "bootstrap").

    Examples
    --------
    >>> from riskml.evaluation import paired_bootstrap, roc_auc
    >>> y = [0, 0, 0, 1, 1, 1, 0, 1]
    >>> predictions = {"cox": [0.2, 0.1, 0.6, 0.5, 0.4, 0.3, 0.7, 0.8],
    ...                "xgboost": [0.1, 0.3, 0.2, 0.8, 0.7, 0.4, 0.5, 0.9]}
    >>> table = paired_bootstrap(roc_auc, predictions, y, n_boot=200, stratify=y,
    ...                          random_state=0)
    >>> table.loc[0, ["model", "reference"]].tolist(), round(float(table.loc[0, "difference"]), 4)
    (['xgboost', 'cox'], 0.3125)
    """
    function = "paired_bootstrap"
    if not callable(metric):
        raise TypeError(
            f"The 'metric' parameter of {function} must be a callable metric(*args, score). "
            f"Got {metric!r} instead. Pass the function itself, e.g. roc_auc (with y_true "
            "after predictions) or concordance_index (with time, event), or "
            "get_metric(name, outcome_kind).function for any registered metric."
        )
    if scores is not None and predictions is not None:
        # the old form paired_bootstrap(metric, *outcome, scores=...): what took the
        # place of predictions is the first outcome array
        args = (predictions, *args)
        predictions = None
    predictions = renamed_keyword(predictions, scores, "predictions", "scores", function, None)
    if predictions is None:
        raise TypeError(
            f"{function} needs predictions: a dict (model name -> predicted risk) or a "
            "DataFrame with one column per model."
        )
    scores = _check_predictions(predictions, function)
    names = list(scores)
    if reference is None:
        reference = names[0]
    if reference not in scores:
        raise ValueError(f"reference={reference!r} of {function} is not one of the models {names}.")
    n_boot = _check_n_boot(n_boot, function)
    confidence = check_confidence_level(confidence, function)
    n_boot = _check_interval_n_boot(n_boot, confidence, function)
    rng = check_random_state(random_state, function)
    n_jobs = check_n_jobs(n_jobs, function)
    n = len(scores[names[0]])
    args = _check_outcome_arrays(args, n, function)
    if stratify is not None and np.asarray(stratify).shape != (n,):
        raise ValueError(
            f"stratify of {function} must hold one label per patient ({n}); got shape "
            f"{np.asarray(stratify).shape}."
        )
    estimates = {name: float(metric(*args, score)) for name, score in scores.items()}
    evaluate, threads = _paired_replicates(metric, args, scores, function)
    chunks = _resample_chunks(n, n_boot, rng, stratify)
    values = _map_chunks(evaluate, chunks, n_jobs if threads else None)
    method = "paired bootstrap" + (", stratified" if stratify is not None else "")
    metric_name = getattr(metric, "__name__", repr(metric))
    rows = _difference_rows(values, estimates, reference, confidence, metric_name, method)
    return pd.DataFrame(rows)
