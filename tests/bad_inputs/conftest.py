"""The bad-input corpus: shared machinery.

Every case builds a bad input in ``tmp_path`` from riskml's bundled or synthetic
data, runs one public call, and asserts that

* the error (or warning) is of the documented type,
* its message names the problem and the fix (two regular expressions),
* no planted patient value appears in it, and
* every input file is byte-identical afterwards (SHA-256 before and after).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from riskml.cli import main


@dataclass
class Case:
    """One bad input: ``build(tmp_path, data)`` returns ``(call, inputs)``."""

    id: str
    build: object
    error: type
    problem: str
    fix: str
    warns: bool = False
    absent: tuple = field(default_factory=tuple)  # strings that must not be in the message


class CommandFailed(Exception):
    """A CLI run that exited with status 2; the message is its stderr."""


def run_cli(*args) -> None:
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        code = main([str(a) for a in args])
    if code != 0:
        raise CommandFailed(f"exit {code}: {stderr.getvalue()}")


def file_hashes(paths) -> dict:
    """SHA-256 of every file under the given files and folders."""
    out = {}
    for path in paths:
        path = Path(path)
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for item in files:
            if item.exists() and not item.is_symlink():
                out[str(item)] = hashlib.sha256(item.read_bytes()).hexdigest()
    return out


def check_case(case: Case, tmp_path: Path, data) -> str:
    """Run one case; returns the message for any further assertions."""
    call, inputs = case.build(tmp_path, data)
    before = file_hashes(inputs)
    assert before, f"case {case.id} declares no input file"
    if case.warns:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            call()
        messages = [str(w.message) for w in caught if issubclass(w.category, case.error)]
        matching = [m for m in messages if re.search(case.problem, m, re.S)]
        assert matching, (
            f"{case.id}: no {case.error.__name__} matching {case.problem!r}: {messages}"
        )
        message = matching[0]
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(case.error) as caught:
                call()
        message = str(caught.value)
        assert re.search(case.problem, message, re.S), f"{case.id}: problem not named: {message}"
    assert re.search(case.fix, message, re.S), f"{case.id}: no fix in: {message}"
    for text in case.absent:
        assert text not in message, f"{case.id}: the message quotes {text!r}"
    assert file_hashes(inputs) == before, f"{case.id}: an input file was modified"
    return message
