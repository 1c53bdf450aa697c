"""Bad-input corpus: feature tables, selectors and models that used to fail with a raw
library error ("Encoders require ... uniformly strings or numbers", "Input X contains
infinity", a numpy zero-size error for an empty cohort, "Cannot clone object" for
``selection="rfe"``).

Each case writes the bundled heart-failure records (with a text column ``sex``) to a
CSV in ``tmp_path``, plants one problem, reads the file back and fits or applies a
riskml model, preprocessor or selector. The message must name the column, the rows
(positions) or the setting, and the fix; quote no planted value; and leave the file
untouched (``check_case``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import riskml as rk
from riskml.features import InformationGain, Preprocessor, RecursiveFeatureElimination
from riskml.models import LogisticRisk, make_model

from .conftest import Case, check_case

PLANTED = "Quux"  # in every planted text: it must never appear in a message
HORIZON = 90.0


@pytest.fixture(scope="module")
def data():
    hf = rk.cohorts.load_heart_failure_clinical_records()
    frame = hf.features.assign(
        sex=np.where(hf.features["sex"] == 1, "M", "F"),
        time=hf.outcome.time,
        death=hf.outcome.event.astype(int),
    )
    return {"frame": frame}


def _split(table):
    y = rk.Outcome.survival(table.pop("time"), table.pop("death"))
    return table, y


def _label(y):
    return y.at_horizon(HORIZON)


def _fit(model="logistic", change=None, *, survival=False, **options):
    """Fit ``make_model(model, **options)`` on the changed CSV."""

    def build(tmp_path, data):
        frame = data["frame"].copy()
        if change is not None:
            frame = change(frame)
        path = tmp_path / "cohort.csv"
        frame.to_csv(path, index=False)

        def call():
            X, y = _split(pd.read_csv(path))
            return make_model(model, horizon=None if survival else HORIZON, **options).fit(X, y)

        return call, [path]

    return build


def _predict(change, model="logistic", **predict_options):
    """Fit on the clean CSV, predict on the changed one (both files are inputs)."""

    def build(tmp_path, data):
        clean, changed = tmp_path / "train.csv", tmp_path / "new_patients.csv"
        data["frame"].to_csv(clean, index=False)
        change(data["frame"].copy()).to_csv(changed, index=False)

        def call():
            X, y = _split(pd.read_csv(clean))
            fitted = make_model(model, horizon=HORIZON).fit(X, y)
            new = pd.read_csv(changed).drop(columns=["time", "death"], errors="ignore")
            return fitted.predict_risk(new, **predict_options)

        return call, [clean, changed]

    return build


def _call(function, change=None):
    """``function(X, y)`` on the changed CSV."""

    def build(tmp_path, data):
        frame = data["frame"].copy()
        if change is not None:
            frame = change(frame)
        path = tmp_path / "cohort.csv"
        frame.to_csv(path, index=False)

        def call():
            X, y = _split(pd.read_csv(path))
            return function(X, y)

        return call, [path]

    return build


def _numeric(X):
    return X.drop(columns=["sex"])


def _text_in_numbers(f):
    f = f.copy()
    f["serum_sodium"] = f["serum_sodium"].astype(object)
    f.loc[[4, 11], "serum_sodium"] = f"{PLANTED} not done"
    return f


def _numbers_in_text(f):
    f = f.copy()
    f["sex"] = f["sex"].astype(object)
    f.loc[6, "sex"] = 1
    return f


def _infinity(column, rows, sign=1):
    def change(f):
        f = f.copy()
        f.loc[rows, column] = sign * np.inf
        return f

    return change


FEATURE_TABLES = [
    Case(
        "text_in_a_numeric_column",
        _fit(change=_text_in_numbers),
        TypeError,
        r"column 'serum_sodium' looks numeric \(297 values read as numbers\) but 2 value\(s\) "
        r"are not numbers \(rows at positions \[4, 11\]\), so the whole column was read as text",
        r"pandas\.to_numeric\(X\['serum_sodium'\], errors='coerce'\)",
        absent=(PLANTED,),
    ),
    Case(
        "a_number_in_a_text_column_of_a_file",
        _fit(change=_numbers_in_text),
        UserWarning,
        r"column 'sex' is text, but 1 of its values read as numbers \(rows at positions \[6\]\)",
        r"If they are typos or codes for missing values, fix them",
        warns=True,
    ),
    Case(
        "numbers_among_text_objects",
        _call(lambda X, y: Preprocessor().fit(_numbers_in_text(X))),
        TypeError,
        r"column 'sex' mixes numbers and text \(298 text, 1 number values; the number ones at "
        r"positions \[6\]\)",
        r"X\['sex'\] = X\['sex'\]\.astype\(str\)",
    ),
    Case(
        "numbers_written_as_text",
        _call(
            lambda X, y: make_model("logistic", horizon=HORIZON).fit(
                X.assign(platelets=X["platelets"].astype(str)), y
            )
        ),
        TypeError,
        r"column 'platelets' holds numbers written as text \(\d+ distinct values",
        r"X\['platelets'\] = pandas\.to_numeric\(X\['platelets'\]\)",
    ),
    Case(
        "categorical_with_mixed_categories",
        _call(
            lambda X, y: Preprocessor().fit(
                X.assign(sex=pd.Categorical(["M" if s == "M" else 0 for s in X["sex"]]))
            )
        ),
        TypeError,
        r"column 'sex' mixes numbers and text \(1 number, 1 text categories",
        r"astype\(str\)",
    ),
    Case(
        "infinity_in_a_column",
        _fit(change=_infinity("creatinine_phosphokinase", [3, 8])),
        ValueError,
        r"column\(s\) 'creatinine_phosphokinase' hold 2 infinite value\(s\) \(rows at "
        r"positions \[3, 8\]\)",
        r"replace\(\[np\.inf, -np\.inf\], np\.nan\)",
    ),
    Case(
        "minus_infinity_in_two_columns",
        _fit(
            "cox",
            lambda f: _infinity("age", [2], -1)(_infinity("platelets", [5])(f)),
            survival=True,
        ),
        ValueError,
        r"column\(s\) 'age', 'platelets' hold 2 infinite value\(s\) \(rows at positions \[2, 5\]\)",
        r"a missing one is NaN",
    ),
    Case(
        "value_too_large_to_be_a_measurement",
        _fit(
            "random_forest",
            lambda f: f.assign(platelets=np.where(f.index == 0, 1e300, f["platelets"])),
        ),
        ValueError,
        r"column\(s\) 'platelets' hold 1 value\(s\) beyond \+/-1e\+38 \(rows at positions \[0\]\)",
        r"Replace them with NaN if they mean 'missing', or fix their unit",
        absent=("1e+300",),
    ),
    Case(
        "empty_cohort",
        _call(lambda X, y: make_model("logistic", horizon=HORIZON).fit(X.iloc[:0], y[:0])),
        ValueError,
        r"X has no rows \(an empty cohort: 0 patients\)",
        r"Check the filter, exclusion or file that produced it",
    ),
    Case(
        "no_predictor_columns",
        _call(lambda X, y: make_model("logistic", horizon=HORIZON).fit(X[[]], y)),
        ValueError,
        r"X has no columns \(\d+ rows, 0 predictors\)",
        r"Pass the predictor columns",
    ),
    Case(
        "repeated_column_names",
        _call(
            lambda X, y: make_model("xgboost", horizon=HORIZON).fit(
                pd.concat([X, X[["age"]]], axis=1), y
            )
        ),
        ValueError,
        r"X has repeated column names: 'age' \(2 times\)",
        r"X\.loc\[:, ~X\.columns\.duplicated\(\)\]",
    ),
    Case(
        "column_names_that_are_numbers",
        _call(
            lambda X, y: make_model("lasso", horizon=HORIZON).fit(
                X.set_axis(range(X.shape[1]), axis=1), y
            )
        ),
        TypeError,
        r"the column names of X must be text; 11 are not \(e\.g\. 0, a int\)",
        r"X\.columns = \[str\(c\) for c in X\.columns\]",
    ),
    Case(
        "complex_numbers",
        _call(lambda X, y: Preprocessor().fit(X.assign(age=X["age"] + 1j))),
        TypeError,
        r"column\(s\) 'age' hold complex numbers",
        r"Keep the real part",
    ),
    Case(
        "bytes_in_a_text_column",
        _call(lambda X, y: Preprocessor().fit(X.assign(sex=X["sex"].str.encode("utf-8")))),
        TypeError,
        r"column 'sex' holds values of a type riskml cannot encode \(299 bytes\)",
        r"X\['sex'\]\.str\.decode\('utf-8'\)",
    ),
    Case(
        "lists_in_a_column",
        _call(lambda X, y: Preprocessor().fit(X.assign(sex=[[s] for s in X["sex"]]))),
        TypeError,
        r"column 'sex' holds values of a type riskml cannot encode \(299 list\)",
        r"astype\(str\)",
    ),
    Case(
        "array_instead_of_a_frame",
        _call(lambda X, y: make_model("logistic", horizon=HORIZON).fit(_numeric(X).to_numpy(), y)),
        TypeError,
        r"Preprocessor needs a pandas DataFrame .* got ndarray",
        r"pandas\.DataFrame\(X, columns=names\)",
    ),
    Case(
        "rows_and_outcomes_differ",
        _call(lambda X, y: make_model("logistic", horizon=HORIZON).fit(X.iloc[:-10], y)),
        ValueError,
        r"RiskPipeline\.fit: X and y must have one row per patient; got 289 rows in X and 299 "
        r"outcomes in y",
        r"cohort\.features and cohort\.outcome",
    ),
    Case(
        "outcome_as_a_column_name",
        _call(lambda X, y: make_model("logistic", horizon=HORIZON).fit(X, "death")),
        TypeError,
        r"RiskPipeline\.fit needs y, the observed outcome of every patient.*got str \(a "
        r"column name\?",
        r"pass the column itself",
    ),
    Case(
        "model_without_pipeline_rows_differ",
        _call(
            lambda X, y: LogisticRisk().fit(_numeric(X).iloc[:50], np.nan_to_num(_label(y))[:40])
        ),
        ValueError,
        r"LogisticRisk\.fit: X and y must have one row per patient; got 50 rows in X and 40 "
        r"outcomes in y",
        r"Pass the outcome of the same patients",
    ),
    Case(
        "model_without_pipeline_no_outcome",
        _call(lambda X, y: LogisticRisk().fit(_numeric(X), None)),
        TypeError,
        r"LogisticRisk\.fit needs y, the observed outcome of every patient",
        r"Outcome\.survival\(time, event\)",
    ),
    Case(
        "model_without_pipeline_empty",
        _call(lambda X, y: LogisticRisk().fit(_numeric(X).iloc[:0], np.zeros(0))),
        ValueError,
        r"X has no rows \(an empty cohort: 0 patients\)",
        r"Check the filter or file that produced it",
    ),
]

PREDICTION = [
    Case(
        "predict_with_a_column_missing",
        _predict(lambda f: f.drop(columns=["serum_creatinine"])),
        ValueError,
        r"X lacks 1 column\(s\) the model was fitted with: 'serum_creatinine'",
        r"Pass every column used in fit \(same names\)",
    ),
    Case(
        "predict_with_a_renamed_column",
        _predict(lambda f: f.rename(columns={"ejection_fraction": "Ejection_Fraction"})),
        ValueError,
        r"X lacks 1 column\(s\) the model was fitted with: 'ejection_fraction'",
        r"renamed\? 'Ejection_Fraction' for 'ejection_fraction'\?",
    ),
    Case(
        "predict_with_text_in_a_numeric_column",
        _predict(_text_in_numbers),
        TypeError,
        r"column 'serum_sodium' held numbers when the model was fitted, but now holds 2 "
        r"value\(s\) that are not numbers \(dtype object; rows at positions \[4, 11\]\)",
        r"pandas\.to_numeric\(X\['serum_sodium'\], errors='coerce'\)",
        absent=(PLANTED,),
    ),
    Case(
        "predict_with_infinity",
        _predict(_infinity("serum_sodium", [0]), model="xgboost"),
        ValueError,
        r"Preprocessor\.transform: column\(s\) 'serum_sodium' hold 1 infinite value\(s\) \(rows "
        r"at positions \[0\]\)",
        r"np\.nan",
    ),
    Case(
        "predict_for_nobody",
        _predict(lambda f: f.iloc[:0], model="random_forest"),
        ValueError,
        r"X has no rows \(0 patients\), so there is nothing to predict",
        r"Pass at least one patient",
    ),
    Case(
        "predict_with_a_new_coding",
        _predict(lambda f: f.assign(sex=np.where(f["sex"] == "M", "male", "female"))),
        UserWarning,
        r"none of the values of column 'sex' \(2 distinct\) is one of the 2 level\(s\) seen in "
        r"fit",
        r"recode the column as it was when the model was fitted",
        warns=True,
    ),
    Case(
        "predict_at_a_horizon_given_as_text",
        _predict(lambda f: f, model="cox", horizon="90"),
        TypeError,
        r"'horizon' parameter of predict_risk must be a positive number of days",
        r"horizon=365",
    ),
    Case(
        "predict_at_a_negative_horizon",
        _predict(lambda f: f, model="cox", horizon=-30),
        ValueError,
        r"'horizon' parameter of predict_risk must be a positive number of days",
        r"or None",
    ),
    Case(
        "predict_beyond_the_training_follow_up",
        _predict(lambda f: f, model="cox", horizon=3650),
        UserWarning,
        r"predict_risk\(horizon=3650\): the horizon is beyond the longest follow-up of the "
        r"training data \(285 days\)",
        r"Choose a horizon within the training follow-up",
        warns=True,
    ),
    Case(
        "external_validation_with_a_column_missing",
        _call(
            lambda X, y: rk.evaluation.external_validation(
                make_model("logistic", horizon=HORIZON).fit(X, y),
                X.drop(columns=["age"]),
                y,
                horizon=HORIZON,
                n_boot=200,
            )
        ),
        ValueError,
        r"X lacks 1 column\(s\) the model was fitted with: 'age'",
        r"Pass every column used in fit",
    ),
]

SELECTION = [
    Case(
        "selection_rfe_as_text",
        _fit(selection="rfe"),
        TypeError,
        r"selection='rfe' is text",
        r"selection=RecursiveFeatureElimination\(n_features_to_select=11\).*selection: \{rfe: "
        r"\{n_features_to_select: 11\}\}",
    ),
    Case(
        "selection_information_gain_as_text",
        _fit(selection="information_gain"),
        TypeError,
        r"selection='information_gain' is text",
        r"For 'information_gain' pass selection=InformationGain\(top_k=5\)",
    ),
    Case(
        "selection_as_a_study_file_mapping",
        _fit(selection={"rfe": {"n_features_to_select": 4}}),
        TypeError,
        r"selection=\{'rfe': \{'n_features_to_select': 4\}\} is the study-file form",
        r"pass selection=RecursiveFeatureElimination\(n_features_to_select=4\)",
    ),
    Case(
        "selection_as_a_class",
        _fit(selection=RecursiveFeatureElimination),
        TypeError,
        r"selection=RecursiveFeatureElimination is a class",
        r"selection=RecursiveFeatureElimination\(\)",
    ),
    Case(
        "selection_as_a_number",
        _fit(selection=5),
        TypeError,
        r"selection must be a feature selector; got int",
        r"selection=InformationGain\(top_k=5\)",
    ),
    Case(
        "selection_for_a_published_score",
        _fit("framingham", selection="rfe"),
        TypeError,
        r"selection='rfe' is text",
        r"RecursiveFeatureElimination\(n_features_to_select=11\)",
    ),
    Case(
        "rfe_selects_zero_features",
        _fit(selection=RecursiveFeatureElimination(n_features_to_select=0)),
        ValueError,
        r"'n_features_to_select' parameter of RecursiveFeatureElimination must be an int in "
        r"the range \[1, inf\)",
        r"For example: RecursiveFeatureElimination\(n_features_to_select=11",
    ),
    Case(
        "rfe_step_zero",
        _call(
            lambda X, y: RecursiveFeatureElimination(n_features_to_select=3, step=0).fit(
                _numeric(X), y
            )
        ),
        ValueError,
        r"'step' parameter of RecursiveFeatureElimination",
        r"For example: RecursiveFeatureElimination\(",
    ),
    Case(
        "rfe_estimator_as_a_number",
        _call(lambda X, y: RecursiveFeatureElimination(estimator=5).fit(_numeric(X), y)),
        TypeError,
        r"'estimator' parameter of RecursiveFeatureElimination",
        r"For example: RecursiveFeatureElimination\(",
    ),
    Case(
        "rfe_unknown_scoring",
        _call(
            lambda X, y: RecursiveFeatureElimination(scoring="c_index", cv=3).fit(_numeric(X), y)
        ),
        ValueError,
        r"'scoring' parameter of RecursiveFeatureElimination must be None \(the C-statistic",
        r"Leave it at None",
    ),
    Case(
        "rfe_on_text_columns",
        _call(lambda X, y: RecursiveFeatureElimination(n_features_to_select=3).fit(X, y)),
        TypeError,
        r"RecursiveFeatureElimination ranks numeric columns .* 'sex' \(object\) is not numeric",
        r"Put a preprocessing step first: make_model\(\.\.\., selection=\.\.\.\)",
    ),
    Case(
        "rfe_on_infinity",
        _call(
            lambda X, y: RecursiveFeatureElimination(n_features_to_select=3).fit(
                _infinity("age", [9])(_numeric(X)), y
            )
        ),
        ValueError,
        r"column\(s\) \['age'\] hold 1 infinite value\(s\) \(rows at positions \[9\]\)",
        r"replace them with NaN",
    ),
    Case(
        "rfe_rows_and_outcomes_differ",
        _call(
            lambda X, y: RecursiveFeatureElimination(n_features_to_select=3).fit(
                _numeric(X).iloc[:100], y
            )
        ),
        ValueError,
        r"X and y must have one row per patient; got 100 rows in X and 299 outcomes",
        r"one row per patient",
    ),
    Case(
        "information_gain_top_k_zero",
        _call(lambda X, y: InformationGain(top_k=0).fit(X, y.event)),
        ValueError,
        r"'top_k' parameter of InformationGain must be an int in the range \[1, inf\) or None",
        r"For example: InformationGain\(top_k=5\)",
    ),
    Case(
        "information_gain_top_k_as_text",
        _call(lambda X, y: InformationGain(top_k="5").fit(X, y.event)),
        TypeError,
        r"'top_k' parameter of InformationGain .* Got '5'",
        r"InformationGain\(top_k=5\)",
    ),
    Case(
        "information_gain_empty_cohort",
        _call(lambda X, y: InformationGain(top_k=3).fit(X.iloc[:0], y.event[:0])),
        ValueError,
        r"InformationGain: X has 0 rows and 11 columns; there is nothing to rank",
        r"Check the filter or file that produced it",
    ),
    Case(
        "information_gain_of_one_class",
        _call(lambda X, y: InformationGain(top_k=3).fit(X, np.zeros(len(X), dtype=int))),
        ValueError,
        r"InformationGain ranks features by what they tell about y, but y holds one class only "
        r"\(0 event\(s\) among 299 patients\)",
        r"Pass an outcome with both events and non-events",
    ),
    Case(
        "information_gain_lists_in_a_column",
        _call(
            lambda X, y: InformationGain(top_k=3).fit(
                X.assign(sex=[[s] for s in X["sex"]]), y.event
            )
        ),
        TypeError,
        r"column 'sex' holds values of type \['list'\], which cannot be ranked",
        r"X\['sex'\]\.astype\(str\)",
    ),
    Case(
        "preprocessor_reference_levels_as_a_list",
        _call(lambda X, y: Preprocessor(reference_levels=["sex"]).fit(X)),
        ValueError,
        r"'reference_levels' parameter of Preprocessor must be an instance of 'dict' or None",
        r"reference_levels=\{'sex': 'F'\}",
    ),
]


def _numeric_fit(model, X, y):
    """A model fitted without a pipeline on the numeric columns, with the 90-day label
    (binary models) or the time-to-event outcome."""
    X = _numeric(X)
    if model.outcome_kind == "binary":
        label = _label(y)
        keep = ~np.isnan(label)
        return model.fit(X[keep], label[keep].astype(int))
    return model.fit(X, y)


def _missing_at(column, rows):
    def change(X):
        X = X.copy()
        X.loc[rows, column] = np.nan
        return X

    return change


MODELS = [
    Case(
        "model_without_pipeline_text_column",
        _call(lambda X, y: LogisticRisk().fit(X, np.nan_to_num(_label(y)))),
        TypeError,
        r"LogisticRisk needs numeric columns; \['sex'\] are not \(dtypes \['object'\]\)",
        r"make_preprocessor\(\) in a RiskPipeline \(make_model builds one\)",
    ),
    Case(
        "model_without_pipeline_missing_values_at_prediction",
        _call(
            lambda X, y: _numeric_fit(rk.models.CoxPH(), X, y).predict_risk(
                _missing_at("age", [3])(_numeric(X)), horizon=HORIZON
            )
        ),
        ValueError,
        r"CoxPH\.predict_risk: column\(s\) \['age'\] hold 1 missing \(NaN\) value\(s\) \(rows "
        r"at positions \[3\]\)",
        r"impute them first",
    ),
    Case(
        "model_without_pipeline_infinity_at_prediction",
        _call(
            lambda X, y: _numeric_fit(rk.models.XGBoostRisk(n_estimators=5), X, y).predict_risk(
                _infinity("platelets", [0, 2])(_numeric(X))
            )
        ),
        ValueError,
        r"XGBoostRisk\.predict_risk: column\(s\) \['platelets'\] hold 2 infinite value\(s\) "
        r"\(rows at positions \[0, 2\]\)",
        r"replace them by NaN \(missing\)",
    ),
    Case(
        "model_without_pipeline_predicts_for_nobody",
        _call(
            lambda X, y: _numeric_fit(
                rk.models.RandomForestRisk(n_estimators=5), X, y
            ).predict_risk(_numeric(X).iloc[:0])
        ),
        ValueError,
        r"RandomForestRisk\.predict_risk: X has no rows \(0 patients\)",
        r"Pass at least one patient",
    ),
    Case(
        "lasso_cox_without_pipeline_missing_values",
        _call(lambda X, y: rk.models.LassoCox().fit(_missing_at("age", [1, 4])(_numeric(X)), y)),
        ValueError,
        r"LassoCox\.fit: column\(s\) \['age'\] hold 2 missing \(NaN\) value\(s\) \(rows at "
        r"positions \[1, 4\]\)",
        r"make_preprocessor\(\)",
    ),
    Case(
        "rfe_unknown_ranking_model",
        _call(
            lambda X, y: RecursiveFeatureElimination(n_features_to_select=3, estimator="xgb").fit(
                _numeric(X), y
            )
        ),
        ValueError,
        r"unknown ranking estimator 'xgb'",
        r"choose one of \['xgboost'",
    ),
]

CASES = FEATURE_TABLES + PREDICTION + SELECTION + MODELS


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_raw_errors(case, tmp_path, data):
    check_case(case, tmp_path, data)


def test_case_ids_are_unique():
    """The corpus's own bookkeeping: one id per case, none repeated."""
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids)) >= 40
