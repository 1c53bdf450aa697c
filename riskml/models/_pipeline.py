"""A leakage-safe pipeline whose last step is a risk model."""

from __future__ import annotations

import warnings

import numpy as np
from imblearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing
from sklearn.utils.metaestimators import available_if

from ..outcome import Outcome, check_outcome
from ._imbalance import (
    RECALIBRATION_METHODS,
    class_weight_pair,
    describe_imbalance_handling,
    fit_recalibration,
)

__all__ = ["RiskPipeline"]


def _is_outcome_like(y) -> bool:
    return isinstance(y, Outcome) or (isinstance(y, np.ndarray) and y.dtype.names is not None)


class RiskPipeline(Pipeline):
    """A pipeline of transforms (and samplers) ending in a riskml model.

    Everything the steps learn (imputation, scaling, selection, resampling, the
    model) is learned in ``fit``, so cloning and fitting the whole pipeline in each
    training fold keeps validation free of leakage. Samplers act only in ``fit``
    (imbalanced-learn's pipeline).

    Parameters
    ----------
    steps : list of (str, estimator)
        Transforms or samplers, then a model with ``predict_risk``.
    horizon : float, optional
        Days. When ``y`` is time-to-event and the final step needs a binary
        outcome (``outcome_kind == "binary"``), ``fit`` trains on the label "event
        by ``horizon``" and leaves out the patients censored before it.
    recalibrate : {"prior", "intercept", "logistic"} or None, default="prior"
        How risks are mapped back to the training fold's event rate when a
        sampler step or class weights in the final model changed the event rate
        the model was fitted to (ignored otherwise). ``"prior"``: prior
        correction, ``logit p + log(original odds / fitted odds)`` (see Notes);
        ``"intercept"``: the intercept shift that makes the mean risk equal the
        event rate of the original training fold (maximum likelihood, slope 1);
        ``"logistic"``: intercept and slope fitted on the original training fold.
        None leaves the risks on the resampled scale.
    transform_input : list of str, optional
        As in :class:`sklearn.pipeline.Pipeline` (metadata routing).
    memory : str or joblib.Memory, optional
        Cache of fitted transforms.
    verbose : bool, default=False

    Attributes
    ----------
    outcome_kind : str
        The final step's ``outcome_kind`` (``"any"`` when it declares none).
    n_dropped_ : int
        Patients left out of the last ``fit`` as not evaluable at the horizon.
    recalibration_ : Recalibration or None
        The fitted map ``expit(a + b logit(p))`` applied by ``predict_risk``
        (None when nothing changed the event rate, or ``recalibrate=None``).

    Notes
    -----
    The horizon label is :meth:`riskml.Outcome.at_horizon`: 1 for an event at or
    before the horizon, 0 for follow-up beyond it, and not evaluable (NaN, left out
    of ``fit``) for censoring before it. Treating those patients as event-free
    would bias the risks downward. The derivation runs inside ``fit`` and thus
    inside every training fold. Fit parameters with one value per patient (e.g.
    ``model__sample_weight``) are subset to the same rows.

    With a binary final step the pipeline is a scikit-learn classifier, so
    ``GridSearchCV(..., cv=5)`` would stratify on a time-to-event ``y`` itself; pass
    explicit splits there, e.g. ``list(StratifiedKFold(5).split(X, event))``, or
    use :class:`~riskml.models.TunedRisk`.

    Class imbalance: samplers (imbalanced-learn) act only in ``fit``, so the
    model is fitted to the resampled event rate and evaluated on untouched
    patients. Its risks are then too high (undersampling the majority) or
    otherwise off, so by default they are recalibrated inside ``fit`` from the
    original training fold. The default, prior correction (King & Zeng 2001;
    Elkan 2001; Saerens et al. 2002), is exact for random under- and
    over-sampling and for class weights, which change only the class priors;
    it uses no predictions, so it cannot be fooled by the model's in-sample
    overfitting (a slope fitted on the training fold would be). For SMOTE,
    whose synthetic patients also change the feature distribution,
    ``recalibrate="intercept"`` fits the shift to the data instead.
    :meth:`describe_imbalance_handling` states what was done, for the report
    (TRIPOD+AI item 13). ``predict_proba`` returns the same recalibrated risks.

    References
    ----------
    King G, Zeng L. Logistic regression in rare events data. Polit Anal.
    2001;9(2):137-163.

    Elkan C. The foundations of cost-sensitive learning. IJCAI 2001:973-978.

    Saerens M, Latinne P, Decaestecker C. Adjusting the outputs of a classifier
    to new a priori probabilities: a simple procedure. Neural Comput.
    2002;14(1):21-41.

    van den Goorbergh R, van Smeden M, Timmerman D, Van Calster B. The harm of
    class imbalance corrections for risk prediction models. J Am Med Inform
    Assoc. 2022;29(9):1525-1534.

    Examples
    --------
    >>> import riskml as rk
    >>> from riskml.features import make_preprocessor
    >>> from riskml.models import XGBoostRisk
    >>> cohort = rk.cohorts.load_heart_failure_clinical_records()
    >>> X, y_survival = cohort.features, cohort.outcome.to_y()
    >>> pipe = RiskPipeline(
    ...     [("prep", make_preprocessor(scale=False)), ("model", XGBoostRisk(random_state=0))],
    ...     horizon=180,
    ... )
    >>> pipe.fit(X, y_survival).predict_risk(X)[:3].round(2)
    array([0.92, 0.34, 0.78])
    """

    def __init__(
        self,
        steps,
        *,
        horizon=None,
        recalibrate="prior",
        transform_input=None,
        memory=None,
        verbose=False,
    ):
        self.steps = steps
        self.horizon = horizon
        self.recalibrate = recalibrate
        self.transform_input = transform_input
        self.memory = memory
        self.verbose = verbose

    @property
    def outcome_kind(self) -> str:
        """The outcome the final step needs: "binary", "survival" or "any"."""
        return getattr(self.steps[-1][1], "outcome_kind", "any")

    def _check_horizon(self) -> float:
        horizon = self.horizon
        if horizon is None:
            raise ValueError(
                f"the final step ({type(self.steps[-1][1]).__name__}) needs a binary outcome "
                "but y is time-to-event and RiskPipeline.horizon is None. Set horizon (days) "
                "to train on the label 'event by horizon', e.g. RiskPipeline(steps, "
                "horizon=365.25), or pass a binary y."
            )
        if isinstance(horizon, bool) or not isinstance(horizon, (int, float, np.number)):
            raise TypeError(f"horizon must be a number of days; got {type(horizon).__name__}.")
        if not np.isfinite(horizon) or horizon <= 0:
            raise ValueError(f"horizon must be a positive number of days; got {horizon!r}.")
        return float(horizon)

    def _fit_data(self, X, y, params):
        """Turn ``y`` into what the steps take; derive the horizon label if needed."""
        self.n_dropped_ = 0
        if not _is_outcome_like(y):
            return X, y, params
        outcome = check_outcome(y)
        if not (outcome.is_survival and self.outcome_kind == "binary"):
            return X, outcome.to_y(), params
        label = outcome.at_horizon(self._check_horizon())
        keep = np.flatnonzero(~np.isnan(label))
        n = len(outcome)
        self.n_dropped_ = n - keep.size
        if keep.size == 0:
            raise ValueError(
                f"no patient is evaluable at horizon={self.horizon} days: all "
                f"{n} were censored before it. Choose a shorter horizon."
            )
        classes = np.unique(label[keep])
        if classes.size < 2:
            raise ValueError(
                f"at horizon={self.horizon} days every one of the {keep.size} evaluable "
                f"patients has label {int(classes[0])} ({self.n_dropped_} censored before it "
                "were left out), so a binary model cannot be trained. Choose another horizon."
            )
        params = {
            key: _safe_indexing(value, keep) if _per_patient(value, n) else value
            for key, value in params.items()
        }
        return _safe_indexing(X, keep), label[keep].astype(int), params

    def _samplers(self) -> list:
        return [
            step
            for _, step in self.steps[:-1]
            if step not in (None, "passthrough") and hasattr(step, "fit_resample")
        ]

    def _check_recalibrate(self):
        if self.recalibrate is not None and self.recalibrate not in RECALIBRATION_METHODS:
            raise ValueError(
                f"recalibrate must be one of {list(RECALIBRATION_METHODS)} or None; got "
                f"{self.recalibrate!r}."
            )

    def _fit(self, X, y=None, *args, **kwargs):
        # imbalanced-learn's fit runs the transforms and samplers here; the labels
        # that reach the final step are kept for the recalibration.
        Xt, yt = super()._fit(X, y, *args, **kwargs)
        self._fitted_labels = yt
        return Xt, yt

    def fit(self, X, y=None, **params):
        """Fit every step (deriving the horizon label first when needed).

        With a sampler step or class weights in the final model, the risks are
        then recalibrated to the training fold's event rate (``recalibrate``).

        Parameters
        ----------
        X : pandas.DataFrame
        y : Outcome, structured (event, time) array or 0/1 array
        **params
            Fit parameters, ``<step>__<name>=value``.

        Returns
        -------
        self
        """
        self._check_recalibrate()
        if y is not None:
            _check_same_rows(X, y)
        first = self.steps[0][1] if self.steps else None
        if callable(getattr(first, "check_input", None)):
            # on every row given, before rows without a label at the horizon are left out
            first.check_input(X)
        samplers = self._samplers()
        X, y, params = self._fit_data(X, y, params)
        if samplers and _is_outcome_like(y):
            raise ValueError(
                f"the sampler step(s) {[type(s).__name__ for s in samplers]} need a binary "
                f"outcome, but the final step ({type(self.steps[-1][1]).__name__}) is a "
                "time-to-event model. Remove the sampler (imbalance does not bias a Cox-type "
                "model's ranking), or use a binary model with a horizon."
            )
        self.recalibration_ = None
        self._fitted_labels = None
        super().fit(X, y, **params)
        y_fitted = self._fitted_labels
        self._fitted_labels = None
        if self.recalibrate is None or y is None or _is_outcome_like(y):
            return self
        weights = class_weight_pair(self.steps[-1][1], y_fitted)
        if not samplers and weights is None:
            return self
        self.recalibration_ = fit_recalibration(
            self.recalibrate,
            np.asarray(y),
            np.asarray(y_fitted),
            weights,
            lambda: self._uncalibrated_risk(X),
        )
        return self

    def _uncalibrated_risk(self, X, horizon=None) -> np.ndarray:
        Xt = X
        for _, _, transform in self._iter(with_final=False, filter_resample=True):
            Xt = transform.transform(Xt)
        return np.asarray(self.steps[-1][1].predict_risk(Xt, horizon=horizon), dtype=float)

    @available_if(lambda self: hasattr(self.steps[-1][1], "predict_proba"))
    def predict_proba(self, X, **params):
        """``[1 - risk, risk]`` for a binary final step (recalibrated like ``predict_risk``)."""
        if getattr(self, "recalibration_", None) is None:
            return super().predict_proba(X, **params)
        risk = self.predict_risk(X)
        return np.column_stack([1.0 - risk, risk])

    def describe_imbalance_handling(self) -> str:
        """How class imbalance was handled, in one paragraph for the report (TRIPOD+AI 13).

        Returns
        -------
        str
        """
        return describe_imbalance_handling(self)

    def predict_risk(self, X, horizon=None):
        """Transform ``X`` through the steps and return the final step's risk.

        Parameters
        ----------
        X : pandas.DataFrame
        horizon : float, optional
            Passed to the final step. A binary final step predicts at the horizon
            it was trained at; asking for another one warns.

        Returns
        -------
        ndarray of float, shape (n_samples,)
            Higher = higher risk; recalibrated when ``recalibration_`` is set.
        """
        if horizon is not None:
            horizon = _check_predict_horizon(horizon)
        if (
            horizon is not None
            and self.horizon is not None
            and self.outcome_kind == "binary"
            and not np.isclose(float(horizon), float(self.horizon))
        ):
            warnings.warn(
                f"predict_risk(horizon={horizon}) on a pipeline whose binary model was "
                f"trained on the label at horizon={self.horizon} days: the risks are for "
                f"{self.horizon} days. Refit with RiskPipeline(horizon={horizon}) for the "
                "other horizon.",
                UserWarning,
                stacklevel=2,
            )
        risk = self._uncalibrated_risk(X, horizon=horizon)
        recalibration = getattr(self, "recalibration_", None)
        return risk if recalibration is None else recalibration.apply(risk)


def _check_predict_horizon(horizon) -> float:
    """A prediction horizon: a finite positive number of days."""
    message = (
        "The 'horizon' parameter of predict_risk must be a positive number of days (e.g. "
        f"horizon=365) or None (the model's own scale). Got {horizon!r} instead."
    )
    if isinstance(horizon, bool) or not isinstance(horizon, int | float | np.number):
        raise TypeError(message)
    if not np.isfinite(horizon) or horizon <= 0:
        raise ValueError(message)
    return float(horizon)


def _check_same_rows(X, y) -> None:
    """Refuse a ``y`` that is not an outcome, or ``X`` and ``y`` of different lengths."""
    if not _is_outcome_like(y) and (isinstance(y, str | bytes | dict) or np.ndim(y) == 0):
        raise TypeError(
            "RiskPipeline.fit needs y, the observed outcome of every patient: a 0/1 array "
            "(binary) or Outcome.survival(time, event) (time-to-event); got "
            f"{type(y).__name__}"
            + (" (a column name? pass the column itself)" if isinstance(y, str) else "")
            + "."
        )
    try:
        n_rows, n_outcomes = len(X), len(y)
    except TypeError:
        return
    if n_rows == 0:
        raise ValueError(
            "RiskPipeline.fit: X has no rows (an empty cohort: 0 patients), so there is "
            "nothing to fit. Check the filter, exclusion or file that produced it."
        )
    if n_rows != n_outcomes:
        raise ValueError(
            f"RiskPipeline.fit: X and y must have one row per patient; got {n_rows} rows in X "
            f"and {n_outcomes} outcomes in y. Pass the outcome of the same patients, in the "
            "same order (e.g. cohort.features and cohort.outcome)."
        )


def _per_patient(value, n: int) -> bool:
    """True for an array-like fit parameter with one entry per patient."""
    return hasattr(value, "__len__") and not isinstance(value, (str, dict)) and len(value) == n
