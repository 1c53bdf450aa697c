"""Checks of the rows to explain against what the pipeline was fitted on.

New patients (rows that were not in the training cohort) are checked before they
are explained: the columns must be the training columns, categorical values must
be levels seen in training (a one-hot encoder would silently turn an unseen level
into "all levels absent"), and numbers must not lie wildly outside the training
range, which is how a unit error shows (cholesterol 5.2 mmol/L where the model
was trained on 150-300 mg/dL).
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
import pandas as pd

__all__ = ["check_new_patients", "UNIT_FACTORS"]

#: ``(factor, what, keywords)``: multiplying a value by ``factor`` converts it as
#: ``what`` says; ``keywords`` are column-name fragments the conversion usually goes with.
#: A value outside the training range that lands inside it after one of these is
#: reported with that conversion as the likely unit error.
UNIT_FACTORS = (
    (38.67, "cholesterol mmol/L -> mg/dL", ("chol", "hdl", "ldl")),
    (88.57, "triglycerides mmol/L -> mg/dL", ("trig", "tg")),
    (18.016, "glucose mmol/L -> mg/dL", ("gluc",)),
    (1 / 88.4, "creatinine umol/L -> mg/dL", ("creat",)),
    (88.4, "creatinine mg/dL -> umol/L", ("creat",)),
    (2.801, "urea mmol/L -> BUN mg/dL", ("bun", "urea")),
    (0.1, "haemoglobin g/L -> g/dL", ("hemo", "haemo", "hgb", "hb")),
    (10.0, "haemoglobin g/dL -> g/L", ("hemo", "haemo", "hgb", "hb")),
    (1 / 2.2046, "weight lb -> kg", ("weight", "wt")),
    (2.54, "height in -> cm", ("height",)),
    (100.0, "height m -> cm", ("height",)),
    (7.50062, "pressure kPa -> mmHg", ("sbp", "dbp", "bp", "pressure")),
    (100.0, "a fraction -> percent", ("pct", "percent", "ef")),
    (0.01, "a percent -> fraction", ()),
    (1 / 12, "age months -> years", ("age",)),
    (1 / 365.25, "age days -> years", ("age",)),
)

#: A value is "wildly outside" a positive training range [lo, hi] below lo / 4 or
#: above 4 hi; for a range reaching 0 or below, farther than 3 range widths out.
RANGE_FACTOR = 4.0
RANGE_WIDTHS = 3.0


def _encoders(step, found):
    """Fitted scikit-learn OneHotEncoders anywhere inside ``step`` (pipelines, column transformers)."""
    from sklearn.preprocessing import OneHotEncoder

    if isinstance(step, OneHotEncoder) and hasattr(step, "categories_"):
        found.append(step)
        return found
    for attribute in ("steps", "transformers_"):
        for item in getattr(step, attribute, None) or []:
            _encoders(item[1], found)
    inner = getattr(step, "column_transformer_", None)
    if inner is not None:
        _encoders(inner, found)
    return found


def _known_levels(pipeline) -> dict:
    """Input column -> set of levels the pipeline's encoders were fitted on."""
    levels: dict = {}
    for encoder in _encoders(pipeline, []):
        names = getattr(encoder, "feature_names_in_", None)
        if names is None:
            continue
        for name, categories in zip(names, encoder.categories_, strict=True):
            known = {c for c in categories if not (isinstance(c, float) and np.isnan(c))}
            levels.setdefault(str(name), set()).update(known)
    return levels


def _expected_columns(pipeline, background):
    names = None
    try:
        names = getattr(pipeline, "feature_names_in_", None)
    except AttributeError:  # a Pipeline whose first step has none
        names = None
    if names is not None:
        return [str(c) for c in names]
    if background is not None:
        return [str(c) for c in background.columns]
    return None


def _unit_hint(column: str, values: np.ndarray, low: float, high: float, median: float) -> str:
    """The conversion in :data:`UNIT_FACTORS` that best brings ``values`` back in range.

    Candidates put every value within [low / 2, 2 high]; those whose keywords
    appear in the column name come first, then the one landing closest to the
    training median (on the log scale).
    """
    name = column.lower()
    candidates = []
    for factor, what, keywords in UNIT_FACTORS:
        converted = values * factor
        if np.all((converted >= low / 2) & (converted <= high * 2)) and median > 0:
            distance = abs(np.log(np.median(converted) / median)) if np.all(converted > 0) else 1e9
            named = any(k in name for k in keywords)
            candidates.append((not named, distance, factor, what))
    if not candidates:
        return " Check the unit and the value."
    _, _, factor, what = min(candidates)
    return f" x {factor:.4g} ({what}) brings them into it: check the unit."


def check_new_patients(pipeline, X: pd.DataFrame, background: pd.DataFrame | None) -> None:
    """Refuse rows that do not match the data the pipeline was fitted on.

    Parameters
    ----------
    pipeline : fitted pipeline or estimator
    X : pandas.DataFrame
        The rows to explain.
    background : pandas.DataFrame or None
        The training data (for the ranges, and for the columns when the pipeline
        does not record them); None skips the range check.

    Raises
    ------
    ValueError
        Missing or extra columns, levels unseen in training, or numbers wildly
        outside the training range (with the unit conversion that would explain
        them, when one does).

    Examples
    --------
    >>> import riskml as rk
    >>> from riskml.explain import check_new_patients
    >>> cohort = rk.cohorts.load_heart_failure_clinical_records()
    >>> X, y = cohort.features, cohort.outcome.event
    >>> fitted = rk.models.make_model("logistic").fit(X, y)
    >>> check_new_patients(fitted, X.head(5), X)  # rows like the training data: no error
    >>> try:
    ...     check_new_patients(fitted, X.head(5).drop(columns="age"), X)
    ... except ValueError as error:
    ...     print(error)  # doctest: +ELLIPSIS
    X lacks 1 column(s) the pipeline was fitted on: ['age']. Add them (NaN ...).
    """
    _check_columns(pipeline, X, background)
    _check_levels(pipeline, X, background)
    if background is not None:
        _check_ranges(X, background)


def _check_columns(pipeline, X: pd.DataFrame, background) -> None:
    """The columns of ``X`` are those the pipeline was fitted on."""
    columns = [str(c) for c in X.columns]
    expected = _expected_columns(pipeline, background)
    if expected is None:
        return
    missing = [c for c in expected if c not in columns]
    extra = [c for c in columns if c not in expected]
    if missing:
        raise ValueError(
            f"X lacks {len(missing)} column(s) the pipeline was fitted on: {missing[:10]}. "
            "Add them (NaN where unknown, if the model imputes missing values)."
        )
    if extra:
        raise ValueError(
            f"X has {len(extra)} column(s) the pipeline was not fitted on: {extra[:10]}. "
            "Drop them, e.g. X[pipeline.feature_names_in_]."
        )


def _check_levels(pipeline, X: pd.DataFrame, background) -> None:
    """Every category level of ``X`` was seen in training."""
    levels = _known_levels(pipeline)
    if not levels and background is not None:
        levels = {
            str(c): set(background[c].dropna().unique())
            for c in background.columns
            if not (pd.api.types.is_numeric_dtype(background[c]))
        }
    problems = []
    for column, known in levels.items():
        if column not in X.columns or not known:
            continue
        values = X[column]
        unseen = values.notna() & ~values.isin(list(known))
        if unseen.any():
            bad = sorted(map(str, pd.unique(values[unseen])))[:5]
            problems.append(
                f"{column}: {bad} (row positions {np.flatnonzero(unseen.to_numpy())[:5].tolist()}; "
                f"training levels {sorted(map(str, known))[:10]})"
            )
    if problems:
        raise ValueError(
            "X has category level(s) never seen in training, which the model would encode "
            "as 'no level' without a warning: "
            + "; ".join(problems)
            + ". Recode them to a training level, or to missing (NaN)."
        )


def _outside_range(column, new: pd.Series, train: pd.Series) -> str | None:
    """A sentence on the values of ``new`` far outside the range of ``train``, or None."""
    if not (pd.api.types.is_numeric_dtype(train) and pd.api.types.is_numeric_dtype(new)):
        return None
    if pd.api.types.is_bool_dtype(train):
        return None
    train_values = train.to_numpy(dtype=float)
    train_values = train_values[np.isfinite(train_values)]
    if train_values.size == 0:
        return None
    low, high = float(train_values.min()), float(train_values.max())
    values = new.to_numpy(dtype=float)
    if low > 0:
        outside = (values < low / RANGE_FACTOR) | (values > high * RANGE_FACTOR)
    else:
        width = max(high - low, 1e-12)
        outside = (values < low - RANGE_WIDTHS * width) | (values > high + RANGE_WIDTHS * width)
    outside &= np.isfinite(values)
    if not outside.any():
        return None
    bad = values[outside]
    return (
        f"{column}: {np.unique(bad)[:5].tolist()} at row positions "
        f"{np.flatnonzero(outside)[:5].tolist()}, training range {low:.4g} to "
        f"{high:.4g};{_unit_hint(str(column), bad, low, high, float(np.median(train_values)))}"
    )


def _check_ranges(X: pd.DataFrame, background: pd.DataFrame) -> None:
    """No number of ``X`` is wildly outside the training range (a unit error)."""
    problems = [
        _outside_range(column, X[column], background[column])
        for column in X.columns
        if column in background.columns
    ]
    problems = [p for p in problems if p is not None]
    if problems:
        raise ValueError(
            "X has values far outside the training data (a unit error?): "
            + " ".join(problems)
            + " Convert them, or pass check_input=False to explain them anyway."
        )


def row_positions(rows, max_rows, n, random_state) -> np.ndarray:
    """The row positions of ``X`` that :func:`explain_pipeline` explains (``rows=``)."""
    if max_rows is not None:
        if isinstance(max_rows, bool) or not isinstance(max_rows, Integral):
            raise TypeError(f"max_rows must be an int or None; got {type(max_rows).__name__}.")
        if max_rows < 1:
            raise ValueError(f"max_rows must be >= 1 or None; got {max_rows}.")
        if rows is not None:
            raise ValueError("pass rows or max_rows (its old name), not both.")
        rows = int(max_rows)
    if rows is None:
        return np.arange(n)
    if isinstance(rows, Integral) and not isinstance(rows, bool):
        if rows < 1:
            raise ValueError(f"rows must be >= 1, an array of row positions, or None; got {rows}.")
        if rows >= n:
            return np.arange(n)
        rng = np.random.default_rng(random_state)
        return np.sort(rng.choice(n, size=int(rows), replace=False))
    positions = np.asarray(rows)
    if (
        positions.dtype == bool
        or positions.ndim != 1
        or not np.issubdtype(positions.dtype, np.integer)
    ):
        raise TypeError(
            "rows must be None (every row), an int (that many rows, sampled with "
            "random_state) or a 1-D array of integer row positions; got "
            f"{type(rows).__name__}."
        )
    if positions.size and (positions.min() < 0 or positions.max() >= n):
        raise ValueError(f"rows holds positions outside 0..{n - 1}: X has {n} rows.")
    return np.unique(positions)
