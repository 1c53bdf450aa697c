"""Every notebook in notebooks/ runs from top to bottom (executed with nbclient).

The notebooks read ``RISKML_NOTEBOOK_FAST=1`` and then run a reduced design (fewer
patients, folds and bootstrap replicates, stated in each notebook), so that the
suite executes all of them in a few minutes; their stored outputs come from the
full design.
"""

import os
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SEED_STUDIES = {
    "wu2020_young_hypertension.ipynb",
    "frizzell2017_heart_failure_readmission.ipynb",
    "barrett2019_mimic3_ami.ipynb",
    "motwani2017_information_gain.ipynb",
    "heart_failure_model_zoo.ipynb",
}


def test_every_seed_study_has_a_notebook():
    assert {path.name for path in NOTEBOOKS} >= SEED_STUDIES


def test_stored_notebooks_carry_their_outputs():
    # A reader sees the results without running anything: every code cell of a
    # stored notebook was executed and none ended in an error.
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        assert code, path.name
        assert all(cell.execution_count for cell in code), f"{path.name} has unexecuted cells"
        errors = [o for cell in code for o in cell.outputs if o.output_type == "error"]
        assert not errors, f"{path.name} was stored with an error output"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, monkeypatch):
    monkeypatch.setenv("RISKML_NOTEBOOK_FAST", "1")
    # The kernel imports this checkout's riskml, whatever is installed.
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    )
    monkeypatch.setenv("RISKML_REPOSITORY", str(ROOT))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(path, as_version=4)
    shutil.copy(path, tmp_path / path.name)
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    ).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "fast mode: True" in text
    if path.name == "quickstart.ipynb":
        assert (tmp_path / "quickstart-report.html").exists()
    else:
        # Every seed notebook ends with the published-vs-riskml table.
        last = [cell for cell in notebook.cells if cell.cell_type == "code"][-1]
        assert any("riskml" in str(o.get("data", {}).get("text/plain", "")) for o in last.outputs)
