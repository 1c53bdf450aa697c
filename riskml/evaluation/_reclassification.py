"""Reclassification: the net reclassification improvement (NRI) and the integrated
discrimination improvement (IDI) of a new model over an old one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

from ..utils.validation import check_same_length
from ._brier import _check_number_array
from ._calibration import (
    _check_binary_outcome,
    _check_both_classes,
    _check_probabilities,
)
from ._checks import warn_degenerate

__all__ = [
    "IDIResult",
    "NRIResult",
    "idi",
    "nri",
]


# -- reclassification: NRI and IDI -----------------------------------------------------
@dataclass(frozen=True)
class NRIResult:
    """Net reclassification improvement of a new model over an old one.

    Attributes
    ----------
    nri : float
        ``nri_events + nri_non_events``.
    nri_events : float
        ``P(up | event) - P(down | event)``.
    nri_non_events : float
        ``P(down | non-event) - P(up | non-event)``.
    events_up, events_down, non_events_up, non_events_down : int
        Patients moved up or down.
    n_events, n_non_events : int
    z, p_value : float
        Pencina's asymptotic test of NRI = 0 (two-sided).
    kind : str
        ``"categorical"`` or ``"continuous"``.

    Examples
    --------
    >>> import numpy as np
    >>> from riskml.evaluation import nri
    >>> event = np.array([0, 0, 1, 1, 0, 1, 0, 1, 0, 0])
    >>> old = np.array([0.2, 0.3, 0.5, 0.7, 0.1, 0.6, 0.4, 0.5, 0.2, 0.3])
    >>> new = np.array([0.1, 0.4, 0.35, 0.8, 0.2, 0.7, 0.3, 0.6, 0.15, 0.5])
    >>> result = nri(event, old, new)
    >>> result.kind, result.nri, result.events_up, result.events_down
    ('continuous', 0.5, 3, 1)
    """

    nri: float
    nri_events: float
    nri_non_events: float
    events_up: int
    events_down: int
    non_events_up: int
    non_events_down: int
    n_events: int
    n_non_events: int
    z: float
    p_value: float
    kind: str

    def as_dict(self) -> dict:
        """The fields as a plain dict."""
        return asdict(self)


@dataclass(frozen=True)
class IDIResult:
    """Integrated discrimination improvement of a new model over an old one.

    Attributes
    ----------
    idi : float
        ``events + non_events``: the change in the discrimination slope.
    events : float
        Mean of ``p_new - p_old`` among events.
    non_events : float
        Mean of ``p_old - p_new`` among non-events.
    z, p_value : float
        Pencina's asymptotic test of IDI = 0 (two-sided).

    Examples
    --------
    >>> import numpy as np
    >>> from riskml.evaluation import idi
    >>> event = np.array([0, 0, 1, 1, 0, 1, 0, 1, 0, 0])
    >>> old = np.array([0.2, 0.3, 0.5, 0.7, 0.1, 0.6, 0.4, 0.5, 0.2, 0.3])
    >>> new = np.array([0.1, 0.4, 0.35, 0.8, 0.2, 0.7, 0.3, 0.6, 0.15, 0.5])
    >>> result = idi(event, old, new)
    >>> round(result.idi, 4), round(result.events, 4), round(result.non_events, 4)
    (0.0125, 0.0375, -0.025)
    """

    idi: float
    events: float
    non_events: float
    z: float
    p_value: float

    def as_dict(self) -> dict:
        """The fields as a plain dict."""
        return asdict(self)


def _check_reclassification_inputs(y_true, p_old, p_new, function: str):
    event = _check_binary_outcome(y_true, function)
    old = _check_probabilities(p_old, function, argument="p_old")
    new = _check_probabilities(p_new, function, argument="p_new")
    check_same_length(function, y_true=event, p_old=old, p_new=new)
    _check_both_classes(event, function)
    if np.array_equal(old, new):
        warn_degenerate(
            f"{function}: p_old and p_new are identical, so nothing is reclassified: the "
            f"{function.upper()} is 0 and its test statistic and p-value are undefined (NaN). "
            "Pass the predictions of the two models you mean to compare."
        )
    return event, old, new


def _check_cutoffs(cutoffs, function: str) -> np.ndarray:
    array = _check_number_array(cutoffs, "cutoffs", function, "cutoffs=[0.05, 0.2]")
    if (
        array.ndim != 1
        or array.shape[0] == 0
        or np.any(~np.isfinite(array))
        or np.any((array <= 0) | (array >= 1))
        or np.any(np.diff(array) <= 0)
    ):
        raise ValueError(
            f"The 'cutoffs' parameter of {function} must be None (continuous NRI) or "
            f"increasing risk cut-offs in (0, 1), e.g. [0.05, 0.2]. Got {cutoffs!r} instead."
        )
    return array


def _two_sided_p(z: float) -> float:
    return float(2.0 * stats.norm.sf(abs(z))) if np.isfinite(z) else np.nan


def nri(y_true, p_old, p_new, *, cutoffs=None) -> NRIResult:
    """Net reclassification improvement (categorical or continuous).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed outcome, 1 (or True) for an event and 0 for none.
    p_old, p_new : array-like of shape (n_samples,)
        Predicted probabilities of the reference and the new model, in [0, 1].
    cutoffs : array-like of float, default=None
        Increasing cut-offs in (0, 1) that define risk categories; a risk equal to a
        cut-off belongs to the higher category. None gives the continuous
        (category-free) NRI, where any increase counts as "up".

    Returns
    -------
    NRIResult

    Notes
    -----
    The test statistic is ``z = NRI / sqrt((p_up,e + p_down,e) / n_e +
    (p_up,ne + p_down,ne) / n_ne)`` (Pencina 2008). The NRI weighs events and
    non-events equally whatever the prevalence and can reward miscalibrated models;
    report its two components and prefer decision curves for clinical utility.

    References
    ----------
    .. [1] Pencina MJ, D'Agostino RB Sr, D'Agostino RB Jr, Vasan RS. Evaluating the
       added predictive ability of a new marker: from area under the ROC curve to
       reclassification and beyond. Stat Med 2008;27:157-172.
    .. [2] Pencina MJ, D'Agostino RB Sr, Steyerberg EW. Extensions of net
       reclassification improvement calculations to measure usefulness of new
       biomarkers. Stat Med 2011;30:11-21.
    .. [3] Kerr KF, Wang Z, Janes H, et al. Net reclassification indices for evaluating
       risk prediction instruments: a critical review. Epidemiology 2014;25:114-121.

    Examples
    --------
    >>> from riskml.evaluation import nri
    >>> result = nri([1, 1, 0, 0], [0.1, 0.3, 0.4, 0.2], [0.3, 0.2, 0.1, 0.1],
    ...              cutoffs=[0.25])
    >>> result.nri_events, result.nri_non_events
    (0.0, 0.5)
    """
    function = "nri"
    event, old, new = _check_reclassification_inputs(y_true, p_old, p_new, function)
    if cutoffs is None:
        kind = "continuous"
        up, down = new > old, new < old
    else:
        kind = "categorical"
        cut = _check_cutoffs(cutoffs, function)
        old_category = np.searchsorted(cut, old, side="right")
        new_category = np.searchsorted(cut, new, side="right")
        up, down = new_category > old_category, new_category < old_category
    n_events = int(event.sum())
    n_non_events = int((~event).sum())
    counts = {
        "events_up": int((up & event).sum()),
        "events_down": int((down & event).sum()),
        "non_events_up": int((up & ~event).sum()),
        "non_events_down": int((down & ~event).sum()),
    }
    nri_events = (counts["events_up"] - counts["events_down"]) / n_events
    nri_non_events = (counts["non_events_down"] - counts["non_events_up"]) / n_non_events
    value = nri_events + nri_non_events
    variance = (counts["events_up"] + counts["events_down"]) / n_events**2 + (
        counts["non_events_up"] + counts["non_events_down"]
    ) / n_non_events**2
    z = value / np.sqrt(variance) if variance > 0 else np.nan
    return NRIResult(
        nri=float(value),
        nri_events=float(nri_events),
        nri_non_events=float(nri_non_events),
        n_events=n_events,
        n_non_events=n_non_events,
        z=float(z),
        p_value=_two_sided_p(z),
        kind=kind,
        **counts,
    )


def idi(y_true, p_old, p_new) -> IDIResult:
    """Integrated discrimination improvement.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed outcome, 1 (or True) for an event and 0 for none.
    p_old, p_new : array-like of shape (n_samples,)
        Predicted probabilities of the reference and the new model, in [0, 1].

    Returns
    -------
    IDIResult
        ``idi = (mean p_new - mean p_old among events) - (mean p_new - mean p_old
        among non-events)``, the change in the discrimination slope.

    Notes
    -----
    ``z = IDI / sqrt(se_e^2 + se_ne^2)`` with ``se_e`` the standard error (sample
    standard deviation over sqrt(n), ddof=1) of the paired differences
    ``p_new - p_old`` among events, and ``se_ne`` among non-events (Pencina 2008).

    References
    ----------
    .. [1] Pencina MJ, D'Agostino RB Sr, D'Agostino RB Jr, Vasan RS. Stat Med
       2008;27:157-172.

    Examples
    --------
    >>> from riskml.evaluation import idi
    >>> round(idi([1, 1, 0, 0], [0.3, 0.4, 0.3, 0.2], [0.5, 0.6, 0.2, 0.2]).idi, 4)
    0.25
    """
    function = "idi"
    event, old, new = _check_reclassification_inputs(y_true, p_old, p_new, function)
    difference = new - old
    gain_events = difference[event]
    gain_non_events = -difference[~event]
    value = gain_events.mean() + gain_non_events.mean()
    if gain_events.shape[0] > 1 and gain_non_events.shape[0] > 1:
        se = np.sqrt(
            gain_events.var(ddof=1) / gain_events.shape[0]
            + gain_non_events.var(ddof=1) / gain_non_events.shape[0]
        )
    else:
        se = np.nan
    z = value / se if se > 0 else np.nan
    return IDIResult(
        idi=float(value),
        events=float(gain_events.mean()),
        non_events=float(gain_non_events.mean()),
        z=float(z),
        p_value=_two_sided_p(z),
    )
