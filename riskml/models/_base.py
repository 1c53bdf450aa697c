"""The contract every riskml model follows, and the checks it shares."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..evaluation import c_statistic
from ..outcome import Outcome, check_outcome
from ..utils.fit_issues import ModelFitWarning

__all__ = ["BinaryRiskMixin", "ModelFitWarning", "RiskEstimatorMixin"]

OUTCOME_KINDS = ("binary", "survival", "any")


_NUMBER_TYPES = ("integer", "floating", "mixed-integer-float", "decimal", "boolean", "empty")


def _value_kind(column: pd.Series) -> str:
    """The numpy kind of a column, with an object column of numbers read as floats ("f")."""
    kind = column.dtype.kind
    if kind == "O" and pd.api.types.infer_dtype(column, skipna=True) in _NUMBER_TYPES:
        return "f"
    return kind


class RiskEstimatorMixin:
    """Mixin for riskml estimators: one outcome type, one risk direction.

    A riskml estimator is a scikit-learn ``BaseEstimator`` with

    - ``fit(X, y)``: ``X`` a pandas DataFrame, ``y`` a 0/1 array (binary), a
      structured ``(event, time)`` array (time-to-event) or an
      :class:`~riskml.Outcome`;
    - ``predict_risk(X, horizon=None)``: a 1-D float array, **higher = higher
      risk**. Binary models return P(event); survival models return the linear
      predictor (log relative hazard) without a horizon and 1 - S(horizon | x)
      with one;
    - the class attribute ``outcome_kind``: ``"binary"``, ``"survival"`` or
      ``"any"``, the outcome ``fit`` needs. A :class:`~riskml.models.RiskPipeline`
      reads it to derive a binary label at its horizon from time-to-event data.

    ``score(X, y)`` is the C-statistic (AUC for a binary ``y``, Harrell's C for a
    time-to-event ``y``), so that model selection tools such as ``GridSearchCV``
    optimise discrimination by default.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.base import BaseEstimator
    >>> from riskml.models import RiskEstimatorMixin
    >>> class PrevalenceRisk(RiskEstimatorMixin, BaseEstimator):
    ...     outcome_kind = "binary"
    ...     def fit(self, X, y):
    ...         self.rate_ = float(np.mean(y))
    ...         return self
    ...     def predict_risk(self, X, horizon=None):
    ...         return np.full(len(X), self.rate_)
    >>> PrevalenceRisk().fit(np.zeros((4, 1)), [0, 1, 1, 1]).predict_risk(np.zeros((2, 1)))
    array([0.75, 0.75])
    """

    outcome_kind = "any"
    #: whether ``fit`` takes text (object/category) columns itself (XGBoost's categories,
    #: the Bayesian network's states); the others need them encoded first
    accepts_text = False

    def __sklearn_tags__(self):
        # Binary risk models refuse multi-class targets; telling scikit-learn so
        # makes its estimator checks use 0/1 targets.
        tags = super().__sklearn_tags__()
        if tags.classifier_tags is not None and self.outcome_kind == "binary":
            tags.classifier_tags.multi_class = False
        return tags

    def _check_outcome(self, y) -> Outcome:
        """``y`` as an :class:`Outcome` of the kind this estimator needs.

        Its length is kept until ``_check_X(X, reset=True)`` compares it with the rows
        of ``X``.
        """
        if y is None or isinstance(y, str | bytes | dict):
            raise TypeError(
                f"{type(self).__name__}.fit needs y, the observed outcome of every patient: a "
                "0/1 array (binary) or Outcome.survival(time, event) (time-to-event); got "
                f"{type(y).__name__}."
            )
        outcome = check_outcome(
            y,
            allow_binary=self.outcome_kind in ("binary", "any"),
            allow_survival=self.outcome_kind in ("survival", "any"),
        )
        self._n_outcomes_in_fit = len(outcome)
        return outcome

    def _check_X(self, X, *, reset: bool) -> pd.DataFrame:
        """``X`` as a DataFrame with the columns seen in ``fit``.

        In ``fit`` (``reset=True``) the column names are stored as
        ``feature_names_in_`` (arrays get ``x0, x1, ...``). Afterwards a DataFrame
        is reordered to those columns and an array must have as many columns.
        """
        if isinstance(X, pd.DataFrame):
            frame = X
        else:
            from scipy import sparse

            if sparse.issparse(X):
                raise TypeError(
                    f"X is a sparse matrix ({type(X).__name__}); {type(self).__name__} takes "
                    "dense input only (a pandas DataFrame of patients x features). Convert it "
                    "with X.toarray()."
                )
            array = np.asarray(X)
            if array.ndim != 2:
                raise ValueError(
                    f"X must be 2-D (rows = patients, columns = features); got shape {array.shape}."
                )
            if reset:
                names = [f"x{i}" for i in range(array.shape[1])]
            else:
                if array.shape[1] != self.n_features_in_:
                    raise ValueError(
                        f"X has {array.shape[1]} columns but {type(self).__name__} was "
                        f"fitted with {self.n_features_in_}. Pass the columns used in fit."
                    )
                names = list(self.feature_names_in_)
            frame = pd.DataFrame(array, columns=names)
        if reset:
            if frame.shape[1] == 0 or frame.shape[0] == 0:
                what = "feature(s)" if frame.shape[1] == 0 else "sample(s)"
                count = frame.shape[1] if frame.shape[1] == 0 else frame.shape[0]
                empty = (
                    "X has no rows (an empty cohort: 0 patients)"
                    if frame.shape[0] == 0
                    else "X has no columns (no predictors)"
                )
                raise ValueError(
                    f"Found array with {count} {what} (shape={frame.shape}) while a minimum of "
                    f"1 is required by {type(self).__name__}: {empty}. Check the filter or "
                    "file that produced it."
                )
            n_outcomes = self.__dict__.pop("_n_outcomes_in_fit", None)
            if n_outcomes is not None and n_outcomes != frame.shape[0]:
                raise ValueError(
                    f"{type(self).__name__}.fit: X and y must have one row per patient; got "
                    f"{frame.shape[0]} rows in X and {n_outcomes} outcomes in y. Pass the "
                    "outcome of the same patients, in the same order."
                )
            self.feature_names_in_ = np.asarray([str(c) for c in frame.columns], dtype=object)
            self.n_features_in_ = frame.shape[1]
            frame = frame.set_axis(list(self.feature_names_in_), axis=1)
            self._check_values(frame, fitting=True)
            return frame
        frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
        expected = list(self.feature_names_in_)
        missing = [c for c in expected if c not in frame.columns]
        if missing:
            raise ValueError(
                f"X lacks {len(missing)} column(s) that {type(self).__name__} was fitted "
                f"with: {missing[:5]}. Pass the columns used in fit."
            )
        frame = frame.loc[:, expected]
        self._check_values(frame, fitting=False)
        return frame

    def _allows_missing(self) -> bool:
        """Whether NaN may reach the model (its scikit-learn ``allow_nan`` tag)."""
        try:
            return bool(self.__sklearn_tags__().input_tags.allow_nan)
        except AttributeError:  # pragma: no cover - estimators without tags
            return True

    def _check_values(self, frame: pd.DataFrame, *, fitting: bool) -> None:
        """Refuse what the model cannot use, naming the columns, rows and the fix.

        Text columns (unless :attr:`accepts_text`), complex numbers, infinite values
        and, for models that need complete data, missing values; at prediction time
        also an empty ``X``.
        """
        who = f"{type(self).__name__}.{'fit' if fitting else 'predict_risk'}"
        if not fitting and frame.shape[0] == 0:
            raise ValueError(
                f"{who}: X has no rows (0 patients), so there is nothing to predict. Pass at "
                "least one patient."
            )
        kinds = {str(c): _value_kind(frame[c]) for c in frame.columns}
        complex_columns = [c for c, kind in kinds.items() if kind == "c"]
        if complex_columns:
            raise TypeError(
                f"{who}: column(s) {complex_columns[:5]} hold complex numbers; a predictor must "
                "be a real number."
            )
        if fitting and not self.accepts_text:
            # columns a model takes as they are (e.g. the strata of a Cox model)
            own = {str(c) for c in (getattr(self, "strata", None) or ())}
            text = [c for c, kind in kinds.items() if kind not in "biuf" and c not in own]
            if text:
                raise TypeError(
                    f"{type(self).__name__} needs numeric columns; {text[:5]} are not (dtypes "
                    f"{sorted({str(frame[c].dtype) for c in text})}). Encode them first, e.g. "
                    "with riskml.features.make_preprocessor() in a RiskPipeline (make_model "
                    "builds one)."
                )
        floats = [c for c, kind in kinds.items() if kind == "f"]
        if not floats:
            return
        values = frame[floats].to_numpy(dtype=float)
        for name, bad, fix in (
            (
                "infinite",
                np.isinf(values),
                "a predictor must be a finite number: replace them by NaN (missing) or fix "
                "the computation that produced them",
            ),
            (
                "missing (NaN)",
                np.isnan(values) if not self._allows_missing() else np.zeros_like(values, bool),
                f"{type(self).__name__} needs complete data: impute them first, e.g. with "
                "riskml.features.make_preprocessor() in a RiskPipeline (make_model builds one)",
            ),
        ):
            if bad.any():
                columns = [floats[j] for j in np.flatnonzero(bad.any(axis=0))]
                rows = np.flatnonzero(bad.any(axis=1))[:5].tolist()
                raise ValueError(
                    f"{who}: column(s) {columns[:5]} hold {int(bad.sum())} {name} value(s) "
                    f"(rows at positions {rows}); {fix}."
                )

    def score(self, X, y) -> float:
        """C-statistic of ``predict_risk(X)``: AUC (binary ``y``) or Harrell's C.

        Parameters
        ----------
        X : pandas.DataFrame
        y : Outcome, structured (event, time) array or 0/1 array

        Returns
        -------
        float
            Higher = better discrimination; 0.5 = chance.
        """
        return c_statistic(y, self.predict_risk(X))


class BinaryRiskMixin(RiskEstimatorMixin):
    """:class:`RiskEstimatorMixin` for binary models that define ``predict_proba``.

    Adds ``predict`` (the more probable class) and ``predict_risk`` (P(event))
    on top of the class's own ``predict_proba(X)``, which returns
    ``[P(no event), P(event)]``. List it before ``ClassifierMixin`` and
    ``BaseEstimator`` in the bases.
    """

    outcome_kind = "binary"

    def predict(self, X):
        """0/1: the more probable class (use ``predict_risk`` for risk models)."""
        return (self.predict_proba(X)[:, 1] > 0.5).astype(int)

    def predict_risk(self, X, horizon=None):
        """P(event), higher = higher risk.

        Parameters
        ----------
        X : pandas.DataFrame
        horizon : float, optional
            Ignored: the model predicts at the horizon of its training label.

        Returns
        -------
        ndarray of float, shape (n_samples,)
        """
        return self.predict_proba(X)[:, 1]
