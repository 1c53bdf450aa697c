"""riskml's own competing-risk metrics at a horizon, as registry entries.

Each entry's function takes ``(time, event_type, risk, horizon, **params)``: event
type 0 censored, 1 the event of interest, 2, 3, ... competing events, and ``risk``
the predicted cumulative incidence of event type 1 by the horizon. Every metric
counts a competing event by the horizon as a known absence of the event of interest
(weighted for censoring), never as a censoring, as R ``riskRegression::Score(...,
cause = 1)`` does (van Geloven et al. 2022). Intervals are percentile bootstraps over
patients.

========================  =============================================================
name                      meaning
========================  =============================================================
``td_auc``                cumulative/dynamic AUC, IPCW (Blanche et al. 2013)
``wolbers_c``             Wolbers' concordance for competing risks, cases up to h (on
                          request; O(n log n) per evaluation)
``o_e``                   Aalen-Johansen incidence over mean predicted risk
``ece``                   mean absolute difference between predicted and
                          Aalen-Johansen observed incidence over risk deciles
``brier``                 Brier score (IPCW, competing events as 0)
``ipa``                   1 - Brier / Brier of the Aalen-Johansen null model
``net_benefit``           net benefit at a threshold (Aalen-Johansen among the treated)
========================  =============================================================
"""

from __future__ import annotations

import numpy as np

from ._competing import (
    competing_brier_score,
    competing_calibration,
    competing_concordance,
    competing_net_benefit,
    competing_observed_expected_ratio,
    competing_scaled_brier,
    competing_time_dependent_auc,
)
from ._ipcw import _check_censoring_weights
from ._metric_registry import Metric

__all__ = ["COMPETING_METRICS", "competing_calibration_error"]

_CENSORING_WEIGHTS = {"censoring_weights": _check_censoring_weights}
_AT_HORIZON = {"needs_horizon": True, "needs_probability": True}
_OVERALL = {"section": "overall", "no_information": "quadratic", **_AT_HORIZON}


def _td_auc(time, event_type, risk, horizon, **params):
    return float(competing_time_dependent_auc(time, event_type, risk, [horizon], **params)[0])


def _wolbers_c(time, event_type, risk, horizon):
    # riskml's horizon rule: a patient censored exactly at h is event-free at h, so the
    # censoring distribution drops after h, not at it (G(h) > 0 under administrative
    # censoring at the horizon, where pec::cindex's weight 1 / G(T_i) would be infinite)
    time = np.array(time, dtype=float)
    at_horizon = (time == horizon) & (np.asarray(event_type) == 0)
    time[at_horizon] = np.nextafter(float(horizon), np.inf)
    return competing_concordance(time, event_type, risk, tau=horizon)


def _net_benefit(time, event_type, risk, horizon, *, threshold):
    return float(competing_net_benefit(time, event_type, risk, horizon, thresholds=[threshold])[0])


def competing_calibration_error(time, event_type, risk_at_horizon, horizon, *, n_groups=10):
    """Grouped calibration error at a horizon against the Aalen-Johansen incidence.

    Parameters
    ----------
    time, event_type : array-like of shape (n_samples,)
        Days to the first event or censoring; 0 censored, 1 the event of interest,
        2, 3, ... competing events.
    risk_at_horizon : array-like of shape (n_samples,)
        Predicted cumulative incidence of event type 1 by the horizon.
    horizon : float
        Days.
    n_groups : int, default=10
        Groups by quantiles of predicted risk, as :func:`competing_calibration`.

    Returns
    -------
    float
        ``sum_g n_g |observed_g - mean_predicted_g| / sum_g n_g`` over the groups of
        :func:`competing_calibration` whose observed incidence is defined (the
        Aalen-Johansen cumulative incidence of the group at h); 0 is ideal.

    Raises
    ------
    ValueError
        Where no group's follow-up reaches the horizon.

    Notes
    -----
    The grouped counterpart of the integrated calibration index: an average of
    absolute differences, so the chance miscalibration of a small sample adds to it.
    The smoothed calibration curve of Austin et al. (2020) needs a Fine-Gray fit of
    the outcome on the predicted risk, which riskml's evaluation layer does not fit.

    References
    ----------
    .. [1] Gerds TA, Andersen PK, Kattan MW. Calibration plots for risk prediction
       models in the presence of competing risks. Stat Med 2014;33:3191-3203.
    .. [2] van Geloven N, et al. Validation of prediction models in the presence of
       competing risks: a guide through modern methods. BMJ 2022;377:e069249.

    Examples
    --------
    >>> from riskml.evaluation import competing_calibration_error
    >>> round(competing_calibration_error([2, 3, 4, 8, 9, 10], [1, 0, 2, 0, 1, 0],
    ...                                   [0.7, 0.4, 0.5, 0.2, 0.3, 0.1], 6, n_groups=2), 4)
    0.2
    """
    table = competing_calibration(time, event_type, risk_at_horizon, horizon, n_groups=n_groups)
    defined = table["observed"].notna()
    if not defined.any():
        raise ValueError(
            "competing_calibration_error is undefined: no risk group is followed up to the "
            f"horizon {float(horizon):g}; choose a horizon within the follow-up."
        )
    table = table[defined]
    gap = np.abs(table["observed"] - table["mean_predicted"])
    return float(np.average(gap, weights=table["n"]))


def _ece(time, event_type, risk, horizon):
    return competing_calibration_error(time, event_type, risk, horizon)


def _threshold_check(value, function: str) -> float:
    from ._metrics import _check_threshold  # the one check of a net-benefit threshold

    return _check_threshold(value, function)


_CALIBRATION_BIAS = (
    "the calibration error averages absolute differences between predicted and observed "
    "incidence, so the chance miscalibration of each resample adds to it"
)
_THRESHOLD_REQUIRED = {
    "threshold": "is evaluated at a risk threshold; pass metric_params={'net_benefit': "
    "{'threshold': 0.1}} (the risk above which a patient would be treated)."
}

#: riskml's own competing-risk metrics, in the order reports list them.
COMPETING_METRICS = (
    Metric(
        "td_auc",
        "competing",
        _td_auc,
        "time-dependent AUC (cause 1)",
        reference="Blanche et al. 2013 (cumulative/dynamic, IPCW, competing events as controls)",
        params=_CENSORING_WEIGHTS,
        default=True,
        section="discrimination",
        no_information=0.5,
        needs_horizon=True,
    ),
    Metric(
        "wolbers_c",
        "competing",
        _wolbers_c,
        "Wolbers' C",
        reference="Wolbers et al. 2009, 2014 (IPCW, cases up to the horizon)",
        section="discrimination",
        no_information=0.5,
        needs_horizon=True,
        aliases=("competing_concordance",),
    ),
    Metric(
        "o_e",
        "competing",
        competing_observed_expected_ratio,
        "O:E ratio",
        direction="target",
        target=1.0,
        reference="Aalen-Johansen observed over mean predicted incidence (van Geloven 2022)",
        default=True,
        section="calibration",
        **_AT_HORIZON,
    ),
    Metric(
        "ece",
        "competing",
        _ece,
        "calibration error (deciles vs Aalen-Johansen)",
        direction="lower",
        reference="Gerds, Andersen & Kattan 2014; van Geloven 2022",
        bootstrap_bias=_CALIBRATION_BIAS,
        default=True,
        section="calibration",
        **_AT_HORIZON,
    ),
    Metric(
        "brier",
        "competing",
        competing_brier_score,
        "Brier score (IPCW, cause 1)",
        direction="lower",
        reference="Graf et al. 1999; Schoop et al. 2011",
        params=_CENSORING_WEIGHTS,
        default=True,
        **_OVERALL,
    ),
    Metric(
        "ipa",
        "competing",
        competing_scaled_brier,
        "IPA (scaled Brier, Aalen-Johansen null)",
        reference="Kattan & Gerds 2018",
        params=_CENSORING_WEIGHTS,
        default=True,
        **_OVERALL,
    ),
    Metric(
        "net_benefit",
        "competing",
        _net_benefit,
        "net benefit",
        reference="Vickers et al. 2008; van Geloven 2022",
        section="utility",
        params={"threshold": _threshold_check},
        required_params=_THRESHOLD_REQUIRED,
        **_AT_HORIZON,
    ),
)
