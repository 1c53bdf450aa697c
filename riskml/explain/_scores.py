"""Published equations in the explainer: which columns a score reads, on which scale it is
additive, and its Shapley game on prepared inputs."""

from __future__ import annotations

import warnings

import numpy as np

__all__ = ["equation_on_log_odds", "equation_players", "prepared_equation_inputs"]


def equation_players(final, columns):
    """The input columns a published equation reads (``input_columns()``), in its order."""
    return [column for column in final.input_columns() if column in columns]


def equation_on_log_odds(final) -> bool:
    """Whether a published equation's risk is logistic in its terms: a logistic link
    (PREVENT) left as published, or a logistic recalibration (FraminghamScore's
    ``"logistic"``, PublishedModel's ``"intercept"``, ``"slope"`` or ``"refit"``); Cox-type
    equations (published or ``"km"``) are additive on the log cumulative hazard."""
    recalibration = getattr(final, "recalibration_", None)
    if recalibration is not None:
        return recalibration in ("logistic", "intercept", "slope", "refit")
    definition = getattr(final, "definition", None)
    return getattr(definition, "link", None) == "logistic"


def prepared_equation_inputs(parts, rows, sample, predict):
    """The rows, background and risk function of a Framingham score's Shapley game on
    its prepared inputs (floats, sex 1 = male, imputed), or None.

    Each input is read from its own column and prepared value by value (units, flags,
    the training medians), so a mixture of prepared rows is the prepared mixture: the
    same coalition values as the raw columns, without parsing text and checking units
    in every one of the coalitions' millions of rows (the recalibrated score on the Wu
    cohort, 508 rows x 100 background rows x 256 coalitions: 19.2 s before, 5.6 s;
    equal values, tests/explain/test_framingham_prepared.py). None, and the raw columns are used,
    for other models, a pipeline with steps before the score, an input column shared
    by two inputs, or any difference between the two risks on the rows explained
    (``predict``: the pipeline's risk of a raw frame).
    """
    final = parts.final
    from_values = getattr(final, "_risk_from_values", None)
    if from_values is None or parts.transforms or parts.recalibration is not None:
        return None
    specs = final._specs()
    columns = {n: (s if isinstance(s, str) else s["column"]) for n, s in specs.items()}
    if len(set(columns.values())) != len(columns):
        return None
    inputs = {column: name for name, column in columns.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows_p = final._prepare(rows, impute=True).rename(columns=columns)[list(rows.columns)]
        sample_p = final._prepare(sample, impute=True).rename(columns=columns)
        sample_p = sample_p[list(sample.columns)]

        def risk(frame):
            return np.asarray(from_values(frame.rename(columns=inputs)), dtype=float)

        if not np.array_equal(risk(rows_p), predict(rows)):
            return None
    return rows_p, sample_p, risk
