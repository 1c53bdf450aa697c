"""The self-contained HTML report and its figures.

:func:`write_report` writes one HTML file (inline CSS, inline PNG figures, no network)
from a finished study; :func:`plot_roc` and :func:`plot_shap_importance` draw its
figures on any matplotlib Axes. No computation of results happens here.
"""

from ._figures import plot_roc, plot_shap_importance
from ._html import render_report, write_report

__all__ = ["plot_roc", "plot_shap_importance", "render_report", "write_report"]
