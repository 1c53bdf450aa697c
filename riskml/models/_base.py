"""The contract every riskml model follows, and the checks it shares."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..features import c_statistic
from ..outcome import Outcome, check_outcome
from ..utils.fit_issues import ModelFitWarning

__all__ = ["BinaryRiskMixin", "ModelFitWarning", "RiskEstimatorMixin"]

OUTCOME_KINDS = ("binary", "survival", "any")


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
    """

    outcome_kind = "any"

    def __sklearn_tags__(self):
        # Binary risk models refuse multi-class targets; telling scikit-learn so
        # makes its estimator checks use 0/1 targets.
        tags = super().__sklearn_tags__()
        if tags.classifier_tags is not None and self.outcome_kind == "binary":
            tags.classifier_tags.multi_class = False
        return tags

    def _check_outcome(self, y) -> Outcome:
        """``y`` as an :class:`Outcome` of the kind this estimator needs."""
        return check_outcome(
            y,
            allow_binary=self.outcome_kind in ("binary", "any"),
            allow_survival=self.outcome_kind in ("survival", "any"),
        )

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
                raise ValueError(
                    f"Found array with {count} {what} (shape={frame.shape}) while a minimum of "
                    f"1 is required by {type(self).__name__}."
                )
            self.feature_names_in_ = np.asarray([str(c) for c in frame.columns], dtype=object)
            self.n_features_in_ = frame.shape[1]
            frame = frame.set_axis(list(self.feature_names_in_), axis=1)
            return frame
        frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
        expected = list(self.feature_names_in_)
        missing = [c for c in expected if c not in frame.columns]
        if missing:
            raise ValueError(
                f"X lacks {len(missing)} column(s) that {type(self).__name__} was fitted "
                f"with: {missing[:5]}. Pass the columns used in fit."
            )
        return frame.loc[:, expected]

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
