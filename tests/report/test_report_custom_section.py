"""A report section of a user's own (docs/extending.md, "Add a report section"): registered
from outside riskml, it appears in the report of a real Study, escaped, with its table,
figure, table-of-contents entry and checklist link, and leaves no trace once removed.

Oracle for the table: pandas on the study's out-of-fold predictions (``qcut`` deciles).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from riskml.report import (
    SECTIONS,
    register_report_section,
    registered_report_section,
    render_report,
    unregister_report_section,
)


def _deciles(result):
    risk = result.predictions["logistic"]
    groups = pd.qcut(risk, 5, labels=False, duplicates="drop") + 1
    table = risk.groupby(groups).agg(["size", "mean"]).rename_axis("fifth").reset_index()
    return {
        "text": ["Mean out-of-fold risk by fifth of the logistic model.", "<b>not bold</b>"],
        "table": table.rename(columns={"size": "n", "mean": "mean risk"}),
        "note": "Fifths by pandas.qcut.",
    }


def _figure(result):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(3, 2))
    figure.add_subplot().hist(result.predictions["logistic"], bins=10)
    return {"figure": figure}


def _section(html: str, name: str) -> str:
    match = re.search(rf'<section id="{name}">(.*?)</section>', html, re.DOTALL)
    assert match, f"section {name} missing"
    return match.group(1)


def test_a_registered_section_appears_in_a_study_report(binary_study, tmp_path):
    with registered_report_section("risk_fifths", "Risk by fifth", _deciles, tripod=("23a",)):
        path = binary_study.report(tmp_path / "report.html")
    html = path.read_text(encoding="utf-8")
    body = _section(html, "risk_fifths")
    assert "<h2>Risk by fifth</h2>" in body
    assert "&lt;b&gt;not bold&lt;/b&gt;" in body and "<b>not bold</b>" not in body
    # the table equals pandas on the same predictions, to the 3 decimals shown
    risk = binary_study.predictions["logistic"]
    expected = risk.groupby(pd.qcut(risk, 5, labels=False, duplicates="drop")).mean()
    shown = [float(v) for v in re.findall(r"<tr><td>\d+</td><td>\d+</td><td>([0-9.]+)</td>", body)]
    assert shown == pytest.approx(expected.round(3).tolist(), abs=5e-4)
    assert '<a href="#risk_fifths">Risk by fifth</a>' in html  # contents and checklist
    checklist = _section(html, "checklist")
    assert '<a href="#risk_fifths">Risk by fifth</a>' in checklist
    # placed after the example patient's section and before the limitations
    assert html.index('id="risk_fifths"') < html.index('id="limitations"')


def test_sections_choose_registered_ones_by_name_and_figures_are_inline(binary_study):
    with registered_report_section("risk_histogram", "Risk histogram", _figure):
        html = render_report(binary_study, sections=["performance", "risk_histogram"])
    body = _section(html, "risk_histogram")
    assert 'src="data:image/png;base64,' in body
    assert 'id="calibration"' not in html


def test_unregistered_and_empty_sections_leave_no_trace(binary_study):
    register_report_section("nothing_here", "Nothing", lambda result: None)
    try:
        html = render_report(binary_study)
        assert 'id="nothing_here"' not in html and ">Nothing<" not in html
    finally:
        unregister_report_section("nothing_here")
    with registered_report_section("risk_fifths", "Risk by fifth", _deciles):
        pass
    assert 'id="risk_fifths"' not in render_report(binary_study)


@pytest.mark.parametrize(
    ("name", "title", "builder", "error", "message"),
    [
        ("Risk Fifths", "t", _deciles, ValueError, "lower-case letters"),
        ("calibration", "t", _deciles, ValueError, "one of riskml's own report sections"),
        ("fifths", "", _deciles, TypeError, "title must be a non-empty string"),
        ("fifths", "t", "not callable", TypeError, "builder must be a function"),
    ],
)
def test_bad_registrations_are_refused(name, title, builder, error, message):
    with pytest.raises(error, match=message):
        register_report_section(name, title, builder)
    assert "fifths" not in SECTIONS


def test_a_failing_or_malformed_builder_names_the_section(binary_study):
    def broken(result):
        raise KeyError("no such model")

    failing = "report section 'broken' failed while building"
    with (
        registered_report_section("broken", "Broken", broken),
        pytest.raises(RuntimeError, match=failing),
    ):
        render_report(binary_study)
    malformed = r"report section 'malformed'.*keys \['html'\]"
    with (
        registered_report_section("malformed", "Malformed", lambda r: {"html": "<p>"}),
        pytest.raises(TypeError, match=malformed),
    ):
        render_report(binary_study)
    with (
        pytest.raises(ValueError, match="already registered"),
        registered_report_section("twice", "Twice", _deciles),
    ):
        register_report_section("twice", "Twice", _deciles)


def test_docstring_examples_run():
    """Oracle: the numpydoc Examples run without error."""
    import doctest

    from riskml.report import _custom

    result = doctest.testmod(_custom, raise_on_error=False)
    assert result.attempted > 0 and result.failed == 0
