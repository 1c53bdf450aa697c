"""Checks of a feature table before it is fitted or transformed (one message style).

Every message names the column(s), the rows (0-based positions, never a patient's
value or index label), the rule broken and the fix. Values are described by their
types and counts, not quoted: a cell may identify a patient.
"""

from __future__ import annotations

import difflib
import numbers
import warnings

import numpy as np
import pandas as pd

__all__ = ["check_feature_frame", "check_numeric_still_numeric", "warn_unseen_levels"]

# A measurement this large is an error (an overflow, a unit mistake, a sentinel such as
# 1e308); it would overflow the scaler's variance and the float32 of tree models.
MAX_MAGNITUDE = 1e38


def _positions(mask) -> list[int]:
    return np.flatnonzero(np.asarray(mask))[:5].tolist()


def _listed(names) -> str:
    names = [str(name) for name in names]
    shown = ", ".join(repr(name) for name in names[:10])
    return shown + (f" and {len(names) - 10} more" if len(names) > 10 else "")


def _kind(value) -> str:
    """'missing', 'number', 'text' or the type name of anything else."""
    if value is None or value is pd.NA or value is pd.NaT:
        return "missing"
    if isinstance(value, float | np.floating) and np.isnan(value):
        return "missing"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool | np.bool_ | numbers.Real):
        return "number"
    return type(value).__name__


def _check_shape(X: pd.DataFrame, who: str, fitting: bool) -> None:
    if X.shape[0] == 0:
        if fitting:
            raise ValueError(
                f"{who}: X has no rows (an empty cohort: 0 patients, {X.shape[1]} columns), so "
                "there is nothing to fit. Check the filter, exclusion or file that produced it."
            )
        raise ValueError(
            f"{who}: X has no rows (0 patients), so there is nothing to predict. Pass at "
            "least one patient."
        )
    if X.shape[1] == 0:
        raise ValueError(
            f"{who}: X has no columns ({X.shape[0]} rows, 0 predictors). Pass the predictor "
            "columns (e.g. cohort.features)."
        )


def _check_column_names(X: pd.DataFrame, who: str) -> None:
    not_text = [c for c in X.columns if not isinstance(c, str)]
    if not_text:
        raise TypeError(
            f"{who}: the column names of X must be text; {len(not_text)} are not (e.g. "
            f"{not_text[0]!r}, a {type(not_text[0]).__name__}). Name the columns, e.g. "
            "X.columns = [str(c) for c in X.columns], or build X with "
            "pandas.DataFrame(values, columns=names)."
        )
    counts = pd.Index(X.columns).value_counts()
    repeated = counts[counts > 1]
    if len(repeated):
        raise ValueError(
            f"{who}: X has repeated column names: {_listed(repeated.index)} "
            f"({', '.join(str(n) for n in repeated.to_numpy()[:10])} times); every column needs "
            "its own name. Drop or rename the copies, e.g. "
            "X.loc[:, ~X.columns.duplicated()]."
        )


def _check_numeric_values(X: pd.DataFrame, columns: list, who: str) -> None:
    complex_columns = [c for c in columns if X[c].dtype.kind == "c"]
    if complex_columns:
        raise TypeError(
            f"{who}: column(s) {_listed(complex_columns)} hold complex numbers; a predictor "
            "must be a real number. Keep the real part (X[col].to_numpy().real) or fix the "
            "computation that produced them."
        )
    floats = [c for c in columns if X[c].dtype.kind == "f"]
    if not floats:
        return
    values = X[floats].to_numpy(dtype=float)
    infinite = np.isinf(values)
    if infinite.any():
        bad = [floats[j] for j in np.flatnonzero(infinite.any(axis=0))]
        rows = _positions(infinite.any(axis=1))
        raise ValueError(
            f"{who}: column(s) {_listed(bad)} hold {int(infinite.sum())} infinite value(s) "
            f"(rows at positions {rows}{', ...' if infinite.any(axis=1).sum() > 5 else ''}); "
            "a predictor must be a finite number, and a missing one is NaN. Replace them, "
            "e.g. X[cols] = X[cols].replace([np.inf, -np.inf], np.nan) (then imputed), or fix "
            "the computation (an infinity usually comes from a division by zero)."
        )
    with np.errstate(invalid="ignore"):
        huge = np.abs(values) > MAX_MAGNITUDE
    if huge.any():
        bad = [floats[j] for j in np.flatnonzero(huge.any(axis=0))]
        raise ValueError(
            f"{who}: column(s) {_listed(bad)} hold {int(huge.sum())} value(s) beyond "
            f"+/-{MAX_MAGNITUDE:.0e} (rows at positions {_positions(huge.any(axis=1))}), too "
            "large to be measurements (an overflow, a unit error or a sentinel code). Replace "
            "them with NaN if they mean 'missing', or fix their unit."
        )


def _check_categorical_values(X: pd.DataFrame, columns: list, who: str) -> None:
    for name in columns:
        column = X[name]
        values = column.cat.categories if isinstance(column.dtype, pd.CategoricalDtype) else column
        inferred = pd.api.types.infer_dtype(values, skipna=True)
        if inferred in ("empty", "boolean", "integer", "floating", "decimal"):
            continue
        if inferred == "string":
            if not isinstance(column.dtype, pd.CategoricalDtype):
                _check_numbers_as_text(column, name, who)
            continue
        kinds = pd.Series([_kind(v) for v in values], index=range(len(values)))
        present = kinds[kinds != "missing"]
        counts = present.value_counts()
        others = [k for k in counts.index if k not in ("text", "number")]
        described = ", ".join(f"{int(n)} {k}" for k, n in counts.items())
        where = "categories" if isinstance(column.dtype, pd.CategoricalDtype) else "values"
        if others:
            raise TypeError(
                f"{who}: column {name!r} holds {where} of a type riskml cannot encode "
                f"({described}); a categorical predictor holds text (or numbers). Convert it, "
                f"e.g. X[{name!r}] = X[{name!r}].astype(str)"
                + (f" (bytes: X[{name!r}].str.decode('utf-8'))" if "bytes" in others else "")
                + "."
            )
        if "text" in counts.index and "number" in counts.index:
            minority = "text" if counts["text"] <= counts["number"] else "number"
            rows = _positions((kinds == minority).to_numpy())
            raise TypeError(
                f"{who}: column {name!r} mixes numbers and text ({described} {where}; the "
                f"{minority} ones at positions {rows}), which have no common order. If "
                f"{name!r} is a measurement, the text entries are probably codes for "
                f"missing values or typos: fix them, or make them missing with "
                f"X[{name!r}] = pandas.to_numeric(X[{name!r}], errors='coerce'). If it is "
                f"categorical, make every value text: X[{name!r}] = X[{name!r}].astype(str)."
            )


# A text column with more distinct values than this, all of them numbers written as text,
# is a measurement read as text (one-hot encoding it would make a column per value).
MAX_NUMERIC_TEXT_LEVELS = 20


def _check_numbers_as_text(column: pd.Series, name: str, who: str) -> None:
    """A text column that is really numeric: refuse it (or warn of a stray number)."""
    # each distinct value is parsed once (a categorical column repeats a few values on
    # every row): the same flags as parsing the column, in a fraction of the time
    codes, distinct_values = pd.factorize(column)
    present = codes >= 0
    parsed = pd.to_numeric(pd.Series(distinct_values, dtype=object), errors="coerce")
    numbers = np.zeros(len(column), dtype=bool)
    numbers[present] = parsed.notna().to_numpy()[codes[present]]
    n_numbers = int(numbers.sum())
    if n_numbers == 0:
        return
    not_numbers = present & ~numbers
    n_text = int(not_numbers.sum())
    if n_text == 0:
        distinct = len(distinct_values)
        if distinct > MAX_NUMERIC_TEXT_LEVELS:
            raise TypeError(
                f"{who}: column {name!r} holds numbers written as text ({distinct} distinct "
                "values, e.g. from a file where they were quoted); as text it would become "
                f"{distinct} one-hot columns. Convert it: X[{name!r}] = "
                f"pandas.to_numeric(X[{name!r}]); if it really is a category code, make it "
                f"categorical: X[{name!r}] = X[{name!r}].astype('category')."
            )
        return
    if n_numbers >= n_text:
        raise TypeError(
            f"{who}: column {name!r} looks numeric ({n_numbers} values read as numbers) but "
            f"{n_text} value(s) are not numbers (rows at positions {_positions(not_numbers)}), "
            f"so the whole column was read as text. If {name!r} is a measurement, those "
            "entries are probably codes for missing values or typos: fix them, or make them "
            f"missing with X[{name!r}] = pandas.to_numeric(X[{name!r}], errors='coerce'). If "
            f"it is categorical, make it so explicitly: X[{name!r}] = "
            f"X[{name!r}].astype('category')."
        )
    warnings.warn(
        f"{who}: column {name!r} is text, but {n_numbers} of its values read as numbers (rows "
        f"at positions {_positions(numbers)}); each becomes a level of its own. If they are "
        "typos or codes for missing values, fix them.",
        UserWarning,
        stacklevel=4,
    )


def check_feature_frame(
    X, who: str, *, numeric=None, categorical=None, fitted_columns=None
) -> pd.DataFrame:
    """``X`` if it is a feature table riskml can fit or transform; a clear error if not.

    Parameters
    ----------
    X : pandas.DataFrame
    who : str
        The caller, named in messages.
    numeric, categorical : list of str, optional
        The columns of each kind (read from the dtypes when None).
    fitted_columns : sequence of str, optional
        At prediction time: the columns seen in ``fit``; a missing one is named.
    """
    if not isinstance(X, pd.DataFrame):
        raise TypeError(
            f"{who} needs a pandas DataFrame (columns are chosen by dtype and named in the "
            f"output); got {type(X).__name__}. Wrap the array with pandas.DataFrame(X, "
            "columns=names)."
        )
    _check_shape(X, who, fitting=fitted_columns is None)
    _check_column_names(X, who)
    if fitted_columns is not None:
        missing = [c for c in fitted_columns if c not in X.columns]
        if missing:
            hints = []
            for name in missing[:5]:
                close = difflib.get_close_matches(
                    name, [str(c) for c in X.columns if c not in fitted_columns], n=1
                )
                if close:
                    hints.append(f"{close[0]!r} for {name!r}?")
            raise ValueError(
                f"{who}: X lacks {len(missing)} column(s) the model was fitted with: "
                f"{_listed(missing)}. Pass every column used in fit (same names)"
                + (f"; renamed? {' '.join(hints)}" if hints else "")
                + "."
            )
    if numeric is None:
        numeric = [c for c in X.columns if X[c].dtype.kind in "biufc"]
    if categorical is None:
        categorical = [
            c
            for c in X.columns
            if X[c].dtype == object or isinstance(X[c].dtype, pd.CategoricalDtype | pd.StringDtype)
        ]
    _check_numeric_values(X, [c for c in numeric if c in X.columns], who)
    _check_categorical_values(X, [c for c in categorical if c in X.columns], who)
    return X


def _not_numbers(values) -> np.ndarray:
    """Which non-missing values are neither numbers nor text that reads as a number."""
    kinds = np.array([_kind(v) for v in values], dtype=object)
    parsed = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").notna().to_numpy()
    return (kinds != "missing") & (kinds != "number") & ~parsed


def check_numeric_still_numeric(X: pd.DataFrame, numeric: list, who: str) -> None:
    """At prediction time: a column numeric in ``fit`` must still hold numbers.

    A file read with one text entry in a numeric column gives a column of text: the
    message counts the entries that are not numbers and gives their positions.
    """
    for name in numeric:
        column = X[name]
        if column.dtype.kind in "biuf":
            continue
        bad = _not_numbers(column.to_numpy())
        if not bad.any():
            raise TypeError(
                f"{who}: column {name!r} held numbers when the model was fitted, but now holds "
                f"text (dtype {column.dtype}) whose every entry reads as a number. Convert it: "
                f"X[{name!r}] = pandas.to_numeric(X[{name!r}])."
            )
        raise TypeError(
            f"{who}: column {name!r} held numbers when the model was fitted, but now holds "
            f"{int(bad.sum())} value(s) that are not numbers (dtype {column.dtype}; rows at "
            f"positions {_positions(bad)}). Fix those entries, or make them missing with "
            f"X[{name!r}] = pandas.to_numeric(X[{name!r}], errors='coerce') (then imputed)."
        )


def warn_unseen_levels(X: pd.DataFrame, levels: dict, who: str) -> None:
    """Warn when none of a categorical column's values were seen in ``fit``.

    Such rows get the all-zero (reference) encoding: right for a rare new level, but
    for a whole column it means the coding changed (e.g. 'F'/'M' became 0/1).
    """
    for name, seen in levels.items():
        if name not in X.columns or not seen:
            continue
        present = X[name].dropna()
        if present.empty:
            continue
        known = {str(level) for level in seen}
        if not present.astype(str).isin(known).any():
            warnings.warn(
                f"{who}: none of the values of column {name!r} ({present.nunique()} distinct) "
                f"is one of the {len(seen)} level(s) seen in fit, so every row gets the "
                "encoding of an unknown level. The coding has probably changed (e.g. text "
                "levels recoded as numbers, or another spelling): recode the column as it was "
                "when the model was fitted.",
                UserWarning,
                stacklevel=3,
            )
