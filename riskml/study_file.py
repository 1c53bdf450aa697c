"""Study files: the YAML description of a study (``riskml run study.yaml``), checked key by
key and turned into a :class:`riskml.Study` and the options of its report."""

from __future__ import annotations

from pathlib import Path

from .errors import CommandError

__all__ = ["load_study_file", "run_study_file"]

STUDY_KEYS = (
    "cohort",
    "models",
    "selection",
    "validation",
    "horizon",
    "horizon_days",
    "metrics",
    "threshold",
    "n_boot",
    "random_state",
    "subgroups",
    "explain",
    "reference",
    "comparison",
    "censoring_weights",
    "reference_levels",
    "stratified_bootstrap",
    "n_jobs",
    "report",
)
COHORT_KEYS = ("loader", "generator", "path", "args", "outcome", "name")
REPORT_KEYS = ("file", "title", "authors", "sections")
SELECTORS = {
    "information_gain": "InformationGain",
    "rfe": "RecursiveFeatureElimination",
    "recursive_feature_elimination": "RecursiveFeatureElimination",
}


def _mapping(value, where: str, allowed) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CommandError(f"{where} must be a mapping (key: value); got {value!r}.")
    unknown = [str(k) for k in value if k not in allowed]
    if unknown:
        raise CommandError(f"{where} has unknown key(s) {unknown}; allowed: {', '.join(allowed)}.")
    return dict(value)


def _study_cohort(spec: dict, folder: Path):
    """The cohort a study file names: a loader with a path, or a generator."""
    import riskml as rk

    spec = _mapping(spec, "cohort", COHORT_KEYS)
    if ("loader" in spec) == ("generator" in spec):
        raise CommandError(
            "cohort needs exactly one of 'loader' (e.g. load_young_hypertension, with "
            "'path') or 'generator' (e.g. make_young_hypertension, with 'args')."
        )
    kind = "loader" if "loader" in spec else "generator"
    name = str(spec[kind])
    prefix = "load_" if kind == "loader" else "make_"
    function = getattr(rk.cohorts, name, None)
    choices = [n for n in dir(rk.cohorts) if n.startswith(prefix)]
    if not name.startswith(prefix) or not callable(function):
        raise CommandError(f"cohort {kind} {name!r} is not one of {choices}.")
    args = _mapping(spec.get("args"), "cohort.args", _parameters(function))
    positional = []
    if "path" in spec:
        path = Path(str(spec["path"])).expanduser()
        positional.append(path if path.is_absolute() else folder / path)
    cohort = function(*positional, **args)
    if not isinstance(cohort, rk.Cohort):
        raise CommandError(
            f"cohort {kind} {name!r} returns a {type(cohort).__name__}, not a Cohort; use a "
            "loader on the files it writes."
        )
    outcome = spec.get("outcome")
    if outcome not in (None, "binary", "survival"):
        raise CommandError(f"cohort.outcome must be 'binary' or 'survival'; got {outcome!r}.")
    if outcome == "binary" and cohort.outcome.is_survival:
        cohort = rk.Cohort(
            cohort.features,
            rk.Outcome.binary(cohort.outcome.event, name=cohort.outcome.name),
            cohort.metadata,
            name=str(spec.get("name", cohort.name)),
            source=cohort.source,
        )
    elif outcome == "survival" and not cohort.outcome.is_survival:
        raise CommandError("cohort.outcome 'survival' needs a cohort with follow-up times.")
    return cohort


def _parameters(function) -> tuple:
    import inspect

    return tuple(inspect.signature(function).parameters)


def _study_selection(spec):
    import riskml as rk

    if spec is None or spec == "none":
        return None
    if isinstance(spec, str):
        spec = {spec: {}}
    if not isinstance(spec, dict) or len(spec) != 1:
        raise CommandError(
            f"selection must be one of {list(SELECTORS)}, optionally with its parameters "
            f"(e.g. {{information_gain: {{top_k: 5}}}}); got {spec!r}."
        )
    ((name, params),) = spec.items()
    if name not in SELECTORS:
        raise CommandError(f"selection {name!r} is not one of {list(SELECTORS)}.")
    cls = getattr(rk.features, SELECTORS[name])
    params = _mapping(params, f"selection.{name}", _parameters(cls))
    return cls(**params)


def _study_validation(spec):
    from riskml.evaluation import InternalValidation, OptimismBootstrap, RepeatedCV

    if spec is None or isinstance(spec, int):
        return spec
    if isinstance(spec, dict) and len(spec) == 1:
        ((name, value),) = spec.items()
        if name == "repeated":
            value = _mapping(value, "validation.repeated", ("k", "repeats"))
            return RepeatedCV(**value)
        if name == "optimism":
            if isinstance(value, dict):
                return OptimismBootstrap(**_mapping(value, "validation.optimism", ("n_boot",)))
            return OptimismBootstrap(n_boot=value)
        if name == "internal":
            value = _mapping(value, "validation.internal", ("method", "n_boot", "cv"))
            method = value.pop("method", "bootstrap")
            return InternalValidation(method, **value)
    raise CommandError(
        "validation must be a number of folds (e.g. 10), {repeated: {k: 5, repeats: 10}}, "
        "{optimism: 200} or {internal: {method: cv_optimism, cv: 10}} (methods bootstrap, "
        f"632, 632+, cv_optimism, cv_average); got {spec!r}."
    )


def load_study_file(path):
    """Read a YAML study file: ``(study, report options, report file name)``.

    Parameters
    ----------
    path : path-like
        A YAML mapping with ``cohort`` (``loader`` and ``path``, or ``generator`` and
        ``args``; ``outcome: binary`` to use only the event indicator of a
        time-to-event cohort) and any of ``models``, ``selection``
        (``{information_gain: {top_k: 5}}`` or ``{rfe: {n_features_to_select:
        11}}``), ``validation`` (folds, ``{repeated: {k:, repeats:}}``,
        ``{optimism: n_boot}`` or ``{internal: {method:, n_boot:, cv:}}`` with a
        method of :class:`riskml.evaluation.InternalValidation`), ``horizon`` (days; ``horizon_days`` is its
        deprecated name), ``metrics``, ``threshold``,
        ``n_boot``, ``random_state``, ``subgroups``, ``explain``, ``reference``,
        ``comparison``, ``censoring_weights``, ``reference_levels`` (a mapping
        ``{column: level}``; quote levels such as ``">50"``, which YAML would otherwise
        read as a block scalar), ``stratified_bootstrap``, ``n_jobs`` and ``report``
        (``file``, ``title``, ``authors``, ``sections``). Relative paths are read from
        the file's folder.

    Returns
    -------
    study : riskml.Study
    options : dict
        Keyword arguments of :func:`riskml.report.write_report`.
    file_name : str
    """
    import yaml

    import riskml as rk

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"study file {str(path)!r} does not exist.")
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise CommandError(f"{path.name} is not valid YAML: {error}") from None
    spec = _mapping(spec, path.name, STUDY_KEYS)
    if "cohort" not in spec:
        raise CommandError(f"{path.name} needs a 'cohort' entry (loader and path, or generator).")
    report = _mapping(spec.pop("report", None), "report", REPORT_KEYS)
    file_name = str(report.pop("file", "report.html"))
    if Path(file_name).name != file_name:
        raise CommandError(f"report.file must be a file name without folders; got {file_name!r}.")
    cohort = _study_cohort(spec.pop("cohort"), path.resolve().parent)
    options = {
        "selection": _study_selection(spec.pop("selection", None)),
        "validation": _study_validation(spec.pop("validation", None)),
    }
    options.update(spec)
    if "models" in options and isinstance(options["models"], str):
        options["models"] = [options["models"]]
    study = rk.Study(cohort, progress=True, **options)
    return study, report, file_name


def run_study_file(path, out=None, *, overwrite: bool = False, progress: bool = True):
    """Run the study a YAML file describes and write its report (``riskml run``).

    The output folder and report file are checked before the study starts.

    Parameters
    ----------
    path : path-like
        The study file (:func:`load_study_file`).
    out : path-like, optional
        Folder of the report; created if missing. Defaults to the study file's folder.
    overwrite : bool, default=False
        Replace an existing report file.
    progress : bool, default=True

    Returns
    -------
    result : riskml.study.StudyResult
    report_path : pathlib.Path
    """
    from riskml.persistence import check_output_path

    study, options, file_name = load_study_file(path)
    study.progress = progress
    out = Path(path).resolve().parent if out is None else Path(out)
    if out.exists() and not out.is_dir():
        raise CommandError(f"--out {str(out)!r} is a file; give a folder for the report.")
    out.mkdir(parents=True, exist_ok=True)
    target = check_output_path(out / file_name, overwrite=overwrite, what="report")
    result = study.run()
    return result, result.report(target, overwrite=overwrite, **options)
