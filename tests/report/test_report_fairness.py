"""The "Fairness across groups" section: a study with subgroups shows it, its numbers are
``result.fairness``'s, its sentences state the largest difference with its interval,
and the TRIPOD+AI checklist links items 14 and 23b to it; ``riskml run`` on a study
file with ``subgroups:`` writes it too.

Uses the session's heart-failure study (tests/report/conftest.py: logistic and XGBoost,
subgroups=["sex"], 3-fold cross-validation, 100 replicates).
"""

import html
import re
import warnings

import pandas as pd

from riskml.cli import main
from riskml.evaluation import fairness_summary
from riskml.report._format import fmt


def _section(text, section_id):
    start = text.index(f'<section id="{section_id}">')
    return html.unescape(text[start : text.index("</section>", start)])


def test_study_result_carries_fairness(binary_study):
    """Oracle: fairness_summary on the study's out-of-fold predictions and settings."""
    fairness = binary_study.fairness
    assert set(fairness.summary["variable"]) == {"sex"}
    assert set(fairness.summary["model"]) == {"logistic", "xgboost"}
    assert list(dict.fromkeys(fairness.summary["metric"])) == [
        "auc",
        "o_e",
        "calibration_slope",
        "net_benefit",
    ]
    expected = fairness_summary(
        binary_study.outcome, binary_study.predictions, _sex_labels(), n_boot=100, random_state=0
    )
    pd.testing.assert_frame_equal(fairness.summary, expected.summary)
    assert fairness.threshold == 0.1


def _sex_labels():
    import riskml as rk

    return {"sex": rk.cohorts.load_heart_failure_clinical_records().features["sex"]}


def test_section_shows_the_numbers_of_result_fairness(binary_study, binary_study_html):
    section = _section(binary_study_html, "fairness")
    assert "Fairness across groups" in section
    summary = binary_study.fairness.summary
    sentences = re.findall(r'<p class="fairness-gap">(.*?)</p>', binary_study_html)
    assert len(sentences) == int(summary["estimate"].notna().sum()) > 0
    auc = summary.set_index(["model", "metric"]).loc[("logistic", "auc")]
    stated = (
        f"The AUC differed by {fmt(auc['estimate'])} (95% CI {fmt(auc['low'])} to "
        f"{fmt(auc['high'])}) between sex groups for logistic"
    )
    assert stated in section
    oe = summary.set_index(["model", "metric"]).loc[("xgboost", "o_e")]
    assert f"was {fmt(oe['estimate'])} times as high (95% CI {fmt(oe['low'])} to" in section
    # the per-group table shows result.fairness.groups' estimates
    groups = binary_study.fairness.groups
    for value in groups.loc[groups["metric"] == "auc", "estimate"]:
        assert fmt(value) in section
    assert "Calibration within each group" in section
    assert re.search(r'<section id="fairness">.*?data:image/png;base64,', binary_study_html, re.S)
    # the existing subgroup section is still there, before it
    assert binary_study_html.index('id="subgroups"') < binary_study_html.index('id="fairness"')


def test_checklist_links_items_14_and_23b(binary_study_html):
    checklist = _section(binary_study_html, "checklist")
    for item in ("14", "23b"):
        row = re.search(rf"<td>{item}</td>(.*?)</tr>", checklist, re.S)
        assert row and 'href="#fairness"' in row.group(1), item


def test_result_without_fairness_has_no_section(survival_result, survival_html):
    assert getattr(survival_result, "fairness", None) is None
    assert 'id="fairness"' not in survival_html
    assert "Fairness across groups" not in survival_html


STUDY = """
cohort:
  loader: load_heart_failure_clinical_records
  outcome: binary
models: [logistic]
validation: 3
n_boot: 50
explain: null
subgroups: [sex]
report:
  file: hf.html
  sections: [performance, subgroups, fairness, checklist]
"""


def test_study_file_with_subgroups_writes_the_section(tmp_path):
    path = tmp_path / "study.yaml"
    path.write_text(STUDY)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 0
    text = (tmp_path / "out" / "hf.html").read_text()
    section = _section(text, "fairness")
    assert re.search(
        r"The AUC differed by -?\d\.\d{3} \(95% CI -?\d\.\d{3} to -?\d\.\d{3}\)", section
    )
    assert "between sex groups for logistic" in section
    assert "Calibration within each group" in section
