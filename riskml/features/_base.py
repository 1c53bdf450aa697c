"""What the riskml selectors share: a fitted ``support_`` and DataFrame output."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.feature_selection import SelectorMixin
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.validation import check_is_fitted

__all__ = ["DataFrameSelectorMixin", "check_selector_input", "validate_parameters"]


def validate_parameters(estimator, example: str) -> None:
    """scikit-learn's parameter check, its message completed with an example of a valid call."""
    try:
        estimator._validate_params()
    except InvalidParameterError as error:
        raise InvalidParameterError(f"{error} For example: {example}.") from None


def check_selector_input(X, y, who: str, *, numeric: bool) -> None:
    """Refuse a feature table a selector cannot rank, naming the problem and the fix.

    ``numeric=True``: every column must be a finite number (the selector fits a model
    on the columns as they are, so it comes after preprocessing).
    """
    _check_shape(X, y, who)
    if not isinstance(X, pd.DataFrame):
        return
    _check_columns(X, who)
    if numeric:
        _check_numeric(X, who)


def _check_shape(X, y, who: str) -> None:
    """X is a non-empty 2-D table with one row per outcome in ``y``."""
    if X is None or isinstance(X, str | bytes | dict):
        raise TypeError(
            f"{who} needs X, a pandas DataFrame of patients x features; got {type(X).__name__}."
        )
    shape = X.shape if hasattr(X, "shape") else np.shape(X)
    if len(shape) != 2:
        raise ValueError(
            f"{who}: X must be 2-D (rows = patients, columns = features); got shape {shape}."
        )
    if shape[0] == 0 or shape[1] == 0:
        raise ValueError(
            f"{who}: X has {shape[0]} rows and {shape[1]} columns; there is nothing to rank. "
            "Check the filter or file that produced it (an empty cohort, or no predictors)."
        )
    try:
        n_outcomes = len(y)
    except TypeError:
        n_outcomes = None
    if n_outcomes is not None and n_outcomes != shape[0]:
        raise ValueError(
            f"{who}: X and y must have one row per patient; got {shape[0]} rows in X and "
            f"{n_outcomes} outcomes in y."
        )


def _check_columns(frame: pd.DataFrame, who: str) -> None:
    """Every column has its own name and holds scalars."""
    names = pd.Index([str(c) for c in frame.columns])
    repeated = names[names.duplicated()].unique().tolist()
    if repeated:
        raise ValueError(
            f"{who}: X has repeated column names {repeated[:10]}; every column needs its own "
            "name. Drop or rename the copies, e.g. X.loc[:, ~X.columns.duplicated()]."
        )
    for name in frame.columns:
        column = frame[name]
        if column.dtype != object:
            continue
        odd = {
            type(v).__name__
            for v in column.dropna()
            if isinstance(v, list | dict | set | tuple | bytes | np.ndarray)
        }
        if odd:
            raise TypeError(
                f"{who}: column {str(name)!r} holds values of type {sorted(odd)}, which "
                f"cannot be ranked; convert them to text or numbers, e.g. "
                f"X[{str(name)!r}].astype(str)."
            )


def _check_numeric(frame: pd.DataFrame, who: str) -> None:
    """Every column is a number and none is infinite."""
    text = {str(c): str(frame[c].dtype) for c in frame.columns if frame[c].dtype.kind not in "biuf"}
    if text:
        described = ", ".join(f"{name!r} ({dtype})" for name, dtype in list(text.items())[:10])
        raise TypeError(
            f"{who} ranks numeric columns (it fits a model on them as they are), but "
            f"{described} {'is' if len(text) == 1 else 'are'} not numeric. Put a "
            "preprocessing step first: make_model(..., selection=...) places the selector "
            "after riskml.features.Preprocessor (one-hot encoding, imputation), or wrap both "
            "in a RiskPipeline."
        )
    values = frame.to_numpy(dtype=float)
    infinite = np.isinf(values)
    if infinite.any():
        bad = [str(frame.columns[j]) for j in np.flatnonzero(infinite.any(axis=0))]
        raise ValueError(
            f"{who}: column(s) {bad[:10]} hold {int(infinite.sum())} infinite value(s) (rows at "
            f"positions {np.flatnonzero(infinite.any(axis=1))[:5].tolist()}); replace them "
            "with NaN (missing) or fix the computation that produced them."
        )


class DataFrameSelectorMixin(SelectorMixin):
    """A selector whose ``fit`` sets ``support_``, ``selected_features_`` (str names)
    and ``n_features_in_``, and whose ``transform`` returns a DataFrame."""

    def _get_support_mask(self):
        check_is_fitted(self, "support_")
        return self.support_

    def transform(self, X):
        """The selected columns of ``X``, as a DataFrame.

        Parameters
        ----------
        X : pandas.DataFrame or array-like
            With the columns seen in ``fit``.

        Returns
        -------
        pandas.DataFrame
        """
        check_is_fitted(self, "support_")
        if isinstance(X, pd.DataFrame):
            # Selected names are stored as str, so compare against str column names.
            frame = X.set_axis([str(c) for c in X.columns], axis=1)
            missing = [c for c in self.selected_features_ if c not in frame.columns]
            if missing:
                raise ValueError(
                    f"X lacks {len(missing)} selected column(s) seen in fit: {missing[:5]}. "
                    "Pass the same columns as in fit."
                )
            return frame.loc[:, self.selected_features_]
        array = np.asarray(X)
        if array.ndim != 2 or array.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X must have {self.n_features_in_} columns as in fit; got shape {array.shape}."
            )
        return pd.DataFrame(array[:, self.support_], columns=self.selected_features_)
