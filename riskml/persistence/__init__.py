"""Model files: save a fitted model and load it back without ever unpickling.

:func:`save_model` writes a fitted model (a :class:`~riskml.models.RiskPipeline`
or any riskml estimator) in the skops format [1]_: a zip archive whose
``schema.json`` describes every object by type and whose arrays are stored as
``.npy`` members, plus a ``riskml.json`` header with the versions of riskml and
its dependencies, the input columns and their types, the schema, the outcome and,
when the training cohort is passed, what the model saw in training (aggregate
ranges, units and levels of every input, and the follow-up; never a patient's
row), so that ``riskml predict`` can check new patients against it.
:func:`load_model` reads the header and the list of types in the file *before*
building anything, and builds the model only when every type is on riskml's
allow-list: riskml's own estimators and transformers and the scikit-learn,
XGBoost, lifelines, imbalanced-learn, pgmpy, NumPy and pandas types they wrap, and
the types of every registered model family (``ModelSpec.model_file_types``: a family
added with :func:`riskml.models.register_model` brings its own classes).

What is refused, always without running anything from the file: a pickle under
any name, a zip archive that riskml did not write, an archive that would expand
beyond the limits below (a "zip bomb"; the sizes are checked on the archive's
directory before anything is decompressed), a file changed after it was written,
and a file that names a type outside the allow-list.

**What the digest does and does not protect.** Every file carries a SHA-256
digest of its content. It detects accidental damage (a truncated copy, a flipped
byte): such a file is refused. It does *not* detect a deliberate edit: anyone
who changes a coefficient can recompute the digest. To detect edits, sign the
file with a secret key, ``save_model(..., key=...)``, and check it with
``load_model(..., key=...)`` (``RISKML_MODEL_KEY`` for the command line): an
HMAC-SHA256 [2]_ of the whole header, which holds the digest of the content. A
file edited after signing, signed with another key, or stripped of its signature
is then refused.

**No patient rows.** A model file holds what prediction needs: coefficients,
centring, baseline hazards, trees, conditional probability tables, and the
aggregate input ranges. The training durations, event flags and fitted values
that a lifelines fitter keeps are left out (hazard ratios, ``summary`` and
``print_summary`` still work after loading); the fitted state of resamplers
(SMOTE keeps the minority patients), which prediction never uses, is left out.
Models that predict from training patients themselves (k-nearest neighbours:
every training row; support vector machines: the support vectors) are refused
unless ``allow_training_rows=True`` says that the file is patient data.

pandas objects (inside lifelines fitters and coefficient tables), pgmpy networks
and scikit-learn's neighbour trees, which skops does not store natively, are
written as plain arrays and rebuilt on load by this module, so the classes that
hold them keep their own pickling untouched.

References
----------
.. [1] skops: secure persistence of scikit-learn models.
   https://skops.readthedocs.io/en/stable/persistence.html
.. [2] Krawczyk H, Bellare M, Canetti R. HMAC: keyed-hashing for message
   authentication. RFC 2104; 1997.
"""

from __future__ import annotations

import contextlib
import datetime
import importlib
import importlib.metadata
import inspect
import io
import json
import os as os  # tests patch os.fsync through this module (write_atomically uses it)
import pkgutil
import platform
import tempfile as tempfile  # likewise tempfile.mkstemp
import warnings
import zipfile
from pathlib import Path

import pandas as pd

from .._version import __version__

# The names of the model-file format stay importable from here (X as X: re-exported).
from ._archive import NEVER_TRUSTED as NEVER_TRUSTED
from ._archive import _check_key, _check_trusted, _digest, _never_trusted, _open_checked, _signature
from ._format import (
    FORMAT,
    FORMAT_VERSION,
    HEADER,
    KEY_ENVIRONMENT_VARIABLE,
    MAX_MODEL_BYTES,
    SIGNATURE,
    ModelFileError,
    ModelSignatureWarning,
    ModelVersionWarning,
)
from ._format import MAX_EXPANSION as MAX_EXPANSION
from ._format import MAX_HEADER_BYTES as MAX_HEADER_BYTES
from ._format import MAX_MEMBERS as MAX_MEMBERS
from ._format import MAX_SCHEMA_BYTES as MAX_SCHEMA_BYTES
from ._format import MIN_KEY_BYTES as MIN_KEY_BYTES
from ._format import SUFFIX as SUFFIX
from ._state import ENUMS as ENUMS
from ._state import TRAINING_ROWS as TRAINING_ROWS
from ._state import (
    _EnumState,
    _NeighborsTreeState,
    _NetworkState,
    _PandasState,
    _Portable,
    _restore,
)
from ._writing import check_output_path, write_atomically, write_files_atomically

__all__ = [
    "KEY_ENVIRONMENT_VARIABLE",
    "MAX_MODEL_BYTES",
    "ModelFileError",
    "ModelSignatureWarning",
    "ModelVersionWarning",
    "allowed_types",
    "check_output_path",
    "load_model",
    "read_model_info",
    "save_model",
    "write_atomically",
    "write_files_atomically",
]


#: Distributions whose versions are stored in the file and compared on load.
DEPENDENCIES = (
    "riskml",
    "numpy",
    "scipy",
    "pandas",
    "scikit-learn",
    "xgboost",
    "lifelines",
    "imbalanced-learn",
    "pgmpy",
    "skops",
)

#: Library types any fitted riskml pipeline may hold (preprocessing, feature selection,
#: samplers, tuning, calibration), beyond those skops trusts by default (scikit-learn's
#: estimators, NumPy and SciPy basics). The types of one model family (XGBoost's
#: booster, lifelines' fitter, ...) are in its :class:`~riskml.models.ModelSpec`.
LIBRARY_TYPES = frozenset(
    {
        "numpy.dtype",
        "sklearn.compose._column_transformer.make_column_selector",
        "sklearn.tree._tree.Tree",
        # recursive feature elimination ranks by XGBoost by default (RFECV keeps its fit)
        "xgboost.core.Booster",
        "xgboost.sklearn.XGBClassifier",
        "xgboost.sklearn.XGBRegressor",
        "sklearn.model_selection._split.KFold",
        "sklearn.model_selection._split.StratifiedKFold",
        # a tuned model's search keeps its folds (row numbers, no values)
        "sklearn.model_selection._split._CVIterableWrapper",
        "imblearn.under_sampling._prototype_selection._random_under_sampler.RandomUnderSampler",
        "imblearn.over_sampling._random_over_sampler.RandomOverSampler",
        "imblearn.over_sampling._smote.base.SMOTE",
        # probabilities of a classifier without predict_proba (Platt scaling on internal folds)
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
    }
)

#: riskml functions a fitted model may refer to (by name, never called on load).
RISKML_FUNCTIONS = frozenset(
    {
        "riskml.features._preprocessing._as_object_with_nan",
        "riskml.features._preprocessing._as_float",
        "riskml.features._scoring.c_statistic_scorer",  # files written before 0.1
        "riskml.evaluation._scoring.c_statistic_scorer",
    }
)

# Packages whose classes are riskml's own model types (collected by introspection).
_RISKML_PACKAGES = ("riskml.models", "riskml.features")


# -- the allow-list ------------------------------------------------------------------


def _riskml_classes() -> frozenset:
    names = set()
    for package_name in _RISKML_PACKAGES:
        package = importlib.import_module(package_name)
        modules = [package] + [
            importlib.import_module(f"{package_name}.{info.name}")
            for info in pkgutil.walk_packages(package.__path__)
        ]
        for module in modules:
            for value in vars(module).values():
                if inspect.isclass(value) and value.__module__.startswith("riskml."):
                    names.add(f"{value.__module__}.{value.__qualname__}")
    names.add("riskml.outcome.Outcome")
    names.update(
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in (_PandasState, _NetworkState, _EnumState, _NeighborsTreeState)
    )
    return frozenset(names)


def _family_types() -> frozenset:
    """The types each registered model family's files may hold (``ModelSpec``)."""
    from ..models import model_specs

    return frozenset().union(*(spec.model_file_types for spec in model_specs()))


def allowed_types() -> frozenset:
    """The fully qualified type names :func:`load_model` accepts beyond skops' defaults.

    riskml's estimators and transformers (every class of :mod:`riskml.models` and
    :mod:`riskml.features`), the helper functions their pipelines name, the library
    types in :data:`LIBRARY_TYPES`, and the types of every registered model family
    (:attr:`riskml.models.ModelSpec.model_file_types`, which includes the classes of a
    family added with :func:`riskml.models.register_model`).

    Returns
    -------
    frozenset of str

    Examples
    --------
    >>> from riskml.persistence import allowed_types
    >>> "riskml.models.cox.CoxPH" in allowed_types()
    True
    """
    return _riskml_classes() | RISKML_FUNCTIONS | LIBRARY_TYPES | _family_types()


# -- metadata ------------------------------------------------------------------------


def _versions() -> dict:
    found = {}
    for name in DEPENDENCIES:
        if name == "riskml":
            found[name] = __version__
            continue
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            found[name] = importlib.metadata.version(name)
    return found


def _input_columns(model, cohort) -> list[dict]:
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        first = model.steps[0][1] if hasattr(model, "steps") else None
        names = getattr(first, "feature_names_in_", None)
    names = [] if names is None else [str(n) for n in names]
    features = getattr(cohort, "features", cohort)
    kinds = {}
    if isinstance(features, pd.DataFrame):
        missing = [n for n in names if n not in features.columns]
        if missing:
            raise ValueError(
                f"the model uses column(s) {missing[:10]} that cohort lacks; pass the cohort "
                "(or DataFrame) the model was fitted on."
            )
        if not names:
            names = [str(c) for c in features.columns]
        kinds = {n: str(features[n].dtype) for n in names}
    else:
        preprocess = model.steps[0][1] if hasattr(model, "steps") else None
        numeric = set(getattr(preprocess, "numeric_columns_", ()) or ())
        categorical = set(getattr(preprocess, "categorical_columns_", ()) or ())
        kinds = {n: "float64" for n in numeric} | {n: "object" for n in categorical}
    return [{"name": n, "dtype": kinds.get(n, "")} for n in names]


def _model_summary(model) -> dict:
    final = model.steps[-1][1] if hasattr(model, "steps") else model
    horizon = getattr(model, "horizon", None)
    kind = getattr(model, "outcome_kind", None)
    return {
        "model_class": f"{type(model).__module__}.{type(model).__qualname__}",
        "final_estimator": type(final).__name__,
        "outcome_kind": kind if isinstance(kind, str) else None,
        "horizon_days": None if horizon is None else float(horizon),
    }


def save_model(
    model,
    path,
    *,
    cohort=None,
    overwrite: bool = False,
    key=None,
    allow_training_rows: bool = False,
) -> Path:
    """Save a fitted model to a file that :func:`load_model` can read safely.

    Parameters
    ----------
    model : fitted estimator with ``predict_risk``
        A :class:`~riskml.models.RiskPipeline` (e.g. from
        :func:`~riskml.models.make_model`) or another riskml estimator, fitted.
    path : str or path-like
        The file to write; ``.riskml`` is the customary suffix. Its folder must
        exist.
    cohort : Cohort or pandas.DataFrame, optional
        The data the model was fitted on. Stored: the column names and dtypes, the
        schema name, and what the model saw in training, as aggregates only (see
        :func:`riskml.cohorts.input_profile`: per numeric input its minimum,
        maximum, 0.5th and 99.5th percentiles, median and unit; per categorical
        input its levels; the follow-up of a time-to-event cohort), so that
        ``riskml predict`` and :func:`riskml.deployment.check_inputs` can refuse
        impossible values, unit errors, unseen levels and horizons beyond the
        follow-up. Without it the columns come from the fitted model and their
        types from its preprocessing step, and new data cannot be checked.
    overwrite : bool, default=False
        Replace an existing file (or a symbolic link: the link is replaced, its
        target left alone). By default an existing path is refused, also when
        another run writes it while this one is saving.
    key : str or bytes, optional
        A secret of at least 16 bytes (e.g. ``secrets.token_hex(32)``): the file is
        signed with HMAC-SHA256 over its header, which holds the digest of its
        content, so that ``load_model(path, key=key)`` refuses a file edited after
        saving. Keep the key apart from the model files.
    allow_training_rows : bool, default=False
        Models that predict from training patients themselves (k-nearest
        neighbours, support vector machines) are refused, since the file would
        hold patients' predictor values; pass True to save them anyway, as patient
        data (the header then says so, under ``training_rows``).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    TypeError
        When ``model`` has no ``predict_risk`` or holds a type outside
        :func:`allowed_types` (it could not be loaded back).
    ValueError
        When the model is not fitted, or holds training rows without
        ``allow_training_rows=True``.
    FileExistsError, FileNotFoundError, PermissionError
        When the path exists (without ``overwrite``), is a link, or its folder is
        absent or read-only.
    riskml.errors.WriteError
        When the disk is full or the folder read-only at the time of writing;
        nothing is left behind.

    Notes
    -----
    The file is a skops archive with a ``riskml.json`` header: format version,
    creation time (UTC), the versions of riskml, Python and the dependencies in
    :data:`DEPENDENCIES`, the input columns and dtypes, the schema name, the
    outcome kind and horizon, the input profile (``inputs``), a SHA-256 digest of
    the rest of the archive and, with ``key``, its signature. The digest detects
    accidental damage only: anyone can edit a coefficient and recompute it; the
    signature detects edits by anyone without the key. The file holds the fitted
    parameters and aggregate summaries (the distinct event times of a baseline
    hazard, the minimum and maximum of each input): share it as you would share
    aggregate results, not as anonymous data. The training durations, events and
    fitted values a lifelines fitter keeps are not written. The write is atomic
    (temporary file, then a link that never replaces another run's file).

    Examples
    --------
    >>> import riskml as rk
    >>> cohort = rk.cohorts.make_young_hypertension(n_patients=120)
    >>> model = rk.models.make_model("cox", horizon=1004).fit(cohort.features, cohort.outcome)
    >>> rk.save_model(model, "cox.riskml", cohort=cohort)  # doctest: +SKIP
    PosixPath('cox.riskml')
    """
    import skops.io as sio
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    if not callable(getattr(model, "predict_risk", None)):
        raise TypeError(
            f"save_model saves fitted riskml models (with predict_risk); got "
            f"{type(model).__name__}. Build one with riskml.models.make_model(...).fit(X, y)."
        )
    try:
        check_is_fitted(model)
    except NotFittedError:
        raise ValueError(
            f"save_model needs a fitted model; this {type(model).__name__} is not fitted. Call "
            "model.fit(X, y) first."
        ) from None
    except TypeError:
        pass  # not a scikit-learn estimator: nothing to check
    if not isinstance(allow_training_rows, bool):
        raise TypeError(
            f"allow_training_rows must be True or False; got {type(allow_training_rows).__name__}."
        )
    signing_key = _check_key(key, "save_model")
    path = check_output_path(path, overwrite=overwrite, what="model file")
    columns = _input_columns(model, cohort)
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "versions": _versions(),
        "columns": columns,
        "schema_name": _schema_name(cohort),
        **_model_summary(model),
    }
    if cohort is not None:
        from ..cohorts import input_profile

        header["inputs"] = input_profile(cohort, columns=[c["name"] for c in columns])
    converter = _Portable()
    portable = converter.convert(model)
    if converter.training_rows:
        found: dict = {}
        for kind, attribute, rows, reason in converter.training_rows.values():
            entry = found.setdefault((kind, attribute), {"rows": 0, "estimators": 0, "why": reason})
            entry["rows"] = max(entry["rows"], int(rows))
            entry["estimators"] += 1
        described = "; ".join(
            f"{kind}.{attribute}, up to {e['rows']} rows"
            + (f" in each of {e['estimators']} fitted copies" if e["estimators"] > 1 else "")
            + f": {e['why']}"
            for (kind, attribute), e in found.items()
        )
        if not allow_training_rows:
            raise ValueError(
                f"save_model refused: the model holds training patients' rows, so a model file "
                f"would be patient data ({described}). Nothing was written. Fix: choose a model "
                "that keeps only aggregate parameters (e.g. 'logistic', 'xgboost', "
                "'random_forest'); or, to store it as patient data (protected as you protect "
                "the cohort), pass allow_training_rows=True."
            )
        header["training_rows"] = [
            {"estimator": kind, "attribute": attribute, **e}
            for (kind, attribute), e in found.items()
        ]
    payload = sio.dumps(portable, compression=zipfile.ZIP_DEFLATED)
    unknown = sorted(set(sio.get_untrusted_types(data=payload)) - allowed_types())
    if unknown:
        raise TypeError(
            f"the model holds type(s) {unknown} outside riskml's allow-list, so load_model "
            "would refuse the file. Use riskml's own estimators and transformers, or save "
            "this model with skops.io yourself."
        )
    buffer = io.BytesIO(payload)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        header["digest_sha256"] = _digest(archive)
        if signing_key is not None:
            header[SIGNATURE] = _signature(header, signing_key)
        archive.writestr(HEADER, json.dumps(header, indent=2, sort_keys=True))
    write_atomically(path, buffer.getvalue(), overwrite=overwrite, what="model file")
    return path


def _schema_name(cohort):
    name = getattr(cohort, "schema_name", None)
    return name if isinstance(name, str) else None


def read_model_info(path, *, key=None, max_bytes=None) -> dict:
    """The header of a model file, without loading the model.

    Parameters
    ----------
    path : str or path-like
    key : str or bytes, optional
        The signing key: the file must then be signed with it (see
        :func:`load_model`).
    max_bytes : int, optional
        The most bytes the archive may expand to (default :data:`MAX_MODEL_BYTES`).

    Returns
    -------
    dict
        ``format_version``, ``created_utc``, ``python``, ``versions`` (riskml and
        dependencies), ``columns`` (list of ``{"name", "dtype"}``),
        ``schema_name``, ``model_class``, ``final_estimator``, ``outcome_kind``,
        ``horizon_days``, ``inputs`` (the training profile, when saved with a
        cohort), ``training_rows`` (when saved with ``allow_training_rows``),
        ``digest_sha256`` and, for a signed file, ``signature_hmac_sha256``.

    Raises
    ------
    ModelFileError
        When the file is not a riskml model file, would expand beyond the limits,
        was changed, or (with ``key``) is unsigned or its signature does not match.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import riskml as rk
    >>> cohort = rk.cohorts.load_heart_failure_clinical_records()
    >>> model = rk.models.make_model("logistic").fit(cohort.features, cohort.outcome.event)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = rk.save_model(model, Path(folder) / "logistic.riskml")
    ...     info = rk.persistence.read_model_info(path)
    >>> info["format"], [column["name"] for column in info["columns"]][:3]
    ('riskml-model', ['age', 'anaemia', 'creatinine_phosphokinase'])
    """
    signing_key = _check_key(key, "read_model_info")
    return _open_checked(path, key=signing_key, max_bytes=max_bytes)[1]


def _version_mismatch(header: dict) -> list[str]:
    stored = header.get("versions")
    if not isinstance(stored, dict):
        return []
    here = _versions()
    return [
        f"{name} {stored[name]} (installed: {here.get(name, 'absent')})"
        for name in DEPENDENCIES
        if name in stored and stored[name] != here.get(name)
    ]


def load_model(path, *, trusted=None, key=None, max_bytes=None):
    """Load a model saved by :func:`save_model`, refusing anything unsafe.

    Parameters
    ----------
    path : str or path-like
    trusted : list of str, optional
        Extra fully qualified type names to accept (e.g. your own estimator
        class in a pipeline, ``["mypackage.models.MyEstimator"]``). Only name
        types whose code you trust. A bare string is refused (it would be read
        letter by letter), and so are names from modules that can run commands or
        open files (:data:`NEVER_TRUSTED`: ``os``, ``subprocess``, ``builtins``, ...).
    key : str or bytes, optional
        The key the file was signed with (``save_model(..., key=...)``). With a key,
        only a file signed with it loads: an unsigned file, a file edited after
        signing, or one signed with another key is refused. Without a key, a
        signed file loads with a :class:`ModelSignatureWarning` (its signature
        unchecked).
    max_bytes : int, optional
        The most bytes the archive may expand to (default :data:`MAX_MODEL_BYTES`,
        2 GiB), checked before anything is decompressed.

    Returns
    -------
    model
        The fitted model, with identical predictions to the one saved.

    Raises
    ------
    ModelFileError
        When the file is a pickle (under any name), a zip archive or skops file
        that riskml did not write, would expand beyond the limits (a zip bomb),
        is damaged, was changed after it was written, fails its signature check,
        or names a type outside :func:`allowed_types` and ``trusted``. Raised
        before any object from the file is built, so nothing in it runs.
    TypeError, ValueError
        When ``trusted``, ``key`` or ``max_bytes`` is malformed.

    Warns
    -----
    ModelVersionWarning
        When riskml or a dependency differs from the versions the file was
        written with: predictions may differ; check them, or re-fit.
    ModelSignatureWarning
        When the file is signed and no key was given.

    Notes
    -----
    Without a key, the file's SHA-256 digest detects accidental damage only: a
    deliberate edit with a recomputed digest loads. Sign files that cross a trust
    boundary, and load them with their key.

    Examples
    --------
    >>> import riskml as rk
    >>> model = rk.load_model("cox.riskml")  # doctest: +SKIP
    >>> model.predict_risk(new_patients, horizon=1004)  # doctest: +SKIP
    """
    import skops.io as sio

    extra = _check_trusted(trusted)
    signing_key = _check_key(key, "load_model")
    path, header = _open_checked(path, key=signing_key, max_bytes=max_bytes, warn=True)
    try:
        found = set(sio.get_untrusted_types(file=path))
    except Exception as error:  # skops parses schema.json only: nothing is built here
        raise ModelFileError(
            f"{path.name}: the model description is unreadable ({type(error).__name__}: "
            f"{str(error)[:200]}). Nothing was loaded. Save the model again."
        ) from None
    refused = sorted(found - allowed_types() - extra)
    if refused:
        shown = ", ".join(refused[:10]) + (
            f" and {len(refused) - 10} more" if len(refused) > 10 else ""
        )
        dangerous = [name for name in refused if _never_trusted(name)]
        raise ModelFileError(
            f"{path.name} names type(s) outside riskml's allow-list: {shown}. Nothing was "
            "loaded: building them could run code that riskml cannot vouch for. "
            + (
                f"{', '.join(dangerous[:5])} can run commands or open files: this is not a "
                "model file that riskml or you wrote; do not use it."
                if dangerous
                else "If you wrote this file yourself with your own estimator, pass "
                "trusted=[...] with those names."
            )
        )
    mismatch = _version_mismatch(header)
    if mismatch:
        warnings.warn(
            f"{path.name} was written with other versions: {'; '.join(mismatch)}. Predictions "
            "may differ; check them on known cases, or re-fit and save the model with the "
            "installed versions.",
            ModelVersionWarning,
            stacklevel=2,
        )
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", module="pgmpy")
            model = sio.load(path, trusted=sorted(found))
        model = _restore(model, {})
    except Exception as error:
        raise ModelFileError(
            f"{path.name} could not be rebuilt ({type(error).__name__}: {str(error)[:200]}). "
            "It may come from an incompatible version; re-fit and save the model again."
        ) from error
    if not callable(getattr(model, "predict_risk", None)):
        raise ModelFileError(
            f"{path.name} holds a {type(model).__name__}, not a riskml model with predict_risk."
        )
    return model
