"""Reading a study file: PyYAML's SafeLoader with limits (size, values, depth,
aliases expanded), duplicate keys refused, and every value kept with its node so that
messages give the file, line and column."""

from __future__ import annotations

import datetime
import difflib
import functools
import re
from pathlib import Path

import yaml

from ..errors import CommandError

#: its nesting, and the largest seeds, replicates, synthetic cohorts and worker counts.
MAX_BYTES = 1_000_000
MAX_NODES = 10_000
MAX_DEPTH = 32


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
