"""Bad model files and bad command lines: refused with the problem and the fix, inputs
unchanged, nothing from a file run (marker files prove it).

See conftest.py for what every case asserts.
"""

import io
import json
import pickle
import warnings
import zipfile
from pathlib import Path

import pytest
import skops.io as sio

import riskml as rk
from riskml.models import make_model
from riskml.persistence import HEADER, ModelFileError, ModelVersionWarning, _digest, load_model

from .conftest import Case, CommandFailed, check_case, run_cli


class _Marker:
    """Unpickling it creates a file: the proof that code ran."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (Path.touch, (Path(self.path),))


class _Trap:
    """Building it (skops calls __setstate__) creates a file."""

    def __init__(self, path=""):
        self.path = str(path)

    def __setstate__(self, state):
        Path(state["path"]).touch()
        self.__dict__.update(state)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        train = rk.cohorts.make_hf_registry(
            n_patients=500, random_state=0, competing_death="exclude"
        )
        model = make_model("logistic").fit(train.features, train.outcome)
        frame = rk.cohorts.make_hf_registry(n_patients=200, random_state=3, return_frame=True)
    path = rk.save_model(model, folder / "model.riskml", cohort=train)
    return {
        "model": model,
        "path": path,
        "frame": frame,
        "header": rk.persistence.read_model_info(path),
    }


def _write(tmp_path, name, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def _forged(tmp_path, payload: bytes, header: dict, **changes) -> Path:
    buffer = io.BytesIO(payload)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr(
            HEADER, json.dumps(dict(header, digest_sha256=_digest(archive), **changes))
        )
    return _write(tmp_path, "forged.riskml", buffer.getvalue())


def _load(build_path):
    def build(tmp_path, data):
        path = build_path(tmp_path, data)
        return (lambda: load_model(path)), [path]

    return build


def _pickle(suffix, protocol=pickle.HIGHEST_PROTOCOL):
    return _load(
        lambda t, d: _write(t, f"model{suffix}", pickle.dumps(_Marker(t / "marker"), protocol))
    )


def _with_header(tmp_path, data, **changes):
    source = data["path"]
    target = tmp_path / "edited.riskml"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            content = old.read(item.filename)
            if item.filename == HEADER:
                header = json.loads(content)
                header.update(changes)
                content = json.dumps(header).encode()
            new.writestr(item, content)
    return target


def _changed(tmp_path, data):
    target = tmp_path / "changed.riskml"
    with zipfile.ZipFile(data["path"]) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            content = old.read(item.filename)
            if item.filename.endswith(".npy"):
                content = content[:-8] + b"\x00" * 8
            new.writestr(item, content)
    return target


def _zip(tmp_path, data):
    path = tmp_path / "archive.riskml"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "a zip, not a model")
    return path


REFUSED = "Nothing was loaded"
MODEL_CASES = [
    *(
        Case(
            f"pickle{suffix or '-no-suffix'}",
            _pickle(suffix),
            ModelFileError,
            r"looks like a Python pickle\. riskml never loads pickles",
            r"re-save it with riskml\.save_model",
        )
        for suffix in (".riskml", ".pkl", ".joblib", ".skops", "")
    ),
    Case(
        "pickle-protocol-0",
        _pickle(".riskml", protocol=0),
        ModelFileError,
        r"is not a riskml model file \(it is not a zip archive\)",
        r"Model files are written by riskml\.save_model",
    ),
    Case(
        "skops-file-not-from-riskml",
        _load(lambda t, d: _write(t, "model.skops", sio.dumps(_Trap(t / "marker")))),
        ModelFileError,
        r"is a skops file that riskml\.save_model did not write",
        r"Save the model with riskml\.save_model",
    ),
    Case(
        "skops-untrusted-type",
        _load(lambda t, d: _forged(t, sio.dumps({"m": _Trap(t / "marker")}), d["header"])),
        ModelFileError,
        r"names type\(s\) outside riskml's allow-list: .*_Trap",
        r"pass trusted=\[\.\.\.\]",
    ),
    Case(
        "skops-dangerous-function",
        _load(lambda t, d: _forged(t, sio.dumps({"m": __import__("os").system}), d["header"])),
        ModelFileError,
        r"outside riskml's allow-list: .*system",
        r"building them could run code",
    ),
    Case(
        "zip-not-a-model",
        _load(_zip),
        ModelFileError,
        r"is a zip archive that riskml\.save_model did not write",
        REFUSED,
    ),
    Case(
        "truncated-model-file",
        _load(lambda t, d: _write(t, "cut.riskml", d["path"].read_bytes()[:5000])),
        ModelFileError,
        r"is a damaged or truncated zip archive",
        r"Copy the file again or save the model again",
    ),
    Case(
        "changed-model-file",
        _load(_changed),
        ModelFileError,
        r"was changed after riskml wrote it",
        r"Use the original file, or save the model again",
    ),
    Case(
        "newer-format",
        _load(lambda t, d: _with_header(t, d, format_version=7)),
        ModelFileError,
        r"uses model-file format 7",
        r"Upgrade riskml",
    ),
    Case(
        "foreign-header",
        _load(lambda t, d: _with_header(t, d, format="someone-else")),
        ModelFileError,
        r"header does not say 'riskml-model'",
        REFUSED,
    ),
    Case(
        "old-riskml-version",
        _load(
            lambda t, d: _with_header(t, d, versions={**d["header"]["versions"], "riskml": "0.0.1"})
        ),
        ModelVersionWarning,
        r"was written with other versions: riskml 0\.0\.1 \(installed: ",
        r"re-fit and save the model with the installed versions",
        warns=True,
    ),
    Case(
        "empty-model-file",
        _load(lambda t, d: _write(t, "empty.riskml", b"")),
        ModelFileError,
        r"empty\.riskml is empty",
        r"Save the model again",
    ),
    Case(
        "csv-named-riskml",
        _load(lambda t, d: _write(t, "data.riskml", b"patient_id,age\nP-0001,50\n")),
        ModelFileError,
        r"not a riskml model file \(it is not a zip archive\)",
        r"written by riskml\.save_model",
        absent=("P-0001",),
    ),
]


@pytest.mark.parametrize("case", MODEL_CASES, ids=lambda c: c.id)
def test_bad_model_file(case, tmp_path, data):
    check_case(case, tmp_path, data)
    assert not (tmp_path / "marker").exists(), "code from the file ran"


# -- saving ------------------------------------------------------------------------------


def _save(target, model=None, **options):
    def build(tmp_path, data):
        path, inputs = target(tmp_path)
        chosen = data["model"] if model is None else model
        return (lambda: rk.save_model(chosen, path, **options)), inputs

    return build


def _existing(tmp_path):
    path = _write(tmp_path, "model.riskml", b"an earlier file")
    return path, [path]


def _link(tmp_path):
    target = _write(tmp_path, "target.txt", b"not to be touched")
    link = tmp_path / "model.riskml"
    link.symlink_to(target)
    return link, [target]


def _keep(tmp_path):
    keep = _write(tmp_path, "keep.txt", b"x")
    return tmp_path / "absent" / "model.riskml", [keep]


SAVE_CASES = [
    Case(
        "save-existing-file",
        _save(_existing),
        FileExistsError,
        r"already exists; riskml does not replace files",
        r"pass overwrite=True",
    ),
    Case(
        "save-through-symlink",
        _save(_link),
        FileExistsError,
        r"is a symbolic link; riskml does not write through links",
        r"pass overwrite=True to replace the link itself",
    ),
    Case(
        "save-missing-folder",
        _save(_keep),
        FileNotFoundError,
        r"folder .*absent' for the model file does not exist",
        r"create it first",
    ),
    Case(
        "save-unfitted-model",
        _save(lambda t: (t / "m.riskml", [_write(t, "keep.txt", b"x")]), model=make_model("cox")),
        ValueError,
        r"needs a fitted model; this RiskPipeline is not fitted",
        r"Call model\.fit\(X, y\) first",
    ),
]


@pytest.mark.parametrize("case", SAVE_CASES, ids=lambda c: c.id)
def test_bad_save(case, tmp_path, data):
    check_case(case, tmp_path, data)


# -- the command line --------------------------------------------------------------------


def _cli(edit=None, *, command="predict", extra=(), out="risks.csv", input_bytes=None):
    def build(tmp_path, data):
        frame = data["frame"].copy()
        if edit is not None:
            frame = edit(frame)
        path = tmp_path / "patients.csv"
        if input_bytes is not None:
            path.write_bytes(input_bytes(frame))
        else:
            frame.to_csv(path, index=False)
        model = data["path"]
        args = [command, model, path, *extra, "--out", tmp_path / out]
        return (lambda: run_cli(*args)), [path, model]

    return build


def _text_in_bun(frame):
    frame["bun"] = frame["bun"].astype(object)
    frame.loc[[1, 4], "bun"] = "<5"
    return frame


CLI_CASES = [
    Case(
        "predict-missing-columns",
        _cli(lambda f: f.drop(columns=["bun", "sodium"])),
        CommandFailed,
        r"patients\.csv lacks 2 of the model's \d+ input column\(s\): \['sodium', 'bun'\]",
        r"add each missing column with the name used in training",
        absent=("P0",),
    ),
    Case(
        "predict-renamed-column",
        _cli(lambda f: f.rename(columns={"age": "Age"})),
        CommandFailed,
        r"lacks 1 of the model's",
        r"rename 'Age' -> 'age'",
    ),
    Case(
        "predict-text-in-numbers",
        _cli(_text_in_bun),
        CommandFailed,
        r"bun: float values: 2 rows break it",
        r"write plain numbers",
    ),
    Case(
        "predict-empty-input",
        _cli(input_bytes=lambda f: b""),
        CommandFailed,
        r"patients\.csv is empty \(0 bytes\)",
        r"export the cohort again",
    ),
    Case(
        "predict-input-not-utf8",
        _cli(
            input_bytes=lambda f: (
                f.to_csv(index=False).encode().replace(b",white,", b",whit\xe9,", 1)
            )
        ),
        CommandFailed,
        r"holds bytes that are not UTF-8 text",
        r"re-save the file as UTF-8",
    ),
    Case(
        "predict-out-missing-folder",
        _cli(out="absent/risks.csv"),
        CommandFailed,
        r"for the output file does not exist",
        r"create it first",
    ),
    Case(
        "validate-outcome-not-binary",
        _cli(
            lambda f: f.assign(readmit_30d=f["readmit_30d"].where(f.index != 3, 7)),
            command="validate",
            extra=("--outcome", "readmit_30d"),
            out="results",
        ),
        CommandFailed,
        r"outcome column 'readmit_30d' must be 1 \(event\) or 0 \(no event\) in every row; 1 "
        r"row\(s\) are not \(first rows: \[4\]",
        r"code the outcome 0/1",
    ),
    Case(
        "validate-outcome-column-absent",
        _cli(command="validate", extra=("--outcome", "died"), out="results"),
        CommandFailed,
        r"patients\.csv has no column 'died' \(--outcome\)",
        r"its columns include",
    ),
    Case(
        "validate-survival-without-horizon",
        _cli(
            command="validate",
            extra=("--outcome", "readmit_event", "--time", "readmit_time_days"),
            out="results",
        ),
        CommandFailed,
        r"a time-to-event validation needs --horizon DAYS",
        r"--horizon DAYS",
    ),
    Case(
        "validate-nonpositive-times",
        _cli(
            lambda f: f.assign(death_time_days=f["death_time_days"].where(f.index != 0, -3)),
            command="validate",
            extra=("--outcome", "death_event", "--time", "death_time_days", "--horizon", "365"),
            out="results",
        ),
        CommandFailed,
        r"follow-up time 'death_time_days' must be a positive number of days",
        r"correct them or drop those rows",
    ),
]


@pytest.mark.parametrize("case", CLI_CASES, ids=lambda c: c.id)
def test_bad_command_line(case, tmp_path, data):
    check_case(case, tmp_path, data)
    assert not (tmp_path / "risks.csv").exists()
    assert not (tmp_path / "results" / "validation_metrics.csv").exists()


def test_predict_refuses_a_pickled_model_without_running_it(tmp_path, data):
    marker = tmp_path / "marker"
    model = _write(tmp_path, "model.riskml", pickle.dumps(_Marker(marker)))
    data["frame"].to_csv(tmp_path / "patients.csv", index=False)
    with pytest.raises(CommandFailed, match="looks like a Python pickle"):
        run_cli("predict", model, tmp_path / "patients.csv", "--out", tmp_path / "risks.csv")
    assert not marker.exists() and not (tmp_path / "risks.csv").exists()
