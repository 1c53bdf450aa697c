"""Portable state: what skops does not store natively (pandas objects, pgmpy networks,
enumerations, scikit-learn's neighbour trees) as plain values, and the model rebuilt from
them on load.

The classes holding that state are recorded in model files by type name; they keep the
name ``riskml.persistence.<class>`` that every file written so far records (see the end
of this module), whatever module defines them.
"""

from __future__ import annotations

import enum
import importlib
import types
import warnings

import numpy as np
import pandas as pd

from ._format import ModelFileError

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


def _family_classes() -> frozenset:
    """The classes of the registered model families (a user's family included)."""
    from ..models import model_specs

    return frozenset(cls for spec in model_specs() for cls in spec.classes)


def _descends(obj, family_classes: frozenset = frozenset()) -> bool:
    """Objects whose attributes are converted one by one (not handed to skops whole):
    those of riskml and the libraries it builds on, and the classes of a model family
    registered from outside riskml (``family_classes``)."""
    if isinstance(obj, type | types.FunctionType | types.BuiltinFunctionType | types.MethodType):
        return False
    module = type(obj).__module__.split(".")[0]
    return (module in _DESCEND or type(obj) in family_classes) and isinstance(
        getattr(obj, "__dict__", None), dict
    )


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
        self.family_classes = _family_classes()

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
        elif _descends(obj, self.family_classes):
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


def _restore(obj, memo: dict, family_classes: frozenset | None = None):
    """Rebuild pandas objects and networks in a freshly loaded object graph (in place)."""
    if family_classes is None:
        family_classes = _family_classes()
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
        obj[:] = [_restore(v, memo, family_classes) for v in obj]
    elif type(obj) is tuple:
        out = tuple(_restore(v, memo, family_classes) for v in obj)
    elif type(obj) is dict:
        memo[key] = out = obj
        for k in list(obj):
            obj[k] = _restore(obj[k], memo, family_classes)
    elif _descends(obj, family_classes):
        memo[key] = out = obj
        for k, v in list(vars(obj).items()):
            obj.__dict__[k] = _restore(v, memo, family_classes)
        tree = obj.__dict__.get("_tree")
        if isinstance(tree, _NeighborsTreeState):
            obj.__dict__["_tree"] = tree.build(obj)
    else:
        out = obj
    memo[key] = out
    return out


# Model files record these classes by type name, and the name has been
# ``riskml.persistence.<class>`` since the first file was written: keep it (the package
# re-exports them there), so that files written before and after this module existed
# load alike.
for _stored in (_PandasState, _NetworkState, _EnumState, _NeighborsTreeState):
    _stored.__module__ = "riskml.persistence"
del _stored
