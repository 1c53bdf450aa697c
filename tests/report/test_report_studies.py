"""The report of real studies: every TRIPOD+AI section, one number per quantity, options.

Two studies are built once per session (tests/report/conftest.py): UCI heart-failure
records as a binary outcome with information-gain selection, and the synthetic young
hypertension cohort with XGBoost, Cox and the recalibrated Framingham score.
"""

import html
import math
import os
import re

import numpy as np
import pytest
from sklearn.metrics import auc, roc_auc_score, roc_curve

import riskml as rk
from riskml.report import SECTIONS, write_report
from riskml.report._format import outcome_words
from riskml.report._sections import _evaluable_weights, discrimination_section

ALWAYS = [
    s for s in SECTIONS if s not in ("optimism", "stability", "external", "subgroups", "fairness")
]  # shown only when run


def _section(text, section_id):
    start = text.index(f'<section id="{section_id}">')
    return html.unescape(text[start : text.index("</section>", start)])


def _ids(text):
    return re.findall(r'<section id="([a-z_]+)">', text)


def test_binary_report_has_every_section(binary_study_html):
    assert _ids(binary_study_html) == [
        s for s in SECTIONS if s not in ("optimism", "stability", "external")
    ]


def test_survival_report_has_every_section(survival_study_html):
    assert _ids(survival_study_html) == ALWAYS


@pytest.mark.parametrize("kind", ["binary", "survival"])
def test_roc_legend_is_the_tables_number(kind, binary_study, survival_study):
    """The legend shows the performance table's estimate, and the drawn curve's area is it.

    Oracle: scikit-learn's roc_curve/auc (weighted by the inverse probability of
    censoring for the time-dependent curve) against the study's summary.
    """
    result = binary_study if kind == "binary" else survival_study
    metric = "auc" if kind == "binary" else "td_auc"
    legend = discrimination_section(result)["legend"]
    summary = result.summary.set_index(["model", "metric"])
    for name in result.predictions.columns:
        estimate = summary.loc[(name, metric), "estimate"]
        assert any(text.startswith(f"{name} (") and f"{estimate:.3f})" in text for text in legend)
        risk = result.predictions[name].to_numpy()
        if kind == "binary":
            labels, weights = result.outcome.event.astype(float), None
            assert roc_auc_score(labels, risk) == pytest.approx(estimate, abs=1e-12)
        else:
            labels, weights = _evaluable_weights(result.outcome, result.horizon)
        keep = ~np.isnan(labels)
        fpr, tpr, _ = roc_curve(
            labels[keep], risk[keep], sample_weight=None if weights is None else weights[keep]
        )
        assert auc(fpr, tpr) == pytest.approx(estimate, abs=1e-9)


@pytest.mark.parametrize("kind", ["binary", "survival"])
def test_descriptions_appear_once(
    kind, binary_study, survival_study, binary_study_html, survival_study_html
):
    result, text = (
        (binary_study, binary_study_html)
        if kind == "binary"
        else (survival_study, survival_study_html)
    )
    plain = html.unescape(text)
    for name, description in result.models.items():
        # the report lists fit issues itself, so the study's note on them is cut
        if result.fit_issues is not None and name in set(result.fit_issues["model"]):
            description = description[: description.index(" Fit issues: ")]
        assert plain.count(outcome_words(description, result.outcome)) == 1
    if kind == "binary":
        assert "P(event by the horizon)" not in plain
        assert "by the horizon" not in plain


def test_performance_has_one_table_per_model_with_every_metric(survival_study, survival_study_html):
    performance = _section(survival_study_html, "performance")
    assert performance.count("<table>") == len(survival_study.predictions.columns)
    for row in survival_study.summary.itertuples():
        assert f"{row.estimate:.3f}" in performance
    assert "time-dependent AUC at 1004 days" in performance


def test_cox_hazard_ratios_per_unit_from_the_fitted_model(survival_study, survival_study_html):
    """Oracle: exp(coef_) of the whole-cohort Cox fit, the largest |coef| first.

    The penalty shown is the fit's (``penalizer_used_``): 58 candidates and 12 events
    make the registry's unpenalised Cox meet monotone likelihood, refitted with a ridge.
    """
    final = survival_study.fitted_models["cox"][-1]
    coef = final.coef_
    top = coef.abs().idxmax()
    specification = _section(survival_study_html, "specification")
    assert "Hazard ratio" in specification
    assert (
        f'<tr><td>{top}</td><td class="num">{coef[top]:+.3f}</td>'
        f'<td class="num">{math.exp(coef[top]):.3f}</td>'
    ) in specification
    # the registry's Cox model: on the predictors' own units
    assert "per unit of the input" in specification
    assert "penalizer = 0.0" not in specification
    if final.penalizer_used_ == 0:
        assert "Penalty used: none (unpenalised partial likelihood)" in specification
    else:
        assert (
            f"Penalty used: ridge (L2) penalty λ = {final.penalizer_used_:g} (lifelines "
            "penalizer), not the 0 requested"
        ) in specification
        assert "No 95% CIs or p-values: the fit is penalised" in specification


def test_logistic_odds_ratios_and_selection_stability(binary_study, binary_study_html):
    specification = _section(binary_study_html, "specification")
    assert "Odds ratio" in specification and "Intercept" in specification
    frequency = binary_study.selection_frequency
    selection = _section(binary_study_html, "selection")
    assert "InformationGain(top_k=5)" in selection
    for row in frequency[frequency["model"] == "xgboost"].itertuples():
        assert f"<td>{row.feature}</td>" in selection
        assert f"{100 * row.frequency:.0f}%" in selection
    assert "(selected on the whole cohort)" in selection


def test_framingham_recalibration_and_age_extrapolation(survival_study, survival_study_html):
    """Oracle: the cohort's ages against the D'Agostino 2008 derivation range 30-74."""
    final = survival_study.fitted_models["framingham_recalibrated"][-1]
    specification = _section(survival_study_html, "specification")
    assert "dagostino2008_lipid" in specification and "30–74 years" in specification
    assert f"{final.baseline_survival_['M']:.4f}" in specification
    ages = survival_study.explanations["framingham_recalibrated"].data["age"]
    outside = int(((ages < 30) | (ages > 74)).sum())
    assert outside > 0
    limitations = _section(survival_study_html, "limitations")
    assert f"{outside} of {len(ages)} patients examined" in limitations
    assert "synthetic" in limitations and "Small sample" in limitations


def test_outcome_defines_censoring_at_the_horizon(survival_study, survival_study_html):
    outcome = _section(survival_study_html, "outcome")
    labels = survival_study.outcome.at_horizon(1004.0)
    assert "counts as event-free at the horizon when follow-up reaches it" in outcome
    assert f"<td>{int(np.sum(np.isnan(labels))):,}</td>" in outcome


def test_calibration_overall_and_decision_curve_numbers(binary_study, binary_study_html):
    summary = binary_study.summary.set_index(["model", "metric"])
    calibration = _section(binary_study_html, "calibration")
    for metric in ("calibration_intercept", "calibration_slope", "o_e", "ici"):
        assert f"{summary.loc[('xgboost', metric), 'estimate']:.3f}" in calibration
    assert "shaded band" in calibration
    overall = _section(binary_study_html, "overall")
    assert f"{summary.loc[('logistic', 'ipa'), 'estimate']:.3f}" in overall
    curve = binary_study.decision_curve
    utility = _section(binary_study_html, "clinical_utility")
    for name in ("Treat all", "Treat none", "xgboost"):
        value = curve[(curve["model"] == name) & np.isclose(curve["threshold"], 0.1)]
        assert f"{value['net_benefit'].iloc[0]:.3f}" in utility
    assert "Net benefit at 10%" in utility


def test_subgroups_and_comparison_method(binary_study_html, survival_study_html):
    assert "sex" in _section(binary_study_html, "subgroups")
    assert "DeLong's test" in _section(binary_study_html, "comparison")
    assert "paired bootstrap" in _section(survival_study_html, "comparison")


def test_patient_card_names_the_model_and_both_risks(survival_study, survival_study_html):
    k = survival_study.patient_index
    explanation = survival_study.explanation
    card = _section(survival_study_html, "patient")
    assert f"Why {explanation.model_name} predicts this" in card
    assert f"{explanation.patient_risk(k):.3f}" in card
    assert f"{survival_study.predictions[explanation.model_name].iloc[k]:.3f}" in card
    assert "Whole-cohort fit (explained here)" in card


def test_explanations_of_every_model_and_a_beeswarm(survival_study, survival_study_html):
    section = _section(survival_study_html, "explanations")
    for name in survival_study.explanations:
        assert f"Mean absolute SHAP value per input column of {name}" in section
    assert f"SHAP beeswarm of {survival_study.explanation.model_name}" in section


def test_reproducibility_lists_versions_and_settings(binary_study_html):
    import platform

    section = _section(binary_study_html, "reproducibility")
    for package in ("numpy", "pandas", "scikit-learn", "xgboost", "lifelines", "shap"):
        assert f"<td>{package}</td>" in section
    assert f"<td>{np.__version__}</td>" in section
    assert platform.python_version() in section
    assert "<td>n_boot</td><td>100</td>" in section


def test_checklist_links_to_sections_of_the_report(survival_study_html):
    checklist = _section(survival_study_html, "checklist")
    links = set(re.findall(r'href="#([a-z_]+)"', checklist))
    assert links and links <= set(_ids(survival_study_html))
    assert "to be completed by the authors" in checklist
    assert "<td>23a</td>" in checklist and "<td>27c</td>" in checklist


def test_sections_title_and_authors_options(binary_study, tmp_path):
    path = write_report(
        binary_study,
        tmp_path / "r.html",
        title="Heart failure <validation>",
        authors=["A. Author", "B. Author"],
        sections=["performance", "calibration", "checklist"],
    )
    text = path.read_text()
    assert _ids(text) == ["performance", "calibration", "checklist"]
    assert "Heart failure &lt;validation&gt;" in text and "A. Author, B. Author" in text
    checklist = _section(text, "checklist")
    assert "#cohort" not in checklist  # not in this report: left to the authors
    with pytest.raises(ValueError, match="unknown: \\['roc'\\]. Choose among cohort, outcome"):
        write_report(binary_study, tmp_path / "x.html", sections=["roc"])
    assert not (tmp_path / "x.html").exists()


def test_existing_files_and_links_are_refused_unless_overwrite(binary_study, tmp_path):
    target = tmp_path / "report.html"
    target.write_text("keep me")
    with pytest.raises(FileExistsError, match="already exists"):
        binary_study.report(target, sections=["outcome"])
    assert target.read_text() == "keep me"
    link = tmp_path / "link.html"
    secret = tmp_path / "secret.txt"
    secret.write_text("untouched")
    link.symlink_to(secret)
    with pytest.raises(FileExistsError, match="symbolic link"):
        write_report(binary_study, link, sections=["outcome"])
    write_report(binary_study, link, sections=["outcome"], overwrite=True)
    assert secret.read_text() == "untouched" and not link.is_symlink()
    write_report(binary_study, target, sections=["outcome"], overwrite=True)
    assert "<!DOCTYPE html>" in target.read_text()
    assert sorted(os.listdir(tmp_path)) == ["link.html", "report.html", "secret.txt"]


def test_planted_identifiers_and_network_references_are_absent(tmp_path):
    """Ids, and a context column of names with missing values, never reach the report."""
    import warnings

    import pandas as pd

    hf = rk.cohorts.load_heart_failure_clinical_records()
    features = hf.features.copy()
    n = len(features)
    features["Patient Name"] = [None if i % 7 == 0 else f"Zed Quux{i}" for i in range(n)]
    metadata = pd.concat([hf.metadata, pd.DataFrame({"role": ["context"]}, index=["Patient Name"])])
    ids = [f"MRN{700000 + i}" for i in range(n)]
    cohort = rk.Cohort(features, rk.Outcome.binary(hf.outcome.event), metadata, ids=ids)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = rk.Study(
            cohort, models=["logistic"], validation=3, n_boot=50, progress=False
        ).run()
    assert result.cohort_summary["missing"].loc["Patient Name", "missing"] > 0  # planted
    text = result.report(tmp_path / "r.html").read_text()
    assert "MRN7" not in text and "Quux" not in text and "Patient Name" not in text
    assert not re.search(r'(src|href)="(?!data:image/png;base64,|#)', text)
    assert "http://" not in text and "https://" not in text
