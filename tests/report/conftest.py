"""Session fixtures for the report tests (see _report_helpers for the synthetic result)."""

import matplotlib
import pytest
from _report_helpers import make_result

matplotlib.use("Agg")


@pytest.fixture(scope="session")
def survival_result():
    return make_result("survival")


@pytest.fixture(scope="session")
def survival_html(survival_result, tmp_path_factory):
    from riskml.report import write_report

    path = write_report(survival_result, tmp_path_factory.mktemp("report") / "report.html")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def binary_study():
    """UCI heart-failure records as a binary outcome, information-gain selection (~10 s)."""
    import warnings

    import riskml as rk

    hf = rk.cohorts.load_heart_failure_clinical_records()
    cohort = rk.Cohort(hf.features, rk.Outcome.binary(hf.outcome.event), hf.metadata)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small-sample warnings are checked in the report
        return rk.Study(
            cohort,
            models=["logistic", "xgboost"],
            selection=rk.features.InformationGain(top_k=5),
            validation=3,
            n_boot=100,
            subgroups=["sex"],
            progress=False,
        ).run()


@pytest.fixture(scope="session")
def survival_study():
    """Synthetic young hypertension: XGBoost, Cox, recalibrated Framingham (~25 s).

    random_state=1: with the default seed 0 a 300-patient sample has htn_etiology
    levels only among patients censored before the horizon, and the study's SHAP step
    refuses them (reported to the integrator).
    """
    import warnings

    import riskml as rk

    cohort = rk.cohorts.make_young_hypertension(n_patients=300, random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return rk.Study(
            cohort,
            models=["xgboost", "cox", "framingham_recalibrated"],
            validation=3,
            n_boot=100,
            progress=False,
        ).run()


@pytest.fixture(scope="session")
def binary_study_html(binary_study, tmp_path_factory):
    path = binary_study.report(tmp_path_factory.mktemp("binary") / "report.html")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def survival_study_html(survival_study, tmp_path_factory):
    path = survival_study.report(tmp_path_factory.mktemp("survival") / "report.html")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def hf_cox_study():
    """Bundled heart-failure records at 90 days, sex as a category: Cox and LASSO (~10 s).

    Sex is coded "female"/"male" so that the Cox model has a reference level, as the
    R oracle tests/data/report_cox_heart_failure.R codes it.
    """
    import warnings

    import numpy as np

    import riskml as rk

    hf = rk.cohorts.load_heart_failure_clinical_records()
    features = hf.features.copy()
    features["sex"] = np.where(features["sex"] == 1, "male", "female")
    cohort = rk.Cohort(
        features, hf.outcome, name="heart_failure_clinical_records", horizon=hf.horizon
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the small-sample warning is read in the report
        return rk.Study(
            cohort,
            models=["cox", "lasso"],
            validation=3,
            n_boot=50,
            explain=None,
            progress=False,
        ).run()


@pytest.fixture(scope="session")
def hf_cox_html(hf_cox_study, tmp_path_factory):
    path = hf_cox_study.report(tmp_path_factory.mktemp("hf") / "report.html")
    return path.read_text(encoding="utf-8")
