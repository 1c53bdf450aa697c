"""An OMOP cohort from a study file: load_omop_cohort (the one-call form a study file's
``cohort:`` block uses) and ``riskml run`` on the Synthea OMOP demo.

Oracle: build_omop_cohort with the same ConceptSets on the same folder (tested against
independent SQL in test_omop_cohort.py).
"""

import re
import shutil
from html import unescape
from pathlib import Path

import pandas as pd
import pytest

from riskml.cli import main
from riskml.cohorts import ConceptSet, OmopSource, build_omop_cohort, load_omop_cohort

SYNTHEA = Path(__file__).parents[1] / "data" / "omop_synthea27nj"
DESIGN = dict(time_at_risk=(1, 3650), washout=365, min_covariate_count=3)


def test_load_omop_cohort_equals_build_omop_cohort():
    built = build_omop_cohort(
        OmopSource(SYNTHEA),
        ConceptSet([40481087], name="viral sinusitis"),
        ConceptSet([260139], name="outcome"),
        **DESIGN,
    )
    loaded = load_omop_cohort(
        SYNTHEA,
        target={"concept_ids": [40481087], "name": "viral sinusitis"},
        outcome=[260139],
        **DESIGN,
    )
    pd.testing.assert_frame_equal(loaded.flow, built.flow)
    pd.testing.assert_frame_equal(loaded.features, built.features)
    assert list(loaded.outcome.event) == list(built.outcome.event)
    with pytest.raises(ValueError, match="target must name its concepts"):
        load_omop_cohort(SYNTHEA, target={"ids": [1]}, outcome=[260139])


def _study(tmp_path, target: str) -> Path:
    shutil.copytree(SYNTHEA, tmp_path / "omop")
    path = tmp_path / "study.yaml"
    path.write_text(
        "cohort:\n"
        "  loader: load_omop_cohort\n"
        "  path: omop\n"
        "  args:\n"
        f"    target: {target}\n"
        "    outcome: [260139]\n"
        "    time_at_risk: [1, 3650]\n"
        "    washout: 365\n"
        "    min_covariate_count: 3\n"
        "models: [logistic]\n"
        "validation: 2\n"
        "n_boot: 50\n"
        "explain: null\n"
    )
    return path


@pytest.mark.filterwarnings("ignore")
def test_riskml_run_builds_the_omop_cohort_and_reports_its_attrition(tmp_path):
    study = _study(tmp_path, "{concept_ids: [40481087], name: viral sinusitis}")
    assert main(["run", str(study), "--out", str(tmp_path / "out")]) == 0
    html = (tmp_path / "out" / "report.html").read_text()
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    assert "target events: viral sinusitis" in text
    assert "excluded: not the person's first target event" in text


def test_a_bad_concept_set_names_the_line_and_the_fix(tmp_path, capsys):
    study = _study(tmp_path, "viral sinusitis")
    assert main(["run", str(study), "--out", str(tmp_path / "out")]) != 0
    message = capsys.readouterr().err
    assert "study.yaml, line 5" in message and "a list of OMOP concept ids" in message
    assert "Write e.g. target: {concept_ids: [320128]" in message
