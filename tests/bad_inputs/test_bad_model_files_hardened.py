"""Hostile model files, keys, trusted names, patient rows in models, and failed writes.

Each case builds its input in ``tmp_path`` from a model fitted in the module fixture,
makes one public call (Python or ``riskml``), and checks (see conftest.py) that the
error names the file, setting or path and the fix, quotes no planted value, and
leaves the inputs byte-identical. Writes that fail leave nothing behind (no output,
no temporary file, no folder made for them); interrupted commands exit 130 with one
line.

Oracles: zip sizes from the archive's own directory; ``tracemalloc`` for "nothing
was decompressed"; Python's ``hmac`` module for the signature; the filesystem for
what was (not) written.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import struct
import tracemalloc
import warnings
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import riskml as rk
import riskml.cli
import riskml.deployment
import riskml.evaluation
import riskml.persistence as persistence
from riskml.errors import WriteError
from riskml.models import make_model
from riskml.persistence import (
    HEADER,
    SIGNATURE,
    ModelFileError,
    ModelSignatureWarning,
    _digest,
    load_model,
    read_model_info,
    save_model,
)

from .conftest import Case, CommandFailed, check_case, run_cli

KEY = "a-secret-key-of-32-characters-00"
PLANTED = "Quux"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hardened")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hf = rk.cohorts.load_heart_failure_clinical_records()
        model = make_model("logistic", horizon=90).fit(hf.features, hf.outcome)
        knn = make_model("knn", horizon=90).fit(hf.features, hf.outcome)
        svm = make_model("svm", horizon=90).fit(hf.features, hf.outcome)
    plain = save_model(model, folder / "plain.riskml", cohort=hf)
    signed = save_model(model, folder / "signed.riskml", cohort=hf, key=KEY)
    frame = hf.features.assign(
        patient_name=[f"Ann {PLANTED}{i}" for i in range(len(hf.features))],
        time=hf.outcome.time,
        death=hf.outcome.event.astype(int),
    )
    return {
        "model": model,
        "knn": knn,
        "svm": svm,
        "plain": plain,
        "signed": signed,
        "frame": frame,
        "coef": model.steps[-1][1].coef_.to_numpy(),
    }


# -- hand-made archives ---------------------------------------------------------------------


def _zip_bytes(members) -> bytes:
    """A zip archive from ``(name, method, payload, crc, size)``, payload as stored."""
    out, central = bytearray(), bytearray()
    for name, method, payload, crc, size in members:
        offset = len(out)
        raw = name.encode()
        out += struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(payload), size, len(raw), 0
        )
        out += raw + payload
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            method,
            0,
            0x21,
            crc,
            len(payload),
            size,
            len(raw),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += raw
    start = len(out)
    out += central
    out += struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), start, 0
    )
    return bytes(out)


def _zeros(mebibytes: int):
    """A deflated member of ``mebibytes`` MiB of zeros, built without compressing it all:
    one fully flushed 1 MiB block repeated (each block is self-contained)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(1 << 20)) + compressor.flush(zlib.Z_FULL_FLUSH)
    payload = block * mebibytes + compressor.flush(zlib.Z_FINISH)
    crc, chunk = 0, bytes(1 << 20)
    for _ in range(mebibytes):
        crc = zlib.crc32(chunk, crc)
    return payload, crc, mebibytes << 20


def _members_of(path):
    with zipfile.ZipFile(path) as archive:
        return [
            (i.filename, zipfile.ZIP_STORED, archive.read(i.filename), i.CRC, i.file_size)
            for i in archive.infolist()
        ]


def _bomb(mebibytes):
    def build(tmp_path, data):
        payload, crc, size = _zeros(mebibytes)
        members = _members_of(data["plain"])
        members.append(("bomb.npy", zipfile.ZIP_DEFLATED, payload, crc, size))
        path = tmp_path / "bomb.riskml"
        path.write_bytes(_zip_bytes(members))
        return (lambda: load_model(path)), [path]

    return build


def _rewrite(source, tmp_path, name="edited.riskml", *, members=None, header=None, extra=()):
    """A copy of ``source`` with member contents changed, the digest recomputed, the
    header changed by ``header(dict)``, and ``extra`` members added."""
    target = tmp_path / name
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            if item.filename == HEADER:
                continue
            content = old.read(item.filename)
            if members is not None:
                content = members(item.filename, content)
            new.writestr(item, content)
        for member_name, content, method in extra:
            new.writestr(zipfile.ZipInfo(member_name), content, compress_type=method)
    buffer = io.BytesIO(target.read_bytes())
    with zipfile.ZipFile(buffer, "a") as archive:
        text = json.loads(zipfile.ZipFile(source).read(HEADER))
        text["digest_sha256"] = _digest(archive)
        if header is not None:
            text = header(text)
        archive.writestr(HEADER, json.dumps(text))
    target.write_bytes(buffer.getvalue())
    return target


def _doubled_coefficients(data):
    def members(name, content):
        if not name.endswith(".npy"):
            return content
        array = np.load(io.BytesIO(content), allow_pickle=False)
        if array.shape == data["coef"].shape and np.array_equal(array, data["coef"]):
            out = io.BytesIO()
            np.save(out, array * 2, allow_pickle=False)
            return out.getvalue()
        return content

    return members


def _load(make_path, **options):
    def build(tmp_path, data):
        path = make_path(tmp_path, data)
        return (lambda: load_model(path, **options)), [path]

    return build


def _edited(strip=False, header=None):
    def make(tmp_path, data):
        def change(text):
            if strip:
                text.pop(SIGNATURE, None)
            return header(text) if header is not None else text

        return _rewrite(
            data["signed"], tmp_path, members=_doubled_coefficients(data), header=change
        )

    return make


def _signed_header_edit(tmp_path, data):
    return _rewrite(data["signed"], tmp_path, header=lambda h: {**h, "horizon_days": 365.0})


def _set_input(header, column, **changes):
    header = json.loads(json.dumps(header))
    header["inputs"]["columns"][column].update(changes)
    return header


def _copy(key):
    def make(tmp_path, data):
        target = tmp_path / f"{key}.riskml"
        target.write_bytes(data[key].read_bytes())
        return target

    return make


def _duplicate_member(tmp_path, data):
    target = tmp_path / "twice.riskml"
    target.write_bytes(data["plain"].read_bytes())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile's own "Duplicate name" warning
        with zipfile.ZipFile(target, "a") as archive:
            archive.writestr("schema.json", b"{}")
    return target


def _bzip2_member(tmp_path, data):
    return _rewrite(data["plain"], tmp_path, extra=[("notes.txt", b"x" * 100, zipfile.ZIP_BZIP2)])


def _huge_header(tmp_path, data):
    return _rewrite(
        data["plain"],
        tmp_path,
        header=lambda h: {**h, "padding": "x" * (17 * 1024 * 1024)},
    )


def _os_system(tmp_path, data):
    import skops.io as sio

    target = tmp_path / "forged.riskml"
    buffer = io.BytesIO(sio.dumps({"m": os.system}))
    with zipfile.ZipFile(buffer, "a") as archive:
        header = read_model_info(data["plain"])
        header["digest_sha256"] = _digest(archive)
        archive.writestr(HEADER, json.dumps(header))
    target.write_bytes(buffer.getvalue())
    return target


ORIGINAL = r"Use the original file"
FILE_CASES = [
    Case(
        "zip-bomb-as-in-the-issue",  # 1.5 MiB on disk, 1.5 GiB of zeros inside
        _bomb(1536),
        ModelFileError,
        r"bomb\.riskml: member 'bomb\.npy' would expand from 1\.\d MiB to 1\.5 GiB \([\d,]+ "
        r"times\), the mark of a zip bomb",
        r"Nothing was decompressed or loaded\. Use the original file",
    ),
    Case(
        "zip-bomb-small",
        _bomb(64),
        ModelFileError,
        r"member 'bomb\.npy' would expand from [\d.]+ KiB to 64\.0 MiB",
        ORIGINAL,
    ),
    Case(
        "model-larger-than-asked",
        _load(_copy("plain"), max_bytes=1024),
        ModelFileError,
        r"plain\.riskml would expand to more than 1\.0 KiB \(the limit of what riskml reads",
        r"pass load_model\(path, max_bytes=\.\.\.\) with a larger limit",
    ),
    Case(
        "member-stored-twice",
        _load(_duplicate_member),
        ModelFileError,
        r"twice\.riskml holds members stored twice under one name \(\['schema\.json'\]\)",
        ORIGINAL,
    ),
    Case(
        "bzip2-member",
        _load(_bzip2_member),
        ModelFileError,
        r"member 'notes\.txt' uses a compression method riskml never writes \(zip method 12\)",
        ORIGINAL,
    ),
    Case(
        "header-too-large",
        _load(_huge_header),
        ModelFileError,
        r"its 'riskml\.json' would be 17\.\d MiB, more than riskml reads \(16\.0 MiB\)",
        ORIGINAL,
    ),
    Case(
        "edited-coefficients-signed-file-with-key",
        _load(_edited(), key=KEY),
        ModelFileError,
        r"edited\.riskml: its signature does not match this key\. The file was edited after it "
        r"was signed",
        r"use the original file and the key it was signed with",
    ),
    Case(
        "edited-coefficients-signature-stripped-with-key",
        _load(_edited(strip=True), key=KEY),
        ModelFileError,
        r"edited\.riskml is not signed, but a key was given",
        r"save_model\(model, path, key=\.\.\.\)",
    ),
    Case(
        "edited-coefficients-signed-file-without-key",
        _load(_edited()),
        ModelSignatureWarning,
        r"edited\.riskml is signed, but no key was given, so its signature was not checked",
        r"Pass key=\.\.\. \(or set RISKML_MODEL_KEY",
        warns=True,
    ),
    Case(
        "edited-header-signed-file-with-key",
        _load(_signed_header_edit, key=KEY),
        ModelFileError,
        r"its signature does not match this key",
        r"use the original file",
    ),
    Case(
        "wrong-key",
        _load(_copy("signed"), key="another-key-of-32-characters-000"),
        ModelFileError,
        r"signed\.riskml: its signature does not match this key.*signed with another key",
        r"the key it was signed with",
    ),
    Case(
        "unsigned-file-with-key",
        _load(_copy("plain"), key=KEY),
        ModelFileError,
        r"plain\.riskml is not signed, but a key was given",
        r"sign the model when saving it",
    ),
    Case(
        "key-too-short-on-load",
        _load(_copy("signed"), key="short"),
        ValueError,
        r"key of load_model has 5 byte\(s\); a signing key needs at least 16",
        r"secrets\.token_hex\(32\)",
        absent=("short'",),
    ),
    Case(
        "key-not-text",
        _load(_copy("signed"), key=12345678901234567890),
        TypeError,
        r"key of load_model must be a secret string or bytes; got int",
        r"secrets\.token_hex\(32\)",
    ),
    Case(
        "read-model-info-wrong-key",
        lambda t, d: (lambda p: ((lambda: read_model_info(p, key="x" * 20)), [p]))(
            _copy("signed")(t, d)
        ),
        ModelFileError,
        r"its signature does not match this key",
        r"the key it was signed with",
    ),
    Case(
        "trusted-as-a-string",
        _load(_copy("plain"), trusted="mypackage.MyEstimator"),
        TypeError,
        r"trusted must be a list of fully qualified type names; got the string "
        r"'mypackage\.MyEstimator', which would be read letter by letter",
        r"trusted=\['mypackage\.MyEstimator'\]",
    ),
    Case(
        "trusted-as-bytes",
        _load(_copy("plain"), trusted=b"mypackage.MyEstimator"),
        TypeError,
        r"got the string 'mypackage\.MyEstimator', which would be read letter by letter",
        r"trusted=\[",
    ),
    Case(
        "trusted-as-a-dict",
        _load(_copy("plain"), trusted={"mypackage.MyEstimator": True}),
        TypeError,
        r"trusted must be a list of fully qualified type names.*got dict",
        r"trusted=\['mypackage\.models\.MyEstimator'\]",
    ),
    Case(
        "trusted-holds-a-number",
        _load(_copy("plain"), trusted=["mypackage.A", 3]),
        TypeError,
        r"trusted must hold type names as strings.*it holds a int",
        r"cls\.__module__",
    ),
    Case(
        "trusted-os-system",
        _load(_copy("plain"), trusted=["os.system"]),
        ValueError,
        r"trusted names 'os\.system': functions and classes of 'os' can run commands",
        r"remove that name from trusted",
    ),
    Case(
        "trusted-builtins-eval",
        _load(_copy("plain"), trusted=["builtins.eval"]),
        ValueError,
        r"trusted names 'builtins\.eval'",
        r"remove that name from trusted",
    ),
    Case(
        "trusted-bare-name",
        _load(_copy("plain"), trusted=["eval"]),
        ValueError,
        r"trusted holds 'eval', which is not a fully qualified type name",
        r"copy the name from load_model's refusal message",
    ),
    Case(
        "trusted-empty-name",
        _load(_copy("plain"), trusted=[" "]),
        ValueError,
        r"trusted holds '', which is not a fully qualified type name",
        r"module\.Name",
    ),
    Case(
        "file-naming-os-system",
        _load(_os_system),
        ModelFileError,
        r"names type\(s\) outside riskml's allow-list: .*system.*can run commands or open files: "
        r"this is not a model file",
        r"do not use it",
    ),
    *(
        Case(
            f"header-{label}",
            _load(lambda t, d, change=change: _rewrite(d["plain"], t, header=change)),
            ModelFileError,
            rf"edited\.riskml: its riskml\.json header is malformed \('{field}' must be",
            r"Use the original file, or save the model again",
        )
        for label, field, change in (
            ("columns-as-text", "columns", lambda h: {**h, "columns": "age,sex"}),
            ("horizon-as-text", "horizon_days", lambda h: {**h, "horizon_days": "ninety"}),
            ("horizon-negative", "horizon_days", lambda h: {**h, "horizon_days": -90}),
            ("outcome-kind-unknown", "outcome_kind", lambda h: {**h, "outcome_kind": "ordinal"}),
            (
                "conversion-factor-as-text",
                r"inputs\.conversions",
                lambda h: _set_input(
                    h, "serum_creatinine", conversions=[{"unit": "u", "factor": "x"}]
                ),
            ),
            ("maximum-as-text", r"inputs\.max", lambda h: _set_input(h, "age", max="95 years")),
            ("levels-as-numbers", r"inputs\.levels", lambda h: _set_input(h, "age", levels=[1, 2])),
        )
    ),
    Case(
        "max-bytes-zero",
        _load(_copy("plain"), max_bytes=0),
        ValueError,
        r"max_bytes must be a positive whole number of bytes",
        r"e\.g\. 2147483648",
    ),
    Case(
        "max-bytes-text",
        _load(_copy("plain"), max_bytes="2GB"),
        ValueError,
        r"max_bytes must be a positive whole number of bytes.*got '2GB'",
        r"e\.g\.",
    ),
]


@pytest.mark.parametrize("case", FILE_CASES, ids=lambda c: c.id)
def test_hostile_model_file(case, tmp_path, data):
    tracemalloc.start()
    try:
        check_case(case, tmp_path, data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # nothing the size of a bomb was ever decompressed (the 1.5 GiB case took 3.3 GiB)
    assert peak < 64 * 1024**2, f"{case.id}: {peak / 1024**2:.0f} MiB allocated"


def test_the_signature_is_an_hmac_of_the_header(data):
    """Oracle: Python's hmac over the header without its signature, as documented."""
    import hashlib
    import hmac

    header = json.loads(zipfile.ZipFile(data["signed"]).read(HEADER))
    body = {k: v for k, v in header.items() if k != SIGNATURE}
    message = b"riskml-model\0" + json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    expected = hmac.new(KEY.encode(), message, hashlib.sha256).hexdigest()
    assert header[SIGNATURE] == expected
    loaded = load_model(data["signed"], key=KEY)  # the right key loads, without a warning
    frame = data["frame"][list(data["model"].feature_names_in_)]
    np.testing.assert_array_equal(loaded.predict_risk(frame), data["model"].predict_risk(frame))


def test_an_unsigned_edit_loads_as_documented(tmp_path, data):
    """The digest detects damage, not edits: an edit with a recomputed digest and no
    signature loads without a key (the documented limit), and is refused with one."""
    path = _rewrite(data["plain"], tmp_path, members=_doubled_coefficients(data))
    frame = data["frame"][list(data["model"].feature_names_in_)]
    edited = load_model(path)
    assert not np.allclose(edited.predict_risk(frame), data["model"].predict_risk(frame))
    with pytest.raises(ModelFileError, match="is not signed, but a key was given"):
        load_model(path, key=KEY)
    assert "does *not* detect a deliberate edit" in persistence.__doc__


# -- models that hold patient rows ----------------------------------------------------------


def _save(model_key, **options):
    def build(tmp_path, data):
        keep = tmp_path / "keep.txt"
        keep.write_text("x")
        target = tmp_path / "model.riskml"
        return (lambda: save_model(data[model_key], target, **options)), [keep]

    return build


def _save_tuned_knn(tmp_path, data):
    keep = tmp_path / "keep.txt"
    keep.write_text("x")
    frame = data["frame"]
    X = frame[list(data["model"].feature_names_in_)]
    y = rk.Outcome.survival(frame["time"], frame["death"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tuned = make_model("knn", horizon=90, tune=True).fit(X, y)
    return (lambda: save_model(tuned, tmp_path / "tuned.riskml")), [keep]


ROWS_FIX = r"choose a model that keeps only aggregate parameters.*allow_training_rows=True"
ROWS_CASES = [
    Case(
        "save-knn",
        _save("knn"),
        ValueError,
        r"save_model refused: the model holds training patients' rows.*KNeighborsClassifier\._fit_X,"
        r" up to \d+ rows: k-nearest neighbours predict from the training patients themselves",
        ROWS_FIX,
    ),
    Case(
        "save-svm",
        _save("svm"),
        ValueError,
        r"SVC\.support_vectors_, up to \d+ rows in each of 5 fitted copies: a support vector "
        r"machine predicts from its support vectors",
        ROWS_FIX,
    ),
    Case(
        "save-tuned-knn",
        _save_tuned_knn,
        ValueError,
        r"KNeighborsClassifier\._fit_X",
        ROWS_FIX,
    ),
    Case(
        "allow-training-rows-not-a-bool",
        _save("knn", allow_training_rows="yes"),
        TypeError,
        r"allow_training_rows must be True or False; got str",
        r"True or False",
    ),
    Case(
        "save-key-too-short",
        _save("model", key="abc"),
        ValueError,
        r"key of save_model has 3 byte\(s\)",
        r"secrets\.token_hex\(32\)",
    ),
    Case(
        "save-key-a-number",
        _save("model", key=3.5),
        TypeError,
        r"key of save_model must be a secret string or bytes; got float",
        r"keep it out of the model's folder",
    ),
]


@pytest.mark.parametrize("case", ROWS_CASES, ids=lambda c: c.id)
def test_bad_save_hardened(case, tmp_path, data):
    check_case(case, tmp_path, data)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"], "something was written"


def test_knn_and_svm_save_as_patient_data_when_asked(tmp_path, data):
    frame = data["frame"][list(data["model"].feature_names_in_)]
    for name in ("knn", "svm"):
        path = save_model(data[name], tmp_path / f"{name}.riskml", allow_training_rows=True)
        rows = read_model_info(path)["training_rows"]
        assert rows and rows[0]["rows"] > 0
        loaded = load_model(path)
        np.testing.assert_array_equal(loaded.predict_risk(frame), data[name].predict_risk(frame))


# -- writes that fail, concurrent runs, interrupts --------------------------------------------


@contextlib.contextmanager
def _patched(target, name, value):
    original = getattr(target, name)
    setattr(target, name, value)
    try:
        yield
    finally:
        setattr(target, name, original)


def _raises(exception):
    def function(*args, **kwargs):
        raise exception

    return function


def _predict_cli(patches=(), *, out="risks.csv", env=None, extra=(), model_copy=False):
    """``riskml predict`` with attributes patched during the call only (``model_copy``: the
    model is copied into ``tmp_path`` first)."""

    def build(tmp_path, data):
        path = tmp_path / "patients.csv"
        data["frame"].to_csv(path, index=False)
        target = out if out.startswith("/") else f"{tmp_path}/{out}"  # a trailing "/" is kept
        model = data["signed"] if env is not None else data["plain"]
        if model_copy:
            model = _copy("plain")(tmp_path, data)

        def call():
            with contextlib.ExitStack() as stack:
                for owner, name, make in patches:
                    stack.enter_context(_patched(owner, name, make(tmp_path)))
                if env is not None:
                    stack.enter_context(_environment(persistence.KEY_ENVIRONMENT_VARIABLE, env))
                run_cli("predict", model, path, *extra, "--out", target)

        return call, [path, model]

    return build


@contextlib.contextmanager
def _environment(name, value):
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def _other_run_writes(name):
    """check_inputs of a run during which another run writes ``name`` first."""
    original = riskml.deployment.check_inputs

    def make(tmp_path):
        def check(*args, **kwargs):
            (tmp_path / name).write_text("the other run's risks")
            return original(*args, **kwargs)

        return check

    return (riskml.deployment, "check_inputs", make)


def _full_disk(tmp_path):
    return _raises(OSError(errno.ENOSPC, "No space left on device"))


def _read_only_now(tmp_path):
    return _raises(OSError(errno.EROFS, "Read-only file system"))


def _not_writable(tmp_path):
    return lambda path, mode, **kwargs: False


def _interrupt(tmp_path):
    return _raises(KeyboardInterrupt())


WRITE_CASES = [
    Case(
        "predict-concurrent-run-wrote-the-output",
        _predict_cli([_other_run_writes("risks.csv")]),
        CommandFailed,
        r"risks\.csv' was written by another run while this one was running \(it did not exist "
        r"when this run checked it\); riskml does not replace it",
        r"run again with another output name or folder",
    ),
    Case(
        "predict-disk-full",
        _predict_cli([(persistence.os, "fsync", _full_disk)]),
        CommandFailed,
        r"could not write the output file '.*risks\.csv': the disk is full \(ENOSPC\)\. Nothing "
        r"was written",
        r"free some space, or choose a folder on another disk",
    ),
    Case(
        "predict-folder-read-only-at-write-time",
        _predict_cli([(persistence.tempfile, "mkstemp", _read_only_now)]),
        CommandFailed,
        r"could not write the output file '.*risks\.csv': the file system is read-only "
        r"\(EROFS\)",
        r"choose a folder you can write to",
    ),
    Case(
        "predict-folder-not-writable",  # chmod has no effect for root: os.access says so
        _predict_cli([(persistence.os, "access", _not_writable)]),
        CommandFailed,
        r"the folder '.*' is not writable; choose a folder you can write to for the output file",
        r"choose a folder you can write to",
    ),
    Case(
        "predict-out-under-a-file",
        lambda t, d: _predict_cli(out="patients.csv/risks.csv")(t, d),
        CommandFailed,
        r"the output file '.*patients\.csv/risks\.csv' cannot be written: '.*patients\.csv' is "
        r"a file, not a folder",
        r"Choose a path inside a folder",
    ),
    Case(
        "predict-out-names-a-folder-to-be",
        _predict_cli(out="results/"),
        CommandFailed,
        r"'.*results/' is not a file name; give the output file a file name",
        r"e\.g\. 'out\.csv'",
    ),
    Case(
        "predict-out-a-device",
        _predict_cli(out="/dev/null", extra=("--overwrite",)),
        CommandFailed,
        r"'/dev/null' is not a regular file \(a device, a pipe or a socket\)",
        r"Choose another path for the output file",
    ),
    Case(
        "predict-out-is-the-input",
        _predict_cli(out="patients.csv", extra=("--overwrite",)),
        CommandFailed,
        r"--out names the input file",
        r"choose another output file",
    ),
    Case(
        "predict-out-is-the-model",
        lambda t, d: _predict_cli(out="plain.riskml", extra=("--overwrite",), model_copy=True)(
            t, d
        ),
        CommandFailed,
        r"--out names the model file",
        r"choose another output file",
    ),
    Case(
        "predict-interrupted",
        _predict_cli([(riskml.deployment, "check_inputs", _interrupt)]),
        CommandFailed,
        r"^exit 130: riskml predict: interrupted; nothing was written\.\n$",
        r"nothing was written",
    ),
    Case(
        "predict-unexpected-error",
        _predict_cli(
            [(riskml.deployment, "check_inputs", lambda t: _raises(RuntimeError("boom")))]
        ),
        CommandFailed,
        r"^exit 1: riskml predict: error: RuntimeError: boom \(unexpected; nothing was written",
        r"Set RISKML_DEBUG=1 to see the traceback",
    ),
    Case(
        "predict-out-of-memory",
        _predict_cli([(riskml.deployment, "check_inputs", lambda t: _raises(MemoryError()))]),
        CommandFailed,
        r"riskml predict: error: out of memory; nothing was written",
        r"a smaller input, or a machine with more memory",
    ),
    Case(
        "predict-wrong-key-in-environment",
        _predict_cli(env="another-key-of-32-characters-000"),
        CommandFailed,
        r"signed\.riskml: its signature does not match this key",
        r"the key it was signed with",
    ),
    Case(
        "predict-empty-key-in-environment",
        _predict_cli(env="  "),
        CommandFailed,
        r"RISKML_MODEL_KEY is set but empty",
        r"unset RISKML_MODEL_KEY",
    ),
]


@pytest.mark.parametrize("case", WRITE_CASES, ids=lambda c: c.id)
def test_failed_prediction_writes(case, tmp_path, data):
    message = check_case(case, tmp_path, data)
    assert "Traceback" not in message and message.count("\n") == 1, message
    names = sorted(p.name for p in tmp_path.iterdir())
    other = (tmp_path / "risks.csv").exists()
    assert (tmp_path / "patients.csv").read_text().startswith("age,")
    if case.id == "predict-concurrent-run-wrote-the-output":
        assert (tmp_path / "risks.csv").read_text() == "the other run's risks"
    else:
        assert not other, "a failed run wrote its output"
    assert not [n for n in names if n.endswith(".tmp")], names


def test_predict_with_the_right_key_in_the_environment(tmp_path, data):
    path = tmp_path / "patients.csv"
    data["frame"].to_csv(path, index=False)
    with _environment(persistence.KEY_ENVIRONMENT_VARIABLE, KEY):
        run_cli("predict", data["signed"], path, "--out", tmp_path / "risks.csv")
    assert pd.read_csv(tmp_path / "risks.csv").shape == (len(data["frame"]), 2)


def _validate_cli(patches=(), *, out="results"):
    def build(tmp_path, data):
        path = tmp_path / "cohort.csv"
        data["frame"].to_csv(path, index=False)

        def call():
            with contextlib.ExitStack() as stack:
                for owner, name, make in patches:
                    stack.enter_context(_patched(owner, name, make(tmp_path)))
                run_cli(
                    "validate",
                    data["plain"],
                    path,
                    "--outcome",
                    "death",
                    "--n-boot",
                    "50",
                    "--out",
                    tmp_path / out,
                )

        return call, [path, data["plain"]]

    return build


def _study_file(patches, *, command="run", out="report"):
    def build(tmp_path, data):
        study = tmp_path / "study.yaml"
        study.write_text("cohort: {generator: make_young_hypertension}\n")

        def call():
            with contextlib.ExitStack() as stack:
                for owner, name, make in patches:
                    stack.enter_context(_patched(owner, name, make(tmp_path)))
                if command == "run":
                    run_cli("run", study, "--out", tmp_path / out)
                else:
                    run_cli("demo", "--out", tmp_path / out)

        return call, [study]

    return build


def _makes_folder_then(exception):
    """A study run that creates its output folder and then fails."""

    def make(tmp_path):
        def run(path_or_out, out=None, **kwargs):
            folder = Path(out if out is not None else path_or_out)
            folder.mkdir(parents=True, exist_ok=True)
            raise exception

        return run

    return make


FOLDER_CASES = [
    Case(
        "validate-disk-full",
        _validate_cli([(persistence.os, "fsync", _full_disk)]),
        CommandFailed,
        r"could not write the validation results '.*validation_metrics\.csv': the disk is full",
        r"free some space",
    ),
    Case(
        "validate-read-only-at-write-time",
        _validate_cli([(persistence.tempfile, "mkstemp", _read_only_now)]),
        CommandFailed,
        r"the file system is read-only \(EROFS\)\. Nothing was written: the partial file was "
        r"removed, and any folder made for it",
        r"choose a folder you can write to",
    ),
    Case(
        "validate-out-under-a-file",
        _validate_cli(out="cohort.csv/results"),
        CommandFailed,
        r"--out '.*cohort\.csv/results' cannot be created: '.*cohort\.csv' is a file, not a folder",
        r"give a folder inside an existing folder",
    ),
    Case(
        "validate-interrupted",
        _validate_cli([(riskml.evaluation, "external_validation", _interrupt)]),
        CommandFailed,
        r"^exit 130: riskml validate: interrupted; nothing was written\.\n$",
        r"nothing was written",
    ),
    Case(
        "run-interrupted",
        _study_file([(riskml.cli, "run_study_file", _makes_folder_then(KeyboardInterrupt()))]),
        CommandFailed,
        r"^exit 130: riskml run: interrupted; nothing was written\.\n$",
        r"nothing was written",
    ),
    Case(
        "run-disk-full",
        _study_file(
            [
                (
                    riskml.cli,
                    "run_study_file",
                    _makes_folder_then(
                        WriteError(
                            "could not write the report 'r': the disk is full "
                            "(ENOSPC). Fix: free some space.",
                            errno.ENOSPC,
                        )
                    ),
                )
            ]
        ),
        CommandFailed,
        r"^exit 2: riskml run: error: could not write the report 'r': the disk is full",
        r"free some space",
    ),
    Case(
        "demo-interrupted",
        _study_file(
            [(riskml.cli, "run_demo", _makes_folder_then(KeyboardInterrupt()))], command="demo"
        ),
        CommandFailed,
        r"^exit 130: riskml demo: interrupted; nothing was written\.\n$",
        r"nothing was written",
    ),
    Case(
        "demo-out-under-a-file",
        _study_file([], command="demo", out="study.yaml/demo"),
        CommandFailed,
        r"riskml demo: error: --out '.*study\.yaml/demo' cannot be created: '.*study\.yaml' is a "
        r"file",
        r"give a folder",
    ),
]


@pytest.mark.parametrize("case", FOLDER_CASES, ids=lambda c: c.id)
def test_failed_runs_leave_no_folder(case, tmp_path, data):
    message = check_case(case, tmp_path, data)
    assert "Traceback" not in message and message.count("\n") == 1, message
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left in (["cohort.csv"], ["study.yaml"]), f"left behind: {left}"


def test_a_report_written_meanwhile_by_another_run_is_kept(tmp_path, monkeypatch):
    """Two runs into one folder: the second refuses to replace the first's report."""
    from riskml.report import _html

    target = tmp_path / "out" / "report.html"

    def render(*args, **kwargs):
        target.parent.mkdir(exist_ok=True)
        target.write_text("the first run's report")  # finishes while this run renders
        return "<html>this run</html>"

    monkeypatch.setattr(_html, "render_report", render)
    monkeypatch.setattr(_html, "_check_sections", lambda sections: None)
    with pytest.raises(FileExistsError, match=r"was written by another run while this one"):
        _html.write_report(object(), target)
    assert target.read_text() == "the first run's report"
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.html"]


def test_a_report_on_a_full_disk_leaves_no_folder(tmp_path, monkeypatch):
    from riskml.report import _html

    monkeypatch.setattr(_html, "render_report", lambda *a, **k: "<html></html>")
    monkeypatch.setattr(persistence.os, "fsync", _full_disk(tmp_path))
    with pytest.raises(WriteError, match=r"report '.*report\.html': the disk is full \(ENOSPC\)"):
        _html.write_report(object(), tmp_path / "new" / "deeper" / "report.html")
    assert list(tmp_path.iterdir()) == []


def test_a_model_saved_meanwhile_by_another_run_is_kept(tmp_path, monkeypatch, data):
    target = tmp_path / "model.riskml"
    versions = persistence._versions

    def other_run_first():
        target.write_bytes(b"the other run's model")
        return versions()

    monkeypatch.setattr(persistence, "_versions", other_run_first)
    with pytest.raises(FileExistsError, match=r"model\.riskml' was written by another run"):
        save_model(data["model"], target)
    assert target.read_bytes() == b"the other run's model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.riskml"]
