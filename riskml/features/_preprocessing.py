"""Imputation, missing indicators, scaling and one-hot encoding, chosen by dtype at fit time."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

__all__ = ["Preprocessor", "make_preprocessor"]

NUMERIC_DTYPES = ["number", "bool"]
CATEGORICAL_DTYPES = ["object", "category", "string"]


class _MissingIndicator(MissingIndicator):
    """sklearn's MissingIndicator with 0/1 floats named ``<input>_missing``."""

    def transform(self, X):
        return np.asarray(super().transform(X), dtype=float)

    def fit_transform(self, X, y=None):
        return self.fit(X, y).transform(X)

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "features_")
        names = _check_feature_names_in(self, input_features)[self.features_]
        return np.asarray([f"{name}_missing" for name in names], dtype=object)


def _as_object_with_nan(X):
    """Categorical values as objects, with None and pd.NA turned into NaN.

    SimpleImputer recognises only NaN as missing in object columns.
    """
    frame = pd.DataFrame(X).astype(object)
    return frame.where(frame.notna(), np.nan)


def _as_float(X):
    """Numeric and boolean columns as floats, missing values kept as NaN."""
    return pd.DataFrame(X).astype(float)


def _check_frame(X, who: str) -> pd.DataFrame:
    if not isinstance(X, pd.DataFrame):
        raise TypeError(
            f"{who} needs a pandas DataFrame (columns are chosen by dtype and named in the "
            f"output); got {type(X).__name__}. Wrap the array with pandas.DataFrame(X, "
            "columns=names)."
        )
    return X


class Preprocessor(TransformerMixin, BaseEstimator):
    """Impute, encode and (optionally) scale a clinical feature table.

    Numeric and boolean columns get median imputation, optional missing
    indicators and optional standard scaling; categorical columns (object,
    category or string dtype) get most-frequent imputation and one-hot encoding.
    The column kinds are read from the dtypes of the DataFrame seen in ``fit``, so
    the same preprocessor can be cloned into every cross-validation fold.

    Parameters
    ----------
    scale : bool, default=True
        Standardise numeric columns (mean 0, variance 1, learned in ``fit``).
        Tree models do not need it; linear and Cox models do.
    add_indicator : bool, default=False
        Add a 0/1 column ``<input>_missing`` for every numeric column that had
        missing values in ``fit``.
    impute : bool, default=True
        False keeps missing values: numeric columns pass through with NaN (for
        models that treat missingness themselves, e.g. the Bayesian networks'
        missing state, or XGBoost) and a missing categorical value becomes its
        own one-hot column ``<input>_nan``.
    drop_first : bool, default=False
        Leave out the first level (in sorted order) of every categorical column, the
        reference level of an unpenalised regression (e.g. the Cox model), whose
        coefficients are then "level vs reference".

    Attributes
    ----------
    column_transformer_ : sklearn.compose.ColumnTransformer
        The fitted transformer.
    numeric_columns_, categorical_columns_ : list of str
        The input columns of each kind.
    dropped_columns_ : list of str
        Input columns of any other dtype (e.g. datetimes), which are dropped.
    feature_names_in_ : ndarray of str
    n_features_in_ : int

    Notes
    -----
    Output columns are named ``<input>`` (numeric and boolean), ``<input>_<level>``
    (one-hot) and ``<input>_missing`` (indicators), so that explanations can map
    every output column back to its input column. Categories first seen at
    prediction time get all-zero one-hot columns. One-hot encoding keeps every
    level (no reference level) unless ``drop_first``; penalised models handle the
    collinearity.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"age": [50.0, None, 70.0], "sex": ["F", "M", "F"]})
    >>> Preprocessor(add_indicator=True).fit_transform(X).columns.tolist()
    ['age', 'age_missing', 'sex_F', 'sex_M']
    """

    _parameter_constraints = {
        "scale": ["boolean"],
        "add_indicator": ["boolean"],
        "impute": ["boolean"],
        "drop_first": ["boolean"],
    }

    def __init__(self, scale=True, add_indicator=False, impute=True, drop_first=False):
        self.scale = scale
        self.add_indicator = add_indicator
        self.impute = impute
        self.drop_first = drop_first

    def _make_transformer(self) -> ColumnTransformer:
        numeric_steps = []
        if self.impute:
            numeric_steps.append(("impute", SimpleImputer(strategy="median")))
        else:
            numeric_steps.append(
                ("as_float", FunctionTransformer(_as_float, feature_names_out="one-to-one"))
            )
        if self.scale:
            numeric_steps.append(("scale", StandardScaler()))
        transformers = [
            ("numeric", Pipeline(numeric_steps), make_column_selector(dtype_include=NUMERIC_DTYPES))
        ]
        if self.add_indicator:
            transformers.append(
                ("missing", _MissingIndicator(), make_column_selector(dtype_include=NUMERIC_DTYPES))
            )
        transformers.append(
            (
                "categorical",
                Pipeline(
                    [
                        (
                            "missing_as_nan",
                            FunctionTransformer(
                                _as_object_with_nan, feature_names_out="one-to-one"
                            ),
                        ),
                        *(
                            [("impute", SimpleImputer(strategy="most_frequent"))]
                            if self.impute
                            else []
                        ),
                        (
                            "onehot",
                            OneHotEncoder(
                                handle_unknown="ignore",
                                sparse_output=False,
                                drop="first" if self.drop_first else None,
                            ),
                        ),
                    ]
                ),
                make_column_selector(dtype_include=CATEGORICAL_DTYPES),
            )
        )
        return ColumnTransformer(
            transformers, remainder="drop", verbose_feature_names_out=False
        ).set_output(transform="pandas")

    def fit(self, X, y=None):
        """Learn imputation values, scaling and category levels from ``X``.

        Parameters
        ----------
        X : pandas.DataFrame
        y : ignored

        Returns
        -------
        self
        """
        self._fit(X)
        return self

    def _fit(self, X) -> pd.DataFrame:
        self._validate_params()
        X = _check_frame(X, "Preprocessor")
        transformer = self._make_transformer()
        Xt = transformer.fit_transform(X)
        self.column_transformer_ = transformer
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = X.shape[1]
        numeric = make_column_selector(dtype_include=NUMERIC_DTYPES)(X)
        categorical = make_column_selector(dtype_include=CATEGORICAL_DTYPES)(X)
        self.numeric_columns_ = list(numeric)
        self.categorical_columns_ = list(categorical)
        kept = set(numeric) | set(categorical)
        self.dropped_columns_ = [c for c in X.columns if c not in kept]
        return Xt

    def fit_transform(self, X, y=None):
        """Fit to ``X`` and return the transformed DataFrame."""
        return self._fit(X)

    def transform(self, X):
        """Apply the learned preprocessing.

        Parameters
        ----------
        X : pandas.DataFrame
            With the columns seen in ``fit``.

        Returns
        -------
        Xt : pandas.DataFrame
            Same index as ``X``; columns as in :meth:`get_feature_names_out`.
        """
        check_is_fitted(self, "column_transformer_")
        X = _check_frame(X, "Preprocessor")
        return self.column_transformer_.transform(X)

    def get_feature_names_out(self, input_features=None):
        """Output column names (``<input>``, ``<input>_<level>``, ``<input>_missing``)."""
        check_is_fitted(self, "column_transformer_")
        return np.asarray(self.column_transformer_.get_feature_names_out(), dtype=object)


def make_preprocessor(
    scale: bool = True,
    add_indicator: bool = False,
    impute: bool = True,
    drop_first: bool = False,
) -> Preprocessor:
    """The standard riskml preprocessing step (see :class:`Preprocessor`).

    Parameters
    ----------
    scale : bool, default=True
        Standardise numeric columns.
    add_indicator : bool, default=False
        Add ``<input>_missing`` indicator columns.
    impute : bool, default=True
        False keeps missing values (NaN; categorical ones as ``<input>_nan``).
    drop_first : bool, default=False
        Leave out each categorical column's first level (the reference level).

    Returns
    -------
    Preprocessor
        Unfitted.
    """
    return Preprocessor(
        scale=scale, add_indicator=add_indicator, impute=impute, drop_first=drop_first
    )
