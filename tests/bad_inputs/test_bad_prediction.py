"""Bad inputs at prediction time: new patients checked against what the model saw.

``riskml predict`` and ``riskml validate`` (and :func:`riskml.deployment.check_inputs`)
compare new rows with the model file's input profile, stored by
``save_model(..., cohort=...)``. Every case builds a bad table in ``tmp_path`` from the
bundled heart-failure records or the synthetic young-hypertension cohort (with a
planted patient name in an ignored column), runs one public call, and checks (see
conftest.py) that the message names the column, the rows and the fix, quotes no
planted value, and leaves every input file untouched. Refused cases also leave no
output file.

Oracles: the training data themselves (the ranges, units and levels a case breaks are
read from the training frame in the fixture, not from riskml), and the published unit
factors (cholesterol mmol/L x 38.67 = mg/dL, creatinine umol/L / 88.4 = mg/dL, glucose
mmol/L x 18 = mg/dL).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import riskml as rk
from riskml.deployment import check_inputs
from riskml.errors import InputError, InputWarning
from riskml.models import make_model

from .conftest import Case, CommandFailed, check_case, run_cli

PLANTED = "Quux"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("prediction_models")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hf = rk.cohorts.load_heart_failure_clinical_records()
        htn = rk.cohorts.make_young_hypertension(n_patients=300, random_state=0)
        binary = rk.Outcome.binary(hf.outcome.event.astype(int))
        models = {
            "hf_df": (make_model("logistic", horizon=90), hf.features, hf.outcome, hf.features),
            "hf_cox": (make_model("cox", horizon=90), hf.features, hf.outcome, hf),
            "hf_cox_nohorizon": (make_model("cox"), hf.features, hf.outcome, hf),
            "hf_binary": (make_model("logistic"), hf.features, binary, hf.features),
            "hf_nocohort": (make_model("logistic", horizon=90), hf.features, hf.outcome, None),
            "htn_df": (
                make_model("xgboost", horizon=1004),
                htn.features,
                htn.outcome,
                htn.features,
            ),
        }
        paths = {}
        for name, (model, X, y, cohort) in models.items():
            model.fit(X, y)
            paths[name] = rk.save_model(model, folder / f"{name}.riskml", cohort=cohort)
    names = [f"Ann {PLANTED}{i}" for i in range(len(hf.features))]
    hf_frame = hf.features.assign(
        patient_name=names,
        time=hf.outcome.time,
        death=hf.outcome.event.astype(int),
    )
    htn_frame = htn.features.assign(patient_name=[f"Bo {PLANTED}{i}" for i in range(len(htn))])
    return {
        **paths,
        "hf": hf_frame,
        "htn": htn_frame,
        "hf_train": hf.features,
        "htn_train": htn.features,
        "hf_cohort": hf,
        "htn_cohort": htn,
    }


def _frame(model: str, data) -> pd.DataFrame:
    return data["htn" if model.startswith("htn") else "hf"].copy()


def _cli(model, edit=None, *, command="predict", extra=(), out=None):
    """``riskml predict|validate MODEL patients.csv ... --out OUT`` on an edited table."""

    def build(tmp_path, data):
        frame = _frame(model, data)
        if edit is not None:
            frame = edit(frame)
        path = tmp_path / "patients.csv"
        frame.to_csv(path, index=False)
        target = tmp_path / (out or ("risks.csv" if command == "predict" else "results"))
        args = [command, data[model], path, *extra, "--out", target]
        return (lambda: run_cli(*args)), [path, data[model]]

    return build


def _api(reference, edit=None, **options):
    """``check_inputs(table, reference)`` on the edited table, read back from a CSV.

    ``reference`` names a model file of the fixture, or a training cohort (``*_cohort``).
    """

    def build(tmp_path, data):
        frame = _frame(reference, data)
        if edit is not None:
            frame = edit(frame)
        path = tmp_path / "patients.csv"
        frame.to_csv(path, index=False)
        source = data[reference]
        cohort = reference.endswith("_cohort")

        def call():
            return check_inputs(pd.read_csv(path), source, source=path.name, **options)

        return call, [path] if cohort else [path, source]

    return build


def _duplicated(tmp_path, data):
    path = tmp_path / "patients.csv"
    data["hf"].to_csv(path, index=False)

    def call():
        frame = pd.read_csv(path)
        return check_inputs(pd.concat([frame, frame[["age"]]], axis=1), data["hf_df"])

    return call, [path, data["hf_df"]]


def _set(column, value, rows=(3,)):
    def edit(frame):
        frame = frame.astype({column: object}) if isinstance(value, str) else frame
        frame.loc[list(rows), column] = value
        return frame

    return edit


def _scale(column, factor, rows=None):
    def edit(frame):
        if rows is None:
            frame[column] = frame[column] * factor
        else:
            frame.loc[list(rows), column] = frame.loc[list(rows), column] * factor
        return frame

    return edit


def _recode(column, mapping):
    def edit(frame):
        frame[column] = frame[column].map(lambda v: mapping.get(v, v))
        return frame

    return edit


NO_NAME = (PLANTED,)
REFUSED = r"cannot be scored as it is"
CORRECT = r"correct them, or leave them empty if unknown"

PREDICT_CASES = [
    # -- impossible values ------------------------------------------------------------------
    Case(
        "age-400",
        _cli("hf_df", _set("age", 400)),
        CommandFailed,
        r"age: 1 row \(first row: 4\) lies far outside anything the model saw \(training "
        r"range 40 to 95 years",
        CORRECT,
        absent=NO_NAME,
    ),
    Case(
        "age-400-schema-model",
        _cli("hf_cox", _set("age", 400)),
        CommandFailed,
        r"age: hard range \[0, 120\] years: 1 row breaks it \(first row: 4\)",
        r"correct these values",
        absent=NO_NAME,
    ),
    Case(
        "age-negative",
        _cli("hf_df", _set("age", -5, rows=(0, 9))),
        CommandFailed,
        r"age: 2 rows \(first rows: 1, 10\) lie far outside .*schema accepts 0 to 120",
        CORRECT,
        absent=NO_NAME,
    ),
    Case(
        "age-in-months",
        _cli("hf_df", _scale("age", 12)),
        CommandFailed,
        r"age: 299 of 299 values lie outside the training range 40 to 95 years.* looks like "
        r"months",
        r"divide age by 12 \(months -> years\)",
        absent=NO_NAME,
    ),
    Case(
        "age-in-days",
        _cli("hf_df", _scale("age", 365.25)),
        CommandFailed,
        r"age: .* looks like days",
        r"divide age by 365\.2",
        absent=NO_NAME,
    ),
    Case(
        "age-huge",
        _cli("hf_df", _set("age", 1e300, rows=(7,))),
        CommandFailed,
        r"age: 1 row \(first row: 8\) lies far outside",
        CORRECT,
        absent=("1e+300",),
    ),
    Case(
        "ejection-fraction-900",
        _cli("hf_df", _set("ejection_fraction", 900, rows=(5,))),
        CommandFailed,
        r"ejection_fraction: 1 row \(first row: 6\) lies far outside anything the model saw "
        r"\(training range 14 to 80 %",
        CORRECT,
        absent=NO_NAME,
    ),
    Case(
        "ejection-fraction-as-fraction",
        _cli("hf_df", _scale("ejection_fraction", 0.01)),
        CommandFailed,
        r"ejection_fraction: 299 of 299 values lie outside .* looks like a fraction",
        r"multiply ejection_fraction by 100",
        absent=NO_NAME,
    ),
    Case(
        "creatinine-umol-per-litre",
        _cli("hf_df", _scale("serum_creatinine", 88.4)),
        CommandFailed,
        r"serum_creatinine: 299 of 299 values lie outside the training range 0\.5 to 9\.4 "
        r"mg/dL.* looks like umol/L",
        r"divide serum_creatinine by 88\.4 \(umol/L -> mg/dL\)",
        absent=NO_NAME,
    ),
    Case(
        "creatinine-some-rows-umol",
        _cli("hf_df", _scale("serum_creatinine", 88.4, rows=(2, 4, 6))),
        CommandFailed,
        r"serum_creatinine: 3 rows \(first rows: 3, 5, 7\) lie far outside.*umol/L -> mg/dL: "
        r"divide by 88\.4",
        r"a unit error in those rows\?",
        absent=NO_NAME,
    ),
    Case(
        "cholesterol-mmol-per-litre",
        _cli("htn_df", _scale("total_chol", 1 / 38.67)),
        CommandFailed,
        r"total_chol: \d+ of \d+ values lie outside the training range .* mg/dL.* looks like "
        r"mmol/L",
        r"multiply total_chol by 38\.67 \(mmol/L -> mg/dL\)",
        absent=NO_NAME,
    ),
    Case(
        "hdl-mmol-per-litre",
        _cli("htn_df", _scale("hdl", 1 / 38.67)),
        CommandFailed,
        r"hdl: .* looks like mmol/L",
        r"multiply hdl by 38\.67",
        absent=NO_NAME,
    ),
    Case(
        "glucose-mmol-per-litre",
        _cli("htn_df", _scale("fasting_glucose", 1 / 18)),
        CommandFailed,
        r"fasting_glucose: .* looks like mmol/L",
        r"multiply fasting_glucose by 18",
        absent=NO_NAME,
    ),
    Case(
        "platelets-per-nanolitre",
        _cli("hf_df", _scale("platelets", 1 / 1000)),
        CommandFailed,
        r"platelets: 299 of 299 values lie outside .* looks like",
        r"multiply platelets by 1000",
        absent=NO_NAME,
    ),
    Case(
        "infinite-value",
        _cli("hf_df", _set("serum_sodium", np.inf, rows=(1,))),
        CommandFailed,
        r"serum_sodium: 1 row \(first row: 2\) holds infinite values",
        r"leave them empty if unknown",
        absent=NO_NAME,
    ),
    Case(
        "minus-infinite-value",
        _cli("hf_df", _set("age", -np.inf, rows=(1, 2))),
        CommandFailed,
        r"age: 2 rows \(first rows: 2, 3\) hold infinite values",
        r"leave them empty if unknown",
    ),
    Case(
        "text-in-numbers",
        _cli("hf_df", _set("age", "forty", rows=(2,))),
        CommandFailed,
        r"age: 1 row \(first row: 3\) holds text where the model expects numbers",
        r"write plain numbers",
        absent=("forty",),
    ),
    Case(
        "yes-no-in-a-binary-column",
        _cli("hf_df", _recode("anaemia", {0.0: "no", 1.0: "yes"})),
        CommandFailed,
        r"anaemia: 299 rows \(first rows: 1, 2, 3, 4, 5, \.\.\.\) hold text .*a 0/1 column",
        r"write 1 for yes and 0 for no",
    ),
    Case(
        "binary-coded-1-2",
        _cli("hf_df", _recode("sex", {0.0: 2.0})),
        CommandFailed,
        r"sex: \d+ rows \(first rows: .*\) hold values other than 0 and 1.*coded 1/2",
        r"recode them to 0 \(no\) and 1 \(yes\)",
        absent=NO_NAME,
    ),
    Case(
        "binary-value-5",
        _cli("hf_df", _set("diabetes", 5, rows=(11,))),
        CommandFailed,
        r"diabetes: 1 row \(first row: 12\) holds values other than 0 and 1",
        r"recode them to 0 \(no\) and 1 \(yes\)",
    ),
    # -- categorical levels -----------------------------------------------------------------
    Case(
        "unseen-level-in-some-rows",
        _cli("htn_df", _set("smoking_status", "heavy", rows=(4, 8, 15))),
        InputWarning,
        r"smoking_status: 3 rows \(first rows: 5, 9, 16\) hold 1 level\(s\) the model never "
        r"saw \(training levels: 'current', 'former', 'never'",
        r"recode them to a training level, or leave them empty",
        warns=True,
        absent=("heavy",),
    ),
    Case(
        "planted-name-as-a-level",
        _cli("htn_df", _set("sex", f"Ann {PLANTED}", rows=(6,))),
        InputWarning,
        r"sex: 1 row \(first row: 7\) holds 1 level\(s\) the model never saw",
        r"recode them to a training level",
        warns=True,
        absent=NO_NAME,
    ),
    Case(
        "levels-spelled-out",
        _cli("htn_df", _recode("sex", {"M": "male", "F": "female"})),
        CommandFailed,
        r"sex: 300 rows .* none of the column's values is a level the model knows",
        r"recode 'male' -> 'M', 'female' -> 'F'",
        absent=NO_NAME,
    ),
    Case(
        "levels-in-lower-case",
        _cli("htn_df", _recode("smoking_status", {"never": "NEVER", "former": "Former"})),
        InputWarning,
        r"smoking_status: \d+ rows .* hold 2 level\(s\) the model never saw",
        r"recode 'NEVER' -> 'never', 'Former' -> 'former'",
        warns=True,
    ),
    Case(
        "levels-as-numbers",
        _cli("htn_df", _recode("sex", {"M": 1, "F": 0})),
        CommandFailed,
        r"sex: 300 rows .* none of the column's values is a level the model knows",
        r"recode them to a training level",
    ),
    # -- what a model can still score, with a caveat (and --strict) ---------------------------
    Case(
        "outside-training-range",
        _cli("hf_df", _set("age", 99, rows=(2,))),
        InputWarning,
        r"age: 1 row \(first row: 3\) lies outside the training range 40 to 95 years",
        r"the model extrapolates there, so check these risks",
        warns=True,
        absent=NO_NAME,
    ),
    Case(
        "outside-training-range-strict",
        _cli("hf_df", _set("age", 99, rows=(2,)), extra=("--strict",)),
        CommandFailed,
        r"--strict refuses every problem.*age: 1 row \(first row: 3\) lies outside the training "
        r"range",
        r"check these risks",
    ),
    Case(
        "unseen-level-strict",
        _cli("htn_df", _set("smoking_status", "heavy", rows=(4,)), extra=("--strict",)),
        CommandFailed,
        r"smoking_status: 1 row \(first row: 5\) holds 1 level\(s\) the model never saw",
        r"recode them to a training level",
        absent=("heavy",),
    ),
    Case(
        "empty-column",
        _cli("hf_df", _set("serum_sodium", np.nan, rows=range(299))),
        InputWarning,
        r"serum_sodium: every value is missing, so the model imputes the same value",
        r"provide serum_sodium where it is recorded",
        warns=True,
    ),
    Case(
        "empty-column-strict",
        _cli("hf_df", _set("serum_sodium", np.nan, rows=range(299)), extra=("--strict",)),
        CommandFailed,
        r"serum_sodium: every value is missing",
        r"provide serum_sodium",
    ),
    Case(
        "mostly-missing-column",
        _cli("hf_df", _set("platelets", np.nan, rows=range(250))),
        InputWarning,
        r"platelets: 84% of the values are missing \(training: 0%\)",
        r"provide platelets where it is recorded",
        warns=True,
    ),
    # -- horizons ---------------------------------------------------------------------------
    Case(
        "horizon-on-a-binary-model",
        _cli("hf_binary", extra=("--horizon", "30")),
        CommandFailed,
        r"--horizon has no meaning for this model: it predicts a binary outcome",
        r"leave --horizon out",
    ),
    Case(
        "horizon-other-than-trained",
        _cli("hf_df", extra=("--horizon", "50")),
        CommandFailed,
        r"--horizon 50 differs from the horizon this model was trained at: it predicts "
        r"P\(event by day 90\)",
        r"leave --horizon out \(or give 90\)",
    ),
    Case(
        "horizon-beyond-follow-up",
        _cli("hf_cox", extra=("--horizon", "5000")),
        CommandFailed,
        r"--horizon 5000 days lies beyond the training follow-up \(the longest was 285 days",
        r"a --horizon of at most 285 days",
    ),
    Case(
        "horizon-nan",
        _cli("hf_cox", extra=("--horizon", "nan")),
        CommandFailed,
        r"--horizon must be a positive, finite number of days; got nan",
        r"positive, finite number of days",
    ),
    Case(
        "horizon-infinite",
        _cli("hf_cox", extra=("--horizon", "inf")),
        CommandFailed,
        r"--horizon must be a positive, finite number of days; got inf",
        r"positive, finite",
    ),
    Case(
        "horizon-negative",
        _cli("hf_cox", extra=("--horizon", "-30")),
        CommandFailed,
        r"--horizon must be a positive, finite number of days; got -30",
        r"positive",
    ),
    Case(
        "horizon-zero",
        _cli("hf_cox", extra=("--horizon", "0")),
        CommandFailed,
        r"--horizon must be a positive, finite number of days; got 0",
        r"positive",
    ),
    Case(
        "survival-model-without-any-horizon",
        _cli("hf_cox_nohorizon"),
        CommandFailed,
        r"this time-to-event model stores no horizon, so it needs --horizon DAYS: without one "
        r"it gives a log relative hazard, not a risk \(training follow-up up to 285 days\)",
        r"pass --horizon DAYS",
    ),
    Case(
        "horizon-before-the-first-event",
        _cli("hf_cox", extra=("--horizon", "1")),
        InputWarning,
        r"--horizon 1 days comes before the first event in training \(day \d+\)",
        r"Check the horizon \(in days\) and its unit",
        warns=True,
    ),
    Case(
        "model-saved-without-cohort",
        _cli("hf_nocohort"),
        InputWarning,
        r"the model file holds no training ranges \(it was saved without cohort=\)",
        r"save the model again with riskml\.save_model\(model, path, cohort=training\)",
        warns=True,
    ),
]


@pytest.mark.parametrize("case", PREDICT_CASES, ids=lambda c: c.id)
def test_bad_prediction(case, tmp_path, data):
    message = check_case(case, tmp_path, data)
    assert "Traceback" not in message
    written = (tmp_path / "risks.csv").exists()
    assert written == case.warns, "a refused run wrote output, or a warned run did not"
    assert not list(tmp_path.glob(".*.tmp")), "a temporary file was left behind"


# -- riskml validate ---------------------------------------------------------------------


def _no_events(frame):
    return frame.assign(death=0)


def _all_events(frame):
    return frame.assign(death=1)


def _time_in_years(frame):
    return frame.assign(time=frame["time"] / 365.25)


VALIDATE_CASES = [
    Case(
        "validate-creatinine-umol-per-litre",
        _cli(
            "hf_cox",
            _scale("serum_creatinine", 88.4),
            command="validate",
            extra=("--outcome", "death", "--time", "time"),
        ),
        CommandFailed,
        r"serum_creatinine: hard range \[0\.1, 20\] mg/dL: 299 rows break it.*looks like umol/L",
        r"divide by 88\.4",
        absent=NO_NAME,
    ),
    Case(
        "validate-creatinine-umol-dataframe-model",
        _cli(
            "hf_df",
            _scale("serum_creatinine", 88.4),
            command="validate",
            extra=("--outcome", "death", "--time", "time"),
        ),
        CommandFailed,
        r"serum_creatinine: 299 of 299 values lie outside .* looks like umol/L",
        r"divide serum_creatinine by 88\.4",
        absent=NO_NAME,
    ),
    Case(
        "validate-no-events",
        _cli("hf_df", _no_events, command="validate", extra=("--outcome", "death")),
        CommandFailed,
        r"patients\.csv has 0 event\(s\) and 299 patient\(s\) without one: with no events, "
        r"discrimination and calibration are undefined, so riskml gives no metric and no advice",
        r"a cohort with both events and non-events",
    ),
    Case(
        "validate-only-events",
        _cli("hf_df", _all_events, command="validate", extra=("--outcome", "death")),
        CommandFailed,
        r"has 299 event\(s\) and 0 patient\(s\) without one: with no patients without the event",
        r"a cohort with both events and non-events",
    ),
    Case(
        "validate-no-events-by-the-horizon",
        _cli(
            "hf_df",
            _no_events,
            command="validate",
            extra=("--outcome", "death", "--time", "time"),
        ),
        CommandFailed,
        r"has 0 event\(s\) by day 90 and \d+ patient\(s\) without one",
        r"a horizon within its follow-up",
    ),
    Case(
        "validate-follow-up-in-years",
        _cli(
            "hf_df",
            _time_in_years,
            command="validate",
            extra=("--outcome", "death", "--time", "time"),
        ),
        CommandFailed,
        r"with no patients followed event-free to day 90.* --time looks like years",
        r"multiply it by 365\.25 to give days",
    ),
    Case(
        "validate-horizon-on-a-binary-outcome",
        _cli("hf_binary", command="validate", extra=("--outcome", "death", "--horizon", "30")),
        CommandFailed,
        r"--horizon has no meaning here: the model predicts a binary outcome",
        r"leave --horizon out, or pass --time",
    ),
    Case(
        "validate-horizon-other-than-trained",
        _cli(
            "hf_df",
            command="validate",
            extra=("--outcome", "death", "--time", "time", "--horizon", "60"),
        ),
        CommandFailed,
        r"--horizon 60 differs from the horizon this model was trained at",
        r"for another horizon, fit a model at that horizon",
    ),
    Case(
        "validate-horizon-beyond-follow-up",
        _cli(
            "hf_cox",
            command="validate",
            extra=("--outcome", "death", "--time", "time", "--horizon", "400"),
        ),
        CommandFailed,
        r"--horizon 400 days lies beyond the training follow-up",
        r"at most 285 days",
    ),
    Case(
        "validate-strict",
        _cli(
            "hf_df",
            _set("age", 99, rows=(2,)),
            command="validate",
            extra=("--outcome", "death", "--strict"),
        ),
        CommandFailed,
        r"age: 1 row \(first row: 3\) lies outside the training range",
        r"check these risks",
    ),
    Case(
        "validate-unknown-levels",
        _cli(
            "htn_df",
            lambda f: _recode("sex", {"M": "male", "F": "female"})(
                f.assign(event=(np.arange(len(f)) % 7 == 0).astype(int))
            ),
            command="validate",
            extra=("--outcome", "event"),
        ),
        CommandFailed,
        r"sex: 300 rows .* none of the column's values is a level the model knows",
        r"recode 'male' -> 'M'",
    ),
    Case(
        "validate-outcome-and-time-same-column",
        _cli("hf_cox", command="validate", extra=("--outcome", "death", "--time", "death")),
        CommandFailed,
        r"--outcome and --time both name 'death'",
        r"name two different columns",
    ),
    Case(
        "validate-infinite-follow-up",
        _cli(
            "hf_cox",
            _set("time", np.inf, rows=(3,)),
            command="validate",
            extra=("--outcome", "death", "--time", "time"),
        ),
        CommandFailed,
        r"the follow-up time 'time' must be a positive number of days in every row; 1 row\(s\) "
        r"are not \(first rows: \[4\]\)",
        r"correct them or drop those rows",
    ),
    Case(
        "validate-survival-model-binary-outcome-without-horizon",
        _cli("hf_cox_nohorizon", command="validate", extra=("--outcome", "death")),
        CommandFailed,
        r"this time-to-event model needs --horizon DAYS to give the risks a 0/1 outcome is "
        r"compared with",
        r"pass --horizon DAYS",
    ),
]


@pytest.mark.parametrize("case", VALIDATE_CASES, ids=lambda c: c.id)
def test_bad_validation(case, tmp_path, data):
    message = check_case(case, tmp_path, data)
    assert "Traceback" not in message and "recalibration is indicated" not in message
    assert not (tmp_path / "results").exists(), "a refused validation left its folder"


# -- the Python API: check_inputs ------------------------------------------------------------


API_CASES = [
    Case(
        "api-cholesterol-mmol-against-the-training-cohort",
        _api("htn_cohort", _scale("total_chol", 1 / 38.67)),
        InputError,
        r"total_chol: .* looks like mmol/L",
        r"multiply total_chol by 38\.67",
        absent=NO_NAME,
    ),
    Case(
        "api-creatinine-against-the-model-file",
        _api("hf_df", _scale("serum_creatinine", 88.4)),
        InputError,
        r"serum_creatinine: .* looks like umol/L",
        r"divide serum_creatinine by 88\.4",
    ),
    Case(
        "api-outside-range-warns",
        _api("hf_df", _set("age", 99, rows=(2,))),
        InputWarning,
        r"age: 1 row \(first row: 3\) lies outside the training range",
        r"Pass strict=True, or --strict, to refuse such rows",
        warns=True,
    ),
    Case(
        "api-outside-range-strict",
        _api("hf_df", _set("age", 99, rows=(2,)), strict=True),
        InputError,
        r"strict=True / --strict refuses every problem",
        r"check these risks",
    ),
    Case(
        "api-missing-column",
        _api("hf_df", lambda f: f.drop(columns=["age", "sex"])),
        InputError,
        r"patients\.csv lacks 2 of the model's 11 input column\(s\): \['age', 'sex'\]",
        r"add each with the name used in training",
    ),
    Case(
        "api-duplicate-columns",
        _duplicated,
        InputError,
        r"the input has column\(s\) \['age'\] twice",
        r"keep one column of each name",
    ),
    Case(
        "api-horizon-beyond-follow-up",
        _api("hf_cox", horizon=10_000),
        InputError,
        r"horizon 10000 days lies beyond the training follow-up",
        r"at most 285 days",
    ),
    Case(
        "api-strict-not-a-bool",
        _api("hf_df", strict="yes"),
        TypeError,
        r"strict must be True or False; got str",
        r"True or False",
    ),
    Case(
        "api-reference-of-the-wrong-type",
        lambda t, d: _wrong_reference(t, d),
        TypeError,
        r"check_inputs compares new rows with what a model saw in training: pass a model file "
        r"path",
        r"or the training Cohort or DataFrame; got list",
    ),
]


def _wrong_reference(tmp_path, data):
    path = tmp_path / "patients.csv"
    data["hf"].to_csv(path, index=False)
    return (lambda: check_inputs(pd.read_csv(path), [1, 2, 3])), [path]


@pytest.mark.parametrize("case", API_CASES, ids=lambda c: c.id)
def test_bad_inputs_through_the_api(case, tmp_path, data):
    check_case(case, tmp_path, data)


def test_the_ranges_in_messages_are_the_training_data(data):
    """Oracle: min and max of the training frame, computed here by pandas."""
    train = data["hf_train"]
    frame = train.copy()
    frame.loc[0, "age"] = float(train["age"].max()) + 1
    with pytest.warns(InputWarning) as caught:
        table = check_inputs(frame, data["hf_df"])
    expected = f"training range {train['age'].min():.4g} to {train['age'].max():.4g} years"
    assert any(expected in str(w.message) for w in caught)
    assert table.loc[0, "first_rows"] == [1] and table.loc[0, "rows"] == 1


def test_clean_rows_pass_without_a_word(data):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = check_inputs(data["hf_train"], data["hf_df"])
    assert table.empty and list(table.columns) == [
        "column",
        "problem",
        "rows",
        "first_rows",
        "action",
        "message",
    ]
