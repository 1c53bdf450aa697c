"""Session fixtures for the report tests (see _report_helpers for the synthetic result)."""

import matplotlib
import pytest
from _report_helpers import make_result

matplotlib.use("Agg")


@pytest.fixture(scope="session")
def survival_result():
    return make_result("survival")


@pytest.fixture(scope="session")
def survival_html(survival_result, tmp_path_factory):
    from riskml.report import write_report

    path = write_report(survival_result, tmp_path_factory.mktemp("report") / "report.html")
    return path.read_text(encoding="utf-8")
