"""Checks of single values of a study file (whole numbers, numbers, text, choices,
mappings, names, paths), each failing with the line, the key and the fix."""

from __future__ import annotations

import math
import re
from pathlib import Path

from ..errors import CommandError
from ._yaml import _hint, _Map, _Seq, _short, _suggest

MAX_SEED = 2**32 - 1
MAX_N_BOOT = 100_000
MAX_PATIENTS = 1_000_000
MAX_JOBS = 1024
MAX_FEATURES = 100_000
MAX_DAYS = 36_600  # 100 years


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
