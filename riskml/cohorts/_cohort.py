"""The Cohort: features, outcome and per-column metadata for one study population."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..outcome import Outcome

__all__ = ["Cohort"]

METADATA_COLUMNS = ["type", "unit", "role", "post_index", "description"]


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
        Row identifiers (e.g. ``patient_id``). Kept out of the features and out of
        every report.
    groups : array-like, optional
        Group key (e.g. ``subject_id``) so that cross-validation never splits one
        patient's rows between training and test folds.
    name : str, default="cohort"
    source : str, optional
        Where the data came from, with its citation, for the report.

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
    ):
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
        self.features = features.reset_index(drop=True)
        self.outcome = outcome
        inferred = _default_metadata(self.features)
        if metadata is not None:
            unknown = sorted(set(metadata.index) - set(self.features.columns))
            metadata = metadata.drop(index=unknown)
            inferred.update(metadata.reindex(columns=METADATA_COLUMNS).dropna(how="all"))
        self.metadata = inferred.astype({"post_index": bool})
        self.ids = None if ids is None else np.asarray(ids)
        self.groups = None if groups is None else np.asarray(groups)
        for argument, values in (("ids", self.ids), ("groups", self.groups)):
            if values is not None and len(values) != len(self.features):
                raise ValueError(
                    f"{argument} has {len(values)} entries but features has "
                    f"{len(self.features)} rows."
                )
        self.name = name
        self.source = source

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
        # Attributes set by loaders (schema, horizon_days, framingham_inputs, true_risk,
        # outcomes, ...) travel with the subset; per-row ones are subset too.
        for key, value in vars(self).items():
            if key in vars(sub):
                continue
            if isinstance(value, pd.DataFrame | pd.Series) and len(value) == len(self):
                value = value.iloc[rows].reset_index(drop=True)
            elif isinstance(value, np.ndarray) and value.ndim >= 1 and len(value) == len(self):
                value = value[rows]
            setattr(sub, key, value)
        return sub

    def describe(self) -> dict:
        """Counts for the report: n, events, follow-up and missingness per column.

        Returns
        -------
        summary : dict
            ``n``, ``events``, ``event_rate``, ``outcome_kind``, for time-to-event
            outcomes ``followup_median_days`` and ``followup_iqr_days`` (reverse
            Kaplan-Meier would be the refinement; this is the observed time), the
            number of candidate predictors, events per candidate variable, and
            ``missing``, a DataFrame of missing count and percentage per column.
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
        return summary
