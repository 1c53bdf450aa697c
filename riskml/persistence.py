"""Model files: save a fitted model and load it back without ever unpickling.

:func:`save_model` writes a fitted model (a :class:`~riskml.models.RiskPipeline`
or any riskml estimator) in the skops format [1]_: a zip archive whose
``schema.json`` describes every object by type and whose arrays are stored as
``.npy`` members, plus a ``riskml.json`` header with the versions of riskml and
its dependencies, the input columns and their types, the schema and the outcome.
:func:`load_model` reads the header and the list of types in the file *before*
building anything, and builds the model only when every type is on riskml's
allow-list: riskml's own estimators and transformers and the scikit-learn,
XGBoost, lifelines, imbalanced-learn, pgmpy, NumPy and pandas types they wrap.

What is refused, always without running anything from the file: a pickle under
any name, a zip archive that riskml did not write, a file changed after it was
written, and a file that names a type outside the allow-list.

pandas objects (inside lifelines fitters and coefficient tables) and pgmpy
networks, which skops does not store natively, are written as plain arrays and
rebuilt on load by this module, so the classes that hold them keep their own
pickling untouched.

References
----------
.. [1] skops: secure persistence of scikit-learn models.
   https://skops.readthedocs.io/en/stable/persistence.html
"""

from __future__ import annotations

import contextlib
import datetime
import enum
import hashlib
import importlib
import importlib.metadata
import inspect
import io
import json
import os
import pkgutil
import platform
import tempfile
import types
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from .utils.validation import check_file

__all__ = [
    "ModelFileError",
    "ModelVersionWarning",
    "load_model",
    "read_model_info",
    "save_model",
]

FORMAT = "riskml-model"
FORMAT_VERSION = 1
HEADER = "riskml.json"
SUFFIX = ".riskml"

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

#: Library types a fitted riskml model may hold, beyond those skops trusts by
#: default (scikit-learn's estimators, NumPy and SciPy basics).
LIBRARY_TYPES = frozenset(
    {
        "numpy.dtype",
        "sklearn.compose._column_transformer.make_column_selector",
        "sklearn.tree._tree.Tree",
        "xgboost.core.Booster",
        "xgboost.sklearn.XGBClassifier",
        "xgboost.sklearn.XGBRegressor",
        "lifelines.fitters.coxph_fitter.CoxPHFitter",
        "lifelines.fitters.coxph_fitter.SemiParametricPHFitter",
        "lifelines.utils.CovariateParameterMappings",
        "sklearn.model_selection._split.KFold",
        "sklearn.model_selection._split.StratifiedKFold",
        "imblearn.under_sampling._prototype_selection._random_under_sampler.RandomUnderSampler",
        "imblearn.over_sampling._random_over_sampler.RandomOverSampler",
        "imblearn.over_sampling._smote.base.SMOTE",
    }
)

#: riskml functions a fitted model may refer to (by name, never called on load).
RISKML_FUNCTIONS = frozenset(
    {
        "riskml.features._preprocessing._as_object_with_nan",
        "riskml.features._preprocessing._as_float",
    }
)

# Packages whose classes are riskml's own model types (collected by introspection).
_RISKML_PACKAGES = ("riskml.models", "riskml.features")

_PICKLE_MAGIC = (b"\x80",)  # protocol 2+ pickles start with PROTO
_ZIP_MAGIC = b"PK\x03\x04"


class ModelFileError(ValueError):
    """A file that :func:`load_model` refuses: not a riskml model file, damaged,
    changed after it was written, or naming a type outside the allow-list.

    Nothing from the file has been run when this is raised.
    """


class ModelVersionWarning(UserWarning):
    """A model file written with other versions of riskml or its dependencies."""


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
        f"{__name__}.{cls.__qualname__}" for cls in (_PandasState, _NetworkState, _EnumState)
    )
    return frozenset(names)


def allowed_types() -> frozenset:
    """The fully qualified type names :func:`load_model` accepts beyond skops' defaults.

    riskml's estimators and transformers (every class of :mod:`riskml.models` and
    :mod:`riskml.features`), the helper functions their pipelines name, and the
    library types in :data:`LIBRARY_TYPES`.

    Returns
    -------
    frozenset of str
    """
    return _riskml_classes() | RISKML_FUNCTIONS | LIBRARY_TYPES


# -- portable state for what skops does not store natively ---------------------------


class _PandasState:
    """A pandas Series, DataFrame or Index as plain arrays (rebuilt on load)."""

    def __init__(self, kind: str, parts: dict):
        self.kind = kind
        self.parts = parts

    @classmethod
    def from_pandas(cls, obj) -> _PandasState:
        if isinstance(obj, pd.DataFrame):
            return cls(
                "DataFrame",
                {
                    "columns": _encode_index(obj.columns),
                    "index": _encode_index(obj.index),
                    "data": [_encode_values(obj.iloc[:, i]) for i in range(obj.shape[1])],
                },
            )
        if isinstance(obj, pd.Series):
            return cls(
                "Series",
                {
                    "values": _encode_values(obj),
                    "index": _encode_index(obj.index),
                    "name": _encode_label(obj.name),
                },
            )
        return cls("Index", {"index": _encode_index(obj)})

    def to_pandas(self):
        parts = self.parts
        if self.kind == "DataFrame":
            columns = _decode_index(parts["columns"])
            index = _decode_index(parts["index"])
            data = [_decode_values(d) for d in parts["data"]]
            frame = (
                pd.concat([pd.Series(v, index=index) for v in data], axis=1, ignore_index=True)
                if data
                else pd.DataFrame(index=index)
            )
            frame.columns = columns
            return frame
        if self.kind == "Series":
            return pd.Series(
                _decode_values(parts["values"]),
                index=_decode_index(parts["index"]),
                name=_decode_label(parts["name"]),
            )
        return _decode_index(parts["index"])


def _encode_label(label):
    """Column and index names: tuples (MultiIndex labels) stay tuples, numpy scalars plain."""
    if isinstance(label, np.generic):
        return label.item()
    if isinstance(label, tuple):
        return tuple(_encode_label(v) for v in label)
    return label


_decode_label = _encode_label


def _encode_values(values) -> dict:
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return {
            "kind": "categorical",
            "codes": np.asarray(values.cat.codes if hasattr(values, "cat") else values.codes),
            "categories": _encode_index(dtype.categories),
            "ordered": bool(dtype.ordered),
        }
    if isinstance(dtype, np.dtype) and dtype.kind in "biufcmM":
        return {"kind": "numpy", "array": np.asarray(values)}
    # object and extension dtypes: plain Python values, restored with the dtype's name
    array = np.empty(len(values), dtype=object)
    array[:] = [_encode_label(v) for v in np.asarray(values, dtype=object)]
    return {"kind": "object", "array": array, "dtype": str(dtype)}


def _decode_values(part: dict):
    if part["kind"] == "categorical":
        categories = _decode_index(part["categories"])
        return pd.Categorical.from_codes(part["codes"], categories, ordered=part["ordered"])
    if part["kind"] == "numpy":
        return part["array"]
    array = np.asarray(part["array"], dtype=object)
    return array if part["dtype"] == "object" else pd.array(array, dtype=part["dtype"])


def _encode_index(index) -> dict:
    if isinstance(index, pd.RangeIndex):
        return {
            "kind": "range",
            "start": int(index.start),
            "stop": int(index.stop),
            "step": int(index.step),
            "name": _encode_label(index.name),
        }
    if isinstance(index, pd.MultiIndex):
        return {
            "kind": "multi",
            "levels": [_encode_index(level) for level in index.levels],
            "codes": [np.asarray(c) for c in index.codes],
            "names": [_encode_label(n) for n in index.names],
        }
    return {"kind": "index", "values": _encode_values(index), "name": _encode_label(index.name)}


def _decode_index(part: dict):
    if part["kind"] == "range":
        return pd.RangeIndex(part["start"], part["stop"], part["step"], name=part["name"])
    if part["kind"] == "multi":
        return pd.MultiIndex(
            levels=[_decode_index(level) for level in part["levels"]],
            codes=part["codes"],
            names=part["names"],
        )
    return pd.Index(_decode_values(part["values"]), name=part["name"])


class _NetworkState:
    """A fitted pgmpy DiscreteBayesianNetwork as its edges and conditional tables."""

    def __init__(self, nodes, edges, latents, cpds):
        self.nodes = nodes
        self.edges = edges
        self.latents = latents
        self.cpds = cpds

    @classmethod
    def from_network(cls, network) -> _NetworkState:
        cpds = []
        for cpd in network.get_cpds():
            variables = list(cpd.variables)
            cpds.append(
                {
                    "variable": _encode_label(cpd.variable),
                    "variable_card": int(cpd.variable_card),
                    "values": np.asarray(cpd.get_values(), dtype=float),
                    "evidence": [_encode_label(v) for v in variables[1:]],
                    "evidence_card": [int(c) for c in cpd.cardinality[1:]],
                    "state_names": {
                        _encode_label(k): [_encode_label(s) for s in v]
                        for k, v in cpd.state_names.items()
                    },
                }
            )
        return cls(
            nodes=[_encode_label(n) for n in network.nodes()],
            edges=[tuple(_encode_label(v) for v in e) for e in network.edges()],
            latents=sorted(_encode_label(v) for v in getattr(network, "latents", ())),
            cpds=cpds,
        )

    def to_network(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pgmpy's import-time notices
            from pgmpy.factors.discrete import TabularCPD
            from pgmpy.models import DiscreteBayesianNetwork

        network = DiscreteBayesianNetwork([tuple(e) for e in self.edges], latents=set(self.latents))
        network.add_nodes_from(self.nodes)
        network.add_cpds(
            *(
                TabularCPD(
                    c["variable"],
                    c["variable_card"],
                    c["values"],
                    evidence=c["evidence"] or None,
                    evidence_card=c["evidence_card"] or None,
                    state_names=c["state_names"],
                )
                for c in self.cpds
            )
        )
        return network


class _EnumState:
    """A member of one of the enumerations in :data:`ENUMS` (skops cannot store enums)."""

    def __init__(self, enum_type: str, value):
        self.enum_type = enum_type
        self.value = value

    def to_member(self):
        if self.enum_type not in ENUMS:  # the allow-list of enumerations, checked again
            raise ModelFileError(f"enumeration {self.enum_type!r} is not on the allow-list.")
        module, name = self.enum_type.rsplit(".", 1)
        return getattr(importlib.import_module(module), name)(self.value)


#: Enumerations a fitted model may hold (stored by value, rebuilt by name).
ENUMS = frozenset({"lifelines.utils.CensoringType"})

_DESCEND = ("riskml", "sklearn", "imblearn", "lifelines")


def _descends(obj) -> bool:
    """Objects whose attributes are converted one by one (not handed to skops whole)."""
    if isinstance(obj, type | types.FunctionType | types.BuiltinFunctionType | types.MethodType):
        return False
    module = type(obj).__module__.split(".")[0]
    return module in _DESCEND and isinstance(getattr(obj, "__dict__", None), dict)


def _is_network(obj) -> bool:
    return type(obj).__module__.startswith("pgmpy.models") and hasattr(obj, "get_cpds")


def _portable(obj, memo: dict):
    """A copy of ``obj`` with pandas objects and pgmpy networks in portable form.

    The model passed to :func:`save_model` is never modified.
    """
    key = id(obj)
    if key in memo:
        return memo[key]
    if isinstance(obj, pd.DataFrame | pd.Series | pd.Index):
        out = _PandasState.from_pandas(obj)
    elif _is_network(obj):
        out = _NetworkState.from_network(obj)
    elif isinstance(obj, enum.Enum):
        name = f"{type(obj).__module__}.{type(obj).__qualname__}"
        if name not in ENUMS:
            raise TypeError(
                f"the model holds an enumeration {name} that riskml cannot store; use riskml's "
                "own estimators, or save this model with skops.io yourself."
            )
        out = _EnumState(name, obj.value)
    elif type(obj) is list:
        out = []
        memo[key] = out
        out.extend(_portable(v, memo) for v in obj)
    elif type(obj) is tuple:
        out = tuple(_portable(v, memo) for v in obj)
    elif type(obj) is dict:
        out = {}
        memo[key] = out
        out.update((k, _portable(v, memo)) for k, v in obj.items())
    elif _descends(obj):
        out = object.__new__(type(obj))
        memo[key] = out
        out.__dict__.update((k, _portable(v, memo)) for k, v in vars(obj).items())
    else:
        out = obj
    memo[key] = out
    return out


def _restore(obj, memo: dict):
    """Rebuild pandas objects and networks in a freshly loaded object graph (in place)."""
    key = id(obj)
    if key in memo:
        return memo[key]
    if isinstance(obj, _PandasState):
        out = obj.to_pandas()
    elif isinstance(obj, _NetworkState):
        out = obj.to_network()
    elif isinstance(obj, _EnumState):
        out = obj.to_member()
    elif type(obj) is list:
        memo[key] = out = obj
        obj[:] = [_restore(v, memo) for v in obj]
    elif type(obj) is tuple:
        out = tuple(_restore(v, memo) for v in obj)
    elif type(obj) is dict:
        memo[key] = out = obj
        for k in list(obj):
            obj[k] = _restore(obj[k], memo)
    elif _descends(obj):
        memo[key] = out = obj
        for k, v in list(vars(obj).items()):
            obj.__dict__[k] = _restore(v, memo)
    else:
        out = obj
    memo[key] = out
    return out


# -- metadata ------------------------------------------------------------------------


def _versions() -> dict:
    found = {}
    for name in DEPENDENCIES:
        if name == "riskml":
            from . import __version__

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


def _digest(archive: zipfile.ZipFile) -> str:
    sha = hashlib.sha256()
    for name in sorted(archive.namelist()):
        if name == HEADER:
            continue
        sha.update(name.encode("utf-8") + b"\0")
        sha.update(archive.read(name))
    return sha.hexdigest()


# -- writing -------------------------------------------------------------------------


def check_output_path(path, *, overwrite: bool = False, what: str = "file") -> Path:
    """Check that ``path`` can be written: parent folder present and writable, no
    existing file or symlink there unless ``overwrite``.

    Parameters
    ----------
    path : str or path-like
    overwrite : bool, default=False
    what : str
        What is written, for the messages (e.g. ``"model file"``).

    Returns
    -------
    pathlib.Path
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(
            f"path must be a file path (str or pathlib.Path); got {type(path).__name__}."
        )
    path = Path(path)
    if path.is_symlink() and not overwrite:
        raise FileExistsError(
            f"{str(path)!r} is a symbolic link; riskml does not write through links. Choose "
            f"another path for the {what}, or pass overwrite=True to replace the link itself "
            "(its target is left alone)."
        )
    if path.is_dir():
        raise IsADirectoryError(
            f"{str(path)!r} is a folder; give the {what} a file name, e.g. "
            f"{str(path / ('model' + SUFFIX if what == 'model file' else 'out.csv'))!r}."
        )
    if path.exists() and not overwrite:
        raise FileExistsError(
            f"{str(path)!r} already exists; riskml does not replace files unless asked. Choose "
            "another name, or pass overwrite=True (--overwrite on the command line)."
        )
    parent = path.parent
    if not parent.is_dir():
        raise FileNotFoundError(
            f"the folder {str(parent)!r} for the {what} does not exist; create it first."
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PermissionError(
            f"the folder {str(parent)!r} is not writable; choose a folder you can write to for "
            f"the {what}."
        )
    return path


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place.

    A crash or an interrupt leaves either the old file or the new one, never a
    partial file; the temporary file is removed on any error.
    """
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def save_model(model, path, *, cohort=None, overwrite: bool = False) -> Path:
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
        The data the model was fitted on. Only the column names, their dtypes and
        the cohort's schema name are stored (never values), so that
        ``riskml predict`` can check new data. Without it the columns come from
        the fitted model and their types from its preprocessing step.
    overwrite : bool, default=False
        Replace an existing file (or a symbolic link: the link is replaced, its
        target left alone). By default an existing path is refused.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    TypeError
        When ``model`` has no ``predict_risk`` or holds a type outside
        :func:`allowed_types` (it could not be loaded back).
    FileExistsError, FileNotFoundError, PermissionError
        When the path exists (without ``overwrite``), is a link, or its folder is
        absent or read-only.

    Notes
    -----
    The file is a skops archive with a ``riskml.json`` header: format version,
    creation time (UTC), the versions of riskml, Python and the dependencies in
    :data:`DEPENDENCIES`, the input columns and dtypes, the schema name, the
    outcome kind and horizon, and a SHA-256 digest of the rest of the archive. It
    holds the fitted parameters, which for some models include training-set
    summaries (for example the event times of a Breslow baseline, or a lifelines
    fitter's durations): share it as you would share aggregate results, not as
    anonymous data. The write is atomic (temporary file, then ``os.replace``).

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
    path = check_output_path(path, overwrite=overwrite, what="model file")
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "versions": _versions(),
        "columns": _input_columns(model, cohort),
        "schema_name": getattr(cohort, "schema_name", None),
        **_model_summary(model),
    }
    payload = sio.dumps(_portable(model, {}))
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
        archive.writestr(HEADER, json.dumps(header, indent=2, sort_keys=True))
    write_atomically(path, buffer.getvalue())
    return path


# -- reading -------------------------------------------------------------------------


def _open_checked(path) -> tuple[Path, dict]:
    """Open a model file and check its header and digest; returns (path, header)."""
    path = check_file(path, "model file")
    name = path.name
    with open(path, "rb") as stream:
        start = stream.read(4)
    if not start:
        raise ModelFileError(f"{name} is empty, not a riskml model file. Save the model again.")
    if start != _ZIP_MAGIC:
        if start.startswith(_PICKLE_MAGIC):
            raise ModelFileError(
                f"{name} looks like a Python pickle. riskml never loads pickles: unpickling "
                "can run any code. Nothing was loaded. If you trust its origin, load it in "
                "the session that made it and re-save it with riskml.save_model(model, path)."
            )
        raise ModelFileError(
            f"{name} is not a riskml model file (it is not a zip archive). Nothing was "
            "loaded. Model files are written by riskml.save_model."
        )
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise ModelFileError(
            f"{name} is a damaged or truncated zip archive ({type(error).__name__}). Nothing "
            "was loaded. Copy the file again or save the model again."
        ) from None
    with archive:
        names = set(archive.namelist())
        if HEADER not in names:
            kind = "a skops file" if "schema.json" in names else "a zip archive"
            raise ModelFileError(
                f"{name} is {kind} that riskml.save_model did not write (it has no "
                f"{HEADER}). Nothing was loaded. Save the model with riskml.save_model."
            )
        try:
            header = json.loads(archive.read(HEADER))
        except (ValueError, zipfile.BadZipFile, OSError):
            raise ModelFileError(
                f"{name}: its {HEADER} header is unreadable. Nothing was loaded. Save the "
                "model again."
            ) from None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ModelFileError(
                f"{name} is not a riskml model file (its header does not say {FORMAT!r}). "
                "Nothing was loaded."
            )
        version = header.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise ModelFileError(
                f"{name} uses model-file format {version!r}; this riskml reads format "
                f"{FORMAT_VERSION} and older. Upgrade riskml "
                f"(the file was written by riskml {header.get('versions', {}).get('riskml')})."
            )
        try:
            digest = _digest(archive)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
            raise ModelFileError(
                f"{name} is damaged ({type(error).__name__} while reading it). Nothing was "
                "loaded. Copy the file again or save the model again."
            ) from None
        if digest != header.get("digest_sha256"):
            raise ModelFileError(
                f"{name} was changed after riskml wrote it (its content no longer matches the "
                "digest in its header). Nothing was loaded. Use the original file, or save "
                "the model again."
            )
    return path, header


def read_model_info(path) -> dict:
    """The header of a model file, without loading the model.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    dict
        ``format_version``, ``created_utc``, ``python``, ``versions`` (riskml and
        dependencies), ``columns`` (list of ``{"name", "dtype"}``),
        ``schema_name``, ``model_class``, ``final_estimator``, ``outcome_kind``,
        ``horizon_days`` and ``digest_sha256``.

    Raises
    ------
    ModelFileError
        When the file is not a riskml model file or was changed.
    """
    return _open_checked(path)[1]


def _version_mismatch(header: dict) -> list[str]:
    stored = header.get("versions") or {}
    here = _versions()
    return [
        f"{name} {stored[name]} (installed: {here.get(name, 'absent')})"
        for name in DEPENDENCIES
        if name in stored and stored[name] != here.get(name)
    ]


def load_model(path, *, trusted=None):
    """Load a model saved by :func:`save_model`, refusing anything unsafe.

    Parameters
    ----------
    path : str or path-like
    trusted : list of str, optional
        Extra fully qualified type names to accept (e.g. your own estimator
        class in a pipeline). Only name types whose code you trust.

    Returns
    -------
    model
        The fitted model, with identical predictions to the one saved.

    Raises
    ------
    ModelFileError
        When the file is a pickle (under any name), a zip archive or skops file
        that riskml did not write, damaged, changed after it was written, or
        names a type outside :func:`allowed_types` and ``trusted``. Raised before
        any object from the file is built, so nothing in it runs.

    Warns
    -----
    ModelVersionWarning
        When riskml or a dependency differs from the versions the file was
        written with: predictions may differ; check them, or re-fit.

    Examples
    --------
    >>> import riskml as rk
    >>> model = rk.load_model("cox.riskml")  # doctest: +SKIP
    >>> model.predict_risk(new_patients, horizon=1004)  # doctest: +SKIP
    """
    import skops.io as sio

    path, header = _open_checked(path)
    extra = set(trusted or ())
    if not all(isinstance(t, str) for t in extra):
        raise TypeError("trusted must be a list of fully qualified type names (strings).")
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
        raise ModelFileError(
            f"{path.name} names type(s) outside riskml's allow-list: {shown}. Nothing was "
            "loaded: building them could run code that riskml cannot vouch for. If you wrote "
            "this file yourself with your own estimator, pass trusted=[...] with those names."
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
    except Exception as error:
        raise ModelFileError(
            f"{path.name} could not be rebuilt ({type(error).__name__}: {str(error)[:200]}). "
            "It may come from an incompatible version; re-fit and save the model again."
        ) from error
    model = _restore(model, {})
    if not callable(getattr(model, "predict_risk", None)):
        raise ModelFileError(
            f"{path.name} holds a {type(model).__name__}, not a riskml model with predict_risk."
        )
    return model
