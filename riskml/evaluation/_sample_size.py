"""Minimum sample size for developing a prediction model (Riley et al. 2019, 2020).

The criteria of Riley et al. for binary and time-to-event outcomes: (1) expected
shrinkage of predictor effects of at most 10%, (2) a small difference (0.05) between
the apparent and adjusted Nagelkerke R², and (3) a precise estimate of the overall
risk — the average outcome proportion for a binary outcome (margin of error 0.05),
and for a time-to-event outcome the precision of the overall risk at a time point,
reported at the size the first two criteria need (as R's pmsampsize does).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["SampleSizeResult", "minimum_sample_size"]

#: Nagelkerke R² assumed when nothing is known of the model's expected performance
#: (Riley et al. 2020 suggest 15% of the maximum Cox-Snell R²: conservative).
DEFAULT_NAGELKERKE = 0.15


@dataclass(frozen=True)
class SampleSizeResult:
    """The minimum sample size and how it was reached.

    Attributes
    ----------
    criteria : pandas.DataFrame
        One row per criterion: ``criterion``, ``n`` (patients needed, NaN for the
        time-to-event precision criterion, which is reported, not solved for),
        ``shrinkage``, ``events`` and ``events_per_parameter`` at that size.
    n_required : int
        The largest ``n`` of the criteria.
    events_required : float
        Expected events at ``n_required``.
    n_parameters : int
    r2_cs : float
        The anticipated Cox-Snell R² used.
    max_r2_cs : float
        The largest Cox-Snell R² the outcome frequency allows.
    risk_interval : tuple of float or None
        Time-to-event only: the overall risk at the time point and its 95% interval
        at ``n_required`` (exponential survival).
    """

    criteria: pd.DataFrame
    n_required: int
    events_required: float
    n_parameters: int
    r2_cs: float
    max_r2_cs: float
    risk_interval: tuple | None = None


def _shrinkage_n(n_parameters: int, r2_cs: float, shrinkage: float) -> int:
    # Riley et al. 2019 (Stat Med), equation 11
    return int(np.ceil(n_parameters / ((shrinkage - 1) * np.log(1 - r2_cs / shrinkage))))


def _check_positive(value, name: str, upper: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} of minimum_sample_size must be a number; got {value!r}.")
    value = float(value)
    if not np.isfinite(value) or value <= 0 or (upper is not None and value >= upper):
        bound = f" and below {upper:g}" if upper is not None else ""
        raise ValueError(f"{name} of minimum_sample_size must be above 0{bound}; got {value!r}.")
    return value


def minimum_sample_size(
    outcome_kind: str,
    n_parameters: int,
    *,
    prevalence: float | None = None,
    rate: float | None = None,
    timepoint: float | None = None,
    mean_followup: float | None = None,
    r2_cs: float | None = None,
    r2_nagelkerke: float | None = None,
    shrinkage: float = 0.9,
    r2_difference: float = 0.05,
    margin: float = 0.05,
) -> SampleSizeResult:
    """Minimum sample size to develop a prediction model (Riley et al. 2019, 2020).

    Parameters
    ----------
    outcome_kind : {"binary", "survival"}
    n_parameters : int
        Candidate predictor *parameters* (a categorical predictor with k levels
        counts k - 1; a spline counts its degrees of freedom).
    prevalence : float, binary outcomes
        The anticipated outcome proportion.
    rate, timepoint, mean_followup : float, time-to-event outcomes
        The anticipated event rate per unit of time, the time point of interest and
        the mean follow-up, all in the same unit (e.g. days, or years).
    r2_cs : float, optional
        The anticipated Cox-Snell R² of the model.
    r2_nagelkerke : float, optional
        Or the anticipated Nagelkerke R² (Cox-Snell scaled by its maximum). When
        neither is given, Nagelkerke R² = 0.15, the conservative default Riley et
        al. (2020) suggest.
    shrinkage : float, default=0.9
        Criterion 1: the largest acceptable expected shrinkage factor.
    r2_difference : float, default=0.05
        Criterion 2: the largest acceptable difference between apparent and
        adjusted Nagelkerke R².
    margin : float, default=0.05
        Criterion 3: margin of error of the overall risk (binary outcomes).

    Returns
    -------
    SampleSizeResult

    Notes
    -----
    Criterion 1 is ``n = p / ((S - 1) ln(1 - R²cs / S))``; criterion 2 applies it
    with ``S = R²cs / (R²cs + δ max(R²cs))``; ``max(R²cs) = 1 - exp(2 lnL0 / n)``
    with the null log-likelihood of a Bernoulli outcome, or of an exponential
    survival model (``lnL0 = E ln(E / n) - E`` with ``E = rate × mean_followup × n``).
    Criterion 3 for a binary outcome is ``n = (1.96 / margin)² φ (1 - φ)``; for a
    time-to-event outcome the interval of the overall risk at ``timepoint`` is
    reported at the size of criteria 1 and 2, as in R's pmsampsize.

    References
    ----------
    .. [1] Riley RD, Snell KIE, Ensor J, et al. Minimum sample size for developing
       a multivariable prediction model: part II - binary and time-to-event
       outcomes. Stat Med 2019;38:1276-1296.
    .. [2] Riley RD, Ensor J, Snell KIE, et al. Calculating the sample size required
       for developing a clinical prediction model. BMJ 2020;368:m441.

    Examples
    --------
    >>> from riskml.evaluation import minimum_sample_size
    >>> minimum_sample_size("binary", 24, prevalence=0.174, r2_cs=0.288).n_required
    662
    """
    if outcome_kind not in ("binary", "survival"):
        raise ValueError(
            f"outcome_kind of minimum_sample_size must be 'binary' or 'survival'; got "
            f"{outcome_kind!r}."
        )
    if isinstance(n_parameters, bool) or not isinstance(n_parameters, int | np.integer):
        raise ValueError(f"n_parameters must be a positive int; got {n_parameters!r}.")
    if n_parameters < 1:
        raise ValueError(f"n_parameters must be a positive int; got {n_parameters!r}.")
    shrinkage = _check_positive(shrinkage, "shrinkage", 1.0)
    if outcome_kind == "binary":
        if prevalence is None:
            raise ValueError("minimum_sample_size for a binary outcome needs prevalence=.")
        prevalence = _check_positive(prevalence, "prevalence", 1.0)
        phi = prevalence
        max_r2 = 1 - (phi**phi * (1 - phi) ** (1 - phi)) ** 2

        def events(n):
            return n * prevalence

    else:
        missing = [
            name
            for name, value in (
                ("rate", rate),
                ("timepoint", timepoint),
                ("mean_followup", mean_followup),
            )
            if value is None
        ]
        if missing:
            raise ValueError(
                f"minimum_sample_size for a time-to-event outcome needs {', '.join(missing)}= "
                "(the event rate per unit time, the time point and the mean follow-up)."
            )
        rate = _check_positive(rate, "rate")
        timepoint = _check_positive(timepoint, "timepoint")
        mean_followup = _check_positive(mean_followup, "mean_followup")
        per_patient = rate * mean_followup  # expected events per patient
        # lnL0 / n = per_patient (ln per_patient - 1) for the exponential null model
        max_r2 = 1 - np.exp(2 * per_patient * (np.log(per_patient) - 1))

        def events(n):
            return n * per_patient

    if r2_cs is None:
        nagelkerke = DEFAULT_NAGELKERKE if r2_nagelkerke is None else r2_nagelkerke
        nagelkerke = _check_positive(nagelkerke, "r2_nagelkerke", 1.0)
        r2_cs = nagelkerke * max_r2
    elif r2_nagelkerke is not None:
        raise ValueError("pass r2_cs or r2_nagelkerke, not both.")
    r2_cs = _check_positive(r2_cs, "r2_cs", 1.0)
    if r2_cs > max_r2:
        raise ValueError(
            f"r2_cs={r2_cs:g} is above the largest Cox-Snell R² this outcome frequency "
            f"allows ({max_r2:.4f}); pass a smaller value, or r2_nagelkerke= instead."
        )
    if shrinkage <= r2_cs:
        raise ValueError(f"shrinkage must exceed r2_cs ({r2_cs:g}); got {shrinkage:g}.")
    n1 = _shrinkage_n(n_parameters, r2_cs, shrinkage)
    s2 = r2_cs / (r2_cs + r2_difference * max_r2)
    n2 = _shrinkage_n(n_parameters, r2_cs, s2)
    rows = [
        ("1: shrinkage of predictor effects", n1, shrinkage),
        ("2: apparent vs adjusted Nagelkerke R2", n2, s2),
    ]
    risk_interval = None
    if outcome_kind == "binary":
        n3 = int(np.ceil((1.96 / margin) ** 2 * prevalence * (1 - prevalence)))
        rows.append(("3: precise overall risk", n3, np.nan))
        n_required = max(n1, n2, n3)
    else:
        n_required = max(n1, n2)
        person_time = mean_followup * n_required
        se = np.sqrt(rate / person_time)
        risk = 1 - np.exp(-rate * timepoint)
        risk_interval = (
            float(risk),
            float(1 - np.exp(-(rate - 1.96 * se) * timepoint)),
            float(1 - np.exp(-(rate + 1.96 * se) * timepoint)),
        )
        rows.append(("3: precise overall risk at the time point (reported)", np.nan, np.nan))
    criteria = pd.DataFrame(rows, columns=["criterion", "n", "shrinkage"])
    criteria["events"] = [events(n) for n in criteria["n"]]
    criteria["events_per_parameter"] = criteria["events"] / n_parameters
    return SampleSizeResult(
        criteria=criteria,
        n_required=int(n_required),
        events_required=float(events(n_required)),
        n_parameters=int(n_parameters),
        r2_cs=float(r2_cs),
        max_r2_cs=float(max_r2),
        risk_interval=risk_interval,
    )
