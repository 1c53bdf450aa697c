"""Tests for riskml.report.write_report."""

import html
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from _report_helpers import HORIZON, SCRIPT_MODEL, make_result, planted_id

import riskml
from riskml.report import write_report


class _Tags(HTMLParser):
    """Collects every tag with its attributes."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(text):
    parser = _Tags()
    parser.feed(text)
    return parser.tags


def _section(text, section_id):
    start = text.index(f'<section id="{section_id}">')
    return text[start : text.index("</section>", start)]


def test_report_is_written_and_returns_its_path(survival_result, tmp_path):
    path = write_report(survival_result, tmp_path / "nested" / "study.html")
    assert path == tmp_path / "nested" / "study.html"
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_report_is_self_contained(survival_html):
    """Oracle: an HTML parser; every src is a data: URI, no script, link or remote href."""
    tags = _tags(survival_html)
    assert not [t for t, _ in tags if t in {"script", "link", "iframe", "object", "embed"}]
    images = [attrs for tag, attrs in tags if tag == "img"]
    assert len(images) == 3  # ROC, SHAP importance and beeswarm
    for _, attrs in tags:
        if "src" in attrs:
            assert attrs["src"].startswith("data:image/png;base64,"), attrs["src"][:40]
        if "href" in attrs:
            assert attrs["href"].startswith("#"), attrs["href"][:40]  # links inside the page
    assert "http://" not in survival_html and "https://" not in survival_html
    assert "@import" not in survival_html and "url(" not in survival_html


def test_report_shows_models_metrics_and_formatted_cis(survival_html, survival_result):
    text = html.unescape(survival_html)
    for name in ("xgboost", "cox", SCRIPT_MODEL):
        assert name in text
    for description in survival_result.models.values():
        assert description in text
    table = html.unescape(_section(survival_html, "performance"))
    for row in survival_result.summary.itertuples():
        assert f"{row.estimate:.3f}" in table
        assert f"{row.low:.3f}–{row.high:.3f}" in table
    assert "0.71234" not in table  # rounded at display only
    assert "Harrell's C" in table and "harrell_c" not in table
    assert "percentile bootstrap (2000 resamples)" in table


def test_report_shows_cohort_summary(survival_html, survival_result):
    """Oracle: the counts recomputed from the outcome and the features."""
    cohort = html.unescape(_section(survival_html, "cohort"))
    outcome = survival_result.outcome
    assert f'<td class="num">{len(outcome):,}</td>' in cohort
    assert f"{int(outcome.event.sum()):,}" in cohort
    assert f"{100 * outcome.event.mean():.1f}%" in cohort
    assert f"{np.median(outcome.time):.0f} days" in cohort
    q1, q3 = np.percentile(outcome.time, [25, 75])
    assert f"({q1:.0f}–{q3:.0f})" in cohort
    # events per candidate parameter: one figure, stated in the sample-size section only
    assert "per candidate" not in cohort


def _km_risk(time, event, horizon):
    """Brute-force product-limit estimate of 1 - S(horizon) (Kaplan & Meier 1958)."""
    survival = 1.0
    for t in np.unique(time[(event == 1) & (time <= horizon)]):
        at_risk = np.sum(time >= t)
        deaths = np.sum((time == t) & (event == 1))
        survival *= 1.0 - deaths / at_risk
    return 1.0 - survival


def test_cohort_event_rate_is_stated_at_the_horizon(survival_html, survival_result):
    """Oracle: Outcome.at_horizon for the count; a hand-written Kaplan-Meier for the risk.

    The all-follow-up proportion appears only under its own label.
    """
    cohort = html.unescape(_section(survival_html, "cohort"))
    outcome = survival_result.outcome
    by_horizon = int(np.sum(outcome.at_horizon(HORIZON) == 1))
    assert f'<th>Events by {HORIZON:g} days</th><td class="num">{by_horizon:,}</td>' in cohort
    risk = _km_risk(outcome.time, outcome.event.astype(int), HORIZON)
    assert (
        f"<th>Risk of the event by {HORIZON:g} days (Kaplan-Meier)</th>"
        f'<td class="num">{100 * risk:.1f}%</td>'
    ) in cohort
    every = f"{int(outcome.event.sum()):,} ({100 * outcome.event.mean():.1f}% of patients)"
    assert (
        f'<th>Events over the whole follow-up (any time)</th><td class="num">{every}</td>'
    ) in cohort
    assert "<th>Event rate</th>" not in cohort


def test_missingness_table_lists_columns_with_missing_values_sorted(survival_html, survival_result):
    missing = survival_result.cohort_summary["missing"]
    block = survival_html[survival_html.index('<table id="missingness">') :]
    block = block[: block.index("</table>")]
    names = re.findall(r"<tr><td>([^<]+)</td>", block)
    expected = missing[missing["missing"] > 0].sort_values("missing", ascending=False).index
    assert names == list(expected) == ["chol", "age"]


def test_roc_caption_names_the_horizon_and_the_evaluable_patients(survival_html, survival_result):
    """Oracle: Outcome.at_horizon, counting the non-NaN labels."""
    evaluable = int(np.sum(~np.isnan(survival_result.outcome.at_horizon(HORIZON))))
    assert evaluable < len(survival_result.outcome)  # some are censored before the horizon
    roc = _section(survival_html, "discrimination")
    assert f"Restricted to the {evaluable:,} of {len(survival_result.outcome):,} patients" in roc
    assert "evaluable at the horizon" in roc


def test_patient_card_shows_risks_and_top_contributions(survival_html, survival_result):
    k = survival_result.patient_index
    card = html.unescape(_section(survival_html, "patient"))
    assert f"Example patient (row {k} of the cohort)" in card
    for name, value in survival_result.predictions.iloc[k].items():
        assert f'<tr><td>{name}</td><td class="num">{value:.3f}</td></tr>' in card
    table = survival_result.explanation.patient(k)
    top = table.iloc[0]
    assert f"{top.contribution:+.3f}" in card
    assert f"<td>{top.feature}</td>" in card
    assert f"{survival_result.explanation.patient_risk(k):.3f}" in card


def test_planted_identifiers_never_appear(survival_result, survival_html):
    """ids sit in result.cohort_ids, result.ids and the index of predictions and of X."""
    assert survival_result.predictions.index[0] == planted_id(0)
    assert "MRN-" not in survival_html
    assert "123456" not in survival_html
    assert "patient_id" not in survival_html


def test_text_from_the_result_is_escaped(survival_html):
    assert SCRIPT_MODEL not in survival_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in survival_html
    assert "<b>escaping</b>" not in survival_html
    assert "synthetic &lt;cohort&gt;" in survival_html


def test_generation_info_and_methods(survival_html):
    text = html.unescape(survival_html)
    assert f"riskml {riskml.__version__}" in text
    assert "random_state = 20240611" in text
    methods = html.unescape(_section(survival_html, "methods"))
    assert "Validation.</strong> Stratified 5-fold cross-validation." in methods
    assert "inside each training fold" in methods
    assert "Feature selection, imputation and model fitting" in methods


def test_report_without_explanation_for_a_binary_outcome(tmp_path):
    result = make_result("binary", explanation=False, n=150)
    text = write_report(result, tmp_path / "binary.html").read_text(encoding="utf-8")
    plain = html.unescape(text)
    assert '<section id="explanations">' not in text
    assert len([t for t, _ in _tags(text) if t == "img"]) == 1
    assert "against the binary outcome (150 patients)" in plain
    assert "AUC" in _section(text, "performance") and "Follow-up" not in plain
    assert "Example patient (row 7 of the cohort)" in plain
    assert "No SHAP explanation was computed" in plain
    assert "MRN-" not in text


def test_survival_without_horizon_and_without_patient(tmp_path):
    result = make_result("survival", explanation=False, n=120)
    result.horizon = None
    result.patient_index = None
    text = write_report(result, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "against the event indicator over the whole follow-up" in html.unescape(text)
    assert '<section id="patient">' not in text


def test_model_descriptions_appear_once_in_the_specification(tmp_path):
    result = make_result("binary", explanation=False, n=120)
    result.predictions = result.predictions.rename(columns={"cox": "framingham_recalibrated"})
    result.models["framingham_recalibrated"] = "Framingham (D'Agostino 2008), recalibrated"
    text = html.unescape(write_report(result, tmp_path / "f.html").read_text())
    specification = html.unescape(
        _section(
            write_report(result, tmp_path / "f.html", overwrite=True).read_text(), "specification"
        )
    )
    assert '<h3 id="spec-2">framingham_recalibrated</h3>' in specification
    assert text.count("Framingham (D'Agostino 2008), recalibrated") == 1


def test_patient_outside_the_explained_subsample(survival_result, tmp_path):
    result = make_result("survival", n=120)
    explained = result.explanation
    outside = 3
    keep = explained.values.index != outside
    for name in ("values", "transformed_values", "data"):
        setattr(explained, name, getattr(explained, name).loc[keep])
    explained.row_positions = explained.row_positions[keep]
    result.patient_index = outside
    text = html.unescape(write_report(result, tmp_path / "p.html").read_text())
    assert "This patient was not in the rows explained" in text


def test_missing_attributes_are_a_type_error(tmp_path):
    result = make_result("binary", explanation=False, n=60)
    del result.settings
    del result.models
    with pytest.raises(
        TypeError, match="write_report needs a StudyResult .* lacks models, settings"
    ):
        write_report(result, tmp_path / "x.html")


def test_bad_summary_and_predictions_are_refused(tmp_path):
    result = make_result("binary", explanation=False, n=60)
    result.summary = result.summary.drop(columns="low")
    with pytest.raises(TypeError, match="result.summary must be a DataFrame with columns"):
        write_report(result, tmp_path / "x.html")
    result = make_result("binary", explanation=False, n=60)
    result.predictions = result.predictions.iloc[:-1]
    with pytest.raises(
        ValueError, match="result.predictions has 59 rows but result.outcome has 60"
    ):
        write_report(result, tmp_path / "x.html")
    result.predictions = result.predictions.to_numpy()
    with pytest.raises(TypeError, match="result.predictions must be a DataFrame"):
        write_report(result, tmp_path / "x.html")


@pytest.mark.parametrize(
    ("index", "error", "match"),
    [
        ("MRN-123456", TypeError, "must be an int, a 0-based row position .* got a str"),
        (60, ValueError, r"must be a row position in \[0, 60\); got 60"),
        (-1, ValueError, r"must be a row position in \[0, 60\); got -1"),
    ],
    ids=["identifier", "past-the-end", "negative"],
)
def test_patient_index_must_be_a_row_position(tmp_path, index, error, match):
    result = make_result("binary", explanation=False, n=60)
    result.patient_index = index
    with pytest.raises(error, match=match) as excinfo:
        write_report(result, tmp_path / "x.html")
    assert "MRN" not in str(excinfo.value)


def test_single_class_outcome_skips_the_roc_figure(tmp_path):
    result = make_result("binary", explanation=False, n=60)
    result.outcome = riskml.Outcome.binary(np.zeros(60, dtype=int))
    text = write_report(result, tmp_path / "x.html").read_text()
    assert "Not drawn: only one outcome class." in text
    assert not [t for t, _ in _tags(text) if t == "img"]


def test_missing_predictions_display_as_dash(tmp_path):
    result = make_result("binary", explanation=False, n=60, patient_index=2)
    result.predictions.iloc[2, 1] = np.nan
    card = _section(write_report(result, tmp_path / "x.html").read_text(), "patient")
    assert '<tr><td>cox</td><td class="num">—</td></tr>' in card


def test_a_metric_at_the_horizon_is_labelled_and_formatted_by_its_registry_entry(tmp_path):
    """A registered metric at the horizon gets its label with the horizon and its own
    number format; a name the registry does not know is shown as it is."""
    from riskml.evaluation import registered_metric

    result = make_result("survival", explanation=False, n=80)
    extra = result.summary.iloc[[0, 0]].assign(
        metric=["auc_at_horizon", "unregistered_score"],
        estimate=[0.6663, 0.25],
        low=[0.6, 0.2],
        high=[0.7, 0.3],
    )
    result.summary = pd.concat([result.summary, extra], ignore_index=True)
    with registered_metric(
        "auc_at_horizon",
        "survival",
        lambda time, event, risk, horizon: 0.5,
        label="AUC",
        needs_horizon=True,
        percent=True,
        decimals=1,
    ):
        table = html.unescape(
            _section(write_report(result, tmp_path / "x.html").read_text(), "performance")
        )
    assert f"AUC at {HORIZON:g} days" in table and "66.6%" in table and "60.0%–70.0%" in table
    assert "unregistered_score" in table and "0.250" in table


def test_shap_scale_is_log_hazard_for_survival_xgboost():
    from types import SimpleNamespace

    from riskml.report._sections import _scale

    assert _scale(SimpleNamespace(objective="survival:cox")) == "log relative hazard"
    assert _scale(SimpleNamespace(objective="binary:logistic")) == "log-odds"
    assert _scale(SimpleNamespace(scale="log cumulative hazard")) == "log cumulative hazard"
