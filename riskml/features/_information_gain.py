"""Information-gain ranking of features (Weka's InfoGainAttributeEval) as a selector."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions

from ..outcome import check_outcome
from ._base import DataFrameSelectorMixin, check_selector_input, validate_parameters
from ._discretize import (
    bin_codes,
    information_gain_table,
    is_nominal,
    mdl_cut_points,
    quantile_cut_points,
)

__all__ = ["InformationGain"]

_LN2 = np.log(2.0)


def _as_frame(X) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X.set_axis([str(c) for c in X.columns], axis=1)
    array = np.asarray(X)
    if array.ndim != 2:
        raise ValueError(
            f"X must be 2-D (rows = patients, columns = features); got shape {array.shape}."
        )
    return pd.DataFrame(array, columns=[f"x{i}" for i in range(array.shape[1])])


def _nominal_codes(column: pd.Series) -> np.ndarray:
    """Integer states of a nominal column; missing values get -1."""
    codes, _ = pd.factorize(column, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.intp)


def _contingency(codes: np.ndarray, label: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts of (state, class); the last row holds missing values (code -1)."""
    n_states = int(codes.max()) + 1 if codes.size else 0
    table = np.zeros((n_states + 1, n_classes))
    rows = np.where(codes < 0, n_states, codes)
    np.add.at(table, (rows, label), 1.0)
    return table


class InformationGain(DataFrameSelectorMixin, BaseEstimator):
    """Rank features by information gain with the outcome and keep the best.

    The information gain of a feature ``X`` is ``H(Y) - H(Y | X)`` (bits), the
    mutual information between the outcome and the feature's states, computed as
    Weka's ``InfoGainAttributeEval`` does (Motwani 2017 ranked candidates this
    way): continuous features are first discretized with Fayyad & Irani's MDL
    method (Weka's ``weka.filters.supervised.attribute.Discretize``, better
    encoding), nominal features (object, string, category, bool) use their
    values as states, and a missing value is a state of its own.

    Parameters
    ----------
    top_k : int, optional
        Keep the ``top_k`` best-ranked features (all of them if there are fewer).
    threshold : float, optional
        Keep features whose information gain (bits) exceeds ``threshold``.
        Combined with ``top_k``, both must hold. With neither, the features with
        positive information gain are kept.
    method : {"info_gain", "mutual_info"}, default="info_gain"
        ``"mutual_info"`` instead estimates the mutual information of each
        continuous feature without discretizing it, by the k-nearest-neighbour
        estimator of :func:`sklearn.feature_selection.mutual_info_classif`
        (reported in bits); it refuses missing values.
    discretization : {"mdl", "quantile"}, default="mdl"
        How ``"info_gain"`` discretizes continuous features: supervised MDL
        (Weka's default) or ``n_bins`` equal-frequency bins (unsupervised).
    n_bins : int, default=5
        Bins of ``discretization="quantile"``.
    missing : {"state", "distribute"}, default="state"
        ``"state"``: a missing value is one more state, so missingness that
        carries information is ranked. ``"distribute"``: the counts of missing
        values are spread over the observed states in proportion to their
        frequency (Weka's ``missingMerge``, its default).
    horizon : float, optional
        Days. For a time-to-event ``y``: rank against the label "event by
        ``horizon``", leaving out patients censored before it. Without a horizon
        a time-to-event ``y`` is refused (see Notes).
    n_neighbors : int, default=3
        Neighbours of the ``"mutual_info"`` estimator.
    random_state : int, optional
        Seed of the ``"mutual_info"`` estimator's jitter.

    Attributes
    ----------
    scores_ : ndarray of float
        Information gain (bits) of each input column, in input order.
    ranking_ : pandas.DataFrame
        One row per feature, best first: ``feature``, ``information_gain``,
        ``rank`` (1 = best; ties keep input order), ``n_cut_points`` (cut points
        of a discretized continuous feature; missing for nominal features and
        for ``"mutual_info"``), ``selected``.
    cut_points_ : dict of str to ndarray
        Cut points of each discretized feature.
    support_ : ndarray of bool
    selected_features_ : list of str
        Names of the kept columns, in input order.
    n_dropped_ : int
        Patients left out as not evaluable at ``horizon``.
    feature_names_in_ : ndarray of str
    n_features_in_ : int

    Notes
    -----
    At least one feature (the best ranked) is always kept, so that a pipeline can
    still fit when nothing is informative. Put the selector inside a
    :class:`~riskml.models.RiskPipeline` so that ranking and discretization are
    learned in each training fold.

    Time-to-event outcomes: a selector gets whatever ``y`` the pipeline passes.
    When the final model is binary, :class:`~riskml.models.RiskPipeline`
    derives the label at its horizon before any step sees ``y``, so the selector
    gets a 0/1 label. When the final model is a survival model, the selector
    gets the time-to-event ``y``; ranking on the bare event flag would mix
    patients followed for a week with patients followed for years, so
    ``InformationGain`` uses the horizon label when ``horizon`` is set (as
    :func:`riskml.models.make_model` does) and otherwise raises a ``ValueError``.

    References
    ----------
    Fayyad UM, Irani KB. Multi-interval discretization of continuous-valued
    attributes for classification learning. IJCAI 1993:1022-1027.

    Hall MA, Holmes G. Benchmarking attribute selection techniques for discrete
    class data mining. IEEE Trans Knowl Data Eng. 2003;15(6):1437-1447.

    Kraskov A, Stoegbauer H, Grassberger P. Estimating mutual information.
    Phys Rev E. 2004;69:066138.

    Motwani M, Dey D, Berman DS, et al. Machine learning for prediction of
    all-cause mortality in patients with suspected coronary artery disease: a
    5-year multicentre prospective registry analysis. Eur Heart J.
    2017;38(7):500-507.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.datasets import load_iris
    >>> iris = load_iris(as_frame=True)
    >>> selector = InformationGain(top_k=2).fit(iris.data, iris.target)
    >>> selector.ranking_[["feature", "n_cut_points"]].head(2).to_numpy().tolist()
    [['petal length (cm)', 3], ['petal width (cm)', 2]]
    """

    _parameter_constraints = {
        "top_k": [Interval(Integral, 1, None, closed="left"), None],
        "threshold": [Interval(Real, None, None, closed="neither"), None],
        "method": [StrOptions({"info_gain", "mutual_info"})],
        "discretization": [StrOptions({"mdl", "quantile"})],
        "n_bins": [Interval(Integral, 2, None, closed="left")],
        "missing": [StrOptions({"state", "distribute"})],
        "horizon": [Interval(Real, 0, None, closed="neither"), None],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        top_k=None,
        threshold=None,
        method="info_gain",
        discretization="mdl",
        n_bins=5,
        missing="state",
        horizon=None,
        n_neighbors=3,
        random_state=None,
    ):
        self.top_k = top_k
        self.threshold = threshold
        self.method = method
        self.discretization = discretization
        self.n_bins = n_bins
        self.missing = missing
        self.horizon = horizon
        self.n_neighbors = n_neighbors
        self.random_state = random_state

    def _label(self, y, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(rows used, integer class label) from ``y``."""
        outcome = check_outcome(y) if not _is_multiclass(y) else None
        if outcome is None:  # a multi-class label (e.g. iris): ranking works for any classes
            label = np.asarray(y).ravel()
            if label.shape[0] != n:
                raise ValueError(
                    f"X and y must have one row per patient; got {n} rows and {label.shape[0]} labels."
                )
            _, codes = np.unique(label, return_inverse=True)
            return np.arange(n), codes
        if len(outcome) != n:
            raise ValueError(
                f"X and y must have one row per patient; got {n} rows and {len(outcome)} outcomes."
            )
        if not outcome.is_survival:
            events = int(outcome.event.sum())
            if events in (0, n):
                raise ValueError(
                    f"InformationGain ranks features by what they tell about y, but y holds one "
                    f"class only ({events} event(s) among {n} patients), so every information "
                    "gain is 0 and the ranking would be arbitrary. Pass an outcome with both "
                    "events and non-events."
                )
            return np.arange(n), outcome.event.astype(np.intp)
        if self.horizon is None:
            raise ValueError(
                "InformationGain ranks features against a class label, but y is time-to-event "
                "and horizon is None. Set InformationGain(horizon=days) to rank against the label "
                "'event by horizon', or pass a binary y (a RiskPipeline with a binary final model "
                "derives it)."
            )
        label = outcome.at_horizon(float(self.horizon))
        keep = np.flatnonzero(~np.isnan(label))
        if np.unique(label[keep]).size < 2:
            raise ValueError(
                f"at horizon={self.horizon} days the {keep.size} evaluable patients all have the "
                "same label, so information gain is undefined. Choose another horizon."
            )
        return keep, label[keep].astype(np.intp)

    def fit(self, X, y):
        """Rank the columns of ``X`` by information gain with ``y``.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
        y : 0/1 array, class labels, structured (event, time) array or Outcome

        Returns
        -------
        self
        """
        validate_parameters(self, "InformationGain(top_k=5)")
        check_selector_input(X, y, "InformationGain", numeric=False)
        frame = _as_frame(X)
        rows, label = self._label(y, frame.shape[0])
        self.n_dropped_ = frame.shape[0] - rows.size
        frame = frame.iloc[rows]
        n_classes = int(label.max()) + 1
        names = list(frame.columns)
        scores = np.zeros(len(names))
        n_cuts = pd.array([pd.NA] * len(names), dtype="Int64")
        self.cut_points_ = {}
        if self.method == "mutual_info":
            scores = self._mutual_info(frame, label)
        else:
            for j, name in enumerate(names):
                column = frame[name]
                if is_nominal(column):
                    codes = _nominal_codes(column)
                else:
                    values = column.to_numpy(dtype=float)
                    if self.discretization == "mdl":
                        cuts = mdl_cut_points(values, label)
                    else:
                        cuts = quantile_cut_points(values, self.n_bins)
                    self.cut_points_[name] = cuts
                    n_cuts[j] = len(cuts)
                    codes = bin_codes(values, cuts)
                table = _contingency(codes, label, n_classes)
                scores[j] = information_gain_table(table, missing=self.missing)

        order = np.argsort(-scores, kind="stable")
        keep = np.zeros(len(names), dtype=bool)
        candidates = order if self.top_k is None else order[: self.top_k]
        keep[candidates] = True
        if self.threshold is not None:
            keep &= scores > self.threshold
        elif self.top_k is None:
            keep &= scores > 0
        if not keep.any() and len(names):
            keep[order[0]] = True

        rank = np.empty(len(names), dtype=int)
        rank[order] = np.arange(1, len(names) + 1)
        self.scores_ = scores
        self.support_ = keep
        self.feature_names_in_ = np.asarray(names, dtype=object)
        self.n_features_in_ = len(names)
        self.selected_features_ = [n for n, k in zip(names, keep, strict=True) if k]
        self.ranking_ = (
            pd.DataFrame(
                {
                    "feature": names,
                    "information_gain": scores,
                    "rank": rank,
                    "n_cut_points": n_cuts,
                    "selected": keep,
                }
            )
            .sort_values("rank")
            .reset_index(drop=True)
        )
        return self

    def _mutual_info(self, frame: pd.DataFrame, label: np.ndarray) -> np.ndarray:
        from sklearn.feature_selection import mutual_info_classif

        nominal = np.array([is_nominal(frame[c]) for c in frame.columns], dtype=bool)
        columns = {}
        for name, is_nom in zip(frame.columns, nominal, strict=True):
            if is_nom:
                columns[name] = _nominal_codes(frame[name]).astype(float)
            else:
                columns[name] = frame[name].to_numpy(dtype=float)
        values = np.column_stack(list(columns.values())) if columns else np.empty((len(frame), 0))
        bad = [n for n, v in columns.items() if np.isnan(v).any()]
        if bad:
            raise ValueError(
                f"method='mutual_info' cannot use missing values; columns {bad[:5]} have some. "
                "Impute them first (e.g. riskml.features.make_preprocessor()) or use "
                "method='info_gain', which gives missing values a state of their own."
            )
        mi = mutual_info_classif(
            values,
            label,
            discrete_features=nominal,
            n_neighbors=self.n_neighbors,
            random_state=self.random_state,
        )
        return np.asarray(mi, dtype=float) / _LN2


def _is_multiclass(y) -> bool:
    """True for a plain 1-D label with other values than 0/1 (e.g. three classes)."""
    if hasattr(y, "dtype") and getattr(y.dtype, "names", None):
        return False
    if not hasattr(y, "__len__") or type(y).__name__ == "Outcome":
        return False
    values = np.asarray(y)
    if values.ndim != 1:
        return False
    if values.dtype.kind in "biuf":
        return not np.isin(values[~pd.isna(values)], (0, 1)).all()
    return True
