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
XGBoost, lifelines, imbalanced-learn, pgmpy, NumPy and pandas types they wrap.

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
import enum
import errno
import hashlib
import hmac
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

FORMAT = "riskml-model"
FORMAT_VERSION = 1
HEADER = "riskml.json"
SUFFIX = ".riskml"
SIGNATURE = "signature_hmac_sha256"

#: The environment variable ``riskml predict`` and ``riskml validate`` read the
#: signing key from (see :func:`load_model`).
KEY_ENVIRONMENT_VARIABLE = "RISKML_MODEL_KEY"

#: Shortest signing key accepted, in bytes (a key is a secret, not a password).
MIN_KEY_BYTES = 16

#: Most bytes a model file may expand to (all members, uncompressed); checked on
#: the archive's directory before anything is decompressed. ``load_model(...,
#: max_bytes=...)`` raises it for an unusually large model you trust.
MAX_MODEL_BYTES = 2 * 1024**3
#: Most bytes of the ``riskml.json`` header and of skops' ``schema.json``.
MAX_HEADER_BYTES = 16 * 1024**2
MAX_SCHEMA_BYTES = 256 * 1024**2
#: Most members of an archive.
MAX_MEMBERS = 200_000
#: A member larger than 16 MiB that expands more than this many times is refused:
#: riskml's own files compress numeric arrays a few times at most, while a zip
#: bomb (a long run of zeros) expands about a thousand times.
MAX_EXPANSION = 100
_EXPANSION_FLOOR = 16 * 1024**2

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
        # a tuned model's search keeps its folds (row numbers, no values)
        "sklearn.model_selection._split._CVIterableWrapper",
        "imblearn.under_sampling._prototype_selection._random_under_sampler.RandomUnderSampler",
        "imblearn.over_sampling._random_over_sampler.RandomOverSampler",
        "imblearn.over_sampling._smote.base.SMOTE",
        # SVM probabilities (Platt scaling on internal folds) and histogram boosting
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    }
)

#: riskml functions a fitted model may refer to (by name, never called on load).
RISKML_FUNCTIONS = frozenset(
    {
        "riskml.features._preprocessing._as_object_with_nan",
        "riskml.features._preprocessing._as_float",
        "riskml.features._scoring.c_statistic_scorer",
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


class ModelSignatureWarning(UserWarning):
    """A signed model file loaded without its key: the signature was not checked."""


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
        f"{__name__}.{cls.__qualname__}"
        for cls in (_PandasState, _NetworkState, _EnumState, _NeighborsTreeState)
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

#: Attributes of library estimators that hold training patients' rows, and why the
#: estimator needs them: such a model cannot be stored without patient data.
TRAINING_ROWS = {
    "_fit_X": (
        "k-nearest neighbours predict from the training patients themselves, so the "
        "model holds every training patient's (preprocessed) predictor values"
    ),
    "support_vectors_": (
        "a support vector machine predicts from its support vectors, which are training "
        "patients' (preprocessed) predictor values"
    ),
}


class _NeighborsTreeState:
    """A scikit-learn KDTree or BallTree, rebuilt on load from its estimator's rows.

    skops cannot store these Cython trees; the tree is a deterministic function of
    the estimator's ``_fit_X``, ``leaf_size`` and metric, so the same tree (and the
    same neighbours) is built again.
    """

    KINDS = ("KDTree", "BallTree")

    def __init__(self, kind: str):
        self.kind = kind

    def build(self, estimator):
        if self.kind not in self.KINDS:  # the allow-list of trees, checked again
            raise ModelFileError(f"neighbour tree {self.kind!r} is not on the allow-list.")
        from sklearn import neighbors

        return getattr(neighbors, self.kind)(
            estimator._fit_X,
            estimator.leaf_size,
            metric=estimator.effective_metric_,
            **(estimator.effective_metric_params_ or {}),
        )


def _descends(obj) -> bool:
    """Objects whose attributes are converted one by one (not handed to skops whole)."""
    if isinstance(obj, type | types.FunctionType | types.BuiltinFunctionType | types.MethodType):
        return False
    module = type(obj).__module__.split(".")[0]
    return module in _DESCEND and isinstance(getattr(obj, "__dict__", None), dict)


def _is_network(obj) -> bool:
    return type(obj).__module__.startswith("pgmpy.models") and hasattr(obj, "get_cpds")


def _is_neighbors_tree(obj) -> bool:
    return (
        type(obj).__module__.startswith("sklearn.neighbors")
        and type(obj).__name__ in _NeighborsTreeState.KINDS
    )


def _is_sampler(obj) -> bool:
    """imbalanced-learn resamplers: used in fit only, never in prediction."""
    return callable(getattr(obj, "fit_resample", None)) and not hasattr(obj, "predict")


def _state(obj) -> dict:
    """The attributes of ``obj`` that a model file stores.

    An object may say what to store with a ``_model_file_state()`` method (e.g.
    :class:`~riskml.models.CoxPH` leaves out the training durations and events
    its lifelines fitter keeps). A resampler keeps only its settings: its fitted
    state (SMOTE's neighbours hold the minority patients' rows) is not used in
    prediction.
    """
    hook = getattr(type(obj), "_model_file_state", None)
    if callable(hook):
        return dict(hook(obj))
    state = vars(obj)
    if _is_sampler(obj):
        return {k: v for k, v in state.items() if not (k.endswith("_") and not k.endswith("__"))}
    return state


class _Portable:
    """Converts a fitted model into a portable copy and records training rows found."""

    def __init__(self):
        self.memo: dict = {}
        self.training_rows: dict = {}  # id -> (type name, attribute, rows, reason)

    def convert(self, obj):
        key = id(obj)
        memo = self.memo
        if key in memo:
            return memo[key]
        if isinstance(obj, pd.DataFrame | pd.Series | pd.Index):
            out = _PandasState.from_pandas(obj)
        elif _is_network(obj):
            out = _NetworkState.from_network(obj)
        elif _is_neighbors_tree(obj):
            out = _NeighborsTreeState(type(obj).__name__)
        elif isinstance(obj, enum.Enum):
            name = f"{type(obj).__module__}.{type(obj).__qualname__}"
            if name not in ENUMS:
                raise TypeError(
                    f"the model holds an enumeration {name} that riskml cannot store; use "
                    "riskml's own estimators, or save this model with skops.io yourself."
                )
            out = _EnumState(name, obj.value)
        elif type(obj) is list:
            out = []
            memo[key] = out
            out.extend(self.convert(v) for v in obj)
        elif type(obj) is tuple:
            out = tuple(self.convert(v) for v in obj)
        elif type(obj) is dict:
            out = {}
            memo[key] = out
            out.update((k, self.convert(v)) for k, v in obj.items())
        elif _descends(obj):
            out = object.__new__(type(obj))
            memo[key] = out
            state = _state(obj)
            self._note_training_rows(obj, state)
            out.__dict__.update((k, self.convert(v)) for k, v in state.items())
        else:
            out = obj
        memo[key] = out
        return out

    def _note_training_rows(self, obj, state: dict) -> None:
        for attribute, reason in TRAINING_ROWS.items():
            value = state.get(attribute)
            shape = getattr(value, "shape", ())
            if len(shape) == 2 and shape[0] > 0:
                self.training_rows[id(obj)] = (type(obj).__name__, attribute, shape[0], reason)


def _portable(obj, memo: dict):
    """A copy of ``obj`` with pandas objects and pgmpy networks in portable form.

    The model passed to :func:`save_model` is never modified.
    """
    converter = _Portable()
    converter.memo = memo
    return converter.convert(obj)


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
        tree = obj.__dict__.get("_tree")
        if isinstance(tree, _NeighborsTreeState):
            obj.__dict__["_tree"] = tree.build(obj)
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
    """SHA-256 of every member but the header (names and content), read in chunks."""
    sha = hashlib.sha256()
    for name in sorted(archive.namelist()):
        if name == HEADER:
            continue
        sha.update(name.encode("utf-8") + b"\0")
        with archive.open(name) as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                sha.update(chunk)
    return sha.hexdigest()


# -- keys and signatures -------------------------------------------------------------


def _check_key(key, who: str) -> bytes | None:
    """The signing key as bytes (None for no key); refuses what cannot be a key."""
    if key is None:
        return None
    if isinstance(key, str):
        data = key.encode("utf-8")
    elif isinstance(key, bytes | bytearray | memoryview):
        data = bytes(key)
    else:
        raise TypeError(
            f"key of {who} must be a secret string or bytes; got {type(key).__name__}. Fix: "
            "generate one once with secrets.token_hex(32), keep it out of the model's folder, "
            f"and pass it as key=... (or set {KEY_ENVIRONMENT_VARIABLE} for the command line)."
        )
    if len(data) < MIN_KEY_BYTES:
        raise ValueError(
            f"key of {who} has {len(data)} byte(s); a signing key needs at least "
            f"{MIN_KEY_BYTES} (a short key can be guessed, and then edits go undetected). "
            "Fix: generate one with secrets.token_hex(32) and use it to save and to load."
        )
    return data


def _signature(header: dict, key: bytes) -> str:
    """HMAC-SHA256 of the header (which holds the digest of every other member)."""
    body = {k: v for k, v in header.items() if k != SIGNATURE}
    message = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=True)
    return hmac.new(key, b"riskml-model\0" + message.encode("utf-8"), hashlib.sha256).hexdigest()


def _check_signature(name: str, header: dict, key: bytes | None, *, warn: bool) -> None:
    stored = header.get(SIGNATURE)
    if key is None:
        if stored is not None and warn:
            warnings.warn(
                f"{name} is signed, but no key was given, so its signature was not checked "
                "(only its digest, which detects accidental damage, not an edit). Pass "
                f"key=... (or set {KEY_ENVIRONMENT_VARIABLE} for the command line) to check it.",
                ModelSignatureWarning,
                stacklevel=3,
            )
        return
    if stored is None:
        raise ModelFileError(
            f"{name} is not signed, but a key was given: riskml loads only signed files when "
            "it has a key (a signature is easy to strip, so an unsigned file proves nothing). "
            "Nothing was loaded. Fix: sign the model when saving it, "
            "save_model(model, path, key=...), or load it without a key if you accept an "
            "unsigned file."
        )
    if not isinstance(stored, str) or not hmac.compare_digest(stored, _signature(header, key)):
        raise ModelFileError(
            f"{name}: its signature does not match this key. The file was edited after it "
            "was signed (its coefficients, its header or its digest), or it was signed with "
            "another key. Nothing was loaded. Fix: use the original file and the key it was "
            "signed with, or save the model again."
        )


# -- trusted type names ----------------------------------------------------------------

#: Modules whose functions and classes can run commands, open files or load code:
#: never trusted, whatever ``trusted=`` says.
NEVER_TRUSTED = (
    "builtins",
    "os",
    "posix",
    "nt",
    "subprocess",
    "sys",
    "shutil",
    "importlib",
    "pickle",
    "_pickle",
    "marshal",
    "socket",
    "ctypes",
    "runpy",
    "code",
    "codeop",
    "pty",
    "io",
    "_io",
    "pathlib",
    "tempfile",
    "webbrowser",
    "multiprocessing",
    "operator",
    "functools",
    "types",
    "codecs",
    "platform",
    "shelve",
    "urllib",
    "http",
    "ftplib",
    "smtplib",
    "asyncio",
    "threading",
    "signal",
    "joblib",
    "dill",
    "cloudpickle",
)


def _never_trusted(name: str) -> bool:
    top = name.split(".")[0]
    return top in NEVER_TRUSTED or "." not in name


def _check_trusted(trusted) -> set:
    """``trusted`` as a set of fully qualified type names, or an error with the fix."""
    if trusted is None:
        return set()
    if isinstance(trusted, str | bytes):
        shown = trusted if isinstance(trusted, str) else trusted.decode("utf-8", "replace")
        raise TypeError(
            f"trusted must be a list of fully qualified type names; got the string "
            f"{shown[:80]!r}, which would be read letter by letter. Fix: "
            f"trusted=[{shown[:80]!r}]."
        )
    if isinstance(trusted, dict) or not isinstance(trusted, list | tuple | set | frozenset):
        raise TypeError(
            "trusted must be a list of fully qualified type names, e.g. "
            f"trusted=['mypackage.models.MyEstimator']; got {type(trusted).__name__}."
        )
    names = set()
    for item in trusted:
        if not isinstance(item, str):
            raise TypeError(
                "trusted must hold type names as strings, e.g. 'mypackage.models.MyEstimator'; "
                f"it holds a {type(item).__name__}. Fix: pass f'{{cls.__module__}}."
                "{cls.__qualname__}' for a class cls."
            )
        item = item.strip()
        if not item or "." not in item or any(c.isspace() for c in item):
            raise ValueError(
                f"trusted holds {item[:80]!r}, which is not a fully qualified type name "
                "(module.Name, e.g. 'mypackage.models.MyEstimator'). Fix: copy the name from "
                "load_model's refusal message."
            )
        if _never_trusted(item):
            raise ValueError(
                f"trusted names {item[:80]!r}: functions and classes of {item.split('.')[0]!r} "
                "can run commands, open files or load code, so riskml never builds them from "
                "a file, whatever trusted= says. A model file that needs them is not a model: "
                "do not use it. Fix: remove that name from trusted."
            )
        names.add(item)
    return names


# -- bounded reading -----------------------------------------------------------------


def _size(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"  # pragma: no cover


def _check_members(archive: zipfile.ZipFile, name: str, max_bytes: int) -> None:
    """Refuse an archive that would expand too far, before anything is decompressed.

    The sizes come from the archive's directory; Python's zipfile never returns more
    bytes than a member declares (it fails on the CRC instead), so these checks bound
    the memory and time of everything that follows.
    """
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ModelFileError(
            f"{name} has {len(infos):,} members, more than any riskml model file "
            f"({MAX_MEMBERS:,}). Nothing was loaded. Use the original file or save the model "
            "again."
        )
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})[:3]
        raise ModelFileError(
            f"{name} holds members stored twice under one name ({twice}), which riskml never "
            "writes: one copy could hide another. Nothing was loaded. Use the original file "
            "or save the model again."
        )
    total = 0
    for info in infos:
        size = int(info.file_size)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ModelFileError(
                f"{name}: member {info.filename[:80]!r} uses a compression method riskml never "
                f"writes (zip method {info.compress_type}). Nothing was loaded. Use the "
                "original file or save the model again."
            )
        if size > _EXPANSION_FLOOR and size > MAX_EXPANSION * max(int(info.compress_size), 1):
            raise ModelFileError(
                f"{name}: member {info.filename[:80]!r} would expand from "
                f"{_size(info.compress_size)} to {_size(size)} "
                f"({size / max(info.compress_size, 1):,.0f} times), the mark of a zip bomb; "
                "riskml's model files never expand that much. Nothing was decompressed or "
                "loaded. Use the original file or save the model again."
            )
        limit = MAX_HEADER_BYTES if info.filename == HEADER else MAX_SCHEMA_BYTES
        if info.filename.endswith(".json") and size > limit:
            raise ModelFileError(
                f"{name}: its {info.filename[:80]!r} would be {_size(size)}, more than riskml "
                f"reads ({_size(limit)}). Nothing was decompressed or loaded. Use the original "
                "file or save the model again."
            )
        total += size
        if total > max_bytes:
            raise ModelFileError(
                f"{name} would expand to more than {_size(max_bytes)} (the limit of what riskml "
                "reads from a model file, checked before decompressing anything). Nothing was "
                "loaded. Fix: use the original file; if you trust an unusually large model, pass "
                "load_model(path, max_bytes=...) with a larger limit."
            )


def _check_max_bytes(max_bytes) -> int:
    if max_bytes is None:
        return MAX_MODEL_BYTES
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int | np.integer) or max_bytes < 1:
        raise ValueError(
            f"max_bytes must be a positive whole number of bytes, e.g. {MAX_MODEL_BYTES}; got "
            f"{max_bytes!r}."
        )
    return int(max_bytes)


# -- writing -------------------------------------------------------------------------


def _existing_ancestor(folder: Path) -> Path:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def check_output_path(
    path, *, overwrite: bool = False, what: str = "file", create_parents: bool = False
) -> Path:
    """Check that ``path`` can be written: parent folder present and writable, no
    existing file or symlink there unless ``overwrite``.

    Parameters
    ----------
    path : str or path-like
    overwrite : bool, default=False
    what : str
        What is written, for the messages (e.g. ``"model file"``).
    create_parents : bool, default=False
        Accept a missing parent folder when the nearest existing one is writable:
        :func:`write_atomically` creates it when the output is complete (and removes
        it again if the write fails), so a failed run leaves no empty folder.

    Returns
    -------
    pathlib.Path
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(
            f"path must be a file path (str or pathlib.Path); got {type(path).__name__}."
        )
    if str(path) == "" or str(path).endswith(("/", os.sep)) and not Path(path).exists():
        raise ValueError(
            f"{str(path)!r} is not a file name; give the {what} a file name, e.g. "
            f"{('model' + SUFFIX) if what == 'model file' else 'out.csv'!r}."
        )
    path = Path(path)
    if path.is_symlink() and not overwrite:
        raise FileExistsError(
            f"{str(path)!r} is a symbolic link; riskml does not write through links. Choose "
            f"another path for the {what}, or pass overwrite=True to replace the link itself "
            "(its target is left alone)."
        )
    if path.exists() and not path.is_symlink() and not path.is_dir() and not path.is_file():
        raise FileExistsError(
            f"{str(path)!r} is not a regular file (a device, a pipe or a socket); riskml writes "
            f"regular files only, and never replaces such an entry. Choose another path for the "
            f"{what}."
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
        ancestor = _existing_ancestor(parent)
        if ancestor.exists() and not ancestor.is_dir():
            raise NotADirectoryError(
                f"the {what} {str(path)!r} cannot be written: {str(ancestor)!r} is a file, not "
                "a folder. Choose a path inside a folder."
            )
        if not create_parents:
            raise FileNotFoundError(
                f"the folder {str(parent)!r} for the {what} does not exist; create it first."
            )
        parent = ancestor
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PermissionError(
            f"the folder {str(parent)!r} is not writable; choose a folder you can write to for "
            f"the {what}."
        )
    return path


_WRITE_REASONS = {
    errno.ENOSPC: ("the disk is full", "free some space, or choose a folder on another disk"),
    errno.EDQUOT: ("the disk quota is exceeded", "free some space, or choose another folder"),
    errno.EFBIG: ("the file is too large for this file system", "choose another folder"),
    errno.EROFS: ("the file system is read-only", "choose a folder you can write to"),
    errno.EACCES: ("permission denied", "choose a folder you can write to"),
    errno.EPERM: ("the operation is not permitted", "choose a folder you can write to"),
    errno.ENOENT: ("its folder disappeared while riskml was writing", "create it again"),
    errno.ENOTDIR: ("a part of the path is a file, not a folder", "choose another path"),
    errno.ENAMETOOLONG: ("the file name is too long", "choose a shorter name"),
    errno.EIO: ("the device reported an input/output error", "check the disk"),
}


def _write_error(error: OSError, path: Path, what: str) -> OSError:
    code = getattr(error, "errno", None)
    reason, fix = _WRITE_REASONS.get(
        code, (str(getattr(error, "strerror", None) or error), "choose another folder")
    )
    label = errno.errorcode.get(code, "") if code is not None else ""
    from .errors import WriteError

    return WriteError(
        f"could not write the {what} {str(path)!r}: {reason}"
        + (f" ({label})" if label else "")
        + ". Nothing was written: the partial file was removed, and any folder made for it. "
        f"Fix: {fix} (--out on the command line).",
        errno=code,
        filename=path,
    )


def _make_folders(folder: Path) -> list[Path]:
    """Create ``folder`` and missing ancestors; returns those created, outermost first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    created = []
    for item in reversed(missing):
        try:
            item.mkdir()
        except FileExistsError:
            continue  # another run made it meanwhile
        created.append(item)
    return created


def _remove_folders(created: list[Path]) -> None:
    for folder in reversed(created):
        with contextlib.suppress(OSError):
            folder.rmdir()  # only if still empty


def _place(temporary: str, path: Path, data: bytes, overwrite: bool, mode=None) -> None:
    """Move a complete temporary file to ``path``; never replaces unless ``overwrite``.

    Without ``overwrite`` the file is linked into place (``os.link`` fails if the
    name exists, atomically), so two runs writing the same path never replace
    each other. File systems without hard links get an exclusive create instead.
    """
    if overwrite:
        os.replace(temporary, path)  # swaps the entry: a symbolic link is replaced, not followed
        return
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise
    except OSError as error:
        unsupported = {errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOSYS, errno.EOPNOTSUPP}
        if error.errno not in unsupported:
            raise
        handle = os.open(
            path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if mode is None else mode
        )
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(path)
            raise
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary)


def write_atomically(
    path, data: bytes, *, overwrite: bool = False, what: str = "file", mode: int | None = None
) -> None:
    """Write ``data`` to a temporary file beside ``path``, then move it into place.

    A crash, an interrupt, a full disk or a read-only folder leaves no partial
    file: the temporary file (and any folder created for it) is removed. Without
    ``overwrite`` the file is linked into place only if ``path`` does not exist at
    that moment (an atomic check): a file another run wrote meanwhile is never
    replaced, and ``FileExistsError`` says so.

    Parameters
    ----------
    path : path-like
    data : bytes
    overwrite : bool, default=False
        Replace an existing file (``os.replace``; a symbolic link is replaced,
        its target left alone).
    what : str
        What is written, for the messages.
    mode : int, optional
        Permission bits of the file (default: 0o600, private to the user).

    Raises
    ------
    FileExistsError
        ``path`` exists (another run wrote it after this one checked it).
    riskml.errors.WriteError
        An ``OSError`` (disk full, read-only, permission) with one message that
        names the path and the fix.
    """
    write_files_atomically([(path, data)], overwrite=overwrite, what=what, mode=mode)


def write_files_atomically(
    items, *, overwrite: bool = False, what: str = "files", mode: int | None = None
) -> None:
    """Write several files as one unit: all of them, or none (see :func:`write_atomically`).

    Parameters
    ----------
    items : list of (path-like, bytes)
    overwrite : bool, default=False
    what : str
        What is written, for the messages.
    mode : int, optional
        Permission bits of the files (default: 0o600).
    """
    items = [(Path(path), data) for path, data in items]
    created: list[Path] = []
    temporaries: list[str] = []
    placed: list[Path] = []
    current = items[0][0]
    try:
        for path, _ in items:
            current = path
            created += _make_folders(path.parent)
        for path, data in items:
            current = path
            handle, temporary = tempfile.mkstemp(
                prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
            )
            temporaries.append(temporary)
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            if mode is not None:
                os.chmod(temporary, mode)
        for (path, data), temporary in zip(items, temporaries, strict=True):
            current = path
            existed = path.exists() or path.is_symlink()
            _place(temporary, path, data, overwrite, mode)
            if not existed:
                placed.append(path)
    except BaseException as error:
        for temporary in temporaries:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        for path in placed:
            with contextlib.suppress(OSError):
                os.unlink(path)
        _remove_folders(created)
        if isinstance(error, FileExistsError):
            raise FileExistsError(
                f"{str(current)!r} was written by another run while this one was running (it "
                f"did not exist when this run checked it); riskml does not replace it. This "
                f"{what} was not written"
                + (
                    f", nor {', '.join(repr(str(p)) for p, _ in items if p != current)}"
                    if len(items) > 1
                    else ""
                )
                + ". Fix: run again with another output name or folder, or pass overwrite=True "
                "(--overwrite) to replace it."
            ) from None
        if isinstance(error, OSError):
            raise _write_error(error, current, what) from error
        raise


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
        :func:`riskml.deployment.input_profile`: per numeric input its minimum,
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
        from .deployment import input_profile

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


# -- reading -------------------------------------------------------------------------


def _open_checked(path, *, key=None, max_bytes=None, warn=False) -> tuple[Path, dict]:
    """Open a model file and check its sizes, header, digest and signature."""
    max_bytes = _check_max_bytes(max_bytes)
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
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise ModelFileError(
            f"{name} is a damaged or truncated zip archive ({type(error).__name__}). Nothing "
            "was loaded. Copy the file again or save the model again."
        ) from None
    with archive:
        _check_members(archive, name, max_bytes)
        names = set(archive.namelist())
        if HEADER not in names:
            kind = "a skops file" if "schema.json" in names else "a zip archive"
            raise ModelFileError(
                f"{name} is {kind} that riskml.save_model did not write (it has no "
                f"{HEADER}). Nothing was loaded. Save the model with riskml.save_model."
            )
        try:
            header = json.loads(archive.read(HEADER))
        except (ValueError, zipfile.BadZipFile, OSError, EOFError, RecursionError):
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
            versions = header.get("versions")
            written = versions.get("riskml") if isinstance(versions, dict) else None
            raise ModelFileError(
                f"{name} uses model-file format {version!r}; this riskml reads format "
                f"{FORMAT_VERSION} and older. Upgrade riskml "
                f"(the file was written by riskml {written})."
            )
        _check_header_fields(name, header)
        try:
            digest = _digest(archive)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
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
        _check_signature(name, header, key, warn=warn)
    return path, header


def _check_header_fields(name: str, header: dict) -> None:
    """Refuse a header whose fields have the wrong types (an edited or foreign header)."""

    def bad(field, expected):
        raise ModelFileError(
            f"{name}: its {HEADER} header is malformed ({field!r} must be {expected}). Nothing "
            "was loaded. Use the original file, or save the model again."
        )

    columns = header.get("columns", [])
    if not isinstance(columns, list) or not all(
        isinstance(c, dict)
        and isinstance(c.get("name"), str)
        and isinstance(c.get("dtype", ""), str | None)
        for c in columns
    ):
        bad("columns", "a list of {name, dtype} entries")
    horizon = header.get("horizon_days")
    if horizon is not None and (
        isinstance(horizon, bool)
        or not isinstance(horizon, int | float)
        or not np.isfinite(horizon)
        or horizon <= 0
    ):
        bad("horizon_days", "a positive number of days or null")
    if header.get("outcome_kind") not in (None, "binary", "survival", "any"):
        bad("outcome_kind", "'binary', 'survival' or null")
    for field in ("schema_name", "final_estimator", "model_class", "created_utc"):
        if header.get(field) is not None and not isinstance(header[field], str):
            bad(field, "text or null")
    for field in ("versions", "inputs"):
        if header.get(field) is not None and not isinstance(header[field], dict):
            bad(field, "a mapping")
    inputs = header.get("inputs") or {}
    if not isinstance(inputs.get("columns", {}), dict) or not isinstance(
        inputs.get("followup", {}) or {}, dict
    ):
        bad("inputs", "a mapping of columns and follow-up")

    def number(value) -> bool:
        return value is None or (isinstance(value, int | float) and not isinstance(value, bool))

    for value in inputs.get("columns", {}).values():
        if not isinstance(value, dict):
            bad("inputs", "a mapping of column descriptions")
        for key in ("min", "max", "low", "high", "median", "missing"):
            if not number(value.get(key)):
                bad(f"inputs.{key}", "a number or null")
        levels = value.get("levels", [])
        if not isinstance(levels, list) or not all(isinstance(v, str) for v in levels):
            bad("inputs.levels", "a list of text")
        hard = value.get("hard_range")
        if hard is not None and not (
            isinstance(hard, list)
            and len(hard) == 2
            and all(number(v) and v is not None for v in hard)
        ):
            bad("inputs.hard_range", "two numbers")
        conversions = value.get("conversions", [])
        if not isinstance(conversions, list) or not all(
            isinstance(c, dict)
            and isinstance(c.get("unit"), str)
            and number(c.get("factor"))
            and c.get("factor")
            for c in conversions
        ):
            bad("inputs.conversions", "a list of {unit, factor}")
    followup = inputs.get("followup") or {}
    for key, value in followup.items():
        if not number(value):
            bad(f"inputs.followup.{key}", "a number or null")


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
