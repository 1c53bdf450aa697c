"""The standard model pipelines, by name (and from YAML), and any classifier made a risk model."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from sklearn.base import clone

from ..features import make_preprocessor, set_ranking_resolver
from . import _families  # noqa: F401 - registers the built-in families
from ._imbalance import make_sampler
from ._pipeline import RiskPipeline
from ._sklearn import SklearnRiskClassifier, check_classifier
from ._spec import ModelSpec, model_spec, spec_named, specs
from ._tuning import TunedRisk
from .scores import FraminghamScore, PublishedModel
from .scores.framingham import TEN_YEARS_DAYS

# MODELS and DEFAULT_GRIDS are read through the module's __getattr__ (below)
__all__ = [
    "default_grids",
    "describe_model",
    "make_model",
    "model_names",
    "models_from_yaml",
    "ranking_estimator",
]


def model_names() -> tuple[str, ...]:
    """Names accepted by :func:`make_model`: the built-in families, then yours.

    :data:`MODELS` is the same tuple, read when accessed.

    Examples
    --------
    >>> from riskml.models import model_names
    >>> model_names()[:5]
    ('xgboost', 'xgboost_survival', 'random_forest', 'lasso', 'lasso_cox')
    """
    return tuple(spec.name for spec in specs())


def default_grids() -> dict:
    """Search grids of ``make_model(name, tune=True)``, by family (a fresh dict).

    Parameters of the final model (for the scikit-learn families, of the classifier
    it wraps). Models that already choose their penalty by inner CV (lasso,
    lasso_cox, ridge), the unpenalised logistic model and the published scores have
    none. :data:`DEFAULT_GRIDS` is the same dict, read when accessed.

    Examples
    --------
    >>> from riskml.models import default_grids
    >>> sorted(default_grids())[:4]
    ['adaboost', 'bagging', 'bayes_net', 'cox']
    """
    return {spec.name: dict(spec.grid) for spec in specs() if spec.grid is not None}


def __getattr__(name):
    # MODELS and DEFAULT_GRIDS follow register_model: computed when read
    if name == "MODELS":
        return model_names()
    if name == "DEFAULT_GRIDS":
        return default_grids()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def describe_model(name: str, horizon: float | None = None) -> str:
    """One-line description of a registry model, for reports.

    Parameters
    ----------
    name : str
        One of :data:`MODELS`.
    horizon : float, optional
        The study's horizon in days. Binary classifiers predict the probability of
        the event; with a time-to-event outcome that is the event by the horizon,
        so the description names the day; without a horizon it says ``P(event)``.

    Returns
    -------
    str

    Examples
    --------
    >>> from riskml.models import describe_model
    >>> describe_model("logistic")
    "Logistic regression (unpenalised maximum likelihood, fitted as R's glm) on imputed, standardised features; P(event)."
    """
    description = model_spec(name).description
    target = "P(event)" if horizon is None else f"P(event by day {float(horizon):g})"
    return description.replace("P(event by the horizon)", target)


def _final_model(spec: ModelSpec, random_state):
    """The unfitted final model of a family; a plain classifier becomes a risk model."""
    model = spec.estimator(random_state)
    if hasattr(model, "predict_risk"):
        return model
    wrapped = SklearnRiskClassifier(check_classifier(model, f"model family {spec.name!r}"))
    return _seed_unset(wrapped, random_state)


def _param_name(model, key: str) -> str:
    """``key`` in ``model``'s parameter namespace.

    The parameters of a classifier wrapped in :class:`SklearnRiskClassifier` (the
    zoo families, user classifiers) are reached through ``estimator__``, so that
    ``make_model("svm", C=10)`` and the grid ``{"C": [...]}`` work as for the
    other models.
    """
    if key in model.get_params(deep=False) or not isinstance(model, SklearnRiskClassifier):
        return key
    inner = f"estimator__{key}"
    return inner if inner in model.get_params(deep=True) else key


def _valid_params(model) -> list[str]:
    own = sorted(model.get_params(deep=False))
    if isinstance(model, SklearnRiskClassifier):
        own = sorted(set(own) - {"estimator"}) + sorted(model.estimator.get_params(deep=True))
    return own


def _set_model_params(model, name: str, params: dict):
    if not params:
        return model
    mapped = {_param_name(model, key): value for key, value in params.items()}
    deep = model.get_params(deep=isinstance(model, SklearnRiskClassifier))
    unknown = sorted(key for key in params if _param_name(model, key) not in deep)
    if unknown:
        raise ValueError(
            f"unknown option(s) {unknown} for model {name!r} ({type(model).__name__}); "
            f"its parameters are {_valid_params(model)}, and make_model also takes selection, "
            "horizon, sampler, class_weight, recalibrate, tune, framingham_inputs, "
            "framingham_units and random_state."
        )
    return model.set_params(**mapped)


def _set_class_weight(model, name: str, class_weight, spec: ModelSpec | None):
    if class_weight is None:
        return model
    if spec is not None and spec.class_weight is not None:
        weighted = spec.class_weight(model, class_weight)
        if weighted is not None:
            return weighted
    elif "class_weight" in model.get_params(deep=False):
        return model.set_params(class_weight=class_weight)
    elif isinstance(model, SklearnRiskClassifier):
        key = _param_name(model, "class_weight")
        if key in model.get_params(deep=True):
            return model.set_params(**{key: class_weight})
    raise ValueError(
        f"model {name!r} does not take class weights; class_weight works with xgboost, "
        "random_forest, lasso, logistic, ridge, svm, decision_tree, gradient_boosting and "
        "classifiers with a class_weight parameter. Use sampler= for the others, or neither."
    )


def _tuned(pipeline: RiskPipeline, name: str, tune, random_state, spec) -> TunedRisk:
    options = {}
    if tune is True:
        if spec is None or spec.grid is None:
            raise ValueError(
                f"model {name!r} has no default tuning grid (it already chooses its penalty "
                f"by inner CV, has nothing to tune, or is your own estimator); models with "
                f"one: {sorted(default_grids())}. Pass tune={{'param': [values]}} to search "
                "anyway."
            )
        grid = spec.grid
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
    steps = {step for step, _ in pipeline.steps}
    model = pipeline.steps[-1][1]

    def qualified(key: str) -> str:
        if key.split("__", 1)[0] in steps and "__" in key:
            return key
        return f"model__{_param_name(model, key)}"

    grid = {qualified(k): list(v) if isinstance(v, tuple) else v for k, v in grid.items()}
    return TunedRisk(pipeline, grid, random_state=random_state, **options)


def _rankers() -> list[str]:
    return [spec.name for spec in specs() if spec.ranks_features]


def ranking_estimator(name: str, *, survival: bool = False, random_state=0):
    """The bare model of a registry name, to rank features (e.g. in RFE).

    :func:`make_model` uses it to resolve a selector's ``estimator`` given as a
    name, e.g. ``RecursiveFeatureElimination(estimator="xgboost")``.

    Parameters
    ----------
    name : str
        A registry model whose fitted model has ``feature_importances_`` or
        ``coef_`` (``ModelSpec.ranks_features``): ``"xgboost"``,
        ``"xgboost_survival"``, ``"random_forest"``, ``"lasso"``, ``"lasso_cox"``,
        ``"logistic"``, ``"ridge"``, ``"cox"``, ``"decision_tree"``,
        ``"adaboost"``, or a family you registered as one.
    survival : bool, default=False
        Whether the ranking model will see a time-to-event ``y``: ``"xgboost"``
        then gives :class:`~riskml.models.XGBoostSurvival`
        (``ModelSpec.survival_ranking``).
    random_state : int, optional
        Seed of the model.

    Returns
    -------
    estimator
        Unfitted, without preprocessing (a selector sits after it).

    Examples
    --------
    >>> type(ranking_estimator("xgboost", survival=True)).__name__
    'XGBoostSurvival'
    """
    spec = spec_named(name)
    if spec is None or spec.score is not None:
        raise ValueError(
            f"unknown ranking estimator {name!r}; choose one of {_rankers()} or pass an "
            "estimator with feature_importances_ or coef_."
        )
    if survival and spec.survival_ranking is not None:
        spec = model_spec(spec.survival_ranking)
    if not spec.ranks_features:
        raise ValueError(
            f"model {spec.name!r} cannot rank features: its fitted model has neither "
            f"feature_importances_ nor coef_. Choose one of {_rankers()} or pass an "
            "estimator with one."
        )
    return _final_model(spec, random_state)


# a selector fitted on its own (RecursiveFeatureElimination(estimator="xgboost")) resolves
# a family's name through the features layer, which cannot import this one
set_ranking_resolver(ranking_estimator)


# What make_model's selection= accepts, by the names a study file uses for them.
_SELECTOR_NAMES = {
    "rfe": "RecursiveFeatureElimination(n_features_to_select=11)",
    "recursive_feature_elimination": "RecursiveFeatureElimination(n_features_to_select=11)",
    "information_gain": "InformationGain(top_k=5)",
    "infogain": "InformationGain(top_k=5)",
}
_SELECTION_ACCEPTED = (
    "make_model takes selection= as a selector object from riskml.features, e.g. "
    "selection=RecursiveFeatureElimination(n_features_to_select=11) or "
    "selection=InformationGain(top_k=5) (any scikit-learn transformer with fit and "
    "transform works too); a study file writes it selection: {rfe: {n_features_to_select: "
    "11}} or selection: {information_gain: {top_k: 5}}"
)


def _check_selection(selection) -> None:
    """Refuse a selection that is not a selector instance, saying what is accepted."""
    if selection is None:
        return
    if isinstance(selection, type):
        raise TypeError(
            f"selection={selection.__name__} is a class; pass an instance, e.g. "
            f"selection={selection.__name__}(). {_SELECTION_ACCEPTED}."
        )
    if isinstance(selection, str):
        key = selection.strip().lower().replace("-", "_").replace(" ", "_")
        example = _SELECTOR_NAMES.get(key)
        hint = f" For {selection!r} pass selection={example}." if example else ""
        raise TypeError(f"selection={selection!r} is text.{hint} {_SELECTION_ACCEPTED}.")
    if isinstance(selection, dict):
        names = [str(name) for name in selection]
        examples = [_SELECTOR_NAMES.get(n.lower()) for n in names]
        hint = ""
        if len(names) == 1 and examples[0]:
            options = selection[names[0]]
            if isinstance(options, dict) and options:
                arguments = ", ".join(f"{k}={v!r}" for k, v in options.items())
                hint = f" For it pass selection={examples[0].split('(')[0]}({arguments})."
            else:
                hint = f" For it pass selection={examples[0]}."
        raise TypeError(
            f"selection={selection!r} is the study-file form; make_model needs the selector "
            f"object.{hint} {_SELECTION_ACCEPTED}."
        )
    if not (hasattr(selection, "fit") and hasattr(selection, "get_params")):
        raise TypeError(
            f"selection must be a feature selector; got {type(selection).__name__}. "
            f"{_SELECTION_ACCEPTED}."
        )
    if not hasattr(selection, "transform"):
        raise TypeError(
            f"selection={type(selection).__name__}(...) has no transform method, so it cannot "
            f"select columns in a pipeline. {_SELECTION_ACCEPTED}."
        )


def _selection_step(selection, horizon, survival: bool, random_state):
    """A clone of the selector with the pipeline's horizon and its estimator resolved."""
    _check_selection(selection)
    selector = clone(selection)
    params = selector.get_params(deep=False)
    if horizon is not None and "horizon" in params and params["horizon"] is None:
        selector.set_params(horizon=horizon)
    if isinstance(params.get("estimator"), str):
        seed = params.get("random_state")
        ranker = ranking_estimator(
            params["estimator"],
            survival=survival,
            random_state=random_state if seed is None else seed,
        )
        selector.set_params(estimator=ranker)
    return selector


def _seed_unset(model, random_state):
    """Set every ``random_state`` parameter of ``model`` left at None to ``random_state``."""
    if random_state is None:
        return model
    unset = {
        key: random_state
        for key, value in model.get_params(deep=True).items()
        if value is None and (key == "random_state" or key.endswith("__random_state"))
    }
    return model.set_params(**unset) if unset else model


def _is_estimator(model) -> bool:
    return hasattr(model, "fit") and hasattr(model, "get_params")


def make_model(
    model,
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
    reference_levels=None,
    **model_params,
) -> RiskPipeline:
    """An unfitted :class:`RiskPipeline` for a registry name, a pipeline or any classifier.

    Parameters
    ----------
    model : str, RiskPipeline, riskml model or scikit-learn classifier
        - a name from :data:`MODELS`: ``"xgboost"``, ``"xgboost_survival"``,
          ``"random_forest"``, ``"lasso"``, ``"lasso_cox"``, ``"bayes_net"``,
          ``"naive_bayes"``, ``"logistic"``, ``"ridge"``, ``"svm"``, ``"knn"``,
          ``"mlp"``, ``"decision_tree"``, ``"bagging"``, ``"gradient_boosting"``,
          ``"adaboost"``, ``"cox"``, ``"framingham"``, ``"framingham_recalibrated"``,
          ... (see :func:`describe_model`);
        - a :class:`RiskPipeline`, taken as complete: returned cloned, its steps
          and horizon unchanged (the other arguments are not applied);
        - a riskml model (an estimator with ``predict_risk``, e.g. ``CoxPH()``) or
          any scikit-learn classifier (e.g. ``KNeighborsClassifier()``, ``SVC()``,
          a ``Pipeline`` ending in a classifier), cloned and placed after the
          standard preprocessing for mixed tabular data (median/most-frequent
          imputation, one-hot encoding, standardisation) and the ``selection``;
          a classifier is wrapped in :class:`SklearnRiskClassifier`, so its
          ``predict_proba(X)[:, 1]`` becomes ``predict_risk`` (a classifier
          without ``predict_proba``, such as ``SVC()``, is Platt-calibrated on
          internal folds of the training data). Anything else (e.g. a
          regressor) raises a ``TypeError``.
    selection : transformer, optional
        A feature selector (e.g.
        :class:`~riskml.features.RecursiveFeatureElimination` or
        :class:`~riskml.features.InformationGain`), cloned and placed after
        preprocessing in the learned models; ignored by the Framingham scores,
        which take fixed inputs. A selector with a ``horizon`` parameter left at
        None gets the pipeline's horizon, and an ``estimator`` given as a registry
        name is resolved here (:func:`ranking_estimator`; ``"xgboost"`` becomes
        XGBoost survival when the final model is a time-to-event model).
    horizon : float, optional
        Days. The pipeline's horizon (binary models train on "event by horizon");
        for ``"framingham_recalibrated"`` also the recalibration horizon (default 10
        years).
    framingham_inputs : dict, optional
        Column mapping of :class:`~riskml.models.FraminghamScore`.
    framingham_units : {"mg/dL", "mmol/L"}, default="mg/dL"
        Cholesterol unit for the Framingham scores.
    random_state : int, default=0
        Seed of the learned models, samplers and tuning folds; for your own
        estimator, every ``random_state`` parameter it left at None.
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
    reference_levels : dict, optional
        ``{column: level}``: the reference level of a categorical predictor, as R's
        ``relevel`` (:class:`~riskml.features.Preprocessor`); it matters to the models
        that leave a reference out (``"cox"``, ``"logistic"``). By default a pandas
        Categorical's first category, otherwise the first level in sorted order.
    **model_params
        Parameters of the final model (e.g. ``n_estimators=300``; for the
        scikit-learn families and your own classifier, its parameters, e.g.
        ``n_neighbors=50``).

    Returns
    -------
    RiskPipeline

    Notes
    -----
    The Cox model (``"cox"``) is unpenalised, with the categorical columns one-hot
    encoded against a reference level (``drop_first``); a column that is constant or
    collinear in a training fold is left out, as R's ``coxph`` does. When a fold
    separates events (monotone likelihood, no finite maximum) or lifelines' fit
    breaks down, that fit is refitted with a ridge penalty of 0.001
    (:data:`riskml.models.cox.SEPARATION_RIDGE`) and says so: ``fit_issues_``,
    ``penalizer_used_`` and a :class:`~riskml.models.ModelFitWarning`. Ask for a
    penalty with ``make_model("cox", penalizer=0.01)``. The logistic model
    (``"logistic"``) is R's ``glm`` fit, its categorical columns encoded against a
    reference level as well (odds ratios of each level against it); separation is
    reported the same way, and
    ``"ridge"`` gives finite estimates. The Bayesian networks keep
    missing values (their missing state) instead of imputing them. The SVM's
    probabilities come from Platt scaling fitted inside ``fit`` on 5 internal
    folds of the training data (:class:`SklearnRiskClassifier`), never on the
    rows the SVM was fitted to or on a test fold.

    Examples
    --------
    >>> make_model("cox", horizon=1004).steps[-1][0]
    'model'
    >>> [n for n, _ in make_model("random_forest", sampler="undersample").steps]
    ['preprocess', 'sampler', 'model']
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> type(make_model(KNeighborsClassifier(), horizon=365)[-1]).__name__
    'SklearnRiskClassifier'
    """
    _check_selection(selection)
    if isinstance(model, RiskPipeline):
        ignored = {
            "sampler": sampler,
            "class_weight": class_weight,
            "tune": tune,
            "reference_levels": reference_levels,
        }
        given = sorted(k for k, v in ignored.items() if v) + sorted(model_params)
        if given:
            raise ValueError(
                f"make_model takes a RiskPipeline as complete; {given} would be ignored. "
                "Build the pipeline with them, or pass its final model instead."
            )
        return clone(model)
    if isinstance(model, str):
        spec = model_spec(model)
    elif _is_estimator(model):
        spec = None
    else:
        raise TypeError(
            "make_model takes a registry name (one of riskml.models.MODELS), a RiskPipeline, a "
            "riskml model or a scikit-learn classifier (e.g. KNeighborsClassifier()); got "
            f"{type(model).__name__}."
        )
    if spec is not None and spec.score is not None:
        if sampler is not None or class_weight is not None or tune or reference_levels:
            raise ValueError(
                f"{spec.name!r} is a published score: it takes no sampler, class_weight, tune "
                "or reference_levels."
            )
        score = _published_score(spec, horizon, framingham_inputs, framingham_units)
        score = _set_model_params(score, spec.name, model_params)
        return RiskPipeline([("model", score)], horizon=horizon, recalibrate=recalibrate)
    if spec is not None:
        name, final = spec.name, _final_model(spec, random_state)
        preprocess = None if spec.preprocess is None else make_preprocessor(**spec.preprocess)
    else:
        if hasattr(model, "predict_risk"):
            final = clone(model)
        else:
            final = SklearnRiskClassifier(clone(check_classifier(model, "make_model")))
        preprocess, final = make_preprocessor(scale=True), _seed_unset(final, random_state)
        name = type(model).__name__
    if reference_levels and preprocess is not None:
        preprocess.set_params(reference_levels=dict(reference_levels))
    final = _set_model_params(final, name, model_params)
    final = _set_class_weight(final, name, class_weight, spec)
    survival = getattr(final, "outcome_kind", "any") == "survival"
    steps = [] if preprocess is None else [("preprocess", preprocess)]
    if selection is not None:
        steps.append(("select", _selection_step(selection, horizon, survival, random_state)))
    if sampler is not None:
        if survival:
            raise ValueError(
                f"sampler= needs a binary model; {name!r} is a time-to-event model "
                "(imbalance does not bias a Cox-type model's ranking). Drop the sampler."
            )
        steps.append(("sampler", make_sampler(sampler, random_state)))
    steps.append(("model", final))
    pipeline = RiskPipeline(steps, horizon=horizon, recalibrate=recalibrate)
    if not tune:
        return pipeline
    return RiskPipeline(
        [("model", _tuned(pipeline, name, tune, random_state, spec))],
        horizon=horizon,
        recalibrate=recalibrate,
    )


def _published_model(spec: ModelSpec, horizon, inputs, units) -> PublishedModel:
    """The unfitted :class:`PublishedModel` of a family (recalibrated at the horizon).

    Unrecalibrated, it predicts at its published horizon only, so another horizon is
    refused here, before any fit, with the family's recalibrated variant as the fix.
    """
    equation, recalibrate = spec.score
    model = PublishedModel(
        model=equation,
        inputs=inputs,
        units=units,
        recalibrate={True: "km"}.get(recalibrate, recalibrate),
        horizon=horizon if recalibrate else None,
    )
    own = model.definition.horizon_days
    if not recalibrate and horizon is not None and not np.isclose(float(horizon), own):
        variants = [
            s.name for s in specs() if s.name.startswith(f"{spec.name}_") and s.score is not None
        ]
        raise ValueError(
            f"{spec.name!r} predicts the published risk by {own:g} days "
            f"({own / 365.25:g} years); the horizon is {float(horizon):g} days. Use "
            + (f"{variants[0]!r} (recalibrated to the horizon), or " if variants else "")
            + f"horizon={own:g}."
        )
    return model


def _published_score(spec: ModelSpec, horizon, inputs, units):
    """The unfitted score of a published-score family (recalibrated at the horizon)."""
    if spec.classes and issubclass(spec.classes[0], PublishedModel):
        return _published_model(spec, horizon, inputs, units)
    equation, recalibrate = spec.score
    return FraminghamScore(
        model=equation,
        recalibrate=recalibrate,
        horizon=(horizon if recalibrate and horizon is not None else TEN_YEARS_DAYS),
        inputs=inputs,
        units=units,
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
    "reference_levels",
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
