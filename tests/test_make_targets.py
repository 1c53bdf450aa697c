"""The Makefile installs what each target needs: `make demo` riskml and its runtime
dependencies only, `make test` (and test-slow, notebooks, docs) the dev extra on top.

Each check runs ``make -n`` (print the commands, run nothing) on a copy of the Makefile and
pyproject.toml in an empty folder, so no environment is created.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _dry_run(folder: Path, target: str) -> list[str]:
    """The pip install commands `make -n target` would run in folder."""
    done = subprocess.run(
        ["make", "-n", target], cwd=folder, capture_output=True, text=True, check=True
    )
    return [line for line in done.stdout.splitlines() if "pip install" in line]


@pytest.fixture
def checkout(tmp_path):
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy2(ROOT / name, tmp_path / name)
    return tmp_path


def test_demo_installs_the_runtime_dependencies_only(checkout):
    installs = _dry_run(checkout, "demo")
    assert any(line.rstrip().endswith("-e .") for line in installs), installs
    assert not [line for line in installs if "[" in line], (
        f"make demo must not install an extra (the dev extra brings the test oracles): {installs}"
    )


@pytest.mark.parametrize("target", ["test", "test-slow", "notebooks", "docs"])
def test_test_targets_install_the_dev_extra_on_top(checkout, target):
    installs = _dry_run(checkout, target)
    runtime = [i for i, line in enumerate(installs) if line.rstrip().endswith("-e .")]
    dev = [i for i, line in enumerate(installs) if '-e ".[dev' in line]
    assert runtime and dev and runtime[0] < dev[0], installs


def test_a_demo_environment_gets_only_the_dev_extra_added_for_the_tests(checkout):
    # after `make demo` (its stamp newer than pyproject.toml) `make test` installs .[dev] alone
    stamp = checkout / ".venv" / ".installed-runtime"
    stamp.parent.mkdir()
    stamp.touch()
    later = (checkout / "pyproject.toml").stat().st_mtime + 10
    os.utime(stamp, (later, later))
    assert _dry_run(checkout, "demo") == []
    installs = _dry_run(checkout, "test")
    assert len(installs) == 1 and '-e ".[dev]"' in installs[0], installs
