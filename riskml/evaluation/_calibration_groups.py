"""Calibration over groups of predicted risk: the quantile groups and Hosmer-Lemeshow.

The groups (:func:`_quantile_groups`) are shared by :func:`calibration_curve`
(``method="bins"``), :func:`hosmer_lemeshow` and :func:`survival_calibration`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..utils.validation import check_int
from ._calibration_checks import _check_binary_inputs

__all__ = ["HosmerLemeshowResult", "hosmer_lemeshow"]


def _quantile_groups(prob: np.ndarray, n_groups: int) -> tuple[np.ndarray, int]:
    """Group index (0, 1, ...) of each patient by quantiles of predicted risk, and the
    number of groups (the rule stated in :func:`calibration_curve`'s Notes).

    Every group index in ``0 .. used - 1`` holds at least one patient: a break at an
    interpolated quantile that falls between two neighbouring tied values leaves its
    interval empty, and such intervals are dropped (the groups renumbered in order),
    as scikit-learn drops empty bins.
    """
    breaks = np.unique(np.quantile(prob, np.linspace(0.0, 1.0, n_groups + 1)))
    if breaks.shape[0] < 2:
        return np.zeros(prob.shape[0], dtype=np.intp), 1
    # the interval (b_j, b_j+1] is group j; the smallest risk (= b_0) joins group 0
    interval = np.searchsorted(breaks, prob, side="left") - 1
    interval[interval < 0] = 0
    occupied, group = np.unique(interval, return_inverse=True)
    return group.reshape(-1).astype(np.intp), int(occupied.shape[0])


def _group_attrs(table: pd.DataFrame, requested: int, used: int) -> pd.DataFrame:
    """Record the numbers of groups asked for and formed in ``table.attrs``."""
    table.attrs["n_groups_requested"] = int(requested)
    table.attrs["n_groups"] = int(used)
    return table


def _binomial_interval(events: np.ndarray, n: np.ndarray, confidence: float):
    """Clopper-Pearson ("exact") interval of a binomial proportion."""
    alpha = 1.0 - confidence
    with np.errstate(invalid="ignore"):
        low = np.where(events > 0, stats.beta.ppf(alpha / 2, events, n - events + 1), 0.0)
        high = np.where(events < n, stats.beta.ppf(1 - alpha / 2, events + 1, n - events), 1.0)
    return low, high


# -- Hosmer-Lemeshow -------------------------------------------------------------------
@dataclass(frozen=True)
class HosmerLemeshowResult:
    """The Hosmer-Lemeshow test.

    Attributes
    ----------
    statistic : float
        The chi-square statistic.
    df : int
        Degrees of freedom: ``n_groups - 2``, from the groups actually formed.
    p_value : float
        Upper tail of the chi-square distribution with ``df`` degrees of freedom.
    table : pandas.DataFrame
        Per group formed (every one with ``n >= 1``): ``n``, ``observed`` and
        ``expected`` events, ``mean_predicted``.
    n_groups : int or None
        The number of groups formed (the rows of ``table``); fewer than
        ``n_groups_requested`` where risks are tied.
    n_groups_requested : int or None
        The ``n_groups`` asked for.

    Examples
    --------
    >>> import numpy as np
    >>> from riskml.evaluation import hosmer_lemeshow
    >>> event = np.array([0, 0, 1, 1, 0, 1, 0, 1, 0, 0])
    >>> risk = np.array([0.1, 0.4, 0.35, 0.8, 0.2, 0.7, 0.3, 0.6, 0.15, 0.5])
    >>> hosmer_lemeshow(event, risk, n_groups=3)
    HosmerLemeshowResult(statistic=2.2945, df=1, p_value=0.1298)
    """

    statistic: float
    df: int
    p_value: float
    table: pd.DataFrame
    n_groups: int | None = None
    n_groups_requested: int | None = None

    def __repr__(self) -> str:
        groups = ""
        if self.n_groups is not None and self.n_groups != self.n_groups_requested:
            groups = f", groups={self.n_groups} of {self.n_groups_requested} asked"
        return (
            f"HosmerLemeshowResult(statistic={self.statistic:.4f}, df={self.df}, "
            f"p_value={self.p_value:.4g}{groups})"
        )


def hosmer_lemeshow(y_true, y_prob, *, n_groups: int = 10) -> HosmerLemeshowResult:
    """Hosmer-Lemeshow goodness-of-fit test over groups of predicted risk.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed outcome, 1 (or True) for an event and 0 for none.
    y_prob : array-like of shape (n_samples,)
        Predicted probability of the event, in [0, 1].
    n_groups : int, default=10
        Number of quantile groups asked for ("deciles of risk"); fewer may result
        where risks are tied (see Notes). ``result.n_groups`` holds the number
        formed, which sets the degrees of freedom.

    Returns
    -------
    HosmerLemeshowResult

    Notes
    -----
    ``statistic = sum_g (O_g - E_g)^2 / (E_g (1 - E_g / n_g))``, the Pearson
    chi-square of the 2 x g table of observed and expected events and non-events,
    on ``g - 2`` degrees of freedom, g the number of groups formed (for a model
    fitted on these data; for an external validation, Hosmer & Lemeshow suggest g
    degrees of freedom).

    The groups are those of :func:`calibration_curve` (``method="bins"``): R's
    ``cut(p, unique(quantile(p, (0:g) / g)), include.lowest = TRUE)`` with its
    empty levels dropped, as ``sklearn.calibration.calibration_curve(strategy=
    "quantile")``: the breaks are the ``g + 1`` type-7 quantiles of the predicted
    risks (linear interpolation, as ``numpy.quantile``) with duplicates removed; a
    group holds the risks above one break up to and including the next (the first
    also holds the smallest risk), so tied risks always share a group; a group that
    holds nobody is dropped. With tied risks (e.g. rounded to 0.05) a break repeats
    when one value holds more than 1/g of the patients, and an interpolated break
    can fall between two neighbouring values and leave its group empty: **fewer
    groups than asked may result**, and the degrees of freedom fall with them.
    ``ResourceSelection::hoslem.test`` cuts at the same quantiles but stops where
    two breaks coincide ("'breaks' are not unique") and keeps empty groups;
    ``rms``/``Hmisc::cut2(p, g=)`` breaks at observed risks, closed on the left.

    Caveats: the statistic depends on the grouping (the number of groups and how
    tied risks are split can change the verdict); the test has little power in small
    samples and rejects nearly every model in large ones (registry-size cohorts),
    since it tests exact calibration rather than its size; a non-significant result
    is not evidence of good calibration. Prefer the calibration curve, slope and
    ICI, which measure the size of the miscalibration.

    References
    ----------
    .. [1] Hosmer DW, Lemeshow S, Sturdivant RX. Applied Logistic Regression. 3rd ed.
       Wiley; 2013. Section 5.2.2.
    .. [2] Hosmer DW, Hosmer T, le Cessie S, Lemeshow S. A comparison of
       goodness-of-fit tests for the logistic regression model. Stat Med
       1997;16:965-980.
    .. [3] Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019.

    Examples
    --------
    >>> from riskml.evaluation import hosmer_lemeshow
    >>> result = hosmer_lemeshow([0, 0, 1, 0, 1, 1, 0, 1], [0.1, 0.2, 0.3, 0.4, 0.5,
    ...                          0.6, 0.7, 0.8], n_groups=4)
    >>> result.df
    2
    """
    function = "hosmer_lemeshow"
    n_groups = check_int(n_groups, "n_groups", function, low=3)
    event, prob = _check_binary_inputs(y_true, y_prob, function, both_classes=False)
    group, used = _quantile_groups(prob, n_groups)
    if used < 3:
        raise ValueError(
            f"{function} needs at least 3 groups of predicted risk to have degrees of "
            f"freedom (g - 2); the {np.unique(prob).shape[0]} distinct predicted risk(s) "
            f"form {used} group(s) out of the {n_groups} asked for (tied risks share a "
            "group). Assess calibration with calibration_curve or calibration_slope "
            "instead."
        )
    n = np.bincount(group, minlength=used).astype(float)
    observed = np.bincount(group, weights=event.astype(float), minlength=used)
    expected = np.bincount(group, weights=prob, minlength=used)
    denominator = expected * (1.0 - expected / n)
    if np.any(denominator <= 0):
        raise ValueError(
            f"{function} is undefined when a group's predicted risks are all 0 or all 1 "
            "(its expected variance is 0)."
        )
    statistic = float(np.sum((observed - expected) ** 2 / denominator))
    df = used - 2
    table = pd.DataFrame(
        {"n": n, "observed": observed, "expected": expected, "mean_predicted": expected / n}
    )
    return HosmerLemeshowResult(
        statistic=statistic,
        df=df,
        p_value=float(stats.chi2.sf(statistic, df)),
        table=table,
        n_groups=used,
        n_groups_requested=n_groups,
    )
