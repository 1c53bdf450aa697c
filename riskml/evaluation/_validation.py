"""Cross-validated, out-of-fold predicted risk.

Every fold refits a fresh clone of the *whole* estimator (preprocessing, selection,
model) on its training rows only, so nothing learned ever sees the patients it is
evaluated on.
"""

from __future__ import annotations

import contextlib
import numbers
import warnings
from typing import NamedTuple

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

from ..utils.fit_issues import count_fit_issues, fit_issue_records
from ..utils.parallel import in_fit_thread, run_fits
from ._checks import check_horizon_in_follow_up, check_outcome_argument

__all__ = ["CrossValidation", "RepeatedCV", "cross_val_predict_risk", "cross_validate", "cv_folds"]

_FUNCTION = "cross_val_predict_risk"


def _check_estimator(estimator, function: str = _FUNCTION) -> None:
    if not callable(getattr(estimator, "fit", None)) or not callable(
        getattr(estimator, "predict_risk", None)
    ):
        raise TypeError(
            f"{function} needs an estimator with fit(X, y) and predict_risk(X, horizon=None); "
            f"got {type(estimator).__name__}. Use a riskml model or RiskPipeline, or add a "
            "predict_risk method returning higher = higher risk."
        )


def _num_rows(X) -> int:
    if hasattr(X, "shape") and len(X.shape) >= 1:
        return int(X.shape[0])
    return len(X)


def _take_rows(X, rows: np.ndarray):
    if hasattr(X, "iloc"):
        return X.iloc[rows]
    return np.asarray(X)[rows]


def _check_groups(groups, n: int):
    if groups is None:
        return None
    groups = np.asarray(groups)
    if groups.shape != (n,):
        raise ValueError(
            f"groups of {_FUNCTION} must hold one label per row of X ({n}); got shape "
            f"{groups.shape}."
        )
    return groups


def _check_cv(cv, random_state, event: np.ndarray, groups):
    """An int becomes a shuffled stratified (group) k-fold splitter; a splitter passes."""
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if cv < 2:
            raise ValueError(
                f"The 'cv' parameter of {_FUNCTION} must be an int in the range [2, inf) or a "
                f"cross-validation splitter. Got {cv!r} instead."
            )
        smallest = int(min(event.sum(), (~event).sum()))
        if smallest < 2:
            raise ValueError(
                f"the outcome has {int(event.sum())} event(s) and {int((~event).sum())} "
                "non-event(s): cross-validation needs at least 2 of each (every training "
                "fold must hold both)."
            )
        if smallest < cv:
            raise ValueError(
                f"cv={cv} stratified folds need at least {cv} events and {cv} non-events; "
                f"got {int(event.sum())} events and {int((~event).sum())} non-events. Use "
                f"cv={smallest} or fewer folds."
            )
        splitter = StratifiedGroupKFold if groups is not None else StratifiedKFold
        return splitter(n_splits=int(cv), shuffle=True, random_state=random_state)
    if callable(getattr(cv, "split", None)) and not isinstance(cv, str):
        return cv
    raise TypeError(
        f"The 'cv' parameter of {_FUNCTION} must be an int in the range [2, inf) or a "
        f"cross-validation splitter (an object with a split method). Got {cv!r} instead."
    )


def _fold_assignment(folds, n: int, splitter) -> np.ndarray:
    """Which fold tests each row; every row must be tested exactly once."""
    fold_index = np.full(n, -1, dtype=np.intp)
    repeated = 0
    for k, (_, test) in enumerate(folds):
        repeated += int((fold_index[test] != -1).sum())
        fold_index[test] = k
    untested = int((fold_index == -1).sum())
    if repeated or untested:
        raise ValueError(
            f"{_FUNCTION} needs folds whose test sets partition the rows (each row tested "
            f"exactly once); {splitter!r} tested {repeated} row(s) more than once and left "
            f"{untested} row(s) untested. Use a k-fold splitter such as StratifiedKFold."
        )
    return fold_index


def _progress_callback(
    progress, total: int, function: str = _FUNCTION, desc: str = "cross-validation", unit="fold"
):
    """A ``(update, close)`` pair for ``progress`` (False, True for tqdm, or a callable)."""
    if progress is None or progress is False:
        return (lambda done: None), (lambda: None)
    if progress is True:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, desc=desc, unit=unit)
        return (lambda done: bar.update(1)), bar.close
    if callable(progress):
        return (lambda done: progress(done, total)), (lambda: None)
    raise TypeError(
        f"The 'progress' parameter of {function} must be a bool or a callable "
        f"progress(done, total). Got {progress!r} instead."
    )


class FitFailedError(RuntimeError):
    """A model failed to fit or predict in one fold (the fold is named).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.base import BaseEstimator
    >>> from riskml.evaluation import FitFailedError, cross_validate
    >>> class Broken(BaseEstimator):  # a toy model whose fit always fails
    ...     def fit(self, X, y):
    ...         raise ArithmeticError("no convergence")
    ...     def predict_risk(self, X, horizon=None):
    ...         return np.zeros(len(X))
    >>> try:
    ...     cross_validate(Broken(), np.zeros((20, 1)), np.array([0, 1] * 10), cv=2)
    ... except FitFailedError as error:
    ...     print(type(error).__name__)
    FitFailedError
    """


def _fit_predict(estimator, X, y, train, test, horizon, where="", inspect=None):
    """Fit on the ``train`` rows, predict the ``test`` rows (the fitted estimator
    itself for ``test=None``); warnings raised come back with the result."""
    # Warnings are recorded and handed back, so that folds run in worker processes
    # warn in the caller's process like serial ones do.
    with _recording() as caught:
        try:
            if train is None:  # every row: no copy
                fitted = estimator.fit(X, y)
            else:
                fitted = estimator.fit(_take_rows(X, train), y[train])
            if test is not None:
                risk = np.asarray(
                    fitted.predict_risk(_take_rows(X, test), horizon=horizon), dtype=float
                )
        except Exception as error:
            tested = "" if test is None else f", {test.shape[0]} test rows"
            n_train = _num_rows(X) if train is None else train.shape[0]
            raise FitFailedError(
                f"{type(estimator).__name__} failed in {where} ({n_train} training "
                f"rows{tested}): {type(error).__name__}: {error}"
            ) from error
    if test is None:
        result = fitted
    elif risk.shape != (test.shape[0],):
        raise ValueError(
            f"{type(estimator).__name__}.predict_risk must return one risk per row, shape "
            f"({test.shape[0]},); got shape {risk.shape}."
        )
    else:
        result = risk
    inspected = None if inspect is None else inspect(fitted)
    raised = [(record.category, str(record.message)) for record in caught]
    return result, fit_issue_records(fitted, raised), inspected


@contextlib.contextmanager
def _recording():
    """Record a task's warnings, except on a run_fits thread (run_fits records them
    there: ``catch_warnings`` changes process-wide state)."""
    if in_fit_thread():
        yield []
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


class RepeatedCV:
    """Repeated stratified (or stratified group) k-fold cross-validation.

    A validation scheme for :func:`cross_val_predict_risk` (``cv=RepeatedCV(...)``):
    every repeat reshuffles the patients into k stratified folds, so each patient
    gets one out-of-fold risk per repeat.

    Parameters
    ----------
    k : int, default=10
        Folds per repeat.
    repeats : int, default=5
        Number of repeats.
    random_state : int or None, default=None
        Seed of the fold shuffles: repeat 0 uses ``random_state`` itself (so one
        repeat equals ``cv=k, random_state=random_state``), repeat r > 0 the seed
        ``numpy.random.SeedSequence([random_state, r]).generate_state(1)[0]``.
        None: the ``random_state`` passed to :func:`cross_val_predict_risk`.

    Notes
    -----
    Summarise repeated out-of-fold predictions with one metric per repeat averaged
    over the repeats; :func:`riskml.evaluation.evaluate_predictions` does this and
    takes its interval from a bootstrap of patients in which every replicate
    averages the metric over the repeats on the same resample.

    References
    ----------
    .. [1] Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019.
       Chapter 17.

    Examples
    --------
    >>> from riskml.evaluation import RepeatedCV
    >>> RepeatedCV(k=5, repeats=3, random_state=0)
    RepeatedCV(k=5, repeats=3, random_state=0)
    """

    def __init__(self, k: int = 10, repeats: int = 5, *, random_state=None):
        for name, value, low in (("k", k, 2), ("repeats", repeats, 1)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
                what = "the number of folds" if name == "k" else "the number of repeats"
                raise (ValueError if isinstance(value, numbers.Integral) else TypeError)(
                    f"The '{name}' parameter of RepeatedCV must be an int in the range "
                    f"[{low}, inf) ({what}, e.g. RepeatedCV(10, 5)). Got {value!r} instead."
                )
        self.k = k
        self.repeats = repeats
        self.random_state = random_state

    def __repr__(self) -> str:
        return f"RepeatedCV(k={self.k!r}, repeats={self.repeats!r}, random_state={self.random_state!r})"

    def get_n_splits(self, X=None, y=None, groups=None) -> int:
        """Total number of fits: ``k * repeats``."""
        return int(self.k) * int(self.repeats)


def _check_repeats(repeats) -> int:
    if isinstance(repeats, bool) or not isinstance(repeats, numbers.Integral) or repeats < 1:
        raise ValueError(
            f"The 'repeats' parameter of {_FUNCTION} must be an int in the range [1, inf). "
            f"Got {repeats!r} instead."
        )
    return int(repeats)


def _repeat_seed(random_state, repeat: int):
    """Seed of the fold shuffle of one repeat (see :class:`RepeatedCV`)."""
    if repeat == 0 or not isinstance(random_state, numbers.Integral):
        return random_state
    return int(np.random.SeedSequence([int(random_state), repeat]).generate_state(1)[0])


def cross_val_predict_risk(
    estimator,
    X,
    y,
    *,
    cv=10,
    groups=None,
    random_state=None,
    horizon=None,
    n_jobs=None,
    progress=False,
    return_folds: bool = False,
    repeats: int = 1,
    inspect=None,
):
    """Out-of-fold predicted risk from (repeated) stratified k-fold cross-validation.

    Parameters
    ----------
    estimator : estimator with ``fit(X, y)`` and ``predict_risk(X, horizon=None)``
        Cloned (``sklearn.base.clone``) and refitted in every training fold, the
        whole pipeline at once, so nothing it learns sees the test fold.
    X : pandas.DataFrame or array-like of shape (n_samples, n_features)
    y : array-like of 0/1, structured ``(event, time)`` array, or Outcome
        Passed to ``fit`` as a 0/1 int array (binary) or the structured array
        (time-to-event), rows of the training fold only.
    cv : int, RepeatedCV or cross-validation splitter, default=10
        An int k gives ``StratifiedKFold(k, shuffle=True, random_state=...)``
        stratified on the event flag, or ``StratifiedGroupKFold`` when ``groups``
        is given. ``RepeatedCV(k, repeats)`` repeats that with fresh shuffles. A
        splitter is called as ``cv.split(X, event, groups)``; its test folds must
        partition the rows.
    groups : array-like of shape (n_samples,), default=None
        Group labels (e.g. patient id with several admissions); a group is never
        split across folds.
    random_state : int or None, default=None
        Seed of the fold shuffle for an int ``cv``. The estimator keeps its own
        ``random_state``.
    horizon : float, default=None
        Passed to ``predict_risk(X_test, horizon=horizon)``.
    n_jobs : int, default=None
        None: the folds' fits run on threads, one per core (up to the number of
        folds), each with its share of the cores (:func:`riskml.utils.parallel.run_fits`;
        one at a time inside a joblib worker, or under a joblib backend the user
        set). An int: fits in parallel through joblib's active backend (loky
        processes, Dask, ...). Results do not depend on ``n_jobs``, but for the last
        bits of fits that use multithreaded BLAS (parallel workers run it on one
        thread): logistic regression's risks at 56,000 rows differ by about 1e-12.
    progress : bool or callable, default=False
        True shows a tqdm bar over fits; a callable is called as
        ``progress(fits_done, n_fits)`` after each fit.
    return_folds : bool, default=False
        Also return the fold that tested each row.
    repeats : int, default=1
        Repeats of k-fold with an int ``cv`` (the same as ``cv=RepeatedCV(cv,
        repeats)``); repeat r > 0 shuffles with the seed described in
        :class:`RepeatedCV`.

    Returns
    -------
    risk : ndarray of shape (n_samples,), or (repeats, n_samples) when repeated
        Out-of-fold predicted risk, higher = higher risk, in the row order of ``X``.
    fold_index : ndarray of int, same shape as ``risk``
        Only with ``return_folds=True``: the fold (0-based, within its repeat) that
        tested each row.
    inspected : list
        Only with ``inspect``: its result for each fit.

    Raises
    ------
    FitFailedError
        When the estimator fails in a fold; the message names the fold (and
        repeat) and the original error.

    References
    ----------
    .. [1] Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019.
       Chapter 17 (internal validation).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.base import BaseEstimator
    >>> from riskml.evaluation import cross_val_predict_risk
    >>> class Prevalence(BaseEstimator):  # a toy model: risk = training-fold event rate
    ...     def fit(self, X, y):
    ...         self.rate_ = float(np.mean(y))
    ...         return self
    ...     def predict_risk(self, X, horizon=None):
    ...         return np.full(len(X), self.rate_)
    >>> y = np.array([0, 1] * 10)
    >>> risk = cross_val_predict_risk(Prevalence(), np.zeros((20, 1)), y, cv=5,
    ...                               random_state=0)
    >>> risk.shape
    (20,)
    >>> cross_val_predict_risk(Prevalence(), np.zeros((20, 1)), y, cv=5, repeats=3,
    ...                        random_state=0).shape
    (3, 20)
    """
    run = cross_validate(
        estimator,
        X,
        y,
        cv=cv,
        groups=groups,
        random_state=random_state,
        horizon=horizon,
        n_jobs=n_jobs,
        progress=progress,
        repeats=repeats,
        inspect=inspect,
    )
    out = (run.risk,)
    if return_folds:
        out += (run.fold_index,)
    if inspect is not None:
        out += (run.inspected,)
    return out[0] if len(out) == 1 else out


class CrossValidation(NamedTuple):
    """What :func:`cross_validate` returns.

    Attributes
    ----------
    risk : ndarray of shape (n_samples,) or (repeats, n_samples)
        Out-of-fold predicted risk (at ``horizon`` for a time-to-event outcome).
    fold_index : ndarray of the same shape
        The test fold of each row.
    inspected : list
        ``inspect(fitted fold estimator)`` for every fold fit, in fold order.
    refitted : estimator or None
        With ``refit=True``, the estimator fitted on every row (the model to report).
    refit_seconds : float
        How long that fit took (NaN without ``refit``).
    fit_issues : dict
        :class:`~riskml.utils.fit_issues.ModelFitWarning` sentence -> number of fold
        fits that raised it.
    refit_issues : tuple
        The sentences the whole-cohort fit raised.

    Examples
    --------
    >>> import numpy as np
    >>> from riskml.evaluation import cross_validate
    >>> from riskml.models import LogisticRisk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> y = (X[:, 0] + rng.normal(size=200) > 1).astype(int)
    >>> run = cross_validate(LogisticRisk(), X, y, cv=5, random_state=0)
    >>> run.risk.shape, np.unique(run.fold_index).tolist(), run.refitted
    ((200,), [0, 1, 2, 3, 4], None)
    """

    risk: np.ndarray
    fold_index: np.ndarray
    inspected: list
    refitted: object = None
    refit_seconds: float = float("nan")
    #: ModelFitWarning sentence -> number of fold fits that raised it
    fit_issues: dict = {}
    #: the ModelFitWarning sentences of the whole-cohort fit
    refit_issues: tuple = ()


def cross_validate(
    estimator,
    X,
    y,
    *,
    cv=10,
    groups=None,
    random_state=None,
    horizon=None,
    n_jobs=None,
    progress=False,
    repeats=1,
    inspect=None,
    refit=False,
) -> CrossValidation:
    """Out-of-fold risk, per-fold inspection, fit issues and the whole-cohort fit.

    :func:`cross_val_predict_risk` with everything a study needs in one pass, as
    scikit-learn's ``cross_validate(return_estimator=True)`` returns the fitted
    estimators: what ``inspect`` reads from each fold's fitted estimator (e.g.
    :func:`riskml.features.selected_features`), the
    :class:`~riskml.utils.fit_issues.ModelFitWarning` sentences counted over the fold
    fits and, with ``refit=True``, the estimator fitted on every row, run as one more
    task among the folds' (it starts first: the longest).

    Parameters
    ----------
    estimator, X, y, cv, groups, random_state, horizon, n_jobs, progress, repeats
        As in :func:`cross_val_predict_risk`.
    inspect : callable, optional
        Called on each fold's fitted estimator; its results come back in fold order.
    refit : bool, default=False
        Also fit the estimator on every row.

    Returns
    -------
    CrossValidation

    References
    ----------
    .. [1] Steyerberg EW. Clinical Prediction Models, 2nd ed. Springer; 2019, ch. 17.

    Examples
    --------
    >>> import numpy as np
    >>> from riskml.models import LogisticRisk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> y = (X[:, 0] + rng.normal(size=200) > 1).astype(int)
    >>> run = cross_validate(LogisticRisk(), X, y, cv=5, random_state=0, refit=True)
    >>> run.risk.shape, run.refitted.coef_.shape
    ((200,), (3,))
    """
    _check_estimator(estimator)
    repeats = _check_repeats(repeats)
    repeated = repeats > 1
    if isinstance(cv, RepeatedCV):
        if repeated:
            raise ValueError(
                f"{_FUNCTION} got both cv={cv!r} and repeats={repeats}; give the repeats in "
                "one place."
            )
        repeats = _check_repeats(cv.repeats)
        repeated = True
        random_state = cv.random_state if cv.random_state is not None else random_state
        cv = cv.k
    outcome = check_outcome_argument(y, _FUNCTION)
    if horizon is not None:
        if outcome.is_survival:
            check_horizon_in_follow_up(horizon, outcome.time, _FUNCTION)
        else:
            check_horizon_in_follow_up(horizon, np.empty(0), _FUNCTION)
    n = _num_rows(X)
    if len(outcome) != n:
        raise ValueError(
            f"X and y of {_FUNCTION} must have one row per patient; got {n} rows in X and "
            f"{len(outcome)} outcomes in y."
        )
    groups = _check_groups(groups, n)
    if repeated and not (isinstance(cv, numbers.Integral) and not isinstance(cv, bool)):
        raise ValueError(
            f"repeats > 1 in {_FUNCTION} needs an int cv (the folds are reshuffled in each "
            f"repeat); got cv={cv!r}. Call {_FUNCTION} once per splitter instead."
        )
    folds, fold_index = [], np.empty((repeats, n), dtype=np.intp)
    for repeat in range(repeats):
        splitter = _check_cv(cv, _repeat_seed(random_state, repeat), outcome.event, groups)
        repeat_folds = [
            (np.asarray(train, dtype=np.intp), np.asarray(test, dtype=np.intp))
            for train, test in splitter.split(X, outcome.event, groups)
        ]
        fold_index[repeat] = _fold_assignment(repeat_folds, n, splitter)
        folds.extend((repeat, train, test) for train, test in repeat_folds)
    y_fit = outcome.to_y()
    update, close = _progress_callback(progress, len(folds))

    risk = np.empty((repeats, n))
    n_folds = len(folds) // repeats
    tasks = [
        (
            clone(estimator),
            X,
            y_fit,
            train,
            test,
            horizon,
            f"fold {k % n_folds + 1} of {n_folds}"
            + (f", repeat {repeat + 1} of {repeats}" if repeated else ""),
            inspect,
        )
        for k, (repeat, train, test) in enumerate(folds)
    ]
    if refit:
        tasks.insert(0, (clone(estimator), X, y_fit, None, None, horizon, "the whole-cohort fit"))
    results = run_fits(_fit_predict, tasks, n_jobs=n_jobs)
    inspected, refitted, refit_seconds, raised = [], None, float("nan"), []
    per_fold, refit_raised = [], []
    try:
        if refit:
            (refitted, refit_warnings, _), refit_seconds, caught = next(results)
            refit_raised = fit_issue_records(None, refit_warnings + caught)
            raised += refit_raised
        for done, ((repeat, _, test), (fold, _, caught)) in enumerate(
            zip(folds, results, strict=True), 1
        ):
            fold_risk, fold_warnings, fold_inspected = fold
            risk[repeat, test] = fold_risk
            inspected.append(fold_inspected)
            fold_raised = fit_issue_records(None, fold_warnings + caught)
            raised += fold_raised
            per_fold.append(fold_raised)
            update(done)
    finally:
        results.close()
        close()
        # after the fits (run_fits' recording has ended), as the serial run raised them
        _warn_again(raised)
    if not repeated:
        risk, fold_index = risk[0], fold_index[0]
    return CrossValidation(
        risk,
        fold_index,
        inspected,
        refitted,
        refit_seconds,
        dict(count_fit_issues(per_fold)),
        tuple(count_fit_issues([refit_raised])),
    )


def _warn_again(caught) -> None:
    for category, message in caught:
        warnings.warn(message, category, stacklevel=4)


def cv_folds(y, cv=10, *, groups=None, random_state=None) -> np.ndarray:
    """The fold that tests each row, exactly as :func:`cross_val_predict_risk` splits.

    For checking a design before any fit (events per fold, for instance).

    Parameters
    ----------
    y : array-like of 0/1, structured ``(event, time)`` array, or Outcome
    cv : int, RepeatedCV or cross-validation splitter, default=10
    groups : array-like, optional
    random_state : int or None, default=None

    Returns
    -------
    ndarray of int, shape (n_samples,), or (repeats, n_samples) for RepeatedCV

    Examples
    --------
    >>> import numpy as np
    >>> from riskml.evaluation import cv_folds
    >>> cv_folds(np.array([0, 1] * 5), cv=5, random_state=0).shape
    (10,)
    """
    outcome = check_outcome_argument(y, "cv_folds")
    n = len(outcome)
    groups = _check_groups(groups, n)
    repeats, repeated = 1, False
    if isinstance(cv, RepeatedCV):
        repeats, repeated = _check_repeats(cv.repeats), True
        random_state = cv.random_state if cv.random_state is not None else random_state
        cv = cv.k
    X = np.zeros((n, 1))
    fold_index = np.empty((repeats, n), dtype=np.intp)
    for repeat in range(repeats):
        splitter = _check_cv(cv, _repeat_seed(random_state, repeat), outcome.event, groups)
        fold_index[repeat] = _fold_assignment(
            list(splitter.split(X, outcome.event, groups)), n, splitter
        )
    return fold_index if repeated else fold_index[0]
