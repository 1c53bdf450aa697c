"""Study files: the YAML description of a study (``riskml run study.yaml``), checked key by
key, with the file, line and column of every problem, before anything runs.

The reader is PyYAML's SafeLoader with three additions: it refuses a key given twice
in one mapping (YAML would keep the last silently), stops composing beyond
``MAX_NODES`` values or ``MAX_DEPTH`` levels, and measures the size of the document
with its aliases expanded (each node once, so a "billion laughs" file is refused in
milliseconds, before anything is built from it). Files are read from the study file's
folder and below only.
"""

from __future__ import annotations

import difflib
import functools
import math
import os
import re
import warnings
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
    "trusted_predictors",
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
#: Limits of a study file: its size, its values once anchors and aliases are expanded,
#: its nesting, and the largest seeds, replicates, synthetic cohorts and worker counts.
MAX_BYTES = 1_000_000
MAX_NODES = 10_000
MAX_DEPTH = 32
MAX_SEED = 2**32 - 1
MAX_N_BOOT = 100_000
MAX_PATIENTS = 1_000_000
MAX_JOBS = 1024
MAX_FEATURES = 100_000
MAX_DAYS = 36_600  # 100 years
#: Cohort functions a study file cannot use, and why.
NOT_COHORTS = {
    "make_mimic3_ami": (
        "writes synthetic MIMIC-III tables to a folder and returns their truth table, not a "
        "cohort. Write the tables once in Python (rk.cohorts.make_mimic3_ami('mimic', "
        "n_patients=300)) inside the study's folder, then use loader: load_mimic3_ami with "
        "path: mimic"
    ),
    "load_schema": "returns a schema, not a cohort. Use a loader such as load_young_hypertension",
}
DEFAULT_MODELS = ("xgboost", "cox", "framingham_recalibrated")


# -- values with their place in the file ---------------------------------------------------


class _Entry:
    """A value of the study file, its dotted name and the YAML node it came from."""

    def __init__(self, label, name, value, node):
        self.label, self.name, self.value, self.node = label, name, value, node

    @property
    def key(self) -> str:
        return self.name.rsplit(".", 1)[-1].split(" ")[0]

    def where(self, node=None) -> str:
        return _where(self.label, (node or self.node).start_mark)

    def fail(self, expected: str, fix: str, node=None) -> CommandError:
        return CommandError(
            f"{self.where(node)}: {self.name or 'the study file'} must be {expected}; got "
            f"{_got(self)}. {fix}"
        )

    def child(self, key):
        """The entry of ``key`` in a mapping entry, or None when it is absent."""
        if key not in self.value:
            return None
        part = key if re.fullmatch(r"[\w.-]+", key) else repr(key)
        name = f"{self.name}.{part}" if self.name else part
        return _Entry(self.label, name, self.value[key], self.value.nodes[key])

    def items(self):
        return [(key, self.child(key)) for key in self.value]

    def elements(self):
        values, nodes = self.value, self.value.nodes
        return [
            _Entry(self.label, f"{self.name} (item {i + 1})", values[i], nodes[i])
            for i in range(len(values))
        ]


class _Map(dict):
    """A YAML mapping; ``nodes[key]`` is the node of its value."""


class _Seq(list):
    """A YAML sequence; ``nodes[i]`` is the node of item ``i``."""


def _at(mark) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}"


def _where(label, mark) -> str:
    return f"{label}, {_at(mark)}"


def _short(text, limit=60) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _got(entry) -> str:
    """What the file holds, as YAML read it (booleans, dates and quoted numbers named)."""
    import datetime

    import yaml

    value, node = entry.value, entry.node
    raw = node.value if isinstance(node, yaml.ScalarNode) else None
    if value is None:
        return "nothing (an empty value)" if not raw else f"{raw} (null: nothing)"
    if isinstance(value, bool):
        return f"{raw}, which YAML reads as the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {_short(raw)}"
    if isinstance(value, str):
        if node.style in ("'", '"') and _number_text(value):
            return f"the text {_short(value)!r} (quoted, so not a number)"
        return f"the text {_short(value)!r}"
    if isinstance(value, datetime.date):
        return f"{raw}, which YAML reads as a date"
    if isinstance(value, list):
        return f"a list of {len(value)} item(s)"
    if isinstance(value, dict):
        return f"a mapping with key(s) {', '.join(_short(k, 30) for k in list(value)[:4])}"
    return f"a value of type {type(value).__name__}"


def _number_text(text) -> bool:
    return bool(re.fullmatch(r"\s*[-+]?[\d.,_]+(e[-+]?\d+)?\s*%?\s*", str(text), re.I))


def _hint(entry) -> str:
    """Why a value that looks like a number or a name was read otherwise."""
    value = entry.value
    if isinstance(value, bool):
        return " (YAML reads yes/no, on/off and true/false as booleans)"
    if isinstance(value, str) and _number_text(value):
        return " (YAML reads 1e3, 1.0e3, 1,000, 10% and quoted numbers as text)"
    return ""


def _suggest(word, options) -> str:
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


# -- reading and parsing ---------------------------------------------------------------------


def _read_text(path: Path, label: str) -> str:
    """The file's text, or a one-line error naming the line, the byte and the fix."""
    if path.is_dir():
        raise CommandError(f"{label} is a folder; give the study's YAML file (e.g. study.yaml).")
    if not path.exists():
        raise FileNotFoundError(f"study file {str(path)!r} does not exist; check the path.")
    if not path.is_file():
        raise CommandError(f"{label} is not a regular file; give the study's YAML file.")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise CommandError(
            f"{label} cannot be read ({error.strerror}); check its permissions."
        ) from None
    if len(data) > MAX_BYTES:
        raise CommandError(
            f"{label} is larger than {MAX_BYTES:,} bytes; a study file is a few lines of YAML. "
            "Check that this is the study file."
        )
    fix = "Save the file as UTF-8 (e.g. 'Save with encoding: UTF-8' in your editor)."
    for bom, name in (
        (b"\xff\xfe\x00\x00", "UTF-32"),
        (b"\x00\x00\xfe\xff", "UTF-32"),
        (b"\xff\xfe", "UTF-16"),
        (b"\xfe\xff", "UTF-16"),
    ):
        if data.startswith(bom):
            raise CommandError(
                f"{label}, line 1, byte 0: the file is {name} (it starts with a {name} "
                f"byte-order mark); study files are UTF-8. {fix}"
            )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a UTF-8 byte-order mark is harmless: the text is UTF-8
    if b"\x00" in data:
        offset = data.index(b"\x00")
        line = data.count(b"\n", 0, offset) + 1
        raise CommandError(
            f"{label}, line {line}, byte {offset}: a NUL byte; the "
            f"file is UTF-16 or binary, not a YAML text file. {fix}"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        offset = error.start
        line = data.count(b"\n", 0, offset) + 1
        byte = data[offset]
        guess = bytes([byte]).decode("cp1252", errors="replace")
        raise CommandError(
            f"{label}, line {line}, byte {offset}: byte 0x{byte:02x} is not UTF-8 (it would be "
            f"{guess!r} in Latin-1/Windows-1252). {fix}"
        ) from None


@functools.cache
def _loader_class():
    import yaml

    class StudyLoader(yaml.SafeLoader):
        """SafeLoader that stops at MAX_NODES values and MAX_DEPTH levels while composing."""

        label = "study file"

        def __init__(self, stream):
            super().__init__(stream)
            self.depth = self.count = 0

        def compose_node(self, parent, index):
            self.depth += 1
            self.count += 1
            try:
                if self.depth > MAX_DEPTH or self.count > MAX_NODES:
                    mark = self.peek_event().start_mark
                    what = (
                        f"nests deeper than {MAX_DEPTH} levels"
                        if self.depth > MAX_DEPTH
                        else f"holds more than {MAX_NODES:,} values"
                    )
                    raise CommandError(
                        f"{_where(self.label, mark)}: the file {what}; a study file needs a "
                        "few dozen. Check that this is the study file."
                    )
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    return StudyLoader


def _yaml_error(label: str, text: str, error) -> CommandError:
    """A YAML syntax error on one line: where, what, and the usual fix."""
    import yaml

    mark = getattr(error, "problem_mark", None)
    if isinstance(error, yaml.reader.ReaderError):
        line = text.count("\n", 0, error.position) + 1
        column = error.position - text.rfind("\n", 0, error.position)
        return CommandError(
            f"{label}, line {line}, column {column}: the control character "
            f"U+{error.character:04X} is not allowed in YAML. Delete it, or save the file "
            "again as UTF-8 text."
        )
    problem = " ".join(str(getattr(error, "problem", None) or error).split())
    where = _where(label, mark) if mark is not None else label
    if "\\t" in problem:
        fix = "Indent with spaces, not tabs."
    elif "another document" in problem:
        fix = "Keep one study per file: delete the second '---' line and what follows it."
    elif "constructor for the tag" in problem:
        fix = "Remove the tag (study files hold plain values: text, numbers, lists, mappings)."
    else:
        fix = (
            "Check the indentation and quoting near that line (quote text that contains ': ', "
            "' #', '[', '{' or starts with '*', '&', '!', '%' or '@')."
        )
    return CommandError(f"{where}: not valid YAML: {problem}. {fix}")


def _expanded_size(node, memo, active, label) -> int:
    """Values of ``node`` with every alias expanded (memoised: linear in the file)."""
    import yaml

    key = id(node)
    if key in memo:
        return memo[key]
    if key in active:
        raise CommandError(
            f"{_where(label, node.start_mark)}: this anchor refers to itself through an alias "
            "(&name ... *name inside it); write the values out."
        )
    active.add(key)
    if isinstance(node, yaml.SequenceNode):
        total = 1 + sum(_expanded_size(n, memo, active, label) for n in node.value)
    elif isinstance(node, yaml.MappingNode):
        total = 1 + sum(
            _expanded_size(k, memo, active, label) + _expanded_size(v, memo, active, label)
            for k, v in node.value
        )
    else:
        total = 1
    active.discard(key)
    memo[key] = total
    return total


def _parse(text: str, label: str):
    """The document's root node, refused when its aliases expand beyond MAX_NODES."""
    import yaml

    try:
        loader = _loader_class()(text)  # the reader refuses control characters here
        loader.label = label
        root = loader.get_single_node()
    except yaml.YAMLError as error:
        raise _yaml_error(label, text, error) from None
    if root is None:
        raise CommandError(
            f"{label} is empty; a study file is a YAML mapping that starts with cohort: "
            "(see examples/study.yaml)."
        )
    memo: dict = {}
    size = _expanded_size(root, memo, set(), label)
    if size > MAX_NODES:
        culprit = root
        if isinstance(root, yaml.MappingNode):
            culprit = next((v for _, v in root.value if memo[id(v)] > MAX_NODES), root)
        raise CommandError(
            f"{_where(label, culprit.start_mark)}: the anchors and aliases (&name, *name) expand "
            f"to {memo[id(culprit)]:.3g} values (a 'billion laughs' file?); a study file is "
            f"refused beyond {MAX_NODES:,}. Write the values out instead of aliasing them."
        )
    return loader, root


def _convert(loader, node, label):
    """Python values of the nodes; mappings keep their nodes, duplicate keys are refused."""
    import yaml

    if isinstance(node, yaml.ScalarNode):
        try:
            return loader.construct_object(node, deep=True)
        except yaml.YAMLError as error:
            raise _yaml_error(label, "", error) from None
        except ValueError:  # e.g. an integer of more than 4300 digits
            raise CommandError(
                f"{_where(label, node.start_mark)}: the value {_short(node.value, 20)!r} cannot "
                "be read as a number (too long); write a number of sensible size."
            ) from None
    standard = {
        yaml.SequenceNode: "tag:yaml.org,2002:seq",
        yaml.MappingNode: "tag:yaml.org,2002:map",
    }
    if node.tag != standard[type(node)]:
        raise CommandError(
            f"{_where(label, node.start_mark)}: the tag {node.tag!r} is not used in study files; "
            "remove it (study files hold plain text, numbers, lists and mappings)."
        )
    if isinstance(node, yaml.SequenceNode):
        out = _Seq(_convert(loader, item, label) for item in node.value)
        out.nodes = list(node.value)
        return out
    seen = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise CommandError(
                f"{_where(label, key_node.start_mark)}: a key must be a plain name; got a "
                f"{'list' if isinstance(key_node, yaml.SequenceNode) else 'mapping'}. "
                "Write key: value."
            )
        if key_node.value in seen and key_node.tag != "tag:yaml.org,2002:merge":
            first = seen[key_node.value]
            raise CommandError(
                f"{_where(label, key_node.start_mark)}: the key {key_node.value!r} appears twice "
                f"in the same mapping ({_at(first.start_mark)} and {_at(key_node.start_mark)}); "
                "YAML would keep only the last one silently. Delete one of them."
            )
        seen[key_node.value] = key_node
    try:
        loader.flatten_mapping(node)  # merge keys (<<: *defaults); explicit keys win
    except yaml.YAMLError as error:
        raise _yaml_error(label, "", error) from None
    out, nodes = _Map(), {}
    for key_node, value_node in node.value:
        out[key_node.value] = _convert(loader, value_node, label)
        nodes[key_node.value] = value_node
    out.nodes = nodes
    return out


def _plain(value):
    """A checked value without the nodes (plain dicts and lists for Study)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# -- checks of single values -----------------------------------------------------------------


def _whole(e, low, high=None, *, what, example, null=False):
    value = e.value
    if value is None and null:
        return None
    span = f"at least {low:,}" if high is None else f"from {low:,} to {high:,}"
    expected = f"{what}, a whole number {span}"
    if isinstance(value, bool) or not isinstance(value, int):
        note = " without a decimal point" if isinstance(value, float) else ""
        raise e.fail(expected, f"Write e.g. {e.key}: {example}{note}{_hint(e)}.")
    _decimal(e, expected, example, r"[-+]?(0|[1-9][0-9_]*)")
    if value < low or (high is not None and value > high):
        raise e.fail(expected, f"Write e.g. {e.key}: {example}.")
    return value


def _decimal(e, expected, example, pattern) -> None:
    """Refuse YAML 1.1's other notations: 010 is octal 8, 0x10 is 16, 1:30 is 90."""
    if not re.fullmatch(pattern, e.node.value):
        raise e.fail(
            expected,
            f"Write the number in decimal digits, e.g. {e.key}: {example} (YAML reads 010 as "
            "8, 0x10 as 16 and 1:30 as 90).",
        )


def _number(e, low, high=None, *, what, example, open_low=True, open_high=True, null=False):
    value = e.value
    if value is None and null:
        return None
    span = f"above {low}" if open_low else f"at least {low}"
    if high is not None:
        span += f" and {'below' if open_high else 'at most'} {high}"
    expected = f"{what}, a number {span}"
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise e.fail(expected, f"Write e.g. {e.key}: {example}{_hint(e)}.")
    _decimal(e, expected, example, r"[-+]?(0|[1-9][0-9_]*)?(\.[0-9_]*)?([eE][-+]?[0-9]+)?")
    if (
        value < low
        or (open_low and value == low)
        or (high is not None and (value > high or (open_high and value == high)))
    ):
        raise e.fail(expected, f"Write e.g. {e.key}: {example}.")
    return value


def _text(e, *, what, example, null=False):
    if e.value is None and null:
        return None
    if not isinstance(e.value, str) or not e.value.strip():
        raise e.fail(f"{what} (text)", f"Write e.g. {e.key}: {example}; quote it if needed.")
    return e.value


def _choice(e, options, *, what=None, null=False):
    value = e.value
    if value is None and null:
        return None
    if not isinstance(value, str) or value not in options:
        listed = ", ".join(map(str, options[:30])) + (", ..." if len(options) > 30 else "")
        raise e.fail(
            f"{what}: one of {listed}" if what else f"one of {listed}",
            f"Write e.g. {e.key}: {options[0]}"
            f"{_suggest(value, options) if isinstance(value, str) else _hint(e)}.",
        )
    return value


def _flag(e):
    if not isinstance(e.value, bool):
        raise e.fail("true or false", f"Write {e.key}: true or {e.key}: false, without quotes.")
    return e.value


def _mapping(e, allowed, *, what, example, null=True):
    """A mapping entry with only ``allowed`` keys (None for null when ``null``)."""
    if e.value is None and null:
        return None
    if not isinstance(e.value, _Map):
        raise e.fail(f"{what}, a mapping (key: value)", f"Write e.g. {example}.")
    for key in e.value:
        if allowed is not None and key not in allowed:
            node = _key_node(e, key)
            raise CommandError(
                f"{e.where(node)}: {e.name or 'a study file'} has no key {key!r}"
                f"{_suggest(key, allowed)}; its keys are {', '.join(allowed)}. Rename or delete it."
            )
    return e


def _key_node(e, key):
    node = e.node
    return next((k for k, _ in node.value if k.value == key), node)


def _names(e, options, *, what, single=True, empty=False, example):
    """A list of names from ``options`` (one name alone when ``single``); no repeats."""
    if single and isinstance(e.value, str):
        items = [e]
    elif isinstance(e.value, _Seq):
        items = e.elements()
    else:
        raise e.fail(f"a list of {what}", f"Write e.g. {e.key}: {example}.")
    if not items and not empty:
        raise e.fail(
            f"a non-empty list of {what}",
            f"Write e.g. {e.key}: {example}, or leave {e.key} out for the default.",
        )
    names = []
    for item in items:
        if not isinstance(item.value, str) or item.value not in options:
            raise item.fail(
                f"one of {', '.join(map(str, options))}",
                f"Write e.g. {e.key}: {example}"
                f"{_suggest(item.value, options) if isinstance(item.value, str) else ''}.",
            )
        if item.value in names:
            raise CommandError(f"{item.where()}: {e.name} lists {item.value!r} twice; delete one.")
        names.append(item.value)
    return names


def _path(e, folder: Path, *, kind: str) -> Path:
    """A file or folder inside the study file's folder (relative paths are read from it)."""
    text = _text(e, what=f"the {kind} to read, relative to the study file", example="data/x.csv")
    if "\x00" in text:
        raise e.fail("a path", "Delete the NUL character from the path.")
    try:
        given = Path(text).expanduser()
    except RuntimeError:  # ~user of an unknown user: a name like any other
        given = Path(text)
    try:
        full = (given if given.is_absolute() else folder / given).resolve()
        exists, is_dir = full.exists(), full.is_dir()
    except (OSError, RuntimeError) as error:  # a link loop, a name too long
        raise CommandError(
            f"{e.where()}: {e.name} {_short(text)!r} cannot be used as a path "
            f"({getattr(error, 'strerror', None) or error}). Correct the path."
        ) from None
    if not full.is_relative_to(folder):
        raise CommandError(
            f"{e.where()}: {e.name} {text!r} is outside the study file's folder ({folder}); a "
            "study reads files only from its own folder and the folders below it (links are "
            "followed). Move the data (or the study file) so that the data sit beside or below "
            "the study file, and give a relative path such as data/cohort.csv."
        )
    if not exists:
        raise CommandError(
            f"{e.where()}: {e.name} {text!r} does not exist (looked for {full}); relative paths "
            "are read from the study file's folder. Correct the path."
        )
    if kind == "folder" and not is_dir:
        raise CommandError(f"{e.where()}: {e.name} {text!r} is a file; give the folder.")
    if kind == "file" and is_dir:
        raise CommandError(f"{e.where()}: {e.name} {text!r} is a folder; give the file.")
    return full


# -- the cohort ------------------------------------------------------------------------------


def _seed(e):
    return _whole(e, 0, MAX_SEED, what="a seed", example=0)


def _n_patients(e):
    return _whole(e, 1, MAX_PATIENTS, what="the number of synthetic patients", example=508)


def _no_frame(e):
    if _flag(e):
        raise e.fail("false here", "A study needs a cohort, not a table: leave return_frame out.")
    return False


def _units(e):
    if isinstance(e.value, str) and e.value.upper() == "SI":
        return e.value
    if e.value is None:
        return None
    if not isinstance(e.value, _Map):
        raise e.fail("SI or a mapping {column: unit}", "Write e.g. units: {total_chol: mmol/L}.")
    for _, item in e.items():
        _text(item, what="a unit", example="mmol/L")
    return e.value


def _hadm_ids(e):
    if not isinstance(e.value, _Seq):
        raise e.fail("a list of admission ids", "Write e.g. exclude_hadm_ids: [100001, 100002].")
    return [_whole(i, 0, what="an admission id", example=100001) for i in e.elements()]


def _memory(e):
    if e.value is not None and not (
        isinstance(e.value, str) and re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", e.value, re.I)
    ):
        raise e.fail("a memory size such as 2GB, or null", "Write e.g. memory_limit: 4GB.")
    return e.value


def _one_of(*options):
    return lambda e: _choice(e, options)


def _threads(e):
    return _whole(e, 1, MAX_JOBS, what="a number of threads", example=4, null=True)


_HF = {
    "label": _one_of("readmit_30d", "death_1yr"),
    "competing_death": _one_of("censor", "event", "exclude"),
}
#: Cohort functions of study files: (the parameter given by cohort.path, {argument: check}).
COHORT_FUNCTIONS = {
    "make_young_hypertension": (
        None,
        {
            "n_patients": _n_patients,
            "random_state": _seed,
            "return_frame": _no_frame,
            "n_samples": _n_patients,
        },
    ),
    "make_hf_registry": (
        None,
        {"n_patients": _n_patients, "random_state": _seed, "return_frame": _no_frame, **_HF},
    ),
    "make_ccta_registry": (None, {"n_patients": _n_patients, "random_state": _seed}),
    "load_heart_failure_clinical_records": (None, {}),
    "load_young_hypertension": ("path", {"units": _units}),
    "load_hf_registry": ("path", {"units": _units, **_HF}),
    "load_mimic3_ami": (
        "directory",
        {
            "primary_only": _flag,
            "exclude_subsequent_episode": _flag,
            "first_admission_only": _flag,
            "label": _one_of(
                "death_1yr_from_admit", "death_1yr_post_discharge", "hospital_expire_flag", "death"
            ),
            "followup": _one_of("flag", "carevue_only"),
            "exclude_hadm_ids": _hadm_ids,
            "memory_limit": _memory,
            "threads": _threads,
            "progress": _flag,
        },
    ),
}


def _cohort_plan(e, folder: Path) -> dict:
    """Check the cohort entry (no data read): the function, its arguments and options."""
    example = "cohort: {generator: make_young_hypertension, args: {n_patients: 508}}"
    _mapping(e, COHORT_KEYS, what="the cohort", example=example, null=False)
    if ("loader" in e.value) == ("generator" in e.value):
        raise CommandError(
            f"{e.where()}: cohort needs exactly one of 'loader' (e.g. load_young_hypertension, "
            "with 'path') or 'generator' (e.g. make_young_hypertension, with 'args')."
        )
    kind = "loader" if "loader" in e.value else "generator"
    prefix = "load_" if kind == "loader" else "make_"
    entry = e.child(kind)
    choices = [n for n in COHORT_FUNCTIONS if n.startswith(prefix)]
    name = entry.value
    if isinstance(name, str) and name in NOT_COHORTS:
        raise CommandError(f"{entry.where()}: cohort {kind} {name!r} {NOT_COHORTS[name]}.")
    if not isinstance(name, str) or name not in choices:
        raise entry.fail(
            f"one of {', '.join(choices)}",
            f"Write e.g. {kind}: {choices[0]}"
            f"{_suggest(name, choices) if isinstance(name, str) else ''}.",
        )
    first, checks = COHORT_FUNCTIONS[name]
    plan = {"name": name, "positional": [], "args": {}}
    path = e.child("path")
    if first is None and path is not None:
        raise CommandError(
            f"{path.where()}: cohort {kind} {name!r} reads no file; delete cohort.path"
            + (
                " (a generator makes its patients; set them in args)."
                if kind == "generator"
                else "."
            )
        )
    if first is not None:
        if path is None:
            raise CommandError(
                f"{entry.where()}: cohort loader {name!r} reads a "
                f"{'folder' if first == 'directory' else 'file'}; add cohort.path (relative to "
                "the study file), e.g. path: data/cohort.csv."
            )
        plan["positional"].append(
            _path(path, folder, kind="folder" if first == "directory" else "file")
        )
    args = e.child("args")
    if args is not None and args.value is not None:
        allowed = tuple(checks) + ((first,) if first else ())
        _mapping(
            args,
            allowed or ("(none)",),
            what="the arguments of the " + kind,
            example="args: {n_patients: 508, random_state: 0}",
        )
        for key, item in args.items():
            if key == first:
                raise CommandError(
                    f"{item.where()}: give the {first} as cohort.path, not in cohort.args."
                )
            plan["args"][key] = _plain(checks[key](item))
        if "n_samples" in plan["args"] and "n_patients" in plan["args"]:
            raise CommandError(
                f"{args.child('n_samples').where()}: n_samples is the deprecated name of "
                "n_patients; give only n_patients."
            )
    outcome = e.child("outcome")
    plan["outcome"] = (
        None
        if outcome is None
        else _choice(outcome, ("binary", "survival"), what="the outcome kind", null=True)
    )
    label = e.child("name")
    plan["label"] = (
        None if label is None else _text(label, what="the cohort's name", example="young_htn")
    )
    return plan


def _build_cohort(plan, e):
    """The cohort: the function called, outcome and name applied (declared fields kept)."""
    import copy

    import riskml as rk

    cohort = getattr(rk.cohorts, plan["name"])(*plan["positional"], **plan["args"])
    if plan["outcome"] == "binary" and cohort.outcome.is_survival:
        # the same patients, ids, groups and declared fields; only the event indicator
        binary = copy.copy(cohort)
        binary.horizon = None
        binary.outcome = rk.Outcome.binary(cohort.outcome.event, name=cohort.outcome.name)
        cohort = binary
    elif plan["outcome"] == "survival" and not cohort.outcome.is_survival:
        raise CommandError(
            f"{e.child('outcome').where()}: cohort.outcome 'survival' needs a cohort with "
            f"follow-up times; {plan['name']} gives a binary outcome. Delete cohort.outcome."
        )
    if plan["label"] is not None:
        cohort.name = plan["label"]
    return cohort


# -- the study's settings --------------------------------------------------------------------


def _selection(e):
    """None or a selector: a name, or {name: {parameter: value}}."""
    import riskml as rk
    from riskml.models import MODELS

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
    return getattr(rk.features, SELECTORS[name])(**kwargs)


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


def _validation(e):
    """Folds, {repeated: {k, repeats}}, {optimism: n_boot} or {internal: {...}}."""
    from riskml.evaluation import InternalValidation, OptimismBootstrap, RepeatedCV

    forms = (
        "a number of folds (e.g. 10), {repeated: {k: 5, repeats: 10}}, {optimism: 200} or "
        "{internal: {method: cv_optimism, cv: 10}}"
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
    raise CommandError(
        f"{e.where(_key_node(e, name))}: validation {name!r} is not a validation scheme"
        f"{_suggest(name, ('repeated', 'optimism', 'internal'))}; validation must be {forms}."
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
    from riskml.evaluation import get_metric_names
    from riskml.models import MODELS
    from riskml.study import CENSORING_WEIGHTS, MIN_N_BOOT

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
    if get("reference_levels") is not None and get("reference_levels").value is not None:
        e = _mapping(
            get("reference_levels"),
            None,
            what="{column: level}",
            example="reference_levels: {sex: male}",
        )
        for _, item in e.items():
            if isinstance(item.value, bool) or not isinstance(item.value, str | int | float):
                raise item.fail(
                    "a level (text or a number)",
                    f"Quote the level, e.g. {item.key}: 'yes' or {item.key}: '>50'.",
                )
        options["reference_levels"] = _plain(e.value)
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


def _list(e, what, example):
    """Items of a list of texts: ``what`` names one item."""
    if not isinstance(e.value, _Seq):
        raise e.fail(f"a list, each item {what}", f"Write e.g. {e.key}: [{example}].")
    for item in e.elements():
        _text(item, what=what, example=example)
    return e.elements()


def _report(e):
    """(report options, file name)."""
    from riskml.report import SECTIONS

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


# -- against the cohort, then Study's own checks ---------------------------------------------


def _against_cohort(root, options, cohort) -> None:
    """Settings that name columns, levels or metrics of the cohort, with their lines."""
    from riskml.evaluation import get_metric_names

    kind = cohort.outcome.kind
    if not cohort.outcome.is_survival:
        for key in ("horizon", "horizon_days"):
            if options.get(key) is not None:
                raise CommandError(
                    f"{root.child(key).where()}: {key} applies to time-to-event outcomes; this "
                    "cohort's outcome is binary. Delete it."
                )
    if options.get("metrics"):
        allowed = get_metric_names(kind)
        for item in (
            root.child("metrics").elements()
            if isinstance(root.child("metrics").value, list)
            else [root.child("metrics")]
        ):
            if item.value not in allowed:
                raise CommandError(
                    f"{item.where()}: metric {item.value!r} applies to "
                    f"{'binary' if kind == 'survival' else 'time-to-event'} outcomes; this "
                    f"cohort's outcome is {'time-to-event' if kind == 'survival' else 'binary'}. "
                    f"Metrics for it: {', '.join(allowed)}."
                )
        if "net_benefit" in options["metrics"] and options.get("threshold") is None:
            raise CommandError(
                f"{root.child('metrics').where()}: metric 'net_benefit' is evaluated at a risk "
                "threshold; add e.g. threshold: 0.1 (the risk above which a patient is treated)."
            )
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
        import pandas as pd

        features = cohort.features
        categorical = [
            c
            for c in cohort.predictors
            if not pd.api.types.is_numeric_dtype(features[c])
            or isinstance(features[c].dtype, pd.CategoricalDtype)
        ]
        entry = root.child("reference_levels")
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
    >>> from riskml.study_file import load_study_file
    >>> study, options, name = load_study_file("examples/study.yaml")  # doctest: +SKIP
    >>> study.models  # doctest: +SKIP
    ['xgboost', 'cox', 'framingham_recalibrated']
    """
    import riskml as rk

    path = Path(path)
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
    study = rk.Study(cohort, progress=True, **options)
    _preflight(study, root, label)
    return study, report, file_name


def _check_out(out: Path, target: Path, study_path: Path, overwrite: bool) -> None:
    """The report can be written: without creating anything, before the study runs."""
    from riskml.persistence import check_output_path

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
