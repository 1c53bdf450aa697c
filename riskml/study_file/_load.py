"""A study file loaded (checked key by key, then against the cohort, then by Study's
own checks) and run."""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

from ..errors import CommandError
from ._cohort import _build_cohort, _cohort_plan
from ._settings import _report, _settings
from ._values import _key_node, _mapping
from ._yaml import _convert, _Entry, _Map, _parse, _read_text, _suggest

STUDY_KEYS = (
    "cohort",
    "models",
    "selection",
    "validation",
    "horizon",
    "horizon_days",
    "metrics",
    "threshold",
    "metric_params",
    "n_boot",
    "random_state",
    "subgroups",
    "explain",
    "reference",
    "comparison",
    "censoring_weights",
    "reference_levels",
    "trusted_predictors",
    "stratified_bootstrap",
    "n_jobs",
    "report",
)

DEFAULT_MODELS = ("xgboost", "cox", "framingham_recalibrated")


def _against_cohort(root, options, cohort) -> None:
    """Settings that name columns, levels or metrics of the cohort, with their lines."""
    if not cohort.outcome.is_survival:
        for key in ("horizon", "horizon_days"):
            if options.get(key) is not None:
                raise CommandError(
                    f"{root.child(key).where()}: {key} applies to time-to-event outcomes; this "
                    "cohort's outcome is binary. Delete it."
                )
    if options.get("metrics"):
        _metrics_against_cohort(root, options, cohort.outcome.kind)
    columns = list(cohort.features.columns)
    if cohort.context is not None:
        columns += list(cohort.context.columns)
    if options.get("subgroups"):
        e = root.child("subgroups")
        for item in [e] if isinstance(e.value, str) else e.elements():
            if item.value not in columns:
                raise CommandError(
                    f"{item.where()}: subgroups names {item.value!r}, which is not a column of "
                    f"the cohort{_suggest(item.value, columns)}; use one of its columns, e.g. "
                    f"{', '.join(columns[:8])}."
                )
    if options.get("reference_levels"):
        _levels_against_cohort(root.child("reference_levels"), cohort)


def _metrics_against_cohort(root, options, kind) -> None:
    """Every metric applies to the cohort's outcome kind; net benefit has a threshold."""
    from ..evaluation import get_metric_names

    allowed = get_metric_names(kind)
    for item in (
        root.child("metrics").elements()
        if isinstance(root.child("metrics").value, list)
        else [root.child("metrics")]
    ):
        if item.value not in allowed:
            words = {"survival": "time-to-event", "competing": "competing-risk"}
            other = (
                "binary" if kind == "survival" else "time-to-event" if kind == "binary" else "other"
            )
            raise CommandError(
                f"{item.where()}: metric {item.value!r} applies to {other} outcomes; this "
                f"cohort's outcome is {words.get(kind, kind)}. "
                f"Metrics for it: {', '.join(allowed)}."
            )
    if "net_benefit" in options["metrics"] and options.get("threshold") is None:
        raise CommandError(
            f"{root.child('metrics').where()}: metric 'net_benefit' is evaluated at a risk "
            "threshold; add e.g. threshold: 0.1 (the risk above which a patient is treated)."
        )


def _levels_against_cohort(entry, cohort) -> None:
    """Each reference level names a categorical predictor and one of its levels."""
    import pandas as pd

    features = cohort.features
    categorical = [
        c
        for c in cohort.predictors
        if not pd.api.types.is_numeric_dtype(features[c])
        or isinstance(features[c].dtype, pd.CategoricalDtype)
    ]
    for column, item in entry.items():
        if column not in categorical:
            what = "a numeric predictor" if column in cohort.predictors else "not a predictor"
            raise CommandError(
                f"{item.where(_key_node(entry, column))}: reference_levels names {column!r}, "
                f"{what} of the cohort{_suggest(column, categorical)}; reference levels apply "
                f"to its categorical predictors: {', '.join(categorical[:20]) or 'none'}."
            )
        levels = sorted({str(v) for v in features[column].dropna().unique()})
        if str(item.value) not in levels:
            listed = f"its levels: {levels}" if len(levels) <= 20 else f"{len(levels)} levels"
            raise CommandError(
                f"{item.where()}: reference_levels.{column} {item.value!r} is not a level of "
                f"{column!r} ({listed}). Write one of them (quoted)."
            )


def _preflight(study, root, label) -> None:
    """Study's own checks (the second line of defence), before anything runs: a failure
    names the key of the study file that its message mentions, with its line."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the run itself gives them once
            study._check_data(study._check_settings())
    except (ValueError, TypeError) as error:
        message = " ".join(str(error).split())
        found = [
            (match.start(), key)
            for key in root.value
            if key not in ("cohort", "report")
            and (match := re.search(rf"(?<![\w.]){re.escape(key)}(?!\w)", message))
        ]
        if found:
            key = min(found)[1]
            raise CommandError(f"{root.child(key).where()} ({key}): {message}") from None
        entry = root.child("cohort")  # e.g. the cohort's own horizon does not fit it
        raise CommandError(f"{entry.where()} (cohort): {message}") from None


def _root(path: Path):
    """The study file's checked top-level mapping and its label."""
    label = path.name if path.name.isprintable() else repr(path.name)
    text = _read_text(path, label)
    loader, node = _parse(text, label)
    root = _Entry(label, "", _convert(loader, node, label), node)
    if not isinstance(root.value, _Map):  # its text is not quoted: it may be a data file
        held = "a list" if isinstance(root.value, list) else "a single value"
        raise CommandError(
            f"{label} holds {held}, not a YAML mapping (key: value lines) that starts with "
            "cohort:; is it the study file (not a CSV or another file)? See examples/study.yaml "
            "for the layout."
        )
    root = _mapping(root, STUDY_KEYS, what="a mapping", example="cohort: {...}", null=False)
    if "cohort" not in root.value:
        raise CommandError(
            f"{label} needs a 'cohort' entry (loader and path, or generator); e.g. cohort: "
            "{generator: make_young_hypertension}."
        )
    return root, label


def load_cohort_definition(path):
    """Build the cohort of a study file's ``cohort:`` block, and nothing else.

    A second site validating a saved model (``riskml validate MODEL cohort.yaml``) gives
    the cohort definition, such as an OMOP concept-set design or a MIMIC extract, and
    builds the same cohort from its own data; the file's other keys (models, ...) are
    read as in :func:`load_study_file` but not used.

    Parameters
    ----------
    path : path-like
        A YAML study file; only ``cohort`` is required.

    Returns
    -------
    Cohort

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from riskml.study_file import load_cohort_definition
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "cohort.yaml").write_text(
    ...     "cohort:\\n  loader: load_heart_failure_clinical_records\\n")
    >>> load_cohort_definition(folder / "cohort.yaml").outcome.kind
    'survival'
    """
    path = Path(path)
    root, _ = _root(path)
    plan = _cohort_plan(root.child("cohort"), path.resolve().parent)
    return _build_cohort(plan, root.child("cohort"))


def load_study_file(path):
    """Read a YAML study file: ``(study, report options, report file name)``.

    Every key is checked before any data is read or anything runs; a problem is a
    :class:`~riskml.errors.CommandError` of one line naming the file, the line and
    column, the key, what was expected, what the file holds and the fix.

    Parameters
    ----------
    path : path-like
        A YAML mapping with ``cohort`` (``loader`` and ``path``, or ``generator`` and
        ``args``; ``outcome: binary`` to use only the event indicator of a
        time-to-event cohort; ``name``) and any of ``models``, ``selection``
        (``{information_gain: {top_k: 5}}`` or ``{rfe: {n_features_to_select:
        11}}``), ``validation`` (folds, ``{repeated: {k:, repeats:}}``,
        ``{optimism: n_boot}`` or ``{internal: {method:, n_boot:, cv:}}`` with a
        method of :class:`riskml.evaluation.InternalValidation`), ``horizon`` (days;
        ``horizon_days`` is its deprecated name), ``metrics``, ``threshold``,
        ``n_boot``, ``random_state``, ``subgroups`` (column names), ``explain``,
        ``reference``, ``comparison``, ``censoring_weights``, ``trusted_predictors`` (a list of
        columns exempt from the leakage and identifier checks), ``reference_levels`` (a
        mapping ``{column: level}``; quote levels such as ``">50"``, which YAML would
        otherwise read as a block scalar), ``stratified_bootstrap``, ``n_jobs`` and
        ``report`` (``file``, ``title``, ``authors``, ``sections``).

    Returns
    -------
    study : riskml.Study
    options : dict
        Keyword arguments of :func:`riskml.report.write_report`.
    file_name : str

    Raises
    ------
    CommandError
        For a file that is not UTF-8 (a Latin-1 byte, UTF-16, binary data), not
        valid YAML (tabs, unbalanced brackets, two documents), empty or not a
        mapping; a key given twice in one mapping; anchors and aliases that expand
        beyond ``MAX_NODES`` values (refused while composing, in milliseconds); an
        unknown key or a value of the wrong type or range; a path outside the study
        file's folder (or one that does not exist); a setting that does not fit the
        cohort (a metric of the other outcome kind, an unknown subgroup column or
        reference level); and any refusal of :class:`riskml.Study`'s own checks, run
        here before any fit, with the line of the key its message names.
    FileNotFoundError
        When the study file does not exist.

    Notes
    -----
    Files are read only from the study file's folder and the folders below it:
    relative paths are read from that folder, and an absolute path, a ``..`` or a
    symbolic link is accepted only when it resolves inside it. Generators that write
    files (``make_mimic3_ami``) are refused. YAML 1.1 reads ``yes``/``no``/``on``/
    ``off`` as booleans, ``1e3`` as text and ``1.0`` as a decimal number: where a
    whole number, a name or a number is expected these are refused, never
    converted; so are 010 (octal 8), 0x10 and 1:30 (90). A UTF-8 byte-order mark is
    accepted. Keys may be merged from an anchor (``<<: *defaults``); keys written in
    the mapping win. ``report.file`` is a file name ending in ``.html``; its folder is
    ``riskml run --out``.

    Examples
    --------
    >>> from pathlib import Path
    >>> import riskml
    >>> from riskml.study_file import load_study_file
    >>> repository = Path(riskml.__file__).parents[1]  # examples/ of a checkout
    >>> study, options, name = load_study_file(repository / "examples" / "study.yaml")
    >>> study.models
    ['xgboost', 'cox', 'framingham_recalibrated']
    >>> name
    'report.html'
    """
    from ..study import Study

    path = Path(path)
    root, label = _root(path)
    for key, item in root.items():
        if item.value is None and key in (
            "models",
            "n_boot",
            "random_state",
            "comparison",
            "censoring_weights",
            "stratified_bootstrap",
        ):
            raise item.fail("a value", f"Give {key} a value, or delete the line for the default.")
    folder = path.resolve().parent
    plan = _cohort_plan(root.child("cohort"), folder)
    options = _settings(root, DEFAULT_MODELS)
    report, file_name = _report(root.child("report"))
    cohort = _build_cohort(plan, root.child("cohort"))
    _against_cohort(root, options, cohort)
    study = Study(cohort, progress=True, **options)
    _preflight(study, root, label)
    return study, report, file_name


def _check_out(out: Path, target: Path, study_path: Path, overwrite: bool) -> None:
    """The report can be written: without creating anything, before the study runs."""
    from ..persistence import check_output_path

    if out.exists():
        if not out.is_dir():
            raise CommandError(f"--out {str(out)!r} is a file; give a folder for the report.")
        check_output_path(target, overwrite=overwrite, what="report")
    else:
        parent = out
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        if not parent.is_dir():
            raise CommandError(
                f"--out {str(out)!r} cannot be created: {str(parent)!r} is a file; give a folder."
            )
        if not os.access(parent, os.W_OK | os.X_OK):
            raise CommandError(
                f"--out {str(out)!r} cannot be created: {str(parent)!r} is not writable; choose "
                "a folder you can write to."
            )
    if target.resolve() == study_path.resolve():
        raise CommandError(
            f"the report {str(target)!r} would replace the study file; choose another report.file."
        )


def run_study_file(path, out=None, *, overwrite: bool = False, progress: bool = True):
    """Run the study a YAML file describes and write its report (``riskml run``).

    The study file and the output folder are checked before the study starts; the
    output folder is created only when the study has run, so a refused or failed study
    leaves nothing behind.

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
    study, options, file_name = load_study_file(path)
    study.progress = progress
    out = Path(path).resolve().parent if out is None else Path(out)
    target = out / file_name
    _check_out(out, target, Path(path), overwrite)
    result = study.run()
    out.mkdir(parents=True, exist_ok=True)
    return result, result.report(target, overwrite=overwrite, **options)
