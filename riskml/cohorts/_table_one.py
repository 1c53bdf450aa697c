"""Table 1 of a cohort, with statistical disclosure control for reports.

:meth:`riskml.Cohort.table_one` validates its arguments and calls
:func:`build_table_one`. With ``min_count`` (the report uses 5) the table follows
the usual small-cell rules of disclosure control:

* primary suppression: a count from 1 to ``min_count - 1`` is shown as
  ``"<min_count"``, without a percentage; so is a small missing count;
* secondary (complementary) suppression: no suppressed count may be worked out
  from the others. A categorical variable's counts add up, in every column, to
  the column's patients (the ``n`` row), its missing values included, and the
  outcome columns add up to the ``Overall`` one. Wherever one of these equations
  would leave a single suppressed count unknown, a second cell of it is suppressed
  (the smallest other count, shown as ``"*"``); a percentage, which would give
  away the number of patients with a value, is left out of a column whose missing
  count is suppressed. The equations are solved again after each step, until no
  small count can be derived;
* rare levels: levels seen in fewer than ``min_count`` patients (and not declared
  by the cohort's schema) are shown together as ``"other (k levels)"``, so that the
  value that singles a patient out is never printed;
* small groups: a mean, SD, median or quartile of fewer than ``min_count`` values
  is not shown (``"n<min_count"``).

References
----------
Hundepool A, Domingo-Ferrer J, Franconi L, et al. Statistical Disclosure Control.
Wiley; 2012. Chapter 5 (frequency tables: primary and secondary suppression).

Centers for Medicare & Medicaid Services. CMS cell size suppression policy (counts
from 1 to 10 are not displayed, nor values from which they can be derived).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["build_table_one"]

_MISSING = -1  # the entry index of a variable's missing values


def _summary_choice(column, values, schema, skew_threshold) -> str:
    if schema is not None:
        try:
            choice = schema.column(column).summary
        except KeyError:
            choice = ""
        if choice:
            return choice
    present = values.dropna()
    skew = present.skew() if len(present) > 2 else 0.0
    return "median" if np.isfinite(skew) and abs(skew) > skew_threshold else "mean"


def _numeric_cell(values: np.ndarray, median: bool, decimals: int, min_count: int = 0) -> str:
    if values.size == 0:
        return "-"
    if values.size < min_count:
        return f"n<{min_count}"
    if median:
        q1, q2, q3 = np.percentile(values, [25, 50, 75])
        return f"{q2:.{decimals}f} [{q1:.{decimals}f}, {q3:.{decimals}f}]"
    sd = f"{values.std(ddof=1):.{decimals}f}" if values.size > 1 else "-"
    return f"{values.mean():.{decimals}f} ({sd})"


def _declared_levels(column, schema) -> list | None:
    if schema is None:
        return None
    try:
        levels = schema.column(column).levels
    except KeyError:
        return None
    return list(levels) if levels else None


def _levels(column, values, schema) -> list:
    declared = _declared_levels(column, schema)
    if declared:
        return declared
    return sorted(values.dropna().unique(), key=str)


def _protect(counts: dict, displayed: set, equations: list, min_count: int) -> set:
    """The cells to hide so that no count below ``min_count`` can be derived.

    ``counts`` maps every cell to its count; ``displayed`` holds the cells that the
    table shows (directly or through a percentage); each equation is a list of
    cells whose total is public. Returns the hidden cells: every small displayed
    count, every cell never displayed, and as few other displayed cells as the
    equations need (the smallest non-zero one of a leaking equation, outcome
    columns before the Overall column).
    """
    sensitive = {cell for cell, k in counts.items() if 0 < k < min_count}
    hidden = (set(counts) - displayed) | (sensitive & displayed)

    def derivable(hidden, stop_at_leak):
        """Cells known from the shown ones and the equations; the first equation that
        gives away a small count, or None."""
        known = set(counts) - hidden
        changed = True
        while changed:
            changed = False
            for equation in equations:
                unknown = [cell for cell in equation if cell not in known]
                if len(unknown) != 1:
                    continue
                if stop_at_leak and unknown[0] in sensitive:
                    return known, equation
                known.add(unknown[0])  # derivable, and not small: harmless
                changed = True
        return known, None

    def preference(cell):
        return (
            cell[0] == _MISSING and cell[1] != "Overall",  # drops a column's percentages
            counts[cell] == 0,
            cell[1] == "Overall",
            counts[cell],
        )

    while True:
        _, leak = derivable(hidden, True)
        if leak is None:
            return hidden
        candidates = [cell for cell in leak if cell in displayed and cell not in hidden]
        if not candidates:
            candidates = [cell for cell in displayed if cell not in hidden]
        if not candidates:
            return hidden
        candidates.sort(key=preference)
        # a cell that the other equations give back protects nothing: prefer one they do not
        useful = [c for c in candidates if c not in derivable(hidden | {c}, False)[0]]
        hidden.add((useful or candidates)[0])


def _count_rows(column, entries, missing, groups, decimals, min_count, n_missing) -> list[dict]:
    """Rows of a categorical or 0/1 variable: one per shown entry.

    ``entries`` is a list of ``(level, hit mask, shown)``; ``missing`` the mask of
    missing values.
    """
    present = ~missing
    names = list(groups)
    counts = {}
    for i, (_, hit, _) in enumerate(entries):
        for group, mask in groups.items():
            counts[(i, group)] = int((hit & mask).sum())
    for group, mask in groups.items():
        counts[(_MISSING, group)] = int((missing & mask).sum())
    hidden = set()
    if min_count > 0:
        displayed = {
            (i, group) for i, (_, _, shown) in enumerate(entries) if shown for group in groups
        } | {(_MISSING, group) for group in groups}
        every = [*range(len(entries)), _MISSING]
        equations = [[(i, group) for i in every] for group in groups]
        masks = [groups[g] for g in names[1:]]
        partition = len(masks) > 1 and np.array_equal(
            np.sum(masks, axis=0), np.ones(len(missing), dtype=int)
        )
        if partition:  # the outcome columns add up to the Overall one
            equations += [[(i, g) for g in names] for i in every]
        hidden = _protect(counts, displayed, equations, min_count)
    rows = []
    for i, (level, _, shown) in enumerate(entries):
        if not shown:
            continue
        row = {"variable": column, "level": level, "statistic": "n (%)"}
        for group, mask in groups.items():
            k = counts[(i, group)]
            m = int((present & mask).sum())
            if (i, group) in hidden:
                row[group] = f"<{min_count}" if 0 < k < min_count else "*"
            elif (_MISSING, group) in hidden:
                row[group] = f"{k}"  # a percentage would give the suppressed missing count
            else:
                row[group] = f"{k} ({100.0 * k / m:.{decimals}f}%)" if m else "0 (-)"
        row["missing"] = _missing_cell(n_missing, min_count, (_MISSING, names[0]) in hidden)
        rows.append(row)
    return rows


def _missing_cell(n_missing: int, min_count: int, hidden: bool = False):
    if min_count <= 0:
        return n_missing
    if 0 < n_missing < min_count:
        return f"<{min_count}"
    return "*" if hidden else n_missing


def build_table_one(
    features: pd.DataFrame,
    metadata: pd.DataFrame,
    schema,
    groups: dict,
    columns: list,
    decimals: int,
    skew_threshold: float,
    min_count: int,
    max_levels: int,
) -> pd.DataFrame:
    """Table 1 as a tidy frame of display strings (see :meth:`riskml.Cohort.table_one`)."""
    rows = [
        {
            "variable": "n",
            "level": "",
            "statistic": "n",
            **{g: f"{int(mask.sum())}" for g, mask in groups.items()},
            "missing": 0,
        }
    ]
    for column in columns:
        values = features[column]
        kind = metadata.loc[column, "type"] if column in metadata.index else "cat"
        missing = values.isna().to_numpy()
        n_missing = int(missing.sum())
        if kind == "bool":
            one = (values == 1).to_numpy()
            # the 0s are never shown, but follow from the 1s: they are protected too
            entries = [("", one, True), ("", ~one & ~missing, False)]
            rows += _count_rows(column, entries, missing, groups, decimals, min_count, n_missing)
        elif kind in ("float", "int") and pd.api.types.is_numeric_dtype(values):
            median = _summary_choice(column, values, schema, skew_threshold) == "median"
            row = {
                "variable": column,
                "level": "",
                "statistic": "median [Q1, Q3]" if median else "mean (SD)",
            }
            for group, mask in groups.items():
                row[group] = _numeric_cell(
                    values[mask].dropna().to_numpy(float), median, decimals, min_count
                )
            row["missing"] = _missing_cell(n_missing, min_count)
            rows.append(row)
        else:
            levels = _levels(column, values, schema)
            if len(levels) > max_levels:
                row = {
                    "variable": column,
                    "level": f"{len(levels)} levels, not listed",
                    "statistic": "distinct levels",
                }
                for group, mask in groups.items():
                    row[group] = f"{values[mask].nunique()}"
                row["missing"] = _missing_cell(n_missing, min_count)
                rows.append(row)
                continue
            declared = set(_declared_levels(column, schema) or ())
            entries, rare = [], []
            for level in levels:
                hit = (values == level).to_numpy()
                if min_count > 0 and level not in declared and hit.sum() < min_count:
                    rare.append(hit)
                else:
                    entries.append((str(level), hit, True))
            if rare:
                label = f"other ({len(rare)} level{'s' if len(rare) > 1 else ''})"
                entries.append((label, np.any(rare, axis=0), True))
            rows += _count_rows(column, entries, missing, groups, decimals, min_count, n_missing)
    return pd.DataFrame(rows, columns=["variable", "level", "statistic", *groups, "missing"])
