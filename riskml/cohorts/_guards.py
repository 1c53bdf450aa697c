"""Guards against silent wrong answers: leakage, identifiers and malformed columns.

Two places call them. :class:`~riskml.Cohort` checks its columns when it is built
(:func:`check_feature_columns`, and ``check_row_keys`` of ``._columns``): duplicate names, direct
identifiers (names, dates, contact details, record numbers, values distinct in every
row), the outcome itself among the features, numbers written as text and duplicate
ids. :meth:`riskml.Study.run` checks the predictors it is about to fit, once it
knows the horizon (:func:`check_predictors`): columns that (nearly) determine the
outcome, that encode follow-up time or that equal the label at the horizon,
quasi-identifiers (a categorical with many levels, e.g. a postcode), and constant
columns. A predictor the user has checked is exempt by name
(``Study(trusted_predictors=[...])``).

Notes
-----
Leakage rules, on the patients whose outcome is known (all of them for a binary
outcome; the event flag over follow-up, and the label at the horizon on the
evaluable patients, for a time-to-event one):

* a near-deterministic mapping: the best mapping of the column's values to the
  two outcome classes (each value to its majority class, for a column with few
  distinct values; one cut point, for an ordered one; missing versus present)
  leaves at most ``max(2, 5%)`` of the smaller class as exceptions. A univariate
  AUC threshold alone misses a flag with 2 of 96 events recoded (AUC 0.9896), which
  this rule catches with its 2 exceptions;
* a univariate AUC of at least 0.99 in either direction;
* for time-to-event outcomes, an absolute Spearman rank correlation of at least 0.9
  with the follow-up time (a column equal to time / 7 has 1.0).

No rule runs when the smaller class has fewer than 10 patients: a mapping that
good can then arise by chance.

A categorical predictor with more than 20 distinct values is a quasi-identifier
(Sweeney 2002): its rare values (a postcode, a date) single patients out, and they
would reach the report and the model file.

References
----------
Kaufman S, Rosset S, Perlich C, Stitelman O. Leakage in data mining: formulation,
detection, and avoidance. ACM Trans Knowl Discov Data. 2012;6(4):15.

Sweeney L. k-anonymity: a model for protecting privacy. Int J Uncertain Fuzziness
Knowl-Based Syst. 2002;10(5):557-570.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._columns import (
    _describe_numbers_as_text,
    _is_text,
    _numbers_as_text,
    _rows,
    as_numbers,
    identifier_reason,
    user_stacklevel,
)

__all__ = [
    "LEAKAGE_AUC",
    "LEAKAGE_EXCEPTION_SHARE",
    "MIN_CLASS_FOR_LEAKAGE",
    "QUASI_IDENTIFIER_LEVELS",
    "TIME_RANK_CORRELATION",
    "check_feature_columns",
    "check_predictors",
    "separation",
]

#: A univariate AUC at least this high (either direction) is near-perfect separation.
LEAKAGE_AUC = 0.99
#: A mapping leaving at most this share of the smaller class (or 2 patients) as exceptions.
LEAKAGE_EXCEPTION_SHARE = 0.05
LEAKAGE_MIN_EXCEPTIONS = 2
#: Fewer events (or non-events) than this and a near-perfect mapping can be chance.
MIN_CLASS_FOR_LEAKAGE = 10
#: |Spearman rank correlation| with follow-up time at least this high encodes follow-up.
TIME_RANK_CORRELATION = 0.9
#: A categorical predictor with more distinct values than this is a quasi-identifier.
QUASI_IDENTIFIER_LEVELS = 20
#: The value mapping is tried on columns with at most this many distinct values.
MAPPING_MAX_LEVELS = 20
# Text that stands for the event or its absence ("died"/"alive"): safe to quote.
OUTCOME_WORDS = {
    "died",
    "dead",
    "death",
    "deceased",
    "expired",
    "alive",
    "living",
    "survived",
    "survivor",
    "censored",
    "event",
    "no event",
    "yes",
    "no",
    "y",
    "n",
    "true",
    "false",
    "positive",
    "negative",
    "case",
    "control",
    "readmitted",
    "not readmitted",
}


def check_feature_columns(features: pd.DataFrame, outcome, metadata=None) -> None:
    """Refuse duplicate names, identifiers, numbers stored as text and the outcome itself.

    A column given a role other than ``"predictor"`` in ``metadata`` (``"id"``,
    ``"group"``, ``"context"``) may stay in ``features``: it is never a predictor,
    and :meth:`Cohort.table_one` and the report leave it out. A column whose
    metadata ``type`` is ``"cat"`` or ``"str"`` is a category even when its values
    look like numbers.
    """
    duplicated = features.columns[features.columns.duplicated()].unique().tolist()
    if duplicated:
        raise ValueError(
            f"features has duplicate column names {duplicated}; give every column its own name."
        )
    roles, units, types = _metadata_maps(metadata)
    _raise_column_problems(*_column_problems(features, roles, units, types))
    _check_outcome_copies(features, outcome, roles)


def _metadata_maps(metadata):
    """The ``role``, ``unit`` and ``type`` of each column that ``metadata`` describes."""
    roles, units, types = {}, {}, {}
    if metadata is not None and isinstance(metadata, pd.DataFrame):
        if "role" in metadata.columns:
            roles = metadata["role"].dropna().to_dict()
        if "unit" in metadata.columns:
            units = {k: v for k, v in metadata["unit"].dropna().to_dict().items() if v}
        if "type" in metadata.columns:
            types = metadata["type"].dropna().to_dict()
    return roles, units, types


def _column_problems(features: pd.DataFrame, roles: dict, units: dict, types: dict):
    """The feature columns that are identifiers, hold containers, infinite values, time
    spans or numbers written as text (columns of role id, group or context are skipped)."""
    identifiers, as_text, durations, infinite, objects = {}, {}, [], {}, []
    for column in features.columns:
        if roles.get(column, "predictor") in ("id", "group", "context"):
            continue
        series = features[column]
        if pd.api.types.is_timedelta64_dtype(series):
            durations.append(str(column))
            continue
        if (
            pd.api.types.is_object_dtype(series)
            and pd.api.types.infer_dtype(series, skipna=True).startswith("mixed")
            and series.map(lambda v: isinstance(v, list | tuple | dict | set | np.ndarray)).any()
        ):
            objects.append(str(column))
            continue
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            bad = np.isinf(series.to_numpy(dtype=float, na_value=np.nan))
            if bad.any():
                infinite[str(column)] = bad
                continue
        reason = identifier_reason(column, series, column in units)
        if reason is not None:
            identifiers[str(column)] = reason
            continue
        if types.get(column) not in ("cat", "str"):
            info = _numbers_as_text(series)
            if info is not None:
                as_text[str(column)] = info
    return identifiers, objects, infinite, durations, as_text


def _raise_column_problems(identifiers, objects, infinite, durations, as_text) -> None:
    """Refuse the first kind of problem found, listing every column of that kind."""
    if identifiers:
        listed = "; ".join(f"{c!r}: {why}" for c, why in identifiers.items())
        raise ValueError(
            f"features has {len(identifiers)} identifier-like column(s): {listed}. An "
            "identifier is not a predictor (a model can learn from it, and it would reach the "
            "report). Drop it from features and pass it as ids= (row identifier) or groups= "
            "(e.g. subject_id, so that cross-validation keeps a patient's rows together); "
            "derive what you need from dates first (e.g. age at admission, days since the "
            "index date); or keep it as context with metadata role 'context'. A measurement "
            "that is merely distinct in every row (e.g. platelets per microlitre) is accepted "
            "once the metadata gives its unit."
        )
    if objects:
        raise ValueError(
            f"features column(s) {objects} hold lists, tuples, dicts or arrays, not one value "
            "per row; give each value its own column (e.g. pd.DataFrame(features['x']."
            "tolist())), or drop the column."
        )
    if infinite:
        listed = "; ".join(
            f"{c!r}: {int(bad.sum())} row(s) (row positions {_rows(bad)}, from 0)"
            for c, bad in infinite.items()
        )
        raise ValueError(
            f"features has infinite values (inf or -inf), which no model can use: {listed}. "
            "An infinite value is usually a division by zero or an overflow upstream; "
            "correct it, or leave it missing (NaN) so that the models impute it, e.g. "
            "features = features.replace([np.inf, -np.inf], np.nan)."
        )
    if durations:
        raise ValueError(
            f"features column(s) {durations} hold time spans (timedelta); models need "
            "numbers. Convert each to days first, e.g. features['x'] = "
            "features['x'].dt.total_seconds() / 86400."
        )
    if as_text:
        described = "; ".join(_describe_numbers_as_text(c, i) for c, i in as_text.items())
        first = next(iter(as_text))
        raise ValueError(
            f"features has {len(as_text)} column(s) of numbers stored as text: {described}. "
            "Fix the values in the file (plain numbers with a decimal point, no units, "
            "thousands separators or '<'/'>'; leave unknown values empty), or convert "
            f"before building the cohort, e.g. features[{first!r}] = "
            f"pd.to_numeric(features[{first!r}].str.replace(',', '.'), errors='coerce') "
            "(text that is not a number becomes missing: decide first what a bound such "
            "as '<5' should be). If the column is a category whose codes look like "
            "numbers, declare it with metadata type 'cat'."
        )


def _check_outcome_copies(features: pd.DataFrame, outcome, roles=None) -> None:
    """Refuse the outcome, its complement or a text copy of it; warn on a near-copy."""
    roles = roles or {}
    event = outcome.event.astype(float)
    outcome_arrays = {"event flag": event}
    if outcome.time is not None:
        outcome_arrays["follow-up time"] = outcome.time
    both_classes = 0 < event.sum() < len(event)
    for column in features.columns:
        if roles.get(column, "predictor") in ("id", "group", "context"):
            continue
        series = features[column]
        values = as_numbers(series)
        message = None
        if values is not None and not np.isnan(values).any():
            for what, target in outcome_arrays.items():
                if np.array_equal(values, target):
                    message = f"equals the outcome's {what} in every row"
                elif what == "event flag" and np.array_equal(values, 1.0 - target):
                    message = (
                        "is the complement of the outcome's event flag (1 - event) in every row"
                    )
        elif values is None and both_classes and series.notna().all():
            message = _text_copy(series, event)
        if message is not None:
            message = (
                f"feature column {column!r} {message}: a model would be handed the answer. "
                "Drop it from features."
            )
            if len(series) < 50:  # in a tiny cohort a 0/1 column can match by chance
                warnings.warn(message, UserWarning, stacklevel=user_stacklevel())
                continue
            raise ValueError(message)
        if not both_classes or len(series) < 50:
            continue
        found = separation(series, event)
        if found is None:
            continue
        if found.auc is not None and found.auc >= LEAKAGE_AUC:
            warnings.warn(
                f"feature column {column!r} separates events from non-events almost "
                f"perfectly on its own (AUC {found.auc:.3f}): is it recorded after "
                "the outcome, or derived from it? If so, drop it or mark it post_index=True "
                "in the metadata.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        elif found.near_copy:
            warnings.warn(
                f"feature column {column!r} {found.describe('the event flag')}: is it "
                "recorded after the outcome, or derived from it? If so, drop it or mark it "
                "post_index=True in the metadata; Study refuses it as a predictor unless "
                f"you pass trusted_predictors=[{str(column)!r}].",
                UserWarning,
                stacklevel=user_stacklevel(),
            )


def _text_copy(series: pd.Series, event: np.ndarray) -> str | None:
    """A two-level text column that renames the event flag ('died' / 'alive')."""
    codes, levels = pd.factorize(series.astype(str))
    if len(levels) != 2:
        return None
    first = codes == 0
    if np.array_equal(first, event == 1) or np.array_equal(first, event == 0):
        events_level = levels[0] if np.array_equal(first, event == 1) else levels[1]
        other = levels[1] if events_level == levels[0] else levels[0]
        words = {str(events_level).strip().lower(), str(other).strip().lower()}
        if words <= OUTCOME_WORDS:
            return (
                f"is the outcome's event flag written as text ({events_level!r} for every "
                f"event, {other!r} for every other row)"
            )
        return (
            "is the outcome's event flag written as text (one of its two values in "
            "every row with the event, the other in every row without)"
        )
    return None


# -- separation: how well one column maps onto a 0/1 target ------------------------------


@dataclass(frozen=True)
class Separation:
    """How well one column maps onto the two outcome classes.

    ``exceptions`` counts the patients against the best mapping found (each value
    to its majority class; one cut point of an ordered column; missing versus
    present), ``minority`` the patients of the smaller class, ``auc`` the column's
    univariate AUC folded to [0.5, 1] (None for text), ``how`` which mapping.
    """

    exceptions: int
    minority: int
    events: int
    n: int
    auc: float | None
    how: str

    @property
    def near_copy(self) -> bool:
        if self.minority < MIN_CLASS_FOR_LEAKAGE:
            return False
        allowed = max(LEAKAGE_MIN_EXCEPTIONS, LEAKAGE_EXCEPTION_SHARE * self.minority)
        return self.exceptions <= allowed or (self.auc is not None and self.auc >= LEAKAGE_AUC)

    def describe(self, target: str) -> str:
        counts = f"{self.n} patients, {self.events} with the event"
        auc = f"; univariate AUC {self.auc:.4f}" if self.auc is not None else ""
        if self.exceptions == 0:
            return (
                f"maps onto {target} exactly: by {self.how}, each patient's class is "
                f"determined ({counts}{auc})"
            )
        if self.exceptions <= max(LEAKAGE_MIN_EXCEPTIONS, LEAKAGE_EXCEPTION_SHARE * self.minority):
            return (
                f"maps onto {target} almost exactly: by {self.how}, only {self.exceptions} "
                f"of {self.n} patients go against it ({counts}{auc})"
            )
        return f"separates {target} almost perfectly on its own ({counts}{auc})"


def _mapping_exceptions(codes: np.ndarray, target: np.ndarray) -> int | None:
    """Exceptions to the majority-class mapping of each code; None if one class only."""
    k = int(codes.max()) + 1
    events = np.bincount(codes, weights=target, minlength=k)
    total = np.bincount(codes, minlength=k).astype(float)
    others = total - events
    if not ((events > others).any() and (others > events).any()):
        return None
    return int(np.minimum(events, others).sum())


def _cut_exceptions(values: np.ndarray, target: np.ndarray) -> int:
    """Exceptions to the best single cut point of ``values`` (either direction)."""
    order = np.argsort(values, kind="stable")
    values, target = values[order], target[order]
    cumulative = np.cumsum(target)
    # a cut may fall only between distinct values: after the last row of each value
    ends = np.r_[np.flatnonzero(np.diff(values) != 0), len(values) - 1]
    events_below = np.r_[0.0, cumulative[ends]]
    rows_below = np.r_[0, ends + 1].astype(float)
    total_events = cumulative[-1]
    others_below = rows_below - events_below
    others_above = (len(values) - total_events) - others_below
    events_above = total_events - events_below
    low_is_event = others_below + events_above
    high_is_event = events_below + others_above
    return int(min(low_is_event.min(), high_is_event.min()))


def _auc(values: np.ndarray, target: np.ndarray) -> float | None:
    from scipy.stats import rankdata

    positives = target == 1
    n1, n0 = int(positives.sum()), int((~positives).sum())
    if n1 == 0 or n0 == 0 or np.ptp(values) == 0:
        return None
    ranks = rankdata(values)
    auc = (ranks[positives].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)
    return float(max(auc, 1 - auc))


def separation(series: pd.Series, target) -> Separation | None:
    """How close ``series`` comes to determining the 0/1 ``target`` (NaN rows ignored).

    Three mappings are tried, and the best kept: each distinct value (missing as one
    more value) to its majority class, for a column with at most
    ``MAPPING_MAX_LEVELS`` values and at least 10 rows per value on average; one
    cut point of the column's numbers (missing values as a group of their own);
    missing versus present. None when the target has one class only.
    """
    target = np.asarray(target, dtype=float)
    keep = ~np.isnan(target)
    series = series.reset_index(drop=True)[keep]
    target = target[keep]
    n = int(target.size)
    events = int(target.sum())
    minority = min(events, n - events)
    if minority == 0:
        return None
    best, how = minority, "a constant"
    missing = series.isna().to_numpy()
    if missing.any() and not missing.all():
        found = _mapping_exceptions(missing.astype(int), target)
        if found is not None and found < best:
            best, how = found, "whether it is missing"
    codes, levels = pd.factorize(series.astype(object), use_na_sentinel=False)
    if 2 <= len(levels) <= min(MAPPING_MAX_LEVELS, max(2, n // 10)):
        found = _mapping_exceptions(codes, target)
        if found is not None and found < best:
            best, how = found, "its values"
    numbers = as_numbers(series)
    auc = None
    if numbers is not None:
        present = ~np.isnan(numbers)
        if present.sum() >= 2 and np.ptp(numbers[present]) > 0:
            found = _cut_exceptions(numbers[present], target[present])
            absent = target[~present]
            found += int(min(absent.sum(), absent.size - absent.sum()))
            if found < best:
                best, how = found, "one cut point of its values"
            auc = _auc(numbers[present], target[present])
    return Separation(best, minority, events, n, auc, how)


# -- the Study's pre-flight -----------------------------------------------------------------


def _time_relation(numbers: np.ndarray, time: np.ndarray) -> str | None:
    """How a column follows follow-up time, or None."""
    from scipy.stats import spearmanr

    present = ~np.isnan(numbers)
    if present.sum() < 20:
        return None
    x, t = numbers[present], time[present]
    if np.ptp(x) == 0 or np.ptp(t) == 0:
        return None
    rho = float(spearmanr(x, t).statistic)
    if not np.isfinite(rho) or abs(rho) < TIME_RANK_CORRELATION:
        return None
    direction = "rises" if rho > 0 else "falls"
    text = (
        f"{direction} with the follow-up time (Spearman rank correlation {rho:+.2f} over "
        f"{int(present.sum())} patients)"
    )
    r = float(np.corrcoef(x, t)[0, 1])
    if abs(r) > 0.9999:
        slope = np.polyfit(t, x, 1)[0]
        text += (
            f"; it is the follow-up time rescaled (about {slope:.4g} x days, e.g. weeks = days / 7)"
        )
    return text


def _horizon_copy(numbers: np.ndarray | None, label: np.ndarray, horizon: float) -> str | None:
    """The label at the horizon, or its complement, among the evaluable patients."""
    if numbers is None:
        return None
    known = ~np.isnan(label)
    if known.sum() < 20:
        return None
    for target, what in ((label, "is"), (1.0 - label, "is the complement of")):
        equal = numbers[known] == target[known]
        if equal.mean() >= 0.98:
            return (
                f"{what} the outcome label at the horizon (event by day {horizon:g}) in "
                f"{int(equal.sum())} of {int(known.sum())} patients whose status at the "
                "horizon is known"
            )
    return None


def _quasi_identifier(series: pd.Series) -> str | None:
    if not _is_text(series):
        return None
    levels = series.nunique(dropna=True)
    if levels > QUASI_IDENTIFIER_LEVELS:
        return (
            f"a categorical with {levels} distinct values: a quasi-identifier (such as a "
            "postcode, a place or a date) that singles out patients, whose levels would "
            "reach the report and the model file, and which no model can learn from "
            "without overfitting"
        )
    return None


def _constant(series: pd.Series) -> str | None:
    present = series.dropna()
    distinct = present.nunique()
    if distinct > 1:
        return None
    if distinct == 0:
        return "every value missing"
    missing = len(series) - len(present)
    if not missing:
        return "one value in every row"
    return f"one value, the other {missing} missing (only whether it is missing can inform a model)"


def check_predictors(
    features: pd.DataFrame, outcome, predictors, *, horizon=None, trusted=()
) -> list[str]:
    """The Study's pre-flight on the predictors it is about to fit.

    Parameters
    ----------
    features : pandas.DataFrame
        The cohort's features.
    outcome : Outcome
    predictors : list of str
        The predictors the models are given (``cohort.predictors``).
    horizon : float, optional
        Days; adds the label at the horizon to the leakage rules.
    trusted : sequence of str
        Predictors the user has checked: exempt from the leakage and
        quasi-identifier rules (never from the constant-column warning).

    Returns
    -------
    trusted_findings : list of str
        What the trusted predictors would have been refused for (for the record).

    Raises
    ------
    ValueError
        Listing every predictor that (nearly) determines the outcome, encodes
        follow-up time, equals the label at the horizon, or is a quasi-identifier,
        with the reason and the fix; also when every predictor is constant.

    Warns
    -----
    UserWarning
        Naming the predictors that are constant (one value, or every value
        missing): they carry no information.

    Examples
    --------
    >>> import riskml as rk
    >>> hf = rk.cohorts.load_heart_failure_clinical_records()
    >>> X = hf.features.assign(weeks=hf.outcome.time / 7)  # follow-up time, rescaled
    >>> rk.cohorts.check_predictors(X, hf.outcome, list(X.columns), horizon=90)
    Traceback (most recent call last):
    ...
    ValueError: Study refuses 1 predictor(s) before the first fit, ...
    >>> rk.cohorts.check_predictors(
    ...     X, hf.outcome, list(X.columns), horizon=90, trusted=["weeks"]
    ... )[0].startswith("weeks: rises with the follow-up time")
    True
    """
    trusted = set(trusted or ())
    targets, label = _targets(outcome, horizon)
    findings, skipped, constant = {}, {}, {}
    for column in predictors:
        series = features[column].reset_index(drop=True)
        try:
            hash(tuple(series.head(1000)))
        except TypeError:
            findings[str(column)] = [
                "holds lists, dicts or arrays, not one value per row (give each value its "
                "own column)"
            ]
            continue
        why = _constant(series)
        if why is not None:
            constant[column] = why
            continue
        reasons = _leakage_reasons(series, outcome, targets, label, horizon)
        if not reasons:
            continue
        (skipped if column in trusted else findings)[str(column)] = reasons
    _report_findings(findings, constant, predictors)
    return [f"{c}: {'; '.join(r)}" for c, r in skipped.items()]


def _targets(outcome, horizon):
    """What a predictor must not copy: the event flag and, with a horizon, the label there."""
    targets = {"the event flag": outcome.event.astype(float)}
    label = None
    if outcome.is_survival and horizon is not None:
        label = outcome.at_horizon(float(horizon))
        targets[f"the outcome by day {float(horizon):g}"] = label
    return targets, label


def _leakage_reasons(series: pd.Series, outcome, targets: dict, label, horizon) -> list[str]:
    """Why a (non-constant) predictor would hand the models the outcome or the patients."""
    reasons = []
    numbers = as_numbers(series)
    if outcome.is_survival and numbers is not None:
        relation = _time_relation(numbers, outcome.time)
        if relation is not None:
            reasons.append(relation)
    copy = None if label is None else _horizon_copy(numbers, label, float(horizon))
    if copy is not None:
        reasons.append(copy)
    else:
        for what, target in targets.items():
            found = separation(series, target)
            if found is not None and found.near_copy:
                reasons.append(found.describe(what))
                break
    quasi = _quasi_identifier(series)
    if quasi is not None:
        reasons.append(quasi)
    return reasons


def _report_findings(findings: dict, constant: dict, predictors) -> None:
    """Refuse the predictors found (or a set of constant predictors); warn on constant ones."""
    if constant and len(constant) == len(predictors):
        listed = "; ".join(f"{c!r}: {why}" for c, why in constant.items())
        raise ValueError(
            f"every predictor is constant ({listed}): no model can learn anything, and "
            "its C-statistic and calibration would be noise. Check the export (a column "
            "filled with one value, or a join that lost every value) and the cohort's "
            "features."
        )
    if findings:
        listed = "\n".join(
            f"  - {column!r}: {'; '.join(reasons)}" for column, reasons in findings.items()
        )
        names = list(findings)
        raise ValueError(
            f"Study refuses {len(findings)} predictor(s) before the first fit, because a "
            f"model would learn the outcome, or patients, from them:\n{listed}\n"
            "Fix: drop such a column from the cohort's features, or mark it "
            "post_index=True (information recorded after the index time) or role "
            "'context' in the cohort's metadata; group a quasi-identifier's values into "
            f"at most {QUASI_IDENTIFIER_LEVELS} broader categories (e.g. region instead of "
            "postcode). If you have checked a column and it is a genuine predictor known "
            f"at the index time, pass trusted_predictors={names!r} to Study (in a study "
            f"file: trusted_predictors: [{', '.join(names)}])."
        )
    if constant:
        listed = "; ".join(f"{c!r}: {why}" for c, why in constant.items())
        warnings.warn(
            f"{len(constant)} constant predictor(s) ({listed}): they carry no information, "
            "and the models fit without learning from them. Drop them from features, or "
            "check the export that flattened them.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
