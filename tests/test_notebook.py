"""The notebooks in notebooks/ are always true.

Slow (CI): every notebook is executed again in a fresh kernel, at the design its stored
outputs come from, and every number it prints must equal the stored one to within one
unit of its last printed digit (``notebooks/execute.py --check``). Fast: the stored
notebooks were executed, show a figure in every plotting cell, quote no path of the
machine that stored them, and end (seed studies) with the published-vs-riskml table; and
the comparison catches a changed number.
"""

import copy
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SEED_STUDIES = {
    "wu2020_young_hypertension.ipynb",
    "frizzell2017_heart_failure_readmission.ipynb",
    "barrett2019_mimic3_ami.ipynb",
    "motwani2017_information_gain.ipynb",
    "heart_failure_model_zoo.ipynb",
}
_spec = importlib.util.spec_from_file_location("execute", ROOT / "notebooks" / "execute.py")
execute = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(execute)


def _code_cells(path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def test_every_seed_study_has_a_notebook():
    assert {path.name for path in NOTEBOOKS} >= SEED_STUDIES


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_stored_notebook_carries_its_outputs(path):
    # A reader sees the results without running anything: every code cell of a
    # stored notebook was executed, in one kernel session, and none ended in an error.
    code = _code_cells(path)
    assert code, path.name
    counts = [cell.execution_count for cell in code]
    assert all(counts), f"{path.name} has unexecuted cells"
    assert counts == list(range(1, len(code) + 1)), f"{path.name}: not one session {counts}"
    errors = [o for cell in code for o in cell.outputs if o.output_type == "error"]
    assert not errors, f"{path.name} was stored with an error output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_every_plotting_cell_shows_its_figure(path):
    plotting = re.compile(r"\.plot_\w+\(|\bplt\.show\(\)")
    for index, cell in enumerate(_code_cells(path)):
        if plotting.search(cell.source):
            assert execute._images(cell) >= 1, f"{path.name}, code cell {index}: no figure"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_no_output_quotes_a_local_path(path):
    local = re.compile(r"(/work/|/tmp/|/home/|/root/|/Users/|[A-Z]:\\\\)")
    for index, cell in enumerate(_code_cells(path)):
        for output in cell.outputs:
            text = str(output.get("text", "")) + str(
                {k: v for k, v in output.get("data", {}).items() if not k.startswith("image/")}
            )
            assert not local.search(text), f"{path.name}, code cell {index}: {text[:200]}"


@pytest.mark.parametrize(
    "path",
    [path for path in NOTEBOOKS if path.name in SEED_STUDIES],
    ids=[path.stem for path in NOTEBOOKS if path.name in SEED_STUDIES],
)
def test_seed_study_ends_with_the_published_comparison(path):
    last = _code_cells(path)[-1]
    assert "riskml" in execute._text_outputs(last), path.name


def test_a_changed_number_fails_the_check():
    """Oracle: the stored notebook against itself (no difference) and against a copy
    with one printed estimate changed, one with a digit of rounding noise, and one
    without its figures."""
    stored = nbformat.read(ROOT / "notebooks" / "quickstart.ipynb", as_version=4)
    assert execute.compare(stored, stored) == []
    changed, noise, blank = (copy.deepcopy(stored) for _ in range(3))
    target = next(
        (i, o)
        for i, cell in enumerate(changed.cells)
        if cell.cell_type == "code"
        for o in cell.outputs
        if re.search(r"\b0\.\d{3}\b", o.get("data", {}).get("text/plain", ""))
    )
    index, output = target
    text = output["data"]["text/plain"]
    number = re.search(r"\b0\.\d{3}\b", text).group(0)
    bumped = f"{float(number) + 0.05:.3f}"
    output["data"]["text/plain"] = text.replace(number, bumped, 1)
    differences = execute.compare(stored, changed)
    assert differences and differences[0].startswith(f"cell {index}: a number differs")
    assert f"stored {number}, now {bumped}" in differences[0]
    # rounding noise: one unit of the last printed digit is tolerated
    for cell in noise.cells:
        for o in cell.get("outputs", []):
            if "text/plain" in o.get("data", {}) and number in o["data"]["text/plain"]:
                last = int(number[-1])
                nudged = number[:-1] + str(last + 1 if last < 9 else last - 1)
                o["data"]["text/plain"] = o["data"]["text/plain"].replace(number, nudged, 1)
    assert execute.compare(stored, noise) == []
    for cell in blank.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if "image/png" not in o.get("data", {})]
    assert any("figure(s) stored" in line for line in execute.compare(stored, blank))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_reproduces_its_stored_outputs(path):
    differences = execute.check(path, timeout=1800)
    assert not differences, f"{path.name} differs from its stored outputs:\n" + "\n".join(
        differences
    )
