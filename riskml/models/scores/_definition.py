"""Published models as data: read and check a model file (YAML), once, into a definition.

A file holds the inputs (type, unit, plausible range), the terms (one formula each,
:mod:`._expressions`), the link and one coefficient table per equation (selected by
category inputs such as sex and race). Every rule broken is reported with the key
that breaks it and how to fix it; nothing is guessed. ``docs/reference_scores.md``
describes the format.
"""

from __future__ import annotations

import keyword
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product
from pathlib import Path

from ._expressions import FormulaError, parse_formula

__all__ = [
    "BUNDLED_FOLDER",
    "Equation",
    "InputSpec",
    "ModelDefinition",
    "PublishedModelError",
    "bundled_names",
    "load_definition",
]

BUNDLED_FOLDER = Path(__file__).parent / "published"
SCHEMA_KEY = "riskml_published_model"
DAYS_PER_YEAR = 365.25
_TOP = {
    SCHEMA_KEY: "the format version, 1",
    "name": "a short identifier, e.g. pce",
    "title": "one line naming the paper and the model",
    "outcome": "the predicted event",
    "population": "the derivation cohort",
    "citation": "the paper",
    "source": "where the coefficients are printed (table, page)",
    "horizon_years": "the horizon of the published risk, in years",
    "link": "'cox' (1 - S0 ** exp(lp - mean)) or 'logistic' (expit(intercept + lp))",
    "inputs": "a mapping input name -> {type, unit, range, ...}",
    "terms": "a mapping term name -> formula",
    "equations": "a list of coefficient tables",
}
_OPTIONAL_TOP = {"notes": "free text", "range_source": "what the input ranges are"}
_INPUT_KEYS = {
    "type",
    "unit",
    "range",
    "median_range",
    "units",
    "levels",
    "aliases",
    "flag_level",
    "description",
}
_EQUATION_KEYS = {
    "when",
    "label",
    "coefficients",
    "terms",
    "baseline_survival",
    "mean",
    "intercept",
}


class PublishedModelError(ValueError):
    """A published-model file that breaks a rule of the format (the message names the key).

    Examples
    --------
    >>> from riskml.models import PublishedModelError, published_model
    >>> try:
    ...     published_model("no_such_file.yaml")
    ... except PublishedModelError as error:
    ...     print(error)  # doctest: +ELLIPSIS
    no published-model file at '...no_such_file.yaml'.
    """


@dataclass(frozen=True)
class InputSpec:
    """One input: ``kind`` is "number", "flag" or "category"."""

    name: str
    kind: str
    unit: str = ""
    range: tuple | None = None
    median_range: tuple | None = None
    units: Mapping = field(default_factory=dict)
    levels: tuple = ()
    aliases: Mapping = field(default_factory=dict)
    flag_level: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Equation:
    """One coefficient table and the category levels it applies to."""

    label: str
    when: Mapping
    coefficients: Mapping
    terms: Mapping  # term name -> Formula, the model's terms with this equation's overrides
    baseline_survival: float | None = None
    mean: float | None = None
    intercept: float | None = None

    def applies(self, levels: Mapping) -> bool:
        """Whether the equation is the one for a patient with these category levels."""
        return all(levels[name] in allowed for name, allowed in self.when.items())


@dataclass(frozen=True)
class ModelDefinition:
    """A checked published model: metadata, inputs, equations."""

    name: str
    title: str
    outcome: str
    population: str
    citation: str
    source: str
    horizon_years: float
    link: str
    inputs: Mapping
    equations: tuple
    notes: str = ""
    range_source: str = ""

    @property
    def horizon_days(self) -> float:
        """The horizon of the published risk in days (365.25 per year)."""
        return self.horizon_years * DAYS_PER_YEAR

    @property
    def categories(self) -> tuple:
        """The category inputs, in file order."""
        return tuple(n for n, spec in self.inputs.items() if spec.kind == "category")

    @property
    def term_names(self) -> tuple:
        """Every term with a coefficient in some equation, in file order."""
        names = {}
        for equation in self.equations:
            names.update(dict.fromkeys(n for n in equation.terms if n in equation.coefficients))
        return tuple(names)


def bundled_names() -> tuple:
    """Names of the model files shipped with riskml (``riskml/models/scores/published``).

    Examples
    --------
    >>> from riskml.models.scores import bundled_names
    >>> bundled_names()  # doctest: +NORMALIZE_WHITESPACE
    ('atp3_hard_chd', 'dagostino2008_bmi', 'dagostino2008_lipid', 'pce', 'prevent_cvd_10y',
     'wilson1998_ldl', 'wilson1998_tc')
    """
    return tuple(sorted(path.stem for path in BUNDLED_FOLDER.glob("*.yaml")))


def load_definition(model) -> ModelDefinition:
    """The checked definition of a bundled name, a ``.yaml`` path or a mapping.

    Raises
    ------
    PublishedModelError
        For a file that breaks a rule (naming the key and the fix), or an unknown name.
    """
    if isinstance(model, Mapping):
        return _definition(dict(model), "the model mapping")
    if isinstance(model, Path) or (isinstance(model, str) and model.endswith((".yaml", ".yml"))):
        path = Path(model).expanduser().resolve()
        if not path.is_file():
            raise PublishedModelError(f"no published-model file at {str(path)!r}.")
        return _cached_file(str(path), path.stat().st_mtime_ns)
    if isinstance(model, str):
        path = BUNDLED_FOLDER / f"{model}.yaml"
        if not path.is_file():
            raise PublishedModelError(
                f"unknown published model {model!r}; bundled: {list(bundled_names())}, or pass "
                "the path of a .yaml file."
            )
        return _cached_file(str(path), path.stat().st_mtime_ns)
    raise TypeError(
        "a published model is a bundled name (str), a path to a .yaml file or a mapping; got "
        f"{type(model).__name__}."
    )


@lru_cache(maxsize=64)
def _cached_file(path: str, mtime_ns: int) -> ModelDefinition:
    import yaml

    try:
        content = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise PublishedModelError(f"{path}: not valid YAML ({error}).") from None
    return _definition(content, path)


def _definition(content, where: str) -> ModelDefinition:
    if not isinstance(content, Mapping):
        raise PublishedModelError(
            f"{where}: a published model is a YAML mapping with the keys {list(_TOP)}."
        )
    _check_keys(content, set(_TOP), set(_OPTIONAL_TOP), where, "the top level", _TOP)
    if content[SCHEMA_KEY] != 1:
        raise PublishedModelError(
            f"{where}: {SCHEMA_KEY} is {content[SCHEMA_KEY]!r}; this riskml reads version 1."
        )
    text = {k: _text(content, k, where) for k in ("name", "title", "outcome", "population")}
    horizon = _number(content["horizon_years"], f"{where}: horizon_years", positive=True)
    link = content["link"]
    if link not in ("cox", "logistic"):
        raise PublishedModelError(
            f"{where}: link is {link!r}; write 'cox' (risk = 1 - baseline_survival ** exp(lp - "
            "mean)) or 'logistic' (risk = expit(intercept + lp))."
        )
    inputs = _inputs(content["inputs"], where)
    terms = _terms(content["terms"], inputs, where, "terms")
    equations = _equations(content["equations"], inputs, terms, link, where)
    return ModelDefinition(
        citation=_text(content, "citation", where),
        source=_text(content, "source", where),
        horizon_years=horizon,
        link=link,
        inputs=inputs,
        equations=equations,
        notes=str(content.get("notes", "")),
        range_source=str(content.get("range_source", "")),
        **text,
    )


def _check_keys(mapping, required, optional, where, what, meaning=None) -> None:
    unknown = sorted(set(mapping) - required - optional)
    if unknown:
        raise PublishedModelError(
            f"{where}: unknown key(s) {unknown} in {what}; the keys are "
            f"{sorted(required | optional)}."
        )
    missing = [k for k in sorted(required) if k not in mapping]
    if missing:
        hint = "" if meaning is None else f" ({meaning[missing[0]]})"
        raise PublishedModelError(
            f"{where}: {what} lacks the key(s) {missing}; add {missing[0]}{hint}."
        )


def _text(content, key, where) -> str:
    value = content[key]
    if not isinstance(value, str) or not value.strip():
        raise PublishedModelError(f"{where}: {key} must be non-empty text; got {value!r}.")
    return value.strip()


def _number(value, where, *, positive=False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise PublishedModelError(f"{where} must be a finite number; got {value!r}.")
    if positive and value <= 0:
        raise PublishedModelError(f"{where} must be > 0; got {value!r}.")
    return float(value)


def _identifier(name, where) -> None:
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise PublishedModelError(
            f"{where}: {name!r} is not a valid name; use letters, digits and _ (e.g. ln_age)."
        )
    if name in ("log", "exp", "min", "max", "bin"):
        raise PublishedModelError(f"{where}: {name!r} is a function of the formulas; rename it.")


def _pair(value, where):
    if value is None:
        return None
    ok = isinstance(value, (list, tuple)) and len(value) == 2
    if ok:
        low, high = value
        low = -math.inf if low is None else _number(low, where)
        high = math.inf if high is None else _number(high, where)
        ok = low < high
    if not ok:
        raise PublishedModelError(f"{where} must be [low, high] with low < high; got {value!r}.")
    return (low, high)


def _inputs(section, where) -> dict:
    if not isinstance(section, Mapping) or not section:
        raise PublishedModelError(f"{where}: inputs must be a non-empty mapping name -> spec.")
    inputs = {}
    for name, spec in section.items():
        at = f"{where}: inputs.{name}"
        _identifier(name, f"{where}: inputs")
        if not isinstance(spec, Mapping):
            raise PublishedModelError(f"{at} must be a mapping with 'type'; got {spec!r}.")
        _check_keys(spec, {"type"}, _INPUT_KEYS - {"type"}, where, f"inputs.{name}")
        inputs[name] = _input(name, spec, at)
    return inputs


def _input(name, spec, at) -> InputSpec:
    kind = spec["type"]
    if kind == "number":
        units = dict(spec.get("units") or {})
        for unit, factor in units.items():
            _number(
                factor, f"{at}.units[{unit!r}] (the factor to {spec.get('unit')})", positive=True
            )
        if "unit" not in spec:
            raise PublishedModelError(f"{at} lacks 'unit'; write the unit the formulas take.")
        return InputSpec(
            name,
            "number",
            unit=str(spec["unit"]),
            range=_pair(spec.get("range"), f"{at}.range"),
            median_range=_pair(spec.get("median_range"), f"{at}.median_range"),
            units=units,
            description=str(spec.get("description", "")),
        )
    if kind == "flag":
        return InputSpec(name, "flag", unit="0/1", description=str(spec.get("description", "")))
    if kind == "category":
        levels = spec.get("levels")
        if (
            not isinstance(levels, list)
            or len(levels) < 2
            or len(set(map(str, levels))) < len(levels)
        ):
            raise PublishedModelError(f"{at}.levels must list two or more distinct levels.")
        levels = tuple(str(level) for level in levels)
        aliases = {str(k).strip().lower(): str(v) for k, v in (spec.get("aliases") or {}).items()}
        wrong = sorted(v for v in aliases.values() if v not in levels)
        flag_level = spec.get("flag_level")
        if wrong or (flag_level is not None and (flag_level not in levels or len(levels) != 2)):
            raise PublishedModelError(
                f"{at}: aliases and flag_level must name levels of {list(levels)} (flag_level "
                f"only for two levels); got {wrong or flag_level!r}."
            )
        return InputSpec(
            name,
            "category",
            unit="level",
            levels=levels,
            aliases=aliases,
            flag_level=flag_level,
            description=str(spec.get("description", "")),
        )
    raise PublishedModelError(f"{at}.type is {kind!r}; write 'number', 'flag' or 'category'.")


def _terms(section, inputs, where, key, base=None) -> dict:
    if not isinstance(section, Mapping) or (base is None and not section):
        raise PublishedModelError(f"{where}: {key} must be a mapping term name -> formula.")
    numbers = {n for n, spec in inputs.items() if spec.kind != "category"}
    categories = {n: spec.levels for n, spec in inputs.items() if spec.kind == "category"}
    terms = dict(base or {})
    known = numbers | set(base or {})
    for name, text in section.items():
        _identifier(name, f"{where}: {key}")
        if name in inputs and str(text).strip() != name:
            raise PublishedModelError(
                f"{where}: {key}.{name} shares the name of an input but is not that input; "
                "rename the term."
            )
        if base is not None and name not in base:
            raise PublishedModelError(
                f"{where}: {key}.{name} overrides no term of the model; add it to the model's "
                "terms first (the override only changes its formula in this equation)."
            )
        try:
            own = known if name in inputs else known - {name}  # a term cannot read itself
            terms[name] = parse_formula(text, numbers=own, categories=categories)
        except FormulaError as error:
            raise PublishedModelError(f"{where}: {key}.{name}: {error}") from None
        known.add(name)
    return terms


def _equations(section, inputs, terms, link, where) -> tuple:
    if not isinstance(section, list) or not section:
        raise PublishedModelError(f"{where}: equations must be a non-empty list.")
    equations = [
        _equation(index, table, inputs, terms, link, where) for index, table in enumerate(section)
    ]
    _check_cover(equations, inputs, where)
    return tuple(equations)


def _equation(index, table, inputs, terms, link, where) -> Equation:
    at = f"equations[{index}]"
    if not isinstance(table, Mapping):
        raise PublishedModelError(f"{where}: {at} must be a mapping with 'coefficients'.")
    constants = {"cox": {"baseline_survival", "mean"}, "logistic": {"intercept"}}[link]
    other = {"baseline_survival", "mean", "intercept"} - constants
    _check_keys(table, {"coefficients"} | constants, _EQUATION_KEYS - other, where, at)
    when = _when(table.get("when") or {}, inputs, where, at)
    own = _terms(table.get("terms") or {}, inputs, where, f"{at}.terms", base=terms)
    coefficients = table["coefficients"]
    if not isinstance(coefficients, Mapping) or not coefficients:
        raise PublishedModelError(f"{where}: {at}.coefficients must map term names to numbers.")
    unknown = sorted(set(coefficients) - set(own))
    if unknown:
        raise PublishedModelError(
            f"{where}: {at}.coefficients names {unknown}, which are not terms; define them under "
            f"terms (known terms: {sorted(own)})."
        )
    betas = {t: _number(b, f"{where}: {at}.coefficients.{t}") for t, b in coefficients.items()}
    values = {k: _number(table[k], f"{where}: {at}.{k}") for k in constants}
    s0 = values.get("baseline_survival")
    if s0 is not None and not 0 < s0 < 1:
        raise PublishedModelError(
            f"{where}: {at}.baseline_survival must lie in (0, 1) (S0 at the horizon); got {s0}."
        )
    label = str(table.get("label") or ", ".join(f"{k}={v}" for k, v in when.items()) or "all")
    return Equation(label=label, when=when, coefficients=betas, terms=own, **values)


def _when(when, inputs, where, at) -> dict:
    if not isinstance(when, Mapping):
        raise PublishedModelError(f"{where}: {at}.when must map category inputs to levels.")
    out = {}
    for name, levels in when.items():
        spec = inputs.get(name)
        if spec is None or spec.kind != "category":
            raise PublishedModelError(
                f"{where}: {at}.when.{name}: only category inputs select an equation; "
                f"declare {name} with type: category."
            )
        chosen = tuple(map(str, levels if isinstance(levels, list) else [levels]))
        wrong = [level for level in chosen if level not in spec.levels]
        if wrong:
            raise PublishedModelError(
                f"{where}: {at}.when.{name} names {wrong}, not levels of {list(spec.levels)}."
            )
        out[name] = chosen
    return out


def _check_cover(equations, inputs, where) -> None:
    """Every combination of the selecting categories' levels has exactly one equation."""
    used = {name for equation in equations for name in equation.when}
    selecting = [name for name in inputs if name in used]  # in file order
    for combination in product(*(inputs[name].levels for name in selecting)):
        levels = dict(zip(selecting, combination, strict=True))
        matches = [e.label for e in equations if e.applies(levels)]
        if len(matches) != 1:
            described = ", ".join(f"{k}={v}" for k, v in levels.items()) or "every patient"
            problem = "no equation" if not matches else f"several equations ({matches})"
            raise PublishedModelError(
                f"{where}: {described} has {problem}; each combination of levels needs exactly "
                "one (fix the equations' when)."
            )
