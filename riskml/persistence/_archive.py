"""Reading a model file safely: its members bounded, its header checked field by field,
its digest and signature verified, and the type names a caller trusts checked, all
before anything from the file is built."""

from __future__ import annotations

import hashlib
import hmac
import json
import warnings
import zipfile
from pathlib import Path

import numpy as np

from ..utils.validation import check_file
from ._format import (
    _EXPANSION_FLOOR,
    _PICKLE_MAGIC,
    _ZIP_MAGIC,
    FORMAT,
    FORMAT_VERSION,
    HEADER,
    KEY_ENVIRONMENT_VARIABLE,
    MAX_EXPANSION,
    MAX_HEADER_BYTES,
    MAX_MEMBERS,
    MAX_MODEL_BYTES,
    MAX_SCHEMA_BYTES,
    MIN_KEY_BYTES,
    SIGNATURE,
    ModelFileError,
    ModelSignatureWarning,
)


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
    problem = _header_problem(header) or _profile_problem(header.get("inputs") or {})
    if problem is not None:
        field, expected = problem
        raise ModelFileError(
            f"{name}: its {HEADER} header is malformed ({field!r} must be {expected}). Nothing "
            "was loaded. Use the original file, or save the model again."
        )


def _is_number(value) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def _header_problem(header: dict) -> tuple[str, str] | None:
    """The first malformed top-level field as ``(field, what it must be)``, or None."""
    columns = header.get("columns", [])
    if not isinstance(columns, list) or not all(
        isinstance(c, dict)
        and isinstance(c.get("name"), str)
        and isinstance(c.get("dtype", ""), str | None)
        for c in columns
    ):
        return "columns", "a list of {name, dtype} entries"
    horizon = header.get("horizon_days")
    if horizon is not None and (
        isinstance(horizon, bool)
        or not isinstance(horizon, int | float)
        or not np.isfinite(horizon)
        or horizon <= 0
    ):
        return "horizon_days", "a positive number of days or null"
    if header.get("outcome_kind") not in (None, "binary", "survival", "competing", "any"):
        return "outcome_kind", "'binary', 'survival', 'competing' or null"
    for field in ("schema_name", "final_estimator", "model_class", "created_utc"):
        if header.get(field) is not None and not isinstance(header[field], str):
            return field, "text or null"
    for field in ("versions", "inputs"):
        if header.get(field) is not None and not isinstance(header[field], dict):
            return field, "a mapping"
    return None


def _profile_problem(inputs: dict) -> tuple[str, str] | None:
    """The first malformed field of the input profile (``inputs``), or None."""
    if not isinstance(inputs.get("columns", {}), dict) or not isinstance(
        inputs.get("followup", {}) or {}, dict
    ):
        return "inputs", "a mapping of columns and follow-up"
    for value in inputs.get("columns", {}).values():
        problem = _column_problem(value)
        if problem is not None:
            return problem
    followup = inputs.get("followup") or {}
    for key, value in followup.items():
        if not _is_number(value):
            return f"inputs.followup.{key}", "a number or null"
    return None


def _column_problem(value) -> tuple[str, str] | None:
    """The first malformed field of one input column's description, or None."""
    if not isinstance(value, dict):
        return "inputs", "a mapping of column descriptions"
    for key in ("min", "max", "low", "high", "median", "missing"):
        if not _is_number(value.get(key)):
            return f"inputs.{key}", "a number or null"
    levels = value.get("levels", [])
    if not isinstance(levels, list) or not all(isinstance(v, str) for v in levels):
        return "inputs.levels", "a list of text"
    hard = value.get("hard_range")
    if hard is not None and not (
        isinstance(hard, list)
        and len(hard) == 2
        and all(_is_number(v) and v is not None for v in hard)
    ):
        return "inputs.hard_range", "two numbers"
    conversions = value.get("conversions", [])
    if not isinstance(conversions, list) or not all(
        isinstance(c, dict)
        and isinstance(c.get("unit"), str)
        and _is_number(c.get("factor"))
        and c.get("factor")
        for c in conversions
    ):
        return "inputs.conversions", "a list of {unit, factor}"
    return None
