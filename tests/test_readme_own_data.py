"""README.md's "Your own data" section runs as written, on the sample file riskml installs.

The section's Python block is executed as it stands (in a temporary working folder), its
``SchemaError`` example is the message riskml gives today, and its study file is read by
:func:`riskml.study_file.load_study_file` (every key checked and the cohort loaded; the
study's fit is covered by tests/test_cli_run.py). Editing the README so that its code
stops working, or riskml so that the README's message goes stale, fails here. The bundled
sample file is checked against its description (young_htn_sample.md) and against the
generator the description says wrote it.
"""

import contextlib
import hashlib
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import riskml as rk
from riskml.study_file import load_study_file

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / "riskml" / "cohorts" / "datasets"
SAMPLE_MD = DATASETS / "young_htn_sample.md"


def _own_data_blocks() -> list[tuple[str, str]]:
    """(language, text) of each fenced block of README's "Your own data" section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Your own data\n(.*?)(?=^## )", readme, flags=re.M | re.S)
    assert match, 'README.md has no "## Your own data" section'
    return re.findall(r"^```(\w*)\n(.*?)^```", match.group(1), flags=re.M | re.S)


def _block(language: str, startswith: str = "") -> str:
    found = [
        text
        for lang, text in _own_data_blocks()
        if lang == language and text.startswith(startswith)
    ]
    assert len(found) == 1, (
        f'README "Your own data": expected one ```{language} block starting with '
        f"{startswith!r}, found {len(found)}"
    )
    return found[0]


@pytest.fixture(scope="module")
def snippet_run(tmp_path_factory):
    """Execute the section's Python block in an empty folder: (namespace, stdout, folder)."""
    folder = tmp_path_factory.mktemp("own_data")
    code = _block("python")
    namespace = {"__name__": "__readme__"}
    stdout = io.StringIO()
    with contextlib.chdir(folder), contextlib.redirect_stdout(stdout):
        exec(compile(code, "README.md (Your own data)", "exec"), namespace)
    return namespace, stdout.getvalue(), folder


def test_the_python_block_runs_and_converts_the_declared_unit(snippet_run):
    namespace, _, folder = snippet_run
    assert (folder / "cohort.csv").is_file()
    sample = pd.read_csv(rk.cohorts.sample_csv_path())
    cohort = namespace["cohort"]  # loaded from cohort.csv, total_chol in mmol/L
    assert len(cohort) == len(sample) == 300
    converted = cohort.features["total_chol"].to_numpy(dtype=float)
    original = sample["total_chol"].to_numpy(dtype=float)
    # mg/dL -> mmol/L rounded to 0.01 -> mg/dL again: within half a rounding unit (0.005 * 38.67)
    assert np.array_equal(np.isnan(converted), np.isnan(original))
    assert np.nanmax(np.abs(converted - original)) <= 0.005 * 38.67 + 1e-9


def test_the_printed_cohort_matches_the_comment_beside_it(snippet_run):
    _, printed, _ = snippet_run
    line = next(line for line in _block("python").splitlines() if line.startswith("print("))
    comment = line.split("#", 1)[1]
    n, n_features, n_predictors, n_events = (
        int(re.search(pattern, comment).group(1))
        for pattern in (r"n=(\d+)", r"(\d+) features", r"(\d+) candidate", r"(\d+) events")
    )
    cohort = rk.cohorts.load_young_hypertension(rk.cohorts.sample_csv_path())
    assert f"n={n}," in printed and f"features={n_features}," in printed
    assert f"events={n_events}," in printed
    assert (len(cohort), cohort.features.shape[1], len(cohort.predictors)) == (
        n,
        n_features,
        n_predictors,
    )
    assert int(cohort.outcome.event.sum()) == n_events


def test_the_readme_error_message_is_the_one_riskml_gives(snippet_run):
    _, _, folder = snippet_run
    shown = _block("", startswith="SchemaError:")
    with pytest.raises(rk.cohorts.SchemaError) as caught:
        rk.cohorts.load_young_hypertension(folder / "cohort.csv")
    given = f"SchemaError: {caught.value}"
    # the README wraps the long line by hand; words and numbers must be the same
    assert shown.split() == given.split()


def test_the_study_file_block_reads_the_converted_file(snippet_run):
    namespace, _, folder = snippet_run
    (folder / "study.yaml").write_text(_block("yaml"), encoding="utf-8")
    study, _, _ = load_study_file(folder / "study.yaml")
    assert len(study.cohort) == 300
    np.testing.assert_allclose(
        study.cohort.features["total_chol"], namespace["cohort"].features["total_chol"]
    )


def test_the_snippet_leaves_the_installed_sample_unchanged(snippet_run):
    digest = hashlib.sha256(rk.cohorts.sample_csv_path().read_bytes()).hexdigest()
    assert f"`{digest}`" in SAMPLE_MD.read_text(encoding="utf-8"), (
        "young_htn_sample.csv differs from the SHA-256 in young_htn_sample.md"
    )


def _described_columns() -> list[tuple[str, int]]:
    """(column, missing %) of each row of the table in young_htn_sample.md, in order."""
    rows = []
    for line in SAMPLE_MD.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 5 and cells[3].isdigit():
            rows.append((cells[0], int(cells[3])))
    return rows


def test_the_sample_columns_are_those_its_description_lists():
    sample = pd.read_csv(rk.cohorts.sample_csv_path())
    described = _described_columns()
    assert [name for name, _ in described] == list(sample.columns), (
        "young_htn_sample.md's column table must list the CSV's columns in file order"
    )
    for name, percent in described:
        assert round(100 * sample[name].isna().mean()) == percent, name
    text = SAMPLE_MD.read_text(encoding="utf-8")
    assert f"{len(sample)} rows x {sample.shape[1]} columns" in text
    schema = {column.name for column in rk.cohorts.load_schema("young_htn").columns}
    assert set(sample.columns) <= schema


def test_the_sample_is_what_the_generator_named_in_its_description_writes():
    # oracle: make_young_hypertension with the call young_htn_sample.md shows
    call = re.search(r"make_young_hypertension\(([^)]*)\)", SAMPLE_MD.read_text(encoding="utf-8"))
    assert call.group(1) == "n_patients=300, random_state=0, return_frame=True"
    expected = rk.cohorts.make_young_hypertension(n_patients=300, random_state=0, return_frame=True)
    buffer = io.StringIO()
    expected.to_csv(buffer, index=False)
    bundled = rk.cohorts.sample_csv_path().read_text(encoding="utf-8")
    assert bundled.splitlines() == buffer.getvalue().splitlines(), (
        "young_htn_sample.csv is no longer what make_young_hypertension writes; regenerate it "
        "with the code in young_htn_sample.md and update the SHA-256 there"
    )


def test_the_sample_loads_without_a_warning(recwarn):
    cohort = rk.cohorts.load_young_hypertension(rk.cohorts.sample_csv_path())
    assert not [w for w in recwarn if issubclass(w.category, rk.cohorts.SchemaWarning)]
    assert cohort.schema_name == "young_htn"
    assert cohort.ids is not None and len(set(cohort.ids)) == 300
