"""The wheel holds every subpackage: pyproject.toml lists its packages by hand.

A package missing from that list imports in an editable install (the checkout is on
the path) but not from a wheel; riskml.study, riskml.study_file, riskml.persistence
and riskml.deployment were once missing. Oracle: the folders with an __init__.py.
"""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_subpackage_is_in_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "riskml").rglob("__init__.py")
    }
    assert found - listed == set(), "add these packages to [tool.setuptools] packages"
    # package folders without an __init__.py (templates, data) are listed on purpose
    data_only = {"riskml.report.templates", "riskml.cohorts.datasets", "riskml.data_schemas"}
    assert listed - found <= data_only


def test_every_subpackage_is_an_attribute_of_riskml():
    """``import riskml; riskml.errors`` works as ``import riskml.errors`` does (in a fresh
    interpreter, so no earlier import has set the attribute)."""
    import subprocess
    import sys

    names = sorted(
        {path.parent.name for path in (ROOT / "riskml").glob("*/__init__.py")}
        | {path.stem for path in (ROOT / "riskml").glob("[!_]*.py")}
    )
    code = "import riskml\n" + "".join(f"riskml.{name}\n" for name in names)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]
