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

from ._base import validate_parameters
from ._frame_checks import check_feature_frame, check_numeric_still_numeric, warn_unseen_levels

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


def _levels_seen(column: pd.Series, name) -> list:
    """The non-missing levels of one categorical column, in encoding order.

    A pandas Categorical keeps the order of its categories (as R keeps a factor's
    levels); any other column is sorted (Python's order: by code point for text).
    Levels absent from the column are left out (R's ``droplevels``).
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.remove_unused_categories().cat.categories.tolist()
    values = pd.unique(column.dropna().astype(object))
    try:
        return sorted(values)
    except TypeError:
        kinds = sorted({type(value).__name__ for value in values})
        raise TypeError(
            f"categorical column {name!r} mixes value types {kinds}, which have no common "
            "order for one-hot encoding. Convert it to one type, e.g. "
            f"X[{name!r}].astype(str), or to a pandas Categorical with the level order you "
            "want."
        ) from None


def _find_level(levels, level):
    """The element of ``levels`` equal to ``level`` (or, failing that, to its text), or None."""
    for candidate in levels:
        try:
            if bool(candidate == level):
                return candidate
        except (TypeError, ValueError):
            continue
    by_text = [candidate for candidate in levels if str(candidate) == str(level)]
    return by_text[0] if len(by_text) == 1 else None


def _match_level(levels: list, level, column: pd.Series, name):
    """The level of ``levels`` (those seen in fit) that ``level`` names."""
    found = _find_level(levels, level)
    if found is not None:
        return found
    declared = (
        column.cat.categories.tolist() if isinstance(column.dtype, pd.CategoricalDtype) else []
    )
    if _find_level(declared, level) is not None:
        raise ValueError(
            f"reference level {level!r} of column {name!r} is one of its categories but no "
            f"row in this fit has it (a rare level can be missing from a cross-validation "
            f"fold or bootstrap resample); the levels seen are {levels}. Choose a more "
            "common reference level."
        )
    raise ValueError(
        f"reference level {level!r} of column {name!r} was not seen in fit; the levels "
        f"seen are {levels}. Pass one of them in reference_levels."
    )


def _check_reference_columns(reference_levels: dict, X: pd.DataFrame, categorical: list):
    for name in reference_levels:
        if name in categorical:
            continue
        if name not in X.columns:
            raise ValueError(
                f"reference_levels names the column {name!r}, which is not in the data; the "
                f"categorical columns are {list(categorical)}."
            )
        raise ValueError(
            f"reference_levels names the column {name!r}, which has dtype {X[name].dtype} and "
            "is not one-hot encoded; only categorical columns (object, category or string "
            f"dtype) have a reference level. Convert it (X[{name!r}].astype('category')) or "
            "leave it out of reference_levels."
        )


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
        Leave out the first level of every categorical column (see Notes for the
        level order): the reference level of an unpenalised regression (e.g. the
        Cox model), whose coefficients are then "level vs reference".
    reference_levels : dict, optional
        An explicit reference level per column, e.g. ``{"age_group": "<=20"}``:
        the level becomes the column's first level, as R's
        ``relevel(x, ref = "<=20")``, and so the one left out with
        ``drop_first=True`` (without it, the level only comes first among the
        column's one-hot columns). Keys must be categorical columns and values
        levels seen in ``fit`` (a level may also be given as its text, e.g.
        ``"1"`` for the level ``1``, as a YAML file writes it); anything else
        raises a ``ValueError`` naming the column, the level given and the levels
        seen, as does a reference level absent from the training rows (a rare
        level can be missing from a cross-validation fold or a bootstrap
        resample: choose a common one).

    Attributes
    ----------
    column_transformer_ : sklearn.compose.ColumnTransformer
        The fitted transformer.
    numeric_columns_, categorical_columns_ : list of str
        The input columns of each kind.
    dropped_columns_ : list of str
        Input columns of any other dtype (e.g. datetimes), which are dropped.
    levels_ : dict of str to list
        For each one-hot-encoded input column, its levels seen in ``fit`` in the
        order of its output columns, the reference first (the missing level of
        ``impute=False``, always last, not included).
    reference_levels_ : dict of str to object
        Input column -> the level left out as its reference; empty unless
        ``drop_first``.
    feature_names_in_ : ndarray of str
    n_features_in_ : int

    Notes
    -----
    Output columns are named ``<input>`` (numeric and boolean), ``<input>_<level>``
    (one-hot) and ``<input>_missing`` (indicators), so that explanations can map
    every output column back to its input column. Categories first seen at
    prediction time get all-zero one-hot columns (with ``drop_first``, the same
    row as the reference). One-hot encoding keeps every level (no reference
    level) unless ``drop_first``; penalised models handle the collinearity.

    Level order, and so the reference level: a pandas ``Categorical`` column
    (ordered, or unordered with the categories you gave it) keeps the order of
    its categories, like the levels of an R factor, so its first category is the
    reference: ``pd.Categorical(x, categories=["<=20", "20-50", ">50"],
    ordered=True)`` corresponds to ``factor(x, levels = c("<=20", "20-50",
    ">50"))``. Any other categorical column is sorted, which is also R's default
    for a character vector (``factor(x)`` sorts its unique values). Python sorts
    text by code point, as R does with ``LC_COLLATE=C``; R in other locales
    collates (e.g. ignoring punctuation), so for text such as ``"<=20"`` and
    ``"20-50"`` the two can disagree (code point order puts ``"20-50"`` first):
    make such a column an ordered Categorical or name its reference in
    ``reference_levels``. Categories never seen in ``fit`` get no column (R's
    ``droplevels``); the first category *seen* is then the reference. Only the
    order of a Categorical is used, not its ordinal meaning: the coding is
    treatment (dummy) coding, R's ``contr.treatment``, never ``contr.poly``
    (which R's ``model.matrix`` applies to an *ordered* factor by default).

    References
    ----------
    Chambers JM, Hastie TJ, eds. Statistical Models in S. Wadsworth; 1992.
    Chapter 2 (factors, contrasts and the model matrix).

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"age": [50.0, None, 70.0], "sex": ["F", "M", "F"]})
    >>> Preprocessor(add_indicator=True).fit_transform(X).columns.tolist()
    ['age', 'age_missing', 'sex_F', 'sex_M']
    >>> groups = pd.Categorical(
    ...     ["20-50", "<=20", ">50"], categories=["<=20", "20-50", ">50"], ordered=True
    ... )
    >>> prep = Preprocessor(drop_first=True).fit(pd.DataFrame({"age_group": groups}))
    >>> prep.get_feature_names_out().tolist(), prep.reference_levels_
    (['age_group_20-50', 'age_group_>50'], {'age_group': '<=20'})
    """

    _parameter_constraints = {
        "scale": ["boolean"],
        "add_indicator": ["boolean"],
        "impute": ["boolean"],
        "drop_first": ["boolean"],
        "reference_levels": [dict, None],
    }

    def __init__(
        self,
        scale=True,
        add_indicator=False,
        impute=True,
        drop_first=False,
        reference_levels=None,
    ):
        self.scale = scale
        self.add_indicator = add_indicator
        self.impute = impute
        self.drop_first = drop_first
        self.reference_levels = reference_levels

    def _make_transformer(self, categorical: list, categories: list) -> ColumnTransformer:
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
                                categories=categories,
                                handle_unknown="ignore",
                                sparse_output=False,
                                drop="first" if self.drop_first else None,
                            ),
                        ),
                    ]
                ),
                categorical,
            )
        )
        return ColumnTransformer(
            transformers, remainder="drop", verbose_feature_names_out=False
        ).set_output(transform="pandas")

    def _categories(self, X: pd.DataFrame, categorical: list):
        """Levels of each categorical column (reference first) and the encoder's categories.

        Returns the levels by column, and the encoder's category arrays of the columns
        that reach it (SimpleImputer drops a column with no observed value), with the
        missing level NaN last when missing values are kept.
        """
        references = dict(self.reference_levels or {})
        _check_reference_columns(references, X, categorical)
        levels, categories = {}, []
        for name in categorical:
            seen = _levels_seen(X[name], name)
            if name in references:
                reference = _match_level(seen, references[name], X[name], name)
                seen = [reference, *(level for level in seen if level is not reference)]
            has_missing = bool(X[name].isna().any())
            if self.impute and not seen:
                continue
            levels[name] = seen
            encoded = [*seen, np.nan] if has_missing and not self.impute else seen
            array = np.empty(len(encoded), dtype=object)
            array[:] = encoded
            categories.append(array)
        return levels, categories

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
        validate_parameters(self, "Preprocessor(scale=True, reference_levels={'sex': 'F'})")
        X = check_feature_frame(X, "Preprocessor")
        numeric = make_column_selector(dtype_include=NUMERIC_DTYPES)(X)
        categorical = make_column_selector(dtype_include=CATEGORICAL_DTYPES)(X)
        levels, categories = self._categories(X, categorical)
        transformer = self._make_transformer(list(categorical), categories)
        Xt = transformer.fit_transform(X)
        self.column_transformer_ = transformer
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = X.shape[1]
        self.numeric_columns_ = list(numeric)
        self.categorical_columns_ = list(categorical)
        kept = set(numeric) | set(categorical)
        self.dropped_columns_ = [c for c in X.columns if c not in kept]
        self.levels_ = levels
        self.reference_levels_ = {}
        if levels:
            encoder = transformer.named_transformers_["categorical"].named_steps["onehot"]
            if encoder.drop_idx_ is not None:
                for name, cats, index in zip(
                    levels, encoder.categories_, encoder.drop_idx_, strict=True
                ):
                    if index is not None:
                        self.reference_levels_[name] = cats[index]
        return Xt

    def fit_transform(self, X, y=None):
        """Fit to ``X`` and return the transformed DataFrame."""
        return self._fit(X)

    def check_input(self, X) -> None:
        """Check ``X`` as :meth:`fit` does, without fitting.

        A :class:`~riskml.models.RiskPipeline` calls it on every row it is given before
        it leaves out the patients without a label at its horizon, so that the row
        positions its messages quote are those of the table the user passed.

        Raises
        ------
        TypeError, ValueError
            Naming the column(s), the row positions and the fix (see :meth:`fit`).
        """
        validate_parameters(self, "Preprocessor(scale=True, reference_levels={'sex': 'F'})")
        check_feature_frame(X, "Preprocessor")

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
        who = "Preprocessor.transform"
        X = check_feature_frame(
            X,
            who,
            numeric=self.numeric_columns_,
            categorical=self.categorical_columns_,
            fitted_columns=[*self.numeric_columns_, *self.categorical_columns_],
        )
        check_numeric_still_numeric(X, self.numeric_columns_, who)
        warn_unseen_levels(X, self.levels_, who)
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
    reference_levels: dict | None = None,
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
        Leave out each categorical column's first level (the reference level: a
        Categorical's first category, otherwise the first in sorted order).
    reference_levels : dict, optional
        Input column -> its reference level (made the column's first level, as R's
        ``relevel``), e.g. ``{"age_group": "<=20"}``.

    Returns
    -------
    Preprocessor
        Unfitted.

    Examples
    --------
    >>> import riskml as rk
    >>> from riskml.features import make_preprocessor
    >>> cohort = rk.cohorts.load_heart_failure_clinical_records()
    >>> Xt = make_preprocessor().fit_transform(cohort.features)
    >>> Xt.shape, round(float(Xt["age"].mean()), 6)
    ((299, 11), 0.0)
    """
    return Preprocessor(
        scale=scale,
        add_indicator=add_indicator,
        impute=impute,
        drop_first=drop_first,
        reference_levels=reference_levels,
    )
