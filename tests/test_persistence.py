"""Model files: save_model / load_model round trips and everything load_model refuses.

Oracle for the round trips: the fitted model itself; predictions after loading must
be bit-identical (assert_array_equal, no tolerance) on patients the model never
saw, missing values included. Oracle for "nothing runs": marker files that a
pickle's ``__reduce__`` or a foreign class's ``__setstate__`` would create.
"""

import io
import json
import os
import pickle
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io as sio

import riskml as rk
from riskml.models import make_model
from riskml.persistence import (
    HEADER,
    ModelFileError,
    ModelVersionWarning,
    _digest,
    allowed_types,
    load_model,
    read_model_info,
    save_model,
)

HORIZON = 1004.0


@pytest.fixture(scope="module")
def cohorts():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        train = rk.cohorts.make_young_hypertension(n_patients=200, random_state=0)
        new = rk.cohorts.make_young_hypertension(n_patients=60, random_state=1)
    return train, new


_OPTIONS = {
    "random_forest": {"n_estimators": 40},
    # 200 patients and every candidate predictor: the unpenalised Cox fit separates
    "cox": {"penalizer": 0.01},
    "framingham_recalibrated": {},
}


@pytest.fixture(scope="module")
def fitted(cohorts):
    train, _ = cohorts
    models = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in (
            "xgboost",
            "xgboost_survival",
            "cox",
            "random_forest",
            "bayes_net",
            "logistic",
            "framingham_recalibrated",
        ):
            extra = dict(_OPTIONS.get(name, {}))
            if name.startswith("framingham"):
                extra["framingham_inputs"] = train.framingham_inputs
            model = make_model(name, horizon=HORIZON, **extra)
            models[name] = model.fit(train.features, train.outcome)
    return models


@pytest.mark.parametrize(
    "name",
    [
        "xgboost",
        "xgboost_survival",
        "cox",
        "random_forest",
        "bayes_net",
        "logistic",
        "framingham_recalibrated",
    ],
)
@pytest.mark.filterwarnings("ignore::riskml.models.OutOfRangeWarning")
def test_round_trip_gives_identical_predictions(name, fitted, cohorts, tmp_path):
    train, new = cohorts
    model = fitted[name]
    X = new.features.copy()
    X.iloc[:5, :10] = np.nan  # unseen patients with missing values
    before = model.predict_risk(X, horizon=HORIZON)
    path = save_model(model, tmp_path / f"{name}.riskml", cohort=train)
    loaded = load_model(path)
    assert type(loaded) is type(model)
    np.testing.assert_array_equal(loaded.predict_risk(X, horizon=HORIZON), before)
    # the model saved is left as it was
    np.testing.assert_array_equal(model.predict_risk(X, horizon=HORIZON), before)


def test_cox_and_bayes_net_internals_are_rebuilt_not_just_predictions(fitted, tmp_path, capsys):
    cox = load_model(save_model(fitted["cox"], tmp_path / "cox.riskml"))
    original = fitted["cox"].steps[-1][1]
    rebuilt = cox.steps[-1][1]
    assert isinstance(original.lifelines_.params_, pd.Series)  # save did not convert it
    pd.testing.assert_frame_equal(rebuilt.summary, original.summary)
    pd.testing.assert_series_equal(rebuilt.centers_, original.centers_)
    for before, after in zip(original.baselines_, rebuilt.baselines_, strict=True):
        np.testing.assert_array_equal(after.times, before.times)
        np.testing.assert_array_equal(after.cumulative_hazard, before.cumulative_hazard)
    original.print_summary()
    printed = capsys.readouterr().out
    rebuilt.print_summary()
    assert capsys.readouterr().out == printed  # patients and events are counts, kept
    net = load_model(save_model(fitted["bayes_net"], tmp_path / "bn.riskml")).steps[-1][1]
    source = fitted["bayes_net"].steps[-1][1]
    assert sorted(net.network_.edges()) == sorted(source.network_.edges())
    for cpd in source.network_.get_cpds():
        np.testing.assert_array_equal(
            net.network_.get_cpds(cpd.variable).get_values(), cpd.get_values()
        )


def test_header_stores_versions_columns_schema_and_outcome(fitted, cohorts, tmp_path):
    train, _ = cohorts
    path = save_model(fitted["xgboost"], tmp_path / "m.riskml", cohort=train)
    info = read_model_info(path)
    assert info["format"] == "riskml-model" and info["format_version"] == 1
    assert info["versions"]["riskml"] == rk.__version__
    assert {"numpy", "pandas", "scikit-learn", "xgboost", "skops"} <= set(info["versions"])
    assert [c["name"] for c in info["columns"]] == list(train.features.columns)
    dtypes = {c["name"]: c["dtype"] for c in info["columns"]}
    assert dtypes["office_sbp"] == "float64"
    assert dtypes == {c: str(t) for c, t in train.features.dtypes.items()}
    assert info["schema_name"] == "young_htn"
    assert info["horizon_days"] == HORIZON and info["final_estimator"] == "XGBoostRisk"
    # no patient values in the header
    text = (zipfile.ZipFile(path).read(HEADER)).decode()
    assert str(train.ids[0]) not in json.loads(text)["columns"][0].values()


def test_columns_without_a_cohort_come_from_the_model(fitted, cohorts, tmp_path):
    train, _ = cohorts
    info = read_model_info(save_model(fitted["cox"], tmp_path / "m.riskml"))
    assert [c["name"] for c in info["columns"]] == list(train.features.columns)
    assert info["schema_name"] is None
    kinds = {c["name"]: c["dtype"] for c in info["columns"]}
    assert kinds["office_sbp"] == "float64" and kinds["sex"] == "object"


def test_top_level_exports_are_lazy():
    assert rk.save_model is save_model and rk.load_model is load_model


def test_allow_list_covers_every_model_class():
    allowed = allowed_types()
    for name in rk.models.__all__:
        value = getattr(rk.models, name)
        if isinstance(value, type) and value.__module__.startswith("riskml."):
            assert f"{value.__module__}.{value.__qualname__}" in allowed
    assert not any(t.startswith(("builtins.eval", "os.", "subprocess.")) for t in allowed)


# -- writing ------------------------------------------------------------------------


def test_save_refuses_to_overwrite_and_symlinks(fitted, tmp_path):
    model = fitted["logistic"]
    path = save_model(model, tmp_path / "m.riskml")
    original = path.read_bytes()
    with pytest.raises(FileExistsError, match=r"already exists.*overwrite=True"):
        save_model(model, path)
    assert path.read_bytes() == original
    target = tmp_path / "target.txt"
    target.write_text("keep me")
    link = tmp_path / "link.riskml"
    link.symlink_to(target)
    with pytest.raises(FileExistsError, match="symbolic link"):
        save_model(model, link)
    save_model(model, link, overwrite=True)  # replaces the link, not its target
    assert target.read_text() == "keep me" and not link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.riskml", "m.riskml", "target.txt"]


def test_save_checks_the_folder_and_the_model(fitted, tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist; create it first"):
        save_model(fitted["logistic"], tmp_path / "absent" / "m.riskml")
    with pytest.raises(IsADirectoryError, match="is a folder"):
        save_model(fitted["logistic"], tmp_path)
    with pytest.raises(ValueError, match="needs a fitted model.*fit"):
        save_model(make_model("logistic"), tmp_path / "m.riskml")
    with pytest.raises(TypeError, match="saves fitted riskml models"):
        save_model(object(), tmp_path / "m.riskml")
    assert list(tmp_path.iterdir()) == []


def test_interrupted_write_leaves_no_temporary_file(fitted, tmp_path, monkeypatch):
    import riskml.persistence as persistence

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(persistence.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_model(fitted["logistic"], tmp_path / "m.riskml")
    assert list(tmp_path.iterdir()) == []


# -- reading: what is refused, without running anything --------------------------------


class _Marker:
    """Unpickling (or building) it creates a file: the proof that code ran."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (Path.touch, (Path(self.path),))


class _Trap:
    """A foreign class whose __setstate__ would run on construction."""

    def __init__(self, path=""):
        self.path = str(path)

    def __setstate__(self, state):
        Path(state["path"]).touch()
        self.__dict__.update(state)


@pytest.mark.parametrize("suffix", [".riskml", ".pkl", ".skops", ".joblib", ""])
@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_a_pickle_under_any_name_is_refused_without_running(tmp_path, suffix, protocol):
    marker = tmp_path / "marker"
    path = tmp_path / f"model{suffix}"
    path.write_bytes(pickle.dumps(_Marker(marker), protocol=protocol))
    match = "looks like a Python pickle" if protocol >= 2 else "not a zip archive"
    with pytest.raises(ModelFileError, match=match):
        load_model(path)
    assert not marker.exists()


def _forged(tmp_path, payload: bytes, header: dict) -> Path:
    """A file laid out as riskml writes it, with a valid digest over a foreign payload."""
    buffer = io.BytesIO(payload)
    with zipfile.ZipFile(buffer, "a") as archive:
        header = dict(header, digest_sha256=_digest(archive))
        archive.writestr(HEADER, json.dumps(header))
    path = tmp_path / "forged.riskml"
    path.write_bytes(buffer.getvalue())
    return path


def test_untrusted_type_is_refused_before_it_is_built(fitted, tmp_path):
    header = read_model_info(save_model(fitted["logistic"], tmp_path / "real.riskml"))
    marker = tmp_path / "marker"
    payload = sio.dumps({"model": _Trap(marker)})
    with pytest.raises(ModelFileError, match=r"outside riskml's allow-list: .*_Trap"):
        load_model(_forged(tmp_path, payload, header))
    assert not marker.exists()
    # skops would build it if asked to trust the type: the marker proves the test can fail
    sio.loads(payload, trusted=sio.get_untrusted_types(data=payload))
    assert marker.exists()


def test_dangerous_function_is_refused(fitted, tmp_path):
    header = read_model_info(save_model(fitted["logistic"], tmp_path / "real.riskml"))
    import os

    payload = sio.dumps({"model": os.system})
    with pytest.raises(ModelFileError, match=r"allow-list: .*system"):
        load_model(_forged(tmp_path, payload, header))


def test_trusted_names_extend_the_allow_list(fitted, tmp_path):
    header = read_model_info(save_model(fitted["logistic"], tmp_path / "real.riskml"))
    path = _forged(tmp_path, sio.dumps(_Trap(tmp_path / "m")), header)
    trap_type = sio.get_untrusted_types(file=path)
    with pytest.raises(ModelFileError, match="not a riskml model with predict_risk"):
        load_model(path, trusted=trap_type)


def test_skops_file_not_written_by_riskml_is_refused(fitted, tmp_path):
    marker = tmp_path / "marker"
    path = tmp_path / "model.skops"
    path.write_bytes(sio.dumps(_Trap(marker)))
    with pytest.raises(ModelFileError, match="skops file that riskml.save_model did not write"):
        load_model(path)
    assert not marker.exists()


def test_foreign_zip_and_other_files_are_refused(tmp_path):
    path = tmp_path / "photos.riskml"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "hello")
    with pytest.raises(ModelFileError, match="a zip archive that riskml.save_model did not"):
        load_model(path)
    empty = tmp_path / "empty.riskml"
    empty.write_bytes(b"")
    with pytest.raises(ModelFileError, match="is empty"):
        load_model(empty)
    text = tmp_path / "notes.riskml"
    text.write_text("subject_id,age\n1,50\n")
    with pytest.raises(ModelFileError, match="not a zip archive"):
        load_model(text)
    with pytest.raises(FileNotFoundError, match="no model file"):
        load_model(tmp_path / "absent.riskml")


def test_changed_or_truncated_file_is_refused(fitted, tmp_path):
    path = save_model(fitted["logistic"], tmp_path / "m.riskml")
    data = path.read_bytes()
    truncated = tmp_path / "truncated.riskml"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="damaged or truncated"):
        load_model(truncated)
    # rewrite one member with other content: the digest no longer matches
    changed = tmp_path / "changed.riskml"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(changed, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "schema.json":
                content = content.replace(b'"protocol"', b'"protocol" ', 1)
            target.writestr(item, content)
    with pytest.raises(ModelFileError, match="changed after riskml wrote it"):
        load_model(changed)


def _with_header(path: Path, target: Path, **changes) -> Path:
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == HEADER:
                header = json.loads(content)
                for key, value in changes.items():
                    if key == "versions":
                        header["versions"].update(value)
                    else:
                        header[key] = value
                content = json.dumps(header).encode()
            out.writestr(item, content)
    return target


def test_version_mismatch_warns_and_newer_format_is_refused(fitted, cohorts, tmp_path):
    _, new = cohorts
    path = save_model(fitted["logistic"], tmp_path / "m.riskml")
    old = _with_header(path, tmp_path / "old.riskml", versions={"riskml": "0.0.1"})
    with pytest.warns(ModelVersionWarning, match=r"riskml 0\.0\.1 \(installed: "):
        model = load_model(old)
    np.testing.assert_array_equal(
        model.predict_risk(new.features), fitted["logistic"].predict_risk(new.features)
    )
    newer = _with_header(path, tmp_path / "newer.riskml", format_version=99)
    with pytest.raises(ModelFileError, match="format 99.*Upgrade riskml"):
        load_model(newer)
    foreign = _with_header(path, tmp_path / "foreign.riskml", format="other")
    with pytest.raises(ModelFileError, match="header does not say"):
        load_model(foreign)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_model(path)  # same versions: no warning


# -- every registry family: saved, or refused with riskml's reason ------------------------


@pytest.fixture(scope="module")
def hf_records():
    return rk.cohorts.load_heart_failure_clinical_records()


#: Families that predict from training patients' rows: refused unless allowed.
_PATIENT_ROWS = {"knn", "svm"}
_SCORES = {name for name in rk.models.MODELS if name.startswith(("framingham", "atp3", "wilson"))}


#: The Pooled Cohort and PREVENT equations need inputs (race, eGFR, statin) these cohorts
#: lack; tests/test_study_published_models.py saves and loads them.
_OTHER_INPUTS = {name for name in rk.models.MODELS if name.startswith(("pce", "prevent_cvd_10y"))}


@pytest.mark.parametrize("name", [n for n in rk.models.MODELS if n not in _OTHER_INPUTS])
@pytest.mark.filterwarnings("ignore")
def test_every_registry_family_is_saved_without_patient_rows_or_refused(
    name, hf_records, cohorts, tmp_path
):
    """Oracles: the fitted model's own predictions (bit-identical after loading), and a
    brute-force scan of every array in the file for one entry per training patient
    (the training follow-up times, the rows): none may be there."""
    if name in _SCORES:
        train, new = cohorts
        X, y, X_new = train.features, train.outcome, new.features
        model = make_model(name, horizon=HORIZON, framingham_inputs=train.framingham_inputs)
        horizon = HORIZON
    else:
        X, y, X_new = hf_records.features, hf_records.outcome, hf_records.features.iloc[::7]
        model = make_model(name, horizon=90.0)
        horizon = 90.0
    model.fit(X, y)
    path = tmp_path / f"{name}.riskml"
    if name in _PATIENT_ROWS:
        with pytest.raises(ValueError, match=r"holds training patients' rows.*allow_training_rows"):
            save_model(model, path, cohort=X)
        assert not path.exists()
        save_model(model, path, cohort=X, allow_training_rows=True)
        assert read_model_info(path)["training_rows"]
    else:
        save_model(model, path, cohort=X)
    loaded = load_model(path)
    np.testing.assert_array_equal(
        loaded.predict_risk(X_new, horizon=horizon), model.predict_risk(X_new, horizon=horizon)
    )
    if name in _PATIENT_ROWS:
        return
    times = np.sort(np.asarray(y.time, dtype=float))
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if not member.endswith(".npy"):
                continue
            array = np.load(io.BytesIO(archive.read(member)), allow_pickle=True)
            assert len(X) not in array.shape, f"{name}: {member} has one entry per patient"
            if array.dtype.kind == "f" and array.size == times.size:
                assert not np.array_equal(np.sort(array.ravel()), times)


def test_cox_file_keeps_no_follow_up_and_prints_its_summary(hf_records, tmp_path, capsys):
    """The lifelines fitter's durations, events and baseline at every follow-up time
    stay out of the file; hazard ratios, summary and print_summary still work."""
    model = make_model("cox", horizon=90.0).fit(hf_records.features, hf_records.outcome)
    loaded = load_model(save_model(model, tmp_path / "cox.riskml"))
    fitter = loaded.steps[-1][1].lifelines_
    for attribute in ("durations", "event_observed", "weights", "_predicted_partial_hazards_"):
        assert attribute not in vars(fitter._model)
    original = model.steps[-1][1]
    assert hasattr(original.lifelines_, "durations")  # the model saved is unchanged
    pd.testing.assert_frame_equal(loaded.steps[-1][1].summary, original.summary)
    loaded.steps[-1][1].print_summary()
    assert f"299 patients, {int(hf_records.outcome.event.sum())} events" in capsys.readouterr().out


# -- the input profile ---------------------------------------------------------------------


def test_input_profile_holds_aggregates_only(cohorts):
    """Oracle: numpy's percentiles and pandas' unique levels of the training frame."""
    from riskml.deployment import input_profile

    train, _ = cohorts
    profile = input_profile(train)
    age = profile["columns"]["age"]
    values = train.features["age"].dropna().to_numpy(float)
    assert age["min"] == values.min() and age["max"] == values.max()
    np.testing.assert_allclose([age["low"], age["high"]], np.percentile(values, [0.5, 99.5]))
    assert age["unit"] == "years" and age["hard_range"] == [0.0, 120.0]
    chol = profile["columns"]["total_chol"]
    assert chol["unit"] == "mg/dL" and {"unit": "mmol/L", "factor": 38.67} in chol["conversions"]
    assert profile["columns"]["sex"] == {
        "kind": "categorical",
        "levels": sorted(train.features["sex"].dropna().unique()),
        "missing": 0.0,
    }
    follow = profile["followup"]
    assert follow["max_days"] == float(train.outcome.time.max())
    assert follow["events"] == int(train.outcome.event.sum())
    keys = set()

    def collect(value):
        if isinstance(value, dict):
            keys.update(value)
            for item in value.values():
                collect(item)

    collect(profile)
    assert "patient_id" not in keys and "ids" not in keys  # no identifier, no row
    # at most 7 numbers per numeric column: no list of patient values
    assert all(
        len([v for v in e.values() if isinstance(v, float)]) <= 7
        for e in profile["columns"].values()
    )


def test_profile_of_a_plain_dataframe_borrows_the_bundled_schema_units(hf_records):
    from riskml.deployment import input_profile

    profile = input_profile(hf_records.features)
    creatinine = profile["columns"]["serum_creatinine"]
    assert creatinine["unit"] == "mg/dL" and creatinine["hard_range"] == [0.1, 20.0]
    assert profile["columns"]["anaemia"]["kind"] == "binary"
    assert "followup" not in profile


def test_save_model_stores_the_profile_with_the_cohort_only(fitted, cohorts, tmp_path):
    train, _ = cohorts
    with_cohort = read_model_info(save_model(fitted["cox"], tmp_path / "a.riskml", cohort=train))
    without = read_model_info(save_model(fitted["cox"], tmp_path / "b.riskml"))
    assert set(with_cohort["inputs"]["columns"]) == set(train.features.columns)
    assert "inputs" not in without


# -- writing -----------------------------------------------------------------------------------


def test_write_atomically_never_replaces_a_file_written_meanwhile(tmp_path):
    """Two threads write one path at once: exactly one wins, the other is told."""
    import threading

    from riskml.persistence import write_atomically

    target = tmp_path / "out.csv"
    barrier = threading.Barrier(2)
    outcomes = {}

    def write(label):
        barrier.wait()
        try:
            write_atomically(target, label.encode())
            outcomes[label] = "written"
        except FileExistsError as error:
            outcomes[label] = str(error)

    threads = [threading.Thread(target=write, args=(label,)) for label in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [label for label, outcome in outcomes.items() if outcome == "written"]
    assert len(winners) == 1
    loser = ({"a", "b"} - set(winners)).pop()
    assert "was written by another run" in outcomes[loser]
    assert target.read_text() == winners[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]
    write_atomically(target, b"replaced", overwrite=True)
    assert target.read_bytes() == b"replaced"


def test_write_files_atomically_writes_all_or_none(tmp_path, monkeypatch):
    import errno

    from riskml.errors import WriteError
    from riskml.persistence import write_files_atomically

    folder = tmp_path / "new" / "results"
    items = [(folder / "a.csv", b"a"), (folder / "b.md", b"b")]
    calls = []
    link = os.link

    def second_fails(source, target, **kwargs):
        calls.append(target)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return link(source, target, **kwargs)

    monkeypatch.setattr(os, "link", second_fails)
    with pytest.raises(WriteError, match=r"b\.md': the disk is full \(ENOSPC\)"):
        write_files_atomically(items)
    assert list(tmp_path.iterdir()) == []  # neither file, no temporary file, no folder
    monkeypatch.setattr(os, "link", link)
    write_files_atomically(items, mode=0o640)
    assert (folder / "a.csv").read_bytes() == b"a" and (folder / "b.md").read_bytes() == b"b"
    assert (folder / "a.csv").stat().st_mode & 0o777 == 0o640


def test_check_output_path_accepts_missing_folders_only_when_asked(tmp_path):
    from riskml.persistence import check_output_path

    path = tmp_path / "a" / "b" / "out.csv"
    with pytest.raises(FileNotFoundError, match="does not exist; create it first"):
        check_output_path(path)
    assert check_output_path(path, create_parents=True) == path
    assert not (tmp_path / "a").exists()  # checked, not created
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    with pytest.raises(NotADirectoryError, match=r"'.*file\.txt' is a file, not a folder"):
        check_output_path(blocker / "out.csv", create_parents=True)


def test_profile_never_stores_levels_that_identify_rows():
    """A text column distinct in every row (names, free text) keeps no levels."""
    from riskml.deployment import input_profile

    frame = pd.DataFrame(
        {"code": [f"name-{i}" for i in range(120)], "sex": ["M", "F"] * 60, "age": range(120)}
    )
    profile = input_profile(frame)
    assert "levels" not in profile["columns"]["code"]
    assert "name-7" not in json.dumps(profile)
    assert profile["columns"]["sex"]["levels"] == ["F", "M"]
