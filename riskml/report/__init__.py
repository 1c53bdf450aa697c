"""The self-contained HTML validation report and its figures.

:func:`write_report` writes one HTML file (inline CSS, inline PNG figures, no network)
from a finished study, with sections keyed to TRIPOD+AI (:data:`SECTIONS` names them);
:func:`write_validation_report` writes the report of a saved model's external
validation (``riskml validate``) with the same template and section builders
(:data:`VALIDATION_SECTIONS`);
:func:`plot_roc` and :func:`plot_shap_importance` draw its figures on any matplotlib
Axes. No result is computed here.
"""

from ._custom import (
    ReportSection,
    register_report_section,
    registered_report_section,
    unregister_report_section,
)
from ._figures import plot_roc, plot_shap_importance
from ._html import SECTIONS, render_report, write_report
from ._validation import (
    VALIDATION_SECTIONS,
    render_validation_report,
    write_validation_report,
)

__all__ = [
    "SECTIONS",
    "VALIDATION_SECTIONS",
    "ReportSection",
    "plot_roc",
    "plot_shap_importance",
    "register_report_section",
    "registered_report_section",
    "render_report",
    "render_validation_report",
    "unregister_report_section",
    "write_report",
    "write_validation_report",
]
