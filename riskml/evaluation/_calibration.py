"""Calibration: do predicted risks match observed risks?

The names of the calibration modules, gathered in one place for their importers:

- :mod:`._calibration_checks`: the input checks (outcomes, probabilities, a horizon);
- :mod:`._calibration_binary`: calibration-in-the-large, the calibration slope, the O:E
  ratio, and logistic recalibration;
- :mod:`._calibration_smooth`: the smoothed calibration curve and the errors read off it
  (ICI, E50, E90, Emax), and :func:`calibration_curve`;
- :mod:`._calibration_groups`: groups of predicted risk and the Hosmer-Lemeshow test;
- :mod:`._calibration_survival`: time-to-event outcomes at a horizon: Kaplan-Meier
  observed risk by risk group, the O:E ratio, the calibration slope and the ICI.
"""

from __future__ import annotations

from ._calibration_binary import (  # noqa: F401
    BARELY_VARYING,
    LogisticRecalibration,
    _barely_varying,
    _check_slope_spread,
    _finite_logit,
    _fit_intercept_slope,
    _fit_offset_intercept,
    _logit,
    calibration_in_the_large,
    calibration_slope,
    observed_expected_ratio,
    recalibrate_intercept,
    recalibrate_logistic,
)
from ._calibration_checks import (  # noqa: F401
    _check_binary_inputs,
    _check_binary_outcome,
    _check_both_classes,
    _check_horizon,
    _check_not_empty,
    _check_probabilities,
    _check_survival_inputs,
    _classes_message,
    _first_positions,
)
from ._calibration_groups import (  # noqa: F401
    HosmerLemeshowResult,
    _binomial_interval,
    _group_attrs,
    _quantile_groups,
    hosmer_lemeshow,
)
from ._calibration_smooth import (  # noqa: F401
    _DEFAULT_FRAC,
    CalibrationErrors,
    _ici_batch,
    _lowess_at,
    _lowess_smooth,
    _sorted_calibration_errors,
    calibration_curve,
    ici,
)
from ._calibration_survival import (  # noqa: F401
    _cox_efron,
    _rcs_basis,
    _smoothed_observed,
    _survival_calibration_inputs,
    _survival_oe,
    survival_calibration,
    survival_calibration_slope,
    survival_ici,
    survival_observed_expected_ratio,
)
from ._ipcw import _km_at  # noqa: F401

__all__ = [
    "CalibrationErrors",
    "HosmerLemeshowResult",
    "LogisticRecalibration",
    "calibration_curve",
    "calibration_in_the_large",
    "calibration_slope",
    "hosmer_lemeshow",
    "ici",
    "observed_expected_ratio",
    "recalibrate_intercept",
    "recalibrate_logistic",
    "survival_calibration",
    "survival_calibration_slope",
    "survival_ici",
    "survival_observed_expected_ratio",
]

# doctest.testmod(_calibration) runs the Examples of every name above, wherever it lives
__test__ = {name: globals()[name] for name in __all__}
