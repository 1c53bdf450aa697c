"""``riskml validate`` writes an HTML report with the numbers of its tables.

A logistic model (binary outcome, readmission by 30 days) and a Cox model (death by
365 days, time to event) are fitted on a synthetic heart-failure registry, saved, and
validated from the command line on another draw of the registry.

Oracles: the run's own ``validation_metrics.csv`` (full precision) and
``validation.md`` for every number of the report, shown to the decimals the report
prints; the warnings the run issued for the input checks; ``validation.md``'s advice;
the model file's header (:func:`riskml.persistence.read_model_info`) for the model's
specification; the cohort file itself for the counts and for the identifiers that must
not appear.
"""

from __future__ import annotations

import hashlib
import html
import re
import warnings
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

import riskml as rk
from riskml.cli import main
from riskml.deployment import saved_model_validation, validate_model
from riskml.models import make_model
from riskml.persistence import read_model_info
from riskml.report import VALIDATION_SECTIONS

N_BOOT = "200"
CASES = {
    "binary": {"model": "logistic.riskml", "args": ["--outcome", "readmit_30d"]},
    "survival": {
        "model": "cox.riskml",
        "args": ["--outcome", "death_event", "--time", "death_time_days", "--horizon", "365"],
    },
}


class _Sections(HTMLParser):
    """Each ``<section id=...>``: its text, its tables (rows of cell texts), its links
    and whether it holds an inline PNG."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sections: dict[str, dict] = {}
        self._current = None
        self._row = self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self._current = {"text": [], "tables": [], "links": [], "image": False}
            self.sections[attrs["id"]] = self._current
        if self._current is None:
            return
        if tag == "table":
            self._current["tables"].append([])
        elif tag == "tr":
            self._row = []
            self._current["tables"][-1].append(self._row)
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "a":
            self._current["links"].append(attrs.get("href"))
        elif tag == "img" and str(attrs.get("src", "")).startswith("data:image/png;base64,"):
            self._current["image"] = True

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "section":
            self._current = None

    def handle_data(self, data):
        if self._current is not None:
            self._current["text"].append(data)
            if self._cell is not None:
                self._cell.append(data)


def _parse(text: str) -> dict:
    parser = _Sections()
    parser.feed(text)
    for section in parser.sections.values():
        section["text"] = " ".join(" ".join(section["text"]).split())
    return parser.sections


def _shown(text: str) -> tuple[float, float]:
    """A displayed number and the largest rounding error its decimals allow."""
    text = text.strip().replace(",", "")
    scale = 100.0 if text.endswith("%") else 1.0
    number = text.rstrip("%")
    decimals = len(number.split(".")[1]) if "." in number else 0
    return float(number) / scale, 0.5 * 10 ** (-decimals) / scale + 1e-12


def _interval(text: str) -> tuple[str, str]:
    low, high = re.split(r"–| to ", text)
    return low, high


def _same(displayed: str, value: float) -> bool:
    number, tolerance = _shown(displayed)
    return abs(number - value) <= tolerance


def _snapshot(folder):
    return {
        p.name: (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
        for p in sorted(folder.iterdir())
    }


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Two saved models and a validation cohort whose identifiers are unmistakable."""
    root = tmp_path_factory.mktemp("validate_report")
    models, inputs = root / "models", root / "input"
    models.mkdir()
    inputs.mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        binary = rk.cohorts.make_hf_registry(
            n_patients=800, random_state=0, competing_death="exclude"
        )
        survival = rk.cohorts.make_hf_registry(n_patients=800, random_state=0, label="death_1yr")
        logistic = make_model("logistic").fit(binary.features, binary.outcome)
        cox = make_model("cox", horizon=365).fit(survival.features, survival.outcome)
        frame = rk.cohorts.make_hf_registry(n_patients=600, random_state=5, return_frame=True)
    rk.save_model(logistic, models / "logistic.riskml", cohort=binary)
    rk.save_model(cox, models / "cox.riskml", cohort=survival)
    frame["patient_id"] = [f"PID-{i:05d}-QX" for i in range(len(frame))]
    frame["hospital_id"] = [f"HOSP-{i % 37:03d}-ZK" for i in range(len(frame))]
    cohort = inputs / "cohort.csv"
    frame.to_csv(cohort, index=False)
    return {"models": models, "cohort": cohort, "frame": frame, "root": root}


@pytest.fixture(scope="module", params=list(CASES))
def run(request, files):
    """``riskml validate`` of one model: its outputs, parsed, and the warnings it gave."""
    kind = request.param
    case = CASES[kind]
    out = files["root"] / f"out_{kind}"
    before = _snapshot(files["cohort"].parent)
    model_path = files["models"] / case["model"]
    command = ["validate", str(model_path), str(files["cohort"]), *case["args"]]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = main([*command, "--out", str(out), "--n-boot", N_BOOT])
    text = (out / "validation-report.html").read_text(encoding="utf-8")
    return {
        "kind": kind,
        "code": code,
        "out": out,
        "html": text,
        "sections": _parse(text),
        "csv": pd.read_csv(out / "validation_metrics.csv"),
        "md": (out / "validation.md").read_text(encoding="utf-8"),
        "warnings": [str(w.message) for w in caught if w.category is rk.errors.InputWarning],
        "input_before": before,
        "input_after": _snapshot(files["cohort"].parent),
        "info": read_model_info(model_path),
    }


def test_writes_every_section_in_order(run):
    assert run["code"] == 0
    assert sorted(p.name for p in run["out"].iterdir()) == [
        "validation-report.html",
        "validation.md",
        "validation_metrics.csv",
    ]
    assert list(run["sections"]) == list(VALIDATION_SECTIONS)
    for name in ("discrimination", "calibration", "clinical_utility"):
        assert run["sections"][name]["image"], name
    assert "not produced yet" not in run["md"]
    assert "validation-report.html" in run["md"]


def test_performance_numbers_equal_the_csv_and_markdown(run):
    """Every estimate, interval, method and count of the report's performance table is
    the CSV's (to the decimals shown), in the CSV's order, and the markdown's."""
    table = run["sections"]["performance"]["tables"][0]
    header, rows = table[0], table[1:]
    assert header[:4] == ["Metric", "Estimate", "95% CI", "Method"]
    csv = run["csv"]
    assert len(rows) == len(csv)
    markdown = [
        line.split("|")[1:-1]
        for line in run["md"].splitlines()
        if line.startswith("| ") and not line.startswith("| Metric")
    ]
    for row, record, md in zip(rows, csv.to_dict("records"), markdown, strict=True):
        _, estimate, interval, method, n, events = row
        assert _same(estimate, record["estimate"]), (row, record)
        low, high = _interval(interval)
        assert _same(low, record["low"]) and _same(high, record["high"]), (row, record)
        assert method.startswith(record["method"])
        if "bootstrap" in record["method"]:
            assert method.endswith(f"{int(N_BOOT)} resamples")
        assert int(n.replace(",", "")) == record["n"]
        assert int(events.replace(",", "")) == record["events"]
        md_estimate, md_interval = md[1].strip(), md[2].strip()
        assert _same(estimate, float(md_estimate)) or _same(md_estimate, _shown(estimate)[0])
        md_low, md_high = md_interval.split(" to ")
        assert _same(md_low, record["low"]) and _same(md_high, record["high"])


def test_figures_and_tables_show_the_same_numbers(run, files):
    """The ROC legend, the calibration and overall tables repeat the performance
    table's numbers, never others."""
    sections = run["sections"]
    csv = run["csv"].set_index("metric")
    performance = {row[0]: (row[1], row[2]) for row in sections["performance"]["tables"][0][1:]}
    metric = "auc" if run["kind"] == "binary" else "td_auc"
    legend = re.search(
        r"Legend: [^(]+\((?:AUC|td AUC) ([0-9.]+)\)", sections["discrimination"]["text"]
    )
    assert legend and _same(legend.group(1), csv.loc[metric, "estimate"])
    for name in ("calibration", "overall"):
        table = sections[name]["tables"][0]
        for column, cell in zip(table[0][1:], table[1][1:], strict=True):
            label = column.split(" (95% CI")[0]
            estimate, interval = performance[
                next(k for k in performance if k.lower() == label.lower())
            ]
            assert cell == f"{estimate} ({interval})", (name, column)
    cohort = dict(tuple(row) for row in sections["cohort"]["tables"][0])
    assert cohort["Patients (n)"] == f"{len(files['frame']):,}" == f"{int(csv['n'].iloc[0]):,}"
    if run["kind"] == "binary":
        assert cohort["Events"] == f"{int(csv.loc['auc', 'events']):,}"
    else:
        assert cohort["Events by 365 days"] == f"{int(csv.loc['td_auc', 'events']):,}"


def test_model_specification_is_the_model_files(run):
    info = run["info"]
    rows = dict(tuple(row) for row in run["sections"]["specification"]["tables"][0])
    family = "logistic" if run["kind"] == "binary" else "cox"
    assert rows["Model family"] == family
    columns = [c["name"] for c in info["columns"]]
    assert rows[f"Input columns ({len(columns)})"] == ", ".join(columns)
    assert rows["Development data (as stored)"] == f"{info['inputs']['n_rows']:,} patients"
    horizon = info["horizon_days"]
    assert rows["Horizon stored in the file"] == (
        "none" if horizon is None else f"{horizon:g} days"
    )
    assert rows["Saved"].startswith(info["created_utc"])
    assert family in run["sections"]["specification"]["text"]


def test_input_checks_are_the_warnings_given(run):
    """Each input warning of the run is a row of the report's input checks, and the
    inputs table lists every input of the model."""
    section = run["sections"]["inputs"]
    comparison, checks = section["tables"]
    assert [row[0] for row in comparison[1:]] == [c["name"] for c in run["info"]["columns"]]
    messages = [row[4] for row in checks[1:]]
    assert run["warnings"], "the registry draw has values outside the training range"
    assert sorted(m.split(" (Pass strict=True")[0] for m in run["warnings"]) == sorted(messages)
    assert {row[3] for row in checks[1:]} == {"warned"}


def test_advice_and_checklist(run):
    advice = run["md"].split("## Recalibration advice")[1].split("\n\n")[1]
    expected = [line[2:].rstrip(".") for line in advice.splitlines() if line.startswith("- ")]
    items = run["sections"]["recalibration"]["text"]
    for item in expected:
        assert html.unescape(item) in items
    rows = {row[0]: row for row in run["sections"]["checklist"]["tables"][0][1:]}
    links = run["sections"]["checklist"]["links"]
    assert "#inputs" in links and "#recalibration" in links and "#performance" in links
    assert rows["16"][2] == rows["20c"][2] == VALIDATION_SECTIONS["inputs"][0]
    assert rows["24"][2] == "not applicable"


def test_no_identifier_and_the_input_folder_untouched(run, files):
    frame = files["frame"]
    text = run["html"]
    for column in ("patient_id", "hospital_id", "admit_date", "discharge_date"):
        assert column not in text
        values = frame[column].astype(str).unique()
        found = [v for v in values if v in text]
        assert not found, (column, found[:3])
    assert run["input_after"] == run["input_before"]
    assert sorted(run["input_after"]) == ["cohort.csv"]


def test_existing_report_refused_unless_overwrite(files, tmp_path, capsys):
    out = tmp_path / "results"
    out.mkdir()
    (out / "validation-report.html").write_text("an earlier report")
    command = ["validate", str(files["models"] / "logistic.riskml"), str(files["cohort"])]
    command += ["--outcome", "readmit_30d", "--out", str(out), "--n-boot", "50"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(command) == 2
        err = capsys.readouterr().err
        assert "validation-report.html" in err and "already exists" in err
        assert sorted(p.name for p in out.iterdir()) == ["validation-report.html"]
        assert (out / "validation-report.html").read_text() == "an earlier report"
        assert main([*command, "--overwrite"]) == 0
    assert (out / "validation-report.html").read_text().startswith("<!DOCTYPE html>")


def test_the_input_folder_is_refused_as_out(files, capsys):
    folder = files["cohort"].parent
    before = _snapshot(folder)
    command = ["validate", str(files["models"] / "logistic.riskml"), str(files["cohort"])]
    assert main([*command, "--outcome", "readmit_30d", "--out", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "is the folder of the cohort file 'cohort.csv'" in err and "another folder" in err
    assert _snapshot(folder) == before


def test_python_entry_gives_the_same_report(files, tmp_path):
    """``saved_model_validation(...).report(path)`` in a notebook gives the report that
    ``validate_model`` writes (same numbers, same sections); ``report=False`` writes the
    tables only."""
    options = {"outcome": "readmit_30d", "n_boot": 50, "random_state": 3}
    model, cohort = files["models"] / "logistic.riskml", files["cohort"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = saved_model_validation(model, cohort, **options)
        path = result.report(tmp_path / "notebook.html")
        rows, _, paths = validate_model(model, cohort, tmp_path / "cli", **options)
        _, _, tables_only = validate_model(
            model, cohort, tmp_path / "tables", report=False, **options
        )
    assert [p.name for p in paths][-1] == "validation-report.html"
    assert [p.name for p in tables_only] == ["validation_metrics.csv", "validation.md"]
    assert not (tmp_path / "tables" / "validation-report.html").exists()
    np.testing.assert_array_equal(result.summary["estimate"], rows["estimate"])
    notebook = _parse(path.read_text(encoding="utf-8"))
    written = _parse(paths[-1].read_text(encoding="utf-8"))
    assert list(notebook) == list(written) == list(VALIDATION_SECTIONS)
    for name in ("performance", "calibration", "overall", "inputs", "recalibration"):
        assert notebook[name]["tables"] == written[name]["tables"], name
