"""The standard model pipelines, by name (and from YAML)."""

from __future__ import annotations

import os
from pathlib import Path

from sklearn.base import clone

from ..features import make_preprocessor
from ._bayes_net import BayesNetRisk
from ._forest import RandomForestRisk
from ._imbalance import make_sampler
from ._lasso_cox import LassoCox
from ._linear import LassoRisk, LogisticRisk
from ._pipeline import RiskPipeline
from ._tuning import TunedRisk
from ._xgboost import XGBoostRisk, XGBoostSurvival
from .cox import CoxPH
from .scores import FraminghamScore
from .scores.framingham import TEN_YEARS_DAYS

__all__ = ["DEFAULT_GRIDS", "MODELS", "describe_model", "make_model", "models_from_yaml"]

#: Ridge penalty of the registry's Cox model. Unscaled one-hot columns keep every
#: level (their sum is constant, which the Cox baseline absorbs), and a rare level
#: or a small training fold can separate events; either leaves the unpenalised
#: partial likelihood without a finite maximum. 0.01 on standardised covariates
#: makes the fit unique and barely moves well-estimated coefficients.
COX_PENALIZER = 0.01

_DESCRIPTIONS = {
    "xgboost": (
        "XGBoost (200 trees, depth 3, learning rate 0.05) on imputed features; "
        "P(event by the horizon)."
    ),
    "xgboost_survival": (
        "XGBoost Cox model (survival:cox; 200 trees, depth 3, learning rate 0.05) with a "
        "Breslow baseline hazard, on imputed features; 1 - S(horizon | x)."
    ),
    "random_forest": (
        "Random forest (500 trees, leaves of at least 5 patients, sqrt(p) features per "
        "split) on imputed features; P(event by the horizon)."
    ),
    "lasso": (
        "LASSO logistic regression (L1 penalty chosen by 5-fold CV on AUC) on imputed, "
        "standardised features; P(event by the horizon)."
    ),
    "lasso_cox": (
        "LASSO Cox model (lifelines; L1 penalty chosen by 3-fold CV on Harrell's C) on "
        "imputed, standardised features; 1 - S(horizon | x)."
    ),
    "bayes_net": (
        "Tree-augmented naive Bayes network (Friedman 1997; pgmpy, BDeu prior) on features "
        "in 5 training-fold quantile bins plus a missing state; P(event by the horizon)."
    ),
    "naive_bayes": (
        "Naive Bayes network (pgmpy, BDeu prior) on features in 5 training-fold quantile "
        "bins plus a missing state; P(event by the horizon)."
    ),
    "logistic": (
        "Logistic regression (unpenalised maximum likelihood) on imputed, standardised "
        "features; P(event by the horizon)."
    ),
    "ridge": (
        "Ridge logistic regression (L2 penalty chosen by 5-fold CV on AUC) on imputed, "
        "standardised features; P(event by the horizon)."
    ),
    "cox": (
        "Cox proportional-hazards model (Efron ties, ridge penalty 0.01) on imputed, "
        "standardised features; 1 - S(horizon | x)."
    ),
    "framingham": (
        "Framingham general CVD score (D'Agostino 2008, laboratory form), published "
        "coefficients and 10-year baseline."
    ),
    "framingham_recalibrated": (
        "Framingham general CVD score (D'Agostino 2008) recalibrated to the training cohort: "
        "Kaplan-Meier baseline survival at the horizon and cohort mean linear predictor."
    ),
    "framingham_bmi": (
        "Framingham general CVD score (D'Agostino 2008, non-laboratory BMI form), published "
        "coefficients and 10-year baseline."
    ),
    "framingham_bmi_recalibrated": (
        "Framingham general CVD score (D'Agostino 2008, BMI form) recalibrated to the training "
        "cohort: Kaplan-Meier baseline survival at the horizon and cohort mean linear predictor."
    ),
    "atp3_hard_chd": (
        "ATP III (NCEP 2001) Framingham 10-year hard CHD equation (MI or coronary death), "
        "published coefficients."
    ),
    "atp3_hard_chd_recalibrated": (
        "ATP III Framingham hard CHD equation recalibrated to the training cohort: Kaplan-Meier "
        "baseline survival at the horizon and cohort mean linear predictor."
    ),
    "wilson1998_tc": (
        "Wilson 1998 Framingham CHD score (total-cholesterol and JNC-V blood-pressure "
        "categories), published coefficients and 10-year baseline."
    ),
    "wilson1998_tc_recalibrated": (
        "Wilson 1998 Framingham CHD score recalibrated to the training cohort: Kaplan-Meier "
        "baseline survival at the horizon and cohort mean linear predictor."
    ),
    "framingham_logistic_recalibrated": (
        "Framingham general CVD score (D'Agostino 2008) with logistic recalibration (intercept "
        "and slope of logit risk fitted on the training cohort's label at the horizon)."
    ),
}

#: Names accepted by :func:`make_model`.
MODELS = tuple(_DESCRIPTIONS)

#: Search grids of ``make_model(name, tune=True)`` (parameters of the final model).
#: Models that already choose their penalty by inner CV (lasso, lasso_cox, ridge),
#: the unpenalised logistic model and the published scores have none.
DEFAULT_GRIDS = {
    "xgboost": {"max_depth": [2, 3, 4], "learning_rate": [0.03, 0.1]},
    "xgboost_survival": {"max_depth": [2, 3, 4], "learning_rate": [0.03, 0.1]},
    "random_forest": {"min_samples_leaf": [2, 5, 20], "max_features": ["sqrt", 0.5]},
    "bayes_net": {"n_bins": [3, 5, 8], "equivalent_sample_size": [1.0, 5.0, 20.0]},
    "naive_bayes": {"n_bins": [3, 5, 8]},
    "cox": {"penalizer": [0.001, 0.01, 0.1]},
}

_SURVIVAL = {"xgboost_survival", "lasso_cox", "cox"}
#: Published scores: registry name -> (FraminghamScore model, recalibrate).
_SCORES = {
    "framingham": ("dagostino2008_lipid", False),
    "framingham_recalibrated": ("dagostino2008_lipid", True),
    "framingham_logistic_recalibrated": ("dagostino2008_lipid", "logistic"),
    "framingham_bmi": ("dagostino2008_bmi", False),
    "framingham_bmi_recalibrated": ("dagostino2008_bmi", True),
    "atp3_hard_chd": ("atp3_hard_chd", False),
    "atp3_hard_chd_recalibrated": ("atp3_hard_chd", True),
    "wilson1998_tc": ("wilson1998_tc", False),
    "wilson1998_tc_recalibrated": ("wilson1998_tc", True),
}


def _check_name(name) -> str:
    if name not in _DESCRIPTIONS:
        raise ValueError(f"unknown model {name!r}; choose one of {list(MODELS)}.")
    return name


def describe_model(name: str) -> str:
    """One-line description of a registry model, for reports.

    Parameters
    ----------
    name : str
        One of :data:`MODELS`.

    Returns
    -------
    str
    """
    return _DESCRIPTIONS[_check_name(name)]


def _learned_steps(name: str, random_state):
    """(preprocessor, model) of a learned registry model."""
    if name == "xgboost":
        return make_preprocessor(scale=False), XGBoostRisk(random_state=random_state)
    if name == "xgboost_survival":
        return make_preprocessor(scale=False), XGBoostSurvival(random_state=random_state)
    if name == "random_forest":
        return make_preprocessor(scale=False), RandomForestRisk(random_state=random_state)
    if name == "lasso":
        return make_preprocessor(scale=True), LassoRisk(random_state=random_state)
    if name == "lasso_cox":
        return make_preprocessor(scale=True), LassoCox(
            cv=3, n_penalizers=5, random_state=random_state
        )
    if name == "bayes_net":
        return make_preprocessor(scale=False, impute=False), BayesNetRisk(structure="tan")
    if name == "naive_bayes":
        return make_preprocessor(scale=False, impute=False), BayesNetRisk(structure="naive")
    if name == "logistic":
        return make_preprocessor(scale=True), LogisticRisk(random_state=random_state)
    if name == "ridge":
        return make_preprocessor(scale=True), LogisticRisk(
            penalty="l2", cv=5, random_state=random_state
        )
    return make_preprocessor(scale=True), CoxPH(penalizer=COX_PENALIZER)


def _set_model_params(model, name: str, params: dict):
    if not params:
        return model
    valid = sorted(model.get_params(deep=False))
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise ValueError(
            f"unknown option(s) {unknown} for model {name!r} ({type(model).__name__}); "
            f"its parameters are {valid}, and make_model also takes selection, horizon, "
            "sampler, class_weight, recalibrate, tune, framingham_inputs, framingham_units "
            "and random_state."
        )
    return model.set_params(**params)


def _set_class_weight(model, name: str, class_weight):
    if class_weight is None:
        return model
    if isinstance(model, XGBoostRisk):
        if class_weight == "balanced":
            return model.set_params(scale_pos_weight="balanced")
        if isinstance(class_weight, dict):
            ratio = float(class_weight.get(1, 1.0)) / float(class_weight.get(0, 1.0))
            return model.set_params(scale_pos_weight=ratio)
    elif "class_weight" in model.get_params(deep=False):
        return model.set_params(class_weight=class_weight)
    raise ValueError(
        f"model {name!r} does not take class weights; class_weight works with xgboost, "
        "random_forest, lasso, logistic and ridge. Use sampler= for the others, or neither."
    )


def _tuned(pipeline: RiskPipeline, name: str, tune, random_state) -> TunedRisk:
    options = {}
    if tune is True:
        if name not in DEFAULT_GRIDS:
            raise ValueError(
                f"model {name!r} has no default tuning grid (it already chooses its penalty "
                f"by inner CV, or has nothing to tune); models with one: "
                f"{sorted(DEFAULT_GRIDS)}. Pass tune={{'param': [values]}} to search anyway."
            )
        grid = DEFAULT_GRIDS[name]
    elif isinstance(tune, dict) and "param_grid" in tune:
        options = {k: v for k, v in tune.items() if k != "param_grid"}
        grid = tune["param_grid"]
        unknown = sorted(set(options) - {"search", "cv", "n_iter", "n_jobs"})
        if unknown:
            raise ValueError(
                f"unknown tune option(s) {unknown}; use param_grid, search, cv, n_iter, n_jobs."
            )
    elif isinstance(tune, dict):
        grid = tune
    else:
        raise TypeError(
            f"tune must be True (the default grid), a dict of parameter values, or "
            f"{{'param_grid': {{...}}, 'search': 'random', ...}}; got {type(tune).__name__}."
        )
    grid = {
        (k if "__" in k else f"model__{k}"): list(v) if isinstance(v, tuple) else v
        for k, v in grid.items()
    }
    return TunedRisk(pipeline, grid, random_state=random_state, **options)


def make_model(
    name: str,
    *,
    selection=None,
    horizon=None,
    framingham_inputs=None,
    framingham_units="mg/dL",
    random_state=0,
    sampler=None,
    class_weight=None,
    recalibrate="prior",
    tune=None,
    **model_params,
) -> RiskPipeline:
    """An unfitted :class:`RiskPipeline` for a registry model.

    Parameters
    ----------
    name : str
        One of :data:`MODELS`: ``"xgboost"``, ``"xgboost_survival"``,
        ``"random_forest"``, ``"lasso"``, ``"lasso_cox"``, ``"bayes_net"``,
        ``"naive_bayes"``, ``"logistic"``, ``"ridge"``, ``"cox"``,
        ``"framingham"``, ``"framingham_recalibrated"``.
    selection : transformer, optional
        A feature selector (e.g.
        :class:`~riskml.features.RecursiveFeatureElimination` or
        :class:`~riskml.features.InformationGain`), cloned and placed after
        preprocessing in the learned models; ignored by the Framingham scores,
        which take fixed inputs. A selector with a ``horizon`` parameter left at
        None gets the pipeline's horizon.
    horizon : float, optional
        Days. The pipeline's horizon (binary models train on "event by horizon");
        for ``"framingham_recalibrated"`` also the recalibration horizon (default 10
        years).
    framingham_inputs : dict, optional
        Column mapping of :class:`~riskml.models.FraminghamScore`.
    framingham_units : {"mg/dL", "mmol/L"}, default="mg/dL"
        Cholesterol unit for the Framingham scores.
    random_state : int, default=0
        Seed of the learned models, samplers and tuning folds.
    sampler : {"undersample", "oversample", "smote"} or sampler, optional
        A class-imbalance sampler placed just before the model (binary models
        only); it acts only in ``fit``.
    class_weight : "balanced" or dict, optional
        Class weights of the model (xgboost: ``scale_pos_weight``).
    recalibrate : {"prior", "intercept", "logistic"} or None, default="prior"
        How the pipeline maps risks back to the training fold's event rate after
        a sampler or class weights (see :class:`RiskPipeline`).
    tune : True or dict, optional
        Hyperparameter search by inner CV on the C-statistic, nested in
        ``fit``: True uses :data:`DEFAULT_GRIDS`; a dict gives the grid
        (model parameter names, or ``step__name``), or
        ``{"param_grid": {...}, "search": "random", "n_iter": 20, "cv": 5}``.
        The pipeline then holds one step, ``"model"``, a
        :class:`~riskml.models.TunedRisk` around the whole pipeline.
    **model_params
        Parameters of the final model (e.g. ``n_estimators=300``).

    Returns
    -------
    RiskPipeline

    Notes
    -----
    The Cox model carries a small ridge penalty (0.01): the one-hot columns keep
    every level and small folds can separate events, which leave the unpenalised
    partial likelihood without a unique maximum. The Bayesian networks keep
    missing values (their missing state) instead of imputing them.

    Examples
    --------
    >>> make_model("cox", horizon=1004).steps[-1][0]
    'model'
    >>> [n for n, _ in make_model("random_forest", sampler="undersample").steps]
    ['preprocess', 'sampler', 'model']
    """
    _check_name(name)
    if name in _SCORES:
        equation, recalibrated = _SCORES[name]
        score = FraminghamScore(
            model=equation,
            recalibrate=recalibrated,
            horizon_days=(horizon if recalibrated and horizon is not None else TEN_YEARS_DAYS),
            inputs=framingham_inputs,
            units=framingham_units,
        )
        if sampler is not None or class_weight is not None or tune:
            raise ValueError(
                f"{name!r} is a published score: it takes no sampler, class_weight or tune."
            )
        score = _set_model_params(score, name, model_params)
        return RiskPipeline([("model", score)], horizon=horizon, recalibrate=recalibrate)
    preprocess, model = _learned_steps(name, random_state)
    model = _set_model_params(model, name, model_params)
    model = _set_class_weight(model, name, class_weight)
    steps = [("preprocess", preprocess)]
    if selection is not None:
        selector = clone(selection)
        params = selector.get_params(deep=False)
        if horizon is not None and "horizon" in params and params["horizon"] is None:
            selector.set_params(horizon=horizon)
        steps.append(("select", selector))
    if sampler is not None:
        if name in _SURVIVAL:
            raise ValueError(
                f"sampler= needs a binary model; {name!r} is a time-to-event model "
                "(imbalance does not bias a Cox-type model's ranking). Drop the sampler."
            )
        steps.append(("sampler", make_sampler(sampler, random_state)))
    steps.append(("model", model))
    pipeline = RiskPipeline(steps, horizon=horizon, recalibrate=recalibrate)
    if not tune:
        return pipeline
    return RiskPipeline(
        [("model", _tuned(pipeline, name, tune, random_state))],
        horizon=horizon,
        recalibrate=recalibrate,
    )


_MAKE_MODEL_OPTIONS = (
    "selection",
    "horizon",
    "framingham_inputs",
    "framingham_units",
    "random_state",
    "sampler",
    "class_weight",
    "recalibrate",
    "tune",
)


def _read_yaml(path_or_text):
    import yaml

    if isinstance(path_or_text, Path) or (
        isinstance(path_or_text, str)
        and "\n" not in path_or_text
        and path_or_text.strip().endswith((".yaml", ".yml"))
    ):
        path = Path(path_or_text)
        if not path.is_file():
            raise FileNotFoundError(
                f"no YAML file at {os.fspath(path)!r}. Pass an existing path or the YAML text."
            )
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(path_or_text, str):
        raise TypeError(
            f"models_from_yaml takes a path or YAML text; got {type(path_or_text).__name__}."
        )
    return yaml.safe_load(path_or_text)


def models_from_yaml(path_or_text, **defaults) -> dict[str, RiskPipeline]:
    """Registry pipelines from a YAML list of model names and options.

    Parameters
    ----------
    path_or_text : str or pathlib.Path
        A ``.yaml``/``.yml`` file, or YAML text: a list (or a mapping with the
        key ``models`` holding a list) whose entries are a model name or a
        mapping with ``name`` (required), ``label`` (optional, default the name)
        and ``options`` (keyword arguments of :func:`make_model`, including
        ``sampler``, ``tune`` and model parameters).
    **defaults
        :func:`make_model` arguments for every entry (e.g. ``horizon``,
        ``random_state``, ``selection``); an entry's options override them.

    Returns
    -------
    dict of str to RiskPipeline
        Labels to unfitted pipelines, in file order.

    Examples
    --------
    >>> text = '''
    ... - name: xgboost
    ...   options: {n_estimators: 300, sampler: undersample}
    ... - cox
    ... - name: random_forest
    ...   label: forest_balanced
    ...   options: {class_weight: balanced}
    ... '''
    >>> list(models_from_yaml(text, horizon=365))
    ['xgboost', 'cox', 'forest_balanced']
    """
    document = _read_yaml(path_or_text)
    if isinstance(document, dict) and "models" in document:
        document = document["models"]
    if not isinstance(document, list) or not document:
        raise ValueError(
            "models YAML must be a non-empty list of model entries (or a mapping with the key "
            "'models' holding one), e.g. '- name: xgboost\\n  options: {n_estimators: 300}'; "
            f"got {type(document).__name__}."
        )
    pipelines = {}
    for position, entry in enumerate(document):
        if isinstance(entry, str):
            entry = {"name": entry}
        if not isinstance(entry, dict) or "name" not in entry:
            raise ValueError(
                f"models YAML entry {position} must be a model name or a mapping with 'name'; "
                f"got {entry!r}."
            )
        unknown = sorted(set(entry) - {"name", "label", "options"})
        if unknown:
            raise ValueError(
                f"models YAML entry {position} ({entry['name']!r}) has unknown key(s) "
                f"{unknown}; use name, label and options."
            )
        options = entry.get("options") or {}
        if not isinstance(options, dict):
            raise ValueError(
                f"options of models YAML entry {position} ({entry['name']!r}) must be a "
                f"mapping; got {options!r}."
            )
        label = str(entry.get("label", entry["name"]))
        if label in pipelines:
            raise ValueError(
                f"model label {label!r} appears twice in the models YAML; give each entry its "
                "own label."
            )
        pipelines[label] = make_model(entry["name"], **{**defaults, **options})
    return pipelines
