"""SHAP explanations of a study's whole-cohort fits, with a time budget for the
model-agnostic method."""

from __future__ import annotations

import time as _time
import warnings

import numpy as np

__all__ = ["EXPLAIN_ROWS", "EXPLAIN_SECONDS", "explain_models"]

#: Patients explained per model by default; model-agnostic explanations get a time budget.
EXPLAIN_ROWS = 1000
EXPLAIN_SECONDS = 120.0


def explain_models(settings, fitted, X, predictions, timings):
    """Model name -> explanation of its whole-cohort fit, and the example patient.

    The example patient (``settings.patient``, else the highest risk of the main
    explained model) is always explained, with a seeded sample of the others.
    """
    from ..explain import explain_pipeline

    if not settings.explain:
        return {}, settings.patient
    explanations = {}
    patient = settings.patient
    if patient is None:
        patient = int(np.argmax(predictions[settings.explain[0]].to_numpy()))
    wanted = EXPLAIN_ROWS if settings.explain_rows is None else settings.explain_rows
    # a seeded order of the other patients; the first ones are explained
    others = np.random.default_rng(settings.random_state).permutation(
        np.delete(np.arange(len(X)), patient)
    )

    def explain(name, n_rows):
        rows = np.sort(np.r_[others[: n_rows - 1], patient])
        return explain_pipeline(
            fitted[name],
            X,
            horizon=settings.horizon,
            rows=None if len(rows) == len(X) else rows,
            background=X,
            random_state=settings.random_state,
            n_jobs=settings.n_jobs,
            max_trees=settings.explain_max_trees,
            model_name=name,
            # the cohort's own rows: a binary model trained on the patients evaluable
            # at the horizon may not have seen a level that only censored ones have
            check_input=False,
        )

    for name in settings.explain:
        start = _time.perf_counter()
        n_rows = min(wanted, len(X))
        if settings.explain_rows is None and n_rows > 1:
            start = _time.perf_counter()
            probe = explain(name, 1)
            per_patient = _time.perf_counter() - start
            if probe.model_agnostic and per_patient * n_rows > EXPLAIN_SECONDS:
                n_rows = max(1, int(EXPLAIN_SECONDS // per_patient))
                warnings.warn(
                    f"{name} is explained by the model-agnostic method at about "
                    f"{per_patient:.2g} s per patient, so {n_rows} of {min(wanted, len(X))} "
                    f"patients (the example patient included) are explained, in about "
                    f"{EXPLAIN_SECONDS:.0f} s. Pass explain_rows= to explain more.",
                    UserWarning,
                    stacklevel=3,
                )
            if n_rows == 1:
                explanations[name] = probe
                timings[f"explanations {name}"] = _time.perf_counter() - start
                continue
        explanations[name] = explain(name, n_rows)
        timings[f"explanations {name}"] = _time.perf_counter() - start
    return explanations, patient
