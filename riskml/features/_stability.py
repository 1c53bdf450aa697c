"""How often a feature selector keeps each feature across resamples of the cohort."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import clone

from ..outcome import check_outcome
from ..utils.parallel import run_fits

__all__ = [
    "SelectionStability",
    "plot_selection_stability",
    "selected_features",
    "selection_stability",
]

_FUNCTION = "selection_stability"


def _selection_step(fitted):
    """The fitted step that selects: the estimator itself or a pipeline's last selector."""
    steps = getattr(fitted, "steps", None)
    if steps is None:
        return fitted
    for _, step in reversed(steps):
        if hasattr(step, "get_support"):
            return step
    raise TypeError(
        f"{_FUNCTION} found no selection step (one with get_support) in the pipeline "
        f"{[n for n, _ in steps]}. Include a selector such as InformationGain or "
        "RecursiveFeatureElimination."
    )


def _candidates_and_selected(fitted) -> tuple[list[str], list[str]]:
    step = _selection_step(fitted)
    names = [str(n) for n in getattr(step, "feature_names_in_", [])]
    if hasattr(step, "selected_features_"):
        return names, [str(n) for n in step.selected_features_]
    support = np.asarray(step.get_support(), dtype=bool)
    if not names:
        names = [f"x{i}" for i in range(support.size)]
    return names, [n for n, keep in zip(names, support, strict=True) if keep]


def selected_features(fitted) -> list[str] | None:
    """The features a fitted selector or pipeline kept, or None without a selection step.

    Parameters
    ----------
    fitted : fitted selector, or Pipeline containing one (a step with ``get_support``)

    Returns
    -------
    list of str or None
        Names as the selection step saw them (after preprocessing, e.g. one-hot
        levels ``sex_M``).

    Examples
    --------
    >>> import riskml as rk
    >>> from riskml.features import InformationGain, selected_features
    >>> cohort = rk.cohorts.load_heart_failure_clinical_records()
    >>> selector = InformationGain(top_k=3).fit(cohort.features, cohort.outcome.event)
    >>> selected_features(selector)
    ['age', 'ejection_fraction', 'serum_creatinine']
    >>> selected_features(rk.models.make_model("logistic")) is None  # no selection step
    True
    """
    steps = getattr(fitted, "steps", None)
    if steps is not None and not any(hasattr(step, "get_support") for _, step in steps):
        return None
    if steps is None and not hasattr(fitted, "get_support"):
        return None
    return _candidates_and_selected(fitted)[1]


def _take(X, rows):
    return X.iloc[rows] if hasattr(X, "iloc") else np.asarray(X)[rows]


def _fit_one(selector, X, y, rows):
    fitted = selector.fit(_take(X, rows), y[rows])
    return _candidates_and_selected(fitted)


@dataclass
class SelectionStability:
    """Selection frequencies of a feature selector over resamples.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per candidate feature, most often selected first: ``feature``,
        ``frequency`` (share of resamples that kept it), ``n_selected``,
        ``n_resamples``.
    selections : pandas.DataFrame of bool
        One row per resample, one column per candidate feature.
    size_frequency : pandas.Series
        How many resamples kept 1, 2, ... features (rms ``validate(bw=TRUE)``'s
        "frequencies of numbers of factors retained").
    method : str
        ``"bootstrap"`` or ``"cv"``.
    n_degenerate : int
        Resamples skipped because they held one outcome class only.

    Examples
    --------
    >>> import riskml as rk
    >>> from riskml.features import InformationGain, selection_stability
    >>> cohort = rk.cohorts.load_heart_failure_clinical_records()
    >>> result = selection_stability(InformationGain(top_k=3), cohort.features,
    ...                              cohort.outcome.event, n_boot=10, random_state=0)
    >>> result.summary.head(3)
                 feature  frequency  n_selected  n_resamples
    0  ejection_fraction        1.0          10           10
    1   serum_creatinine        1.0          10           10
    2                age        0.8           8           10
    >>> result.selections.shape
    (10, 11)
    """

    summary: pd.DataFrame
    selections: pd.DataFrame
    size_frequency: pd.Series
    method: str
    n_degenerate: int = 0
    settings: dict = field(default_factory=dict)

    def plot(self, ax=None, top=None):
        """Bar chart of selection frequencies; see :func:`plot_selection_stability`."""
        return plot_selection_stability(self, ax=ax, top=top)


def _check_resampling(n_boot, cv):
    if cv is not None:
        if isinstance(cv, Integral) and not isinstance(cv, bool):
            if cv < 2:
                raise ValueError(
                    f"The 'cv' parameter of {_FUNCTION} must be an int in the range [2, inf) "
                    f"or a splitter. Got {cv!r} instead."
                )
        elif not callable(getattr(cv, "split", None)):
            raise TypeError(
                f"The 'cv' parameter of {_FUNCTION} must be an int, a splitter or None. Got "
                f"{cv!r} instead."
            )
        return
    if isinstance(n_boot, bool) or not isinstance(n_boot, Integral) or n_boot < 1:
        raise ValueError(
            f"The 'n_boot' parameter of {_FUNCTION} must be an int in the range [1, inf). "
            f"Got {n_boot!r} instead."
        )


def selection_stability(
    selector,
    X,
    y,
    *,
    n_boot=50,
    cv=None,
    random_state=None,
    n_jobs=None,
) -> SelectionStability:
    """Refit a selector on bootstrap samples (or CV training folds) and count its choices.

    In the spirit of rms ``validate(..., bw=TRUE)``: a feature kept in 95% of
    resamples is a stable finding; one kept in 30% was chosen by the noise of
    this particular cohort.

    Parameters
    ----------
    selector : selector or pipeline
        :class:`InformationGain`, :class:`RecursiveFeatureElimination`, any
        scikit-learn selector, or a pipeline ending in one or containing one
        (e.g. a preprocessor then a selector). Cloned for every resample.
    X : pandas.DataFrame or array-like
    y : 0/1 array, structured (event, time) array or Outcome
    n_boot : int, default=50
        Bootstrap samples (ignored when ``cv`` is given).
    cv : int or splitter, optional
        Use the training folds of stratified k-fold (int, shuffled with
        ``random_state``) or of a splitter instead of bootstrap samples.
    random_state : int, optional
        Seed of the bootstrap draws or fold shuffle.
    n_jobs : int, optional
        None: resamples fitted on threads, one per core
        (:func:`riskml.utils.parallel.run_fits`); an int: in parallel through joblib's
        active backend. Results do not depend on it.

    Returns
    -------
    SelectionStability

    Notes
    -----
    Bootstrap samples with a single outcome class (no events, or no non-events)
    cannot be used by a supervised selector; they are skipped and counted in
    ``n_degenerate``. A candidate that does not exist in a resample (e.g. a
    one-hot level absent from it) counts as not selected there.

    References
    ----------
    Harrell FE. Regression Modeling Strategies. 2nd ed. Springer; 2015.
    Section 5.3 (rms ``validate(bw=TRUE)``).

    Sauerbrei W, Schumacher M. A bootstrap resampling procedure for model
    building: application to the Cox regression model. Stat Med.
    1992;11(16):2093-2109.

    Examples
    --------
    >>> from riskml.features import InformationGain
    >>> result = selection_stability(InformationGain(top_k=5), X, y, n_boot=50,
    ...                              random_state=0)  # doctest: +SKIP
    >>> result.summary.head()  # doctest: +SKIP
    """
    from sklearn.model_selection import StratifiedKFold

    if not callable(getattr(selector, "fit", None)):
        raise TypeError(f"{_FUNCTION} needs a selector with fit; got {type(selector).__name__}.")
    _check_resampling(n_boot, cv)
    outcome = check_outcome(y)
    n = X.shape[0] if hasattr(X, "shape") else len(X)
    if len(outcome) != n:
        raise ValueError(
            f"X and y of {_FUNCTION} must have one row per patient; got {n} rows in X and "
            f"{len(outcome)} outcomes in y."
        )
    y_fit = outcome.to_y()
    event = outcome.event
    if cv is not None:
        splitter = (
            StratifiedKFold(int(cv), shuffle=True, random_state=random_state)
            if isinstance(cv, Integral)
            else cv
        )
        draws = [np.asarray(train) for train, _ in splitter.split(np.zeros(n), event)]
        method = "cv"
    else:
        rng = np.random.default_rng(random_state)
        draws = [rng.integers(0, n, n) for _ in range(n_boot)]
        method = "bootstrap"
    usable = [rows for rows in draws if 0 < event[rows].sum() < rows.size]
    n_degenerate = len(draws) - len(usable)
    if not usable:
        raise ValueError(
            f"all {len(draws)} resamples hold one outcome class only; {_FUNCTION} needs "
            "events and non-events. Check y."
        )
    results = []
    for result, _, caught in run_fits(
        _fit_one, [(clone(selector), X, y_fit, rows) for rows in usable], n_jobs=n_jobs
    ):
        results.append(result)
        for category, message in dict.fromkeys(caught):
            warnings.warn(message, category, stacklevel=2)
    candidates: list[str] = []
    for names, _ in results:
        candidates.extend(c for c in names if c not in candidates)
    chosen = [set(selected) for _, selected in results]
    selections = pd.DataFrame(
        [[c in picked for c in candidates] for picked in chosen],
        columns=candidates,
        index=pd.RangeIndex(len(chosen), name="resample"),
    )
    counts = selections.sum(axis=0).astype(int)
    summary = (
        pd.DataFrame(
            {
                "feature": candidates,
                "frequency": counts.to_numpy() / len(chosen),
                "n_selected": counts.to_numpy(),
                "n_resamples": len(chosen),
            }
        )
        .sort_values("frequency", ascending=False, kind="stable")
        .reset_index(drop=True)
    )
    sizes = selections.sum(axis=1).value_counts().sort_index()
    sizes.index.name = "n_features"
    sizes.name = "n_resamples"
    return SelectionStability(
        summary=summary,
        selections=selections,
        size_frequency=sizes,
        method=method,
        n_degenerate=n_degenerate,
        settings={"n_boot": n_boot if cv is None else None, "cv": cv, "random_state": random_state},
    )


def plot_selection_stability(result: SelectionStability, ax=None, top=None):
    """Horizontal bars of how often each feature was selected.

    Parameters
    ----------
    result : SelectionStability
    ax : matplotlib Axes, optional
        A new figure when None.
    top : int, optional
        Show only the ``top`` most often selected features.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import riskml as rk
    >>> from riskml.features import InformationGain, plot_selection_stability, selection_stability
    >>> cohort = rk.cohorts.load_heart_failure_clinical_records()
    >>> result = selection_stability(InformationGain(top_k=3), cohort.features,
    ...                              cohort.outcome.event, n_boot=10, random_state=0)
    >>> ax = plot_selection_stability(result, top=3)
    >>> sorted(label.get_text() for label in ax.get_yticklabels())
    ['age', 'ejection_fraction', 'serum_creatinine']
    """
    import matplotlib.pyplot as plt

    if not isinstance(result, SelectionStability):
        raise TypeError(
            "plot_selection_stability needs the result of selection_stability(); got "
            f"{type(result).__name__}."
        )
    table = result.summary if top is None else result.summary.head(top)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.3 * len(table) + 1.2))
    positions = np.arange(len(table))[::-1]
    ax.barh(positions, table["frequency"], color="#3182bd")
    ax.set_yticks(positions, labels=table["feature"])
    ax.set_xlim(0, 1)
    ax.set_xlabel("selection frequency")
    label = "bootstrap samples" if result.method == "bootstrap" else "CV training folds"
    ax.set_title(f"Selection stability over {int(table['n_resamples'].iloc[0])} {label}")
    ax.axvline(0.5, color="#999999", linewidth=0.8, linestyle="--")
    return ax
