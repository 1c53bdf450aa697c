"""Performance within subgroups: every registered metric, per subgroup, with intervals.

:func:`subgroup_performance` is the one implementation of subgroup performance:
:class:`riskml.Study` calls it with its summary's metrics and interval options, so
a subgroup row of a study equals what a user gets by calling it on the same
out-of-fold predictions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._results import MetricTable, evaluate_predictions

__all__ = ["subgroup_labels", "subgroup_performance"]

_FIRST = ["variable", "subgroup", "model", "metric"]


def _groupings(groups, n: int, function: str) -> dict:
    """``{variable name: labels (object array)}`` from one array or several columns."""
    if isinstance(groups, pd.DataFrame):
        groupings = {str(name): groups[name] for name in groups.columns}
    elif isinstance(groups, dict):
        groupings = {str(name): labels for name, labels in groups.items()}
    elif groups is None or isinstance(groups, str | bytes | set):
        raise TypeError(
            f"groups of {function} must hold the subgroup label of every patient: one "
            "array (e.g. cohort.features['sex']), or a DataFrame or dict of several "
            f"(e.g. cohort.features[['sex', 'age_band']]); got {type(groups).__name__}."
        )
    else:
        name = getattr(groups, "name", None)
        groupings = {str(name) if name is not None else "group": groups}
    if not groupings:
        raise ValueError(f"groups of {function} holds no grouping variable.")
    checked = {}
    for name, labels in groupings.items():
        values = np.asarray(labels, dtype=object)
        if values.shape != (n,):
            raise ValueError(
                f"y, predictions and groups of {function} must hold one value per "
                f"patient; got {n} patients and {values.shape[0] if values.ndim else 0} "
                f"labels in groups[{name!r}]."
            )
        checked[name] = subgroup_labels(values)
    return checked


def subgroup_labels(values) -> pd.Series:
    """The subgroup label of every patient, as text.

    A numeric variable with more than 10 distinct values (e.g. age) is cut at its
    tertiles; integer codes stored as floats (0.0/1.0) read as integers ("0"/"1").
    Missing values stay missing. Applying it twice changes nothing.

    Examples
    --------
    >>> from riskml.evaluation import subgroup_labels
    >>> subgroup_labels([0.0, 1.0, 1.0, None]).tolist()
    ['0', '1', '1', nan]
    >>> subgroup_labels(range(30)).value_counts().tolist()  # tertiles of a numeric variable
    [10, 10, 10]
    """
    labels = pd.Series(np.asarray(values, dtype=object), dtype=object)
    present = labels.notna()
    numeric = pd.to_numeric(labels, errors="coerce")
    if present.any() and numeric[present].notna().all():
        known = numeric[present]
        if known.nunique() > 10:
            edges = np.unique(np.quantile(known, [0, 1 / 3, 2 / 3, 1]))
            cut = pd.cut(known, edges, include_lowest=True).astype(str)
            return cut.reindex(labels.index).astype(object)
        if (known == known.round()).all():
            return known.astype(int).astype(str).reindex(labels.index).astype(object)
    return labels.where(present, None).map(lambda value: value if value is None else str(value))


def _levels(labels: pd.Series) -> list:
    """The distinct labels, missing ones (None/NaN) left out, in their text order."""
    return sorted(labels.dropna().unique(), key=str)


def subgroup_performance(
    y,
    predictions,
    groups,
    *,
    metrics=None,
    horizon=None,
    method: str | None = None,
    n_boot: int = 2000,
    confidence: float = 0.95,
    ci_type: str = "percentile",
    random_state=None,
    n_jobs=None,
    metric_params: dict | None = None,
    stratified: bool = True,
    overall: bool = True,
) -> MetricTable:
    """Performance overall and within each subgroup, with confidence intervals.

    Each subgroup is evaluated by :func:`evaluate_predictions` on its own
    patients, with the same metrics, interval methods and seed as the whole
    cohort, so the rows compare like with like (TRIPOD+AI items 12d and 23b).

    Parameters
    ----------
    y : array-like of 0/1, structured ``(event, time)`` array, or Outcome
    predictions : array-like, dict or pandas.DataFrame
        Predicted risk, higher = higher risk (e.g. out-of-fold predictions): one
        array (a model called ``"model"``), or model name -> predicted risk.
    groups : array-like, pandas.DataFrame or dict
        The subgroup of each patient (e.g. sex, age band, site): one array (its
        ``name`` becomes the ``variable`` column, ``"group"`` without one), or
        several grouping variables as columns of a DataFrame or values of a dict.
        A numeric variable with more than 10 distinct values (e.g. age) is cut at
        its tertiles; integer codes stored as floats read as integers ("0", "1").
        Missing labels (None/NaN) are left out of the subgroup rows but kept in
        ``"all"``.
    metrics, horizon, method, n_boot, confidence, ci_type, random_state, n_jobs, \
metric_params, stratified
        As in :func:`evaluate_predictions`; every subgroup is evaluated with them.
    overall : bool, default=True
        Whether the table starts with the rows of the whole cohort
        (``subgroup == "all"``).

    Returns
    -------
    MetricTable
        ``summary`` with the columns of :func:`evaluate_predictions` preceded by
        ``variable`` and ``subgroup`` (``""`` and ``"all"`` for the whole cohort).
        A subgroup that cannot be evaluated at all (e.g. too small for any metric)
        has one row with its size and the reason in a ``note`` column. A metric undefined within a subgroup (e.g. the AUC
        of a subgroup without events) has NaN values and the reason in ``method``.

    References
    ----------
    .. [1] Riley RD, Collins GS, et al. Evaluation of clinical prediction models
       (part 1): from development to external validation. BMJ 2024;384:e074819.
    .. [2] Collins GS, Moons KGM, Dhiman P, et al. TRIPOD+AI statement. BMJ
       2024;385:e078378.

    Examples
    --------
    >>> from riskml.evaluation import subgroup_performance
    >>> y = [0, 1, 0, 1, 0, 1, 0, 1]
    >>> risk = [0.1, 0.9, 0.2, 0.7, 0.6, 0.4, 0.3, 0.8]
    >>> table = subgroup_performance(y, risk, ["f", "f", "f", "f", "m", "m", "m", "m"],
    ...                              metrics=["auc"])
    >>> table.summary["subgroup"].tolist(), table.summary["estimate"].tolist()
    (['all', 'f', 'm'], [0.9375, 1.0, 0.75])
    """
    from ._checks import check_outcome_argument

    function = "subgroup_performance"
    outcome = check_outcome_argument(y, function)
    if not isinstance(predictions, dict | pd.DataFrame):
        predictions = {"model": predictions}
    groupings = _groupings(groups, len(outcome), function)
    if not isinstance(overall, bool | np.bool_):
        raise TypeError(
            f"The 'overall' parameter of {function} must be True (start with the whole "
            f"cohort's rows) or False. Got {overall!r} instead."
        )
    options = {
        "metrics": metrics,
        "horizon": horizon,
        "method": method,
        "n_boot": n_boot,
        "confidence": confidence,
        "ci_type": ci_type,
        "random_state": random_state,
        "n_jobs": n_jobs,
        "metric_params": metric_params,
        "stratified": stratified,
    }
    frame = predictions if isinstance(predictions, pd.DataFrame) else None
    tables = []
    if overall:
        whole = evaluate_predictions(outcome, predictions, **options).summary
        tables.append(whole.assign(variable="", subgroup="all"))
    for variable, labels in groupings.items():
        for level in _levels(labels):
            rows = np.flatnonzero((labels == level).to_numpy(dtype=bool))
            subset = (
                frame.iloc[rows]
                if frame is not None
                else {name: np.asarray(risk)[..., rows] for name, risk in predictions.items()}
            )
            where = {"variable": variable, "subgroup": level}
            try:
                table = evaluate_predictions(outcome[rows], subset, **options).summary
            except ValueError as error:
                tables.append(pd.DataFrame([{**where, "n": len(rows), "note": str(error)}]))
                continue
            tables.append(table.assign(**where))
    table = pd.concat(tables, ignore_index=True)
    return MetricTable(table[[*_FIRST, *[c for c in table.columns if c not in _FIRST]]])
