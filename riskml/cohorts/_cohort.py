"""The Cohort: features, outcome and per-column metadata for one study population."""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from ..outcome import Outcome, kaplan_meier, kaplan_meier_at
from ..utils.deprecation import renamed_attribute, renamed_keyword
from ._columns import as_numbers, check_row_keys, identifier_reason
from ._guards import (
    _check_outcome_copies,  # noqa: F401 - importable from here, as before
    check_feature_columns,
)
from ._table_one import build_table_one

__all__ = ["Cohort"]

METADATA_COLUMNS = ["type", "unit", "role", "post_index", "description"]
# Every attribute a Cohort carries beyond its constructor's core, declared once: name -> whether
# it holds one entry per row (subset() then subsets it) or describes the whole cohort.
DECLARED_FIELDS = {
    "horizon": False,
    "framingham_inputs": False,
    "schema": False,
    "schema_name": False,
    "flow": False,
    "followup_table": False,
    "label": False,
    "followup": False,
    "competing_death": False,
    "competing_deaths_30d": False,
    "outcomes": True,
    "context": True,
    "true_risk": True,
    "true_risks": True,
    "true_linear_predictor": True,
}
_CORE = {"features", "outcome", "metadata", "ids", "groups", "name", "source"}


def _default_metadata(features: pd.DataFrame) -> pd.DataFrame:
    """Infer type (float/int/bool/cat) for columns the caller did not describe."""
    rows = {}
    for column in features.columns:
        series = features[column]
        if pd.api.types.is_bool_dtype(series):
            kind = "bool"
        elif pd.api.types.is_numeric_dtype(series):
            values = series.dropna().unique()
            if len(values) and np.isin(values, (0, 1)).all():
                kind = "bool"
            elif pd.api.types.is_integer_dtype(series):
                kind = "int"
            else:
                kind = "float"
        else:
            kind = "cat"
        rows[column] = {
            "type": kind,
            "unit": "",
            "role": "predictor",
            "post_index": False,
            "description": "",
        }
    return pd.DataFrame.from_dict(rows, orient="index", columns=METADATA_COLUMNS)


METADATA_TYPES = ("float", "int", "bool", "cat", "str", "date", "datetime")
METADATA_ROLES = ("predictor", "derived", "context", "id", "group", "outcome")
MAX_TABLE_LEVELS = 20  # Table 1 never lists the levels of a categorical with more
REPORT_MIN_COUNT = 5  # Table 1 counts below this are suppressed in reports

# The column checks live in ._guards; these names stay importable from here.
_identifier_reason = identifier_reason
_as_numbers = as_numbers
_check_feature_columns = check_feature_columns


def _check_metadata(metadata: pd.DataFrame, columns) -> pd.DataFrame:
    """Metadata rows must name feature columns and hold allowed values."""
    unknown = [str(c) for c in metadata.index if c not in set(columns)]
    if unknown:
        hints = {
            name: difflib.get_close_matches(name, [str(c) for c in columns], n=1)
            for name in unknown[:5]
        }
        hint = "; ".join(f"{k!r} (did you mean {v[0]!r}?)" for k, v in hints.items() if v)
        raise ValueError(
            f"metadata describes {len(unknown)} column(s) that are not in features: "
            f"{unknown[:5]}{' ...' if len(unknown) > 5 else ''}. "
            + (f"Close matches: {hint}. " if hint else "")
            + "A misspelled name would leave the real column undescribed (e.g. a post-index "
            "variable used as a predictor)."
        )
    checks = {"type": METADATA_TYPES, "role": METADATA_ROLES}
    for field, allowed in checks.items():
        if field in metadata.columns:
            values = metadata[field].dropna()
            bad = values[~values.isin(allowed)]
            if len(bad):
                raise ValueError(
                    f"metadata {field!r} must be one of {list(allowed)}; got {bad.iloc[0]!r} "
                    f"for column {bad.index[0]!r}."
                )
    if "post_index" in metadata.columns:
        values = metadata["post_index"].dropna()
        bad = values[~values.map(lambda v: isinstance(v, bool | np.bool_ | int | np.integer))]
        bad = pd.concat([bad, values[values.map(lambda v: v not in (0, 1))]])
        if len(bad):
            raise ValueError(
                "metadata 'post_index' must be True or False; got "
                f"{bad.iloc[0]!r} for column {bad.index[0]!r}."
            )
    return metadata


class Cohort:
    """A study population: one row per analysis unit.

    Parameters
    ----------
    features : pandas.DataFrame
        Candidate predictors, one row per patient (or admission). Identifiers do
        not belong here: pass them as ``ids`` and ``groups``.
    outcome : Outcome
        The outcome of each row, in the same order.
    metadata : pandas.DataFrame, optional
        Indexed by feature name, with columns ``type`` (float, int, bool, cat),
        ``unit``, ``role``, ``post_index`` (True for information recorded after the
        index time, which default models exclude) and ``description``. Columns not
        described are inferred from their dtype.
    ids : array-like, optional
        Row identifiers (e.g. ``patient_id``), one per row, present and distinct
        (a repeated or missing id is refused, naming the row positions). Kept out
        of the features and out of every report.
    groups : array-like, optional
        Group key (e.g. ``subject_id``), present in every row, so that
        cross-validation never splits one patient's rows between training and test
        folds.
    name : str, default="cohort"
    source : str, optional
        Where the data came from, with its citation, for the report.

    horizon : float, optional
        The default horizon of a time-to-event outcome, in days: the time at which
        studies derive binary labels, recalibrate published scores and evaluate
        calibration. Loaders set the horizon of their design.
    framingham_inputs : dict, optional
        How the cohort's columns feed the Framingham scores (see
        :class:`riskml.models.FraminghamScore`).

    Attributes
    ----------
    horizon, framingham_inputs
        As above (None where not set). ``horizon_days`` is the deprecated name of
        ``horizon`` (argument and attribute; ``FutureWarning``).
    schema, schema_name
        The :class:`~riskml.cohorts.Schema` a loader checked the data against.
    flow : pandas.DataFrame or None
        The cohort's exclusion flow (step, excluded, remaining), from loaders that
        apply inclusion criteria.
    followup_table : pandas.DataFrame or None
        Follow-up completeness, where a loader measures it.
    label, followup, competing_death, competing_deaths_30d
        The outcome definition a loader was asked for.
    outcomes, context : pandas.DataFrame or None
        Further outcome columns and context columns (one row per patient) kept out
        of the features.
    true_risk, true_risks, true_linear_predictor
        For synthetic cohorts, the generating model's risk (one entry per row).

    Only these attributes can be set: a loader fills declared fields and never
    attaches new ones (``AttributeError`` otherwise).

    The columns are checked when the cohort is built (``riskml.cohorts._guards``):
    duplicate names, identifiers (names, dates, contact details, record numbers,
    values distinct in every row, dates written as text or as YYYYMMDD numbers),
    numbers stored as text (``"<5"``, ``"n/a"``, ``"12,5"``, ``"5 mg"``: refused with
    the rows and the conversion; declare a category whose codes look like numbers
    with metadata type ``"cat"``), infinite values, time spans, and the outcome
    itself (its event flag, as numbers or as text such as ``"died"``/``"alive"``,
    or its follow-up time). A near-copy of the event flag is warned about here and
    refused by :meth:`riskml.Study.run`, which also refuses predictors that follow
    the follow-up time, equal the label at the horizon or are quasi-identifiers
    (:func:`riskml.cohorts.check_predictors`).

    Examples
    --------
    >>> import pandas as pd, riskml as rk
    >>> X = pd.DataFrame({"age": [50, 61, 72], "sbp": [120, 140, 160]})
    >>> cohort = rk.Cohort(X, rk.Outcome.binary([0, 1, 1]))
    >>> len(cohort)
    3
    """

    def __init__(
        self,
        features: pd.DataFrame,
        outcome: Outcome,
        metadata: pd.DataFrame | None = None,
        *,
        ids=None,
        groups=None,
        name: str = "cohort",
        source: str = "",
        horizon: float | None = None,
        framingham_inputs: dict | None = None,
        horizon_days=None,
    ):
        for field in DECLARED_FIELDS:
            object.__setattr__(self, field, None)
        if not isinstance(features, pd.DataFrame):
            raise TypeError(f"features must be a pandas DataFrame; got {type(features).__name__}.")
        if not isinstance(outcome, Outcome):
            raise TypeError(
                "outcome must be a riskml.Outcome (Outcome.binary(y) or "
                f"Outcome.survival(time, event)); got {type(outcome).__name__}."
            )
        if len(features) != len(outcome):
            raise ValueError(
                f"features has {len(features)} rows but outcome has {len(outcome)}; "
                "they must describe the same patients in the same order."
            )
        _check_feature_columns(features, outcome, metadata)
        self.features = features.reset_index(drop=True)
        self.outcome = outcome
        inferred = _default_metadata(self.features)
        if metadata is not None:
            metadata = _check_metadata(metadata, self.features.columns)
            inferred.update(metadata.reindex(columns=METADATA_COLUMNS).dropna(how="all"))
        self.metadata = inferred.astype({"post_index": bool})
        self.ids = None if ids is None else np.asarray(ids)
        self.groups = None if groups is None else np.asarray(groups)
        for argument, values in (("ids", self.ids), ("groups", self.groups)):
            check_row_keys(values, argument, len(self.features))
        self.name = name
        self.source = source
        horizon = renamed_keyword(horizon, horizon_days, "horizon", "horizon_days", "Cohort", None)
        if horizon is not None and (
            isinstance(horizon, bool)
            or not isinstance(horizon, int | float | np.integer | np.floating)
            or not np.isfinite(horizon)
            or horizon <= 0
        ):
            raise ValueError(f"horizon must be a positive number of days; got {horizon!r}.")
        if horizon is not None and not outcome.is_survival:
            raise ValueError("horizon applies to a time-to-event outcome; this one is binary.")
        self.horizon = None if horizon is None else float(horizon)
        self.framingham_inputs = framingham_inputs

    @property
    def horizon_days(self):
        """Deprecated name of :attr:`horizon`."""
        renamed_attribute("Cohort", "horizon_days", "horizon")
        return self.horizon

    def __setattr__(self, name, value):
        if name == "horizon_days":
            renamed_attribute("Cohort", "horizon_days", "horizon")
            name = "horizon"
        if name not in _CORE and name not in DECLARED_FIELDS:
            raise AttributeError(
                f"Cohort has no attribute {name!r}: a cohort carries only its declared fields "
                f"({', '.join(sorted(DECLARED_FIELDS))}); declare a new one in "
                "riskml.cohorts.Cohort (DECLARED_FIELDS) first."
            )
        object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return len(self.features)

    def __repr__(self) -> str:
        return (
            f"Cohort(name={self.name!r}, n={len(self)}, features={self.features.shape[1]}, "
            f"outcome={self.outcome!r})"
        )

    @property
    def predictors(self) -> list[str]:
        """Feature names usable at the index time (``post_index`` ones excluded)."""
        keep = (self.metadata["role"] == "predictor") & ~self.metadata["post_index"]
        return [c for c in self.features.columns if keep.get(c, True)]

    def subset(self, rows) -> Cohort:
        """The cohort restricted to ``rows`` (a boolean mask or integer positions)."""
        rows = np.asarray(rows)
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)
        sub = Cohort(
            self.features.iloc[rows],
            self.outcome[rows],
            self.metadata,
            ids=None if self.ids is None else self.ids[rows],
            groups=None if self.groups is None else self.groups[rows],
            name=self.name,
            source=self.source,
        )
        # Declared fields travel with the subset; per-row ones are subset too.
        for key, per_row in DECLARED_FIELDS.items():
            value = getattr(self, key)
            if value is None or not per_row:
                pass
            elif isinstance(value, pd.DataFrame | pd.Series):
                value = value.iloc[rows].reset_index(drop=True)
            else:
                value = np.asarray(value)[rows]
            setattr(sub, key, value)
        return sub

    def describe(self, horizon=None) -> dict:
        """Counts for the report: n, events, follow-up and missingness per column.

        Parameters
        ----------
        horizon : float, optional
            Days (time-to-event outcomes). Adds the counts at the horizon and the
            Kaplan-Meier risk by it.

        Returns
        -------
        summary : dict
            ``n``, ``events``, ``event_rate``, ``outcome_kind``, the number of
            candidate predictors (``n_candidates``), ``events_per_variable`` (events
            per candidate predictor) and ``missing``, a DataFrame of missing count
            and percentage per column. For time-to-event outcomes also
            ``followup_median_days`` and ``followup_iqr_days`` (quartiles of the
            observed time, to event or censoring) and
            ``followup_reverse_km_median_days`` and ``followup_reverse_km_iqr_days``
            (the reverse Kaplan-Meier estimate of potential follow-up, which treats
            censoring as the event and deaths as censored: the usual way to report
            follow-up, Schemper & Smith 1996; NaN where the curve does not fall that
            far). With a ``horizon``: ``horizon``, ``events_by_horizon``,
            ``event_free_at_horizon`` and ``censored_before_horizon`` (one rule:
            :func:`riskml.outcome.horizon_label`) and ``risk_by_horizon`` (1 minus
            the Kaplan-Meier survival at the horizon, censoring handled; NaN beyond
            the last follow-up unless the curve reached 0).

        References
        ----------
        Schemper M, Smith TL. A note on quantifying follow-up in studies of failure
        time. Control Clin Trials. 1996;17(4):343-346.
        """
        n = len(self)
        events = int(self.outcome.event.sum())
        missing_count = self.features.isna().sum()
        missing = pd.DataFrame(
            {"missing": missing_count, "percent": 100.0 * missing_count / max(n, 1)}
        )
        n_candidates = len(self.predictors)
        summary = {
            "n": n,
            "events": events,
            "event_rate": events / n if n else float("nan"),
            "outcome_kind": self.outcome.kind,
            "n_candidates": n_candidates,
            "events_per_variable": events / n_candidates if n_candidates else float("nan"),
            "missing": missing,
        }
        if self.outcome.is_survival:
            time = self.outcome.time
            summary["followup_median_days"] = float(np.median(time))
            summary["followup_iqr_days"] = (
                float(np.percentile(time, 25)),
                float(np.percentile(time, 75)),
            )
            quartiles = reverse_km_quartiles(time, self.outcome.event)
            summary["followup_reverse_km_median_days"] = quartiles[1]
            summary["followup_reverse_km_iqr_days"] = (quartiles[0], quartiles[2])
            if horizon is not None:
                label = self.outcome.at_horizon(float(horizon))
                summary["horizon"] = float(horizon)
                summary["events_by_horizon"] = int(np.sum(label == 1))
                summary["event_free_at_horizon"] = int(np.sum(label == 0))
                summary["censored_before_horizon"] = int(np.isnan(label).sum())
                summary["risk_by_horizon"] = kaplan_meier_risk(
                    time, self.outcome.event, float(horizon)
                )
        return summary

    def table_one(
        self,
        by_outcome: bool = True,
        *,
        horizon=None,
        columns=None,
        decimals: int = 1,
        skew_threshold: float = 1.0,
        min_count: int = 0,
        max_levels: int = MAX_TABLE_LEVELS,
    ) -> pd.DataFrame:
        """Table 1: the cohort's characteristics, overall and by outcome.

        Parameters
        ----------
        by_outcome : bool, default=True
            Add one column per outcome group. Binary outcomes: event and no event.
            Time-to-event outcomes with a horizon: event by the horizon, no event
            by the horizon, and censored before it (not evaluable); without a
            horizon: event during follow-up and censored.
        horizon : float, optional
            Days; defaults to the cohort's ``horizon`` (set by loaders).
        columns : list of str, optional
            Features to describe (default: every feature, post-index ones included,
            except columns whose metadata role is ``"id"``, ``"group"`` or
            ``"context"``).
        decimals : int, default=1
            Decimals of means, SDs, medians, quartiles and percentages.
        skew_threshold : float, default=1.0
            A numeric column is summarised as median [Q1, Q3] when its schema says
            so (``summary: median``) or, without one, when the absolute skewness of
            its values exceeds this; otherwise as mean (SD).
        min_count : int, default=0
            Disclosure control, so that few patients cannot be singled out
            (``riskml.cohorts._table_one`` describes the rules): a count from 1 to
            ``min_count - 1``, a missing count included, is shown as
            ``"<min_count"`` (no percentage); a second count is suppressed
            (``"*"``) wherever the suppressed one could be worked out from the
            totals (secondary suppression; a column whose missing count is
            suppressed shows counts without percentages); levels seen in fewer
            than ``min_count`` patients and not declared by the schema are shown
            together as ``"other (k levels)"``; means, SDs, medians and quartiles
            of fewer than ``min_count`` values are not shown (``"n<min_count"``).
            The HTML report uses :data:`REPORT_MIN_COUNT` (5), a common
            disclosure-control threshold (e.g. the U.S. CMS cell-size suppression
            policy suppresses 1-10; many registries use < 5). 0 shows every count.
        max_levels : int, default=20
            A categorical column with more distinct values than this is summarised
            by its number of levels, never by listing them (raw levels of a
            high-cardinality column can be names or dates).

        Returns
        -------
        table : pandas.DataFrame
            Tidy, one row per numeric or binary variable and per level of a
            categorical one, with columns ``variable``, ``level``, ``statistic``
            ("mean (SD)", "median [Q1, Q3]" or "n (%)"), ``Overall``, one column
            per group (its header names the group), and ``missing`` (count of
            missing values over the whole cohort; text where it is suppressed).
            The first row holds the number
            of patients. Cells are formatted text, ready for a report; percentages
            are among patients with a value.

        Examples
        --------
        >>> import pandas as pd, riskml as rk
        >>> X = pd.DataFrame({"age": [50.0, 61.0, 72.0, 58.0], "sex": ["M", "F", "M", "F"]})
        >>> cohort = rk.Cohort(X, rk.Outcome.binary([0, 1, 1, 0]))
        >>> cohort.table_one()[["variable", "level", "Overall", "Event", "No event"]]
          variable level     Overall       Event    No event
        0        n                 4           2           2
        1      age        60.2 (9.1)  66.5 (7.8)  54.0 (5.7)
        2      sex     F   2 (50.0%)   1 (50.0%)   1 (50.0%)
        3      sex     M   2 (50.0%)   1 (50.0%)   1 (50.0%)
        """
        if columns is None:
            hidden = self.metadata["role"].isin(["id", "group", "context"])
            columns = [c for c in self.features.columns if not hidden.get(c, False)]
        unknown = [c for c in columns if c not in self.features.columns]
        if unknown:
            raise ValueError(
                f"columns {unknown} are not features of this cohort; features are "
                f"{list(self.features.columns)[:10]}..."
            )
        if isinstance(decimals, bool) or not isinstance(decimals, int | np.integer) or decimals < 0:
            raise ValueError(f"decimals must be a non-negative int; got {decimals!r}.")
        for argument, value, low in (("min_count", min_count, 0), ("max_levels", max_levels, 1)):
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
                raise ValueError(f"{argument} must be an int >= {low}; got {value!r}.")
        groups = {"Overall": np.ones(len(self), dtype=bool)}
        if by_outcome:
            groups.update(self._outcome_groups(horizon))
        return build_table_one(
            self.features,
            self.metadata,
            self.schema,
            {g: np.asarray(mask, dtype=bool) for g, mask in groups.items()},
            columns,
            decimals,
            skew_threshold,
            min_count,
            max_levels,
        )

    def _outcome_groups(self, horizon) -> dict:
        outcome = self.outcome
        if not outcome.is_survival:
            return {"Event": outcome.event, "No event": ~outcome.event}
        horizon = self.horizon if horizon is None else horizon
        if horizon is None:
            return {"Event during follow-up": outcome.event, "Censored": ~outcome.event}
        label = outcome.at_horizon(float(horizon))
        return {
            f"Event by {float(horizon):g} days": label == 1,
            f"No event by {float(horizon):g} days": label == 0,
            f"Censored before {float(horizon):g} days": np.isnan(label),
        }


def kaplan_meier_risk(time, event, horizon: float) -> float:
    """``1 - S(horizon)`` of the Kaplan-Meier estimate (:func:`riskml.outcome.kaplan_meier`).

    A right-continuous step function: an event on the horizon day counts. NaN beyond
    the last follow-up time unless the estimate has reached 0 there.
    """
    survival, _ = kaplan_meier_at(time, event, float(horizon))
    return 1.0 - survival


def reverse_km_quartiles(time, event) -> tuple[float, float, float]:
    """Quartiles (25%, 50%, 75%) of potential follow-up by the reverse Kaplan-Meier method.

    The Kaplan-Meier estimator with censoring as the event and events as censored
    (Schemper & Smith 1996): the q-th quartile is the first time at which that
    estimate falls to ``1 - q`` or below (lifelines' ``qth_survival_times``); one the
    curve never reaches is NaN.
    """
    time = np.asarray(time, dtype=float)
    censored = ~np.asarray(event, dtype=bool)
    if not censored.any():
        return (float("nan"),) * 3
    times, survival, _ = kaplan_meier(time, censored)
    out = []
    for q in (0.75, 0.5, 0.25):  # survival 0.75 is the 25th percentile of follow-up
        reached = np.flatnonzero(survival <= q)
        out.append(float(times[reached[0]]) if reached.size else float("nan"))
    return tuple(out)
