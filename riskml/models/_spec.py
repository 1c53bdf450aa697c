"""One specification per model family, and the registry that holds them.

Everything riskml decides about a family lives in its :class:`ModelSpec`: how
:func:`~riskml.models.make_model` builds it, its tuning grid, whether it ranks features
for recursive elimination, which explainer fits it, which types its model file may hold
and how its coefficients read. :func:`make_model`, :func:`ranking_estimator`, the
explanations and the model files ask the specification (:func:`model_spec`), never a
type name, so a family registered with :func:`register_model` flows through them all.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

__all__ = [
    "COEFFICIENT_KINDS",
    "EXPLAINERS",
    "ModelSpec",
    "model_spec",
    "model_specs",
    "register_model",
    "registered_model",
    "unregister_model",
]

#: How a family is explained (:func:`riskml.explain.explain_pipeline`): ``"tree"``
#: exact TreeSHAP (XGBoost's, riskml's kernel for scikit-learn trees, else shap's
#: TreeExplainer); ``"linear"`` exact linear SHAP of a logistic or Cox linear
#: predictor; ``"bayes_net"`` exact SHAP of a Bayesian network's log-odds;
#: ``"equation"`` Shapley values over the columns a published equation reads
#: (``input_columns()``); ``"agnostic"`` model-agnostic Shapley values over every
#: input column; ``"none"`` a model that reads no input (a null model such as the
#: Aalen-Johansen incidence), which a study does not explain.
EXPLAINERS = ("tree", "linear", "bayes_net", "equation", "agnostic", "none")

#: How a family's coefficients are reported: ``exp(coef)`` as hazard ratios or odds
#: ratios, or no coefficient table (None).
COEFFICIENT_KINDS = ("hazard_ratio", "odds_ratio", None)

_OUTCOME_KINDS = ("binary", "survival", "competing")
_PREPROCESS_OPTIONS = ("scale", "impute", "drop_first")


def _type_name(value) -> str:
    """``module.qualname`` of a class (or a type name given as text)."""
    if isinstance(value, str):
        return value
    return f"{value.__module__}.{value.__qualname__}"


@dataclass(frozen=True)
class ModelSpec:
    """Everything riskml needs to know about one model family.

    Parameters
    ----------
    name : str
        The family's name in :func:`~riskml.models.make_model`, ``Study(models=...)``
        and study files.
    description : str
        One line for reports (:func:`~riskml.models.describe_model`); the words
        ``P(event by the horizon)`` are replaced by the study's horizon.
    estimator : callable
        ``estimator(random_state) -> unfitted model``: the family's final model. A
        model with ``predict_risk`` is used as is; a scikit-learn classifier is
        wrapped in :class:`~riskml.models.SklearnRiskClassifier` (its
        ``predict_proba(X)[:, 1]`` becomes the risk). Unused by published scores
        (``score``).
    outcome_kinds : tuple of {"binary", "survival", "competing"}, default=("binary",)
        Outcomes the model is fitted on: ``"binary"`` (on a time-to-event or
        competing-risk cohort, the label "event by the horizon", a competing event
        before it counting as 0), ``"survival"`` (the time-to-event outcome itself)
        or ``"competing"`` (event types: the model predicts the cumulative incidence
        of the event of interest).
    preprocess : mapping or None, default={"scale": True}
        Keyword arguments of :func:`~riskml.features.make_preprocessor` (``scale``,
        ``impute``, ``drop_first``) for the step before the model; None for a
        model that reads the input columns itself (a published score).
    grid : mapping, optional
        Search grid of ``make_model(name, tune=True)`` (parameters of the final
        model; for a wrapped scikit-learn classifier, of the classifier). None: the
        family has no default grid.
    ranks_features : bool, default=False
        Whether the fitted model has ``feature_importances_`` or ``coef_``, so that
        :func:`~riskml.models.ranking_estimator` (recursive feature elimination)
        accepts its name.
    survival_ranking : str, optional
        The family that ranks features instead when ``y`` is time-to-event (e.g.
        ``"xgboost"`` -> ``"xgboost_survival"``).
    explainer : str, default="agnostic"
        One of :data:`EXPLAINERS`.
    classes : tuple of type, default=()
        The classes whose fitted instance is a model of this family: the final
        model's class, or the scikit-learn classifier it wraps.
        :func:`model_spec` finds the family of a fitted pipeline by them.
    file_types : iterable of str or type, default=()
        Types beyond riskml's own and scikit-learn's that a model file of the family
        may hold (e.g. ``"xgboost.core.Booster"``): :func:`riskml.load_model`
        accepts them with ``classes``.
    coefficients : {"hazard_ratio", "odds_ratio"} or None, default=None
        How the report reads ``exp(coef_)``; None when the family has no
        coefficients worth a table.
    class_weight : callable, optional
        ``class_weight(model, weights) -> model`` for a family that takes class
        weights its own way (XGBoost's ``scale_pos_weight``); None: the model's (or
        its wrapped classifier's) ``class_weight`` parameter, if any.
    score : tuple, optional
        ``(equation, recalibrate)`` of a published score: a
        :class:`~riskml.models.FraminghamScore`, or a
        :class:`~riskml.models.PublishedModel` where ``classes`` names it
        (``recalibrate``: False, True for ``"km"``, or ``"logistic"``); such a family
        takes no preprocessing, sampler, class weights or tuning.

    Examples
    --------
    >>> from riskml.models import model_spec
    >>> spec = model_spec("logistic")
    >>> spec.name, spec.outcome_kinds
    ('logistic', ('binary',))
    """

    name: str
    description: str
    estimator: Callable[[Any], Any] | None = None
    outcome_kinds: tuple = ("binary",)
    preprocess: Mapping | None = field(default_factory=lambda: {"scale": True})
    grid: Mapping | None = None
    ranks_features: bool = False
    survival_ranking: str | None = None
    explainer: str = "agnostic"
    classes: tuple = ()
    file_types: frozenset = frozenset()
    coefficients: str | None = None
    class_weight: Callable | None = None
    score: tuple | None = None

    def __post_init__(self):
        if (
            not isinstance(self.name, str)
            or not self.name.strip()
            or self.name != self.name.strip()
        ):
            raise ValueError(f"ModelSpec name must be a non-empty name; got {self.name!r}.")
        if not isinstance(self.description, str) or not self.description:
            raise ValueError(f"ModelSpec {self.name!r} needs a one-line description.")
        if self.score is None and not callable(self.estimator):
            raise TypeError(
                f"ModelSpec {self.name!r}: estimator must be a callable "
                "estimator(random_state) -> unfitted model, e.g. "
                f"lambda random_state: GaussianNB(); got {type(self.estimator).__name__}."
            )
        kinds = tuple(self.outcome_kinds)
        if not kinds or set(kinds) - set(_OUTCOME_KINDS):
            raise ValueError(
                f"ModelSpec {self.name!r}: outcome_kinds must hold 'binary' and/or 'survival' "
                f"(or 'competing'); got {self.outcome_kinds!r}."
            )
        if self.explainer not in EXPLAINERS:
            raise ValueError(
                f"ModelSpec {self.name!r}: explainer must be one of {list(EXPLAINERS)}; got "
                f"{self.explainer!r}."
            )
        if self.coefficients not in COEFFICIENT_KINDS:
            raise ValueError(
                f"ModelSpec {self.name!r}: coefficients must be one of {list(COEFFICIENT_KINDS)}; "
                f"got {self.coefficients!r}."
            )
        if self.preprocess is not None:
            unknown = sorted(set(self.preprocess) - set(_PREPROCESS_OPTIONS))
            if unknown:
                raise ValueError(
                    f"ModelSpec {self.name!r}: preprocess takes {list(_PREPROCESS_OPTIONS)}; "
                    f"got {unknown}."
                )
            object.__setattr__(self, "preprocess", MappingProxyType(dict(self.preprocess)))
        if self.grid is not None:
            object.__setattr__(self, "grid", MappingProxyType(dict(self.grid)))
        classes = tuple(self.classes)
        if not all(isinstance(c, type) for c in classes):
            raise TypeError(f"ModelSpec {self.name!r}: classes must be classes; got {classes!r}.")
        object.__setattr__(self, "outcome_kinds", kinds)
        object.__setattr__(self, "classes", classes)
        object.__setattr__(self, "file_types", frozenset(map(_type_name, self.file_types)))

    @property
    def is_survival(self) -> bool:
        """Whether the family is fitted on the time-to-event outcome itself."""
        return self.outcome_kinds == ("survival",)

    @property
    def is_competing(self) -> bool:
        """Whether the family is fitted on a competing-risk outcome (event types)."""
        return self.outcome_kinds == ("competing",)

    def fits(self, outcome_kind: str) -> bool:
        """Whether the family can be fitted to an outcome of ``outcome_kind``: its own
        kinds, and a binary family to any outcome labelled at a horizon."""
        if outcome_kind in self.outcome_kinds:
            return True
        return "binary" in self.outcome_kinds and self.score is None

    @property
    def model_file_types(self) -> frozenset:
        """Fully qualified names of the types a model file of this family may hold."""
        return self.file_types | {_type_name(c) for c in self.classes}


# -- the registry ---------------------------------------------------------------------
_SPECS: dict[str, ModelSpec] = {}
_BUILT_IN: set[str] = set()


def _add(spec: ModelSpec, *, built_in: bool = False) -> None:
    _SPECS[spec.name] = spec
    if built_in:
        _BUILT_IN.add(spec.name)


def model_specs() -> tuple[ModelSpec, ...]:
    """Every registered model family, the built-in ones first, in registration order.

    Examples
    --------
    >>> [spec.name for spec in model_specs()][:3]
    ['xgboost', 'xgboost_survival', 'random_forest']
    """
    return tuple(_SPECS.values())


specs = model_specs


def _check_importable(spec: ModelSpec) -> None:
    """Model files name a class by its module path; refuse classes skops cannot import."""
    for name in sorted(spec.model_file_types):
        module, _, qualname = name.rpartition(".")
        if "<locals>" in name or not module or module == "__main__":
            raise ValueError(
                f"register_model({spec.name!r}): the model file of this family would name "
                f"{name!r}, which load_model cannot import (a class defined inside a function "
                "or in a script run as __main__). Define the class at the top level of an "
                "importable module (e.g. mypackage/models.py) and register it from there."
            )


def register_model(spec: ModelSpec, *, replace: bool = False) -> ModelSpec:
    """Add a model family, so that it flows through riskml like a built-in one.

    After registration ``make_model(spec.name)``, ``Study(models=[spec.name])``, its
    explanations (by ``spec.explainer``), :func:`riskml.save_model` and
    :func:`riskml.load_model` (which accept ``spec.classes`` and ``spec.file_types``)
    and the report's model description (``spec.description``) all know the family.

    Parameters
    ----------
    spec : ModelSpec
    replace : bool, default=False
        Replace a family you registered before under the same name (built-in
        families cannot be replaced).

    Returns
    -------
    ModelSpec
        ``spec``, so that ``register_model`` can decorate a module-level constant.

    Raises
    ------
    ValueError
        If the name is a built-in family's, or already registered without
        ``replace``, or a class of the family cannot be imported by its module path.

    Notes
    -----
    A model file names every class it holds by its module path
    (``mypackage.models.MyRisk``), and :func:`riskml.load_model` imports that module
    to rebuild the model; nothing else is trusted. So the classes in ``classes``
    must be defined at the top level of an importable module (not inside a function,
    not in a script run as ``__main__``), and the session that loads the file must
    register the family too (or pass ``load_model(trusted=[...])`` with those names).
    Registration lasts for the session; :func:`unregister_model` removes it.

    Examples
    --------
    >>> from sklearn.naive_bayes import GaussianNB
    >>> spec = ModelSpec(
    ...     name="gaussian_nb",
    ...     description="Gaussian naive Bayes on imputed, standardised features; "
    ...     "P(event by the horizon).",
    ...     estimator=lambda random_state: GaussianNB(),
    ...     classes=(GaussianNB,),
    ... )
    >>> register_model(spec).name
    'gaussian_nb'
    >>> unregister_model("gaussian_nb")
    """
    if not isinstance(spec, ModelSpec):
        raise TypeError(
            f"register_model takes a riskml.models.ModelSpec; got {type(spec).__name__}."
        )
    if spec.name in _BUILT_IN:
        raise ValueError(
            f"{spec.name!r} is a built-in model family; register yours under another name."
        )
    if spec.name in _SPECS and not replace:
        raise ValueError(
            f"model family {spec.name!r} is already registered; pass replace=True to replace "
            "it, or unregister_model it first."
        )
    if spec.survival_ranking is not None and spec.survival_ranking not in _SPECS:
        raise ValueError(
            f"register_model({spec.name!r}): survival_ranking names {spec.survival_ranking!r}, "
            "which is not a registered family."
        )
    _check_importable(spec)
    _SPECS[spec.name] = spec
    return spec


def unregister_model(name: str) -> None:
    """Remove a family added by :func:`register_model`.

    Raises
    ------
    ValueError
        If ``name`` is a built-in family or not registered.

    Examples
    --------
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from riskml.models import ModelSpec, model_names, register_model, unregister_model
    >>> spec = ModelSpec(name="gaussian_nb", description="Gaussian naive Bayes; P(event).",
    ...                  estimator=lambda random_state: GaussianNB(), classes=(GaussianNB,))
    >>> register_model(spec).name
    'gaussian_nb'
    >>> unregister_model("gaussian_nb")
    >>> "gaussian_nb" in model_names()
    False
    """
    if name in _BUILT_IN:
        raise ValueError(f"{name!r} is a built-in model family; it cannot be unregistered.")
    if name not in _SPECS:
        raise ValueError(f"no model family {name!r} is registered.")
    del _SPECS[name]


@contextlib.contextmanager
def registered_model(spec: ModelSpec):
    """Register ``spec`` for the duration of a ``with`` block (tests, notebooks).

    Examples
    --------
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from riskml.models import ModelSpec, make_model, model_names
    >>> spec = ModelSpec(
    ...     name="gaussian_nb",
    ...     description="Gaussian naive Bayes; P(event).",
    ...     estimator=lambda random_state: GaussianNB(),
    ...     classes=(GaussianNB,),
    ... )
    >>> with registered_model(spec):
    ...     make_model("gaussian_nb").steps[-1][0]
    'model'
    >>> "gaussian_nb" in model_names()
    False
    """
    register_model(spec)
    try:
        yield spec
    finally:
        if _SPECS.get(spec.name) is spec:
            unregister_model(spec.name)


def spec_named(name) -> ModelSpec | None:
    """The family registered as ``name``, or None."""
    return _SPECS.get(name) if isinstance(name, str) else None


def _identity(estimator):
    """The object whose class names the family: the final model, unwrapped."""
    from ._sklearn import SklearnRiskClassifier
    from ._tuning import TunedRisk

    while True:
        steps = getattr(estimator, "steps", None)
        if steps:
            estimator = steps[-1][1]
            continue
        inner = getattr(estimator, "best_estimator_", None)  # a fitted TunedRisk
        if inner is None and isinstance(estimator, TunedRisk):
            inner = estimator.estimator
        if inner is not None:
            estimator = inner
            continue
        if isinstance(estimator, SklearnRiskClassifier):
            estimator = estimator.estimator
            continue
        return estimator


def model_spec(name_or_estimator) -> ModelSpec | None:
    """The specification of a model family, by name or from a (fitted) model.

    Parameters
    ----------
    name_or_estimator : str or estimator
        A family's name, or a pipeline or model: its final model (inside a
        :class:`~riskml.models.TunedRisk` or a
        :class:`~riskml.models.SklearnRiskClassifier`, the model it wraps) is
        matched against each family's ``classes``, subclasses included.

    Returns
    -------
    ModelSpec or None
        None for a model of no registered family (your own estimator passed to
        ``make_model``): the consumers then use their general method.

    Raises
    ------
    ValueError
        For a name that is not registered.

    Examples
    --------
    >>> from riskml.models import make_model
    >>> model_spec("cox").coefficients
    'hazard_ratio'
    >>> model_spec(make_model("random_forest")).explainer
    'tree'
    """
    if isinstance(name_or_estimator, str):
        spec = _SPECS.get(name_or_estimator)
        if spec is None:
            raise ValueError(f"unknown model {name_or_estimator!r}; choose one of {list(_SPECS)}.")
        return spec
    final = _identity(name_or_estimator)
    # a user's family before a built-in one, then the built-in families in order
    ordered = sorted(_SPECS.values(), key=lambda spec: spec.name in _BUILT_IN)
    for cls in type(final).__mro__:
        for spec in ordered:
            if cls in spec.classes:
                return spec
    return None
