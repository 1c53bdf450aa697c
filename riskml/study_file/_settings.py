"""The settings of a study file (every key but cohort), checked before any data is
read: models, selection, validation, horizon, metrics, ... and the report's options."""

from __future__ import annotations

from pathlib import Path

from ..errors import CommandError
from ._values import (
    MAX_DAYS,
    MAX_FEATURES,
    MAX_JOBS,
    MAX_N_BOOT,
    _choice,
    _flag,
    _key_node,
    _mapping,
    _names,
    _number,
    _seed,
    _text,
    _whole,
)
from ._yaml import _hint, _Map, _plain, _Seq, _short, _suggest

REPORT_KEYS = ("file", "title", "authors", "sections")
SELECTORS = {
    "information_gain": "InformationGain",
    "rfe": "RecursiveFeatureElimination",
    "recursive_feature_elimination": "RecursiveFeatureElimination",
}
#: Limits of a study file: its size, its values once anchors and aliases are expanded,


def _selection(e):
    """None or a selector: a name, or {name: {parameter: value}}."""
    from ..features import InformationGain, RecursiveFeatureElimination
    from ..models import MODELS

    forms = (
        "information_gain, rfe, {information_gain: {top_k: 5}} or {rfe: {n_features_to_select: 11}}"
    )
    if e.value is None or e.value == "none":
        return None
    if isinstance(e.value, str):
        name, params = _choice(e, (*SELECTORS, "none"), what="a feature selector"), None
    elif isinstance(e.value, _Map) and len(e.value) == 1:
        ((name, params),) = e.items()
        if name not in SELECTORS:
            raise CommandError(
                f"{e.where(_key_node(e, name))}: selection {name!r} is not one of {list(SELECTORS)}"
                f"{_suggest(name, SELECTORS)}. Write e.g. selection: {{rfe: "
                "{n_features_to_select: 11}}."
            )
    else:
        raise e.fail(
            f"none, or one selector: {forms}",
            "Write e.g. selection: {information_gain: {top_k: 5}}, or leave selection out.",
        )
    kwargs = {}
    if params is not None and params.value is not None:
        checks = _SELECTOR_CHECKS[SELECTORS[name]]
        _mapping(
            params,
            tuple(checks),
            what=f"the parameters of {name}",
            example=f"selection: {{{name}: {{{next(iter(checks))}: 5}}}}",
        )
        for key, item in params.items():
            value = checks[key](item)
            if key == "estimator" and value not in MODELS:
                raise item.fail(
                    f"a model name ({', '.join(MODELS)})",
                    f"Write e.g. estimator: xgboost{_suggest(value, MODELS)}.",
                )
            kwargs[key] = value
    selectors = {
        "InformationGain": InformationGain,
        "RecursiveFeatureElimination": RecursiveFeatureElimination,
    }
    return selectors[SELECTORS[name]](**kwargs)


def _days(e):
    return _number(
        e, 0, MAX_DAYS, what="the horizon in days", example=365, open_high=False, null=True
    )


def _count_or_fraction(e):
    """An int of at least 1 or a fraction in (0, 1) (RFE's sizes and steps)."""
    if isinstance(e.value, float) and not isinstance(e.value, bool):
        return _number(e, 0, 1, what="a fraction of the features", example=0.5)
    return _whole(
        e, 1, MAX_FEATURES, what="the number of features (or a fraction in (0, 1))", example=11
    )


def _scoring(e):
    from sklearn.metrics import get_scorer_names

    return _choice(e, sorted(get_scorer_names()), what="a scikit-learn scorer", null=True)


_SELECTOR_CHECKS = {
    "InformationGain": {
        "top_k": lambda e: _whole(
            e, 1, MAX_FEATURES, what="the number of features to keep", example=5, null=True
        ),
        "threshold": lambda e: _number(
            e, 0, what="bits of information gain", example=0.01, open_low=False, null=True
        ),
        "method": lambda e: _choice(e, ("info_gain", "mutual_info")),
        "discretization": lambda e: _choice(e, ("mdl", "quantile")),
        "n_bins": lambda e: _whole(e, 2, 100, what="the number of bins", example=5),
        "missing": lambda e: _choice(e, ("state", "distribute")),
        "horizon": lambda e: _days(e),
        "n_neighbors": lambda e: _whole(e, 1, 1000, what="the number of neighbours", example=3),
        "random_state": lambda e: None if e.value is None else _seed(e),
    },
    "RecursiveFeatureElimination": {
        "estimator": lambda e: _text(e, what="a model name", example="xgboost", null=True),
        "n_features_to_select": lambda e: None if e.value is None else _count_or_fraction(e),
        "step": _count_or_fraction,
        "cv": lambda e: _whole(e, 2, 100, what="the number of folds", example=5, null=True),
        "scoring": _scoring,
        "min_features_to_select": lambda e: _whole(
            e, 1, MAX_FEATURES, what="the number of features", example=1
        ),
        "random_state": lambda e: None if e.value is None else _seed(e),
        "n_jobs": lambda e: _jobs(e),  # defined below
    },
}


def _folds(e):
    return _whole(e, 2, what="the number of folds", example=10)


def _boots(e):
    return _whole(e, 10, MAX_N_BOOT, what="the number of bootstrap replicates", example=200)


def _split_date(e):
    """A date (YAML reads 2016-01-01 as one) or ISO 8601 text."""
    import datetime

    import pandas as pd

    if isinstance(e.value, datetime.date):
        return e.value.isoformat()
    if isinstance(e.value, str):
        try:
            pd.Timestamp(e.value)
        except ValueError:
            pass
        else:
            return e.value
    raise e.fail("a date", "Write e.g. split: 2016-01-01.")


def _temporal(value):
    """{temporal: {date_column, split | fraction, cv, min_events}}."""
    from ..evaluation import TemporalSplit

    example = "validation: {temporal: {date_column: admit_date, split: 2016-01-01}}"
    _mapping(
        value,
        ("date_column", "split", "fraction", "cv", "min_events"),
        what="temporal validation",
        null=False,
        example=example,
    )
    checks = {
        "date_column": lambda v: _text(v, what="a column name", example="admit_date"),
        "split": _split_date,
        "fraction": lambda v: _number(
            v, 0, 1, what="the share of patients to develop on", example=0.7
        ),
        "cv": lambda v: _validation(v, temporal=False),
        "min_events": lambda v: _whole(v, 1, what="the fewest events of a period", example=10),
    }
    kwargs = {key: checks[key](item) for key, item in value.items()}
    if "date_column" not in kwargs or ("split" in kwargs) == ("fraction" in kwargs):
        raise CommandError(
            f"{value.where()}: temporal validation needs date_column and exactly one of split "
            f"and fraction. Write e.g. {example}."
        )
    if kwargs.get("cv") is None:
        kwargs.pop("cv", None)
    return TemporalSplit(kwargs.pop("date_column"), **kwargs)


def _validation(e, temporal=True):
    """Folds, {repeated: {k, repeats}}, {optimism: n_boot}, {internal: {...}} or
    {temporal: {...}}."""
    from ..evaluation import InternalValidation, OptimismBootstrap, RepeatedCV

    forms = (
        "a number of folds (e.g. 10), {repeated: {k: 5, repeats: 10}}, {optimism: 200}, "
        "{internal: {method: cv_optimism, cv: 10}}"
        + (" or {temporal: {date_column: admit_date, split: 2016-01-01}}" if temporal else "")
    )
    if e.value is None:
        return None
    if isinstance(e.value, int) and not isinstance(e.value, bool):
        return _folds(e)
    if not isinstance(e.value, _Map) or len(e.value) != 1:
        raise e.fail(forms, "Write e.g. validation: 10" + _hint(e) + ".")
    ((name, value),) = e.items()
    if name == "repeated":
        _mapping(
            value,
            ("k", "repeats"),
            what="repeated cross-validation",
            example="validation: {repeated: {k: 5, repeats: 10}}",
        )
        kwargs = {}
        if value.value is not None:
            for key, item in value.items():
                kwargs[key] = (
                    _folds(item)
                    if key == "k"
                    else _whole(item, 1, 1000, what="the number of repeats", example=10)
                )
        return RepeatedCV(**kwargs)
    if name == "optimism":
        if isinstance(value.value, _Map):
            _mapping(
                value,
                ("n_boot",),
                what="the optimism bootstrap",
                example="validation: {optimism: {n_boot: 200}}",
            )
            item = value.child("n_boot")
            return OptimismBootstrap() if item is None else OptimismBootstrap(_boots(item))
        return OptimismBootstrap() if value.value is None else OptimismBootstrap(_boots(value))
    if name == "internal":
        _mapping(
            value,
            ("method", "n_boot", "cv"),
            what="internal validation",
            null=False,
            example="validation: {internal: {method: cv_optimism, cv: 10}}",
        )
        checks = {
            "method": lambda v: _choice(
                v, ("bootstrap", "632", "632+", "cv_optimism", "cv_average"), what="a method"
            ),
            "n_boot": _boots,
            "cv": _folds,
        }
        kwargs = {key: checks[key](item) for key, item in value.items()}
        return InternalValidation(kwargs.pop("method", "bootstrap"), **kwargs)
    schemes = ("repeated", "optimism", "internal", "temporal") if temporal else ()
    if name == "temporal" and temporal:
        return _temporal(value)
    raise CommandError(
        f"{e.where(_key_node(e, name))}: validation {name!r} is not a validation scheme"
        f"{_suggest(name, schemes or ('repeated', 'optimism', 'internal'))}; "
        f"validation must be {forms}."
    )


def _jobs(e):
    value = _whole(
        e, -1, MAX_JOBS, what="the number of parallel fits (-1: all cores)", example=-1, null=True
    )
    if value == 0:
        raise e.fail(
            "-1 (all cores) or a positive number of parallel fits",
            "Write n_jobs: -1, or leave it out.",
        )
    return value


def _models_or_auto(e, models, *, what):
    """explain: auto/all, null, a model name or a list of the study's models."""
    if e.value is None or e.value in ("auto", "all"):
        return e.value
    if isinstance(e.value, bool):
        raise e.fail(
            what,
            "Write explain: auto (every model), a list of model names, or explain: null for none.",
        )
    return _names(e, models, what="the study's models", empty=True, example="[cox]")


def _settings(root, models_default):
    """Every setting but cohort and report, checked (no data read): {key: value}."""
    from ..models import MODELS

    options = {}
    get = root.child
    if get("models") is not None:
        options["models"] = _names(
            get("models"), MODELS, what="model names", example="[xgboost, cox]"
        )
    models = options.get("models", list(models_default))
    if get("selection") is not None:
        options["selection"] = _selection(get("selection"))
    if get("validation") is not None:
        options["validation"] = _validation(get("validation"))
    options.update(_horizon_and_metrics(get))
    options.update(_resampling(get))
    if get("subgroups") is not None and get("subgroups").value is not None:
        e = get("subgroups")
        if isinstance(e.value, _Map):
            raise e.fail(
                "a list of column names",
                "Write e.g. subgroups: [sex, age_group]; "
                "labels of your own need the Python call Study(subgroups={name: labels}).",
            )
        options["subgroups"] = [
            i.value for i in ([e] if isinstance(e.value, str) else _list(e, "a column name", "sex"))
        ]
    options.update(_comparison(get, models))
    if get("reference_levels") is not None and get("reference_levels").value is not None:
        options["reference_levels"] = _reference_levels(get("reference_levels"))
    if get("trusted_predictors") is not None and get("trusted_predictors").value is not None:
        e = get("trusted_predictors")
        if isinstance(e.value, _Map):
            raise e.fail(
                "a list of predictor names",
                "Write e.g. trusted_predictors: [creatinine, area] to exempt columns you "
                "vouch for from the leakage and identifier checks.",
            )
        options["trusted_predictors"] = [
            i.value
            for i in ([e] if isinstance(e.value, str) else _list(e, "a column name", "creatinine"))
        ]
    if get("stratified_bootstrap") is not None:
        options["stratified_bootstrap"] = _flag(get("stratified_bootstrap"))
    if get("n_jobs") is not None:
        options["n_jobs"] = _jobs(get("n_jobs"))
    return options


def _horizon_and_metrics(get) -> dict:
    """``horizon`` (or its deprecated name), ``metrics`` and ``threshold``."""
    from ..evaluation import get_metric_names

    options = {}
    if get("horizon") is not None and get("horizon_days") is not None:
        raise CommandError(
            f"{get('horizon_days').where()}: horizon_days is the deprecated name "
            "of horizon; give only horizon."
        )
    for key in ("horizon", "horizon_days"):
        if get(key) is not None:
            options[key] = _days(get(key))
    if get("metrics") is not None and get("metrics").value is not None:
        options["metrics"] = _names(
            get("metrics"), get_metric_names(), what="metric names", example="[harrell_c, brier]"
        )
    if get("threshold") is not None:
        options["threshold"] = _number(
            get("threshold"), 0, 1, what="a risk threshold", example=0.1, null=True
        )
    if get("metric_params") is not None and get("metric_params").value is not None:
        options["metric_params"] = _metric_params(get("metric_params"))
    return options


def _metric_params(entry) -> dict:
    """``{metric: {parameter: value}}``; the Study checks each value against the metric."""
    example = "metric_params: {sensitivity: {threshold: 0.2}}"
    e = _mapping(entry, None, what="{metric: {parameter: value}}", example=example)
    for _, item in e.items():
        _mapping(item, None, what="{parameter: value}", example=example, null=False)
    return _plain(e.value)


def _resampling(get) -> dict:
    """``n_boot`` and ``random_state``."""
    from ..study import MIN_N_BOOT

    options = {}
    if get("n_boot") is not None:
        options["n_boot"] = _whole(
            get("n_boot"),
            MIN_N_BOOT,
            MAX_N_BOOT,
            what="the number of bootstrap replicates per interval",
            example=1000,
        )
    if get("random_state") is not None:
        options["random_state"] = _seed(get("random_state"))
    return options


def _comparison(get, models) -> dict:
    """``explain``, ``reference``, ``comparison`` and ``censoring_weights``."""
    from ..study import CENSORING_WEIGHTS

    options = {}
    if get("explain") is not None:
        options["explain"] = _models_or_auto(
            get("explain"), models, what="auto, a list of the study's models, or null"
        )
    if get("reference") is not None:
        options["reference"] = _choice(
            get("reference"), models, what="one of the study's models", null=True
        )
    if get("comparison") is not None:
        options["comparison"] = _choice(
            get("comparison"), ("delong", "bootstrap"), what="the paired test of AUCs"
        )
    if get("censoring_weights") is not None:
        options["censoring_weights"] = _choice(
            get("censoring_weights"), CENSORING_WEIGHTS, what="the censoring weights"
        )
    return options


def _reference_levels(entry) -> dict:
    """``{column: level}``, each level text or a number."""
    e = _mapping(entry, None, what="{column: level}", example="reference_levels: {sex: male}")
    for _, item in e.items():
        if isinstance(item.value, bool) or not isinstance(item.value, str | int | float):
            raise item.fail(
                "a level (text or a number)",
                f"Quote the level, e.g. {item.key}: 'yes' or {item.key}: '>50'.",
            )
    return _plain(e.value)


def _list(e, what, example):
    """Items of a list of texts: ``what`` names one item."""
    if not isinstance(e.value, _Seq):
        raise e.fail(f"a list, each item {what}", f"Write e.g. {e.key}: [{example}].")
    for item in e.elements():
        _text(item, what=what, example=example)
    return e.elements()


def _report(e):
    """(report options, file name)."""
    from ..report import SECTIONS

    if e is None or e.value is None:
        return {}, "report.html"
    _mapping(
        e,
        REPORT_KEYS,
        what="the report's options",
        example="report: {file: report.html, title: My study}",
    )
    options, name = {}, "report.html"
    if e.child("file") is not None:
        item = e.child("file")
        name = _text(item, what="the report's file name", example="report.html")
        if Path(name).name != name or "\\" in name or name in (".", "..") or "\x00" in name:
            raise CommandError(
                f"{item.where()}: report.file must be a file name without folders; "
                f"got {_short(name)!r}. Choose the folder with riskml run --out."
            )
        if not name.lower().endswith((".html", ".htm")):
            raise item.fail("an HTML file name ending in .html", "Write e.g. file: report.html.")
    if e.child("title") is not None:
        options["title"] = _text(e.child("title"), what="the report's title", example="'My study'")
    if e.child("authors") is not None:
        item = e.child("authors")
        if isinstance(item.value, str):
            options["authors"] = _text(item, what="the authors", example="[A. Author]")
        else:
            options["authors"] = [i.value for i in _list(item, "an author", "'A. Author'")]
    if e.child("sections") is not None:
        options["sections"] = _names(
            e.child("sections"),
            list(SECTIONS),
            what="report sections",
            example="[cohort, performance, checklist]",
        )
    return options, name
