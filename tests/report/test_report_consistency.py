"""One story in the report: every figure it states is the result's, stated once.

Real studies on bundled cohorts (tests/report/conftest.py): the heart-failure records
as a binary outcome (DeLong comparison), the synthetic young-hypertension cohort at a
horizon (paired bootstrap, percentile and Wald intervals, a Cox fit with fit issues),
and the heart-failure records at 90 days with sex as a category (unpenalised Cox with a
reference level, LASSO). :func:`report_problems` reads the generated HTML back and
lists every figure that disagrees with the result object; the oracle of each figure is
the result's own field (or Outcome.at_horizon for counts, R's coxph for the hazard
ratios), and a deliberately wrong figure is shown to be caught.
"""

import copy
import dataclasses
import html
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from riskml.report import render_report
from riskml.report._figures import draw_decision_curve
from riskml.report._format import fmt_number
from riskml.report._sections import describe_penalty

DATA = Path(__file__).resolve().parents[1] / "data"


class _Tables(HTMLParser):
    """Every table of an HTML fragment as rows of cell texts, with the heading above it."""

    def __init__(self):
        super().__init__()
        self.tables, self._row, self._cell, self._heading = [], None, None, ""
        self._in_heading = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"heading": self._heading, "rows": []})
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag in ("h2", "h3"):
            self._in_heading, self._heading = True, ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1]["rows"].append(self._row)
            self._row = None
        elif tag in ("h2", "h3"):
            self._in_heading = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._in_heading:
            self._heading += data


def _section(text, section_id):
    start = text.index(f'<section id="{section_id}">')
    return text[start : text.index("</section>", start)]


def _plain(fragment):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _tables(fragment):
    parser = _Tables()
    parser.feed(fragment)
    return parser.tables


def _pairs(fragment):
    """Label -> value of the two-cell rows (<th>label</th><td>value</td>) of a section."""
    return {row[0]: row[1] for table in _tables(fragment) for row in table["rows"] if len(row) == 2}


def _method(record):
    """The summary's method of a row, with the resamples of a bootstrap."""
    method = str(record["method"])
    if "bootstrap" in method and "resample" not in method and record.get("n_boot", 0) > 0:
        method += f", {int(record['n_boot']):,} resamples"
    return method


def report_problems(text, result):
    """Every figure of the report ``text`` that disagrees with ``result``: [] if none."""
    problems = []
    outcome, horizon, info = result.outcome, result.horizon, result.sample_size
    plain = _plain(text)

    # events: all of them, and by the horizon
    cohort = _pairs(_section(text, "cohort"))
    total = int(np.sum(outcome.event))
    label = "Events" if not outcome.is_survival else "Events over the whole follow-up"
    if horizon is not None:
        label += " (any time)"
    if not cohort.get(label, "").startswith(f"{total:,}"):
        problems.append(f"cohort: {label} {cohort.get(label)!r}, result {total:,}")
    if horizon is not None:
        by = int(np.sum(outcome.at_horizon(horizon) == 1))
        if info["events"] != by:
            problems.append(f"sample_size['events'] {info['events']} != {by} by the horizon")
        for section, key in (
            ("cohort", f"Events by {horizon:g} days"),
            ("outcome", "Events by the horizon"),
            ("sample_size", f"Events by the horizon ({horizon:g} days)"),
        ):
            shown = _pairs(_section(text, section)).get(key)
            if shown != f"{by:,}":
                problems.append(f"{section}: {key} {shown!r}, result {by:,}")
        if "Event rate" in cohort:
            problems.append("cohort: an unlabelled 'Event rate' beside the horizon")

    # events per candidate parameter: one figure, the study's, wherever it is stated
    epp = f"{info['events_per_parameter']:.1f}"
    table = _pairs(_section(text, "sample_size")).get("Events per candidate parameter")
    if table != epp:
        problems.append(f"sample size: events per candidate parameter {table!r}, result {epp}")
    stated = re.findall(
        r"(\d+(?:\.\d+)?) events per (?:candidate )?(?:predictor )?parameter", plain
    )
    if not stated or set(stated) != {epp}:
        problems.append(f"events per parameter stated as {sorted(set(stated))}, result {epp}")
    if "per candidate variable" in plain:
        problems.append("a second events-per-variable figure")

    # the comparison that ran
    if result.comparison is not None:
        method = str(result.comparison["method"].iloc[0])
        comparison = _plain(_section(text, "comparison"))
        settings = _pairs(_section(text, "reproducibility"))
        if method not in comparison:
            problems.append(f"comparison section does not name {method!r}")
        if not settings.get("comparison", "").startswith(method):
            problems.append(f"reproducibility: comparison {settings.get('comparison')!r}")
        other = "delong" if "bootstrap" in method.lower() else "bootstrap"
        if other in (comparison + settings.get("comparison", "")).lower():
            problems.append(f"the comparison is also described as {other}")

    # the intervals' methods: each row names its own, each heading its rows'
    expected = {
        (str(r["model"]), str(r["metric"])): _method(r) for r in result.summary.to_dict("records")
    }
    performance = _tables(_section(text, "performance"))
    for table, model in zip(performance, dict.fromkeys(result.summary["model"]), strict=True):
        header, *rows = table["rows"]
        column = header.index("Method")
        metrics = result.summary.loc[result.summary["model"] == model, "metric"]
        for row, metric in zip(rows, metrics, strict=True):
            if row[column] != expected[(model, metric)]:
                problems.append(f"{model} {metric}: method {row[column]!r}")
    for section in ("calibration", "overall"):
        if f'<section id="{section}">' not in text:
            continue
        for heading in _tables(_section(text, section))[0]["rows"][0][1:]:
            named = re.search(r"\(95% CI: (.*)\)$", heading).group(1).split("; ")
            rows = [
                method
                for (model, metric), method in expected.items()
                if heading.startswith(_label(result, metric))
            ]
            if sorted(set(named)) != sorted(set(rows)):
                problems.append(f"{section} heading {heading!r}, rows' methods {set(rows)}")

    # fit issues, with their counts, in the limitations
    if result.fit_issues is not None:
        limitations = _plain(_section(text, "limitations"))
        for row in result.fit_issues.to_dict("records"):
            issue = " ".join(str(row["issue"]).split()).rstrip(".")
            counted = f"{row['model']} ({row['fits']} of {row['of']} fits"
            if counted not in limitations or issue not in limitations:
                problems.append(f"limitations lack {counted}: {issue[:40]}")
    return problems


def _label(result, metric):
    from riskml.report._format import metric_label

    return metric_label(metric, result.outcome, result.horizon)


@pytest.mark.parametrize("kind", ["binary", "survival", "hf_cox"])
def test_every_stated_figure_is_the_results(
    kind,
    binary_study,
    survival_study,
    hf_cox_study,
    binary_study_html,
    survival_study_html,
    hf_cox_html,
):
    result, text = {
        "binary": (binary_study, binary_study_html),
        "survival": (survival_study, survival_study_html),
        "hf_cox": (hf_cox_study, hf_cox_html),
    }[kind]
    assert report_problems(text, result) == []


def test_a_wrong_figure_is_caught(survival_study, survival_study_html):
    """The checker is not vacuous: one wrong figure in the result or the text fails it."""
    info = dict(survival_study.sample_size, events_per_parameter=3.14)
    wrong = dataclasses.replace(survival_study, sample_size=info)
    assert any("events per" in p for p in report_problems(survival_study_html, wrong))
    by = int(np.sum(survival_study.outcome.at_horizon(survival_study.horizon) == 1))
    row = f'<th>Events by {survival_study.horizon:g} days</th><td class="num">{by:,}</td>'
    assert row in survival_study_html
    edited = survival_study_html.replace(row, row.replace(f">{by:,}<", f">{by + 1:,}<"))
    assert any("cohort: Events by" in p for p in report_problems(edited, survival_study))
    delong = survival_study.comparison.assign(method="DeLong paired")
    wrong = dataclasses.replace(survival_study, comparison=delong)
    assert any("DeLong" in p for p in report_problems(survival_study_html, wrong))


def test_one_events_per_parameter_figure_defined_by_the_horizon(
    survival_study, survival_study_html
):
    """Oracle: Outcome.at_horizon; the figure is min(events, event-free) / parameters."""
    labels = survival_study.outcome.at_horizon(survival_study.horizon)
    events, free = int(np.sum(labels == 1)), int(np.sum(labels == 0))
    parameters = survival_study.sample_size["candidate_parameters"]
    assert survival_study.sample_size["events_per_parameter"] == min(events, free) / parameters
    section = _plain(_section(survival_study_html, "sample_size"))
    assert (
        f"Events per candidate parameter: {min(events, free)} events by the horizon "
        f"({survival_study.horizon:g} days) / {parameters} candidate predictor parameters"
    ) in section


def test_sample_size_criteria_have_human_headings_and_whole_counts(survival_study_html):
    criteria = _tables(_section(survival_study_html, "sample_size"))[1]["rows"]
    header, *rows = criteria
    assert header[:4] == [
        "Criterion",
        "Patients needed",
        "Expected shrinkage factor",
        "Events needed",
    ]
    assert not [h for h in header if "_" in h]
    for row in rows:
        for cell in row[1:2] + row[3:4]:  # patients and events needed
            assert cell == "—" or re.fullmatch(r"\d{1,3}(,\d{3})*", cell), cell


def test_cox_hazard_ratios_with_cis_and_p_values_as_r(hf_cox_study, hf_cox_html):
    """Oracle: R's summary(coxph(...)) (tests/data/report_cox_heart_failure.R)."""
    oracle = pd.read_csv(DATA / "report_cox_heart_failure.csv").set_index("covariate")
    specification = _section(hf_cox_html, "specification")
    table = next(t for t in _tables(specification) if t["heading"].strip() == "cox")
    header, *rows = table["rows"]
    assert header == ["Model column", "Coefficient", "Hazard ratio", "95% CI (Wald)", "p", "Unit"]
    shown = {row[0]: row for row in rows}
    assert set(shown) == set(oracle.index)
    for covariate, r in oracle.iterrows():
        row = shown[covariate]
        assert row[2] == f"{r['hazard_ratio']:.3f}"
        assert row[3] == f"{r['hr_low']:.3f}–{r['hr_high']:.3f}"
        assert row[4] == ("<0.001" if r["p"] < 0.001 else f"{r['p']:.3f}")
    assert shown["sex_male"][5] == "sex male vs female (reference)"
    plain = _plain(specification)
    assert "Reference levels of the one-hot encoding" in plain and "sex = female" in plain
    assert "Penalty used: none (unpenalised partial likelihood)" in plain


def test_penalties_are_the_ones_used_and_read_by_people(hf_cox_study, hf_cox_html):
    """The LASSO's C is the fitted C_ (chosen by inner CV), at 3 significant digits."""
    lasso = hf_cox_study.fitted_models["lasso"][-1]
    plain = _plain(_section(hf_cox_html, "specification"))
    value = f"{lasso.C_:.3g}" if lasso.C_ < 1000 else f"{lasso.C_:,.0f}"
    assert f"Penalty used: LASSO (L1) inverse penalty C = {value} (λ = 1/C = " in plain
    assert f"chosen by {lasso.cv}-fold cross-validation on AUC" in plain
    assert "C_ =" not in plain and repr(lasso.C_) not in plain
    assert fmt_number(0.3593813663804626) == "0.359"
    assert fmt_number(10000.0) == "10,000" and fmt_number(float("inf")) == "infinite"


def test_penalty_read_from_the_fit_not_the_request():
    """A Cox fit refitted with a ridge after separation reports the ridge it used."""
    from types import SimpleNamespace

    separated = SimpleNamespace(penalizer=0.0, penalizer_used_=0.001, l1_ratio=0.0)
    assert describe_penalty(separated) == (
        "ridge (L2) penalty λ = 0.001 (lifelines penalizer), not the 0 requested: the "
        "requested fit failed (see the fit issues above)"
    )
    asked = SimpleNamespace(penalizer=0.1, penalizer_used_=0.1, l1_ratio=1.0)
    assert describe_penalty(asked) == "LASSO (L1) penalty λ = 0.1 (lifelines penalizer)"
    ridge = SimpleNamespace(C=1.0, C_=0.3593813663804626, penalty="l2", cv=5)
    assert describe_penalty(ridge) == (
        "ridge (L2) inverse penalty C = 0.359 (λ = 1/C = 2.78; chosen by 5-fold "
        "cross-validation on AUC)"
    )
    assert describe_penalty(SimpleNamespace(C_=math.inf, penalty=None)) == (
        "none (maximum likelihood)"
    )


def test_fit_issues_reach_the_limitations_and_the_specification(binary_study, tmp_path):
    """A StudyResult with fit issues (and a whole-cohort fit recording one) says so."""
    issues = pd.DataFrame(
        {
            "model": ["logistic", "xgboost"],
            "issue": [
                "complete separation: a covariate predicts the outcome exactly.",
                "the boosting stopped early.",
            ],
            "fits": [3, 1],
            "of": [4, 4],
            "whole_cohort": [True, False],
        }
    )
    fitted = copy.deepcopy(binary_study.fitted_models)
    fitted["logistic"][-1].fit_issues_ = [
        "complete separation: a covariate predicts the outcome exactly.",
        "the solver hit max_iter.",
    ]
    result = dataclasses.replace(binary_study, fit_issues=issues, fitted_models=fitted)
    text = render_report(result, sections=["specification", "limitations"])
    limitations = _plain(_section(text, "limitations"))
    assert (
        "logistic (3 of 4 fits, including the whole-cohort fit that is reported, explained "
        "and deployed): complete separation: a covariate predicts the outcome exactly."
    ) in limitations
    assert "xgboost (1 of 4 fits; not the whole-cohort fit): the boosting stopped early." in (
        limitations
    )
    assert "logistic (the whole-cohort fit): the solver hit max_iter." in limitations
    assert limitations.count("complete separation") == 1
    specification = _section(text, "specification")
    logistic = _plain(specification[: specification.index('<h3 id="spec-2">')])
    assert "Fit issues of logistic" in logistic
    assert "3 of 4 fits, including the whole-cohort fit" in logistic
    assert "the whole-cohort fit: the solver hit max_iter." in logistic
    clean = render_report(binary_study, sections=["specification", "limitations"])
    assert "Fit issues of" not in clean and "of 4 fits" not in clean


def test_decision_curve_axis_shows_treat_none():
    """Models with net benefit above 0.03 everywhere: the axis still reaches 0."""
    thresholds = np.linspace(0.01, 0.3, 30)
    table = pd.concat(
        [
            pd.DataFrame(
                {"model": "Treat all", "threshold": thresholds, "net_benefit": 0.4 - thresholds}
            ),
            pd.DataFrame({"model": "Treat none", "threshold": thresholds, "net_benefit": 0.0}),
            pd.DataFrame(
                {"model": "cox", "threshold": thresholds, "net_benefit": 0.45 - thresholds}
            ),
        ]
    )
    ax = draw_decision_curve(table, Figure().add_subplot())
    low, high = ax.get_ylim()
    assert low < 0.0 < high and high > 0.45 - 0.01
    assert "Treat none" in [line.get_label() for line in ax.get_lines()]
    without = draw_decision_curve(table[table["model"] != "Treat none"], Figure().add_subplot())
    assert "Treat none" in [line.get_label() for line in without.get_lines()]
    assert without.get_ylim()[0] < 0.0


def test_class_imbalance_is_said_once_and_well_formed(survival_study_html):
    methods = _plain(_section(survival_study_html, "methods"))
    assert methods.count("No resampling or class weighting") == 1
    assert "Class imbalance: Class imbalance" not in methods
    plain = _plain(survival_study_html)
    assert ".;" not in plain and ". ;" not in plain


def test_outcome_named_by_its_name_or_its_cohort(binary_study_html, survival_study_html):
    """The binary study's outcome has the default name 'outcome': never quoted as such."""
    binary = _plain(binary_study_html)
    assert "'outcome'" not in binary and "risk of 'outcome'" not in binary
    assert "the event (the outcome was given no name)" in _plain(
        _section(binary_study_html, "outcome")
    )
    survival = _plain(_section(survival_study_html, "outcome"))
    assert "Predicted quantity: the risk of 'composite' by 1004 days" in survival


def test_interval_headings_follow_the_summarys_methods(survival_study):
    """A method renamed in the summary is what the headings and rows then say."""
    summary = survival_study.summary.copy()
    summary["method"] = summary["method"].replace({"Wald": "profile likelihood"})
    result = dataclasses.replace(survival_study, summary=summary)
    text = render_report(result, sections=["performance", "calibration", "methods"])
    calibration = _plain(_section(text, "calibration"))
    assert "calibration slope at 1004 days (95% CI: profile likelihood)" in calibration
    assert "Wald" not in _plain(text)
    assert "ICI at 1004 days (95% CI: percentile bootstrap, 100 resamples)" in calibration
    methods = _plain(_section(text, "methods"))
    assert "profile likelihood (calibration slope at 1004 days, O:E ratio at 1004 days)" in methods


def test_distinct_imbalance_handlings_are_grouped(survival_study):
    """The study's setting {model: handling} is said once per distinct handling."""
    from riskml.report._sections import imbalance_sentence

    recorded = {
        "xgboost": "random undersampling of the majority class, applied in each training "
        "fold only.",
        "cox": "no resampling or class weighting; models were fitted to the observed event rate.",
        "framingham_recalibrated": "no resampling or class weighting; models were fitted to "
        "the observed event rate.",
    }
    settings = dict(survival_study.settings, **{"class imbalance": recorded})
    result = dataclasses.replace(survival_study, settings=settings, fitted_models={})
    assert imbalance_sentence(result) == (
        "xgboost: Random undersampling of the majority class, applied in each training fold "
        "only. cox, framingham_recalibrated: No resampling or class weighting; models were "
        "fitted to the observed event rate."
    )
