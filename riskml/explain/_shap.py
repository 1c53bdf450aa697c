"""SHAP values of any fitted risk pipeline, mapped back to the input columns.

A fitted pipeline sees the model columns (one-hot levels, missing indicators); a
clinician reads the input columns (``smoking``, ``sbp``). :func:`explain_pipeline`
computes SHAP values with the exact method of the model's family and sums those of
model columns that come from the same input column, which keeps their additivity.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from . import _links
from ._checks import row_positions
from ._columns import by_input_column, map_columns
from ._explanation import ShapExplanation
from ._scores import equation_on_log_odds, equation_players, prepared_equation_inputs

__all__ = ["explain_pipeline", "map_columns"]

#: |patient_risk - predict_risk| above which a family's closed form is not trusted.
_TOLERANCE = 1e-6


# -- the pipeline's parts ---------------------------------------------------------------
class _Parts:
    """Transform steps (samplers left out), final model and recalibration of a pipeline."""

    def __init__(self, pipeline):
        steps = getattr(pipeline, "steps", None)
        if steps is None:
            self.transforms, self.final, self.recalibration = [], pipeline, None
        else:
            self.transforms = [
                step
                for _, step in steps[:-1]
                if step not in (None, "passthrough") and not hasattr(step, "fit_resample")
            ]
            self.final = steps[-1][1]
            self.recalibration = getattr(pipeline, "recalibration_", None)
        inner = getattr(self.final, "best_estimator_", None)  # TunedRisk
        if inner is not None and not self.transforms and self.recalibration is None:
            other = _Parts(inner)
            self.transforms, self.final, self.recalibration = (
                other.transforms,
                other.final,
                other.recalibration,
            )

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        Xt = X
        for step in self.transforms:
            Xt = step.transform(Xt)
        if not isinstance(Xt, pd.DataFrame):
            names = None
            if self.transforms:
                try:
                    names = list(self.transforms[-1].get_feature_names_out())
                except (AttributeError, ValueError, TypeError):
                    names = None
            if names is None:
                names = list(getattr(self.final, "feature_names_in_", []))
            if len(names) != np.shape(Xt)[1]:
                raise TypeError(
                    "the pipeline's transform steps returned an array without column names; "
                    "set_output(transform='pandas') on them so that SHAP values can be "
                    "mapped back to the input columns."
                )
            Xt = pd.DataFrame(np.asarray(Xt), columns=names, index=X.index)
        return Xt.set_axis([str(c) for c in Xt.columns], axis=1)

    def logistic_fold(self):
        """``(a, b)`` of a recalibration ``expit(a + b logit p)``, or (0, 1)."""
        if self.recalibration is None:
            return 0.0, 1.0
        return float(self.recalibration.intercept), float(self.recalibration.slope)


class _Raw:
    """SHAP values of one family before the mapping to input columns."""

    def __init__(self, values, columns, base, scale, link, method, notes="", se=None):
        self.values = np.asarray(values, dtype=float)
        self.columns = [str(c) for c in columns]
        self.base = float(base)
        self.scale = scale
        self.link = link
        self.method = method
        self.notes = notes
        self.se = se


def _model_frame(final, Xt: pd.DataFrame) -> pd.DataFrame:
    """``Xt`` with the model's own columns in its order (``feature_names_in_``)."""
    names = getattr(final, "feature_names_in_", None)
    if names is None or len(names) == 0:
        return Xt
    names = [str(c) for c in names]
    if all(c in Xt.columns for c in names):
        return Xt[names]
    return Xt


# -- families -------------------------------------------------------------------------
def _xgboost(parts, Xt, horizon, n_jobs):
    import xgboost

    from ._tree import xgboost_contributions

    final = parts.final
    model = getattr(final, "model_", None)
    if not isinstance(model, xgboost.XGBModel | xgboost.Booster):
        return None
    booster = model.get_booster() if isinstance(model, xgboost.XGBModel) else model
    if hasattr(final, "_prepare_predict"):  # riskml's XGBoost models
        data = final._prepare_predict(Xt)
        columns = list(final.feature_names_in_)
    else:
        names = booster.feature_names
        frame = _model_frame(final, Xt)
        if names is not None and set(names) == set(frame.columns):
            frame = frame[list(names)]
        columns = list(frame.columns)
        data = frame if names is not None else frame.to_numpy(dtype=float)
    values, bias = xgboost_contributions(booster, data, n_jobs)
    import json

    objective = json.loads(booster.save_config())["learner"]["objective"]["name"]
    base = float(bias[0]) if len(bias) else 0.0
    method = "tree (exact path-dependent TreeSHAP, XGBoost pred_contribs)"
    notes = (
        "Path-dependent TreeSHAP: the background is the training data through the trees' covers."
    )
    if objective.startswith("binary:"):
        a, b = parts.logistic_fold()
        return _Raw(values * b, columns, a + b * base, "log-odds", _links.Logistic(), method, notes)
    if objective == "survival:cox":
        baseline = getattr(final, "baseline_", None)
        if horizon is None:
            link = _links.Identity()
        elif baseline is None:
            return None
        else:
            link = _links.CoxRisk(baseline.baseline_at(float(horizon)), baseline.offset)
        return _Raw(values, columns, base, "log relative hazard", link, method, notes)
    return _Raw(values, columns, base, "model output", _links.Identity(), method, notes)


def _sklearn_trees(parts, Xt, n_jobs, max_trees, random_state):
    from ._tree import sklearn_tree_arrays, tree_shap

    final = parts.final
    model = getattr(final, "model_", final)
    found = sklearn_tree_arrays(model)
    if found is None:
        return None
    arrays, output = found
    frame = _model_frame(final, Xt)
    if frame.shape[1] != getattr(model, "n_features_in_", frame.shape[1]):
        return None
    A = frame.to_numpy(dtype=float)
    n_trees = len(arrays.roots)
    se = None
    method = "tree (exact path-dependent TreeSHAP)"
    notes = (
        "Path-dependent TreeSHAP: the background is the training data through the trees' covers."
    )
    if max_trees is not None and n_trees > max_trees and output == "proba":
        rng = np.random.default_rng(random_state)
        keep = np.sort(rng.choice(n_trees, size=int(max_trees), replace=False))
        sub = arrays.subset(keep)
        sub.weights = np.full(len(keep), 1.0 / len(keep))
        values, squares = tree_shap(sub, A, A.shape[1], n_jobs=n_jobs, squares=True)
        m = len(keep)
        variance = np.maximum(squares / m - values**2, 0.0) * m / (m - 1) if m > 1 else 0 * values
        variance = variance / m * (1.0 - m / n_trees)  # finite-population correction
        exact_output = model.predict_proba(A)[:, -1]
        residual = exact_output - arrays.base_value - values.sum(axis=1)
        total = variance.sum(axis=1, keepdims=True)
        share = np.where(total > 0, variance / np.where(total > 0, total, 1.0), 1.0 / A.shape[1])
        values = values + share * residual[:, None]  # efficiency, as shap's SamplingExplainer
        se = np.sqrt(variance)
        method = f"tree (path-dependent TreeSHAP on {m} of {n_trees} trees)"
        notes += (
            f" Estimated from a random {m} of the {n_trees} trees (seed {random_state}); "
            "the sampling error of the sum was spread over the features in proportion to "
            "their variance, so the values still add up exactly; see standard_errors."
        )
    else:
        values, _ = tree_shap(arrays, A, A.shape[1], n_jobs=n_jobs)
    columns = list(frame.columns)
    if output == "proba":
        if parts.recalibration is None:
            return _Raw(
                values, columns, arrays.base_value, "risk", _links.Identity(), method, notes, se
            )
        link = _links.RecalibratedProbability(parts.recalibration)
        return _Raw(
            values, columns, arrays.base_value, "risk before recalibration", link, method, notes, se
        )
    init = float(np.ravel(model._raw_predict_init(A[:1]))[0])
    a, b = parts.logistic_fold()
    base = init + arrays.base_value
    return _Raw(values * b, columns, a + b * base, "log-odds", _links.Logistic(), method, notes)


def _shap_trees(parts, Xt):
    """Other tree models that shap's TreeExplainer reads (histogram gradient boosting).

    Tried only for a family whose specification says ``explainer="tree"``.
    """
    model = getattr(parts.final, "model_", parts.final)
    import shap

    frame = _model_frame(parts.final, Xt)
    try:
        explainer = shap.TreeExplainer(model)
        values = np.asarray(explainer.shap_values(frame.to_numpy(dtype=float)), dtype=float)
    except Exception:  # noqa: BLE001 - a model shap cannot read: the next method
        return None
    if values.ndim != 2:
        return None
    a, b = parts.logistic_fold()
    base = float(np.ravel(explainer.expected_value)[-1])
    return _Raw(
        values * b,
        frame.columns,
        a + b * base,
        "log-odds",
        _links.Logistic(),
        "tree (exact path-dependent TreeSHAP, shap.TreeExplainer)",
        "Path-dependent TreeSHAP: the background is the training data through the trees' covers.",
    )


def _linear_background_note(n):
    return (
        f"Linear SHAP (interventional): each contribution is coefficient x (value - mean "
        f"of the background), the background being {n} rows (the training data when given)."
    )


def _logistic(parts, Xt, background_t):
    final = parts.final
    coef = getattr(final, "coef_", None)
    intercept = getattr(final, "intercept_", None)
    model = getattr(final, "model_", None)
    if coef is None and model is not None:
        coef, intercept = getattr(model, "coef_", None), getattr(model, "intercept_", None)
    if coef is None or intercept is None or not hasattr(final, "predict_proba"):
        return None
    if getattr(final, "outcome_kind", "binary") != "binary":
        return None
    columns = (
        list(coef.index) if isinstance(coef, pd.Series) else list(_model_frame(final, Xt).columns)
    )
    beta = np.ravel(np.asarray(coef, dtype=float))
    if len(beta) != len(columns) or not all(c in Xt.columns for c in columns):
        return None
    A = Xt[columns].to_numpy(dtype=float)
    mean = background_t[columns].to_numpy(dtype=float).mean(axis=0)
    a, b = parts.logistic_fold()
    base = float(np.ravel(intercept)[0]) + float(mean @ beta)
    return _Raw(
        (A - mean) * beta * b,
        columns,
        a + b * base,
        "log-odds",
        _links.Logistic(),
        "linear (exact linear SHAP)",
        _linear_background_note(len(background_t)),
    )


def _cox(parts, Xt, background_t, horizon):
    final = parts.final
    # a Cox model, or a model holding one (LASSO Cox refits a Cox model on its columns)
    cox = (
        final if hasattr(final, "baseline_cumulative_hazard_at") else getattr(final, "model_", None)
    )
    if (
        not hasattr(cox, "baseline_cumulative_hazard_at")
        or getattr(cox, "strata", None) is not None
    ):
        return None
    coef = cox.coef_
    columns = list(coef.index)
    if not set(columns) <= set(Xt.columns):
        # terms the model builds itself (restricted cubic splines: "age'"): the
        # model-agnostic explainer explains it on its input columns
        return None
    A = Xt[columns].to_numpy(dtype=float)
    mean = background_t[columns].to_numpy(dtype=float).mean(axis=0)
    beta = coef.to_numpy(dtype=float)
    base = float((mean - cox.centers_.to_numpy(dtype=float)) @ beta)
    if horizon is None:
        link = _links.Identity()
    else:
        link = _links.CoxRisk(cox.baseline_cumulative_hazard_at(horizon))
    competing = getattr(cox, "outcome_kind", "") == "competing"  # Fine-Gray
    return _Raw(
        (A - mean) * beta,
        columns,
        base,
        "log subdistribution hazard" if competing else "log relative hazard",
        link,
        "linear (exact linear SHAP of the "
        + ("Fine-Gray" if competing else "Cox")
        + " linear predictor)",
        _linear_background_note(len(background_t)),
    )


def _bayes_net(parts, Xt, background_t):
    final = parts.final
    if not hasattr(final, "log_odds_terms"):
        return None
    intercept, terms = final.log_odds_terms()
    columns = [str(c) for c in final.feature_names_in_]
    rows = final.states(_model_frame(final, Xt))
    reference = final.states(_model_frame(final, background_t))
    position = {c: k for k, c in enumerate(columns)}
    values = np.zeros((len(rows), len(columns)))
    base = intercept
    for child, parent, table in terms:
        x_child = rows[child].to_numpy()
        b_child = reference[child].to_numpy()
        j = position[child]
        if parent is None:
            empty = float(table[b_child].mean())
            values[:, j] += table[x_child] - empty
            base += empty
            continue
        k = position[parent]
        x_parent = rows[parent].to_numpy()
        b_parent = reference[parent].to_numpy()
        n_child, n_parent = table.shape
        share_child = np.bincount(b_child, minlength=n_child) / len(b_child)
        share_parent = np.bincount(b_parent, minlength=n_parent) / len(b_parent)
        empty = float(table[b_child, b_parent].mean())  # v({}): joint background rows
        only_child = (table @ share_parent)[x_child]  # v({child})
        only_parent = (share_child @ table)[x_parent]  # v({parent})
        both = table[x_child, x_parent]
        values[:, j] += 0.5 * (only_child - empty) + 0.5 * (both - only_parent)
        values[:, k] += 0.5 * (only_parent - empty) + 0.5 * (both - only_child)
        base += empty
    a, b = parts.logistic_fold()
    return _Raw(
        values * b,
        columns,
        a + b * base,
        "log-odds",
        _links.Logistic(),
        "bayes_net (exact interventional SHAP of the network's log-odds)",
        "The log-odds of a (tree-augmented) naive Bayes network is a sum of terms of one "
        "feature and its feature parent; each term's Shapley values are exact over the "
        f"{len(background_t)} background rows (the training data when given).",
    )


# -- the model-agnostic method ----------------------------------------------------------
def _agnostic(
    pipeline,
    parts,
    rows,
    background,
    horizon,
    n_background,
    random_state,
    n_jobs,
    method,
    n_permutations,
    equation=False,
):
    from ._agnostic import shapley_values

    def risk(frame):
        return _predict_risk(pipeline, frame, horizon)

    sample = background
    if len(background) > n_background:
        rng = np.random.default_rng(random_state)
        sample = background.iloc[np.sort(rng.choice(len(background), n_background, replace=False))]
    columns = list(rows.columns)
    if equation:
        players = equation_players(parts.final, columns)
        if equation_on_log_odds(parts.final):
            scale, link = "log-odds", _links.Logistic()
        else:
            scale, link = "log cumulative hazard", _links.InverseCloglog()
        what = f"the {len(players)} input columns the score reads"
        rows, sample = rows[players], sample[players]  # the score reads nothing else
        prepared = prepared_equation_inputs(
            parts, rows, sample, lambda frame: _predict_risk(pipeline, frame, horizon)
        )
        if prepared is not None:
            rows, sample, risk = prepared
    else:
        players = columns
        observed = np.concatenate([risk(rows), risk(sample)])
        if np.all((observed > 1e-9) & (observed < 1 - 1e-9)):
            scale, link = "log-odds", _links.Logistic()
        elif np.all((observed >= 0) & (observed <= 1)):
            scale, link = "risk", _links.Identity()
        else:
            scale, link = "model output", _links.Identity()
        what = f"all {len(players)} input columns"

    def output(frame):
        r = risk(frame)
        if isinstance(link, _links.Logistic):
            r = np.clip(r, 1e-15, 1 - 1e-15)
            return np.log(r) - np.log1p(-r)
        if isinstance(link, _links.InverseCloglog):
            r = np.clip(r, 1e-300, 1 - 1e-16)
            return np.log(-np.log1p(-r))
        return r

    values, base, used = shapley_values(
        output,
        rows.reset_index(drop=True),
        players,
        sample.reset_index(drop=True),
        method="auto" if method == "auto" else method,
        n_permutations=n_permutations,
        random_state=random_state,
        n_jobs=n_jobs,
    )
    if used == "exact":
        description = f"exact (interventional Shapley values, every coalition of {what})"
    else:
        description = (
            f"permutation (interventional Shapley values from {2 * ((n_permutations + 1) // 2)} "
            f"antithetic orderings of {what}, seed {random_state})"
        )
    notes = (
        f"Model-agnostic {used} Shapley values; each coalition's value is the mean model "
        f"output over {len(sample)} background rows sampled (seed {random_state}) from the "
        "background (the training data when given)."
    )
    return _Raw(values, players, base, scale, link, description, notes)


# -- public -----------------------------------------------------------------------------
def explain_pipeline(
    pipeline,
    X,
    *,
    horizon=None,
    rows=None,
    background=None,
    n_background=100,
    random_state=0,
    n_jobs=None,
    method="auto",
    model_name=None,
    max_trees=None,
    n_permutations=20,
    check_input=True,
    max_rows=None,
) -> ShapExplanation:
    """SHAP values of any fitted risk pipeline, per input column, on the model's additive scale.

    Parameters
    ----------
    pipeline : fitted RiskPipeline or estimator
        Any fitted pipeline (or model) with ``predict_risk``. The steps before the
        last must name their output columns ``<input>`` or ``<input>_<suffix>``
        (riskml's preprocessing does). Samplers are skipped (they act only in
        ``fit``); a recalibration after a sampler or class weights is included.
    X : pandas.DataFrame
        Rows to explain: the training cohort or new patients, with the columns the
        pipeline was fitted on.
    horizon : float, optional
        Days. Survival models: the horizon of :meth:`ShapExplanation.patient_risk`
        (None: the log relative hazard, what ``predict_risk(X)`` returns). Passed
        to ``predict_risk`` as is.
    rows : None, int or array of int, optional
        None: every row of ``X``; an int ``k``: ``k`` rows drawn without
        replacement with ``random_state``; an array: those row positions.
    background : pandas.DataFrame, optional
        The reference population: the training data. Linear and Bayesian-network
        values use all of it; the model-agnostic method a sample of
        ``n_background`` rows; it also gives the "cohort average" risk and the
        ranges of :func:`check_new_patients`. Default: ``X``.
    n_background : int, default=100
        Background rows of the model-agnostic method.
    random_state : int, default=0
        Seed of the row sample, the background sample, tree subsamples and
        permutations; same seed, same numbers.
    n_jobs : int, optional
        Threads (tree kernels) or processes (model-agnostic method) over chunks of
        rows. None: the tree kernels use every core at the top level (one inside a
        parallel worker), the model-agnostic method one process. The values do not
        depend on it.
    method : {"auto", "exact", "permutation"}, default="auto"
        ``"auto"``: the family's exact method (below). ``"exact"`` or
        ``"permutation"``: the model-agnostic method with that estimator.
    model_name : str, optional
        Name shown in plots and sentences (default: the final step's class).
    max_trees : int, optional
        Forests with more trees are explained from a seeded random subsample of
        this many trees, with standard errors and exact additivity (see Notes).
        None: every tree (exact).
    n_permutations : int, default=20
        Orderings per patient of the permutation estimator.
    check_input : bool, default=True
        Check ``X`` first with :func:`check_new_patients` (columns, unseen
        levels, and, with a ``background``, values far outside its range).
    max_rows : int, optional
        Old name of ``rows=int``.

    Returns
    -------
    ShapExplanation

    Notes
    -----
    Methods by family (its ``ModelSpec.explainer``, :func:`riskml.models.model_spec`; a
    model of no registered family tries the tree, then the linear methods), all with
    ``base_value + sum(values) = f(x)`` exactly:

    - XGBoost (binary and ``survival:cox``): XGBoost's own exact path-dependent
      TreeSHAP (``pred_contribs``), log-odds or log relative hazard.
    - scikit-learn trees (random forest, extra trees, bagged trees, gradient
      boosting, a decision tree): exact path-dependent TreeSHAP by riskml's
      numba kernel (the values of ``shap.TreeExplainer``, faster), on the
      probability (forests) or log-odds (boosting) scale.
    - Logistic and LASSO logistic models, Cox and LASSO Cox: exact linear SHAP
      ``beta_j (x_j - mean_j)`` with the background mean (log-odds, log relative
      hazard).
    - Bayesian networks (TAN, naive Bayes): exact interventional SHAP of the
      log-odds, which is a sum of one- and two-feature table lookups.
    - Framingham scores: exact interventional Shapley values over the score's own
      input columns (every coalition), on the log cumulative hazard at the horizon
      (``log(-log(1 - risk))``), or log-odds with logistic recalibration.
    - Anything else: model-agnostic interventional Shapley values over all input
      columns, exact (every coalition) for few columns, else antithetic
      permutations, on the log-odds of ``predict_risk`` (``"risk"`` when some
      risks are exactly 0 or 1).

    A recalibration ``expit(a + b logit p)`` of the pipeline (after a sampler or
    class weights) multiplies log-odds contributions by ``b`` and shifts the base
    value, so the values stay on the log-odds of the risk ``predict_risk``
    returns; for random forests (probability scale) it is applied by the link.
    Every family is checked at the end: the risks rebuilt from the values must
    equal ``predict_risk`` to 1e-6, or the model-agnostic method is used instead
    (with a warning).

    With ``max_trees`` the forest's values are the mean of the sampled trees'
    TreeSHAP values (unbiased), then the difference between their sum and the
    forest's output is spread over the features in proportion to their
    estimated variance (as in shap's SamplingExplainer), which keeps additivity
    exact; ``standard_errors`` gives each value's standard error.

    References
    ----------
    Lundberg SM, Lee S-I. A unified approach to interpreting model predictions.
    NeurIPS 2017.

    Lundberg SM, Erion G, Chen H, et al. From local explanations to global
    understanding with explainable AI for trees. Nat Mach Intell. 2020;2:56-67.

    Yu P, Bifet A, Read J, Xu C. Linear TreeShap. NeurIPS 2022.

    Strumbelj E, Kononenko I. Explaining prediction models and individual
    predictions with feature contributions. Knowl Inf Syst. 2014;41:647-665.

    Examples
    --------
    >>> import riskml as rk
    >>> cohort = rk.cohorts.load_heart_failure_clinical_records()
    >>> X, y = cohort.features, cohort.outcome.event
    >>> fitted = rk.models.make_model("logistic").fit(X, y)
    >>> explanation = explain_pipeline(fitted, X)
    >>> explanation.summary_sentence(17)
    'Predicted risk 37% against a cohort average of 32%; raised most by ejection_fraction (14) and serum_sodium (127); lowered most by age (45) and serum_creatinine (0.8).'
    >>> round(float(explanation.patient_risk(17)), 6) == round(float(fitted.predict_risk(X)[17]), 6)
    True
    >>> ax = explanation.plot_waterfall(17)
    """
    from ..models import model_spec
    from ._checks import check_new_patients

    background, parts = _checked_inputs(pipeline, X, background, method)
    if check_input:
        check_new_patients(pipeline, X, None if background is X else background)
    positions = row_positions(rows, max_rows, len(X), random_state)
    selected = X.iloc[positions]
    data = selected.copy()
    data.index = positions
    data.columns = [str(c) for c in X.columns]
    final_name = type(parts.final).__name__
    spec = model_spec(parts.final)
    explainer = "auto" if spec is None else spec.explainer

    raw = None
    if method == "auto":
        raw = _family_values(
            parts,
            selected,
            positions,
            background,
            explainer,
            horizon,
            n_jobs,
            max_trees,
            random_state,
        )
        raw = _reproduces(raw, pipeline, selected, horizon, final_name)
    if raw is None:
        raw = _agnostic(
            pipeline,
            parts,
            selected.set_axis(data.columns, axis=1),
            background.set_axis([str(c) for c in background.columns], axis=1),
            horizon,
            n_background,
            random_state,
            n_jobs,
            method,
            n_permutations,
            equation=explainer == "equation",
        )
    transformed, values, column_map, standard_errors = by_input_column(raw, data, positions)
    return ShapExplanation(
        values=values,
        transformed_values=transformed,
        base_value=raw.base,
        data=data,
        column_map=column_map,
        row_positions=positions,
        scale=raw.scale,
        link=raw.link,
        method=raw.method,
        model_name=model_name or final_name,
        horizon=horizon if horizon is not None else getattr(pipeline, "horizon", None),
        reference_risk=_reference_risk(pipeline, background, horizon, random_state),
        standard_errors=standard_errors,
        notes=raw.notes,
        objective=_xgboost_objective(parts.final) if _has_xgboost(parts.final) else None,
    )


def _checked_inputs(pipeline, X, background, method):
    """``(background, parts)`` after checking the arguments of :func:`explain_pipeline`."""
    if not isinstance(X, pd.DataFrame):
        raise TypeError(
            f"X must be a pandas DataFrame with the input columns; got {type(X).__name__}."
        )
    if background is None:
        background = X
    elif not isinstance(background, pd.DataFrame):
        raise TypeError(
            f"background must be a pandas DataFrame (the training data); got "
            f"{type(background).__name__}."
        )
    parts = _Parts(pipeline)
    if not (hasattr(pipeline, "predict_risk") or hasattr(parts.final, "predict_risk")):
        raise TypeError(
            "explain_pipeline needs a fitted risk model with predict_risk; got "
            f"{type(parts.final).__name__}. Wrap the model in a riskml model or pass a "
            "RiskPipeline (e.g. riskml.models.make_model(...).fit(X, y))."
        )
    if method not in ("auto", "exact", "permutation"):
        raise ValueError(f"method must be 'auto', 'exact' or 'permutation'; got {method!r}.")
    return background, parts


def _family_values(
    parts, selected, positions, background, explainer, horizon, n_jobs, max_trees, random_state
):
    """The exact values of the family's explainer (``ModelSpec.explainer``), or None.

    ``explainer="auto"`` (a model of no registered family) tries the tree methods, then
    the linear ones when the model has coefficients.
    """
    if explainer not in ("tree", "linear", "bayes_net", "auto"):
        return None  # "equation" and "agnostic": the model-agnostic method
    Xt = parts.transform(selected).set_axis(positions, axis=0)
    raw = None
    if explainer in ("tree", "auto"):
        raw = _xgboost(parts, Xt, horizon, n_jobs) if _has_xgboost(parts.final) else None
        if raw is None:
            raw = _sklearn_trees(parts, Xt, n_jobs, max_trees, random_state)
        if raw is None and explainer == "tree":
            raw = _shap_trees(parts, Xt)
    if raw is not None or (explainer == "auto" and not _has_coefficients(parts.final)):
        return raw
    if explainer == "tree":
        return None
    background_t = parts.transform(background)
    if explainer == "bayes_net":
        return _bayes_net(parts, Xt, background_t)
    raw = _logistic(parts, Xt, background_t)
    return raw if raw is not None else _cox(parts, Xt, background_t, horizon)


def _reproduces(raw, pipeline, selected, horizon, final_name):
    """``raw`` if its values rebuild ``predict_risk`` to 1e-6; else None, with a warning."""
    if raw is None:
        return None
    expected = _predict_risk(pipeline, selected, horizon)
    rebuilt = raw.link(raw.base + raw.values.sum(axis=1))
    gap = float(np.max(np.abs(rebuilt - expected))) if len(expected) else 0.0
    if np.isfinite(gap) and gap <= _TOLERANCE:
        return raw
    warnings.warn(
        f"the {raw.method} values of {final_name} do not reproduce its "
        f"predict_risk (largest difference {gap:.3g}); using the model-agnostic "
        "method instead.",
        UserWarning,
        stacklevel=3,
    )
    return None


def _has_xgboost(final) -> bool:
    model = getattr(final, "model_", None)
    return model is not None and type(model).__module__.startswith("xgboost")


def _xgboost_objective(final):
    import json

    model = final.model_
    booster = model.get_booster() if hasattr(model, "get_booster") else model
    return str(json.loads(booster.save_config())["learner"]["objective"]["name"])


def _has_coefficients(final) -> bool:
    """Whether a model of no registered family has coefficients (linear SHAP may apply)."""
    return getattr(final, "coef_", None) is not None or hasattr(
        getattr(final, "model_", None), "coef_"
    )


def _predict_risk(pipeline, X, horizon) -> np.ndarray:
    """``pipeline.predict_risk``; for a plain Pipeline, its transforms then the final step's."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if hasattr(pipeline, "predict_risk"):
            return np.asarray(pipeline.predict_risk(X, horizon=horizon), dtype=float)
        parts = _Parts(pipeline)
        Xt = parts.transform(X) if parts.transforms else X
        return np.asarray(parts.final.predict_risk(Xt, horizon=horizon), dtype=float)


def _reference_risk(pipeline, background, horizon, random_state, n=2000):
    """Mean predicted risk over (a sample of) the background: the cohort average."""
    sample = background
    if len(background) > n:
        rng = np.random.default_rng(random_state)
        sample = background.iloc[np.sort(rng.choice(len(background), n, replace=False))]
    try:
        return float(np.mean(_predict_risk(pipeline, sample, horizon)))
    except Exception:  # noqa: BLE001 - the cohort average is optional decoration
        return None
